/*
 * secrets.yar - detectors only the secrets plugin uses, for what the shared
 * rules (rules/credentials.yar, rules/keys.yar, which the plugin also
 * compiles) do not cover: values under secret-like names, Slack webhooks
 * and app tokens, Stripe test keys, GitLab's other token types.
 *
 * Besides the shared metadata (rules/README.md) each rule tells the plugin
 * what a match means:
 *
 *   kind        the finding's kind (stable text, used in reports and JSON)
 *   priority    when one value matches several rules the highest wins
 *               (vendor formats 50, context-anchored 40, generic 10)
 *   value_after the value starts after the last of these characters in
 *               the match (for "NAME = value" shapes); absent: whole match
 *   validate    a check done in code where YARA cannot express it:
 *               "entropy" (random-looking, not a hash or UUID), "jwt",
 *               "pem", "url-password", "json-value"
 *   min_entropy Shannon entropy in bits per character, times 100
 *
 * Strings named $v* hold the value; others are context. Kept out of the
 * yara plugin's default set on purpose (it reads the top of rules/ only): the
 * generic rule needs the plugin's entropy check to be quiet.
 */

rule secret_assignment
{
    meta:
        description = "random-looking value assigned to a secret-like name (NAME=value, name: value)"
        author = "ckpt"
        reference = "https://kubernetes.io/docs/concepts/configuration/secret/"
        severity = "medium"
        kind = "generic-secret"
        priority = 10
        value_after = "=: \"'\t"
        validate = "entropy"
        min_entropy = 300
    strings:
        $v = /(token|secret|passwd|password|api_?key|access_?key|private_?key|credential|auth)[A-Za-z0-9_.\-]{0,20}["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[A-Za-z0-9_\/+=.~\-]{12,256}/ nocase
    condition:
        $v
}

rule slack_webhook
{
    meta:
        description = "Slack incoming-webhook URL"
        author = "ckpt"
        reference = "https://api.slack.com/messaging/webhooks"
        severity = "high"
        kind = "slack-webhook"
        priority = 50
    strings:
        $v = /hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}/
    condition:
        $v
}

rule slack_app_token
{
    meta:
        description = "Slack app-level (xapp-) or configuration (xoxe-) token"
        author = "ckpt"
        reference = "https://api.slack.com/authentication/token-types"
        severity = "high"
        kind = "slack-token"
        priority = 50
    strings:
        $v1 = /xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{32,80}/ fullword
        $v2 = /xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{100,200}/ fullword
    condition:
        any of them
}

rule stripe_test_key
{
    meta:
        description = "Stripe test-mode secret (sk_test_) or restricted (rk_test_) key"
        author = "ckpt"
        reference = "https://docs.stripe.com/keys"
        severity = "medium"
        kind = "stripe-key"
        priority = 50
    strings:
        $v1 = /sk_test_[0-9A-Za-z]{24,99}/ fullword
        $v2 = /rk_test_[0-9A-Za-z]{24,99}/ fullword
    condition:
        any of them
}

rule gitlab_other_token
{
    meta:
        description = "GitLab deploy (gldt-), runner (glrt-), CI build (glcbt-) or OAuth application secret (gloas-) token"
        author = "ckpt"
        reference = "https://docs.gitlab.com/ee/security/token_overview.html"
        severity = "high"
        kind = "gitlab-token"
        priority = 50
    strings:
        $v1 = /gldt-[A-Za-z0-9_\-]{20,64}/ fullword
        $v2 = /glrt-[A-Za-z0-9_\-]{20,64}/ fullword
        $v3 = /glcbt-[A-Za-z0-9_\-]{20,80}/ fullword
        $v4 = /gloas-[A-Za-z0-9_\-]{20,80}/ fullword
    condition:
        any of them
}

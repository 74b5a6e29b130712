/*
 * credentials.yar - cloud and API credentials left in process memory.
 *
 * Every string starts with a fixed, vendor-specific prefix of at least four
 * bytes, which libyara uses as the atom: no rule here costs a regex run per
 * byte. Shipped with ckpt; see rules/README.md.
 */

rule aws_access_key_id
{
    meta:
        description = "AWS access key id (long-term AKIA or temporary ASIA)"
        author = "ckpt"
        reference = "https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html"
        severity = "high"
    strings:
        $akia = /AKIA[0-9A-Z]{16}/ fullword
        $asia = /ASIA[0-9A-Z]{16}/ fullword
    condition:
        any of them
}

rule aws_secret_access_key
{
    meta:
        description = "AWS secret access key next to its variable or config name"
        author = "ckpt"
        reference = "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html"
        severity = "critical"
    strings:
        $env = /AWS_SECRET_ACCESS_KEY=[A-Za-z0-9\/+]{40}/
        $ini = /aws_secret_access_key ?= ?[A-Za-z0-9\/+]{40}/
    condition:
        any of them
}

rule gcp_service_account_key
{
    meta:
        description = "Google Cloud service-account JSON key (type service_account with a private key)"
        author = "ckpt"
        reference = "https://cloud.google.com/iam/docs/keys-create-delete"
        severity = "critical"
    strings:
        $type = /"type": ?"service_account"/
        $pkid = "\"private_key_id\""
        $pk = "\"private_key\""
    condition:
        for any i in (1..#type) : (
            $pkid in (@type[i] - 4096 .. @type[i] + 4096) and
            $pk in (@type[i] - 4096 .. @type[i] + 4096)
        )
}

rule github_token
{
    meta:
        description = "GitHub token: classic personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_)"
        author = "ckpt"
        reference = "https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/"
        severity = "high"
    strings:
        $ghp = /ghp_[A-Za-z0-9]{36}/ fullword
        $gho = /gho_[A-Za-z0-9]{36}/ fullword
        $ghu = /ghu_[A-Za-z0-9]{36}/ fullword
        $ghs = /ghs_[A-Za-z0-9]{36}/ fullword
        $ghr = /ghr_[A-Za-z0-9]{36}/ fullword
    condition:
        any of them
}

rule github_fine_grained_pat
{
    meta:
        description = "GitHub fine-grained personal access token (github_pat_)"
        author = "ckpt"
        reference = "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens"
        severity = "high"
    strings:
        $pat = /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}/ fullword
    condition:
        $pat
}

rule gitlab_personal_access_token
{
    meta:
        description = "GitLab personal access token (glpat-)"
        author = "ckpt"
        reference = "https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html"
        severity = "high"
    strings:
        $glpat = /glpat-[A-Za-z0-9_\-]{20}/ fullword
    condition:
        $glpat
}

rule slack_token
{
    meta:
        description = "Slack token: bot (xoxb-), user (xoxp-), app (xoxa-), refresh (xoxr-), legacy (xoxs-)"
        author = "ckpt"
        reference = "https://api.slack.com/authentication/token-types"
        severity = "high"
    strings:
        $xoxa = /xoxa-[0-9]{6,15}-[0-9A-Za-z\-]{10,120}/
        $xoxb = /xoxb-[0-9]{6,15}-[0-9A-Za-z\-]{10,120}/
        $xoxp = /xoxp-[0-9]{6,15}-[0-9A-Za-z\-]{10,120}/
        $xoxr = /xoxr-[0-9]{6,15}-[0-9A-Za-z\-]{10,120}/
        $xoxs = /xoxs-[0-9]{6,15}-[0-9A-Za-z\-]{10,120}/
    condition:
        any of them
}

rule stripe_live_key
{
    meta:
        description = "Stripe live secret (sk_live_) or restricted (rk_live_) API key"
        author = "ckpt"
        reference = "https://docs.stripe.com/keys"
        severity = "critical"
    strings:
        $sk = /sk_live_[0-9A-Za-z]{24,99}/ fullword
        $rk = /rk_live_[0-9A-Za-z]{24,99}/ fullword
    condition:
        any of them
}

rule url_with_password
{
    meta:
        description = "URL carrying a user name and password (scheme://user:password@host)"
        author = "ckpt"
        reference = "https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1"
        severity = "high"
    strings:
        $url = /(postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|https?|ftps?|smtps?|ldaps?|sftp|ssh|git):\/\/[A-Za-z0-9._~%!$&'()*+,;=\-]{1,64}:[A-Za-z0-9._~%!$&'()*+,;=\-]{1,128}@[A-Za-z0-9.\-\[\]:]{1,253}/
    condition:
        $url
}

/* secrets.yar - credential detectors of the secrets plugin.
 *
 * The plugin compiles these (option `rules`) and scans environment strings,
 * command lines, process memory and rootfs-diff files with them. Each rule
 * is one detector; its meta tells the plugin what a match means:
 *
 *   kind        the finding's kind (stable text, used in reports and JSON)
 *   priority    when one value matches several rules the highest wins
 *               (specific formats 50, context-anchored 40, generic 10)
 *   value_after the value starts after the last of these characters in
 *               the match (for "NAME = value" shapes); absent: whole match
 *   validate    a check done in code where YARA cannot express it:
 *               "jwt" (header and claims decode to JSON objects),
 *               "pem" (extend to the END line), "url-password" (the
 *               password is not a placeholder), "entropy" (random-looking)
 *   min_entropy Shannon entropy in bits per character, times 100, for
 *               "entropy"
 *
 * Strings named $v* are the values reported; other strings are context
 * that must also be present (none here yet). Values are fake-proof only by
 * shape: checksums and providers' online checks are out of scope.
 */

rule aws_access_key_id
{
  meta:
    kind = "aws-access-key-id"
    description = "AWS access key id (long-term AKIA or temporary ASIA)"
    priority = 50
  strings:
    $v = /\b(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/
  condition:
    $v
}

rule aws_secret_access_key
{
  meta:
    kind = "aws-secret-access-key"
    description = "AWS secret access key after its conventional name"
    priority = 40
    value_after = "=: \"'\t"
    validate = "entropy"
    min_entropy = 350
  strings:
    $v = /aws_?secret_?(access_?)?key["']?[ \t]{0,8}[:=][ \t]{0,8}["']?[A-Za-z0-9\/+]{40}\b/ nocase
  condition:
    $v
}

rule gcp_service_account_key
{
  meta:
    kind = "gcp-service-account-key"
    description = "Google Cloud service-account key file (JSON)"
    priority = 50
    value_after = "\""
  strings:
    $v = /"private_key_id"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"[a-f0-9]{40}/
    $type = /"type"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"service_account"/
  condition:
    $v and $type
}

rule github_token
{
  meta:
    kind = "github-token"
    description = "GitHub personal, OAuth, user-to-server, server or refresh token"
    priority = 50
  strings:
    $v1 = /\bgh[pousr]_[A-Za-z0-9]{36}\b/
    $v2 = /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/
  condition:
    any of them
}

rule gitlab_token
{
  meta:
    kind = "gitlab-token"
    description = "GitLab personal, project or group access token"
    priority = 50
  strings:
    $v1 = /\bglpat-[A-Za-z0-9_\-]{20}\b/
    $v2 = /\bgl(dt|ptt|rt|cbt|oas)-[A-Za-z0-9_\-]{20,64}\b/
  condition:
    any of them
}

rule slack_token
{
  meta:
    kind = "slack-token"
    description = "Slack bot, user, app or configuration token"
    priority = 50
  strings:
    $v1 = /\bxox[baprs]-[0-9]{8,13}-[0-9]{8,13}(-[0-9]{8,13})?-[A-Za-z0-9]{20,40}\b/
    $v2 = /\bxapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{32,80}\b/
    $v3 = /\bxoxe(\.xox[bp])?-[0-9]-[A-Za-z0-9]{100,200}\b/
  condition:
    any of them
}

rule slack_webhook
{
  meta:
    kind = "slack-webhook"
    description = "Slack incoming-webhook URL"
    priority = 50
  strings:
    $v = /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}/
  condition:
    $v
}

rule stripe_key
{
  meta:
    kind = "stripe-key"
    description = "Stripe secret or restricted API key"
    priority = 50
  strings:
    $v = /\b(sk|rk)_(live|test)_[A-Za-z0-9]{24,99}\b/
  condition:
    $v
}

rule jwt
{
  meta:
    kind = "jwt"
    description = "JSON Web Token (JWS compact form)"
    priority = 45
    validate = "jwt"
  strings:
    $v = /\beyJ[A-Za-z0-9_\-]{8,2000}\.eyJ[A-Za-z0-9_\-]{8,3000}\.[A-Za-z0-9_\-]{0,1000}/
  condition:
    $v
}

rule pem_private_key
{
  meta:
    kind = "private-key"
    description = "PEM or OpenSSH private key block"
    priority = 50
    validate = "pem"
  strings:
    $v = /-----BEGIN ([A-Z0-9]{1,16} ){0,3}PRIVATE KEY( BLOCK)?-----/
  condition:
    $v
}

rule url_with_password
{
  meta:
    kind = "url-password"
    description = "URL with a password in its user information"
    priority = 30
    validate = "url-password"
  strings:
    $v = /\b[a-z][a-z0-9+.\-]{1,20}:\/\/[A-Za-z0-9._~%!$&*+,;=\-]{1,64}:[^@\/ \t\r\n"'<>`]{1,128}@[A-Za-z0-9.\-\[\]:]{1,255}/ nocase
  condition:
    $v
}

rule secret_assignment
{
  meta:
    kind = "generic-secret"
    description = "random-looking value assigned to a secret-like name"
    priority = 10
    value_after = "=: \"'\t"
    validate = "entropy"
    min_entropy = 300
  strings:
    $v = /\b[A-Za-z0-9_.\-]{0,40}(token|secret|passwd|password|pwd|api_?key|access_?key|private_?key|credential|auth)[A-Za-z0-9_.\-]{0,20}["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[A-Za-z0-9_\/+=.~\-]{12,256}/ nocase
  condition:
    $v
}

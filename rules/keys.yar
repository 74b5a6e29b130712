/*
 * keys.yar - private keys and bearer tokens in process memory: PEM private
 * keys, JSON Web Tokens, and Kubernetes service-account tokens.
 *
 * A PEM header alone is in the read-only data of every TLS library, so the
 * key rule also wants base64 body after the header. Shipped with ckpt; see
 * rules/README.md.
 */

rule pem_private_key
{
    meta:
        description = "PEM-encoded private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted PKCS#8) with its body"
        author = "ckpt"
        reference = "https://www.rfc-editor.org/rfc/rfc7468"
        severity = "critical"
    strings:
        $pem = /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----\r?\n(Proc-Type: [^\r\n]{1,64}\r?\nDEK-Info: [^\r\n]{1,128}\r?\n\r?\n)?[A-Za-z0-9+\/=]{40}/
    condition:
        $pem
}

rule pgp_private_key_block
{
    meta:
        description = "ASCII-armoured PGP private key block"
        author = "ckpt"
        reference = "https://www.rfc-editor.org/rfc/rfc4880#section-6.2"
        severity = "critical"
    strings:
        $pgp = /-----BEGIN PGP PRIVATE KEY BLOCK-----\r?\n[^\r\n]{0,128}\r?\n/
    condition:
        $pgp
}

rule jwt_token
{
    meta:
        description = "JSON Web Token (three base64url parts; header starting {\"alg\" or {\"typ\")"
        author = "ckpt"
        reference = "https://www.rfc-editor.org/rfc/rfc7519"
        severity = "medium"
    strings:
        /* base64url of {"alg": and {"typ": as a JWT header begins */
        $alg = /eyJhbGciOi[A-Za-z0-9_\-]{4,600}\.eyJ[A-Za-z0-9_\-]{8,4000}\.[A-Za-z0-9_\-]{16,1400}/
        $typ = /eyJ0eXAiOi[A-Za-z0-9_\-]{4,600}\.eyJ[A-Za-z0-9_\-]{8,4000}\.[A-Za-z0-9_\-]{16,1400}/
    condition:
        any of them
}

rule kubernetes_service_account_token
{
    meta:
        description = "Kubernetes service-account token: a JWT whose claims name kubernetes.io/serviceaccount or the kubernetes/serviceaccount issuer"
        author = "ckpt"
        reference = "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/"
        severity = "critical"
    strings:
        $jwt = /eyJ[A-Za-z0-9_\-]{8,600}\.eyJ[A-Za-z0-9_\-]{8,4000}\./
        /* the claim names as they read inside base64url claims */
        $claim = "kubernetes.io/serviceaccount" base64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        $issuer = "\"kubernetes/serviceaccount\"" base64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    condition:
        for any i in (1..#jwt) : (
            $claim in (@jwt[i] .. @jwt[i] + !jwt[i]) or
            $issuer in (@jwt[i] .. @jwt[i] + !jwt[i])
        )
}

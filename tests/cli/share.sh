#!/bin/sh
# One libyara scan for the yara rules and the secrets engine's (SDK 3.9,
# CkptMemSubscriber.secrets): in a chain with yara in the memory pass, yara
# compiles the engine's rules into its rule set and hands their matches to
# the host, which then scans no memory for secrets itself. Every output is
# byte for byte the host's own scan's (CKPT_SECRETS_SHARE=0), on the real
# fixtures; no second walk of memory; fast mode keeps the host's scan; a
# user's rule file named like the engine's keeps its own namespace.
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_SOURCE_ROOT).
set -u
TAP_NAME=share
. "$(dirname "$0")/tap.sh"
SRC=${CKPT_SOURCE_ROOT:?}

# out FILE: FILE without the run's timings
untimed() { sed -E 's/"seconds": ?[0-9.e+-]+//g; s/"compute_ms": ?[0-9.e+-]+//g' "$1"; }

# same NAME FIXTURE ARGS...: shared and not, the same output and exit
same() {
  name=$1 f=$FX/$2
  shift 2
  "$CKPT" --verbose "$@" "$f" >"$T/$name.a" 2>"$T/$name.ea"
  echo $? >"$T/$name.rc-a"
  CKPT_SECRETS_SHARE=0 "$CKPT" --verbose "$@" "$f" >"$T/$name.b" 2>"$T/$name.eb"
  echo $? >"$T/$name.rc-b"
  untimed "$T/$name.a" >"$T/$name.a2"
  untimed "$T/$name.b" >"$T/$name.b2"
  check "$name: $* $2: the output and exit of the host's own scan" \
    sh -c 'test -s "$1" && cmp "$1" "$2" && cmp "$3" "$4"' sh \
    "$T/$name.a2" "$T/$name.b2" "$T/$name.rc-a" "$T/$name.rc-b"
}

# shared NAME: the secrets came from yara's scan, the host scanned no
# memory for them, and the chain read no more blocks than with the host's
# own scan (a process yara's matches missed would be walked again)
shared() {
  check "$1: found in yara's scan, the host's engine scanned nothing, no walk more" \
    awk '/memory pass: secrets found in yara.s scan/ { by = 1 }
      /memory pass: secrets engine scanned 0 bytes/ { zero = 1 }
      /blocks read by the chain:/ { if (FILENAME == ARGV[1]) a = $NF; else b = $NF }
      END { if (!by || !zero || a == "" || a != b) {
        print "by=" by " zero=" zero " read=" a " read by the host scan=" b; exit 1 } }' \
    "$T/$1.ea" "$T/$1.eb"
}

i=0
fixtures="podman-none.tar real-attack.tar real-nginx.tar real-redis.tar
  real-python.tar real-sshd.tar real-hidden.tar containerd-real.tar
  podman-none-criu3.tar crio-none.tar criu-dir"
# under valgrind (tests/valgrind.sh) a sample: the real programs' memory
# is what the plain and sanitizer runs check in full
[ -z "${CKPT_UNDER_VALGRIND:-}" ] || fixtures="podman-none.tar real-redis.tar"
for f in $fixtures; do
  [ -e "$FX/$f" ] || continue
  i=$((i + 1))
  same "t$i" "$f" --format json triage
  shared "t$i"
done

# the heap's secrets (a slack token, a PEM key, a service-account JWT) come through yara's
# matches: the secrets plugin lists them from memory, redacted
same ys podman-none.tar --format json run yara,secrets
shared ys
check "ys: the heap's slack token, private key and JWT found in memory" \
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["checkpoints"][0]["plugins"]["secrets"]["tables"]["findings"]
kinds = {r["kind"] for r in f if "memory" in (r["sources"] or "")}
want = {"slack-token", "private-key", "kubernetes-service-account-token"}
assert want <= kinds, kinds
' "$T/ys.a"
check "ys: the slack token is redacted" \
  sh -c '! grep -q Zq8fK2mWc7TnR4vYpL1sXe9B "$1"' sh "$T/ys.a"
same ysr podman-none.tar --format json --reveal run yara,secrets
shared ysr
check "ysr: --reveal shows it" grep -q Zq8fK2mWc7TnR4vYpL1sXe9B "$T/ysr.a"

# fast mode finds fewer matches than the engine's own scan: not shared
same fast podman-none.tar --format json run yara,secrets --yara.fast
check "fast: the host scans for secrets itself" \
  sh -c '! grep -q "secrets found in" "$1" &&
    grep -q "secrets engine scanned [1-9]" "$1"' sh "$T/fast.ea"

# a user's rules file named as the engine's (namespace credentials): its
# hits keep their namespace, the engine's rules show no hit of theirs
same ns podman-none.tar --format json run yara,secrets \
  --yara.rules="$SRC/rules/credentials.yar"
shared ns
check "ns: yara's hits are the user's rules' (namespace credentials), none of the engine's" \
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["checkpoints"][0]["plugins"]["yara"]["tables"]
ns = {r["namespace"] for r in t["hits"]}
assert ns == {"credentials"}, ns
s = t["summary"] if isinstance(t["summary"], dict) else t["summary"][0]
assert s["rules"] == int(sys.argv[2]), s["rules"]
' "$T/ns.a" "$(grep -c '^rule ' "$SRC/rules/credentials.yar")"

# a sweep of three checkpoints at once: each its own shared scan
same sweep podman-none.tar --format json --threads 2 triage \
  "$FX/real-nginx.tar" "$FX/real-attack.tar"
check "sweep: three checkpoints, each found in yara's scan" \
  sh -c 'test "$(grep -c "secrets found in yara.s scan" "$1")" -eq 3' sh \
  "$T/sweep.ea"

# more matches in one process than a subscriber hands over
# (CKPT_SECRET_MATCHES_MAX: 250,000 Stripe test keys in one heap): yara hands
# none for it, the host scans it itself once, after the pass, and the
# redaction policy and the secrets plugin both take that scan (one walk
# more, not one each); the findings are the host's own scan's
if [ -z "${CKPT_UNDER_VALGRIND:-}" ]; then
  for chain in triage "run yara,secrets"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    same "tk$i" podman-tokens.tar.zst --format json $chain
    check "tk$i: $chain: over the cap, rescanned once by the host, one walk more" \
      awk '/secrets found in yara.s scan/ { by = 1 }
        /secrets engine rescanned 1 processes yara handed nothing for, [1-9]/ { re = 1 }
        /memory pass: .* subscribers, 1 processes, [0-9]+ blocks/ { if (FILENAME == ARGV[1]) pb = $(NF - 6) }
        /blocks read by the chain:/ { if (FILENAME == ARGV[1]) a = $NF; else b = $NF }
        END { if (!by || !re || pb == "" || a != 2 * pb || b != pb) {
          print "by=" by " rescanned=" re " pass blocks=" pb " read=" a " read by the host scan=" b; exit 1 } }' \
      "$T/tk$i.ea" "$T/tk$i.eb"
  done
  check "tk: the secrets plugin lists the 100 distinct keys from memory" \
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["checkpoints"][0]["plugins"]["secrets"]["tables"]["findings"]
keys = [r for r in f if r["kind"] == "stripe-key" and "memory" in (r["sources"] or "")]
assert len(keys) == 100, len(keys)
' "$T/tk$i.a"
fi

echo "1..$n"

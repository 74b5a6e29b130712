#!/bin/sh
# The host's sweep engine with several workers (host/sweep.h): over a
# mixed set of real fixtures and broken archives derived from them (one
# truncated, one without its pstree, one that is no archive at all), every
# sweeping command writes the same bytes on stdout and stderr with
# --threads 2 as with --threads 1, in the order of the targets, with the
# same exit status; the good checkpoints' results survive the bad ones;
# --threads and --set sweep.threads=N reach `ckpt run` too (it refused
# sweep.* settings before), and a bad count is a usage error; libyara is
# initialised on no worker thread (its call count is a plain int: an
# LD_PRELOAD probe, tests/plugins/yrinit-probe.c, built here with cc). TAP.
set -u
TAP_NAME=sweeps
. "$(dirname "$0")/tap.sh"
PROBE=$T/yrinit-probe.so
command -v cc >/dev/null &&
  cc -shared -fPIC -O1 -o "$PROBE" \
    "${CKPT_SOURCE_ROOT:?}/tests/plugins/yrinit-probe.c" -ldl 2>"$T/cc.err" ||
  PROBE=

echo "1..40"

# crafted from a real fixture: truncated in its members, missing pstree.img
head -c 60000 "$FX/podman-none.tar" > "$T/truncated.tar"
python3 - "$FX/podman-none.tar" "$T/no-pstree.tar" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1]) as src, tarfile.open(sys.argv[2], "w") as dst:
    for m in src.getmembers():
        if m.name != "checkpoint/pstree.img":
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
EOF
echo "not a checkpoint" > "$T/garbage.tar"
# a slow one first: with two workers the small ones after it finish first
set -- "$FX/real-python.tar" "$T/truncated.tar" "$FX/podman-none.tar" \
  "$FX/podman-zstd.tar.zst" "$T/garbage.tar" "$FX/real-redis.tar" \
  "$FX/crio-none.tar" "$T/no-pstree.tar" "$FX/podman-gzip.tar.gz" \
  "$FX/containerd-none.tar" "$FX/real-nginx.tar"

# same ARGS...: stdout, stderr and status of --threads 1 and --threads 2
same() {
  what=$1
  shift
  "$CKPT" --threads 1 "$@" > "$T/o1" 2> "$T/e1"
  r1=$?
  "$CKPT" --threads 2 "$@" > "$T/o2" 2> "$T/e2"
  r2=$?
  check "$what: stdout byte for byte" sh -c 'test -s "$1" && cmp "$1" "$2"' \
    sh "$T/o1" "$T/o2"
  check "$what: stderr line for line, in target order" cmp "$T/e1" "$T/e2"
  check "$what: exit status ($r1, $r2)" test "$r1" -eq "$r2" -a "$r1" -ne 0
}

# 1-27
same "show" show "$@"
same "inspect" inspect "$@"
same "inspect json" --format json inspect --all "$@"
same "run container jsonl" --format jsonl run container "$@"
same "triage" triage "$@"
same "triage json" --format json triage "$@"
same "yara" yara "$@"
same "secrets" secrets "$@"
same "memparse" memparse "$@"

# 28-30: the good results survive the bad inputs, in order, each bad one
# named with what is wrong
"$CKPT" --threads 2 --format json show "$@" > "$T/show.json" 2> "$T/show.err"
rc=$?
check "a bad input fails the sweep (exit 1)" test $rc -eq 1
check "every good checkpoint's row, in target order" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = [(c["path"], c["status"]) for c in d["checkpoints"]]
want = [(f, "error" if f.startswith(sys.argv[2]) else "ok")
        for f in sys.argv[3:]]
assert got == want, (got, want)
for c in d["checkpoints"]:
    if c["status"] == "ok":
        assert c["plugins"]["container"]["tables"]["show"], c["path"]
' "$T/show.json" "$T/" "$@"
check "each broken archive named on stderr" sh -c '
grep -q "truncated.tar: .*[Tt]runcated" "$1" &&
grep -q "garbage.tar: not a checkpoint" "$1" &&
grep -q "no-pstree.tar: .*pstree" "$1"' sh "$T/show.err"

# 31-33: exit status over good inputs only, and --set sweep.threads=N for
# ckpt run (refused before) giving the same bytes as one worker
G="$FX/podman-none.tar $FX/real-redis.tar $FX/crio-none.tar $FX/podman-zstd.tar.zst"
# shellcheck disable=SC2086
"$CKPT" --threads 2 show $G > /dev/null 2>&1
check "all good with two workers: exit 0" test $? -eq 0
# shellcheck disable=SC2086
"$CKPT" --set sweep.threads=2 run container $G > "$T/r2" 2> "$T/r2.err"
check "run --set sweep.threads=2 accepted (exit 0)" test $? -eq 0
# shellcheck disable=SC2086
"$CKPT" run container $G > "$T/r1" 2>&1
check "run --set sweep.threads=2: same bytes as one at a time" cmp "$T/r1" "$T/r2"

# 34-36: bad counts are usage errors naming the flag
"$CKPT" --threads many show "$FX/podman-none.tar" > /dev/null 2> "$T/bad.err"
rc=$?
check "--threads many: exit 2" test $rc -eq 2
check "--threads many: says why" grep -q "threads: 'many' is not a number" \
  "$T/bad.err"
"$CKPT" --set sweep.threads=-1 run container "$FX/podman-none.tar" \
  > /dev/null 2>&1
check "--set sweep.threads=-1: exit 2" test $? -eq 2

# 37-38: workers take the costliest first (a compressed archive before
# any plain tar, each kind by size, largest first), whatever the order
# given; what cannot be sniffed (garbage, directories) comes last in
# order; the output order stays the targets' (checked above)
"$CKPT" -v --threads 2 show "$@" > /dev/null 2> "$T/order.err"
grep '^ckpt: sweep: [0-9]*/[0-9]* taken: ' "$T/order.err" |
  sed 's/^.* taken: //' > "$T/order.got"
python3 - "$T/order.want" "$@" <<'EOF'
import os, sys
out, files = sys.argv[1], sys.argv[2:]
def rank(f):
    head = open(f, "rb").read(512)
    if head[:4] == b"\x28\xb5\x2f\xfd" or head[:2] == b"\x1f\x8b":
        return 0
    if len(head) >= 262 and head[257:262] == b"ustar":
        return 1
    return 2
key = lambda i: (rank(files[i]), 0 if rank(files[i]) == 2
                 else -os.path.getsize(files[i]), i)
open(out, "w").write("".join(files[i] + "\n"
                             for i in sorted(range(len(files)), key=key)))
EOF
check "every target taken once, costliest first" cmp "$T/order.want" \
  "$T/order.got"
"$CKPT" -v --threads 1 show "$@" > /dev/null 2> "$T/order1.err"
check "one worker takes them in the order given (no order line)" \
  sh -c '! grep -q "^ckpt: sweep: .* taken: " "$1"' sh "$T/order1.err"

# libyara's yr_initialize/yr_finalize only on the main thread, whatever
# the workers build (secrets engines of the plugin and of the redaction
# policy, yara rule sets); ASan must come first in the library list, so
# the probe cannot be preloaded into a sanitizer build
if [ -z "$PROBE" ] || ! command -v ldd >/dev/null ||
  ldd "$CKPT" 2>/dev/null | grep -q libasan; then
  n=$((n + 1)); echo "ok $n - # SKIP no libyara probe (no cc, or a sanitizer build)"
  n=$((n + 1)); echo "ok $n - # SKIP no libyara probe (no cc, or a sanitizer build)"
else
  LD_PRELOAD=$PROBE "$CKPT" --threads 2 secrets "$@" >/dev/null 2>"$T/yr.err"
  check "secrets --threads 2: libyara initialised on no worker thread" \
    sh -c '! grep yrinit-probe "$1"' sh "$T/yr.err"
  LD_PRELOAD=$PROBE "$CKPT" --threads 2 run triage "$@" >/dev/null \
    2>"$T/yr.err"
  check "run triage --threads 2: libyara initialised on no worker thread" \
    sh -c '! grep yrinit-probe "$1"' sh "$T/yr.err"
fi

#!/bin/sh
# bench/triage.sh - `ckpt triage` (every detector, the shipped yara rules,
# secrets, all in the host's one memory pass) against the yara tool with
# the shipped rules/*.yar alone over the extracted pages file, in one run.
# The target (issue 19): triage at most 1.3x yara. Also shown: triage with
# the pass off (CKPT_MEMPASS=0: each plugin reads memory for itself, as
# before the pass) and ckpt yara alone.
#
# The checkpoint is one process of 1 GiB of touched memory (bench/
# workload.c), a real Podman checkpoint (plain tar) made in the lab under
# names of this script's own (onepass-triage), unless one is given.
#
# Usage: sh bench/triage.sh [BUILD-DIR] [CHECKPOINT.tar]
#   REPEAT (default 3): each figure is the best of REPEAT wall-clock runs,
#   every file read once before timing (page cache).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
RIG=${RIG:-/var/tmp/ckpt-rig}
ONE=${2:-$RIG/work/onepass-triage/big.tar}
REPEAT=${REPEAT:-3}
CKPT=$BUILD/core/ckpt
RULES=$(ls "$ROOT"/rules/*.yar)
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench-triage-XXXXXX")
trap 'rm -rf "$T"' EXIT

[ -x "$CKPT" ] || { echo "no $CKPT; build first" >&2; exit 1; }
command -v yara >/dev/null || { echo "no yara tool" >&2; exit 1; }

make_checkpoint() {
  G=$RIG/work/onepass-triage
  [ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }
  rm -rf "$G"
  mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" \
    "$G/root/dev"
  gcc -static -O2 -o "$G/root/app/big" "$ROOT/bench/workload.c"
  cat > "$G/lab.sh" <<LAB
set -eu
cd /work/onepass-triage
CTR=onepass-triage
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f localhost/onepass-triage:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/onepass-triage:1 >/dev/null
podman run -d --name \$CTR --network none localhost/onepass-triage:1 /app/big -s 1073741824 >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 600 ] || exit 1; sleep 0.1; done
podman container checkpoint --compress=none --export=/work/onepass-triage/big.tar \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f localhost/onepass-triage:1 >/dev/null
rm -rf root root.tar
LAB
  "$RIG/enter" sh /work/onepass-triage/lab.sh 2>&1 |
    { grep -v 'no version information available' || true; }
}
[ -f "$ONE" ] || make_checkpoint

now() { date +%s.%N; }
# best CMD...: best wall time of REPEAT runs; exit status 0 or 1 only
best() {
  b=""
  for _ in $(seq "$REPEAT"); do
    s=$(now)
    rc=0; "$@" >/dev/null 2>"$T/err" || rc=$?
    e=$(now)
    [ $rc -le 1 ] || { echo "failed ($rc): $*" >&2; cat "$T/err" >&2; exit 1; }
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }
row() { printf '%-48s %8.2f s  %s\n' "$1" "$2" "${3:-}"; }

mkdir -p "$T/x"
tar -C "$T/x" -xf "$ONE" --wildcards 'checkpoint/pages-*.img'
P=$(ls -S "$T"/x/checkpoint/pages-*.img | head -1)
cat "$ONE" "$P" > /dev/null
echo "cores: $(nproc)   rules: $(echo "$RULES" | wc -l) files from rules/   best of $REPEAT"
echo "one process, $(du -h "$P" | cut -f1) of pages: $ONE"
# shellcheck disable=SC2086
y=$(best yara -w $RULES "$P")
tr=$(best "$CKPT" triage "$ONE")
t0=$(best env CKPT_MEMPASS=0 "$CKPT" triage "$ONE")
ya=$(best "$CKPT" yara --no-progress "$ONE")
row "yara tool, shipped rules, pages file alone" "$y"
row "ckpt triage (one memory pass)" "$tr" "ratio $(ratio "$tr" "$y") (target <= 1.3)"
row "ckpt triage, CKPT_MEMPASS=0 (a walk a plugin)" "$t0" "ratio $(ratio "$t0" "$y")"
row "ckpt yara alone" "$ya" "ratio $(ratio "$ya" "$y")"
"$CKPT" --verbose triage "$ONE" 2>&1 >/dev/null | grep -E 'memory pass|redaction' | head -4

#!/bin/sh
# bench/triage.sh - `ckpt triage` (every detector, the shipped yara rules,
# secrets, all in the host's one memory pass) against the yara tool with
# the shipped rules/*.yar alone over the extracted pages file, in one run.
# The target (issue 19): triage at most 1.3x yara. Also shown: triage with
# the pass off (CKPT_MEMPASS=0: each plugin reads memory for itself, as
# before the pass), with the secrets engine scanning memory on its own
# (CKPT_SECRETS_SHARE=0: two libyara scans, as before SDK 3.9) and ckpt
# yara alone.
#
# The checkpoint is one process of 1 GiB of touched memory (bench/
# workload.c), a real Podman checkpoint (plain tar) made in the lab under
# names of this script's own (onepass-triage), unless one is given.
#
# Usage: sh bench/triage.sh [BUILD-DIR] [CHECKPOINT.tar]
#   BASE: another build directory (e.g. of an older commit) whose triage
#   and yara are timed in the same rounds, with their ratios.
#   REPEAT (default 3): each figure is the best of REPEAT rounds (each
#   round runs every command once, in turn), wall-clock and CPU seconds,
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

# rounds CMD-LINE...: each argument a shell command line; REPEAT rounds,
# each running every command once in turn (so that the machine's load
# drifts over all of them alike); prints per command "WALL CPU", the best
# wall time and the best CPU (user+system of the children) seconds; exit
# status of a command must be 0 or 1
rounds() {
  python3 - "$REPEAT" "$@" <<'PY'
import resource, subprocess, sys, time
runs = int(sys.argv[1]); cmds = sys.argv[2:]
wall = [None] * len(cmds); cpu = [None] * len(cmds)
for _ in range(runs):
    for i, c in enumerate(cmds):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        rc = subprocess.run(c, shell=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
        t = time.monotonic() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if rc not in (0, 1):
            sys.exit(f"failed ({rc}): {c}")
        u = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        wall[i] = t if wall[i] is None else min(wall[i], t)
        cpu[i] = u if cpu[i] is None else min(cpu[i], u)
for w, u in zip(wall, cpu):
    print(f"{w:.3f} {u:.3f}")
PY
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }
row() { printf '%-46s %7.2f s %7.2f s  %s\n' "$1" "$2" "$3" "${4:-}"; }

mkdir -p "$T/x"
tar -C "$T/x" -xf "$ONE" --wildcards 'checkpoint/pages-*.img'
P=$(ls -S "$T"/x/checkpoint/pages-*.img | head -1)
cat "$ONE" "$P" > /dev/null
echo "cores: $(nproc)   rules: $(echo "$RULES" | wc -l) files from rules/   best of $REPEAT"
echo "one process, $(du -h "$P" | cut -f1) of pages: $ONE"
rounds "yara -w $(echo $RULES) '$P'" "'$CKPT' triage '$ONE'" \
  "env CKPT_MEMPASS=0 '$CKPT' triage '$ONE'" \
  "'$CKPT' yara --no-progress '$ONE'" \
  "env CKPT_SECRETS_SHARE=0 '$CKPT' triage '$ONE'" \
  ${BASE:+"'$BASE/core/ckpt' triage '$ONE'" \
    "'$BASE/core/ckpt' yara --no-progress '$ONE'"} >"$T/times"
# shellcheck disable=SC2046
set -- $(cat "$T/times")
echo "(wall and CPU seconds, best of $REPEAT rounds; ratios to the yara tool's)"
row "yara tool, shipped rules, pages file alone" "$1" "$2"
row "ckpt triage (one memory pass)" "$3" "$4" \
  "ratio $(ratio "$3" "$1") wall, $(ratio "$4" "$2") CPU (target <= 1.3)"
row "ckpt triage, CKPT_MEMPASS=0 (a walk a plugin)" "$5" "$6" \
  "ratio $(ratio "$5" "$1") wall, $(ratio "$6" "$2") CPU"
row "ckpt yara alone" "$7" "$8" "ratio $(ratio "$7" "$1") wall, $(ratio "$8" "$2") CPU"
row "ckpt triage, CKPT_SECRETS_SHARE=0 (two scans)" "$9" "${10}" \
  "ratio $(ratio "$9" "$1") wall, $(ratio "${10}" "$2") CPU"
if [ -n "${BASE:-}" ]; then
  row "base triage ($BASE)" "${11}" "${12}" \
    "ratio $(ratio "${11}" "$1") wall, $(ratio "${12}" "$2") CPU"
  row "base yara alone" "${13}" "${14}" \
    "ratio $(ratio "${13}" "$1") wall, $(ratio "${14}" "$2") CPU"
fi
"$CKPT" --verbose triage "$ONE" 2>&1 >/dev/null | grep -E 'memory pass|redaction' | head -5

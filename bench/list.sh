#!/bin/sh
# ckpt list against checkpointctl list, side by side in one run, over one
# directory of kubelet-named checkpoints (copies of the real Podman fixture
# tests/fixtures/podman-none.tar, plain tar as the kubelet writes them),
# in the lab's /work so checkpointctl reads the same files. ckpt runs on
# the host, checkpointctl inside the lab; each command runs once untimed
# (page cache), then REPEAT times, and the median wall and CPU times are
# kept. ckpt's rows come from the list plugin (plugins/list, a directory
# run): this measures the walk, the metadata opens and the plugin.
#
# Usage: sh bench/list.sh [BUILDDIR] [RIGDIR] [COUNT] [REPEAT]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build}")
RIG=${2:-/var/tmp/ckpt-rig}
COUNT=${3:-200}
REPEAT=${4:-7}
CKPT=$BUILD/core/ckpt
[ -x "$CKPT" ] || { echo "no $CKPT: meson setup $BUILD && ninja -C $BUILD" >&2; exit 1; }
D=$RIG/work/list-bench
if [ "$(ls "$D" 2>/dev/null | wc -l)" -ne "$COUNT" ]; then
  rm -rf "$D" && mkdir -p "$D"
  i=0
  while [ $i -lt $COUNT ]; do
    cp "$ROOT/tests/fixtures/podman-none.tar" \
      "$D/checkpoint-web-${i}_default-app-2024-05-06T07:08:09Z.tar"
    i=$((i + 1))
  done
fi
cat "$D"/* > /dev/null

py='
import resource, statistics, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
walls, cpus = [], []
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append(time.monotonic() - t)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
print("%.4f %.4f %d" % (statistics.median(walls), statistics.median(cpus), r.returncode))
'
rows_ckpt=$("$CKPT" list "$D" | tail -n +3 | wc -l)
rows_ctl=$("$RIG/enter" checkpointctl list /work/list-bench 2>/dev/null | grep -c 'checkpoint-web' || true)
set -- $(python3 -c "$py" "$REPEAT" "$CKPT" list "$D")
ck_wall=$1 ck_cpu=$2 ck_rc=$3
set -- $("$RIG/enter" python3 -c "$py" "$REPEAT" checkpointctl list /work/list-bench 2>/dev/null | tail -1)
ctl_wall=$1 ctl_cpu=$2 ctl_rc=$3
printf '%-22s %8s %8s %6s %5s\n' tool "wall s" "cpu s" rows exit
printf '%-22s %8.4f %8.4f %6s %5s\n' "ckpt list" "$ck_wall" "$ck_cpu" "$rows_ckpt" "$ck_rc"
printf '%-22s %8.4f %8.4f %6s %5s\n' "checkpointctl list" "$ctl_wall" "$ctl_cpu" "$rows_ctl" "$ctl_rc"
awk -v a="$ctl_wall" -v b="$ck_wall" -v c="$ctl_cpu" -v d="$ck_cpu" -v n="$COUNT" \
  'BEGIN { printf "checkpoints %d; checkpointctl / ckpt: wall %.1fx, cpu %.1fx\n", n, a / b, (d > 0 ? c / d : 0) }'

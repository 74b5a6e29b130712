#!/bin/sh
# Makes the many-processes checkpoint: a real Podman checkpoint of one
# container whose init (bench/workload.c) forks PROCS-1 children, each
# holding 8 bytes of its own (one page), then all sleep. Exported zstd
# (Podman's default) and as a plain tar.
#
# Usage: sh bench/make-procs.sh [RIGDIR] [PROCS]
#   output: RIGDIR/work/bench-procs/procs-PROCS.tar.zst and .tar,
#   seen in the lab as /work/bench-procs/...
# Needs gcc with static glibc and the lab (../shared/rig/setup.sh).
# tests/fixtures/podman-procs.tar.zst is this script's 400-process output.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RIG=${1:-/var/tmp/ckpt-rig}
PROCS=${2:-400}
G=$RIG/work/bench-procs
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

mkdir -p "$G"
rm -rf "$G/root"
mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -Os -s -o "$G/root/app/procs" "$HERE/workload.c"

cat > "$G/lab.sh" <<LAB
set -eu
cd /work/bench-procs
CTR=procs-bench-$PROCS
IMG=localhost/procs-bench:1
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f \$IMG >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar \$IMG >/dev/null
podman run -d --name \$CTR --network none \$IMG /app/procs -p $PROCS -s 8 >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 600 ] || exit 1; sleep 0.1; done
podman container checkpoint --leave-running --export=/work/bench-procs/procs-$PROCS.tar.zst \$CTR >/dev/null
podman container checkpoint --compress=none --export=/work/bench-procs/procs-$PROCS.tar \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f \$IMG >/dev/null
rm -rf root root.tar
LAB
"$RIG/enter" sh /work/bench-procs/lab.sh 2>&1 | grep -v 'no version information available' || true
[ -f "$G/procs-$PROCS.tar.zst" ] || { echo "lab run failed: no procs-$PROCS.tar.zst" >&2; exit 1; }
ls -l "$G/procs-$PROCS.tar.zst" "$G/procs-$PROCS.tar"

#!/bin/sh
# Makes the memory part of bench/sweeps.sh its checkpoints: real Podman
# checkpoints of bench/workload.c holding SIZE bytes of touched anonymous
# memory, one per size, exported as plain tar (read in place) and as zstd
# (decompressed through the spool).
#
# Usage: sh bench/sweeps-make.sh [RIGDIR] [SIZE...]
#   default sizes: 16 MiB, 256 MiB and 1 GiB;
#   output: RIGDIR/work/sweeps-mem/mem-SIZE.tar and mem-SIZE.tar.zst
# Needs gcc with static glibc and the lab (../shared/rig/setup.sh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RIG=${1:-/var/tmp/ckpt-rig}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 16777216 268435456 1073741824
G=$RIG/work/sweeps-mem
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -O2 -o "$G/root/app/big" "$HERE/workload.c"
for SIZE in "$@"; do
  cat > "$G/lab.sh" <<LAB
set -eu
cd /work/sweeps-mem
CTR=sweeps-mem-$SIZE
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f localhost/sweeps-mem:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/sweeps-mem:1 >/dev/null
podman run -d --name \$CTR --network none localhost/sweeps-mem:1 /app/big -s $SIZE >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 600 ] || exit 1; sleep 0.1; done
podman container checkpoint --leave-running --compress=none --export=/work/sweeps-mem/mem-$SIZE.tar \$CTR >/dev/null
podman container checkpoint --compress=zstd --export=/work/sweeps-mem/mem-$SIZE.tar.zst \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f localhost/sweeps-mem:1 >/dev/null
rm -f root.tar
LAB
  "$RIG/enter" sh /work/sweeps-mem/lab.sh 2>&1 | grep -v 'no version information available' || true
done
rm -rf "$G/root"
ls -l "$G"

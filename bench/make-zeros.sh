#!/bin/sh
# Makes the zero-page benchmark's checkpoint: a real Podman checkpoint, in
# Podman's default (zstd) export, of tests/fixtures/zeros.c holding SIZE MiB
# of written zero pages (default 2048) next to its marker text.
#
# Usage: sh bench/make-zeros.sh [RIGDIR] [MIB]
#   output: RIGDIR/work/bench-zeros/zeros.tar.zst
# Needs gcc with static glibc and the lab (../shared/rig/setup.sh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RIG=${1:-/var/tmp/ckpt-rig}
MIB=${2:-2048}
G=$RIG/work/bench-zeros
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

rm -rf "$G"
mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -O1 -o "$G/root/app/zeros" "$ROOT/tests/fixtures/zeros.c"

cat > "$G/lab.sh" <<LAB
set -eu
cd /work/bench-zeros
CTR=bench-zeros
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f localhost/bench-zeros:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/bench-zeros:1 >/dev/null
podman run -d --name \$CTR --network none localhost/bench-zeros:1 /app/zeros $MIB >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 600 ] || exit 1; sleep 0.1; done
podman container checkpoint --export=/work/bench-zeros/zeros.tar.zst \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f localhost/bench-zeros:1 >/dev/null
rm -rf root root.tar
LAB
"$RIG/enter" sh /work/bench-zeros/lab.sh 2>&1 | grep -v 'no version information available' || true
ls -l "$G"

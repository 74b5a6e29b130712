#!/bin/sh
# Makes the yara benchmark's two-process checkpoint: a real Podman
# checkpoint (plain tar) of a container with N processes of SIZE bytes of
# touched memory each (default 2 x 512 MiB). The one-process 1 GiB
# checkpoint comes from bench/make-big.sh.
#
# Usage: sh bench/yara-make.sh [RIGDIR] [N] [SIZE]
#   output: RIGDIR/work/yara-bench/two.tar
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RIG=${1:-/var/tmp/ckpt-rig}
N=${2:-2}
SIZE=${3:-536870912}
G=$RIG/work/yara-bench
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

rm -rf "$G"
mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -O2 -o "$G/root/app/w" "$HERE/workload.c"
cat > "$G/lab.sh" <<LAB
set -eu
cd /work/yara-bench
CTR=yara-bench-two
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f localhost/yara-bench:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/yara-bench:1 >/dev/null
podman run -d --name \$CTR --network none localhost/yara-bench:1 /app/w -p $N -s $SIZE >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 900 ] || exit 1; sleep 0.1; done
podman container checkpoint --compress=none --export=/work/yara-bench/two.tar \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f localhost/yara-bench:1 >/dev/null
rm -rf root root.tar
LAB
"$RIG/enter" sh /work/yara-bench/lab.sh 2>&1 | { grep -v "no version information available" || true; }
ls -l "$G"

#!/bin/sh
# Makes the open benchmark's checkpoint: a real Podman checkpoint of a
# container holding 1 GiB of touched anonymous memory, exported as a plain
# tar, plus a CRIU 3.x-form copy (pagemaps rewritten) when the fixtures'
# rewriter (tests/fixtures/fixture_tools.py) is there.
#
# Usage: sh bench/make-big.sh [RIGDIR] [SIZE]
#   output: RIGDIR/work/bench-big/big.tar (and big-criu3.tar),
#   seen in the lab as /work/bench-big/...
# Needs gcc with static glibc and the lab (../shared/rig/setup.sh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RIG=${1:-/var/tmp/ckpt-rig}
SIZE=${2:-1073741824}
G=$RIG/work/bench-big
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

rm -rf "$G"
mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -O2 -o "$G/root/app/big" "$HERE/workload.c"
TOOLS=$ROOT/tests/fixtures/fixture_tools.py
[ -f "$TOOLS" ] && cp "$TOOLS" "$G/"

cat > "$G/lab.sh" <<LAB
set -eu
cd /work/bench-big
CTR=bench-big
podman rm -f -t 0 \$CTR >/dev/null 2>&1 || true
podman rmi -f localhost/bench-big:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/bench-big:1 >/dev/null
podman run -d --name \$CTR --network none localhost/bench-big:1 /app/big -s $SIZE >/dev/null
PID=\$(podman inspect -f '{{.State.Pid}}' \$CTR)
i=0; until [ -f /proc/\$PID/root/ready ]; do i=\$((i+1)); [ \$i -lt 600 ] || exit 1; sleep 0.1; done
podman container checkpoint --compress=none --export=/work/bench-big/big.tar \$CTR >/dev/null
podman rm -f -t 0 \$CTR >/dev/null
podman rmi -f localhost/bench-big:1 >/dev/null
if [ -f fixture_tools.py ]; then
    rm -rf c3 && mkdir -p c3/x && tar -C c3/x -xf big.tar
    for f in c3/x/checkpoint/pagemap-*.img; do
        crit decode -i \$f -o \$f.json
        python3 fixture_tools.py pagemap-criu3 \$f.json \$f.json3
        crit encode -i \$f.json3 -o \$f
        rm \$f.json \$f.json3
    done
    python3 fixture_tools.py repack big.tar big-criu3.tar c3/x
    rm -rf c3
fi
rm -rf root root.tar
LAB
"$RIG/enter" sh /work/bench-big/lab.sh 2>&1 | grep -v 'no version information available'
ls -l "$G"

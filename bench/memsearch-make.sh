#!/bin/sh
# Makes the memory search benchmark's checkpoints: real Podman checkpoints
# (plain tar) of a container holding SIZE bytes of touched anonymous memory
# (bench/memsearch-workload.c), each with a CRIU 3.x-form copy (pagemaps
# rewritten as tests/fixtures/make-fixtures.sh does) for checkpointctl.
#
# Usage: sh bench/memsearch-make.sh [RIGDIR] [SIZE...]
#   default sizes: 1G 64M 256M; output RIGDIR/work/memsearch-bench/
#   mem-SIZE.tar and mem-SIZE-criu3.tar (in the lab: /work/memsearch-bench)
# Needs gcc with static glibc and the lab (../shared/rig/setup.sh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RIG=${1:-/var/tmp/ckpt-rig}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 1G 64M 256M
G=$RIG/work/memsearch-bench
[ -x "$RIG/enter" ] || { echo "no lab at $RIG" >&2; exit 1; }

mkdir -p "$G/root/app" "$G/root/tmp" "$G/root/proc" "$G/root/sys" "$G/root/dev"
gcc -static -O2 -o "$G/root/app/mem" "$HERE/memsearch-workload.c"
cp "$ROOT/tests/fixtures/fixture_tools.py" "$G/"

bytes() {
  case $1 in
  *G) echo $((${1%G} << 30)) ;;
  *M) echo $((${1%M} << 20)) ;;
  *) echo "$1" ;;
  esac
}

cat > "$G/lab.sh" <<'LAB'
set -eu
cd /work/memsearch-bench
NAME=$1 SIZE=$2
CTR=memory-bench
podman rm -f -t 0 $CTR >/dev/null 2>&1 || true
podman rmi -f localhost/memory-bench:1 >/dev/null 2>&1 || true
tar -C root -cf root.tar .
podman import -q root.tar localhost/memory-bench:1 >/dev/null
podman run -d --name $CTR --network none localhost/memory-bench:1 /app/mem $SIZE >/dev/null
PID=$(podman inspect -f '{{.State.Pid}}' $CTR)
i=0; until [ -f /proc/$PID/root/ready ]; do i=$((i+1)); [ $i -lt 1200 ] || exit 1; sleep 0.1; done
podman container checkpoint --compress=none --export=$NAME.tar $CTR >/dev/null
podman rm -f -t 0 $CTR >/dev/null
podman rmi -f localhost/memory-bench:1 >/dev/null
rm -rf c3 && mkdir -p c3/x && tar -C c3/x -xf $NAME.tar
for f in c3/x/checkpoint/pagemap-*.img; do
    crit decode -i $f -o $f.json
    python3 fixture_tools.py pagemap-criu3 $f.json $f.json3
    crit encode -i $f.json3 -o $f
    rm $f.json $f.json3
done
python3 fixture_tools.py repack $NAME.tar $NAME-criu3.tar c3/x
rm -rf c3 root.tar
LAB

for s in "$@"; do
  name=mem-$(echo "$s" | tr 'GM' 'gm')
  "$RIG/enter" sh /work/memsearch-bench/lab.sh "$name" "$(bytes "$s")" 2>&1 |
    grep -v 'no version information available'
done
rm -rf "$G/root"
ls -l "$G"

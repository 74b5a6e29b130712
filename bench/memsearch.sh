#!/bin/sh
# Memory benchmark: ckpt memparse against checkpointctl memparse, side by
# side in one run, on the checkpoints bench/memsearch-make.sh makes.
#
#   literal search  --search NEEDLE over 1 GiB of process memory
#   regex search    --search-regex over the same
#   hexdump         --pid 1 --output (the full hexdump) at two sizes, to
#                   show how each grows with the memory's size; written to
#                   /dev/null so the disk's writeback does not blur it
#
# checkpointctl 1.3.0 reads only CRIU 3.x pagemaps, so it is timed on the
# -criu3 copies; ckpt is timed on both forms. The checkpoints are read once
# first so they are in the page cache; with REPEAT > 1 every command also
# runs once untimed, then REPEAT times, and the best wall time is kept. The
# ceiling is `cat FILE >/dev/null` on the same file.
#
# Usage: sh bench/memsearch.sh [BUILDDIR] [RIGDIR] [REPEAT]
#   BUILDDIR  a built meson build dir (default build-bench)
#   RIGDIR    the lab (default /var/tmp/ckpt-rig); checkpoints are made
#             there by bench/memsearch-make.sh when missing
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build-bench}")
RIG=${2:-/var/tmp/ckpt-rig}
REPEAT=${3:-2}
CKPT=$BUILD/core/ckpt
G=$RIG/work/memsearch-bench
[ -x "$CKPT" ] || { echo "no $CKPT: meson setup $BUILD && ninja -C $BUILD" >&2; exit 1; }

for s in 1g 64m 256m; do
  [ -f "$G/mem-$s.tar" ] && [ -f "$G/mem-$s-criu3.tar" ] ||
    sh "$HERE/memsearch-make.sh" "$RIG" "$(echo $s | tr 'gm' 'GM')"
done
cat "$G"/mem-*.tar > /dev/null
OUT=$(mktemp -d "${TMPDIR:-/tmp}/memsearch-bench-XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# timed WHERE NAME CMD...: WHERE is host or lab; prints the wall and CPU
# seconds of the best of REPEAT warm runs and keeps them in $OUT/NAME and
# $OUT/NAME.cpu (CPU time is steadier on a busy machine)
timed() {
  where=$1 name=$2; shift 2
  py='
import resource, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
if n > 1:  # one warm-up run; with n == 1 the caller warmed the cache
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
best = None
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = time.monotonic() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    if best is None or w < best[0]:
        best = (w, cpu)
print("%.3f %.3f %d" % (best[0], best[1], r.returncode))
'
  if [ "$where" = lab ]; then
    res=$("$RIG/enter" python3 -c "$py" "$REPEAT" "$@" 2>/dev/null | tail -1)
  else
    res=$(python3 -c "$py" "$REPEAT" "$@")
  fi
  set -- $res
  echo "$1" > "$OUT/$name"
  echo "$2" > "$OUT/$name.cpu"
  printf '%-34s %8.3f s wall %8.3f s cpu  (exit %s)\n' "$name" "$1" "$2" "$3"
}
gbps() { awk -v b="$1" -v s="$(cat "$OUT/$2")" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
ratio() { awk -v a="$(cat "$OUT/$1")" -v b="$(cat "$OUT/$2")" 'BEGIN { printf "%.1fx", a / b }'; }

BIG=$G/mem-1g.tar
BIG3=$G/mem-1g-criu3.tar
LBIG3=/work/memsearch-bench/mem-1g-criu3.tar
SIZE=$(stat -c %s "$BIG")
NEEDLE=CKPT-BENCH-NEEDLE
RE='CKPT-BENCH-NEEDLE-[0-9]+'

echo "# machine: $(nproc) cpus, $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo)"
echo "# checkpoint: $BIG ($SIZE bytes) and its CRIU 3.x-form copy"
echo "## ceiling"
timed host cat-1g cat "$BIG"
echo "## literal search, 1 GiB"
timed host ckpt-search-1g "$CKPT" memparse "$BIG" --search "$NEEDLE"
timed host ckpt-search-1g-criu3 "$CKPT" memparse "$BIG3" --search "$NEEDLE"
timed lab checkpointctl-search-1g-criu3 checkpointctl memparse "$LBIG3" --pid 1 --search "$NEEDLE"
echo "## regex search, 1 GiB"
timed host ckpt-regex-1g "$CKPT" memparse "$BIG" --search-regex "$RE"
timed host ckpt-regex-1g-criu3 "$CKPT" memparse "$BIG3" --search-regex "$RE"
timed lab checkpointctl-regex-1g-criu3 checkpointctl memparse "$LBIG3" --pid 1 --search-regex "$RE"
echo "## hexdump to a file (--pid 1 --output), 64 MiB and 256 MiB"
for s in 64m 256m; do
  timed host ckpt-hexdump-$s "$CKPT" memparse "$G/mem-$s-criu3.tar" --pid 1 --force --output /dev/null
  timed lab checkpointctl-hexdump-$s checkpointctl memparse "/work/memsearch-bench/mem-$s-criu3.tar" --pid 1 --output /dev/null
done
echo "## hexdump as table rows (--pid 1, folded, to stdout), 64 MiB and 256 MiB"
for s in 64m 256m; do
  timed host ckpt-hexrows-$s "$CKPT" memparse "$G/mem-$s-criu3.tar" --pid 1
done

echo "## summary"
echo "cat ceiling:              $(gbps "$SIZE" cat-1g) GB/s"
echo "ckpt literal search:      $(gbps "$SIZE" ckpt-search-1g) GB/s; checkpointctl $(gbps "$SIZE" checkpointctl-search-1g-criu3) GB/s; ckpt is $(ratio checkpointctl-search-1g-criu3 ckpt-search-1g-criu3) faster (target >= 20x)"
echo "ckpt regex search:        $(gbps "$SIZE" ckpt-regex-1g) GB/s; checkpointctl $(gbps "$SIZE" checkpointctl-regex-1g-criu3) GB/s; ckpt is $(ratio checkpointctl-regex-1g-criu3 ckpt-regex-1g-criu3) faster (target >= 10x)"
echo "hexdump 256M/64M wall:    ckpt $(ratio ckpt-hexdump-256m ckpt-hexdump-64m), checkpointctl $(ratio checkpointctl-hexdump-256m checkpointctl-hexdump-64m) (linear: 4x, quadratic: 16x)"
echo "hexdump 256M/64M cpu:     ckpt $(ratio ckpt-hexdump-256m.cpu ckpt-hexdump-64m.cpu), checkpointctl $(ratio checkpointctl-hexdump-256m.cpu checkpointctl-hexdump-64m.cpu)"
echo "hexdump rows 256M/64M:    ckpt $(ratio ckpt-hexrows-256m ckpt-hexrows-64m) wall, $(ratio ckpt-hexrows-256m.cpu ckpt-hexrows-64m.cpu) cpu"

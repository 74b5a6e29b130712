#!/bin/sh
# Many-processes benchmark: `ckpt inspect` against `checkpointctl inspect`
# (in the lab, same run) on the real 400-process checkpoint of
# bench/make-procs.sh and on 2,500- and 10,000-process ones crafted from it
# (tests/fixtures/craft-procs.py), the 400 one both zstd (Podman's
# default) and plain tar (kubelet's), in three shapes: the default view,
# --ps-tree and --format json. Wall time best of N (default 3) for each
# tool; prints both, their ratio and ckpt's cost per process.
#
# Usage: sh bench/procs.sh [BUILDDIR] [RIGDIR] [N]
#   BUILDDIR  a built meson build dir (default build)
#   RIGDIR    the lab (default /var/tmp/ckpt-rig); the checkpoints are made
#             under RIGDIR/work/bench-procs if missing
# The target (issue 19): ckpt at least 30x faster at 400 processes.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build}")
RIG=${2:-/var/tmp/ckpt-rig}
N=${3:-3}
CKPT=$BUILD/core/ckpt
D=$RIG/work/bench-procs
[ -x "$CKPT" ] || { echo "no $CKPT: meson setup $BUILD && ninja -C $BUILD" >&2; exit 1; }
[ -f "$D/procs-400.tar.zst" ] || sh "$HERE/make-procs.sh" "$RIG" 400 >/dev/null
cp "$HERE/best-of.py" "$D/"
for t in 2500 10000; do
  [ -f "$D/procs-$t.tar" ] ||
    python3 "$ROOT/tests/fixtures/craft-procs.py" "$D/procs-400.tar.zst" "$D/procs-$t.tar" $t >/dev/null
done

printf '%-8s %-16s %10s %14s %8s %12s\n' procs view ckpt_s checkpointctl_s ratio ckpt_us/proc
for f in ${PROCS_FILES:-procs-400.tar.zst procs-400.tar procs-2500.tar procs-10000.tar}; do
  procs=$(echo "$f" | sed 's/procs-\([0-9]*\).*/\1/')
  for view in default --ps-tree json; do
    case $view in default) a="" ;; json) a="--format json" ;; *) a=$view ;; esac
    # shellcheck disable=SC2086
    ck=$(python3 "$HERE/best-of.py" "$N" "$CKPT" inspect $a "$D/$f")
    # shellcheck disable=SC2086
    cc=$("$RIG/enter" python3 /work/bench-procs/best-of.py "$N" checkpointctl inspect $a "/work/bench-procs/$f" 2>&1 |
         grep -v 'no version information' | tail -1)
    awk -v p="$procs" -v v="$view" -v a="$ck" -v b="$cc" 'BEGIN {
      r = (a > 0 && b + 0 > 0) ? sprintf("%.1fx", b / a) : "-";
      printf "%-8d %-16s %10.4f %14s %8s %12.1f\n", p, v, a, b, r, a * 1e6 / p }'
  done
done

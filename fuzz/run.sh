#!/bin/sh
# fuzz/run.sh SECONDS [HARNESS...] - runs each libFuzzer harness for
# SECONDS (all of them at once, one process each), seeded from the real
# fixtures, and prints executions and crashes per harness.
#
# Build first:  CC=clang meson setup build-fuzz -Dfuzzing=true
#               ninja -C build-fuzz
# Environment:  CKPT_FUZZ_BUILD  build dir (default: build-fuzz; fuzz-rules
#                                is campaigned in a -Dfuzzing_asan=false
#                                build, see README.md)
#               CKPT_FUZZ_WORK   corpora, crashes, logs
#                                (default: ${TMPDIR:-/tmp}/ckpt-fuzz)
#               CKPT_FUZZ_ARGS   extra libFuzzer flags
# A crash lands in WORK/crashes/HARNESS/; turn it into a regression input
# under tests/hostile/regressions/HARNESS/ once fixed (see README.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${1:?usage: run.sh SECONDS [HARNESS...]}
shift
[ $# -gt 0 ] || set -- image archive model meta rules diff
build=${CKPT_FUZZ_BUILD:-$root/build-fuzz}
work=${CKPT_FUZZ_WORK:-${TMPDIR:-/tmp}/ckpt-fuzz}
mkdir -p "$work/seeds" "$work/spool"
[ -d "$work/seeds/rules" ] || python3 "$here/seed-corpus.py" "$work/seeds"

pids=
for h in "$@"; do
  exe=$build/fuzz/fuzz-$h
  [ -x "$exe" ] || { echo "run.sh: $exe not built (-Dfuzzing=true)" >&2; exit 2; }
  mkdir -p "$work/corpus/$h" "$work/crashes/$h"
  # Regression inputs are seeds too: what once crashed is a good start.
  # TMPDIR: the archive loader's spool, kept off the real disk.
  # GLIBC_TUNABLES: in a build without ASan (-Dfuzzing_asan=false), keep
  # libyara's big per-input buffers in the heap instead of mapping and
  # faulting them in afresh each time (5x for fuzz-rules); ASan ignores it.
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 \
    TMPDIR=$work/spool "$exe" -max_total_time="$secs" -timeout=20 \
    -rss_limit_mb=2560 -malloc_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/$h/" ${CKPT_FUZZ_ARGS:-} \
    "$work/corpus/$h" "$work/seeds/$h" "$root/tests/hostile/regressions/$h" \
    >"$work/$h.log" 2>&1 &
  pids="$pids $!"
done
status=0
for p in $pids; do wait "$p" || status=1; done

for h in "$@"; do
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log" |
    tail -n 1)
  crashes=$(find "$work/crashes/$h" -type f | wc -l)
  printf '%-8s executions=%s crashes=%s corpus=%s log=%s\n' "$h" \
    "${execs:-?}" "$crashes" "$(ls "$work/corpus/$h" | wc -l)" "$work/$h.log"
done
exit $status

#!/bin/sh
# bench/yara.sh - ckpt yara against the yara tool, side by side, with the
# same rules (the shipped rules/*.yar) in one run.
#
#  1. one process of 1 GiB (bench/make-big.sh): ckpt's whole run (open the
#     archive, build the model, compile, scan, render) against `yara`
#     scanning the already-extracted pages file alone; the target is a ratio
#     of at most 1.0.
#  2. two processes of 512 MiB (bench/yara-make.sh): ckpt with one thread
#     and with two, against `yara` over both pages files; two threads should
#     take clearly less than one core's time.
#
# Usage: sh bench/yara.sh [BUILD-DIR] [ONE.tar] [TWO.tar]
# Files are read once before timing so that every run reads from the page
# cache; each figure is the best of REPEAT (default 3) wall-clock runs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
ONE=${2:-/var/tmp/ckpt-rig/work/bench-big/big.tar}
TWO=${3:-/var/tmp/ckpt-rig/work/yara-bench/two.tar}
REPEAT=${REPEAT:-3}
CKPT=$BUILD/core/ckpt
RULES=$(ls "$ROOT"/rules/*.yar)
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench-yara-XXXXXX")
trap 'rm -rf "$T"' EXIT

[ -x "$CKPT" ] || { echo "no $CKPT; build first" >&2; exit 1; }
command -v yara >/dev/null || { echo "no yara tool" >&2; exit 1; }

now() { date +%s.%N; }
# best NAME CMD...: best wall time of REPEAT runs; exit status 0 or 1 only
best() {
  b=""
  for _ in $(seq "$REPEAT"); do
    s=$(now)
    rc=0; "$@" >/dev/null 2>"$T/err" || rc=$?
    e=$(now)
    [ $rc -le 1 ] || { echo "failed ($rc): $*" >&2; cat "$T/err" >&2; exit 1; }
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
# pages files of a checkpoint, largest first, extracted into DIR
extract_pages() {
  mkdir -p "$2"
  tar -C "$2" -xf "$1" --wildcards 'checkpoint/pages-*.img'
  ls -S "$2"/checkpoint/pages-*.img
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }
row() { printf '%-52s %8.2f s  %s\n' "$1" "$2" "${3:-}"; }

echo "cores: $(nproc)   rules: $(echo "$RULES" | wc -l) files from rules/   best of $REPEAT"
echo

if [ -f "$ONE" ]; then
  P=$(extract_pages "$ONE" "$T/one" | head -1)
  cat "$ONE" "$P" > /dev/null
  echo "1. one process, $(du -h "$P" | cut -f1) of pages: $ONE"
  # shellcheck disable=SC2086
  y=$(best yara -w -p 1 $RULES "$P")
  c1=$(best "$CKPT" yara --no-progress --threads 1 "$ONE")
  c=$(best "$CKPT" yara --no-progress "$ONE")
  row "yara tool, one thread, pages file alone" "$y"
  row "ckpt yara --threads 1, whole run from the archive" "$c1" "ratio $(ratio "$c1" "$y") (target <= 1.0)"
  row "ckpt yara (threads: the cores)" "$c" "ratio $(ratio "$c" "$y")"
  echo
else
  echo "1. skipped: no $ONE (sh bench/make-big.sh)"
fi

if [ -f "$TWO" ]; then
  extract_pages "$TWO" "$T/two" | head -2 > "$T/two.list"
  mkdir -p "$T/two-pages"
  while read -r f; do ln -s "$f" "$T/two-pages/"; done < "$T/two.list"
  cat "$TWO" $(cat "$T/two.list") > /dev/null
  echo "2. two processes: $TWO"
  # shellcheck disable=SC2086
  y1=$(best sh -c "for f in \$(cat '$T/two.list'); do yara -w -p 1 $(echo $RULES) \$f; done")
  # shellcheck disable=SC2086
  y2=$(best yara -w -p 2 -r $RULES "$T/two-pages")
  c1=$(best "$CKPT" yara --no-progress --threads 1 "$TWO")
  c2=$(best "$CKPT" yara --no-progress --threads 2 "$TWO")
  row "yara tool, both pages files, one thread" "$y1"
  row "yara tool, both pages files, -p 2" "$y2"
  row "ckpt yara --threads 1" "$c1" "ratio $(ratio "$c1" "$y1") to yara, one thread"
  row "ckpt yara --threads 2" "$c2" "$(ratio "$c2" "$c1") of ckpt's one-core time (target clearly < 1)"
else
  echo "2. skipped: no $TWO (sh bench/yara-make.sh)"
fi

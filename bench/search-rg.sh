#!/bin/sh
# Search benchmark against ripgrep (issue 19): ckpt memparse's literal,
# regex and hex searches over one process's 1 GiB against `rg -a` over the
# same process's pages extracted to a file (ckpt memparse --pid 1 --output
# --raw), side by side in one run. ckpt is timed with --threads 1 and with
# its default (one thread per core); rg is left to its own threads (one
# file: one search thread). The searches go through the whole checkpoint
# (open, model, custody hash, search, hit rows); rg only through the bytes
# (and, as a second reference, through the checkpoint's tar).
#
# Every command runs once untimed, then REPEAT times; the best wall time is
# kept, and ratios are rg's time over ckpt's (above 1: ckpt is faster).
# The target is 2.5x for the literal search.
#
# Usage: sh bench/search-rg.sh [BUILDDIR] [RIGDIR] [REPEAT] [CHECKPOINT]
#   BUILDDIR    a built meson build dir (default build-bench)
#   RIGDIR      the lab (default /var/tmp/ckpt-rig)
#   CHECKPOINT  default RIGDIR/work/memsearch-bench/mem-1g.tar, made by
#               bench/memsearch-make.sh when missing
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build-bench}")
RIG=${2:-/var/tmp/ckpt-rig}
REPEAT=${3:-3}
BIG=${4:-$RIG/work/memsearch-bench/mem-1g.tar}
CKPT=$BUILD/core/ckpt
[ -x "$CKPT" ] || { echo "no $CKPT: meson setup $BUILD && ninja -C $BUILD" >&2; exit 1; }
command -v rg >/dev/null || { echo "no rg: apt-get install ripgrep" >&2; exit 1; }
[ -f "$BIG" ] || sh "$HERE/memsearch-make.sh" "$RIG" 1G

OUT=$(mktemp -d "${TMPDIR:-/tmp}/search-rg-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
PAGES=$OUT/pages.raw
"$CKPT" memparse "$BIG" --pid 1 --output "$PAGES" --raw > /dev/null
# Both files' page cache is dropped and read back the same way: a file
# just written (the extracted pages) and one read through readahead hold
# folios of different sizes, and how many pages a fault maps (and so the
# kernel's share of a search's time) differs by 2x between them.
python3 - "$BIG" "$PAGES" <<'PY'
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd) if os.access(path, os.W_OK) else None
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
cat "$BIG" "$PAGES" > /dev/null

NEEDLE=CKPT-BENCH-NEEDLE
RE='CKPT-BENCH-NEEDLE-[0-9]+'
HEX=$(printf %s "$NEEDLE" | od -An -tx1 | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
RGHEX=$(printf '\\x%s' $HEX)

# timed NAME CMD...: best wall seconds of REPEAT runs into $OUT/NAME
timed() {
  name=$1; shift
  res=$(python3 -c '
import subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
best = None
for _ in range(n):
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = time.monotonic() - t
    best = w if best is None or w < best else best
print("%.3f %d" % (best, r.returncode))
' "$REPEAT" "$@")
  set -- $res
  echo "$1" > "$OUT/$name"
  printf '%-24s %8.3f s  (exit %s)\n' "$name" "$1" "$2"
}
ratio() { awk -v a="$(cat "$OUT/$1")" -v b="$(cat "$OUT/$2")" 'BEGIN { printf "%.2fx", a / b }'; }

echo "# machine: $(nproc) cpus; checkpoint $BIG"
echo "# pages of pid 1: $(stat -c %s "$PAGES") bytes; rg $(rg --version | sed -n 1p)"
# the same hits both ways (rg counts lines: compare on ckpt's rows)
echo "# hits: ckpt $("$CKPT" memparse "$BIG" --search "$NEEDLE" --max-hits 0 --format jsonl | grep -c '"table":"hits"'), rg $(rg -a -F -o "$NEEDLE" "$PAGES" | wc -l)"
# --reveal: no redaction -- the search alone; the default output is timed
# too (the redaction policy scans each hit's window with the secrets
# engine; before, it ran the engine's yara scan over all of memory)
timed rg-literal rg -a -F -c "$NEEDLE" "$PAGES"
timed ckpt-literal-t1 "$CKPT" memparse "$BIG" --reveal --search "$NEEDLE" --threads 1
timed ckpt-literal "$CKPT" memparse "$BIG" --reveal --search "$NEEDLE"
timed ckpt-literal-redact "$CKPT" memparse "$BIG" --search "$NEEDLE"
timed rg-regex rg -a -c "$RE" "$PAGES"
timed ckpt-regex-t1 "$CKPT" memparse "$BIG" --reveal --search-regex "$RE" --threads 1
timed ckpt-regex "$CKPT" memparse "$BIG" --reveal --search-regex "$RE"
timed ckpt-regex-redact "$CKPT" memparse "$BIG" --search-regex "$RE"
timed rg-hex rg -a -c "$RGHEX" "$PAGES"
timed ckpt-hex-t1 "$CKPT" memparse "$BIG" --reveal --search-hex "$HEX" --threads 1
timed ckpt-hex "$CKPT" memparse "$BIG" --reveal --search-hex "$HEX"
timed ckpt-hex-redact "$CKPT" memparse "$BIG" --search-hex "$HEX"
timed rg-literal-tar rg -a -F -c "$NEEDLE" "$BIG"
echo "## rg time / ckpt time (above 1: ckpt faster; literal target 2.5x)"
for k in literal regex hex; do
  echo "$k: $(ratio rg-$k ckpt-$k) (threads 1: $(ratio rg-$k ckpt-$k-t1))"
done
echo "redacting output: literal $(ratio rg-literal ckpt-literal-redact), regex $(ratio rg-regex ckpt-regex-redact), hex $(ratio rg-hex ckpt-hex-redact)"
echo "literal, rg over the checkpoint tar itself: $(ratio rg-literal-tar ckpt-literal)"

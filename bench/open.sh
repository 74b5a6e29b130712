#!/bin/sh
# Open benchmark: times ckpt_checkpoint_open() on one checkpoint and, in the
# same run, `checkpointctl inspect --ps-tree` on the same file inside the
# lab, and prints both with their ratio.
#
# Usage: sh bench/open.sh CHECKPOINT [BUILDDIR] [RIGDIR]
#   CHECKPOINT  must lie under RIGDIR/work (the lab sees it at /work/...)
#   BUILDDIR    a configured and built meson build dir (default build-bench)
#   RIGDIR      the lab (default /var/tmp/ckpt-rig)
# bench-open is compiled here against BUILDDIR's layer libraries (model
# and below); no meson target is needed.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CKPT=$(realpath "$1")
BUILD=$(realpath "${2:-$ROOT/build-bench}")
RIG=${3:-/var/tmp/ckpt-rig}

# the layers below the host, each a static library (core/meson.build),
# highest first so that the linker resolves downwards
LIBS="core/libckpt-model.a core/libckpt-secrets-detect.a core/libckpt-archive.a
core/libckpt-criu.a core/libckpt-util.a proto/libckptproto.a"
for l in $LIBS; do
    [ -f "$BUILD/$l" ] || {
        echo "no $BUILD/$l: meson setup $BUILD && ninja -C $BUILD" >&2
        exit 1; }
done
BIN=$BUILD/bench-open
# shellcheck disable=SC2046 # word splitting of the lists is wanted
cc -O2 -std=gnu11 -o "$BIN" "$HERE/bench-open.c" -I"$ROOT/core" \
    -I"$ROOT/sdk" -I"$BUILD/core" -I"$BUILD/proto" \
    $(for l in $LIBS; do printf '%s ' "$BUILD/$l"; done) \
    $(pkg-config --cflags --libs glib-2.0 gio-2.0 json-glib-1.0 libarchive \
        libprotobuf-c yara libcrypto) \
    -lm -ldl -lpthread

# Cold and warm are not told apart: run twice and keep the second, so both
# tools read the file from the page cache.
"$BIN" "$CKPT" >/dev/null
OUT=$("$BIN" "$CKPT")
echo "$OUT" | sed 's/^/ckpt /'

case $CKPT in
"$RIG"/work/*) INLAB=/work/${CKPT#"$RIG"/work/} ;;
*) echo "checkpointctl skipped: $CKPT is not under $RIG/work" >&2; exit 0 ;;
esac
# Timed inside the lab so that entering it is not counted; peak RSS of the
# child from getrusage.
CC_OUT=$("$RIG/enter" python3 -c '
import resource, subprocess, sys, time
f = sys.argv[1]
subprocess.run(["checkpointctl", "inspect", "--ps-tree", f], stdout=subprocess.DEVNULL)
t = time.monotonic()
r = subprocess.run(["checkpointctl", "inspect", "--ps-tree", f], stdout=subprocess.DEVNULL)
w = time.monotonic() - t
print("wall_s %.3f" % w)
print("exit %d" % r.returncode)
print("maxrss_kb %d" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
' "$INLAB" 2>&1 | grep -v 'no version information')
echo "$CC_OUT" | sed 's/^/checkpointctl /'

CK=$(echo "$OUT" | awk '$1 == "wall_s" {print $2}')
CC=$(echo "$CC_OUT" | awk '$1 == "wall_s" {print $2}')
awk -v a="$CK" -v b="$CC" 'BEGIN { if (a > 0) printf "ratio checkpointctl/ckpt wall %.1fx\n", b / a }'

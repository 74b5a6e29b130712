#!/bin/sh
# Opening a compressed archive against decompressing it (issue 19): times
# `ckpt show`, `ckpt inspect` and `ckpt inspect --format json` of a 1 GiB
# zstd Podman checkpoint and, in the same run, `zstd -dc FILE >/dev/null`
# and `sha256sum FILE`, best of N each, and prints the ratios. The target
# is show and inspect at most 1.25x zstd -dc.
#
# Usage: sh bench/show-zstd.sh [BUILDDIR] [TAR] [N]
#   BUILDDIR  a release build (default build-bench: meson setup build-bench
#             --buildtype=release && ninja -C build-bench)
#   TAR       a plain-tar Podman checkpoint (default the lab's
#             /var/tmp/ckpt-rig/work/bench-big/big.tar, made with
#             bench/make-big.sh when missing); compressed here with zstd -3
#             into bench/out/ once
#   N         runs of each command (default 5)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build-bench}")
RIG=/var/tmp/ckpt-rig
TAR=${2:-$RIG/work/bench-big/big.tar}
N=${3:-5}
CKPT=$BUILD/core/ckpt
[ -x "$CKPT" ] || { echo "no $CKPT: build $BUILD first" >&2; exit 1; }
[ -f "$TAR" ] || sh "$HERE/make-big.sh" "$RIG"
OUT=$HERE/out
mkdir -p "$OUT"
ZST=$OUT/$(basename "$TAR").zst
[ "$ZST" -nt "$TAR" ] || zstd -q -f -3 -T1 "$TAR" -o "$ZST"
echo "file $ZST ($(stat -c %s "$ZST") bytes, $(stat -c %s "$TAR") decompressed)"
# warm the page cache: every tool reads the file from memory
cat "$ZST" >/dev/null

# best wall time and best CPU time (user + system) of N runs of a
# command, in seconds: "WALL CPU". CPU time is the steadier figure on a
# machine shared with other work.
best() {
    python3 - "$N" "$@" <<'PY'
import os, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
wall = cpu = None
for _ in range(n):
    t = time.monotonic()
    c0 = os.times()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    c1 = os.times()
    w = time.monotonic() - t
    c = (c1.children_user - c0.children_user) + \
        (c1.children_system - c0.children_system)
    if r.returncode != 0:
        sys.exit("%s: exit %d" % (" ".join(cmd), r.returncode))
    wall = w if wall is None else min(wall, w)
    cpu = c if cpu is None else min(cpu, c)
print("%.3f %.3f" % (wall, cpu))
PY
}
Z=$(best zstd -dc "$ZST")
H=$(best sha256sum "$ZST")
S=$(best "$CKPT" show "$ZST")
I=$(best "$CKPT" inspect "$ZST")
J=$(best "$CKPT" inspect --format json "$ZST")
M=$(best "$CKPT" run memory "$ZST")
echo "$Z|$H|$S|$I|$J|$M" | awk -F'|' '
function line(name, f,   a) {
    split(f, a, " ")
    printf "%-28s wall %7.3f s %5.2fx   cpu %7.3f s %5.2fx\n", name, a[1],
        a[1] / zw, a[2], a[2] / zc
}
{
    split($1, z, " "); zw = z[1]; zc = z[2]
    print "ratios against zstd -dc of the same file, best of runs"
    line("zstd -dc", $1)
    line("sha256sum", $2)
    line("ckpt show", $3)
    line("ckpt inspect", $4)
    line("ckpt inspect --format json", $5)
    line("ckpt run memory (spools)", $6)
}'

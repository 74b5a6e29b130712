#!/bin/sh
# One command on a fresh machine: install what ckpt needs, build it, and run
# the whole test suite (TAP through meson test).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build
meson test -C build --print-errorlogs "$@"

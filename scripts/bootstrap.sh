#!/bin/sh
# One command on a fresh machine: install what ckpt needs, build it, and run
# the main job (inspect everything) on a bundled real Podman checkpoint.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build
./build/core/ckpt show tests/fixtures/podman-zstd.tar.zst
./build/core/ckpt inspect --all tests/fixtures/podman-zstd.tar.zst

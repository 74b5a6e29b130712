#!/bin/sh
# Remakes tests/golden/out/ from the ckpt of a build. Run it only when a
# change of output is meant, and say which in the commit.
# usage: tests/golden/update.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
export CKPT_FIXTURES="$src/tests/fixtures" CKPT_SOURCE_ROOT="$src" \
  CKPT_BUILD_ROOT="$build" LC_ALL=C.UTF-8 TZ=UTC
rm -rf "$here/out"
mkdir -p "$here/out"
sh "$here/cases.sh" | while IFS="$(printf '\t')" read -r slug args; do
  sh "$here/run-case.sh" "$build/core/ckpt" "$args" >"$here/out/$slug.txt"
done
ls "$here/out" | wc -l

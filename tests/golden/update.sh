#!/bin/sh
# Remakes tests/golden/out/ from the ckpt of a build. Run it only when a
# change of output is meant, and say which in the commit.
# usage: tests/golden/update.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-golden-XXXXXX")
trap 'rm -rf "$stage"' EXIT
sh "$here/stage.sh" "$src/tests/fixtures" "$stage"
export CKPT_FIXTURES="$stage" CKPT_SOURCE_ROOT="$src" \
  CKPT_BUILD_ROOT="$build" LC_ALL=C.UTF-8 TZ=UTC
rm -rf "$here/out"
mkdir -p "$here/out"
sh "$here/cases.sh" | while IFS="$(printf '\t')" read -r slug args; do
  sh "$here/run-case.sh" "$build/core/ckpt" "$args" >"$here/out/$slug.txt"
done
ls "$here/out" | wc -l

#!/bin/sh
# build-steps.sh - the build stays small (issue 12): a clean build of the
# default configuration has at most CKPT_MAX_STEPS (260) build steps, and
# every protobuf file of proto/ is generated once and compiled once.
# Counted from ninja's own view of the build: `ninja -t commands` prints one
# line for every real (non-phony) edge the default targets need, each once;
# a clean `ninja` runs exactly those. TAP; env from tests/meson.build
# (CKPT_NINJA, CKPT_FUZZING).
set -u
TAP_NAME=build-steps
. "$(dirname "$0")/tap.sh"
max=${CKPT_MAX_STEPS:-260}
b=${CKPT_BUILD_ROOT:?}
ninja=${CKPT_NINJA:-ninja}
if [ ! -f "$b/build.ninja" ]; then
  echo "1..0 # SKIP no build.ninja in $b"
  exit 0
fi
if [ "${CKPT_FUZZING:-0}" = 1 ]; then
  echo "1..0 # SKIP -Dfuzzing=true adds the fuzzers' edges"
  exit 0
fi
if ! "$ninja" -C "$b" -t commands >"$T/cmds" 2>"$T/err"; then
  nok "ninja -t commands runs"
  sed 's/^/# /' "$T/err"
  echo "1..$n"
  exit 1
fi
ok "ninja -t commands runs"
steps=$(wc -l <"$T/cmds")
# a command is one line; a line that is not one (an empty one) would
# make the count lie
check "every listed step is a command" sh -c '! grep -q "^[[:space:]]*$" "$1"' \
  - "$T/cmds"
if [ "$steps" -gt 0 ] && [ "$steps" -le "$max" ]; then
  ok "$steps build steps (at most $max)"
else
  nok "$steps build steps (at most $max)"
fi
# protobuf: each .proto in one protoc-c run (one run writes them all) and
# compiled once
for p in "$CKPT_SOURCE_ROOT"/proto/*.proto; do
  name=$(basename "$p" .proto)
  gen=$(grep -- "--c_out=" "$T/cmds" | grep -c -- " [^ ]*/$name\.proto\( \|\$\)")
  cc=$(grep -c -- " -c [^ ]*/$name\.pb-c\.c\$" "$T/cmds")
  if [ "$gen" -eq 1 ] && [ "$cc" -eq 1 ]; then
    ok "$name.proto generated once, compiled once"
  else
    nok "$name.proto generated $gen times, compiled $cc times"
  fi
done
echo "1..$n"

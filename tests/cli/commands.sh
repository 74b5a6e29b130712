#!/bin/sh
# commands.sh - every command a CLI file defines (const CkptCliCommand
# ckpt_cmd_NAME) is declared in cli.h and listed in the table of
# core/cli/commands.c, so none is left out of ckpt's help and dispatch.
# TAP; env from tests/meson.build.
set -u
SRC=${CKPT_SOURCE_ROOT:?}/core/cli
n=0 failed=0
for name in $(sed -n 's/^const CkptCliCommand \(ckpt_cmd_[a-z_]*\) = {.*/\1/p' \
  "$SRC"/cli-*.c); do
  n=$((n + 1))
  if grep -q "&$name\b" "$SRC/commands.c" && grep -q "\b$name\b" "$SRC/cli.h"; then
    echo "ok $n - $name is declared and in the table"
  else
    failed=1
    echo "not ok $n - $name is missing from cli.h or commands.c's table"
  fi
done
n=$((n + 1))
if grep -n "CKPT_CLI_COMMAND(" "$SRC"/cli-*.c >/dev/null; then
  failed=1
  echo "not ok $n - a CLI file still registers itself with CKPT_CLI_COMMAND"
else
  echo "ok $n - no CLI file registers itself"
fi
echo "1..$n"
exit $failed

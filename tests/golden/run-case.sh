#!/bin/sh
# Runs one golden case: ckpt ARGS from tests/fixtures, printing stdout,
# stderr and the exit status, with the build and source paths replaced by
# @BUILD@ and @SRC@ so that the output does not depend on the checkout.
# ARGS is one string, split on blanks, never globbed.
# usage: run-case.sh CKPT ARGS
set -f
ckpt=$1
cd "${CKPT_FIXTURES:?}" || exit 2
out=$(mktemp) err=$(mktemp)
# shellcheck disable=SC2086
"$ckpt" $2 >"$out" 2>"$err" </dev/null
rc=$?
# elapsed times (the yara summary's seconds) are the only other
# run-to-run difference
norm() {
  sed -e "s#${CKPT_BUILD_ROOT:?}#@BUILD@#g" -e "s#${CKPT_SOURCE_ROOT:?}#@SRC@#g" \
    -e 's/"seconds":[0-9.e+-]*/"seconds":@T@/g' \
    -e 's/seconds: [0-9.e+-]*/seconds: @T@/g' "$1"
}
echo "\$ ckpt $2"
norm "$out"
echo "--- stderr"
norm "$err"
echo "--- exit $rc"
rm -f "$out" "$err"

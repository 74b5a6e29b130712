#!/bin/sh
# Golden outputs (tests/golden): every case of cases.txt gives the same
# stdout, stderr and exit status as its file in tests/golden/out/, byte for
# byte. A change of output that is meant is made with
# tests/golden/update.sh and named in its commit.
# Under valgrind (tests/valgrind.sh) about half the cases run, chosen by
# the parity of their slug's cksum so that every fixture and every command
# keeps some, to keep CI's valgrind stage in its time; the plain and
# sanitizer runs check every case.
TAP_NAME=golden
. "$(dirname "$0")/tap.sh"
G=${CKPT_SOURCE_ROOT:?}/tests/golden
export LC_ALL=C.UTF-8 TZ=UTC
mkdir "$T/fx"
sh "$G/stage.sh" "$FX" "$T/fx"
export CKPT_FIXTURES="$T/fx"
sh "$G/cases.sh" >"$T/cases"
echo "1..$(wc -l <"$T/cases")"
tab=$(printf '\t')
while IFS="$tab" read -r slug args; do
  if [ -n "${CKPT_UNDER_VALGRIND:-}" ] &&
    [ $(($(printf '%s' "$slug" | cksum | cut -d' ' -f1) % 2)) -eq 1 ]; then
    n=$((n + 1))
    echo "ok $n - $args # SKIP half the cases under valgrind"
    continue
  fi
  sh "$G/run-case.sh" "$CKPT" "$args" >"$T/got" 2>&1
  if cmp -s "$T/got" "$G/out/$slug.txt"; then
    ok "$args"
  else
    nok "$args"
    diff -u "$G/out/$slug.txt" "$T/got" | head -20 | sed 's/^/# /'
  fi
done <"$T/cases"

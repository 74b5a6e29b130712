#!/bin/sh
# tests/valgrind.sh [--quick] [BUILD] - the test suite under valgrind
# (memcheck: invalid reads and writes, uses of uninitialised values,
# definite leaks), with a plain (non-ASan) build.
#
#   full (default): every test of the suite; GLib test binaries and the
#                   fuzz replays run under valgrind, CLI scripts run every
#                   ckpt they start under valgrind (valgrind-wrap.sh)
#   --quick:        the subset CI runs: the unit and hostile suites' test
#                   binaries, and ckpt over each fixture with the default
#                   chains, in process and with --isolate
# Tests see CKPT_UNDER_VALGRIND=1 and take samples where a full run would
# cost many minutes: golden runs about half its cases (by slug), memscan
# fewer thread counts and one regex, cli-procs one CPU reading of each size.
# BUILD defaults to ./build (configured and built if missing). Prints the
# time taken. Exit status: 0 clean, 1 a test failed or valgrind reported.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = "--quick" ] && { quick=1; shift; }
build=${1:-$root/build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
command -v valgrind >/dev/null || { echo "valgrind.sh: no valgrind" >&2; exit 1; }
[ -d "$build" ] || meson setup "$build" "$root" >/dev/null || exit 1
ninja -C "$build" >"$build/valgrind-ninja.log" 2>&1 ||
  { tail -n 20 "$build/valgrind-ninja.log" >&2; exit 1; }

start=$(date +%s)
export G_SLICE=always-malloc G_DEBUG=gc-friendly
# PCRE2's JIT code is opaque to valgrind (see plugins/memory/search.c), and
# valgrind's own heap makes memory high-water marks meaningless
export CKPT_NO_JIT=1 CKPT_UNDER_VALGRIND=1
vgopts="--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
vgopts="$vgopts --show-leak-kinds=definite -q"
status=0

if [ $quick -eq 0 ]; then
  CKPT_HOSTILE_TIMEOUT=900 meson test -C "$build" --no-rebuild \
    --print-errorlogs --timeout-multiplier 20 \
    --wrap="$root/tests/valgrind-wrap.sh" || status=1
else
  names=$(meson introspect --tests "$build" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    s = [x.split(":")[-1] for x in t["suite"]]
    if ("unit" in s or "hostile" in s) and \
            open(t["cmd"][0], "rb").read(4) == b"\x7fELF":
        print(t["name"])')
  # shellcheck disable=SC2086
  meson test -C "$build" --no-rebuild --print-errorlogs \
    --timeout-multiplier 20 --wrap="$root/tests/valgrind-wrap.sh" \
    $names || status=1
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-vg-XXXXXX")
  n=0
  for fx in "$root"/tests/fixtures/*.tar "$root"/tests/fixtures/*.tar.* \
    "$root"/tests/fixtures/criu-dir; do
    for iso in "" --isolate; do
      n=$((n + 1))
      if valgrind $vgopts "$build/core/ckpt" $iso run triage \
        --format json "$fx" >"$scratch/out" 2>"$scratch/err" &&
        ! grep -q '^==[0-9]*==' "$scratch/err"; then
        echo "ok $n - ckpt $iso run triage $(basename "$fx")"
      else
        echo "not ok $n - ckpt $iso run triage $(basename "$fx")"
        sed 's/^/#   /' "$scratch/err" | head -n 30
        status=1
      fi
    done
  done
  rm -rf "$scratch"
fi
echo "valgrind.sh: $(( $(date +%s) - start )) s, status $status"
exit $status

#!/bin/sh
# What the redaction policy costs (core/host/redact.h): the same command
# with and without --reveal, best of N runs, on the real fixtures. `run
# pstree` reads no memory: only the strings' secret set is computed;
# `memparse --search` reads memory: the set with each process's dumped
# memory scanned (the secrets engine's rules, compiled once) is computed.
# usage: bench/redact.sh [BUILD_DIR] [N]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
ckpt=${1:-$src/build}/core/ckpt
n=${2:-5}
best() { # best wall seconds of n runs of "$@"
  b=""
  for _ in $(seq "$n"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t=$(( $(date +%s%N) - t0 ))
    [ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
  done
  echo "$b"
}
printf '%-16s %-28s %10s %10s %10s\n' fixture command reveal default cost
for f in "$src"/tests/fixtures/real-*.tar; do
  for cmd in "run pstree" "memparse --search zq9zq9zq9"; do
    # shellcheck disable=SC2086
    r=$(best "$ckpt" --reveal $cmd "$f")
    # shellcheck disable=SC2086
    d=$(best "$ckpt" $cmd "$f")
    printf '%-16s %-28s %8.1fms %8.1fms %8.1fms\n' "$(basename "$f")" "$cmd" \
      "$(echo "$r / 1000000" | bc -l)" "$(echo "$d / 1000000" | bc -l)" \
      "$(echo "($d - $r) / 1000000" | bc -l)"
  done
done

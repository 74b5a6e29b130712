#!/bin/sh
# Zero-page benchmark (issue 19): a zstd checkpoint mapping GiBs of zero
# pages (bench/make-zeros.sh) searched, yara-scanned, secrets-scanned and
# hexdumped by ckpt, against `zstd -dc` of the same file to /dev/null, in
# the same run. Prints each wall time (best of RUNS) and its ratio to zstd
# (target for search: at most 1.5). A second ckpt (OLD, e.g. a build of
# main) is timed alongside when given.
#
# Usage: sh bench/zeros.sh [CHECKPOINT] [CKPT] [OLD-CKPT] [RUNS]
#   CHECKPOINT  default /var/tmp/ckpt-rig/work/bench-zeros/zeros.tar.zst
#   CKPT        default build/core/ckpt
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
Z=${1:-/var/tmp/ckpt-rig/work/bench-zeros/zeros.tar.zst}
CKPT=${2:-$ROOT/build/core/ckpt}
OLD=${3:-}
RUNS=${4:-3}
[ -f "$Z" ] || { echo "no $Z: sh bench/make-zeros.sh" >&2; exit 1; }
RULES=$(mktemp "${TMPDIR:-/tmp}/ckpt-zeros-XXXXXX.yar")
trap 'rm -f "$RULES"' EXIT
echo 'rule zmark { strings: $a = "CKPT-MARKER-ZEROS" condition: $a }' > "$RULES"

# best wall time of RUNS runs of "$@", output discarded (exit 1: hits)
best() {
  python3 - "$RUNS" "$@" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
best = None
for _ in range(runs):
    t = time.monotonic()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    t = time.monotonic() - t
    if rc not in (0, 1):
        sys.exit(f"{cmd}: exit {rc}")
    best = t if best is None else min(best, t)
print(f"{best:.3f}")
PY
}

echo "checkpoint: $Z ($(stat -c %s "$Z") bytes packed)"
"$CKPT" memparse --search CKPT-MARKER-ZEROS "$Z" | tail -n +3 | head -5
Ref=$(best zstd -dc "$Z")
echo "zstd -dc > /dev/null                     $Ref s"
ratio() { python3 -c "print(f'{$1 / $Ref:.2f}x')"; }
for bin in "$CKPT" $OLD; do
  [ "$bin" = "$CKPT" ] && tag=ckpt || tag=old
  s=$(best "$bin" memparse --search CKPT-MARKER-ZEROS "$Z")
  r=$(best "$bin" memparse --search-regex 'CKPT-MARKER-[A-Z]+' "$Z")
  y=$(best "$bin" yara --threads 1 --no-progress --rules "$RULES" "$Z")
  x=$(best "$bin" secrets "$Z")
  h=$(best "$bin" memparse --pid 1 "$Z")
  printf '%-4s memparse --search (literal)       %s s  %s\n' $tag "$s" "$(ratio "$s")"
  printf '%-4s memparse --search-regex           %s s  %s\n' $tag "$r" "$(ratio "$r")"
  printf '%-4s yara --threads 1                  %s s  %s\n' $tag "$y" "$(ratio "$y")"
  printf '%-4s secrets                           %s s  %s\n' $tag "$x" "$(ratio "$x")"
  printf '%-4s memparse --pid 1 (hexdump)        %s s  %s\n' $tag "$h" "$(ratio "$h")"
done

#!/bin/sh
# Scale benchmark: how open (`show`), `inspect`, search (`memparse
# --search` of a needle that is absent, so every page is read) and `triage`
# grow with memory size, process count and archive count, with the cost
# per unit printed so that linearity shows (a flat column is linear), and
# where the time goes: with perf installed, a `perf report` top 5
# (self time, by shared object and symbol) of each command at each
# series' largest point.
#
# Usage: sh bench/scale.sh [BUILDDIR] [RIGDIR] [N]
#   BUILDDIR  a built meson build dir (default build)
#   RIGDIR    the lab (default /var/tmp/ckpt-rig)
#   N         best of N wall times (default 3)
# Environment (space-separated lists):
#   SCALE_MEM    memory sizes in MiB (default "64 256 1024"; add 4096 for
#                4 GiB: bench/make-big.sh writes a 4 GiB tar, minutes)
#   SCALE_PROCS  process counts (default "1 10 100 400 2500 10000"; up to
#                400 real, from bench/make-procs.sh, above crafted from the
#                400 one by tests/fixtures/craft-procs.py)
#   SCALE_ARCH   archive counts (default "1 10 100 1000": hard links to
#                the real 1-process checkpoint in one directory)
#   SCALE_SERIES which series to run (default "mem procs arch")
# Checkpoints are made once under RIGDIR/work/bench-scale and kept.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(realpath "${1:-$ROOT/build}")
RIG=${2:-/var/tmp/ckpt-rig}
N=${3:-3}
CKPT=$BUILD/core/ckpt
S=$RIG/work/bench-scale
MEM=${SCALE_MEM:-64 256 1024}
PROCS=${SCALE_PROCS:-1 10 100 400 2500 10000}
ARCH=${SCALE_ARCH:-1 10 100 1000}
SERIES=${SCALE_SERIES:-mem procs arch}
[ -x "$CKPT" ] || { echo "no $CKPT: meson setup $BUILD && ninja -C $BUILD" >&2; exit 1; }
mkdir -p "$S"
PERF=$(command -v perf || true)

# ---- the checkpoints -------------------------------------------------------
mem_ckpt() { # MiB -> path
  f=$S/mem-$1.tar
  if [ ! -f "$f" ]; then
    sh "$HERE/make-big.sh" "$RIG" $(($1 * 1048576)) >/dev/null
    mv "$RIG/work/bench-big/big.tar" "$f"
  fi
  echo "$f"
}
procs_ckpt() { # count -> path
  if [ "$1" -le 400 ]; then
    f=$S/procs-$1.tar.zst
    if [ ! -f "$f" ]; then
      sh "$HERE/make-procs.sh" "$RIG" "$1" >/dev/null
      mv "$RIG/work/bench-procs/procs-$1.tar.zst" "$f"
      rm -f "$RIG/work/bench-procs/procs-$1.tar"
    fi
  else
    f=$S/procs-$1.tar
    [ -f "$f" ] || python3 "$ROOT/tests/fixtures/craft-procs.py" \
      "$(procs_ckpt 400)" "$f" "$1" >/dev/null
  fi
  echo "$f"
}
arch_dir() { # count -> directory of that many archives
  d=$S/arch-$1
  one=$(procs_ckpt 1)
  if [ ! -d "$d" ] || [ "$(ls "$d" | wc -l)" -ne "$1" ]; then
    rm -rf "$d" && mkdir -p "$d"
    i=0
    while [ $i -lt "$1" ]; do ln -f "$one" "$d/c$i.tar.zst"; i=$((i + 1)); done
  fi
  echo "$d"
}

# ---- timing ----------------------------------------------------------------
cmd_of() { # OP -> ckpt arguments before the target
  case $1 in
  open) echo "show" ;;
  inspect) echo "inspect" ;;
  search) echo "memparse --search CKPT-SCALE-ABSENT-NEEDLE" ;;
  triage) echo "triage" ;;
  esac
}
top5() { # SERIES OP TARGET
  [ -n "$PERF" ] || return 0
  data=$S/perf-$1-$2.data
  # shellcheck disable=SC2046
  "$PERF" record -q -o "$data" -- "$CKPT" $(cmd_of "$2") "$3" >/dev/null 2>&1 || true
  [ -s "$data" ] || return 0
  echo "  perf top 5, $1 series, $2 at its largest point ($(basename "$3")), by object:"
  "$PERF" report -i "$data" --no-children --stdio --sort dso 2>/dev/null |
    grep -E '^ +[0-9.]+%' | head -5 | sed 's/^ */    /' | tr '\n' ';'
  echo
  echo "  and by symbol (stripped libraries show addresses):"
  "$PERF" report -i "$data" --no-children --stdio --sort dso,sym 2>/dev/null |
    grep -E '^ +[0-9.]+%' | head -5 | sed 's/^ */    /'
  rm -f "$data"
}

series() { # NAME UNIT PER-UNIT-LABEL POINTS...
  name=$1 unit=$2 label=$3
  shift 3
  echo
  echo "== $name =="
  printf '%-8s %-8s %10s %14s\n' "$unit" op wall_s "$label"
  last=
  for x in "$@"; do
    case $name in
    mem) t=$(mem_ckpt "$x") ;;
    procs) t=$(procs_ckpt "$x") ;;
    arch) t=$(arch_dir "$x") ;;
    esac
    last=$t
    for op in open inspect search triage; do
      # shellcheck disable=SC2046
      w=$(python3 "$HERE/best-of.py" "$N" "$CKPT" $(cmd_of $op) "$t")
      awk -v x="$x" -v op="$op" -v w="$w" -v n="$name" 'BEGIN {
        per = n == "mem" ? w * 1000 / x : (n == "procs" ? w * 1e6 / x : w * 1000 / x);
        printf "%-8d %-8s %10.4f %14.2f\n", x, op, w, per }'
    done
  done
  for op in open inspect search triage; do top5 "$name" $op "$last"; done
}

echo "ckpt $("$CKPT" --version | head -1); best of $N; $(nproc) cores"
for s in $SERIES; do
  case $s in
  # shellcheck disable=SC2086
  mem) series mem MiB ms/MiB $MEM ;;
  # shellcheck disable=SC2086
  procs) series procs procs us/proc $PROCS ;;
  # shellcheck disable=SC2086
  arch) series arch archives ms/archive $ARCH ;;
  esac
done

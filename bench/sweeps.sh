#!/bin/sh
# bench/sweeps.sh - the sweep engine's targets (issue 19):
#
#  1. 100 small checkpoints (copies of the real fixtures under different
#     names, plus the zstd, gzip and real-program ones): `ckpt --threads 2`
#     against `--threads 1` for triage, inspect --all and yara, best of
#     REPEAT wall-clock runs each, alternating; target ratio at most 0.6.
#     The machine is shared, so each run is also timed in CPU per thread
#     (bench/threadcpu.c, preloaded): the critical path of two workers on
#     two cores is setup + max(the main thread's rest, the longest thread,
#     all threads' CPU / 2), against the one-worker run's setup + max(the
#     main thread's rest, its helper threads). The peer: the yara tool over
#     the same 100 files with -p 2 against -p 1, same rules, same run: the
#     ratio this machine gives a tool that only scans.
#  2. Peak private memory of one checkpoint's run (inspect, triage, yara)
#     for a 412 KiB fixture and the checkpoints bench/sweeps-make.sh makes
#     (16 MiB to 1 GiB, plain tar and zstd): VmHWM, and the peaks of the
#     Anonymous and Private_Dirty fields of /proc/PID/smaps_rollup sampled
#     every 5 ms; target under 64 MiB whatever the size (the archive's own
#     mapped pages are the page cache's, not the process's).
#
# Usage: sh bench/sweeps.sh [BUILD-DIR] [MEM-DIR]
#   MEM-DIR: where bench/sweeps-make.sh put its checkpoints
#   (default /var/tmp/ckpt-rig/work/sweeps-mem); skipped when missing.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
MEM=${2:-/var/tmp/ckpt-rig/work/sweeps-mem}
REPEAT=${REPEAT:-3}
CKPT=$BUILD/core/ckpt
FX=$ROOT/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench-sweeps-XXXXXX")
trap 'rm -rf "$T"' EXIT
[ -x "$CKPT" ] || { echo "no $CKPT; build first" >&2; exit 1; }

# ---- the 100 checkpoints ------------------------------------------------
D=$T/set
mkdir -p "$D"
i=0
while [ $i -lt 92 ]; do
  for s in podman-none podman-none-2 podman-none-criu3 podman-nozombie \
    podman-nozombie-criu3 containerd-none crio-none podman-fdzoo \
    containerd-real; do
    [ $i -lt 92 ] || break
    cp "$FX/$s.tar" "$D/$(printf %03d $i)-$s.tar"
    i=$((i + 1))
  done
done
for s in podman-zstd.tar.zst podman-gzip.tar.gz podman-zeros.tar.zst \
  real-attack.tar real-hidden.tar real-sshd.tar real-redis.tar \
  real-nginx.tar; do
  cp "$FX/$s" "$D/$(printf %03d $i)-$s"
  i=$((i + 1))
done
cat "$D"/* > /dev/null
cc -shared -fPIC -O2 -o "$T/threadcpu.so" "$ROOT/bench/threadcpu.c" -ldl \
  -lpthread

now() { date +%s.%N; }
# wall CMD...: seconds of one run (exit status 0 to 2: found, errors)
wall() {
  s=$(now)
  rc=0
  "$@" > /dev/null 2> "$T/err" || rc=$?
  e=$(now)
  [ $rc -le 2 ] || { echo "failed ($rc): $*" >&2; cat "$T/err" >&2; exit 1; }
  echo "$e - $s" | bc -l
}
min() { if [ "$(echo "$1 < $2" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
# cpu THREADS CMD...: the critical path in CPU seconds and the CPU in all
cpu() {
  w=$1
  shift
  rc=0
  THREADCPU_OUT=$T/cpu LD_PRELOAD=$T/threadcpu.so "$@" > /dev/null 2>&1 ||
    rc=$?
  [ $rc -le 2 ] || { echo "failed ($rc): $*" >&2; exit 1; }
  awk -v w="$w" '
    $1 == "setup" { setup = $2 } $1 == "main" { main = $2 }
    $1 == "thread" { sum += $2; if ($2 > max) max = $2 }
    END {
      rest = main - setup
      if (w == 1) { crit = rest > sum ? rest : sum }
      else {
        crit = rest; if (max > crit) crit = max
        if ((rest + sum) / w > crit) crit = (rest + sum) / w
      }
      printf "%.3f %.3f\n", setup + crit, main + sum
    }' "$T/cpu"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo
echo "## 100 checkpoints ($(du -sk "$D" | cut -f1) KiB): --threads 2 / --threads 1"
printf '%-14s %9s %9s %7s   %9s %9s %7s %9s %9s\n' command "t1 s" "t2 s" ratio \
  "t1 crit" "t2 crit" ratio "t1 cpu" "t2 cpu"
for cmd in triage "inspect --all" yara; do
  b1=999 b2=999
  for _ in $(seq "$REPEAT"); do
    # shellcheck disable=SC2086
    b1=$(min "$b1" "$(wall "$CKPT" --threads 1 $cmd "$D")")
    # shellcheck disable=SC2086
    b2=$(min "$b2" "$(wall "$CKPT" --threads 2 $cmd "$D")")
  done
  # shellcheck disable=SC2086
  c1=$(cpu 1 "$CKPT" --threads 1 $cmd "$D")
  # shellcheck disable=SC2086
  c2=$(cpu 2 "$CKPT" --threads 2 $cmd "$D")
  set -- $c1 $c2
  printf '%-14s %9.3f %9.3f %7.2f   %9.3f %9.3f %7.2f %9.3f %9.3f\n' "$cmd" \
    "$b1" "$b2" "$(echo "$b2 / $b1" | bc -l)" "$1" "$3" \
    "$(echo "$3 / $1" | bc -l)" "$2" "$4"
done
if command -v yara > /dev/null; then
  RULES=$(ls "$ROOT"/rules/*.yar)
  y1=999 y2=999
  for _ in $(seq "$REPEAT"); do
    # shellcheck disable=SC2086
    y1=$(min "$y1" "$(wall yara -p 1 -r $RULES "$D")")
    # shellcheck disable=SC2086
    y2=$(min "$y2" "$(wall yara -p 2 -r $RULES "$D")")
  done
  printf '%-14s %9.3f %9.3f %7.2f   (peer: the yara tool, -p 2 / -p 1)\n' \
    "yara tool" "$y1" "$y2" "$(echo "$y2 / $y1" | bc -l)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- memory -------------------------------------------------------------
echo
echo "## peak private memory of one checkpoint (MiB)"
set -- "$FX/podman-none.tar"
for f in "$MEM"/mem-*.tar "$MEM"/mem-*.tar.zst; do
  [ -f "$f" ] && set -- "$@" "$f"
done
printf '%-28s %-14s %9s %9s %9s %9s\n' checkpoint command "size" VmHWM \
  Anonymous Priv_Dirty
for f in "$@"; do
  for cmd in "inspect --all" triage yara; do
    # shellcheck disable=SC2086
    python3 - "$f" "$cmd" "$CKPT" $cmd "$f" <<'EOF'
import os, subprocess, sys, time
f, cmd, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = {"Anonymous": 0, "Private_Dirty": 0}
hwm = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/smaps_rollup") as r:
            for line in r:
                k, _, v = line.partition(":")
                if k in peak:
                    peak[k] = max(peak[k], int(v.split()[0]))
        with open(f"/proc/{p.pid}/status") as r:
            for line in r:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    time.sleep(0.005)
if p.returncode > 2:
    sys.exit(f"failed ({p.returncode}): {' '.join(argv)}")
size = os.path.getsize(f) / 1048576
print(f"{os.path.basename(f):28s} {cmd:14s} {size:9.1f} {hwm / 1024:9.1f} "
      f"{peak['Anonymous'] / 1024:9.1f} {peak['Private_Dirty'] / 1024:9.1f}")
EOF
  done
done

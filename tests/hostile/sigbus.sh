#!/bin/sh
# sigbus.sh - TAP test: mapped bytes that go away do not kill ckpt.
#  - a bare directory's pages file, or a plain tar, cut short while ckpt
#    runs (tests/plugins' tp-truncate cuts it, then reads memory): exit 1
#    with an error naming the file, in-process and under --isolate, and
#    also when nothing faults (the cut is seen from the file's size);
#  - a spool on a small tmpfs (8 MiB, mounted here; skipped when mount is
#    not permitted): podman-zeros.tar.zst's 64 MiB of zero memory is read
#    by memparse and yara without using the tmpfs, and an archive whose
#    non-zero pages do not fit fails naming the member.
set -u
# Under valgrind (tests/valgrind.sh runs ckpt through a shim), resuming
# after a SIGBUS handler needs exact guest registers at memory accesses;
# valgrind reads this variable, nothing else does.
VALGRIND_OPTS="${VALGRIND_OPTS:+$VALGRIND_OPTS }--vex-iropt-register-updates=allregs-at-mem-access"
export VALGRIND_OPTS
ckpt=${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}
tpdir=${CKPT_TEST_PLUGINS:-$CKPT_BUILD_ROOT/tests/plugins}
fx=$CKPT_FIXTURES
work=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-sigbus-XXXXXX")
small=$work/tmpfs
cleanup() {
  mountpoint -q "$small" 2>/dev/null && umount "$small"
  rm -rf "$work"
}
trap cleanup EXIT
n=0
fails=0

ok() { # ok COND-STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    fails=$((fails + 1))
    [ -f "$work/err" ] && sed 's/^/#   /' "$work/err" | tail -n 8
  fi
}
skip() { # skip COUNT REASON
  i=0
  while [ $i -lt "$1" ]; do
    n=$((n + 1))
    echo "ok $n # SKIP $2"
    i=$((i + 1))
  done
}

echo "1..21"

cut_run() { # cut_run FILE SIZE READ ARGS... ; status in $rc
  CKPT_TEST_TRUNCATE=$1 CKPT_TEST_TRUNCATE_SIZE=$2 CKPT_TEST_TRUNCATE_READ=$3
  export CKPT_TEST_TRUNCATE CKPT_TEST_TRUNCATE_SIZE CKPT_TEST_TRUNCATE_READ
  shift 3
  "$ckpt" --plugin-path "$tpdir" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  unset CKPT_TEST_TRUNCATE CKPT_TEST_TRUNCATE_SIZE CKPT_TEST_TRUNCATE_READ
}

# 1-9: a directory's pages-2.img cut to one page while plugins read it
for mode in "" --isolate noread; do
  rm -rf "$work/dir"
  cp -r "$fx/criu-dir" "$work/dir"
  read=1
  flags=$mode
  [ "$mode" = noread ] && read=0 && flags=
  label="directory${mode:+ $mode}"
  # shellcheck disable=SC2086
  cut_run "$work/dir/pages-2.img" 4096 $read $flags run tp-truncate,pstree \
    "$work/dir"
  [ "$rc" -eq 1 ]
  ok $? "$label: exit status 1 (got $rc), not a signal"
  grep -q "dir: pages-2\.img was cut short while ckpt read it" "$work/err"
  ok $? "$label: the error names pages-2.img"
  grep -q "plugin pstree skipped: .*tp-truncate stopped the chain" "$work/err"
  ok $? "$label: the chain stops there"
done

# 10-12: a plain tar cut in half while the members in place are read
cp "$fx/podman-none.tar" "$work/cut.tar"
half=$(( $(wc -c <"$work/cut.tar") / 2 / 4096 * 4096 ))
cut_run "$work/cut.tar" "$half" 1 run tp-truncate "$work/cut.tar"
[ "$rc" -eq 1 ]
ok $? "plain tar: exit status 1 (got $rc), not a signal"
grep -q "cut\.tar: the file was cut short while ckpt read it" "$work/err"
ok $? "plain tar: the error names the archive"
cp "$fx/podman-none.tar" "$work/cut.tar"
cut_run "$work/cut.tar" "$half" 1 --isolate run tp-truncate "$work/cut.tar"
[ "$rc" -eq 1 ] && grep -q "the file was cut short" "$work/err"
ok $? "plain tar --isolate: exit status 1 (got $rc) naming the archive"

# 13-20: a small tmpfs as TMPDIR
mkdir -p "$small"
if ! mount -t tmpfs -o size=8M tmpfs "$small" 2>/dev/null; then
  skip 8 "cannot mount a tmpfs here"
  exit 0
fi
used() { df -k "$small" | awk 'NR == 2 { print $3 }'; }
TMPDIR=$small "$ckpt" memparse --search no-such-string-anywhere \
  "$fx/podman-zeros.tar.zst" >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 1 ]
ok $? "zero memory on an 8 MiB tmpfs: memparse --search exits 1, no hit (got $rc)"
grep -q "no-such-string-anywhere" "$work/out"
[ $? -ne 0 ]
ok $? "memparse: nothing found in zeros"
TMPDIR=$small "$ckpt" yara "$fx/podman-zeros.tar.zst" >"$work/out" \
  2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]
ok $? "yara (worker pool) over zero memory on the tmpfs: no signal (got $rc)"
! grep -q "could not be read" "$work/err"
ok $? "yara read every block"
TMPDIR=$small "$ckpt" --format json run memory "$fx/podman-zeros.tar.zst" \
  >"$work/out" 2>"$work/err"
ok $? "run memory on the tmpfs: exit 0"

# non-zero pages that do not fit in 8 MiB: a clear error naming the member
python3 - "$fx/podman-none.tar" "$work/full.tar" <<'PY'
import io, os, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as t, tarfile.open(dst, "w") as out:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else None
        if m.name == "checkpoint/pages-2.img":
            data = os.urandom(16 << 20)
            m.size = len(data)
        out.addfile(m, io.BytesIO(data) if data is not None else None)
PY
zstd -q -f "$work/full.tar" -o "$work/full.tar.zst"
# show's chain (container) reads no memory: the pages are decompressed
# through, never spooled, so the full tmpfs does not matter
TMPDIR=$small "$ckpt" show "$work/full.tar.zst" >"$work/out" 2>"$work/err"
ok $? "show (no plugin reads memory) on the 8 MiB tmpfs: exit 0"
TMPDIR=$small "$ckpt" run memory "$work/full.tar.zst" >"$work/out" \
  2>"$work/err"
rc=$?
[ "$rc" -eq 1 ]
ok $? "16 MiB of data on an 8 MiB tmpfs: exit status 1 (got $rc)"
grep -q "full\.tar\.zst: member checkpoint/pages-2\.img: writing the temporary file in $small at offset [0-9]*: No space left on device" "$work/err"
ok $? "the error names the archive, the member and the full file system"
[ "$(used)" -eq 0 ]
ok $? "the spool is gone afterwards"
[ "$fails" -eq 0 ]

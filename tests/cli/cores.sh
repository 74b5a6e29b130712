#!/bin/sh
# ckpt memparse --core / --core-dir: cores gdb loads whole. On the real
# podman-none.tar: the notes a Linux core has (NT_PRSTATUS, NT_PRPSINFO,
# NT_SIGINFO, NT_AUXV, NT_FILE, NT_FPREGSET, NT_X86_XSTATE, FP notes after
# their thread's NT_PRSTATUS); gdb's registers (rip, xmm0, mxcsr) and auxv
# against crit's decode of the same images; with --root holding the
# workload rebuilt as make-fixtures.sh builds it, text pages from the file
# and a backtrace with symbols; --root never followed through a symlink;
# --core-dir, --force, and the usage errors. real-nginx.tar (shared
# libraries) when it and its image's root are on the machine. TAP.
set -u
TAP_NAME=cores
. "$(dirname "$0")/tap.sh"
skip() { n=$((n+1)); echo "ok $n - # SKIP $1"; }
EC="python3 $(dirname "$0")/elfcore.py"
P=$FX/podman-none.tar
O=$FX/oracle/podman-none

# --- notes -----------------------------------------------------------------
"$CKPT" memparse "$P" --pid 1 --core "$T/core" > "$T/c.out" 2> "$T/c.err"
check "--core writes pid 1" test -s "$T/core"
$EC notes "$T/core" > "$T/notes"
check "notes: the main thread's set, then each other thread's FP notes after its PRSTATUS" \
  sh -c "[ \"\$(tr '\n' ' ' < '$T/notes')\" = 'PRSTATUS PRPSINFO SIGINFO AUXV FILE FPREGSET X86_XSTATE PRSTATUS FPREGSET X86_XSTATE ' ]"

check "NT_AUXV holds mm-1.img's mm_saved_auxv word for word" python3 -c "
import json, struct, sys
sys.path.insert(0, sys.argv[3])
import elfcore
want = json.load(open(sys.argv[1] + '/mm-1.img.json'))['entries'][0]['mm_saved_auxv']
want = [int(w, 16) if isinstance(w, str) else w for w in want]
desc = [d for n, d in elfcore.notes(sys.argv[2]) if n == 'AUXV'][0]
got = list(struct.unpack('<%dQ' % (len(desc) // 8), desc))
assert got[:len(want)] == want, (got, want)
assert got[-2:] == [0, 0], got
" "$O" "$T/core" "$(dirname "$0")"

# --- gdb: registers, FP state, auxv ----------------------------------------
if command -v gdb >/dev/null 2>&1; then
  gdb -batch -nx -iex 'set debuginfod enabled off' \
    -ex 'info registers rip' -ex 'p/x $xmm0.v4_int32' -ex 'p/x $mxcsr' \
    -ex 'info auxv' -ex 'info sharedlibrary' \
    -ex 'thread 2' -ex 'info registers rip' -ex 'p/x $xmm0.v4_int32' \
    -c "$T/core" > "$T/gdb.txt" 2>&1
  check "gdb: rip, xmm0 and mxcsr of both threads are crit's (core-1, core-4), AT_ENTRY is the auxv's" python3 -c "
import json, re, sys
O, text = sys.argv[1], open(sys.argv[2]).read()
main, second = text.split('[Switching to thread 2', 1)
def ti(tid):
    return json.load(open('%s/core-%d.img.json' % (O, tid)))['entries'][0]['thread_info']
def check(part, tid):
    t = ti(tid)
    rip = int(re.search(r'^rip\s+(0x[0-9a-f]+)', part, re.M).group(1), 16)
    assert rip == int(t['gpregs']['ip'], 16), (rip, t['gpregs']['ip'])
    xmm = [int(x, 16) for x in re.search(r'= \{(0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+)\}', part).group(1).split(', ')]
    assert xmm == t['fpregs']['xmm_space'][:4], (xmm, t['fpregs']['xmm_space'][:4])
check(main, 1)
check(second, 4)
mx = int(re.search(r'^\\\$\d+ = (0x[0-9a-f]+)$', main, re.M).group(1), 16)
assert mx == ti(1)['fpregs']['mxcsr'], mx
auxv = json.load(open(O + '/mm-1.img.json'))['entries'][0]['mm_saved_auxv']
entry = dict(zip(auxv[::2], auxv[1::2]))[9]
m = re.search(r'AT_ENTRY\s.*\s(0x[0-9a-f]+)$', main, re.M)
assert m and int(m.group(1), 16) == entry, (m and m.group(0), entry)
assert 'No shared libraries loaded' in main  # the workload is static
" "$O" "$T/gdb.txt"
else
  skip "gdb is not installed"
fi

# --- --root: text pages from the file, symbols ------------------------------
mkdir -p "$T/root/app"
if gcc -static -O1 -pthread -o "$T/root/app/workload" "$FX/workload.c" 2>"$T/gcc.err"; then
  "$CKPT" memparse "$P" --pid 1 --core "$T/rcore" --root "$T/root" > "$T/r.out" 2> "$T/r.err"
  check "--root: every page of the ELF header and text is the binary's" python3 -c "
import sys
sys.path.insert(0, sys.argv[3])
import elfcore
b = open(sys.argv[2], 'rb').read()
assert elfcore.read(sys.argv[1], 0x400000, 0x578) == b[:0x578]
# a text page CRIU did not dump, filled from the file
assert elfcore.read(sys.argv[1], 0x402000, 4096) == b[0x2000:0x3000]
" "$T/rcore" "$T/root/app/workload" "$(dirname "$0")"
  # the rebuilt binary is the fixture's when the text page CRIU did dump
  # (the one its parasite touched) is byte for byte the file's
  same=$(python3 -c "
import sys
sys.path.insert(0, sys.argv[3])
import elfcore
pg = elfcore.first_page(sys.argv[1], 0x401000)
b = open(sys.argv[2], 'rb').read()
off = 0x1000 + pg * 4096
print('yes' if pg >= 0 and elfcore.read(sys.argv[1], 0x401000 + pg * 4096, 4096) == b[off:off + 4096] else 'no')
" "$T/core" "$T/root/app/workload" "$(dirname "$0")")
  if [ "$same" = yes ] && command -v gdb >/dev/null 2>&1; then
    gdb -batch -nx -iex 'set debuginfod enabled off' -ex 'thread apply all bt' \
      "$T/root/app/workload" -c "$T/rcore" > "$T/bt.txt" 2>&1
    check "gdb bt with --root: main and the pthread's thread_main by name" \
      sh -c "grep -q ' in main ()' '$T/bt.txt' && grep -q ' in thread_main ()' '$T/bt.txt' && grep -q ' in sigsuspend ()' '$T/bt.txt'"
  else
    skip "the rebuilt workload is not the fixture's binary (compiler differs) or no gdb"
  fi
  # a root whose /app is a symlink to the real directory: not followed
  mkdir -p "$T/evil" "$T/outside/app"
  cp "$T/root/app/workload" "$T/outside/app/workload"
  ln -s "$T/outside/app" "$T/evil/app"
  "$CKPT" memparse "$P" --pid 1 --core "$T/ecore" --root "$T/evil" > "$T/e.out" 2> "$T/e.err"
  check "--root: a symlinked directory is not followed (pages stay zeros), and the file is named as missing" python3 -c "
import sys
sys.path.insert(0, sys.argv[2])
import elfcore
assert elfcore.read(sys.argv[1], 0x400000, 64) == b'\0' * 64
" "$T/ecore" "$(dirname "$0")"
  check "... the run still succeeds, and says which file it lacked" grep -q '/app/workload' "$T/e.err"
else
  skip "gcc cannot build the static workload"; skip "no workload"; skip "no workload"; skip "no workload"
fi

# --- files: never over an existing one without --force ---------------------
echo keep > "$T/exists"
"$CKPT" memparse "$P" --pid 1 --core "$T/exists" > /dev/null 2> "$T/x.err"; s=$?
check "--core onto an existing file fails and leaves it" sh -c "[ $s -eq 1 ] && [ \"\$(cat '$T/exists')\" = keep ] && grep -q 'File exists' '$T/x.err'"
"$CKPT" memparse "$P" --pid 1 --core "$T/exists" --force > /dev/null 2>&1; s=$?
check "--force replaces it with a core" sh -c "[ $s -eq 0 ] && head -c 4 '$T/exists' | grep -q ELF"
echo target > "$T/target"
ln -s "$T/target" "$T/link"
"$CKPT" memparse "$P" --pid 1 --core "$T/link" --force > /dev/null 2>&1; s=$?
check "--force never writes through a symlink" sh -c "[ $s -ne 0 ] && [ \"\$(cat '$T/target')\" = target ]"
"$CKPT" memparse "$P" --core "$T/nopid" > /dev/null 2> "$T/u.err"; s=$?
check "--core without --pid is a usage error (exit 2)" sh -c "[ $s -eq 2 ] && grep -q 'needs --pid' '$T/u.err' && [ ! -e '$T/nopid' ]"

# --- --core-dir ---------------------------------------------------------------
"$CKPT" --format json memparse "$P" --core-dir "$T/cores" > "$T/d.json" 2> "$T/d.err"; s=$?
check "--core-dir: one core per process with memory (1, 2, 5; not the zombie 3)" sh -c "[ $s -eq 0 ] && [ \"\$(ls '$T/cores' | tr '\n' ' ')\" = 'core.1 core.2 core.5 ' ]"
check "... each names its own process (NT_PRPSINFO pid)" python3 -c "
import struct, sys
sys.path.insert(0, sys.argv[2])
import elfcore
for pid in (1, 2, 5):
    d = [d for n, d in elfcore.notes('%s/core.%d' % (sys.argv[1], pid)) if n == 'PRPSINFO'][0]
    assert struct.unpack_from('<I', d, 24)[0] == pid, pid
" "$T/cores" "$(dirname "$0")"
"$CKPT" memparse "$P" --core-dir "$T/cores" > /dev/null 2> "$T/d2.err"; s=$?
check "--core-dir into a non-empty directory fails" sh -c "[ $s -eq 1 ] && grep -q 'not empty' '$T/d2.err'"
ln -s "$T/cores" "$T/coreslink"
"$CKPT" memparse "$P" --core-dir "$T/coreslink" --force > /dev/null 2> "$T/d3.err"; s=$?
check "--core-dir never through a symlink" sh -c "[ $s -eq 1 ] && grep -q 'not a directory' '$T/d3.err'"

# --- shared libraries: real-nginx.tar and its image's root ------------------
NG=$FX/real-nginx.tar
NR=${CKPT_NGINX_ROOT:-/var/tmp/ckpt-rig/work/ckpt-real-gen/nginx-root}
if [ -f "$NG" ] && [ -x "$NR/usr/sbin/nginx" ] && command -v gdb >/dev/null 2>&1; then
  "$CKPT" memparse "$NG" --core-dir "$T/ng" --root "$NR" > /dev/null 2> "$T/ng.err"
  gdb -batch -nx -iex 'set debuginfod enabled off' -iex "set sysroot $NR" \
    -ex 'info sharedlibrary' -ex 'bt' "$NR/usr/sbin/nginx" -c "$T/ng/core.1" > "$T/ng.txt" 2>&1
  check "real-nginx: gdb lists libc, libssl, libpcre2 and ld.so, and bt names nginx's functions" \
    sh -c "grep -q 'libc.so.6' '$T/ng.txt' && grep -q 'libssl.so.3' '$T/ng.txt' && grep -q 'libpcre2-8.so.0' '$T/ng.txt' && grep -q 'ld-linux-x86-64.so.2' '$T/ng.txt' && grep -q 'in main ()' '$T/ng.txt' && grep -q 'ngx_master_process_cycle' '$T/ng.txt'"
else
  skip "real-nginx.tar or its image's root ($NR) is not on this machine"
fi
echo "1..$n"

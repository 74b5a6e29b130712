#!/bin/sh
# ckpt memparse on the real fixtures: process memory sizes against
# checkpointctl's (on the CRIU 3.x-form fixture it can read) and the same on
# the CRIU 4.2 form; the workload's planted markers found at their recorded
# addresses by text, hex and regex search; the file-only marker not found;
# maps, hexdump, filters, --output and an ELF core that gdb loads with the
# registers crit decodes. TAP; env from tests/meson.build.
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-memparse-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
skip() { n=$((n+1)); echo "ok $n - # SKIP $1"; }
check() {
  d=$1; shift
  if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi
}
# py CODE JSONFILE: CODE sees M (the memory plugin's tables of the first
# checkpoint), FX and marker(fixture, name) -> (pid, addr)
py() {
  python3 -c "
import json, sys, base64
FX = sys.argv[1]
doc = json.load(open(sys.argv[2]))
M = doc['checkpoints'][0]['plugins']['memory']['tables']
def marker(fixture, name):
    for l in open(FX + '/markers-' + fixture + '.txt'):
        f = l.split()
        if len(f) == 3 and f[0] == name:
            return int(f[1]), int(f[2], 16)
    raise KeyError(name)
def addr(v):
    return v if isinstance(v, int) else int(v, 16)
$1" "$FX" "$2"
}
mp() { "$CKPT" --format json memparse "$@"; }

echo "1..27"

NZ3=$FX/podman-nozombie-criu3.tar
NZ=$FX/podman-nozombie.tar
P4=$FX/podman-none.tar
P3=$FX/podman-none-criu3.tar

mp "$NZ3" > "$T/nz3.json" 2> "$T/err"
mp "$NZ" > "$T/nz.json" 2>> "$T/err"
check "memory sizes per process equal checkpointctl's on the CRIU 3.x form" py "
t = open(FX + '/oracle/checkpointctl/podman-nozombie-criu3.memparse.txt').read()
units = {'B': 1, 'KiB': 1024, 'MiB': 1 << 20, 'GiB': 1 << 30}
theirs = {}
for l in t.splitlines():
    f = [x.strip() for x in l.strip('|').split('|')]
    if len(f) == 4 and f[0].isdigit():
        num, unit = f[2].split()
        theirs[int(f[0])] = (f[1], int(float(num) * units[unit]))
ours = {r['pid']: (r['comm'], r['memory']) for r in M['processes']}
assert theirs and ours == theirs, (ours, theirs)
assert all(r['shared'] == 0 for r in M['processes'])
" "$T/nz3.json"
check "the same sizes on the CRIU 4.2 form (checkpointctl shows 0 B there)" \
  python3 -c "
import json, sys
a, b = (json.load(open(f))['checkpoints'][0]['plugins']['memory']['tables']['processes'] for f in sys.argv[1:])
assert a == b and all(r['memory'] > 0 for r in a), (a, b)
" "$T/nz3.json" "$T/nz.json"

mp "$P4" --search CKPT-MARKER-HEAP-7f3a --context 8 > "$T/heap.json" 2>> "$T/err"
check "--search finds the heap marker in pid 1 and its forked worker at the recorded address" py "
pid, a = marker('podman-none', 'heap')
hits = {(r['pid'], addr(r['addr'])) for r in M['hits']}
assert (pid, a) in hits and (5, a) in hits, hits
r = [r for r in M['hits'] if r['pid'] == 1][0]
assert base64.b64decode(r['match']) == b'CKPT-MARKER-HEAP-7f3a'
assert r['vma'] == 'heap' and r['comm'] == 'workload', r
assert len(r['context']) == 21 + 16 and r['context'][8:29] == 'CKPT-MARKER-HEAP-7f3a', r
" "$T/heap.json"
check "pid 1's hit is at checkpointctl's address with checkpointctl's context bytes" py "
t = open(FX + '/oracle/checkpointctl/podman-none-criu3.memparse-pid1-heap.txt').read()
row = [l for l in t.splitlines() if 'CKPT-MARKER-HEAP' in l][0].split('|')
their_addr, their_match = int(row[1], 16), row[2].strip()
r = [r for r in M['hits'] if r['pid'] == 1][0]
assert addr(r['addr']) == their_addr, (r, their_addr)
# checkpointctl shows non-printable bytes as '?', we show '.'
assert r['context'].replace('.', '?') == their_match, (r['context'], their_match)
" "$T/heap.json"

mp "$P3" --search CKPT-MARKER-HEAP-7f3a --context 8 > "$T/heap3.json" 2>> "$T/err"
check "the same hits on podman-none-criu3.tar" python3 -c "
import json, sys
a, b = (json.load(open(f))['checkpoints'][0]['plugins']['memory']['tables']['hits'] for f in sys.argv[1:])
assert a == b and len(a) >= 2, (a, b)
" "$T/heap.json" "$T/heap3.json"

mp "$P4" --search-hex "de ad 00 be ef 00 ff 01 7f 80 00 00 c3 a9 0a 0d" > "$T/bin.json" 2>> "$T/err"
check "--search-hex finds the binary pattern (NUL and high bytes) at the recorded address" py "
pid, a = marker('podman-none', 'binary')
r = [r for r in M['hits'] if r['pid'] == pid and addr(r['addr']) == a]
assert r and base64.b64decode(r[0]['match']) == bytes.fromhex('dead00beef00ff017f800000c3a90a0d'), M['hits']
assert r[0]['vma'] == 'anon', r
" "$T/bin.json"

mp "$P4" --pid 1 --search-regex 'CKPT-MARKER-STRADDLE-[A-Z-]+' > "$T/re.json" 2>> "$T/err"
check "--search-regex matches the marker straddling two pages whole" py "
pid, a = marker('podman-none', 'straddle')
r = M['hits']
assert len(r) == 1 and addr(r[0]['addr']) == a and r[0]['pid'] == 1, r
assert r[0]['length'] == 34, r
assert base64.b64decode(r[0]['match']) == b'CKPT-MARKER-STRADDLE-PAGE-BOUNDARY', r
assert (a + 13) % 4096 == 0
" "$T/re.json"

mp "$P4" --search CKPT-MARKER-FILEONLY > "$T/fo.json" 2>> "$T/err"
check "the file-only marker (clean page cache, not dumped) is not found" py "
assert M.get('hits', []) == [], M
" "$T/fo.json"

mp "$P4" --search 'CKPT-MARKER' --vma stack > "$T/tstack.json" 2>> "$T/err"
mp "$P4" --search 'API_TOKEN=' --vma stack > "$T/stack.json" 2>> "$T/err"
check "--vma stack: a thread's stack (anonymous memory holding its rsp) and the main stack" py "
pid, a = marker('podman-none', 'thread-stack')
assert {r['vma'] for r in M['hits']} == {'stack'}, M['hits']
found = {(r['pid'], addr(r['addr'])) for r in M['hits']}
assert (pid, a) in found and marker('podman-none', 'heap') not in found, found
st = json.load(open(sys.argv[2].replace('tstack', 'stack')))['checkpoints'][0]['plugins']['memory']['tables']['hits']
assert st and {r['vma'] for r in st} == {'stack'}, st
" "$T/tstack.json"

mp "$P4" --maps --pid 1 > "$T/maps.json" 2>> "$T/err"
check "--maps lists pid 1's VMAs with labels, permissions, paths and presence" py "
rows = M['maps']
labels = {r['vma'] for r in rows}
assert {'heap', 'stack', 'vdso', 'vvar', 'anon', 'file'} <= labels, labels
# the main stack and the extra thread's
assert len([r for r in rows if r['vma'] == 'stack']) == 2, rows
pid, h = marker('podman-none', 'heap')
heap = [r for r in rows if r['vma'] == 'heap'][0]
assert addr(heap['start']) <= h < addr(heap['end']) and heap['perms'] == 'rw-p', heap
assert 0 < heap['present'] <= heap['size'], heap
assert any(r.get('path') == '/app/workload' and r['perms'] == 'r-xp' for r in rows), rows
fo = [r for r in rows if r.get('path') == '/app/fileonly.dat']
assert fo and fo[0]['present'] == 0 and fo[0]['perms'] == 'r--p', fo
assert all(r['pid'] == 1 for r in rows)
" "$T/maps.json"

mp "$P4" --pid 1 > "$T/hex.json" 2>> "$T/err"
check "--pid 1 hexdump: the heap marker's row, repeated rows folded into *" py "
pid, h = marker('podman-none', 'heap')
rows = M['hexdump']
byaddr = {addr(r['address']): r for r in rows}
assert byaddr[h]['ascii'].startswith('CKPT-MARKER-HEA'), byaddr[h]
assert byaddr[h]['hex'].startswith('43 4b 50 54 2d'), byaddr[h]
assert any(r['hex'] == '*' for r in rows)
a = [addr(r['address']) for r in rows]
assert a == sorted(a)
" "$T/hex.json"

mp "$P4" --pid 1 --vma heap --range 0-0x7fffffffffff > "$T/hexheap.json" 2>> "$T/err"
check "--vma heap --range narrow the hexdump to the heap" py "
maps = json.load(open(sys.argv[2].replace('hexheap', 'maps')))['checkpoints'][0]['plugins']['memory']['tables']['maps']
heap = [r for r in maps if r['vma'] == 'heap'][0]
rows = M['hexdump']
assert rows and all(addr(heap['start']) <= addr(r['address']) < addr(heap['end']) for r in rows), rows[:3]
" "$T/hexheap.json"

"$CKPT" memparse "$P4" --pid 1 --output "$T/raw.bin" --raw > "$T/raw.out" 2>> "$T/err"
mp "$P4" --pid 1 --output "$T/dump.txt" > "$T/dump.json" 2>> "$T/err"
check "--output --raw writes pid 1's dumped bytes; --output a full hexdump" py "
size = __import__('os').path.getsize(sys.argv[2].replace('dump.json', 'raw.bin'))
raw = open(sys.argv[2].replace('dump.json', 'raw.bin'), 'rb').read()
assert b'CKPT-MARKER-HEAP-7f3a' in raw and b'CKPT-MARKER-FILEONLY' not in raw
f = M['file'][0]
assert f['format'] == 'hexdump' and f['bytes'] == size, (f, size)
pid, h = marker('podman-none', 'heap')
text = open(sys.argv[2].replace('dump.json', 'dump.txt')).read().splitlines()
assert len(text) == size // 16, (len(text), size)
line = [l for l in text if l.startswith('%016x' % h)][0]
assert line.endswith('|CKPT-MARKER-HEAP|') and '43 4b 50 54' in line, line
" "$T/dump.json"
mp "$P4" > "$T/p4.json" 2>> "$T/err"
check "the raw output's size is pid 1's memory size" python3 -c "
import json, os, sys
m = json.load(open(sys.argv[1]))['checkpoints'][0]['plugins']['memory']['tables']['processes']
assert os.path.getsize(sys.argv[2]) == [r for r in m if r['pid'] == 1][0]['memory']
" "$T/p4.json" "$T/raw.bin"

mp "$P4" --pid 1 --core "$T/core" > "$T/core.json" 2>> "$T/err"
if command -v gdb >/dev/null 2>&1; then
  gdb -batch -nx -ex 'info registers rip rsp' -c "$T/core" > "$T/gdb.txt" 2>&1
  check "--core: gdb loads the core; rip and rsp are crit's for pid 1" python3 -c "
import json, sys
g = json.load(open(sys.argv[1] + '/oracle/podman-none/core-1.img.json'))['entries'][0]['thread_info']['gpregs']
regs = {}
for l in open(sys.argv[2]):
    f = l.split()
    if len(f) >= 2 and f[0] in ('rip', 'rsp'):
        regs[f[0]] = int(f[1], 16)
assert regs == {'rip': int(g['ip'], 16), 'rsp': int(g['sp'], 16)}, (regs, g)
" "$FX" "$T/gdb.txt"
else
  skip "gdb is not installed"
fi

"$CKPT" memparse "$P4" -p 1 -s CKPT-MARKER-HEAP-7f3a -c 4 --format json > "$T/short.json" 2>> "$T/err"
check "checkpointctl's short flags -p -s -c" py "
r = M['hits']
assert len(r) == 1 and r[0]['pid'] == 1 and len(r[0]['context']) == 29, r
" "$T/short.json"

"$CKPT" memparse "$P4" --pid 999 > "$T/e1.out" 2> "$T/e1.err"; s1=$?
check "an unknown pid fails with a message naming it" sh -c "[ $s1 -ne 0 ] && grep -q 'no process with pid 999' '$T/e1.err'"
"$CKPT" memparse "$P4" --search-hex 'de ad z' > "$T/e2.out" 2> "$T/e2.err"; s2=$?
check "a bad hex pattern fails with a message" sh -c "[ $s2 -ne 0 ] && grep -q 'search-hex' '$T/e2.err'"
"$CKPT" memparse "$P4" --pid 1 --vma bogus > "$T/e3.out" 2> "$T/e3.err"; s3=$?
check "an unknown --vma kind fails with a message" sh -c "[ $s3 -ne 0 ] && grep -q \"unknown kind 'bogus'\" '$T/e3.err'"

# a search answers like grep(1): 0 a hit, 1 none, 2 an error
"$CKPT" memparse "$P4" --pid 1 --search CKPT-MARKER-HEAP-7f3a > /dev/null 2>&1; s=$?
check "--search with a hit: exit 0" test $s -eq 0
"$CKPT" memparse "$P4" --search CKPT-MARKER-NOT-IN-ANY-PROCESS-42 > /dev/null 2>&1; s=$?
check "--search without a hit: exit 1" test $s -eq 1
"$CKPT" memparse "$P4" --search-regex 'CKPT-MARKER-[Q]{9}' > /dev/null 2>&1; s=$?
check "--search-regex without a hit: exit 1" test $s -eq 1
check "a bad search pattern: exit 2" test $s2 -eq 2
"$CKPT" memparse "$T/missing.tar" --search CKPT-MARKER-HEAP-7f3a > /dev/null 2>&1; s=$?
check "--search over a missing checkpoint: exit 2" test $s -eq 2

mp "$P4" --maps --pid 1 --prot r-x > "$T/rx.json" 2>> "$T/err"
check "--prot r-x keeps only executable, read-only mappings" py "
rows = M['maps']
assert rows and all(r['perms'][:3] == 'r-x' for r in rows), rows
assert any(r.get('path') == '/app/workload' for r in rows), rows
" "$T/rx.json"
"$CKPT" memparse "$P4" --pid 3 --core "$T/zcore" > "$T/e4.out" 2> "$T/e4.err"; s4=$?
check "--core of the zombie fails: it has no memory, and no file is left" sh -c "[ $s4 -ne 0 ] && grep -q 'no memory' '$T/e4.err' && [ ! -e '$T/zcore' ]"

# Podman's default zstd export of 64 MiB of written zero pages packs about
# 2000:1: it loads with the default limits, the zero mapping is all
# present, and the text next to it is found.
ZS=$FX/podman-zeros.tar.zst
mp "$ZS" --pid 1 --maps > "$T/zmaps.json" 2>> "$T/err"
mp "$ZS" --pid 1 --search CKPT-MARKER-ZEROS > "$T/zhits.json" 2>> "$T/err"
check "a zero-page-heavy zstd checkpoint loads: 64 MiB present, marker on the heap" py "
big = [r for r in M['maps'] if r['size'] >= 64 << 20]
assert len(big) == 1 and big[0]['present'] == big[0]['size'], big
hits = json.load(open(sys.argv[2].replace('zmaps', 'zhits')))
H = hits['checkpoints'][0]['plugins']['memory']['tables']['hits']
assert any(h['vma'] == 'heap' for h in H), H
" "$T/zmaps.json"

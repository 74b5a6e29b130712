#!/bin/sh
# Content held by kernel objects, searched by default and named in every
# hit: memparse --search, yara and secrets on the workload's checkpoint
# (what workload.c planted in a ghost file, a memfd, a pipe, unix and TCP
# queues) and on real-hidden.tar (markers that live only in such objects,
# markers-real-hidden.txt); --no-objects (yara: yara.objects=false) leaves
# them out; a damaged copy of criu-dir warns naming the image. TAP; env
# from tests/meson.build.
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-objects-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() {
  d=$1; shift
  if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi
}
# py CODE JSONFILE: CODE sees D (the first checkpoint's report), FX and
# hidden() -> [(name, marker, pid, fd, member)] from markers-real-hidden.txt
py() {
  python3 -c "
import json, sys, base64
FX = sys.argv[1]
D = json.load(open(sys.argv[2]))['checkpoints'][0]
def hidden():
    out = []
    for l in open(FX + '/markers-real-hidden.txt'):
        f = l.split()
        if l.startswith('#') or len(f) != 6 or f[2] == '-':
            continue
        out.append((f[0], f[1], int(f[2]), int(f[3]), f[5]))
    return out
def hits(plugin):
    return D['plugins'][plugin]['tables']['hits']
$1" "$FX" "$2"
}

echo "1..13"

P=$FX/podman-none.tar
H=$FX/real-hidden.tar

"$CKPT" --format json memparse --search CKPT- --context 64 "$P" >"$T/p.json" 2>"$T/err"
check "memparse --search finds each object's planted bytes, named by kind, name, pid and fd" py "
want = {
  'ghost file /data/deleted.log (deleted), pid 1 fd 15': 'CKPT-DELETED-FILE-CONTENT\n',
  'memfd ckpt-memfd, pid 1 fd 14': 'CKPT-MEMFD-CONTENT\n',
  'unix socket queue /tmp/ckpt.sock, pid 5 fd 8': 'CKPT-UNIX-PATH-CLIENT-TO-SERVER',
}
got = {h['source']: h['context']
       for h in hits('memory') if h['source'] != 'memory'}
for src, text in want.items():
    assert got.get(src) == text.replace('\n', '.'), (src, got)
pipe = [s for s in got if s.startswith('pipe buffer pipe:[')]
assert len(pipe) == 1 and pipe[0].endswith(', pid 1 fd 10, pid 1 fd 11'), got
assert got[pipe[0]] == 'CKPT-PIPE-DATA', got
pair = [s for s in got if s.startswith('unix socket queue socket:[')]
assert len(pair) == 1 and got[pair[0]] == 'CKPT-UNIX-PAIR-QUEUED', got
tcp = sorted((s, got[s]) for s in got if s.startswith('tcp queue 127.0.0.1:'))
assert len(tcp) == 2, got
assert {t[1] for t in tcp} == {'CKPT-TCP-CLIENT-TO-SERVER',
                              'CKPT-TCP-SERVER-TO-CLIENT-0123456789'}, tcp
for s, text in tcp:
    assert s.endswith(' (recv), pid 1 fd 5') or s.endswith(' (recv), pid 1 fd 6'), s
assert len(got) == 7, got
" "$T/p.json"

check "memory hits say so, object hits have no VMA and count offsets" py "
for h in hits('memory'):
    if h['source'] == 'memory':
        assert h['vma'] is not None, h
    else:
        assert h['vma'] is None and h['vma_start'] is None and h['addr'] == '0x0', h
assert any(h['source'] == 'memory' for h in hits('memory'))
" "$T/p.json"

"$CKPT" --format json memparse --search CKPT- --no-objects "$P" >"$T/pn.json" 2>>"$T/err"
check "--no-objects: memory only" py "
assert hits('memory') and all(h['source'] == 'memory' for h in hits('memory'))
" "$T/pn.json"

"$CKPT" --format json memparse --search CKPT- --pid 5 "$P" >"$T/p5.json" 2>>"$T/err"
check "--pid 5: only the objects pid 5 holds" py "
src = {h['source'] for h in hits('memory') if h['source'] != 'memory'}
assert src == {'unix socket queue /tmp/ckpt.sock, pid 5 fd 8'}, src
assert all(h['pid'] == 5 for h in hits('memory'))
" "$T/p5.json"

"$CKPT" --format json memparse --search CKPT- --vma heap "$P" >"$T/pv.json" 2>>"$T/err"
check "--vma narrows the search to memory: no object hits" py "
assert all(h['source'] == 'memory' for h in hits('memory'))
" "$T/pv.json"

"$CKPT" --format json memparse --search CKPT-HIDDEN- --context 40 "$H" >"$T/h.json" 2>>"$T/err"
check "real-hidden: each marker found once, in its object, held by its pid and fd" py "
hs = hits('memory')
assert len(hs) == len(hidden()) == 5, hs
for name, marker, pid, fd, member in hidden():
    m = [h for h in hs if marker in h['context']]
    assert len(m) == 1, (marker, hs)
    assert m[0]['pid'] == pid, m
    assert ', pid %d fd %d' % (pid, fd) in m[0]['source'], (m, pid, fd)
    assert m[0]['source'] != 'memory'
" "$T/h.json"

"$CKPT" --format json memparse --search CKPT-HIDDEN- --no-objects "$H" >"$T/hn.json" 2>>"$T/err"
check "real-hidden: the markers are in no process memory" py "
assert hits('memory') == [], hits('memory')
" "$T/hn.json"

printf 'rule hidden_marker { strings: $m = "CKPT-HIDDEN-" condition: $m }\n' >"$T/hidden.yar"
"$CKPT" --format json yara --no-progress -r "$T/hidden.yar" "$H" >"$T/y.json" 2>>"$T/err"
check "yara: a hit in each object, named by its source" py "
# the rootfs diff is scanned too (marker F: rootfs-diff /var/lib/.cache/.k)
rf = [h for h in hits('yara') if h['source'].startswith('rootfs-diff ')]
assert [h['source'] for h in rf] == ['rootfs-diff /var/lib/.cache/.k'], rf
hs = [h for h in hits('yara') if h not in rf]
assert len(hs) == 5, hs
for name, marker, pid, fd, member in hidden():
    m = [h for h in hs if marker.encode() in base64.b64decode(h['context'])]
    assert len(m) == 1 and ', pid %d fd %d' % (pid, fd) in m[0]['source'], (marker, m)
    assert m[0]['pid'] == pid and m[0]['file'] is None, m
s = D['plugins']['yara']['tables']['summary'][0]
assert s['objects_scanned'] >= 5 and s['hits'] == 6, s
" "$T/y.json"

"$CKPT" --format json run yara --set yara.rules="$T/hidden.yar" \
  --set yara.objects=false --set yara.progress=false "$H" >"$T/yn.json" 2>>"$T/err"
check "yara: yara.objects=false leaves the objects out" py "
assert [h['source'] for h in hits('yara')] == ['rootfs-diff /var/lib/.cache/.k'], hits('yara')
assert D['plugins']['yara']['tables']['summary'][0]['objects_scanned'] == 0
" "$T/yn.json"

# a copy of criu-dir whose pipe holds a (fake) GitHub token instead
cp -r "$FX/criu-dir" "$T/cd"
python3 - "$T/cd/pipes-data.img" <<'EOF'
import struct, sys
def varint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
data = b'token=ghp_Zq8fK2mWc7TnR4vYpL1sXe9BAbCdEfGh1234\n'
msg = b'\x08' + varint(41301) + b'\x10' + varint(len(data)) + b'\x18' + varint(65536)
open(sys.argv[1], 'wb').write(struct.pack('<III', 0x54564319, 0x56453709,
                                          len(msg)) + msg + data)
EOF
"$CKPT" --format json secrets "$T/cd" >"$T/s.json" 2>>"$T/err"
check "secrets: a token in a pipe buffer, placed in the pipe" py "
t = D['plugins']['secrets']['tables']
f = [x for x in t['findings'] if x['kind'] == 'github-token' and x['sources'] == 'object']
assert len(f) == 1, t['findings']
assert f[0]['first'] == 'pipe buffer pipe:[41301], pid 1 fd 10, pid 1 fd 11 +6', f
loc = [l for l in t['locations'] if l['finding'] == f[0]['id']]
assert loc[0]['source'] == 'object' and loc[0]['pid'] == 1 and loc[0]['offset'] == 6, loc
" "$T/s.json"

"$CKPT" --format json secrets --no-objects "$T/cd" >"$T/sn.json" 2>>"$T/err"
check "secrets --no-objects: not found" py "
t = D['plugins']['secrets']['tables']
assert not [x for x in t['findings'] if 'object' in x['sources']], t['findings']
" "$T/sn.json"

# a saved tmpfs (/dev, device 0:45) holding a dropped script: read from
# the gzip'ed tar in memory, named by its mount point
python3 - "$T/cd/tmpfs-dev-45.tar.gz.img" <<'EOF'
import gzip, io, sys, tarfile
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as t:
    d = tarfile.TarInfo('./.cache')
    d.type = tarfile.DIRTYPE
    t.addfile(d)
    data = b'#!/bin/sh\necho CKPT-TMPFS-DROPPED-FILE\n'
    f = tarfile.TarInfo('./.cache/drop.sh')
    f.size = len(data)
    t.addfile(f, io.BytesIO(data))
    # over the size kept in memory: read again from the tar when searched
    big = b'\0' * (3 << 20) + b'CKPT-TMPFS-DROPPED-BIG'
    f = tarfile.TarInfo('./big.bin')
    f.size = len(big)
    t.addfile(f, io.BytesIO(big))
open(sys.argv[1], 'wb').write(gzip.compress(buf.getvalue()))
EOF
"$CKPT" --format json memparse --search CKPT-TMPFS-DROPPED --context 32 "$T/cd" >"$T/t.json" 2>>"$T/err"
check "files of a saved tmpfs, named by their mount point" py "
hs = hits('memory')
assert len(hs) == 2, hs
b = hs[1]
assert b['source'] == 'tmpfs file /dev/big.bin' and b['addr'] == hex(3 << 20), b
assert b['context'].endswith('CKPT-TMPFS-DROPPED-BIG'), b
assert hs[0]['source'] == 'tmpfs file /dev/.cache/drop.sh', hs
assert hs[0]['addr'] == '0xf' and hs[0]['pid'] is None, hs
assert hs[0]['context'] == '#!/bin/sh.echo CKPT-TMPFS-DROPPED-FILE.', hs
" "$T/t.json"

# the same pipe claiming 4 GiB that the image does not hold
python3 - "$T/cd/pipes-data.img" <<'EOF'
import struct, sys
msg = b'\x08\xd5\xc2\x02\x10\xff\xff\xff\xff\x0f'
open(sys.argv[1], 'wb').write(struct.pack('<III', 0x54564319, 0x56453709,
                                          len(msg)) + msg + b'CKPT')
EOF
# the warning is on stderr without -v; nothing found is exit 1 (as grep)
"$CKPT" memparse --search CKPT-PIPE "$T/cd" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "$T/cd: warning: pipes-data.img: payload at offset 22 claims 4294967295 bytes, only 4 remain (pipe 41301)" "$T/bad.err" &&
   ! grep -q "pipe buffer" "$T/bad.out"; then
  ok "a pipe claiming more bytes than its image holds: a warning naming checkpoint and image"
else
  nok "a pipe claiming more bytes than its image holds: a warning naming checkpoint and image"
  sed 's/^/# /' "$T/bad.err" "$T/bad.out"
fi

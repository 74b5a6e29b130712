#!/bin/sh
# ckpt inspect on the real fixtures: checkpointctl's flags, and its JSON
# where checkpointctl is right (the zombie-free CRIU 3.x-form fixture, the
# only one checkpointctl 1.3.0 can read fully), crit's decode elsewhere, and
# what checkpointctl gets wrong (IPv6, unix names, zombies, CRIU 4.2 sizes).
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_BUILD_ROOT).
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-$CKPT_BUILD_ROOT/core/ckpt}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-inspect-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi; }
# runs python3 CODE with the inspect JSON on stdin and the oracle dir in argv
pyjson() { python3 -c "$1" "$FX" < "$2"; }

echo "1..14"

"$CKPT" --format json inspect --all "$FX/podman-nozombie-criu3.tar" > "$T/c3.json" 2> "$T/c3.err"
check "inspect --all --format json runs on the CRIU 3.x-form fixture" test -s "$T/c3.json"

COMMON='
import json, sys
fx = sys.argv[1]
ours = json.load(sys.stdin)["checkpoints"][0]["plugins"]
def theirs(name):
    t = open(fx + "/oracle/checkpointctl/" + name).read()
    return json.loads(t[:t.rfind("# exit status")])[0]
cc = theirs("podman-nozombie-criu3.inspect-all.json")
def walk(rows):
    stack = [(r, None) for r in reversed(rows)]
    while stack:
        r, parent = stack.pop()
        yield r, parent
        stack.extend((c, r["pid"]) for c in reversed(r.get("children", [])))
'

check "process tree: same pids, commands, parents and child order as checkpointctl" pyjson "$COMMON
a = [(r['pid'], r['command'], p) for r, p in walk([cc['process_tree']])]
b = [(r['pid'], r['command'], p) for r, p in walk(ours['pstree']['tables']['processes'])]
assert a == b, (a, b)
" "$T/c3.json"

check "command lines match checkpointctl's (without its trailing padding)" pyjson "$COMMON
a = {r['pid']: r['cmdline'].rstrip() for r, _ in walk([cc['process_tree']])}
b = {r['pid']: r['cmdline'] for r, _ in walk(ours['pstree']['tables']['processes'])}
assert a == b, (a, b)
assert b[4] == 'ckpt-worker: idle', b
" "$T/c3.json"

check "environment variables match checkpointctl's, per process" pyjson "$COMMON
a = {r['pid']: r['environment_variables'] for r, _ in walk([cc['process_tree']])}
b = {}
for e in ours['pstree']['tables']['environment']:
    b.setdefault(e['pid'], {})[e['name']] = e['value']
assert a == b, (a, b)
" "$T/c3.json"

check "open files: same fds, types and regular paths as checkpointctl" pyjson "$COMMON
a = set(); b = set()
for p in cc['file_descriptors']:
    for f in p['open_files']:
        fd = f['fd'].split()[-1]
        a.add((p['pid'], fd, f['type'], f['path'] if f['type'] in ('REG', '') else ''))
for f in ours['files']['tables']['files']:
    t = f['type'] or ''
    path = f['path'] if t in ('REG', '') else ''
    if path.endswith(' (deleted)'):
        path = path[:-len(' (deleted)')]
    b.add((f['pid'], f['fd'], t, path))
assert a == b, (a ^ b)
" "$T/c3.json"

check "inet sockets: checkpointctl's fields, except its IPv6 text" pyjson "$COMMON
a = []; b = []
for p in cc['sockets']:
    for s in p['open_sockets']:
        d = s['data']
        if d.get('type') in ('TCP', 'UDP'):
            a.append((p['pid'], d['type'], d.get('state'), d.get('src'), d.get('src_port', 0), d.get('dst_port', 0)))
for s in ours['sockets']['tables']['sockets']:
    if s['protocol'] in ('TCP', 'UDP'):
        b.append((s['pid'], s['protocol'], s['state'], s['src'], s['src_port'], s['dst_port']))
# checkpointctl 1.3.0 prints ::1 as 0:1:: (word order swapped)
a = [x[:3] + (('::1',) if x[3] == '0:1::' else (x[3],)) + x[4:] for x in a]
assert sorted(a) == sorted(b), (a, b)
" "$T/c3.json"

check "mounts: checkpointctl's destination, type and source, in order" pyjson "$COMMON
a = [(m['destination'], m['type'], m['source']) for m in cc['mounts']]
b = [(m['destination'], m['type'], m['source']) for m in ours['mounts']['tables']['mounts']]
assert a == b, (a, b)
" "$T/c3.json"

# Past checkpointctl: the fixture with a zombie, on CRIU 4.2 images.
"$CKPT" --format json inspect --all "$FX/podman-none.tar" > "$T/p.json" 2> "$T/p.err"
check "inspect --all succeeds where checkpointctl fails (zombie, CRIU 4.2)" test -s "$T/p.json"

check "states: stopped and zombie shown with exit code; real memory sizes" pyjson "$COMMON
rows = {r['pid']: r for r, _ in walk(ours['pstree']['tables']['processes'])}
assert rows[2]['task_state'] == 'Stopped', rows[2]
assert rows[3]['task_state'] == 'Zombie' and rows[3]['exit_code'] == 7, rows[3]
assert rows[1]['memory'] > 0 and rows[5]['memory'] > 0
assert rows[1]['threads'] == 2
assert rows[1]['seccomp'] == 'filter' and rows[1]['cgroup']
" "$T/p.json"

check "sockets: IPv6 in brackets, unix path, abstract name, peer, TCP queues" pyjson "$COMMON
s = {(x['pid'], x['fd']): x for x in ours['sockets']['tables']['sockets']}
assert s[(5, 5)]['local'] == '[::1]:5353', s[(5, 5)]
assert s[(5, 6)]['address'] == '/tmp/ckpt.sock', s[(5, 6)]
assert s[(5, 9)]['address'] == '@ckpt-abstract', s[(5, 9)]
assert s[(5, 7)]['peer'], s[(5, 7)]
q = json.load(open(fx + '/oracle/podman-none/tcp-stream-%x.img.json' % s[(1, 6)]['inode']))['entries'][0]
assert s[(1, 6)]['in_queue'] == q['inq_len'] and s[(1, 6)]['out_queue'] == q['outq_len'], (s[(1, 6)], q)
assert s[(5, 10)]['protocol'] == 'NETLINK'
" "$T/p.json"

check "namespace: hostname from utsns, loopback with 127.0.0.1/8" pyjson "$COMMON
uts = json.load(open(fx + '/oracle/podman-none/utsns-12.img.json'))['entries'][0]
ns = ours['pstree']['tables']['namespaces'][0]
assert ns['hostname'] == uts['nodename'], ns
addrs = [a['address'] for a in ours['sockets']['tables']['addresses']]
assert '127.0.0.1/8' in addrs, addrs
" "$T/p.json"

"$CKPT" inspect --ps-tree-cmd --pid 5 "$FX/podman-none.tar" > "$T/pid.txt" 2>&1
check "--pid 5 shows only that subtree" sh -c "grep -q 'Process tree' '$T/pid.txt' && ! grep -q 'ckpt-stopped' '$T/pid.txt' && grep -q 'ckpt-worker: idle' '$T/pid.txt'"

"$CKPT" inspect --ps-tree --pid 4242 "$FX/podman-none.tar" > "$T/nopid.txt" 2>&1
rc=$?
check "--pid of a missing process fails and says so" sh -c "[ $rc -eq 1 ] && grep -q 'no process with pid 4242' '$T/nopid.txt'"

head -c 100000 "$FX/podman-none.tar" > "$T/cut.tar"
"$CKPT" inspect --ps-tree "$T/cut.tar" > "$T/cut.txt" 2>&1
rc=$?
check "a truncated archive is an error, not a crash" sh -c "[ $rc -eq 1 ] && [ -s '$T/cut.txt' ]"

#!/bin/sh
# ckpt on podman-fdzoo.tar (tests/fixtures/fdzoo.c): a real Podman/CRIU 4.2
# checkpoint holding a FIFO, signalfd, timerfd, inotify, eventfd, epoll,
# packet and netlink sockets, a memfd, a pidfd, a pty pair, and shared
# anonymous memory mapped by two processes. Each descriptor the workload
# reported (ready-fdzoo.txt) is listed with its kind and path, flags and
# socket fields equal crit's decoding (oracle/podman-fdzoo), and the text
# in the memfd and in the shared memory is found. TAP.
TAP_NAME=fdzoo
. "$(dirname "$0")/tap.sh"
F=$FX/podman-fdzoo.tar
OR=$FX/oracle/podman-fdzoo

echo "1..9"

"$CKPT" --format json run files,sockets,memory "$F" > "$T/run.json" 2> "$T/err"
s=$?
check "ckpt run files,sockets,memory exits 0 without warnings" \
  sh -c "[ $s -eq 0 ] && [ ! -s '$T/err' ] || { cat '$T/err'; exit 1; }"

# py CODE: CODE sees P (plugins of the first checkpoint), OR, READY
py() {
  python3 -c "
import json, sys
P = json.load(open(sys.argv[1]))['checkpoints'][0]['plugins']
OR = sys.argv[2]
READY = {}
for l in open(sys.argv[3]):
    f = l.split()
    if f[0] == 'fd':
        READY[int(f[1])] = f[2]
def oracle(name):
    return json.load(open(OR + '/' + name + '.json'))['entries']
FILES = P['files']['tables']['files']
def fd(pid, n):
    r = [x for x in FILES if x['pid'] == pid and x['fd'] == str(n)]
    assert len(r) == 1, (pid, n, r)
    return r[0]
$1" "$T/run.json" "$OR" "$FX/ready-fdzoo.txt"
}

check "every descriptor the workload made is there, of its kind" py "
kinds = {'fifo': 'FIFO', 'signalfd': 'SIGNALFD', 'timerfd': 'TIMERFD',
         'inotify': 'INOTIFY', 'eventfd': 'EVENTFD', 'eventpoll': 'EVENTPOLL',
         'packet': 'PACKETSK', 'memfd': 'MEMFD', 'pidfd': 'PIDFD',
         'netlink': 'NETLINKSK', 'pty-master': 'TTY', 'pty-slave': 'TTY'}
assert len(READY) == 12, READY
for n, what in READY.items():
    assert fd(1, n)['type'] == kinds[what], (n, what, fd(1, n))
"

check "paths: the FIFO's, the memfd's name, the pidfd's pid, both pty ends" py "
want = {10: '/tmp/ckpt-fifo', 17: 'memfd:ckpt-memfd',
        18: 'anon_inode:[pidfd 2]', 20: '/dev/pts/ptmx', 21: '/dev/pts/0',
        11: 'anon_inode:[signalfd]', 12: 'anon_inode:[timerfd]',
        13: 'anon_inode:inotify', 14: 'anon_inode:[eventfd]',
        15: 'anon_inode:[eventpoll]'}
for n, p in want.items():
    assert fd(1, n)['path'] == p, (n, fd(1, n))
"

check "open flags and file ids equal crit's files.img" py "
byid = {e['id']: e for e in oracle('files.img')}
def crit_flags(e):
    sub = [v for k, v in e.items() if isinstance(v, dict)][0]
    f = sub.get('flags', 0)
    if isinstance(f, int):
        return f
    if f.startswith('0x'):
        return int(f, 16)
    names = {'O_RDWR': 2, 'O_WRONLY': 1, 'O_LARGEFILE': 0o100000,
             'O_NONBLOCK': 0o4000, 'O_CLOEXEC': 0o2000000}
    return sum(names[x.strip()] for x in f.split('|') if x.strip())
checked = 0
for n in READY:
    r = fd(1, n)
    e = byid[r['file_id']]
    if e['type'] == 'FIFO':  # flags and path are its regular file's
        e = byid[e['fifo']['regf_id']]
    if e['type'] in ('PACKETSK', 'NETLINKSK', 'PIDFD', 'EVENTPOLL'):
        continue  # socket flags live in the socket table; see below
    assert int(r['flags'], 16) == crit_flags(e), (n, r, e)
    checked += 1
assert checked >= 8, checked
"

check "details: signals, timer, watches, count, epoll fds, memfd size as crit decodes them" py "
E = {e['type']: e for e in oracle('files.img')}
sg, tf, ify = E['SIGNALFD']['sgfd'], E['TIMERFD']['tfd'], E['INOTIFY']['ify']
ef, ep = E['EVENTFD']['efd'], E['EVENTPOLL']['epfd']
assert int(sg['sigmask'], 16) == 1 << 11  # SIGUSR2 is 12
want = {
  11: 'signals SIGUSR2',
  12: 'CLOCK_MONOTONIC, next in %d.%03d s, every %d s' % (
      tf['vsec'], tf['vnsec'] // 1000000, tf['isec']),
  13: 'watches %s (CREATE|DELETE)' % ify['wd'][0]['f_handle']['path'],
  14: 'count %d' % ef['counter'],
  15: 'fds ' + ', '.join(str(t['tfd']) for t in ep['tfd']),
}
assert tf['clockid'] == 1 and int(ify['wd'][0]['mask'], 16) == 0x300, (tf, ify)
mem = [m for m in oracle('memfd.img') if m['name'] == 'ckpt-memfd'][0]
want[17] = 'size %d, seals SEAL' % mem['size']
for n, d in want.items():
    assert fd(1, n)['detail'] == d, (n, fd(1, n)['detail'], d)
assert fd(1, 0)['detail'] is None
"

check "packet socket: type, ethertype and ifindex as crit decodes them" py "
S = P['sockets']['tables']['sockets']
r = [s for s in S if s['fd'] == 16]
assert len(r) == 1, S
e = [x['psk'] for x in oracle('files.img') if x['type'] == 'PACKETSK'][0]
proto = ((e['protocol'] & 0xff) << 8) | (e['protocol'] >> 8)
assert r[0]['protocol'] == 'PACKET' and r[0]['type'] == 'RAW', r
assert r[0]['ifindex'] == e['ifindex'] and r[0]['inode'] is None, r
assert 'proto 0x%04x' % proto in r[0]['description'] and proto == 3, r
"

check "netlink socket: ROUTE, unconnected, inode and portid as crit's" py "
S = P['sockets']['tables']['sockets']
r = [s for s in S if s['fd'] == 19]
e = [x['nlsk'] for x in oracle('files.img') if x['type'] == 'NETLINKSK'][0]
assert len(r) == 1 and r[0]['inode'] == e['ino'], (r, e)
assert r[0]['portid'] == e['portid'] and r[0]['state'] == 'UNCONNECTED', r
assert r[0]['description'].startswith('netlink ROUTE'), r
"

"$CKPT" --format json memparse "$F" --search CKPT-MARKER-SHMEM > "$T/shm.json" 2>> "$T/err"
"$CKPT" --format json memparse "$F" --search CKPT-MARKER-MEMFD > "$T/mfd.json" 2>> "$T/err"
check "shared anonymous memory (a memfd named /dev/zero to CRIU 4) is read in both processes" python3 -c "
import json, sys
H = json.load(open(sys.argv[1]))['checkpoints'][0]['plugins']['memory']['tables']['hits']
assert sorted(h['pid'] for h in H) == [1, 2], H
assert len({h['addr'] for h in H}) == 1 and H[0]['vma'] == 'memfd', H
" "$T/shm.json"
check "the memfd's text is found where the memfd is mapped; shared sizes count both" py "
H = json.load(open(sys.argv[1].replace('run.json', 'mfd.json')))
H = H['checkpoints'][0]['plugins']['memory']['tables']['hits']
# the memory hit, and the memfd's content as the object fd 17 holds
O = [h for h in H if h['source'] != 'memory']
H = [h for h in H if h['source'] == 'memory']
assert len(H) == 1 and H[0]['pid'] == 1 and H[0]['vma'] == 'memfd', H
assert len(O) == 1 and O[0]['source'] == 'memfd ckpt-memfd, pid 1 fd 17', O
M = {r['pid']: r for r in P['memory']['tables']['processes']}
# pid 1 maps the memfd (1 present page) and the shared page; pid 2 the latter
assert M[1]['shared'] == 8192 and M[2]['shared'] == 4096, M
"

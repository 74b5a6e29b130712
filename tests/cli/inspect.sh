#!/bin/sh
# ckpt inspect on the real fixtures, against checkpointctl 1.3.0's own
# outputs (tests/fixtures/oracle/checkpointctl): its tree's labels, order
# and nesting, and its --format json document, on the zombie-free CRIU
# 3.x-form fixture (the only one checkpointctl reads fully); and where
# checkpointctl is wrong (podman-none.tar: CRIU 4.2 sizes, a zombie, IPv6,
# unix names, TCP queues) crit's decode is the oracle.
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_BUILD_ROOT).
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
CC=$FX/oracle/checkpointctl
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-inspect-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi; }
# python3 CODE FILE...: COMMON is prepended; argv[1] is the fixtures dir
py() { code=$1; shift; python3 -c "$COMMON
$code" "$FX" "$@"; }

echo "1..33"

COMMON='
import json, re, sys
fx = sys.argv[1]
cc = fx + "/oracle/checkpointctl/"
def oracle(name):
    t = open(cc + name, encoding="utf-8").read()
    return t[:t.rfind("# exit status")]
def theirs_json(name):
    return json.loads(oracle(name))[0]
def ours_json(path):
    return json.load(open(path))[0]
def walk(root):
    stack = [(root, None)]
    while stack:
        r, parent = stack.pop()
        yield r, parent
        stack.extend((c, r["pid"]) for c in reversed(r.get("children", [])))
# a tree text as (depth, text) pairs; the root line is depth 0
def tree(text):
    out = []
    for line in text.splitlines():
        m = re.match(r"^((?:│   |    )*)(?:├── |└── )(.*)$", line)
        if m:
            out.append((len(m.group(1)) // 4 + 1, m.group(2).rstrip()))
        elif line and not line.startswith("Displaying"):
            out.append((0, line.rstrip()))
    return out
# the lines under the first line equal to title, with depths relative
def branch(lines, title):
    for i, (d, t) in enumerate(lines):
        if t == title:
            j = i + 1
            while j < len(lines) and lines[j][0] > d:
                j += 1
            return [(x - d, y) for x, y in lines[i + 1:j]]
    raise AssertionError("no branch " + title)
'

# ---- tree text against checkpointctl's --------------------------------
"$CKPT" inspect --files --sockets "$FX/podman-nozombie-criu3.tar" > "$T/fs.txt" 2> "$T/fs.err"
check "inspect --files --sockets runs" test -s "$T/fs.txt"

check "metadata lines as checkpointctl's, same order, straight under the checkpoint" py '
a = [(d, t) for d, t in tree(oracle("podman-nozombie-criu3.files-sockets.txt")) if d <= 2 and ":" in t]
b = [(d, t) for d, t in tree(open(sys.argv[2]).read()) if d <= 2 and ":" in t and not t.startswith(("Hostname", "Domain"))]
b = [x for x in b if x[1].split(":")[0] in {y.split(":")[0] for _, y in a}]
assert a == b, (a, b)
' "$T/fs.txt"

# The nodes checkpointctl shows under "Process tree": processes, the
# "Open files"/"Open sockets" headings, file and socket lines by their
# bracket; ckpt's own detail lines ("Peer: ...") are left out.
KEYS='
def keys(lines, with_command=True):
    out = []
    for d, t in lines:
        m = re.match(r"^(\[[^\]]*\])(?:  (.*))?$", t)
        if t in ("Open files", "Open sockets", "Environment variables"):
            out.append((d, t))
        elif m and re.match(r"^\[\d+\]$", m.group(1)):
            # ckpt adds the state of a process that is not alive
            cmd = re.sub(r" \((Stopped|Dead|Zombie)[^)]*\)$", "", m.group(2) or "")
            out.append((d, m.group(1) + ("  " + cmd if with_command else "")))
        elif m:
            path = m.group(2) or ""
            # regular files and cwd/root by path; others by bracket only
            if m.group(1).startswith("[REG") or m.group(1) in ("[cwd]", "[root]"):
                out.append((d, m.group(1) + "  " + path.replace(" (deleted)", "")))
            else:
                out.append((d, m.group(1)))
    return out
'
check "process tree: processes with their open files and sockets nested as checkpointctl's" py "$KEYS"'
a = keys(branch(tree(oracle("podman-nozombie-criu3.files-sockets.txt")), "Process tree"))
# checkpointctl names no protocol for a netlink socket ("[]")
a = [(d, "[NETLINK]" if t == "[]" else t) for d, t in a]
b = keys(branch(tree(open(sys.argv[2]).read()), "Process tree"))
assert a == b, "\n".join("%r %r" % x for x in zip(a, b) if x[0] != x[1]) or (len(a), len(b))
assert (1, "[1]  workload") in b and (2, "Open files") in b
' "$T/fs.txt"

# --reveal: checkpointctl, the oracle, shows environment values in full
"$CKPT" --reveal inspect --all "$FX/podman-nozombie-criu3.tar" > "$T/all.txt" 2> "$T/all.err"
check "inspect --all: checkpointctl's top-level branches in its order, then only ckpt's own" py '
want = [t for d, t in tree(oracle("podman-nozombie-criu3.inspect-all.txt")) if d == 1]
got = [t for d, t in tree(open(sys.argv[2]).read()) if d == 1]
assert got[:len(want)] == want, (got, want)
assert got[len(want):] == ["Namespaces", "Network interfaces", "Mount namespace"], got
' "$T/all.txt"

check "inspect --all: CRIU dump statistics as checkpointctl's (labels, units, no extra counters)" py '
a = branch(tree(oracle("podman-nozombie-criu3.inspect-all.txt")), "CRIU dump statistics")
b = branch(tree(open(sys.argv[2]).read()), "CRIU dump statistics")
assert a == b, (a, b)
assert (1, "Freezing time: 1.141 ms") in b and (1, "Memwrite time: 460 µs") in b
' "$T/all.txt"

check "inspect --all: Metadata branch as checkpointctl's (annotations sorted by key)" py '
a = branch(tree(oracle("podman-nozombie-criu3.inspect-all.txt")), "Metadata")
b = branch(tree(open(sys.argv[2]).read()), "Metadata")
assert sorted(a) == sorted(b), (a, b)
ann = [t for d, t in b if d == 2]
assert ann == sorted(ann) and len(ann) == 4, ann
' "$T/all.txt"

check "inspect --all: the checkpoint size line equals checkpointctl's" py '
a = [t for d, t in tree(oracle("podman-nozombie-criu3.inspect-all.txt")) if "size" in t]
b = [t for d, t in tree(open(sys.argv[2]).read()) if "size" in t]
assert a == b, (a, b)
' "$T/all.txt"

# ---- the flags one by one -------------------------------------------------
"$CKPT" inspect "$FX/podman-nozombie-criu3.tar" > "$T/plain.txt" 2>&1
check "inspect without flags: checkpointctl's lines only (no statistics, no extras)" py '
show = [t for d, t in tree(oracle("podman-nozombie-criu3.ps-tree-cmd.txt")) if d == 1 and t != "Process tree"]
got = [t for d, t in tree(open(sys.argv[2]).read()) if d == 1]
assert got == show, (got, show)
' "$T/plain.txt"

"$CKPT" inspect --ps-tree-cmd "$FX/podman-nozombie-criu3.tar" > "$T/cmd.txt" 2>&1
check "--ps-tree-cmd: the command line replaces the name, as checkpointctl" py "$KEYS"'
a = tree(oracle("podman-nozombie-criu3.ps-tree-cmd.txt"))
b = tree(open(sys.argv[2]).read())
strip = lambda l: [(d, re.sub(r" \((Stopped|Dead|Zombie)[^)]*\)$", "", t)) for d, t in l]
assert strip(b) == a, "\n".join("%r %r" % x for x in zip(strip(b), a) if x[0] != x[1]) or (len(a), len(b))
assert (3, "[4]  ckpt-worker: idle") in b
' "$T/cmd.txt"

"$CKPT" inspect --stats --metadata "$FX/crio-none.tar" > "$T/crio.txt" 2>&1
check "--stats --metadata on CRI-O: durations in checkpointctl's units, pod name and namespace" py '
b = tree(open(sys.argv[2]).read())
st = branch(b, "CRIU dump statistics")
assert [t.split(":")[0] for d, t in st] == ["Freezing time", "Frozen time", "Memdump time", "Memwrite time", "Pages scanned", "Pages written"], st
# 197103 us: five significant digits, trailing zero dropped
assert (1, "Frozen time: 197.1 ms") in st and (1, "Freezing time: 973 µs") in st, st
md = branch(b, "Metadata")
assert md[0] == (1, "Pod name: ckpt-fixture-7d9c5b6f4-x2k8q"), md
assert md[1] == (1, "Kubernetes namespace: forensics"), md
assert (2, "io.container.manager: cri-o") in md, md
# JSON-valued annotations drawn as branches, as checkpointctl does
i = md.index((2, "io.kubernetes.cri-o.Labels"))
assert md[i + 1] == (3, "io.kubernetes.container.name: ckpt-workload"), md[i:i + 3]
assert (2, "io.kubernetes.cri-o.Metadata") in md and (3, "name: ckpt-workload") in md
top = [t for d, t in b if d == 1]
assert "Process tree" not in top and "Namespaces" not in top, top
' "$T/crio.txt"

"$CKPT" inspect --namespaces --network "$FX/podman-none.tar" > "$T/ns.txt" 2>&1
check "--namespaces --network: ckpt's own branches, without the spec's mounts" py '
b = tree(open(sys.argv[2]).read())
top = [t for d, t in b if d == 1]
assert top[-3:] == ["Namespaces", "Network interfaces", "Mount namespace"], top
assert "Overview of mounts" not in top and "CRIU dump statistics" not in top, top
assert "Process tree" not in top, top
uts = json.load(open(fx + "/oracle/podman-none/utsns-12.img.json"))["entries"][0]
assert (1, "Hostname: " + uts["nodename"]) in branch(b, "Namespaces")
' "$T/ns.txt"

check "--all (--details): each process's threads and credentials under it" py '
lines = branch(tree(open(sys.argv[2]).read()), "Process tree")
i = [t for d, t in lines].index("Threads")
assert lines[i][0] == 2 and lines[i + 1] == (3, "1  workload") and lines[i + 2] == (3, "3  ckpt-thread"), lines[i:i + 3]
assert (2, "UID: 0") in lines and (2, "Seccomp: filter") in lines
' "$T/all.txt"

"$CKPT" inspect --help > "$T/help.txt" 2>&1
check "inspect --help documents the flags past checkpointctl's" sh -c "
grep -q -- '--namespaces' '$T/help.txt' && grep -q -- '--network' '$T/help.txt' &&
grep -q -- '--details' '$T/help.txt' && grep -q -- '--stats' '$T/help.txt'"

check "inspect --all: environment, files, sockets under each process, in checkpointctl's order" py "$KEYS"'
a = keys(branch(tree(oracle("podman-nozombie-criu3.inspect-all.txt")), "Process tree"), False)
a = [(d, "[NETLINK]" if t == "[]" else t) for d, t in a]
lines = branch(tree(open(sys.argv[2]).read()), "Process tree")
b = keys(lines, False)
# environment values: same NAME=VALUE lines per process, in order
ea = [t for d, t in branch(tree(oracle("podman-nozombie-criu3.inspect-all.txt")), "Process tree") if re.match(r"^[A-Za-z_]+=", t)]
eb = [t for d, t in lines if re.match(r"^[A-Za-z_]+=", t)]
assert a == b, "\n".join("%r %r" % x for x in zip(a, b) if x[0] != x[1]) or (len(a), len(b))
assert ea == eb, (ea, eb)
# --all has --ps-tree-cmd: command lines as labels, no separate line
assert (2, "[4]  ckpt-worker: idle") in lines, lines[:5]
assert not any(t.startswith("Command line:") for d, t in lines)
' "$T/all.txt"

check "mounts: Destination lines with Type and Source under them, as checkpointctl's" py '
a = branch(tree(oracle("podman-nozombie-criu3.inspect-all.txt")), "Overview of mounts")
b = branch(tree(open(sys.argv[2]).read()), "Overview of mounts")
assert a == b, (a, b)
' "$T/all.txt"

# ---- JSON against checkpointctl's --format json -------------------------
"$CKPT" --reveal --format json inspect --all "$FX/podman-nozombie-criu3.tar" > "$T/c3.json" 2> "$T/c3.err"
check "inspect --all --format json is checkpointctl's array" py '
d = json.load(open(sys.argv[2]))
assert isinstance(d, list) and len(d) == 1, type(d)
' "$T/c3.json"

check "json: container fields, sizes and statistics equal checkpointctl's" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
for k in ("container_name", "image", "id", "runtime", "created", "engine"):
    assert a[k] == b[k], (k, a[k], b.get(k))
for k, v in a["checkpoint_size"].items():
    # total_size: every regular file under checkpoint/, 298312 here
    assert b["checkpoint_size"][k] == v, (k, v, b["checkpoint_size"])
for k, v in a["statistics"].items():
    assert b["statistics"][k] == v, (k, v, b["statistics"])
' "$T/c3.json"

check "json: process_tree has checkpointctl's pids, commands, parents and order" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
x = [(r["pid"], r["command"], p) for r, p in walk(a["process_tree"])]
y = [(r["pid"], r["command"], p) for r, p in walk(b["process_tree"])]
assert x == y, (x, y)
' "$T/c3.json"

check "json: cmdline (without checkpointctl's padding) and environment_variables" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
x = {r["pid"]: (r["cmdline"].rstrip(), r["environment_variables"]) for r, _ in walk(a["process_tree"])}
y = {r["pid"]: (r["cmdline"], r["environment_variables"]) for r, _ in walk(b["process_tree"])}
assert x == y, (x, y)
' "$T/c3.json"

check "json: file_descriptors: pids, fd labels, types, regular paths as checkpointctl's" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
def files(doc):
    return [(p["pid"], [(f["fd"], f["type"], f["path"].replace(" (deleted)", "") if f["type"] in ("REG", "") else "")
                        for f in p["open_files"]]) for p in doc["file_descriptors"]]
assert files(a) == files(b), (files(a), files(b))
' "$T/c3.json"

check "json: inet sockets: protocol, data.type, state, ports as checkpointctl's" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
def inet(doc):
    out = []
    for p in doc["sockets"]:
        for s in p["open_sockets"]:
            d = s["data"]
            if s.get("protocol") in ("TCP", "UDP"):
                # checkpointctl 1.3.0 prints ::1 as 0:1:: (word order swapped)
                src = "::1" if d["src"] == "0:1::" else d["src"]
                out.append((p["pid"], s["protocol"], d["type"], d["state"], src, d.get("src_port", 0), d["dst"], d.get("dst_port", 0)))
    return out
assert inet(a) == inet(b), (inet(a), inet(b))
' "$T/c3.json"

check "json: mounts as checkpointctl's" py '
a = theirs_json("podman-nozombie-criu3.inspect-all.json"); b = ours_json(sys.argv[2])
x = [(m["destination"], m["type"], m["source"]) for m in a["mounts"]]
y = [(m["destination"], m["type"], m["source"]) for m in b["mounts"]]
assert x == y, (x, y)
' "$T/c3.json"

# ---- past checkpointctl: the fixture with a zombie, CRIU 4.2 images ------
"$CKPT" inspect --all "$FX/podman-none.tar" > "$T/p.txt" 2> "$T/p.err"
check "tree: stopped and zombie states on their nodes, zombie's exit code (its name: no command line)" sh -c "
grep -qx '│       ├── \[2\]  /app/workload .* (Stopped)' '$T/p.txt' &&
grep -qx '│       ├── \[3\]  ckpt-zombie (Zombie, exit 7)' '$T/p.txt'"

check "tree: CRIU 4.2 memory pages size is not zero (checkpointctl says 0)" py '
b = tree(open(sys.argv[2]).read())
m = [t for d, t in b if t.startswith("Memory pages size: ")]
assert m and m[0] != "Memory pages size: 0 B", m
assert b[b.index((2, m[0])) - 1][1].startswith("Checkpoint size: ")
' "$T/p.txt"

check "tree: IPv6 as [::1]:5353, unix path and abstract name, TCP queued bytes from tcp-stream" py '
lines = branch(tree(open(sys.argv[2]).read()), "Process tree")
texts = [t for d, t in lines]
assert "[UDP]  [::1]:5353 -> [::]:0 (↑ 208.0 KiB ↓ 208.0 KiB)" in texts, texts
assert "[UNIX (STREAM)]  /tmp/ckpt.sock" in texts
assert "[UNIX (STREAM)]  @ckpt-abstract" in texts
q = [json.load(open(fx + "/oracle/podman-none/" + f))["entries"][0] for f in __import__("os").listdir(fx + "/oracle/podman-none") if f.startswith("tcp-stream-")]
# under TCP nodes only: unix sockets have queued packets too
reads = sorted(t for i, (d, t) in enumerate(lines) if t.startswith("Queued to read: ")
               and any(lines[j][1].startswith("[TCP") for j in range(i) if lines[j][0] == d - 1 and
                       all(lines[k][0] >= d for k in range(j + 1, i))))
assert reads == sorted("Queued to read: %d B" % e["inq_len"] for e in q), (reads, q)
' "$T/p.txt"

"$CKPT" --format json inspect --all "$FX/podman-none.tar" > "$T/p.json" 2> "$T/p.err"
check "json: states, exit code, memory, threads, credentials past checkpointctl's fields" py '
b = ours_json(sys.argv[2])
rows = {r["pid"]: r for r, _ in walk(b["process_tree"])}
assert rows[2]["task_state"] == "Stopped", rows[2]
assert rows[3]["task_state"] == "Zombie" and rows[3]["exit_code"] == 7, rows[3]
assert rows[1]["memory"] > 0 and rows[5]["memory"] > 0
assert rows[1]["threads"] == 2 and len(rows[1]["threads_list"]) == 2
assert rows[1]["seccomp"] == "filter" and rows[1]["cgroup"] and rows[1]["cap_eff"].startswith("0x")
assert b["checkpoint_size"]["memory_pages_size"] > 0
' "$T/p.json"

check "json: sockets with bracketed IPv6, unix names, peers, TCP queues; namespaces" py '
b = ours_json(sys.argv[2])
s = {(p["pid"], x["data"]["fd"]): x for p in b["sockets"] for x in p["open_sockets"]}
assert s[(5, 5)]["data"]["local"] == "[::1]:5353", s[(5, 5)]
assert s[(5, 6)]["data"]["address"] == "/tmp/ckpt.sock", s[(5, 6)]
assert s[(5, 9)]["data"]["address"] == "@ckpt-abstract", s[(5, 9)]
assert s[(5, 7)]["data"]["peer"], s[(5, 7)]
d = s[(1, 6)]["data"]
q = json.load(open(fx + "/oracle/podman-none/tcp-stream-%x.img.json" % d["inode"]))["entries"][0]
assert d["in_queue"] == q["inq_len"] and d["out_queue"] == q["outq_len"], (d, q)
assert s[(5, 10)]["protocol"] == "NETLINK"
uts = json.load(open(fx + "/oracle/podman-none/utsns-12.img.json"))["entries"][0]
assert b["namespaces"]["hostname"] == uts["nodename"], b["namespaces"]
assert "127.0.0.1/8" in b["interfaces"][0]["addresses"]
' "$T/p.json"

# ---- --pid: the process and its subtree, with their files and sockets ----
"$CKPT" inspect --files --sockets --pid 5 "$FX/podman-none.tar" > "$T/pid.txt" 2>&1
check "--pid 5: only that subtree, its files and sockets under it" py '
lines = branch(tree(open(sys.argv[2]).read()), "Process tree")
assert lines[0] == (1, "[5]  workload"), lines[:2]
assert not any(t.startswith(("[1]", "[2]", "[3]")) for d, t in lines)
assert (2, "Open files") in lines and (2, "Open sockets") in lines
assert (3, "[NETLINKSK 10]  socket:[40673]") in lines or any(t.startswith("[NETLINKSK 10]") for d, t in lines)
assert not any(t == "Open files" and d == 1 for d, t in tree(open(sys.argv[2]).read()))
' "$T/pid.txt"

"$CKPT" --format json inspect --all --pid 1 "$FX/podman-none.tar" > "$T/pid1.json" 2>&1
check "--pid 1 --format json: the whole subtree, files of every process in it" py '
b = ours_json(sys.argv[2])
assert [r["pid"] for r, _ in walk(b["process_tree"])] == [1, 2, 3, 5]
assert [p["pid"] for p in b["file_descriptors"]] == [1, 2, 5]
' "$T/pid1.json"

"$CKPT" inspect --ps-tree --pid 4242 "$FX/podman-none.tar" > "$T/nopid.txt" 2>&1
rc=$?
check "--pid of a missing process fails and says so" sh -c "[ $rc -eq 1 ] && grep -q 'no process with pid 4242' '$T/nopid.txt'"

head -c 100000 "$FX/podman-none.tar" > "$T/cut.tar"
"$CKPT" inspect --ps-tree "$T/cut.tar" > "$T/cut.txt" 2>&1
rc=$?
check "a truncated archive is an error, not a crash" sh -c "[ $rc -eq 1 ] && [ -s '$T/cut.txt' ]"

# ---- ckpt run keeps the generic shape; triage from the build tree --------
"$CKPT" --format json run pstree "$FX/podman-none.tar" > "$T/run.json" 2>&1
check "ckpt run --format json keeps the generic document (docs/json.md)" py '
d = json.load(open(sys.argv[2]))
assert d["checkpoints"][0]["plugins"]["pstree"]["tables"]["processes"][0]["pid"] == 1
' "$T/run.json"

"$CKPT" run triage "$FX/podman-none.tar" > "$T/triage.txt" 2>&1
rc=$?
check "ckpt run triage from the build tree finds the source tree's rules" sh -c "
[ $rc -eq 0 ] && ! grep -q 'yara: failed' '$T/triage.txt' && grep -q 'YARA hits' '$T/triage.txt'"

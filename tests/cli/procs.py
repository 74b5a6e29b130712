#!/usr/bin/env python3
"""procs.py - TAP test: many processes.

The real fixture procs/podman-procs.tar.zst (bench/make-procs.sh: one
init forking 399 children that sleep, a Podman 5.4 export) and a
10,000-process checkpoint crafted from it by
tests/fixtures/craft-procs.py (pids 401..10000 copied from pid 2) are
inspected: process counts, parents and a few pids in checkpointctl's
JSON (inspect --ps-tree --format json), in pstree's own table and in the
tree; then the cost of `inspect --all --format json` must grow linearly
with the process count: the child CPU time of 10,000 processes at most 8x
that of 2,500 (4x is linear; a renderer scanning every row per process,
as ctl-json did, made it about 15x).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

FX = os.environ["CKPT_FIXTURES"]
CKPT = os.environ.get("CKPT") or os.path.join(os.environ["CKPT_BUILD_ROOT"],
                                              "core", "ckpt")
CRAFT = os.path.join(FX, "craft-procs.py")
REAL = os.path.join(FX, "procs", "podman-procs.tar.zst")
n = 0
failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in str(detail).splitlines()[:20]:
            print(f"# {line}")


def ckpt(*args):
    r = subprocess.run([CKPT, "--color=never", *args], capture_output=True,
                       text=True)
    return r.returncode, r.stdout, r.stderr


def cpu_of(*args):
    """The user+system CPU seconds of one ckpt run (best of 2; one run
    under valgrind, which is slow and steady)."""
    best = None
    for _ in range(1 if os.environ.get("CKPT_UNDER_VALGRIND") else 2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([CKPT, *args], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
    return best


def check(path, total, pids):
    name = os.path.basename(path)
    rc, out, err = ckpt("inspect", "--ps-tree", "--format", "json", path)
    ok(rc == 0, f"{name}: inspect --ps-tree --format json exits 0", err)
    try:
        tree = json.loads(out)[0]["process_tree"]
    except (ValueError, KeyError, IndexError) as e:
        ok(False, f"{name}: process_tree in the JSON", e)
        return
    kids = tree.get("children", [])
    ok(tree.get("pid") == 1 and len(kids) == total - 1,
       f"{name}: pid 1 with {total - 1} children",
       f"pid {tree.get('pid')}, {len(kids)} children")
    seen = {k.get("pid") for k in kids}
    ok(all(p in seen for p in pids if p != 1) and len(seen) == total - 1,
       f"{name}: pids {pids} among {total - 1} distinct children")
    ok(all(not k.get("children") for k in kids),
       f"{name}: the children have none")

    rc, out, err = ckpt("run", "pstree", "--format", "json", path)
    ok(rc == 0, f"{name}: run pstree --format json exits 0", err)
    rows, todo = [], list(json.loads(out)["checkpoints"][0]["plugins"]
                          ["pstree"]["tables"]["processes"])
    while todo:  # the tree's rows nest under "children"
        r = todo.pop()
        rows.append(r)
        todo.extend(r.get("children", []))
    by_pid = {r["pid"]: r for r in rows}
    ok(len(rows) == total and len(by_pid) == total,
       f"{name}: {total} rows in pstree's table, one per pid", len(rows))
    ok(all(by_pid.get(p, {}).get("ppid") == (0 if p == 1 else 1) for p in pids),
       f"{name}: pids {pids} have the right parents")
    ok(all(by_pid.get(p, {}).get("command") == "procs" for p in pids),
       f"{name}: pids {pids} run procs")

    last = max(pids)
    rc, out, err = ckpt("inspect", "--ps-tree", "--pid", str(last), path)
    ok(rc == 0 and f"[{last}]  procs" in out and "[1]  procs" not in out,
       f"{name}: inspect --ps-tree --pid {last} shows only it", out + err)


def main():
    print("1..21")
    check(REAL, 400, [1, 2, 200, 400])
    with tempfile.TemporaryDirectory(prefix="ckpt-procs-") as tmp:
        big = os.path.join(tmp, "procs-10000.tar")
        mid = os.path.join(tmp, "procs-2500.tar")
        for path, total in ((big, 10000), (mid, 2500)):
            r = subprocess.run([sys.executable, CRAFT, REAL, path, str(total)],
                               capture_output=True, text=True)
            ok(r.returncode == 0, f"craft-procs.py makes {total} processes",
               r.stdout + r.stderr)
        check(big, 10000, [1, 2, 400, 401, 5000, 10000])
        a = cpu_of("inspect", "--all", "--format", "json", mid)
        b = cpu_of("inspect", "--all", "--format", "json", big)
        ok(b <= 8 * a, "inspect --all --format json: 10,000 processes cost "
           "at most 8x 2,500", f"2500: {a:.2f} s, 10000: {b:.2f} s CPU")
        print(f"# CPU 2500: {a:.2f} s, 10000: {b:.2f} s")
    sys.exit(1 if failed else 0)


main()

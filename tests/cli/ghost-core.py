#!/usr/bin/env python3
"""ghost-core.py - TAP test: in `memparse --core`, the pages of a mapping
whose file is a ghost file (deleted, its content saved by CRIU) are filled
from the ghost content.

real-hidden.tar runs a deleted executable (a ghost file with an "exe"
owner, found through `ckpt extract`'s manifest). Its text and read-only
pages are mostly absent from the dump; in the core gdb reads them, and
they are the ghost file's bytes at the mapping's offsets (the ELF header at
the first mapping's start). A copy whose ghost image is dropped has them
as zeros, so the test fails if the fill breaks. Skipped without gdb.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

FX = os.environ["CKPT_FIXTURES"]
CKPT = os.environ.get("CKPT") or os.path.join(os.environ["CKPT_BUILD_ROOT"],
                                              "core", "ckpt")
n = 0
failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:20]:
            print("# " + line)


def gdb_dump(core, start, end, out):
    p = subprocess.run(["gdb", "-q", "-batch", "-nx", "-c", core, "-ex",
                        "dump binary memory %s 0x%x 0x%x" % (out, start, end)],
                       capture_output=True, text=True, timeout=120)
    try:
        return open(out, "rb").read(), p.stdout + p.stderr
    except OSError:
        return None, p.stdout + p.stderr


def main():
    if shutil.which("gdb") is None:
        print("1..0 # SKIP gdb is not installed")
        return 0
    print("1..5")
    tmp = tempfile.mkdtemp(prefix="ckpt-ghost-core-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


def run(tmp):
    H = os.path.join(FX, "real-hidden.tar")
    out = os.path.join(tmp, "ev")
    subprocess.run([CKPT, "extract", H, "-o", out], capture_output=True)
    man = json.load(open(os.path.join(out, "manifest.json")))
    exe = [f for f in man["files"] if f["source"]["kind"] == "ghost file" and
           any(o["how"] == "exe" for o in f["source"]["owners"])]
    ok(len(exe) == 1, "real-hidden: one deleted executable, a ghost file",
       man["files"])
    if not exe:
        return
    pid = exe[0]["source"]["owners"][0]["pid"]
    ghost = open(os.path.join(out, exe[0]["path"]), "rb").read()
    name = exe[0]["source"]["name"]

    p = subprocess.run([CKPT, "--format", "json", "memparse", "--maps",
                        "--pid", str(pid), H], capture_output=True, text=True)
    maps = json.loads(p.stdout)["checkpoints"][0]["plugins"]["memory"][
        "tables"]["maps"]
    mine = [v for v in maps if v["path"] == name and v["perms"][1] == "-"]
    absent = [v for v in mine if v["present"] < v["size"]]
    ok(mine and absent, "the executable's read-only mappings have pages "
       "absent from the dump", mine)

    core = os.path.join(tmp, "core")
    p = subprocess.run([CKPT, "memparse", "--pid", str(pid), "--core", core,
                        H], capture_output=True, text=True)
    bad = []
    for v in mine:
        start, end = int(v["start"], 16), int(v["end"], 16)
        off = int(v["offset"], 16)
        got, log = gdb_dump(core, start, end, os.path.join(tmp, "m.bin"))
        want = ghost[off:off + end - start]
        want += bytes(end - start - len(want))
        # dumped pages may differ (relocated RELRO); the rest must not
        differ = sum(1 for a in range(0, end - start, 4096)
                     if got is None or got[a:a + 4096] != want[a:a + 4096])
        if got is None or len(got) != end - start or \
                differ > v["present"] // 4096:
            bad.append((v["start"], v["perms"], differ, log[-300:]))
    ok(not bad, "gdb reads every read-only page of the deleted executable "
       "from the core: those not dumped are the ghost file's bytes at the "
       "mapping's offset", bad)
    first = int(mine[0]["start"], 16)
    got, log = gdb_dump(core, first, first + 4, os.path.join(tmp, "h.bin"))
    ok(got == b"\x7fELF", "the ELF header is at the first mapping, though "
       "the dump lacks that page", (got, log))

    # without the ghost image the same pages are zeros: the fill is tested
    crafted = os.path.join(tmp, "noghost.tar")
    img = "checkpoint/" + exe[0]["source"]["image"]
    with tarfile.open(H) as t, tarfile.open(crafted, "w") as o:
        for m in t.getmembers():
            if m.name != img:
                o.addfile(m, t.extractfile(m) if m.isfile() else None)
    core2 = os.path.join(tmp, "core2")
    subprocess.run([CKPT, "memparse", "--pid", str(pid), "--core", core2,
                    crafted], capture_output=True)
    got, log = gdb_dump(core2, first, first + 4, os.path.join(tmp, "z.bin"))
    ok(got in (None, b"\0\0\0\0"), "without the ghost image those pages are "
       "not filled", (got, log))


if __name__ == "__main__":
    sys.exit(main())

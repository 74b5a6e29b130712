#!/usr/bin/env python3
"""rootfs.py - TAP test: `ckpt rootfs` on the real fixtures and on crafted
copies of podman-none.tar.

Real: every member of each fixture's rootfs-diff.tar (plain in Podman's
and CRI-O's archives, gzip in containerd's) is a row, with python's
tarfile's mode, owner and mtime and hashlib's sha256 of the member.
Crafted (podman-none.tar with its rootfs-diff.tar replaced and a
deleted.files added, every other member as it was): a setuid ELF, a setgid
script, a world-writable file, a file larger than what is read for its
type (hashed whole), whiteouts (.wh.NAME, an opaque directory, a 0:0
character device), deleted.files entries, links, a traversal name shown as
text and nothing written, a sparse member counted by what it expands to;
--root telling added from modified.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import stat
import tarfile
import tempfile
import time

FX = os.environ["CKPT_FIXTURES"]
CKPT = os.environ.get("CKPT") or os.path.join(os.environ["CKPT_BUILD_ROOT"],
                                              "core", "ckpt")
n = 0


def ok(cond, what, detail=""):
    global n
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond and detail:
        for line in str(detail).splitlines():
            print("# " + line)


def rootfs(path, *args, cwd=None):
    p = subprocess.run([CKPT, "--format", "json", "rootfs", *args, path],
                       capture_output=True, text=True, timeout=120, cwd=cwd)
    rows = None
    if p.stdout:
        doc = json.loads(p.stdout)
        rows = doc["checkpoints"][0]["plugins"]["rootfs"]["tables"]["changes"]
        warnings = doc["checkpoints"][0].get("warnings") or []
        return p.returncode, rows, p.stderr + "\n".join(warnings)
    return p.returncode, rows, p.stderr


def members(outer, name="rootfs-diff.tar"):
    with tarfile.open(outer) as t:
        data = t.extractfile(name).read()
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:*"), data


def disp(name):
    name = name[2:] if name.startswith("./") else name
    name = name.rstrip("/") or "/"
    return name if name.startswith("/") else "/" + name


# ---- the real fixtures ------------------------------------------------------
for fx in ("podman-none.tar", "containerd-none.tar", "crio-none.tar"):
    rc, rows, err = rootfs(os.path.join(FX, fx))
    diff, _ = members(os.path.join(FX, fx))
    by = {r["path"]: r for r in rows or []}
    want = {}
    for m in diff.getmembers():
        want[disp(m.name)] = m
    good = rc == 0 and set(by) == set(want)
    detail = [sorted(by), sorted(want), err]
    for path, m in want.items():
        r = by.get(path, {})
        if m.isfile():
            h = hashlib.sha256(diff.extractfile(m).read()).hexdigest()
            good = good and r.get("sha256") == h and r.get("size") == m.size
        good = good and r.get("uid") == m.uid and r.get("gid") == m.gid
        good = good and r.get("mtime") == time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(m.mtime)))
        good = good and int(r.get("mode") != None) and \
            (r["mode"][1:] == stat.filemode(m.mode)[1:])
        good = good and r.get("change") == "changed"
        if not good:
            detail.append((path, r, m.mode, m.uid, m.mtime))
            break
    ok(good, "%s: every diff member, with tarfile's mode, owner, mtime and "
       "hashlib's sha256" % fx, "\n".join(map(str, detail)))
    if fx == "podman-none.tar":
        ok(by.get("/markers.txt", {}).get("type") == "text" and
           by.get("/root/.aws/credentials", {}).get("mode") == "-rw-------" and
           by.get("/data", {}).get("type") == "directory",
           "podman-none: /markers.txt is text, credentials -rw-------, "
           "/data a directory", str(by))

# ---- crafted ----------------------------------------------------------------
tmp = tempfile.mkdtemp(prefix="ckpt-rootfs-")
ELF = open(sys.executable, "rb").read()[:64 * 1024]
BIG = bytes(range(256)) * 1024  # 256 KiB, past the 4 KiB sniffed


def add(t, name, data=b"", mode=0o644, kind=tarfile.REGTYPE, link="",
        uid=0, gid=0, devmajor=0, devminor=0):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid = kind, mode, uid, gid
    ti.mtime, ti.linkname = 1700000000, link
    ti.devmajor, ti.devminor = devmajor, devminor
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def craft(path, build_diff, deleted=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as d:
        build_diff(d)
    with tarfile.open(os.path.join(FX, "podman-none.tar")) as src, \
            tarfile.open(path, "w") as out:
        for m in src.getmembers():
            if m.name == "rootfs-diff.tar":
                m.size = len(buf.getvalue())
                out.addfile(m, io.BytesIO(buf.getvalue()))
            else:
                out.addfile(m, src.extractfile(m) if m.isfile() else None)
        if deleted is not None:
            data = json.dumps(deleted).encode()
            ti = tarfile.TarInfo("deleted.files")
            ti.size = len(data)
            out.addfile(ti, io.BytesIO(data))


def diff_one(d):
    add(d, "usr/local/bin/tool", ELF, mode=0o4755)
    add(d, "usr/local/bin/run.sh", b"#!/bin/sh\necho hi\n", mode=0o2755,
        uid=1000, gid=50)
    add(d, "tmp/drop", b"anyone writes here\n", mode=0o666)
    add(d, "var/big.bin", BIG)
    add(d, "etc/.wh.passwd")
    add(d, "opt/app/.wh..wh..opq")
    add(d, "etc/shadow", kind=tarfile.CHRTYPE, devmajor=0, devminor=0)
    add(d, "usr/local/bin/link", kind=tarfile.SYMTYPE, link="/etc/shadow")
    add(d, "usr/local/bin/hard", kind=tarfile.LNKTYPE, link="usr/local/bin/tool")
    add(d, "../../escape.txt", b"outside?\n")
    add(d, "tmp/sticky", kind=tarfile.DIRTYPE, mode=0o1777)


c1 = os.path.join(tmp, "crafted.tar")
craft(c1, diff_one, ["/etc/motd", "usr/bin/gone", "/etc/passwd"])
cwd = os.path.join(tmp, "cwd")
os.mkdir(cwd)
rc, rows, err = rootfs(c1, cwd=cwd)
by = {}
for r in rows or []:
    by.setdefault(r["path"], r)
ok(rc == 0 and rows is not None, "crafted: ckpt rootfs succeeds", err)
t = by.get("/usr/local/bin/tool", {})
ok(t.get("type") == "ELF" and t.get("setuid") is True and
   t.get("mode") == "-rwsr-xr-x" and "setuid" in (t.get("flags") or "") and
   t.get("sha256") == hashlib.sha256(ELF).hexdigest(),
   "a setuid ELF: type ELF, -rwsr-xr-x, flagged setuid, its sha256", t)
s = by.get("/usr/local/bin/run.sh", {})
ok(s.get("type") == "script" and s.get("setgid") is True and
   s.get("owner") == "1000:50" and s.get("flags") == "setgid",
   "a setgid script owned by 1000:50", s)
w = by.get("/tmp/drop", {})
ok(w.get("type") == "text" and w.get("world_writable") is True and
   w.get("flags") == "world-writable", "a world-writable text file flagged", w)
st = by.get("/tmp/sticky", {})
ok(st.get("type") == "directory" and st.get("world_writable") is False and
   st.get("mode") == "drwxrwxrwt",
   "a sticky 1777 directory is not flagged world-writable", st)
b = by.get("/var/big.bin", {})
ok(b.get("type") == "data" and b.get("size") == len(BIG) and
   b.get("sha256") == hashlib.sha256(BIG).hexdigest(),
   "a 256 KiB file is hashed whole (not only the bytes read for its type)", b)
dels = {r["path"]: r["source"] for r in rows or [] if r["change"] == "deleted"}
ok(dels == {"/etc/passwd": "whiteout", "/etc/shadow": "whiteout",
            "/etc/motd": "deleted.files", "/usr/bin/gone": "deleted.files"},
   "deleted: .wh.passwd and a 0:0 char device (whiteouts), deleted.files "
   "entries, each path once", dels)
o = by.get("/opt/app", {})
ok(o.get("change") == "opaque" and o.get("source") == "whiteout",
   "an opaque-directory whiteout names its directory", o)
ln, hl = by.get("/usr/local/bin/link", {}), by.get("/usr/local/bin/hard", {})
ok(ln.get("type") == "symlink" and ln.get("link") == "/etc/shadow" and
   hl.get("type") == "hardlink" and hl.get("link") == "usr/local/bin/tool",
   "a symlink and a hard link with their targets", (ln, hl))
esc = [r for r in rows or [] if "escape" in r["path"]]
ok(len(esc) == 1 and esc[0]["path"].startswith("/") and
   os.listdir(cwd) == [] and not os.path.exists(os.path.join(tmp, "..", "escape.txt")),
   "a traversal name is text: shown rooted, nothing written", esc)

# --root: the image's root tells added from modified
root = os.path.join(tmp, "root")
os.makedirs(os.path.join(root, "tmp"))
open(os.path.join(root, "tmp", "drop"), "w").write("old\n")
os.makedirs(os.path.join(root, "usr", "local"))
os.symlink("/", os.path.join(root, "usr", "local", "bin"))
rc, rows, err = rootfs(c1, "--root", root)
ch = {r["path"]: r["change"] for r in rows or []}
ok(rc == 0 and ch.get("/tmp/drop") == "modified" and
   ch.get("/var/big.bin") == "added" and
   ch.get("/usr/local/bin/tool") == "added",
   "--root: a file the image had is modified, a new one added; a symlinked "
   "directory in the root is not followed", ch)


# a sparse member: 256 MiB apparent, two small data blocks
sp = os.path.join(tmp, "sparse.tar")
src = os.path.join(tmp, "sparsefile")
with open(src, "wb") as f:
    f.write(b"head")
    f.seek((1 << 28) - 4)
    f.write(b"tail")
subprocess.run(["tar", "-C", tmp, "--sparse", "-cf",
                os.path.join(tmp, "sparse-diff.tar"), "sparsefile"], check=True)
sparse_diff = open(os.path.join(tmp, "sparse-diff.tar"), "rb").read()
os.unlink(src)
with tarfile.open(os.path.join(FX, "podman-none.tar")) as srct, \
        tarfile.open(sp, "w") as out:
    for m in srct.getmembers():
        if m.name == "rootfs-diff.tar":
            m.size = len(sparse_diff)
            out.addfile(m, io.BytesIO(sparse_diff))
        else:
            out.addfile(m, srct.extractfile(m) if m.isfile() else None)
rc, rows, err = rootfs(sp)
r = (rows or [{}])[0]
h = hashlib.sha256()
h.update(b"head")
zero = bytes(1 << 20)
left = (1 << 28) - 8
while left:
    k = min(left, len(zero))
    h.update(zero[:k])
    left -= k
h.update(b"tail")
ok(rc == 0 and r.get("size") == 1 << 28 and r.get("sha256") == h.hexdigest(),
   "a sparse member counts (and hashes) by what it expands to, 256 MiB", (r, err))
rc, rows, err = rootfs(sp, "--limit", "max-member-size=128M")
ok(rc != 0 or not rows or all(x["path"] != "/sparsefile" for x in rows),
   "... and is refused past max-member-size by that size", (rows, err))
rc, rows, err = rootfs(sp, "--limit", "max-hash-size=64M")
r = (rows or [{}])[0]
ok(rc == 0 and r.get("size") == 1 << 28 and r.get("sha256") is None and
   "max-hash-size" in err,
   "... and past max-hash-size it is listed, not hashed, with a warning",
   (r, err))
print("1..%d" % n)

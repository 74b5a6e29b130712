#!/usr/bin/env python3
"""extract.py - TAP test: `ckpt extract` on hostile checkpoints and
hostile output directories.

Crafted from tests/fixtures/podman-none.tar with gen.py's helpers (every
other member as it was): a rootfs-diff.tar with names that climb out
("../../x", "a/../../x"), absolute names into a directory outside, control
characters and an over-long component, a symlink member pointing outside
and a file "under" it, a hard link, a sparse member; a saved tmpfs with
the same kinds of names; a ghost file claiming 1 GiB with 16 bytes stored.
Hostile directories: DIR a symlink to outside, a symlink planted inside
DIR (and in place of manifest.json) with --force. Every run: ends by
itself, writes nothing outside DIR (the outside directory stays empty), no
symlink inside DIR, every extracted file listed, sha256sum -c accepts
SHA256SUMS.
"""
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

FX = os.environ.get("CKPT_FIXTURES", os.path.join(HERE, "..", "fixtures"))
BUILD = os.environ.get("CKPT_BUILD_ROOT", "build")
CKPT = os.environ.get("CKPT", os.path.join(BUILD, "core", "ckpt"))
n = 0
failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print("#   " + line)
    sys.stdout.flush()


def extract(path, out, *args):
    try:
        p = subprocess.run([CKPT, "extract", path, "-o", out, *args],
                           capture_output=True, timeout=300)
        rc, log = p.returncode, (p.stdout + p.stderr).decode("utf-8",
                                                             "replace")
    except subprocess.TimeoutExpired:
        rc, log = "timeout", ""
    man = None
    try:
        with open(os.path.join(out, "manifest.json")) as f:
            man = json.load(f)
    except (OSError, ValueError):
        pass
    return rc, man, log


def inside_ok(out, man):
    """Problems: symlinks in DIR, files not listed, sums that fail."""
    bad = []
    listed = {f["path"] for f in (man or {}).get("files", [])}
    for root, dirs, files in os.walk(out):
        for x in dirs + files:
            p = os.path.join(root, x)
            rel = os.path.relpath(p, out)
            if os.path.islink(p):
                bad.append("symlink " + rel)
            elif os.path.isfile(p) and rel not in listed and rel not in (
                    "manifest.json", "SHA256SUMS"):
                bad.append("unlisted " + rel)
            if os.path.isfile(p) and os.stat(p).st_mode & 0o7077:
                bad.append("mode %o %s" % (os.stat(p).st_mode, rel))
    if man is not None:
        p = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"],
                           cwd=out, capture_output=True, text=True)
        if p.returncode != 0:
            bad.append(p.stdout + p.stderr)
    return bad


def empty(d):
    return not os.listdir(d)


def main():
    print("1..21")
    scratch = tempfile.mkdtemp(prefix="ckpt-hostile-extract-")
    try:
        run(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


def run(scratch):
    outside = os.path.join(scratch, "outside")
    os.makedirs(outside)
    base = gen.read_members(os.path.join(FX, "podman-none.tar"))

    def archive(name, members):
        path = os.path.join(scratch, name)
        gen.write_tar(path, members)
        return path

    long_name = "L" * 300
    evil = [
        gen.member("../../escaped", b"CKPT-ESCAPE-1"),
        gen.member("a/../../../escaped2", b"CKPT-ESCAPE-2"),
        gen.member(os.path.join(outside, "abs"), b"CKPT-ABS"),
        gen.member("ctl/\x1b[31mred\nline\\back", b"CKPT-CTL"),
        gen.member("deep/" + long_name, b"CKPT-LONG"),
        gen.member("link", kind=tarfile.SYMTYPE, link=outside),
        gen.member("link/through", b"CKPT-THROUGH-LINK"),
        gen.member("hard", kind=tarfile.LNKTYPE, link="etc/passwd"),
        gen.member("dup", b"CKPT-DUP-1"),
        gen.member("dup", b"CKPT-DUP-2"),
    ]
    diff = gen.tar_bytes(evil)
    names = archive("diff-names.tar",
                    gen.replaced_top(base, "rootfs-diff.tar", diff))
    out = os.path.join(scratch, "names")
    rc, man, log = extract(names, out)
    ok(rc == 0 and man is not None, "traversal names: extract exits 0", log)
    ok(empty(outside), "traversal names: nothing written outside DIR",
       os.listdir(outside))
    ok(not os.path.exists(os.path.join(scratch, "escaped")) and
       not os.path.exists(os.path.join(os.path.dirname(scratch), "escaped")),
       "traversal names: no file climbed out")
    bad = inside_ok(out, man)
    ok(not bad, "traversal names: no symlink, every file listed, 0600, "
       "sha256sum -c holds", bad)
    got = {}
    for f in (man or {}).get("files", []):
        with open(os.path.join(out, f["path"]), "rb") as fh:
            got[fh.read()] = f["path"]
    want = [b"CKPT-ESCAPE-1", b"CKPT-ESCAPE-2", b"CKPT-ABS", b"CKPT-CTL",
            b"CKPT-LONG", b"CKPT-THROUGH-LINK", b"CKPT-DUP-1", b"CKPT-DUP-2"]
    ok(all(w in got for w in want) and
       all(p.startswith("rootfs/") and ".." not in p.split("/") and
           all(ord(ch) >= 0x20 and ch != "\\" for ch in p)
           for p in [got.get(w, "") for w in want]),
       "traversal names: every file kept inside rootfs/ under a safe name "
       "(no '..', no control characters, no backslash)", got)
    ok(all(len(c.encode()) <= 255 for p in got.values()
           for c in p.split("/")), "an over-long name is cut to fit",
       got.values())
    ok(len({got.get(b"CKPT-DUP-1"), got.get(b"CKPT-DUP-2")} - {None}) == 2,
       "a member appearing twice gives two files, neither overwritten", got)

    # a sparse member: GNU tar writes it; extracted as what it expands to,
    # bounded by --max-file-size
    if shutil.which("tar"):
        src = os.path.join(scratch, "sp")
        os.makedirs(src)
        with open(os.path.join(src, "sparse"), "wb") as f:
            f.seek(3 << 20)
            f.write(b"CKPT-SPARSE-MID")
            f.truncate(8 << 20)
        subprocess.run(["tar", "-C", src, "--sparse", "--format=gnu", "-cf",
                        os.path.join(scratch, "sp.tar"), "sparse"],
                       check=True)
        with open(os.path.join(scratch, "sp.tar"), "rb") as f:
            sp = f.read()
        with open(os.path.join(src, "sparse"), "rb") as f:
            whole = f.read()
        sparse = archive("diff-sparse.tar",
                         gen.replaced_top(base, "rootfs-diff.tar", sp))
        out = os.path.join(scratch, "sparse")
        rc, man, log = extract(sparse, out)
        f0 = ([f for f in man["files"] if f["path"] == "rootfs/sparse"] or
              [{}])[0] if man else {}
        ok(rc == 0 and f0.get("size") == len(whole) and
           f0.get("sha256") == hashlib.sha256(whole).hexdigest() and
           not inside_ok(out, man),
           "a sparse member comes out as what it expands to (8 MiB), "
           "holes as zeros", log)
        out = os.path.join(scratch, "sparse-cut")
        rc, man, log = extract(sparse, out, "--max-file-size", "1M")
        f0 = ([f for f in man["files"] if f["path"] == "rootfs/sparse"] or
              [{}])[0] if man else {}
        ok(rc == 0 and f0.get("size") == 1 << 20 and f0.get("truncated") and
           "cut at 1048576 bytes" in log and not inside_ok(out, man),
           "past --max-file-size a sparse member is cut, and said so", log)
        out = os.path.join(scratch, "sparse-total")
        rc, man, log = extract(sparse, out, "--max-total-size", "2M")
        f0 = ([f for f in man["files"] if f["path"] == "rootfs/sparse"] or
              [{}])[0] if man else {}
        total = sum(f["size"] for f in man["files"]) if man else -1
        ok(rc == 0 and total == 2 << 20 and f0.get("truncated") and
           not inside_ok(out, man), "--max-total-size bounds the bytes "
           "written in all", log)
    else:
        for _ in range(3):
            ok(True, "# SKIP GNU tar missing")

    # a saved tmpfs whose tar climbs out and links outside
    tevil = gen.tar_bytes([
        gen.member("../../escaped", b"CKPT-TMPFS-ESCAPE"),
        gen.member(os.path.join(outside, "abs"), b"CKPT-TMPFS-ABS"),
        gen.member("link", kind=tarfile.SYMTYPE, link=outside),
        gen.member("link/x", b"CKPT-TMPFS-THROUGH")])
    tmpfs = archive("tmpfs-names.tar", gen.replaced(
        base, "tmpfs-dev-45.tar.gz.img", gzip.compress(tevil)))
    out = os.path.join(scratch, "tmpfs")
    rc, man, log = extract(tmpfs, out)
    kinds = [f["source"]["kind"] for f in (man or {}).get("files", [])]
    ok(rc == 0 and empty(outside) and not inside_ok(out, man) and
       sum(k.startswith("tmpfs") for k in kinds) >= 2,
       "tmpfs names that climb out: kept inside DIR, nothing outside",
       (log, kinds))

    # a tmpfs bomb: 2 GiB claimed in a few bytes of gzip
    big = tarfile.TarInfo("./big")
    big.size = 2 << 30
    bomb = archive("tmpfs-bomb.tar", gen.replaced(
        base, "tmpfs-dev-45.tar.gz.img",
        gzip.compress(big.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 4096)))
    out = os.path.join(scratch, "bomb")
    rc, man, log = extract(bomb, out)
    size = sum(f["size"] for f in (man or {}).get("files", []))
    ok(rc in (0, 1) and man is not None and size < (64 << 20) + (1 << 20) and
       not inside_ok(out, man),
       "a tmpfs bomb writes at most --max-file-size", (rc, size, log))

    # a ghost file claiming 1 GiB, 16 bytes stored in one chunk
    gf = gen.get(base, "ghost-file-1.img")
    ghead, gents = gen.image_entries(
        gf[:8 + 4 + struct.unpack_from("<I", gf, 8)[0]])
    gfields = [f for f in gen.pb_fields(gents[0]) if f[0] not in (9, 10)]
    content = gf[8 + 4 + len(gents[0]):]
    chunk = gen.pb_encode([(1, 0, 16), (2, 0, 0)])
    claims = archive("ghost-claims.tar", gen.replaced(
        base, "ghost-file-1.img",
        gen.image(ghead, [gen.pb_encode(gfields + [(9, 0, 1),
                                                   (10, 0, 1 << 30)]),
                          chunk]) + content[:16]))
    out = os.path.join(scratch, "ghost")
    rc, man, log = extract(claims, out, "--max-file-size", "1M")
    g = [f for f in (man or {}).get("files", [])
         if f["source"]["kind"] == "ghost file"]
    data = open(os.path.join(out, g[0]["path"]), "rb").read() if g else b""
    ok(rc == 0 and len(g) == 1 and g[0]["truncated"] and
       len(data) == 1 << 20 and data[:16] == content[:16] and
       data[16:] == bytes(len(data) - 16) and
       g[0]["source"]["length"] == 1 << 30 and
       g[0]["source"]["stored"] == 16 and not inside_ok(out, man),
       "a ghost claiming 1 GiB with 16 bytes held: the bytes held, zeros, "
       "cut at --max-file-size and said so", (log, g))

    # DIR is a symlink to outside
    ldir = os.path.join(scratch, "ldir")
    os.symlink(outside, ldir)
    rc, man, log = extract(os.path.join(FX, "podman-none.tar"), ldir)
    ok(rc == 1 and "not a directory" in log and "podman-none.tar" in log,
       "DIR a symlink: refused, naming the archive", log)
    ok(empty(outside), "DIR a symlink: nothing written through it",
       os.listdir(outside))
    rc, man, log = extract(os.path.join(FX, "podman-none.tar"), ldir,
                           "--force")
    ok(rc == 1 and empty(outside), "DIR a symlink: refused with --force too",
       log)

    # symlinks planted inside DIR, with --force
    pdir = os.path.join(scratch, "planted")
    os.makedirs(pdir)
    os.symlink(outside, os.path.join(pdir, "rootfs"))
    os.symlink(os.path.join(outside, "m"), os.path.join(pdir, "ghost"))
    rc, man, log = extract(os.path.join(FX, "podman-none.tar"), pdir)
    ok(rc == 1 and "not empty" in log, "a non-empty DIR is refused without "
       "--force", log)
    rc, man, log = extract(os.path.join(FX, "podman-none.tar"), pdir,
                           "--force")
    ok(rc == 1 and "not followed" in log and "could not be written" in log,
       "symlinks planted in DIR: the files under them fail, named", log)
    ok(empty(outside), "symlinks planted in DIR: nothing written through "
       "them", os.listdir(outside))
    ok(man is not None and all(not f["path"].startswith(("rootfs/",
                                                         "ghost/"))
                               for f in man["files"]) and
       any(f["path"].startswith("memfd/") for f in man["files"]),
       "the rest is extracted and listed", man)
    mdir = os.path.join(scratch, "planted-manifest")
    os.makedirs(mdir)
    os.symlink(os.path.join(outside, "manifest"),
               os.path.join(mdir, "manifest.json"))
    rc, man, log = extract(os.path.join(FX, "podman-none.tar"), mdir,
                           "--force")
    ok(rc == 1 and empty(outside) and "manifest.json" in log,
       "a symlink in place of manifest.json is not written through", log)


if __name__ == "__main__":
    sys.exit(main())

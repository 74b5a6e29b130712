#!/usr/bin/env python3
"""extract.py - TAP test: `ckpt extract` on the real fixtures.

real-hidden.tar: every marker of markers-real-hidden.txt (each lives only
in one kernel object or in the rootfs diff) is in exactly the extracted
file the manifest names with that object's kind, pid and fd; the deleted
executable comes out of its ghost file as an ELF; sha256sum -c accepts
SHA256SUMS and the manifest's sha256 and sizes are hashlib's; the
selectors (--pid --exe, --pid --fd, --path, --pid --vma, --pid --range)
write only what they name; a memory area equals what `memparse --output
--raw` writes of it. podman-none.tar and containerd-none.tar: every
regular file of rootfs-diff.tar and of the saved tmpfs tarballs is
extracted with python tarfile's bytes. A non-empty DIR is refused without
--force; a selector naming nothing fails naming it.
"""
import gzip
import hashlib
import io
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
        for line in str(detail).splitlines()[:30]:
            print("# " + line)
    sys.stdout.flush()


def extract(fixture, out, *args):
    p = subprocess.run([CKPT, "extract", os.path.join(FX, fixture), "-o", out,
                        *args], capture_output=True, text=True, timeout=300)
    man = None
    mpath = os.path.join(out, "manifest.json")
    if os.path.exists(mpath):
        man = json.load(open(mpath))
    return p.returncode, man, p.stdout + p.stderr


def read(out, rel):
    with open(os.path.join(out, rel), "rb") as f:
        return f.read()


def sums_ok(out):
    p = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"],
                       cwd=out, capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


def manifest_true(out, man):
    """Each file's size and sha256 are the file's; nothing else is in DIR."""
    bad = []
    for f in man["files"]:
        data = read(out, f["path"])
        if len(data) != f["size"] or \
                hashlib.sha256(data).hexdigest() != f["sha256"]:
            bad.append(f["path"])
    listed = {f["path"] for f in man["files"]} | {"manifest.json",
                                                  "SHA256SUMS"}
    for root, dirs, files in os.walk(out):
        for x in files + dirs:
            p = os.path.join(root, x)
            rel = os.path.relpath(p, out)
            if os.path.islink(p):
                bad.append("symlink " + rel)
            elif os.path.isfile(p) and rel not in listed:
                bad.append("unlisted " + rel)
    return bad


def hidden_markers():
    out = []
    for line in open(os.path.join(FX, "markers-real-hidden.txt")):
        f = line.split()
        if line.startswith("#") or len(f) != 6:
            continue
        out.append(f)
    return out


def tar_files(data):
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
        for m in t.getmembers():
            if m.isreg():
                out["/" + m.name.lstrip("./").lstrip("/")] = \
                    t.extractfile(m).read()
    return out


def main():
    print("1..36")
    tmp = tempfile.mkdtemp(prefix="ckpt-extract-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


def custody():
    """Every JSON report carries the checkpoint's sha256: hashlib's of
    the file (plain, gzip, zstd), of sha256sum's sorted listing for a
    directory."""
    for fx in ("podman-none.tar", "podman-gzip.tar.gz", "podman-zstd.tar.zst",
               "containerd-none.tar"):
        with open(os.path.join(FX, fx), "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        p = subprocess.run([CKPT, "--format", "json", "run", "container",
                            os.path.join(FX, fx)], capture_output=True,
                           text=True)
        d = json.loads(p.stdout)["checkpoints"][0] if p.stdout else {}
        ok(d.get("sha256") == want and d.get("sha256_of") == "file",
           "%s: the JSON report's sha256 is the file's" % fx, (want, d.get(
               "sha256")))
    # checkpointctl's inspect JSON and a comparison carry it too
    a, b = (os.path.join(FX, x) for x in ("podman-none.tar",
                                          "podman-none-2.tar"))
    sums = []
    for x in (a, b):
        with open(x, "rb") as f:
            sums.append(hashlib.sha256(f.read()).hexdigest())
    p = subprocess.run([CKPT, "inspect", "--format", "json", a],
                       capture_output=True, text=True)
    d = json.loads(p.stdout)[0] if p.stdout else {}
    ok(d.get("sha256") == sums[0] and d.get("sha256_of") == "file",
       "inspect --format json: the checkpoint's sha256", d.get("sha256"))
    p = subprocess.run([CKPT, "diff", "--format", "json", a, b],
                       capture_output=True, text=True)
    d = json.loads(p.stdout)["checkpoints"][-1] if p.stdout else {}
    ok(d.get("sha256") == "%s -> %s" % tuple(sums) and
       d.get("sha256_of") == "file -> file",
       "diff --format json: both checkpoints' sha256, in order",
       d.get("sha256"))
    top = os.path.join(FX, "criu-dir")
    lines = ""
    for name in sorted(os.listdir(top)):
        path = os.path.join(top, name)
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                lines += "%s  %s\n" % (hashlib.sha256(f.read()).hexdigest(),
                                       name)
    p = subprocess.run([CKPT, "--format", "jsonl", "run", "container", top],
                       capture_output=True, text=True)
    last = json.loads(p.stdout.splitlines()[-1]) if p.stdout else {}
    ok(last.get("sha256") == hashlib.sha256(lines.encode()).hexdigest() and
       last.get("sha256_of") == "directory listing",
       "criu-dir: the JSONL report's sha256 is that of its sorted sha256sum "
       "listing", last)


def run(tmp):
    custody()
    H = "real-hidden.tar"
    out = os.path.join(tmp, "all")
    rc, man, log = extract(H, out)
    ok(rc == 0 and man is not None, "real-hidden: extract exits 0 with a "
       "manifest", log)
    if man is None:
        return
    good, msg = sums_ok(out)
    ok(good, "real-hidden: sha256sum -c SHA256SUMS accepts every file", msg)
    bad = manifest_true(out, man)
    ok(not bad, "real-hidden: manifest sizes and sha256 are the files', no "
       "symlink, nothing unlisted", bad)
    with open(os.path.join(FX, H), "rb") as f:
        whole = hashlib.sha256(f.read()).hexdigest()
    ok(man["checkpoint"]["path"].endswith(H) and
       man["checkpoint"]["sha256"] == whole and
       man["checkpoint"]["sha256_of"] == "file",
       "manifest names the checkpoint and its sha256 (chain of custody)",
       man["checkpoint"])

    kinds = {"deleted-file": "ghost file", "memfd": "memfd", "pipe":
             "pipe buffer", "unix-socketpair": "unix socket queue",
             "tcp": "tcp queue", "file": "rootfs-diff"}
    wrong = []
    for name, marker, pid, fd, obj, member in hidden_markers():
        holders = [f for f in man["files"]
                   if marker.encode() in read(out, f["path"])]
        kind = kinds[obj.split(":")[0].split("(")[0]]
        want_pid = None if pid == "-" else int(pid)
        want_fd = None if fd == "-" else int(fd)
        if len(holders) != 1 or holders[0]["source"]["kind"] != kind or \
                holders[0]["source"]["pid"] != want_pid or \
                (holders[0]["source"]["fd"] != want_fd and
                 kind != "pipe buffer"):
            wrong.append((name, marker, kind, want_pid, want_fd,
                          [h["source"] for h in holders]))
    ok(not wrong, "real-hidden: each marker is in one file, named with its "
       "object's kind, pid and fd", wrong)
    marker_f = [m for m in hidden_markers() if m[0] == "F"][0]
    path_f = marker_f[4].split(":", 1)[1]
    ok(any(f["path"] == "rootfs" + path_f for f in man["files"]),
       "the dropped file keeps its path under rootfs/", path_f)

    exe = [f for f in man["files"] if any(
        o["how"] == "exe" for o in f["source"].get("owners", []))]
    ok(len(exe) == 1 and read(out, exe[0]["path"])[:4] == b"\x7fELF" and
       exe[0]["size"] == exe[0]["source"]["length"],
       "the deleted executable comes out whole from its ghost file, an ELF",
       exe)
    if not exe:
        return
    epid = exe[0]["source"]["owners"][0]["pid"]

    # selectors
    o = os.path.join(tmp, "exe")
    rc, m, log = extract(H, o, "--pid", str(epid), "--exe")
    ok(rc == 0 and m and [f["sha256"] for f in m["files"]] ==
       [exe[0]["sha256"]], "--pid N --exe writes only the executable", log)
    o = os.path.join(tmp, "fd")
    b = [m for m in hidden_markers() if m[0] == "B"][0]
    rc, m, log = extract(H, o, "--pid", b[2], "--fd", b[3])
    ok(rc == 0 and m and len(m["files"]) == 1 and
       b[1].encode() in read(o, m["files"][0]["path"]),
       "--pid N --fd F writes what that descriptor holds (the unmapped "
       "memfd)", log)
    o = os.path.join(tmp, "path")
    rc, m, log = extract(H, o, "--path", path_f)
    ok(rc == 0 and m and len(m["files"]) == 1 and
       marker_f[1].encode() in read(o, m["files"][0]["path"]),
       "--path P writes that root FS file", log)
    a = [m for m in hidden_markers() if m[0] == "A"][0]
    ghost_path = a[4].split(":", 1)[1]
    o = os.path.join(tmp, "gpath")
    rc, m, log = extract(H, o, "--path", ghost_path)
    ok(rc == 0 and m and len(m["files"]) == 1 and
       a[1].encode() in read(o, m["files"][0]["path"]),
       "--path P finds a ghost file by its path", log)
    o = os.path.join(tmp, "pid")
    rc, m, log = extract(H, o, "--pid", a[2])
    ok(rc == 0 and m and m["files"] and all(
        any(w["pid"] == int(a[2]) for w in f["source"]["owners"])
        for f in m["files"]), "--pid N alone: only what pid N holds", log)

    # memory: a fully present area, compared with memparse's raw output
    p = subprocess.run([CKPT, "--format", "json", "memparse", "--maps",
                        "--pid", a[2], os.path.join(FX, H)],
                       capture_output=True, text=True)
    maps = json.loads(p.stdout)["checkpoints"][0]["plugins"]["memory"][
        "tables"]["maps"]
    full = [v for v in maps if v["present"] == v["size"] and v["size"] > 0]
    ok(full, "a fully present memory area to compare", maps)
    if full:
        v = full[0]
        raw = os.path.join(tmp, "raw.bin")
        subprocess.run([CKPT, "memparse", "--pid", a[2], "--range",
                        "%s-%s" % (v["start"], v["end"]), "--output", raw,
                        "--raw", os.path.join(FX, H)], capture_output=True)
        o = os.path.join(tmp, "vma")
        rc, m, log = extract(H, o, "--pid", a[2], "--vma", v["start"])
        ok(rc == 0 and m and len(m["files"]) == 1 and
           read(o, m["files"][0]["path"]) == open(raw, "rb").read() and
           m["files"][0]["source"]["kind"] == "memory",
           "--pid N --vma ADDR writes the area, as memparse --raw does", log)
        o = os.path.join(tmp, "range")
        start = int(v["start"], 16)
        rc, m, log = extract(H, o, "--pid", a[2], "--range",
                             "%x-%x" % (start, start + 100))
        ok(rc == 0 and m and m["files"][0]["size"] == 100 and
           read(o, m["files"][0]["path"]) == open(raw, "rb").read()[:100],
           "--pid N --range A-B writes B-A bytes", log)
    else:
        ok(False, "--vma (no area)")
        ok(False, "--range (no area)")
    # an area with absent pages: absent pages are zeros, the size is the
    # area's
    part = [v for v in maps if 0 < v["present"] < v["size"]]
    if part:
        v = part[0]
        o = os.path.join(tmp, "part")
        rc, m, log = extract(H, o, "--pid", a[2], "--vma", v["start"])
        data = read(o, m["files"][0]["path"]) if m and m["files"] else b""
        ok(rc == 0 and len(data) == v["size"],
           "an area with absent pages is written whole (holes as zeros)", log)
    else:
        ok(True, "# SKIP no partly present area")

    # refusals
    rc, m, log = extract(H, out)
    ok(rc == 1 and "not empty" in log and "real-hidden.tar" in log,
       "a non-empty DIR is refused without --force, naming the archive", log)
    p = subprocess.run([CKPT, "extract", os.path.join(FX, H)],
                       capture_output=True, text=True)
    ok(p.returncode == 2 and "-o DIR is needed" in p.stderr,
       "no -o DIR: a usage error, exit 2", p.stderr)
    rc, m, log = extract(H, os.path.join(tmp, "none"), "--path", "/no/such")
    ok(rc == 1 and "no file /no/such" in log, "--path naming nothing fails",
       log)
    rc, m, log = extract(H, os.path.join(tmp, "none2"), "--pid", a[2],
                         "--fd", "999")
    ok(rc == 1 and "no fd 999" in log, "--fd naming nothing fails", log)
    rc, m, log = extract(H, os.path.join(tmp, "none3"), "--exe")
    ok(rc == 1 and "need --pid" in log, "--exe without --pid fails", log)
    rc, m, log = extract(H, os.path.join(tmp, "none4"), "--pid", "424242")
    ok(rc == 1 and "no process with pid 424242" in log,
       "an unknown pid fails", log)
    o = os.path.join(tmp, "small")
    rc, m, log = extract(H, o, "--max-file-size", "4k")
    cut = [f for f in m["files"] if f["truncated"]] if m else []
    ok(rc == 0 and cut and all(f["size"] == 4096 for f in cut) and
       "cut at 4096 bytes" in log and sums_ok(o)[0],
       "--max-file-size cuts a longer file, says so, and the sums hold", log)

    # podman-none: rootfs diff and saved tmpfs files, byte for byte
    for fixture in ("podman-none.tar", "containerd-none.tar"):
        o = os.path.join(tmp, fixture)
        rc, m, log = extract(fixture, o)
        ok(rc == 0 and m and sums_ok(o)[0] and not manifest_true(o, m),
           "%s: extract exits 0, sha256sum -c accepts it" % fixture, log)
        with tarfile.open(os.path.join(FX, fixture)) as t:
            diff = t.extractfile("rootfs-diff.tar").read()
            tmpfs = {x.name: t.extractfile(x).read() for x in t.getmembers()
                     if "tmpfs-dev-" in x.name and x.isreg()}
        want = tar_files(diff)
        got = {f["source"]["path"]: read(o, f["path"]) for f in m["files"]
               if f["source"]["kind"] == "rootfs-diff"} if m else {}
        ok(want and got == want, "%s: every rootfs-diff file, with tarfile's "
           "bytes" % fixture, (sorted(want), sorted(got)))
        if fixture == "podman-none.tar":
            # workload.c's deleted-but-open file and its memfd
            g = {f["source"]["kind"]: read(o, f["path"]) for f in m["files"]
                 if f["source"]["kind"] in ("ghost file", "memfd")}
            ok(g.get("ghost file") == b"CKPT-DELETED-FILE-CONTENT\n" and
               b"CKPT-MEMFD-CONTENT" in g.get("memfd", b""),
               "podman-none: the ghost file and the memfd come out whole", g)

    o = os.path.join(tmp, "attack")
    rc, m, log = extract("real-attack.tar", o)
    ok(rc == 0 and m and sums_ok(o)[0] and not manifest_true(o, m) and
       any(f["source"]["kind"] == "ghost file" and read(o, f["path"])[:4]
           == b"\x7fELF" for f in m["files"]) and
       any(f["source"]["kind"] == "rootfs-diff" for f in m["files"]),
       "real-attack: the deleted binary and the root FS persistence come "
       "out, sums hold", log)


if __name__ == "__main__":
    sys.exit(main())

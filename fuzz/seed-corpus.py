#!/usr/bin/env python3
"""seed-corpus.py OUTDIR - seed corpora for the fuzz harnesses, made from
the real fixtures (tests/fixtures) with the standard library only.

  OUTDIR/image/    one seed per CRIU image of podman-none.tar: a selector
                   byte naming the message type (fuzz-image.c's table), a
                   payload byte, then the image as CRIU wrote it
  OUTDIR/archive/  every fixture archive, plus small archives (images
                   only, pages cut) in tar, gzip and zstd form
  OUTDIR/model/    the small archives and the plain fixture tars
  OUTDIR/meta/     every fixture's config.dump, spec.dump, network.status
                   and deleted.files, behind fuzz-meta.c's selector byte
  OUTDIR/rules/    the shipped YARA rule files behind a flags byte
  OUTDIR/diff/     each fixture's rootfs-diff.tar, as it is and gzip'ed
"""
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import gzip

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get("CKPT_FIXTURES",
                          os.path.join(HERE, "..", "tests", "fixtures"))

# fuzz-image.c's descriptor table, by image-name pattern
SELECTORS = [
    (r"pstree\.img", 0), (r"core-\d+\.img", 1), (r"ids-\d+\.img", 2),
    (r"creds-\d+\.img", 3), (r"mm-\d+\.img", 4), (r"pagemap-.*\.img", 5),
    (r"fs-\d+\.img", 7), (r"cgroup\.img", 8), (r"stats-.*\.img", 9),
    (r"files\.img", 10), (r"fdinfo-\d+\.img", 11), (r"reg-files\.img", 12),
    (r"remap-fpath\.img", 13), (r"memfd\.img", 14), (r"tty-info\.img", 15),
    (r"inetsk\.img", 16), (r"unixsk\.img", 17), (r"packetsk\.img", 18),
    (r"netlinksk\.img", 19), (r"tcp-stream-.*\.img", 20),
    (r"mountpoints-\d+\.img", 21), (r"utsns-\d+\.img", 22),
    (r"netdev-\d+\.img", 23),
]


def members(path):
    with tarfile.open(path) as t:
        for m in t.getmembers():
            if m.isfile():
                yield m, t.extractfile(m).read()


def small_tar(path, keep_pages):
    """The fixture with its big members cut: pages files kept only for
    keep_pages (and then truncated to one page per pagemap run is not
    possible without parsing, so kept whole), rootfs diff dropped."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as o:
        for m, data in members(path):
            base = os.path.basename(m.name)
            if base.startswith("pages-") and not keep_pages:
                continue
            if base in ("seccomp.img", "ctr.log", "devshm-checkpoint.tar"):
                continue
            if base.endswith(".dump") and len(data) > 4096:
                continue
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            info.mode = 0o644
            o.addfile(info, io.BytesIO(data))
    return out.getvalue()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed-corpus.py OUTDIR")
    outdir = sys.argv[1]
    for h in ("image", "archive", "model", "meta", "rules", "diff"):
        os.makedirs(os.path.join(outdir, h), exist_ok=True)

    # rules: the shipped rule files, each behind a flags byte (0: not
    # strict, no externals)
    rules = os.path.join(HERE, "..", "rules")
    for sub in ("", "secrets"):
        top = os.path.join(rules, sub)
        for name in sorted(os.listdir(top)):
            if name.endswith(".yar"):
                with open(os.path.join(top, name), "rb") as f:
                    write(os.path.join(outdir, "rules", name), b"\0" + f.read())

    none = os.path.join(FIXTURES, "podman-none.tar")
    for m, data in members(none):
        base = os.path.basename(m.name)
        for pat, sel in SELECTORS:
            if re.fullmatch(pat, base):
                payload = 1 if base.startswith("tcp-stream") else 0
                write(os.path.join(outdir, "image", base),
                      bytes([sel, payload]) + data)

    # fuzz-meta.c's members, in its selector's order
    meta = ("config.dump", "spec.dump", "network.status", "deleted.files")
    for name in sorted(os.listdir(FIXTURES)):
        if not re.search(r"\.tar(\.gz|\.zst)?$", name) or \
                name.endswith(".zst"):
            continue
        for m, data in members(os.path.join(FIXTURES, name)):
            if m.name in meta:
                write(os.path.join(outdir, "meta", "%s-%s" % (
                    name.split(".")[0], m.name)),
                    bytes([meta.index(m.name)]) + data)

    smalls = {}
    for name in ("podman-none.tar", "podman-none-criu3.tar", "crio-none.tar",
                 "containerd-none.tar", "podman-fdzoo.tar"):
        src = os.path.join(FIXTURES, name)
        stem = name.split(".")[0]
        smalls[stem + "-nopages.tar"] = small_tar(src, False)
        smalls[stem + "-small.tar"] = small_tar(src, True)
    for name, data in smalls.items():
        for h in ("archive", "model"):
            write(os.path.join(outdir, h, name), data)
    small = smalls["podman-none-nopages.tar"]
    write(os.path.join(outdir, "archive", "small.tar.gz"),
          gzip.compress(small, 9))
    if shutil.which("zstd"):
        z = subprocess.run(["zstd", "-q", "-c", "-19"], input=small,
                           stdout=subprocess.PIPE, check=True).stdout
        write(os.path.join(outdir, "archive", "small.tar.zst"), z)
    for name in sorted(os.listdir(FIXTURES)):
        if not name.endswith(".tar"):
            continue
        for m, data in members(os.path.join(FIXTURES, name)):
            if m.name == "rootfs-diff.tar":
                stem = name.split(".")[0]
                write(os.path.join(outdir, "diff", stem), data)
                write(os.path.join(outdir, "diff", stem + ".gz"),
                      gzip.compress(data, 9))
    for name in os.listdir(FIXTURES):
        if re.search(r"\.tar(\.gz|\.zst)?$", name):
            shutil.copy(os.path.join(FIXTURES, name),
                        os.path.join(outdir, "archive", name))
            if name.endswith(".tar"):
                shutil.copy(os.path.join(FIXTURES, name),
                            os.path.join(outdir, "model", name))


if __name__ == "__main__":
    main()

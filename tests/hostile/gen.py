#!/usr/bin/env python3
"""gen.py FIXTURE OUTDIR - crafts hostile checkpoints from a real one.

Reads FIXTURE (podman-none.tar from tests/fixtures) and writes one archive
per attack into OUTDIR, standard library only (tarfile, gzip, struct) plus
the zstd CLI for the zstd cases when it is installed. Each archive is the
real checkpoint with one thing made hostile, so that the loader reaches
the rule under test. crafted.py runs ckpt on them.
"""
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile

PAGE = 4096


# ---- protobuf, just enough to read and rewrite CRIU entries -------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(buf, at):
    n = shift = 0
    while True:
        b = buf[at]
        at += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, at


def pb_fields(buf):
    """[(field, wiretype, value)], value bytes for wiretype 2."""
    at, out = 0, []
    while at < len(buf):
        key, at = read_varint(buf, at)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, at = read_varint(buf, at)
        elif wt == 1:
            v, at = buf[at:at + 8], at + 8
        elif wt == 2:
            n, at = read_varint(buf, at)
            v, at = buf[at:at + n], at + n
        elif wt == 5:
            v, at = buf[at:at + 4], at + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((f, wt, v))
    return out


def pb_encode(fields):
    out = bytearray()
    for f, wt, v in fields:
        out += varint(f << 3 | wt)
        if wt == 0:
            out += varint(v)
        elif wt == 2:
            out += varint(len(v)) + v
        else:
            out += v
    return bytes(out)


def pstree_entry(pid, ppid, threads=None):
    fields = [(1, 0, pid), (2, 0, ppid), (3, 0, pid), (4, 0, pid)]
    for t in threads or [pid]:
        fields.append((5, 0, t))
    return pb_encode(fields)


# ---- CRIU image framing --------------------------------------------------

def image_entries(img):
    """(magics, [entry bytes])"""
    head, at, out = img[:8], 8, []
    while at < len(img):
        (n,) = struct.unpack_from("<I", img, at)
        out.append(img[at + 4:at + 4 + n])
        at += 4 + n
    return head, out


def image(head, entries):
    return head + b"".join(struct.pack("<I", len(e)) + e for e in entries)


# ---- tars ----------------------------------------------------------------

def read_members(path):
    out = []
    with tarfile.open(path) as t:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            out.append((m, data))
    return out


def member(name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o644
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def write_tar(path, members):
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def replaced(members, name, data):
    """members with checkpoint/NAME's bytes replaced (None: dropped)."""
    out = []
    for info, d in members:
        if info.name == "checkpoint/" + name:
            if data is None:
                continue
            info = tarfile.TarInfo(info.name)
            info.size, info.mode = len(data), 0o644
            d = data
        out.append((info, d))
    return out


def get(members, name):
    for info, d in members:
        if info.name == "checkpoint/" + name:
            return d
    raise KeyError(name)


# ---- the attacks -----------------------------------------------------------

def crafted(fixture, outdir, outside):
    base = read_members(fixture)
    made = {}

    def tar(name, members):
        path = os.path.join(outdir, name)
        write_tar(path, members)
        made[name] = path

    # names that climb out, absolute names, links
    tar("dotdot.tar", base + [member("checkpoint/../../escaped.img", b"x")])
    tar("absolute.tar", base + [member(os.path.join(outside, "abs.img"),
                                       b"x")])
    tar("symlink.tar", [(i, d) for i, d in base
                        if i.name != "checkpoint/pstree.img"] +
        [member("checkpoint/pstree.img", kind=tarfile.SYMTYPE,
                link="/etc/passwd")])
    tar("symlink-out.tar", base + [member(
        "checkpoint/evil.img", kind=tarfile.SYMTYPE,
        link=os.path.join(outside, "link-target"))])
    tar("hardlink.tar", base + [member("checkpoint/evil.img",
                                       kind=tarfile.LNKTYPE,
                                       link="config.dump")])
    # the same member twice, and an image both at the top and in checkpoint/
    tar("duplicate.tar", base + [member("checkpoint/pstree.img",
                                        get(base, "pstree.img"))])
    tar("duplicate-top.tar", base + [member("pstree.img",
                                            get(base, "pstree.img"))])

    # a member that claims more bytes than the archive has: cut the tar in
    # the middle of the largest pages file's data
    whole = tar_bytes(base)
    at = whole.index(b"checkpoint/pages-2.img\x00")
    cut = os.path.join(outdir, "truncated-member.tar")
    with open(cut, "wb") as f:
        f.write(whole[:at + 512 + 3 * PAGE + 100])
    made["truncated-member.tar"] = cut

    # an image whose entry length points past its end
    ps = bytearray(get(base, "pstree.img"))
    struct.pack_into("<I", ps, 8, 0x7FFFFFF0)
    tar("length-past-end.tar", replaced(base, "pstree.img", bytes(ps)))
    # an entry length in a huge image, one byte short of the real one
    ps = bytearray(get(base, "pstree.img"))
    struct.pack_into("<I", ps, 8, struct.unpack_from("<I", ps, 8)[0] + 1)
    tar("length-one-past.tar", replaced(base, "pstree.img", bytes(ps)))

    # a pagemap pointing past its pages file: the pages file cut to a page
    tar("pagemap-past-pages.tar",
        replaced(base, "pages-2.img", get(base, "pages-2.img")[:PAGE]))

    # overlapping VMAs: the second VMA of pid 1 starts inside the first
    head, ents = image_entries(get(base, "mm-1.img"))
    fields = pb_fields(ents[0])
    vmas = [i for i, f in enumerate(fields) if f[0] == 14]
    first = dict((f, v) for f, _, v in pb_fields(fields[vmas[0]][2]))
    second = pb_fields(fields[vmas[1]][2])
    second = [(f, wt, first[1] if f == 1 else v) for f, wt, v in second]
    fields[vmas[1]] = (14, 2, pb_encode(second))
    tar("overlapping-vmas.tar",
        replaced(base, "mm-1.img", image(head, [pb_encode(fields)])))

    # pstree: a parent cycle, and 100 000 processes in one chain
    head, ents = image_entries(get(base, "pstree.img"))
    cyc = [pstree_entry(1, 3), pstree_entry(2, 1), pstree_entry(3, 2)]
    tar("pstree-cycle.tar", replaced(base, "pstree.img", image(head, cyc)))
    tar("pstree-self-parent.tar",
        replaced(base, "pstree.img", image(head, [pstree_entry(7, 7)])))
    many = [pstree_entry(1, 0)] + [pstree_entry(i, i - 1)
                                   for i in range(2, 100001)]
    tar("pstree-100000.tar", replaced(base, "pstree.img", image(head, many)))

    # a deep tree that must load: 5000 zombies in one chain under pid 1,
    # each with a copy of the fixture's zombie core (pid 3's)
    zombie = get(base, "core-3.img")
    deep = [pstree_entry(1, 0)] + [pstree_entry(i, i - 1)
                                   for i in range(1000, 6000)]
    keep = [(i, d) for i, d in replaced(base, "pstree.img",
                                        image(head, deep))
            if not i.name.startswith("checkpoint/core-")
            or i.name == "checkpoint/core-1.img"]
    keep += [member("checkpoint/core-%d.img" % i, zombie)
             for i in range(1000, 6000)]
    tar("pstree-deep-5000.tar", keep)

    # shared memory fan-out: many shared VMAs of pid 1 over one shmem
    # object whose pagemap has many runs. Each VMA shows the whole object
    # (fanout-wide: VMAs x runs page runs to build), or one page of it
    # (fanout-narrow: VMAs x runs comparisons if every VMA scans every run)
    tar("shmem-fanout-wide.tar", shmem_fanout(base, 300, 20000, False))
    tar("shmem-fanout-narrow.tar", shmem_fanout(base, 50000, 200000, True))

    # gzip bombs: a pages file of 512 MiB of one byte, about 500 KiB
    # packed; zeros (gzip-bomb) and non-zero data (gzip-bomb-data)
    for name, fill in (("gzip-bomb.tar.gz", 0), ("gzip-bomb-data.tar.gz", 0x41)):
        bomb = os.path.join(outdir, name)
        with gzip.open(bomb, "wb", compresslevel=9) as g:
            with tarfile.open(fileobj=g, mode="w|",
                              format=tarfile.GNU_FORMAT) as t:
                for info, d in base:
                    if info.name == "checkpoint/pages-2.img":
                        info = tarfile.TarInfo(info.name)
                        info.size = 512 << 20
                        t.addfile(info, FillReader(info.size, fill))
                    else:
                        t.addfile(info,
                                  io.BytesIO(d) if d is not None else None)
        made[name] = bomb

    # content held by kernel objects, each claiming more than it holds
    gf = get(base, "ghost-file-1.img")
    ghead, gents = image_entries(gf[:8 + 4 + struct.unpack_from("<I", gf, 8)[0]])
    gfields = [f for f in pb_fields(gents[0]) if f[0] != 10]
    content = gf[8 + 4 + len(gents[0]):]
    tar("ghost-claims-more.tar", replaced(base, "ghost-file-1.img", image(
        ghead, [pb_encode(gfields + [(10, 0, 1 << 30)])]) + content))
    chunk_entry = pb_encode([(1, 0, 16), (2, 0, 20)])  # 16 bytes at 20
    chunked = image(ghead, [pb_encode(gfields + [(9, 0, 1), (10, 0, 26)]),
                            chunk_entry]) + content[:16]
    tar("ghost-chunk-past-size.tar",
        replaced(base, "ghost-file-1.img", chunked))
    phead, pents = image_entries(get(base, "pipes-data.img")[:8])
    pipe = image(phead, [pb_encode([(1, 0, 41301), (2, 0, 0xFFFFFFFF),
                                    (3, 0, 65536)])]) + b"CKPT-PIPE-DATA"
    tar("pipe-data-past-end.tar", replaced(base, "pipes-data.img", pipe))
    qhead = get(base, "sk-queues.img")[:8]
    queue = image(qhead, [pb_encode([(1, 0, 10), (2, 0, 0xFFFFFFF0)])]) + \
        b"CKPT-UNIX"
    tar("sk-queue-overflow.tar", replaced(base, "sk-queues.img", queue))
    # a saved tmpfs whose tar claims a 2 GiB file in a few bytes of gzip,
    # and one with names that climb out and a link: read, never extracted
    big = tarfile.TarInfo("./big")
    big.size = 2 << 30
    bomb_tar = big.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 4096
    tar("tmpfs-bomb.tar", replaced(base, "tmpfs-dev-45.tar.gz.img",
                                   gzip.compress(bomb_tar)))
    evil = tar_bytes([member("../../escaped", b"CKPT-TMPFS-ESCAPE"),
                      member(os.path.join(outside, "abs"), b"x"),
                      member("link", kind=tarfile.SYMTYPE,
                             link=os.path.join(outside, "target"))])
    tar("tmpfs-names.tar", replaced(base, "tmpfs-dev-45.tar.gz.img",
                                    gzip.compress(evil)))

    # a zstd frame declaring a 2 TiB window (window log 41): frame header
    # by hand, then one raw block with the start of the tar
    frame = b"\x28\xb5\x2f\xfd" + bytes([0x00, (41 - 10) << 3])
    block = whole[:100000]
    frame += struct.pack("<I", 1 | len(block) << 3)[:3] + block
    path = os.path.join(outdir, "zstd-window.tar.zst")
    with open(path, "wb") as f:
        f.write(frame)
    made["zstd-window.tar.zst"] = path
    if shutil.which("zstd"):
        # the same from the zstd CLI: a 2 GiB window (--long=31) on a
        # stream of unknown size, so the frame keeps the window it asked for
        path = os.path.join(outdir, "zstd-long31.tar.zst")
        z = subprocess.run(["zstd", "-q", "-c", "--long=31", "-"],
                           input=whole, stdout=subprocess.PIPE,
                           check=True).stdout
        with open(path, "wb") as f:
            f.write(z)
        made["zstd-long31.tar.zst"] = path

    # encodings libarchive would hand to a program from PATH (lrzip, lzop,
    # grzip) or decode as text (uuencode): bare, inside gzip, and as the
    # rootfs diff of a real checkpoint
    def raw(name, data):
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        made[name] = path

    outer = {"lrzip": LRZIP_HEAD, "lzop": LZOP_HEAD, "grzip": GRZIP_HEAD,
             "uu": uuencode(whole[:20000])}
    for kind, head in sorted(outer.items()):
        raw(kind + ".tar.x", head + bytes(4096))
        raw("gzip-" + kind + ".tar.gz", gzip.compress(head + whole))
        tar("diff-gzip-%s.tar" % kind,
            replaced_top(base, "rootfs-diff.tar",
                         gzip.compress(head + bytes(8192))))

    # sparse members (GNU tar writes them; tarfile cannot): a 1 TiB
    # pages-2.img in a plain tar of a few hundred KB, in each sparse form
    if shutil.which("tar"):
        for kind, flags in SPARSE_FORMS:
            name = "sparse-1t-%s.tar" % kind
            made[name] = gnu_sparse_tar(base, outdir, name, flags,
                                        "checkpoint/pages-2.img", 1 << 40)
        # a rootfs diff of 2000 sparse 60 MiB files, one byte of data each
        for kind, flags in (SPARSE_FORMS[0], SPARSE_FORMS[-1]):
            diff = sparse_files_tar(outdir, flags, 2000, 60 << 20)
            name = "diff-sparse-%s.tar" % kind
            tar(name, replaced_top(base, "rootfs-diff.tar", diff))
    return made


# GNU tar's sparse forms: old GNU 'S' headers, and PAX formats 0.0, 0.1, 1.0
SPARSE_FORMS = [
    ("oldgnu", ["--format=gnu"]),
    ("pax00", ["--format=posix", "--sparse-version=0.0"]),
    ("pax01", ["--format=posix", "--sparse-version=0.1"]),
    ("pax10", ["--format=posix", "--sparse-version=1.0"]),
]


def gnu_tar(src, names, flags, out):
    subprocess.run(["tar", "--sparse", "--no-recursion", "--numeric-owner",
                    "-C", src, "-cf", out] + flags + ["--"] + names,
                   check=True)


def gnu_sparse_tar(base, outdir, name, flags, member_name, size):
    """The checkpoint with member_name grown to size bytes by a hole."""
    src = os.path.join(outdir, name + ".d")
    names = []
    for info, d in base:
        path = os.path.join(src, info.name)
        names.append(info.name)
        if info.isdir():
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(d)
            if info.name == member_name:
                f.truncate(size)
    out = os.path.join(outdir, name)
    gnu_tar(src, names, flags, out)
    shutil.rmtree(src)
    return out


def sparse_files_tar(outdir, flags, count, size):
    """Bytes of a tar of count files of size bytes, all hole but byte 0."""
    src = os.path.join(outdir, "sparse-files.d")
    os.makedirs(src)
    names = []
    for i in range(count):
        names.append("f%04d" % i)
        with open(os.path.join(src, names[-1]), "wb") as f:
            f.write(b"x")
            f.truncate(size)
    out = src + ".tar"
    gnu_tar(src, names, flags, out)
    with open(out, "rb") as f:
        data = f.read()
    shutil.rmtree(src)
    os.unlink(out)
    return data


# Magic bytes as the formats' own tools write them (lrzip 0.6 header,
# lzop 1.03, grzip II), then a few header bytes.
LRZIP_HEAD = b"LRZI\x00\x06" + bytes(10)
LZOP_HEAD = b"\x89LZO\x00\r\n\x1a\n\x10\x30\x20\xa0\x09\x40"
GRZIP_HEAD = b"GRZipII\x00\x02\x04:)" + bytes(36)


def uuencode(data):
    import binascii
    lines = [b"begin 644 checkpoint.tar\n"]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]))
    return b"".join(lines + [b"`\nend\n"])


def replaced_top(members, name, data):
    """members with the top-level member NAME's bytes replaced."""
    out = []
    for info, d in members:
        if info.name == name:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            d = data
        out.append((info, d))
    return out


def shmem_fanout(base, n_vmas, n_runs, narrow):
    head, ents = image_entries(get(base, "mm-1.img"))
    fields = [f for f in pb_fields(ents[0]) if f[0] != 14]
    span = 2 * n_runs * PAGE
    size = PAGE if narrow else span
    for i in range(n_vmas):
        start = 0x100000000000 + i * size
        pgoff = (2 * i * PAGE) % span if narrow else 0
        # start, end, pgoff, shmid 78, rw, MAP_SHARED|MAP_ANONYMOUS,
        # VMA_AREA_REGULAR|VMA_ANON_SHARED, fd -1 (zigzag 1)
        vma = [(1, 0, start), (2, 0, start + size), (3, 0, pgoff),
               (4, 0, 78), (5, 0, 3), (6, 0, 0x21), (7, 0, 0x101),
               (8, 0, 1)]
        fields.append((14, 2, pb_encode(vma)))
    mm = image(head, [pb_encode(fields)])
    phead, pents = image_entries(get(base, "pagemap-shmem-78.img"))
    # one-page runs a page apart, lazy (no bytes needed in a pages file)
    runs = [pents[0]] + [pb_encode([(1, 0, 2 * i * PAGE), (2, 0, 0),
                                    (4, 0, 2), (5, 0, 1)])
                         for i in range(n_runs)]
    return replaced(replaced(base, "mm-1.img", mm), "pagemap-shmem-78.img",
                    image(phead, runs))


class FillReader:
    def __init__(self, n, fill):
        self.left = n
        self.fill = fill

    def read(self, n=-1):
        if n < 0 or n > self.left:
            n = self.left
        self.left -= n
        return bytes([self.fill]) * n


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen.py FIXTURE OUTDIR OUTSIDE-DIR")
    os.makedirs(sys.argv[2], exist_ok=True)
    for name in sorted(crafted(sys.argv[1], sys.argv[2], sys.argv[3])):
        print(name)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""crafted.py - TAP test: ckpt against hostile checkpoints.

Builds the attacks with gen.py from tests/fixtures/podman-none.tar into a
temporary directory, then runs the ckpt binary of the build on each one
and on the real fixtures with every limit lowered. For each run:
  - it ends by itself (under a timeout) and not by a signal,
  - the exit status and the error message are the expected ones,
  - nothing is written to disk: ckpt runs with its cwd and TMPDIR in empty
    directories, which must still be empty afterwards, and the places the
    archive names outside (absolute names, link targets) stay absent.
CKPT_WRAP (e.g. "valgrind --error-exitcode=99 -q") runs ckpt under a tool.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get("CKPT_FIXTURES",
                          os.path.join(HERE, "..", "fixtures"))
BUILD = os.environ.get("CKPT_BUILD_ROOT", "build")
CKPT = os.environ.get("CKPT", os.path.join(BUILD, "core", "ckpt"))
WRAP = shlex.split(os.environ.get("CKPT_WRAP", ""))
TIMEOUT = int(os.environ.get("CKPT_HOSTILE_TIMEOUT", "120"))
CHAIN = "container,pstree,files,sockets,mounts"

# (archive, extra global flags, exit status, stderr pattern, stdout pattern)
CASES = [
    ("dotdot.tar", [], 1, r'climbs out with "\.\."', None),
    ("absolute.tar", [], 1, r"member has an absolute name", None),
    ("symlink.tar", [], 1, r"checkpoint/pstree\.img is a symlink", None),
    ("symlink-out.tar", [], 1, r"checkpoint/evil\.img is a symlink", None),
    ("hardlink.tar", [], 1, r"checkpoint/evil\.img is a hard link", None),
    ("duplicate.tar", [], 1, r"checkpoint/pstree\.img appears twice", None),
    ("duplicate-top.tar", [], 1,
     r"pstree\.img appears both at the top and in checkpoint/", None),
    ("truncated-member.tar", [], 1,
     r"reading member checkpoint/pages-2\.img: Truncated tar archive", None),
    ("length-past-end.tar", [], 1,
     r"pstree\.img: entry at offset 8 claims 2147483632 bytes, only \d+ "
     r"remain", None),
    ("length-one-past.tar", [], 1, r"pstree\.img: entry at offset \d+ "
     r"claims \d+ bytes, only \d+ remain", None),
    ("pagemap-past-pages.tar", [], 1,
     r"pagemap-\d+\.img: entry \d+ at 0x[0-9a-f]+ needs \d+ pages at offset "
     r"\d+ of the pages file, which has only 4096 bytes", None),
    ("overlapping-vmas.tar", [], 1,
     r"mm-1\.img: vma 1 at 0x[0-9a-f]+ overlaps or precedes", None),
    ("pstree-cycle.tar", [], 1, r"pstree\.img: parent cycle through pid",
     None),
    ("pstree-self-parent.tar", [], 1,
     r"pstree\.img: parent cycle through pid 7 \(ppid 7\)", None),
    ("pstree-100000.tar", [], 1,
     r"pstree\.img: more than 65536 processes \(max-processes limit\)",
     None),
    # raised limit: the loader walks the whole chain (no recursion) and
    # fails on the first process without a core image
    ("pstree-100000.tar", ["--limit", "max-processes=200000"], 1,
     r"core-\d+\.img: (missing or empty, needed for pid \d+|leader core "
     r"of pid \d+ has no task core)", None),
    # a deep tree that loads: a partial result, rows past the host's
    # depth bound refused with a warning, the deepest pid still listed
    ("pstree-deep-5000.tar", ["--format", "json"], 0,
     r"plugin pstree warn: \d+ rows refused; first: .*depth", r'"pid":5999'),
    # many shared VMAs over one shmem object: the page runs they would
    # build are bounded (wide), and finding a VMA's runs does not scan
    # every run of the object (narrow: 50000 VMAs x 200000 runs)
    ("shmem-fanout-wide.tar", ["--limit", "max-entries=1000000"], 1,
     r"pagemap-1\.img: shared mappings show more than 1000000 page runs "
     r"\(max-entries limit\)", None),
    # (loader warnings, shown on stderr by default, are the only output)
    ("shmem-fanout-narrow.tar", ["--format", "json"], 0,
     r"^(ckpt: [^\n]*: warning: [^\n]*\n)*$", r'"pid":1,'),
    # non-zero data stops after its first MiB; zero pages cost no disk
    # and count once the output passes the ratio floor (4 GiB by default)
    ("gzip-bomb-data.tar.gz", [], 1,
     r"bytes of non-zero data decompressed from \d+, over the max-ratio "
     r"limit of 1000 \(raise it", None),
    ("gzip-bomb.tar.gz", ["--limit", "ratio-floor=64M"], 1,
     r"bytes \(\d+ of them zero pages\) decompressed from \d+, over the "
     r"max-ratio limit of 1000 past the ratio-floor of 67108864 bytes", None),
    ("gzip-bomb.tar.gz", ["--limit", "max-ratio=1000000", "--limit",
                          "max-total-size=64M"], 1,
     r"more than 67108864 bytes of members \(max-total-size limit\)", None),
    # content held by kernel objects: a warning naming the image (shown
    # with -v), the object cut or left out, the rest of the model read
    ("ghost-claims-more.tar", ["-v"], 0,
     r"ghost-claims-more\.tar: warning: ghost-file-1\.img: the "
     r"entry says 1073741824 bytes, 26 follow it; read as 26", None),
    ("ghost-chunk-past-size.tar", ["-v"], 0,
     r"ghost-file-1\.img: chunk at offset \d+ \(file offset 20, 16 bytes\) "
     r"overlaps the previous one or passes the file's size 26", None),
    ("pipe-data-past-end.tar", ["-v"], 0,
     r"warning: pipes-data\.img: payload at offset \d+ claims 4294967295 "
     r"bytes, only 14 remain \(pipe 41301\), rest skipped", None),
    ("sk-queue-overflow.tar", ["-v"], 0,
     r"warning: sk-queues\.img: payload at offset \d+ claims 4294967280 "
     r"bytes, only 9 remain", None),
    ("tmpfs-bomb.tar", ["-v"], 0,
     r"warning: tmpfs-dev-45\.tar\.gz\.img: entry 1 of 2147483648 bytes "
     r"after \d+ decompressed goes past the max-members, max-member-size, "
     r"max-total-size or max-ratio limit", None),
    ("tmpfs-names.tar", ["--format", "json"], 0, r"^$", r'"pid":1,'),
    ("zstd-window.tar.zst", [], 1,
     r"Zstd decompression failed: Frame requires too much memory", None),
    ("zstd-long31.tar.zst", [], 1,
     r"Zstd decompression failed: Frame requires too much memory", None),
    # encodings refused by name; the fake lrzip, lzop and grzip on PATH
    # would leave a file in the outside directory if libarchive ran them
    ("lrzip.tar.x", [], 1, r"lrzip\.tar\.x: compressed with lrzip, which "
     r"ckpt does not read", None),
    ("lzop.tar.x", [], 1, r"compressed with lzop, which ckpt", None),
    ("grzip.tar.x", [], 1, r"compressed with grzip, which ckpt", None),
    ("uu.tar.x", [], 1, r"uu\.tar\.x: uuencoded, which ckpt does not read",
     None),
    ("gzip-lrzip.tar.gz", [], 1, r"gzip-lrzip\.tar\.gz: compressed with "
     r"lrzip, which ckpt does not read", None),
    ("gzip-lzop.tar.gz", [], 1, r"compressed with lzop, which ckpt", None),
    ("gzip-grzip.tar.gz", [], 1, r"compressed with grzip, which ckpt", None),
    ("gzip-uu.tar.gz", [], 1, r"gzip-uu\.tar\.gz: uuencoded, which ckpt",
     None),
    # the rootfs diff is read by the secrets plugin: a warning, the rest
    # of the checkpoint still read
    ("diff-gzip-lrzip.tar", ["-v", "@secrets"], 0, r"rootfs-diff\.tar: compressed "
     r"with lrzip, which ckpt does not read", None),
    ("diff-gzip-lzop.tar", ["-v", "@secrets"], 0, r"rootfs-diff\.tar: compressed "
     r"with lzop", None),
    ("diff-gzip-grzip.tar", ["-v", "@secrets"], 0, r"rootfs-diff\.tar: compressed "
     r"with grzip", None),
    ("diff-gzip-uu.tar", ["-v", "@secrets"], 0, r"rootfs-diff\.tar: uuencoded, "
     r"which ckpt", None),
    # sparse members count what they expand to, holes included
    ("sparse-1t-oldgnu.tar", ["--limit", "max-member-size=1G"], 1,
     r"member checkpoint/pages-2\.img is 1099511627776 bytes, over the "
     r"max-member-size limit", None),
    ("sparse-1t-pax10.tar", ["--limit", "max-ratio=100000000", "--limit",
                             "max-total-size=100G"], 1,
     r"more than 107374182400 bytes of members \(max-total-size limit\)",
     None),
] + [("sparse-1t-%s.tar" % kind, [], 1,
      r"sparse-1t-%s\.tar: members add up to 1099511\d{6} bytes \(\d+ of "
      r"them sparse holes\) from \d+ bytes of tar, over the max-ratio limit "
      r"of 1000" % kind, None)
     for kind in ("oldgnu", "pax00", "pax01", "pax10")] + [
    # 2000 sparse 60 MiB files: the walk stops at max-ratio, and what is
    # scanned ends with each file's data (its trailing hole is not read)
    ("diff-sparse-%s.tar" % kind, ["-v", "@secrets"], 0,
     r"(?s)f0000: scanned the first \d{1,5} of 62914560 bytes.*rootfs-diff\.tar: "
     r"an entry of 62914560 bytes goes past the max-member-size, "
     r"max-total-size or max-ratio limit, rest skipped", None)
    for kind in ("oldgnu", "pax10")]

# programs libarchive's external filters would run: each leaves a file in
# the directory named by $CKPT_FAKE_OUT (the "outside" directory)
FAKE_PROGRAMS = ("lrzip", "lzop", "grzip", "lzip", "lz4", "zstd", "xz",
                 "bzip2", "gzip", "uudecode")

# every limit lowered below what the fixture needs: (fixture, flag, error)
LIMITS = [
    ("podman-none.tar", "max-entry-size=64",
     r"config\.dump: \d+ bytes, over the max-entry-size limit of 64"),
    ("podman-none.tar", "max-member-size=1k",
     r"is \d+ bytes, over the max-member-size limit of 1024"),
    ("podman-none.tar", "max-total-size=100k",
     r"more than 102400 bytes of members \(max-total-size limit\)"),
    ("podman-none.tar", "max-members=10",
     r"more than 10 members \(max-members limit\)"),
    ("podman-none.tar", "max-processes=2",
     r"pstree\.img: more than 2 processes \(max-processes limit\)"),
    ("podman-none.tar", "max-threads=1",
     r"pstree\.img: pid 1 has 2 threads, over the max-threads limit of 1"),
    ("podman-none.tar", "max-vmas=3",
     r"mm-1\.img: \d+ vmas, over the max-vmas limit of 3"),
    ("podman-none.tar", "max-fds=1",
     r"fdinfo-\d+\.img: more than 1 fds \(max-fds limit\)"),
    ("podman-none.tar", "max-entries=2",
     r"pstree\.img: more than 2 entries \(max-entries limit\)"),
    ("podman-zstd.tar.zst", "max-total-size=100k",
     r"more than 102400 bytes of members \(max-total-size limit\)"),
    ("podman-none.tar", "max-vmas=x", r"limit max-vmas: 'x' is not a number"),
    ("podman-none.tar", "max-nothing=1", r"unknown limit 'max-nothing'"),
]

n = 0
failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, what))
    else:
        failed += 1
        print("not ok %d - %s" % (n, what))
        for line in detail.splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def listing(d):
    out = []
    for root, dirs, files in os.walk(d):
        out += [os.path.join(root, x) for x in dirs + files]
    return out


def run(args, scratch, outside):
    """Runs ckpt in empty directories; returns (rc, out, err, problems)."""
    cwd = tempfile.mkdtemp(prefix="cwd-", dir=scratch)
    tmp = tempfile.mkdtemp(prefix="tmp-", dir=scratch)
    env = dict(os.environ, TMPDIR=tmp, CKPT_FAKE_OUT=outside,
               PATH=os.path.join(scratch, "fakebin") + os.pathsep +
               os.environ.get("PATH", ""))
    try:
        p = subprocess.run(WRAP + [CKPT] + args, cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, out, err = "timeout", "", ""
    problems = []
    for d, what in ((cwd, "cwd"), (tmp, "TMPDIR"), (outside, "outside")):
        left = listing(d)
        if left:
            problems.append("%s not empty: %s" % (what, left[:5]))
    shutil.rmtree(cwd)
    shutil.rmtree(tmp)
    return rc, out, err, problems


def check(label, args, want_rc, err_re, out_re, scratch, outside):
    rc, out, err, problems = run(args, scratch, outside)
    detail = "rc=%s\nstderr: %s\nstdout: %s" % (rc, err[-1500:], out[:500])
    ok(rc == want_rc, "%s: exit status %s" % (label, want_rc), detail)
    ok(re.search(err_re, err) is not None,
       "%s: error says /%s/" % (label, err_re[:60]), detail)
    if out_re:
        ok(re.search(out_re, out) is not None,
           "%s: output has /%s/" % (label, out_re), detail)
    ok(not problems, "%s: nothing written to disk" % label,
       "\n".join(problems))


def main():
    plan = sum(4 if c[4] else 3 for c in CASES) + 3 * len(LIMITS) + 1
    print("1..%d" % plan)
    if not os.access(CKPT, os.X_OK):
        for _ in range(plan):
            ok(False, "ckpt binary at %s" % CKPT)
        return 1
    scratch = tempfile.mkdtemp(prefix="ckpt-hostile-")
    try:
        gen = os.path.join(scratch, "gen")
        outside = os.path.join(scratch, "outside")
        os.makedirs(outside)
        p = subprocess.run([sys.executable, os.path.join(HERE, "gen.py"),
                            os.path.join(FIXTURES, "podman-none.tar"), gen,
                            outside], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        made = set(p.stdout.decode().split())
        ok(p.returncode == 0 and all(c[0] in made for c in CASES),
           "gen.py made every attack", p.stderr.decode())
        fakebin = os.path.join(scratch, "fakebin")
        os.makedirs(fakebin)
        for prog in FAKE_PROGRAMS:
            with open(os.path.join(fakebin, prog), "w") as f:
                f.write('#!/bin/sh\n: > "$CKPT_FAKE_OUT/ran-%s"\n'
                        'cat >/dev/null\n' % prog)
            os.chmod(os.path.join(fakebin, prog), 0o755)
        for name, flags, rc, err_re, out_re in CASES:
            path = os.path.join(gen, name)
            label = name + (" " + " ".join(flags) if flags else "")
            chain = [f[1:] for f in flags if f.startswith("@")] or [CHAIN]
            flags = [f for f in flags if not f.startswith("@")]
            check(label, flags + ["run", chain[0], path], rc, err_re, out_re,
                  scratch, outside)
        for fixture, limit, err_re in LIMITS:
            path = os.path.join(FIXTURES, fixture)
            rc, out, err, problems = run(["--limit", limit, "run", CHAIN,
                                          path], scratch, outside)
            want = 2 if re.search("not a number|unknown limit", err_re) \
                else 1
            label = "%s --limit %s" % (fixture, limit)
            detail = "rc=%s\nstderr: %s" % (rc, err[-800:])
            ok(rc == want, "%s: exit status %d" % (label, want), detail)
            ok(re.search(err_re, err) is not None,
               "%s: error names the limit" % label, detail)
            ok(not problems, "%s: nothing written to disk" % label,
               "\n".join(problems))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""parse.py - TAP test: every command against hostile metadata and images,
and against inputs that are not checkpoints at all.

Made at test time from a copy of tests/fixtures/podman-none.tar (and the
bare criu-dir fixture), with gen.py's helpers:
  - config.dump / spec.dump nested past the parser's depth bound, plainly
    and behind each extension json-glib's scanner takes (comments, single
    quotes, a surrogate escape eating a quote; '#' too), and nested just at
    the bound;
  - a NUL (\\u0000) in a spec.dump string and key;
  - CRI-O annotations holding JSON (shown by inspect) nested past it;
  - not checkpoints: an empty directory, a tar of unrelated files, a tar of
    tars, and checkpoints without pstree.img (absent, or a FIFO in a bare
    directory);
  - protobuf entries that decode into far more memory than they take
    (max-decode-memory).
For each run: it ends by itself under a timeout and not by a signal, with
the expected exit status, and stderr (with -v, warnings go there) names
the archive, the member and what is wrong.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

FIXTURES = os.environ.get("CKPT_FIXTURES",
                          os.path.join(HERE, "..", "fixtures"))
BUILD = os.environ.get("CKPT_BUILD_ROOT", "build")
CKPT = os.path.abspath(os.environ.get("CKPT",
                                      os.path.join(BUILD, "core", "ckpt")))
WRAP = shlex.split(os.environ.get("CKPT_WRAP", ""))
TIMEOUT = int(os.environ.get("CKPT_HOSTILE_TIMEOUT", "120"))

# (label, argv before the file, normal exit statuses)
COMMANDS = [
    ("show", ["show"], {0}),
    ("inspect", ["inspect", "--all"], {0}),
    ("run", ["run", "container,pstree,files"], {0}),
    ("isolate", ["--isolate", "run", "container,pstree"], {0}),
    ("memparse", ["memparse", "--search", "ckpt"], {0}),
    ("yara", ["yara"], {0, 1}),
    ("secrets", ["secrets"], {0, 1}),
]
# the commands that refuse a non-checkpoint, with their error status
REFUSING = COMMANDS + [("diff", ["diff", "@FIXTURE@"], {2})]
# commands whose 1 means found/no hit/different exit 2 on an error
ERROR_RC = {"yara": 2, "secrets": 2, "memparse": 2, "diff": 2}

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


def run(args, cwd):
    env = dict(os.environ, TMPDIR=cwd)
    try:
        p = subprocess.run(WRAP + [CKPT] + args, cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def check(label, args, want_rc, err_re, cwd, out_re=None):
    rc, out, err = run(args, cwd)
    detail = "argv: %s\nrc=%s\nstderr: %s\nstdout: %s" % (
        " ".join(args), rc, err[-1500:], out[:400])
    ok(rc in want_rc, "%s: exit status in %s" % (label, sorted(want_rc)),
       detail)
    ok(re.search(err_re, err) is not None,
       "%s: stderr says /%s/" % (label, err_re[:70]), detail)
    if out_re:
        ok(re.search(out_re, out) is not None,
           "%s: stdout has /%s/" % (label, out_re[:70]), detail)


# ---- making the inputs -----------------------------------------------------

def top_replaced(members, name, data):
    """members with the top-level member NAME's bytes replaced."""
    out = []
    for info, d in members:
        if info.name == name:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            d = data
        out.append((info, d))
    return out


def top_get(members, name):
    for info, d in members:
        if info.name == name:
            return d
    raise KeyError(name)


def nest(levels, close=True):
    s = "".join("[" if i % 2 == 0 else '{"k":' for i in range(levels)) + "1"
    if close:
        s += "".join("]" if i % 2 == 0 else "}"
                     for i in reversed(range(levels)))
    return s


DEEP = "[" * 200000
# what json-glib 1.6's scanner skips or reads as a string, each hiding a
# quote from a "-only pre-scan: a '/' starts a comment to the end of the
# line (so /* */ on one line too), 'single-quoted' strings, and a lone
# high surrogate escape that eats the closing quote after it (json-glib
# then reads the next quote as the end, the pre-scan as a start). '#',
# GScanner's own comment, is not json-glib's: kept as one more junk case.
TRICKS = {
    "plain": "",
    "comment": '/* " */\n',
    "line-comment": '// "\n',
    "single-quote": "'\"', ",
    "surrogate": '"\\ud800" ", ',
    "hash": '# "\n',
}


def metadata_cases(base, out):
    """(label, file, member, stderr pattern, stdout pattern) for JSON."""
    cases = []
    config = top_get(base, "config.dump").decode()
    spec = top_get(base, "spec.dump").decode()
    for member in ("config.dump", "spec.dump"):
        for trick, text in TRICKS.items():
            name = "%s-deep-%s.tar" % (member.split(".")[0], trick)
            body = '{"a": [' + text + DEEP
            gen.write_tar(os.path.join(out, name),
                          top_replaced(base, member, body.encode()))
            want = (r"JSON nested deeper than 64 levels" if trick == "plain"
                    else r"not valid JSON, ignored: offset \d+")
            cases.append((name, member, want, None))
        # one level under the bound loads; the bound itself is refused
        orig = config if member == "config.dump" else spec
        for levels, want in ((63, None),
                             (64, r"JSON nested deeper than 64 levels")):
            name = "%s-nest-%d.tar" % (member.split(".")[0], levels)
            body = orig.rstrip().rstrip("}") + ', "zz": ' + nest(levels) + "}"
            gen.write_tar(os.path.join(out, name),
                          top_replaced(base, member, body.encode()))
            cases.append((name, member, want, None))
    # a NUL in a spec.dump string and in a key: kept visible and warned;
    # the renderers show the kept backslash doubled, as every backslash
    body = spec.replace('"hostname":',
                        '"x\\u0000y": "a\\u0000b", "hostname":', 1)
    assert body != spec
    gen.write_tar(os.path.join(out, "spec-nul.tar"),
                  top_replaced(base, "spec.dump", body.encode()))
    cases.append(("spec-nul.tar", "spec.dump",
                  r"x\\\\u0000y \(a member name\) holds a NUL character "
                  r"\(\\\\u0000\), kept as the text \\\\u0000", None))
    body = config.replace('"name": "ckpt-fixture"',
                          '"name": "ckpt\\u0000-hidden"', 1)
    assert body != config, "fixture config.dump has no name"
    gen.write_tar(os.path.join(out, "config-nul.tar"),
                  top_replaced(base, "config.dump", body.encode()))
    cases.append(("config-nul.tar", "config.dump",
                  r"name holds a NUL character",
                  r"ckpt\\\\u0000-hidden"))
    return cases


def annotation_cases(out):
    """CRI-O archives whose spec.dump annotation holding JSON (shown as a
    tree by inspect, read for the name by the loader) is nested deep,
    plainly and behind a comment."""
    import json
    crio = gen.read_members(os.path.join(FIXTURES, "crio-none.tar"))
    spec = json.loads(top_get(crio, "spec.dump"))
    made = []
    for key in ("io.kubernetes.cri-o.Labels", "io.kubernetes.cri-o.Metadata"):
        for trick in ("", "/* \" */ "):
            s = dict(spec, annotations=dict(spec["annotations"]))
            s["annotations"][key] = '{"a": ' + trick + DEEP
            name = "crio-%s%s.tar" % (key.split(".")[-1],
                                      "-comment" if trick else "")
            gen.write_tar(os.path.join(out, name), top_replaced(
                crio, "spec.dump", json.dumps(s).encode()))
            made.append(name)
    return made


def not_checkpoints(base, out):
    """(label, path, stderr pattern) of inputs that must be refused."""
    cases = []
    empty = os.path.join(out, "empty")
    os.makedirs(empty)
    cases.append(("empty directory", empty,
                  r"empty: not a CRIU checkpoint: no inventory\.img or "
                  r"pstree\.img|yara: no checkpoints found in .*/empty$"))
    junk = [gen.member("README", b"hello\n"),
            gen.member("data/x.bin", b"\0" * 4096)]
    gen.write_tar(os.path.join(out, "unrelated.tar"), junk)
    cases.append(("tar of unrelated files", os.path.join(out, "unrelated.tar"),
                  r"unrelated\.tar: not a CRIU checkpoint"))
    inner = gen.tar_bytes(junk)
    gen.write_tar(os.path.join(out, "tars.tar"),
                  [gen.member("a.tar", inner), gen.member("b.tar", inner)])
    cases.append(("tar of tars", os.path.join(out, "tars.tar"),
                  r"tars\.tar: not a CRIU checkpoint"))
    gen.write_tar(os.path.join(out, "no-pstree.tar"),
                  gen.replaced(base, "pstree.img", None))
    cases.append(("tar without pstree.img", os.path.join(out, "no-pstree.tar"),
                  r"no-pstree\.tar: pstree\.img is missing or not a regular "
                  r"file"))
    fifo = os.path.join(out, "fifo-dir")
    shutil.copytree(os.path.join(FIXTURES, "criu-dir"), fifo)
    os.unlink(os.path.join(fifo, "pstree.img"))
    os.mkfifo(os.path.join(fifo, "pstree.img"))
    cases.append(("directory with a FIFO as pstree.img", fifo,
                  r"fifo-dir: pstree\.img is missing or not a regular file"))
    return cases


# ---- entries that decode into far more than they take -------------------

FD_EVENTPOLL = 7  # CRIU's fd_types


def pb(field, wt, v):
    return gen.pb_encode([(field, wt, v)])


def eventpoll_file(n_tfd, file_id=0x7ffff0):
    """A files.img entry: an eventpoll with n_tfd empty tfd submessages
    (two bytes each on the wire, a malloc'd message each decoded)."""
    epfd = pb(1, 0, file_id) + pb(2, 0, 0) + b"\x22\x00" * n_tfd
    return pb(1, 0, FD_EVENTPOLL) + pb(2, 0, file_id) + pb(9, 2, epfd)


def with_unknown(entry, n):
    """entry with n unknown varint fields (field 100: three bytes each)."""
    return entry + (gen.varint(100 << 3) + b"\x00") * n


def pagemap(head, n):
    """head and n one-page, not-present entries, one page apart."""
    ents = [pb(1, 0, 0x10000000 + i * 8192) + pb(2, 0, 1) + pb(4, 0, 2)
            for i in range(n)]
    return gen.image(head, ents)


def decode_images(base, n_tfd, n_unknown, n_pagemap, tag, out):
    """Writes the three shapes; returns {shape: (path, image name)}."""
    made = {}
    head, ents = gen.image_entries(gen.get(base, "files.img"))
    path = os.path.join(out, "tfd-%s.tar" % tag)
    gen.write_tar(path, gen.replaced(
        base, "files.img", gen.image(head, ents + [eventpoll_file(n_tfd)])))
    made["tfd"] = (path, "files.img")
    head, ents = gen.image_entries(gen.get(base, "pstree.img"))
    path = os.path.join(out, "unknown-%s.tar" % tag)
    gen.write_tar(path, gen.replaced(
        base, "pstree.img",
        gen.image(head, [with_unknown(ents[0], n_unknown)] + ents[1:])))
    made["unknown"] = (path, "pstree.img")
    if n_pagemap:
        head, _ = gen.image_entries(gen.get(base, "pagemap-1.img"))
        path = os.path.join(out, "pagemap-%s.tar" % tag)
        gen.write_tar(path, gen.replaced(base, "pagemap-1.img",
                                         pagemap(head, n_pagemap)))
        made["pagemap"] = (path, "pagemap-1.img")
    return made


def decode_limit_re(path, image, limit):
    return (re.escape(path) + r": " + re.escape(image) +
            r": entry at offset \d+ decodes past the max-decode-memory "
            r"limit of %d bytes for the image" % limit)


def decode_checks(base, out, cwd):
    small = decode_images(base, 100000, 100000, 100000, "small", out)
    for shape, (path, image) in sorted(small.items()):
        # scaled down under a lowered limit: refused, naming it all
        check("%s, max-decode-memory=1M" % shape,
              ["--limit", "max-decode-memory=1M", "run", "container,pstree",
               path], {1}, decode_limit_re(path, image, 1 << 20), cwd)
        # and the same image under the default limit is not refused for
        # its decode: the limit is what stopped it
        rc, o, err = run(["run", "container,pstree", path], cwd)
        ok("max-decode-memory" not in err and rc != "timeout" and rc >= 0,
           "%s, default limit: the small image decodes" % shape,
           "rc=%s\nstderr: %s" % (rc, err[-800:]))
    # at the sizes that took gigabytes, under the default limit: refused
    # with peak memory a fraction of what the image would decode into
    big = decode_images(base, 30000000, 20000000, 0, "big", out)
    for shape, (path, image) in sorted(big.items()):
        rc, err, rss_kib = run_measured(["run", "container,pstree", path],
                                        cwd)
        ok(rc == 1 and
           re.search(decode_limit_re(path, image, 256 << 20), err),
           "%s at full size, default limit: refused" % shape,
           "rc=%s\nstderr: %s" % (rc, err[-800:]))
        what = "%s at full size: peak RSS %d MiB stays under 512 MiB" % (
            shape, rss_kib // 1024)
        if os.environ.get("CKPT_UNDER_VALGRIND"):
            # valgrind's own heap makes the high-water mark meaningless
            ok(True, what + " # SKIP under valgrind")
        else:
            ok(rss_kib < 512 * 1024, what, "")


def run_measured(args, cwd):
    """(exit status, stderr, peak RSS in KiB) of one ckpt run, from the
    child's own rusage (wait4), not the whole test's."""
    with tempfile.TemporaryFile() as e:
        p = subprocess.Popen(WRAP + [CKPT] + args, cwd=cwd,
                             stdout=subprocess.DEVNULL, stderr=e,
                             env=dict(os.environ, TMPDIR=cwd))
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        e.seek(0)
        return (p.returncode, e.read().decode("utf-8", "replace"),
                ru.ru_maxrss)


def main():
    scratch = tempfile.mkdtemp(prefix="ckpt-parse-")
    try:
        out = os.path.join(scratch, "gen")
        os.makedirs(out)
        cwd = os.path.join(scratch, "cwd")
        os.makedirs(cwd)
        fixture = os.path.join(FIXTURES, "podman-none.tar")
        base = gen.read_members(fixture)
        meta = metadata_cases(base, out)
        refuse = not_checkpoints(base, out)
        annotated = annotation_cases(out)
        plan = 0
        for _, _, want, out_re in meta:
            plan += len(COMMANDS) * (2 if want else 1) + (1 if out_re else 0)
        plan += 2 * len(REFUSING) * len(refuse) + 3
        plan += 3 * 3 + 2 * 2
        plan += len(annotated) * len(COMMANDS)
        print("1..%d" % plan)
        if not os.access(CKPT, os.X_OK):
            for _ in range(plan):
                ok(False, "ckpt binary at %s" % CKPT)
            return 1

        for name, member, want, out_re in meta:
            path = os.path.join(out, name)
            for label, argv, rcs in COMMANDS:
                # ckpt yara keeps a sweep's warnings in its JSON only
                flags = ["--format", "json"] if label == "yara" else ["-v"]
                rc, o, err = run(flags + argv + [path], cwd)
                detail = "rc=%s\nstderr: %s" % (rc, err[-1200:])
                if want is None:
                    ok(rc in rcs and "nested" not in err,
                       "%s %s: loads, exit %s" % (name, label, sorted(rcs)),
                       detail)
                    continue
                ok(rc in rcs, "%s %s: exit status in %s" %
                   (name, label, sorted(rcs)), detail)
                if label == "yara":
                    pat = r'"path":"%s".*"warnings":\[[^]]*"%s: [^"]*%s' % (
                        re.escape(path), re.escape(member), want)
                    where = o
                else:
                    pat = re.escape(path) + r": warning: " + \
                        re.escape(member) + r": .*" + want
                    where = err
                detail += "\nstdout: " + o[:600]
                ok(re.search(pat, where) is not None,
                   "%s %s: warning names archive, member and fault" %
                   (name, label), detail)
            if out_re:
                rc, o, err = run(["show", path], cwd)
                ok(re.search(out_re, o) is not None,
                   "%s: show has /%s/" % (name, out_re), "stdout: " + o)

        for name in annotated:
            path = os.path.join(out, name)
            for label, argv, rcs in COMMANDS:
                rc, o, err = run(argv + [path], cwd)
                ok(rc in rcs, "%s %s: exit status in %s, no crash" %
                   (name, label, sorted(rcs)),
                   "rc=%s\nstderr: %s" % (rc, err[-800:]))

        for what, path, err_re in refuse:
            for label, argv, rcs in REFUSING:
                argv = [fixture if a == "@FIXTURE@" else a for a in argv]
                want = ERROR_RC.get(label, 1)
                rc, o, err = run(argv + [path], cwd)
                detail = "rc=%s\nstderr: %s\nstdout: %s" % (
                    rc, err[-1200:], o[:300])
                ok(rc == want, "%s, %s: exit status %d" % (what, label, want),
                   detail)
                ok(re.search(err_re, err, re.M) is not None,
                   "%s, %s: stderr says what is missing" % (what, label),
                   detail)

        # a sweep of a directory goes on past a bad checkpoint: list shows
        # the good ones, the deep one with its warning
        k = os.path.join(scratch, "k")
        os.makedirs(k)
        # copies: ckpt list never follows a symlink
        shutil.copy(fixture, os.path.join(k, "checkpoint-good.tar"))
        shutil.copy(os.path.join(out, "config-deep-comment.tar"),
                    os.path.join(k, "checkpoint-deep.tar"))
        rc, o, err = run(["--format", "json", "list", k], cwd)
        ok(rc == 0, "list over a deep config.dump: exit 0",
           "rc=%s\n%s" % (rc, err))
        ok("checkpoint-good.tar" in o and "checkpoint-deep.tar" in o,
           "list over a deep config.dump: both rows", o[:1500])
        rc, o, err = run(["yara", k], cwd)
        ok(rc in (0, 1),
           "yara sweep with a deep config.dump: completes, exit 0 or 1",
           "rc=%s\n%s" % (rc, err))
        decode_checks(base, out, cwd)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

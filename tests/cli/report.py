#!/usr/bin/env python3
"""report.py - TAP test: `ckpt report -o FILE` (core/render/html.c).

Real: reports of real-attack.tar, real-nginx.tar and podman-fdzoo.tar have
every section, and their counts (findings, processes, memory mappings per
process, sockets, open files, root FS changes, timeline) are those of
`ckpt run report --format json` on the same checkpoint. The page is
self-contained: a strict CSP, no script, no external reference. The same
checkpoint gives the same bytes; -o is required; an existing file is
refused without --force, replaced with it; a checkpoint that cannot be
read is an error naming it and leaves no file.

Hostile: real-attack.tar with its process names, executable path, command
lines and environment (in the memory pages), container name (config.dump,
spec.dump) and root FS file names holding <script>, <svg/onload=...>,
"><img onerror=...>, </style>: every one is text in the page, no element
of theirs exists.

Browser: when Debian's chromium is installed, it loads each page from
disk (--dump-dom): the DOM has the sections, no injected element and no
console message (a CSP violation or script error would be one); a
screenshot of each is kept in the build directory (report-*.png).
Without chromium those checks are skipped.
"""
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

FX = os.environ["CKPT_FIXTURES"]
BUILD = os.environ["CKPT_BUILD_ROOT"]
CKPT = os.environ.get("CKPT") or os.path.join(BUILD, "core", "ckpt")
n = 0


def ok(cond, what, detail=""):
    global n
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond and detail:
        for line in str(detail).splitlines()[:40]:
            print("# " + line)
    return cond


def skip(what, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, what, why))


def run(*args, cwd=None):
    return subprocess.run([CKPT, *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


class Page(html.parser.HTMLParser):
    """What the checks read from a page or a DOM: elements, attributes,
    rows of tables by id, findings, mappings per process, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.attrs = []  # (tag, name, value)
        self.ids = set()
        self.rows = {}  # table id -> rows in its tbody
        self.findings = 0
        self.maps = {}  # pid -> <g class="vma ...">
        self.text = []
        self.svg_classes = []
        self._table = []
        self._tbody = 0
        self._map = None
        self._in_style = False
        self.style_text = ""

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        for k, v in attrs:
            self.attrs.append((tag, k, v))
        if "id" in a:
            self.ids.add(a["id"])
        cls = a.get("class") or ""
        if tag == "table":
            self._table.append(a.get("id"))
        elif tag == "tbody":
            self._tbody += 1
        elif tag == "tr" and self._tbody and self._table and self._table[-1]:
            t = self._table[-1]
            self.rows[t] = self.rows.get(t, 0) + 1
        elif tag == "div" and cls.split()[:1] == ["finding"]:
            self.findings += 1
        elif tag == "div" and cls == "proc-map":
            self._map = a["id"].rsplit("-", 1)[1]
            self.maps[self._map] = 0
        elif tag == "g" and cls.split()[:1] == ["vma"] and self._map:
            self.maps[self._map] += 1
        elif tag == "svg":
            self.svg_classes.append(cls)
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tbody":
            self._tbody -= 1
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style_text += data
        else:
            self.text.append(data)


def parse(text):
    p = Page()
    p.feed(text)
    p.close()
    p.all_text = "".join(p.text)
    return p


def json_tables(path):
    p = run("--format", "json", "run", "report", path)
    doc = json.loads(p.stdout)
    return doc["checkpoints"][0]["plugins"]


def chromium():
    # CKPT_CHROMIUM: the browser to use, or "none" to test without one
    forced = os.environ.get("CKPT_CHROMIUM")
    if forced:
        return None if forced == "none" else forced
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


BROWSER = chromium()
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--hide-scrollbars", "--no-first-run",
                 "--disable-background-networking", "--enable-logging=stderr",
                 "--v=0"]


def browse(page, shot, workdir):
    """The DOM chromium made of page, its console lines, and a
    screenshot written to shot."""
    env = dict(os.environ, HOME=workdir)
    url = "file://" + os.path.abspath(page)
    d = subprocess.run([BROWSER, *BROWSER_FLAGS,
                        "--user-data-dir=" + os.path.join(workdir, "ud"),
                        "--dump-dom", url], capture_output=True, text=True,
                       timeout=180, env=env)
    s = subprocess.run([BROWSER, *BROWSER_FLAGS,
                        "--user-data-dir=" + os.path.join(workdir, "ud"),
                        "--window-size=1280,2400", "--screenshot=" + shot,
                        url], capture_output=True, text=True, timeout=180,
                       env=env)
    console = [line for line in (d.stderr + s.stderr).splitlines()
               if ":CONSOLE" in line]
    return d.stdout, console, d.returncode


SECTIONS = ["summary", "findings", "processes", "memory", "sockets", "files",
            "rootfs", "timeline"]


def check_self_contained(p, name):
    csp = [v for t, k, v in p.attrs if t == "meta" and k == "content" and
           "default-src" in (v or "")]
    ok(csp == ["default-src 'none'; style-src 'unsafe-inline'"],
       "%s: the strict CSP meta tag" % name, csp)
    ok(p.tags.get("script", 0) == 0, "%s: no script element" % name)
    ok(p.tags.get("style", 0) == 1 and p.tags.get("link", 0) == 0,
       "%s: one inline style, no linked one" % name, p.tags)
    refs = [(t, k, v) for t, k, v in p.attrs
            if k in ("src", "href", "xlink:href", "action") and
            not (v or "").startswith("#")]
    ok(refs == [], "%s: nothing refers outside the page" % name, refs)
    ok("url(" not in p.style_text and "@import" not in p.style_text,
       "%s: the style loads nothing" % name)
    handlers = [(t, k) for t, k, v in p.attrs if k.startswith("on")]
    ok(handlers == [], "%s: no event handler attribute" % name, handlers)


def check_counts(p, plugins, name):
    missing = [s for s in SECTIONS if "c0-" + s not in p.ids]
    ok(missing == [], "%s: every section is there" % name, missing)

    def table(plugin, t):
        return plugins[plugin]["tables"][t]

    def flat(rows):  # a tree's rows nest their children in JSON
        for r in rows:
            yield r
            yield from flat(r.get("children") or [])

    findings = table("triage", "findings")
    ok(p.findings == len(findings),
       "%s: %d findings, as the JSON" % (name, len(findings)), p.findings)
    for plugin, t in (("pstree", "processes"), ("sockets", "sockets"),
                      ("files", "files"), ("rootfs", "changes")):
        rows = list(flat(table(plugin, t)))
        got = p.rows.get("c0-%s-%s" % (plugin, t), 0)
        ok(got == len(rows), "%s: %s.%s has %d rows, as the JSON" %
           (name, plugin, t, len(rows)), got)
    want = {}
    for r in table("memory", "maps"):
        want[str(r["pid"])] = want.get(str(r["pid"]), 0) + 1
    ok(p.maps == want, "%s: a memory map per process, a bar per mapping "
       "(%d processes, %d mappings)" % (name, len(want), sum(want.values())),
       "%s\n%s" % (p.maps, want))
    info = table("container", "info")
    times = sum(1 for r in info for k in ("created", "checkpointed") if r[k])
    times += sum(1 for r in table("rootfs", "changes") if r["mtime"])
    times += sum(1 for r in findings if r["id"] == "shell-history")
    got = p.rows.get("c0-timeline", 0)
    ok(got == min(times, 400) and got >= 2,
       "%s: the timeline has every time (%d)" % (name, times), got)
    verdict = table("triage", "verdict")[0]["verdict"]
    ok(verdict.upper() in p.all_text.upper(),
       "%s: the verdict %s is shown" % (name, verdict))


def craft_hostile(src, dst):
    """real-attack.tar with markup where a checkpoint holds text; every
    replacement in an image keeps its length, so the images stay valid."""
    path_old = b"/usr/local/bin/attack"
    path_new = b"<svg/onload=alert(1)>"
    env_old = b"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
              b"/sbin:/bin"
    env_new = b"PATH=</style><script>alert(2)</script>\"><img src=x " \
              b"onerror=z>"
    env_new = env_new.ljust(len(env_old), b"x")
    assert len(path_old) == len(path_new) and len(env_new) == len(env_old)
    name_new = "<script>alert(4)</script>\"><img src=x onerror=alert(5)>"
    changed = set()
    with tarfile.open(src) as tin, tarfile.open(dst, "w") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else None
            if data is not None:
                before = data
                if m.name.startswith("checkpoint/core-"):
                    data = data.replace(b"\x06attack", b"\x06<svg/>")
                if m.name.startswith("checkpoint/"):
                    data = data.replace(path_old, path_new)
                    data = data.replace(env_old, env_new)
                    # a bash history entry: a finding's evidence and an
                    # event of the timeline
                    data = data.replace(b"cat /etc/passwd",
                                        b"<i onclick=x>zz")
                if m.name == "config.dump":
                    data = data.replace(b'"ckpt-real-attack"',
                                        json.dumps(name_new).encode())
                if m.name == "spec.dump":
                    spec = json.loads(data)
                    spec["process"]["env"].append(
                        "EVIL=</td></tr></table><script>alert(9)</script>")
                    spec.setdefault("annotations", {})[
                        "x\"><img src=x onerror=alert(10)>"] = "</style>"
                    data = json.dumps(spec).encode()
                if m.name == "rootfs-diff.tar":
                    data = hostile_diff(data)
                if data != before:
                    changed.add(m.name)
                m.size = len(data)
                tout.addfile(m, io.BytesIO(data))
            else:
                tout.addfile(m)
    return changed


def hostile_diff(data):
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data)) as tin, \
            tarfile.open(fileobj=out, mode="w") as tout:
        for m in tin.getmembers():
            f = tin.extractfile(m) if m.isfile() else None
            tout.addfile(m, f)
        for name in ('etc/"><img src=x onerror=alert(6)>',
                     "tmp/<script>alert(7)</script>"):
            body = b"</style><script>alert(8)</script>\n"
            ti = tarfile.TarInfo(name)
            ti.size = len(body)
            ti.mtime = 1764622424
            tout.addfile(ti, io.BytesIO(body))
    return out.getvalue()


HOSTILE_TEXT = ["<svg/>", "pid 12: <i onclick=x>zz", "<svg/onload=alert(1)>", "</style><script>alert(2)",
                '"><img src=x onerror=z>', "<script>alert(4)</script>",
                'etc/"><img src=x onerror=alert(6)>',
                "tmp/<script>alert(7)</script>",
                "</td></tr></table><script>alert(9)</script>",
                'x"><img src=x onerror=alert(10)>']


def check_hostile(p, name):
    ok(p.tags.get("script", 0) == 0 and p.tags.get("img", 0) == 0,
       "%s: no script or img element" % name,
       {k: p.tags.get(k) for k in ("script", "img")})
    ok(p.tags.get("style", 0) == 1, "%s: the one style element" % name)
    handlers = [(t, k, v) for t, k, v in p.attrs if k.startswith("on")]
    ok(handlers == [], "%s: no event handler attribute" % name, handlers)
    bad_svg = [c for c in p.svg_classes if c not in ("map", "tl")]
    ok(bad_svg == [], "%s: only the page's own svg pictures" % name, bad_svg)
    for t in HOSTILE_TEXT:
        ok(t in p.all_text, "%s: %s is text" % (name, t))


def main():
    build_out = os.path.join(BUILD, "tests", "report")
    os.makedirs(build_out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages = {}
        for fx in ("real-attack.tar", "real-nginx.tar", "podman-fdzoo.tar"):
            path = os.path.join(FX, fx)
            out = os.path.join(tmp, fx + ".html")
            p = run("report", "-o", out, path)
            if not ok(p.returncode == 0 and os.path.exists(out),
                      "%s: report written" % fx, p.stderr):
                continue
            text = open(out, encoding="utf-8").read()
            pages[fx] = out
            page = parse(text)
            check_self_contained(page, fx)
            check_counts(page, json_tables(path), fx)
            shutil.copy(out, os.path.join(build_out, fx + ".html"))

        # deterministic, and the same with --format given
        a = os.path.join(tmp, "a.html")
        b = os.path.join(tmp, "b.html")
        fdzoo = os.path.join(FX, "podman-fdzoo.tar")
        run("report", "-o", a, fdzoo)
        run("--format", "json", "report", "-o" + b, fdzoo)
        ok(open(a, "rb").read() == open(b, "rb").read(),
           "the same checkpoint gives the same bytes")
        c = os.path.join(tmp, "c.html")
        p = run("--isolate", "report", "-o", c, fdzoo)
        ok(p.returncode == 0 and open(a, "rb").read() == open(c, "rb").read(),
           "with --isolate too", p.stderr)
        mode = os.stat(a).st_mode & 0o777
        mask = os.umask(0)
        os.umask(mask)
        ok(mode == 0o666 & ~mask,
           "the page's mode is what the umask gives", oct(mode))

        # several checkpoints: a part of the page each, in order
        both = os.path.join(tmp, "both.html")
        p = run("report", "-o", both, fdzoo,
                os.path.join(FX, "real-attack.tar"))
        page = parse(open(both, encoding="utf-8").read()) \
            if os.path.exists(both) else None
        ok(p.returncode == 0 and page is not None and
           {"c0", "c1", "c0-memory", "c1-timeline"} <= page.ids and
           "c2" not in page.ids and
           page.findings == len(json_tables(fdzoo)["triage"]["tables"][
               "findings"]) + len(json_tables(os.path.join(
                   FX, "real-attack.tar"))["triage"]["tables"]["findings"]),
           "two checkpoints: two parts, every finding of both", p.stderr)

        # usage and refusal
        p = run("report", fdzoo)
        ok(p.returncode == 2 and "-o FILE is required" in p.stderr,
           "no -o: usage error", p.stderr)
        before = open(a, "rb").read()
        p = run("report", "-o", a, os.path.join(FX, "real-attack.tar"))
        ok(p.returncode == 2 and "exists (--force replaces it)" in p.stderr
           and open(a, "rb").read() == before,
           "an existing file is refused and kept", p.stderr)
        p = run("report", "--force", "--output", a,
                os.path.join(FX, "real-attack.tar"))
        ok(p.returncode == 0 and open(a, "rb").read() != before,
           "--force replaces it", p.stderr)
        link = os.path.join(tmp, "link.html")
        target = os.path.join(tmp, "target")
        open(target, "w").write("keep")
        os.symlink(target, link)
        p = run("report", "-o", link, fdzoo)
        ok(p.returncode == 2 and open(target).read() == "keep",
           "a symlink is an existing file", p.stderr)
        p = run("report", "--force", "-o", link, fdzoo)
        ok(p.returncode == 0 and open(target).read() == "keep" and
           not os.path.islink(link),
           "--force replaces the symlink itself, not its target", p.stderr)
        bad = os.path.join(tmp, "bad.tar")
        open(bad, "wb").write(b"not a checkpoint" * 64)
        out = os.path.join(tmp, "bad.html")
        p = run("report", "-o", out, bad)
        ok(p.returncode == 1 and "bad.tar" in p.stderr,
           "a file that is no checkpoint: error naming it, exit 1", p.stderr)
        ok(os.path.exists(out) and "Problems" in open(out).read(),
           "the page says what went wrong")
        p = run("report", "-o", os.path.join(tmp, "no", "dir.html"), fdzoo)
        ok(p.returncode == 1 and "cannot write" in p.stderr,
           "an unwritable place: error, exit 1", p.stderr)
        leftovers = [f for f in os.listdir(tmp) if f.startswith(".ckpt-")]
        ok(leftovers == [], "no temporary file left", leftovers)

        # hostile text
        hostile = os.path.join(tmp, "hostile.tar")
        changed = craft_hostile(os.path.join(FX, "real-attack.tar"), hostile)
        ok({"config.dump", "spec.dump", "rootfs-diff.tar",
            "checkpoint/core-1.img", "checkpoint/files.img",
            "checkpoint/pages-1.img"} <= changed,
           "hostile fixture crafted", sorted(changed))
        hout = os.path.join(tmp, "hostile.html")
        p = run("report", "-o", hout, hostile)
        ok(p.returncode == 0, "hostile: report written", p.stderr)
        if os.path.exists(hout):
            htext = open(hout, encoding="utf-8").read()
            check_hostile(parse(htext), "hostile page")
            pages["hostile"] = hout
            shutil.copy(hout, os.path.join(build_out, "hostile.html"))

        # a real browser
        if BROWSER is None:
            skip("chromium loads the pages", "chromium not installed")
        else:
            for name, page in sorted(pages.items()):
                shot = os.path.join(build_out, "report-%s.png" %
                                    re.sub(r"\.tar$", "", name))
                dom, console, rc = browse(page, shot, tmp)
                if not ok(rc == 0 and "<html" in dom,
                          "chromium: %s loads" % name):
                    continue
                d = parse(dom)
                missing = [s for s in SECTIONS if "c0-" + s not in d.ids]
                ok(missing == [], "chromium: %s has every section" % name,
                   missing)
                ok(console == [], "chromium: %s, no console message "
                   "(CSP violation, script error)" % name,
                   "\n".join(console))
                ok(os.path.getsize(shot) > 10000 if os.path.exists(shot)
                   else False, "chromium: screenshot %s" % shot)
                if name == "hostile":
                    check_hostile(d, "hostile DOM")
                else:
                    ok(d.findings == parse(open(page).read()).findings,
                       "chromium: %s shows every finding" % name)
    print("1..%d" % n)


main()

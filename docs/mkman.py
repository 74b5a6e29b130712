#!/usr/bin/env python3
"""mkman.py - the man pages, generated at build time from declarations.

  mkman.py ckpt CKPT OUT       ckpt(1) from the build tree's ckpt: its
                               `help --dump` (commands, flags, plugin
                               options, global flags, exit statuses,
                               environment, files, limits, chains) and
                               `plugins NAME` for each loaded plugin
  mkman.py sdk PLUGIN_H OUT    ckpt-plugin(3) from the SDK header's
                               comments and declarations

Several KIND SOURCE OUT triples in one call write each page (the build
makes both pages in one step: docs/meson.build).

Nothing here is written twice: every sentence of ckpt(1) past its short
description comes from the tool, so the page cannot drift from it. The
output is deterministic (no dates, no build paths).
"""
import json
import os
import re
import subprocess
import sys


def esc(text):
    """Text for a roff text line: backslashes and leading control chars."""
    if text is None:
        return ""
    text = str(text).replace("\\", "\\e")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def opt(text):
    """A flag or option name: hyphens are minus signs there."""
    return esc(text).replace("-", "\\-")


def run_json(ckpt, *args):
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8")
    out = subprocess.run([ckpt, *args, "--format", "json"], check=True,
                         stdout=subprocess.PIPE, env=env).stdout
    doc = json.loads(out)
    plugins = doc["checkpoints"][0]["plugins"]
    return next(iter(plugins.values()))["tables"]


def flag_item(out, flag, value, help_text):
    out.append(".TP")
    if value:
        out.append(".BI \\-\\-%s = %s" % (opt(flag), esc(value)))
    else:
        out.append(".B \\-\\-%s" % opt(flag))
    out.append(esc(help_text or ""))


def ckpt_page(ckpt):
    dump = run_json(ckpt, "help", "--dump")
    version = subprocess.run([ckpt, "--version"], check=True,
                             stdout=subprocess.PIPE,
                             text=True).stdout.split()[1]
    plugins = run_json(ckpt, "plugins")["plugins"]
    flags = dump["flags"]
    notes = dump["notes"]
    out = []
    out.append('.TH CKPT 1 "" "ckpt %s" "User Commands"' % esc(version))
    out.append(".nh")
    out.append(".ad l")
    out.append(".SH NAME")
    out.append("ckpt \\- forensic analysis of container checkpoints")
    out.append(".SH SYNOPSIS")
    out.append(".B ckpt")
    out.append("[\\fIGLOBAL FLAGS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]")
    for c in dump["commands"]:
        out.append(".br")
        out.append(".B ckpt %s" % opt(c["name"]))
        if c["usage"]:
            out.append(esc(c["usage"]))
    out.append(".SH DESCRIPTION")
    out.append(
        "ckpt opens a container checkpoint (a tar archive of CRIU images "
        "as Podman, CRI-O, containerd and the kubelet write it, compressed "
        "or not, or a bare criu dump directory) once into a model, and runs "
        "analysis plugins over it: a chain. Every command below is sugar "
        "over a chain; the options each plugin declares are flags of every "
        "command that runs it. Output is a tree, a table, JSON or JSON "
        "Lines; everything a checkpoint holds is escaped before it reaches "
        "a terminal.")
    out.append(".SH GLOBAL FLAGS")
    out.append("They may come before or after the command.")
    for f in flags:
        if f["command"] == "":
            flag_item(out, f["flag"], f["value"], f["help"])
    out.append(".SH COMMANDS")
    for c in dump["commands"]:
        name = c["name"]
        out.append(".SS ckpt %s" % opt(name))
        out.append(".B ckpt %s" % opt(name))
        if c["usage"]:
            out.append(esc(c["usage"]))
        out.append(".PP")
        out.append(esc(c["summary"]) + ".")
        if c["chain"]:
            out.append("Runs the chain or plugins")
            out.append(".BR %s ." % opt(c["chain"]))
        own = [f for f in flags if f["command"] == name and not f["plugin"]]
        if own:
            out.append(".PP")
            out.append("Flags:")
            for f in own:
                flag_item(out, f["flag"], f["value"], f["help"])
        po = [f for f in flags if f["command"] == name and f["plugin"]]
        if po:
            out.append(".PP")
            out.append("Options of the plugins it runs (each also "
                       "\\-\\-\\fIPLUGIN\\fR.\\fIOPTION\\fR; a boolean "
                       "also \\-\\-no\\-\\fIOPTION\\fR):")
            for f in po:
                default = f["default"]
                text = "%s (%s, %s%s)" % (
                    f["help"] or f["flag"], f["plugin"], f["type"],
                    ", default " + default if default else "")
                flag_item(out, f["flag"], f["value"], text)
    chains = [n for n in notes if n["kind"] == "chain"]
    if chains:
        out.append(".SH CHAINS")
        out.append("Named chains, run with")
        out.append(".BR \"ckpt run \" \\fINAME\\fR;")
        out.append("a chain file given with \\-\\-chains or in the "
                   "per-user directory (see FILES) may add or replace them.")
        for n in chains:
            out.append(".TP")
            out.append(".B %s" % opt(n["name"]))
            out.append(esc(n["help"]))
    out.append(".SH PLUGINS")
    out.append("The plugins this build ships (\\fBckpt plugins\\fR lists "
               "those installed, third parties' too).")
    for p in sorted(plugins, key=lambda p: p["name"]):
        info = run_json(ckpt, "plugins", p["name"])
        d = info["plugin"][0]
        out.append(".SS %s" % esc(d["name"]))
        out.append(esc(d["description"] or ""))
        if d.get("depends"):
            out.append(".PP")
            out.append("Depends on: %s." % esc(d["depends"]))
        if info.get("options"):
            out.append(".PP")
            out.append("Options:")
            for o in info["options"]:
                text = "%s (%s%s)" % (o["help"] or "", o["type"],
                                      ", default " + o["default"]
                                      if o["default"] else "")
                out.append(".TP")
                out.append(".B %s.%s" % (opt(d["name"]), opt(o["name"])))
                out.append(esc(text))
        for t in info.get("tables") or []:
            out.append(".PP")
            out.append("Table \\fB%s\\fR (%s, %s): columns" % (
                esc(t["name"]), esc(t["title"] or t["name"]),
                esc(t["type"])))
            cols = ["\\fI%s\\fR (%s)" % (esc(c["name"]), esc(c["type"]))
                    for c in t.get("children") or []]
            out.append(", ".join(cols) + ".")
    limits = [n["name"] for n in notes if n["kind"] == "limit"]
    out.append(".SH LIMITS")
    out.append("Bounds on untrusted input, each set with")
    out.append(".BI \\-\\-limit \" NAME\" = VALUE\\fR:")
    out.append(", ".join("\\fB%s\\fR" % opt(n) for n in limits) + ".")
    out.append("Going past one is an error naming the file, the limit and "
               "the value.")
    for section, kind in (("EXIT STATUS", "exit"),
                          ("ENVIRONMENT", "environment"), ("FILES", "file")):
        out.append(".SH " + section)
        for n in notes:
            if n["kind"] == kind:
                out.append(".TP")
                out.append((".B %s" if kind != "file" else ".I %s")
                           % esc(n["name"]))
                out.append(esc(n["help"]))
    out.append(".SH SEE ALSO")
    out.append(".BR ckpt\\-plugin (3),")
    out.append(".BR criu (8),")
    out.append(".BR crit (1),")
    out.append(".BR podman\\-container\\-checkpoint (1)")
    return "\n".join(out) + "\n"


def comment_text(block):
    """The text of a /* ... */ block, one string per line."""
    body = block.strip()
    body = re.sub(r"^/\*+", "", body)
    body = re.sub(r"\*+/$", "", body)
    lines = []
    for line in body.split("\n"):
        line = re.sub(r"^\s*\* ?", "", line, count=1) if re.match(
            r"^\s*\*", line) else line.strip()
        lines.append(line.rstrip())
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def prose(out, lines):
    """Comment lines as paragraphs; indented lines stay as they are."""
    para = []
    literal = []

    def flush_para():
        if para:
            out.append(".PP")
            out.append(esc(" ".join(s.strip() for s in para)))
            para.clear()

    def flush_literal():
        if literal:
            out.append(".PP")
            out.append(".nf")
            out.extend(esc(s) for s in literal)
            out.append(".fi")
            literal.clear()

    for line in lines:
        if not line.strip():
            flush_para()
            flush_literal()
        elif line.startswith("  ") and not para:
            literal.append(line)
        elif re.match(r"^ ?(\d+\.|-) ", line):
            flush_para()
            flush_literal()
            para.append(line)
        else:
            flush_literal()
            para.append(line)
    flush_para()
    flush_literal()


def sdk_page(header):
    src = open(header, encoding="utf-8").read()
    major = re.search(r"#define CKPT_ABI_MAJOR (\d+)", src).group(1)
    minor = re.search(r"#define CKPT_ABI_MINOR (\d+)", src).group(1)
    out = ['.TH CKPT\\-PLUGIN 3 "" "ckpt plugin ABI %s.%s" '
           '"Library Functions Manual"' % (major, minor), ".nh", ".ad l"]
    out.append(".SH NAME")
    out.append("ckpt-plugin \\- the SDK of a ckpt analysis plugin "
               "(ckpt/plugin.h)")
    out.append(".SH SYNOPSIS")
    out.append(".nf")
    out.append(".B #include <ckpt/plugin.h>")
    out.append(".PP")
    out.append(".B CKPT_PLUGIN_DEFINE(...)")
    out.append(".fi")
    out.append(".PP")
    out.append("Build with")
    out.append(".B pkg-config \\-\\-cflags ckpt\\-plugin")
    out.append("and \\-fvisibility=hidden; the ABI of this header is "
               "%s.%s." % (major, minor))
    # the header's first comment is the description; then one subsection
    # per "---- title ----" banner, its comments as text and its
    # declarations as they are written
    first = re.match(r"\s*(/\*.*?\*/)", src, re.S)
    lines = comment_text(first.group(1))
    if lines and lines[0].startswith("ckpt/plugin.h"):
        lines = lines[1:]
    out.append(".SH DESCRIPTION")
    prose(out, lines)
    rest = src[first.end():]
    parts = re.split(r"/\* -{4} (.*?) -+ \*/", rest)
    for i in range(1, len(parts), 2):
        title, body = parts[i], parts[i + 1]
        out.append(".SS %s" % esc(title.strip()))
        pos = 0
        code = []
        for m in re.finditer(r"^[ \t]*/\*.*?\*/[ \t]*$", body, re.S | re.M):
            code_text = body[pos:m.start()]
            code.extend(code_text.strip("\n").split("\n")
                        if code_text.strip() else [])
            if code:
                out.append(".PP")
                out.append(".nf")
                out.extend(esc(c) for c in code)
                out.append(".fi")
                code = []
            if "clang-format" not in m.group(0):
                prose(out, comment_text(m.group(0)))
            pos = m.end()
        tail = body[pos:]
        tail = re.sub(r"#ifdef __cplusplus.*", "", tail, flags=re.S)
        tail = re.sub(r"#endif\s*$", "", tail.rstrip())
        if tail.strip():
            out.append(".PP")
            out.append(".nf")
            out.extend(esc(c) for c in tail.strip("\n").split("\n"))
            out.append(".fi")
    out.append(".SH SEE ALSO")
    out.append(".BR ckpt (1)")
    return "\n".join(out) + "\n"


def page_date():
    """The date on the pages: SOURCE_DATE_EPOCH's, else the newest entry
    of debian/changelog, so that a build of the same source is the same."""
    import datetime
    import email.utils
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        when = datetime.datetime.fromtimestamp(int(epoch),
                                               datetime.timezone.utc)
        return when.strftime("%Y-%m-%d")
    log = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "debian", "changelog")
    try:
        for line in open(log, encoding="utf-8"):
            if line.startswith(" -- ") and "  " in line[4:]:
                when = email.utils.parsedate_to_datetime(
                    line[4:].split("  ", 1)[1].strip())
                return when.strftime("%Y-%m-%d")
    except (OSError, ValueError, TypeError):
        pass
    return "unknown"


def tidy(page):
    """No paragraph macro right after a heading or another one (mandoc
    -Tlint warns of them)."""
    out = []
    for line in page.split("\n"):
        if line == ".PP" and out and (out[-1].startswith((".SH", ".SS")) or
                                      out[-1] == ".PP"):
            continue
        out.append(line)
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3 or any(
            k not in ("ckpt", "sdk") for k in args[0::3]):
        sys.exit(__doc__)
    for kind, source, out in zip(args[0::3], args[1::3], args[2::3]):
        page = ckpt_page(source) if kind == "ckpt" else sdk_page(source)
        page = page.replace('.TH CKPT 1 ""',
                            '.TH CKPT 1 "%s"' % page_date(), 1)
        page = page.replace('.TH CKPT\\-PLUGIN 3 ""',
                            '.TH CKPT\\-PLUGIN 3 "%s"' % page_date(), 1)
        with open(out, "w", encoding="utf-8") as f:
            f.write(tidy(page))


if __name__ == "__main__":
    main()

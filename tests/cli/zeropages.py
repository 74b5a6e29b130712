#!/usr/bin/env python3
"""zeropages.py - TAP test: zero pages cost nothing and lose nothing.

A compressed archive's zero pages are holes in the spool, and search,
yara, secrets and the hexdump step over them (mem_data_next). Crafted from
the real podman-zeros.tar.zst (64 MiB of written zero pages): needles
planted at the edges of zero runs in its pages image, so that each
straddles a zero page and a non-zero one, then the same archive written
twice, zstd (the spool knows its zero pages) and plain tar (mapped, no
zero map: every byte is scanned). Every hit, its address and every
hexdump row must be the same in both, and the straddling hits must be
where they were planted.
"""
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

FX = os.environ["CKPT_FIXTURES"]
CKPT = os.environ.get("CKPT") or os.path.join(os.environ["CKPT_BUILD_ROOT"],
                                              "core", "ckpt")
PAGE = 4096
n = 0
failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in str(detail).splitlines()[:20]:
            print(f"# {line}")


def run(*args):
    p = subprocess.run([CKPT, "--format", "json", *args],
                       capture_output=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{args}: exit {p.returncode}: "
                           f"{p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def tables(doc, plugin):
    return doc["checkpoints"][0]["plugins"][plugin]["tables"]


def craft(tmp):
    raw = subprocess.run(["zstd", "-dc", f"{FX}/podman-zeros.tar.zst"],
                         check=True, capture_output=True).stdout
    src = tarfile.open(fileobj=io.BytesIO(raw))
    members = [(m, src.extractfile(m).read() if m.isfile() else None)
               for m in src.getmembers()]
    pages = max((m for m, _ in members if m.name.startswith("checkpoint/pages-")),
                key=lambda m: m.size)
    data = dict((m.name, d) for m, d in members)[pages.name]
    buf = bytearray(data)
    # a zero stretch of 32 pages in the middle of the image
    q = (len(buf) // 2) // PAGE * PAGE
    assert buf[q - 16 * PAGE:q + 16 * PAGE] == bytes(32 * PAGE), "no zeros"
    # "ZZZZ" opens page q: 00 00 00 00 5a 5a 5a 5a straddles into it
    buf[q:q + 4] = b"ZZZZ"
    # "YYYY" closes page r - 1: 59 59 59 59 00 00 00 00 straddles out
    r = q + 8 * PAGE
    buf[r - 4:r] = b"YYYY"
    # a lone page: "XXXX" in the middle of a page among zero pages
    s = q - 8 * PAGE
    buf[s + 2000:s + 2004] = b"XXXX"
    out = {}
    for name, mode in (("crafted.tar", "w"),):
        path = os.path.join(tmp, name)
        with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as dst:
            for m, d in members:
                if m.name == pages.name:
                    d = bytes(buf)
                dst.addfile(m, io.BytesIO(d) if d is not None else None)
        out["tar"] = path
    subprocess.run(["zstd", "-q", "-3", "-T1", "-f", out["tar"], "-o",
                    os.path.join(tmp, "crafted.tar.zst")], check=True)
    out["zst"] = os.path.join(tmp, "crafted.tar.zst")
    return out


def hits(doc):
    return sorted((h["pid"], h["addr"], h["length"], h["match"])
                  for h in tables(doc, "memory")["hits"])


def main():
    print("1..13")
    with tempfile.TemporaryDirectory(prefix="ckpt-zeropages-") as tmp:
        f = craft(tmp)
        res = {}
        for kind in ("tar", "zst"):
            r = res[kind] = {}
            r["z"] = hits(run("memparse", "--search", "ZZZZ", f[kind]))
            r["into"] = hits(run("memparse", "--search-hex",
                                 "00 00 00 00 5a 5a 5a 5a", f[kind]))
            r["out"] = hits(run("memparse", "--search-hex",
                                "59 59 59 59 00 00 00 00", f[kind]))
            r["lone"] = hits(run("memparse", "--search-regex",
                                 "\\x00{3}XXXX\\x00{2000}", f[kind]))
            r["zeros"] = len(hits(run("memparse", "--search-hex",
                                      "00 00 00 00 00 00 00 00 00 00 00 00 00 "
                                      "00 00 00", "--max-hits", "0",
                                      "--vma", "heap", f[kind])))
        t, z = res["tar"], res["zst"]
        ok(len(t["z"]) == 1 and t["z"] == z["z"],
           "the planted ZZZZ found once, at the same address in both", res)
        za = int(t["z"][0][1], 16) if t["z"] else 0
        ok([int(h[1], 16) for h in z["into"]] == [za - 4],
           "zeros then ZZZZ (straddling into a non-zero page) found at its "
           "true address in the zstd archive", z["into"])
        ok(t["into"] == z["into"], "... and as in the plain tar", res)
        ok([int(h[1], 16) for h in z["out"]] == [za + 8 * PAGE - 4],
           "YYYY then zeros (straddling out into a zero page) found", z["out"])
        ok(t["out"] == z["out"], "... and as in the plain tar", res)
        ok(len(z["lone"]) == 1 and t["lone"] == z["lone"],
           "a regex reaching 2000 zero bytes past a lone non-zero stretch",
           res)
        ok(z["zeros"] > 1000 and z["zeros"] == t["zeros"],
           "a needle of zeros alone is searched in every zero page",
           (t["zeros"], z["zeros"]))

        rules = os.path.join(tmp, "edge.yar")
        with open(rules, "w") as fh:
            fh.write("rule edge { strings: $into = { 00 00 00 00 5A 5A 5A 5A }"
                     " $z = \"ZZZZ\" $out = { 59 59 59 59 00 00 00 00 }"
                     " $x = \"XXXX\" condition: any of them }\n")
        y = {}
        for kind in ("tar", "zst"):
            doc = run("yara", "--threads", "1", "--rules", rules, f[kind])
            y[kind] = sorted((h["pid"], h["string"], h["address"])
                             for h in tables(doc, "yara")["hits"])
        got = {s: int(a, 16) for _, s, a in y["zst"]}
        ok(got.get("$z") == za and got.get("$into") == za - 4 and
           got.get("$out") == za + 8 * PAGE - 4 and "$x" in got,
           "yara: each planted string at its true address (zstd)", y["zst"])
        ok(y["tar"] == y["zst"], "yara: the same hits as in the plain tar", y)

        dumps = {}
        for kind in ("tar", "zst"):
            rows = tables(run("memparse", "--pid", "1", f[kind]),
                          "memory")["hexdump"]
            dumps[kind] = rows
        ok(len(dumps["zst"]) > 100 and dumps["tar"] == dumps["zst"],
           "hexdump: the same rows, zero runs folded alike",
           (len(dumps["tar"]), len(dumps["zst"])))
        narrow = {}
        for kind in ("tar", "zst"):
            narrow[kind] = tables(run(
                "memparse", "--pid", "1", "--range",
                f"{za - 3 * PAGE - 8:x}-{za + 9 * PAGE + 24:x}", f[kind]),
                "memory")["hexdump"]
        ok(narrow["tar"] == narrow["zst"] and len(narrow["zst"]) >= 6,
           "hexdump of a range starting and ending inside zero runs",
           (narrow["tar"], narrow["zst"]))

        sec = {}
        for kind in ("tar", "zst"):
            doc = run("secrets", f[kind])
            text = json.dumps(doc["checkpoints"][0]["plugins"])
            sec[kind] = text.replace(f[kind], "FILE")
        ok(sec["tar"] == sec["zst"], "secrets: the same findings",
           (sec["tar"][:400], sec["zst"][:400]))

        # the attack workload (ELF images in anonymous memory, secrets):
        # triage of a zstd copy finds what it finds in the plain tar
        atk = os.path.join(tmp, "attack.tar.zst")
        subprocess.run(["zstd", "-q", "-3", "-T1", "-f",
                        f"{FX}/real-attack.tar", "-o", atk], check=True)
        tri = {}
        for path in (f"{FX}/real-attack.tar", atk):
            doc = run("triage", path)
            tri[path] = json.dumps(doc["checkpoints"][0]["plugins"]).replace(
                path, "FILE")
        a, b = tri.values()
        ok(a == b and "elf-in-anon" in a,
           "triage of real-attack: zstd copy and plain tar alike (ELF in "
           "anonymous memory found)", (a[:300], b[:300]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

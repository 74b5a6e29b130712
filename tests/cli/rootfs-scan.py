#!/usr/bin/env python3
"""rootfs-scan.py - TAP test: yara and secrets scan the files of the rootfs
diff by default, name each hit "rootfs-diff /PATH", and leave them out with
--no-rootfs.

real-hidden.tar: marker F (markers-real-hidden.txt) lives only in a file
the workload dropped into its root FS; a rule for it must hit there, in
yara and in secrets, and nowhere with --no-rootfs. real-attack.tar: the
shipped rules find the miner's stratum URL in the cron file the workload
planted (/etc/cron.d/sysupdate), which only the rootfs scan reads. A
sparse member is scanned by what it expands to: a marker past a 2 MiB
hole is found.
"""
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
        for line in str(detail).splitlines()[:20]:
            print("# " + line)


def report(*args):
    p = subprocess.run([CKPT, "--format", "json", *args],
                       capture_output=True, text=True, timeout=300)
    try:
        return p.returncode, json.loads(p.stdout)["checkpoints"][0], p.stderr
    except (ValueError, KeyError, IndexError):
        return p.returncode, None, p.stderr


def yara_sources(doc):
    return [h["source"] for h in
            doc["plugins"]["yara"]["tables"]["hits"]] if doc else None


def secrets_places(doc):
    if not doc:
        return None
    return [(loc["source"], loc["path"]) for loc in
            doc["plugins"]["secrets"]["tables"]["locations"]]


def main():
    print("1..9")
    tmp = tempfile.mkdtemp(prefix="ckpt-rootfs-scan-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


def run(tmp):
    H = os.path.join(FX, "real-hidden.tar")
    f = [line.split() for line in open(os.path.join(FX,
                                                    "markers-real-hidden.txt"))
         if line.startswith("F ")][0]
    marker, path = f[1], f[4].split(":", 1)[1]
    rules = os.path.join(tmp, "f.yar")
    with open(rules, "w") as out:
        out.write('rule marker_f { meta: kind = "marker-f" priority = 50 '
                  'severity = "high" strings: $v = "%s" condition: $v }\n'
                  % marker)

    rc, doc, err = report("yara", "--rules", rules, H)
    ok(rc == 1 and yara_sources(doc) == ["rootfs-diff " + path],
       "yara: the rootfs-only marker is found by default, named "
       "'rootfs-diff %s'" % path, (rc, yara_sources(doc), err))
    rc, doc, err = report("yara", "--no-rootfs", "--rules", rules, H)
    ok(rc == 0 and yara_sources(doc) == [],
       "yara --no-rootfs: not found", (rc, yara_sources(doc), err))
    rc, doc, err = report("secrets", "--rules=" + rules, H)
    ok(secrets_places(doc) == [("rootfs-diff", path)],
       "secrets: the rootfs-only marker is found by default, in rootfs-diff",
       (rc, secrets_places(doc), err))
    first = doc["plugins"]["secrets"]["tables"]["findings"][0]["first"] \
        if doc and doc["plugins"]["secrets"]["tables"]["findings"] else ""
    ok(first.startswith("rootfs-diff " + path),
       "secrets: the finding's place reads 'rootfs-diff PATH'", first)
    rc, doc, err = report("secrets", "--rules=" + rules, "--no-rootfs", H)
    ok(secrets_places(doc) == [], "secrets --no-rootfs: not found",
       (rc, secrets_places(doc), err))

    A = os.path.join(FX, "real-attack.tar")
    rc, doc, err = report("yara", A)
    hits = {(h["rule"], h["source"]) for h in
            doc["plugins"]["yara"]["tables"]["hits"]} if doc else set()
    ok(("miner_stratum_url", "rootfs-diff /etc/cron.d/sysupdate") in hits,
       "real-attack: the shipped rules find the miner URL in the planted "
       "cron file", sorted(hits))
    rc, doc, err = report("yara", "--no-rootfs", A)
    hits = {h["source"] for h in
            doc["plugins"]["yara"]["tables"]["hits"]} if doc else {"?"}
    ok(not any(s.startswith("rootfs-diff") for s in hits),
       "real-attack --no-rootfs: no rootfs hit", sorted(hits))

    # a sparse member: the marker sits after a 2 MiB hole
    if shutil.which("tar") is None:
        ok(True, "# SKIP GNU tar missing")
        ok(True, "# SKIP GNU tar missing")
        return
    src = os.path.join(tmp, "sp")
    os.makedirs(src)
    with open(os.path.join(src, "holey"), "wb") as out:
        out.seek(2 << 20)
        out.write(marker.encode())
    subprocess.run(["tar", "-C", src, "--sparse", "--format=gnu", "-cf",
                    os.path.join(tmp, "diff.tar"), "holey"], check=True)
    diff = open(os.path.join(tmp, "diff.tar"), "rb").read()
    crafted = os.path.join(tmp, "sparse.tar")
    with tarfile.open(H) as t, tarfile.open(crafted, "w",
                                            format=tarfile.GNU_FORMAT) as o:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            if m.name == "rootfs-diff.tar":
                m = tarfile.TarInfo(m.name)
                m.size, m.mode, data = len(diff), 0o644, diff
            o.addfile(m, io.BytesIO(data) if data is not None else None)
    rc, doc, err = report("yara", "--rules", rules, crafted)
    ok(yara_sources(doc) == ["rootfs-diff /holey"],
       "yara: a sparse member is scanned as what it expands to",
       (rc, yara_sources(doc), err))
    rc, doc, err = report("secrets", "--rules=" + rules, crafted)
    ok(secrets_places(doc) == [("rootfs-diff", "/holey")],
       "secrets: a sparse member is scanned as what it expands to",
       (rc, secrets_places(doc), err))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""containerd-real.py - TAP test: the real containerd checkpoint
(tests/fixtures/containerd-real.tar, taken through the CRI API's
CheckpointContainer by make-containerd.sh) reads as containerd wrote it.

Expected values come from what the CRI client asked for
(tests/fixtures/cri-checkpoint.py: pod, namespace, container name, image,
command, env-containerd-real.txt), from the archive's own metadata
(config.dump, spec.dump) and from crit's decoding of its images
(tests/fixtures/oracle/containerd-real/), never from ckpt itself. Crafted
copies (a damaged spec.dump, no pstree.img, a cut rootfs-diff.tar) must
give a warning or error naming the archive and the member.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

FX = os.environ["CKPT_FIXTURES"]
CKPT = os.environ.get("CKPT_BIN") or os.path.join(
    os.environ["CKPT_BUILD_ROOT"], "core", "ckpt")
TAR = os.path.join(FX, "containerd-real.tar")
ORACLE = os.path.join(FX, "oracle", "containerd-real")

# what cri-checkpoint.py asked containerd for
POD, POD_NS, NAME = "ckpt-pod", "ckpt-ns", "ckpt-work"
IMAGE = "localhost/ckpt-cd-work:1"
ROOTFS_MARKER = b"CKPT-CD-ROOTFS-FILE-8a2f3c\n"
SHELL_MARKER = "CKPT-CD-SHELL-HEAP-4b7e91"
HTTPD = "httpd -f -p 127.0.0.1:18613 -h /srv"

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
        for line in str(detail).splitlines():
            print("# " + line)


def ckpt(*args):
    return subprocess.run([CKPT] + list(args), capture_output=True,
                          timeout=120)


def ckpt_json(*args):
    r = ckpt(*args)
    try:
        return json.loads(r.stdout), r
    except ValueError:
        return None, r


def member(name):
    with tarfile.open(TAR) as t:
        return t.extractfile(name).read()


def oracle(name):
    with open(os.path.join(ORACLE, name)) as f:
        return json.load(f)["entries"]


def env_txt():
    out = []
    with open(os.path.join(FX, "env-containerd-real.txt")) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                out.append(tuple(line.split("=", 1)))
    return out


def rfc3339_seconds(t):
    """2026-12-02T01:35:28.9721716Z -> 2026-12-02T01:35:28Z"""
    return t.split(".")[0].rstrip("Z") + "Z"


def repack(dst, drop=(), replace=None):
    """A copy of the fixture, same member order and headers, without the
    members in drop and with replace[name] as the content of name."""
    replace = replace or {}
    with tarfile.open(TAR) as src, tarfile.open(dst, "w") as out:
        for m in src.getmembers():
            if m.name in drop:
                continue
            if m.isfile():
                data = replace.get(m.name)
                if data is None:
                    data = src.extractfile(m).read()
                m.size = len(data)
                out.addfile(m, io.BytesIO(data))
            else:
                out.addfile(m)


def walk(ps, acc):
    for p in ps:
        acc.append(p)
        walk(p.get("children", []), acc)
    return acc


def main():
    cfg = json.loads(member("config.dump"))
    spec = json.loads(member("spec.dump"))
    ann = spec["annotations"]

    # ---- the archive is what containerd's CRI plugin writes ----
    with tarfile.open(TAR) as t:
        names = [m.name for m in t.getmembers()]
    top = sorted({x.split("/")[0] for x in names})
    ok(top == ["checkpoint", "config.dump", "container.log", "dump.log",
               "rootfs-diff.tar", "spec.dump", "stats-dump", "status",
               "status.dump"],
       "containerd's layout (checkpoint/, config.dump, spec.dump, status, "
       "status.dump, rootfs-diff.tar, ...)", top)
    ok(ann.get("io.kubernetes.cri.sandbox-name") == POD and
       ann.get("io.kubernetes.cri.sandbox-namespace") == POD_NS and
       ann.get("io.kubernetes.cri.container-name") == NAME and
       "io.container.manager" not in ann,
       "the fixture's spec.dump carries the CRI annotations asked for", ann)

    # ---- show: checkpointctl's line ----
    d, r = ckpt_json("show", "--format", "json", TAR)
    row = d and d["checkpoints"][0]["plugins"]["container"]["tables"][
        "show"][0]
    ok(r.returncode == 0 and row and row["engine"] == "containerd" and
       row["container"] == NAME and row["image"] == IMAGE and
       row["id"] == cfg["id"][:12] and row["runtime"] == cfg["runtime"] and
       row["created"] == rfc3339_seconds(cfg["createdTime"]),
       "show: engine containerd, the CRI container name, image, id, runtime "
       "and creation time of config.dump", (row, r.stderr))
    with open(os.path.join(FX, "oracle", "checkpointctl",
                           "containerd-real.show.txt")) as f:
        cc = f.read()
    r = ckpt("show", TAR)
    mine = r.stdout.decode().splitlines()
    line = [x for x in cc.splitlines() if x.startswith("| " + NAME + " ")]
    want = [c.strip() for c in line[0].strip("|").split("|")] if line else []
    got = mine[1].split() if len(mine) > 1 else []
    # checkpointctl's row: CONTAINER IMAGE ID RUNTIME CREATED ENGINE SIZE DIFF
    ok(len(want) == 8 and got[:6] == want[:6] and " ".join(got[6:]) ==
       "%s %s" % (want[6], want[7]),
       "show agrees with checkpointctl 1.3.0's show on the real archive",
       "ckpt: %s\ncheckpointctl: %s" % (got, want))

    # ---- the container plugin: pod, namespace, times, image id ----
    d, r = ckpt_json("run", "container", "--format", "json", TAR)
    info = d and d["checkpoints"][0]["plugins"]["container"]["tables"][
        "info"][0]
    ok(info and info["pod"] == POD and info["namespace"] == POD_NS and
       info["name"] == NAME and info["id"] == cfg["id"] and
       info["image_id"] == cfg["rootfsImageRef"] and
       info["checkpointed"] == rfc3339_seconds(cfg["checkpointedTime"]),
       "container info: pod and namespace from the CRI annotations, image "
       "ref and checkpoint time from config.dump", info)
    r = ckpt("inspect", "--all", TAR)
    out = r.stdout.decode()
    ok(r.returncode == 0 and "Pod name: %s\n" % POD in out and
       "Kubernetes namespace: %s\n" % POD_NS in out and
       out.startswith(NAME + "\n"),
       "inspect --all names the pod and its namespace", out[:2000])

    # ---- processes, compared with crit ----
    d, r = ckpt_json("--reveal", "run", "pstree", "--set", "pstree.env=true",
                     "--format", "json", TAR)
    t = d["checkpoints"][0]["plugins"]["pstree"]["tables"] if d else {}
    procs = walk(t.get("processes", []), [])
    mine = sorted((p["pid"], p["ppid"], p["pgid"], p["sid"], p["command"])
                  for p in procs)
    crit = sorted((e["pid"], e["ppid"], e["pgid"], e["sid"],
                   oracle("core-%d.img.json" % e["pid"])[0]["tc"]["comm"])
                  for e in oracle("pstree.img.json"))
    ok(mine == crit and len(crit) == 3,
       "processes (pid, ppid, pgid, sid, comm) are crit's", "ckpt %s\ncrit %s"
       % (mine, crit))
    by_pid = {p["pid"]: p for p in procs}
    top_pid = min(by_pid) if by_pid else None
    sh = by_pid.get(top_pid, {})
    ok(sh.get("cmdline") == " ".join(spec["process"]["args"]),
       "the first process's command line is the CRI command (/bin/sh -c ...)",
       sh.get("cmdline"))
    ok(any(p.get("cmdline") == HTTPD for p in procs),
       "httpd's command line as the workload started it",
       [p.get("cmdline") for p in procs])
    ok(all(p.get("exe") == "/bin/busybox" for p in procs) and
       all(p.get("cgroup") == "/k8s.io/" + cfg["id"] for p in procs),
       "every process runs /bin/busybox in containerd's k8s.io cgroup",
       [(p.get("exe"), p.get("cgroup")) for p in procs])

    # ---- environment: the CRI config's variables, in spec and processes ----
    want_env = env_txt()
    spec_env = [tuple(e.split("=", 1)) for e in spec["process"]["env"]]
    ok(all(kv in spec_env for kv in want_env),
       "spec.dump's process.env holds every variable the CRI config gave",
       spec_env)
    env = {}
    for row in t.get("environment", []):
        env.setdefault(row["pid"], []).append((row["name"], row["value"]))
    for pid in sorted(by_pid):
        missing = [k for k, v in want_env if (k, v) not in env.get(pid, [])]
        ok(not missing and by_pid[pid].get("env_source") == "original",
           "pid %d: every CRI variable in its environment (original area)"
           % pid, "missing %s; source %s" % (missing,
                                             by_pid[pid].get("env_source")))
    ok(env.get(top_pid) == spec_env + [("HOME", "/root")],
       "the first process's environment is the spec's, in order, plus the "
       "HOME crun adds", env.get(top_pid))

    # ---- sockets and files, compared with crit ----
    d, r = ckpt_json("run", "sockets", "--format", "json", TAR)
    socks = d["checkpoints"][0]["plugins"]["sockets"]["tables"][
        "sockets"] if d else []
    isk = [e["isk"] for e in oracle("files.img.json") if e["type"] == "INETSK"]
    ok(len(socks) == len(isk) == 1 and socks[0]["protocol"] == "TCP" and
       socks[0]["state"] == isk[0]["state"] == "LISTEN" and
       socks[0]["local"] == "%s:%d" % (isk[0]["src_addr"][0],
                                       isk[0]["src_port"]) and
       socks[0]["inode"] == isk[0]["ino"] and
       by_pid.get(socks[0]["pid"], {}).get("command") == "httpd",
       "httpd's TCP listener is crit's (address, port, inode)",
       "ckpt %s\ncrit %s" % (socks, isk))

    # ---- root FS diff (gzip, as containerd copies the layer blob) ----
    raw = member("rootfs-diff.tar")
    ok(raw[:2] == b"\x1f\x8b", "rootfs-diff.tar is gzip-compressed")
    d, r = ckpt_json("rootfs", "--format", "json", TAR)
    rows = [row for tab in (d["checkpoints"][0]["plugins"]["rootfs"][
        "tables"].values() if d else []) for row in tab]
    marker = [row for row in rows if row.get("path") == "/data/marker.txt"]
    ok(marker and marker[0].get("sha256") ==
       hashlib.sha256(ROOTFS_MARKER).hexdigest(),
       "rootfs: /data/marker.txt with the workload's content", marker or rows)

    # ---- memory: the shell variable only sh's heap holds ----
    d, r = ckpt_json("memparse", "--pid", str(top_pid), "--search",
                     SHELL_MARKER, "--format", "json", TAR)
    hits = [row for tab in (d["checkpoints"][0]["plugins"]["memory"][
        "tables"].values() if d else []) for row in tab
        if row.get("vma") == "heap"]
    ok(r.returncode == 0 and hits,
       "memparse finds the shell variable in sh's heap", r.stdout[:1500])

    # ---- triage and secrets run whole ----
    d, r = ckpt_json("run", "triage", "--format", "json", TAR)
    st = d and {p: v["status"] for p, v in d["checkpoints"][0][
        "plugins"].items()}
    ok(r.returncode in (0, 1) and st and all(s == "ok" for s in st.values()),
       "run triage: every plugin ok", (r.returncode, st, r.stderr[:500]))
    r = ckpt("secrets", TAR)
    ok(r.returncode == 1 and b"DATABASE_URL" in r.stdout and
       b"API_TOKEN" in r.stdout and b"Cd-Db-Pass-77aa" not in r.stdout,
       "secrets finds the CRI config's credentials, redacted",
       r.stdout[:1500])

    # ---- crafted copies of the real archive ----
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad-spec.tar")
        repack(bad, replace={"spec.dump": member("spec.dump")[:200]})
        d, r = ckpt_json("run", "pstree,container", "--format", "json", bad)
        c = d["checkpoints"][0] if d else {}
        warns = [w for w in c.get("warnings", []) if "spec.dump" in w]
        ps = walk(c.get("plugins", {}).get("pstree", {}).get(
            "tables", {}).get("processes", []), []) if c else []
        ok(r.returncode == 0 and c.get("path") == bad and warns and
           len(ps) == 3 and c.get("name") == cfg["name"],
           "a cut spec.dump: a warning naming spec.dump for the archive, "
           "the processes still read, the name from config.dump",
           (r.returncode, c.get("warnings"), len(ps), r.stderr))

        nop = os.path.join(tmp, "no-pstree.tar")
        repack(nop, drop={"checkpoint/pstree.img"})
        for cmd in (["show"], ["inspect"], ["run", "pstree"]):
            r = ckpt(*(cmd + [nop]))
            err = r.stderr.decode()
            ok(r.returncode != 0 and nop in err and "pstree" in err,
               "no pstree.img: %s fails naming archive and pstree.img"
               % " ".join(cmd), (r.returncode, err))

        cut = os.path.join(tmp, "cut-diff.tar")
        repack(cut, replace={"rootfs-diff.tar": raw[:len(raw) // 2]})
        r = ckpt("rootfs", cut)
        err = r.stderr.decode()
        ok(r.returncode != 0 and cut in err and "rootfs-diff.tar" in err,
           "a cut rootfs-diff.tar: rootfs fails naming archive and member",
           (r.returncode, err))
        # the scanners of the diff say they saw only part of it
        for plugin, sets in (("secrets", []), ("detect", []),
                             ("yara", ["--set", "yara.rootfs=true"])):
            d, r = ckpt_json(*(["run", plugin] + sets +
                               ["--format", "json", cut]))
            st = d["checkpoints"][0]["plugins"].get(plugin, {}).get(
                "status") if d else None
            err = r.stderr.decode()
            ok(st == "warn" and cut in err and "rootfs-diff.tar" in err and
               "only in part" in err,
               "a cut rootfs-diff.tar: %s warns that it saw only part of it"
               % plugin, (st, err))
        # the gzip layer blob unpacked to a plain tar reads the same
        plain = os.path.join(tmp, "plain-diff.tar")
        repack(plain, replace={"rootfs-diff.tar": gzip.decompress(raw)})
        a = json.loads(ckpt("rootfs", "--format", "json", TAR).stdout)
        b = json.loads(ckpt("rootfs", "--format", "json", plain).stdout)
        # the two archives differ, so do their custody hashes and paths
        for d in (a, b):
            for c in d["checkpoints"]:
                c.pop("path", None)
                c.pop("sha256", None)
        ok(a == b, "rootfs-diff.tar reads the same gzip-compressed and plain")

    # ---- kubelet's file name, and the archive compressed ----
    with tempfile.TemporaryDirectory() as tmp:
        kub = os.path.join(tmp, "checkpoint-%s_%s-%s-%s.tar" % (
            POD, POD_NS, NAME, rfc3339_seconds(cfg["checkpointedTime"])))
        with open(TAR, "rb") as f, open(kub, "wb") as o:
            o.write(f.read())
        d, r = ckpt_json("list", "--format", "json", tmp)
        rows = d["checkpoints"][0]["plugins"]["list"]["tables"][
            "checkpoints"] if d else []
        ok(len(rows) == 1 and rows[0]["namespace"] == POD_NS and
           rows[0]["pod"] == POD and rows[0]["container"] == NAME and
           rows[0]["engine"] == "containerd" and
           rows[0]["time_checkpointed"] ==
           rfc3339_seconds(cfg["checkpointedTime"]),
           "list: the kubelet-named copy with its pod, namespace, container "
           "and checkpoint time", (rows, r.stderr))
        gz = os.path.join(tmp, "real.tar.gz")
        with open(TAR, "rb") as f, gzip.open(gz, "wb") as o:
            o.write(f.read())
        want = ckpt("inspect", "--all", TAR)
        got = ckpt("inspect", "--all", gz)
        ok(want.returncode == got.returncode == 0 and want.stdout and
           want.stdout.replace(TAR.encode(), b"X") ==
           got.stdout.replace(gz.encode(), b"X"),
           "a gzip-compressed copy inspects the same",
           got.stderr[:500])

    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

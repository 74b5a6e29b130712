#!/bin/sh
# ckpt yara end to end on the real fixtures: the shipped rules find the
# workload's planted secrets at the addresses it recorded (markers-*.txt),
# a string across a page boundary is found, a condition reading memory
# after the scan walks the blocks again, exit status tells none (0),
# hits (1) and error (2) apart, JSON and JSON Lines parse, -d externals
# reach the rules, --rootfs scans the diff's files, and a bad rule, a
# missing rules file or an unreadable checkpoint in a directory sweep give
# clear errors while the rest of the sweep completes. Rules are only what
# -r/--rules and -C/--compiled-rules name: a compiled rules file among the
# targets is a target that is not a checkpoint. TAP.
set -u
TAP_NAME=yara
. "$(dirname "$0")/tap.sh"
# marker NAME PID -> address recorded by the workload
marker() { awk -v n="$1" -v p="$2" '$1 == n && $2 == p { print $3 }' "$FX/markers-podman-none.txt"; }

echo "1..37"
A=$FX/podman-none.tar

# 1-4: the shipped rules, JSON
"$CKPT" --format json yara "$A" > "$T/a.json" 2> "$T/a.err"
rc=$?
check "hits: exit status 1" test $rc -eq 1
check "quiet on stderr when it is not a terminal" test ! -s "$T/a.err"
check "planted secrets at their recorded addresses" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["yara"]["tables"]
hits = {(h["pid"], h["rule"], h["string"], int(h["address"], 16)) for h in t["hits"]}
want = [(1, "pem_private_key", "$pem", int(sys.argv[2], 16)),
        (1, "jwt_token", "$alg", int(sys.argv[3], 16)),
        (1, "slack_token", "$xoxb", int(sys.argv[4], 16))]
for w in want:
    assert w in hits, (w, sorted(hits))
assert any(h[1] == "kubernetes_service_account_token" and h[0] == 1 for h in hits)
# pid 2 was forked before the heap secrets existed
assert not any(h[0] == 2 and h[1] in ("pem_private_key", "jwt_token",
               "slack_token") for h in hits), hits
for h in t["hits"]:
    for k in ("checkpoint", "pid", "comm", "rule", "namespace", "tags",
              "severity", "string", "address", "vma", "context", "meta"):
        assert k in h, (k, h)
    assert "author=ckpt" in h["meta"], h
s = t["summary"][0]
assert s["processes_scanned"] == 3 and s["bytes_scanned"] > 0, s
assert s["hits"] == len(t["hits"]), s
' "$T/a.json" "$(marker pem 1)" "$(marker jwt 1)" "$(marker slack 1)"
# the context holds the token: redacted by the host's policy, in full with
# --reveal
"$CKPT" --reveal --format json yara "$A" > "$T/a-reveal.json" 2>> "$T/a.err"
check "heap hit sits in the heap VMA with context (redacted unless --reveal)" python3 -c '
import json, sys, base64
def hit(path):
    t = json.load(open(path))["checkpoints"][0]["plugins"]["yara"]["tables"]
    return [h for h in t["hits"] if h["rule"] == "slack_token" and h["pid"] == 1][0]
h, r = hit(sys.argv[1]), hit(sys.argv[2])
assert h["vma"] == "heap", h
ctx = base64.b64decode(h["context"])
assert b"xoxb-2718281828" not in ctx and "xoxb\u2026".encode() in ctx, h
assert b"xoxb-2718281828" in base64.b64decode(r["context"]), r
' "$T/a.json" "$T/a-reveal.json"

# 5-8: own rules: markers, the page-straddling string, the file-only page
cat > "$T/markers.yar" <<'YAR'
rule ckpt_straddle {
  meta:
    severity = "low"
  strings:
    $s = "CKPT-MARKER-STRADDLE-PAGE-BOUNDARY"
    $h = "CKPT-MARKER-HEAP-7f3a"
  condition: any of them
}
rule ckpt_fileonly {
  strings: $f = "CKPT-MARKER-FILEONLY"
  condition: $f
}
YAR
"$CKPT" --format jsonl yara -r "$T/markers.yar" "$A" > "$T/m.jsonl" 2> "$T/m.err"
rc=$?
check "own rules: exit status 1" test $rc -eq 1
check "JSON Lines: every line parses" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) > 0
for l in lines:
    json.loads(l)
' "$T/m.jsonl"
check "string across a page boundary at its address" grep -q \
  "\"address\": *\"$(marker straddle 1)\"" "$T/m.jsonl"
check "file-only page never matched" sh -c "! grep -q ckpt_fileonly '$T/m.jsonl'"

# 9: the same hits from the zstd archive and the image directory
for f in podman-zstd.tar.zst criu-dir; do
  "$CKPT" --format jsonl yara -r "$T/markers.yar" "$FX/$f" > "$T/$f.jsonl" 2>&1
done
check "zstd archive and image directory agree on the addresses" sh -c "
  grep -q '\"address\": *\"$(marker straddle 1)\"' '$T/podman-zstd.tar.zst.jsonl' &&
  grep -q '\"address\": *\"$(marker heap 1)\"' '$T/criu-dir.jsonl'"

# 10: no hits
printf 'rule nothing { strings: $a = "no-such-string-in-ckpt-fixtures" condition: $a }\n' > "$T/none.yar"
"$CKPT" yara -r "$T/none.yar" "$A" > "$T/none.out" 2>&1
check "no hits: exit status 0" test $? -eq 0

# 11-12: externals
printf 'rule by_level { strings: $h = "CKPT-MARKER-HEAP-7f3a" condition: $h and level > 3 }\n' > "$T/ext.yar"
"$CKPT" yara -d level=5 -r "$T/ext.yar" "$A" > "$T/ext5.out" 2>&1
check "-d level=5: the rule fires" test $? -eq 1
"$CKPT" yara --define=level=2 --rules="$T/ext.yar" "$A" > "$T/ext2.out" 2>&1
check "--define=level=2: it does not" test $? -eq 0

# 13-15: errors
printf 'rule ok { condition: true }\n\nrule broken {\n  strings: $a = "xyzzy"\n  condition: $a and $b }\n' > "$T/bad.yar"
"$CKPT" yara -r "$T/bad.yar" "$A" > "$T/bad.out" 2> "$T/bad.err"
rc=$?
check "compile error: exit status 2" test $rc -eq 2
check "compile error names file and line" grep -q "bad.yar:5: undefined string" "$T/bad.err"
"$CKPT" yara --rules "$T/missing.yar" "$A" > "$T/miss.out" 2> "$T/miss.err"
rc=$?
check "missing rules file: exit 2 and says so" sh -c \
  "test $rc -eq 2 && grep -q 'missing.yar: no such file' '$T/miss.err'"

# 16-19: a directory sweep with a broken checkpoint in it
mkdir "$T/sweep"
ln -s "$A" "$T/sweep/a.tar"
ln -s "$FX/podman-none-2.tar" "$T/sweep/b.tar"
head -c 100000 "$A" > "$T/sweep/c-truncated.tar"
printf 'not a checkpoint\n' > "$T/sweep/d-junk.tar"
"$CKPT" --format json yara --threads 4 -r "$T/markers.yar" "$T/sweep" > "$T/sweep.json" 2> "$T/sweep.err"
rc=$?
# the hits of the good ones are not masked by the broken ones (issue 13)
check "sweep with a broken checkpoint: hits win, exit status 1" test $rc -eq 1
check "the broken checkpoints are named on stderr" sh -c \
  "grep -q c-truncated.tar '$T/sweep.err' && grep -q d-junk.tar '$T/sweep.err'"
check "the rest of the sweep completed" python3 -c '
import json, sys
cs = json.load(open(sys.argv[1]))["checkpoints"]
assert len(cs) == 4, [c["path"] for c in cs]
good = [c for c in cs if c["path"].endswith(("a.tar", "b.tar"))]
assert len(good) == 2
for c in good:
    hits = c["plugins"]["yara"]["tables"]["hits"]
    assert any(h["string"] == "$s" for h in hits), c["path"]
bad = [c for c in cs if not c["path"].endswith(("a.tar", "b.tar"))]
assert all(c["errors"] for c in bad), bad
' "$T/sweep.json"
"$CKPT" --format jsonl yara --threads 1 -r "$T/markers.yar" "$T/sweep/a.tar" "$T/sweep/b.tar" > "$T/t1.jsonl" 2>&1
"$CKPT" --format jsonl yara --threads 8 -r "$T/markers.yar" "$T/sweep/a.tar" "$T/sweep/b.tar" > "$T/t8.jsonl" 2>&1
check "one thread and eight give the same hits" sh -c "
  grep '\"rule\"' '$T/t1.jsonl' | sed 's/\"seconds\":[^,}]*//' > '$T/t1.h' &&
  grep '\"rule\"' '$T/t8.jsonl' | sed 's/\"seconds\":[^,}]*//' > '$T/t8.h' &&
  test -s '$T/t1.h' && cmp '$T/t1.h' '$T/t8.h'"

# 20-21: the rootfs diff
"$CKPT" --format json yara --rootfs "$A" > "$T/rootfs.json" 2>&1
check "--rootfs: the AWS key in /root/.aws/credentials" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["yara"]["tables"]
f = [h for h in t["hits"] if h["file"]]
assert any(h["file"].endswith("root/.aws/credentials") and
           h["rule"] == "aws_access_key_id" and h["pid"] is None for h in f), f
assert t["summary"][0]["files_scanned"] > 0
' "$T/rootfs.json"
"$CKPT" --format json yara --no-rootfs "$A" > "$T/norootfs.json" 2>&1
check "with --no-rootfs no file is scanned" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["yara"]["tables"]
assert not any(h["file"] for h in t["hits"])
assert t["summary"][0]["files_scanned"] == 0
' "$T/norootfs.json"

# 22: the yara plugin in a chain, with the shipped rules named as a directory
"$CKPT" --format json run yara --set "yara.rules=$CKPT_SOURCE_ROOT/rules" "$A" > "$T/chain.json" 2> "$T/chain.err"
check "yara in a chain (ckpt run)" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["yara"]["tables"]
assert any(h["rule"] == "pem_private_key" for h in t["hits"])
' "$T/chain.json"

# 23-26: rules are named, never sniffed: a compiled rules file named like a
# checkpoint, first in a glob, is a target (and not a checkpoint)
yarac "$T/markers.yar" "$T/markers.yarc"
mkdir "$T/glob"
cp "$T/markers.yarc" "$T/glob/0-checkpoint.tar"
ln -s "$A" "$T/glob/a.tar"
"$CKPT" --format json yara -r "$T/markers.yar" "$T"/glob/* > "$T/glob.json" 2> "$T/glob.err"
rc=$?
check "compiled rules in a glob: exit 1 (hits), named as not a checkpoint" sh -c \
  "test $rc -eq 1 && grep -q '0-checkpoint.tar: not a checkpoint' '$T/glob.err'"
check "compiled rules in a glob: the rules named with -r still ran on the rest" python3 -c '
import json, sys
cs = {c["path"].rsplit("/", 1)[1]: c for c in json.load(open(sys.argv[1]))["checkpoints"]}
assert sorted(cs) == ["0-checkpoint.tar", "a.tar"], sorted(cs)
assert cs["0-checkpoint.tar"]["errors"], cs["0-checkpoint.tar"]
hits = cs["a.tar"]["plugins"]["yara"]["tables"]["hits"]
assert any(h["rule"] == "ckpt_straddle" for h in hits), hits
' "$T/glob.json"
"$CKPT" --format json yara "$T"/glob/* > "$T/glob2.json" 2> "$T/glob2.err"
check "without -r, a compiled file first in the glob does not replace the shipped rules" python3 -c '
import json, sys
cs = {c["path"].rsplit("/", 1)[1]: c for c in json.load(open(sys.argv[1]))["checkpoints"]}
hits = cs["a.tar"]["plugins"]["yara"]["tables"]["hits"]
assert any(h["rule"] == "pem_private_key" for h in hits), hits
assert not any(h["rule"] == "ckpt_straddle" for h in hits), hits
' "$T/glob2.json"
"$CKPT" yara -r "$T/markers.yarc" "$A" > "$T/rc.out" 2> "$T/rc.err"
rc=$?
check "compiled rules given as -r: exit 2, pointed at -C" sh -c \
  "test $rc -eq 2 && grep -q 'markers.yarc: compiled rules, not source: give compiled rules with --compiled-rules' '$T/rc.err'"

# 27-31: -C loads compiled rules, and only a compiled file
"$CKPT" --format jsonl yara -C "$T/markers.yarc" "$A" > "$T/c.jsonl" 2> "$T/c.err"
rc=$?
check "-C compiled rules: hits at the same address as the source rules" sh -c \
  "test $rc -eq 1 && grep -q '\"address\": *\"$(marker straddle 1)\"' '$T/c.jsonl'"
"$CKPT" yara -C "$T/markers.yar" "$A" > "$T/cs.out" 2> "$T/cs.err"
rc=$?
check "-C with a source file: exit 2, says it is not compiled" sh -c \
  "test $rc -eq 2 && grep -q 'markers.yar: not a file compiled by yarac' '$T/cs.err'"
head -c 300 "$T/markers.yarc" > "$T/cut.yarc"
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(40, len(b), 7):
    b[i] ^= 0x5a
open(sys.argv[2], "wb").write(b)
' "$T/markers.yarc" "$T/flipped.yarc"
for bad in cut flipped; do
  "$CKPT" yara -C "$T/$bad.yarc" "$A" > "$T/$bad.out" 2> "$T/$bad.err"
  rc=$?
  check "-C with $bad compiled rules: a clean error naming the file (exit 2, no abort)" \
    sh -c "test $rc -eq 2 && grep -q '$bad.yarc: cannot load' '$T/$bad.err'"
done
"$CKPT" yara -r "$T/markers.yar" -C "$T/markers.yarc" "$A" > "$T/mix.out" 2> "$T/mix.err"
rc=$?
check "-r and -C together: usage error 2" sh -c "test $rc -eq 2 && grep -q 'cannot be mixed' '$T/mix.err'"

# 32: a sweep keeps warnings the rootfs diff gives while yara runs (a
# diff in an encoding ckpt refuses, gzip around lrzip magic)
python3 - "$A" "$T/lrz.tar" <<'PY'
import gzip, io, sys, tarfile
with tarfile.open(sys.argv[1]) as t, tarfile.open(sys.argv[2], "w") as o:
    for m in t.getmembers():
        d = t.extractfile(m).read() if m.isfile() else None
        if m.name == "rootfs-diff.tar":
            d = gzip.compress(b"LRZI\x00\x06" + bytes(64))
            m.size = len(d)
        o.addfile(m, io.BytesIO(d) if d is not None else None)
PY
"$CKPT" --format json yara --rootfs "$A" "$T/lrz.tar" > "$T/sweep.json" 2>/dev/null
check "sweep: rootfs diff warning in the report" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["checkpoints"]
w = [x for r in c if r["path"].endswith("lrz.tar") for x in r["warnings"]]
assert w == ["rootfs-diff.tar: compressed with lrzip, which ckpt does not read"], w
' "$T/sweep.json"

# 33-35: a -r path and a -d value keep their commas (each flag is one
# item of the list, never split again), in-process and under --isolate
cp "$T/ext.yar" "$T/a,b.yar"
"$CKPT" yara -d level=5 -r "$T/a,b.yar" "$A" > "$T/comma.out" 2> "$T/comma.err"
rc=$?
check "-r with a comma in the path: the rules load and fire (exit 1)" \
  sh -c "test $rc -eq 1 && test ! -s '$T/comma.err'"
"$CKPT" --isolate yara -d level=5 -r "$T/a,b.yar" "$A" > /dev/null 2> "$T/comma-i.err"
rc=$?
check "the same under --isolate" sh -c "test $rc -eq 1 && test ! -s '$T/comma-i.err'"
# a condition that reads memory after the scan (uint8 at a match) makes
# libyara walk the blocks again (plugins/yrpieces.h starts over), with
# and without the memory pass (CKPT_MEMPASS=0)
printf 'rule rewalk { strings: $h = "CKPT-MARKER-HEAP-7f3a" condition: $h and uint8(@h[1]) == 0x43 and uint8(@h[1] + 5) == 0x4d }\n' > "$T/rewalk.yar"
# (yara beside secrets subscribes to the pass: plugins/blockfeed.h, and
# finds the secrets engine's matches in its scan: the host's is not one)
"$CKPT" -v run yara,secrets --yara.rules="$T/rewalk.yar" "$A" > "$T/rewalk.out" 2>&1
check "a condition reading memory after the scan, in the memory pass: the rule fires" \
  sh -c "grep -q 'memory pass: 2 subscribers' '$T/rewalk.out' && grep -q 'secrets found in yara.s scan' '$T/rewalk.out' && grep -q rewalk '$T/rewalk.out'"
CKPT_MEMPASS=0 "$CKPT" yara -r "$T/rewalk.yar" "$A" > "$T/rewalk0.out" 2>&1
check "the same on the plugin's own walk" sh -c "test $? -eq 1 && grep -q rewalk '$T/rewalk0.out'"
printf 'rule by_name { strings: $h = "CKPT-MARKER-HEAP-7f3a" condition: $h and name == "x,y" }\n' > "$T/name.yar"
"$CKPT" yara -d 'name=x,y' -r "$T/name.yar" "$A" > /dev/null 2>&1
check "-d with a comma in the value: one external, the rule fires" test $? -eq 1

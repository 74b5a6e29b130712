#!/bin/sh
# sweep.sh - TAP: one bad checkpoint never loses a sweep's good results.
# A directory of three real checkpoints where tests/hostile's crash plugin
# (only=b-bad) dies of SIGSEGV on one, under --isolate: `ckpt run CHAIN
# DIR`, `ckpt secrets DIR` and `ckpt yara DIR` (crash put in front of the
# plugin by a chain file) still give the two good checkpoints' full results
# and exit non-zero naming the bad one.
set -u
TAP_NAME=sweep
. "$CKPT_SOURCE_ROOT/tests/cli/tap.sh"
# Under ASan a SIGSEGV is turned into a report and an abort; the test wants
# the plugin to die of the signal itself.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export ASAN_OPTIONS
crashdir=$CKPT_BUILD_ROOT/tests/hostile

echo "1..16"
mkdir "$T/s"
cp "$FX/podman-none.tar" "$T/s/a.tar"
cp "$FX/podman-none-2.tar" "$T/s/b-bad.tar"
cp "$FX/crio-none.tar" "$T/s/c.tar"
printf '[chain secrets]\nplugins=crash,secrets\n[chain yara]\nplugins=crash,yara\n' >"$T/c.ini"
# sweep NAME STATUS: runs ckpt with the rest, JSON in $T/NAME.json
sweep() {
  name=$1 want=$2
  shift 2
  "$CKPT" --isolate --plugin-path "$crashdir" --chains "$T/c.ini" \
    --set crash.only=b-bad --format json "$@" >"$T/$name.json" 2>"$T/$name.err"
  rc=$?
  check "$name: exit $want" test $rc -eq "$want"
  check "$name: stderr names the bad checkpoint and the crash" \
    grep -q "$T/s/b-bad.tar: plugin crash failed: plugin crash killed by signal 11" "$T/$name.err"
}
# good NAME PLUGIN TABLE: in $T/NAME.json both good checkpoints are ok,
# with rows in PLUGIN.TABLE
good() {
  python3 -c '
import json, sys
cs = {c["path"].rsplit("/", 1)[1]: c for c in json.load(open(sys.argv[1]))["checkpoints"]}
assert sorted(cs) == ["a.tar", "b-bad.tar", "c.tar"], sorted(cs)
for n in ("a.tar", "c.tar"):
    c = cs[n]
    assert c["status"] == "ok", (n, c["status"])
    assert c["plugins"]["crash"]["status"] == "ok", n
    assert len(c["plugins"][sys.argv[2]]["tables"][sys.argv[3]]) > 0, n
b = cs["b-bad.tar"]
assert b["status"] == "failed" and b["plugins"]["crash"]["status"] == "failed", b["status"]
' "$T/$1.json" "$2" "$3"
}

sweep run 1 run crash,pstree "$T/s"
check "run: the good checkpoints' results are all there" good run pstree processes
# found wins over the crash: the good checkpoints' findings are not
# masked by the bad one (issue 13); its failure is on stderr and in JSON
sweep secrets 1 secrets "$T/s"
check "secrets: the good checkpoints' findings are all there" good secrets secrets findings
sweep yara 1 yara "$T/s"
check "yara: the good checkpoints' hits are all there" good yara yara hits

# streamed output keeps what came before and after the bad checkpoint
"$CKPT" --isolate --plugin-path "$crashdir" --set crash.only=b-bad \
  --format jsonl run crash,pstree "$T/s" >"$T/l.jsonl" 2>/dev/null
rc=$?
check "jsonl run: exit 1" test $rc -eq 1
check "jsonl run: the good checkpoints' rows streamed" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
done = {l["checkpoint"].rsplit("/", 1)[1]: l["status"] for l in ls if l["type"] == "checkpoint"}
assert done == {"a.tar": "ok", "b-bad.tar": "failed", "c.tar": "ok"}, done
rows = {l["checkpoint"] for l in ls if l["type"] == "row" and l["plugin"] == "pstree"}
assert len(rows) >= 2, rows
' "$T/l.jsonl"
# a checkpoint that cannot be opened at all, in a run sweep
head -c 4096 "$FX/podman-none.tar" >"$T/s/d-cut.tar"
"$CKPT" --format json run pstree "$T/s" >"$T/cut.json" 2>"$T/cut.err"
rc=$?
check "run: a truncated checkpoint fails alone (exit 1, named, others ok)" sh -c "
  test $rc -eq 1 && grep -q d-cut.tar '$T/cut.err' &&
  python3 -c 'import json; cs=json.load(open(\"$T/cut.json\"))[\"checkpoints\"]; assert sum(c[\"status\"]==\"ok\" for c in cs)==3, [c[\"status\"] for c in cs]'"
# the sweep engine's targets: a checkpoint directory is taken, a symlink to
# one is never entered (a symlinked file is, as a glob would name it)
mkdir "$T/t"
cp -r "$FX/criu-dir" "$T/t/real-dir"
ln -s "$FX/criu-dir" "$T/t/link-dir"
ln -s "$FX/crio-none.tar" "$T/t/link.tar"
"$CKPT" --format json run pstree "$T/t" >"$T/t.json" 2>"$T/t.err"
rc=$?
check "run over a directory: exit 0, the checkpoint dir and the symlinked file" sh -c "
  test $rc -eq 0 && python3 -c 'import json; cs=json.load(open(\"$T/t.json\"))[\"checkpoints\"]; n=sorted(c[\"path\"].rsplit(\"/\",1)[1] for c in cs); assert n==[\"link.tar\",\"real-dir\"], n'"
# a parallel sweep names a rule that does not compile once, not per
# checkpoint, and still exits 2
printf 'rule broken { condition: $a }\n' >"$T/bad.yar"
"$CKPT" yara -p 2 -r "$T/bad.yar" "$FX/podman-none.tar" "$FX/crio-none.tar" \
  "$FX/containerd-none.tar" >/dev/null 2>"$T/once.err"
rc=$?
check "yara -p 2 with a broken rule: exit 2" test $rc -eq 2
check "yara -p 2: the compile error is said once" sh -c \
  "test \$(grep -c 'bad.yar:1' '$T/once.err') -eq 1"
# --threads takes a number
"$CKPT" yara --threads lots "$FX/podman-none.tar" >/dev/null 2>"$T/th.err"
rc=$?
check "yara --threads lots: usage error 2, named" sh -c \
  "test $rc -eq 2 && grep -q \"threads: 'lots'\" '$T/th.err'"

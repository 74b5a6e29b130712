#!/bin/sh
# ckpt diff A B on two real checkpoints of one container: the second was
# taken after SIGUSR1 opened /data/second.txt (fd 16) and a TCP listener on
# 8081 (fd 17). TAP; env from tests/meson.build.
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-diff-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi; }

echo "1..15"
A=$FX/podman-none.tar
B=$FX/podman-none-2.tar

"$CKPT" --format json diff "$A" "$B" > "$T/ab.json" 2> "$T/ab.err"
rc=$?
check "different checkpoints: exit 1, like diff(1)" test $rc -eq 1
check "json: exactly the new file and the new listener" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["diff"]["tables"]
files = [(r["change"], r["pid"], r["fd"], r["after"]) for r in t["files"]]
assert ("added", 1, "16", "REG /data/second.txt") in files, files
assert all(r["change"] == "added" and r["pid"] == 1 for r in t["files"]), files
assert len(t["files"]) == 2, files
socks = t["sockets"]
assert len(socks) == 1 and socks[0]["change"] == "added" and socks[0]["fd"] == "17", socks
assert "TCP LISTEN 0.0.0.0:8081" in socks[0]["after"], socks
assert t["processes"] == [], t["processes"]
tot = [r for r in t["memory"] if r["command"] == "total"]
assert len(tot) == 1 and tot[0]["before"] > 0 and tot[0]["after"] > 0, t["memory"]
' "$T/ab.json"

"$CKPT" --format json diff "$B" "$A" > "$T/ba.json" 2>&1
check "reversed: the same entries are removed" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["diff"]["tables"]
assert sorted(r["change"] for r in t["files"]) == ["removed", "removed"], t["files"]
assert [r["change"] for r in t["sockets"]] == ["removed"], t["sockets"]
' "$T/ba.json"

"$CKPT" --format json diff "$A" "$A" > "$T/aa.json" 2>&1
check "a checkpoint against itself: no changes" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["diff"]["tables"]
assert t["files"] == [] and t["sockets"] == [] and t["processes"] == [], t
' "$T/aa.json"

"$CKPT" diff "$A" "$B" > "$T/ab.txt" 2>&1
check "tree output names the file and the port" sh -c "grep -q '/data/second.txt' '$T/ab.txt' && grep -q '0.0.0.0:8081' '$T/ab.txt'"

"$CKPT" diff "$A" > "$T/one.txt" 2>&1
rc=$?
check "one argument is a usage error" test $rc -eq 2

head -c 50000 "$B" > "$T/cut.tar"
"$CKPT" diff "$A" "$T/cut.tar" > "$T/cut.txt" 2>&1
rc=$?
check "a truncated second checkpoint is an error: exit 2" test $rc -eq 2

# exit status as diff(1): 0 equal; and which container each side is of
"$CKPT" diff "$A" "$A" > /dev/null 2>&1
rc=$?
check "a checkpoint against itself: exit 0" test $rc -eq 0
"$CKPT" --format json diff "$A" "$A" > "$T/aa2.json" 2>/dev/null
check "same container: same_container is true" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["diff"]["tables"]["container"]
assert len(c) == 1 and c[0]["same_container"] is True, c
' "$T/aa2.json"
R=$FX/real-redis.tar
"$CKPT" --format json diff "$A" "$R" > "$T/ar.json" 2> "$T/ar.err"
rc=$?
check "two different containers: exit 1, a warning on stderr" sh -c \
  "test $rc -eq 1 && grep -q 'different containers' '$T/ar.err'"
check "two different containers: same_container false, both named" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["diff"]["tables"]["container"]
assert c[0]["same_container"] is False, c
assert "ckpt-fixture" in c[0]["before"] and "ckpt-real-redis" in c[0]["after"], c
' "$T/ar.json"
"$CKPT" diff "$A" "$R" 2>/dev/null > "$T/ar.txt"
check "two different containers: the tree says so" grep -q "SAME CONTAINER: false" "$T/ar.txt"
"$CKPT" diff "$A" "$T/missing.tar" > /dev/null 2>&1
rc=$?
check "a missing checkpoint: exit 2" test $rc -eq 2

# the diff plugin is an ordinary multi-checkpoint plugin: `ckpt run` runs it
# like any chain, and with the command lines on it is `ckpt diff` exactly
"$CKPT" run diff --cmd "$A" "$B" > "$T/run.txt" 2>&1
rc=$?
check "run diff --cmd A B is ckpt diff A B" sh -c "test $rc -eq 0 && cmp -s '$T/ab.txt' '$T/run.txt'"
"$CKPT" run diff "$A" "$B" "$A" > "$T/three.txt" 2>&1
rc=$?
check "three checkpoints: the plugin fails, exit 1, and says why" sh -c "test $rc -eq 1 && grep -q 'compares two checkpoints, 3 given' '$T/three.txt'"

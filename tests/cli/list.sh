#!/bin/sh
# ckpt list: checkpointctl list's columns over the checkpoints of the given
# directories, on the real fixtures (Podman, CRI-O, containerd, bare CRIU).
# Checkpoints are told by content whatever their names, symlinks are never
# followed, non-checkpoints are skipped (named with -v), kubelet names fill
# pod/namespace/container/time, --recursive walks down, a missing directory
# is an error. TAP; env from tests/meson.build.
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-list-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi; }
rows() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(d["checkpoints"][0]["plugins"]["list"]["tables"]["checkpoints"]))' "$1"; }

echo "1..28"
mkdir -p "$T/k" "$T/empty" "$T/bad"
# copies, not symlinks: list never follows a symlink
cp "$FX/podman-none.tar" "$T/k/checkpoint-podman.tar"
cp "$FX/crio-none.tar" "$T/k/checkpoint-crio.tar"
cp "$FX/containerd-none.tar" "$T/k/checkpoint-containerd.tar"
: > "$T/k/not-a-checkpoint.tar"

"$CKPT" list "$T/k" > "$T/text" 2>&1
rc=$?
check "list exits 0" test $rc -eq 0
check "text: path line and checkpointctl's columns" sh -c "grep -q 'Listing checkpoints in path: $T/k' '$T/text' && grep -qi 'namespace.*pod.*container.*engine.*time checkpointed.*checkpoint name' '$T/text'"

"$CKPT" --format json list "$T/k" > "$T/json" 2>&1
check "json: one row per checkpoint, engines and pods from metadata" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["list"]["tables"]["checkpoints"]
by = {r["checkpoint_name"]: r for r in rows}
assert sorted(by) == ["checkpoint-containerd.tar", "checkpoint-crio.tar", "checkpoint-podman.tar"], by
assert by["checkpoint-podman.tar"]["engine"] == "Podman"
assert by["checkpoint-podman.tar"]["container"] == "ckpt-fixture"
assert by["checkpoint-crio.tar"]["engine"] == "CRI-O"
assert by["checkpoint-containerd.tar"]["engine"] == "containerd"
for k in ("checkpoint-crio.tar", "checkpoint-containerd.tar"):
    assert by[k]["pod"] and by[k]["namespace"] and by[k]["time_checkpointed"], by[k]
' "$T/json"

"$CKPT" list "$T/empty" > "$T/none" 2>&1
rc=$?
check "no checkpoints: says so, exit 0" sh -c "[ $rc -eq 0 ] && grep -q 'No checkpoints found in' '$T/none'"

head -c 5000 "$FX/podman-none.tar" > "$T/bad/checkpoint-broken.tar"
cp "$FX/podman-none.tar" "$T/bad/checkpoint-good.tar"
"$CKPT" list "$T/bad" > "$T/bad.out" 2> "$T/bad.err"
rc=$?
check "a broken checkpoint is reported and the others still listed" sh -c "[ $rc -eq 1 ] && grep -q 'checkpoint-broken.tar' '$T/bad.err' && grep -q 'checkpoint-good.tar' '$T/bad.out'"
check "--help lists the command" sh -c "'$CKPT' --help | grep -q '^ *list'"

# 7-9: every real archive whatever its name (plain, gzip, zstd), told by
# content; an image directory too
mkdir "$T/all"
for f in "$FX"/*.tar "$FX"/*.tar.gz "$FX"/*.tar.zst; do cp "$f" "$T/all/"; done
cp -r "$FX/criu-dir" "$T/all/images"
want=$(ls "$FX"/*.tar "$FX"/*.tar.gz "$FX"/*.tar.zst | wc -l)
"$CKPT" --format json list "$T/all" > "$T/all.json" 2> "$T/all.err"
rc=$?
check "archives of any name: exit 0, quiet" sh -c "test $rc -eq 0 && test ! -s '$T/all.err'"
check "archives of any name: all $want archives and the image directory listed" python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
names = sorted(r["checkpoint_name"] for r in rows)
assert len(names) == int(sys.argv[2]) + 1, names
assert "images" in names and "podman-zstd.tar.zst" in names and "podman-gzip.tar.gz" in names, names
' "$(rows "$T/all.json")" "$want"
"$CKPT" list "$T/all" > "$T/all.txt" 2>&1
check "text: a row per checkpoint, not 'No checkpoints found'" sh -c \
  "! grep -q 'No checkpoints found' '$T/all.txt' && test \$(grep -c 'podman-\|crio-\|containerd-\|real-\|images' '$T/all.txt') -eq $((want + 1))"

# 10-13: symlinks (to /, /proc/self, a real archive) and other files are
# skipped, and named with -v
mkdir "$T/links"
cp "$FX/podman-none.tar" "$T/links/real.tar"
ln -s / "$T/links/checkpoint-root"
ln -s /proc/self "$T/links/checkpoint-self"
ln -s "$FX/podman-none.tar" "$T/links/checkpoint-link.tar"
echo notes > "$T/links/notes.txt"
mkdir "$T/links/plain" && echo x > "$T/links/plain/x" && tar -C "$T/links/plain" -cf "$T/links/files.tar" x
"$CKPT" --format json list "$T/links" > "$T/links.json" 2> "$T/links.err"
rc=$?
check "symlinks and non-checkpoints: exit 0, only the real archive listed" sh -c "test $rc -eq 0 &&
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert [x[\"checkpoint_name\"] for x in r] == [\"real.tar\"], r' '$(rows "$T/links.json")'"
check "without -v the skipped entries are not named" test ! -s "$T/links.err"
"$CKPT" -v list "$T/links" > "$T/links.v" 2> "$T/links.verr"
check "-v: each symlink named as not followed" sh -c "
  grep -q 'skipped $T/links/checkpoint-root: a symlink (not followed)' '$T/links.verr' &&
  grep -q 'skipped $T/links/checkpoint-self: a symlink' '$T/links.verr' &&
  grep -q 'skipped $T/links/checkpoint-link.tar: a symlink' '$T/links.verr'"
check "-v: a text file and a tar without CRIU images named as not checkpoints" sh -c "
  grep -q 'skipped $T/links/notes.txt: not a checkpoint' '$T/links.verr' &&
  grep -q 'skipped $T/links/files.tar: not a checkpoint (no CRIU images)' '$T/links.verr'"

# 14-15: a missing directory is an error
"$CKPT" list "$T/missing" > "$T/miss.out" 2> "$T/miss.err"
rc=$?
check "missing directory: exit 1 naming it" sh -c "test $rc -eq 1 && grep -q '$T/missing: cannot open directory: No such file' '$T/miss.err'"
"$CKPT" list "$T/missing" "$T/k" > "$T/miss2.out" 2> "$T/miss2.err"
rc=$?
check "missing directory among good ones: exit 1, the others listed" sh -c "test $rc -eq 1 && grep -q checkpoint-podman.tar '$T/miss2.out'"

# 16-18: --recursive
mkdir -p "$T/tree/a/b"
cp "$FX/podman-gzip.tar.gz" "$T/tree/a/one.tgz"
cp -r "$FX/criu-dir" "$T/tree/a/b/dump"
ln -s / "$T/tree/a/up"
"$CKPT" --format json list "$T/tree" > "$T/flat.json" 2>&1
check "without --recursive subdirectories are not walked" python3 -c '
import json, sys; assert json.loads(sys.argv[1]) == []' "$(rows "$T/flat.json")"
"$CKPT" --format json list --recursive "$T/tree" > "$T/rec.json" 2> "$T/rec.err"
rc=$?
check "--recursive: archives and image directories below, by relative path" sh -c "test $rc -eq 0 &&
  python3 -c 'import json,sys; r=sorted(x[\"checkpoint_name\"] for x in json.loads(sys.argv[1])); assert r == [\"a/b/dump\", \"a/one.tgz\"], r' '$(rows "$T/rec.json")'"
"$CKPT" -v list --recursive "$T/tree" > /dev/null 2> "$T/rec.verr"
check "--recursive never follows a symlinked directory" grep -q "skipped $T/tree/a/up: a symlink" "$T/rec.verr"

# 19-20: kubelet names
mkdir "$T/kube"
tar -C "$FX/criu-dir" -cf "$T/kube/checkpoint-web-7f_kube-system-nginx-2024-05-06T07:08:09+02:00.tar" .
cp "$FX/podman-none.tar" "$T/kube/checkpoint-mypod_default-ckpt-fixture-2024-05-06T07:08:09Z.tar"
"$CKPT" --format json list "$T/kube" > "$T/kube.json" 2>&1
check "kubelet name without metadata: pod, namespace, container, time from the name" python3 -c '
import json, sys
r = [x for x in json.loads(sys.argv[1]) if x["checkpoint_name"].startswith("checkpoint-web")][0]
assert (r["pod"], r["namespace"], r["container"]) == ("web-7f", "kube-system", "nginx"), r
assert r["time_checkpointed"] == "2024-05-06T05:08:09Z", r
' "$(rows "$T/kube.json")"
check "kubelet name with metadata: the metadata wins, the name fills the rest" python3 -c '
import json, sys
r = [x for x in json.loads(sys.argv[1]) if x["checkpoint_name"].startswith("checkpoint-mypod")][0]
assert (r["pod"], r["namespace"], r["container"], r["engine"]) == ("mypod", "default", "ckpt-fixture", "Podman"), r
assert r["time_checkpointed"] != "2024-05-06T07:08:09Z", r
' "$(rows "$T/kube.json")"

# 21-22: the host's renderers
"$CKPT" --format jsonl list "$T/k" > "$T/l.jsonl" 2>&1
check "--format jsonl: every line parses, one row per checkpoint" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert sum(1 for l in ls if l["type"] == "row") == 3, ls
' "$T/l.jsonl"
"$CKPT" list --bogus "$T/k" > /dev/null 2> "$T/bogus.err"
rc=$?
check "unknown flag: usage error 2" sh -c "test $rc -eq 2 && grep -q 'unknown flag --bogus' '$T/bogus.err'"

# 23-26: the rows are a plugin's (plugins/list, a directory run through
# CkptPlugin.run_dir and CkptApi.dir_next): a third party's "list" found
# first on the plugin path replaces the built-in one, gets each entry in
# order with its directory's index, a short CkptDirEntryInfo filled only
# as far as its size, and its bad rows refused like any plugin's
TP=${CKPT_TEST_PLUGINS:?}
mkdir -p "$T/dl/sub"
cp "$FX/podman-none.tar" "$T/dl/a.tar"
cp -R "$FX/criu-dir" "$T/dl/sub/c"
"$CKPT" --plugin-path "$TP" --format json list --recursive "$T/dl" "$T/k" > "$T/dl.json" 2> "$T/dl.err"
rc=$?
check "a plugin path's list plugin makes the rows, entry by entry in walk order; its run has no model" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["list"]
r = p["tables"]["checkpoints"]
names = [x["checkpoint_name"] for x in r]
assert names[1] == "sub/c" and r[1]["namespace"] == "dir 0", r
assert all(x["namespace"] == "dir 1" for x in r[2:5]) and len(r) == 6, r
assert r[5]["namespace"] == "no model on the run", r
assert r[2]["pod"] == "config 1" and r[1]["pod"] == "config 0", r
' "$T/dl.json"
check "a short CkptDirEntryInfo: only its members are filled" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["list"]["tables"]["checkpoints"]
assert r[0]["checkpoint_name"] == sys.argv[2] + "/dl/a.tar" and r[0]["namespace"] == "dir 99", r[0]
' "$T/dl.json" "$T"
check "a directory run's bad row is refused and said" sh -c "test $rc -eq 0 && python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))[\"checkpoints\"][0][\"plugins\"][\"list\"]
assert any(\"1 rows refused\" in m for m in p[\"messages\"]), p
' '$T/dl.json'"
TP_DIRLIST_STOP=2 "$CKPT" --plugin-path "$TP" --format json list --recursive "$T/dl" "$T/k" > "$T/dls.json" 2> "$T/dls.err"
rc=$?
check "a directory run that stops early: its rows kept, the rest said not listed, exit 1" sh -c "test $rc -eq 1 && grep -q 'stopped before the end of the walk' '$T/dls.err' && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))[\"checkpoints\"][0][\"plugins\"][\"list\"][\"tables\"][\"checkpoints\"]
assert [x[\"checkpoint_name\"] for x in r][1] == \"sub/c\" and len(r) == 3, r
' '$T/dls.json'"
"$CKPT" run list "$FX/podman-none.tar" > "$T/runlist.out" 2> "$T/runlist.err"
rc=$?
check "run list FILE: the list plugin runs over directories only" sh -c "test $rc -eq 1 && grep -q 'runs over directories only' '$T/runlist.err'"

# 27: a kubelet-like name whose time is no date (February 30) is not a
# kubelet name: nothing is taken from it
mkdir "$T/kbad"
tar -C "$FX/criu-dir" -cf "$T/kbad/checkpoint-web-7f_kube-system-nginx-2024-02-30T07:08:09Z.tar" .
"$CKPT" --format json list "$T/kbad" > "$T/kbad.json" 2>&1
check "a kubelet name with an impossible time fills nothing" python3 -c '
import json, sys
r = json.loads(sys.argv[1])[0]
assert r["pod"] is None and r["namespace"] is None and r["container"] is None, r
assert r["time_checkpointed"] != "2024-03-01T07:08:09Z", r
' "$(rows "$T/kbad.json")"

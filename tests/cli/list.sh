#!/bin/sh
# ckpt list: checkpointctl list's columns over checkpoint-* files of the
# given directories, on the real fixtures (Podman, CRI-O, containerd).
# TAP; env from tests/meson.build.
set -u
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-list-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@" >"$T/out.check" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/# /' "$T/out.check"; fi; }

echo "1..6"
mkdir -p "$T/k" "$T/empty" "$T/bad"
ln -s "$FX/podman-none.tar" "$T/k/checkpoint-podman.tar"
ln -s "$FX/crio-none.tar" "$T/k/checkpoint-crio.tar"
ln -s "$FX/containerd-none.tar" "$T/k/checkpoint-containerd.tar"
: > "$T/k/not-a-checkpoint.tar"

"$CKPT" list "$T/k" > "$T/text" 2>&1
rc=$?
check "list exits 0" test $rc -eq 0
check "text: path line and checkpointctl's columns" sh -c "grep -q 'Listing checkpoints in path: $T/k' '$T/text' && grep -qi 'namespace.*pod.*container.*engine.*time checkpointed.*checkpoint name' '$T/text'"

"$CKPT" --format json list "$T/k" > "$T/json" 2>&1
check "json: one row per checkpoint-* file, engines and pods from metadata" python3 -c '
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
ln -s "$FX/podman-none.tar" "$T/bad/checkpoint-good.tar"
"$CKPT" list "$T/bad" > "$T/bad.out" 2> "$T/bad.err"
rc=$?
check "a broken checkpoint is reported and the others still listed" sh -c "[ $rc -eq 1 ] && grep -q 'checkpoint-broken.tar' '$T/bad.err' && grep -q 'checkpoint-good.tar' '$T/bad.out'"
check "--help lists the command" sh -c "'$CKPT' --help | grep -q '^ *list'"

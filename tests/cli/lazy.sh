#!/bin/sh
# lazy.sh - opening reads only what the chain and the output need (issue
# 19), speaking TAP: a chain that reads no memory spools no page data, a
# plugin that reads memory without declaring it is warned about, a plugin
# without reads (0: everything) still gets memory, and the sha256 printed
# by JSON output is the file's, compressed or not.
set -u
CKPT=${CKPT:?} TP=${CKPT_TEST_PLUGINS:?} FX=${CKPT_FIXTURES:?}
TMP=$(mktemp -d "${CKPT_BUILD_ROOT:?}/ckpt-lazy-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
unset CKPT_PLUGIN_PATH
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
run() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
has() { grep -qF -- "$2" "$TMP/$1"; }
ZST=$FX/podman-zstd.tar.zst
echo "1..14"

# The spool is observable: under a file size limit of 64 KiB (SIGXFSZ
# ignored) spooling the fixture's pages fails naming the member, while a
# chain that reads no memory never writes them (the rootfs diff, 9 KiB,
# still is spooled).
limited() { (trap '' XFSZ; ulimit -f 128; "$@"); }
run limited "$CKPT" show "$ZST"
check "show (container: model only) spools no pages: exit 0 (got $rc)" \
  test "$rc" = 0
check "show printed its line" has out "ckpt-fixture"
run limited "$CKPT" inspect --format json "$ZST"
check "inspect --format json spools no pages: exit 0 (got $rc)" test "$rc" = 0
run limited "$CKPT" run memory "$ZST"
check "run memory (reads memory) spools: exit 1 (got $rc)" test "$rc" = 1
check "the spool error names the member" \
  has err "member checkpoint/pages-2.img: writing the temporary file"

# custody: the sha256 JSON prints is sha256sum's, computed when shown
want=$(sha256sum "$ZST" | cut -d' ' -f1)
run "$CKPT" inspect --format json "$ZST"
check "inspect --format json: the zstd file's sha256" has out "$want"
run "$CKPT" --format json show "$ZST"
check "show --format json: the zstd file's sha256" has out "$want"
want=$(sha256sum "$FX/podman-none.tar" | cut -d' ' -f1)
run "$CKPT" --format json run container "$FX/podman-none.tar"
check "run container --format json: the plain tar's sha256" has out "$want"
want=$(sha256sum "$FX/podman-gzip.tar.gz" | cut -d' ' -f1)
run "$CKPT" --format jsonl run pstree "$FX/podman-gzip.tar.gz"
check "run pstree --format jsonl: the gzip file's sha256" has out "$want"

# a plugin with reads 0 (CKPT_PLUGIN_DEFINE) reads everything
run "$CKPT" --plugin-path "$TP" --format json run tp-source "$ZST"
check "tp-source (reads 0) got a memory block of a zstd archive" \
  python3 -c "import json; d=json.load(open('$TMP/out'))
t=d['checkpoints'][0]['plugins']['tp-source']['tables']['echo']
assert t[0]['sized'] is True, t"

# a plugin declaring CKPT_READS_MODEL that reads memory: warned, not fooled
run "$CKPT" --plugin-path "$TP" run tp-modelonly "$ZST"
check "tp-modelonly reading undeclared memory: warned" \
  has err "no plugin of the chain declares CKPT_READS_MEMORY"
run "$CKPT" --plugin-path "$TP" --isolate run tp-modelonly "$ZST"
check "under --isolate the child's warning reaches the parent" \
  has err "no plugin of the chain declares CKPT_READS_MEMORY"
run "$CKPT" --plugin-path "$TP" --isolate run tp-modelonly,tp-modelonly "$ZST"
check "two isolated runs: the warning said once" \
  sh -c "test \$(grep -c CKPT_READS_MEMORY '$TMP/err') = 1"
run "$CKPT" --plugin-path "$TP" run tp-modelonly,memory "$ZST"
check "with memory in the chain, no warning" \
  sh -c "! grep -q CKPT_READS_MEMORY '$TMP/err'"
exit $failed

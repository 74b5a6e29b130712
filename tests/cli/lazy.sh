#!/bin/sh
# lazy.sh - opening reads only what the chain and the output need (issue
# 19), speaking TAP: a chain that reads no memory spools no page data, a
# plugin that reads memory without declaring it is warned about, the same
# for the rootfs diff (CKPT_READS_ROOTFS; a 3.7 plugin's model reads still
# include it), a plugin
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
echo "1..24"

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

# the rootfs diff (CKPT_READS_ROOTFS, SDK 3.8): the fixture again with a
# rootfs-diff.tar of 300 KiB (one more file of pseudo-random bytes), which
# the 64 KiB limit shows spooled or not
BIG=$TMP/bigdiff.tar.zst
python3 - "$ZST" "$BIG" <<'PY'
import io, random, subprocess, sys, tarfile
raw = subprocess.run(["zstd", "-dc", sys.argv[1]], check=True,
                     capture_output=True).stdout
src = tarfile.open(fileobj=io.BytesIO(raw))
out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as dst:
    for m in src.getmembers():
        data = src.extractfile(m).read() if m.isfile() else None
        if m.name == "rootfs-diff.tar":
            inner = tarfile.open(fileobj=io.BytesIO(data))
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as t:
                for im in inner.getmembers():
                    t.addfile(im, inner.extractfile(im) if im.isfile() else None)
                blob = random.Random(7).randbytes(300 << 10)
                ti = tarfile.TarInfo("data/big.bin")
                ti.size = len(blob)
                t.addfile(ti, io.BytesIO(blob))
            data = buf.getvalue()
            m.size = len(data)
        dst.addfile(m, io.BytesIO(data) if data is not None else None)
subprocess.run(["zstd", "-q", "-3", "-f", "-o", sys.argv[2]], check=True,
               input=out.getvalue())
PY
run limited "$CKPT" show "$BIG"
check "show spools neither pages nor the 300 KiB rootfs diff: exit 0 (got $rc)" \
  test "$rc" = 0
run limited "$CKPT" inspect "$BIG"
check "inspect spools no rootfs diff: exit 0 (got $rc)" test "$rc" = 0
check "inspect still shows the diff's size" has out "Root FS diff size"
run limited "$CKPT" run rootfs "$BIG"
check "run rootfs (declares the diff) spools it: exit 1 (got $rc)" \
  test "$rc" = 1
check "the spool error names rootfs-diff.tar" has err "rootfs-diff.tar"
run "$CKPT" run rootfs "$BIG"
check "run rootfs lists the big file" has out "data/big.bin"
run "$CKPT" --plugin-path "$TP" --format json run tp-modelonly "$BIG"
check "a 3.8 plugin declaring only the model that walks the diff: warned" \
  has err "no plugin of the chain declares CKPT_READS_ROOTFS"
check "and its walk says why it stopped, with no file" \
  python3 -c "import json; d=json.load(open('$TMP/out'))
r=d['checkpoints'][0]['plugins']['tp-modelonly']['tables']['memory'][0]
assert r['rootfs_files'] == 0 and 'CKPT_READS_ROOTFS' in r['rootfs_error'], r"
run "$CKPT" --plugin-path "$TP" --format json run tp-model37 "$BIG"
check "a 3.7 plugin's CKPT_READS_MODEL still gets the whole diff (6 files)" \
  python3 -c "import json; d=json.load(open('$TMP/out'))
r=d['checkpoints'][0]['plugins']['tp-model37']['tables']['diff'][0]
assert r['rootfs_files'] == 6 and r['rootfs_error'] is None, r"
run "$CKPT" --plugin-path "$TP" run tp-modelonly,rootfs "$BIG"
check "with rootfs in the chain, no warning" \
  sh -c "! grep -q CKPT_READS_ROOTFS '$TMP/err'"

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

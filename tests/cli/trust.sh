#!/bin/sh
# Evidence you can trust (issue 13): loader warnings seen on stderr by
# default and silenced by -q; every error naming the archive and the
# member, for a corrupt image in a tar, in a zstd tar and in a directory;
# output details (ASCII trees without a UTF-8 locale or with --ascii,
# table columns aligned by display width, show's file column, the
# hexdump's backslash). Inputs are crafted from podman-none.tar.
# TAP; env from tests/meson.build.
set -u
TAP_NAME=trust
. "$(dirname "$0")/tap.sh"
A=$FX/podman-none.tar

# craft.py OUT RULE: podman-none.tar with one member changed
cat > "$T/craft.py" <<'PY'
import io, sys, tarfile
src, out, rule = sys.argv[1:4]
def change(name, data):
    base = name.rsplit("/", 1)[-1]
    if rule == "spec-not-json" and base == "spec.dump":
        return b"this is { not json"
    if rule == "core-corrupt" and base == "core-1.img":
        return data[:12] + b"\xff" * 16 + data[28:]
    if rule == "nul-name" and base == "config.dump":
        return data.replace(b'"ckpt-fixture"', b'"ckpt\\u0000fixture"', 1)
    if rule == "no-mm" and base == "mm-1.img":
        return None
    return data
with tarfile.open(src) as t, tarfile.open(out, "w") as o:
    for m in t.getmembers():
        if not m.isfile():
            o.addfile(m)
            continue
        d = change(m.name, t.extractfile(m).read())
        if d is None:
            continue
        m.size = len(d)
        o.addfile(m, io.BytesIO(d))
PY
craft() { python3 "$T/craft.py" "$A" "$T/$1.tar" "$1"; }
for r in spec-not-json core-corrupt nul-name no-mm; do craft $r; done

# ---- warnings: seen by default, -q silences them, JSON keeps them --------
"$CKPT" show "$T/spec-not-json.tar" > /dev/null 2> "$T/w.err"; rc=$?
check "spec.dump not JSON: exit 0, a warning naming archive and member" sh -c \
  "test $rc -eq 0 && grep -q 'spec-not-json.tar: warning: spec.dump: not valid JSON' '$T/w.err'"
"$CKPT" -q show "$T/spec-not-json.tar" > /dev/null 2> "$T/q.err"; rc=$?
check "-q: no warning on stderr" sh -c "test $rc -eq 0 && ! test -s '$T/q.err'"
"$CKPT" --quiet --format json show "$T/spec-not-json.tar" > "$T/q.json" 2> "$T/q.err"
check "--quiet: the warning is still in JSON" python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["checkpoints"][0]["warnings"]
assert any("spec.dump: not valid JSON" in x for x in w), w
' "$T/q.json"
"$CKPT" inspect "$T/no-mm.tar" > /dev/null 2> "$T/mm.err"
check "a missing image: a warning naming it" \
  grep -q "no-mm.tar: warning: mm-1.img: missing" "$T/mm.err"
"$CKPT" show "$T/nul-name.tar" > /dev/null 2> "$T/nul.err"
check "a NUL in a JSON string: reported, not silently cut" \
  grep -q 'nul-name.tar: warning: config.dump: name holds a NUL' "$T/nul.err"
"$CKPT" yara "$T/no-mm.tar" > /dev/null 2> "$T/y.err"
check "yara shows loader warnings too" \
  grep -q "no-mm.tar: warning: mm-1.img: missing" "$T/y.err"
"$CKPT" -q yara "$T/no-mm.tar" > /dev/null 2> "$T/y.err"
check "yara -q: none" sh -c "! grep -q warning '$T/y.err'"

# ---- errors name the archive and the member -------------------------------
"$CKPT" show "$T/core-corrupt.tar" > /dev/null 2> "$T/e.err"; rc=$?
check "corrupt image in a tar: exit 1, archive and member named" sh -c \
  "test $rc -eq 1 && grep -q '^ckpt: $T/core-corrupt.tar: core-1.img: entry at offset [0-9]* is not a valid CoreEntry' '$T/e.err'"
if command -v zstd > /dev/null; then
  zstd -q "$T/core-corrupt.tar" -o "$T/core-corrupt.tar.zst"
  "$CKPT" inspect "$T/core-corrupt.tar.zst" > /dev/null 2> "$T/e.err"; rc=$?
  check "corrupt image in a zstd tar: exit 1, archive and member named" sh -c \
    "test $rc -eq 1 && grep -q 'core-corrupt.tar.zst: core-1.img: entry at offset' '$T/e.err'"
else
  ok "# SKIP zstd is not installed"
fi
mkdir "$T/dir"
tar -xf "$T/core-corrupt.tar" -C "$T/dir" checkpoint
"$CKPT" memparse --pid 1 --search X "$T/dir/checkpoint" > /dev/null 2> "$T/e.err"; rc=$?
check "corrupt image in a directory: exit 2 (search), directory and member named" sh -c \
  "test $rc -eq 2 && grep -q 'dir/checkpoint: core-1.img: entry at offset' '$T/e.err'"
head -c 200000 "$A" > "$T/cut.tar"
"$CKPT" secrets "$T/cut.tar" > /dev/null 2> "$T/e.err"; rc=$?
check "a truncated tar: exit 2, archive and member named" sh -c \
  "test $rc -eq 2 && grep -q 'cut.tar: reading member checkpoint/[a-z0-9-]*.img: ' '$T/e.err'"

echo "1..$n"

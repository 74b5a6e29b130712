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
    if rule == "wide-name" and base == "config.dump":
        return data.replace(b'"ckpt-fixture"',
                            "\"w\u00f6rk-\u65e5\u672c-\U0001f642\"".encode(), 1)
    if rule == "bad-rootfs" and name == "rootfs-diff.tar":
        return data[:148] + b"XXXXXXXX" + data[156:]  # header checksum
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
for r in spec-not-json core-corrupt nul-name no-mm wide-name bad-rootfs; do
  craft $r
done

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

"$CKPT" rootfs "$T/bad-rootfs.tar" > /dev/null 2> "$T/r.err"
check "an unreadable rootfs-diff.tar: rootfs says so on stderr" \
  grep -q "bad-rootfs.tar: warning: rootfs-diff.tar: cannot open" "$T/r.err"
"$CKPT" -q diff "$A" "$FX/real-redis.tar" > /dev/null 2> "$T/dq.err"; rc=$?
check "-q also silences plugins' warnings (diff of two containers)" sh -c \
  "test $rc -eq 1 && ! test -s '$T/dq.err'"

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

# ---- files written: never over an existing one without --force ------------
printf 'keep\n' > "$T/exists.txt"
"$CKPT" memparse --pid 1 --output "$T/exists.txt" "$A" > /dev/null 2> "$T/o.err"; rc=$?
check "--output over an existing file: refused, exit 1, file kept" sh -c \
  "test $rc -eq 1 && grep -q 'exists.txt: File exists (--force replaces it)' '$T/o.err' && test \"\$(cat '$T/exists.txt')\" = keep"
"$CKPT" memparse --pid 1 --output "$T/exists.txt" --force "$A" > /dev/null 2>&1; rc=$?
check "--output --force replaces it with the hexdump" sh -c \
  "test $rc -eq 0 && grep -q '^0000000000401000  ' '$T/exists.txt'"
"$CKPT" memparse --core "$T/nopid.core" "$A" > /dev/null 2> "$T/u.err"; rc=$?
check "--core without --pid: usage error, exit 2, nothing written" sh -c \
  "test $rc -eq 2 && grep -q 'needs --pid' '$T/u.err' && test ! -e '$T/nopid.core'"

# ---- output details ----------------------------------------------------------
"$CKPT" inspect --ps-tree "$A" > "$T/utf8.txt" 2>/dev/null
check "a UTF-8 locale: box-drawn tree" grep -q '^├── ' "$T/utf8.txt"
LC_ALL=C "$CKPT" inspect --ps-tree "$A" > "$T/c.txt" 2>/dev/null
check "LC_ALL=C: the tree in ASCII, nothing else changed" sh -c \
  "grep -q '^|-- ' '$T/c.txt' && grep -q '^\`-- ' '$T/c.txt' && ! LC_ALL=C grep -q '[^ -~]' '$T/c.txt' &&
   sed -e 's/├── /|-- /g' -e 's/└── /\`-- /g' -e 's/│   /|   /g' '$T/utf8.txt' | cmp -s - '$T/c.txt'"
env -u LC_ALL -u LANG -u LC_CTYPE "$CKPT" diff "$A" "$A" > "$T/nolang.txt" 2>/dev/null
check "LANG unset: ASCII tree" sh -c "grep -q '^|-- ' '$T/nolang.txt' && grep -q '^    \`-- ' '$T/nolang.txt'"
"$CKPT" --ascii inspect --ps-tree "$A" > "$T/a.txt" 2>/dev/null
check "--ascii under a UTF-8 locale: ASCII tree" cmp -s "$T/c.txt" "$T/a.txt"

"$CKPT" show "$T/wide-name.tar" "$A" > "$T/show.txt" 2>/dev/null
check "show with several files: a FILE column naming each" python3 -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines[0].startswith("FILE "), lines
assert lines[1].startswith(sys.argv[2] + " ") and lines[2].startswith(sys.argv[3] + " "), lines
' "$T/show.txt" "$T/wide-name.tar" "$A"
check "table columns align by display width (umlaut, CJK, emoji)" python3 -c '
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert "wörk-日本-🙂" in lines[1], lines
cols = [width(l[:l.index(key)]) for l, key in
        zip(lines, ["IMAGE", "localhost/", "localhost/"])]
assert len(set(cols)) == 1, (cols, lines)
' "$T/show.txt"
"$CKPT" show "$A" > "$T/show1.txt" 2>/dev/null
check "show with one file: no FILE column (checkpointctl's table)" \
  grep -q '^CONTAINER ' "$T/show1.txt"

"$CKPT" memparse --pid 1 "$A" > "$T/hex.txt" 2>/dev/null
check "hexdump: a backslash byte is one backslash in the ASCII column" python3 -c '
import re, sys
row = re.compile(r"^0x[0-9a-f]+ +((?:[0-9a-f]{2} ){0,15}[0-9a-f]{2})  (.*)$")
seen = 0
for line in open(sys.argv[1], encoding="utf-8"):
    m = row.match(line.rstrip("\n"))
    if not m:
        continue
    n = m.group(1).split().count("5c")
    assert m.group(2).count("\\") == n, line
    seen += n
assert seen > 0, "no backslash byte in the dump"
' "$T/hex.txt"

echo "1..$n"

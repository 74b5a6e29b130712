#!/bin/sh
# test-sdk.sh - the SDK as a third party sees it, speaking TAP: install
# ckpt into a temporary prefix, build sdk/skeleton out of tree with only
# `pkg-config ckpt-plugin`, run it in a chain with --plugin-path.
set -u
CKPT=${CKPT:?} FX=${CKPT_FIXTURES:?} SRC=${CKPT_SOURCE_ROOT:?} BUILD=${CKPT_BUILD_ROOT:?}
# under the build tree, not /tmp: as root, ckpt refuses plugins found below
# a directory others may write (a sticky /tmp included)
TMP=$(mktemp -d "$BUILD/ckpt-sdk-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }

DEST=$TMP/dest
meson install -C "$BUILD" --destdir "$DEST" --no-rebuild >"$TMP/install.log" 2>&1
check "meson install --destdir" test $? = 0
PREFIX=$(meson introspect "$BUILD" --buildoptions | python3 -c "
import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name']=='prefix'][0])")
PC=$(find "$DEST" -name ckpt-plugin.pc | head -1)
check "ckpt-plugin.pc installed" test -n "$PC"
check "pc file's plugindir is under the prefix" sh -c \
  "PKG_CONFIG_PATH='$(dirname "$PC")' pkg-config --variable=plugindir ckpt-plugin |
   grep -qx '$PREFIX/.*ckpt/plugins'"
# the staged tree is a prefix of its own: relocate the pc file into it
mkdir -p "$TMP/pc"
sed "s|^prefix=.*|prefix=$DEST$PREFIX|" "$PC" >"$TMP/pc/ckpt-plugin.pc"
export PKG_CONFIG_PATH=$TMP/pc
PLUGINDIR=$(pkg-config --variable=plugindir ckpt-plugin)
check "installed plugin directory holds the built-ins" test -f "$PLUGINDIR/container.so"
# each built-in shared object exports its descriptor and nothing else
# (hidden visibility; the list plugin included)
exports_only_descriptor() {
  for so in "$PLUGINDIR"/*.so; do
    syms=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^_' | tr '\n' ' ')
    [ "$syms" = "ckpt_plugin_descriptor " ] || { echo "$so: $syms"; return 1; }
  done
  test -f "$PLUGINDIR/list.so"
}
check "every installed built-in exports only ckpt_plugin_descriptor" exports_only_descriptor
CFLAGS_PC=$(pkg-config --cflags ckpt-plugin)
check "header found through the pc file" test -f "$(echo "$CFLAGS_PC" | sed 's/^-I//; s/ *$//')/ckpt/plugin.h"

# ckpt/zeropad.h, installed for plugins that scan: self-contained and
# clean under -Wall -Wextra -Werror with only the pc file's flags
printf '#include <ckpt/zeropad.h>\nint zp(CkptZeroPad *z, const CkptMemBlock *b) {\n  size_t f, t;\n  return ckpt_zeropad_next(z, b, &f, &t);\n}\n' >"$TMP/zp.c"
# shellcheck disable=SC2086
check "ckpt/zeropad.h installed and builds alone with -Wall -Wextra -Werror" \
  ${CC:-cc} $CFLAGS_PC -Wall -Wextra -Werror -c "$TMP/zp.c" -o "$TMP/zp.o"

hdr_major=$(sed -n 's/^#define CKPT_ABI_MAJOR \([0-9]*\).*/\1/p' "$SRC/sdk/ckpt/plugin.h")
hdr_minor=$(sed -n 's/^#define CKPT_ABI_MINOR \([0-9]*\).*/\1/p' "$SRC/sdk/ckpt/plugin.h")
check "pc file's abi_major is the header's ($hdr_major)" \
  test "$(pkg-config --variable=abi_major ckpt-plugin)" = "$hdr_major"
check "pc file's abi_minor is the header's ($hdr_minor)" \
  test "$(pkg-config --variable=abi_minor ckpt-plugin)" = "$hdr_minor"

cp -r "$SRC/sdk/skeleton" "$TMP/skeleton"
make -C "$TMP/skeleton" CFLAGS="-O2 -Wall -Wextra -Werror" >"$TMP/make.log" 2>&1
check "skeleton builds out of tree with make, -Wall -Wextra -Werror" test -f "$TMP/skeleton/skeleton.so"
if [ ! -f "$TMP/skeleton/skeleton.so" ]; then sed 's/^/# /' "$TMP/make.log"; fi
ok_meson=1
(cd "$TMP/skeleton" && meson setup "$TMP/skb" >"$TMP/meson.log" 2>&1 &&
  ninja -C "$TMP/skb" >>"$TMP/meson.log" 2>&1) || ok_meson=0
check "skeleton builds out of tree with meson" test "$ok_meson" = 1
check "skeleton exports only the descriptor" sh -c \
  "nm -D --defined-only '$TMP/skeleton/skeleton.so' | grep -q ckpt_plugin_descriptor &&
   ! nm -D --defined-only '$TMP/skeleton/skeleton.so' | grep -q skeleton_run"

mkdir -p "$TMP/plugins" && cp "$TMP/skeleton/skeleton.so" "$TMP/plugins/"
"$CKPT" run --plugin-path "$TMP/plugins" container,skeleton "$FX/podman-none.tar" \
  --format json >"$TMP/out" 2>"$TMP/err"
check "skeleton runs in a chain: exit 0" test $? = 0
check "skeleton's rows in the JSON" python3 -c "
import json
d=json.load(open('$TMP/out'))
rows=d['checkpoints'][0]['plugins']['skeleton']['tables']['processes']
assert len(rows) >= 1 and rows[0]['pid'] == 1 and rows[0]['fds'] > 0, rows"
"$CKPT" run --plugin-path "$TMP/plugins" skeleton "$FX/podman-none.tar" \
  --set skeleton.min-fds=100000 --format json >"$TMP/out" 2>"$TMP/err"
check "skeleton option via --set" python3 -c "
import json
d=json.load(open('$TMP/out'))
assert d['checkpoints'][0]['plugins']['skeleton']['tables']['processes'] == []"

echo "1..$n"
exit $failed

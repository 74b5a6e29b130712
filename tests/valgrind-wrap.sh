#!/bin/sh
# valgrind-wrap.sh CMD ARGS... - meson test's --wrap for valgrind.sh.
# An ELF test binary runs under valgrind. A script test runs as it is, but
# with $CKPT pointing at a shim that runs the real ckpt under valgrind, so
# every ckpt the CLI tests start is checked (children too: valgrind
# follows fork, which --isolate uses).
set -eu
vg="valgrind ${CKPT_VALGRIND_OPTS:---error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --show-leak-kinds=definite \
--child-silent-after-fork=no -q}"
if head -c 4 "$1" 2>/dev/null | grep -q 'ELF'; then
  exec $vg "$@"
fi
if [ -n "${CKPT:-}" ] && [ -x "$CKPT" ]; then
  shim=$(mktemp "${TMPDIR:-/tmp}/ckpt-vg-XXXXXX")
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$vg" "$CKPT" >"$shim"
  chmod +x "$shim"
  CKPT=$shim
  export CKPT
  # removed when the test ends; the script may still be running the shim
  # in a background job only if it leaks one, which the test would catch
  trap 'rm -f "$shim"' EXIT
  "$@"
  exit $?
fi
exec "$@"

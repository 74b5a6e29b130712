# tap.sh - what the CLI drivers share, sourced once TAP_NAME is set: the
# fixtures ($FX), the ckpt executable ($CKPT), a temporary directory ($T)
# removed at exit, and TAP lines with their count (ok, nok, check).
# Environment from tests/meson.build; CKPT_BIN overrides the executable.
FX=${CKPT_FIXTURES:?}
CKPT=${CKPT_BIN:-${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-${TAP_NAME:?}-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds, else its output
# as TAP comments
check() {
  d=$1
  shift
  if "$@" >"$T/out.check" 2>&1; then
    ok "$d"
  else
    nok "$d"
    sed 's/^/# /' "$T/out.check"
  fi
}

#!/bin/sh
# Builds the Debian packages (debian/) from a clean export of HEAD, the way
# a Debian 12 builder would: dpkg-buildpackage -b -us -uc, which runs the
# test suite, then lintian, which must report no error.
#   sh scripts/build-deb.sh [OUTDIR]     (default: build-deb/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-deb}
sh "$root/scripts/install-deps.sh"
pkgs=""
for p in debhelper lintian dpkg-dev fakeroot file; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    pkgs="$pkgs $p"
done
if [ -n "$pkgs" ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $pkgs >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-deb-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ckpt"
git -C "$root" archive HEAD | tar -C "$work/ckpt" -x
(cd "$work/ckpt" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
  tail -n 60 "$work/build.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed" >&2
  exit 1
}
mkdir -p "$out"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
grep -E '^ *(Ok|Fail|Expected Fail|Skipped|Timeout):' "$work/build.log" || true
changes=$(ls "$out"/ckpt_*.changes | tail -n 1)
# lintian's errors fail the build; warnings are printed
lintian --fail-on error "$changes"
for d in "$out"/*.deb; do
  echo "== $(basename "$d")"
  dpkg-deb -c "$d" | awk '{print $6}' | grep -v '/$'
done

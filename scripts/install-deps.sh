#!/bin/sh
# Installs the Debian packages ckpt needs to build, test and benchmark.
# Idempotent; needs root (apt-get). Package names only, from Debian 12.
set -eu
# chromium: tests/cli/report.py loads `ckpt report` pages in a real browser
# ripgrep: the peer tool of bench/search-rg.sh
PKGS="build-essential meson ninja-build pkg-config protobuf-c-compiler
libprotobuf-c-dev libarchive-dev libssl-dev libglib2.0-dev libjson-glib-dev libyara-dev
yara libpcre2-dev zlib1g-dev libzstd-dev zstd gzip python3 gdb clang
clang-format libclang-rt-14-dev valgrind tar util-linux
groff man-db mandoc bsdextrautils bash-completion zsh fish chromium ripgrep"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

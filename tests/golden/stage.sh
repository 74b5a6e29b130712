#!/bin/sh
# Copies tests/fixtures to DEST for the golden cases, with criu-dir's files
# set to the time the fixture was dumped (2026-11-26T21:06:33Z), so that a
# fresh clone gives the outputs kept in out/.
# usage: stage.sh FIXTURES DEST
set -eu
cp -a "$1/." "$2/"
find "$2/criu-dir" -exec touch -h -d '2026-11-26 21:06:33 UTC' {} +

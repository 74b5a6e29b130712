#!/bin/sh
# The real-program fixtures (tests/fixtures/make-real.sh, and the real
# containerd one of make-containerd.sh) are sound: each
# opens with today's ckpt (`ckpt show` exits 0) and its process tree has the
# processes the workload left running, and every pid that
# ready-real-attack.txt names is one of them. Catches a broken, truncated or
# mismatched fixture before the analysis tests that use it do. TAP.
TAP_NAME=real-fixtures
. "$(dirname "$0")/tap.sh"

# pids PSTREE-JSON: every pid of the tree, one a line
pids() {
  python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))[\"checkpoints\"][0]
def walk(ps):
    for p in ps:
        print(p[\"pid\"])
        walk(p.get(\"children\", []))
walk(c[\"plugins\"][\"pstree\"][\"tables\"][\"processes\"])
" "$1"
}

# FIXTURE:PROCESSES (every pid of the container, children included)
set -- real-nginx.tar:3 real-redis.tar:1 real-sshd.tar:1 real-hidden.tar:2 real-attack.tar:11 real-python.tar:1 containerd-real.tar:3

echo "1..$(($# * 2 + 1))"
for x in "$@"; do
  f=${x%%:*}
  want=${x##*:}
  check "$f opens (ckpt show exits 0)" "$CKPT" show "$FX/$f"
  check "$f holds $want processes (ckpt run pstree)" sh -c '
    "$1" run pstree "$2" --format json > "$3" || exit 1
    python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
c = d[\"checkpoints\"][0]
assert c[\"status\"] == \"ok\", c[\"status\"]
def count(ps):
    return sum(1 + count(p.get(\"children\", [])) for p in ps)
n = count(c[\"plugins\"][\"pstree\"][\"tables\"][\"processes\"])
assert n == int(sys.argv[2]), \"%d processes, want %s\" % (n, sys.argv[2])
" "$3" "$4"' sh "$CKPT" "$FX/$f" "$T/pstree.json" "$want"
done

"$CKPT" run pstree "$FX/real-attack.tar" --format json > "$T/attack.json"
pids "$T/attack.json" | sort > "$T/attack.pids"
check "every pid of ready-real-attack.txt is in real-attack.tar" sh -c '
  [ -s "$1" ] || { echo "no pids in the tree"; exit 1; }
  awk "{ print \$2 }" "$2" | sort -u | while read -r p; do
    grep -qx "$p" "$1" || { echo "pid $p not in the tree"; exit 1; }
  done' sh "$T/attack.pids" "$FX/ready-real-attack.txt"

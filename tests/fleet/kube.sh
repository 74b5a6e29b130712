#!/bin/sh
# kube.sh - the image and the Kubernetes manifests, for real, in the lab
# (/var/tmp/ckpt-rig, /work/shared/rig/README.md): build a Debian bookworm
# base from a debootstrap'ed root and `podman import` (no registry), build
# the Containerfile unchanged on it, `podman kube play` the DaemonSet
# against a host directory of real checkpoints, drop a new one in and
# find its findings in `podman logs`; play the Indexed Job as its two
# shards and check their union is the whole sweep. Skips (TAP) without
# the lab. Run it as root on the lab's host (docs/fleet.md):
#
#   sh tests/fleet/kube.sh
#   CKPT_LAB_TESTS=1 meson test -C build fleet-kube   (skipped without it)
#
# The manifests are played as committed but for what only a cluster has:
# the hostPath of the node's checkpoints points at the test's directory,
# the Job's claim is a hostPath of the fixtures, and the two shards are
# played as two pods with JOB_COMPLETION_INDEX set (podman kube play runs
# a Job's pod once, without indexes), and the node name, which podman
# cannot give (fieldPath spec.nodeName), is a fixed "lab-node". The lab
# has only the hugetlb cgroup controller, so resource limits cannot be
# applied there: they are removed before playing (CKPT_KUBE_KEEP_LIMITS=1
# keeps them).
SRC=$(cd "$(dirname "$0")/../.." && pwd)
RIG=${CKPT_RIG:-/var/tmp/ckpt-rig}
FX=$SRC/tests/fixtures
n=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; }
skip() { echo "1..0 # SKIP $1"; exit 0; }

# in meson test only when asked: it takes minutes and the shared lab
[ -n "${CKPT_FROM_MESON:-}" ] && [ "${CKPT_LAB_TESTS:-0}" != 1 ] &&
  skip "lab test: CKPT_LAB_TESTS=1 meson test -C build fleet-kube, or sh tests/fleet/kube.sh"
BASE=localhost/debian:bookworm
if [ "${1:-}" = --inside ]; then
  # in the lab, from the host's run below: $W is the lab's copy
  W=$2
  LW=$2
  n=$3
  SRC=$W/src
  FX=$SRC/tests/fixtures
  L() { "$@"; }
  trap 'for y in "$W"/*.yaml; do podman kube down "$y" >/dev/null 2>&1; done' EXIT
else
[ -x "$RIG/enter" ] || skip "no lab at $RIG (see /work/shared/rig/README.md)"
[ "$(id -u)" -eq 0 ] || skip "needs root (the lab and debootstrap)"
"$RIG/enter" podman --version >/dev/null 2>&1 || skip "no podman in the lab"
for f in real-attack.tar real-sshd.tar podman-none.tar; do
  [ -f "$FX/$f" ] || skip "fixture $f missing"
done

# inside the lab, $RIG/work is /work
W=$RIG/work/fleet-kube.$$
LW=/work/fleet-kube.$$
CACHE=$RIG/work/fleet-cache
mkdir -p "$W" "$CACHE"
L() { "$RIG/enter" "$@"; }
trap 'rm -rf "$W"' EXIT

# ---- the base image: debootstrap, then podman import -------------------
if ! L podman image exists "$BASE"; then
  if [ ! -f "$CACHE/bookworm.tar" ]; then
    command -v debootstrap >/dev/null ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap \
        >/dev/null 2>&1
    command -v debootstrap >/dev/null || skip "no debootstrap"
    # the mirror apt uses here (deb.debian.org): the same sources
    rm -rf "$CACHE/rootfs"
    if ! debootstrap --variant=minbase bookworm "$CACHE/rootfs" \
      http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1; then
      skip "debootstrap cannot reach Debian (see $CACHE/debootstrap.log)"
    fi
    # the image's apt reads the same sources as this machine
    printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
      >"$CACHE/rootfs/etc/apt/sources.list"
    rm -rf "$CACHE/rootfs/var/cache/apt/archives/"*.deb
    tar -C "$CACHE/rootfs" --numeric-owner -cf "$CACHE/bookworm.tar.new" . &&
      mv "$CACHE/bookworm.tar.new" "$CACHE/bookworm.tar"
    rm -rf "$CACHE/rootfs"
  fi
  L podman import --change 'CMD ["/bin/bash"]' /work/fleet-cache/bookworm.tar \
    "$BASE" >/dev/null
fi
L podman image exists "$BASE" && ok "base image $BASE from debootstrap + podman import" ||
  { nok "base image"; echo "1..$n"; exit 1; }

mkdir -p "$W/src"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 tar -cf - 2>/dev/null) | tar -C "$W/src" -xf -
# the rest in one lab session: each `enter` has a fresh /run, and the
# pods played must outlive the commands that look at them
L sh "$LW/src/tests/fleet/kube.sh" --inside "$LW" "$n"
exit $?
fi

# ---- the Containerfile, unchanged ----------------------------------------
# the lab lacks CAP_SYS_RESOURCE: buildah's default open-files and
# process limits (above the lab's hard limits) cannot be set, so the
# lab's own are passed
hard() { L awk -v w="$1" '$0 ~ "^Max "w {print $(NF-1)}' /proc/self/limits; }
nofile=$(hard "open files")
nproc=$(hard "processes")
if L podman build --quiet --ulimit "nofile=$nofile:$nofile" \
  --ulimit "nproc=$nproc:$nproc" \
  --build-arg BASE="$BASE" -t localhost/ckpt:dev \
  -f "$LW/src/Containerfile" "$LW/src" >"$W/build.log" 2>&1; then
  ok "podman build of the Containerfile"
else
  nok "podman build of the Containerfile"
  tail -20 "$W/build.log" | sed 's/^/# /'
  echo "1..$n"
  exit 1
fi
size=$(L podman image inspect --format '{{.Size}}' localhost/ckpt:dev)
echo "# image size: $((size / 1048576)) MiB"
user=$(L podman image inspect --format '{{.Config.User}}' localhost/ckpt:dev)
[ "$user" = "10001:10001" ] && ok "image runs as a non-root user" ||
  nok "image user is '$user'"
L podman run --rm --network none localhost/ckpt:dev plugins 2>&1 |
  grep -q triage && ok "image ships the plugins" || nok "image ships the plugins"

# manifests for the lab: paths only (see the header)
lab_yaml() { # SRC DEST: copy a manifest, with the lab's substitutions
  sed -e "s|path: /var/lib/kubelet/checkpoints|path: $LW/node/checkpoints|" \
    -e "s|path: /var/lib/ckpt-watch|path: $LW/node/state|" \
    -e 's|^              valueFrom:|              value: lab-node|' \
    -e '/^                fieldRef:/d' -e '/^                  fieldPath: spec.nodeName/d' "$1" |
    if [ "${CKPT_KUBE_KEEP_LIMITS:-0}" = 1 ]; then cat; else
      awk '/^          resources:/ {skip=1; next}
           skip && /^          [a-z]/ {skip=0}
           !skip'
    fi >"$2"
}

# ---- the DaemonSet over a host directory of real checkpoints -----------
mkdir -p "$W/node/checkpoints" "$W/node/state"
cp "$FX/real-sshd.tar" "$W/node/checkpoints/checkpoint-sshd_default-sshd-2026-12-01T10:00:00Z.tar"
cp "$FX/podman-none.tar" "$W/node/checkpoints/checkpoint-app_default-app-2026-12-01T11:00:00Z.tar"
chmod 600 "$W/node/checkpoints"/*.tar # the kubelet's mode
lab_yaml "$SRC/deploy/kubernetes/daemonset.yaml" "$W/daemonset.yaml"
if L podman kube play "$LW/daemonset.yaml" >"$W/play.log" 2>&1; then
  ok "podman kube play daemonset.yaml"
else
  nok "podman kube play daemonset.yaml"
  sed 's/^/# /' "$W/play.log"
fi
ctr=$(L podman ps -a --format '{{.Names}}' | grep '^ckpt-watch-pod-ckpt$' | head -1)
[ -n "$ctr" ] || ctr=$(L podman ps -a --format '{{.Names}}' | grep 'ckpt-watch.*ckpt' | head -1)
logs() { L podman logs "$ctr" 2>/dev/null; }
wait_logs() { # PATTERN COUNT
  i=0
  while [ "$(logs | grep -c "$1")" -lt "$2" ] && [ $i -lt 300 ]; do
    sleep 0.2
    i=$((i+1))
  done
  [ "$(logs | grep -c "$1")" -ge "$2" ]
}
wait_logs '"type":"summary"' 2 && ok "DaemonSet triaged the 2 present" ||
  { nok "DaemonSet triaged the 2 present"; logs | tail -5 | sed 's/^/# /'; }
# a new checkpoint, written the kubelet's way (in place, mode 0600)
new=checkpoint-web_prod-attack-2026-12-01T12:00:00Z.tar
(umask 077 && cp "$FX/real-attack.tar" "$W/node/checkpoints/$new")
wait_logs "\"type\":\"summary\".*$new" 1 &&
  ok "the new checkpoint's summary in podman logs" ||
  nok "the new checkpoint's summary in podman logs"
logs | grep "\"type\":\"summary\"" | grep "$new" | grep -q '"verdict":"compromised"' &&
  ok "its verdict: compromised" || nok "its verdict: compromised"
for id in reverse-shell memfd-exe ld-so-preload miner; do
  logs | grep '"type":"finding"' | grep "$new" | grep -q "\"id\":\"$id\"" &&
    ok "finding $id in the log" || nok "finding $id in the log"
done
logs | grep '"type":"summary"' | grep -c . | grep -qx 3 &&
  ok "each reported once" || nok "each reported once"
[ -s "$W/node/state/state" ] && ok "state written on the host path" ||
  nok "state written on the host path"
L podman kube down "$LW/daemonset.yaml" >/dev/null 2>&1
rm -f "$W/daemonset.yaml"

# ---- the Indexed Job, as its two shards ----------------------------------
mkdir -p "$W/archives"
for f in real-attack.tar real-sshd.tar podman-none.tar podman-zstd.tar.zst \
  podman-gzip.tar.gz real-hidden.tar; do
  cp "$FX/$f" "$W/archives/"
done
for i in 0 1; do
  lab_yaml "$SRC/deploy/kubernetes/job-sweep.yaml" "$W/job.tmp"
  sed -e "s|name: ckpt-sweep$|name: ckpt-sweep-$i|" \
    -e "s|^            - name: SHARDS|            - name: JOB_COMPLETION_INDEX\n              value: \"$i\"\n            - name: SHARDS|" \
    -e "s|          persistentVolumeClaim:|          hostPath:\n            path: $LW/archives|" \
    -e '/claimName: ckpt-archives/d' \
    -e '/^            readOnly: true$/d' "$W/job.tmp" >"$W/job-$i.yaml"
  rm -f "$W/job.tmp"
done
: >"$W/union"
for i in 0 1; do
  L podman kube play "$LW/job-$i.yaml" >"$W/play-$i.log" 2>&1 ||
    sed 's/^/# /' "$W/play-$i.log"
  c=$(L podman ps -a --format '{{.Names}}' | grep "ckpt-sweep-$i.*ckpt" | head -1)
  L podman wait "$c" >/dev/null 2>&1
  rc=$(L podman inspect --format '{{.State.ExitCode}}' "$c")
  L podman logs "$c" 2>/dev/null | grep '"table":"verdict"' |
    sed 's/.*"checkpoint":"\([^"]*\)".*/\1/' >"$W/shard-$i"
  [ "$rc" = 0 ] && ok "shard $i: exit 0, $(wc -l <"$W/shard-$i") checkpoints" ||
    nok "shard $i: exit $rc"
  cat "$W/shard-$i" >>"$W/union"
done
L podman run --rm --network none -v "$LW/archives:/archives:ro" \
  localhost/ckpt:dev --format jsonl triage /archives 2>/dev/null |
  grep '"table":"verdict"' | sed 's/.*"checkpoint":"\([^"]*\)".*/\1/' |
  sort >"$W/all"
sort "$W/union" >"$W/union.s"
[ "$(wc -l <"$W/all")" -eq 6 ] && cmp -s "$W/all" "$W/union.s" &&
  [ -z "$(uniq -d "$W/union.s")" ] &&
  ok "the two shards' union is the sweep of 6, none twice" ||
  { nok "the two shards' union is the sweep";
    diff "$W/all" "$W/union.s" | sed 's/^/# /'; }
[ -s "$W/shard-0" ] && [ -s "$W/shard-1" ] && ok "both shards had work" ||
  nok "both shards had work"

echo "1..$n"

#!/bin/sh
# The redaction of memparse's search hits and hexdump rows, and of yara's
# memory hits (CKPT_SHOWS_MEMORY_IN_WINDOWS: no scan of all memory in the
# pass), by windows
# (secretset.h, CkptApi.emit_window): the rows are exactly those of the
# full scan
# of memory (CKPT_REDACT_WINDOWS=0, the policy as it was, and a chain
# whose memory pass scans everything anyway), on real fixtures with
# secrets next to the hits and cut by the context's edges; the search
# scans only the windows (--verbose), and its output is redacted (it
# differs from --reveal's where a secret shows).
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_BUILD_ROOT).
set -u
TAP_NAME=redact-window
. "$(dirname "$0")/tap.sh"

# hits FILE: the rows (search hits, hexdump rows)
hits() { grep '"type":"row"' "$1"; }

n_case=0
# case_ few|many FIXTURE ARGS...: windowed = full scan; with few rows only
# windows are scanned, with rows everywhere the windows give way to the
# full scan once they scanned as much
case_() {
  kind=$1 f=$FX/$2
  shift 2
  n_case=$((n_case + 1))
  k=$T/c$n_case
  "$CKPT" --verbose --format jsonl memparse "$@" "$f" >"$k.win" 2>"$k.err"
  CKPT_REDACT_WINDOWS=0 "$CKPT" --format jsonl memparse "$@" "$f" \
    >"$k.full" 2>/dev/null
  hits "$k.win" >"$k.win.hits"
  hits "$k.full" >"$k.full.hits"
  check "$n_case: $* ($(wc -l <"$k.win.hits") rows): the same rows as the full scan" \
    sh -c 'test -s "$1" && cmp "$1" "$2"' sh "$k.win.hits" "$k.full.hits"
  if [ "$kind" = few ]; then
    check "$n_case: only windows scanned, no full scan" \
      sh -c 'grep -q "scans of memory windows ([0-9]* bytes), in" "$1" &&
        ! grep -q "(memory scanned)" "$1"' sh "$k.err"
  else
    check "$n_case: windows, then the full scan" \
      grep -q "scans of memory windows ([0-9]* bytes), then all of memory" \
      "$k.err"
  fi
}

echo "1..42"
# pid 1's heap: SESSION_SECRET=sess_... ends 44 bytes before the marker,
# a PEM key starts 58 bytes after it, a JWT and a Slack token follow
# (tests/fixtures/README.md): context 64 cuts the first at the window's
# start and the key at its end; 1200 holds them all; 20000 reaches past
# the engine's reach back (16 KiB)
case_ few podman-none.tar --search CKPT-MARKER-HEAP --context 64
case_ few podman-none.tar --search CKPT-MARKER-HEAP --context 1200
case_ few podman-none.tar --search CKPT-MARKER-HEAP --context 20000
case_ few podman-none.tar --search-regex 'CKPT-MARKER-[A-Z]+' --context 300
case_ few podman-none.tar --search-hex 'de ad 00 be ef' --context 100
case_ few podman-none.tar --search xoxb-2718281828 --context 8
# redis's heap: the token of a SET next to the password's AUTH
case_ few real-redis.tar --search session:4711 --context 200
case_ few real-nginx.tar --search Ngx-Db --context 100 --max-hits 3
case_ few real-python.tar --search-regex '[A-Z_]{6,}=' --context 40 --max-hits 50
# hits everywhere: the windows grow into one scan of the span
case_ many real-redis.tar --search e --context 16
# hexdump rows: a range over the heap's secrets (the session secret cut
# at the range's start), and a whole process
case_ few podman-none.tar --pid 1 --range 0x34bcb790-0x34bcbc00
case_ many real-redis.tar --pid 1

# the secret cut at the window's start is masked, as the full scan does;
# --reveal shows it
k=$T/c1
check "1: the session secret cut by the window's start is masked" \
  sh -c '! grep -q 3e6a5c0f7b2d9e4a1c8f "$1" && grep -q "\"context\":\"\*\*\*\*" "$1"' \
  sh "$k.win"
"$CKPT" --reveal --format jsonl memparse --search CKPT-MARKER-HEAP \
  --context 64 "$FX/podman-none.tar" >"$T/rev" 2>/dev/null
check "1: --reveal shows it" grep -q 3e6a5c0f7b2d9e4a1c8f "$T/rev"
check "2: the Slack token and the JWT are redacted in the context" \
  sh -c 'grep -q "xoxb…(54)" "$1" && grep -q "eyJh…(456)" "$1"' sh "$T/c2.win"

# a chain whose memory pass scanned everything takes the full set: the
# same rows again
"$CKPT" --format jsonl run memory,secrets --memory.search CKPT-MARKER-HEAP \
  --memory.context 1200 "$FX/podman-none.tar" >"$T/chain" 2>/dev/null
grep '"table":"hits"' "$T/chain" | sed 's/"plugin":"memory",//' >"$T/chain.hits"
sed 's/"plugin":"memory",//' "$T/c2.win.hits" >"$T/c2.cmp"
check "a chain with secrets (memory pass) gives the same rows" \
  cmp "$T/chain.hits" "$T/c2.cmp"

# under --isolate the child redacts by windows alike
"$CKPT" --isolate --format jsonl memparse --search CKPT-MARKER-HEAP \
  --context 1200 "$FX/podman-none.tar" >"$T/iso" 2>/dev/null
hits "$T/iso" >"$T/iso.hits"
check "--isolate gives the same rows" cmp "$T/iso.hits" "$T/c2.win.hits"

# yara's hits in memory are rows of windows too (their context), its
# summary a row that shows none: the same rows as the full scan, and
# neither the memory pass nor the windows scan all of memory; with the
# rootfs diff's and kernel objects' hits (rows of emit()) the full set
# comes back
cat >"$T/marker.yar" <<'EOF'
rule heap_marker { strings: $m = "CKPT-MARKER-HEAP" condition: $m }
rule slack_prefix { strings: $x = "xoxb-" condition: $x }
rule anything { condition: true }
EOF
for args in "--no-rootfs --no-objects --context 64" \
  "--no-rootfs --no-objects --context 1200" \
  "--no-rootfs --no-objects --context 4096" "--context 300"; do
  n_case=$((n_case + 1))
  k=$T/y$n_case
  # shellcheck disable=SC2086
  "$CKPT" --verbose --format jsonl yara --no-progress --rules "$T/marker.yar" \
    $args "$FX/podman-none.tar" >"$k.win" 2>"$k.err"
  # shellcheck disable=SC2086
  CKPT_REDACT_WINDOWS=0 "$CKPT" --format jsonl yara --no-progress \
    --rules "$T/marker.yar" $args "$FX/podman-none.tar" >"$k.full" 2>/dev/null
  # the hits (the summary's seconds differ from run to run)
  grep '"table":"hits"' "$k.win" >"$k.win.hits"
  grep '"table":"hits"' "$k.full" >"$k.full.hits"
  check "$n_case: yara $args ($(wc -l <"$k.win.hits") rows): the same rows as the full scan" \
    sh -c 'test -s "$1" && cmp "$1" "$2"' sh "$k.win.hits" "$k.full.hits"
  case $args in
  --no-rootfs*)
    check "$n_case: yara $args: the pass scans no memory for secrets" \
      grep -q "memory pass: secrets engine scanned 0 bytes" "$k.err"
    check "$n_case: yara $args: only windows scanned" \
      sh -c 'grep -q "scans of memory windows ([0-9]* bytes), in" "$1" &&
        ! grep -q "(memory scanned)" "$1"' sh "$k.err" ;;
  *)
    check "$n_case: yara $args: rootfs and object rows take memory's whole set" \
      grep -q "(memory scanned)" "$k.err"
    check "$n_case: yara $args: a rootfs hit is there" \
      grep -q '"vma":"rootfs"' "$k.win" ;;
  esac
done
check "yara --context 1200: the Slack token and the JWT are redacted in the context" \
  python3 -c "import base64, json, sys
ctx = b''.join(base64.b64decode(json.loads(l)['values']['context'] or '')
               for l in open(sys.argv[1]))
assert 'xoxb…(54)'.encode() in ctx and 'eyJh…(456)'.encode() in ctx
assert b'xoxb-2718281828' not in ctx" "$T/y$((n_case - 2)).win.hits"

#!/bin/sh
# The redaction of memparse's search hits and hexdump rows by windows
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

echo "1..29"
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

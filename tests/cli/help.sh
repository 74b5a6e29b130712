#!/bin/sh
# help.sh - `ckpt help`, --help, "did you mean", --version and colour, end
# to end: every command's help names its usage and gives every flag a
# description (its own and its plugins' options), `ckpt help CMD` is
# `ckpt CMD --help`, typos of commands, flags, plugins and options get
# the nearest name, and colour appears with --color=always and on a
# terminal (a pty from script(1)), never in a pipe, nor with NO_COLOR or
# --color=never. TAP; env from tests/meson.build.
set -u
TAP_NAME=help
. "$(dirname "$0")/tap.sh"
NGINX=$FX/real-nginx.tar
ATTACK=$FX/real-attack.tar
ESC=$(printf '\033')

# the commands, from the declarations dump the man page is made from
"$CKPT" help --dump --format json >"$T/dump.json" 2>"$T/dump.err"
check "help --dump is JSON with commands, flags and notes" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["help"]["tables"]
assert len(t["commands"]) >= 13, t["commands"]
assert any(f["flag"] == "color" and f["command"] == "" for f in t["flags"])
kinds = {n["kind"] for n in t["notes"]}
assert kinds >= {"exit", "environment", "file", "limit", "chain"}, kinds
' "$T/dump.json"
cmds=$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["help"]["tables"]
print(" ".join(c["name"] for c in t["commands"]))' "$T/dump.json")

for c in $cmds; do
  "$CKPT" "$c" --help >"$T/h1" 2>&1
  rc=$?
  "$CKPT" help "$c" >"$T/h2" 2>&1
  check "$c --help exits 0" test "$rc" -eq 0
  check "ckpt help $c is ckpt $c --help" cmp "$T/h1" "$T/h2"
  check "$c --help starts with its usage" grep -q "^usage: ckpt $c" "$T/h1"
  # a flag line is "  --flag[=V]   description" or the flag alone with the
  # description on the next line, indented past it
  check "every flag of $c --help has a description" awk '
    pending && /^                          [^ ]/ { pending = 0; next }
    pending { print "no description: " prev; bad = 1; pending = 0 }
    /^  --/ { if (NF < 2) { pending = 1; prev = $0 } }
    END { if (pending) { print "no description: " prev; bad = 1 }
          exit bad }' "$T/h1"
done

# plugin options are flags with their help, for a chain command
"$CKPT" memparse --help >"$T/mp" 2>&1
check "memparse --help lists the memory plugin's --search" \
  grep -q -- "--search=str  *search memory for this text" "$T/mp"
check "memparse --help shows a boolean as --[no-]maps" grep -q -- "--\[no-\]maps" "$T/mp"
"$CKPT" inspect --help >"$T/in" 2>&1
check "inspect --help spells an option two plugins share --PLUGIN.OPTION" \
  grep -q -- "--files.pid=int" "$T/in"

"$CKPT" help run >"$T/run" 2>&1
check "help run names the chains and the loaded plugins" sh -c \
  'grep -q "^chains (ckpt chains):.* inspect" "$1" &&
   grep -q "^plugins (ckpt plugins NAME):.* pstree" "$1"' - "$T/run"

"$CKPT" --help >"$T/top" 2>&1
check "--help lists every command" sh -c \
  'for c in $1; do grep -q "^  $c " "$2" || exit 1; done' - "$cmds" "$T/top"
check "--help lists --color and the exit statuses" sh -c \
  'grep -q -- "--color=WHEN" "$1" && grep -q "^exit status:" "$1"' - "$T/top"
"$CKPT" help >"$T/help0" 2>&1
check "ckpt help is ckpt --help" cmp "$T/top" "$T/help0"

# did you mean
expect_err() { # DESCRIPTION WANT-RC NEEDLE COMMAND...
  d=$1 want=$2 needle=$3
  shift 3
  "$@" >"$T/o" 2>"$T/e"
  rc=$?
  if [ "$rc" -eq "$want" ] && grep -qF -- "$needle" "$T/e"; then
    ok "$d"
  else
    nok "$d (exit $rc)"
    sed 's/^/# /' "$T/e"
  fi
}
expect_err "a mistyped command gets the nearest" 2 "did you mean inspect?" \
  "$CKPT" insepct "$NGINX"
expect_err "help of a mistyped command too" 2 "did you mean triage?" \
  "$CKPT" help trige
expect_err "nothing near: no suggestion" 2 "unknown command 'zzzzzzzz' (see ckpt help)" \
  "$CKPT" zzzzzzzz
expect_err "a mistyped plugin option flag" 2 "(did you mean --cmd?)" \
  "$CKPT" run pstree --cmdd "$NGINX"
expect_err "a mistyped command flag" 2 "(did you mean --min-severity?)" \
  "$CKPT" triage --min-severty high "$NGINX"
expect_err "a mistyped plugin name" 2 "plugin pstre is not installed (did you mean pstree?)" \
  "$CKPT" run pstre "$NGINX"
expect_err "a mistyped plugin for ckpt plugins" 2 "plugin memroy is not installed (did you mean memory?)" \
  "$CKPT" plugins memroy
expect_err "a mistyped option in --set" 2 "has no option 'cmdd' (did you mean cmd?)" \
  "$CKPT" --set pstree.cmdd=true run pstree "$NGINX"
expect_err "--color takes auto, always or never" 2 "not auto, always or never" \
  "$CKPT" --color=sometimes show "$NGINX"

# --version
"$CKPT" --version >"$T/v" 2>&1
ABI=$(sed -n 's/^#define CKPT_ABI_\(MAJOR\|MINOR\) \([0-9]*\)/\2/p' \
  "$CKPT_SOURCE_ROOT/sdk/ckpt/plugin.h" | paste -sd. -)
check "--version shows the SDK's ABI ($ABI)" grep -q "plugin ABI $ABI" "$T/v"

# colour
"$CKPT" triage "$ATTACK" >"$T/pipe" 2>/dev/null
check "no colour in a pipe" sh -c '! grep -q "$1" "$2"' - "$ESC" "$T/pipe"
"$CKPT" --color=always triage "$ATTACK" >"$T/always" 2>/dev/null
check "--color=always colours a critical severity bold red" \
  grep -q "${ESC}\[1;31mcritical${ESC}\[0m" "$T/always"
check "--color=always colours the verdict" \
  grep -q "${ESC}\[1;31mcompromised${ESC}\[0m" "$T/always"
# widths ignore the escapes: without them the text is the piped text
sed "s/${ESC}\[[0-9;]*m//g" "$T/always" >"$T/stripped"
check "coloured table, escapes removed, is the plain table" \
  cmp "$T/pipe" "$T/stripped"
"$CKPT" --color=always --format json triage "$ATTACK" >"$T/json" 2>/dev/null
check "never colour in JSON" sh -c '! grep -q "$1" "$2"' - "$ESC" "$T/json"
"$CKPT" --color=always run pstree --format tree "$NGINX" >"$T/tree" 2>/dev/null
check "tree output colours process states" \
  grep -q "${ESC}\[32mAlive${ESC}\[0m" "$T/tree"
"$CKPT" --color=always --format table run rootfs "$ATTACK" >"$T/rootfs" 2>/dev/null
check "table output colours rootfs changes" grep -q "${ESC}\[3[123]m" "$T/rootfs"

if command -v script >/dev/null 2>&1 &&
  script -qec true /dev/null >/dev/null 2>&1; then
  tty_run() { # ENV... -- ckpt args: run on a pty, output in $T/tty
    script -qec "env $* 2>/dev/null" /dev/null >"$T/tty" </dev/null
  }
  tty_run TERM=xterm "$CKPT" triage "$ATTACK"
  check "auto: colour on a terminal" grep -q "${ESC}\[1;31mcritical" "$T/tty"
  tty_run TERM=xterm NO_COLOR=1 "$CKPT" triage "$ATTACK"
  check "auto: NO_COLOR turns it off" sh -c '! grep -q "$1\[1;31m" "$2"' - "$ESC" "$T/tty"
  tty_run TERM=xterm NO_COLOR=1 "$CKPT" --color=always triage "$ATTACK"
  check "--color=always wins over NO_COLOR" grep -q "${ESC}\[1;31mcritical" "$T/tty"
  tty_run TERM=xterm "$CKPT" --color=never triage "$ATTACK"
  check "--color=never on a terminal" sh -c '! grep -q "$1\[1;31m" "$2"' - "$ESC" "$T/tty"
  tty_run TERM=dumb "$CKPT" triage "$ATTACK"
  check "auto: no colour on a dumb terminal" sh -c '! grep -q "$1\[1;31m" "$2"' - "$ESC" "$T/tty"
else
  ok "# SKIP script(1) cannot make a pty here"
fi

echo "1..$n"

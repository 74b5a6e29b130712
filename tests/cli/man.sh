#!/bin/sh
# man.sh - the generated man pages (docs/mkman.py): groff renders them
# without a warning (-ww), man -l shows them, and they say what the tool
# declares: every command with its usage, every flag of every command and
# of the plugins it runs, every global flag, chain, plugin, limit, exit
# status and environment variable of `ckpt help --dump`; ckpt-plugin(3)
# holds the SDK's ABI and its function table. TAP; env from
# tests/meson.build.
set -u
TAP_NAME=man
. "$(dirname "$0")/tap.sh"
MAN1=$CKPT_BUILD_ROOT/docs/ckpt.1
MAN3=$CKPT_BUILD_ROOT/docs/ckpt-plugin.3
for tool in groff man col; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done
for page in "$MAN1" "$MAN3"; do
  b=$(basename "$page")
  check "$b exists" test -s "$page"
  groff -ww -z -man -Tutf8 "$page" >"$T/lint" 2>&1
  check "$b: groff -ww has no warning" test ! -s "$T/lint"
  [ -s "$T/lint" ] && sed 's/^/# /' "$T/lint"
  if command -v mandoc >/dev/null 2>&1; then
    check "$b: mandoc -Tlint has no warning" sh -c \
      '! mandoc -Tlint -W warning "$1" 2>&1 | grep .' - "$page"
  fi
done
# the rendered text, without hyphenation or adjusting, one flag a line
MANWIDTH=200 man -l "$MAN1" 2>"$T/man.err" | col -b >"$T/ckpt.txt"
check "man -l renders ckpt.1" test -s "$T/ckpt.txt"
check "man -l says nothing on stderr" test ! -s "$T/man.err"

"$CKPT" help --dump --format json >"$T/dump.json"
"$CKPT" plugins --format json >"$T/plugins.json"
check "ckpt.1 holds every declaration of help --dump" python3 - \
  "$T/dump.json" "$T/plugins.json" "$T/ckpt.txt" <<'PY'
import json, re, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["help"]["tables"]
plugins = json.load(open(sys.argv[2]))["checkpoints"][0]["plugins"]
plugins = next(iter(plugins.values()))["tables"]["plugins"]
text = open(sys.argv[3]).read()
text = re.sub(r"\s+", " ", text)
missing = []
def want(s, what):
    if re.sub(r"\s+", " ", s) not in text:
        missing.append("%s: %s" % (what, s))
sections = text.split(" ckpt ")
for c in t["commands"]:
    want("ckpt %s %s" % (c["name"], c["usage"]), "usage")
    want(c["summary"], "summary of " + c["name"])
for f in t["flags"]:
    want("--" + f["flag"], "flag of %r" % f["command"])
    if f["help"]:
        want(f["help"], "help of --" + f["flag"])
for n in t["notes"]:
    want(n["name"], n["kind"])
    if n["help"]:
        want(n["help"], n["kind"] + " " + n["name"])
for p in plugins:
    want(p["name"], "plugin")
for s in ("EXIT STATUS", "ENVIRONMENT", "FILES", "CHAINS", "PLUGINS",
          "GLOBAL FLAGS", "COMMANDS", "LIMITS", "SEE ALSO"):
    want(s, "section")
for m in missing[:20]:
    print("missing", m)
sys.exit(1 if missing else 0)
PY

MANWIDTH=200 man -l "$MAN3" 2>/dev/null | col -b >"$T/sdk.txt"
ABI=$(sed -n 's/^#define CKPT_ABI_\(MAJOR\|MINOR\) \([0-9]*\)/\2/p' \
  "$CKPT_SOURCE_ROOT/sdk/ckpt/plugin.h" | paste -sd. -)
check "ckpt-plugin.3 names ABI $ABI" grep -q "ABI $ABI" "$T/sdk.txt"
for w in "typedef struct CkptApi" "CKPT_PLUGIN_DEFINE" "ABI rules" \
  "Lifetimes:" "process_count" "the host's function table"; do
  check "ckpt-plugin.3 holds '$w'" grep -qF "$w" "$T/sdk.txt"
done
# every member of CkptApi the header declares is in the page
grep -o '(\*[a-z_]*)' "$CKPT_SOURCE_ROOT/sdk/ckpt/plugin.h" | sort -u >"$T/members"
check "ckpt-plugin.3 holds every function pointer of the header" sh -c \
  'while read -r m; do grep -qF -- "$m" "$1" || { echo "missing $m"; exit 1; }; done <"$2"' \
  - "$T/sdk.txt" "$T/members"
echo "1..$n"

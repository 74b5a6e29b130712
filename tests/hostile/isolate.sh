#!/bin/sh
# isolate.sh - TAP test of --isolate: each plugin in its own process.
# A crashing plugin (tp-crash, this folder) fails alone, named with its
# signal, while the rest of the chain completes; isolated output is the
# same as in-process output, including plugins that read the results of
# earlier ones (tests/plugins' tp-source/tp-reader).
set -u
# Under ASan a SIGSEGV is caught and turned into a report and an abort; this
# test wants to see the plugin die of the signal itself.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export ASAN_OPTIONS

ckpt=${CKPT:-$CKPT_BUILD_ROOT/core/ckpt}
crashdir=$CKPT_BUILD_ROOT/tests/hostile
tpdir=${CKPT_TEST_PLUGINS:-$CKPT_BUILD_ROOT/tests/plugins}
fx=$CKPT_FIXTURES/podman-none.tar
work=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-isolate-XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
fails=0

ok() { # ok COND-STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    fails=$((fails + 1))
    [ -f "$work/err" ] && sed 's/^/#   /' "$work/err" | head -n 10
  fi
}

status_of() { # status_of JSON PLUGIN -> ok, failed, ...
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["checkpoints"][0]["plugins"][sys.argv[2]]["status"])' "$1" "$2" \
    2>/dev/null
}

rows_of() { # rows_of JSON PLUGIN TABLE -> row count
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["checkpoints"][0]["plugins"][sys.argv[2]]["tables"][sys.argv[3]]))' \
    "$1" "$2" "$3" 2>/dev/null
}

echo "1..18"

run() { # run OUT ARGS... ; stderr into $work/err, returns ckpt's status
  out=$1
  shift
  (cd "$work" && "$ckpt" --plugin-path "$crashdir" "$@" --format json \
    "$fx" >"$out" 2>"$work/err")
}

# 1-6: a segfault in the middle of the chain
run "$work/segv.json" --isolate run pstree,crash,files,sockets
rc=$?
ok $((rc != 1)) "segv: exit status 1 (a plugin failed), not a crash (got $rc)"
grep -q 'plugin crash killed by signal 11 (SIGSEGV' "$work/err"
ok $? "segv: the error names the plugin and the signal"
[ "$(status_of "$work/segv.json" crash)" = failed ]
ok $? "segv: crash is FAILED in the report"
[ "$(rows_of "$work/segv.json" crash notes)" = 0 ]
ok $? "segv: a crashed plugin shows no half result"
[ "$(status_of "$work/segv.json" pstree)" = ok ] &&
  [ "$(status_of "$work/segv.json" files)" = ok ] &&
  [ "$(status_of "$work/segv.json" sockets)" = ok ]
ok $? "segv: the plugins before and after it complete"
[ "$(rows_of "$work/segv.json" files files)" -gt 10 ]
ok $? "segv: the plugin after it has its rows"

# 7: without --isolate the same chain takes the whole process down
run "$work/plain.json" run pstree,crash,files
rc=$?
[ "$rc" -gt 128 ]
ok $? "without --isolate the crash kills ckpt (status $rc)"

# 8-9: abort and an early exit
run "$work/abort.json" --isolate --set crash.mode=abort run crash,files
grep -q 'plugin crash killed by signal 6 (SIGABRT' "$work/err" &&
  [ "$(status_of "$work/abort.json" files)" = ok ]
ok $? "abort: named SIGABRT, files still runs"
run "$work/exit.json" --isolate --set crash.mode=exit run crash,files
grep -q 'plugin crash exited with status 7 before it finished' "$work/err"
ok $? "_exit(7) in a plugin: named as an early exit"

# 10: a well-behaved crash plugin is OK and keeps its row
run "$work/okmode.json" --isolate --set crash.mode=ok run crash
rc=$?
[ $rc -eq 0 ] && [ "$(rows_of "$work/okmode.json" crash notes)" = 1 ]
ok $? "mode=ok: status 0 and its row comes back"

# 11: isolated output is byte for byte the in-process output
chain=container,pstree,files,sockets,mounts,memory,secrets
run "$work/a.json" run $chain --set pstree.env=true --set memory.maps=true
run "$work/b.json" --isolate run $chain --set pstree.env=true \
  --set memory.maps=true
cmp -s "$work/a.json" "$work/b.json"
ok $? "isolated JSON equals in-process JSON for the built-in plugins"

# 12-14: results flow from one isolated plugin to the next; failures and
# fatal statuses keep their meaning
if [ -d "$tpdir" ] && [ -f "$tpdir/tp-reader.so" ]; then
  run "$work/c.json" --plugin-path "$tpdir" run tp-source,tp-reader
  run "$work/d.json" --plugin-path "$tpdir" --isolate run tp-source,tp-reader
  cmp -s "$work/c.json" "$work/d.json" &&
    [ "$(status_of "$work/d.json" tp-reader)" = ok ]
  ok $? "a plugin reads an isolated earlier plugin's rows"
  run "$work/e.json" --plugin-path "$tpdir" run tp-failing,tp-dependent
  run "$work/f.json" --plugin-path "$tpdir" --isolate run \
    tp-failing,tp-dependent
  cmp -s "$work/e.json" "$work/f.json" &&
    [ "$(status_of "$work/f.json" tp-dependent)" = skipped ]
  ok $? "FAILED in a child skips its dependents, as in process"
  run "$work/g.json" --plugin-path "$tpdir" --isolate run tp-fatal,pstree
  [ "$(status_of "$work/g.json" pstree)" = skipped ]
  ok $? "FATAL in a child stops the chain"
else
  for t in 12 13 14; do echo "ok $t - # SKIP no test plugins in $tpdir"; done
  n=14
fi

# 15-16: a plugin that never returns is killed at --isolate-timeout, and
# the plugin after it still runs
run "$work/hang.json" --isolate-timeout 1 --set crash.mode=hang run crash,files
rc=$?
grep -q 'plugin crash: timed out after 1 s' "$work/err" &&
  [ "$(status_of "$work/hang.json" crash)" = failed ] &&
  [ "$(status_of "$work/hang.json" files)" = ok ] && [ $rc -eq 1 ]
ok $? "hang: killed after --isolate-timeout, named, files still runs"
run "$work/badtimeout.json" --isolate-timeout soon run files
ok $(($? != 2)) "--isolate-timeout with no number is a usage error"

# 17-18: nothing left behind, no stray processes
[ -z "$(ls -A "$work" | grep -v -e '\.json$' -e '^err$')" ]
ok $? "nothing written to the working directory"
left=$(ps -o pid= --ppid $$ | wc -l)
[ "$left" -le 1 ]
ok $? "no child process left running"

exit $((fails > 0))

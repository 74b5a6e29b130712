#!/bin/sh
# test-host.sh - the ckpt executable end to end, speaking TAP: plugin
# listing and refusals, run with dependencies and options, chains from INI
# files, failure isolation and exit statuses, every output format (JSON
# parsed back), escaping, show against checkpointctl's oracle, and the
# root-only refusal of writable plugins.
set -u
CKPT=${CKPT:?} TP=${CKPT_TEST_PLUGINS:?} FX=${CKPT_FIXTURES:?}
# under the build tree, not /tmp: as root, ckpt refuses plugins found below
# a directory others may write (a sticky /tmp included)
TMP=$(mktemp -d "${CKPT_BUILD_ROOT:?}/ckpt-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# keep the user's own plugins and chains out of the tests
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
unset CKPT_PLUGIN_PATH
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
# run CMD...: stdout in $TMP/out, stderr in $TMP/err, status in $rc
run() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
has() { grep -qF -- "$2" "$TMP/$1"; }
json_ok() { python3 -m json.tool "$TMP/out" >/dev/null 2>&1; }
pyjson() { python3 -c "import json,sys; d=json.load(open('$TMP/out')); $1"; }
TAR=$FX/podman-none.tar

# ---- plugins and refusals -------------------------------------------------
run "$CKPT" plugins --plugin-path "$TP"
check "plugins: exit 0 with refusals" test "$rc" = 0
check "plugins: lists tp-source with its options" has out "tp-source"
check "plugins: lists built-in container" has out "container"
check "plugins: columns" has out "NAME"
ABI=$("$CKPT" --version | sed -n 's/.*plugin ABI \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
MAJ=${ABI% *} MIN=${ABI#* }
for what in "tp-badmajor.so: ABI $((MAJ + 1)).0, host has $MAJ.$MIN: major differs" \
  "tp-newminor.so: ABI $MAJ.$((MIN + 1)) is newer" \
  "tp-nodesc.so: no descriptor" \
  "tp-initfail.so: plugin tp-initfail: init failed: no licence server" \
  "tp-missingdep.so: plugin tp-missingdep: missing dependency tp-nonexistent"; do
  check "refused with file and reason: $what" has err "$what"
done
run "$CKPT" plugins tp-source --plugin-path "$TP"
check "plugins NAME: description, license, options, tables" \
  sh -c "grep -q 'test: options and typed rows' '$TMP/out' &&
         grep -q 'Apache-2.0' '$TMP/out' && grep -q 'chunk  *size  *1k' '$TMP/out' &&
         grep -q 'items' '$TMP/out' && grep -q 'ratio' '$TMP/out'"
# every column of every built-in plugin says what it means
for p in container pstree files sockets mounts memory yara secrets diff; do
  run "$CKPT" plugins "$p" --format json
  check "plugins $p: every column has its help" pyjson "
t=d['checkpoints'][0]['plugins']['plugins']['tables']['tables']
cols=[c for tb in t for c in tb['children']]
assert cols and all(c['help'] for c in cols), [c['name'] for c in cols if not c['help']]"
done
run "$CKPT" plugins pstree
check "plugins NAME shows column help in text" has out "parent process id"
run "$CKPT" plugins nosuch --plugin-path "$TP"
check "plugins NAME unknown: exit 2" test "$rc" = 2
run "$CKPT" plugins --plugin-path "$TP" --format json
check "plugins --format json parses" json_ok

# duplicates: first name wins, the second is warned about
mkdir -p "$TMP/dup"
cp "$TP/tp-source.so" "$TMP/dup/"
run "$CKPT" plugins --plugin-path "$TMP/dup" --plugin-path "$TP"
check "duplicate plugin warned" has err "plugin tp-source already loaded from $TMP/dup/tp-source.so"
check "first one wins" has out "$TMP/dup/tp-source.so"
CKPT_PLUGIN_PATH="$TMP/dup" run "$CKPT" plugins
check "CKPT_PLUGIN_PATH is searched" has out "$TMP/dup/tp-source.so"
mkdir -p "$XDG_DATA_HOME/ckpt/plugins"
cp "$TP/tp-failing.so" "$XDG_DATA_HOME/ckpt/plugins/"
run "$CKPT" plugins
check "per-user plugin directory is searched" has out "tp-failing"
rm -r "$XDG_DATA_HOME/ckpt"
# only *.so files, never the current directory
cp "$TP/tp-source.so" "$TMP/dup/tp-other.notso"
(cd "$TP" && "$CKPT" plugins >"$TMP/out" 2>"$TMP/err")
check "current directory is not searched" sh -c "! grep -q tp-source '$TMP/out'"

# ---- run: dependencies, results, options ----------------------------------
run "$CKPT" run tp-reader "$TAR" --plugin-path "$TP" --format json
check "run tp-reader: exit 0" test "$rc" = 0
check "run: JSON parses" json_ok
check "run: dependency added and run first" pyjson "
p=d['checkpoints'][0]['plugins']; assert list(p) == ['tp-source','tp-reader'], list(p)"
check "run: reader saw source's rows via api->result" pyjson "
s=d['checkpoints'][0]['plugins']['tp-reader']['tables']['summary'][0]
assert s == {'rows': 5, 'first': 'hello', 'deepest': 2}, s"
# streamed formats keep a dependency's rows for the plugin reading them
for f in jsonl table; do
  run "$CKPT" run tp-reader "$TAR" --plugin-path "$TP" --format $f
  check "run --format $f (streamed): reader saw its dependency's rows" \
    sh -c "grep -q '\"rows\":5,\"first\":\"hello\"' '$TMP/out' ||
           grep -q '^Rows seen: *5\$' '$TMP/out'"
done
run "$CKPT" run tp-reader "$TAR" --plugin-path "$TP" --format json
check "json: typed values and tree children" pyjson "
c=d['checkpoints'][0]; assert c['status']=='ok' and c['name']=='ckpt-fixture'
it=c['plugins']['tp-source']['tables']['items']
assert len(it)==1 and len(it[0]['children'])==2
assert it[0]['children'][0]['children'][0]['name']=='grandchild'
r=it[0]; assert r['u']==2**64-1 and r['addr']=='0x7f0000001000'
assert r['size']==4718592 and r['ok'] is True and r['raw']=='AAFB/w=='
assert r['when']=='2006-01-02T15:04:05Z' and r['ratio']==0.5 and r['n']==-1
assert it[0]['children'][0]['name']=='child\x1b[31m\ufffd'
"
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --format json \
  --set tp-source.label=bye --set tp-source.count=1 \
  --set tp-source.chunk=2M --set tp-source.flag=true --set tp-source.limit=9
check "--set: every type applied" pyjson "
e=d['checkpoints'][0]['plugins']['tp-source']['tables']['echo'][0]
assert e == {'label':'bye','count':1,'limit':9,'chunk':2097152,'flag':True,'flag_set':True,
  'tags':'x|y','sized':True,'sized_file':1,'rules_dir':'$CKPT_SOURCE_ROOT/rules','checkpoints':1}, e"
# the same settings as flags of run: --PLUGIN.OPTION, and --OPTION where no
# other plugin of the chain has it; a LIST option repeated and comma-split
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --format json \
  --tp-source.label=bye --count 1 --tp-source.chunk 2M --flag --tp-source.limit=9 \
  --tags a --tp-source.tags=b,c
check "run: plugin options as flags (--PLUGIN.OPTION, --OPTION)" pyjson "
e=d['checkpoints'][0]['plugins']['tp-source']['tables']['echo'][0]
assert (e['label'],e['count'],e['limit'],e['chunk'],e['flag']) == ('bye',1,9,2097152,True), e
assert e['tags'] == 'a|b|c', e"
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --format json --flag --no-flag
check "run: --no-OPTION after --OPTION sets false" pyjson "
e=d['checkpoints'][0]['plugins']['tp-source']['tables']['echo'][0]
assert e['flag'] is False and e['flag_set'] is True, e"
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --nosuch=1
check "run: an unknown flag is a usage error naming it" \
  sh -c "test $rc = 2 && grep -q 'unknown flag --nosuch' '$TMP/err' && test ! -s '$TMP/out'"
run "$CKPT" run pstree,files "$TAR" --plugin-path "$TP" --pid=1
check "run: an option two plugins declare needs --PLUGIN.OPTION" \
  sh -c "test $rc = 2 && grep -q 'ambiguous' '$TMP/err'"
run "$CKPT" run pstree,files "$TAR" --plugin-path "$TP" --pstree.pid=1 --format json
check "run: --PLUGIN.OPTION resolves it" test "$rc" = 0
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP"
check "progress: nothing drawn when stderr is not a terminal" \
  sh -c "! grep -q 'items' '$TMP/err'"
if command -v script >/dev/null 2>&1; then
  # on a terminal the host draws one line and clears it when the run ends
  script -qec "'$CKPT' run tp-source '$TAR' --plugin-path '$TP' >/dev/null" \
    /dev/null >"$TMP/tty" 2>&1
  check "progress: one line on a terminal, then cleared" python3 -c "
d = open('$TMP/tty', 'rb').read()
i = d.find(b'tp-source [##########..........]  50% items')
assert i > 0 and d[i - 4:i] == b'\\r\\x1b[K', d
assert d.find(b'\\r\\x1b[K', i) > i, d"
else
  n=$((n + 1)); echo "ok $n # SKIP no script(1) for a terminal"
fi
for bad in tp-source.count=many tp-source.limit=-1 tp-source.flag=perhaps \
  tp-source.chunk=3X tp-source.nosuch=1 nodot=1 container.x=1; do
  run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --set "$bad"
  check "--set $bad: usage error 2 with a message" \
    sh -c "test $rc = 2 && test -s '$TMP/err' && test ! -s '$TMP/out'"
done
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --set tp-source.nosuch=1
check "unknown option names plugin and option" has err "plugin tp-source has no option 'nosuch'"
run "$CKPT" run tp-nothere "$TAR" --plugin-path "$TP"
check "unknown plugin: exit 2, named" sh -c "test $rc = 2 && grep -q 'plugin tp-nothere is not installed' '$TMP/err'"
run "$CKPT" run tp-missingdep "$TAR" --plugin-path "$TP"
check "refused plugin cannot run: exit 2" test "$rc" = 2

# ---- failure isolation and exit statuses ----------------------------------
run "$CKPT" run tp-failing,tp-dependent,tp-source "$TAR" --plugin-path "$TP" --format json
check "FAILED plugin: exit 1" test "$rc" = 1
check "FAILED: independent plugin still ran, dependent skipped" pyjson "
p=d['checkpoints'][0]['plugins']
assert p['tp-failing']['status']=='failed' and p['tp-failing']['messages']==['deliberate failure']
assert p['tp-dependent']['status']=='skipped' and p['tp-source']['status']=='ok'
assert d['checkpoints'][0]['status']=='failed'"
check "FAILED: reason on stderr with file and plugin" has err "$TAR: plugin tp-failing failed: deliberate failure"
run "$CKPT" run tp-fatal,tp-source "$TAR" "$FX/podman-gzip.tar.gz" --plugin-path "$TP" --format json
check "FATAL: exit 1, chain stopped per checkpoint, next checkpoint runs" pyjson "
cs=d['checkpoints']; assert len(cs)==2
for c in cs:
  assert c['status']=='fatal' and c['plugins']['tp-source']['status']=='skipped', c"
run "$CKPT" run tp-source "$TMP/missing.tar" "$TAR" --plugin-path "$TP" --format json
check "unopenable checkpoint: exit 1, others still run" sh -c "test $rc = 1"
check "unopenable checkpoint: error in JSON and on stderr" pyjson "
a,b=d['checkpoints']; assert a['status']=='error' and a['errors'] and b['status']=='ok'"
check "unopenable checkpoint: stderr names the file" has err "$TMP/missing.tar"
run "$CKPT" run
check "run without arguments: exit 2" test "$rc" = 2
run "$CKPT" frobnicate
check "unknown command: exit 2" test "$rc" = 2
run "$CKPT" --format yaml plugins
check "unknown format: exit 2" test "$rc" = 2
run "$CKPT" --limit bogus=1 plugins
check "unknown limit: exit 2" test "$rc" = 2
run "$CKPT" --limit max-entry-size=16 run container "$TAR"
check "--limit reaches the loader: exit 1 naming the limit" \
  sh -c "test $rc = 1 && grep -q 'max-entry-size\|limit' '$TMP/err'"
run "$CKPT" --version
check "--version prints version and ABI" has out "plugin ABI $MAJ.$MIN"
run "$CKPT" --help
check "--help lists commands" sh -c "test $rc = 0 && grep -q 'run ' '$TMP/out' && grep -q 'show ' '$TMP/out'"

# ---- formats ----------------------------------------------------------------
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --format jsonl
check "jsonl: every line parses, rows and statuses typed" python3 -c "
import json
ls=[json.loads(l) for l in open('$TMP/out')]
t=[l['type'] for l in ls]
assert t.count('row')==6 and t.count('plugin')==1 and t[-1]=='checkpoint', t"
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP"
check "tree: root is the container name" sh -c "head -1 '$TMP/out' | grep -qx 'ckpt-fixture'"
check "tree: nested rows drawn" has out "│       ├── child\\x1b[31m\\xc3  0  false"
check "tree: grandchildren drawn" has out "│       │   └── grandchild  0"
check "tree: no raw escape reaches the terminal" sh -c "! grep -q \"$(printf '\033')\" '$TMP/out'"
run "$CKPT" run tp-source "$TAR" --plugin-path "$TP" --format table
check "table: headers and human sizes" sh -c "grep -q '^NAME  ' '$TMP/out' && grep -q '4.5 MiB' '$TMP/out'"
check "table: no raw escape" sh -c "! grep -q \"$(printf '\033')\" '$TMP/out'"

# ---- chains -------------------------------------------------------------------
cat >"$TMP/c.ini" <<'INI'
[chain mine]
description=test chain
plugins=tp-reader
tp-source.count=4
INI
run "$CKPT" run mine "$TAR" --plugin-path "$TP" --chains "$TMP/c.ini" --format json
check "--chains: named chain runs with its options" pyjson "
s=d['checkpoints'][0]['plugins']['tp-reader']['tables']['summary'][0]; assert s['rows']==9, s"
run "$CKPT" run mine "$TAR" --plugin-path "$TP" --chains "$TMP/c.ini" --set tp-source.count=0 --format json
check "--set overrides the chain's option" pyjson "
s=d['checkpoints'][0]['plugins']['tp-reader']['tables']['summary'][0]; assert s['rows']==1, s"
mkdir -p "$XDG_CONFIG_HOME/ckpt/chains"
cp "$TMP/c.ini" "$XDG_CONFIG_HOME/ckpt/chains/user.ini"
run "$CKPT" chains
check "per-user chain directory is read" has out "mine"
check "default chains shipped" sh -c "grep -q '^inspect ' '$TMP/out' && grep -q '^triage ' '$TMP/out'"
rm -r "$XDG_CONFIG_HOME/ckpt"
printf '[chain broken]\nplugins=tp-nothere\n' >"$TMP/b.ini"
run "$CKPT" run broken "$TAR" --plugin-path "$TP" --chains "$TMP/b.ini"
check "chain naming a missing plugin: exit 2 naming chain, file, plugin" \
  sh -c "test $rc = 2 && grep -q 'chain broken ($TMP/b.ini): plugin tp-nothere is not installed' '$TMP/err'"
printf '[chain x]\nplugins=tp-source\ntp-source.count=lots\n' >"$TMP/t.ini"
run "$CKPT" run x "$TAR" --plugin-path "$TP" --chains "$TMP/t.ini"
check "chain option of the wrong type: exit 2 naming the file" \
  sh -c "test $rc = 2 && grep -q '$TMP/t.ini: option tp-source.count' '$TMP/err'"
run "$CKPT" run inspect "$TAR"
check "default inspect chain runs on a fixture" test "$rc" = 0

# ---- show -------------------------------------------------------------------
for fx in podman-none podman-gzip crio-none containerd-none; do
  f=$(ls "$FX/$fx".tar* | head -1)
  oracle="$FX/oracle/checkpointctl/$fx.show.txt"
  run "$CKPT" show "$f"
  # checkpointctl's row: | a | b | ... ; compare every cell but the sizes
  # (CRI-O's creation time has nanoseconds there; ckpt keeps seconds)
  want=$(grep '^| ' "$oracle" | sed -n 2p | sed 's/\.[0-9]*Z/Z/' | tr -s ' ' | cut -d'|' -f2-7)
  got=$(sed -n 2p "$TMP/out" | awk -F'  +' '{printf "| %s | %s | %s | %s | %s | %s |", $1,$2,$3,$4,$5,$6}' | tr -s ' ' | cut -d'|' -f2-7)
  check "show $fx: matches checkpointctl (container..engine)" test "$want" = "$got"
  sizes=$(grep '^| ' "$oracle" | sed -n 2p | awk -F'|' '{print $(NF-2) "|" $(NF-1)}' | sed 's/  */ /g; s/^ //; s/ $//; s/ | /|/')
  got_sizes=$(sed -n 2p "$TMP/out" | awk -F'  +' '{print $(NF-1) "|" $NF}')
  check "show $fx: CHKPT SIZE and ROOT FS DIFF SIZE as checkpointctl ($sizes)" test "$sizes" = "$got_sizes"
done
run "$CKPT" show "$FX/podman-none.tar" "$FX/crio-none.tar" --format json
check "show --format json: container rows only" pyjson "
for c in d['checkpoints']:
  assert list(c['plugins']['container']['tables']) == ['show']
  assert len(c['plugins']['container']['tables']['show'][0]['id']) == 12"
run "$CKPT" show "$FX/podman-none.tar" "$FX/crio-none.tar"
check "show: one header for several checkpoints" sh -c "test \$(grep -c '^FILE  *CONTAINER' '$TMP/out') = 1 && test \$(wc -l <'$TMP/out') = 3"
check "show header as checkpointctl, after the FILE column of several" sh -c "head -1 '$TMP/out' | grep -q '^FILE  *CONTAINER  *IMAGE  *ID  *RUNTIME  *CREATED  *ENGINE  *IP  *CHKPT SIZE  *ROOT FS DIFF SIZE$'"
run "$CKPT" show "$FX/podman-none.tar"
check "show of one file: checkpointctl's header" sh -c "head -1 '$TMP/out' | grep -q '^CONTAINER  *IMAGE  *ID  *RUNTIME  *CREATED  *ENGINE  *IP  *CHKPT SIZE  *ROOT FS DIFF SIZE$'"

# sugar: the chain's plugin options are flags of the subcommand
for good in --annotations --container.spec --no-spec --annotations=false; do
  run "$CKPT" show "$good" "$TAR" --format json
  check "show $good: accepted as the container plugin's option" test "$rc" = 0
done
run "$CKPT" run container "$TAR" --set container.annotations=true --format json
check "container.annotations=true fills its table, default leaves it empty" pyjson "
t=d['checkpoints'][0]['plugins']['container']['tables']
assert len(t['annotations']) > 0 and t['spec_env'] == []"
for bad in --bogus --annotations=maybe --no-bogus; do
  run "$CKPT" show "$bad" "$TAR"
  check "show $bad: usage error 2" sh -c "test $rc = 2 && test -s '$TMP/err'"
done
run "$CKPT" show
check "show without a file: usage error 2" test "$rc" = 2
run "$CKPT" show --help
check "show --help: usage and option flags" sh -c "test $rc = 0 && grep -q 'usage: ckpt show' '$TMP/out'"

# ---- root: writable plugins refused ----------------------------------------
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$TMP/w" && cp "$TP/tp-source.so" "$TMP/w/" && chmod 0666 "$TMP/w/tp-source.so"
  run "$CKPT" plugins --plugin-path "$TMP/w"
  check "root: group/world-writable plugin file refused" has err "$TMP/w/tp-source.so: refused: $TMP/w/tp-source.so is writable by group or others"
  chmod 0644 "$TMP/w/tp-source.so" && chmod 0777 "$TMP/w"
  run "$CKPT" plugins --plugin-path "$TMP/w"
  check "root: world-writable plugin directory refused" sh -c "grep -q '$TMP/w: refused' '$TMP/err' && ! grep -q tp-source '$TMP/out'"
  chmod 0755 "$TMP/w"
  run "$CKPT" plugins --plugin-path "$TMP/w"
  check "root: the same plugin loads once permissions are tight" has out "$TMP/w/tp-source.so"

  # tp-marker's constructor writes $CKPT_TEST_MARKER: a refused file must
  # never get that far. refused WHAT REASON: refused, named, and never run
  M=$TMP/marker
  refused() {
    check "root: $1: refused naming the path and why" has err "$2"
    check "root: $1: its constructor never ran" test ! -e "$M"
    check "root: $1: not listed" sh -c "! grep -q tp-marker '$TMP/out'"
    rm -f "$M"
  }
  mk() { mkdir -p "$1" && chmod 0755 "$1" && cp "$TP/tp-marker.so" "$1/" && chmod 0644 "$1/tp-marker.so"; }
  mk "$TMP/good"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/good"
  check "root: control: a tight path loads tp-marker and runs its constructor" \
    sh -c "grep -q tp-marker '$TMP/out' && test -s '$M'"
  rm -f "$M"
  # a file owned by another user (nobody), in a tight directory
  mk "$TMP/ofile" && chown 65534 "$TMP/ofile/tp-marker.so"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/ofile"
  refused "file owned by another user" \
    "$TMP/ofile/tp-marker.so: refused while running as root: $TMP/ofile/tp-marker.so is owned by uid 65534"
  # a directory owned by another user
  mk "$TMP/odir" && chown 65534 "$TMP/odir"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/odir"
  refused "directory owned by another user" "$TMP/odir: refused while running as root: $TMP/odir is owned by uid 65534"
  # a tight directory below a world-writable one
  mk "$TMP/ww/sub" && chmod 0777 "$TMP/ww"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/ww/sub"
  refused "world-writable parent" "$TMP/ww/sub: refused: $TMP/ww is writable by group or others"
  # a sticky directory is no better than a world-writable one
  mk "$TMP/sticky/sub" && chmod 1777 "$TMP/sticky"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/sticky/sub"
  refused "sticky parent" "$TMP/sticky/sub: refused: $TMP/sticky is writable by group or others"
  # symlinks into a world-writable directory (as /tmp, but not one the
  # ckpt under test itself runs from, which is trusted as ckpt is): the
  # file, and the whole directory
  INTMP=$TMP/ww/plugins
  mk "$INTMP" && chmod 1777 "$TMP/ww"
  cp "$TP/tp-marker.so" "$INTMP/" && chmod 0644 "$INTMP/tp-marker.so"
  mkdir -p "$TMP/lnfile" && ln -s "$INTMP/tp-marker.so" "$TMP/lnfile/tp-marker.so"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/lnfile"
  refused "file symlinked into a world-writable directory" "$TMP/lnfile/tp-marker.so: refused: $TMP/ww is writable by group or others"
  ln -s "$INTMP" "$TMP/lndir"
  CKPT_TEST_MARKER=$M run "$CKPT" plugins --plugin-path "$TMP/lndir"
  refused "directory symlinked into a world-writable directory" "$TMP/lndir: refused: $TMP/ww is writable by group or others"
  # sudo -E: HOME or XDG_DATA_HOME still pointing at another user's tree
  mk "$TMP/alice/.local/lib/ckpt/plugins" && chown -R 65534 "$TMP/alice"
  HOME=$TMP/alice CKPT_TEST_MARKER=$M run env -u XDG_DATA_HOME "$CKPT" plugins
  refused "HOME of another user" "$TMP/alice/.local/lib/ckpt/plugins: refused while running as root: $TMP/alice/.local/lib/ckpt/plugins is owned by uid 65534"
  mk "$TMP/bob/ckpt/plugins" && chown -R 65534 "$TMP/bob"
  XDG_DATA_HOME=$TMP/bob CKPT_TEST_MARKER=$M run "$CKPT" plugins
  refused "XDG_DATA_HOME of another user" "$TMP/bob/ckpt/plugins: refused while running as root: $TMP/bob/ckpt/plugins is owned by uid 65534"
  # without /proc (some containers) the checked file is loaded by its
  # resolved name, and the refusals still hold. Not under ASan or valgrind,
  # which need /proc themselves.
  if ldd "$CKPT" 2>/dev/null | grep -q 'libasan\|libubsan' ||
     [ -n "${CKPT_UNDER_VALGRIND:-}" ]; then
    n=$((n + 1)); echo "ok $n # SKIP no /proc under sanitizers or valgrind"
  elif unshare -m --propagation private true 2>/dev/null; then
    CKPT_TEST_MARKER=$M run unshare -m --propagation private sh -c \
      "umount -l /proc && '$CKPT' plugins --plugin-path '$TMP/good'"
    check "root, no /proc: a tight path still loads tp-marker" \
      sh -c "grep -q tp-marker '$TMP/out' && test -s '$M'"
    rm -f "$M"
    CKPT_TEST_MARKER=$M run unshare -m --propagation private sh -c \
      "umount -l /proc && '$CKPT' plugins --plugin-path '$TMP/ofile'"
    refused "no /proc, file owned by another user" "$TMP/ofile/tp-marker.so: refused while running as root"
  else
    n=$((n + 1)); echo "ok $n # SKIP unshare -m not allowed"
  fi
else
  n=$((n + 1)); echo "ok $n # SKIP not root"
fi

echo "1..$n"
exit $failed

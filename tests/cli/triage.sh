#!/bin/sh
# ckpt triage end to end on the real fixtures: the verdict and findings in
# every format, exit status at --fail-on, --only/--skip/--min-severity, a
# third party's findings joining, and false positives measured: no benign
# fixture has a finding at high or above other than its real secrets.
TAP_NAME=triage
. "$(dirname "$0")/tap.sh"
P=${CKPT_TEST_PLUGINS:?}

# json of triage on FILE, then python over it as d (the checkpoint)
tj() {
  f=$1
  shift
  "$CKPT" triage --format json "$@" "$f" >"$T/t.json" 2>"$T/t.err"
  echo $? >"$T/t.rc"
}
py() {
  python3 -c "
import json
d=json.load(open('$T/t.json'))['checkpoints'][0]['plugins']['triage']['tables']
v=d['verdict'][0]; fs=d['findings']
$1"
}

for f in podman-none.tar podman-fdzoo.tar podman-zeros.tar.zst criu-dir \
  crio-none.tar containerd-none.tar podman-nozombie.tar; do
  tj "$FX/$f"
  check "$f: no finding at high or above but secrets" py "
bad=[x for x in fs if x['severity'] in ('high','critical') and x['id']!='secret']
assert not bad, bad
assert v['verdict'] in ('clean','suspicious'), v"
done

tj "$FX/podman-none.tar"
check "podman-none: exit 1, its secrets are high" test "$(cat "$T/t.rc")" = 1
check "podman-none: verdict counts add up, every finding in the schema" py "
keys={'id','severity','title','pid','tid','fd','address','path','evidence','attack','why','more','source'}
assert all(set(x)==keys for x in fs), fs[0].keys()
n=sum(v[k] for k in ('critical','high','medium','low','info'))
assert n==v['findings']==len(fs), (n, v)
assert v['secrets']==sum(1 for x in fs if x['id']=='secret')>0
sev=['critical','high','medium','low','info']
assert [sev.index(x['severity']) for x in fs]==sorted(sev.index(x['severity']) for x in fs)
assert v['max_severity']==fs[0]['severity']"
check "podman-none: the renamed stopped child is name-spoofing, pid 2" py "
assert any(x['id']=='name-spoofing' and x['pid']==2 for x in fs), fs"
check "podman-none: yara's credential hits are left to secrets" py "
assert not any(x['source']=='yara' for x in fs), [x for x in fs if x['source']=='yara']"

tj "$FX/podman-none.tar" --skip secret
check "--skip secret: exit 0 (nothing high left)" test "$(cat "$T/t.rc")" = 0
check "--skip secret: no secret findings" py "assert not any(x['id']=='secret' for x in fs)"
tj "$FX/podman-none.tar" --skip secret --fail-on medium
check "--fail-on medium: exit 1" test "$(cat "$T/t.rc")" = 1
tj "$FX/podman-none.tar" --min-severity medium
check "--min-severity medium: nothing below" py "
assert fs and all(x['severity'] in ('medium','high','critical') for x in fs)"
tj "$FX/podman-fdzoo.tar" --only raw-socket
check "--only raw-socket on fdzoo: the packet socket, pid 1" py "
assert [(x['id'],x['pid']) for x in fs]==[('raw-socket',1)], fs"
tj "$FX/podman-none.tar" --min-severity severe
check "a severity that does not exist: exit 1 and said" sh -c \
  "test \"\$(cat '$T/t.rc')\" = 1 && grep -q 'severe' '$T/t.err'"

"$CKPT" triage "$FX/podman-fdzoo.tar" >"$T/text" 2>&1
check "text: verdict and findings tables only" sh -c \
  "grep -q '^## Verdict' '$T/text' && grep -q '^## Findings' '$T/text' &&
   ! grep -q 'YARA\|Secrets\|^## Processes' '$T/text'"

"$CKPT" run --plugin-path "$P" detect,yara,secrets,tp-finding,triage \
  --set triage.with=tp-finding --format json "$FX/podman-fdzoo.tar" \
  >"$T/t.json" 2>"$T/t.err"
check "a third party's findings join the list" py "
x=[x for x in fs if x['id']=='tp-finding']
assert len(x)==1 and x[0]['source']=='tp-finding' and x[0]['severity']=='high', fs
assert v['verdict']=='compromised', v"

echo "1..$n"

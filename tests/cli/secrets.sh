#!/bin/sh
# ckpt secrets on the real fixtures: every planted secret is reported with
# its place, none appears in full in the default output of any format, all
# do with --reveal, and the exit status says found (1) / error (2).
# TAP; env from tests/meson.build (CKPT_FIXTURES, CKPT_BUILD_ROOT).
set -u
TAP_NAME=secrets
. "$(dirname "$0")/tap.sh"

# The full values planted by the workload (tests/fixtures/README.md): the
# environment's (env.txt), the heap's, the rootfs diff's, a line of the PEM
# key's body and the URL's password alone.
cut -d= -f2- "$FX/env.txt" > "$T/planted"
cat >> "$T/planted" <<'V'
xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B
sess_9c4e7a1f2b8d3e6a5c0f7b2d9e4a1c8f
glpat-Xk3vQ9mT2rLp7WnB4yZc
eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9u
MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQCkptOwO6k9mGg5Rn7lTRFAKEfixturex
S3cretPass
V
# JSON escapes '/' nowhere but may escape nothing else in these values;
# also look for each value with '/' written as '\/' to be safe
cp "$T/planted" "$T/plain"
sed 's|/|\\/|g' "$T/plain" | grep '\\/' >> "$T/planted"

FIXTURES="podman-none.tar podman-gzip.tar.gz crio-none.tar containerd-none.tar"
echo "1..25"

# leaks: no planted value in any format's default output
for f in $FIXTURES; do
  for fmt in tree table json jsonl; do
    "$CKPT" --format "$fmt" secrets "$FX/$f" > "$T/$f.$fmt" 2> "$T/err"
    echo $? > "$T/$f.$fmt.rc"
  done
  check "$f: no planted secret in full in tree, table, json or jsonl output" \
    sh -c '! grep -F -f "$1/planted" "$1/$2.tree" "$1/$2.table" "$1/$2.json" "$1/$2.jsonl"' \
    sh "$T" "$f"
  check "$f: exit status 1 (found) in every format" \
    sh -c 'for x in tree table json jsonl; do test "$(cat "$1/$2.$x.rc")" = 1 || exit 1; done' \
    sh "$T" "$f"
done

# --reveal shows every one of them (so the test above can fail)
"$CKPT" --format json secrets --reveal "$FX/podman-none.tar" > "$T/reveal.json" 2> "$T/err"
check "--reveal: every planted value appears" \
  sh -c 'while IFS= read -r v; do grep -qF -- "$v" "$1" || { echo "missing $v"; exit 1; }; done < "$2"' \
  sh "$T/reveal.json" "$T/plain"

# the findings in JSON: kinds, places and grouping
PY='
import json, sys
fx = sys.argv[1]
doc = json.load(sys.stdin)
t = doc["checkpoints"][0]["plugins"]["secrets"]["tables"]
f, l = t["findings"], t["locations"]
kinds = {r["kind"] for r in f}
markers = {}
for line in open(fx + "/markers-podman-none.txt"):
    p = line.split()
    if len(p) == 3 and not line.startswith("#"):
        markers[(p[0], int(p[1]))] = int(p[2], 16)
def places(kind):
    ids = {r["id"] for r in f if r["kind"] == kind}
    return [r for r in l if r["finding"] in ids]
'
pyjson() { python3 -c "$PY$1" "$FX" < "$2"; }
J="$T/podman-none.tar.json"
check "json: every detector of the planted secrets fires" pyjson '
want = {"aws-access-key-id", "aws-secret-access-key", "github-token",
        "gitlab-token", "slack-token", "private-key", "url-password",
        "kubernetes-service-account-token", "secret-env"}
assert want <= kinds, want - kinds
' "$J"
check "json: heap secrets at the workload's addresses in pids 1 and 5" pyjson '
for kind, m in [("private-key", "pem"), ("slack-token", "slack"),
                ("kubernetes-service-account-token", "jwt"),
                ("secret-env", "session-secret")]:
    got = {(r["pid"], int(r["address"], 16), r["vma"]) for r in places(kind)
           if r["source"] == "memory"}
    a = markers[(m, 1)]
    assert (1, a, "heap") in got and (5, a, "heap") in got, (kind, got)
' "$J"
check "json: files of the rootfs diff" pyjson '
assert any(r["path"] == "/app/config.env" for r in places("gitlab-token"))
assert any(r["path"] == "/root/.aws/credentials" for r in places("aws-secret-access-key"))
' "$J"
check "json: one finding per value, places counted, pids listed" pyjson '
gh = [r for r in f if r["kind"] == "github-token"]
assert len(gh) == 1, gh
assert gh[0]["pids"] == "1,2,5" and gh[0]["count"] >= 7, gh
assert gh[0]["value"] == "ghp_\u2026(40)", gh[0]["value"]
' "$J"
check "json: environment configured vs in process, secrets redacted" pyjson '
env = {r["name"]: r for r in t["environment"]}
assert env["API_TOKEN"]["status"] == "same" and env["API_TOKEN"]["secret"]
assert env["DATABASE_URL"]["process_value"] == "postgres://app:***@db:5432/app"
assert env["HOME"]["process_value"] == "/root" and not env["HOME"]["secret"]
s = env["SESSION_SECRET"]
assert s["status"] == "set-at-runtime" and s["pids"] == "1,5", s
assert s["runtime_value"] == "sess\u2026(37)" and s["process_value"] is None, s
' "$J"

# nothing found: exit 0 (detectors that match nothing, name table off)
echo 'rule nothing { strings: $a = "no-such-string-1234abcd" condition: $a }' > "$T/empty.yar"
"$CKPT" --format json secrets --rules="$T/empty.yar" --no-names --no-memory \
  --no-files "$FX/podman-none.tar" > "$T/none.json" 2> "$T/err"; rc=$?
check "nothing found: exit 0, no findings" pyjson '
assert f == [] and l == [], (f, l)
assert t["environment"], "the environment is still shown"
' "$T/none.json"
check "nothing found: exit status 0" test "$rc" = 0

# errors: exit status 2 when nothing was found; findings are never masked
# by a stray or unreadable file (issue 13): exit 1, the error on stderr and
# in JSON
"$CKPT" secrets "$T/nonexistent.tar" > /dev/null 2> "$T/err"; rc=$?
check "a checkpoint that cannot be opened: exit 2" test "$rc" = 2
"$CKPT" secrets "$FX/podman-none.tar" "$T/nonexistent.tar" > /dev/null 2> "$T/err"; rc=$?
check "an error among findings: findings win, exit 1, error named" sh -c \
  'test "$1" = 1 && grep -q nonexistent.tar "$2"' sh "$rc" "$T/err"
mkdir "$T/sweep"
ln -s "$FX/podman-none.tar" "$T/sweep/a.tar"
printf 'stray\n' > "$T/sweep/notes.txt"
mkfifo "$T/sweep/z-fifo" 2>/dev/null || :
"$CKPT" --format json secrets "$T/sweep" > "$T/sweep.json" 2> "$T/err"; rc=$?
check "a directory with a stray file: exit 1, stray named on stderr" sh -c \
  'test "$1" = 1 && grep -q "notes.txt: not a checkpoint" "$2"' sh "$rc" "$T/err"
check "a directory with a stray file: its error in JSON, findings kept" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["checkpoints"]
bad = [c for c in d if c["path"].endswith("notes.txt")]
assert bad and bad[0]["errors"], d
good = [c for c in d if c["path"].endswith("a.tar")][0]
assert good["plugins"]["secrets"]["tables"]["findings"], good
' "$T/sweep.json"
"$CKPT" secrets --rules="$T/none.yar" "$FX/podman-none.tar" > /dev/null 2> "$T/err"; rc=$?
check "missing rules: exit 2, the file named" sh -c 'test "$1" = 2 && grep -q none.yar "$2"' sh "$rc" "$T/err"
head -c 100000 "$FX/podman-none.tar" > "$T/cut.tar"
"$CKPT" secrets "$T/cut.tar" > /dev/null 2> "$T/err"; rc=$?
check "a truncated archive: exit 2 with a message" sh -c 'test "$1" = 2 && test -s "$2"' sh "$rc" "$T/err"
"$CKPT" secrets --bogus "$FX/podman-none.tar" > /dev/null 2> "$T/err"; rc=$?
check "an unknown flag: exit 2" test "$rc" = 2
# a chained hex string spans as far as its jump: a match of 16,400+ bytes
# of memory (longer than any value) is dropped, never read whole into the
# validator's buffer (SECRETS_EXTENT_MAX); ASan's run of this test is what
# an overflow would fail
printf 'rule long_span { meta: kind = "test-long" strings: $v = { 01 [16400-16500] 01 } condition: $v }\n' > "$T/long.yar"
"$CKPT" yara -r "$T/long.yar" --format json "$FX/real-redis.tar" > "$T/long-yara.json" 2>/dev/null
check "a rule whose match spans more than 16 KiB of real-redis's memory (yara)" \
  python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["checkpoints"][0]["plugins"]["yara"]["tables"]
assert any(h["length"] > 16384 for h in t["hits"]), [h["length"] for h in t["hits"]][:5]
' "$T/long-yara.json"
"$CKPT" secrets --format json --rules="$T/long.yar" "$FX/real-redis.tar" > "$T/long.json" 2> "$T/long.err"; rc=$?
check "secrets with that rule: no crash, no finding of it" sh -c \
  'test "$1" -le 1 && ! grep -q test-long "$2" && ! grep -q AddressSanitizer "$3"' \
  sh "$rc" "$T/long.json" "$T/long.err"

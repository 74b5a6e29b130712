/* test-secrets.c - the secrets plugin: its detectors alone (vendor samples,
 * false-positive shapes that must stay quiet, JWT decoding, redaction, bad
 * bytes and bad rules), then the plugin through the real host over the
 * real fixtures: every planted secret (tests/fixtures/README.md, env.txt,
 * markers-*.txt) found where the workload put it, grouped, and never in
 * the default output in full.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "secrets-detect.h"
#include "fixture.h"
#include "liveenv.h"
#include "host/host.h"
#include "model/model.h"
#include "host/results.h"
#include "host/run.h"

/* The constants planted by tests/fixtures/workload.c. */
static const char SLACK[] =
    "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B";
static const char SESSION[] = "sess_9c4e7a1f2b8d3e6a5c0f7b2d9e4a1c8f";
static const char GITLAB[] = "glpat-Xk3vQ9mT2rLp7WnB4yZc";
static const char JWT[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ."
    "eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwia3ViZXJuZXRlcy5pby9zZXJ2"
    "aWNlYWNjb3VudC9u"
    "YW1lc3BhY2UiOiJkZWZhdWx0Iiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9zZWNy"
    "ZXQubmFtZSI6ImNr"
    "cHQtdG9rZW4tN3hrMnEiLCJrdWJlcm5ldGVzLmlvL3NlcnZpY2VhY2NvdW50L3NlcnZpY2Ut"
    "YWNjb3VudC5uYW1l"
    "IjoiY2twdCIsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDpkZWZhdWx0OmNrcHQifQ."
    "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8"
    "PT4_QEFCQ0RFRg";
static const char PEM_HEAD[] = "-----BEGIN RSA PRIVATE KEY-----";
static const char PEM_BODY[] =
    "MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQCkptOwO6k9mGg5Rn7lTRFAKEfixturex";

static SecretsEngine *engine;
static CkptHost *host;

/* ---- helpers ----------------------------------------------------------- */

static char *
default_rules(void)
{
  const char *src = fixture_env("CKPT_SOURCE_ROOT");
  return g_strdup_printf("%s/rules/credentials.yar,%s/rules/keys.yar,"
                         "%s/rules/secrets",
                         src, src, src);
}

/* env.txt as NAME -> VALUE */
static GHashTable *
planted_env(void)
{
  g_autofree char *path = fixture_path("env.txt");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  GHashTable *h =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (size_t i = 0; lines[i]; i++) {
    char *eq = strchr(lines[i], '=');
    if (eq)
      g_hash_table_insert(h, g_strndup(lines[i], (size_t)(eq - lines[i])),
                          g_strdup(eq + 1));
  }
  g_assert_cmpuint(g_hash_table_size(h), ==, 5);
  return h;
}

static const char *
env_value(GHashTable *env, const char *name)
{
  const char *v = g_hash_table_lookup(env, name);
  g_assert_nonnull(v);
  return v;
}

/* every full secret value planted in the fixture */
static GPtrArray *
planted_values(void)
{
  GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) env = planted_env();
  GHashTableIter it;
  gpointer val;
  g_hash_table_iter_init(&it, env);
  while (g_hash_table_iter_next(&it, NULL, &val))
    g_ptr_array_add(v, g_strdup(val));
  g_ptr_array_add(v, g_strdup(SLACK));
  g_ptr_array_add(v, g_strdup(SESSION));
  g_ptr_array_add(v, g_strdup(GITLAB));
  g_ptr_array_add(v, g_strdup(JWT));
  g_ptr_array_add(v, g_strdup(PEM_BODY));
  g_ptr_array_add(v, g_strdup("S3cretPass"));
  return v;
}

/* marker name -> address for pid 1, from markers-<fixture>.txt */
static uint64_t
marker(const char *fixture, const char *name)
{
  g_autoptr(GArray) m = fixture_markers(fixture);
  for (guint i = 0; i < m->len; i++) {
    const FixtureMarker *k = &g_array_index(m, FixtureMarker, i);
    if (k->pid == 1 && strcmp(k->name, name) == 0)
      return k->addr;
  }
  g_error("no marker %s of pid 1 in the markers of %s", name, fixture);
  return 0;
}

/* All candidates the detectors make of one buffer (rules and names). */
static GPtrArray *
detect(const char *text)
{
  GPtrArray *out =
      g_ptr_array_new_with_free_func((GDestroyNotify)secrets_candidate_free);
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  g_autoptr(GError) error = NULL;
  size_t len = strlen(text);
  g_assert_true(
      secrets_scan_buffer(engine, (const uint8_t *)text, len, hits, &error));
  g_assert_no_error(error);
  for (guint i = 0; i < hits->len; i++) {
    const SecretsHit *h = &g_array_index(hits, SecretsHit, i);
    g_assert_cmpuint(h->offset + h->len, <=, len);
    SecretsCandidate *c =
        secrets_validate(h, (const uint8_t *)text + h->offset, len - h->offset);
    if (c)
      g_ptr_array_add(out, c);
  }
  const char *eq = strchr(text, '=');
  if (eq && !strchr(text, '\n')) {
    g_autofree char *name = g_strndup(text, (size_t)(eq - text));
    SecretsCandidate *c = secrets_check_env_name(name, eq + 1);
    if (c)
      g_ptr_array_add(out, c);
  }
  return out;
}

static const SecretsCandidate *
best(GPtrArray *cands)
{
  const SecretsCandidate *b = NULL;
  for (guint i = 0; i < cands->len; i++) {
    const SecretsCandidate *c = cands->pdata[i];
    if (!b || c->priority > b->priority)
      b = c;
  }
  return b;
}

/* ---- detectors --------------------------------------------------------- */

static void
test_engine(void)
{
  g_assert_nonnull(engine);
  /* 13 shared credential/key rules + 5 of rules/secrets */
  g_assert_cmpuint(engine->n_detectors, >=, 18);
}

static void
test_samples(void)
{
  static const struct {
    const char *text, *kind, *value;
  } samples[] = {
      {"AWS_ACCESS_KEY_ID=AKIAZDOC9IS0J8HT9LGM", "aws-access-key-id",
       "AKIAZDOC9IS0J8HT9LGM"},
      {"x ASIAY34FZKBOKMUTVV7A y", "aws-access-key-id", "ASIAY34FZKBOKMUTVV7A"},
      {"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYCKPTFIX012\n",
       "aws-secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCKPTFIX012"},
      {"{\"type\": \"service_account\", \"project_id\": \"p\",\n"
       " \"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\",\n"
       " \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMII\"}",
       "gcp-service-account-key", "0123456789abcdef0123456789abcdef01234567"},
      {"token ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d.", "github-token",
       "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"},
      {"GITLAB_TOKEN=glpat-Xk3vQ9mT2rLp7WnB4yZc\n", "gitlab-token", GITLAB},
      {"glrt-AbCdEfGhIjKlMnOpQrSt12", "gitlab-token",
       "glrt-AbCdEfGhIjKlMnOpQrSt12"},
      {SLACK, "slack-token", SLACK},
      {"https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/"
       "abcdefghijklmnopqrstuvwx",
       "slack-webhook",
       "hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/abcdefghijklmnopqrstuvwx"},
      {"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key",
       "sk_live_4eC39HqLyjWDarjtT1zdp7dc"},
      {"sk_test_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key",
       "sk_test_4eC39HqLyjWDarjtT1zdp7dc"},
      {JWT, "kubernetes-service-account-token", JWT},
      {"DATABASE_URL=postgres://app:S3cretPass@db:5432/app", "url-password",
       "postgres://app:S3cretPass@db:5432"},
      {"SESSION_SECRET=sess_9c4e7a1f2b8d3e6a5c0f7b2d9e4a1c8f", NULL, SESSION},
      {"API_TOKEN=tok_live_4f9a2c7e1b3d8f6a0c5e91d2", NULL,
       "tok_live_4f9a2c7e1b3d8f6a0c5e91d2"},
      {"DB_PASSWORD=hunter22", "secret-env", "hunter22"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
    g_autoptr(GPtrArray) c = detect(samples[i].text);
    const SecretsCandidate *b = best(c);
    if (!b)
      g_error("sample %zu (%s): nothing found", i, samples[i].text);
    if (samples[i].kind)
      g_assert_cmpstr(b->kind, ==, samples[i].kind);
    g_assert_cmpstr(b->value, ==, samples[i].value);
  }
}

/* A PEM key is taken up to its END line, so the whole block is one value. */
static void
test_pem_extent(void)
{
  g_autofree char *text = g_strdup_printf(
      "junk\n%s\n%s\nZk9CcHRGaXh0dXJlTm90QVJlYWxLZXlKdXN0VGVzdERhdGFGb3JDa3B0\n"
      "-----END RSA PRIVATE KEY-----\ntrailer",
      PEM_HEAD, PEM_BODY);
  g_autoptr(GPtrArray) c = detect(text);
  const SecretsCandidate *b = best(c);
  g_assert_nonnull(b);
  g_assert_cmpstr(b->kind, ==, "private-key");
  g_assert_true(g_str_has_prefix(b->value, PEM_HEAD));
  g_assert_true(g_str_has_suffix(b->value, "-----END RSA PRIVATE KEY-----"));
  /* a header alone is in every TLS library: not a key */
  g_autofree char *alone = g_strdup_printf("%s\n\n", PEM_HEAD);
  g_autoptr(GPtrArray) none = detect(alone);
  g_assert_cmpuint(none->len, ==, 0);
}

/* Known false-positive shapes: random-looking but no credential. */
static void
test_false_positives(void)
{
  static const char *const shapes[] = {
      "3f2b9c4e-8d1a-4f7e-9b6c-2a5d8e1f0c37",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "5d8c344c5a6bb12b6b96fccd5360eb6077aacc90",
      "d41d8cd98f00b204e9800998ecf8427e",
      "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZw==",
      "SGVsbG8sIHRoaXMgaXMgbm90IGEgc2VjcmV0LCBqdXN0IHNvbWUgdGV4dA",
  };
  static const struct {
    const char *before, *after;
  } contexts[] = {
      {"", ""},
      {"REQUEST_ID=", ""},
      {"IMAGE_DIGEST=", ""},
      {"GIT_COMMIT=", ""},
      {"payload=", ""},
      {"{\"id\": \"", "\"}"},
      /* secret-like words next to hashes and ids: the entropy check must
       * tell them from keys */
      {"auth_digest=", ""},
      {"token_id: ", ""},
      {"secret_sha=", ""},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
    for (size_t k = 0; k < G_N_ELEMENTS(contexts); k++) {
      /* base64 of text under a secret-like name is what a secret looks
       * like too; only neutral contexts for those */
      if (i >= 5 && k >= 6)
        continue;
      g_autofree char *text =
          g_strconcat(contexts[k].before, shapes[i], contexts[k].after, NULL);
      g_autoptr(GPtrArray) c = detect(text);
      if (c->len)
        g_error("false positive on \"%s\": %s", text,
                ((SecretsCandidate *)c->pdata[0])->kind);
    }
  }
  static const char *const env[] = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOSTNAME=2458fcc99cd8",
      "HOME=/root",
      "SSH_AUTH_SOCK=/tmp/ssh-XXXXdjWk3b/agent.1234",
      "TOKEN_FILE=/var/run/secrets/kubernetes.io/serviceaccount/token",
      "KEYCLOAK_PORT=8443",
      "AUTH_ENABLED=true",
      "container=podman",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(env); i++) {
    g_autoptr(GPtrArray) c = detect(env[i]);
    if (c->len)
      g_error("false positive on %s: %s", env[i],
              ((SecretsCandidate *)c->pdata[0])->kind);
  }
}

static void
test_hash_shapes(void)
{
  g_assert_true(
      secrets_is_hash_shape("3F2B9C4E-8D1A-4F7E-9B6C-2A5D8E1F0C37", 36));
  g_assert_false(
      secrets_is_hash_shape("3f2b9c4e-8d1a-4f7e-9b6c-2a5d8e1f0c3", 35));
  g_assert_true(secrets_is_hash_shape("sha1:0123456789abcdef", 21));
  g_assert_false(secrets_is_hash_shape("sha256:", 7));
  g_assert_false(secrets_is_hash_shape("0123456789abcdef0123", 20));
  g_assert_cmpint(secrets_entropy("aaaa", 4), ==, 0);
  g_assert_cmpint(secrets_entropy("abcd", 4), ==, 200);
}

static void
test_jwt(void)
{
  g_autofree char *d = secrets_jwt_describe(JWT, strlen(JWT));
  g_assert_nonnull(d);
  g_assert_nonnull(strstr(d, "alg=RS256"));
  g_assert_nonnull(strstr(d, "iss=kubernetes/serviceaccount"));
  g_assert_nonnull(strstr(d, "sub=system:serviceaccount:default:ckpt"));
  g_assert_nonnull(strstr(d, "kubernetes service-account token"));
  /* the summary never carries the signature */
  g_assert_null(strstr(d, "BwgJCgsMDQ4P"));

  /* not JSON inside, a missing part, an extra part, bad characters */
  static const char *const bad[] = {
      "eyJub3Rqc29u.eyJpc3MiOiJ4In0.c2ln",
      "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0",
      "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln.more",
      "eyJhbGciOiJIUzI1NiJ9.eyJpc3M!OiJ4In0.c2ln",
      "eyJ0eXAiOiJKV1QifQ.eyJpc3MiOiJ4In0.c2ln", /* header without alg */
      "e.e.e",
      "",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *x = secrets_jwt_describe(bad[i], strlen(bad[i]));
    if (x)
      g_error("accepted bad jwt %s: %s", bad[i], x);
  }
  g_autofree char *hs = secrets_jwt_describe(
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln",
      69);
  g_assert_cmpstr(hs, ==, "alg=HS256 sub=alice exp=1700000000");
}

static void
test_redact(void)
{
  static const struct {
    const char *kind, *value, *shown;
  } cases[] = {
      {"aws-access-key-id", "AKIAZDOC9IS0J8HT9LGM", "AKIA\u2026(20)"},
      {"url-password", "postgres://app:S3cretPass@db:5432/app",
       "postgres://app:***@db:5432/app"},
      {"secret-env", "hunter22", "\u2026(8)"},
      {"secret-env", "0123456789ab", "01\u2026(12)"},
      {"private-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END",
       "-----BEGIN RSA PRIVATE KEY-----\u2026(45)"},
      /* not UTF-8: nothing of it is shown */
      {"secret-env",
       "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3"
       "\xf2\xf1\xf0\xef\xee\xed\xec",
       "\u2026(20)"},
      /* UTF-8: cut on a character boundary */
      {"secret-env", "\xc3\xa9\xc3\xa9\xc3\xa9xxxxxxxxxxxxxxxxxx",
       "\xc3\xa9\xc3\xa9\u2026(24)"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *s = secrets_redact(cases[i].kind, cases[i].value);
    g_assert_cmpstr(s, ==, cases[i].shown);
  }
}

/* Bad bytes through the scanner and validators: truncated tokens, a
 * checkpoint's raw pages, random bytes; bad rule sources. */
static void
test_bad_input(void)
{
  /* every prefix of a text full of secrets */
  g_autofree char *text = g_strdup_printf(
      "%s\n%s\n%s\n%s\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/"
      "bPxRfiCYCKPTFIX012\n{\"type\": \"service_account\", "
      "\"private_key_id\": \"0123\n",
      JWT, PEM_HEAD, PEM_BODY, SLACK);
  size_t len = strlen(text);
  for (size_t cut = 0; cut <= len; cut += 7) {
    g_autofree char *part = g_strndup(text, cut);
    g_autoptr(GPtrArray) c = detect(part);
    for (guint i = 0; i < c->len; i++) {
      const SecretsCandidate *x = c->pdata[i];
      g_assert_cmpuint(strlen(x->value), <=, cut);
    }
  }
  /* random bytes */
  GRand *r = g_rand_new_with_seed(7);
  g_autofree uint8_t *buf = g_malloc(1 << 16);
  for (size_t i = 0; i < (1 << 16); i++)
    buf[i] = (uint8_t)g_rand_int(r);
  g_rand_free(r);
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  g_assert_true(secrets_scan_buffer(engine, buf, 1 << 16, hits, NULL));

  /* a rule file that does not compile: the error names file and line */
  g_autofree char *dir = fixture_tmpdir();
  g_autofree char *bad = g_build_filename(dir, "bad.yar", NULL);
  g_assert_true(g_file_set_contents(
      bad, "rule ok { condition: true }\nrule broken { strings: $a = \n", -1,
      NULL));
  g_autoptr(GError) error = NULL;
  SecretsEngine *e = secrets_engine_new(bad, &error);
  g_assert_null(e);
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull(strstr(error->message, "bad.yar:"));
  g_clear_error(&error);
  g_autofree char *missing = g_build_filename(dir, "nope.yar", NULL);
  g_assert_null(secrets_engine_new(missing, &error));
  g_assert_nonnull(strstr(error->message, "nope.yar"));
  g_clear_error(&error);
  g_assert_null(secrets_engine_new(dir, &error)); /* only bad.yar */
  g_clear_error(&error);
  g_remove(bad);
  g_assert_null(secrets_engine_new(dir, &error)); /* empty directory */
  g_assert_nonnull(strstr(error->message, "no .yar"));
  g_rmdir(dir);
}

/* What getenv() would match, for the live environment search. */
static void
test_assignment_shape(void)
{
  static const char *const good[] = {"A=b", "PATH=/bin", "_X.y-z=1", "E="};
  static const char *const bad[] = {"=x",
                                    "1A=b",
                                    "PATH",
                                    "A B=c",
                                    "",
                                    "\xff"
                                    "A=b"};
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
    g_assert_true(ckpt_env_is_assignment(good[i], strlen(good[i])));
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    g_assert_false(ckpt_env_is_assignment(bad[i], strlen(bad[i])));
}

/* ---- the plugin over the fixtures -------------------------------------- */

static void
load_plugin(void)
{
  const char *build = fixture_env("CKPT_BUILD_ROOT");
  host = ckpt_host_new();
  g_autofree char *path =
      g_build_filename(build, "plugins", "secrets", "secrets.so", NULL);
  g_autoptr(GError) error = NULL;
  if (!ckpt_host_load_file(host, path, &error))
    g_error("loading %s: %s", path, error->message);
  ckpt_host_finish(host, ckpt_api_table());
}

static CkptReport *
run_secrets(const char *fixture, gboolean reveal)
{
  g_autofree char *path = fixture_path(fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(path, NULL, &error);
  g_assert_no_error(error);
  const CkptLoadedPlugin *lp = ckpt_host_find(host, "secrets");
  g_assert_nonnull(lp);
  GArray *opts = ckpt_options_new(lp->desc);
  g_autofree char *rules = default_rules();
  g_assert_true(ckpt_options_set(opts, lp->desc, "rules", rules, &error));
  g_assert_true(ckpt_options_set(opts, lp->desc, "reveal",
                                 reveal ? "true" : "false", &error));
  g_assert_no_error(error);
  CkptReport *r = ckpt_report_new(path);
  /* as the CLI does: secrets.reveal turns the host's redaction off too */
  ckpt_host_set_reveal(host, reveal);
  CkptPluginOutcome o = ckpt_host_run_plugin(host, lp, c, opts, r);
  g_assert_cmpint(o, ==, CKPT_PLUGIN_RAN_OK);
  g_array_unref(opts);
  return r;
}

static const CkptResult *
table(const CkptReport *r, const char *name)
{
  const CkptResult *t = ckpt_report_table(r, "secrets", name);
  g_assert_nonnull(t);
  return t;
}

static int
col(const CkptResult *t, const char *name)
{
  for (size_t i = 0; t->decl->columns[i].name; i++)
    if (strcmp(t->decl->columns[i].name, name) == 0)
      return (int)i;
  g_error("no column %s in %s", name, t->decl->name);
  return -1;
}

static const CkptValue *
cell(const CkptResult *t, size_t row, const char *name)
{
  return &g_array_index(t->rows, CkptRow, row).values[col(t, name)];
}

static const char *
cell_str(const CkptResult *t, size_t row, const char *name)
{
  const CkptValue *v = cell(t, row, name);
  return v->type == CKPT_T_STR ? v->v.s : NULL;
}

/* the finding row whose (revealed) value equals v, or -1 */
static long
finding_by_value(const CkptResult *f, const char *v)
{
  long found = -1;
  for (size_t i = 0; i < f->rows->len; i++) {
    if (g_strcmp0(cell_str(f, i, "value"), v) == 0) {
      g_assert_cmpint(found, ==, -1); /* grouped: one finding per value */
      found = (long)i;
    }
  }
  return found;
}

/* Is there a location of finding id with this source, pid, name or
 * address, path? (0 / NULL: any) */
static gboolean
has_place(const CkptResult *l, uint64_t id, const char *source, uint32_t pid,
          const char *name, uint64_t addr, const char *vma, const char *path)
{
  for (size_t i = 0; i < l->rows->len; i++) {
    if (cell(l, i, "finding")->v.u != id ||
        g_strcmp0(cell_str(l, i, "source"), source) != 0)
      continue;
    const CkptValue *p = cell(l, i, "pid");
    if (pid && (p->type == CKPT_T_NULL || p->v.u != pid))
      continue;
    if (name && g_strcmp0(cell_str(l, i, "name"), name) != 0)
      continue;
    const CkptValue *a = cell(l, i, "address");
    if (addr && (a->type == CKPT_T_NULL || a->v.u != addr))
      continue;
    if (vma && g_strcmp0(cell_str(l, i, "vma"), vma) != 0)
      continue;
    if (path && g_strcmp0(cell_str(l, i, "path"), path) != 0)
      continue;
    return TRUE;
  }
  return FALSE;
}

static uint64_t
id_of(const CkptResult *f, long row)
{
  g_assert_cmpint(row, >=, 0);
  return cell(f, (size_t)row, "id")->v.u;
}

static void
check_planted(const char *fixture, const char *markers, gboolean has_spec)
{
  g_autoptr(CkptReport) r = run_secrets(fixture, TRUE);
  const CkptResult *f = table(r, "findings");
  const CkptResult *l = table(r, "locations");
  g_autoptr(GHashTable) env = planted_env();

  /* environment secrets: in the spec, in every live process's env, in
   * their memory */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, env);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const char *value = v;
    long row = finding_by_value(f, value);
    if (strcmp(k, "DATABASE_URL") == 0)
      row = finding_by_value(f, "postgres://app:S3cretPass@db:5432");
    if (row < 0)
      g_error("%s: %s not found", fixture, (const char *)k);
    uint64_t id = id_of(f, row);
    for (uint32_t pid = 1; pid <= 5; pid++) {
      gboolean want = pid != 3 && pid != 4; /* zombie; 4 is a thread */
      g_assert_cmpint(has_place(l, id, "env", pid, k, 0, NULL, NULL), ==, want);
    }
    g_assert_true(has_place(l, id, "memory", 1, NULL, 0, "stack", NULL));
    g_assert_cmpint(has_place(l, id, "spec-env", 0, k, 0, NULL, NULL), ==,
                    has_spec);
    g_assert_cmpstr(cell_str(f, (size_t)row, "pids"), ==, "1,2,5");
  }
  g_assert_cmpstr(
      cell_str(f,
               (size_t)finding_by_value(f, env_value(env, "AWS_ACCESS_KEY_ID")),
               "kind"),
      ==, "aws-access-key-id");

  /* the heap secrets at the addresses the workload recorded, in pid 1 and
   * in its fork, pid 5, at the same address; not in pid 2 (forked before) */
  static const struct {
    const char *marker, *value;
  } heap[] = {{"slack", SLACK}, {"jwt", JWT}, {"session-secret", SESSION}};
  for (size_t i = 0; i < G_N_ELEMENTS(heap); i++) {
    uint64_t id = id_of(f, finding_by_value(f, heap[i].value));
    uint64_t addr = marker(markers, heap[i].marker);
    g_assert_true(has_place(l, id, "memory", 1, NULL, addr, "heap", NULL));
    g_assert_true(has_place(l, id, "memory", 5, NULL, addr, "heap", NULL));
    g_assert_false(has_place(l, id, "memory", 2, NULL, 0, NULL, NULL));
  }
  long jwt = finding_by_value(f, JWT);
  g_assert_cmpstr(cell_str(f, (size_t)jwt, "kind"), ==,
                  "kubernetes-service-account-token");
  g_assert_nonnull(strstr(cell_str(f, (size_t)jwt, "detail"),
                          "sub=system:serviceaccount:default:ckpt"));

  /* the PEM key: one finding from its header to its END line */
  long pem = -1;
  for (size_t i = 0; i < f->rows->len; i++)
    if (g_str_has_prefix(cell_str(f, i, "value"), PEM_HEAD))
      pem = (long)i;
  g_assert_cmpint(pem, >=, 0);
  g_assert_nonnull(strstr(cell_str(f, (size_t)pem, "value"), PEM_BODY));
  g_assert_true(has_place(l, id_of(f, pem), "memory", 1, NULL,
                          marker(markers, "pem"), "heap", NULL));

  /* files of the rootfs diff (a bare CRIU directory has none) */
  if (has_spec) {
    g_assert_true(has_place(l, id_of(f, finding_by_value(f, GITLAB)),
                            "rootfs-diff", 0, NULL, 0, NULL,
                            "/app/config.env"));
    g_assert_true(has_place(
        l,
        id_of(f, finding_by_value(f, env_value(env, "AWS_SECRET_ACCESS_KEY"))),
        "rootfs-diff", 0, NULL, 0, NULL, "/root/.aws/credentials"));
    g_assert_true(has_place(
        l, id_of(f, finding_by_value(f, env_value(env, "AWS_ACCESS_KEY_ID"))),
        "rootfs-diff", 0, NULL, 0, NULL, "/root/.aws/credentials"));
  }

  /* the environment table: configured beside in-process; SESSION_SECRET
   * was set by setenv() after exec: only in the live environ array, on the
   * heap of pid 1 and of its later fork pid 5 */
  const CkptResult *e = table(r, "environment");
  gboolean saw_token = FALSE, saw_session = FALSE;
  for (size_t i = 0; i < e->rows->len; i++) {
    const char *name = cell_str(e, i, "name");
    if (g_strcmp0(name, "API_TOKEN") == 0) {
      saw_token = TRUE;
      g_assert_cmpstr(cell_str(e, i, "status"), ==,
                      has_spec ? "same" : "added");
      g_assert_cmpstr(cell_str(e, i, "pids"), ==, "1,2,5");
      g_assert_cmpint(cell(e, i, "secret")->v.i, ==, 1);
      g_assert_cmpint(cell(e, i, "runtime_value")->type, ==, CKPT_T_NULL);
    }
    if (g_strcmp0(name, "SESSION_SECRET") == 0) {
      g_assert_false(saw_session); /* one row: same in both */
      saw_session = TRUE;
      g_assert_cmpstr(cell_str(e, i, "status"), ==, "set-at-runtime");
      g_assert_cmpstr(cell_str(e, i, "pids"), ==, "1,5");
      g_assert_cmpint(cell(e, i, "spec_value")->type, ==, CKPT_T_NULL);
      g_assert_cmpint(cell(e, i, "process_value")->type, ==, CKPT_T_NULL);
      g_assert_cmpstr(cell_str(e, i, "runtime_value"), ==, SESSION);
      g_assert_cmpint(cell(e, i, "secret")->v.i, ==, 1);
    }
    if (g_strcmp0(name, "HOME") == 0)
      g_assert_cmpint(cell(e, i, "secret")->v.i, ==, 0);
  }
  g_assert_true(saw_session);
  uint64_t sid = id_of(f, finding_by_value(f, SESSION));
  g_assert_true(
      has_place(l, sid, "runtime-env", 1, "SESSION_SECRET", 0, NULL, NULL));
  g_assert_true(
      has_place(l, sid, "runtime-env", 5, "SESSION_SECRET", 0, NULL, NULL));
  g_assert_false(has_place(l, sid, "runtime-env", 2, NULL, 0, NULL, NULL));
  g_assert_false(has_place(l, sid, "env", 0, NULL, 0, NULL, NULL));
  g_assert_true(saw_token);
}

/* Not one planted value, in full, in any cell of any table by default. */
static void
check_redacted(const char *fixture)
{
  g_autoptr(CkptReport) r = run_secrets(fixture, FALSE);
  g_autoptr(GPtrArray) values = planted_values();
  static const char *const tables[] = {"findings", "locations", "environment"};
  size_t n_cells = 0;
  for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
    const CkptResult *res = table(r, tables[t]);
    for (size_t i = 0; i < res->rows->len; i++) {
      const CkptRow *row = &g_array_index(res->rows, CkptRow, i);
      for (size_t c = 0; c < res->n_columns; c++) {
        if (row->values[c].type != CKPT_T_STR)
          continue;
        n_cells++;
        for (guint k = 0; k < values->len; k++)
          if (strstr(row->values[c].v.s, values->pdata[k]))
            g_error("%s: %s.%s row %zu shows a secret: %s", fixture, tables[t],
                    res->decl->columns[c].name, i, row->values[c].v.s);
      }
    }
  }
  g_assert_cmpuint(n_cells, >, 50);
  g_assert_cmpuint(table(r, "findings")->rows->len, >=, 10);
}

static void
test_fixture(gconstpointer data)
{
  const char *fixture = data;
  g_autofree char *markers = fixture_base(fixture);
  check_planted(fixture, markers, strcmp(fixture, "criu-dir") != 0);
  check_redacted(fixture);
}

/* A rule set that does not compile fails the plugin with the reason. */
static void
test_plugin_bad_rules(void)
{
  g_autofree char *path = fixture_path("podman-none.tar");
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(path, NULL, NULL);
  g_assert_nonnull(c);
  const CkptLoadedPlugin *lp = ckpt_host_find(host, "secrets");
  GArray *opts = ckpt_options_new(lp->desc);
  g_assert_true(
      ckpt_options_set(opts, lp->desc, "rules", "/nonexistent.yar", NULL));
  g_autoptr(CkptReport) r = ckpt_report_new(path);
  CkptPluginOutcome o = ckpt_host_run_plugin(host, lp, c, opts, r);
  g_assert_cmpint(o, ==, CKPT_PLUGIN_RAN_FAILED);
  CkptPluginResult *pr = ckpt_report_plugin(r, "secrets");
  g_assert_nonnull(pr);
  g_assert_cmpuint(pr->messages->len, >=, 1);
  g_assert_nonnull(strstr(pr->messages->pdata[0], "/nonexistent.yar"));
  g_array_unref(opts);
}

/* Copies criu-dir into a temporary directory with every pages-*.img
 * rewritten by fill (same size); returns the directory. */
typedef void (*FillFn)(uint8_t *data, size_t len, uint64_t env_start);

static char *
corrupted_copy(FillFn fill, uint64_t env_start)
{
  char *dir = fixture_copy_criu_dir();
  /* names first: rewriting files while reading the directory could show
   * the temporary files g_file_set_contents makes */
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, "pages-"))
      g_ptr_array_add(pages, g_strdup(name));
  for (guint i = 0; i < pages->len; i++) {
    g_autoptr(GByteArray) b = fixture_read_file(dir, pages->pdata[i]);
    fill(b->data, b->len, env_start);
    fixture_write_file(dir, pages->pdata[i], b->data, b->len);
  }
  return dir;
}

/* Every word a pointer into the env area, every other word too, and
 * random bytes: the live-environment search and the scanners meet
 * hostile memory and must finish. */
static void
fill_env_pointers(uint8_t *data, size_t len, uint64_t env_start)
{
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t w = env_start + (i % 64);
    memcpy(data + i, &w, 8);
  }
}

static void
fill_alternating(uint8_t *data, size_t len, uint64_t env_start)
{
  for (size_t i = 0; i + 16 <= len; i += 16) {
    uint64_t w = env_start, z = (i / 16) % 3 ? env_start + 8 : 0;
    memcpy(data + i, &w, 8);
    memcpy(data + i + 8, &z, 8);
  }
}

static void
fill_random(uint8_t *data, size_t len, uint64_t env_start)
{
  GRand *r = g_rand_new_with_seed((guint32)env_start);
  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)g_rand_int(r);
  g_rand_free(r);
}

static void
test_hostile_memory(void)
{
  g_autoptr(CkptCheckpoint) c0 = fixture_open("criu-dir");
  const CkptProcess *p1 = ckpt_checkpoint_process(c0, 1);
  g_assert_nonnull(p1);
  uint64_t env_start = p1->info.mm_env_start;
  static const FillFn fills[] = {fill_env_pointers, fill_alternating,
                                 fill_random};
  for (size_t i = 0; i < G_N_ELEMENTS(fills); i++) {
    g_autofree char *dir = corrupted_copy(fills[i], env_start);
    /* page contents are raw bytes: the loader takes them as they are */
    g_autoptr(CkptCheckpoint) c = fixture_open(dir);
    {
      const CkptLoadedPlugin *lp = ckpt_host_find(host, "secrets");
      GArray *opts = ckpt_options_new(lp->desc);
      g_autofree char *rules = default_rules();
      g_assert_true(ckpt_options_set(opts, lp->desc, "rules", rules, NULL));
      g_autoptr(CkptReport) r = ckpt_report_new(dir);
      CkptPluginOutcome o = ckpt_host_run_plugin(host, lp, c, opts, r);
      g_assert_cmpint(o, <=, CKPT_PLUGIN_RAN_WARN);
      /* no live environment made of garbage */
      const CkptResult *e = table(r, "environment");
      for (size_t k = 0; k < e->rows->len; k++)
        g_assert_true(g_str_has_prefix(cell_str(e, k, "status"), "added"));
      g_array_unref(opts);
    }
    fixture_rm_rf(dir);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autofree char *rules = default_rules();
  g_autoptr(GError) error = NULL;
  g_assert_true(secrets_engine_global_init(&error));
  engine = secrets_engine_new(rules, &error);
  g_assert_no_error(error);
  load_plugin();

  g_test_add_func("/secrets/engine", test_engine);
  g_test_add_func("/secrets/samples", test_samples);
  g_test_add_func("/secrets/pem-extent", test_pem_extent);
  g_test_add_func("/secrets/false-positives", test_false_positives);
  g_test_add_func("/secrets/hash-shapes", test_hash_shapes);
  g_test_add_func("/secrets/jwt", test_jwt);
  g_test_add_func("/secrets/redact", test_redact);
  g_test_add_func("/secrets/bad-input", test_bad_input);
  g_test_add_func("/secrets/assignment-shape", test_assignment_shape);
  static const char *const fixtures[] = {
      "podman-none.tar", "podman-zstd.tar.zst", "podman-none-criu3.tar",
      "criu-dir",        "crio-none.tar",       "containerd-none.tar",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *name = g_strdup_printf("/secrets/fixture/%s", fixtures[i]);
    g_test_add_data_func(name, fixtures[i], test_fixture);
  }
  g_test_add_func("/secrets/plugin-bad-rules", test_plugin_bad_rules);
  g_test_add_func("/secrets/hostile-memory", test_hostile_memory);
  int rc = g_test_run();
  secrets_engine_free(engine);
  ckpt_host_free(host);
  return rc;
}

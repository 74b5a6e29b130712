/* secrets-detect.c - compiling the secret rules, scanning with them, and
 * turning raw matches into validated candidates. The "what" of each detector is
 * in the .yar files of rules/secrets; this file only holds the few checks YARA
 * cannot do (see secrets-detect.h) and the meta conventions those rules follow.
 */
#include <math.h>
#include <string.h>

#include "secrets-detect.h"

void
secrets_candidate_free(SecretsCandidate *c)
{
  if (!c)
    return;
  g_free(c->value);
  g_free(c->detail);
  g_free(c);
}

/* ---- compiling --------------------------------------------------------- */

typedef struct {
  GString *errors;
} CompileState;

static void
compile_cb(int level, const char *file, int line, const YR_RULE *rule,
           const char *message, void *user)
{
  CompileState *st = user;
  if (level != YARA_ERROR_LEVEL_ERROR)
    return;
  g_string_append_printf(st->errors, "%s%s:%d: %s", st->errors->len ? "; " : "",
                         file ? file : "?", line, message);
}

/* g_ptr_array_sort hands pointers to the elements */
static gint
cmp_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Adds the rule files of one source: itself, or a directory's *.yar and
 * *.yara files, sorted (not recursive). */
static gboolean
add_rule_files(GPtrArray *files, const char *path, GError **error)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                  "secrets rules: %s: no such file", path);
      return FALSE;
    }
    g_ptr_array_add(files, g_strdup(path));
    return TRUE;
  }
  g_autoptr(GDir) dir = g_dir_open(path, 0, error);
  if (!dir) {
    g_prefix_error(error, "secrets rules: ");
    return FALSE;
  }
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir))) {
    if (g_str_has_suffix(name, ".yar") || g_str_has_suffix(name, ".yara"))
      g_ptr_array_add(found, g_build_filename(path, name, NULL));
  }
  if (found->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "secrets rules: no .yar file in %s", path);
    return FALSE;
  }
  g_ptr_array_sort(found, cmp_paths);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add(files, g_strdup(found->pdata[i]));
  return TRUE;
}

/* How the secrets plugin reads the shared rules of the top of rules/, which
 * carry only description/author/reference/severity (rules/README.md):
 * what kind of secret each is, which strings hold the value and how to
 * get it out of a match. A rule's own meta (kind, priority, value_after,
 * validate, min_entropy, values) overrides its line here. */
typedef struct {
  const char *rule;
  const char *kind;
  int priority;
  const char *value_after;
  const char *validate;
  int min_entropy;
  const char *values; /* the value strings, e.g. "$jwt"; NULL: all */
} Semantics;

static const Semantics shared_rules[] = {
    {"aws_access_key_id", "aws-access-key-id", 50, NULL, NULL, 0, NULL},
    {"aws_secret_access_key", "aws-secret-access-key", 40, "= ", "entropy", 350,
     NULL},
    {"gcp_service_account_key", "gcp-service-account-key", 50, NULL,
     "json-value", 0, "$pkid"},
    {"github_token", "github-token", 50, NULL, NULL, 0, NULL},
    {"github_fine_grained_pat", "github-token", 50, NULL, NULL, 0, NULL},
    {"gitlab_personal_access_token", "gitlab-token", 50, NULL, NULL, 0, NULL},
    {"slack_token", "slack-token", 50, NULL, NULL, 0, NULL},
    {"stripe_live_key", "stripe-key", 50, NULL, NULL, 0, NULL},
    {"url_with_password", "url-password", 30, NULL, "url-password", 0, NULL},
    {"pem_private_key", "private-key", 50, NULL, "pem", 0, NULL},
    {"pgp_private_key_block", "private-key", 50, NULL, "pem", 0, NULL},
    {"jwt_token", "jwt", 45, NULL, "jwt", 0, NULL},
    {"kubernetes_service_account_token", "kubernetes-service-account-token", 46,
     NULL, "jwt", 0, "$jwt"},
    {NULL},
};

/* The shared rules that are no secrets (miners, shells) are not compiled
 * in: only files are, and a rule without semantics nor a kind meta is
 * ignored when it matches. */
static const Semantics *
shared_semantics(const char *rule)
{
  for (size_t i = 0; shared_rules[i].rule; i++)
    if (strcmp(shared_rules[i].rule, rule) == 0)
      return &shared_rules[i];
  return NULL;
}

static void
detector_from_meta(SecretsDetector *d, const YR_RULE *rule)
{
  const Semantics *sem = shared_semantics(rule->identifier);
  const YR_META *meta;
  d->rule = rule;
  if (sem) {
    d->kind = sem->kind;
    d->priority = sem->priority;
    d->value_after = sem->value_after;
    d->validate = sem->validate;
    d->min_entropy = sem->min_entropy;
    d->values = sem->values;
  }
  yr_rule_metas_foreach(rule, meta)
  {
    const char *id = meta->identifier;
    if (meta->type == META_TYPE_STRING) {
      if (strcmp(id, "kind") == 0)
        d->kind = meta->string;
      else if (strcmp(id, "value_after") == 0)
        d->value_after = meta->string;
      else if (strcmp(id, "validate") == 0)
        d->validate = meta->string;
      else if (strcmp(id, "severity") == 0)
        d->severity = meta->string;
      else if (strcmp(id, "values") == 0)
        d->values = meta->string;
    } else if (meta->type == META_TYPE_INTEGER) {
      if (strcmp(id, "priority") == 0)
        d->priority = (int)meta->integer;
      else if (strcmp(id, "min_entropy") == 0)
        d->min_entropy = (int)meta->integer;
    }
  }
}

/* A file's namespace: its base name up to the last dot. */
static char *
file_namespace(const char *file)
{
  char *ns = g_path_get_basename(file);
  char *dot = strrchr(ns, '.');
  if (dot)
    *dot = '\0';
  return ns;
}

/* Each file is its own namespace, named after it, as the yara plugin
 * does: two files may then hold rules of the same name. */
static int
compile_file(YR_COMPILER *compiler, const char *file, GString *errors)
{
  FILE *fp = fopen(file, "r");
  if (!fp) {
    g_string_append_printf(errors, "%s%s: cannot open", errors->len ? "; " : "",
                           file);
    return 1;
  }
  g_autofree char *ns = file_namespace(file);
  int n = yr_compiler_add_file(compiler, fp, ns, file);
  fclose(fp);
  return n;
}

SecretsEngine *
secrets_engine_new(const char *sources, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) parts = g_strsplit(sources ? sources : "", ",", -1);
  for (size_t i = 0; parts[i]; i++) {
    g_strstrip(parts[i]);
    if (*parts[i] && !add_rule_files(files, parts[i], error))
      return NULL;
  }
  if (files->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "secrets rules: no rule source given");
    return NULL;
  }
  YR_COMPILER *compiler = NULL;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                "secrets rules: cannot create a yara compiler");
    return NULL;
  }
  CompileState st = {g_string_new(NULL)};
  yr_compiler_set_callback(compiler, compile_cb, &st);
  int n_errors = 0;
  /* libyara's compiler cannot go on after a file failed */
  for (guint i = 0; i < files->len && n_errors == 0; i++)
    n_errors += compile_file(compiler, files->pdata[i], st.errors);
  YR_RULES *rules = NULL;
  if (n_errors == 0 && yr_compiler_get_rules(compiler, &rules) != ERROR_SUCCESS)
    g_string_append(st.errors, "cannot build the rule set");
  yr_compiler_destroy(compiler);
  if (!rules) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "secrets rules: %s",
                st.errors->str);
    g_string_free(st.errors, TRUE);
    return NULL;
  }
  g_string_free(st.errors, TRUE);

  SecretsEngine *e = g_new0(SecretsEngine, 1);
  e->rules = rules;
  e->source = g_strdup(sources);
  e->detectors = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  e->files = g_ptr_array_new_with_free_func(g_free);
  e->namespaces = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < files->len; i++) {
    g_ptr_array_add(e->files, g_strdup(files->pdata[i]));
    g_ptr_array_add(e->namespaces, file_namespace(files->pdata[i]));
  }
  e->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  const YR_RULE *rule;
  yr_rules_foreach(rules, rule)
  {
    g_hash_table_insert(
        e->by_name, g_strdup_printf("%s:%s", rule->ns->name, rule->identifier),
        (gpointer)rule);
    SecretsDetector *d = g_new0(SecretsDetector, 1);
    detector_from_meta(d, rule);
    e->n_rules++;
    if (!d->kind) {
      g_free(d); /* not a secret detector (a miner, a shell...) */
      continue;
    }
    g_hash_table_insert(e->detectors, (gpointer)rule, d);
    e->n_detectors++;
  }
  return e;
}

void
secrets_engine_free(SecretsEngine *e)
{
  if (!e)
    return;
  g_hash_table_destroy(e->detectors);
  g_hash_table_destroy(e->by_name);
  g_ptr_array_unref(e->files);
  g_ptr_array_unref(e->namespaces);
  yr_rules_destroy(e->rules);
  g_free(e->source);
  g_free(e);
}

gboolean
secrets_engine_global_init(GError **error)
{
  if (yr_initialize() != ERROR_SUCCESS) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "secrets rules: libyara failed to initialise");
    return FALSE;
  }
  return TRUE;
}

void
secrets_engine_global_fini(void)
{
  yr_finalize();
}

/* ---- scanning ---------------------------------------------------------- */

typedef struct {
  const SecretsEngine *e;
  GArray *hits;
} ScanState;

/* Is string s one holding the value? The detector's `values` list when
 * it has one, else the strings named $v*, else every string. */
static gboolean
is_value_string(const SecretsDetector *d, const YR_RULE *rule,
                const YR_STRING *s)
{
  if (d->values) {
    g_auto(GStrv) names = g_strsplit(d->values, ",", -1);
    return g_strv_contains((const char *const *)names, s->identifier);
  }
  const YR_STRING *t;
  gboolean any_v = FALSE;
  yr_rule_strings_foreach(rule, t)
  {
    any_v |= g_str_has_prefix(t->identifier, "$v");
  }
  return !any_v || g_str_has_prefix(s->identifier, "$v");
}

static int
scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *message_data, void *user)
{
  ScanState *st = user;
  if (message != CALLBACK_MSG_RULE_MATCHING)
    return CALLBACK_CONTINUE;
  const YR_RULE *rule = message_data;
  const SecretsDetector *d = g_hash_table_lookup(st->e->detectors, rule);
  if (!d)
    return CALLBACK_CONTINUE;
  const YR_STRING *s;
  yr_rule_strings_foreach(rule, s)
  {
    if (!is_value_string(d, rule, s))
      continue;
    /* libyara 4.2 packs matches and their data in one notebook, so a
     * match may sit at any address: each is copied out before use rather
     * than read in place (yr_string_matches_foreach would) */
    const YR_MATCH *next = ctx->matches[s->idx].head;
    while (next) {
      YR_MATCH m;
      memcpy(&m, next, sizeof m);
      next = m.next;
      if (m.is_private || m.match_length <= 0)
        continue;
      if (st->hits->len >= SECRETS_MAX_HITS_PER_SCAN)
        return CALLBACK_CONTINUE;
      SecretsHit h = {d, (uint64_t)(m.base + m.offset),
                      (uint32_t)m.match_length};
      g_array_append_val(st->hits, h);
    }
  }
  return CALLBACK_CONTINUE;
}

gboolean
secrets_engine_hit(const SecretsEngine *e, const char *ns, const char *rule,
                   unsigned string_index, const char *string, uint64_t addr,
                   uint32_t len, SecretsHit *out, gboolean *bad)
{
  g_autofree char *key = g_strdup_printf("%s:%s", ns, rule);
  const YR_RULE *r = g_hash_table_lookup(e->by_name, key);
  const YR_STRING *s = NULL, *t;
  unsigned k = 0;
  if (r) {
    yr_rule_strings_foreach(r, t)
    {
      if (k++ == string_index)
        s = t;
    }
  }
  if (!s || g_strcmp0(s->identifier, string) != 0) {
    *bad = TRUE;
    return FALSE;
  }
  const SecretsDetector *d = g_hash_table_lookup(e->detectors, r);
  if (!d || len == 0 || !is_value_string(d, r, s))
    return FALSE;
  *out = (SecretsHit){d, addr, len};
  return TRUE;
}

static gboolean
scan_status(int rc, GError **error)
{
  if (rc == ERROR_SUCCESS)
    return TRUE;
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
              "secrets scan: libyara error %d", rc);
  return FALSE;
}

gboolean
secrets_scan_buffer(const SecretsEngine *e, const uint8_t *data, size_t len,
                    GArray *hits, GError **error)
{
  ScanState st = {e, hits};
  if (len == 0)
    return TRUE;
  int rc = yr_rules_scan_mem(e->rules, data, len, 0, scan_cb, &st, 0);
  return scan_status(rc, error);
}

gboolean
secrets_scan_blocks(const SecretsEngine *e, YR_MEMORY_BLOCK_ITERATOR *it,
                    GArray *hits, GError **error)
{
  ScanState st = {e, hits};
  YR_SCANNER *scanner = NULL;
  if (yr_scanner_create(e->rules, &scanner) != ERROR_SUCCESS)
    return scan_status(ERROR_INSUFFICIENT_MEMORY, error);
  yr_scanner_set_callback(scanner, scan_cb, &st);
  int rc = yr_scanner_scan_mem_blocks(scanner, it);
  yr_scanner_destroy(scanner);
  return scan_status(rc, error);
}

/* ---- validation -------------------------------------------------------- */

int
secrets_entropy(const char *s, size_t len)
{
  if (len == 0)
    return 0;
  unsigned counts[256] = {0};
  for (size_t i = 0; i < len; i++)
    counts[(uint8_t)s[i]]++;
  double h = 0;
  for (int c = 0; c < 256; c++) {
    if (!counts[c])
      continue;
    double p = (double)counts[c] / (double)len;
    h -= p * (log(p) / log(2.0));
  }
  return (int)(h * 100.0 + 0.5);
}

static gboolean
all_hex(const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isxdigit(s[i]))
      return FALSE;
  return len > 0;
}

static gboolean
is_uuid(const char *s, size_t len)
{
  static const int dash[] = {8, 13, 18, 23};
  if (len != 36)
    return FALSE;
  for (size_t i = 0, k = 0; i < len; i++) {
    if (k < 4 && (int)i == dash[k]) {
      if (s[i] != '-')
        return FALSE;
      k++;
    } else if (!g_ascii_isxdigit(s[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
secrets_is_hash_shape(const char *s, size_t len)
{
  static const char *const prefixes[] = {
      "sha1:", "sha224:", "sha256:", "sha384:", "sha512:", "md5:"};
  static const size_t digest_lens[] = {32, 40, 56, 64, 96, 128};
  if (is_uuid(s, len))
    return TRUE;
  for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
    size_t n = strlen(prefixes[i]);
    if (len > n && g_ascii_strncasecmp(s, prefixes[i], n) == 0)
      return all_hex(s + n, len - n);
  }
  if (!all_hex(s, len))
    return FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS(digest_lens); i++)
    if (len == digest_lens[i])
      return TRUE;
  return FALSE;
}

/* A random-looking credential mixes at least two of lower case, upper
 * case and digits; words, paths and sentences rarely reach the entropy
 * threshold and two classes at once. */
static int
char_classes(const char *s, size_t len)
{
  int lower = 0, upper = 0, digit = 0;
  for (size_t i = 0; i < len; i++) {
    lower |= g_ascii_islower(s[i]);
    upper |= g_ascii_isupper(s[i]);
    digit |= g_ascii_isdigit(s[i]);
  }
  return !!lower + !!upper + !!digit;
}

static gboolean
looks_random(const char *s, size_t len, int min_entropy)
{
  /* paths (sockets, files named after secrets) and hashes */
  if (len < 8 || s[0] == '/' || secrets_is_hash_shape(s, len))
    return FALSE;
  if (char_classes(s, len) < 2)
    return FALSE;
  return secrets_entropy(s, len) >= (min_entropy ? min_entropy : 300);
}

/* The password of a URL's user information, or NULL. */
static gboolean
url_password(const char *s, size_t len, size_t *start, size_t *plen)
{
  const char *scheme_end = g_strstr_len(s, (gssize)len, "://");
  if (!scheme_end)
    return FALSE;
  size_t ui = (size_t)(scheme_end - s) + 3;
  const char *at = memchr(s + ui, '@', len - ui);
  if (!at)
    return FALSE;
  const char *colon = memchr(s + ui, ':', (size_t)(at - (s + ui)));
  if (!colon)
    return FALSE;
  *start = (size_t)(colon - s) + 1;
  *plen = (size_t)(at - colon) - 1;
  return TRUE;
}

/* Templates and masks, not passwords: "${DB_PASS}", "%s", "<password>",
 * "****", "xxxx". */
static gboolean
is_placeholder(const char *p, size_t n)
{
  if (n == 0)
    return TRUE;
  if (p[0] == '$' || p[0] == '%' || p[0] == '<' || p[0] == '{')
    return TRUE;
  gboolean same = TRUE;
  for (size_t i = 1; i < n; i++)
    same &= g_ascii_tolower(p[i]) == g_ascii_tolower(p[0]);
  return same && (p[0] == '*' || p[0] == 'x' || p[0] == 'X' || n == 1);
}

/* The end of a PEM block starting at bytes: just past the END line's
 * closing dashes, or 0 when there is none within avail. */
static size_t
pem_extent(const uint8_t *bytes, size_t avail)
{
  const char *s = (const char *)bytes;
  const char *end = g_strstr_len(s, (gssize)avail, "-----END ");
  if (!end)
    return 0;
  size_t off = (size_t)(end - s) + 9;
  const char *close = g_strstr_len(s + off, (gssize)(avail - off), "-----");
  if (!close || close - (s + off) > 64)
    return 0;
  return (size_t)(close - s) + 5;
}

static gboolean
is_b64url(uint8_t c)
{
  return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* A JWT match may stop before the signature ends (or, for a rule that
 * wants only header and claims, at the second dot): take the rest of the
 * base64url run. */
static size_t
jwt_extent(const uint8_t *bytes, size_t end, size_t avail)
{
  avail = MIN(avail, SECRETS_EXTENT_MAX);
  while (end < avail && is_b64url(bytes[end]))
    end++;
  return end;
}

/* The JSON string value after a key match ("private_key_id": "..."): its
 * start and end, or FALSE. */
static gboolean
json_value_span(const uint8_t *bytes, size_t from, size_t avail, size_t *start,
                size_t *end)
{
  size_t i = from;
  avail = MIN(avail, from + 512);
  while (i < avail && g_ascii_isspace(bytes[i]))
    i++;
  if (i >= avail || bytes[i++] != ':')
    return FALSE;
  while (i < avail && g_ascii_isspace(bytes[i]))
    i++;
  if (i >= avail || bytes[i++] != '"')
    return FALSE;
  size_t j = i;
  while (j < avail && bytes[j] != '"' && bytes[j] != '\\' && bytes[j] >= 0x20)
    j++;
  if (j >= avail || bytes[j] != '"' || j == i)
    return FALSE;
  *start = i;
  *end = j;
  return TRUE;
}

gboolean
secrets_hit_wants_extent(const SecretsHit *hit)
{
  const char *v = hit->det->validate;
  return v && (strcmp(v, "pem") == 0 || strcmp(v, "jwt") == 0 ||
               strcmp(v, "json-value") == 0);
}

size_t
secrets_hit_read_len(const SecretsHit *hit)
{
  if (hit->len > SECRETS_EXTENT_MAX)
    return 0;
  return secrets_hit_wants_extent(hit) ? SECRETS_EXTENT_MAX : hit->len;
}

static gboolean
printable_ascii(const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
      return FALSE;
    else if (p[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

SecretsCandidate *
secrets_validate(const SecretsHit *hit, const uint8_t *bytes, size_t avail)
{
  const SecretsDetector *d = hit->det;
  if (avail < hit->len)
    return NULL;
  size_t start = 0, end = hit->len;
  if (d->value_after) {
    for (size_t i = hit->len; i > 0; i--) {
      if (bytes[i - 1] && strchr(d->value_after, bytes[i - 1])) {
        start = i;
        break;
      }
    }
  }
  const char *v = d->validate;
  if (v && strcmp(v, "pem") == 0) {
    size_t ext = pem_extent(bytes, MIN(avail, SECRETS_EXTENT_MAX));
    if (ext > end)
      end = ext;
  } else if (v && strcmp(v, "jwt") == 0) {
    end = jwt_extent(bytes, end, avail);
  } else if (v && strcmp(v, "json-value") == 0) {
    if (!json_value_span(bytes, hit->len, avail, &start, &end))
      return NULL;
  }
  if (end <= start || !printable_ascii(bytes + start, end - start))
    return NULL;
  const char *val = (const char *)bytes + start;
  size_t len = end - start;
  g_autofree char *detail = NULL;
  if (v && strcmp(v, "entropy") == 0) {
    if (!looks_random(val, len, d->min_entropy))
      return NULL;
  } else if (v && strcmp(v, "jwt") == 0) {
    detail = secrets_jwt_describe(val, len);
    if (!detail)
      return NULL;
  } else if (v && strcmp(v, "url-password") == 0) {
    size_t ps, pl;
    if (!url_password(val, len, &ps, &pl) || is_placeholder(val + ps, pl))
      return NULL;
  }
  SecretsCandidate *c = g_new0(SecretsCandidate, 1);
  c->kind = d->kind;
  c->severity = d->severity;
  c->priority = d->priority;
  c->value = g_strndup(val, len);
  c->detail = g_steal_pointer(&detail);
  c->value_offset = hit->offset + start;
  return c;
}

/* ---- environment names ------------------------------------------------- */

/* Secret-like environment names (upper-cased before matching), and names
 * that match those but hold no secret themselves. */
static const char *const secret_names[] = {
    "*TOKEN*",
    "*SECRET*",
    "*PASSWORD*",
    "*PASSWD*",
    "*PASSPHRASE*",
    "*_PWD",
    "*_PASS",
    "*API_KEY*",
    "*APIKEY*",
    "*ACCESS_KEY*",
    "*PRIVATE_KEY*",
    "*SIGNING_KEY*",
    "*_KEY",
    "*CREDENTIAL*",
    "*AUTH*",
    "*CLIENT_SECRET*",
    "*SESSION_KEY*",
    "*ENCRYPTION_KEY*",
    "*DSN",
    "*CONNECTION_STRING*",
    NULL,
};
static const char *const harmless_names[] = {
    "*_FILE",
    "*_PATH",
    "*_DIR",
    "*_SOCK",
    "*_TYPE",
    "*_URL_PATH",
    /* ids and digests: random-looking, but naming rather than granting */
    "*_ID",
    "*_UUID",
    "*DIGEST*",
    "*HASH*",
    "*_SHA",
    "*_SHA256",
    "*CHECKSUM*",
    NULL,
};
static const char *const harmless_values[] = {
    "true",    "false",    "yes",  "no",   "on",  "off",
    "enabled", "disabled", "none", "null", "nil", NULL,
};

gboolean
secrets_name_is_secret(const char *name)
{
  g_autofree char *up = g_ascii_strup(name, -1);
  for (size_t i = 0; harmless_names[i]; i++)
    if (g_pattern_match_simple(harmless_names[i], up))
      return FALSE;
  for (size_t i = 0; secret_names[i]; i++)
    if (g_pattern_match_simple(secret_names[i], up))
      return TRUE;
  return FALSE;
}

static gboolean
value_is_harmless(const char *value)
{
  size_t len = strlen(value);
  if (len < 4 || value[0] == '/' || is_placeholder(value, len))
    return TRUE;
  gboolean digits = TRUE;
  for (size_t i = 0; i < len; i++)
    digits &= g_ascii_isdigit(value[i]) != 0;
  if (digits && len < 12)
    return TRUE;
  for (size_t i = 0; harmless_values[i]; i++)
    if (g_ascii_strcasecmp(value, harmless_values[i]) == 0)
      return TRUE;
  return FALSE;
}

SecretsCandidate *
secrets_check_env_name(const char *name, const char *value)
{
  if (!name || !value || !secrets_name_is_secret(name) ||
      value_is_harmless(value))
    return NULL;
  SecretsCandidate *c = g_new0(SecretsCandidate, 1);
  c->kind = "secret-env";
  c->severity = "medium";
  c->priority = 20;
  c->value = g_strdup(value);
  c->detail = g_strdup("secret-like variable name");
  return c;
}

/* ---- redaction --------------------------------------------------------- */

/* How many leading characters of a value of len bytes may be shown: enough
 * to recognise a token's family, never a meaningful part of a short one. */
static size_t
shown_prefix(size_t len)
{
  if (len >= 20)
    return 4;
  if (len >= 12)
    return 2;
  return 0;
}

static char *
redact_generic(const char *value)
{
  size_t len = strlen(value);
  size_t keep = shown_prefix(len);
  /* cut on a character boundary when the value is UTF-8 */
  if (g_utf8_validate(value, (gssize)len, NULL)) {
    const char *p = value;
    size_t chars = 0;
    while (*p && chars < keep &&
           (size_t)(g_utf8_next_char(p) - value) <= keep) {
      p = g_utf8_next_char(p);
      chars++;
    }
    keep = (size_t)(p - value);
  } else {
    keep = 0;
  }
  return g_strdup_printf("%.*s\u2026(%zu)", (int)keep, value, len);
}

char *
secrets_redact(const char *kind, const char *value)
{
  size_t len = strlen(value);
  if (g_strcmp0(kind, "url-password") == 0) {
    size_t ps, pl;
    if (url_password(value, len, &ps, &pl))
      return g_strdup_printf("%.*s***%s", (int)ps, value, value + ps + pl);
  }
  if (g_strcmp0(kind, "private-key") == 0 && g_str_has_prefix(value, "-----")) {
    const char *close = strstr(value + 5, "-----");
    if (close)
      return g_strdup_printf("%.*s\u2026(%zu)", (int)(close + 5 - value), value,
                             len);
  }
  return redact_generic(value);
}

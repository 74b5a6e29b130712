/* detect.c - compiling the secret rules, scanning with them, and turning
 * raw matches into validated candidates. The "what" of each detector is in
 * the .yar files of rules/secrets; this file only holds the few checks YARA
 * cannot do (see detect.h) and the meta conventions those rules follow.
 */
#include <math.h>
#include <string.h>

#include "detect.h"

/* A scan stops collecting after this many raw matches: memory full of one
 * token must not grow the hit list without bound. */
#define MAX_HITS_PER_SCAN 100000

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

/* The rule files of path: itself, or a directory's *.yar / *.yara. */
static GPtrArray *
rule_files(const char *path, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
    g_ptr_array_add(files, g_strdup(path));
    return g_steal_pointer(&files);
  }
  g_autoptr(GDir) dir = g_dir_open(path, 0, error);
  if (!dir) {
    g_prefix_error(error, "secrets rules: ");
    return NULL;
  }
  const char *name;
  while ((name = g_dir_read_name(dir))) {
    if (g_str_has_suffix(name, ".yar") || g_str_has_suffix(name, ".yara"))
      g_ptr_array_add(files, g_build_filename(path, name, NULL));
  }
  if (files->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "secrets rules: no .yar file in %s", path);
    return NULL;
  }
  g_ptr_array_sort(files, cmp_paths);
  return g_steal_pointer(&files);
}

static void
detector_from_meta(SecretsDetector *d, const YR_RULE *rule)
{
  const YR_META *meta;
  d->rule = rule;
  d->kind = rule->identifier;
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
    } else if (meta->type == META_TYPE_INTEGER) {
      if (strcmp(id, "priority") == 0)
        d->priority = (int)meta->integer;
      else if (strcmp(id, "min_entropy") == 0)
        d->min_entropy = (int)meta->integer;
    }
  }
}

SecretsEngine *
secrets_engine_new(const char *path, GError **error)
{
  g_autoptr(GPtrArray) files = rule_files(path, error);
  if (!files)
    return NULL;
  if (yr_initialize() != ERROR_SUCCESS) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "secrets rules: libyara failed to initialise");
    return NULL;
  }
  YR_COMPILER *compiler = NULL;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS) {
    yr_finalize();
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                "secrets rules: cannot create a yara compiler");
    return NULL;
  }
  CompileState st = {g_string_new(NULL)};
  yr_compiler_set_callback(compiler, compile_cb, &st);
  int n_errors = 0;
  for (guint i = 0; i < files->len && n_errors == 0; i++) {
    const char *file = files->pdata[i];
    FILE *fp = fopen(file, "r");
    if (!fp) {
      g_string_append_printf(st.errors, "%s%s: cannot open",
                             st.errors->len ? "; " : "", file);
      n_errors++;
      break;
    }
    n_errors += yr_compiler_add_file(compiler, fp, NULL, file);
    fclose(fp);
  }
  YR_RULES *rules = NULL;
  if (n_errors == 0 && yr_compiler_get_rules(compiler, &rules) != ERROR_SUCCESS)
    g_string_append(st.errors, "cannot build the rule set");
  yr_compiler_destroy(compiler);
  if (!rules) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "secrets rules: %s",
                st.errors->str);
    g_string_free(st.errors, TRUE);
    yr_finalize();
    return NULL;
  }
  g_string_free(st.errors, TRUE);

  SecretsEngine *e = g_new0(SecretsEngine, 1);
  e->rules = rules;
  e->source = g_strdup(path);
  e->detectors = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  const YR_RULE *rule;
  yr_rules_foreach(rules, rule)
  {
    SecretsDetector *d = g_new0(SecretsDetector, 1);
    detector_from_meta(d, rule);
    g_hash_table_insert(e->detectors, (gpointer)rule, d);
    e->n_rules++;
  }
  return e;
}

void
secrets_engine_free(SecretsEngine *e)
{
  if (!e)
    return;
  g_hash_table_destroy(e->detectors);
  yr_rules_destroy(e->rules);
  g_free(e->source);
  g_free(e);
  yr_finalize();
}

/* ---- scanning ---------------------------------------------------------- */

typedef struct {
  const SecretsEngine *e;
  GArray *hits;
} ScanState;

/* Only strings named $v* are values; a rule without any reports all. */
static gboolean
rule_has_values(const YR_RULE *rule)
{
  const YR_STRING *s;
  yr_rule_strings_foreach(rule, s)
  {
    if (g_str_has_prefix(s->identifier, "$v"))
      return TRUE;
  }
  return FALSE;
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
  gboolean only_values = rule_has_values(rule);
  const YR_STRING *s;
  yr_rule_strings_foreach(rule, s)
  {
    if (only_values && !g_str_has_prefix(s->identifier, "$v"))
      continue;
    const YR_MATCH *m;
    yr_string_matches_foreach(ctx, s, m)
    {
      if (st->hits->len >= MAX_HITS_PER_SCAN)
        return CALLBACK_CONTINUE;
      if (m->match_length <= 0)
        continue;
      SecretsHit h = {d, (uint64_t)(m->base + m->offset),
                      (uint32_t)m->match_length};
      g_array_append_val(st->hits, h);
    }
  }
  return CALLBACK_CONTINUE;
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
  if (len < 8 || secrets_is_hash_shape(s, len))
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
    "*_FILE", "*_PATH", "*_DIR", "*_SOCK", "*_TYPE", "*_URL_PATH", NULL,
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

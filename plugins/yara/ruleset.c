/* ruleset.c - compiles or loads YARA rules for the yara plugin, types the
 * command line's externals, and caches compiled sets across runs. */
#include "ruleset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

GQuark
ckpt_yara_error_quark(void)
{
  return g_quark_from_static_string("ckpt-yara-error-quark");
}

/* Compiled rule files open with this magic (libyara's arena header). */
#define COMPILED_MAGIC "YARA"

typedef struct {
  GString *errors;
  GPtrArray *warnings;
} CompileLog;

static void
on_compiler_message(int level, const char *file, int line, const YR_RULE *rule,
                    const char *message, void *user)
{
  CompileLog *log = user;
  const char *where = file ? file : "(rules)";

  if (level == YARA_ERROR_LEVEL_ERROR) {
    if (log->errors->len > 0)
      g_string_append(log->errors, "; ");
    g_string_append_printf(log->errors, "%s:%d: %s", where, line, message);
  } else {
    g_ptr_array_add(log->warnings, g_strdup_printf("%s:%d: warning: %s", where,
                                                   line, message));
  }
}

char **
ckpt_yara_split_list(const char *text)
{
  GPtrArray *out = g_ptr_array_new();
  if (text != NULL) {
    const char *sep = strchr(text, '\n') ? "\n" : ",";
    g_auto(GStrv) parts = g_strsplit(text, sep, -1);
    for (char **p = parts; *p; p++) {
      char *item = g_strstrip(g_strdup(*p));
      if (*item)
        g_ptr_array_add(out, item);
      else
        g_free(item);
    }
  }
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}

/* A file is compiled rules when it starts with libyara's magic. */
static gboolean
is_compiled_file(const char *path)
{
  char head[4];
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return FALSE;
  size_t n = fread(head, 1, sizeof(head), f);
  fclose(f);
  return n == sizeof(head) && memcmp(head, COMPILED_MAGIC, 4) == 0;
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  /* g_ptr_array_sort passes pointers to the elements */
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static gboolean
has_rule_suffix(const char *name)
{
  return g_str_has_suffix(name, ".yar") || g_str_has_suffix(name, ".yara");
}

/* Expands sources into a list of rule files: directories give their
 * .yar and .yara regular files, sorted; a missing path is an error. */
static GPtrArray *
expand_sources(const char *const *sources, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

  for (const char *const *s = sources; s && *s; s++) {
    if (g_file_test(*s, G_FILE_TEST_IS_DIR)) {
      g_autoptr(GError) local = NULL;
      g_autoptr(GDir) dir = g_dir_open(*s, 0, &local);
      if (dir == NULL) {
        g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                    "rules directory %s: %s", *s, local->message);
        return NULL;
      }
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
      const char *name;
      while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(*s, name, NULL);
        if (has_rule_suffix(name) && g_file_test(path, G_FILE_TEST_IS_REGULAR))
          g_ptr_array_add(names, g_steal_pointer(&path));
      }
      if (names->len == 0) {
        g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                    "rules directory %s: no .yar or .yara files", *s);
        return NULL;
      }
      g_ptr_array_sort(names, compare_paths);
      for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(files, g_strdup(names->pdata[i]));
    } else if (g_file_test(*s, G_FILE_TEST_IS_REGULAR)) {
      g_ptr_array_add(files, g_strdup(*s));
    } else {
      g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                  "rules file %s: %s", *s,
                  g_file_test(*s, G_FILE_TEST_EXISTS)
                      ? "not a regular file or directory"
                      : "no such file or directory");
      return NULL;
    }
  }
  if (files->len == 0) {
    g_set_error_literal(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                        "no rules given");
    return NULL;
  }
  return g_steal_pointer(&files);
}

/* An external's type is told from its text, as the yara tool does. */
typedef enum { EXT_BOOL, EXT_INT, EXT_FLOAT, EXT_STR } ExtType;

typedef struct {
  char *name;
  const char *text; /* into name's allocation, after the '=' */
  ExtType type;
  int64_t i;
  double f;
} External;

static gboolean
parse_define(const char *assignment, External *ext, GError **error)
{
  const char *eq = strchr(assignment, '=');
  gboolean ok = eq != NULL && eq != assignment;
  for (const char *c = assignment; ok && c < eq; c++)
    ok = g_ascii_isalnum(*c) || *c == '_';
  if (!ok || g_ascii_isdigit(assignment[0])) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_DEFINE,
                "define '%s': expected NAME=VALUE with NAME an identifier",
                assignment);
    return FALSE;
  }
  ext->name = g_strdup(assignment);
  ext->name[eq - assignment] = '\0';
  ext->text = ext->name + (eq - assignment) + 1;

  char *end = NULL;
  if (strcmp(ext->text, "true") == 0 || strcmp(ext->text, "false") == 0) {
    ext->type = EXT_BOOL;
    ext->i = ext->text[0] == 't';
    return TRUE;
  }
  errno = 0;
  ext->i = g_ascii_strtoll(ext->text, &end, 10);
  if (*ext->text && *end == '\0' && errno == 0) {
    ext->type = EXT_INT;
    return TRUE;
  }
  errno = 0;
  ext->f = g_ascii_strtod(ext->text, &end);
  if (*ext->text && *end == '\0' && errno == 0) {
    ext->type = EXT_FLOAT;
    return TRUE;
  }
  ext->type = EXT_STR;
  return TRUE;
}

static int
define_on_compiler(YR_COMPILER *c, const External *e)
{
  switch (e->type) {
  case EXT_BOOL:
    return yr_compiler_define_boolean_variable(c, e->name, (int)e->i);
  case EXT_INT:
    return yr_compiler_define_integer_variable(c, e->name, e->i);
  case EXT_FLOAT:
    return yr_compiler_define_float_variable(c, e->name, e->f);
  default:
    return yr_compiler_define_string_variable(c, e->name, e->text);
  }
}

static int
define_on_rules(YR_RULES *r, const External *e)
{
  switch (e->type) {
  case EXT_BOOL:
    return yr_rules_define_boolean_variable(r, e->name, (int)e->i);
  case EXT_INT:
    return yr_rules_define_integer_variable(r, e->name, e->i);
  case EXT_FLOAT:
    return yr_rules_define_float_variable(r, e->name, e->f);
  default:
    return yr_rules_define_string_variable(r, e->name, e->text);
  }
}

static void
externals_free(GArray *exts)
{
  for (guint i = 0; i < exts->len; i++)
    g_free(g_array_index(exts, External, i).name);
  g_array_free(exts, TRUE);
}

static GArray *
parse_defines(const char *const *defines, GError **error)
{
  GArray *exts = g_array_new(FALSE, TRUE, sizeof(External));
  for (const char *const *d = defines; d && *d; d++) {
    External e = {0};
    if (!parse_define(*d, &e, error)) {
      externals_free(exts);
      return NULL;
    }
    g_array_append_val(exts, e);
  }
  return exts;
}

const char *
ckpt_yara_secrets_ns(const YR_RULE *rule)
{
  const char *ns = rule->ns->name;
  return g_str_has_prefix(ns, CKPT_YARA_SECRETS_NS)
             ? ns + strlen(CKPT_YARA_SECRETS_NS)
             : NULL;
}

/* the user's rules (not the host's secrets rules) */
static guint
count_rules(YR_RULES *rules)
{
  guint n = 0;
  YR_RULE *rule;
  yr_rules_foreach(rules, rule) n += ckpt_yara_secrets_ns(rule) == NULL;
  return n;
}

static gboolean
load_compiled(CkptYaraRuleset *rs, const char *path, GArray *exts,
              GError **error)
{
  int rc = yr_rules_load(path, &rs->rules);
  if (rc != ERROR_SUCCESS) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                "compiled rules %s: cannot load (libyara error %d%s)", path, rc,
                rc == ERROR_UNSUPPORTED_FILE_VERSION
                    ? ", compiled by another yara version"
                    : "");
    return FALSE;
  }
  for (guint i = 0; i < exts->len; i++) {
    const External *e = &g_array_index(exts, External, i);
    if (define_on_rules(rs->rules, e) != ERROR_SUCCESS) {
      g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_DEFINE,
                  "define %s: not an external of the compiled rules %s (or "
                  "of another type)",
                  e->name, path);
      return FALSE;
    }
  }
  rs->precompiled = TRUE;
  return TRUE;
}

static gboolean
add_source_file(YR_COMPILER *compiler, const char *path, const char *ns,
                CompileLog *log, GError **error)
{
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                "rules file %s: %s", path, g_strerror(errno));
    return FALSE;
  }
  /* each file is its own namespace (unless given), named for its stem, so
   * two files may reuse a rule name and a hit says where its rule came
   * from */
  g_autofree char *base = ns ? NULL : g_path_get_basename(path);
  char *dot = base ? strrchr(base, '.') : NULL;
  if (dot && dot != base)
    *dot = '\0';
  int n_errors = yr_compiler_add_file(compiler, f, ns ? ns : base, path);
  fclose(f);
  if (n_errors > 0) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES, "%s",
                log->errors->len ? log->errors->str : "rules do not compile");
    return FALSE;
  }
  return TRUE;
}

static gboolean
compile_sources(CkptYaraRuleset *rs, GPtrArray *files, GArray *exts,
                gboolean strict, const CkptSecretRules *secrets, GError **error)
{
  YR_COMPILER *compiler = NULL;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS) {
    g_set_error_literal(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_LIBYARA,
                        "cannot create a yara compiler");
    return FALSE;
  }
  CompileLog log = {g_string_new(NULL), rs->warnings};
  yr_compiler_set_callback(compiler, on_compiler_message, &log);

  gboolean ok = TRUE;
  for (guint i = 0; ok && i < exts->len; i++) {
    const External *e = &g_array_index(exts, External, i);
    if (define_on_compiler(compiler, e) != ERROR_SUCCESS) {
      g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_DEFINE,
                  "define %s: refused (defined twice?)", e->name);
      ok = FALSE;
    }
  }
  for (guint i = 0; ok && i < files->len; i++)
    ok = add_source_file(compiler, files->pdata[i], NULL, &log, error);
  if (ok && strict && rs->warnings->len > 0) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                "%s (warnings are errors in strict mode)",
                (char *)rs->warnings->pdata[0]);
    ok = FALSE;
  }
  /* the host's: their warnings are the host's engine's too, not shown */
  guint user_warnings = rs->warnings->len;
  for (size_t i = 0; ok && secrets && i < secrets->n; i++) {
    g_autofree char *ns =
        g_strconcat(CKPT_YARA_SECRETS_NS, secrets->namespaces[i], NULL);
    ok = add_source_file(compiler, secrets->files[i], ns, &log, error);
  }
  g_ptr_array_set_size(rs->warnings, user_warnings);
  rs->secrets = secrets != NULL;
  if (ok && yr_compiler_get_rules(compiler, &rs->rules) != ERROR_SUCCESS) {
    g_set_error_literal(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_LIBYARA,
                        "cannot build the compiled rules (out of memory?)");
    ok = FALSE;
  }
  yr_compiler_destroy(compiler);
  g_string_free(log.errors, TRUE);
  return ok;
}

CkptYaraRuleset *
ckpt_yara_ruleset_new(const char *const *sources, const char *const *defines,
                      gboolean strict, const CkptSecretRules *secrets,
                      GError **error)
{
  g_autoptr(CkptYaraRuleset) rs = g_new0(CkptYaraRuleset, 1);
  rs->warnings = g_ptr_array_new_with_free_func(g_free);

  g_autoptr(GPtrArray) files = expand_sources(sources, error);
  if (files == NULL)
    return NULL;
  GArray *exts = parse_defines(defines, error);
  if (exts == NULL)
    return NULL;

  /* compiled rules are libyara's own bytecode, which it trusts: they are
   * taken only when named as such (ckpt_yara_ruleset_load_compiled), never
   * because a file named as source rules happens to start with the magic */
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < files->len; i++)
    if (is_compiled_file(files->pdata[i])) {
      g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                  "rules file %s: compiled rules, not source: give compiled "
                  "rules with --compiled-rules (-C)",
                  (char *)files->pdata[i]);
      ok = FALSE;
    }
  if (ok)
    ok = compile_sources(rs, files, exts, strict, secrets, error);
  externals_free(exts);
  if (!ok)
    return NULL;
  rs->n_rules = count_rules(rs->rules);
  return g_steal_pointer(&rs);
}

CkptYaraRuleset *
ckpt_yara_ruleset_load_compiled(const char *path, const char *const *defines,
                                GError **error)
{
  g_autoptr(CkptYaraRuleset) rs = g_new0(CkptYaraRuleset, 1);
  rs->warnings = g_ptr_array_new_with_free_func(g_free);
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                "compiled rules %s: %s", path,
                g_file_test(path, G_FILE_TEST_EXISTS)
                    ? "not a regular file"
                    : "no such file or directory");
    return NULL;
  }
  if (!is_compiled_file(path)) {
    g_set_error(error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                "compiled rules %s: not a file compiled by yarac (no YARA "
                "magic)",
                path);
    return NULL;
  }
  GArray *exts = parse_defines(defines, error);
  if (exts == NULL)
    return NULL;
  gboolean ok = load_compiled(rs, path, exts, error);
  externals_free(exts);
  if (!ok)
    return NULL;
  rs->n_rules = count_rules(rs->rules);
  return g_steal_pointer(&rs);
}

void
ckpt_yara_ruleset_free(CkptYaraRuleset *rs)
{
  if (rs == NULL)
    return;
  if (rs->rules)
    yr_rules_destroy(rs->rules);
  if (rs->warnings)
    g_ptr_array_unref(rs->warnings);
  g_free(rs);
}

/* ---- the cache --------------------------------------------------------- */

typedef struct {
  char *key;
  CkptYaraRuleset *rs; /* NULL when it failed */
  GError *error;
} CacheEntry;

static GMutex cache_lock;
static GPtrArray *cache; /* CacheEntry* */

static void
cache_entry_free(gpointer p)
{
  CacheEntry *e = p;
  g_free(e->key);
  ckpt_yara_ruleset_free(e->rs);
  g_clear_error(&e->error);
  g_free(e);
}

const CkptYaraRuleset *
ckpt_yara_ruleset_cached(const char *sources, const char *compiled,
                         const char *defines, gboolean strict,
                         const CkptSecretRules *secrets, gboolean *fresh,
                         GError **error)
{
  GString *sec = g_string_new(NULL);
  for (size_t i = 0; secrets && i < secrets->n; i++)
    g_string_append_printf(sec, "\n\x02%s\n\x03%s", secrets->files[i],
                           secrets->namespaces[i]);
  g_autofree char *key = g_strdup_printf(
      "%s\n\x01%s\n\x01%s\n\x01%d\n\x01%d%s", sources ? sources : "",
      compiled ? compiled : "", defines ? defines : "", strict, secrets != NULL,
      sec->str);
  g_string_free(sec, TRUE);
  *fresh = FALSE;

  g_mutex_lock(&cache_lock);
  if (cache == NULL)
    cache = g_ptr_array_new_with_free_func(cache_entry_free);
  CacheEntry *hit = NULL;
  for (guint i = 0; hit == NULL && i < cache->len; i++) {
    CacheEntry *e = cache->pdata[i];
    if (strcmp(e->key, key) == 0)
      hit = e;
  }
  if (hit == NULL) {
    hit = g_new0(CacheEntry, 1);
    hit->key = g_steal_pointer(&key);
    g_auto(GStrv) src = ckpt_yara_split_list(sources);
    g_auto(GStrv) defs = ckpt_yara_split_list(defines);
    if (compiled && *compiled && secrets)
      g_set_error_literal(&hit->error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                          "compiled rules cannot take the host's secrets "
                          "rules");
    else if (compiled && *compiled && src && src[0])
      g_set_error_literal(&hit->error, CKPT_YARA_ERROR, CKPT_YARA_ERROR_RULES,
                          "compiled rules cannot be mixed with source rules: "
                          "give either");
    else if (compiled && *compiled)
      hit->rs = ckpt_yara_ruleset_load_compiled(
          compiled, (const char *const *)defs, &hit->error);
    else
      hit->rs = ckpt_yara_ruleset_new((const char *const *)src,
                                      (const char *const *)defs, strict,
                                      secrets, &hit->error);
    g_ptr_array_add(cache, hit);
    *fresh = TRUE;
  }
  if (hit->rs == NULL && error)
    *error = g_error_copy(hit->error);
  const CkptYaraRuleset *rs = hit->rs;
  g_mutex_unlock(&cache_lock);
  return rs;
}

void
ckpt_yara_ruleset_cache_clear(void)
{
  g_mutex_lock(&cache_lock);
  g_clear_pointer(&cache, g_ptr_array_unref);
  g_mutex_unlock(&cache_lock);
}

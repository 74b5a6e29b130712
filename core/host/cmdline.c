/* cmdline.c - the global flags, a command's flags and the runner's two
 * passes over them (cmdline.h). */
#include "host/cmdline.h"

#include <string.h>

#include "host/flags.h"
#include "util/error.h"
#include "util/suggest.h"

const CkptGlobalFlag ckpt_global_flags[] = {
    {"plugin-path", "DIR", "search DIR for plugins first (repeatable)",
     CKPT_GF_PLUGIN_PATH},
    {"chains", "FILE", "read chain definitions from FILE (repeatable)",
     CKPT_GF_CHAINS},
    {"set", "PLUGIN.OPTION=VALUE", "set an option of a plugin (repeatable)",
     CKPT_GF_SET},
    {"format", "FORMAT", "output format: tree, table, json, jsonl or html",
     CKPT_GF_FORMAT},
    {"limit", "NAME=VALUE",
     "raise or lower a bound on untrusted input (suffixes k, M, G, T)",
     CKPT_GF_LIMIT},
    {"shard", "INDEX/COUNT",
     "take only this worker's part of the targets (triage, yara, secrets, "
     "list): a stable split by path hash; auto/COUNT reads "
     "JOB_COMPLETION_INDEX",
     CKPT_GF_SHARD},
    {"threads", "N",
     "check N checkpoints at once in a sweep (0: one per core; the "
     "default is one at a time, yara's the cores); reports keep the "
     "order of the targets; same as --set sweep.threads=N",
     CKPT_GF_THREADS},
    {"color", "WHEN",
     "colour severities and states: auto (on a terminal unless NO_COLOR "
     "is set; the default), always or never; --color alone is always",
     CKPT_GF_COLOR, NULL, "always"},
    {"isolate", NULL,
     "run each plugin in its own process: one that crashes fails alone",
     CKPT_GF_ISOLATE},
    {"isolate-timeout", "SECONDS",
     "isolate, and fail a plugin still running after SECONDS",
     CKPT_GF_ISOLATE_TIMEOUT},
    {"verbose", NULL, "log plugin loading and debug messages (also -v)",
     CKPT_GF_VERBOSE, "-v"},
    {"quiet", NULL, "no warnings on stderr (also -q); JSON output keeps them",
     CKPT_GF_QUIET, "-q"},
    {"reveal", NULL,
     "show secrets in full; by default every value the secrets engine "
     "recognises is redacted in every plugin's output",
     CKPT_GF_REVEAL},
    {"ascii", NULL,
     "draw trees in ASCII (the default when the locale is not UTF-8)",
     CKPT_GF_ASCII},
    {"version", NULL, "print the version and the plugin ABI", CKPT_GF_VERSION},
    {"help", NULL, "print help (also -h); ckpt help COMMAND for one command",
     CKPT_GF_HELP, "-h"},
    {NULL}};

const CkptGlobalFlag *
ckpt_global_flag_match(int argc, char **argv, int *i, const char **value,
                       GError **error)
{
  const char *a = argv[*i];
  *value = NULL;
  for (const CkptGlobalFlag *g = ckpt_global_flags; g->flag; g++) {
    size_t n = strlen(g->flag);
    if (g->alias && strcmp(a, g->alias) == 0)
      return g;
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, g->flag, n) != 0)
      continue;
    const char *end = a + 2 + n;
    if (*end == '\0' && g->value == NULL)
      return g;
    if (g->value == NULL || (*end != '\0' && *end != '='))
      continue;
    if (*end == '=')
      *value = end + 1;
    else if (g->implicit)
      *value = g->implicit;
    else if (*i + 1 < argc)
      *value = argv[++*i];
    else
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s needs a value",
                  g->flag);
    return *value ? g : NULL;
  }
  return NULL;
}

void
ckpt_flags_add_plugins(CkptChain *chain, GPtrArray *lists)
{
  for (guint i = 0; lists && i < lists->len; i++) {
    const char *l = g_ptr_array_index(lists, i);
    g_auto(GStrv) names = g_strsplit(l ? l : "", ",", -1);
    for (size_t j = 0; names[j]; j++)
      if (*names[j] && !g_ptr_array_find_with_equal_func(
                           chain->plugins, names[j], g_str_equal, NULL))
        g_ptr_array_add(chain->plugins, g_strdup(names[j]));
  }
}

/* The flag of flags a names: --FLAG, --FLAG=VALUE (*eq at the '=') or its
 * alias (-r, -rVALUE); NULL when none. */
static const CkptFlag *
match_flag(const CkptFlag *flags, const char *a, const char **eq)
{
  *eq = NULL;
  for (size_t i = 0; flags && flags[i].flag; i++) {
    const CkptFlag *f = &flags[i];
    size_t n = strlen(f->flag), an = f->alias ? strlen(f->alias) : 0;
    if (an && strcmp(a, f->alias) == 0)
      return f;
    /* "-p5" and "-p=5", as getopt takes them: *eq just before the value */
    if (an && f->takes_value && strncmp(a, f->alias, an) == 0) {
      *eq = a[an] == '=' ? a + an : a + an - 1;
      return f;
    }
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, f->flag, n) != 0 ||
        (a[2 + n] != '\0' && a[2 + n] != '='))
      continue;
    *eq = a[2 + n] == '=' ? a + 2 + n : NULL;
    return f;
  }
  return NULL;
}

/* The names of the flags of flags given in argv (before "--"), and with
 * through, those their switches' also stand for. */
static GHashTable *
given_flags(const CkptFlag *flags, int argc, char **argv, gboolean through)
{
  GHashTable *set =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *eq;
    const CkptFlag *f =
        argv[i][0] == '-' ? match_flag(flags, argv[i], &eq) : NULL;
    if (f == NULL)
      continue;
    g_hash_table_add(set, g_strdup(f->flag));
    if (f->takes_value && !eq)
      i++;
    if (!through || f->takes_value || f->also == NULL)
      continue;
    g_auto(GStrv) also = g_strsplit(f->also, ",", -1);
    for (size_t k = 0; also[k]; k++)
      g_hash_table_add(set, g_strdup(also[k]));
  }
  return set;
}

GPtrArray *
ckpt_flags_expand(const CkptFlag *flags, int argc, char **argv, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) direct = given_flags(flags, argc, argv, FALSE);
  g_autoptr(GHashTable) given = given_flags(flags, argc, argv, TRUE);
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *eq;
    if (strcmp(a, "--") == 0) {
      for (; i < argc; i++)
        g_ptr_array_add(out, g_strdup(argv[i]));
      break;
    }
    const CkptFlag *f = a[0] == '-' ? match_flag(flags, a, &eq) : NULL;
    if (f == NULL || f->also == NULL) {
      g_ptr_array_add(out, g_strdup(a));
      /* a value is never taken for a flag */
      if (f && f->takes_value && !eq && i + 1 < argc)
        g_ptr_array_add(out, g_strdup(argv[++i]));
      continue;
    }
    const char *v = NULL;
    if (f->takes_value) {
      v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
      if (v == NULL) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s needs a value",
                    f->flag);
        return NULL;
      }
    } else if (eq) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s takes no value",
                  f->flag);
      return NULL;
    }
    g_auto(GStrv) also = g_strsplit(f->also, ",", -1);
    for (size_t k = 0; also[k]; k++) {
      char *cond = strchr(also[k], '?');
      if (cond)
        *cond++ = '\0';
      if (v && (cond == NULL || g_hash_table_contains(given, cond)))
        g_ptr_array_add(out, g_strdup_printf("--%s=%s", also[k], v));
      else if (!v && !g_hash_table_contains(direct, also[k]))
        g_ptr_array_add(out, g_strdup_printf("--%s", also[k]));
    }
  }
  g_ptr_array_add(out, NULL);
  return g_steal_pointer(&out);
}

gboolean
ckpt_flags_apply(const CkptFlag *flags, int argc, char **argv,
                 GPtrArray *plugins, GPtrArray *sets, GPtrArray *show,
                 GError **error)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *eq;
    if (strcmp(a, "--") == 0)
      break;
    const CkptFlag *f = a[0] == '-' ? match_flag(flags, a, &eq) : NULL;
    if (f == NULL)
      continue;
    if (f->plugins)
      g_ptr_array_add(plugins, g_strdup(f->plugins));
    g_auto(GStrv) parts = g_strsplit(f->show ? f->show : "", ",", -1);
    for (size_t k = 0; parts[k]; k++)
      if (*parts[k])
        g_ptr_array_add(show, g_strdup(parts[k]));
    if (f->set && f->takes_value) {
      const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (v == NULL) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s needs a value",
                    f->flag);
        return FALSE;
      }
      /* an item ends in a newline: a LIST then keeps its commas */
      g_ptr_array_add(
          sets, g_strdup_printf("%s=%s%s", f->set, v, f->item ? "\n" : ""));
    } else if (f->set) {
      g_ptr_array_add(sets, g_strdup(f->set));
    } else if (eq) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s takes no value",
                  f->flag);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
ckpt_flags_take(const CkptFlag *flags, int argc, char **argv, const char **vals,
                GPtrArray *rest, GError **error)
{
  for (int i = 0; i < argc; i++) {
    const char *eq;
    const CkptFlag *f = strcmp(argv[i], "--") == 0 ? NULL
                        : argv[i][0] == '-' ? match_flag(flags, argv[i], &eq)
                                            : NULL;
    if (strcmp(argv[i], "--") == 0) {
      for (; i < argc; i++)
        g_ptr_array_add(rest, argv[i]);
      break;
    }
    if (f == NULL || f->plugins || f->set) {
      g_ptr_array_add(rest, argv[i]);
      continue;
    }
    const char **v = &vals[f - flags];
    if (!f->takes_value && eq) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s takes no value",
                  f->flag);
      return FALSE;
    }
    *v = !f->takes_value ? "" : eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
    if (*v == NULL) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s needs a value",
                  f->flag);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
is_named_flag(const CkptFlag *flags, const char *name)
{
  /* a flag without help is a plugin option's own flag given a short
   * alias (memparse -s is --search): the option, not a clash */
  for (size_t i = 0; flags && flags[i].flag; i++)
    if (flags[i].help && strcmp(flags[i].flag, name) == 0)
      return TRUE;
  for (size_t i = 0; ckpt_global_flags[i].flag; i++)
    if (strcmp(ckpt_global_flags[i].flag, name) == 0)
      return TRUE;
  return FALSE;
}

char *
ckpt_flags_option_flag(const CkptFlag *flags, const CkptPlan *plan,
                       const CkptStep *st, const CkptOption *o)
{
  int owners = 0;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *s = g_ptr_array_index(plan->steps, i);
    owners += ckpt_options_get(s->opts, o->name) != NULL;
  }
  if (owners == 1 && !is_named_flag(flags, o->name))
    return g_strdup(o->name);
  return g_strdup_printf("%s.%s", st->plugin->desc->name, o->name);
}

const char *
ckpt_flags_option_alias(const CkptFlag *flags, const CkptStep *st,
                        const CkptOption *o)
{
  g_autofree char *set =
      g_strdup_printf("%s.%s", st->plugin->desc->name, o->name);
  for (size_t i = 0; flags && flags[i].flag; i++)
    if (flags[i].alias && flags[i].set && strcmp(flags[i].set, set) == 0)
      return flags[i].alias;
  return NULL;
}

/* " (did you mean --X?)" or "" (free it), from flags, plan's options and
 * the global flags. */
static char *
flag_hint(const CkptFlag *flags, const CkptPlan *plan, const char *word)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; flags && flags[i].flag; i++)
    g_ptr_array_add(names, g_strdup(flags[i].flag));
  for (guint i = 0; plan && i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    for (size_t j = 0;
         st->plugin->desc->options && st->plugin->desc->options[j].name; j++) {
      const CkptOption *o = &st->plugin->desc->options[j];
      g_ptr_array_add(names, ckpt_flags_option_flag(flags, plan, st, o));
      if (o->type == CKPT_T_BOOL)
        g_ptr_array_add(names, g_strdup_printf("no-%s", o->name));
    }
  }
  for (size_t i = 0; ckpt_global_flags[i].flag; i++)
    g_ptr_array_add(names, g_strdup(ckpt_global_flags[i].flag));
  g_ptr_array_add(names, NULL);
  const char *s = ckpt_suggest(word, (const char *const *)names->pdata);
  return s ? g_strdup_printf(" (did you mean --%s?)", s) : g_strdup("");
}

gboolean
ckpt_flags_rest(const CkptFlag *flags, const CkptPlan *plan, int argc,
                char **argv, GPtrArray *sets, GPtrArray *files, GError **error)
{
  gboolean flags_done = FALSE;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (flags_done || a[0] != '-' || a[1] == '\0') {
      g_ptr_array_add(files, (gpointer)a);
      continue;
    }
    if (strcmp(a, "--") == 0) {
      flags_done = TRUE;
      continue;
    }
    const char *eq;
    const CkptFlag *f = match_flag(flags, a, &eq);
    if (f) {
      if (f->takes_value && !eq)
        i++; /* consumed in pass one */
      continue;
    }
    if (!g_str_has_prefix(a, "--")) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "unknown flag %s", a);
      return FALSE;
    }
    g_autoptr(GError) e = NULL;
    gboolean used_next = FALSE;
    if (!ckpt_plan_flag(plan, a, i + 1 < argc ? argv[i + 1] : NULL, sets,
                        &used_next, &e)) {
      g_autofree char *name = g_strndup(a + 2, strcspn(a + 2, "="));
      g_autofree char *hint = flag_hint(flags, plan, name);
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s%s", e->message,
                  hint);
      return FALSE;
    }
    i += used_next;
  }
  return TRUE;
}

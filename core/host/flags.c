/* flags.c - plugin options as flags, sweep settings, chains by name
 * (flags.h). */
#include "host/flags.h"

#include <string.h>

#include "util/error.h"

/* Finds a plugin option named by a flag: "PLUGIN.OPTION", or "OPTION" when
 * exactly one plugin of the plan declares it. */
static gboolean
find_option(const CkptPlan *plan, const char *name, char **setting,
            const CkptOption **decl, GError **error)
{
  const char *dot = strchr(name, '.');
  int found = 0;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    const char *pname = st->plugin->desc->name;
    const char *oname = name;
    if (dot) {
      if (strncmp(name, pname, (size_t)(dot - name)) != 0 ||
          pname[dot - name] != '\0')
        continue;
      oname = dot + 1;
    }
    const CkptOptionValue *v = ckpt_options_get(st->opts, oname);
    if (v == NULL)
      continue;
    if (found++ == 0) {
      *setting = g_strdup_printf("%s.%s", pname, oname);
      *decl = v->decl;
    }
  }
  if (found > 1) {
    g_free(*setting);
    *setting = NULL;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "--%s is ambiguous: use --PLUGIN.%s", name, name);
    return FALSE;
  }
  if (found == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "unknown flag --%s", name);
    return FALSE;
  }
  return TRUE;
}

gboolean
ckpt_plan_flag(const CkptPlan *plan, const char *arg, const char *next,
               GPtrArray *sets, gboolean *used_next, GError **error)
{
  *used_next = FALSE;
  const char *eq = strchr(arg, '=');
  g_autofree char *name =
      eq ? g_strndup(arg + 2, (gsize)(eq - arg - 2)) : g_strdup(arg + 2);
  gboolean negated = g_str_has_prefix(name, "no-") && !eq;
  g_autofree char *setting = NULL;
  const CkptOption *decl = NULL;
  g_autoptr(GError) first = NULL;
  if (!find_option(plan, name, &setting, &decl, &first)) {
    g_autoptr(GError) e2 = NULL;
    if (!negated || !find_option(plan, name + 3, &setting, &decl, &e2) ||
        decl->type != CKPT_T_BOOL) {
      g_propagate_error(error, g_steal_pointer(&first));
      return FALSE;
    }
    g_ptr_array_add(sets, g_strdup_printf("%s=false", setting));
    return TRUE;
  }
  const char *v = eq ? eq + 1 : NULL;
  if (v == NULL && decl->type == CKPT_T_BOOL) {
    v = "true";
  } else if (v == NULL && next) {
    v = next;
    *used_next = TRUE;
  }
  if (v == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "--%s needs a value",
                name);
    return FALSE;
  }
  g_ptr_array_add(sets, g_strdup_printf("%s=%s", setting, v));
  return TRUE;
}

/* One "NAME=VALUE" of the sweep engine's. */
static gboolean
sweep_set(CkptSweep *sw, const char *name, const char *v)
{
  guint64 n = 0;
  if (strcmp(name, "threads") == 0 &&
      g_ascii_string_to_unsigned(v, 10, 0, 100000, &n, NULL))
    sw->threads = (int)n;
  else if (strcmp(name, "progress") == 0 && strcmp(v, "false") == 0)
    sw->no_progress = TRUE;
  else if (strcmp(name, "once") == 0 && strcmp(v, "true") == 0)
    sw->once = TRUE;
  else
    return FALSE;
  return TRUE;
}

gboolean
ckpt_sweep_apply(CkptSweep *sw, CkptPlan *plan, GPtrArray *sets, GError **error)
{
  for (guint i = 0; i < sets->len; i++) {
    const char *a = g_ptr_array_index(sets, i), *eq = strchr(a, '=');
    if (sw && eq && g_str_has_prefix(a, "sweep.")) {
      g_autofree char *name = g_strndup(a + 6, (gsize)(eq - a - 6));
      if (!sweep_set(sw, name, eq + 1)) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                    "--%s: '%s' is not a value it takes", name, eq + 1);
        return FALSE;
      }
    } else if (!ckpt_plan_set(plan, a, error)) {
      return FALSE;
    }
  }
  return TRUE;
}

static gpointer
copy_str(gconstpointer src, gpointer data)
{
  return g_strdup(src);
}

CkptChain *
ckpt_chainset_resolve(const CkptChainSet *set, const char *spec, GError **error)
{
  const CkptChain *named = ckpt_chainset_find(set, spec);
  if (named == NULL)
    return ckpt_chain_from_list(spec, error);
  CkptChain *c = g_new0(CkptChain, 1);
  c->name = g_strdup(named->name);
  c->description = g_strdup(named->description);
  c->file = g_strdup(named->file);
  c->plugins = g_ptr_array_copy(named->plugins, copy_str, NULL);
  g_ptr_array_set_free_func(c->plugins, g_free);
  c->settings = g_ptr_array_copy(named->settings, copy_str, NULL);
  g_ptr_array_set_free_func(c->settings, g_free);
  return c;
}

/* envdiff.c - building the configured-vs-process environment rows (see
 * envdiff.h). Input strings come from the checkpoint: names without '='
 * are kept whole with an empty value, duplicates keep their first value
 * (what getenv() returns).
 */
#include <string.h>

#include "envdiff.h"
#include "liveenv.h"

const char *
envdiff_status_name(EnvDiffStatus s)
{
  switch (s) {
  case ENVDIFF_SAME:
    return "same";
  case ENVDIFF_CHANGED:
    return "changed";
  case ENVDIFF_ADDED:
    return "added";
  case ENVDIFF_REMOVED:
    return "removed";
  case ENVDIFF_NO_PROCESS:
    return "configured";
  case ENVDIFF_RUNTIME_SET:
    return "set-at-runtime";
  case ENVDIFF_RUNTIME_CHANGED:
    return "changed-at-runtime";
  case ENVDIFF_RUNTIME_UNSET:
    return "unset-at-runtime";
  }
  return "unknown";
}

static void
row_free(EnvDiffRow *r)
{
  g_free(r->name);
  g_free(r->spec_value);
  g_free(r->process_value);
  g_free(r->runtime_value);
  g_string_free(r->pids, TRUE);
  g_free(r);
}

void
envdiff_free(EnvDiff *d)
{
  if (!d)
    return;
  g_ptr_array_free(d->rows, TRUE);
  for (guint i = 0; i < d->live->len; i++)
    g_strfreev(g_array_index(d->live, EnvDiffLive, i).env);
  g_array_free(d->live, TRUE);
  g_free(d);
}

/* name -> value of one NULL-ended NAME=VALUE list; first occurrence wins */
static GHashTable *
env_map(const char *const *envp)
{
  GHashTable *m =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (size_t i = 0; envp && envp[i]; i++) {
    const char *eq = strchr(envp[i], '=');
    char *name =
        eq ? g_strndup(envp[i], (size_t)(eq - envp[i])) : g_strdup(envp[i]);
    if (g_hash_table_contains(m, name)) {
      g_free(name);
      continue;
    }
    g_hash_table_insert(m, name, g_strdup(eq ? eq + 1 : ""));
  }
  return m;
}

static void
add_name(GPtrArray *names, GHashTable *seen, const char *name)
{
  if (g_hash_table_contains(seen, name))
    return;
  char *n = g_strdup(name);
  g_hash_table_add(seen, n);
  g_ptr_array_add(names, n);
}

typedef struct {
  uint32_t pid;
  GHashTable *env;  /* at exec */
  GHashTable *live; /* at the dump, or NULL when not found */
} ProcEnv;

static EnvDiffRow *
row_new(const char *name, EnvDiffStatus st, const char *spec, const char *proc)
{
  EnvDiffRow *r = g_new0(EnvDiffRow, 1);
  r->name = g_strdup(name);
  r->status = st;
  r->spec_value = g_strdup(spec);
  r->process_value = g_strdup(proc);
  r->pids = g_string_new(NULL);
  return r;
}

static EnvDiffStatus
status_of(const char *spec, const char *v, const char *rv, gboolean has_live)
{
  if (has_live && g_strcmp0(v, rv) != 0)
    return !v    ? ENVDIFF_RUNTIME_SET
           : !rv ? ENVDIFF_RUNTIME_UNSET
                 : ENVDIFF_RUNTIME_CHANGED;
  if (!v)
    return ENVDIFF_REMOVED;
  if (!spec)
    return ENVDIFF_ADDED;
  return strcmp(spec, v) == 0 ? ENVDIFF_SAME : ENVDIFF_CHANGED;
}

/* The rows of one name: one per distinct (exec, dump) pair of values
 * (absence counts as a value when the name is configured or was set at
 * runtime), in order of first pid. */
static void
rows_for_name(EnvDiff *d, const char *name, const char *spec,
              const GArray *procs)
{
  if (procs->len == 0) {
    if (spec)
      g_ptr_array_add(d->rows, row_new(name, ENVDIFF_NO_PROCESS, spec, NULL));
    return;
  }
  g_autoptr(GPtrArray) mine = g_ptr_array_new();
  for (guint i = 0; i < procs->len; i++) {
    const ProcEnv *pe = &g_array_index(procs, ProcEnv, i);
    const char *v = g_hash_table_lookup(pe->env, name);
    const char *rv = pe->live ? g_hash_table_lookup(pe->live, name) : v;
    if (!v && !rv && !spec)
      continue;
    const char *shown_rv = g_strcmp0(v, rv) != 0 ? rv : NULL;
    EnvDiffStatus st = status_of(spec, v, rv, pe->live != NULL);
    EnvDiffRow *r = NULL;
    for (guint j = 0; j < mine->len && !r; j++) {
      EnvDiffRow *c = mine->pdata[j];
      if (c->status == st && g_strcmp0(c->process_value, v) == 0 &&
          g_strcmp0(c->runtime_value, shown_rv) == 0)
        r = c;
    }
    if (!r) {
      r = row_new(name, st, spec, v);
      r->runtime_value = g_strdup(shown_rv);
      g_ptr_array_add(mine, r);
    }
    g_string_append_printf(r->pids, "%s%u", r->pids->len ? "," : "", pe->pid);
  }
  for (guint j = 0; j < mine->len; j++)
    g_ptr_array_add(d->rows, mine->pdata[j]);
}

static void
add_names(GPtrArray *names, GHashTable *seen, const char *const *envp)
{
  for (size_t k = 0; envp && envp[k]; k++) {
    const char *eq = strchr(envp[k], '=');
    g_autofree char *nm =
        eq ? g_strndup(envp[k], (size_t)(eq - envp[k])) : g_strdup(envp[k]);
    add_name(names, seen, nm);
  }
}

EnvDiff *
envdiff_build(const CkptApi *api, CkptRun *run, gboolean live,
              LiveEnvFound *found, size_t n_found)
{
  EnvDiff *d = g_new0(EnvDiff, 1);
  d->rows = g_ptr_array_new_with_free_func((GDestroyNotify)row_free);
  d->live = g_array_new(FALSE, FALSE, sizeof(EnvDiffLive));
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  g_autoptr(GHashTable) seen =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) spec =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const CkptContainerInfo *ci = api->container(run);
  for (size_t i = 0; ci && i < ci->n_spec_env; i++) {
    const CkptKeyValue *kv = &ci->spec_env[i];
    if (!kv->key || g_hash_table_contains(spec, kv->key))
      continue;
    g_hash_table_insert(spec, g_strdup(kv->key),
                        g_strdup(kv->value ? kv->value : ""));
    add_name(names, seen, kv->key);
  }
  g_autoptr(GArray) procs = g_array_new(FALSE, FALSE, sizeof(ProcEnv));
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    /* no memory, or nothing of the environment recoverable from it (a
     * title written over it, no copy found): nothing to compare, rather
     * than every configured variable "removed" */
    if (!pi->has_mm ||
        (CKPT_HAS(pi, env_source) && pi->env_source == CKPT_ENV_NONE))
      continue;
    ProcEnv pe = {pi->pid, env_map(pi->envp), NULL};
    add_names(names, seen, pi->envp);
    EnvDiffLive l = {pi->pid, 0, NULL};
    if (live && found && i < n_found && found[i].done) {
      l.env = g_steal_pointer(&found[i].env);
      l.addr = found[i].addr;
    } else if (live) {
      l.env = liveenv_find(api, p, pi, &l.addr);
    }
    if (l.env) {
      g_array_append_val(d->live, l);
      pe.live = env_map((const char *const *)l.env);
      add_names(names, seen, (const char *const *)l.env);
    }
    g_array_append_val(procs, pe);
  }
  for (guint i = 0; i < names->len; i++)
    rows_for_name(d, names->pdata[i],
                  g_hash_table_lookup(spec, names->pdata[i]), procs);
  for (guint i = 0; i < procs->len; i++) {
    ProcEnv *pe = &g_array_index(procs, ProcEnv, i);
    g_hash_table_destroy(pe->env);
    if (pe->live)
      g_hash_table_destroy(pe->live);
  }
  return d;
}

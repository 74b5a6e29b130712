/* chain.c - chain definitions (CLI lists and GKeyFile INI files), their
 * resolution into ordered plans, and running a plan over a checkpoint. */
#include "host/chain.h"

#include <string.h>

#include "ckpt-config.h"
#include "util/error.h"
#include "host/isolate.h"
#include "host/run.h"
#include "model/secretset.h"

#define MAX_CHAIN 1024

/* g_ptr_array_sort hands the comparator pointers to the elements */
static gint
ckpt_strv_cmp(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
} /* plugins in one chain, after dependencies */

void
ckpt_chain_free(CkptChain *c)
{
  if (c == NULL)
    return;
  g_free(c->name);
  g_free(c->description);
  g_free(c->file);
  g_ptr_array_unref(c->plugins);
  g_ptr_array_unref(c->settings);
  g_free(c);
}

static CkptChain *
chain_new(const char *name)
{
  CkptChain *c = g_new0(CkptChain, 1);
  c->name = g_strdup(name);
  c->plugins = g_ptr_array_new_with_free_func(g_free);
  c->settings = g_ptr_array_new_with_free_func(g_free);
  return c;
}

/* Splits a plugin list at commas (or GKeyFile's semicolons). */
static gboolean
parse_plugin_list(CkptChain *c, const char *list, const char *where,
                  GError **error)
{
  g_auto(GStrv) parts = g_strsplit_set(list, ",;", -1);
  for (size_t i = 0; parts[i]; i++) {
    char *name = g_strstrip(parts[i]);
    if (*name == '\0')
      continue;
    if (!ckpt_name_valid(name)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "%s: '%s' is not a plugin name", where, name);
      return FALSE;
    }
    gboolean dup = FALSE;
    for (guint j = 0; j < c->plugins->len; j++)
      dup |= strcmp(g_ptr_array_index(c->plugins, j), name) == 0;
    if (!dup)
      g_ptr_array_add(c->plugins, g_strdup(name));
  }
  if (c->plugins->len == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s: no plugins", where);
    return FALSE;
  }
  return TRUE;
}

CkptChain *
ckpt_chain_from_list(const char *list, GError **error)
{
  g_autoptr(CkptChain) c = chain_new(list);
  if (!parse_plugin_list(c, list, "plugin list", error))
    return NULL;
  return g_steal_pointer(&c);
}

/* ---- chain files ------------------------------------------------------- */

struct CkptChainSet {
  GHashTable *chains; /* name -> CkptChain* */
};

CkptChainSet *
ckpt_chainset_new(void)
{
  CkptChainSet *s = g_new0(CkptChainSet, 1);
  s->chains = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify)ckpt_chain_free);
  return s;
}

void
ckpt_chainset_free(CkptChainSet *s)
{
  if (s == NULL)
    return;
  g_hash_table_unref(s->chains);
  g_free(s);
}

static CkptChain *
chain_from_group(GKeyFile *kf, const char *path, const char *group,
                 GError **error)
{
  const char *name = group + strlen("chain ");
  g_autofree char *where = g_strdup_printf("%s: [%s]", path, group);
  if (!ckpt_name_valid(name)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "%s: chain name must be [a-z0-9-]+", where);
    return NULL;
  }
  g_autoptr(CkptChain) c = chain_new(name);
  c->file = g_strdup(path);
  g_autofree char *list = g_key_file_get_value(kf, group, "plugins", NULL);
  if (list == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s: no plugins= key",
                where);
    return NULL;
  }
  if (!parse_plugin_list(c, list, where, error))
    return NULL;
  c->description = g_key_file_get_string(kf, group, "description", NULL);
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (size_t i = 0; keys && keys[i]; i++) {
    if (strcmp(keys[i], "plugins") == 0 || strcmp(keys[i], "description") == 0)
      continue;
    if (strchr(keys[i], '.') == NULL) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "%s: key '%s' is not plugins, description or "
                  "PLUGIN.OPTION",
                  where, keys[i]);
      return NULL;
    }
    g_autofree char *v = g_key_file_get_string(kf, group, keys[i], NULL);
    g_ptr_array_add(c->settings, g_strdup_printf("%s=%s", keys[i], v ? v : ""));
  }
  return g_steal_pointer(&c);
}

gboolean
ckpt_chainset_load_file(CkptChainSet *s, const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s: %s", path,
                local->message);
    return FALSE;
  }
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  g_autoptr(GPtrArray) parsed =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_chain_free);
  /* parse the whole file before installing any chain from it */
  for (size_t i = 0; groups[i]; i++) {
    if (!g_str_has_prefix(groups[i], "chain ")) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "%s: group [%s] is not [chain NAME]", path, groups[i]);
      return FALSE;
    }
    CkptChain *c = chain_from_group(kf, path, groups[i], error);
    if (c == NULL)
      return FALSE;
    g_ptr_array_add(parsed, c);
  }
  /* the set takes ownership of every parsed chain */
  g_ptr_array_set_free_func(parsed, NULL);
  for (guint i = 0; i < parsed->len; i++) {
    CkptChain *c = g_ptr_array_index(parsed, i);
    g_hash_table_replace(s->chains, c->name, c);
  }
  return TRUE;
}

static void
load_dir(CkptChainSet *s, const char *dir, GPtrArray *warnings)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    if (g_str_has_suffix(name, ".ini") && name[0] != '.')
      g_ptr_array_add(names, g_build_filename(dir, name, NULL));
  g_ptr_array_sort(names, ckpt_strv_cmp);
  for (guint i = 0; i < names->len; i++) {
    g_autoptr(GError) e = NULL;
    if (!ckpt_chainset_load_file(s, g_ptr_array_index(names, i), &e))
      g_ptr_array_add(warnings, g_strdup(e->message));
  }
}

static gboolean
running_uninstalled(void)
{
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  size_t n = strlen(CKPT_BUILD_ROOT);
  return exe && strncmp(exe, CKPT_BUILD_ROOT, n) == 0 && exe[n] == '/';
}

void
ckpt_chainset_load_defaults(CkptChainSet *s, GPtrArray *warnings)
{
  load_dir(s, running_uninstalled() ? CKPT_SOURCE_CHAINDIR : CKPT_CHAINDIR,
           warnings);
  const char *config = g_getenv("XDG_CONFIG_HOME");
  g_autofree char *user = config && g_path_is_absolute(config)
                              ? g_build_filename(config, "ckpt", "chains", NULL)
                              : g_build_filename(g_get_home_dir(), ".config",
                                                 "ckpt", "chains", NULL);
  load_dir(s, user, warnings);
}

const CkptChain *
ckpt_chainset_find(const CkptChainSet *s, const char *name)
{
  return g_hash_table_lookup(s->chains, name);
}

static gint
chain_cmp(gconstpointer a, gconstpointer b)
{
  const CkptChain *ca = *(CkptChain *const *)a;
  const CkptChain *cb = *(CkptChain *const *)b;
  return strcmp(ca->name, cb->name);
}

GPtrArray *
ckpt_chainset_list(const CkptChainSet *s)
{
  GPtrArray *out = g_ptr_array_new();
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->chains);
  while (g_hash_table_iter_next(&it, NULL, &v))
    g_ptr_array_add(out, v);
  g_ptr_array_sort(out, chain_cmp);
  return out;
}

/* ---- plans ------------------------------------------------------------- */

static void
step_free(gpointer data)
{
  CkptStep *st = data;
  g_array_unref(st->opts);
  g_free(st);
}

void
ckpt_plan_free(CkptPlan *p)
{
  if (p == NULL)
    return;
  g_ptr_array_unref(p->steps);
  g_free(p->name);
  g_free(p);
}

CkptStep *
ckpt_plan_step(const CkptPlan *plan, const char *plugin)
{
  for (guint i = 0; i < plan->steps->len; i++) {
    CkptStep *st = g_ptr_array_index(plan->steps, i);
    if (strcmp(st->plugin->desc->name, plugin) == 0)
      return st;
  }
  return NULL;
}

gboolean
ckpt_plan_set(CkptPlan *plan, const char *assignment, GError **error)
{
  const char *eq = strchr(assignment, '=');
  const char *dot = strchr(assignment, '.');
  if (eq == NULL || dot == NULL || dot > eq || dot == assignment) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "setting '%s': expected PLUGIN.OPTION=VALUE", assignment);
    return FALSE;
  }
  g_autofree char *plugin = g_strndup(assignment, (gsize)(dot - assignment));
  g_autofree char *option = g_strndup(dot + 1, (gsize)(eq - dot - 1));
  CkptStep *st = ckpt_plan_step(plan, plugin);
  if (st == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "setting '%s': plugin %s is not in chain %s", assignment,
                plugin, plan->name);
    return FALSE;
  }
  return ckpt_options_set(st->opts, st->plugin->desc, option, eq + 1, error);
}

/* Adds dependencies breadth-first; no recursion on plugin-declared depth. */
static gboolean
expand(const CkptHost *h, const CkptChain *chain, GPtrArray *out,
       GError **error)
{
  for (guint i = 0; i < chain->plugins->len; i++) {
    const char *name = g_ptr_array_index(chain->plugins, i);
    const CkptLoadedPlugin *lp = ckpt_host_find(h, name);
    if (lp == NULL) {
      if (chain->file)
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
                    "chain %s (%s): plugin %s is not installed", chain->name,
                    chain->file, name);
      else {
        const char *near = ckpt_host_nearest(h, name);
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
                    "plugin %s is not installed (%s%s%s)", name,
                    near ? "did you mean " : "see 'ckpt plugins'",
                    near ? near : "", near ? "?" : "");
      }
      return FALSE;
    }
    g_ptr_array_add(out, (gpointer)lp);
  }
  for (guint i = 0; i < out->len; i++) {
    const CkptLoadedPlugin *lp = g_ptr_array_index(out, i);
    for (size_t j = 0; lp->desc->depends && lp->desc->depends[j]; j++) {
      /* the host refused plugins with missing dependencies at load */
      const CkptLoadedPlugin *dep = ckpt_host_find(h, lp->desc->depends[j]);
      if (dep && !g_ptr_array_find(out, dep, NULL))
        g_ptr_array_add(out, (gpointer)dep);
    }
    if (out->len > MAX_CHAIN) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "chain %s: more than %d plugins", chain->name, MAX_CHAIN);
      return FALSE;
    }
  }
  return TRUE;
}

static void
place(const CkptChain *chain, const CkptLoadedPlugin *lp, CkptPlan *plan)
{
  CkptStep *st = g_new0(CkptStep, 1);
  st->plugin = lp;
  st->opts = ckpt_options_new(lp->desc);
  for (guint j = 0; j < chain->plugins->len; j++)
    st->requested |=
        strcmp(g_ptr_array_index(chain->plugins, j), lp->desc->name) == 0;
  g_ptr_array_add(plan->steps, st);
}

/* The first dependency of lp not yet placed, or NULL. */
static const CkptLoadedPlugin *
unplaced_dep(const CkptHost *h, const CkptLoadedPlugin *lp,
             const CkptPlan *plan)
{
  for (size_t j = 0; lp->desc->depends && lp->desc->depends[j]; j++)
    if (ckpt_plan_step(plan, lp->desc->depends[j]) == NULL)
      return ckpt_host_find(h, lp->desc->depends[j]);
  return NULL;
}

/* Depth-first with an explicit stack: each plugin in requested order is
 * placed right after its dependencies. A dependency already on the stack
 * is a cycle. The stack holds at most every plugin once. */
static gboolean
order(const CkptHost *h, const CkptChain *chain, GPtrArray *todo,
      CkptPlan *plan, GError **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new();
  for (guint i = 0; i < todo->len; i++) {
    const CkptLoadedPlugin *start = g_ptr_array_index(todo, i);
    if (ckpt_plan_step(plan, start->desc->name))
      continue;
    g_ptr_array_add(stack, (gpointer)start);
    while (stack->len > 0) {
      const CkptLoadedPlugin *top = g_ptr_array_index(stack, stack->len - 1);
      const CkptLoadedPlugin *dep = unplaced_dep(h, top, plan);
      if (dep == NULL) {
        g_ptr_array_remove_index(stack, stack->len - 1);
        if (ckpt_plan_step(plan, top->desc->name) == NULL)
          place(chain, top, plan);
        continue;
      }
      if (g_ptr_array_find(stack, dep, NULL)) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                    "chain %s: dependency cycle through %s and %s", chain->name,
                    top->desc->name, dep->desc->name);
        return FALSE;
      }
      g_ptr_array_add(stack, (gpointer)dep);
    }
  }
  return TRUE;
}

CkptPlan *
ckpt_plan_new(const CkptHost *h, const CkptChain *chain,
              const char *const *sets, GError **error)
{
  g_autoptr(CkptPlan) plan = g_new0(CkptPlan, 1);
  plan->name = g_strdup(chain->name);
  plan->steps = g_ptr_array_new_with_free_func(step_free);
  g_autoptr(GPtrArray) todo = g_ptr_array_new();
  if (!expand(h, chain, todo, error) || !order(h, chain, todo, plan, error))
    return NULL;
  for (guint i = 0; i < chain->settings->len; i++) {
    g_autoptr(GError) e = NULL;
    if (!ckpt_plan_set(plan, g_ptr_array_index(chain->settings, i), &e)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s: %s",
                  chain->file ? chain->file : chain->name, e->message);
      return NULL;
    }
  }
  for (size_t i = 0; sets && sets[i]; i++)
    if (!ckpt_plan_set(plan, sets[i], error))
      return NULL;
  return g_steal_pointer(&plan);
}

/* ---- running ----------------------------------------------------------- */

unsigned
ckpt_plan_reads(const CkptPlan *plan)
{
  unsigned all = 0;
  /* the plan's steps hold the dependencies too (ckpt_plan_new) */
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    unsigned r = ckpt_plugin_reads(st->plugin->desc);
    if (r == 0)
      return 0;
    all |= r;
  }
  /* an empty plan reads the model (the checkpoint is still opened) */
  return all ? all : CKPT_READS_MODEL;
}

static const char *
failed_dependency(const CkptLoadedPlugin *lp, const CkptReport *report)
{
  for (size_t j = 0; lp->desc->depends && lp->desc->depends[j]; j++) {
    const CkptPluginResult *pr =
        ckpt_report_plugin(report, lp->desc->depends[j]);
    if (pr == NULL || pr->outcome >= CKPT_PLUGIN_RAN_FAILED)
      return lp->desc->depends[j];
  }
  return NULL;
}

/* checkpointctl's CHKPT SIZE: every regular file under checkpoint/ in an
 * archive (the images and CRIU's descriptors.json), the images alone in a
 * bare directory. Filled here when the metadata stage left it empty,
 * before any plugin reads it. */
static void
fill_checkpoint_size(CkptCheckpoint *c)
{
  if (c->container.checkpoint_size != 0 || c->images == NULL)
    return;
  uint64_t total = ckpt_imageset_size_under(c->images, "checkpoint/");
  if (total != 0) {
    c->container.checkpoint_size = total;
    return;
  }
  const char *const *names = ckpt_imageset_image_names(c->images);
  for (size_t i = 0; names && names[i]; i++) {
    const uint8_t *data;
    size_t len;
    if (ckpt_imageset_image(c->images, names[i], &data, &len))
      total += len;
  }
  c->container.checkpoint_size = total;
}

/* A plugin declares a findings table (the SDK's shared schema). */
static gboolean
has_findings(const CkptPlugin *desc)
{
  for (size_t i = 0; desc->tables && desc->tables[i].name; i++)
    if (strcmp(desc->tables[i].name, CKPT_FINDINGS_TABLE) == 0)
      return TRUE;
  return FALSE;
}

/* api->result() reads only the tables of declared dependencies, and any
 * plugin's findings, so a plugin's rows must be kept exactly when some
 * plugin of the plan depends on it or it has findings; the others may
 * stream (results.h). */
static void
mark_kept(const CkptPlan *plan, CkptReport *report)
{
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    const char *const *deps = st->plugin->desc->depends;
    if (has_findings(st->plugin->desc))
      ckpt_report_keep(report, st->plugin->desc->name);
    for (size_t j = 0; deps && deps[j]; j++)
      ckpt_report_keep(report, deps[j]);
    /* an isolated plugin's rows come back whole, and a failed decode
     * drops them: nothing may have reached the sink yet */
    if (ckpt_isolate_enabled())
      ckpt_report_keep(report, st->plugin->desc->name);
  }
}

static gboolean
is_multi_only(const CkptStep *st)
{
  return st->plugin->desc->run == NULL && st->plugin->desc->run_multi != NULL;
}

gboolean
ckpt_plan_is_multi(const CkptPlan *plan)
{
  for (guint i = 0; i < plan->steps->len; i++)
    if (is_multi_only(g_ptr_array_index(plan->steps, i)))
      return TRUE;
  return FALSE;
}

void
ckpt_plan_run_multi(const CkptHost *h, const CkptPlan *plan,
                    CkptCheckpoint *const *cs, CkptReport *const *reports,
                    size_t n, CkptReport *out)
{
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    if (!is_multi_only(st))
      continue;
    /* isolation forks per checkpoint; a run over several stays in
     * process (the model of every checkpoint is needed at once) */
    CkptPluginOutcome o =
        ckpt_host_run_multi(h, st->plugin, st->opts, cs, reports, n, out);
    if (o == CKPT_PLUGIN_RAN_FATAL)
      break;
  }
}

/* The one memory pass (mempass.h): every plugin of the plan that has
 * prepare() may subscribe, then each process's memory is walked once.
 * None under --isolate (a plugin's code then runs only in its child) or
 * with CKPT_MEMPASS=0 in the environment (each plugin reads for itself:
 * what bench/triage.sh and tests/cli/onepass.sh compare with). */
static CkptMemPass *
memory_pass(const CkptHost *h, const CkptPlan *plan, CkptCheckpoint *c,
            CkptReport *report)
{
  if (ckpt_isolate_enabled() || g_strcmp0(g_getenv("CKPT_MEMPASS"), "0") == 0)
    return NULL;
  CkptMemPass *pass = ckpt_mempass_new();
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    if (!is_multi_only(st))
      ckpt_host_prepare_plugin(h, st->plugin, c, st->opts, report, pass);
  }
  g_autofree char *rules =
      ckpt_host_reveal(h) ? NULL : ckpt_host_secret_rules();
  ckpt_mempass_run(pass, c, rules);
  return pass;
}

void
ckpt_plan_run(const CkptHost *h, const CkptPlan *plan, CkptCheckpoint *c,
              CkptReport *report)
{
  const char *fatal = NULL;
  fill_checkpoint_size(c);
  unsigned reads = ckpt_plan_reads(plan);
  if (reads == 0 || (reads & CKPT_READS_CUSTODY))
    ckpt_checkpoint_custody(c);
  if (report->sha256 == NULL && c->container.archive_sha256) {
    report->sha256 = g_strdup(c->container.archive_sha256);
    report->sha256_of = g_strdup(c->container.archive_sha256_of);
  }
  if (report->sink)
    mark_kept(plan, report);
  CkptMemPass *pass = memory_pass(h, plan, c, report);
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    if (is_multi_only(st))
      continue; /* ckpt_plan_run_multi's */
    const char *dep = fatal ? NULL : failed_dependency(st->plugin, report);
    if (fatal || dep) {
      CkptPluginResult *pr = ckpt_report_add_plugin(report, st->plugin->desc);
      pr->outcome = CKPT_PLUGIN_SKIPPED;
      g_ptr_array_add(
          pr->messages,
          fatal ? g_strdup_printf("skipped: %s stopped the chain", fatal)
                : g_strdup_printf("skipped: dependency %s did "
                                  "not succeed",
                                  dep));
      ckpt_report_plugin_done(report, pr);
      continue;
    }
    CkptPluginOutcome o =
        ckpt_isolate_enabled()
            ? ckpt_isolate_run_plugin(h, st->plugin, c, st->opts, report)
            : ckpt_host_run_plugin_pass(h, st->plugin, c, st->opts, report,
                                        pass);
    if (o == CKPT_PLUGIN_RAN_FATAL) {
      fatal = st->plugin->desc->name;
      g_ptr_array_add(
          report->errors,
          g_strdup_printf("plugin %s: fatal error, chain stopped", fatal));
    }
    ckpt_report_plugin_done(
        report, g_ptr_array_index(report->plugins, report->plugins->len - 1));
  }
  if (ckpt_host_verbose(h)) {
    guint64 read = __atomic_load_n(&c->mem_blocks_read, __ATOMIC_RELAXED);
    const CkptMemPassStats *ps = pass ? ckpt_mempass_stats(pass) : NULL;
    if (ps) {
      g_printerr("ckpt: %s: memory pass: %u subscribers, %" G_GUINT64_FORMAT
                 " processes, %" G_GUINT64_FORMAT " blocks, %" G_GUINT64_FORMAT
                 " bytes in %.1f ms\n",
                 report->path, ps->subscribers, ps->processes, ps->blocks,
                 ps->bytes, ps->ms);
      g_printerr(
          "ckpt: %s: memory pass: secrets engine scanned %" G_GUINT64_FORMAT
          " bytes\n",
          report->path, ps->secret_bytes);
      if (ps->secrets_by) {
        g_printerr("ckpt: %s: memory pass: secrets found in %s's scan\n",
                   report->path, ps->secrets_by);
        guint64 bytes = 0, n = ckpt_checkpoint_secret_rescans(c, &bytes);
        if (n > 0)
          g_printerr("ckpt: %s: memory pass: secrets engine rescanned "
                     "%" G_GUINT64_FORMAT
                     " processes %s handed nothing for, %" G_GUINT64_FORMAT
                     " bytes\n",
                     report->path, n, ps->secrets_by, bytes);
      }
    }
    g_printerr("ckpt: %s: blocks read by the chain: %" G_GUINT64_FORMAT "\n",
               report->path, read);
  }
  ckpt_mempass_free(pass);
}

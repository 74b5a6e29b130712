/* look.c - the tree renderer of checkpointctl's inspect look (the look's
 * data is look-data.c): metadata lines straight under the checkpoint, the dump
 * statistics and the pod metadata as checkpointctl's text branches
 * (composed here from the container plugin's rows), the process tree with
 * each process's environment, open files and sockets nested under it, the
 * mounts, then ckpt's own branches (namespaces, network). Which parts are
 * shown is CkptRenderOptions.show ("pstree", "cmd", "stats", "metadata",
 * "mounts", "namespaces", "network", "details"), as `ckpt inspect` maps
 * checkpointctl's flags. Per-address rows stay in JSON (and `ckpt run`).
 *
 * The renderer copies the rows of every table of a checkpoint (store.c),
 * builds a report of "shells" in the look's order from them, and draws it
 * through the tree renderer with the look's views.
 */
#include <string.h>

#include "render/look.h"

/* ---- tree text: checkpointctl's branches, then ckpt's --------------------
 *
 * The host draws plugins in run order and each plugin's tables together,
 * but checkpointctl's branches (stats, metadata, processes, mounts) come
 * from several plugins, and ckpt's extras (namespaces, network, the mount
 * namespace) belong after all of them. So the tree is drawn from shells:
 * copies of each report whose plugin results borrow the copied rows, with
 * the tables not asked for emptied, then one more copy of the plugins
 * holding only the extras. The arena frees the shells.
 */

/* What the look draws one checkpoint from. */
typedef struct {
  const CkptRenderOptions *opt;
  const CkptRowStore *st;
  GHashTable *copies; /* const CkptResult* of a plugin -> its copy */
} Source;

/* A copy of pr whose tables are the copies of its rows, those not placed
 * at where emptied, with room for extra more tables at the end. */
static CkptPluginResult *
shell_plugin(Arena *a, const Source *src, const CkptPluginResult *pr,
             Placement where, size_t extra)
{
  CkptPluginResult *sp = ckpt_look_arena_alloc(a, 1, sizeof(CkptPluginResult));
  *sp = *pr;
  sp->tables =
      ckpt_look_arena_alloc(a, pr->n_tables + extra, sizeof(CkptResult));
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *copy = g_hash_table_lookup(src->copies, &pr->tables[i]);
    sp->tables[i] = copy ? *copy : pr->tables[i];
    if (copy == NULL || ckpt_look_placement(src->opt, pr->name,
                                            pr->tables[i].decl->name) != where)
      sp->tables[i].rows = a->empty;
  }
  if (where == SHOW_AFTER) {
    /* failures are told once, in the main shell */
    sp->outcome = MIN(pr->outcome, CKPT_PLUGIN_RAN_WARN);
  }
  return sp;
}

static void
add_text_table(CkptPluginResult *sp, const CkptTable *decl, GArray *rows)
{
  CkptResult *t = &sp->tables[sp->n_tables++];
  t->decl = decl;
  t->n_columns = 1;
  t->rows = rows;
}

/* The report as inspect's tree draws it: checkpointctl's branches (from
 * several plugins, with text tables composed here), then ckpt's. */
static CkptReport *
shell_report(Arena *a, const Source *src, const CkptReport *rep)
{
  CkptReport *sr = ckpt_look_arena_alloc(a, 1, sizeof(CkptReport));
  *sr = *rep;
  sr->plugins = g_ptr_array_new();
  g_ptr_array_add(a->parrays, sr->plugins);
  gboolean stats = ckpt_render_shows(src->opt, "stats");
  gboolean metadata = ckpt_render_shows(src->opt, "metadata");
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    gboolean container = strcmp(pr->name, "container") == 0;
    CkptPluginResult *sp =
        shell_plugin(a, src, pr, SHOW_MAIN, container ? 2 : 0);
    if (container && pr->outcome < CKPT_PLUGIN_RAN_FAILED) {
      add_text_table(sp, &ckpt_look_dump_stats_decl,
                     stats ? ckpt_look_compose_stats(a, src->st) : a->empty);
      add_text_table(sp, &ckpt_look_metadata_decl,
                     metadata ? ckpt_look_compose_metadata(a, src->st)
                              : a->empty);
    }
    g_ptr_array_add(sr->plugins, sp);
  }
  /* ckpt's branches in one order whatever order the plugins ran in */
  static const char *const after[] = {"pstree", "sockets", "mounts"};
  for (size_t k = 0; k < G_N_ELEMENTS(after); k++) {
    const CkptPluginResult *pr = ckpt_report_plugin(rep, after[k]);
    if (pr)
      g_ptr_array_add(sr->plugins, shell_plugin(a, src, pr, SHOW_AFTER, 0));
  }
  return sr;
}

/* ---- the renderer ------------------------------------------------------ */

typedef struct {
  CkptRenderer base;
  CkptRenderView *views; /* the look's, as the parts shown */
  CkptRenderer *tree;    /* draws the shells */
  CkptRowStore *store;
  GHashTable *copies;
  CkptResult **cur; /* copies of the running plugin's tables */
  size_t n_cur;
} Look;

static void
look_begin(CkptRenderer *r)
{
  Look *l = (Look *)r;
  size_t n = 0;
  while (ckpt_look_views[n].table)
    n++;
  l->views = g_memdup2(ckpt_look_views, (n + 1) * sizeof(CkptRenderView));
  for (CkptRenderView *v = l->views; v->table; v++) {
    if (strcmp(v->table, "pstree.processes") != 0)
      continue;
    gboolean details = ckpt_render_shows(&r->opt, "details");
    gboolean env = ckpt_render_shows(&r->opt, "env");
    if (details || env)
      v->fields = details ? (env ? ckpt_look_process_details_env
                                 : ckpt_look_process_details)
                          : ckpt_look_process_env;
    if (ckpt_render_shows(&r->opt, "cmd"))
      v->label_template = ckpt_look_process_cmd_label;
  }
  CkptRenderOptions o = r->opt;
  o.look = NULL;
  o.format = CKPT_RENDER_TREE;
  o.views = l->views;
  l->tree = ckpt_renderer_new(r->out, &o);
}

static void
look_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  (void)rep;
  Look *l = (Look *)r;
  l->store = ckpt_row_store_new();
  l->copies = g_hash_table_new(NULL, NULL);
}

static void
look_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Look *l = (Look *)r;
  g_free(l->cur);
  l->cur = g_new0(CkptResult *, pr->n_tables ? pr->n_tables : 1);
  l->n_cur = pr->n_tables;
  for (size_t i = 0; i < pr->n_tables; i++) {
    if (!ckpt_render_wanted(&r->opt, pr->name, pr->tables[i].decl->name))
      continue;
    l->cur[i] = ckpt_row_store_add_table(l->store, pr, i);
    g_hash_table_insert(l->copies, (gpointer)&pr->tables[i], l->cur[i]);
  }
}

static void
look_row(CkptRenderer *r, const CkptPluginResult *pr, size_t t,
         const CkptRow *row)
{
  (void)pr;
  Look *l = (Look *)r;
  if (t < l->n_cur && l->cur[t])
    ckpt_row_store_add_row(l->store, l->cur[t], row);
}

static void
look_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  (void)pr;
  Look *l = (Look *)r;
  g_clear_pointer(&l->cur, g_free);
  l->n_cur = 0;
}

static void
look_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  Look *l = (Look *)r;
  Arena a;
  ckpt_look_arena_init(&a);
  Source src = {&r->opt, l->store, l->copies};
  ckpt_renderer_replay_report(l->tree, shell_report(&a, &src, rep));
  if (l->tree->failed)
    r->failed = TRUE;
  ckpt_look_arena_release(&a);
  g_clear_pointer(&l->copies, g_hash_table_unref);
  g_clear_pointer(&l->store, ckpt_row_store_free);
}

static void
look_release(CkptRenderer *r)
{
  Look *l = (Look *)r;
  g_clear_pointer(&l->copies, g_hash_table_unref);
  g_clear_pointer(&l->store, ckpt_row_store_free);
  g_free(l->cur);
  g_free(l->views);
  ckpt_renderer_free(l->tree);
}

const CkptRendererClass ckpt_look_tree_renderer = {
    .name = "checkpointctl-tree",
    .size = sizeof(Look),
    .begin = look_begin,
    .checkpoint_begin = look_checkpoint_begin,
    .plugin_begin = look_plugin_begin,
    .row = look_row,
    .plugin_end = look_plugin_end,
    .checkpoint_end = look_checkpoint_end,
    .release = look_release,
};

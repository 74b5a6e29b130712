/* tree.c - the tree format: each checkpoint a tree of its plugins'
 * tables, drawn with box-drawing branches; TREE rows nest by depth, and
 * views (render.h's CkptRenderView) label nodes, pick their lines and nest
 * one table's rows under another's.
 *
 * A branch glyph depends on the lines after it, so a checkpoint's tree is
 * written when the checkpoint ends. Until then a table no nesting needs
 * is kept as its lines, made as its rows come; the rows of tables a
 * nesting joins are copied, since a parent's node needs rows that later
 * plugins emit. How a table becomes lines is tree-lines.c.
 */
#include <string.h>

#include "render/tree.h"

/* ---- the renderer --------------------------------------------------- */

/* A piece of a checkpoint's tree, in drawing order. */
typedef struct {
  GArray *lines;          /* Line: made already */
  const CkptResult *kept; /* or rows copied, drawn at the end */
  const CkptRenderView *view;
} Block;

/* One table of the running plugin. */
typedef struct {
  const CkptRenderView *view;
  gboolean hidden;
  guint rows;
  GArray *lines;    /* its lines so far, or */
  CkptResult *kept; /* its copied rows */
  Walk walk;
} TreeTable;

typedef struct {
  CkptRenderer base;
  CkptRowStore *store; /* rows of nested tables, this checkpoint */
  GPtrArray *declared; /* CkptRenderView*: declared nestings */
  GPtrArray *owned;    /* their strings */
  GArray *blocks;      /* Block */
  TreeTable *tables;
  size_t n_tables;
} Tree;

/* Does some nesting join this table, as child or parent? A view's, or
 * the table's declared parent or key (sdk/ckpt/plugin.h). */
static gboolean
nested(const CkptRenderOptions *opt, const char *plugin, const CkptTable *t)
{
  if (t->key)
    return TRUE;
  for (const CkptRenderView *v = opt->views; v && v->table; v++)
    if (v->parent && !v->hide &&
        (ckpt_tree_spec_is(v->table, plugin, t->name) ||
         ckpt_tree_spec_is(v->parent, plugin, t->name)))
      return TRUE;
  return FALSE;
}

/* A declared nesting as a view: the table's own view (labels, lines)
 * with the declaration's parent and keys; strings owned by tr. */
static void
declare_nest(Tree *tr, const CkptRenderOptions *opt, const char *plugin,
             const CkptTable *t)
{
  const CkptRenderView *own = ckpt_tree_find_view(opt, plugin, t->name);
  if (t->parent == NULL || (own && own->parent))
    return; /* a view's nesting comes first */
  CkptRenderView *dv = g_new0(CkptRenderView, 1);
  if (own)
    *dv = *own;
  char *spec = g_strdup_printf("%s.%s", plugin, t->name);
  const char *eq = strchr(t->key, '=');
  char *key = eq ? g_strndup(t->key, eq - t->key) : g_strdup(t->key);
  char *parent_key = g_strdup(eq ? eq + 1 : t->key);
  g_ptr_array_add(tr->owned, spec);
  g_ptr_array_add(tr->owned, key);
  g_ptr_array_add(tr->owned, parent_key);
  dv->table = spec;
  dv->parent = t->parent;
  dv->key = key;
  dv->parent_key = parent_key;
  g_ptr_array_add(tr->declared, dv);
}

/* Nests view v under its parent table, unless the parent's view (the last
 * one naming that table) is hidden. One step for the option views and the
 * declared ones. */
static void
nest_add(Tree *tr, TreeCtx *c, const CkptRenderView *v)
{
  const CkptRenderView *pv = NULL;
  for (const CkptRenderView *w = c->opt->views; w && w->table; w++)
    if (g_strcmp0(w->table, v->parent) == 0)
      pv = w;
  if (pv && pv->hide)
    return;
  Nest *n = ckpt_tree_nest_new(v, ckpt_row_store_spec(tr->store, v->table),
                               ckpt_row_store_spec(tr->store, v->parent));
  if (n)
    g_ptr_array_add(c->nests, n);
}

/* The nestings that apply to this checkpoint: both tables kept. */
static void
resolve_nests(Tree *tr, TreeCtx *c)
{
  for (const CkptRenderView *v = c->opt->views; v && v->table; v++) {
    if (v->parent == NULL || v->hide)
      continue;
    nest_add(tr, c, v);
  }
  for (guint i = 0; i < tr->declared->len; i++) {
    nest_add(tr, c, g_ptr_array_index(tr->declared, i));
  }
}

static void
tables_free(Tree *tr)
{
  for (size_t i = 0; i < tr->n_tables; i++)
    ckpt_tree_lines_free(tr->tables[i].lines);
  g_clear_pointer(&tr->tables, g_free);
  tr->n_tables = 0;
}

static void
tree_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  (void)rep;
  Tree *tr = (Tree *)r;
  tr->store = ckpt_row_store_new();
  tr->declared = g_ptr_array_new_with_free_func(g_free);
  tr->owned = g_ptr_array_new_with_free_func(g_free);
  tr->blocks = g_array_new(FALSE, FALSE, sizeof(Block));
}

static void
tree_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Tree *tr = (Tree *)r;
  tables_free(tr);
  tr->tables = g_new0(TreeTable, pr->n_tables ? pr->n_tables : 1);
  tr->n_tables = pr->n_tables;
  for (size_t i = 0; i < pr->n_tables; i++) {
    TreeTable *tt = &tr->tables[i];
    const char *name = pr->tables[i].decl->name;
    tt->view = ckpt_tree_find_view(&r->opt, pr->name, name);
    tt->hidden = tt->view && tt->view->hide;
    if (tt->hidden || !ckpt_render_wanted(&r->opt, pr->name, name) ||
        !nested(&r->opt, pr->name, pr->tables[i].decl))
      continue;
    declare_nest(tr, &r->opt, pr->name, pr->tables[i].decl);
    tt->kept = ckpt_row_store_add_table(tr->store, pr, i);
  }
}

static void
tree_row_in(CkptRenderer *r, const CkptPluginResult *pr, size_t ti,
            const CkptRow *row)
{
  Tree *tr = (Tree *)r;
  TreeTable *tt = &tr->tables[ti];
  const CkptResult *t = &pr->tables[ti];
  if (tt->hidden)
    return;
  tt->rows++;
  if (tt->kept) {
    ckpt_row_store_add_row(tr->store, tt->kept, row);
    return;
  }
  /* no nesting: no nests to look up */
  g_autoptr(GPtrArray) none = g_ptr_array_new();
  if (tt->lines == NULL)
    tt->lines = g_array_new(FALSE, FALSE, sizeof(Line));
  TreeCtx c = {&r->opt, tt->lines, none};
  if (tt->rows == 1)
    ckpt_tree_walk_begin(&c, t, tt->view, &tt->walk);
  ckpt_tree_walk_row(&c, t, tt->view, row, &tt->walk);
}

static void
add_block(Tree *tr, GArray *lines, const CkptResult *kept,
          const CkptRenderView *v)
{
  Block b = {lines, kept, v};
  g_array_append_val(tr->blocks, b);
}

/* The plugin's failure, then its tables in drawing order. */
static void
tree_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  Tree *tr = (Tree *)r;
  if (pr->outcome >= CKPT_PLUGIN_RAN_FAILED) {
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s: %s", pr->name,
                           ckpt_outcome_name(pr->outcome));
    for (guint m = 0; m < pr->messages->len; m++) {
      g_string_append(s, m ? "; " : ": ");
      ckpt_text_escape(s, g_ptr_array_index(pr->messages, m), -1);
    }
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(Line));
    ckpt_tree_add_line(lines, 1, g_string_free(s, FALSE));
    add_block(tr, lines, NULL, NULL);
  }
  g_autoptr(GArray) order = ckpt_tree_table_order(pr, &r->opt);
  for (guint k = 0; k < order->len; k++) {
    TreeTable *tt = &tr->tables[g_array_index(order, size_t, k)];
    if (tt->rows == 0)
      continue;
    add_block(tr, tt->lines, tt->kept, tt->view);
    tt->lines = NULL; /* the block owns them */
  }
  tables_free(tr);
}

static void
tree_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  Tree *tr = (Tree *)r;
  g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(Line));
  g_autoptr(GPtrArray) nests =
      g_ptr_array_new_with_free_func(ckpt_tree_nest_free);
  TreeCtx c = {&r->opt, lines, nests};
  GString *root = g_string_new(NULL);
  ckpt_text_escape(root, rep->label, -1);
  ckpt_tree_add_line(lines, 0, g_string_free(root, FALSE));
  for (guint e = 0; e < rep->errors->len; e++) {
    GString *s = g_string_new("error: ");
    ckpt_text_escape(s, g_ptr_array_index(rep->errors, e), -1);
    ckpt_tree_add_line(lines, 1, g_string_free(s, FALSE));
  }
  resolve_nests(tr, &c);
  for (guint i = 0; i < tr->blocks->len; i++) {
    Block *b = &g_array_index(tr->blocks, Block, i);
    if (b->kept) {
      ckpt_tree_table(&c, b->kept, b->view);
    } else {
      g_array_append_vals(lines, b->lines->data, b->lines->len);
      g_array_set_size(b->lines, 0); /* the texts moved */
    }
  }
  if (r->n_reports)
    g_string_append_c(r->buf, '\n');
  ckpt_tree_draw(r->buf, lines);
  for (guint i = 0; i < lines->len; i++)
    g_free(g_array_index(lines, Line, i).text);
  g_clear_pointer(&nests, g_ptr_array_unref);
  r->klass->release(r);
}

static void
tree_release(CkptRenderer *r)
{
  Tree *tr = (Tree *)r;
  tables_free(tr);
  for (guint i = 0; tr->blocks && i < tr->blocks->len; i++)
    ckpt_tree_lines_free(g_array_index(tr->blocks, Block, i).lines);
  g_clear_pointer(&tr->blocks, g_array_unref);
  g_clear_pointer(&tr->store, ckpt_row_store_free);
  g_clear_pointer(&tr->declared, g_ptr_array_unref);
  g_clear_pointer(&tr->owned, g_ptr_array_unref);
}

const CkptRendererClass ckpt_tree_renderer = {
    .name = "tree",
    .size = sizeof(Tree),
    .checkpoint_begin = tree_checkpoint_begin,
    .plugin_begin = tree_plugin_begin,
    .row = tree_row_in,
    .plugin_end = tree_plugin_end,
    .checkpoint_end = tree_checkpoint_end,
    .release = tree_release,
};

/* tree.c - the tree format: each checkpoint a tree of its plugins'
 * tables, drawn with box-drawing branches; TREE rows nest by depth, and
 * views (render.h's CkptRenderView) label nodes, pick their lines and nest
 * one table's rows under another's.
 *
 * A branch glyph depends on the lines after it, so a checkpoint's tree is
 * written when the checkpoint ends. Until then a table no nesting needs
 * is kept as its lines, made as its rows come; the rows of tables a
 * nesting joins are copied, since a parent's node needs rows that later
 * plugins emit. Lines are a flat list of (level, text), drawn in two
 * passes, so input depth never turns into recursion.
 */
#include <string.h>

#include "render/renderer.h"

typedef struct {
  int level;
  char *text;
} Line;

static void
add_line(GArray *lines, int level, char *text)
{
  Line l = {level, text};
  g_array_append_val(lines, l);
}

static void
lines_free(GArray *lines)
{
  if (lines == NULL)
    return;
  for (guint i = 0; i < lines->len; i++)
    g_free(g_array_index(lines, Line, i).text);
  g_array_unref(lines);
}

static uint32_t
col_flags(const CkptResult *t, size_t c)
{
  return t->decl->columns[c].flags;
}

static gboolean
has_label_columns(const CkptResult *t)
{
  for (size_t c = 0; c < t->n_columns; c++)
    if (col_flags(t, c) & CKPT_COL_LABEL)
      return TRUE;
  return FALSE;
}

/* Is column c part of a tree node's one-line label? With LABEL columns
 * declared, only those; else every column that is not DETAIL or HIDDEN. */
static gboolean
in_label(const CkptResult *t, size_t c, gboolean labels)
{
  uint32_t f = col_flags(t, c);
  if (labels)
    return (f & CKPT_COL_LABEL) != 0;
  return (f & (CKPT_COL_DETAIL | CKPT_COL_HIDDEN)) == 0;
}

/* A row as one line: non-empty label cells separated by two spaces. */
static char *
row_text(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new(NULL);
  gboolean labels = has_label_columns(t);
  for (size_t c = 0; c < t->n_columns; c++) {
    if (row->values[c].type == CKPT_T_NULL || !in_label(t, c, labels))
      continue;
    g_autofree char *v = ckpt_value_text(&row->values[c], utc);
    if (s->len)
      g_string_append(s, "  ");
    g_string_append(s, v);
  }
  return g_string_free(s, FALSE);
}

/* Does spec ("plugin.table") name this table? */
static gboolean
spec_is(const char *spec, const char *plugin, const char *table)
{
  size_t n = strlen(plugin);
  return spec && strncmp(spec, plugin, n) == 0 && spec[n] == '.' &&
         strcmp(spec + n + 1, table) == 0;
}

/* One nesting of a view, resolved for one report: the child table's rows
 * by key text, and the key texts the parent's rows have. */
typedef struct {
  const CkptRenderView *view;
  const CkptResult *child, *parent;
  int parent_key;
  GHashTable *by_key;      /* key text -> GArray of guint row indexes */
  GHashTable *parent_keys; /* key texts of parent rows (a set) */
} Nest;

static void
nest_free(gpointer p)
{
  Nest *n = p;
  g_hash_table_unref(n->by_key);
  g_hash_table_unref(n->parent_keys);
  g_free(n);
}

typedef struct {
  const CkptRenderOptions *opt;
  GArray *lines;    /* Line */
  GPtrArray *nests; /* Nest* */
} TreeCtx;

static char *
key_text(const CkptValue *v)
{
  return v->type == CKPT_T_NULL ? NULL : ckpt_value_text(v, TRUE);
}

/* Resolves view's nesting between two kept tables, or NULL when either is
 * missing or the keys are not columns of theirs. */
static Nest *
nest_new(const CkptRenderView *v, const CkptResult *child,
         const CkptResult *parent)
{
  if (child == NULL || parent == NULL || child == parent ||
      parent->decl->layout == CKPT_LAYOUT_RECORD)
    return NULL;
  int ck = ckpt_result_column_index(child, v->key);
  int pk = ckpt_result_column_index(parent, v->parent_key);
  if (ck < 0 || pk < 0)
    return NULL;
  Nest *n = g_new0(Nest, 1);
  n->view = v;
  n->child = child;
  n->parent = parent;
  n->parent_key = pk;
  n->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)g_array_unref);
  n->parent_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < parent->rows->len; i++) {
    char *k = key_text(&g_array_index(parent->rows, CkptRow, i).values[pk]);
    if (k)
      g_hash_table_add(n->parent_keys, k);
  }
  for (guint i = 0; i < child->rows->len; i++) {
    char *k = key_text(&g_array_index(child->rows, CkptRow, i).values[ck]);
    if (k == NULL)
      continue;
    GArray *rows = g_hash_table_lookup(n->by_key, k);
    if (rows == NULL) {
      rows = g_array_new(FALSE, FALSE, sizeof(guint));
      g_hash_table_insert(n->by_key, g_strdup(k), rows);
    }
    g_array_append_val(rows, i);
    g_free(k);
  }
  return n;
}

static const CkptRenderView *
find_view(const CkptRenderOptions *opt, const char *plugin, const char *table)
{
  for (const CkptRenderView *v = opt->views; v && v->table; v++)
    if (spec_is(v->table, plugin, table))
      return v;
  return NULL;
}

/* "Title: value" lines of a row's fields at level; see CkptRenderView. */
static void
field_lines(TreeCtx *c, const CkptResult *t, const CkptRow *row,
            const char *const *fields, int level)
{
  gboolean prev_shown = FALSE;
  for (size_t i = 0; fields[i]; i++) {
    const char *f = fields[i];
    gboolean under = *f == '>';
    if (under)
      f++;
    const char *eq = strchr(f, '=');
    g_autofree char *name = eq ? g_strndup(f, eq - f) : g_strdup(f);
    int col = ckpt_result_column_index(t, name);
    if (col < 0 || row->values[col].type == CKPT_T_NULL) {
      if (!under)
        prev_shown = FALSE;
      continue;
    }
    g_autofree char *title =
        eq ? g_strdup(eq + 1) : ckpt_column_title(&t->decl->columns[col]);
    GString *k = g_string_new(NULL);
    ckpt_text_escape(k, title, -1);
    g_autofree char *v = ckpt_value_text(&row->values[col], c->opt->utc);
    add_line(c->lines, under && prev_shown ? level + 1 : level,
             g_strdup_printf("%s: %s", k->str, v));
    g_string_free(k, TRUE);
    if (!under)
      prev_shown = TRUE;
  }
}

/* Every shown column as "Title: value" (RECORD rows, DETAIL cells). */
static void
hinted_lines(TreeCtx *c, const CkptResult *t, const CkptRow *row, int level,
             gboolean details_only)
{
  for (size_t col = 0; col < t->n_columns; col++) {
    uint32_t f = col_flags(t, col);
    if (row->values[col].type == CKPT_T_NULL || (f & CKPT_COL_HIDDEN) ||
        (details_only && !(f & CKPT_COL_DETAIL)))
      continue;
    g_autofree char *k = ckpt_column_title(&t->decl->columns[col]);
    g_autofree char *v = ckpt_value_text(&row->values[col], c->opt->utc);
    add_line(c->lines, level, g_strdup_printf("%s: %s", k, v));
  }
}

static void tree_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
                     const CkptRow *row, int level, int nesting);

/* The rows nested under a node of t: one branch per nesting view, in the
 * views' order. nesting bounds a views list that nests in a loop. */
static void
nested_rows(TreeCtx *c, const CkptResult *t, const CkptRow *row, int level,
            int nesting)
{
  if (nesting >= 4)
    return;
  for (guint i = 0; i < c->nests->len; i++) {
    const Nest *n = g_ptr_array_index(c->nests, i);
    if (n->parent != t)
      continue;
    g_autofree char *k = key_text(&row->values[n->parent_key]);
    GArray *rows = k ? g_hash_table_lookup(n->by_key, k) : NULL;
    if (rows == NULL || rows->len == 0)
      continue;
    add_line(c->lines, level, ckpt_table_title(n->child->decl));
    for (guint j = 0; j < rows->len; j++) {
      guint r = g_array_index(rows, guint, j);
      tree_row(c, n->child, n->view, &g_array_index(n->child->rows, CkptRow, r),
               level + 1, nesting + 1);
    }
  }
}

/* A node's text: the view's label, else its template, else the table's
 * declared template, else its label columns. */
static char *
node_text(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
          const CkptRow *row)
{
  gboolean utc = c->opt->utc;
  if (v && v->label)
    return v->label(t, row, utc);
  if (v && v->label_template)
    return ckpt_template_text(v->label_template, t, row, utc);
  if (t->decl->label)
    return ckpt_template_text(t->decl->label, t, row, utc);
  return row_text(t, row, utc);
}

/* A node: its label, its details, then what nests under it. */
static void
tree_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
         const CkptRow *row, int level, int nesting)
{
  add_line(c->lines, level, node_text(c, t, v, row));
  if (v && v->fields)
    field_lines(c, t, row, v->fields, level + 1);
  else
    hinted_lines(c, t, row, level + 1, TRUE);
  nested_rows(c, t, row, level + 1, nesting);
}

/* Is this row of t shown under a parent's node instead of in t itself? */
static gboolean
placed_elsewhere(const TreeCtx *c, const CkptResult *t, const CkptRow *row)
{
  for (guint i = 0; i < c->nests->len; i++) {
    const Nest *n = g_ptr_array_index(c->nests, i);
    if (n->child != t)
      continue;
    int ck = ckpt_result_column_index(t, n->view->key);
    g_autofree char *k = key_text(&row->values[ck]);
    if (k && g_hash_table_contains(n->parent_keys, k))
      return TRUE;
  }
  return FALSE;
}

/* A table's rows drawn one at a time: what tree_table does, split so that
 * a table no nesting needs is drawn as its rows come. */
typedef struct {
  gboolean record; /* rows as "Title: value" lines */
  int base;        /* their level */
  guint heading;   /* index of the heading line */
  int prev;        /* level of the row before */
  guint shown;
} Walk;

static void
walk_begin(TreeCtx *c, const CkptResult *t, const CkptRenderView *v, Walk *w)
{
  /* a flat view shows rows as "Title: value" lines, as records */
  w->record = t->decl->layout == CKPT_LAYOUT_RECORD || (v && v->flat);
  w->base = v && v->flat ? 1 : 2;
  w->heading = c->lines->len;
  w->prev = 1;
  w->shown = 0;
  if (!(v && v->flat))
    add_line(c->lines, 1, ckpt_table_title(t->decl));
}

static void
walk_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
         const CkptRow *row, Walk *w)
{
  if (placed_elsewhere(c, t, row))
    return;
  w->shown++;
  if (w->record) {
    if (v && v->fields)
      field_lines(c, t, row, v->fields, w->base);
    else
      hinted_lines(c, t, row, w->base, FALSE);
    return;
  }
  int level = 2;
  if (t->decl->layout == CKPT_LAYOUT_TREE)
    level = MIN(2 + (int)row->depth, w->prev + 1);
  tree_row(c, t, v, row, level, 0);
  w->prev = level;
}

static void
walk_end(TreeCtx *c, const Walk *w)
{
  if (w->shown == 0 && w->heading < c->lines->len) {
    /* every row went under a parent: no empty heading */
    for (guint i = w->heading; i < c->lines->len; i++)
      g_free(g_array_index(c->lines, Line, i).text);
    g_array_set_size(c->lines, w->heading);
  }
}

static void
tree_table(TreeCtx *c, const CkptResult *t, const CkptRenderView *v)
{
  Walk w;
  walk_begin(c, t, v, &w);
  for (guint i = 0; i < t->rows->len; i++)
    walk_row(c, t, v, &g_array_index(t->rows, CkptRow, i), &w);
  walk_end(c, &w);
}

/* Draws lines as a tree: a line is the last of its siblings when no later
 * line of the same level comes before one of a lower level. */
static void
draw_tree(GString *out, GArray *lines)
{
  guint n = lines->len;
  g_autofree gboolean *last = g_new0(gboolean, n ? n : 1);
  int maxl = 0;
  for (guint i = 0; i < n; i++)
    maxl = MAX(maxl, g_array_index(lines, Line, i).level);
  g_autofree gboolean *seen = g_new0(gboolean, maxl + 2);
  for (guint i = n; i > 0; i--) {
    int l = g_array_index(lines, Line, i - 1).level;
    last[i - 1] = !seen[l];
    seen[l] = TRUE;
    for (int k = l + 1; k <= maxl; k++)
      seen[k] = FALSE;
  }
  g_autofree gboolean *open = g_new0(gboolean, maxl + 2);
  for (guint i = 0; i < n; i++) {
    const Line *ln = &g_array_index(lines, Line, i);
    if (ln->level == 0) {
      g_string_append_printf(out, "%s\n", ln->text);
      continue;
    }
    for (int k = 1; k < ln->level; k++)
      g_string_append(out, open[k] ? "│   " : "    ");
    g_string_append(out, last[i] ? "└── " : "├── ");
    g_string_append_printf(out, "%s\n", ln->text);
    open[ln->level] = !last[i];
  }
}

/* A plugin's tables in drawing order: those with a view in the views'
 * order, then the others in declaration order. */
static GArray *
table_order(const CkptPluginResult *pr, const CkptRenderOptions *opt)
{
  GArray *order = g_array_new(FALSE, FALSE, sizeof(size_t));
  g_autofree gboolean *taken = g_new0(gboolean, pr->n_tables + 1);
  for (const CkptRenderView *v = opt->views; v && v->table; v++)
    for (size_t i = 0; i < pr->n_tables; i++)
      if (!taken[i] && spec_is(v->table, pr->name, pr->tables[i].decl->name)) {
        taken[i] = TRUE;
        g_array_append_val(order, i);
      }
  for (size_t i = 0; i < pr->n_tables; i++)
    if (!taken[i])
      g_array_append_val(order, i);
  return order;
}

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
        (spec_is(v->table, plugin, t->name) ||
         spec_is(v->parent, plugin, t->name)))
      return TRUE;
  return FALSE;
}

/* A declared nesting as a view: the table's own view (labels, lines)
 * with the declaration's parent and keys; strings owned by tr. */
static void
declare_nest(Tree *tr, const CkptRenderOptions *opt, const char *plugin,
             const CkptTable *t)
{
  const CkptRenderView *own = find_view(opt, plugin, t->name);
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

/* The nestings that apply to this checkpoint: both tables kept. */
static void
resolve_nests(Tree *tr, TreeCtx *c)
{
  for (const CkptRenderView *v = c->opt->views; v && v->table; v++) {
    if (v->parent == NULL || v->hide)
      continue;
    const CkptRenderView *pv = NULL;
    for (const CkptRenderView *w = c->opt->views; w && w->table; w++)
      if (g_strcmp0(w->table, v->parent) == 0)
        pv = w;
    if (pv && pv->hide)
      continue;
    Nest *n = nest_new(v, ckpt_row_store_spec(tr->store, v->table),
                       ckpt_row_store_spec(tr->store, v->parent));
    if (n)
      g_ptr_array_add(c->nests, n);
  }
  for (guint i = 0; i < tr->declared->len; i++) {
    const CkptRenderView *v = g_ptr_array_index(tr->declared, i);
    const CkptRenderView *pv = NULL;
    for (const CkptRenderView *w = c->opt->views; w && w->table; w++)
      if (g_strcmp0(w->table, v->parent) == 0)
        pv = w;
    if (pv && pv->hide)
      continue;
    Nest *n = nest_new(v, ckpt_row_store_spec(tr->store, v->table),
                       ckpt_row_store_spec(tr->store, v->parent));
    if (n)
      g_ptr_array_add(c->nests, n);
  }
}

static void
tables_free(Tree *tr)
{
  for (size_t i = 0; i < tr->n_tables; i++)
    lines_free(tr->tables[i].lines);
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
    tt->view = find_view(&r->opt, pr->name, name);
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
    walk_begin(&c, t, tt->view, &tt->walk);
  walk_row(&c, t, tt->view, row, &tt->walk);
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
    add_line(lines, 1, g_string_free(s, FALSE));
    add_block(tr, lines, NULL, NULL);
  }
  g_autoptr(GArray) order = table_order(pr, &r->opt);
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
  g_autoptr(GPtrArray) nests = g_ptr_array_new_with_free_func(nest_free);
  TreeCtx c = {&r->opt, lines, nests};
  GString *root = g_string_new(NULL);
  ckpt_text_escape(root, rep->label, -1);
  add_line(lines, 0, g_string_free(root, FALSE));
  for (guint e = 0; e < rep->errors->len; e++) {
    GString *s = g_string_new("error: ");
    ckpt_text_escape(s, g_ptr_array_index(rep->errors, e), -1);
    add_line(lines, 1, g_string_free(s, FALSE));
  }
  resolve_nests(tr, &c);
  for (guint i = 0; i < tr->blocks->len; i++) {
    Block *b = &g_array_index(tr->blocks, Block, i);
    if (b->kept) {
      tree_table(&c, b->kept, b->view);
    } else {
      g_array_append_vals(lines, b->lines->data, b->lines->len);
      g_array_set_size(b->lines, 0); /* the texts moved */
    }
  }
  if (r->n_reports)
    g_string_append_c(r->buf, '\n');
  draw_tree(r->buf, lines);
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
    lines_free(g_array_index(tr->blocks, Block, i).lines);
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

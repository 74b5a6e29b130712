/* tree-lines.c - a table as tree lines: node labels (a view's, a
 * template, the LABEL columns), "Title: value" lines, the rows a nesting
 * puts under a node, and the drawing of (level, text) lines with branch
 * glyphs in two passes, so input depth never turns into recursion.
 */
#include <string.h>

#include "render/tree.h"

void
ckpt_tree_add_line(GArray *lines, int level, char *text)
{
  Line l = {level, text};
  g_array_append_val(lines, l);
}

void
ckpt_tree_lines_free(GArray *lines)
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
row_text(const CkptResult *t, const CkptRow *row, gboolean utc, gboolean color)
{
  GString *s = g_string_new(NULL);
  gboolean labels = has_label_columns(t);
  for (size_t c = 0; c < t->n_columns; c++) {
    if (row->values[c].type == CKPT_T_NULL || !in_label(t, c, labels))
      continue;
    g_autofree char *v = ckpt_cell_text(t, c, &row->values[c], utc);
    if (s->len)
      g_string_append(s, "  ");
    ckpt_paint(s, color, &t->decl->columns[c], v);
  }
  return g_string_free(s, FALSE);
}

/* Does spec ("plugin.table") name this table? */
gboolean
ckpt_tree_spec_is(const char *spec, const char *plugin, const char *table)
{
  size_t n = strlen(plugin);
  return spec && strncmp(spec, plugin, n) == 0 && spec[n] == '.' &&
         strcmp(spec + n + 1, table) == 0;
}

void
ckpt_tree_nest_free(gpointer p)
{
  Nest *n = p;
  g_hash_table_unref(n->by_key);
  g_hash_table_unref(n->parent_keys);
  g_free(n);
}

static char *
key_text(const CkptValue *v)
{
  return v->type == CKPT_T_NULL ? NULL : ckpt_value_text(v, TRUE);
}

/* Resolves view's nesting between two kept tables, or NULL when either is
 * missing or the keys are not columns of theirs. */
Nest *
ckpt_tree_nest_new(const CkptRenderView *v, const CkptResult *child,
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

const CkptRenderView *
ckpt_tree_find_view(const CkptRenderOptions *opt, const char *plugin,
                    const char *table)
{
  for (const CkptRenderView *v = opt->views; v && v->table; v++)
    if (ckpt_tree_spec_is(v->table, plugin, table))
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
    g_autofree char *v = ckpt_cell_text(t, col, &row->values[col], c->opt->utc);
    g_string_append(k, ": ");
    ckpt_paint(k, c->opt->color, &t->decl->columns[col], v);
    ckpt_tree_add_line(c->lines, under && prev_shown ? level + 1 : level,
                       g_strdup(k->str));
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
    g_autofree char *v = ckpt_cell_text(t, col, &row->values[col], c->opt->utc);
    GString *line = g_string_new(k);
    g_string_append(line, ": ");
    ckpt_paint(line, c->opt->color, &t->decl->columns[col], v);
    ckpt_tree_add_line(c->lines, level, g_string_free(line, FALSE));
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
    ckpt_tree_add_line(c->lines, level, ckpt_table_title(n->child->decl));
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
  return row_text(t, row, utc, c->opt->color);
}

/* A node: its label, its details, then what nests under it. */
static void
tree_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
         const CkptRow *row, int level, int nesting)
{
  ckpt_tree_add_line(c->lines, level, node_text(c, t, v, row));
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

void
ckpt_tree_walk_begin(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
                     Walk *w)
{
  /* a flat view shows rows as "Title: value" lines, as records */
  w->record = t->decl->layout == CKPT_LAYOUT_RECORD || (v && v->flat);
  w->base = v && v->flat ? 1 : 2;
  w->heading = c->lines->len;
  w->prev = 1;
  w->shown = 0;
  if (!(v && v->flat))
    ckpt_tree_add_line(c->lines, 1, ckpt_table_title(t->decl));
}

void
ckpt_tree_walk_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
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

void
ckpt_tree_walk_end(TreeCtx *c, const Walk *w)
{
  if (w->shown == 0 && w->heading < c->lines->len) {
    /* every row went under a parent: no empty heading */
    for (guint i = w->heading; i < c->lines->len; i++)
      g_free(g_array_index(c->lines, Line, i).text);
    g_array_set_size(c->lines, w->heading);
  }
}

void
ckpt_tree_table(TreeCtx *c, const CkptResult *t, const CkptRenderView *v)
{
  Walk w;
  ckpt_tree_walk_begin(c, t, v, &w);
  for (guint i = 0; i < t->rows->len; i++)
    ckpt_tree_walk_row(c, t, v, &g_array_index(t->rows, CkptRow, i), &w);
  ckpt_tree_walk_end(c, &w);
}

static gboolean tree_ascii;

void
ckpt_render_set_ascii(gboolean ascii)
{
  tree_ascii = ascii;
}

/* Draws lines as a tree: a line is the last of its siblings when no later
 * line of the same level comes before one of a lower level. */
void
ckpt_tree_draw(GString *out, GArray *lines)
{
  /* box drawing needs a UTF-8 terminal; without one (LC_ALL=C, --ascii)
   * the branches are ASCII, of the same width */
  const char *pipe = tree_ascii ? "|   " : "│   ";
  const char *tee = tree_ascii ? "|-- " : "├── ";
  const char *elbow = tree_ascii ? "`-- " : "└── ";
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
      g_string_append(out, open[k] ? pipe : "    ");
    g_string_append(out, last[i] ? elbow : tee);
    g_string_append_printf(out, "%s\n", ln->text);
    open[ln->level] = !last[i];
  }
}

/* A plugin's tables in drawing order: those with a view in the views'
 * order, then the others in declaration order. */
GArray *
ckpt_tree_table_order(const CkptPluginResult *pr, const CkptRenderOptions *opt)
{
  GArray *order = g_array_new(FALSE, FALSE, sizeof(size_t));
  g_autofree gboolean *taken = g_new0(gboolean, pr->n_tables + 1);
  for (const CkptRenderView *v = opt->views; v && v->table; v++)
    for (size_t i = 0; i < pr->n_tables; i++)
      if (!taken[i] &&
          ckpt_tree_spec_is(v->table, pr->name, pr->tables[i].decl->name)) {
        taken[i] = TRUE;
        g_array_append_val(order, i);
      }
  for (size_t i = 0; i < pr->n_tables; i++)
    if (!taken[i])
      g_array_append_val(order, i);
  return order;
}

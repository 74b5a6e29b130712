/* table.c - text tables: a heading per checkpoint and per table, grids
 * with a header line and columns padded to the widest cell, RECORD tables
 * as "Title:  value" lines; or, merged (checkpointctl show), one grid per
 * table over every checkpoint. A grid needs the widths of all its rows
 * before its first line: its cells are buffered, and past GRID_SAMPLE rows
 * spooled, until its plugin (merged: the document) ends.
 */
#include <string.h>

#include "render/renderer.h"

#define GRID_SAMPLE 1000

typedef struct {
  CkptResult shape; /* decl and n_columns; no rows */
  size_t n_vis;     /* columns shown: all but HIDDEN ones */
  size_t *width;
  GPtrArray *cells;      /* buffered, n_vis per line, header first */
  CkptSpool *cell_spool; /* cells past GRID_SAMPLE rows */
  guint n_rows;
  gboolean file_col; /* cells[0] of each line is the checkpoint's path */
} Grid;

/* One table of the running plugin. */
typedef struct {
  Grid *grid;      /* TABLE and TREE layouts; merged: not owned */
  CkptSpool *text; /* RECORD layout */
  guint rows;
  unsigned prev; /* depth shown for the row before */
} TableState;

typedef struct {
  CkptRenderer base;
  TableState *tables;
  size_t n_tables;
  GPtrArray *merged;     /* Grid*, in order of first appearance */
  GHashTable *merged_by; /* const CkptTable* -> Grid* */
  char *path;            /* the current checkpoint's, escaped */
} Table;

static uint32_t
col_flags(const CkptResult *t, size_t c)
{
  return t->decl->columns[c].flags;
}

/* Appends s, painted as a cell of col when on, then blanks up to width:
 * the width is the plain text's (color.c). */
static void
pad(GString *out, gboolean on, const CkptColumn *col, const char *s,
    size_t width)
{
  ckpt_paint(out, on, col, s);
  for (size_t w = ckpt_text_width(s); w < width; w++)
    g_string_append_c(out, ' ');
}

/* The declaration of the k-th shown column of t. */
static const CkptColumn *
shown_column(const CkptResult *t, size_t k)
{
  for (size_t c = 0; c < t->n_columns; c++)
    if (!(col_flags(t, c) & CKPT_COL_HIDDEN) && k-- == 0)
      return &t->decl->columns[c];
  return NULL;
}

/* Writes cells (n_columns per row) padded to width[]; a cell wider than
 * its column pushes the rest of its line right. The first skip columns
 * are left out. */
static void
grid_lines(GString *out, GPtrArray *cells, const Grid *g, size_t skip,
           gboolean color)
{
  size_t n_columns = g->n_vis, lead = g->file_col ? 1 : 0;
  const size_t *width = g->width;
  for (guint i = 0; i < cells->len; i++) {
    size_t c = i % n_columns;
    if (c < skip)
      continue;
    /* the file column is not one of the table's own */
    const CkptColumn *col =
        color && c >= lead ? shown_column(&g->shape, c - lead) : NULL;
    if (c + 1 == n_columns) {
      /* no trailing blanks */
      ckpt_paint(out, color, col, g_ptr_array_index(cells, i));
      while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
      g_string_append_c(out, '\n');
    } else {
      pad(out, color, col, g_ptr_array_index(cells, i), width[c] + 2);
    }
  }
}

/* file_title: a first column naming each row's checkpoint, or NULL */
static Grid *
grid_new(const CkptResult *t, const char *file_title)
{
  Grid *g = g_new0(Grid, 1);
  g->shape.decl = t->decl;
  g->shape.n_columns = t->n_columns;
  for (size_t c = 0; c < t->n_columns; c++)
    g->n_vis += !(col_flags(t, c) & CKPT_COL_HIDDEN);
  g->file_col = file_title != NULL && g->n_vis > 0;
  g->n_vis += g->file_col;
  g->width = g_new0(size_t, g->n_vis ? g->n_vis : 1);
  g->cells = g_ptr_array_new_with_free_func(g_free);
  if (g->file_col) {
    g->width[0] = ckpt_text_width(file_title);
    g_ptr_array_add(g->cells, g_strdup(file_title));
  }
  for (size_t c = 0; c < t->n_columns; c++) {
    if (col_flags(t, c) & CKPT_COL_HIDDEN)
      continue;
    g_autofree char *title = ckpt_column_title(&t->decl->columns[c]);
    char *up = g_utf8_strup(title, -1);
    g->width[g->cells->len] = ckpt_text_width(up);
    g_ptr_array_add(g->cells, up);
  }
  return g;
}

static void
grid_free(gpointer p)
{
  Grid *g = p;
  if (g == NULL)
    return;
  ckpt_spool_free(g->cell_spool);
  g_ptr_array_unref(g->cells);
  g_free(g->width);
  g_free(g);
}

/* Cells go to a spool as a 32-bit length and the bytes, so any text
 * comes back as it went. */
static void
cells_spool_write(CkptRenderer *r, CkptSpool *s, GPtrArray *cells)
{
  for (guint i = 0; i < cells->len; i++) {
    const char *c = g_ptr_array_index(cells, i);
    uint32_t n = (uint32_t)strlen(c);
    ckpt_spool_write(s, (const char *)&n, sizeof n);
    ckpt_spool_write(s, c, n);
  }
  if (ckpt_spool_failed(s))
    r->failed = TRUE;
  g_ptr_array_set_size(cells, 0);
}

static char *
cells_spool_read(CkptSpool *s)
{
  uint32_t n;
  if (ckpt_spool_read(s, &n, sizeof n) != sizeof n || n > (1u << 30))
    return NULL;
  char *c = g_malloc(n + 1);
  if (ckpt_spool_read(s, c, n) != n) {
    g_free(c);
    return NULL;
  }
  c[n] = '\0';
  return c;
}

/* A row's cells, indented by depth in the first column of a TREE table;
 * as in trees a row is at most one level below the one before. */
static void
grid_add(CkptRenderer *r, Grid *g, TableState *ts, const CkptRow *row)
{
  const CkptResult *t = &g->shape;
  unsigned d = MIN(row->depth, ts->rows == 0 ? 0 : ts->prev + 1);
  ts->prev = d;
  ts->rows++;
  if (g->n_vis == 0)
    return;
  if (g->file_col) {
    const char *path = ((Table *)r)->path;
    g->width[0] = MAX(g->width[0], ckpt_text_width(path ? path : ""));
    g_ptr_array_add(g->cells, g_strdup(path ? path : ""));
  }
  gboolean first = TRUE;
  for (size_t c = 0; c < t->n_columns; c++) {
    if (col_flags(t, c) & CKPT_COL_HIDDEN)
      continue;
    char *v = ckpt_cell_text(t, c, &row->values[c], r->opt.utc);
    if (first && t->decl->layout == CKPT_LAYOUT_TREE && d) {
      d = MIN(d, 64);
      char *indented = g_strdup_printf("%*s%s", (int)(2 * d), "", v);
      g_free(v);
      v = indented;
    }
    size_t k = g->cells->len % g->n_vis;
    g->width[k] = MAX(g->width[k], ckpt_text_width(v));
    first = FALSE;
    g_ptr_array_add(g->cells, v);
  }
  if (g->cell_spool == NULL && g->n_rows + 1 >= GRID_SAMPLE)
    g->cell_spool = ckpt_spool_new();
  if (g->cell_spool)
    cells_spool_write(r, g->cell_spool, g->cells);
  g->n_rows++;
}

/* Draws a grid from its spool, then what is still buffered. The file
 * column is shown only over several checkpoints. */
static void
grid_draw(CkptRenderer *r, Grid *g)
{
  if (g->n_vis == 0)
    return;
  size_t skip = g->file_col && r->n_reports < 2 ? 1 : 0;
  if (g->cell_spool) {
    g_autoptr(GPtrArray) line = g_ptr_array_new_with_free_func(g_free);
    ckpt_spool_rewind(g->cell_spool);
    char *c;
    while ((c = cells_spool_read(g->cell_spool))) {
      g_ptr_array_add(line, c);
      if (line->len < g->n_vis)
        continue;
      grid_lines(r->buf, line, g, skip, r->opt.color);
      g_ptr_array_set_size(line, 0);
      if (r->buf->len >= 65536)
        ckpt_renderer_flush(r);
    }
    if (ckpt_spool_failed(g->cell_spool))
      r->failed = TRUE;
    g_clear_pointer(&g->cell_spool, ckpt_spool_free);
  }
  grid_lines(r->buf, g->cells, g, skip, r->opt.color);
}

/* The width of a RECORD's "Title:" column. */
static size_t
record_width(const CkptResult *t)
{
  size_t w = 0;
  for (size_t c = 0; c < t->n_columns; c++) {
    g_autofree char *k = ckpt_column_title(&t->decl->columns[c]);
    if (!(col_flags(t, c) & CKPT_COL_HIDDEN))
      w = MAX(w, ckpt_text_width(k));
  }
  return w;
}

static void
record_row(GString *out, const CkptResult *t, const CkptRow *row,
           gboolean first_row, gboolean utc, gboolean color)
{
  size_t w = record_width(t);
  if (!first_row)
    g_string_append_c(out, '\n');
  for (size_t c = 0; c < t->n_columns; c++) {
    if (row->values[c].type == CKPT_T_NULL ||
        (col_flags(t, c) & CKPT_COL_HIDDEN))
      continue;
    g_autofree char *k = ckpt_column_title(&t->decl->columns[c]);
    g_autofree char *v = ckpt_cell_text(t, c, &row->values[c], utc);
    g_autofree char *kc = g_strconcat(k, ":", NULL);
    pad(out, FALSE, NULL, kc, w + 3);
    ckpt_paint(out, color, &t->decl->columns[c], v);
    g_string_append_c(out, '\n');
  }
}

static void
table_heading(GString *out, const CkptResult *t)
{
  g_autofree char *title = ckpt_table_title(t->decl);
  g_string_append_printf(out, "\n## %s\n", title);
}

static void
tables_free(Table *tb)
{
  for (size_t i = 0; i < tb->n_tables; i++) {
    ckpt_spool_free(tb->tables[i].text);
    if (tb->merged == NULL)
      grid_free(tb->tables[i].grid);
  }
  g_clear_pointer(&tb->tables, g_free);
  tb->n_tables = 0;
}

static void
table_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  Table *tb = (Table *)r;
  if (tb->merged) {
    g_autoptr(GString) p = g_string_new(NULL);
    ckpt_text_escape(p, rep->path, -1);
    g_free(tb->path);
    tb->path = g_string_free(g_steal_pointer(&p), FALSE);
    return;
  }
  if (r->n_reports)
    g_string_append_c(r->buf, '\n');
  g_string_append(r->buf, "# ");
  ckpt_text_escape(r->buf, rep->label, -1);
  if (g_strcmp0(rep->label, rep->path) != 0) {
    g_string_append(r->buf, " (");
    ckpt_text_escape(r->buf, rep->path, -1);
    g_string_append_c(r->buf, ')');
  }
  g_string_append_c(r->buf, '\n');
  ckpt_renderer_flush(r);
}

static void
table_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Table *tb = (Table *)r;
  tables_free(tb);
  tb->tables = g_new0(TableState, pr->n_tables ? pr->n_tables : 1);
  tb->n_tables = pr->n_tables;
  if (tb->merged == NULL)
    return;
  /* merged: every wanted table has a grid from its first appearance */
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if (!ckpt_render_wanted(&r->opt, pr->name, t->decl->name))
      continue;
    Grid *g = g_hash_table_lookup(tb->merged_by, t->decl);
    if (g == NULL) {
      g = grid_new(t, r->opt.file_column);
      g_ptr_array_add(tb->merged, g);
      g_hash_table_insert(tb->merged_by, (gpointer)t->decl, g);
    }
    tb->tables[i].grid = g;
  }
}

static void
table_row(CkptRenderer *r, const CkptPluginResult *pr, size_t ti,
          const CkptRow *row)
{
  Table *tb = (Table *)r;
  TableState *ts = &tb->tables[ti];
  const CkptResult *t = &pr->tables[ti];
  if (tb->merged == NULL && t->decl->layout == CKPT_LAYOUT_RECORD) {
    if (ts->rows == 0)
      table_heading(r->buf, t);
    record_row(r->buf, t, row, ts->rows == 0, r->opt.utc, r->opt.color);
    ts->rows++;
    if (ts->text == NULL)
      ts->text = ckpt_spool_new();
    ckpt_renderer_put(r, ts->text);
    return;
  }
  if (ts->grid == NULL)
    ts->grid = grid_new(t, NULL);
  grid_add(r, ts->grid, ts, row);
}

static void
table_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  Table *tb = (Table *)r;
  if (tb->merged) {
    tables_free(tb);
    return;
  }
  for (size_t i = 0; i < tb->n_tables; i++) {
    TableState *ts = &tb->tables[i];
    if (ts->text) {
      ckpt_renderer_copy_spool(r, ts->text);
      ts->text = NULL;
    } else if (ts->grid) {
      table_heading(r->buf, &pr->tables[i]);
      grid_draw(r, ts->grid);
    }
    ckpt_renderer_flush(r);
  }
  tables_free(tb);
}

static void
table_begin(CkptRenderer *r)
{
  Table *tb = (Table *)r;
  if (!r->opt.merge)
    return;
  tb->merged = g_ptr_array_new_with_free_func(grid_free);
  tb->merged_by = g_hash_table_new(NULL, NULL);
}

static void
table_end(CkptRenderer *r)
{
  Table *tb = (Table *)r;
  for (guint i = 0; tb->merged && i < tb->merged->len; i++) {
    if (i)
      g_string_append_c(r->buf, '\n');
    grid_draw(r, g_ptr_array_index(tb->merged, i));
    ckpt_renderer_flush(r);
  }
}

static void
table_release(CkptRenderer *r)
{
  Table *tb = (Table *)r;
  tables_free(tb);
  g_free(tb->path);
  if (tb->merged) {
    g_ptr_array_unref(tb->merged);
    g_hash_table_unref(tb->merged_by);
  }
}

const CkptRendererClass ckpt_table_renderer = {
    .name = "table",
    .size = sizeof(Table),
    .begin = table_begin,
    .checkpoint_begin = table_checkpoint_begin,
    .plugin_begin = table_plugin_begin,
    .row = table_row,
    .plugin_end = table_plugin_end,
    .end = table_end,
    .release = table_release,
};

/* store.c - copies of rows a renderer needs after they were handed to it
 * (the tables a tree view nests, every table of checkpointctl's look), for
 * one checkpoint. Looked up as ckpt_report_table looks up kept tables, so
 * code written against a report reads the same rows from a store.
 */
#include <string.h>

#include "render/renderer.h"

typedef struct {
  CkptResult t; /* decl, n_columns, rows: the copies */
  const CkptPluginResult *pr;
} Stored;

struct CkptRowStore {
  GStringChunk *chunk; /* strings and bytes of the copies */
  GPtrArray *tables;   /* Stored*, in the order they were added */
};

static void
stored_free(gpointer p)
{
  Stored *s = p;
  ckpt_rows_clear(s->t.rows);
  g_array_unref(s->t.rows);
  g_free(s);
}

CkptRowStore *
ckpt_row_store_new(void)
{
  CkptRowStore *st = g_new0(CkptRowStore, 1);
  st->chunk = g_string_chunk_new(4096);
  st->tables = g_ptr_array_new_with_free_func(stored_free);
  return st;
}

void
ckpt_row_store_free(CkptRowStore *st)
{
  if (st == NULL)
    return;
  g_ptr_array_unref(st->tables);
  g_string_chunk_free(st->chunk);
  g_free(st);
}

CkptResult *
ckpt_row_store_add_table(CkptRowStore *st, const CkptPluginResult *pr, size_t t)
{
  Stored *s = g_new0(Stored, 1);
  s->t.decl = pr->tables[t].decl;
  s->t.n_columns = pr->tables[t].n_columns;
  s->t.rows = g_array_new(FALSE, FALSE, sizeof(CkptRow));
  s->pr = pr;
  g_ptr_array_add(st->tables, s);
  return &s->t;
}

void
ckpt_row_store_add_row(CkptRowStore *st, CkptResult *t, const CkptRow *row)
{
  CkptRow c = ckpt_row_copy(st->chunk, row->depth, row->values, t->n_columns);
  g_array_append_val(t->rows, c);
}

/* In the first plugin of that name; none when that plugin was skipped. */
const CkptResult *
ckpt_row_store_table(const CkptRowStore *st, const char *plugin,
                     const char *table)
{
  const CkptPluginResult *first = NULL;
  for (guint i = 0; i < st->tables->len; i++) {
    const Stored *s = g_ptr_array_index(st->tables, i);
    if (first == NULL && strcmp(s->pr->name, plugin) == 0)
      first = s->pr;
    if (first == NULL || s->pr != first)
      continue;
    if (first->outcome == CKPT_PLUGIN_SKIPPED)
      return NULL;
    if (strcmp(table, s->t.decl->name) == 0)
      return &s->t;
  }
  return NULL;
}

const CkptResult *
ckpt_row_store_spec(const CkptRowStore *st, const char *spec)
{
  const char *dot = spec ? strchr(spec, '.') : NULL;
  if (dot == NULL)
    return NULL;
  g_autofree char *plugin = g_strndup(spec, dot - spec);
  return ckpt_row_store_table(st, plugin, dot + 1);
}

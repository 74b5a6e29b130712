/* results.c - storage of emitted rows per checkpoint (or their hand-over
 * to a streaming sink), and the checks a row passes before it is stored. */
#include "host/results.h"

#include <math.h>
#include <string.h>

#include "util/error.h"
#include "util/jsonw.h"

/* Unterminated column arrays in a broken plugin must not run away. */
#define MAX_COLUMNS 256

size_t
ckpt_table_n_columns(const CkptTable *decl)
{
  size_t n = 0;
  while (decl->columns && n < MAX_COLUMNS && decl->columns[n].name)
    n++;
  return n;
}

const char *
ckpt_outcome_name(CkptPluginOutcome o)
{
  switch (o) {
  case CKPT_PLUGIN_RAN_OK:
    return "ok";
  case CKPT_PLUGIN_RAN_WARN:
    return "warn";
  case CKPT_PLUGIN_RAN_FAILED:
    return "failed";
  case CKPT_PLUGIN_RAN_FATAL:
    return "fatal";
  case CKPT_PLUGIN_SKIPPED:
    return "skipped";
  }
  return "unknown";
}

const char *
ckpt_type_name(CkptType t)
{
  static const char *const names[] = {"null", "str",    "int",  "uint",
                                      "addr", "size",   "bool", "bytes",
                                      "time", "double", "list"};
  if ((unsigned)t < G_N_ELEMENTS(names))
    return names[t];
  return "unknown";
}

static void
plugin_result_free(gpointer data)
{
  CkptPluginResult *pr = data;
  for (size_t i = 0; i < pr->n_tables; i++) {
    ckpt_rows_clear(pr->tables[i].rows);
    g_array_unref(pr->tables[i].rows);
  }
  g_free(pr->tables);
  g_ptr_array_unref(pr->messages);
  g_free(pr->name);
  g_free(pr);
}

CkptReport *
ckpt_report_new(const char *path)
{
  CkptReport *r = g_new0(CkptReport, 1);
  r->path = g_strdup(path);
  r->label = g_strdup(path);
  r->errors = g_ptr_array_new_with_free_func(g_free);
  r->warnings = g_ptr_array_new_with_free_func(g_free);
  r->plugins = g_ptr_array_new_with_free_func(plugin_result_free);
  r->chunk = g_string_chunk_new(4096);
  return r;
}

void
ckpt_report_drop_rows(CkptReport *r)
{
  for (guint p = 0; p < r->plugins->len; p++) {
    CkptPluginResult *pr = g_ptr_array_index(r->plugins, p);
    for (size_t i = 0; i < pr->n_tables; i++) {
      ckpt_rows_clear(pr->tables[i].rows);
      pr->tables[i].streamed = TRUE;
    }
  }
  g_string_chunk_clear(r->chunk);
}

void
ckpt_report_free(CkptReport *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref(r->plugins);
  g_ptr_array_unref(r->errors);
  g_ptr_array_unref(r->warnings);
  g_string_chunk_free(r->chunk);
  if (r->keep)
    g_hash_table_unref(r->keep);
  g_free(r->path);
  g_free(r->label);
  g_free(r->sha256);
  g_free(r->sha256_of);
  g_free(r);
}

CkptPluginResult *
ckpt_report_add_plugin(CkptReport *r, const CkptPlugin *p)
{
  CkptPluginResult *pr = g_new0(CkptPluginResult, 1);
  pr->name = g_strdup(p->name);
  pr->desc = p;
  pr->messages = g_ptr_array_new_with_free_func(g_free);
  while (p->tables && pr->n_tables < MAX_COLUMNS &&
         p->tables[pr->n_tables].name)
    pr->n_tables++;
  pr->tables = g_new0(CkptResult, pr->n_tables ? pr->n_tables : 1);
  for (size_t i = 0; i < pr->n_tables; i++) {
    pr->tables[i].decl = &p->tables[i];
    pr->tables[i].n_columns = ckpt_table_n_columns(&p->tables[i]);
    pr->tables[i].rows = g_array_new(FALSE, FALSE, sizeof(CkptRow));
  }
  g_ptr_array_add(r->plugins, pr);
  if (r->sink && !(r->keep && g_hash_table_contains(r->keep, pr->name)))
    r->sink->plugin_begin(r->sink, r, pr);
  return pr;
}

void
ckpt_report_keep(CkptReport *r, const char *name)
{
  if (r->keep == NULL)
    r->keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add(r->keep, g_strdup(name));
}

void
ckpt_report_plugin_done(CkptReport *r, CkptPluginResult *pr)
{
  if (r->sink && r->sink->plugin_end)
    r->sink->plugin_end(r->sink, r, pr);
}

CkptPluginResult *
ckpt_report_plugin(const CkptReport *r, const char *name)
{
  for (guint i = 0; i < r->plugins->len; i++) {
    CkptPluginResult *pr = g_ptr_array_index(r->plugins, i);
    if (strcmp(pr->name, name) == 0)
      return pr;
  }
  return NULL;
}

const CkptResult *
ckpt_report_table(const CkptReport *r, const char *plugin, const char *table)
{
  CkptPluginResult *pr = ckpt_report_plugin(r, plugin);
  if (pr == NULL || pr->outcome == CKPT_PLUGIN_SKIPPED)
    return NULL;
  for (size_t i = 0; i < pr->n_tables; i++)
    if (strcmp(pr->tables[i].decl->name, table) == 0)
      return &pr->tables[i];
  return NULL;
}

/* A value fits a column when it is missing or of the declared type; the
 * integer kinds that share a representation are accepted for each other so
 * a plugin may emit CKPT_UINT into a SIZE column. */
static gboolean
type_fits(CkptType column, CkptType value)
{
  if (value == CKPT_T_NULL || value == column)
    return TRUE;
  gboolean col_u =
      column == CKPT_T_UINT || column == CKPT_T_ADDR || column == CKPT_T_SIZE;
  gboolean val_u =
      value == CKPT_T_UINT || value == CKPT_T_ADDR || value == CKPT_T_SIZE;
  if (col_u && val_u)
    return TRUE;
  gboolean col_i = column == CKPT_T_INT || column == CKPT_T_TIME;
  gboolean val_i = value == CKPT_T_INT || value == CKPT_T_TIME;
  return col_i && val_i;
}

gboolean
ckpt_row_check(const CkptTable *decl, size_t n_columns, const CkptValue *values,
               size_t n_values, GError **error)
{
  if (n_values != n_columns) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "table %s: row has %zu values, table has %zu columns",
                decl->name, n_values, n_columns);
    return FALSE;
  }
  for (size_t i = 0; i < n_values; i++) {
    if (!type_fits(decl->columns[i].type, values[i].type)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "table %s: column %s is %s, value is %s", decl->name,
                  decl->columns[i].name, ckpt_type_name(decl->columns[i].type),
                  ckpt_type_name(values[i].type));
      return FALSE;
    }
    if (values[i].type == CKPT_T_BYTES && values[i].v.bytes.len > 0 &&
        values[i].v.bytes.data == NULL) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "table %s: column %s has bytes without data", decl->name,
                  decl->columns[i].name);
      return FALSE;
    }
  }
  return TRUE;
}

/* The value as rows keep it: a NULL string is a missing cell, bytes
 * without data are empty. */
static CkptValue
normalised(CkptValue v)
{
  if (v.type == CKPT_T_STR && v.v.s == NULL)
    v.type = CKPT_T_NULL;
  if (v.type == CKPT_T_BYTES && v.v.bytes.data == NULL)
    v.v.bytes.data = "";
  return v;
}

CkptRow
ckpt_row_copy(GStringChunk *chunk, unsigned depth, const CkptValue *values,
              size_t n)
{
  CkptRow row = {.depth = depth, .values = g_new0(CkptValue, n ? n : 1)};
  for (size_t i = 0; i < n; i++) {
    CkptValue v = normalised(values[i]);
    if (v.type == CKPT_T_STR)
      v.v.s = g_string_chunk_insert(chunk, v.v.s);
    if (v.type == CKPT_T_BYTES)
      v.v.bytes.data = g_string_chunk_insert_len(chunk, v.v.bytes.data,
                                                 (gssize)v.v.bytes.len);
    row.values[i] = v;
  }
  return row;
}

void
ckpt_rows_clear(GArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    g_free(g_array_index(rows, CkptRow, i).values);
  g_array_set_size(rows, 0);
}

/* A streamed row is normalised on the stack and handed over; nothing of
 * it outlives the call. */
static void
stream_row(CkptReport *r, CkptPluginResult *pr, size_t t, unsigned depth,
           const CkptValue *values)
{
  CkptValue cells[MAX_COLUMNS];
  const CkptResult *res = &pr->tables[t];
  for (size_t i = 0; i < res->n_columns; i++)
    cells[i] = normalised(values[i]);
  CkptRow row = {.depth = depth, .values = cells};
  r->sink->row(r->sink, r, pr, t, &row);
}

void
ckpt_report_add_row(CkptReport *r, CkptPluginResult *pr, size_t t,
                    unsigned depth, const CkptValue *values)
{
  g_return_if_fail(t < pr->n_tables);
  CkptResult *res = &pr->tables[t];
  res->n_rows++;
  if (res->streamed && r->sink) {
    stream_row(r, pr, t, depth, values);
    return;
  }
  CkptRow row = ckpt_row_copy(r->chunk, depth, values, res->n_columns);
  g_array_append_val(res->rows, row);
}

int
ckpt_report_status(const CkptReport *r)
{
  if (!r->opened || r->errors->len > 0)
    return 1;
  for (guint i = 0; i < r->plugins->len; i++) {
    const CkptPluginResult *pr = g_ptr_array_index(r->plugins, i);
    if (pr->outcome >= CKPT_PLUGIN_RAN_FAILED)
      return 1;
  }
  return 0;
}

const char *
ckpt_report_status_name(const CkptReport *r)
{
  if (!r->opened)
    return "error";
  gboolean failed = FALSE;
  for (guint i = 0; i < r->plugins->len; i++) {
    const CkptPluginResult *pr = g_ptr_array_index(r->plugins, i);
    if (pr->outcome == CKPT_PLUGIN_RAN_FATAL)
      return "fatal";
    if (pr->outcome >= CKPT_PLUGIN_RAN_FAILED)
      failed = TRUE;
  }
  return failed ? "failed" : "ok";
}

/* ---- rows as JSON ------------------------------------------------------ */

void
ckpt_json_value(GString *out, const CkptValue *v)
{
  switch (v->type) {
  case CKPT_T_NULL:
  case CKPT_T_LIST: /* options only, never a cell */
    g_string_append(out, "null");
    break;
  case CKPT_T_STR:
    ckpt_json_string(out, v->v.s, -1);
    break;
  case CKPT_T_INT:
    g_string_append_printf(out, "%" G_GINT64_FORMAT, v->v.i);
    break;
  case CKPT_T_UINT:
  case CKPT_T_SIZE:
    g_string_append_printf(out, "%" G_GUINT64_FORMAT, v->v.u);
    break;
  case CKPT_T_ADDR:
    g_string_append_printf(out, "\"0x%" G_GINT64_MODIFIER "x\"", v->v.u);
    break;
  case CKPT_T_BOOL:
    g_string_append(out, v->v.i ? "true" : "false");
    break;
  case CKPT_T_BYTES: {
    g_autofree char *b64 = g_base64_encode(v->v.bytes.data, v->v.bytes.len);
    ckpt_json_string(out, b64, -1);
    break;
  }
  case CKPT_T_TIME: {
    g_autofree char *t = ckpt_format_time(v->v.i, TRUE);
    ckpt_json_string(out, t, -1);
    break;
  }
  case CKPT_T_DOUBLE:
    if (isfinite(v->v.d))
      g_string_append_printf(out, "%.17g", v->v.d);
    else
      g_string_append(out, "null");
    break;
  }
}

void
ckpt_json_row_fields(GString *out, const CkptResult *t, const CkptRow *row)
{
  g_string_append_c(out, '{');
  for (size_t c = 0; c < t->n_columns; c++) {
    if (c)
      g_string_append_c(out, ',');
    ckpt_json_string(out, t->decl->columns[c].name, -1);
    g_string_append_c(out, ':');
    ckpt_json_value(out, &row->values[c]);
  }
}

/* render.c - tree, table, JSON and JSON Lines output of reports.
 *
 * Everything is built in a GString and written once: renderers never
 * interleave with the error messages the CLI prints to stderr. Trees are
 * drawn from a flat list of (level, text) lines in two passes, so input
 * depth never turns into recursion.
 */
#include "render/render.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "ckpt-config.h"

gboolean
ckpt_render_format_parse(const char *name, CkptRenderFormat *out)
{
  static const char *const names[] = {"tree", "table", "json", "jsonl"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_strcmp0(name, names[i]) == 0) {
      *out = (CkptRenderFormat)i;
      return TRUE;
    }
  return FALSE;
}

/* ---- text helpers ------------------------------------------------------ */

void
ckpt_text_escape(GString *out, const char *s, gssize len)
{
  if (s == NULL)
    return;
  const char *end = s + (len < 0 ? (gssize)strlen(s) : len);
  while (s < end) {
    unsigned char c = (unsigned char)*s;
    if (c == '\\') {
      g_string_append(out, "\\\\");
      s++;
    } else if (c == '\n') {
      g_string_append(out, "\\n");
      s++;
    } else if (c == '\t') {
      g_string_append(out, "\\t");
      s++;
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf(out, "\\x%02x", c);
      s++;
    } else if (c < 0x80) {
      g_string_append_c(out, (char)c);
      s++;
    } else {
      gunichar u = g_utf8_get_char_validated(s, end - s);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append_printf(out, "\\x%02x", c);
        s++;
        continue;
      }
      const char *next = g_utf8_next_char(s);
      /* C1 controls (CSI is U+009B) and bidi overrides can rewrite what a
       * terminal shows */
      if (u < 0xa0 || (u >= 0x202a && u <= 0x202e) ||
          (u >= 0x2066 && u <= 0x2069))
        g_string_append_printf(out, "\\u{%x}", u);
      else
        g_string_append_len(out, s, next - s);
      s = next;
    }
  }
}

char *
ckpt_format_size(uint64_t bytes)
{
  if (bytes < 1024)
    return g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes);
  static const char units[] = "KMGTPE";
  double v = (double)bytes;
  size_t u = 0;
  v /= 1024.0;
  while (v >= 1024.0 && u + 1 < sizeof(units) - 1) {
    v /= 1024.0;
    u++;
  }
  return g_strdup_printf("%.1f %ciB", v, units[u]);
}

char *
ckpt_format_time(int64_t t, gboolean utc)
{
  g_autoptr(GDateTime) dt = utc ? g_date_time_new_from_unix_utc(t)
                                : g_date_time_new_from_unix_local(t);
  if (dt == NULL)
    return g_strdup_printf("%" G_GINT64_FORMAT, t);
  if (g_date_time_get_utc_offset(dt) == 0)
    return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
  return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
}

/* Bytes in text output: printable ASCII as is, the rest as \xNN; long
 * values are cut, since JSON carries them whole. */
static void
bytes_text(GString *out, const uint8_t *p, size_t len)
{
  size_t shown = MIN(len, 64);
  for (size_t i = 0; i < shown; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      g_string_append_c(out, (char)p[i]);
    else
      g_string_append_printf(out, "\\x%02x", p[i]);
  }
  if (shown < len)
    g_string_append_printf(out, "... (%zu bytes)", len);
}

char *
ckpt_value_text(const CkptValue *v, gboolean utc)
{
  GString *s = g_string_new(NULL);
  switch (v->type) {
  case CKPT_T_NULL:
  case CKPT_T_LIST: /* options only, never a cell */
    break;
  case CKPT_T_STR:
    ckpt_text_escape(s, v->v.s, -1);
    break;
  case CKPT_T_INT:
    g_string_append_printf(s, "%" G_GINT64_FORMAT, v->v.i);
    break;
  case CKPT_T_UINT:
    g_string_append_printf(s, "%" G_GUINT64_FORMAT, v->v.u);
    break;
  case CKPT_T_ADDR:
    g_string_append_printf(s, "0x%" G_GINT64_MODIFIER "x", v->v.u);
    break;
  case CKPT_T_SIZE: {
    g_autofree char *t = ckpt_format_size(v->v.u);
    g_string_append(s, t);
    break;
  }
  case CKPT_T_BOOL:
    g_string_append(s, v->v.i ? "true" : "false");
    break;
  case CKPT_T_BYTES:
    bytes_text(s, v->v.bytes.data, v->v.bytes.len);
    break;
  case CKPT_T_TIME: {
    g_autofree char *t = ckpt_format_time(v->v.i, utc);
    g_string_append(s, t);
    break;
  }
  case CKPT_T_DOUBLE:
    g_string_append_printf(s, "%g", v->v.d);
    break;
  }
  return g_string_free(s, FALSE);
}

/* ---- JSON helpers ------------------------------------------------------ */

void
ckpt_json_string(GString *out, const char *s, gssize len)
{
  g_string_append_c(out, '"');
  const char *end = s + (len < 0 ? (gssize)strlen(s) : len);
  while (s < end) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      g_string_append_c(out, '\\');
      g_string_append_c(out, (char)c);
      s++;
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf(out, "\\u%04x", c);
      s++;
    } else if (c < 0x80) {
      g_string_append_c(out, (char)c);
      s++;
    } else {
      gunichar u = g_utf8_get_char_validated(s, end - s);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append(out, "\\ufffd");
        s++;
        continue;
      }
      const char *next = g_utf8_next_char(s);
      g_string_append_len(out, s, next - s);
      s = next;
    }
  }
  g_string_append_c(out, '"');
}

static void
json_value(GString *out, const CkptValue *v)
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

static void
json_strings(GString *out, GPtrArray *list)
{
  g_string_append_c(out, '[');
  for (guint i = 0; i < list->len; i++) {
    if (i)
      g_string_append_c(out, ',');
    ckpt_json_string(out, g_ptr_array_index(list, i), -1);
  }
  g_string_append_c(out, ']');
}

/* Opens a row object and writes its columns, leaving it open. */
static void
json_row_fields(GString *out, const CkptResult *t, const CkptRow *row)
{
  g_string_append_c(out, '{');
  for (size_t c = 0; c < t->n_columns; c++) {
    if (c)
      g_string_append_c(out, ',');
    ckpt_json_string(out, t->decl->columns[c].name, -1);
    g_string_append_c(out, ':');
    json_value(out, &row->values[c]);
  }
}

/* Rows of a TREE table nested through "children", without recursion:
 * open rows at levels 0..*cur stay open until a row at or above them.
 * One step per row (*cur starts at -1), then json_tree_close. */
static void
json_tree_step(GString *out, const CkptResult *t, const CkptRow *row, int *cur)
{
  int d = MIN((int)row->depth, *cur + 1);
  if (*cur >= 0 && d == *cur + 1) {
    g_string_append(out, ",\"children\":[");
  } else if (*cur >= 0) {
    g_string_append_c(out, '}');
    for (int k = *cur; k > d; k--)
      g_string_append(out, "]}");
    g_string_append_c(out, ',');
  }
  json_row_fields(out, t, row);
  *cur = d;
}

static void
json_tree_close(GString *out, int cur)
{
  if (cur >= 0) {
    g_string_append_c(out, '}');
    for (int k = cur; k > 0; k--)
      g_string_append(out, "]}");
  }
}

static void
json_tree_rows(GString *out, const CkptResult *t)
{
  int cur = -1;
  for (guint i = 0; i < t->rows->len; i++)
    json_tree_step(out, t, &g_array_index(t->rows, CkptRow, i), &cur);
  json_tree_close(out, cur);
}

static void
json_table_rows(GString *out, const CkptResult *t)
{
  g_string_append_c(out, '[');
  if (t->decl->layout == CKPT_LAYOUT_TREE) {
    json_tree_rows(out, t);
  } else {
    for (guint i = 0; i < t->rows->len; i++) {
      if (i)
        g_string_append_c(out, ',');
      json_row_fields(out, t, &g_array_index(t->rows, CkptRow, i));
      g_string_append_c(out, '}');
    }
  }
  g_string_append_c(out, ']');
}

static gboolean
wanted(const CkptRenderOptions *opt, const char *plugin, const char *table)
{
  if (opt->only == NULL)
    return TRUE;
  for (size_t i = 0; opt->only[i]; i++) {
    const char *dot = strchr(opt->only[i], '.');
    size_t n = dot ? (size_t)(dot - opt->only[i]) : strlen(opt->only[i]);
    if (strlen(plugin) == n && strncmp(opt->only[i], plugin, n) == 0 &&
        (dot == NULL || table == NULL || strcmp(dot + 1, table) == 0))
      return TRUE;
  }
  return FALSE;
}

/* "name":{"status":..,"messages":[..],"tables":{ -- left open */
static void
json_plugin_open(GString *out, const CkptPluginResult *pr)
{
  ckpt_json_string(out, pr->name, -1);
  g_string_append(out, ":{\"status\":");
  ckpt_json_string(out, ckpt_outcome_name(pr->outcome), -1);
  g_string_append(out, ",\"messages\":");
  json_strings(out, pr->messages);
  g_string_append(out, ",\"tables\":{");
}

static void
json_plugin(GString *out, const CkptPluginResult *pr,
            const CkptRenderOptions *opt)
{
  json_plugin_open(out, pr);
  gboolean first = TRUE;
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if (!wanted(opt, pr->name, t->decl->name))
      continue;
    if (!first)
      g_string_append_c(out, ',');
    first = FALSE;
    ckpt_json_string(out, t->decl->name, -1);
    g_string_append_c(out, ':');
    json_table_rows(out, t);
  }
  g_string_append(out, "}}");
}

/* ,"name":..,"status":..,"errors":[..],"warnings":[..] of a checkpoint,
 * in json and jsonl alike */
static void
json_report_fields(GString *out, const CkptReport *rep)
{
  g_string_append(out, ",\"name\":");
  ckpt_json_string(out, rep->label, -1);
  g_string_append(out, ",\"status\":");
  ckpt_json_string(out, ckpt_report_status_name(rep), -1);
  g_string_append(out, ",\"errors\":");
  json_strings(out, rep->errors);
  g_string_append(out, ",\"warnings\":");
  json_strings(out, rep->warnings);
}

/* {"path":..,..,"plugins":{ -- left open */
static void
json_report_open(GString *out, const CkptReport *rep)
{
  g_string_append(out, "{\"path\":");
  ckpt_json_string(out, rep->path, -1);
  json_report_fields(out, rep);
  g_string_append(out, ",\"plugins\":{");
}

static void
json_document_open(GString *out)
{
  g_string_append(out, "{\"ckpt_version\":");
  ckpt_json_string(out, CKPT_VERSION, -1);
  g_string_append(out, ",\"checkpoints\":[");
}

static void
render_json(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  json_document_open(out);
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    if (r)
      g_string_append_c(out, ',');
    json_report_open(out, rep);
    gboolean first = TRUE;
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (!wanted(opt, pr->name, NULL))
        continue;
      if (!first)
        g_string_append_c(out, ',');
      first = FALSE;
      json_plugin(out, pr, opt);
    }
    g_string_append(out, "}}");
  }
  g_string_append(out, "]}\n");
}

static void
jsonl_head(GString *out, const char *type, const CkptReport *rep)
{
  g_string_append(out, "{\"type\":");
  ckpt_json_string(out, type, -1);
  g_string_append(out, ",\"checkpoint\":");
  ckpt_json_string(out, rep->path, -1);
}

static void
jsonl_row(GString *out, const CkptReport *rep, const CkptPluginResult *pr,
          const CkptResult *t, const CkptRow *row)
{
  jsonl_head(out, "row", rep);
  g_string_append(out, ",\"plugin\":");
  ckpt_json_string(out, pr->name, -1);
  g_string_append(out, ",\"table\":");
  ckpt_json_string(out, t->decl->name, -1);
  g_string_append_printf(out, ",\"depth\":%u,\"values\":", row->depth);
  json_row_fields(out, t, row);
  g_string_append(out, "}}\n");
}

static void
jsonl_plugin_line(GString *out, const CkptReport *rep,
                  const CkptPluginResult *pr)
{
  jsonl_head(out, "plugin", rep);
  g_string_append(out, ",\"plugin\":");
  ckpt_json_string(out, pr->name, -1);
  g_string_append(out, ",\"status\":");
  ckpt_json_string(out, ckpt_outcome_name(pr->outcome), -1);
  g_string_append(out, ",\"messages\":");
  json_strings(out, pr->messages);
  g_string_append(out, "}\n");
}

/* The kept rows of pr's wanted tables, then the plugin's own line. */
static void
jsonl_plugin(GString *out, const CkptReport *rep, const CkptPluginResult *pr,
             const CkptRenderOptions *opt)
{
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if (!wanted(opt, pr->name, t->decl->name))
      continue;
    for (guint j = 0; j < t->rows->len; j++)
      jsonl_row(out, rep, pr, t, &g_array_index(t->rows, CkptRow, j));
  }
  jsonl_plugin_line(out, rep, pr);
}

static void
jsonl_checkpoint(GString *out, const CkptReport *rep)
{
  jsonl_head(out, "checkpoint", rep);
  json_report_fields(out, rep);
  g_string_append(out, "}\n");
}

static void
render_jsonl(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (wanted(opt, pr->name, NULL))
        jsonl_plugin(out, rep, pr, opt);
    }
    jsonl_checkpoint(out, rep);
  }
}

/* ---- tree -------------------------------------------------------------- */

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

static char *
column_title(const CkptColumn *c)
{
  return g_strdup(c->title ? c->title : c->name);
}

static uint32_t
col_flags(const CkptResult *t, size_t c)
{
  return t->decl->columns[c].flags;
}

int
ckpt_result_column_index(const CkptResult *t, const char *name)
{
  if (t == NULL || name == NULL)
    return -1;
  for (size_t c = 0; c < t->n_columns; c++)
    if (strcmp(t->decl->columns[c].name, name) == 0)
      return (int)c;
  return -1;
}

const CkptValue *
ckpt_row_cell(const CkptResult *t, const CkptRow *row, const char *name)
{
  int c = ckpt_result_column_index(t, name);
  return c < 0 ? NULL : &row->values[c];
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

static const CkptResult *
spec_table(const CkptReport *rep, const char *spec)
{
  const char *dot = spec ? strchr(spec, '.') : NULL;
  if (dot == NULL)
    return NULL;
  g_autofree char *plugin = g_strndup(spec, dot - spec);
  return ckpt_report_table(rep, plugin, dot + 1);
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
  const CkptReport *rep;
  const CkptRenderOptions *opt;
  GArray *lines;
  GPtrArray *nests; /* Nest* */
} TreeCtx;

static char *
key_text(const CkptValue *v)
{
  return v->type == CKPT_T_NULL ? NULL : ckpt_value_text(v, TRUE);
}

/* Resolves view's nesting in the report, or NULL when either table is
 * missing, not rendered, or the keys are not columns of theirs. */
static Nest *
nest_new(const TreeCtx *c, const CkptRenderView *v)
{
  const CkptResult *child = spec_table(c->rep, v->table);
  const CkptResult *parent = spec_table(c->rep, v->parent);
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
        eq ? g_strdup(eq + 1) : column_title(&t->decl->columns[col]);
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
    g_autofree char *k = column_title(&t->decl->columns[col]);
    g_autofree char *v = ckpt_value_text(&row->values[col], c->opt->utc);
    add_line(c->lines, level, g_strdup_printf("%s: %s", k, v));
  }
}

static void tree_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
                     const CkptRow *row, int level, int nesting);

static char *
table_title(const CkptResult *t)
{
  GString *title = g_string_new(NULL);
  ckpt_text_escape(title, t->decl->title ? t->decl->title : t->decl->name, -1);
  return g_string_free(title, FALSE);
}

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
    add_line(c->lines, level, table_title(n->child));
    for (guint j = 0; j < rows->len; j++) {
      guint r = g_array_index(rows, guint, j);
      tree_row(c, n->child, n->view, &g_array_index(n->child->rows, CkptRow, r),
               level + 1, nesting + 1);
    }
  }
}

/* A node: its label, its details, then what nests under it. */
static void
tree_row(TreeCtx *c, const CkptResult *t, const CkptRenderView *v,
         const CkptRow *row, int level, int nesting)
{
  add_line(c->lines, level,
           v && v->label ? v->label(t, row, c->opt->utc)
                         : row_text(t, row, c->opt->utc));
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

static void
tree_table(TreeCtx *c, const CkptResult *t, const CkptRenderView *v)
{
  /* a flat view shows rows as "Title: value" lines, as records */
  gboolean record = t->decl->layout == CKPT_LAYOUT_RECORD || (v && v->flat);
  int base = v && v->flat ? 1 : 2;
  guint heading = c->lines->len;
  if (!(v && v->flat))
    add_line(c->lines, 1, table_title(t));
  int prev = 1;
  guint shown = 0;
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    if (placed_elsewhere(c, t, row))
      continue;
    shown++;
    if (record) {
      if (v && v->fields)
        field_lines(c, t, row, v->fields, base);
      else
        hinted_lines(c, t, row, base, FALSE);
      continue;
    }
    int level = 2;
    if (t->decl->layout == CKPT_LAYOUT_TREE)
      level = MIN(2 + (int)row->depth, prev + 1);
    tree_row(c, t, v, row, level, 0);
    prev = level;
  }
  if (shown == 0 && heading < c->lines->len) {
    /* every row went under a parent: no empty heading */
    g_free(g_array_index(c->lines, Line, heading).text);
    g_array_set_size(c->lines, heading);
  }
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

static void
tree_plugin(TreeCtx *c, const CkptPluginResult *pr)
{
  const CkptRenderOptions *opt = c->opt;
  if (pr->outcome >= CKPT_PLUGIN_RAN_FAILED) {
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s: %s", pr->name,
                           ckpt_outcome_name(pr->outcome));
    for (guint m = 0; m < pr->messages->len; m++) {
      g_string_append(s, m ? "; " : ": ");
      ckpt_text_escape(s, g_ptr_array_index(pr->messages, m), -1);
    }
    add_line(c->lines, 1, g_string_free(s, FALSE));
  }
  g_autoptr(GArray) order = table_order(pr, opt);
  for (guint k = 0; k < order->len; k++) {
    const CkptResult *t = &pr->tables[g_array_index(order, size_t, k)];
    const CkptRenderView *v = find_view(opt, pr->name, t->decl->name);
    if (wanted(opt, pr->name, t->decl->name) && t->rows->len > 0 &&
        !(v && v->hide))
      tree_table(c, t, v);
  }
}

/* The nestings that apply to this report: both tables rendered. */
static void
resolve_nests(TreeCtx *c)
{
  for (const CkptRenderView *v = c->opt->views; v && v->table; v++) {
    if (v->parent == NULL || v->hide)
      continue;
    const CkptRenderView *pv = NULL;
    for (const CkptRenderView *w = c->opt->views; w && w->table; w++)
      if (g_strcmp0(w->table, v->parent) == 0)
        pv = w;
    Nest *n = nest_new(c, v);
    if (n == NULL)
      continue;
    const CkptPluginResult *pp = NULL, *cp = NULL;
    for (guint p = 0; p < c->rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(c->rep->plugins, p);
      for (size_t i = 0; i < pr->n_tables; i++) {
        if (&pr->tables[i] == n->parent)
          pp = pr;
        if (&pr->tables[i] == n->child)
          cp = pr;
      }
    }
    if ((pv && pv->hide) || !pp || !cp ||
        !wanted(c->opt, pp->name, n->parent->decl->name) ||
        !wanted(c->opt, cp->name, n->child->decl->name)) {
      nest_free(n);
      continue;
    }
    g_ptr_array_add(c->nests, n);
  }
}

static void
render_tree(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(Line));
    g_autoptr(GPtrArray) nests = g_ptr_array_new_with_free_func(nest_free);
    TreeCtx c = {rep, opt, lines, nests};
    GString *root = g_string_new(NULL);
    ckpt_text_escape(root, rep->label, -1);
    add_line(lines, 0, g_string_free(root, FALSE));
    for (guint e = 0; e < rep->errors->len; e++) {
      GString *s = g_string_new("error: ");
      ckpt_text_escape(s, g_ptr_array_index(rep->errors, e), -1);
      add_line(lines, 1, g_string_free(s, FALSE));
    }
    resolve_nests(&c);
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (wanted(opt, pr->name, NULL))
        tree_plugin(&c, pr);
    }
    if (r)
      g_string_append_c(out, '\n');
    draw_tree(out, lines);
    for (guint i = 0; i < lines->len; i++)
      g_free(g_array_index(lines, Line, i).text);
  }
}

/* ---- table ------------------------------------------------------------- */

static size_t
text_width(const char *s)
{
  return g_utf8_validate(s, -1, NULL) ? (size_t)g_utf8_strlen(s, -1)
                                      : strlen(s);
}

static void
pad(GString *out, const char *s, size_t width)
{
  g_string_append(out, s);
  for (size_t w = text_width(s); w < width; w++)
    g_string_append_c(out, ' ');
}

/* Widens width[] to fit cells (n_columns per row). */
static void
grid_widths(GPtrArray *cells, size_t n_columns, size_t *width)
{
  for (guint i = 0; i < cells->len; i++)
    width[i % n_columns] =
        MAX(width[i % n_columns], text_width(g_ptr_array_index(cells, i)));
}

/* Writes cells (n_columns per row) padded to width[]; a cell wider than
 * its column pushes the rest of its line right. */
static void
grid_lines(GString *out, GPtrArray *cells, size_t n_columns,
           const size_t *width)
{
  for (guint i = 0; i < cells->len; i++) {
    size_t c = i % n_columns;
    if (c + 1 == n_columns) {
      g_string_append(out, g_ptr_array_index(cells, i));
      /* no trailing blanks */
      while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
      g_string_append_c(out, '\n');
    } else {
      pad(out, g_ptr_array_index(cells, i), width[c] + 2);
    }
  }
}

/* cells: char*, n_columns per row, header first */
static void
draw_grid(GString *out, GPtrArray *cells, size_t n_columns)
{
  if (n_columns == 0)
    return;
  g_autofree size_t *width = g_new0(size_t, n_columns);
  grid_widths(cells, n_columns, width);
  grid_lines(out, cells, n_columns, width);
}

/* Columns shown in tables: all but HIDDEN ones. */
static size_t
n_visible(const CkptResult *t)
{
  size_t n = 0;
  for (size_t c = 0; c < t->n_columns; c++)
    n += !(col_flags(t, c) & CKPT_COL_HIDDEN);
  return n;
}

static void
table_header(GPtrArray *cells, const CkptResult *t)
{
  for (size_t c = 0; c < t->n_columns; c++) {
    if (col_flags(t, c) & CKPT_COL_HIDDEN)
      continue;
    g_autofree char *title = column_title(&t->decl->columns[c]);
    g_ptr_array_add(cells, g_utf8_strup(title, -1));
  }
}

/* The cells of one row; *prev is the depth shown for the row before, and
 * as in trees a row is at most one level below it (the first at 0). */
static void
table_row_cells(GPtrArray *cells, const CkptResult *t, const CkptRow *row,
                gboolean first_row, unsigned *prev, gboolean utc)
{
  unsigned d = MIN(row->depth, first_row ? 0 : *prev + 1);
  *prev = d;
  gboolean first = TRUE;
  for (size_t c = 0; c < t->n_columns; c++) {
    if (col_flags(t, c) & CKPT_COL_HIDDEN)
      continue;
    char *v = ckpt_value_text(&row->values[c], utc);
    if (first && t->decl->layout == CKPT_LAYOUT_TREE && d) {
      d = MIN(d, 64);
      char *indented = g_strdup_printf("%*s%s", (int)(2 * d), "", v);
      g_free(v);
      v = indented;
    }
    first = FALSE;
    g_ptr_array_add(cells, v);
  }
}

static void
table_rows(GPtrArray *cells, const CkptResult *t, gboolean utc)
{
  unsigned prev = 0;
  for (guint i = 0; i < t->rows->len; i++)
    table_row_cells(cells, t, &g_array_index(t->rows, CkptRow, i), i == 0,
                    &prev, utc);
}

/* The width of a RECORD's "Title:" column. */
static size_t
record_width(const CkptResult *t)
{
  size_t w = 0;
  for (size_t c = 0; c < t->n_columns; c++) {
    g_autofree char *k = column_title(&t->decl->columns[c]);
    if (!(col_flags(t, c) & CKPT_COL_HIDDEN))
      w = MAX(w, text_width(k));
  }
  return w;
}

static void
record_row(GString *out, const CkptResult *t, const CkptRow *row, size_t w,
           gboolean first_row, gboolean utc)
{
  if (!first_row)
    g_string_append_c(out, '\n');
  for (size_t c = 0; c < t->n_columns; c++) {
    if (row->values[c].type == CKPT_T_NULL ||
        (col_flags(t, c) & CKPT_COL_HIDDEN))
      continue;
    g_autofree char *k = column_title(&t->decl->columns[c]);
    g_autofree char *v = ckpt_value_text(&row->values[c], utc);
    g_autofree char *kc = g_strconcat(k, ":", NULL);
    pad(out, kc, w + 3);
    g_string_append_printf(out, "%s\n", v);
  }
}

static void
table_record(GString *out, const CkptResult *t, gboolean utc)
{
  size_t w = record_width(t);
  for (guint i = 0; i < t->rows->len; i++)
    record_row(out, t, &g_array_index(t->rows, CkptRow, i), w, i == 0, utc);
}

static void
table_one(GString *out, const CkptResult *t, gboolean utc)
{
  if (t->decl->layout == CKPT_LAYOUT_RECORD) {
    table_record(out, t, utc);
    return;
  }
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
  table_header(cells, t);
  table_rows(cells, t, utc);
  draw_grid(out, cells, n_visible(t));
}

/* One table per (plugin, table) with the rows of every checkpoint, in the
 * order tables first appear. */
static void
render_table_merged(GString *out, GPtrArray *reports,
                    const CkptRenderOptions *opt)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new(); /* const CkptTable* */
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      for (size_t i = 0; i < pr->n_tables; i++) {
        const CkptResult *t = &pr->tables[i];
        if (!wanted(opt, pr->name, t->decl->name) ||
            g_ptr_array_find(seen, t->decl, NULL))
          continue;
        g_ptr_array_add(seen, (gpointer)t->decl);
        g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
        table_header(cells, t);
        for (guint r2 = r; r2 < reports->len; r2++) {
          const CkptResult *t2 = ckpt_report_table(
              g_ptr_array_index(reports, r2), pr->name, t->decl->name);
          if (t2)
            table_rows(cells, t2, opt->utc);
        }
        if (seen->len > 1)
          g_string_append_c(out, '\n');
        draw_grid(out, cells, n_visible(t));
      }
    }
  }
}

static void
table_report_heading(GString *out, const CkptReport *rep)
{
  g_string_append(out, "# ");
  ckpt_text_escape(out, rep->label, -1);
  if (g_strcmp0(rep->label, rep->path) != 0) {
    g_string_append(out, " (");
    ckpt_text_escape(out, rep->path, -1);
    g_string_append_c(out, ')');
  }
  g_string_append_c(out, '\n');
}

static void
table_heading(GString *out, const CkptResult *t)
{
  g_string_append(out, "\n## ");
  ckpt_text_escape(out, t->decl->title ? t->decl->title : t->decl->name, -1);
  g_string_append_c(out, '\n');
}

/* The kept tables of a plugin with rows; skip (streamed already) aside. */
static void
table_plugin(GString *out, const CkptPluginResult *pr,
             const CkptRenderOptions *opt, const CkptResult *skip)
{
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if (t == skip || !wanted(opt, pr->name, t->decl->name) || t->rows->len == 0)
      continue;
    table_heading(out, t);
    table_one(out, t, opt->utc);
  }
}

static void
render_table(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  if (opt->merge) {
    render_table_merged(out, reports, opt);
    return;
  }
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    if (r)
      g_string_append_c(out, '\n');
    table_report_heading(out, rep);
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (wanted(opt, pr->name, NULL))
        table_plugin(out, pr, opt, NULL);
    }
  }
}

char *
ckpt_render_to_string(GPtrArray *reports, const CkptRenderOptions *opt)
{
  GString *out = g_string_new(NULL);
  switch (opt->format) {
  case CKPT_RENDER_TREE:
    render_tree(out, reports, opt);
    break;
  case CKPT_RENDER_TABLE:
    render_table(out, reports, opt);
    break;
  case CKPT_RENDER_JSON:
    render_json(out, reports, opt);
    break;
  case CKPT_RENDER_JSONL:
    render_jsonl(out, reports, opt);
    break;
  }
  return g_string_free(out, FALSE);
}

void
ckpt_render(FILE *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  g_autofree char *s = ckpt_render_to_string(reports, opt);
  fputs(s, out);
  fflush(out);
}

/* ---- streaming ---------------------------------------------------------
 *
 * The same documents, written while the chain runs, so rows of a table no
 * later plugin reads are never kept (results.h). Everything before a
 * plugin's output is written when the plugin ends; rows of its streamed
 * tables are written as they are emitted:
 *  - jsonl: the first wanted table's row lines straight to the output.
 *  - table: a grid needs the widths of all its rows: its cells are
 *    buffered, and past GRID_SAMPLE rows spooled to an unlinked temporary
 *    file, then drawn when the plugin ends; RECORD rows are written as
 *    they come (the first table) or spooled as text.
 *  - json: the document puts each checkpoint's status and errors, and each
 *    plugin's status and messages, before its rows; rows of every wanted
 *    table are spooled to an unlinked temporary file and copied into place
 *    when what precedes them is known.
 * Tables no one renders or reads are only counted. */

#define GRID_SAMPLE 1000

typedef struct {
  gboolean drop; /* not rendered: only counted */
  FILE *spool;   /* json: the rows so far */
  int cur;       /* json TREE nesting; -1 before the first row */
  guint rows;
  GPtrArray *cells; /* table: buffered cells, header first */
  FILE *cell_spool; /* table: cells past GRID_SAMPLE rows */
  size_t *width;
  size_t n_vis;
  unsigned prev;
} StreamTable;

struct CkptRenderStream {
  CkptRowSink sink; /* first member: reports point at it */
  FILE *out;
  CkptRenderOptions opt;
  GString *buf;
  guint reports;         /* reports done */
  gboolean head;         /* table: this report's heading is out */
  gboolean wrote_plugin; /* json: a plugin of this report is spooled */
  FILE *report_spool;    /* json: this report's plugins */
  StreamTable *tables;   /* of the running plugin */
  size_t n_tables;
  gboolean spool_failed;
};

/* Writes buf to f and empties it. */
static void
put(CkptRenderStream *s, FILE *f)
{
  if (s->buf->len && fwrite(s->buf->str, 1, s->buf->len, f) != s->buf->len)
    s->spool_failed = TRUE;
  g_string_truncate(s->buf, 0);
}

/* An unlinked temporary file ($TMPDIR), or NULL. */
static FILE *
spool_new(void)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("ckpt-spool-XXXXXX", &path, NULL);
  if (fd < 0)
    return NULL;
  unlink(path); /* nothing opens it by name again */
  FILE *f = fdopen(fd, "w+");
  if (f == NULL)
    close(fd);
  return f;
}

/* Copies what was written to spool onto to, and closes spool. */
static void
spool_copy(CkptRenderStream *s, FILE *spool, FILE *to)
{
  char chunk[65536];
  size_t n;
  if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
    s->spool_failed = TRUE;
  while (!s->spool_failed && (n = fread(chunk, 1, sizeof chunk, spool)) > 0)
    if (fwrite(chunk, 1, n, to) != n)
      s->spool_failed = TRUE;
  if (ferror(spool))
    s->spool_failed = TRUE;
  fclose(spool);
}

static void
stream_table_release(StreamTable *st)
{
  if (st->spool)
    fclose(st->spool);
  if (st->cell_spool)
    fclose(st->cell_spool);
  if (st->cells)
    g_ptr_array_unref(st->cells);
  g_free(st->width);
}

static void
stream_tables_free(CkptRenderStream *s)
{
  for (size_t i = 0; i < s->n_tables; i++)
    stream_table_release(&s->tables[i]);
  g_clear_pointer(&s->tables, g_free);
  s->n_tables = 0;
}

static void
table_report_head(CkptRenderStream *s, const CkptReport *r)
{
  if (s->head)
    return;
  if (s->reports)
    g_string_append_c(s->buf, '\n');
  table_report_heading(s->buf, r);
  put(s, s->out);
  s->head = TRUE;
}

static void
sink_plugin_begin(CkptRowSink *sink, CkptReport *r, CkptPluginResult *pr)
{
  CkptRenderStream *s = (CkptRenderStream *)sink;
  stream_tables_free(s);
  s->tables = g_new0(StreamTable, pr->n_tables ? pr->n_tables : 1);
  s->n_tables = pr->n_tables;
  gboolean plugin_wanted = wanted(&s->opt, pr->name, NULL);
  gboolean first = TRUE;
  for (size_t i = 0; i < pr->n_tables; i++) {
    CkptResult *t = &pr->tables[i];
    StreamTable *st = &s->tables[i];
    st->cur = -1;
    if (!plugin_wanted || !wanted(&s->opt, pr->name, t->decl->name)) {
      st->drop = t->streamed = TRUE;
    } else if (s->opt.format == CKPT_RENDER_TABLE &&
               t->decl->layout != CKPT_LAYOUT_RECORD) {
      t->streamed = TRUE; /* cells buffered, spooled past GRID_SAMPLE */
    } else if (first && s->opt.format == CKPT_RENDER_JSONL) {
      /* tables are written in order: only the first can go out early */
      t->streamed = TRUE;
      first = FALSE;
    } else if (s->opt.format != CKPT_RENDER_JSON || s->report_spool) {
      st->spool = spool_new();
      t->streamed = st->spool != NULL; /* else kept: still correct */
    }
  }
  if (s->opt.format == CKPT_RENDER_TABLE)
    table_report_head(s, r);
}

/* Cells go to a spool as a 32-bit length and the bytes, so any text
 * comes back as it went. */
static void
cells_spool_write(CkptRenderStream *s, FILE *f, GPtrArray *cells)
{
  for (guint i = 0; i < cells->len; i++) {
    const char *c = g_ptr_array_index(cells, i);
    uint32_t n = (uint32_t)strlen(c);
    if (fwrite(&n, sizeof n, 1, f) != 1 || fwrite(c, 1, n, f) != n)
      s->spool_failed = TRUE;
  }
  g_ptr_array_set_size(cells, 0);
}

static char *
cells_spool_read(FILE *f)
{
  uint32_t n;
  if (fread(&n, sizeof n, 1, f) != 1 || n > (1u << 30))
    return NULL;
  char *c = g_malloc(n + 1);
  if (fread(c, 1, n, f) != n) {
    g_free(c);
    return NULL;
  }
  c[n] = '\0';
  return c;
}

/* A grid's rows: cells buffered with the widths kept up to date; past
 * GRID_SAMPLE rows the cells move to a spool, so the grid is drawn with
 * the widths of all its rows, as ckpt_render draws it. */
static void
stream_grid_row(CkptRenderStream *s, StreamTable *st, const CkptResult *t,
                const CkptRow *row)
{
  if (st->rows == 0) {
    st->n_vis = n_visible(t);
    st->width = g_new0(size_t, st->n_vis ? st->n_vis : 1);
    st->cells = g_ptr_array_new_with_free_func(g_free);
    table_header(st->cells, t);
  }
  if (st->n_vis == 0)
    return;
  guint from = st->cells->len;
  table_row_cells(st->cells, t, row, st->rows == 0, &st->prev, s->opt.utc);
  for (guint i = from; i < st->cells->len; i++)
    st->width[(i - from) % st->n_vis] =
        MAX(st->width[(i - from) % st->n_vis],
            text_width(g_ptr_array_index(st->cells, i)));
  if (st->rows == 0)
    grid_widths(st->cells, st->n_vis, st->width); /* the header */
  if (st->cell_spool == NULL && st->rows + 1 >= GRID_SAMPLE)
    st->cell_spool = spool_new(); /* NULL: keep buffering, still right */
  if (st->cell_spool)
    cells_spool_write(s, st->cell_spool, st->cells);
}

/* Draws a grid from its spool, then what is still buffered. */
static void
stream_grid_draw(CkptRenderStream *s, StreamTable *st)
{
  if (st->cell_spool) {
    g_autoptr(GPtrArray) line = g_ptr_array_new_with_free_func(g_free);
    if (fflush(st->cell_spool) != 0 || fseek(st->cell_spool, 0, SEEK_SET))
      s->spool_failed = TRUE;
    char *c;
    while (!s->spool_failed && (c = cells_spool_read(st->cell_spool))) {
      g_ptr_array_add(line, c);
      if (line->len < st->n_vis)
        continue;
      grid_lines(s->buf, line, st->n_vis, st->width);
      g_ptr_array_set_size(line, 0);
      if (s->buf->len >= 65536)
        put(s, s->out);
    }
    g_clear_pointer(&st->cell_spool, fclose);
  }
  grid_lines(s->buf, st->cells, st->n_vis, st->width);
}

static void
sink_row(CkptRowSink *sink, CkptReport *r, CkptPluginResult *pr, size_t ti,
         const CkptRow *row)
{
  CkptRenderStream *s = (CkptRenderStream *)sink;
  if (s->tables == NULL || ti >= s->n_tables || s->tables[ti].drop)
    return;
  StreamTable *st = &s->tables[ti];
  const CkptResult *t = &pr->tables[ti];
  FILE *to = st->spool ? st->spool : s->out;
  switch (s->opt.format) {
  case CKPT_RENDER_JSONL:
    jsonl_row(s->buf, r, pr, t, row);
    put(s, to);
    break;
  case CKPT_RENDER_JSON:
    if (t->decl->layout == CKPT_LAYOUT_TREE) {
      json_tree_step(s->buf, t, row, &st->cur);
    } else {
      if (st->rows)
        g_string_append_c(s->buf, ',');
      json_row_fields(s->buf, t, row);
      g_string_append_c(s->buf, '}');
    }
    put(s, st->spool);
    break;
  case CKPT_RENDER_TABLE:
    if (t->decl->layout == CKPT_LAYOUT_RECORD) {
      if (st->rows == 0)
        table_heading(s->buf, t);
      record_row(s->buf, t, row, record_width(t), st->rows == 0, s->opt.utc);
      put(s, to);
    } else {
      stream_grid_row(s, st, t, row);
    }
    break;
  case CKPT_RENDER_TREE:
    break;
  }
  st->rows++;
}

/* A plugin's JSON object into the report's spool, spooled tables copied
 * into place. */
static void
json_plugin_spooled(CkptRenderStream *s, const CkptPluginResult *pr)
{
  if (s->wrote_plugin)
    g_string_append_c(s->buf, ',');
  s->wrote_plugin = TRUE;
  json_plugin_open(s->buf, pr);
  gboolean first = TRUE;
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    StreamTable *st = s->tables && i < s->n_tables ? &s->tables[i] : NULL;
    if (!wanted(&s->opt, pr->name, t->decl->name))
      continue;
    if (!first)
      g_string_append_c(s->buf, ',');
    first = FALSE;
    ckpt_json_string(s->buf, t->decl->name, -1);
    g_string_append_c(s->buf, ':');
    if (st == NULL || st->spool == NULL) {
      json_table_rows(s->buf, t);
      continue;
    }
    g_string_append_c(s->buf, '[');
    put(s, s->report_spool);
    spool_copy(s, st->spool, s->report_spool);
    st->spool = NULL;
    if (t->decl->layout == CKPT_LAYOUT_TREE)
      json_tree_close(s->buf, st->cur);
    g_string_append_c(s->buf, ']');
  }
  g_string_append(s->buf, "}}");
  put(s, s->report_spool);
}

/* A wanted table at its plugin's end, in table order: the spooled rows
 * copied out, what is still buffered drawn, or the kept rows rendered. */
static void
plugin_end_table(CkptRenderStream *s, const CkptReport *r,
                 const CkptPluginResult *pr, const CkptResult *t,
                 StreamTable *st)
{
  if (st && st->spool) {
    spool_copy(s, st->spool, s->out);
    st->spool = NULL;
  }
  if (s->opt.format == CKPT_RENDER_JSONL) {
    for (guint j = 0; j < t->rows->len; j++)
      jsonl_row(s->buf, r, pr, t, &g_array_index(t->rows, CkptRow, j));
  } else if (st && st->cells) {
    table_heading(s->buf, t);
    if (st->n_vis)
      stream_grid_draw(s, st);
  } else if (t->rows->len) {
    table_heading(s->buf, t);
    table_one(s->buf, t, s->opt.utc);
  }
  put(s, s->out);
}

static void
sink_plugin_end(CkptRowSink *sink, CkptReport *r, CkptPluginResult *pr)
{
  CkptRenderStream *s = (CkptRenderStream *)sink;
  if (!wanted(&s->opt, pr->name, NULL)) {
    stream_tables_free(s);
    return;
  }
  if (s->opt.format == CKPT_RENDER_JSON) {
    /* without a report spool rows were kept: report_done renders */
    if (s->report_spool)
      json_plugin_spooled(s, pr);
    stream_tables_free(s);
    return;
  }
  if (s->opt.format == CKPT_RENDER_TABLE)
    table_report_head(s, r);
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if (wanted(&s->opt, pr->name, t->decl->name))
      plugin_end_table(s, r, pr, t,
                       s->tables && i < s->n_tables ? &s->tables[i] : NULL);
  }
  if (s->opt.format == CKPT_RENDER_JSONL) {
    jsonl_plugin_line(s->buf, r, pr);
    put(s, s->out);
  }
  stream_tables_free(s);
}

CkptRenderStream *
ckpt_render_stream_new(FILE *out, const CkptRenderOptions *opt)
{
  if (opt->format == CKPT_RENDER_TREE ||
      (opt->format == CKPT_RENDER_TABLE && opt->merge))
    return NULL;
  CkptRenderStream *s = g_new0(CkptRenderStream, 1);
  s->sink.plugin_begin = sink_plugin_begin;
  s->sink.row = sink_row;
  s->sink.plugin_end = sink_plugin_end;
  s->out = out;
  s->opt = *opt;
  s->buf = g_string_new(NULL);
  if (opt->format == CKPT_RENDER_JSON) {
    json_document_open(s->buf);
    put(s, out);
  }
  return s;
}

void
ckpt_render_stream_attach(CkptRenderStream *s, CkptReport *rep)
{
  s->head = FALSE;
  s->wrote_plugin = FALSE;
  if (s->opt.format == CKPT_RENDER_JSON) {
    s->report_spool = spool_new();
    if (s->report_spool == NULL)
      s->spool_failed = TRUE;
  }
  rep->sink = &s->sink;
}

void
ckpt_render_stream_report_done(CkptRenderStream *s, CkptReport *rep)
{
  stream_tables_free(s);
  switch (s->opt.format) {
  case CKPT_RENDER_JSONL:
    jsonl_checkpoint(s->buf, rep);
    break;
  case CKPT_RENDER_TABLE:
    table_report_head(s, rep);
    break;
  case CKPT_RENDER_JSON:
    if (s->reports)
      g_string_append_c(s->buf, ',');
    json_report_open(s->buf, rep);
    if (s->report_spool) {
      put(s, s->out);
      spool_copy(s, s->report_spool, s->out);
      s->report_spool = NULL;
    } else {
      /* no spool: every row was kept, render them now */
      gboolean first = TRUE;
      for (guint p = 0; p < rep->plugins->len; p++) {
        const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
        if (!wanted(&s->opt, pr->name, NULL))
          continue;
        if (!first)
          g_string_append_c(s->buf, ',');
        first = FALSE;
        json_plugin(s->buf, pr, &s->opt);
      }
    }
    g_string_append(s->buf, "}}");
    break;
  case CKPT_RENDER_TREE:
    break;
  }
  put(s, s->out);
  fflush(s->out);
  rep->sink = NULL;
  s->reports++;
}

gboolean
ckpt_render_stream_finish(CkptRenderStream *s)
{
  if (s->opt.format == CKPT_RENDER_JSON) {
    g_string_append(s->buf, "]}\n");
    put(s, s->out);
  }
  fflush(s->out);
  return !s->spool_failed && !ferror(s->out);
}

void
ckpt_render_stream_free(CkptRenderStream *s)
{
  if (s == NULL)
    return;
  stream_tables_free(s);
  if (s->report_spool)
    fclose(s->report_spool);
  g_string_free(s->buf, TRUE);
  g_free(s);
}

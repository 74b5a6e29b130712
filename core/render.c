/* render.c - tree, table, JSON and JSON Lines output of reports.
 *
 * Everything is built in a GString and written once: renderers never
 * interleave with the error messages the CLI prints to stderr. Trees are
 * drawn from a flat list of (level, text) lines in two passes, so input
 * depth never turns into recursion.
 */
#include "render.h"

#include <math.h>
#include <string.h>

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
 * open rows at levels 0..cur stay open until a row at or above them. */
static void
json_tree_rows(GString *out, const CkptResult *t)
{
  int cur = -1;
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    int d = MIN((int)row->depth, cur + 1);
    if (cur >= 0 && d == cur + 1) {
      g_string_append(out, ",\"children\":[");
    } else if (cur >= 0) {
      g_string_append_c(out, '}');
      for (int k = cur; k > d; k--)
        g_string_append(out, "]}");
      g_string_append_c(out, ',');
    }
    json_row_fields(out, t, row);
    cur = d;
  }
  if (cur >= 0) {
    g_string_append_c(out, '}');
    for (int k = cur; k > 0; k--)
      g_string_append(out, "]}");
  }
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

static void
json_plugin(GString *out, const CkptPluginResult *pr,
            const CkptRenderOptions *opt)
{
  ckpt_json_string(out, pr->name, -1);
  g_string_append(out, ":{\"status\":");
  ckpt_json_string(out, ckpt_outcome_name(pr->outcome), -1);
  g_string_append(out, ",\"messages\":");
  json_strings(out, pr->messages);
  g_string_append(out, ",\"tables\":{");
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

static void
render_json(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  g_string_append(out, "{\"ckpt_version\":");
  ckpt_json_string(out, CKPT_VERSION, -1);
  g_string_append(out, ",\"checkpoints\":[");
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    if (r)
      g_string_append_c(out, ',');
    g_string_append(out, "{\"path\":");
    ckpt_json_string(out, rep->path, -1);
    g_string_append(out, ",\"name\":");
    ckpt_json_string(out, rep->label, -1);
    g_string_append(out, ",\"status\":");
    ckpt_json_string(out, ckpt_report_status_name(rep), -1);
    g_string_append(out, ",\"errors\":");
    json_strings(out, rep->errors);
    g_string_append(out, ",\"warnings\":");
    json_strings(out, rep->warnings);
    g_string_append(out, ",\"plugins\":{");
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
render_jsonl(GString *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = g_ptr_array_index(reports, r);
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (!wanted(opt, pr->name, NULL))
        continue;
      for (size_t i = 0; i < pr->n_tables; i++) {
        const CkptResult *t = &pr->tables[i];
        if (!wanted(opt, pr->name, t->decl->name))
          continue;
        for (guint j = 0; j < t->rows->len; j++) {
          const CkptRow *row = &g_array_index(t->rows, CkptRow, j);
          jsonl_head(out, "row", rep);
          g_string_append(out, ",\"plugin\":");
          ckpt_json_string(out, pr->name, -1);
          g_string_append(out, ",\"table\":");
          ckpt_json_string(out, t->decl->name, -1);
          g_string_append_printf(out, ",\"depth\":%u,\"values\":", row->depth);
          json_row_fields(out, t, row);
          g_string_append(out, "}}\n");
        }
      }
      jsonl_head(out, "plugin", rep);
      g_string_append(out, ",\"plugin\":");
      ckpt_json_string(out, pr->name, -1);
      g_string_append(out, ",\"status\":");
      ckpt_json_string(out, ckpt_outcome_name(pr->outcome), -1);
      g_string_append(out, ",\"messages\":");
      json_strings(out, pr->messages);
      g_string_append(out, "}\n");
    }
    jsonl_head(out, "checkpoint", rep);
    g_string_append(out, ",\"name\":");
    ckpt_json_string(out, rep->label, -1);
    g_string_append(out, ",\"status\":");
    ckpt_json_string(out, ckpt_report_status_name(rep), -1);
    g_string_append(out, ",\"errors\":");
    json_strings(out, rep->errors);
    g_string_append(out, ",\"warnings\":");
    json_strings(out, rep->warnings);
    g_string_append(out, "}\n");
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

/* cells: char*, n_columns per row, header first */
static void
draw_grid(GString *out, GPtrArray *cells, size_t n_columns)
{
  if (n_columns == 0)
    return;
  g_autofree size_t *width = g_new0(size_t, n_columns);
  for (guint i = 0; i < cells->len; i++)
    width[i % n_columns] =
        MAX(width[i % n_columns], text_width(g_ptr_array_index(cells, i)));
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

static void
table_rows(GPtrArray *cells, const CkptResult *t, gboolean utc)
{
  unsigned prev = 0;
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    /* as in trees: a row is at most one level below the one before */
    unsigned d = MIN(row->depth, i ? prev + 1 : 0);
    prev = d;
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
}

static void
table_record(GString *out, const CkptResult *t, gboolean utc)
{
  size_t w = 0;
  for (size_t c = 0; c < t->n_columns; c++) {
    g_autofree char *k = column_title(&t->decl->columns[c]);
    if (!(col_flags(t, c) & CKPT_COL_HIDDEN))
      w = MAX(w, text_width(k));
  }
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    if (i)
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
    g_string_append(out, "# ");
    ckpt_text_escape(out, rep->label, -1);
    if (g_strcmp0(rep->label, rep->path) != 0) {
      g_string_append(out, " (");
      ckpt_text_escape(out, rep->path, -1);
      g_string_append_c(out, ')');
    }
    g_string_append_c(out, '\n');
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
      if (!wanted(opt, pr->name, NULL))
        continue;
      for (size_t i = 0; i < pr->n_tables; i++) {
        const CkptResult *t = &pr->tables[i];
        if (!wanted(opt, pr->name, t->decl->name) || t->rows->len == 0)
          continue;
        g_string_append(out, "\n## ");
        ckpt_text_escape(out, t->decl->title ? t->decl->title : t->decl->name,
                         -1);
        g_string_append_c(out, '\n');
        table_one(out, t, opt->utc);
      }
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

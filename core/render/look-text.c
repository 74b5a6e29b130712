/* look-text.c - the text branches of checkpointctl's inspect look that no
 * plugin table holds as such: the CRIU dump statistics as checkpointctl's
 * lines (its durations), and the "Metadata" branch with the pod, the
 * Kubernetes namespace and the annotations, JSON ones drawn as branches.
 * Composed from the container plugin's rows into text tables of an arena.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "render/look.h"
#include "util/json.h"

/* Annotation values holding JSON are parsed at most this deep; deeper
 * ones are not shown at all. */
#define CKPT_ANNOTATION_JSON_DEPTH 64

void
ckpt_look_arena_init(Arena *a)
{
  a->blocks = g_ptr_array_new_with_free_func(g_free);
  a->arrays = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
  a->parrays =
      g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  a->text = g_string_chunk_new(1024);
  a->empty = g_array_new(FALSE, FALSE, sizeof(CkptRow));
}

void
ckpt_look_arena_release(Arena *a)
{
  g_ptr_array_unref(a->blocks);
  g_ptr_array_unref(a->arrays);
  g_ptr_array_unref(a->parrays);
  g_string_chunk_free(a->text);
  g_array_unref(a->empty);
}

/* A new, empty array of CkptRow the arena owns: freed with it. */
static GArray *
arena_rows(Arena *a)
{
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(CkptRow));
  g_ptr_array_add(a->arrays, rows);
  return rows;
}

gpointer
ckpt_look_arena_alloc(Arena *a, size_t n, size_t size)
{
  gpointer p = g_malloc0_n(n ? n : 1, size);
  g_ptr_array_add(a->blocks, p);
  return p;
}

/* ---- text tables composed here: checkpointctl's stats and metadata ---- */

static const CkptColumn text_columns[] = {{"text", CKPT_T_STR, "Text"}, {NULL}};
const CkptTable ckpt_look_dump_stats_decl = {
    "dump_stats", "CRIU dump statistics", CKPT_LAYOUT_TABLE, text_columns};
const CkptTable ckpt_look_metadata_decl = {"metadata", "Metadata",
                                           CKPT_LAYOUT_TREE, text_columns};

/* A text table's rows: each line is a depth and a string. */
static void
text_row(Arena *a, GArray *rows, unsigned depth, const char *text)
{
  CkptValue *v = ckpt_look_arena_alloc(a, 1, sizeof(CkptValue));
  *v = CKPT_STR(g_string_chunk_insert(a->text, text));
  CkptRow row = {depth, v};
  g_array_append_val(rows, row);
}

/* checkpointctl's durations, from microseconds: "460 µs", "1.141 ms",
 * "2.5 s" (five significant digits, trailing zeros dropped). Only zeros
 * after a decimal point are dropped: checkpointctl 1.3.0 turns 100 ms
 * into "1 ms". */
static char *
format_duration(uint64_t us)
{
  if (us < 1000)
    return g_strdup_printf("%" G_GUINT64_FORMAT " µs", us);
  gboolean ms = us < 1000000;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof(buf), "%.5g",
                  ms ? (double)us / 1e3 : (double)us / 1e6);
  if (strchr(buf, '.') && !strchr(buf, 'e')) {
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
      buf[--n] = '\0';
  }
  return g_strdup_printf("%s %s", buf, ms ? "ms" : "s");
}

static uint64_t
uint_cell(const CkptResult *t, const CkptRow *row, const char *name)
{
  const CkptValue *v = ckpt_row_cell(t, row, name);
  return v && (v->type == CKPT_T_UINT || v->type == CKPT_T_SIZE) ? v->v.u : 0;
}

/* "CRIU dump statistics" as checkpointctl's lines */
GArray *
ckpt_look_compose_stats(Arena *a, const CkptRowStore *st)
{
  GArray *rows = arena_rows(a);
  const CkptResult *t = ckpt_row_store_table(st, "container", "stats");
  const CkptRow *r = ckpt_first_row(t);
  if (r == NULL)
    return rows;
  static const char *const times[][2] = {{"freezing_time_us", "Freezing time"},
                                         {"frozen_time_us", "Frozen time"},
                                         {"memdump_time_us", "Memdump time"},
                                         {"memwrite_time_us", "Memwrite time"}};
  for (size_t i = 0; i < G_N_ELEMENTS(times); i++) {
    g_autofree char *d = format_duration(uint_cell(t, r, times[i][0]));
    g_autofree char *line = g_strdup_printf("%s: %s", times[i][1], d);
    text_row(a, rows, 0, line);
  }
  g_autofree char *scanned = g_strdup_printf(
      "Pages scanned: %" G_GUINT64_FORMAT, uint_cell(t, r, "pages_scanned"));
  g_autofree char *written = g_strdup_printf(
      "Pages written: %" G_GUINT64_FORMAT, uint_cell(t, r, "pages_written"));
  text_row(a, rows, 0, scanned);
  text_row(a, rows, 0, written);
  return rows;
}

static int
cmp_rows_by_key(gconstpointer x, gconstpointer y, gpointer table)
{
  const CkptResult *t = table;
  const char *a = ckpt_cell_str(t, *(const CkptRow *const *)x, "key");
  const char *b = ckpt_cell_str(t, *(const CkptRow *const *)y, "key");
  return g_strcmp0(a, b);
}

/* Annotations that hold JSON, which checkpointctl draws as branches */
static gboolean
json_annotation(const char *key)
{
  static const char *const keys[] = {
      "io.kubernetes.cri-o.Labels", "io.kubernetes.cri-o.Annotations",
      "io.kubernetes.cri-o.Metadata",
      "kubectl.kubernetes.io/last-applied-configuration", NULL};
  return g_strv_contains(keys, key);
}

typedef struct {
  JsonNode *node;
  char *name; /* "key" of an object member, "[i]" of an array element */
  unsigned depth;
} JsonItem;

/* Text of a scalar as Go's %v prints it */
static char *
json_scalar_text(JsonNode *n)
{
  if (JSON_NODE_HOLDS_NULL(n))
    return g_strdup("<nil>");
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_STRING)
    return g_strdup(json_node_get_string(n));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup(json_node_get_boolean(n) ? "true" : "false");
  if (t == G_TYPE_INT64)
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup(
      g_ascii_formatd(buf, sizeof(buf), "%g", json_node_get_double(n)));
}

/* An annotation's JSON value as lines under its key: "name: value" for
 * scalars, "name:" with the members under it for objects and arrays.
 * Walked with an explicit stack, at most 16 levels and 4096 lines deep
 * into a document the checkpoint wrote. */
static void
compose_json_lines(Arena *a, GArray *rows, JsonNode *root, unsigned depth)
{
  g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(JsonItem));
  JsonItem top = {root, NULL, depth - 1};
  g_array_append_val(stack, top);
  unsigned lines = 0;
  while (stack->len > 0 && lines < 4096) {
    JsonItem it = g_array_index(stack, JsonItem, stack->len - 1);
    g_array_set_size(stack, stack->len - 1);
    g_autofree char *name = it.name;
    gboolean container =
        JSON_NODE_HOLDS_OBJECT(it.node) || JSON_NODE_HOLDS_ARRAY(it.node);
    if (name) {
      g_autofree char *v = container ? NULL : json_scalar_text(it.node);
      g_autofree char *line =
          g_strdup_printf("%s:%s%s", name, container ? "" : " ", v ? v : "");
      text_row(a, rows, it.depth, line);
      lines++;
    }
    if (!container || it.depth >= depth + 16)
      continue;
    /* children pushed last first, so they pop in order */
    if (JSON_NODE_HOLDS_OBJECT(it.node)) {
      JsonObject *o = json_node_get_object(it.node);
      GList *m = json_object_get_members(o);
      m = g_list_sort(m, (GCompareFunc)strcmp);
      for (GList *l = g_list_last(m); l; l = l->prev) {
        JsonItem c = {json_object_get_member(o, l->data), g_strdup(l->data),
                      it.depth + 1};
        g_array_append_val(stack, c);
      }
      g_list_free(m);
    } else {
      JsonArray *arr = json_node_get_array(it.node);
      for (guint i = json_array_get_length(arr); i > 0; i--) {
        JsonItem c = {json_array_get_element(arr, i - 1),
                      g_strdup_printf("[%u]", i - 1), it.depth + 1};
        g_array_append_val(stack, c);
      }
    }
  }
  for (guint i = 0; i < stack->len; i++)
    g_free(g_array_index(stack, JsonItem, i).name);
}

/* One annotation under "Annotations": JSON ones as branches (as
 * checkpointctl; left out when they do not parse, as it does), others as
 * "key: value" */
static void
compose_annotation(Arena *a, GArray *rows, const char *k, const char *v)
{
  if (json_annotation(k)) {
    /* The checkpoint wrote this text: json.c's parser, bounded in depth
     * and strict as Go's encoding/json, not json-glib's, which recurses
     * per level and overflows the stack on deep nesting. */
    g_autoptr(JsonNode) root = ckpt_json_parse(
        (const uint8_t *)v, strlen(v), CKPT_ANNOTATION_JSON_DEPTH, NULL, NULL);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
      return;
    text_row(a, rows, 1, k);
    compose_json_lines(a, rows, root, 2);
    return;
  }
  g_autofree char *line = g_strdup_printf("%s: %s", k, v);
  text_row(a, rows, 1, line);
}

/* checkpointctl's "Metadata" branch: pod name, Kubernetes namespace and
 * the spec's annotations, sorted by key (checkpointctl's order is Go's
 * map order, which varies from run to run) */
GArray *
ckpt_look_compose_metadata(Arena *a, const CkptRowStore *st)
{
  GArray *rows = arena_rows(a);
  const CkptResult *info = ckpt_row_store_table(st, "container", "info");
  const CkptRow *ir = ckpt_first_row(info);
  const char *pod = ir ? ckpt_cell_str(info, ir, "pod") : NULL;
  const char *ns = ir ? ckpt_cell_str(info, ir, "namespace") : NULL;
  const CkptResult *ann = ckpt_row_store_table(st, "container", "annotations");
  gboolean any_ann = ann && ann->rows->len > 0;
  if (!(pod && *pod) && !(ns && *ns) && !any_ann)
    return rows;
  if (pod && *pod) {
    g_autofree char *line = g_strdup_printf("Pod name: %s", pod);
    text_row(a, rows, 0, line);
  }
  if (ns && *ns) {
    g_autofree char *line = g_strdup_printf("Kubernetes namespace: %s", ns);
    text_row(a, rows, 0, line);
  }
  if (!any_ann)
    return rows;
  text_row(a, rows, 0, "Annotations");
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  for (guint i = 0; i < ann->rows->len; i++)
    g_ptr_array_add(sorted, &g_array_index(ann->rows, CkptRow, i));
  g_ptr_array_sort_with_data(sorted, cmp_rows_by_key, (gpointer)ann);
  for (guint i = 0; i < sorted->len; i++) {
    const CkptRow *r = g_ptr_array_index(sorted, i);
    const char *k = ckpt_cell_str(ann, r, "key");
    const char *v = ckpt_cell_str(ann, r, "value");
    compose_annotation(a, rows, k ? k : "", v ? v : "");
  }
  return rows;
}

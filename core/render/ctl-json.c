/* ctl-json.c - checkpointctl's JSON look: `ckpt inspect --format json`
 * writes what `checkpointctl inspect --format json` writes, built from the
 * plugins' rows: an array with one object per checkpoint, checkpointctl's
 * keys where the data is the same, and ckpt's extras beside them
 * (docs/json.md). Drawn for the "checkpointctl" look (render.h); values
 * are written by text.c's JSON writer, as in every other JSON document,
 * laid out as json-glib's pretty printer lays out a document (the look's
 * first writer), and a NULL cell is a member left out (Go's omitempty).
 */
#include <string.h>

#include "render/renderer.h"

/* A pretty-printed document being written: two spaces an open level,
 * "key" : value, an empty array "[]" and an empty object blanks for as
 * many levels as enclose it ("{  }" one level down). */
typedef struct {
  GString *out;
  GArray *open;    /* guint: members written so far, per open level */
  const char *key; /* of the next value, in an object */
} Pj;

static void
pj_indent(Pj *b)
{
  for (guint i = 0; i < b->open->len; i++)
    g_string_append(b->out, "  ");
}

/* What comes before a value: the separator, the indent and its key. */
static void
pj_prefix(Pj *b)
{
  if (b->open->len == 0)
    return;
  guint *n = &g_array_index(b->open, guint, b->open->len - 1);
  g_string_append(b->out, *n ? ",\n" : "\n");
  (*n)++;
  pj_indent(b);
  if (b->key) {
    ckpt_json_string(b->out, b->key, -1);
    g_string_append(b->out, " : ");
    b->key = NULL;
  }
}

static void
pj_key(Pj *b, const char *key)
{
  b->key = key;
}

static void
pj_open(Pj *b, char c)
{
  pj_prefix(b);
  g_string_append_c(b->out, c);
  guint zero = 0;
  g_array_append_val(b->open, zero);
}

static void
pj_close(Pj *b, char c)
{
  guint n = g_array_index(b->open, guint, b->open->len - 1);
  g_array_set_size(b->open, b->open->len - 1);
  if (n == 0) {
    /* json-glib fills an empty object with its members' indent */
    if (c == '}')
      pj_indent(b);
    g_string_append_c(b->out, c);
    return;
  }
  g_string_append_c(b->out, '\n');
  pj_indent(b);
  g_string_append_c(b->out, c);
}

static void
pj_str(Pj *b, const char *s)
{
  pj_prefix(b);
  ckpt_json_string(b->out, s, -1);
}

static void
pj_int(Pj *b, gint64 v)
{
  pj_prefix(b);
  g_string_append_printf(b->out, "%" G_GINT64_FORMAT, v);
}

/* What one checkpoint's object is built from. */
typedef struct {
  const CkptReport *r;
  const CkptRowStore *st;
  const CkptRenderOptions *opt;
} Ctl;

static gboolean
shown(const CkptRenderOptions *opt, const char *part)
{
  return ckpt_render_shows(opt, part);
}

/* A cell as JSON, typed as in docs/json.md; NULL cells are left out. */
static void
json_cell(Pj *b, const char *key, const CkptValue *v)
{
  if (v == NULL || v->type == CKPT_T_NULL)
    return;
  pj_key(b, key);
  pj_prefix(b);
  ckpt_json_value(b->out, v);
}

static void
json_member(Pj *b, const CkptResult *t, const CkptRow *row, const char *column,
            const char *key)
{
  if (t && row)
    json_cell(b, key ? key : column, ckpt_row_cell(t, row, column));
}

/* Every column of a row under its own name, except those listed. */
static void
json_rest(Pj *b, const CkptResult *t, const CkptRow *row,
          const char *const *except)
{
  for (size_t c = 0; c < t->n_columns; c++) {
    const char *name = t->decl->columns[c].name;
    if (except && g_strv_contains(except, name))
      continue;
    json_cell(b, name, &row->values[c]);
  }
}

/* checkpointctl's "metadata": {"pod_name", "kubernetes_namespace",
 * "annotations": {key: value}}, empty members left out */
static void
json_metadata(Pj *b, const Ctl *rep)
{
  const CkptResult *info = ckpt_row_store_table(rep->st, "container", "info");
  const CkptRow *ir = ckpt_first_row(info);
  const char *pod = ir ? ckpt_cell_str(info, ir, "pod") : NULL;
  const char *ns = ir ? ckpt_cell_str(info, ir, "namespace") : NULL;
  const CkptResult *ann =
      ckpt_row_store_table(rep->st, "container", "annotations");
  pj_key(b, "metadata");
  pj_open(b, '{');
  if (pod && *pod) {
    pj_key(b, "pod_name");
    pj_str(b, pod);
  }
  if (ns && *ns) {
    pj_key(b, "kubernetes_namespace");
    pj_str(b, ns);
  }
  if (ann && ann->rows->len) {
    pj_key(b, "annotations");
    pj_open(b, '{');
    for (guint i = 0; i < ann->rows->len; i++) {
      const CkptRow *r = &g_array_index(ann->rows, CkptRow, i);
      const char *k = ckpt_cell_str(ann, r, "key");
      if (k)
        json_cell(b, k, ckpt_row_cell(ann, r, "value"));
    }
    pj_close(b, '}');
  }
  pj_close(b, '}');
}

static void
json_header(Pj *b, const Ctl *rep)
{
  const CkptResult *info = ckpt_row_store_table(rep->st, "container", "info");
  const CkptResult *show = ckpt_row_store_table(rep->st, "container", "show");
  const CkptResult *sizes = ckpt_row_store_table(rep->st, "container", "sizes");
  const CkptRow *ir = ckpt_first_row(info), *sr = ckpt_first_row(show),
                *zr = ckpt_first_row(sizes);
  pj_key(b, "container_name");
  pj_str(b, rep->r->label);
  json_member(b, info, ir, "image", NULL);
  json_member(b, info, ir, "id", NULL);
  json_member(b, info, ir, "runtime", NULL);
  json_member(b, info, ir, "created", NULL);
  json_member(b, info, ir, "checkpointed", NULL);
  json_member(b, info, ir, "engine", NULL);
  json_member(b, show, sr, "ip", NULL);
  /* chain of custody (not in checkpointctl's output): what was analysed */
  if (rep->r->sha256) {
    pj_key(b, "sha256");
    pj_str(b, rep->r->sha256);
    pj_key(b, "sha256_of");
    pj_str(b, rep->r->sha256_of);
  }
  if (zr) {
    pj_key(b, "checkpoint_size");
    pj_open(b, '{');
    json_member(b, sizes, zr, "checkpoint_size", "total_size");
    json_member(b, sizes, zr, "memory_pages_size", NULL);
    json_member(b, sizes, zr, "rootfs_diff_size", "root_fs_diff_size");
    json_member(b, sizes, zr, "archive_size", NULL);
    pj_close(b, '}');
  }
  const CkptResult *stats = ckpt_row_store_table(rep->st, "container", "stats");
  const CkptRow *st = shown(rep->opt, "stats") ? ckpt_first_row(stats) : NULL;
  if (st) {
    static const char *const names[][2] = {
        {"freezing_time_us", "freezing_time"},
        {"frozen_time_us", "frozen_time"},
        {"memdump_time_us", "memdump_time"},
        {"memwrite_time_us", "memwrite_time"},
        {"pages_scanned", NULL},
        {"pages_skipped_parent", NULL},
        {"pages_written", NULL},
        {"pages_lazy", NULL}};
    pj_key(b, "statistics");
    pj_open(b, '{');
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
      json_member(b, stats, st, names[i][0], names[i][1]);
    pj_close(b, '}');
  }
  if (shown(rep->opt, "metadata"))
    json_metadata(b, rep);
}

/* A table's rows grouped by their pid cell: pid -> GArray of row indices
 * in row order, rows without a pid under -1; pids (if not NULL) gets each
 * pid once in order of first appearance. Built once per table, so a
 * process's rows cost their own number, not a scan of every row (10,000
 * processes made that 10,000 scans of every environment row). */
static gint64
row_pid(const CkptResult *t, const CkptRow *row)
{
  const CkptValue *p = ckpt_row_cell(t, row, "pid");
  return p && p->type == CKPT_T_UINT ? (gint64)p->v.u : -1;
}

static GHashTable *
by_pid_new(const CkptResult *t, GArray *pids)
{
  GHashTable *h = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify)g_array_unref);
  for (guint i = 0; t && i < t->rows->len; i++) {
    gint64 pid = row_pid(t, &g_array_index(t->rows, CkptRow, i));
    GArray *rows = g_hash_table_lookup(h, &pid);
    if (rows == NULL) {
      rows = g_array_new(FALSE, FALSE, sizeof(guint));
      g_hash_table_insert(h, g_memdup2(&pid, sizeof(pid)), rows);
      if (pids)
        g_array_append_val(pids, pid);
    }
    g_array_append_val(rows, i);
  }
  return h;
}

/* The rows of pid in a by_pid_new() index (NULL: none). */
static const GArray *
rows_of(GHashTable *index, const CkptValue *pid)
{
  if (index == NULL || pid == NULL || pid->type != CKPT_T_UINT)
    return NULL;
  gint64 key = (gint64)pid->v.u;
  return g_hash_table_lookup(index, &key);
}

/* The environment rows of one pid as checkpointctl's name -> value map. */
static void
json_environment(Pj *b, const CkptResult *env, const GArray *rows)
{
  gboolean open = FALSE;
  for (guint i = 0; rows && i < rows->len; i++) {
    const CkptRow *r =
        &g_array_index(env->rows, CkptRow, g_array_index(rows, guint, i));
    const char *name = ckpt_cell_str(env, r, "name");
    if (!name)
      continue;
    if (!open) {
      pj_key(b, "environment_variables");
      pj_open(b, '{');
      open = TRUE;
    }
    const char *value = ckpt_cell_str(env, r, "value");
    pj_key(b, name);
    pj_str(b, value ? value : "");
  }
  if (open)
    pj_close(b, '}');
}

/* ckpt's extra: the threads of one pid, [{"tid", "comm", "ip", "sp"}] */
static void
json_threads(Pj *b, const CkptResult *threads, const GArray *rows,
             const CkptValue *pid)
{
  static const char *const except[] = {"pid", NULL};
  if (threads == NULL || pid == NULL || pid->type != CKPT_T_UINT)
    return;
  pj_key(b, "threads_list");
  pj_open(b, '[');
  for (guint i = 0; rows && i < rows->len; i++) {
    const CkptRow *r =
        &g_array_index(threads->rows, CkptRow, g_array_index(rows, guint, i));
    pj_open(b, '{');
    json_rest(b, threads, r, except);
    pj_close(b, '}');
  }
  pj_close(b, ']');
}

/* ckpt's extras: a table's rows as an array of objects under key, or a
 * RECORD's first row as one object */
static void
json_table(Pj *b, const char *key, const CkptResult *t)
{
  if (t == NULL || t->rows->len == 0)
    return;
  gboolean record = t->decl->layout == CKPT_LAYOUT_RECORD;
  pj_key(b, key);
  if (!record)
    pj_open(b, '[');
  for (guint i = 0; i < (record ? 1 : t->rows->len); i++) {
    pj_open(b, '{');
    json_rest(b, t, &g_array_index(t->rows, CkptRow, i), NULL);
    pj_close(b, '}');
  }
  if (!record)
    pj_close(b, ']');
}

/* The process tree as nested objects: checkpointctl's process_tree is the
 * first root; every root is in ckpt's process_trees. Nesting follows the
 * rows' depths without recursion, as in json.c. */
static void
json_processes(Pj *b, const Ctl *rep)
{
  const CkptResult *t = ckpt_row_store_table(rep->st, "pstree", "processes");
  const CkptResult *env =
      ckpt_row_store_table(rep->st, "pstree", "environment");
  const CkptResult *threads =
      ckpt_row_store_table(rep->st, "pstree", "threads");
  if (t == NULL || t->rows->len == 0)
    return;
  /* checkpointctl writes cmdline only for --ps-tree-cmd; the
   * environment's source goes with the environment (--ps-tree-env) */
  const char *except[6] = {"pid", "command"};
  size_t n_except = 2;
  if (!shown(rep->opt, "cmd"))
    except[n_except++] = "cmdline";
  if (!shown(rep->opt, "env")) {
    except[n_except++] = "env_source";
    except[n_except++] = "env_array";
  }
  g_autoptr(GHashTable) env_rows = env ? by_pid_new(env, NULL) : NULL;
  g_autoptr(GHashTable) thread_rows =
      threads ? by_pid_new(threads, NULL) : NULL;
  for (int pass = 0; pass < 2; pass++) {
    pj_key(b, pass ? "process_trees" : "process_tree");
    if (pass)
      pj_open(b, '[');
    int cur = -1;
    for (guint i = 0; i < t->rows->len; i++) {
      const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
      int d = MIN((int)row->depth, cur + 1);
      if (pass == 0 && d == 0 && cur >= 0)
        break; /* the first root only */
      if (cur >= 0 && d == cur + 1) {
        pj_key(b, "children");
        pj_open(b, '[');
      } else if (cur >= 0) {
        pj_close(b, '}');
        for (int k = cur; k > d; k--) {
          pj_close(b, ']');
          pj_close(b, '}');
        }
      }
      pj_open(b, '{');
      json_member(b, t, row, "pid", NULL);
      json_member(b, t, row, "command", NULL);
      json_rest(b, t, row, except);
      const CkptValue *pid = ckpt_row_cell(t, row, "pid");
      json_environment(b, env, rows_of(env_rows, pid));
      json_threads(b, threads, rows_of(thread_rows, pid), pid);
      cur = d;
    }
    if (cur >= 0) {
      pj_close(b, '}');
      for (int k = cur; k > 0; k--) {
        pj_close(b, ']');
        pj_close(b, '}');
      }
    }
    if (pass)
      pj_close(b, ']');
  }
}

typedef void (*JsonItemFunc)(Pj *b, const CkptResult *t, const CkptRow *row);

/* Rows grouped by pid in order of first appearance: checkpointctl's
 * [{"pid": N, LIST: [...]}]; rows without a pid go in a group without
 * one. */
static void
json_by_pid(Pj *b, const CkptResult *t, const char *key, const char *list,
            JsonItemFunc item)
{
  if (t == NULL)
    return;
  g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GHashTable) index = by_pid_new(t, pids);
  pj_key(b, key);
  pj_open(b, '[');
  for (guint k = 0; k < pids->len; k++) {
    gint64 pid = g_array_index(pids, gint64, k);
    pj_open(b, '{');
    if (pid >= 0) {
      pj_key(b, "pid");
      pj_int(b, pid);
    }
    pj_key(b, list);
    pj_open(b, '[');
    const GArray *rows = g_hash_table_lookup(index, &pid);
    for (guint i = 0; i < rows->len; i++)
      item(b, t,
           &g_array_index(t->rows, CkptRow, g_array_index(rows, guint, i)));
    pj_close(b, ']');
    pj_close(b, '}');
  }
  pj_close(b, ']');
}

/* {"type": "REG", "fd": "REG 0", "path": ...} and ckpt's extras */
static void
json_file(Pj *b, const CkptResult *t, const CkptRow *row)
{
  static const char *const except[] = {"pid", "type", "fd", "path", NULL};
  const char *type = ckpt_cell_str(t, row, "type");
  const char *fd = ckpt_cell_str(t, row, "fd");
  pj_open(b, '{');
  pj_key(b, "type");
  pj_str(b, type ? type : "");
  g_autofree char *label =
      type ? g_strdup_printf("%s %s", type, fd ? fd : "") : g_strdup(fd);
  pj_key(b, "fd");
  pj_str(b, label ? label : "");
  json_member(b, t, row, "path", NULL);
  json_rest(b, t, row, except);
  pj_close(b, '}');
}

/* {"protocol": "TCP", "data": {"type", "state", "src", ...}} */
static void
json_socket(Pj *b, const CkptResult *t, const CkptRow *row)
{
  static const char *const except[] = {"pid", "protocol", "type", NULL};
  const char *proto = ckpt_cell_str(t, row, "protocol");
  pj_open(b, '{');
  json_member(b, t, row, "protocol", NULL);
  pj_key(b, "data");
  pj_open(b, '{');
  /* checkpointctl's data.type is the protocol for inet sockets and
   * "UNIX" for unix ones; the socket type is ckpt's sock_type */
  if (proto) {
    pj_key(b, "type");
    pj_str(b, proto);
  }
  json_member(b, t, row, "type", "sock_type");
  json_rest(b, t, row, except);
  pj_close(b, '}');
  pj_close(b, '}');
}

static void
json_mounts(Pj *b, const Ctl *rep)
{
  const CkptResult *t = ckpt_row_store_table(rep->st, "mounts", "mounts");
  if (t == NULL)
    return;
  pj_key(b, "mounts");
  pj_open(b, '[');
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    pj_open(b, '{');
    json_rest(b, t, row, NULL);
    pj_close(b, '}');
  }
  pj_close(b, ']');
}

static void
pj_strings(Pj *b, const char *key, GPtrArray *list)
{
  pj_key(b, key);
  pj_open(b, '[');
  for (guint i = 0; i < list->len; i++)
    pj_str(b, g_ptr_array_index(list, i));
  pj_close(b, ']');
}

/* Messages of plugins that did not succeed, "plugin: message". */
static void
json_plugin_errors(Pj *b, const Ctl *rep)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < rep->r->errors->len; i++)
    g_ptr_array_add(all, g_strdup(g_ptr_array_index(rep->r->errors, i)));
  for (guint p = 0; p < rep->r->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->r->plugins, p);
    if (pr->outcome < CKPT_PLUGIN_RAN_FAILED)
      continue;
    for (guint m = 0; m < pr->messages->len; m++)
      g_ptr_array_add(all, g_strdup_printf("%s: %s", pr->name,
                                           (char *)pr->messages->pdata[m]));
    if (pr->messages->len == 0)
      g_ptr_array_add(all, g_strdup_printf("%s: %s", pr->name,
                                           ckpt_outcome_name(pr->outcome)));
  }
  pj_strings(b, "errors", all);
}

static void
json_report(Pj *b, const Ctl *rep)
{
  pj_open(b, '{');
  if (rep->r->opened) {
    json_header(b, rep);
    json_processes(b, rep);
    json_by_pid(b, ckpt_row_store_table(rep->st, "files", "files"),
                "file_descriptors", "open_files", json_file);
    json_by_pid(b, ckpt_row_store_table(rep->st, "sockets", "sockets"),
                "sockets", "open_sockets", json_socket);
    if (shown(rep->opt, "mounts"))
      json_mounts(b, rep);
    /* ckpt's extras, with the flags that show them in the tree */
    if (shown(rep->opt, "namespaces")) {
      json_table(b, "namespaces",
                 ckpt_row_store_table(rep->st, "pstree", "namespaces"));
      json_table(b, "mountinfo",
                 ckpt_row_store_table(rep->st, "mounts", "mountinfo"));
    }
    if (shown(rep->opt, "network")) {
      json_table(b, "interfaces",
                 ckpt_row_store_table(rep->st, "sockets", "interfaces"));
      json_table(b, "routes",
                 ckpt_row_store_table(rep->st, "sockets", "routes"));
    }
    json_table(b, "deleted_files",
               ckpt_row_store_table(rep->st, "container", "deleted_files"));
  }
  pj_key(b, "path");
  pj_str(b, rep->r->path);
  pj_key(b, "status");
  pj_str(b, ckpt_report_status_name(rep->r));
  json_plugin_errors(b, rep);
  pj_strings(b, "warnings", rep->r->warnings);
  pj_close(b, '}');
}

typedef struct {
  CkptRenderer base;
  CkptRowStore *store;
  CkptResult **cur; /* copies of the running plugin's tables, or NULL */
  size_t n_cur;
  Pj pj;
} CtlJson;

static void
ctl_begin(CkptRenderer *r)
{
  CtlJson *c = (CtlJson *)r;
  c->pj.out = r->buf;
  c->pj.open = g_array_new(FALSE, FALSE, sizeof(guint));
  pj_open(&c->pj, '[');
}

static void
ctl_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  (void)rep;
  CtlJson *c = (CtlJson *)r;
  c->store = ckpt_row_store_new();
}

static void
ctl_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  CtlJson *c = (CtlJson *)r;
  g_free(c->cur);
  c->cur = g_new0(CkptResult *, pr->n_tables ? pr->n_tables : 1);
  c->n_cur = pr->n_tables;
  for (size_t i = 0; i < pr->n_tables; i++)
    if (ckpt_render_wanted(&r->opt, pr->name, pr->tables[i].decl->name))
      c->cur[i] = ckpt_row_store_add_table(c->store, pr, i);
}

static void
ctl_row(CkptRenderer *r, const CkptPluginResult *pr, size_t t,
        const CkptRow *row)
{
  (void)pr;
  CtlJson *c = (CtlJson *)r;
  if (t < c->n_cur && c->cur[t])
    ckpt_row_store_add_row(c->store, c->cur[t], row);
}

static void
ctl_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  (void)pr;
  CtlJson *c = (CtlJson *)r;
  g_clear_pointer(&c->cur, g_free);
  c->n_cur = 0;
}

static void
ctl_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  CtlJson *c = (CtlJson *)r;
  Ctl ctl = {rep, c->store, &r->opt};
  json_report(&c->pj, &ctl);
  g_clear_pointer(&c->store, ckpt_row_store_free);
}

static void
ctl_end(CkptRenderer *r)
{
  CtlJson *c = (CtlJson *)r;
  pj_close(&c->pj, ']');
  g_string_append_c(r->buf, '\n');
}

static void
ctl_release(CkptRenderer *r)
{
  CtlJson *c = (CtlJson *)r;
  g_clear_pointer(&c->store, ckpt_row_store_free);
  g_free(c->cur);
  if (c->pj.open)
    g_array_unref(c->pj.open);
}

const CkptRendererClass ckpt_ctl_json_renderer = {
    .name = "checkpointctl-json",
    .size = sizeof(CtlJson),
    .begin = ctl_begin,
    .checkpoint_begin = ctl_checkpoint_begin,
    .plugin_begin = ctl_plugin_begin,
    .row = ctl_row,
    .plugin_end = ctl_plugin_end,
    .checkpoint_end = ctl_checkpoint_end,
    .end = ctl_end,
    .release = ctl_release,
};

/* diff.c - the diff plugin: what changed between two checkpoints of one
 * container (`ckpt diff A B`, or `ckpt run diff A B`).
 *
 * A multi-checkpoint plugin: the host first runs its dependencies (pstree
 * with command lines, files, sockets) over each checkpoint, then calls
 * run_multi() once; checkpoint_at() gives each side, whose rows are read
 * with result(). Rows of each table are matched by a key (pid; pid and
 * fd) and compared on a few columns, as the text the renderers show; the
 * differences are this plugin's own rows.
 */
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "ckpt/plugin.h"

enum { D_PROCESSES, D_FILES, D_SOCKETS, D_MEMORY, D_CONTAINER };

static const CkptColumn diff_process_columns[] = {
    {.name = "change",
     .type = CKPT_T_STR,
     .title = "CHANGE",
     .help = "added, removed or changed"},
    {.name = "pid", .type = CKPT_T_UINT, .title = "PID", .help = "process id"},
    {.name = "command",
     .type = CKPT_T_STR,
     .title = "COMMAND",
     .help = "process name"},
    {.name = "field",
     .type = CKPT_T_STR,
     .title = "FIELD",
     .help = "what changed: command, cmdline, task_state or threads"},
    {.name = "before",
     .type = CKPT_T_STR,
     .title = "BEFORE",
     .help = "value in the first checkpoint"},
    {.name = "after",
     .type = CKPT_T_STR,
     .title = "AFTER",
     .help = "value in the second checkpoint"},
    {.name = NULL},
};

static const CkptColumn diff_file_columns[] = {
    {.name = "change",
     .type = CKPT_T_STR,
     .title = "CHANGE",
     .help = "added, removed or changed"},
    {.name = "pid",
     .type = CKPT_T_UINT,
     .title = "PID",
     .help = "process holding it"},
    {.name = "fd",
     .type = CKPT_T_STR,
     .title = "FD",
     .help = "descriptor number"},
    {.name = "before",
     .type = CKPT_T_STR,
     .title = "BEFORE",
     .help = "what it was in the first checkpoint"},
    {.name = "after",
     .type = CKPT_T_STR,
     .title = "AFTER",
     .help = "what it is in the second"},
    {.name = NULL},
};

static const CkptColumn diff_memory_columns[] = {
    {.name = "pid",
     .type = CKPT_T_UINT,
     .title = "PID",
     .help = "process id; empty for the total"},
    {.name = "command",
     .type = CKPT_T_STR,
     .title = "COMMAND",
     .help = "process name, or total"},
    {.name = "before",
     .type = CKPT_T_SIZE,
     .title = "BEFORE",
     .help = "memory in the first checkpoint"},
    {.name = "after",
     .type = CKPT_T_SIZE,
     .title = "AFTER",
     .help = "memory in the second"},
    {.name = "delta",
     .type = CKPT_T_INT,
     .title = "DELTA (BYTES)",
     .help = "after minus before, in bytes"},
    {.name = NULL},
};

static const CkptColumn diff_container_columns[] = {
    {.name = "same_container",
     .type = CKPT_T_BOOL,
     .title = "SAME CONTAINER",
     .help = "true when both checkpoints are of one container (same id, "
             "or same name when an id is missing); null when neither "
             "says"},
    {.name = "before",
     .type = CKPT_T_STR,
     .title = "BEFORE",
     .help = "the first checkpoint's container: name and id"},
    {.name = "after",
     .type = CKPT_T_STR,
     .title = "AFTER",
     .help = "the second checkpoint's container: name and id"},
    {.name = NULL},
};

static const CkptTable diff_tables[] = {
    [D_PROCESSES] = {.name = "processes",
                     .title = "Processes",
                     .layout = CKPT_LAYOUT_TABLE,
                     .columns = diff_process_columns},
    [D_FILES] = {.name = "files",
                 .title = "Open files",
                 .layout = CKPT_LAYOUT_TABLE,
                 .columns = diff_file_columns},
    [D_SOCKETS] = {.name = "sockets",
                   .title = "Sockets",
                   .layout = CKPT_LAYOUT_TABLE,
                   .columns = diff_file_columns},
    [D_MEMORY] = {.name = "memory",
                  .title = "Memory size",
                  .layout = CKPT_LAYOUT_TABLE,
                  .columns = diff_memory_columns},
    /* appended, so the table numbers above stay */
    [D_CONTAINER] = {.name = "container",
                     .title = "Container",
                     .layout = CKPT_LAYOUT_RECORD,
                     .columns = diff_container_columns},
    {.name = NULL},
};

static const CkptOption diff_options[] = {{.name = NULL}};

static const char *const diff_depends[] = {"pstree", "files", "sockets", NULL};

/* ---- reading rows ------------------------------------------------------ */

/* One side's table: its rows and the api to read them with. */
typedef struct {
  const CkptApi *api;
  const CkptResult *r;
} Side;

static size_t
n_rows(const Side *t)
{
  return t->r ? t->api->result_rows(t->r) : 0;
}

static const CkptValue *
cell(const Side *t, size_t row, const char *name)
{
  static const CkptValue null_value = {.type = CKPT_T_NULL};
  int c = t->api->result_column(t->r, name);
  const CkptValue *v = c < 0 ? NULL : t->api->result_row(t->r, row, NULL);
  return v ? &v[c] : &null_value;
}

/* A cell as text, "" for a missing one; compared and shown as it is (the
 * renderer escapes it once, when it is written). The columns compared are
 * text and integers. */
static char *
cell_text(const Side *t, size_t row, const char *name)
{
  const CkptValue *v = cell(t, row, name);
  switch (v->type) {
  case CKPT_T_STR:
    return g_strdup(v->v.s ? v->v.s : "");
  case CKPT_T_INT:
  case CKPT_T_TIME:
    return g_strdup_printf("%" PRId64, v->v.i);
  case CKPT_T_UINT:
  case CKPT_T_SIZE:
    return g_strdup_printf("%" PRIu64, v->v.u);
  case CKPT_T_ADDR:
    return g_strdup_printf("0x%" PRIx64, v->v.u);
  case CKPT_T_BOOL:
    return g_strdup(v->v.i ? "true" : "false");
  default:
    return g_strdup("");
  }
}

/* key of a row: the listed columns' texts joined by '\t' */
static char *
row_key(const Side *t, size_t row, const char *const *cols)
{
  GString *k = g_string_new(NULL);
  for (size_t i = 0; cols[i]; i++) {
    g_autofree char *s = cell_text(t, row, cols[i]);
    if (i)
      g_string_append_c(k, '\t');
    g_string_append(k, s);
  }
  return g_string_free(k, FALSE);
}

/* key -> row index + 1 (0 means absent in a GHashTable); of rows with the
 * same key, the last one counts */
static GHashTable *
index_rows(const Side *t, const char *const *key_cols)
{
  GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (size_t i = 0; i < n_rows(t); i++)
    g_hash_table_insert(h, row_key(t, i, key_cols), GSIZE_TO_POINTER(i + 1));
  return h;
}

/* what one entry looks like in the before/after columns */
static char *
describe(const Side *t, size_t row, const char *const *cols)
{
  GString *s = g_string_new(NULL);
  for (size_t i = 0; cols[i]; i++) {
    g_autofree char *v = cell_text(t, row, cols[i]);
    if (v[0] == '\0')
      continue;
    if (s->len)
      g_string_append_c(s, ' ');
    g_string_append(s, v);
  }
  return g_string_free(s, FALSE);
}

/* ---- comparing --------------------------------------------------------- */

typedef struct {
  const CkptApi *api;
  CkptRun *run;
} Out;

static void
emit_fd_change(const Out *o, size_t table, const char *change, const Side *ref,
               size_t row, const char *before, const char *after)
{
  const CkptValue *pid = cell(ref, row, "pid");
  g_autofree char *fd = cell_text(ref, row, "fd");
  CkptValue v[] = {
      CKPT_STR(change),
      pid->type == CKPT_T_NULL ? CKPT_NULL : CKPT_UINT(pid->v.u),
      CKPT_STR(fd),
      CKPT_STR(before),
      CKPT_STR(after),
  };
  o->api->emit(o->run, table, 0, v, G_N_ELEMENTS(v));
}

/* Rows keyed by (pid, fd): added, removed, or changed in what describe()
 * shows. Rows come out in the order of B, then the removed ones of A. */
static void
diff_fd_table(const Out *o, size_t table, const Side *a, const Side *b,
              const char *const *shown)
{
  static const char *const key[] = {"pid", "fd", NULL};
  g_autoptr(GHashTable) ia = index_rows(a, key);
  g_autoptr(GHashTable) ib = index_rows(b, key);
  for (size_t i = 0; i < n_rows(b); i++) {
    g_autofree char *k = row_key(b, i, key);
    size_t ra = GPOINTER_TO_SIZE(g_hash_table_lookup(ia, k));
    g_autofree char *after = describe(b, i, shown);
    if (ra == 0) {
      emit_fd_change(o, table, "added", b, i, NULL, after);
      continue;
    }
    g_autofree char *before = describe(a, ra - 1, shown);
    if (strcmp(before, after) != 0)
      emit_fd_change(o, table, "changed", b, i, before, after);
  }
  for (size_t i = 0; i < n_rows(a); i++) {
    g_autofree char *k = row_key(a, i, key);
    if (g_hash_table_contains(ib, k))
      continue;
    g_autofree char *before = describe(a, i, shown);
    emit_fd_change(o, table, "removed", a, i, before, NULL);
  }
}

static void
emit_proc_change(const Out *o, const char *change, const Side *ref, size_t row,
                 const char *field, const char *before, const char *after)
{
  g_autofree char *comm = cell_text(ref, row, "command");
  CkptValue v[] = {
      CKPT_STR(change), CKPT_UINT(cell(ref, row, "pid")->v.u),
      CKPT_STR(comm),   CKPT_STR(field),
      CKPT_STR(before), CKPT_STR(after),
  };
  o->api->emit(o->run, D_PROCESSES, 0, v, G_N_ELEMENTS(v));
}

/* ref NULL: the totals row */
static void
emit_memory_change(const Out *o, const Side *ref, size_t row, uint64_t before,
                   uint64_t after)
{
  g_autofree char *comm = ref ? cell_text(ref, row, "command") : NULL;
  CkptValue v[] = {
      ref ? CKPT_UINT(cell(ref, row, "pid")->v.u) : CKPT_NULL,
      CKPT_STR(ref ? comm : "total"),
      CKPT_SIZE(before),
      CKPT_SIZE(after),
      CKPT_INT((int64_t)(after - before)),
  };
  o->api->emit(o->run, D_MEMORY, 0, v, G_N_ELEMENTS(v));
}

static uint64_t
memory_of(const Side *t, size_t row)
{
  const CkptValue *v = cell(t, row, "memory");
  return v->type == CKPT_T_NULL ? 0 : v->v.u;
}

/* Processes keyed by pid; compared on command, command line, state and
 * thread count; memory sizes of processes in both are compared separately,
 * and a last row gives the totals. */
static void
diff_processes(const Out *o, const Side *a, const Side *b)
{
  static const char *const key[] = {"pid", NULL};
  static const char *const fields[] = {"command", "cmdline", "task_state",
                                       "threads", NULL};
  g_autoptr(GHashTable) ia = index_rows(a, key);
  g_autoptr(GHashTable) ib = index_rows(b, key);
  uint64_t total_a = 0, total_b = 0;
  for (size_t i = 0; i < n_rows(a); i++)
    total_a += memory_of(a, i);
  for (size_t i = 0; i < n_rows(b); i++)
    total_b += memory_of(b, i);
  for (size_t i = 0; i < n_rows(b); i++) {
    g_autofree char *k = row_key(b, i, key);
    size_t ra = GPOINTER_TO_SIZE(g_hash_table_lookup(ia, k));
    if (ra == 0) {
      g_autofree char *cmd = cell_text(b, i, "cmdline");
      emit_proc_change(o, "added", b, i, NULL, NULL, cmd);
      continue;
    }
    for (size_t f = 0; fields[f]; f++) {
      g_autofree char *before = cell_text(a, ra - 1, fields[f]);
      g_autofree char *after = cell_text(b, i, fields[f]);
      if (strcmp(before, after) != 0)
        emit_proc_change(o, "changed", b, i, fields[f], before, after);
    }
    uint64_t mb = memory_of(a, ra - 1), ma = memory_of(b, i);
    if (mb != ma)
      emit_memory_change(o, b, i, mb, ma);
  }
  for (size_t i = 0; i < n_rows(a); i++) {
    g_autofree char *k = row_key(a, i, key);
    if (g_hash_table_contains(ib, k))
      continue;
    g_autofree char *cmd = cell_text(a, i, "cmdline");
    emit_proc_change(o, "removed", a, i, NULL, cmd, NULL);
  }
  /* the whole dump's memory, changed or not, so the size is always shown */
  emit_memory_change(o, NULL, 0, total_a, total_b);
}

/* ---- which container ---------------------------------------------------- */

static gboolean
known(const char *s)
{
  return s != NULL && *s != '\0';
}

static char *
container_label(const CkptContainerInfo *ci)
{
  if (!known(ci->name) && !known(ci->id))
    return g_strdup("(no container metadata)");
  if (!known(ci->id))
    return g_strdup(ci->name);
  if (!known(ci->name))
    return g_strdup(ci->id);
  return g_strdup_printf("%s (%.12s)", ci->name, ci->id);
}

/* Two checkpoints of different containers are compared all the same (a
 * rebuilt container, a suspect against a known-good one), but the result
 * says so: by id when both have one, else by name, else it cannot tell. */
static void
diff_container(const Out *o, CkptRun *a, CkptRun *b)
{
  const CkptContainerInfo *ca = o->api->container(a);
  const CkptContainerInfo *cb = o->api->container(b);
  CkptValue same = CKPT_NULL;
  if (known(ca->id) && known(cb->id))
    same = CKPT_BOOL(strcmp(ca->id, cb->id) == 0);
  else if (known(ca->name) && known(cb->name))
    same = CKPT_BOOL(strcmp(ca->name, cb->name) == 0);
  g_autofree char *before = container_label(ca);
  g_autofree char *after = container_label(cb);
  CkptValue v[] = {same, CKPT_STR(before), CKPT_STR(after)};
  o->api->emit(o->run, D_CONTAINER, 0, v, G_N_ELEMENTS(v));
  if (same.type == CKPT_T_BOOL && !same.v.i)
    o->api->log(o->run, CKPT_LOG_WARNING,
                "the checkpoints are of different containers: %s and %s",
                before, after);
}

static Side
side(const CkptApi *api, CkptRun *view, const char *plugin, const char *table)
{
  return (Side){api, api->result(view, plugin, table)};
}

static CkptStatus
diff_run_multi(const CkptApi *api, CkptRun *run)
{
  static const char *const file_shown[] = {"type", "path", NULL};
  static const char *const socket_shown[] = {"protocol", "state",   "local",
                                             "remote",   "address", NULL};
  if (api->checkpoint_count(run) != 2) {
    api->error(run, "compares two checkpoints, %zu given",
               api->checkpoint_count(run));
    return CKPT_FAILED;
  }
  CkptRun *a = api->checkpoint_at(run, 0), *b = api->checkpoint_at(run, 1);
  Out o = {api, run};
  diff_container(&o, a, b);
  Side pa = side(api, a, "pstree", "processes");
  Side pb = side(api, b, "pstree", "processes");
  diff_processes(&o, &pa, &pb);
  Side fa = side(api, a, "files", "files"), fb = side(api, b, "files", "files");
  diff_fd_table(&o, D_FILES, &fa, &fb, file_shown);
  Side sa = side(api, a, "sockets", "sockets");
  Side sb = side(api, b, "sockets", "sockets");
  diff_fd_table(&o, D_SOCKETS, &sa, &sb, socket_shown);
  return CKPT_OK;
}

CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "diff",
    .version = "0.1.0",
    .description = "differences between two checkpoints",
    .license = "Apache-2.0",
    .options = diff_options,
    .depends = diff_depends,
    .tables = diff_tables,
    .run_multi = diff_run_multi,
};

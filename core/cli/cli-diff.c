/* cli-diff.c - `ckpt diff A B`: what changed between two checkpoints of one
 * container.
 *
 * Both checkpoints go through the same chain (pstree with command lines,
 * files, sockets); the rows of each table are then matched by a key (pid;
 * pid and fd) and compared on a few columns. The differences become the
 * rows of a report of their own, declared by the static descriptor below,
 * so the host's renderers show them as tree, table or JSON like any
 * plugin's rows.
 */
#include <string.h>

#include "cli/cli.h"
#include "render/render.h"

enum { D_PROCESSES, D_FILES, D_SOCKETS, D_MEMORY };

static const CkptColumn diff_process_columns[] = {
    {"change", CKPT_T_STR, "CHANGE"},
    {"pid", CKPT_T_UINT, "PID"},
    {"command", CKPT_T_STR, "COMMAND"},
    {"field", CKPT_T_STR, "FIELD"},
    {"before", CKPT_T_STR, "BEFORE"},
    {"after", CKPT_T_STR, "AFTER"},
    {NULL},
};

static const CkptColumn diff_file_columns[] = {
    {"change", CKPT_T_STR, "CHANGE"}, {"pid", CKPT_T_UINT, "PID"},
    {"fd", CKPT_T_STR, "FD"},         {"before", CKPT_T_STR, "BEFORE"},
    {"after", CKPT_T_STR, "AFTER"},   {NULL},
};

static const CkptColumn diff_memory_columns[] = {
    {"pid", CKPT_T_UINT, "PID"},
    {"command", CKPT_T_STR, "COMMAND"},
    {"before", CKPT_T_SIZE, "BEFORE"},
    {"after", CKPT_T_SIZE, "AFTER"},
    {"delta", CKPT_T_INT, "DELTA (BYTES)"},
    {NULL},
};

static const CkptTable diff_tables[] = {
    [D_PROCESSES] = {"processes", "Processes", CKPT_LAYOUT_TABLE,
                     diff_process_columns},
    [D_FILES] = {"files", "Open files", CKPT_LAYOUT_TABLE, diff_file_columns},
    [D_SOCKETS] = {"sockets", "Sockets", CKPT_LAYOUT_TABLE, diff_file_columns},
    [D_MEMORY] = {"memory", "Memory size", CKPT_LAYOUT_TABLE,
                  diff_memory_columns},
    {NULL},
};

static const CkptOption no_options[] = {{NULL}};

static const CkptPlugin diff_desc = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "diff",
    .version = "0.1.0",
    .description = "differences between two checkpoints",
    .license = "Apache-2.0",
    .options = no_options,
    .tables = diff_tables,
};

/* ---- reading rows ------------------------------------------------------ */

static int
column_of(const CkptResult *t, const char *name)
{
  for (size_t i = 0; i < t->n_columns; i++)
    if (strcmp(t->decl->columns[i].name, name) == 0)
      return (int)i;
  return -1;
}

static const CkptValue *
cell(const CkptResult *t, guint row, const char *name)
{
  static const CkptValue null_value = {.type = CKPT_T_NULL};
  int c = column_of(t, name);
  if (c < 0)
    return &null_value;
  return &g_array_index(t->rows, CkptRow, row).values[c];
}

/* the text of a cell as the renderers show it; "" for a missing one */
static char *
cell_text(const CkptResult *t, guint row, const char *name)
{
  const CkptValue *v = cell(t, row, name);
  if (v->type == CKPT_T_NULL)
    return g_strdup("");
  return ckpt_value_text(v, TRUE);
}

/* key of a row: the listed columns' texts joined by '\t' */
static char *
row_key(const CkptResult *t, guint row, const char *const *cols)
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

/* key -> row index + 1 (0 means absent in a GHashTable) */
static GHashTable *
index_rows(const CkptResult *t, const char *const *key_cols)
{
  GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; t && i < t->rows->len; i++)
    g_hash_table_insert(h, row_key(t, i, key_cols), GUINT_TO_POINTER(i + 1));
  return h;
}

/* ---- comparing --------------------------------------------------------- */

/* what one entry looks like in the before/after columns */
static char *
describe(const CkptResult *t, guint row, const char *const *cols)
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

typedef struct {
  CkptReport *out;
  CkptPluginResult *pr;
} DiffOut;

static void
emit_fd_change(DiffOut *o, size_t table, const char *change,
               const CkptResult *ref, guint row, const char *before,
               const char *after)
{
  const CkptValue *pid = cell(ref, row, "pid");
  g_autofree char *fd = cell_text(ref, row, "fd");
  CkptValue v[] = {
      CKPT_STR(change),
      pid->type == CKPT_T_NULL ? CKPT_NULL : CKPT_UINT(pid->v.u),
      CKPT_STR(fd),
      before ? CKPT_STR(before) : CKPT_NULL,
      after ? CKPT_STR(after) : CKPT_NULL,
  };
  ckpt_report_add_row(o->out, o->pr, table, 0, v);
}

/* Rows keyed by (pid, fd): added, removed, or changed in what describe()
 * shows. Rows come out in the order of B, then the removed ones of A. */
static void
diff_fd_table(DiffOut *o, size_t table, const CkptResult *a,
              const CkptResult *b, const char *const *shown)
{
  static const char *const key[] = {"pid", "fd", NULL};
  g_autoptr(GHashTable) ia = index_rows(a, key);
  g_autoptr(GHashTable) ib = index_rows(b, key);
  for (guint i = 0; b && i < b->rows->len; i++) {
    g_autofree char *k = row_key(b, i, key);
    guint ra = GPOINTER_TO_UINT(g_hash_table_lookup(ia, k));
    g_autofree char *after = describe(b, i, shown);
    if (ra == 0) {
      emit_fd_change(o, table, "added", b, i, NULL, after);
      continue;
    }
    g_autofree char *before = describe(a, ra - 1, shown);
    if (strcmp(before, after) != 0)
      emit_fd_change(o, table, "changed", b, i, before, after);
  }
  for (guint i = 0; a && i < a->rows->len; i++) {
    g_autofree char *k = row_key(a, i, key);
    if (g_hash_table_contains(ib, k))
      continue;
    g_autofree char *before = describe(a, i, shown);
    emit_fd_change(o, table, "removed", a, i, before, NULL);
  }
}

static void
emit_proc_change(DiffOut *o, const char *change, const CkptResult *ref,
                 guint row, const char *field, const char *before,
                 const char *after)
{
  g_autofree char *comm = cell_text(ref, row, "command");
  CkptValue v[] = {
      CKPT_STR(change),
      CKPT_UINT(cell(ref, row, "pid")->v.u),
      CKPT_STR(comm),
      field ? CKPT_STR(field) : CKPT_NULL,
      before ? CKPT_STR(before) : CKPT_NULL,
      after ? CKPT_STR(after) : CKPT_NULL,
  };
  ckpt_report_add_row(o->out, o->pr, D_PROCESSES, 0, v);
}

static void
emit_memory_change(DiffOut *o, const CkptResult *ref, guint row,
                   uint64_t before, uint64_t after)
{
  g_autofree char *comm = ref ? cell_text(ref, row, "command") : NULL;
  CkptValue v[] = {
      ref ? CKPT_UINT(cell(ref, row, "pid")->v.u) : CKPT_NULL,
      CKPT_STR(ref ? comm : "total"),
      CKPT_SIZE(before),
      CKPT_SIZE(after),
      CKPT_INT((int64_t)(after - before)),
  };
  ckpt_report_add_row(o->out, o->pr, D_MEMORY, 0, v);
}

static uint64_t
memory_of(const CkptResult *t, guint row)
{
  const CkptValue *v = cell(t, row, "memory");
  return v->type == CKPT_T_NULL ? 0 : v->v.u;
}

/* Processes keyed by pid; compared on command, command line, state and
 * thread count; memory sizes of processes in both are compared separately,
 * and a last row gives the totals. */
static void
diff_processes(DiffOut *o, const CkptResult *a, const CkptResult *b)
{
  static const char *const key[] = {"pid", NULL};
  static const char *const fields[] = {"command", "cmdline", "task_state",
                                       "threads", NULL};
  g_autoptr(GHashTable) ia = index_rows(a, key);
  g_autoptr(GHashTable) ib = index_rows(b, key);
  uint64_t total_a = 0, total_b = 0;
  for (guint i = 0; a && i < a->rows->len; i++)
    total_a += memory_of(a, i);
  for (guint i = 0; b && i < b->rows->len; i++)
    total_b += memory_of(b, i);
  for (guint i = 0; b && i < b->rows->len; i++) {
    g_autofree char *k = row_key(b, i, key);
    guint ra = GPOINTER_TO_UINT(g_hash_table_lookup(ia, k));
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
  for (guint i = 0; a && i < a->rows->len; i++) {
    g_autofree char *k = row_key(a, i, key);
    if (g_hash_table_contains(ib, k))
      continue;
    g_autofree char *cmd = cell_text(a, i, "cmdline");
    emit_proc_change(o, "removed", a, i, NULL, cmd, NULL);
  }
  /* the whole dump's memory, changed or not, so the size is always shown */
  emit_memory_change(o, NULL, 0, total_a, total_b);
}

static void
diff_reports(const CkptReport *a, const CkptReport *b, CkptReport *out)
{
  static const char *const file_shown[] = {"type", "path", NULL};
  static const char *const socket_shown[] = {"protocol", "state",   "local",
                                             "remote",   "address", NULL};
  DiffOut o = {out, ckpt_report_add_plugin(out, &diff_desc)};
  diff_processes(&o, ckpt_report_table(a, "pstree", "processes"),
                 ckpt_report_table(b, "pstree", "processes"));
  diff_fd_table(&o, D_FILES, ckpt_report_table(a, "files", "files"),
                ckpt_report_table(b, "files", "files"), file_shown);
  diff_fd_table(&o, D_SOCKETS, ckpt_report_table(a, "sockets", "sockets"),
                ckpt_report_table(b, "sockets", "sockets"), socket_shown);
  o.pr->outcome = CKPT_PLUGIN_RAN_OK;
}

/* the chain each side goes through */
static const char diff_chain[] = "pstree,files,sockets";

static int
diff_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc != 2)
    return ckpt_cli_usage_error("diff needs two checkpoints: %s %s", cmd->name,
                                cmd->usage);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, diff_chain, &error);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  static const char *const sets[] = {"pstree.cmd=true", NULL};
  g_autoptr(CkptPlan) plan =
      ckpt_plan_new(ckpt_cli_host(cli), chain, sets, &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  g_autoptr(GPtrArray) reports = ckpt_cli_run_plan(cli, plan, argv, 2);
  if (ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK)
    return CKPT_EXIT_FAILED;

  g_autofree char *label = g_strdup_printf("%s -> %s", argv[0], argv[1]);
  CkptReport *out = ckpt_report_new(label);
  out->opened = TRUE;
  diff_reports(g_ptr_array_index(reports, 0), g_ptr_array_index(reports, 1),
               out);
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, out);
  CkptRenderOptions opt = {.format = ckpt_cli_format(cli, "tree")};
  ckpt_render(stdout, shown, &opt);
  return CKPT_EXIT_OK;
}

static const CkptCliCommand diff_cmd = {
    .name = "diff",
    .summary = "show processes, files, sockets and memory that changed "
               "between two checkpoints",
    .usage = "A B",
    .run = diff_run,
};
CKPT_CLI_COMMAND(diff_cmd)

/* cli-inspect.c - `ckpt inspect` and `ckpt list`, checkpointctl's commands
 * of the same names.
 *
 * inspect is sugar over the chain container + pstree, files, sockets,
 * mounts, with checkpointctl's flags mapped to plugins and options; --all
 * and --pid are expanded here because each stands for several settings.
 * list opens every checkpoint-* file of the given directories and shows
 * checkpointctl list's columns as rows of a small declared table.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "ckpt-config.h"
#include "cli/cli.h"
#include "util/error.h"
#include "model/model.h"
#include "render/render.h"

static const CkptCliFlag inspect_flags[] = {
    {"ps-tree", "display an overview of processes", "pstree", NULL, FALSE},
    {"ps-tree-cmd", "display processes with their full command lines", "pstree",
     "pstree.cmd=true", FALSE},
    {"ps-tree-env", "display processes with their environment variables",
     "pstree", "pstree.env=true", FALSE},
    {"files", "display the open files of each process", "pstree,files", NULL,
     FALSE},
    {"sockets", "display the open sockets of each process", "pstree,sockets",
     NULL, FALSE},
    {"mounts", "display the mounts of the container's spec", "mounts", NULL,
     FALSE},
    {"stats", "display the CRIU dump statistics", "container", NULL, FALSE},
    {"metadata", "display the pod, namespace and annotations of the container",
     "container", "container.annotations=true", FALSE},
    /* ckpt's own branches, drawn after checkpointctl's */
    {"namespaces",
     "display the namespaces and the mount namespace's mounts as CRIU saved "
     "them (not in checkpointctl)",
     "pstree,mounts", NULL, FALSE},
    {"network",
     "display the network namespace's interfaces, addresses and routes "
     "(not in checkpointctl)",
     "sockets", NULL, FALSE},
    {"details",
     "display each process's state, credentials, capabilities, seccomp "
     "mode, cgroup and threads (not in checkpointctl)",
     "pstree", NULL, FALSE},
    /* --all and --pid are expanded before the generic runner sees them;
     * declared here for --help */
    {"all", "show all information about the checkpoints (all the flags above)",
     "pstree,files,sockets,mounts", NULL, FALSE},
    {"pid", "display the process tree of this pid", "pstree", "pstree.pid",
     TRUE},
    {"pstree-pid", "only this pid's subtree (use --pid)", "pstree",
     "pstree.pid", TRUE},
    {"files-pid", "only this pid's files (use --pid)", "files", "files.pid",
     TRUE},
    {"sockets-pid", "only this pid's sockets (use --pid)", "sockets",
     "sockets.pid", TRUE},
    {NULL},
};

static gboolean
has_arg(int argc, char **argv, const char *flag)
{
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strcmp(argv[i], flag) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Rewrites checkpointctl's compound flags into ours: --all turns on every
 * view; --pid N (-p N, --pid=N) filters the tree and, when shown, the
 * files and sockets. */
static GPtrArray *
expand_inspect_args(int argc, char **argv, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  gboolean all = has_arg(argc, argv, "--all");
  gboolean files = all || has_arg(argc, argv, "--files");
  gboolean sockets = all || has_arg(argc, argv, "--sockets");
  static const char *const everything[] = {
      "--ps-tree-cmd", "--ps-tree-env", "--files",    "--sockets",
      "--mounts",      "--stats",       "--metadata", "--namespaces",
      "--network",     "--details"};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *pid = NULL;
    if (strcmp(a, "--") == 0) {
      for (; i < argc; i++)
        g_ptr_array_add(out, g_strdup(argv[i]));
      break;
    }
    if (strcmp(a, "--all") == 0) {
      for (size_t k = 0; k < G_N_ELEMENTS(everything); k++)
        if (!has_arg(argc, argv, everything[k]))
          g_ptr_array_add(out, g_strdup(everything[k]));
      continue;
    }
    if (strcmp(a, "--pid") == 0 || strcmp(a, "-p") == 0) {
      if (i + 1 >= argc) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "%s needs a value", a);
        g_ptr_array_unref(out);
        return NULL;
      }
      pid = argv[++i];
    } else if (g_str_has_prefix(a, "--pid=")) {
      pid = a + strlen("--pid=");
    }
    if (pid) {
      g_ptr_array_add(out, g_strdup_printf("--pstree-pid=%s", pid));
      if (files)
        g_ptr_array_add(out, g_strdup_printf("--files-pid=%s", pid));
      if (sockets)
        g_ptr_array_add(out, g_strdup_printf("--sockets-pid=%s", pid));
      continue;
    }
    g_ptr_array_add(out, g_strdup(a));
  }
  g_ptr_array_add(out, NULL);
  return out;
}

/* What the user asked to see. The plugins emit everything they know; the
 * command decides what its tree and JSON show, as checkpointctl does with
 * the same flags. Set once per run, before rendering. */
typedef struct {
  gboolean pstree, cmd, env, stats, metadata, mounts, namespaces, network,
      details;
} InspectShow;

static InspectShow want;

static void
inspect_show_parse(int argc, char **argv)
{
  static const char *const tree_flags[] = {"--ps-tree",     "--ps-tree-cmd",
                                           "--ps-tree-env", "--files",
                                           "--sockets",     "--details"};
  want.pstree = FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS(tree_flags); i++)
    want.pstree |= has_arg(argc, argv, tree_flags[i]);
  for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
    want.pstree |= g_str_has_prefix(argv[i], "--pstree-pid=");
  want.cmd = has_arg(argc, argv, "--ps-tree-cmd");
  want.env = has_arg(argc, argv, "--ps-tree-env");
  want.stats = has_arg(argc, argv, "--stats");
  want.metadata = has_arg(argc, argv, "--metadata");
  want.mounts = has_arg(argc, argv, "--mounts");
  want.namespaces = has_arg(argc, argv, "--namespaces");
  want.network = has_arg(argc, argv, "--network");
  want.details = has_arg(argc, argv, "--details");
}

static int
inspect_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = expand_inspect_args(argc, argv, &error);
  if (args == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  inspect_show_parse((int)args->len - 1, (char **)args->pdata);
  return ckpt_cli_run_sugar(cli, cmd, (int)args->len - 1, (char **)args->pdata);
}

/* ---- tree text: checkpointctl's labels and nesting ------------------- */

static const char *
cell_str(const CkptResult *t, const CkptRow *row, const char *name)
{
  const CkptValue *v = ckpt_row_cell(t, row, name);
  return v && v->type == CKPT_T_STR ? v->v.s : NULL;
}

static const CkptRow *
first_row(const CkptResult *t)
{
  return t && t->rows->len ? &g_array_index(t->rows, CkptRow, 0) : NULL;
}

/* Appends a cell's text (escaped), or nothing for NULL. */
static void
append_cell(GString *s, const CkptResult *t, const CkptRow *row,
            const char *name, gboolean utc)
{
  const CkptValue *v = ckpt_row_cell(t, row, name);
  if (v == NULL || v->type == CKPT_T_NULL)
    return;
  g_autofree char *text = ckpt_value_text(v, utc);
  g_string_append(s, text);
}

/* "[1]  workload", and the state when the process is not alive:
 * "[3]  workload (Zombie, exit 7)". With --ps-tree-cmd the command line
 * replaces the name, as checkpointctl does (a zombie has none: its name
 * stays); JSON keeps both. */
static char *
process_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new("[");
  append_cell(s, t, row, "pid", utc);
  g_string_append(s, "]  ");
  append_cell(s, t, row,
              want.cmd && cell_str(t, row, "cmdline") ? "cmdline" : "command",
              utc);
  const char *state = cell_str(t, row, "task_state");
  if (state && strcmp(state, "Alive") != 0) {
    g_string_append(s, " (");
    ckpt_text_escape(s, state, -1);
    const CkptValue *code = ckpt_row_cell(t, row, "exit_code");
    if (code && code->type == CKPT_T_INT && strcmp(state, "Stopped") != 0)
      g_string_append_printf(s, ", exit %" G_GINT64_FORMAT, code->v.i);
    g_string_append_c(s, ')');
  }
  return g_string_free(s, FALSE);
}

/* "NAME=VALUE" */
static char *
env_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new(NULL);
  append_cell(s, t, row, "name", utc);
  const CkptValue *v = ckpt_row_cell(t, row, "value");
  if (v && v->type != CKPT_T_NULL) {
    g_string_append_c(s, '=');
    append_cell(s, t, row, "value", utc);
  }
  return g_string_free(s, FALSE);
}

/* "[REG 0]  /dev/null", "[cwd]  /" */
static char *
file_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new("[");
  if (cell_str(t, row, "type")) {
    append_cell(s, t, row, "type", utc);
    g_string_append_c(s, ' ');
  }
  append_cell(s, t, row, "fd", utc);
  g_string_append(s, "]  ");
  append_cell(s, t, row, "path", utc);
  return g_string_free(s, FALSE);
}

/* "addr:port", IPv6 in brackets; FALSE when there is no address */
static gboolean
append_endpoint(GString *s, const CkptResult *t, const CkptRow *row,
                const char *addr, const char *port)
{
  const char *a = cell_str(t, row, addr);
  const CkptValue *p = ckpt_row_cell(t, row, port);
  if (a == NULL)
    return FALSE;
  gboolean v6 = strchr(a, ':') != NULL;
  g_string_append(s, v6 ? "[" : "");
  ckpt_text_escape(s, a, -1);
  g_string_append(s, v6 ? "]" : "");
  g_string_append_printf(s, ":%" G_GUINT64_FORMAT,
                         p && p->type == CKPT_T_UINT ? p->v.u : 0);
  return TRUE;
}

/* "[TCP (LISTEN)]  0.0.0.0:8080 -> 0.0.0.0:0 (↑ 16.0 KiB ↓ 128.0 KiB)",
 * "[UNIX (STREAM)]  /tmp/ckpt.sock", "[NETLINK]  ..." */
static char *
socket_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new("[");
  const char *proto = cell_str(t, row, "protocol");
  append_cell(s, t, row, "protocol", utc);
  /* checkpointctl names the state of TCP sockets and the type of unix
   * ones; a UDP socket is always "CLOSE" */
  if (g_strcmp0(proto, "TCP") == 0 && cell_str(t, row, "state")) {
    g_string_append(s, " (");
    append_cell(s, t, row, "state", utc);
    g_string_append_c(s, ')');
  } else if (g_strcmp0(proto, "UNIX") == 0 && cell_str(t, row, "type")) {
    g_string_append(s, " (");
    append_cell(s, t, row, "type", utc);
    g_string_append_c(s, ')');
  }
  g_string_append(s, "]  ");
  if (append_endpoint(s, t, row, "src", "src_port")) {
    g_string_append(s, " -> ");
    append_endpoint(s, t, row, "dst", "dst_port");
    const CkptValue *snd = ckpt_row_cell(t, row, "send_buf");
    const CkptValue *rcv = ckpt_row_cell(t, row, "recv_buf");
    if (snd && rcv && snd->type == CKPT_T_SIZE && rcv->type == CKPT_T_SIZE) {
      g_autofree char *a = ckpt_format_size(snd->v.u);
      g_autofree char *b = ckpt_format_size(rcv->v.u);
      g_string_append_printf(s, " (↑ %s ↓ %s)", a, b);
    }
  } else if (cell_str(t, row, "address")) {
    append_cell(s, t, row, "address", utc);
  } else if (g_strcmp0(proto, "UNIX") != 0) {
    /* an unbound unix socket has no name to show */
    append_cell(s, t, row, "description", utc);
  }
  while (s->len && s->str[s->len - 1] == ' ')
    g_string_truncate(s, s->len - 1);
  return g_string_free(s, FALSE);
}

/* "Destination: /proc" */
static char *
mount_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new("Destination: ");
  append_cell(s, t, row, "destination", utc);
  return g_string_free(s, FALSE);
}

static const char *const info_fields[] = {"image",   "id",     "runtime",
                                          "created", "engine", NULL};
static const char *const show_fields[] = {"ip=IP", NULL};
static const char *const size_fields[] = {
    "checkpoint_size=Checkpoint size", ">memory_pages_size=Memory pages size",
    "rootfs_diff_size=Root FS diff size", NULL};
static const char *const process_fields[] = {NULL};
/* --details: ckpt's lines under each process */
static const char *const process_details[] = {"exe=Executable",
                                              "memory=Memory",
                                              "uid=UID",
                                              "gid=GID",
                                              "cap_eff=Effective capabilities",
                                              "seccomp=Seccomp",
                                              "cgroup=Cgroup",
                                              NULL};
/* --ps-tree-env: where each environment was read (original area,
 * relocated by a title rewriter, the spec, none) */
#define ENV_SOURCE_FIELD "env_source=Environment source"
static const char *const process_env[] = {ENV_SOURCE_FIELD, NULL};
static const char *const process_details_env[] = {
    "exe=Executable",
    "memory=Memory",
    "uid=UID",
    "gid=GID",
    "cap_eff=Effective capabilities",
    "seccomp=Seccomp",
    "cgroup=Cgroup",
    ENV_SOURCE_FIELD,
    NULL};
static const char *const socket_fields[] = {"peer=Peer", "backlog=Backlog",
                                            "in_queue=Queued to read",
                                            "out_queue=Queued to send", NULL};
static const char *const mount_fields[] = {"type=Type", "source=Source", NULL};

/* "1  workload" */
static char *
thread_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new(NULL);
  append_cell(s, t, row, "tid", utc);
  if (cell_str(t, row, "comm")) {
    g_string_append(s, "  ");
    append_cell(s, t, row, "comm", utc);
  }
  return g_string_free(s, FALSE);
}

/* One line of text the command composed (already plain text: escaped
 * when drawn). */
static char *
text_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  GString *s = g_string_new(NULL);
  append_cell(s, t, row, "text", utc);
  return g_string_free(s, FALSE);
}

static const char *const no_fields[] = {NULL};

/* checkpointctl inspect's tree: metadata lines straight under the
 * checkpoint, then the dump statistics and the pod metadata (text tables
 * composed here, see compose_container), the process tree with each
 * process's environment, open files and sockets under it, and the mounts.
 * ckpt's own branches come after (see placement). Per-address rows stay
 * in JSON (and `ckpt run`). */
static const CkptRenderView inspect_views[] = {
    {"container.info", .fields = info_fields, .flat = TRUE},
    {"container.show", .fields = show_fields, .flat = TRUE},
    {"container.sizes", .fields = size_fields, .flat = TRUE},
    {"container.dump_stats", .label = text_label, .fields = no_fields},
    {"container.metadata", .label = text_label, .fields = no_fields},
    {"container.stats", .hide = TRUE},
    {"container.annotations", .hide = TRUE},
    {"container.networks", .hide = TRUE},
    /* fields: process_details with --details (inspect_render_tree) */
    {"pstree.processes", .label = process_label, .fields = process_fields},
    {"pstree.threads", .label = thread_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"pstree.environment", .label = env_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"files.files", .label = file_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"sockets.sockets", .label = socket_label, .fields = socket_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"sockets.addresses", .hide = TRUE},
    {"mounts.mounts", .label = mount_label, .fields = mount_fields},
    {NULL},
};

/* ---- tree text: checkpointctl's branches, then ckpt's --------------------
 *
 * The host draws plugins in run order and each plugin's tables together,
 * but checkpointctl's branches (stats, metadata, processes, mounts) come
 * from several plugins, and ckpt's extras (namespaces, network, the mount
 * namespace) belong after all of them. So the tree is drawn from shells:
 * copies of each report whose plugin results borrow the rows, with the
 * tables not asked for emptied, then one more copy of the plugins holding
 * only the extras. Nothing is copied but pointers; the arena frees the
 * shells.
 */

typedef enum { SHOW_MAIN, SHOW_NOT, SHOW_AFTER } Placement;

/* Where a plugin's table goes in inspect's tree, from the flags given. */
static Placement
placement(const char *plugin, const char *table)
{
  g_autofree char *spec = g_strdup_printf("%s.%s", plugin, table);
  /* drawn as checkpointctl's text branches instead */
  if (strcmp(spec, "container.stats") == 0 ||
      strcmp(spec, "container.annotations") == 0)
    return SHOW_NOT;
  if (strcmp(spec, "container.dump_stats") == 0)
    return want.stats ? SHOW_MAIN : SHOW_NOT;
  if (strcmp(spec, "container.metadata") == 0)
    return want.metadata ? SHOW_MAIN : SHOW_NOT;
  /* --namespaces also runs the mounts plugin for the mount namespace */
  if (strcmp(spec, "mounts.mounts") == 0)
    return want.mounts ? SHOW_MAIN : SHOW_NOT;
  /* --namespaces runs the pstree plugin too, for its namespaces table */
  if (strcmp(spec, "pstree.processes") == 0)
    return want.pstree ? SHOW_MAIN : SHOW_NOT;
  if (strcmp(spec, "pstree.threads") == 0)
    return want.details ? SHOW_MAIN : SHOW_NOT;
  if (strcmp(spec, "pstree.namespaces") == 0 ||
      strcmp(spec, "mounts.mountinfo") == 0)
    return want.namespaces ? SHOW_AFTER : SHOW_NOT;
  if (strcmp(plugin, "sockets") == 0 && strcmp(table, "sockets") != 0)
    return want.network ? SHOW_AFTER : SHOW_NOT;
  return SHOW_MAIN;
}

typedef struct {
  GPtrArray *blocks;  /* g_free */
  GPtrArray *arrays;  /* GArray rows, GPtrArray plugin lists: unref */
  GPtrArray *parrays; /* GPtrArray */
  GStringChunk *text;
  GArray *empty; /* CkptRow, no rows: a table not shown */
} Arena;

static void
arena_init(Arena *a)
{
  a->blocks = g_ptr_array_new_with_free_func(g_free);
  a->arrays = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
  a->parrays =
      g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  a->text = g_string_chunk_new(1024);
  a->empty = g_array_new(FALSE, FALSE, sizeof(CkptRow));
}

static void
arena_release(Arena *a)
{
  g_ptr_array_unref(a->blocks);
  g_ptr_array_unref(a->arrays);
  g_ptr_array_unref(a->parrays);
  g_string_chunk_free(a->text);
  g_array_unref(a->empty);
}

static gpointer
arena_alloc(Arena *a, size_t n, size_t size)
{
  gpointer p = g_malloc0_n(n ? n : 1, size);
  g_ptr_array_add(a->blocks, p);
  return p;
}

/* ---- text tables composed here: checkpointctl's stats and metadata ---- */

static const CkptColumn text_columns[] = {{"text", CKPT_T_STR, "Text"}, {NULL}};
static const CkptTable dump_stats_decl = {"dump_stats", "CRIU dump statistics",
                                          CKPT_LAYOUT_TABLE, text_columns};
static const CkptTable metadata_decl = {"metadata", "Metadata",
                                        CKPT_LAYOUT_TREE, text_columns};

/* A text table's rows: each line is a depth and a string. */
static void
text_row(Arena *a, GArray *rows, unsigned depth, const char *text)
{
  CkptValue *v = arena_alloc(a, 1, sizeof(CkptValue));
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
static GArray *
compose_stats(Arena *a, const CkptReport *rep)
{
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(CkptRow));
  g_ptr_array_add(a->arrays, rows);
  const CkptResult *t = ckpt_report_table(rep, "container", "stats");
  const CkptRow *r = first_row(t);
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
  const char *a = cell_str(t, *(const CkptRow *const *)x, "key");
  const char *b = cell_str(t, *(const CkptRow *const *)y, "key");
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
    g_autoptr(JsonParser) p = json_parser_new();
    if (!json_parser_load_from_data(p, v, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
      return;
    text_row(a, rows, 1, k);
    compose_json_lines(a, rows, json_parser_get_root(p), 2);
    return;
  }
  g_autofree char *line = g_strdup_printf("%s: %s", k, v);
  text_row(a, rows, 1, line);
}

/* checkpointctl's "Metadata" branch: pod name, Kubernetes namespace and
 * the spec's annotations, sorted by key (checkpointctl's order is Go's
 * map order, which varies from run to run) */
static GArray *
compose_metadata(Arena *a, const CkptReport *rep)
{
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(CkptRow));
  g_ptr_array_add(a->arrays, rows);
  const CkptResult *info = ckpt_report_table(rep, "container", "info");
  const CkptRow *ir = first_row(info);
  const char *pod = ir ? cell_str(info, ir, "pod") : NULL;
  const char *ns = ir ? cell_str(info, ir, "namespace") : NULL;
  const CkptResult *ann = ckpt_report_table(rep, "container", "annotations");
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
    const char *k = cell_str(ann, r, "key");
    const char *v = cell_str(ann, r, "value");
    compose_annotation(a, rows, k ? k : "", v ? v : "");
  }
  return rows;
}

/* A copy of pr whose tables borrow pr's rows, those not placed at where
 * emptied, with room for extra more tables at the end. */
static CkptPluginResult *
shell_plugin(Arena *a, const CkptPluginResult *pr, Placement where,
             size_t extra)
{
  CkptPluginResult *sp = arena_alloc(a, 1, sizeof(CkptPluginResult));
  *sp = *pr;
  sp->tables = arena_alloc(a, pr->n_tables + extra, sizeof(CkptResult));
  for (size_t i = 0; i < pr->n_tables; i++) {
    sp->tables[i] = pr->tables[i];
    if (placement(pr->name, pr->tables[i].decl->name) != where)
      sp->tables[i].rows = a->empty;
  }
  if (where == SHOW_AFTER) {
    /* failures are told once, in the main shell */
    sp->outcome = MIN(pr->outcome, CKPT_PLUGIN_RAN_WARN);
  }
  return sp;
}

static void
add_text_table(CkptPluginResult *sp, const CkptTable *decl, GArray *rows)
{
  CkptResult *t = &sp->tables[sp->n_tables++];
  t->decl = decl;
  t->n_columns = 1;
  t->rows = rows;
}

static CkptReport *
shell_report(Arena *a, const CkptReport *rep)
{
  CkptReport *sr = arena_alloc(a, 1, sizeof(CkptReport));
  *sr = *rep;
  sr->plugins = g_ptr_array_new();
  g_ptr_array_add(a->parrays, sr->plugins);
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    gboolean container = strcmp(pr->name, "container") == 0;
    CkptPluginResult *sp = shell_plugin(a, pr, SHOW_MAIN, container ? 2 : 0);
    if (container && pr->outcome < CKPT_PLUGIN_RAN_FAILED) {
      add_text_table(sp, &dump_stats_decl,
                     want.stats ? compose_stats(a, rep) : a->empty);
      add_text_table(sp, &metadata_decl,
                     want.metadata ? compose_metadata(a, rep) : a->empty);
    }
    g_ptr_array_add(sr->plugins, sp);
  }
  /* ckpt's branches in one order whatever order the plugins ran in */
  static const char *const after[] = {"pstree", "sockets", "mounts"};
  for (size_t k = 0; k < G_N_ELEMENTS(after); k++) {
    const CkptPluginResult *pr = ckpt_report_plugin(rep, after[k]);
    if (pr)
      g_ptr_array_add(sr->plugins, shell_plugin(a, pr, SHOW_AFTER, 0));
  }
  return sr;
}

static void
inspect_render_tree(GPtrArray *reports, const CkptRenderOptions *ro)
{
  Arena a;
  arena_init(&a);
  g_autoptr(GPtrArray) shells = g_ptr_array_new();
  for (guint r = 0; r < reports->len; r++)
    g_ptr_array_add(shells, shell_report(&a, g_ptr_array_index(reports, r)));
  CkptRenderView views[G_N_ELEMENTS(inspect_views)];
  memcpy(views, inspect_views, sizeof(views));
  for (CkptRenderView *v = views; v->table; v++)
    if (strcmp(v->table, "pstree.processes") == 0 && (want.details || want.env))
      v->fields = want.details
                      ? (want.env ? process_details_env : process_details)
                      : process_env;
  CkptRenderOptions opt = *ro;
  opt.views = views;
  ckpt_render(stdout, shells, &opt);
  fflush(stdout);
  arena_release(&a);
}

/* ---- JSON: checkpointctl's document -------------------------------------
 *
 * `ckpt inspect --format json` writes what `checkpointctl inspect --format
 * json` writes, built from the plugins' rows: an array with one object per
 * checkpoint, checkpointctl's keys where the data is the same, and ckpt's
 * extras beside them (docs/json.md). `ckpt run` keeps the generic shape.
 */

/* A cell as JSON, typed as in docs/json.md; NULL cells are left out. */
static void
json_cell(JsonBuilder *b, const char *key, const CkptValue *v)
{
  if (v == NULL || v->type == CKPT_T_NULL)
    return;
  json_builder_set_member_name(b, key);
  switch (v->type) {
  case CKPT_T_STR:
    json_builder_add_string_value(b, v->v.s);
    break;
  case CKPT_T_INT:
    json_builder_add_int_value(b, v->v.i);
    break;
  case CKPT_T_UINT:
  case CKPT_T_SIZE:
    json_builder_add_int_value(b, (gint64)MIN(v->v.u, (uint64_t)G_MAXINT64));
    break;
  case CKPT_T_ADDR: {
    g_autofree char *s = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", v->v.u);
    json_builder_add_string_value(b, s);
    break;
  }
  case CKPT_T_BOOL:
    json_builder_add_boolean_value(b, v->v.i != 0);
    break;
  case CKPT_T_BYTES: {
    g_autofree char *s = g_base64_encode(v->v.bytes.data, v->v.bytes.len);
    json_builder_add_string_value(b, s);
    break;
  }
  case CKPT_T_TIME: {
    g_autofree char *s = ckpt_format_time(v->v.i, TRUE);
    json_builder_add_string_value(b, s);
    break;
  }
  case CKPT_T_DOUBLE:
    json_builder_add_double_value(b, v->v.d);
    break;
  case CKPT_T_NULL:
    break;
  }
}

static void
json_member(JsonBuilder *b, const CkptResult *t, const CkptRow *row,
            const char *column, const char *key)
{
  if (t && row)
    json_cell(b, key ? key : column, ckpt_row_cell(t, row, column));
}

/* Every column of a row under its own name, except those listed. */
static void
json_rest(JsonBuilder *b, const CkptResult *t, const CkptRow *row,
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
json_metadata(JsonBuilder *b, const CkptReport *rep)
{
  const CkptResult *info = ckpt_report_table(rep, "container", "info");
  const CkptRow *ir = first_row(info);
  const char *pod = ir ? cell_str(info, ir, "pod") : NULL;
  const char *ns = ir ? cell_str(info, ir, "namespace") : NULL;
  const CkptResult *ann = ckpt_report_table(rep, "container", "annotations");
  json_builder_set_member_name(b, "metadata");
  json_builder_begin_object(b);
  if (pod && *pod) {
    json_builder_set_member_name(b, "pod_name");
    json_builder_add_string_value(b, pod);
  }
  if (ns && *ns) {
    json_builder_set_member_name(b, "kubernetes_namespace");
    json_builder_add_string_value(b, ns);
  }
  if (ann && ann->rows->len) {
    json_builder_set_member_name(b, "annotations");
    json_builder_begin_object(b);
    for (guint i = 0; i < ann->rows->len; i++) {
      const CkptRow *r = &g_array_index(ann->rows, CkptRow, i);
      const char *k = cell_str(ann, r, "key");
      if (k)
        json_cell(b, k, ckpt_row_cell(ann, r, "value"));
    }
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
}

static void
json_header(JsonBuilder *b, const CkptReport *rep)
{
  const CkptResult *info = ckpt_report_table(rep, "container", "info");
  const CkptResult *show = ckpt_report_table(rep, "container", "show");
  const CkptResult *sizes = ckpt_report_table(rep, "container", "sizes");
  const CkptRow *ir = first_row(info), *sr = first_row(show),
                *zr = first_row(sizes);
  json_builder_set_member_name(b, "container_name");
  json_builder_add_string_value(b, rep->label);
  json_member(b, info, ir, "image", NULL);
  json_member(b, info, ir, "id", NULL);
  json_member(b, info, ir, "runtime", NULL);
  json_member(b, info, ir, "created", NULL);
  json_member(b, info, ir, "checkpointed", NULL);
  json_member(b, info, ir, "engine", NULL);
  json_member(b, show, sr, "ip", NULL);
  if (zr) {
    json_builder_set_member_name(b, "checkpoint_size");
    json_builder_begin_object(b);
    json_member(b, sizes, zr, "checkpoint_size", "total_size");
    json_member(b, sizes, zr, "memory_pages_size", NULL);
    json_member(b, sizes, zr, "rootfs_diff_size", "root_fs_diff_size");
    json_member(b, sizes, zr, "archive_size", NULL);
    json_builder_end_object(b);
  }
  const CkptResult *stats = ckpt_report_table(rep, "container", "stats");
  const CkptRow *st = want.stats ? first_row(stats) : NULL;
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
    json_builder_set_member_name(b, "statistics");
    json_builder_begin_object(b);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
      json_member(b, stats, st, names[i][0], names[i][1]);
    json_builder_end_object(b);
  }
  if (want.metadata)
    json_metadata(b, rep);
}

/* The environment rows of one pid as checkpointctl's name -> value map. */
static void
json_environment(JsonBuilder *b, const CkptResult *env, const CkptValue *pid)
{
  if (env == NULL || pid == NULL || pid->type != CKPT_T_UINT)
    return;
  gboolean open = FALSE;
  for (guint i = 0; i < env->rows->len; i++) {
    const CkptRow *r = &g_array_index(env->rows, CkptRow, i);
    const CkptValue *p = ckpt_row_cell(env, r, "pid");
    const char *name = cell_str(env, r, "name");
    if (!p || p->type != CKPT_T_UINT || p->v.u != pid->v.u || !name)
      continue;
    if (!open) {
      json_builder_set_member_name(b, "environment_variables");
      json_builder_begin_object(b);
      open = TRUE;
    }
    const char *value = cell_str(env, r, "value");
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value ? value : "");
  }
  if (open)
    json_builder_end_object(b);
}

/* ckpt's extra: the threads of one pid, [{"tid", "comm", "ip", "sp"}] */
static void
json_threads(JsonBuilder *b, const CkptResult *threads, const CkptValue *pid)
{
  static const char *const except[] = {"pid", NULL};
  if (threads == NULL || pid == NULL || pid->type != CKPT_T_UINT)
    return;
  json_builder_set_member_name(b, "threads_list");
  json_builder_begin_array(b);
  for (guint i = 0; i < threads->rows->len; i++) {
    const CkptRow *r = &g_array_index(threads->rows, CkptRow, i);
    const CkptValue *p = ckpt_row_cell(threads, r, "pid");
    if (!p || p->type != CKPT_T_UINT || p->v.u != pid->v.u)
      continue;
    json_builder_begin_object(b);
    json_rest(b, threads, r, except);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

/* ckpt's extras: a table's rows as an array of objects under key, or a
 * RECORD's first row as one object */
static void
json_table(JsonBuilder *b, const char *key, const CkptResult *t)
{
  if (t == NULL || t->rows->len == 0)
    return;
  gboolean record = t->decl->layout == CKPT_LAYOUT_RECORD;
  json_builder_set_member_name(b, key);
  if (!record)
    json_builder_begin_array(b);
  for (guint i = 0; i < (record ? 1 : t->rows->len); i++) {
    json_builder_begin_object(b);
    json_rest(b, t, &g_array_index(t->rows, CkptRow, i), NULL);
    json_builder_end_object(b);
  }
  if (!record)
    json_builder_end_array(b);
}

/* The process tree as nested objects: checkpointctl's process_tree is the
 * first root; every root is in ckpt's process_trees. Nesting follows the
 * rows' depths without recursion, as in render.c. */
static void
json_processes(JsonBuilder *b, const CkptReport *rep)
{
  const CkptResult *t = ckpt_report_table(rep, "pstree", "processes");
  const CkptResult *env = ckpt_report_table(rep, "pstree", "environment");
  const CkptResult *threads = ckpt_report_table(rep, "pstree", "threads");
  if (t == NULL || t->rows->len == 0)
    return;
  /* checkpointctl writes cmdline only for --ps-tree-cmd; the environment's
   * source goes with the environment */
  const char *except[6] = {"pid", "command"};
  size_t n_except = 2;
  if (!want.cmd)
    except[n_except++] = "cmdline";
  if (!want.env) {
    except[n_except++] = "env_source";
    except[n_except++] = "env_array";
  }
  for (int pass = 0; pass < 2; pass++) {
    json_builder_set_member_name(b, pass ? "process_trees" : "process_tree");
    if (pass)
      json_builder_begin_array(b);
    int cur = -1;
    for (guint i = 0; i < t->rows->len; i++) {
      const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
      int d = MIN((int)row->depth, cur + 1);
      if (pass == 0 && d == 0 && cur >= 0)
        break; /* the first root only */
      if (cur >= 0 && d == cur + 1) {
        json_builder_set_member_name(b, "children");
        json_builder_begin_array(b);
      } else if (cur >= 0) {
        json_builder_end_object(b);
        for (int k = cur; k > d; k--) {
          json_builder_end_array(b);
          json_builder_end_object(b);
        }
      }
      json_builder_begin_object(b);
      json_member(b, t, row, "pid", NULL);
      json_member(b, t, row, "command", NULL);
      json_rest(b, t, row, except);
      json_environment(b, env, ckpt_row_cell(t, row, "pid"));
      json_threads(b, threads, ckpt_row_cell(t, row, "pid"));
      cur = d;
    }
    if (cur >= 0) {
      json_builder_end_object(b);
      for (int k = cur; k > 0; k--) {
        json_builder_end_array(b);
        json_builder_end_object(b);
      }
    }
    if (pass)
      json_builder_end_array(b);
  }
}

typedef void (*JsonItemFunc)(JsonBuilder *b, const CkptResult *t,
                             const CkptRow *row);

/* Rows grouped by pid in order of first appearance: checkpointctl's
 * [{"pid": N, LIST: [...]}]; rows without a pid go in a group without
 * one. */
static void
json_by_pid(JsonBuilder *b, const CkptResult *t, const char *key,
            const char *list, JsonItemFunc item)
{
  if (t == NULL)
    return;
  g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GHashTable) seen =
      g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptValue *p =
        ckpt_row_cell(t, &g_array_index(t->rows, CkptRow, i), "pid");
    gint64 pid = p && p->type == CKPT_T_UINT ? (gint64)p->v.u : -1;
    if (!g_hash_table_contains(seen, &pid)) {
      g_array_append_val(pids, pid);
      g_hash_table_add(seen, g_memdup2(&pid, sizeof(pid)));
    }
  }
  json_builder_set_member_name(b, key);
  json_builder_begin_array(b);
  for (guint k = 0; k < pids->len; k++) {
    gint64 pid = g_array_index(pids, gint64, k);
    json_builder_begin_object(b);
    if (pid >= 0) {
      json_builder_set_member_name(b, "pid");
      json_builder_add_int_value(b, pid);
    }
    json_builder_set_member_name(b, list);
    json_builder_begin_array(b);
    for (guint i = 0; i < t->rows->len; i++) {
      const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
      const CkptValue *p = ckpt_row_cell(t, row, "pid");
      gint64 rp = p && p->type == CKPT_T_UINT ? (gint64)p->v.u : -1;
      if (rp == pid)
        item(b, t, row);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

/* {"type": "REG", "fd": "REG 0", "path": ...} and ckpt's extras */
static void
json_file(JsonBuilder *b, const CkptResult *t, const CkptRow *row)
{
  static const char *const except[] = {"pid", "type", "fd", "path", NULL};
  const char *type = cell_str(t, row, "type");
  const char *fd = cell_str(t, row, "fd");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "type");
  json_builder_add_string_value(b, type ? type : "");
  g_autofree char *label =
      type ? g_strdup_printf("%s %s", type, fd ? fd : "") : g_strdup(fd);
  json_builder_set_member_name(b, "fd");
  json_builder_add_string_value(b, label ? label : "");
  json_member(b, t, row, "path", NULL);
  json_rest(b, t, row, except);
  json_builder_end_object(b);
}

/* {"protocol": "TCP", "data": {"type", "state", "src", ...}} */
static void
json_socket(JsonBuilder *b, const CkptResult *t, const CkptRow *row)
{
  static const char *const except[] = {"pid", "protocol", "type", NULL};
  const char *proto = cell_str(t, row, "protocol");
  json_builder_begin_object(b);
  json_member(b, t, row, "protocol", NULL);
  json_builder_set_member_name(b, "data");
  json_builder_begin_object(b);
  /* checkpointctl's data.type is the protocol for inet sockets and
   * "UNIX" for unix ones; the socket type is ckpt's sock_type */
  if (proto) {
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, proto);
  }
  json_member(b, t, row, "type", "sock_type");
  json_rest(b, t, row, except);
  json_builder_end_object(b);
  json_builder_end_object(b);
}

static void
json_mounts(JsonBuilder *b, const CkptReport *rep)
{
  const CkptResult *t = ckpt_report_table(rep, "mounts", "mounts");
  if (t == NULL)
    return;
  json_builder_set_member_name(b, "mounts");
  json_builder_begin_array(b);
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    json_builder_begin_object(b);
    json_rest(b, t, row, NULL);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

static void
json_strings(JsonBuilder *b, const char *key, GPtrArray *list)
{
  json_builder_set_member_name(b, key);
  json_builder_begin_array(b);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_string_value(b, g_ptr_array_index(list, i));
  json_builder_end_array(b);
}

/* Messages of plugins that did not succeed, "plugin: message". */
static void
json_plugin_errors(JsonBuilder *b, const CkptReport *rep)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < rep->errors->len; i++)
    g_ptr_array_add(all, g_strdup(g_ptr_array_index(rep->errors, i)));
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    if (pr->outcome < CKPT_PLUGIN_RAN_FAILED)
      continue;
    for (guint m = 0; m < pr->messages->len; m++)
      g_ptr_array_add(all, g_strdup_printf("%s: %s", pr->name,
                                           (char *)pr->messages->pdata[m]));
    if (pr->messages->len == 0)
      g_ptr_array_add(all, g_strdup_printf("%s: %s", pr->name,
                                           ckpt_outcome_name(pr->outcome)));
  }
  json_strings(b, "errors", all);
}

static void
json_report(JsonBuilder *b, const CkptReport *rep)
{
  json_builder_begin_object(b);
  if (rep->opened) {
    json_header(b, rep);
    json_processes(b, rep);
    json_by_pid(b, ckpt_report_table(rep, "files", "files"), "file_descriptors",
                "open_files", json_file);
    json_by_pid(b, ckpt_report_table(rep, "sockets", "sockets"), "sockets",
                "open_sockets", json_socket);
    if (want.mounts)
      json_mounts(b, rep);
    /* ckpt's extras, with the flags that show them in the tree */
    if (want.namespaces) {
      json_table(b, "namespaces",
                 ckpt_report_table(rep, "pstree", "namespaces"));
      json_table(b, "mountinfo", ckpt_report_table(rep, "mounts", "mountinfo"));
    }
    if (want.network) {
      json_table(b, "interfaces",
                 ckpt_report_table(rep, "sockets", "interfaces"));
      json_table(b, "routes", ckpt_report_table(rep, "sockets", "routes"));
    }
    json_table(b, "deleted_files",
               ckpt_report_table(rep, "container", "deleted_files"));
  }
  json_builder_set_member_name(b, "path");
  json_builder_add_string_value(b, rep->path);
  json_builder_set_member_name(b, "status");
  json_builder_add_string_value(b, ckpt_report_status_name(rep));
  json_plugin_errors(b, rep);
  json_strings(b, "warnings", rep->warnings);
  json_builder_end_object(b);
}

/* --format json: checkpointctl's array; other formats: the host's. */
static gboolean
inspect_render(CkptCli *cli, GPtrArray *reports, const CkptRenderOptions *ro)
{
  (void)cli;
  if (ro->format == CKPT_RENDER_TREE) {
    inspect_render_tree(reports, ro);
    return TRUE;
  }
  if (ro->format != CKPT_RENDER_JSON)
    return FALSE;
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_array(b);
  for (guint r = 0; r < reports->len; r++)
    json_report(b, g_ptr_array_index(reports, r));
  json_builder_end_array(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_pretty(gen, TRUE);
  json_generator_set_indent(gen, 2);
  json_generator_set_root(gen, root);
  g_autofree char *text = json_generator_to_data(gen, NULL);
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  return TRUE;
}

static const CkptCliCommand inspect_cmd = {
    .name = "inspect",
    .summary = "display low-level information about container checkpoints",
    .usage = "[--ps-tree] [--ps-tree-cmd] [--ps-tree-env] [--files] "
             "[--sockets] [--mounts] [--stats] [--metadata] [--namespaces] "
             "[--network] [--details] [--all] [--pid PID] "
             "[--format tree|json] FILE...",
    .chain = "container",
    .flags = inspect_flags,
    .format = "tree",
    .run = inspect_run,
    .views = inspect_views,
    .render = inspect_render,
};
CKPT_CLI_COMMAND(inspect_cmd)

/* ---- list -------------------------------------------------------------- */

static const CkptColumn list_columns[] = {
    {"namespace", CKPT_T_STR, "Namespace"},
    {"pod", CKPT_T_STR, "Pod"},
    {"container", CKPT_T_STR, "Container"},
    {"engine", CKPT_T_STR, "Engine"},
    {"time_checkpointed", CKPT_T_TIME, "Time Checkpointed"},
    {"checkpoint_name", CKPT_T_STR, "Checkpoint Name"},
    {NULL},
};

static const CkptTable list_tables[] = {
    {"checkpoints", "Checkpoints", CKPT_LAYOUT_TABLE, list_columns},
    {NULL},
};

static const CkptOption list_options[] = {{NULL}};

static const CkptPlugin list_desc = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "list",
    .version = "0.1.0",
    .description = "checkpoints found in directories",
    .license = "Apache-2.0",
    .options = list_options,
    .tables = list_tables,
};

static CkptValue
str_or_null(const char *s)
{
  return s ? CKPT_STR(s) : CKPT_NULL;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* checkpoint-* entries of dir, sorted; NULL when dir cannot be read */
static GPtrArray *
checkpoint_files(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *n;
  while ((n = g_dir_read_name(d)))
    if (g_str_has_prefix(n, "checkpoint-"))
      g_ptr_array_add(names, g_strdup(n));
  g_ptr_array_sort(names, cmp_names);
  return names;
}

static void
list_one(CkptCli *cli, CkptReport *out, CkptPluginResult *pr, const char *dir,
         const char *name, int *status)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c =
      ckpt_checkpoint_open(path, ckpt_cli_limits(cli), &error);
  if (c == NULL) {
    ckpt_cli_print_error("error extracting information from %s: %s", path,
                         error->message);
    *status = CKPT_EXIT_FAILED;
    return;
  }
  const CkptContainerInfo *ci = &c->container;
  CkptValue v[] = {
      str_or_null(ci->pod_namespace),
      str_or_null(ci->pod),
      str_or_null(ci->name),
      str_or_null(ci->engine),
      ci->checkpointed ? CKPT_TIME(ci->checkpointed) : CKPT_NULL,
      CKPT_STR(name),
  };
  ckpt_report_add_row(out, pr, 0, 0, v);
}

static int
list_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  static const char *const default_dirs[] = {"/var/lib/kubelet/checkpoints",
                                             NULL};
  const char *const *dirs = argc > 0 ? (const char *const *)argv : default_dirs;
  int n_dirs = argc > 0 ? argc : 1;
  int status = CKPT_EXIT_OK;
  CkptRenderFormat format = ckpt_cli_format(cli, "table");
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;

  for (int i = 0; i < n_dirs; i++)
    if (g_str_has_prefix(dirs[i], "-"))
      return ckpt_cli_usage_error("unknown flag %s for %s", dirs[i], cmd->name);

  CkptReport *out = ckpt_report_new("checkpoints");
  out->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(out, &list_desc);
  gboolean any = FALSE;
  for (int i = 0; i < n_dirs; i++) {
    g_autoptr(GPtrArray) names = checkpoint_files(dirs[i]);
    if (names == NULL || names->len == 0)
      continue;
    any = TRUE;
    if (text)
      printf("Listing checkpoints in path: %s\n", dirs[i]);
    for (guint k = 0; k < names->len; k++)
      list_one(cli, out, pr, dirs[i], g_ptr_array_index(names, k), &status);
  }
  pr->outcome = CKPT_PLUGIN_RAN_OK;

  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, out);
  if (!any && text) {
    GString *s = g_string_new("No checkpoints found in [");
    for (int i = 0; i < n_dirs; i++)
      g_string_append_printf(s, "%s%s", i ? " " : "", dirs[i]);
    printf("%s]\n", s->str);
    g_string_free(s, TRUE);
    return status;
  }
  CkptRenderOptions opt = {.format = format, .merge = TRUE};
  ckpt_render(stdout, shown, &opt);
  return status;
}

static const CkptCliCommand list_cmd = {
    .name = "list",
    .summary = "list checkpoints stored in the default and given directories",
    .usage = "[DIR...]",
    .format = "table",
    .run = list_run,
};
CKPT_CLI_COMMAND(list_cmd)

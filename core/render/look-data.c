/* look-data.c - checkpointctl's inspect look as data: the views of the
 * tables (labels, "Title: value" lines, nesting by pid) and where each
 * table is placed, by the parts shown (look.c draws them).
 */
#include <string.h>

#include "render/look.h"

/* ---- tree text: checkpointctl's labels and nesting ------------------- */

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
process_text(const CkptResult *t, const CkptRow *row, gboolean utc,
             gboolean cmd)
{
  GString *s = g_string_new("[");
  append_cell(s, t, row, "pid", utc);
  g_string_append(s, "]  ");
  append_cell(s, t, row,
              cmd && ckpt_cell_str(t, row, "cmdline") ? "cmdline" : "command",
              utc);
  const char *state = ckpt_cell_str(t, row, "task_state");
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

static char *
process_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  return process_text(t, row, utc, FALSE);
}

/* with the "cmd" part (--ps-tree-cmd) */
char *
ckpt_look_process_cmd_label(const CkptResult *t, const CkptRow *row,
                            gboolean utc)
{
  return process_text(t, row, utc, TRUE);
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
  if (ckpt_cell_str(t, row, "type")) {
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
  const char *a = ckpt_cell_str(t, row, addr);
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
  const char *proto = ckpt_cell_str(t, row, "protocol");
  append_cell(s, t, row, "protocol", utc);
  /* checkpointctl names the state of TCP sockets and the type of unix
   * ones; a UDP socket is always "CLOSE" */
  if (g_strcmp0(proto, "TCP") == 0 && ckpt_cell_str(t, row, "state")) {
    g_string_append(s, " (");
    append_cell(s, t, row, "state", utc);
    g_string_append_c(s, ')');
  } else if (g_strcmp0(proto, "UNIX") == 0 && ckpt_cell_str(t, row, "type")) {
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
  } else if (ckpt_cell_str(t, row, "address")) {
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
const char *const ckpt_look_process_details[] = {
    "exe=Executable",
    "memory=Memory",
    "uid=UID",
    "gid=GID",
    "cap_eff=Effective capabilities",
    "seccomp=Seccomp",
    "cgroup=Cgroup",
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
  if (ckpt_cell_str(t, row, "comm")) {
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
const CkptRenderView ckpt_look_views[] = {
    {"container.info", .fields = info_fields, .flat = TRUE},
    {"container.show", .fields = show_fields, .flat = TRUE},
    {"container.sizes", .fields = size_fields, .flat = TRUE},
    {"container.dump_stats", .label = text_label, .fields = no_fields},
    {"container.metadata", .label = text_label, .fields = no_fields},
    {"container.stats", .hide = TRUE},
    {"container.annotations", .hide = TRUE},
    {"container.networks", .hide = TRUE},
    /* fields: ckpt_look_process_details with the "details" part (look_begin) */
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

/* Where a table goes in inspect's tree: the first entry that names it
 * ("plugin.*" names every table of the plugin) decides; with a part, the
 * table is shown only when the part is (CkptRenderOptions.show). Tables
 * no entry names are drawn where they are. */
typedef struct {
  const char *table;
  const char *part; /* NULL: always */
  Placement where;
} Place;

static const Place places[] = {
    /* drawn as checkpointctl's text branches instead */
    {"container.stats", NULL, SHOW_NOT},
    {"container.annotations", NULL, SHOW_NOT},
    {"container.dump_stats", "stats", SHOW_MAIN},
    {"container.metadata", "metadata", SHOW_MAIN},
    /* --namespaces also runs the mounts plugin for the mount namespace */
    {"mounts.mounts", "mounts", SHOW_MAIN},
    /* --namespaces runs the pstree plugin too, for its namespaces table */
    {"pstree.processes", "pstree", SHOW_MAIN},
    {"pstree.threads", "details", SHOW_MAIN},
    {"pstree.namespaces", "namespaces", SHOW_AFTER},
    {"mounts.mountinfo", "namespaces", SHOW_AFTER},
    {"sockets.sockets", NULL, SHOW_MAIN},
    {"sockets.*", "network", SHOW_AFTER},
    {NULL},
};

static gboolean
place_names(const char *spec, const char *plugin, const char *table)
{
  size_t n = strlen(plugin);
  if (strncmp(spec, plugin, n) != 0 || spec[n] != '.')
    return FALSE;
  return strcmp(spec + n + 1, "*") == 0 || strcmp(spec + n + 1, table) == 0;
}

Placement
ckpt_look_placement(const CkptRenderOptions *opt, const char *plugin,
                    const char *table)
{
  for (const Place *p = places; p->table; p++)
    if (place_names(p->table, plugin, table))
      return p->part == NULL || ckpt_render_shows(opt, p->part) ? p->where
                                                                : SHOW_NOT;
  return SHOW_MAIN;
}

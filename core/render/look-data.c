/* look-data.c - checkpointctl's inspect look as data: the views of the
 * tables (labels, "Title: value" lines, nesting by pid) and where each
 * table is placed, by the parts shown (look.c draws them).
 */
#include <string.h>

#include "render/look.h"

/* ---- tree text: checkpointctl's labels and nesting ------------------- */

/* Node labels as templates (sdk/ckpt/plugin.h). A process:
 * "[1]  workload", and its state when it is not alive:
 * "[3]  workload (Zombie, exit 7)". With the "cmd" part (--ps-tree-cmd)
 * the command line replaces the name, as checkpointctl does (a zombie has
 * none: its name stays); JSON keeps both. */
#define PROCESS_STATE                                                          \
  "{!task_state=Alive:{?task_state: ({task_state}"                             \
  "{!task_state=Stopped:{?exit_code:, exit {exit_code}}})}}"
static const char process_label[] = "[{pid}]  {command}" PROCESS_STATE;
const char ckpt_look_process_cmd_label[] =
    "[{pid}]  {cmdline|command}" PROCESS_STATE;
/* "NAME=VALUE" */
static const char env_label[] = "{name}{?value:={value}}";
/* "[REG 0]  /dev/null", "[cwd]  /" */
static const char file_label[] = "[{?type:{type} }{fd}]  {path}";
/* "[TCP (LISTEN)]  0.0.0.0:8080 -> 0.0.0.0:0 (↑ 16.0 KiB ↓ 128.0 KiB)",
 * "[UNIX (STREAM)]  /tmp/ckpt.sock", "[NETLINK]  ...": checkpointctl
 * names the state of TCP sockets and the type of unix ones (a UDP
 * socket is always "CLOSE"); an unbound unix socket has no name to show */
static const char socket_label[] =
    "[{protocol}{?protocol=TCP:{?state: ({state})}}"
    "{?protocol=UNIX:{?type: ({type})}}]"
    "{?src:  {src/host}:{src_port/0} -> {?dst:{dst/host}:{dst_port/0}}"
    "{?send_buf:{?recv_buf: (↑ {send_buf} ↓ {recv_buf})}}}"
    "{!src:{?address:  {address}}"
    "{!address:{!protocol=UNIX:{?description:  {description}}}}}";
/* "Destination: /proc" */
static const char mount_label[] = "Destination: {destination}";
/* "1  workload" */
static const char thread_label[] = "{tid}{?comm:  {comm}}";
/* one line of text the look composed (look-text.c) */
static const char text_label[] = "{text}";

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
/* --ps-tree-env: where each environment was read (original area,
 * relocated by a title rewriter, the spec, none) */
const char *const ckpt_look_process_env[] = {"env_source=Environment source",
                                             NULL};
const char *const ckpt_look_process_details_env[] = {
    "exe=Executable",
    "memory=Memory",
    "uid=UID",
    "gid=GID",
    "cap_eff=Effective capabilities",
    "seccomp=Seccomp",
    "cgroup=Cgroup",
    "env_source=Environment source",
    NULL};
static const char *const socket_fields[] = {"peer=Peer", "backlog=Backlog",
                                            "in_queue=Queued to read",
                                            "out_queue=Queued to send", NULL};
static const char *const mount_fields[] = {"type=Type", "source=Source", NULL};

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
    {"container.dump_stats", .label_template = text_label, .fields = no_fields},
    {"container.metadata", .label_template = text_label, .fields = no_fields},
    {"container.stats", .hide = TRUE},
    {"container.annotations", .hide = TRUE},
    {"container.networks", .hide = TRUE},
    /* fields: ckpt_look_process_details with the "details" part (look_begin) */
    {"pstree.processes", .label_template = process_label,
     .fields = process_fields},
    {"pstree.threads", .label_template = thread_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"pstree.environment", .label_template = env_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"files.files", .label_template = file_label, .fields = no_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"sockets.sockets", .label_template = socket_label, .fields = socket_fields,
     .parent = "pstree.processes", .key = "pid", .parent_key = "pid"},
    {"sockets.addresses", .hide = TRUE},
    {"mounts.mounts", .label_template = mount_label, .fields = mount_fields},
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

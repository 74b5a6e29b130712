/* cli-inspect.c - `ckpt inspect`, checkpointctl's command of the same
 * name (`ckpt list` is in cli-list.c).
 *
 * inspect is sugar over the chain container + pstree, files, sockets,
 * mounts, with checkpointctl's flags mapped to plugins and options; --all
 * and --pid are expanded here because each stands for several settings.
 * Each flag also names the parts of checkpointctl's look
 * (core/render/look.c) it shows: the plugins emit everything they know,
 * the look draws what the flags asked for, as checkpointctl does.
 */
#include <string.h>

#include "cli/cli.h"
#include "util/error.h"

static const CkptCliFlag inspect_flags[] = {
    {"ps-tree", "display an overview of processes", "pstree", NULL, FALSE, NULL,
     FALSE, "pstree"},
    {"ps-tree-cmd", "display processes with their full command lines", "pstree",
     "pstree.cmd=true", FALSE, NULL, FALSE, "pstree,cmd"},
    {"ps-tree-env", "display processes with their environment variables",
     "pstree", "pstree.env=true", FALSE, NULL, FALSE, "pstree,env"},
    {"files", "display the open files of each process", "pstree,files", NULL,
     FALSE, NULL, FALSE, "pstree"},
    {"sockets", "display the open sockets of each process", "pstree,sockets",
     NULL, FALSE, NULL, FALSE, "pstree"},
    {"mounts", "display the mounts of the container's spec", "mounts", NULL,
     FALSE, NULL, FALSE, "mounts"},
    {"stats", "display the CRIU dump statistics", "container", NULL, FALSE,
     NULL, FALSE, "stats"},
    {"metadata", "display the pod, namespace and annotations of the container",
     "container", "container.annotations=true", FALSE, NULL, FALSE, "metadata"},
    /* ckpt's own branches, drawn after checkpointctl's */
    {"namespaces",
     "display the namespaces and the mount namespace's mounts as CRIU saved "
     "them (not in checkpointctl)",
     "pstree,mounts", NULL, FALSE, NULL, FALSE, "namespaces"},
    {"network",
     "display the network namespace's interfaces, addresses and routes "
     "(not in checkpointctl)",
     "sockets", NULL, FALSE, NULL, FALSE, "network"},
    {"details",
     "display each process's state, credentials, capabilities, seccomp "
     "mode, cgroup and threads (not in checkpointctl)",
     "pstree", NULL, FALSE, NULL, FALSE, "pstree,details"},
    /* --all and --pid are expanded before the generic runner sees them;
     * declared here for --help */
    {"all", "show all information about the checkpoints (all the flags above)",
     "pstree,files,sockets,mounts", NULL, FALSE},
    {"pid", "display the process tree of this pid", "pstree", "pstree.pid",
     TRUE},
    {"pstree-pid", "only this pid's subtree (use --pid)", "pstree",
     "pstree.pid", TRUE, NULL, FALSE, "pstree"},
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

static int
inspect_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = expand_inspect_args(argc, argv, &error);
  if (args == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  return ckpt_cli_run_sugar(cli, cmd, (int)args->len - 1, (char **)args->pdata);
}

const CkptCliCommand ckpt_cmd_inspect = {
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
    .look = "checkpointctl",
};

/* cli-list.c - `ckpt list [--recursive] [DIR...]`: the checkpoints stored
 * under directories, with checkpointctl list's columns. The walk, the
 * kubelet names and the rows are the host's (host/targets.h); with -v, a
 * global flag, each skipped entry is named.
 *
 * Exit status: 0 listed (even nothing), 1 a directory could not be read
 * or a checkpoint could not be opened (the others are still listed), 2
 * usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void
print_problem(void *user, const char *line)
{
  ckpt_cli_print_error("%s", line);
}

static int
list_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  static const char *const default_dirs[] = {"/var/lib/kubelet/checkpoints",
                                             NULL};
  CkptListOptions o = {.limits = ckpt_cli_limits(cli),
                       .verbose = ckpt_cli_verbose(cli),
                       .problem = print_problem};
  g_autoptr(GPtrArray) dirs = g_ptr_array_new();
  gboolean flags_done = FALSE;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!flags_done && strcmp(a, "--") == 0)
      flags_done = TRUE;
    else if (!flags_done && (strcmp(a, "--recursive") == 0 ||
                             strcmp(a, "-r") == 0 || strcmp(a, "-R") == 0))
      o.recursive = TRUE;
    else if (!flags_done && a[0] == '-' && a[1] != '\0')
      return ckpt_cli_usage_error("unknown flag %s for %s (usage: ckpt %s %s)",
                                  a, cmd->name, cmd->name, cmd->usage);
    else
      g_ptr_array_add(dirs, (gpointer)a);
  }
  if (dirs->len == 0)
    g_ptr_array_add(dirs, (gpointer)default_dirs[0]);

  g_autofree guint *found = g_new0(guint, dirs->len);
  gboolean failed = FALSE;
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, ckpt_targets_list(&o, (char **)dirs->pdata, dirs->len,
                                           found, &failed));
  int status = failed ? CKPT_EXIT_FAILED : CKPT_EXIT_OK;
  CkptRenderFormat format = ckpt_cli_format(cli, "table");
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;
  guint all = 0;
  /* checkpointctl's lines, before the table, per directory given */
  for (guint i = 0; i < dirs->len; i++) {
    if (text && found[i])
      printf("Listing checkpoints in path: %s\n", (char *)dirs->pdata[i]);
    all += found[i];
  }
  if (all == 0 && text) {
    printf("No checkpoints found in [");
    for (guint i = 0; i < dirs->len; i++)
      printf("%s%s", i ? " " : "", (char *)dirs->pdata[i]);
    printf("]\n");
    return status;
  }
  CkptRenderOptions opt = {.format = format, .merge = TRUE};
  ckpt_render(stdout, shown, &opt);
  return status;
}

/* For --help only: list parses its one flag itself. */
static const CkptCliFlag list_flags[] = {
    {"recursive",
     "also walk subdirectories (-r), never through a symlink; with -v, "
     "skipped entries are named",
     NULL, NULL, FALSE},
    {NULL},
};

const CkptCliCommand ckpt_cmd_list = {
    .name = "list",
    .summary = "list checkpoints stored in the default and given directories",
    .usage = "[--recursive] [DIR...]",
    .flags = list_flags,
    .format = "table",
    .run = list_run,
};

/* cli-list.c - `ckpt list [--recursive] [DIR...]`: the checkpoints stored
 * under directories, with checkpointctl list's columns: the list plugin
 * (plugins/list) run over them by the host (host/targets.h), its rows
 * drawn by render/listing.c; with -v, a global flag, each skipped entry is
 * named.
 *
 * Exit status: 0 listed (even nothing), 1 a directory could not be read
 * or a checkpoint could not be opened (the others are still listed), 2
 * usage error.
 */
#include <string.h>

#include "cli/cli.h"
#include "render/listing.h"

/* list reads its one flag itself */
static const CkptCliFlag list_flags[] = {
    {"recursive",
     "also walk subdirectories (-r), never through a symlink; with -v, "
     "skipped entries are named",
     NULL, NULL, FALSE, "-r"},
    {NULL},
};

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
  const char *vals[G_N_ELEMENTS(list_flags)] = {NULL};
  g_autoptr(GError) error = NULL;
  if (!ckpt_flags_take(list_flags, argc, argv, vals, dirs, &error))
    return ckpt_cli_usage_error("%s", error->message);
  o.recursive = vals[0] != NULL;
  gboolean dashdash = FALSE;
  for (guint i = 0; i < dirs->len; i++) {
    const char *a = dirs->pdata[i];
    if (!dashdash && strcmp(a, "--") == 0)
      g_ptr_array_remove_index(dirs, i--), dashdash = TRUE;
    else if (!dashdash && a[0] == '-' && a[1] != '\0')
      return ckpt_cli_usage_error("unknown flag %s for %s (usage: ckpt %s %s)",
                                  a, cmd->name, cmd->name, cmd->usage);
  }
  if (dirs->len == 0)
    g_ptr_array_add(dirs, (gpointer)default_dirs[0]);

  g_autofree guint *found = g_new0(guint, dirs->len);
  gboolean failed = FALSE;
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, ckpt_targets_list(ckpt_cli_host(cli), &o,
                                           (char **)dirs->pdata, dirs->len,
                                           found, &failed));
  ckpt_render_listing(stdout, shown, (char **)dirs->pdata, dirs->len, found,
                      ckpt_cli_format(cli, "table"));
  return failed ? CKPT_EXIT_FAILED : CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_list = {
    .name = "list",
    .summary = "list checkpoints stored in the default and given directories",
    .usage = "[--recursive] [DIR...]",
    .flags = list_flags,
    .format = "table",
    .run = list_run,
};

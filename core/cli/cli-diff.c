/* cli-diff.c - `ckpt diff A B`: what changed between two checkpoints of one
 * container. Sugar over the diff plugin (plugins/diff), a multi-checkpoint
 * plugin: its dependencies (pstree with command lines, files, sockets) run
 * over each side, then the plugin once over both.
 *
 * Exit status as diff(1): 0 equal, 1 different (two different containers
 * count as different, and the output says so), 2 an error or usage
 * error. */
#include "cli/cli.h"

#include <string.h>

/* the value of column name in row i of t, or NULL */
static const CkptValue *
cell(const CkptResult *t, guint i, const char *name)
{
  for (size_t c = 0; c < t->n_columns; c++)
    if (strcmp(t->decl->columns[c].name, name) == 0)
      return &g_array_index(t->rows, CkptRow, i).values[c];
  return NULL;
}

/* diff(1)'s statuses: 0 equal, 1 different (errors are 2, before this).
 * Different is any process, file or socket row, a process whose memory
 * size changed, a total that moved, or two different containers. */
static int
diff_status(CkptCli *cli, GPtrArray *reports)
{
  const CkptReport *rep = g_ptr_array_index(reports, 0);
  if (ckpt_cli_count_rows(reports, "diff", "processes") ||
      ckpt_cli_count_rows(reports, "diff", "files") ||
      ckpt_cli_count_rows(reports, "diff", "sockets"))
    return 1;
  const CkptResult *mem = ckpt_report_table(rep, "diff", "memory");
  for (guint i = 0; mem && i < mem->rows->len; i++) {
    const CkptValue *delta = cell(mem, i, "delta");
    if (delta && delta->type == CKPT_T_INT && delta->v.i != 0)
      return 1;
  }
  const CkptResult *who = ckpt_report_table(rep, "diff", "container");
  for (guint i = 0; who && i < who->rows->len; i++) {
    const CkptValue *same = cell(who, i, "same_container");
    if (same && same->type == CKPT_T_BOOL && !same->v.i)
      return 1;
  }
  return 0;
}

static int
diff_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc != 2)
    return ckpt_cli_usage_error("diff needs two checkpoints: %s %s", cmd->name,
                                cmd->usage);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, "diff", &error);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  /* the command lines are compared too */
  static const char *const sets[] = {"pstree.cmd=true", NULL};
  g_autoptr(CkptPlan) plan =
      ckpt_plan_new(ckpt_cli_host(cli), chain, sets, &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "tree")};
  return ckpt_cli_run_multi(cli, plan, argv, 2, &ro, diff_status);
}

const CkptCliCommand ckpt_cmd_diff = {
    .name = "diff",
    .summary = "show processes, files, sockets and memory that changed "
               "between two checkpoints (exit 0 equal, 1 different, 2 error)",
    .usage = "A B",
    .run = diff_run,
};

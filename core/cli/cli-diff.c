/* cli-diff.c - `ckpt diff A B`: what changed between two checkpoints of one
 * container. Sugar over the diff plugin (plugins/diff), a multi-checkpoint
 * plugin: its dependencies (pstree with command lines, files, sockets) run
 * over each side, then the plugin once over both. */
#include "cli/cli.h"

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
  return ckpt_cli_run_multi(cli, plan, argv, 2, &ro);
}

const CkptCliCommand ckpt_cmd_diff = {
    .name = "diff",
    .summary = "show processes, files, sockets and memory that changed "
               "between two checkpoints",
    .usage = "A B",
    .run = diff_run,
};

/* cli-run.c - `ckpt run CHAIN|PLUGIN,... FILE-OR-DIR...`: runs a named
 * chain or a list of plugins (dependencies added) over each checkpoint; a
 * directory of checkpoints is a sweep over them. */
#include "cli/cli.h"

#include <string.h>

static int
run_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  const char *spec = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  gboolean flags_done = FALSE;
  for (int i = 0; i < argc; i++) {
    if (!flags_done && strcmp(argv[i], "--") == 0) {
      flags_done = TRUE;
      continue;
    }
    if (!flags_done && argv[i][0] == '-' && argv[i][1] != '\0')
      return ckpt_cli_usage_error("run: unknown flag %s (options are set "
                                  "with --set PLUGIN.OPTION=VALUE)",
                                  argv[i]);
    if (spec == NULL)
      spec = argv[i];
    else
      g_ptr_array_add(files, argv[i]);
  }
  if (spec == NULL || files->len == 0)
    return ckpt_cli_usage_error("usage: ckpt run %s", cmd->usage);

  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, spec, &error);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  g_autoptr(CkptPlan) plan =
      ckpt_plan_new(ckpt_cli_host(cli), chain, ckpt_cli_sets(cli), &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);

  /* a directory of checkpoints is a sweep over them */
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < files->len; i++)
    ckpt_cli_expand_target(files->pdata[i], targets);
  if (targets->len == 0)
    return ckpt_cli_usage_error("run: no checkpoints found in %s",
                                (char *)files->pdata[0]);
  CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "tree")};
  g_autoptr(GPtrArray) reports = ckpt_cli_run_render(
      cli, plan, (char **)targets->pdata, (int)targets->len, &ro);
  return ckpt_cli_default_status(cli, reports);
}

static const CkptCliCommand run_cmd = {
    .name = "run",
    .summary = "run a named chain or plugins (a,b,c) over checkpoints",
    .usage = "CHAIN|PLUGIN[,PLUGIN...] FILE-OR-DIR...",
    .run = run_main,
};
CKPT_CLI_COMMAND(run_cmd)

/* cli-run.c - `ckpt run CHAIN|PLUGIN,... [FLAGS] FILE-OR-DIR...`: runs a
 * named chain or a list of plugins (dependencies added) over each
 * checkpoint; a directory of checkpoints is a sweep over them. The options
 * of the plugins run are flags (--PLUGIN.OPTION=VALUE, and --OPTION where
 * no other plugin of the chain has one of that name). A chain with a
 * multi-checkpoint plugin (diff) runs once over all files. */
#include "cli/cli.h"

#include <string.h>

static int
run_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  /* the chain is the first argument that is not a flag */
  int at = 0;
  while (at < argc && argv[at][0] == '-' && argv[at][1] != '\0' &&
         strcmp(argv[at], "--") != 0)
    at++;
  if (at < argc && strcmp(argv[at], "--") == 0)
    at++;
  if (at >= argc)
    return ckpt_cli_usage_error("usage: ckpt run %s", cmd->usage);
  const char *spec = argv[at];

  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, spec, &error);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  g_autoptr(CkptPlan) plan =
      ckpt_plan_new(ckpt_cli_host(cli), chain, NULL, &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);

  /* every argument but the chain: option flags and files */
  g_autoptr(GPtrArray) rest = g_ptr_array_new();
  for (int i = 0; i < argc; i++)
    if (i != at)
      g_ptr_array_add(rest, argv[i]);
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  if (!ckpt_cli_parse_options(cli, plan, (int)rest->len, (char **)rest->pdata,
                              files))
    return CKPT_EXIT_USAGE;
  if (files->len == 0)
    return ckpt_cli_usage_error("usage: ckpt run %s", cmd->usage);

  /* a directory of checkpoints is a sweep over them */
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < files->len; i++)
    ckpt_cli_expand_target(files->pdata[i], targets);

  CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "tree")};
  if (ckpt_plan_is_multi(plan))
    return ckpt_cli_run_multi(cli, plan, (char **)targets->pdata,
                              (int)targets->len, &ro, NULL);
  g_autoptr(GPtrArray) reports = ckpt_cli_run_render(
      cli, plan, (char **)targets->pdata, (int)targets->len, &ro);
  return ckpt_cli_default_status(cli, reports);
}

const CkptCliCommand ckpt_cmd_run = {
    .name = "run",
    .summary = "run a named chain or plugins (a,b,c) over checkpoints",
    .usage = "CHAIN|PLUGIN[,PLUGIN...] [--PLUGIN.OPTION=VALUE...] "
             "FILE-OR-DIR...",
    .run = run_main,
};

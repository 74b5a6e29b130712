/* sugar.c - the generic runner that turns a subcommand's flag table into a
 * chain run on the host's sweep engine (cli.h); the flags are parsed by
 * host/cmdline.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "host/shard.h"
#include "host/cmdline.h"
#include "host/flags.h"

/* Applies sets, then the global --set values (the most explicit wins), to
 * plan and sw (host/flags.h). FALSE after printing a usage error. */
static gboolean
apply_sets(CkptCli *cli, CkptPlan *plan, GPtrArray *sets, CkptSweep *sw)
{
  g_autoptr(GError) error = NULL;
  for (const char *const *s = ckpt_cli_sets(cli); *s; s++)
    g_ptr_array_add(sets, g_strdup(*s));
  /* one switch for both: the global --reveal shows the secrets plugin's
   * values too, and `ckpt secrets --reveal` turns the host's policy off */
  if (ckpt_cli_reveal(cli) && ckpt_plan_step(plan, "secrets"))
    g_ptr_array_add(sets, g_strdup("secrets.reveal=true"));
  for (guint i = 0; i < sets->len; i++)
    if (strcmp(g_ptr_array_index(sets, i), "secrets.reveal=true") == 0)
      ckpt_cli_set_reveal(cli);
  if (!ckpt_sweep_apply(sw, plan, sets, &error)) {
    ckpt_cli_usage_error("%s", error->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
ckpt_cli_parse_options(CkptCli *cli, CkptPlan *plan, int argc, char **argv,
                       GPtrArray *positional)
{
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  if (!ckpt_flags_rest(NULL, plan, argc, argv, sets, positional, &error)) {
    ckpt_cli_usage_error("%s", error->message);
    return FALSE;
  }
  /* sweep.* settings (--threads) are the session's until the sweep */
  return apply_sets(cli, plan, sets, ckpt_session_sweep_settings(cli));
}

int
ckpt_cli_run_sugar(CkptCli *cli, const CkptCliCommand *cmd, int argc,
                   char **argv)
{
  g_autoptr(GPtrArray) plugins = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  for (const char *const *d = cmd->defaults; d && *d; d++)
    g_ptr_array_add(sets, g_strdup(*d));
  g_autoptr(GPtrArray) show = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) expanded =
      ckpt_flags_expand(cmd->flags, argc, argv, &error);
  if (expanded == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  argc = (int)expanded->len - 1;
  argv = (char **)expanded->pdata;
  if (!ckpt_flags_apply(cmd->flags, argc, argv, plugins, sets, show, &error))
    return ckpt_cli_usage_error("%s", error->message);

  g_autoptr(CkptChain) chain = NULL;
  if (cmd->chain)
    chain = ckpt_cli_chain(cli, cmd->chain, &error);
  else if (plugins->len > 0)
    chain = ckpt_chain_from_list(g_ptr_array_index(plugins, 0), &error);
  else
    return ckpt_cli_usage_error("%s: nothing to run (see ckpt %s --help)",
                                cmd->name, cmd->name);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  ckpt_flags_add_plugins(chain, plugins);
  CkptHost *h = ckpt_cli_host(cli);
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, chain, NULL, &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);

  CkptSweep sw;
  ckpt_cli_sweep_init(cli, &sw);
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  if (!ckpt_flags_rest(cmd->flags, plan, argc, argv, sets, files, &error))
    return ckpt_cli_usage_error("%s", error->message);
  if (!apply_sets(cli, plan, sets, &sw))
    return CKPT_EXIT_USAGE;
  if (files->len == 0)
    return ckpt_cli_usage_error("%s: no checkpoint given (usage: ckpt %s %s)",
                                cmd->name, cmd->name,
                                cmd->usage ? cmd->usage : "FILE...");
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < files->len; i++)
    ckpt_cli_expand_target(files->pdata[i], targets);
  if (targets->len == 0 && ckpt_shard_get()->count)
    return CKPT_EXIT_OK; /* this --shard worker's part is empty */
  if (targets->len == 0)
    return ckpt_cli_usage_error("%s: no checkpoints found in %s", cmd->name,
                                (char *)files->pdata[0]);

  ckpt_sweep_prepare(&sw, plan, targets->len);
  g_ptr_array_add(show, NULL);
  CkptRenderFormat format =
      ckpt_cli_format(cli, cmd->format ? cmd->format : "tree");
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;
  CkptRenderOptions ro = {
      .format = format,
      .only = cmd->only_text && !text ? NULL : cmd->only,
      .merge = cmd->merge,
      .look = cmd->look,
      .show = cmd->show ? cmd->show : (const char *const *)show->pdata,
      .file_column = cmd->file_column,
  };
  /* a command that judges findings from rows needs every row kept; the
   * others stream */
  g_autoptr(GPtrArray) reports = NULL;
  if (cmd->write) {
    reports = ckpt_sweep_run(&sw, plan, (char **)targets->pdata, targets->len);
    cmd->write(cli, reports, &ro);
  } else {
    reports = ckpt_cli_sweep_render(cli, &sw, plan, (char **)targets->pdata,
                                    (int)targets->len, &ro, FALSE);
  }
  return cmd->exit_status ? cmd->exit_status(cli, reports)
                          : ckpt_cli_default_status(cli, reports);
}

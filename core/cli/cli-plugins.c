/* cli-plugins.c - `ckpt plugins [NAME]` and `ckpt chains`: what the host
 * loaded and which chains are defined (host/catalog.h), rendered like any
 * plugin's rows so --format json works here too. */
#include "cli/cli.h"
#include "host/catalog.h"

/* Renders one report with the table format by default. */
static int
show(CkptCli *cli, CkptReport *rep, const char *const *only, gboolean merge)
{
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(reports, rep);
  CkptRenderOptions ro = {
      .format = ckpt_cli_format(cli, "table"), .only = only, .merge = merge};
  ckpt_render(stdout, reports, &ro);
  return CKPT_EXIT_OK;
}

static int
plugins_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  static const char *const all[] = {"plugins.plugins", NULL};
  static const char *const one[] = {"plugins.plugin", "plugins.options",
                                    "plugins.tables", NULL};
  if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
    return ckpt_cli_usage_error("usage: ckpt plugins %s", cmd->usage);
  CkptReport *rep =
      ckpt_catalog_plugins(ckpt_cli_host(cli), argc == 1 ? argv[0] : NULL);
  if (rep == NULL) {
    const char *near = ckpt_host_nearest(ckpt_cli_host(cli), argv[0]);
    return ckpt_cli_usage_error("plugin %s is not installed%s%s%s", argv[0],
                                near ? " (did you mean " : "", near ? near : "",
                                near ? "?)" : "");
  }
  return show(cli, rep, argc == 1 ? one : all, argc == 0);
}

const CkptCliCommand ckpt_cmd_plugins = {
    .name = "plugins",
    .summary = "list loaded plugins, or show one in full",
    .usage = "[NAME]",
    .run = plugins_main,
};

static int
chains_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc > 0)
    return ckpt_cli_usage_error("usage: ckpt chains");
  return show(cli, ckpt_catalog_chains(ckpt_cli_chains(cli)), NULL, TRUE);
}

const CkptCliCommand ckpt_cmd_chains = {
    .name = "chains",
    .summary = "list the named chains and where they are defined",
    .usage = "",
    .run = chains_main,
};

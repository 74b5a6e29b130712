/* cli-help.c - `ckpt help [COMMAND]`, what --help prints, "did you mean"
 * for commands, and `ckpt help --dump`: the declarations (the command
 * table, each command's flags, host/cmdline.h's global flags, the plugins'
 * options, render/help.h's notes) as rows that docs/mkman.py and
 * docs/mkcompletion.py turn into ckpt(1) and the shell completions.
 * The text is drawn by render/help.c: nothing is written twice. */
#include <string.h>

#include "cli/cli.h"
#include "host/catalog.h"
#include "render/help.h"
#include "util/suggest.h"

/* The plan a chain command runs with every flag given: its plugins and
 * their options, i.e. the flags it accepts. NULL for other commands. */
static CkptPlan *
command_plan(CkptCli *cli, const CkptCliCommand *cmd)
{
  if (cmd->chain == NULL)
    return NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, cmd->chain, NULL);
  if (chain == NULL)
    return NULL;
  g_autoptr(GPtrArray) lists = g_ptr_array_new();
  for (size_t i = 0; cmd->flags && cmd->flags[i].flag; i++)
    g_ptr_array_add(lists, (gpointer)cmd->flags[i].plugins);
  ckpt_flags_add_plugins(chain, lists);
  return ckpt_plan_new(ckpt_cli_host(cli), chain, NULL, NULL);
}

const char *
ckpt_cli_suggest_command(const char *word)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (size_t i = 0; ckpt_cli_commands[i]; i++)
    g_ptr_array_add(names, (gpointer)ckpt_cli_commands[i]->name);
  g_ptr_array_add(names, NULL);
  return ckpt_suggest(word, (const char *const *)names->pdata);
}

void
ckpt_cli_print_help(CkptCli *cli, FILE *out, const CkptCliCommand *c)
{
  if (c == NULL) {
    g_autoptr(GPtrArray) cmds = g_ptr_array_new();
    for (size_t i = 0; ckpt_cli_commands[i]; i++) {
      g_ptr_array_add(cmds, (gpointer)ckpt_cli_commands[i]->name);
      g_ptr_array_add(cmds, (gpointer)ckpt_cli_commands[i]->summary);
    }
    g_ptr_array_add(cmds, NULL);
    ckpt_help_general(out, (const char *const *)cmds->pdata);
    return;
  }
  g_autoptr(CkptPlan) plan = command_plan(cli, c);
  ckpt_help_command(out, c->name, c->usage, c->summary, c->chain, c->flags,
                    plan);
  if (c == &ckpt_cmd_run)
    ckpt_help_run_names(out, ckpt_cli_chains(cli), ckpt_cli_host(cli));
  fprintf(out, "\nGlobal flags (ckpt --help) go before or after the "
               "command.\n");
}

static int
help_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc == 1 && strcmp(argv[0], "--dump") == 0) {
    g_autoptr(GPtrArray) reports =
        g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
    CkptReport *rep = ckpt_catalog_decls_new();
    g_ptr_array_add(reports, rep);
    for (size_t i = 0; ckpt_cli_commands[i]; i++) {
      const CkptCliCommand *c = ckpt_cli_commands[i];
      ckpt_catalog_decl_command(rep, c->name, c->summary,
                                c->usage ? c->usage : "FILE...", c->chain);
      g_autoptr(CkptPlan) plan = command_plan(cli, c);
      ckpt_help_decl_flags(rep, c->name, c->flags, plan);
    }
    ckpt_help_decl_rest(rep, ckpt_cli_chains(cli));
    CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "json")};
    ckpt_render(stdout, reports, &ro);
    return CKPT_EXIT_OK;
  }
  if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
    return ckpt_cli_usage_error("usage: ckpt help %s", cmd->usage);
  const CkptCliCommand *c = argc ? ckpt_cli_find(argv[0]) : NULL;
  if (argc && c == NULL) {
    const char *s = ckpt_cli_suggest_command(argv[0]);
    return ckpt_cli_usage_error("unknown command '%s'%s%s%s", argv[0],
                                s ? " (did you mean " : "", s ? s : "",
                                s ? "?)" : " (see ckpt help)");
  }
  ckpt_cli_print_help(cli, stdout, c);
  return CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_help = {
    .name = "help",
    .summary = "print help on ckpt or on one command",
    .usage = "[COMMAND]",
    .run = help_main,
};

/* commands.c - the table of subcommands, in the style of git.c's
 * commands[]: an explicit list rather than registration by constructors, so
 * --help lists what the table holds and a unit test can find each command
 * without running main (tests/unit/test-cli.c). Kept sorted by name: help
 * prints it in this order. */
#include <string.h>

#include "cli/cli.h"

/* clang-format off */
const CkptCliCommand *const ckpt_cli_commands[] = {
    &ckpt_cmd_chains,
    &ckpt_cmd_diff,
    &ckpt_cmd_extract,
    &ckpt_cmd_help,
    &ckpt_cmd_inspect,
    &ckpt_cmd_list,
    &ckpt_cmd_memparse,
    &ckpt_cmd_plugins,
    &ckpt_cmd_report,
    &ckpt_cmd_rootfs,
    &ckpt_cmd_run,
    &ckpt_cmd_secrets,
    &ckpt_cmd_show,
    &ckpt_cmd_triage,
    &ckpt_cmd_watch,
    &ckpt_cmd_yara,
    NULL,
};
/* clang-format on */

const CkptCliCommand *
ckpt_cli_find(const char *name)
{
  for (size_t i = 0; name && ckpt_cli_commands[i]; i++)
    if (strcmp(ckpt_cli_commands[i]->name, name) == 0)
      return ckpt_cli_commands[i];
  return NULL;
}

/* cli.h - the ckpt command line: the subcommand table and its types.
 *
 * Subcommands are thin sugar over plugin chains. To add one, write
 * core/cli/cli-NAME.c defining `const CkptCliCommand ckpt_cmd_NAME` (a
 * flag table, a chain, a default format; see cli-inspect.c), declare it
 * below, list it in commands.c (git's commands[]: a unit test can look it
 * up) and in cli_sources of core/meson.build.
 *
 * The generic runner (sugar.c) applies the command's flags (adding
 * plugins, setting options), resolves the chain, takes each option of its
 * plugins as a flag (host/cmdline.h, host/flags.h), applies --set last,
 * expands every FILE-OR-DIR and runs the chain on the host's sweep engine,
 * rendered with the command's format unless --format is given. Nothing
 * here opens a checkpoint or reads the model (tests/cli/layers.sh).
 *
 * Exit status: 0 fine; 1 a checkpoint or plugin failed; 2 usage error. A
 * command that reports findings sets exit_status (yara: 0 no hits, 1
 * hits, 2+ error).
 */
#ifndef CKPT_CLI_H
#define CKPT_CLI_H

#include <glib.h>

#include "host/cmdline.h"
#include "render/session.h"

/* the session (render/session.h) under the names commands use */
typedef CkptSession CkptCli;

typedef CkptFlag CkptCliFlag; /* host/cmdline.h */

typedef struct CkptCliCommand {
  const char *name;
  const char *summary;
  const char *usage; /* after "ckpt NAME " */
  /* generic sugar (used when run is NULL) */
  const char *chain;        /* chain name or plugin list always run; NULL ok */
  const CkptCliFlag *flags; /* terminated by {NULL} */
  const char *format;       /* default output format; NULL: tree */
  const char *const *only;  /* "plugin.table" to render; NULL: all */
  gboolean merge;           /* table format: one table over all files */
  /* exit status from the reports; NULL: ckpt_cli_default_status */
  int (*exit_status)(CkptCli *cli, GPtrArray *reports);
  /* a custom command: args are what follows the subcommand name, global
   * flags already removed */
  int (*run)(CkptCli *cli, const struct CkptCliCommand *cmd, int argc,
             char **argv);
  /* appended: a look of the renderer (render.h's CkptRenderOptions.look,
   * inspect's "checkpointctl") and its parts to show */
  const char *look;
  const char *const *show;
  /* appended: settings applied before the flags, NULL-ended: plugin
   * options ("PLUGIN.OPTION=VALUE") or the sweep engine's (host/sweep.h):
   * "sweep.threads=N" (0: the cores), "sweep.progress=false",
   * "sweep.once=true" (each plugin message once) */
  const char *const *defaults;
  gboolean only_text; /* .only applies to tree and table only */
  /* appended: merged tables name each row's checkpoint in a first
   * column of this title when there are several (render.h) */
  const char *file_column;
  /* appended: a command whose output goes elsewhere than stdout (report's
   * -o FILE) writes the kept reports itself; FALSE when it could not */
  gboolean (*write)(CkptCli *cli, GPtrArray *reports,
                    const CkptRenderOptions *ro);
} CkptCliCommand;

/* The commands, one per cli-*.c file, and their table (commands.c):
 * sorted by name, NULL-ended. */
extern const CkptCliCommand ckpt_cmd_chains, ckpt_cmd_diff, ckpt_cmd_extract,
    ckpt_cmd_help, ckpt_cmd_inspect, ckpt_cmd_list, ckpt_cmd_memparse,
    ckpt_cmd_plugins, ckpt_cmd_report, ckpt_cmd_rootfs, ckpt_cmd_run,
    ckpt_cmd_secrets, ckpt_cmd_show, ckpt_cmd_triage, ckpt_cmd_watch,
    ckpt_cmd_yara;
extern const CkptCliCommand *const ckpt_cli_commands[];
/* The command called name, or NULL. */
const CkptCliCommand *ckpt_cli_find(const char *name);
#define ckpt_cli_host ckpt_session_host
#define ckpt_cli_chains ckpt_session_chains
#define ckpt_cli_sets ckpt_session_sets
#define ckpt_cli_limits ckpt_session_limits
#define ckpt_cli_verbose ckpt_session_verbose
#define ckpt_cli_quiet ckpt_session_quiet
#define ckpt_cli_reveal ckpt_session_reveal
#define ckpt_cli_set_reveal ckpt_session_set_reveal
#define ckpt_cli_format ckpt_session_format
#define ckpt_cli_chain ckpt_session_chain
#define ckpt_cli_expand_target ckpt_session_expand_target
#define ckpt_cli_sweep_init ckpt_session_sweep_init
#define ckpt_cli_sweep_render ckpt_session_sweep_render
#define ckpt_cli_run_render ckpt_session_run_render
#define ckpt_cli_run_multi ckpt_session_run_multi
#define ckpt_cli_print_error ckpt_session_error
#define ckpt_cli_usage_error ckpt_session_usage_error
/* 0 when every report is fine, else 1; rows of plugin.table */
#define ckpt_cli_default_status(cli, reports) ckpt_sweep_status(reports)
#define ckpt_cli_count_rows ckpt_sweep_count_rows

/* plan's option flags in argv (host/cmdline.h) set on plan, then the
 * global --set values; the rest to positional. FALSE after a usage error. */
gboolean ckpt_cli_parse_options(CkptCli *cli, CkptPlan *plan, int argc,
                                char **argv, GPtrArray *positional);

/* Help (cli-help.c): the whole tool's when cmd is NULL, else cmd's with
 * the options of the plugins it runs. */
void ckpt_cli_print_help(CkptCli *cli, FILE *out, const CkptCliCommand *cmd);
/* "Did you mean": the command nearest word, or NULL. */
const char *ckpt_cli_suggest_command(const char *word);

/* The whole command line; main() calls it. */
int ckpt_cli_main(int argc, char **argv);

/* The generic sugar runner, for commands that only add a step around it. */
int ckpt_cli_run_sugar(CkptCli *cli, const CkptCliCommand *cmd, int argc,
                       char **argv);

#endif

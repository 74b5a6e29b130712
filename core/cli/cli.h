/* cli.h - the ckpt command line: global flags, the subcommand table and the
 * helpers subcommands share.
 *
 * Subcommands are thin sugar over plugin chains. To add one (say
 * `ckpt inspect`), write core/cli/cli-inspect.c defining a CkptCliCommand
 * named ckpt_cmd_inspect, declare it below and put it in the table of
 * commands.c (git's commands[]: an explicit list, so a unit test can look
 * a command up without running main); add the file to cli_sources in
 * core/meson.build. main() finds it by name, --help lists it.
 *
 *   static const CkptCliFlag inspect_flags[] = {
 *       {"ps-tree", "show the process tree", "pstree", NULL, FALSE},
 *       {"pid", "only this PID's subtree", "pstree", "pstree.pid", TRUE},
 *       {NULL}};
 *   const CkptCliCommand ckpt_cmd_inspect = {
 *       .name = "inspect",
 *       .summary = "display low-level information about checkpoints",
 *       .usage = "[--ps-tree] [--pid=PID] FILE...",
 *       .chain = "container",          // always run
 *       .flags = inspect_flags,        // add plugins and set options
 *       .format = "tree",
 *   };
 *
 * The generic runner then: applies the command's flags (adding plugins,
 * setting options), resolves the chain (dependencies added), accepts each
 * option the chain's plugins declare as a flag (--OPTION, --PLUGIN.OPTION,
 * booleans also --no-OPTION; host/flags.h), applies global --set last,
 * expands every FILE-OR-DIR into targets and runs the chain over them on
 * the host's sweep engine (host/sweep.h: worker pool, progress, problems)
 * and renders with the command's format unless --format is given.
 * Nothing here opens a checkpoint or reads the model (tests/cli/layers.sh
 * checks the objects).
 *
 * Exit status: 0 everything ran and succeeded; 1 a checkpoint could not be
 * opened or a plugin failed (FAILED, FATAL or skipped); 2 usage error
 * (unknown flag, plugin or option, wrong type). A command that reports
 * findings sets exit_status, e.g. for yara: 0 no hits, 1 hits, 2+ error —
 * see ckpt_cli_default_status() and ckpt_cli_count_rows().
 */
#ifndef CKPT_CLI_H
#define CKPT_CLI_H

#include <glib.h>

#include "host/chain.h"
#include "host/cmdline.h"
#include "host/host.h"
#include "host/sweep.h"
#include "render/render.h"

#define CKPT_EXIT_OK 0
#define CKPT_EXIT_FAILED 1
#define CKPT_EXIT_USAGE 2
/* commands whose 1 means found or different (yara, secrets, diff,
 * memparse --search) exit 2 on any error */
#define CKPT_EXIT_ERROR 2

typedef struct CkptCli CkptCli;

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
/* The constructor registration this table replaced: a command file still
 * using it fails to build, rather than leaving its command out. */
#define CKPT_CLI_COMMAND(var)                                                  \
  _Static_assert(0, "list the command in core/cli/commands.c: define "         \
                    "const CkptCliCommand ckpt_cmd_NAME and add it there")

/* Global state, for commands. */
CkptHost *ckpt_cli_host(CkptCli *cli);          /* loads plugins once */
CkptChainSet *ckpt_cli_chains(CkptCli *cli);    /* loads chain files once */
const char *const *ckpt_cli_sets(CkptCli *cli); /* --set values */
const CkptLimits *ckpt_cli_limits(CkptCli *cli);
gboolean ckpt_cli_verbose(CkptCli *cli); /* -v, --verbose */
gboolean ckpt_cli_quiet(CkptCli *cli);
/* --reveal: the host's redaction policy is off (also set by a
 * secrets.reveal=true setting, so `ckpt secrets --reveal` reveals all) */
gboolean ckpt_cli_reveal(CkptCli *cli);
void ckpt_cli_set_reveal(CkptCli *cli); /* -q, --quiet: no warnings */
/* the --format given, or def when none */
CkptRenderFormat ckpt_cli_format(CkptCli *cli, const char *def);

/* A chain from a name: a named chain if one exists, else a plugin list. */
CkptChain *ckpt_cli_chain(CkptCli *cli, const char *spec, GError **error);
/* A sweep's targets: path itself, or when path is a directory the image
 * set does not take as a checkpoint, its regular files and checkpoint
 * directories, sorted, not recursive (ckpt list walks deeper). Appends
 * char* to out; an empty directory adds nothing. */
void ckpt_cli_expand_target(const char *path, GPtrArray *out);
/* A sweep over the CLI's host and limits: one checkpoint at a time,
 * problems printed to stderr, model warnings too with -v. */
void ckpt_cli_sweep_init(CkptCli *cli, CkptSweep *sw);
/* The sweep rendered with ro onto stdout (render.h's ckpt_render_sweep):
 * streamed unless keep or several checkpoints run at once. */
GPtrArray *ckpt_cli_sweep_render(CkptCli *cli, const CkptSweep *sw,
                                 const CkptPlan *plan, char **files,
                                 int n_files, const CkptRenderOptions *ro,
                                 gboolean keep);
/* Opens each file and runs plan; errors go to stderr and into the
 * reports. Returns CkptReport*, one per file. */
GPtrArray *ckpt_cli_run_plan(CkptCli *cli, const CkptPlan *plan, char **files,
                             int n_files);
/* ckpt_cli_run_plan, rendered with ro onto stdout while it runs: rows of
 * tables no later plugin reads are written as they come and not kept
 * (render.h's streaming; formats that need every row first are rendered
 * at the end). Returns the reports, with the rows that were kept. */
GPtrArray *ckpt_cli_run_render(CkptCli *cli, const CkptPlan *plan, char **files,
                               int n_files, const CkptRenderOptions *ro);
/* Opens every file at once, runs plan's single-checkpoint steps over each,
 * then its multi-checkpoint steps (ckpt_plan_run_multi) over all of them
 * into one report, labelled "A -> B", rendered with ro. Nothing is
 * rendered when a checkpoint fails to open or its chain fails. Returns the
 * exit status: with exit_status NULL, ckpt_cli_default_status's; else
 * CKPT_EXIT_ERROR on any failure and exit_status(cli, the one report)
 * when everything ran (diff: 0 equal, 1 different). */
int ckpt_cli_run_multi(CkptCli *cli, const CkptPlan *plan, char **files,
                       int n_files, const CkptRenderOptions *ro,
                       int (*exit_status)(CkptCli *cli, GPtrArray *reports));
/* The flags of the plan's plugin options in argv (--OPTION,
 * --PLUGIN.OPTION, --no-OPTION for booleans; "=VALUE" or the next
 * argument) are set on plan, then the global --set values; the other
 * arguments go to positional. FALSE after printing a usage error. */
gboolean ckpt_cli_parse_options(CkptCli *cli, CkptPlan *plan, int argc,
                                char **argv, GPtrArray *positional);
/* 0 when every report is fine, else 1. */
int ckpt_cli_default_status(CkptCli *cli, GPtrArray *reports);
/* Rows of plugin.table over all reports (for findings statuses). */
size_t ckpt_cli_count_rows(GPtrArray *reports, const char *plugin,
                           const char *table);
/* Prints "ckpt: message" to stderr, escaped; returns CKPT_EXIT_USAGE. */
int ckpt_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void ckpt_cli_print_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

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

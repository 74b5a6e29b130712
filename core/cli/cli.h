/* cli.h - the ckpt command line: global flags, the subcommand table and the
 * helpers subcommands share.
 *
 * Subcommands are thin sugar over plugin chains. To add one (say
 * `ckpt inspect`), write core/cli/cli-inspect.c with a CkptCliCommand and
 * register it with CKPT_CLI_COMMAND(); add the file to cli_sources in
 * core/meson.build. Nothing else changes: main() finds it by name, --help
 * lists it.
 *
 *   static const CkptCliFlag inspect_flags[] = {
 *       {"ps-tree", "show the process tree", "pstree", NULL, FALSE},
 *       {"pid", "only this PID's subtree", "pstree", "pstree.pid", TRUE},
 *       {NULL}};
 *   static const CkptCliCommand inspect_cmd = {
 *       .name = "inspect",
 *       .summary = "display low-level information about checkpoints",
 *       .usage = "[--ps-tree] [--pid=PID] FILE...",
 *       .chain = "container",          // always run
 *       .flags = inspect_flags,        // add plugins and set options
 *       .format = "tree",
 *   };
 *   CKPT_CLI_COMMAND(inspect_cmd)
 *
 * The generic runner then: applies the command's flags (adding plugins,
 * setting options), resolves the chain (dependencies added), accepts each
 * option the chain's plugins declare as a flag (--OPTION, --PLUGIN.OPTION,
 * booleans also --no-OPTION), applies global --set last, runs the chain
 * over every FILE and renders with the command's format unless --format is
 * given.
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
#include "host/host.h"
#include "render/render.h"

#define CKPT_EXIT_OK 0
#define CKPT_EXIT_FAILED 1
#define CKPT_EXIT_USAGE 2

typedef struct CkptCli CkptCli;

typedef struct {
  const char *flag; /* --FLAG */
  const char *help;
  const char *plugins;  /* comma list added to the chain, or NULL */
  const char *set;      /* "PLUGIN.OPTION" (takes_value) or
                           "PLUGIN.OPTION=VALUE", or NULL */
  gboolean takes_value; /* --FLAG=VALUE or --FLAG VALUE */
} CkptCliFlag;

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
  /* appended: text views of tables for the tree format (render.h) */
  const CkptRenderView *views;
  /* appended: a command's own rendering of the reports; returns FALSE to
   * leave the format to ckpt_render (inspect's checkpointctl JSON) */
  gboolean (*render)(CkptCli *cli, GPtrArray *reports,
                     const CkptRenderOptions *ro);
  /* appended: a look of the renderer (render.h's CkptRenderOptions.look,
   * inspect's "checkpointctl") and its parts to show */
  const char *look;
  const char *const *show;
} CkptCliCommand;

void ckpt_cli_register(const CkptCliCommand *cmd);
const CkptCliCommand *ckpt_cli_find(const char *name);

#define CKPT_CLI_COMMAND(var)                                                  \
  __attribute__((constructor)) static void ckpt_cli_register_##var(void)       \
  {                                                                            \
    ckpt_cli_register(&(var));                                                 \
  }

/* Global state, for commands. */
CkptHost *ckpt_cli_host(CkptCli *cli);          /* loads plugins once */
CkptChainSet *ckpt_cli_chains(CkptCli *cli);    /* loads chain files once */
const char *const *ckpt_cli_sets(CkptCli *cli); /* --set values */
const CkptLimits *ckpt_cli_limits(CkptCli *cli);
/* the --format given, or def when none */
CkptRenderFormat ckpt_cli_format(CkptCli *cli, const char *def);

/* A chain from a name: a named chain if one exists, else a plugin list. */
CkptChain *ckpt_cli_chain(CkptCli *cli, const char *spec, GError **error);
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
/* 0 when every report is fine, else 1. */
int ckpt_cli_default_status(CkptCli *cli, GPtrArray *reports);
/* Rows of plugin.table over all reports (for findings statuses). */
size_t ckpt_cli_count_rows(GPtrArray *reports, const char *plugin,
                           const char *table);
/* Prints "ckpt: message" to stderr, escaped; returns CKPT_EXIT_USAGE. */
int ckpt_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void ckpt_cli_print_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* The whole command line; main() calls it. */
int ckpt_cli_main(int argc, char **argv);

/* The generic sugar runner, for commands that only add a step around it. */
int ckpt_cli_run_sugar(CkptCli *cli, const CkptCliCommand *cmd, int argc,
                       char **argv);

#endif

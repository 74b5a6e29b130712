/* cli-watch.c - `ckpt watch DIR...`: triage every checkpoint that appears
 * in the directories, once complete, as JSON Lines records; the logic is
 * core/host/watch.c, this file is its flags. The chain is ckpt triage's;
 * its options are flags as there (--min-severity, --skip, ...).
 *
 * Exit status: 0 after SIGTERM or SIGINT (the checkpoint in hand is
 * finished first) or, with --once, when the checkpoints present at start
 * are done; 2 when it cannot start (a directory, the output, the state). */
#include "cli/cli.h"

#include "host/watch.h"

static const CkptCliFlag watch_flags[] = {
    {"new-only", "leave out the checkpoints already there at start", NULL, NULL,
     FALSE},
    {"once", "triage what is there at start, then exit", NULL, NULL, FALSE},
    {"output", "append the records to FILE (fsync'd one by one), not stdout",
     NULL, NULL, TRUE},
    {"state", "remember done checkpoints in FILE across restarts", NULL, NULL,
     TRUE},
    {"exec",
     "run CMD per checkpoint with its summary record on stdin (split into "
     "words, run without a shell; say sh -c '...' for one)",
     NULL, NULL, TRUE},
    {"settle",
     "seconds a checkpoint must stay unchanged before it is taken (default "
     "2)",
     NULL, NULL, TRUE},
    {NULL},
};

static int
watch_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  CkptWatchOptions o = {.settle = 2.0};
  const char *vals[G_N_ELEMENTS(watch_flags)] = {NULL};
  g_autoptr(GPtrArray) rest = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  if (!ckpt_flags_take(watch_flags, argc, argv, vals, rest, &error))
    return ckpt_cli_usage_error("%s", error->message);
  o.new_only = vals[0] != NULL;
  o.once = vals[1] != NULL;
  o.output = vals[2];
  o.state = vals[3];
  o.exec = vals[4];
  if (vals[5]) {
    char *end;
    o.settle = g_ascii_strtod(vals[5], &end);
    if (*end || end == vals[5] || !(o.settle >= 0 && o.settle <= 86400))
      return ckpt_cli_usage_error("--settle: '%s' is not a number of seconds",
                                  vals[5]);
  }

  g_autoptr(CkptChain) chain =
      ckpt_cli_chain(cli, ckpt_cmd_triage.chain, &error);
  g_autoptr(CkptPlan) plan =
      chain ? ckpt_plan_new(ckpt_cli_host(cli), chain, NULL, &error) : NULL;
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new();
  if (!ckpt_cli_parse_options(cli, plan, (int)rest->len, (char **)rest->pdata,
                              dirs))
    return CKPT_EXIT_USAGE;
  if (dirs->len == 0)
    return ckpt_cli_usage_error("watch: no directory given (usage: ckpt %s %s)",
                                cmd->name, cmd->usage);
  g_ptr_array_add(dirs, NULL);
  o.dirs = (const char *const *)dirs->pdata;
  if (!ckpt_watch_run(ckpt_cli_host(cli), plan, ckpt_cli_limits(cli), &o,
                      &error))
    return ckpt_cli_usage_error("watch: %s", error->message);
  return CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_watch = {
    .name = "watch",
    .summary = "triage every checkpoint that appears in directories, once "
               "complete, as JSON Lines (for a DaemonSet; docs/fleet.md)",
    .usage = "[--new-only] [--once] [--output=FILE] [--state=FILE] "
             "[--exec=CMD] [--settle=S] [TRIAGE FLAGS] DIR...",
    .chain = "detect,yara,secrets,triage",
    .flags = watch_flags,
    .format = "jsonl",
    .run = watch_run,
};

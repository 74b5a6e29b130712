/* cli-triage.c - `ckpt triage FILE...`: every detector, yara and secrets
 * over each checkpoint, and what they found, most severe first, with a
 * verdict (clean, suspicious, compromised).
 *
 * Sugar over the chain detect,yara,secrets,triage (plugins/triage): only
 * the triage plugin's verdict and findings are shown. --with adds
 * third-party detectors, whose findings join the same list.
 *
 * Exit status: 0 nothing reached --fail-on (default high), 1 something did,
 * 2 an error (a checkpoint that could not be read, a plugin that failed:
 * the triage is then incomplete) or a usage error. */
#include "cli/cli.h"

static const CkptCliFlag triage_flags[] = {
    {"min-severity",
     "leave out findings below this severity (info, low, medium, high, "
     "critical)",
     NULL, "triage.min-severity", TRUE},
    {"only", "comma-separated finding ids to keep", NULL, "triage.only", TRUE},
    {"skip", "comma-separated finding ids to leave out", NULL, "triage.skip",
     TRUE},
    {"fail-on", "exit 1 when a finding reaches this severity (default high)",
     NULL, "triage.fail-on", TRUE},
    {NULL},
};

static const char *const triage_only[] = {"triage.verdict", "triage.findings",
                                          NULL};

static int
triage_exit_status(CkptCli *cli, GPtrArray *reports)
{
  /* an error wins over findings: the triage is then incomplete */
  if (ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK)
    return CKPT_EXIT_USAGE;
  return ckpt_cli_count_rows(reports, "triage", "gate") ? CKPT_EXIT_FAILED
                                                        : CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_triage = {
    .name = "triage",
    .summary = "what in each checkpoint looks evil: every detector, YARA and "
               "secrets, sorted by severity, with a verdict (exit 1 at "
               "--fail-on)",
    .usage = "[--min-severity=SEV] [--only=IDS] [--skip=IDS] [--fail-on=SEV] "
             "FILE...",
    .chain = "detect,yara,secrets,triage",
    .flags = triage_flags,
    .format = "table",
    .only = triage_only,
    .exit_status = triage_exit_status,
};

/* cli-report.c - `ckpt report -o FILE CHECKPOINT...`: one self-contained
 * HTML page per run (core/render/html.c) over the chain "report"
 * (chains/default.ini): the summary and verdict of triage, findings,
 * process tree, memory maps, sockets, files, root FS changes and a
 * timeline. -o is required; an existing file is replaced only with
 * --force (core/render/file.c writes it whole or not at all).
 *
 * Exit status as `ckpt run`: 0 fine, 1 a checkpoint or plugin failed or
 * the file could not be written, 2 usage. Findings do not change it; the
 * page shows them. */
#include "cli/cli.h"

/* report_run takes them out before the generic runner */
static const CkptCliFlag report_flags[] = {
    {"output", "the page to write (-o FILE, required)", NULL, NULL, TRUE, "-o"},
    {"force", "replace FILE when it exists", NULL, NULL, FALSE},
    {NULL},
};

/* -o and --force, taken out before the generic runner sees the rest */
static struct {
  const char *output;
  gboolean force;
  gboolean failed;
} report;

static const char *const report_only[] = {"container.info",
                                          "container.sizes",
                                          "container.deleted_files",
                                          "triage.verdict",
                                          "triage.findings",
                                          "pstree.processes",
                                          "pstree.threads",
                                          "pstree.environment",
                                          "memory.maps",
                                          "pages.runs",
                                          "container.networks",
                                          "container.annotations",
                                          "container.spec_mounts",
                                          "container.spec_env",
                                          "sockets.sockets",
                                          "files.files",
                                          "rootfs.changes",
                                          NULL};

static gboolean
report_render(CkptCli *cli, GPtrArray *reports, const CkptRenderOptions *ro)
{
  (void)cli;
  CkptRenderOptions o = *ro;
  o.format = CKPT_RENDER_HTML;
  o.utc = TRUE;
  g_autoptr(GError) error = NULL;
  if (!ckpt_render_to_path(report.output, report.force, reports, &o, &error)) {
    ckpt_cli_print_error("report: %s", error->message);
    report.failed = TRUE;
  }
  return TRUE;
}

static int
report_status(CkptCli *cli, GPtrArray *reports)
{
  if (report.failed)
    return CKPT_EXIT_FAILED;
  return ckpt_cli_default_status(cli, reports);
}

static int
report_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  g_autoptr(GPtrArray) rest = g_ptr_array_new();
  const char *vals[G_N_ELEMENTS(report_flags)] = {NULL};
  g_autoptr(GError) error = NULL;
  if (!ckpt_flags_take(report_flags, argc, argv, vals, rest, &error))
    return ckpt_cli_usage_error("report: %s", error->message);
  report.output = vals[0];
  report.force = vals[1] != NULL;
  report.failed = FALSE;
  if (report.output == NULL || *report.output == '\0')
    return ckpt_cli_usage_error("report: -o FILE is required (usage: ckpt "
                                "report %s)",
                                cmd->usage);
  /* refused before any checkpoint is opened; checked again when written */
  if (!report.force &&
      g_file_test(report.output, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    return ckpt_cli_usage_error("report: %s exists (--force replaces it)",
                                report.output);
  g_ptr_array_add(rest, NULL);
  return ckpt_cli_run_sugar(cli, cmd, (int)rest->len - 1, (char **)rest->pdata);
}

const CkptCliCommand ckpt_cmd_report = {
    .name = "report",
    .summary = "write one self-contained HTML page about each checkpoint: "
               "verdict, findings, processes, memory maps, network, files, "
               "root FS changes and a timeline",
    .usage = "-o FILE [--force] FILE...",
    .chain = "report",
    .flags = report_flags,
    .format = "tree",
    .only = report_only,
    .exit_status = report_status,
    .run = report_run,
    .write = report_render,
};

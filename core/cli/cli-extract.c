/* cli-extract.c - `ckpt extract FILE -o DIR [SELECTORS]`: writes the
 * evidence a checkpoint holds out into DIR, with manifest.json and
 * SHA256SUMS, as sugar over the extract plugin (plugins/extract), which
 * declares every flag (--output, --force, --pid, --exe, --fd, --path,
 * --range, --vma, --max-file-size, --max-total-size). This file adds -o
 * (a short form in its flag table) and refuses a command line without it as a
 * usage error.
 */
#include <string.h>

#include "cli/cli.h"

/* -o is --output (no help: described as the option's own flag) */
static const CkptCliFlag extract_flags[] = {
    {"output", NULL, NULL, "extract.output", TRUE, "-o"},
    {NULL},
};

static int
extract_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  gboolean output = FALSE;
  for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
    output = output || g_str_has_prefix(argv[i], "-o") ||
             g_str_has_prefix(argv[i], "--output") ||
             g_str_has_prefix(argv[i], "--extract.output");
  /* where the files go, said before anything is opened */
  if (!output && !(argc > 0 && strcmp(argv[0], "--help") == 0))
    return ckpt_cli_usage_error("extract: -o DIR is needed: where the files "
                                "go");
  return ckpt_cli_run_sugar(cli, cmd, argc, argv);
}

const CkptCliCommand ckpt_cmd_extract = {
    .name = "extract",
    .summary = "write a checkpoint's evidence (root FS changes, ghost files, "
               "memfds, buffers, queues, memory) into a directory, with a "
               "manifest and SHA256SUMS",
    .usage = "FILE -o DIR [--force] [--pid N [--exe] [--fd F] [--range A-B] "
             "[--vma ADDR]] [--path P]",
    .chain = "extract",
    .flags = extract_flags,
    .format = "table",
    .run = extract_run,
};

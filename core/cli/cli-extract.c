/* cli-extract.c - `ckpt extract FILE -o DIR [SELECTORS]`: writes the
 * evidence a checkpoint holds out into DIR, with manifest.json and
 * SHA256SUMS, as sugar over the extract plugin (plugins/extract), which
 * declares every flag (--output, --force, --pid, --exe, --fd, --path,
 * --range, --vma, --max-file-size, --max-total-size). This file adds -o
 * and refuses a command line without it as a usage error.
 */
#include <string.h>

#include "cli/cli.h"

static const CkptCliFlag extract_flags[] = {{NULL}};

static int
extract_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
  gboolean done = FALSE, output = FALSE;
  for (int i = 0; i < argc; i++) {
    done = done || strcmp(argv[i], "--") == 0;
    output =
        output || (!done && (strncmp(argv[i], "-o", 2) == 0 ||
                             strncmp(argv[i], "--output", 8) == 0 ||
                             strncmp(argv[i], "--extract.output", 16) == 0));
    if (!done && strcmp(argv[i], "-o") == 0)
      g_ptr_array_add(args, g_strdup("--output"));
    else if (!done && strncmp(argv[i], "-o", 2) == 0)
      g_ptr_array_add(args, g_strdup_printf("--output=%s", argv[i] + 2));
    else
      g_ptr_array_add(args, g_strdup(argv[i]));
  }
  g_ptr_array_add(args, NULL);
  /* where the files go, said before anything is opened */
  if (!output && !(argc > 0 && strcmp(argv[0], "--help") == 0))
    return ckpt_cli_usage_error("extract: -o DIR is needed: where the files "
                                "go");
  return ckpt_cli_run_sugar(cli, cmd, (int)args->len - 1, (char **)args->pdata);
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

/* cli-secrets.c - `ckpt secrets [--reveal] FILE...`: which credentials each
 * checkpointed container held, redacted, so a responder knows what to
 * rotate.
 *
 * Sugar over the secrets plugin (plugins/secrets): its three tables
 * (findings, where each was found, configured vs. in-process environment)
 * rendered as a tree by default. Every option of the plugin is also a flag
 * (--max-places, --max-file-size...); --no-memory, --no-files and
 * --no-objects leave out process memory, the rootfs diff and the content
 * held by kernel objects.
 *
 * Exit status, for scripts and CI, as `ckpt yara`: 0 nothing found, 1
 * secrets found, 2 an error (a checkpoint that cannot be read, rules that
 * do not compile, a usage error) when nothing was found. Findings win over
 * an error: over a directory, one unreadable or stray file must not hide
 * the secrets the other checkpoints hold; its error is printed on stderr
 * and kept in JSON.
 */
#include "cli/cli.h"

#define EXIT_NONE 0
#define EXIT_FOUND 1
#define EXIT_ERROR 2

static const CkptCliFlag secrets_flags[] = {
    {"reveal", "show secret values in full (redacted by default)", NULL,
     "secrets.reveal=true", FALSE},
    {"rules",
     "comma-separated YARA rule files or directories of detectors "
     "(default: the installed credentials.yar, keys.yar and secrets/)",
     NULL, "secrets.rules", TRUE},
    {"no-memory",
     "do not scan process memory (environment, command lines "
     "and files only)",
     NULL, "secrets.memory=false", FALSE},
    {"no-files", "do not scan the rootfs diff's files", NULL,
     "secrets.files=false", FALSE},
    {"no-objects",
     "do not scan what kernel objects hold (ghost files, memfds, pipe "
     "buffers, socket queues, saved tmpfs files)",
     NULL, "secrets.objects=false", FALSE},
    {NULL},
};

static int
secrets_exit_status(CkptCli *cli, GPtrArray *reports)
{
  /* found wins: a stray unreadable file in a sweep must not mask what
   * the others hold (its error is on stderr and in JSON) */
  if (ckpt_cli_count_rows(reports, "secrets", "findings"))
    return EXIT_FOUND;
  return ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK ? EXIT_ERROR
                                                               : EXIT_NONE;
}

const CkptCliCommand ckpt_cmd_secrets = {
    .name = "secrets",
    .summary = "list the credentials a checkpoint holds (redacted), from "
               "environments, command lines, memory and the rootfs diff "
               "(exit 0 none, 1 found, 2 error)",
    .usage = "[--reveal] [--rules=FILES] [--no-memory] [--no-files] "
             "[--no-objects] FILE...",
    .chain = "secrets",
    .flags = secrets_flags,
    .format = "tree",
    .exit_status = secrets_exit_status,
};

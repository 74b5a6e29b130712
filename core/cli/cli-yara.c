/* cli-yara.c - `ckpt yara [FLAGS] FILE-OR-DIR...`: sweeps YARA rules over
 * the memory of every process of each checkpoint.
 *
 * Sugar over the yara plugin (or a chain named yara), run by the host's
 * sweep engine (host/sweep.h). Rules are named, never guessed: -r/--rules
 * (source files or directories, repeatable), or -C/--compiled-rules for
 * one file compiled by yarac, which libyara trusts and so is only loaded
 * when asked for by that flag; with neither, the installed set is used.
 * Every positional argument is a checkpoint or a directory of them, so a
 * shell glob over checkpoints cannot turn one of its files into rules.
 * Checkpoints are scanned by a few workers at once, the plugin's threads
 * split between them, so a sweep over many small checkpoints keeps the
 * cores as busy as one big one.
 *
 * Exit status, for scripts and CI: 0 no hits, 1 hits, 2 an error (a rule
 * that does not compile, a checkpoint that cannot be read, a usage error)
 * when there is no hit. Hits win over an error: one stray or unreadable
 * file in a swept directory must not hide what the others hold; its error
 * is printed on stderr and kept in JSON.
 */
#include "cli/cli.h"

static const CkptCliFlag yara_flags[] = {
    {"rules",
     "source rules file or directory (repeatable; -r); default: the "
     "installed rules",
     NULL, "yara.rules", TRUE, "-r", TRUE},
    {"compiled-rules",
     "one rules file compiled by yarac (-C), instead of source rules; "
     "trusted input: libyara does not check compiled bytecode",
     NULL, "yara.compiled-rules", TRUE, "-C"},
    {"define", "external variable NAME=VALUE (repeatable; -d)", NULL,
     "yara.define", TRUE, "-d", TRUE},
    {"threads", "scanning threads in all (-p); default: the cores", NULL,
     "sweep.threads", TRUE, "-p"},
    {"fast", "fast matching mode (-f)", NULL, "yara.fast=true", FALSE, "-f"},
    {"timeout", "seconds allowed per process (-a)", NULL, "yara.timeout", TRUE,
     "-a"},
    {"max-matches", "matches reported per string and process (default 16)",
     NULL, "yara.max-matches", TRUE},
    {"context", "bytes of context around a match (default 16)", NULL,
     "yara.context", TRUE},
    {"rootfs", "scan the files of the rootfs diff (the default)", NULL,
     "yara.rootfs=true", FALSE},
    {"no-rootfs", "skip the files of the rootfs diff (scanned by default)",
     NULL, "yara.rootfs=false", FALSE},
    {"strict", "rule compiler warnings are errors", NULL, "yara.strict=true",
     FALSE},
    {"no-progress", "no progress bar (it is only drawn on a terminal)", NULL,
     "sweep.progress=false", FALSE},
    {NULL},
};

static int
yara_exit_status(CkptCli *cli, GPtrArray *reports)
{
  /* a hit is never masked by a stray file in a sweep that is not a
   * checkpoint or cannot be read: the problems went to stderr (and into
   * JSON), the status says found */
  if (ckpt_cli_count_rows(reports, "yara", "hits"))
    return CKPT_EXIT_FAILED;
  return ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK ? CKPT_EXIT_USAGE
                                                               : CKPT_EXIT_OK;
}

/* a sweep over the cores; a rule that does not compile said once */
static const char *const yara_defaults[] = {"sweep.threads=0",
                                            "sweep.once=true", NULL};
/* text shows the hits; JSON also the per-checkpoint summary */
static const char *const yara_only[] = {"yara.hits", NULL};

const CkptCliCommand ckpt_cmd_yara = {
    .name = "yara",
    .summary = "scan process memory with YARA rules (exit 0 none, 1 hits, "
               "2 error)",
    .usage = "[-r RULES]... [-C COMPILED] [FLAGS] FILE-OR-DIR...",
    .chain = "yara",
    .flags = yara_flags,
    .format = "table",
    .only = yara_only,
    .only_text = TRUE,
    .merge = TRUE,
    .exit_status = yara_exit_status,
    .defaults = yara_defaults,
};

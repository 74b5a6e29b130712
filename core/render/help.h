/* help.h - help text drawn from the declarations (host/cmdline.h's flags,
 * the plan's plugin options, the notes below); the same declarations are
 * `ckpt help --dump`'s rows (host/catalog.h), so help, man pages and
 * completions cannot drift. */
#ifndef CKPT_HELP_H
#define CKPT_HELP_H

#include <stdio.h>

#include "host/chain.h"
#include "host/cmdline.h"
#include "host/host.h"

typedef struct {
  const char *name, *help;
} CkptNote;
/* exit statuses, environment variables, files: {NULL}-ended */
extern const CkptNote ckpt_help_exits[], ckpt_help_environment[],
    ckpt_help_files[];

/* The whole tool's help: cmds is name, summary, name, summary, ... NULL. */
void ckpt_help_general(FILE *out, const char *const *cmds);
/* One command's help; plan (may be NULL) the plugins it runs, whose
 * options are flags too. */
void ckpt_help_command(FILE *out, const char *name, const char *usage,
                       const char *summary, const char *chain,
                       const CkptFlag *flags, const CkptPlan *plan);
/* What `ckpt run` can run: the chains and plugins. */
void ckpt_help_run_names(FILE *out, const CkptChainSet *set, CkptHost *h);
/* The tool's declarations that are not commands as rows of rep
 * (host/catalog.h): the global flags, then every note. */
void ckpt_help_decl_rest(CkptReport *rep, const CkptChainSet *set);
/* One command's flags and its plan's options as rows of rep. */
void ckpt_help_decl_flags(CkptReport *rep, const char *cmd,
                          const CkptFlag *flags, const CkptPlan *plan);

#endif

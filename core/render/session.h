/* session.h - a front end's session over the host: the settings of its
 * global flags, the host and chains loaded once, sweeps on the host's
 * engine (host/sweep.h) rendered onto stdout, problems as "ckpt: ..."
 * lines on stderr. core/cli is a thin map onto it (its CkptCli). */
#ifndef CKPT_SESSION_H
#define CKPT_SESSION_H

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

typedef struct CkptSession {
  GPtrArray *plugin_paths; /* char*, NULL-ended */
  GPtrArray *chain_files;  /* char* */
  GPtrArray *sets;         /* char*, NULL-ended: --set values */
  const char *format;      /* --format, or NULL */
  CkptLimits limits;
  gboolean verbose;
  gboolean quiet;  /* -q: no warnings on stderr */
  gboolean reveal; /* --reveal: the host's redaction policy is off */
  CkptHost *host;
  CkptChainSet *chains;
  /* the sweep.* settings of commands that parse options without a sweep
   * of their own (ckpt run): see ckpt_session_sweep_settings */
  CkptSweep sweep;
  gboolean sweep_ready;
} CkptSession;

/* "ckpt: message" on stderr, escaped; usage_error returns CKPT_EXIT_USAGE */
void ckpt_session_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
int ckpt_session_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

CkptHost *ckpt_session_host(CkptSession *cli);       /* plugins loaded once */
CkptChainSet *ckpt_session_chains(CkptSession *cli); /* chain files once */
const char *const *ckpt_session_sets(CkptSession *cli);
const CkptLimits *ckpt_session_limits(CkptSession *cli);
gboolean ckpt_session_verbose(CkptSession *cli);
gboolean ckpt_session_quiet(CkptSession *cli);
gboolean ckpt_session_reveal(CkptSession *cli);
/* reveal on (also by a secrets.reveal=true setting) */
void ckpt_session_set_reveal(CkptSession *cli);
/* the --format given, or def */
CkptRenderFormat ckpt_session_format(CkptSession *cli, const char *def);
/* a named chain if one exists, else a plugin list */
CkptChain *ckpt_session_chain(CkptSession *cli, const char *spec,
                              GError **error);

/* path's targets (host/targets.h), this --shard worker's part, to out */
void ckpt_session_expand_target(const char *path, GPtrArray *out);
/* The session's own sweep settings (threads, progress, once), which
 * sweep.* settings (and --threads) given to a command that builds its
 * sweep later (ckpt run) go to; ckpt_session_sweep_init starts from them. */
CkptSweep *ckpt_session_sweep_settings(CkptSession *cli);
/* a sweep over the session's host and limits, problems to stderr */
void ckpt_session_sweep_init(CkptSession *cli, CkptSweep *sw);
/* the sweep rendered with ro onto stdout (render.h's ckpt_render_sweep):
 * streamed, in the order of files, unless keep */
GPtrArray *ckpt_session_sweep_render(CkptSession *cli, const CkptSweep *sw,
                                     const CkptPlan *plan, char **files,
                                     int n_files, const CkptRenderOptions *ro,
                                     gboolean keep);
GPtrArray *ckpt_session_run_render(CkptSession *cli, const CkptPlan *plan,
                                   char **files, int n_files,
                                   const CkptRenderOptions *ro);
/* Every file opened at once, plan's multi-checkpoint steps over all of
 * them into one report ("A -> B") rendered with ro; nothing rendered when
 * one fails. With exit_status NULL the sweep's status, else
 * CKPT_EXIT_ERROR on a failure and exit_status's when all ran. */
int ckpt_session_run_multi(CkptSession *cli, const CkptPlan *plan, char **files,
                           int n_files, const CkptRenderOptions *ro,
                           int (*exit_status)(CkptSession *cli,
                                              GPtrArray *reports));

/* Applies global flag g (host/cmdline.h) with value v to the session or
 * the process-wide settings (colour, ASCII, isolation, shard); not help
 * or version. FALSE with error for a bad value. */
gboolean ckpt_session_apply_global(CkptSession *cli, const CkptGlobalFlag *g,
                                   const char *v, GError **error);

#endif

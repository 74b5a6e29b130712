/* envdiff.h - the secrets plugin's environment comparison: the environment
 * configured in spec.dump beside the one each process holds in memory (its
 * mm env area), one row per variable and distinct value, with what differs.
 */
#ifndef CKPT_SECRETS_ENVDIFF_H
#define CKPT_SECRETS_ENVDIFF_H

#include <glib.h>

#include "ckpt/plugin.h"

typedef enum {
  ENVDIFF_SAME = 0,       /* configured, and the process holds that value */
  ENVDIFF_CHANGED = 1,    /* configured, the process holds another value */
  ENVDIFF_ADDED = 2,      /* not configured; set by the engine or at exec */
  ENVDIFF_REMOVED = 3,    /* configured, absent from these processes */
  ENVDIFF_NO_PROCESS = 4, /* configured; no process memory to compare */
} EnvDiffStatus;

typedef struct {
  char *name;
  EnvDiffStatus status;
  char *spec_value;    /* NULL: not configured */
  char *process_value; /* NULL: absent from the processes in pids */
  GString *pids;       /* "1,2,5" */
} EnvDiffRow;

typedef struct {
  GPtrArray *rows; /* EnvDiffRow*, spec order first, then first seen */
} EnvDiff;

EnvDiff *envdiff_build(const CkptApi *api, CkptRun *run);
void envdiff_free(EnvDiff *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EnvDiff, envdiff_free)

const char *envdiff_status_name(EnvDiffStatus s);

#endif

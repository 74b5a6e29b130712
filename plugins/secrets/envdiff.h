/* envdiff.h - the secrets plugin's environment comparison: the environment
 * configured in spec.dump beside the one each process started with (its mm
 * env area) and the one it held at the dump (its live environ array, see
 * liveenv.h), one row per variable and distinct values, with what differs.
 */
#ifndef CKPT_SECRETS_ENVDIFF_H
#define CKPT_SECRETS_ENVDIFF_H

#include <glib.h>

#include "ckpt/plugin.h"
#include "liveenv.h"

typedef enum {
  ENVDIFF_SAME = 0,        /* configured, and the process holds that value */
  ENVDIFF_CHANGED = 1,     /* configured, the process holds another value */
  ENVDIFF_ADDED = 2,       /* not configured; set by the engine or at exec */
  ENVDIFF_REMOVED = 3,     /* configured, absent from these processes */
  ENVDIFF_NO_PROCESS = 4,  /* configured; no process memory to compare */
  ENVDIFF_RUNTIME_SET = 5, /* set by the process after exec */
  ENVDIFF_RUNTIME_CHANGED = 6, /* given another value after exec */
  ENVDIFF_RUNTIME_UNSET = 7,   /* removed by the process after exec */
} EnvDiffStatus;

typedef struct {
  char *name;
  EnvDiffStatus status;
  char *spec_value;    /* NULL: not configured */
  char *process_value; /* at exec; NULL: absent from the processes */
  char *runtime_value; /* at the dump, when it differs from the above */
  GString *pids;       /* "1,2,5" */
} EnvDiffRow;

typedef struct {
  uint32_t pid;
  uint64_t addr; /* of the live array */
  char **env;    /* NAME=VALUE, NULL-ended */
} EnvDiffLive;

typedef struct {
  GPtrArray *rows; /* EnvDiffRow*, spec order first, then first seen */
  GArray *live;    /* EnvDiffLive, for the processes where one was found */
} EnvDiff;

/* live: also look for each process's live environment in its memory,
 * taking what the memory pass found (found[i] for process_at(i), n_found
 * of them, or NULL) and searching for the rest */
EnvDiff *envdiff_build(const CkptApi *api, CkptRun *run, gboolean live,
                       LiveEnvFound *found, size_t n_found);
void envdiff_free(EnvDiff *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EnvDiff, envdiff_free)

const char *envdiff_status_name(EnvDiffStatus s);

#endif

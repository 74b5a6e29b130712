/* liveenv.h - a process's environment as it was at the dump, not as it was
 * at exec: the array `environ` points to after setenv()/putenv() moved it
 * to the heap. Found by its shape, since a checkpoint has no symbols.
 */
#ifndef CKPT_SECRETS_LIVEENV_H
#define CKPT_SECRETS_LIVEENV_H

#include <glib.h>

#include "ckpt/plugin.h"

/* Bounds of the search: bytes of writable memory looked at per process,
 * entries of one array, bytes of one NAME=VALUE string. */
#define LIVEENV_SCAN_MAX (256u << 20)
#define LIVEENV_ENTRIES_MAX 4096
#define LIVEENV_STRING_MAX 32768
/* variables set at runtime before the first exec-time one in an array */
#define LIVEENV_BACKUP_MAX 256

/* The NULL-ended NAME=VALUE strings of the live environment array of p,
 * and the array's address, or NULL when none is found. A live array is a
 * NULL-ended run of pointers in writable memory, each to a NAME=VALUE
 * string, at least one of them into the original env area (mm env range):
 * the exec-time array on the stack, or the heap copy setenv() made. When
 * several runs qualify (stale copies in freed chunks), the longest wins,
 * and on a tie the one off the stack. */
char **liveenv_find(const CkptApi *api, const CkptProcess *p,
                    const CkptProcessInfo *pi, uint64_t *array_addr);

/* The same search fed one block at a time, in the iterator's order (the
 * host's memory pass): new() is NULL for a process with no env area;
 * block() returns FALSE once the byte budget is spent (later blocks are
 * not looked at); finish() gives what liveenv_find() gives and frees s. */
typedef struct LiveEnvSearch LiveEnvSearch;
LiveEnvSearch *liveenv_search_new(const CkptApi *api, const CkptProcess *p,
                                  const CkptProcessInfo *pi);
gboolean liveenv_search_block(LiveEnvSearch *s, const CkptMemBlock *b);
char **liveenv_search_finish(LiveEnvSearch *s, uint64_t *array_addr);

/* What a search in the pass found for one process: done once the pass
 * walked it; env (NULL when none) is taken by envdiff_build(). */
typedef struct {
  gboolean done;
  char **env;
  uint64_t addr;
} LiveEnvFound;

#endif

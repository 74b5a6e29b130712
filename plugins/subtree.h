/* subtree.h - which processes are a given pid or its descendants, for
 * plugins whose pid option means "this process and its subtree" as
 * checkpointctl's --pid does (files, sockets). Header-only so each plugin
 * stays one file linked against nothing.
 *
 * The ppids come from the checkpoint: any shape, cycles included, so the
 * walk up is iterative and each process is resolved once.
 */
#ifndef CKPT_PLUGINS_SUBTREE_H
#define CKPT_PLUGINS_SUBTREE_H

/* the including file defines _GNU_SOURCE first, for qsort_r */
#include <stdlib.h>

#include "ckpt/plugin.h"

enum { SUBTREE_UNKNOWN, SUBTREE_IN, SUBTREE_OUT, SUBTREE_VISITING };

static int
subtree_cmp_pid(const void *a, const void *b, void *data)
{
  const uint32_t *pids = data;
  uint32_t x = pids[*(const size_t *)a], y = pids[*(const size_t *)b];
  return x < y ? -1 : x > y;
}

static long
subtree_find(const uint32_t *pids, const size_t *by_pid, size_t n, uint32_t pid)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (pids[by_pid[mid]] < pid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && pids[by_pid[lo]] == pid ? (long)by_pid[lo] : -1;
}

/* An array, by process index, of 1 for root and its descendants, else 0;
 * *found says whether root is a process at all. NULL when out of memory;
 * the caller frees. */
static unsigned char *
subtree_members(const CkptApi *api, CkptRun *run, uint32_t root, int *found)
{
  size_t n = api->process_count(run);
  uint32_t *pids = calloc(n + 1, sizeof(*pids));
  uint32_t *ppids = calloc(n + 1, sizeof(*ppids));
  size_t *by_pid = calloc(n + 1, sizeof(*by_pid));
  size_t *path = calloc(n + 1, sizeof(*path));
  unsigned char *state = calloc(n + 1, 1);
  *found = 0;
  if (!pids || !ppids || !by_pid || !path || !state) {
    free(state);
    state = NULL;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    const CkptProcessInfo *pi = api->process_info(api->process_at(run, i));
    pids[i] = pi->pid;
    ppids[i] = pi->ppid;
    by_pid[i] = i;
    *found |= pi->pid == root;
  }
  qsort_r(by_pid, n, sizeof(*by_pid), subtree_cmp_pid, pids);
  for (size_t i = 0; i < n; i++) {
    size_t len = 0;
    long cur = (long)i;
    unsigned char result = SUBTREE_OUT;
    while (cur >= 0) {
      if (state[cur] == SUBTREE_IN || state[cur] == SUBTREE_OUT) {
        result = state[cur];
        break;
      }
      if (state[cur] == SUBTREE_VISITING)
        break; /* a cycle that never met root */
      if (pids[cur] == root) {
        result = SUBTREE_IN;
        break;
      }
      state[cur] = SUBTREE_VISITING;
      path[len++] = (size_t)cur;
      cur = ppids[cur] && ppids[cur] != pids[cur]
                ? subtree_find(pids, by_pid, n, ppids[cur])
                : -1;
    }
    if (cur >= 0 && pids[cur] == root && state[cur] == SUBTREE_UNKNOWN)
      state[cur] = SUBTREE_IN;
    for (size_t k = 0; k < len; k++)
      state[path[k]] = result;
  }
  for (size_t i = 0; i < n; i++)
    state[i] = state[i] == SUBTREE_IN;
out:
  free(pids);
  free(ppids);
  free(by_pid);
  free(path);
  return state;
}

/* The plugin's "pid" option as a selection: 0 selects every process
 * (*in stays NULL); otherwise *in marks the pid and its descendants, by
 * process index, and the caller frees it. Returns 0, or -1 after
 * api->error() for a pid out of range, a pid with no process, or no
 * memory. */
static int
subtree_from_option(const CkptApi *api, CkptRun *run, unsigned char **in)
{
  int64_t only = api->opt_int(run, "pid");
  int found = 0;
  *in = NULL;
  if (only == 0)
    return 0;
  if (only < 0 || only > UINT32_MAX) {
    api->error(run, "pid %lld is out of range", (long long)only);
    return -1;
  }
  *in = subtree_members(api, run, (uint32_t)only, &found);
  if (*in == NULL) {
    api->error(run, "out of memory selecting the subtree of pid %lld",
               (long long)only);
    return -1;
  }
  if (!found) {
    free(*in);
    *in = NULL;
    api->error(run, "no process with pid %lld", (long long)only);
    return -1;
  }
  return 0;
}

#endif

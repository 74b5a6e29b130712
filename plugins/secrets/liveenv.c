/* liveenv.c - finding a process's live environment array by its shape (see
 * liveenv.h). Every pointer and string comes from the checkpoint: each is
 * read with mem_read() and bounded, and a run ends at the first word that
 * is not a pointer to a NAME=VALUE string.
 */
#include <string.h>

#include "liveenv.h"

#define WORD sizeof(uint64_t)

/* The string at addr if it is a NUL-ended NAME=VALUE, else NULL. */
static char *
read_assignment(const CkptApi *api, const CkptProcess *p, uint64_t addr,
                uint8_t *buf)
{
  /* most variables are short: a small read first, the full one only when
   * the name checks out and no NUL came yet (hostile heaps full of
   * pointers must stay cheap) */
  size_t got = api->mem_read(p, addr, buf, 256);
  const uint8_t *nul = memchr(buf, 0, got);
  if (!nul && got == 256 && ckpt_env_is_assignment((const char *)buf, got)) {
    got = api->mem_read(p, addr, buf, LIVEENV_STRING_MAX);
    nul = memchr(buf, 0, got);
  }
  if (!nul)
    return NULL;
  size_t len = (size_t)(nul - buf);
  if (!ckpt_env_is_assignment((const char *)buf, len))
    return NULL;
  return g_strndup((const char *)buf, len);
}

static gboolean
in_env_area(const CkptProcessInfo *pi, uint64_t v)
{
  return v >= pi->mm_env_start && v < pi->mm_env_end;
}

static uint64_t
word_at(const uint8_t *data, size_t i)
{
  uint64_t w;
  memcpy(&w, data + i * WORD, WORD);
  return w; /* x86_64 checkpoints: little-endian, as the host */
}

static gboolean
is_assignment_at(const CkptApi *api, const CkptProcess *p, uint64_t addr,
                 uint8_t *buf)
{
  g_autofree char *s = read_assignment(api, p, addr, buf);
  return s != NULL;
}

/* The run of environment pointers starting at word i of a block, NULL-
 * ended inside the block; NULL when the shape does not hold. */
static GPtrArray *
read_run(const CkptApi *api, const CkptProcess *p, const CkptProcessInfo *pi,
         const uint8_t *data, size_t n_words, size_t i, uint8_t *buf)
{
  g_autoptr(GPtrArray) strs = g_ptr_array_new_with_free_func(g_free);
  size_t j = i;
  for (; j < n_words && j - i < LIVEENV_ENTRIES_MAX; j++) {
    uint64_t w = word_at(data, j);
    if (w == 0)
      break;
    char *s = read_assignment(api, p, w, buf);
    if (!s)
      return NULL;
    /* inside the env area, a string starts after a NUL */
    if (in_env_area(pi, w) && w > pi->mm_env_start) {
      uint8_t before = 1;
      if (api->mem_read(p, w - 1, &before, 1) != 1 || before != 0) {
        g_free(s);
        return NULL;
      }
    }
    g_ptr_array_add(strs, s);
  }
  if (j >= n_words || word_at(data, j) != 0 || strs->len == 0)
    return NULL;
  g_ptr_array_add(strs, NULL);
  return g_steal_pointer(&strs);
}

struct LiveEnvSearch {
  const CkptApi *api;
  const CkptProcess *p;
  const CkptProcessInfo *pi;
  uint8_t *buf;
  GPtrArray *best;
  gboolean best_on_stack;
  uint64_t best_addr, budget;
};

LiveEnvSearch *
liveenv_search_new(const CkptApi *api, const CkptProcess *p,
                   const CkptProcessInfo *pi)
{
  if (!pi->has_mm || pi->mm_env_end <= pi->mm_env_start)
    return NULL;
  LiveEnvSearch *s = g_new0(LiveEnvSearch, 1);
  s->api = api;
  s->p = p;
  s->pi = pi;
  s->buf = g_malloc(LIVEENV_STRING_MAX);
  s->budget = LIVEENV_SCAN_MAX;
  return s;
}

gboolean
liveenv_search_block(LiveEnvSearch *s, const CkptMemBlock *b)
{
  if (s->budget == 0)
    return FALSE;
  if (!b->data || !b->vma || !(b->vma->prot & 0x2) || (b->addr % WORD) != 0)
    return TRUE; /* the array is written to: writable memory only */
  const CkptApi *api = s->api;
  const CkptProcessInfo *pi = s->pi;
  gboolean on_stack = b->vma->kind == CKPT_VMA_STACK;
  size_t len = (size_t)MIN((uint64_t)b->len, s->budget);
  s->budget -= len;
  size_t n_words = len / WORD;
  for (size_t i = 0; i < n_words; i++) {
    uint64_t w = word_at(b->data, i);
    if (!in_env_area(pi, w) ||
        (i > 0 && in_env_area(pi, word_at(b->data, i - 1))))
      continue;
    /* a run may start with strings set at runtime; back up over them */
    size_t k = i;
    while (k > 0 && i - k < LIVEENV_BACKUP_MAX) {
      uint64_t prev = word_at(b->data, k - 1);
      if (prev == 0 || !is_assignment_at(api, s->p, prev, s->buf))
        break;
      k--;
    }
    GPtrArray *run = read_run(api, s->p, pi, b->data, n_words, k, s->buf);
    if (!run)
      continue;
    size_t count = run->len - 1;
    /* longest wins (stale copies in freed chunks lost their head); on a
     * tie the one off the stack, which glibc never returns from */
    if (!s->best || count > s->best->len - 1 ||
        (count == s->best->len - 1 && s->best_on_stack && !on_stack)) {
      if (s->best)
        g_ptr_array_free(s->best, TRUE);
      s->best = run;
      s->best_addr = b->addr + k * WORD;
      s->best_on_stack = on_stack;
    } else {
      g_ptr_array_free(run, TRUE);
    }
    i = k + count; /* the NULL word; the loop steps past it */
  }
  return s->budget > 0;
}

char **
liveenv_search_finish(LiveEnvSearch *s, uint64_t *array_addr)
{
  if (!s)
    return NULL;
  GPtrArray *best = s->best;
  if (best)
    *array_addr = s->best_addr;
  g_free(s->buf);
  g_free(s);
  return best ? (char **)g_ptr_array_free(best, FALSE) : NULL;
}

char **
liveenv_find(const CkptApi *api, const CkptProcess *p,
             const CkptProcessInfo *pi, uint64_t *array_addr)
{
  LiveEnvSearch *s = liveenv_search_new(api, p, pi);
  if (!s)
    return NULL;
  CkptMemIter *it = api->mem_iter_new(p);
  CkptMemBlock b = {.size = sizeof b};
  while (it && api->mem_iter_next(it, &b) && liveenv_search_block(s, &b))
    ;
  if (it)
    api->mem_iter_free(it);
  return liveenv_search_finish(s, array_addr);
}

/* mapguard.c - the SIGBUS handler and its registry of guarded mappings
 * (see mapguard.h).
 *
 * The handler may run on any thread at any time, so the registry is read
 * without locks: slots live in chunks that are never freed or moved, each
 * slot's bounds are atomics, and a slot is published by storing its end
 * last. Adding and removing take a mutex between themselves only.
 */
#include "archive/mapguard.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_SLOTS 1024
#define MAX_CHUNKS 1024 /* a million guarded mappings */

struct CkptMapGuard {
  _Atomic uintptr_t start;
  _Atomic uintptr_t end; /* 0: free slot */
  _Atomic int kind;
  _Atomic int cut;
};

static CkptMapGuard *_Atomic chunks[MAX_CHUNKS];
static GMutex lock;
static size_t n_used;         /* slots handed out at least once */
static GPtrArray *free_slots; /* removed slots, to hand out again */
static gboolean installed;
static struct sigaction previous;
static uintptr_t page_size;

/* Answers a fault at addr inside g: zero pages from addr's page to the end
 * of the mapping (a cut file has nothing more) or that page only (a
 * hole). Returns FALSE if the kernel refused the mapping. */
static gboolean
patch(CkptMapGuard *g, uintptr_t addr)
{
  uintptr_t from = addr & ~(page_size - 1);
  uintptr_t end = atomic_load(&g->end);
  int kind = atomic_load(&g->kind);
  uintptr_t to = kind == CKPT_GUARD_HOLES ? from + page_size : end;
  if (from < atomic_load(&g->start))
    from = atomic_load(&g->start);
  void *p = mmap((void *)from, to - from, PROT_READ,
                 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return FALSE;
  if (kind == CKPT_GUARD_FILE)
    atomic_store(&g->cut, 1);
  return TRUE;
}

static void
pass_on(int sig, siginfo_t *si, void *uc)
{
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, si, uc);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
    return;
  }
  /* Default action: a fault retried after returning raises SIGBUS again,
   * now fatal; a signal sent by kill() is raised once more. */
  signal(SIGBUS, SIG_DFL);
  if (si->si_code <= 0)
    raise(SIGBUS);
}

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
  /* si_code > 0: raised by the kernel for a fault, si_addr is valid */
  if (si->si_code > 0) {
    uintptr_t addr = (uintptr_t)si->si_addr;
    for (size_t c = 0; c < MAX_CHUNKS; c++) {
      CkptMapGuard *chunk = atomic_load(&chunks[c]);
      if (chunk == NULL)
        break;
      for (size_t i = 0; i < CHUNK_SLOTS; i++) {
        CkptMapGuard *g = &chunk[i];
        uintptr_t end = atomic_load(&g->end);
        if (end != 0 && addr >= atomic_load(&g->start) && addr < end &&
            patch(g, addr))
          return;
      }
    }
  }
  pass_on(sig, si, uc);
}

static void
install(void)
{
  page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGBUS, &sa, &previous) == 0)
    installed = TRUE;
}

CkptMapGuard *
ckpt_mapguard_add(const void *addr, size_t len, CkptGuardKind kind)
{
  if (addr == NULL || len == 0)
    return NULL;
  g_mutex_lock(&lock);
  if (!installed)
    install();
  CkptMapGuard *found = NULL;
  if (free_slots != NULL && free_slots->len > 0) {
    found = g_ptr_array_steal_index_fast(free_slots, free_slots->len - 1);
  } else if (n_used < (size_t)MAX_CHUNKS * CHUNK_SLOTS) {
    size_t c = n_used / CHUNK_SLOTS;
    if (atomic_load(&chunks[c]) == NULL)
      atomic_store(&chunks[c], g_new0(CkptMapGuard, CHUNK_SLOTS));
    found = &atomic_load(&chunks[c])[n_used % CHUNK_SLOTS];
    n_used++;
  }
  if (found != NULL) {
    atomic_store(&found->start, (uintptr_t)addr);
    atomic_store(&found->kind, (int)kind);
    atomic_store(&found->cut, 0);
    atomic_store(&found->end, (uintptr_t)addr + len);
  }
  g_mutex_unlock(&lock);
  return found;
}

void
ckpt_mapguard_remove(CkptMapGuard *g)
{
  if (g == NULL)
    return;
  g_mutex_lock(&lock);
  atomic_store(&g->end, 0);
  if (free_slots == NULL)
    free_slots = g_ptr_array_new();
  g_ptr_array_add(free_slots, g);
  g_mutex_unlock(&lock);
}

gboolean
ckpt_mapguard_cut(const CkptMapGuard *g)
{
  return g != NULL && atomic_load(&g->cut) != 0;
}

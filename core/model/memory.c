/* memory.c - reading a process's dumped memory: the VMA lookup, mem_read
 * over the page runs procs.c resolved, and the block iterator. Everything
 * here only reads the model, so any number of threads may use it at once;
 * each iterator keeps its own position.
 */
#include "model/model.h"

#include <string.h>

#define VMA_AREA_GUARD (1u << 16)

struct CkptMemIter {
  const CkptProcess *p;
  size_t run;   /* index of the current page run */
  uint64_t pos; /* next address to hand out inside that run */
};

static uint64_t
run_end(const CkptPageRun *r)
{
  /* procs.c rejects runs whose end would wrap */
  return r->vaddr + r->nr_pages * CKPT_PAGE_SIZE;
}

/* Guard entries follow all real VMAs (procs.c checks it) and overlap them,
 * so lookups only search the real ones before them. */
static size_t
n_mapped(const CkptProcess *p)
{
  size_t lo = 0, hi = p->n_vmas;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->vmas[mid].info.status & VMA_AREA_GUARD)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* Index of the first real VMA ending after addr (n_mapped when none). */
static size_t
vma_lower_bound(const CkptProcess *p, uint64_t addr)
{
  size_t lo = 0, hi = n_mapped(p);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->vmas[mid].info.end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

const CkptVmaInfo *
ckpt_mem_vma_find(const CkptProcess *p, uint64_t addr)
{
  g_return_val_if_fail(p != NULL, NULL);
  size_t i = vma_lower_bound(p, addr);
  if (i < p->n_vmas && !(p->vmas[i].info.status & VMA_AREA_GUARD) &&
      p->vmas[i].info.start <= addr)
    return &p->vmas[i].info;
  return NULL;
}

/* Index of the run containing addr, or of the first run after it. */
static size_t
run_lower_bound(const CkptProcess *p, uint64_t addr)
{
  size_t lo = 0, hi = p->n_pages;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (run_end(&p->pages[mid]) <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t
ckpt_mem_read(const CkptProcess *p, uint64_t addr, void *buf, size_t len)
{
  g_return_val_if_fail(p != NULL, 0);
  g_return_val_if_fail(buf != NULL || len == 0, 0);

  size_t done = 0;
  size_t i = run_lower_bound(p, addr);
  while (done < len && i < p->n_pages) {
    const CkptPageRun *r = &p->pages[i];
    uint64_t at = addr + done;
    if (at < addr) /* wrapped past the top of the address space */
      break;
    if (r->data == NULL || r->vaddr > at)
      break;
    uint64_t avail = run_end(r) - at;
    size_t n = len - done < avail ? len - done : (size_t)avail;
    memcpy((uint8_t *)buf + done, r->data + (at - r->vaddr), n);
    done += n;
    i++;
  }
  return done;
}

CkptMemIter *
ckpt_mem_iter_new(const CkptProcess *p)
{
  g_return_val_if_fail(p != NULL, NULL);
  CkptMemIter *it = g_new0(CkptMemIter, 1);
  it->p = p;
  it->pos = p->n_pages ? p->pages[0].vaddr : 0;
  return it;
}

/* Does run n go on from run r, in memory and in the pages image? A block
 * grows over such runs (ckpt_mem_iter_next). */
static gboolean
continues(const CkptPageRun *r, const CkptPageRun *n)
{
  return r->data != NULL && n->data != NULL && n->vaddr == run_end(r) &&
         n->data == r->data + (run_end(r) - r->vaddr);
}

void
ckpt_mem_iter_seek(CkptMemIter *it, uint64_t addr)
{
  g_return_if_fail(it != NULL);
  const CkptProcess *p = it->p;
  size_t i = run_lower_bound(p, addr);
  it->run = i;
  if (i >= p->n_pages)
    return;
  const CkptPageRun *r = &p->pages[i];
  it->pos = MAX(r->vaddr, addr);
  const CkptVmaInfo *v = ckpt_mem_vma_find(p, addr);
  if (v == NULL || r->data == NULL || r->vaddr > addr)
    return; /* no block holds addr: the walk goes on to the next one */
  /* A block starts at its VMA's start or where a run does not go on from
   * the one before: the walk from the start is at that very place (run,
   * address) when it begins the block, and goes on alike from there. */
  while (i > 0 && p->pages[i].vaddr > v->start &&
         continues(&p->pages[i - 1], &p->pages[i]))
    i--;
  it->run = i;
  it->pos = MAX(p->pages[i].vaddr, v->start);
}

/* Moves the iterator to the next run. */
static void
next_run(CkptMemIter *it)
{
  it->run++;
  if (it->run < it->p->n_pages)
    it->pos = it->p->pages[it->run].vaddr;
}

int
ckpt_mem_iter_next(CkptMemIter *it, CkptMemBlock *block)
{
  g_return_val_if_fail(it != NULL && block != NULL, 0);
  const CkptProcess *p = it->p;

  while (it->run < p->n_pages) {
    const CkptPageRun *r = &p->pages[it->run];
    uint64_t end = run_end(r);
    if (r->data == NULL || it->pos >= end) {
      next_run(it);
      continue;
    }
    /* Pages outside every VMA are skipped: blocks belong to one VMA. */
    size_t v = vma_lower_bound(p, it->pos);
    if (v >= n_mapped(p)) {
      next_run(it);
      continue;
    }
    const CkptVma *vma = &p->vmas[v];
    if (vma->info.start > it->pos) {
      it->pos = MIN(vma->info.start, end);
      continue;
    }

    /* The block grows over following runs while they are adjacent in
     * memory and in the pages image, and stays inside the VMA. */
    uint64_t start = it->pos;
    const uint8_t *data = r->data + (start - r->vaddr);
    uint64_t stop = MIN(end, vma->info.end);
    while (stop == end && stop < vma->info.end && it->run + 1 < p->n_pages) {
      const CkptPageRun *n = &p->pages[it->run + 1];
      if (!continues(r, n))
        break;
      it->run++;
      r = n;
      end = run_end(r);
      stop = MIN(end, vma->info.end);
    }
    it->pos = stop;
    if (stop == end)
      next_run(it);

    block->addr = start;
    block->data = data;
    block->len = (size_t)(stop - start);
    block->vma = &vma->info;
    if (p->ckpt)
      __atomic_fetch_add(&p->ckpt->mem_blocks_read, 1, __ATOMIC_RELAXED);
    return 1;
  }
  return 0;
}

int
ckpt_mem_data_next(const CkptProcess *p, const CkptMemBlock *b, size_t *off,
                   size_t *len)
{
  g_return_val_if_fail(b != NULL && off != NULL && len != NULL, 0);
  if (*off >= b->len || b->data == NULL)
    return 0;
  const CkptImageSet *set = p && p->ckpt ? p->ckpt->images : NULL;
  if (set == NULL) {
    *len = b->len - *off;
    return 1;
  }
  return ckpt_imageset_data_next(set, b->data, b->len, off, len) ? 1 : 0;
}

void
ckpt_mem_iter_free(CkptMemIter *it)
{
  g_free(it);
}

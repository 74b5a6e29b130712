/* blockfeed.h - libyara fed by the host's one memory pass, for plugins
 * that scan process memory with libyara (yara, secrets).
 *
 * The pass pushes blocks (CkptMemSubscriber.block) while libyara pulls
 * them (YR_MEMORY_BLOCK_ITERATOR), so each process's scan runs on a thread
 * of its own that takes the blocks the pass hands out: block() posts one,
 * sync() returns once libyara asked for the next (it is done with the
 * posted one), end() tells libyara there are no more and waits for the
 * scan. Each block goes in as its pieces (yrpieces.h), at their true
 * addresses. When libyara walks the blocks again (a condition reading
 * uint32(addr) after the scan), or stops early (timeout, error), the feed
 * detaches: later posts are ignored and a second walk reads memory
 * through the plugin's own iterator.
 *
 * A plugin's subscription user starts with a BlockFeed; blockfeed_init()
 * fills sub with the callbacks, and the plugin's hooks (begin, end)
 * start and collect each process's scan. Header-only, like zeropad.h.
 */
#ifndef CKPT_PLUGINS_BLOCKFEED_H
#define CKPT_PLUGINS_BLOCKFEED_H

#include <glib.h>
#include <yara.h>

#include "ckpt/plugin.h"
#include "ckpt/zeropad.h"
#include "yrpieces.h"

typedef struct BlockFeed BlockFeed;

struct BlockFeed {
  const CkptApi *api;
  size_t pad; /* zeropad's, in bytes */
  /* the plugin's: the scan of one process, on the feed's thread (returns
   * libyara's status); called before a process's first block and after
   * its last */
  int (*scan)(BlockFeed *f, YR_MEMORY_BLOCK_ITERATOR *it);
  void (*begin)(BlockFeed *f, const CkptProcess *p);
  void (*end)(BlockFeed *f, const CkptProcess *p, int status);
  void (*post)(BlockFeed *f, const CkptMemBlock *b); /* each block posted */
  /* the run's processes in pstree order, and the current one's index */
  const CkptProcess **procs;
  size_t n_procs, index;
  /* the current process */
  const CkptProcess *proc;
  GMutex lock;
  GCond cond;
  int state;         /* FEED_* */
  gboolean detached; /* the scan takes no more posts */
  int status;
  const CkptMemBlock *cur; /* posted, while state is FEED_POSTED */
  gboolean started;        /* first() was called */
  /* cuts the posted blocks (its zp) and, with an iterator, is a second
   * walk's pieces; hands out the pieces */
  YrPieces pieces;
  GThread *thread;
};

enum { FEED_WAIT, FEED_POSTED, FEED_END };

/* the next piece of what the pass posts; the lock is held */
static inline YR_MEMORY_BLOCK *
blockfeed_wait_piece(BlockFeed *f)
{
  for (;;) {
    size_t from = 0, to = 0;
    if (f->state == FEED_END)
      return NULL;
    if (f->state == FEED_POSTED) {
      if (ckpt_zeropad_next(&f->pieces.zp, f->cur, &from, &to))
        return yrpieces_piece(&f->pieces, f->cur, from, to);
      f->state = FEED_WAIT; /* done with it: the pass may go on */
      g_cond_broadcast(&f->cond);
    }
    g_cond_wait(&f->cond, &f->lock);
  }
}

static inline YR_MEMORY_BLOCK *
blockfeed_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
  BlockFeed *f = it->context;
  if (f->pieces.it) /* the second walk, through the plugin's own iterator */
    return yrpieces_next(&f->pieces);
  g_mutex_lock(&f->lock);
  YR_MEMORY_BLOCK *b = blockfeed_wait_piece(f);
  g_mutex_unlock(&f->lock);
  return b;
}

static inline YR_MEMORY_BLOCK *
blockfeed_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
  BlockFeed *f = it->context;
  it->last_error = ERROR_SUCCESS;
  if (!f->started) {
    f->started = TRUE;
    return blockfeed_next(it);
  }
  /* walked again: from now on the feed reads for itself */
  g_mutex_lock(&f->lock);
  f->detached = TRUE;
  g_cond_broadcast(&f->cond);
  g_mutex_unlock(&f->lock);
  yrpieces_start(&f->pieces);
  return yrpieces_next(&f->pieces);
}

static inline gpointer
blockfeed_main(gpointer data)
{
  BlockFeed *f = data;
  YR_MEMORY_BLOCK_ITERATOR it = {.context = f,
                                 .first = blockfeed_first,
                                 .next = blockfeed_next,
                                 .last_error = ERROR_SUCCESS};
  int status = f->scan(f, &it);
  g_mutex_lock(&f->lock);
  f->status = status;
  f->detached = TRUE;
  g_cond_broadcast(&f->cond);
  g_mutex_unlock(&f->lock);
  return NULL;
}

static inline void
blockfeed_sub_begin(const CkptProcess *p, void *user)
{
  BlockFeed *f = user;
  for (size_t i = 0; i < f->n_procs; i++)
    if (f->procs[(f->index + i) % f->n_procs] == p) {
      f->index = (f->index + i) % f->n_procs;
      break;
    }
  f->proc = p;
  f->state = FEED_WAIT;
  f->detached = FALSE;
  f->started = FALSE;
  f->status = ERROR_SUCCESS;
  yrpieces_init(&f->pieces, f->api, p, f->pad);
  if (f->begin)
    f->begin(f, p);
  f->thread = g_thread_try_new("ckpt-feed", blockfeed_main, f, NULL);
  if (!f->thread) {
    /* no thread: the scan walks for itself, and takes no posts */
    f->started = TRUE;
    f->detached = TRUE;
    blockfeed_main(f);
  }
}

static inline void
blockfeed_sub_block(const CkptProcess *p, const CkptMemBlock *b, void *user)
{
  BlockFeed *f = user;
  (void)p;
  if (f->post)
    f->post(f, b);
  g_mutex_lock(&f->lock);
  if (!f->detached) {
    f->cur = b;
    f->pieces.zp.off = 0;
    f->state = FEED_POSTED;
    g_cond_broadcast(&f->cond);
  }
  g_mutex_unlock(&f->lock);
}

static inline void
blockfeed_sub_sync(const CkptProcess *p, void *user)
{
  BlockFeed *f = user;
  (void)p;
  g_mutex_lock(&f->lock);
  while (!f->detached && f->state == FEED_POSTED)
    g_cond_wait(&f->cond, &f->lock);
  g_mutex_unlock(&f->lock);
}

static inline void
blockfeed_sub_end(const CkptProcess *p, void *user)
{
  BlockFeed *f = user;
  g_mutex_lock(&f->lock);
  f->state = FEED_END;
  f->cur = NULL;
  g_cond_broadcast(&f->cond);
  g_mutex_unlock(&f->lock);
  if (f->thread)
    g_thread_join(f->thread);
  f->thread = NULL;
  yrpieces_release(&f->pieces);
  if (f->end)
    f->end(f, p, f->status);
}

/* Fills sub to feed f (the first member of user) over run's processes
 * (f->index names the one scanned: a process_at() index); the plugin sets
 * f's pad, scan and hooks, and sub->free. */
static inline void
blockfeed_init(BlockFeed *f, const CkptApi *api, CkptRun *run,
               CkptMemSubscriber *sub, void *user)
{
  g_mutex_init(&f->lock);
  g_cond_init(&f->cond);
  f->api = api;
  f->n_procs = api->process_count(run);
  f->procs = g_new0(const CkptProcess *, f->n_procs ? f->n_procs : 1);
  for (size_t i = 0; i < f->n_procs; i++)
    f->procs[i] = api->process_at(run, i);
  *sub = (CkptMemSubscriber){.size = sizeof *sub,
                             .user = user,
                             .begin = blockfeed_sub_begin,
                             .block = blockfeed_sub_block,
                             .sync = blockfeed_sub_sync,
                             .end = blockfeed_sub_end};
}

static inline void
blockfeed_clear(BlockFeed *f)
{
  g_mutex_clear(&f->lock);
  g_cond_clear(&f->cond);
  g_free(f->procs);
}

#endif

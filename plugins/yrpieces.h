/* yrpieces.h - a process's memory as libyara's blocks, for the plugins
 * that scan memory with libyara (yara, secrets, and blockfeed.h's second
 * walk): a pull iterator over the SDK's memory iterator (mem_iter_next)
 * that hands each block to libyara as its pieces (ckpt/zeropad.h), at
 * their true addresses, so offsets stay right and zero pages cost nothing.
 * A piece's data is valid until the next pull, which is how libyara uses
 * blocks. Internal (it needs yara.h, which the SDK does not); header-only,
 * like zeropad.h: each plugin stays linked against nothing of ours.
 */
#ifndef CKPT_PLUGINS_YRPIECES_H
#define CKPT_PLUGINS_YRPIECES_H

#include <stddef.h>
#include <yara.h>

#include "ckpt/plugin.h"
#include "ckpt/zeropad.h"

typedef struct YrPieces YrPieces;

struct YrPieces {
  const CkptApi *api;
  CkptMemIter *it;  /* NULL: no blocks (yrpieces_start makes one) */
  CkptMemBlock cur; /* the block being cut */
  int in_cur;       /* cur has pieces left to hand out */
  CkptZeroPad zp;   /* cuts cur (and blockfeed.h's posted blocks) */
  /* the caller's, or NULL: called for each non-empty block pulled, before
   * its pieces (the memory covered, zero pages included) */
  void (*on_block)(YrPieces *y, const CkptMemBlock *b);
  const uint8_t *data; /* the piece handed out last */
  YR_MEMORY_BLOCK blk;
};

/* Sets y up for p's memory, pieces widened by pad bytes; no iterator yet. */
static inline void
yrpieces_init(YrPieces *y, const CkptApi *api, const CkptProcess *p, size_t pad)
{
  *y = (YrPieces){.api = api,
                  .cur = {.size = sizeof(CkptMemBlock)},
                  .zp = {.api = api, .proc = p, .pad = pad}};
}

/* (Re)starts the walk at the first block; FALSE when the host gives no
 * iterator. */
static inline int
yrpieces_start(YrPieces *y)
{
  if (y->it != NULL)
    y->api->mem_iter_free(y->it);
  y->it = y->api->mem_iter_new(y->zp.proc);
  y->in_cur = 0;
  y->zp.off = 0;
  return y->it != NULL;
}

static inline void
yrpieces_release(YrPieces *y)
{
  if (y->it != NULL)
    y->api->mem_iter_free(y->it);
  y->it = NULL;
}

static inline const uint8_t *
yrpieces_fetch(YR_MEMORY_BLOCK *b)
{
  return ((YrPieces *)b->context)->data;
}

/* [from, to) of b as libyara's block, at its true base. */
static inline YR_MEMORY_BLOCK *
yrpieces_piece(YrPieces *y, const CkptMemBlock *b, size_t from, size_t to)
{
  y->data = b->data + from;
  y->blk.base = b->addr + from;
  y->blk.size = to - from;
  y->blk.context = y;
  y->blk.fetch_data = yrpieces_fetch;
  return &y->blk;
}

/* The next piece of the walk; NULL at its end. An empty block (the model
 * yields none, but it would only cost a call) is skipped. */
static inline YR_MEMORY_BLOCK *
yrpieces_next(YrPieces *y)
{
  size_t from = 0, to = 0;
  while (!y->in_cur || !ckpt_zeropad_next(&y->zp, &y->cur, &from, &to)) {
    if (y->it == NULL || !y->api->mem_iter_next(y->it, &y->cur))
      return NULL;
    y->in_cur = y->cur.data != NULL && y->cur.len > 0;
    y->zp.off = 0;
    if (y->in_cur && y->on_block)
      y->on_block(y, &y->cur);
  }
  return yrpieces_piece(y, &y->cur, from, to);
}

/* libyara's iterator callbacks, for a YR_MEMORY_BLOCK_ITERATOR whose
 * context is the YrPieces: next goes on; first starts again (libyara
 * walks again when a condition reads memory after the scan). */
static inline YR_MEMORY_BLOCK *
yrpieces_it_next(YR_MEMORY_BLOCK_ITERATOR *self)
{
  return yrpieces_next(self->context);
}

static inline YR_MEMORY_BLOCK *
yrpieces_it_first(YR_MEMORY_BLOCK_ITERATOR *self)
{
  self->last_error = ERROR_SUCCESS;
  yrpieces_start(self->context);
  return yrpieces_next(self->context);
}

#endif

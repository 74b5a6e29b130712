/* ckpt/zeropad.h - zero pages cost nothing: a memory block (CkptMemBlock
 * from mem_iter_next) cut into the pieces a scanner must see, for whatever
 * hands blocks to libyara: the yara, secrets and detect plugins, and the
 * host's own secrets scan (which passes its data_next, having no CkptApi).
 * Each piece is a stretch that is
 * not known zero pages (api->mem_data_next), widened by pad bytes either
 * side, with stretches closer than 2 * pad merged; what lies wholly inside
 * zero pages, further than pad from any other byte, is left out. A piece
 * keeps its true address (block addr + from), so offsets stay right. A
 * host without mem_data_next gives the whole block as one piece.
 * Header-only so each plugin stays one file linked against nothing;
 * installed with the SDK for plugins of others.
 */
#ifndef CKPT_ZEROPAD_H
#define CKPT_ZEROPAD_H

#include <stddef.h>

#include "ckpt/plugin.h"

typedef int (*CkptDataNextFn)(const CkptProcess *p, const CkptMemBlock *b,
                              size_t *off, size_t *len);

typedef struct {
  const CkptApi *api; /* its mem_data_next, unless data_next is set */
  const CkptProcess *proc;
  size_t pad;
  size_t off; /* next offset of the block to look at; 0 for a new block */
  CkptDataNextFn data_next; /* NULL: api's */
} CkptZeroPad;

/* The next piece [*from, *to) of b; 0 when b has none left. */
static inline int
ckpt_zeropad_next(CkptZeroPad *z, const CkptMemBlock *b, size_t *from,
                  size_t *to)
{
  CkptDataNextFn data_next = z->data_next;
  if (data_next == NULL && z->api && CKPT_HAS(z->api, mem_data_next))
    data_next = z->api->mem_data_next;
  if (z->off >= b->len)
    return 0;
  if (data_next == NULL) {
    *from = z->off;
    *to = b->len;
    z->off = b->len;
    return 1;
  }
  size_t off = z->off, n = 0;
  if (!data_next(z->proc, b, &off, &n) || n == 0) {
    z->off = b->len;
    return 0;
  }
  size_t pad = z->pad;
  *from = off > z->off + pad ? off - pad : z->off;
  size_t end = off + n;
  for (;;) {
    size_t reach = b->len - end > pad ? end + pad : b->len;
    size_t o = end, m = 0;
    /* the next stretch joins when its widened start meets this reach */
    if (reach < b->len && data_next(z->proc, b, &o, &m) && m > 0 &&
        o - reach <= pad) {
      end = o + m;
      continue;
    }
    *to = reach;
    z->off = reach;
    return 1;
  }
}

#endif

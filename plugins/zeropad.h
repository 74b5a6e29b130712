/* zeropad.h - zero pages cost nothing: a memory block (CkptMemBlock from
 * mem_iter_next) cut into the pieces a scanner must see, for plugins that
 * hand blocks to libyara (yara, secrets). Each piece is a stretch that is
 * not known zero pages (api->mem_data_next), widened by pad bytes either
 * side, with stretches closer than 2 * pad merged; what lies wholly inside
 * zero pages, further than pad from any other byte, is left out. A piece
 * keeps its true address (block addr + from), so offsets stay right. A
 * host without mem_data_next gives the whole block as one piece.
 * Header-only so each plugin stays one file linked against nothing.
 */
#ifndef CKPT_PLUGINS_ZEROPAD_H
#define CKPT_PLUGINS_ZEROPAD_H

#include <stddef.h>

#include "ckpt/plugin.h"

typedef struct {
  const CkptApi *api;
  const CkptProcess *proc;
  size_t pad;
  size_t off; /* next offset of the block to look at; 0 for a new block */
} ZeroPad;

/* The next piece [*from, *to) of b; 0 when b has none left. */
static inline int
zeropad_next(ZeroPad *z, const CkptMemBlock *b, size_t *from, size_t *to)
{
  const CkptApi *api = z->api;
  if (z->off >= b->len)
    return 0;
  if (!CKPT_HAS(api, mem_data_next) || api->mem_data_next == NULL) {
    *from = z->off;
    *to = b->len;
    z->off = b->len;
    return 1;
  }
  size_t off = z->off, n = 0;
  if (!api->mem_data_next(z->proc, b, &off, &n) || n == 0) {
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
    if (reach < b->len && api->mem_data_next(z->proc, b, &o, &m) && m > 0 &&
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

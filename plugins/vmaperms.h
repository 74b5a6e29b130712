/* vmaperms.h - a mapping's permissions as /proc/PID/maps writes them
 * ("r-xp", "rw-s"), for plugins that show or quote VMAs (memory's maps,
 * detect's evidence). Header-only, like zeropad.h.
 */
#ifndef CKPT_PLUGINS_VMAPERMS_H
#define CKPT_PLUGINS_VMAPERMS_H

#include <sys/mman.h>

#include "ckpt/plugin.h"

/* out gets the four letters and a NUL */
static inline void
vma_perms(const CkptVmaInfo *v, char out[5])
{
  out[0] = v->prot & PROT_READ ? 'r' : '-';
  out[1] = v->prot & PROT_WRITE ? 'w' : '-';
  out[2] = v->prot & PROT_EXEC ? 'x' : '-';
  out[3] = v->flags & MAP_SHARED ? 's' : 'p';
  out[4] = '\0';
}

#endif

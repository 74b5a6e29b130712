/* mapguard.h - file mappings that survive their file shrinking.
 *
 * The image set maps files (a plain tar, a directory's images, the spool).
 * Reading a mapping past the end of a file that shrank after it was mapped
 * raises SIGBUS, and so does reading a hole of a tmpfs spool when the tmpfs
 * is full. A registered mapping is guarded: a SIGBUS whose address lies in
 * it is answered by mapping anonymous zero pages over the faulting page
 * (GUARD_HOLES: the page only, a hole reads as zeros anyway) or over the
 * rest of the mapping (GUARD_FILE: the file was cut; it is marked so, and
 * the image set turns that into an error naming the file). Any other
 * SIGBUS goes to the handler that was there before, or kills the process
 * as it would have. The handler is process-wide, so every thread (the
 * YARA worker pool) and every --isolate child is covered; a child marks
 * its own copy, and reports through its plugin result.
 */
#ifndef CKPT_MAPGUARD_H
#define CKPT_MAPGUARD_H

#include <glib.h>
#include <stddef.h>

typedef enum {
  CKPT_GUARD_FILE,  /* a file that may be cut while mapped */
  CKPT_GUARD_HOLES, /* the spool: faults are holes a full tmpfs refused */
} CkptGuardKind;

typedef struct CkptMapGuard CkptMapGuard;

/* Guards [addr, addr + len), installing the handler on first use. Never
 * fails: when the registry is full, the mapping is left unguarded. */
CkptMapGuard *ckpt_mapguard_add(const void *addr, size_t len,
                                CkptGuardKind kind);
/* Stops guarding (before the mapping is unmapped); NULL is ignored. */
void ckpt_mapguard_remove(CkptMapGuard *g);
/* Whether a SIGBUS hit this GUARD_FILE mapping: the file was cut. */
gboolean ckpt_mapguard_cut(const CkptMapGuard *g);

#endif

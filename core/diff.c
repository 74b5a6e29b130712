/* diff.c - placeholder so the tree links while the diff reader is written;
 * replaced whole by its owner. */
#include "model.h"

CkptFileIter *
ckpt_diff_iter_new(CkptCheckpoint *c, uint64_t max_bytes)
{
  (void)c;
  (void)max_bytes;
  return NULL;
}

int
ckpt_diff_iter_next(CkptFileIter *it, CkptDiffFile *file)
{
  (void)it;
  (void)file;
  return 0;
}

void
ckpt_diff_iter_free(CkptFileIter *it)
{
  (void)it;
}

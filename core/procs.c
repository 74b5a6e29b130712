/* procs.c - placeholder so the tree links while this stage is written;
 * replaced whole by its owner. */
#include "model.h"

gboolean
ckpt_procs_load(CkptCheckpoint *c, GError **error)
{
  (void)c;
  (void)error;
  return TRUE;
}

/* listing.c - `ckpt list`'s output (listing.h): checkpointctl's lines
 * around the rows of the list plugin (plugins/list). */
#include "render/listing.h"

void
ckpt_render_listing(FILE *out, GPtrArray *reports, char **dirs, guint n_dirs,
                    const guint *found, CkptRenderFormat format)
{
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;
  guint all = 0;
  /* checkpointctl's lines, before the table, per directory given */
  for (guint i = 0; i < n_dirs; i++) {
    if (text && found[i])
      fprintf(out, "Listing checkpoints in path: %s\n", dirs[i]);
    all += found[i];
  }
  if (all == 0 && text) {
    fprintf(out, "No checkpoints found in [");
    for (guint i = 0; i < n_dirs; i++)
      fprintf(out, "%s%s", i ? " " : "", dirs[i]);
    fprintf(out, "]\n");
    return;
  }
  CkptRenderOptions opt = {.format = format, .merge = TRUE};
  ckpt_render(out, reports, &opt);
}

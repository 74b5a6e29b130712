/* listing.h - `ckpt list`'s output: checkpointctl's lines around the
 * merged table of host/targets.h's ckpt_targets_list. */
#ifndef CKPT_LISTING_H
#define CKPT_LISTING_H

#include "render/render.h"

/* reports holds the one list report; found[i] the checkpoints found under
 * dirs[i]. Text formats name each directory with any ("Listing
 * checkpoints in path: DIR") and say when there are none at all. */
void ckpt_render_listing(FILE *out, GPtrArray *reports, char **dirs,
                         guint n_dirs, const guint *found,
                         CkptRenderFormat format);

#endif

/* catalog.h - what the host has, as a report the renderers draw like any
 * plugin's rows (so --format json works for `ckpt plugins` and `ckpt
 * chains` too): the tables "plugins" (one row a loaded plugin) or, for one
 * plugin, "plugin", "options" and "tables" (its columns nested under each
 * table) of a descriptor named plugins; the table "chains" of one named
 * chains. */
#ifndef CKPT_CATALOG_H
#define CKPT_CATALOG_H

#include "host/chain.h"
#include "host/host.h"

/* Every loaded plugin, or with name only that one in full; NULL when no
 * plugin of that name is loaded. */
CkptReport *ckpt_catalog_plugins(const CkptHost *h, const char *name);
/* Every chain of set, sorted by name. */
CkptReport *ckpt_catalog_chains(const CkptChainSet *set);

#endif

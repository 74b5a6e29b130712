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

/* The declarations of the tool itself, for man pages and completion
 * (`ckpt help --dump`): a report of the tables "commands", "flags" and
 * "notes" (exit status, environment, files, limits, chains), filled by
 * the calls below; limits and chains' notes come from the host. */
CkptReport *ckpt_catalog_decls_new(void);
void ckpt_catalog_decl_command(CkptReport *rep, const char *name,
                               const char *summary, const char *usage,
                               const char *chain);
/* cmd "" for a global flag; plugin, type and def for a plugin option */
void ckpt_catalog_decl_flag(CkptReport *rep, const char *cmd, const char *flag,
                            const char *value, const char *help,
                            const char *plugin, const char *type,
                            const char *def);
void ckpt_catalog_decl_note(CkptReport *rep, const char *kind, const char *name,
                            const char *help);
/* The limits' names and set's chains, as notes. */
void ckpt_catalog_decl_host_notes(CkptReport *rep, const CkptChainSet *set);

#endif

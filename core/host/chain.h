/* chain.h - chains of plugins: what to run, in which order, with which
 * options.
 *
 * A chain is a list of plugin names plus option settings. It comes from the
 * command line ("pstree,sockets") or from an INI file read with GKeyFile:
 *
 *   [chain inspect]
 *   description=what checkpointctl inspect shows
 *   plugins=container,pstree,files,sockets,mounts
 *   pstree.env=false
 *
 * Chain files are read from the installed chain directory, then
 * $XDG_CONFIG_HOME/ckpt/chains/ (*.ini, sorted), then each --chains FILE;
 * a later definition of a name replaces an earlier one.
 *
 * A plan is a chain resolved against the loaded plugins: dependencies
 * added, ordered so every plugin runs after those it depends on, options
 * parsed and type-checked.
 */
#ifndef CKPT_CHAIN_H
#define CKPT_CHAIN_H

#include <glib.h>

#include "host/host.h"

typedef struct {
  char *name;
  char *description;
  char *file;          /* where it was defined; NULL from the CLI */
  GPtrArray *plugins;  /* char* */
  GPtrArray *settings; /* char* "plugin.option=value", in file order */
} CkptChain;

void ckpt_chain_free(CkptChain *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptChain, ckpt_chain_free)

/* "a,b,c" -> a chain named after the list. */
CkptChain *ckpt_chain_from_list(const char *list, GError **error);

typedef struct CkptChainSet CkptChainSet;
CkptChainSet *ckpt_chainset_new(void);
void ckpt_chainset_free(CkptChainSet *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptChainSet, ckpt_chainset_free)
/* Reads every [chain NAME] group of an INI file. */
gboolean ckpt_chainset_load_file(CkptChainSet *s, const char *path,
                                 GError **error);
/* Reads the system and per-user chain directories; a broken file there is
 * reported into warnings (char*) and skipped. */
void ckpt_chainset_load_defaults(CkptChainSet *s, GPtrArray *warnings);
const CkptChain *ckpt_chainset_find(const CkptChainSet *s, const char *name);
/* CkptChain*, sorted by name */
GPtrArray *ckpt_chainset_list(const CkptChainSet *s);

typedef struct {
  const CkptLoadedPlugin *plugin;
  GArray *opts;       /* CkptOptionValue */
  gboolean requested; /* named by the chain, not only a dependency */
} CkptStep;

typedef struct {
  char *name;
  GPtrArray *steps; /* CkptStep*, in run order */
} CkptPlan;

void ckpt_plan_free(CkptPlan *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptPlan, ckpt_plan_free)

/* Resolves chain against h; sets are extra "plugin.option=value" settings
 * applied after the chain's own (NULL-ended, may be NULL). Fails on a
 * plugin that is not loaded, a dependency cycle, an unknown option or a
 * value of the wrong type. */
CkptPlan *ckpt_plan_new(const CkptHost *h, const CkptChain *chain,
                        const char *const *sets, GError **error);
/* Applies one "plugin.option=value" to a plan. */
gboolean ckpt_plan_set(CkptPlan *plan, const char *assignment, GError **error);
CkptStep *ckpt_plan_step(const CkptPlan *plan, const char *plugin);

/* Runs the plan over one opened checkpoint. A FAILED plugin skips only
 * those that depend on it; FATAL skips the rest of the chain. */
/* The union of what the plan's plugins read (CKPT_READS_*): 0, meaning
 * everything, when one of them reads everything (reads unset, or built
 * against an SDK older than 3.7). Opening a checkpoint for the plan reads
 * no more (ckpt_checkpoint_open_reads). */
unsigned ckpt_plan_reads(const CkptPlan *plan);
void ckpt_plan_run(const CkptHost *h, const CkptPlan *plan, CkptCheckpoint *c,
                   CkptReport *report);

/* Multi-checkpoint scope. A step whose plugin has run_multi() and no run()
 * is left out of ckpt_plan_run(); once every checkpoint went through it,
 * ckpt_plan_run_multi() runs each such step over all of them, into out.
 * ckpt_plan_is_multi(): does the plan hold such a step? */
gboolean ckpt_plan_is_multi(const CkptPlan *plan);
void ckpt_plan_run_multi(const CkptHost *h, const CkptPlan *plan,
                         CkptCheckpoint *const *cs, CkptReport *const *reports,
                         size_t n, CkptReport *out);

#endif

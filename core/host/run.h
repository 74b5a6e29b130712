/* run.h - one plugin's run over one checkpoint, and the function table
 * (CkptApi) the plugin calls back into during it (run.c). It sits above the
 * registry (host.h): the registry only stores what was loaded. */
#ifndef CKPT_RUN_H
#define CKPT_RUN_H

#include "host/host.h"
#include "host/mempass.h"

/* Runs plugin p over checkpoint c, storing rows into report. The returned
 * outcome is also stored in the plugin's slot. */
CkptPluginOutcome ckpt_host_run_plugin(const CkptHost *h,
                                       const CkptLoadedPlugin *p,
                                       CkptCheckpoint *c, GArray *opts,
                                       CkptReport *report);
/* Calls plugin p's prepare(), if it has one, before the chain's runs over
 * c: a plugin subscribes to pass there (api->mem_subscribe). */
void ckpt_host_prepare_plugin(const CkptHost *h, const CkptLoadedPlugin *p,
                              CkptCheckpoint *c, GArray *opts,
                              CkptReport *report, CkptMemPass *pass);
/* ckpt_host_run_plugin(), with the memory pass that ran before (its
 * subscription is the plugin's api->mem_subscription), or NULL. */
CkptPluginOutcome ckpt_host_run_plugin_pass(const CkptHost *h,
                                            const CkptLoadedPlugin *p,
                                            CkptCheckpoint *c, GArray *opts,
                                            CkptReport *report,
                                            CkptMemPass *pass);
/* Runs a multi-checkpoint plugin (run_multi) once over the n checkpoints
 * cs, whose chains' rows are in reports (one each, same order); its own
 * rows go into out. */
CkptPluginOutcome ckpt_host_run_multi(const CkptHost *h,
                                      const CkptLoadedPlugin *p, GArray *opts,
                                      CkptCheckpoint *const *cs,
                                      CkptReport *const *reports, size_t n,
                                      CkptReport *out);
/* A directory run's source of entries: the next checkpoint into *entry
 * (path, dir, dir_index, rel, name, times_from_config; borrowed until the
 * next call) and *c (its metadata, borrowed likewise); FALSE at the end. */
typedef gboolean (*CkptDirNextFn)(void *user, CkptDirEntryInfo *entry,
                                  CkptCheckpoint **c);
/* Runs plugin p's run_dir once over the entries next yields; its rows go
 * into out. */
CkptPluginOutcome ckpt_host_run_dir(const CkptHost *h,
                                    const CkptLoadedPlugin *p, GArray *opts,
                                    CkptDirNextFn next, void *user,
                                    CkptReport *out);
/* The host's function table, handed to each plugin's init() by
 * ckpt_host_finish() and to its run(). */
const CkptApi *ckpt_api_table(void);

#endif

/* isolate.h - --isolate: each plugin of a chain runs in a process of its
 * own, forked after the model is loaded, so a plugin that crashes or is
 * killed fails alone (FAILED, with a message naming the plugin and the
 * signal) while the rest of the chain completes.
 *
 * The child runs the plugin as usual (ckpt_host_run_plugin) against its
 * copy of the model and of the results so far, then sends back its
 * outcome, messages and rows over a pipe in a length-prefixed form. The
 * parent checks every record against the plugin's declared tables before
 * storing it: a child is trusted no more than the checkpoint it read.
 */
#ifndef CKPT_ISOLATE_H
#define CKPT_ISOLATE_H

#include <glib.h>

#include "host/host.h"

/* Whether ckpt_plan_run() isolates plugins; off unless set (--isolate). */
void ckpt_isolate_set(gboolean on);
gboolean ckpt_isolate_enabled(void);
/* Seconds an isolated plugin may run before it is killed and FAILED;
 * 0 (the default) waits for ever. */
void ckpt_isolate_set_timeout(unsigned seconds);

/* Like ckpt_host_run_plugin(), in a child process. */
CkptPluginOutcome ckpt_isolate_run_plugin(const CkptHost *h,
                                          const CkptLoadedPlugin *p,
                                          CkptCheckpoint *c, GArray *opts,
                                          CkptReport *report);

/* The wire form, exposed for tests: encodes pr's outcome, messages and
 * rows, and the model warnings from index from of warnings (NULL: none);
 * decodes them into a fresh slot of report for plugin p, adding to
 * warnings (NULL: dropped) each warning it does not hold yet. Decoding
 * fails with error on anything malformed or not matching the tables. */
GByteArray *ckpt_isolate_encode(const CkptPluginResult *pr,
                                const GPtrArray *warnings, guint from);
gboolean ckpt_isolate_decode(const guint8 *buf, gsize len, CkptPluginResult *pr,
                             CkptReport *report, GPtrArray *warnings,
                             GError **error);

#endif

/* mempass.h - the host's one memory pass (CkptMemSubscriber in the SDK):
 * the plugins of a chain subscribe from prepare(), then each process's
 * dumped memory is walked once and every block goes to every subscriber,
 * before the first run(). Each plugin finds its subscription again in
 * run() (api->mem_subscription).
 */
#ifndef CKPT_MEMPASS_H
#define CKPT_MEMPASS_H

#include <glib.h>

#include "ckpt/plugin.h"
#include "host/host.h"

typedef struct CkptMemPass CkptMemPass;

/* What the pass did, for --verbose and the tests. */
typedef struct {
  guint subscribers;
  guint64 processes;      /* walked */
  guint64 blocks;         /* handed to the subscribers, each once */
  guint64 bytes;          /* in those blocks, zero pages included */
  guint64 secret_bytes;   /* handed to libyara by the host's secrets scan */
  const char *secrets_by; /* the plugin whose scan found them, or NULL */
  double ms;
} CkptMemPassStats;

CkptMemPass *ckpt_mempass_new(void);
/* Calls every subscription's free(user), then frees the pass. */
void ckpt_mempass_free(CkptMemPass *pass);
/* Adds plugin's subscription (copied); FALSE when the plugin already has
 * one or sub is malformed. */
gboolean ckpt_mempass_add(CkptMemPass *pass, const CkptLoadedPlugin *plugin,
                          const CkptMemSubscriber *sub);
/* The user of plugin's subscription once the pass ran, else NULL. */
void *ckpt_mempass_user(const CkptMemPass *pass,
                        const CkptLoadedPlugin *plugin);
guint ckpt_mempass_count(const CkptMemPass *pass);
/* A plugin asks for what the secrets engine compiled from rules finds in
 * memory (api->mem_secrets): TRUE when the pass will scan with them (the
 * first rules asked for win). */
gboolean ckpt_mempass_want_secrets(CkptMemPass *pass, const char *rules);
/* Walks every process of c once, feeding every subscriber. The secrets
 * engine's scan joins when a plugin asked for it, or with the redaction
 * rules (NULL: none, --reveal) when anything subscribed: the policy then
 * takes memory's secrets from it instead of scanning again. */
void ckpt_mempass_run(CkptMemPass *pass, CkptCheckpoint *c,
                      const char *redaction);
const CkptMemPassStats *ckpt_mempass_stats(const CkptMemPass *pass);

#endif

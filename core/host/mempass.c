/* mempass.c - the one memory pass (mempass.h). The walk is the model's
 * memory iterator, once per process; blocks point into the checkpoint (or
 * its spool) and stay valid until every subscriber's sync() returned, so
 * subscribers that scan on threads of their own work on the same block at
 * once. Zero pages are the subscribers' to skip (mem_data_next): what a
 * scanner must see around them differs from one to the other. */
#include "host/mempass.h"

#include <string.h>

#include "model/model.h"
#include "model/secretset.h"

typedef struct {
  const CkptLoadedPlugin *plugin;
  CkptMemSubscriber sub;
} Subscription;

struct CkptMemPass {
  GArray *subs; /* Subscription */
  gboolean ran;
  char *secret_rules; /* a plugin asked for the engine's memory secrets */
  /* the secrets engine's scan: it drives the walk (ckpt_secret_scan_process)
   * unless a subscriber took its rules (shared) */
  CkptSecretScan *scan;
  gboolean shared;
  CkptMemPassStats stats;
};

CkptMemPass *
ckpt_mempass_new(void)
{
  CkptMemPass *pass = g_new0(CkptMemPass, 1);
  pass->subs = g_array_new(FALSE, TRUE, sizeof(Subscription));
  return pass;
}

void
ckpt_mempass_free(CkptMemPass *pass)
{
  if (!pass)
    return;
  for (guint i = 0; i < pass->subs->len; i++) {
    Subscription *s = &g_array_index(pass->subs, Subscription, i);
    if (s->sub.free)
      s->sub.free(s->sub.user);
  }
  g_array_unref(pass->subs);
  ckpt_secret_scan_free(pass->scan);
  g_free(pass->secret_rules);
  g_free(pass);
}

gboolean
ckpt_mempass_add(CkptMemPass *pass, const CkptLoadedPlugin *plugin,
                 const CkptMemSubscriber *sub)
{
  if (!pass || !sub || sub->size < sizeof(size_t) || pass->ran)
    return FALSE;
  for (guint i = 0; i < pass->subs->len; i++)
    if (g_array_index(pass->subs, Subscription, i).plugin == plugin)
      return FALSE;
  Subscription s = {.plugin = plugin};
  /* a subscriber built against a shorter struct gets zeros past it */
  s.sub.size = sizeof s.sub;
  memcpy((char *)&s.sub + sizeof(size_t), (const char *)sub + sizeof(size_t),
         MIN(sub->size, sizeof s.sub) - sizeof(size_t));
  g_array_append_val(pass->subs, s);
  pass->stats.subscribers = pass->subs->len;
  return TRUE;
}

void *
ckpt_mempass_user(const CkptMemPass *pass, const CkptLoadedPlugin *plugin)
{
  if (!pass || !pass->ran)
    return NULL;
  for (guint i = 0; i < pass->subs->len; i++) {
    const Subscription *s = &g_array_index(pass->subs, Subscription, i);
    if (s->plugin == plugin)
      return s->sub.user;
  }
  return NULL;
}

guint
ckpt_mempass_count(const CkptMemPass *pass)
{
  return pass ? pass->subs->len : 0;
}

const CkptMemPassStats *
ckpt_mempass_stats(const CkptMemPass *pass)
{
  return &pass->stats;
}

#define EACH_SUB(pass, s)                                                      \
  for (Subscription *s = (Subscription *)(pass)->subs->data;                   \
       s < (Subscription *)(pass)->subs->data + (pass)->subs->len; s++)

/* one block to every subscriber */
static void
feed_block(const CkptProcess *p, const CkptMemBlock *b, void *user)
{
  CkptMemPass *pass = user;
  pass->stats.blocks++;
  pass->stats.bytes += b->len;
  EACH_SUB(pass, s)
  if (s->sub.block)
    s->sub.block(p, b, s->sub.user);
}

/* every subscriber done with the block */
static void
feed_done(const CkptProcess *p, void *user)
{
  CkptMemPass *pass = user;
  EACH_SUB(pass, s)
  if (s->sub.sync)
    s->sub.sync(p, s->sub.user);
}

static void
walk_process(CkptMemPass *pass, const CkptProcess *p)
{
  CkptMemIter *it = ckpt_mem_iter_new(p);
  if (!it)
    return;
  pass->stats.processes++;
  EACH_SUB(pass, s)
  if (s->sub.begin)
    s->sub.begin(p, s->sub.user);
  if (pass->scan && !pass->shared) {
    /* the engine's scan pulls the blocks and hands each to the
     * subscribers before it scans it itself, as a subscriber would,
     * last: those that scan on threads of their own start first */
    CkptSecretFeed feed = {feed_block, feed_done, pass};
    ckpt_secret_scan_process(pass->scan, p, it, &feed);
  } else {
    CkptMemBlock b = {.size = sizeof b};
    while (ckpt_mem_iter_next(it, &b)) {
      if (!b.data || b.len == 0)
        continue;
      feed_block(p, &b, pass);
      feed_done(p, pass);
    }
  }
  ckpt_mem_iter_free(it);
  EACH_SUB(pass, s)
  if (s->sub.end)
    s->sub.end(p, s->sub.user);
  if (pass->scan && !pass->shared)
    ckpt_secret_scan_end(pass->scan, p);
}

gboolean
ckpt_mempass_want_secrets(CkptMemPass *pass, const char *rules)
{
  if (!pass || pass->ran || !rules)
    return FALSE;
  if (!pass->secret_rules)
    pass->secret_rules = g_strdup(rules);
  return g_strcmp0(pass->secret_rules, rules) == 0;
}

/* Offers the engine's rules to the subscribers (CkptMemSubscriber.secrets,
 * SDK 3.9): the first that takes them finds memory's secrets in its own
 * libyara scan. Not with CKPT_SECRETS_SHARE=0 in the environment (the host
 * scans: what bench/triage.sh and tests/cli/share.sh compare with). */
static void
share_scan(CkptMemPass *pass)
{
  if (g_strcmp0(g_getenv("CKPT_SECRETS_SHARE"), "0") == 0)
    return;
  CkptSecretRules r;
  ckpt_secret_scan_rules(pass->scan, &r);
  EACH_SUB(pass, s)
  {
    if (s->sub.secrets && s->sub.secrets(&r, s->sub.user)) {
      ckpt_secret_scan_share(pass->scan);
      pass->shared = TRUE;
      pass->stats.secrets_by = s->plugin ? s->plugin->desc->name : "?";
      return;
    }
  }
}

/* Will a subscriber's rows want memory's whole secret set? Not those of
 * a plugin that shows memory only in windows (CKPT_SHOWS_MEMORY_IN_WINDOWS,
 * SDK 3.8): the windows are scanned for its rows instead. */
static gboolean
needs_redaction_scan(const CkptMemPass *pass)
{
  EACH_SUB(pass, s)
  {
    if (!s->plugin ||
        !(ckpt_plugin_reads(s->plugin->desc) & CKPT_SHOWS_MEMORY_IN_WINDOWS))
      return TRUE;
  }
  return FALSE;
}

void
ckpt_mempass_run(CkptMemPass *pass, CkptCheckpoint *c, const char *redaction)
{
  if (!pass || pass->ran)
    return;
  /* the redaction policy will want memory's secrets once a subscriber
   * saw memory; the engine's scan joins the pass, last, so that the
   * subscribers that scan on threads of their own start on each block
   * before it; a plugin that asked for them gets the same (mem_secrets) */
  const char *rules = pass->secret_rules;
  if (!rules && needs_redaction_scan(pass))
    rules = redaction;
  pass->scan = rules ? ckpt_secret_scan_new(c, rules, NULL) : NULL;
  pass->ran = TRUE;
  if (pass->subs->len == 0 && !pass->scan)
    return;
  if (pass->scan)
    share_scan(pass);
  /* the engine's own scan counts as one */
  pass->stats.subscribers = pass->subs->len + (pass->scan && !pass->shared);
  gint64 t0 = g_get_monotonic_time();
  /* subscribers show what memory holds: the redaction policy then takes
   * the secrets found in memory too, as for a plugin that read it */
  c->memory_shown = TRUE;
  for (size_t i = 0; i < c->n_procs; i++)
    if (c->procs[i].info.has_mm)
      walk_process(pass, &c->procs[i]);
  ckpt_secret_scan_finish(pass->scan);
  pass->stats.secret_bytes = ckpt_secret_scan_bytes(pass->scan);
  pass->stats.ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
}

/* secretset.c - the secret set of a checkpoint (secretset.h): the secrets
 * engine over the spec, each process's environment, command line and
 * dumped memory, computed once per checkpoint and kept with the model.
 *
 * Two sets: the strings' (spec, environments, command lines), which is
 * all a plugin that never reads memory can show, and with each process's
 * dumped memory scanned too, for plugins that read memory (memparse,
 * yara, secrets, detect): a hexdump or a YARA hit would show a token that
 * is only in the heap. The memory scan is the secrets plugin's; its cost
 * is in bench/redact.sh.
 */
#include <string.h>

#include "ckpt/zeropad.h"
#include "model/secretset.h"
#include "secrets-detect.h"

struct CkptSecretSetCache {
  GMutex lock;            /* this checkpoint's sets are computed under it */
  CkptSecretSet *strings; /* spec, environments, command lines */
  CkptSecretSet *full;    /* and dumped memory */
  /* what the host's memory pass found (ckpt_secret_scan_*), per process
   * (n_procs slots, NULL: not scanned), with the rules it used */
  char *mem_rules;
  GPtrArray **mem; /* SecretsCandidate*, in match order */
  size_t n_mem;
  gboolean shared;      /* a subscriber delivers them (ckpt_secret_deliver) */
  CkptMemSecret **view; /* the same as the SDK shows them */
  /* processes a sharing subscriber handed nothing for (more matches than
   * CKPT_SECRET_MATCHES_MAX, a failed scan), scanned by the host once
   * afterwards, and the bytes of those scans */
  guint64 rescanned, rescanned_bytes;
  gboolean pass_over; /* every process walked (ckpt_secret_scan_finish) */
};

static void
secret_free(CkptSecret *s)
{
  g_free(s->value);
  g_free(s->shown);
  g_free(s->hex);
  g_free(s);
}

CkptSecretSet *
ckpt_secret_set_new(void)
{
  CkptSecretSet *s = g_new0(CkptSecretSet, 1);
  s->items = g_ptr_array_new_with_free_func((GDestroyNotify)secret_free);
  s->seen = g_hash_table_new(g_str_hash, g_str_equal);
  return s;
}

void
ckpt_secret_set_free(CkptSecretSet *s)
{
  if (!s)
    return;
  g_hash_table_destroy(s->seen);
  g_ptr_array_free(s->items, TRUE);
  g_free(s);
}

static char *
hex_of(const char *v, size_t len)
{
  GString *h = g_string_sized_new(len * 3);
  for (size_t i = 0; i < len; i++)
    g_string_append_printf(h, "%s%02x", i ? " " : "", (guint8)v[i]);
  return g_string_free(h, FALSE);
}

static void
add_shown(CkptSecretSet *s, const char *value, char *shown)
{
  size_t len = strlen(value);
  if (len < CKPT_SECRET_MIN_LEN || g_hash_table_contains(s->seen, value)) {
    g_free(shown);
    return;
  }
  if (s->items->len >= CKPT_SECRET_SET_MAX) {
    s->dropped++;
    g_free(shown);
    return;
  }
  CkptSecret *e = g_new0(CkptSecret, 1);
  e->value = g_strdup(value);
  e->len = len;
  e->shown = shown;
  e->hex = hex_of(value, len);
  g_ptr_array_add(s->items, e);
  g_hash_table_insert(s->seen, e->value, e);
}

void
ckpt_secret_set_add(CkptSecretSet *s, const char *kind, const char *value)
{
  if (!value)
    return;
  add_shown(s, value, secrets_redact(kind, value));
  /* a URL's password is shown as *** in the URL; alone (a hexdump row, a
   * config line) it is a secret of its own */
  if (g_strcmp0(kind, "url-password") == 0) {
    const char *scheme = strstr(value, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon =
        at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (colon) {
      g_autofree char *pw = g_strndup(colon + 1, (size_t)(at - colon - 1));
      add_shown(s, pw, secrets_redact(NULL, pw));
    }
  }
}

void
ckpt_secret_set_merge(CkptSecretSet *s, const CkptSecretSet *from)
{
  for (guint i = 0; from && i < from->items->len; i++) {
    const CkptSecret *e = from->items->pdata[i];
    add_shown(s, e->value, g_strdup(e->shown));
  }
}

static gint
cmp_longest(gconstpointer a, gconstpointer b)
{
  const CkptSecret *x = *(CkptSecret *const *)a, *y = *(CkptSecret *const *)b;
  if (x->len != y->len)
    return x->len > y->len ? -1 : 1;
  return strcmp(x->value, y->value);
}

void
ckpt_secret_set_sort(CkptSecretSet *s)
{
  g_ptr_array_sort(s->items, cmp_longest);
}

/* ---- computing --------------------------------------------------------- */

/* The engines compiled so far, one per rules text, kept for the process:
 * checkpoints of a worker pool ask at once, and one being scanned with
 * must not be freed when another checkpoint asks for other rules. The
 * global lock guards them and each checkpoint's cache slot; a set is
 * computed under its checkpoint's own lock, so two checkpoints scan at
 * once. */
static GMutex lock;
static GHashTable *engines; /* rules -> SecretsEngine* */

/* Under lock. */
static const SecretsEngine *
engine_for(const char *rules, char **warning)
{
  if (!rules || !*rules)
    return NULL;
  if (engines == NULL)
    engines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)secrets_engine_free);
  SecretsEngine *e = g_hash_table_lookup(engines, rules);
  if (e)
    return e;
  g_autoptr(GError) error = NULL;
  e = secrets_engine_new(rules, &error);
  if (!e) {
    if (warning)
      *warning = g_strdup_printf("redaction: only secret-like names apply: %s",
                                 error->message);
    return NULL;
  }
  g_hash_table_insert(engines, g_strdup(rules), e);
  return e;
}

/* The engine's findings in one buffer; value_base: matches that start
 * before it (the NAME of NAME=VALUE) are not values. */
static void
scan_text(CkptSecretSet *s, const SecretsEngine *e, const char *text,
          size_t value_base)
{
  if (!e || !text || !*text)
    return;
  size_t len = strlen(text);
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  if (!secrets_scan_buffer(e, (const uint8_t *)text, len, hits, NULL))
    return;
  for (guint i = 0; i < hits->len; i++) {
    const SecretsHit *h = &g_array_index(hits, SecretsHit, i);
    if (h->offset >= len || h->len > len - h->offset)
      continue;
    SecretsCandidate *c = secrets_validate(h, (const uint8_t *)text + h->offset,
                                           len - (size_t)h->offset);
    if (c && c->value_offset >= value_base)
      ckpt_secret_set_add(s, c->kind, c->value);
    secrets_candidate_free(c);
  }
}

static void
scan_assignment(CkptSecretSet *s, const SecretsEngine *e, const char *name,
                const char *value, const char *whole)
{
  SecretsCandidate *c = secrets_check_env_name(name, value);
  if (c)
    ckpt_secret_set_add(s, c->kind, c->value);
  secrets_candidate_free(c);
  scan_text(s, e, whole, strlen(name));
}

/* Zero pages are not handed to libyara: a block goes in as its pieces
 * (ckpt/zeropad.h over ckpt_mem_data_next, a page of padding either side),
 * at their offsets in the block, as one libyara scan of the block (its
 * rules' conditions are judged over the block, as before). */
#define ZERO_PAD 4096u

typedef struct {
  YR_MEMORY_BLOCK blk;
  const CkptMemBlock *b;
  CkptZeroPad zp;
  size_t clip_from, clip_to; /* only these bytes of the block (a window) */
  guint64 *bytes;            /* handed to libyara */
} Pieces;

/* The next piece, cut to the clip: the pieces are those of the whole
 * block (their edges are where the full scan's are), then clipped. */
static gboolean
clipped_next(Pieces *ps, size_t *from, size_t *to)
{
  while (ckpt_zeropad_next(&ps->zp, ps->b, from, to)) {
    if (*from >= ps->clip_to)
      return FALSE;
    *from = MAX(*from, ps->clip_from);
    *to = MIN(*to, ps->clip_to);
    if (*from < *to)
      return TRUE;
  }
  return FALSE;
}

static YR_MEMORY_BLOCK *
piece_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
  Pieces *ps = it->context;
  size_t from, to;
  if (!clipped_next(ps, &from, &to))
    return NULL;
  ps->blk.base = from;
  ps->blk.size = to - from;
  ps->blk.context = (void *)(ps->b->data + from);
  *ps->bytes += to - from;
  return &ps->blk;
}

static YR_MEMORY_BLOCK *
piece_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
  ((Pieces *)it->context)->zp.off = 0;
  return piece_next(it);
}

static const uint8_t *
piece_data(YR_MEMORY_BLOCK *blk)
{
  return blk->context;
}

/* The engine's raw matches in bytes [clip_from, clip_to) of one block of
 * p, at their addresses, appended to hits; the bytes handed to libyara
 * added to *bytes. */
static void
scan_clipped(const SecretsEngine *e, const CkptProcess *p,
             const CkptMemBlock *b, size_t clip_from, size_t clip_to,
             GArray *hits, guint64 *bytes)
{
  guint first = hits->len;
  Pieces ps = {
      .b = b,
      .zp = {.proc = p, .pad = ZERO_PAD, .data_next = ckpt_mem_data_next},
      .blk = {.fetch_data = piece_data},
      .clip_from = clip_from,
      .clip_to = clip_to,
      .bytes = bytes};
  /* a block of nothing but zero pages is not scanned at all */
  size_t from, to;
  if (!clipped_next(&ps, &from, &to))
    return;
  YR_MEMORY_BLOCK_ITERATOR it = {
      .context = &ps, .first = piece_first, .next = piece_next};
  if (!secrets_scan_blocks(e, &it, hits, NULL))
    g_array_set_size(hits, first);
  for (guint i = first; i < hits->len; i++)
    g_array_index(hits, SecretsHit, i).offset += b->addr;
}

/* ---- one process's memory, one libyara scan -------------------------- */

/* The engine judges its rules over each process's memory as one scan, as
 * the yara tool does a process's and the yara plugin does: the blocks of
 * a walk go to libyara as their pieces (a page of zero padding either
 * side, as scan_clipped), pulled. When the walk is the memory pass's, each
 * block is handed to feed->block before libyara scans it and feed->done is
 * called once libyara is done with it, before the next is pulled. A second
 * walk (a condition reading memory after the scan) uses an iterator of its
 * own and feeds nothing. */
typedef struct {
  YR_MEMORY_BLOCK blk;
  const CkptProcess *p;
  CkptMemIter *it;  /* the walk's (the caller's) */
  CkptMemIter *own; /* a second walk's */
  CkptMemBlock cur;
  gboolean in_cur, started, walked;
  CkptZeroPad zp;
  const CkptSecretFeed *feed; /* or NULL */
  guint64 *bytes;             /* handed to libyara by the first walk */
} ProcWalk;

/* The next non-empty block of the walk; FALSE at its end. */
static gboolean
walk_pull(ProcWalk *w)
{
  gboolean feeding = !w->own && w->feed;
  if (w->in_cur && feeding && w->feed->done)
    w->feed->done(w->p, w->feed->user);
  w->in_cur = FALSE;
  do {
    if (!ckpt_mem_iter_next(w->own ? w->own : w->it, &w->cur)) {
      w->walked |= !w->own;
      return FALSE;
    }
  } while (!w->cur.data || w->cur.len == 0);
  w->in_cur = TRUE;
  w->zp.off = 0;
  if (feeding && w->feed->block)
    w->feed->block(w->p, &w->cur, w->feed->user);
  return TRUE;
}

static YR_MEMORY_BLOCK *
walk_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
  ProcWalk *w = it->context;
  for (;;) {
    size_t from, to;
    if (w->in_cur && ckpt_zeropad_next(&w->zp, &w->cur, &from, &to)) {
      w->blk.base = w->cur.addr + from;
      w->blk.size = to - from;
      w->blk.context = (void *)(w->cur.data + from);
      if (!w->own)
        *w->bytes += to - from;
      return &w->blk;
    }
    if (!walk_pull(w))
      return NULL;
  }
}

static YR_MEMORY_BLOCK *
walk_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
  ProcWalk *w = it->context;
  it->last_error = ERROR_SUCCESS;
  if (!w->started) {
    w->started = TRUE;
    return walk_next(it);
  }
  /* walked again: the pass gets the rest of its walk first */
  while (!w->walked && walk_pull(w))
    ;
  if (w->own)
    ckpt_mem_iter_free(w->own);
  w->own = ckpt_mem_iter_new(w->p);
  w->in_cur = FALSE;
  return w->own ? walk_next(it) : NULL;
}

/* The engine's raw matches in p's memory, walked with it (from its
 * start), at their addresses, appended to hits (at most
 * SECRETS_MAX_HITS_PER_SCAN); bytes handed to libyara added to *bytes.
 * Every block of the walk goes to feed, whatever libyara does. */
static void
scan_process(const SecretsEngine *e, const CkptProcess *p, CkptMemIter *it,
             const CkptSecretFeed *feed, GArray *hits, guint64 *bytes)
{
  ProcWalk w = {
      .p = p,
      .it = it,
      .cur = {.size = sizeof w.cur},
      .zp = {.proc = p, .pad = ZERO_PAD, .data_next = ckpt_mem_data_next},
      .feed = feed,
      .bytes = bytes};
  w.blk.fetch_data = piece_data;
  YR_MEMORY_BLOCK_ITERATOR yit = {
      .context = &w, .first = walk_first, .next = walk_next};
  /* a partial scan (a libyara error) keeps the hits it made: each is
   * validated on its own */
  secrets_scan_blocks(e, &yit, hits, NULL);
  while (!w.walked && walk_pull(&w))
    ;
  if (w.own)
    ckpt_mem_iter_free(w.own);
}

/* What the validator makes of p's hits: SecretsCandidate*, in hit order. */
static GPtrArray *
validate_hits(const CkptProcess *p, GArray *hits)
{
  GPtrArray *found =
      g_ptr_array_new_with_free_func((GDestroyNotify)secrets_candidate_free);
  g_autofree uint8_t *buf = g_malloc(SECRETS_EXTENT_MAX);
  for (guint i = 0; i < hits->len; i++) {
    const SecretsHit *h = &g_array_index(hits, SecretsHit, i);
    size_t want = secrets_hit_read_len(h);
    size_t got = want ? ckpt_mem_read(p, h->offset, buf, want) : 0;
    if (want == 0 || got < h->len)
      continue;
    SecretsCandidate *c = secrets_validate(h, buf, got);
    if (c)
      g_ptr_array_add(found, c);
  }
  return found;
}

static void
add_candidates(CkptSecretSet *s, GPtrArray *found)
{
  for (guint k = 0; found && k < found->len; k++) {
    const SecretsCandidate *cd = found->pdata[k];
    ckpt_secret_set_add(s, cd->kind, cd->value);
  }
}

/* p's memory scanned with e on a walk of its own and validated: its
 * candidates (SecretsCandidate*, in hit order); the bytes handed to
 * libyara added to *bytes. */
static GPtrArray *
scan_found(const SecretsEngine *e, const CkptProcess *p, guint64 *bytes)
{
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  CkptMemIter *it = ckpt_mem_iter_new(p);
  if (it) {
    scan_process(e, p, it, NULL, hits, bytes);
    ckpt_mem_iter_free(it);
  }
  return validate_hits(p, hits);
}

static void
scan_memory(CkptSecretSet *s, const SecretsEngine *e, const CkptProcess *p)
{
  guint64 bytes = 0;
  g_autoptr(GPtrArray) found = scan_found(e, p, &bytes);
  add_candidates(s, found);
}

/* The candidates the memory pass found in process i, or NULL. */
static GPtrArray *
pass_candidates(const CkptCheckpoint *c, size_t i, const char *rules)
{
  const struct CkptSecretSetCache *k = c->secrets;
  if (!k || !k->mem || g_strcmp0(k->mem_rules, rules) != 0)
    return NULL;
  return k->mem[i];
}

static gboolean store_found(CkptCheckpoint *c, size_t i, GPtrArray *found);

/* Process i's pass candidates once the pass is over: what it found, or,
 * where a subscriber that took the engine's rules handed nothing over for
 * i, the host's own scan of i, made here once and kept in the pass's slot
 * (so the redaction policy and the secrets plugin both take that one scan
 * and no consumer walks i's memory again). NULL: the pass scanned with
 * other rules or did not run. */
static GPtrArray *
pass_or_rescan(CkptCheckpoint *c, size_t i, const char *rules)
{
  g_mutex_lock(&lock);
  GPtrArray *found = pass_candidates(c, i, rules);
  const struct CkptSecretSetCache *k = c->secrets;
  gboolean rescan = !found && k && k->shared && k->pass_over && k->mem &&
                    i < k->n_mem && g_strcmp0(k->mem_rules, rules) == 0 &&
                    c->procs[i].info.has_mm;
  const SecretsEngine *e =
      rescan && engines ? g_hash_table_lookup(engines, rules) : NULL;
  g_mutex_unlock(&lock);
  if (found || !e)
    return found;
  guint64 bytes = 0;
  /* two threads asking at once may both scan; one scan is kept and
   * counted */
  gboolean kept = store_found(c, i, scan_found(e, &c->procs[i], &bytes));
  g_mutex_lock(&lock);
  if (kept) {
    c->secrets->rescanned++;
    c->secrets->rescanned_bytes += bytes;
  }
  found = pass_candidates(c, i, rules);
  g_mutex_unlock(&lock);
  return found;
}

/* TRUE the first time str is met in seen: a string's findings depend on
 * the string alone, and 400 processes forked from one parent carry the
 * same environment and command line, so each distinct one is scanned
 * once. */
static gboolean
first_time(GHashTable *seen, const char *str)
{
  return g_hash_table_add(seen, (gpointer)str);
}

static CkptSecretSet *
compute(CkptCheckpoint *c, const SecretsEngine *e, gboolean memory,
        const char *rules)
{
  CkptSecretSet *s = ckpt_secret_set_new();
  const CkptContainerInfo *ci = &c->container;
  for (size_t i = 0; i < ci->n_spec_env; i++) {
    const CkptKeyValue *kv = &ci->spec_env[i];
    if (!kv->key)
      continue;
    g_autofree char *whole =
        g_strdup_printf("%s=%s", kv->key, kv->value ? kv->value : "");
    scan_assignment(s, e, kv->key, kv->value ? kv->value : "", whole);
  }
  for (size_t i = 0; ci->spec_args && ci->spec_args[i]; i++)
    scan_text(s, e, ci->spec_args[i], 0);
  g_autoptr(GHashTable) envs = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GHashTable) texts = g_hash_table_new(g_str_hash, g_str_equal);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    const CkptProcessInfo *pi = &p->info;
    for (size_t k = 0; pi->envp && pi->envp[k]; k++) {
      const char *eq = strchr(pi->envp[k], '=');
      if (!eq || !first_time(envs, pi->envp[k]))
        continue;
      g_autofree char *name =
          g_strndup(pi->envp[k], (size_t)(eq - pi->envp[k]));
      scan_assignment(s, e, name, eq + 1, pi->envp[k]);
    }
    for (size_t k = 0; pi->argv && pi->argv[k]; k++)
      if (first_time(texts, pi->argv[k]))
        scan_text(s, e, pi->argv[k], 0);
    if (pi->cmdline && first_time(texts, pi->cmdline))
      scan_text(s, e, pi->cmdline, 0);
    GPtrArray *found = memory ? pass_or_rescan(c, i, rules) : NULL;
    add_candidates(s, found);
    if (e && memory && pi->has_mm && !found)
      scan_memory(s, e, p);
  }
  ckpt_secret_set_sort(s);
  return s;
}

/* c's cache, made on first use (under lock: the memory pass and the
 * secret sets both make it) */
static struct CkptSecretSetCache *
cache_of(CkptCheckpoint *c)
{
  if (!c->secrets) {
    c->secrets = g_new0(struct CkptSecretSetCache, 1);
    g_mutex_init(&c->secrets->lock);
  }
  return c->secrets;
}

const CkptSecretSet *
ckpt_checkpoint_secrets(CkptCheckpoint *c, const char *rules, gboolean memory,
                        char **warning)
{
  g_mutex_lock(&lock);
  struct CkptSecretSetCache *cache = cache_of(c);
  g_mutex_unlock(&lock);
  g_mutex_lock(&cache->lock);
  CkptSecretSet **slot = memory ? &cache->full : &cache->strings;
  if (!*slot) {
    /* the rules compile once per process; the figure is the scan's */
    g_mutex_lock(&lock);
    const SecretsEngine *e = engine_for(rules, warning);
    g_mutex_unlock(&lock);
    gint64 t0 = g_get_monotonic_time();
    *slot = compute(c, e, memory, rules);
    (*slot)->compute_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
  }
  const CkptSecretSet *s = *slot;
  g_mutex_unlock(&cache->lock);
  return s;
}

/* ---- the host's memory pass ------------------------------------------- */

struct CkptSecretScan {
  CkptCheckpoint *c;
  char *rules;
  const SecretsEngine *e;
  GArray *hits;  /* SecretsHit of the current process, at addresses */
  guint64 bytes; /* handed to libyara */
};

CkptSecretScan *
ckpt_secret_scan_new(CkptCheckpoint *c, const char *rules, char **warning)
{
  g_mutex_lock(&lock);
  const SecretsEngine *e = engine_for(rules, warning);
  if (e) {
    cache_of(c);
    if (!c->secrets->mem) {
      c->secrets->mem = g_new0(GPtrArray *, c->n_procs ? c->n_procs : 1);
      c->secrets->view = g_new0(CkptMemSecret *, c->n_procs ? c->n_procs : 1);
      c->secrets->mem_rules = g_strdup(rules);
      c->secrets->n_mem = c->n_procs;
    }
    if (g_strcmp0(c->secrets->mem_rules, rules) != 0)
      e = NULL; /* scanned with other rules already: keep those */
  }
  g_mutex_unlock(&lock);
  if (!e)
    return NULL;
  CkptSecretScan *s = g_new0(CkptSecretScan, 1);
  s->c = c;
  s->rules = g_strdup(rules);
  s->e = e;
  s->hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  return s;
}

void
ckpt_secret_scan_process(CkptSecretScan *s, const CkptProcess *p,
                         CkptMemIter *it, const CkptSecretFeed *feed)
{
  /* as scan_memory, so the set is the one it computes */
  scan_process(s->e, p, it, feed, s->hits, &s->bytes);
}

guint64
ckpt_secret_scan_bytes(const CkptSecretScan *s)
{
  return s ? s->bytes : 0;
}

/* Keeps found (and its SDK view) as process i's pass candidates, unless
 * it has some already; TRUE when kept. Takes found either way. */
static gboolean
store_found(CkptCheckpoint *c, size_t i, GPtrArray *found)
{
  CkptMemSecret *view = g_new0(CkptMemSecret, found->len ? found->len : 1);
  for (guint k = 0; k < found->len; k++) {
    const SecretsCandidate *cd = found->pdata[k];
    view[k] = (CkptMemSecret){.size = sizeof view[k],
                              .kind = cd->kind,
                              .severity = cd->severity,
                              .priority = cd->priority,
                              .value = cd->value,
                              .detail = cd->detail,
                              .addr = cd->value_offset};
  }
  g_mutex_lock(&lock);
  struct CkptSecretSetCache *k = c->secrets;
  gboolean kept = i < c->n_procs && !k->mem[i];
  if (kept) {
    k->mem[i] = found;
    k->view[i] = view;
  } else {
    g_ptr_array_unref(found);
    g_free(view);
  }
  g_mutex_unlock(&lock);
  return kept;
}

void
ckpt_secret_scan_end(CkptSecretScan *s, const CkptProcess *p)
{
  GPtrArray *found = validate_hits(p, s->hits);
  g_array_set_size(s->hits, 0);
  store_found(s->c, (size_t)(p - s->c->procs), found);
}

void
ckpt_secret_scan_rules(const CkptSecretScan *s, CkptSecretRules *out)
{
  *out = (CkptSecretRules){.size = sizeof *out,
                           .rules = s->rules,
                           .n = s->e->files->len,
                           .files = (const char *const *)s->e->files->pdata,
                           .namespaces =
                               (const char *const *)s->e->namespaces->pdata};
}

void
ckpt_secret_scan_finish(CkptSecretScan *s)
{
  if (!s)
    return;
  g_mutex_lock(&lock);
  s->c->secrets->pass_over = TRUE;
  g_mutex_unlock(&lock);
}

void
ckpt_secret_scan_share(CkptSecretScan *s)
{
  g_mutex_lock(&lock);
  s->c->secrets->shared = TRUE;
  g_mutex_unlock(&lock);
}

gboolean
ckpt_secret_deliver(CkptCheckpoint *c, const char *rules, const CkptProcess *p,
                    const CkptSecretMatch *m, size_t n)
{
  if (!c || !rules || !p || (n && !m) || p < c->procs ||
      p >= c->procs + c->n_procs)
    return FALSE;
  size_t i = (size_t)(p - c->procs);
  g_mutex_lock(&lock);
  const struct CkptSecretSetCache *k = c->secrets;
  gboolean open = k && k->shared && k->mem && i < k->n_mem && !k->mem[i] &&
                  g_strcmp0(k->mem_rules, rules) == 0;
  const SecretsEngine *e =
      open && engines ? g_hash_table_lookup(engines, rules) : NULL;
  g_mutex_unlock(&lock);
  if (!e)
    return FALSE;
  /* the subscriber's structs may be longer than ours (a later SDK):
   * elements are m[0].size bytes apart */
  size_t stride = n ? m->size : 0;
  if (n && stride < sizeof *m)
    return FALSE;
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  for (size_t j = 0; j < n; j++) {
    const CkptSecretMatch *mj =
        (const CkptSecretMatch *)((const char *)m + j * stride);
    SecretsHit h;
    gboolean bad = FALSE;
    if (mj->size != stride || !mj->ns || !mj->rule || !mj->string)
      return FALSE;
    if (secrets_engine_hit(e, mj->ns, mj->rule, mj->string_index, mj->string,
                           mj->addr, mj->len, &h, &bad) &&
        hits->len < SECRETS_MAX_HITS_PER_SCAN)
      g_array_append_val(hits, h);
    if (bad)
      return FALSE; /* compiled from other files: the host scans */
  }
  store_found(c, i, validate_hits(p, hits));
  return TRUE;
}

void
ckpt_secret_scan_free(CkptSecretScan *s)
{
  if (!s)
    return;
  g_array_unref(s->hits);
  g_free(s->rules);
  g_free(s);
}

gboolean
ckpt_checkpoint_mem_secrets(CkptCheckpoint *c, const char *rules,
                            const CkptProcess *p, const CkptMemSecret **out,
                            size_t *n)
{
  size_t i = p ? (size_t)(p - c->procs) : c->n_procs;
  GPtrArray *found = i < c->n_procs ? pass_or_rescan(c, i, rules) : NULL;
  if (found) {
    g_mutex_lock(&lock);
    *out = c->secrets->view[i];
    *n = found->len;
    g_mutex_unlock(&lock);
  }
  return found != NULL;
}

guint64
ckpt_checkpoint_secret_rescans(CkptCheckpoint *c, guint64 *bytes)
{
  g_mutex_lock(&lock);
  const struct CkptSecretSetCache *k = c->secrets;
  guint64 n = k ? k->rescanned : 0;
  if (bytes)
    *bytes = k ? k->rescanned_bytes : 0;
  g_mutex_unlock(&lock);
  return n;
}

/* ---- windows of memory ------------------------------------------------ */

const CkptSecretReach ckpt_secret_reach_engine = {
    /* a value starts at its hit (or after it, inside the extent) and ends
     * at most SECRETS_EXTENT_MAX past the hit: a PEM block, a JWT */
    .value = SECRETS_EXTENT_MAX,
    /* libyara matches a string from an atom anywhere in it, at most
     * YR_RE_SCAN_LIMIT bytes back and forward (a hit spans at most twice
     * that), looks one byte past either end (fullword), and a rule's
     * condition may tie its strings' offsets together (the shipped rules:
     * within 4096 bytes of each other); 8 KiB more for that */
    .scan = 2 * YR_RE_SCAN_LIMIT + 1 + 8192,
};

/* The hits of one process known so far: every one starting in
 * [from, to), and how far the next scan reads ahead. */
typedef struct {
  gboolean any;
  uint64_t from, to;
  uint64_t ahead;
} Known;

/* A first scan past a window reads this far ahead of it; each one that
 * goes on from the last doubles it, up to the most: hits close together
 * then cost what their span does, not a window each. */
#define WINDOW_AHEAD_MIN ((uint64_t)64 << 10)
#define WINDOW_AHEAD_MAX ((uint64_t)8 << 20)

struct CkptSecretWindows {
  CkptCheckpoint *c;
  char *rules;
  const SecretsEngine *e; /* NULL: the name table only */
  CkptSecretReach reach;
  CkptSecretSet *set;        /* the strings' secrets and every window's */
  const CkptSecretSet *full; /* memory's all scanned already, or NULL */
  Known *known;              /* c->n_procs */
  guint64 budget;            /* the bytes of memory dumped */
  guint64 bytes, windows;
  double ms;
};

static uint64_t
sat_sub(uint64_t a, uint64_t b)
{
  return a > b ? a - b : 0;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* c's full set (strings and memory) once made, else NULL. */
static const CkptSecretSet *
full_made(CkptCheckpoint *c)
{
  g_mutex_lock(&lock);
  struct CkptSecretSetCache *k = c->secrets;
  g_mutex_unlock(&lock);
  if (!k)
    return NULL;
  g_mutex_lock(&k->lock);
  const CkptSecretSet *s = k->full;
  g_mutex_unlock(&k->lock);
  return s;
}

/* Is every secret of memory at hand without a scan (a chain's memory
 * pass scanned each process, or a plugin made the full set)? */
static gboolean
memory_at_hand(CkptCheckpoint *c, const char *rules)
{
  if (full_made(c))
    return TRUE;
  g_mutex_lock(&lock);
  const struct CkptSecretSetCache *k = c->secrets;
  gboolean at_hand = FALSE;
  if (k && k->mem && g_strcmp0(k->mem_rules, rules) == 0) {
    at_hand = TRUE;
    for (size_t i = 0; i < c->n_procs && at_hand; i++)
      if (c->procs[i].info.has_mm && !k->mem[i])
        at_hand = FALSE;
  }
  g_mutex_unlock(&lock);
  return at_hand;
}

CkptSecretWindows *
ckpt_secret_windows_new(CkptCheckpoint *c, const char *rules,
                        const CkptSecretReach *reach, char **warning)
{
  CkptSecretWindows *w = g_new0(CkptSecretWindows, 1);
  w->c = c;
  w->rules = g_strdup(rules);
  for (size_t i = 0; i < c->n_procs; i++)
    w->budget += c->procs[i].info.mem_present;
  w->reach = reach ? *reach : ckpt_secret_reach_engine;
  w->known = g_new0(Known, c->n_procs ? c->n_procs : 1);
  if (memory_at_hand(c, rules)) {
    w->full = ckpt_checkpoint_secrets(c, rules, TRUE, warning);
    return w;
  }
  g_mutex_lock(&lock);
  w->e = engine_for(rules, warning);
  g_mutex_unlock(&lock);
  w->set = ckpt_secret_set_new();
  ckpt_secret_set_merge(w->set, ckpt_checkpoint_secrets(c, rules, FALSE, NULL));
  ckpt_secret_set_sort(w->set);
  return w;
}

/* Every hit of p starting in [from, to), into hits: the blocks that reach
 * into [from - scan, to + scan), each scanned only there, with the full
 * scan's pieces. */
static void
windows_scan(CkptSecretWindows *w, const CkptProcess *p, uint64_t from,
             uint64_t to, GArray *hits)
{
  uint64_t lo = sat_sub(from, w->reach.scan), hi = sat_add(to, w->reach.scan);
  g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  CkptMemIter *it = ckpt_mem_iter_new(p);
  ckpt_mem_iter_seek(it, lo);
  CkptMemBlock b = {.size = sizeof b};
  while (ckpt_mem_iter_next(it, &b) && b.addr < hi) {
    uint64_t end = b.addr + b.len;
    if (!b.data || end <= lo)
      continue;
    scan_clipped(w->e, p, &b, (size_t)(MAX(lo, b.addr) - b.addr),
                 (size_t)(MIN(hi, end) - b.addr), all, &w->bytes);
  }
  ckpt_mem_iter_free(it);
  for (guint i = 0; i < all->len; i++) {
    const SecretsHit *h = &g_array_index(all, SecretsHit, i);
    if (h->offset >= from && h->offset < to)
      g_array_append_val(hits, *h);
  }
}

const CkptSecretSet *
ckpt_secret_windows_cover(CkptSecretWindows *w, const CkptProcess *p,
                          uint64_t addr, uint64_t len)
{
  if (!w->full) {
    /* a plain row of the run made the full set meanwhile: exact, and
     * free from now on */
    w->full = full_made(w->c);
  }
  if (!w->full && w->budget && w->bytes >= w->budget) {
    /* windows everywhere: once they scanned as much as all of memory is,
     * the full scan costs no more than they would, and is exact */
    gint64 t0 = g_get_monotonic_time();
    w->full = ckpt_checkpoint_secrets(w->c, w->rules, TRUE, NULL);
    w->ms += (double)(g_get_monotonic_time() - t0) / 1000.0;
  }
  if (w->full)
    return w->full;
  size_t i = (size_t)(p - w->c->procs);
  if (!w->e || i >= w->c->n_procs || !p->info.has_mm)
    return w->set;
  /* the hits whose value may cover a byte of the window start in
   * [addr - value, addr + len) */
  uint64_t from = sat_sub(addr, w->reach.value), to = sat_add(addr, len);
  Known *k = &w->known[i];
  if (k->any && from >= k->from && to <= k->to)
    return w->set;
  gint64 t0 = g_get_monotonic_time();
  uint64_t start;
  if (k->any && from >= k->from && from <= sat_add(k->to, 2 * w->reach.scan)) {
    /* goes on from the last (the hits are in address order); a gap
     * shorter than what a scan of its own reads either side is scanned
     * too, so that no byte costs more than about once */
    start = k->to;
    k->ahead = CLAMP(k->ahead * 2, WINDOW_AHEAD_MIN, WINDOW_AHEAD_MAX);
  } else {
    start = from;
    k->from = from;
    k->ahead = 0;
  }
  k->any = TRUE;
  k->to = MAX(to, sat_add(start, k->ahead));
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  windows_scan(w, p, start, k->to, hits);
  g_autoptr(GPtrArray) found = validate_hits(p, hits);
  guint before = w->set->items->len;
  add_candidates(w->set, found);
  if (w->set->items->len != before)
    ckpt_secret_set_sort(w->set);
  w->windows++;
  w->ms += (double)(g_get_monotonic_time() - t0) / 1000.0;
  return w->set;
}

const CkptSecretSet *
ckpt_secret_windows_set(const CkptSecretWindows *w)
{
  return w->full ? w->full : w->set;
}

void
ckpt_secret_windows_stats(const CkptSecretWindows *w, guint64 *windows,
                          guint64 *bytes, double *ms, gboolean *full)
{
  *windows = w->windows;
  *bytes = w->bytes;
  *ms = w->ms;
  *full = w->full != NULL;
}

void
ckpt_secret_windows_free(CkptSecretWindows *w)
{
  if (!w)
    return;
  ckpt_secret_set_free(w->set);
  g_free(w->known);
  g_free(w->rules);
  g_free(w);
}

void
ckpt_secretset_cache_free(struct CkptSecretSetCache *cache)
{
  if (!cache)
    return;
  ckpt_secret_set_free(cache->strings);
  ckpt_secret_set_free(cache->full);
  for (size_t i = 0; cache->mem && i < cache->n_mem; i++) {
    if (cache->mem[i])
      g_ptr_array_unref(cache->mem[i]);
    g_free(cache->view[i]);
  }
  g_free(cache->mem);
  g_free(cache->view);
  g_free(cache->mem_rules);
  g_mutex_clear(&cache->lock);
  g_free(cache);
}

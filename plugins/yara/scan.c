/* scan.c - feeds a checkpoint's process memory to libyara and collects the
 * matches. Memory goes in as YR_MEMORY_BLOCKs taken straight from the
 * model's memory iterator: addresses are the process's own and the bytes
 * are never concatenated or copied here. A pool of workers, each with its
 * own YR_SCANNER, takes processes largest first. */
#include "scan.h"
#include "../yrpieces.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- hits ---------------------------------------------------------------- */

void
ckpt_yara_hit_free(CkptYaraHit *hit)
{
  if (hit == NULL)
    return;
  if (hit->data)
    g_bytes_unref(hit->data);
  if (hit->context)
    g_bytes_unref(hit->context);
  g_free(hit);
}

void
ckpt_yara_job_release(CkptYaraJob *job)
{
  g_clear_pointer(&job->hits, g_ptr_array_unref);
  g_clear_pointer(&job->secrets, g_array_unref);
}

const char *
ckpt_yara_strerror(int status)
{
  switch (status) {
  case ERROR_SUCCESS:
    return "ok";
  case ERROR_SCAN_TIMEOUT:
    return "scan timed out";
  case ERROR_INSUFFICIENT_MEMORY:
    return "out of memory";
  case ERROR_TOO_MANY_MATCHES:
    return "too many matches";
  case ERROR_CALLBACK_ERROR:
    return "callback failed";
  case ERROR_COULD_NOT_MAP_FILE:
  case ERROR_COULD_NOT_READ_PROCESS_MEMORY:
    return "memory could not be read";
  default:
    return "libyara error";
  }
}

/* What is being scanned: a process (read back through the API for
 * context) or a plain buffer. */
typedef struct {
  const CkptApi *api;
  const CkptProcess *proc;
  const uint8_t *buf;
  size_t buf_len;
  const CkptYaraScanOpts *opts;
  GPtrArray *hits;
  GArray *secrets;       /* CkptSecretMatch, or NULL: not collected */
  gboolean secrets_over; /* more than CKPT_SECRET_MATCHES_MAX */
} Target;

/* Bytes around [addr, addr+len) inside the match's VMA. The pages before
 * the match may be absent (a hole): then the context starts at the match. */
static GBytes *
process_context(const Target *t, const CkptVmaInfo *vma, uint64_t addr,
                uint32_t len)
{
  uint64_t want = t->opts->context;
  uint64_t lo = addr, hi = addr;
  if (vma != NULL && addr >= vma->start && addr < vma->end) {
    lo = addr - MIN(want, addr - vma->start);
    uint64_t room = vma->end - addr; /* > 0 */
    hi = addr + MIN(room, (uint64_t)len + want);
  } else {
    hi = addr + len;
    if (hi < addr)
      hi = UINT64_MAX;
  }
  size_t n = (size_t)(hi - lo);
  guint8 *buf = g_malloc(n ? n : 1);
  size_t got = t->api->mem_read(t->proc, lo, buf, n);
  if (got < addr - lo && lo < addr) {
    got = t->api->mem_read(t->proc, addr, buf, (size_t)(hi - addr));
  }
  return g_bytes_new_take(buf, got);
}

static GBytes *
buffer_context(const Target *t, uint64_t off, uint32_t len)
{
  if (off > t->buf_len)
    return g_bytes_new(NULL, 0);
  uint64_t lo = off - MIN((uint64_t)t->opts->context, off);
  uint64_t hi = MIN((uint64_t)t->buf_len, off + len + t->opts->context);
  return g_bytes_new(t->buf + lo, (size_t)(hi - lo));
}

/* libyara 4.2 hands out YR_MATCH records from its notebook allocator
 * without aligning them, so UBSan's alignment check fires inside code that
 * only reads libyara's own records. x86_64 reads them fine; the check is
 * turned off for the two functions that walk them, nothing else. */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define YARA_UNALIGNED __attribute__((no_sanitize("alignment")))
#else
#define YARA_UNALIGNED
#endif

YARA_UNALIGNED static void
add_hit(Target *t, const YR_RULE *rule, const YR_STRING *str, const YR_MATCH *m,
        uint64_t count)
{
  CkptYaraHit *hit = g_new0(CkptYaraHit, 1);
  hit->rule = rule;
  hit->count = count;
  if (str != NULL && m != NULL) {
    hit->string = str->identifier;
    hit->addr = (uint64_t)m->base + (uint64_t)m->offset;
    hit->len = m->match_length > 0 ? (uint32_t)m->match_length : 0;
    size_t n = m->data_length > 0 ? (size_t)m->data_length : 0;
    hit->data = g_bytes_new(m->data, MIN(n, CKPT_YARA_DATA_MAX));
    if (t->proc != NULL) {
      const CkptVmaInfo *vma = t->api->vma_find(t->proc, hit->addr);
      hit->vma = vma ? vma->label : NULL;
      hit->context = process_context(t, vma, hit->addr, hit->len);
    } else {
      hit->context = buffer_context(t, hit->addr, hit->len);
    }
  }
  g_ptr_array_add(t->hits, hit);
}

/* A matching rule of the host's secrets rules: every match of each of its
 * strings goes to the host (SDK 3.9 CkptMemSubscriber.secrets). */
YARA_UNALIGNED static void
collect_secret(Target *t, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule,
               const char *ns)
{
  if (t->secrets == NULL || t->secrets_over)
    return;
  unsigned k = 0;
  const YR_STRING *str;
  yr_rule_strings_foreach(rule, str)
  {
    YR_MATCH *m;
    yr_string_matches_foreach(ctx, str, m)
    {
      if (m->is_private || m->match_length <= 0)
        continue;
      if (t->secrets->len >= CKPT_SECRET_MATCHES_MAX) {
        /* too many to hand over: none are, the host scans this one */
        g_array_set_size(t->secrets, 0);
        t->secrets_over = TRUE;
        return;
      }
      CkptSecretMatch sm = {.size = sizeof sm,
                            .ns = ns,
                            .rule = rule->identifier,
                            .string = str->identifier,
                            .string_index = k,
                            .len = (uint32_t)m->match_length,
                            .addr = (uint64_t)m->base + (uint64_t)m->offset};
      g_array_append_val(t->secrets, sm);
    }
    k++;
  }
}

/* A matching rule gives one hit per kept match of each of its strings, or
 * one hit without a string when only its condition matched. */
YARA_UNALIGNED static void
collect_rule(Target *t, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
  const char *ns = ckpt_yara_secrets_ns(rule);
  if (ns != NULL) {
    collect_secret(t, ctx, rule, ns);
    return;
  }
  unsigned cap = t->opts->max_matches ? t->opts->max_matches : UINT_MAX;
  gboolean any = FALSE;
  const YR_STRING *str;
  yr_rule_strings_foreach(rule, str)
  {
    uint64_t count = 0;
    YR_MATCH *m;
    yr_string_matches_foreach(ctx, str, m) count++;
    if (count == 0)
      continue;
    any = TRUE;
    unsigned kept = 0;
    yr_string_matches_foreach(ctx, str, m)
    {
      if (kept++ >= cap)
        break;
      add_hit(t, rule, str, m, count);
    }
  }
  if (!any)
    add_hit(t, rule, NULL, NULL, 0);
}

static int
on_scan_message(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
  if (message == CALLBACK_MSG_RULE_MATCHING)
    collect_rule(user, ctx, data);
  /* CALLBACK_MSG_TOO_MANY_MATCHES: libyara stops recording that string;
   * the count we report is then what it recorded. */
  return CALLBACK_CONTINUE;
}

/* ---- memory blocks from the model's iterator ------------------------------
 */

/* Zero pages: each block of the model is handed to YARA as its pieces
 * (yrpieces.h), at their true base, so offsets stay right and a string
 * straddling the edge of a zero run (up to CKPT_YARA_ZERO_PAD bytes into
 * it) still matches. What lies wholly inside zero pages is not scanned. */
typedef struct {
  YrPieces pieces; /* first: libyara's context is the BlockIter */
  CkptYaraJob *job;
  uint64_t *progress; /* shared; updated atomically */
} BlockIter;

/* bytes and progress count the memory covered, zero pages included */
static void
count_block(YrPieces *y, const CkptMemBlock *b)
{
  BlockIter *bi = (BlockIter *)y;
  bi->job->bytes += b->len;
  bi->job->blocks++;
  __atomic_fetch_add(bi->progress, (uint64_t)b->len, __ATOMIC_RELAXED);
}

/* ---- the worker pool ------------------------------------------------------
 */

typedef struct {
  const CkptApi *api;
  const CkptYaraRuleset *rs;
  const CkptYaraScanOpts *opts;
  CkptYaraJob *jobs;
  size_t *order; /* job indices, largest first */
  size_t n_jobs;
  size_t next;     /* next position in order; atomic */
  uint64_t bytes;  /* scanned so far; atomic */
  unsigned active; /* workers still running; under lock */
  GMutex lock;
  GCond finished;
} Pool;

static YR_SCANNER *
scanner_new(const CkptYaraRuleset *rs, const CkptYaraScanOpts *opts,
            int extra_flags)
{
  YR_SCANNER *s = NULL;
  if (yr_scanner_create(rs->rules, &s) != ERROR_SUCCESS)
    return NULL;
  yr_scanner_set_flags(s, opts->flags | extra_flags);
  if (opts->timeout > 0)
    yr_scanner_set_timeout(s, opts->timeout);
  return s;
}

/* One process's scan with scanner s over the blocks it yields. */
static void
scan_job_blocks(const CkptApi *api, const CkptYaraRuleset *rs,
                const CkptYaraScanOpts *opts, YR_SCANNER *s, CkptYaraJob *job,
                YR_MEMORY_BLOCK_ITERATOR *it)
{
  job->hits =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_yara_hit_free);
  if (s == NULL) {
    job->status = ERROR_INSUFFICIENT_MEMORY;
    return;
  }
  if (!job->info->has_mm) /* zombies and dead tasks have no memory */
    return;
  g_clear_pointer(&job->secrets, g_array_unref);
  if (rs->secrets)
    job->secrets = g_array_new(FALSE, FALSE, sizeof(CkptSecretMatch));
  Target t = {.api = api,
              .proc = job->proc,
              .opts = opts,
              .hits = job->hits,
              .secrets = job->secrets};
  yr_scanner_set_callback(s, on_scan_message, &t);
  job->status = yr_scanner_scan_mem_blocks(s, it);
  if (t.secrets_over)
    g_clear_pointer(&job->secrets, g_array_unref);
  if (job->status != ERROR_SUCCESS) {
    g_ptr_array_set_size(job->hits, 0); /* a partial scan proves nothing */
    g_clear_pointer(&job->secrets, g_array_unref); /* the host scans */
  }
}

static void
scan_job(const Pool *pool, YR_SCANNER *s, CkptYaraJob *job, uint64_t *progress)
{
  BlockIter bi = {.job = job, .progress = progress};
  yrpieces_init(&bi.pieces, pool->api, job->proc, CKPT_YARA_ZERO_PAD);
  bi.pieces.on_block = count_block;
  YR_MEMORY_BLOCK_ITERATOR it = {.context = &bi.pieces,
                                 .first = yrpieces_it_first,
                                 .next = yrpieces_it_next,
                                 .file_size = NULL,
                                 .last_error = ERROR_SUCCESS};
  scan_job_blocks(pool->api, pool->rs, pool->opts, s, job, &it);
  yrpieces_release(&bi.pieces);
}

int
ckpt_yara_scan_job(const CkptApi *api, const CkptYaraRuleset *rs,
                   const CkptYaraScanOpts *opts, CkptYaraJob *job,
                   YR_MEMORY_BLOCK_ITERATOR *it)
{
  YR_SCANNER *s = scanner_new(rs, opts, SCAN_FLAGS_PROCESS_MEMORY);
  scan_job_blocks(api, rs, opts, s, job, it);
  if (s != NULL)
    yr_scanner_destroy(s);
  return job->status;
}

static gpointer
worker_main(gpointer data)
{
  Pool *pool = data;
  YR_SCANNER *s = scanner_new(pool->rs, pool->opts, SCAN_FLAGS_PROCESS_MEMORY);
  for (;;) {
    size_t i = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED);
    if (i >= pool->n_jobs)
      break;
    scan_job(pool, s, &pool->jobs[pool->order[i]], &pool->bytes);
  }
  if (s != NULL)
    yr_scanner_destroy(s);
  g_mutex_lock(&pool->lock);
  pool->active--;
  g_cond_signal(&pool->finished);
  g_mutex_unlock(&pool->lock);
  return NULL;
}

typedef struct {
  uint64_t size;
  size_t index;
} SizedJob;

static int
larger_first(const void *a, const void *b)
{
  const SizedJob *x = a, *y = b;
  if (x->size != y->size)
    return x->size < y->size ? 1 : -1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Job indices, largest process first, so the big ones start early and the
 * small ones fill the gaps at the end. */
static size_t *
order_jobs(const CkptYaraJob *jobs, size_t n_jobs)
{
  SizedJob *sized = g_new(SizedJob, n_jobs ? n_jobs : 1);
  for (size_t i = 0; i < n_jobs; i++)
    sized[i] = (SizedJob){jobs[i].info->mem_present, i};
  qsort(sized, n_jobs, sizeof(*sized), larger_first);
  size_t *order = g_new(size_t, n_jobs ? n_jobs : 1);
  for (size_t i = 0; i < n_jobs; i++)
    order[i] = sized[i].index;
  g_free(sized);
  return order;
}

void
ckpt_yara_scan_processes(const CkptApi *api, const CkptYaraRuleset *rs,
                         const CkptYaraScanOpts *opts, CkptYaraJob *jobs,
                         size_t n_jobs, CkptYaraProgressFn progress, void *user)
{
  Pool pool = {
      .api = api, .rs = rs, .opts = opts, .jobs = jobs, .n_jobs = n_jobs};
  pool.order = order_jobs(jobs, n_jobs);
  g_mutex_init(&pool.lock);
  g_cond_init(&pool.finished);

  unsigned n_workers = opts->threads ? opts->threads : 1;
  if (n_workers > n_jobs)
    n_workers = n_jobs ? (unsigned)n_jobs : 1;
  GThread **threads = g_new0(GThread *, n_workers);
  pool.active = n_workers;
  for (unsigned w = 0; w < n_workers; w++) {
    threads[w] = g_thread_try_new("ckpt-yara", worker_main, &pool, NULL);
    if (threads[w] == NULL) {
      g_mutex_lock(&pool.lock);
      pool.active--;
      g_mutex_unlock(&pool.lock);
    }
  }
  if (pool.active == 0) {
    /* no thread could be started: scan on this one */
    pool.active = 1;
    worker_main(&pool);
  }

  g_mutex_lock(&pool.lock);
  while (pool.active > 0) {
    gint64 until = g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND;
    g_cond_wait_until(&pool.finished, &pool.lock, until);
    if (progress) {
      g_mutex_unlock(&pool.lock);
      progress(__atomic_load_n(&pool.bytes, __ATOMIC_RELAXED), user);
      g_mutex_lock(&pool.lock);
    }
  }
  g_mutex_unlock(&pool.lock);
  for (unsigned w = 0; w < n_workers; w++)
    if (threads[w])
      g_thread_join(threads[w]);
  if (progress)
    progress(pool.bytes, user);

  g_free(threads);
  g_free(pool.order);
  g_cond_clear(&pool.finished);
  g_mutex_clear(&pool.lock);
}

int
ckpt_yara_scan_buffer(const CkptYaraRuleset *rs, const CkptYaraScanOpts *opts,
                      const uint8_t *data, size_t len, GPtrArray *hits)
{
  YR_SCANNER *s = scanner_new(rs, opts, 0);
  if (s == NULL)
    return ERROR_INSUFFICIENT_MEMORY;
  Target t = {.buf = data, .buf_len = len, .opts = opts, .hits = hits};
  guint before = hits->len;
  yr_scanner_set_callback(s, on_scan_message, &t);
  int rc = yr_scanner_scan_mem(s, data, len);
  yr_scanner_destroy(s);
  if (rc != ERROR_SUCCESS)
    g_ptr_array_set_size(hits, before);
  return rc;
}

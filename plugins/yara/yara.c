/* yara.c - the yara plugin: sweeps YARA rules over the memory of every
 * process of a checkpoint, the content held by its kernel objects (ghost
 * files, memfds, pipe buffers, socket queues, saved tmpfs files; option
 * objects) and, unless --no-rootfs, the files of its rootfs diff, and emits one
 * row per matched string instance, naming its source.
 *
 * Declarations (options, tables) and the run() driver live here; rule sets
 * in ruleset.c, scanning in scan.c. libyara is initialised once per
 * process in init() and finalised in fini().
 */
#include <stdio.h>
#include <string.h>

#include "ckpt/plugin.h"
#include "ruleset.h"
#include "scan.h"
#include "../blockfeed.h"

static const CkptOption yara_options[] = {
    {"rules", CKPT_T_LIST, NULL,
     "source rule files or directories of .yar/.yara files, several "
     "separated by commas (or newlines); default: the installed rules"},
    {"compiled-rules", CKPT_T_STR, NULL,
     "one rule file compiled by yarac, instead of source rules; trusted: "
     "libyara does not check the bytecode inside"},
    {"define", CKPT_T_LIST, NULL,
     "external variables NAME=VALUE, separated by commas (or newlines)"},
    {"threads", CKPT_T_INT, "0", "worker threads; 0: one per core"},
    {"fast", CKPT_T_BOOL, "false",
     "fast matching mode: stop looking for a string after its first match"},
    {"timeout", CKPT_T_INT, "0", "seconds allowed per process; 0: no limit"},
    {"max-matches", CKPT_T_INT, "16",
     "matches reported per string and process; 0: all"},
    {"context", CKPT_T_INT, "16", "bytes of context on each side of a match"},
    {"rootfs", CKPT_T_BOOL, "true",
     "scan the files of the rootfs diff too (--no-rootfs skips them)"},
    {"rootfs-max-size", CKPT_T_SIZE, "0",
     "bytes read of each rootfs file; 0: the host's default"},
    {"objects", CKPT_T_BOOL, "true",
     "also scan what kernel objects hold: ghost files, memfds, pipe "
     "buffers, socket queues, saved tmpfs files"},
    {"objects-max-size", CKPT_T_SIZE, "0",
     "bytes read of each object; 0: 64 MiB"},
    {"strict", CKPT_T_BOOL, "false", "treat rule compiler warnings as errors"},
    {"progress", CKPT_T_BOOL, "true",
     "report progress to the host, which draws it on stderr when that is a "
     "terminal"},
    {NULL},
};

enum {
  COL_CHECKPOINT,
  COL_PID,
  COL_COMM,
  COL_RULE,
  COL_NAMESPACE,
  COL_TAGS,
  COL_SEVERITY,
  COL_STRING,
  COL_ADDRESS,
  COL_LENGTH,
  COL_VMA,
  COL_COUNT,
  COL_DATA,
  COL_CONTEXT,
  COL_META,
  COL_FILE,
  COL_SOURCE,
  N_HIT_COLS
};

static const CkptColumn hit_columns[] = {
    {"checkpoint", CKPT_T_STR, "CHECKPOINT", .help = "checkpoint scanned"},
    {"pid", CKPT_T_UINT, "PID",
     .help = "process whose memory matched; empty for a rootfs file"},
    {"comm", CKPT_T_STR, "COMM", .help = "process name"},
    {"rule", CKPT_T_STR, "RULE", .help = "rule that matched"},
    {"namespace", CKPT_T_STR, "NAMESPACE", .help = "namespace of the rule"},
    {"tags", CKPT_T_STR, "TAGS", .help = "tags of the rule"},
    {"severity", CKPT_T_STR, "SEVERITY",
     .help = "severity from the rule's meta"},
    {"string", CKPT_T_STR, "STRING",
     .help = "identifier of the string that matched"},
    {"address", CKPT_T_ADDR, "ADDRESS",
     .help = "address of the match in memory, or offset in the file"},
    {"length", CKPT_T_UINT, "LEN", .help = "bytes matched"},
    {"vma", CKPT_T_STR, "VMA", .help = "kind of the mapping the match is in"},
    {"count", CKPT_T_UINT, "COUNT",
     .help = "matches of this string in this process"},
    {"data", CKPT_T_BYTES, "DATA", .help = "the bytes matched"},
    {"context", CKPT_T_BYTES, "CONTEXT", .help = "bytes around the match"},
    {"meta", CKPT_T_STR, "META", .help = "the rule's meta, as key=value pairs"},
    {"file", CKPT_T_STR, "FILE",
     .help = "rootfs file that matched, for rootfs scans"},
    /* "memory", "rootfs-diff PATH" or the kernel object holding the bytes:
     * "pipe buffer pipe:[41301], pid 1 fd 10" */
    {"source", CKPT_T_STR, "SOURCE",
     .help = "where the bytes are: memory, a rootfs-diff file, or the "
             "kernel object holding them"},
    {NULL},
};

enum {
  SUM_CHECKPOINT,
  SUM_RULES,
  SUM_PROCESSES,
  SUM_SCANNED,
  SUM_BYTES,
  SUM_BLOCKS,
  SUM_FILES,
  SUM_OBJECTS,
  SUM_HITS,
  SUM_RULES_MATCHED,
  SUM_FAILED,
  SUM_THREADS,
  SUM_SECONDS,
  N_SUM_COLS
};

static const CkptColumn summary_columns[] = {
    {"checkpoint", CKPT_T_STR, "checkpoint", .help = "checkpoint scanned"},
    {"rules", CKPT_T_UINT, "rules", .help = "rules compiled"},
    {"processes", CKPT_T_UINT, "processes",
     .help = "processes in the checkpoint"},
    {"processes_scanned", CKPT_T_UINT, "processes scanned",
     .help = "processes whose memory was scanned"},
    {"bytes_scanned", CKPT_T_SIZE, "memory scanned",
     .help = "bytes of memory scanned"},
    {"blocks", CKPT_T_UINT, "memory blocks",
     .help = "memory blocks handed to libyara"},
    {"files_scanned", CKPT_T_UINT, "rootfs files scanned",
     .help = "rootfs files scanned"},
    {"objects_scanned", CKPT_T_UINT, "kernel objects scanned",
     .help = "kernel objects whose content was scanned"},
    {"hits", CKPT_T_UINT, "hits", .help = "matches reported"},
    {"rules_matched", CKPT_T_UINT, "rules matched",
     .help = "distinct rules that matched"},
    {"failed", CKPT_T_UINT, "scans failed",
     .help = "scans that failed (timeouts, errors)"},
    {"threads", CKPT_T_UINT, "threads", .help = "worker threads used"},
    {"seconds", CKPT_T_DOUBLE, "seconds", .help = "time the scan took"},
    {NULL},
};

enum { TABLE_HITS, TABLE_SUMMARY };

static const CkptTable yara_tables[] = {
    {"hits", "YARA hits", CKPT_LAYOUT_TABLE, hit_columns},
    {"summary", "YARA scan", CKPT_LAYOUT_RECORD, summary_columns},
    {NULL},
};

/* ---- rows ---------------------------------------------------------------- */

static char *
rule_tags(const YR_RULE *rule)
{
  GString *s = g_string_new(NULL);
  const char *tag;
  yr_rule_tags_foreach(rule, tag)
  {
    if (s->len)
      g_string_append_c(s, ' ');
    g_string_append(s, tag);
  }
  return g_string_free(s, FALSE);
}

/* All metadata as "key=value" pairs joined by "; ". */
static char *
rule_meta(const YR_RULE *rule)
{
  GString *s = g_string_new(NULL);
  const YR_META *meta;
  yr_rule_metas_foreach(rule, meta)
  {
    if (s->len)
      g_string_append(s, "; ");
    g_string_append_printf(s, "%s=", meta->identifier);
    if (meta->type == META_TYPE_STRING)
      g_string_append(s, meta->string);
    else if (meta->type == META_TYPE_BOOLEAN)
      g_string_append(s, meta->integer ? "true" : "false");
    else
      g_string_append_printf(s, "%" G_GINT64_FORMAT, meta->integer);
  }
  return g_string_free(s, FALSE);
}

static const char *
rule_meta_string(const YR_RULE *rule, const char *key)
{
  const YR_META *meta;
  yr_rule_metas_foreach(rule, meta)
  {
    if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, key) == 0)
      return meta->string;
  }
  return NULL;
}

static CkptValue
bytes_value(GBytes *b)
{
  if (b == NULL)
    return CKPT_NULL;
  gsize n;
  const void *p = g_bytes_get_data(b, &n);
  return CKPT_BYTES(p, n);
}

/* A hit in proc's memory (proc non-NULL) shows, of memory, at most its
 * context window: emitted with emit_window, so that redaction scans that
 * window for secrets rather than all of memory; a match by condition alone
 * shows none. Hits in rootfs files and kernel objects are rows of emit(). */
static void
emit_hit(const CkptApi *api, CkptRun *run, const char *checkpoint,
         const CkptProcessInfo *info, const char *file, const char *source,
         const CkptYaraHit *h, const CkptProcess *proc, unsigned context)
{
  g_autofree char *tags = rule_tags(h->rule);
  g_autofree char *meta = rule_meta(h->rule);
  CkptValue v[N_HIT_COLS];
  v[COL_CHECKPOINT] = CKPT_STR(checkpoint);
  v[COL_PID] = info ? CKPT_UINT(info->pid) : CKPT_NULL;
  v[COL_COMM] = info && info->comm ? CKPT_STR(info->comm) : CKPT_NULL;
  v[COL_RULE] = CKPT_STR(h->rule->identifier);
  v[COL_NAMESPACE] = CKPT_STR(h->rule->ns->name);
  v[COL_TAGS] = CKPT_STR(tags);
  const char *sev = rule_meta_string(h->rule, "severity");
  v[COL_SEVERITY] = sev ? CKPT_STR(sev) : CKPT_NULL;
  v[COL_STRING] = h->string ? CKPT_STR(h->string) : CKPT_NULL;
  v[COL_ADDRESS] = h->string ? CKPT_ADDR(h->addr) : CKPT_NULL;
  v[COL_LENGTH] = h->string ? CKPT_UINT(h->len) : CKPT_NULL;
  v[COL_VMA] = h->vma ? CKPT_STR(h->vma)
               : file ? CKPT_STR("rootfs")
                      : CKPT_NULL;
  v[COL_COUNT] = h->string ? CKPT_UINT(h->count) : CKPT_NULL;
  v[COL_DATA] = bytes_value(h->data);
  v[COL_CONTEXT] = bytes_value(h->context);
  v[COL_META] = CKPT_STR(meta);
  v[COL_FILE] = file ? CKPT_STR(file) : CKPT_NULL;
  g_autofree char *diff = file ? g_strconcat("rootfs-diff ", file, NULL) : NULL;
  v[COL_SOURCE] = CKPT_STR(source ? source : diff ? diff : "memory");
  if (proc && CKPT_HAS(api, emit_window) && api->emit_window) {
    uint64_t lo = 0, len = 0;
    if (h->string) {
      lo = h->addr - MIN((uint64_t)context, h->addr);
      uint64_t hi = h->addr + h->len + context;
      len = hi > lo ? hi - lo : UINT64_MAX - lo;
    }
    api->emit_window(run, TABLE_HITS, 0, v, N_HIT_COLS, proc, lo, len);
  } else {
    api->emit(run, TABLE_HITS, 0, v, N_HIT_COLS);
  }
}

/* ---- progress ------------------------------------------------------------ */

/* Bytes scanned of the memory of one checkpoint, for api->progress(),
 * called on the run thread while the workers scan. */
typedef struct {
  const CkptApi *api;
  CkptRun *run;
  uint64_t bytes_total;
} Progress;

static void
report_progress(uint64_t bytes, void *user)
{
  const Progress *p = user;
  p->api->progress(p->run, bytes, p->bytes_total, "memory");
}

/* ---- run ----------------------------------------------------------------- */

static unsigned
opt_threads(const CkptApi *api, CkptRun *run)
{
  int64_t n = api->opt_int(run, "threads");
  if (n <= 0)
    n = (int64_t)g_get_num_processors();
  return (unsigned)CLAMP(n, 1, 256);
}

static void
read_scan_opts(const CkptApi *api, CkptRun *run, CkptYaraScanOpts *o)
{
  int64_t timeout = api->opt_int(run, "timeout");
  int64_t max_matches = api->opt_int(run, "max-matches");
  int64_t context = api->opt_int(run, "context");
  o->flags = api->opt_bool(run, "fast") ? SCAN_FLAGS_FAST_MODE : 0;
  o->timeout = (int)CLAMP(timeout, 0, G_MAXINT);
  o->max_matches = (unsigned)CLAMP(max_matches, 0, G_MAXINT);
  o->context = (unsigned)CLAMP(context, 0, 4096);
  o->threads = opt_threads(api, run);
}

/* items, each ending in a newline ("" for none) */
static char *
join_items(const char *const *items)
{
  GString *s = g_string_new(NULL);
  for (size_t i = 0; items && items[i]; i++)
    g_string_append_printf(s, "%s\n", items[i]);
  return g_string_free(s, FALSE);
}

/* The rule sources of run's options, joined with newlines (*sources; the
 * installed rules when none and no compiled rules are given), and its
 * defines (*defines, NULL for none). */
static void
rule_texts(const CkptApi *api, CkptRun *run, char **sources, char **defines)
{
  /* the host has split the lists into items already (a -r path keeps its
   * commas): join them with newlines, and end with one so that the rule
   * set splits a single item at newlines too, never at its commas */
  char *src = join_items(api->opt_list(run, "rules"));
  char *def = join_items(api->opt_list(run, "define"));
  const char *compiled = api->opt_str(run, "compiled-rules");
  if (!*src && !(compiled && *compiled)) {
    g_free(src);
    src = g_strdup(api->rules_dir());
  }
  if (!*def)
    g_clear_pointer(&def, g_free);
  *sources = src;
  *defines = def;
}

static const CkptYaraRuleset *
get_rules(const CkptApi *api, CkptRun *run)
{
  g_autofree char *sources = NULL, *defines = NULL;
  rule_texts(api, run, &sources, &defines);
  const char *compiled = api->opt_str(run, "compiled-rules");
  gboolean have_compiled = compiled && *compiled;
  if (have_compiled && *sources) {
    api->error(run, "--rules and --compiled-rules cannot be mixed: give "
                    "either");
    return NULL;
  }
  gboolean fresh = FALSE;
  g_autoptr(GError) error = NULL;
  const CkptYaraRuleset *rs = ckpt_yara_ruleset_cached(
      have_compiled ? NULL : sources, compiled, defines,
      api->opt_bool(run, "strict"), NULL, &fresh, &error);
  if (rs == NULL) {
    api->error(run, "%s", error->message);
    return NULL;
  }
  for (guint i = 0; fresh && i < rs->warnings->len; i++)
    api->log(run, CKPT_LOG_WARNING, "%s", (char *)rs->warnings->pdata[i]);
  return rs;
}

/* Scans the rootfs diff's files on the run thread and emits their hits. */
static guint
scan_rootfs(const CkptApi *api, CkptRun *run, const CkptYaraRuleset *rs,
            const CkptYaraScanOpts *o, const char *checkpoint, guint *n_hits,
            guint *n_failed)
{
  const CkptContainerInfo *ci = api->container(run);
  if (!ci->has_rootfs_diff)
    return 0;
  uint64_t max = (uint64_t)MAX(api->opt_int(run, "rootfs-max-size"), 0);
  CkptFileIter *it = api->diff_iter_new(run, max);
  if (it == NULL)
    return 0;
  guint n_files = 0;
  CkptDiffFile f = {.size = sizeof f};
  while (api->diff_iter_next(it, &f)) {
    g_autoptr(GPtrArray) hits =
        g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_yara_hit_free);
    int rc = ckpt_yara_scan_buffer(rs, o, f.data, f.len, hits);
    n_files++;
    if (rc != ERROR_SUCCESS) {
      api->log(run, CKPT_LOG_WARNING, "rootfs file %s: %s (libyara %d)", f.path,
               ckpt_yara_strerror(rc), rc);
      (*n_failed)++;
      continue;
    }
    for (guint i = 0; i < hits->len; i++)
      emit_hit(api, run, checkpoint, NULL, f.path, NULL, hits->pdata[i], NULL,
               0);
    *n_hits += hits->len;
  }
  /* a diff read only in part: what is past the break was not scanned */
  const char *why = CKPT_HAS(api, diff_iter_error) && api->diff_iter_error
                        ? api->diff_iter_error(it)
                        : NULL;
  if (why) {
    api->log(run, CKPT_LOG_WARNING,
             "%s: the rootfs diff was scanned only in part", why);
    (*n_failed)++;
  }
  api->diff_iter_free(it);
  return n_files;
}

#define OBJECT_MAX_DEFAULT (UINT64_C(64) << 20)

/* Scans what kernel objects hold on the run thread, each object's first
 * objects-max-size bytes as one buffer (holes as zeros), and emits hits
 * named by the object; pid and comm are its first holder's. */
static guint
scan_objects(const CkptApi *api, CkptRun *run, const CkptYaraRuleset *rs,
             const CkptYaraScanOpts *o, const char *checkpoint, guint *n_hits,
             guint *n_failed, GHashTable *matched)
{
  if (!CKPT_HAS(api, object_iter_free))
    return 0;
  uint64_t max = (uint64_t)MAX(api->opt_int(run, "objects-max-size"), 0);
  if (max == 0)
    max = OBJECT_MAX_DEFAULT;
  guint n_objects = 0;
  for (size_t i = 0; i < api->object_count(run); i++) {
    const CkptObjectInfo *obj = api->object_at(run, i);
    if (obj == NULL || obj->stored == 0)
      continue;
    size_t len = (size_t)MIN(obj->length, max);
    g_autofree uint8_t *buf = g_malloc(len ? len : 1);
    len = api->object_read(obj, 0, buf, len);
    g_autoptr(GPtrArray) hits =
        g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_yara_hit_free);
    int rc = ckpt_yara_scan_buffer(rs, o, buf, len, hits);
    n_objects++;
    if (rc != ERROR_SUCCESS) {
      api->log(run, CKPT_LOG_WARNING, "%s: %s (libyara %d)", obj->source,
               ckpt_yara_strerror(rc), rc);
      (*n_failed)++;
      continue;
    }
    const CkptProcess *p =
        obj->n_owners ? api->process_by_pid(run, obj->owners[0].pid) : NULL;
    const CkptProcessInfo *info = p ? api->process_info(p) : NULL;
    for (guint k = 0; k < hits->len; k++) {
      const CkptYaraHit *h = hits->pdata[k];
      emit_hit(api, run, checkpoint, info, NULL, obj->source, h, NULL, 0);
      g_hash_table_add(matched, (gpointer)h->rule);
    }
    *n_hits += hits->len;
  }
  return n_objects;
}

static void
count_rules_matched(CkptYaraJob *jobs, size_t n, GHashTable *seen)
{
  for (size_t j = 0; j < n; j++)
    for (guint i = 0; jobs[j].hits && i < jobs[j].hits->len; i++) {
      const CkptYaraHit *h = jobs[j].hits->pdata[i];
      g_hash_table_add(seen, (gpointer)h->rule);
    }
}

/* ---- the host's one memory pass (blockfeed.h) ------------------------- */

typedef struct {
  BlockFeed feed; /* first: the subscription's user */
  const CkptYaraRuleset *rs;
  CkptYaraScanOpts o;
  CkptYaraJob *jobs; /* one per process, in pstree order (feed.index) */
  size_t n;
  /* the options' rule texts (rule_texts), kept for pass_secrets */
  char *sources, *defines;
  gboolean strict;
  char *secret_rules; /* the host's secrets rules it scans with, or NULL */
} YaraPass;

static void
pass_post(BlockFeed *f, const CkptMemBlock *b)
{
  YaraPass *yp = (YaraPass *)f;
  yp->jobs[f->index].bytes += b->len;
  yp->jobs[f->index].blocks++;
}

static int
pass_scan(BlockFeed *f, YR_MEMORY_BLOCK_ITERATOR *it)
{
  YaraPass *yp = (YaraPass *)f;
  CkptYaraJob *job = &yp->jobs[f->index];
  g_clear_pointer(&job->hits, g_ptr_array_unref);
  return ckpt_yara_scan_job(f->api, yp->rs, &yp->o, job, it);
}

/* The host's secrets rules (SDK 3.9): scanned with in the same libyara
 * scan as the user's rules, their matches handed to the host at each
 * process's end, instead of a second scan of the same memory. Not in fast
 * mode (fewer matches than the host's own scan would make) nor with
 * compiled rules (nothing can be compiled in). */
static int
pass_secrets(const CkptSecretRules *r, void *user)
{
  YaraPass *yp = user;
  const CkptApi *api = yp->feed.api;
  if (!CKPT_HAS(api, mem_secret_matches) || !api->mem_secret_matches ||
      yp->sources == NULL || r == NULL || r->size < sizeof *r ||
      r->rules == NULL)
    return 0;
  gboolean fresh = FALSE;
  const CkptYaraRuleset *rs = ckpt_yara_ruleset_cached(
      yp->sources, NULL, yp->defines, yp->strict, r, &fresh, NULL);
  if (rs == NULL)
    return 0;
  yp->rs = rs;
  yp->secret_rules = g_strdup(r->rules);
  return 1;
}

/* a process scanned: its secrets matches to the host */
static void
pass_end(BlockFeed *f, const CkptProcess *p, int status)
{
  YaraPass *yp = (YaraPass *)f;
  CkptYaraJob *job = &yp->jobs[f->index];
  if (yp->secret_rules && status == ERROR_SUCCESS && job->secrets)
    f->api->mem_secret_matches(p, yp->secret_rules,
                               (const CkptSecretMatch *)job->secrets->data,
                               job->secrets->len);
  g_clear_pointer(&job->secrets, g_array_unref);
}

static void
pass_free(void *user)
{
  YaraPass *yp = user;
  g_free(yp->secret_rules);
  g_free(yp->sources);
  g_free(yp->defines);
  for (size_t j = 0; j < yp->n; j++)
    ckpt_yara_job_release(&yp->jobs[j]);
  g_free(yp->jobs);
  blockfeed_clear(&yp->feed);
  g_free(yp);
}

/* Subscribes the memory scan to the host's pass; run() then emits what
 * it found. When it cannot, run() scans for itself. */
static CkptStatus
yara_prepare(const CkptApi *api, CkptRun *run)
{
  if (!CKPT_HAS(api, mem_subscription) || !api->mem_subscribe)
    return CKPT_OK;
  const CkptYaraRuleset *rs = get_rules(api, run);
  if (rs == NULL)
    return CKPT_FAILED; /* run() tells why */
  CkptYaraScanOpts o;
  read_scan_opts(api, run, &o);
  /* the pass walks one process at a time, its subscribers at once: with
   * several processes to scan and threads asked for (--threads N), the
   * worker pool (one process a thread) is kept, at the price of its own
   * walk; by default the scan joins the pass, and the secrets engine's
   * scan (redaction, secrets) runs beside it */
  size_t n = api->process_count(run), with_memory = 0;
  for (size_t i = 0; i < n; i++)
    with_memory += api->process_info(api->process_at(run, i))->has_mm ? 1 : 0;
  if (api->opt_is_set(run, "threads") && o.threads > 1 && with_memory > 1)
    return CKPT_OK;
  YaraPass *yp = g_new0(YaraPass, 1);
  yp->rs = rs;
  yp->o = o;
  yp->n = n;
  yp->jobs = g_new0(CkptYaraJob, yp->n ? yp->n : 1);
  for (size_t i = 0; i < yp->n; i++) {
    yp->jobs[i].proc = api->process_at(run, i);
    yp->jobs[i].info = api->process_info(yp->jobs[i].proc);
  }
  CkptMemSubscriber sub;
  blockfeed_init(&yp->feed, api, run, &sub, yp);
  yp->feed.pad = CKPT_YARA_ZERO_PAD;
  yp->feed.scan = pass_scan;
  yp->feed.post = pass_post;
  yp->feed.end = pass_end;
  sub.free = pass_free;
  const char *compiled = api->opt_str(run, "compiled-rules");
  if (!(o.flags & SCAN_FLAGS_FAST_MODE) && !(compiled && *compiled)) {
    rule_texts(api, run, &yp->sources, &yp->defines);
    yp->strict = api->opt_bool(run, "strict");
    sub.secrets = pass_secrets;
  }
  if (!api->mem_subscribe(run, &sub))
    pass_free(yp);
  return CKPT_OK;
}

static CkptStatus
yara_run(const CkptApi *api, CkptRun *run)
{
  gint64 t0 = g_get_monotonic_time();
  const CkptYaraRuleset *rs = get_rules(api, run);
  if (rs == NULL)
    return CKPT_FAILED;

  CkptYaraScanOpts o;
  read_scan_opts(api, run, &o);
  const CkptContainerInfo *ci = api->container(run);
  const char *checkpoint = ci->path ? ci->path : "";

  size_t n = api->process_count(run);
  YaraPass *yp = CKPT_HAS(api, mem_subscription) && api->mem_subscription
                     ? api->mem_subscription(run)
                     : NULL;
  CkptYaraJob *jobs = yp ? yp->jobs : g_new0(CkptYaraJob, n ? n : 1);
  if (!yp) {
    Progress pr = {api, run, 0};
    for (size_t i = 0; i < n; i++) {
      jobs[i].proc = api->process_at(run, i);
      jobs[i].info = api->process_info(jobs[i].proc);
      pr.bytes_total += jobs[i].info->mem_present;
    }
    gboolean show = api->opt_bool(run, "progress");
    ckpt_yara_scan_processes(api, rs, &o, jobs, n,
                             show ? report_progress : NULL, &pr);
  }

  /* emit on the run thread, in pstree order */
  guint n_hits = 0, n_failed = 0, n_scanned = 0;
  uint64_t bytes = 0, blocks = 0;
  for (size_t j = 0; j < n; j++) {
    const CkptYaraJob *job = &jobs[j];
    bytes += job->bytes;
    blocks += job->blocks;
    if (job->status != ERROR_SUCCESS) {
      api->log(run, CKPT_LOG_WARNING, "pid %u (%s): %s (libyara %d)",
               job->info->pid, job->info->comm ? job->info->comm : "?",
               ckpt_yara_strerror(job->status), job->status);
      n_failed++;
      continue;
    }
    if (job->info->has_mm)
      n_scanned++;
    for (guint i = 0; job->hits && i < job->hits->len; i++)
      emit_hit(api, run, checkpoint, job->info, NULL, NULL, job->hits->pdata[i],
               job->proc, o.context);
    n_hits += job->hits ? job->hits->len : 0;
  }
  g_autoptr(GHashTable) matched =
      g_hash_table_new(g_direct_hash, g_direct_equal);
  count_rules_matched(jobs, n, matched);
  if (!yp) { /* the pass's are freed with it */
    for (size_t j = 0; j < n; j++)
      ckpt_yara_job_release(&jobs[j]);
    g_free(jobs);
  }

  guint n_objects = 0;
  if (api->opt_bool(run, "objects"))
    n_objects =
        scan_objects(api, run, rs, &o, checkpoint, &n_hits, &n_failed, matched);
  guint n_files = 0;
  if (api->opt_bool(run, "rootfs"))
    n_files = scan_rootfs(api, run, rs, &o, checkpoint, &n_hits, &n_failed);

  CkptValue s[N_SUM_COLS];
  s[SUM_CHECKPOINT] = CKPT_STR(checkpoint);
  s[SUM_RULES] = CKPT_UINT(rs->n_rules);
  s[SUM_PROCESSES] = CKPT_UINT(n);
  s[SUM_SCANNED] = CKPT_UINT(n_scanned);
  s[SUM_BYTES] = CKPT_SIZE(bytes);
  s[SUM_BLOCKS] = CKPT_UINT(blocks);
  s[SUM_FILES] = CKPT_UINT(n_files);
  s[SUM_OBJECTS] = CKPT_UINT(n_objects);
  s[SUM_HITS] = CKPT_UINT(n_hits);
  s[SUM_RULES_MATCHED] = CKPT_UINT(g_hash_table_size(matched));
  s[SUM_FAILED] = CKPT_UINT(n_failed);
  s[SUM_THREADS] = CKPT_UINT(MIN(o.threads, MAX(n, 1)));
  s[SUM_SECONDS] =
      CKPT_DOUBLE((double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
  /* the summary shows no memory */
  if (CKPT_HAS(api, emit_window) && api->emit_window)
    api->emit_window(run, TABLE_SUMMARY, 0, s, N_SUM_COLS, NULL, 0, 0);
  else
    api->emit(run, TABLE_SUMMARY, 0, s, N_SUM_COLS);
  return n_failed ? CKPT_WARN : CKPT_OK;
}

static int
yara_init(const CkptApi *api, char **error)
{
  int rc = yr_initialize();
  if (rc != ERROR_SUCCESS) {
    *error = g_strdup_printf("libyara failed to initialise (error %d)", rc);
    return -1;
  }
  return 0;
}

static void
yara_fini(void)
{
  ckpt_yara_ruleset_cache_clear();
  yr_finalize();
}

CKPT_PLUGIN_DEFINE_WITH("yara", "0.1.0",
                        "scan process memory (and the rootfs diff) with YARA "
                        "rules",
                        "Apache-2.0", yara_options, NULL, yara_tables,
                        yara_init, yara_run, yara_fini,
                        .reads = CKPT_READS_MODEL | CKPT_READS_MEMORY |
                                 CKPT_READS_ROOTFS |
                                 CKPT_SHOWS_MEMORY_IN_WINDOWS,
                        .prepare = yara_prepare);

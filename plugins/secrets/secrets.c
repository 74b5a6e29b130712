/* secrets.c - the secrets plugin: which credentials a checkpointed
 * container held, so they can be rotated, without the report leaking them.
 *
 * Sources, in order: the spec's configured environment and args, each
 * process's environment and command line (read from its memory), each
 * process's dumped memory, and the rootfs diff's files. Every source goes
 * through the same detectors (core/model/secrets-detect.h); one value found in
 * several places is one finding with a list of places. Values are redacted
 * unless the `reveal` option is set. A second table sets the configured
 * environment beside each process's, with the differences.
 */
#include <string.h>

#include "ckpt/plugin.h"
#include "secrets-detect.h"
#include "envdiff.h"
#include "liveenv.h"
#include "../blockfeed.h"
#include "../yrpieces.h"

enum { T_FINDINGS, T_LOCATIONS, T_ENVIRONMENT };

static const CkptOption options[] = {
    {"rules", CKPT_T_STR, NULL,
     "comma-separated YARA rule files or directories of secret detectors "
     "(default: the shared credentials.yar and keys.yar plus secrets/ of "
     "the installed rules, or of the source tree's when run from the build "
     "tree)"},
    {"reveal", CKPT_T_BOOL, "false", "show secret values in full"},
    {"memory", CKPT_T_BOOL, "true", "scan each process's dumped memory"},
    {"rootfs", CKPT_T_BOOL, "true",
     "scan the files of the rootfs diff (--no-rootfs skips them)"},
    {"files", CKPT_T_BOOL, "true", "the older name of --rootfs"},
    {"objects", CKPT_T_BOOL, "true",
     "scan what kernel objects hold: ghost files, memfds, pipe buffers, "
     "socket queues, saved tmpfs files (each up to max-file-size bytes)"},
    {"names", CKPT_T_BOOL, "true",
     "report any value of an environment variable with a secret-like name "
     "(*TOKEN*, *SECRET*, *PASSWORD*, *_KEY...), not only values that look "
     "like secrets"},
    {"max-file-size", CKPT_T_SIZE, "16M",
     "bytes of each rootfs-diff file scanned"},
    {"max-places", CKPT_T_UINT, "100",
     "places listed per finding (the count stays exact)"},
    {NULL},
};

/* In tree text a finding is one line (id, kind, severity, redacted value)
 * with its summary hanging under it; tables and JSON carry every column. */
#define L CKPT_COL_LABEL
#define D CKPT_COL_DETAIL
static const CkptColumn finding_columns[] = {
    {"id", CKPT_T_UINT, "ID", L,
     .help = "number of the finding, referred to by the locations"},
    {"kind", CKPT_T_STR, "KIND", L,
     .help = "what kind of credential: AWS key, JWT, private key, ..."},
    {"severity", CKPT_T_STR, "SEVERITY", L,
     .help = "how bad a leak of it would be"},
    {"value", CKPT_T_STR, "VALUE", L,
     .help = "the credential, redacted unless reveal is set"},
    {"length", CKPT_T_UINT, "LEN", CKPT_COL_HIDDEN,
     .help = "length of the credential in bytes"},
    {"count", CKPT_T_UINT, "Places", D, .help = "places it was found"},
    {"pids", CKPT_T_STR, "PIDs", D, .help = "processes it was found in"},
    {"sources", CKPT_T_STR, "Sources", D,
     .help = "where it was found: environment, cmdline, memory, rootfs-diff, "
             "object"},
    {"first", CKPT_T_STR, "First seen", D,
     .help = "the first place it was found"},
    {"detail", CKPT_T_STR, "Detail", D,
     .help = "what the detector could tell, e.g. a JWT's claims"},
    {NULL},
};

static const CkptColumn location_columns[] = {
    {"finding", CKPT_T_UINT, "ID", .help = "id of the finding"},
    {"kind", CKPT_T_STR, "KIND", .help = "kind of the credential"},
    {"source", CKPT_T_STR, "SOURCE",
     .help = "environment, cmdline, memory, rootfs-diff or object"},
    {"pid", CKPT_T_UINT, "PID", .help = "process it was found in"},
    {"name", CKPT_T_STR, "NAME",
     .help = "variable or argument name, when there is one"},
    {"address", CKPT_T_ADDR, "ADDRESS", .help = "address in memory"},
    {"vma", CKPT_T_STR, "VMA", .help = "kind of the mapping it is in"},
    {"path", CKPT_T_STR, "PATH", .help = "file of the rootfs diff"},
    {"offset", CKPT_T_UINT, "OFFSET", .help = "offset in that file"},
    {NULL},
};

static const CkptColumn env_columns[] = {
    {"name", CKPT_T_STR, "NAME", L, .help = "variable name"},
    {"status", CKPT_T_STR, "STATUS", L,
     .help = "how the configured and the live values compare"},
    {"pids", CKPT_T_STR, "PIDS", L, .help = "processes holding it"},
    {"process_value", CKPT_T_STR, "AT EXEC", L,
     .help = "value the process started with"},
    {"spec_value", CKPT_T_STR, "Configured (spec.dump)", D,
     .help = "value configured in spec.dump"},
    {"runtime_value", CKPT_T_STR, "At dump", D,
     .help = "value in the process memory when dumped"},
    {"secret", CKPT_T_BOOL, "SECRET", CKPT_COL_HIDDEN,
     .help = "whether the value looks like a credential"},
    {NULL},
};
#undef L
#undef D

static const CkptTable tables[] = {
    [T_FINDINGS] = {"findings", "Secrets", CKPT_LAYOUT_TABLE, finding_columns},
    [T_LOCATIONS] = {"locations", "Where each secret was found",
                     CKPT_LAYOUT_TABLE, location_columns},
    [T_ENVIRONMENT] = {"environment",
                       "Environment: configured vs. in each process",
                       CKPT_LAYOUT_TABLE, env_columns},
    {NULL},
};

/* ---- findings ---------------------------------------------------------- */

typedef struct {
  const char *source; /* static: "env", "spec-env", "memory", ... */
  gboolean has_pid, has_addr, has_offset;
  uint32_t pid;
  char *name; /* env var, "argv[N]" */
  uint64_t addr;
  char *vma;
  char *path;
  uint64_t offset;
} Place;

typedef struct {
  const char *kind;
  const char *severity;
  int priority;
  char *value;
  char *detail;
  GPtrArray *places; /* Place*, at most max_places */
  GHashTable *keys;  /* place keys seen */
  uint64_t count;
  size_t order;
} Finding;

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  const SecretsEngine *engine;
  GHashTable *by_value; /* value -> Finding* */
  GPtrArray *findings;  /* Finding*, in discovery order */
  GHashTable *env_kind; /* "NAME=VALUE" -> kind, for the env table */
  guint64 max_places;
  gboolean reveal;
  gboolean names;   /* the name table applies */
  gboolean partial; /* something was skipped; run returns WARN */
} Ctx;

static void
place_free(Place *p)
{
  g_free(p->name);
  g_free(p->vma);
  g_free(p->path);
  g_free(p);
}

static void
finding_free(Finding *f)
{
  g_free(f->value);
  g_free(f->detail);
  g_ptr_array_free(f->places, TRUE);
  g_hash_table_destroy(f->keys);
  g_free(f);
}

static char *
place_key(const Place *p)
{
  return g_strdup_printf(
      "%s|%u|%s|%" G_GINT64_MODIFIER "x|%s|%" G_GUINT64_FORMAT, p->source,
      p->has_pid ? p->pid : 0u, p->name ? p->name : "", p->addr,
      p->path ? p->path : "", p->offset);
}

/* Takes c and p. */
static void
add_finding(Ctx *ctx, SecretsCandidate *c, Place *p)
{
  Finding *f = g_hash_table_lookup(ctx->by_value, c->value);
  if (!f) {
    f = g_new0(Finding, 1);
    f->kind = c->kind;
    f->severity = c->severity;
    f->priority = c->priority;
    f->value = g_steal_pointer(&c->value);
    f->detail = g_steal_pointer(&c->detail);
    f->places = g_ptr_array_new_with_free_func((GDestroyNotify)place_free);
    f->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    f->order = ctx->findings->len;
    g_hash_table_insert(ctx->by_value, f->value, f);
    g_ptr_array_add(ctx->findings, f);
  } else if (c->priority > f->priority) {
    /* the more specific detector names it */
    f->kind = c->kind;
    f->severity = c->severity;
    f->priority = c->priority;
    g_free(f->detail);
    f->detail = g_steal_pointer(&c->detail);
  }
  secrets_candidate_free(c);
  char *key = place_key(p);
  if (g_hash_table_contains(f->keys, key)) {
    g_free(key);
    place_free(p);
    return;
  }
  g_hash_table_add(f->keys, key);
  f->count++;
  if (f->places->len < ctx->max_places)
    g_ptr_array_add(f->places, p);
  else
    place_free(p);
}

static Place *
place_new(const char *source)
{
  Place *p = g_new0(Place, 1);
  p->source = source;
  return p;
}

static Place *
place_copy(const Place *t)
{
  Place *p = place_new(t->source);
  *p = *t;
  p->name = g_strdup(t->name);
  p->vma = g_strdup(t->vma);
  p->path = g_strdup(t->path);
  return p;
}

/* ---- text sources: environment strings, command lines, files ----------- */

/* Scans one buffer and records what it holds at the template's place;
 * offsets become the place's offset. Returns the best kind found (or
 * NULL), borrowed from the engine. */
static const char *
scan_text(Ctx *ctx, const uint8_t *data, size_t len, const Place *tmpl,
          size_t value_base)
{
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
  g_autoptr(GError) error = NULL;
  const char *best = NULL;
  int best_priority = -1;
  if (!secrets_scan_buffer(ctx->engine, data, len, hits, &error)) {
    ctx->api->log(ctx->run, CKPT_LOG_WARNING, "%s", error->message);
    ctx->partial = TRUE;
    return NULL;
  }
  for (guint i = 0; i < hits->len; i++) {
    const SecretsHit *h = &g_array_index(hits, SecretsHit, i);
    if (h->offset >= len || h->len > len - h->offset)
      continue;
    SecretsCandidate *c =
        secrets_validate(h, data + h->offset, len - h->offset);
    if (!c)
      continue;
    /* a match in the name part of NAME=VALUE is no finding of the value */
    if (c->value_offset < value_base) {
      secrets_candidate_free(c);
      continue;
    }
    Place *p = place_copy(tmpl);
    if (tmpl->has_offset)
      p->offset = c->value_offset;
    if (c->priority > best_priority) {
      best = c->kind;
      best_priority = c->priority;
    }
    add_finding(ctx, c, p);
  }
  return best;
}

/* One NAME=VALUE string: the detectors over the whole string, then the
 * name table. */
static void
scan_env_string(Ctx *ctx, const char *s, const char *source,
                const uint32_t *pid)
{
  const char *eq = strchr(s, '=');
  g_autofree char *name = eq ? g_strndup(s, (size_t)(eq - s)) : g_strdup(s);
  const char *value = eq ? eq + 1 : "";
  Place tmpl = {.source = source, .name = name};
  if (pid) {
    tmpl.has_pid = TRUE;
    tmpl.pid = *pid;
  }
  const char *kind = scan_text(ctx, (const uint8_t *)s, strlen(s), &tmpl,
                               eq ? (size_t)(eq - s) : 0);
  SecretsCandidate *c = ctx->names ? secrets_check_env_name(name, value) : NULL;
  if (c) {
    if (!kind)
      kind = c->kind;
    add_finding(ctx, c, place_copy(&tmpl));
  }
  if (kind)
    g_hash_table_replace(ctx->env_kind, g_strdup(s), (gpointer)kind);
}

static void
scan_spec(Ctx *ctx)
{
  const CkptContainerInfo *ci = ctx->api->container(ctx->run);
  if (!ci)
    return;
  for (size_t i = 0; i < ci->n_spec_env; i++) {
    const CkptKeyValue *kv = &ci->spec_env[i];
    if (!kv->key)
      continue;
    g_autofree char *s =
        g_strdup_printf("%s=%s", kv->key, kv->value ? kv->value : "");
    scan_env_string(ctx, s, "spec-env", NULL);
  }
  for (size_t i = 0; ci->spec_args && ci->spec_args[i]; i++) {
    g_autofree char *name = g_strdup_printf("args[%zu]", i);
    Place tmpl = {.source = "spec-args", .name = name};
    scan_text(ctx, (const uint8_t *)ci->spec_args[i], strlen(ci->spec_args[i]),
              &tmpl, 0);
  }
}

static void
scan_process_strings(Ctx *ctx, const CkptProcessInfo *pi)
{
  for (size_t i = 0; pi->envp && pi->envp[i]; i++)
    scan_env_string(ctx, pi->envp[i], "env", &pi->pid);
  for (size_t i = 0; pi->argv && pi->argv[i]; i++) {
    g_autofree char *name = g_strdup_printf("argv[%zu]", i);
    Place tmpl = {
        .source = "cmdline", .name = name, .has_pid = TRUE, .pid = pi->pid};
    scan_text(ctx, (const uint8_t *)pi->argv[i], strlen(pi->argv[i]), &tmpl, 0);
  }
}

/* Strings of a live environment that were not in the exec-time one: set
 * at runtime, so in no env area and no spec. */
static void
scan_runtime_env(Ctx *ctx, const EnvDiff *d)
{
  for (guint i = 0; i < d->live->len; i++) {
    const EnvDiffLive *l = &g_array_index(d->live, EnvDiffLive, i);
    const CkptProcessInfo *pi =
        ctx->api->process_info(ctx->api->process_by_pid(ctx->run, l->pid));
    ctx->api->log(ctx->run, CKPT_LOG_DEBUG,
                  "pid %u: live environment at 0x%" G_GINT64_MODIFIER "x",
                  l->pid, l->addr);
    for (size_t k = 0; l->env[k]; k++) {
      if (pi && g_strv_contains(pi->envp, l->env[k]))
        continue;
      scan_env_string(ctx, l->env[k], "runtime-env", &l->pid);
    }
  }
}

/* ---- memory ------------------------------------------------------------ */

static void add_memory_finding(Ctx *ctx, const CkptProcess *proc, uint32_t pid,
                               SecretsCandidate *c);

static void
record_memory_hit(Ctx *ctx, const CkptProcess *proc, uint32_t pid,
                  const SecretsHit *h, uint8_t *buf)
{
  size_t want = secrets_hit_read_len(h); /* buf holds SECRETS_EXTENT_MAX */
  size_t got = want ? ctx->api->mem_read(proc, h->offset, buf, want) : 0;
  if (want == 0 || got < h->len)
    return;
  SecretsCandidate *c = secrets_validate(h, buf, got);
  if (c)
    add_memory_finding(ctx, proc, pid, c);
}

/* Takes c, a secret found in proc's memory. */
static void
add_memory_finding(Ctx *ctx, const CkptProcess *proc, uint32_t pid,
                   SecretsCandidate *c)
{
  Place *p = place_new("memory");
  p->has_pid = TRUE;
  p->pid = pid;
  p->has_addr = TRUE;
  p->addr = c->value_offset;
  const CkptVmaInfo *vma = ctx->api->vma_find(proc, p->addr);
  if (vma) {
    p->vma = g_strdup(vma->label);
    p->path = g_strdup(vma->path);
  }
  add_finding(ctx, c, p);
}

/* What one process's scan found: hits, or why it stopped. */
typedef struct {
  GArray *hits; /* SecretsHit */
  GError *error;
  gboolean done;
} MemScan;

static void
memscan_release(MemScan *m)
{
  g_clear_pointer(&m->hits, g_array_unref);
  g_clear_error(&m->error);
}

/* The findings of one process's scan, validated against its memory. */
static void
record_memory_scan(Ctx *ctx, const CkptProcess *proc, const CkptProcessInfo *pi,
                   const MemScan *m)
{
  if (m->error) {
    ctx->api->log(ctx->run, CKPT_LOG_WARNING, "pid %u memory: %s", pi->pid,
                  m->error->message);
    ctx->partial = TRUE;
  }
  g_autofree uint8_t *buf = g_malloc(SECRETS_EXTENT_MAX);
  for (guint i = 0; m->hits && i < m->hits->len; i++)
    record_memory_hit(ctx, proc, pi->pid,
                      &g_array_index(m->hits, SecretsHit, i), buf);
}

static void
scan_process_memory(Ctx *ctx, const CkptProcess *proc,
                    const CkptProcessInfo *pi)
{
  /* zero pages are left out, each block's pieces widened by a page
   * (yrpieces.h); one walk: libyara's first is its next */
  YrPieces y;
  yrpieces_init(&y, ctx->api, proc, 4096);
  if (!yrpieces_start(&y))
    return;
  YR_MEMORY_BLOCK_ITERATOR it = {.context = &y,
                                 .first = yrpieces_it_next,
                                 .next = yrpieces_it_next,
                                 .last_error = ERROR_SUCCESS};
  MemScan m = {.hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit))};
  secrets_scan_blocks(ctx->engine, &it, m.hits, &m.error);
  yrpieces_release(&y);
  record_memory_scan(ctx, proc, pi, &m);
  memscan_release(&m);
}

/* What the host's engine found in proc's memory during its pass
 * (api->mem_secrets): the scan the redaction policy takes its secrets
 * from, validated as record_memory_hit() does; FALSE when there is none
 * to take (other rules, no pass). */
static gboolean
take_host_secrets(Ctx *ctx, const char *rules, const CkptProcess *proc,
                  const CkptProcessInfo *pi)
{
  const CkptApi *api = ctx->api;
  const CkptMemSecret *ms = NULL;
  size_t n = 0;
  if (!CKPT_HAS(api, mem_secrets) || !api->mem_secrets ||
      !api->mem_secrets(ctx->run, rules, proc, &ms, &n))
    return FALSE;
  for (size_t i = 0; i < n; i++) {
    SecretsCandidate *c = g_new0(SecretsCandidate, 1);
    c->kind = ms[i].kind;
    c->severity = ms[i].severity;
    c->priority = ms[i].priority;
    c->value = g_strdup(ms[i].value);
    c->detail = g_strdup(ms[i].detail);
    c->value_offset = ms[i].addr;
    add_memory_finding(ctx, proc, pi->pid, c);
  }
  return TRUE;
}

/* ---- the host's one memory pass (blockfeed.h) ------------------------- */

typedef struct {
  BlockFeed feed; /* first: the subscription's user */
  const SecretsEngine *engine;
  gboolean scanning; /* the feed scans (not when the host's scan serves) */
  MemScan *scans;    /* one per process, in pstree order (feed.index) */
  size_t n;
  /* the live environment searches (liveenv.h), one per process, in the
   * same pass */
  gboolean live;
  LiveEnvFound *found;
  LiveEnvSearch *search; /* the current process's */
  size_t at;             /* its index */
} SecretsPass;

/* The pass's callbacks: the feed's when it scans, and the live
 * environment search, which works on each block while libyara does. */
static void
sub_begin(const CkptProcess *p, void *user)
{
  SecretsPass *sp = user;
  if (sp->scanning)
    blockfeed_sub_begin(p, user);
  if (!sp->live)
    return;
  sp->search = NULL;
  /* the pass goes in pstree order: the next one, mostly */
  for (size_t k = 0; k < sp->n; k++) {
    size_t i = (sp->at + k) % sp->n;
    if (sp->feed.procs[i] == p) {
      sp->at = i;
      sp->search =
          liveenv_search_new(sp->feed.api, p, sp->feed.api->process_info(p));
      break;
    }
  }
}

static void
sub_block(const CkptProcess *p, const CkptMemBlock *b, void *user)
{
  SecretsPass *sp = user;
  if (sp->scanning)
    blockfeed_sub_block(p, b, user);
  if (sp->search)
    liveenv_search_block(sp->search, b);
}

static void
sub_sync(const CkptProcess *p, void *user)
{
  SecretsPass *sp = user;
  if (sp->scanning)
    blockfeed_sub_sync(p, user);
}

static void
sub_end(const CkptProcess *p, void *user)
{
  SecretsPass *sp = user;
  if (sp->scanning)
    blockfeed_sub_end(p, user);
  if (sp->live && sp->at < sp->n && sp->feed.procs[sp->at] == p) {
    LiveEnvFound *f = &sp->found[sp->at];
    f->env = liveenv_search_finish(sp->search, &f->addr);
    f->done = TRUE;
    sp->search = NULL;
  }
}

static void
pass_begin(BlockFeed *f, const CkptProcess *p)
{
  SecretsPass *sp = (SecretsPass *)f;
  (void)p;
  memscan_release(&sp->scans[f->index]);
  sp->scans[f->index].hits = g_array_new(FALSE, FALSE, sizeof(SecretsHit));
}

static int
pass_scan(BlockFeed *f, YR_MEMORY_BLOCK_ITERATOR *it)
{
  SecretsPass *sp = (SecretsPass *)f;
  MemScan *m = &sp->scans[f->index];
  secrets_scan_blocks(sp->engine, it, m->hits, &m->error);
  m->done = TRUE;
  return ERROR_SUCCESS;
}

static void
pass_free(void *user)
{
  SecretsPass *sp = user;
  for (size_t i = 0; i < sp->n; i++) {
    memscan_release(&sp->scans[i]);
    if (sp->found)
      g_strfreev(sp->found[i].env);
  }
  g_free(sp->scans);
  g_free(sp->found);
  liveenv_search_finish(sp->search, &(uint64_t){0});
  blockfeed_clear(&sp->feed);
  g_free(sp);
}

/* ---- rootfs diff ------------------------------------------------------- */

static void
scan_diff(Ctx *ctx, uint64_t max_bytes)
{
  CkptFileIter *it = ctx->api->diff_iter_new(ctx->run, max_bytes);
  if (!it)
    return;
  CkptDiffFile f = {.size = sizeof f};
  while (ctx->api->diff_iter_next(it, &f)) {
    if (!f.data || f.len == 0 || !f.path)
      continue;
    Place tmpl = {
        .source = "rootfs-diff", .path = (char *)f.path, .has_offset = TRUE};
    scan_text(ctx, f.data, f.len, &tmpl, 0);
    if (f.full_size > f.len)
      ctx->api->log(ctx->run, CKPT_LOG_INFO,
                    "%s: scanned the first %zu of %" G_GUINT64_FORMAT " bytes",
                    f.path, f.len, f.full_size);
  }
  /* a diff read only in part: what is past the break was not scanned */
  const char *why =
      CKPT_HAS(ctx->api, diff_iter_error) && ctx->api->diff_iter_error
          ? ctx->api->diff_iter_error(it)
          : NULL;
  if (why) {
    ctx->api->log(ctx->run, CKPT_LOG_WARNING,
                  "%s: the rootfs diff was scanned only in part", why);
    ctx->partial = TRUE;
  }
  ctx->api->diff_iter_free(it);
}

/* ---- content held by kernel objects ------------------------------------ */

/* Each object's first max_bytes (holes as zeros) as text; a place names
 * the object ("memfd NAME, pid P fd F") and the offset in it, its pid the
 * first holder's. */
static void
scan_objects(Ctx *ctx, uint64_t max_bytes)
{
  const CkptApi *api = ctx->api;
  if (!CKPT_HAS(api, object_iter_free))
    return;
  for (size_t i = 0; i < api->object_count(ctx->run); i++) {
    const CkptObjectInfo *o = api->object_at(ctx->run, i);
    if (o == NULL || o->stored == 0)
      continue;
    size_t len = (size_t)MIN(o->length, max_bytes);
    g_autofree uint8_t *buf = g_malloc(len ? len : 1);
    len = api->object_read(o, 0, buf, len);
    Place tmpl = {
        .source = "object", .name = (char *)o->source, .has_offset = TRUE};
    if (o->n_owners) {
      tmpl.has_pid = TRUE;
      tmpl.pid = o->owners[0].pid;
    }
    scan_text(ctx, buf, len, &tmpl, 0);
    if (o->length > len)
      api->log(ctx->run, CKPT_LOG_INFO,
               "%s: scanned the first %zu of %" G_GUINT64_FORMAT " bytes",
               o->source, len, o->length);
  }
}

/* ---- emitting ---------------------------------------------------------- */

static int
cmp_findings(gconstpointer a, gconstpointer b)
{
  const Finding *fa = *(Finding *const *)a, *fb = *(Finding *const *)b;
  if (fa->priority != fb->priority)
    return fa->priority > fb->priority ? -1 : 1;
  int k = g_strcmp0(fa->kind, fb->kind);
  if (k)
    return k;
  return fa->order < fb->order ? -1 : fa->order > fb->order;
}

static char *
place_text(const Place *p)
{
  GString *s = g_string_new(NULL);
  if (strcmp(p->source, "object") == 0) {
    /* the object's line names its kind, name, pids and fds already */
    g_string_append_printf(s, "%s +%" G_GUINT64_FORMAT, p->name, p->offset);
    return g_string_free(s, FALSE);
  }
  if (p->has_pid)
    g_string_append_printf(s, "pid %u ", p->pid);
  g_string_append(s, p->source);
  if (p->name)
    g_string_append_printf(s, " %s", p->name);
  if (p->has_addr)
    g_string_append_printf(s, " 0x%" G_GINT64_MODIFIER "x", p->addr);
  if (p->vma)
    g_string_append_printf(s, " [%s]", p->vma);
  if (p->path)
    g_string_append_printf(s, " %s", p->path);
  if (p->has_offset)
    g_string_append_printf(s, "+%" G_GUINT64_FORMAT, p->offset);
  return g_string_free(s, FALSE);
}

static gint
cmp_u32(gconstpointer a, gconstpointer b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* "1,5" and "env,memory": the distinct pids and sources of the places. */
static void
summarise(const Finding *f, char **pids, char **sources)
{
  GString *ps = g_string_new(NULL), *ss = g_string_new(NULL);
  g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  for (guint i = 0; i < f->places->len; i++) {
    const Place *p = f->places->pdata[i];
    if (p->has_pid) {
      gboolean dup = FALSE;
      for (guint j = 0; j < seen->len; j++)
        dup |= g_array_index(seen, uint32_t, j) == p->pid;
      if (!dup)
        g_array_append_val(seen, p->pid);
    }
    g_autofree char *needle = g_strdup_printf(",%s,", p->source);
    g_autofree char *hay = g_strdup_printf(",%s,", ss->str);
    if (!strstr(hay, needle))
      g_string_append_printf(ss, "%s%s", ss->len ? "," : "", p->source);
  }
  g_array_sort(seen, cmp_u32);
  for (guint i = 0; i < seen->len; i++)
    g_string_append_printf(ps, "%s%u", i ? "," : "",
                           g_array_index(seen, uint32_t, i));
  *pids = g_string_free(ps, FALSE);
  *sources = g_string_free(ss, FALSE);
}

static void
emit_findings(Ctx *ctx)
{
  g_ptr_array_sort(ctx->findings, cmp_findings);
  for (guint i = 0; i < ctx->findings->len; i++) {
    const Finding *f = ctx->findings->pdata[i];
    uint64_t id = i + 1;
    g_autofree char *shown =
        ctx->reveal ? g_strdup(f->value) : secrets_redact(f->kind, f->value);
    g_autofree char *pids = NULL, *sources = NULL;
    summarise(f, &pids, &sources);
    g_autofree char *first =
        f->places->len ? place_text(f->places->pdata[0]) : NULL;
    CkptValue row[] = {
        CKPT_UINT(id),
        CKPT_STR(f->kind),
        CKPT_STR(f->severity),
        CKPT_STR(shown),
        CKPT_UINT(strlen(f->value)),
        CKPT_UINT(f->count),
        *pids ? CKPT_STR(pids) : CKPT_NULL,
        CKPT_STR(sources),
        CKPT_STR(first),
        CKPT_STR(f->detail),
    };
    ctx->api->emit(ctx->run, T_FINDINGS, 0, row, G_N_ELEMENTS(row));
    for (guint j = 0; j < f->places->len; j++) {
      const Place *p = f->places->pdata[j];
      CkptValue loc[] = {
          CKPT_UINT(id),
          CKPT_STR(f->kind),
          CKPT_STR(p->source),
          p->has_pid ? CKPT_UINT(p->pid) : CKPT_NULL,
          CKPT_STR(p->name),
          p->has_addr ? CKPT_ADDR(p->addr) : CKPT_NULL,
          CKPT_STR(p->vma),
          CKPT_STR(p->path),
          p->has_offset ? CKPT_UINT(p->offset) : CKPT_NULL,
      };
      ctx->api->emit(ctx->run, T_LOCATIONS, 0, loc, G_N_ELEMENTS(loc));
    }
  }
}

/* An environment value as shown: redacted when it held a secret, or when
 * its name is secret-like even if the name table is off for findings (the
 * table must not show what the findings leave out). */
static char *
env_shown(Ctx *ctx, const char *name, const char *value, gboolean *secret)
{
  if (!value)
    return NULL;
  g_autofree char *s = g_strdup_printf("%s=%s", name, value);
  const char *kind = g_hash_table_lookup(ctx->env_kind, s);
  if (!kind) {
    SecretsCandidate *c = secrets_check_env_name(name, value);
    kind = c ? c->kind : NULL; /* a literal */
    secrets_candidate_free(c);
  }
  *secret |= kind != NULL;
  if (!kind || ctx->reveal)
    return g_strdup(value);
  return secrets_redact(kind, value);
}

static void
emit_environment(Ctx *ctx, const EnvDiff *d)
{
  for (guint i = 0; i < d->rows->len; i++) {
    const EnvDiffRow *r = d->rows->pdata[i];
    gboolean secret = FALSE;
    g_autofree char *spec = env_shown(ctx, r->name, r->spec_value, &secret);
    g_autofree char *proc = env_shown(ctx, r->name, r->process_value, &secret);
    g_autofree char *live = env_shown(ctx, r->name, r->runtime_value, &secret);
    CkptValue row[] = {
        CKPT_STR(r->name),
        CKPT_STR(envdiff_status_name(r->status)),
        r->pids->len ? CKPT_STR(r->pids->str) : CKPT_NULL,
        CKPT_STR(proc),
        CKPT_STR(spec),
        CKPT_STR(live),
        CKPT_BOOL(secret),
    };
    ctx->api->emit(ctx->run, T_ENVIRONMENT, 0, row, G_N_ELEMENTS(row));
  }
}

/* ---- rules, run -------------------------------------------------------- */

/* The engines compiled so far, one per rules path, kept until the plugin
 * ends: the checkpoints of a sweep's workers ask at once, and an engine
 * one of them scans with must not be freed under it when another asks
 * for other rules. The rules compile once per sweep, under the lock. */
static GMutex cache_lock;
static GHashTable *cache; /* path -> SecretsEngine* */

/* The rules that ship: the shared credentials.yar and keys.yar, and the
 * detectors of secrets/, in the directory the host names. */
static char *
default_rules(const CkptApi *api)
{
  const char *d = api->rules_dir();
  return g_strdup_printf("%s/credentials.yar,%s/keys.yar,%s/secrets", d, d, d);
}

static const SecretsEngine *
engine_for(const char *path, GError **error)
{
  g_mutex_lock(&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify)secrets_engine_free);
  SecretsEngine *e = g_hash_table_lookup(cache, path);
  if (e == NULL) {
    e = secrets_engine_new(path, error);
    if (e)
      g_hash_table_insert(cache, g_strdup(path), e);
  }
  g_mutex_unlock(&cache_lock);
  return e;
}

/* The engine of run's rules option (the shipped rules by default), and
 * those rules (*rules, owned). */
static const SecretsEngine *
run_engine(const CkptApi *api, CkptRun *run, char **rules, GError **error)
{
  const char *set =
      api->opt_is_set(run, "rules") ? api->opt_str(run, "rules") : NULL;
  *rules = set && *set ? g_strdup(set) : default_rules(api);
  return engine_for(*rules, error);
}

/* Subscribes the memory scan to the host's pass; run() then validates
 * what it found. When it cannot, run() scans for itself. */
static CkptStatus
secrets_prepare(const CkptApi *api, CkptRun *run)
{
  if (!CKPT_HAS(api, mem_subscription) || !api->mem_subscribe ||
      !api->opt_bool(run, "memory"))
    return CKPT_OK;
  g_autoptr(GError) error = NULL;
  g_autofree char *rules = NULL;
  const SecretsEngine *engine = run_engine(api, run, &rules, &error);
  if (!engine)
    return CKPT_FAILED; /* run() tells why */
  SecretsPass *sp = g_new0(SecretsPass, 1);
  sp->engine = engine;
  /* the host's engine scans with the same rules for its redaction
   * policy: one scan serves both, and the pass feeds only the live
   * environment search */
  sp->scanning = !(CKPT_HAS(api, mem_secrets) && api->mem_secrets &&
                   api->mem_secrets(run, rules, NULL, NULL, NULL));
  sp->live = TRUE;
  sp->n = api->process_count(run);
  sp->scans = g_new0(MemScan, sp->n ? sp->n : 1);
  sp->found = g_new0(LiveEnvFound, sp->n ? sp->n : 1);
  CkptMemSubscriber sub;
  blockfeed_init(&sp->feed, api, run, &sub, sp);
  sp->feed.pad = 4096;
  sp->feed.scan = pass_scan;
  sp->feed.begin = pass_begin;
  sub.begin = sub_begin;
  sub.block = sub_block;
  sub.sync = sub_sync;
  sub.end = sub_end;
  sub.free = pass_free;
  if (!api->mem_subscribe(run, &sub))
    pass_free(sp);
  return CKPT_OK;
}

static CkptStatus
secrets_run(const CkptApi *api, CkptRun *run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rules = NULL;
  const SecretsEngine *engine = run_engine(api, run, &rules, &error);
  if (!engine) {
    api->error(run, "%s", error->message);
    return CKPT_FAILED;
  }
  SecretsPass *sp = CKPT_HAS(api, mem_subscription) && api->mem_subscription
                        ? api->mem_subscription(run)
                        : NULL;
  Ctx ctx = {
      .api = api,
      .run = run,
      .engine = engine,
      .by_value = g_hash_table_new(g_str_hash, g_str_equal),
      .findings = g_ptr_array_new_with_free_func((GDestroyNotify)finding_free),
      .env_kind = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .max_places = (guint64)api->opt_int(run, "max-places"),
      .reveal = api->opt_bool(run, "reveal"),
      .names = api->opt_bool(run, "names"),
  };
  if (ctx.max_places == 0)
    ctx.max_places = 1;
  /* the live environments first: what was set at runtime is scanned as
   * the environment it is */
  gboolean memory = api->opt_bool(run, "memory");
  g_autoptr(EnvDiff) diff =
      envdiff_build(api, run, memory, sp ? sp->found : NULL, sp ? sp->n : 0);
  scan_spec(&ctx);
  scan_runtime_env(&ctx, diff);
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    scan_process_strings(&ctx, pi);
    if (!pi->has_mm || !memory)
      continue;
    if (sp && sp->scanning && i < sp->n && sp->scans[i].done)
      record_memory_scan(&ctx, p, pi, &sp->scans[i]);
    else if (!take_host_secrets(&ctx, rules, p, pi))
      scan_process_memory(&ctx, p, pi);
  }
  if (api->opt_bool(run, "rootfs") && api->opt_bool(run, "files"))
    scan_diff(&ctx, (uint64_t)api->opt_int(run, "max-file-size"));
  if (api->opt_bool(run, "objects"))
    scan_objects(&ctx, (uint64_t)api->opt_int(run, "max-file-size"));

  emit_findings(&ctx);
  emit_environment(&ctx, diff);

  g_hash_table_destroy(ctx.by_value);
  g_ptr_array_free(ctx.findings, TRUE);
  g_hash_table_destroy(ctx.env_kind);
  return ctx.partial ? CKPT_WARN : CKPT_OK;
}

static void
secrets_fini(void)
{
  g_mutex_lock(&cache_lock);
  g_clear_pointer(&cache, g_hash_table_destroy);
  g_mutex_unlock(&cache_lock);
  secrets_engine_global_fini();
}

/* libyara, once, on the host's loading thread: engines are built on the
 * sweep's workers, where initialising it would race (secrets-detect.h) */
static int
secrets_init(const CkptApi *api, char **error)
{
  (void)api;
  g_autoptr(GError) e = NULL;
  if (!secrets_engine_global_init(&e)) {
    *error = g_strdup(e->message);
    return -1;
  }
  return 0;
}

CKPT_PLUGIN_DEFINE_WITH("secrets", "0.1.0",
                        "credentials held by the container (environment, "
                        "command lines, memory, rootfs diff), redacted",
                        "Apache-2.0", options, NULL, tables, secrets_init,
                        secrets_run, secrets_fini,
                        .reads = CKPT_READS_MODEL | CKPT_READS_MEMORY |
                                 CKPT_READS_ROOTFS,
                        .prepare = secrets_prepare);

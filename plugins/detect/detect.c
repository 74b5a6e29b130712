/* detect.c - the detect plugin: runs every detector of this folder over a
 * checkpoint and emits what they find as rows of a findings table (the
 * SDK's shared schema), which `ckpt triage` gathers with the findings of
 * yara, secrets and any other plugin. */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt/plugin.h"
#include "detectors.h"
#include "ckpt/zeropad.h"

/* A block to the memory detectors. Private executable file mappings are
 * compared with their file whole; elsewhere they only look at page starts
 * (an ELF header), so zero pages are left out (zeropad.h, no padding: a
 * zero page holds no header). */
static void
memory_block(const CkptApi *api, const CkptProcess *proc, DetMemState *st,
             const CkptMemBlock *b)
{
  if (b->vma && b->vma->kind == CKPT_VMA_FILE && (b->vma->prot & PROT_EXEC)) {
    det_memory_block(st, b);
    return;
  }
  CkptZeroPad z = {.api = api, .proc = proc, .pad = 0};
  size_t from, to;
  while (ckpt_zeropad_next(&z, b, &from, &to)) {
    CkptMemBlock piece = *b;
    piece.addr = b->addr + from;
    piece.data = b->data + from;
    piece.len = to - from;
    det_memory_block(st, &piece);
  }
}

static const CkptOption options[] = {
    {.name = "memory",
     .type = CKPT_T_BOOL,
     .default_value = "true",
     .help = "look at dumped memory (elf-in-anon, patched-code, "
             "shell-history)"},
    {.name = "rootfs",
     .type = CKPT_T_BOOL,
     .default_value = "true",
     .help = "look at the rootfs diff's files"},
    {.name = NULL},
};

static const CkptColumn finding_columns[] = {CKPT_FINDING_COLUMNS,
                                             {.name = NULL}};

static const CkptTable tables[] = {
    {.name = CKPT_FINDINGS_TABLE,
     .title = "Findings",
     .layout = CKPT_LAYOUT_TABLE,
     .columns = finding_columns},
    {.name = NULL},
};

/* bytes of each diff file read: enough for the text of most programs,
 * which patched-code compares with; bytes past it count as differing */
#define DIFF_READ (16u << 20)

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  GHashTable *seen; /* "id\tevidence" of posture findings already emitted */
} Ctx;

static void
emit_row(void *ctx, const CkptFinding *f)
{
  Ctx *c = ctx;
  CkptValue v[CKPT_FINDING_N_COLUMNS];
  ckpt_finding_values(f, v);
  c->api->emit(c->run, 0, 0, v, CKPT_FINDING_N_COLUMNS);
}

/* posture findings are about the container: once per distinct evidence,
 * with the first process that shows it */
static void
emit_once(void *ctx, const CkptFinding *f)
{
  Ctx *c = ctx;
  char *key = g_strdup_printf("%s\t%s", f->id, f->evidence ? f->evidence : "");
  if (!g_hash_table_add(c->seen, key))
    return;
  emit_row(ctx, f);
}

typedef struct {
  const CkptApi *api;
  const CkptProcess *p;
} ReadCtx;

static size_t
read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
  ReadCtx *r = ctx;
  return r->api->mem_read(r->p, addr, buf, len);
}

/* file mappings changed in memory, judged against the rootfs diff's copy
 * of their file once the diff is read */
typedef struct {
  GPtrArray *patches; /* DetPatch */
  GPtrArray *readers; /* ReadCtx, one per process with patches */
} Deferred;

/* One process as the detectors see it, and its memory checks under way:
 * begun, fed every block, ended, by the host's memory pass or by the
 * plugin's own walk. */
typedef struct {
  const CkptApi *api;
  const CkptProcess *proc;
  const CkptFdInfo **fds;
  const CkptVmaInfo **vmas;
  DetProcess dp;
  DetMemState *st;
  DetBashState *bash;
  ReadCtx rc;
} DetProc;

static void
proc_init(DetProc *d, const CkptApi *api, const CkptProcess *proc)
{
  size_t n_fds = api->fd_count(proc), n_vmas = api->vma_count(proc);
  d->api = api;
  d->proc = proc;
  d->fds = g_new0(const CkptFdInfo *, n_fds + 1);
  d->vmas = g_new0(const CkptVmaInfo *, n_vmas + 1);
  for (size_t i = 0; i < n_fds; i++)
    d->fds[i] = api->fd_at(proc, i);
  for (size_t i = 0; i < n_vmas; i++)
    d->vmas[i] = api->vma_at(proc, i);
  d->dp = (DetProcess){api->process_info(proc), d->fds, n_fds, d->vmas, n_vmas};
  d->rc = (ReadCtx){api, proc};
}

static void
proc_release(DetProc *d)
{
  g_free(d->fds);
  g_free(d->vmas);
}

/* patches: where changed file mappings go to be judged against the
 * rootfs diff (with a reader kept for them), or NULL */
static void
memory_begin(DetProc *d, const DetSink *out, GPtrArray *patches,
             GPtrArray *readers)
{
  d->st = det_memory_begin(&d->dp, out);
  if (patches) {
    ReadCtx *keep = g_new(ReadCtx, 1);
    *keep = d->rc;
    g_ptr_array_add(readers, keep);
    det_memory_defer_patches(d->st, patches, keep);
  }
  d->bash = det_is_bash(d->dp.info) ? det_bash_begin(&d->dp) : NULL;
}

static void
memory_feed(DetProc *d, const CkptMemBlock *b)
{
  memory_block(d->api, d->proc, d->st, b);
  if (d->bash && b->vma && b->vma->kind == CKPT_VMA_HEAP)
    det_bash_stamps(d->bash, b);
}

static void
memory_end(DetProc *d, const DetSink *out)
{
  const CkptApi *api = d->api;
  det_memory_end(d->st);
  /* a history entry and its timestamp may lie in different dumped runs
   * of the heap: a second walk, once every timestamp is known */
  if (d->bash && det_bash_has_stamps(d->bash)) {
    CkptMemIter *it = api->mem_iter_new(d->proc);
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b))
      if (b.vma && b.vma->kind == CKPT_VMA_HEAP)
        det_bash_entries(d->bash, &b, read_mem, &d->rc);
    if (it)
      api->mem_iter_free(it);
  }
  det_bash_end(d->bash, out);
}

/* ---- the host's one memory pass ---------------------------------------- */

/* A finding kept until run() emits it: CkptFinding with owned strings. */
static void
kept_free(gpointer p)
{
  CkptFinding *f = p;
  g_free((char *)f->id);
  g_free((char *)f->title);
  g_free((char *)f->path);
  g_free((char *)f->evidence);
  g_free((char *)f->attack);
  g_free((char *)f->why);
  g_free((char *)f->more);
  g_free(f);
}

static void
keep_row(void *ctx, const CkptFinding *f)
{
  CkptFinding *k = g_new(CkptFinding, 1);
  *k = *f;
  k->id = g_strdup(f->id);
  k->title = g_strdup(f->title);
  k->path = g_strdup(f->path);
  k->evidence = g_strdup(f->evidence);
  k->attack = g_strdup(f->attack);
  k->why = g_strdup(f->why);
  k->more = g_strdup(f->more);
  g_ptr_array_add(ctx, k);
}

typedef struct {
  DetProc d;
  DetSink keep;       /* into found */
  GPtrArray *found;   /* CkptFinding*, in the order found */
  GPtrArray *patches; /* DetPatch*, or NULL (rootfs off) */
  gboolean done;
} PassProc;

typedef struct {
  const CkptApi *api;
  PassProc *procs; /* pstree order */
  size_t n, cur;
  GPtrArray *readers; /* ReadCtx*, for the patches */
} DetectPass;

static void
pass_begin(const CkptProcess *p, void *user)
{
  DetectPass *dp = user;
  for (size_t i = 0; i < dp->n; i++)
    if (dp->procs[(dp->cur + i) % dp->n].d.proc == p) {
      dp->cur = (dp->cur + i) % dp->n;
      break;
    }
  PassProc *pp = &dp->procs[dp->cur];
  memory_begin(&pp->d, &pp->keep, pp->patches, dp->readers);
}

static void
pass_block(const CkptProcess *p, const CkptMemBlock *b, void *user)
{
  DetectPass *dp = user;
  (void)p;
  memory_feed(&dp->procs[dp->cur].d, b);
}

static void
pass_end(const CkptProcess *p, void *user)
{
  DetectPass *dp = user;
  PassProc *pp = &dp->procs[dp->cur];
  (void)p;
  memory_end(&pp->d, &pp->keep);
  pp->done = TRUE;
}

static void
pass_free(void *user)
{
  DetectPass *dp = user;
  for (size_t i = 0; i < dp->n; i++) {
    proc_release(&dp->procs[i].d);
    g_ptr_array_unref(dp->procs[i].found);
    if (dp->procs[i].patches)
      g_ptr_array_unref(dp->procs[i].patches);
  }
  g_free(dp->procs);
  g_ptr_array_unref(dp->readers);
  g_free(dp);
}

static CkptStatus
detect_prepare(const CkptApi *api, CkptRun *run)
{
  if (!CKPT_HAS(api, mem_subscription) || !api->mem_subscribe ||
      !api->opt_bool(run, "memory"))
    return CKPT_OK;
  const CkptContainerInfo *ci = api->container(run);
  int rootfs = api->opt_bool(run, "rootfs") && ci && ci->has_rootfs_diff;
  DetectPass *dp = g_new0(DetectPass, 1);
  dp->api = api;
  dp->n = api->process_count(run);
  dp->procs = g_new0(PassProc, dp->n ? dp->n : 1);
  dp->readers = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; i < dp->n; i++) {
    PassProc *pp = &dp->procs[i];
    proc_init(&pp->d, api, api->process_at(run, i));
    pp->found = g_ptr_array_new_with_free_func(kept_free);
    pp->keep = (DetSink){keep_row, pp->found};
    pp->patches =
        rootfs ? g_ptr_array_new_with_free_func((GDestroyNotify)det_patch_free)
               : NULL;
  }
  CkptMemSubscriber sub = {.size = sizeof sub,
                           .user = dp,
                           .begin = pass_begin,
                           .block = pass_block,
                           .end = pass_end,
                           .free = pass_free};
  if (!api->mem_subscribe(run, &sub))
    pass_free(dp);
  return CKPT_OK;
}

static void
scan_process(const CkptApi *api, CkptRun *run, size_t index, const DetSink *out,
             const DetSink *once, int memory, Deferred *dfr, DetectPass *pass)
{
  DetProc d = {0};
  proc_init(&d, api, api->process_at(run, index));
  const CkptProcessInfo *info = d.dp.info;
  det_process(&d.dp, out);
  det_posture_process(info, once);
  PassProc *pp = pass && index < pass->n ? &pass->procs[index] : NULL;
  if (memory && info->has_mm && pp && pp->done) {
    /* the pass did the memory checks: their findings, in their order */
    for (guint i = 0; i < pp->found->len; i++)
      out->emit(out->ctx, g_ptr_array_index(pp->found, i));
    while (dfr && pp->patches && pp->patches->len)
      g_ptr_array_add(dfr->patches, g_ptr_array_steal_index(pp->patches, 0));
  } else if (memory && info->has_mm) {
    memory_begin(&d, out, dfr ? dfr->patches : NULL, dfr ? dfr->readers : NULL);
    CkptMemIter *it = api->mem_iter_new(d.proc);
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b))
      memory_feed(&d, &b);
    if (it)
      api->mem_iter_free(it);
    memory_end(&d, out);
  } else {
    /* anon-exec needs no pages */
    det_memory_end(det_memory_begin(&d.dp, out));
  }
  proc_release(&d);
}

static CkptStatus
detect_run(const CkptApi *api, CkptRun *run)
{
  Ctx c = {api, run,
           g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
  DetSink out = {emit_row, &c}, once = {emit_once, &c};
  CkptStatus status = CKPT_OK;
  int memory = api->opt_bool(run, "memory");

  const CkptContainerInfo *ci = api->container(run);
  int rootfs = api->opt_bool(run, "rootfs") && ci && ci->has_rootfs_diff;
  Deferred dfr = {
      g_ptr_array_new_with_free_func((GDestroyNotify)det_patch_free),
      g_ptr_array_new_with_free_func(g_free)};
  DetectPass *pass = CKPT_HAS(api, mem_subscription) && api->mem_subscription
                         ? api->mem_subscription(run)
                         : NULL;
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++)
    scan_process(api, run, i, &out, &once, memory, rootfs ? &dfr : NULL, pass);

  /* sockets: what listens tells accepted connections from opened ones */
  size_t n_sk = api->socket_count(run);
  GArray *listening = g_array_new(TRUE, TRUE, sizeof(uint32_t));
  for (size_t i = 0; i < n_sk; i++) {
    const CkptSocketInfo *s = api->socket_at(run, i);
    if (s->kind == CKPT_SK_INET && s->state_name &&
        strcmp(s->state_name, "LISTEN") == 0 && s->src_port)
      g_array_append_val(listening, s->src_port);
  }
  for (size_t i = 0; i < n_sk; i++)
    det_socket(api->socket_at(run, i), NULL, (uint32_t *)listening->data, &out);
  g_array_unref(listening);

  for (size_t i = 0; ci && i < ci->n_mounts; i++)
    det_posture_mount(&ci->mounts[i], &once);
  det_posture_namespaces(ci, &once);

  if (rootfs) {
    DetRootfsState st = {0};
    /* the walk of every member gives modes (setuid-file); a host older
     * than ABI 3.1 has only the regular files */
    int all = CKPT_HAS(api, diff_iter_entry) && api->diff_iter_new_all &&
              api->diff_iter_entry;
    CkptFileIter *it = all ? api->diff_iter_new_all(run, DIFF_READ)
                           : api->diff_iter_new(run, DIFF_READ);
    CkptDiffFile f = {.size = sizeof f};
    while (it && api->diff_iter_next(it, &f)) {
      const CkptDiffEntryInfo *e = all ? api->diff_iter_entry(it) : NULL;
      if (e && e->kind != CKPT_DIFF_REG) {
        det_rootfs_entry(e, f.data, f.len, &out);
        continue;
      }
      det_rootfs_file_st(&st, f.path ? f.path : "", f.data, f.len, f.full_size,
                         &out);
      det_rootfs_entry(e, f.data, f.len, &out);
      for (guint k = 0; f.path && k < dfr.patches->len;) {
        DetPatch *pt = g_ptr_array_index(dfr.patches, k);
        if (pt->vma->path && strcmp(pt->vma->path, f.path) == 0) {
          det_patch_judge(pt, f.data, f.len, f.full_size, read_mem, &out);
          g_ptr_array_remove_index_fast(dfr.patches, k);
        } else {
          k++;
        }
      }
    }
    /* a diff read only in part: the checks past the break were not
     * made, so "nothing found" would not be the truth */
    const char *why =
        it && CKPT_HAS(api, diff_iter_error) && api->diff_iter_error
            ? api->diff_iter_error(it)
            : NULL;
    if (why) {
      api->log(run, CKPT_LOG_WARNING,
               "%s: the rootfs diff was checked only in part", why);
      status = CKPT_WARN;
    }
    if (it)
      api->diff_iter_free(it);
    det_rootfs_end(&st, &out);
  }
  /* what the diff does not hold stays uncompared */
  for (guint k = 0; k < dfr.patches->len; k++)
    det_patch_emit(g_ptr_array_index(dfr.patches, k), -1, 0, &out);
  g_ptr_array_unref(dfr.patches);
  g_ptr_array_unref(dfr.readers);
  g_hash_table_unref(c.seen);
  return status;
}

static const char *const depends[] = {NULL};

CKPT_PLUGIN_DEFINE_WITH(
    "detect", "0.1.0",
    "detectors of techniques: reverse shells, fileless and "
    "deleted programs, injected code, LD_PRELOAD, miners, "
    "shell history, root FS tampering, risky posture, network",
    "Apache-2.0", options, depends, tables, NULL, detect_run, NULL,
    .reads = CKPT_READS_MODEL | CKPT_READS_MEMORY | CKPT_READS_ROOTFS,
    .prepare = detect_prepare);

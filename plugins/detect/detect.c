/* detect.c - the detect plugin: runs every detector of this folder over a
 * checkpoint and emits what they find as rows of a findings table (the
 * SDK's shared schema), which `ckpt triage` gathers with the findings of
 * yara, secrets and any other plugin. */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt/plugin.h"
#include "detectors.h"
#include "../zeropad.h"

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
  ZeroPad z = {.api = api, .proc = proc, .pad = 0};
  size_t from, to;
  while (zeropad_next(&z, b, &from, &to)) {
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

static void
scan_process(const CkptApi *api, CkptRun *run, const CkptProcess *proc,
             const DetSink *out, const DetSink *once, int memory, Deferred *dfr)
{
  const CkptProcessInfo *info = api->process_info(proc);
  size_t n_fds = api->fd_count(proc), n_vmas = api->vma_count(proc);
  const CkptFdInfo **fds = g_new0(const CkptFdInfo *, n_fds + 1);
  const CkptVmaInfo **vmas = g_new0(const CkptVmaInfo *, n_vmas + 1);
  for (size_t i = 0; i < n_fds; i++)
    fds[i] = api->fd_at(proc, i);
  for (size_t i = 0; i < n_vmas; i++)
    vmas[i] = api->vma_at(proc, i);
  DetProcess dp = {info, fds, n_fds, vmas, n_vmas};
  det_process(&dp, out);
  det_posture_process(info, once);
  if (memory && info->has_mm) {
    DetMemState *st = det_memory_begin(&dp, out);
    ReadCtx *keep = NULL;
    if (dfr) {
      keep = g_new(ReadCtx, 1);
      *keep = (ReadCtx){api, proc};
      g_ptr_array_add(dfr->readers, keep);
      det_memory_defer_patches(st, dfr->patches, keep);
    }
    DetBashState *bash = det_is_bash(info) ? det_bash_begin(&dp) : NULL;
    ReadCtx rc = {api, proc};
    CkptMemIter *it = api->mem_iter_new(proc);
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b)) {
      memory_block(api, proc, st, &b);
      if (bash && b.vma && b.vma->kind == CKPT_VMA_HEAP)
        det_bash_stamps(bash, &b);
    }
    if (it)
      api->mem_iter_free(it);
    det_memory_end(st);
    /* a history entry and its timestamp may lie in different dumped runs
     * of the heap: a second walk, once every timestamp is known */
    if (bash && det_bash_has_stamps(bash)) {
      it = api->mem_iter_new(proc);
      while (it && api->mem_iter_next(it, &b))
        if (b.vma && b.vma->kind == CKPT_VMA_HEAP)
          det_bash_entries(bash, &b, read_mem, &rc);
      if (it)
        api->mem_iter_free(it);
    }
    det_bash_end(bash, out);
  } else {
    /* anon-exec needs no pages */
    det_memory_end(det_memory_begin(&dp, out));
  }
  g_free(fds);
  g_free(vmas);
  (void)run;
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
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++)
    scan_process(api, run, api->process_at(run, i), &out, &once, memory,
                 rootfs ? &dfr : NULL);

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

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL | CKPT_READS_MEMORY, "detect", "0.1.0",
    "detectors of techniques: reverse shells, fileless and "
    "deleted programs, injected code, LD_PRELOAD, miners, "
    "shell history, root FS tampering, risky posture, network",
    "Apache-2.0", options, depends, tables, NULL, detect_run, NULL);

/* memory.c - the memory plugin: the processes' dumped memory, shown, searched
 * and carved out. What a run does follows the options, as checkpointctl's
 * memparse does:
 *
 *   (none)            table "processes": dumped and shared memory per process
 *   --maps            table "maps": VMAs like /proc/PID/maps, with presence
 *   --pid N           table "hexdump" of N's memory (repeated rows folded),
 *                     or with --output FILE every row (or --raw bytes) there
 *   --search*         table "hits": pid, comm, addr, vma, match, context,
 *                     source, over --pid N or every process, then the
 *                     content held by kernel objects (ghost files, memfds,
 *                     pipe buffers, socket queues...; those --pid N holds),
 *                     addr then being the offset in the object; not with
 *                     --no-objects, nor when --vma, --prot or --range
 *                     narrow the search to memory
 *   --core FILE       process --pid N as an ELF core file
 *   --core-dir DIR    every process with memory as DIR/core.PID
 *
 * --vma, --prot and --range narrow the hexdump, search, output and maps.
 * --output and --core write the one file the user named, --core-dir only
 * into the directory named (created, or empty); nothing else is written,
 * and an existing file is replaced only with --force. Cores take the pages
 * CRIU did not dump of file mappings from the rootfs diff, from --root and,
 * for a deleted file CRIU saved, from its ghost file.
 */
#include "mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../outdir.h"
#include "../vmaperms.h"

enum { T_PROCESSES, T_MAPS, T_HEXDUMP, T_HITS, T_FILE };

/* Bytes of one hit shown in its match and context columns at most. */
#define MEM_MAX_SHOWN (64 * 1024)

static const CkptOption options[] = {
    {"pid", CKPT_T_UINT, NULL, "the process to dump, search or carve"},
    {"maps", CKPT_T_BOOL, "false", "list VMAs like /proc/PID/maps"},
    {"vma", CKPT_T_STR, NULL,
     "only these VMA kinds, e.g. heap,stack (anon, file, heap, stack, vdso, "
     "vvar, vsyscall, shared, memfd, sysvipc, guard, other)"},
    {"prot", CKPT_T_STR, NULL,
     "only VMAs with these permissions: r-x (exact) or rw (at least)"},
    {"range", CKPT_T_STR, NULL, "only addresses START-END (hex, END excluded)"},
    {"output", CKPT_T_STR, NULL,
     "write the full hexdump of --pid (or --raw bytes) to this file"},
    {"raw", CKPT_T_BOOL, "false", "with --output: raw bytes, no hexdump"},
    {"search", CKPT_T_STR, NULL, "search memory for this text"},
    {"search-regex", CKPT_T_STR, NULL,
     "search memory for this regular expression (PCRE2, bytes)"},
    {"search-hex", CKPT_T_STR, NULL,
     "search memory for these bytes, e.g. \"de ad be ef\""},
    {"context", CKPT_T_UINT, "0", "bytes of context around each hit"},
    {"max-hits", CKPT_T_UINT, "100000", "stop after this many hits (0: all)"},
    {"threads", CKPT_T_INT, "0",
     "search threads per process; 0: one per core, 1: no worker threads"},
    {"objects", CKPT_T_BOOL, "true",
     "also search what kernel objects hold: ghost files, memfds, pipe "
     "buffers, socket queues, saved tmpfs files (--no-objects: memory only)"},
    {"core", CKPT_T_STR, NULL,
     "write process --pid as an ELF core file for gdb"},
    {"core-dir", CKPT_T_STR, NULL,
     "write every process as an ELF core DIR/core.PID (DIR created, or "
     "empty)"},
    {"root", CKPT_T_STR, NULL,
     "cores: a directory holding the container's root file system (e.g. "
     "its image's layers), to fill file-backed pages the dump lacks"},
    {"force", CKPT_T_BOOL, "false",
     "replace existing files (--core, --core-dir, --output)"},
    {NULL},
};

static const CkptColumn processes_cols[] = {
    {"pid", CKPT_T_UINT, "PID", .help = "process id"},
    {"comm", CKPT_T_STR, "PROCESS NAME", .help = "process name"},
    {"vmas", CKPT_T_UINT, "VMAS", .help = "number of memory mappings"},
    {"mapped", CKPT_T_SIZE, "MAPPED", .help = "bytes of all mappings"},
    {"memory", CKPT_T_SIZE, "MEMORY SIZE",
     .help = "bytes of pages present in the dump"},
    {"shared", CKPT_T_SIZE, "SHARED MEMORY SIZE",
     .help = "of which in shared mappings"},
    {NULL},
};

static const CkptColumn maps_cols[] = {
    {"pid", CKPT_T_UINT, "PID", .help = "process id"},
    {"start", CKPT_T_ADDR, "START", .help = "first address of the mapping"},
    {"end", CKPT_T_ADDR, "END", .help = "address after its last byte"},
    {"perms", CKPT_T_STR, "PERMS", .help = "permissions, as in /proc/PID/maps"},
    {"offset", CKPT_T_ADDR, "OFFSET", .help = "offset in the backing file"},
    {"vma", CKPT_T_STR, "VMA",
     .help = "kind: anon, file, heap, stack, vdso, ..."},
    {"size", CKPT_T_SIZE, "SIZE", .help = "bytes mapped"},
    {"present", CKPT_T_SIZE, "PRESENT",
     .help = "bytes of it present in the dump"},
    {"path", CKPT_T_STR, "PATH", .help = "backing file"},
    {NULL},
};

static const CkptColumn hexdump_cols[] = {
    {"address", CKPT_T_ADDR, "ADDRESS",
     .help = "address of the line's first byte"},
    {"hex", CKPT_T_STR, "HEX", .help = "the bytes in hex"},
    {"ascii", CKPT_T_STR, "ASCII", CKPT_COL_VERBATIM,
     .help = "the bytes as text, dots for the unprintable"},
    {NULL},
};

static const CkptColumn hits_cols[] = {
    {"pid", CKPT_T_UINT, "PID", .help = "process whose memory matched"},
    {"comm", CKPT_T_STR, "PROCESS NAME", .help = "process name"},
    {"addr", CKPT_T_ADDR, "ADDRESS", .help = "address of the match"},
    {"length", CKPT_T_UINT, "LENGTH", .help = "bytes matched"},
    {"vma", CKPT_T_STR, "VMA", .help = "kind of the mapping it is in"},
    {"vma_start", CKPT_T_ADDR, "VMA START", .help = "start of that mapping"},
    {"match", CKPT_T_BYTES, "MATCH", .help = "the bytes matched"},
    {"context", CKPT_T_STR, "CONTEXT",
     .help = "bytes around the match, as text"},
    /* "memory", or the kernel object: "memfd NAME, pid P fd F" */
    {"source", CKPT_T_STR, "SOURCE",
     .help = "where the bytes are: memory, or the kernel object holding "
             "them"},
    {NULL},
};

static const CkptColumn file_cols[] = {
    {"path", CKPT_T_STR, "FILE", .help = "file written"},
    {"pid", CKPT_T_UINT, "PID", .help = "process it was written from"},
    {"format", CKPT_T_STR, "FORMAT", .help = "hexdump, raw or ELF core"},
    {"bytes", CKPT_T_SIZE, "MEMORY WRITTEN", .help = "bytes of memory written"},
    {"segments", CKPT_T_UINT, "SEGMENTS",
     .help = "segments written (ELF core)"},
    {"threads", CKPT_T_UINT, "THREADS", .help = "threads written (ELF core)"},
    {NULL},
};

static const CkptTable tables[] = {
    {"processes", "Process memory", CKPT_LAYOUT_TABLE, processes_cols},
    {"maps", "Memory mappings", CKPT_LAYOUT_TABLE, maps_cols},
    {"hexdump", "Memory content", CKPT_LAYOUT_TABLE, hexdump_cols},
    {"hits", "Memory search hits", CKPT_LAYOUT_TABLE, hits_cols},
    {"file", "File written", CKPT_LAYOUT_RECORD, file_cols},
    {NULL},
};

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  MemFilter filter;
  const CkptProcess *dumped; /* the hexdump's process */
} Ctx;

static const char *
opt_str(const Ctx *c, const char *name)
{
  const char *s = c->api->opt_str(c->run, name);
  return s && *s ? s : NULL;
}

static uint64_t
vma_total(const CkptApi *api, const CkptProcess *p)
{
  uint64_t sum = 0;
  for (size_t i = 0; i < api->vma_count(p); i++) {
    const CkptVmaInfo *v = api->vma_at(p, i);
    if (v->kind != CKPT_VMA_GUARD) /* guards overlap real VMAs */
      sum += v->end - v->start;
  }
  return sum;
}

/* Narrows b by the filters; the VMA's kind is worked out only when a --vma
 * filter needs it. */
static gboolean
keep_block(const Ctx *c, const CkptProcess *p, CkptMemBlock *b)
{
  CkptVmaKind kind = b->vma ? b->vma->kind : CKPT_VMA_OTHER;
  if (c->filter.kinds && b->vma)
    kind = mem_vma_kind(c->api, p, b->vma);
  return mem_filter_block(&c->filter, b, kind);
}

/* ---- processes and maps ---------------------------------------------------
 */
static void
run_processes(Ctx *c)
{
  const CkptApi *api = c->api;
  for (size_t i = 0; i < api->process_count(c->run); i++) {
    const CkptProcess *p = api->process_at(c->run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    CkptValue row[] = {
        CKPT_UINT(pi->pid),           CKPT_STR(pi->comm),
        CKPT_UINT(api->vma_count(p)), CKPT_SIZE(vma_total(api, p)),
        CKPT_SIZE(pi->mem_present),   CKPT_SIZE(pi->mem_shared)};
    api->emit(c->run, T_PROCESSES, 0, row, G_N_ELEMENTS(row));
  }
}

static void
run_maps(Ctx *c, const CkptProcess *p)
{
  const CkptApi *api = c->api;
  const CkptProcessInfo *pi = api->process_info(p);
  for (size_t i = 0; i < api->vma_count(p); i++) {
    const CkptVmaInfo *v = api->vma_at(p, i);
    CkptVmaKind kind = mem_vma_kind(api, p, v);
    if (!mem_filter_vma(&c->filter, v, kind))
      continue;
    char perms[5];
    vma_perms(v, perms);
    CkptValue row[] = {CKPT_UINT(pi->pid),
                       CKPT_ADDR(v->start),
                       CKPT_ADDR(v->end),
                       CKPT_STR(perms),
                       CKPT_ADDR(v->pgoff),
                       CKPT_STR(mem_vma_label(v, kind)),
                       CKPT_SIZE(v->end - v->start),
                       CKPT_SIZE(v->present),
                       v->path ? CKPT_STR(v->path) : CKPT_NULL};
    api->emit(c->run, T_MAPS, 0, row, G_N_ELEMENTS(row));
  }
}

/* ---- hexdump and --output ----------------------------------------------- */
static void
emit_hex_row(uint64_t addr, const char *hex, const char *ascii, void *user)
{
  Ctx *c = user;
  CkptValue row[] = {CKPT_ADDR(addr), CKPT_STR(hex), CKPT_STR(ascii)};
  /* a row shows its 16 bytes (or, folded, that they repeat): the
   * redaction policy need look for secrets only around them (ABI 3.8) */
  if (CKPT_HAS(c->api, emit_window) && c->api->emit_window)
    c->api->emit_window(c->run, T_HEXDUMP, 0, row, G_N_ELEMENTS(row), c->dumped,
                        addr, MEM_ROW);
  else
    c->api->emit(c->run, T_HEXDUMP, 0, row, G_N_ELEMENTS(row));
}

static void
run_hexdump(Ctx *c, const CkptProcess *p)
{
  const CkptApi *api = c->api;
  MemHexDumper d;
  c->dumped = p;
  mem_hexdump_init(&d, TRUE, emit_hex_row, c);
  CkptMemIter *it = api->mem_iter_new(p);
  CkptMemBlock b = {.size = sizeof b};
  while (it && api->mem_iter_next(it, &b)) {
    if (!keep_block(c, p, &b))
      continue;
    /* zero pages are rows of zeros, folded without being read */
    if (!CKPT_HAS(api, mem_data_next) || api->mem_data_next == NULL) {
      mem_hexdump_feed(&d, b.addr, b.data, b.len);
      continue;
    }
    size_t at = 0, off = 0, n = 0;
    while (api->mem_data_next(p, &b, &off, &n) && n > 0) {
      mem_hexdump_zeros(&d, b.addr + at, off - at);
      mem_hexdump_feed(&d, b.addr + off, b.data + off, n);
      at = off += n;
    }
    mem_hexdump_zeros(&d, b.addr + at, b.len - at);
  }
  mem_hexdump_end(&d);
  if (it)
    api->mem_iter_free(it);
}

static void
emit_file(Ctx *c, const char *path, uint32_t pid, const char *format,
          uint64_t bytes, uint64_t segments, uint64_t threads)
{
  CkptValue row[] = {CKPT_STR(path),   CKPT_UINT(pid),      CKPT_STR(format),
                     CKPT_SIZE(bytes), CKPT_UINT(segments), CKPT_UINT(threads)};
  c->api->emit(c->run, T_FILE, 0, row, G_N_ELEMENTS(row));
}

static CkptStatus
run_output(Ctx *c, const CkptProcess *p, const char *path)
{
  const CkptApi *api = c->api;
  gboolean raw = api->opt_bool(c->run, "raw");
  /* never through a symlink; an existing file only with --force */
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
              (api->opt_bool(c->run, "force") ? O_TRUNC : O_EXCL);
  int fd = open(path, flags, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    api->error(c->run, "cannot create %s: %s%s", path, g_strerror(e),
               e == EEXIST ? " (--force replaces it)" : "");
    return CKPT_FAILED;
  }
  /* big writes: the output is as large as the memory or 5x that */
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  CkptMemIter *it = api->mem_iter_new(p);
  CkptMemBlock b = {.size = sizeof b};
  uint64_t bytes = 0;
  gboolean ok = TRUE;
  while (ok && it && api->mem_iter_next(it, &b)) {
    if (!keep_block(c, p, &b))
      continue;
    ok = raw ? fwrite(b.data, 1, b.len, f) == b.len
             : mem_hexdump_write(f, b.addr, b.data, b.len);
    bytes += b.len;
  }
  if (it)
    api->mem_iter_free(it);
  if (fclose(f) != 0)
    ok = FALSE;
  if (!ok) {
    api->error(c->run, "writing %s: %s", path, g_strerror(errno));
    return CKPT_FAILED;
  }
  emit_file(c, path, api->process_info(p)->pid, raw ? "raw" : "hexdump", bytes,
            0, 0);
  return CKPT_OK;
}

/* ---- search ------------------------------------------------------------- */
typedef struct {
  Ctx *c;
  const CkptProcess *p;
  const CkptProcessInfo *pi;
  const CkptObjectInfo *obj; /* searching an object's content, or NULL */
  uint64_t context, max_hits, hits;
  gboolean truncated;
} Search;

/* Reads [lo, hi) around a hit, narrowed until the hit itself is covered:
 * the context before it may start on a page that is not in the dump. */
static size_t
read_around(const Search *s, uint64_t addr, size_t len, uint64_t *lo_out,
            uint8_t **buf_out)
{
  const CkptVmaInfo *v = s->c->api->vma_find(s->p, addr);
  uint64_t vlo = v ? v->start : addr, vhi = v ? v->end : addr + len;
  uint64_t lo = addr - MIN(s->context, addr - vlo);
  uint64_t hi = addr + len + MIN(s->context, vhi - MIN(vhi, addr + len));
  uint8_t *buf = g_malloc(hi - lo);
  uint64_t tries[3] = {lo, MAX(lo, addr & ~(uint64_t)4095), addr};
  size_t got = 0;
  for (size_t t = 0; t < 3; t++) {
    lo = tries[t];
    got = s->c->api->mem_read(s->p, lo, buf, hi - lo);
    if (got >= addr - lo + len)
      break;
  }
  *lo_out = lo;
  *buf_out = buf;
  return got;
}

/* A hit in an object's content: addr is the offset; the context is read
 * with object_read(), holes as zeros. */
static void
emit_object_hit(Search *s, uint64_t off, size_t len)
{
  const CkptApi *api = s->c->api;
  const CkptObjectInfo *o = s->obj;
  size_t shown = MIN(len, (size_t)MEM_MAX_SHOWN);
  uint64_t lo = off - MIN(s->context, off);
  uint64_t hi =
      off + shown + MIN(s->context, o->length - MIN(o->length, off + shown));
  uint8_t *buf = g_malloc(hi - lo + 1);
  size_t got = api->object_read(o, lo, buf, (size_t)(hi - lo));
  size_t at = (size_t)(off - lo);
  size_t mlen = got > at ? MIN(shown, got - at) : 0;
  g_autofree char *ctx = mem_printable(buf, got);
  CkptValue row[] = {
      s->pi ? CKPT_UINT(s->pi->pid) : CKPT_NULL,
      s->pi && s->pi->comm ? CKPT_STR(s->pi->comm) : CKPT_NULL,
      CKPT_ADDR(off),
      CKPT_UINT(len),
      CKPT_NULL,
      CKPT_NULL,
      CKPT_BYTES(buf + MIN(at, got), mlen),
      CKPT_STR(ctx),
      CKPT_STR(o->source),
  };
  api->emit(s->c->run, T_HITS, 0, row, G_N_ELEMENTS(row));
  g_free(buf);
}

static gboolean
on_hit(uint64_t addr, size_t len, const CkptVmaInfo *vma, void *user)
{
  Search *s = user;
  const CkptApi *api = s->c->api;
  if (s->max_hits && s->hits >= s->max_hits) {
    s->truncated = TRUE;
    return FALSE;
  }
  s->hits++;
  if (s->obj) {
    emit_object_hit(s, addr, len);
    return TRUE;
  }
  /* a regex match can be as long as a VMA: show its head only */
  size_t shown = MIN(len, (size_t)MEM_MAX_SHOWN);
  uint64_t lo = 0;
  g_autofree uint8_t *buf = NULL;
  size_t got = read_around(s, addr, shown, &lo, &buf);
  size_t at = (size_t)(addr - lo);
  size_t mlen = got > at ? MIN(shown, got - at) : 0;
  g_autofree char *ctx = mem_printable(buf, got);
  CkptValue row[] = {
      CKPT_UINT(s->pi->pid),
      CKPT_STR(s->pi->comm),
      CKPT_ADDR(addr),
      CKPT_UINT(len),
      vma ? CKPT_STR(mem_vma_label(vma, mem_vma_kind(api, s->p, vma)))
          : CKPT_NULL,
      vma ? CKPT_ADDR(vma->start) : CKPT_NULL,
      CKPT_BYTES(buf + MIN(at, got), mlen),
      CKPT_STR(ctx),
      CKPT_STR("memory"),
  };
  /* the row shows [lo, lo + got) of memory and nothing else of it: the
   * redaction policy need look for secrets only there (ABI 3.8) */
  if (CKPT_HAS(api, emit_window) && api->emit_window)
    api->emit_window(s->c->run, T_HITS, 0, row, G_N_ELEMENTS(row), s->p, lo,
                     got);
  else
    api->emit(s->c->run, T_HITS, 0, row, G_N_ELEMENTS(row));
  return TRUE;
}

static MemPattern *
pattern_from_options(Ctx *c, GError **error)
{
  const char *lit = opt_str(c, "search"), *re = opt_str(c, "search-regex"),
             *hex = opt_str(c, "search-hex");
  if (!!lit + !!re + !!hex > 1) {
    g_set_error(error, MEM_ERROR, 0,
                "give one of --search, --search-regex, --search-hex");
    return NULL;
  }
  if (lit)
    return mem_pattern_literal(lit, strlen(lit), error);
  if (hex)
    return mem_pattern_hex(hex, error);
  return mem_pattern_regex(re, error);
}

/* Objects take part unless --no-objects, or a filter picks memory by VMA,
 * permission or address, which objects have none of. A host older than
 * ABI 3.2 has no objects to give. */
static gboolean
objects_wanted(const Ctx *c)
{
  const MemFilter *f = &c->filter;
  return CKPT_HAS(c->api, object_iter_free) &&
         c->api->opt_bool(c->run, "objects") && !f->kinds && !f->prot_want &&
         !f->prot_deny && !f->has_range;
}

static gboolean
object_held_by(const CkptObjectInfo *o, uint32_t pid)
{
  for (size_t i = 0; i < o->n_owners; i++)
    if (o->owners[i].pid == pid)
      return TRUE;
  return FALSE;
}

/* Each object's stored bytes through the same scanner: offsets stand for
 * addresses, and a hole ends a run as an absent page does. */
static void
search_objects(Ctx *c, Search *s, MemScanner *sc, const CkptProcess *only)
{
  const CkptApi *api = c->api;
  uint32_t only_pid = only ? api->process_info(only)->pid : 0;
  size_t n = api->object_count(c->run);
  for (size_t i = 0; i < n && !mem_scanner_stopped(sc); i++) {
    const CkptObjectInfo *o = api->object_at(c->run, i);
    if (o == NULL || (only && !object_held_by(o, only_pid)))
      continue;
    s->obj = o;
    s->p = NULL;
    s->pi = NULL;
    for (size_t k = 0; k < o->n_owners && !s->p; k++) {
      uint32_t pid = only ? only_pid : o->owners[k].pid;
      s->p = api->process_by_pid(c->run, pid);
    }
    s->pi = s->p ? api->process_info(s->p) : NULL;
    CkptObjectIter *it = api->object_iter_new(o);
    CkptObjectBlock ob = {.size = sizeof ob};
    while (it && !mem_scanner_stopped(sc) && api->object_iter_next(it, &ob)) {
      CkptMemBlock b = {
          .addr = ob.offset, .data = ob.data, .len = ob.len, .vma = NULL};
      mem_scanner_feed(sc, &b);
    }
    mem_scanner_end(sc);
    if (it)
      api->object_iter_free(it);
  }
  s->obj = NULL;
}

static CkptStatus
run_search(Ctx *c, const CkptProcess *only, MemPattern *pat)
{
  const CkptApi *api = c->api;
  Search s = {.c = c,
              .context = (uint64_t)api->opt_int(c->run, "context"),
              .max_hits = (uint64_t)api->opt_int(c->run, "max-hits")};
  s.context = MIN(s.context, (uint64_t)1 << 20);
  g_autoptr(MemScanner) sc = mem_scanner_new(pat, on_hit, &s);
  int64_t threads = api->opt_int(c->run, "threads");
  if (threads <= 0)
    threads = (int64_t)g_get_num_processors();
  /* on_hit refuses the call after max-hits: no chunk needs more */
  mem_scanner_set_threads(sc, (unsigned)MIN(threads, MEM_MAX_THREADS),
                          s.max_hits ? (size_t)s.max_hits + 1 : 0);
  size_t n = only ? 1 : api->process_count(c->run);
  for (size_t i = 0; i < n && !mem_scanner_stopped(sc); i++) {
    s.p = only ? only : api->process_at(c->run, i);
    s.pi = api->process_info(s.p);
    if (!s.pi->has_mm)
      continue;
    CkptMemIter *it = api->mem_iter_new(s.p);
    CkptMemBlock b = {.size = sizeof b};
    while (it && !mem_scanner_stopped(sc) && api->mem_iter_next(it, &b))
      if (keep_block(c, s.p, &b))
        mem_scanner_feed_sparse(sc, api, s.p, &b);
    mem_scanner_end(sc);
    if (it)
      api->mem_iter_free(it);
  }
  if (objects_wanted(c))
    search_objects(c, &s, sc, only);
  CkptStatus st = CKPT_OK;
  if (s.truncated) {
    api->log(c->run, CKPT_LOG_WARNING,
             "stopped after %" G_GUINT64_FORMAT " hits (--max-hits)",
             s.max_hits);
    st = CKPT_WARN;
  }
  if (mem_scanner_errors(sc)) {
    api->log(c->run, CKPT_LOG_WARNING,
             "the regex engine gave up in %" G_GUINT64_FORMAT
             " blocks (match limit): hits may be missing",
             mem_scanner_errors(sc));
    st = CKPT_WARN;
  }
  return st;
}

/* ---- cores -------------------------------------------------------------- */
static gboolean
wanted_path(const CkptApi *api, const CkptProcess *p, const char *path)
{
  for (size_t i = 0; i < api->vma_count(p); i++) {
    const CkptVmaInfo *v = api->vma_at(p, i);
    if (v->kind == CKPT_VMA_FILE && v->path && strcmp(v->path, path) == 0)
      return TRUE;
  }
  return FALSE;
}

/* bytes of a ghost file read whole to fill a core's pages */
#define GHOST_FILL_MAX (UINT64_C(256) << 20)

/* The root the user named, the rootfs diff's copies of the files the
 * processes map (what the container wrote wins over the image's) and the
 * ghost files of deleted ones. */
static MemFileSource *
core_sources(Ctx *c, const CkptProcess *only, GError **error)
{
  const CkptApi *api = c->api;
  g_autoptr(MemFileSource) s = mem_files_new(opt_str(c, "root"), error);
  if (s == NULL)
    return NULL;
  CkptFileIter *it = api->diff_iter_new(c->run, 0);
  CkptDiffFile f = {.size = sizeof f};
  while (it && api->diff_iter_next(it, &f)) {
    size_t n = only ? 1 : api->process_count(c->run);
    for (size_t i = 0; i < n; i++) {
      const CkptProcess *p = only ? only : api->process_at(c->run, i);
      if (wanted_path(api, p, f.path)) {
        mem_files_add_diff(s, f.path, f.data, f.len, f.len == f.full_size);
        break;
      }
    }
  }
  if (it)
    api->diff_iter_free(it);
  /* a deleted file CRIU saved (a ghost file) fills the pages of its
   * mappings, named "PATH (deleted)": the one copy of a deleted
   * executable, which neither --root nor the diff holds */
  size_t n_obj = CKPT_HAS(api, object_read) ? api->object_count(c->run) : 0;
  for (size_t k = 0; k < n_obj; k++) {
    const CkptObjectInfo *o = api->object_at(c->run, k);
    if (o->kind != CKPT_OBJ_GHOST_FILE || o->name == NULL ||
        o->length > GHOST_FILL_MAX)
      continue;
    gboolean mapped = FALSE;
    size_t n = only ? 1 : api->process_count(c->run);
    for (size_t i = 0; i < n && !mapped; i++)
      mapped =
          wanted_path(api, only ? only : api->process_at(c->run, i), o->name);
    if (!mapped)
      continue;
    g_autofree uint8_t *buf = g_malloc(o->length ? (size_t)o->length : 1);
    size_t got = api->object_read(o, 0, buf, (size_t)o->length);
    mem_files_add_diff(s, o->name, buf, got, got == o->length);
  }
  return g_steal_pointer(&s);
}

static void
report_missing(Ctx *c, GPtrArray *missing)
{
  if (missing->len == 0)
    return;
  g_autoptr(GString) list = g_string_new(NULL);
  for (guint i = 0; i < missing->len && i < 8; i++)
    g_string_append_printf(list, "%s%s", i ? ", " : "",
                           (const char *)missing->pdata[i]);
  /* a warning when the user named a root and it lacked them; without
   * --root, file pages absent from the dump are expected */
  c->api->log(c->run, opt_str(c, "root") ? CKPT_LOG_WARNING : CKPT_LOG_INFO,
              "core: %u mapped files are neither in the rootfs diff nor "
              "under --root, their pages not in the dump read as zeros: "
              "%s%s",
              missing->len, list->str, missing->len > 8 ? ", ..." : "");
}

static CkptStatus
run_core(Ctx *c, const CkptProcess *p, const char *path)
{
  MemCoreStats st;
  g_autoptr(GError) error = NULL;
  g_autoptr(MemFileSource) files = core_sources(c, p, &error);
  if (files == NULL) {
    c->api->error(c->run, "%s", error->message);
    return CKPT_FAILED;
  }
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func(g_free);
  MemCoreOptions o = {.files = files,
                      .force = c->api->opt_bool(c->run, "force"),
                      .missing = missing};
  if (!mem_core_write(c->api, p, &o, path, &st, &error)) {
    c->api->error(c->run, "%s", error->message);
    return CKPT_FAILED;
  }
  report_missing(c, missing);
  emit_file(c, path, c->api->process_info(p)->pid, "elf-core",
            st.bytes + st.file_bytes, st.segments, st.threads);
  return CKPT_OK;
}

/* DIR for --core-dir: made here, or an empty directory (any directory
 * with --force); never a symlink. */
static int
open_core_dir(Ctx *c, const char *dir)
{
  gboolean force = c->api->opt_bool(c->run, "force");
  return outdir_open(c->api, c->run, "--core-dir", dir, force);
}

static CkptStatus
run_core_dir(Ctx *c, const CkptProcess *only, const char *dir)
{
  const CkptApi *api = c->api;
  g_autoptr(GError) error = NULL;
  g_autoptr(MemFileSource) files = core_sources(c, only, &error);
  if (files == NULL) {
    api->error(c->run, "%s", error->message);
    return CKPT_FAILED;
  }
  int dfd = open_core_dir(c, dir);
  if (dfd < 0)
    return CKPT_FAILED;
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func(g_free);
  MemCoreOptions o = {.files = files,
                      .force = api->opt_bool(c->run, "force"),
                      .dirfd = dfd,
                      .missing = missing};
  CkptStatus st = CKPT_OK;
  for (size_t i = 0; i < api->process_count(c->run); i++) {
    const CkptProcess *p = api->process_at(c->run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    if (only && p != only)
      continue;
    if (!pi->has_mm) {
      api->log(c->run, CKPT_LOG_INFO,
               "core: process %u has no memory in the checkpoint (%s), no "
               "core",
               pi->pid, pi->state == CKPT_PROC_ZOMBIE ? "zombie" : "dead");
      continue;
    }
    char name[32];
    g_snprintf(name, sizeof(name), "core.%u", pi->pid);
    MemCoreStats cs;
    g_clear_error(&error);
    if (!mem_core_write(api, p, &o, name, &cs, &error)) {
      api->error(c->run, "%s: %s", dir, error->message);
      st = CKPT_FAILED;
      continue;
    }
    g_autofree char *path = g_build_filename(dir, name, NULL);
    emit_file(c, path, pi->pid, "elf-core", cs.bytes + cs.file_bytes,
              cs.segments, cs.threads);
  }
  close(dfd);
  report_missing(c, missing);
  return st;
}

static CkptStatus
worst(CkptStatus a, CkptStatus b)
{
  return a > b ? a : b;
}

static CkptStatus
memory_run(const CkptApi *api, CkptRun *run)
{
  Ctx c = {.api = api, .run = run};
  g_autoptr(GError) error = NULL;
  if (!mem_filter_parse(&c.filter, opt_str(&c, "vma"), opt_str(&c, "prot"),
                        opt_str(&c, "range"), &error)) {
    api->error(run, "%s", error->message);
    return CKPT_FAILED;
  }
  const CkptProcess *p = NULL;
  if (api->opt_is_set(run, "pid")) {
    int64_t pid = api->opt_int(run, "pid");
    p = pid > 0 && pid <= G_MAXUINT32 ? api->process_by_pid(run, (uint32_t)pid)
                                      : NULL;
    if (p == NULL) {
      api->error(run,
                 "no process with pid %" G_GINT64_FORMAT " in the checkpoint",
                 pid);
      return CKPT_FAILED;
    }
  }
  const char *core = opt_str(&c, "core"), *output = opt_str(&c, "output");
  const char *core_dir = opt_str(&c, "core-dir");
  if (core && core_dir) {
    api->error(run, "give one of --core and --core-dir");
    return CKPT_FAILED;
  }
  gboolean searching = opt_str(&c, "search") || opt_str(&c, "search-regex") ||
                       opt_str(&c, "search-hex");
  gboolean maps = api->opt_bool(run, "maps");
  if ((core || output) && p == NULL) {
    api->error(run, "--%s needs --pid", core ? "core" : "output");
    return CKPT_FAILED;
  }
  if (p && !api->process_info(p)->has_mm &&
      (output || core || core_dir || !maps)) {
    api->error(run, "process %u has no memory in the checkpoint",
               api->process_info(p)->pid);
    return CKPT_FAILED;
  }

  CkptStatus st = CKPT_OK;
  if (maps) {
    for (size_t i = 0; i < api->process_count(run); i++) {
      const CkptProcess *q = api->process_at(run, i);
      if (p == NULL || q == p)
        run_maps(&c, q);
    }
  }
  if (searching) {
    g_autoptr(MemPattern) pat = pattern_from_options(&c, &error);
    if (pat == NULL) {
      api->error(run, "%s", error->message);
      return CKPT_FAILED;
    }
    st = worst(st, run_search(&c, p, pat));
  }
  if (core)
    st = worst(st, run_core(&c, p, core));
  if (core_dir)
    st = worst(st, run_core_dir(&c, p, core_dir));
  if (output)
    st = worst(st, run_output(&c, p, output));
  if (p && !maps && !searching && !core && !output && !core_dir)
    run_hexdump(&c, p);
  if (!p && !maps && !searching && !core_dir)
    run_processes(&c);
  return st;
}

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL | CKPT_READS_MEMORY | CKPT_READS_ROOTFS |
        CKPT_SHOWS_MEMORY_IN_WINDOWS,
    "memory", "0.1.0",
    "process memory: sizes, maps, hexdump, search, ELF cores", "Apache-2.0",
    options, NULL, tables, NULL, memory_run, NULL);

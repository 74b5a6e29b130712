/* elfcore.c - one process of a checkpoint as an x86_64 ELF core file, the
 * layout Linux writes and gdb reads:
 *
 *   ELF header | PT_NOTE, one PT_LOAD per VMA | notes | page-aligned data
 *
 * Notes, in the kernel's order: for the main thread NT_PRSTATUS,
 * NT_PRPSINFO, NT_SIGINFO, NT_AUXV (CRIU's saved auxv, which gdb needs to
 * find the dynamic linker and so the shared libraries), NT_FILE
 * (file-backed mappings), NT_FPREGSET and NT_X86_XSTATE; then NT_PRSTATUS,
 * NT_FPREGSET and NT_X86_XSTATE of every other thread. gdb ties FP notes to
 * the NT_PRSTATUS before them. Registers are copied from CkptThreadInfo
 * (user_regs_struct order) and CkptThreadFpu (the FXSAVE area, YMM upper
 * halves). A checkpoint froze its processes, so the signal recorded is
 * SIGSTOP, as gdb's gcore records for a process it stopped.
 *
 * A VMA with dumped bytes gets filesz == memsz; its absent pages are holes
 * in the file (read back as zeros) so a mostly-absent VMA costs no disk.
 * Pages of a file mapping that CRIU did not dump are the file's own (it
 * dumps only pages a private mapping changed): they are copied from the
 * file in the rootfs diff or under the root the user named, then the
 * dumped pages are written over them. A file found nowhere leaves zeros
 * and is reported, never an abort (criu-coredump's failing). The structs
 * of the notes are written field by field at the kernel's x86_64 offsets,
 * so the writer does not depend on the machine it runs on.
 */
#include "mem.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORE_PAGE 4096u
/* Linux x86_64 sizes of struct elf_prstatus and struct elf_prpsinfo. */
#define PRSTATUS_SIZE 336
#define PRSTATUS_REGS 112
#define PRSTATUS_FPVALID 328
#define PRPSINFO_SIZE 136
#define SIGINFO_SIZE 128
/* NT_X86_XSTATE in the standard (non-compacted) XSAVE layout with x87, SSE
 * and AVX: the FXSAVE area, whose software bytes at 464 carry XCR0 (where
 * gdb reads it), the XSAVE header at 512, YMM upper halves at 576. */
#define XSTATE_SIZE 832
#define XSTATE_XCR0 464
#define XSTATE_HEADER 512
#define XSTATE_YMMH 576
#define XCR0_X87_SSE_AVX 7u
#define COPY_CHUNK (1u << 20)

G_STATIC_ASSERT(sizeof(CkptRegsX86_64) == 27 * 8);

typedef struct {
  const CkptVmaInfo *vma;
  uint64_t offset, filesz;
  /* where absent pages of a file mapping come from */
  int fd;       /* under the root, or -1 */
  GBytes *diff; /* from the rootfs diff, or NULL */
  uint64_t file_size;
} Segment;

/* ---- file sources ------------------------------------------------------- */
typedef struct {
  GBytes *bytes;
  gboolean complete;
} DiffFile;

struct MemFileSource {
  int rootfd;       /* -1 without --root */
  GHashTable *diff; /* path -> DiffFile* */
};

static void
diff_file_free(gpointer p)
{
  DiffFile *d = p;
  g_bytes_unref(d->bytes);
  g_free(d);
}

MemFileSource *
mem_files_new(const char *root, GError **error)
{
  int fd = -1;
  if (root) {
    fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "--root %s: %s", root, g_strerror(e));
      return NULL;
    }
  }
  MemFileSource *s = g_new0(MemFileSource, 1);
  s->rootfd = fd;
  s->diff =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, diff_file_free);
  return s;
}

void
mem_files_free(MemFileSource *s)
{
  if (s == NULL)
    return;
  if (s->rootfd >= 0)
    close(s->rootfd);
  g_hash_table_destroy(s->diff);
  g_free(s);
}

void
mem_files_add_diff(MemFileSource *s, const char *path, const void *data,
                   size_t len, gboolean complete)
{
  DiffFile *d = g_new0(DiffFile, 1);
  d->bytes = g_bytes_new(data, len);
  d->complete = complete;
  g_hash_table_replace(s->diff, g_strdup(path), d);
}

int
mem_files_open_under(int rootfd, const char *path)
{
  if (path == NULL || path[0] != '/' || strlen(path) >= 4096) {
    errno = EINVAL;
    return -1;
  }
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  size_t last = 0;
  for (size_t i = 0; parts[i]; i++)
    if (parts[i][0] && strcmp(parts[i], ".") != 0)
      last = i;
  int cur = rootfd;
  gboolean owned = FALSE;
  for (size_t i = 0; parts[i]; i++) {
    const char *c = parts[i];
    if (c[0] == '\0' || strcmp(c, ".") == 0)
      continue;
    int fd;
    if (strcmp(c, "..") == 0) {
      errno = EPERM; /* never climb: the path must stay in the root */
      fd = -1;
    } else if (i == last) {
      /* O_NONBLOCK: a FIFO planted at the path must not hang the open */
      fd = openat(cur, c,
                  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    } else {
      fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    int e = errno;
    if (owned)
      close(cur);
    if (fd < 0) {
      errno = e;
      return -1;
    }
    cur = fd;
    owned = TRUE;
  }
  struct stat st;
  if (!owned || fstat(cur, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (owned)
      close(cur);
    errno = EINVAL;
    return -1;
  }
  return cur;
}

/* Finds the bytes behind a file mapping; FALSE when there are none. */
static gboolean
segment_source(MemFileSource *s, Segment *seg, GPtrArray *missing)
{
  const CkptVmaInfo *v = seg->vma;
  seg->fd = -1;
  if (s == NULL || v->kind != CKPT_VMA_FILE || v->path == NULL)
    return FALSE;
  DiffFile *d = g_hash_table_lookup(s->diff, v->path);
  if (d && d->complete) {
    seg->diff = g_bytes_ref(d->bytes);
    seg->file_size = g_bytes_get_size(d->bytes);
    return TRUE;
  }
  struct stat st;
  if (d == NULL && s->rootfd >= 0) {
    seg->fd = mem_files_open_under(s->rootfd, v->path);
    if (seg->fd >= 0 && fstat(seg->fd, &st) == 0) {
      seg->file_size = (uint64_t)st.st_size;
      return TRUE;
    }
    if (seg->fd >= 0)
      close(seg->fd);
    seg->fd = -1;
  }
  if (missing) {
    gboolean seen = FALSE;
    for (guint i = 0; i < missing->len && !seen; i++)
      seen = strcmp(missing->pdata[i], v->path) == 0;
    if (!seen)
      g_ptr_array_add(missing, g_strdup(v->path));
  }
  return FALSE;
}

static void
segments_release(Segment *segs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (segs[i].fd >= 0)
      close(segs[i].fd);
    if (segs[i].diff)
      g_bytes_unref(segs[i].diff);
  }
}

static void
put32(uint8_t *p, uint32_t v)
{
  memcpy(p, &v, 4); /* ELF class 64, little-endian: x86_64 only */
}

static void
put64(uint8_t *p, uint64_t v)
{
  memcpy(p, &v, 8);
}

static void
note_add(GByteArray *notes, uint32_t type, const void *desc, size_t len)
{
  static const char name[8] = "CORE"; /* "CORE\0" padded to 8 */
  Elf64_Nhdr h = {.n_namesz = 5, .n_descsz = (Elf64_Word)len, .n_type = type};
  static const uint8_t zeros[4];
  if (len > G_MAXUINT32 - 8)
    return; /* cannot be described; never near with bounded models */
  g_byte_array_append(notes, (const guint8 *)&h, sizeof(h));
  g_byte_array_append(notes, (const guint8 *)name, sizeof(name));
  g_byte_array_append(notes, desc, (guint)len);
  g_byte_array_append(notes, zeros, (guint)((4 - len % 4) % 4));
}

static void
note_prstatus(GByteArray *notes, const CkptProcessInfo *pi,
              const CkptThreadInfo *t, gboolean fpvalid)
{
  uint8_t d[PRSTATUS_SIZE] = {0};
  put32(d + 0, SIGSTOP);        /* pr_info.si_signo */
  d[12] = SIGSTOP;              /* pr_cursig */
  put64(d + 24, t->blk_sigset); /* pr_sighold */
  put32(d + 32, t->tid);        /* pr_pid */
  put32(d + 36, pi->ppid);
  put32(d + 40, pi->pgid);
  put32(d + 44, pi->sid);
  if (t->has_regs)
    memcpy(d + PRSTATUS_REGS, &t->regs, sizeof(t->regs));
  put32(d + PRSTATUS_FPVALID, fpvalid ? 1 : 0);
  note_add(notes, NT_PRSTATUS, d, sizeof(d));
}

static void
note_siginfo(GByteArray *notes)
{
  uint8_t d[SIGINFO_SIZE] = {0};
  put32(d + 0, SIGSTOP); /* si_signo; si_errno and si_code 0 */
  note_add(notes, NT_SIGINFO, d, sizeof(d));
}

static void
note_auxv(GByteArray *notes, const CkptApi *api, const CkptProcess *p)
{
  size_t n = 0;
  const uint64_t *w = CKPT_HAS(api, process_auxv) && api->process_auxv
                          ? api->process_auxv(p, &n)
                          : NULL;
  if (w == NULL || n == 0)
    return;
  g_autofree uint8_t *d = g_malloc(n * 8 + 16);
  for (size_t i = 0; i < n; i++)
    put64(d + 8 * i, w[i]);
  size_t len = n * 8;
  if (n < 2 || w[n - 2] != AT_NULL) { /* the vector ends with AT_NULL */
    memset(d + len, 0, 16);
    len += 16;
  }
  note_add(notes, NT_AUXV, d, len);
}

/* NT_FPREGSET and NT_X86_XSTATE of one thread, when the image had them. */
static void
note_fpu(GByteArray *notes, const CkptThreadFpu *f)
{
  if (f == NULL)
    return;
  note_add(notes, NT_FPREGSET, f->fxsave, sizeof(f->fxsave));
  if (f->xstate_bv == 0 && !f->has_ymmh)
    return; /* saved without XSAVE: the FXSAVE area is all there is */
  uint8_t d[XSTATE_SIZE] = {0};
  memcpy(d, f->fxsave, sizeof(f->fxsave));
  put64(d + XSTATE_XCR0, XCR0_X87_SSE_AVX);
  put64(d + XSTATE_HEADER, f->xstate_bv & XCR0_X87_SSE_AVX);
  memcpy(d + XSTATE_YMMH, f->ymmh, sizeof(f->ymmh));
  note_add(notes, NT_X86_XSTATE, d, sizeof(d));
}

static const CkptThreadFpu *
thread_fpu(const CkptApi *api, const CkptProcess *p, size_t i)
{
  return CKPT_HAS(api, thread_fpu) && api->thread_fpu ? api->thread_fpu(p, i)
                                                      : NULL;
}

static void
note_prpsinfo(GByteArray *notes, const CkptProcessInfo *pi)
{
  static const char states[] = {[CKPT_PROC_ALIVE] = 'S',
                                [CKPT_PROC_DEAD] = 'X',
                                [CKPT_PROC_STOPPED] = 'T',
                                [CKPT_PROC_ZOMBIE] = 'Z'};
  uint8_t d[PRPSINFO_SIZE] = {0};
  char sname = (unsigned)pi->state < sizeof(states) ? states[pi->state] : 'S';
  d[0] = sname == 'S' ? 1 : sname == 'T' ? 3 : sname == 'Z' ? 4 : 0;
  d[1] = (uint8_t)sname;
  d[2] = sname == 'Z';
  put32(d + 16, pi->uid);
  put32(d + 20, pi->gid);
  put32(d + 24, pi->pid);
  put32(d + 28, pi->ppid);
  put32(d + 32, pi->pgid);
  put32(d + 36, pi->sid);
  if (pi->comm)
    strncpy((char *)d + 40, pi->comm, 15);
  if (pi->cmdline)
    strncpy((char *)d + 56, pi->cmdline, 79);
  note_add(notes, NT_PRPSINFO, d, sizeof(d));
}

/* NT_FILE: count, page size, {start, end, page offset} per file mapping,
 * then the paths, NUL-terminated, in the same order. */
static void
note_file(GByteArray *notes, const Segment *segs, size_t n)
{
  g_autoptr(GByteArray) d = g_byte_array_new();
  g_autoptr(GByteArray) names = g_byte_array_new();
  uint64_t count = 0, page = CORE_PAGE;
  for (size_t i = 0; i < n; i++)
    count += segs[i].vma->path != NULL && segs[i].vma->kind == CKPT_VMA_FILE;
  if (count == 0)
    return;
  g_byte_array_append(d, (const guint8 *)&count, 8);
  g_byte_array_append(d, (const guint8 *)&page, 8);
  for (size_t i = 0; i < n; i++) {
    const CkptVmaInfo *v = segs[i].vma;
    if (v->path == NULL || v->kind != CKPT_VMA_FILE)
      continue;
    uint64_t e[3] = {v->start, v->end, v->pgoff / CORE_PAGE};
    g_byte_array_append(d, (const guint8 *)e, sizeof(e));
    g_byte_array_append(names, (const guint8 *)v->path,
                        (guint)strlen(v->path) + 1);
  }
  g_byte_array_append(d, names->data, names->len);
  note_add(notes, NT_FILE, d->data, d->len);
}

static GByteArray *
build_notes(const CkptApi *api, const CkptProcess *p, const Segment *segs,
            size_t n_segs, uint64_t *threads)
{
  const CkptProcessInfo *pi = api->process_info(p);
  GByteArray *notes = g_byte_array_new();
  size_t nt = api->thread_count(p), main_i = 0;
  for (size_t i = 0; i < nt; i++)
    if (api->thread_at(p, i)->tid == pi->pid)
      main_i = i;
  /* gdb takes the first NT_PRSTATUS as the current thread */
  const CkptThreadFpu *f = nt > 0 ? thread_fpu(api, p, main_i) : NULL;
  if (nt > 0)
    note_prstatus(notes, pi, api->thread_at(p, main_i), f != NULL);
  note_prpsinfo(notes, pi);
  note_siginfo(notes);
  note_auxv(notes, api, p);
  note_file(notes, segs, n_segs);
  note_fpu(notes, f);
  for (size_t i = 0; i < nt; i++) {
    if (i == main_i)
      continue;
    f = thread_fpu(api, p, i);
    note_prstatus(notes, pi, api->thread_at(p, i), f != NULL);
    note_fpu(notes, f);
  }
  *threads = nt;
  return notes;
}

static uint32_t
segment_flags(const CkptVmaInfo *v)
{
  return (v->prot & PROT_READ ? PF_R : 0) | (v->prot & PROT_WRITE ? PF_W : 0) |
         (v->prot & PROT_EXEC ? PF_X : 0);
}

static gboolean
write_all(int fd, const void *buf, size_t len, uint64_t off, const char *path,
          GError **error)
{
  const uint8_t *b = buf;
  while (len > 0) {
    ssize_t w = pwrite(fd, b, len, (off_t)off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? errno : ENOSPC;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "%s: writing at offset %" G_GUINT64_FORMAT ": %s", path, off,
                  g_strerror(e));
      return FALSE;
    }
    b += w;
    off += (uint64_t)w;
    len -= (size_t)w;
  }
  return TRUE;
}

/* Places the segments' data after the headers; FALSE when the sizes do not
 * fit a file (hostile VMA bounds). */
static gboolean
layout(Segment *segs, size_t n, uint64_t data_start, uint64_t *end,
       GError **error)
{
  uint64_t off = data_start;
  for (size_t i = 0; i < n; i++) {
    const CkptVmaInfo *v = segs[i].vma;
    uint64_t size = v->end - v->start;
    segs[i].offset = off;
    gboolean has_file = segs[i].fd >= 0 || segs[i].diff != NULL;
    segs[i].filesz = v->present > 0 || has_file ? size : 0;
    if (segs[i].filesz > (uint64_t)INT64_MAX - off) {
      g_set_error(error, MEM_ERROR, 0,
                  "core: VMA %#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER
                  "x does not fit in a file",
                  v->start, v->end);
      return FALSE;
    }
    off += segs[i].filesz;
  }
  *end = off;
  return TRUE;
}

static gboolean
write_headers(int fd, const char *path, const Segment *segs, size_t n,
              const GByteArray *notes, uint64_t notes_off, GError **error)
{
  Elf64_Ehdr eh = {0};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_CORE;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = (Elf64_Half)(n + 1);

  g_autofree Elf64_Phdr *ph = g_new0(Elf64_Phdr, n + 1);
  ph[0].p_type = PT_NOTE;
  ph[0].p_offset = notes_off;
  ph[0].p_filesz = notes->len;
  ph[0].p_align = 4;
  for (size_t i = 0; i < n; i++) {
    const CkptVmaInfo *v = segs[i].vma;
    Elf64_Phdr *h = &ph[i + 1];
    h->p_type = PT_LOAD;
    h->p_flags = segment_flags(v);
    h->p_offset = segs[i].offset;
    h->p_vaddr = v->start;
    h->p_filesz = segs[i].filesz;
    h->p_memsz = v->end - v->start;
    h->p_align = CORE_PAGE;
  }
  return write_all(fd, &eh, sizeof(eh), 0, path, error) &&
         write_all(fd, ph, (n + 1) * sizeof(Elf64_Phdr), eh.e_phoff, path,
                   error) &&
         write_all(fd, notes->data, notes->len, notes_off, path, error);
}

static const Segment *
segment_of(const Segment *segs, size_t n, const CkptMemBlock *b)
{
  /* binary search: VMAs are sorted and do not overlap */
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (segs[mid].vma->end <= b->addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == n || b->addr < segs[lo].vma->start ||
      b->len > segs[lo].vma->end - b->addr)
    return NULL;
  return &segs[lo];
}

/* The file's bytes behind segment s: [pgoff, pgoff + size) of the file,
 * cut at its end (the rest of the mapping reads as zeros, where the
 * process would have had SIGBUS). */
static gboolean
write_file_pages(int fd, const char *path, const Segment *s, uint64_t *bytes,
                 GError **error)
{
  const CkptVmaInfo *v = s->vma;
  uint64_t size = v->end - v->start;
  if (v->pgoff >= s->file_size)
    return TRUE;
  uint64_t n = MIN(size, s->file_size - v->pgoff);
  if (s->diff) {
    const uint8_t *d = g_bytes_get_data(s->diff, NULL);
    *bytes += n;
    return write_all(fd, d + v->pgoff, (size_t)n, s->offset, path, error);
  }
  g_autofree uint8_t *buf = g_malloc(COPY_CHUNK);
  for (uint64_t done = 0; done < n;) {
    size_t want = (size_t)MIN((uint64_t)COPY_CHUNK, n - done);
    ssize_t r = pread(s->fd, buf, want, (off_t)(v->pgoff + done));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break; /* the file shrank or cannot be read: zeros from here */
    if (!write_all(fd, buf, (size_t)r, s->offset + done, path, error))
      return FALSE;
    done += (uint64_t)r;
    *bytes += (uint64_t)r;
  }
  return TRUE;
}

static gboolean
write_files(int fd, const char *path, const Segment *segs, size_t n,
            uint64_t *bytes, GError **error)
{
  for (size_t i = 0; i < n; i++)
    if ((segs[i].fd >= 0 || segs[i].diff) &&
        !write_file_pages(fd, path, &segs[i], bytes, error))
      return FALSE;
  return TRUE;
}

static gboolean
write_memory(const CkptApi *api, const CkptProcess *p, int fd, const char *path,
             const Segment *segs, size_t n, uint64_t *bytes, GError **error)
{
  CkptMemIter *it = api->mem_iter_new(p);
  CkptMemBlock b = {.size = sizeof b};
  gboolean ok = TRUE;
  while (ok && it && api->mem_iter_next(it, &b)) {
    const Segment *s = segment_of(segs, n, &b);
    if (s == NULL || s->filesz == 0)
      continue; /* filtered out, or outside every VMA */
    ok = write_all(fd, b.data, b.len, s->offset + (b.addr - s->vma->start),
                   path, error);
    *bytes += b.len;
  }
  if (it)
    api->mem_iter_free(it);
  return ok;
}

/* Creates the core file: never through a symlink; an existing file only
 * with force. *created says whether this call made it (and may remove
 * it on failure). */
static int
create_core(const MemCoreOptions *o, const char *path, gboolean *created,
            GError **error)
{
  int dirfd = o && o->dirfd ? o->dirfd : AT_FDCWD;
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
  int fd = openat(dirfd, path, flags | O_EXCL, 0600);
  *created = fd >= 0;
  if (fd < 0 && errno == EEXIST && o && o->force)
    fd = openat(dirfd, path, flags | O_TRUNC, 0600);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: cannot create %s: %s%s", path, g_strerror(e),
                e == EEXIST ? " (--force replaces it)" : "");
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "core: %s is not a regular file", path);
    return -1;
  }
  return fd;
}

gboolean
mem_core_write(const CkptApi *api, const CkptProcess *p,
               const MemCoreOptions *opts, const char *path,
               MemCoreStats *stats, GError **error)
{
  const CkptProcessInfo *pi = api->process_info(p);
  const MemFilter *filter = opts ? opts->filter : NULL;
  memset(stats, 0, sizeof(*stats));
  if (!pi->has_mm) {
    g_set_error(error, MEM_ERROR, 0,
                "core: process %u has no memory in the checkpoint (%s)",
                pi->pid, pi->state == CKPT_PROC_ZOMBIE ? "zombie" : "dead");
    return FALSE;
  }
  size_t nv = api->vma_count(p), n = 0;
  if (nv >= PN_XNUM) {
    g_set_error(error, MEM_ERROR, 0, "core: %zu VMAs are more than ELF holds",
                nv);
    return FALSE;
  }
  g_autofree Segment *segs = g_new0(Segment, nv ? nv : 1);
  for (size_t i = 0; i < nv; i++) {
    const CkptVmaInfo *v = api->vma_at(p, i);
    /* guard ranges overlap the real VMAs and hold nothing */
    if (v->end <= v->start || v->kind == CKPT_VMA_GUARD ||
        (filter && !mem_filter_vma(filter, v, mem_vma_kind(api, p, v))))
      continue;
    segs[n].vma = v;
    segment_source(opts ? opts->files : NULL, &segs[n],
                   opts ? opts->missing : NULL);
    n++;
  }

  uint64_t threads = 0;
  g_autoptr(GByteArray) notes = build_notes(api, p, segs, n, &threads);
  uint64_t notes_off = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr);
  uint64_t data_off =
      (notes_off + notes->len + CORE_PAGE - 1) & ~(uint64_t)(CORE_PAGE - 1);
  uint64_t end = 0;
  gboolean created = FALSE;
  int fd = -1;
  gboolean ok = layout(segs, n, data_off, &end, error) &&
                (fd = create_core(opts, path, &created, error)) >= 0;
  /* file pages first: the dumped pages, written next, win over them */
  ok = ok && write_headers(fd, path, segs, n, notes, notes_off, error) &&
       write_files(fd, path, segs, n, &stats->file_bytes, error) &&
       write_memory(api, p, fd, path, segs, n, &stats->bytes, error);
  segments_release(segs, n);
  if (ok && ftruncate(fd, (off_t)end) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: %s: extending to %" G_GUINT64_FORMAT " bytes: %s", path,
                end, g_strerror(e));
    ok = FALSE;
  }
  if (fd >= 0 && close(fd) != 0 && ok) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: closing %s: %s", path, g_strerror(e));
    ok = FALSE;
  }
  if (!ok && created)
    unlinkat(opts && opts->dirfd ? opts->dirfd : AT_FDCWD, path, 0);
  stats->segments = n;
  stats->threads = threads;
  stats->file_size = end;
  return ok;
}

/* elfcore.c - one process of a checkpoint as an x86_64 ELF core file, the
 * layout Linux writes and gdb reads:
 *
 *   ELF header | PT_NOTE, one PT_LOAD per VMA | notes | page-aligned data
 *
 * Notes: NT_PRSTATUS of the main thread, NT_PRPSINFO, NT_FILE (file-backed
 * mappings), then NT_PRSTATUS of every other thread. Registers are copied
 * from CkptThreadInfo.regs, which is already in user_regs_struct order.
 * A VMA with dumped bytes gets filesz == memsz; its absent pages are holes
 * in the file (read back as zeros) so a mostly-absent VMA costs no disk.
 * A VMA without any dumped byte gets filesz 0. The structs of the notes are
 * written field by field at the kernel's x86_64 offsets, so the writer does
 * not depend on the machine it runs on.
 */
#include "mem.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CORE_PAGE 4096u
/* Linux x86_64 sizes of struct elf_prstatus and struct elf_prpsinfo. */
#define PRSTATUS_SIZE 336
#define PRSTATUS_REGS 112
#define PRPSINFO_SIZE 136

G_STATIC_ASSERT(sizeof(CkptRegsX86_64) == 27 * 8);

typedef struct {
  const CkptVmaInfo *vma;
  uint64_t offset, filesz;
} Segment;

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
              const CkptThreadInfo *t)
{
  uint8_t d[PRSTATUS_SIZE] = {0};
  put64(d + 24, t->blk_sigset); /* pr_sighold */
  put32(d + 32, t->tid);        /* pr_pid */
  put32(d + 36, pi->ppid);
  put32(d + 40, pi->pgid);
  put32(d + 44, pi->sid);
  if (t->has_regs)
    memcpy(d + PRSTATUS_REGS, &t->regs, sizeof(t->regs));
  note_add(notes, NT_PRSTATUS, d, sizeof(d));
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
  if (nt > 0)
    note_prstatus(notes, pi, api->thread_at(p, main_i));
  note_prpsinfo(notes, pi);
  note_file(notes, segs, n_segs);
  for (size_t i = 0; i < nt; i++)
    if (i != main_i)
      note_prstatus(notes, pi, api->thread_at(p, i));
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
    segs[i].filesz = v->present > 0 ? size : 0;
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

gboolean
mem_core_write(const CkptApi *api, const CkptProcess *p,
               const MemFilter *filter, const char *path, MemCoreStats *stats,
               GError **error)
{
  const CkptProcessInfo *pi = api->process_info(p);
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
    segs[n++].vma = v;
  }

  uint64_t threads = 0;
  g_autoptr(GByteArray) notes = build_notes(api, p, segs, n, &threads);
  uint64_t notes_off = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr);
  uint64_t data_off =
      (notes_off + notes->len + CORE_PAGE - 1) & ~(uint64_t)(CORE_PAGE - 1);
  uint64_t end = 0;
  if (!layout(segs, n, data_off, &end, error))
    return FALSE;

  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: cannot create %s: %s", path, g_strerror(e));
    return FALSE;
  }
  gboolean ok = write_headers(fd, path, segs, n, notes, notes_off, error) &&
                write_memory(api, p, fd, path, segs, n, &stats->bytes, error);
  if (ok && ftruncate(fd, (off_t)end) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: %s: extending to %" G_GUINT64_FORMAT " bytes: %s", path,
                end, g_strerror(e));
    ok = FALSE;
  }
  if (close(fd) != 0 && ok) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "core: closing %s: %s", path, g_strerror(e));
    ok = FALSE;
  }
  stats->segments = n;
  stats->threads = threads;
  stats->file_size = end;
  return ok;
}

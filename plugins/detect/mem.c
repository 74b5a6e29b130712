/* mem.c - detectors over a process's memory map and dumped pages:
 * anon-exec, elf-in-anon, patched-code, and shell-history (bash's history
 * list in its heap, as Volatility's linux.bash finds it).
 *
 * CRIU dumps only pages a process changed, so a dumped page inside a
 * private file-backed executable mapping is code changed in memory — with
 * one exception: CRIU's parasite is injected through ptrace at the start of
 * the process's first executable mapping and its bytes restored, so that
 * page is dumped in every process of every checkpoint and tells nothing. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../vmaperms.h"
#include "detectors.h"

#define PAGE 4096u

struct DetMemState {
  const DetProcess *p;
  const DetSink *out;
  uint64_t parasite; /* the page CRIU's parasite went through, or 0 */
  GPtrArray *defer;  /* DetPatch, when the caller compares with files */
  void *read_ctx;
  /* per VMA, while its blocks come: */
  const CkptVmaInfo *vma;
  uint64_t patched_first, patched_bytes;
  GArray *ranges; /* uint64_t pairs: the dumped runs, less the parasite */
  uint64_t elf_first;
  unsigned elf_count;
};

static int
anonymous(const CkptVmaInfo *v)
{
  switch (v->kind) {
  case CKPT_VMA_ANON:
  case CKPT_VMA_HEAP:
  case CKPT_VMA_STACK:
  case CKPT_VMA_SHARED:
  case CKPT_VMA_MEMFD:
  case CKPT_VMA_SYSVIPC:
  case CKPT_VMA_OTHER:
    return 1;
  default:
    return 0;
  }
}

static void
anon_exec(const DetProcess *p, const DetSink *out)
{
  for (size_t i = 0; i < p->n_vmas; i++) {
    const CkptVmaInfo *v = p->vmas[i];
    if (!(v->prot & PROT_EXEC) || !anonymous(v))
      continue;
    int rwx = (v->prot & PROT_WRITE) != 0;
    char pr[5], ev[256], more[96];
    vma_perms(v, pr);
    snprintf(ev, sizeof ev,
             "%#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER
             "x %s %s, %" G_GUINT64_FORMAT " bytes dumped",
             v->start, v->end, pr, v->label ? v->label : "anon", v->present);
    snprintf(more, sizeof more,
             "ckpt memparse --pid %u --range %#" G_GINT64_MODIFIER
             "x-%#" G_GINT64_MODIFIER "x",
             p->info->pid, v->start, v->end);
    det_emit(out, "anon-exec", rwx ? CKPT_SEV_HIGH : CKPT_SEV_MEDIUM,
             rwx ? "writable and executable anonymous memory"
                 : "executable anonymous memory",
             p->info->pid, -1, v->start, v->path, ev, "T1055",
             "code that no file backs was written into memory at run time "
             "(shellcode, injected or unpacked code; JIT compilers do it "
             "too)",
             more);
  }
}

DetMemState *
det_memory_begin(const DetProcess *p, const DetSink *out)
{
  DetMemState *st = g_new0(DetMemState, 1);
  st->p = p;
  st->out = out;
  for (size_t i = 0; i < p->n_vmas; i++) {
    const CkptVmaInfo *v = p->vmas[i];
    if ((v->prot & PROT_EXEC) && v->kind != CKPT_VMA_VSYSCALL &&
        v->kind != CKPT_VMA_VDSO && v->kind != CKPT_VMA_VVAR) {
      st->parasite = v->start;
      break;
    }
  }
  anon_exec(p, out);
  return st;
}

static void
flush_vma(DetMemState *st)
{
  const CkptVmaInfo *v = st->vma;
  if (!v)
    return;
  uint32_t pid = st->p->info->pid;
  char pr[5], ev[320], more[96];
  vma_perms(v, pr);
  if (st->patched_bytes) {
    DetPatch *pt = g_new0(DetPatch, 1);
    pt->pid = pid;
    pt->vma = v;
    pt->first = st->patched_first;
    pt->bytes = st->patched_bytes;
    pt->ranges = st->ranges;
    pt->read_ctx = st->read_ctx;
    st->ranges = NULL;
    if (st->defer) {
      g_ptr_array_add(st->defer, pt);
    } else {
      det_patch_emit(pt, -1, 0, st->out);
      det_patch_free(pt);
    }
  }
  if (st->ranges)
    g_array_set_size(st->ranges, 0);
  if (st->elf_count) {
    snprintf(ev, sizeof ev,
             "ELF header at %#" G_GINT64_MODIFIER "x in %s memory (%s)%s",
             st->elf_first, v->label ? v->label : "anon", pr,
             st->elf_count > 1 ? ", and more in the same mapping" : "");
    snprintf(more, sizeof more,
             "ckpt memparse --pid %u --range %#" G_GINT64_MODIFIER
             "x-%#" G_GINT64_MODIFIER "x",
             pid, st->elf_first, st->elf_first + 64);
    det_emit(st->out, "elf-in-anon", CKPT_SEV_HIGH,
             "an ELF image in anonymous memory", pid, -1, st->elf_first,
             v->path, ev, "T1620",
             "a program copied into memory rather than mapped from a file "
             "is how reflective loaders run code without a file",
             more);
  }
  st->vma = NULL;
  st->patched_bytes = st->patched_first = 0;
  st->elf_count = 0;
  st->elf_first = 0;
}

static uint16_t
le16(const uint8_t *b)
{
  return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t
le32(const uint8_t *b)
{
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
         (uint32_t)b[3] << 24;
}

/* an ELF executable or shared object's header, as a loader would accept */
static int
elf_header(const uint8_t *b, size_t n)
{
  if (n < 64 || memcmp(b, "\177ELF", 4) != 0)
    return 0;
  if ((b[4] != 1 && b[4] != 2) || (b[5] != 1 && b[5] != 2) || b[6] != 1)
    return 0;
  uint16_t type = le16(b + 16), machine = le16(b + 18);
  return (type == 2 || type == 3) && machine != 0 && le32(b + 20) == 1;
}

static void
patched_range(DetMemState *st, uint64_t s, uint64_t e)
{
  if (e <= s)
    return;
  if (!st->patched_bytes)
    st->patched_first = s;
  st->patched_bytes += e - s;
  if (!st->ranges)
    st->ranges = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  g_array_append_val(st->ranges, s);
  g_array_append_val(st->ranges, e);
}

void
det_memory_defer_patches(DetMemState *st, GPtrArray *patches, void *read_ctx)
{
  st->defer = patches;
  st->read_ctx = read_ctx;
}

void
det_patch_free(DetPatch *pt)
{
  if (!pt)
    return;
  if (pt->ranges)
    g_array_unref(pt->ranges);
  g_free(pt);
}

/* differ: bytes that differ from the file, -1 when the file is not at
 * hand, -2 when it was read only in part; first: where the first
 * differing byte is */
void
det_patch_emit(const DetPatch *pt, int64_t differ, uint64_t first,
               const DetSink *out)
{
  const CkptVmaInfo *v = pt->vma;
  char pr[5], ev[400], more[96];
  vma_perms(v, pr);
  int writable = (v->prot & PROT_WRITE) != 0;
  uint64_t at = differ > 0 ? first : pt->first;
  if (differ < 0)
    snprintf(ev, sizeof ev,
             "%" G_GUINT64_FORMAT
             " bytes of %s (%s, offset %#" G_GINT64_MODIFIER
             "x) dumped, so written since mapped, first at %#" G_GINT64_MODIFIER
             "x (%s)",
             pt->bytes, v->path ? v->path : "?", pr, v->pgoff, pt->first,
             differ == -1 ? "the file is not in the rootfs diff to compare"
                          : "the rootfs diff's copy was read only in part");
  else
    snprintf(ev, sizeof ev,
             "%" G_GINT64_FORMAT " of %" G_GUINT64_FORMAT
             " dumped bytes of %s (%s, offset %#" G_GINT64_MODIFIER
             "x) differ from the rootfs diff's copy, first at "
             "%#" G_GINT64_MODIFIER "x",
             differ, pt->bytes, v->path ? v->path : "?", pr, v->pgoff, at);
  snprintf(more, sizeof more,
           "ckpt memparse --pid %u --range %#" G_GINT64_MODIFIER
           "x-%#" G_GINT64_MODIFIER "x",
           pt->pid, at & ~(uint64_t)(PAGE - 1),
           (at & ~(uint64_t)(PAGE - 1)) + PAGE);
  det_emit(out, "patched-code", writable ? CKPT_SEV_MEDIUM : CKPT_SEV_HIGH,
           writable ? "writable code mapping changed in memory"
                    : "program code changed in memory",
           pt->pid, -1, at, v->path, ev, "T1055",
           "a read-only code page is dumped only when it was written: "
           "hooks, inline patches and injected code",
           more);
}

/* The dumped runs against the file's bytes at the mapping's offsets
 * (past the file's end a page holds zeros). When a byte falls past what
 * the caller read of the file (len < full_size) the mapping is reported
 * uncompared, so a partial read never hides a patch. Pages identical to
 * the file were written back as they were: nothing to report. */
void
det_patch_judge(const DetPatch *pt, const uint8_t *file, size_t len,
                uint64_t full_size, DetRead read, const DetSink *out)
{
  int64_t differ = 0;
  uint64_t first = 0;
  uint8_t buf[PAGE];
  for (guint i = 0; pt->ranges && i + 1 < pt->ranges->len; i += 2) {
    uint64_t s = g_array_index(pt->ranges, uint64_t, i);
    uint64_t e = g_array_index(pt->ranges, uint64_t, i + 1);
    for (uint64_t a = s; a < e;) {
      size_t n = (size_t)MIN((uint64_t)PAGE, e - a);
      size_t got = read ? read(pt->read_ctx, a, buf, n) : 0;
      for (size_t k = 0; k < n; k++) {
        uint64_t fo = pt->vma->pgoff + (a + k - pt->vma->start);
        int same;
        if (k >= got || (fo >= len && fo < full_size)) {
          /* not read (the dump or the file): no verdict by comparison */
          det_patch_emit(pt, -2, 0, out);
          return;
        }
        same = fo < len ? buf[k] == file[fo] : buf[k] == 0;
        if (!same && differ++ == 0)
          first = a + k;
      }
      a += n;
    }
  }
  if (differ)
    det_patch_emit(pt, differ, first, out);
}

void
det_memory_block(DetMemState *st, const CkptMemBlock *b)
{
  const CkptVmaInfo *v = b->vma;
  if (v != st->vma) {
    flush_vma(st);
    st->vma = v;
  }
  if (!v)
    return;
  if (v->kind == CKPT_VMA_FILE && (v->prot & PROT_EXEC) &&
      !(v->flags & MAP_SHARED)) {
    /* the dumped run, less the parasite's page */
    uint64_t s = b->addr, e = b->addr + b->len;
    uint64_t ps = st->parasite, pe = st->parasite + PAGE;
    if (ps && ps < e && pe > s) {
      patched_range(st, s, MIN(ps, e));
      patched_range(st, MAX(pe, s), e);
    } else {
      patched_range(st, s, e);
    }
  }
  if (anonymous(v)) {
    for (size_t off = (PAGE - (size_t)(b->addr % PAGE)) % PAGE;
         off + 64 <= b->len; off += PAGE) {
      if (elf_header(b->data + off, b->len - off)) {
        if (!st->elf_count)
          st->elf_first = b->addr + off;
        st->elf_count++;
      }
    }
  }
}

void
det_memory_end(DetMemState *st)
{
  if (!st)
    return;
  flush_vma(st);
  if (st->ranges)
    g_array_unref(st->ranges);
  g_free(st);
}

/* ---- shell-history ---------------------------------------------------- */

int
det_is_bash(const CkptProcessInfo *info)
{
  const char *exe = det_basename(info->exe);
  return strncmp(exe, "bash", 4) == 0 &&
         (exe[4] == '\0' || strcmp(exe + 4, " (deleted)") == 0);
}

typedef struct {
  uint64_t addr;   /* of the timestamp string */
  int64_t seconds; /* its value */
} Stamp;

/* readline keeps each history entry's time as a string of its own: the
 * history comment character ('#' when set, NUL otherwise), the epoch
 * seconds in decimal, NUL; malloc aligns it to 16 bytes */
static int
stamp_at(const uint8_t *b, size_t n, int64_t *seconds)
{
  if (n < 12 || (b[0] != '#' && b[0] != '\0'))
    return 0;
  size_t k = 1;
  int64_t v = 0;
  while (k < n && k <= 11 && b[k] >= '0' && b[k] <= '9')
    v = v * 10 + (b[k++] - '0');
  if (k < 10 || k > 11 || k >= n || b[k] != '\0')
    return 0; /* 9 or 10 digits: 2001 to 2286 */
  *seconds = v;
  return v >= 1000000000;
}

static int
printable_line(const char *s, size_t n)
{
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return 0;
  }
  return 1;
}

static int
cmp_stamp_addr(const void *a, const void *b)
{
  uint64_t x = ((const Stamp *)a)->addr, y = ((const Stamp *)b)->addr;
  return x < y ? -1 : x > y;
}

typedef struct {
  int64_t seconds;
  uint64_t addr; /* of the entry */
  char *line;
} Entry;

struct DetBashState {
  const DetProcess *p;
  GArray *stamps;  /* Stamp, sorted once the first pass is over */
  GArray *entries; /* Entry */
  int sorted;
};

DetBashState *
det_bash_begin(const DetProcess *p)
{
  DetBashState *st = g_new0(DetBashState, 1);
  st->p = p;
  st->stamps = g_array_new(FALSE, FALSE, sizeof(Stamp));
  st->entries = g_array_new(FALSE, FALSE, sizeof(Entry));
  return st;
}

void
det_bash_stamps(DetBashState *st, const CkptMemBlock *heap)
{
  for (size_t off = (16 - (size_t)(heap->addr % 16)) % 16;
       off + 12 <= heap->len; off += 16) {
    int64_t s;
    if (stamp_at(heap->data + off, heap->len - off, &s)) {
      Stamp x = {heap->addr + off, s};
      g_array_append_val(st->stamps, x);
    }
  }
}

int
det_bash_has_stamps(const DetBashState *st)
{
  return st->stamps->len > 0;
}

/* struct _hist_entry { char *line; char *timestamp; void *data; }: an
 * aligned word equal to a timestamp's address, the word before it a
 * pointer to the command line. The entry, its line and its timestamp are
 * separate allocations, often in different dumped runs of the heap: the
 * stamps come from every run first (det_bash_stamps), then every run is
 * searched for entries, and the line is read wherever it is. */
void
det_bash_entries(DetBashState *st, const CkptMemBlock *heap, DetRead read,
                 void *read_ctx)
{
  if (st->stamps->len == 0)
    return;
  if (!st->sorted) {
    g_array_sort(st->stamps, cmp_stamp_addr);
    st->sorted = 1;
  }
  for (size_t off = (8 - (size_t)(heap->addr % 8)) % 8; off + 8 <= heap->len;
       off += 8) {
    uint64_t ptr;
    memcpy(&ptr, heap->data + off, 8);
    Stamp key = {ptr, 0};
    Stamp *hit = bsearch(&key, st->stamps->data, st->stamps->len, sizeof(Stamp),
                         cmp_stamp_addr);
    if (!hit)
      continue;
    uint64_t line_ptr = 0, at = heap->addr + off - 8;
    if (off >= 8)
      memcpy(&line_ptr, heap->data + off - 8, 8);
    else if (read(read_ctx, at, &line_ptr, 8) != 8)
      continue;
    char line[1024];
    size_t got = line_ptr ? read(read_ctx, line_ptr, line, sizeof line - 1) : 0;
    line[got] = '\0';
    size_t n = strnlen(line, got);
    if (n == 0 || n == got || !printable_line(line, n))
      continue; /* not a NUL-terminated line of text */
    Entry e = {hit->seconds, at, g_strndup(line, n)};
    g_array_append_val(st->entries, e);
  }
}

/* history order: by time, then by where the entry lies (malloc hands out
 * increasing addresses to a session's successive entries more often than
 * not; entries typed within one second keep that order) */
static int
cmp_entry(const void *a, const void *b)
{
  const Entry *x = a, *y = b;
  if (x->seconds != y->seconds)
    return x->seconds < y->seconds ? -1 : 1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void
det_bash_end(DetBashState *st, const DetSink *out)
{
  if (!st)
    return;
  g_array_sort(st->entries, cmp_entry);
  for (guint i = 0; i < st->entries->len; i++) {
    Entry *e = &g_array_index(st->entries, Entry, i);
    GDateTime *dt = g_date_time_new_from_unix_utc(e->seconds);
    g_autofree char *when =
        dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
    if (dt)
      g_date_time_unref(dt);
    g_autofree char *ev = g_strdup_printf("%s  %s", when ? when : "?", e->line);
    char more[64];
    snprintf(more, sizeof more,
             "ckpt memparse --pid %u --search-regex '#1[0-9]{9}'",
             st->p->info->pid);
    det_emit(out, "shell-history", CKPT_SEV_INFO, "bash history entry",
             st->p->info->pid, -1, e->addr, NULL, ev, "T1059.004",
             "the commands typed into this shell, with their times", more);
    g_free(e->line);
  }
  g_array_unref(st->entries);
  g_array_unref(st->stamps);
  g_free(st);
}

void
det_bash_history(const DetProcess *p, const CkptMemBlock *heap, DetRead read,
                 void *read_ctx, const DetSink *out)
{
  DetBashState *st = det_bash_begin(p);
  det_bash_stamps(st, heap);
  det_bash_entries(st, heap, read, read_ctx);
  det_bash_end(st, out);
}

/* imageset.c - a checkpoint's files by name: plain tar served in place,
 * compressed tar streamed once (small members in memory, large ones spooled
 * to one unlinked temporary file), or a directory mapped file by file.
 *
 * Archive rules (members are untrusted):
 *  - names are normalised ("./" and empty components dropped); an absolute
 *    name or a ".." component is an error, as is a name met twice;
 *  - directories are skipped; symlinks, hard links, devices, fifos and
 *    sockets are an error: no engine writes them at a checkpoint's top
 *    level, and a link could make one member stand for another;
 *  - CRIU images are "*.img" members at the top or in checkpoint/, known
 *    by their bare name; everything is also known by its full name, which
 *    is how top-level metadata ("config.dump") is found;
 *  - max_members, max_member_size, max_total_size and, for compressed
 *    input, max_ratio (see check_ratio) are checked while reading, so a
 *    bomb stops early; whole zero pages are not written to the spool.
 * Directories: the top level and checkpoint/ only, regular files only
 * (opened with O_NOFOLLOW); anything else is skipped with a warning.
 * Decompression filters are filters.h's only. Every file mapping is
 * guarded (mapguard.h): a file cut short while mapped reads as zeros and
 * ckpt_imageset_check() reports it; the spool's holes are anonymous
 * memory (cover_holes).
 */
#define _GNU_SOURCE /* SEEK_HOLE, SEEK_DATA */
#include "archive/imageset.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/filters.h"
#include "archive/mapguard.h"
#include "util/error.h"
#include "util/fsio.h"
#include "util/sha256.h"

#define SPOOL_ALIGN 4096
/* Below this many output bytes the ratio is not judged: headers and the
 * first compressed block alone can look like a high ratio. */
#define RATIO_GRACE (UINT64_C(1) << 20)
#define MAX_NAME_LEN 4096

typedef enum {
  WHERE_ARCHIVE, /* offset into the tar mapping */
  WHERE_HEAP,    /* own buffer */
  WHERE_SPOOL,   /* offset into the spool mapping */
  WHERE_FILE,    /* own mapping (directory mode) */
  WHERE_DROPPED, /* page data nobody reads: decompressed through, not kept */
} Where;

typedef struct {
  char *name; /* normalised full name */
  Where where;
  uint64_t off;
  uint64_t len;
  int64_t mtime;       /* seconds since the epoch, from the header; 0 unknown */
  uint8_t *own;        /* WHERE_HEAP: g_malloc'd; WHERE_FILE: mmap'd */
  CkptMapGuard *guard; /* WHERE_FILE: the mapping's SIGBUS guard */
  dev_t dev;           /* WHERE_FILE: the mapped file, to see it shrink */
  ino_t ino;
  const uint8_t *data;
} Member;

struct CkptImageSet {
  char *path;
  CkptSetFormat format;
  uint64_t archive_size;
  CkptLimits limits;
  uint8_t *map; /* plain tar: the whole file */
  size_t map_len;
  CkptMapGuard *map_guard;
  dev_t map_dev; /* the plain tar, to see it shrink */
  ino_t map_ino;
  int spool_fd;
  uint64_t spool_len;
  uint8_t *spool_map;
  CkptMapGuard *spool_guard;
  const char *spooling; /* name of the member being spooled, for errors */
  GPtrArray *members;   /* Member*, owned */
  GHashTable *by_name;  /* full name -> Member* */
  GHashTable *by_image; /* bare image name -> Member* */
  const char **image_names;
  GPtrArray *warnings; /* char*, NULL-ended on demand */
  uint64_t total;      /* bytes of all members */
  uint64_t heap;       /* bytes of members held in memory */
  uint64_t zeros;      /* spooled bytes left as holes: whole zero pages */
  /* chain of custody: hex sha256 of the checkpoint as read, and what was
   * hashed (ckpt_imageset_sha256) */
  char *sha256;
  const char *sha256_of;
  gboolean hash_dir; /* a directory: sha256 of its listing, when asked */
  unsigned keep;     /* CKPT_SET_KEEP_* the open was asked for */
  int hash_fd;       /* compressed input not hashed at open: hashed later */
  gboolean dropped;  /* some page data was not kept */
  gboolean rootfs_dropped; /* rootfs-diff.tar's data was not kept */
  GArray *zero_runs;       /* ZeroRun: those holes, sorted, merged, disjoint */
};

/* A run of whole zero pages the spool left as a hole, in spool offsets. */
typedef struct {
  uint64_t off, len;
} ZeroRun;

static const uint8_t empty_bytes[1];

/* ---- members --------------------------------------------------------- */

static void
member_free(gpointer p)
{
  Member *m = p;
  if (m->where == WHERE_HEAP)
    g_free(m->own);
  else if (m->where == WHERE_FILE && m->own != NULL) {
    ckpt_mapguard_remove(m->guard);
    munmap(m->own, m->len);
  }
  g_free(m->name);
  g_free(m);
}

/* A member name safe to print: escaped and cut short. */
static char *
display_name(const char *name)
{
  g_autofree char *cut = g_strndup(name, 200);
  return g_strescape(cut, NULL);
}

static void set_warn(CkptImageSet *set, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
set_warn(CkptImageSet *set, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  /* Bounded: a hostile directory must not grow this without end. */
  if (set->warnings->len < 1000)
    g_ptr_array_add(set->warnings, g_strdup_vprintf(fmt, ap));
  va_end(ap);
}

/* Normalises an archive member name. Returns NULL for a name to skip
 * silently (the archive root), or sets error for a hostile name. */
static char *
normalise_name(const char *path, const char *raw, GError **error)
{
  g_autofree char *shown = display_name(raw);
  if (strlen(raw) > MAX_NAME_LEN) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member name longer than %d bytes: %s", path, MAX_NAME_LEN,
                shown);
    return NULL;
  }
  if (raw[0] == '/') {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member has an absolute name: %s", path, shown);
    return NULL;
  }
  g_auto(GStrv) parts = g_strsplit(raw, "/", -1);
  g_autoptr(GString) out = g_string_new(NULL);
  for (char **p = parts; *p; p++) {
    if (**p == '\0' || strcmp(*p, ".") == 0)
      continue;
    if (strcmp(*p, "..") == 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                  "%s: member name climbs out with \"..\": %s", path, shown);
      return NULL;
    }
    if (out->len)
      g_string_append_c(out, '/');
    g_string_append(out, *p);
  }
  if (out->len == 0)
    return NULL;
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The bare image name a member is known by, or NULL when it is not a CRIU
 * image: "x.img" at the top or "checkpoint/x.img". */
static const char *
image_name_of(const char *name)
{
  const char *base = name;
  if (g_str_has_prefix(name, "checkpoint/"))
    base = name + strlen("checkpoint/");
  if (strchr(base, '/') != NULL || !g_str_has_suffix(base, ".img"))
    return NULL;
  return base;
}

static gboolean
check_member_size(CkptImageSet *set, const char *name, uint64_t size,
                  GError **error)
{
  if (size > set->limits.max_member_size) {
    g_autofree char *shown = display_name(name);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: member %s is %" G_GUINT64_FORMAT
                " bytes, over the max-member-size limit of %" G_GUINT64_FORMAT,
                set->path, shown, size, set->limits.max_member_size);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_total(CkptImageSet *set, uint64_t total, GError **error)
{
  if (total > set->limits.max_total_size) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: more than %" G_GUINT64_FORMAT
                " bytes of members (max-total-size limit)",
                set->path, set->limits.max_total_size);
    return FALSE;
  }
  return TRUE;
}

/* Registers a member under its full name and, for an image, its bare
 * name. Takes ownership of m, also on failure. */
static gboolean
add_member(CkptImageSet *set, Member *m, GError **error)
{
  g_ptr_array_add(set->members, m);
  if (set->members->len > set->limits.max_members) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: more than %" G_GUINT64_FORMAT
                " members (max-members limit)",
                set->path, set->limits.max_members);
    return FALSE;
  }
  g_autofree char *shown = display_name(m->name);
  if (g_hash_table_contains(set->by_name, m->name)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member %s appears twice", set->path, shown);
    return FALSE;
  }
  g_hash_table_insert(set->by_name, m->name, m);
  const char *img = image_name_of(m->name);
  if (img == NULL)
    return TRUE;
  if (g_hash_table_contains(set->by_image, img)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: image %s appears both at the top and in checkpoint/",
                set->path, shown);
    return FALSE;
  }
  g_hash_table_insert(set->by_image, (gpointer)img, m);
  return TRUE;
}

/* ---- the spool: one unlinked temporary file --------------------------- */

static gboolean
spool_open(CkptImageSet *set, GError **error)
{
  if (set->spool_fd >= 0)
    return TRUE;
  const char *dir = g_get_tmp_dir();
  int fd = -1;
#ifdef O_TMPFILE
  fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
#endif
  if (fd < 0) {
    g_autofree char *tmpl = g_build_filename(dir, "ckpt-spool-XXXXXX", NULL);
    fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
      unlink(tmpl);
  }
  if (fd < 0) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "%s: cannot create a temporary file in %s: %s", set->path, dir,
                g_strerror(e));
    return FALSE;
  }
  set->spool_fd = fd;
  return TRUE;
}

static gboolean
spool_write(CkptImageSet *set, uint64_t off, const void *buf, size_t n,
            GError **error)
{
  const uint8_t *p = buf;
  while (n > 0) {
    ssize_t w = pwrite(set->spool_fd, p, n, (off_t)off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? errno : ENOSPC;
      g_autofree char *shown = display_name(set->spooling ? set->spooling : "");
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                  "%s: member %s: writing the temporary file in %s at offset "
                  "%" G_GUINT64_FORMAT ": %s%s",
                  set->path, shown, g_get_tmp_dir(), off, g_strerror(e),
                  e == ENOSPC ? " (set TMPDIR to a larger file system)" : "");
      return FALSE;
    }
    p += w;
    off += (uint64_t)w;
    n -= (size_t)w;
  }
  return TRUE;
}

static gboolean
page_is_zero(const uint8_t *p)
{
  return p[0] == 0 && memcmp(p, p + 1, SPOOL_ALIGN - 1) == 0;
}

/* Records the zero page at spool offset pos. The spool is written in
 * order, so a page usually extends the last run; anything else is sorted
 * in by ckpt_imageset_zero_seal(). */
static void
zero_note(CkptImageSet *set, uint64_t pos)
{
  if (set->zero_runs == NULL)
    set->zero_runs = g_array_new(FALSE, FALSE, sizeof(ZeroRun));
  GArray *a = set->zero_runs;
  if (a->len > 0) {
    ZeroRun *last = &g_array_index(a, ZeroRun, a->len - 1);
    if (last->off + last->len == pos) {
      last->len += SPOOL_ALIGN;
      return;
    }
  }
  ZeroRun r = {pos, SPOOL_ALIGN};
  g_array_append_val(a, r);
}

static gint
zero_run_cmp(gconstpointer a, gconstpointer b)
{
  const ZeroRun *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off ? 1 : 0;
}

/* Sorts and merges the zero runs once the spool is complete. */
static void
zero_seal(CkptImageSet *set)
{
  GArray *a = set->zero_runs;
  if (a == NULL || a->len < 2)
    return;
  g_array_sort(a, zero_run_cmp);
  guint k = 0;
  for (guint i = 1; i < a->len; i++) {
    ZeroRun *last = &g_array_index(a, ZeroRun, k);
    const ZeroRun *r = &g_array_index(a, ZeroRun, i);
    if (r->off <= last->off + last->len)
      last->len = MAX(last->len, r->off + r->len - last->off);
    else
      g_array_index(a, ZeroRun, ++k) = *r;
  }
  g_array_set_size(a, k + 1);
}

/* Writes buf at off, leaving whole zero pages (aligned in the spool) as
 * holes: the spool is new and each byte is written at most once, so a
 * hole reads back as zeros. Memory full of zeros then costs no disk, and
 * set->zeros counts it apart for the ratio check. */
static gboolean
spool_store(CkptImageSet *set, uint64_t off, const uint8_t *buf, size_t n,
            GError **error)
{
  size_t i = 0;    /* next byte to look at */
  size_t from = 0; /* start of the pending non-zero span */
  while (i < n) {
    uint64_t pos = off + i;
    size_t head = (size_t)((SPOOL_ALIGN - pos % SPOOL_ALIGN) % SPOOL_ALIGN);
    if (head > 0 || n - i < SPOOL_ALIGN) {
      /* not a whole aligned page: always written */
      i += head > 0 ? MIN(head, n - i) : n - i;
      continue;
    }
    if (!page_is_zero(buf + i)) {
      i += SPOOL_ALIGN;
      continue;
    }
    if (i > from && !spool_write(set, off + from, buf + from, i - from, error))
      return FALSE;
    zero_note(set, pos);
    i += SPOOL_ALIGN;
    from = i;
    set->zeros += SPOOL_ALIGN;
  }
  return i <= from || spool_write(set, off + from, buf + from, i - from, error);
}

/* Dropped page data still counts its whole zero pages for the ratio check,
 * as the spool would have (a page split across two data blocks is counted
 * as data: the judgement errs on the side of refusing). */
static void
drop_count_zeros(CkptImageSet *set, uint64_t at, const uint8_t *buf, size_t n)
{
  size_t i = (size_t)((SPOOL_ALIGN - at % SPOOL_ALIGN) % SPOOL_ALIGN);
  for (; i < n && n - i >= SPOOL_ALIGN; i += SPOOL_ALIGN)
    if (page_is_zero(buf + i))
      set->zeros += SPOOL_ALIGN;
}

typedef struct {
  uint64_t off, len;
} Hole;

static gint
longer_first(gconstpointer a, gconstpointer b)
{
  const Hole *x = a, *y = b;
  return x->len < y->len ? 1 : x->len > y->len ? -1 : 0;
}

/* Reading a hole of a MAP_SHARED tmpfs file allocates a page of tmpfs per
 * page read: 3 GiB of zero memory would cost 3 GiB of RAM and, once the
 * tmpfs is full, SIGBUS. The spool's holes (found with SEEK_HOLE) are
 * mapped over with private anonymous read-only memory instead, which reads
 * as the shared zero page and allocates nothing. Each such mapping is a
 * kernel VMA, so only the MAX_HOLE_MAPS longest holes are covered; the
 * rest read from the spool, and the SIGBUS guard answers a fault there
 * with a zero page. */
#define MAX_HOLE_MAPS 16384

static void
cover_holes(CkptImageSet *set)
{
  g_autoptr(GArray) holes = g_array_new(FALSE, FALSE, sizeof(Hole));
  off_t at = 0;
  off_t size = (off_t)set->spool_len;
  while (at < size) {
    off_t hole = lseek(set->spool_fd, at, SEEK_HOLE);
    if (hole < 0 || hole >= size)
      break;
    off_t data = lseek(set->spool_fd, hole, SEEK_DATA);
    if (data < 0 || data > size)
      data = size; /* ENXIO: a hole to the end */
    uint64_t from =
        ((uint64_t)hole + SPOOL_ALIGN - 1) / SPOOL_ALIGN * SPOOL_ALIGN;
    uint64_t to = (uint64_t)data / SPOOL_ALIGN * SPOOL_ALIGN;
    if (to > from) {
      Hole h = {from, to - from};
      g_array_append_val(holes, h);
      if (holes->len >= 4 * MAX_HOLE_MAPS) {
        g_array_sort(holes, longer_first);
        g_array_set_size(holes, MAX_HOLE_MAPS);
      }
    }
    if (data <= hole)
      break;
    at = data;
  }
  g_array_sort(holes, longer_first);
  for (guint i = 0; i < holes->len && i < MAX_HOLE_MAPS; i++) {
    const Hole *h = &g_array_index(holes, Hole, i);
    if (mmap(set->spool_map + h->off, h->len, PROT_READ,
             MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
      break; /* out of VMAs: the guard covers the rest */
  }
}

static gboolean
spool_map(CkptImageSet *set, GError **error)
{
  if (set->spool_fd < 0 || set->spool_len == 0)
    return TRUE;
  /* Holes at the end of the last member must read as zeros. */
  if (ftruncate(set->spool_fd, (off_t)set->spool_len) != 0) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "%s: sizing the temporary file: %s", set->path, g_strerror(e));
    return FALSE;
  }
  void *p = mmap(NULL, set->spool_len, PROT_READ, MAP_SHARED, set->spool_fd, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "%s: mapping the temporary file: %s", set->path, g_strerror(e));
    return FALSE;
  }
  set->spool_map = p;
  zero_seal(set);
  cover_holes(set);
  set->spool_guard =
      ckpt_mapguard_add(set->spool_map, set->spool_len, CKPT_GUARD_HOLES);
  return TRUE;
}

/* ---- reading one member's data from libarchive ------------------------ */

typedef struct {
  CkptImageSet *set;
  struct archive *a;
  Member *m;
  uint64_t declared; /* size from the header */
  uint64_t seen;     /* data bytes delivered so far */
  gboolean compressed;
  uint64_t compressed_size; /* file size, for the ratio of plain input */
  /* A plain tar: how far into the mapping the data blocks handed out so
   * far reach. libarchive serves them in place and counts only what it
   * parsed, so its byte count misses a member's data while it is read. */
  uint64_t file_pos;
  /* Spooled members: the last, partial page of a data block, held until
   * the next block completes it, so that zero pages split across blocks
   * are still seen whole. */
  uint64_t carry_off; /* spool offset of carry[0], page-aligned */
  size_t carry_len;
  uint8_t carry[SPOOL_ALIGN];
} Reader;

/* Whether a member goes to the spool rather than the heap. */
static gboolean
wants_spool(const CkptImageSet *set, const char *name, uint64_t size)
{
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  if (size > set->limits.max_in_memory)
    return TRUE;
  /* Many small members of a bomb must not fill memory either. */
  if (set->heap + size > 16 * set->limits.max_in_memory)
    return TRUE;
  return size > 0 && ((g_str_has_prefix(base, "pages-") &&
                       g_str_has_suffix(base, ".img")) ||
                      strcmp(base, "rootfs-diff.tar") == 0);
}

static gboolean
is_pages_name(const char *name)
{
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  return g_str_has_prefix(base, "pages-") && g_str_has_suffix(base, ".img");
}

/* The engine's rootfs diff is a top-level member (Podman, CRI-O and
 * containerd all write it beside checkpoint/). */
static gboolean
is_rootfs_name(const char *name)
{
  return strcmp(name, "rootfs-diff.tar") == 0;
}

static gboolean
reader_prepare(Reader *r, gboolean in_place, GError **error)
{
  CkptImageSet *set = r->set;
  Member *m = r->m;
  m->len = r->declared;
  if (in_place) {
    m->where = WHERE_ARCHIVE;
    return TRUE;
  }
  if (!(set->keep & CKPT_SET_KEEP_PAGES) && r->declared > 0 &&
      is_pages_name(m->name)) {
    /* nobody reads page data: it is decompressed through (the tar goes on
     * after it) but neither spooled nor held */
    m->where = WHERE_DROPPED;
    set->dropped = TRUE;
    return TRUE;
  }
  if (!(set->keep & CKPT_SET_KEEP_ROOTFS) && r->declared > 0 &&
      is_rootfs_name(m->name)) {
    /* nobody reads the rootfs diff's files: the same, its size known */
    m->where = WHERE_DROPPED;
    set->rootfs_dropped = TRUE;
    return TRUE;
  }
  if (wants_spool(set, m->name, r->declared)) {
    if (!spool_open(set, error))
      return FALSE;
    set->spooling = m->name;
    m->where = WHERE_SPOOL;
    m->off = (set->spool_len + SPOOL_ALIGN - 1) / SPOOL_ALIGN * SPOOL_ALIGN;
    set->spool_len = m->off + r->declared;
    return TRUE;
  }
  m->where = WHERE_HEAP;
  m->own = r->declared ? g_malloc0(r->declared) : NULL;
  set->heap += r->declared;
  return TRUE;
}

static gboolean
reader_flush(Reader *r, GError **error)
{
  size_t n = r->carry_len;
  r->carry_len = 0;
  return n == 0 || spool_store(r->set, r->carry_off, r->carry, n, error);
}

/* Spools n bytes at spool offset pos, through the carry page. */
static gboolean
reader_spool(Reader *r, uint64_t pos, const uint8_t *buf, size_t n,
             GError **error)
{
  if (r->carry_len > 0 && pos != r->carry_off + r->carry_len &&
      !reader_flush(r, error))
    return FALSE;
  if (r->carry_len > 0) {
    size_t k = MIN(SPOOL_ALIGN - r->carry_len, n);
    memcpy(r->carry + r->carry_len, buf, k);
    r->carry_len += k;
    pos += k;
    buf += k;
    n -= k;
    if (r->carry_len == SPOOL_ALIGN && !reader_flush(r, error))
      return FALSE;
  }
  if (n == 0)
    return TRUE;
  uint64_t end = pos + n;
  size_t tail = (size_t)(end % SPOOL_ALIGN);
  if (tail > 0 && end - tail >= pos) {
    /* the last page starts on a page boundary inside buf: hold it */
    n -= tail;
    memcpy(r->carry, buf + n, tail);
    r->carry_off = end - tail;
    r->carry_len = tail;
  }
  return spool_store(r->set, pos, buf, n, error);
}

static gboolean
reader_store(Reader *r, uint64_t at, const void *buf, size_t n, GError **error)
{
  Member *m = r->m;
  if (n == 0)
    return TRUE;
  if (m->where == WHERE_HEAP) {
    memcpy(m->own + at, buf, n);
    return TRUE;
  }
  if (m->where == WHERE_DROPPED) {
    if (is_pages_name(m->name))
      drop_count_zeros(r->set, at, buf, n);
    return TRUE;
  }
  return reader_spool(r, m->off + at, buf, n, error);
}

/* The bytes did not sit contiguously in the mapping (a sparse member, or
 * libarchive handed a copy): move what was taken in place so far into a
 * buffer of its own and carry on copying. */
static gboolean
reader_leave_archive(Reader *r, GError **error)
{
  uint64_t start = r->m->off;
  if (!reader_prepare(r, FALSE, error))
    return FALSE;
  return reader_store(r, 0, r->set->map + start, r->seen, error);
}

/* A bomb stops early: past RATIO_GRACE bytes of non-zero output, that
 * output may not exceed max_ratio times the input read so far. Zero pages
 * (left as holes in the spool) cost no disk, and real checkpoints hold a
 * lot of them, so they count only once the whole output passes
 * ratio_floor; that bounds the time a bomb of zeros can take. The holes
 * of sparse members count as zero pages, in a plain tar too: there they
 * are the only way out to exceed the input (1 TiB in a 330 KB tar). */
static gboolean
check_ratio(Reader *r, GError **error)
{
  CkptImageSet *set = r->set;
  const CkptLimits *l = &set->limits;
  uint64_t out = set->total + r->seen;
  uint64_t data = out > set->zeros ? out - set->zeros : 0;
  gboolean all = out >= l->ratio_floor;
  uint64_t judged = all ? out : data;
  if (judged < RATIO_GRACE)
    return TRUE;
  int64_t in = archive_filter_bytes(r->a, -1);
  uint64_t in_u = in > 0 ? (uint64_t)in : 1;
  /* a plain tar's bytes up to the data seen are all input (a member of
   * 256 MiB read in place was judged against the 80 KB of headers before
   * it, and refused) */
  if (!r->compressed && r->file_pos > in_u)
    in_u = r->file_pos;
  if (judged / in_u < l->max_ratio)
    return TRUE;
  if (!r->compressed)
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: members add up to %" G_GUINT64_FORMAT
                " bytes (%" G_GUINT64_FORMAT
                " of them sparse holes) from %" G_GUINT64_FORMAT
                " bytes of tar, over the max-ratio limit of %" G_GUINT64_FORMAT
                " (raise --limit ratio-floor=N or max-ratio=N if the archive "
                "is trusted)",
                set->path, out, set->zeros, in_u, l->max_ratio);
  else if (all)
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: %" G_GUINT64_FORMAT " bytes (%" G_GUINT64_FORMAT
                " of them zero pages) decompressed from %" G_GUINT64_FORMAT
                ", over the max-ratio limit of %" G_GUINT64_FORMAT
                " past the ratio-floor of %" G_GUINT64_FORMAT
                " bytes (raise --limit ratio-floor=N or max-ratio=N if the "
                "archive is trusted)",
                set->path, out, set->zeros, in_u, l->max_ratio, l->ratio_floor);
  else
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: %" G_GUINT64_FORMAT
                " bytes of non-zero data decompressed from %" G_GUINT64_FORMAT
                ", over the max-ratio limit of %" G_GUINT64_FORMAT
                " (raise it with --limit max-ratio=N if the archive is "
                "trusted)",
                set->path, data, in_u, l->max_ratio);
  return FALSE;
}

static gboolean
archive_fail(CkptImageSet *set, struct archive *a, const char *what,
             GError **error)
{
  const char *msg = archive_error_string(a);
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT, "%s: %s: %s", set->path,
              what, msg ? msg : "unknown libarchive error");
  return FALSE;
}

static gboolean
reader_run(Reader *r, GError **error)
{
  CkptImageSet *set = r->set;
  Member *m = r->m;
  gboolean in_place = set->map != NULL;
  if (!reader_prepare(r, in_place, error))
    return FALSE;
  for (;;) {
    const void *buf = NULL;
    size_t n = 0;
    la_int64_t at = 0;
    int rc = archive_read_data_block(r->a, &buf, &n, &at);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN) {
      g_autofree char *shown = display_name(m->name);
      g_autofree char *what = g_strdup_printf("reading member %s", shown);
      return archive_fail(set, r->a, what, error);
    }
    if (at < 0 || (uint64_t)at < r->seen || n > r->declared ||
        (uint64_t)at > r->declared - n) {
      g_autofree char *shown = display_name(m->name);
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                  "%s: member %s: data block at offset %" G_GINT64_FORMAT
                  " lies outside its declared size %" G_GUINT64_FORMAT,
                  set->path, shown, (gint64)at, r->declared);
      return FALSE;
    }
    /* a block served in place lies wholly inside the mapped file */
    const uint8_t *b = buf;
    gboolean inside = set->map && b >= set->map && n <= set->map_len &&
                      (size_t)(b - set->map) <= set->map_len - n;
    if (!r->compressed && inside)
      r->file_pos = MAX(r->file_pos, (uint64_t)(b - set->map) + n);
    if (m->where == WHERE_ARCHIVE) {
      if (r->seen == 0 && at == 0 && inside)
        m->off = (uint64_t)(b - set->map);
      else if (!(inside && (uint64_t)at == r->seen &&
                 (uint64_t)(b - set->map) == m->off + r->seen)) {
        if (!reader_leave_archive(r, error))
          return FALSE;
      }
    }
    if (m->where != WHERE_ARCHIVE &&
        !reader_store(r, (uint64_t)at, buf, n, error))
      return FALSE;
    /* a sparse member's hole before this block */
    set->zeros += (uint64_t)at - r->seen;
    r->seen = (uint64_t)at + n;
    if (!check_member_size(set, m->name, r->seen, error) ||
        !check_total(set, set->total + r->seen, error) ||
        !check_ratio(r, error))
      return FALSE;
  }
  /* A member that is all hole (or empty) has no block: it is not in the
   * archive mapping, so give it a zeroed buffer. */
  if (m->where == WHERE_ARCHIVE && r->seen < r->declared &&
      !reader_leave_archive(r, error))
    return FALSE;
  if (!reader_flush(r, error))
    return FALSE;
  /* the trailing hole (a member that is all hole has no block at all) */
  if (r->seen < r->declared) {
    set->zeros += r->declared - r->seen;
    r->seen = r->declared;
    if (!check_ratio(r, error))
      return FALSE;
  }
  set->total += r->declared;
  return check_total(set, set->total, error);
}

/* ---- archives --------------------------------------------------------- */

static const char *
entry_kind(mode_t type)
{
  switch (type) {
  case AE_IFLNK:
    return "a symlink";
  case AE_IFCHR:
    return "a character device";
  case AE_IFBLK:
    return "a block device";
  case AE_IFIFO:
    return "a fifo";
  case AE_IFSOCK:
    return "a socket";
  default:
    return "not a regular file";
  }
}

/* Checks one header and returns the member to fill, NULL with error unset
 * for an entry to skip. */
static Member *
take_header(CkptImageSet *set, struct archive_entry *e, GError **error)
{
  const char *raw = archive_entry_pathname(e);
  if (raw == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member without a name", set->path);
    return NULL;
  }
  g_autofree char *name = normalise_name(set->path, raw, error);
  if (name == NULL)
    return NULL;
  g_autofree char *shown = display_name(name);
  mode_t type = archive_entry_filetype(e);
  if (archive_entry_hardlink(e) != NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member %s is a hard link", set->path, shown);
    return NULL;
  }
  if (type == AE_IFDIR)
    return NULL;
  if (type != AE_IFREG) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT, "%s: member %s is %s",
                set->path, shown, entry_kind(type));
    return NULL;
  }
  la_int64_t size = archive_entry_size(e);
  if (size < 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: member %s has a negative size", set->path, shown);
    return NULL;
  }
  if (!check_member_size(set, name, (uint64_t)size, error))
    return NULL;
  Member *m = g_new0(Member, 1);
  m->name = g_steal_pointer(&name);
  m->len = (uint64_t)size;
  if (archive_entry_mtime_is_set(e))
    m->mtime = (int64_t)archive_entry_mtime(e);
  return m;
}

static gboolean
read_archive(CkptImageSet *set, struct archive *a, gboolean compressed,
             GError **error)
{
  for (;;) {
    struct archive_entry *e = NULL;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF)
      return TRUE;
    if (rc < ARCHIVE_WARN)
      return archive_fail(set, a, "reading a member header", error);
    GError *local = NULL;
    Member *m = take_header(set, e, &local);
    if (m == NULL) {
      if (local) {
        g_propagate_error(error, local);
        return FALSE;
      }
      continue;
    }
    if (!add_member(set, m, error))
      return FALSE;
    Reader r = {.set = set,
                .a = a,
                .m = m,
                .declared = m->len,
                .compressed = compressed};
    if (!reader_run(&r, error))
      return FALSE;
  }
}

static struct archive *
new_tar_reader(gboolean filters)
{
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  if (filters)
    ckpt_filters_enable(a);
  return a;
}

static gboolean
open_plain_tar(CkptImageSet *set, int fd, GError **error)
{
  void *p = mmap(NULL, set->archive_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot map: %s",
                set->path, g_strerror(e));
    return FALSE;
  }
  set->map = p;
  set->map_len = set->archive_size;
  set->map_guard = ckpt_mapguard_add(set->map, set->map_len, CKPT_GUARD_FILE);
  struct archive *a = new_tar_reader(FALSE);
  gboolean ok;
  if (archive_read_open_memory(a, set->map, set->map_len) != ARCHIVE_OK)
    ok = archive_fail(set, a, "opening the tar", error);
  else
    ok = read_archive(set, a, FALSE, error);
  archive_read_free(a);
  /* hashed when first asked (ckpt_imageset_sha256): served in place, the
   * members' bytes are not read at open, and `ckpt list` never asks */
  return ok;
}

/* The compressed file's bytes as libarchive reads them, hashed on the
 * way: the checkpoint is hashed in the same single pass that decodes it,
 * on a second thread (SHA-256 costs about what zstd does), which takes
 * the buffers in turn: HASH_SLOTS of them, so that the reader fills one
 * while the hasher reads the others and libarchive still holds the last
 * one it was given. */
#define HASH_SLOTS 4
#define HASH_BUF (256 * 1024)

typedef struct {
  int fd;
  off_t at;
  CkptSha256 *sum; /* NULL: not hashed at open */
  GThread *thread; /* NULL: hashed inline (no thread could be made) */
  GMutex mu;
  GCond cv;
  guint64 posted, hashed; /* buffers handed to the hasher, hashed */
  gboolean done;          /* no more buffers */
  size_t len[HASH_SLOTS];
  uint8_t buf[HASH_SLOTS][HASH_BUF];
} HashSource;

static gpointer
hash_thread(gpointer data)
{
  HashSource *s = data;
  g_mutex_lock(&s->mu);
  for (;;) {
    while (s->hashed == s->posted && !s->done)
      g_cond_wait(&s->cv, &s->mu);
    if (s->hashed == s->posted)
      break;
    guint slot = (guint)(s->hashed % HASH_SLOTS);
    g_mutex_unlock(&s->mu);
    ckpt_sha256_update(s->sum, s->buf[slot], s->len[slot]);
    g_mutex_lock(&s->mu);
    s->hashed++;
    g_cond_broadcast(&s->cv);
  }
  g_mutex_unlock(&s->mu);
  return NULL;
}

/* The next buffer to fill: one the hasher is done with. */
static guint
hash_slot(HashSource *s)
{
  if (s->thread) {
    g_mutex_lock(&s->mu);
    while (s->posted - s->hashed >= HASH_SLOTS)
      g_cond_wait(&s->cv, &s->mu);
    g_mutex_unlock(&s->mu);
  }
  return (guint)(s->posted % HASH_SLOTS);
}

/* Hands n bytes just read into slot to the hash. */
static void
hash_post(HashSource *s, guint slot, size_t n)
{
  if (s->sum == NULL || n == 0)
    return;
  if (s->thread == NULL) {
    ckpt_sha256_update(s->sum, s->buf[slot], n);
    s->posted++;
    return;
  }
  g_mutex_lock(&s->mu);
  s->len[slot] = n;
  s->posted++;
  g_cond_broadcast(&s->cv);
  g_mutex_unlock(&s->mu);
}

/* Ends the hasher; the sum then holds every buffer posted. */
static void
hash_stop(HashSource *s)
{
  if (s->thread == NULL)
    return;
  g_mutex_lock(&s->mu);
  s->done = TRUE;
  g_cond_broadcast(&s->cv);
  g_mutex_unlock(&s->mu);
  g_thread_join(s->thread);
  s->thread = NULL;
}

static la_ssize_t
hash_read(struct archive *a, void *client, const void **out)
{
  HashSource *s = client;
  guint slot = hash_slot(s);
  ssize_t r = ckpt_fsio_pread(s->fd, s->buf[slot], HASH_BUF, s->at);
  if (r < 0) {
    archive_set_error(a, errno, "read failed");
    return -1;
  }
  s->at += r;
  hash_post(s, slot, (size_t)r);
  *out = s->buf[slot];
  return r;
}

/* Hashes what libarchive left unread after the end of the tar (padding,
 * trailing bytes), so the sum is of the whole file. */
static gboolean
hash_rest(CkptImageSet *set, HashSource *s, GError **error)
{
  for (;;) {
    guint slot = hash_slot(s);
    ssize_t r = ckpt_fsio_pread(s->fd, s->buf[slot], HASH_BUF, s->at);
    if (r < 0) {
      int e = errno;
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot read: %s",
                  set->path, g_strerror(e));
      return FALSE;
    }
    if (r == 0)
      return TRUE;
    s->at += r;
    hash_post(s, slot, (size_t)r);
  }
}

static gboolean
refuse_encoding(CkptImageSet *set, const char *what, GError **error)
{
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
              "%s: %s, which ckpt does not read", set->path, what);
  return FALSE;
}

static gboolean
open_compressed(CkptImageSet *set, int fd, GError **error)
{
  /* Under gzip or zstd may sit an encoding libarchive would hand to an
   * outside program or decode as text: name it rather than fail on it as
   * an unknown format. */
  const char *inside = ckpt_filters_refused_inside_fd(fd);
  if (inside != NULL)
    return refuse_encoding(set, inside, error);
  struct archive *a = new_tar_reader(TRUE);
  gboolean ok;
  int code = 0;
  off_t start = lseek(fd, 0, SEEK_CUR);
  g_autofree HashSource *src = g_new0(HashSource, 1);
  src->fd = fd;
  src->at = start > 0 ? start : 0;
  /* from offset 0 only: a descriptor handed in part-read is not hashed */
  gboolean hash_now = (set->keep & CKPT_SET_KEEP_HASH) && start == 0;
  src->sum = hash_now ? ckpt_sha256_new() : NULL;
  g_mutex_init(&src->mu);
  g_cond_init(&src->cv);
  if (hash_now)
    src->thread = g_thread_try_new("ckpt-sha256", hash_thread, src, NULL);
  if (archive_read_open(a, src, NULL, hash_read, NULL) != ARCHIVE_OK)
    ok = archive_fail(set, a, "opening the archive", error);
  else if (!ckpt_filters_chain_ok(a, &code)) {
    g_autofree char *what = g_strdup_printf("compressed with filter %d", code);
    ok = refuse_encoding(set, what, error);
  } else
    ok = read_archive(set, a, TRUE, error);
  archive_read_free(a);
  gboolean hashed = ok && hash_now && hash_rest(set, src, error);
  hash_stop(src);
  if (hashed) {
    set->sha256 = ckpt_sha256_finish(g_steal_pointer(&src->sum));
    set->sha256_of = "file";
  } else if (ok && !hash_now && start == 0) {
    /* hashed when first asked, from the file again */
    set->hash_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  }
  ckpt_sha256_free(src->sum);
  g_mutex_clear(&src->mu);
  g_cond_clear(&src->cv);
  return ok;
}

/* ---- directories ------------------------------------------------------ */

static gboolean
map_dir_file(CkptImageSet *set, int dfd, const char *entry, const char *name,
             GError **error)
{
  int fd = openat(dfd, entry,
                  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    set_warn(set, "%s: skipped %s: %s", set->path, name, g_strerror(errno));
    return TRUE;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    set_warn(set, "%s: skipped %s: not a regular file", set->path, name);
    return TRUE;
  }
  Member *m = g_new0(Member, 1);
  m->name = g_strdup(name);
  m->where = WHERE_FILE;
  m->len = (uint64_t)st.st_size;
  m->mtime = (int64_t)st.st_mtime;
  m->dev = st.st_dev;
  m->ino = st.st_ino;
  if (!add_member(set, m, error) ||
      !check_member_size(set, name, m->len, error) ||
      !check_total(set, set->total + m->len, error)) {
    close(fd);
    return FALSE;
  }
  set->total += m->len;
  if (m->len > 0) {
    void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      close(fd);
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot map %s: %s",
                  set->path, name, g_strerror(e));
      return FALSE;
    }
    m->own = p;
    m->guard = ckpt_mapguard_add(p, m->len, CKPT_GUARD_FILE);
  }
  close(fd);
  return TRUE;
}

/* Reads one directory level; subdir names checkpoint/ when it is the
 * Podman layout's image folder (walked once, never deeper). */
static gboolean
read_dir_level(CkptImageSet *set, int dfd, const char *prefix, GError **error)
{
  DIR *d = ckpt_fsio_opendir_fd(dfd);
  if (d == NULL) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot list %s: %s",
                set->path, prefix ? prefix : ".", g_strerror(e));
    return FALSE;
  }
  gboolean ok = TRUE;
  struct dirent *de;
  while (ok && (de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    g_autofree char *name = prefix ? g_strconcat(prefix, "/", de->d_name, NULL)
                                   : g_strdup(de->d_name);
    struct stat st;
    if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      set_warn(set, "%s: skipped %s: %s", set->path, name, g_strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (prefix != NULL || strcmp(de->d_name, "checkpoint") != 0)
        continue;
      int sub = openat(dfd, de->d_name,
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) {
        set_warn(set, "%s: skipped %s: %s", set->path, name, g_strerror(errno));
        continue;
      }
      ok = read_dir_level(set, sub, "checkpoint", error);
      close(sub);
    } else if (S_ISREG(st.st_mode)) {
      ok = map_dir_file(set, dfd, de->d_name, name, error);
    } else {
      set_warn(set, "%s: skipped %s: not a regular file", set->path, name);
    }
  }
  closedir(d);
  return ok;
}

static int
member_name_cmp(gconstpointer a, gconstpointer b)
{
  const Member *x = *(const Member *const *)a, *y = *(const Member *const *)b;
  return strcmp(x->name, y->name);
}

/* A directory has no one file to hash: its sum is that of the listing
 * `sha256sum` would print of the files read (the top level and
 * checkpoint/, names sorted bytewise), "HEX  NAME" lines. */
static void
hash_dir(CkptImageSet *set)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  for (guint i = 0; i < set->members->len; i++)
    g_ptr_array_add(sorted, g_ptr_array_index(set->members, i));
  g_ptr_array_sort(sorted, member_name_cmp);
  CkptSha256 *list = ckpt_sha256_new();
  for (guint i = 0; i < sorted->len; i++) {
    const Member *m = g_ptr_array_index(sorted, i);
    g_autofree char *hex =
        ckpt_sha256_data(m->own ? m->own : empty_bytes, m->own ? m->len : 0);
    g_autofree char *line = g_strdup_printf("%s  %s\n", hex, m->name);
    ckpt_sha256_update(list, line, strlen(line));
  }
  set->sha256 = ckpt_sha256_finish(list);
  set->sha256_of = "directory listing";
}

static gboolean
open_dir(CkptImageSet *set, int fd, GError **error)
{
  if (!read_dir_level(set, fd, NULL, error))
    return FALSE;
  set->archive_size = set->total;
  set->hash_dir = TRUE; /* when first asked, as for a plain tar */
  return TRUE;
}

/* ---- detection and the public interface -------------------------------- */

static gboolean
has_magic(const uint8_t *head, size_t n, const char *magic, size_t mlen)
{
  return n >= mlen && memcmp(head, magic, mlen) == 0;
}

/* Tells the format from the first bytes. Returns FALSE for unknown. */
static gboolean
detect_format(const uint8_t *head, size_t n, CkptSetFormat *fmt,
              gboolean *plain)
{
  *plain = FALSE;
  if (has_magic(head, n, "\x1f\x8b", 2)) {
    *fmt = CKPT_SET_TAR_GZIP;
  } else if (has_magic(head, n, "\x28\xb5\x2f\xfd", 4)) {
    *fmt = CKPT_SET_TAR_ZSTD;
  } else if (has_magic(head, n,
                       "\xfd"
                       "7zXZ\x00",
                       6) ||
             has_magic(head, n, "BZh", 3) ||
             has_magic(head, n, "\x04\x22\x4d\x18", 4) ||
             has_magic(head, n, "\x5d\x00\x00", 3)) {
    *fmt = CKPT_SET_TAR_OTHER;
  } else if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0) {
    *fmt = CKPT_SET_TAR;
    *plain = TRUE;
  } else {
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_head(int fd, uint8_t *buf, size_t cap, size_t *n)
{
  size_t got = 0;
  while (got < cap) {
    ssize_t r = ckpt_fsio_pread(fd, buf + got, cap - got, (off_t)got);
    if (r < 0)
      return FALSE;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  *n = got;
  return TRUE;
}

static gboolean
open_file(CkptImageSet *set, int fd, const struct stat *st, GError **error)
{
  uint8_t head[512];
  size_t n = 0;
  set->archive_size = (uint64_t)st->st_size;
  set->map_dev = st->st_dev;
  set->map_ino = st->st_ino;
  if (!read_head(fd, head, sizeof(head), &n)) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot read: %s",
                set->path, g_strerror(e));
    return FALSE;
  }
  if (n == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT, "%s: empty file",
                set->path);
    return FALSE;
  }
  gboolean plain = FALSE;
  if (!detect_format(head, n, &set->format, &plain)) {
    const char *what = ckpt_filters_refused(head, n);
    if (what != NULL)
      return refuse_encoding(set, what, error);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: not a checkpoint: neither a tar, a compressed tar nor a "
                "directory",
                set->path);
    return FALSE;
  }
  if (plain)
    return open_plain_tar(set, fd, error);
  return open_compressed(set, fd, error);
}

static void
resolve_members(CkptImageSet *set)
{
  for (guint i = 0; i < set->members->len; i++) {
    Member *m = g_ptr_array_index(set->members, i);
    const uint8_t *p = NULL;
    switch (m->where) {
    case WHERE_ARCHIVE:
      p = set->map + m->off;
      break;
    case WHERE_SPOOL:
      p = set->spool_map ? set->spool_map + m->off : NULL;
      break;
    case WHERE_HEAP:
    case WHERE_FILE:
      p = m->own;
      break;
    case WHERE_DROPPED:
      m->data = NULL; /* its bytes were not kept: ckpt_imageset_image() */
      continue;
    }
    m->data = (p != NULL && m->len > 0) ? p : empty_bytes;
  }
}

static int
compare_names(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
list_images(CkptImageSet *set)
{
  guint n = g_hash_table_size(set->by_image);
  set->image_names = g_new0(const char *, n + 1);
  GHashTableIter it;
  gpointer key;
  guint i = 0;
  g_hash_table_iter_init(&it, set->by_image);
  while (g_hash_table_iter_next(&it, &key, NULL))
    set->image_names[i++] = key;
  qsort(set->image_names, n, sizeof(char *), compare_names);
}

/* A directory is a bare checkpoint when it holds CRIU's first images, at
 * the top (criu dump -D) or in checkpoint/ (an unpacked Podman export). */
static gboolean
dir_has_images(int dfd)
{
  static const char *const names[] = {"inventory.img", "pstree.img",
                                      "checkpoint/inventory.img",
                                      "checkpoint/pstree.img"};
  struct stat st;
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode))
      return TRUE;
  return FALSE;
}

gboolean
ckpt_imageset_sniff_fd(int fd, CkptSetFormat *format)
{
  struct stat st;
  if (fstat(fd, &st) != 0)
    return FALSE;
  if (S_ISDIR(st.st_mode)) {
    *format = CKPT_SET_DIR;
    return dir_has_images(fd);
  }
  if (!S_ISREG(st.st_mode))
    return FALSE;
  uint8_t head[512];
  size_t n = 0;
  gboolean plain = FALSE;
  return read_head(fd, head, sizeof(head), &n) &&
         detect_format(head, n, format, &plain);
}

CkptImageSet *
ckpt_imageset_open(const char *path, const CkptLimits *limits, GError **error)
{
  return ckpt_imageset_open_keep(path, limits, CKPT_SET_KEEP_ALL, error);
}

CkptImageSet *
ckpt_imageset_open_fd(int fd, const char *path, const CkptLimits *limits,
                      GError **error)
{
  return ckpt_imageset_open_fd_keep(fd, path, limits, CKPT_SET_KEEP_ALL, error);
}

CkptImageSet *
ckpt_imageset_open_keep(const char *path, const CkptLimits *limits,
                        unsigned keep, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, CKPT_ERROR,
                e == ENOENT ? CKPT_ERROR_MISSING : CKPT_ERROR_IO,
                "%s: cannot open: %s", path, g_strerror(e));
    return NULL;
  }
  CkptImageSet *set = ckpt_imageset_open_fd_keep(fd, path, limits, keep, error);
  close(fd);
  return set;
}

CkptImageSet *
ckpt_imageset_open_fd_keep(int fd, const char *path, const CkptLimits *limits,
                           unsigned keep, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);

  g_autoptr(CkptImageSet) set = g_new0(CkptImageSet, 1);
  set->path = g_strdup(path);
  set->spool_fd = -1;
  set->hash_fd = -1;
  set->keep = keep;
  if (limits)
    set->limits = *limits;
  else
    ckpt_limits_init(&set->limits);
  set->members = g_ptr_array_new_with_free_func(member_free);
  set->by_name = g_hash_table_new(g_str_hash, g_str_equal);
  set->by_image = g_hash_table_new(g_str_hash, g_str_equal);
  set->warnings = g_ptr_array_new_with_free_func(g_free);

  struct stat st;
  gboolean ok;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot stat: %s", path,
                g_strerror(e));
    ok = FALSE;
  } else if (S_ISDIR(st.st_mode)) {
    set->format = CKPT_SET_DIR;
    ok = open_dir(set, fd, error);
  } else if (S_ISREG(st.st_mode)) {
    ok = open_file(set, fd, &st, error);
  } else {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: neither a regular file nor a directory", path);
    ok = FALSE;
  }
  /* Compressed members, and plain-tar members that were not contiguous,
   * were spooled. */
  if (!ok || !spool_map(set, error))
    return NULL;
  resolve_members(set);
  list_images(set);
  g_ptr_array_add(set->warnings, NULL);
  return g_steal_pointer(&set);
}

void
ckpt_imageset_free(CkptImageSet *set)
{
  if (set == NULL)
    return;
  if (set->by_name)
    g_hash_table_unref(set->by_name);
  if (set->by_image)
    g_hash_table_unref(set->by_image);
  if (set->members)
    g_ptr_array_unref(set->members);
  if (set->warnings)
    g_ptr_array_unref(set->warnings);
  g_free(set->image_names);
  if (set->zero_runs)
    g_array_unref(set->zero_runs);
  ckpt_mapguard_remove(set->map_guard);
  ckpt_mapguard_remove(set->spool_guard);
  if (set->map)
    munmap(set->map, set->map_len);
  if (set->spool_map)
    munmap(set->spool_map, set->spool_len);
  if (set->spool_fd >= 0)
    close(set->spool_fd);
  if (set->hash_fd >= 0)
    close(set->hash_fd);
  g_free(set->path);
  g_free(set->sha256);
  g_free(set);
}

gboolean
ckpt_imageset_data_next(const CkptImageSet *set, const uint8_t *data,
                        size_t len, size_t *off, size_t *n)
{
  g_return_val_if_fail(set != NULL && off != NULL && n != NULL, FALSE);
  if (*off >= len)
    return FALSE;
  GArray *a = set->zero_runs;
  const uint8_t *sp = set->spool_map;
  if (a == NULL || a->len == 0 || sp == NULL || data < sp ||
      data >= sp + set->spool_len || len > set->spool_len ||
      (uint64_t)(data - sp) > set->spool_len - len) {
    *n = len - *off; /* not in the spool, or no zero run there */
    return TRUE;
  }
  uint64_t at = (uint64_t)(data - sp) + *off, end = (uint64_t)(data - sp) + len;
  /* first run ending after at */
  guint lo = 0, hi = a->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    const ZeroRun *r = &g_array_index(a, ZeroRun, mid);
    if (r->off + r->len <= at)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < a->len) {
    const ZeroRun *r = &g_array_index(a, ZeroRun, lo);
    if (r->off <= at) { /* at is inside a zero run: skip it */
      at = r->off + r->len;
      if (at >= end) {
        *off = len;
        return FALSE;
      }
      lo++;
    }
  }
  uint64_t stop = end;
  if (lo < a->len)
    stop = MIN(stop, g_array_index(a, ZeroRun, lo).off);
  *off = (size_t)(at - (uint64_t)(data - sp));
  *n = (size_t)(stop - at);
  return TRUE;
}

gboolean
ckpt_imageset_pages_kept(const CkptImageSet *set)
{
  return !set->dropped;
}

gboolean
ckpt_imageset_rootfs_kept(const CkptImageSet *set)
{
  return !set->rootfs_dropped;
}

CkptSetFormat
ckpt_imageset_format(const CkptImageSet *set)
{
  return set->format;
}

const char *
ckpt_imageset_path(const CkptImageSet *set)
{
  return set->path;
}

uint64_t
ckpt_imageset_archive_size(const CkptImageSet *set)
{
  return set->archive_size;
}

const char *
ckpt_imageset_sha256(CkptImageSet *set, const char **of)
{
  if (set->sha256 == NULL && set->map != NULL) {
    /* the one full read of a plain tar (a file cut short meanwhile reads
     * as zeros past its end, and ckpt_imageset_check() says so) */
    set->sha256 = ckpt_sha256_data(set->map, set->map_len);
    set->sha256_of = "file";
  } else if (set->sha256 == NULL && set->hash_dir) {
    hash_dir(set);
  } else if (set->sha256 == NULL && set->hash_fd >= 0) {
    /* compressed input opened without CKPT_SET_KEEP_HASH: one more read
     * of the file (NULL if that fails) */
    set->sha256 = ckpt_sha256_fd(set->hash_fd, 0);
    set->sha256_of = "file";
    close(set->hash_fd);
    set->hash_fd = -1;
  }
  if (of)
    *of = set->sha256 ? set->sha256_of : NULL;
  return set->sha256;
}

static gboolean
lookup(GHashTable *table, const char *name, const uint8_t **data, size_t *len)
{
  Member *m = g_hash_table_lookup(table, name);
  if (m == NULL)
    return FALSE;
  if (data)
    *data = m->data;
  if (len)
    *len = (size_t)m->len;
  return TRUE;
}

gboolean
ckpt_imageset_image(const CkptImageSet *set, const char *name,
                    const uint8_t **data, size_t *len)
{
  g_return_val_if_fail(set != NULL && name != NULL, FALSE);
  return lookup(set->by_image, name, data, len);
}

gboolean
ckpt_imageset_meta(const CkptImageSet *set, const char *name,
                   const uint8_t **data, size_t *len)
{
  g_return_val_if_fail(set != NULL && name != NULL, FALSE);
  return lookup(set->by_name, name, data, len);
}

int64_t
ckpt_imageset_mtime(const CkptImageSet *set, const char *name)
{
  g_return_val_if_fail(set != NULL && name != NULL, 0);
  Member *m = g_hash_table_lookup(set->by_image, name);
  if (m == NULL)
    m = g_hash_table_lookup(set->by_name, name);
  return m && m->mtime > 0 ? m->mtime : 0;
}

const char *const *
ckpt_imageset_image_names(const CkptImageSet *set)
{
  return (const char *const *)set->image_names;
}

const char *const *
ckpt_imageset_warnings(const CkptImageSet *set)
{
  return (const char *const *)set->warnings->pdata;
}

uint64_t
ckpt_imageset_size_under(const CkptImageSet *set, const char *prefix)
{
  g_return_val_if_fail(set != NULL && prefix != NULL, 0);
  uint64_t total = 0;
  for (guint i = 0; i < set->members->len; i++) {
    const Member *m = g_ptr_array_index(set->members, i);
    /* each member's size was checked against max-total-size on the way
     * in, so the sum cannot wrap */
    if (g_str_has_prefix(m->name, prefix))
      total += m->len;
  }
  return total;
}

/* Whether the file at path, mapped for len bytes, is still that file and
 * now shorter. The guard sees a cut only when a read faults in our
 * handler; libyara catches SIGBUS itself while it scans (and gives up on
 * the block), so the size is looked at too. */
static gboolean
shrank(const char *path, dev_t dev, ino_t ino, uint64_t len)
{
  struct stat st;
  return stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino &&
         (uint64_t)st.st_size < len;
}

gboolean
ckpt_imageset_check(const CkptImageSet *set, GError **error)
{
  g_return_val_if_fail(set != NULL, FALSE);
  if (ckpt_mapguard_cut(set->map_guard) ||
      (set->map != NULL &&
       shrank(set->path, set->map_dev, set->map_ino, set->map_len))) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "%s: the file was cut short while ckpt read it (read as "
                "zeros past its new end)",
                set->path);
    return FALSE;
  }
  for (guint i = 0; i < set->members->len; i++) {
    const Member *m = g_ptr_array_index(set->members, i);
    if (m->where != WHERE_FILE || m->own == NULL)
      continue;
    g_autofree char *file = g_build_filename(set->path, m->name, NULL);
    if (!ckpt_mapguard_cut(m->guard) && !shrank(file, m->dev, m->ino, m->len))
      continue;
    g_autofree char *shown = display_name(m->name);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "%s: %s was cut short while ckpt read it (read as zeros "
                "past its new end)",
                set->path, shown);
    return FALSE;
  }
  return TRUE;
}

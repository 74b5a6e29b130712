/* diff.c - the regular files of the rootfs diff (rootfs-diff.tar: what the
 * container changed in its root file system), read from the image set's
 * bytes with libarchive, never extracted. Podman and CRI-O write a plain
 * tar, containerd a gzip'ed one; both are read the same way.
 *
 * Everything in the diff is untrusted: names are only text for display
 * (made valid UTF-8, control characters replaced, "/"-rooted), links and
 * special files are skipped, each file is read up to the caller's limit,
 * and the walk stops (with a warning in the model) at max-members entries,
 * max-total-size bytes or the max-ratio limit (compressed, or sparse
 * entries whose holes expand a plain tar).
 *
 * The "all" walk (ckpt_diff_iter_new_all, for `ckpt rootfs`) yields every
 * member instead, links and whiteouts included (without data), describes
 * each (ckpt_diff_iter_entry: owner, mode, mtime, link target) and hashes
 * regular files to their end in chunks, so a file larger than max_bytes is
 * hashed whole without being held whole.
 */
#include "model/model.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <string.h>

#include "archive/filters.h"
#include "util/sha256.h"

#define DEFAULT_MAX_BYTES (UINT64_C(64) << 20)
#define MAX_PATH_SHOWN 4096

struct CkptFileIter {
  CkptCheckpoint *c;
  struct archive *a; /* NULL when there is nothing (more) to read */
  uint64_t max_bytes;
  uint64_t n_entries;
  uint64_t expanded; /* declared sizes of the entries so far, holes in */
  size_t compressed_len;
  uint8_t *buf;
  size_t cap;
  char *path;
  /* the "all" walk */
  gboolean all;
  gboolean have_entry;
  CkptDiffEntryInfo entry;
  char *link, *uname, *gname, *sha256;
  /* why the walk stopped before the diff's end, or NULL */
  char *error;
};

/* Stops counting on the rest of the diff: warns and keeps the first
 * reason, which ckpt_diff_iter_error() tells the caller (a listing that
 * ends early must not read as a whole one). */
static void iter_fail(CkptFileIter *it, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void
iter_fail(CkptFileIter *it, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  ckpt_model_warn(it->c, "%s", msg);
  if (it->error == NULL)
    it->error = g_steal_pointer(&msg);
}

CkptFileIter *
ckpt_diff_iter_new(CkptCheckpoint *c, uint64_t max_bytes)
{
  g_return_val_if_fail(c != NULL, NULL);
  CkptFileIter *it = g_new0(CkptFileIter, 1);
  it->c = c;
  it->max_bytes = max_bytes ? max_bytes : DEFAULT_MAX_BYTES;
  const uint8_t *data;
  size_t len;
  if (!ckpt_imageset_meta(c->images, "rootfs-diff.tar", &data, &len) ||
      len == 0)
    return it;
  if (!ckpt_imageset_rootfs_kept(c->images)) {
    /* dropped at open: no plugin of the chain declared the rootfs diff;
     * say so (once per checkpoint) rather than walk it as empty */
    const char *why = "rootfs-diff.tar: a plugin read the rootfs diff but no "
                      "plugin of the chain declares CKPT_READS_ROOTFS: it "
                      "was not kept at open";
    if (g_atomic_int_compare_and_exchange(&c->rootfs_dropped_said, 0, 1))
      iter_fail(it, "%s", why);
    else
      it->error = g_strdup(why);
    return it;
  }
  it->compressed_len = len;
  const char *inside = ckpt_filters_refused_inside(data, len);
  if (inside != NULL) {
    iter_fail(it, "rootfs-diff.tar: %s, which ckpt does not read", inside);
    return it;
  }
  it->a = archive_read_new();
  archive_read_support_format_tar(it->a);
  archive_read_support_format_gnutar(it->a);
  ckpt_filters_enable(it->a);
  if (archive_read_open_memory(it->a, data, len) != ARCHIVE_OK) {
    iter_fail(it, "rootfs-diff.tar: cannot open: %s",
              archive_error_string(it->a));
    archive_read_free(it->a);
    it->a = NULL;
  }
  return it;
}

static void
iter_stop(CkptFileIter *it)
{
  if (it->a)
    archive_read_free(it->a);
  it->a = NULL;
}

CkptFileIter *
ckpt_diff_iter_new_all(CkptCheckpoint *c, uint64_t max_bytes)
{
  CkptFileIter *it = ckpt_diff_iter_new(c, max_bytes);
  if (it)
    it->all = TRUE;
  return it;
}

const CkptDiffEntryInfo *
ckpt_diff_iter_entry(CkptFileIter *it)
{
  return it && it->have_entry ? &it->entry : NULL;
}

/* A member name as display text: "/"-rooted, valid UTF-8, no control
 * characters, bounded. Never used as a path. */
static char *
display_path(const char *raw)
{
  while (raw[0] == '.' && raw[1] == '/')
    raw += 2;
  g_autofree char *cut = g_strndup(raw, MAX_PATH_SHOWN);
  g_autofree char *valid = g_utf8_make_valid(cut, -1);
  for (char *p = valid; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return valid[0] == '/' ? g_strdup(valid) : g_strconcat("/", valid, NULL);
}

/* Stops the walk when the diff decompresses to more than the limits
 * allow: a bomb inside a checkpoint costs no more than one outside. */
static gboolean
within_limits(CkptFileIter *it)
{
  const CkptLimits *l = &it->c->limits;
  int64_t out = archive_filter_bytes(it->a, 0);
  uint64_t out_u = out > 0 ? (uint64_t)out : 0;
  if (++it->n_entries > l->max_members) {
    iter_fail(it,
              "rootfs-diff.tar: more than %" G_GUINT64_FORMAT
              " entries (max-members limit), rest skipped",
              l->max_members);
    return FALSE;
  }
  if (out_u > l->max_total_size ||
      (archive_filter_count(it->a) > 1 && out_u > (UINT64_C(1) << 20) &&
       out_u / (it->compressed_len ? it->compressed_len : 1) >= l->max_ratio)) {
    iter_fail(it,
              "rootfs-diff.tar: %" G_GUINT64_FORMAT
              " bytes decompressed from %zu (max-total-size or "
              "max-ratio limit), rest skipped",
              out_u, it->compressed_len);
    return FALSE;
  }
  return TRUE;
}

/* The next header call skips this entry's data, decompressing it: judge
 * its declared size before that happens. Sizes are what entries expand
 * to: a sparse entry's holes are read back as zeros and scanned like
 * data, so 2000 sparse 60 MiB files in a 2.4 MB tar go past max-ratio
 * even though the tar is not compressed. As zero pages in the image set,
 * holes count in max-ratio once past ratio-floor: a real sparse file (a
 * preallocated database) is not a bomb. Data that decompresses is judged
 * from the first MiB on (within_limits). */
static gboolean
entry_within_limits(CkptFileIter *it, uint64_t size)
{
  const CkptLimits *l = &it->c->limits;
  int64_t out = archive_filter_bytes(it->a, 0);
  uint64_t end = MAX(out > 0 ? (uint64_t)out : 0, it->expanded);
  end = size > UINT64_MAX - end ? UINT64_MAX : end + size;
  uint64_t in = it->compressed_len ? it->compressed_len : 1;
  if (size > l->max_member_size || end > l->max_total_size ||
      (end > MAX(UINT64_C(1) << 20, l->ratio_floor) &&
       end / in >= l->max_ratio)) {
    iter_fail(it,
              "rootfs-diff.tar: an entry of %" G_GUINT64_FORMAT
              " bytes goes past the max-member-size, max-total-size "
              "or max-ratio limit, rest skipped",
              size);
    return FALSE;
  }
  return TRUE;
}

/* Zeros into sum: a sparse entry's hole as its readers see it. */
static void
hash_zeros(CkptSha256 *sum, uint64_t n)
{
  static const uint8_t zeros[65536];
  while (n > 0) {
    size_t k = (size_t)MIN(n, (uint64_t)sizeof zeros);
    ckpt_sha256_update(sum, zeros, k);
    n -= k;
  }
}

/* Reads up to want bytes of the current entry into the buffer, block by
 * block: a sparse entry's holes between blocks read as zeros, and *got
 * ends with its last data block, so a trailing hole (all of a 60 MiB
 * file but one byte) is not handed to scanners as data. With sum, every
 * block of the entry is read (past want too) and hashed, holes as zeros,
 * up to full bytes; *hashed says how many. */
static gboolean
read_data(CkptFileIter *it, size_t want, size_t *got, CkptSha256 *sum,
          uint64_t full, uint64_t *hashed)
{
  if (want > it->cap) {
    it->buf = g_realloc(it->buf, want);
    it->cap = want;
  }
  *got = 0;
  uint64_t pos = 0; /* hashed so far */
  for (;;) {
    if (!sum && *got >= want)
      break;
    const void *block = NULL;
    size_t n = 0;
    la_int64_t at = 0;
    int rc = archive_read_data_block(it->a, &block, &n, &at);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN || at < 0 || (uint64_t)at < pos)
      return FALSE; /* blocks come in order; an overlap is corrupt */
    if (sum) {
      uint64_t end = MIN((uint64_t)at + n, full);
      if ((uint64_t)at < end) {
        hash_zeros(sum, (uint64_t)at - pos);
        ckpt_sha256_update(sum, block, (size_t)(end - (uint64_t)at));
        pos = end;
      }
    }
    if ((uint64_t)at >= want)
      continue;
    size_t off = (size_t)at;
    if (off < *got)
      return FALSE;
    size_t k = MIN(n, want - off);
    memset(it->buf + *got, 0, off - *got);
    memcpy(it->buf + off, block, k);
    *got = off + k;
  }
  if (sum) {
    hash_zeros(sum, full - pos); /* a trailing hole */
    *hashed = full;
  }
  return TRUE;
}

static CkptDiffKind
kind_of(struct archive_entry *e)
{
  if (archive_entry_hardlink(e) != NULL)
    return CKPT_DIFF_HARDLINK;
  switch (archive_entry_filetype(e)) {
  case AE_IFREG:
    return CKPT_DIFF_REG;
  case AE_IFDIR:
    return CKPT_DIFF_DIR;
  case AE_IFLNK:
    return CKPT_DIFF_SYMLINK;
  case AE_IFCHR:
    return CKPT_DIFF_CHR;
  case AE_IFBLK:
    return CKPT_DIFF_BLK;
  case AE_IFIFO:
    return CKPT_DIFF_FIFO;
  case AE_IFSOCK:
    return CKPT_DIFF_SOCK;
  default:
    return CKPT_DIFF_OTHER;
  }
}

/* The description of entry e for the "all" walk; names are display text
 * ("/"-rooted like paths, which is also how a link target reads). */
static void
describe(CkptFileIter *it, struct archive_entry *e, uint64_t full)
{
  g_free(it->link);
  g_free(it->uname);
  g_free(it->gname);
  g_clear_pointer(&it->sha256, g_free);
  const char *target = archive_entry_hardlink(e);
  if (target == NULL && archive_entry_filetype(e) == AE_IFLNK)
    target = archive_entry_symlink(e);
  it->link = target ? g_utf8_make_valid(target,
                                        (gssize)strnlen(target, MAX_PATH_SHOWN))
                    : NULL;
  for (char *p = it->link; p && *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  const char *un = archive_entry_uname(e), *gn = archive_entry_gname(e);
  it->uname =
      un && *un ? g_utf8_make_valid(un, (gssize)strnlen(un, 256)) : NULL;
  it->gname =
      gn && *gn ? g_utf8_make_valid(gn, (gssize)strnlen(gn, 256)) : NULL;
  la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
  it->entry = (CkptDiffEntryInfo){
      .size = sizeof(CkptDiffEntryInfo),
      .path = it->path,
      .kind = kind_of(e),
      .mode = (uint32_t)archive_entry_perm(e) & 07777u,
      .uid = uid >= 0 && uid <= G_MAXUINT32 ? (uint32_t)uid : UINT32_MAX,
      .gid = gid >= 0 && gid <= G_MAXUINT32 ? (uint32_t)gid : UINT32_MAX,
      .uname = it->uname,
      .gname = it->gname,
      .mtime =
          archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0,
      .link = it->link,
      .rdev_major = (uint32_t)archive_entry_rdevmajor(e),
      .rdev_minor = (uint32_t)archive_entry_rdevminor(e),
      .full_size = full,
  };
  it->have_entry = TRUE;
}

/* Hashes what read_data() took and the rest of the entry, in chunks; the
 * hash is left out when the member ends early or cannot be read. */
/* Whether the "all" walk hashes this entry: past max-hash-size it is
 * listed without a sha256 (hashing reads what a sparse member expands
 * to: CPU, not disk). */
static gboolean
hashes(CkptFileIter *it, uint64_t full)
{
  if (full <= it->c->limits.max_hash_size)
    return TRUE;
  ckpt_model_warn(it->c,
                  "rootfs-diff.tar: %s: %" G_GUINT64_FORMAT
                  " bytes, over the max-hash-size limit of %" G_GUINT64_FORMAT
                  ": not hashed",
                  it->path, full, it->c->limits.max_hash_size);
  return FALSE;
}

int
ckpt_diff_iter_next(CkptFileIter *it, CkptDiffFile *file)
{
  if (it == NULL || file == NULL)
    return 0;
  while (it->a != NULL) {
    struct archive_entry *e = NULL;
    int rc = archive_read_next_header(it->a, &e);
    if (rc == ARCHIVE_EOF) {
      iter_stop(it);
      break;
    }
    if (rc < ARCHIVE_WARN) {
      iter_fail(it, "rootfs-diff.tar: %s, rest skipped",
                archive_error_string(it->a));
      iter_stop(it);
      break;
    }
    if (!within_limits(it)) {
      iter_stop(it);
      break;
    }
    const char *raw = archive_entry_pathname(e);
    gboolean regular = archive_entry_filetype(e) == AE_IFREG &&
                       archive_entry_hardlink(e) == NULL;
    if (raw == NULL || (!regular && !it->all))
      continue;
    la_int64_t size = archive_entry_size(e);
    uint64_t full = size > 0 && regular ? (uint64_t)size : 0;
    if (!entry_within_limits(it, full)) {
      iter_stop(it);
      break;
    }
    it->expanded += full;
    if (!regular) {
      g_free(it->path);
      it->path = display_path(raw);
      describe(it, e, 0);
      file->path = it->path;
      file->data = (const uint8_t *)"";
      file->len = 0;
      file->full_size = 0;
      return 1;
    }
    uint64_t want64 = MIN(full, it->max_bytes);
    size_t got = 0;
    g_free(it->path);
    it->path = display_path(raw);
    if (it->all)
      describe(it, e, full);
    g_autoptr(CkptSha256) sum =
        it->all && hashes(it, full) ? ckpt_sha256_new() : NULL;
    uint64_t hashed = 0;
    if (!read_data(it, (size_t)want64, &got, sum, full, &hashed)) {
      iter_fail(it, "rootfs-diff.tar: reading %s: %s, rest skipped", it->path,
                archive_error_string(it->a));
      iter_stop(it);
      break;
    }
    if (sum && hashed == full) {
      g_free(it->sha256);
      it->sha256 = ckpt_sha256_finish(g_steal_pointer(&sum));
      it->entry.sha256 = it->sha256;
    }
    file->path = it->path;
    file->data = got ? it->buf : (const uint8_t *)"";
    file->len = got;
    file->full_size = full;
    return 1;
  }
  return 0;
}

void
ckpt_diff_iter_free(CkptFileIter *it)
{
  if (it == NULL)
    return;
  iter_stop(it);
  g_free(it->buf);
  g_free(it->path);
  g_free(it->link);
  g_free(it->uname);
  g_free(it->gname);
  g_free(it->sha256);
  g_free(it->error);
  g_free(it);
}

const char *
ckpt_diff_iter_error(CkptFileIter *it)
{
  return it ? it->error : NULL;
}

/* test-imageset.c - the image set on every fixture form, checked against an
 * independent read of the same archive with libarchive's generic reader,
 * and on hostile archives built here with libarchive's writer. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "util/error.h"
#include "archive/imageset.h"

static char *tmpdir;

static void expect_error(const char *path, const CkptLimits *l, int code,
                         const char *needle);

static char *
tmp_path(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

/* ---- the reference: every regular member, read the plain way ------------ */

static char *
ref_name(const char *raw)
{
  while (g_str_has_prefix(raw, "./"))
    raw += 2;
  return g_strdup(raw);
}

/* name -> GBytes, for an archive (any filter) or a directory (top and
 * checkpoint/). */
static GHashTable *
reference(const char *path)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_bytes_unref);
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    const char *subs[] = {"", "checkpoint"};
    for (size_t s = 0; s < G_N_ELEMENTS(subs); s++) {
      g_autofree char *d = g_build_filename(path, subs[s], NULL);
      g_autoptr(GDir) dir = g_dir_open(d, 0, NULL);
      if (dir == NULL)
        continue;
      const char *n;
      while ((n = g_dir_read_name(dir)) != NULL) {
        g_autofree char *f = g_build_filename(d, n, NULL);
        if (!g_file_test(f, G_FILE_TEST_IS_REGULAR) ||
            g_file_test(f, G_FILE_TEST_IS_SYMLINK))
          continue;
        char *buf;
        gsize len;
        g_assert_true(g_file_get_contents(f, &buf, &len, NULL));
        g_hash_table_insert(
            t, *subs[s] ? g_strconcat(subs[s], "/", n, NULL) : g_strdup(n),
            g_bytes_new_take(buf, len));
      }
    }
    return t;
  }
  struct archive *a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  g_assert_cmpint(archive_read_open_filename(a, path, 65536), ==, ARCHIVE_OK);
  struct archive_entry *e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG)
      continue;
    GByteArray *b = g_byte_array_new();
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
      g_byte_array_append(b, (guint8 *)buf, (guint)n);
    g_assert_cmpint(n, ==, 0);
    g_hash_table_insert(t, ref_name(archive_entry_pathname(e)),
                        g_byte_array_free_to_bytes(b));
  }
  archive_read_free(a);
  return t;
}

static const char *
bare_image(const char *name)
{
  const char *b = g_str_has_prefix(name, "checkpoint/")
                      ? name + strlen("checkpoint/")
                      : name;
  return (strchr(b, '/') == NULL && g_str_has_suffix(b, ".img")) ? b : NULL;
}

/* Every member of the reference is served with the same bytes, images by
 * bare name and everything by full name; nothing else is listed. */
static void
check_against_reference(const char *path, CkptSetFormat want_fmt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(path, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(set);
  g_assert_cmpint(ckpt_imageset_format(set), ==, want_fmt);
  g_assert_cmpstr(ckpt_imageset_path(set), ==, path);

  g_autoptr(GHashTable) ref = reference(path);
  GHashTableIter it;
  gpointer k, v;
  guint n_images = 0;
  uint64_t sum = 0;
  g_hash_table_iter_init(&it, ref);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const uint8_t *data = NULL;
    size_t len = 0;
    gsize rlen;
    const void *rdata = g_bytes_get_data(v, &rlen);
    sum += rlen;
    g_assert_true(ckpt_imageset_meta(set, k, &data, &len));
    g_assert_nonnull(data);
    g_assert_cmpmem(data, len, rdata, rlen);
    const char *img = bare_image(k);
    if (img != NULL) {
      n_images++;
      g_assert_true(ckpt_imageset_image(set, img, &data, &len));
      g_assert_cmpmem(data, len, rdata, rlen);
    }
  }
  guint listed = 0;
  const char *prev = "";
  for (const char *const *n = ckpt_imageset_image_names(set); *n; n++) {
    g_assert_cmpint(strcmp(prev, *n), <, 0); /* sorted, unique */
    prev = *n;
    listed++;
  }
  g_assert_cmpuint(listed, ==, n_images);
  g_assert_cmpuint(n_images, >, 20);
  g_assert_true(ckpt_imageset_image(set, "pstree.img", NULL, NULL));
  g_assert_false(ckpt_imageset_image(set, "no-such.img", NULL, NULL));
  if (want_fmt == CKPT_SET_DIR) {
    g_assert_cmpuint(ckpt_imageset_archive_size(set), ==, sum);
  } else {
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpuint(ckpt_imageset_archive_size(set), ==, st.st_size);
  }
  g_assert_null(ckpt_imageset_warnings(set)[0]);
}

static void
test_forms(void)
{
  static const struct {
    const char *name;
    CkptSetFormat fmt;
  } forms[] = {
      {"podman-none.tar", CKPT_SET_TAR},
      {"podman-gzip.tar.gz", CKPT_SET_TAR_GZIP},
      {"podman-zstd.tar.zst", CKPT_SET_TAR_ZSTD},
      {"podman-zeros.tar.zst", CKPT_SET_TAR_ZSTD},
      {"podman-none-2.tar", CKPT_SET_TAR},
      {"podman-none-criu3.tar", CKPT_SET_TAR},
      {"crio-none.tar", CKPT_SET_TAR},
      {"containerd-none.tar", CKPT_SET_TAR},
      {"criu-dir", CKPT_SET_DIR},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
    g_autofree char *p = fixture_path(forms[i].name);
    g_test_message("form %s", forms[i].name);
    check_against_reference(p, forms[i].fmt);
  }
}

/* The derived archives carry podman-none.tar's images byte for byte. */
static void
test_same_images_across_forms(void)
{
  const char *names[] = {"crio-none.tar", "containerd-none.tar",
                         "podman-none-criu3.tar"};
  g_autofree char *base_path = fixture_path("podman-none.tar");
  g_autoptr(CkptImageSet) base = ckpt_imageset_open(base_path, NULL, NULL);
  g_assert_nonnull(base);
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = fixture_path(names[i]);
    g_autoptr(CkptImageSet) other = ckpt_imageset_open(p, NULL, NULL);
    g_assert_nonnull(other);
    guint compared = 0;
    for (const char *const *n = ckpt_imageset_image_names(base); *n; n++) {
      if (strcmp(*n, "pstree.img") != 0 && !g_str_has_prefix(*n, "pages-"))
        continue;
      const uint8_t *a, *b;
      size_t la, lb;
      g_assert_true(ckpt_imageset_image(base, *n, &a, &la));
      g_assert_true(ckpt_imageset_image(other, *n, &b, &lb));
      g_assert_cmpmem(a, la, b, lb);
      compared++;
    }
    g_assert_cmpuint(compared, >=, 2);
  }
}

/* ---- where the bytes live ------------------------------------------------ */

/* The pathname of the mapping holding addr in /proc/self/maps, or NULL
 * for an anonymous one. */
static char *
mapping_of(const void *addr)
{
  g_autofree char *maps = NULL;
  g_assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(maps, "\n", -1);
  uintptr_t a = (uintptr_t)addr;
  for (char **l = lines; *l; l++) {
    unsigned long lo, hi;
    int off = 0;
    if (sscanf(*l, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2)
      continue;
    if (a >= lo && a < hi)
      return off > 0 && (*l)[off] ? g_strdup(*l + off) : NULL;
  }
  return NULL;
}

static void
test_plain_tar_in_place(void)
{
  g_autofree char *p = fixture_path("podman-none.tar");
  g_autofree char *real = realpath(p, NULL);
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, NULL);
  g_assert_nonnull(set);
  g_assert_cmpint(ckpt_imageset_format(set), ==, CKPT_SET_TAR);
  const char *names[] = {"pstree.img", "pages-2.img", "core-1.img"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    const uint8_t *d;
    size_t len;
    g_assert_true(ckpt_imageset_image(set, names[i], &d, &len));
    g_autofree char *m = mapping_of(d);
    g_assert_cmpstr(m, ==, real);
    /* tar data starts on a 512-byte block of the file */
    g_autofree char *m_end = mapping_of(d + len - 1);
    g_assert_cmpstr(m_end, ==, real);
  }
  g_assert_true(ckpt_imageset_meta(set, "config.dump", NULL, NULL));
}

static void
test_compressed_spooled(void)
{
  const char *names[] = {"podman-zstd.tar.zst", "podman-gzip.tar.gz"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = fixture_path(names[i]);
    g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, NULL);
    g_assert_nonnull(set);
    const uint8_t *d;
    size_t len;
    /* pages are spooled to an unlinked temporary file */
    g_assert_true(ckpt_imageset_image(set, "pages-2.img", &d, &len));
    g_autofree char *m = mapping_of(d);
    g_assert_nonnull(m);
    g_assert_true(g_str_has_suffix(m, "(deleted)"));
    g_assert_null(strstr(m, names[i]));
    /* small images are held in memory, not in any file */
    g_assert_true(ckpt_imageset_image(set, "pstree.img", &d, &len));
    g_autofree char *m2 = mapping_of(d);
    g_assert_true(m2 == NULL || m2[0] == '[');
  }
}

/* Opened for a chain that reads no memory (issue 19), a compressed
 * archive's pages are dropped: the member is there with its size and no
 * data, the other images are as ever, and the custody sum, not taken while
 * streaming, is the same when asked afterwards (the file read again). A
 * plain tar is served in place and keeps its pages. */
static void
test_keep(void)
{
  const char *names[] = {"podman-zstd.tar.zst", "podman-gzip.tar.gz",
                         "podman-none.tar"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = fixture_path(names[i]);
    g_autoptr(CkptImageSet) all = ckpt_imageset_open(p, NULL, NULL);
    g_autoptr(CkptImageSet) lazy = ckpt_imageset_open_keep(p, NULL, 0, NULL);
    g_assert_nonnull(all);
    g_assert_nonnull(lazy);
    gboolean plain = i == 2;
    g_assert_true(ckpt_imageset_pages_kept(all));
    g_assert_cmpint(ckpt_imageset_pages_kept(lazy), ==, plain);
    const uint8_t *d = NULL, *d2 = NULL;
    size_t len = 0, len2 = 0;
    g_assert_true(ckpt_imageset_image(all, "pages-2.img", &d, &len));
    g_assert_true(ckpt_imageset_image(lazy, "pages-2.img", &d2, &len2));
    g_assert_cmpuint(len, ==, len2);
    g_assert_cmpuint(len, >, 0);
    if (plain)
      g_assert_true(d2 == NULL || memcmp(d, d2, len) == 0);
    else
      g_assert_null(d2);
    g_assert_true(ckpt_imageset_image(all, "pstree.img", &d, &len));
    g_assert_true(ckpt_imageset_image(lazy, "pstree.img", &d2, &len2));
    g_assert_cmpmem(d, len, d2, len2);
    g_autofree char *want = NULL;
    g_autofree char *out = NULL;
    g_assert_true(g_spawn_command_line_sync(
        (want = g_strdup_printf("sha256sum %s", p)), &out, NULL, NULL, NULL));
    const char *of = NULL;
    const char *sum = ckpt_imageset_sha256(lazy, &of);
    g_assert_nonnull(sum);
    g_assert_cmpstr(of, ==, "file");
    g_assert_true(g_str_has_prefix(out, sum));
    g_assert_cmpstr(ckpt_imageset_sha256(all, NULL), ==, sum);
  }
}

/* The spool file holding [addr, addr + len), by its mapping's name in
 * /proc/self/fd. Its zero runs are anonymous mappings over the spool (see
 * cover_holes), so the first page backed by the file is looked for. */
static int
spool_fd_of(const uint8_t *addr, size_t len)
{
  g_autofree char *m = NULL;
  for (size_t at = 0; m == NULL && at < len; at += 4096)
    m = mapping_of(addr + at);
  g_assert_nonnull(m);
  g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
  g_assert_nonnull(d);
  const char *n;
  while ((n = g_dir_read_name(d)) != NULL) {
    g_autofree char *l = g_build_filename("/proc/self/fd", n, NULL);
    g_autofree char *target = g_file_read_link(l, NULL);
    if (target && strcmp(target, m) == 0)
      return atoi(n);
  }
  g_error("no descriptor for %s", m);
}

/* Disk bytes the spool holding a spooled member's data d takes, checked
 * to be at least len long. */
static uint64_t
spool_used(const uint8_t *d, size_t len)
{
  GStatBuf st;
  g_assert_cmpint(fstat(spool_fd_of(d, len), &st), ==, 0);
  g_assert_cmpuint(st.st_size, >=, len);
  return (uint64_t)st.st_blocks * 512;
}

/* A real Podman export (zstd, the default) of a process with 64 MiB of
 * written zero pages: it packs about 2000 to 1, and loads with the default
 * limits. The zero pages are holes in the spool: they read back as zeros
 * (test_forms compares every byte) and take no disk. */
static void
test_zero_pages_sparse(void)
{
  g_autofree char *p = fixture_path("podman-zeros.tar.zst");
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
  g_assert_no_error(error);
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_image(set, "pages-1.img", &d, &len));
  g_assert_cmpuint(len, >=, 64u << 20);
  uint64_t used = spool_used(d, len);
  g_test_message("pages-1.img: %zu bytes, spool uses %" G_GUINT64_FORMAT, len,
                 used);
  g_assert_cmpuint(used, <, 1u << 20);
  /* the zero run in the middle is not read from the spool (a MAP_SHARED
   * read of a tmpfs hole allocates a page): it is anonymous memory */
  g_autofree char *mid = mapping_of(d + len / 2 / 4096 * 4096);
  g_assert_null(mid);
  g_assert_cmpint(d[len / 2], ==, 0);
  /* with zero pages counted from the start, it looks like a bomb */
  CkptLimits l;
  ckpt_limits_init(&l);
  l.ratio_floor = 0;
  expect_error(p, &l, CKPT_ERROR_LIMIT, "ratio-floor");
}

/* max-in-memory 0 sends every non-empty member to the spool. */
static void
test_all_spooled(void)
{
  g_autofree char *p = fixture_path("podman-gzip.tar.gz");
  CkptLimits l;
  ckpt_limits_init(&l);
  l.max_in_memory = 0;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, &l, NULL);
  g_assert_nonnull(set);
  g_autoptr(GHashTable) ref = reference(p);
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_image(set, "pstree.img", &d, &len));
  GBytes *want = g_hash_table_lookup(ref, "checkpoint/pstree.img");
  g_assert_cmpmem(d, len, g_bytes_get_data(want, NULL), g_bytes_get_size(want));
  g_autofree char *m = mapping_of(d);
  g_assert_nonnull(m);
  g_assert_true(g_str_has_suffix(m, "(deleted)"));
  /* empty members still have a pointer */
  d = NULL;
  g_assert_true(ckpt_imageset_image(set, "iptables-10.img", &d, &len));
  g_assert_nonnull(d);
  g_assert_cmpuint(len, ==, 0);
}

/* A tar writer at path (filter: 0 none, 'g' gzip, 'z' zstd) with the
 * header of checkpoint/pages-1.img, size bytes, already written; sparse
 * holds n (offset, length) data regions, or is NULL. NULL when libarchive
 * lacks the filter. */
static struct archive *
pages_writer(const char *path, char filter, size_t size,
             const int64_t (*sparse)[2], size_t n)
{
  struct archive *a = archive_write_new();
  if (sparse)
    archive_write_set_format_pax(a);
  else
    archive_write_set_format_pax_restricted(a);
  int rc = filter == 'g'   ? archive_write_add_filter_gzip(a)
           : filter == 'z' ? archive_write_add_filter_zstd(a)
                           : ARCHIVE_OK;
  if (rc != ARCHIVE_OK) {
    archive_write_free(a);
    return NULL;
  }
  g_assert_cmpint(archive_write_open_filename(a, path), ==, ARCHIVE_OK);
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, "checkpoint/pages-1.img");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, (la_int64_t)size);
  for (size_t k = 0; sparse && k < n; k++)
    archive_entry_sparse_add_entry(e, sparse[k][0], sparse[k][1]);
  g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
  archive_entry_free(e);
  return a;
}

static void
writer_close(struct archive *a)
{
  g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
  archive_write_free(a);
}

/* A sparse member's bytes are not contiguous in the tar: it is served
 * from a copy, holes read as zeros. */
static void
sparse_member(gboolean gzip)
{
  g_autofree char *p = tmp_path(gzip ? "sparse.tar.gz" : "sparse.tar");
  static const int64_t regions[][2] = {{0, 4096}, {2 * 65536, 4096}};
  struct archive *a = pages_writer(p, gzip ? 'g' : 0, 3 * 65536, regions, 2);
  g_autofree uint8_t *block = g_malloc(4096);
  memset(block, 0xab, 4096);
  /* the writer takes the data regions in order */
  g_assert_cmpint(archive_write_data(a, block, 4096), ==, 4096);
  memset(block, 0xcd, 4096);
  g_assert_cmpint(archive_write_data(a, block, 4096), ==, 4096);
  writer_close(a);

  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GHashTable) ref = reference(p);
  GBytes *want = g_hash_table_lookup(ref, "checkpoint/pages-1.img");
  g_assert_nonnull(want);
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_image(set, "pages-1.img", &d, &len));
  g_assert_cmpuint(len, ==, 3 * 65536);
  g_assert_cmpmem(d, len, g_bytes_get_data(want, NULL), g_bytes_get_size(want));
  g_assert_cmpint(d[0], ==, 0xab);
  g_assert_cmpint(d[65536], ==, 0);
  g_autofree char *real = realpath(p, NULL);
  g_autofree char *m = mapping_of(d);
  g_assert_cmpstr(m, !=, real);
}

static void
test_sparse_member(void)
{
  sparse_member(FALSE);
  sparse_member(TRUE);
}

/* Pages split across libarchive's data blocks are still seen whole: a
 * spooled member of zero and non-zero pages (non-zero bytes at a page's
 * first and last byte) reads back exactly and leaves the zeros as holes. */
static void
test_spool_carry(void)
{
  g_autofree char *p = tmp_path("carry.tar.gz");
  const size_t pages = 2048, size = pages * 4096;
  g_autofree uint8_t *data = g_malloc0(size);
  size_t nonzero = 0;
  for (size_t i = 0; i < pages; i++) {
    if (i % 7 == 3)
      data[i * 4096] = (uint8_t)(i | 1);
    else if (i % 7 == 5)
      data[i * 4096 + 4095] = (uint8_t)(i | 1);
    else
      continue;
    nonzero++;
  }
  struct archive *a = pages_writer(p, 'g', size, NULL, 0);
  /* odd-sized writes */
  for (size_t done = 0; done < size;) {
    size_t k = MIN(size - done, 3001);
    g_assert_cmpint(archive_write_data(a, data + done, k), ==, (la_ssize_t)k);
    done += k;
  }
  writer_close(a);

  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
  g_assert_no_error(error);
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_image(set, "pages-1.img", &d, &len));
  g_assert_cmpmem(d, len, data, size);
  uint64_t used = spool_used(d, len);
  g_test_message("%zu of %zu pages non-zero, spool uses %" G_GUINT64_FORMAT
                 " bytes",
                 nonzero, pages, used);
  /* the file system may allocate in bigger units than a page */
  g_assert_cmpuint(used, <=, nonzero * 4096 + 65536);
}

/* ---- directories --------------------------------------------------------- */

/* Extracts a fixture's members (trusted here) into a directory. */
static void
extract(const char *archive, const char *dest)
{
  g_autoptr(GHashTable) ref = reference(archive);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, ref);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    g_autofree char *f = g_build_filename(dest, k, NULL);
    g_autofree char *d = g_path_get_dirname(f);
    g_assert_cmpint(g_mkdir_with_parents(d, 0700), ==, 0);
    gsize len;
    const char *data = g_bytes_get_data(v, &len);
    g_assert_true(g_file_set_contents(f, data ? data : "", (gssize)len, NULL));
  }
}

static void
test_extracted_podman_dir(void)
{
  g_autofree char *p = fixture_path("podman-none.tar");
  g_autofree char *d = tmp_path("extracted");
  extract(p, d);
  check_against_reference(d, CKPT_SET_DIR);
  /* a symlink and a fifo are skipped with a warning */
  g_autofree char *link = g_build_filename(d, "checkpoint", "evil.img", NULL);
  g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);
  g_autofree char *fifo = g_build_filename(d, "fifo.img", NULL);
  g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(d, NULL, &error);
  g_assert_no_error(error);
  g_assert_false(ckpt_imageset_image(set, "evil.img", NULL, NULL));
  g_assert_false(ckpt_imageset_image(set, "fifo.img", NULL, NULL));
  const char *const *w = ckpt_imageset_warnings(set);
  g_assert_nonnull(w[0]);
  g_assert_nonnull(w[1]);
  g_assert_null(w[2]);
  g_autofree char *all = g_strjoinv("\n", (char **)w);
  g_assert_nonnull(strstr(all, "checkpoint/evil.img"));
  g_assert_nonnull(strstr(all, "fifo.img"));
}

/* ---- hostile and broken input -------------------------------------------- */

typedef struct {
  const char *name;
  mode_t type;    /* AE_IFREG, AE_IFLNK, AE_IFCHR ... */
  const char *ln; /* symlink target, or hard link target when type is 0 */
  const char *data;
} Crafted;

static void
write_tar(const char *path, int filter, const Crafted *members, size_t n)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == 1)
    archive_write_add_filter_gzip(a);
  g_assert_cmpint(archive_write_open_filename(a, path), ==, ARCHIVE_OK);
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, members[i].name);
    size_t len = members[i].data ? strlen(members[i].data) : 0;
    if (members[i].type == 0) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, members[i].ln);
    } else {
      archive_entry_set_filetype(e, members[i].type);
      if (members[i].type == AE_IFLNK)
        archive_entry_set_symlink(e, members[i].ln);
      if (members[i].type == AE_IFREG)
        archive_entry_set_size(e, (la_int64_t)len);
    }
    archive_entry_set_perm(e, 0644);
    g_assert_cmpint(archive_write_header(a, e), >=, ARCHIVE_WARN);
    if (len)
      g_assert_cmpint(archive_write_data(a, members[i].data, len), ==, len);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

static void
expect_error(const char *path, const CkptLimits *l, int code,
             const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(path, l, &error);
  g_assert_null(set);
  g_assert_error(error, CKPT_ERROR, code);
  g_test_message("%s", error->message);
  g_assert_true(g_str_has_prefix(error->message, path));
  if (needle && strstr(error->message, needle) == NULL)
    g_error("message \"%s\" lacks \"%s\"", error->message, needle);
}

static void
test_hostile_members(void)
{
  static const struct {
    Crafted m[3];
    const char *needle;
  } cases[] = {
      {{{"checkpoint/pstree.img", AE_IFREG, NULL, "x"},
        {"../x", AE_IFREG, NULL, "x"}},
       "\"..\""},
      {{{"checkpoint/../../etc/x.img", AE_IFREG, NULL, "x"}}, "\"..\""},
      {{{"/etc/passwd", AE_IFREG, NULL, "x"}}, "absolute"},
      {{{"checkpoint/pstree.img", AE_IFLNK, "/etc/shadow", NULL}}, "symlink"},
      {{{"a", AE_IFREG, NULL, "x"}, {"checkpoint/pstree.img", 0, "a", NULL}},
       "hard link"},
      {{{"checkpoint/tty.img", AE_IFCHR, NULL, NULL}}, "character device"},
      {{{"checkpoint/pstree.img", AE_IFREG, NULL, "a"},
        {"./checkpoint//pstree.img", AE_IFREG, NULL, "b"}},
       "twice"},
      {{{"pstree.img", AE_IFREG, NULL, "a"},
        {"checkpoint/pstree.img", AE_IFREG, NULL, "b"}},
       "both"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *name = g_strdup_printf("hostile-%zu.tar", i);
    g_autofree char *p = tmp_path(name);
    size_t n = 0;
    while (n < 3 && cases[i].m[n].name)
      n++;
    write_tar(p, i % 2, cases[i].m, n); /* plain and gzip alike */
    expect_error(p, NULL, CKPT_ERROR_FORMAT, cases[i].needle);
  }
}

static void
test_clean_names(void)
{
  const Crafted m[] = {
      {"./", AE_IFDIR, NULL, NULL},
      {"./checkpoint/", AE_IFDIR, NULL, NULL},
      {"./checkpoint/pstree.img", AE_IFREG, NULL, "pstree"},
      {"./config.dump", AE_IFREG, NULL, "{}"},
      {"checkpoint/empty.img", AE_IFREG, NULL, NULL},
  };
  g_autofree char *p = tmp_path("clean.tar");
  write_tar(p, 0, m, G_N_ELEMENTS(m));
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
  g_assert_no_error(error);
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_image(set, "pstree.img", &d, &len));
  g_assert_cmpmem(d, len, "pstree", 6);
  g_assert_true(ckpt_imageset_meta(set, "config.dump", &d, &len));
  g_assert_cmpmem(d, len, "{}", 2);
  g_assert_true(ckpt_imageset_image(set, "empty.img", &d, &len));
  g_assert_nonnull(d);
  g_assert_cmpuint(len, ==, 0);
  g_assert_false(ckpt_imageset_image(set, "config.dump", NULL, NULL));
}

/* Copies the first n bytes of a fixture (or all, with bytes flipped). */
static char *
damaged_copy(const char *fixture_name, double keep, gboolean flip)
{
  g_autofree char *src = fixture_path(fixture_name);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(src, &data, &len, NULL));
  gsize n = (gsize)((double)len * keep);
  if (flip)
    for (gsize i = len / 3; i < len / 3 + 64 && i < len; i++)
      data[i] ^= 0x5a;
  g_autofree char *name =
      g_strdup_printf("%s-%s-%.2f", fixture_name, flip ? "flip" : "cut", keep);
  char *p = tmp_path(name);
  g_assert_true(g_file_set_contents(p, data, (gssize)n, NULL));
  return p;
}

static void
test_truncated(void)
{
  const char *names[] = {"podman-none.tar", "podman-gzip.tar.gz",
                         "podman-zstd.tar.zst"};
  const double keep[] = {0.5, 0.9, 0.001};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    for (size_t j = 0; j < G_N_ELEMENTS(keep); j++) {
      g_autofree char *p = damaged_copy(names[i], keep[j], FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
      g_assert_null(set);
      g_assert_nonnull(error);
      g_test_message("%s", error->message);
      g_assert_true(g_str_has_prefix(error->message, p));
    }
}

static void
test_corrupt_compression(void)
{
  const char *names[] = {"podman-gzip.tar.gz", "podman-zstd.tar.zst"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = damaged_copy(names[i], 1.0, TRUE);
    expect_error(p, NULL, CKPT_ERROR_FORMAT, NULL);
  }
}

/* A member of 200 MiB of one byte (zeros: about 200 KiB packed). */
static char *
make_bomb(const char *name, int zstd, char fill)
{
  g_autofree char *p0 = tmp_path(name);
  const size_t total = 200u << 20;
  struct archive *a = pages_writer(p0, zstd ? 'z' : 'g', total, NULL, 0);
  if (a == NULL)
    return NULL;
  g_autofree char *block = g_malloc(1 << 20);
  memset(block, fill, 1 << 20);
  for (size_t done = 0; done < total; done += 1 << 20)
    g_assert_cmpint(archive_write_data(a, block, 1 << 20), ==, 1 << 20);
  writer_close(a);
  return g_steal_pointer(&p0);
}

static void
test_bombs(void)
{
  /* non-zero data: deflate tops out near 1032:1, past the default 1000 */
  g_autofree char *data = make_bomb("data-bomb.tar.gz", 0, 'A');
  expect_error(data, NULL, CKPT_ERROR_LIMIT, "non-zero data");
  CkptLimits l;
  ckpt_limits_init(&l);
  l.max_ratio = 100;
  expect_error(data, &l, CKPT_ERROR_LIMIT, "max-ratio");

  /* zeros cost no disk and count past the ratio floor only: 200 MiB
   * loads with the defaults, and is refused once the floor is lowered */
  g_autofree char *gz = make_bomb("bomb.tar.gz", 0, 0);
  g_autoptr(CkptImageSet) ok = ckpt_imageset_open(gz, NULL, NULL);
  g_assert_nonnull(ok);
  ckpt_limits_init(&l);
  l.ratio_floor = 64u << 20;
  expect_error(gz, &l, CKPT_ERROR_LIMIT, "past the ratio-floor of 67108864");
  ckpt_limits_init(&l);
  l.max_total_size = 50u << 20;
  l.max_ratio = UINT64_MAX;
  expect_error(gz, &l, CKPT_ERROR_LIMIT, "max-total-size");
  ckpt_limits_init(&l);
  l.max_member_size = 1u << 20;
  expect_error(gz, &l, CKPT_ERROR_LIMIT, "max-member-size");

  /* zstd squeezes zeros past 30000:1 */
  g_autofree char *zst = make_bomb("bomb.tar.zst", 1, 0);
  if (zst != NULL) {
    ckpt_limits_init(&l);
    l.ratio_floor = 64u << 20;
    expect_error(zst, &l, CKPT_ERROR_LIMIT, "max-ratio");
  }
  g_autofree char *zdata = make_bomb("data-bomb.tar.zst", 1, 0x5a);
  if (zdata != NULL)
    expect_error(zdata, NULL, CKPT_ERROR_LIMIT, "non-zero data");
}

/* A plain tar holds its members' bytes: one large member first is no bomb.
 * libarchive counts only the headers it parsed while the data is served
 * in place, which once judged 8 MiB against 1.5 KB and refused real
 * checkpoints over about 80 MiB. */
static void
test_plain_large_member(void)
{
  g_autofree char *p = tmp_path("large-member.tar");
  const size_t total = 8u << 20;
  struct archive *a = pages_writer(p, 'n', total, NULL, 0);
  g_autofree char *block = g_malloc(1 << 20);
  memset(block, 'A', 1 << 20);
  for (size_t done = 0; done < total; done += 1 << 20)
    g_assert_cmpint(archive_write_data(a, block, 1 << 20), ==, 1 << 20);
  writer_close(a);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptImageSet) set = ckpt_imageset_open(p, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(set);
  /* the input counted is the file up to the data: even max-ratio 1 holds */
  CkptLimits l;
  ckpt_limits_init(&l);
  l.max_ratio = 1;
  g_autoptr(CkptImageSet) again = ckpt_imageset_open(p, &l, &error);
  g_assert_no_error(error);
  g_assert_nonnull(again);
}

static void
test_max_members(void)
{
  g_autofree char *p = fixture_path("podman-none.tar");
  CkptLimits l;
  ckpt_limits_init(&l);
  l.max_members = 10;
  expect_error(p, &l, CKPT_ERROR_LIMIT, "max-members");
  g_autofree char *d = fixture_path("criu-dir");
  expect_error(d, &l, CKPT_ERROR_LIMIT, "max-members");
}

static void
test_not_an_archive(void)
{
  g_autofree char *p = tmp_path("notes.txt");
  g_assert_true(g_file_set_contents(p, "just some text\n", -1, NULL));
  expect_error(p, NULL, CKPT_ERROR_FORMAT, "not a checkpoint");
  g_autofree char *e = tmp_path("empty");
  g_assert_true(g_file_set_contents(e, "", 0, NULL));
  expect_error(e, NULL, CKPT_ERROR_FORMAT, "empty");
  /* gzip of something that is not a tar */
  g_autofree char *gz = tmp_path("text.gz");
  g_autofree char *cmd = g_strdup_printf("sh -c 'echo hello | gzip > %s'", gz);
  g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
  expect_error(gz, NULL, CKPT_ERROR_FORMAT, NULL);
  expect_error("/dev/null", NULL, CKPT_ERROR_FORMAT, NULL);
}

static void
test_missing(void)
{
  g_autofree char *p = tmp_path("does-not-exist.tar");
  expect_error(p, NULL, CKPT_ERROR_MISSING, "cannot open");
}

/* The cheap sniff ckpt list uses: real forms are taken, with the format
 * the full open gives; empty, text, a tar's truncated header, a directory
 * without images and a FIFO are not, and the FIFO does not block. */
static gboolean
sniff_path(const char *path, CkptSetFormat *fmt)
{
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  g_assert_cmpint(fd, >=, 0);
  gboolean r = ckpt_imageset_sniff_fd(fd, fmt);
  close(fd);
  return r;
}

static void
test_sniff(void)
{
  static const struct {
    const char *name;
    CkptSetFormat fmt;
  } good[] = {{"podman-none.tar", CKPT_SET_TAR},
              {"podman-gzip.tar.gz", CKPT_SET_TAR_GZIP},
              {"podman-zstd.tar.zst", CKPT_SET_TAR_ZSTD},
              {"criu-dir", CKPT_SET_DIR}};
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
    g_autofree char *p = fixture_path(good[i].name);
    CkptSetFormat fmt = (CkptSetFormat)-1;
    g_assert_true(sniff_path(p, &fmt));
    g_assert_cmpint(fmt, ==, good[i].fmt);
  }
  g_autofree char *dir = g_build_filename(tmpdir, "sniff", NULL);
  g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
  g_autofree char *empty = g_build_filename(dir, "empty", NULL);
  g_autofree char *text = g_build_filename(dir, "text", NULL);
  g_autofree char *cut = g_build_filename(dir, "cut.tar", NULL);
  g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
  g_autofree char *tar = fixture_path("podman-none.tar");
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(tar, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(empty, "", 0, NULL));
  g_assert_true(g_file_set_contents(text, "ustar? no\n", -1, NULL));
  /* ustar sits at offset 257: 200 bytes of a real header are not a tar */
  g_assert_true(g_file_set_contents(cut, bytes, 200, NULL));
  g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
  const char *bad[] = {empty, text, cut, fifo, dir};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    CkptSetFormat fmt;
    g_assert_false(sniff_path(bad[i], &fmt));
  }
  fixture_rm_rf(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = fixture_tmpdir();
  g_test_add_func("/imageset/forms", test_forms);
  g_test_add_func("/imageset/sniff", test_sniff);
  g_test_add_func("/imageset/same-images-across-forms",
                  test_same_images_across_forms);
  g_test_add_func("/imageset/plain-tar-in-place", test_plain_tar_in_place);
  g_test_add_func("/imageset/compressed-spooled", test_compressed_spooled);
  g_test_add_func("/imageset/keep", test_keep);
  g_test_add_func("/imageset/all-spooled", test_all_spooled);
  g_test_add_func("/imageset/zero-pages-sparse", test_zero_pages_sparse);
  g_test_add_func("/imageset/sparse-member", test_sparse_member);
  g_test_add_func("/imageset/spool-carry", test_spool_carry);
  g_test_add_func("/imageset/extracted-podman-dir", test_extracted_podman_dir);
  g_test_add_func("/imageset/clean-names", test_clean_names);
  g_test_add_func("/imageset/hostile-members", test_hostile_members);
  g_test_add_func("/imageset/truncated", test_truncated);
  g_test_add_func("/imageset/corrupt-compression", test_corrupt_compression);
  g_test_add_func("/imageset/bombs", test_bombs);
  g_test_add_func("/imageset/plain-large-member", test_plain_large_member);
  g_test_add_func("/imageset/max-members", test_max_members);
  g_test_add_func("/imageset/not-an-archive", test_not_an_archive);
  g_test_add_func("/imageset/missing", test_missing);
  int rc = g_test_run();
  fixture_rm_rf(tmpdir);
  g_free(tmpdir);
  return rc;
}

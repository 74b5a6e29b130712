/* test-fsio.c - core/util/fsio.c: bounded whole reads of a real
 * checkpoint archive, symlinks refused, a deadline, writes whole, a
 * directory listed on its own descriptor, pread. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fsio.h"

static char *
fixture(const char *name)
{
  const char *dir = g_getenv("CKPT_FIXTURES");
  g_assert_nonnull(dir);
  return g_build_filename(dir, name, NULL);
}

/* a real archive: read whole at its size, refused one byte below */
static void
test_read_file_bounded(void)
{
  g_autofree char *path = fixture("podman-none.tar");
  struct stat st;
  g_assert_cmpint(stat(path, &st), ==, 0);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(
      ckpt_fsio_read_file(path, (gsize)st.st_size, &data, &len, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(len, ==, (gsize)st.st_size);
  g_assert_cmpint(data[len], ==, '\0');
  g_autofree char *whole = NULL;
  gsize wlen = 0;
  g_assert_true(g_file_get_contents(path, &whole, &wlen, NULL));
  g_assert_true(wlen == len && memcmp(whole, data, len) == 0);

  g_autofree char *small = NULL;
  g_assert_false(
      ckpt_fsio_read_file(path, (gsize)st.st_size - 1, &small, NULL, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
  g_assert_nonnull(strstr(error->message, "podman-none.tar"));
  g_assert_null(small);
}

/* missing: NOENT (watch's state file may not exist yet); a symlink to the
 * archive: refused, never followed */
static void
test_read_file_refused(void)
{
  g_autofree char *tmp = g_dir_make_tmp("ckpt-fsio-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename(tmp, "missing", NULL);
  g_autofree char *link = g_build_filename(tmp, "link.tar", NULL);
  g_autofree char *target = fixture("podman-none.tar");
  g_assert_cmpint(symlink(target, link), ==, 0);
  char *data = NULL;
  g_autoptr(GError) e1 = NULL;
  g_assert_false(ckpt_fsio_read_file(missing, 1 << 20, &data, NULL, &e1));
  g_assert_error(e1, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_autoptr(GError) e2 = NULL;
  g_assert_false(ckpt_fsio_read_file(link, 1 << 30, &data, NULL, &e2));
  g_assert_error(e2, G_FILE_ERROR, G_FILE_ERROR_LOOP);
  g_assert_nonnull(strstr(e2->message, "link.tar"));
  g_assert_null(data);
  unlink(link);
  g_rmdir(tmp);
}

/* open_entry: a symlink to / is never followed, a FIFO never blocks, a
 * file asked for as a directory is refused */
static void
test_open_entry(void)
{
  g_autofree char *tmp = g_dir_make_tmp("ckpt-fsio-XXXXXX", NULL);
  int dfd = open(tmp, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint(dfd, >=, 0);
  g_assert_cmpint(symlinkat("/", dfd, "root"), ==, 0);
  g_assert_cmpint(mkfifoat(dfd, "fifo", 0600), ==, 0);
  g_autofree char *dir = fixture("criu-dir");
  errno = 0;
  g_assert_cmpint(ckpt_fsio_open_entry(dfd, "root", TRUE), ==, -1);
  g_assert_true(errno == ELOOP || errno == ENOTDIR);
  g_assert_cmpint(ckpt_fsio_open_entry(dfd, "root", FALSE), ==, -1);
  g_assert_cmpint(errno, ==, ELOOP);
  int f = ckpt_fsio_open_entry(dfd, "fifo", FALSE);
  g_assert_cmpint(f, >=, 0);
  close(f);
  int d = ckpt_fsio_open_entry(AT_FDCWD, dir, TRUE);
  g_assert_cmpint(d, >=, 0);
  g_assert_cmpint(ckpt_fsio_open_entry(d, "pstree.img", TRUE), ==, -1);
  g_assert_cmpint(errno, ==, ENOTDIR);
  int img = ckpt_fsio_open_entry(d, "pstree.img", FALSE);
  g_assert_cmpint(img, >=, 0);
  close(img);
  close(d);
  unlinkat(dfd, "root", 0);
  unlinkat(dfd, "fifo", 0);
  close(dfd);
  g_rmdir(tmp);
}

/* a listing of a real checkpoint directory on a descriptor of its own
 * (dfd still works after closedir); a file is no directory; pread reads
 * at an offset and leaves the file's offset alone */
static void
test_opendir_pread(void)
{
  g_autofree char *dir = fixture("criu-dir");
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint(dfd, >=, 0);
  DIR *d = ckpt_fsio_opendir_fd(dfd);
  g_assert_nonnull(d);
  gboolean pstree = FALSE;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    pstree = pstree || strcmp(de->d_name, "pstree.img") == 0;
  closedir(d);
  g_assert_true(pstree);
  int img = openat(dfd, "pstree.img", O_RDONLY);
  g_assert_cmpint(img, >=, 0); /* dfd is still open */
  errno = 0;
  g_assert_null(ckpt_fsio_opendir_fd(img));
  g_assert_cmpint(errno, ==, ENOTDIR);
  guint8 magic[4], again[4];
  g_assert_cmpint(ckpt_fsio_pread(img, magic, 4, 0), ==, 4);
  g_assert_cmpint(ckpt_fsio_pread(img, again, 4, 0), ==, 4);
  g_assert_cmpmem(magic, 4, again, 4);
  g_assert_cmpint(lseek(img, 0, SEEK_CUR), ==, 0);
  g_assert_cmpint(ckpt_fsio_pread(img, magic, 4, 1 << 30), ==, 0);
  close(img);
  g_assert_cmpint(ckpt_fsio_pread(img, magic, 4, 0), ==, -1);
  g_assert_cmpint(errno, ==, EBADF);
  close(dfd);
}

/* write_all into a pipe, read_fd back to the end; a writer that never
 * closes meets the deadline; more than max is too big */
static void
test_pipe(void)
{
  int p[2];
  g_assert_cmpint(pipe(p), ==, 0);
  static const char msg[] = "one record\n";
  g_assert_true(ckpt_fsio_write_all(p[1], msg, sizeof msg - 1));
  g_autoptr(GByteArray) b = g_byte_array_new();
  gint64 soon = g_get_monotonic_time() + 200 * 1000;
  g_assert_cmpint(ckpt_fsio_read_fd(p[0], 1 << 20, soon, b), ==,
                  CKPT_FSIO_TIMEDOUT);
  g_assert_cmpuint(b->len, ==, sizeof msg - 1);
  close(p[1]);
  g_assert_cmpint(ckpt_fsio_read_fd(p[0], 1 << 20, 0, b), ==, CKPT_FSIO_DONE);
  g_assert_cmpint(memcmp(b->data, msg, b->len), ==, 0);
  close(p[0]);

  g_assert_cmpint(pipe(p), ==, 0);
  g_assert_true(ckpt_fsio_write_all(p[1], msg, sizeof msg - 1));
  close(p[1]);
  g_autoptr(GByteArray) c = g_byte_array_new();
  g_assert_cmpint(ckpt_fsio_read_fd(p[0], 4, 0, c), ==, CKPT_FSIO_TOO_BIG);
  close(p[0]);

  /* a closed reader: the write fails with errno (SIGPIPE ignored) */
  g_assert_cmpint(pipe(p), ==, 0);
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  g_assert_false(ckpt_fsio_write_all(p[1], msg, sizeof msg - 1));
  g_assert_cmpint(errno, ==, EPIPE);
  close(p[1]);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/fsio/read-file-bounded", test_read_file_bounded);
  g_test_add_func("/fsio/read-file-refused", test_read_file_refused);
  g_test_add_func("/fsio/open-entry", test_open_entry);
  g_test_add_func("/fsio/pipe", test_pipe);
  g_test_add_func("/fsio/opendir-pread", test_opendir_pread);
  return g_test_run();
}

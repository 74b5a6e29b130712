/* fsio.c - whole reads and writes, bounded (fsio.h). */
#include "util/fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "util/error.h"

gboolean
ckpt_fsio_write_all(int fd, const void *buf, size_t n)
{
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return FALSE;
    }
    p += w;
    n -= (size_t)w;
  }
  return TRUE;
}

DIR *
ckpt_fsio_opendir_fd(int dfd)
{
  int own = dup(dfd);
  DIR *d = own >= 0 ? fdopendir(own) : NULL;
  if (d == NULL && own >= 0) {
    int e = errno;
    close(own);
    errno = e;
  }
  return d;
}

ssize_t
ckpt_fsio_pread(int fd, void *buf, size_t n, off_t at)
{
  ssize_t r;
  do
    r = pread(fd, buf, n, at);
  while (r < 0 && errno == EINTR);
  return r;
}

CkptFsioStatus
ckpt_fsio_read_fd(int fd, gsize max, gint64 deadline, GByteArray *out)
{
  guint8 buf[65536];
  gsize got = 0;
  for (;;) {
    if (deadline) {
      gint64 left = deadline - g_get_monotonic_time();
      struct pollfd pfd = {.fd = fd, .events = POLLIN};
      int n = left > 0 ? poll(&pfd, 1, (int)MIN(left / 1000 + 1, G_MAXINT)) : 0;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return CKPT_FSIO_FAILED;
      if (n == 0)
        return CKPT_FSIO_TIMEDOUT;
    }
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return CKPT_FSIO_FAILED;
    if (r == 0)
      return CKPT_FSIO_DONE;
    if ((gsize)r > max - got)
      return CKPT_FSIO_TOO_BIG;
    got += (gsize)r;
    g_byte_array_append(out, buf, (guint)r);
  }
}

gboolean
ckpt_fsio_read_file(const char *path, gsize max, char **data, gsize *len,
                    GError **error)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "%s: cannot open: %s", path, g_strerror(e));
    return FALSE;
  }
  g_autoptr(GByteArray) b = g_byte_array_new();
  CkptFsioStatus st = ckpt_fsio_read_fd(fd, max, 0, b);
  int e = errno;
  close(fd);
  if (st == CKPT_FSIO_TOO_BIG) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max);
    return FALSE;
  }
  if (st != CKPT_FSIO_DONE) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "%s: cannot read: %s", path, g_strerror(e));
    return FALSE;
  }
  if (len)
    *len = b->len;
  g_byte_array_append(b, (const guint8 *)"", 1);
  *data = (char *)g_byte_array_free(g_steal_pointer(&b), FALSE);
  return TRUE;
}

int
ckpt_fsio_open_entry(int dfd, const char *name, gboolean dir)
{
  int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  return openat(dfd, name, dir ? flags | O_DIRECTORY : flags);
}

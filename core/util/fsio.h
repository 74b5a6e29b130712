/* fsio.h - the one way the engine reads and writes whole files and
 * descriptors: writes that survive EINTR and short counts, reads bounded
 * by a size (and a deadline), entries opened below a directory's
 * descriptor without following a symlink. */
#ifndef CKPT_FSIO_H
#define CKPT_FSIO_H

#include <dirent.h>
#include <glib.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all n bytes of buf to fd, again after EINTR and short writes;
 * FALSE with errno set (EIO for a write of 0). */
gboolean ckpt_fsio_write_all(int fd, const void *buf, size_t n);

/* A listing of the open directory dfd (readdir, then closedir), on a
 * descriptor of its own: dfd stays the caller's. NULL with errno set. */
DIR *ckpt_fsio_opendir_fd(int dfd);

/* pread(2), again after EINTR: bytes read (0 at the end), or -1 with
 * errno set. fd's offset is left alone. */
ssize_t ckpt_fsio_pread(int fd, void *buf, size_t n, off_t at);

typedef enum {
  CKPT_FSIO_DONE,     /* read to the end */
  CKPT_FSIO_FAILED,   /* a read failed: errno */
  CKPT_FSIO_TOO_BIG,  /* more than max bytes */
  CKPT_FSIO_TIMEDOUT, /* the deadline passed before the end */
} CkptFsioStatus;

/* Appends what fd holds up to its end to out, at most max bytes; with a
 * deadline (g_get_monotonic_time() microseconds, 0: none) gives up when
 * the end has not come by then. */
CkptFsioStatus ckpt_fsio_read_fd(int fd, gsize max, gint64 deadline,
                                 GByteArray *out);

/* The whole file at path (its last component never a symlink: ELOOP), at
 * most max bytes, NUL-terminated (*len without the NUL, may be NULL).
 * FALSE with error: G_FILE_ERROR from errno when it cannot be opened or
 * read (G_FILE_ERROR_NOENT when missing), CKPT_ERROR_LIMIT when larger
 * than max; the message names path. */
gboolean ckpt_fsio_read_file(const char *path, gsize max, char **data,
                             gsize *len, GError **error);

/* Opens entry name of the directory dfd read-only, never through a
 * symlink (ELOOP; ENOTDIR with dir), without blocking on a FIFO or taking a
 * terminal; dir: it must be a directory. -1 with errno set. */
int ckpt_fsio_open_entry(int dfd, const char *name, gboolean dir);

#endif

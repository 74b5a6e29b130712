/* file.c - a rendered document into a file of its own (ckpt report -o):
 * written beside its final name under a temporary one, then moved in
 * place, so a reader never sees half a report and a failure leaves no
 * file. Without force an existing name is refused, atomically: the
 * temporary file is hard-linked to the name, which fails when it exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/renderer.h"

gboolean
ckpt_render_to_path(const char *path, gboolean force, GPtrArray *reports,
                    const CkptRenderOptions *opt, GError **error)
{
  struct stat st;
  if (!force && lstat(path, &st) == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s exists (--force replaces it)", path);
    return FALSE;
  }
  if (force && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s is a directory",
                path);
    return FALSE;
  }
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *tmp = g_build_filename(dir, ".ckpt-report-XXXXXX", NULL);
  int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "cannot write in %s: %s", dir, g_strerror(e));
    return FALSE;
  }
  /* mkstemp makes 0600; a report is meant to be read and mailed */
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) {
    /* not fatal: the file is still the user's */
  }
  FILE *f = fdopen(fd, "w");
  if (f == NULL) {
    close(fd);
    unlink(tmp);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot open %s",
                tmp);
    return FALSE;
  }
  ckpt_render(f, reports, opt);
  gboolean failed = fflush(f) != 0 || ferror(f) || fsync(fd) != 0;
  failed |= fclose(f) != 0;
  if (failed) {
    int e = errno;
    unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "cannot write %s: %s", path, g_strerror(e));
    return FALSE;
  }
  int rc = force ? rename(tmp, path) : link(tmp, path);
  int e = errno;
  if (!force || rc != 0)
    unlink(tmp);
  if (rc != 0) {
    if (e == EEXIST)
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                  "%s exists (--force replaces it)", path);
    else
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "cannot write %s: %s", path, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

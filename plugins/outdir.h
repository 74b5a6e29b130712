/* outdir.h - the directory a plugin writes its files into (extract's
 * --output, memory's --core-dir): made here, or an empty directory (any
 * directory with force); never a symlink, so nothing the checkpoint names
 * is written through a link planted in the user's way. The plugin then
 * writes below the returned descriptor (openat), never by path.
 * Header-only, like zeropad.h: each plugin stays linked against nothing.
 */
#ifndef CKPT_PLUGINS_OUTDIR_H
#define CKPT_PLUGINS_OUTDIR_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/plugin.h"

/* Whether the open directory fd holds nothing but "." and ".."; an
 * unreadable one counts as empty (what is then written fails on its own). */
static inline gboolean
outdir_empty(int fd)
{
  int dup_fd = dup(fd);
  DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  gboolean empty = TRUE;
  struct dirent *e;
  while (d && empty && (e = readdir(d)) != NULL)
    empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  if (d)
    closedir(d);
  else if (dup_fd >= 0)
    close(dup_fd);
  return empty;
}

/* A descriptor of dir (the value of option flag, e.g. "--output"), made
 * 0700 when missing; -1 after api->error naming flag and dir when it
 * cannot be made or opened, is a symlink or not a directory, or is not
 * empty and force is off. The caller closes it. */
static inline int
outdir_open(const CkptApi *api, CkptRun *run, const char *flag, const char *dir,
            gboolean force)
{
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    api->error(run, "%s %s: cannot create: %s", flag, dir, g_strerror(errno));
    return -1;
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    api->error(run, "%s %s: %s", flag, dir,
               errno == ELOOP || errno == ENOTDIR
                   ? "not a directory (a symlink is not followed)"
                   : g_strerror(errno));
    return -1;
  }
  if (!force && !outdir_empty(fd)) {
    api->error(run, "%s %s: not empty (--force writes into it)", flag, dir);
    close(fd);
    return -1;
  }
  return fd;
}

#endif

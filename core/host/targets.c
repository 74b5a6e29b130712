/* targets.c - what a command runs over (targets.h): a sweep's targets and
 * the checkpoints ckpt list finds under directories. */
#include "host/targets.h"

#include "host/shard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/imageset.h"
#include "host/run.h"
#include "model/model.h"
#include "util/fsio.h"

void
ckpt_problem_say(CkptSweepProblemFn fn, void *user, const char *fmt, ...)
{
  if (fn == NULL)
    return;
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *line = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fn(user, line);
}

/* ---- targets ------------------------------------------------------------ */

gboolean
ckpt_targets_is_checkpoint_dir(const char *path)
{
  int fd = ckpt_fsio_open_entry(AT_FDCWD, path, TRUE);
  if (fd < 0)
    return FALSE;
  CkptSetFormat fmt;
  gboolean yes = ckpt_imageset_sniff_fd(fd, &fmt);
  close(fd);
  return yes;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An entry of a swept directory: a regular file (a symlink to one is the
 * user's own pointer, as a shell glob would take it) or a checkpoint
 * directory, never reached through a symlink. */
static gboolean
is_target_entry(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return FALSE;
  if (S_ISDIR(st.st_mode))
    return ckpt_targets_is_checkpoint_dir(path);
  return (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
         g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

void
ckpt_targets_expand(const char *path, GPtrArray *out)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR) ||
      ckpt_targets_is_checkpoint_dir(path)) {
    g_ptr_array_add(out, g_strdup(path));
    return;
  }
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  if (dir == NULL) {
    g_ptr_array_add(out, g_strdup(path)); /* the open reports why */
    return;
  }
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *p = g_build_filename(path, name, NULL);
    if (is_target_entry(p))
      g_ptr_array_add(found, g_steal_pointer(&p));
  }
  /* a directory holding no checkpoint is itself the target: opening it
   * says what is missing (no inventory.img or pstree.img) */
  if (found->len == 0) {
    g_ptr_array_add(out, g_strdup(path));
    return;
  }
  g_ptr_array_sort(found, compare_strings);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add(out, g_strdup(found->pdata[i]));
}

/* ---- ckpt list: the host's side of a directory run ----------------------
 * The walk hands the list plugin (plugins/list) one checkpoint at a time
 * through dir_next (host/run.h); the plugin makes the rows. */

/* bounds --recursive; checkpoints sit one or two levels down in practice */
#define LIST_MAX_DEPTH 64

typedef struct {
  int fd;
  char *rel; /* below the listed directory; "" for itself */
  guint depth;
} PendingDir;

static void
pending_free(PendingDir *d)
{
  if (d->fd >= 0)
    close(d->fd);
  g_free(d->rel);
  g_free(d);
}

typedef struct {
  const CkptListOptions *o;
  char **dirs;
  guint n_dirs;
  guint next_dir; /* the next of dirs to open */
  guint root;     /* the index of the one being walked */
  guint *found;
  gboolean failed;
  gboolean ended; /* walk_next said there is nothing left */
  GQueue pending; /* PendingDir, level by level: no recursion on depth */
  PendingDir *cur;
  GPtrArray *names; /* cur's entries, sorted */
  guint next_name;
  /* the entry handed out last */
  CkptCheckpoint *c;
  char *path, *rel, *name;
} Walk;

#define say(w, ...)                                                            \
  ckpt_problem_say((w)->o->problem, (w)->o->problem_user, __VA_ARGS__)

static void
skipped(const Walk *w, const char *path, const char *why)
{
  if (w->o->verbose)
    say(w, "list: skipped %s: %s", path, why);
}

static void
walk_drop_entry(Walk *w)
{
  g_clear_pointer(&w->c, ckpt_checkpoint_free);
  g_clear_pointer(&w->path, g_free);
  g_clear_pointer(&w->rel, g_free);
  g_clear_pointer(&w->name, g_free);
}

/* fd: the entry, opened O_NOFOLLOW and sniffed as a checkpoint. TRUE when
 * it is one, opened into w->c. */
static gboolean
walk_checkpoint(Walk *w, int fd, const char *path)
{
  if (!ckpt_shard_keep(path)) /* --shard: another worker's */
    return FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c =
      ckpt_checkpoint_open_meta(fd, path, w->o->limits, &error);
  if (c == NULL) {
    say(w, "list: %s", error->message);
    w->failed = TRUE;
    return FALSE;
  }
  /* a tar or a directory without CRIU's images is some other file */
  const uint8_t *data;
  size_t len;
  if (!ckpt_imageset_image(c->images, "inventory.img", &data, &len) &&
      !ckpt_imageset_image(c->images, "pstree.img", &data, &len)) {
    skipped(w, path, "not a checkpoint (no CRIU images)");
    return FALSE;
  }
  w->c = g_steal_pointer(&c);
  return TRUE;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of an open directory; NULL with errno set. */
static GPtrArray *
read_names(int dfd)
{
  DIR *d = ckpt_fsio_opendir_fd(dfd);
  if (d == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
      g_ptr_array_add(names, g_strdup(de->d_name));
  closedir(d);
  g_ptr_array_sort(names, cmp_names);
  return names;
}

/* One entry of the directory being walked: TRUE for a checkpoint (w->c,
 * path, rel, name set); a directory to walk is queued, anything else
 * skipped. */
static gboolean
walk_entry(Walk *w, const char *name)
{
  const PendingDir *dir = w->cur;
  const char *root = w->dirs[w->root];
  g_autofree char *rel =
      *dir->rel ? g_build_filename(dir->rel, name, NULL) : g_strdup(name);
  g_autofree char *path = g_build_filename(root, rel, NULL);
  struct stat st;
  if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    say(w, "list: %s: %s", path, g_strerror(errno));
    w->failed = TRUE;
    return FALSE;
  }
  if (S_ISLNK(st.st_mode)) {
    skipped(w, path, "a symlink (not followed)");
    return FALSE;
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    skipped(w, path, "neither a regular file nor a directory");
    return FALSE;
  }
  int fd = ckpt_fsio_open_entry(dir->fd, name, S_ISDIR(st.st_mode));
  if (fd < 0) {
    /* ELOOP: it became a symlink since the lstat */
    say(w, "list: %s: cannot open: %s", path, g_strerror(errno));
    w->failed = TRUE;
    return FALSE;
  }
  CkptSetFormat format;
  if (ckpt_imageset_sniff_fd(fd, &format)) {
    gboolean yes = walk_checkpoint(w, fd, path);
    close(fd);
    if (yes) {
      w->path = g_steal_pointer(&path);
      w->rel = g_steal_pointer(&rel);
      w->name = g_strdup(name);
    }
    return yes;
  }
  const char *why = NULL;
  if (S_ISREG(st.st_mode))
    why = "not a checkpoint";
  else if (!w->o->recursive)
    why = "a directory without CRIU images (see --recursive)";
  else if (dir->depth + 1 > LIST_MAX_DEPTH)
    why = "deeper than " G_STRINGIFY(LIST_MAX_DEPTH) " levels";
  if (why) {
    skipped(w, path, why);
    close(fd);
    return FALSE;
  }
  PendingDir *sub = g_new0(PendingDir, 1);
  sub->fd = fd;
  sub->rel = g_steal_pointer(&rel);
  sub->depth = dir->depth + 1;
  g_queue_push_tail(&w->pending, sub);
  return FALSE;
}

/* Opens the next directory given; FALSE when there is none left. */
static gboolean
walk_next_root(Walk *w)
{
  while (w->next_dir < w->n_dirs) {
    w->root = w->next_dir++;
    const char *root = w->dirs[w->root];
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      say(w, "list: %s: cannot open directory: %s", root, g_strerror(errno));
      w->failed = TRUE;
      continue;
    }
    PendingDir *top = g_new0(PendingDir, 1);
    top->fd = fd;
    top->rel = g_strdup("");
    g_queue_push_tail(&w->pending, top);
    return TRUE;
  }
  return FALSE;
}

/* CkptDirNextFn over the directories: root by root, each level by level. */
static gboolean
walk_next(void *user, CkptDirEntryInfo *e, CkptCheckpoint **c)
{
  Walk *w = user;
  walk_drop_entry(w);
  for (;;) {
    if (w->cur && w->names && w->next_name < w->names->len) {
      if (!walk_entry(w, w->names->pdata[w->next_name++]))
        continue;
      const uint8_t *data;
      size_t len;
      e->path = w->path;
      e->dir = w->dirs[w->root];
      e->dir_index = w->root;
      e->rel = w->rel;
      e->name = w->name;
      e->times_from_config =
          ckpt_imageset_meta(w->c->images, "config.dump", &data, &len);
      *c = w->c;
      w->found[w->root]++;
      return TRUE;
    }
    g_clear_pointer(&w->cur, pending_free);
    g_clear_pointer(&w->names, g_ptr_array_unref);
    w->cur = g_queue_pop_head(&w->pending);
    if (w->cur == NULL) {
      if (!walk_next_root(w)) {
        w->ended = TRUE;
        return FALSE;
      }
      continue;
    }
    const char *root = w->dirs[w->root];
    w->next_name = 0;
    w->names = read_names(w->cur->fd);
    if (w->names == NULL) {
      say(w, "list: %s%s%s: cannot read: %s", root, *w->cur->rel ? "/" : "",
          w->cur->rel, g_strerror(errno));
      w->failed = TRUE;
    }
  }
}

CkptReport *
ckpt_targets_list(const CkptHost *h, const CkptListOptions *o, char **dirs,
                  guint n, guint *found, gboolean *failed)
{
  Walk w = {.o = o, .dirs = dirs, .n_dirs = n, .found = found};
  memset(found, 0, n * sizeof *found);
  CkptReport *out = ckpt_report_new("checkpoints");
  out->opened = TRUE;
  const CkptLoadedPlugin *p = ckpt_host_find(h, "list");
  if (p == NULL) {
    say(&w, "list: the list plugin is not loaded (see ckpt plugins)");
    *failed = TRUE;
    return out;
  }
  GArray *opts = ckpt_options_new(p->desc);
  ckpt_host_run_dir(h, p, opts, walk_next, &w, out);
  g_array_unref(opts);
  /* a plugin that stopped early leaves the walk part-way: what it did not
   * take is not listed, which the user must hear */
  if (!w.ended) {
    say(&w,
        "list: the %s plugin stopped before the end of the walk: "
        "the checkpoints after the last row are not listed",
        p->desc->name);
    w.failed = TRUE;
  }
  walk_drop_entry(&w);
  g_clear_pointer(&w.cur, pending_free);
  g_clear_pointer(&w.names, g_ptr_array_unref);
  g_queue_clear_full(&w.pending, (GDestroyNotify)pending_free);
  *failed = w.failed;
  return out;
}

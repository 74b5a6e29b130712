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
#include "model/model.h"

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
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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

/* ---- ckpt list ---------------------------------------------------------- */

/* bounds --recursive; checkpoints sit one or two levels down in practice */
#define LIST_MAX_DEPTH 64

static const CkptColumn list_columns[] = {
    {"namespace", CKPT_T_STR, "Namespace"},
    {"pod", CKPT_T_STR, "Pod"},
    {"container", CKPT_T_STR, "Container"},
    {"engine", CKPT_T_STR, "Engine"},
    {"time_checkpointed", CKPT_T_TIME, "Time Checkpointed"},
    {"checkpoint_name", CKPT_T_STR, "Checkpoint Name"},
    {NULL},
};

static const CkptTable list_tables[] = {
    {"checkpoints", "Checkpoints", CKPT_LAYOUT_TABLE, list_columns},
    {NULL},
};

static const CkptOption list_options[] = {{NULL}};

/* The rows' schema, declared as a plugin's so the host renders them. */
static const CkptPlugin list_desc = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "list",
    .version = "0.2.0",
    .description = "checkpoints found in directories",
    .license = "Apache-2.0",
    .options = list_options,
    .tables = list_tables,
};

/* ---- kubelet names ------------------------------------------------------ */

typedef struct {
  char *pod;
  char *namespace_;
  char *container;
  int64_t time;
} KubeletName;

static void
kubelet_name_release(KubeletName *k)
{
  g_free(k->pod);
  g_free(k->namespace_);
  g_free(k->container);
}

/* The kubelet names its archives checkpoint-<pod>_<namespace>-<container>-
 * <RFC 3339 time>.tar. Pod names hold no '_', so the pod ends at the first
 * one; the time is the RFC 3339 tail. Namespace and container are both
 * DNS labels and may both hold '-', so that split is ambiguous: it is made
 * at the container name the metadata gives when it matches, else at the
 * last '-' (container names are the shorter ones in practice). */
static gboolean
parse_kubelet_name(const char *name, const char *container, KubeletName *k)
{
  memset(k, 0, sizeof(*k));
  if (!g_str_has_prefix(name, "checkpoint-") || !g_str_has_suffix(name, ".tar"))
    return FALSE;
  g_autofree char *body = g_strndup(name + strlen("checkpoint-"),
                                    strlen(name) - strlen("checkpoint-.tar"));
  char *us = strchr(body, '_');
  if (us == NULL || us == body)
    return FALSE;
  *us = '\0';
  char *rest = us + 1;
  size_t n = strlen(rest);
  /* "2006-01-02T15:04:05Z" or "2006-01-02T15:04:05+07:00" */
  static const size_t time_lens[] = {20, 25};
  char *split = NULL;
  for (size_t i = 0; split == NULL && i < G_N_ELEMENTS(time_lens); i++) {
    size_t tl = time_lens[i];
    if (n <= tl + 1 || rest[n - tl - 1] != '-')
      continue;
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(rest + n - tl, NULL);
    if (dt == NULL)
      continue;
    k->time = g_date_time_to_unix(dt);
    split = rest + n - tl - 1;
  }
  if (split == NULL)
    return FALSE;
  *split = '\0'; /* rest: "<namespace>-<container>" */
  char *dash = NULL;
  size_t rn = strlen(rest);
  size_t cn = container ? strlen(container) : 0;
  if (cn > 0 && rn > cn + 1 && rest[rn - cn - 1] == '-' &&
      strcmp(rest + rn - cn, container) == 0)
    dash = rest + rn - cn - 1;
  else
    dash = strrchr(rest, '-');
  if (dash == NULL || dash == rest || dash[1] == '\0')
    return FALSE;
  *dash = '\0';
  k->pod = g_strdup(body);
  k->namespace_ = g_strdup(rest);
  k->container = g_strdup(dash + 1);
  return TRUE;
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct {
  const CkptListOptions *o;
  CkptReport *out;
  CkptPluginResult *pr;
  gboolean failed;
  guint found;
} Lister;

#define say(l, ...)                                                            \
  ckpt_problem_say((l)->o->problem, (l)->o->problem_user, __VA_ARGS__)

typedef struct {
  int fd;
  char *rel; /* below the listed directory; "" for itself */
  guint depth;
} PendingDir;

static CkptValue
str_or_null(const char *s)
{
  return s && *s ? CKPT_STR(s) : CKPT_NULL;
}

static void
skipped(const Lister *l, const char *path, const char *why)
{
  if (l->o->verbose)
    say(l, "list: skipped %s: %s", path, why);
}

/* fd: the entry, opened O_NOFOLLOW and sniffed as a checkpoint */
static void
list_checkpoint(Lister *l, int fd, const char *path, const char *rel,
                const char *name)
{
  if (!ckpt_shard_keep(path)) /* --shard: another worker's */
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c =
      ckpt_checkpoint_open_meta(fd, path, l->o->limits, &error);
  if (c == NULL) {
    say(l, "list: %s", error->message);
    l->failed = TRUE;
    return;
  }
  /* a tar or a directory without CRIU's images is some other file */
  const uint8_t *data;
  size_t len;
  if (!ckpt_imageset_image(c->images, "inventory.img", &data, &len) &&
      !ckpt_imageset_image(c->images, "pstree.img", &data, &len)) {
    skipped(l, path, "not a checkpoint (no CRIU images)");
    return;
  }
  const CkptContainerInfo *ci = &c->container;
  KubeletName k;
  gboolean kube = parse_kubelet_name(name, ci->name, &k);
  /* without config.dump the model's time is only a member's mtime: the
   * kubelet's name says better */
  gboolean meta_time =
      ci->checkpointed &&
      ckpt_imageset_meta(c->images, "config.dump", &data, &len);
  CkptValue v[] = {
      str_or_null(ci->pod_namespace ? ci->pod_namespace : k.namespace_),
      str_or_null(ci->pod ? ci->pod : k.pod),
      str_or_null(ci->name ? ci->name : k.container),
      str_or_null(ci->engine),
      meta_time          ? CKPT_TIME(ci->checkpointed)
      : kube             ? CKPT_TIME(k.time)
      : ci->checkpointed ? CKPT_TIME(ci->checkpointed)
                         : CKPT_NULL,
      CKPT_STR(rel),
  };
  ckpt_report_add_row(l->out, l->pr, 0, 0, v);
  if (kube)
    kubelet_name_release(&k);
  l->found++;
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
  int own = dup(dfd);
  DIR *d = own >= 0 ? fdopendir(own) : NULL;
  if (d == NULL) {
    int e = errno;
    if (own >= 0)
      close(own);
    errno = e;
    return NULL;
  }
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
      g_ptr_array_add(names, g_strdup(de->d_name));
  closedir(d);
  g_ptr_array_sort(names, cmp_names);
  return names;
}

/* One entry of a listed directory: a checkpoint, a directory to walk, or
 * something skipped. */
static void
list_entry(Lister *l, const char *root, const PendingDir *dir, const char *name,
           GQueue *pending)
{
  g_autofree char *rel =
      *dir->rel ? g_build_filename(dir->rel, name, NULL) : g_strdup(name);
  g_autofree char *path = g_build_filename(root, rel, NULL);
  struct stat st;
  if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    say(l, "list: %s: %s", path, g_strerror(errno));
    l->failed = TRUE;
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    skipped(l, path, "a symlink (not followed)");
    return;
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    skipped(l, path, "neither a regular file nor a directory");
    return;
  }
  int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (S_ISDIR(st.st_mode))
    flags |= O_DIRECTORY;
  int fd = openat(dir->fd, name, flags);
  if (fd < 0) {
    /* ELOOP: it became a symlink since the lstat */
    say(l, "list: %s: cannot open: %s", path, g_strerror(errno));
    l->failed = TRUE;
    return;
  }
  CkptSetFormat format;
  if (ckpt_imageset_sniff_fd(fd, &format)) {
    list_checkpoint(l, fd, path, rel, name);
    close(fd);
    return;
  }
  if (S_ISREG(st.st_mode)) {
    skipped(l, path, "not a checkpoint");
    close(fd);
    return;
  }
  if (!l->o->recursive) {
    skipped(l, path, "a directory without CRIU images (see --recursive)");
    close(fd);
    return;
  }
  if (dir->depth + 1 > LIST_MAX_DEPTH) {
    skipped(l, path, "deeper than " G_STRINGIFY(LIST_MAX_DEPTH) " levels");
    close(fd);
    return;
  }
  PendingDir *sub = g_new0(PendingDir, 1);
  sub->fd = fd;
  sub->rel = g_steal_pointer(&rel);
  sub->depth = dir->depth + 1;
  g_queue_push_tail(pending, sub);
}

/* Lists root and, with --recursive, the directories below it, level by
 * level from a queue: no recursion on the tree's depth. */
static void
list_dir(Lister *l, const char *root)
{
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    say(l, "list: %s: cannot open directory: %s", root, g_strerror(errno));
    l->failed = TRUE;
    return;
  }
  GQueue pending = G_QUEUE_INIT;
  PendingDir *top = g_new0(PendingDir, 1);
  top->fd = fd;
  top->rel = g_strdup("");
  g_queue_push_tail(&pending, top);
  PendingDir *dir;
  while ((dir = g_queue_pop_head(&pending)) != NULL) {
    g_autoptr(GPtrArray) names = read_names(dir->fd);
    if (names == NULL) {
      say(l, "list: %s%s%s: cannot read: %s", root, *dir->rel ? "/" : "",
          dir->rel, g_strerror(errno));
      l->failed = TRUE;
    }
    for (guint i = 0; names && i < names->len; i++)
      list_entry(l, root, dir, names->pdata[i], &pending);
    close(dir->fd);
    g_free(dir->rel);
    g_free(dir);
  }
}

CkptReport *
ckpt_targets_list(const CkptListOptions *o, char **dirs, guint n, guint *found,
                  gboolean *failed)
{
  Lister l = {.o = o};
  l.out = ckpt_report_new("checkpoints");
  l.out->opened = TRUE;
  l.pr = ckpt_report_add_plugin(l.out, &list_desc);
  for (guint i = 0; i < n; i++) {
    guint before = l.found;
    list_dir(&l, dirs[i]);
    found[i] = l.found - before;
  }
  l.pr->outcome = CKPT_PLUGIN_RAN_OK;
  *failed = l.failed;
  return l.out;
}

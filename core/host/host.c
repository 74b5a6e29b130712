/* host.c - plugin discovery, loading, validation and the registry.
 *
 * A plugin file is trusted code once loaded, so what guards the host is
 * where files are taken from (see host.h) and what is checked before any
 * plugin code runs: the descriptor's ABI, size and declarations. init() is
 * called only after every dependency is known to be present.
 */
#include "host/host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt-config.h"
#include "model/secrets-detect.h"
#include "util/error.h"
#include "util/suggest.h"

#define MAX_DECLS 256

/* g_ptr_array_sort hands the comparator pointers to the elements */
static gint
ckpt_strv_cmp(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
} /* options, tables, dependencies of one plugin */

struct CkptHost {
  GPtrArray *plugins;  /* CkptLoadedPlugin*, discovery order */
  GHashTable *by_name; /* name -> CkptLoadedPlugin* */
  GPtrArray *refusals; /* char* */
  GArray *fds;         /* int: descriptors plugins were dlopen()ed through */
  gboolean verbose;
  gboolean quiet; /* plugins' warnings kept off stderr */
  CkptProgressFn progress;
  void *progress_user;
  gboolean reveal; /* the redaction policy is off (--reveal) */
};

void
ckpt_host_set_reveal(CkptHost *h, gboolean reveal)
{
  h->reveal = reveal;
}

gboolean
ckpt_host_reveal(const CkptHost *h)
{
  return h->reveal;
}

void
ckpt_host_set_progress(CkptHost *h, CkptProgressFn fn, void *user)
{
  h->progress = fn;
  h->progress_user = user;
}

CkptProgressFn
ckpt_host_get_progress(const CkptHost *h, void **user)
{
  *user = h->progress_user;
  return h->progress;
}

void
ckpt_host_progress(const CkptHost *h, const char *plugin, uint64_t done,
                   uint64_t total, const char *what)
{
  if (h->progress)
    h->progress(h->progress_user, plugin, done, total, what);
}

static void
loaded_free(gpointer data)
{
  CkptLoadedPlugin *lp = data;
  if (lp->initialised && lp->desc->fini)
    lp->desc->fini();
  if (lp->handle)
    dlclose(lp->handle);
  g_free(lp->path);
  g_free(lp);
}

unsigned
ckpt_plugin_reads(const CkptPlugin *desc)
{
  if (desc->abi_minor < 7 || desc->reads == 0)
    return 0;
  unsigned r = (unsigned)desc->reads;
  if (desc->abi_minor < 8) {
    /* 3.7's MODEL still meant the rootfs diff; 3.8's bits are unknown */
    if (r & CKPT_READS_MODEL)
      r |= CKPT_READS_ROOTFS;
    r &= ~(unsigned)CKPT_SHOWS_MEMORY_IN_WINDOWS;
  }
  return r;
}

CkptHost *
ckpt_host_new(void)
{
  /* the model's secrets engines (redaction) need libyara, initialised
   * once for the process here, on the thread that makes the host, before
   * any worker starts (secrets-detect.h); engines live for the process,
   * so it is never finalised. A failure shows when an engine is built. */
  static gsize yara_once = 0;
  if (g_once_init_enter(&yara_once)) {
    secrets_engine_global_init(NULL);
    g_once_init_leave(&yara_once, 1);
  }
  CkptHost *h = g_new0(CkptHost, 1);
  h->plugins = g_ptr_array_new();
  h->by_name = g_hash_table_new(g_str_hash, g_str_equal);
  h->refusals = g_ptr_array_new_with_free_func(g_free);
  h->fds = g_array_new(FALSE, FALSE, sizeof(int));
  return h;
}

void
ckpt_host_free(CkptHost *h)
{
  if (h == NULL)
    return;
  /* fini in reverse order of loading: dependents before dependencies */
  for (guint i = h->plugins->len; i > 0; i--)
    loaded_free(g_ptr_array_index(h->plugins, i - 1));
  g_ptr_array_unref(h->plugins);
  g_hash_table_unref(h->by_name);
  g_ptr_array_unref(h->refusals);
  /* only now: see ckpt_host_load_file */
  for (guint i = 0; i < h->fds->len; i++)
    close(g_array_index(h->fds, int, i));
  g_array_unref(h->fds);
  g_free(h);
}

void
ckpt_host_set_verbose(CkptHost *h, gboolean verbose)
{
  h->verbose = verbose;
}

gboolean
ckpt_host_verbose(const CkptHost *h)
{
  return h->verbose;
}

void
ckpt_host_set_quiet(CkptHost *h, gboolean quiet)
{
  h->quiet = quiet;
}

gboolean
ckpt_host_quiet(const CkptHost *h)
{
  return h->quiet;
}

GPtrArray *
ckpt_host_refusals(const CkptHost *h)
{
  return h->refusals;
}

GPtrArray *
ckpt_host_plugins(const CkptHost *h)
{
  return h->plugins;
}

const CkptLoadedPlugin *
ckpt_host_find(const CkptHost *h, const char *name)
{
  return g_hash_table_lookup(h->by_name, name);
}

const char *
ckpt_host_nearest(const CkptHost *h, const char *name)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (guint i = 0; i < h->plugins->len; i++) {
    const CkptLoadedPlugin *lp = g_ptr_array_index(h->plugins, i);
    g_ptr_array_add(names, (gpointer)lp->desc->name);
  }
  g_ptr_array_add(names, NULL);
  return ckpt_suggest(name, (const char *const *)names->pdata);
}

/* ---- search path ------------------------------------------------------ */

/* TRUE when the running executable sits inside the build tree, so the
 * build's plugins are used instead of an installed (maybe older) set. */
static gboolean
running_uninstalled(void)
{
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  if (exe == NULL)
    return FALSE;
  size_t n = strlen(CKPT_BUILD_ROOT);
  return strncmp(exe, CKPT_BUILD_ROOT, n) == 0 && exe[n] == '/';
}

const char *
ckpt_host_rules_dir(void)
{
  static gsize once;
  static const char *dir;
  if (g_once_init_enter(&once)) {
    /* uninstalled, the rules next to the sources are the ones that match
     * the build; an installed set may be older or absent */
    dir = running_uninstalled() ? CKPT_SOURCE_RULESDIR : CKPT_RULESDIR;
    g_once_init_leave(&once, 1);
  }
  return dir;
}

char *
ckpt_host_secret_rules(void)
{
  const char *d = ckpt_host_rules_dir();
  return g_strdup_printf("%s/credentials.yar,%s/keys.yar,%s/secrets", d, d, d);
}

static void
add_dir(GPtrArray *dirs, const char *dir)
{
  for (guint i = 0; i < dirs->len; i++)
    if (strcmp(g_ptr_array_index(dirs, i), dir) == 0)
      return;
  g_ptr_array_add(dirs, g_strdup(dir));
}

/* The build tree holds each plugin in its own folder: plugins/NAME/. */
static void
add_build_plugin_dirs(GPtrArray *dirs)
{
  g_autoptr(GDir) d = g_dir_open(CKPT_BUILD_PLUGINDIR, 0, NULL);
  if (d == NULL)
    return;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    g_ptr_array_add(names, g_build_filename(CKPT_BUILD_PLUGINDIR, name, NULL));
  g_ptr_array_sort(names, ckpt_strv_cmp);
  for (guint i = 0; i < names->len; i++) {
    const char *sub = g_ptr_array_index(names, i);
    if (g_file_test(sub, G_FILE_TEST_IS_DIR))
      add_dir(dirs, sub);
  }
}

GPtrArray *
ckpt_host_search_dirs(const char *const *explicit_paths)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; explicit_paths && explicit_paths[i]; i++) {
    /* relative paths are the user's choice, made absolute here so a later
     * chdir cannot change what is loaded */
    g_autofree char *abs = g_canonicalize_filename(explicit_paths[i], NULL);
    add_dir(dirs, abs);
  }
  const char *env = g_getenv("CKPT_PLUGIN_PATH");
  if (env) {
    g_auto(GStrv) parts = g_strsplit(env, ":", -1);
    /* an empty or relative entry would mean the current directory */
    for (size_t i = 0; parts[i]; i++)
      if (g_path_is_absolute(parts[i]))
        add_dir(dirs, parts[i]);
  }
  const char *data_home = g_getenv("XDG_DATA_HOME");
  g_autofree char *user =
      data_home && g_path_is_absolute(data_home)
          ? g_build_filename(data_home, "ckpt", "plugins", NULL)
          : g_build_filename(g_get_home_dir(), ".local", "lib", "ckpt",
                             "plugins", NULL);
  add_dir(dirs, user);
  if (running_uninstalled())
    add_build_plugin_dirs(dirs);
  else
    add_dir(dirs, CKPT_PLUGINDIR);
  return dirs;
}

/* ---- validation ------------------------------------------------------- */

gboolean
ckpt_name_valid(const char *name)
{
  if (name == NULL || *name == '\0' || strlen(name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
column_name_valid(const char *name)
{
  if (name == NULL || *name == '\0' || strlen(name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
      return FALSE;
  return TRUE;
}

gboolean
ckpt_option_parse(CkptType type, const char *text, int64_t *number,
                  gboolean *flag)
{
  int64_t n = 0;
  gboolean f = FALSE;
  switch (type) {
  case CKPT_T_STR:
  case CKPT_T_LIST:
    break;
  case CKPT_T_INT:
    if (!g_ascii_string_to_signed(text, 10, INT64_MIN, INT64_MAX, &n, NULL))
      return FALSE;
    break;
  case CKPT_T_UINT: {
    guint64 u;
    if (!g_ascii_string_to_unsigned(text, 10, 0, INT64_MAX, &u, NULL))
      return FALSE;
    n = (int64_t)u;
    break;
  }
  case CKPT_T_SIZE: {
    /* a size takes the same suffixes as --limit */
    CkptLimits l;
    g_autofree char *assign = g_strconcat("max-entries=", text, NULL);
    if (!ckpt_limits_set(&l, assign, NULL) || l.max_entries > INT64_MAX)
      return FALSE;
    n = (int64_t)l.max_entries;
    break;
  }
  case CKPT_T_BOOL:
    if (g_ascii_strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0 ||
        g_ascii_strcasecmp(text, "yes") == 0)
      f = TRUE;
    else if (g_ascii_strcasecmp(text, "false") == 0 || strcmp(text, "0") == 0 ||
             g_ascii_strcasecmp(text, "no") == 0)
      f = FALSE;
    else
      return FALSE;
    break;
  default:
    return FALSE;
  }
  if (number)
    *number = n;
  if (flag)
    *flag = f;
  return TRUE;
}

static gboolean
validate_options(const CkptPlugin *p, GError **error)
{
  size_t i;
  for (i = 0; p->options && p->options[i].name; i++) {
    const CkptOption *o = &p->options[i];
    if (i >= MAX_DECLS || !ckpt_name_valid(o->name)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "option %zu: invalid name", i);
      return FALSE;
    }
    if (o->type != CKPT_T_STR && o->type != CKPT_T_INT &&
        o->type != CKPT_T_UINT && o->type != CKPT_T_SIZE &&
        o->type != CKPT_T_BOOL && o->type != CKPT_T_LIST) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "option %s: type %s cannot be an option", o->name,
                  ckpt_type_name(o->type));
      return FALSE;
    }
    if (o->default_value &&
        !ckpt_option_parse(o->type, o->default_value, NULL, NULL)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "option %s: default '%s' is not a %s", o->name,
                  o->default_value, ckpt_type_name(o->type));
      return FALSE;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(p->options[j].name, o->name) == 0) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                    "option %s declared twice", o->name);
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
validate_tables(const CkptPlugin *p, GError **error)
{
  for (size_t i = 0; p->tables && p->tables[i].name; i++) {
    const CkptTable *t = &p->tables[i];
    if (i >= MAX_DECLS || !column_name_valid(t->name)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "table %zu: invalid name", i);
      return FALSE;
    }
    if ((unsigned)t->layout > CKPT_LAYOUT_RECORD) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "table %s: unknown layout %d", t->name, (int)t->layout);
      return FALSE;
    }
    size_t n = 0;
    for (; t->columns && t->columns[n].name; n++) {
      if (n >= MAX_DECLS || !column_name_valid(t->columns[n].name) ||
          (unsigned)t->columns[n].type > CKPT_T_DOUBLE) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                    "table %s: column %zu is invalid", t->name, n);
        return FALSE;
      }
    }
    if (n == 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN, "table %s: no columns",
                  t->name);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
ckpt_plugin_validate(const CkptPlugin *p, GError **error)
{
  if (p->abi_major != CKPT_ABI_MAJOR) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "ABI %u.%u, host has %u.%u: major differs", p->abi_major,
                p->abi_minor, CKPT_ABI_MAJOR, CKPT_ABI_MINOR);
    return FALSE;
  }
  if (p->abi_minor > CKPT_ABI_MINOR) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "ABI %u.%u is newer than the host's %u.%u", p->abi_major,
                p->abi_minor, CKPT_ABI_MAJOR, CKPT_ABI_MINOR);
    return FALSE;
  }
  if (p->size < offsetof(CkptPlugin, fini) + sizeof(p->fini)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "descriptor size %zu is too small", p->size);
    return FALSE;
  }
  if (!ckpt_name_valid(p->name)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "invalid plugin name (want [a-z0-9-]+)");
    return FALSE;
  }
  if (p->run == NULL && p->run_multi == NULL &&
      (p->abi_minor < 7 || p->run_dir == NULL)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "plugin %s has no run(), run_multi() nor run_dir()", p->name);
    return FALSE;
  }
  for (size_t i = 0; p->depends && p->depends[i]; i++) {
    if (i >= MAX_DECLS || !ckpt_name_valid(p->depends[i])) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "dependency %zu: invalid name", i);
      return FALSE;
    }
  }
  return validate_options(p, error) && validate_tables(p, error);
}

/* ---- loading ---------------------------------------------------------- */

static gboolean
has_module_suffix(const char *name)
{
  return g_str_has_suffix(name, ".so") && name[0] != '.';
}

/* ---- who may provide code run as root -------------------------------- */

/* As root, a plugin file is code run as root, so it must come from a path
 * only root could have changed: the real user (getuid()) is trusted too,
 * since ckpt runs on their behalf and they could run their own code as
 * root anyway when they are root. SUDO_UID is not trusted: it is only an
 * environment variable, and under sudo the real uid is already 0. */
static gboolean
owner_trusted(uid_t uid)
{
  return uid == 0 || uid == getuid();
}

static gboolean
mode_trusted(const char *what, const char *component, const struct stat *st,
             GError **error)
{
  if (!owner_trusted(st->st_uid)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "%s: refused while running as root: %s is owned by uid %u, "
                "not root or the real user",
                what, component, (unsigned)st->st_uid);
    return FALSE;
  }
  /* a sticky directory (/tmp) is no better: anyone may add names there */
  if (st->st_mode & (S_IWGRP | S_IWOTH)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "%s: refused: %s is writable by group or others while "
                "running as root",
                what, component);
    return FALSE;
  }
  return TRUE;
}

/* Whether dir is one of the directories the running executable itself
 * sits below: root already runs code whose path goes through it, so a
 * plugin below it is trusted no less (ckpt run from a build tree under
 * /tmp). Its owner is still checked. */
static gboolean
on_own_path(const char *dir)
{
  static char *exe; /* realpath of /proc/self/exe, once */
  static gsize done;
  if (g_once_init_enter(&done)) {
    exe = realpath("/proc/self/exe", NULL);
    /* without /proc: the name the kernel executed (before any chdir) */
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (exe == NULL && fn)
      exe = realpath(fn, NULL);
    g_once_init_leave(&done, 1);
  }
  if (exe == NULL)
    return FALSE;
  size_t n = strlen(dir);
  return strcmp(dir, "/") == 0 || (strncmp(exe, dir, n) == 0 && exe[n] == '/');
}

/* real is an absolute path with no symlinks (realpath()); checks it and
 * every directory above it up to /. what names the path as the user gave
 * it. Since each directory is trusted, nobody untrusted can swap a name
 * below it after the check. */
static gboolean
path_trusted(const char *what, const char *real, gboolean check_last,
             GError **error)
{
  g_autofree char *p = g_strdup(real);
  for (gboolean first = TRUE;; first = FALSE) {
    struct stat st;
    if (lstat(p, &st) != 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: %s: %s", what, p,
                  g_strerror(errno));
      return FALSE;
    }
    if (!first && on_own_path(p) && owner_trusted(st.st_uid)) {
      /* the executable's own directories: see on_own_path() */
    } else if ((check_last || !first) && !mode_trusted(what, p, &st, error))
      return FALSE;
    if (strcmp(p, "/") == 0)
      return TRUE;
    char *up = g_path_get_dirname(p);
    g_free(p);
    p = up;
  }
}

gboolean
ckpt_host_load_file(CkptHost *h, const char *path, GError **error)
{
  gboolean as_root = geteuid() == 0;
  g_autofree char *real = realpath(path, NULL);
  if (real == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: %s", path,
                g_strerror(errno));
    return FALSE;
  }
  /* the directories now, the file itself through the descriptor below */
  if (as_root && !path_trusted(path, real, FALSE, error))
    return FALSE;
  /* O_NOFOLLOW: real has no symlinks left, so one here was put there since;
   * O_NONBLOCK: a FIFO must not hang the open */
  int fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: %s", path,
                g_strerror(errno));
    return FALSE;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN, "%s: not a regular file",
                path);
    return FALSE;
  }
  if (as_root && !mode_trusted(path, real, &st, error)) {
    close(fd);
    return FALSE;
  }

  /* dlopen() the descriptor checked above, not the name again: what is
   * loaded is the file that was checked. RTLD_LOCAL: plugins do not see
   * each other's symbols; they share data through the host's results. */
  g_autofree char *fdpath = g_strdup_printf("/proc/self/fd/%d", fd);
  struct stat via;
  if (stat(fdpath, &via) != 0 || via.st_dev != st.st_dev ||
      via.st_ino != st.st_ino) {
    /* no /proc (some containers): the resolved name; as root its
     * directories were checked above, so nobody untrusted can have
     * swapped it since */
    g_free(fdpath);
    fdpath = g_strdup(real);
  }
  void *handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    close(fd);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN, "%s: cannot load: %s",
                path, dlerror());
    return FALSE;
  }
  /* The descriptor stays open as long as the host: the dynamic loader
   * knows the library by the name "/proc/self/fd/N" and would hand back
   * the old library for a later file opened on a reused N; open, the
   * name also resolves (realpath) to the file for the plugin's dladdr(). */
  g_array_append_val(h->fds, fd);
  const CkptPlugin *desc = dlsym(handle, CKPT_PLUGIN_SYMBOL);
  if (desc == NULL) {
    dlclose(handle);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "%s: no descriptor (symbol %s missing)", path,
                CKPT_PLUGIN_SYMBOL);
    return FALSE;
  }
  g_autoptr(GError) local = NULL;
  if (!ckpt_plugin_validate(desc, &local)) {
    dlclose(handle);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN, "%s: %s", path,
                local->message);
    return FALSE;
  }
  const CkptLoadedPlugin *prev = ckpt_host_find(h, desc->name);
  if (prev) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "%s: plugin %s already loaded from %s, ignored", path,
                desc->name, prev->path);
    dlclose(handle);
    return FALSE;
  }
  CkptLoadedPlugin *lp = g_new0(CkptLoadedPlugin, 1);
  lp->desc = desc;
  lp->path = g_strdup(path);
  lp->handle = handle;
  g_ptr_array_add(h->plugins, lp);
  g_hash_table_insert(h->by_name, (gpointer)desc->name, lp);
  return TRUE;
}

static void
refuse(CkptHost *h, const char *message)
{
  g_ptr_array_add(h->refusals, g_strdup(message));
}

static void
discover_dir(CkptHost *h, const char *dir)
{
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return; /* absent search directories are normal */
  g_autoptr(GError) error = NULL;
  /* as root, a directory reached through another user's tree (a HOME or
   * XDG_DATA_HOME kept by sudo -E, a symlink into /tmp) is refused whole;
   * each file is checked again when loaded */
  g_autofree char *real = realpath(dir, NULL);
  if (real == NULL) {
    g_autofree char *msg = g_strdup_printf("%s: %s", dir, g_strerror(errno));
    refuse(h, msg);
    return;
  }
  if (geteuid() == 0 && !path_trusted(dir, real, TRUE, &error)) {
    refuse(h, error->message);
    return;
  }
  g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
  if (d == NULL) {
    refuse(h, error->message);
    return;
  }
  /* sorted, so "first name wins" does not depend on readdir order */
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    if (has_module_suffix(name))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, ckpt_strv_cmp);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path =
        g_build_filename(dir, g_ptr_array_index(names, i), NULL);
    g_autoptr(GError) e = NULL;
    if (!ckpt_host_load_file(h, path, &e))
      refuse(h, e->message);
    else if (h->verbose)
      g_printerr("ckpt: loaded %s\n", path);
  }
}

void
ckpt_host_discover(CkptHost *h, GPtrArray *dirs)
{
  for (guint i = 0; i < dirs->len; i++)
    discover_dir(h, g_ptr_array_index(dirs, i));
}

static void
unload(CkptHost *h, guint index, const char *reason)
{
  CkptLoadedPlugin *lp = g_ptr_array_index(h->plugins, index);
  g_autofree char *msg = g_strdup_printf("%s: %s", lp->path, reason);
  refuse(h, msg);
  g_hash_table_remove(h->by_name, lp->desc->name);
  g_ptr_array_remove_index(h->plugins, index);
  loaded_free(lp);
}

/* Refuses plugins with a missing dependency until nothing changes: a
 * refusal may orphan another plugin. Bounded by the number of plugins. */
static void
check_dependencies(CkptHost *h)
{
  gboolean changed = TRUE;
  while (changed) {
    changed = FALSE;
    for (guint i = 0; i < h->plugins->len; i++) {
      CkptLoadedPlugin *lp = g_ptr_array_index(h->plugins, i);
      const char *const *deps = lp->desc->depends;
      for (size_t j = 0; deps && deps[j]; j++) {
        if (ckpt_host_find(h, deps[j]) && strcmp(deps[j], lp->desc->name))
          continue;
        g_autofree char *reason =
            strcmp(deps[j], lp->desc->name) == 0
                ? g_strdup_printf("plugin %s depends on itself", deps[j])
                : g_strdup_printf("plugin %s: missing dependency %s",
                                  lp->desc->name, deps[j]);
        unload(h, i, reason);
        changed = TRUE;
        break;
      }
      if (changed)
        break;
    }
  }
}

void
ckpt_host_finish(CkptHost *h, const CkptApi *api)
{
  check_dependencies(h);
  for (guint i = 0; i < h->plugins->len;) {
    CkptLoadedPlugin *lp = g_ptr_array_index(h->plugins, i);
    char *err = NULL;
    if (lp->desc->init && lp->desc->init(api, &err) != 0) {
      g_autofree char *reason =
          g_strdup_printf("plugin %s: init failed: %s", lp->desc->name,
                          err ? err : "no reason given");
      unload(h, i, reason);
      /* plugins depending on it lose their dependency */
      check_dependencies(h);
      i = 0;
      continue;
    }
    lp->initialised = TRUE;
    i++;
  }
}

/* ---- options ---------------------------------------------------------- */

static void
option_value_clear(gpointer data)
{
  CkptOptionValue *v = data;
  g_free(v->text);
  if (v->items)
    g_ptr_array_unref(v->items);
}

/* The items of a value: a LIST's text split at newlines when it holds
 * any, else at commas (so a caller can pass paths holding commas), empty
 * parts dropped, appended to items; any other type's whole text. */
static void
add_items(GPtrArray *items, CkptType type, const char *text)
{
  g_ptr_array_remove_index(items, items->len - 1); /* the NULL end */
  if (type != CKPT_T_LIST) {
    g_ptr_array_add(items, g_strdup(text));
  } else {
    g_auto(GStrv) parts = g_strsplit(text, strchr(text, '\n') ? "\n" : ",", -1);
    for (size_t i = 0; parts[i]; i++)
      if (parts[i][0] != '\0')
        g_ptr_array_add(items, g_strdup(parts[i]));
  }
  g_ptr_array_add(items, NULL);
}

static GPtrArray *
items_new(void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(items, NULL);
  return items;
}

/* A LIST's text is its items joined by commas. */
static char *
items_text(GPtrArray *items)
{
  return g_strjoinv(",", (char **)items->pdata);
}

GArray *
ckpt_options_new(const CkptPlugin *p)
{
  GArray *opts = g_array_new(FALSE, TRUE, sizeof(CkptOptionValue));
  g_array_set_clear_func(opts, option_value_clear);
  for (size_t i = 0; p->options && p->options[i].name; i++) {
    CkptOptionValue v = {.decl = &p->options[i], .items = items_new()};
    if (v.decl->default_value) {
      add_items(v.items, v.decl->type, v.decl->default_value);
      v.text = v.decl->type == CKPT_T_LIST ? items_text(v.items)
                                           : g_strdup(v.decl->default_value);
      ckpt_option_parse(v.decl->type, v.text, &v.number, &v.flag);
    }
    g_array_append_val(opts, v);
  }
  return opts;
}

const CkptOptionValue *
ckpt_options_get(GArray *opts, const char *name)
{
  for (guint i = 0; opts && i < opts->len; i++) {
    const CkptOptionValue *v = &g_array_index(opts, CkptOptionValue, i);
    if (strcmp(v->decl->name, name) == 0)
      return v;
  }
  return NULL;
}

gboolean
ckpt_options_set(GArray *opts, const CkptPlugin *p, const char *name,
                 const char *text, GError **error)
{
  CkptOptionValue *v = (CkptOptionValue *)ckpt_options_get(opts, name);
  if (v == NULL) {
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (size_t i = 0; p->options && p->options[i].name; i++)
      g_ptr_array_add(names, (gpointer)p->options[i].name);
    g_ptr_array_add(names, NULL);
    const char *near = ckpt_suggest(name, (const char *const *)names->pdata);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "plugin %s has no option '%s'%s%s%s", p->name, name,
                near ? " (did you mean " : "", near ? near : "",
                near ? "?)" : "");
    return FALSE;
  }
  int64_t n = 0;
  gboolean f = FALSE;
  if (!ckpt_option_parse(v->decl->type, text, &n, &f)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "option %s.%s: '%s' is not a %s", p->name, name, text,
                ckpt_type_name(v->decl->type));
    return FALSE;
  }
  if (v->decl->type != CKPT_T_LIST || !v->is_set) {
    /* a LIST's first assignment replaces the default, later ones add */
    g_ptr_array_unref(v->items);
    v->items = items_new();
  }
  add_items(v->items, v->decl->type, text);
  g_free(v->text);
  v->text =
      v->decl->type == CKPT_T_LIST ? items_text(v->items) : g_strdup(text);
  v->number = n;
  v->flag = f;
  v->is_set = TRUE;
  return TRUE;
}

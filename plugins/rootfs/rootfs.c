/* rootfs.c - the rootfs plugin: every file the container added, modified or
 * deleted in its root file system, from the checkpoint's rootfs-diff.tar
 * (what Podman, CRI-O and containerd save of the container's writable
 * layer), its deleted.files list and the overlay whiteouts in the diff
 * (".wh.NAME" members, ".wh..wh..opq" opaque directories, 0:0 character
 * devices).
 *
 * One row per change: what changed, the path, the type told by content
 * (ELF, script, text, data; directory, symlink, ... for the rest), size,
 * mode with setuid, setgid and world-writable flagged, owner, mtime and the
 * sha256 of the whole file (hashed by the host to the member's end). The
 * diff alone cannot tell added from modified: with --root naming the
 * image's root file system (its extracted layers), a path already there is
 * "modified", else "added"; without it both are "changed".
 *
 * The diff is read through the host's bounded reader (ABI 3.1's
 * diff_iter_new_all): names are display text only, nothing is extracted.
 */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/plugin.h"

enum { T_CHANGES };

/* bytes of each file the type is told from */
#define SNIFF_BYTES 4096

static const CkptOption options[] = {
    {"root", CKPT_T_STR, NULL,
     "the image's root file system (e.g. its extracted layers), to tell "
     "added files from modified ones"},
    {NULL},
};

static const CkptColumn columns[] = {
    {"change", CKPT_T_STR, "CHANGE"},
    {"path", CKPT_T_STR, "PATH"},
    {"type", CKPT_T_STR, "TYPE"},
    {"size", CKPT_T_SIZE, "SIZE"},
    {"mode", CKPT_T_STR, "MODE"},
    {"flags", CKPT_T_STR, "FLAGS"},
    {"owner", CKPT_T_STR, "OWNER"},
    {"mtime", CKPT_T_TIME, "MTIME"},
    {"sha256", CKPT_T_STR, "SHA256"},
    {"link", CKPT_T_STR, "LINK"},
    {"source", CKPT_T_STR, "SOURCE", CKPT_COL_HIDDEN},
    {"uid", CKPT_T_UINT, "UID", CKPT_COL_HIDDEN},
    {"gid", CKPT_T_UINT, "GID", CKPT_COL_HIDDEN},
    {"setuid", CKPT_T_BOOL, "SETUID", CKPT_COL_HIDDEN},
    {"setgid", CKPT_T_BOOL, "SETGID", CKPT_COL_HIDDEN},
    {"world_writable", CKPT_T_BOOL, "WORLD WRITABLE", CKPT_COL_HIDDEN},
    {NULL},
};

static const CkptTable tables[] = {
    [T_CHANGES] = {"changes", "Root file system changes", CKPT_LAYOUT_TABLE,
                   columns},
    {NULL},
};

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  int rootfd;          /* --root, or -1 */
  GHashTable *deleted; /* paths already reported deleted */
} Ctx;

/* ---- telling types ------------------------------------------------------ */
static const char *
content_type(const uint8_t *d, size_t len, uint64_t full)
{
  if (full == 0)
    return "empty";
  if (len >= 4 && memcmp(d,
                         "\x7f"
                         "ELF",
                         4) == 0)
    return "ELF";
  if (len >= 2 && d[0] == '#' && d[1] == '!')
    return "script";
  /* text: valid UTF-8 with no NUL and few control characters; a cut
   * multi-byte sequence at the sniffed end is not held against it */
  size_t n = len, ctl = 0;
  const gchar *end = NULL;
  if (memchr(d, 0, n) != NULL)
    return "data";
  if (!g_utf8_validate((const gchar *)d, (gssize)n, &end) &&
      (size_t)((const uint8_t *)end - d) + 4 < n)
    return "data";
  for (size_t i = 0; i < n; i++)
    ctl += d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t' &&
           d[i] != '\f';
  return ctl * 100 <= n ? "text" : "data";
}

static const char *
kind_type(CkptDiffKind k)
{
  switch (k) {
  case CKPT_DIFF_DIR:
    return "directory";
  case CKPT_DIFF_SYMLINK:
    return "symlink";
  case CKPT_DIFF_HARDLINK:
    return "hardlink";
  case CKPT_DIFF_CHR:
    return "char-device";
  case CKPT_DIFF_BLK:
    return "block-device";
  case CKPT_DIFF_FIFO:
    return "fifo";
  case CKPT_DIFF_SOCK:
    return "socket";
  default:
    return "other";
  }
}

/* "-rwsr-xr-x", as ls shows it */
static void
mode_string(CkptDiffKind k, uint32_t m, char out[11])
{
  static const char kinds[] = {
      [CKPT_DIFF_REG] = '-',     [CKPT_DIFF_DIR] = 'd',
      [CKPT_DIFF_SYMLINK] = 'l', [CKPT_DIFF_HARDLINK] = '-',
      [CKPT_DIFF_CHR] = 'c',     [CKPT_DIFF_BLK] = 'b',
      [CKPT_DIFF_FIFO] = 'p',    [CKPT_DIFF_SOCK] = 's',
      [CKPT_DIFF_OTHER] = '?'};
  out[0] = (unsigned)k < sizeof(kinds) ? kinds[k] : '?';
  const char *rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++)
    out[1 + i] = m & (0400u >> i) ? rwx[i] : '-';
  if (m & S_ISUID)
    out[3] = m & S_IXUSR ? 's' : 'S';
  if (m & S_ISGID)
    out[6] = m & S_IXGRP ? 's' : 'S';
  if (m & S_ISVTX)
    out[9] = m & S_IXOTH ? 't' : 'T';
  out[10] = '\0';
}

/* "setuid,world-writable", or NULL. Symlinks are 0777 by nature and
 * directories with the sticky bit (/tmp) are how shared directories are
 * meant: neither is flagged world-writable. */
static char *
mode_flags(CkptDiffKind k, uint32_t m, gboolean *ww)
{
  g_autoptr(GString) s = g_string_new(NULL);
  *ww = (m & S_IWOTH) && k != CKPT_DIFF_SYMLINK &&
        !(k == CKPT_DIFF_DIR && (m & S_ISVTX));
  if (m & S_ISUID)
    g_string_append(s, "setuid,");
  if (m & S_ISGID)
    g_string_append(s, "setgid,");
  if (*ww)
    g_string_append(s, "world-writable,");
  if (s->len == 0)
    return NULL;
  g_string_truncate(s, s->len - 1);
  return g_string_free(g_steal_pointer(&s), FALSE);
}

/* ---- the image's root (--root) ------------------------------------------ */
/* Whether path exists under the root, looked up one component at a time
 * without following symlinks (a symlink in the root is itself an entry,
 * never a way out of it). */
static gboolean
in_root(int rootfd, const char *path)
{
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  int cur = rootfd;
  gboolean found = TRUE;
  for (size_t i = 0; parts[i] && found; i++) {
    const char *c = parts[i];
    if (c[0] == '\0' || strcmp(c, ".") == 0)
      continue;
    int fd = strcmp(c, "..") == 0
                 ? -1
                 : openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (cur != rootfd)
      close(cur);
    cur = fd;
    found = fd >= 0;
  }
  if (cur >= 0 && cur != rootfd)
    close(cur);
  return found;
}

/* ---- rows ----------------------------------------------------------------
 */
static void
emit_row(Ctx *c, const char *change, const char *path, const char *type,
         const CkptDiffEntryInfo *e, const char *source)
{
  char mode[11] = "", owner[64] = "";
  gboolean ww = FALSE;
  g_autofree char *flags = NULL;
  if (e) {
    mode_string(e->kind, e->mode, mode);
    flags = mode_flags(e->kind, e->mode, &ww);
    if (e->uname || e->gname)
      g_snprintf(owner, sizeof(owner), "%s:%s", e->uname ? e->uname : "?",
                 e->gname ? e->gname : "?");
    else
      g_snprintf(owner, sizeof(owner), "%u:%u", e->uid, e->gid);
  }
  CkptValue row[] = {
      CKPT_STR(change),
      CKPT_STR(path),
      type ? CKPT_STR(type) : CKPT_NULL,
      e && e->kind == CKPT_DIFF_REG ? CKPT_SIZE(e->full_size) : CKPT_NULL,
      e ? CKPT_STR(mode) : CKPT_NULL,
      flags ? CKPT_STR(flags) : CKPT_NULL,
      e ? CKPT_STR(owner) : CKPT_NULL,
      e && e->mtime ? CKPT_TIME(e->mtime) : CKPT_NULL,
      e && e->sha256 ? CKPT_STR(e->sha256) : CKPT_NULL,
      e && e->link ? CKPT_STR(e->link) : CKPT_NULL,
      CKPT_STR(source),
      e ? CKPT_UINT(e->uid) : CKPT_NULL,
      e ? CKPT_UINT(e->gid) : CKPT_NULL,
      e ? CKPT_BOOL(e->mode & S_ISUID) : CKPT_NULL,
      e ? CKPT_BOOL(e->mode & S_ISGID) : CKPT_NULL,
      e ? CKPT_BOOL(ww) : CKPT_NULL,
  };
  c->api->emit(c->run, T_CHANGES, 0, row, G_N_ELEMENTS(row));
}

static void
emit_deleted(Ctx *c, const char *path, const char *source)
{
  if (g_hash_table_contains(c->deleted, path))
    return;
  g_hash_table_add(c->deleted, g_strdup(path));
  emit_row(c, "deleted", path, NULL, NULL, source);
}

/* A whiteout's name: ".wh.NAME" deletes NAME of the same directory,
 * ".wh..wh..opq" hides everything the lower layers had below it. */
static gboolean
whiteout(const char *path, char **target, gboolean *opaque)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strncmp(base, ".wh.", 4) != 0 || base[4] == '\0')
    return FALSE;
  g_autofree char *dir = g_strndup(path, (gsize)(base - path));
  *opaque = strcmp(base, ".wh..wh..opq") == 0;
  if (*opaque)
    *target = dir[0] && strcmp(dir, "/") != 0 ? g_strndup(dir, strlen(dir) - 1)
                                              : g_strdup("/");
  else
    *target = g_strconcat(dir, base + 4, NULL);
  return TRUE;
}

static CkptStatus
rootfs_run(const CkptApi *api, CkptRun *run)
{
  if (!CKPT_HAS(api, diff_iter_entry) || api->diff_iter_new_all == NULL) {
    api->error(run, "the host is older than ABI 3.1 (no diff_iter_entry)");
    return CKPT_FAILED;
  }
  Ctx c = {.api = api, .run = run, .rootfd = -1};
  const char *root = api->opt_str(run, "root");
  if (root && *root) {
    c.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c.rootfd < 0) {
      api->error(run, "--root %s: %s", root, g_strerror(errno));
      return CKPT_FAILED;
    }
  }
  c.deleted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  CkptStatus st = CKPT_OK;

  CkptFileIter *it = api->diff_iter_new_all(run, SNIFF_BYTES);
  CkptDiffFile f = {.size = sizeof f};
  while (it && api->diff_iter_next(it, &f)) {
    const CkptDiffEntryInfo *e = api->diff_iter_entry(it);
    if (e == NULL)
      continue;
    g_autofree char *target = NULL;
    gboolean opaque = FALSE;
    if (whiteout(e->path, &target, &opaque)) {
      if (opaque)
        emit_row(&c, "opaque", target, "directory", NULL, "whiteout");
      else
        emit_deleted(&c, target, "whiteout");
      continue;
    }
    /* overlayfs' own form of a whiteout: a 0:0 character device */
    if (e->kind == CKPT_DIFF_CHR && e->rdev_major == 0 && e->rdev_minor == 0) {
      emit_deleted(&c, e->path, "whiteout");
      continue;
    }
    /* a directory member's name ends in "/" */
    g_autofree char *path = g_strdup(e->path);
    size_t pl = strlen(path);
    while (pl > 1 && path[pl - 1] == '/')
      path[--pl] = '\0';
    const char *change = c.rootfd < 0
                             ? "changed"
                             : (in_root(c.rootfd, path) ? "modified" : "added");
    const char *type = e->kind == CKPT_DIFF_REG
                           ? content_type(f.data, f.len, e->full_size)
                           : kind_type(e->kind);
    emit_row(&c, change, path, type, e, "rootfs-diff.tar");
    if (e->kind == CKPT_DIFF_REG && e->sha256 == NULL) {
      api->log(run, CKPT_LOG_WARNING,
               "rootfs-diff.tar: %s not hashed (past the max-hash-size "
               "limit, or unreadable)",
               path);
      st = CKPT_WARN;
    }
  }
  /* a diff read only in part lists fewer changes than the container
   * made: that is a failure to say, never a shorter listing (ABI 3.6) */
  const char *why = it && CKPT_HAS(api, diff_iter_error) && api->diff_iter_error
                        ? api->diff_iter_error(it)
                        : NULL;
  if (why) {
    api->error(run, "%s: the changes listed are incomplete", why);
    st = CKPT_FAILED;
  }
  if (it)
    api->diff_iter_free(it);

  /* deleted.files: what Podman and CRI-O list of the image's files that
   * the container removed (names are untrusted text, shown as they are) */
  const CkptContainerInfo *ci = api->container(run);
  for (const char *const *d = ci ? ci->deleted_files : NULL; d && *d; d++) {
    g_autofree char *valid = g_utf8_make_valid(*d, (gssize)strnlen(*d, 4096));
    for (char *p = valid; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f)
        *p = '?';
    g_autofree char *path =
        valid[0] == '/' ? g_strdup(valid) : g_strconcat("/", valid, NULL);
    emit_deleted(&c, path, "deleted.files");
  }
  g_hash_table_destroy(c.deleted);
  if (c.rootfd >= 0)
    close(c.rootfd);
  return st;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL | CKPT_READS_ROOTFS, "rootfs",
                         "0.1.0",
                         "root file system changes: files added, modified or "
                         "deleted (rootfs-diff.tar, deleted.files, whiteouts)",
                         "Apache-2.0", options, NULL, tables, NULL, rootfs_run,
                         NULL);

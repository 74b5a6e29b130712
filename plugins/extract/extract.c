/* extract.c - the extract plugin: writes the evidence a checkpoint holds
 * out as files for other tools, with a manifest of where each came from.
 *
 * By default everything extractable: the root FS changes (the regular files
 * of rootfs-diff.tar) and the content held by kernel objects (ghost files
 * and deleted executables, memfds, pipe and FIFO buffers, socket and TCP
 * queues, saved tmpfs files). Selectors narrow it: --pid N (what pid N
 * holds), --pid N --exe (its executable: a ghost file, or the diff's copy),
 * --path P (a diff file, ghost file or tmpfs file of that path),
 * --pid N --fd F (what that descriptor holds), --pid N --range A-B or
 * --pid N --vma ADDR (memory, absent pages as zeros).
 *
 * Everything goes into --output DIR and nowhere else. Names from the
 * checkpoint are untrusted: they are made safe (no "..", never absolute, no
 * control characters, bounded components) and every file and directory is
 * created relative to DIR's descriptor with openat/mkdirat, O_NOFOLLOW and
 * O_EXCL: a symlink is never followed or created, and an existing file is
 * never written unless --force (which also allows a non-empty DIR). Files
 * are 0600, directories 0700: no mode from the checkpoint is applied.
 * Sizes are bounded by --max-file-size and --max-total-size; a sparse or
 * claimed length counts by what it expands to.
 *
 * DIR/manifest.json names each file (its path in DIR, its source in the
 * checkpoint: kind, pid, fd, original path or name, size and sha256) and
 * the checkpoint itself (path and sha256: chain of custody);
 * DIR/SHA256SUMS is the same list as `sha256sum -c` reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../outdir.h"
#include "ckpt/plugin.h"

enum { T_FILES };

#define MAX_COMPONENT 200 /* bytes of one name component (NAME_MAX 255) */
#define MAX_DEPTH 64      /* directory levels kept of a path */

static const CkptOption options[] = {
    {"output", CKPT_T_STR, NULL,
     "the directory written (created when missing; must be empty without "
     "--force)"},
    {"force", CKPT_T_BOOL, "false",
     "write into a non-empty directory, replacing files of the same name"},
    {"pid", CKPT_T_INT, NULL,
     "only what this process holds (with --exe, --fd, --range, --vma: only "
     "that)"},
    {"exe", CKPT_T_BOOL, "false",
     "with --pid: the process's executable (a deleted one from its ghost "
     "file, a changed one from rootfs-diff.tar)"},
    {"fd", CKPT_T_INT, NULL, "with --pid: what this descriptor holds"},
    {"path", CKPT_T_STR, NULL,
     "a file of that path: from rootfs-diff.tar, a ghost file or a tmpfs"},
    {"range", CKPT_T_STR, NULL,
     "with --pid: memory from A to B (hex), absent pages as zeros"},
    {"vma", CKPT_T_STR, NULL, "with --pid: the memory area holding ADDR (hex)"},
    {"max-file-size", CKPT_T_SIZE, "64M",
     "bytes written of one file at most; a longer one is cut (and said so)"},
    {"max-total-size", CKPT_T_SIZE, "4G",
     "bytes written in all at most; files past it are left out (and said so)"},
    {NULL},
};

static const CkptColumn columns[] = {
    {"path", CKPT_T_STR, "PATH", 0, {0}, "the file's path inside DIR"},
    {"kind", CKPT_T_STR, "KIND", 0, {0}, "what it came from"},
    {"pid", CKPT_T_UINT, "PID"},
    {"fd", CKPT_T_INT, "FD"},
    {"source",
     CKPT_T_STR,
     "SOURCE",
     0,
     {0},
     "its original path or name in the checkpoint"},
    {"size", CKPT_T_SIZE, "SIZE"},
    {"sha256", CKPT_T_STR, "SHA256"},
    {"truncated",
     CKPT_T_BOOL,
     "CUT",
     CKPT_COL_HIDDEN,
     {0},
     "cut at --max-file-size"},
    {"image",
     CKPT_T_STR,
     "IMAGE",
     CKPT_COL_HIDDEN,
     {0},
     "the archive member the bytes were read from"},
    {NULL},
};

static const CkptTable tables[] = {
    [T_FILES] = {"files", "Extracted files", CKPT_LAYOUT_TABLE, columns},
    {NULL},
};

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  int dfd;
  gboolean force;
  uint64_t max_file, max_total, total;
  gboolean full;    /* max-total-size reached */
  GHashTable *used; /* paths in DIR written by this run */
  GString *files;   /* the manifest's "files" array items */
  GString *sums;    /* SHA256SUMS */
  size_t n_files;
  size_t n_failed; /* files that could not be written */
  CkptStatus st;
} Ctx;

/* What one output file came from, for its row and manifest entry. */
typedef struct {
  const char *kind;   /* "rootfs-diff", "ghost file", "memory", ... */
  uint32_t pid;       /* 0: none */
  int fd;             /* -1: none */
  const char *source; /* original path or name */
  const char *image;  /* archive member, or NULL */
  const char *detail; /* JSON members to add (",\"k\":v..."), or NULL */
} Origin;

static void warn(Ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void
warn(Ctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  c->api->log(c->run, CKPT_LOG_WARNING, "%s", msg);
  if (c->st < CKPT_WARN)
    c->st = CKPT_WARN;
}

/* ---- names -------------------------------------------------------------- */
/* One component of a name from the checkpoint, made safe: valid UTF-8, no
 * control characters, '/' or '\\' (sha256sum escapes lines holding one),
 * never "." or "..", at most MAX_COMPONENT bytes. */
static void
safe_component(GString *out, const char *s, size_t n)
{
  g_autofree char *valid = g_utf8_make_valid(s, (gssize)n);
  if (strcmp(valid, ".") == 0 || strcmp(valid, "..") == 0) {
    g_string_append(out, strcmp(valid, ".") == 0 ? "_" : "__");
    return;
  }
  char *end = valid + strlen(valid);
  if (end - valid > MAX_COMPONENT)
    end = g_utf8_find_prev_char(valid, valid + MAX_COMPONENT + 1);
  for (char *p = valid; p < end; p++) {
    unsigned char ch = (unsigned char)*p;
    g_string_append_c(out, ch < 0x20 || ch == 0x7f || ch == '\\' ? '_' : *p);
  }
}

/* prefix/COMPONENTS of raw, a "/"-separated untrusted path: empty and "."
 * components dropped, ".." kept as "__" (never climbing), the first
 * MAX_DEPTH levels kept. "" when nothing is left. */
static char *
safe_path(const char *prefix, const char *raw)
{
  GString *out = g_string_new(prefix);
  int depth = 0;
  const char *p = raw ? raw : "";
  while (*p) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n > 0 && !(n == 1 && p[0] == '.') && depth < MAX_DEPTH) {
      g_string_append_c(out, '/');
      safe_component(out, p, n);
      depth++;
    }
    p += n + (slash ? 1 : 0);
  }
  if (depth == 0)
    g_string_append(out, "/_");
  return g_string_free(out, FALSE);
}

/* A name flattened into one component (a memfd's name, "pipe:[41301]"). */
static char *
flat_name(const char *raw)
{
  GString *out = g_string_new(NULL);
  g_autofree char *tmp = g_strdup(raw ? raw : "");
  for (char *p = tmp; *p; p++)
    if (*p == '/')
      *p = '_';
  safe_component(out, tmp, strlen(tmp));
  if (out->len == 0)
    g_string_append_c(out, '_');
  return g_string_free(out, FALSE);
}

/* ---- writing into DIR --------------------------------------------------- */
/* Opens (creating) the directories of rel below DIR, one level at a time,
 * never through a symlink; returns the last one's fd (or dup of DIR) and
 * points *leaf at rel's last component. */
static int
open_parent(Ctx *c, const char *rel, const char **leaf, GError **error)
{
  int cur = dup(c->dfd);
  const char *p = rel;
  const char *slash;
  while (cur >= 0 && (slash = strchr(p, '/')) != NULL) {
    g_autofree char *comp = g_strndup(p, (gsize)(slash - p));
    if (mkdirat(cur, comp, 0700) != 0 && errno != EEXIST) {
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                  "%s: cannot create %s: %s", rel, comp, g_strerror(errno));
      close(cur);
      return -1;
    }
    int next =
        openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(cur);
    if (next < 0) {
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "%s: %s is %s", rel, comp,
                  e == ELOOP || e == ENOTDIR ? "not a directory (a symlink or "
                                               "a file), not followed"
                                             : g_strerror(e));
      return -1;
    }
    cur = next;
    p = slash + 1;
  }
  *leaf = p;
  return cur;
}

/* A path in DIR not yet written by this run: rel, else rel.~N~. */
static char *
unique_rel(Ctx *c, const char *rel)
{
  char *out = g_strdup(rel);
  for (unsigned i = 1; g_hash_table_contains(c->used, out); i++) {
    g_free(out);
    out = g_strdup_printf("%s.~%u~", rel, i);
  }
  g_hash_table_add(c->used, g_strdup(out));
  return out;
}

typedef struct {
  int fd;
  GChecksum *sum;
  uint64_t pos; /* bytes hashed (and written or left a hole) so far */
  uint64_t limit;
  gboolean cut;
  const char *rel;
} Out;

/* Creates rel in DIR: O_EXCL, O_NOFOLLOW; an existing file only with
 * --force (truncated; a symlink is still refused). */
static gboolean
out_open(Ctx *c, Out *o, const char *rel, GError **error)
{
  const char *leaf;
  int pfd = open_parent(c, rel, &leaf, error);
  if (pfd < 0)
    return FALSE;
  int flags =
      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
  int fd = openat(pfd, leaf, flags | O_EXCL, 0600);
  if (fd < 0 && errno == EEXIST && c->force)
    fd = openat(pfd, leaf, flags | O_TRUNC, 0600);
  int e = errno;
  close(pfd);
  if (fd >= 0) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      fd = -1;
      e = EINVAL;
    }
  }
  if (fd < 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "%s: cannot create: %s", rel,
                e == ELOOP    ? "a symlink is there, not followed"
                : e == EEXIST ? "exists (--force replaces it)"
                : e == EINVAL ? "not a regular file"
                              : g_strerror(e));
    return FALSE;
  }
  *o = (Out){.fd = fd,
             .sum = g_checksum_new(G_CHECKSUM_SHA256),
             .limit = MIN(c->max_file, c->max_total - c->total),
             .rel = rel};
  return TRUE;
}

static const uint8_t zeros[65536];

/* Hashes zeros up to off (a hole: nothing is written, ftruncate makes it). */
static void
out_hole(Out *o, uint64_t off)
{
  while (o->pos < off) {
    size_t n = (size_t)MIN((uint64_t)sizeof zeros, off - o->pos);
    g_checksum_update(o->sum, zeros, (gssize)n);
    o->pos += n;
  }
}

/* Writes len bytes at off (off >= what was written), cut at the limit. */
static gboolean
out_at(Out *o, uint64_t off, const uint8_t *data, size_t len, GError **error)
{
  if (off < o->pos) { /* overlapping blocks: keep what was written */
    uint64_t skip = o->pos - off;
    if (skip >= len)
      return TRUE;
    data += skip;
    len -= (size_t)skip;
    off = o->pos;
  }
  if (off >= o->limit) {
    o->cut = TRUE;
    return TRUE;
  }
  if (len > o->limit - off) {
    len = (size_t)(o->limit - off);
    o->cut = TRUE;
  }
  out_hole(o, off);
  size_t done = 0;
  while (done < len) {
    ssize_t w = pwrite(o->fd, data + done, len - done, (off_t)(off + done));
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                  "%s: cannot write: %s", o->rel, g_strerror(errno));
      return FALSE;
    }
    done += (size_t)w;
  }
  g_checksum_update(o->sum, data, (gssize)len);
  o->pos = off + len;
  return TRUE;
}

/* Ends the file at len (holes as zeros), cut at the limit; closes it. */
static gboolean
out_close(Out *o, uint64_t len, GError **error)
{
  if (len > o->limit) {
    len = o->limit;
    o->cut = TRUE;
  }
  if (len > o->pos)
    out_hole(o, len);
  gboolean ok = ftruncate(o->fd, (off_t)o->pos) == 0;
  int e = errno;
  ok = close(o->fd) == 0 && ok;
  o->fd = -1;
  if (!ok)
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "%s: cannot write: %s", o->rel, g_strerror(e));
  return ok;
}

static void
out_abort(Ctx *c, Out *o)
{
  if (o->fd >= 0)
    close(o->fd);
  o->fd = -1;
  if (o->sum)
    g_checksum_free(o->sum);
  o->sum = NULL;
  (void)c;
}

/* ---- manifest ----------------------------------------------------------- */
static void
json_str(GString *out, const char *s)
{
  if (s == NULL) {
    g_string_append(out, "null");
    return;
  }
  g_autofree char *valid = g_utf8_make_valid(s, -1);
  g_string_append_c(out, '"');
  for (const char *p = valid; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch == '"' || ch == '\\')
      g_string_append_printf(out, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f)
      g_string_append_printf(out, "\\u%04x", ch);
    else
      g_string_append_c(out, (char)ch);
  }
  g_string_append_c(out, '"');
}

/* Records a finished file: its row, manifest entry and SHA256SUMS line. */
static void
record(Ctx *c, Out *o, const Origin *from)
{
  const char *hex = g_checksum_get_string(o->sum);
  c->total += o->pos;
  if (o->cut)
    warn(c, "%s: cut at %" PRIu64 " bytes (--max-file-size, --max-total-size)",
         o->rel, o->pos);
  CkptValue v[] = {
      CKPT_STR(o->rel),
      CKPT_STR(from->kind),
      from->pid ? CKPT_UINT(from->pid) : CKPT_NULL,
      from->fd >= 0 ? CKPT_INT(from->fd) : CKPT_NULL,
      CKPT_STR(from->source),
      CKPT_SIZE(o->pos),
      CKPT_STR(hex),
      CKPT_BOOL(o->cut),
      CKPT_STR(from->image),
  };
  c->api->emit(c->run, T_FILES, 0, v, G_N_ELEMENTS(v));

  GString *f = c->files;
  g_string_append(f, c->n_files++ ? ",\n    {\"path\": " : "\n    {\"path\": ");
  json_str(f, o->rel);
  g_string_append(f, ", \"size\": ");
  g_string_append_printf(f, "%" PRIu64 ", \"sha256\": \"%s\"", o->pos, hex);
  g_string_append_printf(f, ", \"truncated\": %s", o->cut ? "true" : "false");
  g_string_append(f, ", \"source\": {\"kind\": ");
  json_str(f, from->kind);
  if (from->pid)
    g_string_append_printf(f, ", \"pid\": %u", from->pid);
  else
    g_string_append(f, ", \"pid\": null");
  if (from->fd >= 0)
    g_string_append_printf(f, ", \"fd\": %d", from->fd);
  else
    g_string_append(f, ", \"fd\": null");
  g_string_append(f, ", \"path\": ");
  json_str(f, from->source);
  g_string_append(f, ", \"image\": ");
  json_str(f, from->image);
  if (from->detail)
    g_string_append(f, from->detail);
  g_string_append(f, "}}");

  /* names are safe: no newline or backslash, so no escaping is needed */
  g_string_append_printf(c->sums, "%s  %s\n", hex, o->rel);
}

/* Writes one file of DIR from a callback filling it. */
typedef gboolean (*FillFn)(Ctx *c, Out *o, const void *data, GError **error);

static void
extract_one(Ctx *c, const char *rel_wanted, const Origin *from, FillFn fill,
            const void *data)
{
  if (c->full)
    return;
  if (c->total >= c->max_total) {
    warn(c,
         "max-total-size of %" PRIu64 " bytes reached: %s and what follows "
         "left out",
         c->max_total, rel_wanted);
    c->full = TRUE;
    return;
  }
  g_autofree char *rel = unique_rel(c, rel_wanted);
  g_autoptr(GError) error = NULL;
  Out o = {.fd = -1};
  if (!out_open(c, &o, rel, &error) || !fill(c, &o, data, &error)) {
    c->api->log(c->run, CKPT_LOG_ERROR, "%s", error->message);
    c->n_failed++;
    /* a file cut short is removed, never left looking whole */
    if (o.fd >= 0) {
      const char *leaf;
      int pfd = open_parent(c, rel, &leaf, NULL);
      if (pfd >= 0) {
        unlinkat(pfd, leaf, 0);
        close(pfd);
      }
    }
    out_abort(c, &o);
    return;
  }
  record(c, &o, from);
  out_abort(c, &o);
}

/* ---- sources ------------------------------------------------------------ */
typedef struct {
  const CkptDiffFile *f;
} DiffData;

static gboolean
fill_diff(Ctx *c, Out *o, const void *data, GError **error)
{
  const CkptDiffFile *f = data;
  if (!out_at(o, 0, f->data, f->len, error))
    return FALSE;
  /* a trailing hole (sparse) is zeros; the reader stopped at max-file-size */
  if (f->full_size > c->max_file)
    o->cut = TRUE;
  return out_close(o, MIN(f->full_size, c->max_file), error);
}

static gboolean
fill_object(Ctx *c, Out *o, const void *data, GError **error)
{
  const CkptObjectInfo *obj = data;
  CkptObjectIter *it = c->api->object_iter_new(obj);
  CkptObjectBlock b = {.size = sizeof b};
  gboolean ok = TRUE;
  while (ok && it && c->api->object_iter_next(it, &b) && !o->cut)
    ok = out_at(o, b.offset, b.data, b.len, error);
  if (it)
    c->api->object_iter_free(it);
  return ok && out_close(o, obj->length, error);
}

typedef struct {
  const CkptProcess *p;
  uint64_t start, end;
} MemRange;

static gboolean
fill_memory(Ctx *c, Out *o, const void *data, GError **error)
{
  const MemRange *r = data;
  CkptMemIter *it = c->api->mem_iter_new(r->p);
  CkptMemBlock b = {.size = sizeof b};
  gboolean ok = TRUE;
  while (ok && it && c->api->mem_iter_next(it, &b) && !o->cut) {
    uint64_t s = MAX(b.addr, r->start), e = MIN(b.addr + b.len, r->end);
    if (b.addr >= r->end)
      break;
    if (s < e)
      ok = out_at(o, s - r->start, b.data + (s - b.addr), (size_t)(e - s),
                  error);
  }
  if (it)
    c->api->mem_iter_free(it);
  return ok && out_close(o, r->end - r->start, error);
}

static const char *
object_dir(CkptObjectKind k)
{
  switch (k) {
  case CKPT_OBJ_GHOST_FILE:
    return "ghost";
  case CKPT_OBJ_MEMFD:
    return "memfd";
  case CKPT_OBJ_PIPE:
    return "pipe";
  case CKPT_OBJ_FIFO:
    return "fifo";
  case CKPT_OBJ_SOCKET_QUEUE:
    return "socket-queue";
  case CKPT_OBJ_TCP_RECV:
  case CKPT_OBJ_TCP_SEND:
    return "tcp-queue";
  case CKPT_OBJ_TMPFS_FILE:
    return "tmpfs";
  }
  return "object";
}

/* A ghost file's or tmpfs file's name is a path ("/x (deleted)"); the
 * rest are names. */
static gboolean
object_is_path(const CkptObjectInfo *o)
{
  return (o->kind == CKPT_OBJ_GHOST_FILE || o->kind == CKPT_OBJ_TMPFS_FILE) &&
         o->name && o->name[0] == '/';
}

/* The object's path without " (deleted)", or NULL. */
static char *
object_path(const CkptObjectInfo *o)
{
  if (!object_is_path(o))
    return NULL;
  if (g_str_has_suffix(o->name, " (deleted)"))
    return g_strndup(o->name, strlen(o->name) - strlen(" (deleted)"));
  return g_strdup(o->name);
}

static void
extract_object(Ctx *c, const CkptObjectInfo *o, uint32_t pid, int fd)
{
  g_autofree char *path = object_path(o);
  g_autofree char *rel = NULL;
  if (path)
    rel = safe_path(object_dir(o->kind), path);
  else {
    g_autofree char *flat = flat_name(o->name);
    rel = g_strdup_printf("%s/%s", object_dir(o->kind), flat);
  }
  if (pid == 0 && o->n_owners > 0) {
    pid = o->owners[0].pid;
    fd = o->owners[0].fd;
  }
  GString *owners = g_string_new(", \"name\": ");
  json_str(owners, o->name);
  g_string_append_printf(owners,
                         ", \"length\": %" PRIu64 ", \"stored\": %" PRIu64
                         ", \"owners\": [",
                         o->length, o->stored);
  for (size_t i = 0; i < o->n_owners; i++) {
    g_string_append_printf(owners, "%s{\"pid\": %u, \"fd\": ", i ? ", " : "",
                           o->owners[i].pid);
    if (o->owners[i].fd >= 0)
      g_string_append_printf(owners, "%d", o->owners[i].fd);
    else
      g_string_append(owners, "null");
    g_string_append(owners, ", \"how\": ");
    json_str(owners, o->owners[i].how);
    g_string_append_c(owners, '}');
  }
  g_string_append(owners, "], \"description\": ");
  json_str(owners, o->source);
  g_autofree char *detail = g_string_free(owners, FALSE);
  Origin from = {.kind = o->kind_name,
                 .pid = pid,
                 .fd = fd,
                 .source = path ? path : o->name,
                 .image = o->image,
                 .detail = detail};
  extract_one(c, rel, &from, fill_object, o);
}

/* ---- selection ---------------------------------------------------------- */
typedef struct {
  gboolean everything;
  const CkptProcess *p;
  uint32_t pid;
  gboolean exe;
  gboolean has_fd;
  int fd;
  const char *path; /* --path, normalised "/"-rooted */
  gboolean memory;
  uint64_t start, end;
  /* what the selectors matched */
  GHashTable *diff_paths; /* paths of the diff wanted: Origin fields */
  gboolean found;
} Want;

static gboolean
parse_hex(const char *s, uint64_t *out)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  char *end = NULL;
  errno = 0;
  guint64 v = g_ascii_strtoull(s, &end, 16);
  if (errno || end == s || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
object_owned(const CkptObjectInfo *o, uint32_t pid, gboolean any_fd, int fd,
             const char *how, int *fd_out)
{
  for (size_t i = 0; i < o->n_owners; i++) {
    const CkptObjectOwner *w = &o->owners[i];
    if (w->pid != pid)
      continue;
    if (how && (w->how == NULL || strcmp(w->how, how) != 0))
      continue;
    if (!any_fd && w->fd != fd)
      continue;
    *fd_out = w->fd;
    return TRUE;
  }
  return FALSE;
}

/* Whether object o is selected; *pid, *fd: the owner named. */
static gboolean
object_wanted(const Want *w, const CkptObjectInfo *o, uint32_t *pid, int *fd)
{
  *pid = 0;
  *fd = -1;
  if (w->everything)
    return TRUE;
  if (w->path) {
    g_autofree char *path = object_path(o);
    if (path && strcmp(path, w->path) == 0)
      return TRUE;
  }
  if (w->p == NULL)
    return FALSE;
  int f;
  gboolean only_pid = !w->exe && !w->has_fd && !w->memory && !w->path;
  if ((only_pid && object_owned(o, w->pid, TRUE, 0, NULL, &f)) ||
      (w->exe && object_owned(o, w->pid, TRUE, 0, "exe", &f)) ||
      (w->has_fd && object_owned(o, w->pid, FALSE, w->fd, NULL, &f))) {
    *pid = w->pid;
    *fd = f;
    return TRUE;
  }
  return FALSE;
}

/* A diff path the selectors name without an object: the exe or an fd's
 * file, changed in the root FS. */
static void
want_diff_path(Want *w, const char *path, int fd)
{
  if (path && path[0] == '/')
    g_hash_table_insert(w->diff_paths, g_strdup(path), GINT_TO_POINTER(fd + 2));
}

static CkptStatus
select_parse(Ctx *c, Want *w)
{
  const CkptApi *api = c->api;
  CkptRun *run = c->run;
  w->diff_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  w->exe = api->opt_bool(run, "exe");
  w->has_fd = api->opt_is_set(run, "fd");
  w->fd = (int)api->opt_int(run, "fd");
  const char *path = api->opt_str(run, "path");
  const char *range = api->opt_str(run, "range");
  const char *vma = api->opt_str(run, "vma");
  gboolean has_pid = api->opt_is_set(run, "pid");
  if ((w->exe || w->has_fd || range || vma) && !has_pid) {
    api->error(run, "--exe, --fd, --range and --vma need --pid");
    return CKPT_FAILED;
  }
  if (range && vma) {
    api->error(run, "give one of --range and --vma");
    return CKPT_FAILED;
  }
  if (w->has_fd &&
      (api->opt_int(run, "fd") < 0 || api->opt_int(run, "fd") > G_MAXINT)) {
    api->error(run, "--fd %" PRId64 ": not a descriptor number",
               api->opt_int(run, "fd"));
    return CKPT_FAILED;
  }
  if (path && *path) {
    g_autofree char *norm = safe_path("", path);
    w->path = g_intern_string(norm);
  }
  if (has_pid) {
    int64_t pid = api->opt_int(run, "pid");
    w->p = pid > 0 && pid <= G_MAXUINT32
               ? api->process_by_pid(run, (uint32_t)pid)
               : NULL;
    if (w->p == NULL) {
      api->error(run, "no process with pid %" PRId64 " in the checkpoint", pid);
      return CKPT_FAILED;
    }
    w->pid = (uint32_t)pid;
  }
  if (range) {
    const char *dash = strchr(range, '-');
    g_autofree char *a = dash ? g_strndup(range, (gsize)(dash - range)) : NULL;
    if (!dash || !parse_hex(a, &w->start) || !parse_hex(dash + 1, &w->end) ||
        w->end <= w->start) {
      api->error(run, "--range %s: not START-END in hex with START < END",
                 range);
      return CKPT_FAILED;
    }
    w->memory = TRUE;
  }
  if (vma) {
    uint64_t addr;
    const CkptVmaInfo *v = NULL;
    if (!parse_hex(vma, &addr) || (v = api->vma_find(w->p, addr)) == NULL) {
      api->error(run, "--vma %s: no memory area of pid %u holds it", vma,
                 w->pid);
      return CKPT_FAILED;
    }
    w->start = v->start;
    w->end = v->end;
    w->memory = TRUE;
  }
  w->everything = !has_pid && !w->path;
  if (w->exe)
    want_diff_path(w, api->process_info(w->p)->exe, -1);
  if (w->has_fd)
    for (size_t i = 0; i < api->fd_count(w->p); i++) {
      const CkptFdInfo *fi = api->fd_at(w->p, i);
      if (fi->fd == w->fd && fi->kind == CKPT_FD_REG)
        want_diff_path(w, fi->path, fi->fd);
    }
  if (w->path)
    want_diff_path(w, w->path, -1);
  return CKPT_OK;
}

static gboolean
write_small(Ctx *c, const char *name, const GString *text)
{
  g_autoptr(GError) error = NULL;
  Out o = {.fd = -1};
  g_autofree char *rel = g_strdup(name);
  uint64_t saved = c->max_total, saved_file = c->max_file;
  /* the manifest is always written whole */
  c->max_total = G_MAXUINT64;
  c->max_file = G_MAXUINT64;
  gboolean ok = out_open(c, &o, rel, &error) &&
                out_at(&o, 0, (const uint8_t *)text->str, text->len, &error) &&
                out_close(&o, text->len, &error);
  c->max_total = saved;
  c->max_file = saved_file;
  out_abort(c, &o);
  if (!ok)
    c->api->error(c->run, "%s", error->message);
  return ok;
}

static CkptStatus
extract_run(const CkptApi *api, CkptRun *run)
{
  Ctx c = {.api = api, .run = run, .dfd = -1};
  const char *dir = api->opt_str(run, "output");
  if (dir == NULL || *dir == '\0') {
    api->error(run, "--output DIR is needed: where the files go");
    return CKPT_FAILED;
  }
  c.force = api->opt_bool(run, "force");
  c.max_file = (uint64_t)api->opt_int(run, "max-file-size");
  c.max_total = (uint64_t)api->opt_int(run, "max-total-size");
  Want w = {0};
  if (select_parse(&c, &w) != CKPT_OK) {
    g_hash_table_destroy(w.diff_paths);
    return CKPT_FAILED;
  }
  /* DIR: made here, or empty (any directory with --force); never a
   * symlink */
  c.dfd = outdir_open(api, run, "--output", dir, c.force);
  if (c.dfd < 0) {
    g_hash_table_destroy(w.diff_paths);
    return CKPT_FAILED;
  }
  c.used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add(c.used, g_strdup("manifest.json"));
  g_hash_table_add(c.used, g_strdup("SHA256SUMS"));
  c.files = g_string_new(NULL);
  c.sums = g_string_new(NULL);
  size_t found = 0;

  /* memory first: the one thing asked for is never left out for size */
  if (w.memory) {
    MemRange r = {.p = w.p, .start = w.start, .end = w.end};
    g_autofree char *rel =
        g_strdup_printf("memory/pid-%u/%016" PRIx64 "-%016" PRIx64 ".bin",
                        w.pid, w.start, w.end);
    g_autofree char *src =
        g_strdup_printf("0x%" PRIx64 "-0x%" PRIx64, w.start, w.end);
    const CkptVmaInfo *v = api->vma_find(w.p, w.start);
    GString *d = g_string_new(NULL);
    g_string_append_printf(
        d, ", \"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64 "\"",
        w.start, w.end);
    g_string_append(d, ", \"vma_path\": ");
    json_str(d, v ? v->path : NULL);
    g_autofree char *detail = g_string_free(d, FALSE);
    Origin from = {.kind = "memory",
                   .pid = w.pid,
                   .fd = -1,
                   .source = src,
                   .image = "pages",
                   .detail = detail};
    extract_one(&c, rel, &from, fill_memory, &r);
    found++;
  }

  /* kernel objects: ghost files, memfds, buffers, queues, tmpfs */
  gboolean exe_ghost = FALSE, fd_object = FALSE;
  for (size_t i = 0; i < api->object_count(run); i++) {
    const CkptObjectInfo *o = api->object_at(run, i);
    uint32_t pid;
    int fd;
    if (!object_wanted(&w, o, &pid, &fd))
      continue;
    int f;
    if (w.exe && object_owned(o, w.pid, TRUE, 0, "exe", &f))
      exe_ghost = TRUE;
    if (w.has_fd && object_owned(o, w.pid, FALSE, w.fd, NULL, &f))
      fd_object = TRUE;
    extract_object(&c, o, pid, fd);
    found++;
  }

  /* the root FS changes: every regular file of rootfs-diff.tar, or those
   * the selectors name */
  gboolean diff_wanted = w.everything || g_hash_table_size(w.diff_paths) > 0;
  CkptFileIter *it = diff_wanted ? api->diff_iter_new(run, c.max_file) : NULL;
  CkptDiffFile f = {.size = sizeof f};
  gboolean exe_diff = FALSE, fd_diff = FALSE;
  while (it && !c.full && api->diff_iter_next(it, &f)) {
    gpointer fdp = NULL;
    if (!w.everything &&
        !g_hash_table_lookup_extended(w.diff_paths, f.path, NULL, &fdp))
      continue;
    int fd = fdp ? GPOINTER_TO_INT(fdp) - 2 : -1;
    const char *exe = w.p ? api->process_info(w.p)->exe : NULL;
    gboolean is_exe = w.exe && exe && strcmp(exe, f.path) == 0;
    exe_diff = exe_diff || is_exe;
    fd_diff = fd_diff || fd >= 0;
    g_autofree char *rel = safe_path("rootfs", f.path);
    Origin from = {.kind = "rootfs-diff",
                   .pid = fd >= 0 || is_exe ? w.pid : 0,
                   .fd = fd,
                   .source = f.path,
                   .image = "rootfs-diff.tar"};
    g_autofree char *detail =
        g_strdup_printf(", \"full_size\": %" PRIu64, f.full_size);
    from.detail = detail;
    extract_one(&c, rel, &from, fill_diff, &f);
    found++;
  }
  if (it)
    api->diff_iter_free(it);

  CkptStatus st = c.st;
  if (w.exe && !exe_ghost && !exe_diff) {
    const char *exe = api->process_info(w.p)->exe;
    api->error(run,
               "pid %u's executable %s is not in the checkpoint (neither a "
               "ghost file nor in rootfs-diff.tar)",
               w.pid, exe ? exe : "(unknown)");
    st = CKPT_FAILED;
  }
  if (w.has_fd && !fd_object && !fd_diff) {
    const CkptFdInfo *fi = NULL;
    for (size_t i = 0; i < api->fd_count(w.p); i++)
      if (api->fd_at(w.p, i)->fd == w.fd)
        fi = api->fd_at(w.p, i);
    if (fi)
      api->error(run,
                 "pid %u fd %d (%s %s): its content is not in the checkpoint",
                 w.pid, w.fd, fi->kind_name ? fi->kind_name : "?",
                 fi->path ? fi->path : "");
    else
      api->error(run, "pid %u has no fd %d", w.pid, w.fd);
    st = CKPT_FAILED;
  }
  if (!w.everything && found == 0 && st != CKPT_FAILED) {
    if (w.path)
      api->error(run,
                 "no file %s in the checkpoint (rootfs-diff.tar, ghost "
                 "files, tmpfs)",
                 w.path);
    else
      api->error(run, "pid %u holds nothing extractable", w.pid);
    st = CKPT_FAILED;
  }

  /* the manifest, always: what was written, and from what */
  const CkptContainerInfo *ci = api->container(run);
  GString *m = g_string_new("{\n  \"checkpoint\": {\"path\": ");
  json_str(m, ci ? ci->path : NULL);
  g_string_append(m, ", \"name\": ");
  json_str(m, ci ? ci->name : NULL);
  g_string_append(m, ", \"id\": ");
  json_str(m, ci ? ci->id : NULL);
  /* chain of custody: the checkpoint these files came from */
  gboolean custody = ci && CKPT_HAS(ci, archive_sha256_of);
  g_string_append(m, ", \"sha256\": ");
  json_str(m, custody ? ci->archive_sha256 : NULL);
  g_string_append(m, ", \"sha256_of\": ");
  json_str(m, custody ? ci->archive_sha256_of : NULL);
  g_string_append(m, "},\n  \"files\": [");
  g_string_append(m, c.files->str);
  g_string_append(m, c.n_files ? "\n  ]\n}\n" : "]\n}\n");
  if (!write_small(&c, "manifest.json", m) ||
      !write_small(&c, "SHA256SUMS", c.sums))
    st = CKPT_FAILED;
  g_string_free(m, TRUE);
  if (c.n_failed > 0) {
    api->error(run, "%zu file%s could not be written into %s (see above)",
               c.n_failed, c.n_failed == 1 ? "" : "s", dir);
    st = CKPT_FAILED;
  }

  g_string_free(c.files, TRUE);
  g_string_free(c.sums, TRUE);
  g_hash_table_destroy(c.used);
  g_hash_table_destroy(w.diff_paths);
  close(c.dfd);
  return MAX(st, c.st);
}

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL | CKPT_READS_MEMORY | CKPT_READS_CUSTODY |
        CKPT_READS_ROOTFS,
    "extract", "0.1.0",
    "writes evidence out into a directory: root FS changes, "
    "ghost files, memfds, pipe buffers, socket queues, tmpfs "
    "files, memory ranges; with manifest.json and SHA256SUMS",
    "Apache-2.0", options, NULL, tables, NULL, extract_run, NULL);

/* watch.c - `ckpt watch` (watch.h): inotify over directories, the settle
 * check, one run of the plan per complete checkpoint, its JSON Lines
 * records, the state file and --exec.
 *
 * One thread, one poll loop over the inotify descriptor and a signalfd.
 * SIGTERM and SIGINT stay blocked while a checkpoint is worked on, so its
 * records are always finished before the loop sees the signal and exits. */
#include "host/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/targets.h"
#include "model/model.h"
#include "util/error.h"
#include "util/fsio.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/sha256.h"

#define ROOT_MASK                                                              \
  (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM |      \
   IN_ONLYDIR)
#define SUB_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)
/* a checkpoint directory's images are at its top or in checkpoint/ */
#define MAX_SUB_DEPTH 2
#define HASH_DEPTH 3

/* What a checkpoint looks like now: equal twice a settle time apart, it is
 * complete. A directory's is over its files, HASH_DEPTH levels deep. */
typedef struct {
  guint64 size;
  gint64 mtime_ns;
  guint64 n_files;
  gboolean is_dir;
  gboolean exists;
} Sig;

typedef struct {
  gint64 due; /* monotonic, us */
  Sig sig;
} Pending;

typedef struct {
  guint64 size;
  gint64 mtime_ns;
} Done;

typedef struct {
  char *path; /* the watched directory */
  char *top;  /* the checkpoint it belongs to; NULL for a watched root */
  int depth;  /* 0 a root, 1 a checkpoint directory, 2 below it */
} Watch;

typedef struct {
  const CkptHost *h;
  const CkptPlan *plan;
  const CkptLimits *limits;
  const CkptWatchOptions *o;
  int ifd, sfd, out_fd, state_fd;
  gboolean own_out;
  char **exec_argv;
  GHashTable *watches; /* int wd -> Watch* */
  GHashTable *pending; /* char* path -> Pending* */
  GHashTable *done;    /* char* path -> Done* */
  GHashTable *roots;   /* char* root path, for the start and rescans */
  char *node;
  gboolean stop;
} Watcher;

/* ---- small helpers ----------------------------------------------------- */

static gboolean
ignored_name(const char *name)
{
  return name[0] == '.' || g_str_has_suffix(name, ".tmp") ||
         g_str_has_suffix(name, ".part") || g_str_has_suffix(name, ".partial");
}

static gint64
mtime_ns(const struct stat *st)
{
  return (gint64)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static char *
iso_time_ns(gint64 ns)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(ns / 1000000000);
  return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
}

static gint64
rss_kib(void)
{
  g_autofree char *text = NULL;
  if (!ckpt_fsio_read_file("/proc/self/status", 1 << 20, &text, NULL, NULL))
    return -1;
  const char *p = strstr(text, "\nVmRSS:");
  return p ? g_ascii_strtoll(p + 7, NULL, 10) : -1;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted entry names of a directory, or NULL */
static GPtrArray *
sorted_names(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *n;
  while ((n = g_dir_read_name(d)) != NULL)
    g_ptr_array_add(names, g_strdup(n));
  g_ptr_array_sort(names, cmp_str);
  return names;
}

static void
sig_dir(const char *dir, int depth, Sig *s)
{
  g_autoptr(GPtrArray) names = sorted_names(dir);
  for (guint i = 0; names && i < names->len; i++) {
    g_autofree char *p = g_build_filename(dir, names->pdata[i], NULL);
    struct stat st;
    if (lstat(p, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth + 1 < HASH_DEPTH) {
      sig_dir(p, depth + 1, s);
    } else if (S_ISREG(st.st_mode)) {
      s->size += (guint64)st.st_size;
      s->mtime_ns = MAX(s->mtime_ns, mtime_ns(&st));
      s->n_files++;
    }
  }
}

static Sig
sig_of(const char *path)
{
  Sig s = {0};
  struct stat st;
  if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
    return s; /* a symlink is not followed: nothing there */
  s.exists = TRUE;
  if (S_ISDIR(st.st_mode)) {
    s.is_dir = TRUE;
    sig_dir(path, 0, &s);
  } else {
    s.size = (guint64)st.st_size;
    s.mtime_ns = mtime_ns(&st);
    s.n_files = 1;
  }
  return s;
}

static gboolean
sig_equal(const Sig *a, const Sig *b)
{
  return a->exists == b->exists && a->is_dir == b->is_dir &&
         a->size == b->size && a->mtime_ns == b->mtime_ns &&
         a->n_files == b->n_files;
}

/* ---- sha256 ------------------------------------------------------------ */

static gboolean
hash_file(CkptSha256 *sum, const char *path, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot open: %s", path,
                g_strerror(errno));
    return FALSE;
  }
  guint8 buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot read: %s", path,
                  g_strerror(errno));
      close(fd);
      return FALSE;
    }
    ckpt_sha256_update(sum, buf, (size_t)n);
  }
  close(fd);
  return TRUE;
}

static gboolean
hash_dir(CkptSha256 *sum, const char *root, const char *rel, int depth,
         GError **error)
{
  g_autofree char *dir =
      *rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
  g_autoptr(GPtrArray) names = sorted_names(dir);
  if (names == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot read directory",
                dir);
    return FALSE;
  }
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *r = *rel ? g_build_filename(rel, names->pdata[i], NULL)
                              : g_strdup(names->pdata[i]);
    g_autofree char *p = g_build_filename(root, r, NULL);
    struct stat st;
    if (lstat(p, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth + 1 < HASH_DEPTH) {
      if (!hash_dir(sum, root, r, depth + 1, error))
        return FALSE;
    } else if (S_ISREG(st.st_mode)) {
      ckpt_sha256_update(sum, r, strlen(r) + 1);
      if (!hash_file(sum, p, error))
        return FALSE;
    }
  }
  return TRUE;
}

char *
ckpt_watch_sha256(const char *path, GError **error)
{
  g_autoptr(CkptSha256) sum = ckpt_sha256_new();
  gboolean ok = g_file_test(path, G_FILE_TEST_IS_DIR)
                    ? hash_dir(sum, path, "", 0, error)
                    : hash_file(sum, path, error);
  return ok ? ckpt_sha256_finish(g_steal_pointer(&sum)) : NULL;
}

/* ---- records ----------------------------------------------------------- */

/* Records are JSON Lines written with the project's one JSON writer
 * (util/jsonw.h, host/results.h: the same values as --format json). */

/* ,"NAME": */
static void
member(GString *r, const char *name)
{
  g_string_append_c(r, ',');
  ckpt_json_string(r, name, -1);
  g_string_append_c(r, ':');
}

/* ,"NAME":"TEXT" or ,"NAME":null */
static void
member_text(GString *r, const char *name, const char *text)
{
  member(r, name);
  if (text)
    ckpt_json_string(r, text, -1);
  else
    g_string_append(r, "null");
}

static void
member_int(GString *r, const char *name, gint64 v)
{
  member(r, name);
  g_string_append_printf(r, "%" G_GINT64_FORMAT, v);
}

/* one record: closed, one write, then fsync (a pipe or a terminal cannot,
 * and need not) */
static void
emit(Watcher *w, GString *r)
{
  g_string_append(r, "}\n");
  if (!ckpt_fsio_write_all(w->out_fd, r->str, r->len))
    return; /* a closed stdout: the next signal or event ends us */
  (void)fsync(w->out_fd);
}

/* {"type":TYPE,"node":NODE, left open */
static GString *
record_begin(Watcher *w, const char *type)
{
  GString *r = g_string_new("{\"type\":");
  ckpt_json_string(r, type, -1);
  if (w->node)
    member_text(r, "node", w->node);
  return r;
}

static void warn(Watcher *w, const char *path, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
warn(Watcher *w, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_autoptr(GString) r = record_begin(w, "warning");
  if (path)
    member_text(r, "checkpoint", path);
  member_text(r, "message", msg);
  emit(w, r);
}

/* a row as an object of its columns */
static void
add_row(GString *r, const CkptResult *t, const CkptRow *row)
{
  ckpt_json_row_fields(r, t, row);
  g_string_append_c(r, '}');
}

static void
add_ident(GString *r, const char *path, const char *sha,
          const CkptCheckpoint *c)
{
  member_text(r, "checkpoint", path);
  member_text(r, "sha256", sha);
  const char *names[] = {"namespace", "pod", "container"};
  const char *vals[] = {c ? c->container.pod_namespace : NULL,
                        c ? c->container.pod : NULL,
                        c ? c->container.name : NULL};
  for (int i = 0; i < 3; i++)
    if (vals[i] && *vals[i])
      member_text(r, names[i], vals[i]);
}

/* ---- the state file ---------------------------------------------------- */

static char *
state_line(const char *path, const Done *d, const char *sha,
           const char *verdict)
{
  GString *r = g_string_new("{\"path\":");
  ckpt_json_string(r, path, -1);
  member(r, "size");
  g_string_append_printf(r, "%" G_GUINT64_FORMAT, d->size);
  member_int(r, "mtime_ns", d->mtime_ns);
  member_text(r, "sha256", sha);
  member_text(r, "verdict", verdict);
  g_string_append(r, "}\n");
  return g_string_free(r, FALSE);
}

/* a state file holds a line per checkpoint seen: far below this */
#define STATE_MAX ((gsize)256 << 20)

/* Reads the state file into w->done and writes it back with only the
 * paths still there, one line each, by rename. A line that does not
 * parse (a crash in the middle of an append) is dropped with a warning. */
static gboolean
state_load(Watcher *w, GError **error)
{
  const char *file = w->o->state;
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) e = NULL;
  if (!ckpt_fsio_read_file(file, STATE_MAX, &text, &len, &e) &&
      !g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "cannot read state: %s",
                e->message);
    return FALSE;
  }
  g_autoptr(GString) kept = g_string_new(NULL);
  g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    g_autoptr(GError) pe = NULL;
    g_autoptr(JsonNode) n = ckpt_json_parse((const uint8_t *)lines[i],
                                            strlen(lines[i]), 4, NULL, &pe);
    JsonObject *o =
        n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
    const char *path =
        o ? json_object_get_string_member_with_default(o, "path", NULL) : NULL;
    if (path == NULL) {
      warn(w, NULL, "%s: line %u: not a state record, dropped", file, i + 1);
      continue;
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
      continue; /* gone: forget it */
    Done *d = g_new0(Done, 1);
    d->size = (guint64)json_object_get_int_member_with_default(o, "size", 0);
    d->mtime_ns = json_object_get_int_member_with_default(o, "mtime_ns", 0);
    g_hash_table_replace(w->done, g_strdup(path), d);
    g_string_append(kept, lines[i]);
    g_string_append_c(kept, '\n');
  }
  g_autofree char *tmp = g_strconcat(file, ".new", NULL);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || !ckpt_fsio_write_all(fd, kept->str, kept->len) ||
      fsync(fd) != 0 || rename(tmp, file) != 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot write state: %s",
                file, g_strerror(errno));
    if (fd >= 0)
      close(fd);
    unlink(tmp);
    return FALSE;
  }
  close(fd);
  w->state_fd = open(file, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (w->state_fd < 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot open state: %s",
                file, g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

static void
state_add(Watcher *w, const char *path, const Done *d, const char *sha,
          const char *verdict)
{
  g_hash_table_replace(w->done, g_strdup(path), g_memdup2(d, sizeof *d));
  if (w->state_fd < 0)
    return;
  g_autofree char *line = state_line(path, d, sha, verdict);
  if (!ckpt_fsio_write_all(w->state_fd, line, strlen(line)) ||
      fsync(w->state_fd) != 0)
    warn(w, path, "%s: cannot append to state: %s", w->o->state,
         g_strerror(errno));
}

/* ---- --exec ------------------------------------------------------------ */

static void
child_unblock(gpointer data)
{
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
}

static void
run_exec(Watcher *w, const char *path, const char *verdict, const char *line)
{
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_setenv(env, "CKPT_WATCH_CHECKPOINT", path, TRUE);
  env = g_environ_setenv(env, "CKPT_WATCH_VERDICT", verdict, TRUE);
  GPid pid;
  int in_fd = -1;
  g_autoptr(GError) error = NULL;
  if (!g_spawn_async_with_pipes(NULL, w->exec_argv, env,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                child_unblock, NULL, &pid, &in_fd, NULL, NULL,
                                &error)) {
    warn(w, path, "--exec: %s", error->message);
    return;
  }
  gboolean wrote = ckpt_fsio_write_all(in_fd, line, strlen(line));
  close(in_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid(pid);
  if (!wrote)
    warn(w, path, "--exec: %s did not read the record", w->exec_argv[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    warn(w, path, "--exec: %s exited with status %d", w->exec_argv[0],
         WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    warn(w, path, "--exec: %s killed by signal %d", w->exec_argv[0],
         WTERMSIG(status));
}

/* ---- one checkpoint ---------------------------------------------------- */

static void
add_errors(GString *r, const CkptReport *rep, const char *extra)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
  if (extra)
    g_ptr_array_add(all, g_strdup(extra));
  for (guint i = 0; rep && i < rep->errors->len; i++)
    g_ptr_array_add(all, g_strdup(g_ptr_array_index(rep->errors, i)));
  for (guint p = 0; rep && p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    if (pr->outcome <= CKPT_PLUGIN_RAN_WARN && pr->messages->len == 0)
      continue;
    for (guint m = 0; m < pr->messages->len; m++)
      g_ptr_array_add(
          all, g_strdup_printf("plugin %s %s: %s", pr->name,
                               ckpt_outcome_name(pr->outcome),
                               (char *)g_ptr_array_index(pr->messages, m)));
    if (pr->messages->len == 0)
      g_ptr_array_add(all, g_strdup_printf("plugin %s %s", pr->name,
                                           ckpt_outcome_name(pr->outcome)));
  }
  member(r, "errors");
  ckpt_json_strings(r, all);
}

static gint64
ms_since(gint64 t0)
{
  return (g_get_monotonic_time() - t0) / 1000;
}

/* Hashes, opens and triages path; writes its finding records and its
 * summary; remembers it. */
static void
process(Watcher *w, const char *path, const Sig *sig)
{
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GError) herr = NULL;
  g_autofree char *sha = ckpt_watch_sha256(path, &herr);
  gint64 hash_ms = ms_since(t0);

  gint64 t1 = g_get_monotonic_time();
  g_autoptr(CkptReport) rep = ckpt_report_new(path);
  g_autoptr(GError) oerr = NULL;
  g_autoptr(CkptCheckpoint) c =
      sha ? ckpt_checkpoint_open(path, w->limits, &oerr) : NULL;
  if (c) {
    rep->opened = TRUE;
    ckpt_plan_run(w->h, w->plan, c, rep);
  } else if (oerr) {
    g_ptr_array_add(rep->errors, g_strdup(oerr->message));
  }
  gint64 triage_ms = ms_since(t1);

  const CkptResult *findings = ckpt_report_table(rep, "triage", "findings");
  const CkptResult *verdict = ckpt_report_table(rep, "triage", "verdict");
  for (guint i = 0; findings && i < findings->rows->len; i++) {
    g_autoptr(GString) r = record_begin(w, "finding");
    add_ident(r, path, sha, c);
    member(r, "finding");
    add_row(r, findings, &g_array_index(findings->rows, CkptRow, i));
    emit(w, r);
  }

  const char *verdict_text = "error";
  g_autoptr(GString) r = record_begin(w, "summary");
  add_ident(r, path, sha, c);
  member(r, "size");
  g_string_append_printf(r, "%" G_GUINT64_FORMAT, (guint64)sig->size);
  g_autofree char *mt = iso_time_ns(sig->mtime_ns);
  member_text(r, "mtime", mt);
  const CkptRow *vrow = verdict && verdict->rows->len
                            ? &g_array_index(verdict->rows, CkptRow, 0)
                            : NULL;
  int vcol = -1;
  for (size_t i = 0; vrow && i < verdict->n_columns; i++)
    if (strcmp(verdict->decl->columns[i].name, "verdict") == 0)
      vcol = (int)i;
  gboolean ok = sha && c && ckpt_report_status(rep) == 0;
  if (ok && vcol >= 0 && vrow->values[vcol].type == CKPT_T_STR)
    verdict_text = vrow->values[vcol].v.s;
  member_text(r, "verdict", verdict_text);
  member_text(r, "status",
              sha == NULL ? "error" : ckpt_report_status_name(rep));
  member(r, "counts");
  if (vrow)
    add_row(r, verdict, vrow);
  else
    g_string_append(r, "null");
  add_errors(r, rep, herr ? herr->message : NULL);
  member_int(r, "hash_ms", hash_ms);
  member_int(r, "triage_ms", triage_ms);
  g_autofree char *now = iso_time_ns(g_get_real_time() * 1000);
  member_text(r, "done_at", now);
  member_int(r, "rss_kib", rss_kib());
  g_string_append(r, "}\n");

  const char *line = r->str;
  if (ckpt_fsio_write_all(w->out_fd, r->str, r->len))
    (void)fsync(w->out_fd);
  Done d = {sig->size, sig->mtime_ns};
  state_add(w, path, &d, sha, verdict_text);
  if (w->exec_argv)
    run_exec(w, path, verdict_text, line);
}

/* ---- the watch --------------------------------------------------------- */

static void
watch_free(Watch *wt)
{
  g_free(wt->path);
  g_free(wt->top);
  g_free(wt);
}

static int
add_watch(Watcher *w, const char *path, const char *top, int depth)
{
  int wd = inotify_add_watch(w->ifd, path, depth == 0 ? ROOT_MASK : SUB_MASK);
  if (wd < 0)
    return -1;
  Watch *wt = g_new0(Watch, 1);
  wt->path = g_strdup(path);
  wt->top = g_strdup(top);
  wt->depth = depth;
  g_hash_table_replace(w->watches, GINT_TO_POINTER(wd), wt);
  return wd;
}

static void
pend(Watcher *w, const char *path)
{
  Pending *p = g_hash_table_lookup(w->pending, path);
  if (p == NULL) {
    p = g_new0(Pending, 1);
    g_hash_table_insert(w->pending, g_strdup(path), p);
  }
  p->due = g_get_monotonic_time() + (gint64)(w->o->settle * 1e6);
  p->sig = sig_of(path);
}

/* Watches a directory that may be (or become) a checkpoint and the
 * subdirectories it has already: they may have been made before the
 * watch was. */
static void
watch_subtree(Watcher *w, const char *path, const char *top, int depth)
{
  if (depth > MAX_SUB_DEPTH || add_watch(w, path, top, depth) < 0)
    return;
  g_autoptr(GPtrArray) names = sorted_names(path);
  for (guint i = 0; names && i < names->len; i++) {
    g_autofree char *p = g_build_filename(path, names->pdata[i], NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
        !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
      watch_subtree(w, p, top, depth + 1);
  }
}

/* An entry of a watched root: a candidate (scan: a file is complete). A
 * symlink is not followed, to a directory or a file: the watched
 * directory may be an untrusted host's, and the link would take the
 * watcher anywhere on this one (as a sweep takes no directory through a
 * symlink, host/targets.c). It is skipped with a warning record. */
static void
consider(Watcher *w, const char *root, const char *name, gboolean scan)
{
  if (ignored_name(name))
    return;
  g_autofree char *p = g_build_filename(root, name, NULL);
  struct stat st;
  if (lstat(p, &st) != 0)
    return;
  if (S_ISLNK(st.st_mode)) {
    warn(w, p, "a symlink is not followed: skipped");
  } else if (S_ISDIR(st.st_mode)) {
    watch_subtree(w, p, p, 1);
    pend(w, p);
  } else if (S_ISREG(st.st_mode) && scan) {
    pend(w, p);
  }
}

static void
scan_root(Watcher *w, const char *root, gboolean new_only)
{
  g_autoptr(GPtrArray) names = sorted_names(root);
  for (guint i = 0; names && i < names->len; i++) {
    if (!new_only) {
      consider(w, root, names->pdata[i], TRUE);
      continue;
    }
    /* still watch directories that may yet gain their images (never
     * through a symlink: consider()) */
    g_autofree char *p = g_build_filename(root, names->pdata[i], NULL);
    struct stat st;
    if (!ignored_name(names->pdata[i]) && lstat(p, &st) == 0 &&
        S_ISDIR(st.st_mode))
      watch_subtree(w, p, p, 1);
  }
}

static void
forget(Watcher *w, const char *path)
{
  g_hash_table_remove(w->pending, path);
  g_hash_table_remove(w->done, path);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, w->watches);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    Watch *wt = value;
    if (wt->top && strcmp(wt->top, path) == 0)
      inotify_rm_watch(w->ifd, GPOINTER_TO_INT(key)); /* IN_IGNORED frees */
  }
}

static void
handle_event(Watcher *w, const struct inotify_event *ev)
{
  if (ev->mask & IN_Q_OVERFLOW) {
    warn(w, NULL, "inotify queue overflowed: rescanning");
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, w->roots);
    while (g_hash_table_iter_next(&it, &key, NULL))
      scan_root(w, key, FALSE);
    return;
  }
  Watch *wt = g_hash_table_lookup(w->watches, GINT_TO_POINTER(ev->wd));
  if (wt == NULL)
    return;
  if (ev->mask & IN_IGNORED) {
    g_hash_table_remove(w->watches, GINT_TO_POINTER(ev->wd));
    return;
  }
  if (ev->len == 0)
    return;
  if (wt->depth == 0) {
    g_autofree char *p = g_build_filename(wt->path, ev->name, NULL);
    if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
      forget(w, p);
    } else if (ev->mask & IN_ISDIR) {
      consider(w, wt->path, ev->name, TRUE);
    } else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
      consider(w, wt->path, ev->name, TRUE);
    } else if (ev->mask & IN_CREATE) {
      consider(w, wt->path, ev->name, FALSE); /* a symlink made in place */
    }
    return;
  }
  /* inside a checkpoint directory: it changed, or gained a subdirectory */
  if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
    g_autofree char *p = g_build_filename(wt->path, ev->name, NULL);
    watch_subtree(w, p, wt->top, wt->depth + 1);
  }
  pend(w, wt->top);
}

static gboolean
signalled(Watcher *w)
{
  struct pollfd p = {.fd = w->sfd, .events = POLLIN};
  if (poll(&p, 1, 0) > 0) {
    struct signalfd_siginfo si;
    if (read(w->sfd, &si, sizeof si) > 0)
      w->stop = TRUE;
  }
  return w->stop;
}

/* Works on every pending entry that is due; returns the time to wait for
 * the next, in ms (-1: none pending). */
static int
run_due(Watcher *w)
{
  gint64 now = g_get_monotonic_time();
  gint64 next = G_MAXINT64;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func(g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, w->pending);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    Pending *p = value;
    if (p->due <= now)
      g_ptr_array_add(due, g_strdup(key));
    else
      next = MIN(next, p->due);
  }
  g_ptr_array_sort(due, cmp_str);
  for (guint i = 0; i < due->len && !signalled(w); i++) {
    const char *path = due->pdata[i];
    Pending *p = g_hash_table_lookup(w->pending, path);
    Sig now_sig = sig_of(path);
    if (!now_sig.exists) {
      g_hash_table_remove(w->pending, path);
      continue;
    }
    if (!sig_equal(&now_sig, &p->sig)) {
      /* still being written: look again a settle time later */
      p->sig = now_sig;
      p->due = g_get_monotonic_time() + (gint64)(w->o->settle * 1e6);
      next = MIN(next, p->due);
      continue;
    }
    g_hash_table_remove(w->pending, path);
    /* a directory without its images yet waits for its next event */
    if (now_sig.is_dir && !ckpt_targets_is_checkpoint_dir(path))
      continue;
    Done *d = g_hash_table_lookup(w->done, path);
    if (d && d->size == now_sig.size && d->mtime_ns == now_sig.mtime_ns)
      continue;
    process(w, path, &now_sig);
  }
  if (g_hash_table_size(w->pending) == 0)
    return -1;
  now = g_get_monotonic_time();
  return next == G_MAXINT64 ? 0 : (int)MAX(0, (next - now + 999) / 1000);
}

static void
watcher_release(Watcher *w)
{
  if (w->ifd >= 0)
    close(w->ifd);
  if (w->sfd >= 0)
    close(w->sfd);
  if (w->own_out && w->out_fd >= 0)
    close(w->out_fd);
  if (w->state_fd >= 0)
    close(w->state_fd);
  g_strfreev(w->exec_argv);
  g_hash_table_unref(w->watches);
  g_hash_table_unref(w->pending);
  g_hash_table_unref(w->done);
  g_hash_table_unref(w->roots);
  g_free(w->node);
}

static void
emit_watching(Watcher *w)
{
  g_autoptr(GString) r = record_begin(w, "watching");
  g_autoptr(GPtrArray) dirs = g_ptr_array_new();
  for (const char *const *d = w->o->dirs; *d; d++)
    g_ptr_array_add(dirs, (gpointer)*d);
  member(r, "dirs");
  ckpt_json_strings(r, dirs);
  member_int(r, "remembered", g_hash_table_size(w->done));
  emit(w, r);
}

gboolean
ckpt_watch_run(const CkptHost *h, const CkptPlan *plan,
               const CkptLimits *limits, const CkptWatchOptions *o,
               GError **error)
{
  g_return_val_if_fail(o->dirs && o->dirs[0], FALSE);
  Watcher w = {
      .h = h,
      .plan = plan,
      .limits = limits,
      .o = o,
      .ifd = -1,
      .sfd = -1,
      .out_fd = STDOUT_FILENO,
      .state_fd = -1,
      .watches =
          g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)watch_free),
      .pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      .done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      .roots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
  };
  const char *node = g_getenv("CKPT_NODE_NAME");
  w.node = node && *node ? g_strdup(node) : NULL;
  gboolean ok = FALSE;
  sigset_t mask, old;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, &old);
  /* an --exec child that stops reading must not kill the watcher */
  void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

  if (o->exec && !g_shell_parse_argv(o->exec, NULL, &w.exec_argv, error)) {
    g_prefix_error(error, "--exec: ");
    goto out;
  }
  if (o->output) {
    w.out_fd = open(o->output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (w.out_fd < 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot open: %s",
                  o->output, g_strerror(errno));
      goto out;
    }
    w.own_out = TRUE;
  }
  w.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  w.ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (w.sfd < 0 || w.ifd < 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "cannot watch: %s",
                g_strerror(errno));
    goto out;
  }
  for (const char *const *d = o->dirs; *d; d++) {
    if (add_watch(&w, *d, NULL, 0) < 0) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: cannot watch: %s", *d,
                  g_strerror(errno));
      goto out;
    }
    g_hash_table_add(w.roots, g_strdup(*d));
  }
  if (o->state && !state_load(&w, error))
    goto out;
  /* watched first, then scanned: nothing falls between the two */
  emit_watching(&w);
  for (const char *const *d = o->dirs; *d; d++)
    scan_root(&w, *d, o->new_only);

  _Alignas(struct inotify_event) char buf[16384];
  while (!w.stop) {
    int timeout = run_due(&w);
    if (w.stop || (o->once && timeout < 0))
      break;
    struct pollfd p[2] = {{.fd = w.ifd, .events = POLLIN},
                          {.fd = w.sfd, .events = POLLIN}};
    int n = poll(p, 2, timeout);
    if (n < 0 && errno != EINTR) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "poll: %s",
                  g_strerror(errno));
      goto out;
    }
    if (n > 0 && (p[1].revents & POLLIN))
      (void)signalled(&w);
    if (n > 0 && (p[0].revents & POLLIN)) {
      ssize_t len;
      while ((len = read(w.ifd, buf, sizeof buf)) > 0)
        for (char *q = buf; q < buf + len;) {
          const struct inotify_event *ev = (const void *)q;
          handle_event(&w, ev);
          q += sizeof *ev + ev->len;
        }
    }
  }
  ok = TRUE;
out:
  watcher_release(&w);
  signal(SIGPIPE, old_pipe);
  sigprocmask(SIG_SETMASK, &old, NULL);
  return ok;
}

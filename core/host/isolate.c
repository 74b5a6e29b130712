/* isolate.c - one process per plugin run (see isolate.h).
 *
 * Wire form, little-endian, a sequence of records:
 *   u8 kind, u32 length, length bytes of payload
 *   'M' a message: its text (no NUL)
 *   'W' a warning the run added to the checkpoint's model (its text)
 *   'R' a row: u32 table, u32 depth, u32 n, then n values:
 *       u8 type; INT, TIME, BOOL: i64; UINT, ADDR, SIZE: u64; DOUBLE: 8
 *       bytes; STR, BYTES: u32 length + bytes; NULL: nothing
 *   'E' the end: u32 outcome; must be the last record
 * A stream without its end record means the child died before finishing.
 */
#define _GNU_SOURCE /* pipe2, sigabbrev_np */
#include "host/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fsio.h"
#include "host/run.h"

/* What one plugin may send back; more is taken as a runaway child. */
#define MAX_WIRE (G_GUINT64_CONSTANT(4) << 30)

static gboolean isolate_on;
static unsigned isolate_timeout; /* seconds per plugin; 0: none */

void
ckpt_isolate_set(gboolean on)
{
  isolate_on = on;
}

gboolean
ckpt_isolate_enabled(void)
{
  return isolate_on;
}

void
ckpt_isolate_set_timeout(unsigned seconds)
{
  isolate_timeout = seconds;
}

/* ---- encoding (child side) --------------------------------------------- */

static void
put_u32(GByteArray *b, uint32_t v)
{
  guint8 x[4] = {v, v >> 8, v >> 16, v >> 24};
  g_byte_array_append(b, x, 4);
}

static void
put_u64(GByteArray *b, uint64_t v)
{
  put_u32(b, (uint32_t)v);
  put_u32(b, (uint32_t)(v >> 32));
}

static void
put_blob(GByteArray *b, const void *data, size_t len)
{
  put_u32(b, (uint32_t)len);
  if (len)
    g_byte_array_append(b, data, (guint)len);
}

/* Starts a record; its length is patched by end_record(). */
static guint
begin_record(GByteArray *b, guint8 kind)
{
  g_byte_array_append(b, &kind, 1);
  put_u32(b, 0);
  return b->len;
}

static void
end_record(GByteArray *b, guint start)
{
  uint32_t n = b->len - start;
  guint8 *p = b->data + start - 4;
  p[0] = n;
  p[1] = n >> 8;
  p[2] = n >> 16;
  p[3] = n >> 24;
}

static void
put_value(GByteArray *b, const CkptValue *v)
{
  guint8 t = (guint8)v->type;
  g_byte_array_append(b, &t, 1);
  switch (v->type) {
  case CKPT_T_INT:
  case CKPT_T_TIME:
  case CKPT_T_BOOL:
    put_u64(b, (uint64_t)v->v.i);
    break;
  case CKPT_T_UINT:
  case CKPT_T_ADDR:
  case CKPT_T_SIZE:
    put_u64(b, v->v.u);
    break;
  case CKPT_T_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, &v->v.d, 8);
    put_u64(b, bits);
    break;
  }
  case CKPT_T_STR:
    put_blob(b, v->v.s, v->v.s ? strlen(v->v.s) : 0);
    break;
  case CKPT_T_BYTES:
    put_blob(b, v->v.bytes.data, v->v.bytes.len);
    break;
  default:
    break;
  }
}

static void
put_texts(GByteArray *b, guint8 kind, const GPtrArray *texts, guint from)
{
  for (guint i = from; texts && i < texts->len; i++) {
    const char *m = g_ptr_array_index(texts, i);
    guint at = begin_record(b, kind);
    g_byte_array_append(b, (const guint8 *)m, (guint)strlen(m));
    end_record(b, at);
  }
}

GByteArray *
ckpt_isolate_encode(const CkptPluginResult *pr, const GPtrArray *warnings,
                    guint from)
{
  GByteArray *b = g_byte_array_new();
  put_texts(b, 'M', pr->messages, 0);
  put_texts(b, 'W', warnings, from);
  for (size_t t = 0; t < pr->n_tables; t++) {
    const CkptResult *res = &pr->tables[t];
    for (guint r = 0; r < res->rows->len; r++) {
      const CkptRow *row = &g_array_index(res->rows, CkptRow, r);
      guint at = begin_record(b, 'R');
      put_u32(b, (uint32_t)t);
      put_u32(b, row->depth);
      put_u32(b, (uint32_t)res->n_columns);
      for (size_t c = 0; c < res->n_columns; c++)
        put_value(b, &row->values[c]);
      end_record(b, at);
    }
  }
  guint at = begin_record(b, 'E');
  put_u32(b, (uint32_t)pr->outcome);
  end_record(b, at);
  return b;
}

/* ---- decoding (parent side) -------------------------------------------- */

typedef struct {
  const guint8 *p, *end;
} Cursor;

static gboolean
take(Cursor *c, size_t n, const guint8 **out)
{
  if ((size_t)(c->end - c->p) < n)
    return FALSE;
  *out = c->p;
  c->p += n;
  return TRUE;
}

static gboolean
get_u32(Cursor *c, uint32_t *v)
{
  const guint8 *x;
  if (!take(c, 4, &x))
    return FALSE;
  *v = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 |
       (uint32_t)x[3] << 24;
  return TRUE;
}

static gboolean
get_u64(Cursor *c, uint64_t *v)
{
  uint32_t lo, hi;
  if (!get_u32(c, &lo) || !get_u32(c, &hi))
    return FALSE;
  *v = (uint64_t)hi << 32 | lo;
  return TRUE;
}

/* One value; strings are copied NUL-ended into scratch, which lives until
 * the row is stored. */
static gboolean
get_value(Cursor *c, CkptValue *v, GPtrArray *scratch)
{
  const guint8 *t, *data;
  uint32_t len;
  uint64_t u;
  if (!take(c, 1, &t))
    return FALSE;
  memset(v, 0, sizeof(*v));
  v->type = (CkptType)*t;
  switch (v->type) {
  case CKPT_T_NULL:
    return TRUE;
  case CKPT_T_LIST: /* options only, never a cell */
    return FALSE;
  case CKPT_T_INT:
  case CKPT_T_TIME:
  case CKPT_T_BOOL:
    if (!get_u64(c, &u))
      return FALSE;
    v->v.i = (int64_t)u;
    return TRUE;
  case CKPT_T_UINT:
  case CKPT_T_ADDR:
  case CKPT_T_SIZE:
    return get_u64(c, &v->v.u);
  case CKPT_T_DOUBLE:
    if (!get_u64(c, &u))
      return FALSE;
    memcpy(&v->v.d, &u, 8);
    return TRUE;
  case CKPT_T_STR:
  case CKPT_T_BYTES:
    if (!get_u32(c, &len) || !take(c, len, &data))
      return FALSE;
    if (v->type == CKPT_T_STR) {
      char *s = g_strndup((const char *)data, len);
      g_ptr_array_add(scratch, s);
      v->v.s = s;
    } else {
      v->v.bytes.data = data;
      v->v.bytes.len = len;
    }
    return TRUE;
  }
  return FALSE;
}

static gboolean
decode_row(Cursor *c, CkptPluginResult *pr, CkptReport *report, GError **error)
{
  uint32_t t, depth, n;
  if (!get_u32(c, &t) || !get_u32(c, &depth) || !get_u32(c, &n) ||
      t >= pr->n_tables || n != pr->tables[t].n_columns) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "row record does not match the plugin's tables");
    return FALSE;
  }
  g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func(g_free);
  g_autofree CkptValue *values = g_new0(CkptValue, n ? n : 1);
  for (uint32_t i = 0; i < n; i++)
    if (!get_value(c, &values[i], scratch)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "row value %u of table %u is malformed", i, t);
      return FALSE;
    }
  if (c->p != c->end) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "row record of table %u has trailing bytes", t);
    return FALSE;
  }
  const CkptResult *res = &pr->tables[t];
  if (!ckpt_row_check(res->decl, res->n_columns, values, n, error))
    return FALSE;
  ckpt_report_add_row(report, pr, t, depth, values);
  return TRUE;
}

/* Adds text to warnings unless it is there already: two isolated runs of
 * one checkpoint each say a once-only warning in their own child. */
static void
add_warning(GPtrArray *warnings, const guint8 *text, uint32_t n)
{
  g_autofree char *w = g_utf8_make_valid((const char *)text, n);
  for (guint i = 0; i < warnings->len; i++)
    if (strcmp(g_ptr_array_index(warnings, i), w) == 0)
      return;
  g_ptr_array_add(warnings, g_steal_pointer(&w));
}

gboolean
ckpt_isolate_decode(const guint8 *buf, gsize len, CkptPluginResult *pr,
                    CkptReport *report, GPtrArray *warnings, GError **error)
{
  Cursor c = {buf, buf + len};
  while (c.p < c.end) {
    const guint8 *kind, *payload;
    uint32_t n;
    if (!take(&c, 1, &kind) || !get_u32(&c, &n) || !take(&c, n, &payload)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "truncated record at byte %zu of the child's reply",
                  (size_t)(c.p - buf));
      return FALSE;
    }
    Cursor rec = {payload, payload + n};
    uint32_t outcome;
    switch (*kind) {
    case 'M':
      g_ptr_array_add(pr->messages,
                      g_utf8_make_valid((const char *)payload, n));
      break;
    case 'W':
      if (warnings)
        add_warning(warnings, payload, n);
      break;
    case 'R':
      if (!decode_row(&rec, pr, report, error))
        return FALSE;
      break;
    case 'E':
      if (!get_u32(&rec, &outcome) || outcome > CKPT_PLUGIN_RAN_FATAL ||
          c.p != c.end) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                    "bad end record in the child's reply");
        return FALSE;
      }
      pr->outcome = (CkptPluginOutcome)outcome;
      return TRUE;
    default:
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                  "unknown record 0x%02x in the child's reply", *kind);
      return FALSE;
    }
  }
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
              "the child's reply ends without its end record");
  return FALSE;
}

/* ---- the child --------------------------------------------------------- */

G_GNUC_NORETURN static void
child_main(int fd, const CkptHost *h, const CkptLoadedPlugin *p,
           CkptCheckpoint *c, GArray *opts, CkptReport *report)
{
  /* what the run says of the model (a read of memory no plugin declared)
   * goes back to the parent's checkpoint with the rows */
  guint warned = c && c->warnings ? c->warnings->len : 0;
  ckpt_host_run_plugin(h, p, c, opts, report);
  const CkptPluginResult *pr =
      g_ptr_array_index(report->plugins, report->plugins->len - 1);
  GByteArray *b = ckpt_isolate_encode(pr, c ? c->warnings : NULL, warned);
  gboolean ok = ckpt_fsio_write_all(fd, b->data, b->len);
  g_byte_array_unref(b);
  /* _exit: nothing of the parent's (stdio buffers, atexit handlers,
   * temporary files) may be flushed or run twice. */
  _exit(ok ? 0 : 3);
}

/* ---- the parent -------------------------------------------------------- */

/* Reads the child's whole reply; with a timeout, gives up when the child
 * has not closed its end by then (the caller then kills it). */
static gboolean
read_reply(int fd, GByteArray *b, GError **error)
{
  gint64 deadline =
      isolate_timeout
          ? g_get_monotonic_time() + (gint64)isolate_timeout * G_USEC_PER_SEC
          : 0;
  switch (ckpt_fsio_read_fd(fd, MAX_WIRE, deadline, b)) {
  case CKPT_FSIO_DONE:
    return TRUE;
  case CKPT_FSIO_TIMEDOUT:
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "timed out after %u s (--isolate-timeout)", isolate_timeout);
    return FALSE;
  case CKPT_FSIO_TOO_BIG:
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "the child's reply is over %" G_GUINT64_FORMAT " bytes",
                (guint64)MAX_WIRE);
    return FALSE;
  case CKPT_FSIO_FAILED:
  default: {
    int e = errno;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO,
                "reading the child's reply: %s", g_strerror(e));
    return FALSE;
  }
  }
}

static char *
describe_status(int status)
{
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char *abbrev = sigabbrev_np(sig);
    return g_strdup_printf("killed by signal %d (SIG%s: %s)", sig,
                           abbrev ? abbrev : "?", strsignal(sig));
  }
  if (WIFEXITED(status))
    return g_strdup_printf("exited with status %d before it finished",
                           WEXITSTATUS(status));
  return g_strdup("ended abnormally");
}

static CkptPluginOutcome fail(CkptPluginResult *pr, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static CkptPluginOutcome
fail(CkptPluginResult *pr, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(pr->messages, g_strdup_vprintf(fmt, ap));
  va_end(ap);
  pr->outcome = CKPT_PLUGIN_RAN_FAILED;
  return pr->outcome;
}

/* Drops rows a failed decode may have stored, so a FAILED plugin shows
 * no half result. */
static void
drop_rows(CkptPluginResult *pr)
{
  for (size_t t = 0; t < pr->n_tables; t++)
    ckpt_rows_clear(pr->tables[t].rows);
}

CkptPluginOutcome
ckpt_isolate_run_plugin(const CkptHost *h, const CkptLoadedPlugin *p,
                        CkptCheckpoint *c, GArray *opts, CkptReport *report)
{
  const char *name = p->desc->name;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    int e = errno;
    CkptPluginResult *pr = ckpt_report_add_plugin(report, p->desc);
    return fail(pr, "plugin %s: cannot isolate: pipe: %s", name, g_strerror(e));
  }
  /* Nothing buffered may be written twice, by parent and child. */
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], h, p, c, opts, report);
  }
  int fork_errno = errno;
  close(fds[1]);
  CkptPluginResult *pr = ckpt_report_add_plugin(report, p->desc);
  if (pid < 0) {
    close(fds[0]);
    return fail(pr, "plugin %s: cannot isolate: fork: %s", name,
                g_strerror(fork_errno));
  }
  g_autoptr(GByteArray) reply = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  gboolean read_ok = read_reply(fds[0], reply, &error);
  close(fds[0]);
  if (!read_ok)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!read_ok)
    return fail(pr, "plugin %s: %s", name, error->message);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    g_autofree char *how = describe_status(status);
    return fail(pr, "plugin %s %s", name, how);
  }
  if (!ckpt_isolate_decode(reply->data, reply->len, pr, report,
                           c ? c->warnings : NULL, &error)) {
    drop_rows(pr);
    return fail(pr, "plugin %s: isolated run: %s", name, error->message);
  }
  return pr->outcome;
}

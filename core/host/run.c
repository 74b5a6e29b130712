/* run.c - the CkptApi table plugins call, over core/model/model.h, and the run
 * of one plugin over one checkpoint.
 *
 * Accessors are thin: the model embeds each public view as the first
 * member of its object. What is checked here is what a plugin hands in:
 * indices, table numbers, row shapes and option names.
 */
#include "host/run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "host/mempass.h"
#include "host/redact.h"
#include "model/secretset.h"

struct CkptRun {
  const CkptHost *host;
  const CkptLoadedPlugin *plugin;
  CkptCheckpoint *ckpt;
  GArray *opts; /* CkptOptionValue */
  CkptReport *report;
  CkptPluginResult *result;
  size_t bad_rows; /* rows refused; reported once, at the end */
  char *first_bad; /* why the first one was refused */
  /* progress: the last permille handed on, -1 for none yet */
  int progress_permille;
  gint64 progress_time;
  gboolean progress_shown;
  /* a multi-checkpoint run: one view per checkpoint, whose parent is the
   * run handed to run_multi(); rows, errors and progress go to the parent */
  CkptRun *parent;
  CkptRun *views;
  size_t n_views;
  /* the redaction policy's secrets (redact.h): the model's set, or for a
   * multi-checkpoint run the union of its checkpoints' sets (owned) */
  const CkptSecretSet *secrets;
  CkptSecretSet *secrets_union;
  gboolean secrets_done;
  gboolean secrets_memory; /* secrets holds those found in memory */
  gboolean secrets_warned; /* the set's overflow was reported */
  GHashTable *carries;     /* table index -> CkptRedactCarry[n_columns] */
  /* rows of memory windows (emit_window): their secrets, found in the
   * windows only; windowed once the plugin emitted one */
  CkptSecretWindows *windows;
  gboolean windowed;
  /* a directory run (run_dir): where dir_next takes its entries, and the
   * view the current one is read through */
  CkptDirNextFn dir_next;
  void *dir_user;
  CkptRun *dir_view;
  /* the chain's memory pass (mempass.h), or NULL; subscribing is open
   * only while the plugin's prepare() runs */
  CkptMemPass *pass;
  gboolean preparing;
};

/* The run rows and messages belong to. */
static CkptRun *
owner(CkptRun *run)
{
  return run->parent ? run->parent : run;
}

/* ---- redaction --------------------------------------------------------- */

/* The redaction rules, the same for every run of the process. */
static const char *
secret_rules(void)
{
  static gsize once;
  static char *rules;
  if (g_once_init_enter(&once)) {
    rules = ckpt_host_secret_rules();
    g_once_init_leave(&once, 1);
  }
  return rules;
}

/* Tells once per report that s left secrets out. */
static void
warn_dropped(CkptRun *run, const CkptSecretSet *s)
{
  if (s->dropped && run->report && !run->secrets_warned) {
    /* once per report, whichever plugin met it first */
    run->secrets_warned = TRUE;
    g_autofree char *w = g_strdup_printf("redaction: %" G_GUINT64_FORMAT
                                         " secrets past the first %d are not "
                                         "redacted",
                                         s->dropped, CKPT_SECRET_SET_MAX);
    if (!g_ptr_array_find_with_equal_func(run->report->warnings, w, g_str_equal,
                                          NULL))
      g_ptr_array_add(run->report->warnings, g_steal_pointer(&w));
  }
}

static const CkptSecretSet *
checkpoint_secrets(CkptRun *run, CkptCheckpoint *c, gboolean memory)
{
  g_autofree char *warning = NULL;
  const CkptSecretSet *s =
      ckpt_checkpoint_secrets(c, secret_rules(), memory, &warning);
  if (warning && run->report)
    g_ptr_array_add(run->report->warnings, g_steal_pointer(&warning));
  warn_dropped(run, s);
  if (ckpt_host_verbose(run->host))
    g_printerr("ckpt: %s: %s: redaction: %u secrets%s, computed in %.1f ms\n",
               run->report->path, run->plugin->desc->name, s->items->len,
               memory ? " (memory scanned)" : "", s->compute_ms);
  return s;
}

/* Has a plugin been shown the memory of run's checkpoints? */
static gboolean
memory_shown(const CkptRun *run)
{
  if (run->ckpt && run->ckpt->memory_shown)
    return TRUE;
  for (size_t i = 0; i < run->n_views; i++)
    if (run->views[i].ckpt && run->views[i].ckpt->memory_shown)
      return TRUE;
  return FALSE;
}

/* The secrets rows and messages of run are redacted with, computed on the
 * first row, and again with memory's once the plugin read memory; NULL
 * with --reveal. */
static const CkptSecretSet *
run_secrets(CkptRun *run)
{
  run = owner(run);
  if (ckpt_host_reveal(run->host))
    return NULL;
  gboolean memory = memory_shown(run);
  if (run->secrets_done && run->secrets_memory == memory)
    return run->secrets;
  run->secrets_done = TRUE;
  run->secrets_memory = memory;
  if (run->n_views == 0) {
    run->secrets =
        run->ckpt ? checkpoint_secrets(run, run->ckpt, memory) : NULL;
    return run->secrets;
  }
  g_clear_pointer(&run->secrets_union, ckpt_secret_set_free);
  run->secrets_union = ckpt_secret_set_new();
  for (size_t i = 0; i < run->n_views; i++)
    if (run->views[i].ckpt)
      ckpt_secret_set_merge(
          run->secrets_union,
          checkpoint_secrets(&run->views[i], run->views[i].ckpt, memory));
  ckpt_secret_set_sort(run->secrets_union);
  run->secrets = run->secrets_union;
  return run->secrets;
}

/* CKPT_REDACT_WINDOWS=0 in the environment: rows of memory windows are
 * redacted with the secrets of all memory, as before there were windows
 * (the tests compare the two). */
static gboolean
windows_enabled(void)
{
  return g_strcmp0(g_getenv("CKPT_REDACT_WINDOWS"), "0") != 0;
}

/* The run's windows of memory, made on the first windowed row. */
static CkptSecretWindows *
run_windows(CkptRun *run)
{
  if (!run->windows) {
    g_autofree char *warning = NULL;
    run->windows =
        ckpt_secret_windows_new(run->ckpt, secret_rules(), NULL, &warning);
    if (warning && run->report)
      g_ptr_array_add(run->report->warnings, g_steal_pointer(&warning));
  }
  return run->windows;
}

/* The secrets a row showing [addr, addr+len) of p's memory is redacted
 * with (ckpt_secret_windows_cover); a row that shows none (len 0) with
 * the windows' set as it is; NULL with --reveal. */
static const CkptSecretSet *
window_secrets(CkptRun *run, const CkptProcess *p, uint64_t addr, uint64_t len)
{
  if (ckpt_host_reveal(run->host))
    return NULL;
  CkptSecretWindows *w = run_windows(run);
  const CkptSecretSet *s = len == 0
                               ? ckpt_secret_windows_set(w)
                               : ckpt_secret_windows_cover(w, p, addr, len);
  warn_dropped(run, s);
  return s;
}

/* Messages of a run that showed memory in windows only are redacted with
 * the windows' secrets: the plugin shows no memory in them (emit_window
 * in the SDK). */
static const CkptSecretSet *
message_secrets(CkptRun *run)
{
  CkptRun *o = owner(run);
  if (o->windowed && o->windows && !ckpt_host_reveal(o->host))
    return ckpt_secret_windows_set(o->windows);
  return run_secrets(run);
}

/* msg redacted, taking it. */
static char *
redact_message(CkptRun *run, char *msg)
{
  size_t len;
  char *r = ckpt_redact_bytes(message_secrets(run), msg, strlen(msg), &len);
  if (!r)
    return msg;
  g_free(msg);
  return r;
}

/* ---- logging ----------------------------------------------------------- */

static void
api_log(CkptRun *run, CkptLogLevel level, const char *fmt, ...)
{
  if (level < CKPT_LOG_WARNING && !ckpt_host_verbose(run->host))
    return;
  if (level == CKPT_LOG_WARNING && ckpt_host_quiet(run->host))
    return;
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = redact_message(run, g_strdup_vprintf(fmt, ap));
  va_end(ap);
  static const char *const names[] = {"debug", "info", "warning", "error"};
  const char *lv = (unsigned)level < 4 ? names[level] : "log";
  g_autofree char *safe = g_strescape(msg, NULL);
  g_printerr("ckpt: %s: %s: %s: %s\n", run->report->path,
             run->plugin->desc->name, lv, safe);
}

static void
api_error(CkptRun *run, const char *fmt, ...)
{
  run = owner(run);
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(run->result->messages,
                  redact_message(run, g_strdup_vprintf(fmt, ap)));
  va_end(ap);
}

/* ---- options ----------------------------------------------------------- */

static const CkptOptionValue *
opt(CkptRun *run, const char *name)
{
  const CkptOptionValue *v = name ? ckpt_options_get(run->opts, name) : NULL;
  if (v == NULL)
    api_log(run, CKPT_LOG_WARNING, "asked for undeclared option '%s'",
            name ? name : "(null)");
  return v;
}

static const char *
api_opt_str(CkptRun *run, const char *name)
{
  const CkptOptionValue *v = opt(run, name);
  return v ? v->text : NULL;
}

static int64_t
api_opt_int(CkptRun *run, const char *name)
{
  const CkptOptionValue *v = opt(run, name);
  if (v == NULL)
    return 0;
  return v->decl->type == CKPT_T_BOOL ? v->flag : v->number;
}

static int
api_opt_bool(CkptRun *run, const char *name)
{
  const CkptOptionValue *v = opt(run, name);
  if (v == NULL)
    return 0;
  return v->decl->type == CKPT_T_BOOL ? v->flag : v->number != 0;
}

static int
api_opt_is_set(CkptRun *run, const char *name)
{
  const CkptOptionValue *v = opt(run, name);
  return v ? v->is_set : 0;
}

static const char *const *
api_opt_list(CkptRun *run, const char *name)
{
  static const char *const empty[] = {NULL};
  const CkptOptionValue *v = opt(run, name);
  return v && v->items ? (const char *const *)v->items->pdata : empty;
}

/* ---- progress ---------------------------------------------------------- */

/* Hands progress on at most once per permille and per 50 ms, so a plugin
 * may call it per block without flooding the terminal. */
static void
api_progress(CkptRun *run, uint64_t done, uint64_t total, const char *what)
{
  run = owner(run);
  int permille =
      total
          ? (int)((done >= total ? 1.0 : (double)done / (double)total) * 1000.0)
          : 0;
  gint64 now = g_get_monotonic_time();
  /* with no total, only time paces the line */
  if ((total && permille == run->progress_permille) ||
      (now - run->progress_time < 50000 && permille < 1000))
    return;
  run->progress_permille = permille;
  run->progress_time = now;
  run->progress_shown = TRUE;
  ckpt_host_progress(run->host, run->plugin->desc->name, done, total,
                     what ? what : "");
}

static const char *
api_rules_dir(void)
{
  return ckpt_host_rules_dir();
}

/* ---- checkpoints of a multi-checkpoint run ------------------------------ */

static size_t
api_checkpoint_count(CkptRun *run)
{
  run = owner(run);
  return run->views ? run->n_views : 1;
}

static CkptRun *
api_checkpoint_at(CkptRun *run, size_t i)
{
  run = owner(run);
  if (run->views == NULL)
    return i == 0 ? run : NULL;
  return i < run->n_views ? &run->views[i] : NULL;
}

/* ---- the model --------------------------------------------------------- */

static const CkptContainerInfo *
api_container(CkptRun *run)
{
  return run->ckpt ? &run->ckpt->container : NULL;
}

static const CkptNamespaceInfo *
api_namespaces(CkptRun *run)
{
  return run->ckpt ? &run->ckpt->ns : NULL;
}

static size_t
api_process_count(CkptRun *run)
{
  return run->ckpt ? run->ckpt->n_procs : 0;
}

static const CkptProcess *
api_process_at(CkptRun *run, size_t i)
{
  return run->ckpt && i < run->ckpt->n_procs ? &run->ckpt->procs[i] : NULL;
}

static const CkptProcess *
api_process_by_pid(CkptRun *run, uint32_t pid)
{
  return run->ckpt ? ckpt_checkpoint_process(run->ckpt, pid) : NULL;
}

static const CkptProcessInfo *
api_process_info(const CkptProcess *p)
{
  return p ? &p->info : NULL;
}

static size_t
api_thread_count(const CkptProcess *p)
{
  return p ? p->info.n_threads : 0;
}

static const CkptThreadInfo *
api_thread_at(const CkptProcess *p, size_t i)
{
  return p && p->threads && i < p->info.n_threads ? &p->threads[i] : NULL;
}

static size_t
api_vma_count(const CkptProcess *p)
{
  return p ? p->n_vmas : 0;
}

static const CkptVmaInfo *
api_vma_at(const CkptProcess *p, size_t i)
{
  return p && i < p->n_vmas ? &p->vmas[i].info : NULL;
}

static const CkptVmaInfo *
api_vma_find(const CkptProcess *p, uint64_t addr)
{
  return p ? ckpt_mem_vma_find(p, addr) : NULL;
}

/* A plugin reading memory may show what is only there: the redaction
 * policy then takes the secrets found in memory too (run_secrets). */
static void
mark_memory(CkptCheckpoint *c)
{
  if (c == NULL)
    return;
  c->memory_shown = TRUE;
  /* page data was dropped at open because no plugin of the chain
   * declared CKPT_READS_MEMORY: say so once rather than let the reads
   * look like memory that was never dumped */
  if (!ckpt_checkpoint_pages_kept(c) &&
      g_atomic_int_compare_and_exchange(&c->memory_dropped_said, 0, 1))
    ckpt_model_warn(c,
                    "a plugin read memory but no plugin of the chain declares "
                    "CKPT_READS_MEMORY: page contents were not kept at open "
                    "and read as absent");
}

static size_t
api_mem_read(const CkptProcess *p, uint64_t addr, void *buf, size_t len)
{
  if (p)
    mark_memory(p->ckpt);
  return p && buf ? ckpt_mem_read(p, addr, buf, len) : 0;
}

static CkptMemIter *
api_mem_iter_new(const CkptProcess *p)
{
  if (p)
    mark_memory(p->ckpt);
  return p ? ckpt_mem_iter_new(p) : NULL;
}

/* Fills the members of out that fit in the size its caller set; FALSE
 * when not even the size fits (a caller's bug). */
static gboolean
fill_sized(void *out, const void *full, size_t full_size)
{
  size_t size = *(const size_t *)out;
  if (size < sizeof(size_t))
    return FALSE;
  size_t n = MIN(size, full_size) - sizeof(size_t);
  memcpy((char *)out + sizeof(size_t), (const char *)full + sizeof(size_t), n);
  return TRUE;
}

static int
api_mem_iter_next(CkptMemIter *it, CkptMemBlock *block)
{
  CkptMemBlock full = {.size = sizeof full};
  if (it == NULL || block == NULL || block->size < sizeof(size_t) ||
      !ckpt_mem_iter_next(it, &full))
    return 0;
  return fill_sized(block, &full, sizeof full);
}

static void
api_mem_iter_free(CkptMemIter *it)
{
  if (it)
    ckpt_mem_iter_free(it);
}

static size_t
api_fd_count(const CkptProcess *p)
{
  return p ? p->n_fds : 0;
}

static const CkptFdInfo *
api_fd_at(const CkptProcess *p, size_t i)
{
  return p && i < p->n_fds ? &p->fds[i] : NULL;
}

static size_t
api_socket_count(CkptRun *run)
{
  return run->ckpt ? run->ckpt->n_sockets : 0;
}

static const CkptSocketInfo *
api_socket_at(CkptRun *run, size_t i)
{
  return run->ckpt && i < run->ckpt->n_sockets ? &run->ckpt->sockets[i] : NULL;
}

static size_t
api_mount_count(CkptRun *run)
{
  return run->ckpt ? run->ckpt->n_mounts : 0;
}

static const CkptMountInfo *
api_mount_at(CkptRun *run, size_t i)
{
  return run->ckpt && i < run->ckpt->n_mounts ? &run->ckpt->mounts[i] : NULL;
}

static CkptFileIter *
api_diff_iter_new(CkptRun *run, uint64_t max_bytes)
{
  return run->ckpt ? ckpt_diff_iter_new(run->ckpt, max_bytes) : NULL;
}

static int
api_diff_iter_next(CkptFileIter *it, CkptDiffFile *file)
{
  CkptDiffFile full = {.size = sizeof full};
  if (it == NULL || file == NULL || file->size < sizeof(size_t) ||
      !ckpt_diff_iter_next(it, &full))
    return 0;
  return fill_sized(file, &full, sizeof full);
}

static void
api_diff_iter_free(CkptFileIter *it)
{
  if (it)
    ckpt_diff_iter_free(it);
}

/* ---- ABI 3.1: FP state, auxv, every member of the diff ----------------- */

static const CkptThreadFpu *
api_thread_fpu(const CkptProcess *p, size_t i)
{
  if (p == NULL || p->fpu == NULL || i >= p->info.n_threads ||
      p->fpu[i].size == 0)
    return NULL;
  return &p->fpu[i];
}

static const uint64_t *
api_process_auxv(const CkptProcess *p, size_t *n_words)
{
  size_t n = p && p->auxv ? p->n_auxv : 0;
  if (n_words)
    *n_words = n;
  return n ? p->auxv : NULL;
}

static CkptFileIter *
api_diff_iter_new_all(CkptRun *run, uint64_t max_bytes)
{
  return run->ckpt ? ckpt_diff_iter_new_all(run->ckpt, max_bytes) : NULL;
}

static const CkptDiffEntryInfo *
api_diff_iter_entry(CkptFileIter *it)
{
  return it ? ckpt_diff_iter_entry(it) : NULL;
}

static int
api_mem_data_next(const CkptProcess *p, const CkptMemBlock *b, size_t *off,
                  size_t *len)
{
  return b && off && len ? ckpt_mem_data_next(p, b, off, len) : 0;
}

static const char *
api_diff_iter_error(CkptFileIter *it)
{
  return it ? ckpt_diff_iter_error(it) : NULL;
}

/* ---- a directory run ------------------------------------------------- */

static int
api_dir_next(CkptRun *run, CkptDirEntryInfo *entry)
{
  run = owner(run);
  if (run->dir_next == NULL || entry == NULL || entry->size < sizeof(size_t))
    return 0;
  CkptDirEntryInfo full = {.size = sizeof full};
  CkptCheckpoint *c = NULL;
  if (!run->dir_next(run->dir_user, &full, &c))
    return 0;
  run->dir_view->ckpt = c;
  full.checkpoint = run->dir_view;
  fill_sized(entry, &full, sizeof full);
  return 1;
}

/* ---- rows -------------------------------------------------------------- */

/* Is the row well formed? A refused one is counted, the first told. */
static gboolean
row_ok(CkptRun *run, size_t table, unsigned depth, const CkptValue *values,
       size_t n_values)
{
  g_autoptr(GError) error = NULL;
  CkptPluginResult *pr = run->result;
  if (table >= pr->n_tables) {
    g_set_error(&error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "emit into table %zu, plugin declares %zu", table,
                pr->n_tables);
  } else if (values == NULL && n_values > 0) {
    g_set_error(&error, CKPT_ERROR, CKPT_ERROR_PLUGIN, "emit without values");
  } else if (depth > 1000) {
    /* renderers walk depth iteratively, but a runaway depth is a bug */
    g_set_error(&error, CKPT_ERROR, CKPT_ERROR_PLUGIN,
                "table %s: depth %u is absurd", pr->tables[table].decl->name,
                depth);
  } else {
    ckpt_row_check(pr->tables[table].decl, pr->tables[table].n_columns, values,
                   n_values, &error);
  }
  if (error) {
    if (run->bad_rows++ == 0)
      run->first_bad = g_strdup(error->message);
    return FALSE;
  }
  return TRUE;
}

/* Keeps a checked row, redacted with secrets. */
static void
add_row(CkptRun *run, size_t table, unsigned depth, const CkptValue *values,
        size_t n_values, const CkptSecretSet *secrets)
{
  CkptPluginResult *pr = run->result;
  if (secrets && secrets->items->len) {
    g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func(g_free);
    g_autofree CkptValue *red = g_new(CkptValue, n_values ? n_values : 1);
    if (!run->carries)
      run->carries = g_hash_table_new(NULL, NULL);
    CkptRedactCarry *carries =
        g_hash_table_lookup(run->carries, GSIZE_TO_POINTER(table + 1));
    if (!carries) {
      carries = g_new0(CkptRedactCarry, pr->tables[table].n_columns);
      g_hash_table_insert(run->carries, GSIZE_TO_POINTER(table + 1), carries);
    }
    if (ckpt_redact_row(secrets, values, n_values, red, scratch, carries)) {
      ckpt_report_add_row(run->report, pr, table, depth, red);
      return;
    }
  }
  ckpt_report_add_row(run->report, pr, table, depth, values);
}

static void
api_emit(CkptRun *run, size_t table, unsigned depth, const CkptValue *values,
         size_t n_values)
{
  run = owner(run);
  if (row_ok(run, table, depth, values, n_values))
    add_row(run, table, depth, values, n_values, run_secrets(run));
}

static void
api_emit_window(CkptRun *run, size_t table, unsigned depth,
                const CkptValue *values, size_t n_values, const CkptProcess *p,
                uint64_t addr, uint64_t len)
{
  run = owner(run);
  if (!row_ok(run, table, depth, values, n_values))
    return;
  /* a process of another checkpoint than the run's (a run over several):
   * as emit(); p may be NULL for a row that shows no memory (len 0) */
  gboolean ours = p ? p->ckpt != NULL && p->ckpt == run->ckpt
                    : len == 0 && run->ckpt != NULL;
  if (!ours || run->n_views > 0 || !windows_enabled()) {
    add_row(run, table, depth, values, n_values, run_secrets(run));
    return;
  }
  run->windowed = TRUE;
  add_row(run, table, depth, values, n_values,
          window_secrets(run, p, addr, len));
}

/* Is plugin one of the caller's declared dependencies? Only their rows
 * are kept for later plugins; the rest may have streamed away. Findings
 * tables (the SDK's shared schema) are the exception: every plugin's are
 * kept and readable by any later plugin, so that triage gathers third
 * parties' findings too. */
static gboolean
is_dependency(const CkptRun *run, const char *plugin, const char *table)
{
  if (strcmp(table, CKPT_FINDINGS_TABLE) == 0)
    return TRUE;
  const char *const *deps = run->plugin->desc->depends;
  for (size_t i = 0; deps && deps[i]; i++)
    if (strcmp(deps[i], plugin) == 0)
      return TRUE;
  return FALSE;
}

static const CkptResult *
api_result(CkptRun *run, const char *plugin, const char *table)
{
  if (plugin == NULL || table == NULL)
    return NULL;
  if (!is_dependency(run, plugin, table)) {
    api_log(run, CKPT_LOG_DEBUG,
            "result(%s, %s): not a declared dependency, so not kept", plugin,
            table);
    return NULL;
  }
  const CkptResult *r = ckpt_report_table(run->report, plugin, table);
  return r && !r->streamed ? r : NULL;
}

static size_t
api_result_rows(const CkptResult *r)
{
  return r ? r->rows->len : 0;
}

static int
api_result_column(const CkptResult *r, const char *name)
{
  if (r == NULL || name == NULL)
    return -1;
  for (size_t i = 0; i < r->n_columns; i++)
    if (strcmp(r->decl->columns[i].name, name) == 0)
      return (int)i;
  return -1;
}

static const CkptValue *
api_result_row(const CkptResult *r, size_t row, unsigned *depth)
{
  if (r == NULL || row >= r->rows->len)
    return NULL;
  const CkptRow *rw = &g_array_index(r->rows, CkptRow, row);
  if (depth)
    *depth = rw->depth;
  return rw->values;
}

/* ---- content held by kernel objects ---------------------------------- */

static size_t
api_object_count(CkptRun *run)
{
  return run->ckpt ? run->ckpt->n_objects : 0;
}

static const CkptObjectInfo *
api_object_at(CkptRun *run, size_t i)
{
  return run->ckpt && i < run->ckpt->n_objects ? &run->ckpt->objects[i].info
                                               : NULL;
}

/* The view is the first member of the model's object. */
static size_t
api_object_read(const CkptObjectInfo *o, uint64_t offset, void *buf, size_t len)
{
  return o && buf ? ckpt_object_read((const CkptObject *)o, offset, buf, len)
                  : 0;
}

static CkptObjectIter *
api_object_iter_new(const CkptObjectInfo *o)
{
  return o ? ckpt_object_iter_new((const CkptObject *)o) : NULL;
}

static int
api_object_iter_next(CkptObjectIter *it, CkptObjectBlock *block)
{
  CkptObjectBlock full = {.size = sizeof full};
  if (it == NULL || block == NULL || block->size < sizeof(size_t) ||
      !ckpt_object_iter_next(it, &full))
    return 0;
  return fill_sized(block, &full, sizeof full);
}

static void
api_object_iter_free(CkptObjectIter *it)
{
  ckpt_object_iter_free(it);
}

/* ---- the one memory pass ---------------------------------------------- */

static int
api_mem_subscribe(CkptRun *run, const CkptMemSubscriber *sub)
{
  if (!run || !run->preparing || !run->pass)
    return 0;
  return ckpt_mempass_add(run->pass, run->plugin, sub) ? 1 : 0;
}

static void *
api_mem_subscription(CkptRun *run)
{
  run = run ? owner(run) : NULL;
  return run && run->pass ? ckpt_mempass_user(run->pass, run->plugin) : NULL;
}

static int
api_mem_secrets(CkptRun *run, const char *rules, const CkptProcess *p,
                const CkptMemSecret **out, size_t *n)
{
  if (!run || !rules)
    return 0;
  if (!p) {
    /* the pass's engine is the redaction policy's: other rules are the
     * plugin's to scan with */
    g_autofree char *ours = ckpt_host_secret_rules();
    return run->preparing && strcmp(rules, ours) == 0 &&
                   ckpt_mempass_want_secrets(run->pass, rules)
               ? 1
               : 0;
  }
  if (!out || !n || !p->ckpt || !owner(run)->pass)
    return 0;
  return ckpt_checkpoint_mem_secrets(p->ckpt, rules, p, out, n) ? 1 : 0;
}

static int
api_mem_secret_matches(const CkptProcess *p, const char *rules,
                       const CkptSecretMatch *m, size_t n)
{
  return p && ckpt_secret_deliver(p->ckpt, rules, p, m, n) ? 1 : 0;
}

static const CkptApi api_table = {
    .size = sizeof(CkptApi),
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .log = api_log,
    .error = api_error,
    .opt_str = api_opt_str,
    .opt_int = api_opt_int,
    .opt_bool = api_opt_bool,
    .opt_is_set = api_opt_is_set,
    .container = api_container,
    .namespaces = api_namespaces,
    .process_count = api_process_count,
    .process_at = api_process_at,
    .process_by_pid = api_process_by_pid,
    .process_info = api_process_info,
    .thread_count = api_thread_count,
    .thread_at = api_thread_at,
    .vma_count = api_vma_count,
    .vma_at = api_vma_at,
    .vma_find = api_vma_find,
    .mem_read = api_mem_read,
    .mem_iter_new = api_mem_iter_new,
    .mem_iter_next = api_mem_iter_next,
    .mem_iter_free = api_mem_iter_free,
    .fd_count = api_fd_count,
    .fd_at = api_fd_at,
    .socket_count = api_socket_count,
    .socket_at = api_socket_at,
    .mount_count = api_mount_count,
    .mount_at = api_mount_at,
    .diff_iter_new = api_diff_iter_new,
    .diff_iter_next = api_diff_iter_next,
    .diff_iter_free = api_diff_iter_free,
    .emit = api_emit,
    .result = api_result,
    .result_rows = api_result_rows,
    .result_column = api_result_column,
    .result_row = api_result_row,
    .opt_list = api_opt_list,
    .progress = api_progress,
    .rules_dir = api_rules_dir,
    .checkpoint_count = api_checkpoint_count,
    .checkpoint_at = api_checkpoint_at,
    .thread_fpu = api_thread_fpu,
    .process_auxv = api_process_auxv,
    .diff_iter_new_all = api_diff_iter_new_all,
    .diff_iter_entry = api_diff_iter_entry,
    .diff_iter_error = api_diff_iter_error,
    .mem_data_next = api_mem_data_next,
    .object_count = api_object_count,
    .object_at = api_object_at,
    .object_read = api_object_read,
    .object_iter_new = api_object_iter_new,
    .object_iter_next = api_object_iter_next,
    .object_iter_free = api_object_iter_free,
    .dir_next = api_dir_next,
    .mem_subscribe = api_mem_subscribe,
    .mem_subscription = api_mem_subscription,
    .mem_secrets = api_mem_secrets,
    .emit_window = api_emit_window,
    .mem_secret_matches = api_mem_secret_matches,
};

const CkptApi *
ckpt_api_table(void)
{
  return &api_table;
}

static CkptPluginOutcome
outcome_of(CkptStatus s)
{
  switch (s) {
  case CKPT_OK:
    return CKPT_PLUGIN_RAN_OK;
  case CKPT_WARN:
    return CKPT_PLUGIN_RAN_WARN;
  case CKPT_FAILED:
    return CKPT_PLUGIN_RAN_FAILED;
  case CKPT_FATAL:
    return CKPT_PLUGIN_RAN_FATAL;
  }
  /* an unknown status is a plugin bug: treat it as a failure */
  return CKPT_PLUGIN_RAN_FAILED;
}

/* The outcome of a run that returned st, with its refused rows told. */
static CkptPluginOutcome
finish_run(CkptRun *run, CkptStatus st)
{
  CkptPluginOutcome o = outcome_of(st);
  if ((unsigned)st > CKPT_FATAL)
    g_ptr_array_add(run->result->messages,
                    g_strdup_printf("returned unknown status %d", (int)st));
  if (run->bad_rows > 0) {
    g_ptr_array_add(run->result->messages,
                    g_strdup_printf("%zu rows refused; first: %s",
                                    run->bad_rows, run->first_bad));
    if (o == CKPT_PLUGIN_RAN_OK)
      o = CKPT_PLUGIN_RAN_WARN;
  }
  if (run->progress_shown)
    ckpt_host_progress(run->host, run->plugin->desc->name, 0, 0, NULL);
  g_free(run->first_bad);
  /* A file cut short while the plugin read it gave it zeros: what it
   * found is not the checkpoint's, and the next plugin would fare no
   * better. In an --isolate child this travels back in the result. */
  for (size_t i = 0; i <= run->n_views; i++) {
    const CkptCheckpoint *c = i < run->n_views ? run->views[i].ckpt : run->ckpt;
    g_autoptr(GError) cut = NULL;
    if (c && !ckpt_imageset_check(c->images, &cut)) {
      g_ptr_array_add(run->result->messages, g_strdup(cut->message));
      o = CKPT_PLUGIN_RAN_FATAL;
    }
  }
  if (run->carries) {
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, run->carries);
    while (g_hash_table_iter_next(&it, &k, &v)) {
      CkptRedactCarry *c = v;
      for (size_t i = 0;
           i < run->result->tables[GPOINTER_TO_SIZE(k) - 1].n_columns; i++)
        ckpt_redact_carry_clear(&c[i]);
      g_free(c);
    }
    g_hash_table_destroy(run->carries);
  }
  if (run->windows && ckpt_host_verbose(run->host)) {
    guint64 windows, bytes;
    double ms;
    gboolean full;
    ckpt_secret_windows_stats(run->windows, &windows, &bytes, &ms, &full);
    g_printerr("ckpt: %s: %s: redaction: %u secrets from %" G_GUINT64_FORMAT
               " scans of memory windows (%" G_GUINT64_FORMAT
               " bytes)%s, in %.1f ms\n",
               run->report->path, run->plugin->desc->name,
               ckpt_secret_windows_set(run->windows)->items->len, windows,
               bytes, full ? ", then all of memory's" : "", ms);
  }
  g_clear_pointer(&run->windows, ckpt_secret_windows_free);
  run->result->outcome = o;
  return o;
}

/* The run of plugin p over checkpoint c (NULL for a directory run's own
 * run), with its rows into report's slot result, fed by pass or not. */
static CkptRun
run_of(const CkptHost *h, const CkptLoadedPlugin *p, GArray *opts,
       CkptCheckpoint *c, CkptReport *report, CkptPluginResult *result,
       CkptMemPass *pass)
{
  return (CkptRun){
      .host = h,
      .plugin = p,
      .ckpt = c,
      .opts = opts,
      .report = report,
      .result = result,
      .progress_permille = -1,
      .pass = pass,
  };
}

/* A run the plugin cannot do: failed, saying why. */
static CkptPluginOutcome
refuse(CkptRun *run, const char *why)
{
  g_ptr_array_add(run->result->messages, g_strdup(why));
  run->result->outcome = CKPT_PLUGIN_RAN_FAILED;
  return run->result->outcome;
}

void
ckpt_host_prepare_plugin(const CkptHost *h, const CkptLoadedPlugin *p,
                         CkptCheckpoint *c, GArray *opts, CkptReport *report,
                         CkptMemPass *pass)
{
  if (!p->desc->prepare)
    return;
  /* what prepare() reports with error() is not the run's: a plugin whose
   * prepare failed reads for itself in run(), where it tells its errors */
  CkptPluginResult scratch = {
      .desc = p->desc, .messages = g_ptr_array_new_with_free_func(g_free)};
  CkptRun run = run_of(h, p, opts, c, report, &scratch, pass);
  run.preparing = TRUE;
  CkptStatus st = p->desc->prepare(&api_table, &run);
  if (st != CKPT_OK && ckpt_host_verbose(h))
    g_printerr("ckpt: %s: %s: prepare returned %d\n", report->path,
               p->desc->name, (int)st);
  g_ptr_array_unref(scratch.messages);
  ckpt_secret_set_free(run.secrets_union);
}

CkptPluginOutcome
ckpt_host_run_plugin(const CkptHost *h, const CkptLoadedPlugin *p,
                     CkptCheckpoint *c, GArray *opts, CkptReport *report)
{
  return ckpt_host_run_plugin_pass(h, p, c, opts, report, NULL);
}

CkptPluginOutcome
ckpt_host_run_plugin_pass(const CkptHost *h, const CkptLoadedPlugin *p,
                          CkptCheckpoint *c, GArray *opts, CkptReport *report,
                          CkptMemPass *pass)
{
  CkptRun run = run_of(h, p, opts, c, report,
                       ckpt_report_add_plugin(report, p->desc), pass);
  /* validation lets a plugin without run() in only with run_multi() or
   * run_dir() */
  if (p->desc->run == NULL)
    return refuse(&run, p->desc->run_multi
                            ? "runs over several checkpoints at once only"
                            : "runs over directories only (ckpt list)");
  return finish_run(&run, p->desc->run(&api_table, &run));
}

CkptPluginOutcome
ckpt_host_run_multi(const CkptHost *h, const CkptLoadedPlugin *p, GArray *opts,
                    CkptCheckpoint *const *cs, CkptReport *const *reports,
                    size_t n, CkptReport *out)
{
  g_return_val_if_fail(n > 0 && p->desc->run_multi, CKPT_PLUGIN_RAN_FAILED);
  /* the run itself reads the first checkpoint, so no accessor ever meets
   * a run without a model */
  CkptRun run = run_of(h, p, opts, cs[0], reports[0],
                       ckpt_report_add_plugin(out, p->desc), NULL);
  run.views = g_new0(CkptRun, n);
  run.n_views = n;
  for (size_t i = 0; i < n; i++) {
    run.views[i] = run_of(h, p, opts, cs[i], reports[i], run.result, NULL);
    run.views[i].parent = &run;
  }
  CkptPluginOutcome o = finish_run(&run, p->desc->run_multi(&api_table, &run));
  ckpt_secret_set_free(run.secrets_union);
  g_free(run.views);
  return o;
}

CkptPluginOutcome
ckpt_host_run_dir(const CkptHost *h, const CkptLoadedPlugin *p, GArray *opts,
                  CkptDirNextFn next, void *user, CkptReport *out)
{
  CkptRun run =
      run_of(h, p, opts, NULL, out, ckpt_report_add_plugin(out, p->desc), NULL);
  if (p->desc->abi_minor < 7 || p->desc->run_dir == NULL)
    return refuse(&run, "has no directory scope (run_dir)");
  run.dir_next = next;
  run.dir_user = user;
  /* the entries' checkpoints are read through one view, whose parent
   * takes the rows; the run itself has no checkpoint, so no secrets set
   * (the rows are names) */
  CkptRun view = run_of(h, p, opts, NULL, out, run.result, NULL);
  view.parent = &run;
  run.dir_view = &view;
  return finish_run(&run, p->desc->run_dir(&api_table, &run));
}

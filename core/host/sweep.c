/* sweep.c - running one plan over many checkpoints (sweep.h): targets, the
 * worker pool, problems as lines, progress and the exit status. */
#include "host/sweep.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/imageset.h"
#include "host/isolate.h"

/* ---- one checkpoint ----------------------------------------------------- */

static void
take_warnings(CkptCheckpoint *c, guint from, CkptReport *rep)
{
  for (guint w = from; w < c->warnings->len; w++)
    g_ptr_array_add(rep->warnings, g_strdup(g_ptr_array_index(c->warnings, w)));
}

/* Opens one file for rep: its label, warnings and open errors. */
static CkptCheckpoint *
open_one(const CkptSweep *sw, unsigned reads, const char *file, CkptReport *rep)
{
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c =
      ckpt_checkpoint_open_reads(file, sw->limits, reads, &error);
  if (c == NULL) {
    /* loader messages name the file already */
    g_ptr_array_add(rep->errors, g_strdup(error->message));
    return NULL;
  }
  rep->opened = TRUE;
  if (c->container.name && *c->container.name) {
    g_free(rep->label);
    rep->label = g_strdup(c->container.name);
  }
  take_warnings(c, 0, rep);
  return c;
}

/* Opens one file and runs plan over it into rep; prints nothing. */
static void
run_one(const CkptSweep *sw, const CkptPlan *plan, const char *file,
        CkptReport *rep)
{
  /* only what the chain and the output read (0: all) */
  unsigned reads = ckpt_plan_reads(plan);
  if (reads != 0)
    reads |= sw->reads;
  g_autoptr(CkptCheckpoint) c = open_one(sw, reads, file, rep);
  if (c == NULL)
    return;
  guint loaded = c->warnings->len;
  ckpt_plan_run(sw->host, plan, c, rep);
  /* readers plugins call lazily (the rootfs diff) warn while they run */
  take_warnings(c, loaded, rep);
}

/* ---- problems ----------------------------------------------------------- */

#define say(sw, ...)                                                           \
  ckpt_problem_say((sw)->problem, (sw)->problem_user, __VA_ARGS__)

/* Hands on rep's errors, warnings (when asked for) and plugin problems;
 * seen, when not NULL, keeps messages said already. */
static void
report_problems(const CkptSweep *sw, const CkptReport *rep, GHashTable *seen)
{
  for (guint e = 0; e < rep->errors->len; e++)
    say(sw, "%s", (char *)g_ptr_array_index(rep->errors, e));
  for (guint w = 0; sw->warnings && w < rep->warnings->len; w++)
    say(sw, "%s: warning: %s", rep->path,
        (char *)g_ptr_array_index(rep->warnings, w));
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    if (pr->outcome <= CKPT_PLUGIN_RAN_WARN && pr->messages->len == 0)
      continue;
    for (guint m = 0; m < pr->messages->len; m++) {
      const char *msg = g_ptr_array_index(pr->messages, m);
      /* a rule that does not compile fails the plugin on every
       * checkpoint of a sweep with the same words */
      if (seen && !g_hash_table_add(seen, g_strdup(msg)))
        continue;
      say(sw, "%s: plugin %s %s: %s", rep->path, pr->name,
          ckpt_outcome_name(pr->outcome), msg);
    }
    if (pr->messages->len == 0)
      say(sw, "%s: plugin %s %s", rep->path, pr->name,
          ckpt_outcome_name(pr->outcome));
  }
}

/* ---- the pool ----------------------------------------------------------- */

/* ---- the order workers take the files in -------------------------------
 * The sweep ends when its slowest checkpoint does: one taken last keeps one
 * worker busy while the others idle. Workers take the costliest first, as
 * guessed from the file alone without opening it: a compressed archive
 * before any plain one (its size says little of what it holds: a zstd
 * stream of zero pages is a few kB for every 64 MiB), then by size, the
 * largest first; directories and what cannot be sniffed last, in the
 * order given. Output does not change: reports go out in target order. */

typedef struct {
  guint index;
  int rank; /* 0 compressed, 1 plain tar, 2 the rest */
  guint64 size;
} Cost;

static Cost
guess_cost(const char *file, guint index)
{
  Cost c = {.index = index, .rank = 2};
  int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return c;
  struct stat st;
  CkptSetFormat format;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      ckpt_imageset_sniff_fd(fd, &format)) {
    c.rank = format == CKPT_SET_TAR ? 1 : 0;
    c.size = (guint64)st.st_size;
  }
  close(fd);
  return c;
}

static int
cost_cmp(const void *a, const void *b)
{
  const Cost *x = a, *y = b;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* The indexes of files, costliest first. */
static guint *
costliest_first(const CkptSweep *sw, char **files, guint n)
{
  g_autofree Cost *cost = g_new(Cost, n);
  for (guint i = 0; i < n; i++)
    cost[i] = guess_cost(files[i], i);
  qsort(cost, n, sizeof *cost, cost_cmp);
  guint *order = g_new(guint, n);
  for (guint i = 0; i < n; i++) {
    order[i] = cost[i].index;
    if (ckpt_host_verbose(sw->host))
      g_printerr("ckpt: sweep: %u/%u taken: %s\n", i + 1, n, files[order[i]]);
  }
  return order;
}

typedef struct {
  const CkptSweep *sw;
  const CkptPlan *plan;
  char **files;
  CkptReport **reports;
  const guint *order; /* the files' indexes in the order taken */
  guint n;
  guint next; /* atomic: the next of order to take */
  GMutex lock;
  GCond changed;
  GQueue finished; /* GUINT_TO_POINTER(i + 1), under lock */
} Pool;

static gpointer
pool_worker(gpointer data)
{
  Pool *p = data;
  for (;;) {
    guint k = (guint)g_atomic_int_add((gint *)&p->next, 1);
    if (k >= p->n)
      break;
    guint i = p->order[k];
    run_one(p->sw, p->plan, p->files[i], p->reports[i]);
    g_mutex_lock(&p->lock);
    g_queue_push_tail(&p->finished, GUINT_TO_POINTER(i + 1));
    g_cond_signal(&p->changed);
    g_mutex_unlock(&p->lock);
  }
  return NULL;
}

guint
ckpt_sweep_workers(const CkptSweep *sw, guint n)
{
  if (sw->threads < 0 || ckpt_isolate_enabled() || n <= 1)
    return 1;
  guint cores = sw->threads > 0 ? (guint)sw->threads : g_get_num_processors();
  return MAX(MIN(cores, n), 1);
}

void
ckpt_sweep_prepare(const CkptSweep *sw, CkptPlan *plan, guint n)
{
  if (sw->threads < 0)
    return;
  guint cores = sw->threads > 0 ? (guint)sw->threads : g_get_num_processors();
  guint share = MAX(cores / ckpt_sweep_workers(sw, n), 1);
  for (guint i = 0; i < plan->steps->len; i++) {
    CkptStep *st = g_ptr_array_index(plan->steps, i);
    const CkptOptionValue *v = ckpt_options_get(st->opts, "threads");
    if (v == NULL || v->is_set || v->decl->type != CKPT_T_INT)
      continue;
    g_autofree char *text = g_strdup_printf("%u", share);
    ckpt_options_set(st->opts, st->plugin->desc, "threads", text, NULL);
  }
}

/* Runs the files on workers threads; this thread hands on problems and
 * reports (sw->ready) in the order of the files, and progress as each
 * checkpoint finishes. */
static void
run_pool(const CkptSweep *sw, const CkptPlan *plan, char **files,
         CkptReport **reports, guint n, guint workers, GHashTable *seen,
         CkptProgressFn progress, void *progress_user)
{
  g_autofree guint *order = costliest_first(sw, files, n);
  Pool p = {.sw = sw,
            .plan = plan,
            .files = files,
            .reports = reports,
            .order = order,
            .n = n};
  g_mutex_init(&p.lock);
  g_cond_init(&p.changed);
  g_queue_init(&p.finished);
  g_autofree gboolean *ran = g_new0(gboolean, n);
  GPtrArray *threads = g_ptr_array_new();
  for (guint w = 0; w < workers; w++) {
    GThread *t = g_thread_try_new("ckpt-sweep", pool_worker, &p, NULL);
    if (t)
      g_ptr_array_add(threads, t);
  }
  if (threads->len == 0)
    pool_worker(&p); /* no thread could be made: this one does it all */
  for (guint done = 0, next = 0; done < n;) {
    g_mutex_lock(&p.lock);
    while (g_queue_is_empty(&p.finished))
      g_cond_wait(&p.changed, &p.lock);
    guint i = GPOINTER_TO_UINT(g_queue_pop_head(&p.finished)) - 1;
    g_mutex_unlock(&p.lock);
    ran[i] = TRUE;
    done++;
    /* every report up to the first one still running, in order */
    for (; next < n && ran[next]; next++) {
      report_problems(sw, reports[next], seen);
      if (sw->ready)
        sw->ready(sw->report_user, reports[next]);
    }
    if (progress)
      progress(progress_user, plan->name, done, n, "checkpoints");
  }
  for (guint i = 0; i < threads->len; i++)
    g_thread_join(threads->pdata[i]);
  g_ptr_array_unref(threads);
  if (progress)
    progress(progress_user, plan->name, n, n, NULL);
  g_cond_clear(&p.changed);
  g_mutex_clear(&p.lock);
}

GPtrArray *
ckpt_sweep_run(const CkptSweep *sw, const CkptPlan *plan, char **files, guint n)
{
  GPtrArray *reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add(reports, ckpt_report_new(files[i]));
  g_autoptr(GHashTable) seen =
      sw->once ? g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)
               : NULL;
  guint workers = ckpt_sweep_workers(sw, n);
  /* plugins' progress lines would overwrite each other from several
   * workers: the sink is held back while the sweep runs */
  void *progress_user = NULL;
  CkptProgressFn progress = ckpt_host_get_progress(sw->host, &progress_user);
  if (workers > 1 || sw->no_progress)
    ckpt_host_set_progress(sw->host, NULL, NULL);
  if (workers > 1) {
    run_pool(sw, plan, files, (CkptReport **)reports->pdata, n, workers, seen,
             sw->no_progress ? NULL : progress, progress_user);
  } else {
    for (guint i = 0; i < n; i++) {
      CkptReport *rep = g_ptr_array_index(reports, i);
      if (sw->start)
        sw->start(sw->report_user, rep);
      run_one(sw, plan, files[i], rep);
      report_problems(sw, rep, seen);
      if (sw->done)
        sw->done(sw->report_user, rep);
    }
  }
  ckpt_host_set_progress(sw->host, progress, progress_user);
  return reports;
}

CkptReport *
ckpt_sweep_run_multi(const CkptSweep *sw, const CkptPlan *plan, char **files,
                     guint n, GPtrArray *reports)
{
  g_autoptr(GPtrArray) cs =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_checkpoint_free);
  guint first = reports->len;
  gboolean ok = TRUE;
  for (guint i = 0; i < n; i++) {
    CkptReport *rep = ckpt_report_new(files[i]);
    g_ptr_array_add(reports, rep);
    /* a run over several keeps everything (the diff's custody line) */
    CkptCheckpoint *c = open_one(sw, 0, files[i], rep);
    if (c == NULL) {
      report_problems(sw, rep, NULL);
      ok = FALSE;
      continue;
    }
    g_ptr_array_add(cs, c);
    ckpt_plan_run(sw->host, plan, c, rep);
    report_problems(sw, rep, NULL);
    if (ckpt_report_status(rep) != 0)
      ok = FALSE;
  }
  if (!ok)
    return NULL;
  g_autoptr(GString) label = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(label, "%s%s", i ? " -> " : "", files[i]);
  CkptReport *out = ckpt_report_new(label->str);
  out->opened = TRUE;
  /* chain of custody: the comparison names each checkpoint's sha256, in
   * the label's order */
  g_autoptr(GString) sha = g_string_new(NULL), of = g_string_new(NULL);
  for (guint i = 0; i < n; i++) {
    const CkptReport *r = g_ptr_array_index(reports, first + i);
    g_string_append_printf(sha, "%s%s", i ? " -> " : "",
                           r->sha256 ? r->sha256 : "?");
    g_string_append_printf(of, "%s%s", i ? " -> " : "",
                           r->sha256_of ? r->sha256_of : "?");
  }
  out->sha256 = g_strdup(sha->str);
  out->sha256_of = g_strdup(of->str);
  ckpt_plan_run_multi(sw->host, plan, (CkptCheckpoint *const *)cs->pdata,
                      (CkptReport *const *)reports->pdata + first, n, out);
  report_problems(sw, out, NULL);
  return out;
}

/* ---- status ------------------------------------------------------------- */

int
ckpt_sweep_status(GPtrArray *reports)
{
  int st = 0;
  for (guint i = 0; i < reports->len; i++)
    if (ckpt_report_status(g_ptr_array_index(reports, i)) != 0)
      st = 1;
  return st;
}

size_t
ckpt_sweep_count_rows(GPtrArray *reports, const char *plugin, const char *table)
{
  size_t n = 0;
  for (guint i = 0; i < reports->len; i++) {
    const CkptResult *t =
        ckpt_report_table(g_ptr_array_index(reports, i), plugin, table);
    n += t == NULL ? 0 : t->streamed ? t->n_rows : t->rows->len;
  }
  return n;
}

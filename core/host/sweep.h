/* sweep.h - the one engine that runs a plan over many checkpoints: target
 * expansion, a worker pool, progress, problem reporting and the exit
 * status. `ckpt run`, `yara`, `secrets`, `triage` and every later sweep
 * command go through it; the CLI only maps its flags onto a CkptSweep and
 * prints the lines it is handed.
 *
 * A library layer never prints: problems (a checkpoint that did not open,
 * a plugin that failed or said why it warned, and with .warnings the
 * model's warnings) are handed as whole lines to .problem, and progress
 * goes to the host's progress sink (host.h). Every callback is called on
 * the thread that called ckpt_sweep_run(), never from a worker.
 */
#ifndef CKPT_SWEEP_H
#define CKPT_SWEEP_H

#include <glib.h>

#include "host/chain.h"
#include "host/host.h"
#include "host/targets.h"

typedef void (*CkptSweepReportFn)(void *user, CkptReport *rep);

typedef struct {
  CkptHost *host; /* plugins loaded and initialised (ckpt_host_finish) */
  const CkptLimits *limits;
  /* threads in all: < 0 one checkpoint at a time (the default); 0 the
   * cores; else that many. Several checkpoints are run at once, each
   * plugin option named "threads" that is not set gets its share, and
   * plugins' own progress is held back for the sweep's "N/M checkpoints".
   * An --isolate'd run (isolate.h) always takes one checkpoint at a time:
   * forking a child per plugin from a process whose other threads may
   * hold locks (malloc's, GLib's) can leave the child waiting forever. */
  int threads;
  gboolean no_progress; /* neither the sweep's progress nor plugins' */
  gboolean warnings;    /* also hand on the model's warnings (-v) */
  gboolean once;        /* each distinct plugin message once per sweep */
  CkptSweepProblemFn problem;
  void *problem_user;
  /* One checkpoint at a time only: called before each checkpoint's run
   * and after it (streamed rendering, render.h). */
  CkptSweepReportFn start, done;
  /* Several at once only: called with each report, its rows kept, in the
   * order of the files as soon as it and every one before it have run
   * (problems are handed on in that order too), so output streams in
   * target order whatever order the workers finish in. */
  CkptSweepReportFn ready;
  void *report_user;
  /* what the output reads besides the plan's plugins (CKPT_READS_*):
   * CKPT_READS_CUSTODY when it prints the sha256 (JSON, HTML) */
  unsigned reads;
} CkptSweep;

/* How many checkpoints run at once over n targets. */
guint ckpt_sweep_workers(const CkptSweep *sw, guint n);
/* Gives each step's unset "threads" option its share of sw->threads for
 * n targets; call before ckpt_sweep_run. */
void ckpt_sweep_prepare(const CkptSweep *sw, CkptPlan *plan, guint n);

/* Opens each file and runs plan over it. Returns CkptReport*, one per
 * file in the order given, each holding its errors, warnings and rows
 * (the rows a done callback consumed excepted). */
GPtrArray *ckpt_sweep_run(const CkptSweep *sw, const CkptPlan *plan,
                          char **files, guint n);
/* Opens every file at once, runs plan's single-checkpoint steps over each
 * (their reports appended to reports), then its multi-checkpoint steps
 * over all of them into one report, labelled "A -> B", which is returned.
 * NULL when a checkpoint failed to open or its chain failed: a comparison
 * of checkpoints that did not all load would mislead. */
CkptReport *ckpt_sweep_run_multi(const CkptSweep *sw, const CkptPlan *plan,
                                 char **files, guint n, GPtrArray *reports);

/* 0 when every report is fine, else 1. */
int ckpt_sweep_status(GPtrArray *reports);
/* Rows of plugin.table over all reports (for findings statuses). */
size_t ckpt_sweep_count_rows(GPtrArray *reports, const char *plugin,
                             const char *table);

#endif

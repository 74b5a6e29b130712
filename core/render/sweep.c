/* sweep.c - the render side of a sweep (render.h's ckpt_render_sweep):
 * the host's engine runs the checkpoints, this file hands each report to
 * a stream while it runs (one at a time) or as soon as it and the ones
 * before it have run (several at once), or renders the kept reports at
 * the end. */
#include "render/render.h"

static void
stream_start(void *user, CkptReport *rep)
{
  ckpt_render_stream_attach(user, rep);
}

static void
stream_done(void *user, CkptReport *rep)
{
  ckpt_render_stream_report_done(user, rep);
}

static void
stream_ready(void *user, CkptReport *rep)
{
  ckpt_render_stream_replay(user, rep);
  /* written: kept no longer than a streamed checkpoint's rows */
  ckpt_report_drop_rows(rep);
}

GPtrArray *
ckpt_render_sweep(FILE *out, const CkptSweep *sw, const CkptPlan *plan,
                  char **files, guint n, const CkptRenderOptions *opt,
                  gboolean keep, gboolean *written)
{
  *written = TRUE;
  g_autoptr(CkptRenderStream) s = NULL;
  if (!keep)
    s = ckpt_render_stream_new(out, opt);
  gboolean one = ckpt_sweep_workers(sw, n) == 1;
  CkptSweep run = *sw;
  run.start = s && one ? stream_start : NULL;
  run.done = s && one ? stream_done : NULL;
  run.ready = s && !one ? stream_ready : NULL;
  run.report_user = s;
  /* JSON, JSON Lines and HTML print each checkpoint's sha256 */
  if (opt->format == CKPT_RENDER_JSON || opt->format == CKPT_RENDER_JSONL ||
      opt->format == CKPT_RENDER_HTML)
    run.reads |= CKPT_READS_CUSTODY;
  GPtrArray *reports = ckpt_sweep_run(&run, plan, files, n);
  if (s)
    *written = ckpt_render_stream_finish(s);
  else
    ckpt_render(out, reports, opt);
  return reports;
}

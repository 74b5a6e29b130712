/* render.c - the road to a renderer: picks the format's renderer
 * (renderer.h) and drives it, either by replaying kept reports or, while a
 * chain runs, as the reports' row sink (results.h). Both go through the
 * same calls, so streamed and kept output are the same bytes.
 */
#include "render/render.h"

#include <string.h>

#include "render/renderer.h"

gboolean
ckpt_render_format_parse(const char *name, CkptRenderFormat *out)
{
  static const char *const names[] = {"tree", "table", "json", "jsonl", "html"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_strcmp0(name, names[i]) == 0) {
      *out = (CkptRenderFormat)i;
      return TRUE;
    }
  return FALSE;
}

gboolean
ckpt_render_wanted(const CkptRenderOptions *opt, const char *plugin,
                   const char *table)
{
  if (opt->only == NULL)
    return TRUE;
  for (size_t i = 0; opt->only[i]; i++) {
    const char *dot = strchr(opt->only[i], '.');
    size_t n = dot ? (size_t)(dot - opt->only[i]) : strlen(opt->only[i]);
    if (strlen(plugin) == n && strncmp(opt->only[i], plugin, n) == 0 &&
        (dot == NULL || table == NULL || strcmp(dot + 1, table) == 0))
      return TRUE;
  }
  return FALSE;
}

/* ---- the renderer base -------------------------------------------------- */

gboolean
ckpt_render_shows(const CkptRenderOptions *opt, const char *part)
{
  return opt->show && g_strv_contains(opt->show, part);
}

static const CkptRendererClass *
renderer_class(const CkptRenderOptions *opt)
{
  if (g_strcmp0(opt->look, "checkpointctl") == 0) {
    if (opt->format == CKPT_RENDER_TREE)
      return &ckpt_look_tree_renderer;
    if (opt->format == CKPT_RENDER_JSON)
      return &ckpt_ctl_json_renderer;
  }
  switch (opt->format) {
  case CKPT_RENDER_TABLE:
    return &ckpt_table_renderer;
  case CKPT_RENDER_JSON:
    return &ckpt_json_renderer;
  case CKPT_RENDER_JSONL:
    return &ckpt_jsonl_renderer;
  case CKPT_RENDER_HTML:
    return &ckpt_html_renderer;
  case CKPT_RENDER_TREE:
    break;
  }
  return &ckpt_tree_renderer;
}

CkptRenderer *
ckpt_renderer_new(FILE *out, const CkptRenderOptions *opt)
{
  const CkptRendererClass *k = renderer_class(opt);
  CkptRenderer *r = g_malloc0(k->size);
  r->klass = k;
  r->opt = *opt;
  r->opt.color = opt->color || ckpt_render_color_for(out);
  r->out = out;
  r->buf = g_string_new(NULL);
  return r;
}

void
ckpt_renderer_free(CkptRenderer *r)
{
  if (r == NULL)
    return;
  if (r->klass->release)
    r->klass->release(r);
  g_string_free(r->buf, TRUE);
  g_free(r);
}

void
ckpt_renderer_flush(CkptRenderer *r)
{
  if (r->buf->len && fwrite(r->buf->str, 1, r->buf->len, r->out) != r->buf->len)
    r->failed = TRUE;
  g_string_truncate(r->buf, 0);
}

void
ckpt_renderer_put(CkptRenderer *r, CkptSpool *s)
{
  ckpt_spool_put(s, r->buf);
  if (ckpt_spool_failed(s))
    r->failed = TRUE;
}

void
ckpt_renderer_copy_spool(CkptRenderer *r, CkptSpool *s)
{
  ckpt_renderer_flush(r);
  if (s == NULL)
    return;
  ckpt_spool_copy_to_file(s, r->out);
  if (ckpt_spool_failed(s))
    r->failed = TRUE;
  ckpt_spool_free(s);
}

/* Each call's text is written before the next call starts its own, so
 * that a renderer that spools a row never takes what came before. */
static void
doc_begin(CkptRenderer *r)
{
  if (r->klass->begin)
    r->klass->begin(r);
  ckpt_renderer_flush(r);
}

static void
checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  r->rep = rep;
  if (r->klass->checkpoint_begin)
    r->klass->checkpoint_begin(r, rep);
  ckpt_renderer_flush(r);
}

static void
plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  r->klass->plugin_begin(r, pr);
  ckpt_renderer_flush(r);
}

static void
plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  r->klass->plugin_end(r, pr);
  ckpt_renderer_flush(r);
}

static void
checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  if (r->klass->checkpoint_end)
    r->klass->checkpoint_end(r, rep);
  ckpt_renderer_flush(r);
  r->rep = NULL;
  r->n_reports++;
}

/* The kept rows of pr's wanted tables, table after table. */
static void
replay_rows(CkptRenderer *r, const CkptPluginResult *pr, gboolean streamed)
{
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    if ((streamed && t->streamed) ||
        !ckpt_render_wanted(&r->opt, pr->name, t->decl->name))
      continue;
    for (guint j = 0; j < t->rows->len; j++)
      r->klass->row(r, pr, i, &g_array_index(t->rows, CkptRow, j));
  }
}

/* ---- kept reports ------------------------------------------------------- */

void
ckpt_renderer_replay_report(CkptRenderer *r, const CkptReport *rep)
{
  checkpoint_begin(r, rep);
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    if (!ckpt_render_wanted(&r->opt, pr->name, NULL))
      continue;
    plugin_begin(r, pr);
    replay_rows(r, pr, FALSE);
    plugin_end(r, pr);
  }
  checkpoint_end(r, rep);
}

static void
replay(CkptRenderer *r, GPtrArray *reports)
{
  doc_begin(r);
  for (guint i = 0; i < reports->len; i++)
    ckpt_renderer_replay_report(r, g_ptr_array_index(reports, i));
  if (r->klass->end)
    r->klass->end(r);
  ckpt_renderer_flush(r);
}

char *
ckpt_render_to_string(GPtrArray *reports, const CkptRenderOptions *opt)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    g_error("cannot open a memory stream for rendering");
  CkptRenderer *r = ckpt_renderer_new(f, opt);
  replay(r, reports);
  ckpt_renderer_free(r);
  fclose(f);
  return text;
}

void
ckpt_render(FILE *out, GPtrArray *reports, const CkptRenderOptions *opt)
{
  CkptRenderer *r = ckpt_renderer_new(out, opt);
  replay(r, reports);
  ckpt_renderer_free(r);
  fflush(out);
}

/* ---- streaming -----------------------------------------------------------
 *
 * The reports' sink: a plugin whose rows no later plugin reads has its
 * wanted tables streamed (their rows reach the renderer as they come and
 * are not kept) and its other tables dropped (only counted). A kept
 * plugin's rows reach the renderer when it ends, replayed as for kept
 * reports. The checkpoint begins for the renderer at its first plugin,
 * when its label is known. */

struct CkptRenderStream {
  CkptRowSink sink; /* first member: reports point at it */
  CkptRenderer *r;
  gboolean begun;              /* checkpoint_begin for this report */
  const CkptPluginResult *cur; /* streamed and begun for the renderer */
};

static void
stream_checkpoint_begin(CkptRenderStream *s, const CkptReport *rep)
{
  if (!s->begun)
    checkpoint_begin(s->r, rep);
  s->begun = TRUE;
}

static void
sink_plugin_begin(CkptRowSink *sink, CkptReport *rep, CkptPluginResult *pr)
{
  CkptRenderStream *s = (CkptRenderStream *)sink;
  for (size_t i = 0; i < pr->n_tables; i++)
    pr->tables[i].streamed = TRUE;
  s->cur = NULL;
  if (!ckpt_render_wanted(&s->r->opt, pr->name, NULL))
    return;
  stream_checkpoint_begin(s, rep);
  plugin_begin(s->r, pr);
  s->cur = pr;
}

static void
sink_row(CkptRowSink *sink, CkptReport *rep, CkptPluginResult *pr, size_t t,
         const CkptRow *row)
{
  (void)rep;
  CkptRenderStream *s = (CkptRenderStream *)sink;
  if (pr != s->cur || t >= pr->n_tables ||
      !ckpt_render_wanted(&s->r->opt, pr->name, pr->tables[t].decl->name))
    return;
  s->r->klass->row(s->r, pr, t, row);
}

static void
sink_plugin_end(CkptRowSink *sink, CkptReport *rep, CkptPluginResult *pr)
{
  CkptRenderStream *s = (CkptRenderStream *)sink;
  if (!ckpt_render_wanted(&s->r->opt, pr->name, NULL))
    return;
  stream_checkpoint_begin(s, rep);
  gboolean begun = pr == s->cur;
  if (!begun)
    plugin_begin(s->r, pr);
  replay_rows(s->r, pr, begun);
  plugin_end(s->r, pr);
  s->cur = NULL;
}

CkptRenderStream *
ckpt_render_stream_new(FILE *out, const CkptRenderOptions *opt)
{
  CkptRenderStream *s = g_new0(CkptRenderStream, 1);
  s->sink.plugin_begin = sink_plugin_begin;
  s->sink.row = sink_row;
  s->sink.plugin_end = sink_plugin_end;
  s->r = ckpt_renderer_new(out, opt);
  doc_begin(s->r);
  return s;
}

void
ckpt_render_stream_attach(CkptRenderStream *s, CkptReport *rep)
{
  s->begun = FALSE;
  s->cur = NULL;
  rep->sink = &s->sink;
}

void
ckpt_render_stream_report_done(CkptRenderStream *s, CkptReport *rep)
{
  stream_checkpoint_begin(s, rep);
  checkpoint_end(s->r, rep);
  fflush(s->r->out);
  rep->sink = NULL;
  s->begun = FALSE;
}

void
ckpt_render_stream_replay(CkptRenderStream *s, const CkptReport *rep)
{
  ckpt_renderer_replay_report(s->r, rep);
  fflush(s->r->out);
}

gboolean
ckpt_render_stream_finish(CkptRenderStream *s)
{
  if (s->r->klass->end)
    s->r->klass->end(s->r);
  ckpt_renderer_flush(s->r);
  fflush(s->r->out);
  return !s->r->failed && !ferror(s->r->out);
}

void
ckpt_render_stream_free(CkptRenderStream *s)
{
  if (s == NULL)
    return;
  ckpt_renderer_free(s->r);
  g_free(s);
}

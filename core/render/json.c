/* json.c - one JSON document for all checkpoints (docs/json.md). The
 * document puts a checkpoint's status and errors, and a plugin's status
 * and messages, before their rows, which come first: each table's rows
 * wait in a spool until its plugin ends, each plugin's object in the
 * checkpoint's spool until the checkpoint ends.
 */
#include <string.h>

#include "ckpt-config.h"
#include "render/renderer.h"

typedef struct {
  CkptSpool *rows;
  int cur; /* TREE nesting; -1 before the first row */
  guint n;
} JsonTable;

typedef struct {
  CkptRenderer base;
  CkptSpool *report;     /* this checkpoint's plugins */
  gboolean wrote_plugin; /* one is in report already */
  JsonTable *tables;     /* of the running plugin */
  size_t n_tables;
} Json;

/* Rows of a TREE table nested through "children", without recursion:
 * open rows at levels 0..*cur stay open until a row at or above them.
 * One step per row (*cur starts at -1), then tree_close. */
static void
tree_step(GString *out, const CkptResult *t, const CkptRow *row, int *cur)
{
  int d = MIN((int)row->depth, *cur + 1);
  if (*cur >= 0 && d == *cur + 1) {
    g_string_append(out, ",\"children\":[");
  } else if (*cur >= 0) {
    g_string_append_c(out, '}');
    for (int k = *cur; k > d; k--)
      g_string_append(out, "]}");
    g_string_append_c(out, ',');
  }
  ckpt_json_row_fields(out, t, row);
  *cur = d;
}

static void
tree_close(GString *out, int cur)
{
  if (cur >= 0) {
    g_string_append_c(out, '}');
    for (int k = cur; k > 0; k--)
      g_string_append(out, "]}");
  }
}

static void
tables_free(Json *j)
{
  for (size_t i = 0; i < j->n_tables; i++)
    ckpt_spool_free(j->tables[i].rows);
  g_clear_pointer(&j->tables, g_free);
  j->n_tables = 0;
}

static void
json_begin(CkptRenderer *r)
{
  g_string_append(r->buf, "{\"ckpt_version\":");
  ckpt_json_string(r->buf, CKPT_VERSION, -1);
  g_string_append(r->buf, ",\"checkpoints\":[");
}

static void
json_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  (void)rep;
  Json *j = (Json *)r;
  ckpt_spool_free(j->report);
  j->report = ckpt_spool_new();
  j->wrote_plugin = FALSE;
}

static void
json_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Json *j = (Json *)r;
  tables_free(j);
  j->tables = g_new0(JsonTable, pr->n_tables ? pr->n_tables : 1);
  j->n_tables = pr->n_tables;
  for (size_t i = 0; i < pr->n_tables; i++)
    j->tables[i].cur = -1;
}

static void
json_row(CkptRenderer *r, const CkptPluginResult *pr, size_t ti,
         const CkptRow *row)
{
  Json *j = (Json *)r;
  JsonTable *jt = &j->tables[ti];
  const CkptResult *t = &pr->tables[ti];
  if (t->decl->layout == CKPT_LAYOUT_TREE) {
    tree_step(r->buf, t, row, &jt->cur);
  } else {
    if (jt->n)
      g_string_append_c(r->buf, ',');
    ckpt_json_row_fields(r->buf, t, row);
    g_string_append_c(r->buf, '}');
  }
  jt->n++;
  if (jt->rows == NULL)
    jt->rows = ckpt_spool_new();
  ckpt_renderer_put(r, jt->rows);
}

/* "name":{"status":..,"messages":[..],"tables":{"t":[..],..}} into the
 * checkpoint's spool, each table's rows copied into place. */
static void
json_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  Json *j = (Json *)r;
  GString *out = r->buf;
  if (j->wrote_plugin)
    g_string_append_c(out, ',');
  j->wrote_plugin = TRUE;
  ckpt_json_string(out, pr->name, -1);
  g_string_append(out, ":{\"status\":");
  ckpt_json_string(out, ckpt_outcome_name(pr->outcome), -1);
  g_string_append(out, ",\"messages\":");
  ckpt_json_strings(out, pr->messages);
  g_string_append(out, ",\"tables\":{");
  gboolean first = TRUE;
  for (size_t i = 0; i < pr->n_tables; i++) {
    const CkptResult *t = &pr->tables[i];
    JsonTable *jt = &j->tables[i];
    if (!ckpt_render_wanted(&r->opt, pr->name, t->decl->name))
      continue;
    if (!first)
      g_string_append_c(out, ',');
    first = FALSE;
    ckpt_json_string(out, t->decl->name, -1);
    g_string_append(out, ":[");
    ckpt_renderer_put(r, j->report);
    if (jt->rows) {
      ckpt_spool_copy_to_spool(jt->rows, j->report);
      if (ckpt_spool_failed(jt->rows))
        r->failed = TRUE;
    }
    if (t->decl->layout == CKPT_LAYOUT_TREE)
      tree_close(out, jt->cur);
    g_string_append_c(out, ']');
  }
  g_string_append(out, "}}");
  ckpt_renderer_put(r, j->report);
  tables_free(j);
}

static void
json_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  Json *j = (Json *)r;
  if (r->n_reports)
    g_string_append_c(r->buf, ',');
  g_string_append(r->buf, "{\"path\":");
  ckpt_json_string(r->buf, rep->path, -1);
  ckpt_json_report_fields(r->buf, rep);
  g_string_append(r->buf, ",\"plugins\":{");
  ckpt_renderer_copy_spool(r, j->report);
  j->report = NULL;
  g_string_append(r->buf, "}}");
}

static void
json_end(CkptRenderer *r)
{
  g_string_append(r->buf, "]}\n");
}

static void
json_release(CkptRenderer *r)
{
  Json *j = (Json *)r;
  tables_free(j);
  ckpt_spool_free(j->report);
}

const CkptRendererClass ckpt_json_renderer = {
    .name = "json",
    .size = sizeof(Json),
    .begin = json_begin,
    .checkpoint_begin = json_checkpoint_begin,
    .plugin_begin = json_plugin_begin,
    .row = json_row,
    .plugin_end = json_plugin_end,
    .checkpoint_end = json_checkpoint_end,
    .end = json_end,
    .release = json_release,
};

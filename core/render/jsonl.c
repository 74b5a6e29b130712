/* jsonl.c - JSON Lines: one line per row as it comes, one per plugin when
 * it ends, one per checkpoint (docs/json.md). A plugin's tables are
 * written in declaration order: the first wanted table's rows go out as
 * they come, the others wait in spools until the plugin ends.
 */
#include <string.h>

#include "render/renderer.h"

typedef struct {
  CkptRenderer base;
  size_t direct;      /* the table written straight out */
  CkptSpool **spools; /* of the other tables, by index */
  size_t n_tables;
} Jsonl;

static void
jsonl_head(GString *out, const char *type, const CkptReport *rep)
{
  g_string_append(out, "{\"type\":");
  ckpt_json_string(out, type, -1);
  g_string_append(out, ",\"checkpoint\":");
  ckpt_json_string(out, rep->path, -1);
}

static void
spools_free(Jsonl *j)
{
  for (size_t i = 0; i < j->n_tables; i++)
    ckpt_spool_free(j->spools[i]);
  g_clear_pointer(&j->spools, g_free);
  j->n_tables = 0;
}

static void
jsonl_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Jsonl *j = (Jsonl *)r;
  spools_free(j);
  j->spools = g_new0(CkptSpool *, pr->n_tables ? pr->n_tables : 1);
  j->n_tables = pr->n_tables;
  j->direct = pr->n_tables;
  for (size_t i = 0; i < pr->n_tables && j->direct == pr->n_tables; i++)
    if (ckpt_render_wanted(&r->opt, pr->name, pr->tables[i].decl->name))
      j->direct = i;
}

static void
jsonl_row(CkptRenderer *r, const CkptPluginResult *pr, size_t ti,
          const CkptRow *row)
{
  Jsonl *j = (Jsonl *)r;
  const CkptResult *t = &pr->tables[ti];
  jsonl_head(r->buf, "row", r->rep);
  g_string_append(r->buf, ",\"plugin\":");
  ckpt_json_string(r->buf, pr->name, -1);
  g_string_append(r->buf, ",\"table\":");
  ckpt_json_string(r->buf, t->decl->name, -1);
  g_string_append_printf(r->buf, ",\"depth\":%u,\"values\":", row->depth);
  ckpt_json_row_fields(r->buf, t, row);
  g_string_append(r->buf, "}}\n");
  if (ti == j->direct) {
    ckpt_renderer_flush(r);
    return;
  }
  if (j->spools[ti] == NULL)
    j->spools[ti] = ckpt_spool_new();
  ckpt_renderer_put(r, j->spools[ti]);
}

static void
jsonl_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  Jsonl *j = (Jsonl *)r;
  for (size_t i = 0; i < j->n_tables; i++) {
    ckpt_renderer_copy_spool(r, j->spools[i]);
    j->spools[i] = NULL;
  }
  spools_free(j);
  jsonl_head(r->buf, "plugin", r->rep);
  g_string_append(r->buf, ",\"plugin\":");
  ckpt_json_string(r->buf, pr->name, -1);
  g_string_append(r->buf, ",\"status\":");
  ckpt_json_string(r->buf, ckpt_outcome_name(pr->outcome), -1);
  g_string_append(r->buf, ",\"messages\":");
  ckpt_json_strings(r->buf, pr->messages);
  g_string_append(r->buf, "}\n");
}

static void
jsonl_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  jsonl_head(r->buf, "checkpoint", rep);
  ckpt_json_report_fields(r->buf, rep);
  g_string_append(r->buf, "}\n");
}

static void
jsonl_release(CkptRenderer *r)
{
  spools_free((Jsonl *)r);
}

const CkptRendererClass ckpt_jsonl_renderer = {
    .name = "jsonl",
    .size = sizeof(Jsonl),
    .plugin_begin = jsonl_plugin_begin,
    .row = jsonl_row,
    .plugin_end = jsonl_plugin_end,
    .checkpoint_end = jsonl_checkpoint_end,
    .release = jsonl_release,
};

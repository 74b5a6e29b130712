/* renderer.h - the one interface every output format implements, inside
 * the render layer only (render.h is what callers see).
 *
 * A renderer is told about a document as a sequence of calls, in this
 * order, and nothing else:
 *
 *   begin
 *   for each checkpoint: checkpoint_begin
 *     for each plugin rendered: plugin_begin, row..., plugin_end
 *   checkpoint_end ... end
 *
 * Rows of the tables of one plugin may come interleaved (as a plugin emits
 * them); each table's rows come in order. The plugin's outcome and
 * messages are final only at plugin_end; a checkpoint's errors, warnings
 * and status only at checkpoint_end (its path and label are set at
 * checkpoint_begin). Only wanted plugins and tables (--only) reach a
 * renderer. Kept reports are replayed through these calls (render.c) and
 * a running chain is streamed through them, so both write the same bytes
 * by construction; a renderer never reads a table's kept rows itself.
 */
#ifndef CKPT_RENDERER_H
#define CKPT_RENDERER_H

#include <stdio.h>

#include "render/render.h"

/* Text that must wait (a table's rows until its plugin ends, a JSON
 * checkpoint until its status is known): in memory up to a bound, then in
 * an unlinked temporary file in $TMPDIR. When no file can be made it stays
 * in memory: slower to bear, never wrong. */
typedef struct CkptSpool CkptSpool;
CkptSpool *ckpt_spool_new(void);
void ckpt_spool_write(CkptSpool *s, const char *p, size_t n);
/* Appends buf and empties it. */
void ckpt_spool_put(CkptSpool *s, GString *buf);
/* Reads back from the start: rewind once, then read until 0. */
gboolean ckpt_spool_rewind(CkptSpool *s);
size_t ckpt_spool_read(CkptSpool *s, void *p, size_t n);
/* Copies everything written onto f or another spool. */
void ckpt_spool_copy_to_file(CkptSpool *s, FILE *f);
void ckpt_spool_copy_to_spool(CkptSpool *s, CkptSpool *to);
/* TRUE once a write or read of the spool or its target failed. */
gboolean ckpt_spool_failed(const CkptSpool *s);
void ckpt_spool_free(CkptSpool *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptSpool, ckpt_spool_free)

/* Copies of rows, for one checkpoint (store.c). */
typedef struct CkptRowStore CkptRowStore;
CkptRowStore *ckpt_row_store_new(void);
void ckpt_row_store_free(CkptRowStore *st);
/* An empty copy of table t of pr, to add rows to; pr must outlive it. */
CkptResult *ckpt_row_store_add_table(CkptRowStore *st,
                                     const CkptPluginResult *pr, size_t t);
void ckpt_row_store_add_row(CkptRowStore *st, CkptResult *t,
                            const CkptRow *row);
/* As ckpt_report_table: in the first plugin of that name, NULL when it was
 * skipped or has no such table (copied). */
const CkptResult *ckpt_row_store_table(const CkptRowStore *st,
                                       const char *plugin, const char *table);
/* The same by "plugin.table". */
const CkptResult *ckpt_row_store_spec(const CkptRowStore *st, const char *spec);

typedef struct CkptRenderer CkptRenderer;

typedef struct {
  const char *name;
  size_t size; /* of the format's struct, which starts with CkptRenderer */
  void (*begin)(CkptRenderer *r);
  void (*checkpoint_begin)(CkptRenderer *r, const CkptReport *rep);
  void (*plugin_begin)(CkptRenderer *r, const CkptPluginResult *pr);
  void (*row)(CkptRenderer *r, const CkptPluginResult *pr, size_t table,
              const CkptRow *row);
  void (*plugin_end)(CkptRenderer *r, const CkptPluginResult *pr);
  void (*checkpoint_end)(CkptRenderer *r, const CkptReport *rep);
  void (*end)(CkptRenderer *r);
  /* frees what the format holds, not the struct */
  void (*release)(CkptRenderer *r);
} CkptRendererClass;

struct CkptRenderer {
  const CkptRendererClass *klass;
  CkptRenderOptions opt;
  FILE *out;
  GString *buf;          /* text being built; ckpt_renderer_flush writes it */
  guint n_reports;       /* checkpoints ended before the current one */
  gboolean failed;       /* output or a spool could not be written */
  const CkptReport *rep; /* the current checkpoint */
};

extern const CkptRendererClass ckpt_tree_renderer;
extern const CkptRendererClass ckpt_table_renderer;
extern const CkptRendererClass ckpt_json_renderer;
extern const CkptRendererClass ckpt_jsonl_renderer;
extern const CkptRendererClass ckpt_html_renderer;
/* the "checkpointctl" look's tree and JSON */
extern const CkptRendererClass ckpt_look_tree_renderer;
extern const CkptRendererClass ckpt_ctl_json_renderer;

/* A renderer of opt's format (and look) onto out, and the calls for one
 * kept report, for a renderer that draws through another. */
CkptRenderer *ckpt_renderer_new(FILE *out, const CkptRenderOptions *opt);
void ckpt_renderer_free(CkptRenderer *r);
void ckpt_renderer_replay_report(CkptRenderer *r, const CkptReport *rep);

/* Writes buf to the output and empties it. */
void ckpt_renderer_flush(CkptRenderer *r);
/* Moves buf into a spool, and notes a spool that failed. */
void ckpt_renderer_put(CkptRenderer *r, CkptSpool *s);
/* Copies a spool onto the output, then frees it. */
void ckpt_renderer_copy_spool(CkptRenderer *r, CkptSpool *s);

/* Is plugin (and, unless NULL, its table) rendered under opt->only? */
gboolean ckpt_render_wanted(const CkptRenderOptions *opt, const char *plugin,
                            const char *table);

/* Is part ("stats") in opt->show? */
gboolean ckpt_render_shows(const CkptRenderOptions *opt, const char *part);

/* A string cell by column name, or NULL (not a string, NULL, no column). */
const char *ckpt_cell_str(const CkptResult *t, const CkptRow *row,
                          const char *name);
/* A table's first row, or NULL. */
const CkptRow *ckpt_first_row(const CkptResult *t);

/* A row's text from a label template (template.c, sdk/ckpt/plugin.h). */
char *ckpt_template_text(const char *tpl, const CkptResult *t,
                         const CkptRow *row, gboolean utc);

/* Colour (color.c): the SGR code of a cell of col holding text ("31"), or
 * NULL; ckpt_paint appends text, wrapped in it when on. Renderers measure
 * and pad the plain text and paint only where they append it. */
const char *ckpt_color_of(const CkptColumn *col, const char *text);
void ckpt_paint(GString *out, gboolean on, const CkptColumn *col,
                const char *text);

/* Shared text pieces (text.c). */
char *ckpt_column_title(const CkptColumn *c);
/* A table's title (or name), escaped. */
char *ckpt_table_title(const CkptTable *decl);
/* Display width of a cell: UTF-8 characters, else bytes. */
size_t ckpt_text_width(const char *s);
/* ckpt_json_value, ckpt_json_row_fields: host/results.h;
 * ckpt_json_string, ckpt_json_strings: util/jsonw.h */
/* ,"name":..,"status":..,"errors":[..],"warnings":[..] of a checkpoint */
void ckpt_json_report_fields(GString *out, const CkptReport *rep);

#endif

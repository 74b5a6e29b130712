/* render.h - the host's renderers: tree, table, JSON and JSON Lines, all
 * from the same rows (CkptReport), one file per format behind one
 * interface (renderer.h). Plugins never format; every byte a
 * checkpoint controls is escaped here before it reaches a terminal. The
 * JSON shapes are documented in docs/json.md.
 */
#ifndef CKPT_RENDER_H
#define CKPT_RENDER_H

#include <glib.h>
#include <stdio.h>

#include "host/results.h"
#include "host/sweep.h"
#include "util/jsonw.h"

typedef enum {
  CKPT_RENDER_TREE = 0,
  CKPT_RENDER_TABLE = 1,
  CKPT_RENDER_JSON = 2,
  CKPT_RENDER_JSONL = 3,
  CKPT_RENDER_HTML = 4, /* one self-contained page (html.c) */
} CkptRenderFormat;

/* A text view of one table, for the tree format only (JSON and table
 * output are unaffected): how a command such as `ckpt inspect` wants the
 * rows a plugin emitted to read, without the plugin formatting anything.
 *
 *  - label: the node text of a row, already escaped (use ckpt_text_escape
 *    or ckpt_value_text); NULL: the LABEL columns, as hinted.
 *  - fields: the "Title: value" lines of each row (a RECORD's lines, a
 *    node's details), in this order, NULL-ended. Each is "column" or
 *    "column=Title"; a leading '>' hangs the line under the one before
 *    (checkpointctl's "Memory pages size" under "Checkpoint size"). NULL
 *    cells are left out. NULL: the column hints decide.
 *  - flat: the lines go straight under the checkpoint, without the
 *    table's heading (checkpointctl's "Image:", "ID:" lines).
 *  - hide: the table is left out of the tree.
 *  - parent, key, parent_key: nesting. Rows are shown under the node of
 *    the parent TREE table ("plugin.table") whose parent_key cell has the
 *    same text as their key cell, in a branch titled with this table's
 *    title, after the node's details and before its children (open files
 *    under their process). Rows no node takes are shown as a table of
 *    their own, where the table would have been.
 *
 * A table's own declared look (CkptTable.label, parent and key, ABI 3.3)
 * applies where its view, if any, does not say otherwise. Views of one
 * plugin are drawn in the order of the views list, before its tables
 * without a view. */
typedef struct CkptRenderView {
  const char *table; /* "plugin.table"; NULL ends a list */
  char *(*label)(const CkptResult *t, const CkptRow *row, gboolean utc);
  const char *const *fields;
  gboolean flat;
  gboolean hide;
  const char *parent;
  const char *key;
  const char *parent_key;
  /* appended: the node text as a label template (sdk/ckpt/plugin.h),
   * when label is NULL */
  const char *label_template;
} CkptRenderView;

typedef struct {
  CkptRenderFormat format;
  /* "plugin.table" names to render, NULL-ended; NULL renders all */
  const char *const *only;
  /* table format: rows of the same table from every checkpoint in one
   * table, without per-checkpoint headings (checkpointctl show) */
  gboolean merge;
  /* text times in UTC instead of local time (tests) */
  gboolean utc;
  /* tree format: views of tables, ended by {NULL}; NULL: none */
  const CkptRenderView *views;
  /* a look: "checkpointctl" draws the tree and JSON formats as
   * checkpointctl inspect does (docs/json.md); NULL: the host's */
  const char *look;
  /* the look's optional parts to show ("stats", "metadata", ...; see
   * look.c), NULL-ended; NULL: none */
  const char *const *show;
  /* appended: table format, merged: the title of a first column naming
   * each row's checkpoint (its path), shown when there are several
   * (ckpt show A B); NULL: none */
  const char *file_column;
  /* appended: tree and table text in colour (severities, states); the
   * renderer turns it on by itself when ckpt_render_color_for(out) */
  gboolean color;
} CkptRenderOptions;

/* Colour (color.c), process-wide, set once by the CLI's --color. */
typedef enum {
  CKPT_COLOR_AUTO = 0, /* on a terminal, unless NO_COLOR is set */
  CKPT_COLOR_ALWAYS = 1,
  CKPT_COLOR_NEVER = 2,
} CkptColorMode;
void ckpt_render_set_color(CkptColorMode mode);
/* "auto", "always" or "never" -> ckpt_render_set_color; FALSE otherwise. */
gboolean ckpt_render_color_parse(const char *when);
/* Is text written to out coloured? ALWAYS and NEVER say so; AUTO when out
 * is a terminal, NO_COLOR is unset or empty and TERM is not "dumb". */
gboolean ckpt_render_color_for(FILE *out);

gboolean ckpt_render_format_parse(const char *name, CkptRenderFormat *out);
/* Trees drawn with ASCII branches ("|-- ", "`-- ") instead of box drawing,
 * for the whole process: the CLI sets it for --ascii and for a locale
 * whose character set is not UTF-8. */
void ckpt_render_set_ascii(gboolean ascii);

/* Renders all reports as one document onto out. */
void ckpt_render(FILE *out, GPtrArray *reports, const CkptRenderOptions *opt);
/* Renders all reports into a new file at path, written whole or not at
 * all: into a temporary file beside it, then moved in place. An existing
 * path is refused unless force, which replaces it (never through a
 * symlink: the name itself is replaced). FALSE with error set when the
 * file exists or cannot be written. */
gboolean ckpt_render_to_path(const char *path, gboolean force,
                             GPtrArray *reports, const CkptRenderOptions *opt,
                             GError **error);
/* The same into a string (for tests). */
char *ckpt_render_to_string(GPtrArray *reports, const CkptRenderOptions *opt);

/* Streaming: the same document as ckpt_render, written while the chain
 * runs, so rows of tables no later plugin reads are never kept (see
 * results.h). For each checkpoint: attach the report before its plan runs
 * (it becomes the report's sink; ckpt_plan_run then calls it),
 * report_done after. finish ends the document; FALSE when output or a
 * spool file could not be written. Kept reports and streamed ones go
 * through the same renderer calls (renderer.h), so the output is
 * byte-identical to ckpt_render's. What must wait for later rows or for a
 * status (JSON heads, a grid's widths, a plugin's later tables) waits in
 * spools, past 1 MiB in unlinked temporary files in $TMPDIR; a tree is
 * written when its checkpoint ends, with the rows of nested tables kept
 * until then. */
typedef struct CkptRenderStream CkptRenderStream;
CkptRenderStream *ckpt_render_stream_new(FILE *out,
                                         const CkptRenderOptions *opt);
void ckpt_render_stream_attach(CkptRenderStream *s, CkptReport *rep);
void ckpt_render_stream_report_done(CkptRenderStream *s, CkptReport *rep);
/* A report whose plan ran without the stream attached (its rows kept),
 * written as the stream's next checkpoint: a sweep running several at
 * once hands them over in order. */
void ckpt_render_stream_replay(CkptRenderStream *s, const CkptReport *rep);
gboolean ckpt_render_stream_finish(CkptRenderStream *s);
void ckpt_render_stream_free(CkptRenderStream *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptRenderStream, ckpt_render_stream_free)

/* A sweep (host/sweep.h) rendered onto out with opt (render/sweep.c):
 * unless keep, the document streams: one checkpoint at a time, rows are
 * written as they come and only those of tables a later plugin reads are
 * kept; several at once, each checkpoint's rows are kept until it and
 * every one before it have run, then written, so the output is the same
 * bytes in the same order. With keep, every row is kept and the document
 * written at the end. sw's start, done and ready callbacks are this
 * function's own.
 * *written is FALSE when output or a spool file could not be written.
 * Returns the reports. */
GPtrArray *ckpt_render_sweep(FILE *out, const CkptSweep *sw,
                             const CkptPlan *plan, char **files, guint n,
                             const CkptRenderOptions *opt, gboolean keep,
                             gboolean *written);

/* A progress sink (host.h's CkptProgressFn) for a terminal: user is the
 * FILE* (stderr) it draws on, as one line redrawn in place, "yara
 * [##########..........]  50% memory"; what NULL clears it. */
void ckpt_render_progress(void *user, const char *plugin, uint64_t done,
                          uint64_t total, const char *what);

/* Index of a table's column by name, or -1. */
int ckpt_result_column_index(const CkptResult *t, const char *name);
/* The cell of a column by name, or NULL when there is no such column. */
const CkptValue *ckpt_row_cell(const CkptResult *t, const CkptRow *row,
                               const char *name);

/* Text helpers, exposed for tests and the CLI. */
/* Appends s (len bytes, or -1 for NUL-ended) with control characters,
 * backslashes and invalid UTF-8 escaped as \n, \t, \\, \xNN, \u{NN}. */
void ckpt_text_escape(GString *out, const char *s, gssize len);
/* Human-readable size, checkpointctl's style: "512 B", "4.5 MiB". */
char *ckpt_format_size(uint64_t bytes);
/* A value as text for tree and table output, escaped. */
char *ckpt_value_text(const CkptValue *v, gboolean utc);
/* ckpt_value_text of column c of t, with its text hints (a VERBATIM
 * column's backslash is one) */
char *ckpt_cell_text(const CkptResult *t, size_t c, const CkptValue *v,
                     gboolean utc);

#endif

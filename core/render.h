/* render.h - the host's renderers: tree, table, JSON and JSON Lines, all
 * from the same rows (CkptReport). Plugins never format; every byte a
 * checkpoint controls is escaped here before it reaches a terminal. The
 * JSON shapes are documented in docs/json.md.
 */
#ifndef CKPT_RENDER_H
#define CKPT_RENDER_H

#include <glib.h>
#include <stdio.h>

#include "results.h"

typedef enum {
  CKPT_RENDER_TREE = 0,
  CKPT_RENDER_TABLE = 1,
  CKPT_RENDER_JSON = 2,
  CKPT_RENDER_JSONL = 3,
} CkptRenderFormat;

typedef struct {
  CkptRenderFormat format;
  /* "plugin.table" names to render, NULL-ended; NULL renders all */
  const char *const *only;
  /* table format: rows of the same table from every checkpoint in one
   * table, without per-checkpoint headings (checkpointctl show) */
  gboolean merge;
  /* text times in UTC instead of local time (tests) */
  gboolean utc;
} CkptRenderOptions;

gboolean ckpt_render_format_parse(const char *name, CkptRenderFormat *out);

/* Renders all reports as one document onto out. */
void ckpt_render(FILE *out, GPtrArray *reports, const CkptRenderOptions *opt);
/* The same into a string (for tests). */
char *ckpt_render_to_string(GPtrArray *reports, const CkptRenderOptions *opt);

/* Text helpers, exposed for tests and the CLI. */
/* Appends s (len bytes, or -1 for NUL-ended) with control characters,
 * backslashes and invalid UTF-8 escaped as \n, \t, \\, \xNN, \u{NN}. */
void ckpt_text_escape(GString *out, const char *s, gssize len);
/* Human-readable size, checkpointctl's style: "512 B", "4.5 MiB". */
char *ckpt_format_size(uint64_t bytes);
/* "2006-01-02T15:04:05Z07:00" in local time (or UTC, ending in Z). */
char *ckpt_format_time(int64_t t, gboolean utc);
/* A value as text for tree and table output, escaped. */
char *ckpt_value_text(const CkptValue *v, gboolean utc);
/* Appends a JSON string literal; invalid UTF-8 becomes U+FFFD. */
void ckpt_json_string(GString *out, const char *s, gssize len);

#endif

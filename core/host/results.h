/* results.h - the rows plugins emit, kept per checkpoint, or handed to a
 * row sink as they come.
 *
 * Every value a plugin emits is copied here (strings and bytes into one
 * string chunk per checkpoint), so rows outlive the model they were read
 * from and can be rendered after it is freed. A CkptResult is one table of
 * one plugin; later plugins of a chain read it through api->result().
 *
 * Bounded memory: when a report has a sink (a streaming renderer), the
 * tables of a plugin that no later plugin of the chain depends on may be
 * marked streamed; their rows go to the sink as they are emitted and are
 * only counted, never kept. Rows of a dependency are always kept.
 */
#ifndef CKPT_RESULTS_H
#define CKPT_RESULTS_H

#include <glib.h>

#include "ckpt/plugin.h"

typedef struct {
  unsigned depth;
  CkptValue *values; /* n_columns of the table */
} CkptRow;

/* struct CkptResult: the SDK's opaque handle for one emitted table. */
struct CkptResult {
  const CkptTable *decl; /* borrowed from the plugin's descriptor */
  size_t n_columns;
  GArray *rows; /* CkptRow; empty when streamed */
  /* appended for streaming */
  size_t n_rows;     /* rows added, kept or streamed */
  gboolean streamed; /* rows go to the report's sink, not into rows */
};

typedef enum {
  CKPT_PLUGIN_RAN_OK = 0,
  CKPT_PLUGIN_RAN_WARN = 1,
  CKPT_PLUGIN_RAN_FAILED = 2,
  CKPT_PLUGIN_RAN_FATAL = 3,
  CKPT_PLUGIN_SKIPPED = 4, /* not run: a dependency failed or FATAL */
} CkptPluginOutcome;

typedef struct {
  char *name;
  const CkptPlugin *desc; /* borrowed; the host outlives the results */
  CkptPluginOutcome outcome;
  GPtrArray *messages; /* char*: errors the plugin reported, skip reasons */
  CkptResult *tables;  /* one per declared table, in declaration order */
  size_t n_tables;
} CkptPluginResult;

typedef struct CkptReport CkptReport;

/* Where the rows of streamed tables go. plugin_begin marks, among the
 * tables of a plugin that no later plugin reads, those it takes (sets
 * CkptResult.streamed); row gets each of their rows, values already
 * normalised as kept rows are (a NULL string is a NULL cell); plugin_end
 * is called once the plugin's outcome and messages are final. */
typedef struct CkptRowSink CkptRowSink;
struct CkptRowSink {
  void (*plugin_begin)(CkptRowSink *s, CkptReport *r, CkptPluginResult *pr);
  void (*row)(CkptRowSink *s, CkptReport *r, CkptPluginResult *pr, size_t t,
              const CkptRow *row);
  void (*plugin_end)(CkptRowSink *s, CkptReport *r, CkptPluginResult *pr);
};

/* What one checkpoint produced: status of the open, then each plugin's
 * tables in the order they ran. */
struct CkptReport {
  char *path;
  char *label;         /* container name, else the path; for tree roots */
  gboolean opened;     /* FALSE: the checkpoint could not be opened */
  GPtrArray *errors;   /* char*: open errors, FATAL reasons */
  GPtrArray *warnings; /* char*: loader warnings */
  GPtrArray *plugins;  /* CkptPluginResult*, in run order */
  GStringChunk *chunk; /* copies of emitted strings and bytes */
  /* appended for streaming: NULL sink keeps every row */
  CkptRowSink *sink; /* borrowed */
  GHashTable *keep;  /* plugin names whose rows a later plugin reads */
  /* appended, chain of custody: the checkpoint's sha256 and what was
   * hashed (CkptContainerInfo.archive_sha256), set by ckpt_plan_run;
   * NULL when it did not open */
  char *sha256;
  char *sha256_of;
};

CkptReport *ckpt_report_new(const char *path);
void ckpt_report_free(CkptReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptReport, ckpt_report_free)

/* Adds the slot for a plugin about to run; its tables are empty. */
CkptPluginResult *ckpt_report_add_plugin(CkptReport *r, const CkptPlugin *p);
CkptPluginResult *ckpt_report_plugin(const CkptReport *r, const char *name);
/* A table of a plugin that ran, or NULL. */
const CkptResult *ckpt_report_table(const CkptReport *r, const char *plugin,
                                    const char *table);

/* Frees every kept row of r once it has been rendered (its plan done):
 * each table counts them (n_rows) as a streamed one does. */
void ckpt_report_drop_rows(CkptReport *r);
/* Rows of plugin name are read by a later plugin: never stream them. */
void ckpt_report_keep(CkptReport *r, const char *name);
/* Tells the sink, if any, that pr's outcome and messages are final. */
void ckpt_report_plugin_done(CkptReport *r, CkptPluginResult *pr);

/* Copies one row into table t of pr, or hands it to the sink when the
 * table is streamed. values must already be checked
 * against the columns (see ckpt_row_check). */
void ckpt_report_add_row(CkptReport *r, CkptPluginResult *pr, size_t t,
                         unsigned depth, const CkptValue *values);
/* A copy of a row of n values, as rows keep them (a NULL string is a
 * missing cell, bytes without data are empty), its strings and bytes in
 * chunk: the report's, or a renderer's store (render/store.c). */
CkptRow ckpt_row_copy(GStringChunk *chunk, unsigned depth,
                      const CkptValue *values, size_t n);
/* Frees the values of each CkptRow in rows and empties it. */
void ckpt_rows_clear(GArray *rows);
/* Checks a row against a table's declaration: count and types. */
gboolean ckpt_row_check(const CkptTable *decl, size_t n_columns,
                        const CkptValue *values, size_t n_values,
                        GError **error);

size_t ckpt_table_n_columns(const CkptTable *decl);
const char *ckpt_outcome_name(CkptPluginOutcome o);
const char *ckpt_type_name(CkptType t);

/* The worst outcome across a report: 0 all fine (OK or WARN), 1 some plugin
 * failed or was skipped or the checkpoint did not open. */
int ckpt_report_status(const CkptReport *r);
/* "ok", "failed", "fatal" or "error" (not opened), for JSON */
const char *ckpt_report_status_name(const CkptReport *r);

/* A value as JSON, typed as docs/json.md says (times as RFC 3339 UTC
 * strings, uint64 in full, addresses as "0x..." strings, bytes in
 * base64), with util/jsonw.h's writer. */
void ckpt_json_value(GString *out, const CkptValue *v);
/* Opens a row object and writes its columns, leaving it open. */
void ckpt_json_row_fields(GString *out, const CkptResult *t,
                          const CkptRow *row);

#endif

/* look.h - the pieces of checkpointctl's inspect look (look.c draws it,
 * look-data.c declares it, look-text.c composes its text branches); inside
 * the render layer only.
 */
#ifndef CKPT_LOOK_H
#define CKPT_LOOK_H

#include "render/renderer.h"

/* the views of the look's tables, ended by {NULL} */
extern const CkptRenderView ckpt_look_views[];
/* pstree.processes lines with the "details" part */
extern const char *const ckpt_look_process_details[];
/* the same with the environment's source, and that alone (--ps-tree-env) */
extern const char *const ckpt_look_process_details_env[];
extern const char *const ckpt_look_process_env[];
/* pstree.processes label with the "cmd" part: the command line */
extern const char ckpt_look_process_cmd_label[];

typedef enum { SHOW_MAIN, SHOW_NOT, SHOW_AFTER } Placement;
/* Where a table goes in the tree: with checkpointctl's branches, left
 * out, or after them with ckpt's. */
Placement ckpt_look_placement(const CkptRenderOptions *opt, const char *plugin,
                              const char *table);

/* What the shells and composed tables of one checkpoint live in. */
typedef struct {
  GPtrArray *blocks;  /* g_free */
  GPtrArray *arrays;  /* GArray rows, GPtrArray plugin lists: unref */
  GPtrArray *parrays; /* GPtrArray */
  GStringChunk *text;
  GArray *empty; /* CkptRow, no rows: a table not shown */
} Arena;
void ckpt_look_arena_init(Arena *a);
void ckpt_look_arena_release(Arena *a);
gpointer ckpt_look_arena_alloc(Arena *a, size_t n, size_t size);

/* the composed text tables: one "text" column */
extern const CkptTable ckpt_look_dump_stats_decl;
extern const CkptTable ckpt_look_metadata_decl;
/* their rows, from the copies of the container plugin's tables */
GArray *ckpt_look_compose_stats(Arena *a, const CkptRowStore *st);
GArray *ckpt_look_compose_metadata(Arena *a, const CkptRowStore *st);

#endif

/* tree.h - the tree format's pieces, inside the render layer: tables
 * turned into (level, text) lines with views and nestings (tree-lines.c),
 * and the renderer that collects and draws them (tree.c).
 */
#ifndef CKPT_TREE_H
#define CKPT_TREE_H

#include "render/renderer.h"

typedef struct {
  int level;
  char *text;
} Line;

void ckpt_tree_add_line(GArray *lines, int level, char *text);
void ckpt_tree_lines_free(GArray *lines);
/* Does spec ("plugin.table") name this table? */
gboolean ckpt_tree_spec_is(const char *spec, const char *plugin,
                           const char *table);
const CkptRenderView *ckpt_tree_find_view(const CkptRenderOptions *opt,
                                          const char *plugin,
                                          const char *table);

/* One nesting of a view, resolved for one report: the child table's rows
 * by key text, and the key texts the parent's rows have. */
typedef struct {
  const CkptRenderView *view;
  const CkptResult *child, *parent;
  int parent_key;
  GHashTable *by_key;      /* key text -> GArray of guint row indexes */
  GHashTable *parent_keys; /* key texts of parent rows (a set) */
} Nest;

/* view's nesting between two tables of copied rows, or NULL */
Nest *ckpt_tree_nest_new(const CkptRenderView *v, const CkptResult *child,
                         const CkptResult *parent);
void ckpt_tree_nest_free(gpointer p);

typedef struct {
  const CkptRenderOptions *opt;
  GArray *lines;    /* Line */
  GPtrArray *nests; /* Nest* */
} TreeCtx;

/* A table's rows drawn one at a time: what ckpt_tree_table does, split so that
 * a table no nesting needs is drawn as its rows come. */
typedef struct {
  gboolean record; /* rows as "Title: value" lines */
  int base;        /* their level */
  guint heading;   /* index of the heading line */
  int prev;        /* level of the row before */
  guint shown;
} Walk;

void ckpt_tree_walk_begin(TreeCtx *c, const CkptResult *t,
                          const CkptRenderView *v, Walk *w);
void ckpt_tree_walk_row(TreeCtx *c, const CkptResult *t,
                        const CkptRenderView *v, const CkptRow *row, Walk *w);
void ckpt_tree_walk_end(TreeCtx *c, const Walk *w);
/* All rows of a table: begin, every row, end. */
void ckpt_tree_table(TreeCtx *c, const CkptResult *t, const CkptRenderView *v);
/* Draws lines as a tree, with box-drawing branches. */
void ckpt_tree_draw(GString *out, GArray *lines);
/* A plugin's tables in drawing order (indexes, size_t). */
GArray *ckpt_tree_table_order(const CkptPluginResult *pr,
                              const CkptRenderOptions *opt);

#endif

/* html.h - the pieces of the HTML format (html.c) shared with its
 * pictures (html-pictures.c), inside the render layer only.
 *
 * Every byte that comes from a checkpoint goes through ckpt_html_text:
 * first the text escape every renderer uses (control characters, invalid
 * UTF-8), then the five HTML specials, so a cell is text in element
 * content and in a double-quoted attribute alike. The markup around it is
 * fixed text of ours; nothing from a checkpoint picks an element, an
 * attribute name, a class or a style.
 */
#ifndef CKPT_HTML_H
#define CKPT_HTML_H

#include "render/renderer.h"

/* Appends s (NUL-ended; NULL appends nothing) as HTML text. */
/* HTML's five special characters of s as entities, nothing else changed:
 * for text already escaped as the text formats do (ckpt_html_text does
 * both). */
void ckpt_html_special(GString *out, const char *s);
void ckpt_html_text(GString *out, const char *s);
/* A cell as HTML text, times in UTC. */
void ckpt_html_value(GString *out, const CkptValue *v);
/* A class name from a closed list, for a cell's text: severities and
 * verdicts. NULL when the text is none of them. */
const char *ckpt_html_class(const char *text);

/* Is word c in list, a comma-separated one (NULL: empty)? Columns in a
 * look's lists, kinds in a map picture's kernel list. */
gboolean ckpt_html_listed(const char *list, const char *c);

/* A cell's number (UINT, INT, ADDR, SIZE, TIME), 0 when it has none. */
uint64_t ckpt_html_u64(const CkptResult *t, const CkptRow *row,
                       const char *name);

/* The memory map pictures: an SVG per process of the maps table, the
 * processes' names from names (a pstree table, may be NULL). */
typedef struct {
  const char *table;   /* "plugin.table" */
  const char *group;   /* one picture per value of this column */
  const char *start;   /* ADDR */
  const char *end;     /* ADDR, after the last byte */
  const char *kind;    /* text: colours the bar */
  const char *present; /* SIZE: bytes dumped */
  const char *perms;   /* "rwxp": 'x' marks executable */
  const char *path;    /* NULL cell: anonymous */
  const char *names;   /* "plugin.table" with group and name columns */
  const char *name;
  /* kinds the kernel maps (vdso, ...): no path, yet not anonymous memory
   * a program made; comma-separated */
  const char *kernel;
  /* where dumped pages lie: a table of runs (group, start, end); NULL or
   * absent from the report: each bar shows how much was dumped */
  const char *runs;
  const char *runs_group, *runs_start, *runs_end;
} CkptHtmlMapPicture;
void ckpt_html_maps(GString *out, const CkptHtmlMapPicture *pic,
                    const CkptRowStore *st, guint doc_index);

/* The timeline: events with times, from declared sources. */
typedef struct {
  const char *table;  /* "plugin.table" */
  const char *time;   /* TIME column, or a text column starting with an
                         ISO 8601 UTC time (text_time) */
  gboolean text_time; /* time is read from the start of a text cell */
  const char *where;  /* only rows whose column where ... */
  const char *equals; /* ... has this text; NULL: every row */
  const char *what;   /* label template of the event (plugin.h) */
  const char *kind;   /* short class of the event, our text */
} CkptHtmlTimeSource;
void ckpt_html_timeline(GString *out, const CkptHtmlTimeSource *src,
                        const CkptRowStore *st, guint doc_index,
                        guint max_events);

#endif

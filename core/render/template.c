/* template.c - label templates (sdk/ckpt/plugin.h, CkptTable.label): a
 * row's node text from text and fields in braces. Templates come from
 * declarations, not from checkpoints, but are still read defensively: a
 * brace that starts no field is text, and nesting stops at MAX_DEPTH.
 */
#include <string.h>

#include "render/renderer.h"

#define MAX_DEPTH 8

/* The end of the field that starts at p (on '{'): its '}', or NULL. */
static const char *
field_end(const char *p)
{
  int open = 0;
  for (; *p; p++) {
    if (*p == '{')
      open++;
    else if (*p == '}' && --open == 0)
      return p;
  }
  return NULL;
}

static const CkptValue *
cell(const CkptResult *t, const CkptRow *row, const char *name, size_t n)
{
  g_autofree char *col = g_strndup(name, n);
  const CkptValue *v = ckpt_row_cell(t, row, col);
  return v && v->type != CKPT_T_NULL ? v : NULL;
}

static void expand(GString *out, const char *p, const char *end,
                   const CkptResult *t, const CkptRow *row, gboolean utc,
                   int depth);

/* {?col:T} {!col:T} {?col=V:T} {!col=V:T}; FALSE when not of that form */
static gboolean
conditional(GString *out, const char *p, const char *end, const CkptResult *t,
            const CkptRow *row, gboolean utc, int depth)
{
  gboolean want = *p == '?';
  p++;
  const char *colon = memchr(p, ':', end - p);
  if (colon == NULL)
    return FALSE;
  const char *eq = memchr(p, '=', colon - p);
  const CkptValue *v = cell(t, row, p, (eq ? eq : colon) - p);
  gboolean holds = v != NULL;
  if (holds && eq) {
    g_autofree char *text = ckpt_value_text(v, utc);
    holds = strlen(text) == (size_t)(colon - eq - 1) &&
            strncmp(text, eq + 1, colon - eq - 1) == 0;
  }
  if (holds == want)
    expand(out, colon + 1, end, t, row, utc, depth + 1);
  return TRUE;
}

/* {a|b}, {col/0}, {col/host} */
static void
value(GString *out, const char *p, const char *end, const CkptResult *t,
      const CkptRow *row, gboolean utc)
{
  const char *slash = memchr(p, '/', end - p);
  const char *names_end = slash ? slash : end;
  const CkptValue *v = NULL;
  for (const char *a = p; a < names_end && v == NULL;) {
    const char *bar = memchr(a, '|', names_end - a);
    const char *e = bar ? bar : names_end;
    v = cell(t, row, a, e - a);
    a = e + 1;
  }
  size_t flen = slash ? (size_t)(end - slash - 1) : 0;
  if (v == NULL) {
    if (slash && flen == 1 && slash[1] == '0')
      g_string_append_c(out, '0');
    return;
  }
  g_autofree char *text = ckpt_value_text(v, utc);
  gboolean host = slash && flen == 4 && strncmp(slash + 1, "host", 4) == 0;
  gboolean bracket = host && ckpt_host_needs_brackets(text);
  g_string_append(out, bracket ? "[" : "");
  g_string_append(out, text);
  g_string_append(out, bracket ? "]" : "");
}

static void
expand(GString *out, const char *p, const char *end, const CkptResult *t,
       const CkptRow *row, gboolean utc, int depth)
{
  while (p < end) {
    const char *close = *p == '{' ? field_end(p) : NULL;
    if (close == NULL || close > end || depth >= MAX_DEPTH) {
      g_string_append_c(out, *p++);
      continue;
    }
    const char *f = p + 1;
    if ((*f == '?' || *f == '!') &&
        conditional(out, f, close, t, row, utc, depth)) {
      p = close + 1;
      continue;
    }
    value(out, f, close, t, row, utc);
    p = close + 1;
  }
}

char *
ckpt_template_text(const char *tpl, const CkptResult *t, const CkptRow *row,
                   gboolean utc)
{
  GString *out = g_string_new(NULL);
  expand(out, tpl, tpl + strlen(tpl), t, row, utc, 0);
  return g_string_free(out, FALSE);
}

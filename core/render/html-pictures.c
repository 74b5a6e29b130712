/* html-pictures.c - the pictures of the HTML format: each process's memory
 * map as inline SVG, and the timeline. Both are drawn from declared
 * columns (html.h), never from a plugin's code: which table, which column
 * holds the start, the kind, the time.
 *
 * A memory map is one strip along the address space. Real address spaces
 * are sparse (text near 0x55.., libraries and stack near 0x7ff..), so the
 * axis is not linear: every mapping gets a width growing with the log of
 * its pages, and the holes between runs of adjacent mappings are drawn as
 * short breaks. Exact ranges are in each bar's tooltip and in the table
 * under the picture.
 */
#include <string.h>

#include "render/html.h"

#define MAP_W 1000.0
#define GAP_W 9.0

/* the kinds the memory plugin names (the SDK's ckpt_vma_kind_name, the one
 * list); anything else is drawn as "other" */
static const char *
kind_class(const char *k)
{
  for (int i = CKPT_VMA_ANON; k && i < CKPT_VMA_OTHER; i++)
    if (strcmp(k, ckpt_vma_kind_name((CkptVmaKind)i)) == 0)
      return ckpt_vma_kind_name((CkptVmaKind)i);
  return "other";
}

typedef struct {
  const CkptRow *row;
  uint64_t start, end, present;
  double x, w;
  gboolean exec, anon, gap_before;
} Bar;

static const CkptValue *
cell(const CkptResult *t, const CkptRow *row, const char *name)
{
  const CkptValue *v = name ? ckpt_row_cell(t, row, name) : NULL;
  return v && v->type != CKPT_T_NULL ? v : NULL;
}

static void
size_text(GString *out, uint64_t n)
{
  g_autofree char *s = ckpt_format_size(n);
  g_string_append(out, s);
}

/* The last path component, for a label under a bar. */
static const char *
base_name(const char *p)
{
  const char *s = p ? strrchr(p, '/') : NULL;
  return s && s[1] ? s + 1 : p;
}

/* Text cut to fit n characters, as HTML. */
static void
fitted(GString *out, const char *s, size_t n)
{
  g_autoptr(GString) t = g_string_new(NULL);
  ckpt_text_escape(t, s, -1);
  if (g_utf8_strlen(t->str, -1) > (glong)n && n > 1) {
    const char *cut = g_utf8_offset_to_pointer(t->str, (glong)n - 1);
    g_string_truncate(t, cut - t->str);
    g_string_append(t, "\u2026");
  }
  ckpt_html_special(out, t->str);
}

typedef struct {
  uint64_t start, end;
} Run;

static void
present_rect(GString *out, double x, double w)
{
  g_string_append_printf(out,
                         "<rect class=\"pr\" x=\"%.2f\" y=\"12\" "
                         "width=\"%.2f\" height=\"34\"/>",
                         x, MAX(w, 0.6));
}

/* The dumped runs inside a bar, where they lie in it; runs closer than
 * half a unit are drawn as one, so a bar has at most about twice its
 * width in rectangles however its pages are scattered. */
static void
draw_runs(GString *out, const Bar *b, const GArray *runs)
{
  uint64_t size = b->end - b->start;
  if (size == 0 || runs->len == 0)
    return;
  /* the first run ending after the bar's start */
  guint lo = 0, hi = runs->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(runs, Run, mid).end <= b->start)
      lo = mid + 1;
    else
      hi = mid;
  }
  double scale = b->w / (double)size;
  double cur_x = -1, cur_end = -1;
  for (guint i = lo; i < runs->len; i++) {
    const Run *r = &g_array_index(runs, Run, i);
    if (r->start >= b->end)
      break;
    uint64_t rs = MAX(r->start, b->start), re = MIN(r->end, b->end);
    if (re <= rs)
      continue;
    double x = b->x + (double)(rs - b->start) * scale;
    double e = b->x + (double)(re - b->start) * scale;
    if (cur_x >= 0 && x - cur_end < 0.5) {
      cur_end = MAX(cur_end, e);
      continue;
    }
    if (cur_x >= 0)
      present_rect(out, cur_x, cur_end - cur_x);
    cur_x = x;
    cur_end = e;
  }
  if (cur_x >= 0)
    present_rect(out, cur_x, cur_end - cur_x);
}

static void
draw_bar(GString *out, const CkptResult *t, const CkptHtmlMapPicture *pic,
         const Bar *b, const GArray *runs, guint id)
{
  const CkptValue *kv = cell(t, b->row, pic->kind);
  const char *kind = kv && kv->type == CKPT_T_STR ? kv->v.s : NULL;
  const CkptValue *pv = cell(t, b->row, pic->perms);
  const CkptValue *path = cell(t, b->row, pic->path);
  double frac = b->end > b->start ? (double)MIN(b->present, b->end - b->start) /
                                        (double)(b->end - b->start)
                                  : 0;
  g_string_append_printf(out, "<g class=\"vma k-%s%s%s\"><title>",
                         kind_class(kind), b->exec ? " exec" : "",
                         b->anon ? " anon" : "");
  g_string_append_printf(out,
                         "0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x ",
                         b->start, b->end);
  if (pv)
    ckpt_html_value(out, pv);
  g_string_append_c(out, ' ');
  ckpt_html_text(out, kind ? kind : "?");
  g_string_append(out, ", ");
  size_text(out, b->end - b->start);
  g_string_append(out, " mapped, ");
  size_text(out, b->present);
  g_string_append(out, " present");
  if (path) {
    g_string_append(out, "\n");
    ckpt_html_value(out, path);
  }
  g_string_append(out, "</title>");
  g_string_append_printf(
      out,
      "<rect class=\"bg\" x=\"%.2f\" y=\"12\" width=\"%.2f\" "
      "height=\"34\"/>",
      b->x, b->w);
  if (runs)
    draw_runs(out, b, runs);
  else if (frac > 0)
    g_string_append_printf(out,
                           "<rect class=\"pr\" x=\"%.2f\" y=\"12\" "
                           "width=\"%.2f\" height=\"34\"/>",
                           b->x, MAX(b->w * frac, 0.8));
  if (b->anon)
    g_string_append_printf(out,
                           "<rect x=\"%.2f\" y=\"12\" width=\"%.2f\" "
                           "height=\"34\" fill=\"url(#hatch%u)\"/>",
                           b->x, b->w, id);
  if (b->exec)
    g_string_append_printf(out,
                           "<rect class=\"xm\" x=\"%.2f\" y=\"4\" "
                           "width=\"%.2f\" height=\"6\"/>",
                           b->x, b->w);
  if (b->exec && b->anon)
    g_string_append_printf(out,
                           "<rect class=\"alarm\" x=\"%.2f\" y=\"12\" "
                           "width=\"%.2f\" height=\"34\"/>",
                           b->x, b->w);
  g_string_append(out, "</g>");
}

/* What a bar is called under the strip: its file's name, else its kind. */
static const char *
bar_label(const CkptResult *t, const CkptHtmlMapPicture *pic, const Bar *b)
{
  const CkptValue *path = cell(t, b->row, pic->path);
  if (path && path->type == CKPT_T_STR)
    return base_name(path->v.s);
  const CkptValue *kv = cell(t, b->row, pic->kind);
  return kv && kv->type == CKPT_T_STR ? kv->v.s : "";
}

/* Labels under the strip: one per run of adjacent bars of one name (a
 * library's text, data and bss read as one), where it fits. */
static void
draw_labels(GString *out, const CkptResult *t, const CkptHtmlMapPicture *pic,
            GArray *bars)
{
  for (guint i = 0; i < bars->len;) {
    const Bar *b = &g_array_index(bars, Bar, i);
    const char *text = bar_label(t, pic, b);
    double w = b->w;
    guint j = i + 1;
    for (; j < bars->len; j++) {
      const Bar *c = &g_array_index(bars, Bar, j);
      if (c->gap_before || strcmp(bar_label(t, pic, c), text) != 0)
        break;
      w += c->w;
    }
    size_t room = (size_t)(w / 6.2);
    if (room >= 6 && *text) {
      g_string_append_printf(out, "<text class=\"lbl\" x=\"%.2f\" y=\"60\">",
                             b->x + 1);
      fitted(out, text, room);
      g_string_append(out, "</text>");
    }
    i = j;
  }
}

/* One process's strip. */
static void
draw_strip(GString *out, const CkptResult *t, const CkptHtmlMapPicture *pic,
           GArray *bars, const GArray *runs, guint id)
{
  double weight = 0;
  guint gaps = 0;
  for (guint i = 0; i < bars->len; i++) {
    Bar *b = &g_array_index(bars, Bar, i);
    uint64_t pages = (b->end - b->start) / 4096;
    b->w = 1.0 + (double)g_bit_storage(MAX(pages, 1));
    weight += b->w;
    b->gap_before = i > 0 && b->start != g_array_index(bars, Bar, i - 1).end;
    gaps += b->gap_before;
  }
  /* holes take at most a third of the strip, however many there are */
  double gap_w = gaps ? MIN(GAP_W, MAP_W / 3 / gaps) : GAP_W;
  double unit = (MAP_W - gaps * gap_w) / (weight > 0 ? weight : 1);
  double x = 0;
  g_string_append_printf(
      out,
      "<svg class=\"map\" viewBox=\"0 0 %.0f 82\" width=\"100%%\" "
      "role=\"img\"><defs><pattern id=\"hatch%u\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hl\"/></pattern>"
      "</defs>",
      MAP_W, id);
  double region_x = 0;
  for (guint i = 0; i < bars->len; i++) {
    Bar *b = &g_array_index(bars, Bar, i);
    if (b->gap_before) {
      g_string_append_printf(out,
                             "<path class=\"gap\" d=\"M%.2f 14 l3 6 l-3 6 l3 "
                             "6 l-3 6 l3 6\"/>",
                             x + gap_w / 2 - 1.5);
      x += gap_w;
      region_x = x;
    }
    b->x = x;
    /* a run of adjacent mappings starts: its address, where it fits */
    if ((i == 0 || b->gap_before)) {
      double run_w = 0;
      for (guint j = i; j < bars->len; j++) {
        Bar *c = &g_array_index(bars, Bar, j);
        if (j > i && c->gap_before)
          break;
        run_w += (c->w) * unit;
      }
      if (run_w >= 84)
        g_string_append_printf(out,
                               "<text class=\"addr\" x=\"%.2f\" y=\"76\">"
                               "0x%" G_GINT64_MODIFIER "x</text>",
                               region_x + 1, b->start);
    }
    b->w *= unit;
    draw_bar(out, t, pic, b, runs, id);
    x += b->w;
  }
  draw_labels(out, t, pic, bars);
  g_string_append(out, "</svg>\n");
}

static void
maps_table(GString *out, const CkptResult *t, GArray *bars)
{
  g_string_append(out, "<details><summary>mappings</summary><div "
                       "class=\"scroll\"><table><thead><tr>");
  for (size_t c = 0; t->decl->columns[c].name; c++) {
    g_autofree char *title = ckpt_column_title(&t->decl->columns[c]);
    g_string_append(out, "<th>");
    ckpt_html_text(out, title);
    g_string_append(out, "</th>");
  }
  g_string_append(out, "</tr></thead><tbody>\n");
  for (guint i = 0; i < bars->len; i++) {
    const Bar *b = &g_array_index(bars, Bar, i);
    g_string_append_printf(out, "<tr%s>",
                           b->exec && b->anon ? " class=\"alarm\"" : "");
    for (size_t c = 0; c < t->n_columns; c++) {
      g_string_append(out, "<td>");
      ckpt_html_value(out, &b->row->values[c]);
      g_string_append(out, "</td>");
    }
    g_string_append(out, "</tr>\n");
  }
  g_string_append(out, "</tbody></table></div></details>\n");
}

/* The name of a group (a pid) from the names table. */
static void
group_name(GString *out, const CkptHtmlMapPicture *pic, const CkptRowStore *st,
           uint64_t group)
{
  const CkptResult *names =
      pic->names ? ckpt_row_store_spec(st, pic->names) : NULL;
  for (guint i = 0; names && i < names->rows->len; i++) {
    const CkptRow *r = &g_array_index(names->rows, CkptRow, i);
    const CkptValue *n = cell(names, r, pic->name);
    if (ckpt_html_u64(names, r, pic->group) == group && n) {
      g_string_append_c(out, ' ');
      ckpt_html_value(out, n);
      return;
    }
  }
}

static int
cmp_run(const void *a, const void *b)
{
  const Run *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

void
ckpt_html_maps(GString *out, const CkptHtmlMapPicture *pic,
               const CkptRowStore *st, guint doc_index)
{
  const CkptResult *t = ckpt_row_store_spec(st, pic->table);
  const CkptResult *rt = pic->runs ? ckpt_row_store_spec(st, pic->runs) : NULL;
  if (t == NULL || t->rows->len == 0) {
    g_string_append(out, "<p class=\"none\">no memory mappings</p>\n");
    return;
  }
  g_string_append(out,
                  "<p class=\"legend\"><span class=\"sw k-file\"></span>file "
                  "<span class=\"sw k-anon\"></span>anonymous "
                  "<span class=\"sw k-heap\"></span>heap "
                  "<span class=\"sw k-stack\"></span>stack "
                  "<span class=\"sw k-memfd\"></span>memfd/shared "
                  "<span class=\"sw k-vdso\"></span>vdso/vvar "
                  "<span class=\"sw k-other\"></span>other &#8195; "
                  "<span class=\"sw dim\"></span>not dumped (solid: the dumped "
                  "pages, where they lie) "
                  "<span class=\"sw hatch\"></span>anonymous (hatched) "
                  "<span class=\"sw xmk\"></span>executable "
                  "<span class=\"sw alarmk\"></span>executable and anonymous "
                  "<br>widths grow with the log of the size; "
                  "<span class=\"gapk\">\u2307</span> a hole</p>\n");
  /* groups in order of first appearance */
  g_autoptr(GArray) groups = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  for (guint i = 0; i < t->rows->len; i++) {
    uint64_t g =
        ckpt_html_u64(t, &g_array_index(t->rows, CkptRow, i), pic->group);
    gboolean seen = FALSE;
    for (guint j = 0; j < groups->len && !seen; j++)
      seen = g_array_index(groups, uint64_t, j) == g;
    if (!seen)
      g_array_append_val(groups, g);
  }
  for (guint gi = 0; gi < groups->len; gi++) {
    uint64_t g = g_array_index(groups, uint64_t, gi);
    g_autoptr(GArray) bars = g_array_new(FALSE, TRUE, sizeof(Bar));
    uint64_t mapped = 0, present = 0;
    guint n_exec = 0, n_alarm = 0;
    for (guint i = 0; i < t->rows->len; i++) {
      const CkptRow *r = &g_array_index(t->rows, CkptRow, i);
      if (ckpt_html_u64(t, r, pic->group) != g)
        continue;
      Bar b = {.row = r,
               .start = ckpt_html_u64(t, r, pic->start),
               .end = ckpt_html_u64(t, r, pic->end),
               .present = ckpt_html_u64(t, r, pic->present)};
      if (b.end < b.start)
        b.end = b.start;
      const CkptValue *pv = cell(t, r, pic->perms);
      b.exec = pv && pv->type == CKPT_T_STR && strchr(pv->v.s, 'x');
      const CkptValue *kv = cell(t, r, pic->kind);
      b.anon = cell(t, r, pic->path) == NULL &&
               !(kv && kv->type == CKPT_T_STR &&
                 ckpt_html_listed(pic->kernel, kv->v.s));
      mapped += b.end - b.start;
      present += b.present;
      n_exec += b.exec;
      n_alarm += b.exec && b.anon;
      g_array_append_val(bars, b);
    }
    g_string_append_printf(
        out,
        "<div class=\"proc-map\" id=\"c%u-map-%" G_GUINT64_FORMAT
        "\"><h3>pid %" G_GUINT64_FORMAT,
        doc_index, g, g);
    group_name(out, pic, st, g);
    g_string_append_printf(out, "</h3><p class=\"sub\">%u mappings, ",
                           bars->len);
    size_text(out, mapped);
    g_string_append(out, " mapped, ");
    size_text(out, present);
    g_string_append_printf(out, " dumped, %u executable", n_exec);
    if (n_alarm)
      g_string_append_printf(out,
                             ", <strong class=\"bad\">%u executable "
                             "and anonymous</strong>",
                             n_alarm);
    g_string_append(out, "</p>\n");
    /* where the dumped pages lie, when the chain says (else each bar
     * shows how much of it was dumped) */
    g_autoptr(GArray) runs = NULL;
    if (rt) {
      runs = g_array_new(FALSE, FALSE, sizeof(Run));
      for (guint i = 0; i < rt->rows->len; i++) {
        const CkptRow *r = &g_array_index(rt->rows, CkptRow, i);
        if (ckpt_html_u64(rt, r, pic->runs_group) != g)
          continue;
        Run run = {ckpt_html_u64(rt, r, pic->runs_start),
                   ckpt_html_u64(rt, r, pic->runs_end)};
        if (run.end > run.start)
          g_array_append_val(runs, run);
      }
      g_array_sort(runs, cmp_run);
    }
    draw_strip(out, t, pic, bars, runs, doc_index * 100000u + gi);
    maps_table(out, t, bars);
    g_string_append(out, "</div>\n");
  }
}

/* ---- the timeline --------------------------------------------------------
 */

typedef struct {
  int64_t t;
  guint order;
  const char *kind;
  char *what; /* escaped text (ckpt_text_escape), not yet HTML */
} Event;

static int
cmp_event(const void *a, const void *b)
{
  const Event *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void
event_clear(gpointer p)
{
  g_free(((Event *)p)->what);
}

/* The ISO 8601 time a text starts with ("2026-01-02T03:04:05Z ..."). */
static gboolean
leading_time(const char *s, int64_t *out)
{
  if (s == NULL || strlen(s) < 20 || s[19] != 'Z')
    return FALSE;
  g_autofree char *head = g_strndup(s, 20);
  GDateTime *dt = g_date_time_new_from_iso8601(head, NULL);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return TRUE;
}

/* The time a text cell starts with is the event's column already: take
 * it, and the spaces after it, out of the event's text. */
static void
strip_time(char *what, const char *cell_text)
{
  char stamp[21];
  memcpy(stamp, cell_text, 20);
  stamp[20] = '\0';
  char *at = strstr(what, stamp);
  if (at == NULL)
    return;
  char *rest = at + 20;
  while (*rest == ' ')
    rest++;
  memmove(at, rest, strlen(rest) + 1);
}

void
ckpt_html_timeline(GString *out, const CkptHtmlTimeSource *src,
                   const CkptRowStore *st, guint doc_index, guint max_events)
{
  g_autoptr(GArray) ev = g_array_new(FALSE, TRUE, sizeof(Event));
  g_array_set_clear_func(ev, event_clear);
  guint left_out = 0, order = 0;
  /* sources in priority order: the container's own times first, then
   * what there may be many of */
  for (const CkptHtmlTimeSource *s = src; s->table; s++) {
    const CkptResult *t = ckpt_row_store_spec(st, s->table);
    for (guint i = 0; t && i < t->rows->len; i++) {
      const CkptRow *r = &g_array_index(t->rows, CkptRow, i);
      if (s->where) {
        const CkptValue *w = cell(t, r, s->where);
        if (!w || w->type != CKPT_T_STR || g_strcmp0(w->v.s, s->equals))
          continue;
      }
      const CkptValue *v = cell(t, r, s->time);
      int64_t when = 0;
      if (v == NULL)
        continue;
      if (s->text_time) {
        if (v->type != CKPT_T_STR || !leading_time(v->v.s, &when))
          continue;
      } else if (v->type == CKPT_T_TIME) {
        when = v->v.i;
      } else {
        continue;
      }
      if (ev->len >= max_events) {
        left_out++;
        continue;
      }
      Event e = {when, order++, s->kind,
                 ckpt_template_text(s->what, t, r, TRUE)};
      if (s->text_time)
        strip_time(e.what, v->v.s);
      g_array_append_val(ev, e);
    }
  }
  if (ev->len == 0) {
    g_string_append(out, "<p class=\"none\">nothing with a time</p>\n");
    return;
  }
  g_array_sort(ev, cmp_event);
  int64_t lo = g_array_index(ev, Event, 0).t;
  int64_t hi = g_array_index(ev, Event, ev->len - 1).t;
  /* the axis: a dot per event */
  g_string_append(out, "<svg class=\"tl\" viewBox=\"0 0 1000 40\" "
                       "width=\"100%\" role=\"img\"><line x1=\"10\" "
                       "y1=\"20\" x2=\"990\" y2=\"20\" class=\"axis\"/>");
  for (guint i = 0; i < ev->len; i++) {
    const Event *e = &g_array_index(ev, Event, i);
    double x =
        hi > lo ? 10 + 980.0 * (double)(e->t - lo) / (double)(hi - lo) : 500;
    g_autofree char *when = ckpt_format_time(e->t, TRUE);
    g_string_append_printf(out,
                           "<circle class=\"ev-%s\" cx=\"%.2f\" cy=\"20\" "
                           "r=\"5\"><title>",
                           e->kind, x);
    g_string_append(out, when);
    g_string_append_c(out, ' ');
    ckpt_html_special(out, e->what);
    g_string_append(out, "</title></circle>");
  }
  g_autofree char *lo_s = ckpt_format_time(lo, TRUE);
  g_autofree char *hi_s = ckpt_format_time(hi, TRUE);
  g_string_append_printf(out,
                         "<text class=\"addr\" x=\"10\" y=\"38\">%s</text>"
                         "<text class=\"addr\" x=\"990\" y=\"38\" "
                         "text-anchor=\"end\">%s</text></svg>\n",
                         lo_s, hi_s);
  g_string_append_printf(out,
                         "<table class=\"timeline\" id=\"c%u-timeline\">"
                         "<thead><tr><th>TIME (UTC)</th><th>WHAT</th>"
                         "<th>EVENT</th></tr></thead><tbody>\n",
                         doc_index);
  for (guint i = 0; i < ev->len; i++) {
    const Event *e = &g_array_index(ev, Event, i);
    g_autofree char *when = ckpt_format_time(e->t, TRUE);
    g_string_append_printf(out,
                           "<tr class=\"ev\"><td class=\"when\">%s</td>"
                           "<td><span class=\"tag ev-%s\">%s</span></td><td>",
                           when, e->kind, e->kind);
    ckpt_html_special(out, e->what);
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody></table>\n");
  if (left_out)
    g_string_append_printf(
        out, "<p class=\"none\">%u more events left out</p>\n", left_out);
}

/* test-html.c - the HTML format (core/render/html.c, html-pictures.c) on
 * synthetic rows shaped as the plugins' tables: markup in every kind of
 * cell is text, the memory map stays inside its picture whatever the
 * addresses, the timeline is in time order, and a streamed page is the
 * same bytes as a kept one. */
#include <string.h>

#include "host/results.h"
#include "render/render.h"

static const CkptColumn maps_cols[] = {{"pid", CKPT_T_UINT, "PID"},
                                       {"start", CKPT_T_ADDR, "START"},
                                       {"end", CKPT_T_ADDR, "END"},
                                       {"perms", CKPT_T_STR, "PERMS"},
                                       {"vma", CKPT_T_STR, "VMA"},
                                       {"size", CKPT_T_SIZE, "SIZE"},
                                       {"present", CKPT_T_SIZE, "PRESENT"},
                                       {"path", CKPT_T_STR, "PATH"},
                                       {NULL}};
static const CkptTable memory_tables[] = {
    {"maps", "Memory mappings", CKPT_LAYOUT_TABLE, maps_cols}, {NULL}};
static const CkptPlugin memory = {.name = "memory", .tables = memory_tables};

static const CkptColumn run_cols[] = {{"pid", CKPT_T_UINT, "PID"},
                                      {"start", CKPT_T_ADDR, "START"},
                                      {"end", CKPT_T_ADDR, "END"},
                                      {NULL}};
static const CkptTable pages_tables[] = {
    {"runs", "Dumped page runs", CKPT_LAYOUT_TABLE, run_cols}, {NULL}};
static const CkptPlugin pages = {.name = "pages", .tables = pages_tables};

static const CkptColumn finding_cols[] = {CKPT_FINDING_COLUMNS, {NULL}};
static const CkptColumn verdict_cols[] = {
    {"verdict", CKPT_T_STR, "VERDICT"}, {"findings", CKPT_T_UINT, "N"}, {NULL}};
static const CkptTable triage_tables[] = {
    {"verdict", "Verdict", CKPT_LAYOUT_TABLE, verdict_cols},
    {"findings", "Findings", CKPT_LAYOUT_TABLE, finding_cols},
    {NULL}};
static const CkptPlugin triage = {.name = "triage", .tables = triage_tables};

static const CkptColumn info_cols[] = {{"name", CKPT_T_STR, "Name"},
                                       {"created", CKPT_T_TIME, "Created"},
                                       {"checkpointed", CKPT_T_TIME, "At"},
                                       {NULL}};
static const CkptTable container_tables[] = {
    {"info", "Container", CKPT_LAYOUT_RECORD, info_cols}, {NULL}};
static const CkptPlugin container = {.name = "container",
                                     .tables = container_tables};

static const char *const evil[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "</style><b>",
    "'><svg onload=alert(3)>",
    "a&b\x1b[2J\xff",
};

/* Adds the rows; with a sink attached they stream. */
static void
fill(CkptReport *r)
{
  r->opened = TRUE;
  CkptPluginResult *c = ckpt_report_add_plugin(r, &container);
  CkptValue info[] = {CKPT_STR(evil[0]), CKPT_TIME(1764622400),
                      CKPT_TIME(1764622500)};
  ckpt_report_add_row(r, c, 0, 0, info);
  c->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, c);

  CkptPluginResult *m = ckpt_report_add_plugin(r, &memory);
  /* adjacent, a hole, a huge one, one whose end is before its start, the
   * top of the address space */
  static const uint64_t ranges[][2] = {
      {0x400000, 0x401000},
      {0x401000, 0x500000},
      {0x7f0000000000, 0x7f0000001000},
      {0x1000, 0x7fffffffffff},
      {0x9000, 0x8000},
      {0xffffffffff600000, 0xffffffffff601000}};
  for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
    CkptValue v[] = {CKPT_UINT(7),
                     CKPT_ADDR(ranges[i][0]),
                     CKPT_ADDR(ranges[i][1]),
                     CKPT_STR(i % 2 ? "rwxp" : "r--p"),
                     CKPT_STR(i == 1 ? evil[3] : "anon"),
                     CKPT_SIZE(ranges[i][1] - ranges[i][0]),
                     CKPT_SIZE(UINT64_MAX),
                     i % 3 ? CKPT_NULL : CKPT_STR(evil[i % 5])};
    ckpt_report_add_row(r, m, 0, 0, v);
  }
  /* a process of many holes: they cannot take the whole strip */
  for (uint64_t i = 0; i < 400; i++) {
    CkptValue v[] = {CKPT_UINT(8),
                     CKPT_ADDR(0x10000 + i * 0x10000),
                     CKPT_ADDR(0x11000 + i * 0x10000),
                     CKPT_STR("r--p"),
                     CKPT_STR("file"),
                     CKPT_SIZE(0x1000),
                     CKPT_SIZE(0),
                     CKPT_STR("/lib/x.so")};
    ckpt_report_add_row(r, m, 0, 0, v);
  }
  m->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, m);

  /* where pid 7's pages lie: in the middle of its second mapping only */
  CkptPluginResult *pg = ckpt_report_add_plugin(r, &pages);
  CkptValue run[] = {CKPT_UINT(7), CKPT_ADDR(0x480000), CKPT_ADDR(0x490000)};
  ckpt_report_add_row(r, pg, 0, 0, run);
  pg->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, pg);

  CkptPluginResult *t = ckpt_report_add_plugin(r, &triage);
  CkptValue verdict[] = {CKPT_STR("compromised"), CKPT_UINT(2)};
  ckpt_report_add_row(r, t, 0, 0, verdict);
  const char *sev[] = {"high", evil[1]};
  const char *ev[] = {"2025-12-01T20:54:00Z  echo <script>x</script>", evil[2]};
  for (size_t i = 0; i < 2; i++) {
    CkptValue f[] = {CKPT_STR(i ? evil[4] : "shell-history"),
                     CKPT_STR(sev[i]),
                     CKPT_STR(evil[1]),
                     CKPT_UINT(7),
                     CKPT_UINT(7),
                     CKPT_INT(-1),
                     CKPT_ADDR(0),
                     CKPT_STR(evil[3]),
                     CKPT_STR(ev[i]),
                     CKPT_STR(evil[0]),
                     CKPT_STR(evil[2]),
                     CKPT_STR(evil[4])};
    ckpt_report_add_row(r, t, 1, 0, f);
  }
  t->outcome = CKPT_PLUGIN_RAN_WARN;
  g_ptr_array_add(t->messages, g_strdup(evil[1]));
  ckpt_report_plugin_done(r, t);
}

static GPtrArray *
kept(void)
{
  GPtrArray *a =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new(evil[1]);
  fill(r);
  g_ptr_array_add(a, r);
  return a;
}

static const CkptRenderOptions html = {.format = CKPT_RENDER_HTML};

static void
test_escaped(void)
{
  g_autoptr(GPtrArray) reps = kept();
  g_autofree char *page = ckpt_render_to_string(reps, &html);
  g_assert_nonnull(strstr(page, "default-src 'none'; style-src "
                                "'unsafe-inline'"));
  g_assert_null(strstr(page, "<script"));
  g_assert_null(strstr(page, "<img"));
  g_assert_null(strstr(page, "</style><b>"));
  g_assert_nonnull(strstr(page, "&lt;/style&gt;&lt;b&gt;"));
  g_assert_null(strstr(page, "<svg onload"));
  g_assert_null(strstr(page, "onerror=alert(2)\""));
  /* one style element: the page's own */
  const char *style = strstr(page, "</style>");
  g_assert_nonnull(style);
  g_assert_null(strstr(style + 1, "</style>"));
  g_assert_nonnull(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_nonnull(strstr(page, "&quot;&gt;&lt;img src=x"));
  g_assert_nonnull(strstr(page, "&#39;&gt;&lt;svg onload"));
  /* control bytes and bad UTF-8 as the text formats show them */
  g_assert_nonnull(strstr(page, "a&amp;b\\x1b[2J\\xff"));
  g_assert_null(strchr(page, '\x1b'));
  /* a severity that is not one is no class */
  g_assert_null(strstr(page, "class=\"badge \""));
  g_assert_nonnull(strstr(page, "<span class=\"badge high\">"));
}

/* every bar's x and width inside the 1000 units of the picture */
static void
test_map_inside(void)
{
  g_autoptr(GPtrArray) reps = kept();
  g_autofree char *page = ckpt_render_to_string(reps, &html);
  int bars = 0;
  for (const char *p = strstr(page, "<rect class=\"bg\" x=\""); p;
       p = strstr(p + 1, "<rect class=\"bg\" x=\"")) {
    double x = g_ascii_strtod(p + strlen("<rect class=\"bg\" x=\""), NULL);
    const char *w = strstr(p, "width=\"");
    double width = g_ascii_strtod(w + 7, NULL);
    g_assert_cmpfloat(x, >=, 0);
    g_assert_cmpfloat(width, >, 0);
    g_assert_cmpfloat(x + width, <=, 1000.05);
    bars++;
  }
  g_assert_cmpint(bars, ==, 6 + 400);
  /* the rwx anonymous ones are marked as such */
  g_assert_nonnull(strstr(page, "<g class=\"vma k-other exec anon\">"));
}

static double
attr(const char *p, const char *name)
{
  const char *a = strstr(p, name);
  g_assert_nonnull(a);
  return g_ascii_strtod(a + strlen(name), NULL);
}

/* the dumped run is drawn where it lies in its mapping, and pid 7's other
 * mappings, which have no run, show nothing dumped */
static void
test_runs_placed(void)
{
  g_autoptr(GPtrArray) reps = kept();
  g_autofree char *page = ckpt_render_to_string(reps, &html);
  const char *map = strstr(page, "id=\"c0-map-7\"");
  const char *end = strstr(page, "id=\"c0-map-8\"");
  g_assert_nonnull(map);
  g_assert_nonnull(end);
  int n = 0;
  for (const char *p = strstr(map, "<rect class=\"pr\""); p && p < end;
       p = strstr(p + 1, "<rect class=\"pr\""))
    n++;
  /* in the second mapping and in the huge one that overlaps it */
  g_assert_cmpint(n, ==, 2);
  const char *g = strstr(map, "<g class=\"vma k-other exec anon\">");
  g_assert_nonnull(g);
  const char *bg = strstr(g, "<rect class=\"bg\"");
  const char *pr = strstr(g, "<rect class=\"pr\"");
  g_assert_true(pr && pr < strstr(g, "</g>"));
  double bx = attr(bg, "x=\""), bw = attr(bg, "width=\"");
  double px = attr(pr, "x=\""), pw = attr(pr, "width=\"");
  /* 0x480000 is half way into 0x401000-0x500000 */
  g_assert_cmpfloat(px, >, bx + bw * 0.4);
  g_assert_cmpfloat(px + pw, <, bx + bw * 0.6);
}

static void
test_timeline_order(void)
{
  g_autoptr(GPtrArray) reps = kept();
  g_autofree char *page = ckpt_render_to_string(reps, &html);
  const char *tl = strstr(page, "<table class=\"timeline\"");
  g_assert_nonnull(tl);
  const char *created = strstr(tl, "container created");
  const char *shell = strstr(tl, "echo &lt;script&gt;x&lt;/script&gt;");
  const char *at = strstr(tl, "checkpointed");
  g_assert_nonnull(created);
  g_assert_nonnull(shell);
  g_assert_nonnull(at);
  /* created 20:53:20, the shell 20:54:00, checkpointed 20:55:00 */
  g_assert_true(created < shell && shell < at);
  /* the shell entry's time is its column, not repeated in its text */
  g_assert_null(strstr(shell - 200 > tl ? shell - 200 : tl,
                       "2025-12-01T20:54:00Z  echo"));
}

static void
test_streamed_same(void)
{
  g_autoptr(GPtrArray) reps = kept();
  g_autofree char *want = ckpt_render_to_string(reps, &html);
  char *got = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&got, &len);
  CkptRenderStream *s = ckpt_render_stream_new(f, &html);
  CkptReport *r = ckpt_report_new(evil[1]);
  ckpt_render_stream_attach(s, r);
  fill(r);
  ckpt_render_stream_report_done(s, r);
  g_assert_true(ckpt_render_stream_finish(s));
  ckpt_render_stream_free(s);
  ckpt_report_free(r);
  fclose(f);
  g_assert_cmpstr(got, ==, want);
  free(got);
}

static void
test_format_name(void)
{
  CkptRenderFormat f = CKPT_RENDER_TREE;
  g_assert_true(ckpt_render_format_parse("html", &f));
  g_assert_cmpint(f, ==, CKPT_RENDER_HTML);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/html/escaped", test_escaped);
  g_test_add_func("/html/map-inside", test_map_inside);
  g_test_add_func("/html/timeline-order", test_timeline_order);
  g_test_add_func("/html/runs-placed", test_runs_placed);
  g_test_add_func("/html/streamed-same", test_streamed_same);
  g_test_add_func("/html/format-name", test_format_name);
  return g_test_run();
}

/* test-stream.c - streaming output (render.h's CkptRenderStream): the same
 * bytes as ckpt_render for every streamable format over the same rows, rows
 * of streamed tables not kept, kept plugins still readable, a grid past the
 * spool threshold, and a million rows emitted with bounded memory (VmHWM,
 * not time). */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "render/render.h"
#include "host/results.h"

static const CkptColumn tree_cols[] = {
    {"name", CKPT_T_STR, "Name"}, {"n", CKPT_T_INT, "N"}, {NULL}};
static const CkptColumn grid_cols[] = {{"addr", CKPT_T_ADDR, "Address"},
                                       {"text", CKPT_T_STR, "Text"},
                                       {"y", CKPT_T_BYTES, "Bytes"},
                                       {"hid", CKPT_T_STR, "Hidden", 0x4u},
                                       {NULL}};
static const CkptColumn rec_cols[] = {
    {"key", CKPT_T_STR, "Key"}, {"value", CKPT_T_STR, "Longer title"}, {NULL}};
static const CkptTable tables[] = {
    {"tree", "A tree", CKPT_LAYOUT_TREE, tree_cols},
    {"grid", "A grid", CKPT_LAYOUT_TABLE, grid_cols},
    {"rec", "Record", CKPT_LAYOUT_RECORD, rec_cols},
    {"empty", "Empty", CKPT_LAYOUT_TABLE, rec_cols},
    {NULL}};
static const CkptPlugin dep_plugin = {.name = "dep", .tables = tables};
static const CkptPlugin big_plugin = {.name = "big", .tables = tables};
static const CkptPlugin late_plugin = {.name = "late", .tables = tables};

/* more rows than the grid keeps in memory before spooling (render.c) */
#define BIG_ROWS 2600

static void
plugin_rows(CkptReport *r, CkptPluginResult *pr, size_t n_grid)
{
  static const unsigned depths[] = {0, 1, 2, 1, 0, 5};
  static const char *const names[] = {"root", "a", "a1", "b", "root2", "d"};
  /* interleaved tables: the later ones come before the first ends */
  for (size_t i = 0; i < n_grid; i++) {
    g_autofree char *text = g_strnfill(i % 97, 'x');
    /* the widest address comes last: widths must cover every row */
    uint64_t addr = i + 1 == n_grid ? UINT64_MAX : 0x1000 + i;
    unsigned char raw[3] = {(unsigned char)i, 0xff, '\n'};
    CkptValue g[] = {CKPT_ADDR(addr), i % 5 ? CKPT_STR(text) : CKPT_STR(NULL),
                     CKPT_BYTES(raw, sizeof raw), CKPT_STR("h")};
    ckpt_report_add_row(r, pr, 1, 0, g);
    if (i < G_N_ELEMENTS(depths)) {
      CkptValue t[] = {CKPT_STR(names[i]), CKPT_INT(i)};
      ckpt_report_add_row(r, pr, 0, depths[i], t);
      CkptValue kv[] = {CKPT_STR("k\x1b"), i % 2 ? CKPT_NULL : CKPT_STR("v")};
      ckpt_report_add_row(r, pr, 2, 0, kv);
    }
  }
}

static void
run_plugin(CkptReport *r, const CkptPlugin *p, CkptPluginOutcome o,
           size_t n_grid)
{
  CkptPluginResult *pr = ckpt_report_add_plugin(r, p);
  plugin_rows(r, pr, n_grid);
  pr->outcome = o;
  if (o != CKPT_PLUGIN_RAN_OK)
    g_ptr_array_add(pr->messages, g_strdup("why \"not\""));
  ckpt_report_plugin_done(r, pr);
}

/* What the chain runner does for three checkpoints: one not opened, one
 * with a kept dependency, a streamed plugin and a failed one, and one
 * more. Without a stream every row is kept. */
static GPtrArray *
scenario(CkptRenderStream *s)
{
  GPtrArray *reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  for (int i = 0; i < 3; i++) {
    CkptReport *r = ckpt_report_new(i == 0 ? "gone.tar" : "c.tar");
    g_ptr_array_add(reports, r);
    if (s)
      ckpt_render_stream_attach(s, r);
    if (i == 0) {
      g_ptr_array_add(r->errors, g_strdup("gone.tar: no such file"));
    } else {
      r->opened = TRUE;
      g_free(r->label);
      r->label = g_strdup_printf("box-%d", i);
      g_ptr_array_add(r->warnings, g_strdup("a warning"));
      if (s)
        ckpt_report_keep(r, "dep");
      run_plugin(r, &dep_plugin, CKPT_PLUGIN_RAN_OK, 7);
      run_plugin(r, &big_plugin, CKPT_PLUGIN_RAN_WARN, BIG_ROWS);
      run_plugin(r, &late_plugin, CKPT_PLUGIN_RAN_FAILED, i);
    }
    if (s)
      ckpt_render_stream_report_done(s, r);
  }
  return reports;
}

static char *
streamed(const CkptRenderOptions *opt, GPtrArray **reports_out)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  g_assert_nonnull(f);
  CkptRenderStream *s = ckpt_render_stream_new(f, opt);
  g_assert_nonnull(s);
  *reports_out = scenario(s);
  g_assert_true(ckpt_render_stream_finish(s));
  ckpt_render_stream_free(s);
  fclose(f);
  return buf;
}

static void
check_identical_opt(const CkptRenderOptions *o)
{
  CkptRenderOptions opt = *o;
  CkptRenderFormat format = opt.format;
  g_autoptr(GPtrArray) kept = scenario(NULL);
  g_autofree char *want = ckpt_render_to_string(kept, &opt);
  g_autoptr(GPtrArray) reps = NULL;
  g_autofree char *got = streamed(&opt, &reps);
  if (strcmp(want, got) != 0) {
    size_t i = 0;
    while (want[i] && want[i] == got[i])
      i++;
    g_error("format %d: streamed output differs at byte %zu of %zu/%zu: "
            "'%.60s' vs '%.60s'",
            format, i, strlen(want), strlen(got), want + i, got + i);
  }
  /* the dependency kept its rows; the big grid was not kept */
  const CkptReport *r = g_ptr_array_index(reps, 1);
  const CkptResult *dep = ckpt_report_table(r, "dep", "grid");
  g_assert_false(dep->streamed);
  g_assert_cmpuint(dep->rows->len, ==, 7);
  const CkptResult *big = ckpt_report_table(r, "big", "grid");
  g_assert_true(big->streamed);
  g_assert_cmpuint(big->rows->len, ==, 0);
  g_assert_cmpuint(big->n_rows, ==, BIG_ROWS);
}

static void
check_identical(CkptRenderFormat format, const char *const *only)
{
  CkptRenderOptions opt = {.format = format, .only = only, .utc = TRUE};
  check_identical_opt(&opt);
}

static void
test_identical_jsonl(void)
{
  check_identical(CKPT_RENDER_JSONL, NULL);
  const char *only[] = {"big.grid", "late", NULL};
  check_identical(CKPT_RENDER_JSONL, only);
}

static void
test_identical_json(void)
{
  check_identical(CKPT_RENDER_JSON, NULL);
  const char *only[] = {"big.rec", "big.grid", "dep.tree", NULL};
  check_identical(CKPT_RENDER_JSON, only);
}

static void
test_identical_table(void)
{
  check_identical(CKPT_RENDER_TABLE, NULL);
  const char *only[] = {"big.grid", NULL};
  check_identical(CKPT_RENDER_TABLE, only);
}

/* Tree and merged tables stream too: the same renderer calls, so the
 * same bytes. */
static void
test_identical_tree(void)
{
  check_identical(CKPT_RENDER_TREE, NULL);
  const char *only[] = {"big.tree", "late", NULL};
  check_identical(CKPT_RENDER_TREE, only);
  /* a nesting joins a streamed plugin's rows to a kept one's: the late
   * tree's rows go under the dependency's nodes of the same name */
  static const char *const fields[] = {"n=Number", NULL};
  const CkptRenderView views[] = {
      {"dep.tree", .fields = fields},
      {"late.tree", .parent = "dep.tree", .key = "name", .parent_key = "name"},
      {"big.rec", .flat = TRUE},
      {"big.grid", .hide = TRUE},
      {NULL}};
  CkptRenderOptions opt = {
      .format = CKPT_RENDER_TREE, .utc = TRUE, .views = views};
  check_identical_opt(&opt);
}

/* checkpointctl's look (inspect's tree and JSON) copies the rows it draws
 * as they come: streamed, the same bytes as kept. */
static void
test_identical_look(void)
{
  static const char *const show[] = {"pstree", "stats", "details", NULL};
  CkptRenderOptions tree = {.format = CKPT_RENDER_TREE,
                            .utc = TRUE,
                            .look = "checkpointctl",
                            .show = show};
  check_identical_opt(&tree);
  CkptRenderOptions json = tree;
  json.format = CKPT_RENDER_JSON;
  check_identical_opt(&json);
}

static void
test_identical_merged(void)
{
  CkptRenderOptions opt = {
      .format = CKPT_RENDER_TABLE, .merge = TRUE, .utc = TRUE};
  g_autoptr(GPtrArray) kept = scenario(NULL);
  g_autofree char *want = ckpt_render_to_string(kept, &opt);
  g_autoptr(GPtrArray) reps = NULL;
  g_autofree char *got = streamed(&opt, &reps);
  g_assert_cmpstr(want, ==, got);
}

/* Unwanted tables of a streamed plugin are counted, never kept. */
static void
test_unwanted_dropped(void)
{
  const char *only[] = {"late", NULL};
  CkptRenderOptions opt = {.format = CKPT_RENDER_JSONL, .only = only};
  g_autoptr(GPtrArray) reps = NULL;
  g_autofree char *out = streamed(&opt, &reps);
  g_assert_null(strstr(out, "\"plugin\":\"big\""));
  const CkptResult *big =
      ckpt_report_table(g_ptr_array_index(reps, 1), "big", "tree");
  g_assert_true(big->streamed);
  g_assert_cmpuint(big->rows->len, ==, 0);
  g_assert_cmpuint(big->n_rows, ==, 6);
}

static long
status_kb(const char *field)
{
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents("/proc/self/status", &text, NULL, NULL));
  const char *p = strstr(text, field);
  g_assert_nonnull(p);
  return strtol(p + strlen(field) + 1, NULL, 10);
}

#define MANY_ROWS 1000000

/* A million rows of ~200 bytes each through the host's row path: kept,
 * they would raise the high-water mark by well over 150 MiB; streamed to
 * /dev/null it must stay within a few MiB. Memory, not time, is asserted.
 * Runs first so no earlier test's peak hides growth. */
static void
test_bounded(void)
{
#if defined(__SANITIZE_ADDRESS__)
  /* ASan keeps freed memory in quarantine, so the high-water mark says
   * nothing about what the renderer holds; the plain build measures it. */
  g_test_skip("memory high-water mark is not meaningful under ASan");
  return;
#endif
  if (g_getenv("CKPT_UNDER_VALGRIND")) {
    g_test_skip("memory high-water mark is valgrind's own under valgrind");
    return;
  }
  FILE *null = fopen("/dev/null", "w");
  g_assert_nonnull(null);
  CkptRenderOptions opt = {.format = CKPT_RENDER_JSONL};
  g_autoptr(CkptRenderStream) s = ckpt_render_stream_new(null, &opt);
  g_autoptr(CkptReport) r = ckpt_report_new("many.tar");
  r->opened = TRUE;
  ckpt_render_stream_attach(s, r);
  long before = status_kb("VmHWM:");
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &big_plugin);
  char text[128];
  memset(text, 'q', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  for (size_t i = 0; i < MANY_ROWS; i++) {
    CkptValue g[] = {CKPT_ADDR(i), CKPT_STR(text), CKPT_BYTES(text, 32),
                     CKPT_STR(text)};
    ckpt_report_add_row(r, pr, 1, 0, g);
  }
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, pr);
  ckpt_render_stream_report_done(s, r);
  g_assert_true(ckpt_render_stream_finish(s));
  long grown = status_kb("VmHWM:") - before;
  g_test_message("VmHWM grew by %ld KiB over %d rows", grown, MANY_ROWS);
  g_assert_cmpuint(pr->tables[1].n_rows, ==, MANY_ROWS);
  g_assert_cmpuint(pr->tables[1].rows->len, ==, 0);
  g_assert_cmpint(grown, <, 16 * 1024);
  fclose(null);
}

/* The control: the same rows kept (no sink) do raise the mark, so the
 * bound above can fail. */
static void
test_bounded_control(void)
{
  g_autoptr(CkptReport) r = ckpt_report_new("many.tar");
  long before = status_kb("VmHWM:");
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &big_plugin);
  char text[128];
  memset(text, 'q', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  for (size_t i = 0; i < MANY_ROWS / 4; i++) {
    CkptValue g[] = {CKPT_ADDR(i), CKPT_STR(text), CKPT_BYTES(text, 32),
                     CKPT_STR(text)};
    ckpt_report_add_row(r, pr, 1, 0, g);
  }
  long grown = status_kb("VmHWM:") - before;
  g_test_message("kept: VmHWM grew by %ld KiB over %d rows", grown,
                 MANY_ROWS / 4);
  g_assert_cmpint(grown, >, 16 * 1024);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/stream/bounded", test_bounded);
  g_test_add_func("/stream/bounded-control", test_bounded_control);
  g_test_add_func("/stream/identical-jsonl", test_identical_jsonl);
  g_test_add_func("/stream/identical-json", test_identical_json);
  g_test_add_func("/stream/identical-table", test_identical_table);
  g_test_add_func("/stream/identical-tree", test_identical_tree);
  g_test_add_func("/stream/identical-merged", test_identical_merged);
  g_test_add_func("/stream/identical-look", test_identical_look);
  g_test_add_func("/stream/unwanted-dropped", test_unwanted_dropped);
  return g_test_run();
}

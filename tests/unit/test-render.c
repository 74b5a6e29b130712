/* test-render.c - renderers and results on synthetic rows: escaping,
 * sizes, times, tree drawing, table alignment, JSON and JSON Lines parsed
 * back with json-glib, and the row checks emit() relies on. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "fixture.h"
#include "util/error.h"
#include "render/render.h"
#include "render/renderer.h"
#include "host/results.h"

static const CkptColumn tree_cols[] = {
    {"name", CKPT_T_STR, "Name"}, {"n", CKPT_T_INT, "N"}, {NULL}};
static const CkptColumn typed_cols[] = {{"s", CKPT_T_STR, "S"},
                                        {"i", CKPT_T_INT, "I"},
                                        {"u", CKPT_T_UINT, "U"},
                                        {"a", CKPT_T_ADDR, "A"},
                                        {"z", CKPT_T_SIZE, "Z"},
                                        {"b", CKPT_T_BOOL, "B"},
                                        {"y", CKPT_T_BYTES, "Y"},
                                        {"t", CKPT_T_TIME, "T"},
                                        {"d", CKPT_T_DOUBLE, "D"},
                                        {"n", CKPT_T_STR, "Missing"},
                                        {NULL}};
static const CkptColumn rec_cols[] = {
    {"key", CKPT_T_STR, "Key"}, {"value", CKPT_T_STR, "Longer title"}, {NULL}};
static const CkptTable tables[] = {
    {"tree", "A tree", CKPT_LAYOUT_TREE, tree_cols},
    {"typed", "Typed", CKPT_LAYOUT_TABLE, typed_cols},
    {"rec", "Record", CKPT_LAYOUT_RECORD, rec_cols},
    {NULL}};
static const CkptPlugin plugin = {.name = "synth", .tables = tables};

static const unsigned char raw[] = {0x00, 0xff, 'A'};

/* depths 0 1 2 1 0 5(clamped to 1) */
static const unsigned depths[] = {0, 1, 2, 1, 0, 5};
static const char *const names[] = {"root", "a", "a1", "b", "root2", "deep"};

static CkptReport *
make_report(const char *path)
{
  CkptReport *r = ckpt_report_new(path);
  r->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &plugin);
  for (size_t i = 0; i < G_N_ELEMENTS(depths); i++) {
    CkptValue v[] = {CKPT_STR(names[i]), CKPT_INT(i)};
    ckpt_report_add_row(r, pr, 0, depths[i], v);
  }
  CkptValue t[] = {CKPT_STR("evil\x1b[2J\xc3"),
                   CKPT_INT(-5),
                   CKPT_UINT(UINT64_MAX),
                   CKPT_ADDR(0x7fff0000),
                   CKPT_SIZE(4718592),
                   CKPT_BOOL(1),
                   CKPT_BYTES(raw, sizeof(raw)),
                   CKPT_TIME(1136214245),
                   CKPT_DOUBLE(0.25),
                   CKPT_NULL};
  ckpt_report_add_row(r, pr, 1, 0, t);
  CkptValue kv[] = {CKPT_STR("k"), CKPT_STR("v")};
  ckpt_report_add_row(r, pr, 2, 0, kv);
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  return r;
}

static GPtrArray *
make_reports(void)
{
  GPtrArray *a =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(a, make_report("one.tar"));
  return a;
}

static void
test_size(void)
{
  static const struct {
    uint64_t n;
    const char *s;
  } cases[] = {
      {0, "0 B"},           {1023, "1023 B"},      {1024, "1.0 KiB"},
      {4718592, "4.5 MiB"}, {310682, "303.4 KiB"}, {UINT64_MAX, "16.0 EiB"}};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *s = ckpt_format_size(cases[i].n);
    g_assert_cmpstr(s, ==, cases[i].s);
  }
}

static void
test_time(void)
{
  g_autofree char *s = ckpt_format_time(1136214245, TRUE);
  g_assert_cmpstr(s, ==, "2006-01-02T15:04:05Z");
  g_autofree char *e = ckpt_format_time(0, TRUE);
  g_assert_cmpstr(e, ==, "1970-01-01T00:00:00Z");
}

static void
test_escape(void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
      {"plain", "plain"},
      {"\x1b[31mred", "\\x1b[31mred"},
      {"a\nb\tc\\", "a\\nb\\tc\\\\"},
      {"bad\xc3", "bad\\xc3"},
      {"csi\xc2\x9b"
       "2J",
       "csi\\u{9b}2J"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"rlo\xe2\x80\xae", "rlo\\u{202e}"},
      {"run\x7fof\\runs\x01", "run\\x7fof\\\\runs\\x01"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GString) s = g_string_new(NULL);
    ckpt_text_escape(s, cases[i].in, -1);
    g_assert_cmpstr(s->str, ==, cases[i].out);
  }
  /* embedded NUL with an explicit length */
  g_autoptr(GString) s = g_string_new(NULL);
  ckpt_text_escape(s, "a\0b", 3);
  g_assert_cmpstr(s->str, ==, "a\\x00b");
}

/* terminal columns: wide CJK and emoji take two, combining marks none,
 * a stray byte one */
static void
test_width(void)
{
  static const struct {
    const char *in;
    size_t width;
  } cases[] = {
      {"", 0},
      {"work", 4},
      {"w\xc3\xb6rk", 4},              /* wörk */
      {"\xe6\x97\xa5\xe6\x9c\xac", 4}, /* 日本 */
      {"\xf0\x9f\x99\x82", 2},         /* an emoji */
      {"e\xcc\x81", 1},                /* e and a combining acute */
      {"bad\xff\xc3", 5},              /* not UTF-8 */
      {"a\x01\x7f\xc3\xa9", 4},        /* controls are one column each */
      {"abcdefghi\xe6\x97\xa5klmnopqrstuvw", 24}, /* wide after 8 */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    g_assert_cmpuint(ckpt_text_width(cases[i].in), ==, cases[i].width);
}

static void
test_tree(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  const char *only[] = {"synth.tree", NULL};
  CkptRenderOptions o = {.format = CKPT_RENDER_TREE, .only = only};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  const char *want = "one.tar\n"
                     "└── A tree\n"
                     "    ├── root  0\n"
                     "    │   ├── a  1\n"
                     "    │   │   └── a1  2\n"
                     "    │   └── b  3\n"
                     "    └── root2  4\n"
                     "        └── deep  5\n";
  g_assert_cmpstr(s, ==, want);
}

static void
test_tree_escapes(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  CkptRenderOptions o = {.format = CKPT_RENDER_TREE, .utc = TRUE};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_assert_null(strchr(s, '\x1b'));
  g_assert_nonnull(strstr(s, "evil\\x1b[2J\\xc3"));
  g_assert_nonnull(strstr(s, "4.5 MiB"));
  g_assert_nonnull(strstr(s, "0x7fff0000"));
  g_assert_nonnull(strstr(s, "2006-01-02T15:04:05Z"));
  g_assert_nonnull(strstr(s, "\\x00\\xffA"));
  /* records are "Title: value" */
  g_assert_nonnull(strstr(s, "Longer title: v"));
}

static void
test_table(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  const char *only[] = {"synth.tree", "synth.rec", NULL};
  CkptRenderOptions o = {.format = CKPT_RENDER_TABLE, .only = only};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  const char *want = "# one.tar\n"
                     "\n## A tree\n"
                     "NAME    N\n"
                     "root    0\n"
                     "  a     1\n"
                     "    a1  2\n"
                     "  b     3\n"
                     "root2   4\n"
                     "  deep  5\n"
                     "\n## Record\n"
                     "Key:           k\n"
                     "Longer title:  v\n";
  g_assert_cmpstr(s, ==, want);
}

static void
test_table_merged(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  g_ptr_array_add(reports, make_report("two.tar"));
  const char *only[] = {"synth.rec", NULL};
  CkptRenderOptions o = {
      .format = CKPT_RENDER_TABLE, .only = only, .merge = TRUE};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  /* one header, one row per checkpoint: records are shown as table rows
   * when merged */
  g_assert_cmpstr(s, ==, "KEY  LONGER TITLE\nk    v\nk    v\n");
}

static void
test_json(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  CkptRenderOptions o = {.format = CKPT_RENDER_JSON};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_autoptr(JsonNode) root = fixture_parse_json(s);
  JsonObject *doc = json_node_get_object(root);
  g_assert_true(json_object_has_member(doc, "ckpt_version"));
  JsonArray *cps = json_object_get_array_member(doc, "checkpoints");
  g_assert_cmpuint(json_array_get_length(cps), ==, 1);
  JsonObject *cp = json_array_get_object_element(cps, 0);
  g_assert_cmpstr(json_object_get_string_member(cp, "path"), ==, "one.tar");
  g_assert_cmpstr(json_object_get_string_member(cp, "status"), ==, "ok");
  JsonObject *pl = json_object_get_object_member(
      json_object_get_object_member(cp, "plugins"), "synth");
  g_assert_cmpstr(json_object_get_string_member(pl, "status"), ==, "ok");
  JsonObject *tabs = json_object_get_object_member(pl, "tables");

  /* tree: two roots; root has children a (with a1) and b */
  JsonArray *tree = json_object_get_array_member(tabs, "tree");
  g_assert_cmpuint(json_array_get_length(tree), ==, 2);
  JsonObject *r0 = json_array_get_object_element(tree, 0);
  g_assert_cmpstr(json_object_get_string_member(r0, "name"), ==, "root");
  JsonArray *kids = json_object_get_array_member(r0, "children");
  g_assert_cmpuint(json_array_get_length(kids), ==, 2);
  JsonObject *a = json_array_get_object_element(kids, 0);
  JsonArray *akids = json_object_get_array_member(a, "children");
  g_assert_cmpuint(json_array_get_length(akids), ==, 1);
  g_assert_cmpstr(json_object_get_string_member(
                      json_array_get_object_element(akids, 0), "name"),
                  ==, "a1");
  g_assert_false(json_object_has_member(json_array_get_object_element(kids, 1),
                                        "children"));
  JsonObject *r1 = json_array_get_object_element(tree, 1);
  JsonArray *r1kids = json_object_get_array_member(r1, "children");
  g_assert_cmpuint(json_array_get_length(r1kids), ==, 1);

  /* typed values */
  JsonObject *t = json_array_get_object_element(
      json_object_get_array_member(tabs, "typed"), 0);
  g_assert_cmpstr(json_object_get_string_member(t, "s"), ==,
                  "evil\x1b[2J\xef\xbf\xbd");
  g_assert_cmpint(json_object_get_int_member(t, "i"), ==, -5);
  g_assert_cmpstr(json_object_get_string_member(t, "a"), ==, "0x7fff0000");
  g_assert_cmpint(json_object_get_int_member(t, "z"), ==, 4718592);
  g_assert_true(json_object_get_boolean_member(t, "b"));
  g_assert_cmpstr(json_object_get_string_member(t, "y"), ==, "AP9B");
  g_assert_cmpstr(json_object_get_string_member(t, "t"), ==,
                  "2006-01-02T15:04:05Z");
  g_assert_cmpfloat(json_object_get_double_member(t, "d"), ==, 0.25);
  g_assert_true(json_object_get_null_member(t, "n"));
  /* UINT64_MAX is written as a number, exactly */
  g_assert_nonnull(strstr(s, "\"u\":18446744073709551615"));
}

static void
test_jsonl(void)
{
  g_autoptr(GPtrArray) reports = make_reports();
  CkptRenderOptions o = {.format = CKPT_RENDER_JSONL};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
  size_t rows = 0, plugins = 0, cps = 0;
  for (size_t i = 0; lines[i] && *lines[i]; i++) {
    g_autoptr(JsonNode) n = fixture_parse_json(lines[i]);
    JsonObject *o2 = json_node_get_object(n);
    const char *type = json_object_get_string_member(o2, "type");
    rows += strcmp(type, "row") == 0;
    plugins += strcmp(type, "plugin") == 0;
    cps += strcmp(type, "checkpoint") == 0;
  }
  g_assert_cmpuint(rows, ==, G_N_ELEMENTS(depths) + 2);
  g_assert_cmpuint(plugins, ==, 1);
  g_assert_cmpuint(cps, ==, 1);
}

static void
test_failed_report(void)
{
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new("gone.tar");
  g_ptr_array_add(r->errors, g_strdup("gone.tar: no such file"));
  g_ptr_array_add(reports, r);
  g_assert_cmpint(ckpt_report_status(r), ==, 1);
  CkptRenderOptions o = {.format = CKPT_RENDER_JSON};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_autoptr(JsonNode) root = fixture_parse_json(s);
  JsonObject *cp = json_array_get_object_element(
      json_object_get_array_member(json_node_get_object(root), "checkpoints"),
      0);
  g_assert_cmpstr(json_object_get_string_member(cp, "status"), ==, "error");
  g_assert_cmpuint(
      json_array_get_length(json_object_get_array_member(cp, "errors")), ==, 1);
}

static void
test_row_check(void)
{
  g_autoptr(GError) error = NULL;
  CkptValue ok[] = {CKPT_STR("x"), CKPT_INT(1)};
  CkptValue null[] = {CKPT_NULL, CKPT_NULL};
  CkptValue wrong[] = {CKPT_INT(1), CKPT_INT(1)};
  CkptValue nodata[] = {CKPT_BYTES(NULL, 4)};
  g_assert_true(ckpt_row_check(&tables[0], 2, ok, 2, &error));
  g_assert_true(ckpt_row_check(&tables[0], 2, null, 2, &error));
  g_assert_false(ckpt_row_check(&tables[0], 2, ok, 1, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN);
  g_assert_nonnull(strstr(error->message, "1 values"));
  g_clear_error(&error);
  g_assert_false(ckpt_row_check(&tables[0], 2, wrong, 2, &error));
  g_assert_nonnull(strstr(error->message, "column name is str, value is int"));
  g_clear_error(&error);
  static const CkptColumn ycol[] = {{"y", CKPT_T_BYTES, NULL}, {NULL}};
  static const CkptTable yt = {"y", "Y", CKPT_LAYOUT_TABLE, ycol};
  g_assert_false(ckpt_row_check(&yt, 1, nodata, 1, &error));
  g_clear_error(&error);
}

/* Column hints: LABEL makes the node's line, DETAIL hangs under it,
 * HIDDEN stays out of text but not out of JSON. */
static void
test_column_flags(void)
{
  static const CkptColumn cols[] = {
      {"pid", CKPT_T_UINT, "PID", CKPT_COL_LABEL},
      {"comm", CKPT_T_STR, "Command", CKPT_COL_LABEL},
      {"env", CKPT_T_STR, "Environment", CKPT_COL_DETAIL},
      {"secret", CKPT_T_STR, "Secret", CKPT_COL_HIDDEN},
      {"uid", CKPT_T_UINT, "UID", 0},
      {NULL}};
  static const CkptTable tabs[] = {
      {"procs", "Processes", CKPT_LAYOUT_TREE, cols}, {NULL}};
  static const CkptPlugin pl = {.name = "flags", .tables = tabs};
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new("f.tar");
  r->opened = TRUE;
  g_ptr_array_add(reports, r);
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &pl);
  CkptValue a[] = {CKPT_UINT(1), CKPT_STR("init"), CKPT_STR("A=1"),
                   CKPT_STR("hunter2"), CKPT_UINT(0)};
  CkptValue b[] = {CKPT_UINT(2), CKPT_STR("sh"), CKPT_NULL, CKPT_STR("hunter2"),
                   CKPT_UINT(0)};
  ckpt_report_add_row(r, pr, 0, 0, a);
  ckpt_report_add_row(r, pr, 0, 1, b);

  CkptRenderOptions o = {.format = CKPT_RENDER_TREE};
  g_autofree char *tree = ckpt_render_to_string(reports, &o);
  g_assert_cmpstr(tree, ==,
                  "f.tar\n"
                  "└── Processes\n"
                  "    └── 1  init\n"
                  "        ├── Environment: A=1\n"
                  "        └── 2  sh\n");
  o.format = CKPT_RENDER_TABLE;
  g_autofree char *table = ckpt_render_to_string(reports, &o);
  g_assert_null(strstr(table, "hunter2"));
  g_assert_null(strstr(table, "SECRET"));
  g_assert_nonnull(strstr(table, "PID  COMMAND  ENVIRONMENT  UID\n"));
  g_assert_nonnull(strstr(table, "  2  sh"));
  o.format = CKPT_RENDER_JSON;
  g_autofree char *json = ckpt_render_to_string(reports, &o);
  g_assert_nonnull(strstr(json, "\"secret\":\"hunter2\""));
}

static void
test_formats(void)
{
  CkptRenderFormat f;
  g_assert_true(ckpt_render_format_parse("jsonl", &f));
  g_assert_cmpint(f, ==, CKPT_RENDER_JSONL);
  g_assert_false(ckpt_render_format_parse("yaml", &f));
  g_assert_false(ckpt_render_format_parse(NULL, &f));
}

/* checkpointctl's JSON look is written by the same value writer as every
 * other JSON document: a size above INT64_MAX is written whole (json-glib
 * used to clamp it to INT64_MAX), a NULL cell is a member left out, and
 * strings are escaped as in ckpt's JSON (a control character as \u00NN,
 * invalid UTF-8 as U+FFFD). */
static void
test_checkpointctl_json(void)
{
  static const CkptColumn sizes_cols[] = {
      {"checkpoint_size", CKPT_T_SIZE, "Checkpoint size"},
      {"memory_pages_size", CKPT_T_SIZE, "Memory pages size"},
      {NULL}};
  static const CkptColumn info_cols[] = {{"image", CKPT_T_STR, "Image"},
                                         {NULL}};
  static const CkptTable ctl_tables[] = {
      {"sizes", "Sizes", CKPT_LAYOUT_RECORD, sizes_cols},
      {"info", "Info", CKPT_LAYOUT_RECORD, info_cols},
      {NULL}};
  static const CkptPlugin container = {.name = "container",
                                       .tables = ctl_tables};
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new("c.tar");
  r->opened = TRUE;
  g_ptr_array_add(reports, r);
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &container);
  CkptValue z[] = {CKPT_SIZE(UINT64_MAX), CKPT_NULL};
  ckpt_report_add_row(r, pr, 0, 0, z);
  CkptValue im[] = {CKPT_STR("a\nb\xff")};
  ckpt_report_add_row(r, pr, 1, 0, im);
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  CkptRenderOptions o = {
      .format = CKPT_RENDER_JSON, .look = "checkpointctl", .utc = TRUE};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_assert_nonnull(strstr(s, "\"total_size\" : 18446744073709551615"));
  g_assert_null(strstr(s, "memory_pages_size"));
  g_assert_nonnull(strstr(s, "\"image\" : \"a\\u000ab\\ufffd\""));
  g_assert_true(g_str_has_prefix(s, "[\n  {\n    \"container_name\" : "));
  g_assert_true(g_str_has_suffix(s, "\n  }\n]\n"));
  /* and it parses */
  g_autoptr(JsonParser) p = json_parser_new();
  g_assert_true(json_parser_load_from_data(p, s, -1, NULL));
  /* no checkpoint: an empty array */
  g_autoptr(GPtrArray) none = g_ptr_array_new();
  g_autofree char *e = ckpt_render_to_string(none, &o);
  g_assert_cmpstr(e, ==, "[]\n");
}

/* A table's declared look (sdk/ckpt/plugin.h, ABI 2.2): label templates
 * and rows nested under another plugin's rows by key, kept and streamed
 * alike; a template's cells are escaped, its broken braces are text. */
static const CkptColumn proc_cols[] = {{"pid", CKPT_T_UINT, "PID"},
                                       {"name", CKPT_T_STR, "Name"},
                                       {"state", CKPT_T_STR, "State"},
                                       {"addr", CKPT_T_STR, "Address"},
                                       {NULL}};
static const CkptColumn fd_cols[] = {{"owner", CKPT_T_UINT, "Owner"},
                                     {"fd", CKPT_T_INT, "FD"},
                                     {"path", CKPT_T_STR, "Path"},
                                     {NULL}};
static const CkptTable proc_tables[] = {
    {"procs", "Processes", CKPT_LAYOUT_TREE, proc_cols,
     .label = "[{pid}]  {name}{?state: ({state})}{!state=Alive:!}"
              "{?addr: {addr/host}}{nope",
     .key = "pid"},
    {NULL}};
static const CkptTable fd_tables[] = {
    {"fds", "Open files", CKPT_LAYOUT_TABLE, fd_cols,
     .label = "{fd}{?path:  {path}}{!path:  -}", .parent = "procs.procs",
     .key = "owner=pid"},
    {NULL}};
static const CkptPlugin procs_plugin = {.name = "procs", .tables = proc_tables};
static const CkptPlugin fds_plugin = {.name = "fds", .tables = fd_tables};

static void
declared_rows(GPtrArray *reports, CkptRenderStream *s)
{
  CkptReport *r = ckpt_report_new("d.tar");
  r->opened = TRUE;
  g_ptr_array_add(reports, r);
  if (s)
    ckpt_render_stream_attach(s, r);
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &procs_plugin);
  CkptValue p1[] = {CKPT_UINT(1), CKPT_STR("init\x1b"), CKPT_STR("Alive"),
                    CKPT_STR("::1")};
  CkptValue p2[] = {CKPT_UINT(2), CKPT_STR("child"), CKPT_NULL,
                    CKPT_STR("10.0.0.1")};
  ckpt_report_add_row(r, pr, 0, 0, p1);
  ckpt_report_add_row(r, pr, 0, 1, p2);
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, pr);
  pr = ckpt_report_add_plugin(r, &fds_plugin);
  CkptValue f1[] = {CKPT_UINT(2), CKPT_INT(0), CKPT_STR("/dev/null")};
  CkptValue f2[] = {CKPT_UINT(1), CKPT_INT(3), CKPT_NULL};
  CkptValue f3[] = {CKPT_UINT(9), CKPT_INT(4), CKPT_STR("/orphan")};
  ckpt_report_add_row(r, pr, 0, 0, f1);
  ckpt_report_add_row(r, pr, 0, 0, f2);
  ckpt_report_add_row(r, pr, 0, 0, f3);
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  ckpt_report_plugin_done(r, pr);
  if (s)
    ckpt_render_stream_report_done(s, r);
}

static void
test_declared_look(void)
{
  CkptRenderOptions o = {.format = CKPT_RENDER_TREE, .utc = TRUE};
  g_autoptr(GPtrArray) kept =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  declared_rows(kept, NULL);
  g_autofree char *want = ckpt_render_to_string(kept, &o);
  g_assert_cmpstr(want, ==,
                  "d.tar\n"
                  "├── Processes\n"
                  "│   └── [1]  init\\x1b (Alive) [::1]{nope\n"
                  "│       ├── Open files\n"
                  "│       │   └── 3  -\n"
                  "│       └── [2]  child! 10.0.0.1{nope\n"
                  "│           └── Open files\n"
                  "│               └── 0  /dev/null\n"
                  "└── Open files\n"
                  "    └── 4  /orphan\n");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CkptRenderStream *s = ckpt_render_stream_new(f, &o);
  g_autoptr(GPtrArray) streamed =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  declared_rows(streamed, s);
  g_assert_true(ckpt_render_stream_finish(s));
  ckpt_render_stream_free(s);
  fclose(f);
  g_assert_cmpstr(buf, ==, want);
  free(buf);
}

/* Fields nest 8 deep; deeper braces, and braces that close nothing, are
 * text. */
static void
test_template_depth(void)
{
  static const CkptTable deep_tables[] = {
      {"deep", "Deep", CKPT_LAYOUT_TABLE, proc_cols,
       .label = "{?pid:{?pid:{?pid:{?pid:{?pid:{?pid:{?pid:{?pid:"
                "{?pid:{name}}}}}}}}}} {?pid:open"},
      {NULL}};
  static const CkptPlugin deep = {.name = "deep", .tables = deep_tables};
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new("d.tar");
  r->opened = TRUE;
  g_ptr_array_add(reports, r);
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &deep);
  CkptValue v[] = {CKPT_UINT(1), CKPT_STR("n"), CKPT_NULL, CKPT_NULL};
  ckpt_report_add_row(r, pr, 0, 0, v);
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  CkptRenderOptions o = {.format = CKPT_RENDER_TREE, .utc = TRUE};
  g_autofree char *s = ckpt_render_to_string(reports, &o);
  g_assert_cmpstr(s, ==, "d.tar\n└── Deep\n    └── {?pid:{name}} {?pid:open\n");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/size", test_size);
  g_test_add_func("/render/time", test_time);
  g_test_add_func("/render/escape", test_escape);
  g_test_add_func("/render/width", test_width);
  g_test_add_func("/render/tree", test_tree);
  g_test_add_func("/render/tree-escapes", test_tree_escapes);
  g_test_add_func("/render/table", test_table);
  g_test_add_func("/render/table-merged", test_table_merged);
  g_test_add_func("/render/json", test_json);
  g_test_add_func("/render/jsonl", test_jsonl);
  g_test_add_func("/render/failed-report", test_failed_report);
  g_test_add_func("/render/row-check", test_row_check);
  g_test_add_func("/render/formats", test_formats);
  g_test_add_func("/render/column-flags", test_column_flags);
  g_test_add_func("/render/checkpointctl-json", test_checkpointctl_json);
  g_test_add_func("/render/declared-look", test_declared_look);
  g_test_add_func("/render/template-depth", test_template_depth);
  return g_test_run();
}

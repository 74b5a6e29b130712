/* test-color.c - core/render/color.c: which cells are painted and how,
 * whether output is coloured (--color modes, NO_COLOR, TERM=dumb, a FILE
 * that is not a terminal), and that painted tables and trees are the
 * plain ones once the escapes are taken out: widths never count them,
 * JSON never gets them, and text from a checkpoint holding ESC is still
 * escaped. */
#include <stdio.h>
#include <string.h>

#include "host/results.h"
#include "render/render.h"
#include "render/renderer.h"

static const CkptColumn cols[] = {{"id", CKPT_T_STR, "ID"},
                                  {"severity", CKPT_T_STR, "Severity"},
                                  {"state", CKPT_T_STR, "State"},
                                  {"note", CKPT_T_STR, "Note"},
                                  {NULL}};
static const CkptTable tables[] = {
    {"findings", "Findings", CKPT_LAYOUT_TABLE, cols},
    {"tree", "Tree", CKPT_LAYOUT_TREE, cols},
    {"rec", "Record", CKPT_LAYOUT_RECORD, cols},
    {NULL}};
static const CkptPlugin plugin = {.name = "synth", .tables = tables};

static GPtrArray *
make_reports(void)
{
  static const char *const rows[][4] = {
      {"a-very-long-id", "critical", "Alive", "high"},
      {"b", "low", "Zombie", "\x1b[31mfake"},
      {"c", "not-a-severity", "LISTEN", "x"}};
  CkptReport *r = ckpt_report_new("one.tar");
  r->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &plugin);
  for (size_t t = 0; t < 3; t++)
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
      CkptValue v[] = {CKPT_STR(rows[i][0]), CKPT_STR(rows[i][1]),
                       CKPT_STR(rows[i][2]), CKPT_STR(rows[i][3])};
      ckpt_report_add_row(r, pr, t, t == 1 ? (unsigned)i : 0, v);
    }
  pr->outcome = CKPT_PLUGIN_RAN_OK;
  GPtrArray *a =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(a, r);
  return a;
}

/* s without SGR sequences (ESC [ digits ; m) */
static char *
strip_sgr(const char *s)
{
  GString *out = g_string_new(NULL);
  while (*s) {
    if (s[0] == '\x1b' && s[1] == '[') {
      const char *p = s + 2;
      while ((*p >= '0' && *p <= '9') || *p == ';')
        p++;
      if (*p == 'm') {
        s = p + 1;
        continue;
      }
    }
    g_string_append_c(out, *s++);
  }
  return g_string_free(out, FALSE);
}

static void
test_color_of(void)
{
  g_assert_cmpstr(ckpt_color_of(&cols[1], "critical"), ==, "1;31");
  g_assert_cmpstr(ckpt_color_of(&cols[1], "HIGH"), ==, "31");
  g_assert_cmpstr(ckpt_color_of(&cols[1], "medium"), ==, "33");
  g_assert_cmpstr(ckpt_color_of(&cols[2], "Alive"), ==, "32");
  g_assert_cmpstr(ckpt_color_of(&cols[2], "Zombie"), ==, "31");
  g_assert_null(ckpt_color_of(&cols[1], "not-a-severity"));
  /* only declared columns: "high" in a note is just text */
  g_assert_null(ckpt_color_of(&cols[3], "high"));
  g_assert_null(ckpt_color_of(&cols[0], "critical"));
  g_assert_null(ckpt_color_of(NULL, "critical"));
  g_assert_null(ckpt_color_of(&cols[1], NULL));
}

static void
test_paint(void)
{
  g_autoptr(GString) s = g_string_new(NULL);
  ckpt_paint(s, TRUE, &cols[1], "high");
  g_assert_cmpstr(s->str, ==, "\x1b[31mhigh\x1b[0m");
  g_string_truncate(s, 0);
  ckpt_paint(s, FALSE, &cols[1], "high");
  g_assert_cmpstr(s->str, ==, "high");
  g_string_truncate(s, 0);
  ckpt_paint(s, TRUE, &cols[3], "high");
  g_assert_cmpstr(s->str, ==, "high");
}

static void
test_modes(void)
{
  FILE *f = tmpfile();
  g_assert_nonnull(f);
  g_unsetenv("NO_COLOR");
  ckpt_render_set_color(CKPT_COLOR_AUTO);
  g_assert_false(ckpt_render_color_for(f)); /* not a terminal */
  g_assert_true(ckpt_render_color_parse("always"));
  g_assert_true(ckpt_render_color_for(f));
  g_setenv("NO_COLOR", "1", TRUE);
  g_assert_true(ckpt_render_color_for(f)); /* asked for: NO_COLOR yields */
  g_assert_true(ckpt_render_color_parse("never"));
  g_assert_false(ckpt_render_color_for(f));
  g_assert_false(ckpt_render_color_parse("sometimes"));
  g_assert_false(ckpt_render_color_parse(NULL));
  g_assert_false(ckpt_render_color_for(f)); /* unchanged by a bad word */
  g_assert_true(ckpt_render_color_parse("auto"));
  g_assert_false(ckpt_render_color_for(f));
  g_assert_false(ckpt_render_color_for(NULL));
  g_unsetenv("NO_COLOR");
  fclose(f);
}

static void
check_format(CkptRenderFormat format)
{
  g_autoptr(GPtrArray) reports = make_reports();
  CkptRenderOptions plain = {.format = format, .utc = TRUE};
  CkptRenderOptions painted = plain;
  painted.color = TRUE;
  ckpt_render_set_color(CKPT_COLOR_AUTO);
  g_autofree char *a = ckpt_render_to_string(reports, &plain);
  g_autofree char *b = ckpt_render_to_string(reports, &painted);
  g_autofree char *stripped = strip_sgr(b);
  if (format == CKPT_RENDER_JSON || format == CKPT_RENDER_JSONL) {
    g_assert_cmpstr(a, ==, b); /* never colour in JSON */
    return;
  }
  g_assert_cmpstr(a, !=, b);
  g_assert_cmpstr(a, ==, stripped);
  g_assert_nonnull(strstr(b, "\x1b[1;31mcritical\x1b[0m"));
  g_assert_nonnull(strstr(b, "\x1b[31mZombie\x1b[0m"));
  /* the checkpoint's ESC is escaped, painted or not */
  g_assert_null(strstr(b, "\x1b[31mfake"));
  g_assert_nonnull(strstr(b, "\\x1b[31mfake"));
  /* "high" in the note column is not painted */
  g_assert_null(strstr(b, "\x1b[31mhigh"));
}

static void
test_table(void)
{
  check_format(CKPT_RENDER_TABLE);
}

static void
test_tree(void)
{
  check_format(CKPT_RENDER_TREE);
}

static void
test_json(void)
{
  check_format(CKPT_RENDER_JSON);
  check_format(CKPT_RENDER_JSONL);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/color/of", test_color_of);
  g_test_add_func("/color/paint", test_paint);
  g_test_add_func("/color/modes", test_modes);
  g_test_add_func("/color/table", test_table);
  g_test_add_func("/color/tree", test_tree);
  g_test_add_func("/color/json", test_json);
  return g_test_run();
}

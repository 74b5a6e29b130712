/* test-isolate.c - the wire form of --isolate (core/host/isolate.c): a round
 * trip of every value type, and every truncation or corruption of a reply
 * refused with an error, never a crash. */
#include <string.h>

#include "util/error.h"
#include "host/isolate.h"

static const CkptColumn cols[] = {
    {"s", CKPT_T_STR, NULL},
    {"i", CKPT_T_INT, NULL},
    {"u", CKPT_T_UINT, NULL},
    {"a", CKPT_T_ADDR, NULL},
    {"z", CKPT_T_SIZE, NULL},
    {"b", CKPT_T_BOOL, NULL},
    {"y", CKPT_T_BYTES, NULL},
    {"t", CKPT_T_TIME, NULL},
    {"d", CKPT_T_DOUBLE, NULL},
    {"n", CKPT_T_STR, NULL},
    {NULL},
};
static const CkptTable tables[] = {
    {"all", "All", CKPT_LAYOUT_TREE, cols},
    {NULL},
};
static const CkptPlugin desc = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "wire",
    .tables = tables,
};

static CkptReport *
sample(void)
{
  CkptReport *r = ckpt_report_new("sample");
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &desc);
  static const guint8 raw[] = {0, 1, 0xff, '\n'};
  CkptValue v[] = {CKPT_STR("caf\xc3\xa9\n"),
                   CKPT_INT(-42),
                   CKPT_UINT(G_MAXUINT64),
                   CKPT_ADDR(0x7fff0000),
                   CKPT_SIZE(4096),
                   CKPT_BOOL(1),
                   CKPT_BYTES(raw, sizeof(raw)),
                   CKPT_TIME(1700000000),
                   CKPT_DOUBLE(2.5),
                   CKPT_NULL};
  ckpt_report_add_row(r, pr, 0, 0, v);
  ckpt_report_add_row(r, pr, 0, 3, v);
  g_ptr_array_add(pr->messages, g_strdup("a message"));
  pr->outcome = CKPT_PLUGIN_RAN_WARN;
  return r;
}

static void
test_round_trip(void)
{
  g_autoptr(CkptReport) r = sample();
  CkptPluginResult *pr = g_ptr_array_index(r->plugins, 0);
  /* the child's model warnings from index 1 on travel; the parent keeps
   * one copy of each */
  g_autoptr(GPtrArray) said = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(said, g_strdup("said before the run"));
  g_ptr_array_add(said, g_strdup("page contents were not kept"));
  g_ptr_array_add(said, g_strdup("bad \xff byte"));
  g_autoptr(GByteArray) wire = ckpt_isolate_encode(pr, said, 1);

  g_autoptr(CkptReport) back = ckpt_report_new("back");
  CkptPluginResult *bp = ckpt_report_add_plugin(back, &desc);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parent = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(parent, g_strdup("page contents were not kept"));
  g_assert_true(
      ckpt_isolate_decode(wire->data, wire->len, bp, back, parent, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(parent->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(parent, 0), ==,
                  "page contents were not kept");
  /* not UTF-8 in the child's reply: made valid */
  g_assert_cmpstr(g_ptr_array_index(parent, 1), ==, "bad \xef\xbf\xbd byte");
  g_assert_cmpint(bp->outcome, ==, CKPT_PLUGIN_RAN_WARN);
  g_assert_cmpuint(bp->messages->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(bp->messages, 0), ==, "a message");
  GArray *rows = bp->tables[0].rows;
  g_assert_cmpuint(rows->len, ==, 2);
  const CkptRow *row = &g_array_index(rows, CkptRow, 1);
  g_assert_cmpuint(row->depth, ==, 3);
  g_assert_cmpstr(row->values[0].v.s, ==, "caf\xc3\xa9\n");
  g_assert_cmpint(row->values[1].v.i, ==, -42);
  g_assert_cmpuint(row->values[2].v.u, ==, G_MAXUINT64);
  g_assert_cmpuint(row->values[3].v.u, ==, 0x7fff0000);
  g_assert_cmpuint(row->values[4].v.u, ==, 4096);
  g_assert_cmpint(row->values[5].v.i, ==, 1);
  g_assert_cmpuint(row->values[6].v.bytes.len, ==, 4);
  g_assert_cmpmem(row->values[6].v.bytes.data, 4, "\0\1\xff\n", 4);
  g_assert_cmpint(row->values[7].v.i, ==, 1700000000);
  g_assert_cmpfloat(row->values[8].v.d, ==, 2.5);
  g_assert_cmpint(row->values[9].type, ==, CKPT_T_NULL);
}

static gboolean
decode(const guint8 *buf, gsize len, GError **error)
{
  g_autoptr(CkptReport) r = ckpt_report_new("x");
  CkptPluginResult *pr = ckpt_report_add_plugin(r, &desc);
  return ckpt_isolate_decode(buf, len, pr, r, NULL, error);
}

static void
test_truncations(void)
{
  g_autoptr(CkptReport) r = sample();
  g_autoptr(GByteArray) wire =
      ckpt_isolate_encode(g_ptr_array_index(r->plugins, 0), NULL, 0);
  /* Every cut is either a record boundary missing its end record or a
   * broken record: all refused. */
  for (gsize n = 0; n < wire->len; n++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(decode(wire->data, n, &error));
    g_assert_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN);
  }
}

static void
test_corruptions(void)
{
  g_autoptr(CkptReport) r = sample();
  g_autoptr(GByteArray) wire =
      ckpt_isolate_encode(g_ptr_array_index(r->plugins, 0), NULL, 0);
  /* Each byte set to each of a few hostile values: no crash, and an
   * accepted reply still has rows of the declared width. */
  static const guint8 evil[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
  g_autofree guint8 *copy = g_memdup2(wire->data, wire->len);
  for (gsize i = 0; i < wire->len; i++)
    for (gsize k = 0; k < G_N_ELEMENTS(evil); k++) {
      memcpy(copy, wire->data, wire->len);
      copy[i] = evil[k];
      g_autoptr(CkptReport) rr = ckpt_report_new("x");
      CkptPluginResult *pr = ckpt_report_add_plugin(rr, &desc);
      g_autoptr(GError) error = NULL;
      if (ckpt_isolate_decode(copy, wire->len, pr, rr, NULL, &error))
        g_assert_cmpuint(pr->tables[0].n_columns, ==, 10);
      else
        g_assert_nonnull(error);
    }
}

static void
test_bad_records(void)
{
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
  /* unknown record kind */
  static const guint8 unknown[] = {'X', 0, 0, 0, 0};
  g_assert_false(decode(unknown, sizeof(unknown), &e1));
  g_assert_nonnull(strstr(e1->message, "unknown record 0x58"));
  /* a row for a table the plugin does not have */
  static const guint8 table[] = {'R', 12, 0, 0, 0, 5, 0, 0, 0,
                                 0,   0,  0, 0, 0, 0, 0, 0};
  g_assert_false(decode(table, sizeof(table), &e2));
  g_assert_nonnull(strstr(e2->message, "does not match"));
  /* a length past the end */
  static const guint8 past[] = {'M', 0xff, 0xff, 0xff, 0x7f, 'a'};
  g_assert_false(decode(past, sizeof(past), &e3));
  g_assert_nonnull(strstr(e3->message, "truncated record"));
  /* an end record with an impossible outcome */
  static const guint8 end[] = {'E', 4, 0, 0, 0, 9, 0, 0, 0};
  g_assert_false(decode(end, sizeof(end), &e4));
  g_assert_nonnull(strstr(e4->message, "bad end record"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/isolate/round-trip", test_round_trip);
  g_test_add_func("/isolate/truncations", test_truncations);
  g_test_add_func("/isolate/corruptions", test_corruptions);
  g_test_add_func("/isolate/bad-records", test_bad_records);
  return g_test_run();
}

/* test-jsonw.c - the one JSON writer (util/jsonw.h, host/results.h's
 * ckpt_json_value): every value type, uint64 above INT64_MAX in full,
 * invalid UTF-8 and control characters, each output parsed back by the
 * project's strict parser (util/json.h). */
#include <json-glib/json-glib.h>
#include <string.h>

#include "host/results.h"
#include "util/json.h"
#include "util/jsonw.h"

static char *
value_json(CkptValue v)
{
  GString *s = g_string_new(NULL);
  ckpt_json_value(s, &v);
  return g_string_free(s, FALSE);
}

static void
test_values(void)
{
  static const uint8_t bytes[] = {0, 1, 2, 0xff};
  struct {
    CkptValue v;
    const char *json;
  } cases[] = {
      {CKPT_UINT(UINT64_MAX), "18446744073709551615"},
      {CKPT_UINT((uint64_t)INT64_MAX + 1), "9223372036854775808"},
      {CKPT_SIZE(UINT64_MAX), "18446744073709551615"},
      {CKPT_INT(INT64_MIN), "-9223372036854775808"},
      {CKPT_ADDR(UINT64_MAX), "\"0xffffffffffffffff\""},
      {CKPT_BOOL(1), "true"},
      {CKPT_NULL, "null"},
      {CKPT_TIME(0), "\"1970-01-01T00:00:00Z\""},
      {CKPT_BYTES(bytes, sizeof bytes), "\"AAEC/w==\""},
      {CKPT_DOUBLE(1.0 / 0.0), "null"},
      {CKPT_STR("a\"b\\c\n\x01\x7f"), "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\""},
      {CKPT_STR("caf\xc3\xa9 \xff!"), "\"caf\xc3\xa9 \\ufffd!\""},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *got = value_json(cases[i].v);
    g_assert_cmpstr(got, ==, cases[i].json);
    /* and it is JSON */
    g_autofree char *doc = g_strdup_printf("[%s]", got);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) n =
        ckpt_json_parse((const uint8_t *)doc, strlen(doc), 4, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(n);
  }
}

static void
test_strings(void)
{
  g_autoptr(GPtrArray) l = g_ptr_array_new();
  g_autoptr(GString) s = g_string_new(NULL);
  ckpt_json_strings(s, l);
  g_assert_cmpstr(s->str, ==, "[]");
  g_ptr_array_add(l, "one");
  g_ptr_array_add(l, "t\two");
  g_string_truncate(s, 0);
  ckpt_json_strings(s, l);
  g_assert_cmpstr(s->str, ==, "[\"one\",\"t\\u0009wo\"]");
  g_string_truncate(s, 0);
  ckpt_json_string(s, "a\0b", 3);
  g_assert_cmpstr(s->str, ==, "\"a\\u0000b\"");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/jsonw/values", test_values);
  g_test_add_func("/jsonw/strings", test_strings);
  return g_test_run();
}

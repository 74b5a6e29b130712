/* test-json.c - core/json.c, the metadata parser: the same trees as
 * json-glib on every fixture's metadata, each extension json-glib's
 * scanner accepts (comments, single quotes, identifiers, hex, octal,
 * a surrogate escape eating a quote)
 * refused even when it hides brackets, the depth bound at and past its
 * value, NULs kept visible, and broken strings and numbers refused with
 * their offset; and the one writer (util/jsonw.c, host/results.c's
 * ckpt_json_value): every value type, uint64 above INT64_MAX in full,
 * invalid UTF-8 and control characters, each output parsed back. */
#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "fixture.h"
#include "host/results.h"
#include "util/jsonw.h"
#include "criu/image.h"
#include "util/json.h"

#define DEPTH 64

static JsonNode *
parse_ok(const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *n =
      ckpt_json_parse((const uint8_t *)text, strlen(text), DEPTH, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(n);
  return n;
}

/* Asserts text is refused with code and a message holding needle. */
static void
parse_bad(const char *text, size_t len, int code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  JsonNode *n =
      ckpt_json_parse((const uint8_t *)text, len, DEPTH, NULL, &error);
  if (n != NULL)
    g_error("accepted: %.*s", (int)MIN(len, 80), text);
  g_assert_error(error, CKPT_ERROR, code);
  if (strstr(error->message, needle) == NULL)
    g_error("\"%s\" lacks \"%s\"", error->message, needle);
}

static void
parse_bad_str(const char *text, const char *needle)
{
  parse_bad(text, strlen(text), CKPT_ERROR_FORMAT, needle);
}

/* ---- json-glib as the oracle on real metadata --------------------------- */

/* Each metadata member of a fixture archive, parsed by both. */
static void
compare_archive(const char *fixture)
{
  g_autofree char *path = fixture_path(fixture);
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  g_assert_cmpint(archive_read_open_filename(a, path, 65536), ==, ARCHIVE_OK);
  struct archive_entry *e;
  int compared = 0;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname(e);
    if (strcmp(name, "config.dump") != 0 && strcmp(name, "spec.dump") != 0 &&
        strcmp(name, "network.status") != 0)
      continue;
    size_t len = (size_t)archive_entry_size(e);
    g_autofree char *buf = g_malloc(len + 1);
    g_assert_cmpint(archive_read_data(a, buf, len), ==, (la_ssize_t)len);
    buf[len] = '\0';
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, buf, (gssize)len, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ours =
        ckpt_json_parse((const uint8_t *)buf, len, DEPTH, NULL, &error);
    g_assert_no_error(error);
    if (!json_node_equal(ours, json_parser_get_root(p)))
      g_error("%s %s: trees differ from json-glib's", fixture, name);
    compared++;
  }
  archive_read_free(a);
  g_assert_cmpint(compared, >=, 2);
}

static void
test_same_as_json_glib(void)
{
  compare_archive("podman-none.tar");
  compare_archive("podman-zstd.tar.zst");
  compare_archive("crio-none.tar");
  compare_archive("containerd-none.tar");
  compare_archive("podman-none-criu3.tar");
}

static void
test_values(void)
{
  g_autoptr(JsonNode) n = parse_ok(
      " {\"i\": -42, \"big\": 18446744073709551616, \"f\": 1.5e3,"
      " \"z\": 0, \"t\": true, \"n\": null, \"s\": \"a\\\"\\\\\\/\\b\\f\\n"
      "\\r\\t\\u00e9\\ud83d\\ude00\", \"a\": [[], {}, [1]], \"i\": 7}\r\n");
  JsonObject *o = json_node_get_object(n);
  /* a repeated key keeps its last value, as json-glib does */
  g_assert_cmpint(json_object_get_int_member(o, "i"), ==, 7);
  JsonNode *big = json_object_get_member(o, "big");
  g_assert_cmpint(json_node_get_value_type(big), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat(json_object_get_double_member(o, "f"), ==, 1500.0);
  g_assert_cmpint(json_node_get_value_type(json_object_get_member(o, "z")), ==,
                  G_TYPE_INT64);
  g_assert_true(json_object_get_boolean_member(o, "t"));
  g_assert_true(json_object_get_null_member(o, "n"));
  g_assert_cmpstr(json_object_get_string_member(o, "s"), ==,
                  "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "a")),
                   ==, 3);
}

/* ---- what json-glib's scanner takes and JSON does not --------------------
 *
 * json-glib 1.6 (json-scanner.c, its copy of GScanner) skips from a '/'
 * to the end of the line (// and one-line C comments), reads
 * 'single-quoted' strings without escapes, octal escapes in double-quoted
 * ones, bare identifiers, 0x hex, $hex, 0b binary and leading-zero octal
 * numbers, and after a lone high surrogate escape eats the next character,
 * a closing quote included. A depth pre-scan that does not tokenise like
 * that is fooled by a quote inside any of them; this parser refuses them
 * all, so nothing can hide a bracket from the depth bound. ('#', GScanner's
 * default comment, is not json-glib's; refused all the same.) */
static void
test_extensions_refused(void)
{
  parse_bad_str("/* \" */ [[[]]]", "offset 0: expected a value");
  parse_bad_str("[1 /* \" */, 2]", "offset 3: expected ',' or ']'");
  parse_bad_str("// \"\n[[[]]]", "offset 0: expected a value");
  parse_bad_str("[1, // '\n 2]", "offset 4: expected a value");
  parse_bad_str("# \"\n[]", "offset 0: expected a value");
  parse_bad_str("['\"', [[[]]]]", "offset 1: expected a value");
  parse_bad_str("{'a': 1}", "offset 1: expected a member name");
  parse_bad_str("{a: 1}", "offset 1: expected a member name");
  parse_bad_str("[abc]", "offset 1: expected a value");
  parse_bad_str("[0x1f]", "offset 2: expected ',' or ']'");
  parse_bad_str("[$1f]", "offset 1: expected a value");
  parse_bad_str("[0b1]", "offset 2: expected ',' or ']'");
  parse_bad_str("[017]", "offset 2: expected ',' or ']'");
  parse_bad_str("[+1]", "offset 1: expected a value");
  parse_bad_str("[.5]", "offset 1: expected a value");
  parse_bad_str("[1.]", "offset 3: expected a digit after the decimal");
  parse_bad_str("[1e]", "offset 3: expected a digit in the exponent");
  parse_bad_str("[\"\\101\"]", "offset 3: unknown escape");
  parse_bad_str("[\"\\x41\"]", "offset 3: unknown escape");
  parse_bad_str("[1,]", "offset 3: expected a value");
  parse_bad_str("{\"a\":1,}", "offset 7: expected a member name");
  parse_bad_str("[tru]", "offset 1: expected a value");
  parse_bad_str("[] []", "offset 3: text after the end of the value");
  parse_bad_str("", "offset 0: expected a value, found the end of the text");
  parse_bad_str("{\"a\" 1}", "offset 5: expected ':' after a member name");
}

/* ---- strings ----------------------------------------------------------- */

static void
test_bad_strings(void)
{
  parse_bad_str("[\"abc", "offset 5: unterminated string");
  parse_bad_str("[\"a\\", "offset 4: unterminated escape");
  parse_bad_str("[\"a\nb\"]", "offset 3: control character in a string");
  parse_bad_str("[\"\xff\"]", "offset 2: invalid UTF-8 in a string");
  parse_bad_str("[\"\xc3\"]", "offset 2: invalid UTF-8 in a string");
  parse_bad_str("[\"\\u12g4\"]", "offset 4: expected four hex digits");
  parse_bad_str("[\"\\u12\"]", "offset 4: expected four hex digits");
  /* json-glib eats the closing quote after a lone high surrogate */
  parse_bad_str("[\"\\ud800\"]", "offset 8: high surrogate without");
  parse_bad_str("[\"\\ud800\\u0041\"]", "offset 8: high surrogate without");
  parse_bad_str("[\"\\udc00\"]", "offset 2: low surrogate without");
  /* a raw NUL is no JSON, inside or outside a string */
  parse_bad("[\"a\0b\"]", 7, CKPT_ERROR_FORMAT,
            "offset 3: control character in a string");
  parse_bad("[1]\0", 4, CKPT_ERROR_FORMAT, "offset 3: text after the end");
}

static void
test_nul_kept(void)
{
  const char *text = "{\"process\": {\"env\": [\"A=1\", \"PATH=/bin\\u0000"
                     "/evil\"]}, \"x\\u0000y\": \"\\u0000\"}";
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  g_autoptr(JsonNode) n = ckpt_json_parse((const uint8_t *)text, strlen(text),
                                          DEPTH, &where, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(where, ==, "process.env[1]");
  JsonObject *o = json_node_get_object(n);
  JsonArray *env = json_object_get_array_member(
      json_object_get_object_member(o, "process"), "env");
  g_assert_cmpstr(json_array_get_string_element(env, 1), ==,
                  "PATH=/bin\\u0000/evil");
  g_assert_cmpstr(json_object_get_string_member(o, "x\\u0000y"), ==, "\\u0000");

  g_clear_pointer(&where, g_free);
  const char *key = "{\"a\": {\"k\\u0000\": 1}}";
  g_autoptr(JsonNode) n2 =
      ckpt_json_parse((const uint8_t *)key, strlen(key), DEPTH, &where, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(where, ==, "a.k\\u0000 (a member name)");

  g_clear_pointer(&where, g_free);
  g_autoptr(JsonNode) n3 =
      ckpt_json_parse((const uint8_t *)"\"\\u0000\"", 8, DEPTH, &where, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(where, ==, "(the whole text)");
}

/* ---- depth --------------------------------------------------------------- */

/* n levels of alternating arrays and objects around a 1. */
static GString *
nested(unsigned n, gboolean close)
{
  GString *s = g_string_new(NULL);
  for (unsigned i = 0; i < n; i++)
    g_string_append(s, i % 2 ? "{\"k\":" : "[");
  g_string_append_c(s, '1');
  for (unsigned i = n; close && i-- > 0;)
    g_string_append_c(s, i % 2 ? '}' : ']');
  return s;
}

static void
test_depth(void)
{
  g_autoptr(GString) at = nested(DEPTH, TRUE);
  g_autoptr(JsonNode) n = parse_ok(at->str);
  g_assert_true(JSON_NODE_HOLDS_ARRAY(n));

  g_autoptr(GString) over = nested(DEPTH + 1, TRUE);
  parse_bad(over->str, over->len, CKPT_ERROR_LIMIT,
            "JSON nested deeper than 64 levels at offset");

  /* a million levels: refused at level 65, no stack spent on it */
  g_autoptr(GString) deep = nested(1000000, FALSE);
  parse_bad(deep->str, deep->len, CKPT_ERROR_LIMIT,
            "JSON nested deeper than 64 levels");

  /* brackets in strings do not count, and closing ones do not uncount */
  g_autoptr(GString) s = g_string_new("[\"]]]]]]]]\", ");
  g_autoptr(GString) inner = nested(DEPTH, TRUE);
  g_string_append_len(s, inner->str, inner->len);
  g_string_append_c(s, ']');
  parse_bad(s->str, s->len, CKPT_ERROR_LIMIT, "nested deeper than 64");
  g_autoptr(GString) quoted = g_string_new("[\"");
  for (int i = 0; i < 1000; i++)
    g_string_append(quoted, "[{\\\"");
  g_string_append(quoted, "\"]");
  g_autoptr(JsonNode) q = parse_ok(quoted->str);
}

/* Lowering the bound lowers it: depth 1 takes [] and refuses [[]]. */
static void
test_depth_param(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) n =
      ckpt_json_parse((const uint8_t *)"[1]", 3, 1, NULL, &error);
  g_assert_no_error(error);
  g_assert_null(ckpt_json_parse((const uint8_t *)"[[]]", 4, 1, NULL, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
  g_clear_error(&error);
  g_assert_null(ckpt_json_parse((const uint8_t *)"[]", 2, 0, NULL, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
}

/* ---- the writer ---------------------------------------------------- */

static char *
value_json(CkptValue v)
{
  GString *s = g_string_new(NULL);
  ckpt_json_value(s, &v);
  return g_string_free(s, FALSE);
}

static void
test_writer_values(void)
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
test_writer_strings(void)
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
  g_test_add_func("/json/same-as-json-glib", test_same_as_json_glib);
  g_test_add_func("/json/values", test_values);
  g_test_add_func("/json/extensions-refused", test_extensions_refused);
  g_test_add_func("/json/bad-strings", test_bad_strings);
  g_test_add_func("/json/nul-kept", test_nul_kept);
  g_test_add_func("/json/depth", test_depth);
  g_test_add_func("/json/depth-param", test_depth_param);
  g_test_add_func("/json/writer-values", test_writer_values);
  g_test_add_func("/json/writer-strings", test_writer_strings);
  return g_test_run();
}

/* fixture.c - the unit tests' shared helpers (fixture.h): paths under
 * $CKPT_FIXTURES, crit's oracle JSON, markers files, scratch copies of
 * criu-dir and temporary directories. Linked into every unit test as a
 * static library (tests/meson.build). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fixture.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

/* ---- the checkpoints ----------------------------------------------------- */

const char *const fixture_checkpoints[][2] = {
    {"podman-none.tar", "podman-none"},
    {"podman-gzip.tar.gz", "podman-gzip"},
    {"podman-zstd.tar.zst", "podman-zstd"},
    {"podman-none-2.tar", "podman-none-2"},
    {"podman-none-criu3.tar", "podman-none-criu3"},
    {"podman-nozombie.tar", "podman-nozombie"},
    {"podman-nozombie-criu3.tar", "podman-nozombie-criu3"},
    {"crio-none.tar", "crio-none"},
    {"containerd-none.tar", "containerd-none"},
    {"criu-dir", "criu-dir"},
};
const size_t fixture_n_checkpoints = G_N_ELEMENTS(fixture_checkpoints);

/* ---- the environment ----------------------------------------------------- */

const char *
fixture_env(const char *name)
{
  const char *v = g_getenv(name);
  if (v == NULL)
    g_error("%s is not set: run the tests through meson test", name);
  return v;
}

char *
fixture_path(const char *name)
{
  return g_build_filename(fixture_env("CKPT_FIXTURES"), name, NULL);
}

char *
fixture_base(const char *fixture)
{
  char *base = g_strdup(fixture);
  char *dot = strstr(base, ".tar");
  if (dot)
    *dot = '\0';
  return base;
}

CkptCheckpoint *
fixture_open(const char *name)
{
  g_autofree char *path =
      g_path_is_absolute(name) ? g_strdup(name) : fixture_path(name);
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = ckpt_checkpoint_open(path, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(c);
  return c;
}

void
fixture_expect_open_error(const char *path, const CkptLimits *limits, int code,
                          ...)
{
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = ckpt_checkpoint_open(path, limits, &error);
  g_assert_null(c);
  g_assert_nonnull(error);
  g_test_message("error: %s", error->message);
  g_assert_error(error, CKPT_ERROR, code);
  va_list ap;
  va_start(ap, code);
  for (const char *frag; (frag = va_arg(ap, const char *));)
    if (strstr(error->message, frag) == NULL)
      g_error("error \"%s\" lacks \"%s\"", error->message, frag);
  va_end(ap);
}

gboolean
fixture_has_warning(const CkptCheckpoint *c, const char *needle)
{
  for (guint i = 0; i < c->warnings->len; i++)
    if (strstr(c->warnings->pdata[i], needle))
      return TRUE;
  return FALSE;
}

/* ---- crit's decode ------------------------------------------------------- */

/* The parsed oracle/<base>/<image>.json, or NULL when the file is absent
 * (crit writes nothing for an image the checkpoint lacks). A file that is
 * there but does not parse fails the test. */
static JsonParser *
oracle_parser(const char *fixture, const char *image)
{
  g_autofree char *base = fixture_base(fixture);
  g_autofree char *name = g_strconcat(image, ".json", NULL);
  g_autofree char *path = g_build_filename(fixture_env("CKPT_FIXTURES"),
                                           "oracle", base, name, NULL);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return NULL;
  JsonParser *p = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file(p, path, &error);
  g_assert_no_error(error);
  return p;
}

JsonNode *
fixture_oracle(const char *fixture, const char *image)
{
  g_autoptr(JsonParser) p = oracle_parser(fixture, image);
  return p ? json_node_copy(json_parser_get_root(p)) : NULL;
}

JsonArray *
fixture_oracle_entries(JsonParser **parser, const char *fixture,
                       const char *image)
{
  *parser = oracle_parser(fixture, image);
  if (*parser == NULL)
    return NULL;
  return fixture_entries(json_parser_get_root(*parser));
}

JsonArray *
fixture_entries(JsonNode *decode)
{
  return json_object_get_array_member(json_node_get_object(decode), "entries");
}

JsonNode *
fixture_parse_json(const char *text)
{
  g_autoptr(JsonParser) p = json_parser_new();
  g_autoptr(GError) error = NULL;
  gboolean ok = json_parser_load_from_data(p, text, -1, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  return json_node_copy(json_parser_get_root(p));
}

/* ---- markers ------------------------------------------------------------- */

char *
fixture_markers_text(const char *fixture)
{
  g_autofree char *base = fixture_base(fixture);
  g_autofree char *file = g_strdup_printf("markers-%s.txt", base);
  g_autofree char *path = fixture_path(file);
  char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_file_get_contents(path, &text, NULL, &error);
  g_assert_no_error(error);
  return text;
}

GArray *
fixture_markers(const char *fixture)
{
  g_autofree char *text = fixture_markers_text(fixture);
  GArray *out = g_array_new(FALSE, TRUE, sizeof(FixtureMarker));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (**l == '#' || **l == '\0')
      continue;
    FixtureMarker m = {0};
    unsigned long long addr;
    if (sscanf(*l, "%63s %u %llx", m.name, &m.pid, &addr) != 3)
      g_error("markers of %s: bad line \"%s\"", fixture, *l);
    m.addr = addr;
    g_array_append_val(out, m);
  }
  return out;
}

/* ---- scratch copies and temporary directories ---------------------------- */

char *
fixture_tmpdir(void)
{
  g_autofree char *prog = g_path_get_basename(g_get_prgname());
  g_autofree char *tmpl = g_strdup_printf("ckpt-%s-XXXXXX", prog);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp(tmpl, &error);
  g_assert_no_error(error);
  return dir;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
  if (remove(path) != 0)
    g_warning("cannot remove %s: %s", path, g_strerror(errno));
  return 0;
}

void
fixture_rm_rf(const char *path)
{
  /* depth first, without following links: a link left by a test is
   * removed, never what it points to */
  nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
fixture_copy_criu_dir(void)
{
  g_autofree char *src = fixture_path("criu-dir");
  char *dst = fixture_tmpdir();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open(src, 0, &error);
  g_assert_no_error(error);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autoptr(GByteArray) b = fixture_read_file(src, name);
    fixture_write_file(dst, name, b->data, b->len);
  }
  return dst;
}

char *
fixture_find_file(const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, prefix))
      return g_strdup(name);
  g_error("no file %s* in %s", prefix, dir);
  return NULL;
}

GByteArray *
fixture_read_file(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *bytes = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_file_get_contents(path, &bytes, &len, &error);
  g_assert_no_error(error);
  return g_byte_array_new_take((guint8 *)bytes, len);
}

void
fixture_write_file(const char *dir, const char *name, const void *data,
                   gsize len)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_file_set_contents(path, data, (gssize)len, &error);
  g_assert_no_error(error);
}

void
scratch_setup(Scratch *s, gconstpointer data)
{
  s->dir = fixture_copy_criu_dir();
}

void
scratch_teardown(Scratch *s, gconstpointer data)
{
  fixture_rm_rf(s->dir);
  g_free(s->dir);
}

/* ---- image bytes --------------------------------------------------------- */

void
fixture_put_u32(GByteArray *b, uint32_t v)
{
  uint8_t x[4] = {v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24 & 0xff};
  g_byte_array_append(b, x, 4);
}

uint32_t
fixture_u32le(const uint8_t *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void
fixture_put_msg(GByteArray *b, const ProtobufCMessage *m)
{
  size_t n = protobuf_c_message_get_packed_size(m);
  g_autofree uint8_t *buf = g_malloc(n ? n : 1);
  g_assert_cmpuint(protobuf_c_message_pack(m, buf), ==, n);
  fixture_put_u32(b, (uint32_t)n);
  g_byte_array_append(b, buf, (guint)n);
}

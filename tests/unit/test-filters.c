/* test-filters.c - core/filters.c: the filters libarchive may run and the
 * encodings named when refused, from magic bytes and under gzip. */
#include <archive.h>
#include <gio/gio.h>
#include <string.h>

#include "archive/filters.h"

static GBytes *
gzip_of(const void *data, size_t len)
{
  g_autoptr(GZlibCompressor) z =
      g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data(
      g_memdup2(data, len), (gssize)len, g_free);
  g_autoptr(GInputStream) zin =
      g_converter_input_stream_new(in, G_CONVERTER(z));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
  g_assert_cmpint(g_output_stream_splice(out, zin,
                                         G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                         NULL, NULL),
                  >, 0);
  return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

static const struct {
  const char *head;
  size_t len;
  const char *what;
} cases[] = {
    {"LRZI\x00\x06", 6, "compressed with lrzip"},
    {"\x89LZO\x00\r\n\x1a\n\x10", 10, "compressed with lzop"},
    {"GRZipII\x00\x02\x04:)", 12, "compressed with grzip"},
    {"LZIP\x01", 5, "compressed with lzip"},
    {"\x1f\x9d\x90", 3, "compressed with compress (.Z)"},
    {"begin 644 x.tar\nM", 17, "uuencoded"},
    {"some text\nbegin 600 x\n", 22, "uuencoded"},
    {"begin-base64 644 x\n", 19, "uuencoded"},
    /* near misses */
    {"LRZ", 3, NULL},
    {"begin here\n", 11, NULL},
    {"\x1f\x8b\x08", 3, NULL},
};

static void
test_magic(void)
{
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    g_assert_cmpstr(
        ckpt_filters_refused((const uint8_t *)cases[i].head, cases[i].len), ==,
        cases[i].what);
  /* a tar header whose name field looks like uuencode is a tar */
  uint8_t tar[512] = {0};
  memcpy(tar, "begin 644 x", 11);
  memcpy(tar + 257, "ustar", 5);
  g_assert_null(ckpt_filters_refused(tar, sizeof(tar)));
  tar[257] = 'x';
  g_assert_cmpstr(ckpt_filters_refused(tar, sizeof(tar)), ==, "uuencoded");
}

static void
test_inside_gzip(void)
{
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_byte_array_append(b, (const guint8 *)cases[i].head, (guint)cases[i].len);
    static const guint8 pad[600];
    g_byte_array_append(b, pad, sizeof(pad));
    g_autoptr(GBytes) z = gzip_of(b->data, b->len);
    gsize n;
    const void *d = g_bytes_get_data(z, &n);
    g_assert_cmpstr(ckpt_filters_refused_inside(d, n), ==, cases[i].what);
    /* twice wrapped */
    g_autoptr(GBytes) zz = gzip_of(d, n);
    d = g_bytes_get_data(zz, &n);
    g_assert_cmpstr(ckpt_filters_refused_inside(d, n), ==, cases[i].what);
  }
}

/* Only in-process filters: a reader knows gzip but not lrzip, so gzip'ed
 * lrzip data gives a one-filter chain and no program. */
static void
test_enable(void)
{
  static const char lrz[] = "LRZI\x00\x06\x00\x00\x00\x00\x00\x00";
  g_autoptr(GBytes) z = gzip_of(lrz, sizeof(lrz));
  struct archive *a = archive_read_new();
  archive_read_support_format_raw(a);
  ckpt_filters_enable(a);
  gsize n;
  const void *d = g_bytes_get_data(z, &n);
  g_assert_cmpint(archive_read_open_memory(a, d, n), ==, ARCHIVE_OK);
  int code = -1;
  g_assert_true(ckpt_filters_chain_ok(a, &code));
  g_assert_cmpint(archive_filter_count(a), ==, 2); /* gzip, then none */
  g_assert_cmpint(archive_filter_code(a, 0), ==, ARCHIVE_FILTER_GZIP);
  archive_read_free(a);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/filters/magic", test_magic);
  g_test_add_func("/filters/inside-gzip", test_inside_gzip);
  g_test_add_func("/filters/enable", test_enable);
  return g_test_run();
}

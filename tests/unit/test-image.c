/* test-image.c - core/image.c's decode budget: ckpt_image_unpack() counts
 * what protobuf-c allocates against the reader's max_decode, summed over
 * an image's entries, and refuses past it with the offset and the limit;
 * a broken entry is a format error naming the message. */
#include <string.h>

#include "criu/image.h"
#include "pstree.pb-c.h"

/* An image of magics and entries, each a PstreeEntry with n threads. */
static GByteArray *
pstree_image(guint n_entries, guint n_threads)
{
  GByteArray *img = g_byte_array_new();
  uint32_t magics[2] = {CKPT_IMG_COMMON_MAGIC, 0x50273030u};
  g_byte_array_append(img, (const guint8 *)magics, sizeof(magics));
  for (guint e = 0; e < n_entries; e++) {
    PstreeEntry pe = PSTREE_ENTRY__INIT;
    g_autofree uint32_t *threads = g_new0(uint32_t, MAX(n_threads, 1));
    pe.pid = e + 1;
    pe.n_threads = n_threads;
    pe.threads = threads;
    size_t len = pstree_entry__get_packed_size(&pe);
    g_autofree uint8_t *buf = g_malloc(len);
    pstree_entry__pack(&pe, buf);
    uint32_t l32 = (uint32_t)len;
    g_byte_array_append(img, (const guint8 *)&l32, 4);
    g_byte_array_append(img, buf, (guint)len);
  }
  return img;
}

/* Unpacks every entry with budget max; returns how many decoded, and the
 * error of the one that did not. */
static guint
unpack_all(GByteArray *img, uint64_t max, uint64_t *used, GError **error)
{
  CkptImageReader r;
  g_assert_true(
      ckpt_image_open(&r, "pstree.img", img->data, img->len, 0, 0, 0, NULL));
  r.max_decode = max;
  const uint8_t *entry;
  size_t len;
  guint n = 0;
  while (ckpt_image_next(&r, &entry, &len, NULL) == 1) {
    ProtobufCMessage *m =
        ckpt_image_unpack(&r, &pstree_entry__descriptor, entry, len, error);
    if (m == NULL)
      break;
    protobuf_c_message_free_unpacked(m, NULL);
    n++;
  }
  *used = r.decoded;
  return n;
}

static void
test_unbounded(void)
{
  g_autoptr(GByteArray) img = pstree_image(10, 1000);
  uint64_t used = 0;
  g_assert_cmpuint(unpack_all(img, 0, &used, NULL), ==, 10);
  /* each entry: the message and its 1000 thread ids, at least */
  g_assert_cmpuint(used, >=, 10 * (sizeof(PstreeEntry) + 4000));
}

/* The budget is summed over entries: the whole image's cost is enough,
 * one byte less refuses the last entry, naming its offset. */
static void
test_budget_summed(void)
{
  g_autoptr(GByteArray) img = pstree_image(10, 1000);
  uint64_t need = 0;
  g_assert_cmpuint(unpack_all(img, 0, &need, NULL), ==, 10);

  uint64_t used = 0;
  g_assert_cmpuint(unpack_all(img, need, &used, NULL), ==, 10);
  g_assert_cmpuint(used, ==, need);

  g_autoptr(GError) error = NULL;
  g_assert_cmpuint(unpack_all(img, need - 1, &used, &error), ==, 9);
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
  size_t last = img->len - (img->len - 8) / 10;
  g_autofree char *want = g_strdup_printf(
      "pstree.img: entry at offset %zu decodes past the max-decode-memory "
      "limit of %" G_GUINT64_FORMAT " bytes for the image",
      last, need - 1);
  g_assert_cmpstr(error->message, ==, want);
}

/* One entry larger than the whole budget fails at once, with no leak
 * (the suite runs under valgrind too). */
static void
test_one_big_entry(void)
{
  g_autoptr(GByteArray) img = pstree_image(1, 100000);
  uint64_t used = 0;
  g_autoptr(GError) error = NULL;
  g_assert_cmpuint(unpack_all(img, 4096, &used, &error), ==, 0);
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
  g_assert_nonnull(strstr(error->message, "entry at offset 8 decodes past"));
  g_assert_cmpuint(used, <=, 4096);
}

static void
test_not_valid(void)
{
  static const uint8_t img[] = {0x19, 0x43, 0x56, 0x54, 0x30, 0x30, 0x27,
                                0x50, 0x02, 0x00, 0x00, 0x00, 0x08, 0x80};
  CkptImageReader r;
  g_assert_true(
      ckpt_image_open(&r, "pstree.img", img, sizeof(img), 0, 0, 0, NULL));
  r.max_decode = 1 << 20;
  const uint8_t *entry;
  size_t len;
  g_assert_cmpint(ckpt_image_next(&r, &entry, &len, NULL), ==, 1);
  g_autoptr(GError) error = NULL;
  g_assert_null(
      ckpt_image_unpack(&r, &pstree_entry__descriptor, entry, len, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT);
  g_assert_cmpstr(error->message, ==,
                  "pstree.img: entry at offset 8 is not a valid PstreeEntry");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/image/unbounded", test_unbounded);
  g_test_add_func("/image/budget-summed", test_budget_summed);
  g_test_add_func("/image/one-big-entry", test_one_big_entry);
  g_test_add_func("/image/not-valid", test_not_valid);
  return g_test_run();
}

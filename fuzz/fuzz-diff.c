/* fuzz-diff.c - libFuzzer harness for the rootfs diff walk (core/diff.c):
 * rootfs-diff.tar read with libarchive under ckpt's filter policy
 * (core/filters.c: refused encodings sniffed under gzip/zstd), sparse
 * entries, display names, and the entry, size and ratio limits.
 *
 * Input: the bytes of a rootfs-diff.tar. The harness wraps them as the
 * one member of a plain tar (a memfd), opens that as an image set, and
 * walks the diff as the secrets and yara plugins do, reading every byte
 * handed out.
 */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>

#include "model/model.h"

static volatile uint8_t sink;

static void
octal(char *field, size_t width, uint64_t v)
{
  /* width - 1 digits and a NUL, as ustar writes them */
  for (size_t i = width - 1; i-- > 0; v >>= 3)
    field[i] = (char)('0' + (v & 7));
  field[width - 1] = '\0';
}

/* A plain tar holding data as "rootfs-diff.tar". */
static GByteArray *
wrap(const uint8_t *data, size_t size)
{
  char h[512];
  memset(h, 0, sizeof(h));
  strcpy(h, "rootfs-diff.tar");
  octal(h + 100, 8, 0644);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, size);
  octal(h + 136, 12, 0);
  h[156] = '0';
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof(h); i++)
    sum += (unsigned char)h[i];
  octal(h + 148, 7, sum);
  h[155] = ' ';
  GByteArray *b = g_byte_array_sized_new((guint)(size + 2048));
  g_byte_array_append(b, (const guint8 *)h, sizeof(h));
  g_byte_array_append(b, data, (guint)size);
  static const guint8 zeros[1024 + 512];
  g_byte_array_append(b, zeros, (guint)((512 - size % 512) % 512 + 1024));
  return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > (64u << 20))
    return 0;
  g_autoptr(GByteArray) tar = wrap(data, size);
  char path[64];
  int fd = ckpt_fuzz_memfd(tar->data, tar->len, path, sizeof(path));
  if (fd < 0)
    return 0;
  CkptLimits limits;
  ckpt_fuzz_limits(&limits);
  CkptCheckpoint *c = ckpt_checkpoint_new(&limits);
  GError *error = NULL;
  c->images = ckpt_imageset_open(path, &c->limits, &error);
  g_assert(c->images != NULL && error == NULL);
  CkptFileIter *it = ckpt_diff_iter_new(c, 1u << 20);
  CkptDiffFile f;
  uint8_t x = 0;
  while (ckpt_diff_iter_next(it, &f)) {
    g_assert(f.path != NULL && f.path[0] == '/');
    g_assert(f.len <= (1u << 20) && f.len <= f.full_size);
    for (size_t i = 0; i < f.len; i++)
      x ^= f.data[i];
  }
  ckpt_diff_iter_free(it);
  sink ^= x;
  for (guint i = 0; i < c->warnings->len; i++)
    g_assert(((char *)g_ptr_array_index(c->warnings, i))[0] != '\0');
  ckpt_checkpoint_free(c);
  close(fd);
  return 0;
}

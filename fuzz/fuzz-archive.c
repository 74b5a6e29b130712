/* fuzz-archive.c - libFuzzer harness for the image set: format detection,
 * plain tar served in place, gzip/zstd/other filters streamed through the
 * spool, member-name rules and the size, count and ratio limits.
 *
 * Input: the archive bytes, given to ckpt_imageset_open() as a memfd.
 * Every member handed out is read end to end, so a member pointing
 * outside its mapping shows up under ASan.
 */
#include "fuzz.h"

#include <unistd.h>

#include "archive/imageset.h"

static volatile uint8_t sink;

static void
touch(const uint8_t *data, size_t len)
{
  uint8_t x = 0;
  for (size_t i = 0; i < len; i++)
    x ^= data[i];
  sink ^= x;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[64];
  int fd = ckpt_fuzz_memfd(data, size, path, sizeof(path));
  if (fd < 0)
    return 0;
  CkptLimits limits;
  ckpt_fuzz_limits(&limits);
  GError *error = NULL;
  CkptImageSet *set = ckpt_imageset_open(path, &limits, &error);
  g_assert((set == NULL) == (error != NULL));
  if (set) {
    const char *const *names = ckpt_imageset_image_names(set);
    for (size_t i = 0; names[i]; i++) {
      const uint8_t *bytes;
      size_t len;
      g_assert(ckpt_imageset_image(set, names[i], &bytes, &len));
      touch(bytes, len);
    }
    static const char *const meta[] = {"config.dump", "spec.dump",
                                       "rootfs-diff.tar", "stats-dump"};
    for (size_t i = 0; i < G_N_ELEMENTS(meta); i++) {
      const uint8_t *bytes;
      size_t len;
      if (ckpt_imageset_meta(set, meta[i], &bytes, &len))
        touch(bytes, len);
    }
    for (const char *const *w = ckpt_imageset_warnings(set); *w; w++)
      g_assert(**w != '\0');
    ckpt_imageset_free(set);
  }
  g_clear_error(&error);
  close(fd);
  return 0;
}

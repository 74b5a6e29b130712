/* imageset.c - placeholder so the tree links while the loader is written;
 * replaced whole by its owner. */
#include "imageset.h"

#include "image.h"

CkptImageSet *
ckpt_imageset_open(const char *path, const CkptLimits *limits, GError **error)
{
  (void)limits;
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_IO, "%s: loader not built yet",
              path);
  return NULL;
}

void
ckpt_imageset_free(CkptImageSet *set)
{
  (void)set;
}

CkptFormat
ckpt_imageset_format(const CkptImageSet *set)
{
  (void)set;
  return CKPT_FMT_DIR;
}

const char *
ckpt_imageset_path(const CkptImageSet *set)
{
  (void)set;
  return NULL;
}

uint64_t
ckpt_imageset_archive_size(const CkptImageSet *set)
{
  (void)set;
  return 0;
}

gboolean
ckpt_imageset_image(const CkptImageSet *set, const char *name,
                    const uint8_t **data, size_t *len)
{
  (void)set;
  (void)name;
  (void)data;
  (void)len;
  return FALSE;
}

gboolean
ckpt_imageset_meta(const CkptImageSet *set, const char *name,
                   const uint8_t **data, size_t *len)
{
  return ckpt_imageset_image(set, name, data, len);
}

const char *const *
ckpt_imageset_image_names(const CkptImageSet *set)
{
  static const char *const none[] = {NULL};
  (void)set;
  return none;
}

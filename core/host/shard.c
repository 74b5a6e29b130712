/* shard.c - the stable partition of a sweep's targets (shard.h). */
#include "host/shard.h"

#include <string.h>

#include "util/error.h"

static CkptShard current;

guint
ckpt_shard_of(const char *path, guint count)
{
  g_return_val_if_fail(count > 0, 0);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, (const guchar *)path, (gssize)strlen(path));
  g_checksum_get_digest(sum, digest, &len);
  guint64 h = 0;
  for (int i = 0; i < 8; i++)
    h = h << 8 | digest[i];
  return (guint)(h % count);
}

gboolean
ckpt_shard_parse(const char *spec, CkptShard *out, GError **error)
{
  const char *slash = spec ? strchr(spec, '/') : NULL;
  guint64 count = 0, index = 0;
  if (slash == NULL ||
      !g_ascii_string_to_unsigned(slash + 1, 10, 1, 65536, &count, NULL)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "--shard: '%s' is not INDEX/COUNT (COUNT 1 to 65536)",
                spec ? spec : "");
    return FALSE;
  }
  g_autofree char *idx = g_strndup(spec, (gsize)(slash - spec));
  const char *from = "--shard";
  if (strcmp(idx, "auto") == 0) {
    const char *env = g_getenv("JOB_COMPLETION_INDEX");
    if (env == NULL || *env == '\0') {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "--shard auto/%s: JOB_COMPLETION_INDEX is not set (not "
                  "an Indexed Job?)",
                  slash + 1);
      return FALSE;
    }
    g_free(idx);
    idx = g_strdup(env);
    from = "JOB_COMPLETION_INDEX";
  }
  if (!g_ascii_string_to_unsigned(idx, 10, 0, count - 1, &index, NULL)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "%s: index '%s' is not a number from 0 to %" G_GUINT64_FORMAT,
                from, idx, count - 1);
    return FALSE;
  }
  out->index = (guint)index;
  out->count = (guint)count;
  return TRUE;
}

void
ckpt_shard_set(const CkptShard *s)
{
  current = s ? *s : (CkptShard){0};
}

const CkptShard *
ckpt_shard_get(void)
{
  return &current;
}

gboolean
ckpt_shard_keep(const char *path)
{
  return current.count == 0 ||
         ckpt_shard_of(path, current.count) == current.index;
}

void
ckpt_shard_filter(GPtrArray *targets, guint from)
{
  /* backwards, so removing keeps the order of what is left */
  for (guint i = targets->len; i > from; i--)
    if (!ckpt_shard_keep(targets->pdata[i - 1]))
      g_ptr_array_remove_index(targets, i - 1);
}

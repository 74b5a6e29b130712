/* fuzz-meta.c - libFuzzer harness for the container metadata: the JSON
 * parser (core/json.c) and the loaders of config.dump, spec.dump,
 * network.status and deleted.files (core/meta.c).
 *
 * Input: one selector byte (its low two bits name the member), then the
 * member's text. The text is parsed on its own with ckpt_json_parse(),
 * then packed as that member into a tar next to an empty pstree.img and
 * opened as a checkpoint, so the text goes through the same road as a
 * real archive's; every string the loaders kept is read back whole.
 */
#include "fuzz.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <unistd.h>

#include "criu/image.h"
#include "util/json.h"
#include "model/model.h"

static const char *const members[] = {"config.dump", "spec.dump",
                                      "network.status", "deleted.files"};

/* magics of an image with no entries: the process tree of nobody */
static const uint8_t empty_pstree[] = {0x19, 0x43, 0x56, 0x54,
                                       0x30, 0x30, 0x27, 0x50};

static void
add_member(struct archive *a, const char *name, const void *data, size_t len)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, (la_int64_t)len);
  g_assert(archive_write_header(a, e) == ARCHIVE_OK);
  if (len)
    g_assert(archive_write_data(a, data, len) == (la_ssize_t)len);
  archive_entry_free(e);
}

static GByteArray *
make_tar(const char *name, const uint8_t *text, size_t len)
{
  size_t cap = len + 16384, used = 0;
  GByteArray *out = g_byte_array_sized_new((guint)cap);
  g_byte_array_set_size(out, (guint)cap);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  g_assert(archive_write_open_memory(a, out->data, cap, &used) == ARCHIVE_OK);
  add_member(a, "pstree.img", empty_pstree, sizeof(empty_pstree));
  add_member(a, name, text, len);
  g_assert(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  g_byte_array_set_size(out, (guint)used);
  return out;
}

/* Reads a kept string to its end (ASan sees a string not ended). */
static size_t
touch(const char *s)
{
  return s ? strlen(s) : 0;
}

static void
touch_model(const CkptCheckpoint *c)
{
  const CkptContainerInfo *ci = &c->container;
  size_t n = touch(ci->id) + touch(ci->name) + touch(ci->image) +
             touch(ci->image_id) + touch(ci->runtime) + touch(ci->engine) +
             touch(ci->hostname) + touch(ci->pod) + touch(ci->pod_namespace);
  for (size_t i = 0; i < ci->n_annotations; i++)
    n += touch(ci->annotations[i].key) + touch(ci->annotations[i].value);
  for (size_t i = 0; i < ci->n_spec_env; i++)
    n += touch(ci->spec_env[i].key) + touch(ci->spec_env[i].value);
  for (size_t i = 0; i < ci->n_mounts; i++)
    n += touch(ci->mounts[i].destination) + touch(ci->mounts[i].source) +
         touch(ci->mounts[i].type) + touch(ci->mounts[i].options);
  for (size_t i = 0; i < ci->n_networks; i++)
    n += touch(ci->networks[i].name) + touch(ci->networks[i].ip) +
         touch(ci->networks[i].gateway) + touch(ci->networks[i].mac);
  for (const char *const *s = ci->spec_args; s && *s; s++)
    n += touch(*s);
  for (const char *const *s = ci->deleted_files; s && *s; s++)
    n += touch(*s);
  for (guint i = 0; i < c->warnings->len; i++)
    n += touch(g_ptr_array_index(c->warnings, i));
  g_assert(n < (size_t)-1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const char *name = members[data[0] & 3];
  const uint8_t *text = data + 1;
  size_t len = size - 1;

  /* The parser alone: an error if and only if no tree, a format or a
   * depth error, and a string root valid UTF-8. */
  GError *error = NULL;
  char *nul_path = NULL;
  JsonNode *root = ckpt_json_parse(text, len, 64, &nul_path, &error);
  g_assert((root == NULL) == (error != NULL));
  g_assert(root != NULL ||
           g_error_matches(error, CKPT_ERROR, CKPT_ERROR_FORMAT) ||
           g_error_matches(error, CKPT_ERROR, CKPT_ERROR_LIMIT));
  if (root && JSON_NODE_HOLDS_VALUE(root) &&
      json_node_get_value_type(root) == G_TYPE_STRING)
    g_assert(g_utf8_validate(json_node_get_string(root), -1, NULL));
  if (root)
    json_node_unref(root);
  g_free(nul_path);
  g_clear_error(&error);

  /* The whole metadata road, from an archive. */
  g_autoptr(GByteArray) tar = make_tar(name, text, len);
  char path[64];
  int fd = ckpt_fuzz_memfd(tar->data, tar->len, path, sizeof(path));
  if (fd < 0)
    return 0;
  CkptLimits limits;
  ckpt_fuzz_limits(&limits);
  CkptCheckpoint *c = ckpt_checkpoint_open(path, &limits, &error);
  g_assert((c == NULL) == (error != NULL));
  if (c) {
    touch_model(c);
    ckpt_checkpoint_free(c);
  }
  g_clear_error(&error);
  close(fd);
  return 0;
}

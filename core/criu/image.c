/* image.c - CRIU's image framing: magics, length-prefixed entries and the
 * raw payloads some images append after an entry. Every length is checked
 * against what remains before anything is handed out; ckpt_image_unpack()
 * decodes an entry within the image's memory budget, and ckpt_image_walk()
 * is the one loop that unpacks a whole image's entries. */
#include "criu/image.h"

#include <protobuf-c/protobuf-c.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
read_u32le(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static size_t
remaining(const CkptImageReader *r)
{
  return (size_t)(r->end - r->p);
}

gboolean
ckpt_image_open(CkptImageReader *r, const char *name, const uint8_t *data,
                size_t len, uint32_t expected_magic, uint64_t max_entry,
                uint64_t max_entries, GError **error)
{
  g_return_val_if_fail(r != NULL && name != NULL, FALSE);
  g_return_val_if_fail(data != NULL || len == 0, FALSE);

  memset(r, 0, sizeof(*r));
  r->name = name;
  r->base = r->p = data;
  r->end = data + len;
  r->max_entry = max_entry;
  r->max_entries = max_entries;

  if (len < 4) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: image too short for a magic (%zu bytes)", name, len);
    return FALSE;
  }
  uint32_t first = read_u32le(r->p);
  if (first == CKPT_IMG_COMMON_MAGIC || first == CKPT_IMG_SERVICE_MAGIC) {
    if (len < 8) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                  "%s: image ends after its first magic", name);
      return FALSE;
    }
    r->magic = read_u32le(r->p + 4);
    r->p += 8;
  } else {
    /* Very old images have only their own magic. */
    r->magic = first;
    r->p += 4;
  }
  if (expected_magic != 0 && r->magic != expected_magic) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: wrong magic 0x%08x, expected 0x%08x", name, r->magic,
                expected_magic);
    return FALSE;
  }
  return TRUE;
}

int
ckpt_image_next(CkptImageReader *r, const uint8_t **entry, size_t *len,
                GError **error)
{
  size_t left = remaining(r);
  if (left == 0)
    return 0;
  if (left < 4) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: truncated entry length at offset %zu", r->name,
                (size_t)(r->p - r->base));
    return -1;
  }
  uint32_t n = read_u32le(r->p);
  if (n > left - 4) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry at offset %zu claims %u bytes, only %zu remain",
                r->name, (size_t)(r->p - r->base), n, left - 4);
    return -1;
  }
  if (r->max_entry && n > r->max_entry) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: entry at offset %zu is %u bytes, over the max-entry-size "
                "limit of %" G_GUINT64_FORMAT,
                r->name, (size_t)(r->p - r->base), n, r->max_entry);
    return -1;
  }
  if (r->max_entries && r->n_entries >= r->max_entries) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: more than %" G_GUINT64_FORMAT
                " entries (max-entries limit)",
                r->name, r->max_entries);
    return -1;
  }
  r->n_entries++;
  *entry = r->p + 4;
  *len = n;
  r->p += 4 + (size_t)n;
  return 1;
}

gboolean
ckpt_image_take(CkptImageReader *r, uint64_t n, const uint8_t **bytes,
                GError **error)
{
  if (n > remaining(r)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: payload at offset %zu claims %" G_GUINT64_FORMAT
                " bytes, only %zu remain",
                r->name, (size_t)(r->p - r->base), n, remaining(r));
    return FALSE;
  }
  *bytes = r->p;
  r->p += n;
  return TRUE;
}

/* What malloc spends on each block besides its size: counting it makes a
 * million empty submessages cost what they really cost. */
#define ALLOC_OVERHEAD 16

typedef struct {
  CkptImageReader *r;
  gboolean refused;
} Budget;

/* protobuf-c's allocator hook. Blocks come from malloc, so the messages
 * are freed with protobuf-c's default (system) allocator. */
static void *
budget_alloc(void *data, size_t size)
{
  Budget *b = data;
  CkptImageReader *r = b->r;
  if (r->max_decode) {
    uint64_t left = r->max_decode - r->decoded;
    if (size > left || size + ALLOC_OVERHEAD > left) {
      b->refused = TRUE;
      return NULL;
    }
  }
  void *p = malloc(size ? size : 1);
  if (p != NULL)
    r->decoded += size + ALLOC_OVERHEAD;
  return p;
}

static void
budget_free(void *data, void *p)
{
  (void)data;
  free(p);
}

ProtobufCMessage *
ckpt_image_unpack(CkptImageReader *r, const ProtobufCMessageDescriptor *desc,
                  const uint8_t *entry, size_t len, GError **error)
{
  g_return_val_if_fail(r != NULL && desc != NULL, NULL);
  g_return_val_if_fail(entry >= r->base + 4 && entry <= r->end, NULL);

  size_t off = (size_t)(entry - r->base) - 4;
  Budget b = {.r = r};
  ProtobufCAllocator alloc = {
      .alloc = budget_alloc, .free = budget_free, .allocator_data = &b};
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, &alloc, len, entry);
  if (m != NULL)
    return m;
  if (b.refused)
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: entry at offset %zu decodes past the max-decode-memory "
                "limit of %" G_GUINT64_FORMAT " bytes for the image",
                r->name, off, r->max_decode);
  else
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry at offset %zu is not a valid %s", r->name, off,
                desc->short_name);
  return NULL;
}

gboolean
ckpt_image_walk(CkptImageReader *r, const ProtobufCMessageDescriptor *desc,
                CkptImageEntryFn fn, void *user, GError **error)
{
  const uint8_t *entry;
  size_t len;
  int rc;

  while ((rc = ckpt_image_next(r, &entry, &len, error)) == 1) {
    size_t off = (size_t)(entry - r->base) - 4;
    ProtobufCMessage *m = ckpt_image_unpack(r, desc, entry, len, error);
    if (m == NULL)
      return FALSE;
    int next = fn(m, off, user, error);
    protobuf_c_message_free_unpacked(m, NULL);
    if (next <= 0)
      return next == 0;
  }
  return rc == 0;
}

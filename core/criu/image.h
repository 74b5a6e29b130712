/* image.h - CRIU's image framing.
 *
 * A protobuf image starts with magics (a u32 "images v1" magic, then the
 * image's own u32 magic; some service images carry only one), then entries:
 * a u32 little-endian length followed by that many bytes of one protobuf
 * message. A few images carry extra raw payload after an entry (tcp-stream
 * queues, sk-queues data, pipes-data), which the caller takes with
 * ckpt_image_take(). Raw images (pages-*.img, ifaddr, route...) have no
 * framing at all and are not read through this.
 */
#ifndef CKPT_IMAGE_H
#define CKPT_IMAGE_H

#include <glib.h>
#include <stdint.h>

#include "util/error.h"

/* The "images v1" magic that opens every CRIU image, and the service magic
 * used by a few images (inventory, stats, irmap) instead. */
#define CKPT_IMG_COMMON_MAGIC 0x54564319u
#define CKPT_IMG_SERVICE_MAGIC 0x55105940u

typedef struct {
  const char *name; /* image name, for messages */
  const uint8_t *base, *p, *end;
  uint32_t magic; /* the image's own magic as found */
  uint64_t max_entry;
  uint64_t max_entries;
  uint64_t n_entries;
  /* Bytes protobuf-c may allocate decoding this image's entries, summed
   * over them (0: no bound), and what it has taken so far. Set by
   * ckpt_model_open_image() from the max-decode-memory limit. */
  uint64_t max_decode;
  uint64_t decoded;
} CkptImageReader;

/* Checks the magics of an image. expected_magic is the image's own magic
 * (from CRIU's magic.h); 0 accepts any. */
gboolean ckpt_image_open(CkptImageReader *r, const char *name,
                         const uint8_t *data, size_t len,
                         uint32_t expected_magic, uint64_t max_entry,
                         uint64_t max_entries, GError **error);
/* Next entry: returns 1 and sets *entry and *len, 0 at a clean end, -1 with
 * error set when the framing is broken (a length past the end). */
int ckpt_image_next(CkptImageReader *r, const uint8_t **entry, size_t *len,
                    GError **error);
/* Takes n raw payload bytes that follow the last entry. */
gboolean ckpt_image_take(CkptImageReader *r, uint64_t n, const uint8_t **bytes,
                         GError **error);

/* protobuf-c's types, declared here so that this header needs none of it */
struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* Handed each entry ckpt_image_walk() unpacked, with the offset of the
 * entry's length word; the message is freed when it returns. Returns 1 for
 * the next entry, 0 to end the walk early (not an error), -1 with error set
 * to fail it. */
typedef int (*CkptImageEntryFn)(const struct ProtobufCMessage *m, size_t off,
                                void *user, GError **error);

/* Unpacks an entry ckpt_image_next() returned from r as desc, every
 * allocation protobuf-c makes counted against r's decode budget: an entry
 * of a few bytes per field can claim tens of bytes per field decoded (a
 * million empty submessages, unknown fields), so the length limits alone
 * do not bound memory. Returns NULL with error set when the entry does not
 * decode ("<image>: entry at offset N is not a valid <Message>") or the
 * budget runs out (CKPT_ERROR_LIMIT, naming the offset and the limit).
 * Free with protobuf_c_message_free_unpacked(m, NULL). */
struct ProtobufCMessage *
ckpt_image_unpack(CkptImageReader *r,
                  const struct ProtobufCMessageDescriptor *desc,
                  const uint8_t *entry, size_t len, GError **error);

/* Unpacks every remaining entry of an opened image as desc and hands each
 * to fn. An entry that does not unpack fails the walk: "<image>: entry at
 * offset N is not a valid <Message>". */
gboolean ckpt_image_walk(CkptImageReader *r,
                         const struct ProtobufCMessageDescriptor *desc,
                         CkptImageEntryFn fn, void *user, GError **error);

#endif

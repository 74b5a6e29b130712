/* fuzz-image.c - libFuzzer harness for CRIU's image framing and the
 * protobuf decoding of every image message ckpt reads.
 *
 * Input: one selector byte (which message type), one byte of payload
 * policy, then the image bytes. Every entry the framing hands out is
 * unpacked with the selected descriptor, within a 64 MiB decode budget
 * (ckpt_image_unpack); with the payload policy set, a
 * raw payload whose length is the entry's first byte times 16 is taken
 * after each entry, as tcp-stream and pipes-data images have.
 */
#include "fuzz.h"

#include <protobuf-c/protobuf-c.h>

#include "criu/image.h"

#include "cgroup.pb-c.h"
#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "criu-files.pb-c.h"
#include "criu-ns.pb-c.h"
#include "criu-sockets.pb-c.h"
#include "fs.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pstree.pb-c.h"
#include "stats.pb-c.h"

static const ProtobufCMessageDescriptor *const descs[] = {
    &pstree_entry__descriptor,
    &core_entry__descriptor,
    &task_kobj_ids_entry__descriptor,
    &creds_entry__descriptor,
    &mm_entry__descriptor,
    &pagemap_head__descriptor,
    &pagemap_entry__descriptor,
    &fs_entry__descriptor,
    &cgroup_entry__descriptor,
    &stats_entry__descriptor,
    &file_entry__descriptor,
    &fdinfo_entry__descriptor,
    &reg_file_entry__descriptor,
    &remap_file_path_entry__descriptor,
    &memfd_inode_entry__descriptor,
    &tty_info_entry__descriptor,
    &inet_sk_entry__descriptor,
    &unix_sk_entry__descriptor,
    &packet_sock_entry__descriptor,
    &netlink_sk_entry__descriptor,
    &tcp_stream_entry__descriptor,
    &mnt_entry__descriptor,
    &utsns_entry__descriptor,
    &net_device_entry__descriptor,
    /* appended, so earlier inputs keep their message */
    &ghost_file_entry__descriptor,
    &ghost_chunk_entry__descriptor,
    &pipe_data_entry__descriptor,
    &sk_packet_entry__descriptor,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  const ProtobufCMessageDescriptor *desc = descs[data[0] % G_N_ELEMENTS(descs)];
  gboolean payloads = data[1] & 1;
  CkptImageReader r;
  GError *error = NULL;

  if (!ckpt_image_open(&r, "fuzz.img", data + 2, size - 2, 0, 1u << 20, 100000,
                       &error)) {
    g_assert(error != NULL);
    g_clear_error(&error);
    return 0;
  }
  r.max_decode = 64u << 20;
  for (;;) {
    const uint8_t *entry;
    size_t len;
    int rc = ckpt_image_next(&r, &entry, &len, &error);
    g_assert((rc < 0) == (error != NULL));
    if (rc <= 0)
      break;
    g_assert(entry >= data && len <= size && entry + len <= data + size);
    /* through the budgeted allocator, as the loaders decode */
    ProtobufCMessage *m = ckpt_image_unpack(&r, desc, entry, len, &error);
    g_assert((m == NULL) == (error != NULL));
    if (m)
      protobuf_c_message_free_unpacked(m, NULL);
    g_clear_error(&error);
    if (payloads && len > 0) {
      const uint8_t *bytes;
      if (!ckpt_image_take(&r, (uint64_t)entry[0] * 16, &bytes, &error))
        break;
      g_assert(bytes + entry[0] * 16 <= data + size);
    }
  }
  g_clear_error(&error);
  return 0;
}

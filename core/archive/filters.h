/* filters.h - the one list of decompression filters ckpt lets libarchive
 * run, used by every libarchive reader (the archive itself in imageset.c,
 * rootfs-diff.tar in diff.c).
 *
 * Only filters that libarchive runs in-process are enabled (gzip, zstd, xz,
 * lzma, bzip2, lz4, each only if this libarchive was built with its
 * library): archive_read_support_filter_all() would also run lrzip, lzop
 * and grzip as programs from PATH on archive bytes, and decode uuencoded
 * text. Encodings ckpt does not read are named from their magic, so the
 * error says what the archive is rather than "unrecognized format".
 */
#ifndef CKPT_FILTERS_H
#define CKPT_FILTERS_H

#include <archive.h>
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Enables on a reader the filters ckpt reads, and no other. */
void ckpt_filters_enable(struct archive *a);

/* What an encoding ckpt refuses is, as a phrase for "ARCHIVE: %s, which
 * ckpt does not read" ("compressed with lrzip", "uuencoded"), when its
 * magic starts head; NULL otherwise (a tar among them). */
const char *ckpt_filters_refused(const uint8_t *head, size_t n);

/* Looks under the filters ckpt reads (gzip around lrzip, say): decodes the
 * first bytes of data (len bytes) with them and names a refused encoding
 * found there, or NULL. */
const char *ckpt_filters_refused_inside(const void *data, size_t len);
/* The same for an open file, read from offset 0 with pread (the file
 * offset is left alone). */
const char *ckpt_filters_refused_inside_fd(int fd);

/* Whether every filter of an opened reader's chain is one ckpt reads;
 * sets *code to the first that is not. */
gboolean ckpt_filters_chain_ok(struct archive *a, int *code);

#endif

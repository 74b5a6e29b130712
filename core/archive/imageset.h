/* imageset.h - a checkpoint's files by name, whatever it came in.
 *
 * The image set is the first stage: it turns a plain tar, a compressed tar
 * (gzip, zstd, xz, bzip2, lz4: the filters of filters.h) or a bare CRIU
 * image directory into
 * a map from member name to bytes. Formats are told by content, never by
 * file name. Nothing is extracted to disk under its own name:
 *  - a plain tar is mapped once and members point into the mapping;
 *  - a compressed tar is decompressed in one pass; small members are held in
 *    memory, large ones (pages-*.img, rootfs-diff.tar, anything over the
 *    in-memory limit) are spooled to one unlinked temporary file which is
 *    then mapped;
 *  - a directory's files are mapped one by one.
 * Member names are normalised: CRIU images are found by their bare name
 * ("pstree.img") whether they sit in checkpoint/ (Podman, CRI-O) or at the
 * top (criu dump -D); metadata files by their top-level name
 * ("config.dump"). Bytes stay valid until the set is freed.
 */
#ifndef CKPT_IMAGESET_H
#define CKPT_IMAGESET_H

#include <glib.h>
#include <stdint.h>

#include "util/limits.h"

typedef struct CkptImageSet CkptImageSet;

/* What the input was, as told by its content. The model hands it on to
 * plugins as the SDK's CkptFormat, whose values these are. */
typedef enum {
  CKPT_SET_DIR = 0,       /* bare CRIU image directory */
  CKPT_SET_TAR = 1,       /* uncompressed tar, served in place */
  CKPT_SET_TAR_GZIP = 2,  /* gzip, decompressed in one pass */
  CKPT_SET_TAR_ZSTD = 3,  /* zstd, decompressed in one pass */
  CKPT_SET_TAR_OTHER = 4, /* another filter libarchive runs in-process */
} CkptSetFormat;

/* What an open keeps beyond the member names, sizes and small members
 * (ckpt_imageset_open_keep). Opening reads what the chain needs:
 *  - CKPT_SET_KEEP_PAGES: the bytes of a compressed archive's pages-*.img
 *    are spooled; without it they are decompressed through and dropped
 *    (the member is there, with its size, and no data: see
 *    ckpt_imageset_image and ckpt_imageset_pages_kept);
 *  - CKPT_SET_KEEP_HASH: a compressed archive is hashed while it streams;
 *    without it, ckpt_imageset_sha256 reads the file again when first
 *    asked (a plain tar or a directory is always hashed when first asked);
 *  - CKPT_SET_KEEP_ROOTFS: a compressed archive's top-level rootfs-diff.tar
 *    is spooled; without it, it is dropped as pages are (its size stays
 *    known; ckpt_imageset_rootfs_kept). A plain tar serves both in place,
 *    so there nothing is dropped. */
enum {
  CKPT_SET_KEEP_PAGES = 1u << 0,
  CKPT_SET_KEEP_HASH = 1u << 1,
  CKPT_SET_KEEP_ROOTFS = 1u << 2,
  CKPT_SET_KEEP_ALL =
      CKPT_SET_KEEP_PAGES | CKPT_SET_KEEP_HASH | CKPT_SET_KEEP_ROOTFS,
};

/* ckpt_imageset_open{,_fd} keep everything (CKPT_SET_KEEP_ALL). */
CkptImageSet *ckpt_imageset_open(const char *path, const CkptLimits *limits,
                                 GError **error);
CkptImageSet *ckpt_imageset_open_keep(const char *path,
                                      const CkptLimits *limits, unsigned keep,
                                      GError **error);
CkptImageSet *ckpt_imageset_open_fd_keep(int fd, const char *path,
                                         const CkptLimits *limits,
                                         unsigned keep, GError **error);
/* FALSE when the open dropped some page data (no CKPT_SET_KEEP_PAGES, and
 * a compressed archive held pages-*.img). */
gboolean ckpt_imageset_pages_kept(const CkptImageSet *set);
/* FALSE when the open dropped rootfs-diff.tar's data (no
 * CKPT_SET_KEEP_ROOTFS, and a compressed archive held one). */
gboolean ckpt_imageset_rootfs_kept(const CkptImageSet *set);
/* The same from a descriptor the caller opened (and closes), e.g. with
 * O_NOFOLLOW; path only names it in messages. */
CkptImageSet *ckpt_imageset_open_fd(int fd, const char *path,
                                    const CkptLimits *limits, GError **error);
/* Cheap: might fd be a checkpoint? A file whose first bytes are a tar or a
 * compressed stream the image set reads, or a directory holding
 * inventory.img or pstree.img (at the top or in checkpoint/). Reads no
 * further; *format is what ckpt_imageset_open_fd would take it for. */
gboolean ckpt_imageset_sniff_fd(int fd, CkptSetFormat *format);
void ckpt_imageset_free(CkptImageSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptImageSet, ckpt_imageset_free)

CkptSetFormat ckpt_imageset_format(const CkptImageSet *set);
const char *ckpt_imageset_path(const CkptImageSet *set);
/* size of the archive file, or the sum of a directory's files */
uint64_t ckpt_imageset_archive_size(const CkptImageSet *set);
/* Chain of custody: the hex sha256 of the checkpoint as it was read, or
 * NULL (computed on the first call for a plain tar or a directory, whose
 * bytes opening does not read; while streaming for compressed input); *of (may
 * be NULL) says what was hashed: "file" (the archive file itself, hashed while
 * compressed input streams, or over the mapping of a plain tar) or "directory
 * listing" (a bare directory: the sha256 of the "HEX  NAME" lines sha256sum
 * prints of its files, sorted by name). */
const char *ckpt_imageset_sha256(CkptImageSet *set, const char **of);

/* A CRIU image by bare name, e.g. "pstree.img", "pages-1.img". Returns
 * FALSE when absent (a normal case: images are optional). *data is NULL
 * (and *len its size) for page data the open dropped. */
gboolean ckpt_imageset_image(const CkptImageSet *set, const char *name,
                             const uint8_t **data, size_t *len);
/* A metadata member at the top, e.g. "config.dump", "rootfs-diff.tar". */
gboolean ckpt_imageset_meta(const CkptImageSet *set, const char *name,
                            const uint8_t **data, size_t *len);
/* When a member was last written (tar header or file mtime), seconds since
 * the epoch; 0 when absent or unknown. Looks up images, then metadata. */
int64_t ckpt_imageset_mtime(const CkptImageSet *set, const char *name);
/* Bare names of all CRIU images, sorted; borrowed. */
const char *const *ckpt_imageset_image_names(const CkptImageSet *set);
/* Non-fatal problems met while opening (entries skipped), NULL-ended;
 * borrowed. */
const char *const *ckpt_imageset_warnings(const CkptImageSet *set);
/* Appended: bytes of all members whose normalised name starts with
 * prefix (e.g. "checkpoint/": the images and any other file there). */
uint64_t ckpt_imageset_size_under(const CkptImageSet *set, const char *prefix);

/* Zero pages cost nothing: bytes of a member the spool took (a compressed
 * archive's pages-*.img) whose whole zero pages it left as holes. Given
 * data[0, len) inside a member and *off, finds the first stretch at or
 * after *off not known to be zero pages: sets *off to its start and *n to
 * its length and returns TRUE, or returns FALSE when the rest is zeros.
 * Bytes outside the spool (a plain tar, a directory, the heap) are never
 * known zero: the whole rest is one stretch. */
gboolean ckpt_imageset_data_next(const CkptImageSet *set, const uint8_t *data,
                                 size_t len, size_t *off, size_t *n);

/* Whether every mapped file kept its size: a plain tar or a directory's
 * file cut short while mapped reads as zeros past its new end (see
 * mapguard.h) and fails here, naming it. Call after reading. */
gboolean ckpt_imageset_check(const CkptImageSet *set, GError **error);

#endif

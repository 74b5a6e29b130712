/* sha256.h - the one SHA-256 of ckpt's chain of custody (libcrypto's,
 * which uses the CPU's SHA instructions where there are some): the image
 * set's archive hash, the rootfs diff's and `ckpt watch`'s. Hex digests
 * are lower-case, as sha256sum prints them. */
#ifndef CKPT_UTIL_SHA256_H
#define CKPT_UTIL_SHA256_H

#include <glib.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct CkptSha256 CkptSha256;

CkptSha256 *ckpt_sha256_new(void);
void ckpt_sha256_update(CkptSha256 *s, const void *data, size_t len);
/* The hex digest (g_free it); frees s. */
char *ckpt_sha256_finish(CkptSha256 *s);
void ckpt_sha256_free(CkptSha256 *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptSha256, ckpt_sha256_free)

/* The hex digest of len bytes. */
char *ckpt_sha256_data(const void *data, size_t len);
/* The hex digest of fd's bytes from offset from to its end (read with
 * pread: fd's offset is left alone), or NULL with errno set. */
char *ckpt_sha256_fd(int fd, off_t from);

#endif

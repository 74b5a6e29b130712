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

/* Under valgrind (tests/valgrind.sh sets CKPT_UNDER_VALGRIND) each 16 MiB
 * scan costs seconds: the thread tests then try fewer thread counts and
 * patterns (2 and 3 threads, cuts and none, one regex), which takes the
 * test from 23 minutes to a few; the plain and sanitizer runs try all. */
static gboolean
quick(void)
{
  return g_getenv("CKPT_UNDER_VALGRIND") != NULL;
}

/* Feeds buf as blocks cut at cuts[] (contiguous, one VMA) to a scanner of
 * that many threads and returns the hits. */
static GArray *
scan(const MemPattern *pat, const uint8_t *buf, size_t n, unsigned threads,
     size_t cap, size_t stop_after, const size_t *cuts, size_t n_cuts,
     size_t *calls)
{
  Collect c = {g_array_new(FALSE, FALSE, sizeof(Hit)), stop_after, 0};
  MemScanner *s = mem_scanner_new(pat, collect, &c);
  mem_scanner_set_threads(s, threads, cap);
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

static void
assert_same(GArray *a, GArray *b)
{
  guint diff = 0;
  while (diff < MIN(a->len, b->len) &&
         g_array_index(a, Hit, diff).addr == g_array_index(b, Hit, diff).addr &&
         g_array_index(a, Hit, diff).len == g_array_index(b, Hit, diff).len)
    diff++;
  if (diff < MAX(a->len, b->len)) {
    Hit *x = diff < a->len ? &g_array_index(a, Hit, diff) : NULL;
    Hit *y = diff < b->len ? &g_array_index(b, Hit, diff) : NULL;
    g_test_message("first difference at hit %u of %u/%u: %#" G_GINT64_MODIFIER
                   "x+%zu vs %#" G_GINT64_MODIFIER "x+%zu",
                   diff, a->len, b->len, x ? x->addr : 0, x ? x->len : 0,
                   y ? y->addr : 0, y ? y->len : 0);
  }
  g_assert_cmpuint(a->len, ==, b->len);
  g_assert_cmpuint(diff, ==, a->len);
}

/* Where chunks_run cuts a block of n starts for t threads. */
static size_t
boundary(size_t n, unsigned t, unsigned i)
{
  return n / t * i;
}

/* The big buffer: 4 chunks' worth and an odd tail, pseudo-random bytes of
 * a small alphabet, so short patterns match often. */
static uint8_t *
big_buffer(size_t *n, const char *alphabet, guint32 seed)
{
  *n = 4 * MEM_PAR_MIN + 12345;
  uint8_t *buf = g_malloc(*n);
  GRand *r = g_rand_new_with_seed(seed);
  size_t k = strlen(alphabet);
  for (size_t i = 0; i < *n; i++)
    buf[i] = (uint8_t)alphabet[g_rand_int_range(r, 0, (gint32)k)];
  g_rand_free(r);
  return buf;
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

/* Literal: planted across every chunk boundary for 2 to 4 threads at each
 * straddling offset, plus overlapping matches ("abab" in "ababab"); every
 * thread count gives one thread's list, with or without block cuts. */
static void
test_threads_literal(void)
{
  size_t n;
  g_autofree uint8_t *buf = big_buffer(&n, "abcdefgh", 19);
  static const char needle[] = "ZZ-needle-ZZ";
  size_t m = strlen(needle);
  for (unsigned t = 2; t <= 4; t++)
    for (unsigned i = 1; i < t; i++)
      for (size_t j = 0; j < m; j++) {
        size_t at = boundary(n, t, i) - j;
        if (j % 3 == 0)
          memcpy(buf + at, needle, m);
      }
  /* the same at the exact boundaries, one start each side */
  for (unsigned t = 2; t <= 4; t++)
    for (unsigned i = 1; i < t; i++) {
      memcpy(buf + boundary(n, t, i) - m + 1, needle, m);
      memcpy(buf + boundary(n, t, i) + 3 * m, needle, m);
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) pat = mem_pattern_literal(needle, m, &error);
  g_autoptr(MemPattern) pat2 = mem_pattern_literal("abab", 4, &error);
  g_autoptr(MemPattern) hex = mem_pattern_hex("5a 5a 2d", &error);
  g_assert_no_error(error);
  size_t cuts[] = {MEM_PAR_MIN / 2 + 3, 3 * MEM_PAR_MIN + 1};
  MemPattern *pats[] = {pat, pat2, hex};
  for (size_t p = 0; p < G_N_ELEMENTS(pats); p++) {
    GArray *one = scan(pats[p], buf, n, 1, 0, 0, NULL, 0, NULL);
    GArray *one_cut = scan(pats[p], buf, n, 1, 0, 0, cuts, 2, NULL);
    assert_same(one, one_cut);
    if (p == 0)
      g_assert_cmpuint(one->len, >=, 10); /* 5 distinct boundaries */
    for (unsigned t = 2; t <= (quick() ? 3u : 7u); t++) {
      GArray *many = scan(pats[p], buf, n, t, 0, 0, NULL, 0, NULL);
      assert_same(one, many);
      g_array_free(many, TRUE);
      many = scan(pats[p], buf, n, t, 0, 0, cuts, 2, NULL);
      assert_same(one, many);
      g_array_free(many, TRUE);
    }
    g_array_free(one, TRUE);
    g_array_free(one_cut, TRUE);
  }
}

/* A hit limit: the callback refuses after K hits; with the cap it was
 * promised (K + 1), with none, and with a cap below what it wants (the
 * chunks then run out and the calling thread goes on), the threads make
 * the same calls as one thread. */
static void
test_threads_max_hits(void)
{
  size_t n;
  g_autofree uint8_t *buf = big_buffer(&n, "abcdefgh", 7);
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) lit = mem_pattern_literal("abc", 3, &error);
  g_autoptr(MemPattern) re = mem_pattern_regex("a[a-d]*h", &error);
  g_assert_no_error(error);
  MemPattern *pats[] = {lit, re};
  /* the second chunk's hits: K reaches into it */
  size_t ks[] = {5, 12000, 30000};
  for (size_t p = 0; p < G_N_ELEMENTS(pats); p++)
    for (size_t k = 0; k < G_N_ELEMENTS(ks); k++) {
      size_t K = ks[k], c1 = 0, c2 = 0;
      GArray *one = scan(pats[p], buf, n, 1, 0, K, NULL, 0, &c1);
      g_assert_cmpuint(one->len, ==, K);
      size_t caps[] = {K + 1, 0, 2, K / 2 + 1};
      for (size_t c = 0; c < G_N_ELEMENTS(caps); c += quick() ? 2 : 1) {
        GArray *many = scan(pats[p], buf, n, 4, caps[c], K, NULL, 0, &c2);
        assert_same(one, many);
        g_assert_cmpuint(c1, ==, c2);
        g_array_free(many, TRUE);
      }
      g_array_free(one, TRUE);
    }
}

/* All hits wanted (cap 0) of a needle that matches everywhere: the chunks
 * keep at most MEM_CHUNK_HITS_MAX each, the calling thread goes on from
 * there, and the hits are still one thread's. */
static void
test_threads_bounded(void)
{
  size_t n;
  g_autofree uint8_t *buf = big_buffer(&n, "abcdefgh", 31);
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) pat = mem_pattern_literal("a", 1, &error);
  g_assert_no_error(error);
  GArray *one = scan(pat, buf, n, 1, 0, 0, NULL, 0, NULL);
  g_assert_cmpuint(one->len, >, 8 * MEM_CHUNK_HITS_MAX);
  for (unsigned t = 2; t <= 4; t++) {
    Collect c = {g_array_new(FALSE, FALSE, sizeof(Hit)), 0, 0};
    MemScanner *s = mem_scanner_new(pat, collect, &c);
    mem_scanner_set_threads(s, t, 0);
    CkptMemBlock b = {sizeof b, vma.start, buf, n, &vma};
    mem_scanner_feed(s, &b);
    mem_scanner_end(s);
    g_test_message("%u threads: a chunk kept at most %zu hits of %u", t,
                   mem_scanner_kept_peak(s), one->len);
    g_assert_cmpuint(mem_scanner_kept_peak(s), >, 0);
    g_assert_cmpuint(mem_scanner_kept_peak(s), <=, MEM_CHUNK_HITS_MAX);
    mem_scanner_free(s);
    assert_same(one, c.hits);
    g_array_free(c.hits, TRUE);
  }
  g_array_free(one, TRUE);
}

/* Regex: greedy runs, lazy ones, lookarounds and anchors over a small
 * alphabet, so matches are dense and often run across chunk boundaries;
 * a long match planted over each boundary makes the next chunk resync. */
static void
test_threads_regex(void)
{
  size_t n;
  g_autofree uint8_t *buf = big_buffer(&n, "abc\n", 23);
  for (unsigned t = 2; t <= 4; t++)
    for (unsigned i = 1; i < t; i++) {
      size_t at = boundary(n, t, i) - 100 * t;
      memset(buf + at, 'a', 300 * t);
      buf[at + 300 * t] = 'b';
    }
  static const char *const res[] = {
      "a+b",         "ab[abc]{0,40}?c", "(?<=c)a+(?=b)", "(?m)^[abc]*$",
      "[abc]{3,9}b", "a(?:b|c)*a",      "\\n\\n",        "ba*",
  };
  for (size_t r = 0; r < G_N_ELEMENTS(res); r++) {
    if (quick() && r != 2) /* the lookbehind: it reads before its chunk */
      continue;
    g_autoptr(GError) error = NULL;
    g_autoptr(MemPattern) pat = mem_pattern_regex(res[r], &error);
    g_assert_no_error(error);
    size_t cuts[] = {MEM_PAR_MIN / 3, 2 * MEM_PAR_MIN + 77};
    GArray *one = scan(pat, buf, n, 1, 0, 0, NULL, 0, NULL);
    GArray *one_cut = scan(pat, buf, n, 1, 0, 0, cuts, 2, NULL);
    g_test_message("%s: %u hits", res[r], one->len);
    g_assert_cmpuint(one->len, >, 0);
    for (unsigned t = 2; t <= (quick() ? 3u : 5u); t++) {
      GArray *many = scan(pat, buf, n, t, 0, 0, NULL, 0, NULL);
      assert_same(one, many);
      g_array_free(many, TRUE);
      many = scan(pat, buf, n, t, 0, 0, cuts, 2, NULL);
      assert_same(one_cut, many);
      g_array_free(many, TRUE);
    }
    g_array_free(one, TRUE);
    g_array_free(one_cut, TRUE);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/memscan/literal/common-rare-bytes", test_common_rare_bytes);
  g_test_add_func("/memscan/threads/literal", test_threads_literal);
  g_test_add_func("/memscan/threads/max-hits", test_threads_max_hits);
  g_test_add_func("/memscan/threads/regex", test_threads_regex);
  g_test_add_func("/memscan/threads/bounded", test_threads_bounded);
  return g_test_run();
}

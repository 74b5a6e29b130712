/* search.c - patterns and the streaming scanner behind --search,
 * --search-hex and --search-regex.
 *
 * Memory arrives as blocks: one per contiguous run of dumped pages inside a
 * VMA, and a run may be cut in two where the pages file is not contiguous.
 * A match may straddle such a cut, so the scanner keeps the last bytes of
 * the previous block (the tail) and, when the next block continues it in
 * the same VMA, searches a small seam buffer (tail + head of the new block)
 * for matches that start in the tail. Bytes are matched as they are: NUL
 * and non-printable bytes are ordinary bytes (no text conversion first).
 *
 * Literal patterns (text or hex) report every occurrence, overlapping ones
 * too, found with memchr() on the pattern's rarest byte and a memcmp(); if
 * that byte turns out to be common in the data, the block is finished with
 * glibc's memmem(). Regex patterns (PCRE2, JIT-compiled, bytes not UTF-8)
 * report non-overlapping leftmost matches; a regex match crossing a cut is
 * found when it reaches at most MEM_REGEX_WINDOW bytes either side of it.
 */
#define _GNU_SOURCE /* memmem */
#include "mem.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#define MEM_MAX_PATTERN (64 * 1024)
#define MEM_REGEX_WINDOW 4096
/* PCRE2 work bounds per match attempt: hostile data cannot make a run
 * hang in backtracking; an attempt over the bound counts as an error. */
#define MEM_REGEX_MATCH_LIMIT 10000000u
#define MEM_REGEX_DEPTH_LIMIT 100000u

struct MemPattern {
  gboolean regex;
  uint8_t *bytes; /* literal */
  size_t len;
  size_t rare;  /* index of the byte to memchr() for */
  size_t rare2; /* another rare byte's index, checked alongside */
  pcre2_code *code;
};

/* How common a byte value is in process memory, roughly: zero pages and
 * padding, 0xff fills, pointer bytes (0x7f, 0x55, 0x56), then text. Lower
 * is rarer; the scanner looks for the rarest byte of the pattern. */
static unsigned
byte_commonness(uint8_t c)
{
  if (c == 0x00)
    return 255;
  if (c == 0xff)
    return 200;
  if (c == 0x7f || c == 0x55 || c == 0x56 || c == 0x01)
    return 150;
  if (c == ' ' || c == 'e' || c == 't' || c == 'a' || c == 'o' || c == '/')
    return 140;
  if (g_ascii_islower(c) || c == '\n' || c == '.' || c == '_')
    return 120;
  if (g_ascii_isdigit(c) || c == 0x08 || c == 0x10 || c == 0x20 || c == 0x40)
    return 100;
  if (g_ascii_isupper(c) || g_ascii_ispunct(c))
    return 80;
  return 60;
}

/* Index of the rarest byte of p, other than position skip. */
static size_t
rarest_index(const uint8_t *p, size_t n, size_t skip)
{
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < n; i++)
    if (i != skip &&
        (best == SIZE_MAX || byte_commonness(p[i]) < byte_commonness(p[best])))
      best = i;
  return best == SIZE_MAX ? 0 : best;
}

static MemPattern *
literal_take(uint8_t *bytes, size_t len)
{
  MemPattern *p = g_new0(MemPattern, 1);
  p->bytes = bytes;
  p->len = len;
  p->rare = rarest_index(bytes, len, SIZE_MAX);
  p->rare2 = rarest_index(bytes, len, p->rare);
  return p;
}

MemPattern *
mem_pattern_literal(const void *bytes, size_t len, GError **error)
{
  if (len == 0 || len > MEM_MAX_PATTERN) {
    g_set_error(error, MEM_ERROR, 0,
                "search pattern must be 1 to %d bytes, not %zu",
                MEM_MAX_PATTERN, len);
    return NULL;
  }
  return literal_take(g_memdup2(bytes, len), len);
}

static gboolean
hex_separator(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == ':' || c == ',' || c == '-';
}

MemPattern *
mem_pattern_hex(const char *text, GError **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new();
  const char *s = text;
  while (*s) {
    if (hex_separator(*s)) {
      s++;
      continue;
    }
    /* "\xde" and "0xde" prefixes; 'x' is never a hex digit */
    if ((s[0] == '\\' || s[0] == '0') && (s[1] == 'x' || s[1] == 'X')) {
      s += 2;
      continue;
    }
    if (!g_ascii_isxdigit(s[0]) || !g_ascii_isxdigit(s[1])) {
      g_set_error(error, MEM_ERROR, 0,
                  "--search-hex: expected two hex digits at offset %zu "
                  "of '%s'",
                  (size_t)(s - text), text);
      return NULL;
    }
    uint8_t b =
        (uint8_t)(g_ascii_xdigit_value(s[0]) << 4 | g_ascii_xdigit_value(s[1]));
    g_byte_array_append(out, &b, 1);
    s += 2;
  }
  if (out->len == 0 || out->len > MEM_MAX_PATTERN) {
    g_set_error(error, MEM_ERROR, 0,
                "--search-hex: pattern must be 1 to %d bytes, not %u",
                MEM_MAX_PATTERN, out->len);
    return NULL;
  }
  guint n = out->len;
  return literal_take(g_byte_array_free(g_steal_pointer(&out), FALSE), n);
}

MemPattern *
mem_pattern_regex(const char *re, GError **error)
{
  int code = 0;
  PCRE2_SIZE where = 0;
  if (re == NULL || *re == '\0') {
    g_set_error(error, MEM_ERROR, 0, "--search-regex: empty pattern");
    return NULL;
  }
  /* No PCRE2_UTF: memory is bytes; \xNN matches one byte. */
  pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                PCRE2_NEVER_UTF, &code, &where, NULL);
  if (c == NULL) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    g_set_error(error, MEM_ERROR, 0, "--search-regex: %s at offset %zu of '%s'",
                (char *)msg, (size_t)where, re);
    return NULL;
  }
  /* JIT is an optimisation: the interpreter still works without it.
   * CKPT_NO_JIT=1 turns it off: valgrind cannot follow JIT code, whose
   * SIMD loads read aligned blocks past the subject's end (within a page);
   * tests/valgrind.sh sets it so what valgrind checks is ours. */
  if (g_strcmp0(g_getenv("CKPT_NO_JIT"), "1") != 0)
    (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
  MemPattern *p = g_new0(MemPattern, 1);
  p->regex = TRUE;
  p->code = c;
  return p;
}

void
mem_pattern_free(MemPattern *p)
{
  if (p == NULL)
    return;
  g_free(p->bytes);
  if (p->code)
    pcre2_code_free(p->code);
  g_free(p);
}

const uint8_t *
mem_pattern_bytes(const MemPattern *p, size_t *len)
{
  *len = p->regex ? 0 : p->len;
  return p->regex ? NULL : p->bytes;
}

/* ---- the scanner -------------------------------------------------------- */
struct MemScanner {
  const MemPattern *pat;
  MemHitFunc fn;
  void *user;
  gboolean stopped;
  uint64_t errors;
  /* the seam: the last `window` bytes of the contiguous run so far */
  size_t window;
  uint8_t *tail, *seam;
  size_t tail_len;
  uint64_t tail_addr;
  gboolean have_prev;
  uint64_t next_addr; /* address after the last block fed */
  const CkptVmaInfo *vma;
  /* regex: matches must not overlap; a match ending exactly at a block's
   * end is held back until the next block shows whether it goes on */
  uint64_t last_end;
  gboolean pending;
  uint64_t pend_addr;
  size_t pend_len;
  const CkptVmaInfo *pend_vma;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit_stack;
  /* zero pages: how far a match reaches around non-zero bytes */
  gboolean reach_known;
  size_t reach;
  /* threads: one scanner per worker (its own PCRE2 match data and JIT
   * stack), made on first use; cap bounds the hits a chunk keeps, and
   * kept_peak is the most a chunk kept */
  unsigned threads;
  size_t cap;
  size_t kept_peak;
  MemScanner *workers[MEM_MAX_THREADS];
};

MemScanner *
mem_scanner_new(const MemPattern *p, MemHitFunc fn, void *user)
{
  MemScanner *s = g_new0(MemScanner, 1);
  s->pat = p;
  s->fn = fn;
  s->user = user;
  s->window = p->regex ? MEM_REGEX_WINDOW : p->len - 1;
  s->tail = g_malloc(s->window + 1);
  s->seam = g_malloc(2 * s->window + 1);
  if (p->regex) {
    s->md = pcre2_match_data_create_from_pattern(p->code, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(s->mctx, MEM_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, MEM_REGEX_DEPTH_LIMIT);
    s->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (s->jit_stack)
      pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
  }
  return s;
}

void
mem_scanner_free(MemScanner *s)
{
  if (s == NULL)
    return;
  if (s->md)
    pcre2_match_data_free(s->md);
  if (s->mctx)
    pcre2_match_context_free(s->mctx);
  if (s->jit_stack)
    pcre2_jit_stack_free(s->jit_stack);
  for (unsigned i = 0; i < MEM_MAX_THREADS; i++)
    mem_scanner_free(s->workers[i]);
  g_free(s->tail);
  g_free(s->seam);
  g_free(s);
}

#if defined(__x86_64__) && defined(__GNUC__)
static gboolean have_avx2(void);
#endif

void
mem_scanner_set_threads(MemScanner *s, unsigned threads, size_t cap)
{
  s->threads = CLAMP(threads, 1, MEM_MAX_THREADS);
  /* no cap (all hits wanted) or a large one still keeps at most
   * MEM_CHUNK_HITS_MAX a chunk: the calling thread goes on from a full
   * chunk's last hit by itself, so a needle matching everywhere costs
   * parallelism, not memory */
  s->cap = cap == 0 || cap > MEM_CHUNK_HITS_MAX ? MEM_CHUNK_HITS_MAX : cap;
#if defined(__x86_64__) && defined(__GNUC__)
  (void)have_avx2(); /* asked here, so workers only read the answer */
#endif
}

size_t
mem_scanner_kept_peak(const MemScanner *s)
{
  return s->kept_peak;
}

gboolean
mem_scanner_stopped(const MemScanner *s)
{
  return s->stopped;
}

uint64_t
mem_scanner_errors(const MemScanner *s)
{
  return s->errors;
}

static void
report(MemScanner *s, uint64_t addr, size_t len, const CkptVmaInfo *vma)
{
  if (!s->stopped && !s->fn(addr, len, vma, s->user))
    s->stopped = TRUE;
}

/* Keeps the last `window` bytes of the contiguous run, b included. */
static void
tail_push(MemScanner *s, const CkptMemBlock *b, gboolean contiguous)
{
  size_t w = s->window;
  if (!contiguous)
    s->tail_len = 0;
  if (b->len >= w) {
    memcpy(s->tail, b->data + b->len - w, w);
    s->tail_len = w;
    s->tail_addr = b->addr + b->len - w;
  } else {
    size_t keep = MIN(s->tail_len, w - b->len);
    memmove(s->tail, s->tail + s->tail_len - keep, keep);
    memcpy(s->tail + keep, b->data, b->len);
    s->tail_len = keep + b->len;
    s->tail_addr = b->addr - keep;
  }
  s->have_prev = TRUE;
  s->next_addr = b->addr + b->len;
  s->vma = b->vma;
}

static gboolean
continues(const MemScanner *s, const CkptMemBlock *b)
{
  return s->have_prev && b->vma == s->vma && b->addr == s->next_addr;
}

/* ---- threads ------------------------------------------------------------ */

/* A block is cut into one chunk per thread; each worker finds the matches
 * that start in its chunk [from, to) and keeps them (block offsets, in
 * order, at most cap), and the calling thread reports them chunk by chunk,
 * so the callback sees what one thread would have shown it, in the same
 * order, and is only ever called on the calling thread. */
typedef struct {
  size_t start, end;
} MemHit;

typedef struct {
  MemScanner *w; /* the worker's scanner */
  const CkptMemBlock *b;
  size_t from, to;
  GArray *hits; /* MemHit */
  size_t cap;
  gboolean full;   /* stopped at cap: the rest of the chunk is unsearched */
  uint64_t errors; /* regex engine errors in this chunk */
} Chunk;

static gboolean
chunk_take(uint64_t addr, size_t len, const CkptVmaInfo *vma, void *user)
{
  (void)vma;
  Chunk *c = user;
  MemHit h = {(size_t)addr, (size_t)addr + len};
  g_array_append_val(c->hits, h);
  if (c->cap && c->hits->len >= c->cap) {
    c->full = TRUE;
    return FALSE;
  }
  return TRUE;
}

static void literal_scan(MemScanner *s, const uint8_t *h, size_t n,
                         size_t starts, uint64_t base, const CkptVmaInfo *vma);
static gboolean regex_next(MemScanner *s, const uint8_t *h, size_t n,
                           size_t *off, size_t *ms, size_t *me);

static gpointer
chunk_main(gpointer data)
{
  Chunk *c = data;
  MemScanner *w = c->w;
  const uint8_t *h = c->b->data;
  size_t n = c->b->len;
  w->stopped = FALSE;
  w->errors = 0;
  if (!w->pat->regex) {
    /* the chunk's starts, and the pattern's length - 1 bytes after them */
    size_t m = w->pat->len;
    literal_scan(w, h + c->from, MIN(n - c->from, c->to - c->from + m - 1),
                 c->to - c->from, c->from, NULL);
  } else {
    /* the whole block is the subject, so lookarounds and greedy ends see
     * the bytes past the chunk as one thread would */
    size_t off = c->from, ms, me;
    while (!w->stopped && regex_next(w, h, n, &off, &ms, &me) && ms < c->to)
      report(w, ms, me - ms, NULL);
  }
  c->errors = w->errors;
  return NULL;
}

/* Cuts b's starts from `from` on into chunks and runs them; NULL when the
 * block is too small to be worth threads. *n_out gets the chunk count. */
static Chunk *
chunks_run(MemScanner *s, const CkptMemBlock *b, size_t from, size_t starts,
           unsigned *n_out)
{
  size_t span = starts > from ? starts - from : 0;
  unsigned n = (unsigned)MIN((size_t)s->threads, span / MEM_PAR_MIN);
  if (n < 2)
    return NULL;
  Chunk *ch = g_new0(Chunk, n);
  GThread *t[MEM_MAX_THREADS] = {NULL};
  for (unsigned i = 0; i < n; i++) {
    if (s->workers[i] == NULL)
      s->workers[i] = mem_scanner_new(s->pat, chunk_take, NULL);
    ch[i].w = s->workers[i];
    ch[i].w->user = &ch[i];
    ch[i].b = b;
    ch[i].from = from + span / n * i;
    ch[i].to = i + 1 == n ? starts : from + span / n * (i + 1);
    ch[i].hits = g_array_new(FALSE, FALSE, sizeof(MemHit));
    ch[i].cap = s->cap;
  }
  for (unsigned i = 1; i < n; i++)
    t[i] = g_thread_try_new("ckpt-search", chunk_main, &ch[i], NULL);
  chunk_main(&ch[0]);
  for (unsigned i = 1; i < n; i++) {
    if (t[i])
      g_thread_join(t[i]);
    else
      chunk_main(&ch[i]); /* no thread to be had: do it here */
  }
  *n_out = n;
  return ch;
}

static void
chunks_free(MemScanner *s, Chunk *ch, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    s->kept_peak = MAX(s->kept_peak, (size_t)ch[i].hits->len);
    g_array_free(ch[i].hits, TRUE);
  }
  g_free(ch);
}

/* ---- literal ------------------------------------------------------------ */

/* Candidate filter: 32 starts at a time, those whose two rare bytes both
 * match (one in 65536 on random bytes, where memchr() on one byte stops
 * every 256). Returns the first start not examined; sets *misses to
 * SIZE_MAX when candidates fail so often that memmem() should go on. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* how far ahead of the filter its bytes are asked for: a page, measured
 * best of 2-16 KiB (bench/RESULTS.md) */
#define LITERAL_AHEAD 4096

__attribute__((target("avx2"))) static size_t
literal_avx2(MemScanner *s, const uint8_t *h, size_t last, uint64_t base,
             const CkptVmaInfo *vma, size_t *misses)
{
  const uint8_t *pat = s->pat->bytes;
  size_t m = s->pat->len, k1 = s->pat->rare, k2 = s->pat->rare2;
  const __m256i b1 = _mm256_set1_epi8((char)pat[k1]);
  const __m256i b2 = _mm256_set1_epi8((char)pat[k2]);
  size_t i = 0;
  /* loads reach i + 31 + max(k1, k2) <= last + m - 1 < n */
  for (; i + 32 <= last + 1 && !s->stopped; i += 32) {
    /* asks for the line LITERAL_AHEAD on: one core's demand loads and
     * the hardware prefetcher alone leave DRAM part idle (a prefetch never
     * faults, so one past the end is only dropped; the address is made as
     * an integer, a pointer past the block's end being undefined) */
    if ((i & 63) == 0)
      _mm_prefetch((const char *)((uintptr_t)h + i + LITERAL_AHEAD),
                   _MM_HINT_T0);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(h + i + k1));
    __m256i x2 = _mm256_loadu_si256((const __m256i *)(h + i + k2));
    uint32_t mask = (uint32_t)_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(x1, b1), _mm256_cmpeq_epi8(x2, b2)));
    while (mask) {
      size_t at = i + (size_t)__builtin_ctz(mask);
      mask &= mask - 1;
      if (memcmp(h + at, pat, m) == 0)
        report(s, base + at, m, vma);
      else if (++*misses > 4096 && *misses * 16 > at) {
        /* both bytes are common here; the candidates before at in this
         * group are done (reported or not matches): memmem() goes on
         * after at, or a match before it would be reported twice */
        *misses = SIZE_MAX;
        return at + 1;
      }
    }
  }
  return i;
}

static gboolean
have_avx2(void)
{
  static int have = -1;
  if (have < 0)
    have = __builtin_cpu_supports("avx2");
  return have;
}
#endif

/* Every occurrence starting in [0, starts) of h[0, n). */
static void
literal_scan(MemScanner *s, const uint8_t *h, size_t n, size_t starts,
             uint64_t base, const CkptVmaInfo *vma)
{
  const uint8_t *pat = s->pat->bytes;
  size_t m = s->pat->len, k = s->pat->rare;
  if (n < m || starts == 0)
    return;
  size_t last = MIN(n - m, starts - 1); /* last possible start */
  size_t pos = 0, misses = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (m >= 2 && have_avx2())
    pos = literal_avx2(s, h, last, base, vma, &misses);
#endif
  while (pos <= last && !s->stopped && misses != SIZE_MAX) {
    const uint8_t *q = memchr(h + pos + k, pat[k], last - pos + 1);
    if (q == NULL)
      return;
    size_t at = (size_t)(q - h) - k;
    if (memcmp(h + at, pat, m) == 0)
      report(s, base + at, m, vma);
    else if (++misses > 4096 && misses * 32 > at)
      break; /* the "rare" byte is common here: let memmem() go on */
    pos = at + 1;
  }
  while (pos <= last && !s->stopped) {
    const uint8_t *q = memmem(h + pos, last - pos + m, pat, m);
    if (q == NULL)
      return;
    size_t at = (size_t)(q - h);
    report(s, base + at, m, vma);
    pos = at + 1;
  }
}

/* Every occurrence starting in b, on s->threads threads when it is big:
 * a chunk's scan reads the pattern's length - 1 bytes past its end, so a
 * match straddling two chunks is found once, by the chunk it starts in. */
static void
literal_block(MemScanner *s, const CkptMemBlock *b)
{
  unsigned n = 0;
  Chunk *ch = s->threads > 1 ? chunks_run(s, b, 0, b->len, &n) : NULL;
  if (ch == NULL) {
    literal_scan(s, b->data, b->len, b->len, b->addr, b->vma);
    return;
  }
  size_t m = s->pat->len;
  for (unsigned k = 0; k < n && !s->stopped; k++) {
    Chunk *c = &ch[k];
    size_t next = c->from;
    for (guint i = 0; i < c->hits->len && !s->stopped; i++) {
      MemHit *h = &g_array_index(c->hits, MemHit, i);
      report(s, b->addr + h->start, m, b->vma);
      next = h->start + 1;
    }
    if (c->full && !s->stopped) /* the callback wants more than cap */
      literal_scan(s, b->data + next, MIN(b->len - next, c->to - next + m - 1),
                   c->to - next, b->addr + next, b->vma);
  }
  chunks_free(s, ch, n);
}

static void
literal_feed(MemScanner *s, const CkptMemBlock *b)
{
  gboolean cont = continues(s, b);
  if (cont && s->tail_len > 0) {
    size_t take = MIN(s->window, b->len);
    memcpy(s->seam, s->tail, s->tail_len);
    memcpy(s->seam + s->tail_len, b->data, take);
    literal_scan(s, s->seam, s->tail_len + take, s->tail_len, s->tail_addr,
                 b->vma);
  }
  literal_block(s, b);
  tail_push(s, b, cont);
}

/* ---- regex -------------------------------------------------------------- */

/* Next non-empty match in h[0, n) at or after *off; FALSE at the end or on
 * an engine error (counted). */
static gboolean
regex_next(MemScanner *s, const uint8_t *h, size_t n, size_t *off, size_t *ms,
           size_t *me)
{
  while (*off <= n) {
    int rc = pcre2_match(s->pat->code, h, n, *off, 0, s->md, s->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
      return FALSE;
    if (rc < 0) {
      /* match limit, JIT stack: give up on the rest of this buffer
       * rather than retry at every byte */
      s->errors++;
      return FALSE;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    if (ov[1] > ov[0] && ov[1] <= n) {
      *ms = ov[0];
      *me = ov[1];
      *off = ov[1];
      return TRUE;
    }
    *off = ov[0] + 1; /* an empty match: step over it */
  }
  return FALSE;
}

static void
flush_pending(MemScanner *s)
{
  if (s->pending) {
    report(s, s->pend_addr, s->pend_len, s->pend_vma);
    s->last_end = s->pend_addr + s->pend_len;
  }
  s->pending = FALSE;
}

/* Matches that start in the tail and run into b; returns where the block's
 * own scan starts (after the last match reported here). */
static size_t
regex_seam(MemScanner *s, const CkptMemBlock *b)
{
  size_t take = MIN(s->window, b->len), n = s->tail_len + take;
  memcpy(s->seam, s->tail, s->tail_len);
  memcpy(s->seam + s->tail_len, b->data, take);

  if (s->pending && s->pend_addr < s->tail_addr)
    flush_pending(s); /* began too far back to re-match: keep as found */
  uint64_t from = s->pending ? s->pend_addr : MAX(s->tail_addr, s->last_end);
  /* The pending match is replaced by what the seam finds from its start:
   * the same match, a longer one, or nothing (it was an artefact of the
   * block's end, e.g. "$"). */
  s->pending = FALSE;

  size_t off = (size_t)(from - s->tail_addr), ms, me;
  while (off < s->tail_len && !s->stopped &&
         regex_next(s, s->seam, n, &off, &ms, &me)) {
    if (ms >= s->tail_len)
      break; /* starts in b: the block scan finds it */
    if (me == n && take == b->len) {
      /* runs to the end of b, which is small: it may go on further */
      s->pending = TRUE;
      s->pend_addr = s->tail_addr + ms;
      s->pend_len = me - ms;
      s->pend_vma = b->vma;
      return b->len;
    }
    report(s, s->tail_addr + ms, me - ms, b->vma);
    s->last_end = s->tail_addr + me;
  }
  return s->last_end > b->addr ? (size_t)(s->last_end - b->addr) : 0;
}

/* A match [ms, me) of block b: reported, or held back when it runs to the
 * block's end (FALSE then: it is the block's last). */
static gboolean
regex_take(MemScanner *s, const CkptMemBlock *b, size_t ms, size_t me)
{
  if (me == b->len) {
    s->pending = TRUE;
    s->pend_addr = b->addr + ms;
    s->pend_len = me - ms;
    s->pend_vma = b->vma;
    return FALSE;
  }
  report(s, b->addr + ms, me - ms, b->vma);
  s->last_end = b->addr + me;
  return TRUE;
}

/* One thread's way through b from *e (where the next search starts):
 * matches starting before `to`. TRUE when one at or after `to` was seen
 * (the block goes on), FALSE when the block is finished (no more matches,
 * held back, an engine error, or the callback stopped). */
static gboolean
regex_seq(MemScanner *s, const CkptMemBlock *b, size_t *e, size_t to)
{
  size_t off = *e, ms, me;
  while (!s->stopped && regex_next(s, b->data, b->len, &off, &ms, &me)) {
    if (ms >= to)
      return TRUE;
    if (!regex_take(s, b, ms, me))
      return FALSE;
    *e = me;
  }
  return FALSE;
}

/* Leftmost non-overlapping matches depend on where the last one ended, so
 * a chunk's worker, which searched from the chunk's start, may disagree
 * with one thread while the previous chunk's last match runs into it.
 * From that end the calling thread searches on its own until it finds a
 * match the worker found too (same start and end): from there on both
 * search from the same offset of the same subject, so the worker's list
 * is one thread's. A chunk whose worker hit an engine limit is searched
 * from there to the block's end as one thread would (the limit counts
 * per search, and the worker's searches started elsewhere). */
static void
regex_block(MemScanner *s, const CkptMemBlock *b, size_t off)
{
  unsigned n = 0;
  Chunk *ch = s->threads > 1 ? chunks_run(s, b, off, b->len, &n) : NULL;
  size_t e = off;
  if (ch == NULL) {
    regex_seq(s, b, &e, SIZE_MAX);
    return;
  }
  gboolean go = TRUE;
  for (unsigned k = 0; k < n && go && !s->stopped; k++) {
    Chunk *c = &ch[k];
    if (c->errors) {
      regex_seq(s, b, &e, SIZE_MAX);
      break;
    }
    guint i = 0;
    gboolean synced = e <= c->from;
    while (!synced && go && !s->stopped) {
      size_t o = e, ms, me;
      if (!regex_next(s, b->data, b->len, &o, &ms, &me)) {
        go = FALSE; /* nothing more in the block, or the engine gave up */
        break;
      }
      if (ms >= c->to)
        break; /* nothing more in this chunk */
      while (i < c->hits->len && g_array_index(c->hits, MemHit, i).start < ms)
        i++;
      MemHit *h = i < c->hits->len ? &g_array_index(c->hits, MemHit, i) : NULL;
      if (h && h->start == ms && h->end == me)
        synced = TRUE;
      else if (!regex_take(s, b, ms, me))
        go = FALSE;
      else
        e = me;
    }
    if (!synced)
      continue;
    for (; i < c->hits->len && go && !s->stopped; i++) {
      MemHit *h = &g_array_index(c->hits, MemHit, i);
      if (!regex_take(s, b, h->start, h->end))
        go = FALSE;
      else
        e = h->end;
    }
    if (c->full && go && !s->stopped) /* the callback wants more than cap */
      go = regex_seq(s, b, &e, c->to);
  }
  chunks_free(s, ch, n);
}

static void
regex_feed(MemScanner *s, const CkptMemBlock *b)
{
  gboolean cont = continues(s, b);
  size_t off = 0;
  if (!cont)
    flush_pending(s);
  else if (s->tail_len > 0)
    off = regex_seam(s, b);
  regex_block(s, b, off);
  tail_push(s, b, cont);
}

void
mem_scanner_feed(MemScanner *s, const CkptMemBlock *b)
{
  if (s->stopped || b->len == 0)
    return;
  if (s->pat->regex)
    regex_feed(s, b);
  else
    literal_feed(s, b);
}

/* How far a match reaches from a byte that is not zero: SIZE_MAX when a
 * match may be zeros alone (a literal of zero bytes, a regex that matches
 * in a page of zeros), so no zero page may be skipped. */
static size_t
zero_reach(MemScanner *s)
{
  if (!s->pat->regex) {
    for (size_t i = 0; i < s->pat->len; i++)
      if (s->pat->bytes[i] != 0)
        return s->pat->len - 1;
    return SIZE_MAX;
  }
  static const uint8_t zeros[3 * MEM_REGEX_WINDOW];
  size_t off = 0, ms, me;
  uint64_t errors = s->errors;
  gboolean hit = regex_next(s, zeros, sizeof zeros, &off, &ms, &me);
  if (s->errors != errors) {
    s->errors = errors; /* not a place in memory: undecided, do not skip */
    return SIZE_MAX;
  }
  return hit ? SIZE_MAX : MEM_REGEX_WINDOW;
}

static void
feed_piece(MemScanner *s, const CkptMemBlock *b, size_t from, size_t to)
{
  CkptMemBlock piece = *b;
  piece.addr = b->addr + from;
  piece.data = b->data + from;
  piece.len = to - from;
  mem_scanner_feed(s, &piece);
}

void
mem_scanner_feed_sparse(MemScanner *s, const CkptApi *api, const CkptProcess *p,
                        const CkptMemBlock *b)
{
  if (!s->reach_known) {
    s->reach = zero_reach(s);
    s->reach_known = TRUE;
  }
  size_t pad = s->reach;
  if (pad == SIZE_MAX || p == NULL || !CKPT_HAS(api, mem_data_next) ||
      api->mem_data_next == NULL || b->len <= 2 * pad) {
    mem_scanner_feed(s, b);
    return;
  }
  /* Every stretch that is not zero pages, widened by pad either side, and
   * the block's first and last pad bytes (a match across the seam with the
   * next or previous block reaches that far into this one). */
  size_t cur_from = 0, cur_to = pad; /* the piece being gathered */
  size_t off = 0, n = 0;
  while (!s->stopped && api->mem_data_next(p, b, &off, &n) && n > 0) {
    size_t from = off > pad ? off - pad : 0;
    size_t to = b->len - (off + n) > pad ? off + n + pad : b->len;
    if (from > cur_to) {
      if (cur_to > cur_from)
        feed_piece(s, b, cur_from, cur_to);
      cur_from = from;
    }
    cur_to = MAX(cur_to, to);
    off += n;
  }
  if (b->len - pad > cur_to) {
    if (cur_to > cur_from)
      feed_piece(s, b, cur_from, cur_to);
    cur_from = b->len - pad;
  }
  feed_piece(s, b, cur_from, b->len);
}

void
mem_scanner_end(MemScanner *s)
{
  flush_pending(s);
  s->have_prev = FALSE;
  s->tail_len = 0;
  s->last_end = 0;
}

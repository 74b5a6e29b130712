/* test-memory.c - the memory reader on the real fixtures: the workload's
 * markers (tests/fixtures/markers-*.txt) read back at their recorded
 * addresses, the file-only page absent, VMA lookup, and the block iterator
 * covering exactly the present bytes without ever crossing a VMA; also read
 * from several threads at once; the zero page stretches of a compressed
 * archive.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "model/model.h"

#define PAGE 4096u

static const uint8_t binary_pattern[16] = {0xde, 0xad, 0x00, 0xbe, 0xef, 0x00,
                                           0xff, 0x01, 0x7f, 0x80, 0x00, 0x00,
                                           0xc3, 0xa9, 0x0a, 0x0d};

/* What the workload planted under each marker name (workload.c). */
static const struct {
  const char *name;
  const void *bytes;
  size_t len;
} planted[] = {
#define S(n, s)                                                                \
  {                                                                            \
    n, s, sizeof(s) - 1                                                        \
  }
    S("heap", "CKPT-MARKER-HEAP-7f3a"),
    S("straddle", "CKPT-MARKER-STRADDLE-PAGE-BOUNDARY"),
    S("thread-stack", "CKPT-MARKER-THREAD-STACK"),
    S("worker-heap", "CKPT-MARKER-WORKER-HEAP"),
    S("usr1-heap", "CKPT-MARKER-USR1-HEAP"),
    S("session-secret", "sess_9c4e7a1f2b8d3e6a5c0f7b2d9e4a1c8f"),
    S("pem", "-----BEGIN RSA PRIVATE KEY-----\n"),
    S("jwt", "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ."),
    S("slack", "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B"),
#undef S
    {"binary", binary_pattern, sizeof(binary_pattern)},
};

/* Every fixture records at least the ten markers of planted[]. */
static GArray *
load_markers(const char *fixture)
{
  GArray *m = fixture_markers(fixture);
  g_assert_cmpuint(m->len, >=, 10);
  return m;
}

static void
test_markers(gconstpointer data)
{
  const char *const *fx = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fx[0]);
  g_autoptr(GArray) markers = load_markers(fx[1]);
  size_t checked = 0;

  for (guint i = 0; i < markers->len; i++) {
    const FixtureMarker *m = &g_array_index(markers, FixtureMarker, i);
    const CkptProcess *p = ckpt_checkpoint_process(c, m->pid);
    g_assert_nonnull(p);
    uint8_t buf[128];

    if (g_str_equal(m->name, "fileonly")) {
      /* clean page cache of a file mapping: not in the dump at all */
      const CkptVmaInfo *v = ckpt_mem_vma_find(p, m->addr);
      g_assert_nonnull(v);
      g_assert_cmpint(v->kind, ==, CKPT_VMA_FILE);
      g_assert_cmpuint(v->present, ==, 0);
      g_assert_cmpuint(ckpt_mem_read(p, m->addr, buf, 64), ==, 0);
      checked++;
      continue;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(planted); k++) {
      if (!g_str_equal(m->name, planted[k].name))
        continue;
      g_assert_cmpuint(ckpt_mem_read(p, m->addr, buf, planted[k].len), ==,
                       planted[k].len);
      if (memcmp(buf, planted[k].bytes, planted[k].len) != 0)
        g_error("%s: marker %s of pid %u not at 0x%" G_GINT64_MODIFIER "x",
                fx[0], m->name, m->pid, m->addr);
      if (g_str_equal(m->name, "straddle")) {
        /* it really crosses a page boundary, and reads whole */
        g_assert_cmpuint(m->addr / PAGE, !=,
                         (m->addr + planted[k].len - 1) / PAGE);
        g_assert_cmpuint(PAGE - m->addr % PAGE, ==, 13);
      }
      checked++;
    }
  }
  g_assert_cmpuint(checked, ==, markers->len);
}

/* The worker was forked after pid 1 planted its heap marker: it holds a
 * copy at the same address. */
static void
test_fork_copy(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  g_autoptr(GArray) markers = load_markers("podman-none");
  uint32_t worker = 0;
  uint64_t heap = 0;
  for (guint i = 0; i < markers->len; i++) {
    const FixtureMarker *m = &g_array_index(markers, FixtureMarker, i);
    if (g_str_equal(m->name, "worker-heap"))
      worker = m->pid;
    if (g_str_equal(m->name, "heap"))
      heap = m->addr;
  }
  const CkptProcess *w = ckpt_checkpoint_process(c, worker);
  g_assert_nonnull(w);
  char buf[21];
  g_assert_cmpuint(ckpt_mem_read(w, heap, buf, sizeof(buf)), ==, sizeof(buf));
  g_assert_true(memcmp(buf, "CKPT-MARKER-HEAP-7f3a", 21) == 0);
}

/* Every present byte, and nothing else, comes out of the iterator, one
 * block per VMA-bounded run, in address order. */
static void
check_iterator(const CkptProcess *p)
{
  CkptMemIter *it = ckpt_mem_iter_new(p);
  CkptMemBlock b;
  uint64_t total = 0, last_end = 0;
  g_autofree uint8_t *buf = NULL;
  size_t buf_len = 0;

  while (ckpt_mem_iter_next(it, &b)) {
    g_assert_cmpuint(b.len, >, 0);
    g_assert_cmpuint(b.len % PAGE, ==, 0);
    g_assert_cmphex(b.addr, >=, last_end);
    g_assert_nonnull(b.vma);
    g_assert_cmphex(b.addr, >=, b.vma->start);
    g_assert_cmphex(b.addr + b.len, <=, b.vma->end);
    g_assert_true(ckpt_mem_vma_find(p, b.addr) == b.vma);
    /* maximal: the next block never continues this one in the same VMA
     * with contiguous image bytes (checked through mem_read below) */
    if (b.len > buf_len) {
      buf = g_realloc(buf, b.len);
      buf_len = b.len;
    }
    g_assert_cmpuint(ckpt_mem_read(p, b.addr, buf, b.len), ==, b.len);
    g_assert_true(memcmp(buf, b.data, b.len) == 0);
    total += b.len;
    last_end = b.addr + b.len;
  }
  ckpt_mem_iter_free(it);
  g_assert_cmpuint(total, ==, p->info.mem_present);

  uint64_t per_vma = 0;
  for (size_t i = 0; i < p->n_vmas; i++)
    per_vma += p->vmas[i].info.present;
  g_assert_cmpuint(per_vma, ==, p->info.mem_present);
}

static void
check_vma_find(const CkptProcess *p)
{
  for (size_t i = 0; i < p->n_vmas; i++) {
    const CkptVmaInfo *v = &p->vmas[i].info;
    if (v->kind == CKPT_VMA_GUARD)
      continue;
    g_assert_true(ckpt_mem_vma_find(p, v->start) == v);
    g_assert_true(ckpt_mem_vma_find(p, v->end - 1) == v);
    g_assert_true(ckpt_mem_vma_find(p, v->start + (v->end - v->start) / 2) ==
                  v);
    /* just past the end: the next VMA when adjacent, else nothing */
    const CkptVmaInfo *after = ckpt_mem_vma_find(p, v->end);
    if (i + 1 < p->n_vmas && p->vmas[i + 1].info.start == v->end)
      g_assert_true(after == &p->vmas[i + 1].info);
    else
      g_assert_null(after);
  }
  g_assert_null(ckpt_mem_vma_find(p, 0));
}

/* A read that runs from present pages into an absent one stops there. */
static void
check_short_reads(const CkptProcess *p)
{
  for (size_t i = 0; i < p->n_pages; i++) {
    const CkptPageRun *r = &p->pages[i];
    uint64_t end = r->vaddr + r->nr_pages * PAGE;
    if (r->data == NULL)
      continue;
    gboolean next_present = i + 1 < p->n_pages &&
                            p->pages[i + 1].vaddr == end &&
                            p->pages[i + 1].data != NULL;
    if (next_present)
      continue;
    uint8_t buf[2 * PAGE];
    g_assert_cmpuint(ckpt_mem_read(p, end - 100, buf, sizeof(buf)), ==, 100);
    g_assert_cmpuint(ckpt_mem_read(p, end, buf, 1), ==, 0);
  }
}

static void
test_iterator(gconstpointer data)
{
  const char *const *fx = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fx[0]);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    check_iterator(p);
    check_vma_find(p);
    check_short_reads(p);
    if (p->info.has_mm)
      g_assert_cmpuint(p->info.mem_present, >, 0);
  }
}

/* The iterator merges runs that are adjacent in memory and in the image,
 * so pid 1's stack (one VMA, several pagemap entries possible) gives one
 * block per gap, and two blocks of one VMA are never contiguous. */
static void
test_blocks_maximal(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  for (size_t i = 0; i < c->n_procs; i++) {
    CkptMemIter *it = ckpt_mem_iter_new(&c->procs[i]);
    CkptMemBlock b, prev = {0};
    while (ckpt_mem_iter_next(it, &b)) {
      if (prev.vma == b.vma && prev.addr + prev.len == b.addr)
        g_assert_true(prev.data + prev.len != b.data);
      prev = b;
    }
    ckpt_mem_iter_free(it);
  }
}

/* A seek gives the very block the walk from the start does, wherever in
 * it (or in the gap before it) the address lies; past the last, none. On
 * every fixture (the real ones have VMAs split over runs that go on in
 * the image, and runs that cross VMAs). */
static void
check_seek(const CkptProcess *p)
{
  CkptMemIter *walk = ckpt_mem_iter_new(p);
  CkptMemIter *it = ckpt_mem_iter_new(p);
  CkptMemBlock b, s;
  uint64_t prev_end = 0;
  size_t n = 0;
  while (ckpt_mem_iter_next(walk, &b)) {
    uint64_t at[] = {b.addr, b.addr + b.len / 2, b.addr + b.len - 1,
                     prev_end > 0 && prev_end < b.addr ? prev_end : b.addr};
    for (size_t k = 0; k < G_N_ELEMENTS(at); k++) {
      ckpt_mem_iter_seek(it, at[k]);
      g_assert_true(ckpt_mem_iter_next(it, &s));
      g_assert_cmphex(s.addr, ==, b.addr);
      g_assert_cmpuint(s.len, ==, b.len);
      g_assert_true(s.data == b.data && s.vma == b.vma);
    }
    prev_end = b.addr + b.len;
    n++;
  }
  if (n > 0) {
    ckpt_mem_iter_seek(it, prev_end);
    g_assert_false(ckpt_mem_iter_next(it, &s));
  }
  ckpt_mem_iter_free(walk);
  ckpt_mem_iter_free(it);
}

static void
test_seek(void)
{
  static const char *const fx[] = {"podman-none.tar", "real-redis.tar",
                                   "real-nginx.tar", "podman-zstd.tar.zst"};
  for (size_t f = 0; f < G_N_ELEMENTS(fx); f++) {
    g_autoptr(CkptCheckpoint) c = fixture_open(fx[f]);
    for (size_t i = 0; i < c->n_procs; i++)
      check_seek(&c->procs[i]);
  }
}

/* mem_read and the iterator from several threads at once. */
typedef struct {
  const CkptProcess *p;
  uint64_t sum;
} Work;

static gpointer
worker(gpointer data)
{
  Work *w = data;
  for (int round = 0; round < 20; round++) {
    CkptMemIter *it = ckpt_mem_iter_new(w->p);
    CkptMemBlock b;
    while (ckpt_mem_iter_next(it, &b)) {
      uint8_t page[PAGE];
      for (size_t off = 0; off < b.len; off += PAGE) {
        g_assert_cmpuint(ckpt_mem_read(w->p, b.addr + off, page, PAGE), ==,
                         PAGE);
        w->sum += page[0] + page[PAGE - 1];
      }
    }
    ckpt_mem_iter_free(it);
  }
  return NULL;
}

static void
test_threads(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  const CkptProcess *p = ckpt_checkpoint_process(c, 1);
  Work w[4];
  GThread *t[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (Work){.p = p};
    t[i] = g_thread_new("reader", worker, &w[i]);
  }
  for (int i = 0; i < 4; i++)
    g_thread_join(t[i]);
  for (int i = 1; i < 4; i++)
    g_assert_cmpuint(w[i].sum, ==, w[0].sum);
}

/* Zero pages: in a zstd archive (its spool knows its zero pages) the
 * stretches mem_data_next gives are ascending, inside their block, and
 * every byte between them is zero; most of podman-zeros' 64 MiB is
 * stepped over. In a plain tar nothing is known zero: one stretch per
 * block, the whole block. */
static uint64_t
walk_stretches(const char *fixture)
{
  g_autoptr(CkptCheckpoint) c = fixture_open(fixture);
  uint64_t skipped = 0;
  for (size_t k = 0; k < c->n_procs; k++) {
    const CkptProcess *p = &c->procs[k];
    CkptMemIter *it = ckpt_mem_iter_new(p);
    CkptMemBlock b = {.size = sizeof b};
    while (ckpt_mem_iter_next(it, &b)) {
      size_t at = 0, off = 0, n = 0;
      while (ckpt_mem_data_next(p, &b, &off, &n)) {
        g_assert_cmpuint(n, >, 0);
        g_assert_cmpuint(off, >=, at);
        g_assert_cmpuint(off + n, <=, b.len);
        for (size_t i = at; i < off; i++)
          g_assert_cmpuint(b.data[i], ==, 0);
        skipped += off - at;
        at = off += n;
      }
      g_assert_cmpuint(off, >=, at); /* the rest is zeros */
      for (size_t i = at; i < b.len; i++)
        g_assert_cmpuint(b.data[i], ==, 0);
      skipped += b.len - at;
      /* past the end: nothing */
      off = b.len;
      g_assert_cmpint(ckpt_mem_data_next(p, &b, &off, &n), ==, 0);
    }
    ckpt_mem_iter_free(it);
  }
  return skipped;
}

static void
test_zero_runs(void)
{
  g_assert_cmpuint(walk_stretches("podman-zeros.tar.zst"), >=, 60u << 20);
  g_assert_cmpuint(walk_stretches("podman-none.tar"), ==, 0);
  /* gzip: spooled too, and its few zero pages known */
  walk_stretches("podman-gzip.tar.gz");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < fixture_n_checkpoints; i++) {
    g_autofree char *m =
        g_strdup_printf("/memory/markers/%s", fixture_checkpoints[i][1]);
    g_test_add_data_func(m, fixture_checkpoints[i], test_markers);
    g_autofree char *b =
        g_strdup_printf("/memory/blocks/%s", fixture_checkpoints[i][1]);
    g_test_add_data_func(b, fixture_checkpoints[i], test_iterator);
  }
  g_test_add_func("/memory/fork-copy", test_fork_copy);
  g_test_add_func("/memory/blocks-maximal", test_blocks_maximal);
  g_test_add_func("/memory/seek", test_seek);
  g_test_add_func("/memory/threads", test_threads);
  g_test_add_func("/memory/zero-runs", test_zero_runs);
  return g_test_run();
}

/* test-memsearch.c - the memory plugin's engine (plugins/memory) on the real
 * fixtures: planted markers found at the addresses the workload recorded,
 * binary patterns, matches across page and block seams, nothing found in
 * pages that are not in the dump, the same hits on CRIU 4.x and 3.x-form
 * pagemaps, hexdump rows, filters, and an ELF core that gdb loads with the
 * registers crit decodes from core-PID.img. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "mem.h"
#include "model/model.h"

typedef struct {
  uint32_t pid;
  uint64_t addr;
  size_t len;
} Hit;

typedef struct {
  GArray *hits;
  uint32_t pid;
} Collect;

static const char *
fixture(const char *name)
{
  static char path[4096];
  const char *d = g_getenv("CKPT_FIXTURES");
  g_assert_nonnull(d);
  g_snprintf(path, sizeof(path), "%s/%s", d, name);
  return path;
}

static CkptCheckpoint *
open_fixture(const char *name)
{
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = ckpt_checkpoint_open(fixture(name), NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(c);
  return c;
}

static gboolean
collect(uint64_t addr, size_t len, const CkptVmaInfo *vma, void *user)
{
  Collect *col = user;
  g_assert_nonnull(vma);
  g_assert_cmpuint(addr, >=, vma->start);
  g_assert_cmpuint(addr, <, vma->end);
  Hit h = {col->pid, addr, len};
  g_array_append_val(col->hits, h);
  return TRUE;
}

/* Feeds every process's memory to a scanner. With split, each block is cut
 * into pieces of awkward sizes, each copied into its own buffer that is
 * freed right after, so seams appear everywhere and the scanner cannot
 * keep pointers into old blocks. */
static GArray *
scan(CkptCheckpoint *c, const MemPattern *pat, gboolean split)
{
  static const size_t sizes[] = {1, 4093, 7, 4096, 13, 2, 100, 3, 8192, 5};
  Collect col = {g_array_new(FALSE, FALSE, sizeof(Hit)), 0};
  MemScanner *s = mem_scanner_new(pat, collect, &col);
  size_t k = 0;
  for (size_t i = 0; i < c->n_procs; i++) {
    col.pid = c->procs[i].info.pid;
    CkptMemIter *it = ckpt_mem_iter_new(&c->procs[i]);
    CkptMemBlock b;
    while (ckpt_mem_iter_next(it, &b)) {
      if (!split) {
        mem_scanner_feed(s, &b);
        continue;
      }
      for (size_t off = 0; off < b.len;) {
        size_t want = sizes[k++ % G_N_ELEMENTS(sizes)];
        size_t n = MIN(want, b.len - off);
        CkptMemBlock piece = {sizeof piece, b.addr + off,
                              g_memdup2(b.data + off, n), n, b.vma};
        mem_scanner_feed(s, &piece);
        g_free((void *)piece.data);
        off += n;
      }
    }
    mem_scanner_end(s);
    ckpt_mem_iter_free(it);
  }
  g_assert_cmpuint(mem_scanner_errors(s), ==, 0);
  mem_scanner_free(s);
  return col.hits;
}

static gboolean
has_hit(GArray *hits, uint32_t pid, uint64_t addr, size_t len)
{
  for (guint i = 0; i < hits->len; i++) {
    Hit *h = &g_array_index(hits, Hit, i);
    if (h->pid == pid && h->addr == addr && (len == 0 || h->len == len))
      return TRUE;
  }
  return FALSE;
}

static void
assert_same_hits(GArray *a, GArray *b)
{
  for (guint i = 0; a->len != b->len && i < MAX(a->len, b->len); i++) {
    Hit *x = i < a->len ? &g_array_index(a, Hit, i) : NULL;
    Hit *y = i < b->len ? &g_array_index(b, Hit, i) : NULL;
    g_test_message("%u: %u %#" G_GINT64_MODIFIER
                   "x %zu | %u %#" G_GINT64_MODIFIER "x %zu",
                   i, x ? x->pid : 0, x ? x->addr : 0, x ? x->len : 0,
                   y ? y->pid : 0, y ? y->addr : 0, y ? y->len : 0);
  }
  g_assert_cmpuint(a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++) {
    Hit *x = &g_array_index(a, Hit, i), *y = &g_array_index(b, Hit, i);
    g_assert_cmpuint(x->pid, ==, y->pid);
    g_assert_cmphex(x->addr, ==, y->addr);
    g_assert_cmpuint(x->len, ==, y->len);
  }
}

/* ---- markers ------------------------------------------------------------- */
typedef struct {
  char name[64];
  uint32_t pid;
  uint64_t addr;
} Marker;

static GArray *
read_markers(const char *fixture_name)
{
  g_autofree char *base = g_strdup(fixture_name);
  char *dot = strstr(base, ".tar");
  if (dot)
    *dot = '\0';
  g_autofree char *name = g_strdup_printf("markers-%s.txt", base);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_file_get_contents(fixture(name), &text, NULL, &error);
  g_assert_no_error(error);
  GArray *out = g_array_new(FALSE, TRUE, sizeof(Marker));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    Marker m = {0};
    unsigned pid = 0;
    unsigned long long addr = 0;
    if (**l == '#' || sscanf(*l, "%63s %u %llx", m.name, &pid, &addr) != 3)
      continue;
    m.pid = pid;
    m.addr = addr;
    g_array_append_val(out, m);
  }
  g_assert_cmpuint(out->len, >, 5);
  return out;
}

static const struct {
  const char *marker;
  const char *text;
} marker_texts[] = {
    {"heap", "CKPT-MARKER-HEAP-7f3a"},
    {"straddle", "CKPT-MARKER-STRADDLE-PAGE-BOUNDARY"},
    {"thread-stack", "CKPT-MARKER-THREAD-STACK"},
    {"worker-heap", "CKPT-MARKER-WORKER-HEAP"},
    {"session-secret", "sess_9c4e7a1f2b8d3e6a5c0f7b2d9e4a1c8f"},
    {"pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3"},
    {"jwt", "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ."},
    {"slack", "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B"},
};

static const char binary_hex[] = "de ad 00 be ef 00 ff 01 7f 80 00 00 c3 a9 "
                                 "0a 0d";

static void
test_markers(gconstpointer data)
{
  const char *name = data;
  g_autoptr(CkptCheckpoint) c = open_fixture(name);
  g_autoptr(GArray) markers = read_markers(name);
  size_t checked = 0;
  for (guint i = 0; i < markers->len; i++) {
    const Marker *m = &g_array_index(markers, Marker, i);
    g_autoptr(MemPattern) pat = NULL;
    g_autoptr(GError) error = NULL;
    size_t len = 0;
    if (strcmp(m->name, "binary") == 0) {
      pat = mem_pattern_hex(binary_hex, &error);
      len = 16;
    }
    for (size_t t = 0; t < G_N_ELEMENTS(marker_texts); t++) {
      if (strcmp(m->name, marker_texts[t].marker) == 0) {
        len = strlen(marker_texts[t].text);
        pat = mem_pattern_literal(marker_texts[t].text, len, &error);
      }
    }
    g_assert_no_error(error);
    if (pat == NULL)
      continue;
    g_autoptr(GArray) hits = scan(c, pat, FALSE);
    if (!has_hit(hits, m->pid, m->addr, len))
      g_error("%s: marker %s not found at pid %u %#" G_GINT64_MODIFIER "x "
              "(%u hits)",
              name, m->name, m->pid, m->addr, hits->len);
    checked++;
  }
  g_assert_cmpuint(checked, >=, 8);

  /* the file-only marker lives in clean page cache: not in the dump */
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) fo =
      mem_pattern_literal("CKPT-MARKER-FILEONLY", 20, &error);
  g_autoptr(GArray) none = scan(c, fo, FALSE);
  g_assert_cmpuint(none->len, ==, 0);
}

/* Pieces of every size must give exactly the hits whole blocks give. */
static void
test_split(void)
{
  g_autoptr(CkptCheckpoint) c = open_fixture("podman-none.tar");
  g_autoptr(GArray) markers = read_markers("podman-none.tar");
  const char *literals[] = {"CKPT-MARKER-STRADDLE-PAGE-BOUNDARY", "CKPT-MARKER",
                            "\x7f"};
  for (size_t i = 0; i < G_N_ELEMENTS(literals); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(MemPattern) p =
        mem_pattern_literal(literals[i], strlen(literals[i]), &error);
    g_assert_no_error(error);
    g_autoptr(GArray) whole = scan(c, p, FALSE);
    g_autoptr(GArray) split = scan(c, p, TRUE);
    g_assert_cmpuint(whole->len, >, 0);
    assert_same_hits(whole, split);
  }

  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) re =
      mem_pattern_regex("CKPT-MARKER-[A-Za-z0-9-]+", &error);
  g_assert_no_error(error);
  g_autoptr(GArray) whole = scan(c, re, FALSE);
  g_autoptr(GArray) split = scan(c, re, TRUE);
  assert_same_hits(whole, split);
  for (guint i = 0; i < markers->len; i++) {
    const Marker *m = &g_array_index(markers, Marker, i);
    if (strcmp(m->name, "straddle") == 0)
      g_assert_true(has_hit(split, m->pid, m->addr, 34));
    if (strcmp(m->name, "heap") == 0)
      g_assert_true(has_hit(split, m->pid, m->addr, 21));
  }

  g_autoptr(MemPattern) hex = mem_pattern_hex(binary_hex, &error);
  g_assert_no_error(error);
  g_autoptr(GArray) hw = scan(c, hex, FALSE);
  g_autoptr(GArray) hs = scan(c, hex, TRUE);
  g_assert_cmpuint(hw->len, >=, 2); /* pid 1 and its forked worker */
  assert_same_hits(hw, hs);
}

/* A regex whose matches end where a block ends must neither be cut nor
 * reported twice, and "$"-style artefacts of a block's end must go. */
static void
test_regex_seams(void)
{
  static const uint8_t mem[] = "xx abcdef yy abc\0zz";
  const CkptVmaInfo vma = {.size = sizeof(vma), .start = 0x1000, .end = 0x2000};
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) p = mem_pattern_regex("[a-z]+", &error);
  g_assert_no_error(error);
  for (size_t cut = 1; cut < sizeof(mem) - 1; cut++) {
    Collect col = {g_array_new(FALSE, FALSE, sizeof(Hit)), 0};
    g_autoptr(MemScanner) s = mem_scanner_new(p, collect, &col);
    CkptMemBlock a = {sizeof a, 0x1000, mem, cut, &vma};
    CkptMemBlock b = {sizeof b, 0x1000 + cut, mem + cut, sizeof(mem) - 1 - cut,
                      &vma};
    mem_scanner_feed(s, &a);
    mem_scanner_feed(s, &b);
    mem_scanner_end(s);
    g_autoptr(GArray) hits = col.hits;
    g_assert_cmpuint(hits->len, ==, 5);
    g_assert_true(has_hit(hits, 0, 0x1000, 2));
    g_assert_true(has_hit(hits, 0, 0x1003, 6));
    g_assert_true(has_hit(hits, 0, 0x100a, 2));
    g_assert_true(has_hit(hits, 0, 0x100d, 3));
    g_assert_true(has_hit(hits, 0, 0x1011, 2));
  }
}

static void
test_criu3_same(void)
{
  g_autoptr(CkptCheckpoint) c4 = open_fixture("podman-none.tar");
  g_autoptr(CkptCheckpoint) c3 = open_fixture("podman-none-criu3.tar");
  g_autoptr(GError) error = NULL;
  g_autoptr(MemPattern) re = mem_pattern_regex("CKPT-[A-Z]+", &error);
  g_assert_no_error(error);
  g_autoptr(GArray) h4 = scan(c4, re, FALSE);
  g_autoptr(GArray) h3 = scan(c3, re, FALSE);
  g_assert_cmpuint(h4->len, >, 5);
  assert_same_hits(h4, h3);
}

/* The literal scanner (vector filter, memchr, memmem fallback) against a
 * naive search, on data made to defeat each: decoys sharing the rare bytes,
 * self-overlapping patterns, NULs. */
static void
test_literal_naive(void)
{
  static const struct {
    const char *unit, *hit, *pat;
    size_t ul, hl, pl;
  } cases[] = {
      {"XaYbQ", "XaYbZ", "XaYbZ", 5, 5, 5}, /* decoys share the rare bytes */
      {"aaaa", "aaaa", "aa", 4, 4, 2},      /* overlapping hits everywhere */
      {"\0\0\0\0", "\0\0\x01\0", "\0\x01\0", 4, 4, 3}, /* NULs */
      {"0123456789", "01234CKPT", "CKPT", 10, 9, 4},
  };
  const CkptVmaInfo vma = {
      .size = sizeof(vma), .start = 0x10000, .end = 0x10000 + 200000};
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    size_t ul = cases[c].ul, hl = cases[c].hl;
    g_autoptr(GByteArray) mem = g_byte_array_new();
    for (size_t i = 0; mem->len < 150000; i++) {
      if (i % 97 == 13)
        g_byte_array_append(mem, (const guint8 *)cases[c].hit, (guint)hl);
      else
        g_byte_array_append(mem, (const guint8 *)cases[c].unit, (guint)ul);
    }
    const uint8_t *pat = (const uint8_t *)cases[c].pat;
    size_t m = cases[c].pl;
    g_autoptr(GArray) naive = g_array_new(FALSE, FALSE, sizeof(Hit));
    for (size_t i = 0; i + m <= mem->len; i++) {
      if (memcmp(mem->data + i, pat, m) == 0) {
        Hit h = {0, vma.start + i, m};
        g_array_append_val(naive, h);
      }
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(MemPattern) p = mem_pattern_literal(pat, m, &error);
    g_assert_no_error(error);
    Collect col = {g_array_new(FALSE, FALSE, sizeof(Hit)), 0};
    g_autoptr(MemScanner) sc = mem_scanner_new(p, collect, &col);
    CkptMemBlock b = {sizeof b, vma.start, mem->data, mem->len, &vma};
    mem_scanner_feed(sc, &b);
    mem_scanner_end(sc);
    g_autoptr(GArray) hits = col.hits;
    g_assert_cmpuint(naive->len, >, 0);
    assert_same_hits(naive, hits);
  }
}

/* ---- patterns and filters --------------------------------------------- */
static void
test_bad_patterns(void)
{
  const char *bad_hex[] = {"", "zz", "abc", "de ad b", "0x", "\\xg1"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad_hex); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_null(mem_pattern_hex(bad_hex[i], &error));
    g_assert_nonnull(error);
    g_assert_true(g_str_has_prefix(error->message, "--search-hex"));
  }
  size_t n = 0;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(MemPattern) h = mem_pattern_hex("0xde,0xAD \\xbe:ef", &e1);
  g_assert_no_error(e1);
  const uint8_t *b = mem_pattern_bytes(h, &n);
  g_assert_cmpmem(b, n, "\xde\xad\xbe\xef", 4);

  g_autoptr(GError) e2 = NULL;
  g_assert_null(mem_pattern_regex("(unclosed", &e2));
  g_assert_nonnull(strstr(e2->message, "offset"));
  g_autoptr(GError) e3 = NULL;
  g_assert_null(mem_pattern_literal("", 0, &e3));
  g_assert_nonnull(e3);
}

static void
test_filters(void)
{
  MemFilter f;
  const char *bad[][3] = {{"bogus", NULL, NULL}, {NULL, "rwz", NULL},
                          {NULL, NULL, "5-3"},   {NULL, NULL, "12"},
                          {NULL, NULL, "x-y"},   {NULL, NULL, "-10"}};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(
        mem_filter_parse(&f, bad[i][0], bad[i][1], bad[i][2], &error));
    g_assert_nonnull(error);
  }
  g_autoptr(GError) error = NULL;
  g_assert_true(
      mem_filter_parse(&f, "heap,stack", "rw-", "0x1000-0x1800", &error));
  g_assert_no_error(error);
  CkptVmaInfo heap = {.size = sizeof(heap),
                      .start = 0x1000,
                      .end = 0x3000,
                      .prot = 3,
                      .kind = CKPT_VMA_HEAP};
  CkptVmaInfo anon = heap;
  anon.kind = CKPT_VMA_ANON;
  CkptVmaInfo rx = heap;
  rx.prot = 5;
  g_assert_true(mem_filter_vma(&f, &heap, heap.kind));
  g_assert_false(mem_filter_vma(&f, &anon, anon.kind));
  g_assert_true(mem_filter_vma(&f, &anon, CKPT_VMA_STACK)); /* a thread's */
  g_assert_false(mem_filter_vma(&f, &rx, rx.kind));
  static uint8_t data[0x2000];
  CkptMemBlock b = {sizeof b, 0x1000, data, 0x2000, &heap};
  g_assert_true(mem_filter_block(&f, &b, CKPT_VMA_HEAP));
  g_assert_cmphex(b.addr, ==, 0x1000);
  g_assert_cmpuint(b.len, ==, 0x800);
  CkptMemBlock out = {sizeof out, 0x2000, data, 0x1000, &heap};
  g_assert_false(mem_filter_block(&f, &out, CKPT_VMA_HEAP));
}

/* ---- hexdump ------------------------------------------------------------- */
static void
on_row(uint64_t addr, const char *hex, const char *ascii, void *user)
{
  g_string_append_printf(user, "%" G_GINT64_MODIFIER "x %s |%s|\n", addr, hex,
                         ascii);
}

static void
test_hexdump_rows(void)
{
  uint8_t mem[96];
  memset(mem, 0, 64);
  memset(mem + 64, 'A', 16);
  memcpy(mem + 80, "tail\x01\xff", 6);
  g_autoptr(GString) out = g_string_new(NULL);
  MemHexDumper d;
  mem_hexdump_init(&d, TRUE, on_row, out);
  mem_hexdump_feed(&d, 0x1000, mem, 40); /* a row split across feeds */
  mem_hexdump_feed(&d, 0x1028, mem + 40, 46);
  mem_hexdump_feed(&d, 0x5000, mem, 48); /* not contiguous: a new run */
  mem_hexdump_end(&d);
  g_assert_cmpstr(out->str, ==,
                  "1000 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                  "|................|\n"
                  "1010 * ||\n"
                  "1040 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 "
                  "|AAAAAAAAAAAAAAAA|\n"
                  "1050 74 61 69 6c 01 ff                               "
                  "|tail..|\n"
                  "5000 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                  "|................|\n"
                  "5010 * ||\n"
                  "5020 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                  "|................|\n");

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  g_assert_true(mem_hexdump_write(f, 0x7f00, mem + 76, 10));
  fclose(f);
  g_assert_cmpstr(buf, ==,
                  "0000000000007f00  41 41 41 41 74 61 69 6c 01 ff"
                  "                    |AAAAtail..|\n");
  free(buf);
}

/* Rows of pid 1: the heap marker's row reads as text, and the rows cover
 * exactly the dumped bytes (folded rows counted as their run). */
static void
test_hexdump_fixture(void)
{
  g_autoptr(CkptCheckpoint) c = open_fixture("podman-none.tar");
  g_autoptr(GArray) markers = read_markers("podman-none.tar");
  uint64_t heap = 0;
  for (guint i = 0; i < markers->len; i++)
    if (strcmp(g_array_index(markers, Marker, i).name, "heap") == 0)
      heap = g_array_index(markers, Marker, i).addr;
  g_assert_cmphex(heap, !=, 0);
  const CkptProcess *p = ckpt_checkpoint_process(c, 1);
  g_assert_nonnull(p);
  g_autoptr(GString) out = g_string_new(NULL);
  MemHexDumper d;
  mem_hexdump_init(&d, TRUE, on_row, out);
  CkptMemIter *it = ckpt_mem_iter_new(p);
  CkptMemBlock b;
  while (ckpt_mem_iter_next(it, &b))
    mem_hexdump_feed(&d, b.addr, b.data, b.len);
  mem_hexdump_end(&d);
  ckpt_mem_iter_free(it);
  g_assert_cmpuint(d.rows, <, p->info.mem_present / 16);
  g_autofree char *row = g_strdup_printf("\n%" G_GINT64_MODIFIER "x ", heap);
  const char *at = strstr(out->str, row);
  g_assert_nonnull(at);
  const char *bar = strchr(at + 1, '|');
  g_assert_nonnull(bar);
  g_assert_true(g_str_has_prefix(bar, "|CKPT-MARKER-HEA"));
}

/* ---- ELF core ----------------------------------------------------------- */
static const CkptProcessInfo *
t_process_info(const CkptProcess *p)
{
  return &p->info;
}
static size_t
t_thread_count(const CkptProcess *p)
{
  return p->info.n_threads;
}
static const CkptThreadInfo *
t_thread_at(const CkptProcess *p, size_t i)
{
  return &p->threads[i];
}
static size_t
t_vma_count(const CkptProcess *p)
{
  return p->n_vmas;
}
static const CkptVmaInfo *
t_vma_at(const CkptProcess *p, size_t i)
{
  return &p->vmas[i].info;
}

static const CkptApi test_api = {
    .size = sizeof(CkptApi),
    .process_info = t_process_info,
    .thread_count = t_thread_count,
    .thread_at = t_thread_at,
    .vma_count = t_vma_count,
    .vma_at = t_vma_at,
    .mem_iter_new = ckpt_mem_iter_new,
    .mem_iter_next = ckpt_mem_iter_next,
    .mem_iter_free = ckpt_mem_iter_free,
};

static uint64_t
oracle_reg(const char *fixture_dir, uint32_t tid, const char *reg)
{
  g_autofree char *name =
      g_strdup_printf("oracle/%s/core-%u.img.json", fixture_dir, tid);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file(parser, fixture(name), &error);
  g_assert_no_error(error);
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  JsonObject *e = json_array_get_object_element(
      json_object_get_array_member(o, "entries"), 0);
  JsonObject *g = json_object_get_object_member(
      json_object_get_object_member(e, "thread_info"), "gpregs");
  return g_ascii_strtoull(json_object_get_string_member(g, reg), NULL, 16);
}

/* The bytes of the core file at a virtual address, through its PT_LOADs. */
static gboolean
core_bytes_at(const uint8_t *core, size_t size, uint64_t addr, void *out,
              size_t len)
{
  const Elf64_Ehdr *eh = (const void *)core;
  g_assert_cmpuint(size, >=, sizeof(*eh));
  g_assert_cmpmem(eh->e_ident, SELFMAG, ELFMAG, SELFMAG);
  g_assert_cmpuint(eh->e_type, ==, ET_CORE);
  g_assert_cmpuint(eh->e_machine, ==, EM_X86_64);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr *ph =
        (const void *)(core + eh->e_phoff + i * sizeof(Elf64_Phdr));
    if (ph->p_type != PT_LOAD || addr < ph->p_vaddr ||
        addr + len > ph->p_vaddr + ph->p_filesz)
      continue;
    g_assert_cmpuint(ph->p_offset + ph->p_filesz, <=, size);
    memcpy(out, core + ph->p_offset + (addr - ph->p_vaddr), len);
    return TRUE;
  }
  return FALSE;
}

static uint64_t
gdb_reg(const char *output, const char *reg)
{
  g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " \t", 2);
    if (f[0] && f[1] && strcmp(f[0], reg) == 0)
      return g_ascii_strtoull(g_strstrip(f[1]), NULL, 16);
  }
  g_error("gdb printed no %s:\n%s", reg, output);
  return 0;
}

static void
test_core(void)
{
  g_autoptr(CkptCheckpoint) c = open_fixture("podman-none.tar");
  g_autoptr(GArray) markers = read_markers("podman-none.tar");
  const CkptProcess *p = ckpt_checkpoint_process(c, 1);
  g_assert_nonnull(p);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("memcore-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *path = g_build_filename(dir, "core", NULL);
  MemCoreStats st;
  g_assert_true(mem_core_write(&test_api, p, NULL, path, &st, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(st.threads, ==, 2);
  g_assert_cmpuint(st.bytes, ==, p->info.mem_present);

  /* every marker of pid 1 is in the core at its address */
  g_autofree char *core = NULL;
  size_t size = 0;
  g_file_get_contents(path, &core, &size, &error);
  g_assert_no_error(error);
  for (guint i = 0; i < markers->len; i++) {
    const Marker *m = &g_array_index(markers, Marker, i);
    if (m->pid != 1 || strcmp(m->name, "heap") != 0)
      continue;
    char buf[21];
    g_assert_true(
        core_bytes_at((const uint8_t *)core, size, m->addr, buf, sizeof(buf)));
    g_assert_cmpmem(buf, sizeof(buf), "CKPT-MARKER-HEAP-7f3a", 21);
  }

  /* a zombie has no memory: a clear error, no file */
  const CkptProcess *z = ckpt_checkpoint_process(c, 3);
  if (z && !z->info.has_mm) {
    g_autoptr(GError) ze = NULL;
    g_autofree char *zp = g_build_filename(dir, "zombie", NULL);
    g_assert_false(mem_core_write(&test_api, z, NULL, zp, &st, &ze));
    g_assert_nonnull(ze);
    g_assert_false(g_file_test(zp, G_FILE_TEST_EXISTS));
  }

  g_autofree char *gdb = g_find_program_in_path("gdb");
  if (gdb == NULL) {
    g_test_message("gdb not installed: core not loaded in gdb");
  } else {
    const char *argv[] = {gdb,
                          "-batch",
                          "-nx",
                          "-ex",
                          "info registers rip rsp",
                          "-ex",
                          "thread 2",
                          "-ex",
                          "info registers rip rsp",
                          "-c",
                          path,
                          NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                 &err, &status, &error);
    g_assert_no_error(error);
    g_test_message("gdb: %s%s", out, err);
    /* the first thread is the main one; the second is tid 4 */
    char *second = strstr(out, "[Switching to thread 2");
    g_assert_nonnull(second);
    *second++ = '\0';
    g_assert_cmphex(gdb_reg(out, "rip"), ==,
                    oracle_reg("podman-none", 1, "ip"));
    g_assert_cmphex(gdb_reg(out, "rsp"), ==,
                    oracle_reg("podman-none", 1, "sp"));
    uint32_t tid2 = p->threads[p->threads[0].tid == 1 ? 1 : 0].tid;
    g_assert_cmphex(gdb_reg(second, "rip"), ==,
                    oracle_reg("podman-none", tid2, "ip"));
    g_assert_cmphex(gdb_reg(second, "rsp"), ==,
                    oracle_reg("podman-none", tid2, "sp"));
  }
  g_unlink(path);
  g_rmdir(dir);
}

/* ---- broken input ------------------------------------------------------ */

/* A copy of the CRIU directory whose pages images are cut short: loading
 * fails with a clear error, or what loads can be searched without harm. */
static void
test_truncated_pages(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("memtrunc-XXXXXX", &error);
  g_assert_no_error(error);
  g_autoptr(GDir) src = g_dir_open(fixture("criu-dir"), 0, &error);
  g_assert_no_error(error);
  const char *name;
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
  while ((name = g_dir_read_name(src))) {
    g_autofree char *from = g_build_filename(fixture("criu-dir"), name, NULL);
    char *to = g_build_filename(dir, name, NULL);
    g_autofree char *data = NULL;
    size_t len = 0;
    g_file_get_contents(from, &data, &len, &error);
    g_assert_no_error(error);
    if (g_str_has_prefix(name, "pages-"))
      len = MIN(len, 4096 + 100); /* one page and a bit */
    g_file_set_contents(to, data, (gssize)len, &error);
    g_assert_no_error(error);
    g_ptr_array_add(made, to);
  }
  CkptCheckpoint *c = ckpt_checkpoint_open(dir, NULL, &error);
  if (c == NULL) {
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "pages"));
    g_test_message("refused: %s", error->message);
  } else {
    g_autoptr(MemPattern) p = mem_pattern_literal("CKPT", 4, &error);
    g_autoptr(GArray) hits = scan(c, p, TRUE);
    (void)hits;
    ckpt_checkpoint_free(c);
  }
  for (guint i = 0; i < made->len; i++)
    g_unlink(made->pdata[i]);
  g_rmdir(dir);
}

/* --root's lookup: components one at a time, never a symlink, never "..",
 * only a regular file at the end, a FIFO without hanging. */
static void
test_open_under(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *top = g_dir_make_tmp("memroot-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *root = g_build_filename(top, "root", NULL);
  g_autofree char *lib = g_build_filename(root, "lib", NULL);
  g_autofree char *out = g_build_filename(top, "outside", NULL);
  g_assert_cmpint(g_mkdir_with_parents(lib, 0700), ==, 0);
  g_assert_cmpint(g_mkdir(out, 0700), ==, 0);
  g_autofree char *libc = g_build_filename(lib, "libc.so", NULL);
  g_autofree char *secret = g_build_filename(out, "secret", NULL);
  g_assert_true(g_file_set_contents(libc, "ELF", 3, NULL));
  g_assert_true(g_file_set_contents(secret, "no", 2, NULL));
  g_autofree char *l1 = g_build_filename(root, "up", NULL);
  g_autofree char *l2 = g_build_filename(lib, "link.so", NULL);
  g_autofree char *fifo = g_build_filename(lib, "fifo", NULL);
  g_assert_cmpint(symlink(out, l1), ==, 0);
  g_assert_cmpint(symlink(secret, l2), ==, 0);
  g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

  int rfd = open(root, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint(rfd, >=, 0);
  int fd = mem_files_open_under(rfd, "/lib//./libc.so");
  g_assert_cmpint(fd, >=, 0);
  close(fd);
  const char *refused[] = {
      "/up/secret", "/lib/link.so", "/lib/../up/secret", "/../outside/secret",
      "/lib/fifo",  "/lib",         "lib/libc.so",       "/",
      "/lib/none"};
  for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
    errno = 0;
    g_assert_cmpint(mem_files_open_under(rfd, refused[i]), ==, -1);
    g_assert_cmpint(errno, !=, 0);
  }
  close(rfd);
  g_unlink(fifo);
  g_unlink(l2);
  g_unlink(l1);
  g_unlink(libc);
  g_unlink(secret);
  g_rmdir(lib);
  g_rmdir(root);
  g_rmdir(out);
  g_rmdir(top);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  static const char *const fixtures[] = {"podman-none.tar",
                                         "podman-none-criu3.tar", "criu-dir",
                                         "podman-zstd.tar.zst"};
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *path =
        g_strdup_printf("/memsearch/markers/%s", fixtures[i]);
    g_test_add_data_func(path, fixtures[i], test_markers);
  }
  g_test_add_func("/memsearch/split", test_split);
  g_test_add_func("/memsearch/regex-seams", test_regex_seams);
  g_test_add_func("/memsearch/criu3-same", test_criu3_same);
  g_test_add_func("/memsearch/literal-naive", test_literal_naive);
  g_test_add_func("/memsearch/bad-patterns", test_bad_patterns);
  g_test_add_func("/memsearch/filters", test_filters);
  g_test_add_func("/memsearch/hexdump-rows", test_hexdump_rows);
  g_test_add_func("/memsearch/hexdump-fixture", test_hexdump_fixture);
  g_test_add_func("/memsearch/core", test_core);
  g_test_add_func("/memsearch/open-under", test_open_under);
  g_test_add_func("/memsearch/truncated-pages", test_truncated_pages);
  return g_test_run();
}

/* test-redact.c - the host's redaction policy (core/host/redact.h) on
 * crafted cells, and the model's secret set (core/model/secretset.h) on
 * the real fixtures.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "fixture.h"
#include "host/host.h"
#include "host/redact.h"
#include "model/secrets-detect.h"
#include "model/secretset.h"

static CkptSecretSet *
crafted(void)
{
  CkptSecretSet *s = ckpt_secret_set_new();
  ckpt_secret_set_add(s, "secret-env", "Ngx-Db-Pa55w0rd-7c41e9");
  ckpt_secret_set_add(s, "aws-access-key-id", "AKIAQ4ZQ7V3XKM2PLR5T");
  ckpt_secret_set_add(s, "url-password", "postgres://app:S3cretPass@db:5432");
  ckpt_secret_set_add(s, "secret-env", "abc"); /* too short: ignored */
  ckpt_secret_set_sort(s);
  return s;
}

/* the redaction of in, or in itself when nothing changed */
static char *
red(const CkptSecretSet *s, const char *in)
{
  size_t len;
  char *r = ckpt_redact_bytes(s, in, strlen(in), &len);
  if (r)
    g_assert_cmpuint(strlen(r), ==, len);
  return r ? r : g_strdup(in);
}

#define CHECK(s, in, want)                                                     \
  do {                                                                         \
    g_autofree char *got_ = red(s, in);                                        \
    g_assert_cmpstr(got_, ==, want);                                           \
  } while (0)

static void
test_set(void)
{
  g_autoptr(CkptSecretSet) s = crafted();
  /* the URL, its password alone, the two others; "abc" left out */
  g_assert_cmpuint(s->items->len, ==, 4);
  const CkptSecret *first = s->items->pdata[0];
  g_assert_cmpstr(first->value, ==, "postgres://app:S3cretPass@db:5432");
  g_assert_cmpstr(first->shown, ==, "postgres://app:***@db:5432");
  g_assert_true(g_hash_table_contains(s->seen, "S3cretPass"));
  g_autoptr(CkptSecretSet) u = ckpt_secret_set_new();
  ckpt_secret_set_merge(u, s);
  ckpt_secret_set_merge(u, s);
  g_assert_cmpuint(u->items->len, ==, 4);
}

/* a hostile checkpoint full of distinct tokens: the set stays bounded and
 * counts what it left out */
static void
test_set_bound(void)
{
  g_autoptr(CkptSecretSet) s = ckpt_secret_set_new();
  for (int i = 0; i < CKPT_SECRET_SET_MAX + 10; i++) {
    g_autofree char *v = g_strdup_printf("tok-%08d", i);
    ckpt_secret_set_add(s, "secret-env", v);
  }
  g_assert_cmpuint(s->items->len, ==, CKPT_SECRET_SET_MAX);
  g_assert_cmpuint(s->dropped, ==, 10);
}

static void
test_whole_and_substring(void)
{
  g_autoptr(CkptSecretSet) s = crafted();
  CHECK(s, "Ngx-Db-Pa55w0rd-7c41e9", "Ngx-\u2026(22)");
  CHECK(s, "DB_PASSWORD=Ngx-Db-Pa55w0rd-7c41e9 x",
        "DB_PASSWORD=Ngx-\u2026(22) x");
  CHECK(s, "-k AKIAQ4ZQ7V3XKM2PLR5T; -k AKIAQ4ZQ7V3XKM2PLR5T",
        "-k AKIA\u2026(20); -k AKIA\u2026(20)");
  CHECK(s, "url postgres://app:S3cretPass@db:5432/app",
        "url postgres://app:***@db:5432/app");
  CHECK(s, "pass=S3cretPass", "pass=\u2026(10)");
  /* nothing secret: untouched, short cells too */
  CHECK(s, "nginx: worker process", "nginx: worker process");
  CHECK(s, "abc", "abc");
  CHECK(s, "", "");
}

static void
test_hexdump_rows(void)
{
  g_autoptr(CkptSecretSet) s = crafted();
  /* a hexdump of "in.DB_PASSWORD=Ngx-Db-Pa55w0rd-7c41e9.SESSION_KE":
   * the secret's bytes, as hex and as ASCII, across three rows */
  CHECK(s, "in.DB_PASSWORD=N", "in.DB_PASSWORD=N"); /* 1 byte: kept */
  CHECK(s, "gx-Db-Pa55w0rd-7", "****************");
  CHECK(s, "67 78 2d 44 62 2d 50 61 35 35 77 30 72 64 2d 37",
        "** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **");
  CHECK(s, "c41e9.SESSION_KE", "*****.SESSION_KE");
  CHECK(s, "63 34 31 65 39 00 53 45 53 53 49 4f 4e 5f 4b 45",
        "** ** ** ** ** 00 53 45 53 53 49 4f 4e 5f 4b 45");
  /* a row ending with the start of a secret: masked past what the
   * redaction shows ("AKIA") */
  CHECK(s, "..........AKIAQ4Z", "..........AKIA***");
  /* the whole value's bytes in one cell */
  CHECK(s, "41 4b 49 41 51 34 5a 51 37 56 33 58 4b 4d 32 50 4c 52 35 54",
        "** ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **");
}

/* A hexdump over a secret, row by row with the table's carries: the 2
 * bytes of it left for the last row are masked too, in both columns. */
static void
test_hexdump_carry(void)
{
  g_autoptr(CkptSecretSet) s = crafted();
  static const char *const rows[][2] = {
      {"69 6e 00 44 42 5f 50 41 53 53 57 4f 52 44 3d 4e", "in.DB_PASSWORD=N"},
      {"67 78 2d 44 62 2d 50 61 35 35 77 30 72 64 2d 37", "gx-Db-Pa55w0rd-7"},
      {"63 34 31 65 39 00 53 45 53 53 49 4f 4e 5f 4b 45", "c41e9.SESSION_KE"},
  };
  static const char *const want[][2] = {
      {"69 6e 00 44 42 5f 50 41 53 53 57 4f 52 44 3d 4e", "in.DB_PASSWORD=N"},
      {"** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **", "****************"},
      {"** ** ** ** ** 00 53 45 53 53 49 4f 4e 5f 4b 45", "*****.SESSION_KE"},
  };
  CkptRedactCarry carries[2] = {{0}};
  for (size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
    CkptValue in[] = {CKPT_STR(rows[r][0]), CKPT_STR(rows[r][1])};
    CkptValue out[2];
    g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func(g_free);
    ckpt_redact_row(s, in, 2, out, scratch, carries);
    g_assert_cmpstr(out[0].v.s, ==, want[r][0]);
    g_assert_cmpstr(out[1].v.s, ==, want[r][1]);
  }
  /* a secret cut 19 | 3: the last row's 3 bytes only by the carry */
  const char *a = "......AKIAQ4ZQ7V3XKM2PL", *b = "R5T.....";
  CkptValue in[] = {CKPT_STR(a)}, in2[] = {CKPT_STR(b)}, out[1];
  CkptRedactCarry c[1] = {{0}};
  g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func(g_free);
  ckpt_redact_row(s, in, 1, out, scratch, c);
  g_assert_cmpstr(out[0].v.s, ==, "......AKIA*************");
  ckpt_redact_row(s, in2, 1, out, scratch, c);
  g_assert_cmpstr(out[0].v.s, ==, "***.....");
  /* without the carry the short head stays: what the carry is for */
  g_autofree char *alone = red(s, b);
  g_assert_cmpstr(alone, ==, b);
  ckpt_redact_carry_clear(&c[0]);
  ckpt_redact_carry_clear(&carries[0]);
  ckpt_redact_carry_clear(&carries[1]);
}

static void
test_row(void)
{
  g_autoptr(CkptSecretSet) s = crafted();
  const char bytes[] = "xxAKIAQ4ZQ7V3XKM2PLR5T\0yy";
  CkptValue in[] = {
      CKPT_STR("DB_PASSWORD"),
      CKPT_STR("Ngx-Db-Pa55w0rd-7c41e9"),
      CKPT_UINT(22),
      CKPT_NULL,
      {.type = CKPT_T_BYTES, .v.bytes = {bytes, sizeof bytes - 1}},
  };
  CkptValue out[G_N_ELEMENTS(in)];
  g_autoptr(GPtrArray) scratch = g_ptr_array_new_with_free_func(g_free);
  g_assert_true(ckpt_redact_row(s, in, G_N_ELEMENTS(in), out, scratch, NULL));
  g_assert_true(out[0].v.s == in[0].v.s); /* untouched: the same pointer */
  g_assert_cmpstr(out[1].v.s, ==, "Ngx-\u2026(22)");
  g_assert_cmpuint(out[2].v.u, ==, 22);
  g_assert_cmpint(out[3].type, ==, CKPT_T_NULL);
  /* bytes after the NUL are kept */
  const char *want = "xxAKIA\u2026(20)\0yy";
  size_t want_len = strlen("xxAKIA\u2026(20)") + 3;
  g_assert_cmpuint(out[4].v.bytes.len, ==, want_len);
  g_assert_true(memcmp(out[4].v.bytes.data, want, want_len) == 0);
  /* a row with nothing secret is not copied */
  CkptValue plain[] = {CKPT_STR("PATH"), CKPT_STR("/usr/bin")};
  g_assert_false(ckpt_redact_row(s, plain, 2, out, scratch, NULL));
  g_assert_false(
      ckpt_redact_row(NULL, in, G_N_ELEMENTS(in), out, scratch, NULL));
}

/* The model's set: real-nginx.tar's configured secrets; podman-none.tar's
 * environment and the tokens that are only in its heap (slack), found by
 * the engine's memory scan; one set per checkpoint and kind. */
static void
test_checkpoint_set(void)
{
  g_autofree char *rules = ckpt_host_secret_rules();
  static const struct {
    const char *fixture;
    const char *values[4];
  } cases[] = {
      {"real-nginx.tar",
       {"Ngx-Db-Pa55w0rd-7c41e9", "sk_nginx_4f9d2b7e61a8c03d", NULL}},
      {"podman-none.tar",
       {"AKIAZDOC9IS0J8HT9LGM",
        "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B",
        "glpat-Xk3vQ9mT2rLp7WnB4yZc", "S3cretPass"}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_autofree char *path = fixture_path(cases[k].fixture);
    g_autoptr(GError) error = NULL;
    g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(path, NULL, &error);
    g_assert_no_error(error);
    g_autofree char *warning = NULL;
    const CkptSecretSet *s = ckpt_checkpoint_secrets(c, rules, TRUE, &warning);
    g_assert_null(warning);
    for (size_t i = 0; i < G_N_ELEMENTS(cases[k].values); i++)
      if (cases[k].values[i] &&
          !g_hash_table_contains(s->seen, cases[k].values[i]))
        g_error("%s: %s not in the set", cases[k].fixture, cases[k].values[i]);
    /* no harmless value of the environment */
    g_assert_false(g_hash_table_contains(s->seen, "podman"));
    g_assert_false(g_hash_table_contains(
        s->seen,
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    g_assert_true(ckpt_checkpoint_secrets(c, rules, TRUE, NULL) == s);
    /* without memory: the strings' secrets only, a set of its own */
    const CkptSecretSet *t = ckpt_checkpoint_secrets(c, rules, FALSE, NULL);
    g_assert_true(t != s);
    g_assert_true(g_hash_table_contains(t->seen, cases[k].values[0]));
    g_assert_false(g_hash_table_contains(
        t->seen, "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B"));
  }
  /* rules that do not compile: the name table still applies, and says so */
  g_autofree char *path = fixture_path("real-nginx.tar");
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(path, NULL, NULL);
  g_autofree char *warning = NULL;
  const CkptSecretSet *s =
      ckpt_checkpoint_secrets(c, "/nonexistent/rules.yar", FALSE, &warning);
  g_assert_nonnull(warning);
  g_assert_true(g_hash_table_contains(s->seen, "Ngx-Db-Pa55w0rd-7c41e9"));
}

/* The memory pass's scan of every process of c, as mempass.c runs it. */
static void
scan_all(CkptCheckpoint *c, const char *rules)
{
  CkptSecretScan *sc = ckpt_secret_scan_new(c, rules, NULL);
  g_assert_nonnull(sc);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    if (!p->info.has_mm)
      continue;
    CkptMemIter *it = ckpt_mem_iter_new(p);
    ckpt_secret_scan_process(sc, p, it, NULL);
    ckpt_mem_iter_free(it);
    ckpt_secret_scan_end(sc, p);
  }
  ckpt_secret_scan_free(sc);
}

/* Is value in what a fresh windows set of c holds after covering [lo,
 * lo+len) of process i? Every value it holds is in full too. */
static gboolean
window_has(CkptCheckpoint *c, const char *rules, const CkptSecretReach *reach,
           size_t i, uint64_t lo, uint64_t len, const char *value,
           const CkptSecretSet *full)
{
  CkptSecretWindows *w = ckpt_secret_windows_new(c, rules, reach, NULL);
  const CkptSecretSet *s = ckpt_secret_windows_cover(w, &c->procs[i], lo, len);
  g_assert_true(s != full);
  for (guint k = 0; k < s->items->len; k++) {
    const CkptSecret *e = s->items->pdata[k];
    if (!g_hash_table_contains(full->seen, e->value))
      g_error("window [0x%" G_GINT64_MODIFIER "x, +%" G_GUINT64_FORMAT
              ") of process %zu holds %s, which the full set does not",
              lo, len, i, e->value);
  }
  gboolean has = g_hash_table_contains(s->seen, value);
  ckpt_secret_windows_free(w);
  return has;
}

/* The secrets of memory windows (secretset.h) against the full scan, on
 * the real fixtures: each secret the full scan finds in a process's
 * memory is in the set of any window that holds a byte of its value (its
 * first, its last, across its start, across its end), and a window's set
 * holds nothing the full set does not. Shrunk below the engine's reach,
 * some window misses its secret: the reach is what makes them equal. Once
 * the memory pass scanned, the windows are the full set itself. */
static void
test_windows(void)
{
  g_autofree char *rules = ckpt_host_secret_rules();
  static const char *const fixtures[] = {"podman-none.tar", "real-redis.tar",
                                         "real-nginx.tar", "real-python.tar"};
  /* without the value's reach back (a hit that starts before the value,
   * NAME=VALUE), and without the scan's reach either side */
  const CkptSecretReach no_value = {0, ckpt_secret_reach_engine.scan},
                        no_scan = {ckpt_secret_reach_engine.value, 0};
  size_t probes = 0, missed_value = 0, missed_scan = 0;
  for (size_t f = 0; f < G_N_ELEMENTS(fixtures); f++) {
    g_autoptr(CkptCheckpoint) full_c = fixture_open(fixtures[f]);
    g_autoptr(CkptCheckpoint) c = fixture_open(fixtures[f]);
    scan_all(full_c, rules);
    const CkptSecretSet *full =
        ckpt_checkpoint_secrets(full_c, rules, TRUE, NULL);
    const CkptSecretSet *strings =
        ckpt_checkpoint_secrets(full_c, rules, FALSE, NULL);
    for (size_t i = 0; i < full_c->n_procs; i++) {
      const CkptMemSecret *ms = NULL;
      size_t n = 0;
      if (!ckpt_checkpoint_mem_secrets(full_c, rules, &full_c->procs[i], &ms,
                                       &n))
        continue;
      for (size_t k = 0; k < n; k++) {
        const char *v = ms[k].value;
        uint64_t a = ms[k].addr, len = strlen(v);
        /* only what the strings cannot redact shows the windows at work */
        if (len < CKPT_SECRET_MIN_LEN ||
            g_hash_table_contains(strings->seen, v))
          continue;
        uint64_t at[][2] = {
            {a, 1}, {a + len - 1, 1}, {a - 3, 6}, {a + len - 3, 6}};
        for (size_t t = 0; t < G_N_ELEMENTS(at); t++) {
          probes++;
          if (!window_has(c, rules, NULL, i, at[t][0], at[t][1], v, full))
            g_error("%s: process %zu: the window [0x%" G_GINT64_MODIFIER
                    "x, +%" G_GUINT64_FORMAT
                    ") misses %s at 0x%" G_GINT64_MODIFIER "x",
                    fixtures[f], i, at[t][0], at[t][1], v, a);
          missed_value +=
              !window_has(c, rules, &no_value, i, at[t][0], at[t][1], v, full);
          missed_scan +=
              !window_has(c, rules, &no_scan, i, at[t][0], at[t][1], v, full);
        }
      }
    }
    /* the pass scanned: the full set, no scan of its own */
    CkptSecretWindows *w = ckpt_secret_windows_new(full_c, rules, NULL, NULL);
    g_assert_true(ckpt_secret_windows_cover(w, &full_c->procs[0], 0, 1) ==
                  full);
    ckpt_secret_windows_free(w);
  }
  g_test_message("%zu windows; missed without the value's reach %zu, without "
                 "the scan's %zu",
                 probes, missed_value, missed_scan);
  g_assert_cmpuint(probes, >, 20);
  g_assert_cmpuint(missed_value, >, 0);
  g_assert_cmpuint(missed_scan, >, 0);
}

/* ---- one scan a process, and a subscriber's matches (SDK 3.9) --------- */

/* The pass's side of a walk: every block once, each done before the next. */
typedef struct {
  int posted;
  guint blocks;
} FeedLog;

static void
log_block(const CkptProcess *p, const CkptMemBlock *b, void *user)
{
  FeedLog *l = user;
  (void)p;
  g_assert_nonnull(b->data);
  g_assert_cmpint(l->posted, ==, 0);
  l->posted = 1;
  l->blocks++;
}

static void
log_done(const CkptProcess *p, void *user)
{
  FeedLog *l = user;
  (void)p;
  g_assert_cmpint(l->posted, ==, 1);
  l->posted = 0;
}

static const CkptProcess *
proc_of(const CkptCheckpoint *c, uint32_t pid)
{
  for (size_t i = 0; i < c->n_procs; i++)
    if (c->procs[i].info.pid == pid)
      return &c->procs[i];
  g_error("no pid %u", pid);
  return NULL;
}

static gboolean
mem_has(CkptCheckpoint *c, const char *rules, const CkptProcess *p,
        const char *value)
{
  const CkptMemSecret *ms = NULL;
  size_t n = 0;
  if (!ckpt_checkpoint_mem_secrets(c, rules, p, &ms, &n))
    return FALSE;
  for (size_t k = 0; k < n; k++)
    if (strcmp(ms[k].value, value) == 0)
      return TRUE;
  return FALSE;
}

/* The engine judges a rule over a process's memory as one scan: strings
 * in two blocks (the heap marker in the brk heap, the straddling one in an
 * anonymous mapping) make the rule match, as in the yara plugin's scan; a
 * condition reading memory after the scan walks again without feeding
 * the pass; every block goes to the pass once. */
static void
test_scan_process(void)
{
  g_autofree char *dir = g_dir_make_tmp("ckpt-share-XXXXXX", NULL);
  g_autofree char *rules = g_build_filename(dir, "pair.yar", NULL);
  g_assert_true(g_file_set_contents(
      rules,
      "rule split_pair { meta: kind = \"test-pair\" priority = 50 strings:\n"
      "  $v = \"CKPT-MARKER-STRADDLE-PAGE-BOUNDARY\"\n"
      "  $a = \"CKPT-MARKER-HEAP-7f3a\" condition: $v and $a }\n"
      "rule rewalk { meta: kind = \"test-rewalk\" strings:\n"
      "  $v = \"CKPT-MARKER-HEAP-7f3a\"\n"
      "  condition: $v and uint8(@v[1] + 5) == 0x4d }\n",
      -1, NULL));
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  CkptSecretScan *sc = ckpt_secret_scan_new(c, rules, NULL);
  g_assert_nonnull(sc);
  FeedLog l = {0};
  CkptSecretFeed feed = {log_block, log_done, &l};
  guint want = 0;
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    if (!p->info.has_mm)
      continue;
    CkptMemIter *it = ckpt_mem_iter_new(p);
    CkptMemBlock b = {.size = sizeof b};
    while (ckpt_mem_iter_next(it, &b))
      want += b.data && b.len;
    ckpt_mem_iter_free(it);
    it = ckpt_mem_iter_new(p);
    ckpt_secret_scan_process(sc, p, it, &feed);
    ckpt_mem_iter_free(it);
    g_assert_cmpint(l.posted, ==, 0);
    ckpt_secret_scan_end(sc, p);
  }
  ckpt_secret_scan_free(sc);
  g_assert_cmpuint(l.blocks, ==, want);
  const CkptProcess *p1 = proc_of(c, 1);
  g_assert_true(mem_has(c, rules, p1, "CKPT-MARKER-STRADDLE-PAGE-BOUNDARY"));
  g_assert_true(mem_has(c, rules, p1, "CKPT-MARKER-HEAP-7f3a"));
  g_unlink(rules);
  g_rmdir(dir);
}

/* A marker's address from the fixture's markers file. */
static uint64_t
marker_addr(const char *fixture, const char *name)
{
  g_autofree char *path = fixture_path(fixture);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (size_t i = 0; lines[i]; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
    if (f[0] && f[1] && f[2] && strcmp(f[0], name) == 0)
      return g_ascii_strtoull(f[2], NULL, 16);
  }
  g_error("no marker %s in %s", name, fixture);
  return 0;
}

/* A process of c and the address of one of its blocks of at least len
 * bytes (present: a read of len there reads len). */
static const CkptProcess *
long_block(CkptCheckpoint *c, size_t len, uint64_t *addr)
{
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    if (!p->info.has_mm)
      continue;
    CkptMemIter *it = ckpt_mem_iter_new(p);
    CkptMemBlock b = {.size = sizeof b};
    gboolean found = FALSE;
    while (!found && ckpt_mem_iter_next(it, &b))
      if (b.data && b.len >= len) {
        *addr = b.addr;
        found = TRUE;
      }
    ckpt_mem_iter_free(it);
    if (found)
      return p;
  }
  g_error("no block of %zu bytes", len);
  return NULL;
}

/* A subscriber's matches (CkptApi.mem_secret_matches): taken only once the
 * scan was shared, once a process, when each names a rule and string of
 * the engine's files; validated as the engine's own (the slack token of
 * the heap, from its match alone), a match longer than any value dropped. */
static void
test_deliver(void)
{
  g_autofree char *rules = ckpt_host_secret_rules();
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  const CkptProcess *p1 = proc_of(c, 1), *p5 = proc_of(c, 5);
  const char *token = "xoxb-2718281828-3141592653589-Zq8fK2mWc7TnR4vYpL1sXe9B";
  CkptSecretMatch m = {.size = sizeof m,
                       .ns = "credentials",
                       .rule = "slack_token",
                       .string = "$xoxb",
                       .string_index = 1,
                       .len = (uint32_t)strlen(token),
                       .addr = marker_addr("markers-podman-none.txt", "slack")};
  CkptSecretScan *sc = ckpt_secret_scan_new(c, rules, NULL);
  g_assert_nonnull(sc);
  g_assert_false(ckpt_secret_deliver(c, rules, p1, &m, 1)); /* not shared */
  ckpt_secret_scan_share(sc);
  g_assert_false(ckpt_secret_deliver(c, "other-rules", p1, &m, 1));
  CkptSecretMatch bad = m;
  bad.string_index = 0; /* $xoxa */
  g_assert_false(ckpt_secret_deliver(c, rules, p1, &bad, 1));
  bad = m;
  bad.rule = "no_such_rule";
  g_assert_false(ckpt_secret_deliver(c, rules, p1, &bad, 1));
  bad = m;
  bad.ns = "keys";
  g_assert_false(ckpt_secret_deliver(c, rules, p1, &bad, 1));
  const CkptMemSecret *ms = NULL;
  size_t n = 0;
  g_assert_false(ckpt_checkpoint_mem_secrets(c, rules, p1, &ms, &n));
  g_assert_true(ckpt_secret_deliver(c, rules, p1, &m, 1));
  g_assert_true(mem_has(c, rules, p1, token));
  g_assert_false(ckpt_secret_deliver(c, rules, p1, &m, 1)); /* once */
  g_assert_true(ckpt_secret_deliver(c, rules, p5, NULL, 0));
  g_assert_true(ckpt_checkpoint_mem_secrets(c, rules, p5, &ms, &n));
  g_assert_cmpuint(n, ==, 0);
  /* the set takes the delivered process's secrets as the pass's */
  const CkptSecretSet *full = ckpt_checkpoint_secrets(c, rules, TRUE, NULL);
  g_assert_true(g_hash_table_contains(full->seen, token));
  g_assert_cmpuint(ckpt_checkpoint_secret_rescans(c, NULL), ==, 0);
  ckpt_secret_scan_free(sc);

  /* a process nothing was delivered for, once the pass is over, is the
   * host's to scan: once, kept as the pass's, and a late delivery is
   * refused */
  g_autoptr(CkptCheckpoint) o = fixture_open("podman-none.tar");
  p1 = proc_of(o, 1);
  sc = ckpt_secret_scan_new(o, rules, NULL);
  ckpt_secret_scan_share(sc);
  g_assert_false(ckpt_checkpoint_mem_secrets(o, rules, p1, &ms, &n));
  ckpt_secret_scan_finish(sc);
  g_assert_false(ckpt_checkpoint_mem_secrets(o, "other-rules", p1, &ms, &n));
  g_assert_cmpuint(ckpt_checkpoint_secret_rescans(o, NULL), ==, 0);
  g_assert_true(mem_has(o, rules, p1, token));
  guint64 bytes = 0;
  g_assert_cmpuint(ckpt_checkpoint_secret_rescans(o, &bytes), ==, 1);
  g_assert_cmpuint(bytes, >, 0);
  g_assert_true(mem_has(o, rules, p1, token));
  /* the set scans the others, p1 not again */
  guint64 with_mm = 0;
  for (size_t i = 0; i < o->n_procs; i++)
    with_mm += o->procs[i].info.has_mm ? 1 : 0;
  g_assert_cmpuint(with_mm, >, 1);
  const CkptSecretSet *all = ckpt_checkpoint_secrets(o, rules, TRUE, NULL);
  g_assert_true(g_hash_table_contains(all->seen, token));
  g_assert_cmpuint(ckpt_checkpoint_secret_rescans(o, NULL), ==, with_mm);
  g_assert_false(ckpt_secret_deliver(o, rules, p1, &m, 1));
  ckpt_secret_scan_free(sc);

  /* a match longer than any value (a chained hex string's span), over
   * memory that holds all of it: taken, dropped, never read whole into
   * the validator's buffer */
  g_autoptr(CkptCheckpoint) r = fixture_open("real-redis.tar");
  sc = ckpt_secret_scan_new(r, rules, NULL);
  g_assert_nonnull(sc);
  ckpt_secret_scan_share(sc);
  CkptSecretMatch longer = m;
  longer.len = 2 * SECRETS_EXTENT_MAX;
  const CkptProcess *pl = long_block(r, longer.len, &longer.addr);
  /* as a later SDK's subscriber hands them: longer structs, m[0].size
   * apart */
  struct {
    CkptSecretMatch m;
    uint64_t later;
  } wide[2] = {{longer, 0}, {longer, 0}};
  wide[0].m.size = wide[1].m.size = sizeof wide[0];
  g_assert_true(ckpt_secret_deliver(r, rules, pl, &wide[0].m, 2));
  g_assert_true(ckpt_checkpoint_mem_secrets(r, rules, pl, &ms, &n));
  g_assert_cmpuint(n, ==, 0);
  ckpt_secret_scan_free(sc);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(secrets_engine_global_init(NULL));
  g_test_add_func("/redact/set", test_set);
  g_test_add_func("/redact/set-bound", test_set_bound);
  g_test_add_func("/redact/whole-and-substring", test_whole_and_substring);
  g_test_add_func("/redact/hexdump-rows", test_hexdump_rows);
  g_test_add_func("/redact/row", test_row);
  g_test_add_func("/redact/hexdump-carry", test_hexdump_carry);
  g_test_add_func("/redact/checkpoint-set", test_checkpoint_set);
  g_test_add_func("/redact/windows", test_windows);
  g_test_add_func("/redact/scan-process", test_scan_process);
  g_test_add_func("/redact/deliver", test_deliver);
  return g_test_run();
}

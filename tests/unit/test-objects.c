/* test-objects.c - content held by kernel objects (core/model/objects.c):
 * every object of the workload's checkpoints read back exactly, against
 * crit's decode of the same images (oracle/) and the bytes workload.c and
 * fdzoo.c planted; real-hidden.tar's markers each in its object; then
 * damaged copies of criu-dir (lengths past the end, a chunk past the
 * claimed size, a huge memfd), each a warning naming the image. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "criu-files.pb-c.h"
#include "criu-sockets.pb-c.h"
#include "fixture.h"
#include "model/model.h"

static const char *const fixtures[] = {
    "podman-none.tar",       "podman-gzip.tar.gz",
    "podman-zstd.tar.zst",   "criu-dir",
    "podman-none-criu3.tar", "crio-none.tar",
    "containerd-none.tar",
};

/* ---- helpers ------------------------------------------------------------- */

/* The object of that kind whose name is name (or starts with it). */
static const CkptObject *
find_object(const CkptCheckpoint *c, CkptObjectKind kind, const char *name)
{
  for (size_t i = 0; i < c->n_objects; i++) {
    const CkptObject *o = &c->objects[i];
    if (o->info.kind == kind &&
        (name == NULL ||
         (o->info.name && g_str_has_prefix(o->info.name, name))))
      return o;
  }
  return NULL;
}

/* The whole content through ckpt_object_read(). */
static GBytes *
read_all(const CkptObject *o)
{
  g_assert_cmpuint(o->info.length, <, 64u << 20);
  size_t n = (size_t)o->info.length;
  uint8_t *buf = g_malloc0(n + 1);
  g_assert_cmpuint(ckpt_object_read(o, 0, buf, n + 1), ==, n);
  return g_bytes_new_take(buf, n);
}

/* The iterator must give the same bytes at the same offsets. */
static void
check_iter_matches_read(const CkptObject *o)
{
  g_autoptr(GBytes) all = read_all(o);
  gsize n;
  const uint8_t *p = g_bytes_get_data(all, &n);
  CkptObjectIter *it = ckpt_object_iter_new(o);
  CkptObjectBlock b = {.size = sizeof b};
  uint64_t stored = 0, prev_end = 0;
  while (ckpt_object_iter_next(it, &b)) {
    g_assert_cmpuint(b.offset, >=, prev_end);
    g_assert_cmpuint(b.offset + b.len, <=, n);
    g_assert_true(memcmp(p + b.offset, b.data, b.len) == 0);
    stored += b.len;
    prev_end = b.offset + b.len;
  }
  ckpt_object_iter_free(it);
  g_assert_cmpuint(stored, ==, o->info.stored);
}

static void
assert_content(const CkptObject *o, const void *want, size_t len)
{
  g_assert_nonnull(o);
  g_autoptr(GBytes) got = read_all(o);
  gsize n;
  const void *p = g_bytes_get_data(got, &n);
  g_assert_cmpmem(p, n, want, len);
  check_iter_matches_read(o);
}

static gboolean
has_owner(const CkptObject *o, uint32_t pid, int fd)
{
  for (size_t i = 0; i < o->info.n_owners; i++)
    if (o->info.owners[i].pid == pid && o->info.owners[i].fd == fd)
      return TRUE;
  return FALSE;
}

/* A base64 member of a crit decode ("extra"), decoded. */
static GBytes *
crit_bytes(JsonObject *o, const char *member)
{
  const char *b64 = json_object_get_string_member(o, member);
  gsize n = 0;
  guchar *raw = g_base64_decode(b64, &n);
  return g_bytes_new_take(raw, n);
}

static void
assert_bytes(const CkptObject *o, GBytes *want)
{
  gsize n;
  const void *p = g_bytes_get_data(want, &n);
  assert_content(o, p, n);
}

/* ---- the workload's objects, against crit -------------------------------- */

static void
test_workload(gconstpointer data)
{
  const char *fx = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fx);
  g_autoptr(JsonParser) jp = NULL;

  /* ghost file: /data/deleted.log, unlinked while open at fd 15 */
  const CkptObject *g =
      find_object(c, CKPT_OBJ_GHOST_FILE, "/data/deleted.log (deleted)");
  g_assert_nonnull(g);
  JsonArray *ge =
      fixture_oracle_entries(&jp, "podman-none", "ghost-file-1.img");
  g_autoptr(GBytes) gwant =
      crit_bytes(json_array_get_object_element(ge, 0), "extra");
  assert_bytes(g, gwant);
  assert_content(g, "CKPT-DELETED-FILE-CONTENT\n", 26);
  g_assert_true(has_owner(g, 1, 15));
  g_assert_cmpstr(g->info.image, ==, "ghost-file-1.img");
  g_assert_cmpstr(g->info.source, ==,
                  "ghost file /data/deleted.log (deleted), pid 1 fd 15");

  /* memfd ckpt-memfd at fd 14, 19 bytes (memfd.img size), not mapped */
  const CkptObject *m = find_object(c, CKPT_OBJ_MEMFD, "ckpt-memfd");
  g_assert_nonnull(m);
  g_clear_object(&jp);
  JsonArray *me = fixture_oracle_entries(&jp, "podman-none", "memfd.img");
  g_assert_cmpuint(
      m->info.length, ==,
      json_object_get_int_member(json_array_get_object_element(me, 0), "size"));
  assert_content(m, "CKPT-MEMFD-CONTENT\n", 19);
  g_assert_true(has_owner(m, 1, 14));
  g_assert_cmpstr(m->info.source, ==, "memfd ckpt-memfd, pid 1 fd 14");

  /* pipe fds 10/11, its buffer from pipes-data.img */
  g_clear_object(&jp);
  JsonArray *pe = fixture_oracle_entries(&jp, "podman-none", "pipes-data.img");
  JsonObject *p0 = json_array_get_object_element(pe, 0);
  g_autofree char *pname = g_strdup_printf(
      "pipe:[%" G_GINT64_FORMAT "]", json_object_get_int_member(p0, "pipe_id"));
  const CkptObject *p = find_object(c, CKPT_OBJ_PIPE, pname);
  g_assert_nonnull(p);
  g_autoptr(GBytes) pwant = crit_bytes(p0, "extra");
  assert_bytes(p, pwant);
  assert_content(p, "CKPT-PIPE-DATA", 14);
  g_assert_true(has_owner(p, 1, 10));
  g_assert_true(has_owner(p, 1, 11));
  g_autofree char *psrc =
      g_strdup_printf("pipe buffer %s, pid 1 fd 10, pid 1 fd 11", pname);
  g_assert_cmpstr(p->info.source, ==, psrc);

  /* socket queues: one object per id_for of sk-queues.img */
  g_clear_object(&jp);
  JsonArray *qe = fixture_oracle_entries(&jp, "podman-none", "sk-queues.img");
  guint n_queues = 0;
  for (size_t i = 0; i < c->n_objects; i++)
    n_queues += c->objects[i].info.kind == CKPT_OBJ_SOCKET_QUEUE;
  g_assert_cmpuint(n_queues, ==, json_array_get_length(qe));
  gboolean pair = FALSE, path = FALSE;
  for (size_t i = 0; i < c->n_objects; i++) {
    const CkptObject *o = &c->objects[i];
    if (o->info.kind != CKPT_OBJ_SOCKET_QUEUE)
      continue;
    g_autoptr(GBytes) got = read_all(o);
    gsize n;
    const char *s = g_bytes_get_data(got, &n);
    g_assert_cmpstr(o->info.kind_name, ==, "unix socket queue");
    if (n == 21 && memcmp(s, "CKPT-UNIX-PAIR-QUEUED", 21) == 0)
      pair = TRUE;
    if (n == 31 && memcmp(s, "CKPT-UNIX-PATH-CLIENT-TO-SERVER", 31) == 0)
      path = TRUE;
    check_iter_matches_read(o);
    g_assert_cmpuint(o->info.n_owners, >=, 1);
  }
  g_assert_true(pair);
  g_assert_true(path);

  /* TCP: the queues of both ends, crit's inq/outq of each tcp-stream */
  guint n_tcp = 0;
  for (size_t i = 0; i < c->n_objects; i++) {
    const CkptObject *o = &c->objects[i];
    if (o->info.kind != CKPT_OBJ_TCP_RECV && o->info.kind != CKPT_OBJ_TCP_SEND)
      continue;
    n_tcp++;
    g_clear_object(&jp);
    g_autofree char *img = g_strdup(o->info.image);
    JsonArray *te = fixture_oracle_entries(&jp, "podman-none", img);
    g_assert_nonnull(te);
    JsonObject *extra = json_object_get_object_member(
        json_array_get_object_element(te, 0), "extra");
    g_autoptr(GBytes) want =
        crit_bytes(extra, o->info.kind == CKPT_OBJ_TCP_RECV ? "inq" : "outq");
    assert_bytes(o, want);
    g_assert_true(g_str_has_prefix(o->info.source, "tcp queue 127.0.0.1:"));
    g_assert_true(has_owner(o, 1, 5) || has_owner(o, 1, 6));
  }
  g_assert_cmpuint(n_tcp, ==, 2);
  const CkptObject *srv = find_object(c, CKPT_OBJ_TCP_RECV, NULL);
  g_assert_nonnull(srv);
  g_assert_true(g_str_has_suffix(srv->info.name, " (recv)"));
}

/* fdzoo's memfd is mapped too and 8 KiB: one page stored, the rest a hole
 * read as zeros; its shared anonymous page (memfd "/dev/zero") is memory,
 * not an object; the FIFO holds nothing. */
static void
test_fdzoo(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-fdzoo.tar");
  const CkptObject *m = find_object(c, CKPT_OBJ_MEMFD, "ckpt-memfd");
  g_assert_nonnull(m);
  g_assert_cmpuint(m->info.length, ==, 8192);
  g_assert_true(has_owner(m, 1, 17));
  g_autoptr(GBytes) got = read_all(m);
  gsize n;
  const uint8_t *p = g_bytes_get_data(got, &n);
  static const char want[] = "CKPT-MARKER-MEMFD: inside a memfd";
  g_assert_cmpmem(p, sizeof(want), want, sizeof(want));
  for (gsize i = sizeof(want); i < n; i++)
    g_assert_cmpuint(p[i], ==, 0);
  check_iter_matches_read(m);
  g_assert_null(find_object(c, CKPT_OBJ_MEMFD, "/dev/zero"));
  g_assert_null(find_object(c, CKPT_OBJ_FIFO, NULL));
}

/* real-hidden.tar: each marker of markers-real-hidden.txt is in exactly
 * the object its line names, held by its pid and fd. */
static void
test_real_hidden(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("real-hidden.tar");
  g_autofree char *text = fixture_markers_text("real-hidden.tar");
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  guint checked = 0;
  for (char **l = lines; *l; l++) {
    if (**l == '#' || **l == '\0')
      continue;
    g_auto(GStrv) f = g_strsplit(*l, " ", 6);
    g_assert_cmpuint(g_strv_length(f), ==, 6);
    if (strcmp(f[2], "-") == 0)
      continue; /* the rootfs file: not a kernel object */
    uint32_t pid = (uint32_t)atoi(f[2]);
    int fd = atoi(f[3]);
    const char *marker = f[1];
    const char *image = strrchr(f[5], '/') ? strrchr(f[5], '/') + 1 : f[5];
    guint found = 0;
    for (size_t i = 0; i < c->n_objects; i++) {
      const CkptObject *o = &c->objects[i];
      g_autoptr(GBytes) got = read_all(o);
      gsize n;
      const char *p = g_bytes_get_data(got, &n);
      if (n < strlen(marker) ||
          !g_strstr_len(p, (gssize)n, marker)) /* NUL-free markers */
        continue;
      found++;
      g_assert_true(has_owner(o, pid, fd));
      /* pages-N.img holds the memfd; the object names its pagemap */
      if (!g_str_has_prefix(image, "pages-"))
        g_assert_cmpstr(o->info.image, ==, image);
      else
        g_assert_cmpint(o->info.kind, ==, CKPT_OBJ_MEMFD);
    }
    g_assert_cmpuint(found, ==, 1);
    checked++;
  }
  g_assert_cmpuint(checked, ==, 5);
  /* pid 2 runs a deleted executable: a ghost file it holds as its exe */
  gboolean exe = FALSE;
  for (size_t i = 0; i < c->n_objects; i++) {
    const CkptObject *o = &c->objects[i];
    for (size_t k = 0; k < o->info.n_owners; k++)
      exe |= o->info.kind == CKPT_OBJ_GHOST_FILE &&
             o->info.owners[k].pid == 2 &&
             strcmp(o->info.owners[k].how, "exe") == 0;
  }
  g_assert_true(exe);
}

/* ---- damaged copies ------------------------------------------------------ */

/* The image's magics and first entry, with the entry replaced by m and
 * tail appended. */
static GByteArray *
image_with(const ProtobufCMessage *m, const void *tail, size_t tail_len,
           uint32_t magic)
{
  GByteArray *b = g_byte_array_new();
  fixture_put_u32(b, 0x54564319u);
  fixture_put_u32(b, magic);
  fixture_put_msg(b, m);
  if (tail_len)
    g_byte_array_append(b, tail, (guint)tail_len);
  return b;
}

/* A ghost file whose entry claims more bytes than follow it is read as
 * what is there, with a warning naming the image. */
static void
test_ghost_claims_more(Scratch *s, gconstpointer data)
{
  GhostFileEntry g = GHOST_FILE_ENTRY__INIT;
  g.has_mode = TRUE;
  g.mode = 0100600;
  g.has_size = TRUE;
  g.size = 1u << 30;
  g_autoptr(GByteArray) b = image_with(&g.base, "SHORT", 5, 0x52583605u);
  fixture_write_file(s->dir, "ghost-file-1.img", b->data, b->len);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, "ghost-file-1.img: the entry says "
                                       "1073741824 bytes, 5 follow it"));
  const CkptObject *o = find_object(c, CKPT_OBJ_GHOST_FILE, NULL);
  assert_content(o, "SHORT", 5);
}

/* Chunks: one past the claimed size, one longer than the image. */
static void
test_ghost_bad_chunks(Scratch *s, gconstpointer data)
{
  GhostFileEntry g = GHOST_FILE_ENTRY__INIT;
  g.has_mode = TRUE;
  g.mode = 0100600;
  g.has_chunks = g.chunks = TRUE;
  g.has_size = TRUE;
  g.size = 8192;
  g_autoptr(GByteArray) b = image_with(&g.base, NULL, 0, 0x52583605u);
  GhostChunkEntry ch = GHOST_CHUNK_ENTRY__INIT;
  ch.has_len = ch.has_off = TRUE;
  ch.off = 4096;
  ch.len = 4;
  fixture_put_msg(b, &ch.base);
  g_byte_array_append(b, (const guint8 *)"ABCD", 4);
  ch.off = 8190; /* past 8192 */
  ch.len = 4;
  fixture_put_msg(b, &ch.base);
  g_byte_array_append(b, (const guint8 *)"EFGH", 4);
  fixture_write_file(s->dir, "ghost-file-1.img", b->data, b->len);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, "ghost-file-1.img: chunk at offset"));
  g_assert_true(fixture_has_warning(c, "passes the file's size 8192"));
  const CkptObject *o = find_object(c, CKPT_OBJ_GHOST_FILE, NULL);
  g_assert_nonnull(o);
  g_assert_cmpuint(o->info.length, ==, 8192);
  g_assert_cmpuint(o->info.stored, ==, 4);
  uint8_t buf[8];
  g_assert_cmpuint(ckpt_object_read(o, 4094, buf, 8), ==, 8);
  g_assert_cmpmem(buf, 8, "\0\0ABCD\0\0", 8);
  check_iter_matches_read(o);

  /* a chunk longer than what is left of the image */
  g_autoptr(GByteArray) b2 = image_with(&g.base, NULL, 0, 0x52583605u);
  ch.off = 0;
  ch.len = 1u << 20;
  fixture_put_msg(b2, &ch.base);
  g_byte_array_append(b2, (const guint8 *)"tiny", 4);
  fixture_write_file(s->dir, "ghost-file-1.img", b2->data, b2->len);
  g_autoptr(CkptCheckpoint) c2 = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c2, "ghost-file-1.img: chunk at offset"));
  const CkptObject *o2 = find_object(c2, CKPT_OBJ_GHOST_FILE, NULL);
  g_assert_nonnull(o2);
  g_assert_cmpuint(o2->info.stored, ==, 0);
}

/* pipes-data.img whose byte count runs past the end of the image. */
static void
test_pipe_data_past_end(Scratch *s, gconstpointer data)
{
  PipeDataEntry e = PIPE_DATA_ENTRY__INIT;
  e.has_pipe_id = e.has_bytes = TRUE;
  e.pipe_id = 41301;
  e.bytes = 0xffffffffu;
  g_autoptr(GByteArray) b = image_with(&e.base, "CKPT", 4, 0x56453709u);
  fixture_write_file(s->dir, "pipes-data.img", b->data, b->len);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, "pipes-data.img: payload at offset "
                                       "22 claims 4294967295 bytes"));
  g_assert_true(fixture_has_warning(c, "(pipe 41301), rest skipped"));
  g_assert_null(find_object(c, CKPT_OBJ_PIPE, NULL));
}

/* sk-queues.img whose packet length overflows what is left: files.c warns
 * (naming the image), and no queue object is made of missing bytes. */
static void
test_queue_overflow(Scratch *s, gconstpointer data)
{
  SkPacketEntry e = SK_PACKET_ENTRY__INIT;
  e.has_id_for = e.has_length = TRUE;
  e.id_for = 10;
  e.length = 0xfffffff0u;
  g_autoptr(GByteArray) b = image_with(&e.base, "CKPT", 4, 0x56264026u);
  fixture_write_file(s->dir, "sk-queues.img", b->data, b->len);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, "sk-queues.img"));
  g_assert_null(find_object(c, CKPT_OBJ_SOCKET_QUEUE, NULL));
}

/* A memfd claiming a huge size: what the pages hold is read, the rest is
 * a hole; nothing is allocated by the claim. */
static void
test_memfd_claims_more(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) old = fixture_read_file(s->dir, "memfd.img");
  const uint8_t *entry = old->data + 12;
  uint32_t len = fixture_u32le(old->data + 8);
  MemfdInodeEntry *e = memfd_inode_entry__unpack(NULL, len, entry);
  g_assert_nonnull(e);
  e->size = UINT64_C(1) << 50;
  g_autoptr(GByteArray) b = image_with(&e->base, NULL, 0, 0x48453499u);
  memfd_inode_entry__free_unpacked(e, NULL);
  fixture_write_file(s->dir, "memfd.img", b->data, b->len);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  const CkptObject *o = find_object(c, CKPT_OBJ_MEMFD, "ckpt-memfd");
  g_assert_nonnull(o);
  g_assert_cmpuint(o->info.length, ==, UINT64_C(1) << 50);
  g_assert_cmpuint(o->info.stored, ==, 4096);
  uint8_t buf[19];
  g_assert_cmpuint(ckpt_object_read(o, 0, buf, 19), ==, 19);
  g_assert_cmpmem(buf, 19, "CKPT-MEMFD-CONTENT\n", 19);
  g_assert_cmpuint(ckpt_object_read(o, (UINT64_C(1) << 50) - 2, buf, 19), ==,
                   2);
}

/* A memfd's pagemap naming more pages than its pages file holds: the
 * memfd is left out with a warning naming the pagemap. */
static void
test_memfd_pages_short(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) pages = fixture_read_file(s->dir, "pages-1.img");
  g_assert_cmpuint(pages->len, ==, 4096);
  fixture_write_file(s->dir, "pages-1.img", pages->data, 100);
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, "memfd ckpt-memfd: pagemap-shmem-"));
  g_assert_null(find_object(c, CKPT_OBJ_MEMFD, NULL));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *name =
        g_strdup_printf("/objects/workload/%s", fixtures[i]);
    g_test_add_data_func(name, fixtures[i], test_workload);
  }
  g_test_add_func("/objects/fdzoo", test_fdzoo);
  g_test_add_func("/objects/real-hidden", test_real_hidden);
  g_test_add("/objects/hostile/ghost-claims-more", Scratch, NULL, scratch_setup,
             test_ghost_claims_more, scratch_teardown);
  g_test_add("/objects/hostile/ghost-bad-chunks", Scratch, NULL, scratch_setup,
             test_ghost_bad_chunks, scratch_teardown);
  g_test_add("/objects/hostile/pipe-data-past-end", Scratch, NULL,
             scratch_setup, test_pipe_data_past_end, scratch_teardown);
  g_test_add("/objects/hostile/queue-overflow", Scratch, NULL, scratch_setup,
             test_queue_overflow, scratch_teardown);
  g_test_add("/objects/hostile/memfd-claims-more", Scratch, NULL, scratch_setup,
             test_memfd_claims_more, scratch_teardown);
  g_test_add("/objects/hostile/memfd-pages-short", Scratch, NULL, scratch_setup,
             test_memfd_pages_short, scratch_teardown);
  return g_test_run();
}

/* test-files.c - the files stage against crit's decode of the same images
 * (fdinfo-*, files, tcp-stream-*) and against what the workload planted
 * (markers-*.txt), for every fixture; then corrupted copies of criu-dir. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "criu-files.pb-c.h"
#include "criu-sockets.pb-c.h"
#include "fixture.h"
#include "criu/image.h"
#include "model/model.h"

static const char *const fixtures[] = {
    "podman-none.tar", "podman-gzip.tar.gz",  "podman-zstd.tar.zst",
    "criu-dir",        "podman-none-2.tar",   "podman-none-criu3.tar",
    "crio-none.tar",   "containerd-none.tar",
};

/* ---- helpers ------------------------------------------------------------- */

static const CkptFdInfo *
fd_of(const CkptProcess *p, int fd)
{
  for (size_t i = 0; i < p->n_fds; i++)
    if (p->fds[i].fd == fd)
      return &p->fds[i];
  return NULL;
}

static JsonObject *
file_by_id(JsonArray *files, uint32_t id)
{
  for (guint i = 0; i < json_array_get_length(files); i++) {
    JsonObject *o = json_array_get_object_element(files, i);
    if ((uint32_t)json_object_get_int_member(o, "id") == id)
      return o;
  }
  return NULL;
}

/* crit prints unix names with NULs as "=00" */
static char *
crit_unix_name(const char *s)
{
  if (s == NULL || *s == '\0')
    return NULL;
  if (g_str_has_prefix(s, "=00"))
    return g_strconcat("@", s + 3, NULL);
  g_autofree char *t = g_strdup(s);
  while (g_str_has_suffix(t, "=00"))
    t[strlen(t) - 3] = '\0';
  return g_steal_pointer(&t);
}

/* "# main fds: a=1 b=2,3" -> value of key from markers-<fixture>.txt */
static int
marker_fd(const char *fixture, const char *line_prefix, const char *key)
{
  g_autofree char *text = fixture_markers_text(fixture);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (!g_str_has_prefix(*l, line_prefix))
      continue;
    g_auto(GStrv) kv = g_strsplit(*l + strlen(line_prefix), " ", -1);
    for (char **k = kv; *k; k++) {
      size_t n = strlen(key);
      if (strncmp(*k, key, n) == 0 && (*k)[n] == '=')
        return atoi(*k + n + 1);
    }
  }
  g_assert_not_reached();
}

/* "# worker pid N" */
static uint32_t
worker_pid(const char *fixture)
{
  g_autofree char *text = fixture_markers_text(fixture);
  const char *l = strstr(text, "# worker pid ");
  g_assert_nonnull(l);
  return (uint32_t)atoi(l + strlen("# worker pid "));
}

static const CkptProcess *
proc(const CkptCheckpoint *c, uint32_t pid)
{
  const CkptProcess *p = ckpt_checkpoint_process(c, pid);
  g_assert_nonnull(p);
  return p;
}

/* ---- against crit -------------------------------------------------------- */

static void
check_socket(const CkptSocketInfo *sk, const char *type, JsonObject *f)
{
  if (strcmp(type, "INETSK") == 0) {
    JsonObject *e = json_object_get_object_member(f, "isk");
    g_assert_cmpuint(sk->kind, ==, CKPT_SK_INET);
    g_assert_cmpuint(sk->inode, ==, json_object_get_int_member(e, "ino"));
    g_assert_cmpuint(sk->src_port, ==,
                     json_object_get_int_member(e, "src_port"));
    g_assert_cmpuint(sk->dst_port, ==,
                     json_object_get_int_member(e, "dst_port"));
    g_assert_cmpstr(sk->state_name, ==,
                    json_object_get_string_member(e, "state"));
    g_assert_cmpstr(sk->proto_name, ==,
                    json_object_get_string_member(e, "proto"));
    g_assert_cmpuint(sk->backlog, ==, json_object_get_int_member(e, "backlog"));
    JsonArray *src = json_object_get_array_member(e, "src_addr");
    JsonArray *dst = json_object_get_array_member(e, "dst_addr");
    g_assert_cmpstr(sk->src_addr, ==, json_array_get_string_element(src, 0));
    g_assert_cmpstr(sk->dst_addr, ==, json_array_get_string_element(dst, 0));
    JsonObject *o = json_object_get_object_member(e, "opts");
    g_assert_cmpuint(sk->rcvbuf, ==,
                     json_object_get_int_member(o, "so_rcvbuf"));
    g_assert_cmpuint(sk->sndbuf, ==,
                     json_object_get_int_member(o, "so_sndbuf"));
  } else if (strcmp(type, "UNIXSK") == 0) {
    JsonObject *e = json_object_get_object_member(f, "usk");
    g_assert_cmpuint(sk->kind, ==, CKPT_SK_UNIX);
    g_assert_cmpuint(sk->inode, ==, json_object_get_int_member(e, "ino"));
    g_assert_cmpuint(sk->peer_inode, ==, json_object_get_int_member(e, "peer"));
    g_assert_cmpstr(sk->state_name, ==,
                    json_object_get_string_member(e, "state"));
    g_autofree char *name =
        crit_unix_name(json_object_get_string_member(e, "name"));
    g_assert_cmpstr(sk->unix_name, ==, name);
  } else if (strcmp(type, "NETLINKSK") == 0) {
    JsonObject *e = json_object_get_object_member(f, "nlsk");
    g_assert_cmpuint(sk->kind, ==, CKPT_SK_NETLINK);
    g_assert_cmpuint(sk->inode, ==, json_object_get_int_member(e, "ino"));
    g_assert_cmpuint(sk->portid, ==, json_object_get_int_member(e, "portid"));
    g_assert_cmpint(sk->protocol, ==,
                    json_object_get_int_member(e, "protocol"));
  }
}

static void
check_fd(const CkptFdInfo *fd, JsonObject *f)
{
  const char *type = json_object_get_string_member(f, "type");
  if (strcmp(type, "REG") == 0) {
    JsonObject *e = json_object_get_object_member(f, "reg");
    const char *name = json_object_get_string_member(e, "name");
    g_assert_true(fd->kind == CKPT_FD_REG || fd->kind == CKPT_FD_DIR);
    g_assert_true(g_str_has_prefix(fd->path, name));
    g_assert_cmpuint(fd->pos, ==, json_object_get_int_member(e, "pos"));
    g_assert_cmpuint(fd->mode, ==, json_object_get_int_member(e, "mode"));
    if (json_object_has_member(e, "size"))
      g_assert_cmpuint(fd->file_size, ==,
                       json_object_get_int_member(e, "size"));
  } else if (strcmp(type, "PIPE") == 0) {
    JsonObject *e = json_object_get_object_member(f, "pipe");
    g_autofree char *want =
        g_strdup_printf("pipe:[%" G_GINT64_FORMAT "]",
                        json_object_get_int_member(e, "pipe_id"));
    g_assert_cmpuint(fd->kind, ==, CKPT_FD_PIPE);
    g_assert_cmpstr(fd->path, ==, want);
  } else if (strcmp(type, "INETSK") == 0 || strcmp(type, "UNIXSK") == 0 ||
             strcmp(type, "NETLINKSK") == 0) {
    g_assert_cmpuint(fd->kind, ==, CKPT_FD_SOCKET);
    g_assert_nonnull(fd->socket);
    check_socket(fd->socket, type, f);
  } else if (strcmp(type, "EVENTFD") == 0) {
    g_assert_cmpuint(fd->kind, ==, CKPT_FD_EVENTFD);
  } else if (strcmp(type, "EVENTPOLL") == 0) {
    g_assert_cmpuint(fd->kind, ==, CKPT_FD_EPOLL);
  } else if (strcmp(type, "MEMFD") == 0) {
    JsonObject *e = json_object_get_object_member(f, "memfd");
    g_assert_cmpuint(fd->kind, ==, CKPT_FD_MEMFD);
    g_assert_cmpuint(fd->pos, ==, json_object_get_int_member(e, "pos"));
  } else {
    g_test_message("fd %d: type %s not compared", fd->fd, type);
  }
}

static void
test_oracle(gconstpointer data)
{
  const char *fixture = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fixture);
  g_autoptr(JsonNode) files_json = fixture_oracle(fixture, "files.img");
  g_assert_nonnull(files_json);
  JsonArray *files = fixture_entries(files_json);
  size_t n_checked = 0;

  g_assert_cmpuint(c->n_procs, >, 0);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    if (p->info.state == CKPT_PROC_ZOMBIE || p->info.state == CKPT_PROC_DEAD) {
      g_assert_cmpuint(p->n_fds, ==, 0);
      continue;
    }
    g_autofree char *img = g_strdup_printf("fdinfo-%u.img", p->ids_files_id);
    g_autoptr(JsonNode) fdinfo = fixture_oracle(fixture, img);
    g_assert_nonnull(fdinfo);
    JsonArray *fds = fixture_entries(fdinfo);
    g_assert_cmpuint(p->n_fds, ==, json_array_get_length(fds));
    for (size_t j = 1; j < p->n_fds; j++)
      g_assert_cmpint(p->fds[j - 1].fd, <, p->fds[j].fd);
    for (guint j = 0; j < json_array_get_length(fds); j++) {
      JsonObject *e = json_array_get_object_element(fds, j);
      int fdn = (int)json_object_get_int_member(e, "fd");
      uint32_t id = (uint32_t)json_object_get_int_member(e, "id");
      const CkptFdInfo *fd = fd_of(p, fdn);
      g_assert_nonnull(fd);
      g_assert_cmpuint(fd->file_id, ==, id);
      JsonObject *f = file_by_id(files, id);
      g_assert_nonnull(f);
      check_fd(fd, f);
      n_checked++;
    }
  }
  g_assert_cmpuint(n_checked, >=, 30);

  /* every socket of files.img is in the model, once */
  size_t n_sk = 0;
  for (guint i = 0; i < json_array_get_length(files); i++) {
    const char *t = json_object_get_string_member(
        json_array_get_object_element(files, i), "type");
    n_sk += g_str_has_suffix(t, "SK");
  }
  g_assert_cmpuint(c->n_sockets, ==, n_sk);

  /* established TCP: queue lengths as crit decodes tcp-stream-<hex ino> */
  size_t n_streams = 0;
  for (size_t i = 0; i < c->n_sockets; i++) {
    const CkptSocketInfo *sk = &c->sockets[i];
    if (sk->kind != CKPT_SK_INET || g_strcmp0(sk->state_name, "ESTABLISHED"))
      continue;
    g_autofree char *img = g_strdup_printf("tcp-stream-%x.img", sk->inode);
    g_autoptr(JsonNode) ts = fixture_oracle(fixture, img);
    g_assert_nonnull(ts);
    JsonObject *e = json_array_get_object_element(fixture_entries(ts), 0);
    g_assert_true(sk->has_queues);
    g_assert_cmpuint(sk->inq_len, ==, json_object_get_int_member(e, "inq_len"));
    g_assert_cmpuint(sk->outq_len, ==,
                     json_object_get_int_member(e, "outq_len"));
    n_streams++;
  }
  g_assert_cmpuint(n_streams, ==, 2);
  g_assert_cmpuint(c->warnings->len, ==, 0);
}

/* ---- against the workload ------------------------------------------------ */

static const CkptSocketInfo *
sock_at(const CkptProcess *p, int fd)
{
  const CkptFdInfo *f = fd_of(p, fd);
  g_assert_nonnull(f);
  g_assert_cmpuint(f->kind, ==, CKPT_FD_SOCKET);
  g_assert_nonnull(f->socket);
  return f->socket;
}

static void
test_planted(gconstpointer data)
{
  const char *fx = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fx);
  const CkptProcess *main_p = proc(c, 1);
  const CkptProcess *worker = proc(c, worker_pid(fx));
  const char *M = "# main fds: ", *W = "# worker fds: ";

  g_assert_cmpstr(main_p->info.exe, ==, "/app/workload");
  g_assert_cmpstr(main_p->info.cwd, ==, "/");
  g_assert_cmpstr(main_p->info.root, ==, "/");

  /* file-backed VMAs name their file; the binary's text is among them */
  size_t exe_vmas = 0;
  for (size_t i = 0; i < main_p->n_vmas; i++) {
    const CkptVmaInfo *v = &main_p->vmas[i].info;
    if (v->kind != CKPT_VMA_FILE && v->kind != CKPT_VMA_MEMFD)
      continue;
    g_assert_nonnull(v->path);
    if (g_strcmp0(v->path, "/app/workload") == 0)
      exe_vmas++;
  }
  g_assert_cmpuint(exe_vmas, >, 0);

  const CkptFdInfo *notes = fd_of(main_p, marker_fd(fx, M, "notes_rw"));
  g_assert_nonnull(notes);
  g_assert_cmpstr(notes->path, ==, "/data/notes.txt");
  g_assert_cmpuint(notes->pos, ==, 1337);
  g_assert_cmpuint(notes->flags & 3, ==, 2 /* O_RDWR */);
  const CkptFdInfo *ro = fd_of(worker, marker_fd(fx, W, "notes_ro"));
  g_assert_nonnull(ro);
  g_assert_cmpstr(ro->path, ==, "/data/notes.txt");
  g_assert_cmpuint(ro->pos, ==, 100);
  g_assert_cmpuint(ro->flags & 3, ==, 0 /* O_RDONLY */);

  const CkptFdInfo *del = fd_of(main_p, marker_fd(fx, M, "deleted"));
  g_assert_cmpstr(del->path, ==, "/data/deleted.log (deleted)");

  /* one pipe, both ends */
  const CkptFdInfo *p0 = fd_of(main_p, 10), *p1 = fd_of(main_p, 11);
  g_assert_cmpuint(p0->kind, ==, CKPT_FD_PIPE);
  g_assert_true(g_str_has_prefix(p0->path, "pipe:["));
  g_assert_cmpstr(p0->path, ==, p1->path);
  g_assert_cmpuint(fd_of(main_p, marker_fd(fx, M, "eventfd"))->kind, ==,
                   CKPT_FD_EVENTFD);
  g_assert_cmpuint(fd_of(main_p, marker_fd(fx, M, "epoll"))->kind, ==,
                   CKPT_FD_EPOLL);
  const CkptFdInfo *mfd = fd_of(main_p, marker_fd(fx, M, "memfd"));
  g_assert_cmpuint(mfd->kind, ==, CKPT_FD_MEMFD);
  g_assert_cmpstr(mfd->path, ==, "memfd:ckpt-memfd");
  g_assert_cmpstr(mfd->kind_name, ==, "MEMFD");

  /* the 8080 listener, shared by main and worker */
  const CkptSocketInfo *l = sock_at(main_p, marker_fd(fx, M, "listen8080"));
  g_assert_true(l == sock_at(worker, marker_fd(fx, W, "listen8080")));
  g_assert_cmpstr(l->proto_name, ==, "TCP");
  g_assert_cmpstr(l->state_name, ==, "LISTEN");
  g_assert_cmpstr(l->src_addr, ==, "0.0.0.0");
  g_assert_cmpuint(l->src_port, ==, 8080);
  g_assert_cmpuint(l->backlog, ==, 16);
  g_assert_cmpuint(l->n_owners, ==, 2);
  g_assert_true(
      (l->owner_pids[0] == 1 && l->owner_pids[1] == worker->info.pid) ||
      (l->owner_pids[1] == 1 && l->owner_pids[0] == worker->info.pid));

  /* established pair: each side queues what the other sent */
  const CkptSocketInfo *cli = sock_at(main_p, marker_fd(fx, M, "tcp_client"));
  const CkptSocketInfo *srv = sock_at(main_p, marker_fd(fx, M, "tcp_server"));
  g_assert_cmpstr(cli->state_name, ==, "ESTABLISHED");
  g_assert_cmpuint(cli->dst_port, ==, 9090);
  g_assert_cmpuint(srv->src_port, ==, 9090);
  g_assert_cmpuint(srv->dst_port, ==, cli->src_port);
  g_assert_true(cli->has_queues && srv->has_queues);
  g_assert_cmpuint(srv->inq_len + srv->outq_len + cli->outq_len, >=,
                   strlen("CKPT-TCP-CLIENT-TO-SERVER"));
  g_assert_cmpuint(cli->inq_len + cli->outq_len + srv->outq_len, >=,
                   strlen("CKPT-TCP-SERVER-TO-CLIENT-0123456789"));
  g_assert_cmpuint(cli->n_owners, ==, 1);
  g_assert_cmpuint(cli->owner_pids[0], ==, 1);

  const CkptSocketInfo *u4 = sock_at(worker, marker_fd(fx, W, "udp4"));
  g_assert_cmpstr(u4->proto_name, ==, "UDP");
  g_assert_cmpint(u4->family, ==, 2);
  g_assert_cmpstr(u4->src_addr, ==, "0.0.0.0");
  g_assert_cmpuint(u4->src_port, ==, 5353);
  const CkptSocketInfo *u6 = sock_at(worker, marker_fd(fx, W, "udp6"));
  g_assert_cmpstr(u6->proto_name, ==, "UDP");
  g_assert_cmpint(u6->family, ==, 10);
  g_assert_cmpstr(u6->src_addr, ==, "::1");
  g_assert_cmpuint(u6->src_port, ==, 5353);

  const CkptSocketInfo *ul = sock_at(worker, marker_fd(fx, W, "unix_listen"));
  g_assert_cmpstr(ul->proto_name, ==, "UNIX");
  g_assert_cmpstr(ul->unix_name, ==, "/tmp/ckpt.sock");
  g_assert_cmpstr(ul->state_name, ==, "LISTEN");
  g_assert_cmpuint(ul->backlog, ==, 8);
  const CkptSocketInfo *uc = sock_at(worker, marker_fd(fx, W, "unix_client"));
  const CkptSocketInfo *ua = sock_at(worker, marker_fd(fx, W, "unix_accepted"));
  g_assert_cmpuint(uc->peer_inode, ==, ua->inode);
  g_assert_cmpuint(ua->peer_inode, ==, uc->inode);
  g_assert_cmpstr(uc->peer_name, ==, "/tmp/ckpt.sock");
  /* what each unix socket was sent and never read, from sk-queues.img */
  g_assert_true(ua->has_queues);
  g_assert_cmpuint(ua->inq_len, ==, strlen("CKPT-UNIX-PATH-CLIENT-TO-SERVER"));
  g_assert_false(uc->has_queues);
  const CkptSocketInfo *pair = sock_at(main_p, 7);
  g_assert_cmpuint(pair->kind, ==, CKPT_SK_UNIX);
  g_assert_true(pair->has_queues);
  g_assert_cmpuint(pair->inq_len, ==, strlen("CKPT-UNIX-PAIR-QUEUED"));
  const CkptSocketInfo *ab = sock_at(worker, marker_fd(fx, W, "abstract"));
  g_assert_cmpstr(ab->unix_name, ==, "@ckpt-abstract");
  const CkptSocketInfo *nl = sock_at(worker, marker_fd(fx, W, "netlink"));
  g_assert_cmpuint(nl->kind, ==, CKPT_SK_NETLINK);
  g_assert_cmpint(nl->protocol, ==, 0 /* NETLINK_ROUTE */);
  g_assert_nonnull(strstr(nl->description, "ROUTE"));

  /* the stopped child inherited fds 0-2 only */
  const CkptProcess *stopped = proc(c, 2);
  g_assert_cmpuint(stopped->n_fds, ==, 3);
  g_assert_cmpuint(stopped->fds[0].file_id, ==, fd_of(main_p, 0)->file_id);
}

/* ---- bad input ----------------------------------------------------------- */

static void
test_files_truncated(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "files.img");
  gsize len = b->len;
  const uint8_t *p = b->data;

  /* cut in the middle of the third entry */
  fixture_write_file(s->dir, "files.img", p, len / 3);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "files.img",
                            "offset", NULL);
}

static void
test_files_garbage(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "files.img");
  gsize len = b->len;
  uint8_t *p = b->data;

  /* keep the first entry's frame, fill its body with an invalid varint
   * field key run (0xff...) so protobuf refuses it */
  uint32_t n = p[8] | p[9] << 8 | p[10] << 16 | (uint32_t)p[11] << 24;
  g_assert_cmpuint(12 + n, <=, len);
  memset(p + 12, 0xff, n);
  fixture_write_file(s->dir, "files.img", p, len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT,
                            "files.img: entry at offset 8", NULL);
}

static void
test_files_bad_magic(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "files.img");
  gsize len = b->len;
  uint8_t *p = b->data;
  p[4] ^= 0x55;
  fixture_write_file(s->dir, "files.img", p, len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "magic", NULL);
}

/* fdinfo-2.img (main's table) rewritten: fd 0 names a file id no image
 * holds; the rest stays usable */
static void
test_fdinfo_missing_file(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) orig = fixture_read_file(s->dir, "fdinfo-2.img");
  const uint8_t *op = orig->data;
  g_autoptr(GByteArray) b = g_byte_array_new();
  g_byte_array_append(b, op, 8); /* the two magics */

  FdinfoEntry e = FDINFO_ENTRY__INIT;
  e.has_id = e.has_flags = e.has_type = e.has_fd = TRUE;
  e.id = 9999;
  e.type = 1;
  e.fd = 0;
  fixture_put_msg(b, &e.base);
  e.id = 11; /* /data/notes.txt */
  e.fd = 8;
  fixture_put_msg(b, &e.base);
  fixture_write_file(s->dir, "fdinfo-2.img", b->data, b->len);

  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  const CkptProcess *p = proc(c, 1);
  g_assert_cmpuint(p->n_fds, ==, 2);
  g_assert_cmpuint(p->fds[0].kind, ==, CKPT_FD_UNKNOWN);
  g_assert_cmpuint(p->fds[0].file_id, ==, 9999);
  g_assert_nonnull(strstr(p->fds[0].path, "9999"));
  g_assert_cmpstr(p->fds[1].path, ==, "/data/notes.txt");
  g_assert_true(fixture_has_warning(c, "fdinfo-2.img"));
  g_assert_true(fixture_has_warning(c, "file id 9999"));
}

static void
test_fdinfo_limit(Scratch *s, gconstpointer data)
{
  CkptLimits lim;
  ckpt_limits_init(&lim);
  lim.max_fds = 5;
  fixture_expect_open_error(s->dir, &lim, CKPT_ERROR_LIMIT, "max-fds", NULL);
}

static char *
first_tcp_stream(Scratch *s)
{
  g_autoptr(GDir) d = g_dir_open(s->dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, "tcp-stream-"))
      return g_strdup(name);
  g_assert_not_reached();
}

/* a tcp-stream whose inq_len claims more bytes than follow */
static void
test_tcp_stream_overlong(Scratch *s, gconstpointer data)
{
  g_autofree char *img = first_tcp_stream(s);
  g_autoptr(GByteArray) orig = fixture_read_file(s->dir, img);
  const uint8_t *op = orig->data;
  uint32_t n = op[8] | op[9] << 8 | op[10] << 16 | (uint32_t)op[11] << 24;
  TcpStreamEntry *e = tcp_stream_entry__unpack(NULL, n, op + 12);
  g_assert_nonnull(e);
  e->inq_len = 1u << 30;
  g_autoptr(GByteArray) b = g_byte_array_new();
  g_byte_array_append(b, op, 8);
  fixture_put_msg(b, &e->base);
  tcp_stream_entry__free_unpacked(e, NULL);
  g_byte_array_append(b, op + 12 + n, (guint)(orig->len - 12 - n));
  fixture_write_file(s->dir, img, b->data, b->len);

  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  guint ino = (guint)g_ascii_strtoull(img + strlen("tcp-stream-"), NULL, 16);
  gboolean found = FALSE;
  for (size_t i = 0; i < c->n_sockets; i++) {
    if (c->sockets[i].inode != ino)
      continue;
    found = TRUE;
    g_assert_false(c->sockets[i].has_queues);
    g_assert_cmpuint(c->sockets[i].inq_len, ==, 0);
  }
  g_assert_true(found);
  g_assert_true(fixture_has_warning(c, img));
  g_assert_true(fixture_has_warning(c, "inq_len 1073741824"));
}

static void
test_tcp_stream_truncated(Scratch *s, gconstpointer data)
{
  g_autofree char *img = first_tcp_stream(s);
  g_autoptr(GByteArray) orig = fixture_read_file(s->dir, img);
  const uint8_t *op = orig->data;
  fixture_write_file(s->dir, img, op, 10); /* mid entry length */
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_true(fixture_has_warning(c, img));
}

/* Images from before files.img: one image per file type, whose entries are
 * today's FileEntry sub-messages. The scratch copy's files.img is split
 * into them (memfds had no such image and are left out), plus one IPv6
 * socket bound to an IPv4-mapped address. */
typedef struct {
  uint32_t type;
  const char *image;
  uint32_t magic;
  GByteArray *buf;
} Legacy;

static void
test_legacy_images(Scratch *s, gconstpointer data)
{
  Legacy imgs[] = {
      {1, "reg-files.img", 0x50363636u, NULL},
      {2, "pipes.img", 0x56513555u, NULL},
      {4, "inetsk.img", 0x56443851u, NULL},
      {5, "unixsk.img", 0x54373943u, NULL},
      {6, "eventfd.img", 0x44523722u, NULL},
      {7, "eventpoll.img", 0x45023858u, NULL},
      {13, "netlinksk.img", 0x58005614u, NULL},
  };
  g_autoptr(GError) err = NULL;
  g_autoptr(CkptCheckpoint) ref = ckpt_checkpoint_open(s->dir, NULL, &err);
  g_assert_no_error(err);

  for (size_t i = 0; i < G_N_ELEMENTS(imgs); i++) {
    imgs[i].buf = g_byte_array_new();
    fixture_put_u32(imgs[i].buf, 0x54564319u);
    fixture_put_u32(imgs[i].buf, imgs[i].magic);
  }
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "files.img");
  gsize len = b->len;
  const uint8_t *p = b->data;
  CkptImageReader r;
  const uint8_t *e;
  size_t elen;
  g_assert_true(ckpt_image_open(&r, "files.img", p, len, 0, 0, 0, NULL));
  while (ckpt_image_next(&r, &e, &elen, NULL) == 1) {
    FileEntry *fe = file_entry__unpack(NULL, elen, e);
    g_assert_nonnull(fe);
    const ProtobufCMessage *sub = NULL;
    switch (fe->type) {
    case 1:
      sub = &fe->reg->base;
      break;
    case 2:
      sub = &fe->pipe->base;
      break;
    case 4:
      sub = &fe->isk->base;
      break;
    case 5:
      sub = &fe->usk->base;
      break;
    case 6:
      sub = &fe->efd->base;
      break;
    case 7:
      sub = &fe->epfd->base;
      break;
    case 13:
      sub = &fe->nlsk->base;
      break;
    default:
      break;
    }
    for (size_t i = 0; sub && i < G_N_ELEMENTS(imgs); i++)
      if (imgs[i].type == fe->type)
        fixture_put_msg(imgs[i].buf, sub);
    file_entry__free_unpacked(fe, NULL);
  }
  /* ::ffff:10.1.2.3 as CRIU's four raw words of a little-endian host */
  InetSkEntry mapped = INET_SK_ENTRY__INIT;
  uint32_t words[4] = {0, 0, 0xffff0000u, 0x0302010au};
  mapped.has_id = mapped.has_ino = mapped.has_family = TRUE;
  mapped.has_type = mapped.has_proto = mapped.has_state = TRUE;
  mapped.has_src_port = TRUE;
  mapped.id = 7777;
  mapped.ino = 4242;
  mapped.family = 10;
  mapped.type = 1;
  mapped.proto = 6;
  mapped.state = 10;
  mapped.src_port = 443;
  mapped.n_src_addr = 4;
  mapped.src_addr = words;
  fixture_put_msg(imgs[2].buf, &mapped.base);

  for (size_t i = 0; i < G_N_ELEMENTS(imgs); i++) {
    fixture_write_file(s->dir, imgs[i].image, imgs[i].buf->data,
                       imgs[i].buf->len);
    g_byte_array_unref(imgs[i].buf);
  }
  g_autofree char *fimg = g_build_filename(s->dir, "files.img", NULL);
  g_assert_cmpint(g_unlink(fimg), ==, 0);

  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(s->dir, NULL, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(c->n_procs, ==, ref->n_procs);
  size_t n_same = 0;
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *a = &ref->procs[i], *b2 = &c->procs[i];
    g_assert_cmpuint(a->n_fds, ==, b2->n_fds);
    for (size_t j = 0; j < a->n_fds; j++) {
      if (a->fds[j].kind == CKPT_FD_MEMFD) {
        g_assert_cmpuint(b2->fds[j].kind, ==, CKPT_FD_UNKNOWN);
        continue;
      }
      g_assert_cmpint(a->fds[j].fd, ==, b2->fds[j].fd);
      g_assert_cmpuint(a->fds[j].kind, ==, b2->fds[j].kind);
      g_assert_cmpstr(a->fds[j].path, ==, b2->fds[j].path);
      g_assert_cmpuint(a->fds[j].pos, ==, b2->fds[j].pos);
      if (a->fds[j].socket) {
        g_assert_nonnull(b2->fds[j].socket);
        g_assert_cmpuint(a->fds[j].socket->inode, ==, b2->fds[j].socket->inode);
        g_assert_cmpstr(a->fds[j].socket->src_addr, ==,
                        b2->fds[j].socket->src_addr);
        g_assert_cmpstr(a->fds[j].socket->unix_name, ==,
                        b2->fds[j].socket->unix_name);
        g_assert_cmpuint(a->fds[j].socket->has_queues, ==,
                         b2->fds[j].socket->has_queues);
      }
      n_same++;
    }
  }
  g_assert_cmpuint(n_same, >=, 25);
  g_assert_cmpuint(c->n_sockets, ==, ref->n_sockets + 1);
  const CkptSocketInfo *m = NULL;
  for (size_t i = 0; i < c->n_sockets; i++)
    if (c->sockets[i].id == 7777)
      m = &c->sockets[i];
  g_assert_nonnull(m);
  g_assert_cmpstr(m->src_addr, ==, "::ffff:10.1.2.3");
  g_assert_cmpstr(m->state_name, ==, "LISTEN");
  g_assert_cmpuint(m->n_owners, ==, 0);
  g_assert_true(fixture_has_warning(c, "memfd") ||
                fixture_has_warning(c, "file id"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *t = g_strdup_printf("/files/oracle/%s", fixtures[i]);
    g_test_add_data_func(t, fixtures[i], test_oracle);
    g_autofree char *u = g_strdup_printf("/files/planted/%s", fixtures[i]);
    g_test_add_data_func(u, fixtures[i], test_planted);
  }
#define BAD(name, fn)                                                          \
  g_test_add("/files/bad/" name, Scratch, NULL, scratch_setup, fn,             \
             scratch_teardown)
  BAD("files-truncated", test_files_truncated);
  BAD("files-garbage", test_files_garbage);
  BAD("files-bad-magic", test_files_bad_magic);
  BAD("fdinfo-missing-file", test_fdinfo_missing_file);
  BAD("fdinfo-max-fds", test_fdinfo_limit);
  BAD("tcp-stream-overlong", test_tcp_stream_overlong);
  BAD("tcp-stream-truncated", test_tcp_stream_truncated);
  g_test_add("/files/legacy/per-type-images", Scratch, NULL, scratch_setup,
             test_legacy_images, scratch_teardown);
  return g_test_run();
}

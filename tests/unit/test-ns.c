/* test-ns.c - the namespaces stage against crit's decode (ids, mountpoints,
 * utsns, netdev) on every fixture, the loopback addresses the raw ifaddr
 * dump holds, and corrupted copies of criu-dir's images. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "util/error.h"
#include "model/model.h"

static const char *const fixtures[] = {
    "podman-none.tar", "podman-gzip.tar.gz",  "podman-zstd.tar.zst",
    "criu-dir",        "podman-none-2.tar",   "podman-none-criu3.tar",
    "crio-none.tar",   "containerd-none.tar",
};

static uint32_t
hex_member(JsonObject *o, const char *name)
{
  return (uint32_t)strtoul(json_object_get_string_member(o, name), NULL, 16);
}

static gboolean
has_address(const CkptNetLinkInfo *l, const char *a)
{
  for (const char *const *p = l->addresses; *p; p++)
    if (strcmp(*p, a) == 0)
      return TRUE;
  return FALSE;
}

static size_t
n_addresses(const CkptNetLinkInfo *l)
{
  size_t n = 0;
  while (l->addresses[n])
    n++;
  return n;
}

static void
test_oracle(gconstpointer data)
{
  const char *fx = data;
  g_autoptr(CkptCheckpoint) c = fixture_open(fx);
  const CkptNamespaceInfo *ns = &c->ns;

  /* ids: the root task's ids-1.img */
  g_autoptr(JsonNode) ids = fixture_oracle(fx, "ids-1.img");
  g_assert_nonnull(ids);
  JsonObject *io = json_array_get_object_element(fixture_entries(ids), 0);
  g_assert_cmpuint(ns->pid_ns, ==, json_object_get_int_member(io, "pid_ns_id"));
  g_assert_cmpuint(ns->net_ns, ==, json_object_get_int_member(io, "net_ns_id"));
  g_assert_cmpuint(ns->mnt_ns, ==, json_object_get_int_member(io, "mnt_ns_id"));
  g_assert_cmpuint(ns->uts_ns, ==, json_object_get_int_member(io, "uts_ns_id"));
  g_assert_cmpuint(ns->ipc_ns, ==, json_object_get_int_member(io, "ipc_ns_id"));
  g_assert_cmpuint(ns->user_ns, ==,
                   json_object_get_int_member(io, "user_ns_id"));
  g_assert_cmpuint(ns->cgroup_ns, ==,
                   json_object_get_int_member(io, "cgroup_ns_id"));

  /* mounts, in image order */
  g_autofree char *mimg = g_strdup_printf("mountpoints-%u.img", ns->mnt_ns);
  g_autoptr(JsonNode) mj = fixture_oracle(fx, mimg);
  g_assert_nonnull(mj);
  JsonArray *ma = fixture_entries(mj);
  g_assert_cmpuint(c->n_mounts, ==, json_array_get_length(ma));
  g_assert_cmpuint(c->n_mounts, >=, 10);
  gboolean saw_root = FALSE, saw_external = FALSE;
  for (size_t i = 0; i < c->n_mounts; i++) {
    const CkptMountInfo *m = &c->mounts[i];
    JsonObject *o = json_array_get_object_element(ma, (guint)i);
    g_assert_cmpuint(m->mnt_id, ==, json_object_get_int_member(o, "mnt_id"));
    g_assert_cmpuint(m->parent_mnt_id, ==,
                     json_object_get_int_member(o, "parent_mnt_id"));
    g_assert_cmpstr(m->mountpoint, ==,
                    json_object_get_string_member(o, "mountpoint"));
    g_assert_cmpstr(m->root, ==, json_object_get_string_member(o, "root"));
    g_assert_cmpstr(m->source, ==, json_object_get_string_member(o, "source"));
    g_assert_cmpstr(m->options, ==,
                    json_object_get_string_member(o, "options"));
    g_assert_cmpuint(m->flags, ==, hex_member(o, "flags"));
    if (json_object_has_member(o, "fsname"))
      g_assert_cmpstr(m->fstype, ==,
                      json_object_get_string_member(o, "fsname"));
    else if (json_object_get_int_member(o, "fstype") == 0)
      g_assert_cmpstr(m->fstype, ==, "unsupported");
    /* external: CRIU's ext_mount flag, or a key naming the bind source */
    gboolean ext = (json_object_has_member(o, "ext_mount") &&
                    json_object_get_boolean_member(o, "ext_mount")) ||
                   json_object_has_member(o, "ext_key");
    g_assert_cmpint(m->external, ==, ext);
    saw_root |= strcmp(m->mountpoint, "/") == 0;
    saw_external |= m->external;
    if (strcmp(m->mountpoint, "/proc") == 0)
      g_assert_cmpstr(m->fstype, ==, "proc");
  }
  g_assert_true(saw_root);
  g_assert_true(saw_external);

  /* UTS names */
  g_autofree char *uimg = g_strdup_printf("utsns-%u.img", ns->uts_ns);
  g_autoptr(JsonNode) uj = fixture_oracle(fx, uimg);
  g_assert_nonnull(uj);
  JsonObject *uo = json_array_get_object_element(fixture_entries(uj), 0);
  g_assert_cmpstr(ns->hostname, ==,
                  json_object_get_string_member(uo, "nodename"));
  g_assert_cmpstr(ns->domainname, ==,
                  json_object_get_string_member(uo, "domainname"));
  if (c->container.hostname)
    g_assert_cmpstr(ns->hostname, ==, c->container.hostname);

  /* links: --network none leaves loopback only */
  g_autofree char *nimg = g_strdup_printf("netdev-%u.img", ns->net_ns);
  g_autoptr(JsonNode) nj = fixture_oracle(fx, nimg);
  g_assert_nonnull(nj);
  JsonArray *na = fixture_entries(nj);
  g_assert_cmpuint(ns->n_links, ==, json_array_get_length(na));
  for (size_t i = 0; i < ns->n_links; i++) {
    const CkptNetLinkInfo *l = &ns->links[i];
    JsonObject *o = json_array_get_object_element(na, (guint)i);
    g_autofree char *kind =
        g_ascii_strdown(json_object_get_string_member(o, "type"), -1);
    g_assert_cmpuint(l->ifindex, ==, json_object_get_int_member(o, "ifindex"));
    g_assert_cmpstr(l->name, ==, json_object_get_string_member(o, "name"));
    g_assert_cmpuint(l->mtu, ==, json_object_get_int_member(o, "mtu"));
    g_assert_cmpuint(l->flags, ==, hex_member(o, "flags"));
    g_assert_cmpstr(l->kind, ==, kind);
  }
  g_assert_cmpuint(ns->n_links, ==, 1);
  g_assert_cmpstr(ns->links[0].name, ==, "lo");
  g_assert_true(has_address(&ns->links[0], "127.0.0.1/8"));
  g_assert_true(has_address(&ns->links[0], "::1/128"));
  g_assert_cmpuint(n_addresses(&ns->links[0]), ==, 2);
  g_assert_cmpuint(ns->n_routes, ==, 0); /* route dumps hold no message */
  g_assert_cmpuint(c->warnings->len, ==, 0);
}

/* ---- bad input ----------------------------------------------------------- */

static CkptCheckpoint *
open_ok(Scratch *s)
{
  CkptCheckpoint *c = fixture_open(s->dir);
  g_assert_cmpuint(c->ns.n_links, ==, 1);
  return c;
}

/* cut inside the second netlink message: the first address stays */
static void
test_ifaddr_truncated(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "ifaddr-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  uint32_t first = fixture_u32le(b + 4);
  g_assert_cmpuint(4 + first + 20, <, len);
  fixture_write_file(s->dir, img, b, 4 + first + 20);

  g_autoptr(CkptCheckpoint) c = open_ok(s);
  g_assert_cmpuint(n_addresses(&c->ns.links[0]), ==, 1);
  g_assert_true(has_address(&c->ns.links[0], "127.0.0.1/8"));
  g_assert_true(fixture_has_warning(c, img));
  g_assert_true(fixture_has_warning(c, "claims"));
}

static void
test_ifaddr_short_header(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "ifaddr-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  fixture_write_file(s->dir, img, a->data, 4 + 7);
  g_autoptr(CkptCheckpoint) c = open_ok(s);
  g_assert_cmpuint(n_addresses(&c->ns.links[0]), ==, 0);
  g_assert_true(fixture_has_warning(c, "truncated netlink header at offset 4"));
}

static void
test_ifaddr_bad_magic(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "ifaddr-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  b[0] ^= 0xff;
  fixture_write_file(s->dir, img, b, len);
  g_autoptr(CkptCheckpoint) c = open_ok(s);
  g_assert_cmpuint(n_addresses(&c->ns.links[0]), ==, 0);
  g_assert_true(fixture_has_warning(c, "bad magic"));
}

/* an attribute claiming more than its message holds ends that message's
 * attributes; the next message is still read */
static void
test_ifaddr_overlong_attr(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "ifaddr-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  /* magic 4 + nlmsghdr 16 + ifaddrmsg 8: the first rtattr's length */
  b[4 + 16 + 8] = 0xff;
  b[4 + 16 + 8 + 1] = 0xff;
  fixture_write_file(s->dir, img, b, len);
  g_autoptr(CkptCheckpoint) c = open_ok(s);
  g_assert_false(has_address(&c->ns.links[0], "127.0.0.1/8"));
  g_assert_true(has_address(&c->ns.links[0], "::1/128"));
}

/* a message length below the header size must not loop forever */
static void
test_ifaddr_zero_len(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "ifaddr-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  memset(b + 4, 0, 4);
  fixture_write_file(s->dir, img, b, len);
  g_autoptr(CkptCheckpoint) c = open_ok(s);
  g_assert_cmpuint(n_addresses(&c->ns.links[0]), ==, 0);
  g_assert_true(fixture_has_warning(c, "claims 0 bytes"));
}

static void
test_mountpoints_truncated(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "mountpoints-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  fixture_write_file(s->dir, img, b, len - 3);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, img, "offset",
                            NULL);
}

static void
test_utsns_garbage(Scratch *s, gconstpointer data)
{
  g_autofree char *img = fixture_find_file(s->dir, "utsns-");
  g_autoptr(GByteArray) a = fixture_read_file(s->dir, img);
  uint8_t *b = a->data;
  gsize len = a->len;
  uint32_t n = fixture_u32le(b + 8);
  g_assert_cmpuint(12 + n, <=, len);
  memset(b + 12, 0xff, n);
  fixture_write_file(s->dir, img, b, len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT,
                            "not a valid UtsnsEntry", NULL);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *t = g_strdup_printf("/ns/oracle/%s", fixtures[i]);
    g_test_add_data_func(t, fixtures[i], test_oracle);
  }
#define BAD(name, fn)                                                          \
  g_test_add("/ns/bad/" name, Scratch, NULL, scratch_setup, fn,                \
             scratch_teardown)
  BAD("ifaddr-truncated", test_ifaddr_truncated);
  BAD("ifaddr-short-header", test_ifaddr_short_header);
  BAD("ifaddr-bad-magic", test_ifaddr_bad_magic);
  BAD("ifaddr-overlong-attr", test_ifaddr_overlong_attr);
  BAD("ifaddr-zero-len", test_ifaddr_zero_len);
  BAD("mountpoints-truncated", test_mountpoints_truncated);
  BAD("utsns-garbage", test_utsns_garbage);
  return g_test_run();
}

/* ns.c - the namespaces stage: the root task's namespace ids, its mount
 * table (mountpoints-<mnt>.img), UTS names (utsns-<uts>.img), network
 * devices (netdev-<net>.img) with their addresses (ifaddr-<net>.img) and
 * routes (route-<net>.img, route6-<net>.img).
 *
 * ifaddr and route images are not protobuf: CRIU stores what `ip addr save`
 * and `ip route save` print, a u32 magic followed by raw rtnetlink messages
 * (nlmsghdr, then ifaddrmsg or rtmsg, then rtattrs). They are walked with
 * every length checked against the bytes left; a truncated dump keeps what
 * parsed and adds a warning. */
#include "model/model.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "criu-ns.pb-c.h"
#include "criu/image.h"

#define MNTS_MAGIC 0x55563928u
#define UTSNS_MAGIC 0x54473203u
#define NETDEV_MAGIC 0x57373951u

/* iproute2's save formats: the magic `ip addr save` / `ip route save`
 * write before the netlink messages. */
#define IFADDR_DUMP_MAGIC 0x47361222u
#define ROUTE_DUMP_MAGIC 0x45311224u

/* rtnetlink, as in linux/netlink.h and linux/rtnetlink.h */
#define NLMSG_HDRLEN_ 16u
#define NLMSG_ALIGN_(n) (((n) + 3u) & ~3u)
#define NLMSG_DONE_ 3u
#define RTM_NEWADDR_ 20u
#define RTM_NEWROUTE_ 24u
#define IFADDRMSG_LEN 8u
#define RTMSG_LEN 12u
#define RTA_HDRLEN_ 4u
#define IFA_ADDRESS_ 1u
#define IFA_LOCAL_ 2u
#define RTA_DST_ 1u
#define RTA_OIF_ 4u
#define RTA_GATEWAY_ 5u
#define RTN_UNICAST_ 1u

static uint32_t
rd_u32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint16_t
rd_u16(const uint8_t *p)
{
  return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- namespace ids ------------------------------------------------------- */

/* The only image named PREFIX<id>.img when the root task's ids are not
 * known (procs stage without ids-*.img): 0 when none or several. */
static uint32_t
sole_image_id(CkptCheckpoint *c, const char *prefix)
{
  const char *const *names = ckpt_imageset_image_names(c->images);
  size_t plen = strlen(prefix);
  uint32_t found = 0;
  int n = 0;

  for (size_t i = 0; names && names[i]; i++) {
    const char *s = names[i];
    char *end;
    if (strncmp(s, prefix, plen) != 0 || !g_ascii_isdigit(s[plen]))
      continue;
    guint64 v = g_ascii_strtoull(s + plen, &end, 10);
    if (strcmp(end, ".img") != 0 || v == 0 || v > G_MAXUINT32)
      continue;
    found = (uint32_t)v;
    n++;
  }
  return n == 1 ? found : 0;
}

static void
load_ns_ids(CkptCheckpoint *c)
{
  CkptNamespaceInfo *ns = &c->ns;
  if (c->n_procs > 0) {
    const CkptProcess *root = &c->procs[0];
    ns->pid_ns = root->pid_ns_id;
    ns->net_ns = root->net_ns_id;
    ns->mnt_ns = root->mnt_ns_id;
    ns->uts_ns = root->uts_ns_id;
    ns->ipc_ns = root->ipc_ns_id;
    ns->user_ns = root->user_ns_id;
    ns->cgroup_ns = root->cgroup_ns_id;
  }
  if (!ns->mnt_ns)
    ns->mnt_ns = sole_image_id(c, "mountpoints-");
  if (!ns->uts_ns)
    ns->uts_ns = sole_image_id(c, "utsns-");
  if (!ns->net_ns)
    ns->net_ns = sole_image_id(c, "netdev-");
}

/* ---- protobuf images ---------------------------------------------------- */

typedef gboolean (*NsEntryFn)(CkptCheckpoint *c, const ProtobufCMessage *m,
                              void *data);

typedef struct {
  CkptCheckpoint *c;
  NsEntryFn fn;
  void *data;
} NsWalk;

/* fn says whether to go on; stopping early is no error */
static int
on_walk_entry(const ProtobufCMessage *m, size_t off, void *user, GError **error)
{
  NsWalk *w = user;
  return w->fn(w->c, m, w->data) ? 1 : 0;
}

/* Walks PREFIX<id>.img; absent is fine. A broken frame or entry is an
 * error naming the image and offset. */
static gboolean
walk_ns_image(CkptCheckpoint *c, const char *prefix, uint32_t id,
              uint32_t magic, const ProtobufCMessageDescriptor *desc,
              NsEntryFn fn, void *data, GError **error)
{
  g_autofree char *img = g_strdup_printf("%s%u.img", prefix, id);

  if (id == 0)
    return TRUE;
  NsWalk w = {c, fn, data};
  return ckpt_model_walk_image(c, img, magic, desc, on_walk_entry, &w, error);
}

/* CRIU's fstype enum (images/mnt.proto), for entries without fsname. */
static const char *
fstype_name(uint32_t t)
{
  static const char *const names[] = {
      "unsupported", "proc",    "sysfs",   "devtmpfs", "binfmt_misc",
      "tmpfs",       "devpts",  "simfs",   "pstore",   "securityfs",
      "fusectl",     "debugfs", "cgroup",  "aufs",     "mqueue",
      "fuse",        "auto",    "overlay", "autofs",   "tracefs",
      NULL,          NULL,      NULL,      "cgroup2"};
  if (t < G_N_ELEMENTS(names) && names[t])
    return names[t];
  return "unknown";
}

static gboolean
on_mount(CkptCheckpoint *c, const ProtobufCMessage *m, void *data)
{
  const MntEntry *e = (const MntEntry *)m;
  GArray *mounts = data;
  CkptMountInfo mi = {0};

  mi.size = sizeof(mi);
  mi.mnt_id = e->mnt_id;
  mi.parent_mnt_id = e->parent_mnt_id;
  mi.mountpoint = ckpt_model_str(c, e->mountpoint ? e->mountpoint : "");
  mi.root = ckpt_model_str(c, e->root ? e->root : "");
  /* CRIU keeps the kernel's name in fsname when its enum has none */
  mi.fstype = ckpt_model_str(
      c, e->fsname && *e->fsname ? e->fsname : fstype_name(e->fstype));
  mi.source = ckpt_model_str(c, e->source ? e->source : "");
  mi.options = ckpt_model_str(c, e->options ? e->options : "");
  mi.flags = e->flags;
  mi.external = e->ext_mount || (e->ext_key && *e->ext_key);
  g_array_append_val(mounts, mi);
  return TRUE;
}

static gboolean
load_mounts(CkptCheckpoint *c, GError **error)
{
  g_autoptr(GArray) mounts = g_array_new(FALSE, TRUE, sizeof(CkptMountInfo));
  if (!walk_ns_image(c, "mountpoints-", c->ns.mnt_ns, MNTS_MAGIC,
                     &mnt_entry__descriptor, on_mount, mounts, error))
    return FALSE;
  c->n_mounts = mounts->len;
  c->mounts = ckpt_model_alloc(c, MAX(mounts->len, 1), sizeof(CkptMountInfo));
  if (mounts->len)
    memcpy(c->mounts, mounts->data, mounts->len * sizeof(CkptMountInfo));
  return TRUE;
}

static gboolean
on_uts(CkptCheckpoint *c, const ProtobufCMessage *m, void *data)
{
  const UtsnsEntry *e = (const UtsnsEntry *)m;
  c->ns.hostname = ckpt_model_str(c, e->nodename);
  c->ns.domainname = ckpt_model_str(c, e->domainname);
  return FALSE; /* one entry */
}

/* ---- links -------------------------------------------------------------- */

typedef struct {
  CkptNetLinkInfo info;
  GPtrArray *addrs; /* model strings */
} Link;

static void
link_clear(gpointer p)
{
  Link *l = p;
  g_clear_pointer(&l->addrs, g_ptr_array_unref);
}

/* CRIU's nd_type (images/netdev.proto). */
static const char *
nd_type_name(uint32_t t)
{
  static const char *const names[] = {NULL,     "loopback", "veth",
                                      "tun",    "extlink",  "venet",
                                      "bridge", "macvlan",  "sit"};
  if (t < G_N_ELEMENTS(names) && names[t])
    return names[t];
  return "unknown";
}

static const char *
mac_text(CkptCheckpoint *c, const uint8_t *a, size_t n)
{
  /* hardware addresses are at most 32 bytes (MAX_ADDR_LEN) */
  if (n == 0 || n > 32)
    return NULL;
  g_autoptr(GString) s = g_string_new(NULL);
  for (size_t i = 0; i < n; i++)
    g_string_append_printf(s, i ? ":%02x" : "%02x", a[i]);
  return ckpt_model_strn(c, s->str, s->len);
}

static gboolean
on_netdev(CkptCheckpoint *c, const ProtobufCMessage *m, void *data)
{
  const NetDeviceEntry *e = (const NetDeviceEntry *)m;
  GArray *links = data;
  Link l = {0};

  l.info.size = sizeof(l.info);
  l.info.ifindex = e->ifindex;
  l.info.name = ckpt_model_str(c, e->name ? e->name : "");
  l.info.kind = nd_type_name(e->type);
  l.info.mtu = e->mtu;
  l.info.flags = e->flags;
  l.info.mac =
      e->has_address ? mac_text(c, e->address.data, e->address.len) : NULL;
  l.addrs = g_ptr_array_new();
  g_array_append_val(links, l);
  return TRUE;
}

static Link *
link_by_index(GArray *links, uint32_t ifindex)
{
  for (guint i = 0; i < links->len; i++) {
    Link *l = &g_array_index(links, Link, i);
    if (l->info.ifindex == ifindex)
      return l;
  }
  return NULL;
}

/* ---- rtnetlink dumps ---------------------------------------------------- */

typedef struct {
  const uint8_t *p; /* message payload after its fixed header */
  size_t len;
} Attrs;

/* Finds attribute TYPE in [p, p+len); returns its payload or NULL. A
 * malformed attribute ends the search. */
static const uint8_t *
rta_find(Attrs a, uint16_t type, size_t *out_len)
{
  size_t off = 0;
  while (a.len - off >= RTA_HDRLEN_) {
    uint16_t rlen = rd_u16(a.p + off);
    uint16_t rtype = rd_u16(a.p + off + 2);
    if (rlen < RTA_HDRLEN_ || rlen > a.len - off)
      return NULL;
    if ((rtype & 0x3fff) == type) {
      *out_len = rlen - RTA_HDRLEN_;
      return a.p + off + RTA_HDRLEN_;
    }
    off += NLMSG_ALIGN_(rlen);
    if (off > a.len)
      return NULL;
  }
  return NULL;
}

static const char *
ip_text(CkptCheckpoint *c, int family, const uint8_t *a, size_t n, int prefix)
{
  char buf[INET6_ADDRSTRLEN + 8];
  uint8_t raw[16];
  size_t want = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;

  if (want == 0 || n != want)
    return NULL;
  memcpy(raw, a, want);
  if (!inet_ntop(family, raw, buf, INET6_ADDRSTRLEN))
    return NULL;
  if (prefix >= 0)
    g_snprintf(buf + strlen(buf), 8, "/%d", prefix);
  return ckpt_model_str(c, buf);
}

typedef void (*NlMsgFn)(CkptCheckpoint *c, uint16_t type, const uint8_t *p,
                        size_t len, void *data);

/* Walks an iproute2 save dump: magic, then nlmsghdr-framed messages. A
 * short or inconsistent message ends the walk with a warning; what came
 * before it stands. */
static void
walk_nl_dump(CkptCheckpoint *c, const char *img, uint32_t magic, NlMsgFn fn,
             void *data)
{
  const uint8_t *b;
  size_t len;
  uint64_t n = 0;

  if (!ckpt_imageset_image(c->images, img, &b, &len))
    return;
  if (len < 4 || rd_u32(b) != magic) {
    ckpt_model_warn(c, "%s: not an ip save dump (bad magic)", img);
    return;
  }
  size_t off = 4;
  while (off < len) {
    size_t left = len - off;
    if (left < NLMSG_HDRLEN_) {
      ckpt_model_warn(c, "%s: truncated netlink header at offset %zu", img,
                      off);
      return;
    }
    uint32_t mlen = rd_u32(b + off);
    uint16_t type = rd_u16(b + off + 4);
    if (mlen < NLMSG_HDRLEN_ || mlen > left) {
      ckpt_model_warn(c,
                      "%s: netlink message at offset %zu claims %u bytes, "
                      "%zu remain",
                      img, off, mlen, left);
      return;
    }
    if (c->limits.max_entries && ++n > c->limits.max_entries) {
      ckpt_model_warn(
          c, "%s: more than %" G_GUINT64_FORMAT " messages (max-entries limit)",
          img, c->limits.max_entries);
      return;
    }
    if (type == NLMSG_DONE_)
      return;
    fn(c, type, b + off + NLMSG_HDRLEN_, mlen - NLMSG_HDRLEN_, data);
    off += MIN((size_t)NLMSG_ALIGN_(mlen), left);
  }
}

static void
on_ifaddr(CkptCheckpoint *c, uint16_t type, const uint8_t *p, size_t len,
          void *data)
{
  GArray *links = data;
  if (type != RTM_NEWADDR_ || len < IFADDRMSG_LEN)
    return;
  int family = p[0];
  int prefix = p[1];
  uint32_t index = rd_u32(p + 4);
  Attrs a = {p + IFADDRMSG_LEN, len - IFADDRMSG_LEN};
  size_t alen = 0;
  /* IFA_LOCAL is the interface's own address on point-to-point links,
   * where IFA_ADDRESS is the peer's */
  const uint8_t *addr = rta_find(a, IFA_LOCAL_, &alen);
  if (addr == NULL)
    addr = rta_find(a, IFA_ADDRESS_, &alen);
  const char *text = addr ? ip_text(c, family, addr, alen, prefix) : NULL;
  Link *l = link_by_index(links, index);
  if (text == NULL || l == NULL)
    return;
  g_ptr_array_add(l->addrs, (gpointer)text);
}

static void
on_route(CkptCheckpoint *c, uint16_t type, const uint8_t *p, size_t len,
         void *data)
{
  void **ctx = data;
  GArray *routes = ctx[0], *links = ctx[1];
  if (type != RTM_NEWROUTE_ || len < RTMSG_LEN)
    return;
  int family = p[0];
  int dst_len = p[1];
  if (p[7] != RTN_UNICAST_)
    return;
  Attrs a = {p + RTMSG_LEN, len - RTMSG_LEN};
  size_t n = 0;
  CkptRouteInfo ri = {0};
  ri.size = sizeof(ri);
  ri.family = family;
  const uint8_t *dst = rta_find(a, RTA_DST_, &n);
  ri.dst = dst ? ip_text(c, family, dst, n, dst_len) : NULL;
  if (ri.dst == NULL)
    ri.dst = dst_len == 0 ? "default" : "?";
  const uint8_t *gw = rta_find(a, RTA_GATEWAY_, &n);
  ri.gateway = gw ? ip_text(c, family, gw, n, -1) : NULL;
  const uint8_t *oif = rta_find(a, RTA_OIF_, &n);
  if (oif && n == 4) {
    Link *l = link_by_index(links, rd_u32(oif));
    ri.dev = l ? l->info.name : NULL;
  }
  g_array_append_val(routes, ri);
}

static gboolean
load_net(CkptCheckpoint *c, GError **error)
{
  g_autoptr(GArray) links = g_array_new(FALSE, TRUE, sizeof(Link));
  g_autoptr(GArray) routes = g_array_new(FALSE, TRUE, sizeof(CkptRouteInfo));
  uint32_t id = c->ns.net_ns;

  g_array_set_clear_func(links, link_clear);
  if (id == 0)
    return TRUE;
  if (!walk_ns_image(c, "netdev-", id, NETDEV_MAGIC,
                     &net_device_entry__descriptor, on_netdev, links, error))
    return FALSE;

  g_autofree char *ifaddr = g_strdup_printf("ifaddr-%u.img", id);
  g_autofree char *route = g_strdup_printf("route-%u.img", id);
  g_autofree char *route6 = g_strdup_printf("route6-%u.img", id);
  void *ctx[2] = {routes, links};
  walk_nl_dump(c, ifaddr, IFADDR_DUMP_MAGIC, on_ifaddr, links);
  walk_nl_dump(c, route, ROUTE_DUMP_MAGIC, on_route, ctx);
  walk_nl_dump(c, route6, ROUTE_DUMP_MAGIC, on_route, ctx);

  CkptNetLinkInfo *out =
      ckpt_model_alloc(c, MAX(links->len, 1), sizeof(CkptNetLinkInfo));
  for (guint i = 0; i < links->len; i++) {
    Link *l = &g_array_index(links, Link, i);
    const char **addrs =
        ckpt_model_alloc(c, (size_t)l->addrs->len + 1, sizeof(char *));
    for (guint j = 0; j < l->addrs->len; j++)
      addrs[j] = l->addrs->pdata[j];
    out[i] = l->info;
    out[i].addresses = addrs;
  }
  c->ns.links = out;
  c->ns.n_links = links->len;
  CkptRouteInfo *rout =
      ckpt_model_alloc(c, MAX(routes->len, 1), sizeof(CkptRouteInfo));
  if (routes->len)
    memcpy(rout, routes->data, routes->len * sizeof(CkptRouteInfo));
  c->ns.routes = rout;
  c->ns.n_routes = routes->len;
  return TRUE;
}

gboolean
ckpt_ns_load(CkptCheckpoint *c, GError **error)
{
  load_ns_ids(c);
  if (!load_mounts(c, error))
    return FALSE;
  if (!walk_ns_image(c, "utsns-", c->ns.uts_ns, UTSNS_MAGIC,
                     &utsns_entry__descriptor, on_uts, NULL, error))
    return FALSE;
  return load_net(c, error);
}

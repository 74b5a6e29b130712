/* sockets.c - the network view plugin.
 *
 * Emits every socket with the process and descriptor holding it, and the
 * network namespace's interfaces, addresses and routes. Past what
 * checkpointctl shows: IPv6 endpoints in bracketed standard form
 * ("[::1]:5353"), unix sockets with their bound or abstract name and peer,
 * the bytes still queued on established TCP, and packet and netlink sockets
 * described.
 */
#define _GNU_SOURCE /* qsort_r, in subtree.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../subtree.h"
#include "ckpt/plugin.h"

enum { T_SOCKETS, T_INTERFACES, T_ADDRESSES, T_ROUTES };

static const CkptOption options[] = {
    {"pid", CKPT_T_INT, "0",
     "show only the sockets of this process and its descendants"},
    {NULL},
};

/* protocol, type, state, src, src_port, dst, dst_port, send_buf and
 * recv_buf are checkpointctl's JSON names for the same data */
#define L CKPT_COL_LABEL
#define D CKPT_COL_DETAIL
static const CkptColumn socket_columns[] = {
    /* one line per socket: who holds it, what it is, its endpoints */
    {"pid", CKPT_T_UINT, "PID", L,
     .help = "process holding the socket; empty when none does"},
    {"fd", CKPT_T_INT, "FD", L, .help = "descriptor number in that process"},
    {"protocol", CKPT_T_STR, "Proto", L,
     .help = "TCP, UDP, UNIX, PACKET or NETLINK"},
    {"type", CKPT_T_STR, "Type", .help = "socket type: STREAM, DGRAM, ..."},
    {"family", CKPT_T_STR, "Family", .help = "address family"},
    {"state", CKPT_T_STR, "State", L,
     .help = "TCP state, or the kernel's socket state"},
    {"local", CKPT_T_STR, "Local", L,
     .help = "local endpoint addr:port (IPv6 in brackets)"},
    {"remote", CKPT_T_STR, "Remote", L,
     .help = "remote endpoint addr:port, when connected"},
    {"src", CKPT_T_STR, "Src", .help = "local address"},
    {"src_port", CKPT_T_UINT, "Sport", .help = "local port"},
    {"dst", CKPT_T_STR, "Dst", .help = "remote address"},
    {"dst_port", CKPT_T_UINT, "Dport", .help = "remote port"},
    {"address", CKPT_T_STR, "Address", L,
     .help = "bound name of a unix socket (@ for abstract)"},
    {"peer", CKPT_T_STR, "Peer", D,
     .help = "peer of a unix socket: its name or socket:[inode]"},
    {"inode", CKPT_T_UINT, "Inode", .help = "socket inode"},
    {"backlog", CKPT_T_UINT, "Backlog", D, .help = "listen backlog"},
    {"send_buf", CKPT_T_SIZE, "Sndbuf", .help = "send buffer size"},
    {"recv_buf", CKPT_T_SIZE, "Rcvbuf", .help = "receive buffer size"},
    {"in_queue", CKPT_T_SIZE, "Recv-Q", D, .help = "bytes queued for reading"},
    {"out_queue", CKPT_T_SIZE, "Send-Q", D, .help = "bytes queued for sending"},
    {"ifindex", CKPT_T_UINT, "Ifindex", D,
     .help = "interface index of a packet socket"},
    {"portid", CKPT_T_UINT, "Portid", D, .help = "port id of a netlink socket"},
    {"description", CKPT_T_STR, "Description", L,
     .help = "one line for what the other columns do not cover"},
    {NULL},
};
#undef L
#undef D

static const CkptColumn interface_columns[] = {
    {"ifindex", CKPT_T_UINT, "INDEX", .help = "interface index"},
    {"name", CKPT_T_STR, "NAME", .help = "interface name"},
    {"kind", CKPT_T_STR, "KIND", .help = "loopback, veth, tun, ..."},
    {"mtu", CKPT_T_UINT, "MTU", .help = "MTU in bytes"},
    {"flags", CKPT_T_STR, "FLAGS", .help = "interface flags (IFF_*)"},
    {"mac", CKPT_T_STR, "MAC", .help = "MAC address"},
    {"addresses", CKPT_T_STR, "ADDRESSES", .help = "addresses with prefixes"},
    {NULL},
};

static const CkptColumn address_columns[] = {
    {"ifindex", CKPT_T_UINT, "INDEX", .help = "interface index"},
    {"interface", CKPT_T_STR, "INTERFACE", .help = "interface name"},
    {"family", CKPT_T_STR, "FAMILY", .help = "inet or inet6"},
    {"address", CKPT_T_STR, "ADDRESS", .help = "address with prefix"},
    {NULL},
};

static const CkptColumn route_columns[] = {
    {"dst", CKPT_T_STR, "DESTINATION",
     .help = "destination: default or a prefix"},
    {"gateway", CKPT_T_STR, "GATEWAY", .help = "next hop, when there is one"},
    {"dev", CKPT_T_STR, "DEVICE", .help = "outgoing interface"},
    {"family", CKPT_T_STR, "FAMILY", .help = "inet or inet6"},
    {NULL},
};

static const CkptTable tables[] = {
    [T_SOCKETS] = {"sockets", "Open sockets", CKPT_LAYOUT_TABLE,
                   socket_columns},
    [T_INTERFACES] = {"interfaces", "Network interfaces", CKPT_LAYOUT_TABLE,
                      interface_columns},
    [T_ADDRESSES] = {"addresses", "Network addresses", CKPT_LAYOUT_TABLE,
                     address_columns},
    [T_ROUTES] = {"routes", "Routes", CKPT_LAYOUT_TABLE, route_columns},
    {NULL},
};

/* An empty string is no value either: CRIU leaves absent names empty.
 * (CKPT_STR(NULL) is already a NULL cell.) */
static const char *
nonempty(const char *s)
{
  return s && s[0] ? s : NULL;
}

static const char *
type_name(int type)
{
  switch (type) {
  case 1:
    return "STREAM";
  case 2:
    return "DGRAM";
  case 3:
    return "RAW";
  case 4:
    return "RDM";
  case 5:
    return "SEQPACKET";
  case 10:
    return "PACKET";
  }
  return NULL;
}

static const char *
family_name(int family)
{
  switch (family) {
  case 1:
    return "UNIX";
  case 2:
    return "INET";
  case 10:
    return "INET6";
  case 16:
    return "NETLINK";
  case 17:
    return "PACKET";
  }
  return NULL;
}

static const char *
peer_text(const CkptSocketInfo *sk, char *buf, size_t len)
{
  if (sk->peer_name && sk->peer_name[0])
    return sk->peer_name;
  if (sk->peer_inode) {
    snprintf(buf, len, "socket:[%u]", sk->peer_inode);
    return buf;
  }
  return NULL;
}

/* pid 0 and fd -1: a socket no descriptor of a dumped process holds */
static void
emit_socket(const CkptApi *api, CkptRun *run, uint32_t pid, int fd,
            const CkptSocketInfo *sk)
{
  char local[96] = "", remote[96] = "", peer[40];
  int inet = sk->kind == CKPT_SK_INET;
  if (inet) {
    ckpt_format_endpoint(local, sizeof(local), sk->src_addr, sk->src_port);
    /* an unconnected socket's peer is the any address, port 0 */
    if (sk->dst_port != 0)
      ckpt_format_endpoint(remote, sizeof(remote), sk->dst_addr, sk->dst_port);
  }
  CkptValue v[] = {
      pid ? CKPT_UINT(pid) : CKPT_NULL,
      fd >= 0 ? CKPT_INT(fd) : CKPT_NULL,
      CKPT_STR(nonempty(sk->proto_name)),
      CKPT_STR(nonempty(type_name(sk->type))),
      CKPT_STR(nonempty(family_name(sk->family))),
      CKPT_STR(nonempty(sk->state_name)),
      CKPT_STR(nonempty(local)),
      CKPT_STR(nonempty(remote)),
      inet ? CKPT_STR(nonempty(sk->src_addr)) : CKPT_NULL,
      inet ? CKPT_UINT(sk->src_port) : CKPT_NULL,
      inet ? CKPT_STR(nonempty(sk->dst_addr)) : CKPT_NULL,
      inet ? CKPT_UINT(sk->dst_port) : CKPT_NULL,
      sk->kind == CKPT_SK_UNIX ? CKPT_STR(nonempty(sk->unix_name)) : CKPT_NULL,
      CKPT_STR(nonempty(peer_text(sk, peer, sizeof(peer)))),
      /* CRIU does not record a packet socket's inode */
      sk->kind != CKPT_SK_PACKET ? CKPT_UINT(sk->inode) : CKPT_NULL,
      sk->backlog ? CKPT_UINT(sk->backlog) : CKPT_NULL,
      CKPT_SIZE(sk->sndbuf),
      CKPT_SIZE(sk->rcvbuf),
      sk->has_queues ? CKPT_SIZE(sk->inq_len) : CKPT_NULL,
      sk->has_queues ? CKPT_SIZE(sk->outq_len) : CKPT_NULL,
      sk->kind == CKPT_SK_PACKET ? CKPT_UINT(sk->ifindex) : CKPT_NULL,
      sk->kind == CKPT_SK_NETLINK ? CKPT_UINT(sk->portid) : CKPT_NULL,
      CKPT_STR(nonempty(sk->description)),
  };
  api->emit(run, T_SOCKETS, 0, v, sizeof(v) / sizeof(v[0]));
}

/* in: processes to show by index, or NULL for all */
static void
emit_process_sockets(const CkptApi *api, CkptRun *run, const unsigned char *in)
{
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    if (in && !in[i])
      continue;
    size_t nfd = api->fd_count(p);
    for (size_t k = 0; k < nfd; k++) {
      const CkptFdInfo *fi = api->fd_at(p, k);
      if (fi && fi->kind == CKPT_FD_SOCKET && fi->socket)
        emit_socket(api, run, pi->pid, fi->fd, fi->socket);
    }
  }
}

/* IFF_* names, in the order ip(8) prints them */
static void
format_flags(char *buf, size_t len, uint32_t flags)
{
  static const struct {
    uint32_t bit;
    const char *name;
  } names[] = {
      {0x8, "LOOPBACK"},     {0x2, "BROADCAST"}, {0x10, "POINTOPOINT"},
      {0x1000, "MULTICAST"}, {0x80, "NOARP"},    {0x100, "PROMISC"},
      {0x200, "ALLMULTI"},   {0x1, "UP"},        {0x40, "RUNNING"},
      {0x10000, "LOWER_UP"},
  };
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (!(flags & names[i].bit))
      continue;
    int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
                     names[i].name);
    if (w < 0 || (size_t)w >= len - used)
      break;
    used += (size_t)w;
  }
}

/* joins a NULL-ended list with ", "; the caller frees */
static char *
join_list(const char *const *items)
{
  size_t len = 1;
  if (items == NULL)
    return NULL;
  for (size_t i = 0; items[i]; i++)
    len += strlen(items[i]) + 2;
  char *out = malloc(len);
  if (out == NULL)
    return NULL;
  out[0] = '\0';
  for (size_t i = 0; items[i]; i++) {
    if (i)
      strcat(out, ", ");
    strcat(out, items[i]);
  }
  return out;
}

static void
emit_links(const CkptApi *api, CkptRun *run, const CkptNamespaceInfo *ns)
{
  for (size_t i = 0; i < ns->n_links; i++) {
    const CkptNetLinkInfo *l = &ns->links[i];
    char flags[160];
    format_flags(flags, sizeof(flags), l->flags);
    char *addrs = join_list(l->addresses);
    CkptValue v[] = {
        CKPT_UINT(l->ifindex),       CKPT_STR(nonempty(l->name)),
        CKPT_STR(nonempty(l->kind)), CKPT_UINT(l->mtu),
        CKPT_STR(nonempty(flags)),   CKPT_STR(nonempty(l->mac)),
        CKPT_STR(nonempty(addrs)),
    };
    api->emit(run, T_INTERFACES, 0, v, sizeof(v) / sizeof(v[0]));
    free(addrs);
    for (size_t k = 0; l->addresses && l->addresses[k]; k++) {
      const char *a = l->addresses[k];
      CkptValue av[] = {
          CKPT_UINT(l->ifindex),
          CKPT_STR(nonempty(l->name)),
          CKPT_STR(strchr(a, ':') ? "inet6" : "inet"),
          CKPT_STR(a),
      };
      api->emit(run, T_ADDRESSES, 0, av, 4);
    }
  }
}

static void
emit_routes(const CkptApi *api, CkptRun *run, const CkptNamespaceInfo *ns)
{
  for (size_t i = 0; i < ns->n_routes; i++) {
    const CkptRouteInfo *r = &ns->routes[i];
    CkptValue v[] = {
        CKPT_STR(nonempty(r->dst)),
        CKPT_STR(nonempty(r->gateway)),
        CKPT_STR(nonempty(r->dev)),
        r->family == 10 ? CKPT_STR("inet6") : CKPT_STR("inet"),
    };
    api->emit(run, T_ROUTES, 0, v, 4);
  }
}

static CkptStatus
sockets_run(const CkptApi *api, CkptRun *run)
{
  unsigned char *in = NULL;
  if (subtree_from_option(api, run, &in) != 0)
    return CKPT_FAILED;
  emit_process_sockets(api, run, in);
  if (in == NULL) {
    /* sockets no process holds, only when every process is shown */
    size_t n = api->socket_count(run);
    for (size_t i = 0; i < n; i++) {
      const CkptSocketInfo *sk = api->socket_at(run, i);
      if (sk && sk->n_owners == 0)
        emit_socket(api, run, 0, -1, sk);
    }
  }
  free(in);
  const CkptNamespaceInfo *ns = api->namespaces(run);
  if (ns) {
    emit_links(api, run, ns);
    emit_routes(api, run, ns);
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL, "sockets", "0.1.0",
    "sockets of every process, and the network namespace's "
    "interfaces, addresses and routes",
    "Apache-2.0", options, NULL, tables, NULL, sockets_run, NULL);

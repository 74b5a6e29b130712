/* files.c - the files stage: files.img (or the per-type images older CRIU
 * wrote) into a table of files by id, sockets with their TCP queues, and
 * each process's fd table from fdinfo-<files_id>.img. Also resolves the
 * exe/cwd/root file ids procs.c recorded into paths.
 *
 * Every id, count and length comes from the images and is untrusted: ids
 * are looked up, never used as indexes; counts are bounded by CkptLimits;
 * queue lengths are checked against the bytes that follow them. A file an
 * fd names but the image lacks is a warning, not a failure: the rest of the
 * table is still worth showing. A broken image frame is an error. */
#include "model/model.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "criu-files.pb-c.h"
#include "criu-sockets.pb-c.h"
#include "criu/image.h"

/* CRIU's magics (criu/include/magic.h). */
#define FILES_MAGIC 0x56303138u
#define FDINFO_MAGIC 0x56213732u
#define TCP_STREAM_MAGIC 0x51465506u
#define SK_QUEUES_MAGIC 0x56264026u
#define MEMFD_INODE_MAGIC 0x48453499u
#define TTY_INFO_MAGIC 0x59453036u
#define REMAP_FPATH_MAGIC 0x59133954u
#define REG_FILES_MAGIC 0x50363636u
#define INETSK_MAGIC 0x56443851u
#define UNIXSK_MAGIC 0x54373943u
#define PACKETSK_MAGIC 0x60454618u
#define NETLINK_SK_MAGIC 0x58005614u
#define PIPES_MAGIC 0x56513555u
#define FIFO_MAGIC 0x58364939u
#define EVENTFD_FILE_MAGIC 0x44523722u
#define EVENTPOLL_FILE_MAGIC 0x45023858u
#define SIGNALFD_MAGIC 0x57323820u
#define TIMERFD_MAGIC 0x50493712u
#define INOTIFY_FILE_MAGIC 0x48424431u
#define FANOTIFY_FILE_MAGIC 0x55096122u
#define NS_FILES_MAGIC 0x61394011u
#define TUNFILE_MAGIC 0x57143751u
#define EXT_FILES_MAGIC 0x59255641u
#define TTY_FILES_MAGIC 0x59433025u

/* CRIU's fd_types (images/fdinfo.proto). */
enum {
  FD_UND = 0,
  FD_REG = 1,
  FD_PIPE = 2,
  FD_FIFO = 3,
  FD_INETSK = 4,
  FD_UNIXSK = 5,
  FD_EVENTFD = 6,
  FD_EVENTPOLL = 7,
  FD_INOTIFY = 8,
  FD_SIGNALFD = 9,
  FD_PACKETSK = 10,
  FD_TTY = 11,
  FD_FANOTIFY = 12,
  FD_NETLINKSK = 13,
  FD_NS = 14,
  FD_TUNF = 15,
  FD_EXT = 16,
  FD_TIMERFD = 17,
  FD_MEMFD = 18,
  FD_BPFMAP = 19,
  FD_PIDFD = 20,
};

#define REMAP_GHOST 1u

/* One file of files.img, resolved to what an fd shows. */
typedef struct {
  uint32_t id;
  CkptFdKind kind;
  const char *path;
  uint32_t flags;
  uint64_t pos;
  uint32_t mode;
  uint64_t size;
  gssize socket;      /* index into the socket array, or -1 */
  const char *detail; /* see CkptFdInfo.detail */
} FileRec;

/* A named memfd inode of memfd.img, as its descriptors show it. */
typedef struct {
  uint64_t id;        /* the key */
  const char *path;   /* "memfd:NAME" */
  const char *detail; /* size and seals */
} MemfdInode;

typedef struct {
  CkptCheckpoint *c;
  GHashTable *files;     /* uint32 id -> FileRec* (owned by recs) */
  GPtrArray *recs;       /* FileRec*, owned */
  GArray *sockets;       /* CkptSocketInfo, until moved to the arena */
  GPtrArray *owners;     /* per socket: GArray of uint32 pids */
  GHashTable *memfds;    /* uint64 inode_id -> MemfdInode* (in the arena) */
  GHashTable *ttys;      /* uint32 tty info id -> path (model string) */
  GHashTable *ghosts;    /* uint32 file id -> itself: deleted files */
  GHashTable *fd_tables; /* uint32 files_id -> FdTable* */
} FilesLoad;

typedef struct {
  CkptFdInfo *fds;
  size_t n_fds;
} FdTable;

static void
files_load_release(FilesLoad *l)
{
  g_clear_pointer(&l->files, g_hash_table_unref);
  g_clear_pointer(&l->recs, g_ptr_array_unref);
  if (l->sockets)
    g_array_unref(l->sockets);
  g_clear_pointer(&l->owners, g_ptr_array_unref);
  g_clear_pointer(&l->memfds, g_hash_table_unref);
  g_clear_pointer(&l->ttys, g_hash_table_unref);
  g_clear_pointer(&l->ghosts, g_hash_table_unref);
  g_clear_pointer(&l->fd_tables, g_hash_table_unref);
}

static guint
u64_hash(gconstpointer p)
{
  return g_int64_hash(p);
}

/* ---- names ------------------------------------------------------------- */

static const char *const kind_names[] = {
    [CKPT_FD_UNKNOWN] = "UNKNOWN",   [CKPT_FD_REG] = "REG",
    [CKPT_FD_DIR] = "DIR",           [CKPT_FD_PIPE] = "PIPE",
    [CKPT_FD_FIFO] = "FIFO",         [CKPT_FD_SOCKET] = "SOCK",
    [CKPT_FD_EVENTFD] = "EVENTFD",   [CKPT_FD_EPOLL] = "EPOLL",
    [CKPT_FD_SIGNALFD] = "SIGNALFD", [CKPT_FD_TIMERFD] = "TIMERFD",
    [CKPT_FD_INOTIFY] = "INOTIFY",   [CKPT_FD_FANOTIFY] = "FANOTIFY",
    [CKPT_FD_MEMFD] = "MEMFD",       [CKPT_FD_TTY] = "TTY",
    [CKPT_FD_TUN] = "TUN",           [CKPT_FD_NS] = "NS",
    [CKPT_FD_BPF] = "BPF",           [CKPT_FD_PIDFD] = "PIDFD",
    [CKPT_FD_EXT] = "EXT",
};

static const char *
kind_name(CkptFdKind k)
{
  if ((size_t)k < G_N_ELEMENTS(kind_names) && kind_names[k])
    return kind_names[k];
  return "UNKNOWN";
}

/* TCP states; CRIU records unix states with the same values. */
static const char *
sk_state_name(uint32_t st)
{
  static const char *const names[] = {
      NULL,        "ESTABLISHED", "SYN_SENT",    "SYN_RECV",   "FIN_WAIT1",
      "FIN_WAIT2", "TIME_WAIT",   "CLOSE",       "CLOSE_WAIT", "LAST_ACK",
      "LISTEN",    "CLOSING",     "NEW_SYN_RECV"};
  if (st < G_N_ELEMENTS(names) && names[st])
    return names[st];
  return "UNKNOWN";
}

static const char *
sk_type_name(uint32_t type)
{
  switch (type) {
  case SOCK_STREAM:
    return "STREAM";
  case SOCK_DGRAM:
    return "DGRAM";
  case SOCK_RAW:
    return "RAW";
  case SOCK_SEQPACKET:
    return "SEQPACKET";
  default:
    return "UNKNOWN";
  }
}

static const char *
inet_proto_name(uint32_t proto, uint32_t type)
{
  switch (proto) {
  case IPPROTO_TCP:
    return "TCP";
  case IPPROTO_UDP:
    return "UDP";
  case IPPROTO_UDPLITE:
    return "UDPLITE";
  case IPPROTO_SCTP:
    return "SCTP";
  case IPPROTO_ICMP:
  case IPPROTO_ICMPV6:
    return "ICMP";
  default:
    return type == SOCK_RAW ? "RAW" : "INET";
  }
}

static const char *
netlink_proto_name(uint32_t proto)
{
  static const char *const names[] = {
      [0] = "ROUTE",      [2] = "USERSOCK",       [4] = "SOCK_DIAG",
      [5] = "NFLOG",      [6] = "XFRM",           [7] = "SELINUX",
      [8] = "ISCSI",      [9] = "AUDIT",          [10] = "FIB_LOOKUP",
      [11] = "CONNECTOR", [12] = "NETFILTER",     [15] = "KOBJECT_UEVENT",
      [16] = "GENERIC",   [18] = "SCSITRANSPORT", [19] = "ECRYPTFS",
      [20] = "RDMA",      [21] = "CRYPTO"};
  if (proto < G_N_ELEMENTS(names) && names[proto])
    return names[proto];
  return NULL;
}

static const char *model_printf(CkptCheckpoint *c, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* A short formatted string in the model's arena. */
static const char *
model_printf(CkptCheckpoint *c, const char *fmt, ...)
{
  char buf[96];
  va_list ap;
  va_start(ap, fmt);
  g_vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return ckpt_model_str(c, buf);
}

/* ---- what a kernel object was set to (CkptFdInfo.detail) ------------- */

/* The most items a detail lists; the rest are counted. */
#define DETAIL_MAX_ITEMS 32

/* Appends the names of the set bits of v from names[] (bit i), and any
 * unnamed bits in hex, joined by sep. */
static void
append_bits(GString *out, uint64_t v, const char *const *names, size_t n,
            const char *sep)
{
  gboolean first = TRUE;
  for (size_t i = 0; i < n && i < 64; i++) {
    if (!(v >> i & 1) || names[i] == NULL)
      continue;
    g_string_append_printf(out, "%s%s", first ? "" : sep, names[i]);
    v &= ~(UINT64_C(1) << i);
    first = FALSE;
  }
  if (v)
    g_string_append_printf(out, "%s0x%" G_GINT64_MODIFIER "x", first ? "" : sep,
                           v);
}

/* A signalfd's mask: bit n-1 stands for signal n (x86-64 numbering). */
static const char *
signals_detail(CkptCheckpoint *c, uint64_t mask)
{
  static const char *const names[] = {
      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT",
      "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",
      "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
      "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",  "SIGXCPU",
      "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",
      "SIGSYS"};
  g_autoptr(GString) d = g_string_new("signals ");
  gboolean first = TRUE;
  for (unsigned sig = 1; sig <= 64; sig++) {
    if (!(mask >> (sig - 1) & 1))
      continue;
    if (!first)
      g_string_append(d, ", ");
    first = FALSE;
    if (sig <= G_N_ELEMENTS(names))
      g_string_append(d, names[sig - 1]);
    else if (sig >= 34)
      g_string_append_printf(d, "SIGRTMIN+%u", sig - 34);
    else
      g_string_append_printf(d, "signal %u", sig);
  }
  if (first)
    g_string_append(d, "none");
  return ckpt_model_strn(c, d->str, d->len);
}

/* "60 s", "3599.532 s" */
static void
append_seconds(GString *d, uint64_t sec, uint64_t nsec)
{
  unsigned ms = (unsigned)(nsec % 1000000000u / 1000000u);
  if (ms)
    g_string_append_printf(d, "%" G_GUINT64_FORMAT ".%03u s", sec, ms);
  else
    g_string_append_printf(d, "%" G_GUINT64_FORMAT " s", sec);
}

static const char *
timer_detail(CkptCheckpoint *c, const TimerfdEntry *e)
{
  static const char *const clocks[] = {[0] = "CLOCK_REALTIME",
                                       [1] = "CLOCK_MONOTONIC",
                                       [7] = "CLOCK_BOOTTIME",
                                       [8] = "CLOCK_REALTIME_ALARM",
                                       [9] = "CLOCK_BOOTTIME_ALARM"};
  g_autoptr(GString) d = g_string_new(NULL);
  if (e->clockid < G_N_ELEMENTS(clocks) && clocks[e->clockid])
    g_string_append(d, clocks[e->clockid]);
  else
    g_string_append_printf(d, "clock %u", e->clockid);
  /* the time left to the next expiry, and the interval */
  if (e->vsec == 0 && e->vnsec == 0) {
    g_string_append(d, ", disarmed");
  } else {
    g_string_append(d, ", next in ");
    append_seconds(d, e->vsec, e->vnsec);
  }
  if (e->isec || e->insec) {
    g_string_append(d, ", every ");
    append_seconds(d, e->isec, e->insec);
  }
  if (e->ticks)
    g_string_append_printf(d, ", %" G_GUINT64_FORMAT " expirations unread",
                           e->ticks);
  return ckpt_model_strn(c, d->str, d->len);
}

static const char *
inotify_detail(CkptCheckpoint *c, const InotifyFileEntry *e)
{
  static const char *const events[] = {"ACCESS",
                                       "MODIFY",
                                       "ATTRIB",
                                       "CLOSE_WRITE",
                                       "CLOSE_NOWRITE",
                                       "OPEN",
                                       "MOVED_FROM",
                                       "MOVED_TO",
                                       "CREATE",
                                       "DELETE",
                                       "DELETE_SELF",
                                       "MOVE_SELF",
                                       [24] = "ONLYDIR",
                                       [25] = "DONT_FOLLOW",
                                       [26] = "EXCL_UNLINK",
                                       [28] = "MASK_CREATE",
                                       [29] = "MASK_ADD",
                                       [31] = "ONESHOT"};
  if (e->n_wd == 0)
    return ckpt_model_str(c, "no watches");
  g_autoptr(GString) d = g_string_new("watches ");
  for (size_t i = 0; i < e->n_wd && i < DETAIL_MAX_ITEMS; i++) {
    const InotifyWdEntry *w = e->wd[i];
    if (i)
      g_string_append(d, "; ");
    if (w->f_handle && w->f_handle->path && *w->f_handle->path) {
      g_autofree char *cut = g_strndup(w->f_handle->path, 256);
      g_string_append(d, cut);
    } else
      g_string_append_printf(d, "inode %" G_GUINT64_FORMAT, w->i_ino);
    g_string_append(d, " (");
    append_bits(d, w->mask, events, G_N_ELEMENTS(events), "|");
    g_string_append_c(d, ')');
  }
  if (e->n_wd > DETAIL_MAX_ITEMS)
    g_string_append_printf(d, "; and %zu more", e->n_wd - DETAIL_MAX_ITEMS);
  return ckpt_model_strn(c, d->str, d->len);
}

static const char *
epoll_detail(CkptCheckpoint *c, const EventpollFileEntry *e)
{
  if (e->n_tfd == 0)
    return ckpt_model_str(c, "no fds");
  g_autoptr(GString) d = g_string_new("fds ");
  for (size_t i = 0; i < e->n_tfd && i < DETAIL_MAX_ITEMS; i++)
    g_string_append_printf(d, "%s%u", i ? ", " : "", e->tfd[i]->tfd);
  if (e->n_tfd > DETAIL_MAX_ITEMS)
    g_string_append_printf(d, " and %zu more", e->n_tfd - DETAIL_MAX_ITEMS);
  return ckpt_model_strn(c, d->str, d->len);
}

static const char *
memfd_detail(CkptCheckpoint *c, const MemfdInodeEntry *e)
{
  static const char *const seals[] = {"SEAL",  "SHRINK",       "GROW",
                                      "WRITE", "FUTURE_WRITE", "EXEC"};
  g_autoptr(GString) d = g_string_new(NULL);
  g_string_append_printf(d, "size %" G_GUINT64_FORMAT, e->size);
  if (e->seals) {
    g_string_append(d, ", seals ");
    append_bits(d, e->seals, seals, G_N_ELEMENTS(seals), "|");
  }
  return ckpt_model_strn(c, d->str, d->len);
}

/* ---- addresses --------------------------------------------------------- */

/* CRIU stores an address as the raw u32 words of in_addr/in6_addr, as the
 * dumping (little-endian) host held them in memory. */
static const char *
inet_addr_text(CkptCheckpoint *c, uint32_t family, const uint32_t *words,
               size_t n)
{
  uint8_t raw[16] = {0};
  size_t want = family == AF_INET6 ? 4 : 1;
  char buf[INET6_ADDRSTRLEN];

  if (n < want)
    return NULL;
  for (size_t i = 0; i < want; i++) {
    raw[i * 4 + 0] = (uint8_t)(words[i] & 0xff);
    raw[i * 4 + 1] = (uint8_t)(words[i] >> 8 & 0xff);
    raw[i * 4 + 2] = (uint8_t)(words[i] >> 16 & 0xff);
    raw[i * 4 + 3] = (uint8_t)(words[i] >> 24 & 0xff);
  }
  if (inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, raw, buf,
                sizeof(buf)) == NULL)
    return NULL;
  return ckpt_model_str(c, buf);
}

/* A unix socket name is bytes: a path (the kernel may keep a trailing NUL)
 * or, when it starts with NUL, an abstract name shown as "@name". Other
 * NULs and control bytes are escaped so the name stays one line. */
static const char *
unix_name_text(CkptCheckpoint *c, const uint8_t *name, size_t len,
               const char *dir)
{
  if (len == 0)
    return NULL;
  gboolean abstract = name[0] == '\0';
  size_t start = abstract ? 1 : 0;
  if (!abstract)
    while (len > 0 && name[len - 1] == '\0')
      len--;
  /* sun_path holds 108 bytes; a longer name is not the kernel's, keep a
   * bounded prefix so escaping cannot blow it up */
  if (len > 1024)
    len = 1024;
  g_autoptr(GString) s = g_string_new(abstract ? "@" : "");
  if (!abstract && dir && *dir && len > 0 && name[0] != '/') {
    g_string_append(s, dir);
    g_string_append_c(s, '/');
  }
  for (size_t i = start; i < len; i++) {
    if (name[i] < 0x20 || name[i] == 0x7f || name[i] == '\\')
      g_string_append_printf(s, "\\x%02x", name[i]);
    else
      g_string_append_c(s, (char)name[i]);
  }
  return ckpt_model_strn(c, s->str, s->len);
}

/* ---- sockets ----------------------------------------------------------- */

static CkptSocketInfo *
socket_new(FilesLoad *l, FileRec *rec, CkptSocketKind kind, uint32_t ino)
{
  CkptSocketInfo sk = {0};
  sk.size = sizeof(sk);
  sk.kind = kind;
  sk.id = rec->id;
  sk.inode = ino;
  g_array_append_val(l->sockets, sk);
  g_ptr_array_add(l->owners, g_array_new(FALSE, FALSE, sizeof(uint32_t)));
  rec->socket = (gssize)l->sockets->len - 1;
  rec->kind = CKPT_FD_SOCKET;
  return &g_array_index(l->sockets, CkptSocketInfo, l->sockets->len - 1);
}

static void
socket_opts(CkptSocketInfo *sk, const SkOptsEntry *o)
{
  if (o == NULL)
    return;
  sk->rcvbuf = o->so_rcvbuf;
  sk->sndbuf = o->so_sndbuf;
}

static void
add_inet(FilesLoad *l, FileRec *rec, const InetSkEntry *e)
{
  CkptCheckpoint *c = l->c;
  CkptSocketInfo *sk = socket_new(l, rec, CKPT_SK_INET, e->ino);
  sk->family = (int)e->family;
  sk->type = (int)e->type;
  sk->protocol = (int)e->proto;
  sk->state = (int)e->state;
  sk->proto_name = inet_proto_name(e->proto, e->type);
  sk->state_name = sk_state_name(e->state);
  sk->src_addr = inet_addr_text(c, e->family, e->src_addr, e->n_src_addr);
  sk->dst_addr = inet_addr_text(c, e->family, e->dst_addr, e->n_dst_addr);
  sk->src_port = e->src_port;
  sk->dst_port = e->dst_port;
  sk->backlog = e->backlog;
  socket_opts(sk, e->opts);
  rec->path = model_printf(c, "socket:[%u]", e->ino);
}

static void
add_unix(FilesLoad *l, FileRec *rec, const UnixSkEntry *e)
{
  CkptCheckpoint *c = l->c;
  CkptSocketInfo *sk = socket_new(l, rec, CKPT_SK_UNIX, e->ino);
  sk->family = AF_UNIX;
  sk->type = (int)e->type;
  sk->state = (int)e->state;
  sk->proto_name = "UNIX";
  sk->state_name = sk_state_name(e->state);
  sk->unix_name = unix_name_text(c, e->has_name ? e->name.data : NULL,
                                 e->has_name ? e->name.len : 0, e->name_dir);
  sk->peer_inode = e->peer;
  sk->backlog = e->backlog;
  socket_opts(sk, e->opts);
  sk->description = ckpt_model_str(c, sk_type_name(e->type));
}

static void
add_packet(FilesLoad *l, FileRec *rec, const PacketSockEntry *e)
{
  CkptCheckpoint *c = l->c;
  CkptSocketInfo *sk = socket_new(l, rec, CKPT_SK_PACKET, 0);
  char buf[128];
  sk->family = AF_PACKET;
  sk->type = (int)e->type;
  /* the protocol is an ethertype in network byte order */
  sk->protocol = (int)ntohs((uint16_t)e->protocol);
  sk->proto_name = "PACKET";
  sk->state_name = "";
  sk->ifindex = e->ifindex;
  socket_opts(sk, e->opts);
  g_snprintf(buf, sizeof(buf), "packet %s proto 0x%04x ifindex %u",
             sk_type_name(e->type), (unsigned)sk->protocol, e->ifindex);
  sk->description = ckpt_model_str(c, buf);
}

static void
add_netlink(FilesLoad *l, FileRec *rec, const NetlinkSkEntry *e)
{
  CkptCheckpoint *c = l->c;
  CkptSocketInfo *sk = socket_new(l, rec, CKPT_SK_NETLINK, e->ino);
  const char *pn = netlink_proto_name(e->protocol);
  g_autoptr(GString) d = g_string_new("netlink ");
  sk->family = AF_NETLINK;
  sk->type = SOCK_RAW;
  sk->protocol = (int)e->protocol;
  sk->state = (int)e->state;
  sk->proto_name = "NETLINK";
  /* the kernel's NETLINK_UNCONNECTED and NETLINK_CONNECTED */
  sk->state_name = e->state == 0   ? "UNCONNECTED"
                   : e->state == 1 ? "CONNECTED"
                                   : sk_state_name(e->state);
  sk->portid = e->portid;
  socket_opts(sk, e->opts);
  if (pn)
    g_string_append(d, pn);
  else
    g_string_append_printf(d, "protocol %u", e->protocol);
  g_string_append_printf(d, " portid %u", e->portid);
  /* groups is a bitmap in 32-bit words; show the set bits' word mask */
  for (size_t i = 0; i < e->n_groups && i < 64; i++)
    if (e->groups[i])
      g_string_append_printf(d, " groups[%zu]=0x%x", i, e->groups[i]);
  sk->description = ckpt_model_strn(c, d->str, d->len);
}

/* tcp-stream-<ino>.img: one entry, then inq_len bytes of the receive queue
 * and outq_len bytes of the send queue. Lengths are only believed when the
 * bytes are there. */
static void
load_tcp_stream(FilesLoad *l, CkptSocketInfo *sk)
{
  CkptCheckpoint *c = l->c;
  g_autofree char *name = g_strdup_printf("tcp-stream-%x.img", sk->inode);
  const uint8_t *data, *entry, *bytes;
  size_t len, elen;
  CkptImageReader r;
  g_autoptr(GError) err = NULL;

  if (!ckpt_imageset_image(c->images, name, &data, &len))
    return;
  if (!ckpt_image_open(&r, name, data, len, TCP_STREAM_MAGIC,
                       c->limits.max_entry_size, 1, &err) ||
      ckpt_image_next(&r, &entry, &elen, &err) != 1) {
    if (err)
      ckpt_model_warn(c, "%s", err->message);
    else
      ckpt_model_warn(c, "%s: no entry", name);
    return;
  }
  r.max_decode = c->limits.max_decode_memory;
  TcpStreamEntry *e = (TcpStreamEntry *)ckpt_image_unpack(
      &r, &tcp_stream_entry__descriptor, entry, elen, &err);
  if (e == NULL) {
    ckpt_model_warn(c, "%s", err->message);
    return;
  }
  uint32_t inq = e->inq_len, outq = e->outq_len;
  tcp_stream_entry__free_unpacked(e, NULL);
  if (!ckpt_image_take(&r, inq, &bytes, &err) ||
      !ckpt_image_take(&r, outq, &bytes, &err)) {
    ckpt_model_warn(c, "%s: inq_len %u, outq_len %u: %s", name, inq, outq,
                    err->message);
    return;
  }
  sk->inq_len = inq;
  sk->outq_len = outq;
  sk->has_queues = 1;
}

/* Queued packets of unix (and other non-TCP) sockets: sk-queues.img holds
 * one SkPacketEntry per packet, its payload right after it. The payload is
 * only counted; a broken image keeps what was counted and warns. */
static void
load_sk_queues(FilesLoad *l)
{
  CkptCheckpoint *c = l->c;
  const char *name = "sk-queues.img";
  const uint8_t *entry, *bytes;
  size_t elen;
  CkptImageReader r;
  gboolean present;
  g_autoptr(GError) err = NULL;
  int rc;

  if (!ckpt_model_open_image(c, &r, name, SK_QUEUES_MAGIC, &present, &err)) {
    ckpt_model_warn(c, "%s", err->message);
    return;
  }
  if (!present)
    return;
  while ((rc = ckpt_image_next(&r, &entry, &elen, &err)) == 1) {
    size_t off = (size_t)(entry - r.base);
    SkPacketEntry *e = (SkPacketEntry *)ckpt_image_unpack(
        &r, &sk_packet_entry__descriptor, entry, elen, &err);
    if (e == NULL) {
      ckpt_model_warn(c, "%s", err->message);
      return;
    }
    uint32_t id = e->id_for, n = e->length;
    sk_packet_entry__free_unpacked(e, NULL);
    if (!ckpt_image_take(&r, n, &bytes, &err)) {
      ckpt_model_warn(c, "%s", err->message);
      return;
    }
    FileRec *rec = g_hash_table_lookup(l->files, GUINT_TO_POINTER(id));
    if (rec == NULL || rec->socket < 0) {
      ckpt_model_warn(c,
                      "%s: entry at offset %zu queues to id %u, which is "
                      "not a socket",
                      name, off, id);
      continue;
    }
    CkptSocketInfo *sk =
        &g_array_index(l->sockets, CkptSocketInfo, (guint)rec->socket);
    sk->inq_len += n;
    sk->has_queues = 1;
  }
  if (rc < 0)
    ckpt_model_warn(c, "%s", err->message);
}

/* ---- files ------------------------------------------------------------- */

static void
add_reg(FilesLoad *l, FileRec *rec, const RegFileEntry *e)
{
  CkptCheckpoint *c = l->c;
  rec->kind = S_ISDIR(e->mode) ? CKPT_FD_DIR : CKPT_FD_REG;
  rec->path = ckpt_model_str(c, e->name ? e->name : "");
  rec->flags = e->flags;
  rec->pos = e->pos;
  rec->mode = e->mode;
  rec->size = e->size;
}

/* Fills rec from one FileEntry's sub-message. Returns FALSE when the entry
 * carries none matching its type. */
static gboolean
fill_file(FilesLoad *l, FileRec *rec, const FileEntry *fe)
{
  CkptCheckpoint *c = l->c;

  switch (fe->type) {
  case FD_REG:
    if (!fe->reg)
      return FALSE;
    add_reg(l, rec, fe->reg);
    return TRUE;
  case FD_PIPE:
    if (!fe->pipe)
      return FALSE;
    rec->kind = CKPT_FD_PIPE;
    rec->flags = fe->pipe->flags;
    rec->path = model_printf(c, "pipe:[%u]", fe->pipe->pipe_id);
    return TRUE;
  case FD_FIFO:
    if (!fe->fifo)
      return FALSE;
    rec->kind = CKPT_FD_FIFO;
    /* the path is the regular file entry regf_id; resolved later */
    rec->path = model_printf(c, "fifo:[%u]", fe->fifo->pipe_id);
    rec->size = fe->fifo->regf_id; /* stash, see resolve_regf() */
    return TRUE;
  case FD_INETSK:
    if (!fe->isk)
      return FALSE;
    add_inet(l, rec, fe->isk);
    return TRUE;
  case FD_UNIXSK:
    if (!fe->usk)
      return FALSE;
    add_unix(l, rec, fe->usk);
    rec->path = model_printf(c, "socket:[%u]", fe->usk->ino);
    return TRUE;
  case FD_PACKETSK:
    if (!fe->psk)
      return FALSE;
    add_packet(l, rec, fe->psk);
    rec->path = ckpt_model_str(c, "socket:[packet]");
    return TRUE;
  case FD_NETLINKSK:
    if (!fe->nlsk)
      return FALSE;
    add_netlink(l, rec, fe->nlsk);
    rec->path = model_printf(c, "socket:[%u]", fe->nlsk->ino);
    return TRUE;
  case FD_EVENTFD:
    if (!fe->efd)
      return FALSE;
    rec->kind = CKPT_FD_EVENTFD;
    rec->flags = fe->efd->flags;
    rec->path = ckpt_model_str(c, "anon_inode:[eventfd]");
    rec->detail = model_printf(c, "count %" G_GUINT64_FORMAT, fe->efd->counter);
    return TRUE;
  case FD_EVENTPOLL:
    if (!fe->epfd)
      return FALSE;
    rec->kind = CKPT_FD_EPOLL;
    rec->flags = fe->epfd->flags;
    rec->path = ckpt_model_str(c, "anon_inode:[eventpoll]");
    rec->detail = epoll_detail(c, fe->epfd);
    return TRUE;
  case FD_SIGNALFD:
    if (!fe->sgfd)
      return FALSE;
    rec->kind = CKPT_FD_SIGNALFD;
    rec->flags = fe->sgfd->flags;
    rec->path = ckpt_model_str(c, "anon_inode:[signalfd]");
    rec->detail = signals_detail(c, fe->sgfd->sigmask);
    return TRUE;
  case FD_TIMERFD:
    if (!fe->tfd)
      return FALSE;
    rec->kind = CKPT_FD_TIMERFD;
    rec->flags = fe->tfd->flags;
    rec->path = ckpt_model_str(c, "anon_inode:[timerfd]");
    rec->detail = timer_detail(c, fe->tfd);
    return TRUE;
  case FD_INOTIFY:
    if (!fe->ify)
      return FALSE;
    rec->kind = CKPT_FD_INOTIFY;
    rec->flags = fe->ify->flags;
    rec->path = ckpt_model_str(c, "anon_inode:inotify");
    rec->detail = inotify_detail(c, fe->ify);
    return TRUE;
  case FD_FANOTIFY:
    if (!fe->ffy)
      return FALSE;
    rec->kind = CKPT_FD_FANOTIFY;
    rec->flags = fe->ffy->flags;
    rec->path = ckpt_model_str(c, "anon_inode:[fanotify]");
    return TRUE;
  case FD_MEMFD: {
    if (!fe->memfd)
      return FALSE;
    uint64_t ino = fe->memfd->inode_id;
    const MemfdInode *mi = g_hash_table_lookup(l->memfds, &ino);
    rec->kind = CKPT_FD_MEMFD;
    rec->flags = fe->memfd->flags;
    rec->pos = fe->memfd->pos;
    rec->path =
        mi ? mi->path : model_printf(c, "memfd:[inode %u]", (uint32_t)ino);
    rec->detail = mi ? mi->detail : NULL;
    return TRUE;
  }
  case FD_TTY: {
    if (!fe->tty)
      return FALSE;
    const char *p =
        g_hash_table_lookup(l->ttys, GUINT_TO_POINTER(fe->tty->tty_info_id));
    rec->kind = CKPT_FD_TTY;
    rec->flags = fe->tty->flags;
    rec->path = p ? p : model_printf(c, "tty:[%u]", fe->tty->tty_info_id);
    /* CRIU 3.x has no regf_id: the path then comes from tty-info */
    rec->size = fe->tty->has_regf_id ? fe->tty->regf_id : 0;
    return TRUE;
  }
  case FD_TUNF:
    if (!fe->tunf)
      return FALSE;
    rec->kind = CKPT_FD_TUN;
    rec->path = fe->tunf->netdev ? ckpt_model_str(c, fe->tunf->netdev)
                                 : ckpt_model_str(c, "/dev/net/tun");
    return TRUE;
  case FD_NS:
    if (!fe->nsf)
      return FALSE;
    rec->kind = CKPT_FD_NS;
    rec->flags = fe->nsf->flags;
    rec->path = model_printf(c, "ns:[%u]", fe->nsf->ns_id);
    return TRUE;
  case FD_EXT:
    rec->kind = CKPT_FD_EXT;
    rec->path = ckpt_model_str(c, "external");
    return TRUE;
  case FD_BPFMAP:
    if (!fe->bpf)
      return FALSE;
    rec->kind = CKPT_FD_BPF;
    rec->flags = fe->bpf->flags;
    rec->pos = fe->bpf->pos;
    rec->path = model_printf(c, "anon_inode:bpf-map:[%u]", fe->bpf->map_id);
    return TRUE;
  case FD_PIDFD:
    if (!fe->pidfd)
      return FALSE;
    rec->kind = CKPT_FD_PIDFD;
    rec->flags = fe->pidfd->flags;
    rec->path = model_printf(c, "anon_inode:[pidfd %d]", fe->pidfd->nspid);
    return TRUE;
  default:
    rec->kind = CKPT_FD_UNKNOWN;
    rec->path = model_printf(c, "unknown:[type %u]", fe->type);
    return TRUE;
  }
}

static gboolean
add_file(FilesLoad *l, const FileEntry *fe, const char *img, size_t off,
         GError **error)
{
  if (!fe->has_id) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry at offset %zu has no id", img, off);
    return FALSE;
  }
  if (g_hash_table_contains(l->files, GUINT_TO_POINTER(fe->id))) {
    ckpt_model_warn(l->c, "%s: entry at offset %zu repeats file id %u", img,
                    off, fe->id);
    return TRUE;
  }
  FileRec *rec = g_new0(FileRec, 1);
  rec->id = fe->id;
  rec->socket = -1;
  g_ptr_array_add(l->recs, rec);
  if (!fill_file(l, rec, fe)) {
    ckpt_model_warn(l->c,
                    "%s: entry at offset %zu (file id %u) of type %u lacks "
                    "its description",
                    img, off, fe->id, fe->type);
    rec->kind = CKPT_FD_UNKNOWN;
    rec->path = model_printf(l->c, "unknown:[type %u]", fe->type);
  }
  g_hash_table_insert(l->files, GUINT_TO_POINTER(fe->id), rec);
  return TRUE;
}

/* Walks one protobuf image, handing each unpacked entry to fn. */
typedef gboolean (*EntryFn)(FilesLoad *l, const ProtobufCMessage *m,
                            const char *img, size_t off, void *data,
                            GError **error);

typedef struct {
  FilesLoad *l;
  const char *img;
  EntryFn fn;
  void *data;
} FilesWalk;

static int
on_walk_entry(const ProtobufCMessage *m, size_t off, void *user, GError **error)
{
  FilesWalk *w = user;
  return w->fn(w->l, m, w->img, off, w->data, error) ? 1 : -1;
}

static gboolean
walk_image(FilesLoad *l, const char *img, uint32_t magic,
           const ProtobufCMessageDescriptor *desc, EntryFn fn, void *data,
           GError **error)
{
  FilesWalk w = {l, img, fn, data};
  return ckpt_model_walk_image(l->c, img, magic, desc, on_walk_entry, &w,
                               error);
}

static gboolean
on_file_entry(FilesLoad *l, const ProtobufCMessage *m, const char *img,
              size_t off, void *data, GError **error)
{
  return add_file(l, (const FileEntry *)m, img, off, error);
}

/* Older CRIU wrote one image per file type, whose entries are the
 * sub-messages of today's FileEntry. Each is wrapped into a FileEntry. */
typedef struct {
  const char *image;
  uint32_t magic;
  uint32_t type;
  const ProtobufCMessageDescriptor *desc;
  size_t member; /* offset of the sub-message pointer in FileEntry */
} LegacyImage;

static const LegacyImage legacy_images[] = {
    {"reg-files.img", REG_FILES_MAGIC, FD_REG, &reg_file_entry__descriptor,
     offsetof(FileEntry, reg)},
    {"inetsk.img", INETSK_MAGIC, FD_INETSK, &inet_sk_entry__descriptor,
     offsetof(FileEntry, isk)},
    {"unixsk.img", UNIXSK_MAGIC, FD_UNIXSK, &unix_sk_entry__descriptor,
     offsetof(FileEntry, usk)},
    {"packetsk.img", PACKETSK_MAGIC, FD_PACKETSK,
     &packet_sock_entry__descriptor, offsetof(FileEntry, psk)},
    {"netlinksk.img", NETLINK_SK_MAGIC, FD_NETLINKSK,
     &netlink_sk_entry__descriptor, offsetof(FileEntry, nlsk)},
    {"pipes.img", PIPES_MAGIC, FD_PIPE, &pipe_entry__descriptor,
     offsetof(FileEntry, pipe)},
    {"fifo.img", FIFO_MAGIC, FD_FIFO, &fifo_entry__descriptor,
     offsetof(FileEntry, fifo)},
    {"eventfd.img", EVENTFD_FILE_MAGIC, FD_EVENTFD,
     &eventfd_file_entry__descriptor, offsetof(FileEntry, efd)},
    {"eventpoll.img", EVENTPOLL_FILE_MAGIC, FD_EVENTPOLL,
     &eventpoll_file_entry__descriptor, offsetof(FileEntry, epfd)},
    {"signalfd.img", SIGNALFD_MAGIC, FD_SIGNALFD, &signalfd_entry__descriptor,
     offsetof(FileEntry, sgfd)},
    {"timerfd.img", TIMERFD_MAGIC, FD_TIMERFD, &timerfd_entry__descriptor,
     offsetof(FileEntry, tfd)},
    {"inotify.img", INOTIFY_FILE_MAGIC, FD_INOTIFY,
     &inotify_file_entry__descriptor, offsetof(FileEntry, ify)},
    {"fanotify.img", FANOTIFY_FILE_MAGIC, FD_FANOTIFY,
     &fanotify_file_entry__descriptor, offsetof(FileEntry, ffy)},
    {"ns-files.img", NS_FILES_MAGIC, FD_NS, &ns_file_entry__descriptor,
     offsetof(FileEntry, nsf)},
    {"tunfile.img", TUNFILE_MAGIC, FD_TUNF, &tunfile_entry__descriptor,
     offsetof(FileEntry, tunf)},
    {"ext-files.img", EXT_FILES_MAGIC, FD_EXT, &ext_file_entry__descriptor,
     offsetof(FileEntry, ext)},
    {"tty.img", TTY_FILES_MAGIC, FD_TTY, &tty_file_entry__descriptor,
     offsetof(FileEntry, tty)},
};

static gboolean
on_legacy_entry(FilesLoad *l, const ProtobufCMessage *m, const char *img,
                size_t off, void *data, GError **error)
{
  const LegacyImage *li = data;
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(li->desc, "id");
  FileEntry fe = FILE_ENTRY__INIT;

  fe.has_type = TRUE;
  fe.type = li->type;
  /* every sub-message has "id" as an optional uint32 with a has_ flag */
  if (fd &&
      *(const protobuf_c_boolean *)((const char *)m + fd->quantifier_offset)) {
    fe.has_id = TRUE;
    fe.id = *(const uint32_t *)((const char *)m + fd->offset);
  }
  *(const ProtobufCMessage **)((char *)&fe + li->member) = m;
  return add_file(l, &fe, img, off, error);
}

static gboolean
on_memfd_inode(FilesLoad *l, const ProtobufCMessage *m, const char *img,
               size_t off, void *data, GError **error)
{
  const MemfdInodeEntry *e = (const MemfdInodeEntry *)m;
  if (!e->has_inode_id || e->name == NULL)
    return TRUE;
  MemfdInode *mi = ckpt_model_alloc(l->c, 1, sizeof(*mi));
  mi->id = e->inode_id;
  g_autofree char *p = g_strconcat("memfd:", e->name, NULL);
  mi->path = ckpt_model_str(l->c, p);
  mi->detail = memfd_detail(l->c, e);
  g_hash_table_insert(l->memfds, &mi->id, mi);
  return TRUE;
}

static gboolean
on_tty_info(FilesLoad *l, const ProtobufCMessage *m, const char *img,
            size_t off, void *data, GError **error)
{
  const TtyInfoEntry *e = (const TtyInfoEntry *)m;
  char buf[64];
  if (!e->has_id)
    return TRUE;
  unsigned major = e->rdev >> 8 & 0xfff;
  unsigned minor = (e->rdev & 0xff) | (e->rdev >> 12 & 0xfff00);
  if (e->type == 1 /* PTY */ && major == 5 && minor == 2)
    g_snprintf(buf, sizeof(buf), "/dev/ptmx"); /* the master side */
  else if (e->pty && e->pty->has_index)
    g_snprintf(buf, sizeof(buf), "/dev/pts/%u", e->pty->index);
  else if (e->type == 2 /* CONSOLE */)
    g_snprintf(buf, sizeof(buf), "/dev/console");
  else
    g_snprintf(buf, sizeof(buf), "tty:[%u:%u]", major, minor);
  g_hash_table_insert(l->ttys, GUINT_TO_POINTER(e->id),
                      (gpointer)ckpt_model_str(l->c, buf));
  return TRUE;
}

static gboolean
on_remap(FilesLoad *l, const ProtobufCMessage *m, const char *img, size_t off,
         void *data, GError **error)
{
  const RemapFilePathEntry *e = (const RemapFilePathEntry *)m;
  if (e->has_orig_id && e->remap_type == REMAP_GHOST)
    g_hash_table_add(l->ghosts, GUINT_TO_POINTER(e->orig_id));
  return TRUE;
}

/* Files CRIU saved as ghosts were unlinked while open: say so, as
 * /proc/PID/fd does. */
static void
mark_deleted(FilesLoad *l)
{
  for (guint i = 0; i < l->recs->len; i++) {
    FileRec *rec = l->recs->pdata[i];
    if (rec->kind == CKPT_FD_REG &&
        g_hash_table_contains(l->ghosts, GUINT_TO_POINTER(rec->id))) {
      g_autofree char *p = g_strconcat(rec->path, " (deleted)", NULL);
      rec->path = ckpt_model_str(l->c, p);
    }
  }
}

/* A FIFO's or a TTY's path is the regular file entry named by regf_id
 * (stashed in size while reading): /tmp/fifo, /dev/pts/ptmx, /dev/pts/3. */
static void
resolve_regf(FilesLoad *l)
{
  for (guint i = 0; i < l->recs->len; i++) {
    FileRec *rec = l->recs->pdata[i];
    if (rec->kind != CKPT_FD_FIFO && rec->kind != CKPT_FD_TTY)
      continue;
    uint32_t regf = (uint32_t)rec->size;
    rec->size = 0;
    FileRec *reg = g_hash_table_lookup(l->files, GUINT_TO_POINTER(regf));
    if (regf && reg && reg->kind == CKPT_FD_REG) {
      rec->path = reg->path;
      rec->flags = reg->flags;
      rec->mode = reg->mode;
    }
  }
}

static gboolean
load_file_table(FilesLoad *l, GError **error)
{
  if (!walk_image(l, "memfd.img", MEMFD_INODE_MAGIC,
                  &memfd_inode_entry__descriptor, on_memfd_inode, NULL,
                  error) ||
      !walk_image(l, "tty-info.img", TTY_INFO_MAGIC,
                  &tty_info_entry__descriptor, on_tty_info, NULL, error) ||
      !walk_image(l, "remap-fpath.img", REMAP_FPATH_MAGIC,
                  &remap_file_path_entry__descriptor, on_remap, NULL, error))
    return FALSE;

  if (ckpt_imageset_image(l->c->images, "files.img", &(const uint8_t *){0},
                          &(size_t){0})) {
    if (!walk_image(l, "files.img", FILES_MAGIC, &file_entry__descriptor,
                    on_file_entry, NULL, error))
      return FALSE;
  } else {
    for (size_t i = 0; i < G_N_ELEMENTS(legacy_images); i++)
      if (!walk_image(l, legacy_images[i].image, legacy_images[i].magic,
                      legacy_images[i].desc, on_legacy_entry,
                      (void *)&legacy_images[i], error))
        return FALSE;
  }
  resolve_regf(l);
  mark_deleted(l);
  return TRUE;
}

/* ---- fd tables --------------------------------------------------------- */

static gint
cmp_fd(gconstpointer a, gconstpointer b)
{
  const CkptFdInfo *x = a, *y = b;
  return (x->fd > y->fd) - (x->fd < y->fd);
}

static void
fd_from_file(FilesLoad *l, CkptFdInfo *fd, const FileRec *rec)
{
  fd->kind = rec->kind;
  fd->kind_name = kind_name(rec->kind);
  fd->path = rec->path;
  fd->flags = rec->flags;
  fd->pos = rec->pos;
  fd->mode = rec->mode;
  fd->file_size = rec->size;
  fd->detail = rec->detail;
  /* the socket pointer is set once the socket array has its final home */
}

/* Reads fdinfo-<files_id>.img into a table sorted by fd. */
static FdTable *
load_fd_table(FilesLoad *l, const char *img, GError **error)
{
  CkptCheckpoint *c = l->c;
  const uint8_t *entry;
  size_t elen;
  CkptImageReader r;
  gboolean present;
  int rc;
  g_autoptr(GArray) fds = g_array_new(FALSE, TRUE, sizeof(CkptFdInfo));
  g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

  FdTable *t = ckpt_model_alloc(c, 1, sizeof(*t));
  if (!ckpt_model_open_image(c, &r, img, FDINFO_MAGIC, &present, error))
    return NULL;
  if (!present)
    return t;
  while ((rc = ckpt_image_next(&r, &entry, &elen, error)) == 1) {
    size_t off = (size_t)(entry - r.base) - 4;
    if (c->limits.max_fds && fds->len >= c->limits.max_fds) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                  "%s: more than %" G_GUINT64_FORMAT " fds (max-fds limit)",
                  img, c->limits.max_fds);
      return NULL;
    }
    FdinfoEntry *e = (FdinfoEntry *)ckpt_image_unpack(
        &r, &fdinfo_entry__descriptor, entry, elen, error);
    if (e == NULL)
      return NULL;
    if (!e->has_id || !e->has_fd) {
      fdinfo_entry__free_unpacked(e, NULL);
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                  "%s: entry at offset %zu is not a valid FdinfoEntry", img,
                  off);
      return NULL;
    }
    CkptFdInfo fd = {0};
    fd.size = sizeof(fd);
    fd.fd = (int)MIN(e->fd, (uint32_t)G_MAXINT);
    fd.file_id = e->id;
    FileRec *rec = g_hash_table_lookup(l->files, GUINT_TO_POINTER(e->id));
    uint32_t type = e->type;
    fdinfo_entry__free_unpacked(e, NULL);
    if (g_hash_table_contains(seen, GINT_TO_POINTER(fd.fd))) {
      ckpt_model_warn(c, "%s: entry at offset %zu repeats fd %d", img, off,
                      fd.fd);
      continue;
    }
    g_hash_table_add(seen, GINT_TO_POINTER(fd.fd));
    if (rec) {
      fd_from_file(l, &fd, rec);
    } else {
      ckpt_model_warn(c,
                      "%s: entry at offset %zu: fd %d names file id %u "
                      "(type %u), which no file image holds",
                      img, off, fd.fd, fd.file_id, type);
      fd.kind = CKPT_FD_UNKNOWN;
      fd.kind_name = kind_name(CKPT_FD_UNKNOWN);
      fd.path = model_printf(c, "missing:[file id %u]", fd.file_id);
    }
    g_array_append_val(fds, fd);
  }
  if (rc < 0)
    return NULL;
  g_array_sort(fds, cmp_fd);
  t->n_fds = fds->len;
  t->fds = ckpt_model_alloc(c, MAX(fds->len, 1), sizeof(CkptFdInfo));
  if (fds->len)
    memcpy(t->fds, fds->data, fds->len * sizeof(CkptFdInfo));
  return t;
}

static const char *
file_path(FilesLoad *l, uint32_t id)
{
  FileRec *rec = g_hash_table_lookup(l->files, GUINT_TO_POINTER(id));
  return rec ? rec->path : NULL;
}

static gboolean
load_process_fds(FilesLoad *l, CkptProcess *p, GError **error)
{
  CkptCheckpoint *c = l->c;
  g_autofree char *img = NULL;
  uint32_t key;

  if (p->info.state == CKPT_PROC_ZOMBIE || p->info.state == CKPT_PROC_DEAD)
    return TRUE;
  if (p->ids_files_id) {
    key = p->ids_files_id;
    img = g_strdup_printf("fdinfo-%u.img", key);
  } else {
    /* images from before fdinfo-per-id are named by pid */
    key = G_MAXUINT32 - p->info.pid;
    img = g_strdup_printf("fdinfo-%u.img", p->info.pid);
  }
  FdTable *t = g_hash_table_lookup(l->fd_tables, GUINT_TO_POINTER(key));
  if (t == NULL) {
    t = load_fd_table(l, img, error);
    if (t == NULL)
      return FALSE;
    g_hash_table_insert(l->fd_tables, GUINT_TO_POINTER(key), t);
  }
  p->fds = t->fds;
  p->n_fds = t->n_fds;

  /* exe, cwd and root, when procs.c found their file ids */
  if (p->has_exe_file_id && !p->info.exe)
    p->info.exe = file_path(l, p->exe_file_id);
  if (p->has_fs_ids) {
    if (!p->info.cwd)
      p->info.cwd = file_path(l, p->cwd_file_id);
    if (!p->info.root)
      p->info.root = file_path(l, p->root_file_id);
  }
  /* file-backed and memfd VMAs name their file by id in shmid */
  for (size_t i = 0; i < p->n_vmas; i++) {
    CkptVma *v = &p->vmas[i];
    if ((v->info.kind == CKPT_VMA_FILE || v->info.kind == CKPT_VMA_MEMFD) &&
        !v->info.path)
      v->info.path = file_path(l, v->shmid);
  }
  (void)c;
  return TRUE;
}

/* Moves the sockets into the arena, points every socket fd at its socket
 * and fills owners and unix peer names. */
static void
finish_sockets(FilesLoad *l)
{
  CkptCheckpoint *c = l->c;
  size_t n = l->sockets->len;
  g_autoptr(GHashTable) unix_by_ino =
      g_hash_table_new(g_direct_hash, g_direct_equal);

  c->sockets = ckpt_model_alloc(c, MAX(n, 1), sizeof(CkptSocketInfo));
  c->n_sockets = n;
  if (n)
    memcpy(c->sockets, l->sockets->data, n * sizeof(CkptSocketInfo));

  /* owners: every process holding an fd to the socket, once */
  for (size_t i = 0; i < c->n_procs; i++) {
    CkptProcess *p = &c->procs[i];
    for (size_t j = 0; j < p->n_fds; j++) {
      CkptFdInfo *fd = &p->fds[j];
      FileRec *rec =
          g_hash_table_lookup(l->files, GUINT_TO_POINTER(fd->file_id));
      if (rec == NULL || rec->socket < 0 || fd->kind != CKPT_FD_SOCKET)
        continue;
      fd->socket = &c->sockets[rec->socket];
      GArray *o = l->owners->pdata[rec->socket];
      gboolean dup = FALSE;
      for (guint k = 0; k < o->len && !dup; k++)
        dup = g_array_index(o, uint32_t, k) == p->info.pid;
      if (!dup)
        g_array_append_val(o, p->info.pid);
    }
  }
  for (size_t i = 0; i < n; i++) {
    CkptSocketInfo *sk = &c->sockets[i];
    GArray *o = l->owners->pdata[i];
    uint32_t *pids = ckpt_model_alloc(c, MAX(o->len, 1), sizeof(uint32_t));
    if (o->len)
      memcpy(pids, o->data, o->len * sizeof(uint32_t));
    sk->owner_pids = pids;
    sk->n_owners = o->len;
    if (sk->kind == CKPT_SK_UNIX && sk->inode)
      g_hash_table_insert(unix_by_ino, GUINT_TO_POINTER(sk->inode), sk);
  }
  for (size_t i = 0; i < n; i++) {
    CkptSocketInfo *sk = &c->sockets[i];
    if (sk->kind != CKPT_SK_UNIX || sk->peer_inode == 0)
      continue;
    CkptSocketInfo *peer =
        g_hash_table_lookup(unix_by_ino, GUINT_TO_POINTER(sk->peer_inode));
    if (peer)
      sk->peer_name = peer->unix_name;
  }
}

gboolean
ckpt_files_load(CkptCheckpoint *c, GError **error)
{
  FilesLoad l = {0};
  gboolean ok = FALSE;

  l.c = c;
  l.files = g_hash_table_new(g_direct_hash, g_direct_equal);
  l.recs = g_ptr_array_new_with_free_func(g_free);
  l.sockets = g_array_new(FALSE, TRUE, sizeof(CkptSocketInfo));
  l.owners = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
  l.memfds = g_hash_table_new(u64_hash, g_int64_equal);
  l.ttys = g_hash_table_new(g_direct_hash, g_direct_equal);
  l.ghosts = g_hash_table_new(g_direct_hash, g_direct_equal);
  l.fd_tables = g_hash_table_new(g_direct_hash, g_direct_equal);

  if (!load_file_table(&l, error))
    goto out;
  for (guint i = 0; i < l.sockets->len; i++) {
    CkptSocketInfo *sk = &g_array_index(l.sockets, CkptSocketInfo, i);
    if (sk->kind == CKPT_SK_INET && sk->protocol == IPPROTO_TCP &&
        sk->state != 10 /* LISTEN */ && sk->state != 7 /* CLOSE */)
      load_tcp_stream(&l, sk);
  }
  load_sk_queues(&l);
  for (size_t i = 0; i < c->n_procs; i++)
    if (!load_process_fds(&l, &c->procs[i], error))
      goto out;
  finish_sockets(&l);
  ok = TRUE;
out:
  files_load_release(&l);
  return ok;
}

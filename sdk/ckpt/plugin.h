/* ckpt/plugin.h - the whole SDK of a ckpt plugin.
 *
 * A plugin is a shared object that includes only this header, links against
 * nothing of ckpt's, and exports one descriptor made by CKPT_PLUGIN_DEFINE().
 * The host calls the plugin's callbacks with a const table of functions
 * (CkptApi) through which the plugin reads the checkpoint model, reads the
 * rows that earlier plugins of the chain emitted, and emits rows of its own.
 * Plugins never format output: the host renders rows as tree, table, JSON or
 * JSON Lines.
 *
 * ABI rules (binding on every change to this file):
 *  1. CKPT_ABI_MAJOR changes only when something below is removed, reordered
 *     or changes meaning. The host refuses a plugin whose major differs.
 *  2. CKPT_ABI_MINOR grows when something is appended. The host refuses a
 *     plugin built against a newer minor than its own; a plugin built against
 *     an older minor keeps working.
 *  3. CkptApi and every *Info struct only grow, at their end. Their first
 *     member is their size, so a plugin may test whether a member exists:
 *     CKPT_HAS(api, member). Structs that plugins put in arrays
 *     (CkptOption, CkptColumn, CkptTable) never change size: they grow by
 *     taking a reserved slot, which plugins leave zero.
 *  4. Enum values are never renumbered; new ones are appended.
 *
 * History: 2.0 gave CkptOption, CkptColumn and CkptTable their reserved
 * slots (their size changed, so 1.x plugins are refused); 2.0 also has
 * CkptContainerInfo.checkpoint_size, which 1.1 had appended. 2.1 appended
 * CkptFdInfo.detail. 3.0 put a size first in the structs the host fills for
 * a plugin (CkptMemBlock, CkptDiffFile: the caller sets it, the host fills
 * only the members that fit), so their members moved and 2.x plugins are
 * refused; it also appended CKPT_T_LIST, CkptPlugin.run_multi (taking a
 * reserved slot), CkptColumn.help (its last reserved slot) and, to
 * CkptApi, opt_list(), progress(), rules_dir(), checkpoint_count() and
 * checkpoint_at().
 * 3.1 appended to CkptApi thread_fpu, process_auxv, diff_iter_new_all
 * and diff_iter_entry (with CkptThreadFpu and CkptDiffEntryInfo). 3.2
 * appended the kernel objects' content (CkptObject* and the object_*
 * calls at the end of CkptApi). 3.3 gave three of CkptTable's reserved
 * slots to its tree look (label, parent, key). 3.4 appended
 * CkptProcessInfo.env_source and env_array. 3.5 appended to
 * CkptContainerInfo spec_namespaces (with CkptSpecNamespace). 3.6
 * appended CkptApi.diff_iter_error, the column hint CKPT_COL_VERBATIM,
 * CkptContainerInfo.archive_sha256 and archive_sha256_of (custody), and
 * CkptApi.mem_data_next (which stretches of a memory block are not known
 * zero pages, so scans skip them). 3.7 gave three of CkptPlugin's reserved
 * slots to reads (what a plugin reads, so the host skips what nobody does),
 * prepare (called before the runs, to join the host's one memory pass) and
 * run_dir (a plugin over a directory of checkpoints), and appended
 * CkptApi.dir_next (with CkptDirEntryInfo), which feeds run_dir. 3.8
 * split CKPT_READS_ROOTFS off CKPT_READS_MODEL (a 3.7 plugin's MODEL still
 * means both), added CKPT_SHOWS_MEMORY_IN_WINDOWS and appended
 * CkptApi.emit_window (a row that shows memory of one window only, so the
 * redaction policy scans that window for secrets rather than all of memory).
 * 3.9 appended CkptMemSubscriber.secrets and CkptApi.mem_secret_matches
 * (with CkptSecretRules and CkptSecretMatch): a subscriber that scans
 * memory with libyara finds the secrets engine's matches in the same scan.
 *
 * Strings: a NULL string is a missing value everywhere: CKPT_STR(NULL)
 * emits a NULL cell (shown empty in text, null in JSON), so plugins need no
 * helper of their own for optional strings.
 *
 * Lifetimes: every pointer the host hands a plugin (strings, info structs,
 * handles, result rows) is borrowed and stays valid until the run of the
 * chain over the current checkpoint ends. A plugin never frees them. Memory
 * blocks from the memory iterator are valid until the next call on the same
 * iterator.
 *
 * Threads: a plugin's run() is called on one thread; calls on the same
 * CkptRun are not thread-safe, except mem_read(), mem_iter_*() and
 * process/VMA accessors, which may be used from worker threads the plugin
 * creates itself (emit() and progress() must stay on the run() thread).
 */
#ifndef CKPT_PLUGIN_H
#define CKPT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CKPT_ABI_MAJOR 3
#define CKPT_ABI_MINOR 9

/* The symbol the host looks up in every plugin file. */
#define CKPT_PLUGIN_SYMBOL "ckpt_plugin_descriptor"

#define CKPT_HAS(s, member)                                                    \
  ((s)->size >= offsetof(__typeof__(*(s)), member) + sizeof((s)->member))

/* ---- status: libarchive's severity ladder ------------------------------ */
typedef enum {
  CKPT_OK = 0,     /* complete result */
  CKPT_WARN = 1,   /* partial result; the chain goes on */
  CKPT_FAILED = 2, /* this plugin failed; plugins not depending on it run */
  CKPT_FATAL = 3,  /* stop the chain for this checkpoint */
} CkptStatus;

/* ---- opaque handles ---------------------------------------------------- */
typedef struct CkptRun CkptRun;           /* one plugin over one checkpoint */
typedef struct CkptProcess CkptProcess;   /* a process of the checkpoint */
typedef struct CkptResult CkptResult;     /* one table emitted earlier */
typedef struct CkptMemIter CkptMemIter;   /* walks a process's dumped memory */
typedef struct CkptFileIter CkptFileIter; /* walks the rootfs diff's files */

/* ---- typed values, for options, columns and rows ----------------------- */
typedef enum {
  CKPT_T_NULL = 0,  /* no value (a missing cell) */
  CKPT_T_STR = 1,   /* UTF-8 text; the host escapes what is not */
  CKPT_T_INT = 2,   /* int64_t */
  CKPT_T_UINT = 3,  /* uint64_t */
  CKPT_T_ADDR = 4,  /* uint64_t shown as 0x hex */
  CKPT_T_SIZE = 5,  /* uint64_t bytes, shown human-readable in text */
  CKPT_T_BOOL = 6,  /* int, 0 or 1 */
  CKPT_T_BYTES = 7, /* raw bytes, shown escaped / base64 in JSON */
  CKPT_T_TIME = 8,  /* int64_t seconds since the epoch, UTC */
  CKPT_T_DOUBLE = 9,
  CKPT_T_LIST = 10, /* options only: a list of strings (see CkptOption) */
} CkptType;

typedef struct {
  CkptType type;
  union {
    const char *s;
    int64_t i;
    uint64_t u;
    double d;
    struct {
      const void *data;
      size_t len;
    } bytes;
  } v;
} CkptValue;

#define CKPT_NULL ((CkptValue){.type = CKPT_T_NULL})
/* CKPT_STR(NULL) is a NULL cell, the same as CKPT_NULL */
#define CKPT_STR(x) ((CkptValue){.type = CKPT_T_STR, .v.s = (x)})
#define CKPT_INT(x) ((CkptValue){.type = CKPT_T_INT, .v.i = (int64_t)(x)})
#define CKPT_UINT(x) ((CkptValue){.type = CKPT_T_UINT, .v.u = (uint64_t)(x)})
#define CKPT_ADDR(x) ((CkptValue){.type = CKPT_T_ADDR, .v.u = (uint64_t)(x)})
#define CKPT_SIZE(x) ((CkptValue){.type = CKPT_T_SIZE, .v.u = (uint64_t)(x)})
#define CKPT_BOOL(x) ((CkptValue){.type = CKPT_T_BOOL, .v.i = !!(x)})
#define CKPT_TIME(x) ((CkptValue){.type = CKPT_T_TIME, .v.i = (int64_t)(x)})
#define CKPT_DOUBLE(x) ((CkptValue){.type = CKPT_T_DOUBLE, .v.d = (x)})
#define CKPT_BYTES(p, n)                                                       \
  ((CkptValue){.type = CKPT_T_BYTES, .v.bytes = {(p), (n)}})

/* ---- declarations: options, columns, tables ---------------------------- */
/* An option is set, as text checked against its type, from:
 *  - a flag of `ckpt run` and of every command that runs the plugin:
 *    --PLUGIN.NAME=VALUE or --PLUGIN.NAME VALUE always; --NAME likewise
 *    when no other plugin of the chain has an option NAME and NAME is not
 *    one of ckpt's global flags (--format, --limit, --set, ...); a BOOL
 *    alone (--NAME) is true, --no-NAME false;
 *  - the global flag --set PLUGIN.NAME=VALUE (applied last);
 *  - a chain file's section: "PLUGIN.NAME = VALUE".
 * Types and the getter that fits each (another getter gets a conversion):
 *    STR   text                          opt_str()
 *    INT   decimal, signed               opt_int()
 *    UINT  decimal, unsigned             opt_int() (never negative)
 *    SIZE  bytes, suffixes k M G T       opt_int()
 *    BOOL  true/false, yes/no, 1/0       opt_bool()
 *    LIST  strings; each assignment adds to the list, split at commas
 *          (--rules a --rules b,c is {a, b, c}), or at newlines when it
 *          holds any; the first one replaces the default
 *                                          opt_list() (opt_str(): "a,b,c")
 * opt_is_set() tells a value given by the user or a chain from a default. */
typedef struct {
  const char *name;          /* [a-z0-9-]+ */
  CkptType type;             /* STR, INT, UINT, SIZE, BOOL or LIST */
  const char *default_value; /* as text, or NULL for none */
  const char *help;
  const void *reserved[4]; /* zero; room to grow inside arrays */
} CkptOption;

typedef struct {
  const char *name;        /* JSON key; [a-z0-9_]+ */
  CkptType type;           /* what emitted values must be (or NULL) */
  const char *title;       /* table header in text output; NULL: name */
  uint32_t flags;          /* CKPT_COL_* hints for text renderers */
  const void *reserved[2]; /* zero; room to grow inside arrays */
  /* ABI 3.0, in the last reserved slot: what the column means, shown by
   * `ckpt plugins NAME`; NULL for none */
  const char *help;
} CkptColumn;

/* Column hints, for text output only (JSON always carries every column):
 * LABEL columns make a tree node's label ("[1]  nginx"); DETAIL columns are
 * shown under the node as "Title: value" lines, only when not NULL; HIDDEN
 * columns are left out of text. Columns without flags are shown as today. */
#define CKPT_COL_LABEL 0x1u
#define CKPT_COL_DETAIL 0x2u
#define CKPT_COL_HIDDEN 0x4u
/* ABI 3.6: a STR column of printable ASCII by construction (a hexdump's
 * text column, dots for the rest): text renderers write its bytes as they
 * are, a backslash as one, and still escape any other byte. */
#define CKPT_COL_VERBATIM 0x8u

typedef enum {
  CKPT_LAYOUT_TABLE = 0,  /* rows and columns */
  CKPT_LAYOUT_TREE = 1,   /* rows carry a depth; rendered as a tree */
  CKPT_LAYOUT_RECORD = 2, /* a few rows shown as "title: value" blocks */
} CkptLayout;

typedef struct {
  const char *name; /* unique in the plugin; JSON key */
  const char *title;
  CkptLayout layout;
  const CkptColumn *columns; /* terminated by {NULL} */
  /* 3.3: the table's look in tree output (text only; JSON is unchanged).
   * A host older than 3.3 refuses the plugin, so these are never ignored
   * silently. NULL: as before. */
  const char *label;       /* a node's text, a template (below); NULL: the
                              LABEL columns (CKPT_COL_LABEL) */
  const char *parent;      /* "plugin.table" whose nodes this table's rows go
                              under, matched by key */
  const char *key;         /* with parent: "column" (the same name in both
                              tables) or "column=parent_column"; without: the
                              column other tables' rows are matched on, so the
                              host keeps this table's rows for them */
  const void *reserved[1]; /* zero; room to grow inside arrays */
} CkptTable;

/* Label templates (CkptTable.label), text with fields in braces, each
 * cell's text escaped as everywhere in text output:
 *   {col}           the cell's text; nothing when NULL
 *   {a|b}           the first of the cells that is not NULL
 *   {col/0}         the cell's text, or "0" when NULL
 *   {col/host}      the text in brackets when it holds a ':' (IPv6)
 *   {?col:T}        template T when the cell is not NULL, {!col:T} when it is
 *   {?col=V:T}      T when the cell's text is V, {!col=V:T} when it is not
 *                   (or the cell is NULL)
 * e.g. "[{pid}]  {cmdline|command}{?state: ({state})}". A brace that
 * starts no field is text; fields nest up to 8 deep. */

/* ---- the model, as read-only views ------------------------------------- */
typedef enum {
  CKPT_FMT_DIR = 0,       /* bare CRIU image directory */
  CKPT_FMT_TAR = 1,       /* uncompressed tar, served in place */
  CKPT_FMT_TAR_GZIP = 2,  /* gzip, decompressed in one pass */
  CKPT_FMT_TAR_ZSTD = 3,  /* zstd, decompressed in one pass */
  CKPT_FMT_TAR_OTHER = 4, /* other filters libarchive knows */
} CkptFormat;

typedef struct {
  const char *key;
  const char *value;
} CkptKeyValue;

typedef struct {
  const char *destination;
  const char *source;
  const char *type;
  const char *options; /* comma-separated */
} CkptSpecMount;

/* ABI 3.5: one entry of the spec's linux.namespaces */
typedef struct {
  const char *type; /* "pid", "network", "mount", "ipc", "uts", "user",
                       "cgroup", "time", as the spec writes it */
  const char *path; /* the namespace joined instead of a new one, or NULL */
} CkptSpecNamespace;

typedef struct {
  const char *name; /* network or interface name, may be NULL */
  const char *ip;   /* address with prefix, e.g. "10.88.0.5/16" */
  const char *gateway;
  const char *mac;
} CkptNetwork;

typedef struct {
  size_t size;
  const char *path; /* what the user named */
  CkptFormat format;
  const char *engine; /* "Podman", "CRI-O", "containerd", or NULL */
  const char *name;   /* container name */
  const char *id;
  const char *image; /* image name as the user gave it */
  const char *image_id;
  const char *runtime;  /* "crun", "runc", ... */
  int64_t created;      /* seconds since the epoch; 0 when unknown */
  int64_t checkpointed; /* likewise */
  const char *pod;      /* pod name (CRI-O, containerd) */
  const char *pod_namespace;
  const char *hostname;            /* from the spec */
  const char *criu_version;        /* from the dump statistics or inventory */
  const CkptKeyValue *annotations; /* n_annotations entries */
  size_t n_annotations;
  const CkptSpecMount *mounts;
  size_t n_mounts;
  const CkptNetwork *networks;
  size_t n_networks;
  const CkptKeyValue *spec_env; /* environment configured in spec.dump */
  size_t n_spec_env;
  const char *const *spec_args; /* process args configured, NULL-ended */
  /* dump statistics (stats-dump); 0 when absent */
  uint64_t freezing_time_us, frozen_time_us, memdump_time_us, memwrite_time_us;
  uint64_t pages_scanned, pages_skipped_parent, pages_written, pages_lazy;
  int has_stats;
  /* sizes in bytes */
  uint64_t archive_size; /* the checkpoint file, or the directory's images */
  uint64_t pages_size;   /* all pages-*.img */
  uint64_t rootfs_diff_size; /* rootfs-diff.tar, 0 when absent */
  int has_rootfs_diff;
  const char *const *deleted_files; /* from deleted.files, NULL-ended */
  /* ABI 1.1: bytes of the CRIU images alone (checkpoint/ in an archive),
   * what checkpointctl shows as CHKPT SIZE */
  uint64_t checkpoint_size;
  /* ABI 3.5: the spec's linux.namespaces, n_spec_namespaces entries;
   * has_spec_namespaces is 0 when the spec has no such list (then
   * nothing is known, which is not the same as an empty list: an empty
   * list shares every namespace with the host) */
  const CkptSpecNamespace *spec_namespaces;
  size_t n_spec_namespaces;
  int has_spec_namespaces;
  /* ABI 3.6: chain of custody: the hex sha256 of the checkpoint as it was
   * read, or NULL; archive_sha256_of says what was hashed: "file" (the
   * archive file itself) or "directory listing" (a bare directory: the
   * sha256 of the "HEX  NAME" lines sha256sum prints of the files read,
   * the top level and checkpoint/, sorted by name) */
  const char *archive_sha256;
  const char *archive_sha256_of;
} CkptContainerInfo;

typedef enum {
  CKPT_PROC_ALIVE = 0,
  CKPT_PROC_DEAD = 1,
  CKPT_PROC_STOPPED = 2,
  CKPT_PROC_ZOMBIE = 3,
} CkptProcState;

/* General registers in Linux's x86_64 user_regs_struct order, so they can
 * be copied into an ELF core's NT_PRSTATUS as they are. */
typedef struct {
  uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di,
      orig_ax, ip, cs, flags, sp, ss, fs_base, gs_base, ds, es, fs, gs;
} CkptRegsX86_64;

typedef struct {
  size_t size;
  uint32_t tid;     /* in the container's pid namespace */
  const char *comm; /* thread name, or NULL */
  int has_regs;     /* 0 when the core image carried none */
  CkptRegsX86_64 regs;
  uint64_t blk_sigset;
} CkptThreadInfo;

/* Where a process's envp was read (CkptProcessInfo.env_source). */
typedef enum {
  CKPT_ENV_NONE = 0,      /* nothing trustworthy found: envp is empty */
  CKPT_ENV_ORIGINAL = 1,  /* the mm env area, where exec put it */
  CKPT_ENV_RELOCATED = 2, /* strings the process moved elsewhere (a
                           * process-title rewriter), reached through
                           * env_array */
} CkptEnvSource;

typedef struct {
  size_t size;
  uint32_t pid, ppid, pgid, sid;
  const char *comm;
  CkptProcState state;
  int exit_code; /* zombies and dead tasks; otherwise 0 */
  uint32_t uid, euid, suid, fsuid;
  uint32_t gid, egid, sgid, fsgid;
  const uint32_t *groups;
  size_t n_groups;
  uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
  int seccomp_mode; /* 0 disabled, 1 strict, 2 filter */
  int no_new_privs;
  const char *cgroup; /* path of the process's cgroup, or NULL */
  const char *cwd, *root, *exe;
  size_t n_threads;
  int personality;
  /* the command line and environment, read from memory (mm arg/env
   * ranges, or where the process moved its environment: env_source) and
   * split at NULs; NULL-ended; never NULL (may be empty) */
  const char *const *argv;
  const char *const *envp;
  /* argv as one string with spaces, sensible even when the process
   * rewrote its argv area (a process title) */
  const char *cmdline;
  uint64_t mm_start_code, mm_end_code, mm_start_data, mm_end_data;
  uint64_t mm_start_stack, mm_start_brk, mm_brk;
  uint64_t mm_arg_start, mm_arg_end, mm_env_start, mm_env_end;
  uint64_t mem_present; /* bytes of this process's pages in the dump */
  uint64_t mem_shared;  /* of which in shared mappings */
  int has_mm;           /* 0 for zombies and dead tasks */
  /* ABI 3.4: where envp came from; a process that wrote its title over
   * its env area (nginx, redis, sshd) has its environment read where it
   * moved it, never the title text. env_array is the address of the
   * pointer array that led there (the stack's envp, or the heap array
   * that replaced it); 0 for the env area itself or none. */
  CkptEnvSource env_source;
  uint64_t env_array;
} CkptProcessInfo;

typedef enum {
  CKPT_VMA_ANON = 0,
  CKPT_VMA_FILE = 1,
  CKPT_VMA_HEAP = 2,
  CKPT_VMA_STACK = 3,
  CKPT_VMA_VDSO = 4,
  CKPT_VMA_VVAR = 5,
  CKPT_VMA_VSYSCALL = 6,
  CKPT_VMA_SHARED = 7, /* shared anonymous (shmem) */
  CKPT_VMA_MEMFD = 8,
  CKPT_VMA_SYSVIPC = 9,
  CKPT_VMA_GUARD = 10,
  CKPT_VMA_OTHER = 11,
} CkptVmaKind;

typedef struct {
  size_t size;
  uint64_t start, end; /* [start, end) */
  uint64_t pgoff;      /* file offset */
  uint32_t prot;       /* PROT_READ | PROT_WRITE | PROT_EXEC */
  uint32_t flags;      /* MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS ... */
  uint32_t status;     /* CRIU's VMA_AREA_* bits */
  CkptVmaKind kind;
  const char *label; /* "heap", "stack", "anon", "file", "vdso", ... */
  const char *path;  /* backing file, or NULL */
  uint64_t present;  /* bytes of this VMA present in the dump */
} CkptVmaInfo;

typedef enum {
  CKPT_FD_UNKNOWN = 0,
  CKPT_FD_REG = 1,
  CKPT_FD_DIR = 2,
  CKPT_FD_PIPE = 3,
  CKPT_FD_FIFO = 4,
  CKPT_FD_SOCKET = 5,
  CKPT_FD_EVENTFD = 6,
  CKPT_FD_EPOLL = 7,
  CKPT_FD_SIGNALFD = 8,
  CKPT_FD_TIMERFD = 9,
  CKPT_FD_INOTIFY = 10,
  CKPT_FD_FANOTIFY = 11,
  CKPT_FD_MEMFD = 12,
  CKPT_FD_TTY = 13,
  CKPT_FD_TUN = 14,
  CKPT_FD_NS = 15,
  CKPT_FD_BPF = 16,
  CKPT_FD_PIDFD = 17,
  CKPT_FD_EXT = 18,
} CkptFdKind;

typedef struct CkptSocketInfo CkptSocketInfo;

typedef struct {
  size_t size;
  int fd;
  CkptFdKind kind;
  const char *kind_name; /* "REG", "PIPE", "SOCK", ... */
  const char *path;      /* file path, or a description: "pipe:[1234]" */
  uint32_t flags;        /* open flags */
  uint64_t pos;
  uint32_t mode;
  uint64_t file_size;           /* when the image knows it, else 0 */
  uint32_t file_id;             /* CRIU's file id, shared by dup()s */
  const CkptSocketInfo *socket; /* for CKPT_FD_SOCKET, else NULL */
  /* ABI 2.1: what the kernel object was set to, or NULL: an eventfd's
   * count, a signalfd's signals, a timerfd's clock and timer, an inotify's
   * watched paths, an epoll's watched fds, a memfd's size and seals */
  const char *detail;
} CkptFdInfo;

typedef enum {
  CKPT_SK_INET = 0,
  CKPT_SK_UNIX = 1,
  CKPT_SK_PACKET = 2,
  CKPT_SK_NETLINK = 3,
  CKPT_SK_OTHER = 4,
} CkptSocketKind;

struct CkptSocketInfo {
  size_t size;
  CkptSocketKind kind;
  uint32_t id; /* CRIU's file id */
  uint32_t inode;
  int family;   /* AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK */
  int type;     /* SOCK_STREAM, SOCK_DGRAM, ... */
  int protocol; /* IPPROTO_TCP, netlink protocol, packet protocol ... */
  int state;    /* TCP_* or the kernel's socket state */
  const char *proto_name; /* "TCP", "UDP", "UNIX", "PACKET", "NETLINK" */
  const char *state_name; /* "LISTEN", "ESTABLISHED", ... */
  /* inet: addresses in standard text form, without brackets */
  const char *src_addr, *dst_addr;
  uint32_t src_port, dst_port;
  /* unix: the bound name ("@name" for abstract), peer inode */
  const char *unix_name;
  uint32_t peer_inode;
  const char *peer_name;
  uint32_t backlog;
  uint64_t rcvbuf, sndbuf;
  /* bytes queued: established TCP from tcp-stream images (both ways);
   * unix and other sockets from sk-queues.img (incoming only) */
  uint64_t inq_len, outq_len;
  int has_queues;
  /* packet: ifindex; netlink: portid and groups */
  uint32_t ifindex, portid;
  const char *description;    /* one line for anything not covered above */
  const uint32_t *owner_pids; /* pids holding it, n_owners */
  size_t n_owners;
};

typedef struct {
  size_t size;
  uint32_t mnt_id, parent_mnt_id;
  const char *mountpoint;
  const char *root;
  const char *fstype;
  const char *source;
  const char *options;
  uint32_t flags;
  int external;
} CkptMountInfo;

typedef struct {
  size_t size;
  uint32_t ifindex;
  const char *name;
  const char *kind; /* "loopback", "veth", "tun", ... */
  uint32_t mtu;
  uint32_t flags; /* IFF_* */
  const char *mac;
  const char *const *addresses; /* "127.0.0.1/8", NULL-ended */
} CkptNetLinkInfo;

typedef struct {
  size_t size;
  const char *dst;     /* "default" or "10.0.0.0/8" */
  const char *gateway; /* or NULL */
  const char *dev;
  int family;
} CkptRouteInfo;

typedef struct {
  size_t size;
  const char *hostname; /* UTS namespace */
  const char *domainname;
  const CkptNetLinkInfo *links;
  size_t n_links;
  const CkptRouteInfo *routes;
  size_t n_routes;
  /* namespace ids as CRIU recorded them (0: not dumped) */
  uint32_t pid_ns, net_ns, mnt_ns, uts_ns, ipc_ns, user_ns, cgroup_ns;
} CkptNamespaceInfo;

/* One contiguous run of dumped bytes inside one VMA. The caller sets size
 * (CkptMemBlock b = {.size = sizeof b}); the host fills only the members
 * that fit in it, so the struct may grow. */
typedef struct {
  size_t size;
  uint64_t addr;
  const uint8_t *data;
  size_t len;
  const CkptVmaInfo *vma;
} CkptMemBlock;

/* One file of the rootfs diff (rootfs-diff.tar). The caller sets size, as
 * for CkptMemBlock. */
typedef struct {
  size_t size;
  const char *path; /* as in the diff, "/"-rooted, untrusted text */
  const uint8_t *data;
  size_t len; /* at most the iterator's limit; a sparse file's trailing
                 hole is left out (len < full_size) */
  uint64_t full_size;
} CkptDiffFile;

/* ABI 3.1: a thread's x87/SSE/AVX state as CRIU saved it (thread_fpu). */
typedef struct {
  size_t size;
  /* the FXSAVE area, in the layout of Linux's user_fpregs_struct (what an
   * ELF core's NT_FPREGSET holds) */
  uint8_t fxsave[512];
  uint64_t xstate_bv; /* XSAVE header: which components hold state */
  int has_ymmh;       /* ymmh below is set */
  uint8_t ymmh[256];  /* upper 128 bits of YMM0-15 */
} CkptThreadFpu;

/* ABI 3.1: what a member of the rootfs diff is (diff_iter_entry). */
typedef enum {
  CKPT_DIFF_REG = 0,
  CKPT_DIFF_DIR = 1,
  CKPT_DIFF_SYMLINK = 2,
  CKPT_DIFF_HARDLINK = 3,
  CKPT_DIFF_CHR = 4,
  CKPT_DIFF_BLK = 5,
  CKPT_DIFF_FIFO = 6,
  CKPT_DIFF_SOCK = 7,
  CKPT_DIFF_OTHER = 8,
} CkptDiffKind;

typedef struct {
  size_t size;
  const char *path; /* display text, as CkptDiffFile.path */
  CkptDiffKind kind;
  uint32_t mode; /* permission bits with setuid/setgid/sticky */
  uint32_t uid, gid;
  const char *uname, *gname; /* names the tar carries, or NULL */
  int64_t mtime;             /* seconds since the epoch */
  const char *link;          /* symlink or hard link target text, or NULL */
  uint32_t rdev_major, rdev_minor; /* devices */
  uint64_t full_size; /* what the member expands to (sparse: its holes too) */
  /* hex sha256 of every byte of a regular file (not only the first
   * max_bytes), or NULL: not a regular file, or not read to its end */
  const char *sha256;
} CkptDiffEntryInfo;

/* ---- ABI 3.7 (host): a directory run --------------------------------- */
/* One checkpoint found under a directory (dir_next, CkptPlugin.run_dir).
 * The host walks the directories (never through a symlink, every entry
 * told by content, whatever its name), opens each checkpoint's image set
 * and metadata only, and hands it on; the plugin makes the rows. Set size
 * before calling dir_next (the host fills only the members that fit);
 * every pointer is valid until the next dir_next. */
typedef struct {
  size_t size;      /* sizeof(CkptDirEntryInfo) as the plugin was built */
  const char *path; /* the entry as reached: DIR/REL */
  const char *dir;  /* the directory it was found under, as given */
  size_t dir_index; /* that directory's index among those given */
  const char *rel;  /* below dir: "a.tar", "node1/b.tar" */
  const char *name; /* the entry's own name, rel's last part */
  /* a handle to the checkpoint: container() reads its metadata; it holds
   * no processes, files or memory (they are not read) */
  CkptRun *checkpoint;
  /* 1 when the container's times come from the engine's config.dump, 0
   * when checkpointed is only a member's mtime (or unknown) */
  int times_from_config;
} CkptDirEntryInfo;

/* ---- ABI 3.2: content held by kernel objects --------------------------- */
/* What CRIU saved of the bytes a kernel object held, where a memory search
 * does not look. */
typedef enum {
  CKPT_OBJ_GHOST_FILE = 0,   /* deleted file still open, or deleted exe */
  CKPT_OBJ_MEMFD = 1,        /* a memfd's content, mapped or not */
  CKPT_OBJ_PIPE = 2,         /* a pipe's unread buffer */
  CKPT_OBJ_FIFO = 3,         /* a FIFO's unread buffer */
  CKPT_OBJ_SOCKET_QUEUE = 4, /* packets queued to a socket (unix, ...) */
  CKPT_OBJ_TCP_RECV = 5,     /* a TCP socket's receive queue */
  CKPT_OBJ_TCP_SEND = 6,     /* a TCP socket's send queue */
  CKPT_OBJ_TMPFS_FILE = 7,   /* a file of a tmpfs CRIU or the engine saved */
} CkptObjectKind;

/* A process holding an object: by a descriptor (fd >= 0), as its
 * executable (fd -1, how "exe") or mapped (fd -1, how "mapped"). The host
 * hands these in arrays, so the struct never changes size (rule 3). */
typedef struct {
  uint32_t pid;
  int fd;
  const char *how;         /* "fd", "exe" or "mapped" */
  const void *reserved[2]; /* zero; room to grow inside arrays */
} CkptObjectOwner;

typedef struct {
  size_t size;
  CkptObjectKind kind;
  const char *kind_name; /* "ghost file", "memfd", "pipe buffer", ... */
  /* a path ("/data/deleted.log (deleted)"), a memfd's name, "pipe:[41301]",
   * "127.0.0.1:55198 -> 127.0.0.1:9090 (recv)"; untrusted text */
  const char *name;
  const char *image;             /* the image (or member) holding the bytes */
  uint64_t length;               /* bytes of content, holes included */
  uint64_t stored;               /* of which stored in the checkpoint */
  const CkptObjectOwner *owners; /* n_owners, by pid, then fd */
  size_t n_owners;
  /* one line naming it for a hit: kind, name, then each owner:
   * "ghost file /data/deleted.log (deleted), pid 1 fd 15" */
  const char *source;
} CkptObjectInfo;

typedef struct CkptObjectIter CkptObjectIter; /* walks one object's bytes */

/* One contiguous run of an object's stored bytes. The caller sets size
 * (sizeof), as for CkptMemBlock: the host fills only what fits. */
typedef struct {
  size_t size;
  uint64_t offset; /* in the object's content */
  const uint8_t *data;
  size_t len;
} CkptObjectBlock;

/* ---- the host's function table ----------------------------------------- */
typedef enum {
  CKPT_LOG_DEBUG = 0,
  CKPT_LOG_INFO = 1,
  CKPT_LOG_WARNING = 2,
  CKPT_LOG_ERROR = 3,
} CkptLogLevel;

/* ABI 3.9 (share): the secrets engine's rules as CkptMemSubscriber.secrets
 * sees them: n files, compiled in this order, file i in namespace
 * namespaces[i] (several files may share one); rules is the rule text
 * they came from (comma-separated sources), for mem_secret_matches. */
typedef struct {
  size_t size;
  const char *rules;
  size_t n;
  const char *const *files;
  const char *const *namespaces;
} CkptSecretRules;

/* ABI 3.9 (share): one match of the secrets engine's rules in a process's
 * memory, from a subscriber that took them (CkptMemSubscriber.secrets):
 * string number string_index (0: the rule's first, in source order) of
 * rule `rule` of namespace ns (as CkptSecretRules named it) matched len
 * bytes at address addr. Set size to sizeof. */
/* At most this many matches a process are handed over: a subscriber that
 * saw more hands none for that process (the host scans it itself, and its
 * own scan bounds what it keeps), so that memory full of one token costs
 * bounded memory. */
#define CKPT_SECRET_MATCHES_MAX 200000u

typedef struct {
  size_t size;
  const char *ns;
  const char *rule;
  const char *string; /* its identifier, "$v" */
  unsigned string_index;
  uint32_t len;
  uint64_t addr;
} CkptSecretMatch;

/* ABI 3.7 (onepass): a subscriber of the host's one memory pass
 * (CkptApi.mem_subscribe). The host walks each process's dumped memory
 * once, in pstree order, before the chain's first run(), and hands every
 * block to every subscriber: begin(p), then for each block block(p, b) on
 * every subscriber followed by sync(p) on every subscriber (return from
 * sync once done with b: b is valid from block() until sync() returns, so
 * subscribers may work on one block at once on threads of their own),
 * then end(p). Processes without memory are not walked. Any callback may
 * be NULL. free(user) is called once the chain's run over the checkpoint
 * ended, whether the plugin ran or not. Set size to sizeof. */
typedef struct {
  size_t size;
  void *user;
  void (*begin)(const CkptProcess *p, void *user);
  void (*block)(const CkptProcess *p, const CkptMemBlock *b, void *user);
  void (*sync)(const CkptProcess *p, void *user);
  void (*end)(const CkptProcess *p, void *user);
  void (*free)(void *user);
  /* ABI 3.9 (share): one libyara scan for every rule. Called once, on the
   * pass's thread before the walk, when the pass is about to scan memory
   * with the secrets engine's rules (for redaction, or a plugin's
   * mem_secrets): a subscriber that scans each process's memory with
   * libyara anyway may return 1 to find what those rules find in its own
   * scan, and the host then scans memory for secrets only where it was
   * not told. Taking them means: compile rules->files[i] in a namespace of
   * the subscriber's that names rules->namespaces[i] again, without
   * externals; scan each process's memory as one scan over all its blocks
   * at their true addresses, cut at zero pages with a page (4096 bytes) of
   * padding either side (zeropad.h), not in fast mode; and, before end(p)
   * returns, hand every match of every matching rule of those files (not
   * private, length above 0; in the callback's order, a rule's strings in
   * source order, libyara's matches in its order) to
   * CkptApi.mem_secret_matches. A process it could not scan, it hands
   * nothing: the host scans that one itself. Return 0 to leave the scan to
   * the host (NULL: the same). */
  int (*secrets)(const CkptSecretRules *rules, void *user);
} CkptMemSubscriber;

/* ABI 3.7 (onepass): a secret the host's secrets engine found in a
 * process's memory during the pass (CkptApi.mem_secrets): what the
 * engine's validator made of one raw match, in match order. */
typedef struct {
  size_t size;
  const char *kind;
  const char *severity; /* or NULL */
  int priority;
  const char *value;
  const char *detail; /* or NULL */
  uint64_t addr;      /* where the value starts */
} CkptMemSecret;

typedef struct CkptApi {
  size_t size; /* sizeof the host's table; check with CKPT_HAS() */
  unsigned abi_major, abi_minor;

  /* logging and errors; fmt is printf-like; error() records the reason
   * this plugin failed, shown by the host with the plugin's name */
  void (*log)(CkptRun *run, CkptLogLevel level, const char *fmt, ...)
      __attribute__((format(printf, 3, 4)));
  void (*error)(CkptRun *run, const char *fmt, ...)
      __attribute__((format(printf, 2, 3)));

  /* options, parsed by the host from the plugin's declarations */
  const char *(*opt_str)(CkptRun *run, const char *name);
  int64_t (*opt_int)(CkptRun *run, const char *name);
  int (*opt_bool)(CkptRun *run, const char *name);
  int (*opt_is_set)(CkptRun *run, const char *name); /* given by the user */

  /* the checkpoint */
  const CkptContainerInfo *(*container)(CkptRun *run);
  const CkptNamespaceInfo *(*namespaces)(CkptRun *run);

  /* processes, in pstree order (parents before children) */
  size_t (*process_count)(CkptRun *run);
  const CkptProcess *(*process_at)(CkptRun *run, size_t i);
  const CkptProcess *(*process_by_pid)(CkptRun *run, uint32_t pid);
  const CkptProcessInfo *(*process_info)(const CkptProcess *p);
  size_t (*thread_count)(const CkptProcess *p);
  const CkptThreadInfo *(*thread_at)(const CkptProcess *p, size_t i);

  /* memory */
  size_t (*vma_count)(const CkptProcess *p);
  const CkptVmaInfo *(*vma_at)(const CkptProcess *p, size_t i);
  const CkptVmaInfo *(*vma_find)(const CkptProcess *p, uint64_t addr);
  /* copies the dumped bytes at [addr, addr+len) into buf and returns how
   * many leading bytes were present; stops at the first absent page */
  size_t (*mem_read)(const CkptProcess *p, uint64_t addr, void *buf,
                     size_t len);
  /* walks the dumped memory in address order, one block per contiguous run
   * of present pages inside a VMA (never crossing VMAs); data points into
   * the checkpoint itself when it is uncompressed */
  CkptMemIter *(*mem_iter_new)(const CkptProcess *p);
  int (*mem_iter_next)(CkptMemIter *it, CkptMemBlock *block); /* 1, or 0 */
  void (*mem_iter_free)(CkptMemIter *it);

  /* files and sockets */
  size_t (*fd_count)(const CkptProcess *p);
  const CkptFdInfo *(*fd_at)(const CkptProcess *p, size_t i);
  size_t (*socket_count)(CkptRun *run);
  const CkptSocketInfo *(*socket_at)(CkptRun *run, size_t i);
  size_t (*mount_count)(CkptRun *run);
  const CkptMountInfo *(*mount_at)(CkptRun *run, size_t i);

  /* the rootfs diff's regular files; each file's data is read up to
   * max_bytes (0: a host default) and valid until the next call */
  CkptFileIter *(*diff_iter_new)(CkptRun *run, uint64_t max_bytes);
  int (*diff_iter_next)(CkptFileIter *it, CkptDiffFile *file); /* 1, 0 */
  void (*diff_iter_free)(CkptFileIter *it);

  /* rows: values[] has one value per column of the table, in order;
   * the host copies everything it is given */
  void (*emit)(CkptRun *run, size_t table, unsigned depth,
               const CkptValue *values, size_t n_values);

  /* results of plugins that ran earlier in the chain on this checkpoint,
   * readable only for the plugins this one names in its depends list:
   * the host keeps the rows of a plugin only while some plugin of the
   * chain depends on it, and streams the others straight to the output
   * (bounded memory). NULL when plugin is not a declared dependency, did
   * not run, or has no such table */
  const CkptResult *(*result)(CkptRun *run, const char *plugin,
                              const char *table);
  size_t (*result_rows)(const CkptResult *r);
  int (*result_column)(const CkptResult *r, const char *name); /* or -1 */
  const CkptValue *(*result_row)(const CkptResult *r, size_t row,
                                 unsigned *depth);

  /* ABI 3.0 */

  /* a LIST option's values, NULL-ended, never NULL (maybe empty); for
   * another type, its text as a one-element list (empty when unset) */
  const char *const *(*opt_list)(CkptRun *run, const char *name);

  /* how far a long run has got: done of total units (total 0: unknown),
   * what names the work ("memory"). The host draws one progress line on
   * stderr when it is a terminal, and nothing otherwise; it clears the
   * line when the run ends. Call it from the run() thread. */
  void (*progress)(CkptRun *run, uint64_t done, uint64_t total,
                   const char *what);

  /* the directory of the rules that ship with ckpt (YARA and secrets
   * rules): the installed one, or the source tree's rules/ when the host
   * runs from its build tree. Never NULL; may be called from init(). */
  const char *(*rules_dir)(void);

  /* multi-checkpoint runs (CkptPlugin.run_multi): how many checkpoints
   * the run covers, and a handle to the i-th one (NULL past the end),
   * through which the model accessors and result() read that checkpoint
   * and the rows its chain produced. Rows are emitted on the run handed
   * to run_multi(). For a plain run(): 1, and the run itself. */
  size_t (*checkpoint_count)(CkptRun *run);
  CkptRun *(*checkpoint_at)(CkptRun *run, size_t i);

  /* ABI 3.1: FP state, auxv, every member of the rootfs diff.
   * thread i's FPU state (as thread_at's i), or NULL when the image has
   * none */
  const CkptThreadFpu *(*thread_fpu)(const CkptProcess *p, size_t i);
  /* the saved auxiliary vector: *n_words uint64 values, (type, value)
   * pairs, ending with AT_NULL when the image had it; NULL when none */
  const uint64_t *(*process_auxv)(const CkptProcess *p, size_t *n_words);
  /* like diff_iter_new, but the walk yields every member (directories,
   * links, devices and whiteouts with no data) and hashes regular files
   * to their end */
  CkptFileIter *(*diff_iter_new_all)(CkptRun *run, uint64_t max_bytes);
  /* the member diff_iter_next returned last, or NULL before the first */
  const CkptDiffEntryInfo *(*diff_iter_entry)(CkptFileIter *it);

  /* ABI 3.2: content held by kernel objects (CkptObjectInfo below): ghost
   * files, memfds, pipe and FIFO buffers, socket queues, saved tmpfs
   * files. object_read() copies [offset, offset+len) of the content into
   * buf, holes as zeros, and returns the bytes copied (fewer only at the
   * end). The iterator walks one object's stored bytes in offset order,
   * skipping holes; a block is valid until the next call on the iterator.
   * Both may be used from worker threads, like the memory calls. */
  size_t (*object_count)(CkptRun *run);
  const CkptObjectInfo *(*object_at)(CkptRun *run, size_t i);
  size_t (*object_read)(const CkptObjectInfo *o, uint64_t offset, void *buf,
                        size_t len);
  CkptObjectIter *(*object_iter_new)(const CkptObjectInfo *o);
  int (*object_iter_next)(CkptObjectIter *it, CkptObjectBlock *block);
  void (*object_iter_free)(CkptObjectIter *it);

  /* ABI 3.6: why a rootfs diff walk (diff_iter_new, diff_iter_new_all)
   * stopped before the diff's end (rootfs-diff.tar unreadable or cut, or
   * past a limit), or NULL when it read the whole diff or there is none;
   * call it once diff_iter_next returned 0 */
  const char *(*diff_iter_error)(CkptFileIter *it);

  /* ABI 3.6: zero pages cost nothing. In block b of process p (from
   * mem_iter_next), the next stretch at or after *off that is not known to
   * be whole zero pages: returns 1 with *off moved to its start and *len
   * its length, or 0 when the rest of b is zeros. Bytes it steps over read
   * as zeros; a stretch may still hold zeros (only the spool of a
   * compressed archive knows its zero pages; elsewhere the whole rest is
   * one stretch). A scanner that skips must keep a match that straddles a
   * stretch's edge (pad each stretch by the pattern's reach). Thread-safe
   * like mem_read. */
  int (*mem_data_next)(const CkptProcess *p, const CkptMemBlock *b, size_t *off,
                       size_t *len);

  /* ABI 3.7 (host): directory runs (CkptPlugin.run_dir). The next
   * checkpoint found under the run's directories, in order (the
   * directories as given, each one's entries sorted by name, then its
   * subdirectories' with the host's recursive setting), into *entry:
   * returns 1, or 0 when there is none left. Entries that are not
   * checkpoints, and checkpoints that cannot be opened, are reported by
   * the host and never handed on. A run_dir's own run reads no
   * checkpoint (the model accessors give it NULL or 0): call them on
   * entry->checkpoint. Rows
   * emitted on the run are not redacted (they hold names, not content).
   * 0 on a run that is not a directory run. */
  int (*dir_next)(CkptRun *run, CkptDirEntryInfo *entry);

  /* ABI 3.7 (onepass): the host's one memory pass (CkptMemSubscriber
   * above). mem_subscribe() is called from prepare(): it returns 1 when
   * the host will feed sub (copied) to the pass, 0 when it will not (no
   * pass: --isolate, a run over several checkpoints); then the plugin
   * reads memory itself in run(), as a plugin without prepare does. In
   * run(), mem_subscription() gives the user of the plugin's subscription
   * once the pass fed it every process, or NULL when none did. */
  int (*mem_subscribe)(CkptRun *run, const CkptMemSubscriber *sub);
  void *(*mem_subscription)(CkptRun *run);
  /* The secrets the host's engine, compiled from rules (comma-separated,
   * as the secrets plugin's option), found in p's memory during the pass:
   * the same scan the redaction policy takes its secrets from, shared.
   * From prepare() with p NULL: asks for them; returns 1 when the host
   * will scan with exactly those rules. From run(): returns 1 with *out
   * and *n set once the pass scanned p, 0 otherwise (read for yourself). */
  int (*mem_secrets)(CkptRun *run, const char *rules, const CkptProcess *p,
                     const CkptMemSecret **out, size_t *n);

  /* ABI 3.8 (search2) */
  /* emit() of a row whose cells show, of the dumped memory, only p's
   * bytes in [addr, addr+len) (a search hit and its context): the
   * redaction policy then looks for memory's secrets in that window and as
   * far around it as the secrets engine's matches reach, not in all of
   * memory, so that redacting a few hits costs in proportion to them. A
   * secret whose value lies in or overlaps the window is redacted as emit()
   * would; the secrets of every window emitted so far redact each later
   * row and the run's messages (show no memory in messages then). Rows
   * emitted with emit() after reading memory are redacted with the secrets
   * of all memory, as always. len 0 (p may be NULL): a row that shows no
   * memory at all (a summary, a rule matched by its condition alone),
   * redacted with the secrets of the windows so far, the spec, the
   * environments and the command lines, without a scan of memory. */
  void (*emit_window)(CkptRun *run, size_t table, unsigned depth,
                      const CkptValue *values, size_t n_values,
                      const CkptProcess *p, uint64_t addr, uint64_t len);

  /* ABI 3.9 (share): from a memory-pass subscriber that took the secrets
   * engine's rules (CkptMemSubscriber.secrets), before its end(p)
   * returns: its n matches of them in p's memory (m[i] m[0].size bytes
   * apart, each with that size), as rules->rules named them. The host validates
   * them as its own scan's and keeps what they prove for redaction and
   * mem_secrets. Returns 1 when taken; 0 when not (not taken over, p handed
   * already, a match naming no rule of those files): the host then scans p
   * itself. */
  int (*mem_secret_matches)(const CkptProcess *p, const char *rules,
                            const CkptSecretMatch *m, size_t n);

  /* Append new members here, and only here. */
} CkptApi;

/* ---- findings: one schema for every detection --------------------------
 * A plugin that detects something declares a table named "findings" whose
 * columns are CKPT_FINDING_COLUMNS (in that order, it may add its own after
 * them) and emits one row per finding, filled by ckpt_finding_values().
 * `ckpt triage` reads the findings table of every plugin of its chain,
 * third parties' included: it filters them by id and severity, sorts them
 * and gives each checkpoint a verdict. A findings table is readable by
 * every later plugin of the chain, not only by those that depend on it.
 *
 * Ids ([a-z0-9-]+, e.g. "reverse-shell") are a public interface: never
 * renamed or reused. Evidence is what was seen, as text; the host redacts
 * it like any other value. attack is a MITRE ATT&CK technique id ("T1059")
 * or NULL; more is a ckpt command line that shows more, or NULL. */
#define CKPT_FINDINGS_TABLE "findings"

typedef enum {
  CKPT_SEV_INFO = 0,
  CKPT_SEV_LOW = 1,
  CKPT_SEV_MEDIUM = 2,
  CKPT_SEV_HIGH = 3,
  CKPT_SEV_CRITICAL = 4,
} CkptSeverity;

typedef struct {
  const char *id;
  CkptSeverity severity;
  const char *title;    /* one line */
  uint32_t pid, tid;    /* 0: none */
  int fd;               /* -1: none */
  uint64_t address;     /* 0: none */
  const char *path;     /* a file or object the finding is about, or NULL */
  const char *evidence; /* what was seen */
  const char *attack;   /* ATT&CK technique id, or NULL */
  const char *why;      /* why it matters, one short sentence */
  const char *more;     /* a command that shows more, or NULL */
} CkptFinding;

/* the first columns of a findings table; end the array with {0} after
 * them (or after the plugin's own extra columns) */
/* clang-format off */
#define CKPT_FINDING_COLUMNS                                                   \
  {.name = "id", .type = CKPT_T_STR, .title = "ID"},                           \
  {.name = "severity", .type = CKPT_T_STR, .title = "SEVERITY"},               \
  {.name = "title", .type = CKPT_T_STR, .title = "TITLE"},                     \
  {.name = "pid", .type = CKPT_T_UINT, .title = "PID"},                        \
  {.name = "tid", .type = CKPT_T_UINT, .title = "TID"},                        \
  {.name = "fd", .type = CKPT_T_INT, .title = "FD"},                           \
  {.name = "address", .type = CKPT_T_ADDR, .title = "ADDRESS"},                \
  {.name = "path", .type = CKPT_T_STR, .title = "PATH"},                       \
  {.name = "evidence", .type = CKPT_T_STR, .title = "EVIDENCE"},               \
  {.name = "attack", .type = CKPT_T_STR, .title = "ATT&CK"},                   \
  {.name = "why", .type = CKPT_T_STR, .title = "WHY"},                         \
  {.name = "more", .type = CKPT_T_STR, .title = "MORE"}
/* clang-format on */
#define CKPT_FINDING_N_COLUMNS 12

/* "info", "low", "medium", "high", "critical"; NULL out of range */
static inline const char *
ckpt_severity_name(CkptSeverity s)
{
  static const char *const names[] = {"info", "low", "medium", "high",
                                      "critical"};
  return (unsigned)s < 5 ? names[s] : NULL;
}

/* The row of f, CKPT_FINDING_N_COLUMNS values, for emit(). */
static inline void
ckpt_finding_values(const CkptFinding *f, CkptValue *v)
{
  v[0] = CKPT_STR(f->id);
  v[1] = CKPT_STR(ckpt_severity_name(f->severity));
  v[2] = CKPT_STR(f->title);
  v[3] = f->pid ? CKPT_UINT(f->pid) : CKPT_NULL;
  v[4] = f->tid ? CKPT_UINT(f->tid) : CKPT_NULL;
  v[5] = f->fd >= 0 ? CKPT_INT(f->fd) : CKPT_NULL;
  v[6] = f->address ? CKPT_ADDR(f->address) : CKPT_NULL;
  v[7] = CKPT_STR(f->path);
  v[8] = CKPT_STR(f->evidence);
  v[9] = CKPT_STR(f->attack);
  v[10] = CKPT_STR(f->why);
  v[11] = CKPT_STR(f->more);
}

/* ---- the descriptor ---------------------------------------------------- */
typedef struct CkptPlugin {
  uint32_t abi_major, abi_minor;
  size_t size;      /* sizeof(CkptPlugin) as the plugin was built */
  const char *name; /* [a-z0-9-]+, unique among loaded plugins */
  const char *version;
  const char *description;
  const char *license;
  const CkptOption *options;  /* terminated by {NULL} */
  const char *const *depends; /* plugin names, NULL-ended, or NULL */
  const CkptTable *tables;    /* terminated by {NULL} */
  /* init once after loading; returns 0, or non-zero and may point *error
   * at a reason: a string the plugin keeps alive (e.g. a literal); the host
   * copies it and never frees it */
  int (*init)(const CkptApi *api, char **error);
  /* run over one checkpoint; NULL for a plugin that has run_multi */
  CkptStatus (*run)(const CkptApi *api, CkptRun *run);
  void (*fini)(void);
  /* ABI 3.0: run once over several checkpoints (ckpt diff A B), after
   * each went through the plugins this one depends on; see
   * checkpoint_count(). A plugin has run, run_multi, or both. */
  CkptStatus (*run_multi)(const CkptApi *api, CkptRun *run);
  /* ABI 3.7, in reserved slots (zero in a plugin built against 3.6 or
   * older, which the host reads as "reads everything, no prepare, no
   * run_dir"). reads: CKPT_READS_* or-ed; 0 means everything. */
  uintptr_t reads;
  /* called on each plugin of a chain before the first run() over a
   * checkpoint, NULL when not needed */
  CkptStatus (*prepare)(const CkptApi *api, CkptRun *run);
  /* run once over the checkpoints found under directories (ckpt list
   * DIR...), reading them with dir_next(); NULL when the plugin has no
   * directory scope. A plugin with run_dir may have no run() nor
   * run_multi(). */
  CkptStatus (*run_dir)(const CkptApi *api, CkptRun *run);
  void *reserved[4]; /* room to grow without changing the size */
} CkptPlugin;

/* CkptPlugin.reads (ABI 3.7): what a plugin reads of a checkpoint. The
 * host reads, spools and hashes only what some plugin of the chain needs;
 * 0 (and any plugin older than 3.7) means all of it. */
#define CKPT_READS_MODEL (1u << 0) /* processes, files, metadata */
/* page contents (mem_read, iterators), and what the model reads from them:
 * each process's argv, cmdline and environment (CkptProcessInfo), empty
 * for a chain that declares no memory reads */
#define CKPT_READS_MEMORY (1u << 1)
#define CKPT_READS_CUSTODY (1u << 2) /* archive_sha256 */
/* ABI 3.8: the rootfs diff's contents (diff_iter_new, diff_iter_new_all);
 * its size (CkptContainerInfo.rootfs_diff_size) is model. Without it a
 * compressed archive's rootfs-diff.tar is not spooled, and a walk of it
 * stops at once with a warning (diff_iter_error says why). For a plugin
 * built against 3.7, CKPT_READS_MODEL implies it. */
#define CKPT_READS_ROOTFS (1u << 3)
/* ABI 3.8: with CKPT_READS_MEMORY, the plugin shows memory only in rows of
 * emit_window: the host's memory pass then does not run the secrets engine
 * over all of memory on its account (the windows are scanned instead); a
 * row of emit() after memory was read still gets memory's whole set,
 * computed then. */
#define CKPT_SHOWS_MEMORY_IN_WINDOWS (1u << 4)

/* ---- shared text forms ------------------------------------------------- */
/* Header-only, so the host and every plugin name things one way. */

/* "anon", "file", "heap", "stack", "vdso", ... ("other" when unknown) */
static inline const char *
ckpt_vma_kind_name(CkptVmaKind kind)
{
  static const char *const names[] = {
      "anon",     "file",   "heap",  "stack",   "vdso",  "vvar",
      "vsyscall", "shared", "memfd", "sysvipc", "guard", "other",
  };
  return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind]
                                                           : "other";
}

/* Is s (len bytes, no NUL needed) a NAME=VALUE string as getenv() matches
 * it: a name of [A-Za-z_][A-Za-z0-9_.-]*, then '='? The one rule for the
 * model's environment recovery and the secrets plugin's live one. */
static inline int
ckpt_env_is_assignment(const char *s, size_t len)
{
  if (len < 2 || !((s[0] >= 'A' && s[0] <= 'Z') ||
                   (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < len; i++) {
    char c = s[i];
    if (c == '=')
      return 1;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return 0;
  }
  return 0;
}

/* Is addr written in brackets next to a port (an IPv6 address holds a
 * colon)? The one rule for endpoints, in rows and in table templates. */
static inline int
ckpt_host_needs_brackets(const char *addr)
{
  return addr != NULL && strchr(addr, ':') != NULL;
}

/* A socket endpoint "addr:port", the address bracketed when it holds a
 * colon (IPv6): "[::1]:80". Writes "" for a NULL or empty address; returns
 * buf. len of 64 holds any address. */
static inline char *
ckpt_format_endpoint(char *buf, size_t len, const char *addr, uint32_t port)
{
  if (addr == NULL || addr[0] == '\0')
    buf[0] = '\0';
  else if (ckpt_host_needs_brackets(addr))
    snprintf(buf, len, "[%s]:%u", addr, (unsigned)port);
  else
    snprintf(buf, len, "%s:%u", addr, (unsigned)port);
  return buf;
}

#if defined(__GNUC__)
#define CKPT_EXPORT __attribute__((visibility("default")))
#else
#define CKPT_EXPORT
#endif

/* the members every descriptor macro sets first, in declaration order
 * (C++ wants it) (not for plugins' use) */
#define CKPT_DESCRIPTOR_HEAD_(nm, ver, desc, lic, opts)                        \
  .abi_major = CKPT_ABI_MAJOR, .abi_minor = CKPT_ABI_MINOR,                    \
  .size = sizeof(CkptPlugin), .name = (nm), .version = (ver),                  \
  .description = (desc), .license = (lic), .options = (opts)

/* CKPT_PLUGIN_DEFINE(name, version, description, license, options, depends,
 *                    tables, init, run, fini)
 * declares a plugin that reads everything (CkptPlugin.reads 0);
 * CKPT_PLUGIN_DEFINE_READS(reads, name, ...) one that reads only reads
 * (CKPT_READS_* or-ed, ABI 3.7), so that the host may skip the rest.
 * A multi-checkpoint plugin defines the descriptor itself with designated
 * initializers, setting run_multi (see plugins/diff/diff.c). */
#define CKPT_PLUGIN_FIELDS(nm, ver, desc, lic, opts, deps, tbls, in, rn, fi)   \
  CKPT_DESCRIPTOR_HEAD_(nm, ver, desc, lic, opts),                             \
      .depends = (deps), .tables = (tbls), .init = (in), .run = (rn),          \
      .fini = (fi)
#define CKPT_PLUGIN_DEFINE(nm, ver, desc, lic, opts, deps, tbls, in, rn, fi)   \
  CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {                      \
      CKPT_PLUGIN_FIELDS(nm, ver, desc, lic, opts, deps, tbls, in, rn, fi)}
#define CKPT_PLUGIN_DEFINE_READS(rd, nm, ver, desc, lic, opts, deps, tbls, in, \
                                 rn, fi)                                       \
  CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {                      \
      CKPT_PLUGIN_FIELDS(nm, ver, desc, lic, opts, deps, tbls, in, rn, fi),    \
      .reads = (rd)}
/* ABI 3.7: CKPT_PLUGIN_DEFINE followed by designated initializers of
 * later members, in their order, e.g. `.reads = CKPT_READS_MODEL,
 * .prepare = my_prepare` */
#define CKPT_PLUGIN_DEFINE_WITH(nm, ver, desc, lic, opts, deps, tbls, in, rn,  \
                                fi, ...)                                       \
  CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {                      \
      CKPT_PLUGIN_FIELDS(nm, ver, desc, lic, opts, deps, tbls, in, rn, fi),    \
      __VA_ARGS__}

/* CKPT_PLUGIN_DEFINE_DIR(name, version, description, license, options,
 *                        tables, reads, run_dir)
 * ABI 3.7 (host): a plugin with a directory scope only (run_dir, reading
 * entries with dir_next; plugins/list); reads as CkptPlugin.reads. */
#define CKPT_PLUGIN_DEFINE_DIR(nm, ver, desc, lic, opts, tbls, rd, rdir)       \
  CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {                      \
      CKPT_DESCRIPTOR_HEAD_(nm, ver, desc, lic, opts),                         \
      .tables = (tbls),                                                        \
      .reads = (rd),                                                           \
      .run_dir = (rdir),                                                       \
  }

#ifdef __cplusplus
}
#endif

#endif /* CKPT_PLUGIN_H */

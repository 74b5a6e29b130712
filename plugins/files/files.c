/* files.c - the open files plugin.
 *
 * One row per open descriptor of every process, plus the process's working
 * directory and root as checkpointctl lists them ("cwd", "root"). The type
 * column uses CRIU's fd type names (REG, PIPE, INETSK, UNIXSK, ...) so the
 * rows match checkpointctl's and crit's; the kind column is ckpt's own.
 */
#define _GNU_SOURCE /* qsort_r, in subtree.h */
#include <stdio.h>
#include <string.h>

#include "../subtree.h"
#include "ckpt/plugin.h"

enum { T_FILES };

static const CkptOption options[] = {
    {"pid", CKPT_T_INT, "0",
     "show only the files of this process and its descendants"},
    {NULL},
};

/* a tree line is "1  0  REG  /dev/null" (`ckpt inspect` makes it
 * checkpointctl's "[REG 0]  /dev/null" under the process) */
static const CkptColumn file_columns[] = {
    {"pid", CKPT_T_UINT, "PID", CKPT_COL_LABEL,
     .help = "process holding the descriptor"},
    {"fd", CKPT_T_STR, "FD", CKPT_COL_LABEL,
     .help = "descriptor number, or cwd / root"},
    {"type", CKPT_T_STR, "Type", CKPT_COL_LABEL,
     .help = "CRIU's file type (REG, PIPE, INETSK, ...)"},
    {"path", CKPT_T_STR, "Path", CKPT_COL_LABEL,
     .help = "file path, or a description such as pipe:[1234]"},
    {"kind", CKPT_T_STR, "Kind", .help = "ckpt's kind name for the descriptor"},
    {"flags", CKPT_T_ADDR, "Flags", .help = "open flags (O_*)"},
    {"pos", CKPT_T_UINT, "Pos", .help = "file offset"},
    {"mode", CKPT_T_UINT, "Mode", .help = "file mode bits"},
    {"size", CKPT_T_SIZE, "Size",
     .help = "file size when the image records it"},
    {"file_id", CKPT_T_UINT, "ID",
     .help = "CRIU's file id, shared by dup()ed descriptors"},
    /* what an eventfd, signalfd, timerfd, inotify, epoll or memfd was set
     * to (ABI 2.1; NULL from an older host) */
    {"detail", CKPT_T_STR, "Detail",
     .help = "what an eventfd, signalfd, timerfd, inotify, epoll or memfd was "
             "set to"},
    {NULL},
};

static const CkptTable tables[] = {
    [T_FILES] = {"files", "Open files", CKPT_LAYOUT_TABLE, file_columns},
    {NULL},
};

static const char *
socket_type_name(const CkptSocketInfo *sk)
{
  if (sk == NULL)
    return "SOCK";
  switch (sk->kind) {
  case CKPT_SK_INET:
    return "INETSK";
  case CKPT_SK_UNIX:
    return "UNIXSK";
  case CKPT_SK_PACKET:
    return "PACKETSK";
  case CKPT_SK_NETLINK:
    return "NETLINKSK";
  case CKPT_SK_OTHER:
    break;
  }
  return "SOCK";
}

/* CRIU's FdTypes names, which crit and checkpointctl print. A directory
 * is a REG file to CRIU. */
static const char *
criu_type_name(const CkptFdInfo *fi)
{
  switch (fi->kind) {
  case CKPT_FD_REG:
  case CKPT_FD_DIR:
    return "REG";
  case CKPT_FD_PIPE:
    return "PIPE";
  case CKPT_FD_FIFO:
    return "FIFO";
  case CKPT_FD_SOCKET:
    return socket_type_name(fi->socket);
  case CKPT_FD_EVENTFD:
    return "EVENTFD";
  case CKPT_FD_EPOLL:
    return "EVENTPOLL";
  case CKPT_FD_SIGNALFD:
    return "SIGNALFD";
  case CKPT_FD_TIMERFD:
    return "TIMERFD";
  case CKPT_FD_INOTIFY:
    return "INOTIFY";
  case CKPT_FD_FANOTIFY:
    return "FANOTIFY";
  case CKPT_FD_MEMFD:
    return "MEMFD";
  case CKPT_FD_TTY:
    return "TTY";
  case CKPT_FD_TUN:
    return "TUNF";
  case CKPT_FD_NS:
    return "NS";
  case CKPT_FD_BPF:
    return "BPFMAP";
  case CKPT_FD_PIDFD:
    return "PIDFD";
  case CKPT_FD_EXT:
    return "EXT";
  case CKPT_FD_UNKNOWN:
    break;
  }
  return fi->kind_name ? fi->kind_name : "UND";
}

static void
emit_fd(const CkptApi *api, CkptRun *run, uint32_t pid, const CkptFdInfo *fi)
{
  char fd[24];
  snprintf(fd, sizeof(fd), "%d", fi->fd);
  CkptValue v[] = {
      CKPT_UINT(pid),
      CKPT_STR(fd),
      CKPT_STR(criu_type_name(fi)),
      CKPT_STR(fi->path),
      CKPT_STR(fi->kind_name),
      CKPT_ADDR(fi->flags),
      CKPT_UINT(fi->pos),
      CKPT_UINT(fi->mode),
      fi->file_size ? CKPT_SIZE(fi->file_size) : CKPT_NULL,
      CKPT_UINT(fi->file_id),
      CKPT_HAS(fi, detail) ? CKPT_STR(fi->detail) : CKPT_NULL,
  };
  api->emit(run, T_FILES, 0, v, sizeof(v) / sizeof(v[0]));
}

/* cwd and root rows carry no type, as in checkpointctl */
static void
emit_fs(const CkptApi *api, CkptRun *run, uint32_t pid, const char *which,
        const char *path)
{
  if (path == NULL)
    return;
  CkptValue v[] = {
      CKPT_UINT(pid), CKPT_STR(which), CKPT_NULL, CKPT_STR(path),
      CKPT_NULL,      CKPT_NULL,       CKPT_NULL, CKPT_NULL,
      CKPT_NULL,      CKPT_NULL,       CKPT_NULL,
  };
  api->emit(run, T_FILES, 0, v, sizeof(v) / sizeof(v[0]));
}

static int
has_files(const CkptProcessInfo *pi)
{
  return pi->state == CKPT_PROC_ALIVE || pi->state == CKPT_PROC_STOPPED;
}

static CkptStatus
files_run(const CkptApi *api, CkptRun *run)
{
  size_t n = api->process_count(run);
  unsigned char *in = NULL;

  if (subtree_from_option(api, run, &in) != 0)
    return CKPT_FAILED;
  for (size_t i = 0; i < n; i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    if (in && !in[i])
      continue;
    if (!has_files(pi))
      continue;
    size_t nfd = api->fd_count(p);
    for (size_t k = 0; k < nfd; k++) {
      const CkptFdInfo *fi = api->fd_at(p, k);
      if (fi)
        emit_fd(api, run, pi->pid, fi);
    }
    emit_fs(api, run, pi->pid, "cwd", pi->cwd);
    emit_fs(api, run, pi->pid, "root", pi->root);
  }
  free(in);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL, "files", "0.1.0",
                         "open files of every process, with cwd and root",
                         "Apache-2.0", options, NULL, tables, NULL, files_run,
                         NULL);

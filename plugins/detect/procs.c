/* procs.c - detectors over one process and its descriptors:
 * reverse-shell, deleted-exe, memfd-exe, exe-in-tmp, name-spoofing,
 * ld-preload and miner (its command line; memory is the yara rules'). */
#define _GNU_SOURCE /* strcasestr */
#include <stdio.h>
#include <string.h>

#include "detectors.h"

const char *
det_basename(const char *path)
{
  if (!path)
    return "";
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

void
det_emit(const DetSink *out, const char *id, CkptSeverity sev,
         const char *title, uint32_t pid, int fd, uint64_t addr,
         const char *path, const char *evidence, const char *attack,
         const char *why, const char *more)
{
  CkptFinding f = {
      .id = id,
      .severity = sev,
      .title = title,
      .pid = pid,
      .fd = fd,
      .address = addr,
      .path = path,
      .evidence = evidence,
      .attack = attack,
      .why = why,
      .more = more,
  };
  out->emit(out->ctx, &f);
}

/* the name a process runs as: exe's last component without the kernel's
 * " (deleted)" suffix, into buf */
static const char *
exe_name(const CkptProcessInfo *info, char *buf, size_t n)
{
  snprintf(buf, n, "%s", det_basename(info->exe));
  char *d = strstr(buf, " (deleted)");
  if (d && d[10] == '\0')
    *d = '\0';
  return buf;
}

static const char *const shells[] = {
    "sh",   "bash",  "dash", "ash",  "zsh",     "ksh", "mksh", "csh",
    "tcsh", "fish",  "perl", "ruby", "php",     "lua", "node", "nodejs",
    "pwsh", "tclsh", "awk",  "gawk", "busybox", NULL,
};

/* sh, bash..., and python/python3/python3.11, perl5.36 and the like */
static int
is_interpreter_name(const char *name)
{
  if (!name || !*name)
    return 0;
  if (name[0] == '-') /* a login shell's argv[0] */
    name++;
  for (size_t i = 0; shells[i]; i++)
    if (strcmp(name, shells[i]) == 0)
      return 1;
  static const char *const prefixed[] = {"python", "perl", "php", "ruby", NULL};
  for (size_t i = 0; prefixed[i]; i++) {
    size_t k = strlen(prefixed[i]);
    if (strncmp(name, prefixed[i], k) == 0 &&
        strspn(name + k, "0123456789.") == strlen(name + k))
      return 1;
  }
  return 0;
}

static int
is_interpreter(const CkptProcessInfo *info)
{
  char exe[256];
  const char *argv0 = info->argv && info->argv[0] ? info->argv[0] : NULL;
  /* busybox runs every applet: its argv[0] says which */
  if (strcmp(exe_name(info, exe, sizeof exe), "busybox") == 0)
    return argv0 ? is_interpreter_name(det_basename(argv0)) : 0;
  return is_interpreter_name(exe) || is_interpreter_name(info->comm) ||
         (argv0 && is_interpreter_name(det_basename(argv0)));
}

static void
socket_text(const CkptSocketInfo *s, char *buf, size_t n)
{
  if (s->kind == CKPT_SK_INET)
    snprintf(buf, n, "%s %s:%u -> %s:%u %s", s->proto_name ? s->proto_name : "",
             s->src_addr ? s->src_addr : "?", s->src_port,
             s->dst_addr ? s->dst_addr : "?", s->dst_port,
             s->state_name ? s->state_name : "");
  else
    snprintf(buf, n, "%s %s%s", s->proto_name ? s->proto_name : "socket",
             s->peer_name ? "peer " : "", s->peer_name ? s->peer_name : "");
}

static void
reverse_shell(const DetProcess *p, const DetSink *out)
{
  const CkptProcessInfo *info = p->info;
  if (!is_interpreter(info))
    return;
  char ev[512] = "";
  size_t len = 0;
  int inet = 0, any = 0;
  for (size_t i = 0; i < p->n_fds; i++) {
    const CkptFdInfo *fd = p->fds[i];
    if (fd->fd < 0 || fd->fd > 2 || fd->kind != CKPT_FD_SOCKET || !fd->socket)
      continue;
    char s[200];
    socket_text(fd->socket, s, sizeof s);
    len += (size_t)snprintf(ev + len, len < sizeof ev ? sizeof ev - len : 0,
                            "%sfd %d: %s", any ? "; " : "", fd->fd, s);
    if (len >= sizeof ev)
      len = sizeof ev - 1;
    any = 1;
    inet |= fd->socket->kind == CKPT_SK_INET;
  }
  if (!any)
    return;
  char more[64];
  snprintf(more, sizeof more, "ckpt inspect --sockets --pid %u", info->pid);
  det_emit(out, "reverse-shell", inet ? CKPT_SEV_CRITICAL : CKPT_SEV_MEDIUM,
           inet ? "shell or interpreter talking over a network socket"
                : "shell or interpreter whose standard streams are a socket",
           info->pid, -1, 0, info->exe, ev, "T1059",
           "an interactive shell wired to a socket is how a reverse or bind "
           "shell gives a remote attacker a prompt",
           more);
}

static int
under_tmp(const char *path)
{
  static const char *const dirs[] = {"/tmp/", "/dev/shm/", "/var/tmp/",
                                     "/run/shm/", NULL};
  for (size_t i = 0; dirs[i]; i++)
    if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
      return 1;
  /* a hidden directory anywhere on the way (/usr/lib/.x/run); the file's
   * own name may start with a dot */
  for (const char *c = strchr(path, '/'); c; c = strchr(c, '/')) {
    c++;
    const char *end = strchr(c, '/');
    if (!end)
      break;
    size_t len = (size_t)(end - c);
    if (len >= 2 && c[0] == '.' && !(len == 2 && c[1] == '.'))
      return 1;
  }
  return 0;
}

static void
exe_checks(const DetProcess *p, const DetSink *out)
{
  const CkptProcessInfo *info = p->info;
  const char *exe = info->exe;
  if (!exe || !*exe)
    return;
  char more[64];
  snprintf(more, sizeof more, "ckpt inspect --files --pid %u", info->pid);
  if (strncmp(exe, "/memfd:", 7) == 0 || strncmp(exe, "memfd:", 6) == 0) {
    det_emit(out, "memfd-exe", CKPT_SEV_CRITICAL,
             "process runs from a memfd (fileless execution)", info->pid, -1, 0,
             exe, exe, "T1620",
             "a program loaded from an anonymous memory file leaves nothing "
             "on disk to find",
             more);
    return;
  }
  size_t n = strlen(exe);
  if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
    det_emit(out, "deleted-exe", CKPT_SEV_HIGH,
             "process runs a binary that was deleted", info->pid, -1, 0, exe,
             exe, "T1070.004",
             "deleting a running program hides it from the file system", more);
  if (under_tmp(exe))
    det_emit(out, "exe-in-tmp", CKPT_SEV_MEDIUM,
             "process runs a binary from a temporary or hidden directory",
             info->pid, -1, 0, exe, exe, "T1036.005",
             "droppers run what they fetch from world-writable or hidden "
             "places",
             more);
}

/* a kernel thread's name in brackets: "[kworker/0:1]" */
static int
kernel_like(const char *s)
{
  size_t n = s ? strlen(s) : 0;
  return n >= 3 && s[0] == '[' && s[n - 1] == ']';
}

static void
name_spoofing(const DetProcess *p, const DetSink *out)
{
  const CkptProcessInfo *info = p->info;
  const char *comm = info->comm ? info->comm : "";
  const char *argv0 = info->argv && info->argv[0] ? info->argv[0] : "";
  char ev[512];
  if (kernel_like(comm) || kernel_like(argv0)) {
    snprintf(ev, sizeof ev, "comm \"%s\", argv[0] \"%s\", exe %s", comm, argv0,
             info->exe ? info->exe : "?");
    det_emit(out, "name-spoofing", CKPT_SEV_HIGH,
             "process named like a kernel thread", info->pid, -1, 0, info->exe,
             ev, "T1036.004",
             "kernel threads never run inside a container: the name hides a "
             "user process among them",
             NULL);
    return;
  }
  if (!info->exe || !*info->exe || !*comm)
    return;
  /* comm is the exec'd file name cut to 15 bytes (or what prctl set);
   * argv[0] may be a symlink's name or a process title that starts with
   * the program's name */
  char exe[256];
  exe_name(info, exe, sizeof exe);
  const char *a0 = det_basename(argv0);
  if (strncmp(exe, comm, 15) == 0 || strncmp(a0, comm, strlen(comm)) == 0)
    return;
  if (strcmp(exe, "busybox") == 0)
    return; /* applets: comm is the applet, argv[0] says the same */
  snprintf(ev, sizeof ev, "comm \"%s\", argv[0] \"%s\", exe %s", comm, argv0,
           info->exe);
  det_emit(out, "name-spoofing", CKPT_SEV_MEDIUM,
           "process name differs from its program and command line", info->pid,
           -1, 0, info->exe, ev, "T1036.004",
           "a process that renames itself is hiding what it runs", NULL);
}

static void
ld_preload(const DetProcess *p, const DetSink *out)
{
  const CkptProcessInfo *info = p->info;
  for (size_t i = 0; info->envp && info->envp[i]; i++) {
    const char *e = info->envp[i];
    int preload = strncmp(e, "LD_PRELOAD=", 11) == 0 && e[11];
    int libpath = strncmp(e, "LD_LIBRARY_PATH=", 16) == 0 && e[16];
    if (!preload && !libpath)
      continue;
    char more[64];
    snprintf(more, sizeof more, "ckpt inspect --ps-tree-env --pid %u",
             info->pid);
    det_emit(out, "ld-preload", preload ? CKPT_SEV_HIGH : CKPT_SEV_LOW,
             preload ? "LD_PRELOAD in a live environment"
                     : "LD_LIBRARY_PATH in a live environment",
             info->pid, -1, 0, NULL, e, "T1574.006",
             "the dynamic linker loads these libraries into the program "
             "before its own",
             more);
  }
}

static const char *const miner_marks[] = {
    "stratum+tcp://",
    "stratum+ssl://",
    "stratum+tls://",
    "stratum2+tcp://",
    "--donate-level",
    "--randomx",
    "--cpu-max-threads-hint",
    "xmrig",
    "cryptonight",
    "minexmr.",
    "supportxmr.",
    "nanopool.org",
    "moneroocean.",
    "2miners.com",
    "nicehash.",
    NULL,
};

static void
miner(const DetProcess *p, const DetSink *out)
{
  const CkptProcessInfo *info = p->info;
  const char *texts[] = {info->cmdline, info->comm, info->exe};
  for (size_t t = 0; t < 3; t++) {
    if (!texts[t])
      continue;
    for (size_t i = 0; miner_marks[i]; i++) {
      if (!strcasestr(texts[t], miner_marks[i]))
        continue;
      char ev[512];
      snprintf(ev, sizeof ev, "\"%s\" in %s: %s", miner_marks[i],
               t == 0   ? "command line"
               : t == 1 ? "comm"
                        : "exe",
               texts[t]);
      det_emit(out, "miner", CKPT_SEV_HIGH, "cryptocurrency miner", info->pid,
               -1, 0, info->exe, ev, "T1496",
               "miners spend the node's CPU for someone else", NULL);
      return;
    }
  }
}

void
det_process(const DetProcess *p, const DetSink *out)
{
  if (p->info->state == CKPT_PROC_ZOMBIE || p->info->state == CKPT_PROC_DEAD)
    return;
  reverse_shell(p, out);
  exe_checks(p, out);
  name_spoofing(p, out);
  ld_preload(p, out);
  miner(p, out);
}

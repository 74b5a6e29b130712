/* posture.c - the container's posture as its processes really hold it
 * (capabilities, seccomp, no_new_privs, uid) and the mounts its spec gives
 * it: privileged, added-capabilities, seccomp-disabled, no-new-privs-off,
 * runs-as-root, sensitive-mount, and the namespaces its spec gives it:
 * host-namespace. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "detectors.h"

static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};
#define N_CAPS (sizeof cap_names / sizeof cap_names[0])
#define CAP(n) (UINT64_C(1) << (n))

/* what Podman, Docker, containerd and CRI-O give a container by default,
 * together: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
static const uint64_t default_caps =
    CAP(0) | CAP(1) | CAP(3) | CAP(4) | CAP(5) | CAP(6) | CAP(7) | CAP(8) |
    CAP(10) | CAP(13) | CAP(18) | CAP(27) | CAP(29) | CAP(31);

/* capabilities that open the way out of the container */
static const uint64_t dangerous_caps = CAP(2) | CAP(12) | CAP(16) | CAP(17) |
                                       CAP(19) | CAP(21) | CAP(38) | CAP(39);

/* every capability up to AUDIT_READ (37), which every kernel a container
 * runs on has */
static const uint64_t all_caps = CAP(38) - 1;

static void
cap_list(uint64_t caps, char *buf, size_t n)
{
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < 64 && k < n; i++) {
    if (!(caps & CAP(i)))
      continue;
    char one[32];
    if (i < N_CAPS)
      snprintf(one, sizeof one, "%s", cap_names[i]);
    else
      snprintf(one, sizeof one, "%zu", i);
    k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? "," : "", one);
  }
}

void
det_posture_process(const CkptProcessInfo *info, const DetSink *out)
{
  if (!info->has_mm && info->state == CKPT_PROC_ZOMBIE)
    return; /* a zombie holds no credentials the image kept */
  char ev[700], caps[600];
  uint32_t pid = info->pid;
  if ((info->cap_eff & all_caps) == all_caps) {
    snprintf(ev, sizeof ev, "effective capabilities %#llx (all of them)",
             (unsigned long long)info->cap_eff);
    det_emit(out, "privileged", CKPT_SEV_HIGH, "privileged container", pid, -1,
             0, NULL, ev, "T1611",
             "a privileged container holds every capability and can reach "
             "the host's devices and kernel",
             "ckpt inspect --details");
  } else if (info->cap_eff & ~default_caps) {
    uint64_t extra = info->cap_eff & ~default_caps;
    cap_list(extra, caps, sizeof caps);
    snprintf(ev, sizeof ev, "effective capabilities %#llx add %s",
             (unsigned long long)info->cap_eff, caps);
    det_emit(out, "added-capabilities",
             extra & dangerous_caps ? CKPT_SEV_HIGH : CKPT_SEV_MEDIUM,
             "capabilities beyond the engines' default set", pid, -1, 0, NULL,
             ev, "T1611",
             "each added capability is a kernel power the container was "
             "not meant to have",
             "ckpt inspect --details");
  }
  if (info->seccomp_mode == 0) {
    det_emit(out, "seccomp-disabled", CKPT_SEV_MEDIUM,
             "process runs without a seccomp filter", pid, -1, 0, NULL,
             "seccomp mode 0 (disabled)", "T1611",
             "without seccomp every system call is open, including those "
             "container escapes use",
             "ckpt inspect --details");
  }
  if (!info->no_new_privs) {
    det_emit(out, "no-new-privs-off", CKPT_SEV_INFO,
             "process may gain privileges through setuid programs", pid, -1, 0,
             NULL, "no_new_privs 0", "T1548.001",
             "without no_new_privs a setuid binary in the image raises the "
             "process's rights",
             "ckpt inspect --details");
  }
  if (info->uid == 0 || info->euid == 0) {
    snprintf(ev, sizeof ev, "uid %u, euid %u", info->uid, info->euid);
    det_emit(out, "runs-as-root", CKPT_SEV_LOW, "process runs as root", pid, -1,
             0, NULL, ev, NULL,
             "root in the container is root on the host's files it can "
             "reach",
             "ckpt inspect --details");
  }
}

static int
has_opt(const char *options, const char *opt)
{
  if (!options)
    return 0;
  size_t k = strlen(opt);
  for (const char *c = options; c && *c;) {
    const char *e = strchr(c, ',');
    size_t n = e ? (size_t)(e - c) : strlen(c);
    if (n == k && strncmp(c, opt, k) == 0)
      return 1;
    c = e ? e + 1 : NULL;
  }
  return 0;
}

/* sensitive-mount: the mount at dst, ev naming it */
static void
sensitive_mount(const DetSink *out, CkptSeverity sev, const char *title,
                const char *dst, const char *ev, const char *why)
{
  det_emit(out, "sensitive-mount", sev, title, 0, -1, 0, dst, ev, "T1611", why,
           "ckpt inspect --mounts");
}

void
det_posture_mount(const CkptSpecMount *m, const DetSink *out)
{
  static const char *const sockets[] = {
      "/var/run/docker.sock",
      "/run/docker.sock",
      "/run/containerd/containerd.sock",
      "/var/run/containerd/containerd.sock",
      "/run/crio/crio.sock",
      "/var/run/crio/crio.sock",
      "/run/podman/podman.sock",
      "/var/run/dockershim.sock",
      NULL,
  };
  static const char *const host_dirs[] = {"/",    "/proc", "/sys",
                                          "/etc", "/root", "/var/lib/kubelet",
                                          "/dev", "/boot", NULL};
  const char *src = m->source ? m->source : "";
  const char *dst = m->destination ? m->destination : "";
  int bind = (m->type && strcmp(m->type, "bind") == 0) ||
             has_opt(m->options, "bind") || has_opt(m->options, "rbind");
  int ro = has_opt(m->options, "ro");
  char ev[700];
  snprintf(ev, sizeof ev, "%s on %s (%s, %s)", src, dst,
           m->type ? m->type : "?", m->options ? m->options : "");
  for (size_t i = 0; bind && sockets[i]; i++) {
    if (strcmp(src, sockets[i]) == 0) {
      sensitive_mount(out, CKPT_SEV_CRITICAL,
                      "container runtime socket mounted into the container",
                      dst, ev,
                      "the runtime's socket starts privileged containers on "
                      "the host for whoever can write to it");
      return;
    }
  }
  for (size_t i = 0; bind && host_dirs[i]; i++) {
    if (strcmp(src, host_dirs[i]) == 0) {
      sensitive_mount(out, ro ? CKPT_SEV_MEDIUM : CKPT_SEV_HIGH,
                      ro ? "host system directory mounted read-only"
                         : "host system directory mounted writable",
                      dst, ev,
                      "the host's own system tree inside the container is a "
                      "way out of it");
      return;
    }
  }
  if (!bind && m->type && strcmp(m->type, "sysfs") == 0 && !ro)
    sensitive_mount(out, CKPT_SEV_MEDIUM, "sysfs mounted writable", dst, ev,
                    "a writable /sys lets the container change the host "
                    "kernel's settings");
}

/* The spec's linux.namespaces: a type left out of the list is shared with
 * the host (podman --pid=host, hostNetwork: true), and a path to
 * /proc/1/ns/ joins the host's init's. A path anywhere else joins some
 * other process's namespace: a pod's sandbox (CRI-O's /var/run/netns/...,
 * containerd's /proc/<pause>/ns/...) does that for every container of a
 * pod, so it is only noted. The user namespace is left out: most
 * containers run without one and that is the engines' default, not a
 * choice to share; cgroup and time too (cgroup v1 hosts go without). */
void
det_posture_namespaces(const CkptContainerInfo *ci, const DetSink *out)
{
  if (!ci || !CKPT_HAS(ci, has_spec_namespaces) || !ci->has_spec_namespaces)
    return;
  static const struct {
    const char *type;
    CkptSeverity sev;
    const char *what;
  } kinds[] = {
      {"mount", CKPT_SEV_CRITICAL, "the host's mounts and root file system"},
      {"pid", CKPT_SEV_HIGH, "the host's processes (signal, ptrace, /proc)"},
      {"network", CKPT_SEV_HIGH,
       "the host's network stack, its listeners and loopback services"},
      {"ipc", CKPT_SEV_HIGH, "the host's shared memory and semaphores"},
      {"uts", CKPT_SEV_MEDIUM, "the host's hostname"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
    const CkptSpecNamespace *found = NULL;
    for (size_t k = 0; k < ci->n_spec_namespaces; k++)
      if (ci->spec_namespaces[k].type &&
          strcmp(ci->spec_namespaces[k].type, kinds[i].type) == 0)
        found = &ci->spec_namespaces[k];
    char ev[600];
    const char *path = found ? found->path : NULL;
    int host = !found || (path && strncmp(path, "/proc/1/ns/", 11) == 0);
    if (found && !path)
      continue;
    if (!found)
      snprintf(ev, sizeof ev,
               "spec.dump linux.namespaces has no %s namespace: the "
               "container shares %s",
               kinds[i].type, kinds[i].what);
    else
      snprintf(ev, sizeof ev, "spec.dump linux.namespaces: %s joins %s%s",
               kinds[i].type, path, host ? ", the host's init's" : "");
    det_emit(out, "host-namespace", host ? kinds[i].sev : CKPT_SEV_INFO,
             host ? "container shares a namespace with the host"
                  : "container joins an existing namespace",
             0, -1, 0, NULL, ev, "T1611",
             "a namespace shared with the host takes away the wall between "
             "the container and the node",
             "ckpt inspect --details");
  }
}

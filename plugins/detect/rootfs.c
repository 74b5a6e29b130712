/* rootfs.c - detectors over the files the container added or changed in
 * its root file system (rootfs-diff.tar): ld-so-preload, uid0-account,
 * authorized-keys, cron-change, system-binary-changed, and from each
 * member's mode setuid-file. */
#include <stdio.h>
#include <string.h>

#include "detectors.h"

static int
has_prefix(const char *s, const char *p)
{
  return strncmp(s, p, strlen(p)) == 0;
}

static int
has_suffix(const char *s, const char *x)
{
  size_t n = strlen(s), k = strlen(x);
  return n >= k && strcmp(s + n - k, x) == 0;
}

/* first line of data with its control bytes shown as '.', into buf */
static void
first_line(const uint8_t *data, size_t len, char *buf, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < len && k + 1 < n && data[i] != '\n'; i++)
    buf[k++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '.';
  buf[k] = '\0';
}

/* /etc/passwd lines with uid 0 whose name is not root, or root without a
 * password; returns how many were reported */
static void
passwd(const char *path, const uint8_t *data, size_t len, const DetSink *out)
{
  size_t i = 0;
  while (i < len) {
    size_t e = i;
    while (e < len && data[e] != '\n')
      e++;
    char line[512];
    size_t n = e - i < sizeof line - 1 ? e - i : sizeof line - 1;
    memcpy(line, data + i, n);
    line[n] = '\0';
    i = e + 1;
    /* name:password:uid:gid:gecos:home:shell */
    char *f[7] = {0};
    char *c = line;
    for (int k = 0; k < 7 && c; k++) {
      f[k] = c;
      c = strchr(c, ':');
      if (c)
        *c++ = '\0';
    }
    if (!f[2] || strcmp(f[2], "0") != 0)
      continue;
    int other = strcmp(f[0], "root") != 0;
    int open = f[1] && f[1][0] == '\0';
    if (!other && !open)
      continue;
    char ev[600];
    snprintf(ev, sizeof ev, "%s: %s with uid 0%s", path, f[0],
             open ? " and no password" : "");
    det_emit(out, "uid0-account", other ? CKPT_SEV_CRITICAL : CKPT_SEV_HIGH,
             other ? "an account other than root with uid 0"
                   : "root account without a password",
             0, -1, 0, path, ev, "T1136.001",
             "a second uid-0 account, or a root that needs no password, is a "
             "way back in with full rights",
             "ckpt rootfs FILE");
  }
}

/* system-binary-changed: one file (path), or the count of those past
 * DET_MAX_SYSTEM_FILES (path NULL) */
static void
system_binary_changed(const DetSink *out, const char *title, const char *path,
                      const char *ev)
{
  det_emit(out, "system-binary-changed", CKPT_SEV_MEDIUM, title, 0, -1, 0, path,
           ev, "T1554",
           "system programs and libraries do not change in a running "
           "container unless something replaced them",
           "ckpt rootfs FILE");
}

void
det_rootfs_file_st(DetRootfsState *st, const char *path, const uint8_t *data,
                   size_t len, uint64_t full_size, const DetSink *out)
{
  char ev[600], line[256];
  if (strcmp(path, "/etc/ld.so.preload") == 0) {
    first_line(data, len, line, sizeof line);
    snprintf(ev, sizeof ev, "%s (%llu bytes): %s", path,
             (unsigned long long)full_size, line);
    det_emit(
        out, "ld-so-preload", full_size ? CKPT_SEV_CRITICAL : CKPT_SEV_MEDIUM,
        "/etc/ld.so.preload added or changed", 0, -1, 0, path, ev, "T1574.006",
        "every dynamically linked program loads the libraries it names "
        "first: the classic userland rootkit hook",
        "ckpt rootfs FILE");
  }
  if (strcmp(path, "/etc/passwd") == 0)
    passwd(path, data, len, out);
  if (has_suffix(path, "/authorized_keys") ||
      has_suffix(path, "/authorized_keys2")) {
    first_line(data, len, line, sizeof line);
    snprintf(ev, sizeof ev, "%s: %s", path, line);
    det_emit(out, "authorized-keys", CKPT_SEV_HIGH,
             "SSH authorized_keys added or changed", 0, -1, 0, path, ev,
             "T1098.004",
             "a key in authorized_keys lets its holder log in without a "
             "password",
             "ckpt rootfs FILE");
  }
  if (has_prefix(path, "/etc/cron") || has_prefix(path, "/var/spool/cron/") ||
      strcmp(path, "/etc/anacrontab") == 0) {
    first_line(data, len, line, sizeof line);
    snprintf(ev, sizeof ev, "%s: %s", path, line);
    det_emit(out, "cron-change", CKPT_SEV_HIGH,
             "scheduled job added or changed", 0, -1, 0, path, ev, "T1053.003",
             "cron runs what it is given again and again, surviving the "
             "process that planted it",
             "ckpt rootfs FILE");
  }
  static const char *const system_dirs[] = {
      "/bin/", "/sbin/", "/usr/", "/lib/", "/lib32/", "/lib64/", NULL};
  for (size_t i = 0; system_dirs[i]; i++) {
    if (!has_prefix(path, system_dirs[i]))
      continue;
    if (++st->system_files > DET_MAX_SYSTEM_FILES)
      break;
    int elf = len >= 4 && memcmp(data, "\177ELF", 4) == 0;
    snprintf(ev, sizeof ev, "%s (%llu bytes%s)", path,
             (unsigned long long)full_size, elf ? ", ELF" : "");
    system_binary_changed(out, "file under a system directory added or changed",
                          path, ev);
    break;
  }
}

void
det_rootfs_end(DetRootfsState *st, const DetSink *out)
{
  if (st->system_files <= DET_MAX_SYSTEM_FILES)
    return;
  char ev[128];
  snprintf(ev, sizeof ev, "%u more files under system directories",
           st->system_files - DET_MAX_SYSTEM_FILES);
  system_binary_changed(
      out, "more files under system directories added or changed", NULL, ev);
}

void
det_rootfs_file(const char *path, const uint8_t *data, size_t len,
                uint64_t full_size, const DetSink *out)
{
  DetRootfsState st = {0};
  det_rootfs_file_st(&st, path, data, len, full_size, out);
}

/* A setuid or setgid program among the members. The diff holds what the
 * container added or changed, so a set-id bit here was set at run time (or
 * the file was replaced). Programs under the system directories are what
 * a package installed at run time would bring (sudo, passwd, mount), so
 * they are medium; a setuid-root program anywhere else is the classic way
 * back to root after a foothold, high. A set-id bit on a file nobody may
 * execute grants nothing (and setgid without group execute is mandatory
 * locking), so those are left out. */
void
det_rootfs_entry(const CkptDiffEntryInfo *e, const uint8_t *data, size_t len,
                 const DetSink *out)
{
  if (!e || !e->path ||
      (e->kind != CKPT_DIFF_REG && e->kind != CKPT_DIFF_HARDLINK))
    return;
  int suid = (e->mode & 04000) && (e->mode & 0111);
  int sgid = (e->mode & 02000) && (e->mode & 0010);
  if (!suid && !sgid)
    return;
  static const char *const system_dirs[] = {
      "/bin/",     "/sbin/",        "/usr/bin/",   "/usr/sbin/",
      "/usr/lib/", "/usr/libexec/", "/lib/",       "/lib32/",
      "/lib64/",   "/usr/lib32/",   "/usr/lib64/", NULL};
  int system = 0;
  for (size_t i = 0; system_dirs[i]; i++)
    system |= has_prefix(e->path, system_dirs[i]);
  int root = suid && e->uid == 0;
  CkptSeverity sev = root && !system ? CKPT_SEV_HIGH : CKPT_SEV_MEDIUM;
  int elf = len >= 4 && memcmp(data, "\177ELF", 4) == 0;
  char ev[600];
  snprintf(ev, sizeof ev, "%s: mode %#o, owner %u:%u%s%s%s, %llu bytes%s%s%s",
           e->path, (unsigned)(e->mode & 07777), (unsigned)e->uid,
           (unsigned)e->gid, e->uname ? " (" : "", e->uname ? e->uname : "",
           e->uname ? ")" : "", (unsigned long long)e->full_size,
           elf ? ", ELF" : "", e->link ? ", hard link to " : "",
           e->link ? e->link : "");
  det_emit(out, "setuid-file", sev,
           suid ? "setuid program added or changed"
                : "setgid program added or changed",
           0, -1, 0, e->path, ev, "T1548.001",
           "a set-id program runs with its owner's rights whoever starts it: "
           "a root shell copied and made setuid is a way back to root",
           "ckpt rootfs FILE");
}

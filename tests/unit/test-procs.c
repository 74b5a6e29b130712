/* test-procs.c - the process stage against every fixture: the model's
 * processes, threads, credentials, VMAs and page counts compared with crit's
 * decode of the same images (tests/fixtures/oracle), the workload's known
 * process tree, and broken copies of the real images that must fail with a
 * clear error.
 */
#include <glib.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fixture.h"
#include "criu/image.h"
#include "model/model.h"

#include "core.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pstree.pb-c.h"

#define PAGE 4096u

/* ---- the oracle --------------------------------------------------------- */

/* crit prints some numbers as "0x..." text, others as JSON numbers. */
static uint64_t
num(JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member(o, member);
  g_assert_nonnull(n);
  if (json_node_get_value_type(n) == G_TYPE_STRING)
    return g_ascii_strtoull(json_node_get_string(n), NULL, 0);
  return (uint64_t)json_node_get_int(n);
}

static uint64_t
num_or(JsonObject *o, const char *member, uint64_t dflt)
{
  return json_object_has_member(o, member) ? num(o, member) : dflt;
}

/* crit's task_state names are its own ({1: Alive, 3: Zombie, 6: Stopped});
 * the raw values are CRIU's (3 is TASK_STOPPED, 2 a zombie). */
static uint64_t
task_state_value(JsonObject *tc)
{
  JsonNode *n = json_object_get_member(tc, "task_state");
  if (json_node_get_value_type(n) != G_TYPE_STRING)
    return (uint64_t)json_node_get_int(n);
  const char *s = json_node_get_string(n);
  if (g_str_equal(s, "Alive"))
    return 1;
  if (g_str_equal(s, "Zombie"))
    return 3;
  if (g_str_equal(s, "Stopped"))
    return 6;
  g_assert_not_reached();
}

static CkptProcState
expected_state(uint64_t v)
{
  switch (v) {
  case 1:
    return CKPT_PROC_ALIVE;
  case 3:
    return CKPT_PROC_STOPPED;
  case 2:
  case 6:
    return CKPT_PROC_ZOMBIE;
  }
  g_assert_not_reached();
}

static uint64_t
caps(JsonObject *creds, const char *member)
{
  JsonArray *a = json_object_get_array_member(creds, member);
  uint64_t v = 0;
  if (a && json_array_get_length(a) > 0)
    v |= (uint64_t)json_array_get_int_element(a, 0);
  if (a && json_array_get_length(a) > 1)
    v |= (uint64_t)json_array_get_int_element(a, 1) << 32;
  return v;
}

static uint32_t
le32_at(const uint8_t *d)
{
  return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
         (uint32_t)d[3] << 24;
}

/* Every thread's FXSAVE area and YMM upper halves against crit's fpregs,
 * and the saved auxv against mm-PID.img's mm_saved_auxv. */
static void
compare_fpu_auxv(const char *dir, const CkptProcess *p)
{
  for (size_t t = 0; t < p->info.n_threads; t++) {
    g_autoptr(JsonParser) jp = NULL;
    g_autofree char *name = g_strdup_printf("core-%u.img", p->threads[t].tid);
    JsonArray *e = fixture_oracle_entries(&jp, dir, name);
    JsonObject *c0 = e ? json_array_get_object_element(e, 0) : NULL;
    JsonObject *ti = c0 && json_object_has_member(c0, "thread_info")
                         ? json_object_get_object_member(c0, "thread_info")
                         : NULL;
    if (ti == NULL || !json_object_has_member(ti, "fpregs")) {
      g_assert_cmpuint(p->fpu[t].size, ==, 0);
      continue;
    }
    JsonObject *fp = json_object_get_object_member(ti, "fpregs");
    const CkptThreadFpu *f = &p->fpu[t];
    g_assert_cmpuint(f->size, ==, sizeof(*f));
    g_assert_cmphex(f->fxsave[0] | f->fxsave[1] << 8, ==, num(fp, "cwd"));
    g_assert_cmphex(le32_at(f->fxsave + 24), ==, num(fp, "mxcsr"));
    g_assert_cmphex(le32_at(f->fxsave + 28), ==, num(fp, "mxcsr_mask"));
    JsonArray *xmm = json_object_get_array_member(fp, "xmm_space");
    for (guint i = 0; i < json_array_get_length(xmm) && i < 64; i++)
      g_assert_cmphex(le32_at(f->fxsave + 160 + 4 * i), ==,
                      (uint32_t)json_array_get_int_element(xmm, i));
    JsonArray *st = json_object_get_array_member(fp, "st_space");
    for (guint i = 0; i < json_array_get_length(st) && i < 32; i++)
      g_assert_cmphex(le32_at(f->fxsave + 32 + 4 * i), ==,
                      (uint32_t)json_array_get_int_element(st, i));
    if (json_object_has_member(fp, "xsave")) {
      JsonObject *x = json_object_get_object_member(fp, "xsave");
      g_assert_cmphex(f->xstate_bv, ==, num(x, "xstate_bv"));
      JsonArray *y = json_object_get_array_member(x, "ymmh_space");
      g_assert_cmpint(f->has_ymmh, ==, json_array_get_length(y) > 0);
      for (guint i = 0; i < json_array_get_length(y) && i < 64; i++)
        g_assert_cmphex(le32_at(f->ymmh + 4 * i), ==,
                        (uint32_t)json_array_get_int_element(y, i));
    }
  }
  if (!p->info.has_mm)
    return;
  g_autoptr(JsonParser) jp = NULL;
  g_autofree char *mm = g_strdup_printf("mm-%u.img", p->info.pid);
  JsonArray *e = fixture_oracle_entries(&jp, dir, mm);
  g_assert_nonnull(e);
  JsonObject *o = json_array_get_object_element(e, 0);
  JsonArray *a = json_object_get_array_member(o, "mm_saved_auxv");
  g_assert_nonnull(a);
  g_assert_cmpuint(p->n_auxv, ==, json_array_get_length(a) & ~1u);
  for (guint i = 0; i < p->n_auxv; i++) {
    JsonNode *n = json_array_get_element(a, i);
    uint64_t want =
        JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
            ? g_ascii_strtoull(json_node_get_string(n), NULL, 0)
            : (uint64_t)json_node_get_int(n);
    g_assert_cmphex(p->auxv[i], ==, want);
  }
}

static void
compare_core(const char *dir, const CkptProcess *p)
{
  compare_fpu_auxv(dir, p);
  g_autoptr(JsonParser) jp = NULL;
  g_autofree char *name = g_strdup_printf("core-%u.img", p->info.pid);
  JsonArray *e = fixture_oracle_entries(&jp, dir, name);
  g_assert_nonnull(e);
  JsonObject *core = json_array_get_object_element(e, 0);
  JsonObject *tc = json_object_get_object_member(core, "tc");

  g_assert_cmpstr(p->info.comm, ==, json_object_get_string_member(tc, "comm"));
  uint64_t st = task_state_value(tc);
  g_assert_cmpint(p->info.state, ==, expected_state(st));
  if (p->info.state == CKPT_PROC_ZOMBIE)
    g_assert_cmpint(p->info.exit_code, ==, (num(tc, "exit_code") >> 8) & 0xff);
  else
    g_assert_cmpint(p->info.exit_code, ==, 0);
  g_assert_cmpint(p->info.personality, ==, num(tc, "personality"));

  if (!json_object_has_member(core, "thread_core"))
    return;
  JsonObject *th = json_object_get_object_member(core, "thread_core");
  JsonObject *cr = json_object_get_object_member(th, "creds");
  g_assert_cmpuint(p->info.uid, ==, num(cr, "uid"));
  g_assert_cmpuint(p->info.euid, ==, num(cr, "euid"));
  g_assert_cmpuint(p->info.gid, ==, num(cr, "gid"));
  g_assert_cmpuint(p->info.fsgid, ==, num(cr, "fsgid"));
  g_assert_cmphex(p->info.cap_eff, ==, caps(cr, "cap_eff"));
  g_assert_cmphex(p->info.cap_prm, ==, caps(cr, "cap_prm"));
  g_assert_cmphex(p->info.cap_bnd, ==, caps(cr, "cap_bnd"));
  g_assert_cmphex(p->info.cap_inh, ==, caps(cr, "cap_inh"));
  g_assert_cmphex(p->info.cap_amb, ==, caps(cr, "cap_amb"));
  if (json_object_has_member(th, "seccomp_mode")) {
    const char *m = json_object_get_string_member(th, "seccomp_mode");
    int want = g_str_equal(m, "filter") ? 2 : g_str_equal(m, "strict") ? 1 : 0;
    g_assert_cmpint(p->info.seccomp_mode, ==, want);
  }
}

static void
compare_thread(const char *dir, const CkptThreadInfo *t)
{
  g_autoptr(JsonParser) jp = NULL;
  g_autofree char *name = g_strdup_printf("core-%u.img", t->tid);
  JsonArray *e = fixture_oracle_entries(&jp, dir, name);
  g_assert_nonnull(e);
  JsonObject *core = json_array_get_object_element(e, 0);
  JsonObject *ti = json_object_get_object_member(core, "thread_info");
  JsonObject *regs = json_object_get_object_member(ti, "gpregs");
  g_assert_true(t->has_regs);
  g_assert_cmphex(t->regs.ip, ==, num(regs, "ip"));
  g_assert_cmphex(t->regs.sp, ==, num(regs, "sp"));
  g_assert_cmphex(t->regs.ax, ==, num(regs, "ax"));
  g_assert_cmphex(t->regs.r15, ==, num(regs, "r15"));
  g_assert_cmphex(t->regs.fs_base, ==, num(regs, "fs_base"));
  g_assert_cmphex(t->regs.gs, ==, num(regs, "gs"));
  JsonObject *th = json_object_get_object_member(core, "thread_core");
  if (json_object_has_member(th, "comm"))
    g_assert_cmpstr(t->comm, ==, json_object_get_string_member(th, "comm"));
}

static void
compare_mm(const char *dir, const CkptProcess *p)
{
  g_autoptr(JsonParser) jp = NULL;
  g_autofree char *name = g_strdup_printf("mm-%u.img", p->info.pid);
  JsonArray *e = fixture_oracle_entries(&jp, dir, name);
  if (e == NULL) {
    g_assert_false(p->info.has_mm);
    g_assert_cmpuint(p->n_vmas, ==, 0);
    return;
  }
  g_assert_true(p->info.has_mm);
  JsonObject *mm = json_array_get_object_element(e, 0);
  g_assert_cmphex(p->info.mm_start_code, ==, num(mm, "mm_start_code"));
  g_assert_cmphex(p->info.mm_brk, ==, num(mm, "mm_brk"));
  g_assert_cmphex(p->info.mm_start_stack, ==, num(mm, "mm_start_stack"));
  g_assert_cmphex(p->info.mm_arg_start, ==, num(mm, "mm_arg_start"));
  g_assert_cmphex(p->info.mm_env_end, ==, num(mm, "mm_env_end"));
  g_assert_cmpuint(p->exe_file_id, ==, num(mm, "exe_file_id"));
  JsonArray *vmas = json_object_get_array_member(mm, "vmas");
  g_assert_cmpuint(p->n_vmas, ==, json_array_get_length(vmas));
  for (size_t i = 0; i < p->n_vmas; i++) {
    JsonObject *v = json_array_get_object_element(vmas, (guint)i);
    g_assert_cmphex(p->vmas[i].info.start, ==, num(v, "start"));
    g_assert_cmphex(p->vmas[i].info.end, ==, num(v, "end"));
    g_assert_cmpuint(p->vmas[i].info.pgoff, ==, num(v, "pgoff"));
    g_assert_cmpuint(p->vmas[i].shmid, ==, num(v, "shmid"));
    const char *status = json_object_get_string_member(v, "status");
    if (strstr(status, "VMA_AREA_HEAP"))
      g_assert_cmpstr(p->vmas[i].info.label, ==, "heap");
    if (strstr(status, "VMA_AREA_VDSO"))
      g_assert_cmpint(p->vmas[i].info.kind, ==, CKPT_VMA_VDSO);
    if (strstr(status, "VMA_AREA_VVAR"))
      g_assert_cmpint(p->vmas[i].info.kind, ==, CKPT_VMA_VVAR);
    if (strstr(status, "VMA_AREA_VSYSCALL"))
      g_assert_cmpint(p->vmas[i].info.kind, ==, CKPT_VMA_VSYSCALL);
    if (strstr(status, "VMA_FILE_PRIVATE"))
      g_assert_cmpint(p->vmas[i].info.kind, ==, CKPT_VMA_FILE);
  }
}

/* Bytes of present pages by crit's reading of the pagemap, with CRIU's
 * rules for each form (field 5 or 2; no flags means present). */
static uint64_t
oracle_present(const char *dir, uint32_t pid, uint32_t *pages_id)
{
  g_autoptr(JsonParser) jp = NULL;
  g_autofree char *name = g_strdup_printf("pagemap-%u.img", pid);
  JsonArray *e = fixture_oracle_entries(&jp, dir, name);
  if (e == NULL)
    return 0;
  *pages_id = (uint32_t)num(json_array_get_object_element(e, 0), "pages_id");
  uint64_t bytes = 0;
  for (guint i = 1; i < json_array_get_length(e); i++) {
    JsonObject *pe = json_array_get_object_element(e, i);
    uint64_t nr = num_or(pe, "nr_pages", num(pe, "compat_nr_pages"));
    const char *flags = json_object_has_member(pe, "flags")
                            ? json_object_get_string_member(pe, "flags")
                            : "PE_PRESENT";
    if (strstr(flags, "PE_PRESENT"))
      bytes += nr * PAGE;
  }
  return bytes;
}

static void
compare_fixture(gconstpointer data)
{
  const char *const *fx = data;
  const char *dir = fx[1];
  g_autoptr(CkptCheckpoint) c = fixture_open(fx[0]);
  g_autoptr(JsonParser) jp = NULL;
  JsonArray *tree = fixture_oracle_entries(&jp, dir, "pstree.img");
  g_assert_nonnull(tree);

  g_assert_cmpuint(c->n_procs, ==, json_array_get_length(tree));
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    JsonObject *pe = json_array_get_object_element(tree, (guint)i);
    g_assert_cmpuint(p->info.size, ==, sizeof(CkptProcessInfo));
    g_assert_cmpuint(p->info.pid, ==, num(pe, "pid"));
    g_assert_cmpuint(p->info.ppid, ==, num(pe, "ppid"));
    g_assert_cmpuint(p->info.pgid, ==, num(pe, "pgid"));
    g_assert_cmpuint(p->info.sid, ==, num(pe, "sid"));
    g_assert_true(ckpt_checkpoint_process(c, p->info.pid) == p);
    compare_core(dir, p);

    JsonArray *threads = json_object_get_array_member(pe, "threads");
    if (p->info.state == CKPT_PROC_ZOMBIE) {
      /* CRIU writes a garbage thread id for zombies */
      g_assert_cmpuint(p->info.n_threads, ==, 1);
      g_assert_cmpuint(p->threads[0].tid, ==, p->info.pid);
      g_assert_false(p->threads[0].has_regs);
    } else {
      g_assert_cmpuint(p->info.n_threads, ==, json_array_get_length(threads));
      for (size_t t = 0; t < p->info.n_threads; t++) {
        g_assert_cmpuint(p->threads[t].tid, ==,
                         json_array_get_int_element(threads, (guint)t));
        compare_thread(dir, &p->threads[t]);
      }
    }
    compare_mm(dir, p);
    uint32_t pages_id = 0;
    g_assert_cmpuint(p->info.mem_present, ==,
                     oracle_present(dir, p->info.pid, &pages_id));
    if (p->info.has_mm)
      g_assert_cmpuint(p->pages_id, ==, pages_id);
  }
}

/* ---- the workload's known shape ----------------------------------------- */

static void
test_workload_tree(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  g_assert_cmpuint(c->n_procs, ==, 4);

  const CkptProcess *main_p = ckpt_checkpoint_process(c, 1);
  g_assert_nonnull(main_p);
  g_assert_cmpint(main_p->info.state, ==, CKPT_PROC_ALIVE);
  g_assert_cmpuint(main_p->info.n_threads, ==, 2);
  g_assert_cmpstr(main_p->threads[1].comm, ==, "ckpt-thread");
  /* the thread inherited SIGUSR1 blocked (bit 10 - 1 = 9) */
  g_assert_cmphex(main_p->threads[1].blk_sigset & 0x200, ==, 0x200);
  g_assert_nonnull(main_p->info.cgroup);
  g_assert_true(g_str_has_prefix(main_p->info.cgroup, "/"));
  g_assert_true(main_p->has_fs_ids);
  g_assert_cmpuint(main_p->ids_files_id, !=, 0);
  g_assert_cmpuint(main_p->net_ns_id, !=, 0);

  const char *const want_argv[] = {"/app/workload", "--config=/app/config.env",
                                   "--listen=0.0.0.0:8080", NULL};
  g_assert_cmpstrv(main_p->info.argv, want_argv);
  g_assert_cmpstr(main_p->info.cmdline, ==,
                  "/app/workload --config=/app/config.env "
                  "--listen=0.0.0.0:8080");
  g_autofree char *env_path = fixture_path("env.txt");
  g_autofree char *env_txt = NULL;
  g_assert_true(g_file_get_contents(env_path, &env_txt, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(env_txt, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      g_assert_true(g_strv_contains(main_p->info.envp, *l));
  /* set at run time with setenv(): in the heap, not in the env area */
  for (const char *const *e = main_p->info.envp; *e; e++)
    g_assert_false(g_str_has_prefix(*e, "SESSION_SECRET="));

  const CkptProcess *stopped = ckpt_checkpoint_process(c, 2);
  g_assert_cmpint(stopped->info.state, ==, CKPT_PROC_STOPPED);
  g_assert_cmpstr(stopped->info.comm, ==, "ckpt-stopped");
  g_assert_true(stopped->info.has_mm);

  const CkptProcess *zombie = ckpt_checkpoint_process(c, 3);
  g_assert_cmpint(zombie->info.state, ==, CKPT_PROC_ZOMBIE);
  g_assert_cmpint(zombie->info.exit_code, ==, 7);
  g_assert_cmpstr(zombie->info.comm, ==, "ckpt-zombie");
  g_assert_false(zombie->info.has_mm);
  g_assert_cmpuint(zombie->n_vmas, ==, 0);
  g_assert_cmpuint(zombie->info.mem_present, ==, 0);
  g_assert_nonnull(zombie->info.argv);
  g_assert_null(zombie->info.argv[0]);

  /* nginx-style title: the argv area rewritten and padded with NULs */
  const CkptProcess *worker = ckpt_checkpoint_process(c, 5);
  g_assert_cmpstr(worker->info.cmdline, ==, "ckpt-worker: idle");
  g_assert_cmpstr(worker->info.argv[0], ==, "ckpt-worker: idle");
  g_assert_null(worker->info.argv[1]);
  g_assert_true(g_strv_contains(worker->info.envp,
                                "DATABASE_URL=postgres://app:S3cretPass@"
                                "db:5432/app"));

  /* VMA labels of the main process: heap, stack, vdso, vvar, vsyscall */
  gboolean seen[CKPT_VMA_OTHER + 1] = {0};
  for (size_t i = 0; i < main_p->n_vmas; i++) {
    const CkptVmaInfo *v = &main_p->vmas[i].info;
    seen[v->kind] = TRUE;
    g_assert_nonnull(v->label);
    if (v->kind == CKPT_VMA_STACK)
      g_assert_true(main_p->info.mm_start_stack >= v->start &&
                    main_p->info.mm_start_stack < v->end);
  }
  g_assert_true(seen[CKPT_VMA_HEAP] && seen[CKPT_VMA_STACK] &&
                seen[CKPT_VMA_VDSO] && seen[CKPT_VMA_VVAR] &&
                seen[CKPT_VMA_VSYSCALL] && seen[CKPT_VMA_FILE] &&
                seen[CKPT_VMA_ANON]);
}

/* The CRIU 3.x-form copy must give exactly the same memory. */
static void
test_criu3_same_memory(void)
{
  g_autoptr(CkptCheckpoint) a = fixture_open("podman-none.tar");
  g_autoptr(CkptCheckpoint) b = fixture_open("podman-none-criu3.tar");
  g_assert_cmpuint(a->n_procs, ==, b->n_procs);
  for (size_t i = 0; i < a->n_procs; i++) {
    const CkptProcess *p = &a->procs[i], *q = &b->procs[i];
    g_assert_cmpuint(p->info.mem_present, ==, q->info.mem_present);
    g_assert_cmpuint(p->n_pages, ==, q->n_pages);
    CkptMemIter *x = ckpt_mem_iter_new(p), *y = ckpt_mem_iter_new(q);
    CkptMemBlock bx, by;
    size_t n = 0;
    while (ckpt_mem_iter_next(x, &bx)) {
      g_assert_true(ckpt_mem_iter_next(y, &by));
      g_assert_cmphex(bx.addr, ==, by.addr);
      g_assert_cmpuint(bx.len, ==, by.len);
      g_assert_true(memcmp(bx.data, by.data, bx.len) == 0);
      n++;
    }
    g_assert_false(ckpt_mem_iter_next(y, &by));
    if (p->info.has_mm)
      g_assert_cmpuint(n, >, 0);
    ckpt_mem_iter_free(x);
    ckpt_mem_iter_free(y);
  }
}

/* ---- broken copies of the real images ----------------------------------- */

/* Rewrites pstree.img so that the given pids have the given parents. */
static void
write_pstree(Scratch *s, const uint32_t (*pp)[2], size_t n)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  fixture_put_u32(b, CKPT_IMG_COMMON_MAGIC);
  fixture_put_u32(b, 0x50273030u);
  for (size_t i = 0; i < n; i++) {
    PstreeEntry e = PSTREE_ENTRY__INIT;
    uint32_t tid = pp[i][0];
    e.pid = pp[i][0];
    e.ppid = pp[i][1];
    e.pgid = e.sid = 1;
    e.n_threads = 1;
    e.threads = &tid;
    fixture_put_msg(b, &e.base);
  }
  fixture_write_file(s->dir, "pstree.img", b->data, b->len);
}

static void
test_bad_pid_cycle(Scratch *s, gconstpointer data)
{
  /* 1 -> 2 -> 5 -> 2: the tree is not a tree */
  const uint32_t pp[][2] = {{1, 0}, {2, 5}, {5, 2}};
  write_pstree(s, pp, G_N_ELEMENTS(pp));
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pstree.img",
                            "cycle", NULL);
}

static void
test_bad_duplicate_pid(Scratch *s, gconstpointer data)
{
  const uint32_t pp[][2] = {{1, 0}, {2, 1}, {2, 1}};
  write_pstree(s, pp, G_N_ELEMENTS(pp));
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pstree.img",
                            "repeats pid 2", NULL);
}

static void
test_bad_too_many_processes(Scratch *s, gconstpointer data)
{
  CkptLimits limits;
  ckpt_limits_init(&limits);
  limits.max_processes = 2;
  fixture_expect_open_error(s->dir, &limits, CKPT_ERROR_LIMIT, "pstree.img",
                            "max-processes", NULL);
}

static void
test_bad_truncated_core(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "core-1.img");
  g_byte_array_set_size(b, b->len / 2);
  fixture_write_file(s->dir, "core-1.img", b->data, b->len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "core-1.img",
                            NULL);
}

static void
test_bad_missing_core(Scratch *s, gconstpointer data)
{
  g_autofree char *p = g_build_filename(s->dir, "core-5.img", NULL);
  g_assert_cmpint(g_unlink(p), ==, 0);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_MISSING, "core-5.img",
                            NULL);
}

/* Rewrites pagemap-1.img with entry `index` changed by edit. */
static void
edit_pagemap(Scratch *s, size_t index, void (*edit)(PagemapEntry *e))
{
  g_autoptr(GByteArray) in = fixture_read_file(s->dir, "pagemap-1.img");
  g_autoptr(GByteArray) out = g_byte_array_new();
  CkptImageReader r;
  const uint8_t *entry;
  size_t len;
  g_assert_true(
      ckpt_image_open(&r, "pagemap-1.img", in->data, in->len, 0, 0, 0, NULL));
  g_byte_array_append(out, in->data, (guint)(r.p - r.base));
  for (size_t i = 0; ckpt_image_next(&r, &entry, &len, NULL) > 0; i++) {
    if (i == 0 || i - 1 != index) {
      fixture_put_u32(out, (uint32_t)len);
      g_byte_array_append(out, entry, (guint)len);
      continue;
    }
    PagemapEntry *e = pagemap_entry__unpack(NULL, len, entry);
    g_assert_nonnull(e);
    edit(e);
    fixture_put_msg(out, &e->base);
    pagemap_entry__free_unpacked(e, NULL);
  }
  fixture_write_file(s->dir, "pagemap-1.img", out->data, out->len);
}

static size_t
n_pagemap_entries(Scratch *s)
{
  g_autoptr(GByteArray) in = fixture_read_file(s->dir, "pagemap-1.img");
  CkptImageReader r;
  const uint8_t *entry;
  size_t len, n = 0;
  g_assert_true(
      ckpt_image_open(&r, "pagemap-1.img", in->data, in->len, 0, 0, 0, NULL));
  while (ckpt_image_next(&r, &entry, &len, NULL) > 0)
    n++;
  return n - 1; /* the head */
}

static void
grow_by_one(PagemapEntry *e)
{
  e->has_flags = TRUE;
  e->flags = 4; /* PE_PRESENT */
  if (e->has_nr_pages)
    e->nr_pages += 1;
  else
    e->compat_nr_pages += 1;
}

static void
test_bad_pages_past_end(Scratch *s, gconstpointer data)
{
  /* the last entry one page longer: its bytes run past the pages file */
  size_t last = n_pagemap_entries(s) - 1;
  edit_pagemap(s, last, grow_by_one);
  g_autofree char *idx = g_strdup_printf("entry %zu", last);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            idx, "pages file", NULL);
}

static void
absurd_count(PagemapEntry *e)
{
  e->has_nr_pages = TRUE;
  e->nr_pages = G_GUINT64_CONSTANT(1) << 60;
}

static void
test_bad_absurd_nr_pages(Scratch *s, gconstpointer data)
{
  edit_pagemap(s, 0, absurd_count);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            "entry 0", "1152921504606846976", NULL);
}

static void
misalign(PagemapEntry *e)
{
  e->vaddr += 12;
}

static void
test_bad_unaligned_vaddr(Scratch *s, gconstpointer data)
{
  edit_pagemap(s, 1, misalign);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            "entry 1", "page-aligned", NULL);
}

static void
move_back(PagemapEntry *e)
{
  e->vaddr = 0x1000;
}

static void
test_bad_unsorted_pagemap(Scratch *s, gconstpointer data)
{
  edit_pagemap(s, 2, move_back);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            "entry 2", "precedes", NULL);
}

static void
test_bad_truncated_pagemap(Scratch *s, gconstpointer data)
{
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, "pagemap-1.img");
  g_byte_array_set_size(b, b->len - 3);
  fixture_write_file(s->dir, "pagemap-1.img", b->data, b->len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            NULL);
}

static void
test_bad_truncated_pages(Scratch *s, gconstpointer data)
{
  /* pid 1's pages file, whichever it is, cut by one page */
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_autofree char *name =
      g_strdup_printf("pages-%u.img", ckpt_checkpoint_process(c, 1)->pages_id);
  g_autoptr(GByteArray) b = fixture_read_file(s->dir, name);
  g_byte_array_set_size(b, b->len - PAGE);
  fixture_write_file(s->dir, name, b->data, b->len);
  fixture_expect_open_error(s->dir, NULL, CKPT_ERROR_FORMAT, "pagemap-1.img",
                            "only", NULL);
}

/* Rewrites the one entry of image name (after its head) with edit. */
static void
edit_single(Scratch *s, const char *name, const ProtobufCMessageDescriptor *d,
            void (*edit)(ProtobufCMessage *m))
{
  g_autoptr(GByteArray) in = fixture_read_file(s->dir, name);
  g_autoptr(GByteArray) out = g_byte_array_new();
  CkptImageReader r;
  const uint8_t *entry;
  size_t len;
  g_assert_true(ckpt_image_open(&r, name, in->data, in->len, 0, 0, 0, NULL));
  g_byte_array_append(out, in->data, (guint)(r.p - r.base));
  g_assert_cmpint(ckpt_image_next(&r, &entry, &len, NULL), >, 0);
  ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, entry);
  g_assert_nonnull(m);
  edit(m);
  fixture_put_msg(out, m);
  protobuf_c_message_free_unpacked(m, NULL);
  fixture_write_file(s->dir, name, out->data, out->len);
}

/* Edits swap in arrays from malloc(), protobuf-c's own allocator, and
 * free the ones they replace, so free_unpacked() stays right. */
static void
auxv_too_long(ProtobufCMessage *m)
{
  MmEntry *mm = (MmEntry *)m;
  uint64_t *a = malloc(1000 * sizeof(*a));
  for (size_t i = 0; i < 1000; i++)
    a[i] = i;
  free(mm->mm_saved_auxv);
  mm->mm_saved_auxv = a;
  mm->n_mm_saved_auxv = 1000;
}

static void
test_bad_auxv_too_long(Scratch *s, gconstpointer data)
{
  edit_single(s, "mm-1.img", &mm_entry__descriptor, auxv_too_long);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(s->dir, NULL, &error);
  g_assert_no_error(error);
  const CkptProcess *p = ckpt_checkpoint_process(c, 1);
  g_assert_null(p->auxv);
  g_assert_cmpuint(p->n_auxv, ==, 0);
  g_assert_true(fixture_has_warning(c, "mm_saved_auxv has 1000 words"));
}

static uint32_t *
long_words(uint32_t *old, size_t *n)
{
  uint32_t *w = malloc(10000 * sizeof(*w));
  for (size_t i = 0; i < 10000; i++)
    w[i] = 0xa5a5a5a5u;
  free(old);
  *n = 10000;
  return w;
}

static void
fpregs_too_long(ProtobufCMessage *m)
{
  UserX86FpregsEntry *f = ((CoreEntry *)m)->thread_info->fpregs;
  f->st_space = long_words(f->st_space, &f->n_st_space);
  f->xmm_space = long_words(f->xmm_space, &f->n_xmm_space);
  f->xsave->ymmh_space =
      long_words(f->xsave->ymmh_space, &f->xsave->n_ymmh_space);
}

static void
no_fpregs(ProtobufCMessage *m)
{
  ThreadInfoX86 *ti = ((CoreEntry *)m)->thread_info;
  protobuf_c_message_free_unpacked(&ti->fpregs->base, NULL);
  ti->fpregs = NULL;
}

static void
test_bad_fpregs(Scratch *s, gconstpointer data)
{
  /* arrays far longer than their FXSAVE slots are cut at the slot (ASan
   * sees any write past it); a core without fpregs has no FP state */
  edit_single(s, "core-1.img", &core_entry__descriptor, fpregs_too_long);
  edit_single(s, "core-5.img", &core_entry__descriptor, no_fpregs);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(s->dir, NULL, &error);
  g_assert_no_error(error);
  const CkptProcess *p = ckpt_checkpoint_process(c, 1);
  for (size_t t = 0; t < p->info.n_threads; t++) {
    if (p->threads[t].tid != 1)
      continue;
    const CkptThreadFpu *f = &p->fpu[t];
    g_assert_cmpuint(f->size, ==, sizeof(*f));
    g_assert_cmphex(le32_at(f->fxsave + 32), ==, 0xa5a5a5a5u);
    g_assert_cmphex(le32_at(f->fxsave + 412), ==, 0xa5a5a5a5u); /* xmm15 */
    g_assert_cmphex(le32_at(f->fxsave + 416), ==, 0);           /* cut */
    g_assert_cmphex(le32_at(f->ymmh + 252), ==, 0xa5a5a5a5u);
  }
  const CkptProcess *w = ckpt_checkpoint_process(c, 5);
  g_assert_cmpuint(w->fpu[0].size, ==, 0);
}

static void
test_clean_copy_opens(Scratch *s, gconstpointer data)
{
  /* the scratch copy itself is good: the failures above are the edits' */
  g_autoptr(CkptCheckpoint) c = fixture_open(s->dir);
  g_assert_cmpuint(c->n_procs, ==, 4);
}

/* ---- environments of process-title rewriters ---------------------------- */

/* Every line of env-real-NAME.txt is in every process's envp, read where
 * the process moved it (the title overwrote the env area), and no entry
 * is a piece of the title. */
static void
test_relocated_env(gconstpointer data)
{
  const char *name = data;
  g_autofree char *tar = g_strdup_printf("%s.tar", name);
  g_autofree char *txt = g_strdup_printf("env-%s.txt", name);
  g_autoptr(CkptCheckpoint) c = fixture_open(tar);
  g_autofree char *env_path = fixture_path(txt);
  g_autofree char *env_txt = NULL;
  g_assert_true(g_file_get_contents(env_path, &env_txt, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(env_txt, "\n", -1);
  g_assert_cmpuint(c->n_procs, >, 0);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcessInfo *in = &c->procs[i].info;
    g_assert_cmpint(in->env_source, ==, CKPT_ENV_RELOCATED);
    g_assert_cmphex(in->env_array, !=, 0);
    for (char **l = lines; *l; l++)
      if (**l)
        g_assert_true(g_strv_contains(in->envp, *l));
    for (const char *const *e = in->envp; *e; e++) {
      g_assert_nonnull(strchr(*e, '='));
      g_assert_null(strstr(in->cmdline, *e));
      /* the strings are not in the area the title took over */
      g_assert_false(*e[0] == '-' || *e[0] == '/' || *e[0] == ' ');
    }
  }
}

/* The old fixtures' environment is where exec put it, unchanged. */
static void
test_original_env(void)
{
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcessInfo *in = &c->procs[i].info;
    if (!in->has_mm) {
      g_assert_cmpint(in->env_source, ==, CKPT_ENV_NONE);
      g_assert_null(in->envp[0]);
      continue;
    }
    g_assert_cmpint(in->env_source, ==, CKPT_ENV_ORIGINAL);
    g_assert_cmphex(in->env_array, ==, 0);
    g_assert_nonnull(in->envp[0]);
    for (const char *const *e = in->envp; *e; e++)
      g_assert_true(g_str_has_prefix(*e, "PATH=") || strchr(*e, '=') != NULL);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < fixture_n_checkpoints; i++) {
    g_autofree char *name =
        g_strdup_printf("/procs/oracle/%s", fixture_checkpoints[i][1]);
    g_test_add_data_func(name, fixture_checkpoints[i], compare_fixture);
  }
  g_test_add_func("/procs/workload-tree", test_workload_tree);
  g_test_add_func("/procs/criu3-same-memory", test_criu3_same_memory);
  g_test_add_data_func("/procs/env/relocated/nginx", "real-nginx",
                       test_relocated_env);
  g_test_add_data_func("/procs/env/relocated/redis", "real-redis",
                       test_relocated_env);
  g_test_add_data_func("/procs/env/relocated/sshd", "real-sshd",
                       test_relocated_env);
  g_test_add_func("/procs/env/original", test_original_env);
#define BAD(path, fn)                                                          \
  g_test_add("/procs/bad/" path, Scratch, NULL, scratch_setup, fn,             \
             scratch_teardown)
  BAD("clean-copy", test_clean_copy_opens);
  BAD("pid-cycle", test_bad_pid_cycle);
  BAD("duplicate-pid", test_bad_duplicate_pid);
  BAD("too-many-processes", test_bad_too_many_processes);
  BAD("truncated-core", test_bad_truncated_core);
  BAD("missing-core", test_bad_missing_core);
  BAD("pages-past-end", test_bad_pages_past_end);
  BAD("absurd-nr-pages", test_bad_absurd_nr_pages);
  BAD("unaligned-vaddr", test_bad_unaligned_vaddr);
  BAD("unsorted-pagemap", test_bad_unsorted_pagemap);
  BAD("truncated-pagemap", test_bad_truncated_pagemap);
  BAD("truncated-pages", test_bad_truncated_pages);
  BAD("auxv-too-long", test_bad_auxv_too_long);
  BAD("fpregs", test_bad_fpregs);
  return g_test_run();
}

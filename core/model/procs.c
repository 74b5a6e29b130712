/* procs.c - the process stage: pstree.img, core-<tid>.img, ids-<pid>.img,
 * creds-<pid>.img (old CRIU), cgroup.img, mm-<pid>.img, fs-<pid>.img,
 * pagemap-<pid>.img and pagemap-shmem-<shmid>.img, turned into the model's
 * process table: processes in pstree order, their threads, VMAs and page
 * runs resolved into the pages images' bytes, and argv read back through
 * the memory reader (envp: environ.c). Everything lands in the
 * checkpoint's arena.
 */
#include "model/model.h"

#include <string.h>

#include "criu/image.h"

#include "cgroup.pb-c.h"
#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "criu-files.pb-c.h"
#include "fs.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pstree.pb-c.h"

/* Per-image magics, from CRIU's criu/include/magic.h. */
#define PSTREE_MAGIC 0x50273030u
#define CORE_MAGIC 0x55053847u
#define IDS_MAGIC 0x54432030u
#define CREDS_MAGIC 0x54023547u
#define MM_MAGIC 0x57492820u
#define PAGEMAP_MAGIC 0x56084025u
#define FS_MAGIC 0x51403912u
#define CGROUP_MAGIC 0x59383330u
#define FILES_MAGIC 0x56303138u
#define MEMFD_INODE_MAGIC 0x48453499u
#define FD_MEMFD 18 /* fd_types */

/* compel's task states as CRIU writes them in task_core_entry. A zombie is
 * written as TASK_DEAD and restored as a zombie. */
#define TASK_ALIVE 0x01
#define TASK_DEAD 0x02
#define TASK_STOPPED 0x03
#define TASK_ZOMBIE 0x06

/* core_entry.mtype */
#define MARCH_X86_64 1

/* VMA_AREA_* status bits, from CRIU's criu/include/image.h */
#define VMA_AREA_STACK (1u << 1)
#define VMA_AREA_VSYSCALL (1u << 2)
#define VMA_AREA_VDSO (1u << 3)
#define VMA_AREA_HEAP (1u << 5)
#define VMA_FILE_PRIVATE (1u << 6)
#define VMA_FILE_SHARED (1u << 7)
#define VMA_ANON_SHARED (1u << 8)
#define VMA_ANON_PRIVATE (1u << 9)
#define VMA_AREA_SYSVIPC (1u << 10)
#define VMA_AREA_VVAR (1u << 12)
#define VMA_AREA_MEMFD (1u << 14)
#define VMA_AREA_GUARD (1u << 16)

/* PE_* pagemap flags, from CRIU's criu/include/pagemap.h */
#define PE_PARENT (1u << 0)
#define PE_LAZY (1u << 1)
#define PE_PRESENT (1u << 2)

/* The most of an argv or environment area read back from memory. */
#define MAX_ARGS_BYTES (1024u * 1024u)

/* ---- shared state of one load ------------------------------------------ */

/* One shared memory object's pagemap, with runs relative to offset 0. */
typedef struct {
  CkptPageRun *runs;
  size_t n_runs;
} ShmemMap;

typedef struct {
  CkptCheckpoint *c;
  CgroupEntry *cgroups; /* NULL when cgroup.img is absent */
  GHashTable *shmem;    /* shmid (uint64 key) -> ShmemMap*, or absent */
  GHashTable *memfds;   /* memfd file id -> shmid (uint64 keys, values) */
} Loader;

static void
loader_release(Loader *l)
{
  if (l->cgroups)
    cgroup_entry__free_unpacked(l->cgroups, NULL);
  if (l->shmem)
    g_hash_table_unref(l->shmem);
  if (l->memfds)
    g_hash_table_unref(l->memfds);
}

/* ---- reading single-entry images --------------------------------------- */

/* Unpacks the first entry of image name with desc. Returns FALSE with error
 * set on broken input; *msg stays NULL when the image is absent or empty. */
static gboolean
read_one(CkptCheckpoint *c, const char *name, uint32_t magic,
         const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg,
         GError **error)
{
  CkptImageReader r;
  gboolean present;
  const uint8_t *entry;
  size_t len;

  *msg = NULL;
  if (!ckpt_model_open_image(c, &r, name, magic, &present, error))
    return FALSE;
  if (!present)
    return TRUE;
  int rc = ckpt_image_next(&r, &entry, &len, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return TRUE;
  *msg = ckpt_image_unpack(&r, desc, entry, len, error);
  return *msg != NULL;
}

static const char *
utf8_str(CkptCheckpoint *c, const char *s, size_t n)
{
  g_autofree char *valid = g_utf8_make_valid(s, (gssize)n);
  return ckpt_model_str(c, valid);
}

/* ---- pstree ------------------------------------------------------------- */

static gboolean
check_pstree_cycles(CkptCheckpoint *c, GError **error)
{
  /* Colouring walk, iterative: each process is visited once, so a hostile
   * tree costs O(n) and never recurses. mark[i] is the index+1 of the walk
   * that first reached i. */
  g_autofree size_t *mark = g_new0(size_t, c->n_procs ? c->n_procs : 1);
  g_autofree gboolean *done = g_new0(gboolean, c->n_procs ? c->n_procs : 1);

  for (size_t i = 0; i < c->n_procs; i++) {
    size_t j = i;
    while (!done[j]) {
      if (mark[j] == i + 1) {
        g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                    "pstree.img: parent cycle through pid %u (ppid %u)",
                    c->procs[j].info.pid, c->procs[j].info.ppid);
        return FALSE;
      }
      mark[j] = i + 1;
      CkptProcess *parent = g_hash_table_lookup(
          c->by_pid, GUINT_TO_POINTER(c->procs[j].info.ppid));
      if (parent == NULL)
        break;
      j = (size_t)(parent - c->procs);
    }
    for (j = i; !done[j];) {
      done[j] = TRUE;
      CkptProcess *parent = g_hash_table_lookup(
          c->by_pid, GUINT_TO_POINTER(c->procs[j].info.ppid));
      if (parent == NULL)
        break;
      j = (size_t)(parent - c->procs);
    }
  }
  return TRUE;
}

static gboolean
add_pstree_entry(CkptCheckpoint *c, const PstreeEntry *e, size_t index,
                 GError **error)
{
  if (e->pid == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "pstree.img: entry %zu has pid 0", index);
    return FALSE;
  }
  if (g_hash_table_contains(c->by_pid, GUINT_TO_POINTER(e->pid))) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "pstree.img: entry %zu repeats pid %u", index, e->pid);
    return FALSE;
  }
  if (e->n_threads > c->limits.max_threads) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "pstree.img: pid %u has %zu threads, over the max-threads "
                "limit of %" G_GUINT64_FORMAT,
                e->pid, e->n_threads, c->limits.max_threads);
    return FALSE;
  }

  CkptProcess *p = &c->procs[index];
  p->ckpt = c;
  p->info.size = sizeof(p->info);
  p->info.pid = e->pid;
  p->info.ppid = e->ppid;
  p->info.pgid = e->pgid;
  p->info.sid = e->sid;
  /* A task without a thread list is its own only thread. */
  size_t n = e->n_threads ? e->n_threads : 1;
  p->threads = ckpt_model_alloc(c, n, sizeof(CkptThreadInfo));
  p->fpu = ckpt_model_alloc(c, n, sizeof(CkptThreadFpu));
  p->info.n_threads = n;
  for (size_t i = 0; i < n; i++) {
    p->threads[i].size = sizeof(CkptThreadInfo);
    p->threads[i].tid = e->n_threads ? e->threads[i] : e->pid;
  }
  g_hash_table_insert(c->by_pid, GUINT_TO_POINTER(e->pid), p);
  return TRUE;
}

static gboolean
load_pstree(CkptCheckpoint *c, GError **error)
{
  CkptImageReader r;
  gboolean present;
  const uint8_t *entry;
  size_t len;
  int rc;

  if (!ckpt_model_open_image(c, &r, "pstree.img", PSTREE_MAGIC, &present,
                             error))
    return FALSE;
  if (!present) {
    ckpt_model_warn(c, "pstree.img: absent, no processes loaded");
    return TRUE;
  }

  /* First pass counts, so the table is allocated once. */
  CkptImageReader count = r;
  size_t n = 0;
  while ((rc = ckpt_image_next(&count, &entry, &len, error)) > 0) {
    if (++n > c->limits.max_processes) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                  "pstree.img: more than %" G_GUINT64_FORMAT
                  " processes (max-processes limit)",
                  c->limits.max_processes);
      return FALSE;
    }
  }
  if (rc < 0)
    return FALSE;

  c->procs = ckpt_model_alloc(c, n, sizeof(CkptProcess));
  for (size_t i = 0; i < n; i++) {
    if (ckpt_image_next(&r, &entry, &len, error) <= 0)
      return FALSE; /* cannot happen: counted above */
    PstreeEntry *e = (PstreeEntry *)ckpt_image_unpack(
        &r, &pstree_entry__descriptor, entry, len, error);
    if (e == NULL)
      return FALSE;
    gboolean ok = add_pstree_entry(c, e, i, error);
    pstree_entry__free_unpacked(e, NULL);
    if (!ok)
      return FALSE;
    c->n_procs = i + 1;
  }
  return check_pstree_cycles(c, error);
}

/* ---- cgroups ------------------------------------------------------------ */

static gboolean
load_cgroups(Loader *l, GError **error)
{
  return read_one(l->c, "cgroup.img", CGROUP_MAGIC, &cgroup_entry__descriptor,
                  (ProtobufCMessage **)&l->cgroups, error);
}

/* The path of cgroup set id: the unified (v2) hierarchy's when there is
 * one, otherwise the first controller's. */
static const char *
cgroup_path(Loader *l, uint32_t set_id)
{
  if (l->cgroups == NULL)
    return NULL;
  for (size_t i = 0; i < l->cgroups->n_sets; i++) {
    const CgSetEntry *s = l->cgroups->sets[i];
    if (s->id != set_id || s->n_ctls == 0)
      continue;
    const CgMemberEntry *pick = s->ctls[0];
    for (size_t j = 0; j < s->n_ctls; j++)
      if (s->ctls[j]->name[0] == '\0') {
        pick = s->ctls[j];
        break;
      }
    return utf8_str(l->c, pick->path, strlen(pick->path));
  }
  return NULL;
}

/* ---- core images: state, registers, credentials ------------------------- */

static uint64_t
caps_u64(const uint32_t *words, size_t n)
{
  /* CRIU stores capability sets as CR_CAP_SIZE (2) 32-bit words. */
  uint64_t v = 0;
  if (n > 0)
    v |= words[0];
  if (n > 1)
    v |= (uint64_t)words[1] << 32;
  return v;
}

static void
apply_creds(CkptCheckpoint *c, CkptProcessInfo *info, const CredsEntry *cr)
{
  info->uid = cr->uid;
  info->euid = cr->euid;
  info->suid = cr->suid;
  info->fsuid = cr->fsuid;
  info->gid = cr->gid;
  info->egid = cr->egid;
  info->sgid = cr->sgid;
  info->fsgid = cr->fsgid;
  info->cap_inh = caps_u64(cr->cap_inh, cr->n_cap_inh);
  info->cap_prm = caps_u64(cr->cap_prm, cr->n_cap_prm);
  info->cap_eff = caps_u64(cr->cap_eff, cr->n_cap_eff);
  info->cap_bnd = caps_u64(cr->cap_bnd, cr->n_cap_bnd);
  info->cap_amb = caps_u64(cr->cap_amb, cr->n_cap_amb);
  info->no_new_privs = cr->has_no_new_privs ? (int)cr->no_new_privs : 0;
  if (cr->n_groups > 0) {
    uint32_t *g = ckpt_model_alloc(c, cr->n_groups, sizeof(uint32_t));
    memcpy(g, cr->groups, cr->n_groups * sizeof(uint32_t));
    info->groups = g;
    info->n_groups = cr->n_groups;
  }
}

static CkptProcState
map_task_state(CkptCheckpoint *c, const char *name, uint32_t st)
{
  switch (st) {
  case TASK_ALIVE:
    return CKPT_PROC_ALIVE;
  case TASK_STOPPED:
    return CKPT_PROC_STOPPED;
  case TASK_DEAD: /* how CRIU writes a zombie */
  case TASK_ZOMBIE:
    return CKPT_PROC_ZOMBIE;
  default:
    ckpt_model_warn(c, "%s: unknown task_state %u, taken as alive", name, st);
    return CKPT_PROC_ALIVE;
  }
}

/* The kernel's wait status of a zombie: the exit code for a normal exit,
 * 128 + the signal (the shell's convention) for a death by signal. */
static int
exit_code_of(uint32_t status)
{
  if ((status & 0x7f) == 0)
    return (int)((status >> 8) & 0xff);
  return 128 + (int)(status & 0x7f);
}

static void
copy_regs(CkptRegsX86_64 *d, const UserX86RegsEntry *s)
{
  d->r15 = s->r15;
  d->r14 = s->r14;
  d->r13 = s->r13;
  d->r12 = s->r12;
  d->bp = s->bp;
  d->bx = s->bx;
  d->r11 = s->r11;
  d->r10 = s->r10;
  d->r9 = s->r9;
  d->r8 = s->r8;
  d->ax = s->ax;
  d->cx = s->cx;
  d->dx = s->dx;
  d->si = s->si;
  d->di = s->di;
  d->orig_ax = s->orig_ax;
  d->ip = s->ip;
  d->cs = s->cs;
  d->flags = s->flags;
  d->sp = s->sp;
  d->ss = s->ss;
  d->fs_base = s->fs_base;
  d->gs_base = s->gs_base;
  d->ds = s->ds;
  d->es = s->es;
  d->fs = s->fs;
  d->gs = s->gs;
}

static void
put_le32(uint8_t *d, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    d[i] = (uint8_t)(v >> (8 * i));
}

static void
put_le16(uint8_t *d, uint32_t v)
{
  d[0] = (uint8_t)v;
  d[1] = (uint8_t)(v >> 8);
}

static void
put_le64(uint8_t *d, uint64_t v)
{
  put_le32(d, (uint32_t)v);
  put_le32(d + 4, (uint32_t)(v >> 32));
}

/* CRIU keeps the FXSAVE area field by field; this lays it out again as
 * the hardware (and user_fpregs_struct) does. Arrays longer than their
 * slot in the image are cut, shorter ones leave zeros: the counts come
 * from the image. */
static void
fill_fpu(CkptThreadFpu *f, const UserX86FpregsEntry *s)
{
  memset(f, 0, sizeof(*f));
  f->size = sizeof(*f);
  put_le16(f->fxsave + 0, s->cwd);
  put_le16(f->fxsave + 2, s->swd);
  f->fxsave[4] = (uint8_t)s->twd; /* the abridged tag byte */
  put_le16(f->fxsave + 6, s->fop);
  put_le64(f->fxsave + 8, s->rip);
  put_le64(f->fxsave + 16, s->rdp);
  put_le32(f->fxsave + 24, s->mxcsr);
  put_le32(f->fxsave + 28, s->mxcsr_mask);
  for (size_t i = 0; i < MIN(s->n_st_space, (size_t)32); i++)
    put_le32(f->fxsave + 32 + 4 * i, s->st_space[i]);
  for (size_t i = 0; i < MIN(s->n_xmm_space, (size_t)64); i++)
    put_le32(f->fxsave + 160 + 4 * i, s->xmm_space[i]);
  const UserX86XsaveEntry *x = s->xsave;
  if (x) {
    f->xstate_bv = x->xstate_bv;
    f->has_ymmh = x->n_ymmh_space > 0;
    for (size_t i = 0; i < MIN(x->n_ymmh_space, (size_t)64); i++)
      put_le32(f->ymmh + 4 * i, x->ymmh_space[i]);
  }
}

static void
fill_thread(CkptCheckpoint *c, CkptThreadInfo *t, CkptThreadFpu *fpu,
            const CoreEntry *core)
{
  if (core->mtype == MARCH_X86_64 && core->thread_info &&
      core->thread_info->gpregs) {
    copy_regs(&t->regs, core->thread_info->gpregs);
    t->has_regs = 1;
    if (core->thread_info->fpregs)
      fill_fpu(fpu, core->thread_info->fpregs);
  }
  const ThreadCoreEntry *th = core->thread_core;
  if (th && th->comm)
    t->comm = utf8_str(c, th->comm, strlen(th->comm));
  else if (core->tc && core->tc->comm)
    t->comm = utf8_str(c, core->tc->comm, strlen(core->tc->comm));
  if (th && th->has_blk_sigset)
    t->blk_sigset = th->blk_sigset;
  else if (core->tc)
    t->blk_sigset = core->tc->blk_sigset;
}

/* The leader's core: the task-wide part (tc) and the leader thread. */
static gboolean
load_leader_core(Loader *l, CkptProcess *p, gboolean *have_creds,
                 GError **error)
{
  CkptCheckpoint *c = l->c;
  g_autofree char *name = g_strdup_printf("core-%u.img", p->info.pid);
  CoreEntry *core = NULL;

  if (!read_one(c, name, CORE_MAGIC, &core_entry__descriptor,
                (ProtobufCMessage **)&core, error))
    return FALSE;
  if (core == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
                "%s: missing or empty, needed for pid %u", name, p->info.pid);
    return FALSE;
  }
  if (core->tc == NULL) {
    core_entry__free_unpacked(core, NULL);
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: leader core of pid %u has no task core (tc)", name,
                p->info.pid);
    return FALSE;
  }
  const TaskCoreEntry *tc = core->tc;
  p->info.comm = utf8_str(c, tc->comm, strlen(tc->comm));
  p->info.state = map_task_state(c, name, tc->task_state);
  if (p->info.state == CKPT_PROC_ZOMBIE)
    p->info.exit_code = exit_code_of(tc->exit_code);
  p->info.personality = (int)tc->personality;

  const ThreadCoreEntry *th = core->thread_core;
  if (th && th->has_seccomp_mode)
    p->info.seccomp_mode = (int)th->seccomp_mode;
  else if (tc->has_old_seccomp_mode)
    p->info.seccomp_mode = (int)tc->old_seccomp_mode;
  *have_creds = th && th->creds;
  if (*have_creds)
    apply_creds(c, &p->info, th->creds);
  if (th && th->has_cg_set)
    p->info.cgroup = cgroup_path(l, th->cg_set);
  else if (tc->has_cg_set)
    p->info.cgroup = cgroup_path(l, tc->cg_set);
  /* Old CRIU kept the namespace ids in the core. */
  if (core->ids) {
    p->ids_files_id = core->ids->files_id;
    p->pid_ns_id = core->ids->pid_ns_id;
  }

  /* A zombie's thread list is not meaningful (CRIU leaves it unset); it
   * has exactly its leader, without registers. */
  if (p->info.state == CKPT_PROC_ZOMBIE) {
    p->info.n_threads = 1;
    p->threads[0].tid = p->info.pid;
    p->threads[0].comm = p->info.comm;
  } else {
    for (size_t i = 0; i < p->info.n_threads; i++)
      if (p->threads[i].tid == p->info.pid)
        fill_thread(c, &p->threads[i], &p->fpu[i], core);
  }
  core_entry__free_unpacked(core, NULL);
  return TRUE;
}

static gboolean
load_thread_core(CkptCheckpoint *c, CkptProcess *p, CkptThreadInfo *t,
                 GError **error)
{
  g_autofree char *name = g_strdup_printf("core-%u.img", t->tid);
  CoreEntry *core = NULL;

  if (!read_one(c, name, CORE_MAGIC, &core_entry__descriptor,
                (ProtobufCMessage **)&core, error))
    return FALSE;
  if (core == NULL) {
    ckpt_model_warn(c, "%s: missing, thread %u of pid %u has no state", name,
                    t->tid, p->info.pid);
    return TRUE;
  }
  fill_thread(c, t, &p->fpu[t - p->threads], core);
  core_entry__free_unpacked(core, NULL);
  return TRUE;
}

/* creds-<pid>.img: where CRIU before 2.x kept credentials. */
static gboolean
load_old_creds(CkptCheckpoint *c, CkptProcess *p, GError **error)
{
  g_autofree char *name = g_strdup_printf("creds-%u.img", p->info.pid);
  CredsEntry *cr = NULL;

  if (!read_one(c, name, CREDS_MAGIC, &creds_entry__descriptor,
                (ProtobufCMessage **)&cr, error))
    return FALSE;
  if (cr) {
    apply_creds(c, &p->info, cr);
    creds_entry__free_unpacked(cr, NULL);
  }
  return TRUE;
}

static gboolean
load_cores(Loader *l, CkptProcess *p, GError **error)
{
  gboolean have_creds = FALSE;
  if (!load_leader_core(l, p, &have_creds, error))
    return FALSE;
  if (p->info.state != CKPT_PROC_ZOMBIE)
    for (size_t i = 0; i < p->info.n_threads; i++)
      if (p->threads[i].tid != p->info.pid &&
          !load_thread_core(l->c, p, &p->threads[i], error))
        return FALSE;
  if (!have_creds)
    return load_old_creds(l->c, p, error);
  return TRUE;
}

/* ---- ids and fs --------------------------------------------------------- */

static gboolean
load_ids(CkptCheckpoint *c, CkptProcess *p, GError **error)
{
  g_autofree char *name = g_strdup_printf("ids-%u.img", p->info.pid);
  TaskKobjIdsEntry *ids = NULL;

  if (!read_one(c, name, IDS_MAGIC, &task_kobj_ids_entry__descriptor,
                (ProtobufCMessage **)&ids, error))
    return FALSE;
  if (ids == NULL)
    return TRUE;
  p->ids_files_id = ids->files_id;
  p->pid_ns_id = ids->pid_ns_id;
  p->net_ns_id = ids->net_ns_id;
  p->mnt_ns_id = ids->mnt_ns_id;
  p->uts_ns_id = ids->uts_ns_id;
  p->ipc_ns_id = ids->ipc_ns_id;
  p->user_ns_id = ids->user_ns_id;
  p->cgroup_ns_id = ids->cgroup_ns_id;
  task_kobj_ids_entry__free_unpacked(ids, NULL);
  return TRUE;
}

static gboolean
load_fs(CkptCheckpoint *c, CkptProcess *p, GError **error)
{
  g_autofree char *name = g_strdup_printf("fs-%u.img", p->info.pid);
  FsEntry *fs = NULL;

  if (!read_one(c, name, FS_MAGIC, &fs_entry__descriptor,
                (ProtobufCMessage **)&fs, error))
    return FALSE;
  if (fs == NULL)
    return TRUE;
  p->cwd_file_id = fs->cwd_id;
  p->root_file_id = fs->root_id;
  p->has_fs_ids = TRUE;
  fs_entry__free_unpacked(fs, NULL);
  return TRUE;
}

/* ---- mm and VMAs -------------------------------------------------------- */

static void
vma_kind(const CkptProcessInfo *info, CkptVmaInfo *v)
{
  uint32_t st = v->status;
  gboolean in_brk = info->mm_brk > info->mm_start_brk &&
                    v->start < info->mm_brk && v->end > info->mm_start_brk;
  gboolean has_stack =
      info->mm_start_stack >= v->start && info->mm_start_stack < v->end;
  if (st & VMA_AREA_GUARD)
    v->kind = CKPT_VMA_GUARD;
  else if (st & VMA_AREA_VSYSCALL)
    v->kind = CKPT_VMA_VSYSCALL;
  else if (st & VMA_AREA_VDSO)
    v->kind = CKPT_VMA_VDSO;
  else if (st & VMA_AREA_VVAR)
    v->kind = CKPT_VMA_VVAR;
  else if (st & VMA_AREA_SYSVIPC)
    v->kind = CKPT_VMA_SYSVIPC;
  else if (st & VMA_AREA_MEMFD)
    v->kind = CKPT_VMA_MEMFD;
  else if ((st & VMA_AREA_HEAP) || (in_brk && !(st & VMA_FILE_PRIVATE)))
    v->kind = CKPT_VMA_HEAP;
  else if ((st & VMA_AREA_STACK) || has_stack)
    v->kind = CKPT_VMA_STACK;
  else if (st & VMA_ANON_SHARED)
    v->kind = CKPT_VMA_SHARED;
  else if (st & (VMA_FILE_PRIVATE | VMA_FILE_SHARED))
    v->kind = CKPT_VMA_FILE;
  else if (st & VMA_ANON_PRIVATE)
    v->kind = CKPT_VMA_ANON;
  else
    v->kind = CKPT_VMA_OTHER;
  v->label = ckpt_vma_kind_name(v->kind);
}

/* VMAs must be page-aligned, non-empty, sorted and non-overlapping; guard
 * entries (MADV_GUARD_INSTALL ranges) come after all others, as CRIU
 * writes them, and overlap them by design. */
static gboolean
check_vma(const char *name, const VmaEntry *e, size_t i, const VmaEntry *prev,
          gboolean seen_guard, GError **error)
{
  gboolean guard = (e->status & VMA_AREA_GUARD) != 0;

  if (e->start >= e->end || (e->start | e->end) % CKPT_PAGE_SIZE) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: vma %zu has a bad range 0x%" G_GINT64_MODIFIER
                "x-0x%" G_GINT64_MODIFIER "x",
                name, i, e->start, e->end);
    return FALSE;
  }
  if (seen_guard && !guard) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: vma %zu follows a guard entry", name, i);
    return FALSE;
  }
  if (!guard && prev && e->start < prev->end) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: vma %zu at 0x%" G_GINT64_MODIFIER
                "x overlaps or precedes the one ending at 0x%" G_GINT64_MODIFIER
                "x",
                name, i, e->start, prev->end);
    return FALSE;
  }
  return TRUE;
}

static gboolean
load_mm(CkptCheckpoint *c, CkptProcess *p, GError **error)
{
  g_autofree char *name = g_strdup_printf("mm-%u.img", p->info.pid);
  MmEntry *mm = NULL;

  if (p->info.state == CKPT_PROC_ZOMBIE || p->info.state == CKPT_PROC_DEAD)
    return TRUE;
  if (!read_one(c, name, MM_MAGIC, &mm_entry__descriptor,
                (ProtobufCMessage **)&mm, error))
    return FALSE;
  if (mm == NULL) {
    ckpt_model_warn(c, "%s: missing for live pid %u", name, p->info.pid);
    return TRUE;
  }
  if (mm->n_vmas > c->limits.max_vmas) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: %zu vmas, over the max-vmas limit of %" G_GUINT64_FORMAT,
                name, mm->n_vmas, c->limits.max_vmas);
    mm_entry__free_unpacked(mm, NULL);
    return FALSE;
  }

  CkptProcessInfo *in = &p->info;
  in->has_mm = 1;
  in->mm_start_code = mm->mm_start_code;
  in->mm_end_code = mm->mm_end_code;
  in->mm_start_data = mm->mm_start_data;
  in->mm_end_data = mm->mm_end_data;
  in->mm_start_stack = mm->mm_start_stack;
  in->mm_start_brk = mm->mm_start_brk;
  in->mm_brk = mm->mm_brk;
  in->mm_arg_start = mm->mm_arg_start;
  in->mm_arg_end = mm->mm_arg_end;
  in->mm_env_start = mm->mm_env_start;
  in->mm_env_end = mm->mm_env_end;
  p->exe_file_id = mm->exe_file_id;
  p->has_exe_file_id = TRUE;
  /* the kernel's auxv holds at most a few dozen pairs (AT_VECTOR_SIZE);
   * more is not an auxv, and is left out rather than trusted */
  if (mm->n_mm_saved_auxv > 0 && mm->n_mm_saved_auxv <= 2 * 64) {
    p->auxv = ckpt_model_alloc(c, mm->n_mm_saved_auxv, sizeof(uint64_t));
    memcpy(p->auxv, mm->mm_saved_auxv, mm->n_mm_saved_auxv * sizeof(uint64_t));
    p->n_auxv = mm->n_mm_saved_auxv & ~(size_t)1;
  } else if (mm->n_mm_saved_auxv > 0) {
    ckpt_model_warn(c,
                    "%s: mm_saved_auxv has %zu words, more than an auxv "
                    "holds; left out",
                    name, mm->n_mm_saved_auxv);
  }

  p->vmas = ckpt_model_alloc(c, mm->n_vmas, sizeof(CkptVma));
  gboolean seen_guard = FALSE;
  const VmaEntry *prev = NULL;
  for (size_t i = 0; i < mm->n_vmas; i++) {
    const VmaEntry *e = mm->vmas[i];
    if (!check_vma(name, e, i, prev, seen_guard, error)) {
      mm_entry__free_unpacked(mm, NULL);
      return FALSE;
    }
    if (e->status & VMA_AREA_GUARD)
      seen_guard = TRUE;
    else
      prev = e;
    CkptVma *v = &p->vmas[i];
    v->info.size = sizeof(v->info);
    v->info.start = e->start;
    v->info.end = e->end;
    v->info.pgoff = e->pgoff;
    v->info.prot = e->prot;
    v->info.flags = e->flags;
    v->info.status = e->status;
    v->shmid = (uint32_t)e->shmid;
    v->fd = e->fd;
    vma_kind(in, &v->info);
  }
  p->n_vmas = mm->n_vmas;
  mm_entry__free_unpacked(mm, NULL);
  return TRUE;
}

/* ---- pagemaps ----------------------------------------------------------- */

/* CRIU's rule for entries of old images: in_parent means the parent
 * snapshot holds them; no flags at all means present. */
static uint32_t
entry_flags(const PagemapEntry *e)
{
  if (e->has_in_parent && e->in_parent)
    return (e->has_flags ? e->flags : 0) | PE_PARENT;
  if (!e->has_flags)
    return PE_PRESENT;
  return e->flags;
}

/* nr_pages is field 5 when present (CRIU 4.x, which leaves field 2 at 0),
 * else the 32-bit field 2 of older images. */
static uint64_t
entry_nr_pages(const PagemapEntry *e)
{
  return e->has_nr_pages ? e->nr_pages : e->compat_nr_pages;
}

/* One entry's rules: page-aligned, non-empty, no wrap-around, sorted after
 * the previous entry, and its bytes inside the pages file. */
static gboolean
check_page_entry(const char *name, size_t index, uint64_t vaddr, uint64_t nr,
                 uint32_t flags, uint64_t prev_end, uint64_t offset,
                 uint64_t pages_len, GError **error)
{
  if (vaddr % CKPT_PAGE_SIZE) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry %zu vaddr 0x%" G_GINT64_MODIFIER
                "x is not page-aligned",
                name, index, vaddr);
    return FALSE;
  }
  /* the end must not wrap: vaddr + nr * CKPT_PAGE_SIZE <= 2^64 - 1 */
  if (nr == 0 || nr > (G_MAXUINT64 - vaddr) / CKPT_PAGE_SIZE) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry %zu at 0x%" G_GINT64_MODIFIER
                "x has a bad page count %" G_GUINT64_FORMAT,
                name, index, vaddr, nr);
    return FALSE;
  }
  if (vaddr < prev_end) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "%s: entry %zu at 0x%" G_GINT64_MODIFIER
                "x overlaps or precedes the previous entry ending at "
                "0x%" G_GINT64_MODIFIER "x",
                name, index, vaddr, prev_end);
    return FALSE;
  }
  if ((flags & PE_PRESENT) &&
      (offset > pages_len || nr > (pages_len - offset) / CKPT_PAGE_SIZE)) {
    g_set_error(
        error, CKPT_ERROR, CKPT_ERROR_FORMAT,
        "%s: entry %zu at 0x%" G_GINT64_MODIFIER "x needs %" G_GUINT64_FORMAT
        " pages at offset %" G_GUINT64_FORMAT
        " of the pages file, which has only %" G_GUINT64_FORMAT " bytes",
        name, index, vaddr, nr, offset, pages_len);
    return FALSE;
  }
  return TRUE;
}

/* Reads a pagemap image into runs, each checked by check_page_entry();
 * objects.c reads memfd contents with it too (model.h). */
gboolean
ckpt_model_read_pagemap(CkptCheckpoint *c, const char *name, uint32_t *pages_id,
                        GArray *runs, gboolean *present, GError **error)
{
  CkptImageReader r;
  const uint8_t *entry;
  size_t len;
  int rc;

  if (!ckpt_model_open_image(c, &r, name, PAGEMAP_MAGIC, present, error))
    return FALSE;
  if (!*present)
    return TRUE;
  rc = ckpt_image_next(&r, &entry, &len, error);
  if (rc < 0)
    return FALSE;
  if (rc == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_FORMAT, "%s: no pagemap head",
                name);
    return FALSE;
  }
  PagemapHead *head = (PagemapHead *)ckpt_image_unpack(
      &r, &pagemap_head__descriptor, entry, len, error);
  if (head == NULL)
    return FALSE;
  *pages_id = head->pages_id;
  pagemap_head__free_unpacked(head, NULL);

  g_autofree char *pages_name = g_strdup_printf("pages-%u.img", *pages_id);
  const uint8_t *pages = NULL;
  size_t pages_len = 0;
  gboolean have_pages =
      ckpt_imageset_image(c->images, pages_name, &pages, &pages_len);

  uint64_t offset = 0, prev_end = 0;
  for (size_t i = 0; (rc = ckpt_image_next(&r, &entry, &len, error)) > 0; i++) {
    PagemapEntry *e = (PagemapEntry *)ckpt_image_unpack(
        &r, &pagemap_entry__descriptor, entry, len, error);
    if (e == NULL)
      return FALSE;
    CkptPageRun run = {.vaddr = e->vaddr,
                       .nr_pages = entry_nr_pages(e),
                       .flags = entry_flags(e)};
    pagemap_entry__free_unpacked(e, NULL);
    if ((run.flags & PE_PRESENT) && !have_pages) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
                  "%s: entry %zu is present but %s is missing", name, i,
                  pages_name);
      return FALSE;
    }
    if (!check_page_entry(name, i, run.vaddr, run.nr_pages, run.flags, prev_end,
                          offset, pages_len, error))
      return FALSE;
    prev_end = run.vaddr + run.nr_pages * CKPT_PAGE_SIZE;
    if (run.flags & PE_PRESENT) {
      run.data = pages ? pages + offset : NULL; /* NULL: not kept */
      offset += run.nr_pages * CKPT_PAGE_SIZE;
    }
    g_array_append_val(runs, run);
  }
  return rc == 0;
}

static uint64_t
run_end(const CkptPageRun *r)
{
  return r->vaddr + r->nr_pages * CKPT_PAGE_SIZE;
}

static ShmemMap *
load_shmem(Loader *l, uint64_t shmid, GError **error)
{
  if (l->shmem == NULL)
    l->shmem =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  ShmemMap *m = g_hash_table_lookup(l->shmem, &shmid);
  if (m)
    return m;

  g_autofree char *name =
      g_strdup_printf("pagemap-shmem-%" G_GUINT64_FORMAT ".img", shmid);
  g_autoptr(GArray) runs = g_array_new(FALSE, FALSE, sizeof(CkptPageRun));
  uint32_t pages_id = 0;
  gboolean present;
  if (!ckpt_model_read_pagemap(l->c, name, &pages_id, runs, &present, error))
    return NULL;
  m = g_new0(ShmemMap, 1);
  m->n_runs = runs->len;
  m->runs = ckpt_model_alloc(l->c, runs->len, sizeof(CkptPageRun));
  if (runs->len)
    memcpy(m->runs, runs->data, runs->len * sizeof(CkptPageRun));
  uint64_t *key = g_new(uint64_t, 1);
  *key = shmid;
  g_hash_table_insert(l->shmem, key, m);
  return m;
}

static void
insert_u64(GHashTable *t, uint64_t key, uint64_t value)
{
  uint64_t *k = g_new(uint64_t, 1), *v = g_new(uint64_t, 1);
  *k = key;
  *v = value;
  g_hash_table_insert(t, k, v);
}

/* memfd inode id -> shmid */
static int
on_memfd_inode(const ProtobufCMessage *m, size_t off, void *acc, GError **error)
{
  const MemfdInodeEntry *e = (const MemfdInodeEntry *)m;
  if (e->has_inode_id && e->has_shmid)
    insert_u64(acc, e->inode_id, e->shmid);
  return 1;
}

/* memfd file id -> memfd inode id */
static int
on_memfd_file(const ProtobufCMessage *m, size_t off, void *acc, GError **error)
{
  const FileEntry *e = (const FileEntry *)m;
  if (e->type == FD_MEMFD && e->memfd && e->memfd->has_inode_id)
    insert_u64(acc, e->id, e->memfd->inode_id);
  return 1;
}

/* The pagemap-shmem id of a memfd mapping: CRIU 4 writes the memfd's file
 * id as the VMA's shmid (shared anonymous memory is a memfd too, named
 * "/dev/zero"), the file entry names a memfd inode, and the inode's shmid
 * names the pages. Returns FALSE on broken images; *shmid stays as given
 * when there is no such memfd. files.c reads files.img again for the
 * descriptors; this walk happens only for checkpoints with memfd VMAs. */
static gboolean
memfd_shmid(Loader *l, uint32_t file_id, uint64_t *shmid, GError **error)
{
  if (l->memfds == NULL) {
    g_autoptr(GHashTable) inodes =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    l->memfds =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    if (!ckpt_model_walk_image(l->c, "memfd.img", MEMFD_INODE_MAGIC,
                               &memfd_inode_entry__descriptor, on_memfd_inode,
                               inodes, error) ||
        !ckpt_model_walk_image(l->c, "files.img", FILES_MAGIC,
                               &file_entry__descriptor, on_memfd_file,
                               l->memfds, error))
      return FALSE;
    /* file id -> inode id becomes file id -> shmid */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, l->memfds);
    while (g_hash_table_iter_next(&it, &k, &v)) {
      const uint64_t *sh = g_hash_table_lookup(inodes, v);
      if (sh)
        *(uint64_t *)v = *sh;
      else
        g_hash_table_iter_remove(&it);
    }
  }
  uint64_t key = file_id;
  const uint64_t *id = g_hash_table_lookup(l->memfds, &key);
  if (id)
    *shmid = *id;
  return TRUE;
}

/* Maps the part of a shared object's runs that the VMA shows: object
 * offset pgoff .. pgoff + size appears at vma start. */
static void
map_shmem_runs(const CkptVma *v, const ShmemMap *m, GArray *out)
{
  uint64_t size = v->info.end - v->info.start;
  uint64_t lo = v->info.pgoff, hi;

  if (lo % CKPT_PAGE_SIZE || lo > G_MAXUINT64 - size)
    return;
  hi = lo + size;
  /* Runs are sorted and disjoint: start at the first one ending after lo
   * and stop at hi, so many VMAs over one object cost what they show,
   * not VMAs times runs. */
  size_t first = 0, last = m->n_runs;
  while (first < last) {
    size_t mid = first + (last - first) / 2;
    if (run_end(&m->runs[mid]) <= lo)
      first = mid + 1;
    else
      last = mid;
  }
  for (size_t i = first; i < m->n_runs && m->runs[i].vaddr < hi; i++) {
    const CkptPageRun *r = &m->runs[i];
    uint64_t rs = r->vaddr, re = run_end(r);
    uint64_t s = MAX(rs, lo), e = MIN(re, hi);
    if (s >= e)
      continue;
    CkptPageRun n = {.vaddr = v->info.start + (s - lo),
                     .nr_pages = (e - s) / CKPT_PAGE_SIZE,
                     .flags = r->flags,
                     .data = r->data ? r->data + (s - rs) : NULL};
    g_array_append_val(out, n);
  }
}

static gint
cmp_run(gconstpointer a, gconstpointer b)
{
  const CkptPageRun *x = a, *y = b;
  return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static gboolean
add_shared_memory(Loader *l, CkptProcess *p, GArray *runs, GError **error)
{
  g_autoptr(GArray) shared = g_array_new(FALSE, FALSE, sizeof(CkptPageRun));

  for (size_t i = 0; i < p->n_vmas; i++) {
    const CkptVma *v = &p->vmas[i];
    if (v->info.kind != CKPT_VMA_SHARED && v->info.kind != CKPT_VMA_MEMFD &&
        v->info.kind != CKPT_VMA_SYSVIPC)
      continue;
    uint64_t shmid = v->shmid;
    if (v->info.kind == CKPT_VMA_MEMFD &&
        !memfd_shmid(l, v->shmid, &shmid, error))
      return FALSE;
    ShmemMap *m = load_shmem(l, shmid, error);
    if (m == NULL)
      return FALSE;
    map_shmem_runs(v, m, shared);
    /* Every VMA may show the same object again: bound what a small
     * pagemap-shmem image can multiply into. */
    if (shared->len > l->c->limits.max_entries) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                  "pagemap-%u.img: shared mappings show more than "
                  "%" G_GUINT64_FORMAT " page runs (max-entries limit)",
                  p->info.pid, l->c->limits.max_entries);
      return FALSE;
    }
  }
  if (shared->len == 0)
    return TRUE;
  /* Process pagemaps leave shared mappings out; a run found in both is a
   * broken image, and the private one wins. */
  g_array_append_vals(runs, shared->data, shared->len);
  g_array_sort(runs, cmp_run);
  GArray *kept =
      g_array_sized_new(FALSE, FALSE, sizeof(CkptPageRun), runs->len);
  uint64_t end = 0;
  for (size_t i = 0; i < runs->len; i++) {
    CkptPageRun *r = &g_array_index(runs, CkptPageRun, i);
    if (kept->len && r->vaddr < end) {
      ckpt_model_warn(l->c,
                      "pagemap-%u.img: shared pages at 0x%" G_GINT64_MODIFIER
                      "x overlap private ones, ignored",
                      p->info.pid, r->vaddr);
      continue;
    }
    g_array_append_val(kept, *r);
    end = run_end(r);
  }
  g_array_set_size(runs, 0);
  g_array_append_vals(runs, kept->data, kept->len);
  g_array_unref(kept);
  return TRUE;
}

/* Warns about a run no VMA (or chain of adjacent VMAs) covers. */
static void
check_run_in_vmas(CkptCheckpoint *c, const CkptProcess *p, size_t index,
                  const CkptPageRun *r)
{
  uint64_t at = r->vaddr, end = run_end(r);
  while (at < end) {
    const CkptVmaInfo *v = ckpt_mem_vma_find(p, at);
    if (v == NULL) {
      ckpt_model_warn(c,
                      "pagemap-%u.img: entry %zu page 0x%" G_GINT64_MODIFIER
                      "x is outside every vma",
                      p->info.pid, index, at);
      return;
    }
    at = v->end;
  }
}

static void
account_memory(CkptProcess *p)
{
  size_t v = 0;
  for (size_t i = 0; i < p->n_pages; i++) {
    const CkptPageRun *r = &p->pages[i];
    if (r->data == NULL)
      continue;
    uint64_t at = r->vaddr, end = run_end(r);
    p->info.mem_present += end - at;
    while (v < p->n_vmas && p->vmas[v].info.end <= at)
      v++;
    for (size_t k = v; k < p->n_vmas && p->vmas[k].info.start < end; k++) {
      CkptVma *vm = &p->vmas[k];
      if (vm->info.kind == CKPT_VMA_GUARD)
        break;
      uint64_t s = MAX(at, vm->info.start), e = MIN(end, vm->info.end);
      if (s < e) {
        vm->info.present += e - s;
        if (vm->info.kind == CKPT_VMA_SHARED ||
            vm->info.kind == CKPT_VMA_MEMFD ||
            vm->info.kind == CKPT_VMA_SYSVIPC)
          p->info.mem_shared += e - s;
      }
    }
  }
}

static gboolean
load_pages(Loader *l, CkptProcess *p, GError **error)
{
  CkptCheckpoint *c = l->c;
  g_autofree char *name = g_strdup_printf("pagemap-%u.img", p->info.pid);
  g_autoptr(GArray) runs = g_array_new(FALSE, FALSE, sizeof(CkptPageRun));
  gboolean present;

  if (!p->info.has_mm)
    return TRUE;
  if (!ckpt_model_read_pagemap(c, name, &p->pages_id, runs, &present, error))
    return FALSE;
  if (!present)
    ckpt_model_warn(c, "%s: missing for pid %u with memory", name, p->info.pid);
  if (!add_shared_memory(l, p, runs, error))
    return FALSE;
  p->n_pages = runs->len;
  p->pages = ckpt_model_alloc(c, runs->len, sizeof(CkptPageRun));
  if (runs->len)
    memcpy(p->pages, runs->data, runs->len * sizeof(CkptPageRun));
  for (size_t i = 0; i < p->n_pages; i++)
    check_run_in_vmas(c, p, i, &p->pages[i]);
  account_memory(p);
  return TRUE;
}

/* ---- argv and environment ----------------------------------------------- */

/* Splits buf at NULs into a NULL-ended array in the arena; trailing empty
 * strings (the NUL padding of a rewritten argv area) are dropped. */
static const char *const *
split_strings(CkptCheckpoint *c, const char *buf, size_t len)
{
  GPtrArray *parts = g_ptr_array_new();
  size_t at = 0, keep = 0;
  while (at < len) {
    const char *nul = memchr(buf + at, '\0', len - at);
    size_t n = nul ? (size_t)(nul - (buf + at)) : len - at;
    g_ptr_array_add(parts, (gpointer)utf8_str(c, buf + at, n));
    if (n > 0)
      keep = parts->len;
    at += n + 1;
  }
  const char **out = ckpt_model_alloc(c, keep + 1, sizeof(char *));
  for (size_t i = 0; i < keep; i++)
    out[i] = parts->pdata[i];
  g_ptr_array_unref(parts);
  return out;
}

/* Reads [start, end) of p's memory, at most MAX_ARGS_BYTES; returns how
 * much was present. */
static char *
read_area(const CkptProcess *p, uint64_t start, uint64_t end, size_t *len)
{
  uint64_t want = end > start ? end - start : 0;
  if (want > MAX_ARGS_BYTES)
    want = MAX_ARGS_BYTES;
  char *buf = g_malloc(want + 1);
  *len = ckpt_mem_read(p, start, buf, (size_t)want);
  buf[*len] = '\0';
  return buf;
}

static void
load_args(CkptCheckpoint *c, CkptProcess *p)
{
  static const char *const empty[] = {NULL};
  CkptProcessInfo *in = &p->info;
  size_t alen = 0, elen = 0;

  in->argv = empty;
  in->envp = empty;
  in->cmdline = ckpt_model_str(c, "");
  /* argv and the environment are read from memory: an open for a chain
   * that reads none (CKPT_READS_MEMORY) dropped the pages, and leaves
   * them empty rather than read them as absent */
  if (!in->has_mm || !ckpt_imageset_pages_kept(c->images))
    return;

  g_autofree char *args = read_area(p, in->mm_arg_start, in->mm_arg_end, &alen);
  g_autofree char *env = read_area(p, in->mm_env_start, in->mm_env_end, &elen);
  /* the title's overrun into the env area is read from env below; the
   * environment itself from wherever the process keeps it (environ.c) */
  ckpt_environ_load(c, p);

  if (alen > 0 && args[alen - 1] != '\0' &&
      alen == in->mm_arg_end - in->mm_arg_start &&
      in->mm_env_start == in->mm_arg_end) {
    /* The kernel's rule: an argv area not ending in NUL was overwritten
     * by a title that runs on into the environment area; the title is the
     * one string up to the first NUL. */
    size_t tlen = strnlen(args, alen);
    g_autofree char *title = NULL;
    if (tlen == alen) {
      size_t more = strnlen(env, elen);
      title = g_malloc(alen + more + 1);
      memcpy(title, args, alen);
      memcpy(title + alen, env, more);
      title[alen + more] = '\0';
    } else {
      title = g_strndup(args, tlen);
    }
    const char **argv = ckpt_model_alloc(c, 2, sizeof(char *));
    argv[0] = utf8_str(c, title, strlen(title));
    in->argv = argv;
  } else {
    in->argv = split_strings(c, args, alen);
  }
  g_autofree char *joined = g_strjoinv(" ", (char **)in->argv);
  in->cmdline = ckpt_model_str(c, joined);
}

/* ---- the stage ---------------------------------------------------------- */

static gboolean
load_process(Loader *l, CkptProcess *p, GError **error)
{
  return load_cores(l, p, error) && load_ids(l->c, p, error) &&
         load_fs(l->c, p, error) && load_mm(l->c, p, error) &&
         load_pages(l, p, error);
}

gboolean
ckpt_procs_load(CkptCheckpoint *c, GError **error)
{
  Loader l = {.c = c};
  gboolean ok = FALSE;

  if (!load_pstree(c, error))
    goto out;
  if (!load_cgroups(&l, error))
    goto out;
  for (size_t i = 0; i < c->n_procs; i++) {
    if (!load_process(&l, &c->procs[i], error))
      goto out;
    load_args(c, &c->procs[i]);
  }
  ok = TRUE;
out:
  loader_release(&l);
  return ok;
}

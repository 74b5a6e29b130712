/* pstree.c - the process tree plugin.
 *
 * Emits the checkpoint's processes as a TREE table (parents before their
 * children, children ordered by pid, as checkpointctl shows them), with the
 * state, credentials, capabilities, seccomp mode and cgroup of each, plus
 * side tables for threads, environments and the namespaces. The tree order
 * and depths are computed without recursion: the pids and ppids come from
 * the checkpoint and may describe any shape, cycles included.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "ckpt/plugin.h"

enum { T_PROCESSES, T_THREADS, T_ENVIRONMENT, T_NAMESPACES };

static const CkptOption options[] = {
    /* on by default: a null cmdline in JSON reads as "none recovered" */
    {"cmd", CKPT_T_BOOL, "true",
     "include each process's command line (false leaves it null)"},
    {"env", CKPT_T_BOOL, "false", "list each process's environment"},
    {"pid", CKPT_T_INT, "0", "show only the subtree of this pid"},
    {NULL},
};

/* Column names follow checkpointctl's JSON where the data is the same
 * (pid, command, cmdline, task_state). */
#define L CKPT_COL_LABEL
#define D CKPT_COL_DETAIL
static const CkptColumn process_columns[] = {
    /* a node reads "1  workload" (`ckpt inspect` brackets the pid), with
     * the state, credentials and confinement as "Title: value" lines */
    {"pid", CKPT_T_UINT, "PID", L,
     .help = "process id in the container's pid namespace"},
    {"command", CKPT_T_STR, "Command", L,
     .help = "process name (comm), at most 15 bytes"},
    {"cmdline", CKPT_T_STR, "Command line", D,
     .help = "command line read from the process memory (with the cmd option)"},
    {"task_state", CKPT_T_STR, "State", D,
     .help = "Alive, Stopped, Zombie or Dead, as CRIU recorded it"},
    {"exit_code", CKPT_T_INT, "Exit code", D,
     .help = "exit code of a zombie or dead task"},
    {"memory", CKPT_T_SIZE, "Memory", D,
     .help = "bytes of this process's pages in the dump"},
    {"threads", CKPT_T_UINT, "Threads", D, .help = "number of threads"},
    {"ppid", CKPT_T_UINT, "PPID", .help = "parent process id"},
    {"pgid", CKPT_T_UINT, "PGID", .help = "process group id"},
    {"sid", CKPT_T_UINT, "SID", .help = "session id"},
    {"uid", CKPT_T_UINT, "UID", D, .help = "real user id"},
    {"euid", CKPT_T_UINT, "EUID", .help = "effective user id"},
    {"gid", CKPT_T_UINT, "GID", D, .help = "real group id"},
    {"egid", CKPT_T_UINT, "EGID", .help = "effective group id"},
    {"cap_eff", CKPT_T_ADDR, "Effective capabilities", D,
     .help = "effective capability set, as a bit mask"},
    {"cap_prm", CKPT_T_ADDR, "Permitted capabilities",
     .help = "permitted capability set"},
    {"cap_inh", CKPT_T_ADDR, "Inheritable capabilities",
     .help = "inheritable capability set"},
    {"cap_bnd", CKPT_T_ADDR, "Bounding capabilities",
     .help = "capability bounding set"},
    {"cap_amb", CKPT_T_ADDR, "Ambient capabilities",
     .help = "ambient capability set"},
    {"seccomp", CKPT_T_STR, "Seccomp", D,
     .help = "seccomp mode: disabled, strict or filter"},
    {"no_new_privs", CKPT_T_BOOL, "No new privileges",
     .help = "whether the no_new_privs bit was set"},
    {"cgroup", CKPT_T_STR, "Cgroup", D, .help = "cgroup path of the process"},
    {"cwd", CKPT_T_STR, "CWD", .help = "working directory"},
    {"root", CKPT_T_STR, "Root", .help = "root directory (chroot)"},
    {"exe", CKPT_T_STR, "Executable", D, .help = "executable file"},
    /* where the environment was read: "original" (the env area),
     * "relocated" (where a title rewriter moved it), "spec" (nothing in
     * memory; the spec's configured one, for the container's first
     * process), "none" (nothing trustworthy); null for zombies */
    {"env_source", CKPT_T_STR, "Environment source",
     .help = "where the environment was read: original, relocated, spec or "
             "none"},
    {"env_array", CKPT_T_ADDR, "Environment array",
     .help = "address of the environ array it was read from"},
    {NULL},
};

static const CkptColumn thread_columns[] = {
    {"pid", CKPT_T_UINT, "PID", .help = "process the thread belongs to"},
    {"tid", CKPT_T_UINT, "TID", L, .help = "thread id"},
    {"comm", CKPT_T_STR, "Name", L, .help = "thread name"},
    {"ip", CKPT_T_ADDR, "IP", D, .help = "instruction pointer when dumped"},
    {"sp", CKPT_T_ADDR, "SP", D, .help = "stack pointer when dumped"},
    {NULL},
};

static const CkptColumn env_columns[] = {
    {"pid", CKPT_T_UINT, "PID", L,
     .help = "process the variable was read from"},
    {"name", CKPT_T_STR, "Name", L, .help = "variable name"},
    {"value", CKPT_T_STR, "Value", L,
     .help = "its value, read from the process memory"},
    {"source", CKPT_T_STR, "Source",
     .help = "where it was read, as the process's env_source"},
    {NULL},
};
#undef L
#undef D

static const CkptColumn ns_columns[] = {
    {"hostname", CKPT_T_STR, "Hostname",
     .help = "hostname of the UTS namespace"},
    {"domainname", CKPT_T_STR, "Domain name",
     .help = "domain name of the UTS namespace"},
    {"pid_ns", CKPT_T_UINT, "PID namespace",
     .help = "id CRIU gave the pid namespace"},
    {"net_ns", CKPT_T_UINT, "Network namespace",
     .help = "id CRIU gave the network namespace"},
    {"mnt_ns", CKPT_T_UINT, "Mount namespace",
     .help = "id CRIU gave the mount namespace"},
    {"uts_ns", CKPT_T_UINT, "UTS namespace",
     .help = "id CRIU gave the UTS namespace"},
    {"ipc_ns", CKPT_T_UINT, "IPC namespace",
     .help = "id CRIU gave the IPC namespace"},
    {"user_ns", CKPT_T_UINT, "User namespace",
     .help = "id CRIU gave the user namespace"},
    {"cgroup_ns", CKPT_T_UINT, "Cgroup namespace",
     .help = "id CRIU gave the cgroup namespace"},
    {NULL},
};

static const CkptTable tables[] = {
    [T_PROCESSES] = {"processes", "Process tree", CKPT_LAYOUT_TREE,
                     process_columns},
    [T_THREADS] = {"threads", "Threads", CKPT_LAYOUT_TABLE, thread_columns},
    [T_ENVIRONMENT] = {"environment", "Environment variables",
                       CKPT_LAYOUT_TABLE, env_columns},
    [T_NAMESPACES] = {"namespaces", "Namespaces", CKPT_LAYOUT_RECORD,
                      ns_columns},
    {NULL},
};

/* checkpointctl's (go-criu's) names for CRIU's task states */
static const char *
state_name(CkptProcState s)
{
  switch (s) {
  case CKPT_PROC_ALIVE:
    return "Alive";
  case CKPT_PROC_DEAD:
    return "Dead";
  case CKPT_PROC_STOPPED:
    return "Stopped";
  case CKPT_PROC_ZOMBIE:
    return "Zombie";
  }
  return "Unknown";
}

static const char *
seccomp_name(int mode)
{
  switch (mode) {
  case 0:
    return "disabled";
  case 1:
    return "strict";
  case 2:
    return "filter";
  }
  return "unknown";
}

/* ---- tree order -------------------------------------------------------- */

/* The order in which rows are emitted: a pre-order walk with children
 * sorted by pid, and each row's depth. */
typedef struct {
  size_t n;
  const CkptProcessInfo **info; /* by process index */
  size_t *by_pid;               /* process indexes sorted by pid */
  long *parent;                 /* process index of the parent, or -1 */
  size_t *child_start;          /* CSR children lists, n + 1 entries */
  size_t *children;
  size_t *order; /* emitted process indexes, n_order of them */
  unsigned *depth;
  size_t n_order;
} TreeOrder;

static int
cmp_by_pid(const void *a, const void *b, void *data)
{
  const CkptProcessInfo **info = data;
  uint32_t pa = info[*(const size_t *)a]->pid;
  uint32_t pb = info[*(const size_t *)b]->pid;
  if (pa != pb)
    return pa < pb ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Index of the first process with this pid, or -1. */
static long
find_pid(const TreeOrder *t, uint32_t pid)
{
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->info[t->by_pid[mid]]->pid < pid)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < t->n && t->info[t->by_pid[lo]]->pid == pid)
    return (long)t->by_pid[lo];
  return -1;
}

static void
tree_order_free(TreeOrder *t)
{
  free(t->info);
  free(t->by_pid);
  free(t->parent);
  free(t->child_start);
  free(t->children);
  free(t->order);
  free(t->depth);
}

/* Walks the subtree at root iteratively, appending to t->order. */
static void
walk_from(TreeOrder *t, size_t root, unsigned char *seen, size_t *stack,
          unsigned *stack_depth)
{
  size_t sp = 0;
  if (seen[root])
    return;
  seen[root] = 1;
  stack[sp] = root;
  stack_depth[sp++] = 0;
  while (sp > 0) {
    size_t i = stack[--sp];
    unsigned d = stack_depth[sp];
    t->order[t->n_order] = i;
    t->depth[t->n_order++] = d;
    /* push in reverse so the smallest pid comes out first */
    for (size_t k = t->child_start[i + 1]; k > t->child_start[i]; k--) {
      size_t c = t->children[k - 1];
      if (seen[c])
        continue; /* a cycle or a duplicate: show each process once */
      seen[c] = 1;
      stack[sp] = c;
      stack_depth[sp++] = d + 1;
    }
  }
}

static int
tree_order_build(const CkptApi *api, CkptRun *run, TreeOrder *t, long only_root)
{
  size_t n = api->process_count(run);
  memset(t, 0, sizeof(*t));
  t->n = n;
  t->info = calloc(n + 1, sizeof(*t->info));
  t->by_pid = calloc(n + 1, sizeof(*t->by_pid));
  t->parent = calloc(n + 1, sizeof(*t->parent));
  t->child_start = calloc(n + 2, sizeof(*t->child_start));
  t->children = calloc(n + 1, sizeof(*t->children));
  t->order = calloc(n + 1, sizeof(*t->order));
  t->depth = calloc(n + 1, sizeof(*t->depth));
  unsigned char *seen = calloc(n + 1, 1);
  size_t *stack = calloc(n + 1, sizeof(*stack));
  unsigned *stack_depth = calloc(n + 1, sizeof(*stack_depth));
  size_t *fill = calloc(n + 1, sizeof(*fill));
  if (!t->info || !t->by_pid || !t->parent || !t->child_start || !t->children ||
      !t->order || !t->depth || !seen || !stack || !stack_depth || !fill) {
    free(seen);
    free(stack);
    free(stack_depth);
    free(fill);
    return -1;
  }

  for (size_t i = 0; i < n; i++) {
    t->info[i] = api->process_info(api->process_at(run, i));
    t->by_pid[i] = i;
  }
  qsort_r(t->by_pid, n, sizeof(*t->by_pid), cmp_by_pid, t->info);

  for (size_t i = 0; i < n; i++) {
    uint32_t ppid = t->info[i]->ppid;
    long p = ppid ? find_pid(t, ppid) : -1;
    t->parent[i] = (p == (long)i) ? -1 : p;
    if (t->parent[i] >= 0)
      t->child_start[t->parent[i] + 1]++;
  }
  for (size_t i = 0; i < n; i++)
    t->child_start[i + 1] += t->child_start[i];
  /* filling in pid order keeps every children list sorted by pid */
  for (size_t k = 0; k < n; k++) {
    size_t i = t->by_pid[k];
    long p = t->parent[i];
    if (p >= 0)
      t->children[t->child_start[p] + fill[p]++] = i;
  }

  if (only_root >= 0) {
    walk_from(t, (size_t)only_root, seen, stack, stack_depth);
  } else {
    for (size_t k = 0; k < n; k++)
      if (t->parent[t->by_pid[k]] < 0)
        walk_from(t, t->by_pid[k], seen, stack, stack_depth);
    /* processes caught in a parent cycle have no root: show them too */
    for (size_t k = 0; k < n; k++)
      walk_from(t, t->by_pid[k], seen, stack, stack_depth);
  }
  free(seen);
  free(stack);
  free(stack_depth);
  free(fill);
  return 0;
}

/* ---- rows -------------------------------------------------------------- */

static int
has_state(const CkptProcessInfo *pi)
{
  /* dead and zombie tasks have no memory, files or credentials dumped */
  return pi->state == CKPT_PROC_ALIVE || pi->state == CKPT_PROC_STOPPED;
}

/* The container's first process: the one the spec's process.env is for. */
static int
is_first(const CkptProcessInfo *pi)
{
  return pi->ppid == 0;
}

/* env_source's text, "spec" when the spec stands in (see env_columns) */
static const char *
env_source_name(const CkptApi *api, CkptRun *run, const CkptProcessInfo *pi)
{
  if (!CKPT_HAS(pi, env_source))
    return NULL;
  switch (pi->env_source) {
  case CKPT_ENV_ORIGINAL:
    return "original";
  case CKPT_ENV_RELOCATED:
    return "relocated";
  case CKPT_ENV_NONE:
    break;
  }
  const CkptContainerInfo *ci = api->container(run);
  if (pi->has_mm && is_first(pi) && ci && ci->n_spec_env > 0)
    return "spec";
  return "none";
}

static const char *
cmdline_of(const CkptProcessInfo *pi)
{
  if (pi->cmdline && pi->cmdline[0])
    return pi->cmdline;
  return NULL;
}

static void
emit_process(const CkptApi *api, CkptRun *run, const CkptProcessInfo *pi,
             unsigned depth, int want_cmd)
{
  int live = has_state(pi);
  CkptValue v[] = {
      CKPT_UINT(pi->pid),
      CKPT_STR(pi->comm),
      want_cmd && live ? CKPT_STR(cmdline_of(pi)) : CKPT_NULL,
      CKPT_STR(state_name(pi->state)),
      live ? CKPT_NULL : CKPT_INT(pi->exit_code),
      pi->has_mm ? CKPT_SIZE(pi->mem_present) : CKPT_NULL,
      CKPT_UINT(pi->n_threads),
      CKPT_UINT(pi->ppid),
      CKPT_UINT(pi->pgid),
      CKPT_UINT(pi->sid),
      live ? CKPT_UINT(pi->uid) : CKPT_NULL,
      live ? CKPT_UINT(pi->euid) : CKPT_NULL,
      live ? CKPT_UINT(pi->gid) : CKPT_NULL,
      live ? CKPT_UINT(pi->egid) : CKPT_NULL,
      live ? CKPT_ADDR(pi->cap_eff) : CKPT_NULL,
      live ? CKPT_ADDR(pi->cap_prm) : CKPT_NULL,
      live ? CKPT_ADDR(pi->cap_inh) : CKPT_NULL,
      live ? CKPT_ADDR(pi->cap_bnd) : CKPT_NULL,
      live ? CKPT_ADDR(pi->cap_amb) : CKPT_NULL,
      live ? CKPT_STR(seccomp_name(pi->seccomp_mode)) : CKPT_NULL,
      live ? CKPT_BOOL(pi->no_new_privs) : CKPT_NULL,
      CKPT_STR(pi->cgroup),
      CKPT_STR(pi->cwd),
      CKPT_STR(pi->root),
      CKPT_STR(pi->exe),
      live ? CKPT_STR(env_source_name(api, run, pi)) : CKPT_NULL,
      live && CKPT_HAS(pi, env_array) && pi->env_array
          ? CKPT_ADDR(pi->env_array)
          : CKPT_NULL,
  };
  api->emit(run, T_PROCESSES, depth, v, sizeof(v) / sizeof(v[0]));
}

static void
emit_threads(const CkptApi *api, CkptRun *run, const CkptProcess *p,
             const CkptProcessInfo *pi)
{
  size_t n = api->thread_count(p);
  for (size_t i = 0; i < n; i++) {
    const CkptThreadInfo *ti = api->thread_at(p, i);
    if (ti == NULL)
      continue;
    CkptValue v[] = {
        CKPT_UINT(pi->pid),
        CKPT_UINT(ti->tid),
        CKPT_STR(ti->comm),
        ti->has_regs ? CKPT_ADDR(ti->regs.ip) : CKPT_NULL,
        ti->has_regs ? CKPT_ADDR(ti->regs.sp) : CKPT_NULL,
    };
    api->emit(run, T_THREADS, 0, v, sizeof(v) / sizeof(v[0]));
  }
}

/* One row per NAME=VALUE; an entry without '=' keeps its text as the name
 * and has no value, rather than failing the whole listing. With nothing
 * in memory, the first process shows the spec's configured variables,
 * each row saying so (source "spec"). */
static void
emit_environment(const CkptApi *api, CkptRun *run, const CkptProcessInfo *pi)
{
  const char *source = env_source_name(api, run, pi);
  if (source && strcmp(source, "spec") == 0) {
    const CkptContainerInfo *ci = api->container(run);
    for (size_t i = 0; i < ci->n_spec_env; i++) {
      const CkptKeyValue *kv = &ci->spec_env[i];
      if (kv->key == NULL)
        continue;
      CkptValue v[] = {CKPT_UINT(pi->pid), CKPT_STR(kv->key),
                       CKPT_STR(kv->value), CKPT_STR(source)};
      api->emit(run, T_ENVIRONMENT, 0, v, 4);
    }
    return;
  }
  if (pi->envp == NULL)
    return;
  for (size_t i = 0; pi->envp[i]; i++) {
    const char *e = pi->envp[i];
    const char *eq = strchr(e, '=');
    char *name = eq ? strndup(e, (size_t)(eq - e)) : NULL;
    CkptValue v[] = {
        CKPT_UINT(pi->pid),
        CKPT_STR(name ? name : e),
        eq ? CKPT_STR(eq + 1) : CKPT_NULL,
        CKPT_STR(source),
    };
    api->emit(run, T_ENVIRONMENT, 0, v, 4);
    free(name);
  }
}

static void
emit_namespaces(const CkptApi *api, CkptRun *run)
{
  const CkptNamespaceInfo *ns = api->namespaces(run);
  if (ns == NULL)
    return;
  CkptValue v[] = {
      CKPT_STR(ns->hostname),
      CKPT_STR(ns->domainname),
      ns->pid_ns ? CKPT_UINT(ns->pid_ns) : CKPT_NULL,
      ns->net_ns ? CKPT_UINT(ns->net_ns) : CKPT_NULL,
      ns->mnt_ns ? CKPT_UINT(ns->mnt_ns) : CKPT_NULL,
      ns->uts_ns ? CKPT_UINT(ns->uts_ns) : CKPT_NULL,
      ns->ipc_ns ? CKPT_UINT(ns->ipc_ns) : CKPT_NULL,
      ns->user_ns ? CKPT_UINT(ns->user_ns) : CKPT_NULL,
      ns->cgroup_ns ? CKPT_UINT(ns->cgroup_ns) : CKPT_NULL,
  };
  api->emit(run, T_NAMESPACES, 0, v, sizeof(v) / sizeof(v[0]));
}

static CkptStatus
pstree_run(const CkptApi *api, CkptRun *run)
{
  int want_cmd = api->opt_bool(run, "cmd");
  int want_env = api->opt_bool(run, "env");
  int64_t pid = api->opt_int(run, "pid");
  long root = -1;
  TreeOrder t;

  if (pid < 0 || pid > UINT32_MAX) {
    api->error(run, "pid %lld is out of range", (long long)pid);
    return CKPT_FAILED;
  }
  if (tree_order_build(api, run, &t, -1) != 0) {
    tree_order_free(&t);
    api->error(run, "out of memory ordering %zu processes", t.n);
    return CKPT_FAILED;
  }
  if (pid != 0) {
    root = find_pid(&t, (uint32_t)pid);
    if (root < 0) {
      tree_order_free(&t);
      api->error(run,
                 "no process with pid %lld (use `inspect --ps-tree` to "
                 "view all pids)",
                 (long long)pid);
      return CKPT_FAILED;
    }
    tree_order_free(&t);
    if (tree_order_build(api, run, &t, root) != 0) {
      tree_order_free(&t);
      api->error(run, "out of memory ordering processes");
      return CKPT_FAILED;
    }
  }

  for (size_t k = 0; k < t.n_order; k++)
    emit_process(api, run, t.info[t.order[k]], t.depth[k], want_cmd);
  for (size_t k = 0; k < t.n_order; k++) {
    const CkptProcess *p = api->process_at(run, t.order[k]);
    const CkptProcessInfo *pi = t.info[t.order[k]];
    emit_threads(api, run, p, pi);
    if (want_env && has_state(pi))
      emit_environment(api, run, pi);
  }
  emit_namespaces(api, run);
  tree_order_free(&t);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL | CKPT_READS_MEMORY, "pstree",
                         "0.1.0",
                         "process tree: states, command lines, credentials, "
                         "threads, environments, namespaces",
                         "Apache-2.0", options, NULL, tables, NULL, pstree_run,
                         NULL);

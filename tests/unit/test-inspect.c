/* test-inspect.c - the inspection plugins (pstree, files, sockets, mounts)
 * run through the real host over the real fixtures, checked against crit's
 * decode of the same images (tests/fixtures/oracle/) and against what the
 * fixture workload planted (tests/fixtures/README.md). Also feeds a process
 * tree whose parents form a cycle, and a truncated archive.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "host/host.h"
#include "criu/image.h"
#include "model/model.h"
#include "render/render.h"
#include "host/results.h"
#include "host/run.h"

static CkptHost *host;

/* ---- helpers ----------------------------------------------------------- */

static char *
fixture_path(const char *name)
{
  const char *dir = g_getenv("CKPT_FIXTURES");
  g_assert_nonnull(dir);
  return g_build_filename(dir, name, NULL);
}

/* oracle/<fixture>/<image>.json, parsed; the parser owns the nodes */
static JsonParser *
oracle_load(const char *fixture, const char *image)
{
  g_autofree char *base = g_strdup_printf("oracle/%s/%s.json", fixture, image);
  g_autofree char *path = fixture_path(base);
  JsonParser *p = json_parser_new();
  g_autoptr(GError) error = NULL;
  if (!json_parser_load_from_file(p, path, &error))
    g_error("cannot read oracle %s: %s", path, error->message);
  return p;
}

static JsonArray *
oracle_entries(JsonParser *p)
{
  return json_object_get_array_member(
      json_node_get_object(json_parser_get_root(p)), "entries");
}

static void
load_plugins(void)
{
  const char *build = g_getenv("CKPT_BUILD_ROOT");
  static const char *const names[] = {"pstree", "files", "sockets", "mounts"};
  g_assert_nonnull(build);
  host = ckpt_host_new();
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *file = g_strdup_printf("%s.so", names[i]);
    g_autofree char *path =
        g_build_filename(build, "plugins", names[i], file, NULL);
    g_autoptr(GError) error = NULL;
    if (!ckpt_host_load_file(host, path, &error))
      g_error("loading %s: %s", path, error->message);
  }
  ckpt_host_finish(host, ckpt_api_table());
  /* these tests compare what the plugins read with the fixtures' planted
   * values; the redaction policy is tested on its own (/inspect/redact) */
  ckpt_host_set_reveal(host, TRUE);
}

/* Runs one plugin with "name=value" options over a fixture. */
static CkptReport *
run_plugin(const char *fixture, const char *plugin, const char *const *sets,
           CkptPluginOutcome *outcome)
{
  g_autofree char *path = fixture_path(fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(path, NULL, &error);
  g_assert_no_error(error);
  const CkptLoadedPlugin *lp = ckpt_host_find(host, plugin);
  g_assert_nonnull(lp);
  GArray *opts = ckpt_options_new(lp->desc);
  for (size_t i = 0; sets && sets[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(sets[i], "=", 2);
    g_assert_true(ckpt_options_set(opts, lp->desc, kv[0], kv[1], &error));
    g_assert_no_error(error);
  }
  CkptReport *r = ckpt_report_new(path);
  CkptPluginOutcome o = ckpt_host_run_plugin(host, lp, c, opts, r);
  if (outcome)
    *outcome = o;
  else
    g_assert_cmpint(o, ==, CKPT_PLUGIN_RAN_OK);
  g_array_unref(opts);
  return r;
}

static const CkptResult *
table(const CkptReport *r, const char *plugin, const char *name)
{
  const CkptResult *t = ckpt_report_table(r, plugin, name);
  g_assert_nonnull(t);
  return t;
}

static int
col(const CkptResult *t, const char *name)
{
  for (size_t i = 0; t->decl->columns[i].name; i++)
    if (strcmp(t->decl->columns[i].name, name) == 0)
      return (int)i;
  g_error("no column %s in %s", name, t->decl->name);
  return -1;
}

static const CkptRow *
row(const CkptResult *t, size_t i)
{
  return &g_array_index(t->rows, CkptRow, i);
}

static const char *
cell_str(const CkptResult *t, size_t i, const char *name)
{
  const CkptValue *v = &row(t, i)->values[col(t, name)];
  return v->type == CKPT_T_STR ? v->v.s : NULL;
}

static gboolean
cell_null(const CkptResult *t, size_t i, const char *name)
{
  return row(t, i)->values[col(t, name)].type == CKPT_T_NULL;
}

static uint64_t
cell_u(const CkptResult *t, size_t i, const char *name)
{
  const CkptValue *v = &row(t, i)->values[col(t, name)];
  g_assert_cmpint(v->type, !=, CKPT_T_NULL);
  return v->v.u;
}

/* first row whose column equals the unsigned value, or -1 */
static long
find_u(const CkptResult *t, const char *name, uint64_t value)
{
  for (size_t i = 0; i < t->rows->len; i++)
    if (!cell_null(t, i, name) && cell_u(t, i, name) == value)
      return (long)i;
  return -1;
}

/* first row whose column equals the text, or -1 */
static long
find_s(const CkptResult *t, const char *name, const char *value)
{
  for (size_t i = 0; i < t->rows->len; i++)
    if (g_strcmp0(cell_str(t, i, name), value) == 0)
      return (long)i;
  return -1;
}

/* crit names task_state 3 (stopped) "Zombie" and leaves 2 (a zombie, which
 * CRIU dumps as TASK_DEAD) a number; this maps crit's output to the names
 * the state really has. */
static const char *
oracle_state(JsonNode *n)
{
  if (JSON_NODE_HOLDS_VALUE(n) &&
      json_node_get_value_type(n) == G_TYPE_STRING) {
    const char *s = json_node_get_string(n);
    if (strcmp(s, "Alive") == 0)
      return "Alive";
    if (strcmp(s, "Zombie") == 0)
      return "Stopped";
    return s;
  }
  switch (json_node_get_int(n)) {
  case 1:
    return "Alive";
  case 2:
    return "Zombie";
  case 3:
    return "Stopped";
  }
  return "?";
}

/* ---- pstree ------------------------------------------------------------ */

typedef struct {
  const char *fixture; /* file or directory under tests/fixtures */
  const char *oracle;  /* directory under oracle/ */
} Fixture;

static void
test_pstree_oracle(gconstpointer data)
{
  const Fixture *f = data;
  static const char *const sets[] = {"cmd=true", NULL};
  g_autoptr(CkptReport) r = run_plugin(f->fixture, "pstree", sets, NULL);
  const CkptResult *t = table(r, "pstree", "processes");
  g_autoptr(JsonParser) ps = oracle_load(f->oracle, "pstree.img");
  JsonArray *entries = oracle_entries(ps);

  g_assert_cmpuint(t->rows->len, ==, json_array_get_length(entries));
  for (guint k = 0; k < json_array_get_length(entries); k++) {
    JsonObject *e = json_array_get_object_element(entries, k);
    uint64_t pid = (uint64_t)json_object_get_int_member(e, "pid");
    uint64_t ppid = (uint64_t)json_object_get_int_member(e, "ppid");
    long i = find_u(t, "pid", pid);
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpuint(cell_u(t, (size_t)i, "ppid"), ==, ppid);

    g_autofree char *core =
        g_strdup_printf("core-%" G_GUINT64_FORMAT ".img", pid);
    g_autoptr(JsonParser) cp = oracle_load(f->oracle, core);
    JsonObject *ce = json_array_get_object_element(oracle_entries(cp), 0);
    JsonObject *tc = json_object_get_object_member(ce, "tc");
    g_assert_cmpstr(cell_str(t, (size_t)i, "command"), ==,
                    json_object_get_string_member(tc, "comm"));
    const char *state = oracle_state(json_object_get_member(tc, "task_state"));
    g_assert_cmpstr(cell_str(t, (size_t)i, "task_state"), ==, state);

    if (strcmp(state, "Alive") == 0 || strcmp(state, "Stopped") == 0) {
      JsonArray *threads = json_object_get_array_member(e, "threads");
      g_assert_cmpuint(cell_u(t, (size_t)i, "threads"), ==,
                       json_array_get_length(threads));
      JsonObject *thc = json_object_get_object_member(ce, "thread_core");
      JsonObject *cr = json_object_get_object_member(thc, "creds");
      g_assert_cmpuint(cell_u(t, (size_t)i, "uid"), ==,
                       (uint64_t)json_object_get_int_member(cr, "uid"));
      JsonArray *eff = json_object_get_array_member(cr, "cap_eff");
      uint64_t cap = (uint64_t)json_array_get_int_element(eff, 0) |
                     (uint64_t)json_array_get_int_element(eff, 1) << 32;
      g_assert_cmpuint(cell_u(t, (size_t)i, "cap_eff"), ==, cap);
      g_assert_cmpstr(cell_str(t, (size_t)i, "seccomp"), ==,
                      json_object_get_string_member(thc, "seccomp_mode"));
    } else {
      /* zombies: the exit status decoded, no command line */
      g_assert_cmpint(row(t, i)->values[col(t, "exit_code")].v.i, ==,
                      (json_object_get_int_member(tc, "exit_code") >> 8) &
                          0xff);
      g_assert_true(cell_null(t, (size_t)i, "cmdline"));
    }
  }

  /* pre-order: every row's parent came earlier, one level up; siblings in
   * pid order */
  for (size_t i = 0; i < t->rows->len; i++) {
    unsigned d = row(t, i)->depth;
    uint64_t ppid = cell_u(t, i, "ppid");
    if (ppid == 0) {
      g_assert_cmpuint(d, ==, 0);
      continue;
    }
    long p = find_u(t, "pid", ppid);
    g_assert_cmpint(p, >=, 0);
    g_assert_cmpint(p, <, (long)i);
    g_assert_cmpuint(d, ==, row(t, (size_t)p)->depth + 1);
    for (size_t j = (size_t)p + 1; j < i; j++)
      if (row(t, j)->depth == d)
        g_assert_cmpuint(cell_u(t, j, "pid"), <, cell_u(t, i, "pid"));
  }
}

/* Without options every live process has its title as `ps` shows it:
 * the cmdline column is data, not an opt-in (a null reads as "none") */
static void
test_pstree_cmdline_default(void)
{
  static const struct {
    const char *fixture;
    uint64_t pid;
    const char *cmdline;
  } cases[] = {
      {"podman-fdzoo.tar", 1, "/app/fdzoo"},
      {"podman-fdzoo.tar", 2, "/app/fdzoo"},
      {"real-nginx.tar", 1,
       "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf"},
      {"real-nginx.tar", 2, "nginx: worker process"},
      {"real-nginx.tar", 3, "nginx: worker process"},
      {"real-redis.tar", 1, "/usr/bin/redis-server 127.0.0.1:6379"},
      {"real-sshd.tar", 1,
       "sshd: /usr/sbin/sshd -D -e [listener] 0 of 10-100 startups"},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_autoptr(CkptReport) r =
        run_plugin(cases[k].fixture, "pstree", NULL, NULL);
    const CkptResult *t = table(r, "pstree", "processes");
    long i = find_u(t, "pid", cases[k].pid);
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(cell_str(t, i, "cmdline"), ==, cases[k].cmdline);
  }
}

/* The host's redaction policy over the pstree plugin's rows: each planted
 * value of env.txt is shown as the secrets engine redacts it, never in
 * full, and names, pids and other variables are untouched. */
static void
test_redact_env(void)
{
  static const char *const sets[] = {"cmd=true", "env=true", NULL};
  static const struct {
    const char *name, *shown;
  } want[] = {
      {"API_TOKEN", "tok_\u2026(33)"},
      {"AWS_ACCESS_KEY_ID", "AKIA\u2026(20)"},
      {"AWS_SECRET_ACCESS_KEY", "wJal\u2026(40)"},
      {"DATABASE_URL", "postgres://app:***@db:5432/app"},
      {"GITHUB_TOKEN", "ghp_\u2026(40)"},
  };
  ckpt_host_set_reveal(host, FALSE);
  g_autoptr(CkptReport) r = run_plugin("podman-none.tar", "pstree", sets, NULL);
  ckpt_host_set_reveal(host, TRUE);
  const CkptResult *env = table(r, "pstree", "environment");
  for (size_t k = 0; k < G_N_ELEMENTS(want); k++) {
    gboolean found = FALSE;
    for (size_t i = 0; i < env->rows->len; i++)
      if (cell_u(env, i, "pid") == 1 &&
          g_strcmp0(cell_str(env, i, "name"), want[k].name) == 0) {
        g_assert_cmpstr(cell_str(env, i, "value"), ==, want[k].shown);
        found = TRUE;
      }
    g_assert_true(found);
  }
  const CkptResult *t = table(r, "pstree", "processes");
  g_assert_cmpstr(cell_str(t, find_u(t, "pid", 1), "cmdline"), ==,
                  "/app/workload --config=/app/config.env "
                  "--listen=0.0.0.0:8080");
}

static void
test_pstree_cmdline_env(void)
{
  static const char *const sets[] = {"cmd=true", "env=true", NULL};
  g_autoptr(CkptReport) r = run_plugin("podman-none.tar", "pstree", sets, NULL);
  const CkptResult *t = table(r, "pstree", "processes");
  long p1 = find_u(t, "pid", 1), p5 = find_u(t, "pid", 5);
  g_assert_cmpint(p1, >=, 0);
  g_assert_cmpint(p5, >=, 0);
  g_assert_cmpstr(cell_str(t, p1, "cmdline"), ==,
                  "/app/workload --config=/app/config.env "
                  "--listen=0.0.0.0:8080");
  /* the worker rewrote its argv area: its title, never its environment */
  const char *c5 = cell_str(t, p5, "cmdline");
  g_assert_nonnull(c5);
  g_assert_true(g_str_has_prefix(c5, "ckpt-worker: idle"));
  g_assert_null(strstr(c5, "API_TOKEN"));
  g_assert_null(strstr(c5, "PATH="));
  /* real memory size on CRIU 4.2 images (checkpointctl shows 0 B) */
  g_assert_cmpuint(cell_u(t, p1, "memory"), >, 0);

  /* every variable of env.txt, with its value, in pid 1 and pid 5 */
  const CkptResult *env = table(r, "pstree", "environment");
  g_autofree char *envtxt_path = fixture_path("env.txt");
  g_autofree char *envtxt = NULL;
  g_assert_true(g_file_get_contents(envtxt_path, &envtxt, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(envtxt, "\n", -1);
  for (size_t k = 0; lines[k]; k++) {
    char *eq = strchr(lines[k], '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    for (uint64_t pid = 1; pid <= 5; pid += 4) {
      gboolean found = FALSE;
      for (size_t i = 0; i < env->rows->len; i++)
        if (cell_u(env, i, "pid") == pid &&
            g_strcmp0(cell_str(env, i, "name"), lines[k]) == 0) {
          g_assert_cmpstr(cell_str(env, i, "value"), ==, eq + 1);
          found = TRUE;
        }
      g_assert_true(found);
    }
  }
  g_assert_cmpint(find_u(env, "pid", 3), ==, -1); /* the zombie has none */

  /* threads: pid 1 has tids 1 and 4, the second named ckpt-thread */
  const CkptResult *th = table(r, "pstree", "threads");
  long t4 = find_u(th, "tid", 4);
  g_assert_cmpint(t4, >=, 0);
  g_assert_cmpuint(cell_u(th, t4, "pid"), ==, 1);
  g_assert_cmpstr(cell_str(th, t4, "comm"), ==, "ckpt-thread");

  /* namespaces: the UTS hostname crit decoded */
  const CkptResult *ns = table(r, "pstree", "namespaces");
  g_autoptr(JsonParser) uts = oracle_load("podman-none", "utsns-12.img");
  JsonObject *u = json_array_get_object_element(oracle_entries(uts), 0);
  g_assert_cmpuint(ns->rows->len, ==, 1);
  g_assert_cmpstr(cell_str(ns, 0, "hostname"), ==,
                  json_object_get_string_member(u, "nodename"));
}

static void
test_pstree_pid(void)
{
  static const char *const five[] = {"pid=5", NULL};
  g_autoptr(CkptReport) r = run_plugin("podman-none.tar", "pstree", five, NULL);
  const CkptResult *t = table(r, "pstree", "processes");
  g_assert_cmpuint(t->rows->len, ==, 1);
  g_assert_cmpuint(cell_u(t, 0, "pid"), ==, 5);
  g_assert_cmpuint(row(t, 0)->depth, ==, 0);

  static const char *const none[] = {"pid=4242", NULL};
  CkptPluginOutcome o;
  g_autoptr(CkptReport) r2 = run_plugin("podman-none.tar", "pstree", none, &o);
  g_assert_cmpint(o, ==, CKPT_PLUGIN_RAN_FAILED);
}

/* ---- files ------------------------------------------------------------- */

static void
test_files_oracle(void)
{
  g_autoptr(CkptReport) r = run_plugin("podman-none.tar", "files", NULL, NULL);
  const CkptResult *t = table(r, "files", "files");
  static const uint64_t live[] = {1, 2, 5};
  for (size_t k = 0; k < G_N_ELEMENTS(live); k++) {
    g_autofree char *ids =
        g_strdup_printf("ids-%" G_GUINT64_FORMAT ".img", live[k]);
    g_autoptr(JsonParser) ip = oracle_load("podman-none", ids);
    JsonObject *ie = json_array_get_object_element(oracle_entries(ip), 0);
    g_autofree char *fdinfo =
        g_strdup_printf("fdinfo-%" G_GINT64_FORMAT ".img",
                        json_object_get_int_member(ie, "files_id"));
    g_autoptr(JsonParser) fp = oracle_load("podman-none", fdinfo);
    JsonArray *fds = oracle_entries(fp);
    guint seen = 0;
    for (size_t i = 0; i < t->rows->len; i++) {
      if (cell_u(t, i, "pid") != live[k])
        continue;
      const char *fd = cell_str(t, i, "fd");
      if (!g_ascii_isdigit(fd[0]))
        continue; /* cwd, root */
      gboolean found = FALSE;
      for (guint j = 0; j < json_array_get_length(fds); j++) {
        JsonObject *e = json_array_get_object_element(fds, j);
        if (json_object_get_int_member(e, "fd") != g_ascii_strtoll(fd, 0, 10))
          continue;
        g_assert_cmpstr(cell_str(t, i, "type"), ==,
                        json_object_get_string_member(e, "type"));
        found = TRUE;
      }
      g_assert_true(found);
      seen++;
    }
    g_assert_cmpuint(seen, ==, json_array_get_length(fds));
  }
  /* the planted regular files, with their paths */
  gboolean notes = FALSE;
  for (size_t i = 0; i < t->rows->len; i++)
    if (cell_u(t, i, "pid") == 1 && g_strcmp0(cell_str(t, i, "fd"), "8") == 0)
      notes = g_strcmp0(cell_str(t, i, "path"), "/data/notes.txt") == 0;
  g_assert_true(notes);
  g_assert_cmpint(find_s(t, "fd", "cwd"), >=, 0);
  g_assert_cmpint(find_s(t, "fd", "root"), >=, 0);
}

/* ---- sockets ----------------------------------------------------------- */

static long
find_socket(const CkptResult *t, uint64_t pid, int64_t fd)
{
  for (size_t i = 0; i < t->rows->len; i++)
    if (!cell_null(t, i, "pid") && cell_u(t, i, "pid") == pid &&
        row(t, i)->values[col(t, "fd")].v.i == fd)
      return (long)i;
  return -1;
}

static void
test_sockets(void)
{
  g_autoptr(CkptReport) r =
      run_plugin("podman-none.tar", "sockets", NULL, NULL);
  const CkptResult *t = table(r, "sockets", "sockets");
  long i;

  /* worker fd 5: UDP6 bound to ::1 */
  i = find_socket(t, 5, 5);
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(t, i, "protocol"), ==, "UDP");
  g_assert_cmpstr(cell_str(t, i, "local"), ==, "[::1]:5353");
  g_assert_cmpstr(cell_str(t, i, "family"), ==, "INET6");

  /* listener shared by pid 1 and pid 5 */
  i = find_socket(t, 1, 3);
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(t, i, "state"), ==, "LISTEN");
  g_assert_cmpstr(cell_str(t, i, "local"), ==, "0.0.0.0:8080");
  g_assert_cmpint(find_socket(t, 5, 3), >=, 0);

  /* unix: a path and an abstract name, and a peer */
  i = find_socket(t, 5, 6);
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(t, i, "address"), ==, "/tmp/ckpt.sock");
  i = find_socket(t, 5, 9);
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(t, i, "address"), ==, "@ckpt-abstract");
  i = find_socket(t, 1, 4);
  g_assert_cmpint(i, >=, 0);
  g_assert_false(cell_null(t, i, "peer"));

  /* established TCP: queued bytes match crit's tcp-stream images */
  for (int64_t fd = 5; fd <= 6; fd++) {
    i = find_socket(t, 1, fd);
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(cell_str(t, i, "state"), ==, "ESTABLISHED");
    g_autofree char *img = g_strdup_printf(
        "tcp-stream-%" G_GINT64_MODIFIER "x.img", cell_u(t, i, "inode"));
    g_autoptr(JsonParser) sp = oracle_load("podman-none", img);
    JsonObject *se = json_array_get_object_element(oracle_entries(sp), 0);
    g_assert_cmpuint(cell_u(t, i, "in_queue"), ==,
                     (uint64_t)json_object_get_int_member(se, "inq_len"));
    g_assert_cmpuint(cell_u(t, i, "out_queue"), ==,
                     (uint64_t)json_object_get_int_member(se, "outq_len"));
  }

  /* netlink: described, with its port id */
  i = find_socket(t, 5, 10);
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(t, i, "protocol"), ==, "NETLINK");
  g_assert_false(cell_null(t, i, "portid"));

  /* the namespace's loopback with its address */
  const CkptResult *ifs = table(r, "sockets", "interfaces");
  i = find_s(ifs, "name", "lo");
  g_assert_cmpint(i, >=, 0);
  const CkptResult *addrs = table(r, "sockets", "addresses");
  g_assert_cmpint(find_s(addrs, "address", "127.0.0.1/8"), >=, 0);
}

static void
test_second_state(void)
{
  g_autoptr(CkptReport) f =
      run_plugin("podman-none-2.tar", "files", NULL, NULL);
  const CkptResult *t = table(f, "files", "files");
  g_assert_cmpint(find_s(t, "path", "/data/second.txt"), >=, 0);
  g_autoptr(CkptReport) s =
      run_plugin("podman-none-2.tar", "sockets", NULL, NULL);
  const CkptResult *st = table(s, "sockets", "sockets");
  long i = find_s(st, "local", "0.0.0.0:8081");
  g_assert_cmpint(i, >=, 0);
  g_assert_cmpstr(cell_str(st, i, "state"), ==, "LISTEN");
}

/* ---- mounts ------------------------------------------------------------ */

static void
test_mounts_oracle(void)
{
  g_autoptr(CkptReport) r = run_plugin("podman-none.tar", "mounts", NULL, NULL);
  const CkptResult *t = table(r, "mounts", "mountinfo");
  g_autoptr(JsonParser) mp = oracle_load("podman-none", "mountpoints-13.img");
  JsonArray *m = oracle_entries(mp);
  g_assert_cmpuint(t->rows->len, ==, json_array_get_length(m));
  for (guint j = 0; j < json_array_get_length(m); j++) {
    JsonObject *e = json_array_get_object_element(m, j);
    long i =
        find_u(t, "mnt_id", (uint64_t)json_object_get_int_member(e, "mnt_id"));
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(cell_str(t, i, "mountpoint"), ==,
                    json_object_get_string_member(e, "mountpoint"));
  }
  /* the container's configured mounts, from spec.dump */
  const CkptResult *spec = table(r, "mounts", "mounts");
  g_assert_cmpint(find_s(spec, "destination", "/proc"), >=, 0);
}

/* ---- hostile input ----------------------------------------------------- */

static void
put_u32(GByteArray *b, uint32_t v)
{
  uint8_t le[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};
  g_byte_array_append(b, le, 4);
}

static void
put_varint_field(GByteArray *b, uint8_t field, uint32_t v)
{
  uint8_t key = (uint8_t)(field << 3);
  g_byte_array_append(b, &key, 1);
  do {
    uint8_t byte = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
    g_byte_array_append(b, &byte, 1);
    v >>= 7;
  } while (v);
}

/* A copy of criu-dir whose pstree.img makes pids 1 and 5 each other's
 * parent: there is no root. The tree must still list every process once,
 * and finish. */
static void
test_parent_cycle(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("ckpt-inspect-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *src = fixture_path("criu-dir");
  g_autoptr(GDir) d = g_dir_open(src, 0, &error);
  g_assert_no_error(error);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *from = g_build_filename(src, name, NULL);
    g_autofree char *to = g_build_filename(tmp, name, NULL);
    g_autofree char *bytes = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(from, &bytes, &len, NULL));
    g_assert_true(g_file_set_contents(to, bytes, (gssize)len, NULL));
  }
  static const uint32_t procs[][3] = {
      {1, 5, 1}, {2, 1, 2}, {3, 1, 3}, {5, 1, 5}};
  g_autoptr(GByteArray) img = g_byte_array_new();
  put_u32(img, CKPT_IMG_COMMON_MAGIC);
  put_u32(img, 0x50273030); /* PSTREE_MAGIC */
  for (size_t k = 0; k < G_N_ELEMENTS(procs); k++) {
    g_autoptr(GByteArray) e = g_byte_array_new();
    put_varint_field(e, 1, procs[k][0]);
    put_varint_field(e, 2, procs[k][1]);
    put_varint_field(e, 3, 1);
    put_varint_field(e, 4, 1);
    put_varint_field(e, 5, procs[k][2]);
    if (procs[k][0] == 1)
      put_varint_field(e, 5, 4);
    put_u32(img, e->len);
    g_byte_array_append(img, e->data, e->len);
  }
  g_autofree char *ps = g_build_filename(tmp, "pstree.img", NULL);
  g_assert_true(
      g_file_set_contents(ps, (const char *)img->data, img->len, NULL));

  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(tmp, NULL, &error);
  if (c == NULL) {
    /* refusing the cycle is right too, as long as it says why */
    g_assert_nonnull(error);
    g_assert_cmpstr(error->message, !=, "");
  } else {
    const CkptLoadedPlugin *lp = ckpt_host_find(host, "pstree");
    GArray *opts = ckpt_options_new(lp->desc);
    g_autoptr(CkptReport) r = ckpt_report_new(tmp);
    ckpt_host_run_plugin(host, lp, c, opts, r);
    g_array_unref(opts);
    const CkptResult *t = table(r, "pstree", "processes");
    g_assert_cmpuint(t->rows->len, ==, c->n_procs);
    for (size_t i = 0; i < c->n_procs; i++)
      g_assert_cmpint(find_u(t, "pid", c->procs[i].info.pid), >=, 0);
  }

  g_autoptr(GDir) d2 = g_dir_open(tmp, 0, NULL);
  while ((name = g_dir_read_name(d2))) {
    g_autofree char *p = g_build_filename(tmp, name, NULL);
    g_unlink(p);
  }
  g_rmdir(tmp);
}

/* A plain tar cut in the middle of its members must fail with an error,
 * not crash or produce a tree. */
static void
test_truncated(void)
{
  g_autofree char *src = fixture_path("podman-none.tar");
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("ckpt-inspect-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *cut = g_build_filename(tmp, "cut.tar", NULL);
  g_assert_true(g_file_set_contents(cut, bytes, (gssize)(len / 3), NULL));
  CkptCheckpoint *c = ckpt_checkpoint_open(cut, NULL, &error);
  g_assert_null(c);
  g_assert_nonnull(error);
  g_assert_cmpstr(error->message, !=, "");
  g_unlink(cut);
  g_rmdir(tmp);
}

/* ---- the renderer's views, as inspect uses them ------------------------ */

static char *
bracket_label(const CkptResult *t, const CkptRow *row, gboolean utc)
{
  g_autofree char *pid = ckpt_value_text(ckpt_row_cell(t, row, "pid"), utc);
  g_autofree char *c = ckpt_value_text(ckpt_row_cell(t, row, "comm"), utc);
  return g_strdup_printf("[%s]  %s", pid, c);
}

/* Rows of a flat table nest under the TREE node with the same key, after
 * the node's fields and before its children; rows no node takes stay in a
 * branch of their own; hidden tables and flat records as declared. */
static void
test_render_views(void)
{
  static const CkptColumn pcols[] = {{"pid", CKPT_T_UINT, "PID"},
                                     {"comm", CKPT_T_STR, "Command"},
                                     {"cmd", CKPT_T_STR, "Cmd"},
                                     {NULL}};
  static const CkptColumn fcols[] = {
      {"pid", CKPT_T_UINT, "PID"},
      {"path", CKPT_T_STR, "Path", CKPT_COL_LABEL},
      {NULL}};
  static const CkptColumn icols[] = {
      {"image", CKPT_T_STR, "Image"}, {"size", CKPT_T_SIZE, "Size"}, {NULL}};
  static const CkptTable ptabs[] = {
      {"info", "Info", CKPT_LAYOUT_RECORD, icols},
      {"procs", "Process tree", CKPT_LAYOUT_TREE, pcols},
      {"secret", "Secret", CKPT_LAYOUT_TABLE, fcols},
      {NULL}};
  static const CkptTable ftabs[] = {
      {"files", "Open files", CKPT_LAYOUT_TABLE, fcols}, {NULL}};
  static const CkptPlugin pp = {.name = "ps", .tables = ptabs};
  static const CkptPlugin fp = {.name = "fd", .tables = ftabs};
  static const char *const info_fields[] = {"image", ">size=Size", NULL};
  static const char *const proc_fields[] = {"cmd=Command line", NULL};
  static const CkptRenderView views[] = {
      {"ps.info", .fields = info_fields, .flat = TRUE},
      {"ps.procs", .label = bracket_label, .fields = proc_fields},
      {"ps.secret", .hide = TRUE},
      {"fd.files", .parent = "ps.procs", .key = "pid", .parent_key = "pid"},
      {NULL}};
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *r = ckpt_report_new("v.tar");
  r->opened = TRUE;
  g_ptr_array_add(reports, r);
  CkptPluginResult *p = ckpt_report_add_plugin(r, &pp);
  CkptPluginResult *f = ckpt_report_add_plugin(r, &fp);
  ckpt_report_add_row(r, p, 0, 0,
                      (CkptValue[]){CKPT_STR("img"), CKPT_SIZE(2048)});
  ckpt_report_add_row(
      r, p, 1, 0,
      (CkptValue[]){CKPT_UINT(1), CKPT_STR("init"), CKPT_STR("/init -x")});
  ckpt_report_add_row(r, p, 1, 1,
                      (CkptValue[]){CKPT_UINT(2), CKPT_STR("sh"), CKPT_NULL});
  ckpt_report_add_row(r, p, 2, 0,
                      (CkptValue[]){CKPT_UINT(1), CKPT_STR("hidden")});
  ckpt_report_add_row(r, f, 0, 0, (CkptValue[]){CKPT_UINT(2), CKPT_STR("/b")});
  ckpt_report_add_row(r, f, 0, 0, (CkptValue[]){CKPT_UINT(1), CKPT_STR("/a")});
  ckpt_report_add_row(r, f, 0, 0,
                      (CkptValue[]){CKPT_UINT(9), CKPT_STR("/orphan")});

  CkptRenderOptions o = {.format = CKPT_RENDER_TREE, .views = views};
  g_autofree char *tree = ckpt_render_to_string(reports, &o);
  g_assert_cmpstr(tree, ==,
                  "v.tar\n"
                  "├── Image: img\n"
                  "│   └── Size: 2.0 KiB\n"
                  "├── Process tree\n"
                  "│   └── [1]  init\n"
                  "│       ├── Command line: /init -x\n"
                  "│       ├── Open files\n"
                  "│       │   └── /a\n"
                  "│       └── [2]  sh\n"
                  "│           └── Open files\n"
                  "│               └── /b\n"
                  "└── Open files\n"
                  "    └── /orphan\n");

  /* without views: the generic tree, every table its own branch */
  CkptRenderOptions plain = {.format = CKPT_RENDER_TREE};
  g_autofree char *flat = ckpt_render_to_string(reports, &plain);
  g_assert_nonnull(strstr(flat, "├── Secret\n"));
  g_assert_nonnull(strstr(flat, "└── Open files\n    ├── /b\n"));
  /* JSON carries every row whatever the views */
  o.format = CKPT_RENDER_JSON;
  g_autofree char *json = ckpt_render_to_string(reports, &o);
  g_assert_nonnull(strstr(json, "\"hidden\""));
  g_assert_nonnull(strstr(json, "\"/orphan\""));
}

int
main(int argc, char **argv)
{
  static const Fixture fixtures[] = {
      {"podman-none.tar", "podman-none"},
      {"podman-zstd.tar.zst", "podman-zstd"},
      {"podman-gzip.tar.gz", "podman-gzip"},
      {"podman-none-criu3.tar", "podman-none-criu3"},
      {"criu-dir", "criu-dir"},
      {"crio-none.tar", "crio-none"},
      {"containerd-none.tar", "containerd-none"},
  };
  g_test_init(&argc, &argv, NULL);
  load_plugins();
  for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *name =
        g_strdup_printf("/inspect/pstree/oracle/%s", fixtures[i].oracle);
    g_test_add_data_func(name, &fixtures[i], test_pstree_oracle);
  }
  g_test_add_func("/inspect/pstree/cmdline-env", test_pstree_cmdline_env);
  g_test_add_func("/inspect/redact", test_redact_env);
  g_test_add_func("/inspect/pstree/cmdline-default",
                  test_pstree_cmdline_default);
  g_test_add_func("/inspect/pstree/pid", test_pstree_pid);
  g_test_add_func("/inspect/files/oracle", test_files_oracle);
  g_test_add_func("/inspect/sockets/planted", test_sockets);
  g_test_add_func("/inspect/second-state", test_second_state);
  g_test_add_func("/inspect/mounts/oracle", test_mounts_oracle);
  g_test_add_func("/inspect/hostile/parent-cycle", test_parent_cycle);
  g_test_add_func("/inspect/hostile/truncated", test_truncated);
  g_test_add_func("/inspect/render/views", test_render_views);
  int rc = g_test_run();
  ckpt_host_free(host);
  return rc;
}

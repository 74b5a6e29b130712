/* cli-yara.c - `ckpt yara [FLAGS] FILE-OR-DIR...`: sweeps YARA rules over
 * the memory of every process of each checkpoint.
 *
 * Sugar over the yara plugin. Rules are named, never guessed: -r/--rules
 * (source files or directories, repeatable), or -C/--compiled-rules for
 * one file compiled by yarac, which libyara trusts and so is only loaded
 * when asked for by that flag; with neither, the installed set is used.
 * Every positional argument is a checkpoint or a directory of them, so a
 * shell glob over checkpoints cannot turn one of its files into rules.
 * Checkpoints are opened and scanned by a few workers at once, the
 * plugin's threads split between them, so a sweep over many small
 * checkpoints keeps the cores as busy as one big one.
 *
 * Exit status, for scripts and CI: 0 no hits, 1 hits, 2 an error (a rule
 * that does not compile, a checkpoint that cannot be read, a usage error);
 * an error wins over hits, since the sweep is then incomplete.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt-config.h"
#include "cli/cli.h"
#include "host/shard.h"
#include "host/isolate.h"
#include "model/model.h"
#include "render/render.h"

#define EXIT_NO_HITS 0
#define EXIT_HITS 1
#define EXIT_ERROR 2

/* For --help only: the flags are parsed below, yara-CLI style. */
static const CkptCliFlag yara_flags[] = {
    {"rules",
     "source rules file or directory (repeatable; -r); default: the "
     "installed rules",
     NULL, NULL, TRUE},
    {"compiled-rules",
     "one rules file compiled by yarac (-C), instead of source rules; "
     "trusted input: libyara does not check compiled bytecode",
     NULL, NULL, TRUE},
    {"define", "external variable NAME=VALUE (repeatable; -d)", NULL, NULL,
     TRUE},
    {"threads", "scanning threads in all (-p); default: the cores", NULL, NULL,
     TRUE},
    {"fast", "fast matching mode (-f)", NULL, NULL, FALSE},
    {"timeout", "seconds allowed per process (-a)", NULL, NULL, TRUE},
    {"max-matches", "matches reported per string and process (default 16)",
     NULL, NULL, TRUE},
    {"context", "bytes of context around a match (default 16)", NULL, NULL,
     TRUE},
    {"rootfs", "also scan the files of the rootfs diff", NULL, NULL, FALSE},
    {"strict", "rule compiler warnings are errors", NULL, NULL, FALSE},
    {"no-progress", "no progress bar (it is only drawn on a terminal)", NULL,
     NULL, FALSE},
    {NULL},
};

typedef struct {
  GPtrArray *rules;   /* char* */
  char *compiled;     /* -C FILE, or NULL */
  GPtrArray *defines; /* char* */
  GPtrArray *targets; /* char* */
  GPtrArray *sets;    /* char* "yara.OPTION=VALUE" */
  int threads;        /* 0: the cores */
  gboolean progress;
} YaraArgs;

static void
yara_args_release(YaraArgs *a)
{
  g_ptr_array_unref(a->rules);
  g_ptr_array_unref(a->defines);
  g_ptr_array_unref(a->targets);
  g_ptr_array_unref(a->sets);
  g_free(a->compiled);
}

/* With no rules named: the installed set, or the source tree's when ckpt
 * runs from its build tree and is not installed (tests, development). */
static char *
default_rules(void)
{
  if (g_file_test(CKPT_RULESDIR, G_FILE_TEST_IS_DIR))
    return g_strdup(CKPT_RULESDIR);
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  size_t n = strlen(CKPT_BUILD_ROOT);
  if (exe && strncmp(exe, CKPT_BUILD_ROOT, n) == 0 && exe[n] == '/') {
    g_autofree char *src = g_path_get_dirname(CKPT_SOURCE_CHAINDIR);
    return g_build_filename(src, "rules", NULL);
  }
  return g_strdup(CKPT_RULESDIR); /* the plugin then says it is missing */
}

/* "--name=value", "--name value", "-x value"; advances *i past a value */
static const char *
take_value(int argc, char **argv, int *i, const char *lng, const char *shrt)
{
  const char *a = argv[*i];
  size_t n = strlen(lng);
  if (strncmp(a, lng, n) == 0 && a[n] == '=')
    return a + n + 1;
  if (strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0)) {
    if (*i + 1 >= argc)
      return NULL;
    return argv[++*i];
  }
  return NULL;
}

static gboolean
is_flag(const char *a, const char *lng, const char *shrt)
{
  size_t n = strlen(lng);
  return strcmp(a, lng) == 0 || (strncmp(a, lng, n) == 0 && a[n] == '=') ||
         (shrt && strcmp(a, shrt) == 0);
}

static gboolean
parse_number(const char *flag, const char *v, int *out)
{
  char *end = NULL;
  gint64 n = g_ascii_strtoll(v, &end, 10);
  if (!*v || *end || n < 0 || n > 100000) {
    ckpt_cli_usage_error("yara: %s wants a number, not '%s'", flag, v);
    return FALSE;
  }
  *out = (int)n;
  return TRUE;
}

static gboolean
parse_args(int argc, char **argv, YaraArgs *a)
{
  /* valued flags: long, short, plugin option (NULL: handled here) */
  static const char *const valued[][3] = {
      {"--rules", "-r", NULL},          {"--define", "-d", NULL},
      {"--compiled-rules", "-C", NULL}, {"--threads", "-p", NULL},
      {"--timeout", "-a", "timeout"},   {"--max-matches", NULL, "max-matches"},
      {"--context", NULL, "context"},
  };
  static const char *const booleans[][3] = {
      {"--fast", "-f", "fast"},
      {"--rootfs", NULL, "rootfs"},
      {"--strict", NULL, "strict"},
  };
  g_autoptr(GPtrArray) positional = g_ptr_array_new();
  gboolean options_done = FALSE;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (options_done || arg[0] != '-' || arg[1] == '\0') {
      g_ptr_array_add(positional, (gpointer)arg);
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      options_done = TRUE;
      continue;
    }
    if (strcmp(arg, "--no-progress") == 0) {
      a->progress = FALSE;
      continue;
    }
    gboolean known = FALSE;
    for (size_t k = 0; !known && k < G_N_ELEMENTS(booleans); k++)
      if (strcmp(arg, booleans[k][0]) == 0 ||
          (booleans[k][1] && strcmp(arg, booleans[k][1]) == 0)) {
        g_ptr_array_add(a->sets,
                        g_strdup_printf("yara.%s=true", booleans[k][2]));
        known = TRUE;
      }
    for (size_t k = 0; !known && k < G_N_ELEMENTS(valued); k++) {
      if (!is_flag(arg, valued[k][0], valued[k][1]))
        continue;
      known = TRUE;
      const char *v = take_value(argc, argv, &i, valued[k][0], valued[k][1]);
      if (v == NULL) {
        ckpt_cli_usage_error("yara: %s needs a value", valued[k][0]);
        return FALSE;
      }
      int n = 0;
      if (k == 0) {
        g_ptr_array_add(a->rules, g_strdup(v));
      } else if (k == 1) {
        g_ptr_array_add(a->defines, g_strdup(v));
      } else if (k == 2) {
        if (a->compiled) {
          ckpt_cli_usage_error("yara: --compiled-rules given twice (libyara "
                               "loads one compiled file)");
          return FALSE;
        }
        a->compiled = g_strdup(v);
      } else if (!parse_number(valued[k][0], v, &n)) {
        return FALSE;
      } else if (k == 3) {
        a->threads = n;
      } else {
        g_ptr_array_add(a->sets,
                        g_strdup_printf("yara.%s=%d", valued[k][2], n));
      }
    }
    if (!known) {
      ckpt_cli_usage_error("yara: unknown flag '%s' (see ckpt yara --help)",
                           arg);
      return FALSE;
    }
  }
  if (a->compiled && a->rules->len > 0) {
    ckpt_cli_usage_error("yara: --rules and --compiled-rules cannot be "
                         "mixed: give either");
    return FALSE;
  }
  /* every positional argument is a target, whatever its name or bytes */
  for (guint i = 0; i < positional->len; i++)
    ckpt_cli_expand_target(positional->pdata[i], a->targets);
  if (a->rules->len == 0 && a->compiled == NULL)
    g_ptr_array_add(a->rules, default_rules());
  if (positional->len == 0) {
    ckpt_cli_usage_error("yara: no checkpoint given (usage: ckpt yara "
                         "[-r RULES]... [-C COMPILED] FILE-OR-DIR...)");
    return FALSE;
  }
  /* a --shard worker may rightly get none of them */
  if (a->targets->len == 0 && ckpt_shard_get()->count == 0) {
    ckpt_cli_usage_error("yara: no checkpoints found in %s",
                         (char *)positional->pdata[0]);
    return FALSE;
  }
  return TRUE;
}

/* ---- parallel sweep ------------------------------------------------------ */

typedef struct {
  CkptCli *cli;
  const CkptPlan *plan;
  char **files;
  CkptReport **reports;
  guint n_files;
  guint next; /* atomic */
  GMutex lock;
  GCond changed;
  guint done;      /* under lock */
  guint64 scanned; /* bytes, under lock */
} Sweep;

static guint64
report_bytes(const CkptReport *rep)
{
  const CkptResult *t = ckpt_report_table(rep, "yara", "summary");
  if (t == NULL || t->rows->len == 0)
    return 0;
  int col = -1;
  for (size_t c = 0; c < t->n_columns; c++)
    if (strcmp(t->decl->columns[c].name, "bytes_scanned") == 0)
      col = (int)c;
  if (col < 0)
    return 0;
  const CkptRow *row = &g_array_index(t->rows, CkptRow, 0);
  return row->values[col].type == CKPT_T_SIZE ? row->values[col].v.u : 0;
}

static void
scan_one(Sweep *s, guint i)
{
  CkptReport *rep = ckpt_report_new(s->files[i]);
  s->reports[i] = rep;
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c =
      ckpt_checkpoint_open(s->files[i], ckpt_cli_limits(s->cli), &error);
  if (c == NULL) {
    g_ptr_array_add(rep->errors, g_strdup(error->message));
    return;
  }
  rep->opened = TRUE;
  if (c->container.name && *c->container.name) {
    g_free(rep->label);
    rep->label = g_strdup(c->container.name);
  }
  for (guint w = 0; w < c->warnings->len; w++)
    g_ptr_array_add(rep->warnings, g_strdup(c->warnings->pdata[w]));
  guint loaded = c->warnings->len;
  ckpt_plan_run(ckpt_cli_host(s->cli), s->plan, c, rep);
  /* the rootfs diff, read while the plugins run, warns then */
  for (guint w = loaded; w < c->warnings->len; w++)
    g_ptr_array_add(rep->warnings, g_strdup(c->warnings->pdata[w]));
}

static gpointer
sweep_worker(gpointer data)
{
  Sweep *s = data;
  for (;;) {
    guint i = (guint)g_atomic_int_add((gint *)&s->next, 1);
    if (i >= s->n_files)
      break;
    scan_one(s, i);
    g_mutex_lock(&s->lock);
    s->done++;
    s->scanned += report_bytes(s->reports[i]);
    g_cond_signal(&s->changed);
    g_mutex_unlock(&s->lock);
  }
  return NULL;
}

static void
draw_sweep(const Sweep *s)
{
  g_autofree char *size = ckpt_format_size(s->scanned);
  fprintf(stderr, "\r\033[Kyara: %u/%u checkpoints, %s scanned", s->done,
          s->n_files, size);
  fflush(stderr);
}

/* Runs the plan over every file with n_workers checkpoints at a time; the
 * main thread draws the progress line when asked. */
static CkptReport **
run_sweep(CkptCli *cli, const CkptPlan *plan, GPtrArray *files, guint n_workers,
          gboolean progress)
{
  Sweep s = {.cli = cli,
             .plan = plan,
             .files = (char **)files->pdata,
             .n_files = files->len};
  s.reports = g_new0(CkptReport *, files->len);
  g_mutex_init(&s.lock);
  g_cond_init(&s.changed);
  /* plugins are loaded and initialised before any worker uses the host */
  ckpt_cli_host(cli);
  GPtrArray *threads = g_ptr_array_new();
  for (guint w = 1; w < n_workers; w++) {
    GThread *t = g_thread_try_new("ckpt-sweep", sweep_worker, &s, NULL);
    if (t)
      g_ptr_array_add(threads, t);
  }
  if (progress && threads->len > 0) {
    g_mutex_lock(&s.lock);
    while (s.done < s.n_files && s.next < s.n_files) {
      draw_sweep(&s);
      g_cond_wait_until(&s.changed, &s.lock,
                        g_get_monotonic_time() + G_TIME_SPAN_SECOND / 5);
    }
    g_mutex_unlock(&s.lock);
  }
  sweep_worker(&s); /* this thread takes its share too */
  for (guint i = 0; i < threads->len; i++)
    g_thread_join(threads->pdata[i]);
  g_ptr_array_unref(threads);
  if (progress && n_workers > 1) {
    draw_sweep(&s);
    fputs("\r\033[K", stderr);
  }
  g_cond_clear(&s.changed);
  g_mutex_clear(&s.lock);
  return s.reports;
}

/* Each distinct problem once: a rule that does not compile fails the
 * plugin on every checkpoint of a sweep with the same words. */
static gboolean
print_problems(GPtrArray *reports)
{
  g_autoptr(GHashTable) seen =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  gboolean any = FALSE;
  for (guint r = 0; r < reports->len; r++) {
    const CkptReport *rep = reports->pdata[r];
    for (guint e = 0; e < rep->errors->len; e++) {
      ckpt_cli_print_error("%s", (char *)rep->errors->pdata[e]);
      any = TRUE;
    }
    for (guint p = 0; p < rep->plugins->len; p++) {
      const CkptPluginResult *pr = rep->plugins->pdata[p];
      if (pr->outcome > CKPT_PLUGIN_RAN_WARN)
        any = TRUE;
      for (guint m = 0; m < pr->messages->len; m++) {
        const char *msg = pr->messages->pdata[m];
        if (g_hash_table_contains(seen, msg))
          continue;
        g_hash_table_add(seen, g_strdup(msg));
        ckpt_cli_print_error("%s: plugin %s %s: %s", rep->path, pr->name,
                             ckpt_outcome_name(pr->outcome), msg);
      }
    }
  }
  return any;
}

static int
yara_command(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  YaraArgs a = {
      .rules = g_ptr_array_new_with_free_func(g_free),
      .defines = g_ptr_array_new_with_free_func(g_free),
      .targets = g_ptr_array_new_with_free_func(g_free),
      .sets = g_ptr_array_new_with_free_func(g_free),
      .progress = TRUE,
  };
  if (!parse_args(argc, argv, &a)) {
    yara_args_release(&a);
    return EXIT_ERROR;
  }

  g_autoptr(GError) error = NULL;
  /* a chain file may define a chain named yara (plugins around it) */
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, "yara", &error);
  g_autoptr(CkptPlan) plan =
      chain ? ckpt_plan_new(ckpt_cli_host(cli), chain, NULL, &error) : NULL;
  if (plan == NULL) {
    ckpt_cli_usage_error("yara: %s", error->message);
    yara_args_release(&a);
    return EXIT_ERROR;
  }

  /* threads in all, split between checkpoints scanned at once */
  guint cores = a.threads > 0 ? (guint)a.threads : g_get_num_processors();
  guint workers = MIN(cores, a.targets->len);
  /* --isolate forks a child per plugin run: a fork from a process whose
   * other threads may hold locks (malloc's, GLib's) can leave the child
   * waiting forever, so isolated sweeps take one checkpoint at a time */
  if (ckpt_isolate_enabled())
    workers = 1;
  workers = MAX(workers, 1);
  guint per_run = MAX(cores / workers, 1);
  gboolean tty = a.progress && isatty(STDERR_FILENO);

  g_autofree char *rules = NULL;
  g_autofree char *defines = NULL;
  g_ptr_array_add(a.rules, NULL);
  g_ptr_array_add(a.defines, NULL);
  rules = g_strjoinv("\n", (char **)a.rules->pdata);
  defines = g_strjoinv("\n", (char **)a.defines->pdata);
  if (*rules)
    g_ptr_array_add(a.sets, g_strdup_printf("yara.rules=%s", rules));
  if (a.compiled)
    g_ptr_array_add(a.sets,
                    g_strdup_printf("yara.compiled-rules=%s", a.compiled));
  if (*defines)
    g_ptr_array_add(a.sets, g_strdup_printf("yara.define=%s", defines));
  g_ptr_array_add(a.sets, g_strdup_printf("yara.threads=%u", per_run));
  /* one checkpoint draws the plugin's byte bar; a sweep draws its own */
  g_ptr_array_add(a.sets,
                  g_strdup_printf("yara.progress=%s",
                                  tty && workers == 1 ? "true" : "false"));
  for (const char *const *s = ckpt_cli_sets(cli); *s; s++)
    g_ptr_array_add(a.sets, g_strdup(*s));
  for (guint i = 0; i < a.sets->len; i++)
    if (!ckpt_plan_set(plan, a.sets->pdata[i], &error)) {
      ckpt_cli_usage_error("yara: %s", error->message);
      yara_args_release(&a);
      return EXIT_ERROR;
    }

  CkptReport **reps = run_sweep(cli, plan, a.targets, workers, tty);
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  for (guint i = 0; i < a.targets->len; i++)
    g_ptr_array_add(reports, reps[i]);
  g_free(reps);

  gboolean failed = print_problems(reports);
  CkptRenderFormat fmt = ckpt_cli_format(cli, "table");
  static const char *const hits_only[] = {"yara.hits", NULL};
  CkptRenderOptions ro = {
      .format = fmt,
      /* text shows the hits; JSON also the per-checkpoint summary */
      .only = fmt == CKPT_RENDER_JSON || fmt == CKPT_RENDER_JSONL ? NULL
                                                                  : hits_only,
      .merge = TRUE,
  };
  ckpt_render(stdout, reports, &ro);
  fflush(stdout);

  size_t hits = ckpt_cli_count_rows(reports, "yara", "hits");
  yara_args_release(&a);
  if (failed || ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK)
    return EXIT_ERROR;
  return hits > 0 ? EXIT_HITS : EXIT_NO_HITS;
}

const CkptCliCommand ckpt_cmd_yara = {
    .name = "yara",
    .summary = "scan process memory with YARA rules (exit 0 none, 1 hits, "
               "2 error)",
    .usage = "[-r RULES]... [-C COMPILED] [FLAGS] FILE-OR-DIR...",
    .flags = yara_flags,
    .format = "table",
    .run = yara_command,
};

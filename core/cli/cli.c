/* cli.c - global flags, help, and the generic
 * runner that turns a subcommand into a chain run (see cli.h). */
#include "cli/cli.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt-config.h"
#include "util/error.h"
#include "archive/imageset.h"
#include "host/isolate.h"
#include "host/shard.h"
#include "host/run.h"

struct CkptCli {
  GPtrArray *plugin_paths; /* char*, NULL-ended */
  GPtrArray *chain_files;  /* char* */
  GPtrArray *sets;         /* char*, NULL-ended */
  const char *format;
  CkptLimits limits;
  gboolean verbose;
  CkptHost *host;
  CkptChainSet *chains;
};

/* ---- messages ---------------------------------------------------------- */

static void
vprint_error(const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  g_autoptr(GString) s = g_string_new("ckpt: ");
  ckpt_text_escape(s, msg, -1);
  g_printerr("%s\n", s->str);
}

void
ckpt_cli_print_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint_error(fmt, ap);
  va_end(ap);
}

int
ckpt_cli_usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint_error(fmt, ap);
  va_end(ap);
  return CKPT_EXIT_USAGE;
}

/* ---- progress ---------------------------------------------------------- */

/* api->progress(), drawn as one line on a terminal's stderr:
 * "yara [##########..........]  33% memory". what NULL clears it. */
static void
draw_progress(void *user, const char *plugin, uint64_t done, uint64_t total,
              const char *what)
{
  enum { WIDTH = 20 };
  if (what == NULL) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    return;
  }
  double frac = total ? MIN((double)done / (double)total, 1.0) : 0.0;
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; i++)
    bar[i] = i < (int)(frac * WIDTH) ? '#' : '.';
  bar[WIDTH] = '\0';
  g_autoptr(GString) s = g_string_new(NULL);
  ckpt_text_escape(s, what, -1);
  if (total)
    fprintf(stderr, "\r\033[K%s [%s] %3d%% %s", plugin, bar,
            (int)(frac * 100.0), s->str);
  else
    fprintf(stderr, "\r\033[K%s %" G_GUINT64_FORMAT " %s", plugin, done,
            s->str);
  fflush(stderr);
}

/* ---- state ------------------------------------------------------------- */

CkptHost *
ckpt_cli_host(CkptCli *cli)
{
  if (cli->host)
    return cli->host;
  cli->host = ckpt_host_new();
  ckpt_host_set_verbose(cli->host, cli->verbose);
  /* progress is for a person watching; logs and pipes get none */
  if (isatty(STDERR_FILENO))
    ckpt_host_set_progress(cli->host, draw_progress, NULL);
  g_autoptr(GPtrArray) dirs =
      ckpt_host_search_dirs((const char *const *)cli->plugin_paths->pdata);
  if (cli->verbose)
    for (guint i = 0; i < dirs->len; i++)
      g_printerr("ckpt: plugin directory %s\n",
                 (char *)g_ptr_array_index(dirs, i));
  ckpt_host_discover(cli->host, dirs);
  ckpt_host_finish(cli->host, ckpt_api_table());
  GPtrArray *refused = ckpt_host_refusals(cli->host);
  for (guint i = 0; i < refused->len; i++)
    ckpt_cli_print_error("plugin refused: %s",
                         (char *)g_ptr_array_index(refused, i));
  return cli->host;
}

CkptChainSet *
ckpt_cli_chains(CkptCli *cli)
{
  if (cli->chains)
    return cli->chains;
  cli->chains = ckpt_chainset_new();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  ckpt_chainset_load_defaults(cli->chains, warnings);
  for (guint i = 0; i < warnings->len; i++)
    ckpt_cli_print_error("chain file skipped: %s",
                         (char *)g_ptr_array_index(warnings, i));
  return cli->chains;
}

const char *const *
ckpt_cli_sets(CkptCli *cli)
{
  return (const char *const *)cli->sets->pdata;
}

const CkptLimits *
ckpt_cli_limits(CkptCli *cli)
{
  return &cli->limits;
}

gboolean
ckpt_cli_verbose(CkptCli *cli)
{
  return cli->verbose;
}

CkptRenderFormat
ckpt_cli_format(CkptCli *cli, const char *def)
{
  CkptRenderFormat f = CKPT_RENDER_TREE;
  ckpt_render_format_parse(cli->format ? cli->format : def, &f);
  return f;
}

static gpointer
copy_str(gconstpointer src, gpointer data)
{
  return g_strdup(src);
}

CkptChain *
ckpt_cli_chain(CkptCli *cli, const char *spec, GError **error)
{
  const CkptChain *named = ckpt_chainset_find(ckpt_cli_chains(cli), spec);
  if (named == NULL)
    return ckpt_chain_from_list(spec, error);
  CkptChain *c = g_new0(CkptChain, 1);
  c->name = g_strdup(named->name);
  c->description = g_strdup(named->description);
  c->file = g_strdup(named->file);
  c->plugins = g_ptr_array_copy(named->plugins, copy_str, NULL);
  g_ptr_array_set_free_func(c->plugins, g_free);
  c->settings = g_ptr_array_copy(named->settings, copy_str, NULL);
  g_ptr_array_set_free_func(c->settings, g_free);
  return c;
}

/* ---- running ----------------------------------------------------------- */

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* TRUE for a directory the image set takes as a checkpoint */
static gboolean
is_checkpoint_dir(const char *path)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  CkptSetFormat fmt;
  gboolean yes = ckpt_imageset_sniff_fd(fd, &fmt);
  close(fd);
  return yes;
}

static void expand_target(const char *path, GPtrArray *out);

/* --shard keeps this worker's part of what a path expands to */
void
ckpt_cli_expand_target(const char *path, GPtrArray *out)
{
  guint from = out->len;
  expand_target(path, out);
  ckpt_shard_filter(out, from);
}

static void
expand_target(const char *path, GPtrArray *out)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR) || is_checkpoint_dir(path)) {
    g_ptr_array_add(out, g_strdup(path));
    return;
  }
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  if (dir == NULL) {
    g_ptr_array_add(out, g_strdup(path)); /* the open reports why */
    return;
  }
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *p = g_build_filename(path, name, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_REGULAR) ||
        (g_file_test(p, G_FILE_TEST_IS_DIR) && is_checkpoint_dir(p)))
      g_ptr_array_add(found, g_steal_pointer(&p));
  }
  /* a directory holding no checkpoint is itself the target: opening it
   * says what is missing (no inventory.img or pstree.img) */
  if (found->len == 0) {
    g_ptr_array_add(out, g_strdup(path));
    return;
  }
  g_ptr_array_sort(found, compare_strings);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add(out, g_strdup(found->pdata[i]));
}

static void
report_problems(const CkptReport *rep)
{
  for (guint p = 0; p < rep->plugins->len; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(rep->plugins, p);
    if (pr->outcome <= CKPT_PLUGIN_RAN_WARN && pr->messages->len == 0)
      continue;
    for (guint m = 0; m < pr->messages->len; m++)
      ckpt_cli_print_error("%s: plugin %s %s: %s", rep->path, pr->name,
                           ckpt_outcome_name(pr->outcome),
                           (char *)g_ptr_array_index(pr->messages, m));
    if (pr->messages->len == 0)
      ckpt_cli_print_error("%s: plugin %s %s", rep->path, pr->name,
                           ckpt_outcome_name(pr->outcome));
  }
}

/* Copies the model's warnings from the from-th on into rep. */
static void
take_warnings(CkptCli *cli, CkptCheckpoint *c, guint from, CkptReport *rep)
{
  for (guint w = from; w < c->warnings->len; w++) {
    g_ptr_array_add(rep->warnings, g_strdup(g_ptr_array_index(c->warnings, w)));
    if (cli->verbose)
      ckpt_cli_print_error("%s: warning: %s", rep->path,
                           (char *)g_ptr_array_index(c->warnings, w));
  }
}

/* Opens one file for rep: its label, warnings and open errors. */
static CkptCheckpoint *
open_one(CkptCli *cli, const char *file, CkptReport *rep)
{
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = ckpt_checkpoint_open(file, &cli->limits, &error);
  if (c == NULL) {
    /* loader messages name the file already */
    g_ptr_array_add(rep->errors, g_strdup(error->message));
    ckpt_cli_print_error("%s", error->message);
    return NULL;
  }
  rep->opened = TRUE;
  if (c->container.name && *c->container.name) {
    g_free(rep->label);
    rep->label = g_strdup(c->container.name);
  }
  take_warnings(cli, c, 0, rep);
  return c;
}

/* Opens one file and runs plan over it into rep. */
static void
run_one(CkptCli *cli, const CkptPlan *plan, const char *file, CkptReport *rep)
{
  g_autoptr(CkptCheckpoint) c = open_one(cli, file, rep);
  if (c == NULL)
    return;
  guint loaded = c->warnings->len;
  ckpt_plan_run(ckpt_cli_host(cli), plan, c, rep);
  /* readers plugins call lazily (the rootfs diff) warn while they run */
  take_warnings(cli, c, loaded, rep);
  report_problems(rep);
}

GPtrArray *
ckpt_cli_run_plan(CkptCli *cli, const CkptPlan *plan, char **files, int n_files)
{
  GPtrArray *reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  for (int i = 0; i < n_files; i++) {
    CkptReport *rep = ckpt_report_new(files[i]);
    g_ptr_array_add(reports, rep);
    run_one(cli, plan, files[i], rep);
  }
  return reports;
}

GPtrArray *
ckpt_cli_run_render(CkptCli *cli, const CkptPlan *plan, char **files,
                    int n_files, const CkptRenderOptions *ro)
{
  g_autoptr(CkptRenderStream) s = ckpt_render_stream_new(stdout, ro);
  if (s == NULL) {
    GPtrArray *reports = ckpt_cli_run_plan(cli, plan, files, n_files);
    ckpt_render(stdout, reports, ro);
    return reports;
  }
  GPtrArray *reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  for (int i = 0; i < n_files; i++) {
    CkptReport *rep = ckpt_report_new(files[i]);
    g_ptr_array_add(reports, rep);
    ckpt_render_stream_attach(s, rep);
    run_one(cli, plan, files[i], rep);
    ckpt_render_stream_report_done(s, rep);
  }
  if (!ckpt_render_stream_finish(s))
    ckpt_cli_print_error("output or temporary spool file could not be "
                         "written: output is incomplete");
  return reports;
}

int
ckpt_cli_run_multi(CkptCli *cli, const CkptPlan *plan, char **files,
                   int n_files, const CkptRenderOptions *ro)
{
  g_autoptr(GPtrArray) cs =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_checkpoint_free);
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  int status = CKPT_EXIT_OK;
  for (int i = 0; i < n_files; i++) {
    CkptReport *rep = ckpt_report_new(files[i]);
    g_ptr_array_add(reports, rep);
    CkptCheckpoint *c = open_one(cli, files[i], rep);
    if (c == NULL) {
      status = CKPT_EXIT_FAILED;
      continue;
    }
    g_ptr_array_add(cs, c);
    ckpt_plan_run(ckpt_cli_host(cli), plan, c, rep);
    report_problems(rep);
    if (ckpt_report_status(rep) != 0)
      status = CKPT_EXIT_FAILED;
  }
  /* a comparison of checkpoints that did not all load would mislead */
  if (status != CKPT_EXIT_OK)
    return status;

  g_autoptr(GString) label = g_string_new(NULL);
  for (int i = 0; i < n_files; i++)
    g_string_append_printf(label, "%s%s", i ? " -> " : "", files[i]);
  CkptReport *out = ckpt_report_new(label->str);
  out->opened = TRUE;
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, out);
  ckpt_plan_run_multi(ckpt_cli_host(cli), plan,
                      (CkptCheckpoint *const *)cs->pdata,
                      (CkptReport *const *)reports->pdata, reports->len, out);
  report_problems(out);
  ckpt_render(stdout, shown, ro);
  return ckpt_cli_default_status(cli, shown);
}

int
ckpt_cli_default_status(CkptCli *cli, GPtrArray *reports)
{
  int st = CKPT_EXIT_OK;
  for (guint i = 0; i < reports->len; i++)
    if (ckpt_report_status(g_ptr_array_index(reports, i)) != 0)
      st = CKPT_EXIT_FAILED;
  return st;
}

size_t
ckpt_cli_count_rows(GPtrArray *reports, const char *plugin, const char *table)
{
  size_t n = 0;
  for (guint i = 0; i < reports->len; i++) {
    const CkptResult *t =
        ckpt_report_table(g_ptr_array_index(reports, i), plugin, table);
    n += t == NULL ? 0 : t->streamed ? t->n_rows : t->rows->len;
  }
  return n;
}

/* ---- the generic sugar runner ----------------------------------------- */

static const CkptCliFlag *
find_flag(const CkptCliCommand *cmd, const char *name, size_t n)
{
  for (size_t i = 0; cmd && cmd->flags && cmd->flags[i].flag; i++)
    if (strlen(cmd->flags[i].flag) == n &&
        strncmp(cmd->flags[i].flag, name, n) == 0)
      return &cmd->flags[i];
  return NULL;
}

/* Finds a plugin option named by a flag: "PLUGIN.OPTION", or "OPTION" when
 * exactly one plugin of the plan declares it. */
static gboolean
find_option(const CkptPlan *plan, const char *name, char **setting,
            const CkptOption **decl, GError **error)
{
  const char *dot = strchr(name, '.');
  int found = 0;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    const char *pname = st->plugin->desc->name;
    const char *oname = name;
    if (dot) {
      if (strncmp(name, pname, (size_t)(dot - name)) != 0 ||
          pname[dot - name] != '\0')
        continue;
      oname = dot + 1;
    }
    const CkptOptionValue *v = ckpt_options_get(st->opts, oname);
    if (v == NULL)
      continue;
    if (found++ == 0) {
      *setting = g_strdup_printf("%s.%s", pname, oname);
      *decl = v->decl;
    }
  }
  if (found > 1) {
    g_free(*setting);
    *setting = NULL;
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "--%s is ambiguous: use --PLUGIN.%s", name, name);
    return FALSE;
  }
  if (found == 0) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "unknown flag --%s", name);
    return FALSE;
  }
  return TRUE;
}

/* Pass one: the command's own flags, which may add plugins. */
static gboolean
apply_command_flags(const CkptCliCommand *cmd, int argc, char **argv,
                    GPtrArray *plugins, GPtrArray *sets)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0)
      break;
    if (!g_str_has_prefix(a, "--"))
      continue;
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    const CkptCliFlag *f = find_flag(cmd, a + 2, n);
    if (f == NULL)
      continue;
    if (f->plugins)
      g_ptr_array_add(plugins, g_strdup(f->plugins));
    if (f->set && f->takes_value) {
      const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (v == NULL) {
        ckpt_cli_usage_error("--%s needs a value", f->flag);
        return FALSE;
      }
      g_ptr_array_add(sets, g_strdup_printf("%s=%s", f->set, v));
    } else if (f->set) {
      g_ptr_array_add(sets, g_strdup(f->set));
    } else if (eq) {
      ckpt_cli_usage_error("--%s takes no value", f->flag);
      return FALSE;
    }
  }
  return TRUE;
}

/* Pass two: plugin option flags and positional arguments. */
static gboolean
parse_rest(const CkptCliCommand *cmd, const CkptPlan *plan, int argc,
           char **argv, GPtrArray *sets, GPtrArray *files)
{
  gboolean flags_done = FALSE;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (flags_done || a[0] != '-' || a[1] == '\0') {
      g_ptr_array_add(files, (gpointer)a);
      continue;
    }
    if (strcmp(a, "--") == 0) {
      flags_done = TRUE;
      continue;
    }
    if (!g_str_has_prefix(a, "--")) {
      ckpt_cli_usage_error("unknown flag %s", a);
      return FALSE;
    }
    const char *eq = strchr(a, '=');
    g_autofree char *name =
        eq ? g_strndup(a + 2, (gsize)(eq - a - 2)) : g_strdup(a + 2);
    const CkptCliFlag *f = find_flag(cmd, name, strlen(name));
    if (f) {
      if (f->takes_value && !eq)
        i++; /* consumed in pass one */
      continue;
    }
    gboolean negated = g_str_has_prefix(name, "no-") && !eq;
    g_autofree char *setting = NULL;
    const CkptOption *decl = NULL;
    g_autoptr(GError) error = NULL;
    if (!find_option(plan, name, &setting, &decl, &error)) {
      g_autoptr(GError) e2 = NULL;
      if (!negated || !find_option(plan, name + 3, &setting, &decl, &e2) ||
          decl->type != CKPT_T_BOOL) {
        ckpt_cli_usage_error("%s", error->message);
        return FALSE;
      }
      g_ptr_array_add(sets, g_strdup_printf("%s=false", setting));
      continue;
    }
    const char *v = eq ? eq + 1 : NULL;
    if (v == NULL && decl->type == CKPT_T_BOOL)
      v = "true";
    else if (v == NULL && i + 1 < argc)
      v = argv[++i];
    if (v == NULL) {
      ckpt_cli_usage_error("--%s needs a value", name);
      return FALSE;
    }
    g_ptr_array_add(sets, g_strdup_printf("%s=%s", setting, v));
  }
  return TRUE;
}

/* Applies sets to plan, then the global --set values: the most explicit
 * wins. FALSE after printing a usage error. */
static gboolean
apply_sets(CkptCli *cli, CkptPlan *plan, GPtrArray *sets)
{
  g_autoptr(GError) error = NULL;
  for (const char *const *s = ckpt_cli_sets(cli); *s; s++)
    g_ptr_array_add(sets, g_strdup(*s));
  for (guint i = 0; i < sets->len; i++)
    if (!ckpt_plan_set(plan, g_ptr_array_index(sets, i), &error)) {
      ckpt_cli_usage_error("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ckpt_cli_parse_options(CkptCli *cli, CkptPlan *plan, int argc, char **argv,
                       GPtrArray *positional)
{
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  return parse_rest(NULL, plan, argc, argv, sets, positional) &&
         apply_sets(cli, plan, sets);
}

int
ckpt_cli_run_sugar(CkptCli *cli, const CkptCliCommand *cmd, int argc,
                   char **argv)
{
  g_autoptr(GPtrArray) plugins = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  if (!apply_command_flags(cmd, argc, argv, plugins, sets))
    return CKPT_EXIT_USAGE;

  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = NULL;
  if (cmd->chain)
    chain = ckpt_cli_chain(cli, cmd->chain, &error);
  else if (plugins->len > 0)
    chain = ckpt_chain_from_list(g_ptr_array_index(plugins, 0), &error);
  else
    return ckpt_cli_usage_error("%s: nothing to run (see ckpt %s --help)",
                                cmd->name, cmd->name);
  if (chain == NULL)
    return ckpt_cli_usage_error("%s", error->message);
  for (guint i = 0; i < plugins->len; i++) {
    g_auto(GStrv) names = g_strsplit(g_ptr_array_index(plugins, i), ",", -1);
    for (size_t j = 0; names[j]; j++)
      if (*names[j] && !g_ptr_array_find_with_equal_func(
                           chain->plugins, names[j], g_str_equal, NULL))
        g_ptr_array_add(chain->plugins, g_strdup(names[j]));
  }
  CkptHost *h = ckpt_cli_host(cli);
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, chain, NULL, &error);
  if (plan == NULL)
    return ckpt_cli_usage_error("%s", error->message);

  g_autoptr(GPtrArray) files = g_ptr_array_new();
  if (!parse_rest(cmd, plan, argc, argv, sets, files) ||
      !apply_sets(cli, plan, sets))
    return CKPT_EXIT_USAGE;
  if (files->len == 0)
    return ckpt_cli_usage_error("%s: no checkpoint given (usage: ckpt %s %s)",
                                cmd->name, cmd->name,
                                cmd->usage ? cmd->usage : "FILE...");
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < files->len; i++)
    ckpt_cli_expand_target(files->pdata[i], targets);
  if (targets->len == 0 && ckpt_shard_get()->count)
    return CKPT_EXIT_OK; /* this --shard worker's part is empty */
  if (targets->len == 0)
    return ckpt_cli_usage_error("%s: no checkpoints found in %s", cmd->name,
                                (char *)files->pdata[0]);

  CkptRenderOptions ro = {
      .format = ckpt_cli_format(cli, cmd->format ? cmd->format : "tree"),
      .only = cmd->only,
      .merge = cmd->merge,
      .views = cmd->views,
      .look = cmd->look,
      .show = cmd->show,
  };
  g_autoptr(GPtrArray) reports = NULL;
  /* a command that renders itself or judges findings from rows needs
   * every row kept; the others stream */
  if (cmd->render == NULL && cmd->exit_status == NULL) {
    reports = ckpt_cli_run_render(cli, plan, (char **)targets->pdata,
                                  (int)targets->len, &ro);
  } else {
    reports = ckpt_cli_run_plan(cli, plan, (char **)targets->pdata,
                                (int)targets->len);
    if (cmd->render == NULL || !cmd->render(cli, reports, &ro))
      ckpt_render(stdout, reports, &ro);
  }
  return cmd->exit_status ? cmd->exit_status(cli, reports)
                          : ckpt_cli_default_status(cli, reports);
}

/* ---- help and global flags -------------------------------------------- */

static void
print_help(FILE *out)
{
  fprintf(out, "usage: ckpt [GLOBAL FLAGS] COMMAND [ARGS]\n\n"
               "commands:\n");
  for (size_t i = 0; ckpt_cli_commands[i]; i++) {
    const CkptCliCommand *c = ckpt_cli_commands[i];
    fprintf(out, "  %-10s %s\n", c->name, c->summary ? c->summary : "");
  }
  fprintf(out,
          "\nglobal flags:\n"
          "  --plugin-path DIR     search DIR for plugins first "
          "(repeatable)\n"
          "  --chains FILE         read chain definitions from FILE "
          "(repeatable)\n"
          "  --set P.OPTION=VALUE  set an option of plugin P (repeatable)\n"
          "  --format FORMAT       tree, table, json or jsonl\n"
          "  --limit NAME=VALUE    raise or lower a bound on input; "
          "names:\n                       ");
  const char *const *names = ckpt_limits_names();
  for (size_t i = 0; names[i]; i++)
    fprintf(out, "%s%s", i ? ", " : "", names[i]);
  fprintf(out,
          "\n  --isolate             run each plugin in its own process: one "
          "that\n                        crashes fails alone\n"
          "  --isolate-timeout S   isolate, and fail a plugin still running "
          "after\n                        S seconds\n"
          "  -v, --verbose         log plugin loading and debug messages\n"
          "  --version             print the version and plugin ABI\n"
          "  -h, --help            this help; ckpt COMMAND --help for one\n"
          "\nexit status: 0 success, 1 a checkpoint or plugin failed "
          "(or a\ncommand's findings), 2 usage error\n");
}

static void
print_command_help(const CkptCliCommand *c)
{
  printf("usage: ckpt %s %s\n\n%s\n", c->name, c->usage ? c->usage : "FILE...",
         c->summary ? c->summary : "");
  if (c->chain)
    printf("\nruns: %s\n", c->chain);
  if (c->flags && c->flags[0].flag) {
    printf("\nflags:\n");
    for (size_t i = 0; c->flags[i].flag; i++)
      printf("  --%s%s  %s\n", c->flags[i].flag,
             c->flags[i].takes_value ? "=VALUE" : "",
             c->flags[i].help ? c->flags[i].help : "");
  }
  if (c->run == NULL || c == &ckpt_cmd_run)
    printf("\nEvery option of the plugins run is also a flag: --OPTION or "
           "--PLUGIN.OPTION\n(see ckpt plugins NAME).\n");
}

/* Takes the value of a global flag: "--flag=value" or "--flag value". */
static const char *
flag_value(const char *flag, int argc, char **argv, int *i)
{
  size_t n = strlen(flag);
  const char *a = argv[*i];
  if (strncmp(a, flag, n) != 0)
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (a[n] == '\0' && *i + 1 < argc)
    return argv[++*i];
  return NULL;
}

static gboolean
is_global_with_value(const char *a, const char *flag)
{
  size_t n = strlen(flag);
  return strncmp(a, flag, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

int
ckpt_cli_main(int argc, char **argv)
{
  static const char *const shardable[] = {"triage", "yara", "secrets", "list",
                                          NULL};
  static const char *const valued[] = {"--plugin-path", "--chains", "--set",
                                       "--format",      "--limit",  "--shard"};
  struct CkptCli cli = {0};
  cli.plugin_paths = g_ptr_array_new_with_free_func(g_free);
  cli.chain_files = g_ptr_array_new_with_free_func(g_free);
  cli.sets = g_ptr_array_new_with_free_func(g_free);
  ckpt_limits_init(&cli.limits);
  g_autoptr(GPtrArray) rest = g_ptr_array_new();
  const char *command = NULL;
  gboolean help = FALSE, dashdash = FALSE;
  int status = CKPT_EXIT_OK;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (dashdash || a[0] != '-' || a[1] == '\0') {
      if (command == NULL)
        command = a;
      else
        g_ptr_array_add(rest, (gpointer)a);
      continue;
    }
    if (strcmp(a, "--") == 0) {
      dashdash = TRUE;
      g_ptr_array_add(rest, (gpointer)a);
      continue;
    }
    if (strcmp(a, "--isolate") == 0) {
      ckpt_isolate_set(TRUE); /* isolate.h */
      continue;
    }
    if (strcmp(a, "--isolate-timeout") == 0 ||
        g_str_has_prefix(a, "--isolate-timeout=")) {
      const char *v = a[17] == '=' ? a + 18 : (i + 1 < argc ? argv[++i] : "");
      guint64 secs = 0;
      if (!g_ascii_string_to_unsigned(v, 10, 1, 86400 * 365, &secs, NULL)) {
        fprintf(stderr,
                "ckpt: --isolate-timeout: '%s' is not a number of seconds\n",
                v);
        status = CKPT_EXIT_USAGE;
        goto out;
      }
      ckpt_isolate_set(TRUE);
      ckpt_isolate_set_timeout((unsigned)secs);
      continue;
    }
    if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      cli.verbose = TRUE;
      continue;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      help = TRUE;
      continue;
    }
    if (strcmp(a, "--version") == 0) {
      printf("ckpt %s (plugin ABI %d.%d)\n", CKPT_VERSION, CKPT_ABI_MAJOR,
             CKPT_ABI_MINOR);
      goto out;
    }
    size_t k;
    for (k = 0; k < G_N_ELEMENTS(valued); k++)
      if (is_global_with_value(a, valued[k]))
        break;
    if (k == G_N_ELEMENTS(valued)) {
      g_ptr_array_add(rest, (gpointer)a); /* the command's flag */
      continue;
    }
    const char *v = flag_value(valued[k], argc, argv, &i);
    if (v == NULL) {
      status = ckpt_cli_usage_error("%s needs a value", valued[k]);
      goto out;
    }
    g_autoptr(GError) error = NULL;
    switch (k) {
    case 0:
      g_ptr_array_add(cli.plugin_paths, g_strdup(v));
      break;
    case 1:
      g_ptr_array_add(cli.chain_files, g_strdup(v));
      break;
    case 2:
      g_ptr_array_add(cli.sets, g_strdup(v));
      break;
    case 3: {
      CkptRenderFormat f;
      if (!ckpt_render_format_parse(v, &f)) {
        status = ckpt_cli_usage_error(
            "unknown format '%s' (tree, table, json, jsonl)", v);
        goto out;
      }
      cli.format = v;
      break;
    }
    case 4:
      if (!ckpt_limits_set(&cli.limits, v, &error)) {
        status = ckpt_cli_usage_error("%s", error->message);
        goto out;
      }
      break;
    case 5: {
      CkptShard sh;
      if (!ckpt_shard_parse(v, &sh, &error)) {
        status = ckpt_cli_usage_error("%s", error->message);
        goto out;
      }
      ckpt_shard_set(&sh);
      break;
    }
    }
  }
  g_ptr_array_add(cli.plugin_paths, NULL);
  g_ptr_array_add(cli.sets, NULL);

  if (command == NULL) {
    print_help(help ? stdout : stderr);
    status = help ? CKPT_EXIT_OK : CKPT_EXIT_USAGE;
    goto out;
  }
  const CkptCliCommand *cmd = ckpt_cli_find(command);
  if (cmd == NULL) {
    status =
        ckpt_cli_usage_error("unknown command '%s' (see ckpt --help)", command);
    goto out;
  }
  if (help) {
    print_command_help(cmd);
    goto out;
  }
  /* a partition only means something for a sweep */
  if (ckpt_shard_get()->count && !g_strv_contains(shardable, cmd->name)) {
    status = ckpt_cli_usage_error("--shard: only for %s, not %s",
                                  "triage, yara, secrets and list", cmd->name);
    goto out;
  }
  /* chain files named on the command line come after the defaults */
  for (guint i = 0; i < cli.chain_files->len; i++) {
    g_autoptr(GError) error = NULL;
    if (!ckpt_chainset_load_file(ckpt_cli_chains(&cli),
                                 g_ptr_array_index(cli.chain_files, i),
                                 &error)) {
      status = ckpt_cli_usage_error("%s", error->message);
      goto out;
    }
  }
  g_ptr_array_add(rest, NULL);
  status = cmd->run
               ? cmd->run(&cli, cmd, (int)rest->len - 1, (char **)rest->pdata)
               : ckpt_cli_run_sugar(&cli, cmd, (int)rest->len - 1,
                                    (char **)rest->pdata);
out:
  ckpt_host_free(cli.host);
  ckpt_chainset_free(cli.chains);
  g_ptr_array_unref(cli.plugin_paths);
  g_ptr_array_unref(cli.chain_files);
  g_ptr_array_unref(cli.sets);
  return status;
}

/* cli.c - global flags, help, and the generic
 * runner that turns a subcommand into a chain run (see cli.h). */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt-config.h"
#include "util/error.h"
#include "host/isolate.h"
#include "host/cmdline.h"
#include "host/flags.h"
#include "host/shard.h"
#include "host/run.h"

struct CkptCli {
  GPtrArray *plugin_paths; /* char*, NULL-ended */
  GPtrArray *chain_files;  /* char* */
  GPtrArray *sets;         /* char*, NULL-ended */
  const char *format;
  CkptLimits limits;
  gboolean verbose;
  gboolean quiet;  /* -q: no warnings on stderr */
  gboolean reveal; /* --reveal: the host's redaction policy is off */
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

/* ---- state ------------------------------------------------------------- */

CkptHost *
ckpt_cli_host(CkptCli *cli)
{
  if (cli->host)
    return cli->host;
  cli->host = ckpt_host_new();
  ckpt_host_set_verbose(cli->host, cli->verbose);
  ckpt_host_set_quiet(cli->host, cli->quiet);
  ckpt_host_set_reveal(cli->host, cli->reveal);
  /* progress is for a person watching; logs and pipes get none */
  if (isatty(STDERR_FILENO))
    ckpt_host_set_progress(cli->host, ckpt_render_progress, stderr);
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

gboolean
ckpt_cli_quiet(CkptCli *cli)
{
  return cli->quiet;
}

gboolean
ckpt_cli_reveal(CkptCli *cli)
{
  return cli->reveal;
}

void
ckpt_cli_set_reveal(CkptCli *cli)
{
  cli->reveal = TRUE;
  if (cli->host)
    ckpt_host_set_reveal(cli->host, TRUE);
}

CkptRenderFormat
ckpt_cli_format(CkptCli *cli, const char *def)
{
  CkptRenderFormat f = CKPT_RENDER_TREE;
  ckpt_render_format_parse(cli->format ? cli->format : def, &f);
  return f;
}

CkptChain *
ckpt_cli_chain(CkptCli *cli, const char *spec, GError **error)
{
  return ckpt_chainset_resolve(ckpt_cli_chains(cli), spec, error);
}

/* ---- running: the host's sweep engine (host/sweep.h) ------------------ */

static void
print_problem(void *user, const char *line)
{
  ckpt_cli_print_error("%s", line);
}

void
ckpt_cli_sweep_init(CkptCli *cli, CkptSweep *sw)
{
  *sw = (CkptSweep){.host = ckpt_cli_host(cli),
                    .limits = &cli->limits,
                    .threads = -1,
                    .warnings = !cli->quiet,
                    .problem = print_problem};
}

void
ckpt_cli_expand_target(const char *path, GPtrArray *out)
{
  guint from = out->len;
  ckpt_targets_expand(path, out);
  /* --shard keeps this worker's part of what a path expands to */
  ckpt_shard_filter(out, from);
}

GPtrArray *
ckpt_cli_run_plan(CkptCli *cli, const CkptPlan *plan, char **files, int n_files)
{
  CkptSweep sw;
  ckpt_cli_sweep_init(cli, &sw);
  return ckpt_sweep_run(&sw, plan, files, (guint)n_files);
}

GPtrArray *
ckpt_cli_run_render(CkptCli *cli, const CkptPlan *plan, char **files,
                    int n_files, const CkptRenderOptions *ro)
{
  CkptSweep sw;
  ckpt_cli_sweep_init(cli, &sw);
  return ckpt_cli_sweep_render(cli, &sw, plan, files, n_files, ro, FALSE);
}

GPtrArray *
ckpt_cli_sweep_render(CkptCli *cli, const CkptSweep *sw, const CkptPlan *plan,
                      char **files, int n_files, const CkptRenderOptions *ro,
                      gboolean keep)
{
  gboolean written;
  GPtrArray *reports = ckpt_render_sweep(stdout, sw, plan, files,
                                         (guint)n_files, ro, keep, &written);
  if (!written)
    ckpt_cli_print_error("output or temporary spool file could not be "
                         "written: output is incomplete");
  return reports;
}

int
ckpt_cli_run_multi(CkptCli *cli, const CkptPlan *plan, char **files,
                   int n_files, const CkptRenderOptions *ro,
                   int (*exit_status)(CkptCli *cli, GPtrArray *reports))
{
  CkptSweep sw;
  ckpt_cli_sweep_init(cli, &sw);
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *out =
      ckpt_sweep_run_multi(&sw, plan, files, (guint)n_files, reports);
  if (out == NULL)
    return exit_status ? CKPT_EXIT_ERROR : CKPT_EXIT_FAILED;
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, out);
  ckpt_render(stdout, shown, ro);
  if (exit_status == NULL)
    return ckpt_sweep_status(shown);
  return ckpt_sweep_status(shown) != CKPT_EXIT_OK ? CKPT_EXIT_ERROR
                                                  : exit_status(cli, shown);
}

int
ckpt_cli_default_status(CkptCli *cli, GPtrArray *reports)
{
  return ckpt_sweep_status(reports);
}

size_t
ckpt_cli_count_rows(GPtrArray *reports, const char *plugin, const char *table)
{
  return ckpt_sweep_count_rows(reports, plugin, table);
}

/* ---- global flags (host/cmdline.h declares them) --------------------- */

int
ckpt_cli_main(int argc, char **argv)
{
  static const char *const shardable[] = {"triage", "yara", "secrets", "list",
                                          NULL};
  struct CkptCli cli = {0};
  cli.plugin_paths = g_ptr_array_new_with_free_func(g_free);
  cli.chain_files = g_ptr_array_new_with_free_func(g_free);
  cli.sets = g_ptr_array_new_with_free_func(g_free);
  ckpt_limits_init(&cli.limits);
  /* box-drawn trees only where the locale's character set is UTF-8 */
  ckpt_render_set_ascii(!g_get_charset(NULL));
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
    g_autoptr(GError) error = NULL;
    const char *v;
    const CkptGlobalFlag *g =
        ckpt_global_flag_match(argc, argv, &i, &v, &error);
    if (g == NULL && error) {
      status = ckpt_cli_usage_error("%s", error->message);
      goto out;
    }
    CkptRenderFormat f;
    CkptShard sh;
    guint64 secs = 0;
    switch (g ? (int)g->id : -1) {
    case -1:
      g_ptr_array_add(rest, (gpointer)a); /* the command's flag */
      break;
    case CKPT_GF_PLUGIN_PATH:
      g_ptr_array_add(cli.plugin_paths, g_strdup(v));
      break;
    case CKPT_GF_CHAINS:
      g_ptr_array_add(cli.chain_files, g_strdup(v));
      break;
    case CKPT_GF_SET:
      g_ptr_array_add(cli.sets, g_strdup(v));
      break;
    case CKPT_GF_FORMAT:
      if (!ckpt_render_format_parse(v, &f)) {
        status = ckpt_cli_usage_error(
            "unknown format '%s' (tree, table, json, jsonl, html)", v);
        goto out;
      }
      cli.format = v;
      break;
    case CKPT_GF_LIMIT:
      if (!ckpt_limits_set(&cli.limits, v, &error)) {
        status = ckpt_cli_usage_error("%s", error->message);
        goto out;
      }
      break;
    case CKPT_GF_SHARD:
      if (!ckpt_shard_parse(v, &sh, &error)) {
        status = ckpt_cli_usage_error("%s", error->message);
        goto out;
      }
      ckpt_shard_set(&sh);
      break;
    case CKPT_GF_COLOR:
      if (!ckpt_render_color_parse(v)) {
        status = ckpt_cli_usage_error(
            "--color: '%s' is not auto, always or never", v);
        goto out;
      }
      break;
    case CKPT_GF_ISOLATE_TIMEOUT:
      if (!g_ascii_string_to_unsigned(v, 10, 1, 86400 * 365, &secs, NULL)) {
        status = ckpt_cli_usage_error(
            "--isolate-timeout: '%s' is not a number of seconds", v);
        goto out;
      }
      ckpt_isolate_set_timeout((unsigned)secs);
      /* fall through */
    case CKPT_GF_ISOLATE:
      ckpt_isolate_set(TRUE); /* isolate.h */
      break;
    case CKPT_GF_VERBOSE:
      cli.verbose = TRUE;
      break;
    case CKPT_GF_QUIET:
      cli.quiet = TRUE;
      break;
    case CKPT_GF_REVEAL:
      cli.reveal = TRUE;
      break;
    case CKPT_GF_ASCII:
      ckpt_render_set_ascii(TRUE);
      break;
    case CKPT_GF_HELP:
      help = TRUE;
      break;
    case CKPT_GF_VERSION:
      printf("ckpt %s (plugin ABI %d.%d: loads plugins built for %d.0 to "
             "%d.%d)\n",
             CKPT_VERSION, CKPT_ABI_MAJOR, CKPT_ABI_MINOR, CKPT_ABI_MAJOR,
             CKPT_ABI_MAJOR, CKPT_ABI_MINOR);
      goto out;
    }
  }
  g_ptr_array_add(cli.plugin_paths, NULL);
  g_ptr_array_add(cli.sets, NULL);

  if (command == NULL) {
    ckpt_cli_print_help(&cli, help ? stdout : stderr, NULL);
    status = help ? CKPT_EXIT_OK : CKPT_EXIT_USAGE;
    goto out;
  }
  const CkptCliCommand *cmd = ckpt_cli_find(command);
  if (cmd == NULL) {
    const char *s = ckpt_cli_suggest_command(command);
    status = ckpt_cli_usage_error("unknown command '%s' (%s%s%s)", command,
                                  s ? "did you mean " : "see ckpt help",
                                  s ? s : "", s ? "?" : "");
    goto out;
  }
  if (help) {
    ckpt_cli_print_help(&cli, stdout, cmd);
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

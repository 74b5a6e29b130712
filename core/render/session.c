/* session.c - a front end's session over the host (session.h). */
#include "render/session.h"

#include <stdarg.h>
#include <unistd.h>

#include "host/shard.h"
#include "host/targets.h"
#include "host/flags.h"
#include "host/isolate.h"
#include "host/run.h"
#include "util/error.h"

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
ckpt_session_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint_error(fmt, ap);
  va_end(ap);
}

int
ckpt_session_usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint_error(fmt, ap);
  va_end(ap);
  return CKPT_EXIT_USAGE;
}

/* ---- state ------------------------------------------------------------- */

CkptHost *
ckpt_session_host(CkptSession *cli)
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
    ckpt_session_error("plugin refused: %s",
                       (char *)g_ptr_array_index(refused, i));
  return cli->host;
}

CkptChainSet *
ckpt_session_chains(CkptSession *cli)
{
  if (cli->chains)
    return cli->chains;
  cli->chains = ckpt_chainset_new();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  ckpt_chainset_load_defaults(cli->chains, warnings);
  for (guint i = 0; i < warnings->len; i++)
    ckpt_session_error("chain file skipped: %s",
                       (char *)g_ptr_array_index(warnings, i));
  return cli->chains;
}

const char *const *
ckpt_session_sets(CkptSession *cli)
{
  return (const char *const *)cli->sets->pdata;
}

const CkptLimits *
ckpt_session_limits(CkptSession *cli)
{
  return &cli->limits;
}

gboolean
ckpt_session_verbose(CkptSession *cli)
{
  return cli->verbose;
}

gboolean
ckpt_session_quiet(CkptSession *cli)
{
  return cli->quiet;
}

gboolean
ckpt_session_reveal(CkptSession *cli)
{
  return cli->reveal;
}

void
ckpt_session_set_reveal(CkptSession *cli)
{
  cli->reveal = TRUE;
  if (cli->host)
    ckpt_host_set_reveal(cli->host, TRUE);
}

CkptRenderFormat
ckpt_session_format(CkptSession *cli, const char *def)
{
  CkptRenderFormat f = CKPT_RENDER_TREE;
  ckpt_render_format_parse(cli->format ? cli->format : def, &f);
  return f;
}

CkptChain *
ckpt_session_chain(CkptSession *cli, const char *spec, GError **error)
{
  return ckpt_chainset_resolve(ckpt_session_chains(cli), spec, error);
}

/* ---- running: the host's sweep engine (host/sweep.h) ------------------ */

static void
print_problem(void *user, const char *line)
{
  ckpt_session_error("%s", line);
}

CkptSweep *
ckpt_session_sweep_settings(CkptSession *cli)
{
  if (!cli->sweep_ready)
    cli->sweep = (CkptSweep){.threads = -1};
  cli->sweep_ready = TRUE;
  return &cli->sweep;
}

void
ckpt_session_sweep_init(CkptSession *cli, CkptSweep *sw)
{
  const CkptSweep *set = ckpt_session_sweep_settings(cli);
  *sw = (CkptSweep){.host = ckpt_session_host(cli),
                    .limits = &cli->limits,
                    .threads = set->threads,
                    .no_progress = set->no_progress,
                    .once = set->once,
                    .warnings = !cli->quiet,
                    .problem = print_problem};
}

void
ckpt_session_expand_target(const char *path, GPtrArray *out)
{
  guint from = out->len;
  ckpt_targets_expand(path, out);
  /* --shard keeps this worker's part of what a path expands to */
  ckpt_shard_filter(out, from);
}

GPtrArray *
ckpt_session_run_render(CkptSession *cli, const CkptPlan *plan, char **files,
                        int n_files, const CkptRenderOptions *ro)
{
  CkptSweep sw;
  ckpt_session_sweep_init(cli, &sw);
  return ckpt_session_sweep_render(cli, &sw, plan, files, n_files, ro, FALSE);
}

GPtrArray *
ckpt_session_sweep_render(CkptSession *cli, const CkptSweep *sw,
                          const CkptPlan *plan, char **files, int n_files,
                          const CkptRenderOptions *ro, gboolean keep)
{
  gboolean written;
  GPtrArray *reports = ckpt_render_sweep(stdout, sw, plan, files,
                                         (guint)n_files, ro, keep, &written);
  if (!written)
    ckpt_session_error("output or temporary spool file could not be "
                       "written: output is incomplete");
  return reports;
}

int
ckpt_session_run_multi(CkptSession *cli, const CkptPlan *plan, char **files,
                       int n_files, const CkptRenderOptions *ro,
                       int (*exit_status)(CkptSession *cli, GPtrArray *reports))
{
  CkptSweep sw;
  ckpt_session_sweep_init(cli, &sw);
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

/* ---- the global flags' settings -------------------------------------- */

static gboolean usage(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static gboolean
usage(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, CKPT_ERROR, CKPT_ERROR_USAGE, msg);
  return FALSE;
}

gboolean
ckpt_session_apply_global(CkptSession *cli, const CkptGlobalFlag *g,
                          const char *v, GError **error)
{
  CkptRenderFormat f;
  CkptShard sh;
  guint64 secs = 0;
  switch (g->id) {
  case CKPT_GF_PLUGIN_PATH:
    g_ptr_array_add(cli->plugin_paths, g_strdup(v));
    break;
  case CKPT_GF_CHAINS:
    g_ptr_array_add(cli->chain_files, g_strdup(v));
    break;
  case CKPT_GF_SET:
    g_ptr_array_add(cli->sets, g_strdup(v));
    break;
  case CKPT_GF_FORMAT:
    if (!ckpt_render_format_parse(v, &f))
      return usage(error,
                   "unknown format '%s' (tree, table, json, jsonl, html)", v);
    cli->format = v;
    break;
  case CKPT_GF_LIMIT:
    return ckpt_limits_set(&cli->limits, v, error);
  case CKPT_GF_SHARD:
    if (!ckpt_shard_parse(v, &sh, error))
      return FALSE;
    ckpt_shard_set(&sh);
    break;
  case CKPT_GF_THREADS:
    /* a --set sweep.threads=N: after the command's own settings, so it
     * wins over a command's default (yara's the cores) */
    if (!g_ascii_string_to_unsigned(v, 10, 0, 100000, &secs, NULL))
      return usage(error, "--threads: '%s' is not a number of threads", v);
    g_ptr_array_add(cli->sets, g_strdup_printf("sweep.threads=%s", v));
    break;
  case CKPT_GF_COLOR:
    if (!ckpt_render_color_parse(v))
      return usage(error, "--color: '%s' is not auto, always or never", v);
    break;
  case CKPT_GF_ISOLATE_TIMEOUT:
    if (!g_ascii_string_to_unsigned(v, 10, 1, 86400 * 365, &secs, NULL))
      return usage(error, "--isolate-timeout: '%s' is not a number of seconds",
                   v);
    ckpt_isolate_set_timeout((unsigned)secs);
    /* fall through */
  case CKPT_GF_ISOLATE:
    ckpt_isolate_set(TRUE); /* isolate.h */
    break;
  case CKPT_GF_VERBOSE:
    cli->verbose = TRUE;
    break;
  case CKPT_GF_QUIET:
    cli->quiet = TRUE;
    break;
  case CKPT_GF_REVEAL:
    cli->reveal = TRUE;
    break;
  case CKPT_GF_ASCII:
    ckpt_render_set_ascii(TRUE);
    break;
  default:
    break;
  }
  return TRUE;
}

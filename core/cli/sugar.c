/* sugar.c - the generic runner that turns a subcommand's flag table into a
 * chain run on the host's sweep engine (cli.h), and the help texts. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "host/shard.h"
#include "host/flags.h"

/* ---- the generic sugar runner ----------------------------------------- */

/* The command's flag a names: --FLAG, --FLAG=VALUE (*eq at the '=') or its
 * alias (-r, -rVALUE); NULL when none. */
static const CkptCliFlag *
match_flag(const CkptCliCommand *cmd, const char *a, const char **eq)
{
  *eq = NULL;
  for (size_t i = 0; cmd && cmd->flags && cmd->flags[i].flag; i++) {
    const CkptCliFlag *f = &cmd->flags[i];
    size_t n = strlen(f->flag), an = f->alias ? strlen(f->alias) : 0;
    if (an && strcmp(a, f->alias) == 0)
      return f;
    /* "-p5" and "-p=5", as getopt takes them: *eq just before the value */
    if (an && f->takes_value && strncmp(a, f->alias, an) == 0) {
      *eq = a[an] == '=' ? a + an : a + an - 1;
      return f;
    }
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, f->flag, n) != 0 ||
        (a[2 + n] != '\0' && a[2 + n] != '='))
      continue;
    *eq = a[2 + n] == '=' ? a + 2 + n : NULL;
    return f;
  }
  return NULL;
}

/* Pass one: the command's own flags, which may add plugins. */
static gboolean
apply_command_flags(const CkptCliCommand *cmd, int argc, char **argv,
                    GPtrArray *plugins, GPtrArray *sets, GPtrArray *show)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *eq;
    if (strcmp(a, "--") == 0)
      break;
    const CkptCliFlag *f = a[0] == '-' ? match_flag(cmd, a, &eq) : NULL;
    if (f == NULL)
      continue;
    if (f->plugins)
      g_ptr_array_add(plugins, g_strdup(f->plugins));
    g_auto(GStrv) parts = g_strsplit(f->show ? f->show : "", ",", -1);
    for (size_t k = 0; parts[k]; k++)
      if (*parts[k])
        g_ptr_array_add(show, g_strdup(parts[k]));
    if (f->set && f->takes_value) {
      const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (v == NULL) {
        ckpt_cli_usage_error("--%s needs a value", f->flag);
        return FALSE;
      }
      /* an item ends in a newline: a LIST then keeps its commas */
      g_ptr_array_add(
          sets, g_strdup_printf("%s=%s%s", f->set, v, f->item ? "\n" : ""));
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
    const char *eq;
    const CkptCliFlag *f = match_flag(cmd, a, &eq);
    if (f) {
      if (f->takes_value && !eq)
        i++; /* consumed in pass one */
      continue;
    }
    if (!g_str_has_prefix(a, "--")) {
      ckpt_cli_usage_error("unknown flag %s", a);
      return FALSE;
    }
    g_autoptr(GError) error = NULL;
    gboolean used_next = FALSE;
    if (!ckpt_plan_flag(plan, a, i + 1 < argc ? argv[i + 1] : NULL, sets,
                        &used_next, &error)) {
      g_autofree char *name = g_strndup(a + 2, strcspn(a + 2, "="));
      g_autofree char *hint = ckpt_cli_flag_hint(cmd, plan, name);
      ckpt_cli_usage_error("%s%s", error->message, hint);
      return FALSE;
    }
    i += used_next;
  }
  return TRUE;
}

/* Applies sets, then the global --set values (the most explicit wins), to
 * plan and sw (host/flags.h). FALSE after printing a usage error. */
static gboolean
apply_sets(CkptCli *cli, CkptPlan *plan, GPtrArray *sets, CkptSweep *sw)
{
  g_autoptr(GError) error = NULL;
  for (const char *const *s = ckpt_cli_sets(cli); *s; s++)
    g_ptr_array_add(sets, g_strdup(*s));
  /* one switch for both: the global --reveal shows the secrets plugin's
   * values too, and `ckpt secrets --reveal` turns the host's policy off */
  if (ckpt_cli_reveal(cli) && ckpt_plan_step(plan, "secrets"))
    g_ptr_array_add(sets, g_strdup("secrets.reveal=true"));
  for (guint i = 0; i < sets->len; i++)
    if (strcmp(g_ptr_array_index(sets, i), "secrets.reveal=true") == 0)
      ckpt_cli_set_reveal(cli);
  if (!ckpt_sweep_apply(sw, plan, sets, &error)) {
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
         apply_sets(cli, plan, sets, NULL);
}

int
ckpt_cli_run_sugar(CkptCli *cli, const CkptCliCommand *cmd, int argc,
                   char **argv)
{
  g_autoptr(GPtrArray) plugins = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  for (const char *const *d = cmd->defaults; d && *d; d++)
    g_ptr_array_add(sets, g_strdup(*d));
  g_autoptr(GPtrArray) show = g_ptr_array_new_with_free_func(g_free);
  if (!apply_command_flags(cmd, argc, argv, plugins, sets, show))
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

  CkptSweep sw;
  ckpt_cli_sweep_init(cli, &sw);
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  if (!parse_rest(cmd, plan, argc, argv, sets, files) ||
      !apply_sets(cli, plan, sets, &sw))
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

  ckpt_sweep_prepare(&sw, plan, targets->len);
  g_ptr_array_add(show, NULL);
  CkptRenderFormat format =
      ckpt_cli_format(cli, cmd->format ? cmd->format : "tree");
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;
  CkptRenderOptions ro = {
      .format = format,
      .only = cmd->only_text && !text ? NULL : cmd->only,
      .merge = cmd->merge,
      .look = cmd->look,
      .show = cmd->show ? cmd->show : (const char *const *)show->pdata,
      .file_column = cmd->file_column,
  };
  /* a command that judges findings from rows needs every row kept; the
   * others stream */
  g_autoptr(GPtrArray) reports = NULL;
  if (cmd->write) {
    reports = ckpt_sweep_run(&sw, plan, (char **)targets->pdata, targets->len);
    cmd->write(cli, reports, &ro);
  } else {
    reports =
        ckpt_cli_sweep_render(cli, &sw, plan, (char **)targets->pdata,
                              (int)targets->len, &ro, cmd->exit_status != NULL);
  }
  return cmd->exit_status ? cmd->exit_status(cli, reports)
                          : ckpt_cli_default_status(cli, reports);
}

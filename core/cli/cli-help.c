/* cli-help.c - `ckpt help [COMMAND]`, what --help prints, "did you mean"
 * for commands and flags, and the declarations the man pages and shell
 * completions are generated from at build time.
 *
 * Everything here is read from declarations: the command table
 * (commands.c) and each command's flag table, the global flags, exit
 * statuses, environment and files below, and the loaded plugins' options
 * and tables. `ckpt help --dump` emits them all as rows (render them with
 * --format json), which docs/mkman.py and docs/mkcompletion.py turn into
 * ckpt(1) and the bash, zsh and fish completions: nothing is written twice,
 * so the pages cannot drift from the tool. */
#include <stdio.h>
#include <string.h>

#include "ckpt-config.h"
#include "cli/cli.h"
#include "host/catalog.h"
#include "util/limits.h"
#include "util/suggest.h"

/* The global flags main() parses (cli.c), for help, man and completion. */
typedef struct {
  const char *flag, *value, *help;
} GlobalFlag;
static const GlobalFlag globals[] = {
    {"plugin-path", "DIR", "search DIR for plugins first (repeatable)"},
    {"chains", "FILE", "read chain definitions from FILE (repeatable)"},
    {"set", "PLUGIN.OPTION=VALUE", "set an option of a plugin (repeatable)"},
    {"format", "FORMAT", "output format: tree, table, json, jsonl or html"},
    {"limit", "NAME=VALUE",
     "raise or lower a bound on untrusted input (suffixes k, M, G, T)"},
    {"shard", "INDEX/COUNT",
     "take only this worker's part of the targets (triage, yara, secrets, "
     "list): a stable split by path hash; auto/COUNT reads "
     "JOB_COMPLETION_INDEX"},
    {"color", "WHEN",
     "colour severities and states: auto (on a terminal unless NO_COLOR "
     "is set; the default), always or never; --color alone is always"},
    {"isolate", NULL,
     "run each plugin in its own process: one that crashes fails alone"},
    {"isolate-timeout", "SECONDS",
     "isolate, and fail a plugin still running after SECONDS"},
    {"verbose", NULL, "log plugin loading and debug messages (also -v)"},
    {"quiet", NULL, "no warnings on stderr (also -q); JSON output keeps them"},
    {"reveal", NULL,
     "show secrets in full; by default every value the secrets engine "
     "recognises is redacted in every plugin's output"},
    {"ascii", NULL,
     "draw trees in ASCII (the default when the locale is not UTF-8)"},
    {"version", NULL, "print the version and the plugin ABI"},
    {"help", NULL, "print help (also -h); ckpt help COMMAND for one command"},
    {NULL}};

typedef struct {
  const char *name, *help;
} Note;
static const Note exits[] = {
    {"0", "success; for yara, secrets and triage: nothing found; for "
          "memparse --search: a hit; for diff: equal"},
    {"1", "a checkpoint could not be read or a plugin failed; for yara and "
          "secrets: something found (even if another file failed); for "
          "triage: a finding reached --fail-on; for memparse --search: no "
          "hit; for diff: different"},
    {"2", "usage error (unknown command, flag, plugin or option, a value of "
          "the wrong type); for yara, secrets, triage, memparse --search and "
          "diff also an error that left the answer incomplete"},
    {NULL}};
static const Note environment[] = {
    {"NO_COLOR", "when set and not empty, no colour unless --color asks"},
    {"CKPT_PLUGIN_PATH", "colon-separated absolute directories searched for "
                         "plugins after --plugin-path"},
    {"XDG_DATA_HOME", "per-user plugins in $XDG_DATA_HOME/ckpt/plugins"},
    {"XDG_CONFIG_HOME", "per-user chains in $XDG_CONFIG_HOME/ckpt/chains"},
    {"TMPDIR", "where output waiting to be written is spooled past 1 MiB "
               "(unlinked files)"},
    {"CKPT_NO_JIT", "1: no PCRE2 JIT for memparse --search-regex"},
    {NULL}};
static const Note files[] = {
    {CKPT_PLUGINDIR, "the installed plugins"},
    {"~/.local/lib/ckpt/plugins", "per-user plugins, when XDG_DATA_HOME is "
                                  "not set"},
    {CKPT_CHAINDIR, "the installed chains (*.ini)"},
    {"~/.config/ckpt/chains", "per-user chains (*.ini), when XDG_CONFIG_HOME "
                              "is not set; they replace installed ones of "
                              "the same name"},
    {CKPT_RULESDIR, "the shipped YARA rules and secret detectors"},
    {NULL}};

/* ---- resolving a command's plugins ------------------------------------ */

/* The plan a chain command runs with every flag given: its plugins and
 * their options, i.e. the flags it accepts. NULL for other commands. */
static CkptPlan *
command_plan(CkptCli *cli, const CkptCliCommand *cmd)
{
  if (cmd->chain == NULL)
    return NULL;
  g_autoptr(CkptChain) chain = ckpt_cli_chain(cli, cmd->chain, NULL);
  if (chain == NULL)
    return NULL;
  for (size_t i = 0; cmd->flags && cmd->flags[i].flag; i++) {
    g_auto(GStrv) names =
        g_strsplit(cmd->flags[i].plugins ? cmd->flags[i].plugins : "", ",", -1);
    for (size_t j = 0; names[j]; j++)
      if (*names[j] && !g_ptr_array_find_with_equal_func(
                           chain->plugins, names[j], g_str_equal, NULL))
        g_ptr_array_add(chain->plugins, g_strdup(names[j]));
  }
  return ckpt_plan_new(ckpt_cli_host(cli), chain, NULL, NULL);
}

static gboolean
is_command_flag(const CkptCliCommand *cmd, const char *name)
{
  /* a flag without help is a plugin option's own flag given a short
   * alias (memparse -s is --search): the option, not a clash */
  for (size_t i = 0; cmd && cmd->flags && cmd->flags[i].flag; i++)
    if (cmd->flags[i].help && strcmp(cmd->flags[i].flag, name) == 0)
      return TRUE;
  for (size_t i = 0; globals[i].flag; i++)
    if (strcmp(globals[i].flag, name) == 0)
      return TRUE;
  return FALSE;
}

/* How option o of step st is spelt as a flag: --NAME when no other plugin
 * of the plan has one of that name and no command flag is called so,
 * else --PLUGIN.NAME. */
static char *
option_flag(const CkptCliCommand *cmd, const CkptPlan *plan, const CkptStep *st,
            const CkptOption *o)
{
  int owners = 0;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *s = g_ptr_array_index(plan->steps, i);
    owners += ckpt_options_get(s->opts, o->name) != NULL;
  }
  if (owners == 1 && !is_command_flag(cmd, o->name))
    return g_strdup(o->name);
  return g_strdup_printf("%s.%s", st->plugin->desc->name, o->name);
}

/* ---- did you mean ------------------------------------------------------ */

const char *
ckpt_cli_suggest_command(const char *word)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (size_t i = 0; ckpt_cli_commands[i]; i++)
    g_ptr_array_add(names, (gpointer)ckpt_cli_commands[i]->name);
  g_ptr_array_add(names, NULL);
  return ckpt_suggest(word, (const char *const *)names->pdata);
}

char *
ckpt_cli_flag_hint(const CkptCliCommand *cmd, const CkptPlan *plan,
                   const char *word)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; cmd && cmd->flags && cmd->flags[i].flag; i++)
    g_ptr_array_add(names, g_strdup(cmd->flags[i].flag));
  for (guint i = 0; plan && i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    for (size_t j = 0;
         st->plugin->desc->options && st->plugin->desc->options[j].name; j++) {
      const CkptOption *o = &st->plugin->desc->options[j];
      g_ptr_array_add(names, option_flag(cmd, plan, st, o));
      if (o->type == CKPT_T_BOOL)
        g_ptr_array_add(names, g_strdup_printf("no-%s", o->name));
    }
  }
  for (size_t i = 0; globals[i].flag; i++)
    g_ptr_array_add(names, g_strdup(globals[i].flag));
  g_ptr_array_add(names, NULL);
  const char *s = ckpt_suggest(word, (const char *const *)names->pdata);
  return s ? g_strdup_printf(" (did you mean --%s?)", s) : g_strdup("");
}

/* ---- help text --------------------------------------------------------- */

/* "  --flag=VALUE   help", the help at column 26 or on the next line */
static void
print_flag(FILE *out, const char *flag, const char *value, const char *help)
{
  g_autofree char *left =
      g_strdup_printf("--%s%s%s", flag, value ? "=" : "", value ? value : "");
  if (strlen(left) <= 22)
    fprintf(out, "  %-23s %s\n", left, help);
  else
    fprintf(out, "  %s\n  %-23s %s\n", left, "", help);
}

static void
print_general(FILE *out)
{
  fprintf(out, "usage: ckpt [GLOBAL FLAGS] COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; ckpt_cli_commands[i]; i++)
    fprintf(out, "  %-10s %s\n", ckpt_cli_commands[i]->name,
            ckpt_cli_commands[i]->summary);
  fprintf(out, "\nglobal flags:\n");
  for (size_t i = 0; globals[i].flag; i++)
    print_flag(out, globals[i].flag, globals[i].value, globals[i].help);
  fprintf(out, "\nlimits (--limit NAME=VALUE):\n  ");
  const char *const *names = ckpt_limits_names();
  for (size_t i = 0; names[i]; i++)
    fprintf(out, "%s%s", i ? ", " : "", names[i]);
  fprintf(out, "\n\nexit status:\n");
  for (size_t i = 0; exits[i].name; i++)
    fprintf(out, "  %s  %s\n", exits[i].name, exits[i].help);
  fprintf(out, "\nSee ckpt help COMMAND, ckpt plugins NAME and man ckpt.\n");
}

/* The short form a command gives option o of st ("-s"), or NULL. */
static const char *
option_alias(const CkptCliCommand *cmd, const CkptStep *st, const CkptOption *o)
{
  g_autofree char *set =
      g_strdup_printf("%s.%s", st->plugin->desc->name, o->name);
  for (size_t i = 0; cmd && cmd->flags && cmd->flags[i].flag; i++)
    if (cmd->flags[i].alias && cmd->flags[i].set &&
        strcmp(cmd->flags[i].set, set) == 0)
      return cmd->flags[i].alias;
  return NULL;
}

static void
print_plan_options(FILE *out, const CkptCliCommand *cmd, const CkptPlan *plan)
{
  gboolean any = FALSE;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    const CkptOption *opts = st->plugin->desc->options;
    for (size_t j = 0; opts && opts[j].name; j++) {
      if (!any)
        fprintf(out, "\noptions of the plugins run (also --PLUGIN.OPTION):\n");
      any = TRUE;
      g_autofree char *flag = option_flag(cmd, plan, st, &opts[j]);
      gboolean b = opts[j].type == CKPT_T_BOOL;
      g_autofree char *shown =
          b ? g_strdup_printf("[no-]%s", flag) : g_strdup(flag);
      const char *alias = option_alias(cmd, st, &opts[j]);
      g_autofree char *help = g_strdup_printf(
          "%s (%s%s%s%s%s)", opts[j].help ? opts[j].help : opts[j].name,
          alias ? alias : "", alias ? ", " : "", st->plugin->desc->name,
          opts[j].default_value ? ", default " : "",
          opts[j].default_value ? opts[j].default_value : "");
      print_flag(out, shown, b ? NULL : ckpt_type_name(opts[j].type), help);
    }
  }
}

/* run's help: what it can run */
static void
print_run_names(CkptCli *cli, FILE *out)
{
  g_autoptr(GPtrArray) chains = ckpt_chainset_list(ckpt_cli_chains(cli));
  fprintf(out, "\nchains (ckpt chains):");
  for (guint i = 0; i < chains->len; i++)
    fprintf(out, " %s", ((const CkptChain *)chains->pdata[i])->name);
  GPtrArray *all = ckpt_host_plugins(ckpt_cli_host(cli));
  fprintf(out, "\nplugins (ckpt plugins NAME):");
  for (guint i = 0; i < all->len; i++)
    fprintf(out, " %s", ((const CkptLoadedPlugin *)all->pdata[i])->desc->name);
  fprintf(out, "\n\nEvery option of the plugins run is a flag: --OPTION or "
               "--PLUGIN.OPTION.\n");
}

void
ckpt_cli_print_help(CkptCli *cli, FILE *out, const CkptCliCommand *c)
{
  if (c == NULL) {
    print_general(out);
    return;
  }
  fprintf(out, "usage: ckpt %s %s\n\n%s\n", c->name,
          c->usage ? c->usage : "FILE...", c->summary ? c->summary : "");
  if (c->chain)
    fprintf(out, "\nruns: %s\n", c->chain);
  /* a flag without help is an alias of a plugin option, listed there */
  for (size_t i = 0, n = 0; c->flags && c->flags[i].flag; i++)
    if (c->flags[i].help)
      print_flag(n++ ? out : (fputs("\nflags:\n", out), out), c->flags[i].flag,
                 c->flags[i].takes_value ? "VALUE" : NULL, c->flags[i].help);
  g_autoptr(CkptPlan) plan = command_plan(cli, c);
  if (plan)
    print_plan_options(out, c, plan);
  if (c == &ckpt_cmd_run)
    print_run_names(cli, out);
  fprintf(out, "\nGlobal flags (ckpt --help) go before or after the "
               "command.\n");
}

/* ---- the declarations, as rows (host/catalog.h) ------------------------ */

static void
note_rows(CkptReport *rep, const char *kind, const Note *n)
{
  for (; n->name; n++)
    ckpt_catalog_decl_note(rep, kind, n->name, n->help);
}

/* Every command with its flags (a chain command's plugin options among
 * them, marked with their plugin), then the global flags (command ""). */
static void
dump(CkptCli *cli, CkptReport *rep)
{
  for (size_t i = 0; ckpt_cli_commands[i]; i++) {
    const CkptCliCommand *c = ckpt_cli_commands[i];
    ckpt_catalog_decl_command(rep, c->name, c->summary,
                              c->usage ? c->usage : "FILE...", c->chain);
    for (size_t k = 0; c->flags && c->flags[k].flag; k++)
      ckpt_catalog_decl_flag(rep, c->name, c->flags[k].flag,
                             c->flags[k].takes_value ? "VALUE" : NULL,
                             c->flags[k].help, NULL, NULL, NULL);
    g_autoptr(CkptPlan) plan = command_plan(cli, c);
    for (guint s = 0; plan && s < plan->steps->len; s++) {
      const CkptStep *st = g_ptr_array_index(plan->steps, s);
      const CkptOption *o = st->plugin->desc->options;
      for (size_t k = 0; o && o[k].name; k++) {
        g_autofree char *f = option_flag(c, plan, st, &o[k]);
        ckpt_catalog_decl_flag(
            rep, c->name, f,
            o[k].type == CKPT_T_BOOL ? NULL : ckpt_type_name(o[k].type),
            o[k].help, st->plugin->desc->name, ckpt_type_name(o[k].type),
            o[k].default_value);
      }
    }
  }
  for (size_t i = 0; globals[i].flag; i++)
    ckpt_catalog_decl_flag(rep, "", globals[i].flag, globals[i].value,
                           globals[i].help, NULL, NULL, NULL);
  note_rows(rep, "exit", exits);
  note_rows(rep, "environment", environment);
  note_rows(rep, "file", files);
  ckpt_catalog_decl_host_notes(rep, ckpt_cli_chains(cli));
}

/* ---- the command ------------------------------------------------------- */

static int
help_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc == 1 && strcmp(argv[0], "--dump") == 0) {
    g_autoptr(GPtrArray) reports =
        g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
    CkptReport *rep = ckpt_catalog_decls_new();
    g_ptr_array_add(reports, rep);
    dump(cli, rep);
    CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "json")};
    ckpt_render(stdout, reports, &ro);
    return CKPT_EXIT_OK;
  }
  if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
    return ckpt_cli_usage_error("usage: ckpt help %s", cmd->usage);
  const CkptCliCommand *c = argc ? ckpt_cli_find(argv[0]) : NULL;
  if (argc && c == NULL) {
    const char *s = ckpt_cli_suggest_command(argv[0]);
    return ckpt_cli_usage_error("unknown command '%s'%s%s%s", argv[0],
                                s ? " (did you mean " : "", s ? s : "",
                                s ? "?)" : " (see ckpt help)");
  }
  ckpt_cli_print_help(cli, stdout, c);
  return CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_help = {
    .name = "help",
    .summary = "print help on ckpt or on one command",
    .usage = "[COMMAND]",
    .run = help_main,
};

/* help.c - help text from the declarations (help.h). */
#include "render/help.h"

#include <string.h>

#include "ckpt-config.h"
#include "host/catalog.h"
#include "util/limits.h"

const CkptNote ckpt_help_exits[] = {
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
const CkptNote ckpt_help_environment[] = {
    {"NO_COLOR", "when set and not empty, no colour unless --color asks"},
    {"CKPT_PLUGIN_PATH", "colon-separated absolute directories searched for "
                         "plugins after --plugin-path"},
    {"XDG_DATA_HOME", "per-user plugins in $XDG_DATA_HOME/ckpt/plugins"},
    {"XDG_CONFIG_HOME", "per-user chains in $XDG_CONFIG_HOME/ckpt/chains"},
    {"TMPDIR", "where output waiting to be written is spooled past 1 MiB "
               "(unlinked files)"},
    {"CKPT_NO_JIT", "1: no PCRE2 JIT for memparse --search-regex"},
    {NULL}};
const CkptNote ckpt_help_files[] = {
    {CKPT_PLUGINDIR, "the installed plugins"},
    {"~/.local/lib/ckpt/plugins", "per-user plugins, when XDG_DATA_HOME is "
                                  "not set"},
    {CKPT_CHAINDIR, "the installed chains (*.ini)"},
    {"~/.config/ckpt/chains", "per-user chains (*.ini), when XDG_CONFIG_HOME "
                              "is not set; they replace installed ones of "
                              "the same name"},
    {CKPT_RULESDIR, "the shipped YARA rules and secret detectors"},
    {NULL}};

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

void
ckpt_help_general(FILE *out, const char *const *cmds)
{
  fprintf(out, "usage: ckpt [GLOBAL FLAGS] COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; cmds[i]; i += 2)
    fprintf(out, "  %-10s %s\n", cmds[i], cmds[i + 1]);
  fprintf(out, "\nglobal flags:\n");
  for (const CkptGlobalFlag *g = ckpt_global_flags; g->flag; g++)
    print_flag(out, g->flag, g->value, g->help);
  fprintf(out, "\nlimits (--limit NAME=VALUE):\n  ");
  const char *const *names = ckpt_limits_names();
  for (size_t i = 0; names[i]; i++)
    fprintf(out, "%s%s", i ? ", " : "", names[i]);
  fprintf(out, "\n\nexit status:\n");
  for (const CkptNote *n = ckpt_help_exits; n->name; n++)
    fprintf(out, "  %s  %s\n", n->name, n->help);
  fprintf(out, "\nSee ckpt help COMMAND, ckpt plugins NAME and man ckpt.\n");
}

static void
print_plan_options(FILE *out, const CkptFlag *flags, const CkptPlan *plan)
{
  gboolean any = FALSE;
  for (guint i = 0; i < plan->steps->len; i++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, i);
    const CkptOption *opts = st->plugin->desc->options;
    for (size_t j = 0; opts && opts[j].name; j++) {
      if (!any)
        fprintf(out, "\noptions of the plugins run (also --PLUGIN.OPTION):\n");
      any = TRUE;
      g_autofree char *flag = ckpt_flags_option_flag(flags, plan, st, &opts[j]);
      gboolean b = opts[j].type == CKPT_T_BOOL;
      g_autofree char *shown =
          b ? g_strdup_printf("[no-]%s", flag) : g_strdup(flag);
      const char *alias = ckpt_flags_option_alias(flags, st, &opts[j]);
      g_autofree char *help = g_strdup_printf(
          "%s (%s%s%s%s%s)", opts[j].help ? opts[j].help : opts[j].name,
          alias ? alias : "", alias ? ", " : "", st->plugin->desc->name,
          opts[j].default_value ? ", default " : "",
          opts[j].default_value ? opts[j].default_value : "");
      print_flag(out, shown, b ? NULL : ckpt_type_name(opts[j].type), help);
    }
  }
}

void
ckpt_help_command(FILE *out, const char *name, const char *usage,
                  const char *summary, const char *chain, const CkptFlag *flags,
                  const CkptPlan *plan)
{
  fprintf(out, "usage: ckpt %s %s\n\n%s\n", name, usage ? usage : "FILE...",
          summary ? summary : "");
  if (chain)
    fprintf(out, "\nruns: %s\n", chain);
  /* a flag without help is an alias of a plugin option, listed there */
  for (size_t i = 0, n = 0; flags && flags[i].flag; i++)
    if (flags[i].help)
      print_flag(n++ ? out : (fputs("\nflags:\n", out), out), flags[i].flag,
                 flags[i].takes_value ? "VALUE" : NULL, flags[i].help);
  if (plan)
    print_plan_options(out, flags, plan);
}

void
ckpt_help_run_names(FILE *out, const CkptChainSet *set, CkptHost *h)
{
  g_autoptr(GPtrArray) chains = ckpt_chainset_list(set);
  fprintf(out, "\nchains (ckpt chains):");
  for (guint i = 0; i < chains->len; i++)
    fprintf(out, " %s", ((const CkptChain *)chains->pdata[i])->name);
  GPtrArray *all = ckpt_host_plugins(h);
  fprintf(out, "\nplugins (ckpt plugins NAME):");
  for (guint i = 0; i < all->len; i++)
    fprintf(out, " %s", ((const CkptLoadedPlugin *)all->pdata[i])->desc->name);
  fprintf(out, "\n\nEvery option of the plugins run is a flag: --OPTION or "
               "--PLUGIN.OPTION.\n");
}

/* ---- the same declarations as rows ------------------------------------ */

void
ckpt_help_decl_flags(CkptReport *rep, const char *cmd, const CkptFlag *flags,
                     const CkptPlan *plan)
{
  for (size_t k = 0; flags && flags[k].flag; k++)
    ckpt_catalog_decl_flag(rep, cmd, flags[k].flag,
                           flags[k].takes_value ? "VALUE" : NULL, flags[k].help,
                           NULL, NULL, NULL);
  for (guint s = 0; plan && s < plan->steps->len; s++) {
    const CkptStep *st = g_ptr_array_index(plan->steps, s);
    const CkptOption *o = st->plugin->desc->options;
    for (size_t k = 0; o && o[k].name; k++) {
      g_autofree char *f = ckpt_flags_option_flag(flags, plan, st, &o[k]);
      ckpt_catalog_decl_flag(
          rep, cmd, f,
          o[k].type == CKPT_T_BOOL ? NULL : ckpt_type_name(o[k].type),
          o[k].help, st->plugin->desc->name, ckpt_type_name(o[k].type),
          o[k].default_value);
    }
  }
}

static void
note_rows(CkptReport *rep, const char *kind, const CkptNote *n)
{
  for (; n->name; n++)
    ckpt_catalog_decl_note(rep, kind, n->name, n->help);
}

void
ckpt_help_decl_rest(CkptReport *rep, const CkptChainSet *set)
{
  for (const CkptGlobalFlag *g = ckpt_global_flags; g->flag; g++)
    ckpt_catalog_decl_flag(rep, "", g->flag, g->value, g->help, NULL, NULL,
                           NULL);
  note_rows(rep, "exit", ckpt_help_exits);
  note_rows(rep, "environment", ckpt_help_environment);
  note_rows(rep, "file", ckpt_help_files);
  ckpt_catalog_decl_host_notes(rep, set);
}

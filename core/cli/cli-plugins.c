/* cli-plugins.c - `ckpt plugins [NAME]` and `ckpt chains`: what the host
 * loaded and which chains are defined, rendered like any plugin's rows so
 * --format json works here too. */
#include "cli/cli.h"

#include <string.h>

static const CkptColumn list_cols[] = {{"name", CKPT_T_STR, "Name"},
                                       {"version", CKPT_T_STR, "Version"},
                                       {"abi", CKPT_T_STR, "ABI"},
                                       {"file", CKPT_T_STR, "File"},
                                       {"options", CKPT_T_STR, "Options"},
                                       {"depends", CKPT_T_STR, "Depends"},
                                       {NULL}};
static const CkptColumn info_cols[] = {
    {"name", CKPT_T_STR, "Name"},
    {"version", CKPT_T_STR, "Version"},
    {"abi", CKPT_T_STR, "ABI"},
    {"file", CKPT_T_STR, "File"},
    {"description", CKPT_T_STR, "Description"},
    {"license", CKPT_T_STR, "License"},
    {"depends", CKPT_T_STR, "Depends"},
    {NULL}};
static const CkptColumn option_cols[] = {{"name", CKPT_T_STR, "Option"},
                                         {"type", CKPT_T_STR, "Type"},
                                         {"default", CKPT_T_STR, "Default"},
                                         {"help", CKPT_T_STR, "Help"},
                                         {NULL}};
static const CkptColumn column_cols[] = {{"name", CKPT_T_STR, "Table / column"},
                                         {"type", CKPT_T_STR, "Type"},
                                         {"title", CKPT_T_STR, "Title"},
                                         {"help", CKPT_T_STR, "Help"},
                                         {NULL}};
static const CkptTable plugin_tables[] = {
    {"plugins", "Plugins", CKPT_LAYOUT_TABLE, list_cols},
    {"plugin", "Plugin", CKPT_LAYOUT_RECORD, info_cols},
    {"options", "Options", CKPT_LAYOUT_TABLE, option_cols},
    {"tables", "Tables", CKPT_LAYOUT_TREE, column_cols},
    {NULL}};
/* a descriptor for the host itself, so its rows have a home */
static const CkptPlugin self = {.name = "plugins", .tables = plugin_tables};

enum { T_LIST, T_INFO, T_OPTIONS, T_TABLES };

static char *
joined_options(const CkptPlugin *p)
{
  GString *s = g_string_new(NULL);
  for (size_t i = 0; p->options && p->options[i].name; i++)
    g_string_append_printf(s, "%s%s", i ? "," : "", p->options[i].name);
  return g_string_free(s, FALSE);
}

static char *
joined_depends(const CkptPlugin *p)
{
  if (p->depends == NULL)
    return g_strdup("");
  return g_strjoinv(",", (char **)p->depends);
}

static const char *const layouts[] = {"table", "tree", "record"};

static void
describe(CkptReport *rep, CkptPluginResult *pr, const CkptLoadedPlugin *lp)
{
  const CkptPlugin *p = lp->desc;
  g_autofree char *abi = g_strdup_printf("%u.%u", p->abi_major, p->abi_minor);
  g_autofree char *deps = joined_depends(p);
  CkptValue info[] = {
      CKPT_STR(p->name),  CKPT_STR(p->version),     CKPT_STR(abi),
      CKPT_STR(lp->path), CKPT_STR(p->description), CKPT_STR(p->license),
      CKPT_STR(deps)};
  ckpt_report_add_row(rep, pr, T_INFO, 0, info);
  for (size_t i = 0; p->options && p->options[i].name; i++) {
    const CkptOption *o = &p->options[i];
    CkptValue v[] = {CKPT_STR(o->name), CKPT_STR(ckpt_type_name(o->type)),
                     CKPT_STR(o->default_value), CKPT_STR(o->help)};
    ckpt_report_add_row(rep, pr, T_OPTIONS, 0, v);
  }
  for (size_t i = 0; p->tables && p->tables[i].name; i++) {
    const CkptTable *t = &p->tables[i];
    CkptValue v[] = {CKPT_STR(t->name), CKPT_STR(layouts[t->layout]),
                     CKPT_STR(t->title), CKPT_NULL};
    ckpt_report_add_row(rep, pr, T_TABLES, 0, v);
    for (size_t c = 0; t->columns[c].name; c++) {
      CkptValue cv[] = {CKPT_STR(t->columns[c].name),
                        CKPT_STR(ckpt_type_name(t->columns[c].type)),
                        CKPT_STR(t->columns[c].title),
                        CKPT_STR(t->columns[c].help)};
      ckpt_report_add_row(rep, pr, T_TABLES, 1, cv);
    }
  }
}

static int
plugins_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
    return ckpt_cli_usage_error("usage: ckpt plugins %s", cmd->usage);
  CkptHost *h = ckpt_cli_host(cli);
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *rep = ckpt_report_new("plugins");
  rep->opened = TRUE;
  g_ptr_array_add(reports, rep);
  CkptPluginResult *pr = ckpt_report_add_plugin(rep, &self);
  const char *only[] = {NULL, NULL, NULL, NULL};
  if (argc == 1) {
    const CkptLoadedPlugin *lp = ckpt_host_find(h, argv[0]);
    if (lp == NULL) {
      const char *near = ckpt_host_nearest(h, argv[0]);
      return ckpt_cli_usage_error("plugin %s is not installed%s%s%s", argv[0],
                                  near ? " (did you mean " : "",
                                  near ? near : "", near ? "?)" : "");
    }
    describe(rep, pr, lp);
    only[0] = "plugins.plugin";
    only[1] = "plugins.options";
    only[2] = "plugins.tables";
  } else {
    GPtrArray *all = ckpt_host_plugins(h);
    for (guint i = 0; i < all->len; i++) {
      const CkptLoadedPlugin *lp = g_ptr_array_index(all, i);
      const CkptPlugin *p = lp->desc;
      g_autofree char *abi =
          g_strdup_printf("%u.%u", p->abi_major, p->abi_minor);
      g_autofree char *opts = joined_options(p);
      g_autofree char *deps = joined_depends(p);
      CkptValue v[] = {CKPT_STR(p->name), CKPT_STR(p->version),
                       CKPT_STR(abi),     CKPT_STR(lp->path),
                       CKPT_STR(opts),    CKPT_STR(deps)};
      ckpt_report_add_row(rep, pr, T_LIST, 0, v);
    }
    only[0] = "plugins.plugins";
  }
  CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "table"),
                          .only = only,
                          .merge = argc == 0};
  ckpt_render(stdout, reports, &ro);
  return CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_plugins = {
    .name = "plugins",
    .summary = "list loaded plugins, or show one in full",
    .usage = "[NAME]",
    .run = plugins_main,
};

static const CkptColumn chain_cols[] = {
    {"name", CKPT_T_STR, "Chain"},
    {"plugins", CKPT_T_STR, "Plugins"},
    {"settings", CKPT_T_STR, "Settings"},
    {"file", CKPT_T_STR, "File"},
    {"description", CKPT_T_STR, "Description"},
    {NULL}};
static const CkptTable chain_tables[] = {
    {"chains", "Chains", CKPT_LAYOUT_TABLE, chain_cols}, {NULL}};
static const CkptPlugin chains_self = {.name = "chains",
                                       .tables = chain_tables};

static int
chains_main(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  if (argc > 0)
    return ckpt_cli_usage_error("usage: ckpt chains");
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *rep = ckpt_report_new("chains");
  rep->opened = TRUE;
  g_ptr_array_add(reports, rep);
  CkptPluginResult *pr = ckpt_report_add_plugin(rep, &chains_self);
  g_autoptr(GPtrArray) list = ckpt_chainset_list(ckpt_cli_chains(cli));
  for (guint i = 0; i < list->len; i++) {
    const CkptChain *c = g_ptr_array_index(list, i);
    g_ptr_array_add(c->plugins, NULL);
    g_ptr_array_add(c->settings, NULL);
    g_autofree char *plugins = g_strjoinv(",", (char **)c->plugins->pdata);
    g_autofree char *settings = g_strjoinv(" ", (char **)c->settings->pdata);
    g_ptr_array_remove_index(c->plugins, c->plugins->len - 1);
    g_ptr_array_remove_index(c->settings, c->settings->len - 1);
    CkptValue v[] = {CKPT_STR(c->name), CKPT_STR(plugins), CKPT_STR(settings),
                     CKPT_STR(c->file), CKPT_STR(c->description)};
    ckpt_report_add_row(rep, pr, 0, 0, v);
  }
  CkptRenderOptions ro = {.format = ckpt_cli_format(cli, "table"),
                          .merge = TRUE};
  ckpt_render(stdout, reports, &ro);
  return CKPT_EXIT_OK;
}

const CkptCliCommand ckpt_cmd_chains = {
    .name = "chains",
    .summary = "list the named chains and where they are defined",
    .usage = "",
    .run = chains_main,
};

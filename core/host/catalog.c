/* catalog.c - what the host has (catalog.h): the loaded plugins and the
 * defined chains, as rows of descriptors of the host's own. */
#include "host/catalog.h"
#include "util/limits.h"

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

CkptReport *
ckpt_catalog_plugins(const CkptHost *h, const char *name)
{
  const CkptLoadedPlugin *one = name ? ckpt_host_find(h, name) : NULL;
  if (name && one == NULL)
    return NULL;
  CkptReport *rep = ckpt_report_new("plugins");
  rep->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(rep, &self);
  if (one) {
    describe(rep, pr, one);
    return rep;
  }
  GPtrArray *all = ckpt_host_plugins(h);
  for (guint i = 0; i < all->len; i++) {
    const CkptLoadedPlugin *lp = g_ptr_array_index(all, i);
    const CkptPlugin *p = lp->desc;
    g_autofree char *abi = g_strdup_printf("%u.%u", p->abi_major, p->abi_minor);
    g_autofree char *opts = joined_options(p);
    g_autofree char *deps = joined_depends(p);
    CkptValue v[] = {CKPT_STR(p->name),  CKPT_STR(p->version), CKPT_STR(abi),
                     CKPT_STR(lp->path), CKPT_STR(opts),       CKPT_STR(deps)};
    ckpt_report_add_row(rep, pr, T_LIST, 0, v);
  }
  return rep;
}

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

CkptReport *
ckpt_catalog_chains(const CkptChainSet *set)
{
  CkptReport *rep = ckpt_report_new("chains");
  rep->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(rep, &chains_self);
  g_autoptr(GPtrArray) list = ckpt_chainset_list(set);
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
  return rep;
}

/* ---- the tool's declarations (ckpt help --dump) ------------------------ */

/* clang-format off */
static const CkptColumn cmd_cols[] = {
    {"name", CKPT_T_STR, "Command"}, {"summary", CKPT_T_STR, "Summary"},
    {"usage", CKPT_T_STR, "Usage"}, {"chain", CKPT_T_STR, "Chain"},
    {NULL}};
static const CkptColumn flag_cols[] = {
    {"command", CKPT_T_STR, "Command"}, {"flag", CKPT_T_STR, "Flag"},
    {"value", CKPT_T_STR, "Value"}, {"help", CKPT_T_STR, "Help"},
    {"plugin", CKPT_T_STR, "Plugin"}, {"type", CKPT_T_STR, "Type"},
    {"default", CKPT_T_STR, "Default"}, {NULL}};
static const CkptColumn note_cols[] = {
    {"kind", CKPT_T_STR, "Kind"}, {"name", CKPT_T_STR, "Name"},
    {"help", CKPT_T_STR, "Help"}, {NULL}};
static const CkptTable decl_tables[] = {
    {"commands", "Commands", CKPT_LAYOUT_TABLE, cmd_cols},
    {"flags", "Flags", CKPT_LAYOUT_TABLE, flag_cols},
    {"notes", "Exit status, environment, files, limits, chains",
     CKPT_LAYOUT_TABLE, note_cols},
    {NULL}};
/* clang-format on */
static const CkptPlugin decl_self = {.name = "help", .tables = decl_tables};
enum { T_DECL_CMD, T_DECL_FLAG, T_DECL_NOTE };

static CkptPluginResult *
decl_result(CkptReport *rep)
{
  return g_ptr_array_index(rep->plugins, 0);
}

CkptReport *
ckpt_catalog_decls_new(void)
{
  CkptReport *rep = ckpt_report_new("help");
  rep->opened = TRUE;
  ckpt_report_add_plugin(rep, &decl_self);
  return rep;
}

void
ckpt_catalog_decl_command(CkptReport *rep, const char *name,
                          const char *summary, const char *usage,
                          const char *chain)
{
  CkptValue v[] = {CKPT_STR(name), CKPT_STR(summary), CKPT_STR(usage),
                   CKPT_STR(chain)};
  ckpt_report_add_row(rep, decl_result(rep), T_DECL_CMD, 0, v);
}

void
ckpt_catalog_decl_flag(CkptReport *rep, const char *cmd, const char *flag,
                       const char *value, const char *help, const char *plugin,
                       const char *type, const char *def)
{
  CkptValue v[] = {CKPT_STR(cmd),  CKPT_STR(flag),   CKPT_STR(value),
                   CKPT_STR(help), CKPT_STR(plugin), CKPT_STR(type),
                   CKPT_STR(def)};
  ckpt_report_add_row(rep, decl_result(rep), T_DECL_FLAG, 0, v);
}

void
ckpt_catalog_decl_note(CkptReport *rep, const char *kind, const char *name,
                       const char *help)
{
  CkptValue v[] = {CKPT_STR(kind), CKPT_STR(name), CKPT_STR(help)};
  ckpt_report_add_row(rep, decl_result(rep), T_DECL_NOTE, 0, v);
}

void
ckpt_catalog_decl_host_notes(CkptReport *rep, const CkptChainSet *set)
{
  for (const char *const *l = ckpt_limits_names(); *l; l++)
    ckpt_catalog_decl_note(rep, "limit", *l, NULL);
  g_autoptr(GPtrArray) chains = ckpt_chainset_list(set);
  for (guint i = 0; i < chains->len; i++) {
    const CkptChain *ch = g_ptr_array_index(chains, i);
    ckpt_catalog_decl_note(rep, "chain", ch->name, ch->description);
  }
}

/* cli-list.c - `ckpt list`, checkpointctl's command of the same name: opens
 * every checkpoint-* file of the given directories and shows checkpointctl
 * list's columns as rows of a small declared table. (Moved verbatim out of
 * cli-inspect.c.)
 */
#include <string.h>

#include "cli/cli.h"
#include "model/model.h"
#include "render/render.h"

/* ---- list -------------------------------------------------------------- */

static const CkptColumn list_columns[] = {
    {"namespace", CKPT_T_STR, "Namespace"},
    {"pod", CKPT_T_STR, "Pod"},
    {"container", CKPT_T_STR, "Container"},
    {"engine", CKPT_T_STR, "Engine"},
    {"time_checkpointed", CKPT_T_TIME, "Time Checkpointed"},
    {"checkpoint_name", CKPT_T_STR, "Checkpoint Name"},
    {NULL},
};

static const CkptTable list_tables[] = {
    {"checkpoints", "Checkpoints", CKPT_LAYOUT_TABLE, list_columns},
    {NULL},
};

static const CkptOption list_options[] = {{NULL}};

static const CkptPlugin list_desc = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR,
    .size = sizeof(CkptPlugin),
    .name = "list",
    .version = "0.1.0",
    .description = "checkpoints found in directories",
    .license = "Apache-2.0",
    .options = list_options,
    .tables = list_tables,
};

static CkptValue
str_or_null(const char *s)
{
  return s ? CKPT_STR(s) : CKPT_NULL;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* checkpoint-* entries of dir, sorted; NULL when dir cannot be read */
static GPtrArray *
checkpoint_files(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *n;
  while ((n = g_dir_read_name(d)))
    if (g_str_has_prefix(n, "checkpoint-"))
      g_ptr_array_add(names, g_strdup(n));
  g_ptr_array_sort(names, cmp_names);
  return names;
}

static void
list_one(CkptCli *cli, CkptReport *out, CkptPluginResult *pr, const char *dir,
         const char *name, int *status)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c =
      ckpt_checkpoint_open(path, ckpt_cli_limits(cli), &error);
  if (c == NULL) {
    ckpt_cli_print_error("error extracting information from %s: %s", path,
                         error->message);
    *status = CKPT_EXIT_FAILED;
    return;
  }
  const CkptContainerInfo *ci = &c->container;
  CkptValue v[] = {
      str_or_null(ci->pod_namespace),
      str_or_null(ci->pod),
      str_or_null(ci->name),
      str_or_null(ci->engine),
      ci->checkpointed ? CKPT_TIME(ci->checkpointed) : CKPT_NULL,
      CKPT_STR(name),
  };
  ckpt_report_add_row(out, pr, 0, 0, v);
}

static int
list_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  static const char *const default_dirs[] = {"/var/lib/kubelet/checkpoints",
                                             NULL};
  const char *const *dirs = argc > 0 ? (const char *const *)argv : default_dirs;
  int n_dirs = argc > 0 ? argc : 1;
  int status = CKPT_EXIT_OK;
  CkptRenderFormat format = ckpt_cli_format(cli, "table");
  gboolean text = format == CKPT_RENDER_TREE || format == CKPT_RENDER_TABLE;

  for (int i = 0; i < n_dirs; i++)
    if (g_str_has_prefix(dirs[i], "-"))
      return ckpt_cli_usage_error("unknown flag %s for %s", dirs[i], cmd->name);

  CkptReport *out = ckpt_report_new("checkpoints");
  out->opened = TRUE;
  CkptPluginResult *pr = ckpt_report_add_plugin(out, &list_desc);
  gboolean any = FALSE;
  for (int i = 0; i < n_dirs; i++) {
    g_autoptr(GPtrArray) names = checkpoint_files(dirs[i]);
    if (names == NULL || names->len == 0)
      continue;
    any = TRUE;
    if (text)
      printf("Listing checkpoints in path: %s\n", dirs[i]);
    for (guint k = 0; k < names->len; k++)
      list_one(cli, out, pr, dirs[i], g_ptr_array_index(names, k), &status);
  }
  pr->outcome = CKPT_PLUGIN_RAN_OK;

  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  g_ptr_array_add(shown, out);
  if (!any && text) {
    GString *s = g_string_new("No checkpoints found in [");
    for (int i = 0; i < n_dirs; i++)
      g_string_append_printf(s, "%s%s", i ? " " : "", dirs[i]);
    printf("%s]\n", s->str);
    g_string_free(s, TRUE);
    return status;
  }
  CkptRenderOptions opt = {.format = format, .merge = TRUE};
  ckpt_render(stdout, shown, &opt);
  return status;
}

static const CkptCliCommand list_cmd = {
    .name = "list",
    .summary = "list checkpoints stored in the default and given directories",
    .usage = "[DIR...]",
    .format = "table",
    .run = list_run,
};
CKPT_CLI_COMMAND(list_cmd)

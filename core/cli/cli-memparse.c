/* cli-memparse.c - `ckpt memparse`, checkpointctl's command of that name,
 * as sugar over the memory plugin.
 *
 * Every option the plugin declares is a flag already (--pid, --search,
 * --search-regex, --search-hex, --context, --output, --maps, --vma, --prot,
 * --range, --raw, --core, --core-dir, --root, --force, --max-hits,
 * --no-objects to leave out what kernel objects hold); this file adds
 * checkpointctl's short flags (-p -o -s -r -c), refuses --core without
 * --pid as a usage error, and renders tables by default.
 *
 * Exit status: 0 success, 1 a checkpoint or plugin failed, 2 usage error;
 * with --search, --search-regex or --search-hex as grep(1): 0 a hit,
 * 1 no hit, 2 an error.
 */
#include <string.h>

#include "cli/cli.h"

static const CkptCliFlag memparse_flags[] = {{NULL}};

static const struct {
  const char *short_flag, *long_flag;
} short_flags[] = {
    {"-p", "--pid"},          {"-o", "--output"},  {"-s", "--search"},
    {"-r", "--search-regex"}, {"-c", "--context"},
};

/* "-p 5" and "-p5" become "--pid 5"; everything else passes as it is. */
static GPtrArray *
expand_short_flags(int argc, char **argv)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  gboolean done = FALSE;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    gboolean mapped = FALSE;
    if (strcmp(a, "--") == 0)
      done = TRUE;
    for (size_t k = 0; !done && !mapped && k < G_N_ELEMENTS(short_flags); k++) {
      const char *s = short_flags[k].short_flag;
      if (strncmp(a, s, 2) != 0)
        continue;
      mapped = TRUE;
      if (a[2] == '\0')
        g_ptr_array_add(out, g_strdup(short_flags[k].long_flag));
      else
        g_ptr_array_add(out, g_strdup_printf("%s=%s", short_flags[k].long_flag,
                                             a[2] == '=' ? a + 3 : a + 2));
    }
    if (!mapped)
      g_ptr_array_add(out, g_strdup(a));
  }
  g_ptr_array_add(out, NULL);
  return out;
}

static gboolean
has_flag(GPtrArray *args, const char *flag)
{
  size_t n = strlen(flag);
  for (guint i = 0; i + 1 < args->len; i++) {
    const char *a = args->pdata[i];
    if (strcmp(a, "--") == 0)
      break;
    if (strncmp(a, flag, n) == 0 && (a[n] == '\0' || a[n] == '='))
      return TRUE;
  }
  return FALSE;
}

/* grep's statuses: 0 a hit, 1 none, 2 an error (the search is then
 * incomplete, so a hit elsewhere does not make it a success) */
static int
search_status(CkptCli *cli, GPtrArray *reports)
{
  if (ckpt_cli_default_status(cli, reports) != CKPT_EXIT_OK)
    return 2;
  return ckpt_cli_count_rows(reports, "memory", "hits") ? 0 : 1;
}

static int
memparse_run(CkptCli *cli, const CkptCliCommand *cmd, int argc, char **argv)
{
  g_autoptr(GPtrArray) args = expand_short_flags(argc, argv);
  /* one core is of one process: say so before opening anything */
  if (has_flag(args, "--core") && !has_flag(args, "--pid"))
    return ckpt_cli_usage_error("memparse: --core needs --pid (--core-dir "
                                "writes every process)");
  if (has_flag(args, "--core") && has_flag(args, "--core-dir"))
    return ckpt_cli_usage_error("memparse: give one of --core and --core-dir");
  /* a search answers like grep(1): its status is judged on the hits */
  CkptCliCommand searching = *cmd;
  if (has_flag(args, "--search") || has_flag(args, "--search-regex") ||
      has_flag(args, "--search-hex"))
    searching.exit_status = search_status;
  return ckpt_cli_run_sugar(cli, &searching, (int)args->len - 1,
                            (char **)args->pdata);
}

const CkptCliCommand ckpt_cmd_memparse = {
    .name = "memparse",
    .summary = "analyze the memory of a checkpoint's processes (--search: "
               "exit 0 a hit, 1 none, 2 error)",
    .usage = "[--pid PID] [--maps] [--search STR | --search-regex RE | "
             "--search-hex HEX] [--context N] [--vma KIND] [--prot PERMS] "
             "[--range A-B] [--no-objects] [--output FILE [--raw]] "
             "[--core FILE | --core-dir DIR] [--root DIR] [--force] FILE...",
    .chain = "memory",
    .flags = memparse_flags,
    .format = "table",
    .run = memparse_run,
};

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

/* checkpointctl's short flags of plugin options (no help: they are
 * described as the options' own flags) */
static const CkptCliFlag memparse_flags[] = {
    {"pid", NULL, NULL, "memory.pid", TRUE, "-p"},
    {"output", NULL, NULL, "memory.output", TRUE, "-o"},
    {"search", NULL, NULL, "memory.search", TRUE, "-s"},
    {"search-regex", NULL, NULL, "memory.search-regex", TRUE, "-r"},
    {"context", NULL, NULL, "memory.context", TRUE, "-c"},
    {NULL},
};

/* Is flag (--NAME, --NAME=V) or its short form (-X, -XV) among the
 * arguments before "--"? */
static gboolean
has_flag(int argc, char **argv, const char *flag, const char *alias)
{
  size_t n = strlen(flag);
  for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
    if ((strncmp(argv[i], flag, n) == 0 &&
         (argv[i][n] == '\0' || argv[i][n] == '=')) ||
        (alias && strncmp(argv[i], alias, 2) == 0))
      return TRUE;
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
  /* one core is of one process: say so before opening anything */
  gboolean core = has_flag(argc, argv, "--core", NULL);
  if (core && !has_flag(argc, argv, "--pid", "-p"))
    return ckpt_cli_usage_error("memparse: --core needs --pid (--core-dir "
                                "writes every process)");
  if (core && has_flag(argc, argv, "--core-dir", NULL))
    return ckpt_cli_usage_error("memparse: give one of --core and --core-dir");
  /* a search answers like grep(1): its status is judged on the hits */
  CkptCliCommand searching = *cmd;
  if (has_flag(argc, argv, "--search", "-s") ||
      has_flag(argc, argv, "--search-regex", "-r") ||
      has_flag(argc, argv, "--search-hex", NULL))
    searching.exit_status = search_status;
  return ckpt_cli_run_sugar(cli, &searching, argc, argv);
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

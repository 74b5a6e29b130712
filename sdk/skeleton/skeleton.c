/* skeleton.c - a complete ckpt plugin to copy from.
 *
 * It lists the checkpoint's processes with their number of open files, and
 * shows the three things every plugin does: declare options and tables,
 * read the model through the api table, emit typed rows. It includes only
 * <ckpt/plugin.h> and links against nothing of ckpt's.
 *
 *   make                          # uses pkg-config --cflags ckpt-plugin
 *   ckpt run --plugin-path . skeleton FILE
 */
#include <ckpt/plugin.h>

/* Declarations name their fields: the structs have reserved slots at their
 * end (room to grow), which designated initializers leave zero without a
 * -Wmissing-field-initializers warning. Each array ends with an all-zero
 * entry. */
static const CkptOption options[] = {
    {.name = "min-fds",
     .type = CKPT_T_UINT,
     .default_value = "0",
     .help = "only processes with at least this many fds"},
    {.name = NULL}};

static const CkptColumn columns[] = {
    {.name = "pid",
     .type = CKPT_T_UINT,
     .title = "PID",
     .help = "process id in the container"},
    {.name = "comm",
     .type = CKPT_T_STR,
     .title = "Command",
     .help = "process name"},
    {.name = "fds",
     .type = CKPT_T_UINT,
     .title = "Open files",
     .help = "number of open file descriptors"},
    {.name = NULL}};

static const CkptTable tables[] = {{.name = "processes",
                                    .title = "Processes and their open files",
                                    .layout = CKPT_LAYOUT_TABLE,
                                    .columns = columns},
                                   {.name = NULL}};

static CkptStatus
skeleton_run(const CkptApi *api, CkptRun *run)
{
  uint64_t min_fds = (uint64_t)api->opt_int(run, "min-fds");
  size_t n = api->process_count(run);
  for (size_t i = 0; i < n; i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *info = api->process_info(p);
    size_t fds = api->fd_count(p);
    if (fds < min_fds)
      continue;
    CkptValue row[] = {CKPT_UINT(info->pid), CKPT_STR(info->comm),
                       CKPT_UINT(fds)};
    api->emit(run, 0, 0, row, 3);
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("skeleton", "1.0", "processes and their open file counts",
                   "Apache-2.0", options, NULL, tables, NULL, skeleton_run,
                   NULL);

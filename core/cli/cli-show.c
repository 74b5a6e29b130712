/* cli-show.c - `ckpt show FILE...`: checkpointctl's show table, one line
 * per checkpoint, as sugar over the container plugin; with several
 * files, a first column names the file of each line. */
#include "cli/cli.h"

static const char *const show_tables[] = {"container.show", NULL};

const CkptCliCommand ckpt_cmd_show = {
    .name = "show",
    .summary = "one line per checkpoint: container, image, engine, sizes",
    .usage = "FILE...",
    .chain = "container",
    .format = "table",
    .only = show_tables,
    .merge = TRUE,
    .file_column = "FILE",
};

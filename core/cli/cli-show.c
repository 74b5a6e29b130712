/* cli-show.c - `ckpt show FILE...`: checkpointctl's show table, one line
 * per checkpoint, as sugar over the container plugin. */
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
};

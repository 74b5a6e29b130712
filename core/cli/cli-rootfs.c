/* cli-rootfs.c - `ckpt rootfs [--root DIR] FILE...`: every file the
 * container added, modified or deleted in its root file system, as sugar
 * over the rootfs plugin (plugins/rootfs): its one table, rendered as a
 * table by default. --root names the image's root file system, to tell
 * added files from modified ones.
 */
#include "cli/cli.h"

static const CkptCliFlag rootfs_flags[] = {{NULL}};

const CkptCliCommand ckpt_cmd_rootfs = {
    .name = "rootfs",
    .summary = "list the files a container added, modified or deleted in "
               "its root file system, with type, mode, owner and sha256",
    .usage = "[--root DIR] FILE...",
    .chain = "rootfs",
    .flags = rootfs_flags,
    .format = "table",
};

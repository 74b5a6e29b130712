/* cli-inspect.c - `ckpt inspect`, checkpointctl's command of the same
 * name (`ckpt list` is in cli-list.c).
 *
 * inspect is sugar over the chain container + pstree, files, sockets,
 * mounts, with checkpointctl's flags mapped to plugins and options; --all
 * and --pid are declared as the flags each stands for (also).
 * Each flag also names the parts of checkpointctl's look
 * (core/render/look.c) it shows: the plugins emit everything they know,
 * the look draws what the flags asked for, as checkpointctl does.
 */
#include "cli/cli.h"

static const CkptCliFlag inspect_flags[] = {
    {"ps-tree", "display an overview of processes", "pstree", NULL, FALSE, NULL,
     FALSE, "pstree"},
    {"ps-tree-cmd", "display processes with their full command lines", "pstree",
     "pstree.cmd=true", FALSE, NULL, FALSE, "pstree,cmd"},
    {"ps-tree-env", "display processes with their environment variables",
     "pstree", "pstree.env=true", FALSE, NULL, FALSE, "pstree,env"},
    {"files", "display the open files of each process", "pstree,files", NULL,
     FALSE, NULL, FALSE, "pstree"},
    {"sockets", "display the open sockets of each process", "pstree,sockets",
     NULL, FALSE, NULL, FALSE, "pstree"},
    {"mounts", "display the mounts of the container's spec", "mounts", NULL,
     FALSE, NULL, FALSE, "mounts"},
    {"stats", "display the CRIU dump statistics", "container", NULL, FALSE,
     NULL, FALSE, "stats"},
    {"metadata", "display the pod, namespace and annotations of the container",
     "container", "container.annotations=true", FALSE, NULL, FALSE, "metadata"},
    /* ckpt's own branches, drawn after checkpointctl's */
    {"namespaces",
     "display the namespaces and the mount namespace's mounts as CRIU saved "
     "them (not in checkpointctl)",
     "pstree,mounts", NULL, FALSE, NULL, FALSE, "namespaces"},
    {"network",
     "display the network namespace's interfaces, addresses and routes "
     "(not in checkpointctl)",
     "sockets", NULL, FALSE, NULL, FALSE, "network"},
    {"details",
     "display each process's state, credentials, capabilities, seccomp "
     "mode, cgroup and threads (not in checkpointctl)",
     "pstree", NULL, FALSE, NULL, FALSE, "pstree,details"},
    /* checkpointctl's compound flags, declared as the flags they stand
     * for (host/cmdline.h: also) */
    {"all", "show all information about the checkpoints (all the flags above)",
     "pstree,files,sockets,mounts", NULL, FALSE, NULL, FALSE, NULL,
     "ps-tree-cmd,ps-tree-env,files,sockets,mounts,stats,metadata,"
     "namespaces,network,details"},
    {"pid", "display the process tree of this pid", "pstree", NULL, TRUE, "-p",
     FALSE, NULL, "pstree-pid,files-pid?files,sockets-pid?sockets"},
    {"pstree-pid", "only this pid's subtree (use --pid)", "pstree",
     "pstree.pid", TRUE, NULL, FALSE, "pstree"},
    {"files-pid", "only this pid's files (use --pid)", "files", "files.pid",
     TRUE},
    {"sockets-pid", "only this pid's sockets (use --pid)", "sockets",
     "sockets.pid", TRUE},
    {NULL},
};

const CkptCliCommand ckpt_cmd_inspect = {
    .name = "inspect",
    .summary = "display low-level information about container checkpoints",
    .usage = "[--ps-tree] [--ps-tree-cmd] [--ps-tree-env] [--files] "
             "[--sockets] [--mounts] [--stats] [--metadata] [--namespaces] "
             "[--network] [--details] [--all] [--pid PID] "
             "[--format tree|json] FILE...",
    .chain = "container",
    .flags = inspect_flags,
    .format = "tree",
    .look = "checkpointctl",
};

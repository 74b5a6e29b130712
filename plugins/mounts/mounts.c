/* mounts.c - the mounts plugin.
 *
 * Two views: the mounts the container was configured with (spec.dump), as
 * checkpointctl's --mounts shows them (destination, type, source), and the
 * mount tree CRIU recorded in the mount namespace (mountpoints images).
 */
#include "ckpt/plugin.h"

enum { T_MOUNTS, T_MOUNTINFO };

/* checkpointctl's "Overview of mounts": the destination, then its type
 * and source under it */
static const CkptColumn mount_columns[] = {
    {"destination", CKPT_T_STR, "Destination", CKPT_COL_LABEL,
     .help = "mount point configured in the spec"},
    {"type", CKPT_T_STR, "Type", CKPT_COL_DETAIL, .help = "filesystem type"},
    {"source", CKPT_T_STR, "Source", CKPT_COL_DETAIL,
     .help = "what is mounted"},
    {"options", CKPT_T_STR, "Options",
     .help = "mount options, comma-separated"},
    {NULL},
};

static const CkptColumn mountinfo_columns[] = {
    {"mnt_id", CKPT_T_UINT, "ID", .help = "mount id, as in mountinfo"},
    {"parent_mnt_id", CKPT_T_UINT, "PARENT", .help = "id of the parent mount"},
    /* a tree line reads "/proc  proc  proc" */
    {"mountpoint", CKPT_T_STR, "Mountpoint", CKPT_COL_LABEL,
     .help = "mount point in the container"},
    {"root", CKPT_T_STR, "Root",
     .help = "root of the mount within its filesystem"},
    {"fstype", CKPT_T_STR, "Fstype", CKPT_COL_LABEL, .help = "filesystem type"},
    {"source", CKPT_T_STR, "Source", CKPT_COL_LABEL, .help = "mount source"},
    {"options", CKPT_T_STR, "Options", .help = "mount options"},
    {"flags", CKPT_T_ADDR, "FLAGS", .help = "mount flags (MS_*)"},
    {"external", CKPT_T_BOOL, "EXTERNAL",
     .help = "whether CRIU treated it as an external mount"},
    {NULL},
};

static const CkptTable tables[] = {
    [T_MOUNTS] = {"mounts", "Overview of mounts", CKPT_LAYOUT_TABLE,
                  mount_columns},
    [T_MOUNTINFO] = {"mountinfo", "Mount namespace", CKPT_LAYOUT_TABLE,
                     mountinfo_columns},
    {NULL},
};

static const CkptOption options[] = {
    {NULL},
};

static void
emit_spec_mounts(const CkptApi *api, CkptRun *run)
{
  const CkptContainerInfo *ci = api->container(run);
  if (ci == NULL)
    return;
  for (size_t i = 0; i < ci->n_mounts; i++) {
    const CkptSpecMount *m = &ci->mounts[i];
    CkptValue v[] = {
        CKPT_STR(m->destination),
        CKPT_STR(m->type),
        CKPT_STR(m->source),
        CKPT_STR(m->options),
    };
    api->emit(run, T_MOUNTS, 0, v, 4);
  }
}

static void
emit_mountinfo(const CkptApi *api, CkptRun *run)
{
  size_t n = api->mount_count(run);
  for (size_t i = 0; i < n; i++) {
    const CkptMountInfo *m = api->mount_at(run, i);
    if (m == NULL)
      continue;
    CkptValue v[] = {
        CKPT_UINT(m->mnt_id),    CKPT_UINT(m->parent_mnt_id),
        CKPT_STR(m->mountpoint), CKPT_STR(m->root),
        CKPT_STR(m->fstype),     CKPT_STR(m->source),
        CKPT_STR(m->options),    CKPT_ADDR(m->flags),
        CKPT_BOOL(m->external),
    };
    api->emit(run, T_MOUNTINFO, 0, v, sizeof(v) / sizeof(v[0]));
  }
}

static CkptStatus
mounts_run(const CkptApi *api, CkptRun *run)
{
  emit_spec_mounts(api, run);
  emit_mountinfo(api, run);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL, "mounts", "0.1.0",
    "configured mounts and the mount namespace's mount tree", "Apache-2.0",
    options, NULL, tables, NULL, mounts_run, NULL);

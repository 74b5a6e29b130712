/* container.c - the built-in `container` plugin: what the engine recorded
 * about the container (config.dump, spec.dump, network.status,
 * stats-dump) and the checkpoint's sizes, read from CkptContainerInfo.
 *
 * Its `show` table is checkpointctl show's line; `ckpt show` renders only
 * that table, one row per checkpoint.
 */
#include <ckpt/plugin.h>
#include <stdio.h>
#include <string.h>

static const CkptColumn show_cols[] = {
    {"container", CKPT_T_STR, "Container",
     .help = "container name from the engine's metadata"},
    {"image", CKPT_T_STR, "Image", .help = "image name as the user gave it"},
    {"id", CKPT_T_STR, "ID", .help = "container id"},
    {"runtime", CKPT_T_STR, "Runtime",
     .help = "OCI runtime that ran it (crun, runc, ...)"},
    {"created", CKPT_T_TIME, "Created",
     .help = "when the container was created (UTC)"},
    {"engine", CKPT_T_STR, "Engine",
     .help = "container engine that wrote the checkpoint: Podman, CRI-O or "
             "containerd"},
    {"ip", CKPT_T_STR, "IP",
     .help = "first network address of the container, with prefix"},
    {"checkpoint_size", CKPT_T_SIZE, "Chkpt Size",
     .help = "bytes of the CRIU images alone, as checkpointctl counts them"},
    {"rootfs_diff_size", CKPT_T_SIZE, "Root Fs Diff Size",
     .help = "bytes of rootfs-diff.tar, the files the container changed"},
    {NULL}};

static const CkptColumn info_cols[] = {
    {"name", CKPT_T_STR, "Name", .help = "container name"},
    {"id", CKPT_T_STR, "ID", .help = "container id"},
    {"image", CKPT_T_STR, "Image", .help = "image name as the user gave it"},
    {"image_id", CKPT_T_STR, "Image ID", .help = "image id"},
    {"engine", CKPT_T_STR, "Engine",
     .help = "container engine that wrote the checkpoint"},
    {"runtime", CKPT_T_STR, "Runtime", .help = "OCI runtime that ran it"},
    {"created", CKPT_T_TIME, "Created",
     .help = "when the container was created (UTC)"},
    {"checkpointed", CKPT_T_TIME, "Checkpointed",
     .help = "when the checkpoint was taken (UTC)"},
    {"pod", CKPT_T_STR, "Pod", .help = "pod name (CRI-O, containerd)"},
    {"namespace", CKPT_T_STR, "Namespace",
     .help = "Kubernetes namespace of the pod"},
    {"hostname", CKPT_T_STR, "Hostname",
     .help = "hostname configured in the spec"},
    {"criu_version", CKPT_T_STR, "CRIU version",
     .help = "CRIU version that dumped it"},
    {"format", CKPT_T_STR, "Format",
     .help = "what was opened: directory, tar, or compressed tar"},
    {"path", CKPT_T_STR, "Path",
     .help = "the checkpoint as named on the command line"},
    {"args", CKPT_T_STR, "Command",
     .help = "process arguments configured in the spec"},
    {NULL}};

static const CkptColumn size_cols[] = {
    {"archive_size", CKPT_T_SIZE, "Archive size",
     .help = "bytes of the checkpoint file, or of a directory's images"},
    {"checkpoint_size", CKPT_T_SIZE, "CRIU images size",
     .help = "bytes of the CRIU images (checkpoint/)"},
    {"memory_pages_size", CKPT_T_SIZE, "Memory pages size",
     .help = "bytes of all pages-*.img: the dumped memory"},
    {"rootfs_diff_size", CKPT_T_SIZE, "Root FS diff size",
     .help = "bytes of rootfs-diff.tar"},
    {NULL}};

static const CkptColumn stats_cols[] = {
    {"freezing_time_us", CKPT_T_UINT, "Freezing time (us)",
     .help = "microseconds CRIU took to freeze the tasks (stats-dump)"},
    {"frozen_time_us", CKPT_T_UINT, "Frozen time (us)",
     .help = "microseconds the tasks stayed frozen"},
    {"memdump_time_us", CKPT_T_UINT, "Memdump time (us)",
     .help = "microseconds spent collecting memory"},
    {"memwrite_time_us", CKPT_T_UINT, "Memwrite time (us)",
     .help = "microseconds spent writing memory"},
    {"pages_scanned", CKPT_T_UINT, "Pages scanned",
     .help = "memory pages CRIU looked at"},
    {"pages_skipped_parent", CKPT_T_UINT, "Pages skipped (parent)",
     .help = "pages left out because a parent image had them"},
    {"pages_written", CKPT_T_UINT, "Pages written",
     .help = "pages written into the images"},
    {"pages_lazy", CKPT_T_UINT, "Pages lazy",
     .help = "pages left for lazy migration"},
    {NULL}};

static const CkptColumn network_cols[] = {
    {"name", CKPT_T_STR, "Network", .help = "network or interface name"},
    {"ip", CKPT_T_STR, "IP", .help = "address with prefix"},
    {"gateway", CKPT_T_STR, "Gateway", .help = "gateway address"},
    {"mac", CKPT_T_STR, "MAC", .help = "MAC address"},
    {NULL}};

static const CkptColumn kv_cols[] = {
    {"key", CKPT_T_STR, "Key", .help = "annotation or variable name"},
    {"value", CKPT_T_STR, "Value", .help = "its value"},
    {NULL}};

static const CkptColumn mount_cols[] = {
    {"destination", CKPT_T_STR, "Destination",
     .help = "mount point inside the container (spec.dump)"},
    {"type", CKPT_T_STR, "Type", .help = "filesystem type"},
    {"source", CKPT_T_STR, "Source",
     .help = "what is mounted: host path, volume or device"},
    {"options", CKPT_T_STR, "Options",
     .help = "mount options, comma-separated"},
    {NULL}};

static const CkptColumn deleted_cols[] = {
    {"path", CKPT_T_STR, "Path",
     .help = "a file deleted from the image, from deleted.files"},
    {NULL}};

enum {
  T_SHOW,
  T_INFO,
  T_SIZES,
  T_STATS,
  T_NETWORKS,
  T_ANNOTATIONS,
  T_SPEC_MOUNTS,
  T_SPEC_ENV,
  T_DELETED,
};

static const CkptTable tables[] = {
    {"show", "Checkpoint", CKPT_LAYOUT_TABLE, show_cols},
    {"info", "Container", CKPT_LAYOUT_RECORD, info_cols},
    {"sizes", "Sizes", CKPT_LAYOUT_RECORD, size_cols},
    {"stats", "CRIU dump statistics", CKPT_LAYOUT_RECORD, stats_cols},
    {"networks", "Networks", CKPT_LAYOUT_TABLE, network_cols},
    {"annotations", "Annotations", CKPT_LAYOUT_TABLE, kv_cols},
    {"spec_mounts", "Mounts in the spec", CKPT_LAYOUT_TABLE, mount_cols},
    {"spec_env", "Environment in the spec", CKPT_LAYOUT_TABLE, kv_cols},
    {"deleted_files", "Deleted files", CKPT_LAYOUT_TABLE, deleted_cols},
    {NULL}};

static const CkptOption options[] = {
    {"annotations", CKPT_T_BOOL, "false", "list the spec's annotations"},
    {"spec", CKPT_T_BOOL, "false",
     "list the spec's mounts and environment (may hold secrets)"},
    {NULL}};

static const char *
format_name(CkptFormat f)
{
  switch (f) {
  case CKPT_FMT_DIR:
    return "directory";
  case CKPT_FMT_TAR:
    return "tar";
  case CKPT_FMT_TAR_GZIP:
    return "tar+gzip";
  case CKPT_FMT_TAR_ZSTD:
    return "tar+zstd";
  case CKPT_FMT_TAR_OTHER:
    return "tar (other compression)";
  }
  return "unknown";
}

static CkptValue
time_or_null(int64_t t)
{
  return t ? CKPT_TIME(t) : CKPT_NULL;
}

static void
emit_show(const CkptApi *api, CkptRun *run, const CkptContainerInfo *ci)
{
  /* checkpointctl shows the first 12 characters of the id and the address
   * without its prefix length */
  char id[13] = "";
  char ip[64] = "";
  if (ci->id)
    snprintf(id, sizeof(id), "%s", ci->id);
  if (ci->n_networks > 0 && ci->networks[0].ip) {
    snprintf(ip, sizeof(ip), "%s", ci->networks[0].ip);
    char *slash = strchr(ip, '/');
    if (slash)
      *slash = '\0';
  }
  CkptValue v[] = {
      CKPT_STR(ci->name ? ci->name : ci->path),
      CKPT_STR(ci->image),
      ci->id ? CKPT_STR(id) : CKPT_NULL,
      CKPT_STR(ci->runtime),
      time_or_null(ci->created),
      CKPT_STR(ci->engine),
      ip[0] ? CKPT_STR(ip) : CKPT_NULL,
      CKPT_SIZE(CKPT_HAS(ci, checkpoint_size) ? ci->checkpoint_size
                                              : ci->archive_size),
      ci->has_rootfs_diff ? CKPT_SIZE(ci->rootfs_diff_size) : CKPT_NULL,
  };
  api->emit(run, T_SHOW, 0, v, sizeof(v) / sizeof(v[0]));
}

static void
emit_info(const CkptApi *api, CkptRun *run, const CkptContainerInfo *ci)
{
  char args[4096] = "";
  size_t used = 0;
  for (size_t i = 0; ci->spec_args && ci->spec_args[i]; i++) {
    int n = snprintf(args + used, sizeof(args) - used, "%s%s", i ? " " : "",
                     ci->spec_args[i]);
    if (n < 0 || (size_t)n >= sizeof(args) - used)
      break; /* cut: the full list is in spec.dump */
    used += (size_t)n;
  }
  CkptValue v[] = {
      CKPT_STR(ci->name),
      CKPT_STR(ci->id),
      CKPT_STR(ci->image),
      CKPT_STR(ci->image_id),
      CKPT_STR(ci->engine),
      CKPT_STR(ci->runtime),
      time_or_null(ci->created),
      time_or_null(ci->checkpointed),
      CKPT_STR(ci->pod),
      CKPT_STR(ci->pod_namespace),
      CKPT_STR(ci->hostname),
      CKPT_STR(ci->criu_version),
      CKPT_STR(format_name(ci->format)),
      CKPT_STR(ci->path),
      used ? CKPT_STR(args) : CKPT_NULL,
  };
  api->emit(run, T_INFO, 0, v, sizeof(v) / sizeof(v[0]));

  CkptValue s[] = {
      CKPT_SIZE(ci->archive_size),
      CKPT_HAS(ci, checkpoint_size) ? CKPT_SIZE(ci->checkpoint_size)
                                    : CKPT_NULL,
      CKPT_SIZE(ci->pages_size),
      ci->has_rootfs_diff ? CKPT_SIZE(ci->rootfs_diff_size) : CKPT_NULL,
  };
  api->emit(run, T_SIZES, 0, s, sizeof(s) / sizeof(s[0]));
}

static void
emit_stats(const CkptApi *api, CkptRun *run, const CkptContainerInfo *ci)
{
  if (!ci->has_stats)
    return;
  CkptValue v[] = {
      CKPT_UINT(ci->freezing_time_us), CKPT_UINT(ci->frozen_time_us),
      CKPT_UINT(ci->memdump_time_us),  CKPT_UINT(ci->memwrite_time_us),
      CKPT_UINT(ci->pages_scanned),    CKPT_UINT(ci->pages_skipped_parent),
      CKPT_UINT(ci->pages_written),    CKPT_UINT(ci->pages_lazy),
  };
  api->emit(run, T_STATS, 0, v, sizeof(v) / sizeof(v[0]));
}

static void
emit_lists(const CkptApi *api, CkptRun *run, const CkptContainerInfo *ci)
{
  for (size_t i = 0; i < ci->n_networks; i++) {
    const CkptNetwork *n = &ci->networks[i];
    CkptValue v[] = {CKPT_STR(n->name), CKPT_STR(n->ip), CKPT_STR(n->gateway),
                     CKPT_STR(n->mac)};
    api->emit(run, T_NETWORKS, 0, v, 4);
  }
  if (api->opt_bool(run, "annotations"))
    for (size_t i = 0; i < ci->n_annotations; i++) {
      CkptValue v[] = {CKPT_STR(ci->annotations[i].key),
                       CKPT_STR(ci->annotations[i].value)};
      api->emit(run, T_ANNOTATIONS, 0, v, 2);
    }
  if (api->opt_bool(run, "spec")) {
    for (size_t i = 0; i < ci->n_mounts; i++) {
      const CkptSpecMount *m = &ci->mounts[i];
      CkptValue v[] = {CKPT_STR(m->destination), CKPT_STR(m->type),
                       CKPT_STR(m->source), CKPT_STR(m->options)};
      api->emit(run, T_SPEC_MOUNTS, 0, v, 4);
    }
    for (size_t i = 0; i < ci->n_spec_env; i++) {
      CkptValue v[] = {CKPT_STR(ci->spec_env[i].key),
                       CKPT_STR(ci->spec_env[i].value)};
      api->emit(run, T_SPEC_ENV, 0, v, 2);
    }
  }
  for (size_t i = 0; ci->deleted_files && ci->deleted_files[i]; i++) {
    CkptValue v[] = {CKPT_STR(ci->deleted_files[i])};
    api->emit(run, T_DELETED, 0, v, 1);
  }
}

static CkptStatus
container_run(const CkptApi *api, CkptRun *run)
{
  const CkptContainerInfo *ci = api->container(run);
  if (ci == NULL) {
    api->error(run, "no container information");
    return CKPT_FAILED;
  }
  emit_show(api, run, ci);
  emit_info(api, run, ci);
  emit_stats(api, run, ci);
  emit_lists(api, run, ci);
  /* a bare CRIU directory has no engine metadata: a partial result */
  return ci->engine ? CKPT_OK : CKPT_WARN;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL, "container", "1.0",
                         "container metadata, dump statistics and sizes",
                         "Apache-2.0", options, NULL, tables, NULL,
                         container_run, NULL);

/* tp-dirlist.c - a third party's "list" plugin: a directory run
 * (run_dir, dir_next) that replaces the built-in one when found first on
 * the plugin path. Each row names the entry, its directory's index and
 * whether its metadata came with config.dump; a last row says the run
 * itself has no model, and one of the wrong shape shows the host
 * validates directory rows like any other. With TP_DIRLIST_STOP=N in
 * the environment it stops after N entries, as a plugin may. */
#include <stdio.h>
#include <stdlib.h>

#include "ckpt/plugin.h"

static const CkptColumn cols[] = {
    {"namespace", CKPT_T_STR, "Namespace"},
    {"pod", CKPT_T_STR, "Pod"},
    {"container", CKPT_T_STR, "Container"},
    {"engine", CKPT_T_STR, "Engine"},
    {"time_checkpointed", CKPT_T_TIME, "Time Checkpointed"},
    {"checkpoint_name", CKPT_T_STR, "Checkpoint Name"},
    {NULL},
};
static const CkptTable tables[] = {
    {"checkpoints", "Checkpoints", CKPT_LAYOUT_TABLE, cols},
    {NULL},
};
static const CkptOption options[] = {{NULL}};

static CkptStatus
run_dir(const CkptApi *api, CkptRun *run)
{
  /* an old plugin's smaller struct: only size and path are filled */
  struct {
    size_t size;
    const char *path;
  } small = {.size = sizeof small};
  CkptDirEntryInfo e = {.size = sizeof e};
  int first = 1;
  const char *stop = getenv("TP_DIRLIST_STOP");
  long left = stop ? atol(stop) : -1;
  while (left-- != 0 && (first ? api->dir_next(run, (CkptDirEntryInfo *)&small)
                               : api->dir_next(run, &e))) {
    char idx[32], tag[64];
    const char *name = first ? small.path : e.rel;
    snprintf(idx, sizeof idx, "dir %zu", first ? (size_t)99 : e.dir_index);
    snprintf(tag, sizeof tag, "config %d", first ? -1 : e.times_from_config);
    const CkptContainerInfo *ci = first ? NULL : api->container(e.checkpoint);
    CkptValue v[] = {
        CKPT_STR(idx), CKPT_STR(tag), CKPT_STR(ci ? ci->name : NULL),
        CKPT_NULL,     CKPT_NULL,     CKPT_STR(name)};
    api->emit(run, 0, 0, v, 6);
    first = 0;
  }
  /* the run itself has no checkpoint: the model accessors say so */
  if (api->container(run) == NULL && api->process_count(run) == 0 &&
      api->process_at(run, 0) == NULL && api->socket_count(run) == 0 &&
      api->diff_iter_new(run, 0) == NULL) {
    CkptValue v[] = {CKPT_STR("no model on the run"),
                     CKPT_NULL,
                     CKPT_NULL,
                     CKPT_NULL,
                     CKPT_NULL,
                     CKPT_STR("-")};
    api->emit(run, 0, 0, v, 6);
  }
  CkptValue bad[] = {CKPT_INT(1)};
  api->emit(run, 0, 0, bad, 1);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_DIR("list", "9.9", "a test directory run", "Apache-2.0",
                       options, tables, 0, run_dir);

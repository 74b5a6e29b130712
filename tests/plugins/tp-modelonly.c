/* tp-modelonly.c - test plugin: declares that it reads only the model
 * (CKPT_READS_MODEL) and then reads memory and the rootfs diff all the
 * same, so the tests see the host warn rather than hand it absent memory
 * or an empty diff silently; it emits how many bytes of memory blocks and
 * how many rootfs-diff files it was given, and why the walk stopped. */
#include <ckpt/plugin.h>

static const CkptColumn cols[] = {{"bytes", CKPT_T_UINT, "Bytes"},
                                  {"rootfs_files", CKPT_T_UINT, "Files"},
                                  {"rootfs_error", CKPT_T_STR, "Why"},
                                  {NULL}};
static const CkptTable tables[] = {
    {"memory", "Memory seen", CKPT_LAYOUT_TABLE, cols}, {NULL}};

static CkptStatus
modelonly_run(const CkptApi *api, CkptRun *run)
{
  uint64_t bytes = 0, files = 0;
  for (size_t i = 0; i < api->process_count(run); i++) {
    CkptMemIter *it = api->mem_iter_new(api->process_at(run, i));
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b))
      bytes += b.len;
    api->mem_iter_free(it);
  }
  CkptFileIter *d = api->diff_iter_new(run, 0);
  CkptDiffFile f = {.size = sizeof f};
  while (d && api->diff_iter_next(d, &f))
    files++;
  CkptValue v[] = {CKPT_UINT(bytes), CKPT_UINT(files),
                   CKPT_STR(d ? api->diff_iter_error(d) : NULL)};
  api->emit(run, 0, 0, v, 3);
  if (d)
    api->diff_iter_free(d);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL, "tp-modelonly", "1.0",
                         "test: declares model reads, reads memory",
                         "Apache-2.0", NULL, NULL, tables, NULL, modelonly_run,
                         NULL);

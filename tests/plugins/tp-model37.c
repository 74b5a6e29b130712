/* tp-model37.c - test plugin built as if against SDK 3.7: it declares
 * CKPT_READS_MODEL, which before 3.8 also meant the rootfs diff, and
 * walks the diff; the host must keep the diff for it. Emits the number of
 * files and why the walk stopped (NULL: at the end). */
#include <ckpt/plugin.h>

static const CkptColumn cols[] = {{"rootfs_files", CKPT_T_UINT, "Files"},
                                  {"rootfs_error", CKPT_T_STR, "Why"},
                                  {NULL}};
static const CkptTable tables[] = {
    {"diff", "Rootfs diff seen", CKPT_LAYOUT_TABLE, cols}, {NULL}};

static CkptStatus
model37_run(const CkptApi *api, CkptRun *run)
{
  uint64_t files = 0;
  CkptFileIter *d = api->diff_iter_new(run, 0);
  CkptDiffFile f = {.size = sizeof f};
  while (d && api->diff_iter_next(d, &f))
    files++;
  CkptValue v[] = {CKPT_UINT(files),
                   CKPT_STR(d ? api->diff_iter_error(d) : NULL)};
  api->emit(run, 0, 0, v, 2);
  if (d)
    api->diff_iter_free(d);
  return CKPT_OK;
}

CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = 7,
    .size = sizeof(CkptPlugin),
    .name = "tp-model37",
    .version = "1.0",
    .description = "test: a 3.7 plugin reading the model and the rootfs diff",
    .license = "Apache-2.0",
    .tables = tables,
    .run = model37_run,
    .reads = CKPT_READS_MODEL,
};

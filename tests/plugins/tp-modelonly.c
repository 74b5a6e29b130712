/* tp-modelonly.c - test plugin: declares that it reads only the model
 * (CKPT_READS_MODEL) and then reads memory all the same, so the tests see
 * the host warn rather than hand it absent memory silently; it emits how
 * many bytes of memory blocks it was given. */
#include <ckpt/plugin.h>

static const CkptColumn cols[] = {{"bytes", CKPT_T_UINT, "Bytes"}, {NULL}};
static const CkptTable tables[] = {
    {"memory", "Memory seen", CKPT_LAYOUT_TABLE, cols}, {NULL}};

static CkptStatus
modelonly_run(const CkptApi *api, CkptRun *run)
{
  uint64_t bytes = 0;
  for (size_t i = 0; i < api->process_count(run); i++) {
    CkptMemIter *it = api->mem_iter_new(api->process_at(run, i));
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b))
      bytes += b.len;
    api->mem_iter_free(it);
  }
  CkptValue v[] = {CKPT_UINT(bytes)};
  api->emit(run, 0, 0, v, 1);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(CKPT_READS_MODEL, "tp-modelonly", "1.0",
                         "test: declares model reads, reads memory",
                         "Apache-2.0", NULL, NULL, tables, NULL, modelonly_run,
                         NULL);

/* tp-badmajor.c - test plugin: built for another ABI major; refused. */
#include <ckpt/plugin.h>

static CkptStatus
badmajor_run(const CkptApi *api, CkptRun *run)
{
  return CKPT_OK;
}

CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {
    .abi_major = CKPT_ABI_MAJOR + 1,
    .abi_minor = 0,
    .size = sizeof(CkptPlugin),
    .name = "tp-badmajor",
    .version = "1.0",
    .run = badmajor_run,
};

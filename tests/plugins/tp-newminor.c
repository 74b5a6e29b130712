/* tp-newminor.c - test plugin: built against a newer minor; refused. */
#include <ckpt/plugin.h>

static CkptStatus
newminor_run(const CkptApi *api, CkptRun *run)
{
  return CKPT_OK;
}

CKPT_EXPORT const CkptPlugin ckpt_plugin_descriptor = {
    .abi_major = CKPT_ABI_MAJOR,
    .abi_minor = CKPT_ABI_MINOR + 1,
    .size = sizeof(CkptPlugin),
    .name = "tp-newminor",
    .version = "1.0",
    .run = newminor_run,
};

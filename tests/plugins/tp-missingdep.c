/* tp-missingdep.c - test plugin: depends on a plugin nobody ships. */
#include <ckpt/plugin.h>

static const char *const depends[] = {"tp-nonexistent", NULL};

static CkptStatus
missingdep_run(const CkptApi *api, CkptRun *run)
{
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-missingdep", "1.0", "test: missing dependency",
                   "Apache-2.0", NULL, depends, NULL, NULL, missingdep_run,
                   NULL);

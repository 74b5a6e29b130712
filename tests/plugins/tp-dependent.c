/* tp-dependent.c - test plugin: depends on tp-failing, so it is skipped. */
#include <ckpt/plugin.h>

static const char *const depends[] = {"tp-failing", NULL};

static CkptStatus
dependent_run(const CkptApi *api, CkptRun *run)
{
  api->error(run, "must not run after its dependency failed");
  return CKPT_FATAL;
}

CKPT_PLUGIN_DEFINE("tp-dependent", "1.0", "test: depends on tp-failing",
                   "Apache-2.0", NULL, depends, NULL, NULL, dependent_run,
                   NULL);

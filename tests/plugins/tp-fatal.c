/* tp-fatal.c - test plugin: FATAL, which stops the chain. */
#include <ckpt/plugin.h>

static CkptStatus
fatal_run(const CkptApi *api, CkptRun *run)
{
  api->error(run, "deliberate fatal error");
  return CKPT_FATAL;
}

CKPT_PLUGIN_DEFINE("tp-fatal", "1.0", "test: fatal", "Apache-2.0", NULL, NULL,
                   NULL, NULL, fatal_run, NULL);

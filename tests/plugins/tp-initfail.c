/* tp-initfail.c - test plugin: init() fails with a reason; refused. */
#include <ckpt/plugin.h>

static int
initfail_init(const CkptApi *api, char **error)
{
  *error = "no licence server reachable";
  return 1;
}

static CkptStatus
initfail_run(const CkptApi *api, CkptRun *run)
{
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-initfail", "1.0", "test: init fails", "Apache-2.0", NULL,
                   NULL, NULL, initfail_init, initfail_run, NULL);

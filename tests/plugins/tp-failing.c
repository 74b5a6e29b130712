/* tp-failing.c - test plugin: always FAILED, with a reason. */
#include <ckpt/plugin.h>

static const CkptColumn cols[] = {{"x", CKPT_T_INT, NULL}, {NULL}};
static const CkptTable tables[] = {{"t", "T", CKPT_LAYOUT_TABLE, cols}, {NULL}};

static CkptStatus
failing_run(const CkptApi *api, CkptRun *run)
{
  api->error(run, "deliberate failure");
  return CKPT_FAILED;
}

CKPT_PLUGIN_DEFINE("tp-failing", "1.0", "test: fails", "Apache-2.0", NULL, NULL,
                   tables, NULL, failing_run, NULL);

/* tp-finding.c - a third party's detector: one finding in the SDK's shared
 * schema per checkpoint, for tests/cli/triage.sh (its findings must join
 * triage's list). */
#include "ckpt/plugin.h"

static const CkptColumn columns[] = {CKPT_FINDING_COLUMNS, {.name = NULL}};
static const CkptTable tables[] = {{.name = CKPT_FINDINGS_TABLE,
                                    .title = "Findings",
                                    .layout = CKPT_LAYOUT_TABLE,
                                    .columns = columns},
                                   {.name = NULL}};

static CkptStatus
tp_run(const CkptApi *api, CkptRun *run)
{
  CkptFinding f = {.id = "tp-finding",
                   .severity = CKPT_SEV_HIGH,
                   .title = "a third party's finding",
                   .pid = 1,
                   .fd = -1,
                   .evidence = "seen by tp-finding",
                   .why = "to test that third parties join triage"};
  CkptValue v[CKPT_FINDING_N_COLUMNS];
  ckpt_finding_values(&f, v);
  api->emit(run, 0, 0, v, CKPT_FINDING_N_COLUMNS);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-finding", "1.0", "test: emits one finding", "Apache-2.0",
                   NULL, NULL, tables, NULL, tp_run, NULL);

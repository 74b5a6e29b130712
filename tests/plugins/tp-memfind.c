/* tp-memfind.c - a third party's detector that reads memory itself, as a
 * plugin built before the host's memory pass does (no prepare()): one
 * finding per checkpoint naming the first process with memory, with its
 * dumped blocks and bytes and a checksum of their bytes, for
 * tests/cli/onepass.sh (its findings must join triage's and be the same
 * whether the pass runs or not). */
#include <stdio.h>

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
  for (size_t i = 0; i < api->process_count(run); i++) {
    const CkptProcess *p = api->process_at(run, i);
    if (!api->process_info(p)->has_mm)
      continue;
    uint64_t blocks = 0, bytes = 0, sum = 0;
    CkptMemIter *it = api->mem_iter_new(p);
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b)) {
      blocks++;
      bytes += b.len;
      for (size_t k = 0; k < b.len; k += 64)
        sum = sum * 31 + b.data[k];
    }
    if (it)
      api->mem_iter_free(it);
    char evidence[128];
    snprintf(evidence, sizeof evidence, "%llu blocks, %llu bytes, sum %016llx",
             (unsigned long long)blocks, (unsigned long long)bytes,
             (unsigned long long)sum);
    CkptFinding f = {.id = "tp-memfind",
                     .severity = CKPT_SEV_MEDIUM,
                     .title = "a third party read this process's memory",
                     .pid = api->process_info(p)->pid,
                     .fd = -1,
                     .evidence = evidence,
                     .why = "to test that third parties reading memory "
                            "join triage"};
    CkptValue v[CKPT_FINDING_N_COLUMNS];
    ckpt_finding_values(&f, v);
    api->emit(run, 0, 0, v, CKPT_FINDING_N_COLUMNS);
    break;
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-memfind", "1.0", "test: reads memory, one finding",
                   "Apache-2.0", NULL, NULL, tables, NULL, tp_run, NULL);

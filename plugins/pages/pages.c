/* pages.c - the "pages" plugin: where each process's dumped pages lie,
 * as runs of present pages (one row per contiguous run inside a mapping,
 * as the host's memory iterator walks them). `ckpt report` draws them
 * inside each mapping's bar, so a reader sees which parts CRIU saved and
 * which were never touched or came from the file.
 *
 * Only addresses are emitted, never the bytes.
 */
#include "ckpt/plugin.h"

static const CkptOption options[] = {
    {"pid", CKPT_T_UINT, NULL, "only this process"},
    {NULL},
};

static const CkptColumn run_cols[] = {
    {"pid", CKPT_T_UINT, "PID", .help = "process the pages belong to"},
    {"start", CKPT_T_ADDR, "START", .help = "first address of the run"},
    {"end", CKPT_T_ADDR, "END", .help = "address after the run"},
    {"size", CKPT_T_SIZE, "SIZE", .help = "bytes in the run"},
    {"vma_start", CKPT_T_ADDR, "VMA START",
     .help = "start of the mapping the run lies in"},
    {NULL},
};

static const CkptTable tables[] = {
    {"runs", "Dumped page runs", CKPT_LAYOUT_TABLE, run_cols},
    {NULL},
};

static CkptStatus
pages_run(const CkptApi *api, CkptRun *run)
{
  uint64_t only = (uint64_t)api->opt_int(run, "pid");
  for (size_t i = 0; i < api->process_count(run); i++) {
    const CkptProcess *p = api->process_at(run, i);
    const CkptProcessInfo *pi = api->process_info(p);
    if (only && pi->pid != only)
      continue;
    CkptMemIter *it = api->mem_iter_new(p);
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b)) {
      CkptValue row[] = {CKPT_UINT(pi->pid), CKPT_ADDR(b.addr),
                         CKPT_ADDR(b.addr + b.len), CKPT_SIZE(b.len),
                         b.vma ? CKPT_ADDR(b.vma->start) : CKPT_NULL};
      api->emit(run, 0, 0, row, sizeof row / sizeof row[0]);
    }
    if (it)
      api->mem_iter_free(it);
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL | CKPT_READS_MEMORY, "pages", "0.1.0",
    "where each process's dumped pages lie: runs of present "
    "pages, addresses only",
    "Apache-2.0", options, NULL, tables, NULL, pages_run, NULL);

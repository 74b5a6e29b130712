/* tp-reader.c - test plugin: depends on tp-source and reads its rows
 * through api->result(), proving results flow along a chain. */
#include <ckpt/plugin.h>
#include <string.h>

static const char *const depends[] = {"tp-source", NULL};

static const CkptColumn cols[] = {{"rows", CKPT_T_UINT, "Rows seen"},
                                  {"first", CKPT_T_STR, "First name"},
                                  {"deepest", CKPT_T_UINT, "Deepest"},
                                  {NULL}};
static const CkptTable tables[] = {
    {"summary", "Summary of tp-source", CKPT_LAYOUT_RECORD, cols}, {NULL}};

static CkptStatus
reader_run(const CkptApi *api, CkptRun *run)
{
  const CkptResult *r = api->result(run, "tp-source", "items");
  if (r == NULL) {
    api->error(run, "tp-source.items is not available");
    return CKPT_FAILED;
  }
  int col = api->result_column(r, "name");
  if (col < 0 || api->result_column(r, "no-such-column") != -1) {
    api->error(run, "result_column is wrong");
    return CKPT_FAILED;
  }
  size_t n = api->result_rows(r);
  unsigned deepest = 0;
  const char *first = NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned depth = 0;
    const CkptValue *row = api->result_row(r, i, &depth);
    if (i == 0 && row[col].type == CKPT_T_STR)
      first = row[col].v.s;
    if (depth > deepest)
      deepest = depth;
  }
  if (api->result_row(r, n, NULL) != NULL) {
    api->error(run, "result_row past the end is not NULL");
    return CKPT_FAILED;
  }
  CkptValue v[] = {CKPT_UINT(n), CKPT_STR(first), CKPT_UINT(deepest)};
  api->emit(run, 0, 0, v, 3);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-reader", "1.0", "test: reads tp-source's rows",
                   "Apache-2.0", NULL, depends, tables, NULL, reader_run, NULL);

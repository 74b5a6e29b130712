/* tp-badrow.c - test plugin: emits rows the host must refuse (wrong
 * count, wrong type, unknown table) next to one good row; the result is
 * WARN with the good row kept. */
#include <ckpt/plugin.h>

static const CkptColumn cols[] = {
    {"n", CKPT_T_INT, NULL}, {"s", CKPT_T_STR, NULL}, {NULL}};
static const CkptTable tables[] = {{"t", "T", CKPT_LAYOUT_TABLE, cols}, {NULL}};

static CkptStatus
badrow_run(const CkptApi *api, CkptRun *run)
{
  CkptValue good[] = {CKPT_INT(7), CKPT_STR("good")};
  CkptValue wrong_type[] = {CKPT_STR("x"), CKPT_STR("y")};
  api->emit(run, 0, 0, good, 1);       /* too few */
  api->emit(run, 0, 0, wrong_type, 2); /* STR into INT */
  api->emit(run, 5, 0, good, 2);       /* no table 5 */
  api->emit(run, 0, 0, NULL, 2);       /* no values */
  api->emit(run, 0, 0, good, 2);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-badrow", "1.0", "test: emits broken rows", "Apache-2.0",
                   NULL, NULL, tables, NULL, badrow_run, NULL);

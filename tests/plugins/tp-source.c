/* tp-source.c - test plugin: one option of each type, a TREE table with a
 * column of each value type, and rows with hostile text. tp-reader reads
 * its rows; the CLI tests check option parsing through its echo table. */
#include <ckpt/plugin.h>
#include <string.h>

static const CkptOption options[] = {
    {"label", CKPT_T_STR, "hello", "a string"},
    {"count", CKPT_T_INT, "2", "rows to emit under the root"},
    {"limit", CKPT_T_UINT, "3", "an unsigned number"},
    {"chunk", CKPT_T_SIZE, "1k", "a size with a suffix"},
    {"flag", CKPT_T_BOOL, "false", "a boolean"},
    {"tags", CKPT_T_LIST, "x,y", "a list"},
    {NULL}};

static const CkptColumn item_cols[] = {
    {"name", CKPT_T_STR, "Name"},      {"n", CKPT_T_INT, "N"},
    {"u", CKPT_T_UINT, "U"},           {"addr", CKPT_T_ADDR, "Address"},
    {"size", CKPT_T_SIZE, "Size"},     {"ok", CKPT_T_BOOL, "OK"},
    {"raw", CKPT_T_BYTES, "Raw"},      {"when", CKPT_T_TIME, "When"},
    {"ratio", CKPT_T_DOUBLE, "Ratio"}, {NULL}};

static const CkptColumn echo_cols[] = {{"label", CKPT_T_STR, "Label"},
                                       {"count", CKPT_T_INT, "Count"},
                                       {"limit", CKPT_T_UINT, "Limit"},
                                       {"chunk", CKPT_T_SIZE, "Chunk"},
                                       {"flag", CKPT_T_BOOL, "Flag"},
                                       {"flag_set", CKPT_T_BOOL, "Flag set"},
                                       {"tags", CKPT_T_STR, "Tags"},
                                       {"sized", CKPT_T_BOOL, "Sized"},
                                       {"sized_file", CKPT_T_INT, "Sized file"},
                                       {"rules_dir", CKPT_T_STR, "Rules"},
                                       {"checkpoints", CKPT_T_UINT, "N"},
                                       {NULL}};

static const CkptTable tables[] = {
    {"items", "Items", CKPT_LAYOUT_TREE, item_cols},
    {"echo", "Options", CKPT_LAYOUT_RECORD, echo_cols},
    {NULL}};

/* the LIST option's items joined by '|', so the test sees the split */
static void
join_tags(const CkptApi *api, CkptRun *run, char *buf, size_t len)
{
  buf[0] = '\0';
  for (const char *const *t = api->opt_list(run, "tags"); *t; t++) {
    if (buf[0])
      strncat(buf, "|", len - strlen(buf) - 1);
    strncat(buf, *t, len - strlen(buf) - 1);
  }
}

/* A CkptMemBlock whose caller knows only addr: the host must fill addr
 * and leave the rest (here a marker in data) alone. */
static int
sized_block(const CkptApi *api, CkptRun *run)
{
  static const uint8_t marker[1];
  int ok = 0;
  for (size_t i = 0; i < api->process_count(run) && !ok; i++) {
    CkptMemIter *it = api->mem_iter_new(api->process_at(run, i));
    CkptMemBlock b = {.size = offsetof(CkptMemBlock, data), .data = marker};
    if (it && api->mem_iter_next(it, &b))
      ok = b.addr != 0 && b.data == marker && b.len == 0;
    api->mem_iter_free(it);
  }
  return ok;
}

/* Likewise for a CkptDiffFile that knows only path: 1 when every file of
 * the rootfs diff came with a path and its data pointer was left alone,
 * -1 when the checkpoint has no file in its diff. */
static int
sized_file(const CkptApi *api, CkptRun *run)
{
  static const uint8_t marker[1];
  CkptFileIter *it = api->diff_iter_new(run, 0);
  CkptDiffFile f = {.size = offsetof(CkptDiffFile, data), .data = marker};
  int ok = -1;
  while (it && api->diff_iter_next(it, &f))
    ok = (ok != 0) && f.path != NULL && f.data == marker && f.len == 0;
  api->diff_iter_free(it);
  return ok;
}

static CkptStatus
source_run(const CkptApi *api, CkptRun *run)
{
  static const unsigned char raw[] = {0x00, 0x01, 'A', 0xff};
  CkptValue root[] = {CKPT_STR(api->opt_str(run, "label")),
                      CKPT_INT(-1),
                      CKPT_UINT(UINT64_MAX),
                      CKPT_ADDR(0x7f0000001000),
                      CKPT_SIZE(4718592),
                      CKPT_BOOL(1),
                      CKPT_BYTES(raw, sizeof(raw)),
                      CKPT_TIME(1136214245),
                      CKPT_DOUBLE(0.5)};
  api->emit(run, 0, 0, root, 9);
  int64_t count = api->opt_int(run, "count");
  for (int64_t i = 0; i < count && i < 1000; i++) {
    /* a terminal escape and broken UTF-8, as a checkpoint may hold */
    CkptValue child[] = {CKPT_STR("child\x1b[31m\xc3"),
                         CKPT_INT(i),
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_BOOL(0),
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL};
    api->emit(run, 0, 1, child, 9);
    CkptValue grand[] = {CKPT_STR("grandchild"),
                         CKPT_INT(i),
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL,
                         CKPT_NULL};
    api->emit(run, 0, 2, grand, 9);
  }
  char tags[256];
  join_tags(api, run, tags, sizeof(tags));
  CkptValue echo[] = {CKPT_STR(api->opt_str(run, "label")),
                      CKPT_INT(api->opt_int(run, "count")),
                      CKPT_UINT(api->opt_int(run, "limit")),
                      CKPT_SIZE(api->opt_int(run, "chunk")),
                      CKPT_BOOL(api->opt_bool(run, "flag")),
                      CKPT_BOOL(api->opt_is_set(run, "flag")),
                      CKPT_STR(tags),
                      CKPT_BOOL(sized_block(api, run)),
                      CKPT_INT(sized_file(api, run)),
                      CKPT_STR(api->rules_dir()),
                      CKPT_UINT(api->checkpoint_count(run))};
  api->progress(run, 1, 2, "items");
  api->emit(run, 1, 0, echo, 11);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-source", "1.0", "test: options and typed rows",
                   "Apache-2.0", options, NULL, tables, NULL, source_run, NULL);

/* tp-truncate.c - test plugin: cuts a mapped file short while ckpt runs.
 *
 * $CKPT_TEST_TRUNCATE names the file (a directory's pages-1.img, or a
 * plain tar) and $CKPT_TEST_TRUNCATE_SIZE the size to cut it to (default
 * 0). Then, unless $CKPT_TEST_TRUNCATE_READ is "0", it reads every byte of
 * every process's dumped memory, which faults past the file's new end:
 * the host must survive that and report the file, not die of SIGBUS. */
#include <ckpt/plugin.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const CkptColumn cols[] = {{"bytes", CKPT_T_UINT, "Bytes read"},
                                  {"nonzero", CKPT_T_UINT, "Non-zero bytes"},
                                  {NULL}};
static const CkptTable tables[] = {
    {"read", "Memory read after the cut", CKPT_LAYOUT_RECORD, cols}, {NULL}};

static CkptStatus
truncate_run(const CkptApi *api, CkptRun *run)
{
  const char *path = getenv("CKPT_TEST_TRUNCATE");
  const char *size = getenv("CKPT_TEST_TRUNCATE_SIZE");
  const char *read = getenv("CKPT_TEST_TRUNCATE_READ");
  if (path == NULL) {
    api->error(run, "CKPT_TEST_TRUNCATE is not set");
    return CKPT_FAILED;
  }
  if (truncate(path, size ? strtoll(size, NULL, 10) : 0) != 0) {
    api->error(run, "cannot truncate %s", path);
    return CKPT_FAILED;
  }
  uint64_t bytes = 0, nonzero = 0;
  for (size_t i = 0;
       (read == NULL || strcmp(read, "0") != 0) && i < api->process_count(run);
       i++) {
    CkptMemIter *it = api->mem_iter_new(api->process_at(run, i));
    CkptMemBlock b = {.size = sizeof b};
    while (it && api->mem_iter_next(it, &b)) {
      for (size_t k = 0; k < b.len; k++)
        nonzero += b.data[k] != 0;
      bytes += b.len;
    }
    api->mem_iter_free(it);
  }
  CkptValue v[] = {CKPT_UINT(bytes), CKPT_UINT(nonzero)};
  api->emit(run, 0, 0, v, 2);
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-truncate", "1.0",
                   "test: cuts a mapped file short, then reads memory",
                   "Apache-2.0", NULL, NULL, tables, NULL, truncate_run, NULL);

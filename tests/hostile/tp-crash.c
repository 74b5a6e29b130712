/* tp-crash.c - a test plugin that misbehaves on demand, for --isolate:
 * it emits a row, then crashes with SIGSEGV (mode=segv, the default),
 * aborts (abort), leaves through _exit(7) (exit), or returns OK (ok);
 * with only=TEXT, it misbehaves only on checkpoints whose path holds TEXT
 * and returns OK on the others (one bad checkpoint in a sweep). */
#include <ckpt/plugin.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const CkptOption options[] = {
    {"mode", CKPT_T_STR, "segv", "segv, abort, exit, hang or ok"},
    {"only", CKPT_T_STR, NULL,
     "misbehave only on checkpoints whose path contains this"},
    {NULL},
};

static const CkptColumn columns[] = {
    {"note", CKPT_T_STR, "NOTE"},
    {NULL},
};

static const CkptTable tables[] = {
    {"notes", "Notes", CKPT_LAYOUT_TABLE, columns},
    {NULL},
};

static CkptStatus
crash_run(const CkptApi *api, CkptRun *run)
{
  const char *mode = api->opt_str(run, "mode");
  CkptValue v = CKPT_STR("before the crash");
  api->emit(run, 0, 0, &v, 1);
  const char *only = api->opt_str(run, "only");
  const char *path = api->container(run)->path;
  if (only && *only && (path == NULL || strstr(path, only) == NULL))
    return CKPT_OK;
  if (mode == NULL || strcmp(mode, "segv") == 0) {
    /* raise() rather than a store through NULL: sanitizers would catch the
     * store and abort before the signal the test wants to see */
    raise(SIGSEGV);
  } else if (strcmp(mode, "abort") == 0) {
    abort();
  } else if (strcmp(mode, "exit") == 0) {
    _exit(7);
  } else if (strcmp(mode, "hang") == 0) {
    for (;;)
      pause();
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("crash", "1.0", "crashes on purpose (tests)", "Apache-2.0",
                   options, NULL, tables, NULL, crash_run, NULL);

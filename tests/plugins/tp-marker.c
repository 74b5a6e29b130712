/* tp-marker.c - a test plugin whose constructor runs before the host has
 * looked at anything: it writes "ran" to the file named by
 * CKPT_TEST_MARKER. Its marker proves whether the host dlopen()ed a file
 * it was told to refuse (tests/cli/test-host.sh, as root). */
#include <ckpt/plugin.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void
marker_ctor(void)
{
  const char *path = getenv("CKPT_TEST_MARKER");
  if (path == NULL || *path == '\0')
    return;
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write(fd, "ran\n", 4) != 4) {
    /* nothing to do: the test sees a missing marker */
  }
  close(fd);
}

static CkptStatus
marker_run(const CkptApi *api, CkptRun *run)
{
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE("tp-marker", "1.0", "test: constructor writes a marker",
                   "Apache-2.0", NULL, NULL, NULL, NULL, marker_run, NULL);

/* bench-open.c - opens one checkpoint with ckpt_checkpoint_open() and
 * prints how long it took and how much memory it cost: wall time, the
 * process's private memory at the end (Private_Clean + Private_Dirty of
 * /proc/self/smaps_rollup, i.e. what this process alone keeps resident,
 * file-backed pages of the checkpoint included) and its peak resident set
 * (VmHWM), next to the checkpoint's size. One line per figure, "key value",
 * so a script can pick them up. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "model/model.h"

/* The value in kB of a "Key:   123 kB" line of a /proc file, or -1. */
static long long
proc_kb(const char *file, const char *key)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(file, &text, NULL, NULL))
    return -1;
  size_t klen = strlen(key);
  for (char *line = text; line && *line; line = strchr(line, '\n')) {
    if (*line == '\n')
      line++;
    if (strncmp(line, key, klen) == 0 && line[klen] == ':')
      return g_ascii_strtoll(line + klen + 1, NULL, 10);
  }
  return -1;
}

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s CHECKPOINT\n", argv[0]);
    return 2;
  }
  double t0 = now();
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_open(argv[1], NULL, &error);
  double t1 = now();
  if (c == NULL) {
    fprintf(stderr, "bench-open: %s\n", error->message);
    return 1;
  }
  long long clean = proc_kb("/proc/self/smaps_rollup", "Private_Clean");
  long long dirty = proc_kb("/proc/self/smaps_rollup", "Private_Dirty");
  long long anon = proc_kb("/proc/self/smaps_rollup", "Anonymous");
  long long hwm = proc_kb("/proc/self/status", "VmHWM");
  printf("checkpoint %s\n", argv[1]);
  printf("format %d\n", (int)c->container.format);
  printf("size_bytes %" G_GUINT64_FORMAT "\n", c->container.archive_size);
  printf("pages_bytes %" G_GUINT64_FORMAT "\n", c->container.pages_size);
  printf("processes %zu\n", c->n_procs);
  printf("wall_s %.3f\n", t1 - t0);
  printf("private_kb %lld\n", clean + dirty);
  printf("private_clean_kb %lld\n", clean);
  printf("private_dirty_kb %lld\n", dirty);
  printf("anonymous_kb %lld\n", anon);
  printf("vmhwm_kb %lld\n", hwm);
  return 0;
}

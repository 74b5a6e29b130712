/* fuzz-common.c - memfd input and harness limits (see fuzz.h). */
#define _GNU_SOURCE
#include "fuzz.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int
ckpt_fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t path_len)
{
  int fd = memfd_create("ckpt-fuzz", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, data + done, size - done);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    done += (size_t)w;
  }
  snprintf(path, path_len, "/proc/self/fd/%d", fd);
  return fd;
}

void
ckpt_fuzz_limits(CkptLimits *limits)
{
  ckpt_limits_init(limits);
  limits->max_entry_size = 1u << 20;
  limits->max_member_size = 64u << 20;
  limits->max_total_size = 256u << 20;
  limits->ratio_floor = 16u << 20; /* zero pages: keep each run short */
  limits->max_members = 10000;
  limits->max_processes = 1024;
  limits->max_threads = 1024;
  limits->max_vmas = 10000;
  limits->max_fds = 10000;
  limits->max_entries = 100000;
  limits->max_decode_memory = 64u << 20;
}

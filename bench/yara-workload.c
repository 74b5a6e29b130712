/* yara-workload.c - the yara benchmark's workload: N processes, each
 * holding SIZE bytes of touched anonymous memory with its own bytes (a
 * xorshift stream seeded per process), so each is dumped in full and the
 * memory sweep has equal shares to spread over cores.
 *
 * Usage: yara-workload N SIZE; writes /ready when every process is done. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void
fill(size_t size, uint64_t seed)
{
  uint64_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    exit(1);
  uint64_t x = 0x9e3779b97f4a7c15u ^ (seed * 0x100000001b3u);
  for (size_t i = 0; i < size / sizeof(*p); i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = x;
  }
}

int
main(int argc, char **argv)
{
  int n = argc > 1 ? atoi(argv[1]) : 2;
  size_t size = argc > 2 ? (size_t)strtoull(argv[2], NULL, 0) : (size_t)1 << 29;
  int ready[2];
  if (n < 1 || pipe(ready) < 0)
    return 1;
  /* fork first, then fill: no page is shared copy-on-write */
  for (int i = 1; i < n; i++)
    if (fork() == 0) {
      fill(size, (uint64_t)i);
      if (write(ready[1], "x", 1) != 1)
        return 1;
      for (;;)
        pause();
    }
  fill(size, 0);
  char c;
  for (int i = 1; i < n; i++)
    if (read(ready[0], &c, 1) != 1)
      return 1;
  FILE *f = fopen("/ready", "w");
  if (f)
    fclose(f);
  for (;;)
    pause();
}

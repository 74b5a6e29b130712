/* big-workload.c - holds 1 GiB of touched anonymous memory for the open
 * benchmark. Each page gets different bytes (a cheap xorshift stream) so
 * that neither CRIU nor a compressor can make it small. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
  size_t size = (size_t)1 << 30;
  if (argc > 1)
    size = (size_t)strtoull(argv[1], NULL, 0);
  uint64_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 1;
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < size / sizeof(*p); i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = x;
  }
  FILE *f = fopen("/ready", "w");
  if (f)
    fclose(f);
  for (;;)
    pause();
}

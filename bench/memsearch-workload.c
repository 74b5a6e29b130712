/* memsearch-workload.c - holds SIZE bytes of touched anonymous memory for
 * the memory search benchmark: pseudo-random bytes (so nothing compresses
 * or dedups), with the needle "CKPT-BENCH-NEEDLE-<n>" planted every 64 MiB
 * and once across a page boundary, so searches have something to find. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  uint64_t x = 0x2545f4914f6cdd1du;
  for (size_t i = 0; i < size / sizeof(*p); i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = x;
  }
  char *c = (char *)p;
  int n = 0;
  for (size_t off = 12345; off + 64 < size; off += (size_t)64 << 20)
    n += sprintf(c + off, "CKPT-BENCH-NEEDLE-%d", n) > 0;
  if (size > 8192)
    sprintf(c + 8192 - 9, "CKPT-BENCH-NEEDLE-%d", n);
  FILE *f = fopen("/ready", "w");
  if (f)
    fclose(f);
  for (;;)
    pause();
}

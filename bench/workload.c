/* workload.c - the benchmarks' checkpoint workload: PROCS processes, each
 * holding SIZE bytes of touched anonymous memory with bytes of its own (a
 * xorshift stream seeded per process), so neither CRIU nor a compressor
 * can make it small and a memory sweep has equal shares to spread over
 * cores. With -n, the needle "CKPT-BENCH-NEEDLE-<n>" is planted every
 * 64 MiB and once across a page boundary, so searches have hits.
 *
 * Usage: workload [-p PROCS] [-s SIZE] [-n]   (default 1 process, 1 GiB)
 * Writes /ready once every process has filled its memory, then sleeps.
 * Built static by make-big.sh and yara-make.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Fills size fresh bytes; process 0's stream is the one the open
 * benchmark's single process always had. */
static char *
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
  return (char *)p;
}

static void
plant_needles(char *c, size_t size)
{
  int n = 0;
  for (size_t off = 12345; off + 64 < size; off += (size_t)64 << 20)
    n += sprintf(c + off, "CKPT-BENCH-NEEDLE-%d", n) > 0;
  if (size > 8192)
    sprintf(c + 8192 - 9, "CKPT-BENCH-NEEDLE-%d", n);
}

static void
usage(void)
{
  fprintf(stderr, "usage: workload [-p PROCS] [-s SIZE] [-n]\n");
  exit(2);
}

int
main(int argc, char **argv)
{
  int procs = 1, needles = 0, opt;
  size_t size = (size_t)1 << 30;
  while ((opt = getopt(argc, argv, "p:s:n")) != -1) {
    switch (opt) {
    case 'p':
      procs = atoi(optarg);
      break;
    case 's':
      size = (size_t)strtoull(optarg, NULL, 0);
      break;
    case 'n':
      needles = 1;
      break;
    default:
      usage();
    }
  }
  int ready[2];
  if (procs < 1 || size < 8 || optind != argc || pipe(ready) < 0)
    usage();
  /* fork first, then fill: no page is shared copy-on-write */
  for (int i = 1; i < procs; i++)
    if (fork() == 0) {
      char *c = fill(size, (uint64_t)i);
      if (needles)
        plant_needles(c, size);
      if (write(ready[1], "x", 1) != 1)
        return 1;
      for (;;)
        pause();
    }
  char *c = fill(size, 0);
  if (needles)
    plant_needles(c, size);
  char b;
  for (int i = 1; i < procs; i++)
    if (read(ready[0], &b, 1) != 1)
      return 1;
  FILE *f = fopen("/ready", "w");
  if (f)
    fclose(f);
  for (;;)
    pause();
}

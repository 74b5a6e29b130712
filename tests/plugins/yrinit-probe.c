/* yrinit-probe.c - LD_PRELOAD probe for tests/cli/sweeps.sh: libyara
 * counts yr_initialize()/yr_finalize() calls in a plain int, so a call on
 * a sweep's worker thread can race another; this wraps both and says on
 * stderr when one is made on a thread other than the process's first. Not
 * a plugin: tests/cli/sweeps.sh builds it with cc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void
check(const char *what)
{
  if ((pid_t)syscall(SYS_gettid) != getpid())
    fprintf(stderr, "yrinit-probe: %s on a worker thread\n", what);
}

int
yr_initialize(void)
{
  int (*real)(void) = (int (*)(void))dlsym(RTLD_NEXT, "yr_initialize");
  check("yr_initialize");
  return real ? real() : -1;
}

int
yr_finalize(void)
{
  int (*real)(void) = (int (*)(void))dlsym(RTLD_NEXT, "yr_finalize");
  check("yr_finalize");
  return real ? real() : -1;
}

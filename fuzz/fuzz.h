/* fuzz.h - what the libFuzzer harnesses share: handing the input to the
 * loaders as a file that never touches the disk (a memfd), and the limits
 * a harness runs with.
 *
 * Harnesses define LLVMFuzzerTestOneInput() (and may define
 * LLVMFuzzerInitialize()); with -Dfuzzing=true they link with libFuzzer,
 * otherwise with replay.c, which feeds them the files named on its command
 * line (regression inputs, tests/hostile/regressions/).
 */
#ifndef CKPT_FUZZ_H
#define CKPT_FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A memfd holding data; *path is "/proc/self/fd/N" for the loaders, which
 * take a path. Returns the fd (close it), or -1. */
int ckpt_fuzz_memfd(const uint8_t *data, size_t size, char *path,
                    size_t path_len);

/* The defaults, lowered so one input cannot make a run take seconds or
 * allocate gigabytes: what the fuzzer should find is a crash, not that a
 * big limit is big. */
void ckpt_fuzz_limits(CkptLimits *limits);

#endif

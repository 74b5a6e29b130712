/* bounds.h - the bounds every loader path enforces on untrusted input.
 *
 * Defaults are far above what real checkpoints reach and are overridable
 * from the command line (--limit NAME=VALUE). Exceeding one is an error
 * naming the limit, the file and the value.
 */
#ifndef CKPT_LIMITS_H
#define CKPT_LIMITS_H

#include <glib.h>
#include <stdint.h>

typedef struct {
  uint64_t max_entry_size;  /* one protobuf entry or metadata file */
  uint64_t max_member_size; /* one archive member (pages included) */
  uint64_t max_total_size;  /* all decompressed bytes of an archive */
  uint64_t max_ratio;       /* decompressed / compressed bytes */
  uint64_t ratio_floor;     /* output past which max_ratio counts zero
                               pages too (below it, non-zero bytes only) */
  uint64_t max_in_memory;   /* members larger than this are spooled */
  uint64_t max_members;     /* archive members */
  uint64_t max_processes;
  uint64_t max_threads;       /* per process */
  uint64_t max_vmas;          /* per process */
  uint64_t max_fds;           /* per process */
  uint64_t max_entries;       /* entries in one image */
  uint64_t max_decode_memory; /* what decoding one image's entries may
                                 allocate, summed over its entries */
  /* bytes of one rootfs-diff file hashed (`ckpt rootfs`): hashing reads
   * what a sparse member expands to, which costs CPU, not disk */
  uint64_t max_hash_size;
} CkptLimits;

/* Fills *limits with the defaults. */
void ckpt_limits_init(CkptLimits *limits);
/* Sets one limit from "name=value" (value accepts k/M/G/T suffixes). */
gboolean ckpt_limits_set(CkptLimits *limits, const char *assignment,
                         GError **error);
/* Names of the limits, NULL-ended, for help text. */
const char *const *ckpt_limits_names(void);

#endif

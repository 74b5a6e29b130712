/* scan.h - the yara plugin's scanning: each process's dumped memory goes
 * to libyara as memory blocks (one per contiguous present run, at its real
 * virtual address, without copying), worker threads share one rule set
 * with a scanner each, and matches become hits kept until the run thread
 * emits them.
 */
#ifndef CKPT_YARA_SCAN_H
#define CKPT_YARA_SCAN_H

#include <glib.h>
#include <yara.h>

#include "ckpt/plugin.h"
#include "ruleset.h"

/* One matched string instance (or one rule matched by its condition
 * alone, string NULL). Borrowed pointers live as long as the rule set or
 * the run; the rest is owned by the hit. */
typedef struct {
  const YR_RULE *rule;
  const char *string; /* "$name", or NULL */
  uint64_t addr;      /* virtual address, or offset in a rootfs file */
  uint32_t len;       /* matched length */
  uint64_t count;     /* matches of this string in this target */
  const char *vma;    /* VMA label, or NULL */
  GBytes *data;       /* the matched bytes, at most CKPT_YARA_DATA_MAX */
  GBytes *context;    /* bytes around the match, inside its VMA */
} CkptYaraHit;

#define CKPT_YARA_DATA_MAX 256
/* bytes of zero pages scanned either side of data (zeropad.h) */
#define CKPT_YARA_ZERO_PAD 4096u

typedef struct {
  int flags;            /* SCAN_FLAGS_* */
  int timeout;          /* seconds per process; 0: none */
  unsigned max_matches; /* hits kept per string and target */
  unsigned context;     /* bytes of context on each side */
  unsigned threads;     /* workers; at least 1 */
} CkptYaraScanOpts;

/* One process to scan and what came of it. */
typedef struct {
  const CkptProcess *proc;
  const CkptProcessInfo *info;
  GPtrArray *hits; /* CkptYaraHit* */
  uint64_t bytes;  /* bytes handed to libyara */
  uint64_t blocks;
  int status; /* libyara's ERROR_SUCCESS, ERROR_SCAN_TIMEOUT, ... */
  /* with a rule set holding the host's secrets rules: every match of
   * theirs (CkptSecretMatch, SDK 3.9), for the host; never hits */
  GArray *secrets;
} CkptYaraJob;

/* Called on the run thread about every 100 ms while workers scan, and once
 * at the end; bytes is the sum scanned so far. */
typedef void (*CkptYaraProgressFn)(uint64_t bytes, void *user);

/* Scans jobs[0..n) with opts->threads workers (the run thread itself when
 * 1). Each job's status says how its scan ended. */
void ckpt_yara_scan_processes(const CkptApi *api, const CkptYaraRuleset *rs,
                              const CkptYaraScanOpts *opts, CkptYaraJob *jobs,
                              size_t n_jobs, CkptYaraProgressFn progress,
                              void *user);

/* Scans one job's process over the blocks it yields (the host's memory
 * pass, blockfeed.h) on the calling thread; job->bytes and blocks are the
 * caller's to count. Returns the job's status. */
int ckpt_yara_scan_job(const CkptApi *api, const CkptYaraRuleset *rs,
                       const CkptYaraScanOpts *opts, CkptYaraJob *job,
                       YR_MEMORY_BLOCK_ITERATOR *it);

/* Scans one buffer (a rootfs file) on the calling thread; hits get
 * addresses relative to the buffer. Returns libyara's status. */
int ckpt_yara_scan_buffer(const CkptYaraRuleset *rs,
                          const CkptYaraScanOpts *opts, const uint8_t *data,
                          size_t len, GPtrArray *hits);

void ckpt_yara_hit_free(CkptYaraHit *hit);
void ckpt_yara_job_release(CkptYaraJob *job);

/* A libyara status as text, for messages. */
const char *ckpt_yara_strerror(int status);

#endif

/* secretset.h - the values a checkpoint holds that are secrets, as the
 * secrets engine (secrets-detect.h) recognises them: values of
 * secret-like environment variables (spec and each process), and what the
 * engine's rules find in the spec, the command lines, the environments and
 * each process's dumped memory. Each comes with the text shown instead of
 * it (the engine's redaction, as `ckpt secrets` shows it).
 *
 * The host's redaction policy (host/redact.h) applies the set to every
 * row a plugin emits. It is computed once per checkpoint, on first use,
 * and lives as long as the model.
 */
#ifndef CKPT_SECRETSET_H
#define CKPT_SECRETSET_H

#include <glib.h>

#include "model/model.h"

/* A value shorter than this is not looked for inside other text: four
 * characters would match too much that is no secret. */
#define CKPT_SECRET_MIN_LEN 4
/* At most this many values in a set: every cell is compared with each, so
 * a hostile checkpoint whose memory is full of distinct tokens must not
 * make each row cost thousands of compares. Past it, the set says so
 * (CkptSecretSet.dropped) and the host warns. */
#define CKPT_SECRET_SET_MAX 256

typedef struct {
  char *value; /* as found */
  size_t len;
  char *shown; /* the redaction, e.g. "Ngx-…(22)" */
  char *hex;   /* value as "4e 67 78" (a hexdump's bytes), lower case */
} CkptSecret;

typedef struct {
  GPtrArray *items;  /* CkptSecret*, longest value first */
  GHashTable *seen;  /* value -> CkptSecret* */
  double compute_ms; /* how long computing it took (ckpt_checkpoint_secrets) */
  guint64 dropped;   /* values left out past CKPT_SECRET_SET_MAX */
} CkptSecretSet;

CkptSecretSet *ckpt_secret_set_new(void);
void ckpt_secret_set_free(CkptSecretSet *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptSecretSet, ckpt_secret_set_free)
/* Adds value (kind as the engine names it, for its redaction); values
 * shorter than CKPT_SECRET_MIN_LEN and duplicates are ignored. */
void ckpt_secret_set_add(CkptSecretSet *s, const char *kind, const char *value);
/* Adds every value of from. */
void ckpt_secret_set_merge(CkptSecretSet *s, const CkptSecretSet *from);
/* Orders the values longest first (after adding). */
void ckpt_secret_set_sort(CkptSecretSet *s);

/* The set of c, computed on the first call with the engine compiled from
 * rules (comma-separated files and directories, as the secrets plugin's
 * `rules` option); later calls return the same set. With memory, what the
 * engine finds in each process's dumped memory is in it too (a second
 * set, computed on its first call). When the rules cannot be compiled the
 * set holds what the name table finds and *warning says why (owned by the
 * caller, NULL otherwise). Thread-safe. */
const CkptSecretSet *ckpt_checkpoint_secrets(CkptCheckpoint *c,
                                             const char *rules, gboolean memory,
                                             char **warning);

/* The host's memory pass (host/mempass.h) runs the engine once over each
 * process's blocks; the candidates it validates serve both the set's
 * memory part (no second scan) and the secrets plugin
 * (ckpt_checkpoint_mem_secrets), which then scans nothing itself. new()
 * returns NULL when the rules cannot be compiled (*warning says why) or
 * c was scanned with other rules. Blocks of one process, then end(). */
typedef struct CkptSecretScan CkptSecretScan;
CkptSecretScan *ckpt_secret_scan_new(CkptCheckpoint *c, const char *rules,
                                     char **warning);
/* What a walk of memory also feeds (the pass's subscribers): block(b)
 * before the engine scans b, done() once it is done with it. */
typedef struct {
  void (*block)(const CkptProcess *p, const CkptMemBlock *b, void *user);
  void (*done)(const CkptProcess *p, void *user);
  void *user;
} CkptSecretFeed;
/* Scans p's memory as one libyara scan over the walk it (p's, from its
 * start, the caller's to free), handing every block of it to feed (NULL:
 * none), whatever libyara does. */
void ckpt_secret_scan_process(CkptSecretScan *s, const CkptProcess *p,
                              CkptMemIter *it, const CkptSecretFeed *feed);
/* The engine's files, for a subscriber that finds what it finds in its
 * own scan (CkptMemSubscriber.secrets, SDK 3.9); borrowed from s. */
void ckpt_secret_scan_rules(const CkptSecretScan *s, CkptSecretRules *out);
/* From now on, memory's secrets come from that subscriber
 * (ckpt_secret_deliver), not from ckpt_secret_scan_process: a process whose
 * matches never come is scanned once, when its secrets are first needed
 * (ckpt_checkpoint_mem_secrets, ckpt_checkpoint_secrets). */
void ckpt_secret_scan_share(CkptSecretScan *s);
/* A subscriber's matches of the engine's rules in p's memory (SDK 3.9
 * CkptApi.mem_secret_matches), validated as the engine's own scan's
 * would be: TRUE when taken (c's scan was shared with exactly these rules,
 * p not delivered yet, every match names a rule and string of the
 * engine's). Thread-safe. */
gboolean ckpt_secret_deliver(CkptCheckpoint *c, const char *rules,
                             const CkptProcess *p, const CkptSecretMatch *m,
                             size_t n);
/* The pass walked every process: a shared scan's process that no match
 * was delivered for is the host's to scan from now on. */
void ckpt_secret_scan_finish(CkptSecretScan *s);
/* The bytes handed to libyara so far (zero pages left out). */
guint64 ckpt_secret_scan_bytes(const CkptSecretScan *s);
void ckpt_secret_scan_end(CkptSecretScan *s, const CkptProcess *p);
void ckpt_secret_scan_free(CkptSecretScan *s);
/* What the pass found in p's memory with rules: TRUE with *out (n entries,
 * as long as c) once it scanned p, else FALSE. A process the sharing
 * subscriber handed nothing for is scanned by the host here, once the
 * pass is over (ckpt_secret_scan_finish), and that scan kept as the pass's (the
 * redaction policy's set takes it too). Thread-safe. */
gboolean ckpt_checkpoint_mem_secrets(CkptCheckpoint *c, const char *rules,
                                     const CkptProcess *p,
                                     const CkptMemSecret **out, size_t *n);
/* How many processes the host scanned itself after a shared pass (see
 * above), and the bytes it handed libyara for them. */
guint64 ckpt_checkpoint_secret_rescans(CkptCheckpoint *c, guint64 *bytes);

/* ---- windows of memory ------------------------------------------------
 * For rows that show only a few places of memory (a search's hits and
 * their context), the set without the full scan: the strings' secrets,
 * and the secrets of each window asked for, found by scanning with the
 * engine only the window and as far around it as the engine's view of a
 * byte reaches (CkptSecretReach), in the full scan's pieces of each block,
 * so that a secret whose value lies in or overlaps a window is found as
 * the full scan finds it. The set only grows: every window's secrets so
 * far redact every later row. What it cannot have: a secret of memory
 * found elsewhere whose value is in a window without what the engine
 * recognises it by, and the hits of a rule whose condition held only far
 * from the window (ckpt_checkpoint_secrets has both). When memory's
 * secrets are at hand without a scan (a chain's memory pass, or the full
 * set computed), the full set is used instead, and so once the windows
 * scanned as many bytes as memory holds (hits everywhere): a search never
 * costs much more than the full scan. Not thread-safe. */

/* How far from a byte the engine's view of it reaches: a hit whose value
 * covers the byte starts at most `value` bytes before it, and a hit is
 * found as the full scan finds it when the scan sees `scan` bytes either
 * side of its start. */
typedef struct {
  uint64_t value;
  uint64_t scan;
} CkptSecretReach;
extern const CkptSecretReach ckpt_secret_reach_engine;

typedef struct CkptSecretWindows CkptSecretWindows;
/* reach: NULL for the engine's (ckpt_secret_reach_engine); the tests
 * shrink it to show that a window needs it. */
CkptSecretWindows *ckpt_secret_windows_new(CkptCheckpoint *c, const char *rules,
                                           const CkptSecretReach *reach,
                                           char **warning);
/* The set, now holding the secrets of [addr, addr+len) of p's memory. */
const CkptSecretSet *ckpt_secret_windows_cover(CkptSecretWindows *w,
                                               const CkptProcess *p,
                                               uint64_t addr, uint64_t len);
/* The set as it is (every window covered so far). */
const CkptSecretSet *ckpt_secret_windows_set(const CkptSecretWindows *w);
/* Scans made, bytes handed to libyara, time spent, and whether the full
 * set took over (memory's secrets at hand, or the windows had scanned as
 * many bytes as memory holds: from then on the full scan costs less). */
void ckpt_secret_windows_stats(const CkptSecretWindows *w, guint64 *windows,
                               guint64 *bytes, double *ms, gboolean *full);
void ckpt_secret_windows_free(CkptSecretWindows *w);

#endif

/* watch.h - `ckpt watch`: directories watched with inotify, and a plan
 * (the triage chain) run once over every checkpoint that appears in them,
 * once it is complete, each result written as JSON Lines records.
 *
 * A checkpoint is taken when it settles: a file closed after writing or
 * renamed into the directory, or a directory (CRIU's bare image directory,
 * an extracted archive) that holds inventory.img or pstree.img, whose size
 * and mtime then stay the same for the settle time. Names starting with a
 * dot or ending in .tmp, .part or .partial are left alone (the names
 * writers use before renaming into place). A symlink is not followed, to
 * a directory or a file (the directory may be an untrusted host's): it is
 * skipped with a warning record.
 *
 * Records, one JSON object a line, appended to the output and fsync'd one
 * by one (docs/fleet.md shows them):
 *   {"type":"watching", ...}  once the directories are watched
 *   {"type":"finding", ...}   one per row of triage.findings
 *   {"type":"summary", ...}   one per checkpoint, after its findings: path,
 *                             size, sha256, verdict, counts, timing
 *   {"type":"warning", ...}   what went wrong around a checkpoint (--exec,
 *                             an unreadable state line, an event overflow,
 *                             a symlink skipped)
 *
 * Memory is bounded: a checkpoint's model and rows are freed once its
 * records are written; what stays is one entry per checkpoint still
 * present in the directories (done, by path, size and mtime) and per
 * watched subdirectory. The state file, when given, keeps the done entries
 * across restarts; it is rewritten at start without the paths that are
 * gone.
 */
#ifndef CKPT_WATCH_H
#define CKPT_WATCH_H

#include <glib.h>

#include "host/chain.h"
#include "util/limits.h"

typedef struct {
  const char *const *dirs; /* NULL-ended, at least one */
  gboolean new_only;       /* skip what is there at start */
  gboolean once;           /* exit when nothing is left to do after start */
  const char *output;      /* appended; NULL: stdout */
  const char *state;       /* NULL: none */
  /* run per summary record, the record on its stdin; split into words as
   * a shell would, but run without one (g_shell_parse_argv) */
  const char *exec;
  double settle; /* seconds a checkpoint must stay unchanged */
} CkptWatchOptions;

/* Watches until SIGTERM or SIGINT (the checkpoint in hand is finished
 * first), or with once set until the checkpoints present at start are
 * done. Returns FALSE with error set when it cannot start: a directory
 * that cannot be watched, an output or state file that cannot be opened,
 * an --exec line that does not parse. */
gboolean ckpt_watch_run(const CkptHost *h, const CkptPlan *plan,
                        const CkptLimits *limits, const CkptWatchOptions *o,
                        GError **error);

/* The sha256 of a checkpoint, hex: of a file's bytes, or of a directory's
 * regular files (relative path, a NUL, the content; sorted by path, three
 * levels deep). NULL with error set when it cannot be read. */
char *ckpt_watch_sha256(const char *path, GError **error);

#endif

/* targets.h - what a command runs over: the targets of a sweep (files,
 * checkpoint directories, directories of them) and the checkpoints stored
 * under directories (ckpt list). Both tell a checkpoint by content, never
 * by name, and never walk through a symlinked directory.
 */
#ifndef CKPT_TARGETS_H
#define CKPT_TARGETS_H

#include <glib.h>

#include "host/host.h"
#include "host/results.h"
#include "util/limits.h"

/* A problem, as one line (no "ckpt: " in front); the caller prints it. */
typedef void (*CkptSweepProblemFn)(void *user, const char *line);
/* Formats one problem line and hands it to fn, when there is one. */
void ckpt_problem_say(CkptSweepProblemFn fn, void *user, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Appends path's targets to out (char*): path itself, or when path is a
 * directory the image set does not take as a checkpoint, its regular
 * files (also through a symlink) and checkpoint directories (never
 * through a symlink), sorted, not recursive. A directory holding none of
 * them, or one that cannot be read, is itself the target: opening it says
 * what is wrong. */
void ckpt_targets_expand(const char *path, GPtrArray *out);
/* TRUE for a directory (not a symlink to one) the image set takes as a
 * checkpoint. */
gboolean ckpt_targets_is_checkpoint_dir(const char *path);

typedef struct {
  const CkptLimits *limits;
  gboolean recursive; /* also the directories below, never via a symlink */
  gboolean verbose;   /* also name each skipped entry and why */
  CkptSweepProblemFn problem;
  void *problem_user;
} CkptListOptions;

/* The checkpoints under each of dirs, as a report holding the rows of h's
 * "list" plugin (plugins/list), run once over them (run_dir): the walk is
 * the host's, handing the plugin one checkpoint at a time (dir_next).
 * Every entry counts whatever its name: first the image set's cheap
 * sniff, then its image set and metadata are opened. Entries are reached
 * with lstat() and O_NOFOLLOW from their directory's descriptor, so a
 * symlink (to /, to /proc/self) is skipped, never followed. found[i] gets
 * how many were found under dirs[i]; *failed is TRUE when a directory
 * could not be read, a checkpoint not opened or the plugin is missing
 * (the others are still listed). */
CkptReport *ckpt_targets_list(const CkptHost *h, const CkptListOptions *o,
                              char **dirs, guint n, guint *found,
                              gboolean *failed);

#endif

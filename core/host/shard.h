/* shard.h - `--shard INDEX/COUNT`: a sweep split between COUNT workers,
 * each taking the targets whose path hashes to its INDEX.
 *
 * The partition is a function of the target path alone (after a directory
 * is expanded into its checkpoints): the first 8 bytes of the path's
 * sha256, big-endian, modulo COUNT. So the shards of one COUNT are
 * disjoint and together cover every target, whatever machine or order
 * they run in, as long as every worker names the targets by the same
 * paths (the same mount point in every pod of an Indexed Job).
 *
 * One process-wide setting, like --isolate: the CLI sets it from the
 * global flag, the target expansion (ckpt_cli_expand_target, ckpt list)
 * asks ckpt_shard_keep(). */
#ifndef CKPT_SHARD_H
#define CKPT_SHARD_H

#include <glib.h>

typedef struct {
  guint index; /* 0 .. count-1 */
  guint count; /* 0: no sharding */
} CkptShard;

/* "INDEX/COUNT", or "auto/COUNT" taking INDEX from $JOB_COMPLETION_INDEX
 * (a Kubernetes Indexed Job's). COUNT 1 .. 65536, INDEX below it. */
gboolean ckpt_shard_parse(const char *spec, CkptShard *out, GError **error);
/* the shard, 0 .. count-1, that path belongs to */
guint ckpt_shard_of(const char *path, guint count);
/* the process-wide shard; count 0 clears it */
void ckpt_shard_set(const CkptShard *s);
const CkptShard *ckpt_shard_get(void);
/* TRUE when no shard is set or path belongs to it */
gboolean ckpt_shard_keep(const char *path);
/* Removes from targets (char*) the entries from index `from` on that are
 * not ckpt_shard_keep(), keeping the order; the array's free function,
 * if any, frees them. */
void ckpt_shard_filter(GPtrArray *targets, guint from);

#endif

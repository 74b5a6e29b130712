/* model.c - builds a CkptCheckpoint: opens the image set, runs the stage
 * loaders in order, and owns the arena every model string and array lives
 * in. */
#include "model/model.h"

#include <stdarg.h>
#include <string.h>

#include "criu/image.h"

const char *
ckpt_model_str(CkptCheckpoint *c, const char *s)
{
  return s ? g_string_chunk_insert_const(c->strings, s) : NULL;
}

const char *
ckpt_model_strn(CkptCheckpoint *c, const char *s, size_t n)
{
  if (s == NULL)
    return NULL;
  return g_string_chunk_insert_len(c->strings, s, (gssize)n);
}

void *
ckpt_model_alloc(CkptCheckpoint *c, size_t n_elems, size_t elem_size)
{
  /* g_malloc0_n aborts on overflow; callers bound n_elems by a limit. */
  void *p = g_malloc0_n(n_elems ? n_elems : 1, elem_size);
  g_ptr_array_add(c->blocks, p);
  return p;
}

void
ckpt_model_warn(CkptCheckpoint *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(c->warnings, g_strdup_vprintf(fmt, ap));
  va_end(ap);
}

const CkptProcess *
ckpt_checkpoint_process(const CkptCheckpoint *c, uint32_t pid)
{
  return g_hash_table_lookup(c->by_pid, GUINT_TO_POINTER(pid));
}

void
ckpt_checkpoint_free(CkptCheckpoint *c)
{
  if (c == NULL)
    return;
  if (c->by_pid)
    g_hash_table_unref(c->by_pid);
  if (c->blocks)
    g_ptr_array_unref(c->blocks);
  if (c->warnings)
    g_ptr_array_unref(c->warnings);
  if (c->strings)
    g_string_chunk_free(c->strings);
  ckpt_secretset_cache_free(c->secrets);
  ckpt_imageset_free(c->images);
  g_free(c);
}

gboolean
ckpt_model_open_image(CkptCheckpoint *c, CkptImageReader *r, const char *name,
                      uint32_t magic, gboolean *present, GError **error)
{
  const uint8_t *data;
  size_t len;

  *present = ckpt_imageset_image(c->images, name, &data, &len);
  if (!*present)
    return TRUE;
  if (!ckpt_image_open(r, name, data, len, magic, c->limits.max_entry_size,
                       c->limits.max_entries, error))
    return FALSE;
  r->max_decode = c->limits.max_decode_memory;
  return TRUE;
}

gboolean
ckpt_model_walk_image(CkptCheckpoint *c, const char *name, uint32_t magic,
                      const struct ProtobufCMessageDescriptor *desc,
                      CkptImageEntryFn fn, void *user, GError **error)
{
  CkptImageReader r;
  gboolean present;
  if (!ckpt_model_open_image(c, &r, name, magic, &present, error))
    return FALSE;
  return !present || ckpt_image_walk(&r, desc, fn, user, error);
}

/* the image set's formats are the SDK's, value for value */
G_STATIC_ASSERT((int)CKPT_SET_DIR == (int)CKPT_FMT_DIR &&
                (int)CKPT_SET_TAR == (int)CKPT_FMT_TAR &&
                (int)CKPT_SET_TAR_GZIP == (int)CKPT_FMT_TAR_GZIP &&
                (int)CKPT_SET_TAR_ZSTD == (int)CKPT_FMT_TAR_ZSTD &&
                (int)CKPT_SET_TAR_OTHER == (int)CKPT_FMT_TAR_OTHER);

CkptCheckpoint *
ckpt_checkpoint_new(const CkptLimits *limits)
{
  CkptCheckpoint *c = g_new0(CkptCheckpoint, 1);
  if (limits)
    c->limits = *limits;
  else
    ckpt_limits_init(&c->limits);
  c->strings = g_string_chunk_new(4096);
  c->blocks = g_ptr_array_new_with_free_func(g_free);
  c->warnings = g_ptr_array_new_with_free_func(g_free);
  c->by_pid = g_hash_table_new(g_direct_hash, g_direct_equal);
  c->container.size = sizeof(c->container);
  c->ns.size = sizeof(c->ns);
  return c;
}

/* Every CRIU dump writes inventory.img and pstree.img. Without them the
 * input is not a checkpoint at all (an empty directory, a tar of other
 * files), and without pstree.img no process, memory or file can be read:
 * a search over it would end in a silent "nothing found", so both are
 * refused here, where every command passes. A pstree.img that is not a
 * regular file in a directory (a FIFO, a device) was skipped by the image
 * set and counts as absent. */
static gboolean
has_process_tree(CkptCheckpoint *c, const char *path, GError **error)
{
  if (ckpt_imageset_image(c->images, "pstree.img", NULL, NULL))
    return TRUE;
  if (!ckpt_imageset_image(c->images, "inventory.img", NULL, NULL)) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
                "%s: not a CRIU checkpoint: no inventory.img or pstree.img "
                "(at the top or under checkpoint/)",
                path);
    return FALSE;
  }
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_MISSING,
              "%s: pstree.img is missing or not a regular file: the process "
              "tree, memory and files cannot be read",
              path);
  return FALSE;
}

CkptCheckpoint *
ckpt_checkpoint_open(const char *path, const CkptLimits *limits, GError **error)
{
  return ckpt_checkpoint_open_reads(path, limits, 0, error);
}

void
ckpt_checkpoint_custody(CkptCheckpoint *c)
{
  if (c->container.archive_sha256 == NULL)
    c->container.archive_sha256 =
        ckpt_imageset_sha256(c->images, &c->container.archive_sha256_of);
}

gboolean
ckpt_checkpoint_pages_kept(const CkptCheckpoint *c)
{
  return ckpt_imageset_pages_kept(c->images);
}

/* What the image set keeps for a chain that reads reads (0: all). */
static unsigned
keep_for(unsigned reads)
{
  if (reads == 0)
    return CKPT_SET_KEEP_ALL;
  return ((reads & CKPT_READS_MEMORY) ? CKPT_SET_KEEP_PAGES : 0u) |
         ((reads & CKPT_READS_CUSTODY) ? CKPT_SET_KEEP_HASH : 0u) |
         ((reads & CKPT_READS_ROOTFS) ? CKPT_SET_KEEP_ROOTFS : 0u);
}

CkptCheckpoint *
ckpt_checkpoint_open_reads(const char *path, const CkptLimits *limits,
                           unsigned reads, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);

  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_new(limits);
  c->reads = reads;
  c->images = ckpt_imageset_open_keep(path, &c->limits, keep_for(reads), error);
  if (c->images == NULL)
    return NULL;
  c->container.path = ckpt_model_str(c, path);
  c->container.format = (CkptFormat)ckpt_imageset_format(c->images);
  c->container.archive_size = ckpt_imageset_archive_size(c->images);
  /* custody is computed only when something shows it */
  if (reads == 0 || (reads & CKPT_READS_CUSTODY))
    ckpt_checkpoint_custody(c);

  if (!has_process_tree(c, path, error))
    return NULL;
  if (!ckpt_meta_load(c, error) || !ckpt_procs_load(c, error) ||
      !ckpt_files_load(c, error) || !ckpt_ns_load(c, error) ||
      !ckpt_objects_load(c, error)) {
    /* The stages name the image and offset; which input it was goes in
     * front, for sweeps over many. */
    g_prefix_error(error, "%s: ", path);
    return NULL;
  }
  /* a mapped file cut short while the stages read it (mapguard.h) */
  if (!ckpt_imageset_check(c->images, error))
    return NULL;
  return g_steal_pointer(&c);
}

CkptCheckpoint *
ckpt_checkpoint_open_meta(int fd, const char *path, const CkptLimits *limits,
                          GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);

  g_autoptr(CkptCheckpoint) c = ckpt_checkpoint_new(limits);
  c->images = ckpt_imageset_open_fd(fd, path, &c->limits, error);
  if (c->images == NULL)
    return NULL;
  c->container.path = ckpt_model_str(c, path);
  c->container.format = (CkptFormat)ckpt_imageset_format(c->images);
  c->container.archive_size = ckpt_imageset_archive_size(c->images);
  if (!ckpt_meta_load(c, error))
    return NULL;
  return g_steal_pointer(&c);
}

/* model.h - the checkpoint model every plugin reads.
 *
 * A CkptCheckpoint is built once per checkpoint from its image set and then
 * only read. Each object embeds the public view the SDK hands to plugins
 * (CkptProcessInfo, CkptVmaInfo, ...) as its first member, so an accessor is
 * a cast, and adds what only the core needs (page maps). All strings and
 * arrays belong to the checkpoint's arena and live until it is freed.
 */
#ifndef CKPT_MODEL_H
#define CKPT_MODEL_H

#include <glib.h>
#include <stdint.h>

#include "ckpt/plugin.h"
#include "archive/imageset.h"
#include "util/limits.h"
#include "criu/image.h"

typedef struct CkptCheckpoint CkptCheckpoint;

/* The page size CRIU dumps in: a page run's nr_pages count these. The one
 * definition memory.c, objects.c and procs.c share. */
#define CKPT_PAGE_SIZE 4096u

/* One pagemap entry, resolved: nr_pages pages starting at vaddr, whose
 * bytes are at data (NULL when not in this dump: lazy, parent, or zero). */
typedef struct {
  uint64_t vaddr;
  uint64_t nr_pages;
  uint32_t flags; /* CRIU's PE_* bits */
  const uint8_t *data;
} CkptPageRun;

typedef struct {
  CkptVmaInfo info; /* first: the public view */
  uint32_t shmid;
  int64_t fd;
} CkptVma;

struct CkptProcess {
  CkptProcessInfo info; /* first: the public view */
  CkptCheckpoint *ckpt;
  CkptThreadInfo *threads; /* info.n_threads */
  CkptThreadFpu *fpu;      /* info.n_threads; size 0: none in the image */
  uint64_t *auxv;          /* mm's saved auxv, n_auxv words, or NULL */
  size_t n_auxv;
  CkptVma *vmas; /* sorted by start, non-overlapping */
  size_t n_vmas;
  CkptPageRun *pages; /* sorted by vaddr, non-overlapping */
  size_t n_pages;
  CkptFdInfo *fds; /* sorted by fd */
  size_t n_fds;
  uint32_t ids_files_id; /* from ids-PID.img, to share fd tables */
  uint32_t pages_id;     /* names pagemap's pages-<id>.img */
  /* file ids from mm/fs images, resolved to info.exe/cwd/root by files.c */
  uint32_t exe_file_id, cwd_file_id, root_file_id;
  gboolean has_exe_file_id, has_fs_ids;
  /* namespace ids from ids-PID.img (0: not recorded) */
  uint32_t pid_ns_id, net_ns_id, mnt_ns_id, uts_ns_id, ipc_ns_id, user_ns_id,
      cgroup_ns_id;
};

/* One stored run of an object's content. */
typedef struct {
  uint64_t off;
  const uint8_t *data;
  size_t len;
} CkptObjectSeg;

/* Content held by a kernel object (objects.c). Bytes are either runs of
 * the image set (segs, sorted, disjoint) or one member of a tar image
 * (tmpfs-dev-*.tar.gz.img, devshm-checkpoint.tar), read again on demand. */
typedef struct {
  CkptObjectInfo info; /* first: the public view */
  CkptCheckpoint *ckpt;
  const CkptObjectSeg *segs;
  size_t n_segs;
  const char *tar_name; /* image or metadata member, or NULL */
  gboolean tar_is_meta;
  uint64_t tar_index; /* the member's ordinal in the tar */
} CkptObject;

struct CkptCheckpoint {
  CkptImageSet *images;
  CkptLimits limits;
  GStringChunk *strings; /* every string of the model */
  GPtrArray *blocks;     /* other arena allocations, freed with the model */
  CkptContainerInfo container;
  CkptNamespaceInfo ns;
  CkptProcess *procs; /* pstree order */
  size_t n_procs;
  GHashTable *by_pid; /* uint32 pid -> CkptProcess* */
  CkptSocketInfo *sockets;
  size_t n_sockets;
  CkptMountInfo *mounts;
  size_t n_mounts;
  GPtrArray *warnings; /* char*: non-fatal problems met while loading */
  CkptObject *objects; /* content held by kernel objects */
  size_t n_objects;
  /* the secret sets (secretset.h), computed on first use */
  struct CkptSecretSetCache *secrets;
  /* set by the host once a plugin read memory or objects' content: the
   * redaction policy then needs the secrets found in memory too */
  gboolean memory_shown;
  /* blocks the memory iterators yielded, over every walk (atomic): what
   * shows that a chain read each block once (--verbose) */
  guint64 mem_blocks_read;
  /* what the open was asked to read (CKPT_READS_*, 0 everything), and
   * whether a plugin read memory the open dropped was said (atomic) */
  unsigned reads;
  gint memory_dropped_said;
  gint rootfs_dropped_said; /* the same for the rootfs diff (rootfs.c) */
};

/* Opens path (archive or directory) and builds the model. */
CkptCheckpoint *ckpt_checkpoint_open(const char *path, const CkptLimits *limits,
                                     GError **error);
/* The same, reading only what reads (CKPT_READS_* or-ed, the union over a
 * chain; 0 means everything) asks for: without CKPT_READS_MEMORY a
 * compressed archive's page data is decompressed through but not kept
 * (memory reads as absent, see ckpt_checkpoint_pages_kept); without
 * CKPT_READS_CUSTODY container.archive_sha256 is NULL until
 * ckpt_checkpoint_custody() computes it. */
CkptCheckpoint *ckpt_checkpoint_open_reads(const char *path,
                                           const CkptLimits *limits,
                                           unsigned reads, GError **error);
/* Fills container.archive_sha256 (and _of) if the open did not. */
void ckpt_checkpoint_custody(CkptCheckpoint *c);
/* FALSE when the open dropped page data (opened without
 * CKPT_READS_MEMORY). */
gboolean ckpt_checkpoint_pages_kept(const CkptCheckpoint *c);
/* Only the image set and the container's metadata (ckpt_meta_load), from
 * a descriptor the caller opened and closes: what `ckpt list` shows, at a
 * fraction of the cost. path names it in messages. */
CkptCheckpoint *ckpt_checkpoint_open_meta(int fd, const char *path,
                                          const CkptLimits *limits,
                                          GError **error);
void ckpt_checkpoint_free(CkptCheckpoint *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptCheckpoint, ckpt_checkpoint_free)

/* Arena helpers: memory that lives as long as the model. */
const char *ckpt_model_str(CkptCheckpoint *c, const char *s); /* NULL ok */
const char *ckpt_model_strn(CkptCheckpoint *c, const char *s, size_t n);
void *ckpt_model_alloc(CkptCheckpoint *c, size_t n_elems, size_t elem_size);
void ckpt_model_warn(CkptCheckpoint *c, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* Stage loaders, called in this order by ckpt_checkpoint_open(). Each reads
 * what it needs from c->images; a missing optional image is not an error. */
/* meta.c: config.dump, spec.dump, network.status, stats-dump, ... */
gboolean ckpt_meta_load(CkptCheckpoint *c, GError **error);
/* procs.c: pstree, core-*, ids-*, creds, mm-*, pagemap-*, fs-* */
gboolean ckpt_procs_load(CkptCheckpoint *c, GError **error);
/* files.c: files.img, fdinfo-*, sockets, tcp-stream, sk-queues */
gboolean ckpt_files_load(CkptCheckpoint *c, GError **error);
/* ns.c: mountpoints-*, utsns-*, netdev-*, ifaddr-*, route-* */
gboolean ckpt_ns_load(CkptCheckpoint *c, GError **error);

/* objects.c: ghost files, memfds, pipe/FIFO buffers, socket queues,
 * saved tmpfs files; after files.c and ns.c */
gboolean ckpt_objects_load(CkptCheckpoint *c, GError **error);
size_t ckpt_object_read(const CkptObject *o, uint64_t offset, void *buf,
                        size_t len);
CkptObjectIter *ckpt_object_iter_new(const CkptObject *o);
int ckpt_object_iter_next(CkptObjectIter *it, CkptObjectBlock *block);
void ckpt_object_iter_free(CkptObjectIter *it);

/* procs.c: a pagemap image into CkptPageRun runs, each checked against
 * its pages file; *present FALSE when the image is absent */
gboolean ckpt_model_read_pagemap(CkptCheckpoint *c, const char *name,
                                 uint32_t *pages_id, GArray *runs,
                                 gboolean *present, GError **error);
/* environ.c: info.envp and env_source of a process whose memory is
 * loaded (see CkptEnvSource) */
void ckpt_environ_load(CkptCheckpoint *c, CkptProcess *p);
/* secretset.c: frees the cached secret set (NULL ok) */
struct CkptSecretSetCache;
void ckpt_secretset_cache_free(struct CkptSecretSetCache *cache);

/* memory.c: reading a process's dumped bytes */
const CkptVmaInfo *ckpt_mem_vma_find(const CkptProcess *p, uint64_t addr);
size_t ckpt_mem_read(const CkptProcess *p, uint64_t addr, void *buf,
                     size_t len);
CkptMemIter *ckpt_mem_iter_new(const CkptProcess *p);
int ckpt_mem_iter_next(CkptMemIter *it, CkptMemBlock *block);
/* Moves it so that its next block is the one holding addr, the very block
 * the walk from the start yields (same start and length), or when no block
 * holds addr the first one after it. */
void ckpt_mem_iter_seek(CkptMemIter *it, uint64_t addr);
void ckpt_mem_iter_free(CkptMemIter *it);
/* The next stretch of block b at or after *off that is not known to be
 * zero pages (see ckpt_imageset_data_next): 1 with *off and *len set, or
 * 0 when the rest of the block is zeros. */
int ckpt_mem_data_next(const CkptProcess *p, const CkptMemBlock *b, size_t *off,
                       size_t *len);

/* diff.c: the rootfs diff's regular files */
CkptFileIter *ckpt_diff_iter_new(CkptCheckpoint *c, uint64_t max_bytes);
int ckpt_diff_iter_next(CkptFileIter *it, CkptDiffFile *file);
void ckpt_diff_iter_free(CkptFileIter *it);
/* every member (not only regular files), each regular file hashed to its
 * end; ckpt_diff_iter_entry() describes the one returned last */
CkptFileIter *ckpt_diff_iter_new_all(CkptCheckpoint *c, uint64_t max_bytes);
const CkptDiffEntryInfo *ckpt_diff_iter_entry(CkptFileIter *it);
/* why the walk stopped before the diff's end (unreadable, cut, over a
 * limit), or NULL when it read the whole diff (or there is none) */
const char *ckpt_diff_iter_error(CkptFileIter *it);

const CkptProcess *ckpt_checkpoint_process(const CkptCheckpoint *c,
                                           uint32_t pid);

/* An empty model: its arena and tables, no image set, no stage run. What
 * ckpt_checkpoint_open() starts from, and what a test of one stage fills
 * itself. limits may be NULL for the defaults. */
CkptCheckpoint *ckpt_checkpoint_new(const CkptLimits *limits);

/* Opens image name of the model's image set with the model's entry limits.
 * *present says whether the set holds it (absent is no error); FALSE with
 * error set when it is there but its magics are wrong. */
gboolean ckpt_model_open_image(CkptCheckpoint *c, CkptImageReader *r,
                               const char *name, uint32_t magic,
                               gboolean *present, GError **error);

/* Opens image name as ckpt_model_open_image() does and unpacks each of its
 * entries as desc for fn (ckpt_image_walk()); an absent image is nothing
 * to walk. FALSE with error set, naming the image, when the magics, a
 * frame or an entry is broken, or fn failed. */
gboolean ckpt_model_walk_image(CkptCheckpoint *c, const char *name,
                               uint32_t magic,
                               const struct ProtobufCMessageDescriptor *desc,
                               CkptImageEntryFn fn, void *user, GError **error);

#endif

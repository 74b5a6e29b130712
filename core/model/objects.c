/* objects.c - content held by kernel objects, where a memory search does
 * not look: ghost files (deleted but open, or a deleted executable; CRIU's
 * ghost-file-N.img named by remap-fpath.img), memfd contents
 * (memfd.img + pagemap-shmem-N.img), pipe and FIFO buffers (pipes-data.img,
 * fifo-data.img), packets queued to sockets (sk-queues.img), TCP queues
 * (tcp-stream-N.img) and the tmpfs files CRIU or the engine saved
 * (tmpfs-dev-N.tar.gz.img, devshm-checkpoint.tar). Each becomes a
 * CkptObject with its owners (pid and fd, exe or mapping) and a reader.
 *
 * Runs after files.c and ns.c: owners come from the fd tables, names from
 * the sockets and mounts. files.img is walked again for what the fd tables
 * do not keep (pipe ids, memfd inodes), as procs.c does for memfds.
 *
 * Everything is untrusted: a length is believed only when the bytes are
 * there, offsets only when sorted and inside the claimed size. A broken
 * object is a warning naming its image, and the object is left out (or
 * cut where the bytes end); the rest of the checkpoint stays readable.
 * Tar members are never extracted: they are read with libarchive from the
 * image set's bytes, bounded like the rootfs diff (core/model/rootfs.c).
 */
#include "model/model.h"

#include <archive.h>
#include <archive_entry.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#include "criu-files.pb-c.h"
#include "criu-ns.pb-c.h"
#include "criu-sockets.pb-c.h"
#include "criu/image.h"

/* CRIU's magics (criu/include/magic.h). */
#define FILES_MAGIC 0x56303138u
#define MEMFD_INODE_MAGIC 0x48453499u
#define REMAP_FPATH_MAGIC 0x59133954u
#define GHOST_FILE_MAGIC 0x52583605u
#define PIPES_DATA_MAGIC 0x56453709u
#define FIFO_DATA_MAGIC 0x59333054u
#define SK_QUEUES_MAGIC 0x56264026u
#define TCP_STREAM_MAGIC 0x51465506u
#define MNTS_MAGIC 0x55563928u

/* CRIU's fd_types used here (images/fdinfo.proto). */
#define FD_REG 1u
#define FD_PIPE 2u
#define FD_FIFO 3u
#define FD_MEMFD 18u

#define REMAP_GHOST 1u
/* Owners named in a source line; the rest are counted. */
#define SOURCE_MAX_OWNERS 8
#define MAX_NAME_SHOWN 4096
#define TAR_BLOCK (64u * 1024u)
/* Files of a saved tmpfs up to this size are read once while loading and
 * kept (at most TAR_INLINE_BUDGET bytes in all); larger ones are read
 * again from the tar when asked, which walks the tar to them: so at most
 * TAR_MAX_LAZY of those per tar, or a tar of many files would cost its
 * size times their number. */
#define TAR_INLINE_MAX (UINT64_C(1) << 20)
#define TAR_INLINE_BUDGET (UINT64_C(64) << 20)
#define TAR_MAX_LAZY 256

/* What objects need of one files.img entry. */
typedef struct {
  uint32_t type;
  const char *path;  /* REG: its name (model string) */
  uint32_t pipe_id;  /* PIPE, FIFO */
  uint32_t regf_id;  /* FIFO */
  uint64_t inode_id; /* MEMFD */
} FileBrief;

typedef struct {
  CkptCheckpoint *c;
  uint64_t inline_left; /* of TAR_INLINE_BUDGET */
  GHashTable *files;    /* uint32 file id -> FileBrief* (g_free) */
  GHashTable *owners;   /* uint32 file id -> GArray of CkptObjectOwner */
  /* file ids by what they share, so that no object walks every file:
   * (type << 32 | pipe_id) of pipes and FIFOs, memfd inode ids; uint64
   * keys, GArray of uint32 values */
  GHashTable *by_pipe, *by_inode;
  /* what was read already, so that a repeated entry adds nothing: ghost
   * orig and remap ids, memfd inodes and shmids, pipe ids (uint64 keys) */
  GHashTable *seen;
  GArray *objects; /* CkptObject */
} ObjLoad;

static void
obj_load_release(ObjLoad *l)
{
  g_clear_pointer(&l->files, g_hash_table_unref);
  g_clear_pointer(&l->owners, g_hash_table_unref);
  g_clear_pointer(&l->by_pipe, g_hash_table_unref);
  g_clear_pointer(&l->by_inode, g_hash_table_unref);
  g_clear_pointer(&l->seen, g_hash_table_unref);
  if (l->objects)
    g_array_unref(l->objects);
}

/* ---- the file table and its owners --------------------------------------- */

/* TRUE the first time (what, id) is asked about. */
static gboolean
first_time(ObjLoad *l, unsigned what, uint64_t id)
{
  uint64_t *k = g_new(uint64_t, 2);
  k[0] = what;
  k[1] = id;
  return g_hash_table_add(l->seen, k);
}

static guint
pair_hash(gconstpointer p)
{
  const uint64_t *k = p;
  return g_int64_hash(&k[0]) * 31u + g_int64_hash(&k[1]);
}

static gboolean
pair_equal(gconstpointer a, gconstpointer b)
{
  const uint64_t *x = a, *y = b;
  return x[0] == y[0] && x[1] == y[1];
}

static void
group_add(GHashTable *t, uint64_t key, uint32_t file_id)
{
  GArray *a = g_hash_table_lookup(t, &key);
  if (a == NULL) {
    uint64_t *k = g_new(uint64_t, 1);
    *k = key;
    a = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_hash_table_insert(t, k, a);
  }
  g_array_append_val(a, file_id);
}

static uint64_t
pipe_key(uint32_t type, uint32_t pipe_id)
{
  return (uint64_t)type << 32 | pipe_id;
}

static int
on_file(const ProtobufCMessage *m, size_t off, void *user, GError **error)
{
  ObjLoad *l = user;
  const FileEntry *e = (const FileEntry *)m;
  if (!e->has_id || g_hash_table_contains(l->files, GUINT_TO_POINTER(e->id)))
    return 1; /* files.c warned already */
  FileBrief *b = g_new0(FileBrief, 1);
  b->type = e->type;
  if (e->type == FD_REG && e->reg)
    b->path = ckpt_model_str(l->c, e->reg->name ? e->reg->name : "");
  else if (e->type == FD_PIPE && e->pipe) {
    b->pipe_id = e->pipe->pipe_id;
    group_add(l->by_pipe, pipe_key(FD_PIPE, b->pipe_id), e->id);
  } else if (e->type == FD_FIFO && e->fifo) {
    b->pipe_id = e->fifo->pipe_id;
    b->regf_id = e->fifo->regf_id;
    group_add(l->by_pipe, pipe_key(FD_FIFO, b->pipe_id), e->id);
  } else if (e->type == FD_MEMFD && e->memfd) {
    b->inode_id = e->memfd->inode_id;
    group_add(l->by_inode, b->inode_id, e->id);
  }
  g_hash_table_insert(l->files, GUINT_TO_POINTER(e->id), b);
  return 1;
}

static void
add_owner(ObjLoad *l, uint32_t file_id, uint32_t pid, int fd, const char *how)
{
  GArray *o = g_hash_table_lookup(l->owners, GUINT_TO_POINTER(file_id));
  if (o == NULL) {
    o = g_array_new(FALSE, FALSE, sizeof(CkptObjectOwner));
    g_hash_table_insert(l->owners, GUINT_TO_POINTER(file_id), o);
  }
  CkptObjectOwner w = {.pid = pid, .fd = fd, .how = how};
  g_array_append_val(o, w);
}

/* Every process's descriptors, executable and file mappings, by file id.
 * A process's fds are distinct (files.c drops repeats), so each
 * (pid, fd) comes once; a file mapped many times counts once. */
static void
collect_owners(ObjLoad *l)
{
  CkptCheckpoint *c = l->c;
  g_autoptr(GHashTable) mapped =
      g_hash_table_new(g_direct_hash, g_direct_equal);
  for (size_t i = 0; i < c->n_procs; i++) {
    const CkptProcess *p = &c->procs[i];
    for (size_t j = 0; j < p->n_fds; j++)
      add_owner(l, p->fds[j].file_id, p->info.pid, p->fds[j].fd, "fd");
    if (p->has_exe_file_id)
      add_owner(l, p->exe_file_id, p->info.pid, -1, "exe");
    g_hash_table_remove_all(mapped);
    for (size_t j = 0; j < p->n_vmas; j++) {
      uint32_t id = (uint32_t)p->vmas[j].shmid;
      if (p->vmas[j].info.kind == CKPT_VMA_FILE &&
          g_hash_table_add(mapped, GUINT_TO_POINTER(id)))
        add_owner(l, id, p->info.pid, -1, "mapped");
    }
  }
}

static void
append_owners(GArray *out, ObjLoad *l, uint32_t file_id)
{
  GArray *o = g_hash_table_lookup(l->owners, GUINT_TO_POINTER(file_id));
  if (o && o->len)
    g_array_append_vals(out, o->data, o->len);
}

static gint
cmp_owner(gconstpointer a, gconstpointer b)
{
  const CkptObjectOwner *x = a, *y = b;
  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  /* descriptors first, in fd order, then exe and mappings */
  if ((x->fd < 0) != (y->fd < 0))
    return x->fd < 0 ? 1 : -1;
  if (x->fd != y->fd)
    return x->fd < y->fd ? -1 : 1;
  return strcmp(x->how, y->how);
}

/* Sorted, each owner once. */
static void
owners_finish(GArray *out)
{
  g_array_sort(out, cmp_owner);
  guint kept = 0;
  for (guint i = 0; i < out->len; i++) {
    const CkptObjectOwner *w = &g_array_index(out, CkptObjectOwner, i);
    if (kept &&
        cmp_owner(&g_array_index(out, CkptObjectOwner, kept - 1), w) == 0)
      continue;
    g_array_index(out, CkptObjectOwner, kept++) = *w;
  }
  g_array_set_size(out, kept);
}

/* Owners of the file ids a group index holds under key. */
static GArray *
owners_of_group(ObjLoad *l, GHashTable *index, uint64_t key)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(CkptObjectOwner));
  GArray *ids = g_hash_table_lookup(index, &key);
  for (guint i = 0; ids && i < ids->len; i++)
    append_owners(out, l, g_array_index(ids, uint32_t, i));
  owners_finish(out);
  return out;
}

/* ---- making objects ------------------------------------------------------ */

/* Display text for an untrusted name: valid UTF-8, no control characters,
 * bounded. */
static const char *
safe_name(CkptCheckpoint *c, const char *raw, size_t len)
{
  g_autofree char *cut = g_strndup(raw, MIN(len, MAX_NAME_SHOWN));
  g_autofree char *valid = g_utf8_make_valid(cut, -1);
  for (char *p = valid; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return ckpt_model_str(c, valid);
}

static const char *
source_text(CkptCheckpoint *c, const CkptObjectInfo *o)
{
  g_autoptr(GString) s = g_string_new(o->kind_name);
  if (o->name && *o->name)
    g_string_append_printf(s, " %s", o->name);
  for (size_t i = 0; i < o->n_owners && i < SOURCE_MAX_OWNERS; i++) {
    const CkptObjectOwner *w = &o->owners[i];
    if (w->fd >= 0)
      g_string_append_printf(s, ", pid %u fd %d", w->pid, w->fd);
    else
      g_string_append_printf(s, ", pid %u %s", w->pid, w->how);
  }
  if (o->n_owners > SOURCE_MAX_OWNERS)
    g_string_append_printf(s, ", and %zu more holders",
                           o->n_owners - SOURCE_MAX_OWNERS);
  return ckpt_model_strn(c, s->str, s->len);
}

/* Appends an object; segs (CkptObjectSeg, sorted) and owners are copied
 * into the arena. */
static CkptObject *
add_object(ObjLoad *l, CkptObjectKind kind, const char *kind_name,
           const char *name, const char *image, uint64_t length, GArray *segs,
           GArray *owners)
{
  CkptCheckpoint *c = l->c;
  CkptObject o = {0};
  o.info.size = sizeof(o.info);
  o.info.kind = kind;
  o.info.kind_name = kind_name;
  o.info.name = name;
  o.info.image = ckpt_model_str(c, image);
  o.info.length = length;
  o.ckpt = c;
  if (segs && segs->len) {
    CkptObjectSeg *s = ckpt_model_alloc(c, segs->len, sizeof(CkptObjectSeg));
    memcpy(s, segs->data, segs->len * sizeof(CkptObjectSeg));
    o.segs = s;
    o.n_segs = segs->len;
    for (size_t i = 0; i < o.n_segs; i++)
      o.info.stored += s[i].len;
  }
  if (owners && owners->len) {
    CkptObjectOwner *w =
        ckpt_model_alloc(c, owners->len, sizeof(CkptObjectOwner));
    memcpy(w, owners->data, owners->len * sizeof(CkptObjectOwner));
    o.info.owners = w;
    o.info.n_owners = owners->len;
  }
  o.info.source = source_text(c, &o.info);
  g_array_append_val(l->objects, o);
  return &g_array_index(l->objects, CkptObject, l->objects->len - 1);
}

static void
seg_push(GArray *segs, uint64_t off, const uint8_t *data, size_t len)
{
  if (len == 0)
    return;
  CkptObjectSeg s = {.off = off, .data = data, .len = len};
  g_array_append_val(segs, s);
}

/* Opens an image; FALSE (warned) when it is there but broken. */
static gboolean
open_image(ObjLoad *l, CkptImageReader *r, const char *name, uint32_t magic,
           gboolean *present)
{
  g_autoptr(GError) err = NULL;
  if (!ckpt_model_open_image(l->c, r, name, magic, present, &err)) {
    ckpt_model_warn(l->c, "%s", err->message);
    return FALSE;
  }
  return TRUE;
}

/* ---- ghost files --------------------------------------------------------- */

/* Images of entries each followed by its payload (ghost-file chunks, pipe
 * and FIFO data): the next entry of r unpacked as desc, *off the offset of
 * its frame; the caller takes the payload (ckpt_image_take) and frees the
 * entry. NULL at the end, at a broken frame (error set, the caller says
 * it) or at an entry that does not unpack (warned here: the rest is
 * skipped). */
static ProtobufCMessage *
payload_entry_next(CkptCheckpoint *c, CkptImageReader *r, const char *img,
                   const ProtobufCMessageDescriptor *desc, size_t *off,
                   GError **error)
{
  const uint8_t *entry;
  size_t elen;
  if (ckpt_image_next(r, &entry, &elen, error) != 1)
    return NULL;
  *off = (size_t)(entry - r->base) - 4;
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, elen, entry);
  if (m == NULL)
    ckpt_model_warn(c,
                    "%s: entry at offset %zu is not a valid %s, rest skipped",
                    img, *off, desc->short_name);
  return m;
}

/* The content of ghost-file-N.img into segs: the bytes after the entry, or
 * chunk entries each followed by its bytes. *length is the file's size.
 * Returns FALSE (warned) when nothing usable is there. */
static gboolean
read_ghost(ObjLoad *l, const char *img, GArray *segs, uint64_t *length)
{
  CkptCheckpoint *c = l->c;
  CkptImageReader r;
  gboolean present;
  const uint8_t *entry, *bytes;
  size_t elen;
  g_autoptr(GError) err = NULL;

  if (!open_image(l, &r, img, GHOST_FILE_MAGIC, &present))
    return FALSE;
  if (!present) {
    ckpt_model_warn(c,
                    "%s: missing, the ghost file's content is not in the "
                    "checkpoint",
                    img);
    return FALSE;
  }
  if (ckpt_image_next(&r, &entry, &elen, &err) != 1) {
    /* the framing's messages name the image already */
    if (err)
      ckpt_model_warn(c, "%s", err->message);
    else
      ckpt_model_warn(c, "%s: no entry", img);
    return FALSE;
  }
  GhostFileEntry *g = ghost_file_entry__unpack(NULL, elen, entry);
  if (g == NULL) {
    ckpt_model_warn(c, "%s: entry at offset 8 is not a valid GhostFileEntry",
                    img);
    return FALSE;
  }
  gboolean chunks = g->has_chunks && g->chunks;
  gboolean has_size = g->has_size;
  uint64_t size = g->size;
  gboolean has_mode = g->has_mode;
  uint32_t mode = g->mode;
  ghost_file_entry__free_unpacked(g, NULL);
  if (has_mode && !S_ISREG(mode))
    return FALSE; /* directories, symlinks, devices: no content */

  if (!chunks) {
    size_t rest = (size_t)(r.end - r.p);
    if (has_size && size != rest)
      ckpt_model_warn(c,
                      "%s: the entry says %" G_GUINT64_FORMAT
                      " bytes, %zu follow it; read as %zu",
                      img, size, rest, rest);
    seg_push(segs, 0, r.p, rest);
    *length = rest;
    return TRUE;
  }
  uint64_t end = 0;
  ProtobufCMessage *m;
  size_t off;
  while ((m = payload_entry_next(c, &r, img, &ghost_chunk_entry__descriptor,
                                 &off, &err))) {
    uint64_t clen = ((GhostChunkEntry *)m)->len;
    uint64_t coff = ((GhostChunkEntry *)m)->off;
    protobuf_c_message_free_unpacked(m, NULL);
    if (coff < end || clen > G_MAXUINT64 - coff ||
        (has_size && coff + clen > size)) {
      ckpt_model_warn(c,
                      "%s: chunk at offset %zu (file offset %" G_GUINT64_FORMAT
                      ", %" G_GUINT64_FORMAT
                      " bytes) overlaps the previous one or passes the file's "
                      "size %" G_GUINT64_FORMAT ", rest skipped",
                      img, off, coff, clen, size);
      break;
    }
    if (!ckpt_image_take(&r, clen, &bytes, &err)) {
      ckpt_model_warn(c, "%s: chunk at offset %zu: %s, rest skipped", img, off,
                      err->message);
      g_clear_error(&err);
      break;
    }
    seg_push(segs, coff, bytes, (size_t)clen);
    end = coff + clen;
  }
  if (err)
    ckpt_model_warn(c, "%s, rest skipped", err->message);
  *length = has_size ? size : end;
  return TRUE;
}

static int
on_remap(const ProtobufCMessage *m, size_t off, void *user, GError **error)
{
  ObjLoad *l = user;
  const RemapFilePathEntry *e = (const RemapFilePathEntry *)m;
  if (!e->has_orig_id || e->remap_type != REMAP_GHOST)
    return 1;
  const FileBrief *b =
      g_hash_table_lookup(l->files, GUINT_TO_POINTER(e->orig_id));
  if (b == NULL || b->type != FD_REG)
    return 1; /* files.c warns about files an fd names and no image holds */
  if (!first_time(l, 1, e->orig_id) || !first_time(l, 2, e->remap_id))
    return 1;
  g_autofree char *img = g_strdup_printf("ghost-file-%u.img", e->remap_id);
  g_autoptr(GArray) segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
  uint64_t length = 0;
  if (!read_ghost(l, img, segs, &length))
    return 1;
  g_autoptr(GArray) owners = g_array_new(FALSE, FALSE, sizeof(CkptObjectOwner));
  append_owners(owners, l, e->orig_id);
  owners_finish(owners);
  g_autofree char *name = g_strconcat(b->path, " (deleted)", NULL);
  add_object(l, CKPT_OBJ_GHOST_FILE, "ghost file",
             safe_name(l->c, name, strlen(name)), img, length, segs, owners);
  return 1;
}

static void
load_ghosts(ObjLoad *l)
{
  g_autoptr(GError) err = NULL;
  if (!ckpt_model_walk_image(l->c, "remap-fpath.img", REMAP_FPATH_MAGIC,
                             &remap_file_path_entry__descriptor, on_remap, l,
                             &err))
    ckpt_model_warn(l->c, "%s", err->message);
}

/* ---- memfds -------------------------------------------------------------- */

static int
on_memfd_inode(const ProtobufCMessage *m, size_t off, void *user,
               GError **error)
{
  ObjLoad *l = user;
  CkptCheckpoint *c = l->c;
  const MemfdInodeEntry *e = (const MemfdInodeEntry *)m;
  if (!e->has_inode_id)
    return 1;
  uint64_t ino = e->inode_id;
  if (!first_time(l, 3, ino) || (e->has_shmid && !first_time(l, 4, e->shmid)))
    return 1;
  g_autoptr(GArray) owners = owners_of_group(l, l->by_inode, ino);
  /* Only mapped (CRIU 4 writes shared anonymous memory as a memfd
   * "/dev/zero"): the memory search sees it in every mapping already. */
  gboolean by_fd = FALSE;
  for (guint i = 0; i < owners->len && !by_fd; i++)
    by_fd = g_array_index(owners, CkptObjectOwner, i).fd >= 0;
  if (!by_fd)
    return 1;
  g_autoptr(GArray) segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
  g_autofree char *img = NULL;
  if (e->has_shmid) {
    img = g_strdup_printf("pagemap-shmem-%u.img", e->shmid);
    g_autoptr(GArray) runs = g_array_new(FALSE, FALSE, sizeof(CkptPageRun));
    g_autoptr(GError) err = NULL;
    uint32_t pages_id = 0;
    gboolean present = FALSE;
    if (!ckpt_model_read_pagemap(c, img, &pages_id, runs, &present, &err)) {
      ckpt_model_warn(c, "memfd %s: %s", e->name ? e->name : "?", err->message);
      return 1;
    }
    /* pages past the inode's size are not the file's */
    for (guint i = 0; i < runs->len; i++) {
      const CkptPageRun *run = &g_array_index(runs, CkptPageRun, i);
      if (run->data == NULL || run->vaddr >= e->size)
        continue;
      uint64_t n = MIN(run->nr_pages * CKPT_PAGE_SIZE, e->size - run->vaddr);
      seg_push(segs, run->vaddr, run->data, (size_t)n);
    }
  }
  const char *name = e->name ? safe_name(c, e->name, strlen(e->name)) : NULL;
  add_object(l, CKPT_OBJ_MEMFD, "memfd", name, img ? img : "memfd.img", e->size,
             segs, owners);
  return 1;
}

static void
load_memfds(ObjLoad *l)
{
  g_autoptr(GError) err = NULL;
  if (!ckpt_model_walk_image(l->c, "memfd.img", MEMFD_INODE_MAGIC,
                             &memfd_inode_entry__descriptor, on_memfd_inode, l,
                             &err))
    ckpt_model_warn(l->c, "%s", err->message);
}

/* ---- pipe and FIFO buffers ----------------------------------------------- */

/* A FIFO's path: the regular file entry its descriptors name. */
static const char *
fifo_path(ObjLoad *l, uint32_t pipe_id)
{
  uint64_t key = pipe_key(FD_FIFO, pipe_id);
  GArray *ids = g_hash_table_lookup(l->by_pipe, &key);
  for (guint i = 0; ids && i < ids->len; i++) {
    const FileBrief *b = g_hash_table_lookup(
        l->files, GUINT_TO_POINTER(g_array_index(ids, uint32_t, i)));
    if (b == NULL)
      continue;
    const FileBrief *reg =
        g_hash_table_lookup(l->files, GUINT_TO_POINTER(b->regf_id));
    if (reg && reg->type == FD_REG && reg->path)
      return reg->path;
  }
  return NULL;
}

/* pipes-data.img / fifo-data.img: an entry, then its bytes. */
static void
load_pipe_data(ObjLoad *l, const char *img, uint32_t magic, gboolean fifo)
{
  CkptCheckpoint *c = l->c;
  CkptImageReader r;
  gboolean present;
  const uint8_t *bytes;
  g_autoptr(GError) err = NULL;
  ProtobufCMessage *m;
  size_t off;

  if (!open_image(l, &r, img, magic, &present) || !present)
    return;
  while ((m = payload_entry_next(c, &r, img, &pipe_data_entry__descriptor, &off,
                                 &err))) {
    uint32_t id = ((PipeDataEntry *)m)->pipe_id;
    uint32_t n = ((PipeDataEntry *)m)->bytes;
    protobuf_c_message_free_unpacked(m, NULL);
    if (!ckpt_image_take(&r, n, &bytes, &err)) {
      ckpt_model_warn(c, "%s (pipe %u), rest skipped", err->message, id);
      return;
    }
    if (n == 0 || !first_time(l, fifo ? 6 : 5, id))
      continue;
    g_autoptr(GArray) owners =
        owners_of_group(l, l->by_pipe, pipe_key(fifo ? FD_FIFO : FD_PIPE, id));
    g_autoptr(GArray) segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
    seg_push(segs, 0, bytes, n);
    const char *name = NULL;
    if (fifo) {
      const char *p = fifo_path(l, id);
      name = p ? safe_name(c, p, strlen(p)) : NULL;
    }
    if (name == NULL) {
      g_autofree char *s =
          g_strdup_printf("%s:[%u]", fifo ? "fifo" : "pipe", id);
      name = ckpt_model_str(c, s);
    }
    add_object(l, fifo ? CKPT_OBJ_FIFO : CKPT_OBJ_PIPE,
               fifo ? "fifo buffer" : "pipe buffer", name, img, n, segs,
               owners);
  }
  if (err)
    ckpt_model_warn(c, "%s", err->message);
}

/* ---- socket queues ------------------------------------------------------- */

static GArray *
socket_owners(ObjLoad *l, uint32_t file_id)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(CkptObjectOwner));
  append_owners(out, l, file_id);
  owners_finish(out);
  return out;
}

typedef struct {
  uint32_t id;
  GArray *segs;
  uint64_t len;
} Queue;

static void
queue_free(gpointer p)
{
  Queue *q = p;
  g_array_unref(q->segs);
  g_free(q);
}

/* sk-queues.img: one SkPacketEntry per queued packet, its payload after
 * it; a socket's packets are its queue, in order. files.c has warned
 * about a broken image already, so this one stops quietly there. */
static void
load_sk_queues(ObjLoad *l)
{
  CkptCheckpoint *c = l->c;
  const char *img = "sk-queues.img";
  CkptImageReader r;
  gboolean present;
  const uint8_t *entry, *bytes;
  size_t elen;
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) queues = g_ptr_array_new_with_free_func(queue_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new(g_direct_hash, g_direct_equal);

  if (!ckpt_model_open_image(c, &r, img, SK_QUEUES_MAGIC, &present, &err) ||
      !present)
    return;
  while (ckpt_image_next(&r, &entry, &elen, &err) == 1) {
    SkPacketEntry *e = sk_packet_entry__unpack(NULL, elen, entry);
    if (e == NULL)
      break;
    uint32_t id = e->id_for, n = e->length;
    sk_packet_entry__free_unpacked(e, NULL);
    if (!ckpt_image_take(&r, n, &bytes, &err))
      break;
    Queue *q = g_hash_table_lookup(by_id, GUINT_TO_POINTER(id));
    if (q == NULL) {
      q = g_new0(Queue, 1);
      q->id = id;
      q->segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
      g_ptr_array_add(queues, q);
      g_hash_table_insert(by_id, GUINT_TO_POINTER(id), q);
    }
    seg_push(q->segs, q->len, bytes, n);
    q->len += n;
  }
  g_autoptr(GHashTable) sockets =
      g_hash_table_new(g_direct_hash, g_direct_equal);
  for (size_t i = 0; i < c->n_sockets; i++)
    g_hash_table_insert(sockets, GUINT_TO_POINTER(c->sockets[i].id),
                        &c->sockets[i]);
  for (guint i = 0; i < queues->len; i++) {
    Queue *q = queues->pdata[i];
    const CkptSocketInfo *sk =
        g_hash_table_lookup(sockets, GUINT_TO_POINTER(q->id));
    if (sk == NULL || q->len == 0)
      continue; /* files.c warned: queued to what is not a socket */
    gboolean unix_sk = sk->kind == CKPT_SK_UNIX;
    const char *name = sk->unix_name;
    if (name == NULL) {
      g_autofree char *s = g_strdup_printf("socket:[%u]", sk->inode);
      name = ckpt_model_str(c, s);
    }
    g_autoptr(GArray) owners = socket_owners(l, sk->id);
    add_object(l, CKPT_OBJ_SOCKET_QUEUE,
               unix_sk ? "unix socket queue" : "socket queue", name, img,
               q->len, q->segs, owners);
  }
}

static void
append_endpoint(GString *s, const CkptSocketInfo *sk, const char *addr,
                uint32_t port)
{
  if (sk->family == AF_INET6)
    g_string_append_printf(s, "[%s]:%u", addr ? addr : "?", port);
  else
    g_string_append_printf(s, "%s:%u", addr ? addr : "?", port);
}

/* tcp-stream-<ino>.img: an entry, then inq_len bytes received and outq_len
 * bytes to send. Only sockets whose queues files.c found whole. */
static void
load_tcp_queues(ObjLoad *l)
{
  CkptCheckpoint *c = l->c;
  for (size_t i = 0; i < c->n_sockets; i++) {
    const CkptSocketInfo *sk = &c->sockets[i];
    if (sk->kind != CKPT_SK_INET || sk->protocol != IPPROTO_TCP ||
        !sk->has_queues || (sk->inq_len == 0 && sk->outq_len == 0))
      continue;
    g_autofree char *img = g_strdup_printf("tcp-stream-%x.img", sk->inode);
    CkptImageReader r;
    gboolean present;
    const uint8_t *entry, *inq, *outq;
    size_t elen;
    g_autoptr(GError) err = NULL;
    if (!ckpt_model_open_image(c, &r, img, TCP_STREAM_MAGIC, &present, &err) ||
        !present || ckpt_image_next(&r, &entry, &elen, &err) != 1 ||
        !ckpt_image_take(&r, sk->inq_len, &inq, &err) ||
        !ckpt_image_take(&r, sk->outq_len, &outq, &err))
      continue; /* files.c checked these very lengths */
    g_autoptr(GArray) owners = socket_owners(l, sk->id);
    for (int dir = 0; dir < 2; dir++) {
      uint64_t n = dir == 0 ? sk->inq_len : sk->outq_len;
      if (n == 0)
        continue;
      g_autoptr(GString) name = g_string_new(NULL);
      append_endpoint(name, sk, sk->src_addr, sk->src_port);
      g_string_append(name, " -> ");
      append_endpoint(name, sk, sk->dst_addr, sk->dst_port);
      g_string_append(name, dir == 0 ? " (recv)" : " (send)");
      g_autoptr(GArray) segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
      seg_push(segs, 0, dir == 0 ? inq : outq, (size_t)n);
      add_object(l, dir == 0 ? CKPT_OBJ_TCP_RECV : CKPT_OBJ_TCP_SEND,
                 "tcp queue", ckpt_model_strn(c, name->str, name->len), img, n,
                 segs, owners);
    }
  }
}

/* ---- saved tmpfs files --------------------------------------------------- */

typedef struct {
  CkptCheckpoint *c;
  const char *image; /* for messages */
  struct archive *a;
  size_t compressed_len;
  uint64_t n_entries;
} TarWalk;

static gboolean
tar_open(TarWalk *w, CkptCheckpoint *c, const char *name, gboolean meta)
{
  const uint8_t *data;
  size_t len;
  memset(w, 0, sizeof(*w));
  w->c = c;
  w->image = name;
  if (!(meta ? ckpt_imageset_meta(c->images, name, &data, &len)
             : ckpt_imageset_image(c->images, name, &data, &len)) ||
      len == 0)
    return FALSE;
  w->compressed_len = len;
  w->a = archive_read_new();
  archive_read_support_format_tar(w->a);
  archive_read_support_format_gnutar(w->a);
  archive_read_support_filter_gzip(w->a);
  archive_read_support_filter_zstd(w->a);
  if (archive_read_open_memory(w->a, data, len) != ARCHIVE_OK) {
    ckpt_model_warn(c, "%s: cannot open as a tar: %s", name,
                    archive_error_string(w->a));
    archive_read_free(w->a);
    w->a = NULL;
    return FALSE;
  }
  return TRUE;
}

static void
tar_close(TarWalk *w)
{
  if (w->a)
    archive_read_free(w->a);
  w->a = NULL;
}

/* The next header, within the limits: a bomb inside a checkpoint costs no
 * more than one outside. quiet: a reader going over bytes the loader
 * already judged. */
static struct archive_entry *
tar_next(TarWalk *w, gboolean quiet)
{
  const CkptLimits *lim = &w->c->limits;
  struct archive_entry *e = NULL;
  int rc = archive_read_next_header(w->a, &e);
  if (rc == ARCHIVE_EOF)
    return NULL;
  if (rc < ARCHIVE_WARN) {
    if (!quiet)
      ckpt_model_warn(w->c, "%s: %s, rest skipped", w->image,
                      archive_error_string(w->a));
    return NULL;
  }
  int64_t out = archive_filter_bytes(w->a, 0);
  uint64_t done = out > 0 ? (uint64_t)out : 0;
  la_int64_t sz = archive_entry_size(e);
  uint64_t size = sz > 0 ? (uint64_t)sz : 0;
  uint64_t in = w->compressed_len ? w->compressed_len : 1;
  gboolean compressed = archive_filter_count(w->a) > 1;
  if (++w->n_entries > lim->max_members || size > lim->max_member_size ||
      size > lim->max_total_size - MIN(done, lim->max_total_size) ||
      (compressed && done + size > (UINT64_C(1) << 20) &&
       (done + size) / in >= lim->max_ratio)) {
    if (!quiet)
      ckpt_model_warn(w->c,
                      "%s: entry %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                      " bytes after %" G_GUINT64_FORMAT
                      " decompressed goes past the max-members, "
                      "max-member-size, max-total-size or max-ratio limit, "
                      "rest skipped",
                      w->image, w->n_entries, size, done);
    return NULL;
  }
  return e;
}

static void
load_tar_files(ObjLoad *l, const char *image, gboolean meta,
               const char *mountpoint)
{
  TarWalk w;
  if (!tar_open(&w, l->c, image, meta))
    return;
  struct archive_entry *e;
  unsigned n_lazy = 0;
  for (uint64_t index = 0; (e = tar_next(&w, FALSE)) != NULL; index++) {
    const char *raw = archive_entry_pathname(e);
    if (raw == NULL || archive_entry_filetype(e) != AE_IFREG ||
        archive_entry_hardlink(e) != NULL)
      continue;
    la_int64_t sz = archive_entry_size(e);
    while (raw[0] == '.' && raw[1] == '/')
      raw += 2;
    while (raw[0] == '/')
      raw++;
    g_autofree char *path = g_strconcat(
        mountpoint, g_str_has_suffix(mountpoint, "/") ? "" : "/", raw, NULL);
    uint64_t size = sz > 0 ? (uint64_t)sz : 0;
    const char *name = safe_name(l->c, path, strlen(path));
    if (size <= TAR_INLINE_MAX && size <= l->inline_left) {
      uint8_t *data = ckpt_model_alloc(l->c, MAX(size, 1), 1);
      size_t got = 0;
      while (got < size) {
        la_ssize_t r = archive_read_data(w.a, data + got, (size_t)size - got);
        if (r <= 0)
          break;
        got += (size_t)r;
      }
      if (got < size) {
        ckpt_model_warn(l->c,
                        "%s: %s ends after %zu of %" G_GUINT64_FORMAT
                        " bytes, rest skipped",
                        image, name, got, size);
        break;
      }
      l->inline_left -= size;
      g_autoptr(GArray) segs = g_array_new(FALSE, FALSE, sizeof(CkptObjectSeg));
      seg_push(segs, 0, data, got);
      add_object(l, CKPT_OBJ_TMPFS_FILE, "tmpfs file", name, image, size, segs,
                 NULL);
      continue;
    }
    if (++n_lazy > TAR_MAX_LAZY) {
      ckpt_model_warn(l->c,
                      "%s: more than %u files too large to keep, the rest "
                      "are not read",
                      image, TAR_MAX_LAZY);
      break;
    }
    CkptObject *o = add_object(l, CKPT_OBJ_TMPFS_FILE, "tmpfs file", name,
                               image, size, NULL, NULL);
    o->tar_name = o->info.image;
    o->tar_is_meta = meta;
    o->tar_index = index;
    o->info.stored = o->info.length;
  }
  tar_close(&w);
}

/* tmpfs-dev-N.tar.gz.img is named by the tmpfs's device (the kernel's
 * dev_t, as MntEntry.root_dev holds it), not by a mount id: its mount
 * point is that of a mount of the device, the one of its root when there
 * are bind mounts of parts of it. ns.c keeps no root_dev, so the mount
 * image is walked again. */
typedef struct {
  uint32_t dev;
  char *mountpoint;
  gboolean whole; /* a mount of the file system's root */
} DevMount;

static int
on_mount(const ProtobufCMessage *m, size_t off, void *user, GError **error)
{
  DevMount *d = user;
  const MntEntry *e = (const MntEntry *)m;
  if (!e->has_root_dev || e->root_dev != d->dev || e->mountpoint == NULL)
    return 1;
  gboolean whole = g_strcmp0(e->root, "/") == 0;
  if (d->mountpoint == NULL || (whole && !d->whole)) {
    g_free(d->mountpoint);
    d->mountpoint = g_strdup(e->mountpoint);
    d->whole = whole;
  }
  return 1;
}

static char *
dev_mountpoint(CkptCheckpoint *c, uint32_t dev)
{
  DevMount d = {.dev = dev};
  g_autofree char *img = g_strdup_printf("mountpoints-%u.img", c->ns.mnt_ns);
  CkptImageReader r;
  gboolean present = FALSE;
  if (c->ns.mnt_ns &&
      ckpt_model_open_image(c, &r, img, MNTS_MAGIC, &present, NULL) && present)
    (void)ckpt_image_walk(&r, &mnt_entry__descriptor, on_mount, &d, NULL);
  if (d.mountpoint && *d.mountpoint)
    return d.mountpoint;
  g_free(d.mountpoint);
  return g_strdup_printf("tmpfs:[dev %u:%u]", dev >> 20, dev & 0xfffff);
}

static void
load_tmpfs(ObjLoad *l)
{
  CkptCheckpoint *c = l->c;
  const char *const *names = ckpt_imageset_image_names(c->images);
  for (size_t i = 0; names && names[i]; i++) {
    unsigned dev = 0;
    char tail[2];
    if (sscanf(names[i], "tmpfs-dev-%u.tar.gz.im%1[g]", &dev, tail) != 2 ||
        !g_str_has_suffix(names[i], ".tar.gz.img"))
      continue;
    g_autofree char *mp = dev_mountpoint(c, dev);
    load_tar_files(l, names[i], FALSE, mp);
  }
  /* Podman's copy of the container's /dev/shm */
  load_tar_files(l, "devshm-checkpoint.tar", TRUE, "/dev/shm");
}

/* ---- the stage ----------------------------------------------------------- */

gboolean
ckpt_objects_load(CkptCheckpoint *c, GError **error)
{
  ObjLoad l = {.c = c, .inline_left = TAR_INLINE_BUDGET};
  l.files = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  l.owners = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                   (GDestroyNotify)g_array_unref);
  l.by_pipe = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify)g_array_unref);
  l.by_inode = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify)g_array_unref);
  l.seen = g_hash_table_new_full(pair_hash, pair_equal, g_free, NULL);
  l.objects = g_array_new(FALSE, TRUE, sizeof(CkptObject));

  /* files.c failed the load already if files.img is broken */
  CkptImageReader r;
  gboolean present = FALSE;
  if (ckpt_model_open_image(c, &r, "files.img", FILES_MAGIC, &present, NULL) &&
      present)
    (void)ckpt_image_walk(&r, &file_entry__descriptor, on_file, &l, NULL);
  collect_owners(&l);

  load_ghosts(&l);
  load_memfds(&l);
  load_pipe_data(&l, "pipes-data.img", PIPES_DATA_MAGIC, FALSE);
  load_pipe_data(&l, "fifo-data.img", FIFO_DATA_MAGIC, TRUE);
  load_sk_queues(&l);
  load_tcp_queues(&l);
  load_tmpfs(&l);

  c->n_objects = l.objects->len;
  c->objects = ckpt_model_alloc(c, MAX(l.objects->len, 1), sizeof(CkptObject));
  if (l.objects->len)
    memcpy(c->objects, l.objects->data, l.objects->len * sizeof(CkptObject));
  obj_load_release(&l);
  (void)error;
  return TRUE;
}

/* ---- reading ------------------------------------------------------------- */

struct CkptObjectIter {
  const CkptObject *o;
  size_t next_seg;
  TarWalk tar; /* tar-held objects */
  gboolean tar_started;
  uint64_t tar_off;
  uint8_t *buf;
};

CkptObjectIter *
ckpt_object_iter_new(const CkptObject *o)
{
  g_return_val_if_fail(o != NULL, NULL);
  CkptObjectIter *it = g_new0(CkptObjectIter, 1);
  it->o = o;
  return it;
}

/* Walks the tar again to the object's member; FALSE when it is not there
 * as the loader saw it. */
static gboolean
tar_seek(CkptObjectIter *it)
{
  const CkptObject *o = it->o;
  if (!tar_open(&it->tar, o->ckpt, o->tar_name, o->tar_is_meta))
    return FALSE;
  for (uint64_t i = 0;; i++) {
    struct archive_entry *e = tar_next(&it->tar, TRUE);
    if (e == NULL)
      return FALSE;
    if (i == o->tar_index)
      return archive_entry_filetype(e) == AE_IFREG;
  }
}

int
ckpt_object_iter_next(CkptObjectIter *it, CkptObjectBlock *block)
{
  if (it == NULL || block == NULL)
    return 0;
  const CkptObject *o = it->o;
  if (o->tar_name == NULL) {
    if (it->next_seg >= o->n_segs)
      return 0;
    const CkptObjectSeg *s = &o->segs[it->next_seg++];
    block->offset = s->off;
    block->data = s->data;
    block->len = s->len;
    return 1;
  }
  if (!it->tar_started) {
    it->tar_started = TRUE;
    if (!tar_seek(it)) {
      tar_close(&it->tar);
      return 0;
    }
    it->buf = g_malloc(TAR_BLOCK);
  }
  if (it->tar.a == NULL || it->tar_off >= o->info.length)
    return 0;
  size_t want = (size_t)MIN((uint64_t)TAR_BLOCK, o->info.length - it->tar_off);
  la_ssize_t n = archive_read_data(it->tar.a, it->buf, want);
  if (n <= 0) {
    tar_close(&it->tar);
    return 0;
  }
  block->offset = it->tar_off;
  block->data = it->buf;
  block->len = (size_t)n;
  it->tar_off += (uint64_t)n;
  return 1;
}

void
ckpt_object_iter_free(CkptObjectIter *it)
{
  if (it == NULL)
    return;
  tar_close(&it->tar);
  g_free(it->buf);
  g_free(it);
}

size_t
ckpt_object_read(const CkptObject *o, uint64_t offset, void *buf, size_t len)
{
  g_return_val_if_fail(o != NULL, 0);
  if (offset >= o->info.length || len == 0)
    return 0;
  size_t n = (size_t)MIN((uint64_t)len, o->info.length - offset);
  memset(buf, 0, n); /* holes read as zeros */
  uint64_t lo = offset, hi = offset + n;
  if (o->tar_name == NULL) {
    for (size_t i = 0; i < o->n_segs; i++) {
      const CkptObjectSeg *s = &o->segs[i];
      uint64_t a = MAX(lo, s->off), b = MIN(hi, s->off + s->len);
      if (a < b)
        memcpy((uint8_t *)buf + (a - lo), s->data + (a - s->off), b - a);
    }
    return n;
  }
  CkptObjectIter *it = ckpt_object_iter_new(o);
  CkptObjectBlock b = {.size = sizeof b};
  while (ckpt_object_iter_next(it, &b) && b.offset < hi) {
    uint64_t a = MAX(lo, b.offset), e = MIN(hi, b.offset + b.len);
    if (a < e)
      memcpy((uint8_t *)buf + (a - lo), b.data + (a - b.offset), e - a);
  }
  ckpt_object_iter_free(it);
  return n;
}

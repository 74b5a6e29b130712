/* detectors.h - the detectors of the detect plugin, as functions over the
 * SDK's plain views, so that unit tests can feed them crafted data.
 *
 * Each detector looks at one thing (a process and its descriptors, a
 * process's memory, a file of the rootfs diff, the container's posture, a
 * socket) and reports what it finds through a DetSink. Ids, severities and
 * ATT&CK techniques are part of ckpt's interface (docs/findings.md). */
#ifndef CKPT_DETECT_H
#define CKPT_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "ckpt/plugin.h"

typedef struct {
  /* receives each finding; strings are copied by the callee */
  void (*emit)(void *ctx, const CkptFinding *f);
  void *ctx;
} DetSink;

/* One process as the detectors see it. */
typedef struct {
  const CkptProcessInfo *info;
  const CkptFdInfo *const *fds;
  size_t n_fds;
  const CkptVmaInfo *const *vmas;
  size_t n_vmas;
} DetProcess;

/* a process and its descriptors: reverse-shell, deleted-exe, memfd-exe,
 * exe-in-tmp, name-spoofing, ld-preload, miner */
void det_process(const DetProcess *p, const DetSink *out);

/* The dumped memory of a process, one block at a time, in address order;
 * the block's VMA is p's. anon-exec is judged from the VMAs alone;
 * elf-in-anon and patched-code from the blocks. */
typedef struct DetMemState DetMemState;
DetMemState *det_memory_begin(const DetProcess *p, const DetSink *out);
void det_memory_block(DetMemState *st, const CkptMemBlock *b);
void det_memory_end(DetMemState *st);

/* patched-code compared with the file: after det_memory_defer_patches()
 * the state hands each changed file mapping to patches (a GPtrArray the
 * caller frees with det_patch_free) instead of reporting it. The caller
 * then judges each against the file's bytes when the rootfs diff holds
 * the file (det_patch_judge, reading the dumped bytes back through read
 * with read_ctx), and reports the rest uncompared (det_patch_emit with
 * differ -1). */
typedef size_t (*DetRead)(void *ctx, uint64_t addr, void *buf, size_t len);
typedef struct {
  uint32_t pid;
  const CkptVmaInfo *vma;
  uint64_t first, bytes; /* the first dumped byte, how many */
  GArray *ranges;        /* uint64_t pairs [start, end) */
  void *read_ctx;
} DetPatch;
void det_memory_defer_patches(DetMemState *st, GPtrArray *patches,
                              void *read_ctx);
void det_patch_judge(const DetPatch *pt, const uint8_t *file, size_t len,
                     uint64_t full_size, DetRead read, const DetSink *out);
void det_patch_emit(const DetPatch *pt, int64_t differ, uint64_t first,
                    const DetSink *out);
void det_patch_free(DetPatch *pt);

/* shell-history: bash history entries in a bash process's heap, in two
 * passes over the heap's dumped blocks: det_bash_stamps() with every
 * block, then (when det_bash_has_stamps()) det_bash_entries() with every
 * block again; det_bash_end() emits the entries in history order. The
 * detector reads command lines back through read(). det_bash_history()
 * is both passes over one block. */
int det_is_bash(const CkptProcessInfo *info);
typedef struct DetBashState DetBashState;
DetBashState *det_bash_begin(const DetProcess *p);
void det_bash_stamps(DetBashState *st, const CkptMemBlock *heap);
int det_bash_has_stamps(const DetBashState *st);
void det_bash_entries(DetBashState *st, const CkptMemBlock *heap, DetRead read,
                      void *read_ctx);
void det_bash_end(DetBashState *st, const DetSink *out);
void det_bash_history(const DetProcess *p, const CkptMemBlock *heap,
                      DetRead read, void *read_ctx, const DetSink *out);

/* a file of the rootfs diff: ld-so-preload, uid0-account,
 * authorized-keys, cron-change, system-binary-changed */
void det_rootfs_file(const char *path, const uint8_t *data, size_t len,
                     uint64_t full_size, const DetSink *out);
/* system-binary-changed is reported for the first few files, then once
 * more with the count of the rest (det_rootfs_end) */
#define DET_MAX_SYSTEM_FILES 20
typedef struct {
  unsigned system_files;
} DetRootfsState;
void det_rootfs_file_st(DetRootfsState *st, const char *path,
                        const uint8_t *data, size_t len, uint64_t full_size,
                        const DetSink *out);
void det_rootfs_end(DetRootfsState *st, const DetSink *out);
/* a member of the rootfs diff with its mode (the "all" walk, ABI 3.1):
 * setuid-file; data/len are its first bytes (regular files) */
void det_rootfs_entry(const CkptDiffEntryInfo *e, const uint8_t *data,
                      size_t len, const DetSink *out);

/* the container against its spec: privileged, added-capabilities,
 * seccomp-disabled, no-new-privs-off, runs-as-root, sensitive-mount,
 * host-namespace */
void det_posture_process(const CkptProcessInfo *info, const DetSink *out);
void det_posture_mount(const CkptSpecMount *m, const DetSink *out);
/* host-namespace, from the spec's linux.namespaces (ABI 3.5) */
void det_posture_namespaces(const CkptContainerInfo *ci, const DetSink *out);

/* network: unexpected-listener, outbound-connection, raw-socket.
 * declared: ports the container declares (0-ended), or NULL when none are
 * known; listening: the ports its sockets listen on (0-ended), which tell
 * an accepted connection from one the container opened */
void det_socket(const CkptSocketInfo *s, const uint32_t *declared,
                const uint32_t *listening, const DetSink *out);

/* loopback, private, CGNAT/cluster, link-local and unique-local
 * addresses (and text that is no address): not the internet */
int det_address_internal(const char *addr);

/* helpers shared by the detector files */
const char *det_basename(const char *path);
void det_emit(const DetSink *out, const char *id, CkptSeverity sev,
              const char *title, uint32_t pid, int fd, uint64_t addr,
              const char *path, const char *evidence, const char *attack,
              const char *why, const char *more);

#endif

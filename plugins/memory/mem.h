/* mem.h - internals of the memory plugin, shared by its files and by its
 * unit test (tests/unit/test-memsearch.c). Everything here works on SDK
 * types only (CkptMemBlock, CkptVmaInfo, CkptApi), never on core/ headers.
 *
 *  filter.c   --vma / --prot / --range: which VMAs and bytes take part
 *  search.c   literal, hex and regex patterns; a streaming scanner that
 *             finds matches across block seams
 *  hexdump.c  16-byte rows, repeated-row folding, the --output writer
 *  elfcore.c  a process as an ELF core file for gdb
 *  memory.c   the plugin: options, tables, the modes of a run
 */
#ifndef CKPT_MEMORY_MEM_H
#define CKPT_MEMORY_MEM_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "ckpt/plugin.h"

#define MEM_ERROR (g_quark_from_static_string("ckpt-memory-error"))

/* ---- filter.c ---------------------------------------------------------- */
typedef struct {
  uint32_t kinds;     /* bit (1 << CkptVmaKind); 0: every kind */
  uint32_t prot_want; /* PROT_* bits that must be set */
  uint32_t prot_deny; /* PROT_* bits that must be clear */
  gboolean has_range;
  uint64_t lo, hi; /* [lo, hi) */
} MemFilter;

/* Parses the three filter options; each may be NULL or empty. */
gboolean mem_filter_parse(MemFilter *f, const char *vma, const char *prot,
                          const char *range, GError **error);
/* kind: the VMA's kind as shown (mem_vma_kind), which the filter tests */
gboolean mem_filter_vma(const MemFilter *f, const CkptVmaInfo *v,
                        CkptVmaKind kind);
/* Narrows a block to the filter's range; FALSE when nothing is left or the
 * block's VMA (of the given kind) is filtered out. */
gboolean mem_filter_block(const MemFilter *f, CkptMemBlock *b,
                          CkptVmaKind kind);
/* The kind of v as shown: the model's, except that an anonymous mapping
 * holding a thread's stack pointer is a stack (a thread's stack is plain
 * anonymous memory to the kernel). api needs thread_count and thread_at. */
CkptVmaKind mem_vma_kind(const CkptApi *api, const CkptProcess *p,
                         const CkptVmaInfo *v);
/* The label shown for v of that kind. */
const char *mem_vma_label(const CkptVmaInfo *v, CkptVmaKind kind);

/* ---- search.c ---------------------------------------------------------- */
typedef struct MemPattern MemPattern;

MemPattern *mem_pattern_literal(const void *bytes, size_t len, GError **error);
/* "de ad be ef", "deadbeef", "de:ad", "\xde\xad" forms; ?? is not
 * supported: hex patterns are literal bytes. */
MemPattern *mem_pattern_hex(const char *text, GError **error);
MemPattern *mem_pattern_regex(const char *re, GError **error);
void mem_pattern_free(MemPattern *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MemPattern, mem_pattern_free)
/* The pattern's bytes for literal patterns (len set), NULL for regex. */
const uint8_t *mem_pattern_bytes(const MemPattern *p, size_t *len);

/* Called once per match, in address order within a process. Returns FALSE
 * to stop the scan (e.g. a hit limit was reached). */
typedef gboolean (*MemHitFunc)(uint64_t addr, size_t len,
                               const CkptVmaInfo *vma, void *user);

typedef struct MemScanner MemScanner;

MemScanner *mem_scanner_new(const MemPattern *p, MemHitFunc fn, void *user);
/* Feeds the next block of one process, in address order. The block's data
 * need not outlive the call. */
void mem_scanner_feed(MemScanner *s, const CkptMemBlock *b);
/* Like mem_scanner_feed, but steps over the block's zero pages
 * (api->mem_data_next) where no match can lie: each non-zero stretch goes
 * in widened by the pattern's reach, so a match straddling the edge of a
 * zero run is still found, at its true address. A pattern that matches
 * zeros alone gets the whole block. */
void mem_scanner_feed_sparse(MemScanner *s, const CkptApi *api,
                             const CkptProcess *p, const CkptMemBlock *b);
/* Ends one process: reports a match held back at the last block's end and
 * forgets the seam, so the scanner can take the next process. */
void mem_scanner_end(MemScanner *s);
/* Scans each big block (MEM_PAR_MIN starts a thread at least) on up to
 * threads threads (1: the calling thread only, the default), split into
 * chunks that overlap by what a match may reach (literal: its length - 1;
 * regex: the whole block is every chunk's subject), so the hits, their
 * order and the callback's thread are those of one thread. cap: the
 * callback returns FALSE by its cap-th call at the latest (0: unknown);
 * a chunk keeps no more hits than that, nor than MEM_CHUNK_HITS_MAX
 * (then the calling thread scans the rest of the chunk itself):
 * bounded memory whatever the hits. */
#define MEM_CHUNK_HITS_MAX ((size_t)1 << 16)
#define MEM_MAX_THREADS 64
/* A block is cut into chunks only when each gets this many starts: below
 * it, starting a thread costs more than it saves. */
#define MEM_PAR_MIN ((size_t)4 << 20)
void mem_scanner_set_threads(MemScanner *s, unsigned threads, size_t cap);
gboolean mem_scanner_stopped(const MemScanner *s);
/* The most hits one chunk kept so far (at most MEM_CHUNK_HITS_MAX). */
size_t mem_scanner_kept_peak(const MemScanner *s);
/* Places where the regex engine gave up (match or depth limit). */
uint64_t mem_scanner_errors(const MemScanner *s);
void mem_scanner_free(MemScanner *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MemScanner, mem_scanner_free)

/* ---- hexdump.c --------------------------------------------------------- */
#define MEM_ROW 16

/* hex[48] gets "xx xx ... xx" (47 chars and a NUL), padded with spaces
 * when n < 16; ascii[17] gets the printable bytes, '.' for the rest. */
void mem_hex_row(const uint8_t *bytes, size_t n, char hex[48], char ascii[17]);
/* Printable rendering of any bytes ('.' for the non-printable). */
char *mem_printable(const uint8_t *bytes, size_t n);

/* Rows of one process's memory, with runs of identical rows folded into
 * one row whose hex is "*" (compared by bytes). */
typedef void (*MemRowFunc)(uint64_t addr, const char *hex, const char *ascii,
                           void *user);
typedef struct {
  MemRowFunc fn;
  void *user;
  gboolean fold; /* fold repeated rows */
  uint8_t row[MEM_ROW], prev[MEM_ROW];
  size_t row_len;    /* bytes gathered for the current row */
  uint64_t row_addr; /* its address */
  uint64_t next;     /* address after the last byte fed */
  gboolean have_prev, in_repeat;
  uint64_t last_addr; /* address of the last folded row */
  uint64_t rows;      /* rows reported */
} MemHexDumper;

void mem_hexdump_init(MemHexDumper *d, gboolean fold, MemRowFunc fn,
                      void *user);
void mem_hexdump_feed(MemHexDumper *d, uint64_t addr, const uint8_t *data,
                      size_t len);
/* As mem_hexdump_feed of len zero bytes at addr, without reading them:
 * a folded run of zero rows costs nothing. */
void mem_hexdump_zeros(MemHexDumper *d, uint64_t addr, size_t len);
void mem_hexdump_end(MemHexDumper *d);

/* A hexdump written straight to a stream: "%016lx  hex  |ascii|" lines,
 * every row (no folding), the layout of checkpointctl's --output. */
gboolean mem_hexdump_write(FILE *out, uint64_t addr, const uint8_t *data,
                           size_t len);

/* ---- elfcore.c --------------------------------------------------------- */
/* Where the bytes of file-backed pages that are not in the dump come from:
 * a directory holding the container's root file system (--root), and
 * files of the rootfs diff (what the container wrote, which wins). */
typedef struct MemFileSource MemFileSource;

/* root may be NULL (the diff only); FALSE when it cannot be opened as a
 * directory. */
MemFileSource *mem_files_new(const char *root, GError **error);
void mem_files_free(MemFileSource *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MemFileSource, mem_files_free)
/* The bytes of path in the rootfs diff; complete FALSE when the diff holds
 * more than was read (the file is then used from nowhere: the root's copy
 * is older than what the process mapped). */
void mem_files_add_diff(MemFileSource *s, const char *path, const void *data,
                        size_t len, gboolean complete);
/* Opens path ("/"-rooted, as a VMA names it) under the root, one component
 * at a time with O_NOFOLLOW: a symlink, "..", or anything but a regular
 * file at the end is refused, so nothing outside the root is read. -1 with
 * errno set when refused or absent. */
int mem_files_open_under(int rootfd, const char *path);

typedef struct {
  uint64_t segments; /* PT_LOAD headers */
  uint64_t threads;
  uint64_t bytes;      /* dumped bytes copied in */
  uint64_t file_bytes; /* bytes copied from files (--root, the diff) */
  uint64_t file_size;  /* apparent size; absent pages are holes */
} MemCoreStats;

typedef struct {
  const MemFilter *filter; /* NULL: every VMA */
  MemFileSource *files;    /* NULL: dumped pages only */
  gboolean force;          /* replace an existing file at path */
  int dirfd;               /* path is relative to it; 0 means AT_FDCWD */
  /* when set, paths of mapped files found nowhere are appended (char *) */
  GPtrArray *missing;
} MemCoreOptions;

/* Writes process p as an x86_64 ELF core file at path: created, never
 * through a symlink, and an existing file is refused unless opts->force.
 * opts may be NULL. Only the API members the run needs are used (the
 * ABI 3.2 ones when set), so a test can pass a small table of its own. */
gboolean mem_core_write(const CkptApi *api, const CkptProcess *p,
                        const MemCoreOptions *opts, const char *path,
                        MemCoreStats *stats, GError **error);

#endif

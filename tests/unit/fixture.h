/* fixture.h - what the unit tests share: the real checkpoints under
 * $CKPT_FIXTURES, crit's decode of them (oracle/), the workload's markers,
 * scratch copies of criu-dir to break, and temporary directories.
 *
 * Every helper asserts instead of returning an error: a missing fixture or
 * an unreadable oracle is a broken test set-up, not a result.
 */
#ifndef CKPT_TEST_FIXTURE_H
#define CKPT_TEST_FIXTURE_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "model/model.h"

/* ---- the checkpoints ----------------------------------------------------- */

/* Every checkpoint under tests/fixtures as {file, base name}: archives of
 * each engine and compression, CRIU 3.x pagemaps, zombie-free runs and the
 * bare CRIU directory. */
extern const char *const fixture_checkpoints[][2];
extern const size_t fixture_n_checkpoints;

/* ---- the environment meson sets (tests/meson.build) ---------------------- */

/* The value of an environment variable the test run must have. */
const char *fixture_env(const char *name);
/* $CKPT_FIXTURES/<name>. */
char *fixture_path(const char *name);
/* A fixture's name without its archive suffix ("podman-gzip.tar.gz" ->
 * "podman-gzip"): the name of its oracle folder and markers file. */
char *fixture_base(const char *fixture);
/* Opens a fixture (or, given an absolute path, a scratch copy) with the
 * default limits, asserting it opens. */
CkptCheckpoint *fixture_open(const char *name);
/* Opens path expecting it to fail with CKPT_ERROR code and a message that
 * holds every one of the NULL-ended fragments. */
void fixture_expect_open_error(const char *path, const CkptLimits *limits,
                               int code, ...) G_GNUC_NULL_TERMINATED;
/* TRUE when one of the model's warnings contains needle. */
gboolean fixture_has_warning(const CkptCheckpoint *c, const char *needle);

/* ---- crit's decode: oracle/<base>/<image>.json --------------------------- */

/* The whole decode, or NULL when crit wrote none for that image. */
JsonNode *fixture_oracle(const char *fixture, const char *image);
/* Its "entries" array, or NULL when crit wrote none; *parser keeps it. */
JsonArray *fixture_oracle_entries(JsonParser **parser, const char *fixture,
                                  const char *image);
/* The "entries" array of a decode. */
JsonArray *fixture_entries(JsonNode *decode);
/* Parses JSON text, asserting it is well formed. */
JsonNode *fixture_parse_json(const char *text);

/* ---- the workload's markers: markers-<base>.txt -------------------------- */

typedef struct {
  char name[64];
  uint32_t pid;
  uint64_t addr;
} FixtureMarker;

/* The markers file as text ("# ..." comment lines included). */
char *fixture_markers_text(const char *fixture);
/* Its "name pid hex-address" lines, each asserted well formed. */
GArray *fixture_markers(const char *fixture);

/* ---- scratch copies and temporary directories ---------------------------- */

/* A fresh temporary directory "ckpt-<program>-XXXXXX". */
char *fixture_tmpdir(void);
/* Removes a directory and everything below it (no symlink is followed). */
void fixture_rm_rf(const char *path);
/* A temporary copy of criu-dir, to damage. */
char *fixture_copy_criu_dir(void);
/* The first file of dir whose name starts with prefix. */
char *fixture_find_file(const char *dir, const char *prefix);
/* Whole-file read (a copy to change) and write of dir/name. */
GByteArray *fixture_read_file(const char *dir, const char *name);
void fixture_write_file(const char *dir, const char *name, const void *data,
                        gsize len);

/* A copy of criu-dir as a g_test fixture (g_test_add's setup/teardown). */
typedef struct {
  char *dir;
} Scratch;

void scratch_setup(Scratch *s, gconstpointer data);
void scratch_teardown(Scratch *s, gconstpointer data);

/* ---- image bytes --------------------------------------------------------- */

/* Appends v little-endian, as CRIU's entry lengths and magics are. */
void fixture_put_u32(GByteArray *b, uint32_t v);
uint32_t fixture_u32le(const uint8_t *p);
/* Appends m packed as one image entry: its u32 length, then its bytes. */
void fixture_put_msg(GByteArray *b, const ProtobufCMessage *m);

#endif

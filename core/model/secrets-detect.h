/* secrets-detect.h - the secrets engine: the compiled YARA rules of
 * rules/secrets (what a secret looks like), the data table of secret-like
 * environment names, and the checks YARA cannot express (JWT decoding,
 * entropy, URL passwords, PEM extents). Also redaction, so no caller ever
 * needs to print a value itself.
 *
 * Nothing here knows the checkpoint: callers hand in bytes (a buffer, or
 * candidates found in memory) and get candidates back. This is what the
 * unit tests feed false-positive shapes through.
 *
 * It lives in the model layer, not in plugins/secrets, because two users
 * share it: the secrets plugin (which links it as a library of its own)
 * and the model's secret set (secretset.h), which the host's redaction
 * policy applies to every plugin's rows. Both then agree on what a secret
 * is and on how it is shown.
 */
#ifndef CKPT_SECRETS_DETECT_H
#define CKPT_SECRETS_DETECT_H

#include <glib.h>
#include <stdint.h>
#include <yara.h>

/* What a rule's meta says (see rules/secrets/secrets.yar). */
typedef struct {
  const YR_RULE *rule;
  const char *kind;
  const char *value_after; /* separator chars, or NULL */
  const char *validate;    /* "jwt", "pem", "entropy", ... or NULL */
  const char *severity;    /* "low" ... "critical", or NULL */
  const char *values;      /* value strings, comma-separated, or NULL */
  int priority;
  int min_entropy; /* bits per char * 100 */
} SecretsDetector;

typedef struct {
  YR_RULES *rules;
  GHashTable *detectors; /* YR_RULE* -> SecretsDetector* */
  char *source;          /* what was compiled, for messages */
  guint n_rules;         /* compiled */
  guint n_detectors;     /* of which secret detectors */
  /* the files compiled, in order, and each one's namespace (its name up to
   * the last dot): what another scanner compiles to find what this engine
   * finds (secrets_engine_hit) */
  GPtrArray *files, *namespaces; /* char* */
  GHashTable *by_name;           /* "NAMESPACE:RULE" -> YR_RULE* */
} SecretsEngine;

/* One raw match, before validation: where it is in its target. */
typedef struct {
  const SecretsDetector *det;
  uint64_t offset; /* in the buffer, or a virtual address */
  uint32_t len;
} SecretsHit;

/* A validated secret: the value as found and what it is. */
typedef struct {
  const char *kind;
  const char *severity; /* or NULL */
  int priority;
  char *value;  /* owned, NUL-ended, printable ASCII or UTF-8 */
  char *detail; /* owned, safe to print (decoded JWT claims...), or NULL */
  uint64_t value_offset; /* where the value starts, like SecretsHit */
} SecretsCandidate;

void secrets_candidate_free(SecretsCandidate *c);

/* libyara counts yr_initialize() calls with a plain int, so two threads
 * initialising it at once race. The engine therefore does not: each user
 * calls secrets_engine_global_init() on one thread before others start
 * (the host when it is created, the secrets plugin in its init(), a test
 * in main()) and, if it ever frees its engines, secrets_engine_global_fini()
 * after the last. */
gboolean secrets_engine_global_init(GError **error);
void secrets_engine_global_fini(void);

/* Compiles sources, a comma-separated list of .yar files and directories
 * (whose *.yar and *.yara files are taken, sorted). Rules that are no
 * secret detectors (no kind, see detect.c) are compiled but ignored.
 * Errors name the file and line. libyara must be initialised (above). */
SecretsEngine *secrets_engine_new(const char *sources, GError **error);
void secrets_engine_free(SecretsEngine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecretsEngine, secrets_engine_free)

/* Scans a buffer; appends SecretsHit to hits. */
gboolean secrets_scan_buffer(const SecretsEngine *e, const uint8_t *data,
                             size_t len, GArray *hits, GError **error);
/* Scans memory blocks; appends SecretsHit with offset = address. */
gboolean secrets_scan_blocks(const SecretsEngine *e,
                             YR_MEMORY_BLOCK_ITERATOR *it, GArray *hits,
                             GError **error);

/* A scan stops collecting after this many raw matches (of one buffer, or
 * of one process's memory): memory full of one token must not grow the hit
 * list without bound. */
#define SECRETS_MAX_HITS_PER_SCAN 100000

/* A raw match of another scanner that compiled e's files (under e's
 * namespaces, each rule as e has it) as the hit e's own scan would have
 * made: rule RULE of namespace ns matched, and string number string_index
 * (0: the rule's first, in source order) of identifier string matched at
 * addr for len bytes. FALSE when it gives none (not a secret detector's
 * value string: context, a miner), *bad set when it names no rule or
 * string of e (compiled from other files). */
gboolean secrets_engine_hit(const SecretsEngine *e, const char *ns,
                            const char *rule, unsigned string_index,
                            const char *string, uint64_t addr, uint32_t len,
                            SecretsHit *out, gboolean *bad);

/* Longest stretch, from a hit, of bytes a value may need beyond its match
 * (the rest of a PEM block). */
#define SECRETS_EXTENT_MAX 16384

/* Does the hit's value reach past its match (PEM, JWT, JSON value)? The
 * caller then hands secrets_validate up to SECRETS_EXTENT_MAX bytes. */
gboolean secrets_hit_wants_extent(const SecretsHit *hit);
/* The bytes from a hit's start that secrets_validate needs: its match, or
 * SECRETS_EXTENT_MAX when its value reaches past it; 0 for a match longer
 * than SECRETS_EXTENT_MAX (a chained hex string spans as far as its jumps
 * and the memory let it): no value is that long, and a buffer of
 * SECRETS_EXTENT_MAX bytes then holds what any other hit needs. */
size_t secrets_hit_read_len(const SecretsHit *hit);

/* Turns a hit into a candidate, given the bytes starting at the hit
 * (avail >= hit->len; more when the detector extends, e.g. PEM). Returns
 * NULL when the validator rejects it (false-positive shapes). */
SecretsCandidate *secrets_validate(const SecretsHit *hit, const uint8_t *bytes,
                                   size_t avail);

/* Name-based check of one environment variable: a candidate when the name
 * is secret-like (the data table in envnames.c) and the value is not
 * obviously harmless (empty, a path, a number, a boolean). */
SecretsCandidate *secrets_check_env_name(const char *name, const char *value);
/* Is name secret-like? */
gboolean secrets_name_is_secret(const char *name);

/* The value shown by default: the kind's redaction ("AKIA…(20)",
 * "postgres://app:***@db"). */
char *secrets_redact(const char *kind, const char *value);

/* Shannon entropy of s in bits per character, times 100. */
int secrets_entropy(const char *s, size_t len);
/* UUIDs, hex digests (32/40/64/128), "sha256:..." digests: hashes and ids
 * that look random but are not credentials. */
gboolean secrets_is_hash_shape(const char *s, size_t len);

/* Decodes a JWT's header and claims into a printable summary ("alg=RS256
 * iss=... sub=..."), with "kubernetes service-account token" when the
 * claims say so. NULL when s is not a well-formed JWT. */
char *secrets_jwt_describe(const char *s, size_t len);

#endif

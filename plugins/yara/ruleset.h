/* ruleset.h - the yara plugin's rule sets: compiling .yar sources (files
 * or directories of them) or loading one compiled rule file named as such,
 * with external
 * variables, and sharing each compiled set between runs and threads.
 *
 * A YR_RULES is read-only once built: every worker scans with its own
 * YR_SCANNER over the same set. Sets live until ckpt_yara_ruleset_cache_clear
 * (the plugin's fini).
 */
#ifndef CKPT_YARA_RULESET_H
#define CKPT_YARA_RULESET_H

#include <glib.h>
#include <yara.h>

#include "ckpt/plugin.h"

#define CKPT_YARA_ERROR (ckpt_yara_error_quark())
GQuark ckpt_yara_error_quark(void);

typedef enum {
  CKPT_YARA_ERROR_RULES,   /* a rule source is missing or does not compile */
  CKPT_YARA_ERROR_DEFINE,  /* a NAME=VALUE external is malformed */
  CKPT_YARA_ERROR_LIBYARA, /* libyara failed (memory, internal) */
} CkptYaraErrorCode;

typedef struct {
  YR_RULES *rules;
  GPtrArray *warnings;  /* char*: "FILE:LINE: warning: MESSAGE" */
  guint n_rules;        /* the user's (not the host's secrets rules) */
  gboolean precompiled; /* loaded from a compiled rule file */
  gboolean secrets;     /* holds the host's secrets rules too */
} CkptYaraRuleset;

/* The host's secrets rules (SDK 3.9 CkptMemSubscriber.secrets) compiled
 * into a rule set beside the user's: file i in namespace this prefix and
 * the host's namespaces[i], which no file of the user's has (its
 * namespace is a file name's stem, which holds no '/'). */
#define CKPT_YARA_SECRETS_NS "ckpt/secrets/"

/* The host's namespace of a rule of the set, or NULL when it is the
 * user's. */
const char *ckpt_yara_secrets_ns(const YR_RULE *rule);

/* Builds a rule set from source rules. sources: paths of .yar files or
 * directories (their *.yar and *.yara files, sorted, not recursive); a
 * file holding compiled rules is refused, so that bytecode libyara trusts
 * is only ever loaded when named as such. defines: "NAME=VALUE" externals,
 * typed as the yara tool types them (true/false, integer, float, else
 * string). strict: compiler warnings (slow atoms, ...) are errors (of
 * the user's files). secrets: the host's secrets rules, compiled in too
 * (CKPT_YARA_SECRETS_NS), or NULL. */
CkptYaraRuleset *ckpt_yara_ruleset_new(const char *const *sources,
                                       const char *const *defines,
                                       gboolean strict,
                                       const CkptSecretRules *secrets,
                                       GError **error);
/* Loads one file compiled by yarac. libyara checks its framing (magic,
 * version, truncation) but trusts the bytecode inside: crafted compiled
 * rules can crash or worse, so they are trusted input (README, Security). */
CkptYaraRuleset *ckpt_yara_ruleset_load_compiled(const char *path,
                                                 const char *const *defines,
                                                 GError **error);
void ckpt_yara_ruleset_free(CkptYaraRuleset *rs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptYaraRuleset, ckpt_yara_ruleset_free)

/* The same (secrets: the host's secrets rules to compile in too, or
 * NULL), through a process-wide cache keyed by the option texts, so a
 * sweep over many checkpoints compiles once. A failure is cached too. The
 * returned set is borrowed until ckpt_yara_ruleset_cache_clear(). *fresh is
 * set when this call built it (to log its warnings once). */
const CkptYaraRuleset *
ckpt_yara_ruleset_cached(const char *sources, const char *compiled,
                         const char *defines, gboolean strict,
                         const CkptSecretRules *secrets, gboolean *fresh,
                         GError **error);
void ckpt_yara_ruleset_cache_clear(void);

/* Splits a list option: at newlines when it has any, else at commas;
 * empty items are dropped. */
char **ckpt_yara_split_list(const char *text);

#endif

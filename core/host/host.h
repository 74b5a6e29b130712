/* host.h - the plugin host: finds plugin files, loads and validates their
 * descriptors, keeps the registry, and runs one plugin over one checkpoint.
 *
 * Discovery order (first plugin of a name wins, later ones are warned
 * about): --plugin-path directories in the order given, CKPT_PLUGIN_PATH
 * (colon-separated, absolute entries only), the per-user directory
 * ($XDG_DATA_HOME/ckpt/plugins, else ~/.local/lib/ckpt/plugins), then the
 * installed plugin directory, or the build tree's plugins when the running
 * executable lives in the build tree. Only regular files ending in the
 * module suffix are opened, never from the current directory.
 *
 * As root (euid 0) a plugin is code run as root, so a directory or file is
 * refused, with a warning naming it and why, unless its whole resolved
 * path (realpath(), every directory up to /) is owned by root or the real
 * user (getuid(); SUDO_UID is not trusted) and writable by neither group
 * nor others, sticky directories such as /tmp included. This also refuses
 * a per-user directory reached through another user's HOME or
 * XDG_DATA_HOME (sudo -E). The checked file is opened with O_NOFOLLOW and
 * dlopen()ed as /proc/self/fd/N, so the file loaded is the file checked.
 */
#ifndef CKPT_HOST_H
#define CKPT_HOST_H

#include <glib.h>

#include "ckpt/plugin.h"
#include "model/model.h"
#include "host/results.h"

typedef struct {
  const CkptPlugin *desc; /* inside the loaded file */
  char *path;
  void *handle; /* dlopen handle */
  gboolean initialised;
} CkptLoadedPlugin;

typedef struct CkptHost CkptHost;

/* What a plugin declares it reads (CKPT_READS_*, with
 * CKPT_SHOWS_MEMORY_IN_WINDOWS), by the rules of the SDK it was built
 * against: 0 (everything) for reads unset and before 3.7; a 3.7 plugin's
 * CKPT_READS_MODEL also means the rootfs diff, split off in 3.8. */
unsigned ckpt_plugin_reads(const CkptPlugin *desc);

/* One option value, parsed and type-checked against its declaration. */
typedef struct {
  const CkptOption *decl;
  char *text;       /* as given, or the default; NULL when none */
  int64_t number;   /* INT, UINT, SIZE */
  gboolean flag;    /* BOOL */
  gboolean is_set;  /* given by the user or a chain */
  GPtrArray *items; /* char*, NULL-ended: a LIST's values, else {text} */
} CkptOptionValue;

CkptHost *ckpt_host_new(void);
void ckpt_host_free(CkptHost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptHost, ckpt_host_free)

/* Where api->progress() goes: the CLI draws it when stderr is a terminal
 * (the host never prints it). what is NULL when the line is to be
 * cleared: the plugin's run ended. */
typedef void (*CkptProgressFn)(void *user, const char *plugin, uint64_t done,
                               uint64_t total, const char *what);
void ckpt_host_set_progress(CkptHost *h, CkptProgressFn fn, void *user);
/* The sink set, or NULL; *user gets its data. */
CkptProgressFn ckpt_host_get_progress(const CkptHost *h, void **user);
/* Calls the progress sink, if any. */
void ckpt_host_progress(const CkptHost *h, const char *plugin, uint64_t done,
                        uint64_t total, const char *what);

/* The rules that ship (api->rules_dir()): the installed directory, or the
 * source tree's rules/ when the executable runs from the build tree. */
const char *ckpt_host_rules_dir(void);

/* verbose: log debug messages of plugins and discovery to stderr */
void ckpt_host_set_verbose(CkptHost *h, gboolean verbose);
gboolean ckpt_host_verbose(const CkptHost *h);
/* quiet: plugins' log warnings not printed (errors still are; what a
 * plugin reports with error() stays in the results) */
void ckpt_host_set_quiet(CkptHost *h, gboolean quiet);
gboolean ckpt_host_quiet(const CkptHost *h);

/* The redaction policy (redact.h) applies to every row plugins emit
 * unless reveal is set (--reveal). */
void ckpt_host_set_reveal(CkptHost *h, gboolean reveal);
gboolean ckpt_host_reveal(const CkptHost *h);
/* The rules the policy's secret set is computed with: the shipped
 * credentials.yar, keys.yar and secrets/ (as the secrets plugin's default). */
char *ckpt_host_secret_rules(void);

/* Directories searched, in order; built from the explicit paths (may be
 * NULL), the environment and the installed defaults. */
GPtrArray *ckpt_host_search_dirs(const char *const *explicit_paths);

/* Loads every plugin found in dirs. Refusals are not errors of the call:
 * they are kept (ckpt_host_refusals) and printed by the caller. */
void ckpt_host_discover(CkptHost *h, GPtrArray *dirs);
/* Loads one file; FALSE with error naming the file and the reason. */
gboolean ckpt_host_load_file(CkptHost *h, const char *path, GError **error);
/* After discovery: refuses plugins whose dependencies are missing (also
 * transitively) and calls init() of the rest. */
void ckpt_host_finish(CkptHost *h, const CkptApi *api);

/* char*: "FILE: reason" for each refused plugin file */
GPtrArray *ckpt_host_refusals(const CkptHost *h);
/* CkptLoadedPlugin*, in discovery order */
GPtrArray *ckpt_host_plugins(const CkptHost *h);
const CkptLoadedPlugin *ckpt_host_find(const CkptHost *h, const char *name);
/* The loaded plugin name nearest a mistyped one (did you mean), or NULL. */
const char *ckpt_host_nearest(const CkptHost *h, const char *name);

/* Checks a descriptor's declarations; used at load time. */
gboolean ckpt_plugin_validate(const CkptPlugin *p, GError **error);
/* Is name a valid plugin or option name ([a-z0-9-]+)? */
gboolean ckpt_name_valid(const char *name);

/* Option values of one plugin: fills one CkptOptionValue per declared
 * option with its default. */
GArray *ckpt_options_new(const CkptPlugin *p);
/* Sets option name from text, type-checked; error names the plugin. */
gboolean ckpt_options_set(GArray *opts, const CkptPlugin *p, const char *name,
                          const char *text, GError **error);
const CkptOptionValue *ckpt_options_get(GArray *opts, const char *name);
/* Parses text for a type; used for defaults too. */
gboolean ckpt_option_parse(CkptType type, const char *text, int64_t *number,
                           gboolean *flag);

#endif

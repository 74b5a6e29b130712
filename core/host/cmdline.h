/* cmdline.h - the command line as declarations the host parses: the
 * global flags (one table for the parser, help, man and completion), a
 * command's flag table and the two passes of the generic runner over it.
 * Front ends (ckpt's core/cli, an embedder) only map the results. */
#ifndef CKPT_CMDLINE_H
#define CKPT_CMDLINE_H

#include <glib.h>

#include "host/chain.h"

/* A flag of a command (each core/cli/cli-NAME.c declares a table). */
typedef struct {
  const char *flag;     /* --FLAG */
  const char *help;     /* NULL: an alias of a plugin option, listed there */
  const char *plugins;  /* comma list added to the chain, or NULL */
  const char *set;      /* "PLUGIN.OPTION" (takes_value) or
                           "PLUGIN.OPTION=VALUE", or NULL */
  gboolean takes_value; /* --FLAG=VALUE or --FLAG VALUE */
  const char *alias;    /* a short form ("-r"), or NULL */
  gboolean item;        /* each value one item of a LIST option, commas
                           and all (repeatable) */
  const char *show;     /* comma list of the look's parts it shows */
  /* comma list of the flags this one stands for (checkpointctl's --all,
   * --pid): ckpt_flags_expand() puts them in its place. A switch's are
   * given with it, each unless already given; a valued flag's are given
   * its value, and NAME?IF only when --IF is given too (itself, or through
   * a switch's also). Its plugins and set then only document it. */
  const char *also;
} CkptFlag;

typedef enum {
  CKPT_GF_PLUGIN_PATH,
  CKPT_GF_CHAINS,
  CKPT_GF_SET,
  CKPT_GF_FORMAT,
  CKPT_GF_LIMIT,
  CKPT_GF_SHARD,
  CKPT_GF_THREADS,
  CKPT_GF_COLOR,
  CKPT_GF_ISOLATE,
  CKPT_GF_ISOLATE_TIMEOUT,
  CKPT_GF_VERBOSE,
  CKPT_GF_QUIET,
  CKPT_GF_REVEAL,
  CKPT_GF_ASCII,
  CKPT_GF_VERSION,
  CKPT_GF_HELP,
} CkptGlobalId;

/* A global flag: value NULL for a switch; implicit, the value of a
 * valued flag given without '=' (then it takes no next argument). */
typedef struct {
  const char *flag, *value, *help;
  CkptGlobalId id;
  const char *alias, *implicit;
} CkptGlobalFlag;
extern const CkptGlobalFlag ckpt_global_flags[]; /* {NULL}-ended */

/* The global flag argv[*i] is, its value in *value (the next argument
 * taken: *i advanced); NULL when it is none, or with error when its value
 * is missing. */
const CkptGlobalFlag *ckpt_global_flag_match(int argc, char **argv, int *i,
                                             const char **value,
                                             GError **error);

/* Each plugin of flags given in argv, and of lists (comma lists, may be
 * NULL), added to chain when not already there. */
void ckpt_flags_add_plugins(CkptChain *chain, GPtrArray *lists);

/* Pass zero: argv with every flag of flags that has an also replaced by
 * the flags it stands for (a NULL-ended array of copies); NULL with error
 * for a valued one given no value. */
GPtrArray *ckpt_flags_expand(const CkptFlag *flags, int argc, char **argv,
                             GError **error);

/* Pass one: the command's flags in argv: the plugins they add (comma
 * lists) to plugins, their settings to sets, the look's parts to show. */
gboolean ckpt_flags_apply(const CkptFlag *flags, int argc, char **argv,
                          GPtrArray *plugins, GPtrArray *sets, GPtrArray *show,
                          GError **error);
/* Pass two: plan's option flags (host/flags.h) to sets, the positional
 * arguments to files (char*, borrowed); an unknown flag's error says the
 * nearest flag name. */
gboolean ckpt_flags_rest(const CkptFlag *flags, const CkptPlan *plan, int argc,
                         char **argv, GPtrArray *sets, GPtrArray *files,
                         GError **error);

/* Takes the command's own flags (rows of flags that add no plugin and set
 * no option: the command reads them) out of argv: vals[k] is row k's value
 * (the last given; "" for a switch), every other argument goes to rest
 * (char*, borrowed; from "--" on, all of them). FALSE with error for a
 * missing value or a value given to a switch. */
gboolean ckpt_flags_take(const CkptFlag *flags, int argc, char **argv,
                         const char **vals, GPtrArray *rest, GError **error);

/* How option o of step st is spelt as a flag: NAME when no other plugin
 * of plan has one of that name and no flag of flags or global flag is
 * called so, else PLUGIN.NAME (free it). */
char *ckpt_flags_option_flag(const CkptFlag *flags, const CkptPlan *plan,
                             const CkptStep *st, const CkptOption *o);
/* The short form flags give option o of st ("-s"), or NULL. */
const char *ckpt_flags_option_alias(const CkptFlag *flags, const CkptStep *st,
                                    const CkptOption *o);

#endif

/* flags.h - plugin options as command-line flags, and the settings of a
 * sweep: the host builds a command's flags from the options its plan's
 * plugins declare (STYLE.md: options are declared, not parsed by the
 * plugin), so every front end (ckpt, an embedder) maps them alike.
 */
#ifndef CKPT_FLAGS_H
#define CKPT_FLAGS_H

#include <glib.h>

#include "host/chain.h"
#include "host/sweep.h"

/* arg is "--NAME", "--NAME=VALUE" or, for a boolean, "--no-NAME"; NAME is
 * OPTION, when exactly one plugin of plan declares it, or PLUGIN.OPTION.
 * A value not given with '=' is next (then *used_next is TRUE), except
 * for a boolean, which is then true. Appends "plugin.option=value" to
 * sets (char*); FALSE with error for an unknown or ambiguous flag or a
 * missing value. */
gboolean ckpt_plan_flag(const CkptPlan *plan, const char *arg, const char *next,
                        GPtrArray *sets, gboolean *used_next, GError **error);

/* Applies each "plugin.option=value" of sets (char*) to plan, in order,
 * and each "sweep.NAME=VALUE" to sw (when not NULL): sweep.threads=N (0:
 * the cores), sweep.progress=false, sweep.once=true. */
gboolean ckpt_sweep_apply(CkptSweep *sw, CkptPlan *plan, GPtrArray *sets,
                          GError **error);

/* A chain from a name: a copy of the named chain of set if there is one,
 * else a plugin list ("a,b,c"). */
CkptChain *ckpt_chainset_resolve(const CkptChainSet *set, const char *spec,
                                 GError **error);

#endif

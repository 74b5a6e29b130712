/* bounds.c - defaults and command-line overrides of CkptLimits. */
#include "util/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

typedef struct {
  const char *name;
  size_t offset;
  uint64_t def;
} LimitDef;

static const LimitDef defs[] = {
    {"max-entry-size", offsetof(CkptLimits, max_entry_size), 64 * MiB},
    {"max-member-size", offsetof(CkptLimits, max_member_size), 1 * TiB},
    {"max-total-size", offsetof(CkptLimits, max_total_size), 4 * TiB},
    {"max-ratio", offsetof(CkptLimits, max_ratio), 1000},
    {"ratio-floor", offsetof(CkptLimits, ratio_floor), 4 * GiB},
    {"max-in-memory", offsetof(CkptLimits, max_in_memory), 16 * MiB},
    {"max-members", offsetof(CkptLimits, max_members), 1000000},
    {"max-processes", offsetof(CkptLimits, max_processes), 65536},
    {"max-threads", offsetof(CkptLimits, max_threads), 65536},
    {"max-vmas", offsetof(CkptLimits, max_vmas), 1000000},
    {"max-fds", offsetof(CkptLimits, max_fds), 1048576},
    {"max-entries", offsetof(CkptLimits, max_entries), 10000000},
    /* Each image of the fixtures decodes into under 16 KiB; a million
     * VMAs (max-vmas) would take about 130 MiB. */
    {"max-decode-memory", offsetof(CkptLimits, max_decode_memory), 256 * MiB},
    {"max-hash-size", offsetof(CkptLimits, max_hash_size), 4 * GiB},
};

void
ckpt_limits_init(CkptLimits *limits)
{
  for (size_t i = 0; i < G_N_ELEMENTS(defs); i++)
    G_STRUCT_MEMBER(uint64_t, limits, defs[i].offset) = defs[i].def;
}

const char *const *
ckpt_limits_names(void)
{
  static const char *names[G_N_ELEMENTS(defs) + 1];
  for (size_t i = 0; i < G_N_ELEMENTS(defs); i++)
    names[i] = defs[i].name;
  return names;
}

static gboolean
parse_size(const char *s, uint64_t *out)
{
  char *end = NULL;
  if (*s == '\0' || *s == '-')
    return FALSE;
  errno = 0;
  guint64 v = g_ascii_strtoull(s, &end, 10);
  if (errno != 0 || end == s)
    return FALSE;
  uint64_t mul = 1;
  switch (*end) {
  case '\0':
    break;
  case 'k':
  case 'K':
    mul = KiB;
    end++;
    break;
  case 'M':
    mul = MiB;
    end++;
    break;
  case 'G':
    mul = GiB;
    end++;
    break;
  case 'T':
    mul = TiB;
    end++;
    break;
  default:
    return FALSE;
  }
  if (*end != '\0' || (v != 0 && mul > UINT64_MAX / v))
    return FALSE;
  *out = v * mul;
  return TRUE;
}

gboolean
ckpt_limits_set(CkptLimits *limits, const char *assignment, GError **error)
{
  const char *eq = strchr(assignment, '=');
  if (eq == NULL) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                "limit '%s': expected NAME=VALUE", assignment);
    return FALSE;
  }
  g_autofree char *name = g_strndup(assignment, (gsize)(eq - assignment));
  for (size_t i = 0; i < G_N_ELEMENTS(defs); i++) {
    if (strcmp(defs[i].name, name) != 0)
      continue;
    uint64_t v;
    if (!parse_size(eq + 1, &v)) {
      g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE,
                  "limit %s: '%s' is not a number (suffixes k, M, G, T)", name,
                  eq + 1);
      return FALSE;
    }
    G_STRUCT_MEMBER(uint64_t, limits, defs[i].offset) = v;
    return TRUE;
  }
  g_set_error(error, CKPT_ERROR, CKPT_ERROR_USAGE, "unknown limit '%s'", name);
  return FALSE;
}

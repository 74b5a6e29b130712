/* list.c - the list plugin: `ckpt list`'s rows, checkpointctl list's
 * columns, one row per checkpoint the host finds under the directories
 * (a directory run: CkptPlugin.run_dir, CkptApi.dir_next).
 *
 * The host walks and opens each checkpoint's metadata; this plugin names
 * it. Kubelet file names (checkpoint-POD_NAMESPACE-CONTAINER-TIME.tar)
 * fill the columns the metadata leaves empty.
 */
#include <stdlib.h>

#include "ckpt/plugin.h"

static const CkptColumn list_columns[] = {
    {"namespace", CKPT_T_STR, "Namespace",
     .help = "the pod's namespace (metadata, else the kubelet's file name)"},
    {"pod", CKPT_T_STR, "Pod",
     .help = "the pod's name (metadata, else the kubelet's file name)"},
    {"container", CKPT_T_STR, "Container",
     .help = "the container's name (metadata, else the kubelet's file name)"},
    {"engine", CKPT_T_STR, "Engine",
     .help = "the engine that made the checkpoint (Podman, CRI-O, ...)"},
    {"time_checkpointed", CKPT_T_TIME, "Time Checkpointed",
     .help = "when it was checkpointed: config.dump's time, else the "
             "kubelet's file name, else a member's mtime"},
    {"checkpoint_name", CKPT_T_STR, "Checkpoint Name",
     .help = "the entry's path below the directory listed"},
    {NULL},
};

static const CkptTable list_tables[] = {
    {"checkpoints", "Checkpoints", CKPT_LAYOUT_TABLE, list_columns},
    {NULL},
};

static const CkptOption list_options[] = {{NULL}};

/* ---- kubelet names ------------------------------------------------------ */

typedef struct {
  char *pod;
  char *namespace_;
  char *container;
  int64_t time;
} KubeletName;

static char *
dup_n(const char *s, size_t n)
{
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static int
digits(const char *s, size_t n, int *out)
{
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "2006-01-02T15:04:05Z" (20) or "2006-01-02T15:04:05+07:00" (25): the
 * Unix time into *t. */
static int
parse_rfc3339(const char *s, size_t n, int64_t *t)
{
  int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
  if ((n != 20 && n != 25) || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
      !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
      !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
    return 0;
  if (n == 20 && s[19] != 'Z' && s[19] != 'z')
    return 0;
  if (n == 25) {
    sign = s[19] == '+' ? 1 : s[19] == '-' ? -1 : 0;
    if (sign == 0 || s[22] != ':' || !digits(s + 20, 2, &oh) ||
        !digits(s + 23, 2, &om) || oh > 23 || om > 59)
      return 0;
  }
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
      (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
    return 0;
  *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
       sign * (oh * 3600 + om * 60);
  return 1;
}

/* The kubelet names its archives checkpoint-<pod>_<namespace>-<container>-
 * <RFC 3339 time>.tar. Pod names hold no '_', so the pod ends at the first
 * one; the time is the RFC 3339 tail. Namespace and container are both
 * DNS labels and may both hold '-', so that split is ambiguous: it is made
 * at the container name the metadata gives when it matches, else at the
 * last '-' (container names are the shorter ones in practice). */
static int
parse_kubelet_name(const char *name, const char *container, KubeletName *k)
{
  static const char pre[] = "checkpoint-", suf[] = ".tar";
  size_t n = strlen(name), pn = sizeof pre - 1, sn = sizeof suf - 1;
  memset(k, 0, sizeof(*k));
  if (n < pn + sn || strncmp(name, pre, pn) != 0 ||
      strcmp(name + n - sn, suf) != 0)
    return 0;
  const char *body = name + pn, *end = name + n - sn;
  const char *us = memchr(body, '_', (size_t)(end - body));
  if (us == NULL || us == body)
    return 0;
  const char *rest = us + 1;
  size_t rn = (size_t)(end - rest);
  static const size_t time_lens[] = {20, 25};
  const char *split = NULL;
  for (size_t i = 0; split == NULL && i < 2; i++) {
    size_t tl = time_lens[i];
    if (rn <= tl + 1 || rest[rn - tl - 1] != '-')
      continue;
    if (parse_rfc3339(rest + rn - tl, tl, &k->time))
      split = rest + rn - tl - 1;
  }
  if (split == NULL)
    return 0;
  rn = (size_t)(split - rest); /* rest: "<namespace>-<container>" */
  size_t cn = container ? strlen(container) : 0;
  const char *dash = NULL;
  if (cn > 0 && rn > cn + 1 && rest[rn - cn - 1] == '-' &&
      strncmp(rest + rn - cn, container, cn) == 0)
    dash = rest + rn - cn - 1;
  else
    for (const char *q = rest; q < split; q++)
      if (*q == '-')
        dash = q;
  if (dash == NULL || dash == rest || dash + 1 == split)
    return 0;
  k->pod = dup_n(body, (size_t)(us - body));
  k->namespace_ = dup_n(rest, (size_t)(dash - rest));
  k->container = dup_n(dash + 1, (size_t)(split - dash - 1));
  return k->pod && k->namespace_ && k->container;
}

static void
kubelet_name_release(KubeletName *k)
{
  free(k->pod);
  free(k->namespace_);
  free(k->container);
}

/* ---- the run ------------------------------------------------------------ */

static CkptValue
str_or_null(const char *s)
{
  return s && *s ? CKPT_STR(s) : CKPT_NULL;
}

static CkptStatus
list_run_dir(const CkptApi *api, CkptRun *run)
{
  if (!CKPT_HAS(api, dir_next)) {
    api->error(run, "the host has no directory runs (ABI 3.7)");
    return CKPT_FAILED;
  }
  CkptDirEntryInfo e = {.size = sizeof e};
  while (api->dir_next(run, &e)) {
    const CkptContainerInfo *ci = api->container(e.checkpoint);
    KubeletName k;
    int kube = parse_kubelet_name(e.name, ci->name, &k);
    /* without config.dump the model's time is only a member's mtime: the
     * kubelet's name says better */
    int meta_time = ci->checkpointed && e.times_from_config;
    CkptValue v[] = {
        str_or_null(ci->pod_namespace ? ci->pod_namespace : k.namespace_),
        str_or_null(ci->pod ? ci->pod : k.pod),
        str_or_null(ci->name ? ci->name : k.container),
        str_or_null(ci->engine),
        meta_time          ? CKPT_TIME(ci->checkpointed)
        : kube             ? CKPT_TIME(k.time)
        : ci->checkpointed ? CKPT_TIME(ci->checkpointed)
                           : CKPT_NULL,
        CKPT_STR(e.rel),
    };
    api->emit(run, 0, 0, v, sizeof v / sizeof v[0]);
    kubelet_name_release(&k);
  }
  return CKPT_OK;
}

CKPT_PLUGIN_DEFINE_DIR("list", "0.2.0", "checkpoints found in directories",
                       "Apache-2.0", list_options, list_tables,
                       CKPT_READS_MODEL, list_run_dir);

/* triage.c - the triage plugin: gathers the findings of every plugin that
 * ran before it in the chain (detect, yara, secrets, and the plugins named
 * with its `with` option), filters them by id and severity, sorts them
 * (most severe first) and gives the checkpoint a verdict:
 *
 *   compromised  a critical or high finding that is not a secret
 *   suspicious   a medium one that is not a secret
 *   clean        neither (secrets are counted, but are not evidence of
 *                compromise: they are what to rotate)
 *
 * A plugin's findings table is read through the SDK's shared schema
 * (CKPT_FINDING_COLUMNS). Two built-ins speak their own tables and are
 * adapted here: yara's hits (one finding per process and rule, "miner"
 * for the miners namespace, "yara-match" for the rest; credentials and
 * keys are left to secrets) and secrets' findings ("secret"). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "ckpt/plugin.h"

enum { T_VERDICT, T_FINDINGS, T_GATE };

static const CkptOption options[] = {
    {.name = "min-severity",
     .type = CKPT_T_STR,
     .default_value = "info",
     .help = "leave out findings below this severity (info, low, medium, "
             "high, critical)"},
    {.name = "only",
     .type = CKPT_T_STR,
     .default_value = NULL,
     .help = "comma-separated finding ids to keep (all when not given)"},
    {.name = "skip",
     .type = CKPT_T_STR,
     .default_value = NULL,
     .help = "comma-separated finding ids to leave out"},
    {.name = "fail-on",
     .type = CKPT_T_STR,
     .default_value = "high",
     .help = "findings at or above this severity go into the gate table "
             "(ckpt triage exits 1 when it has rows)"},
    {.name = "with",
     .type = CKPT_T_STR,
     .default_value = NULL,
     .help = "comma-separated plugins of the chain whose findings join "
             "(third-party detectors)"},
    {.name = NULL},
};

static const CkptColumn verdict_columns[] = {
    {.name = "verdict", .type = CKPT_T_STR, .title = "VERDICT"},
    {.name = "max_severity", .type = CKPT_T_STR, .title = "MAX SEVERITY"},
    {.name = "findings", .type = CKPT_T_UINT, .title = "FINDINGS"},
    {.name = "critical", .type = CKPT_T_UINT, .title = "CRITICAL"},
    {.name = "high", .type = CKPT_T_UINT, .title = "HIGH"},
    {.name = "medium", .type = CKPT_T_UINT, .title = "MEDIUM"},
    {.name = "low", .type = CKPT_T_UINT, .title = "LOW"},
    {.name = "info", .type = CKPT_T_UINT, .title = "INFO"},
    {.name = "secrets", .type = CKPT_T_UINT, .title = "SECRETS"},
    {.name = NULL},
};

static const CkptColumn finding_columns[] = {
    CKPT_FINDING_COLUMNS,
    {.name = "source", .type = CKPT_T_STR, .title = "SOURCE"},
    {.name = NULL},
};

/* the findings that reach fail-on: what makes `ckpt triage` exit 1 */
static const CkptColumn gate_columns[] = {
    {.name = "id", .type = CKPT_T_STR, .title = "ID"},
    {.name = "severity", .type = CKPT_T_STR, .title = "SEVERITY"},
    {.name = "pid", .type = CKPT_T_UINT, .title = "PID"},
    {.name = NULL},
};

static const CkptTable tables[] = {
    [T_VERDICT] = {.name = "verdict",
                   .title = "Verdict",
                   .layout = CKPT_LAYOUT_TABLE,
                   .columns = verdict_columns},
    [T_FINDINGS] = {.name = "findings",
                    .title = "Findings",
                    .layout = CKPT_LAYOUT_TABLE,
                    .columns = finding_columns},
    [T_GATE] = {.name = "gate",
                .title = "Findings at or above fail-on",
                .layout = CKPT_LAYOUT_TABLE,
                .columns = gate_columns},
    {.name = NULL},
};

typedef struct {
  char *id, *title, *path, *evidence, *attack, *why, *more, *source;
  CkptSeverity severity;
  uint32_t pid, tid;
  int fd;
  uint64_t address;
} Finding;

static void
finding_free(gpointer p)
{
  Finding *f = p;
  g_free(f->id);
  g_free(f->title);
  g_free(f->path);
  g_free(f->evidence);
  g_free(f->attack);
  g_free(f->why);
  g_free(f->more);
  g_free(f->source);
  g_free(f);
}

static int
severity_of(const char *s, CkptSeverity *out)
{
  for (int i = CKPT_SEV_INFO; i <= CKPT_SEV_CRITICAL; i++)
    if (s && g_ascii_strcasecmp(s, ckpt_severity_name((CkptSeverity)i)) == 0) {
      *out = (CkptSeverity)i;
      return 1;
    }
  return 0;
}

typedef struct {
  const CkptApi *api;
  CkptRun *run;
  GPtrArray *all; /* Finding* */
  CkptSeverity min;
  char **only, **skip;
} Ctx;

static const char *
cell_str(const CkptValue *row, int col)
{
  return col >= 0 && row[col].type == CKPT_T_STR ? row[col].v.s : NULL;
}

static uint64_t
cell_u(const CkptValue *row, int col)
{
  if (col < 0)
    return 0;
  switch (row[col].type) {
  case CKPT_T_UINT:
  case CKPT_T_ADDR:
  case CKPT_T_SIZE:
    return row[col].v.u;
  case CKPT_T_INT:
    return row[col].v.i > 0 ? (uint64_t)row[col].v.i : 0;
  default:
    return 0;
  }
}

static int
cell_null(const CkptValue *row, int col)
{
  return col < 0 || row[col].type == CKPT_T_NULL;
}

static gboolean
wanted(Ctx *c, const char *id, CkptSeverity sev)
{
  if (sev < c->min)
    return FALSE;
  if (c->only && !g_strv_contains((const char *const *)c->only, id))
    return FALSE;
  if (c->skip && g_strv_contains((const char *const *)c->skip, id))
    return FALSE;
  return TRUE;
}

static void
add(Ctx *c, Finding *f)
{
  if (!f->id || !wanted(c, f->id, f->severity)) {
    finding_free(f);
    return;
  }
  g_ptr_array_add(c->all, f);
}

/* a findings table in the shared schema */
static void
gather_schema(Ctx *c, const char *plugin)
{
  const CkptApi *api = c->api;
  const CkptResult *r = api->result(c->run, plugin, CKPT_FINDINGS_TABLE);
  if (!r)
    return;
  static const char *const names[] = {
      "id",      "severity", "title",    "pid",    "tid", "fd",
      "address", "path",     "evidence", "attack", "why", "more"};
  int col[12];
  for (int i = 0; i < 12; i++)
    col[i] = api->result_column(r, names[i]);
  if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
    api->log(c->run, CKPT_LOG_WARNING,
             "plugin %s: its findings table is not in the findings schema "
             "(id, severity, title ...): left out",
             plugin);
    return;
  }
  for (size_t i = 0; i < api->result_rows(r); i++) {
    const CkptValue *row = api->result_row(r, i, NULL);
    Finding *f = g_new0(Finding, 1);
    if (!severity_of(cell_str(row, col[1]), &f->severity)) {
      api->log(c->run, CKPT_LOG_WARNING,
               "plugin %s: finding %s has no known severity: left out", plugin,
               cell_str(row, col[0]) ? cell_str(row, col[0]) : "?");
      g_free(f);
      continue;
    }
    f->id = g_strdup(cell_str(row, col[0]));
    f->title = g_strdup(cell_str(row, col[2]));
    f->pid = (uint32_t)cell_u(row, col[3]);
    f->tid = (uint32_t)cell_u(row, col[4]);
    f->fd = cell_null(row, col[5]) ? -1 : (int)cell_u(row, col[5]);
    f->address = cell_u(row, col[6]);
    f->path = g_strdup(cell_str(row, col[7]));
    f->evidence = g_strdup(cell_str(row, col[8]));
    f->attack = g_strdup(cell_str(row, col[9]));
    f->why = g_strdup(cell_str(row, col[10]));
    f->more = g_strdup(cell_str(row, col[11]));
    f->source = g_strdup(plugin);
    add(c, f);
  }
}

/* secrets' own findings table: one "secret" finding per credential */
static void
gather_secrets(Ctx *c)
{
  const CkptApi *api = c->api;
  const CkptResult *r = api->result(c->run, "secrets", "findings");
  if (!r)
    return;
  int kind = api->result_column(r, "kind"),
      sev = api->result_column(r, "severity"),
      value = api->result_column(r, "value"),
      count = api->result_column(r, "count"),
      pids = api->result_column(r, "pids"),
      first = api->result_column(r, "first"),
      sources = api->result_column(r, "sources");
  for (size_t i = 0; i < api->result_rows(r); i++) {
    const CkptValue *row = api->result_row(r, i, NULL);
    Finding *f = g_new0(Finding, 1);
    if (!severity_of(cell_str(row, sev), &f->severity))
      f->severity = CKPT_SEV_MEDIUM;
    f->id = g_strdup("secret");
    f->title = g_strdup_printf("credential: %s",
                               cell_str(row, kind) ? cell_str(row, kind) : "?");
    const char *p = cell_str(row, pids);
    f->pid = p ? (uint32_t)g_ascii_strtoull(p, NULL, 10) : 0;
    f->fd = -1;
    f->evidence = g_strdup_printf(
        "%s, %" G_GUINT64_FORMAT " places (%s), first: %s",
        cell_str(row, value) ? cell_str(row, value) : "?", cell_u(row, count),
        cell_str(row, sources) ? cell_str(row, sources) : "?",
        cell_str(row, first) ? cell_str(row, first) : "?");
    f->attack = g_strdup("T1552");
    f->why = g_strdup("a credential held in the container: whoever had the "
                      "container has it, so rotate it");
    f->more = g_strdup("ckpt secrets FILE");
    f->source = g_strdup("secrets");
    add(c, f);
  }
}

/* yara's hits, one finding per process and rule */
static void
gather_yara(Ctx *c)
{
  const CkptApi *api = c->api;
  const CkptResult *r = api->result(c->run, "yara", "hits");
  if (!r)
    return;
  int pid = api->result_column(r, "pid"), rule = api->result_column(r, "rule"),
      ns = api->result_column(r, "namespace"),
      sev = api->result_column(r, "severity"),
      addr = api->result_column(r, "address"),
      vma = api->result_column(r, "vma"), file = api->result_column(r, "file"),
      str = api->result_column(r, "string");
  GHashTable *seen =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (size_t i = 0; i < api->result_rows(r); i++) {
    const CkptValue *row = api->result_row(r, i, NULL);
    const char *n = cell_str(row, ns), *rl = cell_str(row, rule);
    if (!rl || (n && (strcmp(n, "credentials") == 0 || strcmp(n, "keys") == 0)))
      continue; /* secrets reports these, with their values redacted */
    uint64_t p = cell_u(row, pid);
    char *key = g_strdup_printf("%" G_GUINT64_FORMAT "\t%s\t%s", p, rl,
                                cell_str(row, file) ? cell_str(row, file) : "");
    if (!g_hash_table_add(seen, key))
      continue;
    Finding *f = g_new0(Finding, 1);
    if (!severity_of(cell_str(row, sev), &f->severity))
      f->severity = CKPT_SEV_MEDIUM;
    int miner = n && strcmp(n, "miners") == 0;
    f->id = g_strdup(miner ? "miner" : "yara-match");
    f->title = miner ? g_strdup(cell_str(row, file)
                                    ? "cryptocurrency miner strings in a "
                                      "root FS file"
                                    : "cryptocurrency miner strings in memory")
                     : g_strdup_printf("YARA rule %s matched", rl);
    f->pid = (uint32_t)p;
    f->fd = -1;
    f->address = cell_u(row, addr);
    f->path = g_strdup(cell_str(row, file));
    f->evidence = g_strdup_printf(
        "rule %s%s%s, string %s at %#" G_GINT64_MODIFIER "x in %s", rl,
        n ? " in " : "", n ? n : "",
        cell_str(row, str) ? cell_str(row, str) : "?", f->address,
        cell_str(row, vma) ? cell_str(row, vma) : "the rootfs diff");
    f->attack = g_strdup(miner ? "T1496" : NULL);
    f->why = g_strdup(miner ? "miners spend the node's CPU for someone else"
                            : "a rule written for something bad matched");
    f->more = p ? g_strdup_printf("ckpt yara FILE --pid %" G_GUINT64_FORMAT, p)
                : g_strdup("ckpt yara FILE");
    f->source = g_strdup("yara");
    add(c, f);
  }
  g_hash_table_unref(seen);
}

static int
cmp_findings(gconstpointer a, gconstpointer b)
{
  const Finding *x = *(Finding *const *)a, *y = *(Finding *const *)b;
  if (x->severity != y->severity)
    return x->severity > y->severity ? -1 : 1;
  int d = g_strcmp0(x->id, y->id);
  if (d)
    return d;
  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  return g_strcmp0(x->evidence, y->evidence);
}

static char **
split_list(const char *s)
{
  if (!s || !*s)
    return NULL;
  char **v = g_strsplit(s, ",", -1);
  for (char **p = v; *p; p++)
    g_strstrip(*p);
  return v;
}

static CkptStatus
triage_run(const CkptApi *api, CkptRun *run)
{
  Ctx c = {api,           run,  g_ptr_array_new_with_free_func(finding_free),
           CKPT_SEV_INFO, NULL, NULL};
  const char *min = api->opt_str(run, "min-severity");
  if (min && *min && !severity_of(min, &c.min)) {
    api->error(run,
               "min-severity: %s is not one of info, low, medium, high, "
               "critical",
               min);
    g_ptr_array_unref(c.all);
    return CKPT_FAILED;
  }
  CkptSeverity fail_on = CKPT_SEV_HIGH;
  const char *fo = api->opt_str(run, "fail-on");
  if (fo && *fo && !severity_of(fo, &fail_on)) {
    api->error(run,
               "fail-on: %s is not one of info, low, medium, high, "
               "critical",
               fo);
    g_ptr_array_unref(c.all);
    return CKPT_FAILED;
  }
  c.only = split_list(api->opt_str(run, "only"));
  c.skip = split_list(api->opt_str(run, "skip"));

  gather_schema(&c, "detect");
  gather_yara(&c);
  gather_secrets(&c);
  g_auto(GStrv) with = split_list(api->opt_str(run, "with"));
  for (char **w = with; w && *w; w++) {
    if (strcmp(*w, "detect") == 0 || strcmp(*w, "yara") == 0 ||
        strcmp(*w, "secrets") == 0 || strcmp(*w, "triage") == 0)
      continue;
    gather_schema(&c, *w);
  }
  g_ptr_array_sort(c.all, cmp_findings);

  uint64_t count[5] = {0}, secrets = 0;
  int evil = -1; /* most severe non-secret finding */
  for (guint i = 0; i < c.all->len; i++) {
    const Finding *f = g_ptr_array_index(c.all, i);
    count[f->severity]++;
    if (strcmp(f->id, "secret") == 0)
      secrets++;
    else if ((int)f->severity > evil)
      evil = (int)f->severity;
  }
  const char *verdict = evil >= CKPT_SEV_HIGH     ? "compromised"
                        : evil == CKPT_SEV_MEDIUM ? "suspicious"
                                                  : "clean";
  const char *max =
      c.all->len ? ckpt_severity_name(
                       ((const Finding *)g_ptr_array_index(c.all, 0))->severity)
                 : NULL;
  CkptValue v[] = {CKPT_STR(verdict),
                   CKPT_STR(max),
                   CKPT_UINT(c.all->len),
                   CKPT_UINT(count[CKPT_SEV_CRITICAL]),
                   CKPT_UINT(count[CKPT_SEV_HIGH]),
                   CKPT_UINT(count[CKPT_SEV_MEDIUM]),
                   CKPT_UINT(count[CKPT_SEV_LOW]),
                   CKPT_UINT(count[CKPT_SEV_INFO]),
                   CKPT_UINT(secrets)};
  api->emit(run, T_VERDICT, 0, v, G_N_ELEMENTS(v));

  for (guint i = 0; i < c.all->len; i++) {
    const Finding *f = g_ptr_array_index(c.all, i);
    CkptFinding cf = {f->id,       f->severity, f->title,   f->pid,
                      f->tid,      f->fd,       f->address, f->path,
                      f->evidence, f->attack,   f->why,     f->more};
    CkptValue row[CKPT_FINDING_N_COLUMNS + 1];
    ckpt_finding_values(&cf, row);
    row[CKPT_FINDING_N_COLUMNS] = CKPT_STR(f->source);
    api->emit(run, T_FINDINGS, 0, row, G_N_ELEMENTS(row));
  }
  for (guint i = 0; i < c.all->len; i++) {
    const Finding *f = g_ptr_array_index(c.all, i);
    if (f->severity < fail_on)
      break; /* sorted, most severe first */
    CkptValue g[] = {CKPT_STR(f->id), CKPT_STR(ckpt_severity_name(f->severity)),
                     f->pid ? CKPT_UINT(f->pid) : CKPT_NULL};
    api->emit(run, T_GATE, 0, g, G_N_ELEMENTS(g));
  }
  g_strfreev(c.only);
  g_strfreev(c.skip);
  g_ptr_array_unref(c.all);
  return CKPT_OK;
}

static const char *const depends[] = {"detect", "yara", "secrets", NULL};

CKPT_PLUGIN_DEFINE_READS(
    CKPT_READS_MODEL, "triage", "0.1.0",
    "the findings of detect, yara, secrets and third-party "
    "detectors, filtered and sorted, and a verdict",
    "Apache-2.0", options, depends, tables, NULL, triage_run, NULL);

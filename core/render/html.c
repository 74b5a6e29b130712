/* html.c - the HTML format: one self-contained page (no script, no
 * network, no font or style from elsewhere; a strict Content-Security-
 * Policy says so to the browser) that opens from disk or a mail.
 *
 * Rows are copied as they come (a row store per checkpoint) and each
 * checkpoint's part of the page is written when it ends, in sections
 * declared below: summary and verdict, findings, process tree, memory
 * maps, sockets, open files, root FS changes, timeline, then every other
 * table. A table is drawn from its declaration (layout, columns, hints)
 * like the text formats draw it; the findings, memory maps and timeline
 * get pictures, from the column names the declarations below give
 * (html-pictures.c). Times are UTC and nothing depends on the clock or
 * the machine, so the same checkpoint gives the same bytes.
 */
#include <string.h>

#include "render/html.h"

/* ---- escaping ------------------------------------------------------------
 */

void
ckpt_html_special(GString *out, const char *s)
{
  for (; *s; s++)
    switch (*s) {
    case '&':
      g_string_append(out, "&amp;");
      break;
    case '<':
      g_string_append(out, "&lt;");
      break;
    case '>':
      g_string_append(out, "&gt;");
      break;
    case '"':
      g_string_append(out, "&quot;");
      break;
    case '\'':
      g_string_append(out, "&#39;");
      break;
    default:
      g_string_append_c(out, *s);
    }
}

void
ckpt_html_text(GString *out, const char *s)
{
  if (s == NULL)
    return;
  g_autoptr(GString) t = g_string_new(NULL);
  ckpt_text_escape(t, s, -1);
  ckpt_html_special(out, t->str);
}

void
ckpt_html_value(GString *out, const CkptValue *v)
{
  /* ckpt_value_text escapes as the text formats do; then HTML's turn */
  g_autofree char *t = ckpt_value_text(v, TRUE);
  ckpt_html_special(out, t);
}

const char *
ckpt_html_class(const char *text)
{
  static const char *const names[] = {"critical",   "high",        "medium",
                                      "low",        "info",        "clean",
                                      "suspicious", "compromised", NULL};
  for (size_t i = 0; text && names[i]; i++)
    if (strcmp(text, names[i]) == 0)
      return names[i];
  return NULL;
}

uint64_t
ckpt_html_u64(const CkptResult *t, const CkptRow *row, const char *name)
{
  const CkptValue *v = name ? ckpt_row_cell(t, row, name) : NULL;
  if (v == NULL)
    return 0;
  switch (v->type) {
  case CKPT_T_UINT:
  case CKPT_T_ADDR:
  case CKPT_T_SIZE:
    return v->v.u;
  case CKPT_T_INT:
  case CKPT_T_TIME:
    return (uint64_t)v->v.i;
  default:
    return 0;
  }
}

/* ---- what the page shows, declared ---------------------------------------
 */

typedef enum {
  SEC_TABLES,   /* tables, as their declarations draw them */
  SEC_FINDINGS, /* cards coloured by severity */
  SEC_MAPS,     /* a memory map picture per process */
  SEC_TIMELINE,
} SectionKind;

typedef struct {
  const char *id; /* anchor, our text */
  const char *title;
  SectionKind kind;
  const char *tables[4]; /* "plugin.table", NULL-ended */
  /* the first table's columns to show, comma-separated; NULL: all but
   * the HIDDEN ones. Every column is still in JSON. */
  const char *columns;
} Section;

static const Section sections[] = {
    {"findings", "Findings", SEC_FINDINGS, {"triage.findings"}},
    {"processes",
     "Process tree",
     SEC_TABLES,
     {"pstree.processes"},
     "pid,command,cmdline,task_state,exit_code,uid,gid,threads,memory,"
     "seccomp,exe,env_source"},
    {"memory", "Memory maps", SEC_MAPS, {"memory.maps", "pages.runs"}},
    {"sockets",
     "Sockets",
     SEC_TABLES,
     {"sockets.sockets"},
     "pid,fd,protocol,type,state,local,remote,address,peer,in_queue,"
     "out_queue,inode"},
    {"files",
     "Open files",
     SEC_TABLES,
     {"files.files"},
     "pid,fd,type,path,kind,pos,size,detail"},
    {"rootfs",
     "Root file system changes",
     SEC_TABLES,
     {"rootfs.changes", "container.deleted_files"}},
    {"timeline", "Timeline", SEC_TIMELINE, {NULL}},
};

/* The summary's tables, drawn as records. */
static const char *const summary_tables[] = {"container.info",
                                             "container.sizes", NULL};
static const char *const verdict_table = "triage.verdict";

static const CkptHtmlMapPicture maps_picture = {
    .table = "memory.maps",
    .group = "pid",
    .start = "start",
    .end = "end",
    .kind = "vma",
    .present = "present",
    .perms = "perms",
    .path = "path",
    .names = "pstree.processes",
    .name = "command",
    .kernel = "vdso,vvar,vsyscall",
    .runs = "pages.runs",
    .runs_group = "pid",
    .runs_start = "start",
    .runs_end = "end",
};

static const CkptHtmlTimeSource time_sources[] = {
    {"container.info", "created", FALSE, NULL, NULL, "container created",
     "container"},
    {"container.info", "checkpointed", FALSE, NULL, NULL, "checkpointed",
     "container"},
    {"triage.findings", "evidence", TRUE, "id", "shell-history",
     "pid {pid}: {evidence}", "shell"},
    {"rootfs.changes", "mtime", FALSE, NULL, NULL, "{change} {path}", "file"},
    {NULL},
};

/* Rows of the timeline; a root FS of many files would drown the rest. */
#define MAX_EVENTS 400

/* ---- the renderer --------------------------------------------------------
 */

typedef struct {
  CkptRenderer base;
  CkptRowStore *store;
  GPtrArray *plugins; /* const CkptPluginResult*, this checkpoint */
  CkptResult **cur;   /* the running plugin's copies, by table */
  size_t n_cur;
  GArray *copies; /* Copy: every table copied, in order */
} Html;

typedef struct {
  const CkptPluginResult *pr;
  const CkptResult *t;
} Copy;

static const char css[] =
    ":root{--fg:#1d2330;--mut:#5c6578;--line:#d8dde6;--bg:#f6f7f9;"
    "--card:#fff;--crit:#8b0f1a;--high:#d7301f;--med:#e69500;--low:#3b7dd8;"
    "--info:#6b7588}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
    "'DejaVu Sans',sans-serif;color:var(--fg);background:var(--bg)}\n"
    "header.top{background:#1d2330;color:#fff;padding:14px 28px}\n"
    "header.top h1{margin:0;font-size:18px;font-weight:600}\n"
    "header.top p{margin:2px 0 0;color:#b8c0d0;font-size:12px}\n"
    "main{max-width:1240px;margin:0 auto;padding:8px 24px 40px}\n"
    "section.ckpt>h1{font-size:22px;margin:22px 0 2px;word-break:break-all}\n"
    "p.path{margin:0 0 10px;color:var(--mut);font-family:monospace;"
    "word-break:break-all}\n"
    "nav{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 14px}\n"
    "nav a{padding:3px 10px;border:1px solid var(--line);border-radius:14px;"
    "background:var(--card);color:var(--fg);text-decoration:none;"
    "font-size:12px}\n"
    "section.part{background:var(--card);border:1px solid var(--line);"
    "border-radius:8px;padding:12px 18px;margin:14px 0}\n"
    "section.part>h2{font-size:16px;margin:2px 0 10px}\n"
    "h3{font-size:14px;margin:14px 0 2px}\n"
    "h2 .count,h3 .count{color:var(--mut);font-weight:400}\n"
    ".verdict{display:flex;align-items:center;gap:16px;padding:12px 16px;"
    "border-radius:8px;color:#fff;margin-bottom:12px}\n"
    ".verdict .word{font-size:24px;font-weight:700;text-transform:uppercase;"
    "letter-spacing:.04em}\n"
    ".verdict.compromised{background:var(--crit)}\n"
    ".verdict.suspicious{background:var(--med)}\n"
    ".verdict.clean{background:#2f8f46}\n"
    ".verdict.unknown{background:var(--info)}\n"
    ".counts span{display:inline-block;margin-right:6px;padding:1px 8px;"
    "border-radius:10px;background:rgba(255,255,255,.2)}\n"
    "dl.rec{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;"
    "margin:4px 0 10px}\n"
    "dl.rec dt{color:var(--mut)}\n"
    "dl.rec dd{margin:0;word-break:break-all;font-family:monospace}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:12.5px;width:100%}\n"
    "th{text-align:left;background:#eef1f5;color:#333b4d;font-weight:600;"
    "padding:4px 8px;border-bottom:1px solid var(--line);white-space:nowrap}\n"
    "td{padding:3px 8px;border-bottom:1px solid #eceff4;vertical-align:top;"
    "font-family:monospace;white-space:nowrap}\n"
    "td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:240px;"
    "max-width:560px}\n"
    "tr:nth-child(even) td{background:#fafbfc}\n"
    "td.tree{white-space:pre}\n"
    ".badge{display:inline-block;min-width:64px;text-align:center;"
    "padding:1px 8px;border-radius:10px;color:#fff;font-size:11px;"
    "font-weight:700;text-transform:uppercase;font-family:system-ui,"
    "sans-serif}\n"
    ".badge.critical{background:var(--crit)}.badge.high{background:"
    "var(--high)}.badge.medium{background:var(--med)}.badge.low{background:"
    "var(--low)}.badge.info{background:var(--info)}\n"
    ".finding{border:1px solid var(--line);border-left:6px solid "
    "var(--info);border-radius:6px;padding:8px 12px;margin:8px 0}\n"
    ".finding.critical{border-left-color:var(--crit);background:#fdf3f4}\n"
    ".finding.high{border-left-color:var(--high);background:#fef6f4}\n"
    ".finding.medium{border-left-color:var(--med);background:#fffaf0}\n"
    ".finding.low{border-left-color:var(--low)}\n"
    ".finding .fhead{display:flex;flex-wrap:wrap;gap:10px;align-items:"
    "baseline}\n"
    ".finding .ftitle{font-weight:600}\n"
    ".finding .meta{color:var(--mut);font-size:12px}\n"
    ".finding pre{margin:6px 0;padding:6px 8px;background:#f1f3f7;"
    "border-radius:4px;white-space:pre-wrap;word-break:break-all;"
    "font-size:12px}\n"
    ".finding p{margin:2px 0;font-size:12.5px}\n"
    ".finding code,.more code{font-size:11.5px;color:#39435a}\n"
    "p.none,p.sub{color:var(--mut);margin:4px 0}\n"
    ".problems{border-left:4px solid var(--high);padding:4px 10px;"
    "background:#fff4f2}\n"
    "svg.map{display:block;margin:4px 0 2px;background:#fbfcfd;"
    "border:1px solid #eceff4;border-radius:4px}\n"
    ".vma .bg{fill-opacity:.25}.vma .pr{fill-opacity:.95}\n"
    ".k-file{fill:#4c78a8;background:#4c78a8}.k-anon{fill:#9c6fb6;"
    "background:#9c6fb6}.k-heap{fill:#f58518;background:#f58518}"
    ".k-stack{fill:#54a24b;background:#54a24b}.k-memfd,.k-shared,"
    ".k-sysvipc{fill:#e45756;background:#e45756}.k-vdso,.k-vvar,"
    ".k-vsyscall{fill:#72b7b2;background:#72b7b2}.k-guard,.k-other"
    "{fill:#9d9da1;background:#9d9da1}\n"
    ".hl{stroke:#fff;stroke-width:2;stroke-opacity:.7}\n"
    ".xm{fill:#c81e1e}\n"
    ".alarm{fill:none;stroke:#c81e1e;stroke-width:2.5}\n"
    "tr.alarm td{background:#fde8e8}\n"
    ".gap{fill:none;stroke:#8a93a6;stroke-width:1.2}\n"
    "text.lbl{font:10px system-ui,sans-serif;fill:#333b4d}\n"
    "text.addr{font:9.5px monospace;fill:#6b7588}\n"
    ".legend{font-size:12px;color:var(--mut)}\n"
    ".sw{display:inline-block;width:12px;height:10px;margin:0 3px 0 8px;"
    "vertical-align:middle;border-radius:2px}\n"
    ".sw.dim{background:#4c78a8;opacity:.25}.sw.hatch{background:"
    "repeating-linear-gradient(45deg,#9c6fb6 0 3px,#e6dbee 3px 6px)}"
    ".sw.xmk{background:#c81e1e;height:4px}.sw.alarmk{border:2px solid "
    "#c81e1e}\n"
    ".bad{color:#c81e1e}\n"
    "svg.tl{display:block;margin:2px 0 8px}\n"
    ".axis{stroke:#b8c0d0;stroke-width:2}\n"
    "circle.ev-container{fill:#1d2330}circle.ev-shell{fill:#d7301f}"
    "circle.ev-file{fill:#4c78a8;fill-opacity:.6}\n"
    ".tag{display:inline-block;padding:0 6px;border-radius:8px;color:#fff;"
    "font-size:11px;font-family:system-ui,sans-serif}\n"
    ".tag.ev-container{background:#1d2330}.tag.ev-shell{background:"
    "#d7301f}.tag.ev-file{background:#4c78a8}\n"
    "td.when{white-space:nowrap}\n"
    "details>summary{cursor:pointer;color:#39435a;margin:4px 0}\n"
    "footer{color:var(--mut);font-size:12px;text-align:center;"
    "margin:20px}\n";

static void
html_begin(CkptRenderer *r)
{
  g_string_append(r->buf,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                  "<meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" "
                  "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width\">\n"
                  "<meta name=\"generator\" content=\"ckpt\">\n"
                  "<title>ckpt report</title>\n<style>\n");
  g_string_append(r->buf, css);
  g_string_append(r->buf,
                  "</style>\n</head>\n<body>\n<header class=\"top\"><h1>ckpt "
                  "report</h1><p>forensic analysis of container "
                  "checkpoints</p></header>\n<main>\n");
}

static void
html_checkpoint_begin(CkptRenderer *r, const CkptReport *rep)
{
  (void)rep;
  Html *h = (Html *)r;
  ckpt_row_store_free(h->store);
  h->store = ckpt_row_store_new();
  g_ptr_array_set_size(h->plugins, 0);
  g_array_set_size(h->copies, 0);
}

static void
html_plugin_begin(CkptRenderer *r, const CkptPluginResult *pr)
{
  Html *h = (Html *)r;
  g_free(h->cur);
  h->n_cur = pr->n_tables;
  h->cur = g_new0(CkptResult *, pr->n_tables ? pr->n_tables : 1);
  for (size_t i = 0; i < pr->n_tables; i++)
    if (ckpt_render_wanted(&r->opt, pr->name, pr->tables[i].decl->name)) {
      h->cur[i] = ckpt_row_store_add_table(h->store, pr, i);
      Copy c = {pr, h->cur[i]};
      g_array_append_val(h->copies, c);
    }
  g_ptr_array_add(h->plugins, (gpointer)pr);
}

static void
html_row(CkptRenderer *r, const CkptPluginResult *pr, size_t t,
         const CkptRow *row)
{
  (void)pr;
  Html *h = (Html *)r;
  if (t < h->n_cur && h->cur[t])
    ckpt_row_store_add_row(h->store, h->cur[t], row);
}

static void
html_plugin_end(CkptRenderer *r, const CkptPluginResult *pr)
{
  (void)r;
  (void)pr;
}

/* ---- tables --------------------------------------------------------------
 */

static gboolean
shown_column(const CkptColumn *c)
{
  return !(c->flags & CKPT_COL_HIDDEN);
}

gboolean
ckpt_html_listed(const char *list, const char *c)
{
  size_t n = strlen(c);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && strncmp(p, c, n) == 0)
      return TRUE;
    p = e ? e + 1 : p + len;
  }
  return FALSE;
}

static void
cell_html(GString *out, const CkptResult *t, size_t c, const CkptRow *row)
{
  const CkptValue *v = &row->values[c];
  const char *cls = v->type == CKPT_T_STR ? ckpt_html_class(v->v.s) : NULL;
  if (cls && strcmp(t->decl->columns[c].name, "severity") == 0) {
    g_string_append_printf(out, "<span class=\"badge %s\">", cls);
    ckpt_html_value(out, v);
    g_string_append(out, "</span>");
    return;
  }
  ckpt_html_value(out, v);
}

static void
record_html(GString *out, const CkptResult *t)
{
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    g_string_append(out, "<dl class=\"rec\">");
    for (size_t c = 0; c < t->n_columns; c++) {
      const CkptColumn *col = &t->decl->columns[c];
      if (!shown_column(col) || row->values[c].type == CKPT_T_NULL)
        continue;
      g_autofree char *title = ckpt_column_title(col);
      g_string_append(out, "<dt>");
      ckpt_html_special(out, title);
      g_string_append(out, "</dt><dd>");
      cell_html(out, t, c, row);
      g_string_append(out, "</dd>");
    }
    g_string_append(out, "</dl>\n");
  }
}

/* A tree's columns are its LABEL and DETAIL ones when it has any. */
static gboolean
tree_column(const CkptResult *t, size_t c)
{
  gboolean hinted = FALSE;
  for (size_t i = 0; i < t->n_columns; i++)
    hinted |=
        (t->decl->columns[i].flags & (CKPT_COL_LABEL | CKPT_COL_DETAIL)) != 0;
  const CkptColumn *col = &t->decl->columns[c];
  if (!shown_column(col))
    return FALSE;
  return !hinted || (col->flags & (CKPT_COL_LABEL | CKPT_COL_DETAIL));
}

/* A grid's columns: the section's list, else a tree's LABEL and DETAIL
 * ones, else all but the HIDDEN ones. */
static gboolean
grid_column(const CkptResult *t, size_t c, const char *columns)
{
  if (columns)
    return ckpt_html_listed(columns, t->decl->columns[c].name);
  if (t->decl->layout == CKPT_LAYOUT_TREE)
    return tree_column(t, c);
  return shown_column(&t->decl->columns[c]);
}

static void
grid_html(GString *out, const CkptResult *t, const char *id,
          const char *columns)
{
  gboolean tree = t->decl->layout == CKPT_LAYOUT_TREE;
  g_string_append(out, "<div class=\"scroll\"><table id=\"");
  ckpt_html_special(out, id);
  g_string_append(out, "\"><thead><tr>");
  for (size_t c = 0; c < t->n_columns; c++) {
    if (!grid_column(t, c, columns))
      continue;
    g_autofree char *title = ckpt_column_title(&t->decl->columns[c]);
    g_string_append(out, "<th>");
    ckpt_html_special(out, title);
    g_string_append(out, "</th>");
  }
  g_string_append(out, "</tr></thead><tbody>\n");
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    g_string_append(out, "<tr>");
    gboolean first = TRUE;
    for (size_t c = 0; c < t->n_columns; c++) {
      if (!grid_column(t, c, columns))
        continue;
      g_autofree char *text = ckpt_value_text(&row->values[c], TRUE);
      /* long text wraps anywhere; short text never */
      const char *td =
          g_utf8_strlen(text, -1) > 40 ? "<td class=\"wrap\">" : "<td>";
      if (tree && first) {
        /* the depth as indentation: a number of ours, not input text */
        g_string_append(out, "<td class=\"tree\">");
        for (unsigned d = 0; d < MIN(row->depth, 64u); d++)
          g_string_append(out, d + 1 == row->depth ? "\u2514\u2500 " : "   ");
      } else {
        g_string_append(out, td);
      }
      first = FALSE;
      cell_html(out, t, c, row);
      g_string_append(out, "</td>");
    }
    g_string_append(out, "</tr>\n");
  }
  g_string_append(out, "</tbody></table></div>\n");
}

/* One table, headed by its title and row count. */
static void
table_html(GString *out, const CkptResult *t, const char *spec, guint doc,
           gboolean heading, const char *columns)
{
  g_autofree char *id = g_strdup_printf("c%u-%s", doc, spec);
  g_strdelimit(id, ".", '-');
  if (heading) {
    g_autofree char *title = ckpt_table_title(t->decl);
    g_string_append(out, "<h3>");
    ckpt_html_special(out, title);
    g_string_append_printf(out, " <span class=\"count\">(%u)</span></h3>\n",
                           t->rows->len);
  }
  if (t->rows->len == 0) {
    g_string_append(out, "<p class=\"none\">none</p>\n");
    return;
  }
  if (t->decl->layout == CKPT_LAYOUT_RECORD)
    record_html(out, t);
  else
    grid_html(out, t, id, columns);
}

/* ---- sections ------------------------------------------------------------
 */

static const char *
str_cell(const CkptResult *t, const CkptRow *row, const char *name)
{
  return ckpt_cell_str(t, row, name);
}

static void
summary_html(Html *h, GString *out, const CkptReport *rep, guint doc)
{
  g_string_append_printf(out,
                         "<section class=\"part\" id=\"c%u-summary\">"
                         "<h2>Summary</h2>\n",
                         doc);
  const CkptResult *v = ckpt_row_store_spec(h->store, verdict_table);
  const CkptRow *vr = v ? ckpt_first_row(v) : NULL;
  if (vr) {
    const char *word = str_cell(v, vr, "verdict");
    const char *cls = ckpt_html_class(word);
    g_string_append_printf(out,
                           "<div class=\"verdict %s\"><span "
                           "class=\"word\">",
                           cls ? cls : "unknown");
    ckpt_html_text(out, word ? word : "unknown");
    g_string_append(out, "</span><span class=\"counts\">");
    static const char *const sev[] = {"critical", "high", "medium",
                                      "low",      "info", "secrets"};
    for (size_t i = 0; i < G_N_ELEMENTS(sev); i++)
      g_string_append_printf(out, "<span>%" G_GUINT64_FORMAT " %s</span>",
                             ckpt_html_u64(v, vr, sev[i]), sev[i]);
    g_string_append_printf(
        out, "</span><span>%" G_GUINT64_FORMAT " findings</span></div>\n",
        ckpt_html_u64(v, vr, "findings"));
  }
  for (size_t i = 0; summary_tables[i]; i++) {
    const CkptResult *t = ckpt_row_store_spec(h->store, summary_tables[i]);
    if (t)
      record_html(out, t);
  }
  /* what went wrong: the checkpoint's own problems, then each plugin's */
  gboolean any = rep->errors->len || rep->warnings->len;
  for (guint p = 0; p < h->plugins->len && !any; p++) {
    const CkptPluginResult *pr = g_ptr_array_index(h->plugins, p);
    any = pr->outcome != CKPT_PLUGIN_RAN_OK || pr->messages->len;
  }
  if (any) {
    g_string_append(out, "<div class=\"problems\"><h3>Problems</h3><ul>");
    for (guint i = 0; i < rep->errors->len; i++) {
      g_string_append(out, "<li>error: ");
      ckpt_html_text(out, g_ptr_array_index(rep->errors, i));
      g_string_append(out, "</li>");
    }
    for (guint i = 0; i < rep->warnings->len; i++) {
      g_string_append(out, "<li>warning: ");
      ckpt_html_text(out, g_ptr_array_index(rep->warnings, i));
      g_string_append(out, "</li>");
    }
    for (guint p = 0; p < h->plugins->len; p++) {
      const CkptPluginResult *pr = g_ptr_array_index(h->plugins, p);
      if (pr->outcome == CKPT_PLUGIN_RAN_OK && pr->messages->len == 0)
        continue;
      g_string_append(out, "<li>");
      ckpt_html_text(out, pr->name);
      g_string_append(out, ": ");
      ckpt_html_text(out, ckpt_outcome_name(pr->outcome));
      for (guint i = 0; i < pr->messages->len; i++) {
        g_string_append(out, i ? "; " : ": ");
        ckpt_html_text(out, g_ptr_array_index(pr->messages, i));
      }
      g_string_append(out, "</li>");
    }
    g_string_append(out, "</ul></div>\n");
  }
  g_string_append(out, "</section>\n");
}

static void
labelled(GString *out, const char *label, const CkptResult *t,
         const CkptRow *row, const char *name, const char *wrap)
{
  const CkptValue *v = ckpt_row_cell(t, row, name);
  if (v == NULL || v->type == CKPT_T_NULL)
    return;
  if (v->type == CKPT_T_INT && v->v.i < 0)
    return; /* fd -1: none */
  g_string_append_printf(out, "<span class=\"meta\">%s <%s>", label, wrap);
  ckpt_html_value(out, v);
  g_string_append_printf(out, "</%s></span>", wrap);
}

static void
findings_html(GString *out, const CkptResult *t, guint doc)
{
  if (t == NULL || t->rows->len == 0) {
    g_string_append(out, "<p class=\"none\">no findings</p>\n");
    return;
  }
  guint n_info = 0;
  for (guint i = 0; i < t->rows->len; i++) {
    const char *sev =
        str_cell(t, &g_array_index(t->rows, CkptRow, i), "severity");
    n_info += ckpt_html_class(sev) == NULL || g_strcmp0(sev, "info") == 0;
  }
  g_string_append_printf(out, "<div id=\"c%u-findings-list\">\n", doc);
  gboolean folded = FALSE;
  for (guint i = 0; i < t->rows->len; i++) {
    const CkptRow *row = &g_array_index(t->rows, CkptRow, i);
    const char *cls = ckpt_html_class(str_cell(t, row, "severity"));
    if (cls == NULL)
      cls = "info";
    /* what is only informative (shell history, ...) is folded, to keep
     * what matters on the first screen */
    if (strcmp(cls, "info") == 0 && !folded && n_info < t->rows->len) {
      g_string_append_printf(out,
                             "<details class=\"info\"><summary>%u "
                             "informative finding%s</summary>\n",
                             n_info, n_info == 1 ? "" : "s");
      folded = TRUE;
    }
    g_string_append_printf(out,
                           "<div class=\"finding %s\"><div class=\"fhead\">"
                           "<span class=\"badge %s\">%s</span>"
                           "<span class=\"ftitle\">",
                           cls, cls, cls);
    ckpt_html_text(out, str_cell(t, row, "title"));
    g_string_append(out, "</span>");
    labelled(out, "id", t, row, "id", "code");
    labelled(out, "pid", t, row, "pid", "b");
    labelled(out, "fd", t, row, "fd", "b");
    labelled(out, "at", t, row, "address", "code");
    labelled(out, "ATT&amp;CK", t, row, "attack", "code");
    g_string_append(out, "</div>\n");
    const char *path = str_cell(t, row, "path");
    if (path) {
      g_string_append(out, "<p>path <code>");
      ckpt_html_text(out, path);
      g_string_append(out, "</code></p>");
    }
    const char *ev = str_cell(t, row, "evidence");
    if (ev) {
      g_string_append(out, "<pre>");
      ckpt_html_text(out, ev);
      g_string_append(out, "</pre>");
    }
    const char *why = str_cell(t, row, "why");
    if (why) {
      g_string_append(out, "<p>");
      ckpt_html_text(out, why);
      g_string_append(out, "</p>");
    }
    const char *src = str_cell(t, row, "source");
    const char *more = str_cell(t, row, "more");
    if (src || more) {
      g_string_append(out, "<p class=\"more\">");
      if (src) {
        g_string_append(out, "from ");
        ckpt_html_text(out, src);
      }
      if (more) {
        g_string_append(out, src ? " &#8212; more: <code>" : "more: <code>");
        ckpt_html_text(out, more);
        g_string_append(out, "</code>");
      }
      g_string_append(out, "</p>");
    }
    g_string_append(out, "</div>\n");
  }
  if (folded)
    g_string_append(out, "</details>\n");
  g_string_append(out, "</div>\n");
}

static gboolean
spec_is(const char *spec, const CkptPluginResult *pr, const CkptResult *t)
{
  size_t n = strlen(pr->name);
  return strncmp(spec, pr->name, n) == 0 && spec[n] == '.' &&
         strcmp(spec + n + 1, t->decl->name) == 0;
}

/* Drawn by a section or the summary already? */
static gboolean
table_placed(const CkptPluginResult *pr, const CkptResult *t)
{
  if (spec_is(verdict_table, pr, t))
    return TRUE;
  for (size_t i = 0; summary_tables[i]; i++)
    if (spec_is(summary_tables[i], pr, t))
      return TRUE;
  for (size_t s = 0; s < G_N_ELEMENTS(sections); s++)
    for (size_t i = 0; sections[s].tables[i]; i++)
      if (spec_is(sections[s].tables[i], pr, t))
        return TRUE;
  return FALSE;
}

static void
section_html(Html *h, GString *out, const Section *s, guint doc)
{
  g_string_append_printf(out, "<section class=\"part\" id=\"c%u-%s\"><h2>%s",
                         doc, s->id, s->title);
  const CkptResult *first =
      s->tables[0] ? ckpt_row_store_spec(h->store, s->tables[0]) : NULL;
  if (first && s->kind != SEC_MAPS)
    g_string_append_printf(out, " <span class=\"count\">(%u)</span>",
                           first->rows->len);
  g_string_append(out, "</h2>\n");
  switch (s->kind) {
  case SEC_FINDINGS:
    findings_html(out, first, doc);
    break;
  case SEC_MAPS:
    ckpt_html_maps(out, &maps_picture, h->store, doc);
    break;
  case SEC_TIMELINE:
    ckpt_html_timeline(out, time_sources, h->store, doc, MAX_EVENTS);
    break;
  case SEC_TABLES:
    for (size_t i = 0; s->tables[i]; i++) {
      const CkptResult *t = ckpt_row_store_spec(h->store, s->tables[i]);
      if (t == NULL) {
        if (i == 0)
          g_string_append(out, "<p class=\"none\">not in this report</p>\n");
        continue;
      }
      /* the first table is the section's; the others have headings */
      table_html(out, t, s->tables[i], doc, i > 0, i == 0 ? s->columns : NULL);
    }
    break;
  }
  g_string_append(out, "</section>\n");
}

/* Each table no section drew, under its plugin's name, folded. */
static void
others_html(Html *h, GString *out, guint doc)
{
  guint n = 0;
  for (guint i = 0; i < h->copies->len; i++) {
    const Copy *c = &g_array_index(h->copies, Copy, i);
    n += !table_placed(c->pr, c->t) && c->t->rows->len > 0;
  }
  if (n == 0)
    return;
  g_string_append_printf(out,
                         "<section class=\"part\" id=\"c%u-other\"><h2>"
                         "Other tables <span class=\"count\">(%u)</span>"
                         "</h2>\n",
                         doc, n);
  for (guint i = 0; i < h->copies->len; i++) {
    const Copy *c = &g_array_index(h->copies, Copy, i);
    if (table_placed(c->pr, c->t) || c->t->rows->len == 0)
      continue;
    g_autofree char *spec =
        g_strdup_printf("%s.%s", c->pr->name, c->t->decl->name);
    g_autofree char *title = ckpt_table_title(c->t->decl);
    g_string_append(out, "<details><summary>");
    ckpt_html_special(out, title);
    g_string_append(out, " <span class=\"count\">(");
    ckpt_html_special(out, spec);
    g_string_append_printf(out, ", %u)</span></summary>\n", c->t->rows->len);
    table_html(out, c->t, spec, doc, FALSE, NULL);
    g_string_append(out, "</details>\n");
  }
  g_string_append(out, "</section>\n");
}

static void
html_checkpoint_end(CkptRenderer *r, const CkptReport *rep)
{
  Html *h = (Html *)r;
  guint doc = r->n_reports;
  GString *out = r->buf;
  g_string_append_printf(out, "<section class=\"ckpt\" id=\"c%u\"><h1>", doc);
  ckpt_html_text(out, rep->label ? rep->label : rep->path);
  g_string_append(out, "</h1><p class=\"path\">");
  ckpt_html_text(out, rep->path);
  g_string_append(out, "</p>\n<nav>");
  g_string_append_printf(out, "<a href=\"#c%u-summary\">Summary</a>", doc);
  for (size_t s = 0; s < G_N_ELEMENTS(sections); s++)
    g_string_append_printf(out, "<a href=\"#c%u-%s\">%s</a>", doc,
                           sections[s].id, sections[s].title);
  g_string_append(out, "</nav>\n");
  summary_html(h, out, rep, doc);
  if (rep->opened)
    for (size_t s = 0; s < G_N_ELEMENTS(sections); s++)
      section_html(h, out, &sections[s], doc);
  others_html(h, out, doc);
  g_string_append(out, "</section>\n");
  ckpt_row_store_free(h->store);
  h->store = NULL;
}

static void
html_end(CkptRenderer *r)
{
  g_string_append(r->buf, "</main>\n<footer>made by ckpt; every text from "
                          "the checkpoint is shown escaped</footer>\n"
                          "</body>\n</html>\n");
}

static void
html_release(CkptRenderer *r)
{
  Html *h = (Html *)r;
  ckpt_row_store_free(h->store);
  g_clear_pointer(&h->plugins, g_ptr_array_unref);
  g_clear_pointer(&h->copies, g_array_unref);
  g_free(h->cur);
}

static void
html_doc_begin(CkptRenderer *r)
{
  Html *h = (Html *)r;
  h->plugins = g_ptr_array_new();
  h->copies = g_array_new(FALSE, FALSE, sizeof(Copy));
  html_begin(r);
}

const CkptRendererClass ckpt_html_renderer = {
    .name = "html",
    .size = sizeof(Html),
    .begin = html_doc_begin,
    .checkpoint_begin = html_checkpoint_begin,
    .plugin_begin = html_plugin_begin,
    .row = html_row,
    .plugin_end = html_plugin_end,
    .checkpoint_end = html_checkpoint_end,
    .end = html_end,
    .release = html_release,
};

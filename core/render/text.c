/* text.c - values as text, written once for every format: escaping for
 * terminals, sizes and times as checkpointctl writes them, a cell as tree
 * or table text, and as JSON (docs/json.md). Everything a checkpoint
 * controls passes through ckpt_text_escape or ckpt_json_string.
 */
#include <math.h>
#include <string.h>

#include "render/renderer.h"

void
ckpt_text_escape(GString *out, const char *s, gssize len)
{
  if (s == NULL)
    return;
  const char *end = s + (len < 0 ? (gssize)strlen(s) : len);
  while (s < end) {
    /* a run of printable ASCII other than the backslash goes in whole */
    const char *run = s;
    while (run < end && (unsigned char)*run >= 0x20 &&
           (unsigned char)*run < 0x7f && *run != '\\')
      run++;
    if (run > s) {
      g_string_append_len(out, s, run - s);
      s = run;
      continue;
    }
    unsigned char c = (unsigned char)*s;
    if (c == '\\') {
      g_string_append(out, "\\\\");
      s++;
    } else if (c == '\n') {
      g_string_append(out, "\\n");
      s++;
    } else if (c == '\t') {
      g_string_append(out, "\\t");
      s++;
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf(out, "\\x%02x", c);
      s++;
    } else if (c < 0x80) {
      g_string_append_c(out, (char)c);
      s++;
    } else {
      gunichar u = g_utf8_get_char_validated(s, end - s);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append_printf(out, "\\x%02x", c);
        s++;
        continue;
      }
      const char *next = g_utf8_next_char(s);
      /* C1 controls (CSI is U+009B) and bidi overrides can rewrite what a
       * terminal shows */
      if (u < 0xa0 || (u >= 0x202a && u <= 0x202e) ||
          (u >= 0x2066 && u <= 0x2069))
        g_string_append_printf(out, "\\u{%x}", u);
      else
        g_string_append_len(out, s, next - s);
      s = next;
    }
  }
}

char *
ckpt_format_size(uint64_t bytes)
{
  if (bytes < 1024)
    return g_strdup_printf("%" G_GUINT64_FORMAT " B", bytes);
  static const char units[] = "KMGTPE";
  double v = (double)bytes;
  size_t u = 0;
  v /= 1024.0;
  while (v >= 1024.0 && u + 1 < sizeof(units) - 1) {
    v /= 1024.0;
    u++;
  }
  return g_strdup_printf("%.1f %ciB", v, units[u]);
}

/* Bytes in text output: printable ASCII as is, the rest as \xNN; long
 * values are cut, since JSON carries them whole. */
static void
bytes_text(GString *out, const uint8_t *p, size_t len)
{
  size_t shown = MIN(len, 64);
  for (size_t i = 0; i < shown; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      g_string_append_c(out, (char)p[i]);
    else
      g_string_append_printf(out, "\\x%02x", p[i]);
  }
  if (shown < len)
    g_string_append_printf(out, "... (%zu bytes)", len);
}

char *
ckpt_value_text(const CkptValue *v, gboolean utc)
{
  GString *s = g_string_new(NULL);
  switch (v->type) {
  case CKPT_T_NULL:
  case CKPT_T_LIST: /* options only, never a cell */
    break;
  case CKPT_T_STR:
    ckpt_text_escape(s, v->v.s, -1);
    break;
  case CKPT_T_INT:
    g_string_append_printf(s, "%" G_GINT64_FORMAT, v->v.i);
    break;
  case CKPT_T_UINT:
    g_string_append_printf(s, "%" G_GUINT64_FORMAT, v->v.u);
    break;
  case CKPT_T_ADDR:
    g_string_append_printf(s, "0x%" G_GINT64_MODIFIER "x", v->v.u);
    break;
  case CKPT_T_SIZE: {
    g_autofree char *t = ckpt_format_size(v->v.u);
    g_string_append(s, t);
    break;
  }
  case CKPT_T_BOOL:
    g_string_append(s, v->v.i ? "true" : "false");
    break;
  case CKPT_T_BYTES:
    bytes_text(s, v->v.bytes.data, v->v.bytes.len);
    break;
  case CKPT_T_TIME: {
    g_autofree char *t = ckpt_format_time(v->v.i, utc);
    g_string_append(s, t);
    break;
  }
  case CKPT_T_DOUBLE:
    g_string_append_printf(s, "%g", v->v.d);
    break;
  }
  return g_string_free(s, FALSE);
}

/* ,"name":..,"status":..,"errors":[..],"warnings":[..] of a checkpoint,
 * in json and jsonl alike */
void
ckpt_json_report_fields(GString *out, const CkptReport *rep)
{
  g_string_append(out, ",\"name\":");
  ckpt_json_string(out, rep->label, -1);
  /* chain of custody: what was analysed, by its sha256 */
  g_string_append(out, ",\"sha256\":");
  if (rep->sha256)
    ckpt_json_string(out, rep->sha256, -1);
  else
    g_string_append(out, "null");
  g_string_append(out, ",\"sha256_of\":");
  if (rep->sha256_of)
    ckpt_json_string(out, rep->sha256_of, -1);
  else
    g_string_append(out, "null");
  g_string_append(out, ",\"status\":");
  ckpt_json_string(out, ckpt_report_status_name(rep), -1);
  g_string_append(out, ",\"errors\":");
  ckpt_json_strings(out, rep->errors);
  g_string_append(out, ",\"warnings\":");
  ckpt_json_strings(out, rep->warnings);
}

int
ckpt_result_column_index(const CkptResult *t, const char *name)
{
  if (t == NULL || name == NULL)
    return -1;
  for (size_t c = 0; c < t->n_columns; c++)
    if (strcmp(t->decl->columns[c].name, name) == 0)
      return (int)c;
  return -1;
}

const CkptValue *
ckpt_row_cell(const CkptResult *t, const CkptRow *row, const char *name)
{
  int c = ckpt_result_column_index(t, name);
  return c < 0 ? NULL : &row->values[c];
}

/* Terminal columns, not bytes or characters: CJK and emoji take two,
 * combining marks and zero-width characters none. Cells reach here
 * escaped (valid UTF-8); a byte that is not UTF-8 all the same counts
 * as the one column a terminal's replacement character takes. */
char *
ckpt_cell_text(const CkptResult *t, size_t c, const CkptValue *v, gboolean utc)
{
  if (v->type != CKPT_T_STR || v->v.s == NULL || c >= t->n_columns ||
      !(t->decl->columns[c].flags & CKPT_COL_VERBATIM))
    return ckpt_value_text(v, utc);
  /* printable ASCII as it is; whatever else a plugin let through is
   * escaped all the same */
  GString *s = g_string_new(NULL);
  for (const char *p = v->v.s; *p; p++) {
    if (*p >= 0x20 && *p < 0x7f)
      g_string_append_c(s, *p);
    else
      ckpt_text_escape(s, p, 1);
  }
  return g_string_free(s, FALSE);
}

size_t
ckpt_text_width(const char *s)
{
  size_t w = 0;
  const char *end = s + strlen(s);
  while (s < end) {
    /* ASCII is one column (what escaping leaves of controls is ASCII too):
     * eight bytes at a time while no high bit is set */
    if (end - s >= 8) {
      uint64_t word;
      memcpy(&word, s, 8);
      if (!(word & 0x8080808080808080u)) {
        w += 8;
        s += 8;
        continue;
      }
    }
    if ((unsigned char)*s < 0x80) {
      w++;
      s++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(s, end - s);
    if (u == (gunichar)-1 || u == (gunichar)-2) {
      w++;
      s++;
      continue;
    }
    if (g_unichar_iswide(u))
      w += 2;
    else if (!g_unichar_iszerowidth(u))
      w++;
    s = g_utf8_next_char(s);
  }
  return w;
}

char *
ckpt_column_title(const CkptColumn *c)
{
  return g_strdup(c->title ? c->title : c->name);
}

char *
ckpt_table_title(const CkptTable *decl)
{
  GString *title = g_string_new(NULL);
  ckpt_text_escape(title, decl->title ? decl->title : decl->name, -1);
  return g_string_free(title, FALSE);
}

const char *
ckpt_cell_str(const CkptResult *t, const CkptRow *row, const char *name)
{
  const CkptValue *v = ckpt_row_cell(t, row, name);
  return v && v->type == CKPT_T_STR ? v->v.s : NULL;
}

const CkptRow *
ckpt_first_row(const CkptResult *t)
{
  return t && t->rows->len ? &g_array_index(t->rows, CkptRow, 0) : NULL;
}

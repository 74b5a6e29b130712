/* jsonw.c - JSON text (jsonw.h). */
#include "util/jsonw.h"

#include <string.h>

char *
ckpt_format_time(int64_t t, gboolean utc)
{
  g_autoptr(GDateTime) dt = utc ? g_date_time_new_from_unix_utc(t)
                                : g_date_time_new_from_unix_local(t);
  if (dt == NULL)
    return g_strdup_printf("%" G_GINT64_FORMAT, t);
  if (g_date_time_get_utc_offset(dt) == 0)
    return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
  return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
}

/* Bytes written as they are in a JSON string: printable ASCII but the
 * quote and the backslash. */
static gboolean
json_plain(unsigned char c)
{
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void
ckpt_json_string(GString *out, const char *s, gssize len)
{
  const char *end = s + (len < 0 ? (gssize)strlen(s) : len);
  g_string_append_c(out, '"');
  while (s < end) {
    /* a run of plain bytes at once, then one byte or character that is
     * not */
    const char *run = s;
    while (s < end && json_plain((unsigned char)*s))
      s++;
    g_string_append_len(out, run, s - run);
    if (s == end)
      break;
    unsigned char c = (unsigned char)*s;
    gunichar u = c >= 0x80 ? g_utf8_get_char_validated(s, end - s) : c;
    gboolean bad = u == (gunichar)-1 || u == (gunichar)-2;
    const char *next = c < 0x80 || bad ? s + 1 : g_utf8_next_char(s);
    if (c == '"' || c == '\\')
      g_string_append_printf(out, "\\%c", c);
    else if (c < 0x80)
      g_string_append_printf(out, "\\u%04x", c);
    else if (bad)
      g_string_append(out, "\\ufffd");
    else
      g_string_append_len(out, s, next - s);
    s = next;
  }
  g_string_append_c(out, '"');
}

void
ckpt_json_strings(GString *out, GPtrArray *list)
{
  g_string_append_c(out, '[');
  for (guint i = 0; i < list->len; i++) {
    if (i)
      g_string_append_c(out, ',');
    ckpt_json_string(out, g_ptr_array_index(list, i), -1);
  }
  g_string_append_c(out, ']');
}

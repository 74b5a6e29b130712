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

void
ckpt_json_string(GString *out, const char *s, gssize len)
{
  g_string_append_c(out, '"');
  const char *end = s + (len < 0 ? (gssize)strlen(s) : len);
  while (s < end) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      g_string_append_c(out, '\\');
      g_string_append_c(out, (char)c);
      s++;
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf(out, "\\u%04x", c);
      s++;
    } else if (c < 0x80) {
      g_string_append_c(out, (char)c);
      s++;
    } else {
      gunichar u = g_utf8_get_char_validated(s, end - s);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append(out, "\\ufffd");
        s++;
        continue;
      }
      const char *next = g_utf8_next_char(s);
      g_string_append_len(out, s, next - s);
      s = next;
    }
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

/* jsonw.h - JSON text as the project writes it, the one writer of
 * every JSON the engine prints (render's json and jsonl, watch's records):
 * string literals, lists of strings, times. The typed values of rows are
 * written by host/results.h's ckpt_json_value over these. */
#ifndef CKPT_JSONW_H
#define CKPT_JSONW_H

#include <glib.h>
#include <stdint.h>

/* Appends a JSON string literal of s (len bytes, or -1 for NUL-ended);
 * control characters are escaped as \u00XX, invalid UTF-8 becomes
 * \ufffd. */
void ckpt_json_string(GString *out, const char *s, gssize len);
/* Appends a JSON array of the strings of list. */
void ckpt_json_strings(GString *out, GPtrArray *list);
/* "2006-01-02T15:04:05Z07:00" in local time (or UTC, ending in Z); the
 * number itself when out of GDateTime's range. */
char *ckpt_format_time(int64_t t, gboolean utc);

#endif

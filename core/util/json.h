/* json.h - strict JSON (RFC 8259) text into json-glib nodes, for the
 * metadata an engine writes next to the CRIU images.
 *
 * json-glib's own parser recurses once per nesting level and accepts more
 * than JSON (comments from '/' to the end of a line, 'single-quoted'
 * strings, identifiers, hex and octal numbers, a lone surrogate escape
 * swallowing the quote after it), so a depth bound checked before it runs
 * has to tokenise exactly as it does. This parser reads only JSON, keeps
 * its own stack (no recursion), and refuses nesting past max_depth as it
 * meets it.
 */
#ifndef CKPT_JSON_H
#define CKPT_JSON_H

#include <json-glib/json-glib.h>
#include <stdint.h>

/* Parses len bytes of JSON. Returns the root node, or NULL with error set
 * (CKPT_ERROR_FORMAT for what is not JSON, CKPT_ERROR_LIMIT past
 * max_depth), the message naming the byte offset. A NUL in a string
 * (\u0000) would cut a C string short, so it is kept as the six
 * characters \u0000; when nul_path is not NULL and such a string is met,
 * *nul_path is set (once, caller frees) to where the first one is: a path
 * of keys and indexes such as process.env[3], or a key itself. */
JsonNode *ckpt_json_parse(const uint8_t *data, size_t len, unsigned max_depth,
                          char **nul_path, GError **error);

#endif

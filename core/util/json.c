/* json.c - a strict, iterative JSON parser building json-glib nodes.
 *
 * The grammar is RFC 8259's and nothing more: no comments, no single
 * quotes, no bare identifiers, no leading '+', hex or octal. Containers
 * being filled sit on an explicit stack that never grows past max_depth,
 * so no input can exhaust the C stack, and every error names the offset.
 */
#include "util/json.h"

#include <errno.h>
#include <string.h>

#include "util/error.h"

typedef struct {
  JsonNode *node; /* the object or array being filled */
  char *key;      /* an object's member waiting for its value */
  guint index;    /* an array's next element */
} Frame;

typedef struct {
  const uint8_t *p, *end, *base;
  unsigned max_depth;
  GArray *stack; /* of Frame */
  char **nul_path;
  GError **error;
} Parser;

static size_t
offset(const Parser *ps)
{
  return (size_t)(ps->p - ps->base);
}

static gboolean
fail(Parser *ps, const char *what)
{
  if (ps->p >= ps->end)
    g_set_error(ps->error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "offset %zu: %s, found the end of the text", offset(ps), what);
  else
    g_set_error(ps->error, CKPT_ERROR, CKPT_ERROR_FORMAT,
                "offset %zu: %s, found byte 0x%02x", offset(ps), what, *ps->p);
  return FALSE;
}

static void
skip_ws(Parser *ps)
{
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int
hex4(const uint8_t *p, const uint8_t *end)
{
  if (end - p < 4)
    return -1;
  int v = 0;
  for (int i = 0; i < 4; i++) {
    int d = g_ascii_xdigit_value((char)p[i]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/* Where the string being read sits: keys and indexes from the root, and
 * then key itself when the string is a member name. */
static char *
current_path(Parser *ps, const char *key)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < ps->stack->len; i++) {
    Frame *f = &g_array_index(ps->stack, Frame, i);
    if (JSON_NODE_HOLDS_ARRAY(f->node)) {
      g_string_append_printf(s, "[%u]", f->index);
    } else if (f->key != NULL) {
      if (s->len)
        g_string_append_c(s, '.');
      g_string_append(s, f->key);
    }
  }
  if (key != NULL) {
    if (s->len)
      g_string_append_c(s, '.');
    g_string_append_printf(s, "%s (a member name)", key);
  }
  if (s->len == 0)
    g_string_append(s, "(the whole text)");
  return g_string_free(s, FALSE);
}

/* Reads a string at ps->p (the opening quote) into a new UTF-8 string. */
static char *
read_string(Parser *ps, gboolean in_key)
{
  g_autoptr(GString) s = g_string_new(NULL);
  gboolean had_nul = FALSE;
  ps->p++;
  for (;;) {
    if (ps->p >= ps->end) {
      fail(ps, "unterminated string");
      return NULL;
    }
    uint8_t ch = *ps->p;
    if (ch == '"') {
      ps->p++;
      break;
    }
    if (ch < 0x20) {
      fail(ps, "control character in a string");
      return NULL;
    }
    if (ch != '\\') {
      /* A run of plain bytes, validated as UTF-8 as one piece. */
      const uint8_t *start = ps->p;
      while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
             *ps->p >= 0x20)
        ps->p++;
      const char *bad = NULL;
      if (!g_utf8_validate((const char *)start, ps->p - start, &bad)) {
        ps->p = (const uint8_t *)bad;
        fail(ps, "invalid UTF-8 in a string");
        return NULL;
      }
      g_string_append_len(s, (const char *)start, ps->p - start);
      continue;
    }
    if (ps->end - ps->p < 2) {
      ps->p++;
      fail(ps, "unterminated escape");
      return NULL;
    }
    uint8_t e = ps->p[1];
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e != 0 && simple != NULL) {
      static const char out[] = "\"\\/\b\f\n\r\t";
      g_string_append_c(s, out[simple - "\"\\/bfnrt"]);
      ps->p += 2;
      continue;
    }
    if (e != 'u') {
      ps->p++;
      fail(ps, "unknown escape");
      return NULL;
    }
    int u = hex4(ps->p + 2, ps->end);
    if (u < 0) {
      ps->p += 2;
      fail(ps, "expected four hex digits after \\u");
      return NULL;
    }
    ps->p += 6;
    gunichar ucs = (gunichar)u;
    if (u >= 0xd800 && u <= 0xdbff) {
      int lo = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u'
                   ? hex4(ps->p + 2, ps->end)
                   : -1;
      if (lo < 0xdc00 || lo > 0xdfff) {
        fail(ps, "high surrogate without its low half");
        return NULL;
      }
      ucs = 0x10000 + (((gunichar)u - 0xd800) << 10) + ((gunichar)lo - 0xdc00);
      ps->p += 6;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      ps->p -= 6;
      fail(ps, "low surrogate without its high half");
      return NULL;
    }
    if (ucs == 0) {
      /* Kept visible: C strings would end here and hide what follows. */
      g_string_append(s, "\\u0000");
      had_nul = TRUE;
    } else {
      g_string_append_unichar(s, ucs);
    }
  }
  if (had_nul && ps->nul_path != NULL && *ps->nul_path == NULL)
    *ps->nul_path = current_path(ps, in_key ? s->str : NULL);
  return g_strndup(s->str, s->len);
}

static gboolean
literal(Parser *ps, const char *word)
{
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return fail(ps, "expected a value");
  ps->p += n;
  return TRUE;
}

static gboolean
is_digit(Parser *ps)
{
  return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* A number as RFC 8259 writes it: an integer that fits in 64 bits is an
 * int64 node (as json-glib makes it), anything else a double. */
static JsonNode *
read_number(Parser *ps)
{
  const uint8_t *start = ps->p;
  gboolean is_int = TRUE;
  if (*ps->p == '-')
    ps->p++;
  if (!is_digit(ps)) {
    fail(ps, "expected a digit");
    return NULL;
  }
  if (*ps->p == '0')
    ps->p++;
  else
    while (is_digit(ps))
      ps->p++;
  if (ps->p < ps->end && *ps->p == '.') {
    is_int = FALSE;
    ps->p++;
    if (!is_digit(ps)) {
      fail(ps, "expected a digit after the decimal point");
      return NULL;
    }
    while (is_digit(ps))
      ps->p++;
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    is_int = FALSE;
    ps->p++;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
      ps->p++;
    if (!is_digit(ps)) {
      fail(ps, "expected a digit in the exponent");
      return NULL;
    }
    while (is_digit(ps))
      ps->p++;
  }
  g_autofree char *text = g_strndup((const char *)start, ps->p - start);
  JsonNode *n = json_node_alloc();
  if (is_int) {
    errno = 0;
    gint64 v = g_ascii_strtoll(text, NULL, 10);
    if (errno == 0)
      return json_node_init_int(n, v);
  }
  return json_node_init_double(n, g_ascii_strtod(text, NULL));
}

/* Hands a finished value to the container on top of the stack. */
static void
add_value(Parser *ps, JsonNode *v)
{
  Frame *f = &g_array_index(ps->stack, Frame, ps->stack->len - 1);
  if (JSON_NODE_HOLDS_ARRAY(f->node)) {
    json_array_add_element(json_node_get_array(f->node), v);
    f->index++;
  } else {
    json_object_set_member(json_node_get_object(f->node), f->key, v);
    g_clear_pointer(&f->key, g_free);
  }
}

/* Reads `"key" :` of an object member into the top frame. */
static gboolean
read_key(Parser *ps)
{
  skip_ws(ps);
  if (ps->p >= ps->end || *ps->p != '"')
    return fail(ps, "expected a member name");
  char *key = read_string(ps, TRUE);
  if (key == NULL)
    return FALSE;
  g_array_index(ps->stack, Frame, ps->stack->len - 1).key = key;
  skip_ws(ps);
  if (ps->p >= ps->end || *ps->p != ':')
    return fail(ps, "expected ':' after a member name");
  ps->p++;
  return TRUE;
}

static void
clear_frame(gpointer data)
{
  Frame *f = data;
  if (f->node)
    json_node_unref(f->node);
  g_free(f->key);
}

/* The loop: read a value; an opening bracket pushes a frame and reads its
 * first member, a scalar goes to the top frame; then commas and closing
 * brackets pop frames until a value is due again or the root is done. */
static JsonNode *
parse(Parser *ps)
{
  for (;;) {
    skip_ws(ps);
    if (ps->p >= ps->end) {
      fail(ps, "expected a value");
      return NULL;
    }
    uint8_t ch = *ps->p;
    JsonNode *v = NULL;
    if (ch == '{' || ch == '[') {
      if (ps->stack->len >= ps->max_depth) {
        g_set_error(ps->error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                    "JSON nested deeper than %u levels at offset %zu",
                    ps->max_depth, offset(ps));
        return NULL;
      }
      ps->p++;
      Frame f = {0};
      f.node = ch == '{'
                   ? json_node_init_object(json_node_alloc(), json_object_new())
                   : json_node_init_array(json_node_alloc(), json_array_new());
      /* init_* took their own references to the new object or array */
      if (ch == '{')
        json_object_unref(json_node_get_object(f.node));
      else
        json_array_unref(json_node_get_array(f.node));
      g_array_append_val(ps->stack, f);
      skip_ws(ps);
      uint8_t close = ch == '{' ? '}' : ']';
      if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        Frame *top = &g_array_index(ps->stack, Frame, ps->stack->len - 1);
        v = g_steal_pointer(&top->node);
        g_array_set_size(ps->stack, ps->stack->len - 1);
      } else {
        if (ch == '{' && !read_key(ps))
          return NULL;
        continue;
      }
    } else if (ch == '"') {
      char *s = read_string(ps, FALSE);
      if (s == NULL)
        return NULL;
      v = json_node_init_string(json_node_alloc(), s);
      g_free(s);
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      if ((v = read_number(ps)) == NULL)
        return NULL;
    } else if (ch == 't' || ch == 'f') {
      if (!literal(ps, ch == 't' ? "true" : "false"))
        return NULL;
      v = json_node_init_boolean(json_node_alloc(), ch == 't');
    } else if (ch == 'n') {
      if (!literal(ps, "null"))
        return NULL;
      v = json_node_init_null(json_node_alloc());
    } else {
      fail(ps, "expected a value");
      return NULL;
    }

    /* v is complete: give it to its container, closing as many as end. */
    for (;;) {
      if (ps->stack->len == 0)
        return v;
      add_value(ps, v);
      Frame *top = &g_array_index(ps->stack, Frame, ps->stack->len - 1);
      gboolean is_obj = JSON_NODE_HOLDS_OBJECT(top->node);
      skip_ws(ps);
      if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        if (is_obj && !read_key(ps))
          return NULL;
        break;
      }
      if (ps->p >= ps->end || *ps->p != (is_obj ? '}' : ']')) {
        fail(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
        return NULL;
      }
      ps->p++;
      v = g_steal_pointer(&top->node);
      g_array_set_size(ps->stack, ps->stack->len - 1);
    }
  }
}

JsonNode *
ckpt_json_parse(const uint8_t *data, size_t len, unsigned max_depth,
                char **nul_path, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, NULL);

  g_autoptr(GArray) stack = g_array_new(FALSE, TRUE, sizeof(Frame));
  g_array_set_clear_func(stack, clear_frame);
  Parser ps = {
      .p = data,
      .end = data + len,
      .base = data,
      .max_depth = max_depth,
      .stack = stack,
      .nul_path = nul_path,
      .error = error,
  };
  JsonNode *root = parse(&ps);
  if (root == NULL)
    return NULL;
  skip_ws(&ps);
  if (ps.p < ps.end) {
    fail(&ps, "text after the end of the value");
    json_node_unref(root);
    return NULL;
  }
  return root;
}

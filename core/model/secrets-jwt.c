/* secrets-jwt.c - decoding a JSON Web Token's header and claims for the secrets
 * plugin: a match of the jwt rule only counts when both decode to JSON
 * objects and the header names an algorithm, and the summary shown in
 * reports comes from the decoded claims (never from the signature), with
 * Kubernetes service-account tokens recognised.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "secrets-detect.h"

/* Parts longer than this are not tokens anyone issues. */
#define JWT_PART_MAX 8192
/* Claim values longer than this are cut in the summary. */
#define CLAIM_SHOWN_MAX 80

/* base64url (no padding) to bytes; NULL on a bad character or length. */
static guint8 *
b64url_decode(const char *s, size_t len, gsize *out_len)
{
  if (len == 0 || len > JWT_PART_MAX || len % 4 == 1)
    return NULL;
  g_autofree char *std = g_malloc(len + 4);
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (!g_ascii_isalnum(c))
      return NULL;
    std[n++] = c;
  }
  while (n % 4)
    std[n++] = '=';
  std[n] = '\0';
  return g_base64_decode(std, out_len);
}

static JsonObject *
decode_object(const char *s, size_t len, JsonParser *parser)
{
  gsize n = 0;
  g_autofree guint8 *raw = b64url_decode(s, len, &n);
  if (!raw || n == 0 || raw[0] != '{')
    return NULL;
  if (!json_parser_load_from_data(parser, (const char *)raw, (gssize)n, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    return NULL;
  return json_node_get_object(root);
}

/* Appends " name=value" for a string or integer member, made printable. */
static void
add_claim(GString *out, JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return;
  if (JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *a = json_node_get_array(n);
    if (json_array_get_length(a) == 0)
      return;
    n = json_array_get_element(a, 0);
  }
  if (!JSON_NODE_HOLDS_VALUE(n))
    return;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_INT64) {
    g_string_append_printf(out, " %s=%" G_GINT64_FORMAT, name,
                           json_node_get_int(n));
  } else if (t == G_TYPE_STRING) {
    const char *v = json_node_get_string(n);
    g_string_append_printf(out, " %s=", name);
    for (size_t i = 0; v[i] && i < CLAIM_SHOWN_MAX; i++)
      g_string_append_c(out, g_ascii_isprint(v[i]) && v[i] != ' ' ? v[i] : '?');
  }
}

static const char *
str_member(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
      json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(n);
}

/* Legacy service-account tokens carry iss "kubernetes/serviceaccount" and
 * flat "kubernetes.io/serviceaccount/..." claims; projected (bound) tokens
 * a "kubernetes.io" object and a sub "system:serviceaccount:NS:NAME". */
static gboolean
is_kubernetes_sa(JsonObject *claims)
{
  const char *iss = str_member(claims, "iss");
  const char *sub = str_member(claims, "sub");
  if (g_strcmp0(iss, "kubernetes/serviceaccount") == 0)
    return TRUE;
  if (json_object_has_member(claims, "kubernetes.io"))
    return TRUE;
  return sub && g_str_has_prefix(sub, "system:serviceaccount:");
}

char *
secrets_jwt_describe(const char *s, size_t len)
{
  const char *dot1 = memchr(s, '.', len);
  if (!dot1)
    return NULL;
  const char *rest = dot1 + 1;
  size_t rest_len = len - (size_t)(rest - s);
  const char *dot2 = memchr(rest, '.', rest_len);
  if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - s)))
    return NULL;
  g_autoptr(JsonParser) hp = json_parser_new();
  g_autoptr(JsonParser) cp = json_parser_new();
  JsonObject *header = decode_object(s, (size_t)(dot1 - s), hp);
  JsonObject *claims = decode_object(rest, (size_t)(dot2 - rest), cp);
  if (!header || !claims || !str_member(header, "alg"))
    return NULL;
  GString *out = g_string_new(NULL);
  add_claim(out, header, "alg");
  add_claim(out, header, "kid");
  static const char *const shown[] = {"iss", "sub", "aud", "exp", "iat", NULL};
  for (size_t i = 0; shown[i]; i++)
    add_claim(out, claims, shown[i]);
  if (is_kubernetes_sa(claims)) {
    g_string_append(out, " (kubernetes service-account token)");
  }
  if (out->len && out->str[0] == ' ')
    g_string_erase(out, 0, 1);
  return g_string_free(out, FALSE);
}

/* meta.c - the container around the processes: what the engine recorded
 * next to the CRIU images (config.dump, spec.dump, network.status,
 * deleted.files), CRIU's dump statistics (stats-dump) and the sizes of the
 * checkpoint's parts, into c->container.
 *
 * Every file here is optional: a bare CRIU directory has none of them.
 * A file that is present but damaged (bad JSON, an unexpected shape) is a
 * warning, not an error: the processes and memory are still worth reading,
 * and the warning names the file and what is wrong. A file over the
 * max-entry-size limit is an error, as every limit is.
 *
 * Engines write different shapes (checked against checkpointctl, Podman,
 * CRI-O and containerd):
 *  - config.dump: Podman writes its whole container config; CRI-O and
 *    containerd a reduced one. Shared keys: id, name, rootfsImageName,
 *    runtime, createdTime; CRI-O/containerd add rootfsImageRef and
 *    checkpointedTime; Podman has rootfsImageID.
 *  - spec.dump: the OCI runtime spec. Its annotations tell the engine:
 *    io.container.manager is "libpod" (Podman) or "cri-o"; containerd's
 *    CRI plugin sets io.kubernetes.cri.*.
 *  - network.status: Podman 4/5 write a map of network name to
 *    {interfaces: {IFNAME: {subnets: [{ipnet, gateway}], mac_address}}};
 *    Podman 3 (CNI) a list of results {interfaces: [{name, mac}],
 *    ips: [{address, gateway, interface}]}; "null" without networking.
 *    CRI-O keeps the pod's addresses in io.kubernetes.cri-o.IP.N.
 */
#include "model/model.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "criu/image.h"
#include "util/json.h"
#include "stats.pb-c.h"

#define STATS_MAGIC 0x57093306u /* CRIU's magic.h */
/* Engines nest their metadata a handful of levels deep; far past that is
 * a crafted file, refused before it costs anything. */
#define MAX_JSON_DEPTH 64

/* ---- JSON helpers ------------------------------------------------------ */

/* Parses JSON text (json.c: strict JSON, depth bounded, no recursion); on
 * failure warns, naming what, and returns NULL. A NUL in a string is kept
 * as the text \u0000 and warned about, since it would hide what follows
 * it from anything reading the value as a C string. */
static JsonNode *
parse_json(CkptCheckpoint *c, const char *what, const uint8_t *data, size_t len)
{
  /* Empty text (or only blanks) is no document, as json-glib took it:
   * the file counts as absent. */
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
                     data[i] == '\r'))
    i++;
  if (i == len)
    return NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *nul_path = NULL;
  JsonNode *root =
      ckpt_json_parse(data, len, MAX_JSON_DEPTH, &nul_path, &local);
  if (root == NULL) {
    if (g_error_matches(local, CKPT_ERROR, CKPT_ERROR_LIMIT))
      ckpt_model_warn(c, "%s: %s, ignored", what, local->message);
    else
      ckpt_model_warn(c, "%s: not valid JSON, ignored: %s", what,
                      local->message);
    return NULL;
  }
  if (nul_path != NULL)
    ckpt_model_warn(c,
                    "%s: %s holds a NUL character (\\u0000), kept as "
                    "the text \\u0000",
                    what, nul_path);
  return root;
}

/* Loads a metadata member as JSON. Returns FALSE only for a limit error;
 * *out is NULL when the file is absent or damaged (warned). */
static gboolean
load_json(CkptCheckpoint *c, const char *name, JsonNode **out, GError **error)
{
  const uint8_t *data;
  size_t len;
  *out = NULL;
  if (!ckpt_imageset_meta(c->images, name, &data, &len))
    return TRUE;
  if (len > c->limits.max_entry_size) {
    g_set_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT,
                "%s: %zu bytes, over the max-entry-size limit of "
                "%" G_GUINT64_FORMAT,
                name, len, c->limits.max_entry_size);
    return FALSE;
  }
  *out = parse_json(c, name, data, len);
  return TRUE;
}

static JsonObject *
obj_of(JsonNode *node)
{
  return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node)
                                              : NULL;
}

static JsonArray *
arr_of(JsonNode *node)
{
  return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

static JsonNode *
member(JsonObject *o, const char *key)
{
  return o && json_object_has_member(o, key) ? json_object_get_member(o, key)
                                             : NULL;
}

static JsonObject *
member_obj(JsonObject *o, const char *key)
{
  return obj_of(member(o, key));
}

static JsonArray *
member_arr(JsonObject *o, const char *key)
{
  return arr_of(member(o, key));
}

/* A string member, or NULL when absent, empty or not a string. */
static const char *
member_str(JsonObject *o, const char *key)
{
  JsonNode *n = member(o, key);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
      json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  const char *s = json_node_get_string(n);
  return s && *s ? s : NULL;
}

static const char *
node_str(JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
      json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(n);
}

/* The string elements of a JSON list as a NULL-ended array in the model;
 * other elements are skipped, and no list gives an empty array. */
static const char **
model_strv(CkptCheckpoint *c, JsonArray *arr)
{
  guint n = arr ? json_array_get_length(arr) : 0;
  const char **out = ckpt_model_alloc(c, (size_t)n + 1, sizeof(char *));
  size_t k = 0;
  for (guint i = 0; i < n; i++) {
    const char *s = node_str(json_array_get_element(arr, i));
    if (s != NULL)
      out[k++] = ckpt_model_str(c, s);
  }
  return out;
}

/* RFC 3339 text to seconds since the epoch; 0 for Go's zero time, for
 * anything before 1970 and for what does not parse. */
static int64_t
parse_time(const char *s)
{
  if (s == NULL)
    return 0;
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(s, NULL);
  if (dt == NULL)
    return 0;
  int64_t t = g_date_time_to_unix(dt);
  return t > 0 ? t : 0;
}

/* ---- annotations ------------------------------------------------------- */

static const char *
annotation(const CkptContainerInfo *ci, const char *key)
{
  for (size_t i = 0; i < ci->n_annotations; i++)
    if (strcmp(ci->annotations[i].key, key) == 0)
      return ci->annotations[i].value;
  return NULL;
}

static gboolean
has_annotation_prefix(const CkptContainerInfo *ci, const char *prefix)
{
  for (size_t i = 0; i < ci->n_annotations; i++)
    if (g_str_has_prefix(ci->annotations[i].key, prefix))
      return TRUE;
  return FALSE;
}

static void
load_annotations(CkptCheckpoint *c, JsonObject *spec)
{
  JsonObject *ann = member_obj(spec, "annotations");
  if (ann == NULL)
    return;
  g_autoptr(GList) keys = json_object_get_members(ann);
  guint n = g_list_length(keys);
  CkptKeyValue *kv = ckpt_model_alloc(c, n, sizeof(*kv));
  size_t k = 0;
  for (GList *l = keys; l; l = l->next) {
    const char *v = node_str(json_object_get_member(ann, l->data));
    if (v == NULL)
      continue;
    kv[k].key = ckpt_model_str(c, l->data);
    kv[k].value = ckpt_model_str(c, v);
    k++;
  }
  c->container.annotations = kv;
  c->container.n_annotations = k;
}

/* ---- spec.dump ----------------------------------------------------------- */

static const char *
join_options(CkptCheckpoint *c, JsonArray *opts)
{
  if (opts == NULL)
    return NULL;
  g_autoptr(GString) s = g_string_new(NULL);
  guint n = json_array_get_length(opts);
  for (guint i = 0; i < n; i++) {
    const char *o = node_str(json_array_get_element(opts, i));
    if (o == NULL)
      continue;
    if (s->len)
      g_string_append_c(s, ',');
    g_string_append(s, o);
  }
  return ckpt_model_str(c, s->str);
}

/* Makes element i of a spec array into *out; FALSE leaves it out. */
typedef gboolean (*SpecElemFn)(CkptCheckpoint *c, JsonNode *node, guint i,
                               void *out);

/* A spec array (arr, not NULL) as an arena array of size-byte elements,
 * each made by fill: what it leaves out takes no slot. *n is the count. */
static void *
spec_array(CkptCheckpoint *c, JsonArray *arr, size_t size, SpecElemFn fill,
           size_t *n)
{
  guint len = json_array_get_length(arr);
  uint8_t *out = ckpt_model_alloc(c, len, size);
  size_t k = 0;
  for (guint i = 0; i < len; i++)
    if (fill(c, json_array_get_element(arr, i), i, out + k * size))
      k++;
  *n = k;
  return out;
}

static gboolean
fill_mount(CkptCheckpoint *c, JsonNode *node, guint i, void *out)
{
  CkptSpecMount *mnt = out;
  JsonObject *m = obj_of(node);
  (void)i;
  if (m == NULL)
    return FALSE;
  mnt->destination = ckpt_model_str(c, member_str(m, "destination"));
  mnt->source = ckpt_model_str(c, member_str(m, "source"));
  mnt->type = ckpt_model_str(c, member_str(m, "type"));
  mnt->options = join_options(c, member_arr(m, "options"));
  return TRUE;
}

static void
load_spec_mounts(CkptCheckpoint *c, JsonObject *spec)
{
  JsonArray *mounts = member_arr(spec, "mounts");
  if (mounts == NULL)
    return;
  c->container.mounts = spec_array(c, mounts, sizeof(CkptSpecMount), fill_mount,
                                   &c->container.n_mounts);
}

static gboolean
fill_namespace(CkptCheckpoint *c, JsonNode *node, guint i, void *out)
{
  CkptSpecNamespace *ns = out;
  JsonObject *o = obj_of(node);
  const char *type = member_str(o, "type");
  if (type == NULL) {
    ckpt_model_warn(c, "spec.dump: linux.namespaces[%u] has no type, ignored",
                    i);
    return FALSE;
  }
  ns->type = ckpt_model_str(c, type);
  const char *path = member_str(o, "path");
  ns->path = path && *path ? ckpt_model_str(c, path) : NULL;
  return TRUE;
}

/* linux.namespaces: which namespaces the container got, and which it
 * joined by path; a type missing from the list is the host's. */
static void
load_spec_namespaces(CkptCheckpoint *c, JsonObject *spec)
{
  JsonArray *ns = member_arr(member_obj(spec, "linux"), "namespaces");
  if (ns == NULL)
    return;
  c->container.spec_namespaces =
      spec_array(c, ns, sizeof(CkptSpecNamespace), fill_namespace,
                 &c->container.n_spec_namespaces);
  c->container.has_spec_namespaces = 1;
}

/* "KEY=value", split at the first '=' */
static gboolean
fill_env(CkptCheckpoint *c, JsonNode *node, guint i, void *out)
{
  CkptKeyValue *kv = out;
  const char *e = node_str(node);
  (void)i;
  if (e == NULL)
    return FALSE;
  const char *eq = strchr(e, '=');
  kv->key = eq ? ckpt_model_strn(c, e, (size_t)(eq - e)) : ckpt_model_str(c, e);
  kv->value = ckpt_model_str(c, eq ? eq + 1 : "");
  return TRUE;
}

/* process.env: "KEY=value" strings. */
static void
load_spec_env(CkptCheckpoint *c, JsonObject *process)
{
  JsonArray *env = member_arr(process, "env");
  if (env == NULL)
    return;
  c->container.spec_env = spec_array(c, env, sizeof(CkptKeyValue), fill_env,
                                     &c->container.n_spec_env);
}

static void
load_spec_args(CkptCheckpoint *c, JsonObject *process)
{
  c->container.spec_args = model_strv(c, member_arr(process, "args"));
}

static void
load_spec(CkptCheckpoint *c, JsonNode *node)
{
  JsonObject *spec = obj_of(node);
  if (node && spec == NULL)
    ckpt_model_warn(c, "spec.dump: not a JSON object, ignored");
  if (spec == NULL) {
    /* Keep spec_args a valid empty list even without a spec. */
    load_spec_args(c, NULL);
    return;
  }
  load_annotations(c, spec);
  c->container.hostname = ckpt_model_str(c, member_str(spec, "hostname"));
  load_spec_mounts(c, spec);
  load_spec_namespaces(c, spec);
  JsonObject *process = member_obj(spec, "process");
  load_spec_env(c, process);
  load_spec_args(c, process);
}

/* ---- config.dump and the engine ------------------------------------------ */

static void
load_config(CkptCheckpoint *c, JsonNode *node)
{
  JsonObject *cfg = obj_of(node);
  if (node && cfg == NULL) {
    ckpt_model_warn(c, "config.dump: not a JSON object, ignored");
    return;
  }
  if (cfg == NULL)
    return;
  CkptContainerInfo *ci = &c->container;
  ci->id = ckpt_model_str(c, member_str(cfg, "id"));
  ci->name = ckpt_model_str(c, member_str(cfg, "name"));
  const char *image = member_str(cfg, "rootfsImageName");
  if (image == NULL)
    image = member_str(cfg, "rootfsImage");
  if (image == NULL)
    image = member_str(cfg, "RawImageName");
  ci->image = ckpt_model_str(c, image);
  const char *image_id = member_str(cfg, "rootfsImageID");
  if (image_id == NULL)
    image_id = member_str(cfg, "rootfsImageRef");
  ci->image_id = ckpt_model_str(c, image_id);
  ci->runtime = ckpt_model_str(c, member_str(cfg, "runtime"));
  ci->created = parse_time(member_str(cfg, "createdTime"));
  ci->checkpointed = parse_time(member_str(cfg, "checkpointedTime"));
}

/* Podman records no checkpoint time; CRIU writes stats-dump as the dump
 * ends (and inventory.img as it begins), so their timestamps in the archive
 * say when the checkpoint was taken. */
static void
checkpointed_from_members(CkptCheckpoint *c)
{
  CkptContainerInfo *ci = &c->container;
  if (ci->checkpointed != 0)
    return;
  ci->checkpointed = ckpt_imageset_mtime(c->images, "stats-dump");
  if (ci->checkpointed == 0)
    ci->checkpointed = ckpt_imageset_mtime(c->images, "inventory.img");
}

/* CRI-O keeps the container's CRI metadata as JSON text in an
 * annotation; its "name" is the name Kubernetes knows. */
static const char *
crio_metadata_name(CkptCheckpoint *c, const char *text)
{
  if (text == NULL)
    return NULL;
  g_autoptr(JsonNode) node =
      parse_json(c, "spec.dump annotation io.kubernetes.cri-o.Metadata",
                 (const uint8_t *)text, strlen(text));
  return ckpt_model_str(c, member_str(obj_of(node), "name"));
}

/* Tells the engine from the spec's annotations, as checkpointctl does,
 * and takes the engine's own view of name, pod and creation time. */
static void
detect_engine(CkptCheckpoint *c, JsonObject *cfg)
{
  CkptContainerInfo *ci = &c->container;
  const char *manager = annotation(ci, "io.container.manager");
  if (manager && strcmp(manager, "libpod") == 0) {
    ci->engine = ckpt_model_str(c, "Podman");
  } else if (manager && strcmp(manager, "cri-o") == 0) {
    ci->engine = ckpt_model_str(c, "CRI-O");
    const char *name =
        crio_metadata_name(c, annotation(ci, "io.kubernetes.cri-o.Metadata"));
    if (name)
      ci->name = name;
    int64_t t = parse_time(annotation(ci, "io.kubernetes.cri-o.Created"));
    if (t)
      ci->created = t;
    ci->pod = annotation(ci, "io.kubernetes.pod.name");
    ci->pod_namespace = annotation(ci, "io.kubernetes.pod.namespace");
  } else if (has_annotation_prefix(ci, "io.kubernetes.cri.")) {
    ci->engine = ckpt_model_str(c, "containerd");
    const char *name = annotation(ci, "io.kubernetes.cri.container-name");
    if (name)
      ci->name = name;
    ci->pod = annotation(ci, "io.kubernetes.cri.sandbox-name");
    ci->pod_namespace = annotation(ci, "io.kubernetes.cri.sandbox-namespace");
  } else if (member(cfg, "lockID") || member(cfg, "CreateCommand")) {
    /* Podman before io.container.manager still wrote its whole config,
     * with keys no other engine writes. */
    ci->engine = ckpt_model_str(c, "Podman");
  }
  if (ci->pod == NULL)
    ci->pod = annotation(ci, "io.kubernetes.pod.name");
  if (ci->pod_namespace == NULL)
    ci->pod_namespace = annotation(ci, "io.kubernetes.pod.namespace");
}

/* ---- networks ------------------------------------------------------------ */

static void
add_network(GArray *nets, CkptCheckpoint *c, const char *name, const char *ip,
            const char *gateway, const char *mac)
{
  CkptNetwork n = {
      .name = ckpt_model_str(c, name),
      .ip = ckpt_model_str(c, ip),
      .gateway = ckpt_model_str(c, gateway),
      .mac = ckpt_model_str(c, mac),
  };
  g_array_append_val(nets, n);
}

/* Podman 4/5 (netavark): { NET: { interfaces: { IF: { subnets, mac } } } } */
static void
networks_from_map(CkptCheckpoint *c, JsonObject *map, GArray *nets)
{
  g_autoptr(GList) names = json_object_get_members(map);
  for (GList *l = names; l; l = l->next) {
    JsonObject *ifaces =
        member_obj(obj_of(json_object_get_member(map, l->data)), "interfaces");
    if (ifaces == NULL)
      continue;
    g_autoptr(GList) ifnames = json_object_get_members(ifaces);
    for (GList *f = ifnames; f; f = f->next) {
      JsonObject *iface = obj_of(json_object_get_member(ifaces, f->data));
      const char *mac = member_str(iface, "mac_address");
      JsonArray *subnets = member_arr(iface, "subnets");
      guint n = subnets ? json_array_get_length(subnets) : 0;
      if (n == 0 && mac)
        add_network(nets, c, l->data, NULL, NULL, mac);
      for (guint i = 0; i < n; i++) {
        JsonObject *s = obj_of(json_array_get_element(subnets, i));
        add_network(nets, c, l->data, member_str(s, "ipnet"),
                    member_str(s, "gateway"), mac);
      }
    }
  }
}

/* Podman 3 (CNI): [ { interfaces: [{name, mac}], ips: [{address, gateway,
 * interface}] } ] */
static void
networks_from_cni(CkptCheckpoint *c, JsonArray *results, GArray *nets)
{
  guint n = json_array_get_length(results);
  for (guint i = 0; i < n; i++) {
    JsonObject *r = obj_of(json_array_get_element(results, i));
    JsonArray *ifaces = member_arr(r, "interfaces");
    JsonArray *ips = member_arr(r, "ips");
    guint n_if = ifaces ? json_array_get_length(ifaces) : 0;
    guint n_ip = ips ? json_array_get_length(ips) : 0;
    for (guint j = 0; j < n_ip; j++) {
      JsonObject *ip = obj_of(json_array_get_element(ips, j));
      JsonObject *iface = NULL;
      JsonNode *idx = member(ip, "interface");
      if (idx && JSON_NODE_HOLDS_VALUE(idx) &&
          json_node_get_value_type(idx) == G_TYPE_INT64) {
        gint64 k = json_node_get_int(idx);
        if (k >= 0 && k < (gint64)n_if)
          iface = obj_of(json_array_get_element(ifaces, (guint)k));
      }
      add_network(nets, c, member_str(iface, "name"), member_str(ip, "address"),
                  member_str(ip, "gateway"), member_str(iface, "mac"));
    }
  }
}

/* CRI-O: the pod's addresses in io.kubernetes.cri-o.IP.0, .1, ... */
static void
networks_from_crio(CkptCheckpoint *c, GArray *nets)
{
  for (unsigned i = 0; i < 64; i++) {
    g_autofree char *key = g_strdup_printf("io.kubernetes.cri-o.IP.%u", i);
    const char *ip = annotation(&c->container, key);
    if (ip == NULL)
      break;
    add_network(nets, c, NULL, ip, NULL, NULL);
  }
}

static void
load_networks(CkptCheckpoint *c, JsonNode *status)
{
  g_autoptr(GArray) nets = g_array_new(FALSE, TRUE, sizeof(CkptNetwork));
  if (obj_of(status))
    networks_from_map(c, obj_of(status), nets);
  else if (arr_of(status))
    networks_from_cni(c, arr_of(status), nets);
  else if (status && !JSON_NODE_HOLDS_NULL(status))
    ckpt_model_warn(c, "network.status: neither a map nor a list, ignored");
  if (nets->len == 0)
    networks_from_crio(c, nets);
  CkptNetwork *out = ckpt_model_alloc(c, nets->len, sizeof(*out));
  if (nets->len)
    memcpy(out, nets->data, nets->len * sizeof(*out));
  c->container.networks = out;
  c->container.n_networks = nets->len;
}

/* ---- deleted.files ----------------------------------------------------- */

static void
load_deleted(CkptCheckpoint *c, JsonNode *node)
{
  JsonArray *arr = arr_of(node);
  if (node && arr == NULL && !JSON_NODE_HOLDS_NULL(node))
    ckpt_model_warn(c, "deleted.files: not a JSON list, ignored");
  c->container.deleted_files = model_strv(c, arr);
}

/* ---- stats-dump ---------------------------------------------------------- */

static void
load_stats(CkptCheckpoint *c)
{
  const uint8_t *data;
  size_t len;
  if (!ckpt_imageset_meta(c->images, "stats-dump", &data, &len))
    return;
  CkptImageReader r;
  g_autoptr(GError) local = NULL;
  const uint8_t *entry = NULL;
  size_t elen = 0;
  if (!ckpt_image_open(&r, "stats-dump", data, len, STATS_MAGIC,
                       c->limits.max_entry_size, c->limits.max_entries,
                       &local) ||
      ckpt_image_next(&r, &entry, &elen, &local) != 1) {
    ckpt_model_warn(c, "%s",
                    local ? local->message : "stats-dump: no entry, ignored");
    return;
  }
  r.max_decode = c->limits.max_decode_memory;
  StatsEntry *s = (StatsEntry *)ckpt_image_unpack(&r, &stats_entry__descriptor,
                                                  entry, elen, &local);
  if (s == NULL) {
    ckpt_model_warn(c, "%s, ignored", local->message);
    return;
  }
  if (s->dump) {
    CkptContainerInfo *ci = &c->container;
    ci->freezing_time_us = s->dump->freezing_time;
    ci->frozen_time_us = s->dump->frozen_time;
    ci->memdump_time_us = s->dump->memdump_time;
    ci->memwrite_time_us = s->dump->memwrite_time;
    ci->pages_scanned = s->dump->pages_scanned;
    ci->pages_skipped_parent = s->dump->pages_skipped_parent;
    ci->pages_written = s->dump->pages_written;
    ci->pages_lazy = s->dump->pages_lazy;
    ci->has_stats = 1;
  }
  stats_entry__free_unpacked(s, NULL);
}

/* ---- sizes --------------------------------------------------------------- */

static gboolean
is_pages_image(const char *name)
{
  return g_str_has_prefix(name, "pages-") && g_str_has_suffix(name, ".img");
}

static void
load_sizes(CkptCheckpoint *c)
{
  CkptContainerInfo *ci = &c->container;
  for (const char *const *n = ckpt_imageset_image_names(c->images); *n; n++) {
    size_t len = 0;
    if (is_pages_image(*n) && ckpt_imageset_image(c->images, *n, NULL, &len))
      ci->pages_size += len;
  }
  size_t len = 0;
  if (ckpt_imageset_meta(c->images, "rootfs-diff.tar", NULL, &len)) {
    ci->has_rootfs_diff = 1;
    ci->rootfs_diff_size = len;
  }
}

gboolean
ckpt_meta_load(CkptCheckpoint *c, GError **error)
{
  for (const char *const *w = ckpt_imageset_warnings(c->images); *w; w++)
    ckpt_model_warn(c, "%s", *w);

  g_autoptr(JsonNode) config = NULL;
  g_autoptr(JsonNode) spec = NULL;
  g_autoptr(JsonNode) network = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  if (!load_json(c, "config.dump", &config, error) ||
      !load_json(c, "spec.dump", &spec, error) ||
      !load_json(c, "network.status", &network, error) ||
      !load_json(c, "deleted.files", &deleted, error))
    return FALSE;

  load_config(c, config);
  load_spec(c, spec);
  detect_engine(c, obj_of(config));
  load_networks(c, network);
  load_deleted(c, deleted);
  load_stats(c);
  load_sizes(c);
  checkpointed_from_members(c);
  return TRUE;
}

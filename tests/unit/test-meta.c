/* test-meta.c - container metadata, dump statistics and the rootfs diff,
 * checked against checkpointctl's `show` (oracle/checkpointctl), crit's
 * decode of stats-dump (oracle/criu-dir), the raw JSON files themselves and
 * the workload's own markers file; plus damaged metadata made here by
 * repacking a fixture with one member replaced. */
#define _GNU_SOURCE /* memmem */
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fixture.h"
#include "util/error.h"
#include "model/model.h"

static char *tmpdir;

/* The image set and the metadata stage alone, so these tests do not
 * depend on the other stages. */
static CkptCheckpoint *
open_meta(const char *path, const CkptLimits *limits, GError **error)
{
  CkptCheckpoint *c = ckpt_checkpoint_new(limits);
  c->images = ckpt_imageset_open(path, &c->limits, error);
  if (c->images == NULL || !ckpt_meta_load(c, error)) {
    ckpt_checkpoint_free(c);
    return NULL;
  }
  return c;
}

static CkptCheckpoint *
open_fixture(const char *name)
{
  g_autofree char *p = fixture_path(name);
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = open_meta(p, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(c);
  return c;
}

static char *
warnings_text(const CkptCheckpoint *c)
{
  g_autoptr(GString) s = g_string_new(NULL);
  for (guint i = 0; i < c->warnings->len; i++)
    g_string_append_printf(s, "%s\n", (char *)c->warnings->pdata[i]);
  return g_string_free(g_steal_pointer(&s), FALSE);
}

/* ---- checkpointctl show ------------------------------------------------- */

/* The header and the one data row of `checkpointctl show`'s table, as a
 * column title -> cell map. */
static GHashTable *
show_row(const char *fixture_name)
{
  g_autofree char *name =
      g_strdup_printf("oracle/checkpointctl/%s.show.txt", fixture_name);
  g_autofree char *p = fixture_path(name);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  GStrv header = NULL, row = NULL;
  for (char **l = lines; *l; l++) {
    if ((*l)[0] != '|')
      continue;
    GStrv cells = g_strsplit(*l, "|", -1);
    if (header == NULL)
      header = cells;
    else if (row == NULL)
      row = cells;
    else
      g_strfreev(cells);
  }
  g_assert_nonnull(header);
  g_assert_nonnull(row);
  g_assert_cmpuint(g_strv_length(header), ==, g_strv_length(row));
  GHashTable *t =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; header[i]; i++)
    g_hash_table_insert(t, g_strdup(g_strstrip(header[i])),
                        g_strdup(g_strstrip(row[i])));
  g_strfreev(header);
  g_strfreev(row);
  return t;
}

/* checkpointctl's ByteToString */
static char *
byte_string(uint64_t b)
{
  if (b < 1024)
    return g_strdup_printf("%" G_GUINT64_FORMAT " B", b);
  uint64_t div = 1024;
  int exp = 0;
  for (uint64_t n = b / 1024; n >= 1024; n /= 1024) {
    div *= 1024;
    exp++;
  }
  return g_strdup_printf("%.1f %ciB", (double)b / (double)div, "KMGTPE"[exp]);
}

static int64_t
iso_time(const char *s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(s, NULL);
  g_assert_nonnull(dt);
  return g_date_time_to_unix(dt);
}

static void
check_show(const char *fixture_name, const char *archive)
{
  g_autoptr(CkptCheckpoint) c = open_fixture(archive);
  g_autoptr(GHashTable) row = show_row(fixture_name);
  const CkptContainerInfo *ci = &c->container;
  g_assert_cmpstr(ci->name, ==, g_hash_table_lookup(row, "CONTAINER"));
  g_assert_cmpstr(ci->image, ==, g_hash_table_lookup(row, "IMAGE"));
  g_assert_nonnull(ci->id);
  g_assert_cmpuint(strlen(ci->id), >, 12);
  g_autofree char *id12 = g_strndup(ci->id, 12);
  g_assert_cmpstr(id12, ==, g_hash_table_lookup(row, "ID"));
  g_assert_cmpstr(ci->runtime, ==, g_hash_table_lookup(row, "RUNTIME"));
  g_assert_cmpstr(ci->engine, ==, g_hash_table_lookup(row, "ENGINE"));
  g_assert_cmpint(ci->created, ==,
                  iso_time(g_hash_table_lookup(row, "CREATED")));
  g_autofree char *diff = byte_string(ci->rootfs_diff_size);
  g_assert_true(ci->has_rootfs_diff);
  g_assert_cmpstr(diff, ==, g_hash_table_lookup(row, "ROOT FS DIFF SIZE"));
  const char *ip = g_hash_table_lookup(row, "IP");
  if (ip != NULL) {
    g_assert_cmpuint(ci->n_networks, >=, 1);
    g_assert_cmpstr(ci->networks[0].ip, ==, ip);
  }
  g_assert_cmpuint(c->warnings->len, ==, 0);
}

static void
test_show_podman(void)
{
  check_show("podman-none", "podman-none.tar");
  check_show("podman-zstd", "podman-zstd.tar.zst");
  check_show("podman-gzip", "podman-gzip.tar.gz");
}

static void
test_show_crio(void)
{
  check_show("crio-none", "crio-none.tar");
}

static void
test_show_containerd(void)
{
  check_show("containerd-none", "containerd-none.tar");
}

/* ---- the raw JSON -------------------------------------------------------- */

static JsonObject *
member_json(CkptCheckpoint *c, const char *name, JsonParser *parser)
{
  const uint8_t *d;
  size_t len;
  g_assert_true(ckpt_imageset_meta(c->images, name, &d, &len));
  g_assert_true(
      json_parser_load_from_data(parser, (const char *)d, (gssize)len, NULL));
  return json_node_get_object(json_parser_get_root(parser));
}

static const char *
annotation(const CkptContainerInfo *ci, const char *key)
{
  for (size_t i = 0; i < ci->n_annotations; i++)
    if (strcmp(ci->annotations[i].key, key) == 0)
      return ci->annotations[i].value;
  return NULL;
}

/* spec.dump's env, args, annotations, hostname and mounts come through
 * whole; env.txt's variables are among the env. */
static void
check_spec(const char *archive)
{
  g_autoptr(CkptCheckpoint) c = open_fixture(archive);
  const CkptContainerInfo *ci = &c->container;
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *spec = member_json(c, "spec.dump", parser);
  JsonObject *process = json_object_get_object_member(spec, "process");

  JsonArray *env = json_object_get_array_member(process, "env");
  g_assert_cmpuint(ci->n_spec_env, ==, json_array_get_length(env));
  for (guint i = 0; i < json_array_get_length(env); i++) {
    g_autofree char *kv =
        g_strdup_printf("%s=%s", ci->spec_env[i].key, ci->spec_env[i].value);
    g_assert_cmpstr(kv, ==, json_array_get_string_element(env, i));
  }
  g_autofree char *env_txt_path = fixture_path("env.txt");
  g_autofree char *env_txt = NULL;
  g_assert_true(g_file_get_contents(env_txt_path, &env_txt, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(env_txt, "\n", -1);
  guint found = 0;
  for (char **l = lines; *l; l++) {
    if (**l == '\0')
      continue;
    g_auto(GStrv) kv = g_strsplit(*l, "=", 2);
    for (size_t i = 0; i < ci->n_spec_env; i++)
      if (strcmp(ci->spec_env[i].key, kv[0]) == 0 &&
          strcmp(ci->spec_env[i].value, kv[1]) == 0)
        found++;
  }
  g_assert_cmpuint(found, ==, 5);

  JsonArray *args = json_object_get_array_member(process, "args");
  guint n_args = 0;
  while (ci->spec_args[n_args])
    n_args++;
  g_assert_cmpuint(n_args, ==, json_array_get_length(args));
  for (guint i = 0; i < n_args; i++)
    g_assert_cmpstr(ci->spec_args[i], ==,
                    json_array_get_string_element(args, i));

  JsonObject *ann = json_object_get_object_member(spec, "annotations");
  g_assert_cmpuint(ci->n_annotations, ==, json_object_get_size(ann));
  for (size_t i = 0; i < ci->n_annotations; i++)
    g_assert_cmpstr(ci->annotations[i].value, ==,
                    json_object_get_string_member(ann, ci->annotations[i].key));
  g_assert_cmpstr(ci->hostname, ==,
                  json_object_get_string_member(spec, "hostname"));

  JsonArray *mounts = json_object_get_array_member(spec, "mounts");
  g_assert_cmpuint(ci->n_mounts, ==, json_array_get_length(mounts));
  for (guint i = 0; i < ci->n_mounts; i++) {
    JsonObject *m = json_array_get_object_element(mounts, i);
    g_assert_cmpstr(ci->mounts[i].destination, ==,
                    json_object_get_string_member(m, "destination"));
  }
  g_assert_cmpuint(ci->n_mounts, >, 3);
  g_assert_nonnull(ci->deleted_files);
  g_assert_null(ci->deleted_files[0]); /* the workload deletes nothing */
}

static void
test_spec(void)
{
  check_spec("podman-none.tar");
  check_spec("crio-none.tar");
  check_spec("containerd-none.tar");
}

static void
test_pods(void)
{
  const char *names[] = {"crio-none.tar", "containerd-none.tar"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autoptr(CkptCheckpoint) c = open_fixture(names[i]);
    const CkptContainerInfo *ci = &c->container;
    const char *pod = annotation(ci, "io.kubernetes.pod.name");
    if (pod == NULL)
      pod = annotation(ci, "io.kubernetes.cri.sandbox-name");
    const char *ns = annotation(ci, "io.kubernetes.pod.namespace");
    if (ns == NULL)
      ns = annotation(ci, "io.kubernetes.cri.sandbox-namespace");
    g_assert_nonnull(pod);
    g_assert_cmpstr(ci->pod, ==, pod);
    g_assert_cmpstr(ci->pod_namespace, ==, ns);
    g_assert_cmpstr(ci->pod_namespace, ==, "forensics");
    /* both record when the checkpoint was taken */
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *cfg = member_json(c, "config.dump", parser);
    g_assert_cmpint(
        ci->checkpointed, ==,
        iso_time(json_object_get_string_member(cfg, "checkpointedTime")));
    g_assert_cmpint(ci->checkpointed, >, 0);
    g_assert_nonnull(ci->image_id);
  }
  g_autoptr(CkptCheckpoint) p = open_fixture("podman-none.tar");
  g_assert_null(p->container.pod);
  /* Podman records no checkpoint time: it comes from stats-dump's header,
   * read here by libarchive on its own */
  g_autofree char *tar = fixture_path("podman-none.tar");
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  g_assert_cmpint(archive_read_open_filename(a, tar, 10240), ==, ARCHIVE_OK);
  struct archive_entry *e;
  int64_t stats_mtime = 0;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK)
    if (g_strcmp0(archive_entry_pathname(e), "stats-dump") == 0)
      stats_mtime = archive_entry_mtime(e);
  archive_read_free(a);
  g_assert_cmpint(stats_mtime, >, 0);
  g_assert_cmpint(p->container.checkpointed, ==, stats_mtime);
  g_assert_cmpint(p->container.checkpointed, >=, p->container.created);
  g_assert_cmpuint(p->container.n_networks, ==, 0); /* --network none */
}

/* ---- stats-dump and sizes ------------------------------------------------ */

static void
test_stats_vs_crit(void)
{
  g_autoptr(CkptCheckpoint) c = open_fixture("criu-dir");
  const CkptContainerInfo *ci = &c->container;
  g_autofree char *p = fixture_path("oracle/criu-dir/stats-dump.json");
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_file(parser, p, NULL));
  JsonObject *root = json_node_get_object(json_parser_get_root(parser));
  JsonObject *dump = json_object_get_object_member(
      json_array_get_object_element(
          json_object_get_array_member(root, "entries"), 0),
      "dump");
  g_assert_true(ci->has_stats);
  g_assert_cmpuint(ci->freezing_time_us, ==,
                   json_object_get_int_member(dump, "freezing_time"));
  g_assert_cmpuint(ci->frozen_time_us, ==,
                   json_object_get_int_member(dump, "frozen_time"));
  g_assert_cmpuint(ci->memdump_time_us, ==,
                   json_object_get_int_member(dump, "memdump_time"));
  g_assert_cmpuint(ci->memwrite_time_us, ==,
                   json_object_get_int_member(dump, "memwrite_time"));
  g_assert_cmpuint(ci->pages_scanned, ==,
                   json_object_get_int_member(dump, "pages_scanned"));
  g_assert_cmpuint(ci->pages_skipped_parent, ==,
                   json_object_get_int_member(dump, "pages_skipped_parent"));
  g_assert_cmpuint(ci->pages_written, ==,
                   json_object_get_int_member(dump, "pages_written"));
  g_assert_cmpuint(ci->pages_lazy, ==,
                   json_object_get_int_member(dump, "pages_lazy"));
  /* a bare CRIU directory has no engine metadata */
  g_assert_null(ci->engine);
  g_assert_null(ci->name);
  g_assert_false(ci->has_rootfs_diff);
  g_assert_nonnull(ci->spec_args);
  g_assert_null(ci->spec_args[0]);
}

/* pages_size is the sum of pages-*.img as the tar headers give them. */
static void
test_sizes(void)
{
  g_autofree char *p = fixture_path("podman-none.tar");
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  g_assert_cmpint(archive_read_open_filename(a, p, 65536), ==, ARCHIVE_OK);
  struct archive_entry *e;
  uint64_t pages = 0, diff = 0;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    const char *n = archive_entry_pathname(e);
    if (g_str_has_prefix(n, "checkpoint/pages-"))
      pages += (uint64_t)archive_entry_size(e);
    if (strcmp(n, "rootfs-diff.tar") == 0)
      diff = (uint64_t)archive_entry_size(e);
  }
  archive_read_free(a);
  g_autoptr(CkptCheckpoint) c = open_fixture("podman-none.tar");
  g_assert_cmpuint(pages, >, 0);
  g_assert_cmpuint(c->container.pages_size, ==, pages);
  g_assert_cmpuint(c->container.rootfs_diff_size, ==, diff);
  g_assert_true(c->container.has_stats);
  g_assert_cmpuint(c->container.pages_written, >, 0);
}

/* ---- the rootfs diff ----------------------------------------------------- */

static void
check_diff(const char *archive, const char *markers_name)
{
  g_autoptr(CkptCheckpoint) c = open_fixture(archive);
  g_autofree char *mp = fixture_path(markers_name);
  g_autofree char *markers = NULL;
  gsize mlen;
  g_assert_true(g_file_get_contents(mp, &markers, &mlen, NULL));

  CkptFileIter *it = ckpt_diff_iter_new(c, 0);
  CkptDiffFile f;
  gboolean saw_markers = FALSE, saw_config = FALSE;
  guint n = 0;
  while (ckpt_diff_iter_next(it, &f)) {
    n++;
    g_assert_true(f.path[0] == '/');
    g_assert_cmpuint(f.len, ==, f.full_size);
    if (strcmp(f.path, "/markers.txt") == 0) {
      g_assert_cmpmem(f.data, f.len, markers, mlen);
      saw_markers = TRUE;
    }
    if (strcmp(f.path, "/app/config.env") == 0)
      saw_config = memmem(f.data, f.len, "glpat-", 6) != NULL;
  }
  g_assert_cmpint(ckpt_diff_iter_next(it, &f), ==, 0); /* stays ended */
  ckpt_diff_iter_free(it);
  g_assert_true(saw_markers);
  g_assert_true(saw_config);
  g_assert_cmpuint(n, >=, 5);

  /* each file is cut at the caller's limit, full size still told */
  it = ckpt_diff_iter_new(c, 10);
  while (ckpt_diff_iter_next(it, &f)) {
    g_assert_cmpuint(f.len, <=, 10);
    g_assert_cmpuint(f.len, ==, MIN(f.full_size, 10));
  }
  ckpt_diff_iter_free(it);
  g_assert_cmpuint(c->warnings->len, ==, 0);
}

static void
test_diff(void)
{
  check_diff("podman-none.tar", "markers-podman-none.txt");
  check_diff("podman-zstd.tar.zst", "markers-podman-zstd.txt");
  /* containerd's rootfs-diff.tar is gzip'ed */
  check_diff("containerd-none.tar", "markers-containerd-none.txt");
}

static void
test_diff_absent(void)
{
  g_autoptr(CkptCheckpoint) c = open_fixture("criu-dir");
  CkptFileIter *it = ckpt_diff_iter_new(c, 0);
  CkptDiffFile f;
  g_assert_cmpint(ckpt_diff_iter_next(it, &f), ==, 0);
  ckpt_diff_iter_free(it);
}

/* ---- damaged metadata ---------------------------------------------------- */

/* Copies a fixture tar with member `name` given new contents (added when
 * absent); returns the new path. */
static char *
repack(const char *archive, const char *name, const char *data, size_t len)
{
  g_autofree char *src = fixture_path(archive);
  g_autofree char *base = g_strdup_printf("%s-%s", name, archive);
  char *dst = g_build_filename(tmpdir, base, NULL);
  struct archive *in = archive_read_new();
  archive_read_support_format_tar(in);
  g_assert_cmpint(archive_read_open_filename(in, src, 65536), ==, ARCHIVE_OK);
  struct archive *out = archive_write_new();
  archive_write_set_format_pax_restricted(out);
  g_assert_cmpint(archive_write_open_filename(out, dst), ==, ARCHIVE_OK);
  struct archive_entry *e;
  gboolean replaced = FALSE;
  char buf[65536];
  while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
    gboolean hit = strcmp(archive_entry_pathname(e), name) == 0;
    if (hit)
      archive_entry_set_size(e, (la_int64_t)len);
    g_assert_cmpint(archive_write_header(out, e), ==, ARCHIVE_OK);
    if (hit) {
      if (len)
        g_assert_cmpint(archive_write_data(out, data, len), ==, len);
      replaced = TRUE;
      continue;
    }
    la_ssize_t n;
    while ((n = archive_read_data(in, buf, sizeof(buf))) > 0)
      g_assert_cmpint(archive_write_data(out, buf, (size_t)n), ==, n);
  }
  if (!replaced) {
    struct archive_entry *ne = archive_entry_new();
    archive_entry_set_pathname(ne, name);
    archive_entry_set_filetype(ne, AE_IFREG);
    archive_entry_set_perm(ne, 0600);
    archive_entry_set_size(ne, (la_int64_t)len);
    g_assert_cmpint(archive_write_header(out, ne), ==, ARCHIVE_OK);
    g_assert_cmpint(archive_write_data(out, data, len), ==, len);
    archive_entry_free(ne);
  }
  archive_read_free(in);
  archive_write_close(out);
  archive_write_free(out);
  return dst;
}

static CkptCheckpoint *
open_repacked(const char *archive, const char *name, const char *data)
{
  g_autofree char *p = repack(archive, name, data, strlen(data));
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = open_meta(p, NULL, &error);
  g_assert_no_error(error);
  return c;
}

static void
expect_warning(CkptCheckpoint *c, const char *needle)
{
  g_autofree char *w = warnings_text(c);
  g_test_message("%s", w);
  if (strstr(w, needle) == NULL)
    g_error("warnings \"%s\" lack \"%s\"", w, needle);
}

/* Damaged metadata is a warning naming the file; the rest still loads. */
static void
test_bad_json(void)
{
  g_autoptr(CkptCheckpoint) c =
      open_repacked("podman-none.tar", "config.dump", "{\"id\": \"abc\", ");
  expect_warning(c, "config.dump: not valid JSON");
  g_assert_null(c->container.name);
  g_assert_cmpstr(c->container.engine, ==, "Podman"); /* from spec.dump */
  g_assert_true(c->container.has_stats);

  g_autoptr(CkptCheckpoint) c2 =
      open_repacked("podman-none.tar", "spec.dump", "[1, 2]");
  expect_warning(c2, "spec.dump: not a JSON object");
  g_assert_cmpstr(c2->container.name, ==, "ckpt-fixture");
  g_assert_nonnull(c2->container.spec_args);

  /* nesting deep enough to exhaust a recursive parser's stack */
  GString *deep = g_string_new(NULL);
  for (int i = 0; i < 200000; i++)
    g_string_append_c(deep, '[');
  g_autoptr(CkptCheckpoint) c3 =
      open_repacked("podman-none.tar", "network.status", deep->str);
  g_string_free(deep, TRUE);
  expect_warning(c3, "network.status: JSON nested deeper");

  /* an empty or blank file is no document: absent, as json-glib had it */
  g_autoptr(CkptCheckpoint) blank =
      open_repacked("podman-none.tar", "config.dump", " \r\n\t");
  g_assert_null(blank->container.name);
  g_assert_false(fixture_has_warning(blank, "config.dump"));
  g_autoptr(CkptCheckpoint) ff =
      open_repacked("podman-none.tar", "config.dump", "\f");
  expect_warning(ff, "config.dump: not valid JSON, ignored: offset 0");

  g_autoptr(CkptCheckpoint) c4 =
      open_repacked("podman-none.tar", "deleted.files", "{\"a\": 1}");
  expect_warning(c4, "deleted.files: not a JSON list");

  g_autoptr(CkptCheckpoint) c5 =
      open_repacked("podman-none.tar", "stats-dump", "\x40\x59\x10\x55");
  expect_warning(c5, "stats-dump");
  g_assert_false(c5->container.has_stats);

  /* a Podman entry of 1 GiB that is not there */
  g_autoptr(CkptCheckpoint) c6 =
      open_repacked("podman-none.tar", "stats-dump",
                    "\x40\x59\x10\x55\x06\x33\x09\x57\xff\xff\xff\x3f\x0a");
  expect_warning(c6, "stats-dump");
  g_assert_false(c6->container.has_stats);
}

static void
test_too_big(void)
{
  g_autofree char *p = fixture_path("podman-none.tar");
  CkptLimits l;
  ckpt_limits_init(&l);
  l.max_entry_size = 1000;
  g_autoptr(GError) error = NULL;
  CkptCheckpoint *c = open_meta(p, &l, &error);
  g_assert_null(c);
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_LIMIT);
  g_assert_nonnull(strstr(error->message, "config.dump"));
  g_assert_nonnull(strstr(error->message, "max-entry-size"));
}

/* The other shapes: Podman 4/5 netavark map, Podman 3 CNI list, and a
 * deleted.files list. */
static void
test_shapes(void)
{
  const char *netavark =
      "{\"podman\": {\"interfaces\": {\"eth0\": {\"subnets\": ["
      "{\"ipnet\": \"10.88.0.5/16\", \"gateway\": \"10.88.0.1\"},"
      "{\"ipnet\": \"fd00::5/64\", \"gateway\": \"fd00::1\"}],"
      "\"mac_address\": \"b6:1f:2a:3c:4d:5e\"}}},"
      " \"other\": {\"interfaces\": {}}}";
  g_autoptr(CkptCheckpoint) c =
      open_repacked("podman-none.tar", "network.status", netavark);
  const CkptContainerInfo *ci = &c->container;
  g_assert_cmpuint(ci->n_networks, ==, 2);
  g_assert_cmpstr(ci->networks[0].name, ==, "podman");
  g_assert_cmpstr(ci->networks[0].ip, ==, "10.88.0.5/16");
  g_assert_cmpstr(ci->networks[0].gateway, ==, "10.88.0.1");
  g_assert_cmpstr(ci->networks[0].mac, ==, "b6:1f:2a:3c:4d:5e");
  g_assert_cmpstr(ci->networks[1].ip, ==, "fd00::5/64");

  const char *cni =
      "[{\"cniVersion\": \"0.4.0\", \"interfaces\": [{\"name\": \"cni0\", "
      "\"mac\": \"aa:bb:cc:dd:ee:01\"}, {\"name\": \"eth0\", \"mac\": "
      "\"aa:bb:cc:dd:ee:02\", \"sandbox\": \"/run/netns/x\"}], \"ips\": "
      "[{\"version\": \"4\", \"interface\": 1, \"address\": "
      "\"10.88.0.7/16\", \"gateway\": \"10.88.0.1\"}, {\"version\": \"4\", "
      "\"interface\": 9, \"address\": \"10.1.0.1/8\"}]}]";
  g_autoptr(CkptCheckpoint) c2 =
      open_repacked("podman-none.tar", "network.status", cni);
  ci = &c2->container;
  g_assert_cmpuint(ci->n_networks, ==, 2);
  g_assert_cmpstr(ci->networks[0].name, ==, "eth0");
  g_assert_cmpstr(ci->networks[0].ip, ==, "10.88.0.7/16");
  g_assert_cmpstr(ci->networks[0].mac, ==, "aa:bb:cc:dd:ee:02");
  g_assert_null(ci->networks[1].name); /* interface index out of range */

  g_autoptr(CkptCheckpoint) c3 = open_repacked(
      "podman-none.tar", "deleted.files", "[\"/etc/motd\", 7, \"/tmp/x\"]");
  ci = &c3->container;
  g_assert_cmpstr(ci->deleted_files[0], ==, "/etc/motd");
  g_assert_cmpstr(ci->deleted_files[1], ==, "/tmp/x");
  g_assert_null(ci->deleted_files[2]);
  g_assert_cmpuint(c3->warnings->len, ==, 0);
}

/* A diff with hostile names and links: names are display text only,
 * links are skipped. */
static void
test_diff_hostile(void)
{
  g_autofree char *inner = g_build_filename(tmpdir, "diff.tar", NULL);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  g_assert_cmpint(archive_write_open_filename(a, inner), ==, ARCHIVE_OK);
  const struct {
    const char *name;
    mode_t type;
    const char *data;
  } m[] = {
      {"../../etc/shadow", AE_IFREG, "x"},
      {"evil\x1b[31mname", AE_IFREG, "yy"},
      {"link", AE_IFLNK, NULL},
      {"dir/", AE_IFDIR, NULL},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(m); i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, m[i].name);
    archive_entry_set_filetype(e, m[i].type);
    archive_entry_set_perm(e, 0644);
    if (m[i].type == AE_IFLNK)
      archive_entry_set_symlink(e, "/etc/passwd");
    size_t len = m[i].data ? strlen(m[i].data) : 0;
    archive_entry_set_size(e, (la_int64_t)len);
    g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
    if (len)
      archive_write_data(a, m[i].data, len);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(inner, &bytes, &len, NULL));
  g_autofree char *p = repack("podman-none.tar", "rootfs-diff.tar", bytes, len);
  g_autoptr(CkptCheckpoint) c = open_meta(p, NULL, NULL);
  g_assert_nonnull(c);
  CkptFileIter *it = ckpt_diff_iter_new(c, 0);
  CkptDiffFile f;
  g_assert_cmpint(ckpt_diff_iter_next(it, &f), ==, 1);
  g_assert_cmpstr(f.path, ==, "/../../etc/shadow");
  g_assert_cmpint(ckpt_diff_iter_next(it, &f), ==, 1);
  g_assert_cmpstr(f.path, ==, "/evil?[31mname");
  g_assert_cmpmem(f.data, f.len, "yy", 2);
  g_assert_cmpint(ckpt_diff_iter_next(it, &f), ==, 0);
  ckpt_diff_iter_free(it);

  /* a truncated diff ends the walk with a warning */
  g_autofree char *p2 =
      repack("podman-none.tar", "rootfs-diff.tar", bytes, 700);
  g_autoptr(CkptCheckpoint) c2 = open_meta(p2, NULL, NULL);
  it = ckpt_diff_iter_new(c2, 0);
  while (ckpt_diff_iter_next(it, &f))
    ;
  ckpt_diff_iter_free(it);
  expect_warning(c2, "rootfs-diff.tar");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = fixture_tmpdir();
  g_test_add_func("/meta/show/podman", test_show_podman);
  g_test_add_func("/meta/show/crio", test_show_crio);
  g_test_add_func("/meta/show/containerd", test_show_containerd);
  g_test_add_func("/meta/spec", test_spec);
  g_test_add_func("/meta/pods", test_pods);
  g_test_add_func("/meta/stats-vs-crit", test_stats_vs_crit);
  g_test_add_func("/meta/sizes", test_sizes);
  g_test_add_func("/meta/diff", test_diff);
  g_test_add_func("/meta/diff-absent", test_diff_absent);
  g_test_add_func("/meta/bad-json", test_bad_json);
  g_test_add_func("/meta/too-big", test_too_big);
  g_test_add_func("/meta/shapes", test_shapes);
  g_test_add_func("/meta/diff-hostile", test_diff_hostile);
  int rc = g_test_run();
  fixture_rm_rf(tmpdir);
  g_free(tmpdir);
  return rc;
}

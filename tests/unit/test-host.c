/* test-host.c - the plugin host on the test plugins (tests/plugins) and a
 * real fixture: every refusal path with its message, options type-checked,
 * chains from INI files, dependency order, results read by a later plugin,
 * FAILED isolation and FATAL stopping the chain. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/chain.h"
#include "fixture.h"
#include "host/host.h"
#include "util/error.h"
#include "host/run.h"

static char *
plugin_path(const char *name)
{
  const char *dir = fixture_env("CKPT_TEST_PLUGINS");
  g_autofree char *file = g_strconcat(name, ".so", NULL);
  return g_build_filename(dir, file, NULL);
}

static void
assert_refused(const char *name, const char *reason)
{
  g_autoptr(CkptHost) h = ckpt_host_new();
  g_autofree char *path = plugin_path(name);
  g_autoptr(GError) error = NULL;
  g_assert_false(ckpt_host_load_file(h, path, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_PLUGIN);
  if (!strstr(error->message, path) || !strstr(error->message, reason))
    g_error("refusal of %s: '%s' lacks the path or '%s'", name, error->message,
            reason);
  g_assert_null(ckpt_host_find(h, name));
}

static void
test_refusals(void)
{
  assert_refused("tp-badmajor", "major differs");
  assert_refused("tp-newminor", "newer than the host");
  assert_refused("tp-nodesc", "no descriptor");
}

/* Refusals that need the whole registry: init and dependencies. */
static void
test_refusals_finish(void)
{
  g_autoptr(CkptHost) h = ckpt_host_new();
  const char *names[] = {"tp-initfail", "tp-missingdep", "tp-source"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = plugin_path(names[i]);
    g_assert_true(ckpt_host_load_file(h, p, NULL));
  }
  ckpt_host_finish(h, ckpt_api_table());
  g_assert_null(ckpt_host_find(h, "tp-initfail"));
  g_assert_null(ckpt_host_find(h, "tp-missingdep"));
  g_assert_nonnull(ckpt_host_find(h, "tp-source"));
  GPtrArray *r = ckpt_host_refusals(h);
  g_assert_cmpuint(r->len, ==, 2);
  gboolean init = FALSE, dep = FALSE;
  for (guint i = 0; i < r->len; i++) {
    const char *m = g_ptr_array_index(r, i);
    init |= strstr(m, "tp-initfail.so") && strstr(m, "init failed") &&
            strstr(m, "no licence server reachable");
    dep |= strstr(m, "tp-missingdep.so") &&
           strstr(m, "missing dependency tp-nonexistent");
  }
  g_assert_true(init);
  g_assert_true(dep);
}

static void
test_duplicate(void)
{
  g_autoptr(CkptHost) h = ckpt_host_new();
  g_autofree char *p = plugin_path("tp-source");
  g_assert_true(ckpt_host_load_file(h, p, NULL));
  g_autoptr(GError) error = NULL;
  g_assert_false(ckpt_host_load_file(h, p, &error));
  g_assert_nonnull(strstr(error->message, "already loaded"));
}

static void
test_discover(void)
{
  g_autoptr(CkptHost) h = ckpt_host_new();
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(dirs, g_strdup(fixture_env("CKPT_TEST_PLUGINS")));
  ckpt_host_discover(h, dirs);
  ckpt_host_finish(h, ckpt_api_table());
  g_assert_nonnull(ckpt_host_find(h, "tp-source"));
  g_assert_nonnull(ckpt_host_find(h, "tp-reader"));
  g_assert_nonnull(ckpt_host_find(h, "tp-failing"));
  /* four refused: bad major, newer minor, no descriptor, init, dep */
  g_assert_cmpuint(ckpt_host_refusals(h)->len, ==, 5);
}

static void
test_search_dirs(void)
{
  g_setenv("CKPT_PLUGIN_PATH", "/opt/a::relative:/opt/b:", TRUE);
  g_setenv("XDG_DATA_HOME", "/xdg", TRUE);
  const char *explicit_paths[] = {"/first", NULL};
  g_autoptr(GPtrArray) d = ckpt_host_search_dirs(explicit_paths);
  g_assert_cmpstr(g_ptr_array_index(d, 0), ==, "/first");
  g_assert_cmpstr(g_ptr_array_index(d, 1), ==, "/opt/a");
  g_assert_cmpstr(g_ptr_array_index(d, 2), ==, "/opt/b");
  g_assert_cmpstr(g_ptr_array_index(d, 3), ==, "/xdg/ckpt/plugins");
  for (guint i = 0; i < d->len; i++) {
    const char *dir = g_ptr_array_index(d, i);
    g_assert_true(g_path_is_absolute(dir));
  }
  g_unsetenv("CKPT_PLUGIN_PATH");
  g_unsetenv("XDG_DATA_HOME");
}

static char *
copy_plugin(const char *dir, const char *name)
{
  g_autofree char *src = plugin_path(name);
  g_autofree char *base = g_strconcat(name, ".so", NULL);
  char *dst = g_build_filename(dir, base, NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(dst, bytes, (gssize)len, NULL));
  g_assert_cmpint(g_chmod(dst, 0644), ==, 0);
  return dst;
}

/* As root, a plugin file writable by group or others is refused, and so is
 * one below a sticky world-writable directory such as /tmp. The tight
 * copy lives under the build tree, whose every directory is root's. */
static void
test_writable(void)
{
  if (geteuid() != 0) {
    g_test_skip("not running as root");
    return;
  }
  g_autofree char *tmpl = g_build_filename(fixture_env("CKPT_BUILD_ROOT"),
                                           "ckpt-host-XXXXXX", NULL);
  g_assert_nonnull(g_mkdtemp_full(tmpl, 0755));
  g_autofree char *dst = copy_plugin(tmpl, "tp-source");
  g_assert_cmpint(g_chmod(dst, 0666), ==, 0);
  g_autoptr(CkptHost) h = ckpt_host_new();
  g_autoptr(GError) error = NULL;
  g_assert_false(ckpt_host_load_file(h, dst, &error));
  g_assert_nonnull(strstr(error->message, "writable by group or others"));
  g_assert_cmpint(g_chmod(dst, 0644), ==, 0);
  g_assert_true(ckpt_host_load_file(h, dst, NULL));
  g_unlink(dst);
  g_rmdir(tmpl);

  /* a world-writable sticky directory, as /tmp (but not one this test
   * binary runs from: those are trusted as the binary is) */
  g_autofree char *ww = g_build_filename(fixture_env("CKPT_BUILD_ROOT"),
                                         "ckpt-host-ww-XXXXXX", NULL);
  g_assert_nonnull(g_mkdtemp_full(ww, 0755));
  g_assert_cmpint(g_chmod(ww, 01777), ==, 0);
  g_autofree char *tmp = g_build_filename(ww, "p", NULL);
  g_assert_cmpint(g_mkdir(tmp, 0755), ==, 0);
  g_autofree char *intmp = copy_plugin(tmp, "tp-reader");
  g_clear_error(&error);
  g_assert_false(ckpt_host_load_file(h, intmp, &error));
  g_assert_nonnull(strstr(error->message, "is writable by group or others"));
  g_unlink(intmp);
  g_rmdir(tmp);
  g_rmdir(ww);
}

static CkptHost *
test_host(void)
{
  CkptHost *h = ckpt_host_new();
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(dirs, g_strdup(fixture_env("CKPT_TEST_PLUGINS")));
  ckpt_host_discover(h, dirs);
  ckpt_host_finish(h, ckpt_api_table());
  return h;
}

static void
test_options(void)
{
  g_autoptr(CkptHost) h = test_host();
  const CkptPlugin *p = ckpt_host_find(h, "tp-source")->desc;
  g_autoptr(GArray) o = ckpt_options_new(p);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(ckpt_options_get(o, "chunk")->number, ==, 1024);
  g_assert_true(ckpt_options_set(o, p, "chunk", "4M", NULL));
  g_assert_cmpint(ckpt_options_get(o, "chunk")->number, ==, 4 << 20);
  g_assert_true(ckpt_options_set(o, p, "flag", "yes", NULL));
  g_assert_true(ckpt_options_get(o, "flag")->flag);
  g_assert_true(ckpt_options_get(o, "flag")->is_set);
  g_assert_true(ckpt_options_set(o, p, "count", "-3", NULL));
  static const char *const bad[][2] = {{"count", "x"},  {"limit", "-1"},
                                       {"chunk", "4Q"}, {"flag", "maybe"},
                                       {"count", ""},   {"limit", "1e3"}};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(ckpt_options_set(o, p, bad[i][0], bad[i][1], &error));
    g_assert_error(error, CKPT_ERROR, CKPT_ERROR_USAGE);
    g_assert_nonnull(strstr(error->message, "tp-source"));
    g_clear_error(&error);
  }
  g_assert_false(ckpt_options_set(o, p, "nope", "1", &error));
  g_assert_nonnull(strstr(error->message, "has no option 'nope'"));
}

/* the items of a LIST option, NULL-ended, joined as its text */
static char *
list_items(GArray *o, const char *name)
{
  const CkptOptionValue *v = ckpt_options_get(o, name);
  g_autofree char *joined = g_strjoinv("|", (char **)v->items->pdata);
  return g_strdup_printf("%s (%s)", joined, v->text);
}

/* LIST: the default's items until the first assignment replaces them;
 * later assignments add; commas split, or newlines when there are any;
 * empty parts are dropped. */
static void
test_list_option(void)
{
  g_autoptr(CkptHost) h = test_host();
  const CkptPlugin *p = ckpt_host_find(h, "tp-source")->desc;
  g_autoptr(GArray) o = ckpt_options_new(p);
  char *s;
  g_assert_cmpstr((s = list_items(o, "tags")), ==, "x|y (x,y)");
  g_free(s);
  g_assert_true(ckpt_options_set(o, p, "tags", "a,,b", NULL));
  g_assert_cmpstr((s = list_items(o, "tags")), ==, "a|b (a,b)");
  g_free(s);
  g_assert_true(ckpt_options_set(o, p, "tags", "c,d.yar\ne", NULL));
  g_assert_cmpstr((s = list_items(o, "tags")), ==,
                  "a|b|c,d.yar|e (a,b,c,d.yar,e)");
  g_free(s);
  /* a non-LIST option is a one-item list of its text */
  g_assert_cmpstr(ckpt_options_get(o, "label")->items->pdata[0], ==, "hello");
  g_assert_null(ckpt_options_get(o, "label")->items->pdata[1]);
}

static void
test_plan_order(void)
{
  g_autoptr(CkptHost) h = test_host();
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) c = ckpt_chain_from_list("tp-reader,tp-failing", &error);
  g_assert_no_error(error);
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, c, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(plan->steps->len, ==, 3);
  const char *want[] = {"tp-source", "tp-reader", "tp-failing"};
  for (guint i = 0; i < 3; i++) {
    CkptStep *st = g_ptr_array_index(plan->steps, i);
    g_assert_cmpstr(st->plugin->desc->name, ==, want[i]);
    g_assert_true(st->requested == (i != 0));
  }
  const char *sets[] = {"tp-source.count=x", NULL};
  g_autoptr(CkptPlan) p2 = ckpt_plan_new(h, c, sets, &error);
  g_assert_null(p2);
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_USAGE);
  g_clear_error(&error);
  const char *sets2[] = {"mounts.x=1", NULL};
  g_assert_null(ckpt_plan_new(h, c, sets2, &error));
  g_assert_nonnull(strstr(error->message, "not in chain"));
  g_clear_error(&error);
  g_autoptr(CkptChain) c2 = ckpt_chain_from_list("tp-missingdep", &error);
  g_assert_null(ckpt_plan_new(h, c2, NULL, &error));
  g_assert_error(error, CKPT_ERROR, CKPT_ERROR_MISSING);
  g_assert_nonnull(strstr(error->message, "tp-missingdep is not installed"));
  g_clear_error(&error);
  g_assert_null(ckpt_chain_from_list("Bad Name", &error));
  g_clear_error(&error);
  g_assert_null(ckpt_chain_from_list(",,", &error));
}

static char *
write_tmp(const char *contents)
{
  char *path = NULL;
  int fd = g_file_open_tmp("ckpt-chain-XXXXXX.ini", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  close(fd);
  g_assert_true(g_file_set_contents(path, contents, -1, NULL));
  return path;
}

static void
test_chain_files(void)
{
  g_autoptr(CkptHost) h = test_host();
  g_autofree char *good = write_tmp("[chain mine]\n"
                                    "description=test\n"
                                    "plugins=tp-reader, tp-failing\n"
                                    "tp-source.count=5\n"
                                    "tp-source.flag=true\n");
  g_autoptr(CkptChainSet) s = ckpt_chainset_new();
  g_autoptr(GError) error = NULL;
  g_assert_true(ckpt_chainset_load_file(s, good, &error));
  const CkptChain *c = ckpt_chainset_find(s, "mine");
  g_assert_nonnull(c);
  g_assert_cmpuint(c->plugins->len, ==, 2);
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, c, NULL, &error);
  g_assert_no_error(error);
  CkptStep *src = ckpt_plan_step(plan, "tp-source");
  g_assert_cmpint(ckpt_options_get(src->opts, "count")->number, ==, 5);
  g_assert_true(ckpt_options_get(src->opts, "flag")->flag);

  static const char *const bad[][2] = {
      {"[chain x]\nplugins=tp-source\ntp-source.count=many\n", "not a int"},
      {"[other]\nplugins=a\n", "is not [chain NAME]"},
      {"[chain x]\ndescription=no plugins\n", "no plugins= key"},
      {"[chain x]\nplugins=a\nweird=1\n", "PLUGIN.OPTION"},
      {"[chain Bad]\nplugins=a\n", "chain name"},
      {"not an ini file\x01\n", ""},
      {"[chain y]\nplugins=tp-nothere\n", "tp-nothere is not installed"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *p = write_tmp(bad[i][0]);
    g_autoptr(CkptChainSet) s2 = ckpt_chainset_new();
    g_autoptr(GError) e = NULL;
    gboolean loaded = ckpt_chainset_load_file(s2, p, &e);
    if (loaded) {
      /* well-formed but wrong against the plugins: fails at plan time */
      GPtrArray *all = ckpt_chainset_list(s2);
      g_assert_cmpuint(all->len, ==, 1);
      CkptPlan *pl = ckpt_plan_new(h, g_ptr_array_index(all, 0), NULL, &e);
      g_assert_null(pl);
      g_ptr_array_unref(all);
    }
    g_assert_nonnull(e);
    if (!strstr(e->message, p) || !strstr(e->message, bad[i][1]))
      g_error("chain file %zu: '%s' lacks the path or '%s'", i, e->message,
              bad[i][1]);
    g_unlink(p);
  }
  g_unlink(good);
}

static void
test_run_chain(void)
{
  g_autoptr(CkptHost) h = test_host();
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain = ckpt_chain_from_list(
      "tp-failing,tp-dependent,tp-reader,tp-badrow", &error);
  const char *sets[] = {"tp-source.count=3", NULL};
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, chain, sets, &error);
  g_assert_no_error(error);
  g_autoptr(CkptReport) rep = ckpt_report_new("podman-none.tar");
  rep->opened = TRUE;
  ckpt_plan_run(h, plan, c, rep);

  CkptPluginResult *f = ckpt_report_plugin(rep, "tp-failing");
  g_assert_cmpint(f->outcome, ==, CKPT_PLUGIN_RAN_FAILED);
  g_assert_cmpstr(g_ptr_array_index(f->messages, 0), ==, "deliberate failure");
  CkptPluginResult *d = ckpt_report_plugin(rep, "tp-dependent");
  g_assert_cmpint(d->outcome, ==, CKPT_PLUGIN_SKIPPED);
  g_assert_nonnull(strstr(g_ptr_array_index(d->messages, 0), "tp-failing"));
  /* independent plugins ran despite the failure */
  g_assert_cmpint(ckpt_report_plugin(rep, "tp-source")->outcome, ==,
                  CKPT_PLUGIN_RAN_OK);
  CkptPluginResult *r = ckpt_report_plugin(rep, "tp-reader");
  g_assert_cmpint(r->outcome, ==, CKPT_PLUGIN_RAN_OK);
  const CkptResult *sum = ckpt_report_table(rep, "tp-reader", "summary");
  g_assert_cmpuint(sum->rows->len, ==, 1);
  const CkptRow *row = &g_array_index(sum->rows, CkptRow, 0);
  g_assert_cmpuint(row->values[0].v.u, ==, 1 + 2 * 3);
  g_assert_cmpstr(row->values[1].v.s, ==, "hello");
  g_assert_cmpuint(row->values[2].v.u, ==, 2);
  /* broken rows refused, good one kept, WARN */
  CkptPluginResult *b = ckpt_report_plugin(rep, "tp-badrow");
  g_assert_cmpint(b->outcome, ==, CKPT_PLUGIN_RAN_WARN);
  g_assert_cmpuint(b->tables[0].rows->len, ==, 1);
  g_assert_nonnull(strstr(g_ptr_array_index(b->messages, 0), "4 rows"));
  g_assert_cmpint(ckpt_report_status(rep), ==, 1);
  g_assert_cmpstr(ckpt_report_status_name(rep), ==, "failed");
}

static void
test_run_fatal(void)
{
  g_autoptr(CkptHost) h = test_host();
  g_autoptr(CkptCheckpoint) c = fixture_open("podman-none.tar");
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain =
      ckpt_chain_from_list("tp-fatal,tp-source", &error);
  g_autoptr(CkptPlan) plan = ckpt_plan_new(h, chain, NULL, &error);
  g_autoptr(CkptReport) rep = ckpt_report_new("x");
  rep->opened = TRUE;
  ckpt_plan_run(h, plan, c, rep);
  g_assert_cmpint(ckpt_report_plugin(rep, "tp-fatal")->outcome, ==,
                  CKPT_PLUGIN_RAN_FATAL);
  g_assert_cmpint(ckpt_report_plugin(rep, "tp-source")->outcome, ==,
                  CKPT_PLUGIN_SKIPPED);
  g_assert_cmpstr(ckpt_report_status_name(rep), ==, "fatal");
  g_assert_cmpuint(rep->errors->len, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host/refusals", test_refusals);
  g_test_add_func("/host/refusals-finish", test_refusals_finish);
  g_test_add_func("/host/duplicate", test_duplicate);
  g_test_add_func("/host/discover", test_discover);
  g_test_add_func("/host/search-dirs", test_search_dirs);
  g_test_add_func("/host/writable-as-root", test_writable);
  g_test_add_func("/host/options", test_options);
  g_test_add_func("/host/list-option", test_list_option);
  g_test_add_func("/host/plan-order", test_plan_order);
  g_test_add_func("/host/chain-files", test_chain_files);
  g_test_add_func("/host/run-chain", test_run_chain);
  g_test_add_func("/host/run-fatal", test_run_fatal);
  return g_test_run();
}

/* fuzz-model.c - libFuzzer harness for the whole path: archive -> image
 * set -> model -> the built-in plugins (loaded from the build tree as a
 * user would load them) -> the renderers.
 *
 * Input: a checkpoint archive (seeded with the real fixtures, see
 * seed-corpus.sh), given to ckpt_checkpoint_open() as a memfd. The chain
 * runs every built-in plugin except yara, whose own engine is fuzzed by
 * its project (CKPT_FUZZ_CHAIN overrides the chain).
 */
#include "fuzz.h"

#include <stdio.h>
#include <unistd.h>

#include "host/chain.h"
#include "ckpt-config.h"
#include "host/host.h"
#include "model/model.h"
#include "render/render.h"
#include "host/run.h"

#define DEFAULT_CHAIN "container,pstree,files,sockets,mounts,memory,secrets"

static CkptHost *host;
static CkptPlan *plan;

static void
add_plugin_dirs(GPtrArray *dirs, const char *root)
{
  g_autoptr(GDir) d = g_dir_open(root, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name(d)) != NULL) {
    char *sub = g_build_filename(root, n, NULL);
    if (g_file_test(sub, G_FILE_TEST_IS_DIR))
      g_ptr_array_add(dirs, sub);
    else
      g_free(sub);
  }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  const char *root = g_getenv("CKPT_FUZZ_PLUGINDIR");
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
  add_plugin_dirs(dirs, root ? root : CKPT_BUILD_PLUGINDIR);
  host = ckpt_host_new();
  ckpt_host_discover(host, dirs);
  ckpt_host_finish(host, ckpt_api_table());
  GPtrArray *refused = ckpt_host_refusals(host);
  for (guint i = 0; i < refused->len; i++)
    fprintf(stderr, "fuzz-model: plugin refused: %s\n",
            (char *)g_ptr_array_index(refused, i));

  const char *spec = g_getenv("CKPT_FUZZ_CHAIN");
  g_autoptr(GError) error = NULL;
  g_autoptr(CkptChain) chain =
      ckpt_chain_from_list(spec ? spec : DEFAULT_CHAIN, &error);
  if (chain)
    plan = ckpt_plan_new(host, chain, NULL, &error);
  if (plan == NULL) {
    fprintf(stderr, "fuzz-model: cannot build the chain: %s\n", error->message);
    abort();
  }
  /* More of each plugin's code: options that make it show more. One a
   * plugin does not (or no longer) declare is only reported. */
  static const char *const sets[] = {"pstree.cmd=true", "pstree.env=true",
                                     "memory.maps=true",
                                     /* walks memory and every kernel
                                      * object's content (objects.c) */
                                     "memory.search=CKPT-", NULL};
  for (size_t i = 0; !spec && sets[i]; i++) {
    g_autoptr(GError) e = NULL;
    if (!ckpt_plan_set(plan, sets[i], &e))
      fprintf(stderr, "fuzz-model: %s\n", e->message);
  }
  return 0;
}

/* Every renderer: ckpt's five formats, and checkpointctl's look (its tree
 * and its JSON), which inspect uses. */
static void
render_all(GPtrArray *reports)
{
  static const struct {
    CkptRenderFormat format;
    const char *look;
  } forms[] = {
      {CKPT_RENDER_TREE, NULL},           {CKPT_RENDER_TABLE, NULL},
      {CKPT_RENDER_JSON, NULL},           {CKPT_RENDER_JSONL, NULL},
      {CKPT_RENDER_HTML, NULL},           {CKPT_RENDER_TREE, "checkpointctl"},
      {CKPT_RENDER_JSON, "checkpointctl"}};
  for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
    CkptRenderOptions opt = {
        .format = forms[i].format, .look = forms[i].look, .utc = TRUE};
    g_autofree char *text = ckpt_render_to_string(reports, &opt);
    /* CKPT_FUZZ_SHOW=1: see what an input produced (debugging only) */
    if (forms[i].format == CKPT_RENDER_JSON && !forms[i].look &&
        g_getenv("CKPT_FUZZ_SHOW"))
      fprintf(stderr, "%s\n", text);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[64];
  int fd = ckpt_fuzz_memfd(data, size, path, sizeof(path));
  if (fd < 0)
    return 0;
  CkptLimits limits;
  ckpt_fuzz_limits(&limits);
  GError *error = NULL;
  CkptCheckpoint *c = ckpt_checkpoint_open(path, &limits, &error);
  g_assert((c == NULL) == (error != NULL));
  g_autoptr(GPtrArray) reports =
      g_ptr_array_new_with_free_func((GDestroyNotify)ckpt_report_free);
  CkptReport *rep = ckpt_report_new("fuzz");
  g_ptr_array_add(reports, rep);
  if (c) {
    rep->opened = TRUE;
    ckpt_plan_run(host, plan, c, rep);
    ckpt_checkpoint_free(c);
  } else {
    g_ptr_array_add(rep->errors, g_strdup(error->message));
  }
  /* Rows outlive the model: render after it is gone. */
  render_all(reports);
  g_clear_error(&error);
  close(fd);
  return 0;
}

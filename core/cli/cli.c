/* cli.c - the command line: global flags (host/cmdline.h declares them)
 * onto the session (render/session.h), then the command (see cli.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt-config.h"
#include "util/error.h"
#include "host/isolate.h"
#include "host/cmdline.h"
#include "host/flags.h"
#include "host/shard.h"
#include "host/run.h"

/* ---- global flags (host/cmdline.h declares them) --------------------- */

int
ckpt_cli_main(int argc, char **argv)
{
  static const char *const shardable[] = {"triage", "yara", "secrets", "list",
                                          NULL};
  CkptSession cli = {0};
  cli.plugin_paths = g_ptr_array_new_with_free_func(g_free);
  cli.chain_files = g_ptr_array_new_with_free_func(g_free);
  cli.sets = g_ptr_array_new_with_free_func(g_free);
  ckpt_limits_init(&cli.limits);
  /* box-drawn trees only where the locale's character set is UTF-8 */
  ckpt_render_set_ascii(!g_get_charset(NULL));
  g_autoptr(GPtrArray) rest = g_ptr_array_new();
  const char *command = NULL;
  gboolean help = FALSE, dashdash = FALSE;
  int status = CKPT_EXIT_OK;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (dashdash || a[0] != '-' || a[1] == '\0') {
      if (command == NULL)
        command = a;
      else
        g_ptr_array_add(rest, (gpointer)a);
      continue;
    }
    if (strcmp(a, "--") == 0) {
      dashdash = TRUE;
      g_ptr_array_add(rest, (gpointer)a);
      continue;
    }
    g_autoptr(GError) error = NULL;
    const char *v;
    const CkptGlobalFlag *g =
        ckpt_global_flag_match(argc, argv, &i, &v, &error);
    if (g == NULL && error) {
      status = ckpt_cli_usage_error("%s", error->message);
      goto out;
    }
    switch (g ? (int)g->id : -1) {
    case -1:
      g_ptr_array_add(rest, (gpointer)a); /* the command's flag */
      break;
    case CKPT_GF_HELP:
      help = TRUE;
      break;
    case CKPT_GF_VERSION:
      printf("ckpt %s (plugin ABI %d.%d: loads plugins built for %d.0 to "
             "%d.%d)\n",
             CKPT_VERSION, CKPT_ABI_MAJOR, CKPT_ABI_MINOR, CKPT_ABI_MAJOR,
             CKPT_ABI_MAJOR, CKPT_ABI_MINOR);
      goto out;
    default:
      if (!ckpt_session_apply_global(&cli, g, v, &error)) {
        status = ckpt_cli_usage_error("%s", error->message);
        goto out;
      }
    }
  }
  g_ptr_array_add(cli.plugin_paths, NULL);
  g_ptr_array_add(cli.sets, NULL);

  if (command == NULL) {
    ckpt_cli_print_help(&cli, help ? stdout : stderr, NULL);
    status = help ? CKPT_EXIT_OK : CKPT_EXIT_USAGE;
    goto out;
  }
  const CkptCliCommand *cmd = ckpt_cli_find(command);
  if (cmd == NULL) {
    const char *s = ckpt_cli_suggest_command(command);
    status = ckpt_cli_usage_error("unknown command '%s' (%s%s%s)", command,
                                  s ? "did you mean " : "see ckpt help",
                                  s ? s : "", s ? "?" : "");
    goto out;
  }
  if (help) {
    ckpt_cli_print_help(&cli, stdout, cmd);
    goto out;
  }
  /* a partition only means something for a sweep */
  if (ckpt_shard_get()->count && !g_strv_contains(shardable, cmd->name)) {
    status = ckpt_cli_usage_error("--shard: only for %s, not %s",
                                  "triage, yara, secrets and list", cmd->name);
    goto out;
  }
  /* chain files named on the command line come after the defaults */
  for (guint i = 0; i < cli.chain_files->len; i++) {
    g_autoptr(GError) error = NULL;
    if (!ckpt_chainset_load_file(ckpt_cli_chains(&cli),
                                 g_ptr_array_index(cli.chain_files, i),
                                 &error)) {
      status = ckpt_cli_usage_error("%s", error->message);
      goto out;
    }
  }
  g_ptr_array_add(rest, NULL);
  status = cmd->run
               ? cmd->run(&cli, cmd, (int)rest->len - 1, (char **)rest->pdata)
               : ckpt_cli_run_sugar(&cli, cmd, (int)rest->len - 1,
                                    (char **)rest->pdata);
out:
  ckpt_host_free(cli.host);
  ckpt_chainset_free(cli.chains);
  g_ptr_array_unref(cli.plugin_paths);
  g_ptr_array_unref(cli.chain_files);
  g_ptr_array_unref(cli.sets);
  return status;
}

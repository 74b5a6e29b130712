/* test-cli.c - the CLI's command table (core/cli/commands.c), looked up
 * as a unit, without running main. */
#include <string.h>

#include "cli/cli.h"
#include "host/cmdline.h"
#include "util/error.h"

/* every command the README documents, and a few it must not invent */
static void
test_find(void)
{
  static const char *const names[] = {
      "chains",   "diff",    "extract", "help",   "inspect", "list",
      "memparse", "plugins", "report",  "rootfs", "run",     "secrets",
      "show",     "triage",  "watch",   "yara",   NULL};
  for (size_t i = 0; names[i]; i++) {
    const CkptCliCommand *c = ckpt_cli_find(names[i]);
    g_assert_nonnull(c);
    g_assert_cmpstr(c->name, ==, names[i]);
    g_assert_nonnull(c->summary);
  }
  g_assert_null(ckpt_cli_find("nope"));
  g_assert_null(ckpt_cli_find(""));
  g_assert_null(ckpt_cli_find("dif"));
  g_assert_null(ckpt_cli_find(NULL));
}

/* help prints the table in order: it must be sorted, without twins, and
 * each entry must be what find() returns for its name */
static void
test_table_sorted(void)
{
  size_t n = 0;
  for (; ckpt_cli_commands[n]; n++) {
    const CkptCliCommand *c = ckpt_cli_commands[n];
    g_assert_true(ckpt_cli_find(c->name) == c);
    if (n > 0)
      g_assert_cmpint(strcmp(ckpt_cli_commands[n - 1]->name, c->name), <, 0);
  }
  g_assert_cmpuint(n, ==, 16);
}

/* --help, the man page and the completions show every flag with its
 * description: none may lack one */
static void
test_flag_help(void)
{
  for (size_t i = 0; ckpt_cli_commands[i]; i++) {
    const CkptCliCommand *c = ckpt_cli_commands[i];
    g_assert_nonnull(c->usage);
    g_assert_cmpuint(strlen(c->summary), >, 0);
    for (size_t f = 0; c->flags && c->flags[f].flag; f++) {
      /* a flag without help is a short alias of a plugin option's flag,
       * which help lists with that option's own description */
      const CkptCliFlag *fl = &c->flags[f];
      if (fl->help == NULL && fl->alias && fl->set && strchr(fl->set, '.') &&
          !strchr(fl->set, '='))
        continue;
      if (c->flags[f].help == NULL || c->flags[f].help[0] == '\0')
        g_error("ckpt %s --%s has no description", c->name, c->flags[f].flag);
    }
  }
}

/* did you mean, for commands */
static void
test_suggest_command(void)
{
  g_assert_cmpstr(ckpt_cli_suggest_command("insepct"), ==, "inspect");
  g_assert_cmpstr(ckpt_cli_suggest_command("hlep"), ==, "help");
  g_assert_null(ckpt_cli_suggest_command("completely-different"));
}

/* a command is sugar (chain and flags) or runs itself, and a sugar
 * command's flags are well formed: a value flag sets an option */
static void
test_flags(void)
{
  for (size_t i = 0; ckpt_cli_commands[i]; i++) {
    const CkptCliCommand *c = ckpt_cli_commands[i];
    if (c->run != NULL)
      continue;
    for (size_t f = 0; c->flags && c->flags[f].flag; f++) {
      const CkptCliFlag *fl = &c->flags[f];
      g_assert_true(fl->plugins || fl->set);
      if (fl->takes_value)
        g_assert_true(fl->set || fl->also);
      g_assert_false(g_str_has_prefix(fl->flag, "-"));
      /* each flag an also stands for (and each condition) is a flag of
       * the same table */
      g_auto(GStrv) also = g_strsplit(fl->also ? fl->also : "", ",", -1);
      for (size_t k = 0; also[k] && *also[k]; k++) {
        g_auto(GStrv) parts = g_strsplit(also[k], "?", 2);
        for (size_t p = 0; parts[p]; p++) {
          gboolean known = FALSE;
          for (size_t g = 0; c->flags[g].flag; g++)
            known |= strcmp(c->flags[g].flag, parts[p]) == 0;
          if (!known)
            g_error("ckpt %s --%s: also names no flag %s", c->name, fl->flag,
                    parts[p]);
        }
      }
    }
  }
  /* inspect's --ps-tree adds the pstree plugin */
  const CkptCliCommand *inspect = ckpt_cli_find("inspect");
  gboolean found = FALSE;
  for (size_t f = 0; inspect->flags && inspect->flags[f].flag; f++)
    if (strcmp(inspect->flags[f].flag, "ps-tree") == 0)
      found = g_strcmp0(inspect->flags[f].plugins, "pstree") == 0;
  g_assert_true(found);
}

/* inspect's argv after the declarations' pass zero, as one string */
static char *
expand(const char *args, GError **error)
{
  const CkptCliCommand *inspect = ckpt_cli_find("inspect");
  g_auto(GStrv) argv = g_strsplit(args, " ", -1);
  g_autoptr(GPtrArray) out =
      ckpt_flags_expand(inspect->flags, (int)g_strv_length(argv), argv, error);
  return out ? g_strjoinv(" ", (char **)out->pdata) : NULL;
}

/* checkpointctl's --all and --pid, as the flags they stand for */
static void
test_flags_also(void)
{
  static const char *const cases[][2] = {
      {"--all F",
       "--ps-tree-cmd --ps-tree-env --files --sockets --mounts --stats "
       "--metadata --namespaces --network --details F"},
      /* a switch already given is not given twice */
      {"--files --all F",
       "--files --ps-tree-cmd --ps-tree-env --sockets --mounts --stats "
       "--metadata --namespaces --network --details F"},
      /* --pid filters the tree, and the files and sockets when shown */
      {"--pid 5 F", "--pstree-pid=5 F"},
      {"--files --pid=5 F", "--files --pstree-pid=5 --files-pid=5 F"},
      {"-p 7 --sockets F", "--pstree-pid=7 --sockets-pid=7 --sockets F"},
      {"-p7 F", "--pstree-pid=7 F"},
      /* through --all's switches */
      {"--pid 1 --all F",
       "--pstree-pid=1 --files-pid=1 --sockets-pid=1 --ps-tree-cmd "
       "--ps-tree-env --files --sockets --mounts --stats --metadata "
       "--namespaces --network --details F"},
      /* a value is never read as a flag, nor anything after -- */
      {"--pstree-pid --all F", "--pstree-pid --all F"},
      {"F -- --all --pid 3", "F -- --all --pid 3"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *got = expand(cases[i][0], &error);
    g_assert_no_error(error);
    g_assert_cmpstr(got, ==, cases[i][1]);
  }
  static const char *const bad[][2] = {
      {"F --pid", "--pid needs a value"},
      {"--all=yes F", "--all takes no value"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *got = expand(bad[i][0], &error);
    g_assert_null(got);
    g_assert_error(error, CKPT_ERROR, CKPT_ERROR_USAGE);
    g_assert_cmpstr(error->message, ==, bad[i][1]);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli/find", test_find);
  g_test_add_func("/cli/table-sorted", test_table_sorted);
  g_test_add_func("/cli/flags", test_flags);
  g_test_add_func("/cli/flag-help", test_flag_help);
  g_test_add_func("/cli/flags-also", test_flags_also);
  g_test_add_func("/cli/suggest-command", test_suggest_command);
  return g_test_run();
}

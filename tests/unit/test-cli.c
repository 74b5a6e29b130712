/* test-cli.c - the CLI's command table (core/cli/commands.c), looked up
 * as a unit, without running main. */
#include <string.h>

#include "cli/cli.h"

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
        g_assert_nonnull(fl->set);
      g_assert_false(g_str_has_prefix(fl->flag, "-"));
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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli/find", test_find);
  g_test_add_func("/cli/table-sorted", test_table_sorted);
  g_test_add_func("/cli/flags", test_flags);
  g_test_add_func("/cli/flag-help", test_flag_help);
  g_test_add_func("/cli/suggest-command", test_suggest_command);
  return g_test_run();
}

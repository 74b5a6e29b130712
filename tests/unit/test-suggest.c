/* test-suggest.c - core/util/suggest.c: the edit distance on known pairs
 * (swaps cost one), its bound on long words, and which typos of the real
 * command, flag and plugin names get a suggestion and which do not. */
#include <string.h>

#include "util/suggest.h"

static void
test_distance(void)
{
  g_assert_cmpuint(ckpt_edit_distance("", ""), ==, 0);
  g_assert_cmpuint(ckpt_edit_distance("abc", ""), ==, 3);
  g_assert_cmpuint(ckpt_edit_distance("", "abc"), ==, 3);
  g_assert_cmpuint(ckpt_edit_distance("kitten", "sitting"), ==, 3);
  g_assert_cmpuint(ckpt_edit_distance("inspect", "inspect"), ==, 0);
  g_assert_cmpuint(ckpt_edit_distance("insepct", "inspect"), ==, 1); /* swap */
  g_assert_cmpuint(ckpt_edit_distance("yaar", "yara"), ==, 1);
  g_assert_cmpuint(ckpt_edit_distance("trige", "triage"), ==, 1);
  g_assert_cmpuint(ckpt_edit_distance("ca", "abc"), ==, 3);
  g_assert_cmpuint(ckpt_edit_distance("Show", "show"), ==, 1);
  /* symmetric */
  g_assert_cmpuint(ckpt_edit_distance("memparse", "mem"), ==,
                   ckpt_edit_distance("mem", "memparse"));
}

static void
test_long_words(void)
{
  char big[1024];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  g_assert_cmpuint(ckpt_edit_distance(big, "a"), ==, G_MAXSIZE);
  g_assert_cmpuint(ckpt_edit_distance("a", big), ==, G_MAXSIZE);
  big[256] = '\0';
  g_assert_cmpuint(ckpt_edit_distance(big, ""), ==, 256);
  const char *const cands[] = {"show", NULL};
  g_assert_null(ckpt_suggest(big, cands));
}

static const char *const commands[] = {
    "chains", "diff", "help",    "inspect", "list",   "memparse", "plugins",
    "rootfs", "run",  "secrets", "show",    "triage", "yara",     NULL};

static void
test_commands(void)
{
  g_assert_cmpstr(ckpt_suggest("insepct", commands), ==, "inspect");
  g_assert_cmpstr(ckpt_suggest("yarra", commands), ==, "yara");
  g_assert_cmpstr(ckpt_suggest("trage", commands), ==, "triage");
  g_assert_cmpstr(ckpt_suggest("plugin", commands), ==, "plugins");
  g_assert_cmpstr(ckpt_suggest("secret", commands), ==, "secrets");
  g_assert_cmpstr(ckpt_suggest("mem", commands), ==, "memparse"); /* prefix */
  g_assert_cmpstr(ckpt_suggest("rnu", commands), ==, "run");
  g_assert_cmpstr(ckpt_suggest("lsit", commands), ==, "list");
  /* too far to be a typo */
  g_assert_null(ckpt_suggest("frobnicate", commands));
  g_assert_null(ckpt_suggest("xyz", commands));
  g_assert_null(ckpt_suggest("", commands));
  g_assert_null(ckpt_suggest(NULL, commands));
  g_assert_null(ckpt_suggest("show", NULL));
  /* the word itself is not suggested back */
  const char *const one[] = {"show", NULL};
  g_assert_null(ckpt_suggest("show", one));
}

static void
test_ties(void)
{
  /* "sho" is one from "show" and one from "shop": the first wins */
  const char *const c1[] = {"show", "shop", NULL};
  const char *const c2[] = {"shop", "show", NULL};
  g_assert_cmpstr(ckpt_suggest("sxow", c1), ==, "show");
  g_assert_cmpstr(ckpt_suggest("shoq", c2), ==, "shop");
  /* a nearer candidate later in the list beats an earlier far one */
  const char *const c3[] = {"search-regex", "search", NULL};
  g_assert_cmpstr(ckpt_suggest("serch", c3), ==, "search");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/suggest/distance", test_distance);
  g_test_add_func("/suggest/long-words", test_long_words);
  g_test_add_func("/suggest/commands", test_commands);
  g_test_add_func("/suggest/ties", test_ties);
  return g_test_run();
}

/* test-shard.c - --shard's partition (core/host/shard.c): disjoint,
 * covering, stable across machines, and its INDEX/COUNT parsing. */
#include <string.h>

#include "host/shard.h"
#include "util/error.h"

/* every path in exactly one shard, for several counts; the shards of a
 * sweep, filtered one by one, give back the whole list */
static void
test_disjoint_cover(void)
{
  for (guint count = 1; count <= 9; count++) {
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < 1000; i++)
      g_ptr_array_add(all, g_strdup_printf("/var/lib/kubelet/checkpoints/"
                                           "checkpoint-pod%d_ns-c-%d.tar",
                                           i, i * 7));
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    guint total = 0, min = G_MAXUINT, max = 0;
    for (guint s = 0; s < count; s++) {
      CkptShard sh = {s, count};
      ckpt_shard_set(&sh);
      g_autoptr(GPtrArray) part = g_ptr_array_new_with_free_func(g_free);
      g_ptr_array_add(part, g_strdup("kept: before from"));
      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add(part, g_strdup(all->pdata[i]));
      ckpt_shard_filter(part, 1);
      g_assert_cmpstr(part->pdata[0], ==, "kept: before from");
      for (guint i = 1; i < part->len; i++) {
        g_assert_cmpuint(ckpt_shard_of(part->pdata[i], count), ==, s);
        /* disjoint: no path in two shards */
        g_assert_false(g_hash_table_contains(seen, part->pdata[i]));
        g_hash_table_add(seen, g_strdup(part->pdata[i]));
        /* order kept: the paths are numbered in order */
        if (i > 1) {
          guint a = 0, b = 0;
          g_ptr_array_find_with_equal_func(all, part->pdata[i - 1], g_str_equal,
                                           &a);
          g_ptr_array_find_with_equal_func(all, part->pdata[i], g_str_equal,
                                           &b);
          g_assert_cmpuint(a, <, b);
        }
      }
      total += part->len - 1;
      min = MIN(min, part->len - 1);
      max = MAX(max, part->len - 1);
    }
    /* cover: every path somewhere */
    g_assert_cmpuint(total, ==, all->len);
    for (guint i = 0; i < all->len; i++)
      g_assert_true(g_hash_table_contains(seen, all->pdata[i]));
    /* and roughly even: a hash, not a skew (1000 paths) */
    if (count > 1)
      g_assert_cmpuint(max - min, <, 1000 / count);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, seen);
    while (g_hash_table_iter_next(&it, &k, NULL))
      g_free(k);
  }
  ckpt_shard_set(NULL);
  g_assert_true(ckpt_shard_keep("anything"));
}

/* the same on every machine: values computed independently (Python's
 * hashlib: int.from_bytes(sha256(path)[:8], 'big') % count) */
static void
test_stable(void)
{
  g_assert_cmpuint(ckpt_shard_of("/tmp/fs/c2.tar", 3), ==, 1);
  g_assert_cmpuint(ckpt_shard_of("/tmp/fs/c2.tar", 7), ==, 2);
  g_assert_cmpuint(ckpt_shard_of("/data/node-a/checkpoint-x.tar", 3), ==, 0);
  g_assert_cmpuint(ckpt_shard_of("/data/node-a/checkpoint-x.tar", 7), ==, 4);
  g_assert_cmpuint(ckpt_shard_of("x", 1), ==, 0);
}

static void
test_parse(void)
{
  CkptShard s;
  g_autoptr(GError) e = NULL;
  g_assert_true(ckpt_shard_parse("2/5", &s, &e));
  g_assert_cmpuint(s.index, ==, 2);
  g_assert_cmpuint(s.count, ==, 5);
  const char *bad[] = {"5/5", "-1/5", "1/0",     "1", "/3",
                       "a/3", "1/3x", "1/65537", "",  NULL};
  for (int i = 0; bad[i]; i++) {
    g_clear_error(&e);
    g_assert_false(ckpt_shard_parse(bad[i], &s, &e));
    g_assert_error(e, CKPT_ERROR, CKPT_ERROR_USAGE);
  }
  g_clear_error(&e);
  g_unsetenv("JOB_COMPLETION_INDEX");
  g_assert_false(ckpt_shard_parse("auto/2", &s, &e));
  g_assert_nonnull(strstr(e->message, "JOB_COMPLETION_INDEX"));
  g_clear_error(&e);
  g_setenv("JOB_COMPLETION_INDEX", "1", TRUE);
  g_assert_true(ckpt_shard_parse("auto/2", &s, &e));
  g_assert_cmpuint(s.index, ==, 1);
  g_setenv("JOB_COMPLETION_INDEX", "2", TRUE);
  g_assert_false(ckpt_shard_parse("auto/2", &s, &e));
  g_assert_nonnull(strstr(e->message, "JOB_COMPLETION_INDEX"));
  g_unsetenv("JOB_COMPLETION_INDEX");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/shard/disjoint-cover", test_disjoint_cover);
  g_test_add_func("/shard/stable", test_stable);
  g_test_add_func("/shard/parse", test_parse);
  return g_test_run();
}

/* suggest.c - edit distance and the nearest name (suggest.h). */
#include "util/suggest.h"

#include <string.h>

#define MAX_WORD 256

gsize
ckpt_edit_distance(const char *a, const char *b)
{
  g_return_val_if_fail(a != NULL && b != NULL, G_MAXSIZE);
  size_t n = strlen(a), m = strlen(b);
  if (n > MAX_WORD || m > MAX_WORD)
    return G_MAXSIZE;
  /* three rows of the dynamic programme: two back for a swap */
  gsize rows[3][MAX_WORD + 1];
  gsize *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; j++)
    prev[j] = j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= m; j++) {
      gsize cost = a[i - 1] == b[j - 1] ? 0 : 1;
      gsize d = MIN(prev[j] + 1, cur[j - 1] + 1);
      d = MIN(d, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d = MIN(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    gsize *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

static gsize
allowed(size_t len)
{
  return len <= 3 ? 1 : len <= 6 ? 2 : 3;
}

const char *
ckpt_suggest(const char *word, const char *const *candidates)
{
  if (word == NULL || *word == '\0' || candidates == NULL)
    return NULL;
  size_t n = strlen(word);
  const char *best = NULL;
  gsize best_d = G_MAXSIZE;
  for (size_t i = 0; candidates[i]; i++) {
    const char *c = candidates[i];
    if (strcmp(c, word) == 0)
      continue; /* the word itself is no suggestion */
    gsize d = ckpt_edit_distance(word, c);
    if (n >= 3 && g_str_has_prefix(c, word))
      d = MIN(d, 1); /* an abbreviation */
    if (d <= allowed(n) && d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

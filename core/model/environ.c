/* environ.c - a process's environment, wherever the process keeps it.
 *
 * exec puts the environment strings in the mm env area and an array of
 * pointers to them on the stack, right after argv's NULL (argc at
 * mm_start_stack, then argv, NULL, envp, NULL, the auxv). Programs that
 * set their process title (nginx, redis, sshd, PostgreSQL, Node's
 * process.title) first copy the strings elsewhere and then write the title
 * over the whole argv+env area: nginx repoints the stack's envp entries at
 * heap copies, redis and sshd build a new `environ` array in the heap. So
 * the env area is read as the environment only while the stack's envp
 * still points at assignments in it; otherwise the entries are followed,
 * and when they lead to title text the replacing array is searched for in
 * writable memory, confirmed by the spec's configured environment or by
 * holding as many entries as exec gave. Title text is never taken for a
 * variable: what cannot be confirmed is left out (env_source NONE).
 *
 * Every pointer, count and string comes from the checkpoint: each read
 * goes through ckpt_mem_read() and is bounded below.
 */
#include "model/model.h"

#include <string.h>

#define WORD sizeof(uint64_t)
#define PROT_WRITE_BIT 0x2u
/* Bounds: entries of one array, bytes of one NAME=VALUE string, bytes of
 * writable memory searched per process for a moved array. */
#define ENV_ENTRIES_MAX 65536u
#define ENV_STRING_MAX (128u * 1024u) /* the kernel's MAX_ARG_STRLEN */
#define ENV_SCAN_MAX (256ull << 20)
/* bytes of strings read per process past the first small read of each:
 * a hostile heap whose every word points at one long NUL-less assignment
 * must not cost a long copy each */
#define ENV_READ_MAX (64u << 20)
/* auxv words compared with mm's saved copy to confirm the stack layout */
#define AUXV_CHECK_WORDS 8u

static gboolean
in_range(uint64_t v, uint64_t start, uint64_t end)
{
  return v >= start && v < end;
}

/* Could s begin a NAME=VALUE whose '=' comes later? */
static gboolean
is_name_prefix(const char *s, size_t len)
{
  if (len == 0 || !(g_ascii_isalpha(s[0]) || s[0] == '_'))
    return FALSE;
  for (size_t i = 1; i < len; i++)
    if (!(g_ascii_isalnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
      return FALSE;
  return TRUE;
}

/* Text a person could have configured: valid UTF-8 without control
 * characters but tab. Strings reached through pointers found in memory
 * must also pass this; random heap words rarely do. */
static gboolean
is_text(const char *s, size_t len)
{
  if (!g_utf8_validate(s, (gssize)len, NULL))
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
      return FALSE;
  return TRUE;
}

static gboolean
read_word(const CkptProcess *p, uint64_t addr, uint64_t *w)
{
  /* x86_64 checkpoints: little-endian, as the hosts ckpt runs on */
  return ckpt_mem_read(p, addr, w, WORD) == WORD;
}

/* String reads of one process: the buffer (ENV_STRING_MAX bytes) and
 * what is left of ENV_READ_MAX. */
typedef struct {
  char *buf;
  uint64_t budget;
} Reader;

/* The NUL-ended NAME=VALUE text at addr, as a new string, or NULL when
 * there is none (or the read budget is spent); strict also wants
 * is_text(). */
static char *
read_assignment(const CkptProcess *p, uint64_t addr, gboolean strict, Reader *r)
{
  char *buf = r->buf;
  size_t want = 32, got = 0;
  const char *nul = NULL;
  /* growing reads: heaps full of pointers stay cheap, and a string costs
   * about twice its length, not ENV_STRING_MAX. The first small read is
   * bounded by the words scanned; the budget pays for the longer ones. */
  for (;;) {
    if (want > 32 && r->budget < want)
      return NULL;
    got = ckpt_mem_read(p, addr, buf, want);
    if (want > 32)
      r->budget -= got;
    nul = memchr(buf, 0, got);
    if (nul || got < want || want >= ENV_STRING_MAX)
      break;
    /* no '=' yet may still be a long name; a bad character is not */
    if (!ckpt_env_is_assignment(buf, got) && !is_name_prefix(buf, got))
      return NULL;
    want = MIN(want * 4, (size_t)ENV_STRING_MAX);
  }
  if (!nul)
    return NULL;
  size_t len = (size_t)(nul - buf);
  if (!ckpt_env_is_assignment(buf, len) || (strict && !is_text(buf, len)))
    return NULL;
  g_autofree char *s = g_strndup(buf, len);
  return g_utf8_make_valid(s, -1);
}

/* Is addr where a string of the area [start, end) begins (after a NUL)? */
static gboolean
starts_string(const CkptProcess *p, uint64_t addr, uint64_t start)
{
  char before = 1;
  return addr == start ||
         (ckpt_mem_read(p, addr - 1, &before, 1) == 1 && before == '\0');
}

/* ---- the stack's envp array --------------------------------------------- */

/* The envp array exec wrote, at mm_start_stack + 8 * (argc + 2), when the
 * initial stack is where mm says: argc is plausible for the argv area and
 * the auxv after envp's NULL is mm's saved copy (or, without one, argv[0]
 * is the argv area's start). Returns FALSE when it is not; else the
 * entries (g_free, NULL when none), their count and address. */
static gboolean
stack_envp(const CkptProcess *p, uint64_t **out, size_t *n, uint64_t *at)
{
  const CkptProcessInfo *in = &p->info;
  uint64_t sp = in->mm_start_stack, argc, argv0, w;
  uint64_t arg_len =
      in->mm_arg_end > in->mm_arg_start ? in->mm_arg_end - in->mm_arg_start : 0;
  uint64_t env_len =
      in->mm_env_end > in->mm_env_start ? in->mm_env_end - in->mm_env_start : 0;

  *out = NULL;
  if (sp % WORD || !read_word(p, sp, &argc) || argc > arg_len ||
      argc > ENV_ENTRIES_MAX)
    return FALSE;
  uint64_t base = sp + WORD * (argc + 2);
  if (base < sp)
    return FALSE;
  /* each string of the env area takes at least its NUL */
  size_t max = (size_t)MIN(env_len, (uint64_t)ENV_ENTRIES_MAX);
  GArray *ptrs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  uint64_t a = base;
  for (;;) {
    if (!read_word(p, a, &w) || (w != 0 && ptrs->len >= max)) {
      g_array_free(ptrs, TRUE);
      return FALSE;
    }
    a += WORD;
    if (w == 0)
      break;
    g_array_append_val(ptrs, w);
  }
  gboolean confirmed;
  if (p->n_auxv >= 2) {
    size_t k = MIN(p->n_auxv, (size_t)AUXV_CHECK_WORDS);
    confirmed = TRUE;
    for (size_t i = 0; i < k && confirmed; i++)
      confirmed = read_word(p, a + i * WORD, &w) && w == p->auxv[i];
  } else {
    confirmed = argc > 0 && read_word(p, sp + WORD, &argv0) &&
                argv0 == in->mm_arg_start;
  }
  if (!confirmed) {
    g_array_free(ptrs, TRUE);
    return FALSE;
  }
  *n = ptrs->len;
  *at = base;
  *out = (uint64_t *)g_array_free(ptrs, FALSE);
  return TRUE;
}

/* ---- a moved environ array ---------------------------------------------- */

typedef struct {
  GPtrArray *strs; /* char*, g_free */
  uint64_t addr;
  size_t spec_hits; /* entries equal to a configured NAME=VALUE */
} Candidate;

/* May a string at addr be a moved variable? Not inside the argv area,
 * which holds the title, and inside the env area only where a string
 * begins (the rest of that area was written over). */
static gboolean
usable_target(const CkptProcess *p, uint64_t addr)
{
  const CkptProcessInfo *in = &p->info;
  if (in_range(addr, in->mm_arg_start, in->mm_arg_end))
    return FALSE;
  if (in_range(addr, in->mm_env_start, in->mm_env_end))
    return starts_string(p, addr, in->mm_env_start);
  return TRUE;
}

static size_t
count_spec_hits(GHashTable *spec, GPtrArray *strs)
{
  size_t hits = 0;
  for (guint i = 0; spec && i < strs->len; i++)
    hits += g_hash_table_contains(spec, strs->pdata[i]);
  return hits;
}

/* Is candidate a better than b (NULL: anything is)? The one holding most
 * configured variables, then the one as long as exec's array, then the
 * longer one, then the lower address (a stable answer). */
static gboolean
better(const Candidate *a, const Candidate *b, size_t expect)
{
  if (b == NULL)
    return TRUE;
  if (a->spec_hits != b->spec_hits)
    return a->spec_hits > b->spec_hits;
  gboolean ae = expect && a->strs->len == expect;
  gboolean be = expect && b->strs->len == expect;
  if (ae != be)
    return ae;
  if (a->strs->len != b->strs->len)
    return a->strs->len > b->strs->len;
  return a->addr < b->addr;
}

/* Searches writable memory for NULL-ended runs of pointers to NAME=VALUE
 * strings and keeps the best (see better()). A run is taken only when the
 * spec confirms it (one configured variable or more) or, with no spec
 * match at all, when it has exactly as many entries as exec's array. */
static Candidate *
find_moved_array(const CkptProcess *p, GHashTable *spec, size_t expect,
                 uint64_t skip_at, Reader *r)
{
  CkptMemIter *it = ckpt_mem_iter_new(p);
  Candidate *best = NULL;
  uint64_t budget = ENV_SCAN_MAX;
  CkptMemBlock b;
  /* a word outside every dumped page points at nothing readable: most
   * words of a heap (counts, flags, hashes) are turned away here, before
   * a read */
  uint64_t lo = p->n_pages ? p->pages[0].vaddr : 0;
  uint64_t hi = p->n_pages
                    ? p->pages[p->n_pages - 1].vaddr +
                          p->pages[p->n_pages - 1].nr_pages * CKPT_PAGE_SIZE
                    : 0;

  while (budget > 0 && ckpt_mem_iter_next(it, &b)) {
    if (!b.data || !b.vma || !(b.vma->prot & PROT_WRITE_BIT) || b.addr % WORD)
      continue;
    size_t len = (size_t)MIN((uint64_t)b.len, budget);
    budget -= len;
    size_t n_words = len / WORD;
    for (size_t i = 0; i < n_words; i++) {
      uint64_t w;
      memcpy(&w, b.data + i * WORD, WORD);
      if (w == 0 || w < lo || w >= hi || b.addr + i * WORD == skip_at)
        continue;
      GPtrArray *strs = NULL; /* made for the first string */
      size_t j = i;
      for (; j < n_words && (!strs || strs->len < ENV_ENTRIES_MAX); j++) {
        memcpy(&w, b.data + j * WORD, WORD);
        if (w == 0 || w < lo || w >= hi || !usable_target(p, w))
          break;
        char *s = read_assignment(p, w, TRUE, r);
        if (s == NULL)
          break;
        if (!strs)
          strs = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(strs, s);
      }
      if (!strs || j >= n_words || w != 0) {
        /* every start up to j stops at the same word */
        if (strs)
          g_ptr_array_free(strs, TRUE);
        i = j > i ? j - 1 : i;
        continue;
      }
      Candidate c = {strs, b.addr + i * WORD, count_spec_hits(spec, strs)};
      if ((c.spec_hits > 0 || (expect && strs->len == expect)) &&
          better(&c, best, expect)) {
        if (best)
          g_ptr_array_free(best->strs, TRUE);
        else
          best = g_new(Candidate, 1);
        *best = c;
      } else {
        g_ptr_array_free(strs, TRUE);
      }
      i = j; /* the NULL word; the loop steps past it */
    }
  }
  ckpt_mem_iter_free(it);
  /* a run no configured variable confirms loses to any that one does */
  return best;
}

/* ---- the stage ---------------------------------------------------------- */

static const char *const *
to_envp(CkptCheckpoint *c, GPtrArray *strs)
{
  const char **out = ckpt_model_alloc(c, strs->len + 1, sizeof(char *));
  for (guint i = 0; i < strs->len; i++)
    out[i] = ckpt_model_str(c, strs->pdata[i]);
  return out;
}

/* The env area split at NULs, as exec left it; trailing empty strings
 * (NUL padding) dropped. NULL when a non-empty string is not NAME=VALUE:
 * the area was written over. */
static GPtrArray *
split_area(const CkptProcess *p)
{
  const CkptProcessInfo *in = &p->info;
  uint64_t want =
      in->mm_env_end > in->mm_env_start ? in->mm_env_end - in->mm_env_start : 0;
  want = MIN(want, (uint64_t)ENV_STRING_MAX * 8);
  g_autofree char *buf = g_malloc(want + 1);
  size_t len = ckpt_mem_read(p, in->mm_env_start, buf, (size_t)want);
  GPtrArray *strs = g_ptr_array_new_with_free_func(g_free);
  size_t at = 0, keep = 0;
  while (at < len) {
    const char *nul = memchr(buf + at, '\0', len - at);
    size_t n = nul ? (size_t)(nul - (buf + at)) : len - at;
    if (n > 0 && !ckpt_env_is_assignment(buf + at, n)) {
      g_ptr_array_free(strs, TRUE);
      return NULL;
    }
    g_ptr_array_add(strs, g_utf8_make_valid(buf + at, (gssize)n));
    if (n > 0)
      keep = strs->len;
    at += n + 1;
  }
  g_ptr_array_set_size(strs, keep);
  return strs;
}

static GHashTable *
spec_set(const CkptCheckpoint *c)
{
  if (c->container.n_spec_env == 0)
    return NULL;
  GHashTable *set =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (size_t i = 0; i < c->container.n_spec_env; i++) {
    const CkptKeyValue *kv = &c->container.spec_env[i];
    if (kv->key)
      g_hash_table_add(
          set, g_strdup_printf("%s=%s", kv->key, kv->value ? kv->value : ""));
  }
  return set;
}

void
ckpt_environ_load(CkptCheckpoint *c, CkptProcess *p)
{
  static const char *const empty[] = {NULL};
  CkptProcessInfo *in = &p->info;
  size_t n = 0;
  uint64_t at = 0;

  in->envp = empty;
  in->env_source = CKPT_ENV_NONE;
  in->env_array = 0;
  if (!in->has_mm)
    return;

  g_autofree char *buf = g_malloc(ENV_STRING_MAX);
  Reader r = {buf, ENV_READ_MAX};
  g_autofree uint64_t *ptrs = NULL;
  gboolean stack = stack_envp(p, &ptrs, &n, &at);
  g_autoptr(GPtrArray) area = split_area(p);
  g_autoptr(GPtrArray) via = g_ptr_array_new_with_free_func(g_free);
  gboolean moved = FALSE, broken = FALSE;

  /* Follow exec's array: into the area, a string must begin there */
  for (size_t i = 0; stack && i < n; i++) {
    gboolean in_area = in_range(ptrs[i], in->mm_env_start, in->mm_env_end);
    char *s = NULL;
    if (!in_range(ptrs[i], in->mm_arg_start, in->mm_arg_end) &&
        (!in_area || starts_string(p, ptrs[i], in->mm_env_start)))
      s = read_assignment(p, ptrs[i], !in_area, &r);
    if (s == NULL) {
      broken = TRUE;
      continue;
    }
    moved |= !in_area;
    g_ptr_array_add(via, s);
  }

  if (stack && !broken && !moved && area) {
    /* the common case: the area is what exec wrote (read as a whole, as
     * checkpointctl does, so runtime putenv()s into it show too) */
    in->envp = to_envp(c, area);
    in->env_source = CKPT_ENV_ORIGINAL;
    return;
  }
  if (stack && !broken && moved) {
    /* nginx: the stack's entries lead to the heap copies */
    in->envp = to_envp(c, via);
    in->env_source = CKPT_ENV_RELOCATED;
    in->env_array = at;
    return;
  }
  if (!stack && area) {
    /* no stack layout to follow; the area holds only assignments */
    in->envp = to_envp(c, area);
    in->env_source = CKPT_ENV_ORIGINAL;
    return;
  }

  /* The area was written over (a title): find the array that replaced
   * exec's, confirmed by the configured environment or exec's count. */
  g_autoptr(GHashTable) spec = spec_set(c);
  Candidate *best = find_moved_array(p, spec, stack ? n : 0, at, &r);
  if (best) {
    in->envp = to_envp(c, best->strs);
    in->env_source = CKPT_ENV_RELOCATED;
    in->env_array = best->addr;
    g_ptr_array_free(best->strs, TRUE);
    g_free(best);
    return;
  }
  if (via->len > 0) {
    /* some of exec's strings survived the title: those, and only those */
    in->envp = to_envp(c, via);
    in->env_source = moved ? CKPT_ENV_RELOCATED : CKPT_ENV_ORIGINAL;
    in->env_array = moved ? at : 0;
  }
}

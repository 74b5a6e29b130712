/* filter.c - which VMAs and which bytes of them a memory run looks at:
 * --vma (kinds by name), --prot (permissions) and --range (addresses).
 * Filters only ever narrow; an empty option means no narrowing. */
#include "mem.h"

#include <string.h>
#include <sys/mman.h>

static gboolean
parse_kinds(MemFilter *f, const char *text, GError **error)
{
  g_auto(GStrv) names = g_strsplit_set(text, ",|", -1);
  for (char **n = names; *n; n++) {
    const char *name = g_strstrip(*n);
    if (*name == '\0')
      continue;
    gboolean found = FALSE;
    for (unsigned k = 0; k <= CKPT_VMA_OTHER; k++) {
      if (strcmp(ckpt_vma_kind_name((CkptVmaKind)k), name) == 0) {
        f->kinds |= 1u << k;
        found = TRUE;
      }
    }
    if (!found) {
      g_set_error(error, MEM_ERROR, 0,
                  "--vma: unknown kind '%s' (anon, file, heap, stack, vdso, "
                  "vvar, vsyscall, shared, memfd, sysvipc, guard, other)",
                  name);
      return FALSE;
    }
  }
  return TRUE;
}

/* "r-x" (three places: exact) or letters that must all be there ("rw"). */
static gboolean
parse_prot(MemFilter *f, const char *text, GError **error)
{
  static const struct {
    char c;
    uint32_t bit;
  } places[] = {{'r', PROT_READ}, {'w', PROT_WRITE}, {'x', PROT_EXEC}};
  size_t n = strlen(text);
  gboolean exact = n == 3 || n == 4; /* "rw-p" from a maps listing too */
  for (size_t i = 0; exact && i < 3; i++)
    exact = text[i] == places[i].c || text[i] == '-';
  if (exact) {
    for (size_t i = 0; i < 3; i++) {
      if (text[i] == '-')
        f->prot_deny |= places[i].bit;
      else
        f->prot_want |= places[i].bit;
    }
    return TRUE;
  }
  for (const char *c = text; *c; c++) {
    size_t i;
    for (i = 0; i < 3 && places[i].c != *c; i++)
      ;
    if (i == 3) {
      g_set_error(error, MEM_ERROR, 0,
                  "--prot: '%s' is neither like r-x nor letters of rwx", text);
      return FALSE;
    }
    f->prot_want |= places[i].bit;
  }
  return TRUE;
}

static gboolean
parse_addr(const char *s, uint64_t *out)
{
  if (g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X"))
    s += 2;
  if (*s == '\0')
    return FALSE;
  guint64 v = 0;
  if (!g_ascii_string_to_unsigned(s, 16, 0, G_MAXUINT64, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}

/* "A-B" in hex, B exclusive, as in /proc/PID/maps. */
static gboolean
parse_range(MemFilter *f, const char *text, GError **error)
{
  g_autofree char *copy = g_strstrip(g_strdup(text));
  char *dash = strchr(copy, '-');
  if (dash == NULL) {
    g_set_error(error, MEM_ERROR, 0, "--range: '%s' is not START-END in hex",
                text);
    return FALSE;
  }
  *dash = '\0';
  if (!parse_addr(copy, &f->lo) || !parse_addr(dash + 1, &f->hi) ||
      f->lo >= f->hi) {
    g_set_error(error, MEM_ERROR, 0,
                "--range: '%s' is not START-END in hex with START < END", text);
    return FALSE;
  }
  f->has_range = TRUE;
  return TRUE;
}

gboolean
mem_filter_parse(MemFilter *f, const char *vma, const char *prot,
                 const char *range, GError **error)
{
  memset(f, 0, sizeof(*f));
  if (vma && *vma && !parse_kinds(f, vma, error))
    return FALSE;
  if (prot && *prot && !parse_prot(f, prot, error))
    return FALSE;
  if (range && *range && !parse_range(f, range, error))
    return FALSE;
  return TRUE;
}

CkptVmaKind
mem_vma_kind(const CkptApi *api, const CkptProcess *p, const CkptVmaInfo *v)
{
  if (v->kind != CKPT_VMA_ANON)
    return v->kind;
  for (size_t i = 0; i < api->thread_count(p); i++) {
    const CkptThreadInfo *t = api->thread_at(p, i);
    if (t && t->has_regs && t->regs.sp >= v->start && t->regs.sp < v->end)
      return CKPT_VMA_STACK;
  }
  return v->kind;
}

const char *
mem_vma_label(const CkptVmaInfo *v, CkptVmaKind kind)
{
  if (kind == v->kind && v->label)
    return v->label;
  return ckpt_vma_kind_name(kind);
}

gboolean
mem_filter_vma(const MemFilter *f, const CkptVmaInfo *v, CkptVmaKind kind)
{
  if (f->kinds && ((unsigned)kind >= 32 || !(f->kinds & (1u << kind))))
    return FALSE;
  if ((v->prot & f->prot_want) != f->prot_want || (v->prot & f->prot_deny))
    return FALSE;
  if (f->has_range && (v->end <= f->lo || v->start >= f->hi))
    return FALSE;
  return TRUE;
}

gboolean
mem_filter_block(const MemFilter *f, CkptMemBlock *b, CkptVmaKind kind)
{
  if (b->vma && !mem_filter_vma(f, b->vma, kind))
    return FALSE;
  if (!f->has_range)
    return b->len > 0;
  /* b->addr + b->len cannot wrap: the model keeps blocks inside VMAs. */
  uint64_t lo = MAX(b->addr, f->lo);
  uint64_t hi = MIN(b->addr + b->len, f->hi);
  if (lo >= hi)
    return FALSE;
  b->data += lo - b->addr;
  b->len = hi - lo;
  b->addr = lo;
  return TRUE;
}

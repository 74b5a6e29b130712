/* redact.c - the host's redaction policy over cells (redact.h). */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "host/redact.h"

/* One form of a secret looked for: its value, or its hexdump bytes. */
typedef struct {
  const char *p;
  size_t len;
  const char *shown; /* what replaces a whole occurrence */
  gboolean hex;
  const char *value;
} Form;

static Form
form_of(const CkptSecret *e, gboolean hex)
{
  Form f = {hex ? e->hex : e->value, hex ? strlen(e->hex) : e->len, e->shown,
            hex, e->value};
  return f;
}

/* Is the fragment [j, j+k) of f something the redaction shows anyway (a
 * PEM block's BEGIN line, a token's family prefix)? Then it is no secret
 * and stays as it is. */
static gboolean
fragment_shown(const Form *f, size_t j, size_t k)
{
  const char *v = f->p + j;
  size_t n = k;
  if (f->hex) {
    v = f->value + j / 3;
    n = (k + 1) / 3;
  }
  return n == 0 || memmem(f->shown, strlen(f->shown), v, n) != NULL;
}

static void
append_masked(GString *out, const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    g_string_append_c(out, p[i] == ' ' ? ' ' : '*');
}

/* The shortest fragment worth masking: a value's CKPT_SECRET_MIN_LEN
 * bytes, as text or as "xx xx xx xx". */
static size_t
min_fragment(const Form *f)
{
  return f->hex ? CKPT_SECRET_MIN_LEN * 3 - 1 : CKPT_SECRET_MIN_LEN;
}

/* How many bytes of p, a fragment that starts where the secret does, the
 * redaction shows too ("AKIA" of "AKIA…(20)", a PEM block's BEGIN line). */
static size_t
shown_prefix(const Form *f, const char *p, size_t n)
{
  size_t i = 0;
  if (f->hex)
    return 0;
  while (i < n && f->shown[i] && f->shown[i] == p[i])
    i++;
  return i;
}

/* Length of the longest head of in that is a proper tail of f (a secret
 * cut at the start of a row), 0 for none. */
static size_t
head_fragment(const Form *f, const char *in, size_t len)
{
  size_t max = MIN(len, f->len - 1);
  for (size_t k = max; k >= min_fragment(f) && k > 0; k--) {
    size_t j = f->len - k;
    if (f->p[j] != in[0] ||
        (f->hex && (j % 3 != 0 || (k < len && in[k] != ' '))))
      continue;
    if (memcmp(in, f->p + j, k) == 0)
      return fragment_shown(f, j, k) ? 0 : k;
  }
  return 0;
}

/* Length of the longest tail of in that is a proper head of f. */
static size_t
tail_fragment(const Form *f, const char *in, size_t len)
{
  size_t max = MIN(len, f->len - 1);
  for (size_t k = max; k >= min_fragment(f) && k > 0; k--) {
    if (in[len - k] != f->p[0] ||
        (f->hex && ((k + 1) % 3 != 0 || (k < len && in[len - k - 1] != ' '))))
      continue;
    if (memcmp(in + len - k, f->p, k) == 0)
      return fragment_shown(f, 0, k) ? 0 : k;
  }
  return 0;
}

/* Is all of in a proper part of f? *keep: how much of its start may
 * stay, when it starts where f does (what the redaction shows of it). */
static gboolean
inside(const Form *f, const char *in, size_t len, size_t *keep)
{
  if (len >= f->len || !memchr(f->p, in[0], f->len - len + 1))
    return FALSE;
  const char *at = memmem(f->p, f->len, in, len);
  if (!at || fragment_shown(f, (size_t)(at - f->p), len))
    return FALSE;
  *keep = at == f->p ? shown_prefix(f, in, len) : 0;
  return TRUE;
}

void
ckpt_redact_carry_clear(CkptRedactCarry *c)
{
  g_clear_pointer(&c->rest, g_free);
  c->len = 0;
}

/* The carry after a cell that ends with k bytes of f. */
static void
carry_set(CkptRedactCarry *c, const Form *f, size_t k)
{
  const char *rest = f->p + k;
  size_t n = f->len - k;
  if (f->hex && n && rest[0] == ' ') /* the next row starts at a byte */
    rest++, n--;
  ckpt_redact_carry_clear(c);
  if (n) {
    c->rest = g_strndup(rest, n);
    c->len = n;
  }
}

char *
ckpt_redact_bytes(const CkptSecretSet *s, const char *in, size_t len,
                  size_t *out_len)
{
  return ckpt_redact_bytes_carry(s, in, len, out_len, NULL);
}

char *
ckpt_redact_bytes_carry(const CkptSecretSet *s, const char *in, size_t len,
                        size_t *out_len, CkptRedactCarry *carry)
{
  if (!s || !in || s->items->len == 0) {
    if (carry)
      ckpt_redact_carry_clear(carry);
    return NULL;
  }
  /* the rest of a secret the cell before cut: masked however short */
  size_t carried = 0;
  gboolean carry_on = FALSE;
  if (carry && carry->rest) {
    size_t m = MIN(carry->len, len);
    if (m && memcmp(in, carry->rest, m) == 0) {
      carried = m;
      if (m == len && m < carry->len) { /* the secret goes on past it */
        char *rest = g_strndup(carry->rest + m, carry->len - m);
        g_free(carry->rest);
        carry->rest = rest;
        carry->len -= m;
        carry_on = TRUE;
      }
    }
    if (!carry_on)
      ckpt_redact_carry_clear(carry);
  }
  if (len < CKPT_SECRET_MIN_LEN && !carried)
    return NULL;
  guint n = s->items->len * 2;
  g_autofree Form *forms = g_new(Form, n);
  guint8 first[256] = {0};
  for (guint i = 0; i < s->items->len; i++) {
    forms[2 * i] = form_of(s->items->pdata[i], FALSE);
    forms[2 * i + 1] = form_of(s->items->pdata[i], TRUE);
    first[(guint8)forms[2 * i].p[0]] = first[(guint8)forms[2 * i + 1].p[0]] = 1;
  }

  /* fragments at the edges of a long cell, judged on the cell as given;
   * keep: the start of a fragment the redaction shows anyway */
  size_t head = carried, tail = 0, head_keep = 0, tail_keep = 0;
  const Form *tail_form = NULL;
  if (len >= CKPT_REDACT_FRAGMENT_CELL && !carry_on) {
    for (guint i = 0; i < n; i++) {
      size_t keep = 0;
      if (inside(&forms[i], in, len, &keep)) {
        head = len, head_keep = keep, tail = 0;
        break;
      }
      head = MAX(head, head_fragment(&forms[i], in, len));
      size_t t = tail_fragment(&forms[i], in, len);
      if (t > tail) {
        tail = t;
        tail_keep = shown_prefix(&forms[i], in + len - t, t);
        tail_form = &forms[i];
      }
    }
    if (head + tail > len)
      head = len, tail = 0, tail_form = NULL;
  }
  if (carry && tail_form)
    carry_set(carry, tail_form, tail);

  GString *out = NULL;
  size_t done = 0; /* bytes of in already copied or replaced */
  if (head || tail) {
    out = g_string_sized_new(len + 16);
    g_string_append_len(out, in, (gssize)head_keep);
    append_masked(out, in + head_keep, head - head_keep);
    done = head;
  }
  size_t end = len - tail;
  for (size_t i = done; i < end;) {
    const Form *hit = NULL;
    if (first[(guint8)in[i]])
      for (guint k = 0; k < n && !hit; k++)
        if (forms[k].len <= end - i && in[i] == forms[k].p[0] &&
            memcmp(in + i, forms[k].p, forms[k].len) == 0)
          hit = &forms[k];
    if (!hit) {
      i++;
      continue;
    }
    if (!out)
      out = g_string_sized_new(len + 16);
    g_string_append_len(out, in + done, (gssize)(i - done));
    if (hit->hex)
      append_masked(out, hit->p, hit->len);
    else
      g_string_append(out, hit->shown);
    i += hit->len;
    done = i;
  }
  if (!out)
    return NULL;
  g_string_append_len(out, in + done, (gssize)(end - done));
  g_string_append_len(out, in + end, (gssize)tail_keep);
  append_masked(out, in + end + tail_keep, tail - tail_keep);
  *out_len = out->len;
  return g_string_free(out, FALSE);
}

gboolean
ckpt_redact_row(const CkptSecretSet *s, const CkptValue *in, size_t n,
                CkptValue *out, GPtrArray *scratch, CkptRedactCarry *carries)
{
  gboolean changed = FALSE;
  for (size_t i = 0; i < n; i++) {
    out[i] = in[i];
    size_t len = 0;
    char *r = NULL;
    CkptRedactCarry *carry = carries ? &carries[i] : NULL;
    if (in[i].type == CKPT_T_STR && in[i].v.s)
      r = ckpt_redact_bytes_carry(s, in[i].v.s, strlen(in[i].v.s), &len, carry);
    else if (in[i].type == CKPT_T_BYTES && in[i].v.bytes.data)
      r = ckpt_redact_bytes_carry(s, in[i].v.bytes.data, in[i].v.bytes.len,
                                  &len, carry);
    else if (carry)
      ckpt_redact_carry_clear(carry);
    if (!r)
      continue;
    g_ptr_array_add(scratch, r);
    if (in[i].type == CKPT_T_STR)
      out[i].v.s = r;
    else {
      out[i].v.bytes.data = r;
      out[i].v.bytes.len = len;
    }
    changed = TRUE;
  }
  return changed;
}

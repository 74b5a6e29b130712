/* hexdump.c - memory as 16-byte rows: address, hex, ASCII.
 *
 * Rows for the renderers go through MemHexDumper, which folds a run of rows
 * identical to the one before (compared by bytes, not by their ASCII
 * rendering) into one "*" row, and shows the run's last row where the
 * contiguous memory ends so its extent stays visible. The --output writer
 * formats every row straight into a stream buffer. Both are linear in the
 * bytes given: no row is ever formatted twice or searched for.
 */
#include "mem.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

static inline char
printable(uint8_t c)
{
  return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

void
mem_hex_row(const uint8_t *bytes, size_t n, char hex[48], char ascii[17])
{
  size_t i;
  for (i = 0; i < MEM_ROW; i++) {
    char *h = hex + 3 * i;
    if (i < n) {
      h[0] = hexdigits[bytes[i] >> 4];
      h[1] = hexdigits[bytes[i] & 15];
      ascii[i] = printable(bytes[i]);
    } else {
      h[0] = h[1] = ' ';
    }
    if (i + 1 < MEM_ROW)
      h[2] = ' ';
  }
  hex[47] = '\0';
  ascii[MIN(n, (size_t)MEM_ROW)] = '\0';
}

char *
mem_printable(const uint8_t *bytes, size_t n)
{
  char *s = g_malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    s[i] = printable(bytes[i]);
  s[n] = '\0';
  return s;
}

void
mem_hexdump_init(MemHexDumper *d, gboolean fold, MemRowFunc fn, void *user)
{
  memset(d, 0, sizeof(*d));
  d->fn = fn;
  d->user = user;
  d->fold = fold;
}

static void
emit_row(MemHexDumper *d, uint64_t addr, const uint8_t *bytes, size_t n)
{
  char hex[48], ascii[17];
  mem_hex_row(bytes, n, hex, ascii);
  d->fn(addr, hex, ascii, d->user);
  d->rows++;
}

static void
row_done(MemHexDumper *d, uint64_t addr, const uint8_t *bytes, size_t n)
{
  if (d->fold && d->have_prev && n == MEM_ROW &&
      memcmp(bytes, d->prev, MEM_ROW) == 0) {
    if (!d->in_repeat) {
      d->fn(addr, "*", "", d->user);
      d->rows++;
      d->in_repeat = TRUE;
    }
    d->last_addr = addr;
    return;
  }
  emit_row(d, addr, bytes, n);
  d->in_repeat = FALSE;
  d->have_prev = n == MEM_ROW;
  if (d->have_prev)
    memcpy(d->prev, bytes, MEM_ROW);
}

/* The contiguous memory ends: a partial row and a folded run's last row are
 * shown, and the next row is never folded into this one. */
static void
run_end(MemHexDumper *d)
{
  if (d->row_len > 0)
    row_done(d, d->row_addr, d->row, d->row_len);
  if (d->in_repeat)
    emit_row(d, d->last_addr, d->prev, MEM_ROW);
  d->row_len = 0;
  d->in_repeat = FALSE;
  d->have_prev = FALSE;
}

void
mem_hexdump_feed(MemHexDumper *d, uint64_t addr, const uint8_t *data,
                 size_t len)
{
  if (len == 0)
    return;
  if (addr != d->next)
    run_end(d);
  d->next = addr + len;
  /* finish a row begun by the previous block */
  if (d->row_len > 0) {
    size_t take = MIN(len, MEM_ROW - d->row_len);
    memcpy(d->row + d->row_len, data, take);
    d->row_len += take;
    data += take;
    addr += take;
    len -= take;
    if (d->row_len < MEM_ROW)
      return;
    row_done(d, d->row_addr, d->row, MEM_ROW);
    d->row_len = 0;
  }
  while (len >= MEM_ROW) {
    row_done(d, addr, data, MEM_ROW);
    data += MEM_ROW;
    addr += MEM_ROW;
    len -= MEM_ROW;
  }
  if (len > 0) {
    memcpy(d->row, data, len);
    d->row_len = len;
    d->row_addr = addr;
  }
}

void
mem_hexdump_zeros(MemHexDumper *d, uint64_t addr, size_t len)
{
  static const uint8_t zero[2 * MEM_ROW];
  if (len == 0)
    return;
  if (addr != d->next)
    run_end(d);
  /* the row begun before, and two whole rows, as bytes */
  size_t head = d->row_len > 0 ? MIN(len, MEM_ROW - d->row_len) : 0;
  head += MIN(len - head, (size_t)2 * MEM_ROW);
  for (size_t done = 0; done < head;) {
    size_t n = MIN(head - done, sizeof zero);
    mem_hexdump_feed(d, addr + done, zero, n);
    done += n;
  }
  addr += head;
  len -= head;
  /* Folding, whole zero rows after a zero row only move the folded run's
   * last address; without folding every row is shown. */
  size_t rows = len / MEM_ROW;
  if (rows > 0 && d->fold && d->row_len == 0 && d->in_repeat) {
    d->last_addr = addr + (rows - 1) * MEM_ROW;
    addr += rows * MEM_ROW;
    len -= rows * MEM_ROW;
    d->next = addr;
  }
  while (len > 0) {
    size_t n = MIN(len, sizeof zero);
    mem_hexdump_feed(d, addr, zero, n);
    addr += n;
    len -= n;
  }
}

void
mem_hexdump_end(MemHexDumper *d)
{
  run_end(d);
  d->next = 0;
}

/* One line: 16 address digits, two spaces, 47 hex, two spaces, |ascii|. */
#define LINE_MAX_LEN (16 + 2 + 47 + 2 + 1 + 16 + 1 + 1)

static size_t
format_line(char *out, uint64_t addr, const uint8_t *bytes, size_t n)
{
  char *o = out;
  for (int shift = 60; shift >= 0; shift -= 4)
    *o++ = hexdigits[(addr >> shift) & 15];
  *o++ = ' ';
  *o++ = ' ';
  char hex[48], ascii[17];
  mem_hex_row(bytes, n, hex, ascii);
  memcpy(o, hex, 47);
  o += 47;
  *o++ = ' ';
  *o++ = ' ';
  *o++ = '|';
  memcpy(o, ascii, n);
  o += n;
  *o++ = '|';
  *o++ = '\n';
  return (size_t)(o - out);
}

gboolean
mem_hexdump_write(FILE *out, uint64_t addr, const uint8_t *data, size_t len)
{
  char buf[64 * LINE_MAX_LEN];
  size_t used = 0;
  while (len > 0) {
    size_t n = MIN(len, (size_t)MEM_ROW);
    used += format_line(buf + used, addr, data, n);
    if (used > sizeof(buf) - LINE_MAX_LEN) {
      if (fwrite(buf, 1, used, out) != used)
        return FALSE;
      used = 0;
    }
    data += n;
    addr += n;
    len -= n;
  }
  return used == 0 || fwrite(buf, 1, used, out) == used;
}

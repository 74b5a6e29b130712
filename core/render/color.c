/* color.c - colour on terminals: which cells are coloured and how, and
 * whether output is coloured at all (--color, NO_COLOR, a terminal).
 *
 * Colour is a wrap at output time: renderers measure and pad the plain
 * text of a cell, and only where they append it do they call ckpt_paint,
 * which adds the escape sequences around it. Widths therefore never see an
 * escape, and JSON never gets one. The text itself was escaped before
 * (ckpt_value_text): an ESC byte in output always comes from here. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "render/renderer.h"

static CkptColorMode mode = CKPT_COLOR_AUTO;

gboolean
ckpt_render_color_parse(const char *when)
{
  static const char *const names[] = {"auto", "always", "never"};
  for (int i = 0; i < 3; i++)
    if (g_strcmp0(when, names[i]) == 0) {
      ckpt_render_set_color((CkptColorMode)i);
      return TRUE;
    }
  return FALSE;
}

void
ckpt_render_set_color(CkptColorMode m)
{
  mode = m;
}

gboolean
ckpt_render_color_for(FILE *out)
{
  if (mode != CKPT_COLOR_AUTO)
    return mode == CKPT_COLOR_ALWAYS;
  /* https://no-color.org: present and not empty disables colour */
  const char *no = g_getenv("NO_COLOR");
  if (no && *no)
    return FALSE;
  if (g_strcmp0(g_getenv("TERM"), "dumb") == 0)
    return FALSE;
  int fd = out ? fileno(out) : -1;
  return fd >= 0 && isatty(fd);
}

#define RED "31"
#define BOLD_RED "1;31"
#define GREEN "32"
#define YELLOW "33"
#define CYAN "36"
#define DIM "2"

typedef struct {
  const char *value, *sgr;
} Paint;

/* Severities (findings, verdicts) */
static const Paint severities[] = {
    {"critical", BOLD_RED}, {"high", RED},    {"medium", YELLOW},
    {"low", CYAN},          {"info", DIM},    {"compromised", BOLD_RED},
    {"suspicious", YELLOW}, {"clean", GREEN}, {NULL}};
/* States: processes, sockets, plugin outcomes, rootfs changes */
static const Paint states[] = {{"alive", GREEN},
                               {"running", GREEN},
                               {"ok", GREEN},
                               {"established", GREEN},
                               {"listen", CYAN},
                               {"added", GREEN},
                               {"stopped", YELLOW},
                               {"warn", YELLOW},
                               {"modified", YELLOW},
                               {"changed", YELLOW},
                               {"close_wait", YELLOW},
                               {"time_wait", YELLOW},
                               {"zombie", RED},
                               {"dead", RED},
                               {"failed", RED},
                               {"fatal", RED},
                               {"error", RED},
                               {"deleted", RED},
                               {NULL}};

/* Columns by name: which table of paints they take. */
static const struct {
  const char *column;
  const Paint *paints;
} columns[] = {{"severity", severities}, {"max_severity", severities},
               {"verdict", severities},  {"state", states},
               {"task_state", states},   {"status", states},
               {"change", states},       {NULL}};

const char *
ckpt_color_of(const CkptColumn *col, const char *text)
{
  if (col == NULL || col->name == NULL || text == NULL)
    return NULL;
  for (size_t i = 0; columns[i].column; i++) {
    if (strcmp(col->name, columns[i].column) != 0)
      continue;
    for (const Paint *p = columns[i].paints; p->value; p++)
      if (g_ascii_strcasecmp(text, p->value) == 0)
        return p->sgr;
    return NULL;
  }
  return NULL;
}

void
ckpt_paint(GString *out, gboolean on, const CkptColumn *col, const char *text)
{
  const char *sgr = on ? ckpt_color_of(col, text) : NULL;
  if (sgr)
    g_string_append_printf(out, "\033[%sm%s\033[0m", sgr, text);
  else
    g_string_append(out, text);
}

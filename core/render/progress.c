/* progress.c - the progress line (render.h's ckpt_render_progress): what
 * plugins and the sweep engine report through the host's one progress
 * sink, drawn as a single line that is redrawn in place. */
#include "render/render.h"

void
ckpt_render_progress(void *user, const char *plugin, uint64_t done,
                     uint64_t total, const char *what)
{
  FILE *out = user;
  enum { WIDTH = 20 };
  if (what == NULL) {
    fputs("\r\033[K", out);
    fflush(out);
    return;
  }
  double frac = total ? MIN((double)done / (double)total, 1.0) : 0.0;
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; i++)
    bar[i] = i < (int)(frac * WIDTH) ? '#' : '.';
  bar[WIDTH] = '\0';
  g_autoptr(GString) s = g_string_new(NULL);
  ckpt_text_escape(s, what, -1);
  if (total)
    fprintf(out, "\r\033[K%s [%s] %3d%% %s", plugin, bar, (int)(frac * 100.0),
            s->str);
  else
    fprintf(out, "\r\033[K%s %" G_GUINT64_FORMAT " %s", plugin, done, s->str);
  fflush(out);
}

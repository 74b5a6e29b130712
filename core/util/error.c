/* error.c - the CKPT_ERROR domain. */
#include "util/error.h"

GQuark
ckpt_error_quark(void)
{
  return g_quark_from_static_string("ckpt-error-quark");
}

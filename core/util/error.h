/* error.h - the GError domain every layer of the core reports in, and its
 * codes. */
#ifndef CKPT_ERROR_H
#define CKPT_ERROR_H

#include <glib.h>

#define CKPT_ERROR (ckpt_error_quark())
GQuark ckpt_error_quark(void);

typedef enum {
  CKPT_ERROR_IO,      /* reading the input failed */
  CKPT_ERROR_FORMAT,  /* the input is not what it claims */
  CKPT_ERROR_LIMIT,   /* a bound of CkptLimits was exceeded */
  CKPT_ERROR_MISSING, /* something required is absent */
  CKPT_ERROR_PLUGIN,  /* a plugin was refused or failed */
  CKPT_ERROR_USAGE,   /* the user asked for something impossible */
} CkptErrorCode;

#endif

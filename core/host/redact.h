/* redact.h - the host's one redaction policy: every row any plugin emits
 * passes through it before it is kept, streamed, stored or sent back by an
 * --isolate child, so no renderer (tree, table, JSON, JSON Lines, the
 * checkpointctl look) ever sees a secret unless --reveal was given.
 *
 * What a secret is comes from the model (model/secretset.h: the secrets
 * engine over the checkpoint). In a text or bytes cell:
 *  - each occurrence of a secret value becomes the engine's redaction
 *    ("Ngx-…(22)", "postgres://app:***@db"), as `ckpt secrets` shows it;
 *  - a hexdump's bytes ("4e 67 78") of a secret become "** ** **";
 *  - in cells of at least CKPT_REDACT_FRAGMENT_CELL bytes (a hexdump row,
 *    a context line), a head that ends a secret, a tail that starts one
 *    (at least CKPT_SECRET_MIN_LEN bytes of it) or a whole cell inside one
 *    is masked with '*': rows cut a secret across lines; and the start
 *    of a cell that goes on with a secret the same column of the row
 *    before ended with (CkptRedactCarry), however short.
 *  What the redaction shows of a value anyway (a token's first characters,
 *  a PEM block's BEGIN line) is kept in a fragment.
 * Numbers, addresses and booleans are never changed.
 */
#ifndef CKPT_REDACT_H
#define CKPT_REDACT_H

#include <glib.h>

#include "ckpt/plugin.h"
#include "model/secretset.h"

#define CKPT_REDACT_FRAGMENT_CELL 12

/* The redacted text of in[0..len), or NULL when nothing in it is secret.
 * *out_len is set to the result's length (it is NUL-ended too). */
char *ckpt_redact_bytes(const CkptSecretSet *s, const char *in, size_t len,
                        size_t *out_len);

/* What the end of a cell left of a secret for the same column of the next
 * row (a hexdump cuts a secret across rows): the rest of it, which the
 * next cell has masked if it starts with it, however short. */
typedef struct {
  char *rest; /* owned, or NULL */
  size_t len;
} CkptRedactCarry;
void ckpt_redact_carry_clear(CkptRedactCarry *c);
/* As ckpt_redact_bytes, reading and updating carry (NULL: none). */
char *ckpt_redact_bytes_carry(const CkptSecretSet *s, const char *in,
                              size_t len, size_t *out_len,
                              CkptRedactCarry *carry);

/* Copies the n values into out, redacting text and bytes cells; the
 * strings made are added to scratch (g_free). carries: one per column, the
 * table's from its row before, or NULL. TRUE when any changed. */
gboolean ckpt_redact_row(const CkptSecretSet *s, const CkptValue *in, size_t n,
                         CkptValue *out, GPtrArray *scratch,
                         CkptRedactCarry *carries);

#endif

/* suggest.h - "did you mean": the nearest of a set of names to a word a
 * user typed, by edit distance, for unknown commands, flags and plugin
 * names. Pure functions over strings, so the CLI, the host and tests share
 * them. */
#ifndef CKPT_SUGGEST_H
#define CKPT_SUGGEST_H

#include <glib.h>

/* Optimal string alignment distance between a and b (insertions,
 * deletions, substitutions and swaps of two neighbours each cost 1),
 * counted in bytes, case-sensitive. Words longer than 256 bytes are
 * farther than anything: G_MAXSIZE. */
gsize ckpt_edit_distance(const char *a, const char *b);

/* The candidate nearest to word, or NULL when none is near enough to be a
 * plausible typo: within 1 edit for words of up to 3 bytes, 2 up to 6, 3
 * beyond; a candidate that word is a prefix of (3 bytes or more) also
 * counts. Ties go to the first candidate. candidates is NULL-ended; the
 * result points into it. */
const char *ckpt_suggest(const char *word, const char *const *candidates);

#endif

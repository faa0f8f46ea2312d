/*
 * dmetaphone.h: Double Metaphone phonetic codes for names.
 *
 * A port of Apache commons-codec's DoubleMetaphone (Lawrence Philips'
 * algorithm), producing the same primary and alternate codes for ASCII
 * input with the maximum code length set to SEEN_DMETAPHONE_MAX.
 */
#ifndef SEEN_DMETAPHONE_H
#define SEEN_DMETAPHONE_H

#include "common/seen.h"

/*
 * Longest code, in characters, not counting the NUL.  commons-codec's own
 * default is 4; Seen, like its reference vectors, uses setMaxCodeLen(6).
 */
#define SEEN_DMETAPHONE_MAX 6

/**
 * seen_dmetaphone(name, primary, alternate):
 * Encode ${name} (ASCII letters, spaces, apostrophes, dots, hyphens; any case)
 * with Double Metaphone.  Write the primary code to ${primary} and the
 * alternate code to ${alternate}, each NUL-terminated, at most
 * SEEN_DMETAPHONE_MAX characters; the alternate repeats the primary when the
 * algorithm gives only one.  Returns 0, or SEEN_EINVAL when ${name} holds a
 * byte outside ASCII (logged nowhere: callers fold accents first), in
 * which case both codes are set to "".  Leading and trailing spaces and
 * control characters are ignored; any other non-letter is skipped but still
 * counts as a neighbour, as in the reference.  ${name} is not retained.
 */
SEEN_MUST_CHECK int seen_dmetaphone(const char *name,
    char primary[static SEEN_DMETAPHONE_MAX + 1],
    char alternate[static SEEN_DMETAPHONE_MAX + 1]);

#endif /* !SEEN_DMETAPHONE_H */

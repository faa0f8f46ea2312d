/*
 * normalise.h: names, dates and postcodes as matching compares them.
 *
 * Everything here reads bytes from agency extracts: every function accepts
 * any input (any bytes, any length) without overflowing its output, and
 * none allocates memory, logs or keeps state, so all are thread-safe.  None
 * logs, because the input is personal data; the caller reports the field.
 */
#ifndef SEEN_MATCH_NORMALISE_H
#define SEEN_MATCH_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

/* Bytes of a normalised name, with the NUL: at most 63 letters and spaces. */
#define SEEN_NAME_MAX 64

/* Bytes of a formatted date "YYYY-MM-DD", with the NUL. */
#define SEEN_DATE_BYTES 11

/* Bytes of a canonical postcode "AA9A 9AA" and its district "AA9A". */
#define SEEN_POSTCODE_BYTES 9
#define SEEN_DISTRICT_BYTES 5

/* The years seen_date_parse accepts. */
#define SEEN_DATE_YEAR_MIN 1880
#define SEEN_DATE_YEAR_MAX 2150

/* What seen_date_from_ymd returns for a date that does not exist. */
#define SEEN_DATE_NONE INT32_MIN

/**
 * seen_norm_name(utf8, out):
 * Normalise the NUL-terminated UTF-8 name ${utf8} (one name field: a given
 * name, a family name or one alias) and write it to ${out}: upper-case
 * letters A-Z in words separated by single spaces, with no leading or
 * trailing space.  The rules, in order:
 *  - Unicode compatibility decomposition (NFKD) with case folding, marks
 *    (accents) and default-ignorable characters (soft hyphen, zero-width
 *    space) removed, via utf8proc: "José" -> JOSE, "Zoë" -> ZOE,
 *    "Ｊｏｈｎ" -> JOHN, "ß" -> SS.
 *  - Latin letters that do not decompose are spelled out: Æ AE, Ø O, Ł L,
 *    Đ Ð D, Þ TH, Œ OE, ı I, Ħ H, Ŋ NG, Ə Ɛ E, Ɔ O, the hooked letters of
 *    West African alphabets (Ɓ B, Ɗ D, Ƙ K, Ƴ Y) and a few more.
 *  - Apostrophes (' ` ´ ‘ ’ ‛ ʹ ʻ ʼ ʾ ʿ ′) and dots (. · ․) are removed
 *    wherever they are, without splitting the word: O'Brien -> OBRIEN,
 *    "St." -> ST, "J.R." -> JR.
 *  - Every other character that is neither a letter, a digit nor a mark
 *    (spaces, hyphens, commas, slashes, underscores, other punctuation,
 *    symbols, controls) ends a word: "Smith-Jones" -> "SMITH JONES".
 *  - Letters of other scripts and digits are dropped without ending a word.
 *  - A name particle is fused to the word that follows it, and runs of
 *    particles fuse together: "van der Berg" -> VANDERBERG,
 *    "de la Cruz" -> DELACRUZ, "Mc Donald" -> MCDONALD, "O Brien" ->
 *    OBRIEN, "Al-Hassan" -> ALHASSAN, "Saint John" and "St. John" ->
 *    STJOHN (SAINT is written ST when fused).  The particles are
 *    AL, DA, DAS, DE, DEL, DELLA, DEN, DER, DES, DI, DOS, DU, EL, LA, LE,
 *    MAC, MC, O, SAINT, ST, TEN, TER, VAN, VON (not DO or NI, which are
 *    also common Vietnamese and Chinese family names).  Particles with no
 *    ordinary word after them stay as they were ("Al" -> AL).  Because
 *    "Le", "Di" and "Al" are also names in their own right, pass one name
 *    field at a time, not a whole "given family" string.
 * If the result is longer than SEEN_NAME_MAX - 1 bytes it is cut after the
 * last whole word that fits (a fused word counts as one), and 0 is still
 * returned: matching then uses the leading words.
 * Returns 0; SEEN_EINVAL if ${utf8} is NULL or not valid UTF-8, if nothing
 * is left ("", " ", "123", a name in another script), or if the first word
 * alone is longer than SEEN_NAME_MAX - 1 letters.  On error ${out} is "".
 * ${out} may be the same buffer as ${utf8}.
 */
SEEN_MUST_CHECK int seen_norm_name(
    const char *utf8, char out[static SEEN_NAME_MAX]);

/**
 * seen_name_variants(norm, out, max):
 * Write to ${out} the keys under which the normalised family name ${norm}
 * (as seen_norm_name writes it) may also be recorded, deduplicated, at
 * most ${max} of them, in this order:
 *  1. the whole name with the spaces removed: SMITH JONES -> SMITHJONES;
 *  2. when there are several words, each word of two letters or more
 *     alone: SMITH, JONES (single letters are initials, not keys);
 *  3. each of those without the longest particle it starts with, if at
 *     least 4 letters remain: ALHASSAN -> HASSAN, VANDERBERG -> BERG,
 *     DASILVA -> SILVA, DOSSANTOS -> SANTOS, DELACRUZ -> CRUZ, but
 *     DELRIO gives no such key (DEL leaves 3).  The particles removed are
 *     AL, EL, DA, DOS, DE, DEL, DELA, DELLA, DELOS, DELAS, DI, DU, LA,
 *     LE, TER, TEN, VAN, VANDE, VANDEN, VANDER, VON, VONDER (not DAS,
 *     which would turn DASILVA into ILVA).  MC, MAC, O and ST
 *     are never removed: MCDONALD, OBRIEN, ONEIL and STJOHN are surnames
 *     in their own right, and removing O would also turn OLIVER into
 *     LIVER; so O'NEIL gives ONEIL, never NEIL.  The normalised form does
 *     not record where a particle was, so some ordinary names also give
 *     such a key (ALBERT -> BERT, DAVIES -> VIES); these only add
 *     candidate pairs for scoring to weigh.
 * Returns the number of keys written (0 if ${norm} is NULL, not a
 * normalised name, or ${max} is 0).
 */
size_t seen_name_variants(
    const char *norm, char out[][SEEN_NAME_MAX], size_t max);

/**
 * seen_date_parse(s, days):
 * Parse ${s}, which must be exactly "YYYY-MM-DD" (four, two and two
 * digits, nothing before or after) naming a real date of the Gregorian
 * calendar with a year from SEEN_DATE_YEAR_MIN to SEEN_DATE_YEAR_MAX, and
 * write to ${days} the number of days since 1970-01-01 (negative before).
 * Returns 0; SEEN_EINVAL otherwise, leaving ${days} unchanged.
 */
SEEN_MUST_CHECK int seen_date_parse(const char *s, int32_t *days);

/**
 * seen_date_format(days, out):
 * Write the date ${days} days after 1970-01-01 to ${out} as "YYYY-MM-DD".
 * A date outside the years 0000 to 9999 is written "0000-00-00", which
 * seen_date_parse rejects.
 */
void seen_date_format(int32_t days, char out[static SEEN_DATE_BYTES]);

/**
 * seen_date_ymd(days, y, m, d):
 * Write the proleptic Gregorian year, month (1-12) and day (1-31) of the
 * date ${days} days after 1970-01-01 to ${y}, ${m} and ${d}.  Any ${days}
 * is accepted.
 */
void seen_date_ymd(int32_t days, int *y, int *m, int *d);

/**
 * seen_date_from_ymd(y, m, d):
 * Return the number of days from 1970-01-01 to the date ${y}-${m}-${d}, or
 * SEEN_DATE_NONE if it is not a real date with a year from 0 to 9999.
 */
int32_t seen_date_from_ymd(int y, int m, int d);

/**
 * seen_postcode_norm(in, out, district):
 * Normalise the UK postcode ${in}: any case, any whitespace anywhere
 * (spaces, tabs, no-break spaces: "rg15df", " RG1  5DF ").  It must then
 * have one of the shapes A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA,
 * AA9A 9AA (A a letter, 9 a digit) with inward letters other than C, I, K,
 * M, O and V, or be GIR 0AA.  The letters of the outward code are not
 * checked against Royal Mail's per-position rules (there are real
 * exceptions, such as XM4 5HQ).  Write the canonical form ("RG1 5DF") to
 * ${out} and the outward code, the postcode district ("RG1"), to
 * ${district}.
 * Returns 0; SEEN_EINVAL otherwise, with ${out} and ${district} "".
 */
SEEN_MUST_CHECK int seen_postcode_norm(const char *in,
    char out[static SEEN_POSTCODE_BYTES],
    char district[static SEEN_DISTRICT_BYTES]);

#endif /* !SEEN_MATCH_NORMALISE_H */

/*
 * ident.h: check and canonicalise the identifiers Seen matches on: NHS
 * number, unique pupil number (UPN) and Police National Computer id.
 *
 * An identifier that fails its check is never matched on, so these are
 * strict: they accept the spacing and case people write, nothing else.
 * They accept any input without overflowing their output, allocate
 * nothing and log nothing (an identifier is personal data; the caller
 * reports the field).
 */
#ifndef SEEN_MATCH_IDENT_H
#define SEEN_MATCH_IDENT_H

#include "common/seen.h"

/* Bytes of the canonical forms, with the NUL. */
#define SEEN_NHS_BYTES 11 /* "9434765919" */
#define SEEN_UPN_BYTES 14 /* "B801200005001" */
#define SEEN_PNC_BYTES 14 /* "2011/0234567F" */

/**
 * seen_nhs_check(in, out, test_range):
 * Check the NHS number ${in}: ten digits, optionally with spaces or
 * hyphens between them ("943 476 5919", "943-476-5919") and spaces around
 * them, whose tenth digit is the modulus 11 check digit of the first nine
 * (weights 10 down to 2; 11 minus the sum modulo 11; 11 becomes 0; 10 is
 * never a valid number).  Numbers of ten equal digits (0000000000,
 * 9999999999, ...) pass that check but are placeholders, never issued,
 * and are rejected so that they cannot link strangers.  Issued ranges are
 * not otherwise checked.  Write the ten digits to ${out}, and to
 * ${test_range} (unless NULL) 1 if the number starts with 999 (the range
 * of synthetic test numbers, which is still valid), else 0.
 * Returns 0; SEEN_EINVAL otherwise, with ${out} "".
 */
SEEN_MUST_CHECK int seen_nhs_check(
    const char *in, char out[static SEEN_NHS_BYTES], int *test_range);

/**
 * seen_upn_check(in, out, temporary):
 * Check the DfE unique pupil number ${in}: 13 characters (any case, spaces
 * around them allowed), a check letter then 11 digits then a digit (a
 * permanent UPN) or a letter (a temporary UPN).  The check letter is
 * "ABCDEFGHJKLMNPQRTUVWXYZ"[s mod 23], where s is the sum over characters
 * 2 to 13 of their value times their position (2 to 13); a final letter's
 * value is its index in that same table, so I, O and S are never valid
 * there.  Local authority and establishment numbers are not checked.
 * Write the UPN in upper case to ${out}, and to ${temporary} (unless NULL)
 * 1 for a temporary UPN, else 0.
 * Returns 0; SEEN_EINVAL otherwise, with ${out} "".
 */
SEEN_MUST_CHECK int seen_upn_check(
    const char *in, char out[static SEEN_UPN_BYTES], int *temporary);

/**
 * seen_pnc_check(in, out):
 * Check the Police National Computer id ${in}: "YYYY/NNNNNNNC" (long form)
 * or "YY/NNNNNNNC" (short form), spaces around it allowed, where the
 * serial N has 1 to 7 digits (leading zeros may be dropped; a serial of 0
 * is rejected) and C is the check letter (any case),
 * "ZABCDEFGHJKLMNPQRTUVWXY"[n mod 23] with n the two-digit year followed
 * by the serial padded to seven digits, read as one number.  A short-form
 * year 70-99 is 19YY, 00-69 is 20YY; a long-form year must be in
 * 1970-2069, the same window, so that every id has one canonical form.
 * Write the canonical long form, year of four digits, serial of seven and
 * an upper-case check letter ("2011/0234567F"), to ${out}.
 * Returns 0; SEEN_EINVAL otherwise, with ${out} "".
 */
SEEN_MUST_CHECK int seen_pnc_check(
    const char *in, char out[static SEEN_PNC_BYTES]);

#endif /* !SEEN_MATCH_IDENT_H */

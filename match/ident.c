/*
 * ident.c: check and canonicalise NHS numbers, UPNs and PNC ids.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/seen.h"
#include "match/ident.h"

/* The UPN check letters, and the values of a temporary UPN's last letter. */
static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

/* The PNC check letters. */
static const char pnc_letters[] = "ZABCDEFGHJKLMNPQRTUVWXY";

static int
is_digit(char c)
{

    return (c >= '0' && c <= '9');
}

static char
upper(char c)
{

    return ((c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c);
}

/* Skip leading spaces of ${s}; set ${len} to the length without the
 * trailing ones. */
static const char *
trim(const char *s, size_t *len)
{
    size_t n;

    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    *len = n;
    return (s);
}

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
int
seen_nhs_check(const char *in, char out[static SEEN_NHS_BYTES], int *test_range)
{
    char d[10];
    const char *s;
    size_t len, i, n = 0;
    int sum = 0, check, same = 1;

    if (in == NULL)
        goto bad;
    s = trim(in, &len);
    if (len == 0 || !is_digit(s[0]) || !is_digit(s[len - 1]))
        goto bad;
    for (i = 0; i < len; i++) {
        if (is_digit(s[i])) {
            if (n == sizeof(d))
                goto bad;
            d[n++] = s[i];
        } else if (s[i] != ' ' && s[i] != '-') {
            goto bad;
        }
    }
    if (n != sizeof(d))
        goto bad;

    for (i = 0; i < 9; i++)
        sum += (d[i] - '0') * (int)(10 - i);
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != d[9] - '0')
        goto bad;
    for (i = 1; i < 10; i++)
        same &= d[i] == d[0];
    if (same)
        goto bad;

    memcpy(out, d, 10);
    out[10] = '\0';
    if (test_range != NULL)
        *test_range = memcmp(d, "999", 3) == 0;
    return (0);

bad:
    out[0] = '\0';
    return (SEEN_EINVAL);
}

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
int
seen_upn_check(const char *in, char out[static SEEN_UPN_BYTES], int *temporary)
{
    char u[13];
    const char *s, *p;
    size_t len, i;
    int sum = 0, temp = 0, v;

    if (in == NULL)
        goto bad;
    s = trim(in, &len);
    if (len != sizeof(u))
        goto bad;
    for (i = 0; i < sizeof(u); i++)
        u[i] = upper(s[i]);

    for (i = 1; i < 12; i++) {
        if (!is_digit(u[i]))
            goto bad;
        sum += (u[i] - '0') * (int)(i + 1);
    }
    if (is_digit(u[12])) {
        v = u[12] - '0';
    } else if (u[12] >= 'A' && u[12] <= 'Z' &&
               (p = strchr(upn_letters, u[12])) != NULL) {
        v = (int)(p - upn_letters);
        temp = 1;
    } else {
        goto bad;
    }
    sum += v * 13;
    if (u[0] != upn_letters[sum % 23])
        goto bad;

    memcpy(out, u, sizeof(u));
    out[sizeof(u)] = '\0';
    if (temporary != NULL)
        *temporary = temp;
    return (0);

bad:
    out[0] = '\0';
    return (SEEN_EINVAL);
}

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
int
seen_pnc_check(const char *in, char out[static SEEN_PNC_BYTES])
{
    const char *s;
    size_t len, ylen, slen, i;
    uint32_t serial = 0, n;
    int year = 0, yy;
    char check;

    if (in == NULL)
        goto bad;
    s = trim(in, &len);

    /* The year: two or four digits, then '/'. */
    for (ylen = 0; ylen < len && is_digit(s[ylen]); ylen++)
        continue;
    if ((ylen != 2 && ylen != 4) || ylen >= len || s[ylen] != '/')
        goto bad;
    for (i = 0; i < ylen; i++)
        year = year * 10 + (s[i] - '0');
    yy = year % 100;
    if (ylen == 2)
        year = (yy >= 70 ? 1900 : 2000) + yy;
    else if (year < 1970 || year > 2069)
        goto bad;

    /* The serial, 1 to 7 digits, then exactly one letter. */
    s += ylen + 1;
    len -= ylen + 1;
    for (slen = 0; slen < len && is_digit(s[slen]); slen++) {
        if (slen == 7)
            goto bad;
        serial = serial * 10 + (uint32_t)(s[slen] - '0');
    }
    if (slen == 0 || serial == 0 || len != slen + 1)
        goto bad;
    check = upper(s[slen]);

    n = (uint32_t)yy * 10000000u + serial;
    if (check != pnc_letters[n % 23])
        goto bad;

    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '/';
    for (i = 0; i < 7; i++) {
        out[11 - i] = (char)('0' + serial % 10);
        serial /= 10;
    }
    out[12] = check;
    out[13] = '\0';
    return (0);

bad:
    out[0] = '\0';
    return (SEEN_EINVAL);
}

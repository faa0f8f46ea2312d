#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "rng.h"

static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
static const char pnc_letters[] = "ZABCDEFGHJKLMNPQRTUVWXY";

/**
 * synth_nhs_check(digits):
 * Return the mod-11 check digit (0-9) for the first nine digits of
 * ${digits}, or -1 when the check would be 10 (no valid number).
 */
int
synth_nhs_check(const char *digits)
{
    int i, sum = 0, c;

    for (i = 0; i < 9; i++)
        sum += (digits[i] - '0') * (10 - i);
    c = 11 - sum % 11;
    if (c == 11)
        c = 0;
    return (c == 10) ? -1 : c;
}

/**
 * synth_upn_check(digits):
 * Return the check letter for the twelve digits ${digits} (UPN characters
 * 2 to 13): "ABCDEFGHJKLMNPQRTUVWXYZ"[sum(digit_i * i, i = 2..13) mod 23].
 */
char
synth_upn_check(const char *digits)
{
    int i, sum = 0;

    for (i = 0; i < 12; i++)
        sum += (digits[i] - '0') * (i + 2);
    return upn_letters[sum % 23];
}

/**
 * synth_pnc_check(year, serial):
 * Return the PNC check letter for ${year} (four digits) and ${serial}
 * (0-9999999): "ZABCDEFGHJKLMNPQRTUVWXY"[(YY * 10^7 + serial) mod 23].
 */
char
synth_pnc_check(int year, uint32_t serial)
{
    uint64_t n = (uint64_t)(year % 100) * 10000000u + serial % 10000000u;

    return pnc_letters[n % 23];
}

/**
 * synth_pnc_format(out, year, serial):
 * Write the PNC id "YYYY/NNNNNNNC" for ${year} and ${serial} to ${out}.
 */
void
synth_pnc_format(char out[static SYNTH_PNC_LEN], int year, uint32_t serial)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%04u/%07u%c", (unsigned)year % 10000u,
        (unsigned)(serial % 10000000u), synth_pnc_check(year, serial));
    memcpy(out, buf, SYNTH_PNC_LEN - 1);
    out[SYNTH_PNC_LEN - 1] = '\0';
}

/**
 * synth_upn_format(out, la_code, establishment, year, serial):
 * Write the UPN for LA code ${la_code} (0-999), establishment number
 * ${establishment} (0-9999), two-digit ${year} and ${serial} (0-999)
 * to ${out}, check letter first.
 */
void
synth_upn_format(char out[static SYNTH_UPN_LEN], int la_code,
    int establishment, int year, int serial)
{
    char d[32];

    snprintf(d, sizeof d, "%03u%04u%02u%03u", (unsigned)la_code % 1000u,
        (unsigned)establishment % 10000u, (unsigned)year % 100u,
        (unsigned)serial % 1000u);
    out[0] = synth_upn_check(d);
    memcpy(out + 1, d, 13);
}

/*
 * A keyed pseudo-random permutation of [0, domain): a balanced Feistel
 * network over the smallest even number of bits that covers the domain,
 * with cycle-walking to stay inside it.
 */
static uint32_t
permute(uint64_t key, uint32_t domain, uint32_t x)
{
    int bits = 2, half, r;
    uint32_t mask, left, right, f;

    while (bits < 32 && (UINT32_C(1) << bits) < domain)
        bits += 2;
    half = bits / 2;
    mask = (UINT32_C(1) << half) - 1;
    do {
        left = x >> half;
        right = x & mask;
        for (r = 0; r < 4; r++) {
            f = (uint32_t)synth_rng_mix(key + (uint64_t)r, right) & mask;
            f ^= left;
            left = right;
            right = f;
        }
        x = (left << half) | right;
    } while (x >= domain);
    return x;
}

/**
 * synth_ids_init(ids, key):
 * Start allocating from the permutations keyed by ${key}.
 */
void
synth_ids_init(struct synth_ids *ids, uint64_t key)
{

    memset(ids, 0, sizeof(*ids));
    ids->key = key;
}

/**
 * synth_ids_nhs(ids, out):
 * Write a new, valid NHS number "999NNNNNNC" to ${out}.  Returns 0, or -1
 * when the 999 range is exhausted (about 909,000 numbers); ${out} is then
 * the empty string.
 */
int
synth_ids_nhs(struct synth_ids *ids, char out[static SYNTH_NHS_LEN])
{
    uint32_t x;
    int c;

    while (ids->nhs_next < SYNTH_NHS_CAPACITY) {
        x = permute(ids->key ^ UINT64_C(0x4e4853), SYNTH_NHS_CAPACITY,
            ids->nhs_next++);
        snprintf(out, SYNTH_NHS_LEN, "999%06u", (unsigned)x);
        if ((c = synth_nhs_check(out)) < 0)
            continue;
        out[9] = (char)('0' + c);
        out[10] = '\0';
        return 0;
    }
    ids->nhs_exhausted = 1;
    out[0] = '\0';
    return -1;
}

/**
 * synth_ids_upn(ids, out, la_code, year):
 * Write a new, valid UPN allocated by the LA ${la_code} in ${year} (two
 * digits) to ${out}.
 */
void
synth_ids_upn(struct synth_ids *ids, char out[static SYNTH_UPN_LEN],
    int la_code, int year)
{
    uint32_t x;

    /* Establishments 2000-7999 (maintained primary to special schools),
     * serials 000-999: six million distinct pairs per run. */
    x = permute(ids->key ^ UINT64_C(0x55504e), 6000000,
        ids->upn_next++ % 6000000);
    synth_upn_format(out, la_code, 2000 + (int)(x / 1000), year,
        (int)(x % 1000));
}

/**
 * synth_ids_pnc(ids, out, year):
 * Write a new, valid PNC id first issued in ${year} to ${out}.
 */
void
synth_ids_pnc(struct synth_ids *ids, char out[static SYNTH_PNC_LEN], int year)
{
    uint32_t x;

    /* Never 0234567, the serial of the example in import.md that the
     * demo's hand-written records use. */
    do {
        x = permute(ids->key ^ UINT64_C(0x504e43), 10000000,
            ids->pnc_next++ % 10000000);
    } while (x == 234567);
    synth_pnc_format(out, year, x);
}

/*
 * ids.h: the synthetic identifiers: NHS numbers in the 999 test range,
 * unique pupil numbers (UPN) and Police National Computer ids, each with
 * its check digit or letter computed here (not by match/), and a unique
 * allocator for each so that two different people never share one.
 */
#ifndef SYNTH_IDS_H
#define SYNTH_IDS_H

#include <stdint.h>

/* Buffer sizes, with the NUL. */
#define SYNTH_NHS_LEN 11    /* "9991234567" */
#define SYNTH_UPN_LEN 14    /* "A919200125001" */
#define SYNTH_PNC_LEN 14    /* "2011/0234567F" */

/* How many distinct NHS numbers the 999 range holds (those with a check). */
#define SYNTH_NHS_CAPACITY 1000000

/**
 * synth_nhs_check(digits):
 * Return the mod-11 check digit (0-9) for the first nine digits of
 * ${digits}, or -1 when the check would be 10 (no valid number).
 */
int synth_nhs_check(const char *digits);

/**
 * synth_upn_check(digits):
 * Return the check letter for the twelve digits ${digits} (UPN characters
 * 2 to 13): "ABCDEFGHJKLMNPQRTUVWXYZ"[sum(digit_i * i, i = 2..13) mod 23].
 */
char synth_upn_check(const char *digits);

/**
 * synth_pnc_check(year, serial):
 * Return the PNC check letter for ${year} (four digits) and ${serial}
 * (0-9999999): "ZABCDEFGHJKLMNPQRTUVWXY"[(YY * 10^7 + serial) mod 23].
 */
char synth_pnc_check(int year, uint32_t serial);

/**
 * synth_pnc_format(out, year, serial):
 * Write the PNC id "YYYY/NNNNNNNC" for ${year} and ${serial} to ${out}.
 */
void synth_pnc_format(char out[static SYNTH_PNC_LEN], int year,
    uint32_t serial);

/**
 * synth_upn_format(out, la_code, establishment, year, serial):
 * Write the UPN for LA code ${la_code} (0-999), establishment number
 * ${establishment} (0-9999), two-digit ${year} and ${serial} (0-999)
 * to ${out}, check letter first.
 */
void synth_upn_format(char out[static SYNTH_UPN_LEN], int la_code,
    int establishment, int year, int serial);

/*
 * The allocators hand out each value at most once per run, in an order
 * that looks random but depends only on the key given to _init.
 */
struct synth_ids {
    uint64_t key;
    uint32_t nhs_next;      /* next counter value to permute */
    uint32_t upn_next;
    uint32_t pnc_next;
    int nhs_exhausted;
};

/**
 * synth_ids_init(ids, key):
 * Start allocating from the permutations keyed by ${key}.
 */
void synth_ids_init(struct synth_ids *ids, uint64_t key);

/**
 * synth_ids_nhs(ids, out):
 * Write a new, valid NHS number "999NNNNNNC" to ${out}.  Returns 0, or -1
 * when the 999 range is exhausted (about 909,000 numbers); ${out} is then
 * the empty string.
 */
int synth_ids_nhs(struct synth_ids *ids, char out[static SYNTH_NHS_LEN]);

/**
 * synth_ids_upn(ids, out, la_code, year):
 * Write a new, valid UPN allocated by the LA ${la_code} in ${year} (two
 * digits) to ${out}.
 */
void synth_ids_upn(struct synth_ids *ids, char out[static SYNTH_UPN_LEN],
    int la_code, int year);

/**
 * synth_ids_pnc(ids, out, year):
 * Write a new, valid PNC id first issued in ${year} to ${out}.
 */
void synth_ids_pnc(struct synth_ids *ids, char out[static SYNTH_PNC_LEN],
    int year);

#endif /* !SYNTH_IDS_H */

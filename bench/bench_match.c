/*
 * bench_match: the matching primitives, per core, against the raw limit
 * measured in the same run.
 *
 *   bench_match
 *
 * - Dice comparisons of 1024-bit name filters with seen_bloom_dice: one
 *   query filter against each of a large array of random filters (8 MiB,
 *   beyond the L2 cache, as a scan of candidates is), the query changing
 *   every pass; and the raw limit, the same arithmetic written inline
 *   with __builtin_popcountll over the same data, no function call, built
 *   for the best popcount instructions the CPU has (as the library picks
 *   at run time).  The ratio of the two is the cost of the library's
 *   function call and dispatch.
 * - Double Metaphone, seen_norm_name and seen_tokens_make over a list of
 *   realistic names and persons.
 * Prints figures and ratios; never passes or fails.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "match/dmetaphone.h"
#include "match/normalise.h"
#include "match/tokens.h"

#define NFILTERS 65536 /* 8 MiB of filters */
#define PASSES 8
#define ROUNDS 5      /* best of */

/* Keep ${x} from being optimised away. */
static volatile double sink;

static double
dice_lib(const uint8_t *f, size_t n, size_t passes, double *sum)
{
    double t0, s = 0;
    size_t p, i;

    t0 = seen_clock_mono();
    for (p = 0; p < passes; p++) {
        const uint8_t *q = f + (p * 7919 % n) * SEEN_BLOOM_BYTES;

        for (i = 0; i < n; i++)
            s += seen_bloom_dice(q, f + i * SEEN_BLOOM_BYTES);
    }
    *sum = s;
    return (double)(n * passes) / (seen_clock_mono() - t0);
}

/*
 * The raw limit: the same Dice (from the popcounts of AND and OR, as the
 * library computes it), written inline over the same data.  Built once
 * for each popcount instruction set, as the library is, and the best the
 * CPU has is used, so that the ratio measures the library's function and
 * not the instruction set.
 */
#define RAW_LOOP                                                              \
    const uint64_t *w = (const uint64_t *)(const void *)f;                    \
    double t0, s = 0;                                                         \
    size_t p, i, k;                                                           \
                                                                              \
    t0 = seen_clock_mono();                                                   \
    for (p = 0; p < passes; p++) {                                            \
        const uint64_t *q = w + (p * 7919 % n) * (SEEN_BLOOM_BYTES / 8);      \
                                                                              \
        for (i = 0; i < n; i++) {                                             \
            const uint64_t *x = w + i * (SEEN_BLOOM_BYTES / 8);               \
            unsigned int both = 0, any = 0;                                   \
                                                                              \
            for (k = 0; k < SEEN_BLOOM_BYTES / 8; k++) {                      \
                both += (unsigned int)__builtin_popcountll(q[k] & x[k]);      \
                any += (unsigned int)__builtin_popcountll(q[k] | x[k]);       \
            }                                                                 \
            s += any == 0 ? 0.0 : 2.0 * both / (any + both);                  \
        }                                                                     \
    }                                                                         \
    *sum = s;                                                                 \
    return (double)(n * passes) / (seen_clock_mono() - t0)

static double
raw_plain(const uint8_t *f, size_t n, size_t passes, double *sum)
{
    RAW_LOOP;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RAW_DISPATCH 1
__attribute__((target("popcnt"))) static double
raw_popcnt(const uint8_t *f, size_t n, size_t passes, double *sum)
{
    RAW_LOOP;
}

__attribute__((target("avx512vpopcntdq"))) static double
raw_avx512(const uint8_t *f, size_t n, size_t passes, double *sum)
{
    RAW_LOOP;
}
#endif

static const char *raw_isa = "plain C (no popcount instruction)";

static double
dice_raw(const uint8_t *f, size_t n, size_t passes, double *sum)
{

#ifdef RAW_DISPATCH
    if (__builtin_cpu_supports("avx512vpopcntdq")) {
        raw_isa = "AVX-512 VPOPCNTDQ";
        return raw_avx512(f, n, passes, sum);
    }
    if (__builtin_cpu_supports("popcnt")) {
        raw_isa = "POPCNT";
        return raw_popcnt(f, n, passes, sum);
    }
#endif
    return raw_plain(f, n, passes, sum);
}

static const char *given[] = {"Chantelle", "Oliver", "Mohammed", "Siobhán",
    "Zoë", "Łukasz", "Jayden", "Amelia", "Oluwaseun", "Harpreet", "Wojciech",
    "Mia", "Kayleigh", "José", "Niamh", "Grace", "Muhammad", "Ava", "Leo",
    "Isabella"};
static const char *family[] = {"Ward", "Smith", "O'Brien", "van der Berg",
    "Al-Hassan", "Wójcik", "Ward-Holt", "Thistlethwaite", "Begum", "Kaur",
    "Okonkwo", "McDonald", "de la Cruz", "Nguyen", "Williams", "Jones",
    "Patel", "Brown", "Taylor", "St. John"};
#define NNAMES (sizeof given / sizeof given[0])

static double
rate_norm(size_t n)
{
    char out[SEEN_NAME_MAX];
    double t0;
    size_t i, ok = 0;

    t0 = seen_clock_mono();
    for (i = 0; i < n; i++)
        ok += seen_norm_name(
                  i & 1 ? family[i / 2 % NNAMES] : given[i / 2 % NNAMES],
                  out) == 0;
    sink = (double)ok;
    return (double)n / (seen_clock_mono() - t0);
}

static double
rate_dmetaphone(size_t n)
{
    char norm[2 * NNAMES][SEEN_NAME_MAX];
    char p[SEEN_DMETAPHONE_MAX + 1], a[SEEN_DMETAPHONE_MAX + 1];
    double t0;
    size_t i, ok = 0;

    /* Double Metaphone reads normalised names (upper-case A-Z). */
    for (i = 0; i < NNAMES; i++) {
        if (seen_norm_name(given[i], norm[2 * i]) != 0 ||
            seen_norm_name(family[i], norm[2 * i + 1]) != 0)
            return 0;
    }
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++)
        ok += seen_dmetaphone(norm[i % (2 * NNAMES)], p, a) == 0;
    sink = (double)ok;
    return (double)n / (seen_clock_mono() - t0);
}

static double
rate_tokens(const struct seen_tokenizer *tk, size_t n)
{
    uint8_t out[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    struct seen_token_input in;
    double t0;
    size_t i, total = 0;

    memset(&in, 0, sizeof in);
    in.has_dob = 1;
    in.sex = 'F';
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        in.given = given[i % NNAMES];
        in.family = family[(i / NNAMES) % NNAMES];
        in.dob = 8000 + (int32_t)(i % 9000);
        in.nhs = i % 3 == 0 ? "9434765919" : NULL;
        in.postcode = i % 2 ? "RG1 5DF" : NULL;
        in.district = i % 2 ? "RG1" : NULL;
        total += seen_tokens_make(tk, &in, out, SEEN_TOKENS_MAX);
    }
    sink = (double)total;
    return (double)n / (seen_clock_mono() - t0);
}

int
main(void)
{
    struct seen_tokenizer *tk;
    uint8_t *f, key[32];
    double lib, raw, slib, sraw, rn, rd, rt, x;
    size_t i;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_match", SEEN_LOG_WARN);
    if ((f = malloc((size_t)NFILTERS * SEEN_BLOOM_BYTES)) == NULL)
        return 1;
    /* Random filters about as full as a name's (a quarter of the bits):
     * the AND of two random bytes. */
    randombytes_buf(f, (size_t)NFILTERS * SEEN_BLOOM_BYTES);
    {
        uint8_t *g = malloc((size_t)NFILTERS * SEEN_BLOOM_BYTES);

        if (g == NULL)
            return 1;
        randombytes_buf(g, (size_t)NFILTERS * SEEN_BLOOM_BYTES);
        for (i = 0; i < (size_t)NFILTERS * SEEN_BLOOM_BYTES; i++)
            f[i] &= g[i];
        free(g);
    }

    /* Warm up, then interleave so that both see the same machine, and
     * keep the best of each (a busy machine only ever slows a run). */
    dice_lib(f, NFILTERS, 2, &slib);
    dice_raw(f, NFILTERS, 2, &sraw);
    for (i = 0, lib = raw = 0; i < ROUNDS; i++) {
        x = dice_lib(f, NFILTERS, PASSES, &slib);
        lib = x > lib ? x : lib;
        x = dice_raw(f, NFILTERS, PASSES, &sraw);
        raw = x > raw ? x : raw;
    }
    sink = slib + sraw;
    if (slib != sraw)
        fprintf(stderr, "bench_match: library and raw Dice disagree "
                        "(%.6f vs %.6f)\n",
            slib, sraw);

    randombytes_buf(key, sizeof key);
    if ((tk = seen_tokenizer_new(key, 0)) == NULL)
        return 1;
    sodium_memzero(key, sizeof key);
    for (i = 0, rn = rd = rt = 0; i < ROUNDS; i++) {
        x = rate_norm(500000);
        rn = x > rn ? x : rn;
        x = rate_dmetaphone(500000);
        rd = x > rd ? x : rd;
        x = rate_tokens(tk, 50000);
        rt = x > rt ? x : rt;
    }

    printf("match benchmark (one core, best of %d; %d filters of %d bits, "
           "%d MiB)\n",
        ROUNDS, NFILTERS, SEEN_BLOOM_BYTES * 8,
        (int)((size_t)NFILTERS * SEEN_BLOOM_BYTES >> 20));
    printf("  seen_bloom_dice      %12.0f comparisons/s   target >= "
           "150000000\n",
        lib);
    printf("  Double Metaphone     %12.0f names/s\n", rd);
    printf("  seen_norm_name       %12.0f names/s\n", rn);
    printf("  seen_tokens_make     %12.0f persons/s (%s)\n", rt,
        "name, date of birth, some NHS numbers and postcodes");
    printf("raw limits measured in this run:\n");
    printf("  inline popcount Dice %12.0f comparisons/s (%s)\n", raw,
        raw_isa);
    printf("ratios:\n");
    printf("  seen_bloom_dice : inline popcount = %.3f\n", lib / raw);

    seen_tokenizer_destroy(&tk);
    free(f);
    return 0;
}

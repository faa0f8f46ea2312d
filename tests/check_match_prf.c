/*
 * check_match_prf.c: tokens in two phases (match/tokens.h: the PRF
 * inputs of a person, then its tokens from the PRF's outputs), the OPRF
 * input of a token, the encoding of an OPRF epoch (the names' one-edit
 * neighbourhoods, no Bloom filter) and what the scorer makes of it.
 * The keyed tokens are checked byte for byte against those 1ae3924 made
 * (tests/data/tokens-1ae3924).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/oprf.h"
#include "match/score.h"
#include "match/prfbatch.h"
#include "match/tokens.h"
#include "tests/tokens_persons.h"

#include "tests/suites.h"
#include "tests/testutil.h"

#define DIGESTS SEEN_SOURCE_DIR "/tests/data/tokens-1ae3924/digests.txt"
#define SCORES SEEN_SOURCE_DIR "/tests/data/tokens-1ae3924/scores.txt"

/* The fixed key and epoch the digests were made under. */
static struct seen_tokenizer *
fixed_tokenizer(enum seen_token_mode mode)
{
    struct seen_tokenizer *tk;
    uint8_t key[32];
    unsigned int i;

    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new_mode(key, 7, mode));
    return tk;
}

/* ${n} tokens and a filter, as 1ae3924's digests.txt writes them. */
static void
digest_line(const uint8_t *t, size_t n, const uint8_t *bloom, char *out,
    size_t cap)
{
    crypto_generichash_state st;
    uint8_t d[16];
    size_t k, at;

    ck_assert_int_eq(crypto_generichash_init(&st, NULL, 0, 16), 0);
    ck_assert_int_eq(
        crypto_generichash_update(&st, t, n * SEEN_TOKEN_ITEM), 0);
    ck_assert_int_eq(
        crypto_generichash_update(&st, bloom, SEEN_BLOOM_BYTES), 0);
    ck_assert_int_eq(crypto_generichash_final(&st, d, 16), 0);
    at = (size_t)snprintf(out, cap, "%zu ", n);
    for (k = 0; k < 16 && at + 2 < cap; k++, at += 2)
        snprintf(out + at, cap - at, "%02x", d[k]);
}

START_TEST(test_keyed_tokens_are_those_1ae3924_made)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_KEYED);
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], bloom[SEEN_BLOOM_BYTES];
    char want[128], got[64];
    struct tp_person p;
    unsigned int i, full = 0;
    size_t n;
    FILE *f;

    ck_assert_ptr_nonnull(f = fopen(DIGESTS, "r"));
    for (i = 0; i < TP_PERSONS; i++) {
        ck_assert_ptr_nonnull(fgets(want, sizeof want, f));
        want[strcspn(want, "\n")] = '\0';
        tp_person(i, &p);
        n = seen_tokens_make(tk, &p.in, t, SEEN_TOKENS_MAX);
        seen_bloom_make(tk, &p.in, bloom);
        digest_line(t, n, bloom, got, sizeof got);
        if (strcmp(got, want) != 0)
            ck_abort_msg("person %u: tokens and filter %s, 1ae3924 made %s",
                i, got, want);
        full += n == SEEN_TOKENS_MAX;
    }
    ck_assert_ptr_null(fgets(want, sizeof want, f));
    fclose(f);
    /* The list reaches the limit, where the order of the rules counts. */
    ck_assert_uint_gt(full, 0);
    seen_tokenizer_destroy(&tk);
}
END_TEST

/* The tokens and filter of ${p} under ${tk} into ${t} and ${bloom}, and
 * the scorer's side of them (${band} its birth band). */
static struct seen_score_side
side_of(const struct seen_tokenizer *tk, const struct tp_person *p,
    uint8_t *t, uint8_t *bloom, unsigned int band)
{
    size_t n = seen_tokens_make(tk, &p->in, t, SEEN_TOKENS_MAX);

    seen_bloom_make(tk, &p->in, bloom);
    return (struct seen_score_side){t, n, bloom, band};
}

/* A score as 1ae3924's scores.txt writes it; its dice to *${dice}. */
static void
score_line(const struct seen_score *s, char *out, size_t cap, double *dice)
{
    crypto_generichash_state st;
    uint8_t d[8];
    size_t j, at;

    ck_assert_int_eq(crypto_generichash_init(&st, NULL, 0, 8), 0);
    for (j = 0; j < s->nwhy; j++)
        ck_assert_int_eq(crypto_generichash_update(&st,
                             (const uint8_t *)s->why[j],
                             strlen(s->why[j]) + 1),
            0);
    ck_assert_int_eq(
        crypto_generichash_update(&st, s->level, SEEN_CMP_COUNT), 0);
    ck_assert_int_eq(crypto_generichash_final(&st, d, 8), 0);
    at = (size_t)snprintf(out, cap, "%.4f %s %u ", s->weight,
        seen_band_name(s->band), s->against);
    for (j = 0; j < 8 && at + 2 < cap; j++, at += 2)
        snprintf(out + at, cap - at, "%02x", d[j]);
    *dice = s->dice;
}

START_TEST(test_keyed_scores_are_those_1ae3924_gave)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_KEYED);
    uint8_t ta[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], ba[SEEN_BLOOM_BYTES];
    uint8_t tb[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], bb[SEEN_BLOOM_BYTES];
    char line[160], w[24], band[16], hash[24], want[96], got[96];
    char wd[24], gd[24];
    struct seen_score_side sa, sb;
    struct tp_person p, q;
    struct seen_score s;
    unsigned int i, k, against, empty = 0;
    double dice;
    FILE *f;

    ck_assert_ptr_nonnull(f = fopen(SCORES, "r"));
    for (i = 0; i < TP_PERSONS; i++)
        for (k = 0; k < 3; k++) {
            ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
            ck_assert_int_eq(sscanf(line, "%23s %15s %23s %u %23s", w, band,
                                 wd, &against, hash),
                5);
            snprintf(want, sizeof want, "%s %s %u %s", w, band, against,
                hash);
            tp_person(i, &p);
            tp_other(i, k, &q);
            sa = side_of(tk, &p, ta, ba, 2 + i % 2);
            sb = side_of(tk, &q, tb, bb, 2 + (i / 2) % 2);
            seen_score_pair(&sa, &sb, &s);
            score_line(&s, got, sizeof got, &dice);
            if (strcmp(got, want) != 0)
                ck_abort_msg("pair %u/%u: %s, 1ae3924 gave %s", i, k, got,
                    want);
            /* An empty filter (no name) now reports no Dice, not 0. */
            snprintf(gd, sizeof gd, "%.4f", dice);
            if (dice == -1 && strcmp(wd, "0.0000") == 0)
                empty++;
            else
                ck_assert_msg(strcmp(gd, wd) == 0,
                    "pair %u/%u: dice %s, 1ae3924 %s", i, k, gd, wd);
        }
    ck_assert_ptr_null(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_uint_gt(empty, 0);
    seen_tokenizer_destroy(&tk);
}
END_TEST

/* The tokens of ${in} made in two phases by ${tk}, to ${out}. */
static size_t
two_phases(const struct seen_tokenizer *tk, const struct seen_token_input *in,
    uint8_t *out)
{
    struct seen_prf_input pin[SEEN_TOKENS_MAX];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    size_t n;

    n = seen_tokens_inputs(tk, in, pin, SEEN_TOKENS_MAX);
    ck_assert_int_eq(seen_tokens_keyed_prf(tk, pin, n, prf), 0);
    return seen_tokens_finish(pin, n, prf, out);
}

START_TEST(test_two_phases_make_what_seen_tokens_make_makes)
{
    enum seen_token_mode mode = (enum seen_token_mode)_i;
    struct seen_tokenizer *tk = fixed_tokenizer(mode);
    uint8_t a[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t b[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    struct tp_person p;
    unsigned int i;
    size_t na, nb;

    for (i = 0; i < TP_PERSONS; i++) {
        tp_person(i, &p);
        na = seen_tokens_make(tk, &p.in, a, SEEN_TOKENS_MAX);
        nb = two_phases(tk, &p.in, b);
        ck_assert_uint_eq(na, nb);
        ck_assert_mem_eq(a, b, na * SEEN_TOKEN_ITEM);
        /* A shorter list keeps the first inputs, as before. */
        na = seen_tokens_make(tk, &p.in, a, 5);
        ck_assert_uint_le(na, 5);
    }
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_a_batch_asks_each_distinct_input_once)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_OPRF);
    enum { PERSONS = 200 };
    struct seen_prf_input *all, *uniq;
    struct seen_prfbatch *batch;
    const uint8_t *const *ins;
    const size_t *lens;
    uint8_t(*uprf)[SEEN_PRF_OUTPUT], (*prf)[SEEN_PRF_OUTPUT];
    uint8_t a[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t b[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX], out[SEEN_PRFBATCH_OUT];
    size_t first[PERSONS + 1], n = 0, nu, i, j, na, nb, len;
    struct tp_person p;

    all = calloc(PERSONS * SEEN_TOKENS_MAX, sizeof *all);
    uniq = calloc(PERSONS * SEEN_TOKENS_MAX, sizeof *uniq);
    prf = calloc(PERSONS * SEEN_TOKENS_MAX, sizeof *prf);
    uprf = calloc(PERSONS * SEEN_TOKENS_MAX, sizeof *uprf);
    batch = seen_prfbatch_new();
    ck_assert(all && uniq && prf && uprf && batch);
    for (i = 0; i < PERSONS; i++) {
        tp_person((unsigned int)i, &p);
        first[i] = n;
        n += seen_tokens_inputs(tk, &p.in, all + n, SEEN_TOKENS_MAX);
    }
    first[PERSONS] = n;
    /* The batch a node asks the custodians for (match/prfbatch.h): each
     * distinct OPRF input once, the first input that made it kept. */
    for (i = 0; i < n; i++) {
        len = seen_token_oprf_input(1, all[i].rule, all[i].bytes, all[i].len,
            buf, sizeof buf);
        nu = seen_prfbatch_count(batch);
        ck_assert_int_eq(seen_prfbatch_add(batch, buf, len), 0);
        if (seen_prfbatch_count(batch) > nu)
            uniq[nu] = all[i];
    }
    nu = seen_prfbatch_count(batch);
    /* Names, dates and places repeat: far fewer distinct inputs. */
    ck_assert_uint_lt(nu, n * 3 / 4);
    seen_prfbatch_inputs(batch, &ins, &lens);
    for (i = 0; i < nu; i++)
        for (j = i + 1; j < nu && j < i + 50; j++)
            ck_assert(lens[i] != lens[j] ||
                memcmp(ins[i], ins[j], lens[i]) != 0);
    ck_assert_int_eq(seen_tokens_keyed_prf(tk, uniq, nu, uprf), 0);
    for (i = 0; i < nu; i++)
        ck_assert_int_eq(seen_prfbatch_set(batch, i, uprf[i]), 0);
    for (i = 0; i < n; i++) {
        len = seen_token_oprf_input(1, all[i].rule, all[i].bytes, all[i].len,
            buf, sizeof buf);
        ck_assert_int_eq(seen_prfbatch_get(batch, buf, len, out), 0);
        memcpy(prf[i], out, SEEN_PRF_OUTPUT);
    }
    for (i = 0; i < PERSONS; i++) {
        tp_person((unsigned int)i, &p);
        na = seen_tokens_make(tk, &p.in, a, SEEN_TOKENS_MAX);
        nb = seen_tokens_finish(all + first[i], first[i + 1] - first[i],
            (const uint8_t(*)[SEEN_PRF_OUTPUT])prf + first[i], b);
        ck_assert_uint_eq(na, nb);
        ck_assert_mem_eq(a, b, na * SEEN_TOKEN_ITEM);
    }
    free(all);
    free(uniq);
    free(prf);
    free(uprf);
    seen_prfbatch_destroy(&batch);
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_oprf_input_is_domain_epoch_rule_and_bytes)
{
    static const uint8_t want[] = {'s', 'e', 'e', 'n', '-', 't', 'o', 'k',
        'e', 'n', '-', 'v', '1', 0x01, 0x02, 0x03, 0x04, 32, 0x00, 0x04, 'M',
        'A', 'R', 'Y'};
    static const uint8_t bytes[] = {0x00, 0x04, 'M', 'A', 'R', 'Y'};
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX], other[SEEN_TOKEN_OPRF_INPUT_MAX];
    size_t n;

    n = seen_token_oprf_input(0x01020304, SEEN_RULE_F_GIVEN, bytes,
        sizeof bytes, buf, sizeof buf);
    ck_assert_uint_eq(n, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    /* Another epoch, another input. */
    ck_assert_uint_eq(seen_token_oprf_input(0x01020305, SEEN_RULE_F_GIVEN,
                          bytes, sizeof bytes, other, sizeof other),
        n);
    ck_assert(memcmp(buf, other, n) != 0);
    ck_assert_uint_eq(other[16], 0x05);
    /* Too little room: nothing. */
    memset(other, 0xee, sizeof other);
    ck_assert_uint_eq(seen_token_oprf_input(1, 1, bytes, sizeof bytes,
                          other, sizeof want - 1),
        0);
    ck_assert_uint_eq(other[0], 0xee);
    ck_assert_uint_eq(SEEN_TOKEN_OPRF_PREFIX, 18);
}
END_TEST

START_TEST(test_oprf_inputs_are_deterministic_and_need_no_key)
{
    struct seen_tokenizer *a, *b, *keyed = fixed_tokenizer(SEEN_TOKENS_OPRF);
    struct seen_prf_input ia[SEEN_TOKENS_MAX], ib[SEEN_TOKENS_MAX];
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], bloom[SEEN_BLOOM_BYTES];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    struct tp_person p;
    unsigned int i;
    size_t na, nb, k;

    ck_assert_ptr_nonnull(a = seen_tokenizer_new_mode(NULL, 9,
                              SEEN_TOKENS_OPRF));
    ck_assert_ptr_nonnull(b = seen_tokenizer_new_mode(NULL, 9,
                              SEEN_TOKENS_OPRF));
    ck_assert_int_eq(seen_tokenizer_mode(a), SEEN_TOKENS_OPRF);
    ck_assert_uint_eq(seen_tokenizer_epoch(a), 9);
    ck_assert_ptr_null(seen_tokenizer_new_mode(NULL, 9,
        (enum seen_token_mode)7));
    for (i = 0; i < TP_PERSONS; i++) {
        tp_person(i, &p);
        na = seen_tokens_inputs(a, &p.in, ia, SEEN_TOKENS_MAX);
        nb = seen_tokens_inputs(b, &p.in, ib, SEEN_TOKENS_MAX);
        ck_assert_uint_eq(na, nb);
        for (k = 0; k < na; k++) {
            ck_assert_uint_eq(ia[k].rule, ib[k].rule);
            ck_assert_uint_eq(ia[k].len, ib[k].len);
            ck_assert_mem_eq(ia[k].bytes, ib[k].bytes, ia[k].len);
        }
        /* A keyed tokenizer of the same encoding: the same inputs. */
        ck_assert_uint_eq(seen_tokens_inputs(keyed, &p.in, ib,
                              SEEN_TOKENS_MAX), na);
        for (k = 0; k < na; k++)
            ck_assert_mem_eq(ia[k].bytes, ib[k].bytes, ia[k].len);
        /* Without a key: no tokens, no filter. */
        ck_assert_uint_eq(seen_tokens_make(a, &p.in, t, SEEN_TOKENS_MAX), 0);
        ck_assert_uint_eq(seen_bloom_make(a, &p.in, bloom), 0);
        if (na > 0)
            ck_assert_int_eq(seen_tokens_keyed_prf(a, ia, na, prf),
                SEEN_EINVAL);
    }
    seen_tokenizer_destroy(&a);
    seen_tokenizer_destroy(&b);
    seen_tokenizer_destroy(&keyed);
}
END_TEST

/* The PRF inputs of ${given} ${family}, born 2015-03-02 when ${dob},
 * under ${mode}. */
static size_t
inputs_of(enum seen_token_mode mode, const char *given, const char *family,
    int dob, struct seen_prf_input *out)
{
    struct seen_tokenizer *tk;
    struct seen_token_input in;
    size_t n;

    memset(&in, 0, sizeof in);
    in.given = given;
    in.family = family;
    in.has_dob = dob;
    in.dob = 16496;
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new_mode(NULL, 1, mode));
    n = seen_tokens_inputs(tk, &in, out, SEEN_TOKENS_MAX);
    seen_tokenizer_destroy(&tk);
    ck_assert_uint_lt(n, SEEN_TOKENS_MAX);
    return n;
}

/* 1 when ${a} (${na}) and ${b} (${nb}) share an input of ${rule}. */
static int
share(const struct seen_prf_input *a, size_t na,
    const struct seen_prf_input *b, size_t nb, unsigned int rule)
{
    size_t i, j;

    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            if (a[i].rule == rule && b[j].rule == rule &&
                a[i].len == b[j].len &&
                memcmp(a[i].bytes, b[j].bytes, a[i].len) == 0)
                return 1;
    return 0;
}

START_TEST(test_names_one_edit_apart_share_a_neighbour)
{
    static const char *const near[][2] = {{"Mary", "Mray"},
        {"Mary", "Mery"}, {"Mary", "Marry"}, {"Jonh", "John"},
        {"Smith", "Smyth"}, {"Lily", "Lilly"}, {"Hannah", "Hanna"},
        {"Mac Donald", "MacDonald"}, {"Christopher", "Cristopher"}};
    static const char *const shortn[] = {"Mia", "Jo", "Ian", "Li"};
    static const char *const far[][2] = {{"Mary", "John"}, {"Mia", "Ava"},
        {"Smith", "Jones"}, {"Martin", "Martha"}, {"Mary", "Myra"},
        {"Oliver", "Olivia"}};
    struct seen_prf_input a[SEEN_TOKENS_MAX], b[SEEN_TOKENS_MAX];
    size_t i, na, nb;

    for (i = 0; i < sizeof near / sizeof near[0]; i++) {
        na = inputs_of(SEEN_TOKENS_OPRF, near[i][0], near[i][0], 0, a);
        nb = inputs_of(SEEN_TOKENS_OPRF, near[i][1], near[i][1], 0, b);
        if (!share(a, na, b, nb, SEEN_RULE_F_GIVEN_NEAR) ||
            !share(a, na, b, nb, SEEN_RULE_F_FAMILY_NEAR))
            ck_abort_msg("%s and %s share no neighbour", near[i][0],
                near[i][1]);
    }
    for (i = 0; i < sizeof far / sizeof far[0]; i++) {
        na = inputs_of(SEEN_TOKENS_OPRF, far[i][0], far[i][0], 0, a);
        nb = inputs_of(SEEN_TOKENS_OPRF, far[i][1], far[i][1], 0, b);
        if (share(a, na, b, nb, SEEN_RULE_F_GIVEN_NEAR) ||
            share(a, na, b, nb, SEEN_RULE_F_FAMILY_NEAR))
            ck_abort_msg("%s and %s share a neighbour", far[i][0],
                far[i][1]);
    }
    /* Names of three letters or fewer have none: their strings would be
     * few enough to enumerate. */
    for (i = 0; i < sizeof shortn / sizeof shortn[0]; i++) {
        na = inputs_of(SEEN_TOKENS_OPRF, shortn[i], shortn[i], 0, a);
        for (nb = 0; nb < na; nb++)
            ck_assert(a[nb].rule != SEEN_RULE_F_GIVEN_NEAR &&
                a[nb].rule != SEEN_RULE_F_FAMILY_NEAR);
    }
    /* A keyed epoch has no such rule. */
    na = inputs_of(SEEN_TOKENS_KEYED, "Mary", "Smith", 1, a);
    for (i = 0; i < na; i++)
        ck_assert_uint_lt(a[i].rule, SEEN_RULE_F_GIVEN_NEAR);
}
END_TEST

START_TEST(test_oprf_encoding_has_no_bloom_filter)
{
    struct seen_tokenizer *keyed = fixed_tokenizer(SEEN_TOKENS_KEYED);
    struct seen_tokenizer *oprf = fixed_tokenizer(SEEN_TOKENS_OPRF);
    uint8_t bloom[SEEN_BLOOM_BYTES], zero[SEEN_BLOOM_BYTES] = {0};
    struct seen_prf_input in[SEEN_TOKENS_MAX];
    struct tp_person p;
    unsigned int i;
    size_t n, k;

    for (i = 0; i < TP_PERSONS; i++) {
        tp_person(i, &p);
        memset(bloom, 0xff, sizeof bloom);
        ck_assert_uint_eq(seen_bloom_make(oprf, &p.in, bloom), 0);
        ck_assert_mem_eq(bloom, zero, sizeof zero);
        /* Every input is a whole value of a known rule. */
        n = seen_tokens_inputs(oprf, &p.in, in, SEEN_TOKENS_MAX);
        for (k = 0; k < n; k++)
            ck_assert_str_ne(seen_rule_name(in[k].rule), "unknown");
    }
    tp_person(0, &p);
    ck_assert_uint_gt(seen_bloom_make(keyed, &p.in, bloom), 0);
    seen_tokenizer_destroy(&keyed);
    seen_tokenizer_destroy(&oprf);
}
END_TEST

START_TEST(test_an_oprf_token_is_the_oprf_output_cut)
{
    struct seen_prf_input in[SEEN_TOKENS_MAX];
    uint8_t x[SEEN_TOKEN_OPRF_INPUT_MAX], sk[SEEN_OPRF_SCALAR], seed[32];
    uint8_t blind[SEEN_OPRF_SCALAR], bl[SEEN_OPRF_ELEMENT];
    uint8_t ev[SEEN_OPRF_ELEMENT], out[2][SEEN_OPRF_OUTPUT];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t n, xl, k, r;

    randombytes_buf(seed, sizeof seed);
    ck_assert_int_eq(seen_oprf_derive_key(SEEN_OPRF_MODE_OPRF, seed,
                         (const uint8_t *)"t", 1, sk, NULL),
        0);
    n = inputs_of(SEEN_TOKENS_OPRF, "Jane", "Doe", 1, in);
    ck_assert_uint_gt(n, 10);
    for (k = 0; k < n; k++) {
        xl = seen_token_oprf_input(3, in[k].rule, in[k].bytes, in[k].len, x,
            sizeof x);
        ck_assert_uint_eq(xl, SEEN_TOKEN_OPRF_PREFIX + in[k].len);
        /* Two blinds, one output: a token any node makes alike. */
        for (r = 0; r < 2; r++) {
            memset(blind, 0, sizeof blind);
            ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF, x, xl,
                                 blind, bl),
                0);
            ck_assert_int_eq(seen_oprf_evaluate(sk, bl, ev), 0);
            ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF, x, xl,
                                 NULL, 0, blind, ev, out[r]),
                0);
        }
        ck_assert_mem_eq(out[0], out[1], SEEN_OPRF_OUTPUT);
        memcpy(prf[k], out[0], SEEN_PRF_OUTPUT);
    }
    n = seen_tokens_finish(in, n, (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, t);
    for (k = 0; k < n; k++) {
        ck_assert_uint_gt(t[k * SEEN_TOKEN_ITEM], 0);
        for (r = 1 + SEEN_TOKEN_MATCH; r < SEEN_TOKEN_ITEM; r++)
            ck_assert_uint_eq(t[k * SEEN_TOKEN_ITEM + r], 0);
        if (k > 0)
            ck_assert_int_lt(memcmp(t + (k - 1) * SEEN_TOKEN_ITEM,
                                 t + k * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM),
                0);
    }
}
END_TEST

/* ---- the scorer with the OPRF epoch's name evidence ---- */

struct side {
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t bloom[SEEN_BLOOM_BYTES];
    struct seen_score_side s;
};

/* ${given} ${family}, born 2015-03-02, postcode RG1 5DF, under ${tk};
 * ${near} 0 strips the names' neighbourhoods, as a side without them. */
static void
side_make(const struct seen_tokenizer *tk, const char *given,
    const char *family, int near, struct side *o)
{
    struct seen_token_input in;
    size_t n, i, k;

    memset(&in, 0, sizeof in);
    in.given = given;
    in.family = family;
    in.has_dob = 1;
    in.dob = 16496;
    in.sex = 'F';
    in.postcode = "RG1 5DF";
    in.district = "RG1";
    n = seen_tokens_make(tk, &in, o->t, SEEN_TOKENS_MAX);
    ck_assert_uint_gt(n, 10);
    ck_assert_uint_lt(n, SEEN_TOKENS_MAX);
    for (i = 0, k = 0; i < n; i++) {
        unsigned int r = o->t[i * SEEN_TOKEN_ITEM];

        if (!near && (r == SEEN_RULE_F_GIVEN_NEAR ||
                         r == SEEN_RULE_F_FAMILY_NEAR))
            continue;
        memmove(o->t + k++ * SEEN_TOKEN_ITEM, o->t + i * SEEN_TOKEN_ITEM,
            SEEN_TOKEN_ITEM);
    }
    ck_assert_uint_eq(seen_bloom_make(tk, &in, o->bloom) > 0,
        seen_tokenizer_mode(tk) == SEEN_TOKENS_KEYED);
    o->s = (struct seen_score_side){o->t, k,
        seen_tokenizer_mode(tk) == SEEN_TOKENS_KEYED ? o->bloom : NULL, 2};
}

START_TEST(test_score_names_one_letter_apart_in_an_oprf_epoch)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_OPRF);
    struct seen_tokenizer *kt = fixed_tokenizer(SEEN_TOKENS_KEYED);
    static struct side a, b, c, ka, kb;
    struct seen_score both, one, none, keyed;

    /* Evidence on both sides: the given names one letter apart. */
    side_make(tk, "Zainab", "Okafor", 1, &a);
    side_make(tk, "Zaimab", "Okafor", 1, &b);
    seen_score_pair(&a.s, &b.s, &both);
    ck_assert(tu_says(&both, "given names differ by one letter"));
    ck_assert(tu_says(&both, "names one letter apart"));
    ck_assert(both.dice == -1);
    ck_assert_int_eq(both.band, SEEN_BAND_MATCH);
    /* As a keyed epoch's filters find it (the Dice aside). */
    side_make(kt, "Zainab", "Okafor", 1, &ka);
    side_make(kt, "Zaimab", "Okafor", 1, &kb);
    seen_score_pair(&ka.s, &kb.s, &keyed);
    ck_assert(tu_says(&keyed, "given names differ by one letter"));
    ck_assert_int_eq(keyed.band, both.band);
    /* On one side only (a name too long for a neighbourhood, or a side
     * of an older rule set): no such evidence, as with none at all. */
    side_make(tk, "Zaimab", "Okafor", 0, &c);
    seen_score_pair(&a.s, &c.s, &one);
    ck_assert(tu_says(&one, "given names differ"));
    ck_assert(!tu_says(&one, "names one letter apart"));
    side_make(tk, "Zainab", "Okafor", 0, &a);
    seen_score_pair(&a.s, &c.s, &none);
    ck_assert(one.weight == none.weight);
    ck_assert(both.weight > one.weight + 5);
    ck_assert_int_lt(none.band, both.band);
    seen_tokenizer_destroy(&tk);
    seen_tokenizer_destroy(&kt);
}
END_TEST

START_TEST(test_score_unrelated_names_get_no_near_evidence)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_OPRF);
    static struct side a, b;
    struct seen_score s, z;

    side_make(tk, "Zainab", "Okafor", 1, &a);
    side_make(tk, "Yusra", "Okafor", 1, &b);
    seen_score_pair(&a.s, &b.s, &s);
    ck_assert(tu_says(&s, "given names differ"));
    ck_assert(!tu_says(&s, "names one letter apart"));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
    /* An OPRF entry that carries an empty filter by mistake: the filter
     * counts as none, not as two names with the same bigrams. */
    memset(a.bloom, 0, sizeof a.bloom);
    memset(b.bloom, 0, sizeof b.bloom);
    a.s.bloom = a.bloom;
    b.s.bloom = b.bloom;
    seen_score_pair(&a.s, &b.s, &z);
    ck_assert(z.weight == s.weight);
    ck_assert(z.dice == -1);
    ck_assert(!tu_says(&z, "given and family names swapped"));
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_score_mixed_epochs_never_meet)
{
    struct seen_tokenizer *tk = fixed_tokenizer(SEEN_TOKENS_OPRF);
    struct seen_tokenizer *kt;
    static struct side a, b;
    struct seen_score s;
    uint8_t key[32];

    /* Another epoch's key (an OPRF epoch's tokens come from another
     * key too): no token is equal, so nothing agrees, and neither the
     * filter (one side) nor the neighbourhoods (one side) count. */
    randombytes_buf(key, sizeof key);
    ck_assert_ptr_nonnull(kt = seen_tokenizer_new(key, 6));
    side_make(tk, "Zainab", "Okafor", 1, &a);
    side_make(kt, "Zainab", "Okafor", 1, &b);
    seen_score_pair(&a.s, &b.s, &s);
    ck_assert_int_eq(s.band, SEEN_BAND_NO);
    ck_assert(s.dice == -1);
    ck_assert(!tu_says(&s, "names one letter apart"));
    ck_assert(!tu_says(&s, "date of birth agrees"));
    seen_tokenizer_destroy(&tk);
    seen_tokenizer_destroy(&kt);
}
END_TEST

Suite *
match_prf_suite(void)
{
    Suite *s = suite_create("match_prf");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_keyed_tokens_are_those_1ae3924_made);
    tcase_add_test(tc, test_keyed_scores_are_those_1ae3924_gave);
    tcase_add_loop_test(tc, test_two_phases_make_what_seen_tokens_make_makes,
        SEEN_TOKENS_KEYED, SEEN_TOKENS_OPRF + 1);
    tcase_add_test(tc, test_a_batch_asks_each_distinct_input_once);
    tcase_add_test(tc, test_oprf_input_is_domain_epoch_rule_and_bytes);
    tcase_add_test(tc, test_oprf_inputs_are_deterministic_and_need_no_key);
    tcase_add_test(tc, test_names_one_edit_apart_share_a_neighbour);
    tcase_add_test(tc, test_oprf_encoding_has_no_bloom_filter);
    tcase_add_test(tc, test_an_oprf_token_is_the_oprf_output_cut);
    tcase_add_test(tc, test_score_names_one_letter_apart_in_an_oprf_epoch);
    tcase_add_test(tc, test_score_unrelated_names_get_no_near_evidence);
    tcase_add_test(tc, test_score_mixed_epochs_never_meet);
    suite_add_tcase(s, tc);
    return s;
}

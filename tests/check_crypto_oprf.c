/*
 * check_crypto_oprf.c: RFC 9497's OPRF, VOPRF and POPRF over
 * ristretto255-SHA512 (crypto/oprf.[ch]) against every vector of its
 * Appendix A.1 (tests/data/oprf/ristretto255-sha512.json, from
 * ../shared/testdata/oprf: see its README.md), and the key shared among
 * custodians, t of n.
 */
#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/oprf.h"

#include "tests/suites.h"

#define VECTORS SEEN_SOURCE_DIR "/tests/data/oprf/ristretto255-sha512.json"
#define MAXB 2   /* the largest batch of a vector */
#define MAXIN 64 /* the longest input or info of a vector */

/* Hex field ${k} of ${v}, the ${i}-th of a comma-separated list, to
 * ${out} (${cap} bytes); returns its length. */
static size_t
hexf(json_t *v, const char *k, size_t i, uint8_t *out, size_t cap)
{
    const char *s = json_string_value(json_object_get(v, k)), *e;
    size_t len;

    ck_assert_msg(s != NULL, "no %s", k);
    for (; i > 0; i--) {
        ck_assert_ptr_nonnull(s = strchr(s, ','));
        s++;
    }
    e = strchr(s, ',');
    ck_assert_int_eq(sodium_hex2bin(out, cap, s, e ? (size_t)(e - s) : strlen(s),
                         NULL, &len, NULL),
        0);
    return len;
}

/* One vector of ${batch} inputs: derive, blind, evaluate, prove, verify
 * and finalize, each against the vector's bytes. */
static void
check_vector(json_t *v)
{
    enum seen_oprf_mode mode =
        (enum seen_oprf_mode)json_integer_value(json_object_get(v, "mode"));
    size_t batch = (size_t)json_integer_value(json_object_get(v, "batchSize"));
    uint8_t seed[32], ki[32], sk[32], pk[32], want[64], t[32], tk[32], r[32];
    uint8_t in[MAXB][MAXIN], info[MAXIN], blind[MAXB][32], out[64], pr[64];
    uint8_t inv[MAXB][32];
    uint8_t be[MAXB][32], ee[MAXB][32];
    size_t kl, il[MAXB], infol = 0, i;
    const char *name = json_string_value(json_object_get(v, "name"));

    ck_assert_uint_le(batch, MAXB);
    hexf(v, "seed", 0, seed, sizeof seed);
    kl = hexf(v, "keyInfo", 0, ki, sizeof ki);
    ck_assert_int_eq(seen_oprf_derive_key(mode, seed, ki, kl, sk, pk), 0);
    hexf(v, "skSm", 0, want, 32);
    ck_assert_msg(memcmp(sk, want, 32) == 0, "%s: skSm", name);
    if (mode != SEEN_OPRF_MODE_OPRF) {
        hexf(v, "pkSm", 0, want, 32);
        ck_assert_msg(memcmp(pk, want, 32) == 0, "%s: pkSm", name);
    }
    if (mode == SEEN_OPRF_MODE_POPRF)
        infol = hexf(v, "info", 0, info, sizeof info);
    for (i = 0; i < batch; i++) {
        il[i] = hexf(v, "input", i, in[i], MAXIN);
        hexf(v, "blind", i, blind[i], 32);
        ck_assert_int_eq(
            seen_oprf_blind(mode, in[i], il[i], blind[i], be[i]), 0);
        hexf(v, "blindedElement", i, want, 32);
        ck_assert_msg(memcmp(be[i], want, 32) == 0, "%s: blinded %zu", name,
            i);
        if (mode == SEEN_OPRF_MODE_POPRF)
            ck_assert_int_eq(seen_oprf_poprf_evaluate(
                                 sk, info, infol, be[i], ee[i], t),
                0);
        else
            ck_assert_int_eq(seen_oprf_evaluate(sk, be[i], ee[i]), 0);
        hexf(v, "evaluationElement", i, want, 32);
        ck_assert_msg(memcmp(ee[i], want, 32) == 0, "%s: evaluated %zu", name,
            i);
        ck_assert_int_eq(seen_oprf_finalize(mode, in[i], il[i], info, infol,
                             blind[i], ee[i], out),
            0);
        hexf(v, "output", i, want, 64);
        ck_assert_msg(memcmp(out, want, 64) == 0, "%s: output %zu", name, i);
    }
    /* The same outputs from the blinds inverted together (the client's
     * way: seen_oprf_invert_batch, seen_oprf_finalize_inv). */
    memcpy(inv, blind, sizeof inv);
    ck_assert_int_eq(seen_oprf_invert_batch(inv, batch), 0);
    for (i = 0; i < batch; i++) {
        ck_assert_int_eq(seen_oprf_finalize_inv(mode, in[i], il[i], info,
                             infol, inv[i], ee[i], out),
            0);
        hexf(v, "output", i, want, 64);
        ck_assert_msg(memcmp(out, want, 64) == 0, "%s: output %zu, inverse",
            name, i);
    }
    if (mode == SEEN_OPRF_MODE_OPRF)
        return;
    hexf(v, "proofRandomScalar", 0, r, 32);
    hexf(v, "proof", 0, want, 64);
    if (mode == SEEN_OPRF_MODE_VOPRF) {
        ck_assert_int_eq(seen_oprf_prove(mode, sk, pk,
                             (const uint8_t (*)[32])be,
                             (const uint8_t (*)[32])ee, batch, r, pr),
            0);
        ck_assert_msg(memcmp(pr, want, 64) == 0, "%s: proof", name);
        ck_assert_int_eq(seen_oprf_verify(mode, pk, (const uint8_t (*)[32])be,
                             (const uint8_t (*)[32])ee, batch, pr),
            0);
        /* A proof of other elements does not hold. */
        ck_assert_int_eq(seen_oprf_verify(mode, pk, (const uint8_t (*)[32])ee,
                             (const uint8_t (*)[32])be, batch, pr),
            SEEN_EAUTH);
        return;
    }
    crypto_scalarmult_ristretto255_base(tk, t);
    ck_assert_int_eq(seen_oprf_prove(mode, t, tk, (const uint8_t (*)[32])ee,
                         (const uint8_t (*)[32])be, batch, r, pr),
        0);
    ck_assert_msg(memcmp(pr, want, 64) == 0, "%s: proof", name);
    /* The client checks it against the tweaked key it makes itself. */
    ck_assert_int_eq(seen_oprf_tweaked_key(pk, info, infol, out), 0);
    ck_assert_mem_eq(out, tk, 32);
    ck_assert_int_eq(seen_oprf_verify(mode, out, (const uint8_t (*)[32])ee,
                         (const uint8_t (*)[32])be, batch, pr),
        0);
    pr[40] ^= 1;
    ck_assert_int_eq(seen_oprf_verify(mode, out, (const uint8_t (*)[32])ee,
                         (const uint8_t (*)[32])be, batch, pr),
        SEEN_EAUTH);
}

/* Scalars inverted together are each one's inverse; a zero among them
 * fails the batch and changes none; a zero inverse finalizes nothing. */
START_TEST(test_blinds_inverted_together_are_their_inverses)
{
    static uint8_t s[300][32], inv[300][32];
    uint8_t one[32] = {1}, p[32], ev[32], out[64];
    size_t i, n;

    for (i = 0; i < 300; i++)
        crypto_core_ristretto255_scalar_random(s[i]);
    for (n = 1; n <= 300; n += 299) {
        memcpy(inv, s, n * 32);
        ck_assert_int_eq(seen_oprf_invert_batch(inv, n), 0);
        for (i = 0; i < n; i++) {
            crypto_core_ristretto255_scalar_mul(p, s[i], inv[i]);
            ck_assert_mem_eq(p, one, 32);
        }
    }
    ck_assert_int_eq(seen_oprf_invert_batch(inv, 0), 0);
    memcpy(inv, s, sizeof inv);
    memset(inv[150], 0, 32);
    ck_assert_int_eq(seen_oprf_invert_batch(inv, 300), SEEN_EINVAL);
    ck_assert_mem_eq(inv[0], s[0], 32);
    ck_assert_mem_eq(inv[299], s[299], 32);
    crypto_core_ristretto255_random(ev);
    memset(p, 0, sizeof p);
    ck_assert_int_eq(seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, NULL, 0, p, ev, out),
        SEEN_EINVAL);
}
END_TEST

START_TEST(test_every_rfc9497_vector_is_reproduced)
{
    json_error_t err;
    json_t *all, *v;
    size_t i, n[3] = {0, 0, 0};

    ck_assert_msg((all = json_load_file(VECTORS, 0, &err)) != NULL, "%s: %s",
        VECTORS, err.text);
    json_array_foreach(all, i, v)
    {
        check_vector(v);
        n[json_integer_value(json_object_get(v, "mode"))]++;
    }
    /* A.1.1, A.1.2, A.1.3: two, three and three vectors. */
    ck_assert_uint_eq(n[0], 2);
    ck_assert_uint_eq(n[1], 3);
    ck_assert_uint_eq(n[2], 3);
    json_decref(all);
}
END_TEST

/* Any t of n custodians, each evaluating with its share, give the
 * evaluation of the whole key; t - 1 of them do not.  The client's
 * output is the same as with the whole key. */
START_TEST(test_t_of_n_custodians_evaluate_as_the_whole_key)
{
    static const unsigned int t = 3, n = 5;
    static const unsigned int sets[][3] = {{1, 2, 3}, {5, 1, 4}, {2, 4, 5}};
    uint8_t sk[32], shares[5][32], blind[32] = {0}, be[32], whole[32];
    uint8_t part[3][32], got[32], out1[64], out2[64], seed[32] = {7};
    unsigned int ids[3];
    size_t s, j;

    ck_assert_int_eq(seen_oprf_derive_key(SEEN_OPRF_MODE_OPRF, seed,
                         (const uint8_t *)"k", 1, sk, NULL),
        0);
    ck_assert_int_eq(seen_oprf_split(sk, t, n, shares), 0);
    ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"Jane Doe 2015-03-02", 19, blind, be),
        0);
    ck_assert_int_eq(seen_oprf_evaluate(sk, be, whole), 0);
    for (s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        for (j = 0; j < t; j++) {
            ids[j] = sets[s][j];
            ck_assert_int_eq(
                seen_oprf_evaluate(shares[ids[j] - 1], be, part[j]), 0);
        }
        ck_assert_int_eq(
            seen_oprf_combine(ids, (const uint8_t (*)[32])part, t, got), 0);
        ck_assert_mem_eq(got, whole, 32);
        /* Two of them alone make something else. */
        ck_assert_int_eq(
            seen_oprf_combine(ids, (const uint8_t (*)[32])part, t - 1, got),
            0);
        ck_assert_mem_ne(got, whole, 32);
    }
    ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"Jane Doe 2015-03-02", 19, NULL, 0,
                         blind, whole, out1),
        0);
    ck_assert_int_eq(
        seen_oprf_combine(ids, (const uint8_t (*)[32])part, t, got), 0);
    ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"Jane Doe 2015-03-02", 19, NULL, 0,
                         blind, got, out2),
        0);
    ck_assert_mem_eq(out1, out2, 64);
    /* Bad arguments are refused. */
    ck_assert_int_eq(seen_oprf_split(sk, 0, n, shares), SEEN_EINVAL);
    ck_assert_int_eq(seen_oprf_split(sk, 6, n, shares), SEEN_EINVAL);
    ids[1] = ids[0];
    ck_assert_int_eq(
        seen_oprf_combine(ids, (const uint8_t (*)[32])part, t, got),
        SEEN_EINVAL);
}
END_TEST

/* A blinded element that is no element, or the identity, is refused by
 * the server; a random blind is drawn when none is given. */
START_TEST(test_bad_elements_are_refused_and_blinds_are_random)
{
    uint8_t sk[32], bad[32], out[32], b1[32] = {0}, b2[32] = {0}, e1[32],
                                      e2[32], fin[64];

    crypto_core_ristretto255_scalar_random(sk);
    memset(bad, 0xff, sizeof bad);
    ck_assert_int_eq(seen_oprf_evaluate(sk, bad, out), SEEN_EINVAL);
    memset(bad, 0, sizeof bad);
    ck_assert_int_eq(seen_oprf_evaluate(sk, bad, out), SEEN_EINVAL);
    ck_assert_int_eq(seen_oprf_poprf_evaluate(sk, NULL, 0, bad, out, NULL),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, b1, e1),
        0);
    ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, b2, e2),
        0);
    ck_assert_mem_ne(b1, b2, 32);
    ck_assert_mem_ne(e1, e2, 32);
    /* Nor does the client finalize one, by its blind or its inverse. */
    memset(bad, 0, sizeof bad);
    ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, NULL, 0, b1, bad, fin),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, NULL, 0, b1, bad, fin),
        SEEN_EINVAL);
    memset(bad, 0xff, sizeof bad);
    ck_assert_int_eq(seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, NULL, 0, b1, bad, fin),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)"x", 1, NULL, 0, b1, e1, fin),
        0);
}
END_TEST

/* Each custodian of a subset weights its share by its Lagrange
 * coefficient (one scalar a request), so that the client only adds the t
 * answers: the sum is seen_oprf_combine's and the whole key's, for several
 * subsets (3 of 5, 2 of 5, all 5), and the output is the unsplit key's. */
START_TEST(test_weighted_evaluations_add_up_to_the_unsplit_key)
{
    static const unsigned int sets[][5] = {
        {1, 2, 3}, {5, 1, 4}, {2, 4, 5}, {3, 1}, {1, 2, 3, 4, 5}};
    static const size_t sizes[] = {3, 3, 3, 2, 5};
    static const unsigned int thr[] = {3, 3, 3, 2, 5};
    uint8_t sk[32], shares[5][32], blind[32] = {0}, be[32], whole[32];
    uint8_t part[5][32], w[32], sum[32], comb[32], out1[64], out2[64];
    const uint8_t *in = (const uint8_t *)"Jane Doe 2015-03-02";
    size_t s, j;

    crypto_core_ristretto255_scalar_random(sk);
    ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF, in, 19, blind, be),
        0);
    ck_assert_int_eq(seen_oprf_evaluate(sk, be, whole), 0);
    ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF, in, 19, NULL, 0,
                         blind, whole, out1),
        0);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        ck_assert_int_eq(seen_oprf_split(sk, thr[s], 5, shares), 0);
        for (j = 0; j < sizes[s]; j++) {
            ck_assert_int_eq(seen_oprf_weighted_share(
                                 shares[sets[s][j] - 1], sets[s], sizes[s],
                                 j, w),
                0);
            ck_assert_int_eq(seen_oprf_evaluate(w, be, part[j]), 0);
            if (j == 0)
                memcpy(sum, part[0], 32);
            else
                ck_assert_int_eq(seen_oprf_add(sum, part[j], sum), 0);
            /* What seen_oprf_combine is given: unweighted evaluations. */
            ck_assert_int_eq(
                seen_oprf_evaluate(shares[sets[s][j] - 1], be, part[j]), 0);
        }
        ck_assert_mem_eq(sum, whole, 32);
        ck_assert_int_eq(seen_oprf_combine(sets[s],
                             (const uint8_t (*)[32])part, sizes[s], comb),
            0);
        ck_assert_mem_eq(comb, sum, 32);
        ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF, in, 19, NULL,
                             0, blind, sum, out2),
            0);
        ck_assert_mem_eq(out1, out2, 64);
    }
    /* A subset short of the threshold adds up to something else. */
    ck_assert_int_eq(seen_oprf_split(sk, 3, 5, shares), 0);
    for (j = 0; j < 2; j++) {
        ck_assert_int_eq(
            seen_oprf_weighted_share(shares[j], sets[3], 2, j, w), 0);
        ck_assert_int_eq(seen_oprf_evaluate(w, be, part[j]), 0);
    }
    ck_assert_int_eq(seen_oprf_add(part[0], part[1], sum), 0);
    ck_assert_mem_ne(sum, whole, 32);
    /* Bad subsets and elements are refused. */
    ck_assert_int_eq(
        seen_oprf_weighted_share(shares[0], sets[3], 2, 2, w), SEEN_EINVAL);
    {
        const unsigned int dup[2] = {2, 2}, zero[2] = {0, 1};

        ck_assert_int_eq(
            seen_oprf_weighted_share(shares[0], dup, 2, 0, w), SEEN_EINVAL);
        ck_assert_int_eq(
            seen_oprf_weighted_share(shares[0], zero, 2, 1, w), SEEN_EINVAL);
    }
    memset(w, 0xff, sizeof w);
    ck_assert_int_eq(seen_oprf_add(sum, w, sum), SEEN_EINVAL);
}
END_TEST

Suite *
crypto_oprf_suite(void)
{
    Suite *s = suite_create("crypto_oprf");
    TCase *tc = tcase_create("oprf");

    tcase_add_test(tc, test_every_rfc9497_vector_is_reproduced);
    tcase_add_test(tc, test_blinds_inverted_together_are_their_inverses);
    tcase_add_test(tc, test_t_of_n_custodians_evaluate_as_the_whole_key);
    tcase_add_test(tc, test_weighted_evaluations_add_up_to_the_unsplit_key);
    tcase_add_test(tc, test_bad_elements_are_refused_and_blinds_are_random);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * check_match_em.c: m and u probabilities learnt without labels
 * (match/em.[ch]).  Pairs are drawn from a model whose lambda, m and u are
 * known (a fixed seed), and the fit must find them again from a rough
 * first guess, without ever seeing which pairs are one person.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/em.h"
#include "match/score.h"

#include "tests/suites.h"

#define NPAIRS 40000

/* The model the pairs are drawn from: three comparisons. */
static const double LAMBDA = 0.3;
static const double M_NHS[3] = {0, 0.97, 0.03}, U_NHS[3] = {0, 0.001, 0.999};
static const double M_DOB[8] = {0, 0.90, 0.02, 0.03, 0.01, 0.01, 0.01, 0.02};
static const double U_DOB[8] = {0, 0.02, 0.001, 0.01, 0.002, 0.01, 0.15,
    0.807};
static const double M_GIV[8] = {0, 0.70, 0.10, 0.02, 0.05, 0.03, 0.05, 0.05};
static const double U_GIV[8] = {0, 0.30, 0.20, 0.05, 0.01, 0.10, 0.01, 0.33};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* A uniform draw in [0, 1) (xorshift64*: the same every run). */
static double
draw(void)
{

    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* A level drawn from ${p} (levels 1..n-1). */
static uint8_t
level(const double *p, unsigned int n)
{
    double x = draw(), c = 0;
    unsigned int l;

    for (l = 1; l < n; l++)
        if (x < (c += p[l]))
            return (uint8_t)l;
    return (uint8_t)(n - 1);
}

static uint8_t (*lv)[SEEN_CMP_COUNT];
static uint8_t *truth;
static double *first;

/* Draw the pairs: half have no NHS number on one side (not compared). */
static void
setup(void)
{
    size_t i;
    int one;

    rng = 0x9e3779b97f4a7c15ULL;
    ck_assert_ptr_nonnull(lv = calloc(NPAIRS, sizeof *lv));
    ck_assert_ptr_nonnull(truth = calloc(NPAIRS, 1));
    ck_assert_ptr_nonnull(first = calloc(NPAIRS, sizeof *first));
    for (i = 0; i < NPAIRS; i++) {
        one = draw() < LAMBDA;
        truth[i] = (uint8_t)one;
        if (draw() < 0.5)
            lv[i][SEEN_CMP_NHS] = level(one ? M_NHS : U_NHS, 3);
        lv[i][SEEN_CMP_DOB] = level(one ? M_DOB : U_DOB, 8);
        lv[i][SEEN_CMP_GIVEN] = level(one ? M_GIV : U_GIV, 8);
        /* A rough first guess, wrong for many pairs. */
        first[i] = lv[i][SEEN_CMP_DOB] == 1 ? 0.8 : 0.2;
    }
}

static void
teardown(void)
{

    free(lv);
    free(truth);
    free(first);
}

/* |${got} - ${want}| is within ${tol}. */
#define NEAR(got, want, tol)                                                   \
    ck_assert_msg(fabs((got) - (want)) <= (tol), "%s: %.4f, want %.4f", #got, \
        (got), (want))

START_TEST(test_em_finds_the_model_again_without_labels)
{
    struct seen_em em;
    double *post;
    size_t i, right = 0;
    unsigned int l;

    ck_assert_ptr_nonnull(post = malloc(NPAIRS * sizeof *post));
    ck_assert_int_eq(seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                         first, NPAIRS, &em, post),
        0);
    ck_assert_int_eq(em.converged, 1);
    NEAR(em.lambda, LAMBDA, 0.01);
    for (l = 1; l < 3; l++) {
        NEAR(em.m[SEEN_CMP_NHS][l], M_NHS[l], 0.01);
        NEAR(em.u[SEEN_CMP_NHS][l], U_NHS[l], 0.01);
    }
    for (l = 1; l < 8; l++) {
        NEAR(em.m[SEEN_CMP_DOB][l], M_DOB[l], 0.015);
        NEAR(em.u[SEEN_CMP_DOB][l], U_DOB[l], 0.015);
        NEAR(em.m[SEEN_CMP_GIVEN][l], M_GIV[l], 0.02);
        NEAR(em.u[SEEN_CMP_GIVEN][l], U_GIV[l], 0.02);
    }
    /* Levels never drawn are counted as none, and weigh nothing. */
    ck_assert_uint_eq(em.count[SEEN_CMP_PLACE][1], 0);
    ck_assert(seen_em_weight(&em, SEEN_CMP_PLACE, 0) == 0);
    ck_assert(seen_em_weight(&em, SEEN_CMP_NHS, 1) > 8);
    ck_assert(seen_em_weight(&em, SEEN_CMP_NHS, 2) < -4);
    /* The pairs it finds most likely one person mostly are. */
    for (i = 0; i < NPAIRS; i++)
        right += (post[i] >= 0.5) == truth[i];
    ck_assert_uint_gt(right, NPAIRS * 95 / 100);
    free(post);
}
END_TEST

START_TEST(test_em_is_the_same_every_time_and_m_among_a_subset)
{
    struct seen_em a, b;
    double m[SEEN_CMP_COUNT][SEEN_LEVELS_MAX], *post;
    size_t count[SEEN_CMP_COUNT][SEEN_LEVELS_MAX];
    uint8_t *keep;
    size_t i;

    ck_assert_ptr_nonnull(post = malloc(NPAIRS * sizeof *post));
    ck_assert_ptr_nonnull(keep = malloc(NPAIRS));
    ck_assert_int_eq(seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                         first, NPAIRS, &a, NULL),
        0);
    ck_assert_int_eq(seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                         first, NPAIRS, &b, post),
        0);
    ck_assert_mem_eq(&a, &b, sizeof a);
    /* The pairs with an NHS number compared: m of its levels among them
     * as the whole fit's. */
    for (i = 0; i < NPAIRS; i++)
        keep[i] = lv[i][SEEN_CMP_NHS] != 0;
    ck_assert_uint_eq(seen_em_m_among((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                          post, keep, NPAIRS, m, count),
        a.count[SEEN_CMP_NHS][1] + a.count[SEEN_CMP_NHS][2]);
    ck_assert_uint_eq(count[SEEN_CMP_NHS][0], 0);
    NEAR(m[SEEN_CMP_NHS][1], a.m[SEEN_CMP_NHS][1], 0.001);
    free(post);
    free(keep);
}
END_TEST

START_TEST(test_em_refuses_no_pairs_and_a_level_out_of_range)
{
    struct seen_em em;

    ck_assert_int_eq(seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                         first, 0, &em, NULL),
        SEEN_EINVAL);
    lv[7][SEEN_CMP_SEX] = (uint8_t)seen_score_levels(SEEN_CMP_SEX);
    ck_assert_int_eq(seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])lv,
                         first, NPAIRS, &em, NULL),
        SEEN_EINVAL);
}
END_TEST

Suite *
match_em_suite(void)
{
    Suite *s = suite_create("match_em");
    TCase *tc = tcase_create("em");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_em_finds_the_model_again_without_labels);
    tcase_add_test(tc, test_em_is_the_same_every_time_and_m_among_a_subset);
    tcase_add_test(tc, test_em_refuses_no_pairs_and_a_level_out_of_range);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * check_match_prfbatch.c: a batch keeps each distinct PRF input once, in
 * the order first added, and gives back the output set for it.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "match/prfbatch.h"

#include "tests/suites.h"

/* The output a test records for input i: its bytes repeated. */
static void
out_of(const uint8_t *in, size_t len, uint8_t out[SEEN_PRFBATCH_OUT])
{
    size_t i;

    for (i = 0; i < SEEN_PRFBATCH_OUT; i++)
        out[i] = (uint8_t)(in[i % len] ^ (uint8_t)len);
}

START_TEST(test_prfbatch_keeps_distinct_inputs_in_order)
{
    struct seen_prfbatch *b = seen_prfbatch_new();
    const uint8_t *const *ins;
    const size_t *lens;

    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"alpha", 5), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"beta", 4), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"alpha", 5), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"alph", 4), 0);
    ck_assert_uint_eq(seen_prfbatch_count(b), 3);
    seen_prfbatch_inputs(b, &ins, &lens);
    ck_assert_uint_eq(lens[0], 5);
    ck_assert_int_eq(memcmp(ins[0], "alpha", 5), 0);
    ck_assert_uint_eq(lens[1], 4);
    ck_assert_int_eq(memcmp(ins[1], "beta", 4), 0);
    ck_assert_int_eq(memcmp(ins[2], "alph", 4), 0);
    seen_prfbatch_destroy(&b);
    ck_assert_ptr_null(b);
    seen_prfbatch_destroy(&b);
}
END_TEST

START_TEST(test_prfbatch_outputs_follow_their_inputs)
{
    struct seen_prfbatch *b = seen_prfbatch_new();
    const uint8_t *const *ins;
    const size_t *lens;
    uint8_t in[64], out[SEEN_PRFBATCH_OUT], want[SEEN_PRFBATCH_OUT];
    size_t i, n = 50000;

    /* Enough inputs to grow the arrays, the table and the blocks many
     * times; each added twice. */
    for (i = 0; i < 2 * n; i++) {
        int len = snprintf((char *)in, sizeof in, "input %zu", i % n);

        ck_assert_int_eq(seen_prfbatch_add(b, in, (size_t)len), 0);
    }
    ck_assert_uint_eq(seen_prfbatch_count(b), n);
    /* Before the outputs are set, nothing is found. */
    ck_assert_int_eq(seen_prfbatch_get(b, (const uint8_t *)"input 7", 7, out),
        SEEN_ENOTFOUND);
    seen_prfbatch_inputs(b, &ins, &lens);
    for (i = 0; i < n; i++) {
        out_of(ins[i], lens[i], want);
        ck_assert_int_eq(seen_prfbatch_set(b, i, want), 0);
    }
    ck_assert_int_eq(seen_prfbatch_set(b, n, want), SEEN_EINVAL);
    for (i = 0; i < n; i += 997) {
        int len = snprintf((char *)in, sizeof in, "input %zu", i);

        ck_assert_int_eq(seen_prfbatch_get(b, in, (size_t)len, out), 0);
        out_of(in, (size_t)len, want);
        ck_assert_int_eq(memcmp(out, want, sizeof out), 0);
    }
    ck_assert_int_eq(seen_prfbatch_get(b, (const uint8_t *)"input x", 7, out),
        SEEN_ENOTFOUND);
    /* A cleared batch holds nothing, and is used again. */
    seen_prfbatch_clear(b);
    ck_assert_uint_eq(seen_prfbatch_count(b), 0);
    ck_assert_int_eq(seen_prfbatch_get(b, (const uint8_t *)"input 0", 7, out),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"input 0", 7), 0);
    ck_assert_uint_eq(seen_prfbatch_count(b), 1);
    seen_prfbatch_destroy(&b);
}
END_TEST

START_TEST(test_prfbatch_pending_is_what_has_no_output)
{
    struct seen_prfbatch *b = seen_prfbatch_new();
    uint8_t out[SEEN_PRFBATCH_OUT] = {1};

    ck_assert_uint_eq(seen_prfbatch_pending(b), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"a", 1), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"b", 1), 0);
    ck_assert_uint_eq(seen_prfbatch_pending(b), 0);
    ck_assert_int_eq(seen_prfbatch_set(b, 0, out), 0);
    ck_assert_int_eq(seen_prfbatch_set(b, 1, out), 0);
    ck_assert_uint_eq(seen_prfbatch_pending(b), 2);
    /* A later request adds one new input and one it holds already: only
     * the new one is pending. */
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"c", 1), 0);
    ck_assert_int_eq(seen_prfbatch_add(b, (const uint8_t *)"a", 1), 0);
    ck_assert_uint_eq(seen_prfbatch_count(b), 3);
    ck_assert_uint_eq(seen_prfbatch_pending(b), 2);
    ck_assert_int_eq(seen_prfbatch_set(b, 2, out), 0);
    ck_assert_uint_eq(seen_prfbatch_pending(b), 3);
    seen_prfbatch_clear(b);
    ck_assert_uint_eq(seen_prfbatch_pending(b), 0);
    seen_prfbatch_destroy(&b);
}
END_TEST

START_TEST(test_prfbatch_refuses_empty_and_long_inputs)
{
    struct seen_prfbatch *b = seen_prfbatch_new();
    uint8_t big[SEEN_PRFBATCH_INPUT_MAX + 1] = {0};

    ck_assert_int_eq(seen_prfbatch_add(b, big, 0), SEEN_EINVAL);
    ck_assert_int_eq(seen_prfbatch_add(b, big, sizeof big), SEEN_EINVAL);
    ck_assert_int_eq(seen_prfbatch_add(b, big, sizeof big - 1), 0);
    ck_assert_uint_eq(seen_prfbatch_count(b), 1);
    seen_prfbatch_destroy(&b);
}
END_TEST

Suite *
match_prfbatch_suite(void)
{
    Suite *s = suite_create("match_prfbatch");
    TCase *tc = tcase_create("prfbatch");

    tcase_add_test(tc, test_prfbatch_keeps_distinct_inputs_in_order);
    tcase_add_test(tc, test_prfbatch_outputs_follow_their_inputs);
    tcase_add_test(tc, test_prfbatch_pending_is_what_has_no_output);
    tcase_add_test(tc, test_prfbatch_refuses_empty_and_long_inputs);
    suite_add_tcase(s, tc);
    return (s);
}

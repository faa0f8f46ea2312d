/*
 * check_outbox.c: the bound on replication's outbox
 * (node/replication/outbox.c): the bodies waiting for the next flush,
 * which peers' requests make grow, are held to FED_OUTQ_MAX bodies and
 * FED_OUTQ_BYTES bytes; beyond either a body is dropped and counted
 * (send_queue_dropped in the status), and a flush empties it.  The rest
 * of replication is check_replication.c's.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/seen.h"
#include "node/replication/fed_impl.h"
#include "tests/suites.h"

START_TEST(test_outbox_holds_a_bounded_number_of_bytes)
{
    struct seen_fed *fed = calloc(1, sizeof *fed);
    size_t mib = (size_t)1 << 20, i, n = FED_OUTQ_BYTES / mib;
    uint8_t to[32];
    uint8_t *body = calloc(1, mib);

    ck_assert_ptr_nonnull(fed);
    ck_assert_ptr_nonnull(body);
    memset(to, 7, sizeof to);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, mib), SEEN_OK);
    ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, mib), SEEN_EAGAIN);
    ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, 1), SEEN_EAGAIN);
    ck_assert_uint_eq(fed->nout, n);
    ck_assert_uint_eq(fed->xlog.dropped, 2);
    fed_outq_clear(fed);
    ck_assert_uint_eq(fed->outbytes, 0);
    ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, mib), SEEN_OK);
    fed_outq_clear(fed);
    free(fed->outq);
    free(fed);
    free(body);
}
END_TEST

START_TEST(test_outbox_holds_a_bounded_number_of_bodies)
{
    struct seen_fed *fed = calloc(1, sizeof *fed);
    uint8_t to[32], body[8] = {0};
    size_t i;

    ck_assert_ptr_nonnull(fed);
    memset(to, 7, sizeof to);
    for (i = 0; i < FED_OUTQ_MAX; i++)
        ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, sizeof body),
            SEEN_OK);
    ck_assert_int_eq(fed_queue_raw(fed, to, 3, body, sizeof body),
        SEEN_EAGAIN);
    ck_assert_uint_eq(fed->xlog.dropped, 1);
    ck_assert_uint_eq(fed->outbytes, FED_OUTQ_MAX * sizeof body);
    fed_outq_clear(fed);
    free(fed->outq);
    free(fed);
}
END_TEST

Suite *
outbox_suite(void)
{
    Suite *s = suite_create("outbox");
    TCase *tc = tcase_create("core");

    seen_log_init("check_outbox", SEEN_LOG_ERROR);
    tcase_add_test(tc, test_outbox_holds_a_bounded_number_of_bytes);
    tcase_add_test(tc, test_outbox_holds_a_bounded_number_of_bodies);
    suite_add_tcase(s, tc);
    return s;
}

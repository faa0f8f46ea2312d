/*
 * check_storage_alerts.c: the alerts table keeps the number of open
 * alerts (storage/alerts.h), so that a status reads one key instead of
 * every alert: raising, acknowledging, replacing and deleting alerts keep
 * it; a store of an earlier version, which has none, is counted by a
 * walk until its first alert is written, and from then on kept.
 */
#include <check.h>
#include <string.h>

#include "storage/alerts.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define OPEN_ALERT "{\"alert\":\"x\",\"rule\":\"r\"}"
#define ACKED_ALERT "{\"alert\":\"x\",\"rule\":\"r\",\"acknowledged\":{}}"

static void
id_of(unsigned int i, uint8_t id[SEEN_ALERT_ID_BYTES])
{

    memset(id, 0, SEEN_ALERT_ID_BYTES);
    id[0] = (uint8_t)i;
}

static uint64_t
open_count(struct seen_txn *t)
{
    uint64_t n = 99;

    ck_assert_int_eq(seen_alerts_open(t, &n), 0);
    return n;
}

static void
put(struct seen_txn *t, unsigned int i, const char *v)
{
    uint8_t id[SEEN_ALERT_ID_BYTES];

    id_of(i, id);
    ck_assert_int_eq(seen_alerts_put(t, id, v, strlen(v)), 0);
}

START_TEST(test_the_open_count_follows_every_write)
{
    struct seen_store *s = tu_store_open(&tu_fixture, 16, 1);
    uint8_t id[SEEN_ALERT_ID_BYTES];
    struct seen_txn *t;
    unsigned int i;

    t = tu_begin(s, 1);
    ck_assert_uint_eq(open_count(t), 0);
    for (i = 0; i < 5; i++)
        put(t, i, OPEN_ALERT);
    ck_assert_uint_eq(open_count(t), 5);
    put(t, 1, ACKED_ALERT);               /* acknowledged */
    put(t, 1, ACKED_ALERT);               /* again: no change */
    put(t, 2, OPEN_ALERT);                /* raised again: no change */
    ck_assert_uint_eq(open_count(t), 4);
    id_of(1, id);
    ck_assert_int_eq(seen_alerts_del(t, id), 0); /* an acknowledged one */
    ck_assert_uint_eq(open_count(t), 4);
    id_of(3, id);
    ck_assert_int_eq(seen_alerts_del(t, id), 0); /* an open one */
    ck_assert_uint_eq(open_count(t), 3);
    ck_assert_int_eq(seen_alerts_del(t, id), SEEN_ENOTFOUND);
    ck_assert_uint_eq(open_count(t), 3);
    ck_assert_int_eq(seen_store_commit(t), 0);
    /* Kept across transactions and a reopening. */
    seen_store_destroy(&s);
    s = tu_store_open(&tu_fixture, 16, 0);
    t = tu_begin(s, 0);
    ck_assert_uint_eq(open_count(t), 3);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_a_store_without_the_count_is_counted_then_kept)
{
    struct seen_store *s = tu_store_open(&tu_fixture, 16, 1);
    struct seen_txn *t;
    unsigned int i;

    /* What an earlier version left: alerts and no count. */
    t = tu_begin(s, 1);
    for (i = 0; i < 4; i++)
        put(t, i, i == 0 ? ACKED_ALERT : OPEN_ALERT);
    ck_assert_int_eq(
        seen_store_del(t, SEEN_DB_ALERTS, "N:open", 6, NULL, 0), 0);
    ck_assert_int_eq(seen_store_commit(t), 0);
    t = tu_begin(s, 0);
    ck_assert_uint_eq(open_count(t), 3); /* by a walk */
    seen_store_abort(t);
    /* The first write counts them, then keeps the count. */
    t = tu_begin(s, 1);
    put(t, 9, OPEN_ALERT);
    ck_assert_int_eq(seen_store_commit(t), 0);
    t = tu_begin(s, 0);
    {
        const void *v;
        size_t vlen;

        ck_assert_int_eq(seen_store_get(t, SEEN_DB_ALERTS, "N:open", 6, &v,
                             &vlen),
            0);
        ck_assert_uint_eq(vlen, 8);
    }
    ck_assert_uint_eq(open_count(t), 4);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_alerts_suite(void)
{
    Suite *s = suite_create("storage_alerts");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_test(tc, test_the_open_count_follows_every_write);
    tcase_add_test(tc, test_a_store_without_the_count_is_counted_then_kept);
    suite_add_tcase(s, tc);
    return s;
}

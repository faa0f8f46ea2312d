/*
 * check_storage_feed.c: feeds as Merkle logs in the store
 * (storage/feed.[ch]), in a real store in a temporary directory.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define MAP_MB 16

/* The fixture's store (tu_fixture), made or opened again. */
static struct seen_store *
open_store(int create)
{

    return tu_store_open(&tu_fixture, MAP_MB, create);
}

/* ---- feeds ---- */

#define FEED_MAX 70

static size_t
make_leaf(uint8_t *buf, uint32_t origin, uint64_t i)
{

    return (size_t)snprintf((char *)buf, 64, "leaf %u/%llu of a feed", origin,
        (unsigned long long)i);
}

START_TEST(test_feed_root_equals_merkle_root_of_its_leaves_for_every_prefix)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t;
    static uint8_t hashes[FEED_MAX][32];
    struct seen_merkle_leaves ml;
    uint8_t leaf[64], got[32], want[32];
    const uint8_t *lp;
    uint64_t seq, size, n, m;
    size_t len, llen;

    for (n = 1; n <= FEED_MAX; n++) {
        /* Each leaf in its own transaction, committed. */
        t = tu_begin(s, 1);
        len = make_leaf(leaf, 1, n - 1);
        ck_assert_int_eq(seen_feed_append(t, 1, leaf, len, &seq), SEEN_OK);
        ck_assert_uint_eq(seq, n - 1);
        ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
        seen_merkle_leaf_hash(hashes[n - 1], leaf, len);

        t = tu_begin(s, 0);
        ck_assert_int_eq(seen_feed_size(t, 1, &size), SEEN_OK);
        ck_assert_uint_eq(size, n);
        for (m = 0; m <= n; m++) {
            ml.hash = (const uint8_t(*)[32])hashes;
            ml.n = m;
            ck_assert_int_eq(seen_merkle_root_of(
                                 seen_merkle_subtree_from_leaves, &ml, m, want),
                SEEN_OK);
            ck_assert_int_eq(seen_feed_root(t, 1, m, got), SEEN_OK);
            ck_assert_msg(memcmp(got, want, 32) == 0,
                "root of %llu of %llu leaves differs", (unsigned long long)m,
                (unsigned long long)n);
        }
        ck_assert_int_eq(seen_feed_root(t, 1, n + 1, got), SEEN_EINVAL);
        ck_assert_int_eq(seen_feed_leaf(t, 1, n - 1, &lp, &llen), SEEN_OK);
        ck_assert_uint_eq(llen, len);
        ck_assert_mem_eq(lp, leaf, len);
        ck_assert_int_eq(seen_feed_leaf(t, 1, n, &lp, &llen), SEEN_ENOTFOUND);
        seen_store_abort(t);
    }
    seen_store_destroy(&s);

    /* After a reopen the feed and its root are the same. */
    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_feed_size(t, 1, &size), SEEN_OK);
    ck_assert_uint_eq(size, FEED_MAX);
    ml.hash = (const uint8_t(*)[32])hashes;
    ml.n = FEED_MAX;
    ck_assert_int_eq(seen_merkle_root_of(
                         seen_merkle_subtree_from_leaves, &ml, FEED_MAX, want),
        SEEN_OK);
    ck_assert_int_eq(seen_feed_root(t, 1, FEED_MAX, got), SEEN_OK);
    ck_assert_mem_eq(got, want, 32);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_feed_of_many_leaves_in_one_transaction_has_the_right_root)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    static uint8_t hashes[FEED_MAX][32];
    struct seen_merkle_leaves ml;
    uint8_t leaf[64], got[32], want[32];
    uint64_t i;
    size_t len;

    for (i = 0; i < FEED_MAX; i++) {
        len = make_leaf(leaf, 2, i);
        ck_assert_int_eq(seen_feed_append(t, 2, leaf, len, NULL), SEEN_OK);
        seen_merkle_leaf_hash(hashes[i], leaf, len);
    }
    ml.hash = (const uint8_t(*)[32])hashes;
    for (i = 0; i <= FEED_MAX; i++) {
        ml.n = i;
        ck_assert_int_eq(
            seen_merkle_root_of(seen_merkle_subtree_from_leaves, &ml, i, want),
            SEEN_OK);
        ck_assert_int_eq(seen_feed_root(t, 2, i, got), SEEN_OK);
        ck_assert_mem_eq(got, want, 32);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_feeds_of_two_origins_are_independent)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t leaf[64], h[32], got[32], empty[32];
    uint64_t seq, size;
    size_t len;

    /* A feed never seen has size 0 and the empty root. */
    ck_assert_int_eq(seen_feed_size(t, 7, &size), SEEN_OK);
    ck_assert_uint_eq(size, 0);
    seen_merkle_empty_root(empty);
    ck_assert_int_eq(seen_feed_root(t, 7, 0, got), SEEN_OK);
    ck_assert_mem_eq(got, empty, 32);
    ck_assert_int_eq(seen_feed_root(t, 7, 1, got), SEEN_EINVAL);

    len = make_leaf(leaf, 1, 0);
    ck_assert_int_eq(seen_feed_append(t, 1, leaf, len, &seq), SEEN_OK);
    ck_assert_int_eq(seen_feed_append(t, 1, leaf, len, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 1);
    len = make_leaf(leaf, 2, 0);
    ck_assert_int_eq(seen_feed_append(t, 2, leaf, len, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 0);
    ck_assert_int_eq(seen_feed_size(t, 1, &size), SEEN_OK);
    ck_assert_uint_eq(size, 2);
    ck_assert_int_eq(seen_feed_size(t, 2, &size), SEEN_OK);
    ck_assert_uint_eq(size, 1);
    /* The root of a one-leaf feed is that leaf's hash. */
    seen_merkle_leaf_hash(h, leaf, len);
    ck_assert_int_eq(seen_feed_root(t, 2, 1, got), SEEN_OK);
    ck_assert_mem_eq(got, h, 32);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_feed_suite(void)
{
    Suite *s = suite_create("storage_feed");
    TCase *tc;

    tc = tcase_create("feed");
    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_test(
        tc, test_feed_root_equals_merkle_root_of_its_leaves_for_every_prefix);
    tcase_add_test(
        tc, test_feed_of_many_leaves_in_one_transaction_has_the_right_root);
    tcase_add_test(tc, test_feeds_of_two_origins_are_independent);
    suite_add_tcase(s, tc);

    return s;
}

/*
 * check_storage_defer.c: the store's write-behind buffer (storage/defer.c):
 * writes held back and applied sorted are read by their transaction as
 * written, and the last write of a key wins, in a real store in a
 * temporary directory.
 */
#include <check.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define MAP_MB 16

/* The fixture's store, made or opened again. */
static struct seen_store *
open_store(int create)
{

    return tu_store_open(&tu_fixture, MAP_MB, create);
}

/* Count the values seen and check they come in ascending order. */
struct ordered {
    uint8_t last[20];
    int n;
    int sorted;
};

static int
ordered_fn(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct ordered *o = ctx;

    (void)key;
    (void)klen;
    ck_assert_uint_eq(vlen, 20);
    if (o->n > 0 && memcmp(o->last, val, 20) >= 0)
        o->sorted = 0;
    memcpy(o->last, val, 20);
    o->n++;
    return 0;
}

START_TEST(test_writes_held_back_are_seen_by_their_transaction)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    struct ordered o = {{0}, 0, 1};
    uint8_t tok[17], id[20], seq[8], ids[500][20];
    const void *v;
    size_t vlen;
    uint64_t n;
    int i;

    /* The live entries and the token index hold their writes back and
     * apply them sorted; the transaction reads them all the same. */
    memset(tok, 'T', sizeof tok);
    for (i = 0; i < 500; i++) {
        randombytes_buf(ids[i], 20);
        seen_be64(seq, (uint64_t)i);
        ck_assert_int_eq(
            seen_store_put(t, SEEN_DB_ENTRIES, ids[i], 20, seq, 8), SEEN_OK);
        ck_assert_int_eq(
            seen_store_put(t, SEEN_DB_INDEX, tok, 17, ids[i], 20), SEEN_OK);
    }
    for (i = 0; i < 500; i += 7) {
        ck_assert_int_eq(
            seen_store_get(t, SEEN_DB_ENTRIES, ids[i], 20, &v, &vlen),
            SEEN_OK);
        ck_assert_uint_eq(vlen, 8);
        ck_assert_uint_eq(seen_rd64(v), (uint64_t)i);
    }
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_INDEX, tok, 17, ordered_fn, &o), SEEN_OK);
    ck_assert_int_eq(o.n, 500);
    ck_assert(o.sorted);
    /* A write of another size goes in at once, after those held back. */
    memset(id, 'x', sizeof id);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_ENTRIES, id, 20, "short", 5),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 501);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_ENTRIES, id, 20, &v, &vlen),
        SEEN_OK);
    ck_assert_uint_eq(vlen, 5);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* The sealed records and handles hold their writes back too, values of
 * any size: of several writes of one key the last wins, whether held or
 * too large to hold, and the transaction reads them as written. */
START_TEST(test_held_values_of_any_size_keep_the_last_write)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    static uint8_t big[6000];
    uint8_t k[300][16], *out;
    char val[64];
    const void *v;
    size_t vlen, olen;
    uint64_t n;
    int i, w;

    for (i = 0; i < 300; i++) {
        memset(k[i], 0, 16);
        seen_be32(k[i], (uint32_t)(i * 2654435761u));
    }
    /* Three writes of each key, of three sizes, none read in between. */
    for (w = 0; w < 3; w++)
        for (i = 0; i < 300; i++) {
            snprintf(val, sizeof val, "%d/%d%.*s", i, w, w * 20,
                "----------------------------------------------------");
            ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_HANDLES, k[i],
                                 16, k[i], 16, val, strlen(val)),
                SEEN_OK);
            ck_assert_int_eq(seen_store_put(t, SEEN_DB_RECORDS, k[i], 16, val,
                                 strlen(val)),
                SEEN_OK);
        }
    /* A value too large to hold goes in after those held, and a held one
     * written after it wins over it. */
    memset(big, 'B', sizeof big);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_RECORDS, k[0], 16, big, sizeof big),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_RECORDS, k[1], 16, "held", 4), SEEN_OK);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_RECORDS, k[1], 16, big, sizeof big),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_RECORDS, k[0], 16, "last", 4), SEEN_OK);
    ck_assert_int_eq(
        seen_store_sealed_get(t, SEEN_DB_HANDLES, k[5], 16, k[5], 16, &out,
            &olen),
        SEEN_OK);
    ck_assert_str_eq((char *)out,
        "5/2----------------------------------------");
    free(out);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_HANDLES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 300);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_RECORDS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 300);
    for (i = 2; i < 300; i++) {
        snprintf(val, sizeof val, "%d/2%.*s", i, 40,
            "----------------------------------------------------");
        ck_assert_int_eq(seen_store_sealed_get(t, SEEN_DB_HANDLES, k[i], 16,
                             k[i], 16, &out, &olen),
            SEEN_OK);
        ck_assert_str_eq((char *)out, val);
        free(out);
        ck_assert_int_eq(
            seen_store_get(t, SEEN_DB_RECORDS, k[i], 16, &v, &vlen), SEEN_OK);
        ck_assert_uint_eq(vlen, strlen(val));
        ck_assert_mem_eq(v, val, vlen);
    }
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_RECORDS, k[0], 16, &v, &vlen), SEEN_OK);
    ck_assert_uint_eq(vlen, 4);
    ck_assert_mem_eq(v, "last", 4);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_RECORDS, k[1], 16, &v, &vlen), SEEN_OK);
    ck_assert_uint_eq(vlen, sizeof big);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_defer_suite(void)
{
    Suite *s = suite_create("storage_defer");
    TCase *tc = tcase_create("defer");

    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_test(tc, test_writes_held_back_are_seen_by_their_transaction);
    tcase_add_test(tc, test_held_values_of_any_size_keep_the_last_write);
    suite_add_tcase(s, tc);
    return s;
}

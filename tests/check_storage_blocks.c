/*
 * check_storage_blocks.c: a table of sorted records packed in blocks
 * (storage/blocks.[ch]) against a model, a sorted array of the same
 * records, through random merges, takes and removals, in a real store
 * in a temporary directory; and what it says of a damaged block or of
 * records out of order.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "storage/blocks.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define MAP_MB 64
#define REC SEEN_BLOCK_REC
#define MODEL_MAX 40000

/* The model: the records the table must hold, sorted. */
static uint8_t model[MODEL_MAX * REC];
static size_t nmodel;

static int
rec_cmp(const void *a, const void *b)
{

    return memcmp(a, b, REC);
}

/* A record of a small space, so that records share prefixes and a
 * merge meets records held already: rule 1 or 2, a token of 0..63 in
 * its last byte, a posting of 0..1023. */
static void
random_rec(uint8_t r[REC])
{
    uint32_t x = (uint32_t)random();

    memset(r, 0, REC);
    r[0] = (uint8_t)(1 + (x & 1));
    r[8] = (uint8_t)((x >> 1) & 63);
    r[15] = (uint8_t)((x >> 7) & 3);
    r[16] = (uint8_t)(x >> 9);
}

/* Where ${r} is or would go in the model. */
static size_t
model_pos(const uint8_t *r, int *found)
{
    size_t lo = 0, hi = nmodel, mid;
    int c;

    while (lo < hi) {
        mid = (lo + hi) / 2;
        c = memcmp(model + mid * REC, r, REC);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static void
model_add(const uint8_t *r)
{
    int found;
    size_t i = model_pos(r, &found);

    if (found)
        return;
    ck_assert_uint_lt(nmodel, MODEL_MAX);
    memmove(model + (i + 1) * REC, model + i * REC, (nmodel - i) * REC);
    memcpy(model + i * REC, r, REC);
    nmodel++;
}

static int
model_del(const uint8_t *r)
{
    int found;
    size_t i = model_pos(r, &found);

    if (!found)
        return 0;
    memmove(model + i * REC, model + (i + 1) * REC, (nmodel - i - 1) * REC);
    nmodel--;
    return 1;
}

/* Records found, compared in order with an expected run. */
struct walk {
    const uint8_t *want;
    size_t n, at;
};

static int
walk_fn(void *ctx, const uint8_t *rec)
{
    struct walk *w = ctx;

    ck_assert_uint_lt(w->at, w->n);
    ck_assert_mem_eq(rec, w->want + w->at * REC, REC);
    w->at++;
    return 0;
}

/* The table ${db} holds exactly the model, counted right; and a prefix
 * of 9 bytes (a token's) finds exactly the model's run of it. */
static void
assert_model(struct seen_txn *t, enum seen_db db)
{
    struct walk w = {model, nmodel, 0};
    uint8_t probe[REC];
    uint64_t n;
    size_t i, first;
    int found, k;

    ck_assert_int_eq(seen_blocks_find(t, db, model, 0, walk_fn, &w), 0);
    ck_assert_uint_eq(w.at, nmodel);
    ck_assert_int_eq(seen_blocks_count(t, db, &n), 0);
    ck_assert_uint_eq(n, nmodel);
    for (k = 0; k < 20; k++) {
        random_rec(probe);
        memset(probe + 9, 0, REC - 9);
        first = model_pos(probe, &found);
        for (i = first; i < nmodel && memcmp(model + i * REC, probe, 9) == 0;)
            i++;
        w = (struct walk){model + first * REC, i - first, 0};
        ck_assert_int_eq(seen_blocks_find(t, db, probe, 9, walk_fn, &w), 0);
        ck_assert_uint_eq(w.at, w.n);
    }
}

/* Random merges, takes and removals keep the table equal to the model,
 * within a transaction and across a commit and a reopening. */
START_TEST(test_blocks_hold_what_a_sorted_array_holds)
{
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t *batch = malloc(2000 * REC), *recs, r[REC];
    size_t n, i, j, got;
    int round, rc, had;

    ck_assert_ptr_nonnull(batch);
    srandom(7 + (unsigned)_i);
    nmodel = 0;
    for (round = 0; round < 60; round++) {
        switch (random() % 4) {
        case 0:
        case 1: /* a merge of a sorted batch, some held already */
            n = 1 + (size_t)random() % 2000;
            for (i = 0; i < n; i++)
                random_rec(batch + i * REC);
            qsort(batch, n, REC, rec_cmp);
            for (i = j = 0; i < n; i++)
                if (j == 0 || memcmp(batch + (j - 1) * REC, batch + i * REC,
                                  REC) != 0)
                    memmove(batch + j++ * REC, batch + i * REC, REC);
            ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK1, batch, j),
                SEEN_OK);
            for (i = 0; i < j; i++)
                model_add(batch + i * REC);
            break;
        case 2: /* the first few taken */
            n = (size_t)random() % 700;
            ck_assert_int_eq(
                seen_blocks_take(t, SEEN_DB_IBLOCK1, n, &recs, &got), 0);
            ck_assert_uint_eq(got, n < nmodel ? n : nmodel);
            if (got > 0)
                ck_assert_mem_eq(recs, model, got * REC);
            else
                ck_assert_ptr_null(recs);
            memmove(model, model + got * REC, (nmodel - got) * REC);
            nmodel -= got;
            free(recs);
            break;
        default: /* removals, of records held and not */
            for (i = 0; i < 50; i++) {
                if (nmodel > 0 && random() % 2)
                    memcpy(r, model + (size_t)random() % nmodel * REC, REC);
                else
                    random_rec(r);
                had = model_del(r);
                rc = seen_blocks_del(t, SEEN_DB_IBLOCK1, r);
                ck_assert_int_eq(rc, had ? SEEN_OK : SEEN_ENOTFOUND);
            }
        }
        assert_model(t, SEEN_DB_IBLOCK1);
        if (round % 20 == 19) {
            ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
            seen_store_destroy(&s);
            s = tu_store_open(&tu_fixture, MAP_MB, 0);
            t = tu_begin(s, 1);
            assert_model(t, SEEN_DB_IBLOCK1);
        }
    }
    /* Full blocks but for a few: fewer blocks than records / 100. */
    ck_assert_uint_gt(nmodel, 1000);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_lt(tu_count(s, SEEN_DB_IBLOCK1), nmodel / 100);
    seen_store_destroy(&s);
    free(batch);
}
END_TEST

/* Records out of order are refused and change nothing; a block that is
 * not whole records under its first is reported damaged. */
START_TEST(test_blocks_refuse_disorder_and_report_damage)
{
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t recs[3 * REC], bad[REC + 5], *got;
    struct walk w;
    uint64_t n;
    size_t ng;

    memset(recs, 0, sizeof recs);
    recs[8] = 1;
    recs[REC + 8] = 3;
    recs[2 * REC + 8] = 2;
    ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK2, recs, 3),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK2, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK2, recs, 2), 0);
    /* A repeat within one merge is disorder too. */
    memcpy(recs + 2 * REC, recs + REC, REC);
    ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK2, recs + REC, 2),
        SEEN_EINVAL);
    /* A value that is not whole records, under a key after the others. */
    memset(bad, 0x7f, sizeof bad);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_IBLOCK2, bad, REC, bad, sizeof bad), 0);
    w = (struct walk){recs, 2, 0};
    ck_assert_int_eq(seen_blocks_find(t, SEEN_DB_IBLOCK2, recs, 0, walk_fn, &w),
        SEEN_ECORRUPT);
    ck_assert_uint_eq(w.at, 2);
    ck_assert_int_eq(seen_blocks_take(t, SEEN_DB_IBLOCK2, 10, &got, &ng),
        SEEN_ECORRUPT);
    ck_assert_int_eq(seen_blocks_del(t, SEEN_DB_IBLOCK2, bad), SEEN_ECORRUPT);
    ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK2, bad, 1),
        SEEN_ECORRUPT);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_blocks_suite(void)
{
    Suite *su = suite_create("storage_blocks");
    TCase *tc = tcase_create("blocks");

    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_blocks_hold_what_a_sorted_array_holds, 0, 3);
    tcase_add_test(tc, test_blocks_refuse_disorder_and_report_damage);
    suite_add_tcase(su, tc);
    return su;
}

/*
 * check_matcher_steps.c: how the matcher divides its work into steps
 * (node/matching/matcher.c, step.c).  A new entry is scored only against
 * the candidates the matcher has already reached, and a step reads a
 * token's postings once; whatever the size of its steps, the matcher must
 * link the same pairs; the links it keeps (links.c), both ways, once
 * each; and a step given a yield function ends early only when it says
 * something waits.  Over a real store with one origin's records.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/matching/matcher_internal.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "tests/matcher_records.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define NOW 1750000000
#define AGAIN_ID "TVP-DA-2025-00777" /* the second record, as long */

static struct seen_keys *keys;
static struct seen_tokenizer *tk;
static struct seen_store *store;
static struct seen_indexer ix;
static struct seen_matcher mt;
static char base[1024];

static const char *
type_of(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return "police";
}

static void
setup(void)
{
    char sdir[1100];

    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(keys->match_key, 1));
    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_int_eq(seen_store_open(sdir, keys->sign_pk, keys->record_key,
                         64, 1, &store),
        SEEN_OK);
    ck_assert_int_eq(seen_indexer_init(&ix, store, keys, tk), SEEN_OK);
    memset(&mt, 0, sizeof mt);
    mt.store = store;
    mt.type_of = type_of;
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    tu_rmrf(base);
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
}

/* Import ${line}, in a transaction of its own. */
static void
import(const char *line)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = tu_begin(store, 1);

    ck_assert_int_eq(tu_apply(&ix, t, line, NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

/* The person id of person ${i} (in import order) of record ${id}. */
static void
pid_of(const char *id, size_t i, char pid[18])
{
    Seen__RecordMeta *rm;
    struct seen_txn *t;
    uint8_t idk[16];
    const void *v;
    size_t vlen;

    t = tu_begin(store, 0);
    seen_store_id_key(store, id, strlen(id), idk);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_RECMETA, idk, 16, &v, &vlen), SEEN_OK);
    ck_assert_ptr_nonnull(rm = seen__record_meta__unpack(NULL, vlen, v));
    ck_assert_uint_gt(rm->n_handles, i);
    seen_matcher_person(&mt, t, ix.own, rm->handles[i].data, pid);
    seen__record_meta__free_unpacked(rm, NULL);
    seen_store_abort(t);
}

/* The same victim, child and man in a second record at the one origin:
 * each pair of their entries is linked whether the matcher reaches both
 * in one step or in a step each (the later end of a pair must know that
 * the earlier one, of its own feed, was matched in the same step). */
START_TEST(test_a_person_recorded_twice_at_one_origin_is_one_however_stepped)
{
    static const size_t budgets[] = {100000, 1, 4};
    char line[4096], *p, a[18], b[18];
    size_t i;
    int n;

    snprintf(line, sizeof line, "%s", TVP1);
    ck_assert_ptr_nonnull(p = strstr(line, TVP1_ID));
    memcpy(p, AGAIN_ID, strlen(AGAIN_ID));
    import(TVP1);
    import(line);
    while ((n = seen_matcher_step(&mt, budgets[_i])) > 0)
        ;
    ck_assert_int_eq(n, 0);
    for (i = 0; i < 3; i++) {
        pid_of(TVP1_ID, i, a);
        pid_of(AGAIN_ID, i, b);
        ck_assert_str_eq(a, b);
    }
    /* And the three are three persons. */
    pid_of(TVP1_ID, 0, a);
    pid_of(TVP1_ID, 1, b);
    ck_assert_str_ne(a, b);
}
END_TEST

/* The items of ${db} as ${t} sees them. */
static uint64_t
count_in(struct seen_txn *t, enum seen_db db)
{
    uint64_t n;

    ck_assert_int_eq(seen_store_count(t, db, &n), 0);
    return n;
}

/* One stored direction of a link, counted and checked (a links_fn). */
static int
link_seen(void *ctx, const uint8_t a[20], const uint8_t b[20], double w)
{
    int *n = ctx;

    ck_assert(a[0] != b[0]);
    ck_assert((a[0] == 'a' || b[0] == 'a') && (a[0] == 'c' || b[0] == 'c'));
    ck_assert(w == -1.0);
    ++*n;
    return 0;
}

/* A link is kept both ways under each end, once, with its last weight;
 * read by its end with a floor on the weight, and dropped both ways. */
START_TEST(test_links_are_kept_both_ways_once_with_their_last_weight)
{
    struct seen_txn *t = tu_begin(store, 1);
    struct idset set = {0}, drop = {0};
    struct nbrs nb = {0};
    uint8_t a[20], b[20], c[20];
    int n = 0;

    memset(a, 'a', 20);
    memset(b, 'b', 20);
    memset(c, 'c', 20);
    ck_assert_int_eq(links_put(t, a, b, 1.5), 0);
    ck_assert_int_eq(links_put(t, b, a, 1.5), 0);
    ck_assert_uint_eq(count_in(t, SEEN_DB_LINKS), 2);
    ck_assert_int_eq(links_put(t, a, b, 2.5), 0);
    ck_assert_int_eq(links_put(t, c, a, -1.0), 0);
    ck_assert_uint_eq(count_in(t, SEEN_DB_LINKS), 4);
    ck_assert_int_eq(links_weighted(t, a, -5, &nb), 0);
    ck_assert_uint_eq(nb.n, 2);
    ck_assert_mem_eq(nb.v[0].id, b, 20);
    ck_assert(nb.v[0].w == 2.5);
    ck_assert_mem_eq(nb.v[1].id, c, 20);
    ck_assert(nb.v[1].w == -1.0);
    free(nb.v);
    nb = (struct nbrs){0};
    ck_assert_int_eq(links_weighted(t, b, -5, &nb), 0);
    ck_assert_uint_eq(nb.n, 1);
    ck_assert(nb.v[0].w == 2.5);
    free(nb.v);
    ck_assert_int_eq(links_of(t, a, 0, &set), 0);
    ck_assert_uint_eq(set.n, 1);
    ck_assert_mem_eq(set.v[0], b, 20);
    ck_assert_int_eq(idset_add(&drop, b), 0);
    ck_assert_int_eq(links_drop(t, a, &drop), 0);
    ck_assert_uint_eq(count_in(t, SEEN_DB_LINKS), 2);
    ck_assert_int_eq(links_each(t, link_seen, &n), 0);
    ck_assert_int_eq(n, 2);
    free(set.v);
    free(drop.v);
    seen_store_abort(t);
}
END_TEST

/* A yield function (node/matching/matcher.h) that counts the times it is
 * asked and gives its answer. */
struct asked {
    int answer, times;
};

static int
yield_asked(void *ctx)
{
    struct asked *a = ctx;

    a->times++;
    return a->answer;
}

/* A step with a yield function is not asked before its yield_after, stops
 * after SEEN_MATCHER_YIELD_EVERY leaves once past it when the function
 * says something waits, and goes on to its budget when nothing does. */
START_TEST(test_a_step_stops_early_only_when_something_waits)
{
    struct asked a = {1, 0};
    double far = seen_clock_mono() + 3600;
    char line[4096], *p, id[32];
    struct seen_txn *t;
    uint64_t size;
    int i, n;

    for (i = 0; i < 40; i++) {
        snprintf(line, sizeof line, "%s", TVP1);
        snprintf(id, sizeof id, "TVP-DA-2025-%05d", 10000 + i);
        ck_assert_uint_eq(strlen(id), strlen(TVP1_ID));
        ck_assert_ptr_nonnull(p = strstr(line, TVP1_ID));
        memcpy(p, id, strlen(id));
        import(line);
    }
    t = tu_begin(store, 0);
    ck_assert_int_eq(seen_feed_size(t, ix.own, &size), SEEN_OK);
    seen_store_abort(t);
    ck_assert_uint_gt(size, 40 + 2 * SEEN_MATCHER_YIELD_EVERY);
    mt.yield = yield_asked;
    mt.yctx = &a;
    /* Not yet yield_after into the step: not asked. */
    mt.yield_after = 3600;
    ck_assert_int_eq(seen_matcher_step_until(&mt, 40, far), 40);
    ck_assert_int_eq(a.times, 0);
    /* Past it, something waiting: the step ends at the first question. */
    mt.yield_after = 0;
    ck_assert_int_eq(
        seen_matcher_step_until(&mt, 100000, far), SEEN_MATCHER_YIELD_EVERY);
    ck_assert_int_eq(a.times, 1);
    /* Nothing waiting: the rest, in one step, asked on the way. */
    a = (struct asked){0, 0};
    n = seen_matcher_step_until(&mt, 100000, far);
    ck_assert_int_eq(n, (int)size - 40 - SEEN_MATCHER_YIELD_EVERY);
    ck_assert_int_eq(a.times, (n - 1) / SEEN_MATCHER_YIELD_EVERY);
    ck_assert_int_eq(seen_matcher_step_until(&mt, 100000, far), 0);
}
END_TEST

Suite *
matcher_steps_suite(void)
{
    Suite *s = suite_create("matcher_steps");
    TCase *tc;

    tc = tcase_create("steps");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc,
        test_a_person_recorded_twice_at_one_origin_is_one_however_stepped, 0,
        3);
    tcase_add_test(
        tc, test_links_are_kept_both_ways_once_with_their_last_weight);
    tcase_add_test(tc, test_a_step_stops_early_only_when_something_waits);
    suite_add_tcase(s, tc);
    return s;
}

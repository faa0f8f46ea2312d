/*
 * check_node_reimport.c: a record imported again as it stands is left
 * alone (seen_indexer_unchanged, node/matching/indexer.c): nothing
 * retracted or published, no token made; a changed body, a changed
 * retention, an entry no longer live or entries of another epoch are
 * published again.  And an import made while the node's records wait to
 * be published under a new epoch does not mark them as done: the
 * retokenisation still publishes every one.
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define NOW 1750000000ULL

#define REC_A(given, extra)                                                    \
    "{\"id\":\"A-1\",\"kind\":\"domestic_abuse_incident\",\"date\":"           \
    "\"2025-06-14\",\"local_authority\":\"Reading\"" extra ",\"people\":["     \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"" given "\","         \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\"},"              \
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","        \
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\"}]}"
#define REC_B                                                                  \
    "{\"id\":\"B-1\",\"kind\":\"safeguarding_concern\",\"date\":"              \
    "\"2025-05-02\",\"local_authority\":\"Reading\",\"people\":["              \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Isla\","              \
    "\"family_name\":\"Begum\",\"date_of_birth\":\"2014-11-11\"}]}"

static char base[1024], sdir[2048];
static struct seen_keys *keys;
static struct seen_tokenizer *tk;
static struct seen_store *store;
static struct seen_indexer ix;

static void
setup(void)
{

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(keys->match_key, 1));
    ck_assert_int_eq(seen_store_open(sdir, keys->sign_pk, keys->record_key, 64,
                         1, &store),
        SEEN_OK);
    ck_assert_int_eq(seen_indexer_init(&ix, store, keys, tk), SEEN_OK);
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    tu_rmrf(base);
}

/* Import ${line} in a transaction of its own; its counts in *${st}. */
static void
import(const char *line, struct seen_index_stats *st)
{
    struct seen_txn *t = tu_begin(store, 1);

    memset(st, 0, sizeof *st);
    ck_assert_int_eq(tu_apply(&ix, t, line, NOW, st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

static uint64_t
feed_size(void)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint64_t n;

    ck_assert_int_eq(seen_feed_size(t, ix.own, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

/* The epoch of the entry at ${seq} of this node's feed. */
static uint32_t
entry_epoch(uint64_t seq)
{
    struct seen_txn *t = tu_begin(store, 0);
    Seen__FeedEntry *fe;
    uint32_t e;

    ck_assert_int_eq(seen_index_entry(t, ix.own, seq, &fe), SEEN_OK);
    e = fe->entry->epoch;
    seen__feed_entry__free_unpacked(fe, NULL);
    seen_store_abort(t);
    return e;
}

/* Assert *${st} says the record was published again, whole. */
static void
published_again(const struct seen_index_stats *st)
{

    ck_assert_uint_eq(st->unchanged, 0);
    ck_assert_uint_eq(st->records, 1);
    ck_assert_uint_eq(st->replaced, 1);
    ck_assert_uint_eq(st->retracted, 2);
    ck_assert_uint_eq(st->entries, 2);
}

START_TEST(test_a_record_imported_again_as_it_stands_is_left_alone)
{
    struct seen_index_stats st;
    int i;

    import(REC_A("Mia", ""), &st);
    ck_assert_uint_eq(st.entries, 2);
    ck_assert_uint_eq(st.unchanged, 0);
    for (i = 0; i < 3; i++) {
        import(REC_A("Mia", ""), &st);
        ck_assert_uint_eq(st.unchanged, 1);
        ck_assert_uint_eq(st.records, 0);
        ck_assert_uint_eq(st.entries, 0);
        ck_assert_uint_eq(st.retracted, 0);
        ck_assert_uint_eq(feed_size(), 2);
    }
    /* A deletion is never "as it stands". */
    import("{\"id\":\"A-1\",\"deleted\":true}", &st);
    ck_assert_uint_eq(st.deleted, 1);
    ck_assert_uint_eq(st.retracted, 2);
    ck_assert_uint_eq(feed_size(), 4);
}
END_TEST

START_TEST(test_a_changed_body_or_retention_is_published_again)
{
    struct seen_index_stats st;

    import(REC_A("Mia", ""), &st);
    import(REC_A("Amelia", ""), &st);
    published_again(&st);
    import(REC_A("Amelia", ",\"retain_until\":\"2031-01-01\""), &st);
    published_again(&st);
    import(REC_A("Amelia", ",\"retain_until\":\"2032-01-01\""), &st);
    published_again(&st);
    import(REC_A("Amelia", ",\"retain_until\":\"2032-01-01\""), &st);
    ck_assert_uint_eq(st.unchanged, 1);
    ck_assert_uint_eq(feed_size(), 2 + 3 * 4);
}
END_TEST

START_TEST(test_an_entry_no_longer_live_is_published_again)
{
    struct seen_index_stats st;
    struct seen_txn *t;
    Seen__FeedEntry *fe;
    uint8_t h[16];

    import(REC_A("Mia", ""), &st);
    t = tu_begin(store, 1);
    ck_assert_int_eq(seen_index_entry(t, ix.own, 1, &fe), SEEN_OK);
    memcpy(h, fe->entry->handle.data, 16);
    seen__feed_entry__free_unpacked(fe, NULL);
    ck_assert_int_eq(seen_index_remove(t, ix.own, h), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    import(REC_A("Mia", ""), &st);
    ck_assert_uint_eq(st.unchanged, 0);
    ck_assert_uint_eq(st.records, 1);
    ck_assert_uint_eq(st.entries, 2);
    ck_assert_uint_eq(st.retracted, 1); /* the one still live */
}
END_TEST

START_TEST(test_an_import_before_a_retokenisation_leaves_the_others_to_it)
{
    struct seen_index_stats st;
    struct seen_tokenizer *tk2;
    struct seen_txn *t;
    uint8_t key2[32];
    uint32_t held;
    int more;

    import(REC_A("Mia", ""), &st);
    import(REC_B, &st);
    ck_assert_uint_eq(entry_epoch(2), 1);
    /* A new epoch: the records wait to be published under it. */
    randombytes_buf(key2, sizeof key2);
    ck_assert_ptr_nonnull(tk2 = seen_tokenizer_new(key2, 2));
    ix.tk = tk2;
    import(REC_A("Mia", ""), &st);
    published_again(&st); /* its entries were of the old epoch */
    ck_assert_uint_eq(entry_epoch(feed_size() - 1), 2);
    t = tu_begin(store, 0);
    ck_assert_int_eq(seen_store_epoch(t, &held), SEEN_OK);
    ck_assert_uint_eq(held, 1); /* not done: B is of epoch 1 still */
    seen_store_abort(t);
    /* The retokenisation publishes B again, and passes over A, whose
     * entries are of the new epoch already. */
    t = tu_begin(store, 1);
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(seen_indexer_retokenize(&ix, t, NOW, 0, &st, &more),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_int_eq(more, 0);
    ck_assert_uint_eq(st.records, 1);
    ck_assert_uint_eq(st.unchanged, 0);
    ck_assert_uint_eq(entry_epoch(feed_size() - 1), 2);
    t = tu_begin(store, 0);
    ck_assert_int_eq(seen_store_epoch(t, &held), SEEN_OK);
    ck_assert_uint_eq(held, 2);
    seen_store_abort(t);
    /* And then as it stands again. */
    import(REC_B, &st);
    ck_assert_uint_eq(st.unchanged, 1);
    ix.tk = tk;
    seen_tokenizer_destroy(&tk2);
}
END_TEST

/* The store's epoch, read in a transaction of its own. */
static uint32_t
store_epoch(void)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint32_t held = 0;

    ck_assert_int_eq(seen_store_epoch(t, &held), SEEN_OK);
    seen_store_abort(t);
    return held;
}

/* The records a node holds are published again a few a transaction, so
 * that its event loop serves what waits in between; a step undone (its
 * commit failed) is done again, and no record is published twice. */
START_TEST(test_a_retokenisation_goes_a_few_records_at_a_time)
{
    static const char *given[5] = {"Mia", "Ava", "Zoe", "Eve", "Ida"};
    struct seen_index_stats st;
    struct seen_tokenizer *tk2;
    struct seen_txn *t;
    uint8_t key2[32];
    uint64_t total = 0;
    char line[1024];
    int more, steps = 0, i;

    for (i = 0; i < 5; i++) {
        snprintf(line, sizeof line,
            "{\"id\":\"R-%d\",\"kind\":\"safeguarding_concern\","
            "\"date\":\"2025-05-02\",\"local_authority\":\"Reading\","
            "\"people\":[{\"ref\":\"c1\",\"role\":\"child\","
            "\"given_name\":\"%s\",\"family_name\":\"Begum\","
            "\"date_of_birth\":\"2014-11-11\"}]}",
            i, given[i]);
        import(line, &st);
    }
    randombytes_buf(key2, sizeof key2);
    ck_assert_ptr_nonnull(tk2 = seen_tokenizer_new(key2, 2));
    ix.tk = tk2;
    /* Two records, committed: epoch 1 still. */
    t = tu_begin(store, 1);
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(seen_indexer_retokenize(&ix, t, NOW, 2, &st, &more), 0);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_int_eq(more, 1);
    ck_assert_uint_eq(st.records, 2);
    total += st.records;
    ck_assert_uint_eq(store_epoch(), 1);
    /* Two more, whose transaction is lost (as a failed commit loses it):
     * the daemon then goes over every record again. */
    t = tu_begin(store, 1);
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(seen_indexer_retokenize(&ix, t, NOW, 2, &st, &more), 0);
    ck_assert_uint_eq(st.records, 2);
    seen_store_abort(t);
    ix.retok_alen = 0;
    /* The rest, two at a time, the first two passed over. */
    do {
        t = tu_begin(store, 1);
        memset(&st, 0, sizeof st);
        ck_assert_int_eq(
            seen_indexer_retokenize(&ix, t, NOW, 2, &st, &more), 0);
        ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
        total += st.records;
        ck_assert_int_lt(++steps, 5);
    } while (more);
    ck_assert_uint_eq(total, 5);
    ck_assert_uint_eq(store_epoch(), 2);
    /* Each record's entry published once under epoch 2. */
    {
        Seen__FeedEntry *fe;
        uint64_t seq, n = feed_size(), of2 = 0;

        t = tu_begin(store, 0);
        tu_quiet(NULL);
        for (seq = 0; seq < n; seq++)
            if (seen_index_entry(t, ix.own, seq, &fe) == SEEN_OK) {
                of2 += fe->entry->epoch == 2;
                seen__feed_entry__free_unpacked(fe, NULL);
            }
        tu_loud();
        seen_store_abort(t);
        ck_assert_uint_eq(of2, 5);
    }
    ix.tk = tk;
    seen_tokenizer_destroy(&tk2);
}
END_TEST

Suite *
node_reimport_suite(void)
{
    Suite *s = suite_create("node_reimport");
    TCase *tc = tcase_create("reimport");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_a_record_imported_again_as_it_stands_is_left_alone);
    tcase_add_test(tc, test_a_changed_body_or_retention_is_published_again);
    tcase_add_test(tc, test_an_entry_no_longer_live_is_published_again);
    tcase_add_test(
        tc, test_an_import_before_a_retokenisation_leaves_the_others_to_it);
    tcase_add_test(tc, test_a_retokenisation_goes_a_few_records_at_a_time);
    suite_add_tcase(s, tc);
    return s;
}

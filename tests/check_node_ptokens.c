/*
 * check_node_ptokens.c: the indexer in an OPRF epoch (node/matching/
 * ptokens.c): a record's tokens come from a batch its fill function
 * evaluated (here a keyed BLAKE2b of each OPRF input standing in for the
 * custodians, whose real path test_oprf_lab and test_oprf_epoch drive),
 * the entry carries no name filter, a person whose inputs were not
 * evaluated is refused with nothing published, and a batch kept across
 * fills asks only for what it has not had evaluated.
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "match/anchored.h"
#include "match/prfbatch.h"
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
#define EPOCH 7

#define REC                                                                    \
    "{\"id\":\"R1\",\"kind\":\"domestic_abuse_incident\",\"date\":"            \
    "\"2025-06-14\",\"local_authority\":\"Reading\",\"people\":[{\"ref\":"     \
    "\"c1\",\"role\":\"child\",\"given_name\":\"Mia\",\"family_name\":"        \
    "\"Ward\",\"date_of_birth\":\"2020-09-30\",\"nhs_number\":"                \
    "\"943 476 5919\"}]}"

static char base[1024], sdir[2048];
static struct seen_keys *keys;
static struct seen_tokenizer *tk;
static struct seen_store *store;
static struct seen_indexer ix;
static struct seen_prfbatch *batch;
static uint8_t stand_in_key[32];
static size_t asked; /* inputs the fill function was asked for */

/* The custodians' stand-in: a keyed hash of each pending input. */
static int
fill(void *ctx, struct seen_prfbatch *b, const char *purpose,
    const char *op)
{
    const uint8_t *const *ins;
    const size_t *lens;
    uint8_t out[SEEN_PRFBATCH_OUT];
    size_t i, from = seen_prfbatch_pending(b);

    (void)ctx;
    (void)op;
    ck_assert_str_eq(purpose, "import");
    seen_prfbatch_inputs(b, &ins, &lens);
    for (i = from; i < seen_prfbatch_count(b); i++) {
        crypto_generichash(out, sizeof out, ins[i], lens[i], stand_in_key,
            sizeof stand_in_key);
        ck_assert_int_eq(seen_prfbatch_set(b, i, out), 0);
        asked++;
    }
    return 0;
}

static void
setup(void)
{

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    ck_assert_ptr_nonnull(
        tk = seen_tokenizer_new_mode(NULL, EPOCH, SEEN_TOKENS_OPRF));
    ck_assert_int_eq(seen_store_open(sdir, keys->sign_pk, keys->record_key, 64,
                         1, &store),
        SEEN_OK);
    ck_assert_int_eq(seen_indexer_init(&ix, store, keys, tk), SEEN_OK);
    ck_assert_ptr_nonnull(batch = seen_prfbatch_new());
    ix.batch = batch;
    ix.fill = fill;
    ix.fill_ctx = NULL;
    randombytes_buf(stand_in_key, sizeof stand_in_key);
    asked = 0;
}

static void
teardown(void)
{

    seen_prfbatch_destroy(&batch);
    seen_store_destroy(&store);
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    tu_rmrf(base);
}

/* The tokens the child of REC must carry under the stand-in. */
static size_t
expected_tokens(const struct seen_record *r, uint8_t *out)
{
    struct seen_token_input in;
    struct seen_prf_input pre[SEEN_TOKENS_MAX];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX];
    size_t n, i, len;

    seen_indexer_token_input(r, &r->people[0], &in);
    n = seen_tokens_inputs(tk, &in, pre, SEEN_TOKENS_MAX);
    ck_assert_uint_gt(n, 0);
    for (i = 0; i < n; i++) {
        len = seen_token_oprf_input(EPOCH, pre[i].rule, pre[i].bytes,
            pre[i].len, buf, sizeof buf);
        ck_assert_uint_gt(len, 0);
        crypto_generichash(prf[i], SEEN_PRF_OUTPUT, buf, len, stand_in_key,
            sizeof stand_in_key);
    }
    if (seen_tokenizer_mode(tk) == SEEN_TOKENS_ANCHORED)
        return seen_tokens_anchored_finish(&in, pre, n,
            (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, out);
    return seen_tokens_finish(pre, n, (const uint8_t(*)[SEEN_PRF_OUTPUT])prf,
        out);
}

/* Both encodings of an OPRF epoch: whole values, and anchored. */
START_TEST(test_oprf_entry_is_made_from_the_batch_with_no_filter)
{
    struct seen_index_stats st = {0};
    struct seen_record *r;
    struct seen_txn *t;
    Seen__FeedEntry *fe;
    Seen__IndexEntry *e;
    uint8_t want[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t nwant;

    if (_i == SEEN_TOKENS_ANCHORED) {
        seen_tokenizer_destroy(&tk);
        ck_assert_ptr_nonnull(
            tk = seen_tokenizer_new_mode(NULL, EPOCH, SEEN_TOKENS_ANCHORED));
        ix.tk = tk;
    }
    ck_assert_int_eq(seen_record_parse(REC, strlen(REC), &r, NULL, NULL), 0);
    ck_assert_int_eq(seen_indexer_oprf(&ix), 1);
    ck_assert_int_eq(seen_indexer_batch_record(&ix, r), 0);
    ck_assert_uint_gt(seen_prfbatch_count(batch), 0);
    ck_assert_int_eq(seen_indexer_batch_fill(&ix, "import", "lead"), 0);
    ck_assert_uint_eq(asked, seen_prfbatch_count(batch));
    /* Anchored: the NHS number and the six anchors, nothing else. */
    if (_i == SEEN_TOKENS_ANCHORED)
        ck_assert_uint_eq(asked, 7);
    else
        ck_assert_uint_gt(asked, 20);
    t = tu_begin(store, 1);
    ck_assert_int_eq(seen_indexer_apply(&ix, t, r, NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.entries, 1);

    t = tu_begin(store, 0);
    ck_assert_int_eq(seen_index_entry(t, ix.own, 0, &fe), SEEN_OK);
    seen_store_abort(t);
    e = fe->entry;
    ck_assert_uint_eq(e->name_bloom.len, 0);
    ck_assert_uint_eq(e->epoch, EPOCH);
    nwant = expected_tokens(r, want);
    ck_assert_uint_eq(e->tokens.len, nwant * SEEN_TOKEN_ITEM);
    ck_assert_mem_eq(e->tokens.data, want, nwant * SEEN_TOKEN_ITEM);
    seen__feed_entry__free_unpacked(fe, NULL);
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_oprf_person_not_evaluated_is_refused)
{
    struct seen_index_stats st = {0};
    struct seen_record *r;
    struct seen_txn *t;
    uint64_t n;

    ck_assert_int_eq(seen_record_parse(REC, strlen(REC), &r, NULL, NULL), 0);
    /* Batched but never filled: no output for any input. */
    ck_assert_int_eq(seen_indexer_batch_record(&ix, r), 0);
    t = tu_begin(store, 1);
    tu_quiet(NULL);
    ck_assert_int_eq(seen_indexer_apply(&ix, t, r, NOW, &st), SEEN_ENOTFOUND);
    tu_loud();
    seen_store_abort(t);
    t = tu_begin(store, 0);
    ck_assert_int_eq(seen_feed_size(t, ix.own, &n), SEEN_OK);
    seen_store_abort(t);
    ck_assert_uint_eq(n, 0);
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_oprf_batch_kept_across_fills_asks_only_new_inputs)
{
    struct seen_record *r;
    size_t first;

    ck_assert_int_eq(seen_record_parse(REC, strlen(REC), &r, NULL, NULL), 0);
    ck_assert_int_eq(seen_indexer_batch_record(&ix, r), 0);
    ck_assert_int_eq(seen_indexer_batch_fill(&ix, "import", NULL), 0);
    first = asked;
    /* The same record again (a later request of one import): nothing new
     * to ask. */
    ck_assert_int_eq(seen_indexer_batch_record(&ix, r), 0);
    ck_assert_int_eq(seen_indexer_batch_fill(&ix, "import", NULL), 0);
    ck_assert_uint_eq(asked, first);
    seen_indexer_batch_clear(&ix);
    ck_assert_uint_eq(seen_prfbatch_count(batch), 0);
    ck_assert_int_eq(seen_indexer_batch_record(&ix, r), 0);
    ck_assert_int_eq(seen_indexer_batch_fill(&ix, "import", NULL), 0);
    ck_assert_uint_eq(asked, 2 * first);
    /* A NULL indexer is no OPRF epoch, and clearing it does nothing. */
    ck_assert_int_eq(seen_indexer_oprf(NULL), 0);
    seen_indexer_batch_clear(NULL);
    seen_record_destroy(&r);
}
END_TEST

Suite *
node_ptokens_suite(void)
{
    Suite *s = suite_create("node_ptokens");
    TCase *tc = tcase_create("ptokens");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc,
        test_oprf_entry_is_made_from_the_batch_with_no_filter,
        SEEN_TOKENS_OPRF, SEEN_TOKENS_ANCHORED + 1);
    tcase_add_test(tc, test_oprf_person_not_evaluated_is_refused);
    tcase_add_test(tc, test_oprf_batch_kept_across_fills_asks_only_new_inputs);
    suite_add_tcase(s, tc);
    return s;
}

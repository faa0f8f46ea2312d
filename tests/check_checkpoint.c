/*
 * check_checkpoint.c: checkpoints (proto/checkpoint.[ch]), signed,
 * verified, encoded and kept per origin in the store (storage/feed.[ch]);
 * the receiver's checks of a feed leaf (proto/feed_entry.[ch]); and a
 * replay of the checkpoint and feed-entry fuzzers' seeds and of the inputs
 * that once broke them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "match/tokens.h"
#include "proto/checkpoint.h"
#include "proto/feed_entry.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

/* The checkpoint harness, under its own name so that every suite links
 * into one runner; its seeds replay through it below. */
#define LLVMFuzzerTestOneInput fuzz_checkpoint_one
#include "tests/fuzz/fuzz_checkpoint.c"
#undef LLVMFuzzerTestOneInput

#define MAP_MB 16
#define NOW 1750000000ull

/* ---- fixture: origins A and C ---- */

static struct seen_keys *A, *C;

static void
setup(void)
{

    ck_assert_ptr_nonnull(A = seen_keys_generate());
    ck_assert_ptr_nonnull(C = seen_keys_generate());
}

static void
teardown(void)
{

    seen_keys_destroy(&A);
    seen_keys_destroy(&C);
}

/*
 * Open the store in ${dir} of the node ${node} under the record key
 * ${rkey}, making it if ${create}.  The caller destroys it.
 */
static struct seen_store *
store_at(const char *dir, const uint8_t node[32], const uint8_t rkey[32],
    int create)
{
    struct seen_store *st = NULL;

    ck_assert_int_eq(
        seen_store_open(dir, node, rkey, MAP_MB, create, &st), SEEN_OK);
    return st;
}

/* ---- checkpoints ---- */

START_TEST(test_checkpoint_signs_and_verifies)
{
    Seen__Checkpoint c, *d;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], m[SEEN_CHECKPOINT_MSG_BYTES];
    uint8_t *enc;
    size_t len;

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 1234, root, NOW), SEEN_OK);
    ck_assert_mem_eq(c.origin.data, A->sign_pk, 32);
    ck_assert_mem_eq(c.root.data, root, 32);
    ck_assert_uint_eq(c.size, 1234);
    ck_assert_uint_eq(c.time, NOW);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);

    /* The signed message is exactly the documented one. */
    memcpy(m, A->sign_pk, 32);
    seen_be64(m + 32, 1234);
    memcpy(m + 40, root, 32);
    seen_be64(m + 72, NOW);
    ck_assert_int_eq(seen_verify(c.signature.data,
                         "seen-feed-checkpoint-v1", m, sizeof m, A->sign_pk),
        0);

    /* Encoded and decoded, it still verifies. */
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(enc, len, &d), SEEN_OK);
    ck_assert_uint_eq(d->size, 1234);
    ck_assert_int_eq(seen_checkpoint_verify(d, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    seen_checkpoint_destroy(&d);
    {
        Seen__Checkpoint *none = NULL;

        seen_checkpoint_destroy(NULL);
        seen_checkpoint_destroy(&none);
        seen_checkpoint_destroy(&none);
    }
    free(enc);
}
END_TEST

/* The vector of docs/protocol.md, checked there with another library. */
START_TEST(test_checkpoint_signature_matches_the_documented_vector)
{
    static const char want[] =
        "e459b0fed466a2f139429715529d3a5b8603eaa81fab0b22659eb82dabd826df"
        "fbe96926ecfa7d3c2d0b5b06fda65f73a9b1306de67da8bfad641eb7afcc570b";
    static const char want_pk[] =
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    Seen__Checkpoint c;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], seed[32];
    char hex[129];
    int i;

    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    ck_assert_int_eq(crypto_sign_seed_keypair(A->sign_pk, A->sign_sk, seed),
        0);
    memset(root, 0x11, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 5, root, 1750000000), SEEN_OK);
    sodium_bin2hex(hex, sizeof hex, c.origin.data, 32);
    ck_assert_str_eq(hex, want_pk);
    sodium_bin2hex(hex, sizeof hex, c.signature.data, 64);
    ck_assert_str_eq(hex, want);
}
END_TEST

START_TEST(test_checkpoint_under_wrong_domain_or_altered_fails)
{
    Seen__Checkpoint c;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 9, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_XLOG_CHECKPOINT),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_checkpoint_verify(&c, ""), SEEN_EAUTH);
    buf[32] ^= 0x01;  /* the root */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    buf[32] ^= 0x01;
    c.size = 10;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    c.size = 9;
    c.time = NOW + 1;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    c.time = NOW;
    memcpy(buf, C->sign_pk, 32);  /* claims another origin */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    memcpy(buf, A->sign_pk, 32);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    c.root.len = 31;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    c.root.len = 32;
    c.signature.len = 63;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_verify(NULL, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
}
END_TEST

START_TEST(test_checkpoint_decode_refuses_malformed_bytes)
{
    Seen__Checkpoint c, *d = NULL;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32] = {0}, *enc;
    size_t len, i;

    ck_assert_int_eq(seen_checkpoint_decode(NULL, 0, &d), SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_decode((const uint8_t *)"\xff", 1, &d),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 1, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    /* The signature is the last field: no prefix is well formed. */
    for (i = 0; i < len; i++)
        ck_assert_int_eq(seen_checkpoint_decode(enc, i, &d), SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_decode(enc, len, &d), SEEN_OK);
    seen_checkpoint_destroy(&d);
    free(enc);
    c.origin.len = 0;
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_EINVAL);
}
END_TEST

START_TEST(test_feed_checkpoint_is_kept_per_origin_in_the_store)
{
    Seen__Checkpoint c, *d;
    struct seen_txn *txn;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *enc, *enc2;
    const uint8_t *got;
    size_t len, len2, glen;
    uint32_t ia, ic;
    char base[1024], sdir[2048];
    uint8_t node[32], rkey[32];
    struct seen_store *store;

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    randombytes_buf(node, sizeof node);
    randombytes_buf(rkey, sizeof rkey);
    store = store_at(sdir, node, rkey, 1);
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_store_origin(txn, A->sign_pk, 1, &ia), SEEN_OK);
    ck_assert_int_eq(seen_store_origin(txn, C->sign_pk, 1, &ic), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 5, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia, enc, len), SEEN_OK);
    /* A's checkpoint is not C's, and garbage is not a checkpoint. */
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ic, enc, len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia,
                         (const uint8_t *)"junk", 4), SEEN_EINVAL);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, 999, enc, len),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);

    /* Durable, and a later one replaces it. */
    seen_store_destroy(&store);
    store = store_at(sdir, node, rkey, 0);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen), SEEN_OK);
    ck_assert_uint_eq(glen, len);
    ck_assert_mem_eq(got, enc, len);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ic, &got, &glen),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 6, root, NOW + 1), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc2, &len2), SEEN_OK);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia, enc2, len2), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(got, glen, &d), SEEN_OK);
    ck_assert_uint_eq(d->size, 6);
    ck_assert_int_eq(seen_checkpoint_verify(d, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    seen_checkpoint_destroy(&d);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    free(enc);
    free(enc2);
    seen_store_destroy(&store);
    tu_rmrf(base);
}
END_TEST

/* ---- feed leaves ---- */

static uint8_t fe_origin[32], fe_handle[16], fe_group[16];
static uint8_t fe_bloom[SEEN_BLOOM_BYTES];
static uint8_t fe_tokens[(SEEN_TOKENS_MAX + 1) * SEEN_TOKEN_ITEM];

/* A valid leaf holding an entry with ${n} sorted tokens. */
static void
leaf_entry(Seen__FeedEntry *fe, Seen__IndexEntry *e, size_t n)
{
    size_t i;

    seen__feed_entry__init(fe);
    seen__index_entry__init(e);
    memset(fe_origin, 0xa1, sizeof fe_origin);
    memset(fe_handle, 0xb2, sizeof fe_handle);
    memset(fe_group, 0xc3, sizeof fe_group);
    memset(fe_tokens, 0, sizeof fe_tokens);
    for (i = 0; i <= SEEN_TOKENS_MAX; i++) {
        fe_tokens[i * SEEN_TOKEN_ITEM] = (uint8_t)(1 + i / 8);
        fe_tokens[i * SEEN_TOKEN_ITEM + 1] = (uint8_t)(i % 8);
    }
    fe->origin = (ProtobufCBinaryData){32, fe_origin};
    fe->body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe->entry = e;
    e->handle = (ProtobufCBinaryData){16, fe_handle};
    e->group = (ProtobufCBinaryData){16, fe_group};
    e->tokens = (ProtobufCBinaryData){n * SEEN_TOKEN_ITEM, fe_tokens};
    e->name_bloom = (ProtobufCBinaryData){SEEN_BLOOM_BYTES, fe_bloom};
}

START_TEST(test_feed_entry_check_accepts_well_formed_leaves)
{
    Seen__FeedEntry fe;
    Seen__IndexEntry e;
    Seen__Retraction r = SEEN__RETRACTION__INIT;
    Seen__FeedEntry *d;
    uint8_t *enc;
    size_t len;

    leaf_entry(&fe, &e, 5);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    leaf_entry(&fe, &e, 0);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    leaf_entry(&fe, &e, SEEN_TOKENS_MAX);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);

    /* ...also as a receiver has it, decoded from the wire. */
    len = seen__feed_entry__get_packed_size(&fe);
    ck_assert_ptr_nonnull(enc = malloc(len));
    ck_assert_uint_eq(seen__feed_entry__pack(&fe, enc), len);
    ck_assert_ptr_nonnull(d = seen__feed_entry__unpack(NULL, len, enc));
    ck_assert_int_eq(seen_feed_entry_check(d), 0);
    seen__feed_entry__free_unpacked(d, NULL);
    free(enc);

    fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
    fe.retraction = &r;
    r.handle = (ProtobufCBinaryData){16, fe_handle};
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
}
END_TEST

START_TEST(test_feed_entry_check_refuses_wrong_sizes_and_orders)
{
    Seen__FeedEntry fe;
    Seen__IndexEntry e;
    Seen__Retraction r = SEEN__RETRACTION__INIT;

    ck_assert_int_eq(seen_feed_entry_check(NULL), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.origin.len = 31;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.body_case = SEEN__FEED_ENTRY__BODY__NOT_SET;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.handle.len = 15;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.group.len = 0;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.name_bloom.len = 127;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.tokens.len -= 1;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, SEEN_TOKENS_MAX + 1);
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    /* Out of order, and a duplicate. */
    leaf_entry(&fe, &e, 3);
    fe_tokens[16] = 0xff;                  /* item 0: 01 00 .. ff */
    fe_tokens[SEEN_TOKEN_ITEM + 1] = 0x00; /* item 1: 01 00 .. 00 < item 0 */
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    memcpy(fe_tokens + 2 * SEEN_TOKEN_ITEM, fe_tokens + SEEN_TOKEN_ITEM,
        SEEN_TOKEN_ITEM);
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.entry = NULL;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);

    leaf_entry(&fe, &e, 3);
    fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
    fe.retraction = &r;
    r.handle = (ProtobufCBinaryData){17, fe_tokens};
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    fe.retraction = NULL;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Run one input through what the feed-entry fuzzer runs; return 1 if
 * accepted. */
static int
run_feed_entry(const uint8_t *buf, size_t len)
{
    Seen__FeedEntry *fe;
    int rc;

    if ((fe = seen__feed_entry__unpack(NULL, len, buf)) == NULL)
        return 0;
    rc = seen_feed_entry_check(fe);
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc == 0;
}

START_TEST(test_feed_entry_seeds_pass_and_regressions_do_not_crash)
{
    size_t n, ok;

    ok = tu_replay_fuzz("feed_entry", run_feed_entry, &n);
    ck_assert_uint_ge(n, 2);
    ck_assert_uint_ge(ok, 2);
}
END_TEST

/* Run one seed through the harness; 1 if it is a checkpoint that
 * verifies under either domain. */
static int
run_checkpoint(const uint8_t *buf, size_t len)
{
    Seen__Checkpoint *c;
    int ok;

    ck_assert_int_eq(fuzz_checkpoint_one(buf, len), 0);
    if (seen_checkpoint_decode(buf, len, &c) != 0)
        return 0;
    ok = seen_checkpoint_verify(c, SEEN_DOMAIN_FEED_CHECKPOINT) == 0 ||
         seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) == 0;
    seen_checkpoint_destroy(&c);
    return ok;
}

START_TEST(test_checkpoint_seeds_verify_only_when_signed)
{
    size_t n, ok;

    /* Two signed seeds (one per domain) and one with a flipped signature
     * byte: exactly two verify. */
    ok = tu_replay_fuzz("checkpoint", run_checkpoint, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(ok, 2);
}
END_TEST

Suite *
checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc;

    tc = tcase_create("checkpoint");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_checkpoint_signs_and_verifies);
    tcase_add_test(tc,
        test_checkpoint_signature_matches_the_documented_vector);
    tcase_add_test(tc, test_checkpoint_under_wrong_domain_or_altered_fails);
    tcase_add_test(tc, test_checkpoint_decode_refuses_malformed_bytes);
    tcase_add_test(tc, test_feed_checkpoint_is_kept_per_origin_in_the_store);
    suite_add_tcase(s, tc);

    tc = tcase_create("feedcheck");
    tcase_add_test(tc, test_feed_entry_check_accepts_well_formed_leaves);
    tcase_add_test(tc, test_feed_entry_check_refuses_wrong_sizes_and_orders);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_test(tc,
        test_feed_entry_seeds_pass_and_regressions_do_not_crash);
    tcase_add_test(tc, test_checkpoint_seeds_verify_only_when_signed);
    suite_add_tcase(s, tc);

    return s;
}

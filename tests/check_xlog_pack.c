/*
 * check_xlog_pack.c: ENTRIES leaves of the exchange log stored packed
 * (xlog/pack.c over storage/mlog_pack.c): once the feed holds the leaves
 * an ENTRIES carried, the log keeps references to them, and every read
 * of the leaf (one leaf, a caller's buffer, a walk, a proof, after the
 * store is opened again) gives the bytes appended, under the same root;
 * a leaf that is not the feed's stays in the log as it is; a leaf of
 * another kind is left alone; a packed value that refers to a leaf the
 * store lacks is a damaged store, not other bytes.
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "proto/envelope.h"
#include "storage/feed.h"
#include "storage/mlog.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define LLVMFuzzerTestOneInput fuzz_mlog_pack_one
#include "tests/fuzz/fuzz_mlog_pack.c"

#define NOW 1750000000ull
#define NLEAVES 6
#define LEAF_BYTES 700
#define ODD 3 /* the leaf the ENTRIES carries that is not the feed's */

static char base[1024], sdir[2048];
static struct seen_keys *me, *peer;
static struct seen_store *store;
static uint8_t leaves[NLEAVES][LEAF_BYTES];
static uint32_t oidx;

static void
open_store(int create)
{

    ck_assert_int_eq(seen_store_open(sdir, me->sign_pk, me->record_key, 64,
                         create, &store),
        SEEN_OK);
}

/* The peer's feed of NLEAVES leaves, held by this node. */
static void
setup(void)
{
    struct seen_txn *t;
    size_t i;

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(me = seen_keys_generate());
    ck_assert_ptr_nonnull(peer = seen_keys_generate());
    open_store(1);
    randombytes_buf(leaves, sizeof leaves);
    for (i = 0; i < NLEAVES; i++)
        leaves[i][0] = 0x0a; /* as a FeedEntry begins */
    t = tu_begin(store, 1);
    ck_assert_int_eq(seen_store_origin(t, peer->sign_pk, 1, &oidx), SEEN_OK);
    for (i = 0; i < NLEAVES; i++)
        ck_assert_int_eq(
            seen_feed_append(t, oidx, leaves[i], LEAF_BYTES, NULL), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    seen_keys_destroy(&me);
    seen_keys_destroy(&peer);
    tu_rmrf(base);
}

/* Every sender is an active member, for opening envelopes here. */
static int
any_member(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return 1;
}

/* Seal a message of ${type} (${body}, ${blen} bytes) from the peer to
 * this node and log it as received in ${t}; returns its position. */
static uint64_t
receive(struct seen_txn *t, int type, const uint8_t *body, size_t blen)
{
    struct seen_envelope_view v;
    uint8_t *env = NULL;
    uint64_t at;
    size_t len;

    ck_assert_int_eq(seen_envelope_seal(peer, me->sign_pk, type, body, blen,
                         NULL, NOW, &env, &len),
        SEEN_OK);
    ck_assert_int_eq(
        seen_envelope_open(env, len, me->sign_pk, any_member, NULL, NOW, &v),
        SEEN_OK);
    ck_assert_int_eq(seen_xlog_received(t, me, &v, NOW, &at), SEEN_OK);
    seen_envelope_release(&v);
    free(env);
    return at;
}

/* Log as received in ${t} an ENTRIES of the peer's feed from 0: its
 * leaves, but leaf ODD changed; returns its position. */
static uint64_t
receive_entries(struct seen_txn *t)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    ProtobufCBinaryData lv[NLEAVES];
    uint8_t odd[LEAF_BYTES], *body;
    size_t i, blen;
    uint64_t at;

    memcpy(odd, leaves[ODD], LEAF_BYTES);
    odd[LEAF_BYTES / 2] ^= 1;
    for (i = 0; i < NLEAVES; i++)
        lv[i] = (ProtobufCBinaryData){LEAF_BYTES, i == ODD ? odd : leaves[i]};
    e.origin = (ProtobufCBinaryData){32, peer->sign_pk};
    e.from = 0;
    e.n_leaves = NLEAVES;
    e.leaves = lv;
    blen = seen__entries__get_packed_size(&e);
    ck_assert_ptr_nonnull(body = malloc(blen));
    seen__entries__pack(&e, body);
    at = receive(t, SEEN__MSG_TYPE__ENTRIES, body, blen);
    free(body);
    return at;
}

/* A copy of leaf ${i} of the log, read in ${t}, into *${out}. */
static size_t
leaf_copy(struct seen_txn *t, uint64_t i, uint8_t **out)
{
    const uint8_t *leaf;
    size_t len;

    ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), SEEN_OK);
    ck_assert_ptr_nonnull(*out = malloc(len));
    memcpy(*out, leaf, len);
    return len;
}

/* The walk's view of leaf ${want}. */
struct walk {
    uint64_t want;
    const uint8_t *expect;
    size_t len;
    int seen;
};

static int
walk_fn(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct walk *w = ctx;

    if (index == w->want) {
        ck_assert_uint_eq(len, w->len);
        ck_assert_mem_eq(leaf, w->expect, len);
        w->seen = 1;
    }
    return 0;
}

/* Every way of reading leaf ${i} in ${t} gives ${expect}, under ${root}. */
static void
reads_as(struct seen_txn *t, uint64_t i, const uint8_t *expect, size_t elen,
    const uint8_t root[32])
{
    struct seen_mlog_buf b = {NULL, 0};
    struct walk w = {i, expect, elen, 0};
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], r[32], h[32];
    const uint8_t *leaf;
    uint64_t size;
    size_t len, plen;

    ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), SEEN_OK);
    ck_assert_uint_eq(len, elen);
    ck_assert_mem_eq(leaf, expect, len);
    ck_assert_int_eq(seen_xlog_leaf_buf(t, i, &b, &leaf, &len), SEEN_OK);
    ck_assert_uint_eq(len, elen);
    ck_assert_mem_eq(leaf, expect, len);
    seen_mlog_buf_free(&b);
    ck_assert_int_eq(seen_xlog_each_leaf(t, walk_fn, &w), SEEN_OK);
    ck_assert_int_eq(w.seen, 1);
    ck_assert_int_eq(seen_xlog_size(t, &size), SEEN_OK);
    ck_assert_int_eq(seen_xlog_root(t, size, r), SEEN_OK);
    ck_assert_mem_eq(r, root, 32);
    ck_assert_int_eq(seen_xlog_inclusion(t, i, size, proof, &plen), SEEN_OK);
    seen_merkle_leaf_hash(h, expect, elen);
    ck_assert_int_eq(
        seen_merkle_verify_inclusion(h, i, size, proof, plen, root), SEEN_OK);
}

START_TEST(test_an_entries_leaf_packed_reads_as_it_was_appended)
{
    const uint8_t *raw;
    uint8_t *orig, root[32];
    uint64_t at, size;
    size_t len, rawlen, saved;
    struct seen_txn *t = tu_begin(store, 1);

    /* Logged in one transaction, packed in a later one, as a node does
     * (the pages freed are then pages written). */
    at = receive_entries(t);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(store, 1);
    len = leaf_copy(t, at, &orig);
    ck_assert_int_eq(seen_xlog_size(t, &size), SEEN_OK);
    ck_assert_int_eq(seen_xlog_root(t, size, root), SEEN_OK);
    ck_assert_int_eq(seen_xlog_pack(t, at, &saved), SEEN_OK);
    /* Five of the six leaves are the feed's; the odd one is kept. */
    ck_assert_uint_gt(saved, (NLEAVES - 2) * LEAF_BYTES);
    ck_assert_uint_lt(saved, (NLEAVES - 1) * LEAF_BYTES);
    ck_assert_int_eq(seen_xlog_leaf_raw(t, at, &raw, &rawlen), SEEN_OK);
    ck_assert_uint_eq(raw[0], 0x00);
    ck_assert_uint_eq(rawlen, len - saved);
    reads_as(t, at, orig, len, root);
    /* Packed already: left as it is. */
    ck_assert_int_eq(seen_xlog_pack(t, at, &saved), SEEN_OK);
    ck_assert_uint_eq(saved, 0);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    /* The same, from the store opened again. */
    seen_store_destroy(&store);
    open_store(0);
    t = tu_begin(store, 0);
    reads_as(t, at, orig, len, root);
    seen_store_abort(t);
    free(orig);
}
END_TEST

START_TEST(test_a_leaf_of_another_kind_is_left_alone)
{
    Seen__Hello h = SEEN__HELLO__INIT;
    const uint8_t *raw;
    uint8_t body[64];
    uint64_t at;
    size_t rawlen, saved;
    struct seen_txn *t = tu_begin(store, 1);

    h.membership_version = 1;
    h.node = (char *)"bravo";
    at = receive(
        t, SEEN__MSG_TYPE__HELLO, body, seen__hello__pack(&h, body));
    ck_assert_int_eq(seen_xlog_pack(t, at, &saved), SEEN_OK);
    ck_assert_uint_eq(saved, 0);
    ck_assert_int_eq(seen_xlog_leaf_raw(t, at, &raw, &rawlen), SEEN_OK);
    ck_assert_uint_ne(raw[0], 0x00);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_a_packed_leaf_referring_to_a_missing_leaf_is_damage)
{
    /* Two bytes of a leaf, then leaf 99 of the peer's feed (6 held). */
    uint8_t bad[] = {0x00, 0x50, 0x01, 0x02, 0x08, 0x03, 0x02, 0x00, 99,
        0x10};
    uint8_t k[8];
    struct seen_mlog_buf b = {NULL, 0};
    const uint8_t *leaf;
    size_t len, saved;
    uint64_t at;
    struct seen_txn *t = tu_begin(store, 1);

    at = receive_entries(t);
    ck_assert_int_eq(seen_xlog_pack(t, at, &saved), SEEN_OK);
    bad[7] = (uint8_t)oidx;
    seen_be64(k, at);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_XLOG, k, 8, bad, sizeof bad), SEEN_OK);
    ck_assert_int_eq(seen_xlog_leaf(t, at, &leaf, &len), SEEN_ECORRUPT);
    ck_assert_int_eq(seen_xlog_leaf_buf(t, at, &b, &leaf, &len), SEEN_ECORRUPT);
    seen_mlog_buf_free(&b);
    /* Cut short, or of an unknown segment. */
    bad[2] = 0x07;
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_XLOG, k, 8, bad, sizeof bad), SEEN_OK);
    ck_assert_int_eq(seen_xlog_leaf(t, at, &leaf, &len), SEEN_ECORRUPT);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_XLOG, k, 8, bad, 5), SEEN_OK);
    ck_assert_int_eq(seen_xlog_leaf(t, at, &leaf, &len), SEEN_ECORRUPT);
    seen_store_abort(t);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* The seeds: a leaf stored whole, two packed values that unpack, and one
 * of each way a damaged one is refused. */
START_TEST(test_fuzz_seeds_unpack_or_are_refused_and_regressions_run)
{
    size_t n;

    /* The harness aborts when its own reading of the format disagrees. */
    ck_assert_uint_eq(tu_replay_fuzz("mlog_pack", mlog_pack_one, &n), 2);
    ck_assert_uint_eq(n, 8);
}
END_TEST

Suite *
xlog_pack_suite(void)
{
    Suite *s = suite_create("xlog_pack");
    TCase *tc = tcase_create("pack");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_an_entries_leaf_packed_reads_as_it_was_appended);
    tcase_add_test(tc, test_a_leaf_of_another_kind_is_left_alone);
    tcase_add_test(
        tc, test_a_packed_leaf_referring_to_a_missing_leaf_is_damage);
    suite_add_tcase(s, tc);
    tc = tcase_create("regress");
    tcase_add_test(
        tc, test_fuzz_seeds_unpack_or_are_refused_and_regressions_run);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * check_storage_migrate.c: a store written by format 1 (one key per Merkle
 * hash, leaf hashes included: the layout of commit 6ef38d5) is migrated
 * when opened (storage/migrate.c, seen_mlog_migrate in storage/mlog.c)
 * and every leaf, root and proof of its feeds and exchange log is found
 * as before; a store written by format 2 (the token index keyed by whole
 * tokens, pointing at entry ids: the layout of commit 82a7f36) has its
 * index made again, each entry found by the same tokens; a store written
 * by format 3 (no table of held entries by expiry: the layout of commit
 * 4b46453) gets that table filled; a store written by format 6 (the token
 * index's levels as LMDB duplicates: the layout of commit 42f80ab) has
 * them moved into blocks, each posting found and removed as before, and
 * loses nothing when the process migrating it is killed between two of
 * the migration's transactions.  In a real store in a temporary
 * directory.
 */
#include <check.h>
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "crypto/merkle.h"
#include "node/matching/matcher_internal.h"
#include "storage/blocks.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/mlog.h"
#include "storage/retain.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/state.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define MAP_MB 16
#define LEAVES_MAX 300

/* The logs written, of these sizes: the exchange log (0 here) and two
 * feeds (origin numbers 1 and 2). */
static const uint64_t log_size[3] = {77, 200, 33};

/* Leaf ${i} of log ${which}, into ${buf}; returns its length. */
static size_t
make_leaf(uint8_t *buf, int which, uint64_t i)
{

    return (size_t)snprintf((char *)buf, 64, "leaf %llu of log %d",
        (unsigned long long)i, which);
}

/* The key prefix of log ${which} (a feed's origin number; none for the
 * exchange log); returns its length. */
static size_t
log_prefix(uint8_t p[4], int which)
{

    if (which == 0)
        return 0;
    seen_be32(p, (uint32_t)which);
    return 4;
}

/*
 * Write log ${which} of ${n} leaves as format 1 did: each leaf, every
 * subtree hash under prefix level(1) index(8) (leaf hashes at level 0),
 * and the size.  Its leaf hashes go to ${leafhash}.
 */
static void
write_format1_log(struct seen_txn *t, int which, uint64_t n,
    uint8_t leafhash[][32])
{
    static uint8_t level[LEAVES_MAX][32];
    enum seen_db leaves = which ? SEEN_DB_FEEDS : SEEN_DB_XLOG;
    enum seen_db hashes = which ? SEEN_DB_FHASH : SEEN_DB_XHASH;
    uint8_t k[16], leaf[64], size[8];
    uint64_t i, m;
    unsigned int lv;
    size_t plen, len;

    plen = log_prefix(k, which);
    for (i = 0; i < n; i++) {
        len = make_leaf(leaf, which, i);
        seen_be64(k + plen, i);
        ck_assert_int_eq(
            seen_store_put(t, leaves, k, plen + 8, leaf, len), SEEN_OK);
        seen_merkle_leaf_hash(leafhash[i], leaf, len);
        memcpy(level[i], leafhash[i], 32);
    }
    for (lv = 0, m = n; m > 0; lv++, m >>= 1) {
        if (lv > 0)
            for (i = 0; i < m; i++)
                seen_merkle_node_hash(level[i], level[2 * i],
                    level[2 * i + 1]);
        for (i = 0; i < m; i++) {
            k[plen] = (uint8_t)lv;
            seen_be64(k + plen + 1, i);
            ck_assert_int_eq(
                seen_store_put(t, hashes, k, plen + 9, level[i], 32), SEEN_OK);
        }
    }
    seen_be64(size, n);
    if (which)
        ck_assert_int_eq(
            seen_store_put(t, SEEN_DB_FEEDMETA, k, 4, size, 8), SEEN_OK);
    else
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_XSTATE, SEEN_XSTATE_SIZE,
                             strlen(SEEN_XSTATE_SIZE), size, 8),
            SEEN_OK);
}

/* How make_format1_store leaves the store. */
enum format1 {
    FORMAT1_WHOLE,      /* as format 1 wrote it */
    FORMAT1_FHASH_DONE, /* the feeds' hashes migrated already, as by an
                           open cut short after its first step */
    FORMAT1_DAMAGED     /* one of the exchange log's hashes 31 bytes */
};

/* Make the fixture's store and write it as format 1 (${how}); the leaf
 * hashes of the logs go to ${lh}. */
static void
make_format1_store(uint8_t lh[3][LEAVES_MAX][32], enum format1 how)
{
    uint8_t k[9] = {2, 0, 0, 0, 0, 0, 0, 0, 3}, h[31] = {0};
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t fmt[4];
    uint64_t moved;
    int which;

    seen_be32(fmt, 1);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_META, "format", 6, fmt, 4),
        SEEN_OK);
    for (which = 0; which < 3; which++)
        write_format1_log(t, which, log_size[which], lh[which]);
    if (how == FORMAT1_DAMAGED)
        ck_assert_int_eq(
            seen_store_put(t, SEEN_DB_XHASH, k, sizeof k, h, sizeof h),
            SEEN_OK);
    if (how == FORMAT1_FHASH_DONE) {
        ck_assert_int_eq(
            seen_mlog_migrate(t, SEEN_DB_FHASH, &moved), SEEN_OK);
        ck_assert_uint_gt(moved, 0);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}

/* A seen_store_iter_fn failing the test on a key of format 1. */
static int
no_format1_key(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    const uint8_t *k = key;
    uint64_t *n = ctx;

    ck_assert_uint_ge(klen, 9);
    ck_assert_msg(k[klen - 9] & 0x80, "a hash of format 1 is left");
    ck_assert_uint_eq(vlen % 32, 0);
    ck_assert_uint_le(vlen, SEEN_MLOG_TILE_WIDTH * 32);
    (void)val;
    (*n)++;
    return 0;
}

/* The root of log ${which}'s first ${size} leaves, from the store. */
static void
log_root(struct seen_txn *t, int which, uint64_t size, uint8_t root[32])
{

    if (which)
        ck_assert_int_eq(
            seen_feed_root(t, (uint32_t)which, size, root), SEEN_OK);
    else
        ck_assert_int_eq(seen_xlog_root(t, size, root), SEEN_OK);
}

/* The inclusion proof of leaf ${i} of log ${which} in its first ${n}. */
static void
log_inclusion(struct seen_txn *t, int which, uint64_t i, uint64_t n,
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    struct seen_feed_ref ref = {t, (uint32_t)which};

    if (which)
        ck_assert_int_eq(seen_merkle_inclusion_proof(seen_feed_subtree, &ref,
                             i, n, proof, plen),
            SEEN_OK);
    else
        ck_assert_int_eq(seen_xlog_inclusion(t, i, n, proof, plen), SEEN_OK);
}

/* The consistency proof of log ${which} from ${m} leaves to ${n}. */
static void
log_consistency(struct seen_txn *t, int which, uint64_t m, uint64_t n,
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    struct seen_feed_ref ref = {t, (uint32_t)which};

    if (which)
        ck_assert_int_eq(seen_merkle_consistency_proof(seen_feed_subtree,
                             &ref, m, n, proof, plen),
            SEEN_OK);
    else
        ck_assert_int_eq(
            seen_xlog_consistency(t, m, n, proof, plen), SEEN_OK);
}

/* Check every root, leaf and proof of log ${which} of ${n} leaves, whose
 * leaf hashes are ${lh}, against the hashes alone. */
static void
check_log(struct seen_txn *t, int which, uint64_t n, uint8_t lh[][32])
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], want[32], got[32], full[32];
    uint8_t leaf[64], h[32];
    struct seen_merkle_leaves ml = {(const uint8_t(*)[32])lh, 0};
    const uint8_t *lp;
    uint64_t m, i;
    size_t plen, llen;

    log_root(t, which, n, full);
    for (m = 1; m <= n; m++) {
        ml.n = m;
        ck_assert_int_eq(seen_merkle_root_of(seen_merkle_subtree_from_leaves,
                             &ml, m, want),
            SEEN_OK);
        log_root(t, which, m, got);
        ck_assert_msg(memcmp(got, want, 32) == 0, "log %d: root of %llu",
            which, (unsigned long long)m);
        log_consistency(t, which, m, n, proof, &plen);
        ck_assert_int_eq(
            seen_merkle_verify_consistency(m, n, got, full, proof, plen),
            SEEN_OK);
    }
    for (i = 0; i < n; i++) {
        log_inclusion(t, which, i, n, proof, &plen);
        ck_assert_int_eq(
            seen_merkle_verify_inclusion(lh[i], i, n, proof, plen, full),
            SEEN_OK);
        ck_assert_int_eq(which ? seen_feed_leaf(t, (uint32_t)which, i, &lp,
                                     &llen)
                               : seen_xlog_leaf(t, i, &lp, &llen),
            SEEN_OK);
        ck_assert_uint_eq(llen, make_leaf(leaf, which, i));
        ck_assert_mem_eq(lp, leaf, llen);
        seen_merkle_leaf_hash(h, lp, llen);
        ck_assert_mem_eq(h, lh[i], 32);
    }
}

START_TEST(test_store_of_format_1_is_migrated_and_keeps_every_root_and_proof)
{
    static uint8_t lh[3][LEAVES_MAX][32];
    struct seen_store *s;
    struct seen_txn *t;
    const void *v;
    uint8_t leaf[64];
    uint64_t tiles = 0, n, seq;
    size_t vlen, len;
    int which;

    make_format1_store(lh, _i ? FORMAT1_FHASH_DONE : FORMAT1_WHOLE);
    s = tu_store_open(&tu_fixture, MAP_MB, 0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_META, "format", 6, &v, &vlen),
        SEEN_OK);
    ck_assert_uint_eq(vlen, 4);
    ck_assert_uint_eq(seen_rd32(v), SEEN_STORE_FORMAT);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_FHASH, NULL, 0, no_format1_key, &tiles),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_XHASH, NULL, 0, no_format1_key, &tiles),
        SEEN_OK);
    /* 77 leaves: levels 1-6 hold 38, 19, 9, 4, 2, 1 hashes: 3+2+1+1+1+1
     * tiles; 200: 100, 50, 25, 12, 6, 3, 1: 7+4+2+1+1+1+1; 33: 16, 8, 4,
     * 2, 1: 1+1+1+1+1. */
    ck_assert_uint_eq(tiles, 9 + 17 + 5);
    for (which = 0; which < 3; which++)
        check_log(t, which, log_size[which], lh[which]);
    seen_store_abort(t);

    /* The logs go on growing in the new layout, from where they were. */
    t = tu_begin(s, 1);
    for (n = log_size[1]; n < LEAVES_MAX; n++) {
        len = make_leaf(leaf, 1, n);
        ck_assert_int_eq(seen_feed_append(t, 1, leaf, len, &seq), SEEN_OK);
        ck_assert_uint_eq(seq, n);
        seen_merkle_leaf_hash(lh[1][n], leaf, len);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    /* Opened again, nothing is left to migrate and all is still there. */
    s = tu_store_open(&tu_fixture, MAP_MB, 0);
    t = tu_begin(s, 0);
    check_log(t, 1, LEAVES_MAX, lh[1]);
    check_log(t, 0, log_size[0], lh[0]);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* The number of keys of database ${name} of the store at ${dir}, and its
 * format, read with LMDB alone (the store would migrate it). */
static uint64_t
raw_count(const char *dir, const char *name, uint32_t *format)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi, meta;
    MDB_stat st;
    MDB_val k = {6, (void *)(uintptr_t) "format"}, v;

    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 64), 0);
    ck_assert_int_eq(mdb_env_set_mapsize(env, (size_t)MAP_MB << 20), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, name, 0, &dbi), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    ck_assert_int_eq(mdb_stat(txn, dbi, &st), 0);
    ck_assert_int_eq(mdb_get(txn, meta, &k, &v), 0);
    ck_assert_uint_eq(v.mv_size, 4);
    *format = seen_rd32(v.mv_data);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return st.ms_entries;
}

START_TEST(test_store_of_format_1_with_a_damaged_hash_is_refused_whole)
{
    static uint8_t lh[3][LEAVES_MAX][32];
    struct seen_store *s = NULL;
    uint32_t format;
    int i;

    make_format1_store(lh, FORMAT1_DAMAGED);
    /* Refused each time, and the exchange log's 77 + 38 + 19 + 9 + 4 + 2
     * + 1 hashes are left as they were, in format 1. */
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(seen_store_open(tu_fixture.dir, tu_fixture.node_id,
                             tu_fixture.record_key, MAP_MB, 0, &s),
            SEEN_ECORRUPT);
        ck_assert_ptr_null(s);
        ck_assert_uint_eq(raw_count(tu_fixture.dir, "xhash", &format), 150);
        ck_assert_uint_eq(format, 1);
    }
}
END_TEST

/* ---- format 2: the token index ---- */

#define ENTRIES_N 40

/* Blocking token ${k} (rule 1 or 4) of entry ${i}: entries 2j and 2j+1
 * share their rule-4 token. */
static void
entry_token(uint8_t tok[17], int i, int k)
{

    memset(tok, 0, 17);
    tok[0] = k == 0 ? 1 : 4;
    tok[1] = (uint8_t)(k == 0 ? i : i / 2);
    tok[16] = (uint8_t)k;
}

/* Append a leaf of origin 1 holding an entry with ${handle} and the two
 * tokens ${tokens} (17 bytes each) to ${t}'s feed, cut short to 3 bytes
 * when ${cut}, and make it live in SEEN_DB_ENTRIES; its id to ${id}, its
 * position returned. */
static uint64_t
old_entry(struct seen_txn *t, const uint8_t handle[16], uint8_t tokens[34],
    int cut, uint8_t id[20])
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    uint8_t buf[256], origin[32], v[8];
    uint64_t seq;
    size_t len;

    memset(origin, 0x55, sizeof origin);
    ck_assert_int_eq(seen_feed_size(t, 1, &seq), SEEN_OK);
    e.handle = (ProtobufCBinaryData){16, (uint8_t *)handle};
    e.local_authority = (char *)"Reading";
    e.tokens = (ProtobufCBinaryData){34, tokens};
    fe.origin = (ProtobufCBinaryData){32, origin};
    fe.seq = seq;
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &e;
    len = seen__feed_entry__pack(&fe, buf);
    if (cut)
        len = 3; /* the first bytes of the entry: a leaf that does not decode */
    ck_assert_int_eq(seen_feed_append(t, 1, buf, len, &seq), SEEN_OK);
    seen_be32(id, 1);
    memcpy(id + 4, handle, 16);
    seen_be64(v, seq);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_ENTRIES, id, 20, v, 8), SEEN_OK);
    return seq;
}

/* Open the fixture's store again (its map ${map_mb} MiB; migrated as it
 * opens) into *${s}, and
 * begin a transaction (a write one when ${write}) in which it says it is
 * of this build's format. */
static struct seen_txn *
reopened(struct seen_store **s, size_t map_mb, int write)
{
    struct seen_txn *t;
    const void *v;
    size_t vlen;

    *s = tu_store_open(&tu_fixture, map_mb, 0);
    t = tu_begin(*s, write);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_META, "format", 6, &v, &vlen),
        SEEN_OK);
    ck_assert_uint_eq(vlen, 4);
    ck_assert_uint_eq(seen_rd32(v), SEEN_STORE_FORMAT);
    return t;
}

/* Say in ${t} that ${s} is of format ${fmt}, commit, and close it. */
static void
close_as_format(struct seen_store *s, struct seen_txn *t, uint32_t fmt)
{
    uint8_t v[4];

    seen_be32(v, fmt);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_META, "format", 6, v, 4),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}

/* Make the fixture's store as format 2 wrote it: ENTRIES_N entries of
 * origin 1, each with two blocking tokens, indexed under the whole token
 * with the entry id; the last entry's leaf does not decode. */
static void
make_format2_store(void)
{
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t tokens[34], handle[16], id[20];
    int i, k;

    for (i = 0; i < ENTRIES_N; i++) {
        memset(handle, i + 1, 16);
        for (k = 0; k < 2; k++)
            entry_token(tokens + 17 * k, i, k);
        old_entry(t, handle, tokens, i == ENTRIES_N - 1, id);
        for (k = 0; k < 2; k++)
            ck_assert_int_eq(seen_store_put(t, SEEN_DB_INDEX,
                                 tokens + 17 * k, 17, id, 20),
                SEEN_OK);
    }
    close_as_format(s, t, 2);
}

/* Postings found, as positions (a seen_index_fn). */
static int
found(void *ctx, uint32_t oidx, uint64_t seq)
{
    uint64_t *seen = ctx;

    ck_assert_uint_eq(oidx, 1);
    ck_assert_uint_lt(seq, 64);
    *seen |= 1ull << seq;
    return 0;
}

/* A seen_store_iter_fn failing the test on a posting of format 2. */
static int
no_format2_posting(void *ctx, const void *key, size_t klen,
    const void *val, size_t vlen)
{

    (void)key;
    (void)val;
    ck_assert_uint_eq(klen, SEEN_INDEX_KEY_BYTES);
    ck_assert_uint_eq(vlen, SEEN_POSTING_BYTES);
    ++*(uint64_t *)ctx;
    return 0;
}

START_TEST(test_store_of_format_2_has_its_index_made_again)
{
    struct seen_store *s;
    struct seen_txn *t;
    uint8_t tok[17];
    uint64_t seen, n = 0;
    int i;

    make_format2_store();
    t = reopened(&s, MAP_MB, 0);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_INDEX, NULL, 0, no_format2_posting, &n),
        SEEN_OK);
    ck_assert_uint_eq(n, 0); /* format 7: in blocks */
    /* Two postings an entry, but none for the leaf that does not decode. */
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK3, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * (ENTRIES_N - 1));
    for (i = 0; i < ENTRIES_N - 1; i++) {
        seen = 0;
        entry_token(tok, i, 0);
        ck_assert_int_eq(seen_index_lookup(t, tok, found, &seen), SEEN_OK);
        ck_assert_uint_eq(seen, 1ull << i);
        seen = 0;
        entry_token(tok, i, 1);
        ck_assert_int_eq(seen_index_lookup(t, tok, found, &seen), SEEN_OK);
        ck_assert_uint_eq(seen, (3ull << (i & ~1)) & ((1ull << 39) - 1));
    }
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* ---- format 3: the held entries with an expiry ---- */

#define HELD_N 30

/* The expiry of entry ${i} of make_format3_store: none for every third. */
static uint32_t
held_expiry(int i)
{

    return i % 3 == 0 ? 0 : (uint32_t)(100 + i);
}

/* Make the fixture's store as format 3 wrote it: HELD_N entries of origin
 * 1, live but the one retracted (entry 4), and no SEEN_DB_RETAIN at all
 * (dropped from the file with LMDB alone). */
static void
make_format3_store(void)
{
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 1);
    struct seen_txn *t = tu_begin(s, 1);
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    uint8_t tokens[17], buf[256], origin[32], handle[16], fmt[4];
    uint64_t seq;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    size_t len;
    int i;

    memset(origin, 0x55, sizeof origin);
    for (i = 0; i < HELD_N; i++) {
        memset(handle, i + 1, 16);
        entry_token(tokens, i, 0);
        e.handle = (ProtobufCBinaryData){16, handle};
        e.tokens = (ProtobufCBinaryData){17, tokens};
        e.expiry = held_expiry(i);
        fe.origin = (ProtobufCBinaryData){32, origin};
        fe.seq = (uint64_t)i;
        fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
        fe.entry = &e;
        len = seen__feed_entry__pack(&fe, buf);
        ck_assert_int_eq(seen_feed_append(t, 1, buf, len, &seq), SEEN_OK);
        ck_assert_int_eq(seen_index_add(t, 1, seq, &e), SEEN_OK);
    }
    memset(handle, 5, 16);
    ck_assert_int_eq(seen_index_remove(t, 1, handle), SEEN_OK);
    seen_be32(fmt, 3);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_META, "format", 6, fmt, 4),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 64), 0);
    ck_assert_int_eq(mdb_env_set_mapsize(env, (size_t)MAP_MB << 20), 0);
    ck_assert_int_eq(mdb_env_open(env, tu_fixture.dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "retain", 0, &dbi), 0);
    ck_assert_int_eq(mdb_drop(txn, dbi, 1), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of format 3 (before the table of held entries by expiry) gets a
 * key for each live entry with an expiry as it opens, and no other. */
START_TEST(test_store_of_format_3_has_its_held_entries_by_expiry)
{
    struct seen_retain_item *v;
    struct seen_store *s;
    struct seen_txn *t;
    const void *fv;
    size_t n, vlen;
    uint32_t format;
    int i, want = 0;

    make_format3_store();
    ck_assert_uint_eq(raw_count(tu_fixture.dir, "entries", &format),
        HELD_N - 1);
    ck_assert_uint_eq(format, 3);
    s = tu_store_open(&tu_fixture, MAP_MB, 0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_META, "format", 6, &fv, &vlen),
        SEEN_OK);
    ck_assert_uint_eq(seen_rd32(fv), SEEN_STORE_FORMAT);
    /* Due by day 110: entries 1, 2, 5, 7, 8, 10 (4 is retracted, 3, 6, 9
     * keep theirs for ever), in the order of their expiry. */
    ck_assert_int_eq(seen_retain_due(t, 110, 100, &v, &n), SEEN_OK);
    ck_assert_uint_eq(n, 6);
    for (i = 0; i <= 10; i++) {
        if (held_expiry(i) == 0 || i == 4 || held_expiry(i) > 110)
            continue;
        ck_assert_uint_eq(v[want].expiry, held_expiry(i));
        ck_assert_uint_eq(v[want].oidx, 1);
        ck_assert_uint_eq(v[want].seq, (uint64_t)i);
        ck_assert_uint_eq(v[want].handle[0], (unsigned)(i + 1));
        want++;
    }
    ck_assert_int_eq(want, 6);
    free(v);
    ck_assert_int_eq(seen_retain_due(t, 99, 100, &v, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    seen_store_abort(t);
    /* Every live entry with an expiry: two of each three, less one. */
    ck_assert_uint_eq(tu_count(s, SEEN_DB_RETAIN), HELD_N * 2 / 3 - 1);
    seen_store_destroy(&s);
}
END_TEST

/* ---- format 6: the token index's levels as LMDB duplicates ---- */

#define LEVELS_N 700

/* Blocking token ${k} (rule 1 or 4) of entry ${i} of the format 6 store:
 * entries 3j to 3j+2 share their rule-4 token. */
static void
level_token(uint8_t tok[17], int i, int k)
{

    memset(tok, 0, 17);
    tok[0] = k == 0 ? 1 : 4;
    seen_be32(tok + 1, (uint32_t)(k == 0 ? i : i / 3));
    tok[16] = (uint8_t)k;
}

/* The entry id of entry ${i} of origin 1 of the format 6 store. */
static void
level_id(uint8_t id[20], int i)
{

    memset(id, 0, 20);
    seen_be32(id, 1);
    seen_be32(id + 4, (uint32_t)i + 1);
}

/* A link of format 6 from entry ${a} to ${b}: key A(20) B(20) -> weight
 * (8 bytes, IEEE 754 big-endian). */
static void
put_link6(struct seen_txn *t, int a, int b, double w)
{
    uint8_t k[40], v[8];
    uint64_t u;

    level_id(k, a);
    level_id(k + 20, b);
    memcpy(&u, &w, 8);
    seen_be64(v, u);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_LINKS6, k, 40, v, 8), 0);
}

#define EXTRA_FROM 100000 /* the extra links: from entry 100000 + i... */
#define EXTRA_TO 400000   /* ...to entry 400000 + i */

/* The weight of extra link ${i}. */
static double
extra_weight(int i)
{

    return (double)(i % 1000) / 8 - 60;
}

/* Make the fixture's store (its map ${map_mb} MiB) as format 6 wrote
 * it: LEVELS_N entries of origin 1, each with two blocking tokens, entry
 * i's postings in level i % 4 (SEEN_DB_INDEX0, SEEN_DB_INDEX1,
 * SEEN_DB_INDEX2, SEEN_DB_INDEX: LMDB duplicates, rule(1) token(8) ->
 * origin(3) seq(5)), two links and a record's group of two in the
 * layouts of format 6, and ${extra} more links, one way, from entry
 * EXTRA_FROM + i to EXTRA_TO + i. */
static void
make_format6_store(size_t map_mb, int extra)
{
    static const enum seen_db lv[4] = {
        SEEN_DB_INDEX0, SEEN_DB_INDEX1, SEEN_DB_INDEX2, SEEN_DB_INDEX};
    struct seen_store *s = tu_store_open(&tu_fixture, map_mb, 1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t tokens[34], handle[16], id[20], p[8], gk[36];
    uint64_t seq;
    int i, k;

    for (i = 0; i < LEVELS_N; i++) {
        memset(handle, 0, 16);
        seen_be32(handle, (uint32_t)i + 1);
        for (k = 0; k < 2; k++)
            level_token(tokens + 17 * k, i, k);
        seq = old_entry(t, handle, tokens, 0, id);
        memset(p, 0, sizeof p);
        p[2] = 1;
        seen_be32(p + 4, (uint32_t)seq);
        for (k = 0; k < 2; k++)
            ck_assert_int_eq(seen_store_put(t, lv[i % 4], tokens + 17 * k,
                                 SEEN_INDEX_KEY_BYTES, p, 8),
                SEEN_OK);
    }
    /* Links of format 6, both ways: entry 1 with 2 (weight 7.5) and with
     * 3 (-1.25). */
    for (i = 2; i <= 3; i++)
        for (k = 0; k < 2; k++)
            put_link6(t, k ? i : 1, k ? 1 : i, i == 2 ? 7.5 : -1.25);
    /* A record of entries 1 and 2, in format 6's groups. */
    for (i = 1; i <= 2; i++) {
        memset(gk, 'g', 16);
        level_id(gk + 16, i);
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_GROUPS6, gk, 36, "", 0), 0);
    }
    for (i = 0; i < extra; i++)
        put_link6(t, EXTRA_FROM + i, EXTRA_TO + i, extra_weight(i));
    close_as_format(s, t, 6);
}

/* Postings found, as a set of positions (a seen_index_fn). */
static int
found_level(void *ctx, uint32_t oidx, uint64_t seq)
{
    uint8_t *seen = ctx;

    ck_assert_uint_eq(oidx, 1);
    ck_assert_uint_lt(seq, LEVELS_N);
    ck_assert_uint_eq(seen[seq], 0);
    seen[seq] = 1;
    return 0;
}

/* Entry ${i} (of a store made by make_format6_store) is found by both
 * its tokens when ${live}, and by neither otherwise. */
static void
assert_found(struct seen_txn *t, int i, int live)
{
    uint8_t tok[17], seen[LEVELS_N];
    int k;

    for (k = 0; k < 2; k++) {
        memset(seen, 0, sizeof seen);
        level_token(tok, i, k);
        ck_assert_int_eq(seen_index_lookup(t, tok, found_level, seen), 0);
        ck_assert_uint_eq(seen[i], (unsigned)live);
    }
}

/* A store of format 6 has the postings of its levels after the first
 * moved into blocks as it opens; each is found as before, and removed
 * from its block with its entry. */
START_TEST(test_store_of_format_6_has_its_index_levels_moved_into_blocks)
{
    struct seen_store *s;
    struct seen_txn *t;
    uint8_t handle[16], tok[17], seen[LEVELS_N], a[20], b[20], g[16];
    struct nbrs nb = {0};
    struct idset set = {0};
    uint64_t n;
    int i, j;

    make_format6_store(MAP_MB, 0);
    t = reopened(&s, MAP_MB, 1);
    /* Levels 1 to 3 moved, in blocks; level 0 left as it was. */
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX1), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX2), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX), 0);
    /* Each into its level of blocks: a quarter of the entries each. */
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK1, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * (LEVELS_N / 4));
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK2, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * (LEVELS_N / 4));
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK3, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * (LEVELS_N / 4));
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * LEVELS_N);
    ck_assert_uint_gt(tu_count(s, SEEN_DB_IBLOCK3),
        2 * (LEVELS_N / 4) / SEEN_BLOCK_RECS);
    /* Every entry found by each of its tokens, the shared one with the
     * others that share it, whatever level each came from. */
    for (i = 0; i < LEVELS_N; i++) {
        assert_found(t, i, 1);
        memset(seen, 0, sizeof seen);
        level_token(tok, i, 1);
        ck_assert_int_eq(seen_index_lookup(t, tok, found_level, seen), 0);
        for (j = 0; j < LEVELS_N; j++)
            ck_assert_uint_eq(seen[j], j / 3 == i / 3);
    }
    /* The links, by their first end, with their weights. */
    ck_assert_uint_eq(tu_count(s, SEEN_DB_LINKS6), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_LINKS), 4);
    level_id(a, 1);
    ck_assert_int_eq(links_weighted(t, a, -10, &nb), 0);
    ck_assert_uint_eq(nb.n, 2);
    level_id(b, 2);
    ck_assert_mem_eq(nb.v[0].id, b, 20);
    ck_assert(nb.v[0].w == 7.5);
    level_id(b, 3);
    ck_assert_mem_eq(nb.v[1].id, b, 20);
    ck_assert(nb.v[1].w == -1.25);
    free(nb.v);
    nb = (struct nbrs){0};
    ck_assert_int_eq(links_weighted(t, b, -10, &nb), 0);
    ck_assert_uint_eq(nb.n, 1);
    ck_assert_mem_eq(nb.v[0].id, a, 20);
    free(nb.v);
    /* The group, by its id. */
    ck_assert_uint_eq(tu_count(s, SEEN_DB_GROUPS6), 0);
    memset(g, 'g', 16);
    ck_assert_int_eq(persons_group(t, g, &set), 0);
    ck_assert_uint_eq(set.n, 2);
    level_id(b, 1);
    ck_assert_mem_eq(set.v[0], b, 20);
    level_id(b, 2);
    ck_assert_mem_eq(set.v[1], b, 20);
    free(set.v);
    /* Removed: from a block (entries 1 to 3) and from level 0 (4). */
    for (i = 1; i <= 4; i++) {
        memset(handle, 0, 16);
        seen_be32(handle, (uint32_t)i + 1);
        ck_assert_int_eq(seen_index_remove(t, 1, handle), SEEN_OK);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 0);
    for (i = 0; i < 8; i++)
        assert_found(t, i, i < 1 || i > 4);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * (LEVELS_N - 4));
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

#define KILL_LINKS (3 * 65536 + 321) /* four of the migration's chunks */
#define KILL_MAP_MB 64

/* Whether the store at ${dir}, of format 6 still, has some of its links
 * moved and some not: a migration cut between two of its transactions. */
static int
cut_midway(const char *dir)
{
    uint32_t fmt, fmt2;
    uint64_t moved = raw_count(dir, "linked", &fmt),
             left = raw_count(dir, "links", &fmt2);

    return fmt == 6 && moved > 0 && left > 0;
}

/* A store of format 6 whose migration is killed (SIGKILL, in a process
 * of its own) once some of its transactions have committed opens again,
 * goes on from where it was, and loses nothing: every posting found,
 * every link with its weight, the group whole. */
START_TEST(test_store_of_format_6_killed_while_migrating_loses_nothing)
{
    struct seen_store *s;
    struct seen_txn *t;
    struct nbrs nb = {0};
    struct idset set = {0};
    uint8_t a[20], g[16];
    uint64_t n;
    pid_t pid;
    int i, st, tries, cut = 0;

    for (tries = 0; tries < 3 && !cut; tries++) {
        tu_rmrf(tu_fixture.dir);
        make_format6_store(KILL_MAP_MB, KILL_LINKS);
        ck_assert_int_ge(pid = fork(), 0);
        if (pid == 0) {
            s = tu_store_open(&tu_fixture, KILL_MAP_MB, 0);
            seen_store_destroy(&s);
            _exit(0);
        }
        /* Kill it as soon as a transaction of the links has committed
         * and another is still to come. */
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (cut_midway(tu_fixture.dir)) {
                kill(pid, SIGKILL);
                ck_assert_int_eq(waitpid(pid, &st, 0), pid);
                ck_assert(WIFSIGNALED(st));
                cut = cut_midway(tu_fixture.dir);
                break;
            }
            usleep(200);
        }
        if (!cut) /* it ended first: it must have ended well */
            ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    ck_assert_msg(cut, "the migration ended before it could be killed in "
                       "the middle, three times");
    t = reopened(&s, KILL_MAP_MB, 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_LINKS6), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_LINKS), 4 + KILL_LINKS);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_GROUPS6), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX1), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX2), 0);
    ck_assert_uint_eq(tu_count(s, SEEN_DB_INDEX), 0);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * LEVELS_N);
    for (i = 0; i < LEVELS_N; i++)
        assert_found(t, i, 1);
    /* Every link, once, at its first end, with its weight. */
    for (i = 0; i < KILL_LINKS; i++) {
        level_id(a, EXTRA_FROM + i);
        ck_assert_int_eq(links_weighted(t, a, -100, &nb), 0);
        ck_assert_uint_eq(nb.n, 1);
        level_id(a, EXTRA_TO + i);
        ck_assert_mem_eq(nb.v[0].id, a, 20);
        ck_assert(nb.v[0].w == extra_weight(i));
        nb.n = 0;
    }
    free(nb.v);
    memset(g, 'g', 16);
    ck_assert_int_eq(persons_group(t, g, &set), 0);
    ck_assert_uint_eq(set.n, 2);
    free(set.v);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_migrate_suite(void)
{
    Suite *su = suite_create("storage_migrate");
    TCase *tc = tcase_create("migrate");

    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_loop_test(tc,
        test_store_of_format_1_is_migrated_and_keeps_every_root_and_proof, 0,
        2);
    tcase_add_test(
        tc, test_store_of_format_1_with_a_damaged_hash_is_refused_whole);
    tcase_add_test(tc, test_store_of_format_2_has_its_index_made_again);
    tcase_add_test(tc, test_store_of_format_3_has_its_held_entries_by_expiry);
    tcase_add_test(tc, test_store_of_format_6_killed_while_migrating_loses_nothing);
    tcase_add_test(
        tc, test_store_of_format_6_has_its_index_levels_moved_into_blocks);
    suite_add_tcase(su, tc);
    return su;
}

#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/log.h"
#include "proto/checkpoint.h"
#include "storage/feed.h"
#include "storage/mlog.h"

/* Origin ${oidx}'s feed as a Merkle log: FEEDS, FHASH and FEEDMETA, every
 * key prefixed by the origin's number (store.h). */
static void
feed_log(struct seen_mlog *l, struct seen_txn *txn, uint32_t oidx)
{

    memset(l, 0, sizeof *l);
    l->txn = txn;
    l->leaves = SEEN_DB_FEEDS;
    l->hashes = SEEN_DB_FHASH;
    l->sizedb = SEEN_DB_FEEDMETA;
    seen_be32(l->prefix, oidx);
    l->plen = 4;
    seen_be32(l->sizekey, oidx);
    l->sizeklen = 4;
    l->size_head = 1;
}

/**
 * seen_feed_size(txn, oidx, size):
 * Write the number of leaves of origin ${oidx}'s feed to *${size} (0 for
 * a feed never seen).  Returns 0 or SEEN_ECORRUPT.
 */
int
seen_feed_size(struct seen_txn *txn, uint32_t oidx, uint64_t *size)
{
    struct seen_mlog l;

    feed_log(&l, txn, oidx);
    return seen_mlog_size(&l, size);
}

/**
 * seen_feed_append(txn, oidx, leaf, len, seq):
 * Append ${leaf} (${len} bytes, the exact FeedEntry encoding) to origin
 * ${oidx}'s feed, store its hashes, and write its index to *${seq} if
 * ${seq} is not NULL.  Returns 0, SEEN_EFULL, SEEN_ERR.
 */
int
seen_feed_append(struct seen_txn *txn, uint32_t oidx, const uint8_t *leaf,
    size_t len, uint64_t *seq)
{
    struct seen_mlog l;

    feed_log(&l, txn, oidx);
    return seen_mlog_append(&l, leaf, len, seq);
}

/**
 * seen_feed_leaf(txn, oidx, seq, leaf, len):
 * Look up leaf ${seq} of origin ${oidx}; *${leaf} is borrowed.  Returns 0,
 * SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
int
seen_feed_leaf(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const uint8_t **leaf, size_t *len)
{
    struct seen_mlog l;

    feed_log(&l, txn, oidx);
    return seen_mlog_leaf(&l, seq, leaf, len);
}

/**
 * seen_feed_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the store: ${ctx} is a struct
 * seen_feed_ref.  Returns 0; SEEN_EINVAL for a subtree that is not
 * aligned; SEEN_ECORRUPT when it is not stored.
 */
int
seen_feed_subtree(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32])
{
    struct seen_feed_ref *r = ctx;
    struct seen_mlog l;

    feed_log(&l, r->txn, r->oidx);
    return seen_mlog_subtree(&l, start, size, out);
}

/**
 * seen_feed_root(txn, oidx, size, out):
 * Write the RFC 9162 root of the first ${size} leaves of origin ${oidx}'s
 * feed to ${out}.  Returns 0, SEEN_EINVAL when ${size} exceeds the feed,
 * SEEN_ECORRUPT when a stored hash is missing.
 */
int
seen_feed_root(struct seen_txn *txn, uint32_t oidx, uint64_t size,
    uint8_t out[static 32])
{
    struct seen_mlog l;

    feed_log(&l, txn, oidx);
    return seen_mlog_root(&l, size, out);
}

/**
 * seen_feed_set_checkpoint(txn, oidx, cp, len):
 * Store the encoded checkpoint ${cp} (${len} bytes) as the latest held of
 * origin ${oidx}'s feed, inside the write transaction ${txn}, replacing
 * the one before.  The bytes must decode to a well-formed checkpoint
 * whose origin is the public key numbered ${oidx}; whether it is signed,
 * and consistent with the one it replaces, is the caller's to check
 * first.  ${cp} is copied.
 * Returns 0; SEEN_EINVAL for bytes that are not a well-formed checkpoint
 * of that origin; SEEN_ENOTFOUND when no origin is numbered ${oidx};
 * SEEN_EFULL; SEEN_ERR.
 */
int
seen_feed_set_checkpoint(struct seen_txn *txn, uint32_t oidx,
    const uint8_t *cp, size_t len)
{
    Seen__Checkpoint *c;
    uint8_t pk[32], k[4];
    int rc;

    if ((rc = seen_checkpoint_decode(cp, len, &c)) != 0)
        return rc;
    if ((rc = seen_store_origin_pk(txn, oidx, pk)) != 0)
        goto done;
    if (sodium_memcmp(pk, c->origin.data, 32) != 0) {
        rc = SEEN_EINVAL;
        goto done;
    }
    seen_be32(k, oidx);
    rc = seen_store_put(txn, SEEN_DB_CHECKPOINTS, k, sizeof k, cp, len);
done:
    seen_checkpoint_destroy(&c);
    return rc;
}

/**
 * seen_feed_checkpoint(txn, oidx, cp, len):
 * Look up the latest checkpoint held of origin ${oidx}'s feed: *${cp}
 * (*${len} bytes, the encoded Checkpoint) is borrowed until the end of
 * ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none is held; SEEN_ECORRUPT.
 */
int
seen_feed_checkpoint(struct seen_txn *txn, uint32_t oidx, const uint8_t **cp,
    size_t *len)
{
    const void *v;
    size_t vlen;
    uint8_t k[4];
    int rc;

    seen_be32(k, oidx);
    rc = seen_store_get(txn, SEEN_DB_CHECKPOINTS, k, sizeof k, &v, &vlen);
    if (rc != 0)
        return rc;
    if (vlen == 0) {
        seen_error("store: empty checkpoint of feed %u", (unsigned)oidx);
        return SEEN_ECORRUPT;
    }
    *cp = v;
    *len = vlen;
    return 0;
}

/* The META key of the orphan of content ${key}. */
static void
orphan_key(uint8_t k[17], const uint8_t key[16])
{

    k[0] = 'o';
    memcpy(k + 1, key, 16);
}

/**
 * seen_orphan_put(txn, key, handle, group, seq):
 * Record an own entry taken back after a restore; see feed.h.
 */
int
seen_orphan_put(struct seen_txn *txn, const uint8_t key[16],
    const uint8_t handle[16], const uint8_t group[16], uint64_t seq)
{
    uint8_t k[17], v[40];

    orphan_key(k, key);
    memcpy(v, handle, 16);
    memcpy(v + 16, group, 16);
    seen_be64(v + 32, seq);
    return seen_store_put(txn, SEEN_DB_META, k, sizeof k, v, sizeof v);
}

/**
 * seen_orphan_get(txn, key, handle, group, seq):
 * Look up the orphan of content ${key}; see feed.h.
 */
int
seen_orphan_get(struct seen_txn *txn, const uint8_t key[16],
    uint8_t handle[16], uint8_t group[16], uint64_t *seq)
{
    uint8_t k[17];
    const uint8_t *v;
    size_t vlen;
    int rc;

    orphan_key(k, key);
    rc = seen_store_get(txn, SEEN_DB_META, k, sizeof k, (const void **)&v,
        &vlen);
    if (rc != 0)
        return rc;
    if (vlen != 40)
        return SEEN_ECORRUPT;
    memcpy(handle, v, 16);
    memcpy(group, v + 16, 16);
    *seq = seen_rd64(v + 32);
    return SEEN_OK;
}

/**
 * seen_orphan_del(txn, key):
 * Forget the orphan of content ${key}; see feed.h.
 */
int
seen_orphan_del(struct seen_txn *txn, const uint8_t key[16])
{
    uint8_t k[17];

    orphan_key(k, key);
    return seen_store_del(txn, SEEN_DB_META, k, sizeof k, NULL, 0);
}

/* Stop at the first key: there is one. */
static int
orphan_seen(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{

    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    *(int *)ctx = 1;
    return 1;
}

/**
 * seen_orphan_any(txn):
 * Returns 1 when any orphan is recorded, 0 when none, or an error.
 */
int
seen_orphan_any(struct seen_txn *txn)
{
    int any = 0, rc;

    rc = seen_store_iter(txn, SEEN_DB_META, "o", 1, orphan_seen, &any);
    return rc < 0 ? rc : any;
}

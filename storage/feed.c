#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "storage/feed.h"

/* fhash key: origin(4) level(1) index(8). */
static void
hkey(uint8_t k[13], uint32_t oidx, unsigned int level, uint64_t index)
{

    seen_be32(k, oidx);
    k[4] = (uint8_t)level;
    seen_be64(k + 5, index);
}

static int
get_hash(struct seen_txn *txn, uint32_t oidx, unsigned int level,
    uint64_t index, uint8_t out[32])
{
    uint8_t k[13];
    const void *v;
    size_t vlen;
    int rc;

    hkey(k, oidx, level, index);
    if ((rc = seen_store_get(txn, SEEN_DB_FHASH, k, sizeof k, &v, &vlen)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    if (vlen != 32)
        return SEEN_ECORRUPT;
    memcpy(out, v, 32);
    return SEEN_OK;
}

/**
 * seen_feed_size(txn, oidx, size):
 * Write the number of leaves of origin ${oidx}'s feed to *${size} (0 for
 * a feed never seen).  Returns 0 or SEEN_ECORRUPT.
 */
int
seen_feed_size(struct seen_txn *txn, uint32_t oidx, uint64_t *size)
{
    uint8_t k[4];
    const void *v;
    size_t vlen;
    int rc;

    seen_be32(k, oidx);
    rc = seen_store_get(txn, SEEN_DB_FEEDMETA, k, sizeof k, &v, &vlen);
    if (rc == SEEN_ENOTFOUND) {
        *size = 0;
        return SEEN_OK;
    }
    if (rc != 0)
        return rc;
    if (vlen < 8)
        return SEEN_ECORRUPT;
    *size = seen_rd64(v);
    return SEEN_OK;
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
    uint8_t k[13], h[32], left[32], meta[8];
    uint64_t n, idx;
    unsigned int level;
    int rc;

    if ((rc = seen_feed_size(txn, oidx, &n)) != 0)
        return rc;
    seen_be32(k, oidx);
    seen_be64(k + 4, n);
    if ((rc = seen_store_put(txn, SEEN_DB_FEEDS, k, 12, leaf, len)) != 0)
        return rc;
    seen_merkle_leaf_hash(h, leaf, len);
    hkey(k, oidx, 0, n);
    if ((rc = seen_store_put(txn, SEEN_DB_FHASH, k, 13, h, 32)) != 0)
        return rc;
    /* Each completed pair of subtrees makes a parent one level up. */
    for (level = 0, idx = n; idx & 1; level++, idx >>= 1) {
        if ((rc = get_hash(txn, oidx, level, idx - 1, left)) != 0)
            return rc;
        seen_merkle_node_hash(h, left, h);
        hkey(k, oidx, level + 1, idx >> 1);
        if ((rc = seen_store_put(txn, SEEN_DB_FHASH, k, 13, h, 32)) != 0)
            return rc;
    }
    seen_be64(meta, n + 1);
    seen_be32(k, oidx);
    if ((rc = seen_store_put(txn, SEEN_DB_FEEDMETA, k, 4, meta, 8)) != 0)
        return rc;
    if (seq != NULL)
        *seq = n;
    return SEEN_OK;
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
    uint8_t k[12];
    const void *v;
    int rc;

    seen_be32(k, oidx);
    seen_be64(k + 4, seq);
    if ((rc = seen_store_get(txn, SEEN_DB_FEEDS, k, sizeof k, &v, len)) != 0)
        return rc;
    *leaf = v;
    return SEEN_OK;
}

/**
 * seen_feed_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the store: ${ctx} is a struct
 * seen_feed_ref.  Returns 0 or SEEN_ECORRUPT.
 */
int
seen_feed_subtree(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32])
{
    struct seen_feed_ref *r = ctx;
    unsigned int level = 0;

    if (size == 0 || (size & (size - 1)) != 0 || start % size != 0)
        return SEEN_EINVAL;
    while ((1ULL << level) < size)
        level++;
    return get_hash(r->txn, r->oidx, level, start >> level, out);
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
    struct seen_feed_ref r = {txn, oidx};
    uint64_t n;
    int rc;

    if ((rc = seen_feed_size(txn, oidx, &n)) != 0)
        return rc;
    if (size > n)
        return SEEN_EINVAL;
    return seen_merkle_root_of(seen_feed_subtree, &r, size, out);
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
        seen_warn("store: empty checkpoint of feed %u", (unsigned)oidx);
        return SEEN_ECORRUPT;
    }
    *cp = v;
    *len = vlen;
    return 0;
}

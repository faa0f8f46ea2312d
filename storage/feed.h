/*
 * feed.h: feeds as Merkle logs inside the store.
 *
 * A feed is the append-only list of FeedEntry leaves of one origin, a
 * Merkle log (storage/mlog.h) keyed by the origin's number: beside the
 * leaves the store keeps, as leaves complete them, the hashes of every
 * aligned perfect subtree of two leaves or more (by tile), so that roots
 * and proofs cost O(log n) reads.
 */
#ifndef SEEN_FEED_H
#define SEEN_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "storage/store.h"

/**
 * seen_feed_size(txn, oidx, size):
 * Write the number of leaves of origin ${oidx}'s feed to *${size} (0 for
 * a feed never seen).  Returns 0 or SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_feed_size(struct seen_txn *txn, uint32_t oidx,
    uint64_t *size);

/**
 * seen_feed_append(txn, oidx, leaf, len, seq):
 * Append ${leaf} (${len} bytes, the exact FeedEntry encoding) to origin
 * ${oidx}'s feed, store its hashes, and write its index to *${seq} if
 * ${seq} is not NULL.  Returns 0, SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_feed_append(struct seen_txn *txn, uint32_t oidx,
    const uint8_t *leaf, size_t len, uint64_t *seq);

/**
 * seen_feed_leaf(txn, oidx, seq, leaf, len):
 * Look up leaf ${seq} of origin ${oidx}; *${leaf} is borrowed.  Returns 0,
 * SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_feed_leaf(struct seen_txn *txn, uint32_t oidx,
    uint64_t seq, const uint8_t **leaf, size_t *len);

/**
 * seen_feed_root(txn, oidx, size, out):
 * Write the RFC 9162 root of the first ${size} leaves of origin ${oidx}'s
 * feed to ${out}.  Returns 0, SEEN_EINVAL when ${size} exceeds the feed,
 * SEEN_ECORRUPT when a stored hash is missing.
 */
SEEN_MUST_CHECK int seen_feed_root(struct seen_txn *txn, uint32_t oidx,
    uint64_t size, uint8_t out[static 32]);

/**
 * seen_feed_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the store: ${ctx} is a struct
 * seen_feed_ref.  Returns 0; SEEN_EINVAL for a subtree that is not
 * aligned; SEEN_ECORRUPT when it is not stored.
 */
struct seen_feed_ref {
    struct seen_txn *txn;
    uint32_t oidx;
};
int seen_feed_subtree(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32]);

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
SEEN_MUST_CHECK int seen_feed_set_checkpoint(struct seen_txn *txn,
    uint32_t oidx, const uint8_t *cp, size_t len);

/**
 * seen_feed_checkpoint(txn, oidx, cp, len):
 * Look up the latest checkpoint held of origin ${oidx}'s feed: *${cp}
 * (*${len} bytes, the encoded Checkpoint) is borrowed until the end of
 * ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none is held; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_feed_checkpoint(struct seen_txn *txn, uint32_t oidx,
    const uint8_t **cp, size_t *len);

/*
 * Orphans: entries of this node's own feed that a node restored from a
 * backup took back from its peers (node/replication/recover.c) and holds
 * no record for, by the content key of the entry
 * (seen_index_entry_content_key), so that importing the record again
 * adopts them rather than publishing them twice (node/matching/
 * indexer.c).  META key 'o' key(16) -> handle(16) group(16) seq(8).
 */

/**
 * seen_orphan_put(txn, key, handle, group, seq):
 * Record the own entry at ${seq} (its ${handle} and ${group}) under its
 * content ${key}.  Returns 0, SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_orphan_put(struct seen_txn *txn,
    const uint8_t key[16], const uint8_t handle[16], const uint8_t group[16],
    uint64_t seq);

/**
 * seen_orphan_get(txn, key, handle, group, seq):
 * Look up the orphan of content ${key}: its handle, group and position.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_orphan_get(struct seen_txn *txn,
    const uint8_t key[16], uint8_t handle[16], uint8_t group[16],
    uint64_t *seq);

/**
 * seen_orphan_del(txn, key):
 * Forget the orphan of content ${key} (adopted, or retracted).  Returns
 * 0, SEEN_ENOTFOUND, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_orphan_del(struct seen_txn *txn,
    const uint8_t key[16]);

/**
 * seen_orphan_any(txn):
 * Returns 1 when any orphan is recorded, 0 when none, or an error.
 */
int seen_orphan_any(struct seen_txn *txn);

#endif /* !SEEN_FEED_H */

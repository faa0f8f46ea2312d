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

#endif /* !SEEN_FEED_H */

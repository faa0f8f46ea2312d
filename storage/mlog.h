/*
 * mlog.h: an append-only Merkle log over the store, the one behind both
 * the feeds (storage/feed.h) and the exchange log (xlog/xlog.h).
 *
 * A log keeps, inside the caller's transaction, each leaf's exact bytes,
 * its RFC 9162 leaf hash and, as leaves complete them, the hash of every
 * aligned perfect subtree, so that roots and proofs cost O(log n) reads
 * (crypto/merkle.h computes them from those hashes); and its size.  Where
 * these live is the log's own: three databases and a key prefix,
 *
 *   leaves  prefix index(8)            -> leaf bytes
 *   hashes  prefix level(1) index(8)   -> root of the aligned perfect
 *                                         subtree of 2^level leaves
 *                                         starting at index << level
 *   size    sizekey                    -> leaves in the log (8)
 *
 * integers big-endian.  A feed's prefix is its origin's number (4 bytes)
 * and its size key that number in SEEN_DB_FEEDMETA; the exchange log has
 * no prefix and keeps its size under "size" in SEEN_DB_XSTATE.
 */
#ifndef SEEN_MLOG_H
#define SEEN_MLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "storage/store.h"

/* The longest key prefix and size key of a log, in bytes. */
#define SEEN_MLOG_PREFIX_MAX 8

/*
 * Where one log lives, and the transaction it is read or written in.  A
 * plain value: its owner fills it (see feed.c and xlog/xlog.c) and may
 * copy it; nothing in it is allocated.
 */
struct seen_mlog {
    struct seen_txn *txn;
    enum seen_db leaves;                   /* prefix index(8) -> leaf */
    enum seen_db hashes;                   /* prefix level(1) index(8) */
    enum seen_db sizedb;                   /* sizekey -> size(8) */
    uint8_t prefix[SEEN_MLOG_PREFIX_MAX];  /* before every leaf and hash key */
    size_t plen;
    uint8_t sizekey[SEEN_MLOG_PREFIX_MAX]; /* the key of the size */
    size_t sizeklen;
    int size_head; /* 1: the size is the first 8 bytes of a value that may
                      be longer (a feed head); 0: exactly 8 bytes */
};

/**
 * seen_mlog_size(l, size):
 * Write the number of leaves of the log ${l} to *${size} (0 for a log
 * never written).
 * Returns 0; SEEN_ECORRUPT when the stored size is damaged.
 */
SEEN_MUST_CHECK int seen_mlog_size(const struct seen_mlog *l, uint64_t *size);

/**
 * seen_mlog_append(l, leaf, len, index):
 * Append ${leaf} (${len} bytes, stored exactly) to the log ${l} inside
 * its write transaction: the leaf, its RFC 9162 hash, the hashes of the
 * subtrees it completes, and the new size.
 * [out] ${index}: when not NULL, the leaf's 0-based position.
 * Returns 0; SEEN_ECORRUPT for a damaged log; SEEN_EFULL, SEEN_ERR from
 * the store (abort the transaction).  ${leaf} is not retained.
 */
SEEN_MUST_CHECK int seen_mlog_append(const struct seen_mlog *l,
    const uint8_t *leaf, size_t len, uint64_t *index);

/**
 * seen_mlog_leaf(l, i, leaf, len):
 * Look up leaf ${i} of the log ${l}: *${leaf} (*${len} bytes) is borrowed
 * until the end of the transaction or its next write.
 * Returns 0; SEEN_ENOTFOUND beyond the log; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_mlog_leaf(const struct seen_mlog *l, uint64_t i,
    const uint8_t **leaf, size_t *len);

/**
 * seen_mlog_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over a stored log: ${ctx} is a struct
 * seen_mlog.  Writes the hash of the aligned perfect subtree of ${size}
 * leaves from ${start} to ${out}.
 * Returns 0; SEEN_EINVAL for a subtree that is not aligned;
 * SEEN_ECORRUPT when it is not stored (beyond the log, or damaged).
 */
int seen_mlog_subtree(
    void *ctx, uint64_t start, uint64_t size, uint8_t out[static 32]);

/**
 * seen_mlog_root(l, size, root):
 * Write the RFC 9162 root of the first ${size} leaves of the log ${l} to
 * ${root}, from at most 64 stored subtree hashes.
 * Returns 0; SEEN_EINVAL when ${size} exceeds the log; SEEN_ECORRUPT when
 * a stored hash is missing or damaged.
 */
SEEN_MUST_CHECK int seen_mlog_root(
    const struct seen_mlog *l, uint64_t size, uint8_t root[static 32]);

/**
 * seen_mlog_inclusion(l, index, size, proof, plen):
 * Write the RFC 9162 inclusion proof of leaf ${index} in the first
 * ${size} leaves of the log ${l} to ${proof} (*${plen} hashes, lowest
 * level first).
 * Returns 0; SEEN_EINVAL unless ${index} < ${size} <= the log's size;
 * SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_mlog_inclusion(const struct seen_mlog *l,
    uint64_t index, uint64_t size,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen);

/**
 * seen_mlog_consistency(l, size1, size2, proof, plen):
 * Write the RFC 9162 consistency proof from the first ${size1} leaves of
 * the log ${l} to the first ${size2} to ${proof} (*${plen} hashes; none
 * when equal).
 * Returns 0; SEEN_EINVAL unless 0 < ${size1} <= ${size2} <= the log's
 * size; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_mlog_consistency(const struct seen_mlog *l,
    uint64_t size1, uint64_t size2,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen);

#endif /* !SEEN_MLOG_H */

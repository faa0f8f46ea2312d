/*
 * mlog.h: an append-only Merkle log over the store, the one behind both
 * the feeds (storage/feed.h) and the exchange log (xlog/xlog.h).
 *
 * A log keeps, inside the caller's transaction, each leaf's exact bytes
 * and, as leaves complete them, the hash of every aligned perfect subtree
 * of two leaves or more, so that roots and proofs cost O(log n) reads
 * (crypto/merkle.h computes them from those hashes); and its size.  A
 * leaf's own RFC 9162 hash is not stored: it is made again from the leaf
 * when a proof or an append needs it.  The subtree hashes of one level
 * are stored by tile, SEEN_MLOG_TILE_WIDTH consecutive hashes in one
 * value (after C2SP tlog-tiles, whose tiles are of 256), the tile at the
 * right edge rewritten one hash longer as each is completed.  Where these
 * live is the log's own: three databases and a key prefix,
 *
 *   leaves  prefix index(8)               -> leaf bytes
 *   hashes  prefix 0x80|level(1) tile(8)  -> the roots of the aligned
 *                                            perfect subtrees of 2^level
 *                                            leaves (level >= 1) number
 *                                            tile * 16 onwards, up to 16
 *                                            of them (32 bytes each),
 *                                            the subtree number i
 *                                            starting at leaf
 *                                            i << level
 *   size    sizekey                       -> leaves in the log (8)
 *
 * integers big-endian.  A feed's prefix is its origin's number (4 bytes)
 * and its size key that number in SEEN_DB_FEEDMETA; the exchange log has
 * no prefix and keeps its size under "size" in SEEN_DB_XSTATE.  Store
 * format 1 kept every hash under its own key, prefix level(1) index(8)
 * -> hash(32), leaf hashes (level 0) included; seen_mlog_migrate rewrites
 * those as tiles (the high bit of the tag tells the two apart).
 */
#ifndef SEEN_MLOG_H
#define SEEN_MLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "storage/store.h"

/* The hashes of one level held by a tile of the hashes table. */
#define SEEN_MLOG_TILE_WIDTH 16

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
    enum seen_db hashes;                   /* prefix tag(1) tile(8) */
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

/**
 * seen_mlog_migrate(txn, db, moved):
 * Rewrite the Merkle hashes in ${db} (SEEN_DB_FHASH or SEEN_DB_XHASH)
 * stored by store format 1, one key per hash, as tiles, inside the write
 * transaction ${txn}: each hash of level >= 1 goes into its tile, each
 * leaf hash is dropped (it is made from the leaf), and the old keys are
 * deleted.  Hashes already in tiles are left as they are, so that a
 * migration cut short is finished by the next.
 * [out] ${moved}: the number of format-1 keys rewritten.
 * Returns 0; SEEN_ECORRUPT for a key or hash of neither layout, or a
 * level whose hashes do not follow each other; SEEN_EFULL, SEEN_ENOMEM,
 * SEEN_ERR from the store (abort the transaction).
 */
SEEN_MUST_CHECK int seen_mlog_migrate(struct seen_txn *txn, enum seen_db db,
    uint64_t *moved);

#endif /* !SEEN_MLOG_H */

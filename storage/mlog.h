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

/* The longest leaf a packed leaf may refer to (mlog_pack.c). */
#define SEEN_MLOG_REF_MAX (1u << 24)

/*
 * Look up, in ${txn}, leaf ${seq} of the log numbered ${log} (a feed's
 * origin number): what a packed leaf of another log refers to.  *${leaf}
 * is borrowed as seen_mlog_leaf's.  Returns 0, SEEN_ENOTFOUND,
 * SEEN_ECORRUPT.
 */
typedef int seen_mlog_ref_fn(struct seen_txn *txn, uint32_t log,
    uint64_t seq, const uint8_t **leaf, size_t *len);

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
    seen_mlog_ref_fn *ref; /* a log whose leaves may be stored packed
                              (seen_mlog_pack): how to find the leaves
                              they refer to; NULL: stored whole */
};

/* A caller's buffer for leaves unpacked (seen_mlog_leaf_buf), reused
 * from call to call; zero it first, seen_mlog_buf_free it after. */
struct seen_mlog_buf {
    uint8_t *p;
    size_t cap;
};

/* A byte range of a leaf that may be, byte for byte, leaf ${seq} of the
 * log numbered ${log} (seen_mlog_pack). */
struct seen_mlog_span {
    size_t off, len;
    uint32_t log;
    uint64_t seq;
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
 * Look up leaf ${i} of the log ${l}, its bytes as appended (a leaf stored
 * packed is unpacked into memory the transaction owns): *${leaf}
 * (*${len} bytes) is borrowed until the end of the transaction or its
 * next write.
 * Returns 0; SEEN_ENOTFOUND beyond the log; SEEN_ECORRUPT; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_mlog_leaf(const struct seen_mlog *l, uint64_t i,
    const uint8_t **leaf, size_t *len);

/**
 * seen_mlog_leaf_buf(l, i, b, leaf, len):
 * As seen_mlog_leaf, but a packed leaf is unpacked into the caller's
 * ${b} (valid until its next use or seen_mlog_buf_free), not into memory
 * the transaction holds until it ends: for a walk over many leaves.
 */
SEEN_MUST_CHECK int seen_mlog_leaf_buf(const struct seen_mlog *l, uint64_t i,
    struct seen_mlog_buf *b, const uint8_t **leaf, size_t *len);

/**
 * seen_mlog_leaf_raw(l, i, val, vlen):
 * Look up the value stored for leaf ${i} of ${l}, packed or whole, as
 * seen_mlog_leaf (no unpacking).  Same returns.
 */
SEEN_MUST_CHECK int seen_mlog_leaf_raw(const struct seen_mlog *l, uint64_t i,
    const uint8_t **val, size_t *vlen);

/**
 * seen_mlog_leaf_replace(l, i, val, vlen):
 * Inside ${l}'s write transaction, store the ${vlen} bytes ${val} for
 * leaf ${i} in place of what is stored (its hashes untouched: the
 * caller's to keep them true, as seen_mlog_pack does).  Returns 0;
 * SEEN_ENOTFOUND beyond the log; an error of the store (abort the
 * transaction).
 */
SEEN_MUST_CHECK int seen_mlog_leaf_replace(const struct seen_mlog *l,
    uint64_t i, const uint8_t *val, size_t vlen);

/**
 * seen_mlog_is_packed(val, vlen):
 * 1 if the stored value ${val} (${vlen} bytes) is a packed leaf, else 0.
 */
int seen_mlog_is_packed(const uint8_t *val, size_t vlen);

/**
 * seen_mlog_unpack(l, val, vlen, b, leaf, len):
 * The leaf of ${l} stored as ${val} (${vlen} bytes, as a walk over the
 * leaves table finds it): ${val} itself when stored whole, else unpacked
 * into ${b} (NULL: into memory ${l}'s transaction owns until it ends).
 * Returns 0; SEEN_ECORRUPT for a value that does not unpack (damaged, or
 * a leaf it refers to missing); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_mlog_unpack(const struct seen_mlog *l,
    const uint8_t *val, size_t vlen, struct seen_mlog_buf *b,
    const uint8_t **leaf, size_t *len);

/**
 * seen_mlog_buf_free(b):
 * Free what ${b} holds and empty it; safe twice.
 */
void seen_mlog_buf_free(struct seen_mlog_buf *b);

/**
 * seen_mlog_pack(l, i, spans, n, packed):
 * Store leaf ${i} of ${l} (a log with a resolver, inside its write
 * transaction) packed: each of the ${n} spans (in order, apart, within
 * the leaf) whose bytes are exactly the leaf it names is stored as a
 * reference to it, the rest of the leaf as it is (mlog_pack.c).  The
 * leaf's bytes, hash and proofs do not change; a leaf stored packed
 * already, spans that do not fit, or a packed form no smaller are left
 * as they are.  The leaves referred to must stay in the store for as
 * long as this one.
 * [out] ${packed}: the bytes saved (0: left as it was).
 * Returns 0; an error of the store (abort the transaction).
 */
SEEN_MUST_CHECK int seen_mlog_pack(const struct seen_mlog *l, uint64_t i,
    const struct seen_mlog_span *spans, size_t n, size_t *packed);

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

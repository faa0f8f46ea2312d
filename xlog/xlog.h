/*
 * xlog.h: the exchange log, a node's Merkle log of every envelope that
 * carries content it sent or accepted (xlog/leaf.h, "What the log
 * holds") and every query, disclosure decision and change to its
 * operators it recorded (DESIGN.md
 * "Exchange log and audit"; docs/audit-format.md).
 *
 * A leaf is the exact encoding of one XLogLeaf (proto/seen.proto), hashed
 * as RFC 9162 (crypto/merkle.h), that keeps the leaf rules of
 * xlog/leaf.h.  The log is a Merkle log over the store (storage/mlog.h).
 * Every function works inside the caller's transaction, so a leaf
 * commits with the effect it records and nothing is logged for an effect
 * that was rolled back.  A leaf records, in signed_size, the largest size
 * of this log the node knows it signed a checkpoint for: stored with the
 * leaf, in the same transaction.
 *
 * The node signs checkpoints of its log, and refuses to sign a second
 * history (xlog/signing.h); it witnesses peers' checkpoints and keeps the
 * cosignatures witnesses return for its own (xlog/witness.h).  This
 * header includes both, and xlog/leaf.h: it is the exchange log's whole
 * interface.
 *
 * The store (storage/store.h):
 *
 *   xlog    index(8)                     -> leaf bytes
 *   xhash   level(1) index(8)            -> root of the aligned perfect
 *                                           subtree of 2^level leaves
 *                                           starting at index << level
 *   xstate  "size"                       -> leaves in the log (8)
 *           "signed"                     -> the largest checkpoint of this
 *                                           log the node knows it signed
 *           "halt"                       -> XLogEvidence: why the node
 *                                           refuses to sign (absent: it
 *                                           signs)
 *           "floor"                      -> the size at or below which an
 *                                           operator's resolution forbids
 *                                           signing (8; absent: 0)
 *           'R' time(8) floor(8)         -> XLogResolution: an operator
 *                                           cleared "halt"
 *           'C' size(8) time(8)          -> Checkpoint: each checkpoint of
 *                                           this log known signed
 *           'W' size(8) time(8) pk(32)   -> Cosignature received by witness
 *                                           pk of checkpoint (size, time)
 *           'H' origin(32)               -> Checkpoint: the latest held of
 *                                           a peer's log, consistent with
 *                                           those held before it
 *           'P' origin(32)               -> Checkpoint: a peer's checkpoint
 *                                           waiting for a consistency proof
 *           'E' origin(32) digest(32)    -> XLogEvidence (digest: SHA-256
 *                                           of the value)
 *
 * Integers in keys and values are big-endian.  Checkpoints are stored as
 * encoded Checkpoint messages.
 */
#ifndef SEEN_XLOG_H
#define SEEN_XLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "storage/mlog.h"
#include "xlog/leaf.h"
#include "xlog/signing.h"
#include "xlog/witness.h"
#include "seen.pb-c.h"

struct seen_envelope_view;
struct seen_keys;
struct seen_txn;

/**
 * seen_xlog_append(txn, k, kind, peer, data, len, time, index):
 * Append a leaf of ${kind} to the exchange log of the node ${k} inside
 * the write transaction ${txn}: for XLOG_SENT and XLOG_RECEIVED ${data}
 * is the envelope's exact bytes, for XLOG_QUERY, XLOG_DECISION and
 * XLOG_OPERATOR the encoded QueryRecord, DecisionRecord or OperatorRecord
 * (${len} bytes).  ${peer} is the
 * other node's 32-byte Ed25519 key (NULL: for an envelope, taken from its
 * header; none for a query or a decision).  The leaf records ${time} and
 * the largest size this node knows it signed.  Stores the leaf, its hash
 * and those of the subtrees it completes, and the new size.
 * [out] ${index}: when not NULL, the leaf's 0-based position.
 * The envelope or record is decoded once, to be checked against the leaf
 * rules (xlog/leaf.h).
 * Returns 0; SEEN_EINVAL when the leaf would break a rule of xlog/leaf.h
 * (logged, saying which: nothing is written); SEEN_ECORRUPT for a damaged
 * log; SEEN_EFULL, SEEN_ENOMEM, SEEN_ERR from the store (abort ${txn}).
 * Nothing is retained.
 */
SEEN_MUST_CHECK int seen_xlog_append(struct seen_txn *txn,
    const struct seen_keys *k, Seen__XLogKind kind, const uint8_t *peer,
    const uint8_t *data, size_t len, uint64_t time, uint64_t *index);

/**
 * seen_xlog_sent(txn, k, env, len, time, index):
 * seen_xlog_append() of the envelope ${env} (${len} bytes) that the node
 * ${k} sealed and sends: the peer is its recipient, found as the
 * envelope is decoded for the leaf rules.  Same returns.
 */
SEEN_MUST_CHECK int seen_xlog_sent(struct seen_txn *txn,
    const struct seen_keys *k, const uint8_t *env, size_t len, uint64_t time,
    uint64_t *index);

/**
 * seen_xlog_received(txn, k, v, time, index):
 * seen_xlog_append() of the envelope that the node ${k} accepted, as
 * seen_envelope_open() (or seen_replay_open()) verified it into ${v}: its
 * bytes exactly as received (v->raw), and its sender as the peer.  The
 * envelope is not decoded again, nor its fields checked again (rule 1 of
 * seen_envelope_open() is the leaf rules'); what is checked is that the
 * node ${k} is its recipient.  Same returns; ${v} is not retained.
 */
SEEN_MUST_CHECK int seen_xlog_received(struct seen_txn *txn,
    const struct seen_keys *k, const struct seen_envelope_view *v,
    uint64_t time, uint64_t *index);

/**
 * seen_xlog_query(txn, k, q, index):
 * seen_xlog_append() of the query ${q}, encoded, at q->time.  Same
 * returns (SEEN_EINVAL when ${q} breaks a rule, e.g. no purpose).
 */
SEEN_MUST_CHECK int seen_xlog_query(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__QueryRecord *q, uint64_t *index);

/**
 * seen_xlog_decision(txn, k, d, peer, index):
 * seen_xlog_append() of the disclosure decision ${d}, encoded, at
 * d->time, about a request from the node ${peer} (32 bytes, or NULL).
 * Same returns (SEEN_EINVAL when ${d} breaks a rule, e.g. a withholding
 * without a reason).
 */
SEEN_MUST_CHECK int seen_xlog_decision(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__DecisionRecord *d,
    const uint8_t *peer, uint64_t *index);

/**
 * seen_xlog_operator(txn, k, o, index):
 * seen_xlog_append() of the change to the node's operators ${o}, encoded,
 * at o->time.  Same returns (SEEN_EINVAL when ${o} breaks a rule).
 */
SEEN_MUST_CHECK int seen_xlog_operator(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__OperatorRecord *o,
    uint64_t *index);

/**
 * seen_xlog_oprf(txn, k, o, index):
 * seen_xlog_append() of the OPRF request ${o} this node served or refused
 * as a custodian, encoded, at o->time, its peer o->member.  Same returns
 * (SEEN_EINVAL when ${o} breaks a rule).
 */
SEEN_MUST_CHECK int seen_xlog_oprf(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__OprfRecord *o, uint64_t *index);

/**
 * seen_xlog_size(txn, size):
 * Write the number of leaves of the log to *${size} (0 for none).
 * Returns 0 or SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_size(struct seen_txn *txn, uint64_t *size);

/**
 * seen_xlog_leaf(txn, i, leaf, len):
 * Look up leaf ${i}: *${leaf} (*${len} bytes, the encoded XLogLeaf, as
 * appended; a leaf stored packed is unpacked into memory ${txn} owns) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND beyond the log; SEEN_ECORRUPT; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_xlog_leaf(
    struct seen_txn *txn, uint64_t i, const uint8_t **leaf, size_t *len);

/**
 * seen_xlog_leaf_buf(txn, i, b, leaf, len):
 * As seen_xlog_leaf, but a leaf stored packed (seen_xlog_pack) is
 * unpacked into the caller's ${b} (storage/mlog.h: valid until its next
 * use or seen_mlog_buf_free) rather than into memory ${txn} keeps until
 * it ends: for a walk over many leaves.  Same returns, and SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_xlog_leaf_buf(struct seen_txn *txn, uint64_t i,
    struct seen_mlog_buf *b, const uint8_t **leaf, size_t *len);

/**
 * seen_xlog_leaf_raw(txn, i, val, len):
 * The value stored for leaf ${i}: the leaf itself, or, for a leaf stored
 * packed (seen_xlog_pack: only SENT and RECEIVED leaves of an ENTRIES),
 * its packed form, which begins with a 0x00 byte as no encoded XLogLeaf
 * does.  For a scan that looks for leaves of other kinds without
 * unpacking any.  Returns as seen_xlog_leaf.
 */
SEEN_MUST_CHECK int seen_xlog_leaf_raw(
    struct seen_txn *txn, uint64_t i, const uint8_t **val, size_t *len);

/**
 * seen_xlog_pack(txn, index, saved):
 * In the write transaction ${txn}, store leaf ${index} packed when it
 * logs an ENTRIES, sent or received, whose leaves are, byte for byte,
 * the leaves the store holds at those positions of the origin's feed
 * (storage/mlog.h, seen_mlog_pack): each is kept as a reference to the
 * feed's, the rest of the leaf as it is.  Every read of the leaf gives
 * the bytes appended (its hash, proofs and export do not change).  Call
 * it once the feed holds the leaves, in a write transaction after the
 * one that appended the leaf: the pages it frees must have been written
 * (freed in the transaction that made them, pages past the file's end
 * would stay unwritten, and the store's size check at open would take
 * the file for truncated).
 * A leaf of another kind, or stored packed already, is left as it is.
 * [out] ${saved}: the bytes saved (0: left as it was).
 * Returns 0; an error of the store (abort the transaction).
 */
SEEN_MUST_CHECK int seen_xlog_pack(
    struct seen_txn *txn, uint64_t index, size_t *saved);

/**
 * seen_xlog_mlog(l, txn):
 * Fill ${l} with the exchange log as a Merkle log of ${txn}
 * (storage/mlog.h), its packed leaves referring to the feeds'.
 */
void seen_xlog_mlog(struct seen_mlog *l, struct seen_txn *txn);

/*
 * seen_xlog_leaf_fn(ctx, index, leaf, len): one stored leaf (borrowed for
 * the call: a packed leaf is unpacked into a buffer the walk reuses).
 * Return 0 to go on, 1 to stop, a negative code to fail.
 */
typedef int seen_xlog_leaf_fn(void *ctx, uint64_t index, const uint8_t *leaf,
    size_t len);

/**
 * seen_xlog_each_leaf(txn, fn, ctx):
 * Call ${fn} for every stored leaf in the order of their indexes (which
 * the caller may check for gaps).
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged key.
 */
SEEN_MUST_CHECK int seen_xlog_each_leaf(struct seen_txn *txn,
    seen_xlog_leaf_fn *fn, void *ctx);

/**
 * seen_xlog_root(txn, size, root):
 * Write the RFC 9162 root of the first ${size} leaves to ${root}, from
 * at most 64 stored subtree hashes.
 * Returns 0; SEEN_EINVAL when ${size} exceeds the log; SEEN_ECORRUPT when
 * a stored hash is missing or damaged.
 */
SEEN_MUST_CHECK int seen_xlog_root(
    struct seen_txn *txn, uint64_t size, uint8_t root[static 32]);

/**
 * seen_xlog_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the stored log; ${ctx} is the struct
 * seen_txn.  Returns 0; SEEN_EINVAL for a subtree that is not aligned;
 * SEEN_ECORRUPT when it is not stored (beyond the log, or damaged).
 */
int seen_xlog_subtree(
    void *ctx, uint64_t start, uint64_t size, uint8_t out[static 32]);

/**
 * seen_xlog_inclusion(txn, index, size, proof, plen):
 * Write the RFC 9162 inclusion proof of leaf ${index} in the first
 * ${size} leaves to ${proof} (*${plen} hashes, lowest level first).
 * Returns 0; SEEN_EINVAL unless ${index} < ${size} <= the log's size;
 * SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_inclusion(struct seen_txn *txn, uint64_t index,
    uint64_t size, uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32],
    size_t *plen);

/**
 * seen_xlog_consistency(txn, size1, size2, proof, plen):
 * Write the RFC 9162 consistency proof from the first ${size1} leaves to
 * the first ${size2} to ${proof} (*${plen} hashes; none when equal).
 * Returns 0; SEEN_EINVAL unless 0 < ${size1} <= ${size2} <= the log's
 * size; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_consistency(struct seen_txn *txn, uint64_t size1,
    uint64_t size2, uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32],
    size_t *plen);

/* What seen_xlog_iter() walks, in key order. */
enum seen_xlog_set {
    SEEN_XLOG_OWN_CHECKPOINTS, /* encoded Checkpoints, by size and time */
    SEEN_XLOG_COSIGNATURES,    /* encoded Cosignatures, by size and time */
    SEEN_XLOG_HELD,            /* peers' held Checkpoints, by origin */
    SEEN_XLOG_PENDING,         /* peers' pending Checkpoints, by origin */
    SEEN_XLOG_EVIDENCE,        /* encoded XLogEvidence, by origin */
    SEEN_XLOG_RESOLUTIONS,     /* encoded XLogResolution, by time */
};

/*
 * seen_xlog_iter_fn(ctx, val, len): one stored value (borrowed for the
 * call).  Return 0 to go on, 1 to stop, a negative code to fail.
 */
typedef int seen_xlog_iter_fn(void *ctx, const uint8_t *val, size_t len);

/**
 * seen_xlog_iter(txn, set, fn, ctx):
 * Call ${fn}(${ctx}, ...) for each value of ${set}.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_EINVAL for
 * an unknown ${set}; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_iter(struct seen_txn *txn, enum seen_xlog_set set,
    seen_xlog_iter_fn *fn, void *ctx);

#endif /* !SEEN_XLOG_H */

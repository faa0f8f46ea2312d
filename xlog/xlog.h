/*
 * xlog.h: the exchange log, a node's Merkle log of every envelope it sent
 * or accepted and every query and disclosure decision it recorded
 * (DESIGN.md "Exchange log and audit"; docs/audit-format.md).
 *
 * A leaf is the exact encoding of one XLogLeaf (proto/seen.proto), hashed
 * as RFC 9162 (crypto/merkle.h).  Every function works inside the
 * caller's transaction, so a leaf commits with the effect it records and
 * nothing is logged for an effect that was rolled back.  A leaf records,
 * in signed_size, the largest size of this log the node knows it signed
 * a checkpoint for: stored with the leaf, in the same transaction.
 *
 * The node signs checkpoints of its log (seen_xlog_checkpoint) and never
 * signs a smaller size, or another root at the same size, than one it
 * knows it signed.  What it knows comes from its store and from its own
 * checkpoints that peers show it (seen_xlog_note_own_checkpoint, and the
 * checkpoint inside a cosignature, seen_xlog_add_cosignature): a node
 * restored from a backup, shown a checkpoint of its own that its log
 * does not contain, records the contradiction as evidence and refuses,
 * durably, to sign again.  It witnesses peers' checkpoints
 * (seen_xlog_witness): each must be consistent with the last one held of
 * that peer; two that are not are kept as evidence.
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
 * encoded Checkpoint messages.  Exchange-log checkpoints are signed under
 * SEEN_DOMAIN_XLOG_CHECKPOINT (proto/checkpoint.h); a cosignature is
 * Ed25519 by the witness over
 *
 *     "seen-cosign-v1" || 0x00 || time(8, BE) || checkpoint bytes
 *
 * where the checkpoint bytes are exactly those in Cosignature.checkpoint.
 *
 * Resolving a halt (seen_xlog_resolve).  A halted node holds a checkpoint
 * of its own, shown it by a peer, that its log contradicts: typically it
 * was restored from a backup, so the leaves after the backup are lost
 * and every checkpoint it signed of them is held by peers.  Nothing can
 * make its log that history again, and nothing should hide that there
 * were two: the evidence stays (it is exported), and peers that hold the
 * old checkpoints will find the new ones inconsistent with them and keep
 * evidence too, which is the truth an auditor must see.  What the node
 * must never do is sign a second root for a size it signed before, or a
 * size smaller than one it signed: two checkpoints of one size, both
 * validly signed, are the equivocation a log exists to rule out, and
 * would let either history be shown to whoever holds the other.  It
 * cannot know every size it signed (a lost history is lost), only every
 * one it has seen: the largest checkpoint of its own it knows it signed
 * ("signed"), and every checkpoint of its own in evidence ('E' under its
 * own key, and "halt").  So an operator, having found out what happened,
 * records who, when and why ('R'), "halt" goes, and "floor" becomes the
 * largest of those sizes: the node signs again only once its log is
 * longer than that.  (Peers show a node that signs nothing the checkpoint
 * they hold of its log, docs/protocol.md "Witnessing": an operator should
 * resolve once every peer has.)  A checkpoint of the old history shown
 * it later is kept as evidence as before; at or below the floor it is
 * more of what was resolved and the node goes on signing, above it the
 * node may have signed that size again unknowingly, so it halts again.
 *
 * Leaf rules (seen_xlog_leaf_parse; docs/audit-format.md states them for
 * auditors): the leaf, and a query or decision record in it, are in
 * canonical form (as protobuf-c writes them: fields in order, each once,
 * defaults left out, shortest varints, no unknown field), so that they
 * mean the same to every decoder; kind 1-4; seq the leaf's index;
 * signed_size at most seq;
 * XLOG_SENT and XLOG_RECEIVED hold a 32-byte peer, an envelope and no
 * record: the envelope decodes as an Envelope whose signed part decodes
 * with a header, a 64-byte signature, 32-byte sender and recipient, and
 * a well-formed header checkpoint (if any) whose origin is the sender;
 * for SENT the sender is the log's owner and the recipient the peer, for
 * RECEIVED the sender is the peer and the recipient the owner.  Only
 * envelopes that passed docs/protocol.md's acceptance rules 1-4 may be
 * logged as RECEIVED: an auditor checks their signatures.  XLOG_QUERY
 * holds a QueryRecord (operator and purpose not empty, each handle 16
 * bytes, criteria_digest empty or 64 lower-case hex digits), no
 * envelope, no peer.  XLOG_DECISION holds a DecisionRecord (operator and
 * request_id not empty, request_id at most 64 bytes, a reason when not
 * shared, review empty or YYYY-MM-DD), no envelope, and a 32-byte peer
 * or none.
 */
#ifndef SEEN_XLOG_H
#define SEEN_XLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "seen.pb-c.h"

struct seen_keys;
struct seen_txn;

/* The signature domain of a cosignature (crypto/sign.h). */
#define SEEN_DOMAIN_COSIGN "seen-cosign-v1"

/* The largest leaf: an envelope of SEEN_ENVELOPE_MAX and its framing. */
#define SEEN_XLOG_LEAF_MAX ((16u << 20) + 4096)

/* The longest DecisionRecord.request_id, in bytes. */
#define SEEN_XLOG_REQUEST_ID_MAX 64

/* The longest reason an operator may give for a resolution, in bytes. */
#define SEEN_XLOG_REASON_MAX 1024

/**
 * seen_xlog_append(txn, k, kind, peer, data, len, time, index):
 * Append a leaf of ${kind} to the exchange log of the node ${k} inside
 * the write transaction ${txn}: for XLOG_SENT and XLOG_RECEIVED ${data}
 * is the envelope's exact bytes, for XLOG_QUERY and XLOG_DECISION the
 * encoded QueryRecord or DecisionRecord (${len} bytes).  ${peer} is the
 * other node's 32-byte Ed25519 key (NULL: for an envelope, taken from its
 * header; none for a query or a decision).  The leaf records ${time} and
 * the largest size this node knows it signed.  Stores the leaf, its hash
 * and those of the subtrees it completes, and the new size.
 * [out] ${index}: when not NULL, the leaf's 0-based position.
 * Returns 0; SEEN_EINVAL when the leaf would break a rule of this header
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
 * ${k} sealed and sends: the peer is its recipient.  Same returns.
 */
SEEN_MUST_CHECK int seen_xlog_sent(struct seen_txn *txn,
    const struct seen_keys *k, const uint8_t *env, size_t len, uint64_t time,
    uint64_t *index);

/**
 * seen_xlog_received(txn, k, env, len, time, index):
 * seen_xlog_append() of the envelope ${env} (${len} bytes, exactly as
 * received) that the node ${k} accepted (seen_envelope_open() returned
 * 0): the peer is its sender.  Same returns.
 */
SEEN_MUST_CHECK int seen_xlog_received(struct seen_txn *txn,
    const struct seen_keys *k, const uint8_t *env, size_t len, uint64_t time,
    uint64_t *index);

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
 * seen_xlog_size(txn, size):
 * Write the number of leaves of the log to *${size} (0 for none).
 * Returns 0 or SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_size(struct seen_txn *txn, uint64_t *size);

/**
 * seen_xlog_leaf(txn, i, leaf, len):
 * Look up leaf ${i}: *${leaf} (*${len} bytes, the encoded XLogLeaf) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND beyond the log; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_leaf(
    struct seen_txn *txn, uint64_t i, const uint8_t **leaf, size_t *len);

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

/**
 * seen_xlog_prove(txn, from, to, cp, cplen, proof, plen):
 * Answer a peer that holds the checkpoint of size ${from} of this node's
 * log and waits to witness one of size ${to}: look up a checkpoint of
 * size ${to} that the node signed (or knows it signed) of its own log,
 * and write the RFC 9162 consistency proof from ${from} leaves to ${to}.
 * [out] ${cp}, ${cplen}: the encoded Checkpoint, borrowed until the end
 * of ${txn} or its next write; ${proof}: *${plen} hashes.
 * Returns 0; SEEN_EINVAL unless 0 < ${from} < ${to} <= the log's size;
 * SEEN_ENOTFOUND when the node knows no checkpoint of its own of size
 * ${to}; SEEN_ECORRUPT when the stored one is damaged or its root is not
 * the log's at that size (logged: the node never proves a checkpoint its
 * log contradicts).
 */
SEEN_MUST_CHECK int seen_xlog_prove(struct seen_txn *txn, uint64_t from,
    uint64_t to, const uint8_t **cp, size_t *cplen,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen);

/**
 * seen_xlog_checkpoint(txn, k, now, out, buf):
 * Sign, as the node ${k}, a checkpoint of the whole log at time ${now}
 * and record it, inside the write transaction ${txn}, as known signed.
 * When the largest checkpoint known signed has the log's size and root
 * already, that one is returned instead and nothing is written.  Publish
 * the checkpoint only after ${txn} commits.
 * [out] ${out}: the checkpoint; its origin, root and signature point into
 * ${buf} (SEEN_CHECKPOINT_BUF bytes of caller storage that must outlive
 * it).
 * Returns 0; SEEN_EPERM when the node must not sign: it holds evidence
 * that a checkpoint of its own contradicts its log (see
 * seen_xlog_halted()), or it knows it signed a larger size, or another
 * root at this size (logged), or an operator's resolution forbids this
 * size (the log is not above seen_xlog_floor() yet; not logged);
 * SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_checkpoint(struct seen_txn *txn,
    const struct seen_keys *k, uint64_t now, Seen__Checkpoint *out,
    uint8_t buf[static SEEN_CHECKPOINT_BUF]);

/**
 * seen_xlog_latest(txn, cp, len):
 * Look up the largest checkpoint of this log the node knows it signed:
 * *${cp} (*${len} bytes, an encoded Checkpoint) is borrowed until the end
 * of ${txn} or its next write.  For envelope headers, decode it with
 * seen_checkpoint_decode().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_latest(
    struct seen_txn *txn, const uint8_t **cp, size_t *len);

/**
 * seen_xlog_halted(txn):
 * Returns 1 when the node refuses to sign checkpoints because it holds
 * evidence that a checkpoint of its own contradicts its log, 0 when it
 * signs, or SEEN_ECORRUPT.  Only an operator can clear that state
 * (seen_xlog_resolve()), after finding out what happened: the node cannot
 * tell which of its histories its peers rely on.
 */
SEEN_MUST_CHECK int seen_xlog_halted(struct seen_txn *txn);

/**
 * seen_xlog_resolve(txn, k, op, reason, now, floor):
 * As the operator ${op}, who found out why, clear the refusal to sign of
 * the halted node ${k} (seen_xlog_halted()) at time ${now}, inside the
 * write transaction ${txn}.  The evidence is kept; the resolution (${op},
 * ${reason}, ${now}, the floor and the evidence that halted the node) is
 * recorded; and the node signs again only at sizes above the floor: the
 * largest size of any checkpoint of its own log it has seen (signed, or
 * shown it in evidence), or of an earlier resolution.  Why this and no
 * more: "Resolving a halt" above.
 * [out] ${floor}: when not NULL, that size.
 * Whether ${op} may do this is the caller's to check (an admin).
 * Returns 0; SEEN_ENOTFOUND when the node is not halted (nothing
 * written); SEEN_EINVAL when ${op} or ${reason} is empty, or ${reason} is
 * longer than SEEN_XLOG_REASON_MAX bytes; SEEN_ECORRUPT; SEEN_ENOMEM;
 * SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_resolve(struct seen_txn *txn,
    const struct seen_keys *k, const char *op, const char *reason, uint64_t now,
    uint64_t *floor);

/**
 * seen_xlog_floor(txn, floor):
 * Write to *${floor} the size at or below which an operator's resolution
 * (seen_xlog_resolve()) forbids the node to sign: 0 when none.
 * Returns 0 or SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_floor(struct seen_txn *txn, uint64_t *floor);

/**
 * seen_xlog_note_own_checkpoint(txn, k, cp):
 * A peer showed the node ${k} the checkpoint ${cp} of its own log (from
 * an exchange, or inside a cosignature).  If it is signed by ${k} and the
 * log has its size and root, it is recorded as known signed (so that the
 * node never signs a smaller size).  If the log is smaller than it, or
 * has another root at its size, the node's log is not the history it
 * signed (restored from a backup, or rewritten): the checkpoint is kept
 * as evidence (with a checkpoint of the node's own at the same size, if
 * it holds one) and the node stops signing, durably -- unless an
 * operator's resolution already covers its size (it is at most
 * seen_xlog_floor()): then only the evidence is kept.
 * Returns 0 when ${cp} agrees with the log; SEEN_EAUTH when it does not:
 * the evidence (and the refusal, if any: seen_xlog_halted() says) were
 * written to ${txn}, which the caller must commit (logged); SEEN_EINVAL
 * when ${cp} is malformed, not of ${k}'s log, or not validly signed
 * (nothing written); SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_note_own_checkpoint(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__Checkpoint *cp);

/**
 * seen_xlog_witness(txn, k, theirs, proof, plen, now, cosig, cosiglen):
 * Witness the peer's exchange-log checkpoint ${theirs} as the node ${k}
 * at time ${now}, inside the write transaction ${txn}.  It is checked
 * against the latest checkpoint held of that peer: with none held, or
 * one of size 0, it is accepted; at the same size the roots must be
 * equal; otherwise ${proof} (${plen} hashes, NULL if ${plen} is 0) must
 * be the RFC 9162 consistency proof from the smaller of the two sizes to
 * the larger.  With no proof (${plen} 0) for different sizes, nothing
 * is decided: a ${theirs} larger than the one held is kept as pending
 * (seen_xlog_pending(); it replaces an earlier pending one) until the
 * caller has a proof.  A proof whose length is not that of an RFC 9162
 * proof between the two sizes (seen_merkle_consistency_len()) is not a
 * proof: refused, and no evidence of anything.
 * Accepted, a larger checkpoint becomes the one held of that peer, and
 * the node countersigns it.  A pending checkpoint no larger is then
 * settled and dropped: of its size and root, it was this one; smaller,
 * it adds nothing to what is held (as when it comes without a proof);
 * of its size and another root, the peer signed two roots for one size:
 * both are kept as evidence, not countersigned, and the call returns
 * SEEN_EAUTH (the one accepted stays held).  The membership of the peer
 * is the caller's to check first.
 * [out] ${cosig}, ${cosiglen}: on success the encoded Cosignature, to
 * send back to the peer (malloc'd; the caller frees it); NULL and 0
 * otherwise.
 * Returns 0; SEEN_EAGAIN when kept pending (no proof); SEEN_EAUTH when
 * ${theirs} is not consistent with the checkpoint held, or with the one
 * pending of its size: both are kept as evidence, with the proof, in
 * ${txn}, which the caller must commit, and then raise an alert
 * (logged); SEEN_EINVAL when ${theirs} is malformed, not validly signed,
 * or of ${k}'s own log, or the proof has the wrong length (nothing
 * written); SEEN_ENOMEM; SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_witness(struct seen_txn *txn,
    const struct seen_keys *k, const Seen__Checkpoint *theirs,
    const uint8_t proof[][32], size_t plen, uint64_t now, uint8_t **cosig,
    size_t *cosiglen);

/**
 * seen_xlog_held(txn, origin, cp, len):
 * Look up the latest checkpoint held of the log of ${origin}: *${cp}
 * (*${len} bytes, encoded) is borrowed until the end of ${txn} or its next
 * write.  The size to ask a consistency proof from.
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_held(struct seen_txn *txn,
    const uint8_t origin[static 32], const uint8_t **cp, size_t *len);

/**
 * seen_xlog_pending(txn, origin, cp, len):
 * Look up the checkpoint of ${origin} that seen_xlog_witness() kept
 * waiting for a consistency proof, borrowed as in seen_xlog_held().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_pending(struct seen_txn *txn,
    const uint8_t origin[static 32], const uint8_t **cp, size_t *len);

/**
 * seen_xlog_cosign(k, cp, cplen, time, out, len):
 * Countersign, as the witness ${k} at ${time}, the encoded checkpoint
 * ${cp} (${cplen} bytes, signed exactly as given).  Does not check ${cp}:
 * see seen_xlog_witness().
 * [out] ${out}, ${len}: the encoded Cosignature (malloc'd; the caller
 * frees it).
 * Returns 0; SEEN_EINVAL when ${cplen} is 0 or over 1 KiB; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_xlog_cosign(const struct seen_keys *k,
    const uint8_t *cp, size_t cplen, uint64_t time, uint8_t **out, size_t *len);

/**
 * seen_xlog_cosignature_open(buf, len, cs, cp):
 * Decode the Cosignature ${buf} (${len} bytes) and check it: a 32-byte
 * witness, a 64-byte signature valid under the witness over the message
 * above, and a checkpoint that decodes well formed, signed by its origin
 * under SEEN_DOMAIN_XLOG_CHECKPOINT, whose origin is not the witness.
 * [out] ${cs}, ${cp}: the cosignature and its checkpoint, which the
 * caller releases with seen__cosignature__free_unpacked(*cs, NULL) and
 * seen_checkpoint_destroy(cp); NULL on error.
 * Returns 0; SEEN_EINVAL when malformed; SEEN_EAUTH when a signature is
 * not valid.  Does not log.
 */
SEEN_MUST_CHECK int seen_xlog_cosignature_open(const uint8_t *buf, size_t len,
    Seen__Cosignature **cs, Seen__Checkpoint **cp);

/**
 * seen_xlog_add_cosignature(txn, k, cosig, len):
 * Keep the cosignature ${cosig} (${len} bytes) that a witness returned
 * for a checkpoint of the log of the node ${k}, inside the write
 * transaction ${txn}.  It must pass seen_xlog_cosignature_open() and be
 * of ${k}'s log; its checkpoint is then noted as by
 * seen_xlog_note_own_checkpoint(), and kept only if it agrees with the
 * log.  Whether the witness is a member is the caller's to check.
 * Returns 0; SEEN_EINVAL for a malformed or badly signed cosignature, or
 * one of another log (nothing written); SEEN_EAUTH when its checkpoint
 * contradicts the log (evidence and refusal written: commit ${txn});
 * SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_add_cosignature(struct seen_txn *txn,
    const struct seen_keys *k, const uint8_t *cosig, size_t len);

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

/* A leaf, decoded and checked by seen_xlog_leaf_parse(). */
struct seen_xlog_leafview {
    Seen__XLogLeaf *leaf;           /* owns nothing below */
    Seen__Envelope *env;            /* XLOG_SENT, XLOG_RECEIVED */
    Seen__SignedPart *part;         /* decoded from env->signed_ */
    Seen__QueryRecord *query;       /* XLOG_QUERY */
    Seen__DecisionRecord *decision; /* XLOG_DECISION */
};

/**
 * seen_xlog_leaf_parse(buf, len, owner, index, v, why):
 * Decode the leaf ${buf} (${len} bytes) found at position ${index} of the
 * log of ${owner} and check it against the leaf rules above (signatures
 * are not checked).
 * [out] ${v}: the decoded parts, released with seen_xlog_leaf_release()
 * (empty on error); ${why}: on error, a static phrase saying which rule
 * failed ("envelope sender is not the owner"); may be NULL.
 * Returns 0; SEEN_EINVAL for a leaf that breaks a rule; SEEN_ENOMEM.
 * Does not log; never crashes on any bytes.
 */
SEEN_MUST_CHECK int seen_xlog_leaf_parse(const uint8_t *buf, size_t len,
    const uint8_t owner[static 32], uint64_t index,
    struct seen_xlog_leafview *v, const char **why);

/**
 * seen_xlog_leaf_release(v):
 * Free what seen_xlog_leaf_parse() decoded into ${v} and empty it.  Safe
 * on an empty view and twice.
 */
void seen_xlog_leaf_release(struct seen_xlog_leafview *v);

#endif /* !SEEN_XLOG_H */

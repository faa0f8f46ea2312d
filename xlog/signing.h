/*
 * signing.h: checkpoints of the node's own exchange log (xlog/xlog.h):
 * signing them, what the node knows it signed, the refusal to sign a
 * second history, an operator's resolution of it, and proving a
 * checkpoint it signed to a peer that witnesses it.
 *
 * The node signs checkpoints of its log (seen_xlog_checkpoint) and never
 * signs a smaller size, or another root at the same size, than one it
 * knows it signed.  What it knows comes from its store and from its own
 * checkpoints that peers show it (seen_xlog_note_own_checkpoint, and the
 * checkpoint inside a cosignature, seen_xlog_add_cosignature in
 * xlog/witness.h): a node restored from a backup, shown a checkpoint of
 * its own that its log does not contain, records the contradiction as
 * evidence and refuses, durably, to sign again.  Exchange-log
 * checkpoints are signed under SEEN_DOMAIN_XLOG_CHECKPOINT
 * (proto/checkpoint.h).
 *
 * Resolving a halt (seen_xlog_resolve; "signed", 'E', 'R', "halt" and
 * "floor" are records of xlog/xlog.h).  A halted node holds a checkpoint
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
 */
#ifndef SEEN_XLOG_SIGNING_H
#define SEEN_XLOG_SIGNING_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "seen.pb-c.h"

struct seen_keys;
struct seen_txn;

/* The longest reason an operator may give for a resolution, in bytes. */
#define SEEN_XLOG_REASON_MAX 1024

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
 * seen_xlog_restored(txn, op, reason, now):
 * The node's store was just restored from a backup (`seen restore`, by
 * ${op}, saying ${reason}, at ${now}): inside the write transaction
 * ${txn}, stop it signing (seen_xlog_halted() is 1, as if shown a
 * checkpoint its log contradicts, with no checkpoint in evidence), so
 * that it never signs a second history before its peers have shown it
 * the checkpoints of its log they hold and an admin has resolved it
 * (seen_xlog_resolve()).  The restore is recorded ("restored", an
 * XLogResolution whose floor is the largest size known signed then).
 * Returns 0; SEEN_EINVAL when ${op} or ${reason} is empty or ${reason}
 * is longer than SEEN_XLOG_REASON_MAX bytes; SEEN_ECORRUPT; SEEN_ENOMEM;
 * SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_restored(struct seen_txn *txn, const char *op,
    const char *reason, uint64_t now);

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

#endif /* !SEEN_XLOG_SIGNING_H */

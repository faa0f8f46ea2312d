/*
 * witness.h: witnessing peers' exchange logs (xlog/xlog.h) and the
 * cosignatures that witnesses return.
 *
 * A node witnesses each checkpoint of a peer's log that it is shown
 * (seen_xlog_witness): it must be consistent with the last one held of
 * that peer, and the node countersigns it; two that are not are kept as
 * evidence of equivocation.  A larger one that comes without a
 * consistency proof waits, pending, for one.  The node keeps the
 * cosignatures witnesses return for its own checkpoints
 * (seen_xlog_add_cosignature), noting the checkpoint in each as one of
 * its own that a peer showed it (xlog/signing.h).
 *
 * A cosignature of a checkpoint with a note (proto/checkpoint.h) is a
 * C2SP tlog-cosignature line (c2sp.org/tlog-cosignature, crypto/note.h):
 * the witness's Ed25519 signature, with key type 0x04 and the key named
 * "seen/witness/" and its key in hex (seen_xlog_witness_key()), over
 *
 *     "cosignature/v1\ntime " T "\n" || the note's text
 *
 * carried in Cosignature.line with T in Cosignature.time.  One of a
 * checkpoint of the earlier form (still read) is Ed25519 by the witness
 * over
 *
 *     "seen-cosign-v1" || 0x00 || time(8, BE) || checkpoint bytes
 *
 * where the checkpoint bytes are exactly those in Cosignature.checkpoint.
 */
#ifndef SEEN_XLOG_WITNESS_H
#define SEEN_XLOG_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

struct seen_keys;
struct seen_txn;

/* The signature domain of a cosignature of the earlier form
 * (crypto/sign.h). */
#define SEEN_DOMAIN_COSIGN "seen-cosign-v1"

/* Bytes of a witness's key name with its NUL: "seen/witness/" and 64
 * hex digits. */
#define SEEN_XLOG_WITNESS_NAME_MAX (13 + 64 + 1)

struct seen_note_key;

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
 * seen_xlog_witness_key(key, pk):
 * Fill ${key} with the C2SP cosignature key (type SEEN_NOTE_COSIGNATURE)
 * of the witness whose Ed25519 key is ${pk}, named "seen/witness/" and
 * ${pk} in lower-case hex.
 */
void seen_xlog_witness_key(struct seen_note_key *key,
    const uint8_t pk[static 32]);

/**
 * seen_xlog_cosign(k, cp, cplen, time, out, len):
 * Countersign, as the witness ${k} at ${time}, the encoded checkpoint
 * ${cp} (${cplen} bytes, kept exactly as given): a checkpoint with a
 * note with a C2SP tlog-cosignature line over the note's text, one of
 * the earlier form with the earlier signature.  Does not check ${cp}
 * beyond decoding it: see seen_xlog_witness().
 * [out] ${out}, ${len}: the encoded Cosignature (malloc'd; the caller
 * frees it).
 * Returns 0; SEEN_EINVAL when ${cplen} is 0 or over 1 KiB, or ${cp} is
 * not a well-formed checkpoint; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_xlog_cosign(const struct seen_keys *k,
    const uint8_t *cp, size_t cplen, uint64_t time, uint8_t **out, size_t *len);

/**
 * seen_xlog_cosignature_open(buf, len, cs, cp):
 * Decode the Cosignature ${buf} (${len} bytes) and check it: a 32-byte
 * witness and a checkpoint that decodes well formed, signed by its
 * origin under SEEN_DOMAIN_XLOG_CHECKPOINT, whose origin is not the
 * witness; for a checkpoint with a note, a cosignature line (and no
 * signature) that verifies under the witness's cosignature key
 * (seen_xlog_witness_key()) over the note's text at the cosignature's
 * time; for one of the earlier form, a 64-byte signature (and no line)
 * valid under the witness over the message above.
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

#endif /* !SEEN_XLOG_WITNESS_H */

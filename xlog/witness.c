#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "storage/store.h"
#include "xlog/signing.h"
#include "xlog/state.h"
#include "xlog/witness.h"

/* The longest checkpoint a cosignature may carry (a well-formed one is
 * about 150 bytes; unknown fields may make it longer). */
#define COSIGN_CP_MAX 1024

/* What against_held() found: the two checkpoints contradict each other. */
#define INCONSISTENT 1

/* Look up the peer's checkpoint stored under ${prefix} origin (borrowed). */
static int
peer_cp(struct seen_txn *txn, int prefix, const uint8_t origin[32],
    const uint8_t **cp, size_t *len)
{
    uint8_t k[SEEN_XSTATE_PEER_KEY];

    seen_xlog_state_peer_key(k, prefix, origin);
    return seen_xlog_state_kget(txn, k, sizeof k, cp, len);
}

/**
 * seen_xlog_held(txn, origin, cp, len):
 * Look up the latest checkpoint held of the log of ${origin}: *${cp}
 * (*${len} bytes, encoded) is borrowed until the end of ${txn} or its next
 * write.  The size to ask a consistency proof from.
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_held(struct seen_txn *txn, const uint8_t origin[static 32],
    const uint8_t **cp, size_t *len)
{

    return peer_cp(txn, SEEN_XSTATE_HELD, origin, cp, len);
}

/**
 * seen_xlog_pending(txn, origin, cp, len):
 * Look up the checkpoint of ${origin} that seen_xlog_witness() kept
 * waiting for a consistency proof, borrowed as in seen_xlog_held().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_pending(struct seen_txn *txn, const uint8_t origin[static 32],
    const uint8_t **cp, size_t *len)
{

    return peer_cp(txn, SEEN_XSTATE_PENDING, origin, cp, len);
}

/**
 * seen_xlog_witness_key(key, pk):
 * Fill ${key} with the C2SP cosignature key (type SEEN_NOTE_COSIGNATURE)
 * of the witness whose Ed25519 key is ${pk}, named "seen/witness/" and
 * ${pk} in lower-case hex.
 */
void
seen_xlog_witness_key(struct seen_note_key *key, const uint8_t pk[static 32])
{
    char name[SEEN_XLOG_WITNESS_NAME_MAX];

    memcpy(name, "seen/witness/", 13);
    seen_hex_encode(name + 13, pk, 32);
    /* A valid name and type: it cannot fail. */
    if (seen_note_key_init(key, name, SEEN_NOTE_COSIGNATURE, pk) != 0)
        memset(key, 0, sizeof *key);
}

/* The message of a cosignature of the earlier form: time || checkpoint
 * bytes, into ${msg} (8 + COSIGN_CP_MAX bytes); returns its length. */
static size_t
legacy_msg(uint8_t *msg, uint64_t time, const uint8_t *cp, size_t cplen)
{

    seen_be64(msg, time);
    memcpy(msg + 8, cp, cplen);
    return 8 + cplen;
}

/* Sign, as the witness ${k} at ${time}, the checkpoint ${c} decoded from
 * ${cp} (${cplen} bytes), into ${cs}: a tlog-cosignature line over its
 * note's text (${line}, SEEN_NOTE_LINE_MAX bytes of caller storage), or,
 * for a checkpoint of the earlier form, the earlier signature (${sig},
 * 64 bytes).  Returns 0 or an error code. */
static int
cosign_cp(const struct seen_keys *k, const Seen__Checkpoint *c,
    const uint8_t *cp, size_t cplen, uint64_t time, Seen__Cosignature *cs,
    char *line, uint8_t sig[64])
{
    uint8_t msg[8 + COSIGN_CP_MAX];
    struct seen_note_key key;
    size_t tlen;
    int rc;

    if (c->note.len == 0) {
        if ((rc = seen_sign(sig, SEEN_DOMAIN_COSIGN, msg,
                 legacy_msg(msg, time, cp, cplen), k->sign_sk)) != 0)
            return rc;
        cs->signature.data = sig;
        cs->signature.len = 64;
        return 0;
    }
    seen_xlog_witness_key(&key, k->sign_pk);
    if ((rc = seen_checkpoint_note_text(c, &tlen)) != 0 ||
        (rc = seen_note_sign(c->note.data, tlen, &key, k->sign_sk, time,
             line)) != 0)
        return rc;
    cs->line.data = (uint8_t *)line;
    cs->line.len = strlen(line);
    return 0;
}

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
int
seen_xlog_cosign(const struct seen_keys *k, const uint8_t *cp, size_t cplen,
    uint64_t time, uint8_t **out, size_t *len)
{
    Seen__Cosignature cs = SEEN__COSIGNATURE__INIT;
    Seen__Checkpoint *c = NULL;
    char line[SEEN_NOTE_LINE_MAX];
    uint8_t sig[64], *buf = NULL;
    size_t n;
    int rc;

    *out = NULL;
    *len = 0;
    if (cp == NULL || cplen == 0 || cplen > COSIGN_CP_MAX ||
        seen_checkpoint_decode(cp, cplen, &c) != 0)
        return SEEN_EINVAL;
    if ((rc = cosign_cp(k, c, cp, cplen, time, &cs, line, sig)) != 0)
        goto done;
    cs.checkpoint.data = (uint8_t *)(uintptr_t)cp;
    cs.checkpoint.len = cplen;
    cs.witness.data = (uint8_t *)(uintptr_t)k->sign_pk;
    cs.witness.len = 32;
    cs.time = time;
    n = seen__cosignature__get_packed_size(&cs);
    if ((buf = malloc(n)) == NULL) {
        seen_errorp("exchange log: cannot encode a cosignature");
        rc = SEEN_ENOMEM;
        goto done;
    }
    if (seen__cosignature__pack(&cs, buf) != n) {
        free(buf);
        rc = SEEN_ERR;
        goto done;
    }
    *out = buf;
    *len = n;
done:
    seen_checkpoint_destroy(&c);
    return rc;
}

/* Check the signature of the cosignature ${s} of the checkpoint ${c}
 * (decoded from s->checkpoint): its line, one line over the note's text
 * at s->time by the witness's cosignature key, or the earlier form's.
 * Returns 0, SEEN_EINVAL (malformed, or the two forms mixed) or
 * SEEN_EAUTH. */
static int
cosig_valid(const Seen__Cosignature *s, const Seen__Checkpoint *c)
{
    uint8_t msg[8 + COSIGN_CP_MAX], note[SEEN_CHECKPOINT_NOTE_MAX + 1 +
                                          SEEN_NOTE_LINE_MAX];
    struct seen_note_found found;
    struct seen_note_key key;
    size_t tlen, got;

    if (s->line.len == 0) {
        if (c->note.len != 0 || s->signature.len != 64)
            return SEEN_EINVAL;
        return seen_verify(s->signature.data, SEEN_DOMAIN_COSIGN, msg,
                   legacy_msg(msg, s->time, s->checkpoint.data,
                       s->checkpoint.len),
                   s->witness.data) == 0
                   ? 0
                   : SEEN_EAUTH;
    }
    /* A line: one, ending in its only newline, after the note's text. */
    if (c->note.len == 0 || s->signature.len != 0 ||
        s->line.len >= SEEN_NOTE_LINE_MAX ||
        memchr(s->line.data, '\n', s->line.len) !=
            s->line.data + s->line.len - 1 ||
        seen_checkpoint_note_text(c, &tlen) != 0)
        return SEEN_EINVAL;
    memcpy(note, c->note.data, tlen);
    note[tlen] = '\n';
    memcpy(note + tlen + 1, s->line.data, s->line.len);
    seen_xlog_witness_key(&key, s->witness.data);
    if (seen_note_open(note, tlen + 1 + s->line.len, &key, 1, &found, &got) !=
            0 ||
        got != tlen || !found.verified || found.time != s->time)
        return SEEN_EAUTH;
    return 0;
}

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
int
seen_xlog_cosignature_open(const uint8_t *buf, size_t len,
    Seen__Cosignature **cs, Seen__Checkpoint **cp)
{
    Seen__Cosignature *s;
    Seen__Checkpoint *c = NULL;
    int rc;

    *cs = NULL;
    *cp = NULL;
    if ((buf == NULL && len != 0) || len > 4096)
        return SEEN_EINVAL;
    if ((s = seen__cosignature__unpack(NULL, len, buf)) == NULL)
        return SEEN_EINVAL;
    rc = SEEN_EINVAL;
    if (s->witness.len != 32 || s->checkpoint.len == 0 ||
        s->checkpoint.len > COSIGN_CP_MAX)
        goto fail;
    if (seen_checkpoint_decode(s->checkpoint.data, s->checkpoint.len, &c) != 0)
        goto fail;
    if (memcmp(c->origin.data, s->witness.data, 32) == 0)
        goto fail;
    if ((rc = seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT)) != 0 ||
        (rc = cosig_valid(s, c)) != 0)
        goto fail;
    *cs = s;
    *cp = c;
    return SEEN_OK;
fail:
    seen_checkpoint_destroy(&c);
    seen__cosignature__free_unpacked(s, NULL);
    return rc;
}

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
int
seen_xlog_add_cosignature(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t *cosig, size_t len)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *cp;
    uint8_t key[SEEN_XSTATE_COSIG_KEY];
    int rc;

    if (seen_xlog_cosignature_open(cosig, len, &cs, &cp) != 0)
        return SEEN_EINVAL;
    if (memcmp(cp->origin.data, k->sign_pk, 32) != 0) {
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((rc = seen_xlog_note_own_checkpoint(txn, k, cp)) != 0)
        goto done;
    seen_xlog_state_own_key(
        key, SEEN_XSTATE_COSIG, cp->size, cp->time, cs->witness.data);
    rc = seen_xlog_state_kput(txn, key, sizeof key, cosig, len);
done:
    seen_checkpoint_destroy(&cp);
    seen__cosignature__free_unpacked(cs, NULL);
    return rc;
}

/*
 * Keep the checkpoints ${held} and ${theirs} of a peer's log, which the
 * consistency proof ${proof} (${plen} hashes) does not reconcile, as
 * evidence of equivocation, in the store and the log of the node ${k}.  Returns SEEN_EAUTH, or the store's code.
 */
static int
keep_inconsistent(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__Checkpoint *held, const Seen__Checkpoint *theirs,
    const uint8_t proof[][32], size_t plen)
{
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    ProtobufCBinaryData pv[SEEN_MERKLE_PROOF_MAX];
    size_t i;
    int rc;

    ev.first = (Seen__Checkpoint *)(uintptr_t)held;
    ev.second = (Seen__Checkpoint *)(uintptr_t)theirs;
    for (i = 0; i < plen; i++) {
        pv[i].data = (uint8_t *)(uintptr_t)proof[i];
        pv[i].len = 32;
    }
    ev.n_proof = plen;
    ev.proof = plen ? pv : NULL;
    if ((rc = seen_xlog_state_put_evidence(
             txn, k, theirs->origin.data, &ev, 0)) != 0)
        return rc;
    seen_error("exchange log: a checkpoint of a peer's log (size %llu) is not "
              "consistent with the one held (size %llu): both kept as evidence "
              "of equivocation",
        (unsigned long long)theirs->size, (unsigned long long)held->size);
    return SEEN_EAUTH;
}

/*
 * Check the peer's checkpoint ${theirs} against ${held}, the one held of
 * its log (NULL for none), with the consistency proof ${proof} (${plen}
 * hashes) between their sizes, as seen_xlog_witness() says.
 * [out] ${replace}: on 0, 1 when ${theirs} is to be held in its place.
 * Returns 0 when consistent; INCONSISTENT; SEEN_EAGAIN when there is no
 * proof yet (a larger ${theirs} is then kept pending); SEEN_EINVAL for a
 * proof of the wrong length; SEEN_EFULL, SEEN_ERR.
 */
static int
against_held(struct seen_txn *txn, const Seen__Checkpoint *held,
    const Seen__Checkpoint *theirs, const uint8_t proof[][32], size_t plen,
    int *replace)
{
    const Seen__Checkpoint *small, *large;
    uint8_t k[SEEN_XSTATE_PEER_KEY];
    int rc;

    *replace = 0;
    if (held == NULL || held->size == 0) {
        *replace = 1;
        return SEEN_OK;
    }
    if (held->size == theirs->size) {
        if (memcmp(held->root.data, theirs->root.data, 32) != 0)
            return INCONSISTENT;
        *replace = theirs->time > held->time;
        return SEEN_OK;
    }
    if (theirs->size == 0)
        return SEEN_OK;
    if (plen == 0) {
        /* Keep a larger one until a proof comes; an older one adds
         * nothing to what is held. */
        if (theirs->size > held->size) {
            seen_xlog_state_peer_key(
                k, SEEN_XSTATE_PENDING, theirs->origin.data);
            if ((rc = seen_xlog_state_put_cp(txn, k, sizeof k, theirs)) != 0)
                return rc;
        }
        return SEEN_EAGAIN;
    }
    small = held->size < theirs->size ? held : theirs;
    large = held->size < theirs->size ? theirs : held;
    /* Not the length of a proof between these sizes: not a proof at all,
     * so no evidence of anything. */
    if (plen != seen_merkle_consistency_len(small->size, large->size))
        return SEEN_EINVAL;
    if (seen_merkle_verify_consistency(small->size, large->size,
            small->root.data, large->root.data, proof, plen) != 0)
        return INCONSISTENT;
    *replace = theirs->size > held->size;
    return SEEN_OK;
}

/*
 * ${theirs} is now held of its peer: settle the checkpoint pending of
 * that peer, if any.  One no larger is dropped: the same one, or an older
 * one that adds nothing to what is held now (as when it comes without a
 * proof); one of the same size with another root is the peer's second
 * history, kept as evidence (in the store and the log of the node ${k}).
 * Returns 0; SEEN_EAUTH for a second history (logged); SEEN_ECORRUPT;
 * SEEN_ENOMEM; SEEN_EFULL, SEEN_ERR.
 */
static int
settle_pending(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__Checkpoint *theirs)
{
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    Seen__Checkpoint *pend = NULL;
    uint8_t pk[SEEN_XSTATE_PEER_KEY];
    int rc;

    seen_xlog_state_peer_key(pk, SEEN_XSTATE_PENDING, theirs->origin.data);
    rc = seen_xlog_state_load_cp(txn, pk, sizeof pk, &pend);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc != 0 || pend->size > theirs->size)
        goto done;
    if ((rc = seen_xlog_state_kdel(txn, pk, sizeof pk)) != 0)
        goto done;
    if (pend->size == theirs->size &&
        memcmp(pend->root.data, theirs->root.data, 32) != 0) {
        ev.first = (Seen__Checkpoint *)(uintptr_t)theirs;
        ev.second = pend;
        if ((rc = seen_xlog_state_put_evidence(
                 txn, k, theirs->origin.data, &ev, 0)) != 0)
            goto done;
        seen_error("exchange log: a peer signed two roots for size %llu of its "
                  "log: both kept as evidence of equivocation",
            (unsigned long long)theirs->size);
        rc = SEEN_EAUTH;
    }
done:
    seen_checkpoint_destroy(&pend);
    return rc;
}

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
int
seen_xlog_witness(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__Checkpoint *theirs, const uint8_t proof[][32], size_t plen,
    uint64_t now, uint8_t **cosig, size_t *cosiglen)
{
    Seen__Checkpoint *held = NULL;
    uint8_t hk[SEEN_XSTATE_PEER_KEY], empty[32], *enc = NULL;
    size_t elen;
    int rc, replace;

    *cosig = NULL;
    *cosiglen = 0;
    if (seen_checkpoint_verify(theirs, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
        memcmp(theirs->origin.data, k->sign_pk, 32) == 0 ||
        plen > SEEN_MERKLE_PROOF_MAX || (proof == NULL && plen != 0))
        return SEEN_EINVAL;
    seen_merkle_empty_root(empty);
    if (theirs->size == 0 && memcmp(theirs->root.data, empty, 32) != 0)
        return SEEN_EINVAL;
    seen_xlog_state_peer_key(hk, SEEN_XSTATE_HELD, theirs->origin.data);
    rc = seen_xlog_state_load_cp(txn, hk, sizeof hk, &held);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    rc = against_held(txn, held, theirs, proof, plen, &replace);
    if (rc == INCONSISTENT) {
        rc = keep_inconsistent(txn, k, held, theirs, proof, plen);
        goto done;
    }
    if (rc != 0)
        goto done;

    /* Consistent: hold it if it is newer, and countersign it. */
    if (replace &&
        ((rc = seen_xlog_state_put_cp(txn, hk, sizeof hk, theirs)) != 0 ||
            (rc = settle_pending(txn, k, theirs)) != 0))
        goto done;
    if ((rc = seen_checkpoint_encode(theirs, &enc, &elen)) != 0)
        goto done;
    rc = seen_xlog_cosign(k, enc, elen, now, cosig, cosiglen);
done:
    free(enc);
    seen_checkpoint_destroy(&held);
    return rc;
}

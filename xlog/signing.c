#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "storage/store.h"
#include "xlog/signing.h"
#include "xlog/state.h"
#include "xlog/xlog.h"

/**
 * seen_xlog_floor(txn, floor):
 * Write to *${floor} the size at or below which an operator's resolution
 * (seen_xlog_resolve()) forbids the node to sign: 0 when none.
 * Returns 0 or SEEN_ECORRUPT.
 */
int
seen_xlog_floor(struct seen_txn *txn, uint64_t *floor)
{
    const uint8_t *v;
    size_t vlen;
    int rc;

    *floor = 0;
    rc = seen_xlog_state_get(txn, SEEN_XSTATE_FLOOR, &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc != 0)
        return rc;
    if (vlen != 8)
        return SEEN_ECORRUPT;
    *floor = seen_rd64(v);
    return SEEN_OK;
}

/**
 * seen_xlog_halted(txn):
 * Returns 1 when the node refuses to sign checkpoints because it holds
 * evidence that a checkpoint of its own contradicts its log, 0 when it
 * signs, or SEEN_ECORRUPT.  Only an operator can clear that state
 * (seen_xlog_resolve()), after finding out what happened: the node cannot
 * tell which of its histories its peers rely on.
 */
int
seen_xlog_halted(struct seen_txn *txn)
{
    const uint8_t *v;
    size_t vlen;
    int rc;

    rc = seen_xlog_state_get(txn, SEEN_XSTATE_HALT, &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return 0;
    return rc == 0 ? 1 : rc;
}

/**
 * seen_xlog_latest(txn, cp, len):
 * Look up the largest checkpoint of this log the node knows it signed:
 * *${cp} (*${len} bytes, an encoded Checkpoint) is borrowed until the end
 * of ${txn} or its next write.  For envelope headers, decode it with
 * seen_checkpoint_decode().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_latest(struct seen_txn *txn, const uint8_t **cp, size_t *len)
{

    return seen_xlog_state_get(txn, SEEN_XSTATE_SIGNED, cp, len);
}

/* Copy the well-formed checkpoint ${c} (either form) into ${out},
 * pointing into ${buf} as seen_checkpoint_sign() does. */
static void
copy_cp(Seen__Checkpoint *out, uint8_t buf[SEEN_CHECKPOINT_BUF],
    const Seen__Checkpoint *c)
{

    seen__checkpoint__init(out);
    memcpy(buf, c->origin.data, 32);
    memcpy(buf + 32, c->root.data, 32);
    out->origin.data = buf;
    out->origin.len = 32;
    out->size = c->size;
    out->root.data = buf + 32;
    out->root.len = 32;
    out->time = c->time;
    if (c->signature.len == 64) {
        memcpy(buf + 64, c->signature.data, 64);
        out->signature.data = buf + 64;
        out->signature.len = 64;
    }
    if (c->note.len > 0 && c->note.len <= SEEN_CHECKPOINT_NOTE_MAX) {
        memcpy(buf + 128, c->note.data, c->note.len);
        out->note.data = buf + 128;
        out->note.len = c->note.len;
    }
}

/* Record the own checkpoint ${c} as known signed ('C', and "signed" when
 * it is the largest). */
static int
record_own(struct seen_txn *txn, const Seen__Checkpoint *c)
{
    Seen__Checkpoint *last = NULL;
    uint8_t k[SEEN_XSTATE_COSIG_KEY];
    int rc;

    seen_xlog_state_own_key(k, SEEN_XSTATE_OWN, c->size, c->time, NULL);
    if ((rc = seen_xlog_state_put_cp(txn, k, SEEN_XSTATE_OWN_KEY, c)) != 0)
        return rc;
    rc = seen_xlog_state_signed(txn, &last);
    if (rc == SEEN_ENOTFOUND || (rc == 0 && c->size > last->size))
        rc = seen_xlog_state_put_cp(
            txn, SEEN_XSTATE_SIGNED, strlen(SEEN_XSTATE_SIGNED), c);
    seen_checkpoint_destroy(&last);
    return rc;
}

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
int
seen_xlog_checkpoint(struct seen_txn *txn, const struct seen_keys *k,
    uint64_t now, Seen__Checkpoint *out,
    uint8_t buf[static SEEN_CHECKPOINT_BUF])
{
    Seen__Checkpoint *last = NULL;
    uint8_t root[32];
    uint64_t n, floor;
    int rc;

    seen__checkpoint__init(out);
    if ((rc = seen_xlog_halted(txn)) != 0) {
        if (rc == 1) {
            seen_error("exchange log: refusing to sign a checkpoint: a "
                      "checkpoint of this node's own contradicts its log "
                      "(restored from a backup?); see the evidence");
            return SEEN_EPERM;
        }
        return rc;
    }
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = seen_xlog_floor(txn, &floor)) != 0)
        return rc;
    /* Resolved by an operator: not again at or below any size of its own
     * it has seen (seen_xlog_resolve()).  Not logged: the caller says,
     * once, that the node does not sign yet. */
    if (floor != 0 && n <= floor)
        return SEEN_EPERM;
    if ((rc = seen_xlog_root(txn, n, root)) != 0)
        return rc;
    rc = seen_xlog_state_signed(txn, &last);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    if (last != NULL) {
        if (memcmp(last->origin.data, k->sign_pk, 32) != 0) {
            seen_error(
                "exchange log: the latest checkpoint is of another node");
            rc = SEEN_ECORRUPT;
            goto done;
        }
        if (n < last->size ||
            (n == last->size && memcmp(root, last->root.data, 32) != 0)) {
            seen_error("exchange log: refusing to sign size %llu: this node "
                      "signed size %llu with another history",
                (unsigned long long)n, (unsigned long long)last->size);
            rc = SEEN_EPERM;
            goto done;
        }
        if (n == last->size) {
            copy_cp(out, buf, last);
            rc = SEEN_OK;
            goto done;
        }
    }
    if ((rc = seen_checkpoint_sign(
             out, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, k, n, root, now)) != 0)
        goto done;
    if ((rc = record_own(txn, out)) != 0)
        seen__checkpoint__init(out);
done:
    seen_checkpoint_destroy(&last);
    return rc;
}

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
int
seen_xlog_note_own_checkpoint(
    struct seen_txn *txn, const struct seen_keys *k, const Seen__Checkpoint *cp)
{
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    Seen__Checkpoint *mine = NULL;
    const uint8_t *enc;
    uint8_t root[32];
    uint64_t n, floor;
    size_t elen;
    int rc;

    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
        memcmp(cp->origin.data, k->sign_pk, 32) != 0)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = seen_xlog_floor(txn, &floor)) != 0)
        return rc;
    if (cp->size <= n) {
        if ((rc = seen_xlog_root(txn, cp->size, root)) != 0)
            return rc;
        if (memcmp(root, cp->root.data, 32) == 0)
            return record_own(txn, cp);
    }
    /* The log is not the history this node signed.  With it, the first
     * checkpoint of its own of that size, if it holds one (a damaged one
     * is none). */
    rc = seen_xlog_state_own_at(txn, cp->size, &enc, &elen);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    if (rc == 0 && seen_checkpoint_decode(enc, elen, &mine) != 0)
        mine = NULL;
    ev.first = (Seen__Checkpoint *)(uintptr_t)cp;
    if (mine != NULL && memcmp(mine->root.data, cp->root.data, 32) != 0)
        ev.second = mine;
    /* At or below an operator's resolution, it is more of the history
     * already resolved: kept, but the node signs on above the floor. */
    rc = seen_xlog_state_put_evidence(
        txn, k, k->sign_pk, &ev, cp->size > floor);
    seen_checkpoint_destroy(&mine);
    if (rc != 0)
        return rc;
    if (cp->size > floor)
        seen_error("exchange log: a peer holds a checkpoint of this node's log "
                  "(size %llu) that the log (size %llu) contradicts: restored "
                  "from a backup, or rewritten?  Kept as evidence; this node "
                  "will sign no further checkpoint",
            (unsigned long long)cp->size, (unsigned long long)n);
    else
        seen_warn("exchange log: a peer holds a checkpoint of this node's "
                    "log (size %llu) from the history an operator resolved "
                    "(signing resumes above size %llu): kept as evidence",
            (unsigned long long)cp->size, (unsigned long long)floor);
    return SEEN_EAUTH;
}

/* The largest checkpoint size found in evidence against the own log. */
static int
evidence_max(
    void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    Seen__XLogEvidence *ev;
    uint64_t *max = vctx;

    (void)key;
    (void)klen;
    if ((ev = seen__xlog_evidence__unpack(NULL, vlen, val)) == NULL)
        return SEEN_ECORRUPT;
    if (ev->first != NULL && ev->first->size > *max)
        *max = ev->first->size;
    if (ev->second != NULL && ev->second->size > *max)
        *max = ev->second->size;
    seen__xlog_evidence__free_unpacked(ev, NULL);
    return 0;
}

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
int
seen_xlog_resolve(struct seen_txn *txn, const struct seen_keys *k,
    const char *op, const char *reason, uint64_t now, uint64_t *floor)
{
    Seen__XLogResolution r = SEEN__XLOG_RESOLUTION__INIT;
    uint8_t pre[33], key[17], fb[8], *enc = NULL;
    const uint8_t *halt;
    uint64_t max, ss;
    size_t hlen, n;
    int rc;

    if ((rc = seen_xlog_halted(txn)) != 1)
        return rc == 0 ? SEEN_ENOTFOUND : rc;
    if (op == NULL || op[0] == '\0' || reason == NULL || reason[0] == '\0' ||
        strlen(reason) > SEEN_XLOG_REASON_MAX)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_state_get(txn, SEEN_XSTATE_HALT, &halt, &hlen)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    /* The floor: every size of its own this node has seen. */
    if ((rc = seen_xlog_floor(txn, &max)) != 0 ||
        (rc = seen_xlog_state_signed_size(txn, &ss)) != 0)
        return rc;
    if (ss > max)
        max = ss;
    seen_xlog_state_peer_key(pre, SEEN_XSTATE_EVIDENCE, k->sign_pk);
    if ((rc = seen_xlog_state_each(txn, pre, sizeof pre, evidence_max,
             &max)) != 0)
        return rc;
    if ((rc = evidence_max(&max, NULL, 0, halt, hlen)) != 0)
        return rc;

    r.operator_ = (char *)(uintptr_t)op;
    r.reason = (char *)(uintptr_t)reason;
    r.time = now;
    r.floor = max;
    r.evidence.data = (uint8_t *)(uintptr_t)halt;
    r.evidence.len = hlen;
    n = seen__xlog_resolution__get_packed_size(&r);
    if ((enc = malloc(n)) == NULL) {
        seen_errorp("exchange log: cannot record a resolution");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_resolution__pack(&r, enc) != n) {
        rc = SEEN_ERR;
        goto done;
    }
    seen_xlog_state_resolved_key(key, now, max);
    seen_be64(fb, max);
    /* enc does not point into the store: the writes below may move it. */
    if ((rc = seen_xlog_state_kput(txn, key, sizeof key, enc, n)) != 0 ||
        (rc = seen_xlog_state_put(
             txn, SEEN_XSTATE_FLOOR, fb, sizeof fb)) != 0 ||
        (rc = seen_xlog_state_del(txn, SEEN_XSTATE_HALT)) != 0)
        goto done;
    if (floor != NULL)
        *floor = max;
    seen_warn("exchange log: an operator resolved this node's refusal to "
                "sign; the evidence is kept, and it signs again above size "
                "%llu",
        (unsigned long long)max);
    rc = SEEN_OK;
done:
    free(enc);
    return rc;
}

/**
 * seen_xlog_restored(txn, op, reason, now):
 * Stop a node just restored from a backup signing, and record the
 * restore; see signing.h.
 */
int
seen_xlog_restored(
    struct seen_txn *txn, const char *op, const char *reason, uint64_t now)
{
    Seen__XLogResolution r = SEEN__XLOG_RESOLUTION__INIT;
    uint8_t *enc;
    uint64_t ss;
    size_t n;
    int rc;

    if (op == NULL || op[0] == '\0' || reason == NULL || reason[0] == '\0' ||
        strlen(reason) > SEEN_XLOG_REASON_MAX)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_state_signed_size(txn, &ss)) != 0)
        return rc;
    r.operator_ = (char *)(uintptr_t)op;
    r.reason = (char *)(uintptr_t)reason;
    r.time = now;
    r.floor = ss;
    n = seen__xlog_resolution__get_packed_size(&r);
    if ((enc = malloc(n)) == NULL)
        return SEEN_ENOMEM;
    seen__xlog_resolution__pack(&r, enc);
    rc = seen_xlog_state_put(txn, SEEN_XSTATE_RESTORED, enc, n);
    free(enc);
    if (rc != 0)
        return rc;
    /* Halted with no checkpoint in evidence: an empty XLogEvidence. */
    if ((rc = seen_xlog_halted(txn)) == 0)
        rc = seen_xlog_state_put(txn, SEEN_XSTATE_HALT, "", 0);
    if (rc < 0)
        return rc;
    seen_warn("exchange log: restored from a backup (largest checkpoint "
              "known signed: size %llu): this node signs no checkpoint until "
              "an admin resolves it (seen node resolve)",
        (unsigned long long)ss);
    return SEEN_OK;
}

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
int
seen_xlog_prove(struct seen_txn *txn, uint64_t from, uint64_t to,
    const uint8_t **cp, size_t *cplen,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    Seen__Checkpoint *c;
    const uint8_t *enc;
    uint8_t root[32];
    uint64_t n;
    size_t elen;
    int rc;

    *cp = NULL;
    *cplen = 0;
    *plen = 0;
    if ((rc = seen_xlog_size(txn, &n)) != 0)
        return rc;
    if (from == 0 || from >= to || to > n)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_state_own_at(txn, to, &enc, &elen)) != 0)
        return rc;
    if (seen_checkpoint_decode(enc, elen, &c) != 0) {
        seen_error("exchange log: a stored checkpoint is damaged");
        return SEEN_ECORRUPT;
    }
    if ((rc = seen_xlog_root(txn, to, root)) == 0 &&
        (c->size != to || memcmp(root, c->root.data, 32) != 0)) {
        seen_error("exchange log: the checkpoint of size %llu this node "
                  "signed is not its log's",
            (unsigned long long)to);
        rc = SEEN_ECORRUPT;
    }
    seen_checkpoint_destroy(&c);
    if (rc != 0)
        return rc;
    if ((rc = seen_merkle_consistency_proof(
             seen_xlog_subtree, txn, from, to, proof, plen)) != 0)
        return rc;
    *cp = enc;
    *cplen = elen;
    return SEEN_OK;
}

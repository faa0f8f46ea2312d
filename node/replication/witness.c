/*
 * witness.c: witnessing the peers' exchange logs (DESIGN.md "Exchange log
 * and audit").  Every envelope carries its sender's latest exchange-log
 * checkpoint.  Of the logs it witnesses (ring.h: a bounded few), this
 * node countersigns (COSIGN) each checkpoint consistent with the one it
 * holds, asks for a consistency proof (GET_XPROOF) of a larger one, at
 * most once every checkpoint_every seconds, and keeps as evidence one
 * that the proof (XPROOF) or the log contradicts.  Of any other log it
 * only compares a checkpoint with the one it holds at the same size.  It
 * answers the same requests about its own log, and notes the
 * cosignatures and checkpoints of it that peers return or show.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/merkle.h"
#include "node/replication/fed_impl.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "storage/store.h"
#include "xlog/xlog.h"

/**
 * fed_count_one(ctx, val, len):
 * A seen_xlog_iter_fn that counts in the uint64_t ${ctx}.  Returns 0.
 */
int
fed_count_one(void *ctx, const uint8_t *val, size_t len)
{
    uint64_t *n = ctx;

    (void)val;
    (void)len;
    (*n)++;
    return 0;
}

/* The checkpoint held of ${pk}'s exchange log, decoded (the caller
 * destroys it with seen_checkpoint_destroy), or NULL when none is. */
static Seen__Checkpoint *
held_of(struct seen_txn *txn, const uint8_t pk[32])
{
    Seen__Checkpoint *h;
    const uint8_t *b;
    size_t l;

    if (seen_xlog_held(txn, pk, &b, &l) != 0 ||
        seen_checkpoint_decode(b, l, &h) != 0)
        return NULL;
    return h;
}

/* When the peer ${p} may next be asked for a proof: checkpoint_every after
 * the last request, or FED_XPROOF_TIMEOUT (doubling with each try) after
 * an unanswered one. */
static double
next_ask(const struct seen_fed *fed, const struct fed_peer *p)
{
    unsigned int tries = p->xp_tries < FED_XPROOF_TRIES ? p->xp_tries
                                                        : FED_XPROOF_TRIES;

    if (p->xp_out)
        return p->xp_at + FED_XPROOF_TIMEOUT * (double)(1u << tries);
    return p->xp_at + fed->opts.checkpoint_every;
}

/**
 * fed_xproof_ask(fed, txn, p, smaller):
 * Ask the peer ${p} (GET_XPROOF), whose log this node witnesses, for a
 * consistency proof of its exchange log from the checkpoint held of it to
 * the one pending (${smaller} 0), or, when it showed one of size
 * ${smaller} below the one held, from that size to the one held: in
 * either case the request shows it the checkpoint held, so that a peer
 * restored from a backup learns at once of the history it lost (and
 * stops signing) instead of signing those sizes again.  At the pace
 * allowed: one request at a time, at most one every checkpoint_every
 * seconds (its origin signs no more often), an unanswered one again
 * after FED_XPROOF_TIMEOUT (doubling; a peer showing a smaller one is
 * asked again after checkpoint_every), and never again of a peer whose
 * proof did not hold.  Not allowed yet, p->xp_due says when to look
 * again.
 */
void
fed_xproof_ask(struct seen_fed *fed, struct seen_txn *txn, struct fed_peer *p,
    uint64_t smaller)
{
    Seen__GetXProof g = SEEN__GET_XPROOF__INIT;
    Seen__Checkpoint *held, *pend = NULL;
    const uint8_t *b;
    size_t l;
    double t = seen_clock_mono(), due = next_ask(fed, p);

    if (!p->witnessed || p->xp_bad)
        return;
    /* A peer that shows a checkpoint below the one held has lost history
     * (restored from a backup): shown the one held at the pace its
     * origin signs, not after the backoff of requests it left unanswered
     * while it was down (which reached FED_XPROOF_TIMEOUT * 2^5, five
     * minutes, in test_xlog_witness on a busy machine). */
    if (smaller != 0 && p->xp_at + fed->opts.checkpoint_every < due)
        due = p->xp_at + fed->opts.checkpoint_every;
    if (t < due) {
        /* Asked later (fed_xproof_ask_all): what it showed is kept, or
         * the later ask would look only for a pending checkpoint, of
         * which a peer that signs nothing has none, and ask nothing. */
        if (smaller != 0 &&
            (p->xp_smaller == 0 || smaller < p->xp_smaller))
            p->xp_smaller = smaller;
        p->xp_due = due;
        return;
    }
    if ((held = held_of(txn, p->pk)) == NULL)
        return;
    if (held->size == 0)
        goto done;
    if (smaller != 0) {
        if (smaller >= held->size)
            goto done;
        g.from = smaller;
        g.to = held->size;
    } else {
        if (seen_xlog_pending(txn, p->pk, &b, &l) != 0 ||
            seen_checkpoint_decode(b, l, &pend) != 0 ||
            pend->size <= held->size)
            goto done;
        g.from = held->size;
        g.to = pend->size;
    }
    g.held = held;
    if (fed_queue_msg(fed, p->pk, SEEN__MSG_TYPE__GET_XPROOF,
            (const ProtobufCMessage *)&g, 0) == 0) {
        p->xp_tries = p->xp_out ? p->xp_tries + 1 : 0;
        p->xp_at = t;
        p->xp_out = 1;
        p->xp_due = next_ask(fed, p);
        fed->xlog.asked++;
    }
done:
    seen_checkpoint_destroy(&held);
    seen_checkpoint_destroy(&pend);
}

/* The size of the checkpoint held of ${pk}'s exchange log (0: none). */
static uint64_t
held_size(struct seen_txn *txn, const uint8_t pk[32])
{
    Seen__Checkpoint *h;
    uint64_t n;

    if ((h = held_of(txn, pk)) == NULL)
        return 0;
    n = h->size;
    seen_checkpoint_destroy(&h);
    return n;
}

/**
 * fed_xproof_undelivered(fed, to, body, blen):
 * The GET_XPROOF ${body} for ${to} was not taken: asked again soon.
 */
void
fed_xproof_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen)
{
    struct fed_peer *p = fed_find_peer(fed, to);
    Seen__GetXProof *g;

    if (p == NULL || (g = seen__get_xproof__unpack(NULL, blen, body)) == NULL)
        return;
    /* Shown a smaller checkpoint (restored from a backup): show it the
     * one held again; else the pending one is looked for as always. */
    p->xp_smaller = g->held != NULL && g->from < g->held->size ? g->from : 0;
    seen__get_xproof__free_unpacked(g, NULL);
    /* Not outstanding (so the next ask starts its tries afresh), and the
     * pace of one ask every checkpoint_every (next_ask) counted as if the
     * last had gone FED_RETRY_MIN before the next may. */
    p->xp_out = 0;
    p->xp_at = seen_clock_mono() - fed->opts.checkpoint_every +
               FED_RETRY_MIN;
    p->xp_due = next_ask(fed, p);
}

/**
 * fed_xproof_ask_all(fed):
 * Ask every peer whose time to look (p->xp_due) has come, if it has a
 * checkpoint pending (or one not taken to show it again).
 */
void
fed_xproof_ask_all(struct seen_fed *fed)
{
    struct seen_txn *txn = NULL;
    double t = seen_clock_mono();
    uint64_t smaller;
    size_t i;

    for (i = 0; i < fed->npeers; i++) {
        struct fed_peer *p = &fed->peers[i];

        if (p->xp_due == 0 || t < p->xp_due)
            continue;
        if (txn == NULL && seen_store_begin(fed->store, 0, &txn) != 0)
            return;
        p->xp_due = 0; /* nothing pending: nothing more to look at */
        smaller = p->xp_smaller;
        p->xp_smaller = 0;
        fed_xproof_ask(fed, txn, p, smaller);
    }
    seen_store_abort(txn);
}

/**
 * fed_xproof_body(txn, hc, req, rlen, out, olen):
 * The body of an XPROOF, written at the last moment: queued, it is the
 * GetXProof ${req} (${rlen} bytes) it answers (fed_on_get_xproof checked
 * it), and it proves up to ${hc}, the checkpoint its envelope will carry
 * (the newest this node has signed), so that the asker settles everything
 * it waits for at once.  Without ${hc} (the node does not sign), up to
 * the size asked.  Writes it to *${out} (malloc'd; the caller frees it)
 * and its length to *${olen}.  Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an
 * error of the exchange log.
 */
int
fed_xproof_body(struct seen_txn *txn, const Seen__Checkpoint *hc,
    const uint8_t *req, size_t rlen, uint8_t **out, size_t *olen)
{
    Seen__GetXProof *g;
    Seen__XProof x = SEEN__XPROOF__INIT;
    Seen__Checkpoint *c = NULL;
    ProtobufCBinaryData pv[SEEN_MERKLE_PROOF_MAX];
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    const uint8_t *cp;
    size_t cplen, plen, i;
    int rc;

    *out = NULL;
    if ((g = seen__get_xproof__unpack(NULL, rlen, req)) == NULL)
        return SEEN_EINVAL;
    rc = SEEN_ENOTFOUND;
    if (hc != NULL && hc->size > g->to)
        rc = seen_xlog_prove(txn, g->from, hc->size, &cp, &cplen, proof, &plen);
    if (rc == SEEN_ENOTFOUND)
        rc = seen_xlog_prove(txn, g->from, g->to, &cp, &cplen, proof, &plen);
    if (rc != 0 || (rc = seen_checkpoint_decode(cp, cplen, &c)) != 0)
        goto done;
    for (i = 0; i < plen; i++)
        pv[i] = (ProtobufCBinaryData){32, proof[i]};
    x.from = g->from;
    x.to = c->size;
    x.n_proof = plen;
    x.proof = pv;
    x.checkpoint = c;
    *olen = seen__xproof__get_packed_size(&x);
    if ((*out = malloc(*olen)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    seen__xproof__pack(&x, *out);
    rc = SEEN_OK;
done:
    seen_checkpoint_destroy(&c);
    seen__get_xproof__free_unpacked(g, NULL);
    return rc;
}

/* Say that a peer's exchange log is not consistent with what we hold. */
static void
xlog_alert(struct seen_fed *fed, const uint8_t pk[32], uint64_t size)
{
    char name[64];

    fed->refused.inconsistent++;
    seen_error("ALERT: the exchange log of '%s' shows a checkpoint (size "
              "%llu) inconsistent with the one this node holds of it: "
              "kept as evidence for the auditors",
        seen_fed_origin_name(fed, pk, name, sizeof name),
        (unsigned long long)size);
}

/* Say that the member ${from} ${what} (a checkpoint of this node's log)
 * that this node's own exchange log contradicts: evidence kept in ${txn}. */
static void
own_log_alert(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const char *what)
{
    char name[64];

    fed->refused.inconsistent++;
    seen_error("ALERT: '%s' %s of this node's exchange log that the log "
              "contradicts: kept as evidence%s",
        seen_fed_origin_name(fed, from, name, sizeof name), what,
        seen_xlog_halted(txn) == 1
            ? "; this node signs no more checkpoints"
            : " (of the history an operator resolved)");
}

/* Send the cosignature ${cosig} (${clen} bytes; NULL: none) back to the
 * witnessed peer ${to}. */
static void
cosign_back(struct seen_fed *fed, const uint8_t to[32], const uint8_t *cosig,
    size_t clen)
{

    if (cosig != NULL &&
        fed_queue_raw(fed, to, SEEN__MSG_TYPE__COSIGN, cosig, clen) == 0)
        fed->xlog.cosigned++;
}

/* 1 when the checkpoint ${cp} of ${sender} is the one held of it (the
 * same size and root): nothing new to witness; else 0. */
static int
witness_skip(struct seen_txn *txn, const uint8_t sender[32],
    const Seen__Checkpoint *cp)
{
    Seen__Checkpoint *h;
    int skip;

    if ((h = held_of(txn, sender)) == NULL)
        return 0;
    skip = h->size == cp->size && h->root.len == 32 && cp->root.len == 32 &&
        memcmp(h->root.data, cp->root.data, 32) == 0;
    seen_checkpoint_destroy(&h);
    return skip;
}

/*
 * The checkpoint ${cp} of ${sender}, whose log this node does not witness:
 * only when it holds one of that log at the same size (it witnessed it
 * under an earlier document), compare them: two roots are evidence.
 * Returns 0 or an error of the store.
 */
static int
compare_only(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t sender[32], const Seen__Checkpoint *cp)
{
    uint8_t *cosig = NULL;
    size_t clen = 0;
    int rc;

    if (held_size(txn, sender) != cp->size || cp->size == 0)
        return SEEN_OK;
    rc = seen_xlog_witness(
        txn, fed->keys, cp, NULL, 0, seen_clock_wall(), &cosig, &clen);
    free(cosig); /* the same checkpoint: skipped before; never sent */
    if (rc == SEEN_EAUTH) {
        xlog_alert(fed, sender, cp->size);
        return SEEN_OK;
    }
    return rc == SEEN_EINVAL || rc == SEEN_EAGAIN ? SEEN_OK : rc;
}

/**
 * fed_witness(fed, txn, v):
 * Witness the exchange-log checkpoint the peer ${v} carried in its header
 * and, when it is accepted, send the cosignature back (COSIGN); when it
 * needs a consistency proof, ask the peer for one.  A checkpoint
 * inconsistent with the one held of that peer is evidence kept in ${txn}
 * (which must commit: the message itself is still applied).  Of a log
 * this node does not witness, only compare_only().  Returns 0 or an
 * error of the store.
 */
int
fed_witness(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    const Seen__Checkpoint *cp = v->checkpoint;
    struct fed_peer *p = fed_find_peer(fed, v->sender);
    uint8_t *cosig = NULL;
    size_t clen = 0;
    char name[64];
    int rc;

    if (witness_skip(txn, v->sender, cp))
        return SEEN_OK;
    if (!fed_witnesses_of(fed, v->sender))
        return compare_only(fed, txn, v->sender, cp);
    rc = seen_xlog_witness(
        txn, fed->keys, cp, NULL, 0, seen_clock_wall(), &cosig, &clen);
    switch (rc) {
    case SEEN_OK:
        cosign_back(fed, v->sender, cosig, clen);
        free(cosig);
        return SEEN_OK;
    case SEEN_EAGAIN:
        /* Larger: kept pending until a consistency proof (xlog.h): ask
         * for one.  Smaller: nothing to witness, but the peer is shown
         * the one held (fed_xproof_ask). */
        if (p != NULL)
            fed_xproof_ask(fed, txn, p,
                held_size(txn, v->sender) > cp->size ? cp->size : 0);
        return SEEN_OK;
    case SEEN_EAUTH:
        xlog_alert(fed, v->sender, cp->size);
        return SEEN_OK;
    case SEEN_EINVAL:
        seen_warn("exchange log of '%s': a checkpoint not witnessed",
            seen_fed_origin_name(fed, v->sender, name, sizeof name));
        return SEEN_OK;
    default:
        return rc;
    }
}

/**
 * fed_cosign_undelivered(fed, to, body, blen):
 * The transport did not take a COSIGN (its ${blen} bytes of ${body}) for
 * ${to}: keep a copy, in place of any kept before, to send again when a
 * HEADS to it would be (fed_heads_undelivered).
 */
void
fed_cosign_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen)
{
    struct fed_peer *p = fed_find_peer(fed, to);
    uint8_t *b;

    if (p == NULL || (b = malloc(blen ? blen : 1)) == NULL)
        return;
    memcpy(b, body, blen);
    free(p->cosig);
    p->cosig = b; /* p owns b */
    p->cosig_len = blen;
    fed_heads_undelivered(fed, to, SEEN__MSG_TYPE__COSIGN);
}

/**
 * fed_cosign_resend(fed):
 * Queue again the cosignatures kept by fed_cosign_undelivered() whose
 * time has come.
 */
void
fed_cosign_resend(struct seen_fed *fed)
{
    double t = seen_clock_mono();
    size_t i;

    for (i = 0; i < fed->npeers; i++) {
        struct fed_peer *p = &fed->peers[i];

        if (p->cosig == NULL || t < p->retry_at)
            continue;
        if (fed_queue_raw(fed, p->pk, SEEN__MSG_TYPE__COSIGN, p->cosig,
                p->cosig_len) != 0)
            continue;
        free(p->cosig);
        p->cosig = NULL;
    }
}

/**
 * fed_on_cosign(fed, txn, from, body, blen):
 * COSIGN: a witness returned its cosignature of one of our checkpoints:
 * keep it.  One that this node's log contradicts is evidence, kept.
 * Returns 0, SEEN_EINVAL, SEEN_EAUTH, SEEN_EPERM (not the sender's), or
 * an error of the exchange log.
 */
int
fed_on_cosign(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *cp;
    struct fed_peer *p;
    int rc, mine;

    if ((rc = seen_xlog_cosignature_open(body, blen, &cs, &cp)) != 0) {
        if (rc == SEEN_EAUTH)
            fed->refused.signature++;
        return rc == SEEN_EAUTH ? SEEN_EAUTH : SEEN_EINVAL;
    }
    /* The witness must be the member that sent it. */
    mine = cs->witness.len == 32 && memcmp(cs->witness.data, from, 32) == 0;
    seen__cosignature__free_unpacked(cs, NULL);
    seen_checkpoint_destroy(&cp);
    if (!mine) {
        fed->refused.mismatch++;
        return SEEN_EPERM;
    }
    rc = seen_xlog_add_cosignature(txn, fed->keys, body, blen);
    if (rc == SEEN_EAUTH) {
        /* Evidence that our own log is not the history we signed: keep
         * it (commit), and say so loudly. */
        own_log_alert(fed, txn, from, "returned a cosignature of a "
                                      "checkpoint");
        return SEEN_OK;
    }
    if (rc == 0) {
        fed->xlog.cosignatures++;
        if ((p = fed_find_peer(fed, from)) != NULL)
            p->cosigs++;
    }
    return rc;
}

/*
 * Note the checkpoint of this node's log that ${from} holds, shown with
 * its request ${g}, as a cosignature's is: if this log contradicts it
 * (restored from a backup), that is evidence, said when new.  Writes to
 * *${answer} whether the request is to be answered (not when this node
 * is halted).  Returns 0; SEEN_EINVAL for a checkpoint that is not one
 * this log signed at a size asked; an error of the exchange log.
 */
static int
note_shown(struct seen_fed *fed, struct seen_txn *txn, const uint8_t from[32],
    const Seen__GetXProof *g, int *answer)
{
    struct fed_peer *p;
    uint64_t ev0 = 0, ev1 = 0;
    int rc;

    *answer = 0;
    if (g->held->size != g->from && g->held->size != g->to)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_iter(txn, SEEN_XLOG_EVIDENCE, fed_count_one, &ev0)) !=
        0)
        return rc;
    rc = seen_xlog_note_own_checkpoint(txn, fed->keys, g->held);
    if (rc == SEEN_EINVAL)
        return rc; /* not a checkpoint of this log it signed */
    if ((rc == 0 || rc == SEEN_EAUTH) && (p = fed_find_peer(fed, from)) != NULL)
        p->shown++;
    if (rc != 0 && rc != SEEN_EAUTH)
        return rc;
    if (rc == SEEN_EAUTH) {
        /* Said when new: a halted node is shown it again and again. */
        if (seen_xlog_iter(txn, SEEN_XLOG_EVIDENCE, fed_count_one, &ev1) != 0 ||
            ev1 > ev0)
            own_log_alert(fed, txn, from, "holds a checkpoint");
        if (seen_xlog_halted(txn) == 1)
            return SEEN_OK; /* commit the evidence; no answer */
    }
    *answer = 1;
    return SEEN_OK;
}

/**
 * fed_on_get_xproof(fed, txn, from, body, blen):
 * GET_XPROOF: a peer asks for a consistency proof of this node's exchange
 * log: between two sizes within the log, to one this node signed.  The
 * checkpoint it holds, shown with the request, is noted (note_shown), and
 * a node it halts answers nothing.  The answer is queued, and written
 * when it is sealed (fed_xproof_body); a second request before then
 * replaces the first.  Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an error
 * of the exchange log.
 */
int
fed_on_get_xproof(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__GetXProof *g;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    const uint8_t *cp;
    struct fed_peer *p;
    size_t cplen, plen;
    int rc, answer;

    if ((g = seen__get_xproof__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if ((p = fed_find_peer(fed, from)) != NULL)
        p->asked++;
    if (g->held != NULL &&
        ((rc = note_shown(fed, txn, from, g, &answer)) != 0 || !answer))
        goto done;
    rc = seen_xlog_prove(txn, g->from, g->to, &cp, &cplen, proof, &plen);
    if (rc == SEEN_EINVAL || rc == SEEN_ENOTFOUND) {
        /* Sizes this node never signed, or beyond its log. */
        rc = SEEN_EINVAL;
        goto done;
    }
    if (rc != 0)
        goto done;
    if (!fed_reply_ok(fed, from, cplen + 32 * plen))
        goto done; /* beyond what it may be owed: counted */
    rc = fed_queue_msg(fed, from, SEEN__MSG_TYPE__XPROOF,
        (const ProtobufCMessage *)g, FED_Q_REPLACE);
done:
    seen__get_xproof__free_unpacked(g, NULL);
    return rc;
}

/* Check the form of XPROOF ${x} from ${from} and copy its proof to
 * ${proof}.  Returns 0 or SEEN_EINVAL. */
static int
xproof_check(const Seen__XProof *x, const uint8_t from[32],
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32])
{
    const Seen__Checkpoint *cp = x->checkpoint;
    size_t i;

    if (cp == NULL || cp->origin.len != 32 ||
        memcmp(cp->origin.data, from, 32) != 0 || x->from == 0 ||
        x->from >= x->to || cp->size != x->to ||
        x->n_proof != seen_merkle_consistency_len(x->from, x->to))
        return SEEN_EINVAL;
    for (i = 0; i < x->n_proof; i++) {
        if (x->proof[i].len != 32)
            return SEEN_EINVAL;
        memcpy(proof[i], x->proof[i].data, 32);
    }
    return SEEN_OK;
}

/**
 * fed_on_xproof(fed, txn, from, body, blen):
 * XPROOF: a peer's answer to GET_XPROOF: witness its checkpoint with the
 * proof, from the one held of it, and countersign it as fed_witness()
 * does.  A proof that does not hold is evidence, kept in ${txn} (commit),
 * and the peer is asked no more.  An answer from another size than the
 * one held (a late one), or of a log this node does not witness, is
 * ignored.  Returns 0, SEEN_EINVAL, SEEN_EAUTH
 * (a bad signature), or an error of the exchange log.
 */
int
fed_on_xproof(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__XProof *x;
    Seen__Checkpoint *cp, *held = NULL;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *cosig = NULL;
    struct fed_peer *p;
    size_t clen = 0;
    int rc;

    if ((x = seen__xproof__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    cp = x->checkpoint;
    if ((rc = xproof_check(x, from, proof)) != 0)
        goto done;
    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0) {
        fed->refused.signature++;
        rc = SEEN_EAUTH;
        goto done;
    }
    if (!fed_witnesses_of(fed, from))
        goto done; /* not asked: this node does not witness that log */
    if ((p = fed_find_peer(fed, from)) != NULL) {
        p->xp_out = 0;
        p->xp_tries = 0;
        p->xp_due = next_ask(fed, p); /* a larger one may still wait */
    }
    if ((held = held_of(txn, from)) == NULL || held->size != x->from)
        goto done;
    rc = seen_xlog_witness(txn, fed->keys, cp, (const uint8_t(*)[32])proof,
        x->n_proof, seen_clock_wall(), &cosig, &clen);
    switch (rc) {
    case SEEN_OK:
        cosign_back(fed, from, cosig, clen);
        break;
    case SEEN_EAUTH:
        xlog_alert(fed, from, cp->size);
        if (p != NULL)
            p->xp_bad = 1;
        rc = SEEN_OK;
        break;
    case SEEN_EAGAIN:
        rc = SEEN_OK;
        break;
    default:
        break;
    }
done:
    free(cosig);
    seen_checkpoint_destroy(&held);
    seen__xproof__free_unpacked(x, NULL);
    return rc;
}

/*
 * dispatch.c: one received envelope, from bytes to effect.  It is opened
 * (signature, recipient, freshness, replay: storage/replay.h), its signer
 * checked against the CURVE-authenticated peer, counted by type, logged
 * as received when it carries content (xlog/leaf.h), its checkpoint
 * witnessed (witness.c), and handed to the handler of its MsgType: a row
 * of handlers[] below, or the handler set by seen_fed_set_handler() for
 * the types replication does not handle.  Protocol chatter is logged only
 * when handling it found evidence of equivocation.  Every refusal is
 * counted once, by the reason for it.
 */
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/replication/fed_impl.h"
#include "node/transport/net.h"
#include "proto/envelope.h"
#include "storage/replay.h"
#include "storage/store.h"
#include "xlog/xlog.h"

/* The MsgTypes replication handles itself, and their handlers. */
static const struct {
    int type;
    fed_handler_fn *fn;
} handlers[] = {
    {SEEN__MSG_TYPE__HELLO, fed_on_hello},
    {SEEN__MSG_TYPE__HEADS, fed_on_heads},
    {SEEN__MSG_TYPE__GET_RANGE, fed_on_get_range},
    {SEEN__MSG_TYPE__ENTRIES, fed_on_entries},
    {SEEN__MSG_TYPE__COSIGN, fed_on_cosign},
    {SEEN__MSG_TYPE__GET_XPROOF, fed_on_get_xproof},
    {SEEN__MSG_TYPE__XPROOF, fed_on_xproof},
    {SEEN__MSG_TYPE__MEMBERSHIP, fed_on_membership},
};

#define NHANDLERS (sizeof handlers / sizeof handlers[0])

/* The handler of MsgType ${type}, or NULL for the outside handler's. */
static fed_handler_fn *
handler_of(int type)
{
    size_t i;

    for (i = 0; i < NHANDLERS; i++)
        if (handlers[i].type == type)
            return handlers[i].fn;
    return NULL;
}

/* 1 when the envelope ${buf} (${len} bytes), which seen_envelope_open()
 * refused as not allowed, names a recipient other than ${me}, else 0 (its
 * sender is no active member). */
static int
other_recipient(const uint8_t *buf, size_t len, const uint8_t me[32])
{
    Seen__Envelope *env;
    Seen__SignedPart *part = NULL;
    int other = 0;

    if ((env = seen__envelope__unpack(NULL, len, buf)) == NULL)
        return 0;
    if ((part = seen__signed_part__unpack(NULL, env->signed_.len,
             env->signed_.data)) != NULL &&
        part->header != NULL && part->header->recipient.len == 32)
        other = memcmp(part->header->recipient.data, me, 32) != 0;
    if (part != NULL)
        seen__signed_part__free_unpacked(part, NULL);
    seen__envelope__free_unpacked(env, NULL);
    return other;
}

/* Count the envelope ${m} that seen_replay_open() refused with ${rc},
 * against the peer that delivered it. */
static void
count_unopened(struct seen_fed *fed, const struct fed_msg *m, int rc)
{
    struct fed_peer *p;

    if (rc == SEEN_EPERM &&
        other_recipient(m->buf, m->len, fed->keys->sign_pk))
        fed->refused.wrong_recipient++;
    else if (rc == SEEN_EPERM)
        fed->refused.unknown++;
    else if (rc == SEEN_EAGAIN)
        fed->refused.replay_full++;
    else if (rc == SEEN_EFULL)
        fed->refused.store_full++;
    else if (rc == SEEN_EAUTH)
        fed->refused.signature++;
    else if (rc == SEEN_EREPLAY)
        fed->refused.replay++;
    else
        fed->refused.malformed++;
    if ((p = fed_find_peer(fed, m->sender)) != NULL)
        p->refused++;
}

/* Log the envelope opened as ${v} as received, in ${txn}.  Returns 0 or
 * the error (counted). */
static int
log_received(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    int rc;

    /* Logged with its effect: both commit, or neither. */
    rc = seen_xlog_received(
        txn, fed->keys, v, seen_clock_wall(), &fed->xlog.rx_index);
    if (rc == 0) {
        fed->xlog.logged_received++;
        fed->xlog.rx_logged = 1;
    } else if (rc == SEEN_EINVAL) {
        fed->refused.malformed++;
    } else if (rc == SEEN_EFULL) {
        fed->refused.store_full++; /* the store said so, once */
    } else {
        fed->refused.other++;
        seen_error("exchange log: cannot log a received envelope: %s",
            seen_strerror(rc));
    }
    return rc;
}

/* Witness the checkpoint the envelope ${v} carries, in ${txn}.  Returns 0
 * or the error (counted). */
static int
witness(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    int rc;

    if (v->checkpoint == NULL || (rc = fed_witness(fed, txn, v)) == 0)
        return SEEN_OK;
    if (rc == SEEN_EINVAL)
        fed->refused.malformed++;
    else
        fed->refused.other++;
    return rc;
}

/* Apply the opened envelope ${v} inside ${txn} with the handler of its
 * type.  Returns the handler's code, counted when it refuses. */
static int
apply(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    fed_handler_fn *fn = handler_of(v->type);
    int rc;

    if (fn != NULL) {
        rc = fn(fed, txn, v->sender, v->body, v->blen);
    } else {
        rc = fed->handler != NULL
            ? fed->handler(fed->hctx, txn, v->sender, v->type, v->body,
                  v->blen)
            : SEEN_EINVAL;
        if (rc == SEEN_EPERM)
            fed->refused.other++;
    }
    /* SEEN_EAUTH and SEEN_EPERM were counted where found. */
    if (rc != 0 && v->type == SEEN__MSG_TYPE__MEMBERSHIP && rc != SEEN_EFULL)
        fed->refused.bad_membership++;
    else if (rc == SEEN_EFULL)
        fed->refused.store_full++;
    else if (rc == SEEN_EINVAL)
        fed->refused.malformed++;
    else if (rc != 0 && rc != SEEN_EPERM && rc != SEEN_EAUTH)
        fed->refused.other++;
    return rc;
}

/* Handle the envelope ${v}, opened and from the peer that delivered it,
 * in ${txn}: log it first when it carries content (so that a decision it
 * leads to follows it in the log), witness its checkpoint, apply it, and
 * log chatter that turned out to carry evidence.  Returns 0 or the code
 * for which it was refused. */
static int
handle(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    struct fed_peer *p;
    uint64_t inconsistent = fed->refused.inconsistent;
    int content = seen_xlog_is_content(v->type), rc;

    fed->xlog.rx_logged = 0;
    if ((content && (rc = log_received(fed, txn, v)) != 0) ||
        (rc = witness(fed, txn, v)) != 0)
        return rc;
    if ((p = fed_find_peer(fed, v->sender)) != NULL) {
        p->last_rx = seen_clock_wall();
        /* Connected: what it is owed goes now, and if that fails, again
         * a second later (its socket renewed, not left in backoff). */
        p->retry_at = 0;
        p->backoff = FED_RETRY_MIN;
        seen_net_heard(fed->net, p->pk);
        /* Signing nothing, it may have stopped on evidence against its
         * own log: a witness shows it what it holds of it
         * (fed_xproof_ask), so that it knows every size it signed before
         * an operator resolves it. */
        if (v->checkpoint == NULL)
            fed_xproof_ask(fed, txn, p, 1);
    }
    if ((rc = apply(fed, txn, v)) != 0)
        return rc;
    if (!content && fed->refused.inconsistent > inconsistent)
        return log_received(fed, txn, v);
    return SEEN_OK;
}

/**
 * fed_on_message(fed, txn, m):
 * Open, check, log and apply the received envelope ${m} inside ${txn},
 * counting it when refused.  Returns 0, or the SEEN_E* code for which it
 * was refused (the caller aborts ${txn}).
 */
int
fed_on_message(struct seen_fed *fed, struct seen_txn *txn,
    const struct fed_msg *m)
{
    struct seen_envelope_view v;
    struct fed_peer *p = fed_find_peer(fed, m->sender);
    char name[64];
    int rc;

    /* What one peer may add to the replay cache is bounded. */
    if (p != NULL && p->replay_n >= FED_REPLAY_PEER_MAX) {
        p->refused++;
        if (fed_burst(++fed->refused.replay_full))
            seen_warn("'%s' sends faster than the replay cache keeps for "
                      "one peer: refused until the next prune (%llu so far)",
                seen_fed_origin_name(fed, m->sender, name, sizeof name),
                (unsigned long long)fed->refused.replay_full);
        return SEEN_EAGAIN;
    }
    rc = seen_replay_open(fed->replay, txn, m->buf, m->len,
        fed->keys->sign_pk, fed_member_active, fed, seen_clock_wall(), &v);
    if (rc != 0) {
        count_unopened(fed, m, rc);
        return rc;
    }
    /* The CURVE-authenticated peer must be the envelope's signer. */
    if (memcmp(v.sender, m->sender, 32) != 0) {
        fed->refused.mismatch++;
        seen_envelope_release(&v);
        return SEEN_EPERM;
    }
    fed->replay_dirty = 1;
    if (p != NULL) {
        p->replay_n++;
        p->received++;
    }
    fed_count(fed, v.type, 0);
    rc = handle(fed, txn, &v);
    seen_envelope_release(&v);
    return rc;
}

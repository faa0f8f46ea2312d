/*
 * outbox.c: the bodies waiting to leave, the flush that seals, logs and
 * sends them, and the checkpoints of this node's own exchange log.
 *
 * Every envelope carries the latest checkpoint this node signed of its
 * exchange log, and one that carries content is logged as sent before it
 * leaves (DESIGN.md "Exchange log and audit"; xlog/leaf.h "What the log
 * holds").  Logging needs the store's write transaction, which LMDB gives
 * one per thread: the handlers may run inside a round's transaction or
 * outside any, so they only queue the body, and fed_flush() seals, logs
 * and sends the queue in a transaction of its own, after the round's has
 * ended.  A checkpoint is signed when the log has grown, at most once
 * every checkpoint_every seconds (fed_checkpoint_due), and shown to this
 * node's witnesses (ring.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "node/replication/fed_impl.h"
#include "node/transport/net.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/space.h"
#include "storage/store.h"
#include "xlog/xlog.h"

/* Make ${q}'s body a copy of ${blen} bytes of ${body}, freeing the one it
 * had.  Returns 0 or SEEN_ENOMEM (then ${q} is unchanged). */
static int
outmsg_set_body(struct fed_outmsg *q, const uint8_t *body, size_t blen)
{
    uint8_t *b;

    if ((b = malloc(blen ? blen : 1)) == NULL)
        return SEEN_ENOMEM;
    if (blen > 0)
        memcpy(b, body, blen);
    free(q->body);
    q->body = b;
    q->blen = blen;
    return SEEN_OK;
}

/**
 * fed_queue_raw(fed, to, type, body, blen):
 * Queue ${blen} bytes of ${body} (copied) as a message of MsgType ${type}
 * to ${to}.  Returns 0; SEEN_EAGAIN when the queue is full (FED_OUTQ_MAX
 * bodies, or FED_OUTQ_BYTES bytes; counted as dropped); SEEN_ENOMEM.
 */
int
fed_queue_raw(struct seen_fed *fed, const uint8_t to[32], int type,
    const uint8_t *body, size_t blen)
{
    struct fed_outmsg *q;
    void *p;

    /* Bounded in bodies and bytes: what peers ask of this node waits
     * here until the round's transaction ends (FED_OUTQ_*). */
    if (fed->nout >= FED_OUTQ_MAX || blen > FED_OUTQ_BYTES - fed->outbytes) {
        fed->xlog.dropped++;
        return SEEN_EAGAIN;
    }
    if (fed->nout == fed->capout) {
        size_t cap = fed->capout ? 2 * fed->capout : 64;

        if ((p = realloc(fed->outq, cap * sizeof *q)) == NULL)
            return SEEN_ENOMEM;
        fed->outq = p;
        fed->capout = cap;
    }
    q = &fed->outq[fed->nout];
    q->body = NULL;
    if (outmsg_set_body(q, body, blen) != 0)
        return SEEN_ENOMEM;
    memcpy(q->to, to, 32);
    q->type = type;
    fed->nout++;
    fed->outbytes += blen;
    return SEEN_OK;
}

/* The first body queued of MsgType ${type} to ${to}, or NULL. */
static struct fed_outmsg *
find_queued(struct seen_fed *fed, const uint8_t to[32], int type)
{
    size_t i;

    for (i = 0; i < fed->nout; i++)
        if (fed->outq[i].type == type && memcmp(fed->outq[i].to, to, 32) == 0)
            return &fed->outq[i];
    return NULL;
}

/* Pack ${msg} into ${stackbuf} (${cap} bytes) when it fits, else into a
 * buffer malloc'd here (the caller frees it when it is not ${stackbuf}),
 * its size in *${blen}.  Returns the buffer, or NULL when out of
 * memory. */
static uint8_t *
pack_msg(const ProtobufCMessage *msg, uint8_t *stackbuf, size_t cap,
    size_t *blen)
{
    uint8_t *b = stackbuf;

    *blen = protobuf_c_message_get_packed_size(msg);
    if (*blen > cap && (b = malloc(*blen)) == NULL)
        return NULL;
    protobuf_c_message_pack(msg, b);
    return b;
}

/**
 * fed_queue_msg(fed, to, type, msg, flags):
 * Pack ${msg} and queue it as fed_queue_raw does; with FED_Q_REPLACE, a
 * body already queued of ${type} to ${to} is replaced instead.  Returns
 * as fed_queue_raw.
 */
int
fed_queue_msg(struct seen_fed *fed, const uint8_t to[32], int type,
    const ProtobufCMessage *msg, int flags)
{
    uint8_t stackbuf[4096], *b;
    struct fed_outmsg *q = NULL;
    size_t blen;
    int rc;

    if (flags & FED_Q_REPLACE)
        q = find_queued(fed, to, type);
    if ((b = pack_msg(msg, stackbuf, sizeof stackbuf, &blen)) == NULL)
        return SEEN_ENOMEM;
    if (q != NULL && blen > q->blen &&
        blen - q->blen > FED_OUTQ_BYTES - fed->outbytes) {
        fed->xlog.dropped++;
        rc = SEEN_EAGAIN;
    } else if (q != NULL) {
        size_t old = q->blen;

        if ((rc = outmsg_set_body(q, b, blen)) == 0)
            fed->outbytes = fed->outbytes - old + blen;
    } else
        rc = fed_queue_raw(fed, to, type, b, blen);
    if (b != stackbuf)
        free(b);
    return rc;
}

/**
 * fed_burst(n):
 * Return 1 when the ${n}th event of a burst is to be said (the 1st, 2nd,
 * 4th, 8th...), else 0.
 */
int
fed_burst(uint64_t n)
{

    return n != 0 && (n & (n - 1)) == 0;
}

/* 1 when this node serves peers now: not when its store is nearly full
 * (storage/space.h), so that what is left is kept for its own
 * replication and its exchange log; counted, said once a burst. */
static int
serving(struct seen_fed *fed)
{

    if (!seen_space_low(fed->store))
        return 1;
    if (fed_burst(++fed->refused.not_served))
        seen_warn("store nearly full: requests of peers are not served "
                  "(%llu so far), to keep room for this node's own "
                  "replication",
            (unsigned long long)fed->refused.not_served);
    return 0;
}

/* Take ${cost} bytes from the budget of replies owed to ${to} (with
 * ${take} 0, only look that it holds them), as fed_reply_ok says.
 * Returns 1 or 0 (counted). */
static int
budget_take(struct seen_fed *fed, const uint8_t to[32], double cost, int take)
{
    struct fed_peer *p = fed_find_peer(fed, to);
    double t = seen_clock_mono();
    char name[64];

    if (!serving(fed))
        return 0;
    if (p == NULL)
        return 0; /* not a peer: no connection to answer on, and an
                   * answer would be logged as sent */
    if (p->budget_at == 0)
        p->budget = FED_REPLY_BURST;
    else
        p->budget += (t - p->budget_at) * FED_REPLY_RATE;
    if (p->budget > FED_REPLY_BURST)
        p->budget = FED_REPLY_BURST;
    p->budget_at = t;
    if (p->budget >= cost) {
        if (take)
            p->budget -= cost;
        return 1;
    }
    p->over_budget++;
    p->refused++;
    if (fed_burst(++fed->refused.over_budget))
        seen_warn("'%s' asks more than it may be answered: requests "
                  "dropped (%llu from it, %llu in all)",
            seen_fed_origin_name(fed, to, name, sizeof name),
            (unsigned long long)p->over_budget,
            (unsigned long long)fed->refused.over_budget);
    return 0;
}

/**
 * fed_reply_ok(fed, to, bytes):
 * Take ${bytes} (and FED_REPLY_COST) from the budget of replies owed to
 * ${to}, as fed_reply does, for a reply queued otherwise.  Returns 1 when
 * it may be queued, else 0 (counted).
 */
int
fed_reply_ok(struct seen_fed *fed, const uint8_t to[32], size_t bytes)
{

    return budget_take(fed, to, (double)bytes + FED_REPLY_COST, 1);
}

/**
 * fed_reply_room(fed, to):
 * Return 1 when a reply to ${to} may be queued now (its budget holds at
 * least FED_REPLY_COST), else 0 (counted as fed_reply_ok does): a look,
 * before the work of building one.
 */
int
fed_reply_room(struct seen_fed *fed, const uint8_t to[32])
{

    return budget_take(fed, to, FED_REPLY_COST, 0);
}

/* 1 when a body equal to ${body} (${blen} bytes) of MsgType ${type} is
 * queued to ${to}, else 0. */
static int
queued_same(struct seen_fed *fed, const uint8_t to[32], int type,
    const uint8_t *body, size_t blen)
{
    size_t i;

    for (i = 0; i < fed->nout; i++)
        if (fed->outq[i].type == type && fed->outq[i].blen == blen &&
            memcmp(fed->outq[i].to, to, 32) == 0 &&
            memcmp(fed->outq[i].body, body, blen) == 0)
            return 1;
    return 0;
}

/**
 * fed_reply(fed, to, type, msg, free_bytes):
 * Queue ${msg} as a reply of MsgType ${type} to a request of ${to}, as
 * fed_queue_msg does, within what ${to} may be owed: not to a member
 * that is not a peer (no connection to answer on), not when this
 * node's store is nearly full (counted not_served), nor when the same
 * body is queued to ${to} already (answered once: counted repeated), nor
 * beyond ${to}'s budget (FED_REPLY_*: counted over_budget, said once a
 * burst).  The reply takes its packed size less ${free_bytes} (at most
 * that size) from the budget.  Returns 0 (queued, or answered already);
 * SEEN_EAGAIN when dropped; SEEN_ENOMEM.
 */
int
fed_reply(struct seen_fed *fed, const uint8_t to[32], int type,
    const ProtobufCMessage *msg, size_t free_bytes)
{
    uint8_t stackbuf[4096], *b;
    size_t blen;
    int rc;

    if ((b = pack_msg(msg, stackbuf, sizeof stackbuf, &blen)) == NULL)
        return SEEN_ENOMEM;
    if (queued_same(fed, to, type, b, blen)) {
        fed->refused.repeated++;
        rc = SEEN_OK;
    } else if (!fed_reply_ok(
                   fed, to, blen > free_bytes ? blen - free_bytes : 0)) {
        rc = SEEN_EAGAIN;
    } else
        rc = fed_queue_raw(fed, to, type, b, blen);
    if (b != stackbuf)
        free(b);
    return rc;
}

/**
 * fed_served(fed, p, origin, to):
 * Return where the leaves of ${origin}'s feed not yet sent to the peer
 * ${p} begin (0: none were; UINT64_MAX: not known, its note made room
 * for others), and with ${to} non-zero note that those below ${to} were
 * (the least recently used note makes room).
 */
uint64_t
fed_served(struct seen_fed *fed, struct fed_peer *p, const uint8_t origin[32],
    uint64_t to)
{
    size_t i, slot = 0;
    uint64_t was;

    for (i = 0; i < FED_SERVED_MAX; i++) {
        if (memcmp(p->served[i].origin, origin, 8) == 0 &&
            p->served[i].used != 0)
            break;
        if (p->served[i].used < p->served[slot].used)
            slot = i;
    }
    if (i == FED_SERVED_MAX) {
        /* Never sent, while there was room to note it; or forgotten
         * (then none is free: forgetting must not make leaves free). */
        was = p->served[slot].used == 0 ? 0 : UINT64_MAX;
        if (to == 0)
            return was;
        i = slot;
        memcpy(p->served[i].origin, origin, 8);
        p->served[i].to = 0;
    }
    was = p->served[i].to;
    if (to > was)
        p->served[i].to = to;
    if (to != 0)
        p->served[i].used = ++fed->served_clock;
    return was;
}

/**
 * fed_outq_clear(fed):
 * Free every queued body and empty the queue (its array is kept).
 */
void
fed_outq_clear(struct seen_fed *fed)
{
    size_t i;

    for (i = 0; i < fed->nout; i++)
        free(fed->outq[i].body);
    fed->nout = 0;
    fed->outbytes = 0;
}

/*
 * Note whether this node signs checkpoints of its log (${halted} 0) or
 * not (1: it holds evidence against its own log; 2: an operator resolved
 * that, and its log is not above the floor yet), saying so when that
 * changes.
 */
static void
set_halted(struct seen_fed *fed, int halted)
{

    if (halted && !fed->xlog.halted) {
        if (halted == 1)
            seen_error("exchange log: this node refuses to sign "
                      "checkpoints of its log; envelopes go without one "
                      "until an operator resolves it");
        else
            seen_warn("exchange log: this node does not sign checkpoints "
                      "of its log until it is longer than any it has "
                      "signed");
    } else if (!halted && fed->xlog.halted) {
        seen_warn("exchange log: this node signs checkpoints of its log "
                  "again");
    }
    fed->xlog.halted = halted != 0;
}

/*
 * Sign a checkpoint of this node's whole exchange log at ${now} into ${cp}
 * (its buffers in ${cpbuf}) inside ${txn}, or find the latest one when the
 * log has not grown since; ${cp} is left empty when the node signs
 * nothing (xlog/signing.h).  Returns 0, or an error of the exchange log
 * (logged; the caller aborts ${txn}).
 */
static int
sign_own(struct seen_fed *fed, struct seen_txn *txn, uint64_t now,
    Seen__Checkpoint *cp, uint8_t cpbuf[static SEEN_CHECKPOINT_BUF])
{
    int rc;

    rc = seen_xlog_checkpoint(txn, fed->keys, now, cp, cpbuf);
    if (rc == SEEN_EPERM) {
        /* The node holds evidence against its own log (xlog.h), or an
         * operator resolved it and the log is not above the floor yet:
         * it goes on exchanging, logged, but signs nothing. */
        set_halted(fed, seen_xlog_halted(txn) == 1 ? 1 : 2);
        seen__checkpoint__init(cp);
        return SEEN_OK;
    }
    if (rc != 0) {
        seen_error("exchange log: cannot sign a checkpoint: %s",
            seen_strerror(rc));
        return rc;
    }
    set_halted(fed, 0);
    return SEEN_OK;
}

/*
 * Point *${hc} at the checkpoint the envelopes of this flush carry, inside
 * ${txn}: the latest this node signed of its log (decoded into *${dec},
 * which the caller destroys), or, when it has signed none, one signed now
 * into ${cp}; NULL when the node signs nothing: it holds evidence against
 * its own log, or its latest is not above an operator's floor.  Returns 0,
 * or an error of the exchange log (logged; the caller aborts ${txn}).
 */
static int
header_checkpoint(struct seen_fed *fed, struct seen_txn *txn, uint64_t now,
    Seen__Checkpoint *cp, uint8_t cpbuf[static SEEN_CHECKPOINT_BUF],
    Seen__Checkpoint **dec, const Seen__Checkpoint **hc)
{
    const uint8_t *b;
    uint64_t floor;
    size_t l;
    int rc;

    *hc = NULL;
    if ((rc = seen_xlog_halted(txn)) != 0) {
        if (rc != 1)
            return rc;
        set_halted(fed, 1);
        return SEEN_OK;
    }
    rc = seen_xlog_latest(txn, &b, &l);
    if (rc == SEEN_ENOTFOUND) {
        if ((rc = sign_own(fed, txn, now, cp, cpbuf)) == 0 &&
            seen_checkpoint_signed(cp)) {
            fed->xlog.signed_++;
            *hc = cp;
        }
        return rc;
    }
    if (rc != 0 || (rc = seen_xlog_floor(txn, &floor)) != 0)
        return rc;
    if ((rc = seen_checkpoint_decode(b, l, dec)) != 0) {
        seen_error("exchange log: the latest checkpoint is damaged");
        return SEEN_ECORRUPT;
    }
    if (floor != 0 && (*dec)->size <= floor) {
        set_halted(fed, 2);
        return SEEN_OK;
    }
    set_halted(fed, 0);
    *hc = *dec;
    return SEEN_OK;
}

/*
 * Seal every queued body with ${hc} into ${env}/${elen} and log each that
 * carries content as sent inside ${txn}; a body that cannot be sealed, or
 * that the log refuses as malformed, is left NULL (not sent).  Returns 0,
 * or an error of the exchange log (logged; the caller aborts ${txn}).
 */
static int
flush_seal(struct seen_fed *fed, struct seen_txn *txn,
    const Seen__Checkpoint *hc, uint64_t now, uint8_t **env, size_t *elen)
{
    uint64_t at;
    size_t i;
    int rc;

    for (i = 0; i < fed->nout; i++) {
        struct fed_outmsg *q = &fed->outq[i];
        const uint8_t *body = q->body;
        size_t blen = q->blen;
        uint8_t *xb = NULL;

        env[i] = NULL;
        if (q->type == SEEN__MSG_TYPE__XPROOF) {
            if (fed_xproof_body(txn, hc, q->body, q->blen, &xb, &blen) != 0)
                continue;
            body = xb;
        }
        rc = seen_envelope_seal(
            fed->keys, q->to, q->type, body, blen, hc, now, &env[i], &elen[i]);
        free(xb);
        if (rc != 0) {
            env[i] = NULL;
            continue;
        }
        if (!seen_xlog_is_content(q->type))
            continue; /* chatter: counted when sent, not logged */
        rc = seen_xlog_sent(txn, fed->keys, env[i], elen[i], now, &at);
        if (rc == SEEN_EINVAL) { /* nothing written: not sent either */
            free(env[i]);
            env[i] = NULL;
            continue;
        }
        /* An ENTRIES sent carries leaves of the feeds held: the log will
         * keep references to them (xlog.h, seen_xlog_pack). */
        if (rc == 0 && q->type == SEEN__MSG_TYPE__ENTRIES)
            fed_xlog_topack(fed, at);
        if (rc != 0) {
            seen_error("exchange log: cannot log messages to send: %s",
                seen_strerror(rc));
            return rc;
        }
        fed->xlog.logged_sent++;
    }
    return SEEN_OK;
}

/**
 * fed_xlog_topack(fed, index):
 * Note an ENTRIES leaf to pack later; see fed_impl.h.
 */
void
fed_xlog_topack(struct seen_fed *fed, uint64_t index)
{

    if (fed->xlog.ntopack < FED_TOPACK_MAX)
        fed->xlog.topack[fed->xlog.ntopack++] = index;
}

/**
 * fed_xlog_pack_due(fed, txn):
 * Pack the leaves noted in earlier transactions; see fed_impl.h.
 */
int
fed_xlog_pack_due(struct seen_fed *fed, struct seen_txn *txn)
{
    size_t i, saved;
    int rc;

    for (i = 0; i < fed->xlog.ntopack; i++) {
        rc = seen_xlog_pack(txn, fed->xlog.topack[i], &saved);
        if (rc == SEEN_ENOTFOUND)
            continue; /* its transaction was undone */
        if (rc != 0) {
            seen_error("exchange log: cannot store a leaf packed: %s",
                seen_strerror(rc));
            fed->xlog.ntopack = 0;
            return rc;
        }
        fed->xlog.packed += saved;
    }
    fed->xlog.ntopack = 0;
    return SEEN_OK;
}

/**
 * fed_count(fed, type, sent):
 * Count an envelope of MsgType ${type} sent (${sent} 1) or accepted (0).
 */
void
fed_count(struct seen_fed *fed, int type, int sent)
{
    int t = type > 0 && type < FED_MSG_TYPES ? type : 0;

    if (sent)
        fed->msgs[t].sent++;
    else
        fed->msgs[t].received++;
}

/*
 * Hand the sealed envelopes ${env}/${elen} to the transport, without
 * blocking: a full queue, or no connection, drops the message (counted by
 * the transport); replication asks again later, and sends a HEADS, HELLO
 * or COSIGN again after a backoff (a MEMBERSHIP: a HELLO, to which the
 * peer answers by asking for it again), and serves the range of an
 * ENTRIES again (unserved.c).
 */
static void
flush_send(struct seen_fed *fed, uint8_t *const *env, const size_t *elen)
{
    const struct fed_outmsg *q;
    size_t i;
    int rc;

    for (i = 0; i < fed->nout; i++) {
        q = &fed->outq[i];
        if (env[i] == NULL)
            continue;
        rc = seen_net_send(fed->net, q->to, env[i], elen[i]);
        /* To a member this node does not link to (sparse links): a
         * direct link, made now, takes it once connected. */
        if (rc == SEEN_ENOTFOUND && fed_direct(fed, q->to) == 0)
            rc = seen_net_send(fed->net, q->to, env[i], elen[i]);
        if (rc != 0) {
            if (q->type == SEEN__MSG_TYPE__HEADS ||
                q->type == SEEN__MSG_TYPE__HELLO)
                fed_heads_undelivered(fed, q->to, q->type);
            else if (q->type == SEEN__MSG_TYPE__MEMBERSHIP)
                /* our HELLO again: it asks again */
                fed_heads_undelivered(fed, q->to, SEEN__MSG_TYPE__HELLO);
            else if (q->type == SEEN__MSG_TYPE__COSIGN)
                fed_cosign_undelivered(fed, q->to, q->body, q->blen);
            else if (q->type == SEEN__MSG_TYPE__GET_RANGE)
                fed_want_undelivered(fed, q->to, q->body, q->blen);
            else if (q->type == SEEN__MSG_TYPE__GET_XPROOF)
                fed_xproof_undelivered(fed, q->to, q->body, q->blen);
            else if (q->type == SEEN__MSG_TYPE__ENTRIES)
                fed_entries_undelivered(fed, q->to, q->body, q->blen);
            continue;
        }
        fed->xlog.sent++;
        fed_count(fed, q->type, 1);
        if (q->type == SEEN__MSG_TYPE__XPROOF)
            fed->xlog.served++;
        if (q->type == SEEN__MSG_TYPE__HEADS)
            fed_heads_delivered(fed, q->to);
    }
}

/**
 * fed_flush(fed):
 * Seal every queued body with the latest checkpoint this node signed of
 * its exchange log (the first is signed now), log each envelope that
 * carries content as sent (xlog/leaf.h seen_xlog_is_content), commit,
 * and only then hand them to the transport: no content leaves that is not
 * logged.  A HEADS or HELLO the transport does not take is sent again
 * later.  Empties the queue.  Never call it inside a write transaction.
 */
void
fed_flush(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT, *dec = NULL;
    const Seen__Checkpoint *hc;
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], **env;
    struct seen_txn *txn;
    size_t *elen, i, n = fed->nout;
    uint64_t now = seen_clock_wall();
    int rc;

    if (n == 0)
        return;
    env = calloc(n, sizeof *env);
    elen = calloc(n, sizeof *elen);
    if (env == NULL || elen == NULL) {
        seen_error("replication: out of memory: %zu messages not sent", n);
        goto out;
    }
    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0) {
        seen_error("replication: cannot log messages to send: %s",
            seen_strerror(rc));
        goto out;
    }
    if (header_checkpoint(fed, txn, now, &cp, cpbuf, &dec, &hc) != 0 ||
        flush_seal(fed, txn, hc, now, env, elen) != 0) {
        seen_store_abort(txn);
        goto out;
    }
    if ((rc = seen_store_commit(txn)) != 0) {
        seen_error("exchange log: commit failed, %zu messages not sent: %s", n,
            seen_strerror(rc));
        goto out;
    }
    flush_send(fed, env, elen);
out:
    for (i = 0; env != NULL && i < n; i++)
        free(env[i]);
    free(env);
    free(elen);
    seen_checkpoint_destroy(&dec);
    fed_outq_clear(fed);
}

/* Show this node's witnesses (those it talks to) the checkpoint it has
 * just signed: a HELLO to each carries it. */
static void
tell_witnesses(struct seen_fed *fed)
{
    Seen__Hello hello = SEEN__HELLO__INIT;
    size_t i;

    if (fed->doc == NULL)
        return;
    hello.membership_version = seen_membership_version(fed->doc);
    for (i = 0; i < fed->npeers; i++) {
        if (!fed->peers[i].witness)
            continue;
        hello.node = fed->peers[i].name;
        fed_queue_msg(fed, fed->peers[i].pk, SEEN__MSG_TYPE__HELLO,
            (const ProtobufCMessage *)&hello, 0);
    }
    fed_flush(fed);
}

/* The size of the latest checkpoint this node signed of its log, in
 * ${txn}: 0 and *${none} 1 when it signed none.  Returns 0 or an error of
 * the exchange log. */
static int
latest_size(struct seen_txn *txn, uint64_t *size, int *none)
{
    Seen__Checkpoint *c;
    const uint8_t *b;
    size_t l;
    int rc;

    *size = 0;
    *none = 0;
    rc = seen_xlog_latest(txn, &b, &l);
    if (rc == SEEN_ENOTFOUND) {
        *none = 1;
        return SEEN_OK;
    }
    if (rc != 0)
        return rc;
    if (seen_checkpoint_decode(b, l, &c) != 0)
        return SEEN_ECORRUPT;
    *size = c->size;
    seen_checkpoint_destroy(&c);
    return SEEN_OK;
}

/*
 * 1 when this node is to sign a checkpoint of its log now: it has grown
 * beyond the latest it signed, and it may sign (not halted, above any
 * operator's floor; said once, as the flush says it); else 0.  Reads.
 */
static int
log_grew(struct seen_fed *fed)
{
    struct seen_txn *txn;
    uint64_t n, last, floor;
    int none, grew = 0, h;

    if (seen_store_begin(fed->store, 0, &txn) != 0)
        return 0;
    if ((h = seen_xlog_halted(txn)) == 1)
        set_halted(fed, 1);
    else if (h == 0 && seen_xlog_size(txn, &n) == 0 &&
        seen_xlog_floor(txn, &floor) == 0 &&
        latest_size(txn, &last, &none) == 0) {
        if (floor != 0 && n <= floor)
            set_halted(fed, 2);
        else
            grew = none || n > last;
    }
    seen_store_abort(txn);
    return grew;
}

/**
 * fed_checkpoint_due(fed):
 * When fed->opts.checkpoint_every has passed since it last looked, and
 * the exchange log has grown since the latest checkpoint this node
 * signed, sign one and show it to this node's witnesses (a HELLO to each,
 * carrying it): never when nothing is new.  Never call it inside a write
 * transaction.
 */
void
fed_checkpoint_due(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF];
    struct seen_txn *txn;
    double t = seen_clock_mono();
    int rc;

    if (t < fed->check_at)
        return;
    fed->check_at = t + (fed->opts.checkpoint_every < 1.0
                                ? 1.0
                                : fed->opts.checkpoint_every);
    if (!log_grew(fed) || seen_store_begin(fed->store, 1, &txn) != 0)
        return;
    if (sign_own(fed, txn, seen_clock_wall(), &cp, cpbuf) != 0) {
        seen_store_abort(txn);
        return;
    }
    if ((rc = seen_store_commit(txn)) != 0) {
        seen_error("exchange log: cannot store a checkpoint: %s",
            seen_strerror(rc));
        return;
    }
    if (!seen_checkpoint_signed(&cp))
        return; /* signs nothing */
    fed->xlog.signed_++;
    tell_witnesses(fed);
}

/**
 * seen_fed_send(fed, to, type, body, blen):
 * Queue ${blen} bytes of ${body} (copied) as an envelope of MsgType
 * ${type} to the member ${to}.  Queued envelopes are sealed, logged as
 * sent and handed to the transport by seen_fed_flush(), after the
 * transaction in which they were queued: call that outside any write
 * transaction.  Returns 0; SEEN_EAGAIN when the queue is full (not
 * queued); SEEN_ENOMEM.
 */
int
seen_fed_send(struct seen_fed *fed, const uint8_t to[static 32], int type,
    const uint8_t *body, size_t blen)
{

    return fed_queue_raw(fed, to, type, body, blen);
}

/**
 * seen_fed_flush(fed):
 * Seal, log and send what is queued (see seen_fed_send).  An envelope the
 * transport cannot take now (no connection to that peer) is logged but
 * dropped; callers that need delivery send again.  Never call it inside a
 * write transaction.
 */
void
seen_fed_flush(struct seen_fed *fed)
{

    fed_flush(fed);
}

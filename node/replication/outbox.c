/*
 * outbox.c: the bodies waiting to leave, and the flush that seals, logs
 * and sends them.
 *
 * Every envelope carries this node's latest exchange-log checkpoint and is
 * logged as sent before it leaves (DESIGN.md "Exchange log and audit").
 * Signing a checkpoint and logging need the store's write transaction,
 * which LMDB gives one per thread: the handlers may run inside a round's
 * transaction or outside any, so they only queue the body, and
 * fed_flush() seals, logs and sends the queue in a transaction of its
 * own, after the round's has ended.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "node/replication/fed_impl.h"
#include "node/transport/net.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
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
    uint8_t stackbuf[4096], *b = stackbuf;
    struct fed_outmsg *q = NULL;
    size_t blen;
    int rc;

    if (flags & FED_Q_REPLACE)
        q = find_queued(fed, to, type);
    blen = protobuf_c_message_get_packed_size(msg);
    if (blen > sizeof stackbuf && (b = malloc(blen)) == NULL)
        return SEEN_ENOMEM;
    protobuf_c_message_pack(msg, b);
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
 * Sign this node's exchange-log checkpoint at ${now} into ${cp} (its
 * buffers in ${cpbuf}) inside ${txn}, and point *${hc} at it; a node that
 * signs nothing (xlog.h) sets *${hc} to NULL and says so once.  Returns 0,
 * or an error of the exchange log (logged; the caller aborts ${txn}).
 */
static int
flush_checkpoint(struct seen_fed *fed, struct seen_txn *txn, uint64_t now,
    Seen__Checkpoint *cp, uint8_t cpbuf[static SEEN_CHECKPOINT_BUF],
    const Seen__Checkpoint **hc)
{
    int rc;

    *hc = cp;
    rc = seen_xlog_checkpoint(txn, fed->keys, now, cp, cpbuf);
    if (rc == SEEN_EPERM) {
        /* The node holds evidence against its own log (xlog.h), or an
         * operator resolved it and the log is not above the floor yet:
         * it goes on exchanging, logged, but signs nothing. */
        if (!fed->xlog.halted) {
            if (seen_xlog_halted(txn) == 1)
                seen_error("exchange log: this node refuses to sign "
                          "checkpoints of its log; envelopes go without one "
                          "until an operator resolves it");
            else
                seen_warn("exchange log: this node does not sign "
                            "checkpoints of its log until it is longer "
                            "than any it has signed");
        }
        fed->xlog.halted = 1;
        *hc = NULL;
        return SEEN_OK;
    }
    if (rc != 0) {
        seen_error("exchange log: cannot sign a checkpoint: %s",
            seen_strerror(rc));
        return rc;
    }
    if (fed->xlog.halted)
        seen_warn("exchange log: this node signs checkpoints of its "
                    "log again (size %llu)",
            (unsigned long long)cp->size);
    fed->xlog.halted = 0;
    return SEEN_OK;
}

/*
 * Seal every queued body with ${hc} into ${env}/${elen} and log each as
 * sent inside ${txn}; a body that cannot be sealed, or that the log
 * refuses as malformed, is left NULL (not sent).  Returns 0, or an error
 * of the exchange log (logged; the caller aborts ${txn}).
 */
static int
flush_seal(struct seen_fed *fed, struct seen_txn *txn,
    const Seen__Checkpoint *hc, uint64_t now, uint8_t **env, size_t *elen)
{
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
        rc = seen_xlog_sent(txn, fed->keys, env[i], elen[i], now, NULL);
        if (rc == SEEN_EINVAL) { /* nothing written: not sent either */
            free(env[i]);
            env[i] = NULL;
            continue;
        }
        if (rc != 0) {
            seen_error("exchange log: cannot log messages to send: %s",
                seen_strerror(rc));
            return rc;
        }
    }
    return SEEN_OK;
}

/*
 * Hand the sealed envelopes ${env}/${elen} to the transport, without
 * blocking: a full queue drops the message (counted by the transport);
 * replication asks again later.
 */
static void
flush_send(struct seen_fed *fed, uint8_t *const *env, const size_t *elen)
{
    size_t i;

    for (i = 0; i < fed->nout; i++) {
        if (env[i] == NULL)
            continue;
        if (seen_net_send(fed->net, fed->outq[i].to, env[i], elen[i]) == 0) {
            fed->xlog.sent++;
            if (fed->outq[i].type == SEEN__MSG_TYPE__XPROOF)
                fed->xlog.served++;
        }
    }
}

/**
 * fed_flush(fed):
 * Seal every queued body with this node's latest exchange-log checkpoint
 * (signed now if the log grew), log each envelope as sent, commit, and
 * only then hand them to the transport: nothing leaves that is not
 * logged.  Empties the queue.  Never call it inside a write transaction.
 */
void
fed_flush(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
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
    if (flush_checkpoint(fed, txn, now, &cp, cpbuf, &hc) != 0 ||
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
    fed_outq_clear(fed);
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

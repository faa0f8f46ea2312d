/*
 * federation.c: the replication room's life and rhythm: making and
 * destroying a seen_fed, the service round that applies what the
 * transport received, the periodic tick, and status.  The concerns it
 * drives live beside it (fed_impl.h): peers.c, outbox.c, feeds.c,
 * witness.c and dispatch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "node/replication/fed_impl.h"
#include "node/replication/ring.h"
#include "node/transport/net.h"
#include "node/transport/share.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/enums.h"
#include "proto/membership.h"
#include "storage/feed.h"
#include "storage/members.h"
#include "storage/replay.h"
#include "storage/store.h"
#include "xlog/xlog.h"

_Static_assert(SEEN_FED_POLLITEMS == SEEN_NET_POLLITEMS,
    "the daemon polls the transport's items");

/**
 * seen_fed_new(store, keys, zctx, listen, peers, adopt, ctx, out):
 * Load the membership document held in ${store} (if any), open the
 * transport on ${listen}, and connect to the active members (only to
 * those named in the comma-separated ${peers}, when not NULL or empty).
 * Nothing is copied; all must outlive the result.  Returns 0; SEEN_EIO
 * when ${listen} cannot be bound; SEEN_ECORRUPT for a damaged document in
 * the store; SEEN_ERR.
 */
int
seen_fed_new(struct seen_store *store, const struct seen_keys *keys,
    void *zctx, const char *listen, const char *peers,
    seen_fed_adopt_fn *adopt, void *ctx, struct seen_fed **out)
{
    struct seen_fed *fed;
    struct seen_txn *txn;
    const uint8_t *v;
    size_t vlen;
    int rc;

    *out = NULL;
    if ((fed = calloc(1, sizeof *fed)) == NULL)
        return SEEN_ENOMEM;
    fed->store = store;
    fed->keys = keys;
    fed->adopt = adopt;
    fed->actx = ctx;
    fed->opts = (struct seen_fed_opts){SEEN_FED_HEADS_EVERY,
        SEEN_FED_CHECKPOINT_EVERY, SEEN_FED_WITNESSES};
    fed->gen = 1;
    fed->replay_dirty = 1; /* records of an earlier run may wait */
    fed->check_at = seen_clock_mono() + SEEN_FED_CHECKPOINT_EVERY;
    snprintf(fed->filter, sizeof fed->filter, "%s", peers ? peers : "");
    if ((fed->replay = seen_replay_new(store, SEEN_ENVELOPE_SKEW)) == NULL) {
        rc = SEEN_ENOMEM;
        goto fail;
    }
    if ((rc = seen_store_begin(store, 0, &txn)) != 0)
        goto fail;
    if (seen_members_authority(txn, fed->authority) == 0)
        fed->pinned = 1;
    if ((rc = fed_recover_load(fed, txn)) != 0) {
        seen_store_abort(txn);
        goto fail;
    }
    if (fed->pinned && seen_members_current(txn, &v, &vlen) == 0 &&
        seen_membership_open(v, vlen, fed->authority, &fed->doc) != 0) {
        seen_store_abort(txn);
        seen_error("the membership document in the store does not verify");
        rc = SEEN_ECORRUPT;
        goto fail;
    }
    seen_store_abort(txn);
    if ((rc = seen_net_open(zctx, keys, listen, fed_admit, fed, &fed->net)) !=
        0)
        goto fail;
    fed_connect_peers(fed);
    fed->resume = 1; /* a catch-up cut short by a stop goes on */
    *out = fed;
    return SEEN_OK;
fail:
    seen_fed_destroy(&fed);
    return rc;
}

/**
 * seen_fed_destroy(&fed):
 * Close the transport and free ${fed}.  Sets the caller's pointer to NULL;
 * NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_fed_destroy(struct seen_fed **pp)
{
    struct seen_fed *fed;
    size_t i;

    if (pp == NULL || (fed = *pp) == NULL)
        return;
    *pp = NULL;
    seen_net_destroy(&fed->net);
    seen_membership_destroy(&fed->doc);
    seen_ring_destroy(&fed->ring);
    seen_replay_destroy(&fed->replay);
    for (i = 0; i < fed->npeers; i++)
        free(fed->peers[i].cosig);
    for (i = 0; i < fed->nround; i++)
        free(fed->round[i].buf);
    free(fed->peers);
    free(fed->wants);
    free(fed->hseen);
    fed_outq_clear(fed);
    free(fed->outq);
    free(fed);
}

/**
 * seen_fed_set_opts(fed, opts):
 * Use the cadences ${opts} (copied) from now on, in place of the
 * defaults (300 s, 60 s, 3 witnesses): the witness ring is worked out
 * again for the number of witnesses.
 */
void
seen_fed_set_opts(struct seen_fed *fed, const struct seen_fed_opts *opts)
{

    fed->opts = *opts;
    if (fed->opts.witnesses > SEEN_RING_MAX)
        fed->opts.witnesses = SEEN_RING_MAX;
    fed->check_at = seen_clock_mono() + opts->checkpoint_every;
    fed_ring_update(fed);
}

/**
 * seen_fed_set_handler(fed, fn, ctx):
 * Route the envelopes replication does not handle to ${fn}(${ctx}, ...).
 */
void
seen_fed_set_handler(struct seen_fed *fed, seen_fed_msg_fn *fn, void *ctx)
{

    fed->handler = fn;
    fed->hctx = ctx;
}

/**
 * seen_fed_pollitems(fed, items):
 * Write the poll items of the transport to ${items}.  Returns their
 * number (SEEN_FED_POLLITEMS).
 */
int
seen_fed_pollitems(
    struct seen_fed *fed, zmq_pollitem_t items[static SEEN_FED_POLLITEMS])
{

    return seen_net_pollitems(fed->net, items);
}

/**
 * seen_fed_set_share(fed, msgs):
 * Let each member have ${msgs} envelopes handled a second (its fair share
 * of messages; bytes and time keep their defaults, node/transport/share.h).
 */
void
seen_fed_set_share(struct seen_fed *fed, unsigned int msgs)
{

    seen_fed_set_share_time(fed, msgs, SEEN_SHARE_CPU);
}

/**
 * seen_fed_set_share_time(fed, msgs, cpu):
 * As seen_fed_set_share(), and let each member cost the node up to ${cpu}
 * seconds of handling a second.
 */
void
seen_fed_set_share_time(struct seen_fed *fed, unsigned int msgs, double cpu)
{

    seen_net_set_share(
        fed->net, msgs, SEEN_SHARE_BYTES, cpu, SEEN_SHARE_WINDOW);
}

/**
 * seen_fed_watch(fed):
 * Count the transport's connection events only (its first poll item),
 * while the rest waits (an import holds the store): descriptors stay in
 * reserve all the same.
 */
void
seen_fed_watch(struct seen_fed *fed)
{

    seen_net_watch(fed->net);
}

/* A seen_net_recv_fn: keep a copy of the envelope for the round. */
static void
collect(void *ctx, const uint8_t sign_pk[static 32], const uint8_t *buf,
    size_t len)
{
    struct seen_fed *fed = ctx;
    struct fed_msg *m;

    if (fed->nround >= FED_ROUND_MAX)
        return;
    m = &fed->round[fed->nround];
    if ((m->buf = malloc(len ? len : 1)) == NULL)
        return;
    memcpy(m->buf, buf, len);
    m->len = len;
    memcpy(m->sender, sign_pk, 32);
    fed->nround++;
}

/*
 * Apply the round's messages in ${txn}, each in a nested transaction of
 * its own, committing, sending what is queued (fed_flush) and beginning
 * afresh (in *${txnp}) after every SEEN_FED_BATCH leaves applied.
 * Returns 0, with *${txnp} open, or an error of the store (logged), with
 * nothing open.
 */
static int
apply_round(struct seen_fed *fed, struct seen_txn **txnp)
{
    struct seen_txn *child;
    uint64_t round_start = fed->applied, before;
    double t0, round_t0 = seen_clock_mono();
    size_t i;
    int rc, bad;

    for (i = 0; i < fed->nround; i++) {
        /* Someone waits (a lead's request): the rest of the round is
         * kept for the next service, after what is done so far commits
         * (seen_fed_set_yield). */
        if (i > 0 && fed->yield != NULL &&
            seen_clock_mono() - round_t0 >= fed->yield_after &&
            fed->yield(fed->yctx))
            break;
        fed->napplied = i + 1;
        if (seen_store_begin_nested(*txnp, &child) != 0)
            break;
        /* What a message costs counts against its sender's share, unless
         * it extended a feed: that is the work replication is for, and a
         * catch-up from one peer must not be cut to a share of the
         * node's time (its messages dropped, the ranges asked again). */
        t0 = seen_clock_mono();
        before = fed->applied;
        bad = fed_on_message(fed, child, &fed->round[i]) != 0;
        if (bad || fed->applied == before)
            seen_net_charge(
                fed->net, fed->round[i].sender, seen_clock_mono() - t0);
        if (bad)
            seen_store_abort(child);
        else if (seen_store_commit(child) != 0)
            break;
        fed_evidence_flush(fed, *txnp);
        /* Keep transactions small: a big one holds its dirty pages in
         * memory and frees nothing until it commits. */
        if (fed->applied - round_start >= SEEN_FED_BATCH &&
            i + 1 < fed->nround) {
            if ((rc = seen_store_commit(*txnp)) != 0) {
                seen_error("replication: commit failed: %s",
                    seen_strerror(rc));
                return rc;
            }
            /* What is queued so far follows what is committed: send it
             * now, so that the next range asked (feeds.c asks it once
             * half of the last has come) is on its way while the rest
             * of the round is applied, not after it. */
            if (!fed->adopt_pending)
                fed_flush(fed);
            if ((rc = seen_store_begin(fed->store, 1, txnp)) != 0) {
                seen_error("replication: cannot write to the store: %s",
                    seen_strerror(rc));
                return rc;
            }
            round_start = fed->applied;
        }
    }
    return SEEN_OK;
}

/* The ENTRIES leaves logged in earlier rounds, stored packed in a
 * transaction nested in the round's ${txn} (a failure undoes only
 * itself: they stay whole). */
static void
pack_due(struct seen_fed *fed, struct seen_txn *txn)
{
    struct seen_txn *child;

    if (fed->xlog.ntopack == 0)
        return;
    if (seen_store_begin_nested(txn, &child) != 0) {
        fed->xlog.ntopack = 0;
        return;
    }
    if (fed_xlog_pack_due(fed, child) != 0)
        seen_store_abort(child);
    else if (seen_store_commit(child) != 0)
        seen_error("exchange log: cannot store leaves packed");
}

/* A restored node's recovery may end with this round (recover.c): in a
 * transaction nested in the round's ${txn}, so that a failure there
 * undoes only itself. */
static void
recover_step(struct seen_fed *fed, struct seen_txn *txn)
{
    struct seen_txn *child;
    int rc;

    if (!fed->recover.active || seen_store_begin_nested(txn, &child) != 0)
        return;
    if ((rc = fed_recover_check(fed, child)) != 0) {
        seen_store_abort(child);
        fed->recover.active = 1;
        seen_error("a restored node: cannot end its recovery: %s",
            seen_strerror(rc));
    } else if (seen_store_commit(child) != 0) {
        fed->recover.active = 1;
    }
}

/* Free the messages of the round handled, keeping those a yield left
 * (moved to its front) unless the round failed (${rc} not 0: the peers
 * ask again for what they are owed). */
static void
keep_rest(struct seen_fed *fed, int rc)
{
    size_t i, done = rc != 0 ? fed->nround : fed->napplied;

    for (i = 0; i < done; i++)
        free(fed->round[i].buf);
    memmove(fed->round, fed->round + done,
        (fed->nround - done) * sizeof *fed->round);
    fed->nround -= done;
}

/**
 * seen_fed_set_yield(fed, fn, ctx, after):
 * Stop rounds when ${fn} says so; see federation.h.
 */
void
seen_fed_set_yield(
    struct seen_fed *fed, seen_fed_yield_fn *fn, void *ctx, double after)
{

    fed->yield = fn;
    fed->yctx = ctx;
    fed->yield_after = after;
}

/**
 * seen_fed_waiting(fed):
 * Whether messages wait; see federation.h.
 */
int
seen_fed_waiting(struct seen_fed *fed)
{

    return fed->nround > 0 || seen_net_waiting(fed->net);
}

/**
 * seen_fed_pending(fed):
 * Whether messages received are left to apply; see federation.h.
 */
int
seen_fed_pending(const struct seen_fed *fed)
{

    return fed->nround > 0;
}

/**
 * seen_fed_service(fed, items):
 * Receive and apply what the transport has, in one transaction per round
 * (each message nested, so one bad message undoes only itself), and send
 * what that calls for.  Returns the number of envelopes received.
 */
size_t
seen_fed_service(
    struct seen_fed *fed, zmq_pollitem_t items[static SEEN_FED_POLLITEMS])
{
    struct seen_txn *txn;
    size_t n;
    int rc;

    /* Messages a round stopped before (a yield) come first. */
    fed->adopt_pending = 0;
    seen_net_service(fed->net, items, collect, fed,
        FED_ROUND_MAX - fed->nround);
    if ((n = fed->nround) == 0)
        return 0;
    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0) {
        seen_error("replication: cannot write to the store: %s",
            seen_strerror(rc));
        goto done;
    }
    pack_due(fed, txn);
    if ((rc = apply_round(fed, &txn)) != 0) {
        fed->gen++;
        goto done;
    }
    recover_step(fed, txn);
    if ((rc = seen_store_commit(txn)) != 0) {
        seen_error("replication: commit failed: %s", seen_strerror(rc));
        fed->gen++;
    }
    if (fed->adopt_pending)
        fed_adopted(fed);
done:
    keep_rest(fed, rc);
    fed->adopt_pending = 0;
    fed_xproof_ask_all(fed);
    fed_resume(fed);
    fed_send_heads(fed, 0);
    fed_cosign_resend(fed);
    fed_flush(fed);
    return n;
}

/* Prune the replay cache when it may hold records to prune, at most every
 * FED_PRUNE_EVERY seconds; once it is found empty, not again until an
 * envelope is accepted. */
static void
prune_due(struct seen_fed *fed, double t)
{
    struct seen_txn *txn;
    uint64_t left = 1;
    size_t i;
    int rc;

    if (!fed->replay_dirty || t < fed->prune_at)
        return;
    fed->prune_at = t + FED_PRUNE_EVERY;
    if (seen_store_begin(fed->store, 1, &txn) != 0)
        return;
    if ((rc = seen_replay_prune(fed->replay, txn, seen_clock_wall())) != 0 ||
        (rc = seen_store_count(txn, SEEN_DB_REPLAY, &left)) != 0) {
        seen_store_abort(txn);
        return;
    }
    if (seen_store_commit(txn) != 0) {
        seen_error("replication: cannot prune the replay cache");
        return;
    }
    if (left == 0)
        fed->replay_dirty = 0;
    for (i = 0; i < fed->npeers; i++)
        fed->peers[i].replay_n = 0; /* each may add its share again */
}

/**
 * seen_fed_tick(fed):
 * The work that falls due with time (seen_fed_next()): heads owed or at
 * the slow cadence, requests unanswered, a checkpoint of the own log when
 * it grew, the replay cache's prune.  Does nothing, and sends, logs and
 * writes nothing, when nothing is due.
 */
void
seen_fed_tick(struct seen_fed *fed)
{
    double t = seen_clock_mono();

    fed_wants_expire(fed);
    fed_resume(fed);
    fed_recover_alone(fed);
    fed_xproof_ask_all(fed);
    fed_send_heads(fed, 0);
    fed_cosign_resend(fed);
    fed_unserved_due(fed);
    fed_flush(fed);
    fed_checkpoint_due(fed);
    seen_net_maintain(fed->net);
    prune_due(fed, t);
}

/* The earlier of ${a} and ${b}. */
static double
earlier(double a, double b)
{

    return a < b ? a : b;
}

/**
 * seen_fed_next(fed):
 * Return the monotonic time (common/clock.h seen_clock_mono()) at which
 * seen_fed_tick() next has something to do: at most an hour ahead.
 */
double
seen_fed_next(struct seen_fed *fed)
{
    double t = seen_clock_mono(), next = fed_wants_next(fed, t);
    size_t i;

    for (i = 0; i < fed->npeers; i++) {
        const struct fed_peer *p = &fed->peers[i];

        next = earlier(next, fed_heads_due_at(fed, p));
        if (p->hello_due || p->cosig != NULL)
            next = earlier(next, p->retry_at);
        if (p->xp_due != 0)
            next = earlier(next, p->xp_due);
    }
    next = earlier(next, fed->check_at);
    next = fed_unserved_next(fed, next);
    if (fed->resume)
        next = 0; /* due now: not t, which the caller's clock, read
                   * before this call, would never reach */
    if (fed->replay_dirty)
        next = earlier(next, fed->prune_at);
    return earlier(next, seen_net_next(fed->net, t + FED_IDLE_MAX));
}

/* The size of the checkpoint ${cp} (${len} bytes) read by ${rc}: 0 when
 * there is none, or it does not decode. */
static uint64_t
cp_size(int rc, const uint8_t *cp, size_t len)
{
    Seen__Checkpoint *c;
    uint64_t n;

    if (rc != 0 || seen_checkpoint_decode(cp, len, &c) != 0)
        return 0;
    n = c->size;
    seen_checkpoint_destroy(&c);
    return n;
}

/* The status of each peer, as a JSON array, reading through ${txn}.
 * Connected: heard from within a liveness period and
 * FED_CONNECTED_WITHIN seconds. */
static json_t *
status_peers(struct seen_fed *fed, struct seen_txn *txn, uint64_t now)
{
    json_t *peers = json_array(), *p;
    uint64_t within = (uint64_t)fed->opts.heads_every + FED_CONNECTED_WITHIN;
    const uint8_t *cp;
    size_t i, len;
    int rc;

    for (i = 0; i < fed->npeers; i++) {
        struct fed_peer *q = &fed->peers[i];

        rc = seen_xlog_held(txn, q->pk, &cp, &len);
        p = json_pack("{s:s, s:b, s:I, s:b, s:b, s:I, s:I, s:I, s:I}", "node",
            q->name, "connected", q->last_rx != 0 && now - q->last_rx < within,
            "refused", (json_int_t)q->refused, "witness", q->witness,
            "witnessed", q->witnessed, "checkpoint_held",
            (json_int_t)cp_size(rc, cp, len), "cosignatures",
            (json_int_t)q->cosigs, "checkpoints_shown", (json_int_t)q->shown,
            "proofs_asked", (json_int_t)q->asked);
        json_object_set_new(
            p, "bad_leaves", json_integer((json_int_t)q->bad_leaves));
        json_object_set_new(
            p, "over_budget", json_integer((json_int_t)q->over_budget));
        json_object_set_new(
            p, "received", json_integer((json_int_t)q->received));
        json_object_set_new(p, "dropped",
            json_integer((json_int_t)seen_net_dropped(fed->net, q->pk)));
        if (q->last_rx != 0)
            json_object_set_new(p, "last_seen_s",
                json_integer((json_int_t)(now - q->last_rx)));
        json_array_append_new(peers, p);
    }
    return peers;
}

/* The envelopes sent and accepted since the start, by MsgType name. */
static json_t *
status_messages(struct seen_fed *fed)
{
    json_t *m = json_object();
    char buf[SEEN_ENUM_NAME_MAX];
    int t;

    for (t = 0; t < FED_MSG_TYPES; t++)
        json_object_set_new(m,
            t == 0 ? "other"
                   : seen_enum_name(&seen__msg_type__descriptor, t, buf),
            json_pack("{s:I, s:I}", "sent", (json_int_t)fed->msgs[t].sent,
                "received", (json_int_t)fed->msgs[t].received));
    return m;
}

/* The size of every feed held, by origin name, as a JSON object. */
static json_t *
status_feeds(struct seen_fed *fed, struct seen_txn *txn)
{
    json_t *feeds = json_object();
    uint8_t pk[32];
    uint64_t count, size;
    char name[64];
    uint32_t o;

    if (seen_store_count(txn, SEEN_DB_ORIGINS, &count) != 0)
        return feeds;
    for (o = 1; o <= count / 2; o++) {
        if (seen_store_origin_pk(txn, o, pk) != 0 ||
            seen_feed_size(txn, o, &size) != 0)
            continue;
        json_object_set_new(feeds,
            seen_fed_origin_name(fed, pk, name, sizeof name),
            json_integer((json_int_t)size));
    }
    return feeds;
}

/* The size of the latest signed checkpoint held of each feed, by node
 * name: what its origin has published, as far as this node knows (the
 * feed's entries held lag it while they are fetched). */
static json_t *
status_feeds_signed(struct seen_fed *fed, struct seen_txn *txn)
{
    json_t *feeds = json_object();
    const uint8_t *cp;
    uint8_t pk[32];
    uint64_t count;
    char name[64];
    size_t len;
    uint32_t o;
    int rc;

    if (seen_store_count(txn, SEEN_DB_ORIGINS, &count) != 0)
        return feeds;
    for (o = 1; o <= count / 2; o++) {
        if (seen_store_origin_pk(txn, o, pk) != 0)
            continue;
        rc = seen_feed_checkpoint(txn, o, &cp, &len);
        json_object_set_new(feeds,
            seen_fed_origin_name(fed, pk, name, sizeof name),
            json_integer((json_int_t)cp_size(rc, cp, len)));
    }
    return feeds;
}

/* The state of this node's exchange log and its witnessing, as JSON. */
static json_t *
status_xlog(struct seen_fed *fed, struct seen_txn *txn)
{
    uint64_t size, pending = 0, floor, signed_size;
    const uint8_t *cp;
    size_t len;
    int rc;

    if (seen_xlog_size(txn, &size) != 0)
        size = 0;
    if (seen_xlog_iter(txn, SEEN_XLOG_PENDING, fed_count_one, &pending) != 0)
        pending = 0;
    if (seen_xlog_floor(txn, &floor) != 0)
        floor = 0;
    rc = seen_xlog_latest(txn, &cp, &len);
    signed_size = cp_size(rc, cp, len);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                     "s:I, s:I, s:b, s:I, s:I}",
        "leaves", (json_int_t)size, "checkpoint", (json_int_t)signed_size,
        "envelopes_sent",
        (json_int_t)fed->xlog.sent, "envelopes_logged_sent",
        (json_int_t)fed->xlog.logged_sent, "envelopes_logged_received",
        (json_int_t)fed->xlog.logged_received, "checkpoints_signed",
        (json_int_t)fed->xlog.signed_, "cosignatures_sent",
        (json_int_t)fed->xlog.cosigned, "cosignatures_received",
        (json_int_t)fed->xlog.cosignatures, "checkpoints_pending",
        (json_int_t)pending, "proofs_asked", (json_int_t)fed->xlog.asked,
        "proofs_served", (json_int_t)fed->xlog.served, "send_queue_dropped",
        (json_int_t)fed->xlog.dropped, "halted",
        fed->xlog.halted || seen_xlog_halted(txn) == 1,
        "signs_above", (json_int_t)floor, "bytes_packed",
        (json_int_t)fed->xlog.packed);
}

/* Add to the "refused" object ${r} the refusals of replication beyond
 * the envelope checks (docs/spec/cli.md). */
static void
status_refused(struct seen_fed *fed, json_t *r)
{
    const struct {
        const char *name;
        uint64_t n;
    } c[] = {
        {"wrong_recipient", fed->refused.wrong_recipient},
        {"bad_leaves", fed->refused.bad_leaves},
        {"wrong_origin", fed->refused.wrong_origin},
        {"bad_membership", fed->refused.bad_membership},
        {"bad_heads", fed->refused.bad_heads},
        {"over_budget", fed->refused.over_budget},
        {"repeated_request", fed->refused.repeated},
        {"not_served_store_low", fed->refused.not_served},
        {"store_full", fed->refused.store_full},
        {"replay_cache_full", fed->refused.replay_full},
    };
    size_t i;

    for (i = 0; r != NULL && i < sizeof c / sizeof c[0]; i++)
        json_object_set_new(r, c[i].name, json_integer((json_int_t)c[i].n));
}

/* The transport's counters (net.h), as JSON: spec/cli.md's "transport". */
static json_t *
fed_status_transport(struct seen_fed *fed, const struct seen_net_stats *ns)
{

    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                     "s:I, s:I, s:I, s:I, s:I, s:I}",
        "endpoint", seen_net_endpoint(fed->net), "sent", (json_int_t)ns->sent,
        "received", (json_int_t)ns->received, "sent_bytes",
        (json_int_t)ns->sent_bytes, "received_bytes",
        (json_int_t)ns->received_bytes, "send_blocked",
        (json_int_t)ns->send_blocked, "dropped", (json_int_t)ns->dropped,
        "multi_frame", (json_int_t)ns->multi_frame, "oversized",
        (json_int_t)ns->oversized, "accepted", (json_int_t)ns->accepted,
        "connections", (json_int_t)ns->connections, "accept_failed",
        (json_int_t)ns->accept_failed, "handshakes_failed",
        (json_int_t)ns->handshakes_failed, "listener_paused",
        (json_int_t)ns->listener_paused, "connections_shed",
        (json_int_t)ns->connections_shed, "zap_admitted",
        (json_int_t)ns->zap_admitted);
}

/**
 * seen_fed_status(fed, txn, out):
 * Add "peers", "feeds", "membership_version", "epoch" and "refused" to
 * the JSON object ${out} (spec/cli.md's status contract), reading feed
 * sizes through ${txn}.
 */
void
seen_fed_status(struct seen_fed *fed, struct seen_txn *txn, json_t *out)
{
    struct seen_net_stats ns;

    json_object_set_new(
        out, "peers", status_peers(fed, txn, seen_clock_wall()));
    json_object_set_new(out, "feeds", status_feeds(fed, txn));
    json_object_set_new(out, "feeds_signed", status_feeds_signed(fed, txn));
    json_object_set_new(out, "membership_version",
        json_integer(fed->doc ? (json_int_t)seen_membership_version(fed->doc)
                              : 0));
    json_object_set_new(out, "federation",
        json_string(fed->doc ? seen_membership_federation(fed->doc) : ""));
    json_object_set_new(out, "entries_replicated",
        json_integer((json_int_t)fed->applied));
    if (fed->recover.active)
        json_object_set_new(out, "restore", fed_recover_status(fed, txn));
    json_object_set_new(out, "heads",
        json_pack("{s:I, s:I, s:I, s:I}", "whole",
            (json_int_t)fed->heads.whole, "partial",
            (json_int_t)fed->heads.partial, "listed",
            (json_int_t)fed->heads.listed, "answered",
            (json_int_t)fed->heads.answered));
    json_object_set_new(out, "ranges",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "asked",
            (json_int_t)fed->ranges.asked, "gaps", (json_int_t)fed->ranges.gaps,
            "timed_out", (json_int_t)fed->ranges.timed_out, "resent",
            (json_int_t)fed->ranges.resent, "resumed",
            (json_int_t)fed->ranges.resumed, "unserved",
            (json_int_t)fed->ranges.unserved, "served_again",
            (json_int_t)fed->ranges.served_again));
    seen_net_stats(fed->net, &ns);
    json_object_set_new(out, "refused",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "unknown_sender",
            (json_int_t)fed->refused.unknown, "bad_signature",
            (json_int_t)fed->refused.signature, "replayed",
            (json_int_t)fed->refused.replay, "malformed",
            (json_int_t)fed->refused.malformed, "inconsistent",
            (json_int_t)fed->refused.inconsistent, "sender_mismatch",
            (json_int_t)fed->refused.mismatch, "zap_refused",
            (json_int_t)ns.zap_refused));
    status_refused(fed, json_object_get(out, "refused"));
    json_object_set_new(out, "exchange_log", status_xlog(fed, txn));
    json_object_set_new(out, "messages", status_messages(fed));
    json_object_set_new(out, "transport", fed_status_transport(fed, &ns));
}

/*
 * federation.h: a node's place in the federation: the membership
 * document it holds, its peers, and the replication of every member's
 * feed (docs/protocol.md §5-§8).
 *
 * Replication is pull-based, and quiet at rest.  A node tells each peer
 * the heads of the feeds it holds (HEADS, with each origin's latest
 * signed checkpoint) when they change, when the peer shows it holds less
 * (an answer to its HEADS), and otherwise once every heads_every seconds
 * as a signed liveness head; a node that holds less of a feed asks that
 * peer for the missing range (GET_RANGE) and receives the leaves with a
 * consistency proof from the size it will then hold to the checkpoint's
 * (ENTRIES).  Any node serves
 * any feed it holds, so feeds travel through relays; leaves are
 * verifiable whoever relays them, because the receiver recomputes the root
 * and checks it against the origin's signature.  The leaves of a batch,
 * the index changes they make, the feed's new size (the durable cursor)
 * and the envelope's replay record are written in one transaction.
 */
#ifndef SEEN_FEDERATION_H
#define SEEN_FEDERATION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "common/seen.h"

struct seen_store;
struct seen_txn;
struct seen_keys;
struct seen_fed;
struct seen_membership;

#define SEEN_FED_BATCH 2048 /* leaves per ENTRIES message */
#define SEEN_FED_RANGE 8192 /* leaves one GET_RANGE asks for: answered by as
                               many ENTRIES as it takes */

/* The cadences of a node at rest (seen.conf [federation]), and their
 * defaults. */
#define SEEN_FED_HEADS_EVERY 300.0
#define SEEN_FED_CHECKPOINT_EVERY 60.0
#define SEEN_FED_WITNESSES 3
struct seen_fed_opts {
    double heads_every;      /* s between liveness HEADS to a peer */
    double checkpoint_every; /* s between checkpoints of the own log */
    unsigned int witnesses;  /* witnesses of each exchange log (ring.h) */
};

/*
 * Called when a newer membership document has been adopted, with the
 * match key and epoch it grants this node (key NULL when it grants none).
 */
typedef void seen_fed_adopt_fn(void *ctx, const uint8_t *match_key,
    uint32_t epoch);

/**
 * seen_fed_new(store, keys, zctx, listen, peers, adopt, ctx, out):
 * Load the membership document held in ${store} (if any), open the
 * transport on ${listen}, and connect to the active members (only to
 * those named in the comma-separated ${peers}, when not NULL or empty).
 * Nothing is copied; all must outlive the result.  Returns 0; SEEN_EIO
 * when ${listen} cannot be bound; SEEN_ECORRUPT for a damaged document in
 * the store; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_fed_new(struct seen_store *store,
    const struct seen_keys *keys, void *zctx, const char *listen,
    const char *peers, seen_fed_adopt_fn *adopt, void *ctx,
    struct seen_fed **out);

/**
 * seen_fed_set_opts(fed, opts):
 * Use the cadences ${opts} (copied) from now on, in place of the
 * defaults (300 s, 60 s, 3 witnesses): the witness ring is worked out
 * again for the number of witnesses.
 */
void seen_fed_set_opts(struct seen_fed *fed, const struct seen_fed_opts *opts);

/**
 * seen_fed_destroy(&fed):
 * Close the transport and free ${fed}.  Sets the caller's pointer to NULL;
 * NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void seen_fed_destroy(struct seen_fed **pp);

/**
 * seen_fed_install(fed, doc, len, authority):
 * Adopt the membership document ${doc} when it is valid, signed by the
 * pinned authority (or, when none is pinned yet, by ${authority}, which
 * is then pinned) and newer than the one held.  Returns 0 (adopted);
 * SEEN_EEXIST when it is not newer (nothing changed); SEEN_EAUTH for a
 * document not signed by the pinned authority; SEEN_EPERM when this node
 * is not an active member of it; SEEN_EINVAL when malformed.
 */
SEEN_MUST_CHECK int seen_fed_install(struct seen_fed *fed, const uint8_t *doc,
    size_t len, const uint8_t *authority);

/**
 * seen_fed_token_bytes(fed):
 * The bytes of each token in the entries members publish, as the held
 * document says (seen_membership_token_bytes): 16 with no document.
 */
uint32_t seen_fed_token_bytes(const struct seen_fed *fed);

/**
 * seen_fed_match_key(fed, key, epoch):
 * Write the match key the held document grants this node, and its epoch.
 * Returns 0 or SEEN_ENOTFOUND (no document, or no grant).
 */
SEEN_MUST_CHECK int seen_fed_match_key(struct seen_fed *fed,
    uint8_t key[static 32], uint32_t *epoch);

/**
 * seen_fed_doc(fed):
 * The membership document held (NULL: none), borrowed until the next one
 * is adopted: what the OPRF epoch is, its threshold and custodians
 * (proto/membership.h: seen_membership_oprf, seen_membership_custodian).
 */
const struct seen_membership *seen_fed_doc(const struct seen_fed *fed);

/**
 * seen_fed_checkpoint_own(fed):
 * Sign and store a checkpoint of this node's own feed at its current size
 * (after an import), and announce it to the peers.  Returns 0 or an
 * error from the store.
 */
SEEN_MUST_CHECK int seen_fed_checkpoint_own(struct seen_fed *fed);

/*
 * A node restored from a backup (recover.c; docs/protocol.md, "Restored
 * from a backup") takes its own feed back from its peers before it
 * publishes again.
 */
struct seen_txn;

/**
 * seen_fed_recover_mark(txn, own):
 * Mark the store of a node just restored from a backup, inside the write
 * transaction ${txn}: its own feed, of key ${own}, is to be taken back
 * from its peers before it publishes again.  Read by seen_fed_new().
 * Returns 0 or an error of the store.
 */
SEEN_MUST_CHECK int seen_fed_recover_mark(
    struct seen_txn *txn, const uint8_t own[32]);

/**
 * seen_fed_recovering(fed, heard, peers):
 * Returns 1 while the node takes its own feed back after a restore (it
 * must publish nothing: imports wait), else 0; [out] *${heard} of
 * *${peers} peers have shown what they hold of it.
 */
int seen_fed_recovering(
    const struct seen_fed *fed, size_t *heard, size_t *peers);

/**
 * seen_fed_recover_end(fed, txn):
 * An admin ends the wait for peers (one is gone for good), inside the
 * write transaction ${txn}.  Returns 1 when the node was recovering (the
 * mark dropped, logged), 0 when it was not, or an error of the store.
 */
SEEN_MUST_CHECK int seen_fed_recover_end(
    struct seen_fed *fed, struct seen_txn *txn);

#define SEEN_FED_POLLITEMS 3 /* the transport's (SEEN_NET_POLLITEMS) */

/**
 * seen_fed_pollitems(fed, items):
 * Write the poll items of the transport to ${items}.  Returns their
 * number (SEEN_FED_POLLITEMS).
 */
int seen_fed_pollitems(
    struct seen_fed *fed, zmq_pollitem_t items[static SEEN_FED_POLLITEMS]);

/**
 * seen_fed_set_share(fed, msgs):
 * Let each member have ${msgs} envelopes handled a second (its fair share
 * of messages; bytes and time keep their defaults, node/transport/share.h).
 */
void seen_fed_set_share(struct seen_fed *fed, unsigned int msgs);

/**
 * seen_fed_set_share_time(fed, msgs, cpu):
 * As seen_fed_set_share(), and let each member cost the node up to ${cpu}
 * seconds of handling a second.
 */
void seen_fed_set_share_time(
    struct seen_fed *fed, unsigned int msgs, double cpu);

/**
 * seen_fed_watch(fed):
 * Count the transport's connection events only (its first poll item),
 * while the rest waits (an import holds the store): descriptors stay in
 * reserve all the same.
 */
void seen_fed_watch(struct seen_fed *fed);

/**
 * seen_fed_service(fed, items):
 * Receive and apply what the transport has, in one transaction per round
 * (each message nested, so one bad message undoes only itself), and send
 * what that calls for.  Returns the number of envelopes received.
 */
size_t seen_fed_service(
    struct seen_fed *fed, zmq_pollitem_t items[static SEEN_FED_POLLITEMS]);

/**
 * seen_fed_tick(fed):
 * The work that falls due with time (seen_fed_next()): heads owed or at
 * the slow cadence, requests unanswered, a checkpoint of the own log when
 * it grew, the replay cache's prune.  Does nothing, and sends, logs and
 * writes nothing, when nothing is due.
 */
void seen_fed_tick(struct seen_fed *fed);

/**
 * seen_fed_next(fed):
 * Return the monotonic time (common/clock.h seen_clock_mono()) at which
 * seen_fed_tick() next has something to do: at most an hour ahead.
 */
double seen_fed_next(struct seen_fed *fed);

/**
 * seen_fed_origin_name(fed, pk, buf, len):
 * Return the member name of origin ${pk}, or a short hex form of it
 * written to ${buf}.
 */
const char *seen_fed_origin_name(struct seen_fed *fed,
    const uint8_t pk[static 32], char *buf, size_t len);

/**
 * seen_fed_origin_type(fed, pk):
 * Return the agency type ("social_care", "police"...) of member ${pk}, or
 * NULL when it is not in the document held.
 */
const char *seen_fed_origin_type(struct seen_fed *fed,
    const uint8_t pk[static 32]);

/**
 * seen_fed_status(fed, txn, out):
 * Add "peers", "feeds", "membership_version", "epoch" and "refused" to
 * the JSON object ${out} (spec/cli.md's status contract), reading feed
 * sizes through ${txn}.
 */
void seen_fed_status(struct seen_fed *fed, struct seen_txn *txn,
    json_t *out);

/*
 * A handler of the envelope types replication does not handle itself
 * (DISCLOSURE_REQUEST, DISCLOSURE_RESPONSE): called inside the round's
 * transaction for an envelope already accepted and logged, from the
 * active member ${from}.  Returns 0, or a SEEN_E* code that undoes this
 * message's effects (SEEN_EINVAL and SEEN_EPERM are counted as refused).
 */
typedef int seen_fed_msg_fn(void *ctx, struct seen_txn *txn,
    const uint8_t from[static 32], int type, const uint8_t *body,
    size_t blen);

/**
 * seen_fed_set_handler(fed, fn, ctx):
 * Route the envelopes replication does not handle to ${fn}(${ctx}, ...).
 */
void seen_fed_set_handler(struct seen_fed *fed, seen_fed_msg_fn *fn,
    void *ctx);

/**
 * A yield callback: return 1 when the caller has other work waiting (a
 * lead's request on the control socket), so that a round of received
 * messages stops after the message being applied, else 0.
 */
typedef int seen_fed_yield_fn(void *ctx);

/**
 * seen_fed_set_yield(fed, fn, ctx, after):
 * Once a round has taken ${after} seconds, ask ${fn}(${ctx}) between its
 * messages whether to stop there: what is done of the round commits,
 * the rest is kept and applied first by the next seen_fed_service(), in
 * order.  (A stop costs a commit: ${after} bounds how many a second.)
 * ${fn} NULL: never.
 */
void seen_fed_set_yield(struct seen_fed *fed, seen_fed_yield_fn *fn,
    void *ctx, double after);

/**
 * seen_fed_waiting(fed):
 * Return 1 when messages wait, received or still to receive, else 0.
 */
int seen_fed_waiting(struct seen_fed *fed);

/**
 * seen_fed_pending(fed):
 * Return 1 when messages received are left to apply (a round stopped by
 * the yield callback): call seen_fed_service() again without waiting.
 */
int seen_fed_pending(const struct seen_fed *fed);

/**
 * seen_fed_send(fed, to, type, body, blen):
 * Queue ${blen} bytes of ${body} (copied) as an envelope of MsgType
 * ${type} to the member ${to}.  Queued envelopes are sealed, logged as
 * sent and handed to the transport by seen_fed_flush(), after the
 * transaction in which they were queued: call that outside any write
 * transaction.  Returns 0; SEEN_EAGAIN when the queue is full (not
 * queued); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_fed_send(struct seen_fed *fed,
    const uint8_t to[static 32], int type, const uint8_t *body, size_t blen);

/**
 * seen_fed_flush(fed):
 * Seal, log and send what is queued (see seen_fed_send).  An envelope the
 * transport cannot take now (no connection to that peer) is logged but
 * dropped; callers that need delivery send again.  Never call it inside a
 * write transaction.
 */
void seen_fed_flush(struct seen_fed *fed);

/**
 * seen_fed_member(fed, pk):
 * seen_fed_member_named(fed, name):
 * Return the member of the held membership document with Ed25519 key
 * ${pk}, or named ${name} (borrowed until the next document is adopted:
 * use it at once), or NULL when there is none.  Check its status with
 * seen_membership_active().
 */
const struct Seen__Member *seen_fed_member(struct seen_fed *fed,
    const uint8_t pk[static 32]);
const struct Seen__Member *seen_fed_member_named(struct seen_fed *fed,
    const char *name);

#endif /* !SEEN_FEDERATION_H */

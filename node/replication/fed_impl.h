/*
 * fed_impl.h: the inside of the replication room (federation.h), shared
 * by its files and by no one else:
 *
 *   federation.c  seen_fed_new/destroy, the service round, tick, status
 *   ring.c        the witness ring of a membership document (ring.h,
 *                 public: it is a function of the document alone)
 *   peers.c       the membership document, admission, peers, names,
 *                 the witness ring (ring.h) as it applies to this node
 *   outbox.c      the queue of bodies to send, sealed and logged by flush
 *   feeds.c       feed heads, ranges, entries, evidence of equivocation
 *   witness.c     witnessing peers' exchange logs: cosign, xproofs
 *   dispatch.c    one received envelope: checks, logging, handler table
 *
 * Every function here is prefixed fed_ (seen_fed_ is the public API).
 * Handlers of received messages run inside the nested transaction of
 * that message (seen_fed_service); a non-zero return undoes it.
 */
#ifndef SEEN_FED_IMPL_H
#define SEEN_FED_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "node/replication/federation.h"
#include "seen.pb-c.h"

struct seen_envelope_view;
struct seen_membership;
struct seen_net;
struct seen_replay;
struct seen_ring;

/* Times in seconds. */
#define FED_RETRY_MIN 1.0       /* first wait after a HEADS not delivered */
#define FED_RETRY_MAX 30.0      /* ...doubling up to this (or heads_every) */
#define FED_WANT_TIMEOUT 10.0   /* before a range request is asked again */
#define FED_FULL_RECHECK 10.0   /* a range not asked, the store full: looked
                                   at again this often until there is room */
#define FED_WANT_TRIES 3        /* times asked before waiting for HEADS */
#define FED_ROUND_MAX 64        /* messages applied in one transaction */
#define FED_TOPACK_MAX 256      /* ENTRIES leaves waiting to be packed */
#define FED_CONNECTED_WITHIN 10 /* beyond heads_every, since last heard */
#define FED_OUTQ_MAX 4096       /* envelopes waiting for the next flush */
#define FED_OUTQ_BYTES (64u << 20) /* and their bodies' bytes: beyond either
                                      a body is dropped, counted */
#define FED_XPROOF_TIMEOUT 10.0 /* before an unanswered one is retried */
#define FED_XPROOF_TRIES 5      /* ...the wait doubling up to 2^5 times */
#define FED_EVIDENCE_MAX 8      /* inconsistent checkpoints kept a message */
#define FED_PRUNE_EVERY 300.0   /* between prunes of a replay cache in use */
#define FED_REPLAY_PEER_MAX 16384 /* envelopes a peer may add to the replay
                                     cache between two prunes: beyond, its
                                     envelopes are refused (replay_cache_full)
                                     until the next; a record lives at most
                                     2 * SEEN_ENVELOPE_SKEW + FED_PRUNE_EVERY,
                                     so a peer holds at most about three
                                     times this many */
#define FED_IDLE_MAX 3600.0     /* the longest seen_fed_next() looks ahead */
#define FED_GEN_NONE UINT64_MAX /* gen_sent: the peer is to be told */
#define FED_FULL_HEADS_EVERY 3600.0 /* a peer told only what changed is
                                       told every feed this often, with
                                       a HEADS it is owed anyway */
#define FED_MSG_TYPES 11        /* counters by MsgType: 1-10, 0 any other */
/* Replies a peer may be owed (fed_reply): a bucket of bytes that fills at
 * FED_REPLY_RATE a second up to FED_REPLY_BURST; each reply takes its
 * body's bytes and FED_REPLY_COST more (so that also their count is
 * bounded: FED_REPLY_RATE / FED_REPLY_COST a second).  Beyond it the
 * request is dropped, counted (refused.over_budget). */
#define FED_REPLY_RATE (256.0 * 1024)
#define FED_REPLY_BURST (8.0 * 1024 * 1024)
#define FED_REPLY_COST 1024
#define FED_ENTRIES_BYTES (256u << 10) /* leaf bytes in one ENTRIES, at most
                                          (one leaf is always sent) */
#define FED_UNSERVED_MAX 4 /* answers not taken by the transport kept a
                              peer, to serve again (unserved.c) */
#define FED_UNSERVED_TRIES 4 /* ...at most this many times */
#define FED_UNSERVED_FRESH 60.0 /* a failure this long after the last
                                   serve again starts its tries afresh */
#define FED_SERVED_MAX 64 /* feeds whose leaves served to a peer are noted:
                             leaves it had not been sent before cost
                             nothing of its budget (a catch-up asks for
                             each once); the rest do */

/* A member this node replicates with. */
struct fed_peer {
    uint8_t pk[32];
    char name[64];
    uint64_t last_rx; /* wall clock: when last accepted from it */
    /* What it was told (HEADS, HELLO): what this node held when it last
     * told it (fed->gen; FED_GEN_NONE: to be told), when (monotonic), a
     * HELLO owed, and after a failed send, not before retry_at. */
    uint64_t gen_sent;
    uint64_t hsent;     /* fed->hgen of the last HEADS it was sent (0: none,
                           so the next is whole) */
    int heads_owed;     /* feeds it lacks are to be told it now */
    double last_full;   /* monotonic: when it was last sent whole HEADS */
    double last_heads;
    int hello_due;
    double retry_at;
    double backoff;
    /* The HEADS it sent that this node last answered with its own (a
     * digest of the body) and what this node held then: never the same
     * answer to the same heads twice. */
    uint8_t replied[16];
    uint64_t replied_gen;
    uint64_t refused;
    /* Replies it may still be owed (FED_REPLY_*): bytes left, as of when
     * (monotonic; 0: never asked, a full bucket). */
    double budget;
    double budget_at;
    uint64_t over_budget; /* its requests dropped beyond the budget */
    uint64_t bad_leaves;  /* its ENTRIES of leaves the origin did not sign */
    uint64_t received;    /* its envelopes opened (signed by it, fresh) */
    uint64_t replay_n;    /* its envelopes recorded since the last prune */
    struct {
        uint8_t origin[8]; /* the first bytes of the origin's key */
        uint64_t to;       /* leaves below it were sent to this peer */
        uint64_t used;     /* when last (fed->served_clock) */
    } served[FED_SERVED_MAX];
    /* Ranges of its GET_RANGE whose ENTRIES the transport did not take,
     * by origin: served again at `at` (pending), `tries` times so far
     * (unserved.c).  A slot of no origin (used 0) is free. */
    struct fed_unserved {
        uint8_t origin[32];
        uint64_t from, to;
        double at;
        unsigned int tries;
        int used, pending;
    } unserved[FED_UNSERVED_MAX];
    /* Witnessing (ring.h): it witnesses this node's log; this node
     * witnesses its log. */
    int witness;
    int witnessed;
    /* Consistency proofs of its exchange log asked of it (GET_XPROOF):
     * when last asked, whether that one is unanswered and how many times
     * it was asked again, when to look again (0: nothing to ask), and
     * whether one it gave did not hold (then it is asked no more). */
    double xp_at;
    int xp_out;
    unsigned int xp_tries;
    double xp_due;
    int xp_bad;
    uint64_t xp_smaller; /* a GET_XPROOF showing it the checkpoint held,
                            from this size, the transport did not take:
                            asked again at xp_due (0: none) */
    uint8_t *cosig;  /* our cosignature of its log, not delivered: sent
                      * again at retry_at (owned; NULL: none) */
    size_t cosig_len;
    uint64_t cosigs; /* its cosignatures of our checkpoints, kept */
    uint64_t shown;  /* times it showed us its checkpoint of our log */
    uint64_t asked;  /* GET_XPROOFs it sent us */
    int recover_heard; /* restored: it sent a whole HEADS (recover.c) */
};

/* A range of an origin's feed asked of a peer (GET_RANGE), unanswered. */
struct fed_want {
    uint8_t origin[32];
    uint8_t peer[32];
    uint64_t to;        /* the end of what was asked (ranges in flight) */
    uint64_t first;     /* the end of the first range in flight (of two
                           at most) */
    uint64_t gap;       /* where it was asked again after a batch came
                           out of order (UINT64_MAX: not) */
    double at;
    double resend_at;   /* not delivered: asked again then (0: not) */
    unsigned int undelivered; /* times not delivered since an answer */
    unsigned int tries; /* asked again after no answer */
};

/* A received envelope waiting for the round's transaction. */
struct fed_msg {
    uint8_t sender[32];
    uint8_t *buf;
    size_t len;
};

/* A body waiting to be sealed, logged and sent (fed_flush). */
struct fed_outmsg {
    uint8_t to[32];
    int type;
    uint8_t *body;
    size_t blen;
};

/* A checkpoint found inconsistent, kept after its message's transaction. */
struct fed_evidence {
    uint8_t origin[32];
    uint64_t size;
    uint8_t *cp;
    size_t len;
};

struct seen_fed {
    /* Restored from a backup: taking the own feed back (recover.c) from
     * its size then (from) to the largest checkpoint of it shown (want). */
    struct {
        int active;
        uint64_t from, want;
    } recover;
    struct seen_store *store;
    const struct seen_keys *keys;
    struct seen_net *net;
    struct seen_fed_opts opts;
    struct seen_ring *ring; /* of the held document */
    uint8_t authority[32];
    int pinned;
    struct seen_membership *doc;
    char filter[1024];
    struct fed_peer *peers;
    size_t npeers;
    struct fed_want *wants;
    size_t nwants;
    struct seen_replay *replay;
    uint64_t gen;
    seen_fed_adopt_fn *adopt;
    void *actx;
    int adopt_pending; /* a document was installed in this round */
    struct fed_msg round[FED_ROUND_MAX];
    size_t nround;
    size_t napplied; /* of the round, handled by apply_round (the rest
                        kept: a yield) */
    seen_fed_yield_fn *yield;
    void *yctx;
    double yield_after; /* seconds of a round before it may stop */
    struct {
        uint64_t unknown, signature, replay, malformed, inconsistent,
            mismatch, other;
        uint64_t wrong_recipient; /* addressed to another node */
        uint64_t bad_leaves;      /* leaves no checkpoint of theirs signs */
        uint64_t wrong_origin;    /* a checkpoint of another origin */
        uint64_t bad_membership;  /* a membership document not installed */
        uint64_t store_full;      /* refused: the store is full */
        uint64_t replay_full;     /* refused: the replay cache is full */
        uint64_t bad_heads;       /* HEADS refused whole (too many heads,
                                     one origin twice) */
        uint64_t over_budget;     /* requests beyond the peer's budget */
        uint64_t repeated;        /* requests whose reply was owed still */
        uint64_t not_served;      /* requests not served: store nearly full */
    } refused;
    uint64_t applied;
    /* Ranges asked (GET_RANGE queued, delivered or not), asked again after
     * a batch came out of order (a gap), after no answer, and after the
     * transport did not take one (of those asked). */
    struct {
        uint64_t asked, gaps, timed_out, resent;
        uint64_t resumed; /* asked on what the checkpoints held show
                             missing (fed_resume), of those asked */
        /* ENTRIES of this node's answers the transport did not take, and
         * the ranges served again for them (unserved.c). */
        uint64_t unserved, served_again;
    } ranges;
    /* A look at what the checkpoints held show missing is due (at start,
     * on a new document, when a member connects afresh: fed_resume), and
     * the member that connected last (resume_from_set 0: none yet). */
    int resume;
    int resume_from_set;
    uint8_t resume_from[32];
    /* What HEADS last found of each origin (by its number): the size of
     * the checkpoint held and the hgen at which it changed; hgen counts
     * the HEADS built (feeds.c heads_build). */
    struct fed_hseen {
        uint64_t size, changed;
    } *hseen;
    size_t nhseen;
    uint64_t hgen;
    struct {
        uint64_t whole, partial, listed; /* HEADS queued, heads in them */
        uint64_t answered; /* peers' HEADS owed an answer (rule 2) */
    } heads;
    double prune_at;  /* monotonic: the next prune of the replay cache */
    int replay_dirty; /* the replay cache may hold records to prune */
    double check_at;  /* monotonic: the next look at the own log's size */
    struct fed_outmsg *outq;
    size_t nout, capout;
    size_t outbytes; /* of the bodies queued */
    struct {
        uint64_t sent, dropped, cosigned, cosignatures, asked, served;
        uint64_t logged_sent, logged_received, signed_;
        uint64_t packed; /* bytes the log stores less (seen_xlog_pack) */
        int halted;
        /* The XLOG_RECEIVED leaf of the message being handled, if any. */
        uint64_t rx_index;
        int rx_logged;
        /* ENTRIES leaves to store packed in a later write transaction
         * (fed_xlog_pack_due): packed in the one that wrote them, the
         * pages freed would be pages that transaction never wrote, past
         * the file's end. */
        uint64_t topack[FED_TOPACK_MAX];
        size_t ntopack;
    } xlog;
    struct {
        uint64_t sent, received;
    } msgs[FED_MSG_TYPES];
    struct fed_evidence evidence[FED_EVIDENCE_MAX];
    size_t nevidence;
    uint64_t served_clock; /* orders fed_peer.served, least recent first */
    seen_fed_msg_fn *handler;
    void *hctx;
};

/*
 * A handler of one MsgType (dispatch.c's table): apply the body ${body}
 * (${blen} bytes) of an envelope from the active member ${from} inside
 * ${txn}.  Returns 0, or a SEEN_E* code that undoes the message.
 */
typedef int fed_handler_fn(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/* ---- peers.c ---- */

/**
 * fed_admit(ctx, curve_pk, sign_pk):
 * A seen_net_admit_fn over the held document (${ctx} is the seen_fed):
 * return 1 and the Ed25519 key of the active member whose CURVE key is
 * ${curve_pk} in ${sign_pk}, else 0.
 */
int fed_admit(void *ctx, const uint8_t curve_pk[static 32],
    uint8_t sign_pk[static 32]);

/**
 * fed_member_active(ctx, pk):
 * A seen_envelope_sender_fn (${ctx} is the seen_fed): return 1 when ${pk}
 * is an active member of the held document, else 0.
 */
int fed_member_active(void *ctx, const uint8_t pk[static 32]);

/**
 * fed_direct(fed, pk):
 * Open a direct link (transport/net.h seen_net_direct) to ${pk}, an
 * active member of the held document that is not a peer.  Returns 0;
 * SEEN_ENOTFOUND for no such member (or a peer: its link is there);
 * SEEN_EINVAL; SEEN_ENOMEM.
 */
int fed_direct(struct seen_fed *fed, const uint8_t pk[32]);

/**
 * fed_witnesses_of(fed, pk):
 * Return 1 when this node witnesses the exchange log of ${pk} under the
 * held document (ring.h), else 0.
 */
int fed_witnesses_of(struct seen_fed *fed, const uint8_t pk[32]);

/**
 * fed_ring_update(fed):
 * Build the witness ring of the held document and mark each peer as a
 * witness of this node's log or a log this node witnesses, with
 * fed->opts.witnesses witnesses per log.  On memory exhaustion the ring
 * held before stays.
 */
void fed_ring_update(struct seen_fed *fed);

/**
 * fed_find_peer(fed, pk):
 * Return the peer with Ed25519 key ${pk} (borrowed until the peers are
 * next connected), or NULL.
 */
struct fed_peer *fed_find_peer(struct seen_fed *fed, const uint8_t pk[32]);

/**
 * fed_connect_peers(fed):
 * Connect to the active members of the held document that the filter
 * names, keeping what is known of each; disconnect the rest.  On memory
 * exhaustion nothing changes.
 */
void fed_connect_peers(struct seen_fed *fed);

/**
 * fed_adopted(fed):
 * After a document was installed and committed: reconnect the peers,
 * announce heads afresh, and tell the adopt callback the match key the
 * document grants this node.
 */
void fed_adopted(struct seen_fed *fed);

/**
 * fed_install_txn(fed, txn, doc, len, authority):
 * Verify the membership document ${doc} and, when newer, store it in
 * ${txn} (pinning ${authority} when none is pinned) and make it the held
 * one.  Returns as seen_fed_install; the caller calls fed_adopted() once
 * ${txn} commits.
 */
int fed_install_txn(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t *doc, size_t len, const uint8_t *authority);

/**
 * fed_on_hello(fed, txn, from, body, blen):
 * HELLO: send ${from} the held document when its version is newer than
 * the one it says it holds.  Returns 0 or SEEN_EINVAL.
 */
int fed_on_hello(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/**
 * fed_on_membership(fed, txn, from, body, blen):
 * MEMBERSHIP: install the document ${body} in ${txn}, and note that it is
 * to be adopted when the round commits.  Returns 0 (adopted, or not
 * newer), or an error of fed_install_txn.
 */
int fed_on_membership(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/* ---- outbox.c ---- */

/* fed_queue_msg flags. */
#define FED_Q_REPLACE 1 /* replace a body queued of that type to that peer */

/**
 * fed_queue_raw(fed, to, type, body, blen):
 * Queue ${blen} bytes of ${body} (copied) as a message of MsgType ${type}
 * to ${to}.  Returns 0; SEEN_EAGAIN when the queue is full (FED_OUTQ_MAX
 * bodies, or FED_OUTQ_BYTES bytes; counted as dropped); SEEN_ENOMEM.
 */
int fed_queue_raw(struct seen_fed *fed, const uint8_t to[32], int type,
    const uint8_t *body, size_t blen);

/**
 * fed_queue_msg(fed, to, type, msg, flags):
 * Pack ${msg} and queue it as fed_queue_raw does; with FED_Q_REPLACE, a
 * body already queued of ${type} to ${to} is replaced instead.  Returns
 * as fed_queue_raw.
 */
int fed_queue_msg(struct seen_fed *fed, const uint8_t to[32], int type,
    const ProtobufCMessage *msg, int flags);

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
int fed_reply(struct seen_fed *fed, const uint8_t to[32], int type,
    const ProtobufCMessage *msg, size_t free_bytes);

/**
 * fed_served(fed, p, origin, to):
 * Return where the leaves of ${origin}'s feed not yet sent to the peer
 * ${p} begin (0: none were; UINT64_MAX: not known, its note made room
 * for others), and with ${to} non-zero note that those below ${to} were
 * (the least recently used note makes room).
 */
uint64_t fed_served(struct seen_fed *fed, struct fed_peer *p,
    const uint8_t origin[32], uint64_t to);

/**
 * fed_reply_ok(fed, to, bytes):
 * Take ${bytes} (and FED_REPLY_COST) from the budget of replies owed to
 * ${to}, as fed_reply does, for a reply queued otherwise.  Returns 1 when
 * it may be queued, else 0 (counted).
 */
int fed_reply_ok(struct seen_fed *fed, const uint8_t to[32], size_t bytes);

/**
 * fed_reply_room(fed, to):
 * Return 1 when a reply to ${to} may be queued now (its budget holds at
 * least FED_REPLY_COST), else 0 (counted as fed_reply_ok does): a look,
 * before the work of building one.
 */
int fed_reply_room(struct seen_fed *fed, const uint8_t to[32]);

/**
 * fed_burst(n):
 * Return 1 when the ${n}th event of a burst is to be said (the 1st, 2nd,
 * 4th, 8th...), else 0.
 */
int fed_burst(uint64_t n);

/**
 * fed_outq_clear(fed):
 * Free every queued body and empty the queue (its array is kept).
 */
void fed_outq_clear(struct seen_fed *fed);

/**
 * fed_flush(fed):
 * Seal every queued body with the latest checkpoint this node signed of
 * its exchange log (the first is signed now), log each envelope that
 * carries content as sent (xlog/leaf.h seen_xlog_is_content), commit,
 * and only then hand them to the transport: no content leaves that is not
 * logged.  A HEADS or HELLO the transport does not take is sent again
 * later.  Empties the queue.  Never call it inside a write transaction.
 */
void fed_flush(struct seen_fed *fed);

/**
 * fed_checkpoint_due(fed):
 * When fed->opts.checkpoint_every has passed since it last looked, and
 * the exchange log has grown since the latest checkpoint this node
 * signed, sign one and show it to this node's witnesses (a HELLO to each,
 * carrying it): never when nothing is new.  Never call it inside a write
 * transaction.
 */
void fed_checkpoint_due(struct seen_fed *fed);

/**
 * fed_count(fed, type, sent):
 * Count an envelope of MsgType ${type} sent (${sent} 1) or accepted (0).
 */
void fed_count(struct seen_fed *fed, int type, int sent);

/**
 * fed_xlog_topack(fed, index):
 * Note leaf ${index} of the exchange log, an ENTRIES logged in the write
 * transaction in hand, to be stored packed in a later one
 * (fed_xlog_pack_due).  When FED_TOPACK_MAX wait already it stays whole.
 */
void fed_xlog_topack(struct seen_fed *fed, uint64_t index);

/**
 * fed_xlog_pack_due(fed, txn):
 * In the write transaction ${txn}, store packed each leaf noted by
 * fed_xlog_topack in an earlier, committed transaction (xlog.h,
 * seen_xlog_pack: its pages were written; freeing them leaves the file
 * whole), and forget them.  Returns 0 or an error of the store (the
 * caller aborts ${txn}; they stay whole).
 */
int fed_xlog_pack_due(struct seen_fed *fed, struct seen_txn *txn);

/* ---- feeds.c ---- */

/**
 * fed_send_heads(fed, all):
 * Queue HEADS (and a HELLO when one is owed) to every peer (with ${all}
 * 0, only to those not told since the feeds last changed, those owed an
 * answer, and those told nothing for fed->opts.heads_every seconds; a
 * peer to which the last could not be sent waits its backoff).
 */
void fed_send_heads(struct seen_fed *fed, int all);

/**
 * fed_want_undelivered(fed, to, body, blen):
 * The transport did not take the GET_RANGE ${body} (${blen} bytes) for
 * ${to} (not connected yet): it is asked again FED_RETRY_MIN later (the
 * wait doubling, four times at most), not after a timeout, and that is
 * not counted as a try.
 */
void fed_want_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen);

/**
 * fed_entries_undelivered(fed, to, body, blen):
 * The transport did not take the ENTRIES ${body} (${blen} bytes) for
 * ${to}, an answer to its GET_RANGE: its range is served again
 * FED_RETRY_MIN later, the wait doubling, FED_UNSERVED_TRIES times at
 * most (then the peer's own timeout asks again), within the peer's
 * budget as any answer.
 */
void fed_entries_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen);

/**
 * fed_unserved_next(fed, later):
 * The monotonic time at which fed_unserved_due() has a range to serve
 * again, or ${later} when none waits.
 */
double fed_unserved_next(const struct seen_fed *fed, double later);

/**
 * fed_unserved_due(fed):
 * Serve again (queue, as fed_on_get_range does) each range whose time
 * has come; see fed_entries_undelivered.
 */
void fed_unserved_due(struct seen_fed *fed);

/**
 * fed_heads_due_at(fed, p):
 * The monotonic time from which the peer ${p} is owed HEADS (see
 * fed_send_heads): once its backoff is over when the feeds changed since
 * it was told or it is owed an answer, and heads_every after it was last
 * told in any case.
 */
double fed_heads_due_at(const struct seen_fed *fed,
    const struct fed_peer *p);

/**
 * fed_heads_undelivered(fed, to, type):
 * The transport did not take a HEADS or HELLO (${type}) for ${to}: tell
 * it again after a backoff (FED_RETRY_MIN doubling to FED_RETRY_MAX, or
 * heads_every when smaller), or as soon as it is heard from; of another
 * type, only start the backoff.
 */
void fed_heads_undelivered(struct seen_fed *fed, const uint8_t to[32],
    int type);

/**
 * fed_heads_delivered(fed, to):
 * The transport took a HEADS for ${to}: the next failure waits the least.
 */
void fed_heads_delivered(struct seen_fed *fed, const uint8_t to[32]);

/**
 * fed_wants_expire(fed):
 * Ask again, of the same peer, the range requests unanswered for
 * FED_WANT_TIMEOUT seconds (doubling each time), and after FED_WANT_TRIES
 * forget them: the next HEADS asks afresh.  While the store is full
 * (storage/space.h, seen_space_full) nothing is asked and nothing
 * forgotten: each range due, or not asked for want of room, is looked at
 * again FED_FULL_RECHECK seconds later, and asked once there is room.
 */
void fed_wants_expire(struct seen_fed *fed);

/**
 * fed_resume(fed):
 * When due (fed->resume), ask for what the checkpoints held show this
 * node lacks of each active member's feed, its own aside, where no
 * request is in flight: of the origin when it is a peer, else of the
 * member that connected last, else of the peer heard from last, else of
 * the first.  Counted in ranges.asked and ranges.resumed.  Reads the
 * store; sends nothing when every feed holds its checkpoint.
 */
void fed_resume(struct seen_fed *fed);

/**
 * fed_wants_next(fed):
 * Return the monotonic time at which fed_wants_expire() has work, or
 * ${now} + FED_IDLE_MAX when it has none.
 */
double fed_wants_next(const struct seen_fed *fed, double now);

/**
 * fed_evidence_flush(fed, txn):
 * Write the evidence found while handling a message into ${txn} (the
 * round's, which the message's own refusal does not undo), and forget it.
 */
void fed_evidence_flush(struct seen_fed *fed, struct seen_txn *txn);

/**
 * fed_feed_held(txn, oidx):
 * The checkpoint held of origin ${oidx}'s feed, decoded (the caller
 * destroys it with seen_checkpoint_destroy), or NULL when none is.
 */
Seen__Checkpoint *fed_feed_held(struct seen_txn *txn, uint32_t oidx);

/**
 * fed_head_cmp(a, b):
 * The qsort and bsearch order of FeedHead pointers: by origin.
 */
int fed_head_cmp(const void *a, const void *b);

/**
 * fed_answer_heads(fed, txn, from, hs, body, blen):
 * Owe ${from} the heads of the feeds it holds less of than this node can
 * serve (of the feeds its HEADS ${hs} names when partial, of every feed
 * held when whole), unless its heads (the HEADS ${body}, ${blen} bytes)
 * and what this node holds are those it last answered.
 */
void fed_answer_heads(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const Seen__Heads *hs, const uint8_t *body,
    size_t blen);

/**
 * fed_on_heads(fed, txn, from, body, blen):
 * HEADS: ask ${from} for what it holds of each active origin's feed
 * beyond what this node holds, and answer with this node's HEADS when it
 * holds less than this node can serve.  Returns 0, SEEN_EINVAL,
 * SEEN_EPERM (more heads than active members, or an origin twice:
 * refused whole, counted bad_heads), SEEN_ENOMEM.
 */
int fed_on_heads(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/**
 * fed_on_get_range(fed, txn, from, body, blen):
 * GET_RANGE: queue what this node holds of the range asked (at most
 * SEEN_FED_RANGE leaves) as ENTRIES in order, each of at most
 * SEEN_FED_BATCH leaves and FED_ENTRIES_BYTES of them, as replies within
 * ${from}'s budget (fed_reply): the first one beyond it ends the answer.
 * Nothing while it holds fewer leaves than the checkpoint it holds of
 * that feed (a catch-up under way): it could not prove them to it.
 * Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an error of the store.
 */
int fed_on_get_range(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/**
 * fed_on_entries(fed, txn, from, body, blen):
 * ENTRIES: apply leaves that extend a feed to a prefix of the signed
 * checkpoint carried.  Evidence against the origin comes only from two
 * checkpoints it signed that cannot both hold; leaves that are not a
 * prefix of the checkpoint carried are the sender's fault (bad_leaves),
 * and the range is asked of another peer.  Returns 0; SEEN_EINVAL;
 * SEEN_EPERM for a feed of this node or of no active member, or a
 * checkpoint of another origin; SEEN_EAUTH for a bad signature, leaves
 * not the origin's, or evidence (kept); errors of the store.
 */
int fed_on_entries(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/* ---- witness.c ---- */

/**
 * fed_count_one(ctx, val, len):
 * A seen_xlog_iter_fn that counts in the uint64_t ${ctx}.  Returns 0.
 */
int fed_count_one(void *ctx, const uint8_t *val, size_t len);

/**
 * fed_xproof_ask(fed, txn, p, smaller):
 * Ask the peer ${p}, whose log this node witnesses, for a consistency
 * proof of its exchange log, at the pace allowed (see witness.c); when
 * not allowed yet, note when to try (p->xp_due).
 */
void fed_xproof_ask(struct seen_fed *fed, struct seen_txn *txn,
    struct fed_peer *p, uint64_t smaller);

/**
 * fed_xproof_undelivered(fed, to, body, blen):
 * The transport did not take the GET_XPROOF ${body} (${blen} bytes) for
 * ${to} (not connected again yet after a restart): it is not counted as
 * asked and unanswered, and is asked again after FED_RETRY_MIN, not after
 * the backoff of unanswered requests.
 */
void fed_xproof_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen);

/**
 * fed_xproof_ask_all(fed):
 * Ask every peer whose time to look (p->xp_due) has come, if it has a
 * checkpoint pending.
 */
void fed_xproof_ask_all(struct seen_fed *fed);

/**
 * fed_xproof_body(txn, hc, req, rlen, out, olen):
 * Write the XPROOF body answering the queued GetXProof ${req} (${rlen}
 * bytes), up to the checkpoint ${hc} its envelope will carry (NULL: up to
 * the size asked), to *${out} (malloc'd; the caller frees it) and its
 * length to *${olen}.  Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an error
 * of the exchange log.
 */
int fed_xproof_body(struct seen_txn *txn, const Seen__Checkpoint *hc,
    const uint8_t *req, size_t rlen, uint8_t **out, size_t *olen);

/**
 * fed_witness(fed, txn, v):
 * Witness the exchange-log checkpoint that the envelope ${v} carries and
 * countersign it, or ask its sender for a proof.  Returns 0 (evidence
 * found is kept in ${txn}, which must commit), or an error of the store.
 */
int fed_witness(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v);

/**
 * fed_cosign_undelivered(fed, to, body, blen):
 * The transport did not take a COSIGN (its ${blen} bytes of ${body}) for
 * ${to}: keep a copy, in place of any kept before, to send again when a
 * HEADS to it would be (fed_heads_undelivered).
 */
void fed_cosign_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen);

/**
 * fed_cosign_resend(fed):
 * Queue again the cosignatures kept by fed_cosign_undelivered() whose
 * time has come.
 */
void fed_cosign_resend(struct seen_fed *fed);

/**
 * fed_on_cosign(fed, txn, from, body, blen):
 * COSIGN: keep a witness's cosignature of one of our checkpoints.
 * Returns 0, SEEN_EINVAL, SEEN_EAUTH, SEEN_EPERM (not the sender's).
 */
int fed_on_cosign(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/**
 * fed_on_get_xproof(fed, txn, from, body, blen):
 * GET_XPROOF: queue the answer (written when sealed, fed_xproof_body).
 * Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an error of the exchange log.
 */
int fed_on_get_xproof(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/**
 * fed_on_xproof(fed, txn, from, body, blen):
 * XPROOF: witness the peer's checkpoint with the proof it gave (only of a
 * log this node witnesses).
 * Returns 0, SEEN_EINVAL, SEEN_EAUTH, or an error of the exchange log.
 */
int fed_on_xproof(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen);

/* ---- dispatch.c ---- */

/**
 * fed_on_message(fed, txn, m):
 * Open, check, log and apply the received envelope ${m} inside ${txn},
 * counting it when refused.  Returns 0, or the SEEN_E* code for which it
 * was refused (the caller aborts ${txn}).
 */
int fed_on_message(struct seen_fed *fed, struct seen_txn *txn,
    const struct fed_msg *m);


/* recover.c: a restored node takes its own feed back from its peers. */

/**
 * fed_recover_load(fed, txn):
 * Read whether the store holds the mark of a restore (at start).
 * Returns 0 or SEEN_ECORRUPT.
 */
int fed_recover_load(struct seen_fed *fed, struct seen_txn *txn);

/**
 * fed_recover_own(fed, origin):
 * Returns 1 when ${origin} is this node and it is taking its own feed
 * back (its HEADS and ENTRIES are taken as another origin's), else 0.
 */
int fed_recover_own(const struct seen_fed *fed, const uint8_t origin[32]);

/**
 * fed_recover_heard(fed, from, hs):
 * Note the whole HEADS ${hs} from ${from}: it has shown what it holds of
 * this node's feed.  No-op unless recovering or when ${hs} is partial.
 */
void fed_recover_heard(
    struct seen_fed *fed, const uint8_t from[32], const Seen__Heads *hs);

/**
 * fed_recover_check(fed, txn):
 * At the end of a round, inside its write transaction ${txn}: when every
 * peer has sent a whole HEADS and the own feed holds the largest
 * checkpoint of it they showed, drop the mark (logged).  Returns 0 or an
 * error of the store.
 */
int fed_recover_check(struct seen_fed *fed, struct seen_txn *txn);

/**
 * fed_recover_alone(fed):
 * A restored node with no peer drops the mark at once (its own write
 * transaction); no-op otherwise.  From seen_fed_tick().
 */
void fed_recover_alone(struct seen_fed *fed);

/**
 * fed_recover_status(fed, txn):
 * The "restore" object of the status: {"recovering", "from", "want",
 * "held", "peers_heard", "peers"}, or NULL when not recovering.
 */
json_t *fed_recover_status(struct seen_fed *fed, struct seen_txn *txn);

#endif /* !SEEN_FED_IMPL_H */

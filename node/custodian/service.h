/*
 * service.h: a custodian's OPRF service (issue 16; docs/protocol.md,
 * "Custodians").
 *
 * A node the membership document names as a custodian of its OPRF epoch
 * serves evaluations in a thread of its own, on a ROUTER socket of its
 * own at its custodian endpoint (CURVE with the node's keys; its own ZAP
 * handler admits only active members' curve keys), in a ZeroMQ context of
 * its own.  Why a thread: an importing node blocks its event loop while it
 * waits for the custodians, and two custodians importing at once would
 * each wait for the other; so the service never waits on the main thread
 * and never touches the store (the main thread may hold a write
 * transaction through a whole import).
 *
 * Each request is a signed OPRF_EVAL envelope from an active member (the
 * one ZAP admitted on that connection).  Before any evaluation: the
 * envelope's checks (proto/envelope.h: signature, recipient, time within
 * SEEN_ENVELOPE_SKEW), the epoch, this node's index among `indexes` (t to
 * n distinct share numbers), the purpose and operator, 1 to
 * SEEN_CUSTODIAN_BATCH_MAX valid elements, a request_id not seen before
 * (the last SEEN_CUSTODIAN_RECENT ids are remembered, each at least twice
 * the envelope's time window: an older replay fails the window, a newer
 * one the memory; when the memory cannot hold a window's ids the request
 * is refused), and the day's limits (SEEN_CUSTODIAN_* of seen.conf).
 * Every request served or refused after the envelope's checks is
 * appended to the journal (journal.h) and synced before the answer goes;
 * the thread then wakes the main thread (a byte on ${wake_fd}), which
 * folds the journal into XLOG_OPRF leaves (seen_custodian_fold).
 */
#ifndef SEEN_CUSTODIAN_SERVICE_H
#define SEEN_CUSTODIAN_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

#define SEEN_CUSTODIAN_BATCH_MAX 4096 /* blinded elements a request */
#define SEEN_CUSTODIAN_RECENT 65536   /* request ids remembered */
#define SEEN_CUSTODIAN_ENDPOINT_MAX 256

struct seen_keys;
struct seen_membership;
struct seen_store;
struct seen_cjournal;
struct seen_custodian;

/* The day's limits (seen.conf [federation] custodian_*). */
struct seen_custodian_limits {
    uint64_t member;   /* evaluations a member a UTC day */
    uint64_t operator; /* a (member, operator) a day, all purposes but
                        * import */
};

/* What `seen status --json` shows of the service ("custodian"). */
struct seen_custodian_stats {
    int serving;          /* 1 while this node serves an OPRF epoch */
    unsigned int index;   /* its share number (0: not a custodian) */
    uint32_t epoch;       /* the epoch it serves */
    char endpoint[SEEN_CUSTODIAN_ENDPOINT_MAX]; /* where it serves */
    char want[SEEN_CUSTODIAN_ENDPOINT_MAX]; /* where the document says,
                                             * when it could not move
                                             * there ("": none) */
    char want_error[128];                   /* and why not */
    uint64_t served;      /* requests served since start */
    uint64_t refused;     /* requests refused since start */
    uint64_t evaluations; /* elements evaluated since start */
    uint64_t today;       /* elements evaluated today (UTC), all members */
    uint64_t members;     /* members that asked today */
    uint64_t pending;     /* journal bytes not yet in the exchange log */
};

/**
 * seen_custodian_new(keys, home, lim, wake_fd, out):
 * Make the service of the node ${keys} whose home is ${home} (its journal
 * HOME/custodian.journal is opened), with the limits ${lim} (copied); it
 * writes a byte to ${wake_fd} (non-blocking; -1: none) after each record
 * it journals.  It serves nothing until seen_custodian_adopt() names this
 * node a custodian.  ${keys} must outlive it.  Returns 0 and the service
 * in *${out}; SEEN_EIO; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_custodian_new(const struct seen_keys *keys,
    const char *home, const struct seen_custodian_limits *lim, int wake_fd,
    struct seen_custodian **out);

/**
 * seen_custodian_adopt(c, doc):
 * The membership document ${doc} was adopted (not retained: a copy is
 * kept).  When it is an OPRF epoch naming this node a custodian, its
 * share is opened and checked against share_pk, and the thread is started
 * (bound to the custodian endpoint when its host is a literal IPv4
 * address, else to every interface at its port) or given the new epoch;
 * otherwise any share held is wiped and requests are refused
 * (NOT_CUSTODIAN, WRONG_EPOCH).  When the document gives this custodian
 * another endpoint than the one it serves at, the running thread binds
 * the new one and unbinds the old, without a restart; when the new one
 * cannot be bound it keeps serving at the old one, logs why once, and
 * seen_custodian_stats() says where it is wanted and why it is not there
 * (the next document tries again).
 * Returns 0 (a move that failed included); SEEN_ENOTFOUND when this node
 * is no custodian (nothing to serve); SEEN_EAUTH when its share does not
 * open or is not its share_pk (logged loudly: it then serves nothing);
 * SEEN_EIO when the endpoint cannot be bound at start; SEEN_ENOMEM;
 * SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_custodian_adopt(struct seen_custodian *c,
    const struct seen_membership *doc);

/**
 * seen_custodian_recover(c, store):
 * At start, before the first adopt: today's counts from the XLOG_OPRF
 * leaves of the exchange log and the records of the journal a crash left
 * (each request counted once: a journal record already folded is
 * recognised by its request_id), and the request ids of the last
 * 2 x SEEN_ENVELOPE_SKEW seconds remembered.  Then folds the journal
 * (seen_custodian_fold).  Returns 0 or an error from the store.
 */
SEEN_MUST_CHECK int seen_custodian_recover(struct seen_custodian *c,
    struct seen_store *store);

/**
 * seen_custodian_fold(c, store):
 * On the main thread, when the store is free: append every record of the
 * journal as an XLOG_OPRF leaf, raise the custodian's alert
 * (custodian_limit_exceeded, once a member and operator a UTC day) for a
 * limit refusal, in one write transaction, then drop what was folded from
 * the journal.  Returns 0 (nothing to do included); an error from the
 * store (the journal is kept for the next fold).
 */
SEEN_MUST_CHECK int seen_custodian_fold(struct seen_custodian *c,
    struct seen_store *store);

/**
 * seen_custodian_stats(c, st):
 * Fill ${st} with what the service has done (thread-safe).
 */
void seen_custodian_stats(struct seen_custodian *c,
    struct seen_custodian_stats *st);

/**
 * seen_custodian_destroy(&c):
 * Stop the thread, wipe the share, close the journal and free ${c}.  Safe
 * on NULL and twice; sets the caller's pointer to NULL.
 */
void seen_custodian_destroy(struct seen_custodian **pp);

#endif /* !SEEN_CUSTODIAN_SERVICE_H */

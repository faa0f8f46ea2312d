/*
 * replay.h: the replay cache of received envelopes.
 *
 * A node refuses any envelope whose (sender, msg_id) it has accepted
 * before.  Envelopes are only accepted within a clock skew window of the
 * receiver's time, so only the ids of the last few minutes need keeping:
 * the cache holds (sender, msg_id, time) for every accepted envelope in
 * the store's SEEN_DB_REPLAY database (key sender(32) || msg_id(16), value
 * time as 8 bytes big-endian), and seen_replay_prune() drops the records
 * older than twice the window.
 *
 * Bounded: the window is at most SEEN_REPLAY_WINDOW_MAX seconds, and the
 * cache holds at most SEEN_REPLAY_MAX records.  A peer that sends faster
 * than the cache can hold for the window is refused (SEEN_EAGAIN, counted
 * as seen_space_drop(SEEN_SPACE_DROP_REPLAY)) until the next prune makes
 * room; forgetting a record instead would let a message be replayed.
 *
 * A record is written inside the caller's write transaction, the one that
 * applies the envelope's effects: a message is recorded as seen exactly
 * when its effects commit, and a crash or abort before the commit leaves
 * neither.  For the same reason there is no in-memory copy of the cache:
 * it could not know which transactions commit.  A lookup is one LMDB read
 * inside the transaction, which also sees the transaction's own records,
 * so a duplicate inside one batch is refused too.
 */
#ifndef SEEN_REPLAY_H
#define SEEN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "proto/envelope.h"

/* Bytes of a replay record's key: sender(32) || msg_id(16). */
#define SEEN_REPLAY_KEY_BYTES 48

/* The largest window, in seconds (a day). */
#define SEEN_REPLAY_WINDOW_MAX 86400

/* The most records the cache holds: about 100 MiB of the store at most
 * (a record is 56 bytes and LMDB's overhead), and at least 870 envelopes
 * a second for twice SEEN_ENVELOPE_SKEW, far beyond what a node applies
 * (FED_ROUND_MAX a round). */
#define SEEN_REPLAY_MAX ((uint64_t)1 << 20)

struct seen_store;
struct seen_txn;
struct seen_replay;

/**
 * seen_replay_new(store, window):
 * Return a replay cache over ${store} (borrowed: it must outlive the
 * cache) for messages accepted within ${window} seconds of the receiver's
 * clock.  ${window} must be no smaller than the clock skew the caller
 * accepts (SEEN_ENVELOPE_SKEW for envelopes), or a pruned record could be
 * replayed.  Returns NULL if ${window} is 0 or above
 * SEEN_REPLAY_WINDOW_MAX seconds, or memory runs out (logged).  Release
 * with seen_replay_destroy().
 */
struct seen_replay *seen_replay_new(struct seen_store *store,
    uint64_t window);

/**
 * seen_replay_bound(rc, max):
 * Hold at most ${max} records (at least 1) instead of SEEN_REPLAY_MAX.
 */
void seen_replay_bound(struct seen_replay *rc, uint64_t max);

/**
 * seen_replay_destroy(&rc):
 * Free ${rc}; the records stay in the store.  Sets the caller's pointer to
 * NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void seen_replay_destroy(struct seen_replay **pp);

/**
 * seen_replay_check(rc, txn, sender, id, time):
 * Look up the message ${id} of ${sender} inside the write transaction
 * ${txn}; if it is new, record it there with the message's ${time} (Unix
 * seconds).  The record becomes durable when ${txn} commits and is
 * forgotten if it aborts.
 * Returns 0 if the message is new (and now recorded); SEEN_EREPLAY if it
 * was recorded before (nothing written; not logged); SEEN_EAGAIN if it is
 * new but the cache holds its bound (SEEN_REPLAY_MAX unless
 * seen_replay_bound said otherwise) of records (nothing written;
 * counted, not logged); SEEN_EFULL; SEEN_ERR (logged by the store).
 * After an error other than SEEN_EREPLAY and SEEN_EAGAIN the transaction
 * must be aborted.
 */
SEEN_MUST_CHECK int seen_replay_check(struct seen_replay *rc,
    struct seen_txn *txn, const uint8_t sender[static 32],
    const uint8_t id[static 16], uint64_t time);

/**
 * seen_replay_open(rc, txn, buf, len, me, sender_ok, ctx, now, view):
 * seen_envelope_open() the envelope ${buf} (${len} bytes) and, if it
 * passes, make the sixth check: (sender, msg_id) is new to the replay
 * cache ${rc} (else SEEN_EREPLAY), and is then recorded in it inside the
 * write transaction ${txn}, in which the caller applies the envelope's
 * effects: the message counts as seen exactly when they commit.
 * Returns 0 and fills *${view} as seen_envelope_open() does (release it
 * with seen_envelope_release()); on error *${view} is empty and nothing
 * was written to ${txn}.  Codes: those of seen_envelope_open();
 * SEEN_EREPLAY; SEEN_EAGAIN when the cache is full (seen_replay_check);
 * SEEN_EFULL or SEEN_ERR from the store (after which ${txn} must be
 * aborted).
 */
SEEN_MUST_CHECK int seen_replay_open(struct seen_replay *rc,
    struct seen_txn *txn, const uint8_t *buf, size_t len,
    const uint8_t me[static 32], seen_envelope_sender_fn *sender_ok,
    void *ctx, uint64_t now, struct seen_envelope_view *view);

/**
 * seen_replay_prune(rc, txn, now):
 * Delete, inside the write transaction ${txn}, every record whose time is
 * older than ${now} - 2 * window (nothing when ${now} is smaller than
 * that).  Scans the whole database: call it every window or so, not per
 * message.
 * Returns 0; SEEN_ECORRUPT for a record that is not 8 bytes (logged);
 * SEEN_ENOMEM; SEEN_ERR.  After an error the transaction must be aborted.
 */
SEEN_MUST_CHECK int seen_replay_prune(struct seen_replay *rc,
    struct seen_txn *txn, uint64_t now);

#endif /* !SEEN_REPLAY_H */

/*
 * guard.h: what the holder checks before it takes a disclosure request,
 * what the requester names as its reason, and what both count (private
 * to node/disclosure/; docs/protocol.md §10, "The reason on record" and
 * "Limits").
 *
 * The limits are kept in memory, per requester, in fixed windows of an
 * hour (struct seen_disclosure_rate in disclosure.h): they cost nothing
 * at rest and start again with the daemon.  Every refusal is counted in
 * d->counts and said in the log the 1st, 2nd, 4th, 8th... time.
 */
#ifndef SEEN_DISCLOSURE_GUARD_H
#define SEEN_DISCLOSURE_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "seen.pb-c.h"

struct seen_disclosure;
struct seen_txn;

/**
 * dis_guard_said(n):
 * Whether the count ${n}, just incremented, is one to log (a power of
 * two: the 1st, 2nd, 4th... time).
 */
int dis_guard_said(uint64_t n);

/**
 * dis_guard_rate(d, from, now):
 * Whether the requester ${from} may have one more new request taken at
 * ${now}.  Returns 0; SEEN_EAGAIN when it has had SEEN_DISCLOSURE_PER_HOUR
 * in its hour (counted in rate_limited, logged per burst).
 */
int dis_guard_rate(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now);

/**
 * dis_guard_take(d, from, now, automatic):
 * Count a new request from ${from} as taken at ${now} (and, with
 * ${automatic}, shared by the agreement).
 */
void dis_guard_take(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now, int automatic);

/**
 * dis_guard_automatic(d, from, now):
 * Whether the agreement may share one more request of ${from} at once at
 * ${now}: 1, or 0 when it has had SEEN_DISCLOSURE_AUTO_PER_HOUR in its
 * hour (counted in automatic_held, logged per burst).
 */
int dis_guard_automatic(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now);

/**
 * dis_guard_queue(d, txn, from):
 * Whether one more request of ${from} may wait for the lead: fewer than
 * SEEN_DISCLOSURE_QUEUED_MAX of its requests, and fewer than
 * SEEN_DISCLOSURE_INBOX_MAX in all, wait.  Returns 0; SEEN_EAGAIN when
 * not (counted in queue_full, logged per burst); an error of the store.
 * Once full for ${from}, it says so without reading the store again until
 * a lead decides (dis_guard_room) or the requester's hour ends.
 */
int dis_guard_queue(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[32]);

/**
 * dis_guard_room(d):
 * A lead decided a request: the queues that were full may have room.
 */
void dis_guard_room(struct seen_disclosure *d);

/**
 * dis_guard_check(d, txn, st, from):
 * The holder's check of the reason on record of the new request ${st}
 * from ${from}, for its own live entry st->handle: st->matched is set
 * when this node's matcher links it to the requester's live entry
 * st->match.  Returns 0 when the request may go on (matched, or found by
 * a query named in st->query_leaf); SEEN_EPERM when it is to be REFUSED,
 * with *${why} the reason to give (static; counted in no_reason or
 * unmatched); SEEN_EAGAIN when this node has not matched the entries yet
 * (counted in not_matched_yet; nothing is stored, the requester asks
 * again); an error of the store.
 */
int dis_guard_check(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, const uint8_t from[32], const char **why);

/**
 * dis_guard_reason(d, txn, peer, handle, st):
 * The requester's reason for asking node ${peer} about its entry
 * ${handle}: st->match, one of this node's own live entries that its
 * matcher links to it, and st->query_leaf and st->query_seq, the newest
 * query of this node's exchange log (of its last SEEN_DISCLOSURE_QUERY_SCAN
 * leaves) that showed it.  The bytes set in ${st} point into ${buf} (48
 * bytes, the caller's).  Returns 0 when at least one was found;
 * SEEN_ENOTFOUND when neither; an error of the store.
 */
int dis_guard_reason(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t peer[32], const uint8_t handle[16],
    Seen__DisclosureState *st, uint8_t buf[static 48]);

/**
 * dis_guard_unsolicited(d, idh, who):
 * Count and log (per burst) an answer from ${who} to the request
 * ${idh} (hex) that this node never sent to it.
 */
void dis_guard_unsolicited(struct seen_disclosure *d, const char *idh,
    const char *who);

#endif /* !SEEN_DISCLOSURE_GUARD_H */

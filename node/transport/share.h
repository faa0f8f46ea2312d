/*
 * share.h: each authenticated peer's fair share of what the node receives.
 *
 * Within a window (a second by default) a peer may have delivered at most
 * `msgs` messages and `bytes` bytes, and cost at most `cpu` seconds of
 * the node's time to handle them (what the receive loop charges back);
 * the first message of a window is always admitted, so that one envelope
 * as large as the protocol allows still passes.  Beyond its share a
 * peer's messages are read and dropped, unverified, and counted against
 * it: one peer's flood costs the node a bounded amount a second, and the
 * others keep their share.  Nothing here sends, logs or keeps time: the
 * caller gives the monotonic time.
 */
#ifndef SEEN_SHARE_H
#define SEEN_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_SHARE_MSGS 2000          /* messages a peer a window */
#define SEEN_SHARE_BYTES (64u << 20)  /* bytes a peer a window */
#define SEEN_SHARE_CPU 0.5            /* seconds of handling a window */
#define SEEN_SHARE_WINDOW 1.0         /* seconds */
#define SEEN_SHARE_PEERS 4096         /* peers tracked; the rest share one */

struct seen_share;

/* A peer's budget for each window of `window` seconds. */
struct seen_share_budget {
    uint32_t msgs;
    uint64_t bytes;
    double cpu;
    double window;
};

/**
 * seen_share_new(b):
 * Return a new, empty table of shares with the budget ${b} (copied), or
 * NULL when out of memory.
 */
struct seen_share *seen_share_new(const struct seen_share_budget *b);

/**
 * seen_share_destroy(&s):
 * Free ${s}.  Sets the caller's pointer to NULL; NULL or a pointer to
 * NULL is a no-op, so it is safe twice.
 */
void seen_share_destroy(struct seen_share **pp);

/**
 * seen_share_set(s, b):
 * Use the budget ${b} (copied) from the next window on.
 */
void seen_share_set(struct seen_share *s, const struct seen_share_budget *b);

/**
 * seen_share_admit(s, pk, len, now):
 * Whether the peer ${pk} may deliver a message of ${len} bytes at
 * monotonic time ${now}: returns 1 and counts it against the peer's share,
 * or 0 when the peer is over its share (counted as dropped: see
 * seen_share_dropped()).
 */
int seen_share_admit(struct seen_share *s, const uint8_t pk[static 32],
    size_t len, double now);

/**
 * seen_share_charge(s, pk, seconds):
 * Count ${seconds} of the node's time, spent handling a message of peer
 * ${pk}, against its share.  An unknown peer is ignored.
 */
void seen_share_charge(
    struct seen_share *s, const uint8_t pk[static 32], double seconds);

/**
 * seen_share_dropped(s, pk):
 * Return the number of messages of peer ${pk} dropped so far (0 for a
 * peer never seen).
 */
uint64_t seen_share_dropped(const struct seen_share *s,
    const uint8_t pk[static 32]);

/**
 * seen_share_total(s):
 * Return the number of messages dropped so far, every peer together.
 */
uint64_t seen_share_total(const struct seen_share *s);

#endif /* !SEEN_SHARE_H */

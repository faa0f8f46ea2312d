/*
 * feed_entry.h: the checks a receiver makes on a decoded feed leaf.
 *
 * A node that receives another origin's FeedEntry leaves stores their
 * bytes as received (they are hashed into the origin's Merkle log), but
 * indexes and matches only leaves whose fields have the fixed sizes of
 * docs/protocol.md §1.
 */
#ifndef SEEN_FEED_ENTRY_H
#define SEEN_FEED_ENTRY_H

#include "common/seen.h"
#include "seen.pb-c.h"

/**
 * seen_feed_entry_check(fe):
 * Check that the decoded leaf ${fe} has a 32-byte origin and a body: for
 * an IndexEntry a 16-byte handle and group, tokens of at most
 * SEEN_TOKENS_MAX 17-byte items in strictly increasing byte order (so no
 * duplicates), and a 128-byte name Bloom filter; for a Retraction a
 * 16-byte handle.  Whether the origin is the feed's and the seq the
 * leaf's position is the replication's to check.
 * Returns 0, or SEEN_EINVAL (not logged: the caller counts refusals).
 */
SEEN_MUST_CHECK int seen_feed_entry_check(const Seen__FeedEntry *fe);

#endif /* !SEEN_FEED_ENTRY_H */

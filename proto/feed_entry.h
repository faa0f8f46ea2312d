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
 * SEEN_TOKENS_MAX 17-byte items (or short tokens of at most as many
 * SEEN_SHORT_ITEM-byte items, never both) in strictly increasing byte
 * order (so no duplicates), and a 128-byte name Bloom filter or none (an
 * OPRF epoch's entry: docs/protocol.md); for a
 * Retraction a 16-byte handle.  Whether the origin is the feed's and the seq the
 * leaf's position is the replication's to check.
 * Returns 0, or SEEN_EINVAL (not logged: the caller counts refusals).
 */
SEEN_MUST_CHECK int seen_feed_entry_check(const Seen__FeedEntry *fe);

/**
 * seen_index_entry_normalise(e, allocator):
 * Make the tokens of decoded entry ${e} what matching compares: with
 * short tokens, each expanded into ${e}'s tokens as a SEEN_TOKEN_ITEM
 * item whose bytes after the first SEEN_TOKEN_MATCH are zero (allocated
 * with ${allocator}, protobuf-c's default when NULL, so that
 * free_unpacked frees them); with whole tokens, those bytes zeroed in
 * place.  Either way e->short_tokens is left as it was, and e->tokens
 * is what a reader uses.  Returns 0, SEEN_EINVAL for items that are not
 * whole, SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_index_entry_normalise(Seen__IndexEntry *e,
    ProtobufCAllocator *allocator);

/**
 * seen_short_tokens(tokens, n, out):
 * Write the ${n} SEEN_TOKEN_ITEM-byte items ${tokens} as short items
 * (SEEN_SHORT_ITEM bytes each) to ${out}; returns the bytes written.
 */
size_t seen_short_tokens(const uint8_t *tokens, size_t n, uint8_t *out);

/**
 * seen_index_entry_content_key(e, out):
 * Write to ${out} a 16-byte BLAKE2b hash of entry ${e} as published
 * (packed) with its handle and group left out: two entries of the same
 * person of the same record, published under the same match key and
 * token length, have the same key (a restored node recognises, in a
 * record it imports again, the entries it took back from its peers:
 * docs/protocol.md, "Restored from a backup").
 * Returns 0 or SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_index_entry_content_key(
    const Seen__IndexEntry *e, uint8_t out[16]);

#endif /* !SEEN_FEED_ENTRY_H */

#include <stddef.h>
#include <string.h>

#include "match/tokens.h"
#include "proto/feed_entry.h"

/* 1 if ${b} holds exactly ${len} bytes. */
static int
sized(const ProtobufCBinaryData *b, size_t len)
{

    return b->len == len && b->data != NULL;
}

/* Check the fields of an IndexEntry. */
static int
entry_check(const Seen__IndexEntry *e)
{
    const uint8_t *t;
    size_t n, i;

    if (e == NULL || !sized(&e->handle, 16) || !sized(&e->group, 16) ||
        !sized(&e->name_bloom, SEEN_BLOOM_BYTES))
        return SEEN_EINVAL;
    if (e->tokens.len % SEEN_TOKEN_ITEM != 0)
        return SEEN_EINVAL;
    n = e->tokens.len / SEEN_TOKEN_ITEM;
    if (n > SEEN_TOKENS_MAX || (n > 0 && e->tokens.data == NULL))
        return SEEN_EINVAL;
    t = e->tokens.data;
    for (i = 1; i < n; i++) {
        if (memcmp(t + (i - 1) * SEEN_TOKEN_ITEM, t + i * SEEN_TOKEN_ITEM,
                SEEN_TOKEN_ITEM) >= 0)
            return SEEN_EINVAL;
    }
    return 0;
}

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
int
seen_feed_entry_check(const Seen__FeedEntry *fe)
{

    if (fe == NULL || !sized(&fe->origin, 32))
        return SEEN_EINVAL;
    switch (fe->body_case) {
    case SEEN__FEED_ENTRY__BODY_ENTRY:
        return entry_check(fe->entry);
    case SEEN__FEED_ENTRY__BODY_RETRACTION:
        if (fe->retraction == NULL || !sized(&fe->retraction->handle, 16))
            return SEEN_EINVAL;
        return 0;
    default:
        return SEEN_EINVAL;
    }
}

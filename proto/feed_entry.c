#include <stddef.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "match/tokens.h"
#include "proto/feed_entry.h"

/* 1 if ${b} holds exactly ${len} bytes. */
static int
sized(const ProtobufCBinaryData *b, size_t len)
{

    return b->len == len && b->data != NULL;
}

/* Whether the ${len} bytes ${t} are at most SEEN_TOKENS_MAX whole items
 * of ${item} bytes in strictly increasing order. */
static int
items_ok(const uint8_t *t, size_t len, size_t item)
{
    size_t n = len / item, i;

    if (len % item != 0 || n > SEEN_TOKENS_MAX || (n > 0 && t == NULL))
        return 0;
    for (i = 1; i < n; i++)
        if (memcmp(t + (i - 1) * item, t + i * item, item) >= 0)
            return 0;
    return 1;
}

/* Check the fields of an IndexEntry. */
static int
entry_check(const Seen__IndexEntry *e)
{

    /* The name filter: 128 bytes, or none (an OPRF epoch's entry). */
    if (e == NULL || !sized(&e->handle, 16) || !sized(&e->group, 16) ||
        (e->name_bloom.len != 0 && !sized(&e->name_bloom, SEEN_BLOOM_BYTES)))
        return SEEN_EINVAL;
    if (e->tokens.len > 0 && e->short_tokens.len > 0)
        return SEEN_EINVAL;
    if (!items_ok(e->tokens.data, e->tokens.len, SEEN_TOKEN_ITEM) ||
        !items_ok(e->short_tokens.data, e->short_tokens.len,
            SEEN_SHORT_ITEM))
        return SEEN_EINVAL;
    return 0;
}

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
int
seen_index_entry_normalise(Seen__IndexEntry *e, ProtobufCAllocator *allocator)
{
    size_t n, i;
    uint8_t *t;

    if (e->short_tokens.len == 0) {
        if (e->tokens.len % SEEN_TOKEN_ITEM != 0)
            return SEEN_EINVAL;
        for (i = 0; i < e->tokens.len; i += SEEN_TOKEN_ITEM)
            memset(e->tokens.data + i + 1 + SEEN_TOKEN_MATCH, 0,
                SEEN_TOKEN_ITEM - SEEN_SHORT_ITEM);
        return 0;
    }
    if (e->tokens.len > 0 || e->short_tokens.len % SEEN_SHORT_ITEM != 0)
        return SEEN_EINVAL;
    n = e->short_tokens.len / SEEN_SHORT_ITEM;
    t = allocator != NULL
            ? allocator->alloc(allocator->allocator_data, n * SEEN_TOKEN_ITEM)
            : malloc(n * SEEN_TOKEN_ITEM);
    if (t == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++) {
        memcpy(t + i * SEEN_TOKEN_ITEM, e->short_tokens.data + i * SEEN_SHORT_ITEM,
            SEEN_SHORT_ITEM);
        memset(t + i * SEEN_TOKEN_ITEM + SEEN_SHORT_ITEM, 0,
            SEEN_TOKEN_ITEM - SEEN_SHORT_ITEM);
    }
    e->tokens.data = t;
    e->tokens.len = n * SEEN_TOKEN_ITEM;
    return 0;
}

/**
 * seen_short_tokens(tokens, n, out):
 * Write the ${n} SEEN_TOKEN_ITEM-byte items ${tokens} as short items
 * (SEEN_SHORT_ITEM bytes each) to ${out}; returns the bytes written.
 */
size_t
seen_short_tokens(const uint8_t *tokens, size_t n, uint8_t *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        memcpy(out + i * SEEN_SHORT_ITEM, tokens + i * SEEN_TOKEN_ITEM,
            SEEN_SHORT_ITEM);
    return n * SEEN_SHORT_ITEM;
}

/**
 * seen_index_entry_content_key(e, out):
 * A hash of ${e} packed without its handle and group; see feed_entry.h.
 */
int
seen_index_entry_content_key(const Seen__IndexEntry *e, uint8_t out[16])
{
    Seen__IndexEntry c = *e;
    uint8_t *buf;
    size_t n;

    c.handle = (ProtobufCBinaryData){0, NULL};
    c.group = (ProtobufCBinaryData){0, NULL};
    n = seen__index_entry__get_packed_size(&c);
    if ((buf = malloc(n ? n : 1)) == NULL)
        return SEEN_ENOMEM;
    seen__index_entry__pack(&c, buf);
    crypto_generichash(out, 16, buf, n, NULL, 0);
    free(buf);
    return SEEN_OK;
}

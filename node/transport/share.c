/*
 * share.c: each authenticated peer's fair share of what the node receives
 * (share.h).  The table holds one row per peer seen, found by a linear
 * search: a federation has tens of members, and only members get past the
 * handshake.  Past SEEN_SHARE_PEERS rows, the rest share the last row.
 */
#include <stdlib.h>
#include <string.h>

#include "node/transport/share.h"

struct row {
    uint8_t pk[32];
    double start;     /* the current window began then */
    uint32_t msgs;    /* admitted in the window */
    uint64_t bytes;   /* admitted in the window */
    double cpu;       /* charged in the window */
    uint64_t dropped; /* since the start */
};

struct seen_share {
    struct seen_share_budget b;
    struct row *rows;
    size_t n, cap;
    uint64_t total;
};

/**
 * seen_share_new(b):
 * Return a new, empty table of shares with the budget ${b} (copied), or
 * NULL when out of memory.
 */
struct seen_share *
seen_share_new(const struct seen_share_budget *b)
{
    struct seen_share *s;

    if ((s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    s->b = *b;
    return s;
}

/**
 * seen_share_destroy(&s):
 * Free ${s}.  Sets the caller's pointer to NULL; NULL or a pointer to
 * NULL is a no-op, so it is safe twice.
 */
void
seen_share_destroy(struct seen_share **pp)
{
    struct seen_share *s;

    if (pp == NULL || (s = *pp) == NULL)
        return;
    *pp = NULL;
    free(s->rows);
    free(s);
}

/**
 * seen_share_set(s, b):
 * Use the budget ${b} (copied) from the next window on.
 */
void
seen_share_set(struct seen_share *s, const struct seen_share_budget *b)
{

    s->b = *b;
}

/* The row of ${pk}, or NULL. */
static struct row *
find(const struct seen_share *s, const uint8_t pk[32])
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (memcmp(s->rows[i].pk, pk, 32) == 0)
            return &s->rows[i];
    return NULL;
}

/* The row of ${pk}, added when new (the last row when the table is full);
 * NULL when out of memory. */
static struct row *
row_of(struct seen_share *s, const uint8_t pk[32])
{
    struct row *r;

    if ((r = find(s, pk)) != NULL)
        return r;
    if (s->n == SEEN_SHARE_PEERS)
        return &s->rows[s->n - 1];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;

        if ((r = realloc(s->rows, cap * sizeof *r)) == NULL)
            return NULL;
        s->rows = r;
        s->cap = cap;
    }
    r = &s->rows[s->n++];
    memset(r, 0, sizeof *r);
    memcpy(r->pk, pk, 32);
    r->start = -1e9;
    return r;
}

/**
 * seen_share_admit(s, pk, len, now):
 * Whether the peer ${pk} may deliver a message of ${len} bytes at
 * monotonic time ${now}: returns 1 and counts it against the peer's share,
 * or 0 when the peer is over its share (counted as dropped: see
 * seen_share_dropped()).
 */
int
seen_share_admit(
    struct seen_share *s, const uint8_t pk[static 32], size_t len, double now)
{
    struct row *r;

    if ((r = row_of(s, pk)) == NULL)
        return 1; /* out of memory: nothing to count against */
    if (now - r->start >= s->b.window) {
        r->start = now;
        r->msgs = 0;
        r->bytes = 0;
        r->cpu = 0;
    }
    if (r->msgs > 0 &&
        (r->msgs >= s->b.msgs || r->bytes + len > s->b.bytes ||
            r->cpu >= s->b.cpu)) {
        r->dropped++;
        s->total++;
        return 0;
    }
    r->msgs++;
    r->bytes += len;
    return 1;
}

/**
 * seen_share_charge(s, pk, seconds):
 * Count ${seconds} of the node's time, spent handling a message of peer
 * ${pk}, against its share.  An unknown peer is ignored.
 */
void
seen_share_charge(
    struct seen_share *s, const uint8_t pk[static 32], double seconds)
{
    struct row *r;

    if ((r = find(s, pk)) != NULL && seconds > 0)
        r->cpu += seconds;
}

/**
 * seen_share_dropped(s, pk):
 * Return the number of messages of peer ${pk} dropped so far (0 for a
 * peer never seen).
 */
uint64_t
seen_share_dropped(const struct seen_share *s, const uint8_t pk[static 32])
{
    const struct row *r = find(s, pk);

    return r != NULL ? r->dropped : 0;
}

/**
 * seen_share_total(s):
 * Return the number of messages dropped so far, every peer together.
 */
uint64_t
seen_share_total(const struct seen_share *s)
{

    return s->total;
}

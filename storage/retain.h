/*
 * retain.h: the held entries with an expiry (SEEN_DB_RETAIN), by day, so
 * that every node drops each one once its expiry passes, whatever its
 * origin does (docs/protocol.md, "Retention").  This file alone knows the
 * layout:
 *
 *     expiry(4) origin number(4) seq(8) -> handle(16)
 *
 * where expiry is the entry's IndexEntry.expiry (days since 1970-01-01
 * plus one), so that the keys sort by the day they fall due.  The
 * matcher puts a key for each entry with an expiry as it reaches it
 * (node/matching/matcher.c), and a store of format 3 gets one for every
 * live entry when it is migrated (storage/migrate.c).  A key may outlive
 * its entry (retracted, or replaced under its handle): the key's leaf is
 * then no longer the live one, and the key is only deleted when its day
 * comes.  The table is small (32 bytes an entry with an expiry) and not
 * [content]: the matcher must be able to go on when the store is full.
 */
#ifndef SEEN_RETAIN_H
#define SEEN_RETAIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_RETAIN_KEY_BYTES 16

struct seen_txn;

/**
 * seen_retain_passed(expiry, today):
 * 1 when an entry's expiry ${expiry} (IndexEntry.expiry: days since
 * 1970-01-01 plus one; 0 none) has passed by day ${today} (days since
 * 1970-01-01, seen_clock_day()): its retain_until was before ${today};
 * else 0.  The one rule every node applies (docs/protocol.md,
 * "Retention").
 */
static inline int
seen_retain_passed(uint32_t expiry, int32_t today)
{

    return expiry != 0 && today > 0 && expiry <= (uint32_t)today;
}

/* A key of SEEN_DB_RETAIN: an entry held, and the expiry it carries. */
struct seen_retain_item {
    uint32_t expiry; /* days since 1970-01-01 plus one, never 0 */
    uint32_t oidx;   /* its origin's number */
    uint64_t seq;    /* its leaf in that origin's feed */
    uint8_t handle[16];
};

/**
 * seen_retain_put(txn, it):
 * Record inside the write transaction ${txn} that entry ${it}->handle,
 * leaf ${it}->seq of origin ${it}->oidx, expires on day ${it}->expiry
 * (not 0).  Nothing is written when the key is there already.  Returns 0;
 * SEEN_EINVAL for expiry 0; SEEN_EFULL; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_retain_put(
    struct seen_txn *txn, const struct seen_retain_item *it);

/**
 * seen_retain_due(txn, today, max, out, n):
 * Write to *${out} (malloc'd, the caller frees it; NULL when none) the
 * first keys, at most ${max}, whose expiry is ${today} or before (days
 * since 1970-01-01: the entries whose expiry has passed), in the order
 * of their keys, and their number to *${n}.  Returns 0; SEEN_ECORRUPT
 * for a key or value of another size; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_retain_due(struct seen_txn *txn, int32_t today,
    size_t max, struct seen_retain_item **out, size_t *n);

/**
 * seen_retain_del(txn, it):
 * Delete the key of ${it} inside the write transaction ${txn}.  Returns
 * 0 (also when it was not there) or SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_retain_del(
    struct seen_txn *txn, const struct seen_retain_item *it);

/**
 * seen_retain_fill(txn, n):
 * Put a key for every live entry (SEEN_DB_ENTRIES) whose leaf carries an
 * expiry (a store of format 3: storage/migrate.c), adding their number
 * to *${n}; a leaf that does not decode is passed over (logged).
 * Returns 0, SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_retain_fill(struct seen_txn *txn, uint64_t *n);

#endif /* !SEEN_RETAIN_H */

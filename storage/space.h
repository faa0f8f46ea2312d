/*
 * space.h: how much room the store has, how its map grows, and what the
 * store's bounds refused.
 *
 * LMDB's map is address space, not disk: the data file grows with what
 * is written, up to the map.  The map starts at seen.conf's map_size_mb
 * and grows by itself, doubling, up to map_limit_mb, the limit: when a
 * write finds it full, and when less than a quarter of it is left as a
 * transaction begins.  LMDB can grow the map only while no transaction
 * is open in the process (mdb_env_set_mapsize), so the write that found
 * it full fails with SEEN_EFULL, its caller aborts, and the map grows as
 * the last transaction ends: the caller's next attempt finds room.
 *
 * The last sixteenth of the limit (at most 1 GiB) is the reserve.  The
 * content of the store (records, feeds and the index: the tables
 * store.h marks [content]) may fill the limit less the reserve.  A write
 * that finds the map full there fills the content when less than 1/32 of
 * that is left (with more left, it was one transaction too large for
 * what is left, such as a large import, and only it fails); from then
 * on, writes to those tables are refused with SEEN_EFULL (imports,
 * entries replicated from peers), while the exchange log, matching,
 * disclosures and the operators' actions may use the reserve: the node
 * goes on answering queries, which are logged, and serving its feeds,
 * whose envelopes are logged.  A full disk refuses writes the same way
 * (the transaction is not written, nothing committed is lost), and is
 * said once.  Growth, fullness and the disk are looked at only when a
 * transaction begins or ends, or when asked (status, alerts): a node at
 * rest does nothing here.
 */
#ifndef SEEN_SPACE_H
#define SEEN_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_store;
struct seen_txn;

/* The largest limit, in MiB (16 TiB, the most seen.conf accepts). */
#define SEEN_SPACE_LIMIT_MAX_MB ((size_t)1 << 24)

/* The reserve: the limit's last 1/SEEN_SPACE_RESERVE_DIV, at most
 * SEEN_SPACE_RESERVE_MAX bytes. */
#define SEEN_SPACE_RESERVE_DIV 16
#define SEEN_SPACE_RESERVE_MAX ((size_t)1 << 30)

/* The share of the room for content used at which the store is nearly
 * full, in percent. */
#define SEEN_SPACE_LOW_PERCENT 90

/* How the store stands. */
enum seen_space_state {
    SEEN_SPACE_OK = 0,   /* room */
    SEEN_SPACE_LOW = 1,  /* SEEN_SPACE_LOW_PERCENT of the room is used, or
                            a write found too little left for it */
    SEEN_SPACE_FULL = 2, /* content is refused: it reached the limit less
                            the reserve, or the disk is full */
};

/* What the store's bounds dropped (seen_space_drop). */
enum seen_space_drop {
    SEEN_SPACE_DROP_REPLAY = 0, /* envelopes refused: replay cache full
                                   (storage/replay.h) */
    SEEN_SPACE_DROP_EVIDENCE,   /* evidence beyond the bound per member
                                   (storage/alerts.h, xlog/state.h) */
    SEEN_SPACE_DROPS
};

/* The room of a store (seen_space_get).  Sizes in bytes. */
struct seen_space {
    uint64_t used;      /* pages in use: the file's pages less free ones */
    uint64_t file;      /* the data file's size */
    uint64_t map;       /* the map now */
    uint64_t limit;     /* the most the map may grow to */
    uint64_t reserve;   /* the limit's last part, kept for the log */
    uint64_t disk_free; /* free on the disk holding the store, to us */
    uint64_t left;      /* what content may still take (0 when full) */
    uint64_t log_left;  /* what the exchange log may still take */
    enum seen_space_state state;
    int content_full;   /* content reached the limit less the reserve */
    int tight;          /* a write found too little left there for it (the
                           store is then nearly full at least) */
    int disk_full;      /* a write failed for want of disk, and there is
                           still less than 1 MiB free */
    uint64_t grown;     /* times the map grew, since the store opened */
    uint64_t refused;   /* writes refused as full, since then */
    uint64_t dropped[SEEN_SPACE_DROPS]; /* by enum seen_space_drop */
    int64_t low_since;  /* Unix time it was first seen nearly full or
                           full since it opened (0: it was not) */
};

/**
 * seen_space_limit(store, limit_mb):
 * Let the map of ${store} grow up to ${limit_mb} MiB (at least its map
 * now, at most SEEN_SPACE_LIMIT_MAX_MB), keeping its last part as the
 * reserve; the map shrinks to the limit less the reserve if it is
 * larger.  Without it the limit of a store is its map at opening, with no
 * reserve.  No transaction may be open.  Returns 0; SEEN_EINVAL for a
 * limit out of range (logged).
 */
SEEN_MUST_CHECK int seen_space_limit(struct seen_store *store,
    size_t limit_mb);

/**
 * seen_space_get(txn, out):
 * Write the room of the store of ${txn} to *${out}, counting the free
 * pages seen by ${txn} (a walk of LMDB's free list) and asking the
 * system for the disk's free space.  Returns 0 or SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_space_get(struct seen_txn *txn,
    struct seen_space *out);

/**
 * seen_space_full(store):
 * Return 1 when ${store} refuses content now (its content reached the
 * limit less the reserve, or a write found its disk full and it still
 * is: then the disk is asked again), else 0: cheap, no transaction, for
 * a caller that would ask peers for entries it cannot keep.
 */
int seen_space_full(struct seen_store *store);

/**
 * seen_space_low(store):
 * Return 1 when ${store} is nearly full or full (SEEN_SPACE_LOW or
 * SEEN_SPACE_FULL as it was last found: after a write committed, or a
 * write found too little room), else 0: cheap, no transaction, for a
 * node that stops serving peers before it stops replicating itself.
 */
int seen_space_low(struct seen_store *store);

/**
 * seen_space_describe(sp, buf, len):
 * Write to ${buf} (${len} bytes) one sentence for an operator saying how
 * the store ${sp} stands and, when it is full or nearly, what to do: for
 * example "its content reached its limit of 64.0 GiB less 1.0 GiB kept
 * for the exchange log: imports and replication are refused, queries and
 * feeds are served; raise map_limit_mb in seen.conf and restart the
 * node".  Returns ${buf}.
 */
char *seen_space_describe(const struct seen_space *sp, char *buf,
    size_t len);

/**
 * seen_space_drop(txn, what):
 * Count one item that a bound of the store dropped or refused, in the
 * store of ${txn} (seen_space_get reports the counts).
 */
void seen_space_drop(struct seen_txn *txn, enum seen_space_drop what);

#endif /* !SEEN_SPACE_H */

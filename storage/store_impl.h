/*
 * store_impl.h: the inside of the store (store.h), shared by store.c (the
 * environment, transactions and tables), space.c (the map's growth, its
 * limit and reserve, the disk, and what the store's bounds refused) and
 * migrate.c (older store formats brought up to date on opening), and
 * backup.c (a compacted copy of the environment), and by no one else.  Functions here are prefixed store_ (seen_store_
 * and seen_space_ are the public API).
 */
#ifndef SEEN_STORE_IMPL_H
#define SEEN_STORE_IMPL_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "storage/mlog.h"
#include "storage/space.h"
#include "storage/store.h"

/* The map and what the store refused or dropped (space.c). */
struct store_space {
    size_t limit;     /* bytes the map may grow to */
    size_t reserve;   /* the last bytes of the limit: the log's alone */
    size_t map;       /* the map now */
    int txns;         /* top-level transactions open */
    int wrote;        /* the open write transaction put or deleted */
    int grow;         /* a write found the map full: grow when none is */
    int at_cap;       /* a write found it full at limit - reserve */
    int content_full; /* the content reached limit - reserve */
    int tight;        /* a write too large for what is left there */
    int disk_full;    /* a write failed for want of disk, none is free */
    int said;         /* the conditions logged already (space.c SAID_*) */
    uint64_t grown;   /* times the map grew */
    uint64_t refused; /* writes refused as full */
    uint64_t dropped[SEEN_SPACE_DROPS];
    time_t low_since; /* when the store was first found nearly full */
};

struct seen_store {
    MDB_env *env;
    MDB_dbi dbi[SEEN_DB_COUNT];
    char *dir;
    uint8_t *keys; /* sodium_malloc: record key(32), id key(32) */
    int keyless;   /* opened by seen_store_open_readonly: no sealed value */
    int settling;  /* inside store_index_settle: not again */
    struct store_space sp;
};

/* The writes held back for one database of defer.c's tables. */
struct defer_table;
struct defer {
    const struct defer_table *t;
    uint8_t *buf;
    size_t n, cap; /* items held; items (bytes for values of any size) */
    size_t used;   /* values of any size: bytes of buf held */
    size_t last;   /* values of any size: the bytes of the last held */
};

/* How many databases hold writes back (defer.c). */
#define STORE_DEFER_TABLES 6

/* The largest value of a table of values of any size that is held back
 * (defer.c); a larger one is written at once. */
#define DEFER_VALUE_MAX 4096

/*
 * The right edge of a Merkle log appended to in a transaction (mlog.c):
 * for a log of ${size} leaves, the hash of the perfect subtree of 2^level
 * leaves it ends with at each level whose bit is set in ${size}, so that
 * an append makes the hashes it completes without reading any (nor
 * hashing a leaf again).  Kept only for the transaction that made it.
 */
struct store_mlog_edge {
    int used;
    enum seen_db leaves;                  /* which log: its leaves... */
    uint8_t prefix[SEEN_MLOG_PREFIX_MAX]; /* ...and its prefix */
    size_t plen;
    uint64_t size;
    uint8_t hash[64][32];
};

/* How many logs' edges a transaction keeps (a feed and the exchange log,
 * as a round of replication appends to both). */
#define STORE_MLOG_EDGES 2

/* A block of seen_txn_scratch() memory, freed with its transaction. */
struct store_scratch {
    struct store_scratch *next;
    max_align_t data[];
};

struct seen_txn {
    struct seen_store *store;
    MDB_txn *txn;
    struct store_scratch *scratch; /* seen_txn_scratch()'s, owned */
    int top;   /* not nested */
    int write; /* a write transaction */
    struct defer defer[STORE_DEFER_TABLES];
    struct seen_store_reads reads;
    struct store_mlog_edge edge[STORE_MLOG_EDGES];
    unsigned int edge_next; /* the slot to use next */
};

/* ---- txn.c ---- */

/**
 * store_txn_new(store):
 * A new transaction of ${store} (no LMDB transaction yet), or NULL.
 */
struct seen_txn *store_txn_new(struct seen_store *store);

/**
 * store_txn_free(t):
 * Free ${t} and what it holds (not its LMDB transaction).
 */
void store_txn_free(struct seen_txn *t);

/* ---- store.c, migrate.c ---- */

/**
 * store_put_format(t):
 * Write SEEN_STORE_FORMAT to META in the write transaction ${t}.
 * Returns 0, SEEN_EFULL, SEEN_ERR.
 */
int store_put_format(struct seen_txn *t);

/**
 * store_migrate(s, from):
 * Bring the store ${s}, just opened, of format ${from} up to
 * SEEN_STORE_FORMAT (migrate.c).  Returns 0 or the store's code (logged).
 */
int store_migrate(struct seen_store *s, uint32_t from);

/**
 * store_fail(s, what, rc):
 * Log LMDB's ${rc} for ${what} (unless it is "not found", or a full map
 * or disk, which space.c says once) and return it as a SEEN code.
 */
int store_fail(struct seen_store *s, const char *what, int rc);

/**
 * store_cursor(txn, db, c):
 * Apply the writes ${txn} holds back for ${db}, open a cursor on ${db}
 * to *${c} (the caller closes it) and count the seek it is for.
 * Returns 0 or the store's code (logged).
 */
int store_cursor(struct seen_txn *txn, enum seen_db db, MDB_cursor **c);

/**
 * store_db_name(db):
 * The name of database ${db} in the LMDB file (static).
 */
const char *store_db_name(enum seen_db db);

/* ---- defer.c ---- */

/**
 * store_defer_init(t):
 * Start ${t} with no writes held back.
 */
void store_defer_init(struct seen_txn *t);

/**
 * store_defer_free(t):
 * Free the writes ${t} holds back (applied or not).
 */
void store_defer_free(struct seen_txn *t);

/**
 * store_defer_of(t, db):
 * The writes held back for ${db}, or NULL when it holds none back.
 */
struct defer *store_defer_of(struct seen_txn *t, enum seen_db db);

/**
 * store_defer_klen(d), store_defer_vlen(d):
 * The sizes of the keys and values ${d} holds back (others are written at
 * once).
 */
size_t store_defer_klen(const struct defer *d);
size_t store_defer_vlen(const struct defer *d);

/**
 * store_defer_hold(t, d, key, val):
 * Hold back the write of ${key} -> ${val} (of the sizes of ${d}'s table,
 * which holds values of one size), applying what ${d} holds first when
 * it is full.  Returns 0, SEEN_ENOMEM, or the store's code.
 */
int store_defer_hold(struct seen_txn *t, struct defer *d, const void *key,
    const void *val);

/**
 * store_defer_reserve(t, d, key, vlen, val):
 * Hold back the write of ${key} -> a value of ${vlen} bytes (at most
 * DEFER_VALUE_MAX) to the table of values of any size of ${d}, applying
 * what ${d} holds first when it is full: *${val} is where the caller
 * writes the value, before anything else is done to ${t}.  Returns 0,
 * SEEN_ENOMEM, or the store's code.
 */
int store_defer_reserve(struct seen_txn *t, struct defer *d, const void *key,
    size_t vlen, uint8_t **val);

/**
 * store_defer_unreserve(d):
 * Forget the write store_defer_reserve held back last in ${d} (its value
 * could not be made).
 */
void store_defer_unreserve(struct defer *d);

/**
 * store_defer_var(d):
 * Does ${d} hold values of any size (store_defer_reserve)?
 */
int store_defer_var(const struct defer *d);

/**
 * store_defer_flush(t, d):
 * Apply the writes ${d} holds back, in key order.  Returns 0,
 * SEEN_ENOMEM, or the store's code.
 */
int store_defer_flush(struct seen_txn *t, struct defer *d);

/**
 * store_defer_sync(t, db):
 * Apply what is held back for ${db} (for every database: SEEN_DB_COUNT)
 * before reading it.  Returns 0 or the store's code.
 */
int store_defer_sync(struct seen_txn *t, enum seen_db db);

/* ---- index.c ---- */

/**
 * store_entries_replaced(t, id, old):
 * The held-back write of live entry ${id} (SEEN_ENTRY_ID_BYTES) found it
 * live already, at position ${old} (SEEN_ENTRY_SEQ_BYTES): an origin
 * reused a handle, which seen_index_add_fresh did not look for.  Drop the
 * postings of the leaf it replaces (store_impl.h: called by the store as
 * it applies the writes, and touching neither SEEN_DB_ENTRIES nor
 * anything held back for it).  Returns 0 or the store's code.
 */
int store_entries_replaced(struct seen_txn *t, const uint8_t *id,
    const uint8_t *old);

/**
 * store_index_settle(s):
 * After a write transaction of ${s} committed: when a level of the token
 * index is over its cap, move a chunk of it into the next in a write
 * transaction of its own (seen_index_settle).  A failure is said (a full
 * store quietly: its writes are refused anyway) and leaves the index as
 * it was; the next commit tries again.
 */
void store_index_settle(struct seen_store *s);

/* ---- space.c ---- */

/**
 * store_space_init(s):
 * Start the map bookkeeping of the just opened ${s}: its limit is its map
 * (no growth, no reserve) until seen_space_limit() sets one.
 */
void store_space_init(struct seen_store *s);

/**
 * store_space_fail(s, rc):
 * Account for LMDB's ${rc}, an error of a write: a full map (growth is
 * asked for when the limit allows), a full disk (ENOSPC, or EIO with the
 * disk found full), each logged once until it clears and counted.
 * Returns SEEN_EFULL for those, or 0 when ${rc} is none of them (the
 * caller reports it).
 */
int store_space_fail(struct seen_store *s, int rc);

/**
 * store_space_refuse(t, db):
 * Return SEEN_EFULL (counted) when a write to ${db} in ${t} must be
 * refused because the content reached the limit less the reserve (the
 * content tables of store.h), else 0.
 */
int store_space_refuse(struct seen_txn *t, enum seen_db db);

/**
 * store_space_begin(s):
 * Before a top-level transaction begins: when none is open, grow the map
 * when asked to or when less than a quarter of it is left, and adopt a
 * map grown by another process.  Counts the transaction.
 */
void store_space_begin(struct seen_store *s);

/**
 * store_space_adopt(s):
 * When the only transaction being begun found the map grown by another
 * process (MDB_MAP_RESIZED), adopt its size.  Returns 0 to try again, or
 * -1.
 */
int store_space_adopt(struct seen_store *s);

/**
 * store_space_end(s, committed):
 * After a top-level transaction of ${s} ended (${committed}: a write
 * transaction that committed; one that wrote nothing is not looked at
 * further): when it was the last open, grow the map
 * if a write found it full, decide whether a write that found it full at
 * the limit less the reserve means the content is full, and say once
 * when the store becomes nearly full or full, or has room again.
 */
void store_space_end(struct seen_store *s, int committed);

#endif /* !SEEN_STORE_IMPL_H */

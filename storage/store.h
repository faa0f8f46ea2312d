/*
 * store.h: the node's LMDB environment.
 *
 * One environment per node (DIR/store/data.mdb) with the named databases
 * of DESIGN.md.  A seen_txn wraps one LMDB transaction; readers never
 * block the writer.  Record bodies and local handle maps are sealed with
 * XChaCha20-Poly1305 under the node's record key; keys that would
 * otherwise name a record are keyed hashes.  Memory returned as
 * "borrowed" points into the map and stays valid until the transaction
 * ends (or, in a write transaction, until the next write).
 */
#ifndef SEEN_STORE_H
#define SEEN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"
#include "common/seen.h"

/* On-disk format of the store; bumped on incompatible change.  A store of
 * an older format this build still reads (SEEN_STORE_FORMAT_OLDEST on) is
 * migrated when opened: format 1 kept one key per Merkle hash, format 2
 * keeps them by tile (storage/mlog.h); format 3 keys the token index by
 * the token's first 8 bytes and points it at leaves (storage/index.h),
 * where formats 1 and 2 kept the whole token and the entry id; format 4
 * keeps the held entries with an expiry by day (storage/retain.h), which
 * a store of format 3 has filled from its live entries; format 5 may keep
 * an ENTRIES leaf of the exchange log packed, its feed leaves by
 * reference (storage/mlog.h), and a store of format 4 needs no change;
 * format 6 keeps the token index in levels (storage/index.h); format 7
 * keeps its older levels in sorted blocks (storage/blocks.h), where
 * format 6 kept them as LMDB duplicates, one item a posting. */
#define SEEN_STORE_FORMAT 7
#define SEEN_STORE_FORMAT_OLDEST 1

/*
 * The named databases: key -> value of each, integers big-endian.  A
 * table whose layout one module owns names that module; "entry" is an
 * entry id, origin number(4) || handle(16) (storage/index.h).  The
 * tables marked [content] hold what grows with the records imported and
 * the entries replicated: once the store is full, writes to them are
 * refused while the others may use the reserve (storage/space.h).
 */
enum seen_db {
    SEEN_DB_META = 0,   /* "format" -> SEEN_STORE_FORMAT(4); "node" ->
                           node id(32); "check" -> the sealed key check;
                           "epoch" -> match-key epoch of our entries(4)
                           (node/matching/indexer.h); "rules" -> the
                           matching rules' version(4)
                           (node/matching/rules.c) */
    SEEN_DB_RECORDS,    /* [content] H(record id)(16) -> sealed record
                           body */
    SEEN_DB_RECMETA,    /* [content] H(record id)(16) -> RecordMeta */
    SEEN_DB_HANDLES,    /* [content] handle(16) -> sealed LocalHandle */
    SEEN_DB_ORIGINS,    /* origin pk(32) -> idx(4); idx(4) -> origin pk */
    SEEN_DB_FEEDS,      /* [content] idx(4) seq(8) -> FeedEntry bytes
                           (the leaf) */
    SEEN_DB_FHASH,      /* [content] idx(4) 0x80|level(1) tile(8) -> up
                           to 16 subtree hashes(32) of that level, the
                           first number tile * 16; level >= 1, a leaf's
                           hash is made from the leaf (storage/mlog.h) */
    SEEN_DB_FEEDMETA,   /* [content] idx(4) -> leaves in the feed(8)
                           (storage/feed.h) */
    SEEN_DB_ENTRIES,    /* [content] entry(20) -> seq(8): live entries
                           (storage/index.h) */
    SEEN_DB_INDEX,      /* [content] rule(1) token's first 8 bytes ->
                           origin number(3) seq(5), dupfixed: the token
                           index's oldest level before format 7 (empty
                           since: SEEN_DB_IBLOCK3; storage/index.h) */
    SEEN_DB_LINKS,      /* entry(20) -> entry(20) weight(8), dupfixed:
                           scored pairs, both ways (node/matching/links.c;
                           format 7, "linked") */
    SEEN_DB_PERSONS,    /* 'E' entry(20) -> label(20) group(16); 'M'
                           label(20) entry(20) -> "": who is one person
                           (node/matching/matcher.h) */
    SEEN_DB_XLOG,       /* index(8) -> leaf of the exchange log
                           (xlog/xlog.h) */
    SEEN_DB_XHASH,      /* 0x80|level(1) tile(8) -> subtree roots of
                           the exchange log, as FHASH (storage/mlog.h,
                           xlog/xlog.h) */
    SEEN_DB_CHECKPOINTS, /* idx(4) -> the latest Checkpoint held of the
                            feed (storage/feed.h) */
    SEEN_DB_PEERS,      /* not used by any module: every store made so far
                           has it, and the tests write to it freely */
    SEEN_DB_CURSORS,    /* "match" idx(4) -> next leaf of the feed to match
                           (node/matching/matcher.h) */
    SEEN_DB_MEMBERSHIP, /* "current", "authority": storage/members.h */
    SEEN_DB_OPERATORS,  /* name -> format(1) role(1) added(8):
                           storage/operators.h */
    SEEN_DB_ALERTS,     /* 'A' id(8) -> alert; "EQV:" ... -> evidence;
                           "N:open" -> open alerts: storage/alerts.h */
    SEEN_DB_EXPIRY,     /* [content] day(4, sign bit flipped) H(record
                           id)(16) -> "":
                           records by retain_until
                           (node/matching/indexer.h) */
    SEEN_DB_REPLAY,     /* sender(32) msg_id(16) -> time(8): seen envelopes
                           (storage/replay.h) */
    SEEN_DB_XSTATE,     /* exchange log state, beside xlog and xhash:
                           xlog/xlog.h */
    SEEN_DB_GROUPS,     /* group(16) -> entry(20), dupfixed ("grouped",
                           format 7): who shares a record
                           (node/matching/matcher.h) */
    SEEN_DB_DISCLOSURES, /* 'S'|'R' request id(16) -> sealed
                            DisclosureState; node/disclosure/disclosure.h */
    SEEN_DB_RETAIN,      /* expiry(4) origin number(4) seq(8) -> handle(16):
                            the held entries with an expiry, by day
                            (storage/retain.h; format 4) */
    SEEN_DB_INDEX0,      /* [content] as SEEN_DB_INDEX: the token index's
                            youngest level (storage/index.h; format 6) */
    SEEN_DB_INDEX1,      /* [content] as SEEN_DB_INDEX0: the next levels of
                            format 6, empty from format 7 on */
    SEEN_DB_INDEX2,
    SEEN_DB_IBLOCK1,     /* [content] rule(1) token(8) posting(8) of a
                            block's first -> the block's postings, each
                            as its key, sorted (storage/blocks.h): the
                            token index's levels 1, 2 and 3, the oldest
                            (storage/index.h; format 7) */
    SEEN_DB_IBLOCK2,
    SEEN_DB_IBLOCK3,
    SEEN_DB_LINKS6,      /* entry(20) entry(20) -> weight(8): the scored
                            pairs before format 7 ("links"), emptied into
                            SEEN_DB_LINKS by storage/migrate.c */
    SEEN_DB_GROUPS6,     /* group(16) entry(20) -> "": who shared a record
                            before format 7 ("groups"), emptied into
                            SEEN_DB_GROUPS by storage/migrate.c */
    SEEN_DB_COUNT
};

struct seen_store;
struct seen_txn;

/**
 * seen_store_open(dir, node_id, record_key, map_mb, create, out):
 * Open the store in directory ${dir}, which belongs to the node whose
 * Ed25519 public key is ${node_id}, with a map of ${map_mb} MiB.  With
 * ${create} a new store is made (${dir} must hold none); without it the
 * store must exist and be initialised, so that a data file truncated to
 * nothing or replaced is reported rather than silently started afresh.
 * ${record_key} must open the store's key check.
 * Returns 0 and a new store in *${out}; SEEN_ENOTFOUND when there is no
 * store and ${create} is 0; SEEN_EEXIST when ${create} and one exists;
 * SEEN_ECORRUPT when the file is not an LMDB file, is truncated, damaged
 * or empty; SEEN_EVERSION for another store format; SEEN_EWRONGNODE when
 * the store belongs to another node; SEEN_EAUTH when ${record_key} does
 * not open it; SEEN_EIO; SEEN_ENOMEM.  Each error is logged with the
 * path.  ${record_key} is copied into locked memory and wiped on close.
 */
SEEN_MUST_CHECK int seen_store_open(const char *dir, const uint8_t node_id[32],
    const uint8_t record_key[32], size_t map_mb, int create,
    struct seen_store **out);

/**
 * seen_store_open_readonly(dir, out):
 * Open the store in ${dir}, whose node is stopped, for reading only and
 * without any key: no sealed value can be read (seen_store_sealed_get()
 * returns SEEN_EPERM), nothing can be written.  For what needs no key:
 * the exchange log's audit export.
 * Returns 0 and a new store in *${out}; SEEN_ENOTFOUND when there is
 * none; SEEN_ECORRUPT; SEEN_EVERSION when its format is not this build's
 * (an older store is migrated only by opening it with its keys);
 * SEEN_EIO; SEEN_ENOMEM.  Each error is logged with the path.
 */
SEEN_MUST_CHECK int seen_store_open_readonly(
    const char *dir, struct seen_store **out);

/**
 * seen_store_destroy(&store):
 * Close ${store}; no transaction may be open.  Sets the caller's pointer to
 * NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void seen_store_destroy(struct seen_store **pp);

/**
 * seen_store_check(store):
 * Walk every database and every page it reaches, and check that each
 * sealed value opens.  Returns 0, or SEEN_ECORRUPT (logged with the
 * database's name).  Reads the whole file: for start-up checks and
 * `seen check`, not the hot path.
 */
SEEN_MUST_CHECK int seen_store_check(struct seen_store *store);

/**
 * seen_store_begin(store, write, out):
 * Begin a transaction (a write transaction when ${write}).  Only one write
 * transaction may be open at a time.  When no other transaction is open,
 * the map may grow first (storage/space.h).  Returns 0, SEEN_ECORRUPT,
 * SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_begin(struct seen_store *store, int write,
    struct seen_txn **out);

/**
 * seen_store_begin_nested(parent, out):
 * Begin a transaction nested in write transaction ${parent}: its writes
 * join the parent when it commits and vanish when it aborts, so that one
 * message of a batch can fail without undoing the others.  The parent
 * must not be used until the child ends.  Returns 0 or SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_begin_nested(struct seen_txn *parent,
    struct seen_txn **out);

/**
 * seen_txn_scratch(txn, n):
 * Return ${n} bytes of memory (aligned for any type) that ${txn} owns and
 * frees when it ends, committed or aborted: for a value made as it is
 * read (a packed leaf of a Merkle log, storage/mlog.h), borrowed as
 * LMDB's own values are.  NULL when out of memory.
 */
void *seen_txn_scratch(struct seen_txn *txn, size_t n);

/**
 * seen_store_commit(txn):
 * Commit and free ${txn}.  Returns 0; SEEN_EFULL when the map or the disk
 * is full (nothing was written; storage/space.h); SEEN_EIO.  ${txn} is
 * freed in every case.
 */
SEEN_MUST_CHECK int seen_store_commit(struct seen_txn *txn);

/**
 * seen_store_abort(txn):
 * Abandon and free ${txn}.  NULL is a no-op.
 */
void seen_store_abort(struct seen_txn *txn);

/**
 * seen_store_put(txn, db, key, klen, val, vlen):
 * Store ${val} under ${key} in ${db}, replacing (or, for SEEN_DB_INDEX,
 * adding a duplicate).  Returns 0; SEEN_EFULL when the map or the disk is
 * full, or ${db} is a [content] table and the store is full
 * (storage/space.h: the caller aborts ${txn}); SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_put(struct seen_txn *txn, enum seen_db db,
    const void *key, size_t klen, const void *val, size_t vlen);

/**
 * seen_store_get(txn, db, key, klen, val, vlen):
 * Look up ${key}; on success *${val} is borrowed.  Returns 0,
 * SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_store_get(struct seen_txn *txn, enum seen_db db,
    const void *key, size_t klen, const void **val, size_t *vlen);

/**
 * seen_store_clear(txn, db):
 * Delete every key of ${db} (a store of an older format rebuilds a table:
 * storage/migrate.c), with what was held back for it.  Returns 0,
 * SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_clear(struct seen_txn *txn, enum seen_db db);

/**
 * seen_store_del(txn, db, key, klen, val, vlen):
 * Delete ${key} (with ${val} == NULL: every value under it; otherwise the
 * one duplicate).  Returns 0, SEEN_ENOTFOUND, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_del(struct seen_txn *txn, enum seen_db db,
    const void *key, size_t klen, const void *val, size_t vlen);

/*
 * Iteration: call ${fn} for each key/value (borrowed) whose key starts
 * with ${prefix} (all keys when ${plen} is 0), in key order; for
 * SEEN_DB_INDEX each duplicate is one call.  ${fn} returns 0 to go on,
 * 1 to stop, negative to fail.
 */
typedef int seen_store_iter_fn(void *ctx, const void *key, size_t klen,
    const void *val, size_t vlen);

/**
 * seen_store_iter(txn, db, prefix, plen, fn, ctx):
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_store_iter(struct seen_txn *txn, enum seen_db db,
    const void *prefix, size_t plen, seen_store_iter_fn *fn, void *ctx);

/**
 * seen_store_dups_each(txn, db, key, klen, fn, ctx):
 * Call ${fn} for each value under ${key} in the DUPSORT database ${db},
 * in the order of the values' bytes (the young level of the token
 * index).  Returns 0 when done or stopped; ${fn}'s negative code;
 * SEEN_ECORRUPT; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_dups_each(struct seen_txn *txn,
    enum seen_db db, const void *key, size_t klen, seen_store_iter_fn *fn,
    void *ctx);

/**
 * seen_store_dup_get(txn, db, key, klen, vprefix, plen, val, vlen):
 * Look up the first value under ${key} of the DUPSORT database ${db}
 * that starts with the ${plen} bytes ${vprefix} (in the order of the
 * values' bytes); on success *${val} is borrowed, as seen_store_get's.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_dup_get(struct seen_txn *txn, enum seen_db db,
    const void *key, size_t klen, const void *vprefix, size_t plen,
    const void **val, size_t *vlen);

/**
 * seen_store_dups_take(txn, from, max, klen, vlen, recs, n):
 * Remove the first ${max} key/value pairs of the database ${from}
 * (DUPSORT or not: in key order, a key's values in theirs; ${from}
 * emptied whole when that is all of it),
 * whose keys must be ${klen} bytes and values ${vlen}, and write them to
 * *${recs}, each key followed by its value, in that order (a new array
 * the caller frees; NULL when none), and their number to *${n}.  Returns
 * 0, SEEN_EFULL, SEEN_ENOMEM, SEEN_ECORRUPT (a key or value of another
 * size), SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_dups_take(struct seen_txn *txn,
    enum seen_db from, uint64_t max, size_t klen, size_t vlen,
    uint8_t **recs, size_t *n);

/**
 * seen_store_iter_after(txn, db, after, alen, fn, ctx):
 * As seen_store_iter over the whole of ${db}, starting with the first key
 * strictly greater than ${after} (from the start when ${alen} is 0): for
 * paging through a database across transactions.
 */
SEEN_MUST_CHECK int seen_store_iter_after(struct seen_txn *txn,
    enum seen_db db, const void *after, size_t alen, seen_store_iter_fn *fn,
    void *ctx);

/**
 * seen_store_count(txn, db, out):
 * Write the number of items in ${db} to *${out}.  Returns 0 or SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_count(struct seen_txn *txn, enum seen_db db,
    uint64_t *out);

/**
 * seen_store_count_prefix(txn, db, prefix, plen, max, out):
 * Write to *${out} the number of keys of ${db} that start with the
 * ${plen} bytes ${prefix}, counting no further than ${max}.  Returns 0;
 * SEEN_ECORRUPT; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_count_prefix(struct seen_txn *txn,
    enum seen_db db, const void *prefix, size_t plen, uint64_t max,
    uint64_t *out);

/* The LMDB reads of one transaction (seen_store_reads). */
struct seen_store_reads {
    uint64_t gets;      /* lookups of one key (mdb_get) */
    uint64_t seeks;     /* cursors placed at a key or at the start */
    uint64_t steps;     /* cursor moves to the next item */
};

/**
 * seen_store_reads(txn, out):
 * Write to *${out} the LMDB reads ${txn} has made so far through this
 * file's functions: lookups, cursor seeks and cursor steps (a nested
 * transaction counts its own).  Counting costs one increment a read.
 */
void seen_store_reads(const struct seen_txn *txn,
    struct seen_store_reads *out);

/**
 * seen_store_sealed_put(txn, db, key, klen, ad, adlen, val, vlen):
 * As seen_store_put, sealing ${val} under the record key with ${ad} as
 * associated data.  Returns 0, SEEN_EFULL, SEEN_ENOMEM, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_sealed_put(struct seen_txn *txn,
    enum seen_db db, const void *key, size_t klen, const void *ad,
    size_t adlen, const void *val, size_t vlen);

/**
 * seen_store_sealed_get(txn, db, key, klen, ad, adlen, val, vlen):
 * Look up and open a value stored by seen_store_sealed_put.  On success
 * *${val} is a malloc'd buffer the caller frees (one spare NUL byte
 * follows the ${vlen} bytes).  Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT
 * when the value does not open (tampered, or another key), SEEN_ENOMEM;
 * SEEN_EPERM for a store opened without keys (seen_store_open_readonly).
 */
SEEN_MUST_CHECK int seen_store_sealed_get(struct seen_txn *txn,
    enum seen_db db, const void *key, size_t klen, const void *ad,
    size_t adlen, uint8_t **val, size_t *vlen);

/**
 * seen_store_id_key(store, id, len, out):
 * Write the 16-byte keyed hash under which record ${id} is stored, so
 * that no record id appears in the file.
 */
void seen_store_id_key(const struct seen_store *store, const char *id,
    size_t len, uint8_t out[static 16]);

/**
 * seen_store_origin(txn, pk, create, idx):
 * Map the feed origin ${pk} to its small local number in *${idx},
 * allocating the next one when ${create} (write transaction).  Returns 0,
 * SEEN_ENOTFOUND (absent and not created), SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_origin(struct seen_txn *txn,
    const uint8_t pk[static 32], int create, uint32_t *idx);

/**
 * seen_store_origin_pk(txn, idx, pk):
 * Write the origin public key numbered ${idx} to ${pk}.  Returns 0 or
 * SEEN_ENOTFOUND.
 */
SEEN_MUST_CHECK int seen_store_origin_pk(struct seen_txn *txn, uint32_t idx,
    uint8_t pk[static 32]);

/**
 * seen_store_node_id(txn, pk):
 * Write the Ed25519 key of the node the store belongs to (as made by
 * seen_store_open with create) to ${pk}.
 * Returns 0; SEEN_ECORRUPT when the store names none; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_node_id(struct seen_txn *txn,
    uint8_t pk[static 32]);

/**
 * seen_store_epoch(txn, epoch):
 * Write the match-key epoch the node's own entries were last made under
 * (see seen_store_set_epoch) to *${epoch}.
 * Returns 0; SEEN_ENOTFOUND when none was recorded; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_store_epoch(struct seen_txn *txn, uint32_t *epoch);

/**
 * seen_store_set_epoch(txn, epoch):
 * Record, inside the write transaction ${txn}, that the node's own entries
 * are made under the match-key epoch ${epoch}.
 * Returns 0; SEEN_EFULL; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_store_set_epoch(struct seen_txn *txn,
    uint32_t epoch);

/**
 * seen_store_path(store):
 * Return the store's directory (borrowed for the store's lifetime).
 */
const char *seen_store_path(const struct seen_store *store);

#endif /* !SEEN_STORE_H */

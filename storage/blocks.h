/*
 * blocks.h: a table of sorted fixed-width records packed in blocks
 * (store format 7): the older levels of the token index
 * (storage/index.h).
 *
 * A block table holds records of SEEN_BLOCK_REC bytes, each once, in the
 * order of their bytes.  They are packed in blocks of 1 to
 * SEEN_BLOCK_RECS records, a block stored under the key of its first
 * record, its value the records one after another:
 *
 *     first record(SEEN_BLOCK_REC) -> records(SEEN_BLOCK_REC each),
 *                                     sorted, 1 to SEEN_BLOCK_RECS
 *
 * so that a record costs its own bytes and a block's few of overhead,
 * where an LMDB item costs its key, its value and about 10 bytes more,
 * with its page's slack.  A full block is SEEN_BLOCK_BYTES, which LMDB
 * keeps in one overflow page of its own.  Blocks are written in key
 * order as records are merged in (seen_blocks_merge) and taken from the
 * front (seen_blocks_take), a range at a time, as the levels of a
 * log-structured index are; one record is found with a seek and a
 * binary search, and removed by rewriting its block.  The number of
 * records of each block table is kept in SEEN_DB_META under "count:" and
 * the table's name (8 bytes, big-endian), so that it is known without
 * reading the blocks.
 */
#ifndef SEEN_BLOCKS_H
#define SEEN_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "storage/store.h"

#define SEEN_BLOCK_REC 17   /* a record: rule(1) token(8) posting(8) */
#define SEEN_BLOCK_RECS 240 /* records a block holds at most... */
#define SEEN_BLOCK_BYTES (SEEN_BLOCK_REC * SEEN_BLOCK_RECS) /* 4,080: one
                               overflow page of 4 KiB less its header */

/*
 * seen_blocks_fn(ctx, rec): one record (SEEN_BLOCK_REC bytes, borrowed
 * for the call).  Return 0 to go on, 1 to stop, negative to fail.
 */
typedef int seen_blocks_fn(void *ctx, const uint8_t *rec);

/**
 * seen_blocks_find(txn, db, prefix, plen, fn, ctx):
 * Call ${fn} for each record of the block table ${db} that starts with
 * the ${plen} (at most SEEN_BLOCK_REC) bytes ${prefix}, in order.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_ECORRUPT
 * for a block that is not whole records or is not under its first
 * record (the order within a block is checked where blocks are
 * rewritten: merge and take); SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_find(struct seen_txn *txn, enum seen_db db,
    const uint8_t *prefix, size_t plen, seen_blocks_fn *fn, void *ctx);

/**
 * seen_blocks_merge(txn, db, recs, n):
 * Add the ${n} records ${recs} (SEEN_BLOCK_REC bytes each, in increasing
 * order) to the block table ${db} in write transaction ${txn}: the
 * blocks whose range they fall in are written again, full but for the
 * last, with the new records in order; a record held already is kept
 * once.  Returns 0; SEEN_EINVAL for records out of order; SEEN_EFULL;
 * SEEN_ENOMEM; SEEN_ECORRUPT; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_merge(struct seen_txn *txn, enum seen_db db,
    const uint8_t *recs, size_t n);

/**
 * seen_blocks_take(txn, db, max, recs, n):
 * Remove the first ${max} records (all when fewer) of the block table
 * ${db} in write transaction ${txn}, and write them to *${recs} (a new
 * array, in order, SEEN_BLOCK_REC bytes each, that the caller frees;
 * NULL when there were none) and their number to *${n}.  Returns 0,
 * SEEN_EFULL, SEEN_ENOMEM, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_take(struct seen_txn *txn, enum seen_db db,
    size_t max, uint8_t **recs, size_t *n);

/**
 * seen_blocks_del(txn, db, rec):
 * Remove record ${rec} (SEEN_BLOCK_REC bytes) from the block table ${db}
 * in write transaction ${txn}.  Returns 0, SEEN_ENOTFOUND when it does
 * not hold it, SEEN_EFULL, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_del(
    struct seen_txn *txn, enum seen_db db, const uint8_t *rec);

/**
 * seen_blocks_count(txn, db, n):
 * Write the number of records of the block table ${db} to *${n} (0 for
 * one never written).  Returns 0, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_count(
    struct seen_txn *txn, enum seen_db db, uint64_t *n);

/**
 * seen_blocks_clear(txn, db):
 * Remove every record of the block table ${db}.  Returns 0, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_blocks_clear(struct seen_txn *txn, enum seen_db db);

#endif

/*
 * index.h: the live index entries every node holds, and the token index
 * over them.
 *
 * An entry is named by its origin number and 16-byte handle (20 bytes,
 * "entry id").  SEEN_DB_ENTRIES maps a live entry id to the position of
 * its leaf in its origin's feed; SEEN_DB_INDEX maps each blocking token,
 * cut to its rule byte and first 8 bytes, to the postings of the live
 * entries that carry it: each the origin number (3 bytes) and the leaf's
 * position (5 bytes), big-endian, so that a candidate's leaf is read
 * without going through SEEN_DB_ENTRIES (store format 3; formats 1 and 2
 * kept the whole 17-byte token and the 20-byte entry id).
 *
 * The postings are exactly those of the live entries: an entry replaced,
 * retracted, or superseded by a leaf reusing its handle loses its
 * postings in the same transaction.  Two tokens that agree in their first
 * 8 bytes share a key; a candidate found so is scored on its whole tokens,
 * so the cut costs at most a comparison, never a wrong hit.
 *
 * The token index is log-structured (store format 6): new postings go to
 * a small young level (SEEN_DB_INDEX0, LMDB duplicates: a random put is
 * cheap there), and a level over its cap is moved in key order, a chunk
 * a transaction (seen_index_settle), into the next (SEEN_DB_IBLOCK1,
 * SEEN_DB_IBLOCK2, then SEEN_DB_IBLOCK3, the oldest, with no cap), so
 * that a round of replication or an import rewrites the pages of its own
 * postings rather than a page of the whole index for each
 * (bench_index_levels).  From store format 7 the levels after the first
 * are sorted blocks (storage/blocks.h): a posting costs its 17 bytes of
 * key and posting and a block's few bytes of overhead, where an LMDB
 * duplicate under a key of its own cost about 34 with its page's slack;
 * a chunk moved rewrites the next level's blocks of its range, which a
 * level SEEN_INDEX_LEVEL_RATIO times larger makes about that many times
 * the chunk.  The young level stays LMDB duplicates: in blocks, merged
 * at every commit, it wedged a nearly full store (docs/architecture.md,
 * "Format 7").  A look-up reads every level and gives their postings
 * merged in posting order; a removal finds the posting in whichever
 * level holds it.  A store of format 6 has its levels after the first
 * as LMDB duplicates (SEEN_DB_INDEX1, SEEN_DB_INDEX2 and SEEN_DB_INDEX),
 * and one of format 5 or before its whole index in SEEN_DB_INDEX: they
 * are moved into the levels of blocks, level for level, when it is opened
 * (seen_index_migrate_blocks).
 */
#ifndef SEEN_INDEX_H
#define SEEN_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "match/tokens.h"
#include "storage/store.h"

#define SEEN_ENTRY_ID_BYTES 20  /* SEEN_DB_ENTRIES key */
#define SEEN_HANDLE_BYTES 16
#define SEEN_ENTRY_SEQ_BYTES 8  /* SEEN_DB_ENTRIES value: the leaf's seq */
#define SEEN_INDEX_KEY_BYTES 9  /* SEEN_DB_INDEX key: rule(1) token(8) */
#define SEEN_POSTING_BYTES 8    /* SEEN_DB_INDEX value: oidx(3) seq(5) */
#define SEEN_POSTING_OIDX_MAX 0xffffffu      /* the largest in a posting */
#define SEEN_INDEX_LEVELS 4 /* SEEN_DB_INDEX0, SEEN_DB_IBLOCK1..3 */
#define SEEN_INDEX_LEVEL0_CAP (1u << 18) /* postings level 0 holds... */
#define SEEN_INDEX_LEVEL_RATIO 8 /* ...and each next level this many times
                                    the one before (the oldest: no cap) */
#define SEEN_INDEX_MOVE_MAX (1u << 18) /* postings one settle moves */
#define SEEN_POSTING_SEQ_MAX 0xffffffffffull

struct Seen__IndexEntry;
struct Seen__FeedEntry;
struct ProtobufCAllocator;

/**
 * seen_index_add(txn, oidx, seq, e):
 * Make entry ${e} of origin ${oidx}, whose leaf is at ${seq}, live:
 * record it and index its blocking tokens.  An entry already live under
 * that handle is removed first.  Returns 0, SEEN_EINVAL for an entry
 * without a 16-byte handle or with a token list that is not whole
 * items, or an origin number or position too large for a posting
 * (SEEN_POSTING_OIDX_MAX, SEEN_POSTING_SEQ_MAX), SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_index_add(struct seen_txn *txn, uint32_t oidx,
    uint64_t seq, const struct Seen__IndexEntry *e);

/**
 * seen_index_add_fresh(txn, oidx, seq, e):
 * As seen_index_add for an entry whose handle has not been seen before (one
 * just drawn at random, or the next leaf of a feed, whose origin must not
 * reuse handles): nothing is read, so that the writes of a large batch can
 * be held back and applied sorted.  Should an origin reuse a handle, the
 * first entry is replaced as by seen_index_add when the writes are
 * applied: its postings go (store_entries_replaced).
 */
SEEN_MUST_CHECK int seen_index_add_fresh(struct seen_txn *txn, uint32_t oidx,
    uint64_t seq, const struct Seen__IndexEntry *e);

/**
 * seen_index_remove(txn, oidx, handle):
 * Withdraw the live entry ${handle} of origin ${oidx} and its tokens.
 * Returns 0, SEEN_ENOTFOUND when it is not live, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_index_remove(struct seen_txn *txn, uint32_t oidx,
    const uint8_t handle[static 16]);

/**
 * seen_index_count(txn, n):
 * Write the number of postings of the token index, every level, to
 * *${n}.  Returns 0 or the store's code.
 */
SEEN_MUST_CHECK int seen_index_count(struct seen_txn *txn, uint64_t *n);

/**
 * seen_index_settle(txn, cap0, moved):
 * Move one chunk (at most SEEN_INDEX_MOVE_MAX postings, in key order) of
 * the youngest level of the token index that is over its cap (${cap0}
 * postings for level 0, SEEN_INDEX_LEVEL_RATIO times more for each next;
 * the callers pass SEEN_INDEX_LEVEL0_CAP) into the next level, and write
 * the postings moved to *${moved} (0: every level within its cap).  For a
 * transaction of its own after one that added many postings: what a look-
 * up finds does not change.  Returns 0, SEEN_EFULL, SEEN_ENOMEM,
 * SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_index_settle(
    struct seen_txn *txn, uint64_t cap0, uint64_t *moved);

/**
 * seen_index_seq(txn, oidx, handle, seq):
 * Write the feed position of live entry ${handle} of origin ${oidx} to
 * *${seq}.  Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_index_seq(struct seen_txn *txn, uint32_t oidx,
    const uint8_t handle[static 16], uint64_t *seq);

/*
 * seen_index_live_fn(ctx, id, seq): one live entry: its local id (origin
 * number, 4 bytes big-endian, then handle: SEEN_ENTRY_ID_BYTES) and its
 * feed position.  Return 0 to go on, 1 to stop, or a negative SEEN_E*
 * code to stop with it.
 */
typedef int seen_index_live_fn(void *ctx,
    const uint8_t id[static SEEN_ENTRY_ID_BYTES], uint64_t seq);

/**
 * seen_index_each_live(txn, fn, ctx):
 * Call ${fn} for every live entry, in the order of their local ids.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged record.
 */
SEEN_MUST_CHECK int seen_index_each_live(struct seen_txn *txn,
    seen_index_live_fn *fn, void *ctx);

/*
 * seen_index_entry_fn(ctx, id, seq, e): one live entry, as
 * seen_index_live_fn, with its leaf's IndexEntry ${e} (borrowed for the
 * call).  Return 0 to go on, 1 to stop, or a negative SEEN_E* code.
 */
typedef int seen_index_entry_fn(void *ctx,
    const uint8_t id[static SEEN_ENTRY_ID_BYTES], uint64_t seq,
    const struct Seen__IndexEntry *e);

/**
 * seen_index_each_entry(txn, what, fn, ctx):
 * Call ${fn} for every live entry, in the order of their local ids, with
 * its leaf decoded; a leaf that does not decode is passed over and said,
 * as one that "cannot be ${what}" (a store of an older format opens
 * without it).  Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a
 * damaged record; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_index_each_entry(
    struct seen_txn *txn, const char *what, seen_index_entry_fn *fn, void *ctx);

/**
 * seen_index_entry(txn, oidx, seq, fe):
 * Decode leaf ${seq} of origin ${oidx}, which must hold an IndexEntry,
 * into *${fe}; the caller frees it with seen__feed_entry__free_unpacked.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_index_entry(struct seen_txn *txn, uint32_t oidx,
    uint64_t seq, struct Seen__FeedEntry **fe);

/**
 * seen_index_entry_alloc(txn, oidx, seq, allocator, fe):
 * As seen_index_entry, decoding with ${allocator} (protobuf-c's default
 * when NULL): the caller frees *${fe} with
 * seen__feed_entry__free_unpacked(*${fe}, ${allocator}), or, with an
 * allocator whose free does nothing (an arena), by releasing the arena.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_index_entry_alloc(struct seen_txn *txn,
    uint32_t oidx, uint64_t seq, struct ProtobufCAllocator *allocator,
    struct Seen__FeedEntry **fe);

/*
 * seen_index_lookup's callback: a live entry, as its origin's number and
 * the position of its leaf in that origin's feed (seen_index_entry reads
 * it).  Return 0 to go on, 1 to stop, negative to fail.
 */
typedef int seen_index_fn(void *ctx, uint32_t oidx, uint64_t seq);

/**
 * seen_index_lookup(txn, token, fn, ctx):
 * Call ${fn} for each live entry carrying a token whose rule and first 8
 * bytes are those of ${token} (SEEN_TOKEN_ITEM bytes; a token that agrees
 * in them may still be another: score candidates on their tokens), in
 * the order of origin number and position.  Returns 0, ${fn}'s negative
 * code, SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_index_lookup(struct seen_txn *txn,
    const uint8_t token[static 17], seen_index_fn *fn, void *ctx);

/*
 * Candidates gathered from postings (seen_index_refs_add), each a leaf as
 * origin number << 40 | position; at most ${block_max} from one lookup
 * (0: no bound) when ${in_block} is set to 0 before it.  The caller frees
 * v.
 */
struct seen_index_refs {
    uint64_t *v;
    size_t n, cap;
    size_t in_block, block_max;
};

/* The origin number and position of candidate ${r} (seen_index_refs). */
static inline uint32_t
seen_index_ref_oidx(uint64_t r)
{

    return (uint32_t)(r >> 40);
}

static inline uint64_t
seen_index_ref_seq(uint64_t r)
{

    return r & SEEN_POSTING_SEQ_MAX;
}

/**
 * seen_index_refs_add(ctx, oidx, seq):
 * A seen_index_fn adding the posting to the struct seen_index_refs
 * ${ctx}.  Returns 0, 1 once the lookup gave block_max of them (stop),
 * SEEN_ENOMEM.
 */
int seen_index_refs_add(void *ctx, uint32_t oidx, uint64_t seq);

/**
 * seen_index_refs_sort(r):
 * Sort the candidates of ${r} and drop repeated ones.
 */
void seen_index_refs_sort(struct seen_index_refs *r);

/**
 * seen_index_rebuild(txn, postings):
 * Empty every level of the token index (those of format 6 too) and index
 * again every live entry of SEEN_DB_ENTRIES from its leaf (a store of an
 * older format, storage/migrate.c), into the oldest level; the postings
 * written are added to *${postings}.  Returns 0, SEEN_ECORRUPT,
 * SEEN_EFULL, SEEN_ENOMEM, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_index_rebuild(struct seen_txn *txn,
    uint64_t *postings);

/**
 * seen_index_migrate_blocks(txn, max, moved):
 * Move up to ${max} postings of those a store of format 6 or before keeps
 * as LMDB duplicates after its first level into format 7's blocks, level
 * for level (SEEN_DB_INDEX1 into SEEN_DB_IBLOCK1, SEEN_DB_INDEX2 into
 * SEEN_DB_IBLOCK2, SEEN_DB_INDEX into SEEN_DB_IBLOCK3), in write
 * transaction ${txn}, and write their number to *${moved}: 0 once none
 * is left.  Called in transactions of their own until then, so that the
 * pages each frees serve the next (storage/migrate.c).  Returns 0,
 * SEEN_EFULL, SEEN_ENOMEM, SEEN_ECORRUPT, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_index_migrate_blocks(
    struct seen_txn *txn, size_t max, uint64_t *moved);

#endif /* !SEEN_INDEX_H */

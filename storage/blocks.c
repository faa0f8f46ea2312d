/*
 * blocks.c: a table of sorted fixed-width records packed in blocks
 * (blocks.h).
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "storage/blocks.h"
#include "storage/store_impl.h"

#define REC SEEN_BLOCK_REC
#define COUNT_KEY_MAX 64

/* Compare two records: memcmp's order, without its call (a merge makes
 * several a record). */
static inline int
rec_cmp(const uint8_t *a, const uint8_t *b)
{
    uint64_t x = seen_rd64(a), y = seen_rd64(b);

    if (x == y) {
        x = seen_rd64(a + 8);
        y = seen_rd64(b + 8);
    }
    if (x != y)
        return x < y ? -1 : 1;
    return (int)a[16] - (int)b[16];
}
_Static_assert(REC == 17, "rec_cmp compares 17 bytes");

/* A block as read: its records, borrowed from the map. */
struct blk {
    const uint8_t *p;
    size_t n;
};

/* Say that ${db} holds a damaged block; SEEN_ECORRUPT. */
static int
damaged(struct seen_txn *txn, enum seen_db db)
{

    seen_error("store '%s': table %s holds a damaged block of the token "
               "index; restore the store from a backup",
        seen_store_path(txn->store), store_db_name(db));
    return SEEN_ECORRUPT;
}

/* The item ${k}, ${v} of ${db} as a block to *${b}: whole records, at
 * most a block's, under the first.  Returns 0 or SEEN_ECORRUPT. */
static int
blk_of(struct seen_txn *txn, enum seen_db db, const MDB_val *k,
    const MDB_val *v, struct blk *b)
{

    if (k->mv_size != REC || v->mv_size == 0 || v->mv_size % REC != 0 ||
        v->mv_size > SEEN_BLOCK_BYTES ||
        memcmp(k->mv_data, v->mv_data, REC) != 0)
        return damaged(txn, db);
    b->p = v->mv_data;
    b->n = v->mv_size / REC;
    return SEEN_OK;
}

/* Open a cursor on ${db} to *${c}.  Returns 0 or the store's code. */
static int
cursor(struct seen_txn *txn, enum seen_db db, MDB_cursor **c)
{
    int r;

    if ((r = mdb_cursor_open(txn->txn, txn->store->dbi[db], c)) != 0)
        return store_fail(txn->store, store_db_name(db), r);
    return SEEN_OK;
}

/* Place ${c} on the block of ${db} that would hold ${rec}: the last
 * whose key is not above it, else the first; the item to ${k}, ${v}.
 * Returns 0, SEEN_ENOTFOUND for an empty table, or the store's code. */
static int
seek(struct seen_txn *txn, enum seen_db db, MDB_cursor *c, const uint8_t *rec,
    MDB_val *k, MDB_val *v)
{
    int r;

    *k = (MDB_val){REC, (void *)rec};
    txn->reads.seeks++;
    r = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
    if (r == MDB_NOTFOUND)
        r = mdb_cursor_get(c, k, v, MDB_LAST);
    else if (r == 0 && (k->mv_size != REC || memcmp(k->mv_data, rec, REC))) {
        txn->reads.steps++;
        if ((r = mdb_cursor_get(c, k, v, MDB_PREV)) == MDB_NOTFOUND)
            r = mdb_cursor_get(c, k, v, MDB_FIRST);
    }
    if (r == MDB_NOTFOUND)
        return SEEN_ENOTFOUND;
    return r != 0 ? store_fail(txn->store, store_db_name(db), r) : SEEN_OK;
}

/* The first record of ${b} whose first ${len} bytes are not below
 * ${x}'s (b->n when none). */
static size_t
lower(const struct blk *b, const uint8_t *x, size_t len)
{
    size_t lo = 0, hi = b->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (memcmp(b->p + mid * REC, x, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* META's key for the count of ${db} to ${key}; its length. */
static size_t
count_key(enum seen_db db, char key[COUNT_KEY_MAX])
{
    int n = snprintf(key, COUNT_KEY_MAX, "count:%s", store_db_name(db));

    return n > 0 && n < COUNT_KEY_MAX ? (size_t)n : COUNT_KEY_MAX - 1;
}

/**
 * seen_blocks_count(txn, db, n):
 * Write the number of records of the block table ${db} to *${n}.
 * Returns 0, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_blocks_count(struct seen_txn *txn, enum seen_db db, uint64_t *n)
{
    char key[COUNT_KEY_MAX];
    const void *v;
    size_t klen = count_key(db, key), vlen;
    int rc;

    *n = 0;
    rc = seen_store_get(txn, SEEN_DB_META, key, klen, &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc == 0 && vlen != 8)
        rc = SEEN_ECORRUPT;
    if (rc == 0)
        *n = seen_rd64(v);
    return rc;
}

/* Add ${delta} to the count of ${db}.  Returns 0 or the store's code. */
static int
count_add(struct seen_txn *txn, enum seen_db db, int64_t delta)
{
    char key[COUNT_KEY_MAX];
    uint8_t v[8];
    uint64_t n;
    int rc;

    if (delta == 0)
        return SEEN_OK;
    if ((rc = seen_blocks_count(txn, db, &n)) != 0)
        return rc;
    if (delta < 0 && (uint64_t)-delta > n)
        return damaged(txn, db);
    seen_be64(v, n + (uint64_t)delta);
    return seen_store_put(txn, SEEN_DB_META, key, count_key(db, key), v, 8);
}

/* Write the ${n} records at ${recs} as one block of ${db}. */
static int
put_block(struct seen_txn *txn, enum seen_db db, const uint8_t *recs, size_t n)
{

    return seen_store_put(txn, db, recs, REC, recs, n * REC);
}

/**
 * seen_blocks_find(txn, db, prefix, plen, fn, ctx):
 * Call ${fn} for each record of ${db} that starts with ${prefix}, in
 * order.  Returns 0, ${fn}'s negative code, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_blocks_find(struct seen_txn *txn, enum seen_db db, const uint8_t *prefix,
    size_t plen, seen_blocks_fn *fn, void *ctx)
{
    uint8_t at[REC] = {0};
    MDB_cursor *c;
    MDB_val k, v;
    struct blk b;
    size_t i;
    int rc, r;

    if (plen > REC)
        return SEEN_EINVAL;
    memcpy(at, prefix, plen);
    if ((rc = cursor(txn, db, &c)) != 0)
        return rc;
    if ((rc = seek(txn, db, c, at, &k, &v)) != 0 ||
        (rc = blk_of(txn, db, &k, &v, &b)) != 0)
        goto out;
    for (i = lower(&b, prefix, plen);; i = 0) {
        for (; i < b.n; i++) {
            if (memcmp(b.p + i * REC, prefix, plen) != 0)
                goto out; /* past the prefix (before it: not after lower) */
            if ((r = fn(ctx, b.p + i * REC)) != 0) {
                rc = r > 0 ? SEEN_OK : r;
                goto out;
            }
        }
        txn->reads.steps++;
        if ((r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) != 0) {
            rc = r == MDB_NOTFOUND ? SEEN_OK
                                   : store_fail(txn->store, store_db_name(db), r);
            goto out;
        }
        if ((rc = blk_of(txn, db, &k, &v, &b)) != 0 ||
            memcmp(b.p, prefix, plen) != 0)
            goto out;
    }
out:
    mdb_cursor_close(c);
    return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
}

/* The output of a merge: records in order, written a block at a time. */
struct out {
    struct seen_txn *txn;
    enum seen_db db;
    uint8_t buf[SEEN_BLOCK_BYTES];
    size_t n;       /* records in buf */
    uint64_t total; /* records written */
};

/* Append ${rec}, which must follow the last appended (SEEN_ECORRUPT if
 * it does not), writing a full block out. */
static int
out_add(struct out *o, const uint8_t *rec)
{
    int rc;

    if (o->n > 0 && rec_cmp(o->buf + (o->n - 1) * REC, rec) >= 0)
        return damaged(o->txn, o->db);
    memcpy(o->buf + o->n * REC, rec, REC);
    o->total++;
    if (++o->n < SEEN_BLOCK_RECS)
        return SEEN_OK;
    rc = put_block(o->txn, o->db, o->buf, o->n);
    o->n = 0;
    return rc;
}

/* Merge the ${nold} records ${old} with those of ${recs} from *${i} on
 * (of ${n}) that are below ${next} (all, when ${next} is NULL) into
 * ${o}; a record in both goes once.  Returns 0 or the store's code. */
static int
merge_into(struct out *o, const uint8_t *old, size_t nold,
    const uint8_t *recs, size_t n, size_t *i, const uint8_t *next)
{
    size_t a = 0;
    int cmp, more, rc = SEEN_OK;

    for (;;) {
        more = *i < n && (next == NULL || rec_cmp(recs + *i * REC, next) < 0);
        if (a < nold && more) {
            cmp = rec_cmp(old + a * REC, recs + *i * REC);
            if (cmp <= 0)
                rc = out_add(o, old + a++ * REC);
            else
                rc = out_add(o, recs + (*i)++ * REC);
            *i += cmp == 0;
        } else if (a < nold)
            rc = out_add(o, old + a++ * REC);
        else if (more)
            rc = out_add(o, recs + (*i)++ * REC);
        else
            return SEEN_OK;
        if (rc != 0)
            return rc;
    }
}

/**
 * seen_blocks_merge(txn, db, recs, n):
 * Add the ${n} sorted records ${recs} to ${db}, writing again the
 * blocks of their range.  Returns 0, SEEN_EINVAL, SEEN_EFULL,
 * SEEN_ENOMEM, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_blocks_merge(
    struct seen_txn *txn, enum seen_db db, const uint8_t *recs, size_t n)
{
    uint8_t old[SEEN_BLOCK_BYTES], next[REC];
    struct out *o;
    MDB_cursor *c;
    MDB_val k, v;
    struct blk b;
    size_t i, nold;
    uint64_t gone = 0;
    int rc, r, have, have_next;

    for (i = 1; i < n; i++)
        if (rec_cmp(recs + (i - 1) * REC, recs + i * REC) >= 0)
            return SEEN_EINVAL;
    if (n == 0)
        return SEEN_OK;
    if ((o = calloc(1, sizeof *o)) == NULL)
        return SEEN_ENOMEM;
    o->txn = txn;
    o->db = db;
    if ((rc = cursor(txn, db, &c)) != 0) {
        free(o);
        return rc;
    }
    rc = seek(txn, db, c, recs, &k, &v);
    have = rc == 0;
    rc = rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
    for (i = 0; rc == 0;) {
        nold = 0;
        have_next = 0;
        if (have) {
            /* This block's records join the merge: copied, the next
             * block's key noted, then the block deleted. */
            if ((rc = blk_of(txn, db, &k, &v, &b)) != 0)
                break;
            nold = b.n;
            memcpy(old, b.p, nold * REC);
            txn->reads.steps++;
            r = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            if (r == 0 && k.mv_size == REC) {
                memcpy(next, k.mv_data, REC);
                have_next = 1;
            } else if (r != MDB_NOTFOUND) {
                rc = r == 0 ? damaged(txn, db)
                            : store_fail(txn->store, store_db_name(db), r);
                break;
            }
            if ((rc = seen_store_del(txn, db, old, REC, NULL, 0)) != 0)
                break;
            gone += nold;
        }
        if ((rc = merge_into(o, old, nold, recs, n,
                 &i, have_next ? next : NULL)) != 0 ||
            !have_next || i == n)
            break;
        /* On to the next block, found again after the writes. */
        k = (MDB_val){REC, next};
        txn->reads.seeks++;
        if ((r = mdb_cursor_get(c, &k, &v, MDB_SET_KEY)) != 0)
            rc = r == MDB_NOTFOUND ? damaged(txn, db)
                                   : store_fail(txn->store, store_db_name(db), r);
    }
    mdb_cursor_close(c);
    if (rc == 0 && o->n > 0)
        rc = put_block(txn, db, o->buf, o->n);
    if (rc == 0)
        rc = count_add(txn, db, (int64_t)o->total - (int64_t)gone);
    free(o);
    return rc;
}

/**
 * seen_blocks_take(txn, db, max, recs, n):
 * Remove the first ${max} records of ${db}; them, in a new array, to
 * *${recs}, their number to *${n}.  Returns 0 or the store's code.
 */
int
seen_blocks_take(struct seen_txn *txn, enum seen_db db, size_t max,
    uint8_t **recs, size_t *n)
{
    uint8_t rest[SEEN_BLOCK_BYTES], key[REC], *p, *v8 = NULL;
    MDB_cursor *c;
    MDB_val k, v;
    struct blk b;
    size_t got = 0, cap = 0, want, j;
    int rc = SEEN_OK, r;

    *recs = NULL;
    *n = 0;
    while (rc == 0 && got < max) {
        if ((rc = cursor(txn, db, &c)) != 0)
            break;
        txn->reads.seeks++;
        r = mdb_cursor_get(c, &k, &v, MDB_FIRST);
        if (r != 0) {
            mdb_cursor_close(c);
            rc = r == MDB_NOTFOUND ? SEEN_OK
                                   : store_fail(txn->store, store_db_name(db), r);
            break;
        }
        if ((rc = blk_of(txn, db, &k, &v, &b)) != 0) {
            mdb_cursor_close(c);
            break;
        }
        want = b.n < max - got ? b.n : max - got;
        if (got + want > cap) {
            cap = cap ? 2 * cap : 16 * SEEN_BLOCK_RECS;
            while (cap < got + want)
                cap *= 2;
            if ((p = realloc(v8, cap * REC)) == NULL) {
                mdb_cursor_close(c);
                rc = SEEN_ENOMEM;
                break;
            }
            v8 = p;
        }
        memcpy(key, b.p, REC);
        memcpy(v8 + got * REC, b.p, want * REC);
        memcpy(rest, b.p + want * REC, (b.n - want) * REC);
        j = b.n - want;
        mdb_cursor_close(c);
        for (; want > 0 && rc == 0; want--, got++)
            if (got > 0 && rec_cmp(v8 + (got - 1) * REC, v8 + got * REC) >= 0)
                rc = damaged(txn, db);
        /* The block goes; what is left of it comes back under its first. */
        if (rc == 0)
            rc = seen_store_del(txn, db, key, REC, NULL, 0);
        if (rc == 0 && j > 0)
            rc = put_block(txn, db, rest, j);
    }
    if (rc == 0)
        rc = count_add(txn, db, -(int64_t)got);
    if (rc != 0) {
        free(v8);
        return rc;
    }
    *recs = v8;
    *n = got;
    return SEEN_OK;
}

/**
 * seen_blocks_del(txn, db, rec):
 * Remove record ${rec} from ${db}.  Returns 0, SEEN_ENOTFOUND, or the
 * store's code.
 */
int
seen_blocks_del(struct seen_txn *txn, enum seen_db db, const uint8_t *rec)
{
    uint8_t rest[SEEN_BLOCK_BYTES], key[REC];
    MDB_cursor *c;
    MDB_val k, v;
    struct blk b;
    size_t i;
    int rc;

    if ((rc = cursor(txn, db, &c)) != 0)
        return rc;
    if ((rc = seek(txn, db, c, rec, &k, &v)) == 0 &&
        (rc = blk_of(txn, db, &k, &v, &b)) == 0) {
        i = lower(&b, rec, REC);
        if (i == b.n || memcmp(b.p + i * REC, rec, REC) != 0)
            rc = SEEN_ENOTFOUND;
        else {
            memcpy(key, b.p, REC);
            memcpy(rest, b.p, i * REC);
            memcpy(rest + i * REC, b.p + (i + 1) * REC, (b.n - i - 1) * REC);
        }
    }
    mdb_cursor_close(c);
    if (rc != 0)
        return rc;
    if ((rc = seen_store_del(txn, db, key, REC, NULL, 0)) != 0 ||
        (b.n > 1 && (rc = put_block(txn, db, rest, b.n - 1)) != 0))
        return rc;
    return count_add(txn, db, -1);
}

/**
 * seen_blocks_clear(txn, db):
 * Remove every record of ${db}.  Returns 0, SEEN_ERR.
 */
int
seen_blocks_clear(struct seen_txn *txn, enum seen_db db)
{
    char key[COUNT_KEY_MAX];
    int rc;

    if ((rc = seen_store_clear(txn, db)) != 0)
        return rc;
    rc = seen_store_del(txn, SEEN_DB_META, key, count_key(db, key), NULL, 0);
    return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
}

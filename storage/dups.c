/*
 * dups.c: the DUPSORT tables read and moved as a whole: the levels of
 * the token index (storage/index.h) looked up as one, and a level's
 * first postings taken out to go into the next.
 */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store.h"
#include "storage/store_impl.h"

/**
 * seen_store_dups_merged(txn, dbs, n, key, klen, fn, ctx):
 * Call ${fn} for each value under ${key} in the ${n} DUPSORT databases
 * ${dbs}, in the order of the values' bytes, as if they were one.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_EINVAL;
 * SEEN_ECORRUPT; SEEN_ERR.
 */
int
seen_store_dups_merged(struct seen_txn *txn, const enum seen_db *dbs,
    size_t n, const void *key, size_t klen, seen_store_iter_fn *fn, void *ctx)
{
    MDB_cursor *c[SEEN_STORE_MERGE_MAX] = {NULL};
    MDB_val k[SEEN_STORE_MERGE_MAX], v[SEEN_STORE_MERGE_MAX];
    int live[SEEN_STORE_MERGE_MAX] = {0}, rc = SEEN_OK, r;
    size_t i, best, len;

    if (n > SEEN_STORE_MERGE_MAX)
        return SEEN_EINVAL;
    for (i = 0; i < n; i++) {
        if ((rc = store_defer_sync(txn, dbs[i])) != 0)
            goto out;
        if ((r = mdb_cursor_open(txn->txn, txn->store->dbi[dbs[i]], &c[i]))) {
            rc = store_fail(txn->store, store_db_name(dbs[i]), r);
            goto out;
        }
        txn->reads.seeks++;
        k[i] = (MDB_val){klen, (void *)key};
        r = mdb_cursor_get(c[i], &k[i], &v[i], MDB_SET);
        if (r != 0 && r != MDB_NOTFOUND) {
            rc = store_fail(txn->store, store_db_name(dbs[i]), r);
            goto out;
        }
        live[i] = r == 0;
    }
    for (;;) {
        best = n;
        for (i = 0; i < n; i++) {
            if (!live[i])
                continue;
            if (best == n) {
                best = i;
                continue;
            }
            len = v[i].mv_size < v[best].mv_size ? v[i].mv_size
                                                 : v[best].mv_size;
            r = memcmp(v[i].mv_data, v[best].mv_data, len);
            if (r < 0 || (r == 0 && v[i].mv_size < v[best].mv_size))
                best = i;
        }
        if (best == n)
            break;
        if ((r = fn(ctx, key, klen, v[best].mv_data, v[best].mv_size)) != 0) {
            rc = r > 0 ? SEEN_OK : r;
            goto out;
        }
        txn->reads.steps++;
        r = mdb_cursor_get(c[best], &k[best], &v[best], MDB_NEXT_DUP);
        if (r != 0 && r != MDB_NOTFOUND) {
            rc = store_fail(txn->store, store_db_name(dbs[best]), r);
            goto out;
        }
        live[best] = r == 0;
    }
out:
    for (i = 0; i < n; i++)
        if (c[i] != NULL)
            mdb_cursor_close(c[i]);
    return rc;
}

/**
 * seen_store_dup_get(txn, db, key, klen, vprefix, plen, val, vlen):
 * Look up the first value under ${key} of the DUPSORT database ${db}
 * that starts with the ${plen} bytes ${vprefix}; *${val} borrowed.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_store_dup_get(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *vprefix, size_t plen, const void **val,
    size_t *vlen)
{
    MDB_cursor *c;
    MDB_val k = {klen, (void *)key}, v = {plen, (void *)vprefix};
    int rc, r;

    if ((rc = store_defer_sync(txn, db)) != 0)
        return rc;
    if ((r = mdb_cursor_open(txn->txn, txn->store->dbi[db], &c)) != 0)
        return store_fail(txn->store, store_db_name(db), r);
    txn->reads.seeks++;
    r = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH_RANGE);
    mdb_cursor_close(c);
    if (r == 0 && (v.mv_size < plen || memcmp(v.mv_data, vprefix, plen)))
        r = MDB_NOTFOUND;
    if (r != 0)
        return store_fail(txn->store, store_db_name(db), r);
    *val = v.mv_data;
    *vlen = v.mv_size;
    return SEEN_OK;
}

/**
 * seen_store_dups_take(txn, from, max, klen, vlen, recs, n):
 * Remove the first ${max} key/value pairs of the DUPSORT database
 * ${from}; them, key and value one after the other, in a new array to
 * *${recs}, their number to *${n}.  Returns 0 or the store's code.
 */
int
seen_store_dups_take(struct seen_txn *txn, enum seen_db from, uint64_t max,
    size_t klen, size_t vlen, uint8_t **recs, size_t *n)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    MDB_stat st;
    uint8_t *out = NULL, *p;
    size_t got = 0, cap = 0, i;
    int rc = SEEN_OK, r;

    *recs = NULL;
    *n = 0;
    if ((rc = store_defer_sync(txn, from)) != 0)
        return rc;
    if ((r = mdb_stat(txn->txn, txn->store->dbi[from], &st)) != 0 ||
        (r = mdb_cursor_open(txn->txn, txn->store->dbi[from], &c)) != 0)
        return store_fail(txn->store, store_db_name(from), r);
    /* Read in key order, then deleted from the front. */
    for (r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0 && got < max;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != klen || v.mv_size != vlen) {
            r = MDB_CORRUPTED;
            break;
        }
        if (got == cap) {
            cap = cap ? 2 * cap : 4096;
            if ((p = realloc(out, cap * (klen + vlen))) == NULL) {
                rc = SEEN_ENOMEM;
                goto out;
            }
            out = p;
        }
        memcpy(out + got * (klen + vlen), k.mv_data, klen);
        memcpy(out + got * (klen + vlen) + klen, v.mv_data, vlen);
        got++;
    }
    if (r != 0 && r != MDB_NOTFOUND) {
        rc = store_fail(txn->store, store_db_name(from), r);
        goto out;
    }
    if (got == st.ms_entries) {
        /* All of it: its pages freed without being read or written. */
        mdb_cursor_close(c);
        c = NULL;
        if ((r = mdb_drop(txn->txn, txn->store->dbi[from], 0)) != 0) {
            rc = store_fail(txn->store, store_db_name(from), r);
            goto out;
        }
    } else {
        for (i = 0; i < got; i++)
            if ((r = mdb_cursor_get(c, &k, &v, MDB_FIRST)) != 0 ||
                (r = mdb_cursor_del(c, 0)) != 0) {
                rc = store_fail(txn->store, store_db_name(from),
                    r == MDB_NOTFOUND ? MDB_CORRUPTED : r);
                goto out;
            }
    }
out:
    if (c != NULL)
        mdb_cursor_close(c);
    if (rc != 0) {
        free(out);
        return rc;
    }
    *recs = out;
    *n = got;
    return SEEN_OK;
}

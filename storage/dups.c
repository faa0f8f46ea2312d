/*
 * dups.c: the DUPSORT tables: the values under one key, the value under
 * a key with a given prefix, and a table's first items taken out (the
 * young level of the token index, storage/index.h, going into the next;
 * format 6's links and groups, by storage/migrate.c, going into format
 * 7's).
 */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store.h"
#include "storage/store_impl.h"

/**
 * seen_store_dups_each(txn, db, key, klen, fn, ctx):
 * Call ${fn} for each value under ${key} in the DUPSORT database ${db},
 * in order.  Returns 0 when done or stopped; ${fn}'s negative code;
 * SEEN_ECORRUPT; SEEN_ERR.
 */
int
seen_store_dups_each(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, seen_store_iter_fn *fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = {klen, (void *)key}, v;
    int rc, r;

    if ((rc = store_cursor(txn, db, &c)) != 0)
        return rc;
    for (r = mdb_cursor_get(c, &k, &v, MDB_SET); r == 0;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
        if ((rc = fn(ctx, key, klen, v.mv_data, v.mv_size)) != 0)
            break;
        txn->reads.steps++;
    }
    mdb_cursor_close(c);
    if (rc != 0)
        return rc > 0 ? SEEN_OK : rc;
    return r == MDB_NOTFOUND ? SEEN_OK
                             : store_fail(txn->store, store_db_name(db), r);
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

    if ((rc = store_cursor(txn, db, &c)) != 0)
        return rc;
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
 * Remove the first ${max} key/value pairs of the database ${from}
 * (DUPSORT or not); them, key and value one after the other, in a new array to
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

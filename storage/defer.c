/*
 * defer.c: the store's write-behind buffer (store_impl.h).
 *
 * Writes to the databases with random keys that an import or a round of
 * replication writes many of (the token index, the live entries, the
 * records by expiry: fixed sizes; the sealed records and handles: values
 * of any size up to DEFER_VALUE_MAX) are held back and applied sorted:
 * B-tree inserts in key order touch each page once, which makes a large
 * import several times faster.  Any read, delete or walk of such a
 * database, a nested transaction and the commit apply them first, so the
 * transaction sees its own writes as before (a cursor opened with
 * store_cursor applies them); of two writes of one key the later is
 * applied last, so it wins as it would have.
 */

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "storage/index.h"
#include "storage/store.h"
#include "storage/store_impl.h"

#define DEFER_MAX (1u << 20) /* items held before they are applied */
#define DEFER_BYTES (64u << 20) /* bytes of values of any size held */

/*
 * The items held back are applied in the order of their bytes, key then
 * value, so that the duplicates of SEEN_DB_INDEX go in in their order too.
 * A most-significant-byte-first radix sort puts them in that order: a
 * million postings sort several times faster than by qsort and memcmp,
 * whose calls were a tenth of an import's time.
 */

#define RADIX_SMALL 24 /* items sorted by insertion below this */

/* Sort the ${n} items of ${item} bytes at ${a}, all equal in their first
 * ${d} bytes, by insertion. */
static void
insertion_sort(uint8_t *a, size_t n, size_t item, size_t d)
{
    uint8_t t[64];
    size_t i, j;

    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && memcmp(a + (j - 1) * item + d,
                                  a + i * item + d, item - d) > 0;
             j--)
            ;
        if (j == i)
            continue;
        memcpy(t, a + i * item, item);
        memmove(a + (j + 1) * item, a + j * item, (i - j) * item);
        memcpy(a + j * item, t, item);
    }
}

/* Sort the ${n} items of ${item} (<= 64) bytes at ${a}, all equal in
 * their first ${d} bytes, by their bytes; ${tmp} holds ${n} items. */
static void
radix_sort(uint8_t *a, uint8_t *tmp, size_t n, size_t item, size_t d)
{
    size_t count[256], at[256], i, b;

    for (; d < item && n >= RADIX_SMALL; d++) {
        memset(count, 0, sizeof count);
        for (i = 0; i < n; i++)
            count[a[i * item + d]]++;
        if (count[a[d]] == n)
            continue; /* one value of this byte: on to the next */
        for (b = 0, i = 0; b < 256; b++) {
            at[b] = i;
            i += count[b];
        }
        for (i = 0; i < n; i++)
            memcpy(tmp + at[a[i * item + d]]++ * item, a + i * item, item);
        memcpy(a, tmp, n * item);
        for (b = 0, i = 0; b < 256; i += count[b], b++)
            if (count[b] > 1)
                radix_sort(a + i * item, tmp, count[b], item, d + 1);
        return;
    }
    if (d < item && n > 1)
        insertion_sort(a, n, item, d);
}

/* The databases whose writes are held back, with the fixed sizes of their
 * keys and values (storage/index.h; ${var}: values of any size up to
 * DEFER_VALUE_MAX); other sizes are written at once. */
struct defer_table {
    enum seen_db db;
    size_t klen, vlen;
    int var;
};

static const struct defer_table defer_tables[] = {
    {SEEN_DB_INDEX, SEEN_INDEX_KEY_BYTES, SEEN_POSTING_BYTES, 0},
    {SEEN_DB_INDEX0, SEEN_INDEX_KEY_BYTES, SEEN_POSTING_BYTES, 0},
    {SEEN_DB_ENTRIES, SEEN_ENTRY_ID_BYTES, SEEN_ENTRY_SEQ_BYTES, 0},
    {SEEN_DB_EXPIRY, 20, 0, 0}, /* day(4) H(record id)(16) -> "" */
    {SEEN_DB_HANDLES, 16, 0, 1},
    {SEEN_DB_RECORDS, 16, 0, 1},
};
_Static_assert(SEEN_INDEX_KEY_BYTES + SEEN_POSTING_BYTES <= 64 &&
                   SEEN_ENTRY_ID_BYTES + SEEN_ENTRY_SEQ_BYTES <= 64,
    "radix_sort's items");

#define DEFER_TABLES (sizeof defer_tables / sizeof defer_tables[0])
_Static_assert(DEFER_TABLES == STORE_DEFER_TABLES, "store_impl.h's count");
_Static_assert(DEFER_VALUE_MAX <= DEFER_BYTES / 4, "a held value's size");


/* Start ${t} with no writes held back. */
void
store_defer_init(struct seen_txn *t)
{
    size_t i;

    memset(t->defer, 0, sizeof t->defer);
    for (i = 0; i < DEFER_TABLES; i++)
        t->defer[i].t = &defer_tables[i];
}

/* Free the writes ${t} holds back (applied or not). */
void
store_defer_free(struct seen_txn *t)
{
    size_t i;

    for (i = 0; i < DEFER_TABLES; i++)
        free(t->defer[i].buf);
}

/*
 * Put live entry ${k} -> ${v} through ${c}, a cursor on SEEN_DB_ENTRIES;
 * when the entry is live already at another leaf (an origin reused a
 * handle), let the index drop that leaf's postings first
 * (store_entries_replaced).  Returns 0 or a SEEN_E* code (logged).
 */
static int
entries_put(struct seen_txn *t, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
    uint8_t old[SEEN_ENTRY_SEQ_BYTES];
    MDB_val cur = *v;
    int rc;

    rc = mdb_cursor_put(c, k, &cur, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST && cur.mv_size == sizeof old &&
        memcmp(cur.mv_data, v->mv_data, sizeof old) != 0) {
        memcpy(old, cur.mv_data, sizeof old);
        if ((rc = store_entries_replaced(t, k->mv_data, old)) != 0)
            return rc;
        rc = MDB_KEYEXIST;
    }
    if (rc == MDB_KEYEXIST)
        rc = mdb_cursor_put(c, k, v, 0);
    return rc != 0 ? store_fail(t->store, store_db_name(SEEN_DB_ENTRIES), rc)
                   : SEEN_OK;
}

/*
 * The values of any size held back are kept one after the other in buf,
 * each as its size (4 bytes, host order), key and value; they are applied
 * in the order of their keys and, for one key, of their writing.
 */
struct var_item {
    const uint8_t *p; /* its size */
    size_t at;        /* its place in buf: the order of writing */
};

static size_t var_klen; /* the keys' size, for var_item_cmp (qsort) */

static int
var_item_cmp(const void *a, const void *b)
{
    const struct var_item *x = a, *y = b;
    int c = memcmp(x->p + 4, y->p + 4, var_klen);

    return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

/* Apply the held writes of ${d}, a table of values of any size, through
 * the cursor ${c}; returns 0 or LMDB's code. */
static int
var_flush(struct defer *d, MDB_cursor *c)
{
    struct var_item *v;
    MDB_val k, val;
    uint32_t vlen;
    size_t i, at;
    int rc = 0;

    if ((v = malloc(d->n * sizeof *v)) == NULL)
        return ENOMEM;
    for (i = 0, at = 0; i < d->n; i++) {
        v[i] = (struct var_item){d->buf + at, at};
        memcpy(&vlen, d->buf + at, 4);
        at += 4 + d->t->klen + vlen;
    }
    var_klen = d->t->klen;
    qsort(v, d->n, sizeof *v, var_item_cmp);
    for (i = 0; i < d->n && rc == 0; i++) {
        memcpy(&vlen, v[i].p, 4);
        k = (MDB_val){d->t->klen, (void *)(v[i].p + 4)};
        val = (MDB_val){vlen, (void *)(v[i].p + 4 + d->t->klen)};
        rc = mdb_cursor_put(c, &k, &val, 0);
    }
    free(v);
    return rc;
}

/* Apply the held writes of one database, in key order. */
int
store_defer_flush(struct seen_txn *t, struct defer *d)
{
    const struct defer_table *dt = d->t;
    MDB_cursor *c;
    MDB_val k, v;
    size_t i, item = dt->klen + dt->vlen;
    uint8_t *tmp;
    int rc = 0, code = 0;

    if (d->n == 0)
        return SEEN_OK;
    if (!dt->var) {
        if ((tmp = malloc(d->n * item)) == NULL)
            return SEEN_ENOMEM;
        radix_sort(d->buf, tmp, d->n, item, 0);
        free(tmp);
    }
    if ((rc = mdb_cursor_open(t->txn, t->store->dbi[dt->db], &c)) != 0)
        return store_fail(t->store, store_db_name(dt->db), rc);
    if (dt->var) {
        rc = var_flush(d, c);
        i = d->n;
    }
    for (i = 0; !dt->var && i < d->n; i++) {
        k = (MDB_val){dt->klen, d->buf + i * item};
        v = (MDB_val){dt->vlen, d->buf + i * item + dt->klen};
        if (dt->db == SEEN_DB_ENTRIES) {
            if ((code = entries_put(t, c, &k, &v)) != 0)
                break;
            continue;
        }
        if ((rc = mdb_cursor_put(c, &k, &v, 0)) != 0 && rc != MDB_KEYEXIST)
            break;
        rc = 0;
    }
    mdb_cursor_close(c);
    d->n = 0;
    d->used = 0;
    if (code != 0)
        return code;
    if (rc == ENOMEM)
        return SEEN_ENOMEM;
    if (rc != 0)
        return store_fail(t->store, store_db_name(dt->db), rc);
    return SEEN_OK;
}

/* The writes held back for ${db}, or NULL when it holds none back. */
struct defer *
store_defer_of(struct seen_txn *t, enum seen_db db)
{
    size_t i;

    for (i = 0; i < DEFER_TABLES; i++)
        if (defer_tables[i].db == db)
            return &t->defer[i];
    return NULL;
}

/* Before reading ${db} (or everything, for SEEN_DB_COUNT). */
int
store_defer_sync(struct seen_txn *t, enum seen_db db)
{
    struct defer *d;
    size_t i;
    int rc;

    if (db == SEEN_DB_COUNT) {
        for (i = 0; i < DEFER_TABLES; i++)
            if ((rc = store_defer_flush(t, &t->defer[i])) != 0)
                return rc;
        return SEEN_OK;
    }
    if ((d = store_defer_of(t, db)) == NULL)
        return SEEN_OK;
    return store_defer_flush(t, d);
}

/**
 * store_cursor(txn, db, c):
 * Sync ${db}'s held writes, open a cursor on it, count a seek; see
 * store_impl.h.
 */
int
store_cursor(struct seen_txn *txn, enum seen_db db, MDB_cursor **c)
{
    int rc;

    if ((rc = store_defer_sync(txn, db)) != 0)
        return rc;
    if ((rc = mdb_cursor_open(txn->txn, txn->store->dbi[db], c)) != 0)
        return store_fail(txn->store, store_db_name(db), rc);
    txn->reads.seeks++;
    return SEEN_OK;
}

/**
 * store_defer_hold(t, d, key, val):
 * Hold back the write of ${key} -> ${val} (of the sizes of ${d}'s table,
 * which holds values of one size), applying what ${d} holds first when
 * it is full.  Returns 0, SEEN_ENOMEM, or the store's code.
 */
int
store_defer_hold(struct seen_txn *t, struct defer *d, const void *key,
    const void *val)
{
    size_t klen = d->t->klen, vlen = d->t->vlen, cap;
    uint8_t *p;
    int rc;

    if (d->n == DEFER_MAX && (rc = store_defer_flush(t, d)) != 0)
        return rc;
    if (d->n == d->cap) {
        cap = d->cap ? d->cap * 2 : 4096;
        if ((p = realloc(d->buf, cap * (klen + vlen))) == NULL)
            return SEEN_ENOMEM;
        d->buf = p;
        d->cap = cap;
    }
    memcpy(d->buf + d->n * (klen + vlen), key, klen);
    if (vlen > 0)
        memcpy(d->buf + d->n * (klen + vlen) + klen, val, vlen);
    d->n++;
    return SEEN_OK;
}

/**
 * store_defer_reserve(t, d, key, vlen, val):
 * Hold back the write of ${key} -> a value of ${vlen} bytes (at most
 * DEFER_VALUE_MAX) to the table of values of any size of ${d}, applying
 * what ${d} holds first when it is full: *${val} is where the caller
 * writes the value, before anything else is done to ${t}.  Returns 0,
 * SEEN_ENOMEM, or the store's code.
 */
int
store_defer_reserve(struct seen_txn *t, struct defer *d, const void *key,
    size_t vlen, uint8_t **val)
{
    size_t need = 4 + d->t->klen + vlen, cap;
    uint32_t v32 = (uint32_t)vlen;
    uint8_t *p;
    int rc;

    *val = NULL;
    if (d->used + need > DEFER_BYTES && (rc = store_defer_flush(t, d)) != 0)
        return rc;
    if (d->used + need > d->cap) {
        for (cap = d->cap ? d->cap : 65536; cap < d->used + need; cap *= 2)
            ;
        if ((p = realloc(d->buf, cap)) == NULL)
            return SEEN_ENOMEM;
        d->buf = p;
        d->cap = cap;
    }
    p = d->buf + d->used;
    memcpy(p, &v32, 4);
    memcpy(p + 4, key, d->t->klen);
    *val = p + 4 + d->t->klen;
    d->used += need;
    d->last = need;
    d->n++;
    return SEEN_OK;
}

/**
 * store_defer_unreserve(d):
 * Forget the write store_defer_reserve held back last in ${d} (its value
 * could not be made).
 */
void
store_defer_unreserve(struct defer *d)
{

    d->used -= d->last;
    d->last = 0;
    d->n--;
}

/**
 * store_defer_var(d):
 * Does ${d} hold values of any size (store_defer_reserve)?
 */
int
store_defer_var(const struct defer *d)
{

    return d->t->var;
}

/**
 * store_defer_klen(d), store_defer_vlen(d):
 * The sizes of the keys and values ${d} holds back (others are written at
 * once).
 */
size_t
store_defer_klen(const struct defer *d)
{

    return d->t->klen;
}

size_t
store_defer_vlen(const struct defer *d)
{

    return d->t->vlen;
}

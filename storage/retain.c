/*
 * retain.c: the held entries with an expiry, by day (retain.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "storage/index.h"
#include "storage/retain.h"
#include "storage/store.h"
#include "seen.pb-c.h"

/* The key of ${it}: expiry(4) oidx(4) seq(8), big-endian. */
static void
retain_key(
    const struct seen_retain_item *it, uint8_t k[static SEEN_RETAIN_KEY_BYTES])
{

    seen_be32(k, it->expiry);
    seen_be32(k + 4, it->oidx);
    seen_be64(k + 8, it->seq);
}

/**
 * seen_retain_put(txn, it):
 * Record inside the write transaction ${txn} that entry ${it}->handle,
 * leaf ${it}->seq of origin ${it}->oidx, expires on day ${it}->expiry
 * (not 0).  Nothing is written when the key is there already.  Returns 0;
 * SEEN_EINVAL for expiry 0; SEEN_EFULL; SEEN_ERR.
 */
int
seen_retain_put(struct seen_txn *txn, const struct seen_retain_item *it)
{
    uint8_t k[SEEN_RETAIN_KEY_BYTES];
    const void *v;
    size_t vlen;

    if (it->expiry == 0)
        return SEEN_EINVAL;
    retain_key(it, k);
    if (seen_store_get(txn, SEEN_DB_RETAIN, k, sizeof k, &v, &vlen) == 0 &&
        vlen == 16 && memcmp(v, it->handle, 16) == 0)
        return SEEN_OK;
    return seen_store_put(txn, SEEN_DB_RETAIN, k, sizeof k, it->handle, 16);
}

struct due {
    uint32_t today;
    size_t max;
    struct seen_retain_item *v;
    size_t n, cap;
};

/* Collect a key due (a seen_store_iter_fn); stop at the first not due. */
static int
on_due(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct due *d = ctx;
    const uint8_t *k = key;
    struct seen_retain_item *p;

    if (klen != SEEN_RETAIN_KEY_BYTES || vlen != 16)
        return SEEN_ECORRUPT;
    if (seen_rd32(k) > d->today || d->n == d->max)
        return 1;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        if ((p = realloc(d->v, d->cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        d->v = p;
    }
    p = &d->v[d->n++];
    p->expiry = seen_rd32(k);
    p->oidx = seen_rd32(k + 4);
    p->seq = seen_rd64(k + 8);
    memcpy(p->handle, val, 16);
    return 0;
}

/**
 * seen_retain_due(txn, today, max, out, n):
 * Write to *${out} (malloc'd, the caller frees it; NULL when none) the
 * first keys, at most ${max}, whose expiry is ${today} or before (days
 * since 1970-01-01: the entries whose expiry has passed), in the order
 * of their keys, and their number to *${n}.  Returns 0; SEEN_ECORRUPT
 * for a key or value of another size; SEEN_ENOMEM.
 */
int
seen_retain_due(struct seen_txn *txn, int32_t today, size_t max,
    struct seen_retain_item **out, size_t *n)
{
    struct due d = {0, max, NULL, 0, 0};
    int rc;

    *out = NULL;
    *n = 0;
    if (today <= 0)
        return SEEN_OK; /* an expiry is at least 1: none is due */
    d.today = (uint32_t)today;
    if ((rc = seen_store_iter(txn, SEEN_DB_RETAIN, NULL, 0, on_due, &d)) != 0) {
        free(d.v);
        return rc;
    }
    *out = d.v;
    *n = d.n;
    return SEEN_OK;
}

/**
 * seen_retain_del(txn, it):
 * Delete the key of ${it} inside the write transaction ${txn}.  Returns
 * 0 (also when it was not there) or SEEN_ERR.
 */
int
seen_retain_del(struct seen_txn *txn, const struct seen_retain_item *it)
{
    uint8_t k[SEEN_RETAIN_KEY_BYTES];
    int rc;

    retain_key(it, k);
    rc = seen_store_del(txn, SEEN_DB_RETAIN, k, sizeof k, NULL, 0);
    return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
}

struct fill {
    struct seen_txn *txn;
    uint64_t *n;
};

/* Put the key of live entry ${e}, when it carries an expiry (a
 * seen_index_entry_fn over a struct fill, which counts the keys). */
static int
fill_one(void *ctx, const uint8_t id[static SEEN_ENTRY_ID_BYTES], uint64_t seq,
    const Seen__IndexEntry *e)
{
    struct fill *f = ctx;
    struct seen_retain_item it;
    int rc;

    if ((it.expiry = e->expiry) == 0)
        return 0;
    it.oidx = seen_rd32(id);
    it.seq = seq;
    memcpy(it.handle, id + 4, 16);
    if ((rc = seen_retain_put(f->txn, &it)) == 0)
        ++*f->n;
    return rc;
}

/**
 * seen_retain_fill(txn, n):
 * Put a key for every live entry (SEEN_DB_ENTRIES) whose leaf carries an
 * expiry (a store of format 3: storage/migrate.c), adding their number
 * to *${n}; a leaf that does not decode is passed over (logged).
 * Returns 0, SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR.
 */
int
seen_retain_fill(struct seen_txn *txn, uint64_t *n)
{
    struct fill f = {txn, n};

    return seen_index_each_entry(txn, "held by expiry", fill_one, &f);
}

/*
 * links.c: SEEN_DB_LINKS, the scored pairs of entries in the match and
 * possible bands.  Each link is stored both ways, as a duplicate of
 * fixed size under its first end: A(20) -> B(20) || weight (8 bytes,
 * IEEE 754 big-endian), so that the links of an entry are one key and
 * its run of values (store format 7; before it, key A(20) || B(20) ->
 * weight, one item each, which storage/migrate.c moves here).
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "node/matching/matcher_internal.h"
#include "storage/store.h"

/* Write ${d} as 8 bytes, IEEE 754 big-endian. */
static void
be_double(uint8_t out[8], double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    seen_be64(out, u);
}

/* Read 8 bytes, IEEE 754 big-endian. */
static double
rd_double(const uint8_t in[8])
{
    uint64_t u = seen_rd64(in);
    double d;

    memcpy(&d, &u, 8);
    return d;
}

#define LINK_VAL 28 /* a link's value: the other end(20) and weight(8) */

/* Delete the link from ${a} to ${b}, whatever its weight.  Returns 0,
 * SEEN_ENOTFOUND, or an error of the store. */
static int
link_del1(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20])
{
    uint8_t old[LINK_VAL];
    const void *v;
    size_t vlen;
    int rc;

    if ((rc = seen_store_dup_get(txn, SEEN_DB_LINKS, a, 20, b, 20, &v,
             &vlen)) != 0)
        return rc;
    if (vlen != LINK_VAL)
        return SEEN_ECORRUPT;
    memcpy(old, v, LINK_VAL);
    return seen_store_del(txn, SEEN_DB_LINKS, a, 20, old, LINK_VAL);
}

/* Link ${a} to ${b} with the weight ${w} (8 bytes) unless they are so
 * linked already, replacing a link of another weight. */
static int
link_put1(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20],
    const uint8_t w[8])
{
    uint8_t v[LINK_VAL];
    const void *old;
    size_t olen;
    int rc;

    rc = seen_store_dup_get(txn, SEEN_DB_LINKS, a, 20, b, 20, &old, &olen);
    if (rc == 0 && olen != LINK_VAL)
        return SEEN_ECORRUPT;
    if (rc == 0 && memcmp((const uint8_t *)old + 20, w, 8) == 0)
        return 0;
    if (rc == 0) {
        /* Another weight: that duplicate goes first. */
        memcpy(v, old, LINK_VAL);
        rc = seen_store_del(txn, SEEN_DB_LINKS, a, 20, v, LINK_VAL);
    }
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    memcpy(v, b, 20);
    memcpy(v + 20, w, 8);
    return seen_store_put(txn, SEEN_DB_LINKS, a, 20, v, LINK_VAL);
}

/**
 * links_put(txn, a, b, w):
 * Link ${a} and ${b} with weight ${w}, both ways; nothing is written when
 * the link is there already.  Returns 0 or an error of the store.
 */
int
links_put(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20],
    double w)
{
    uint8_t v[8];
    int rc;

    /* The matcher scores a pair once, at its later end (matcher.c); a
     * pair scored again (the rules changed, say) has the same weight,
     * from either end, and then the link is there already. */
    be_double(v, w);
    if ((rc = link_put1(txn, a, b, v)) != 0)
        return rc;
    return link_put1(txn, b, a, v);
}

struct nb_ctx {
    struct idset *set;      /* either this */
    struct nbrs *list;      /* or this */
    double min;
};

/* Add the other end of a link at least c->min to the set or list of
 * ${ctx} (a seen_store_iter_fn). */
static int
on_neighbour(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct nb_ctx *c = ctx;
    struct nbr *p;
    double w;

    (void)key;
    if (klen != 20 || vlen != LINK_VAL)
        return SEEN_ECORRUPT;
    if ((w = rd_double((const uint8_t *)val + 20)) < c->min)
        return 0;
    if (c->set != NULL)
        return idset_add(c->set, val);
    if (c->list->n == c->list->cap) {
        c->list->cap = c->list->cap ? c->list->cap * 2 : 64;
        if ((p = realloc(c->list->v, c->list->cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        c->list->v = p;
    }
    p = &c->list->v[c->list->n++];
    memcpy(p->id, val, 20);
    p->w = w;
    return 0;
}

/**
 * links_of(txn, id, min, out):
 * Add the entries linked to ${id} with weight at least ${min} to ${out}.
 * Returns 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
links_of(struct seen_txn *txn, const uint8_t id[20], double min,
    struct idset *out)
{
    struct nb_ctx c = {out, NULL, min};

    return seen_store_iter(txn, SEEN_DB_LINKS, id, 20, on_neighbour, &c);
}

/**
 * links_weighted(txn, id, min, out):
 * As links_of, appending the links with their weights to ${out}.
 */
int
links_weighted(struct seen_txn *txn, const uint8_t id[20], double min,
    struct nbrs *out)
{
    struct nb_ctx c = {NULL, out, min};

    return seen_store_iter(txn, SEEN_DB_LINKS, id, 20, on_neighbour, &c);
}

/**
 * links_drop(txn, id, others):
 * Delete the links between ${id} and each entry of ${others}, both ways.
 * Returns 0 or an error of the store.
 */
int
links_drop(struct seen_txn *txn, const uint8_t id[20],
    const struct idset *others)
{
    size_t i;
    int rc;

    for (i = 0; i < others->n; i++) {
        if ((rc = link_del1(txn, id, others->v[i])) != 0 &&
            rc != SEEN_ENOTFOUND)
            return rc;
        if ((rc = link_del1(txn, others->v[i], id)) != 0 &&
            rc != SEEN_ENOTFOUND)
            return rc;
    }
    return 0;
}

struct each_ctx {
    links_fn *fn;
    void *ctx;
};

static int
on_each(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct each_ctx *c = ctx;

    if (klen != 20 || vlen != LINK_VAL)
        return SEEN_ECORRUPT;
    return c->fn(c->ctx, key, val, rd_double((const uint8_t *)val + 20));
}

/**
 * links_each(txn, fn, ctx):
 * Call ${fn} for every link, once in each direction, in key order.
 * Returns 0, ${fn}'s negative code, SEEN_ECORRUPT.
 */
int
links_each(struct seen_txn *txn, links_fn *fn, void *ctx)
{
    struct each_ctx c = {fn, ctx};

    return seen_store_iter(txn, SEEN_DB_LINKS, NULL, 0, on_each, &c);
}

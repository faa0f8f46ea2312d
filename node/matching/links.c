/*
 * links.c: SEEN_DB_LINKS, the scored pairs of entries in the match and
 * possible bands.  Each link is stored both ways, key A(20) || B(20) ->
 * weight (8 bytes, IEEE 754 big-endian).
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

/* Put ${k} -> ${v} in SEEN_DB_LINKS unless it holds exactly that. */
static int
link_put1(struct seen_txn *txn, const uint8_t k[40], const uint8_t v[8])
{
    const void *old;
    size_t olen;

    if (seen_store_get(txn, SEEN_DB_LINKS, k, 40, &old, &olen) == 0 &&
        olen == 8 && memcmp(old, v, 8) == 0)
        return 0;
    return seen_store_put(txn, SEEN_DB_LINKS, k, 40, v, 8);
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
    uint8_t k[40], v[8];
    int rc;

    /* The matcher scores a pair once, at its later end (matcher.c); a
     * pair scored again (the rules changed, say) has the same weight,
     * from either end, and then the link is there already. */
    be_double(v, w);
    memcpy(k, a, 20);
    memcpy(k + 20, b, 20);
    if ((rc = link_put1(txn, k, v)) != 0)
        return rc;
    memcpy(k, b, 20);
    memcpy(k + 20, a, 20);
    return link_put1(txn, k, v);
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

    if (klen != 40 || vlen != 8)
        return SEEN_ECORRUPT;
    if ((w = rd_double(val)) < c->min)
        return 0;
    if (c->set != NULL)
        return idset_add(c->set, (const uint8_t *)key + 20);
    if (c->list->n == c->list->cap) {
        c->list->cap = c->list->cap ? c->list->cap * 2 : 64;
        if ((p = realloc(c->list->v, c->list->cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        c->list->v = p;
    }
    p = &c->list->v[c->list->n++];
    memcpy(p->id, (const uint8_t *)key + 20, 20);
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
    uint8_t k[40];
    size_t i;
    int rc;

    for (i = 0; i < others->n; i++) {
        memcpy(k, id, 20);
        memcpy(k + 20, others->v[i], 20);
        if ((rc = seen_store_del(txn, SEEN_DB_LINKS, k, 40, NULL, 0)) != 0 &&
            rc != SEEN_ENOTFOUND)
            return rc;
        memcpy(k, others->v[i], 20);
        memcpy(k + 20, id, 20);
        if ((rc = seen_store_del(txn, SEEN_DB_LINKS, k, 40, NULL, 0)) != 0 &&
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

    if (klen != 40 || vlen != 8)
        return SEEN_ECORRUPT;
    return c->fn(c->ctx, key, (const uint8_t *)key + 20, rd_double(val));
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

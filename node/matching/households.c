/*
 * households.c: the households of a perpetrator, as the alert rule
 * perpetrator_multiple_households counts them (matcher_internal.h).
 *
 * A household is not a record, nor a local authority, nor the person of
 * one adult victim: the same family is recorded many times, by several
 * agencies, in several places, and one mother or one child may be split
 * into two persons where the matcher could not join them.  Records are
 * therefore joined into one household when they share any person: the
 * same child, the same adult victim or parent, or an adult the matcher
 * scored as perhaps the same (a possible-band link: alerts.c adds the
 * persons of an adult's links as persons of the record).  A household counts for
 * the rule when one of its records holds a child (or an unborn child).
 * The grouping depends only on which persons the records hold, never on
 * the order they were read in.
 */
#include <stdlib.h>
#include <string.h>

#include "node/matching/matcher_internal.h"

/**
 * households_record(h, perp):
 * Add the record in which the perpetrator's entry ${perp} is; returns its
 * number in ${h}, or -1 when out of memory.
 */
long
households_record(struct households *h, const uint8_t perp[20])
{

    if (idset_add(&h->recs, perp) != 0)
        return -1;
    return (long)h->recs.n - 1;
}

/**
 * households_person(h, rec, label, child):
 * Record that the person labelled ${label}, a child when ${child}, is in
 * record ${rec} of ${h} (nothing when ${rec} is negative).  Returns 0 or
 * SEEN_ENOMEM.
 */
int
households_person(struct households *h, long rec, const uint8_t label[20],
    int child)
{
    struct hh_item *p;
    size_t cap;

    if (rec < 0)
        return 0;
    if (h->n == h->cap) {
        cap = h->cap ? 2 * h->cap : 16;
        if ((p = realloc(h->v, cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        h->v = p;
        h->cap = cap;
    }
    memcpy(h->v[h->n].lab, label, 20);
    h->v[h->n].rec = (size_t)rec;
    h->v[h->n].child = child != 0;
    h->n++;
    return 0;
}

/* Items by person (for qsort). */
static int
item_cmp(const void *a, const void *b)
{

    return memcmp(((const struct hh_item *)a)->lab,
        ((const struct hh_item *)b)->lab, 20);
}

/* The root of record ${r} in ${up}, halving the path. */
static size_t
root(size_t *up, size_t r)
{

    while (up[r] != r) {
        up[r] = up[up[r]];
        r = up[r];
    }
    return r;
}

/**
 * households_group(h):
 * Join the records of ${h} that share a person; afterwards h->home[r] is
 * the smallest record number of record r's household, h->kid[r] of that
 * number whether its household holds a child, and h->nkids the number of
 * households holding a child.  Returns 0 or SEEN_ENOMEM.
 */
int
households_group(struct households *h)
{
    size_t n = h->recs.n, i, a, b;

    free(h->home);
    free(h->kid);
    h->kid = NULL;
    h->nkids = 0;
    if ((h->home = malloc((n ? n : 1) * sizeof *h->home)) == NULL ||
        (h->kid = calloc(n ? n : 1, 1)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++)
        h->home[i] = i;
    if (h->n > 1)
        qsort(h->v, h->n, sizeof *h->v, item_cmp);
    for (i = 1; i < h->n; i++) {
        if (memcmp(h->v[i - 1].lab, h->v[i].lab, 20) != 0)
            continue;
        a = root(h->home, h->v[i - 1].rec);
        b = root(h->home, h->v[i].rec);
        /* The smaller number is the root: the result is order-free. */
        if (a != b)
            h->home[a > b ? a : b] = a < b ? a : b;
    }
    for (i = 0; i < n; i++)
        h->home[i] = root(h->home, i);
    for (i = 0; i < h->n; i++)
        h->kid[h->home[h->v[i].rec]] |= (unsigned char)h->v[i].child;
    for (i = 0; i < n; i++)
        h->nkids += h->home[i] == i && h->kid[i];
    return 0;
}

/**
 * households_json(s, h):
 * The households of ${h} (after households_group) that hold a child, as
 * a JSON array: each the array of the perpetrator's entries whose records
 * make it (entry_json), in record order.  Returns a new array, or NULL.
 */
json_t *
households_json(struct step *s, const struct households *h)
{
    json_t *all = json_array(), *one;
    const struct ent *e;
    size_t r, i;
    int rc;

    if (all == NULL)
        return NULL;
    for (r = 0; r < h->recs.n; r++) {
        if (h->home[r] != r || !h->kid[r])
            continue;
        one = json_array();
        for (i = r; i < h->recs.n; i++)
            if (h->home[i] == r &&
                (e = step_entry(s, h->recs.v[i], &rc)) != NULL)
                json_array_append_new(one, entry_json(s->m, e));
        json_array_append_new(all, one);
    }
    return all;
}

/**
 * households_free(h):
 * Free what ${h} holds; it may be used again.
 */
void
households_free(struct households *h)
{

    free(h->recs.v);
    free(h->v);
    free(h->home);
    free(h->kid);
    memset(h, 0, sizeof *h);
}

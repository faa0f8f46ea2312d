/*
 * collective.c: evidence from the people around a person (the rule is in
 * collective.h).
 */
#include <stdlib.h>
#include <string.h>

#include "match/collective.h"
#include "match/score.h"

/* The items by record group: ${by}[k] the k-th item in group order, ${at}[i]
 * the first slot in ${by} of item i's group, ${end}[i] one past its last. */
struct groups {
    uint32_t *by, *at, *end;
};

static const struct seen_cluster_item *sort_items; /* for by_group (qsort) */

static int
by_group(const void *va, const void *vb)
{
    uint32_t a = *(const uint32_t *)va, b = *(const uint32_t *)vb;
    int c = memcmp(sort_items[a].group, sort_items[b].group,
        SEEN_CLUSTER_GROUP_BYTES);

    return c ? c : (a > b) - (a < b);
}

/* Group ${n} items into ${g}.  Returns 0 or SEEN_ENOMEM. */
static int
groups_make(const struct seen_cluster_item *items, size_t n, struct groups *g)
{
    size_t i, j;

    g->by = malloc((n + 1) * sizeof *g->by);
    g->at = malloc((n + 1) * sizeof *g->at);
    g->end = malloc((n + 1) * sizeof *g->end);
    if (g->by == NULL || g->at == NULL || g->end == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++)
        g->by[i] = (uint32_t)i;
    sort_items = items;
    qsort(g->by, n, sizeof *g->by, by_group);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n &&
             memcmp(items[g->by[i]].group, items[g->by[j]].group,
                 SEEN_CLUSTER_GROUP_BYTES) == 0;
             j++)
            ;
        for (size_t k = i; k < j; k++) {
            g->at[g->by[k]] = (uint32_t)i;
            g->end[g->by[k]] = (uint32_t)j;
        }
    }
    return 0;
}

static void
groups_free(struct groups *g)
{

    free(g->by);
    free(g->at);
    free(g->end);
}

static int
u64_cmp(const void *va, const void *vb)
{
    uint64_t a = *(const uint64_t *)va, b = *(const uint64_t *)vb;

    return (a > b) - (a < b);
}

/* The pair {a, b} as one key, the lower index first. */
static uint64_t
pair_key(uint32_t a, uint32_t b)
{

    return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/* 1 when link ${l} lies in the band that support can lift. */
static int
liftable(const struct seen_cluster_link *l, size_t n)
{

    return l->a != l->b && l->a < n && l->b < n &&
           l->weight >= SEEN_COLLECTIVE_FROM &&
           l->weight < SEEN_CLUSTER_MERGE_AT;
}

/* 1 when another entry of x's group and another of y's are the ends of a
 * link in ${strong} (${ns} sorted keys). */
static int
supported(const struct groups *g, uint32_t x, uint32_t y,
    const uint64_t *strong, size_t ns)
{
    uint64_t k;
    uint32_t i, j, xs, ys;

    if (g->at[x] == g->at[y])
        return 0; /* one record */
    for (i = g->at[x]; i < g->end[x]; i++) {
        if ((xs = g->by[i]) == x)
            continue;
        for (j = g->at[y]; j < g->end[y]; j++) {
            if ((ys = g->by[j]) == y)
                continue;
            k = pair_key(xs, ys);
            if (bsearch(&k, strong, ns, sizeof k, u64_cmp) != NULL)
                return 1;
        }
    }
    return 0;
}

/* The scorer's view of item ${it} (borrowed). */
static struct seen_score_side
side_of(const struct seen_cluster_item *it)
{
    struct seen_score_side s = {it->tokens, it->ntokens, it->bloom,
        it->birth_band};

    return s;
}

/**
 * seen_collective_may_lift(a, b, w):
 * Return 1 when a link of weight ${w} between ${a} and ${b} is one that
 * support may lift: in [SEEN_COLLECTIVE_FROM, SEEN_CLUSTER_MERGE_AT), with
 * no comparison of the two counting against them; else 0.
 */
int
seen_collective_may_lift(const struct seen_score_side *a,
    const struct seen_score_side *b, double w)
{
    struct seen_score s;

    if (!(w >= SEEN_COLLECTIVE_FROM && w < SEEN_CLUSTER_MERGE_AT))
        return 0;
    seen_score_pair(a, b, &s);
    return s.against == 0;
}

/**
 * seen_collective_support(items, n, links, nlinks, out):
 * Set ${out}[i] (${nlinks} slots) to 1 when link i is supported by the
 * rule above, else 0.  Neither ${items} nor ${links} is modified.
 * Returns 0 or SEEN_ENOMEM (${out} then all 0).
 */
int
seen_collective_support(const struct seen_cluster_item *items, size_t n,
    const struct seen_cluster_link *links, size_t nlinks, uint8_t *out)
{
    struct groups g = {NULL, NULL, NULL};
    uint64_t *strong;
    size_t i, ns = 0, nlift = 0;
    int rc = 0;

    memset(out, 0, nlinks);
    for (i = 0; i < nlinks; i++)
        nlift += liftable(&links[i], n);
    if (nlift == 0)
        return 0;
    if ((strong = malloc((nlinks + 1) * sizeof *strong)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < nlinks; i++)
        if (links[i].a != links[i].b && links[i].a < n && links[i].b < n &&
            links[i].weight >= SEEN_CLUSTER_MERGE_AT)
            strong[ns++] = pair_key(links[i].a, links[i].b);
    qsort(strong, ns, sizeof *strong, u64_cmp);
    if (ns > 0 && (rc = groups_make(items, n, &g)) == 0)
        for (i = 0; i < nlinks; i++)
            if (liftable(&links[i], n) &&
                supported(&g, links[i].a, links[i].b, strong, ns)) {
                struct seen_score_side a = side_of(&items[links[i].a]);
                struct seen_score_side b = side_of(&items[links[i].b]);

                out[i] = (uint8_t)seen_collective_may_lift(
                    &a, &b, links[i].weight);
            }
    groups_free(&g);
    free(strong);
    return rc;
}

/*
 * cluster.c: constrained, deterministic clustering of index entries into
 * persons (the algorithm is described in cluster.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "match/cluster.h"
#include "match/score.h"
#include "match/tokens.h"

/* A candidate link, its ends in id order. */
struct cand {
    double w;
    const uint8_t *idlo, *idhi;
    uint32_t lo, hi;
};

/* Union-find over the entries, with each person's members in a list. */
struct uf {
    uint32_t *parent;
    uint32_t *next;          /* next member of the same person, or NONE */
    uint32_t *tail;          /* at a root: last member */
    uint32_t *size;          /* at a root: members */
    const uint8_t **nhs;     /* at a root: its NHS token, or NULL */
    size_t *adj_at;          /* entry i's candidates: adj[adj_at[i] ..
                              * adj_at[i + 1]) */
    size_t *adj;             /* indices of candidates */
};

#define NONE UINT32_MAX

static int
cand_cmp(const void *va, const void *vb)
{
    const struct cand *a = va, *b = vb;
    int c;

    if (a->w > b->w)
        return -1;
    if (a->w < b->w)
        return 1;
    if ((c = memcmp(a->idlo, b->idlo, SEEN_CLUSTER_ID_BYTES)) != 0)
        return c;
    return memcmp(a->idhi, b->idhi, SEEN_CLUSTER_ID_BYTES);
}

static uint32_t
find(struct uf *u, uint32_t x)
{
    uint32_t r = x, t;

    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) {
        t = u->parent[x];
        u->parent[x] = r;
        x = t;
    }
    return r;
}

/* The NHS token (16 bytes after the rule byte) of ${it}, or NULL. */
static const uint8_t *
nhs_of(const struct seen_cluster_item *it)
{

    if (it->ntokens > 0 && it->tokens != NULL &&
        it->tokens[0] == SEEN_RULE_NHS)
        return it->tokens + 1;
    return NULL;
}

static struct seen_score_side
side_of(const struct seen_cluster_item *it)
{
    struct seen_score_side s;

    s.tokens = it->tokens;
    s.ntokens = it->tokens != NULL ? it->ntokens : 0;
    s.bloom = it->bloom;
    s.birth_band = it->birth_band;
    return s;
}

/* 1 if the persons rooted at ${p} and ${q} may become one, else 0. */
static int
may_merge(const struct seen_cluster_item *items, struct uf *u, uint32_t p,
    uint32_t q)
{
    struct seen_score_side sx, sy;
    enum seen_band band;
    uint32_t x, y;

    /* b. One NHS number per person. */
    if (u->nhs[p] != NULL && u->nhs[q] != NULL &&
        memcmp(u->nhs[p], u->nhs[q], SEEN_TOKEN_ITEM - 1) != 0)
        return 0;

    /* a. Two people named in one record are two people. */
    for (x = p; x != NONE; x = u->next[x])
        for (y = q; y != NONE; y = u->next[y])
            if (memcmp(items[x].group, items[y].group,
                    SEEN_CLUSTER_GROUP_BYTES) == 0)
                return 0;

    /* c. No hard contradiction between any two of their entries. */
    for (x = p; x != NONE; x = u->next[x]) {
        sx = side_of(&items[x]);
        for (y = q; y != NONE; y = u->next[y]) {
            sy = side_of(&items[y]);
            if (seen_score_weight(&sx, &sy, &band) <
                SEEN_CLUSTER_CONTRADICTION)
                return 0;
        }
    }
    return 1;
}

/*
 * 1 when an unborn entry (birth band 1) of the person rooted at ${p} has
 * another candidate of the weight of candidate ${k} (c[${k}], which joins
 * ${p} to ${q}) to a person that may not merge with ${q}: that entry is
 * as close to two children known to be two, twins most often (3d of
 * cluster.h).
 */
static int
tied(const struct seen_cluster_item *items, struct uf *u,
    const struct cand *c, size_t k, uint32_t p, uint32_t q)
{
    uint32_t x, z, r;
    size_t i, j;

    for (x = p; x != NONE; x = u->next[x])
        for (i = u->adj_at[x];
             items[x].birth_band == 1 && i < u->adj_at[x + 1]; i++) {
            j = u->adj[i];
            if (j == k || c[j].w != c[k].w)
                continue;
            z = c[j].lo == x ? c[j].hi : c[j].lo;
            r = find(u, z);
            if (r != p && r != q && !may_merge(items, u, q, r))
                return 1;
        }
    return 0;
}

/* Index the ${nc} candidates ${c} by their ends, for tied(), into ${u}
 * (${n} entries).  Returns 0 or SEEN_ENOMEM. */
static int
index_ends(struct uf *u, const struct cand *c, size_t nc, uint32_t n)
{
    size_t k, *fill;
    uint32_t i;

    if ((u->adj_at = calloc((size_t)n + 1, sizeof *u->adj_at)) == NULL ||
        (u->adj = malloc((2 * nc + 1) * sizeof *u->adj)) == NULL ||
        (fill = malloc(((size_t)n + 1) * sizeof *fill)) == NULL)
        return SEEN_ENOMEM;
    for (k = 0; k < nc; k++) {
        u->adj_at[c[k].lo + 1]++;
        u->adj_at[c[k].hi + 1]++;
    }
    for (i = 0; i < n; i++)
        u->adj_at[i + 1] += u->adj_at[i];
    memcpy(fill, u->adj_at, ((size_t)n + 1) * sizeof *fill);
    for (k = 0; k < nc; k++) {
        u->adj[fill[c[k].lo]++] = k;
        u->adj[fill[c[k].hi]++] = k;
    }
    free(fill);
    return 0;
}

static void
merge(struct uf *u, uint32_t p, uint32_t q)
{
    uint32_t t;

    /* Keep the larger person's root (the partition does not depend on
     * which root is kept). */
    if (u->size[p] < u->size[q]) {
        t = p;
        p = q;
        q = t;
    }
    u->parent[q] = p;
    u->next[u->tail[p]] = q;
    u->tail[p] = u->tail[q];
    u->size[p] += u->size[q];
    if (u->nhs[p] == NULL)
        u->nhs[p] = u->nhs[q];
}

/**
 * seen_cluster_run(items, n, links, nlinks, label):
 * Partition the ${n} entries ${items} into persons given the ${nlinks}
 * candidate ${links} (pairs that share a blocking token, scored with
 * seen_score_pair), by the algorithm described at the top of this header,
 * and write to ${label}[i] (${n} slots) the index of the item with the
 * smallest id in item i's person.  Ids must be distinct.  Neither
 * ${items} nor ${links} is modified or retained.
 * Returns 0; SEEN_EINVAL if ${n} is UINT32_MAX or more (nothing written);
 * SEEN_ENOMEM (nothing written).
 */
int
seen_cluster_run(const struct seen_cluster_item *items, size_t n,
    const struct seen_cluster_link *links, size_t nlinks, uint32_t *label)
{
    struct uf u = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    struct cand *c = NULL;
    uint32_t *lowest = NULL;
    uint32_t i, a, b, p, q;
    size_t k, nc = 0;
    int rc = SEEN_ENOMEM;

    if (n >= UINT32_MAX)
        return SEEN_EINVAL;
    if (n == 0)
        return 0;

    /* 1. The candidates: links in the match band, ends in id order. */
    if (nlinks > 0 && (c = malloc(nlinks * sizeof *c)) == NULL)
        goto done;
    for (k = 0; k < nlinks; k++) {
        a = links[k].a;
        b = links[k].b;
        if (a >= n || b >= n || a == b ||
            !(links[k].weight >= SEEN_CLUSTER_MERGE_AT))
            continue;
        if (memcmp(items[a].id, items[b].id, SEEN_CLUSTER_ID_BYTES) > 0) {
            i = a;
            a = b;
            b = i;
        }
        c[nc].w = links[k].weight;
        c[nc].lo = a;
        c[nc].hi = b;
        c[nc].idlo = items[a].id;
        c[nc].idhi = items[b].id;
        nc++;
    }

    /* 2. Strongest first; ties by the pair of ids. */
    if (nc > 1)
        qsort(c, nc, sizeof *c, cand_cmp);

    /* 3. Merge, refusing what the constraints forbid. */
    if ((u.parent = malloc(n * sizeof *u.parent)) == NULL ||
        (u.next = malloc(n * sizeof *u.next)) == NULL ||
        (u.tail = malloc(n * sizeof *u.tail)) == NULL ||
        (u.size = malloc(n * sizeof *u.size)) == NULL ||
        (u.nhs = malloc(n * sizeof *u.nhs)) == NULL ||
        (lowest = malloc(n * sizeof *lowest)) == NULL ||
        index_ends(&u, c, nc, (uint32_t)n) != 0)
        goto done;
    for (i = 0; i < n; i++) {
        u.parent[i] = i;
        u.next[i] = NONE;
        u.tail[i] = i;
        u.size[i] = 1;
        u.nhs[i] = nhs_of(&items[i]);
    }
    for (k = 0; k < nc; k++) {
        p = find(&u, c[k].lo);
        q = find(&u, c[k].hi);
        if (p == q || !may_merge(items, &u, p, q) ||
            tied(items, &u, c, k, p, q) || tied(items, &u, c, k, q, p))
            continue;
        merge(&u, p, q);
    }

    /* 4. Label each entry with the entry of smallest id in its person. */
    for (i = 0; i < n; i++)
        lowest[i] = NONE;
    for (i = 0; i < n; i++) {
        p = find(&u, i);
        if (lowest[p] == NONE ||
            memcmp(items[i].id, items[lowest[p]].id,
                SEEN_CLUSTER_ID_BYTES) < 0)
            lowest[p] = i;
    }
    for (i = 0; i < n; i++)
        label[i] = lowest[find(&u, i)];
    rc = 0;

done:
    free(u.adj);
    free(u.adj_at);
    free(lowest);
    free(u.nhs);
    free(u.size);
    free(u.tail);
    free(u.next);
    free(u.parent);
    free(c);
    return rc;
}

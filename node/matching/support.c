/*
 * support.c: evidence from the people around a person, on the store
 * (match/collective.h's rule, as the live matcher applies it).
 *
 * A possible-band link stays stored with the weight the scorer gave it;
 * whether it is supported is worked out each time a component is
 * clustered, from the record groups of its two ends and the match-band
 * links between their other entries.  So it depends only on the links
 * and groups the store holds, as match/collective.c does on the same
 * links and items: every node finds the same persons.  What changes
 * support (a match-band link made or dropped) seeds the clustering of
 * the entries whose links it may lift (support_seeds).
 */
#include <stdlib.h>
#include <string.h>

#include "match/cluster.h"
#include "match/collective.h"
#include "node/matching/matcher_internal.h"
#include "storage/store.h"

/* 1 when ${id} is in ${s}. */
static int
idset_has(const struct idset *s, const uint8_t id[20])
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (memcmp(s->v[i], id, 20) == 0)
            return 1;
    return 0;
}

/* The record group of ${e}, or NULL. */
static const uint8_t *
group_of(const struct ent *e)
{

    return e->fe->entry->group.len == 16 ? e->fe->entry->group.data : NULL;
}

/**
 * support_found(txn, x, y, w, found):
 * Set *${found} to 1 when the link of weight ${w} between live entries
 * ${x} and ${y} is lifted by match/collective.h's rule: it may be lifted
 * (seen_collective_may_lift), and another entry of ${x}'s record and
 * another of ${y}'s are the ends of a match-band link; else 0.  Returns
 * 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
support_found(struct seen_txn *txn, const struct ent *x, const struct ent *y,
    double w, int *found)
{
    struct seen_score_side sx, sy;
    struct idset gx = {0}, gy = {0};
    struct nbrs nb = {0};
    const uint8_t *px = group_of(x), *py = group_of(y);
    size_t i, j;
    int rc;

    *found = 0;
    if (px == NULL || py == NULL || memcmp(px, py, 16) == 0)
        return 0;
    entry_side(x, &sx);
    entry_side(y, &sy);
    if (!seen_collective_may_lift(&sx, &sy, w))
        return 0;
    if ((rc = persons_group(txn, px, &gx)) != 0 ||
        (rc = persons_group(txn, py, &gy)) != 0)
        goto done;
    for (i = 0; i < gx.n && !*found; i++) {
        if (memcmp(gx.v[i], x->id, 20) == 0)
            continue;
        nb.n = 0;
        if ((rc = links_weighted(txn, gx.v[i], SEEN_CLUSTER_MERGE_AT,
                 &nb)) != 0)
            goto done;
        for (j = 0; j < nb.n && !*found; j++)
            *found = memcmp(nb.v[j].id, y->id, 20) != 0 &&
                     idset_has(&gy, nb.v[j].id);
    }
done:
    free(gx.v);
    free(gy.v);
    free(nb.v);
    return rc;
}

/**
 * support_links(s, id, out):
 * Append to ${out} the links of live entry ${id} that clustering reads:
 * those of the match band with their weights, and those of the possible
 * band that support lifts, with SEEN_COLLECTIVE_BONUS added.  Returns 0
 * or an error (${out} then holds what was appended so far).
 */
int
support_links(struct step *s, const uint8_t id[20], struct nbrs *out)
{
    const struct ent *x, *y;
    size_t i, k, from = out->n;
    int rc, found;

    if ((rc = links_weighted(s->txn, id, SEEN_COLLECTIVE_FROM, out)) != 0)
        return rc;
    x = NULL;
    for (i = k = from; i < out->n; i++) {
        if (out->v[i].w < SEEN_CLUSTER_MERGE_AT) {
            if (x == NULL && (x = step_entry(s, id, &rc)) == NULL)
                return rc == SEEN_ENOTFOUND ? 0 : rc;
            if ((y = step_entry(s, out->v[i].id, &rc)) == NULL) {
                if (rc != SEEN_ENOTFOUND)
                    return rc;
                continue;
            }
            if ((rc = support_found(s->txn, x, y, out->v[i].w, &found)) != 0)
                return rc;
            if (!found)
                continue;
            out->v[i].w += SEEN_COLLECTIVE_BONUS;
        }
        out->v[k++] = out->v[i];
    }
    out->n = k;
    return 0;
}

/**
 * support_seeds(s, id, wide, seeds):
 * Add to ${seeds} the entries whose links a match-band link of entry
 * ${id} may lift: the other entries of its record (when it is live), and
 * those of the record of each entry it has a match-band link to.  Made
 * links (${wide} 0) need no more: clustering from those entries reaches
 * the others over the lifted link.  Links about to be dropped (${wide}
 * 1, ${id} retracted, its record perhaps unknown) also seed the
 * possible-band neighbours of those entries, which a lifted link may have
 * joined to them.  Returns 0 or an error.
 */
int
support_seeds(struct step *s, const uint8_t id[20], int wide,
    struct idset *seeds)
{
    struct nbrs nb = {0};
    struct idset grp = {0};
    const struct ent *e;
    const uint8_t *g;
    size_t i, j;
    int rc;

    if ((e = step_entry(s, id, &rc)) != NULL && (g = group_of(e)) != NULL &&
        (rc = persons_group(s->txn, g, seeds)) != 0)
        return rc;
    if ((rc = links_weighted(s->txn, id, SEEN_CLUSTER_MERGE_AT, &nb)) != 0)
        goto done;
    for (i = 0; i < nb.n; i++) {
        if ((e = step_entry(s, nb.v[i].id, &rc)) == NULL) {
            if (rc != SEEN_ENOTFOUND)
                goto done;
            continue;
        }
        if ((g = group_of(e)) == NULL)
            continue;
        grp.n = 0;
        if ((rc = persons_group(s->txn, g, &grp)) != 0)
            goto done;
        for (j = 0; j < grp.n; j++)
            if ((rc = idset_add(seeds, grp.v[j])) != 0 ||
                (wide && (rc = links_of(s->txn, grp.v[j],
                              SEEN_COLLECTIVE_FROM, seeds)) != 0))
                goto done;
    }
    rc = 0;
done:
    free(nb.v);
    free(grp.v);
    return rc;
}

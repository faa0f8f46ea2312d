/*
 * persons.c: who is one person, and who shares a record.
 *
 * SEEN_DB_PERSONS holds "E" || entry -> label(20) || group(16), and "M" ||
 * label || entry -> "" (the members of each person, the label being the
 * member with the smallest global id); SEEN_DB_GROUPS holds group(16) ->
 * entry(20), a duplicate for each entry of the record (store format 7;
 * before it, group(16) || entry -> "", which storage/migrate.c moves).
 * An entry with no "E" record is a person of its own.
 *
 * A change reclusters the connected component of match-band links around
 * it (match/cluster.h; with the possible-band links that the people around
 * them lift, support.c), at most COMPONENT_MAX entries reached breadth
 * first, and writes only the labels that change.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "match/cluster.h"
#include "node/matching/matcher_internal.h"
#include "storage/store.h"

#define COMPONENT_MAX 512 /* entries reclustered around one change */

/**
 * persons_id(gid, out):
 * Write the person id ("P" and 16 hex digits) of the person labelled by
 * the entry of global id ${gid} to ${out}.
 */
void
persons_id(const uint8_t gid[48], char out[static 18])
{
    uint8_t h[8];

    crypto_generichash(h, sizeof h, gid, 48, NULL, 0);
    out[0] = 'P';
    sodium_bin2hex(out + 1, 17, h, sizeof h);
}

/* Entry ${id}'s person record, "E" || id -> label(20) group(16), to *${v}
 * (borrowed): 1 when there is one of at least 20 bytes, else 0. */
static int
person_record(struct seen_txn *txn, const uint8_t id[20], const void **v,
    size_t *vlen)
{
    uint8_t k[21];

    k[0] = 'E';
    memcpy(k + 1, id, 20);
    return seen_store_get(txn, SEEN_DB_PERSONS, k, 21, v, vlen) == 0 &&
           *vlen >= 20;
}

/**
 * persons_label_of(txn, id, label):
 * Write the label of ${id}'s person to ${label}: ${id} itself when it is
 * unmatched.
 */
void
persons_label_of(struct seen_txn *txn, const uint8_t id[20],
    uint8_t label[20])
{
    const void *v;
    size_t vlen;

    memcpy(label, person_record(txn, id, &v, &vlen) ? v : id, 20);
}

/**
 * seen_matcher_person(m, txn, oidx, handle, out):
 * Write the person id ("P" and 16 hex digits, the same on every node) of
 * entry ${handle} of origin ${oidx} to ${out} (18 bytes).
 */
void
seen_matcher_person(struct seen_matcher *m, struct seen_txn *txn,
    uint32_t oidx, const uint8_t handle[static 16], char out[static 18])
{
    uint8_t id[20], label[20], gid[48];

    (void)m;
    seen_be32(id, oidx);
    memcpy(id + 4, handle, 16);
    persons_label_of(txn, id, label);
    if (seen_store_origin_pk(txn, seen_rd32(label), gid) != 0)
        memset(gid, 0, 32);
    memcpy(gid + 32, label + 4, 16);
    persons_id(gid, out);
}

/* The entries at the end of the keys of a walk, each key ${klen} bytes. */
struct tail_ctx {
    struct idset *out;
    size_t klen;
};

/* Add the entry at the end of the key (a seen_store_iter_fn). */
static int
on_tail(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct tail_ctx *c = ctx;

    (void)val;
    (void)vlen;
    if (klen != c->klen)
        return SEEN_ECORRUPT;
    return idset_add(c->out, (const uint8_t *)key + klen - 20);
}

/**
 * persons_members(txn, label, out):
 * Add the members of person ${label} to ${out}: at least the label
 * itself.  Returns 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
persons_members(struct seen_txn *txn, const uint8_t label[20],
    struct idset *out)
{
    struct tail_ctx c = {out, 41}; /* "M" || label || entry */
    uint8_t k[21];
    int rc;

    k[0] = 'M';
    memcpy(k + 1, label, 20);
    if ((rc = seen_store_iter(txn, SEEN_DB_PERSONS, k, 21, on_tail, &c)) != 0)
        return rc;
    if (out->n == 0)
        return idset_add(out, label);
    return 0;
}

/* Add the entry that is the value, one of a group's (a
 * seen_store_iter_fn over the struct idset ${ctx}). */
static int
on_member(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{

    (void)key;
    (void)klen;
    return vlen != 20 ? SEEN_ECORRUPT : idset_add(ctx, val);
}

/**
 * persons_group(txn, group, out):
 * Add the entries of the record of group ${group} to ${out}.  Returns 0,
 * SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
persons_group(struct seen_txn *txn, const uint8_t group[16],
    struct idset *out)
{

    return seen_store_iter(txn, SEEN_DB_GROUPS, group, 16, on_member, out);
}

/**
 * persons_join_group(txn, group, id):
 * Record that entry ${id} is in the record of group ${group}.  Returns 0
 * or an error of the store.
 */
int
persons_join_group(struct seen_txn *txn, const uint8_t group[16],
    const uint8_t id[20])
{

    return seen_store_put(txn, SEEN_DB_GROUPS, group, 16, id, 20);
}

/**
 * persons_drop(txn, id, label, group):
 * Forget the person and group of the retracted entry ${id}, writing the
 * label it had to ${label} and its group to ${group} (${id} and zeros
 * when it had none).  Returns 0 (also when it had none), or the store's
 * code for its person record.
 */
int
persons_drop(struct seen_txn *txn, const uint8_t id[20], uint8_t label[20],
    uint8_t group[16])
{
    uint8_t k[41];
    const void *v;
    size_t vlen;
    int rc;

    memcpy(label, id, 20);
    memset(group, 0, 16);
    if (!person_record(txn, id, &v, &vlen) || vlen != 36)
        return 0;
    k[0] = 'E';
    memcpy(k + 1, id, 20);
    memcpy(label, v, 20);
    memcpy(group, (const uint8_t *)v + 20, 16);
    /* Its group and member records go too, when they are there. */
    rc = seen_store_del(txn, SEEN_DB_GROUPS, group, 16, id, 20);
    if ((rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 21, NULL, 0)) != 0)
        return rc;
    k[0] = 'M';
    memcpy(k + 1, label, 20);
    memcpy(k + 21, id, 20);
    rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 41, NULL, 0);
    return 0;
}

/*
 * Make ${label} the person of entry ${id} (with record group ${group});
 * ${old} is its label now.  Nothing is written when the store says so
 * already.
 */
static int
set_label(struct seen_txn *txn, const uint8_t id[20], const uint8_t group[16],
    const uint8_t label[20], const uint8_t old[20], int same)
{
    uint8_t k[41], v[36];
    const void *cur;
    size_t clen;
    int rc;

    k[0] = 'M';
    memcpy(k + 1, label, 20);
    memcpy(k + 21, id, 20);
    if (same && seen_store_get(txn, SEEN_DB_PERSONS, k, 41, &cur, &clen) ==
                    0 &&
        clen == 0)
        return 0;
    memcpy(k + 1, old, 20);
    rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 41, NULL, 0);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    memcpy(k + 1, label, 20);
    if ((rc = seen_store_put(txn, SEEN_DB_PERSONS, k, 41, "", 0)) != 0)
        return rc;
    k[0] = 'E';
    memcpy(k + 1, id, 20);
    memcpy(v, label, 20);
    memcpy(v + 20, group, 16);
    return seen_store_put(txn, SEEN_DB_PERSONS, k, 21, v, 36);
}

/*
 * The label of ${id} now, to ${old} (as persons_label_of); *${same} is 1
 * when its person record is exactly ${label} || ${group}.
 */
static void
label_now(struct seen_txn *txn, const uint8_t id[20], const uint8_t label[20],
    const uint8_t group[16], uint8_t old[20], int *same)
{
    const void *v;
    size_t vlen;

    *same = 0;
    if (person_record(txn, id, &v, &vlen)) {
        memcpy(old, v, 20);
        *same = vlen == 36 && memcmp(v, label, 20) == 0 &&
                memcmp((const uint8_t *)v + 20, group, 16) == 0;
    } else
        memcpy(old, id, 20);
}

/* A set of entry ids as indices into an idset (open addressing). */
struct idx_set {
    const struct step *s;   /* for step_id_hash */
    uint32_t *slot;         /* index + 1; 0 when empty */
    size_t mask;
};

/* The index of ${id} in ${ids} through ${h}, or SIZE_MAX. */
static size_t
idx_find(const struct idx_set *h, const struct idset *ids,
    const uint8_t id[20])
{
    size_t j;

    for (j = step_id_hash(h->s, id) & h->mask; h->slot[j] != 0;
         j = (j + 1) & h->mask)
        if (memcmp(ids->v[h->slot[j] - 1], id, 20) == 0)
            return h->slot[j] - 1;
    return SIZE_MAX;
}

/* Put ${id}, at index ${i} of its idset, in ${h} (not there yet). */
static void
idx_put(struct idx_set *h, const uint8_t id[20], size_t i)
{
    size_t j;

    for (j = step_id_hash(h->s, id) & h->mask; h->slot[j] != 0;
         j = (j + 1) & h->mask)
        ;
    h->slot[j] = (uint32_t)i + 1;
}

/*
 * The component reclustered around a change: the entries reached over
 * match-band links, the links read on the way (by entry: nboff[i] and
 * nbn[i] in nb, nbn[i] SIZE_MAX when unread), and, once loaded, the live
 * ones as items and the links among them.
 */
struct comp {
    struct step *s;
    struct idset ids;           /* entries reached, the seeds first */
    struct idx_set in;          /* where each is in ids */
    struct nbrs nb;
    size_t *nboff, *nbn;
    size_t *live;               /* index of ids[i] among the live, or
                                   SIZE_MAX */
    const struct ent **e;       /* the live entries */
    struct seen_cluster_item *items;
    size_t nlive;
    struct seen_cluster_link *links;
    size_t nlinks, caplinks;
    uint32_t *label;            /* by live entry: the live entry that
                                   labels its person */
};

/* Free what ${c} holds. */
static void
comp_release(struct comp *c)
{

    free(c->in.slot);
    free(c->nboff);
    free(c->nbn);
    free(c->live);
    free(c->e);
    free(c->items);
    free(c->label);
    free(c->links);
    free(c->ids.v);
    free(c->nb.v);
}

/* Add ${id}, its links unread, to the component (a seed given twice is
 * there twice, found as the first). */
static int
comp_add(struct comp *c, const uint8_t id[20])
{
    int rc;

    if ((rc = idset_add(&c->ids, id)) != 0)
        return rc;
    if (idx_find(&c->in, &c->ids, id) == SIZE_MAX)
        idx_put(&c->in, id, c->ids.n - 1);
    c->nbn[c->ids.n - 1] = SIZE_MAX;
    return 0;
}

/*
 * Reach the component from ${seeds}: breadth first over match-band links
 * and the possible-band links that support lifts (support.c), bounded; each expanded entry's links (with weights) are kept for
 * comp_links.
 */
static int
comp_reach(struct comp *c, const struct idset *seeds)
{
    size_t i, j, q, n, cap = seeds->n + COMPONENT_MAX;
    int rc;

    for (n = 64; n < 2 * cap; n *= 2)
        ;
    if ((c->in.slot = calloc(n, sizeof *c->in.slot)) == NULL ||
        (c->nboff = calloc(cap, sizeof *c->nboff)) == NULL ||
        (c->nbn = malloc(cap * sizeof *c->nbn)) == NULL)
        return SEEN_ENOMEM;
    c->in.mask = n - 1;
    for (i = 0; i < seeds->n; i++)
        if ((rc = comp_add(c, seeds->v[i])) != 0)
            return rc;
    for (q = 0; q < c->ids.n && c->ids.n < COMPONENT_MAX; q++) {
        c->nboff[q] = c->nb.n;
        if ((rc = support_links(c->s, c->ids.v[q], &c->nb)) != 0)
            return rc;
        c->nbn[q] = c->nb.n - c->nboff[q];
        for (j = c->nboff[q]; j < c->nb.n && c->ids.n < COMPONENT_MAX; j++) {
            if (idx_find(&c->in, &c->ids, c->nb.v[j].id) != SIZE_MAX)
                continue;
            if ((rc = comp_add(c, c->nb.v[j].id)) != 0)
                return rc;
        }
    }
    return 0;
}

/*
 * Load the live entries of the component as items to cluster.  Returns 0;
 * SEEN_ENOTFOUND (as entry_read's last code) when none of them is live;
 * an error.
 */
static int
comp_load(struct comp *c)
{
    struct seen_score_side sa;
    const struct ent *e;
    size_t i, n = c->ids.n;
    int rc;

    if ((c->e = calloc(n, sizeof *c->e)) == NULL ||
        (c->live = calloc(n, sizeof *c->live)) == NULL ||
        (c->items = calloc(n, sizeof *c->items)) == NULL ||
        (c->label = calloc(n, sizeof *c->label)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++) {
        c->live[i] = SIZE_MAX;
        if ((e = step_entry(c->s, c->ids.v[i], &rc)) == NULL) {
            if (rc == SEEN_ENOTFOUND)
                continue;
            return rc;
        }
        c->e[c->nlive] = e;
        c->live[i] = c->nlive;
        memcpy(c->items[c->nlive].id, e->gid, 48);
        if (e->fe->entry->group.len == 16)
            memcpy(c->items[c->nlive].group, e->fe->entry->group.data, 16);
        entry_side(e, &sa);
        c->items[c->nlive].tokens = sa.tokens;
        c->items[c->nlive].ntokens = sa.ntokens;
        c->items[c->nlive].bloom = sa.bloom;
        c->items[c->nlive].birth_band = sa.birth_band;
        /* Its links, if comp_reach read them, move with it. */
        c->nboff[c->nlive] = c->nboff[i];
        c->nbn[c->nlive] = c->nbn[i];
        c->nlive++;
    }
    return c->nlive == 0 ? SEEN_ENOTFOUND : 0;
}

/* Add link ${a} -- ${b} of weight ${w} to the component's. */
static int
comp_link(struct comp *c, size_t a, size_t b, double w)
{
    void *p;

    if (c->nlinks == c->caplinks) {
        c->caplinks = c->caplinks ? c->caplinks * 2 : 64;
        if ((p = realloc(c->links, c->caplinks * sizeof *c->links)) == NULL)
            return SEEN_ENOMEM;
        c->links = p;
    }
    c->links[c->nlinks].a = (uint32_t)a;
    c->links[c->nlinks].b = (uint32_t)b;
    c->links[c->nlinks].weight = w;
    c->nlinks++;
    return 0;
}

/* The match-band links among the live entries (and those support lifts
 * into it), each once, in the order of the live entries and of their
 * links. */
static int
comp_links(struct comp *c)
{
    size_t i, j, q, off, cnt;
    int rc;

    for (i = 0; i < c->nlive; i++) {
        off = c->nboff[i];
        cnt = c->nbn[i];
        if (cnt == SIZE_MAX) {
            off = c->nb.n;
            if ((rc = support_links(c->s, c->e[i]->id, &c->nb)) != 0)
                return rc;
            cnt = c->nb.n - off;
        }
        for (q = off; q < off + cnt; q++) {
            j = idx_find(&c->in, &c->ids, c->nb.v[q].id);
            if (j == SIZE_MAX || (j = c->live[j]) == SIZE_MAX || j <= i)
                continue;
            if ((rc = comp_link(c, i, j, c->nb.v[q].w)) != 0)
                return rc;
        }
    }
    return 0;
}

/* Write the labels seen_cluster_run gave; add to ${labels} each person
 * touched, old and new. */
static int
comp_relabel(struct comp *c, struct idset *labels)
{
    struct seen_txn *txn = c->s->txn;
    const uint8_t *hit;
    uint8_t lab[20];
    size_t i;
    int rc, same;

    for (i = 0; i < c->nlive; i++) {
        hit = c->e[c->label[i]]->id;
        label_now(txn, c->e[i]->id, hit, c->items[i].group, lab, &same);
        if (memcmp(lab, hit, 20) != 0 &&
            (rc = idset_add(labels, lab)) != 0) /* its old person too */
            return rc;
        if ((rc = set_label(txn, c->e[i]->id, c->items[i].group, hit, lab,
                 same)) != 0)
            return rc;
        if ((rc = idset_add(labels, hit)) != 0)
            return rc;
    }
    return 0;
}

/* Add the entries of ${c} to the set ${done} (its ids, ${h} where each
 * is), growing ${h} as needed. */
static int
done_add(struct idset *done, struct idx_set *h, const struct comp *c)
{
    uint32_t *slot;
    size_t i, n;
    int rc;

    for (i = 0; i < c->ids.n; i++) {
        if (h->slot != NULL && idx_find(h, done, c->ids.v[i]) != SIZE_MAX)
            continue;
        if ((rc = idset_add(done, c->ids.v[i])) != 0)
            return rc;
        if (h->slot == NULL || done->n * 2 > h->mask) {
            for (n = 1024; n < done->n * 4; n *= 2)
                ;
            if ((slot = calloc(n, sizeof *slot)) == NULL)
                return SEEN_ENOMEM;
            free(h->slot);
            h->slot = slot;
            h->mask = n - 1;
            for (n = 0; n < done->n; n++)
                idx_put(h, done->v[n], n);
        } else
            idx_put(h, c->ids.v[i], done->n - 1);
    }
    return 0;
}

/* Cluster again the component around ${seeds}, write the labels that
 * change, and add the persons touched to ${labels}; with ${done} set, add
 * the component's entries to it (${h} where each is). */
static int
recluster(struct step *s, const struct idset *seeds, struct idset *labels,
    struct idset *done, struct idx_set *h)
{
    struct comp c;
    int rc;

    memset(&c, 0, sizeof c);
    c.s = s;
    c.in.s = s;
    if ((rc = comp_reach(&c, seeds)) != 0 || (rc = comp_load(&c)) != 0 ||
        (rc = comp_links(&c)) != 0 ||
        (rc = seen_cluster_run(c.items, c.nlive, c.links, c.nlinks,
             c.label)) != 0 ||
        (rc = comp_relabel(&c, labels)) != 0)
        goto done;
    if (done != NULL)
        rc = done_add(done, h, &c);
done:
    comp_release(&c);
    return rc;
}

/**
 * persons_recluster(s, seeds):
 * Cluster again the component of match links around ${seeds}, write the
 * labels that change, and run the alert rules on the persons touched.
 * Returns 0; SEEN_ENOTFOUND when no entry of the component is live; an
 * error.
 */
int
persons_recluster(struct step *s, const struct idset *seeds)
{
    struct idset labels = {0};
    int rc;

    if ((rc = recluster(s, seeds, &labels, NULL, NULL)) == 0) {
        idset_sort(&labels);
        rc = alerts_raise(s, &labels);
    }
    free(labels.v);
    return rc;
}

/**
 * persons_recluster_each(s, seeds):
 * What persons_recluster on each of ${seeds} in turn would leave, with
 * less work: the components are clustered again from the last seed to
 * the first, a seed that a later one's component reached is passed over
 * (the links do not change meanwhile, so its component is the same), and
 * the alert rules run once, on every person touched.  Returns 0 (also
 * when a seed is not live) or an error.
 */
int
persons_recluster_each(struct step *s, const struct idset *seeds)
{
    struct idset labels = {0}, done = {0}, one = {0};
    struct idx_set h = {s, NULL, 0};
    size_t i;
    int rc = 0;

    for (i = seeds->n; i-- > 0 && (rc == 0 || rc == SEEN_ENOTFOUND);) {
        rc = 0;
        if (h.slot != NULL && idx_find(&h, &done, seeds->v[i]) != SIZE_MAX)
            continue;
        one.n = 0;
        if ((rc = idset_add(&one, seeds->v[i])) == 0)
            rc = recluster(s, &one, &labels, &done, &h);
    }
    if (rc == 0 || rc == SEEN_ENOTFOUND) {
        idset_sort(&labels);
        rc = alerts_raise(s, &labels);
    }
    free(h.slot);
    free(done.v);
    free(one.v);
    free(labels.v);
    return rc;
}

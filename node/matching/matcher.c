/*
 * matcher.c: the matcher's step (matcher.h).  A durable cursor per feed,
 * "match" || origin(4) -> next leaf in SEEN_DB_CURSORS, says how far it
 * has been matched; each step follows the feeds from there in one write
 * transaction.  A new entry is scored against the entries that share a
 * blocking token with it and linked to those in the match and possible
 * bands (links.c); a retracted one loses its links and person
 * (persons.c); either way the component around it is clustered again.
 * matcher_internal.h lists the other files.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/log.h"
#include "match/cluster.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/matcher.h"
#include "node/matching/matcher_internal.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/retain.h"
#include "storage/store.h"

#define BLOCK_MAX 2000    /* candidates read from one block */

/**
 * match_candidates(s, x, cand):
 * The entries that share a blocking token with ${x} (sorted, once each,
 * perhaps with ${x} itself) to ${cand}; each block read gives at most
 * BLOCK_MAX.  Returns 0 or an error of the index.
 */
int
match_candidates(struct step *s, const Seen__IndexEntry *x,
    struct seen_index_refs *cand)
{
    size_t i;
    int rc;

    cand->block_max = BLOCK_MAX;
    for (i = 0; i + SEEN_TOKEN_ITEM <= x->tokens.len; i += SEEN_TOKEN_ITEM) {
        if (!seen_rule_is_block(x->tokens.data[i]))
            continue;
        if ((rc = step_postings(s, x->tokens.data + i, cand)) != 0)
            return rc;
    }
    seen_index_refs_sort(cand);
    return 0;
}

/* The seconds the clustering of one new entry took in the last step that
 * clustered any, the process's (a node runs one matcher; the lock is for
 * any other caller): what a step with a time limit keeps for it. */
static struct {
    pthread_mutex_t lock;
    double s;
} cluster_cost = {PTHREAD_MUTEX_INITIALIZER, 0};

/* Read (${set} 0) or write the seconds kept for clustering an entry. */
static double
cluster_seconds(int set, double v)
{

    pthread_mutex_lock(&cluster_cost.lock);
    if (set)
        cluster_cost.s = v;
    v = cluster_cost.s;
    pthread_mutex_unlock(&cluster_cost.lock);
    return v;
}

/* Cluster again around the new entries linked since the last time
 * (persons_recluster_each), and forget them. */
static int
flush_pending(struct step *s)
{
    double t0;
    int rc;

    if (s->pend->n == 0)
        return 0;
    t0 = seen_clock_mono();
    rc = persons_recluster_each(s, s->pend);
    (void)cluster_seconds(1, (seen_clock_mono() - t0) / (double)s->pend->n);
    s->pend->n = 0;
    return rc;
}

/* Entry ${id}, of another origin, arrived past its expiry: withdraw it
 * and its postings before it is matched (it has no links yet). */
static int
drop_expired(struct step *s, const uint8_t id[20])
{
    int rc;

    rc = seen_index_remove(s->txn, seen_rd32(id), id + 4);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    step_postings_forget(s); /* read again, without its postings */
    s->m->expired++;
    return 0;
}

/* Keep the matched entry ${e} in SEEN_DB_RETAIN when it carries an expiry
 * (storage/retain.h), so that it is dropped once that passes. */
static int
hold(struct step *s, const struct ent *e)
{
    struct seen_retain_item it;

    if (e->fe->entry->expiry == 0)
        return 0;
    it.expiry = e->fe->entry->expiry;
    it.oidx = seen_rd32(e->id);
    it.seq = e->seq;
    memcpy(it.handle, e->id + 4, 16);
    return seen_retain_put(s->txn, &it);
}

static uint64_t matched_to(struct step *s, uint32_t o);

/* Link new entry ${id} to its candidates; it is clustered with the others
 * of the step once they are all linked (flush_pending).  A candidate the
 * matcher has not reached yet is left to link itself to this one when it
 * is reached (this one is live by then, or its links go): each pair is
 * scored once, when the later of the two is matched, with the same
 * sides, and so the same weight, that the second scoring of the pair
 * stored when both were scored. */
static int
match_new(struct step *s, const uint8_t id[20])
{
    struct seen_index_refs cand = {0};
    const struct ent *me, *other;
    struct seen_score_side sa, sb;
    enum seen_band band;
    const Seen__IndexEntry *x;
    double w;
    size_t i;
    int rc;

    if ((me = step_entry(s, id, &rc)) == NULL)
        return rc == SEEN_ENOTFOUND ? 0 : rc;
    x = me->fe->entry;
    /* Past its expiry: never matched, and no longer held (docs/
     * protocol.md, "Retention"); the node's own is retracted by its
     * indexer, whose retraction peers need. */
    if (entry_expired(x, s->today))
        return seen_rd32(id) == s->own ? 0 : drop_expired(s, id);
    if (x->group.len == 16 &&
        (rc = persons_join_group(s->txn, x->group.data, id)) != 0)
        goto done;
    if ((rc = match_candidates(s, x, &cand)) != 0)
        goto done;
    entry_side(me, &sa);
    for (i = 0; i < cand.n; i++) {
        if (seen_index_ref_seq(cand.v[i]) >=
            matched_to(s, seen_index_ref_oidx(cand.v[i])))
            continue;
        other = step_entry_at(s, seen_index_ref_oidx(cand.v[i]),
            seen_index_ref_seq(cand.v[i]), &rc);
        if (other == NULL) {
            if (rc == SEEN_ENOMEM)
                goto done;
            continue;
        }
        if (memcmp(other->id, id, 20) == 0 ||
            entry_expired(other->fe->entry, s->today))
            continue;
        entry_side(other, &sb);
        w = seen_score_weight(&sa, &sb, &band);
        if (band == SEEN_BAND_NO)
            continue;
        if ((rc = links_put(s->txn, id, other->id, w)) != 0)
            goto done;
        /* A match-band link may lift possible-band links between the
         * other people of the two records (support.c). */
        if (w >= SEEN_CLUSTER_MERGE_AT &&
            (rc = support_seeds(s, other->id, 0, s->pend)) != 0)
            goto done;
    }
    if ((rc = idset_add(s->pend, id)) != 0 || (rc = hold(s, me)) != 0)
        goto done;
    s->m->matched++;
done:
    free(cand.v);
    return rc;
}

/* Add to ${out} the labels of the entries of record group ${group} (all
 * zeros: none). */
static int
group_labels(struct step *s, const uint8_t group[16], struct idset *out)
{
    static const uint8_t none[16];
    struct idset grp = {0};
    uint8_t lab[20];
    size_t i;
    int rc;

    if (memcmp(group, none, 16) == 0)
        return 0;
    if ((rc = persons_group(s->txn, group, &grp)) != 0)
        goto done;
    for (i = 0; i < grp.n && rc == 0; i++) {
        persons_label_of(s->txn, grp.v[i], lab);
        rc = idset_add(out, lab);
    }
done:
    free(grp.v);
    return rc;
}

/**
 * match_drop(s, id):
 * Entry ${id} is no longer live (retracted, or dropped once its expiry
 * passed): drop its links and person, cluster its neighbours again, and
 * run the alert rules on its person and on the persons of its record, so
 * that their alerts are withdrawn by the rules.  Returns 0 or an error.
 */
int
match_drop(struct step *s, const uint8_t id[20])
{
    struct idset nb = {0}, seeds = {0}, labels = {0};
    uint8_t label[20], group[16];
    size_t i;
    int rc;

    /* The entries linked before it are clustered as they were linked. */
    if ((rc = flush_pending(s)) != 0)
        return rc;
    /* Its match-band links may have lifted links between the people
     * around it: those are clustered again too (support.c). */
    if ((rc = links_of(s->txn, id, -1e9, &nb)) != 0 ||
        (rc = support_seeds(s, id, 1, &seeds)) != 0 ||
        (rc = links_drop(s->txn, id, &nb)) != 0 ||
        (rc = persons_drop(s->txn, id, label, group)) != 0)
        goto done;
    for (i = 0; i < nb.n; i++)
        if ((rc = idset_add(&seeds, nb.v[i])) != 0)
            goto done;
    rc = seeds.n ? persons_recluster_each(s, &seeds) : 0;
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        goto done;
    /* A person of this entry alone, or the others of its record (a
     * perpetrator whose children it was), may have lost an alert that
     * no reclustering reaches. */
    if ((rc = idset_add(&labels, label)) != 0 ||
        (rc = group_labels(s, group, &labels)) != 0)
        goto done;
    idset_sort(&labels);
    rc = alerts_raise(s, &labels);
done:
    free(nb.v);
    free(seeds.v);
    free(labels.v);
    return rc == SEEN_ENOTFOUND ? 0 : rc;
}

/* Match leaf ${leaf} (${len} bytes) of origin ${o}: an entry or a
 * retraction. */
static int
match_leaf(struct step *s, uint32_t o, const uint8_t *leaf, size_t len)
{
    Seen__FeedEntry *fe;
    uint8_t id[20];
    int rc = 0;

    if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL)
        return 0; /* checked on arrival; never here */
    seen_be32(id, o);
    if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY &&
        fe->entry->handle.len == 16) {
        memcpy(id + 4, fe->entry->handle.data, 16);
        rc = match_new(s, id);
    } else if (fe->body_case == SEEN__FEED_ENTRY__BODY_RETRACTION &&
        fe->retraction->handle.len == 16) {
        memcpy(id + 4, fe->retraction->handle.data, 16);
        rc = match_drop(s, id);
    }
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc;
}

/* The key of origin ${o}'s match cursor: "match" || o (big-endian). */
static void
cursor_key(uint32_t o, uint8_t ck[9])
{

    memcpy(ck, "match", 5);
    seen_be32(ck + 5, o);
}

/* The next leaf of origin ${o}'s feed the matcher will reach (0 when it
 * has none yet). */
static uint64_t
cursor_of(struct seen_txn *txn, uint32_t o)
{
    const void *v;
    uint8_t ck[9];
    size_t len;

    cursor_key(o, ck);
    return seen_store_get(txn, SEEN_DB_CURSORS, ck, 9, &v, &len) == 0 &&
                   len == 8
               ? seen_rd64(v)
               : 0;
}

/* The slot of origin ${o} in the step's table of next leaves, made as
 * not read yet (UINT64_MAX); NULL when out of memory. */
static uint64_t *
next_slot(struct step *s, uint32_t o)
{
    uint64_t *p;
    size_t n, i;

    if (o >= s->nmnext) {
        n = (size_t)o + 16;
        if ((p = realloc(s->mnext, n * sizeof *p)) == NULL)
            return NULL;
        for (i = s->nmnext; i < n; i++)
            p[i] = UINT64_MAX;
        s->mnext = p;
        s->nmnext = n;
    }
    return &s->mnext[o];
}

/* The next leaf of origin ${o} the matcher will reach, as the step has
 * moved it so far: every leaf before it has been matched.  Out of memory,
 * UINT64_MAX (every leaf taken as matched: a candidate is scored as it
 * always may be). */
static uint64_t
matched_to(struct step *s, uint32_t o)
{
    uint64_t *p;

    if ((p = next_slot(s, o)) == NULL)
        return UINT64_MAX;
    if (*p == UINT64_MAX)
        *p = cursor_of(s->txn, o);
    return *p;
}

/* Whether the step ${s}, ${done} leaves into it, is to end before the
 * next: the clock, with the clustering its new entries will take, past
 * its end, or past the matcher's yield_after with something waiting. */
static int
step_over(struct step *s, size_t done)
{
    const struct seen_matcher *m = s->m;
    double t = seen_clock_mono() + (double)s->pend->n * s->cluster_s;

    return t >= s->until ||
           (m->yield != NULL && done % SEEN_MATCHER_YIELD_EVERY == 0 &&
               t - s->t0 >= m->yield_after && m->yield(m->yctx));
}

/* Follow origin ${o}'s feed from its cursor while *${done} < ${budget},
 * counting the leaves in *${done}, and move the cursor on. */
static int
follow_feed(struct step *s, uint32_t o, size_t budget, size_t *done)
{
    struct seen_txn *txn = s->txn;
    const uint8_t *leaf;
    uint8_t ck[9], cv[8];
    uint64_t size, next = cursor_of(txn, o);
    size_t len;
    int rc;

    cursor_key(o, ck);
    if ((rc = seen_feed_size(txn, o, &size)) != 0)
        return rc;
    /* Nothing new: nothing written, so that a node at rest is quiet (an
     * absent cursor is 0). */
    if (next >= size)
        return 0;
    /* Where a candidate of this feed counts as matched (matched_to):
     * kept true, or a pair could be left to each of its two ends. */
    if (next_slot(s, o) == NULL)
        return SEEN_ENOMEM;
    for (; next < size && *done < budget; next++, (*done)++) {
        s->mnext[o] = next; /* (the table may move as it grows) */
        /* The new entries linked are clustered after the last: that
         * time is kept for (as the last step took it). */
        if (s->until > 0 && *done > 0 && step_over(s, *done)) {
            s->until = -1; /* time is up: the step ends here */
            break;
        }
        /* A long step clusters what it has linked once that would keep
         * something that comes to wait longer than yield_after (what a
         * short step would have clustered), and goes on. */
        if (s->m->yield != NULL &&
            (double)s->pend->n * s->cluster_s >= s->m->yield_after &&
            (rc = flush_pending(s)) != 0)
            return rc;
        step_trim(s);
        if ((rc = seen_feed_leaf(txn, o, next, &leaf, &len)) != 0 ||
            (rc = match_leaf(s, o, leaf, len)) != 0)
            return rc;
    }
    s->mnext[o] = next;
    seen_be64(cv, next);
    return seen_store_put(txn, SEEN_DB_CURSORS, ck, 9, cv, 8);
}

/**
 * seen_matcher_step(m, budget):
 * Match up to ${budget} new leaves of the feeds held, in one transaction.
 * Returns the number of leaves processed (0 when all is matched), or a
 * negative error.  A step decodes each entry it reads once and keeps it
 * for the rest of the step (about 32 MiB at most, then it starts again);
 * while there is a backlog, up to 32 MiB of that memory is kept for the
 * next step, and none after a step that finds nothing to match or fails.
 */
int
seen_matcher_step(struct seen_matcher *m, size_t budget)
{

    return seen_matcher_step_until(m, budget, 0);
}

/**
 * seen_matcher_step_until(m, budget, until):
 * As seen_matcher_step(), and stop early, after at least one leaf, once
 * the monotonic clock (common/clock.h) passes ${until} (0: no limit): what
 * keeps a daemon's loop answering while it matches a large backlog.  A
 * step links its new entries first and clusters them after the last, so
 * the linking stops early enough to leave them the time their clustering
 * took in the last step.
 */
int
seen_matcher_step_until(struct seen_matcher *m, size_t budget, double until)
{
    struct idset pend = {0};
    struct seen_txn *txn;
    struct step s;
    uint64_t count;
    size_t done = 0;
    uint32_t o;
    int rc;

    if ((rc = rules_check(m)) != 0 ||
        (rc = seen_store_begin(m->store, 1, &txn)) != 0)
        return rc;
    step_init(&s, m, txn);
    s.until = until;
    s.t0 = seen_clock_mono();
    s.pend = &pend;
    s.cluster_s = until > 0 ? cluster_seconds(0, 0) : 0;
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        goto fail;
    for (o = 1; o <= count / 2 && done < budget && s.until >= 0; o++)
        if ((rc = follow_feed(&s, o, budget, &done)) != 0)
            goto fail;
    if ((rc = flush_pending(&s)) != 0)
        goto fail;
    free(pend.v);
    step_release(&s);
    if (done == 0)
        step_pool_empty(); /* caught up */
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    return (int)done;
fail:
    free(pend.v);
    step_release(&s);
    step_pool_empty();
    seen_store_abort(txn);
    seen_error("matching failed: %s", seen_strerror(rc));
    return rc;
}

/* 0 when the matcher has followed origin ${o}'s feed past ${seq};
 * SEEN_EAGAIN when not yet. */
static int
matched_past(struct seen_txn *txn, uint32_t o, uint64_t seq)
{

    return cursor_of(txn, o) > seq ? SEEN_OK : SEEN_EAGAIN;
}

/**
 * seen_matcher_linked(txn, a, ha, b, hb, find):
 * Whether this node's matcher links entry ${ha} of origin ${a} to entry
 * ${hb} of origin ${b} (either band, match or possible), reading through
 * ${txn}.  With ${find} set, *${hb} is an output instead: the first live
 * entry of origin ${b} linked to ${ha}.  Returns 0 when linked (both
 * entries live); SEEN_ENOTFOUND when an entry is not live or they are
 * not linked; SEEN_EAGAIN when both are live but the matcher has not yet
 * reached one of them (not linked yet: ask again after a step);
 * SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
seen_matcher_linked(struct seen_txn *txn, uint32_t a,
    const uint8_t ha[static 16], uint32_t b, uint8_t hb[static 16], int find)
{
    struct nbrs ns = {0};
    uint8_t id[20];
    uint64_t sa, sb;
    size_t i;
    int rc;

    if ((rc = seen_index_seq(txn, a, ha, &sa)) != 0)
        return rc;
    seen_be32(id, a);
    memcpy(id + 4, ha, 16);
    if ((rc = links_weighted(txn, id, 0.0, &ns)) != 0)
        goto out;
    rc = SEEN_ENOTFOUND;
    for (i = 0; i < ns.n && rc == SEEN_ENOTFOUND; i++) {
        if (seen_rd32(ns.v[i].id) != b ||
            (!find && memcmp(ns.v[i].id + 4, hb, 16) != 0) ||
            seen_index_seq(txn, b, ns.v[i].id + 4, &sb) != 0)
            continue;
        memcpy(hb, ns.v[i].id + 4, 16);
        rc = SEEN_OK;
    }
    /* Not linked: perhaps not matched yet. */
    if (rc == SEEN_ENOTFOUND && !find &&
        seen_index_seq(txn, b, hb, &sb) == 0 &&
        (matched_past(txn, a, sa) != 0 || matched_past(txn, b, sb) != 0))
        rc = SEEN_EAGAIN;
out:
    free(ns.v);
    return rc;
}

/**
 * seen_matcher_behind(txn, n):
 * Write to *${n} the leaves of the feeds held that the matcher has not
 * reached yet (each feed's size less its cursor), reading through
 * ${txn}.  Returns 0 or an error of the store.
 */
int
seen_matcher_behind(struct seen_txn *txn, uint64_t *n)
{
    uint64_t count, size, next;
    uint32_t o;
    int rc;

    *n = 0;
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        return rc;
    for (o = 1; o <= count / 2; o++) {
        if ((rc = seen_feed_size(txn, o, &size)) != 0)
            return rc;
        next = cursor_of(txn, o);
        if (size > next)
            *n += size - next;
    }
    return 0;
}

/*
 * heads.c: telling peers the heads of the feeds this node holds (HEADS,
 * docs/protocol.md "Rules"): every feed to a peer told none yet, then
 * only what changed since it was last told (partial), and the feeds a
 * peer's own HEADS show it lacks.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "node/replication/fed_impl.h"
#include "proto/checkpoint.h"
#include "proto/membership.h"
#include "storage/feed.h"
#include "storage/store.h"

/* ---- heads ---- */

/* The HEADS of every feed held, and the memory they point into; sel is
 * what one peer is told (heads_for). */
struct heads {
    Seen__Heads msg;
    Seen__FeedHead *h;
    Seen__FeedHead **hp;
    Seen__FeedHead **sel;
    uint64_t *changed; /* the hgen at which head i last changed */
    Seen__Checkpoint **cps;
    size_t n;
};

/* Free what ${hd} holds and empty it. */
static void
heads_free(struct heads *hd)
{
    size_t i;

    for (i = 0; i < hd->n; i++)
        seen_checkpoint_destroy(&hd->cps[i]);
    free(hd->h);
    free(hd->hp);
    free(hd->sel);
    free(hd->changed);
    free(hd->cps);
    memset(hd, 0, sizeof *hd);
}

/* The note of origin ${o} in fed->hseen, grown to hold it; NULL when out
 * of memory. */
static struct fed_hseen *
hseen_of(struct seen_fed *fed, uint32_t o)
{
    struct fed_hseen *v;
    size_t n;

    if (o >= fed->nhseen) {
        n = (size_t)o + 64;
        if ((v = realloc(fed->hseen, n * sizeof *v)) == NULL)
            return NULL;
        memset(v + fed->nhseen, 0, (n - fed->nhseen) * sizeof *v);
        fed->hseen = v;
        fed->nhseen = n;
    }
    return &fed->hseen[o];
}

/* Note that the checkpoint held of origin ${o} is of ${size}; return the
 * hgen at which it last changed (now, when unknown). */
static uint64_t
hseen_note(struct seen_fed *fed, uint32_t o, uint64_t size)
{
    struct fed_hseen *h = hseen_of(fed, o);

    if (h == NULL)
        return fed->hgen;
    if (h->size != size) {
        h->size = size;
        h->changed = fed->hgen;
    }
    return h->changed;
}

/* Build in ${hd} the heads of every feed held with a checkpoint, noting
 * which changed since the last build (the caller frees it with
 * heads_free).  Returns 0, SEEN_ENOMEM, or an error of the store (then
 * ${hd} is empty). */
static int
heads_build(struct seen_fed *fed, struct heads *hd)
{
    struct seen_txn *txn;
    uint8_t pk[32];
    size_t cap = 0;
    uint64_t size, count;
    uint32_t i;
    int rc;

    memset(hd, 0, sizeof *hd);
    seen__heads__init(&hd->msg);
    fed->hgen++;
    if ((rc = seen_store_begin(fed->store, 0, &txn)) != 0)
        return rc;
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        goto done;
    cap = (size_t)(count / 2) + 1;
    hd->h = calloc(cap, sizeof *hd->h);
    hd->hp = calloc(cap, sizeof *hd->hp);
    hd->sel = calloc(cap, sizeof *hd->sel);
    hd->changed = calloc(cap, sizeof *hd->changed);
    hd->cps = calloc(cap, sizeof *hd->cps);
    if (hd->h == NULL || hd->hp == NULL || hd->sel == NULL ||
        hd->changed == NULL || hd->cps == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 1; i <= count / 2 && hd->n < cap; i++) {
        /* Only active members' feeds: a peer takes no other (and
         * refuses HEADS of more heads than active members). */
        if (seen_store_origin_pk(txn, i, pk) != 0 ||
            !fed_member_active(fed, pk) ||
            seen_feed_size(txn, i, &size) != 0 || size == 0 ||
            (hd->cps[hd->n] = fed_feed_held(txn, i)) == NULL)
            continue;
        /* A catch-up keeps the checkpoint with its first batch: until its
         * last leaves are in, nothing of that feed can be proved to the
         * checkpoint, so none is served (fed_on_get_range) or announced,
         * lest peers ask in vain. */
        if (size < hd->cps[hd->n]->size) {
            seen_checkpoint_destroy(&hd->cps[hd->n]);
            continue;
        }
        seen__feed_head__init(&hd->h[hd->n]);
        hd->h[hd->n].origin.data = hd->cps[hd->n]->origin.data;
        hd->h[hd->n].origin.len = 32;
        /* Serve only what a checkpoint covers. */
        hd->h[hd->n].size = hd->cps[hd->n]->size;
        hd->h[hd->n].checkpoint = hd->cps[hd->n];
        hd->hp[hd->n] = &hd->h[hd->n];
        /* Changed when what it can serve changed: the checkpoint. */
        hd->changed[hd->n] = hseen_note(fed, i, hd->cps[hd->n]->size);
        hd->n++;
    }
    rc = SEEN_OK;
done:
    seen_store_abort(txn);
    if (rc != 0)
        heads_free(hd);
    return rc;
}

/* Point ${hd}'s message at what the peer ${p} is told: every head when
 * ${whole}, else those changed since it was last told (partial). */
static void
heads_for(struct heads *hd, const struct fed_peer *p, int whole)
{
    size_t i, k = 0;

    for (i = 0; i < hd->n; i++)
        if (whole || hd->changed[i] > p->hsent)
            hd->sel[k++] = hd->hp[i];
    hd->msg.heads = hd->sel;
    hd->msg.n_heads = k;
    hd->msg.partial = !whole;
}

/**
 * fed_heads_due_at(fed, p):
 * The monotonic time from which the peer ${p} is owed HEADS (see
 * fed_send_heads): once its backoff is over when the feeds changed since
 * it was told or it is owed an answer, and heads_every after it was last
 * told in any case.
 */
double
fed_heads_due_at(const struct seen_fed *fed, const struct fed_peer *p)
{
    double every = p->last_heads + fed->opts.heads_every;

    if ((p->gen_sent != fed->gen || p->heads_owed) && p->retry_at < every)
        return p->retry_at;
    return every;
}

/* 1 when the peer ${p} is owed a HELLO at ${t}. */
static int
hello_due(const struct fed_peer *p, double t)
{

    return p->hello_due && t >= p->retry_at;
}

/**
 * fed_send_heads(fed, all):
 * Queue HEADS (and a HELLO when one is owed) to every peer (with ${all}
 * 0, only to those not told since the feeds last changed, those owed an
 * answer, and those told nothing for fed->opts.heads_every seconds; a
 * peer to which the last could not be sent waits its backoff).  A peer
 * is told every feed held when it was told none yet, the last could not
 * be sent, or it was last told all FED_FULL_HEADS_EVERY ago; otherwise
 * only the feeds changed since (partial): what a new entry costs does
 * not grow with the number of members.
 */
void
fed_send_heads(struct seen_fed *fed, int all)
{
    Seen__Hello hello = SEEN__HELLO__INIT;
    struct heads hd;
    double t = seen_clock_mono();
    size_t i;
    int built = 0, heads, whole;

    for (i = 0; i < fed->npeers; i++) {
        struct fed_peer *p = &fed->peers[i];

        heads = all || t >= fed_heads_due_at(fed, p);
        if ((all || hello_due(p, t)) && fed->doc != NULL) {
            hello.membership_version = seen_membership_version(fed->doc);
            hello.node = (char *)p->name;
            if (fed_queue_msg(fed, p->pk, SEEN__MSG_TYPE__HELLO,
                    (const ProtobufCMessage *)&hello, 0) == 0)
                p->hello_due = 0;
        }
        if (!heads)
            continue;
        if (!built) {
            if (heads_build(fed, &hd) != 0)
                return;
            built = 1;
        }
        whole = p->gen_sent == FED_GEN_NONE || p->hsent == 0 ||
            t - p->last_full >= FED_FULL_HEADS_EVERY;
        heads_for(&hd, p, whole);
        if (fed_queue_msg(fed, p->pk, SEEN__MSG_TYPE__HEADS,
                (const ProtobufCMessage *)&hd.msg, 0) != 0)
            continue;
        p->last_heads = t;
        if (whole)
            p->last_full = t;
        fed->heads.whole += whole;
        fed->heads.partial += !whole;
        fed->heads.listed += hd.msg.n_heads;
        p->gen_sent = fed->gen;
        p->hsent = fed->hgen;
        p->heads_owed = 0;
    }
    if (built)
        heads_free(&hd);
}

/**
 * fed_heads_undelivered(fed, to, type):
 * The transport did not take a HEADS or HELLO (${type}) for ${to}: tell
 * it again after a backoff (FED_RETRY_MIN doubling to FED_RETRY_MAX, or
 * heads_every when smaller), or as soon as it is heard from; of another
 * type, only start the backoff.
 */
void
fed_heads_undelivered(struct seen_fed *fed, const uint8_t to[32], int type)
{
    struct fed_peer *p = fed_find_peer(fed, to);
    double t = seen_clock_mono();

    if (p == NULL)
        return;
    if (type == SEEN__MSG_TYPE__HELLO)
        p->hello_due = 1;
    else if (type == SEEN__MSG_TYPE__HEADS)
        p->gen_sent = FED_GEN_NONE;
    if (p->retry_at <= t) { /* once for the HELLO and HEADS of one flush */
        p->retry_at = t + p->backoff;
        p->backoff *= 2;
        if (p->backoff > FED_RETRY_MAX)
            p->backoff = FED_RETRY_MAX;
        if (p->backoff > fed->opts.heads_every)
            p->backoff = fed->opts.heads_every;
        if (p->backoff < FED_RETRY_MIN)
            p->backoff = FED_RETRY_MIN;
    }
}

/**
 * fed_heads_delivered(fed, to):
 * The transport took a HEADS for ${to}: the next failure waits the least.
 */
void
fed_heads_delivered(struct seen_fed *fed, const uint8_t to[32])
{
    struct fed_peer *p = fed_find_peer(fed, to);

    if (p != NULL)
        p->backoff = FED_RETRY_MIN;
}

/* Owe the peer the head of origin ${o} (it lacks what this node can
 * serve): it is told in the next HEADS built, as if it had changed. */
static void
owe_head(struct seen_fed *fed, uint32_t o)
{
    struct fed_hseen *h = hseen_of(fed, o);

    if (h != NULL)
        h->changed = fed->hgen + 1;
}

/*
 * Owe ${from} the heads of the feeds of active members (its own aside)
 * of which this node can serve it more than the heads ${hs} it sent say
 * it holds: of the feeds they name when partial, of every feed held
 * when whole (a feed not named: none held).  Returns the number owed (0
 * also on memory exhaustion).
 */
static size_t
peer_behind(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const Seen__Heads *hs)
{
    Seen__FeedHead **v, key, *kp = &key, **found;
    Seen__Checkpoint *h;
    uint8_t pk[32];
    uint64_t count, size, ours;
    size_t i, n = 0, owed = 0;
    uint32_t o;

    if (seen_store_count(txn, SEEN_DB_ORIGINS, &count) != 0 ||
        (v = calloc(hs->n_heads + 1, sizeof *v)) == NULL)
        return 0;
    for (i = 0; i < hs->n_heads; i++)
        if (hs->heads[i]->origin.len == 32)
            v[n++] = hs->heads[i];
    qsort(v, n, sizeof *v, fed_head_cmp);
    seen__feed_head__init(&key);
    key.origin.len = 32;
    for (o = 1; o <= count / 2; o++) {
        if (seen_store_origin_pk(txn, o, pk) != 0 ||
            memcmp(pk, from, 32) == 0 || !fed_member_active(fed, pk))
            continue;
        key.origin.data = pk;
        found = bsearch(&kp, v, n, sizeof *v, fed_head_cmp);
        if ((found == NULL && hs->partial) ||
            seen_feed_size(txn, o, &size) != 0 || size == 0 ||
            (h = fed_feed_held(txn, o)) == NULL)
            continue;
        /* Nothing of a feed caught up in part can be served (above). */
        ours = size < h->size ? 0 : h->size;
        seen_checkpoint_destroy(&h);
        if (ours > (found != NULL ? (*found)->size : 0)) {
            owe_head(fed, o);
            owed++;
        }
    }
    free(v);
    return owed;
}

/**
 * fed_answer_heads(fed, txn, from, hs, body, blen):
 * Owe ${from} the heads of the feeds it holds less of than this node can
 * serve, unless its heads (the HEADS ${body}, ${blen} bytes) and what this
 * node holds are those it last answered: an answer the peer cannot use
 * (it refuses that feed) is not sent again and again.
 */
void
fed_answer_heads(struct seen_fed *fed, struct seen_txn *txn, const uint8_t from[32],
    const Seen__Heads *hs, const uint8_t *body, size_t blen)
{
    struct fed_peer *p;
    uint8_t d[16];

    if ((p = fed_find_peer(fed, from)) == NULL)
        return;
    crypto_generichash(d, sizeof d, body, blen, NULL, 0);
    if (memcmp(d, p->replied, sizeof d) == 0 && p->replied_gen == fed->gen)
        return;
    if (peer_behind(fed, txn, from, hs) == 0)
        return;
    memcpy(p->replied, d, sizeof d);
    p->replied_gen = fed->gen;
    fed->heads.answered++;
    p->heads_owed = 1;
    p->retry_at = 0;
}

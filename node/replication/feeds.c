/*
 * feeds.c: the replication of every member's feed (docs/protocol.md
 * §5-§7): taking peers' HEADS, asking for what this node lacks
 * (GET_RANGE), serving ranges and applying the leaves that come back
 * (ENTRIES), checkpointing this node's own feed, and keeping as evidence
 * any two checkpoints of one origin that cannot both be.  Telling peers
 * the heads held: heads.c.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/replication/fed_impl.h"
#include "proto/checkpoint.h"
#include "proto/feed_entry.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/retain.h"
#include "storage/space.h"
#include "storage/store.h"
#include "xlog/xlog.h"

/**
 * fed_feed_held(txn, oidx):
 * The checkpoint held of origin ${oidx}'s feed, decoded (the caller
 * destroys it with seen_checkpoint_destroy), or NULL when none is.
 */
Seen__Checkpoint *
fed_feed_held(struct seen_txn *txn, uint32_t oidx)
{
    Seen__Checkpoint *h;
    const uint8_t *b;
    size_t l;

    if (seen_feed_checkpoint(txn, oidx, &b, &l) != 0 ||
        seen_checkpoint_decode(b, l, &h) != 0)
        return NULL;
    return h;
}

/* ---- requests ---- */

/* The unanswered request for ${origin}'s feed, or NULL. */
static struct fed_want *
find_want(struct seen_fed *fed, const uint8_t origin[32])
{
    size_t i;

    for (i = 0; i < fed->nwants; i++)
        if (memcmp(fed->wants[i].origin, origin, 32) == 0)
            return &fed->wants[i];
    return NULL;
}

/* A new want of ${origin}'s feed, nothing asked yet; NULL when out of
 * memory. */
static struct fed_want *
new_want(struct seen_fed *fed, const uint8_t origin[32])
{
    struct fed_want *w;
    void *p;

    if ((p = realloc(fed->wants, (fed->nwants + 1) * sizeof *w)) == NULL)
        return NULL;
    fed->wants = p;
    w = &fed->wants[fed->nwants++];
    memset(w, 0, sizeof *w);
    memcpy(w->origin, origin, 32);
    w->gap = UINT64_MAX;
    w->to = UINT64_MAX;
    return w;
}

/* Ask ${peer} for leaves [from, to) of ${origin}, unless already asked
 * (and not timed out) or ${force}. */
static void
request(struct seen_fed *fed, const uint8_t peer[32], const uint8_t origin[32],
    uint64_t from, uint64_t to, int force)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    struct fed_want *w = find_want(fed, origin);
    double t = seen_clock_mono();

    if (w != NULL && !force && w->to > from && t - w->at < FED_WANT_TIMEOUT)
        return;
    if (to > from + SEEN_FED_RANGE)
        to = from + SEEN_FED_RANGE;
    if (seen_space_full(fed->store)) {
        /* Entries it could not keep: not asked now, but kept as a want,
         * asked once there is room (fed_wants_expire), not left to the
         * next HEADS, which may be an hour away (a chaos run saw a node
         * stay a feed behind so for 240 s after its disk had room). */
        if (w == NULL && (w = new_want(fed, origin)) == NULL)
            return;
        if (w->to == UINT64_MAX || w->to < to)
            w->first = w->to = to;
        memcpy(w->peer, peer, 32);
        w->at = t;
        w->resend_at = t + FED_FULL_RECHECK;
        return;
    }
    g.origin = (ProtobufCBinaryData){32, (uint8_t *)origin};
    g.from = from;
    g.to = to;
    if (fed_queue_msg(fed, peer, SEEN__MSG_TYPE__GET_RANGE,
            (const ProtobufCMessage *)&g, 0) != 0)
        return; /* retried on a later HEADS */
    fed->ranges.asked++;
    if (w == NULL && (w = new_want(fed, origin)) == NULL)
        return;
    /* The range after the one in flight, or a range on its own. */
    if (from != w->to || memcmp(w->peer, peer, 32) != 0)
        w->first = to;
    memcpy(w->peer, peer, 32);
    w->to = to;
    w->at = t;
    w->resend_at = 0;
}

/* When the request ${w} is to be asked again. */
static double
want_due(const struct fed_want *w)
{

    if (w->resend_at != 0)
        return w->resend_at;
    return w->at + FED_WANT_TIMEOUT * (double)(1u << w->tries);
}

/**
 * fed_want_undelivered(fed, to, body, blen):
 * The transport did not take the GET_RANGE ${body} (${blen} bytes) for
 * ${to} (not connected yet): it is asked again FED_RETRY_MIN later (the
 * wait doubling, four times at most: then its timeouts take over), not
 * after a timeout, and that is not counted as a try.
 */
void
fed_want_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen)
{
    Seen__GetRange *g;
    struct fed_want *w;

    if ((g = seen__get_range__unpack(NULL, blen, body)) == NULL)
        return;
    if (g->origin.len == 32 && (w = find_want(fed, g->origin.data)) != NULL &&
        memcmp(w->peer, to, 32) == 0 && w->undelivered < 4) {
        /* 1 s, doubling: then the timeouts take over. */
        w->resend_at = seen_clock_mono() +
            FED_RETRY_MIN * (double)(1u << w->undelivered);
        w->undelivered++;
    }
    seen__get_range__free_unpacked(g, NULL);
}

/**
 * fed_wants_next(fed, now):
 * Return the monotonic time at which fed_wants_expire() has work, or
 * ${now} + FED_IDLE_MAX when it has none.
 */
double
fed_wants_next(const struct seen_fed *fed, double now)
{
    double next = now + FED_IDLE_MAX;
    size_t i;

    for (i = 0; i < fed->nwants; i++)
        if (want_due(&fed->wants[i]) < next)
            next = want_due(&fed->wants[i]);
    return next;
}

/* The leaves of ${origin}'s feed held in ${txn} to *${size}: 0 for a
 * feed never named (wanted while the store had no room to name it).
 * Returns 0 or the store's error. */
static int
held_of(struct seen_txn *txn, const uint8_t origin[32], uint64_t *size)
{
    uint32_t oidx;
    int rc;

    *size = 0;
    if ((rc = seen_store_origin(txn, origin, 0, &oidx)) == SEEN_ENOTFOUND)
        return 0;
    return rc != 0 ? rc : seen_feed_size(txn, oidx, size);
}

/**
 * fed_wants_expire(fed):
 * Ask again, of the same peer, the range requests unanswered for
 * FED_WANT_TIMEOUT seconds (doubling each time), and after FED_WANT_TRIES
 * forget them: the next HEADS asks afresh.
 */
void
fed_wants_expire(struct seen_fed *fed)
{
    struct seen_txn *txn = NULL;
    struct fed_want *w;
    double t = seen_clock_mono();
    uint64_t size;
    size_t i;

    if (fed->nwants > 0 && seen_space_full(fed->store)) {
        /* Nothing it could keep: each want due waits for room, its tries
         * untouched (request() keeps those it could not ask). */
        for (i = 0; i < fed->nwants; i++)
            if (t >= want_due(&fed->wants[i]))
                fed->wants[i].resend_at = t + FED_FULL_RECHECK;
        return;
    }
    for (i = 0; i < fed->nwants;) {
        w = &fed->wants[i];
        if (t < want_due(w)) {
            i++;
            continue;
        }
        if (txn == NULL && seen_store_begin(fed->store, 0, &txn) != 0)
            return;
        if ((w->resend_at != 0 || w->tries + 1 < FED_WANT_TRIES) &&
            held_of(txn, w->origin, &size) == 0 && size < w->to) {
            if (w->resend_at == 0) { /* unanswered, not undelivered */
                w->tries++;
                fed->ranges.timed_out++;
            } else
                fed->ranges.resent++;
            w->at = t;
            request(fed, w->peer, w->origin, size, w->to, 1);
            i++;
        } else {
            fed->wants[i] = fed->wants[--fed->nwants];
        }
    }
    seen_store_abort(txn);
}

/* ---- evidence ---- */

/* Keep evidence of a checkpoint ${theirs} of ${origin} that cannot be
 * with what this node holds: counted and said now, written to the store
 * by fed_evidence_flush() after the message's own transaction, which is
 * rolled back when the message is refused (seen_fed_service). */
static void
evidence(struct seen_fed *fed, const uint8_t origin[32],
    const Seen__Checkpoint *theirs)
{
    struct fed_evidence *ev;
    uint8_t *enc;
    size_t elen;
    char name[64];

    fed->refused.inconsistent++;
    seen_error("feed of '%s': a checkpoint of size %llu is inconsistent with "
              "what this node holds; kept as evidence, refused",
        seen_fed_origin_name(fed, origin, name, sizeof name),
        (unsigned long long)theirs->size);
    if (seen_checkpoint_encode(theirs, &enc, &elen) != 0)
        return;
    if (fed->nevidence >= FED_EVIDENCE_MAX) {
        free(enc);
        return;
    }
    /* fed->evidence now owns enc. */
    ev = &fed->evidence[fed->nevidence++];
    memcpy(ev->origin, origin, 32);
    ev->size = theirs->size;
    ev->cp = enc;
    ev->len = elen;
}

/**
 * fed_evidence_flush(fed, txn):
 * Write the evidence found while handling a message into ${txn} (the
 * round's, which the message's own refusal does not undo), and forget it.
 */
void
fed_evidence_flush(struct seen_fed *fed, struct seen_txn *txn)
{
    size_t i;

    for (i = 0; i < fed->nevidence; i++) {
        if (seen_alerts_put_evidence(txn, fed->evidence[i].origin,
                fed->evidence[i].size, fed->evidence[i].cp,
                fed->evidence[i].len) != 0)
            seen_error("cannot keep evidence of an inconsistent checkpoint");
        free(fed->evidence[i].cp);
    }
    fed->nevidence = 0;
}

/* Is ${cp} consistent with what we hold of its origin (oidx)?  When it is
 * not, it is kept as evidence.  Returns 1 or 0. */
static int
consistent_with_held(struct seen_fed *fed, struct seen_txn *txn,
    uint32_t oidx, const Seen__Checkpoint *cp)
{
    uint8_t root[32];
    uint64_t size;
    Seen__Checkpoint *h;
    int same = 1;

    if (seen_feed_size(txn, oidx, &size) != 0)
        return 0;
    if (cp->size <= size) {
        if (seen_feed_root(txn, oidx, cp->size, root) != 0)
            return 0;
        if (sodium_memcmp(root, cp->root.data, 32) != 0) {
            evidence(fed, cp->origin.data, cp);
            return 0;
        }
        return 1;
    }
    /* Bigger than what we hold: a stored checkpoint of the same size
     * would have to agree (checked once its leaves arrive). */
    if ((h = fed_feed_held(txn, oidx)) != NULL) {
        if (h->size == cp->size &&
            sodium_memcmp(h->root.data, cp->root.data, 32) != 0)
            same = 0;
        seen_checkpoint_destroy(&h);
        if (!same) {
            evidence(fed, cp->origin.data, cp);
            return 0;
        }
    }
    return 1;
}

/* ---- handlers ---- */

/* 1 when ${cp} is the checkpoint held of origin ${oidx}'s feed (the same
 * signed checkpoint: seen_checkpoint_same()), else 0. */
static int
held_same(struct seen_txn *txn, uint32_t oidx, const Seen__Checkpoint *cp)
{
    Seen__Checkpoint *h;
    int same;

    if ((h = fed_feed_held(txn, oidx)) == NULL)
        return 0;
    same = seen_checkpoint_same(h, cp);
    seen_checkpoint_destroy(&h);
    return same;
}

/**
 * fed_head_cmp(a, b):
 * The qsort and bsearch order of FeedHead pointers: by origin.
 */
int
fed_head_cmp(const void *a, const void *b)
{
    const Seen__FeedHead *x = *(Seen__FeedHead *const *)a;
    const Seen__FeedHead *y = *(Seen__FeedHead *const *)b;

    return memcmp(x->origin.data, y->origin.data, 32);
}

/*
 * Check that the HEADS ${hs} of ${from} is bounded: one head per origin,
 * each 32 bytes, and no more than the held document has active members.
 * Returns 0, or SEEN_EPERM (refused whole: counted bad_heads, said once a
 * burst), so that handling one costs at most a signature check per
 * member.
 */
static int
heads_bounded(struct seen_fed *fed, const uint8_t from[32],
    const Seen__Heads *hs)
{
    Seen__FeedHead **v;
    struct fed_peer *p;
    size_t i, active = 0;
    int ok = 1;
    char name[64];

    for (i = 0; fed->doc != NULL && i < seen_membership_count(fed->doc); i++)
        active += seen_membership_active(seen_membership_member(fed->doc, i));
    for (i = 0; i < hs->n_heads && ok; i++)
        ok = hs->heads[i]->origin.len == 32;
    if (ok && hs->n_heads > active)
        ok = 0;
    if (ok && hs->n_heads > 1) {
        if ((v = malloc(hs->n_heads * sizeof *v)) == NULL)
            return SEEN_ENOMEM;
        memcpy(v, hs->heads, hs->n_heads * sizeof *v);
        qsort(v, hs->n_heads, sizeof *v, fed_head_cmp);
        for (i = 1; i < hs->n_heads && ok; i++)
            ok = fed_head_cmp(&v[i - 1], &v[i]) != 0;
        free(v);
    }
    if (ok)
        return SEEN_OK;
    if ((p = fed_find_peer(fed, from)) != NULL)
        p->refused++;
    if (fed_burst(++fed->refused.bad_heads))
        seen_warn("'%s' sent HEADS of %zu heads, more than the %zu members, "
                  "or an origin twice: refused (%llu so far)",
            seen_fed_origin_name(fed, from, name, sizeof name), hs->n_heads,
            active, (unsigned long long)fed->refused.bad_heads);
    return SEEN_EPERM;
}

/**
 * fed_on_heads(fed, txn, from, body, blen):
 * HEADS: ask ${from} for what it holds of each active origin's feed
 * beyond what this node holds, and answer with this node's HEADS when it
 * holds less than this node can serve.  Returns 0, SEEN_EINVAL,
 * SEEN_EPERM (more heads than active members, or an origin twice:
 * refused whole, counted bad_heads), SEEN_ENOMEM.
 */
int
fed_on_heads(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__Heads *hs;
    Seen__FeedHead *h;
    uint32_t oidx;
    uint64_t size;
    size_t i;
    int rc;

    if ((hs = seen__heads__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if ((rc = heads_bounded(fed, from, hs)) != 0) {
        seen__heads__free_unpacked(hs, NULL);
        return rc;
    }
    for (i = 0; i < hs->n_heads; i++) {
        h = hs->heads[i];
        if (h->checkpoint == NULL)
            continue;
        if (h->checkpoint->origin.len != 32 ||
            memcmp(h->checkpoint->origin.data, h->origin.data, 32) != 0) {
            fed->refused.wrong_origin++;
            continue;
        }
        if ((memcmp(h->origin.data, fed->keys->sign_pk, 32) == 0 &&
                !fed_recover_own(fed, h->origin.data)) ||
            !fed_member_active(fed, h->origin.data))
            continue;
        /* The checkpoint held, verified when it was kept: nothing to
         * check again (the common case: a liveness HEADS at rest). */
        if (seen_store_origin(txn, h->origin.data, 0, &oidx) != 0 ||
            !held_same(txn, oidx, h->checkpoint)) {
            if (seen_checkpoint_verify(h->checkpoint,
                    SEEN_DOMAIN_FEED_CHECKPOINT) != 0) {
                fed->refused.signature++;
                continue;
            }
            rc = seen_store_origin(txn, h->origin.data, 1, &oidx);
            if (rc == SEEN_EFULL) {
                /* No room to name a feed new to it: wanted all the same,
                 * asked once there is room (request()). */
                request(fed, from, h->origin.data, 0, h->checkpoint->size, 0);
                rc = 0;
                continue;
            }
            if (rc != 0)
                break;
            if (!consistent_with_held(fed, txn, oidx, h->checkpoint))
                continue;
        }
        if (seen_feed_size(txn, oidx, &size) != 0)
            continue;
        if (h->checkpoint->size > size)
            request(fed, from, h->origin.data, size, h->checkpoint->size, 0);
    }
    fed_recover_heard(fed, from, hs);
    fed_answer_heads(fed, txn, from, hs, body, blen);
    seen__heads__free_unpacked(hs, NULL);
    return SEEN_OK;
}

/*
 * Queue one ENTRIES to ${to} of ${oidx}'s leaves from ${from} (of the
 * checkpoint ${cp} it holds), up to ${last} and at most SEEN_FED_BATCH of
 * them and FED_ENTRIES_BYTES of their bytes (always one), with the
 * consistency proof from their end to ${cp}, and `more` set unless they
 * reach ${last}; leaves at or beyond ${fresh} were not sent to ${to}
 * before and are free of its budget.  Sets *${end} to where the leaves
 * sent end.
 * Returns 0; SEEN_EAGAIN when beyond ${to}'s budget (nothing queued);
 * SEEN_ENOMEM; an error of the store.
 */
static int
entries_chunk(struct seen_fed *fed, struct seen_txn *txn, const uint8_t to[32],
    const ProtobufCBinaryData *origin, uint32_t oidx, Seen__Checkpoint *cp,
    uint64_t from, uint64_t last, uint64_t fresh, uint64_t *end)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    struct seen_feed_ref ref;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    ProtobufCBinaryData *leaves, pr[SEEN_MERKLE_PROOF_MAX];
    const uint8_t *leaf;
    size_t plen = 0, i, k, llen, bytes, unsent;
    size_t n = (size_t)(last - from < SEEN_FED_BATCH ? last - from
                                                     : SEEN_FED_BATCH);
    int rc = SEEN_OK;

    if ((leaves = calloc(n, sizeof *leaves)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0, bytes = 0, unsent = 0; i < n; i++) {
        if ((rc = seen_feed_leaf(txn, oidx, from + i, &leaf, &llen)) != 0)
            goto done;
        if (i > 0 && llen > FED_ENTRIES_BYTES - bytes)
            break;
        bytes += llen;
        if (from + i >= fresh)
            unsent += llen;
        leaves[i] = (ProtobufCBinaryData){llen, (uint8_t *)leaf};
    }
    *end = from + i;
    if (*end < cp->size) {
        ref = (struct seen_feed_ref){txn, oidx};
        if ((rc = seen_merkle_consistency_proof(seen_feed_subtree, &ref, *end,
                 cp->size, proof, &plen)) != 0)
            goto done;
        for (k = 0; k < plen; k++)
            pr[k] = (ProtobufCBinaryData){32, proof[k]};
    }
    e.origin = *origin;
    e.from = from;
    e.n_leaves = i;
    e.leaves = leaves;
    e.checkpoint = cp;
    e.n_consistency = plen;
    e.consistency = pr;
    e.more = *end < last;
    rc = fed_reply(fed, to, SEEN__MSG_TYPE__ENTRIES,
        (const ProtobufCMessage *)&e, unsent);
done:
    free(leaves);
    return rc;
}

/**
 * fed_on_get_range(fed, txn, from, body, blen):
 * GET_RANGE: queue what this node holds of the range asked (at most
 * SEEN_FED_RANGE leaves) as ENTRIES in order, each of at most
 * SEEN_FED_BATCH leaves and FED_ENTRIES_BYTES of them, as replies within
 * ${from}'s budget (fed_reply): the first one beyond it ends the answer.
 * Nothing while it holds fewer leaves than the checkpoint it holds of
 * that feed (a catch-up under way): it could not prove them to it.
 * Returns 0, SEEN_EINVAL, SEEN_ENOMEM, or an error of the store.
 */
int
fed_on_get_range(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__GetRange *g;
    Seen__Checkpoint *cp = NULL;
    struct fed_peer *p;
    uint32_t oidx;
    uint64_t at, to, end, fresh, held;
    int rc = SEEN_OK;

    if ((g = seen__get_range__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if (g->origin.len != 32 || g->to <= g->from)
        goto done;
    if (!fed_reply_room(fed, from))
        goto done; /* counted */
    if (seen_store_origin(txn, g->origin.data, 0, &oidx) != 0 ||
        (cp = fed_feed_held(txn, oidx)) == NULL)
        goto done; /* nothing to serve */
    /* What it holds of what the checkpoint covers.  A checkpoint is kept
     * with the first batch of a catch-up, before its last leaves: until
     * they are all in, the leaves held cannot be proved to it (the proof
     * hashes leaves not held yet), and nothing is served. */
    if (seen_feed_size(txn, oidx, &held) != 0 || held < cp->size)
        goto done;
    held = cp->size;
    if (g->from >= held)
        goto done;
    to = g->to < held ? g->to : held;
    if (to - g->from > SEEN_FED_RANGE)
        to = g->from + SEEN_FED_RANGE;
    /* Leaves not sent to it before are free of its budget: a catch-up
     * asks each once. */
    p = fed_find_peer(fed, from);
    fresh = p != NULL ? fed_served(fed, p, g->origin.data, 0) : UINT64_MAX;
    for (at = g->from; at < to; at = end) {
        if ((rc = entries_chunk(fed, txn, from, &g->origin, oidx, cp, at, to,
                 fresh, &end)) != 0)
            break;
        if (p != NULL)
            (void)fed_served(fed, p, g->origin.data, end);
    }
    if (rc == SEEN_EAGAIN)
        rc = SEEN_OK; /* beyond the budget: counted; the peer asks again */
done:
    seen_checkpoint_destroy(&cp);
    seen__get_range__free_unpacked(g, NULL);
    return rc;
}

/* Apply one leaf of another origin's feed.  Returns 0, SEEN_EINVAL for a
 * leaf not of that origin or position, or an error of the store. */
static int
apply_leaf(struct seen_txn *txn, uint32_t oidx, const uint8_t origin[32],
    uint64_t seq, const uint8_t *leaf, size_t len)
{
    Seen__FeedEntry *fe;
    uint64_t got;
    int rc;

    if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL)
        return SEEN_EINVAL;
    if (seen_feed_entry_check(fe) != 0 || fe->origin.len != 32 ||
        memcmp(fe->origin.data, origin, 32) != 0 || fe->seq != seq) {
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((rc = seen_feed_append(txn, oidx, leaf, len, &got)) != 0)
        goto done;
    if (got != seq) {
        rc = SEEN_ECORRUPT;
        goto done;
    }
    if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY &&
        seen_retain_passed(fe->entry->expiry, seen_clock_day())) {
        /* Kept in the feed (its hash is the tree's), never made live: as
         * a retraction of whatever that handle held (docs/protocol.md,
         * "Retention"). */
        rc = seen_index_remove(txn, oidx, fe->entry->handle.data);
        if (rc == SEEN_ENOTFOUND)
            rc = SEEN_OK;
    } else if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY)
        rc = (rc = seen_index_entry_normalise(fe->entry, NULL)) != 0
                 ? rc
                 : seen_index_add_fresh(txn, oidx, seq, fe->entry);
    else {
        rc = seen_index_remove(txn, oidx, fe->retraction->handle.data);
        if (rc == SEEN_ENOTFOUND)
            rc = SEEN_OK;
    }
done:
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc;
}

/* Check the form of ENTRIES ${e}, that it is of an active origin other
 * than this node, and its checkpoint's signature.  Returns 0, SEEN_EINVAL,
 * SEEN_EPERM (a checkpoint of another origin: counted wrong_origin),
 * SEEN_EAUTH (counted bad_signature). */
static int
entries_check(struct seen_fed *fed, const Seen__Entries *e)
{
    const Seen__Checkpoint *cp = e->checkpoint;

    if (e->origin.len != 32 || cp == NULL || cp->origin.len != 32 ||
        e->n_leaves == 0 || e->n_consistency > SEEN_MERKLE_PROOF_MAX)
        return SEEN_EINVAL;
    if (memcmp(cp->origin.data, e->origin.data, 32) != 0) {
        fed->refused.wrong_origin++;
        return SEEN_EPERM;
    }
    if ((memcmp(e->origin.data, fed->keys->sign_pk, 32) == 0 &&
            !fed_recover_own(fed, e->origin.data)) ||
        !fed_member_active(fed, e->origin.data))
        return SEEN_EPERM;
    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_FEED_CHECKPOINT) != 0) {
        fed->refused.signature++;
        return SEEN_EAUTH;
    }
    return SEEN_OK;
}

/* Check that the first ${t} leaves now held of origin ${oidx} are a prefix
 * of the tree that ${e}'s checkpoint signs (with ${e}'s consistency proof
 * when shorter).  Returns 0; SEEN_EINVAL; SEEN_EAUTH when they are not
 * (the leaves the sender added are not the origin's: nothing against the
 * origin); an error of the store. */
static int
entries_prefix_holds(struct seen_txn *txn, uint32_t oidx,
    const Seen__Entries *e, uint64_t t)
{
    const Seen__Checkpoint *cp = e->checkpoint;
    uint8_t root[32], proof[SEEN_MERKLE_PROOF_MAX][32];
    size_t i;
    int rc;

    if ((rc = seen_feed_root(txn, oidx, t, root)) != 0)
        return rc;
    for (i = 0; i < e->n_consistency; i++) {
        if (e->consistency[i].len != 32)
            return SEEN_EINVAL;
        memcpy(proof[i], e->consistency[i].data, 32);
    }
    if (t == cp->size ? sodium_memcmp(root, cp->root.data, 32) != 0
                      : seen_merkle_verify_consistency(t, cp->size, root,
                            cp->root.data, (const uint8_t(*)[32])proof,
                            e->n_consistency) != 0)
        return SEEN_EAUTH;
    return SEEN_OK;
}

/*
 * The first ${t} leaves held of origin ${oidx}, from ${size} on those of
 * ENTRIES ${e}, are a prefix of the tree its checkpoint signs: a
 * checkpoint held of that origin of a size from ${size} to ${t} (kept
 * with an earlier batch) must have their root there.  When it has not,
 * the origin signed two checkpoints that cannot both hold: evidence.
 * Returns 0, SEEN_EAUTH (evidence kept), or an error of the store.
 */
static int
entries_held_agrees(struct seen_fed *fed, struct seen_txn *txn, uint32_t oidx,
    const Seen__Entries *e, uint64_t size, uint64_t t)
{
    Seen__Checkpoint *h;
    uint8_t root[32];
    int rc = SEEN_OK;

    if ((h = fed_feed_held(txn, oidx)) == NULL)
        return SEEN_OK;
    if (h->size > size && h->size <= t &&
        (rc = seen_feed_root(txn, oidx, h->size, root)) == 0 &&
        sodium_memcmp(root, h->root.data, 32) != 0) {
        evidence(fed, e->origin.data, e->checkpoint);
        rc = SEEN_EAUTH;
    }
    seen_checkpoint_destroy(&h);
    return rc;
}

/* The peer, other than ${from}, to ask for ${origin}'s feed: the origin
 * itself when it is a peer, else the one heard from last; NULL: none. */
static const struct fed_peer *
other_source(struct seen_fed *fed, const uint8_t from[32],
    const uint8_t origin[32])
{
    const struct fed_peer *p, *best = NULL;
    size_t i;

    for (i = 0; i < fed->npeers; i++) {
        p = &fed->peers[i];
        if (memcmp(p->pk, from, 32) == 0)
            continue;
        if (memcmp(p->pk, origin, 32) == 0)
            return p;
        if (p->last_rx != 0 && (best == NULL || p->last_rx > best->last_rx))
            best = p;
    }
    return best;
}

/* The peer to ask for ${origin}'s feed when resuming: the origin itself
 * when it is a peer, else the member that connected last, else the peer
 * heard from last, else the first; NULL when there is none. */
static const struct fed_peer *
resume_source(struct seen_fed *fed, const uint8_t origin[32])
{
    const struct fed_peer *p;

    if ((p = fed_find_peer(fed, origin)) != NULL)
        return p;
    if (fed->resume_from_set &&
        (p = fed_find_peer(fed, fed->resume_from)) != NULL)
        return p;
    if ((p = other_source(fed, fed->keys->sign_pk, origin)) != NULL)
        return p;
    return fed->npeers > 0 ? &fed->peers[0] : NULL;
}

/**
 * fed_resume(fed):
 * Ask for what the checkpoints held show missing; see fed_impl.h.
 *
 * A catch-up lives in memory (fed->wants): a node restarted in the middle
 * of one, or whose requests were forgotten after their tries, holds the
 * origin's checkpoint (kept with the first batch) and fewer leaves, and
 * nothing else would make it ask: its own HEADS does not name such a
 * feed, and a peer answers the same HEADS once (fed_answer_heads).
 */
void
fed_resume(struct seen_fed *fed)
{
    const struct fed_peer *src;
    Seen__Checkpoint *h;
    struct seen_txn *txn;
    uint8_t pk[32];
    uint64_t count, size;
    uint32_t o;

    if (!fed->resume)
        return;
    fed->resume = 0;
    if (fed->doc == NULL || fed->npeers == 0 ||
        seen_store_begin(fed->store, 0, &txn) != 0)
        return;
    if (seen_store_count(txn, SEEN_DB_ORIGINS, &count) != 0)
        count = 0;
    for (o = 1; o <= count / 2; o++) {
        if (seen_store_origin_pk(txn, o, pk) != 0 ||
            memcmp(pk, fed->keys->sign_pk, 32) == 0 ||
            !fed_member_active(fed, pk) || find_want(fed, pk) != NULL ||
            seen_feed_size(txn, o, &size) != 0 ||
            (h = fed_feed_held(txn, o)) == NULL)
            continue;
        if (h->size > size && (src = resume_source(fed, pk)) != NULL) {
            request(fed, src->pk, pk, size, h->size, 0);
            fed->ranges.resumed++;
        }
        seen_checkpoint_destroy(&h);
    }
    seen_store_abort(txn);
}

/*
 * ENTRIES ${e} from ${from} held leaves that are not the origin's (they
 * do not hash to the checkpoint the origin signed, or do not parse as its
 * leaves): the sender's fault, not the origin's.  Counted against the
 * sender (bad_leaves, said once a burst), and the range asked of another
 * peer when it was asked of the sender.
 */
static void
bad_leaves(struct seen_fed *fed, const uint8_t from[32],
    const Seen__Entries *e, uint64_t size)
{
    struct fed_peer *p = fed_find_peer(fed, from);
    const struct fed_peer *o;
    struct fed_want *w = find_want(fed, e->origin.data);
    char name[64], oname[64];

    if (p != NULL) {
        p->bad_leaves++;
        p->refused++;
    }
    if (fed_burst(++fed->refused.bad_leaves))
        seen_warn("'%s' sent leaves of the feed of '%s' that its signed "
                  "checkpoint does not hold: refused, counted against the "
                  "sender (%llu so far)",
            seen_fed_origin_name(fed, from, name, sizeof name),
            seen_fed_origin_name(fed, e->origin.data, oname, sizeof oname),
            (unsigned long long)fed->refused.bad_leaves);
    if (w != NULL && memcmp(w->peer, from, 32) != 0)
        return; /* asked of an honest peer: its answer comes */
    if ((o = other_source(fed, from, e->origin.data)) != NULL)
        request(fed, o->pk, e->origin.data, size, e->checkpoint->size, 1);
    else if (w != NULL)
        *w = fed->wants[--fed->nwants]; /* the next HEADS asks afresh */
}

/* Append the leaves of ${e} (from the feed's size, ${size}) to origin
 * ${oidx}'s feed and check them (prefix of the signed tree, agreeing with
 * the checkpoint held).  Returns 0; SEEN_EAUTH for leaves that are not
 * the origin's (bad_leaves) or evidence; SEEN_EINVAL; store errors. */
static int
entries_apply(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], uint32_t oidx, const Seen__Entries *e,
    uint64_t size)
{
    uint64_t t = e->from + e->n_leaves;
    size_t i;
    int rc = SEEN_OK;

    for (i = 0; i < e->n_leaves && rc == 0; i++)
        rc = apply_leaf(txn, oidx, e->origin.data, e->from + i,
            e->leaves[i].data, e->leaves[i].len);
    /* The leaves we now hold must be a prefix of the signed tree. */
    if (rc == 0)
        rc = entries_prefix_holds(txn, oidx, e, t);
    if (rc == SEEN_EINVAL || rc == SEEN_EAUTH) {
        bad_leaves(fed, from, e, size);
        return SEEN_EAUTH;
    }
    if (rc != 0)
        return rc;
    return entries_held_agrees(fed, txn, oidx, e, size, t);
}

/* Store ${cp} as origin ${oidx}'s checkpoint unless the one held is as
 * large.  Returns 0 or an error of the store. */
static int
keep_checkpoint(struct seen_txn *txn, uint32_t oidx, const Seen__Checkpoint *cp)
{
    uint8_t *enc;
    size_t elen;
    Seen__Checkpoint *h;
    int rc, newer = 1;

    if ((h = fed_feed_held(txn, oidx)) != NULL) {
        newer = cp->size > h->size;
        seen_checkpoint_destroy(&h);
    }
    if (!newer)
        return SEEN_OK;
    if ((rc = seen_checkpoint_encode(cp, &enc, &elen)) != 0)
        return rc;
    rc = seen_feed_set_checkpoint(txn, oidx, enc, elen);
    free(enc);
    return rc;
}

/**
 * fed_on_entries(fed, txn, from, body, blen):
 * ENTRIES: apply leaves that extend a feed to a prefix of the signed
 * checkpoint carried.  Evidence against the origin comes only from two
 * checkpoints it signed that cannot both hold (the one carried and what
 * this node holds, itself proven by a checkpoint the origin signed);
 * leaves that are not a prefix of the checkpoint carried are the
 * sender's fault (bad_leaves), and the range is asked of another peer.
 * Returns 0; SEEN_EINVAL; SEEN_EPERM for a feed of this node or of no
 * active member, or a checkpoint of another origin; SEEN_EAUTH for a bad
 * signature, leaves not the origin's, or evidence (kept); errors of the
 * store.
 */
int
fed_on_entries(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__Entries *e;
    Seen__Checkpoint *cp;
    struct fed_want *w;
    uint32_t oidx;
    uint64_t size, t;
    int rc;

    if ((e = seen__entries__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    cp = e->checkpoint;
    if ((rc = entries_check(fed, e)) != 0)
        goto done;
    if ((rc = seen_store_origin(txn, e->origin.data, 1, &oidx)) != 0 ||
        (rc = seen_feed_size(txn, oidx, &size)) != 0)
        goto done;
    /* Two checkpoints the origin signed: the one carried, and what this
     * node holds (leaves a signed checkpoint proved, or one kept). */
    if (!consistent_with_held(fed, txn, oidx, cp)) {
        rc = SEEN_EAUTH;
        goto done;
    }
    if (e->from != size) {
        /* A duplicate or stale batch: nothing to do.  One beyond what is
         * held, from the peer asked, means a batch before it was not
         * sent (its budget) or not received (its share): asked again,
         * once for that gap. */
        w = find_want(fed, e->origin.data);
        if (e->from > size && w != NULL && memcmp(w->peer, from, 32) == 0 &&
            w->gap != size) {
            w->gap = size;
            fed->ranges.gaps++;
            request(fed, from, e->origin.data, size, cp->size, 1);
        }
        rc = SEEN_OK;
        goto done;
    }
    t = e->from + e->n_leaves;
    if (t > cp->size) {
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((rc = entries_apply(fed, txn, from, oidx, e, size)) != 0 ||
        (rc = keep_checkpoint(txn, oidx, cp)) != 0)
        goto done;
    fed->applied += e->n_leaves;
    fed->gen++;
    /* The log's copy of these leaves: references to the feed's, from a
     * later transaction. */
    if (fed->xlog.rx_logged)
        fed_xlog_topack(fed, fed->xlog.rx_index);
    if ((w = find_want(fed, e->origin.data)) != NULL) {
        w->at = seen_clock_mono(); /* answered: waited for afresh */
        w->tries = 0;
        w->undelivered = 0;
    }
    if (t >= cp->size) {
        if (w != NULL)
            *w = fed->wants[--fed->nwants]; /* answered in full */
    } else if (w == NULL || w->to <= t) {
        request(fed, from, e->origin.data, t, cp->size, 1);
    } else if (!e->more && t != w->first) {
        /* The answer ended before the range asked (an older node's
         * answer of one ENTRIES, or the sender's budget): ask on. */
        request(fed, from, e->origin.data, t, cp->size, 1);
    } else {
        if (!e->more)
            w->first = w->to; /* the first range is in */
        /* Half of what is in flight has come: ask for the next range
         * now, so that the peer's answer follows without a round trip
         * (its answers come in order). */
        if (w->to < cp->size && w->to - t <= SEEN_FED_RANGE / 2)
            request(fed, from, e->origin.data, w->to, cp->size, 1);
    }
done:
    seen__entries__free_unpacked(e, NULL);
    return rc;
}

/**
 * seen_fed_checkpoint_own(fed):
 * Sign and store a checkpoint of this node's own feed at its current size
 * (after an import), and announce it to the peers.  Returns 0 or an
 * error from the store.
 */
int
seen_fed_checkpoint_own(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *enc;
    struct seen_txn *txn;
    Seen__Checkpoint *h;
    size_t elen;
    uint64_t size;
    uint32_t oidx;
    int rc;

    if (fed->recover.active)
        return SEEN_OK; /* nothing published until recovered (recover.c) */
    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_store_origin(txn, fed->keys->sign_pk, 1, &oidx)) != 0 ||
        (rc = seen_feed_size(txn, oidx, &size)) != 0)
        goto fail;
    if (size == 0) {
        seen_store_abort(txn);
        return SEEN_OK;
    }
    if ((h = fed_feed_held(txn, oidx)) != NULL) {
        int same = h->size == size;

        seen_checkpoint_destroy(&h);
        if (same) {
            seen_store_abort(txn);
            return SEEN_OK;
        }
    }
    if ((rc = seen_feed_root(txn, oidx, size, root)) != 0 ||
        (rc = seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
             fed->keys, size, root, seen_clock_wall())) != 0 ||
        (rc = seen_checkpoint_encode(&cp, &enc, &elen)) != 0)
        goto fail;
    rc = seen_feed_set_checkpoint(txn, oidx, enc, elen);
    free(enc);
    if (rc != 0)
        goto fail;
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    fed->gen++;
    fed_send_heads(fed, 0);
    fed_flush(fed);
    return SEEN_OK;
fail:
    seen_store_abort(txn);
    return rc;
}

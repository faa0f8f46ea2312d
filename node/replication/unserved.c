/*
 * unserved.c: answers to a peer's GET_RANGE that the transport did not
 * take, served again (docs/protocol.md "Rules", GET_RANGE).
 *
 * A node that restarts asks its peers for the rest of a catch-up as soon
 * as it is up (fed_resume).  The peer answers at once, but its socket to
 * the node, renewed when the node was heard from (seen_net_heard), is
 * still connecting, and with ZMQ_IMMEDIATE it takes nothing meanwhile:
 * the answer was lost, and the node waited FED_WANT_TIMEOUT (10 s) to ask
 * again.  So the range of an ENTRIES not taken is kept, a few a peer, and
 * served again FED_RETRY_MIN later, the wait doubling, FED_UNSERVED_TRIES
 * times at most; then the peer's own timeout asks again.  Only the range
 * is kept, never the leaves.  Serving again costs the peer's budget as
 * any answer does (fed_reply): the leaves were noted as sent, and a peer
 * that never lets this node connect gains nothing by asking.
 */
#include <string.h>

#include "common/clock.h"
#include "node/replication/fed_impl.h"
#include "storage/store.h"

/* The slot of ${p} for ${origin}'s feed: the one it has, else a free
 * one, else one not pending, else the one due last (reused). */
static struct fed_unserved *
slot_of(struct fed_peer *p, const uint8_t origin[32])
{
    struct fed_unserved *u, *spare = NULL;
    size_t i;

    for (i = 0; i < FED_UNSERVED_MAX; i++) {
        u = &p->unserved[i];
        if (u->used && memcmp(u->origin, origin, 32) == 0)
            return u;
        if (spare == NULL || !u->used ||
            (spare->used && !u->pending && spare->pending) ||
            (spare->used && u->pending == spare->pending && u->at > spare->at))
            spare = u;
    }
    memset(spare, 0, sizeof *spare);
    memcpy(spare->origin, origin, 32);
    spare->used = 1;
    return spare;
}

/**
 * fed_entries_undelivered(fed, to, body, blen):
 * Keep the range of an ENTRIES not taken; see fed_impl.h.
 */
void
fed_entries_undelivered(struct seen_fed *fed, const uint8_t to[32],
    const uint8_t *body, size_t blen)
{
    struct fed_peer *p = fed_find_peer(fed, to);
    struct fed_unserved *u;
    Seen__Entries *e;
    double t = seen_clock_mono();
    uint64_t end;

    if (p == NULL || (e = seen__entries__unpack(NULL, blen, body)) == NULL)
        return;
    if (e->origin.len != 32 || e->n_leaves == 0)
        goto done;
    end = e->from + e->n_leaves;
    u = slot_of(p, e->origin.data);
    if (u->pending) { /* another ENTRIES of the same answer, or of one
                         asked since: one range covering both */
        if (e->from < u->from)
            u->from = e->from;
        if (end > u->to)
            u->to = end;
    } else {
        /* Long after the last serve again: another trouble, its tries
         * afresh. */
        if (u->at != 0 && t - u->at > FED_UNSERVED_FRESH)
            u->tries = 0;
        if (u->tries >= FED_UNSERVED_TRIES) {
            u->used = 0; /* the peer's timeout asks again */
            goto done;
        }
        u->from = e->from;
        u->to = end;
        u->pending = 1;
        u->at = t + FED_RETRY_MIN * (double)(1u << u->tries);
    }
    fed->ranges.unserved++;
done:
    seen__entries__free_unpacked(e, NULL);
}

/**
 * fed_unserved_next(fed, later):
 * When a range waits to be served again; see fed_impl.h.
 */
double
fed_unserved_next(const struct seen_fed *fed, double later)
{
    size_t i, k;

    for (i = 0; i < fed->npeers; i++)
        for (k = 0; k < FED_UNSERVED_MAX; k++)
            if (fed->peers[i].unserved[k].pending &&
                fed->peers[i].unserved[k].at < later)
                later = fed->peers[i].unserved[k].at;
    return later;
}

/**
 * fed_unserved_due(fed):
 * Serve again the ranges whose time has come; see fed_impl.h.
 */
void
fed_unserved_due(struct seen_fed *fed)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    struct fed_unserved *u;
    struct seen_txn *txn = NULL;
    uint8_t buf[128];
    double t = seen_clock_mono();
    size_t i, k, len;

    for (i = 0; i < fed->npeers; i++) {
        for (k = 0; k < FED_UNSERVED_MAX; k++) {
            u = &fed->peers[i].unserved[k];
            if (!u->pending || t < u->at)
                continue;
            if (txn == NULL && seen_store_begin(fed->store, 0, &txn) != 0)
                return;
            u->pending = 0;
            u->tries++;
            u->at = t;
            g.origin = (ProtobufCBinaryData){32, u->origin};
            g.from = u->from;
            g.to = u->to;
            len = seen__get_range__pack(&g, buf);
            /* As if asked again: within its budget, from what is held. */
            (void)fed_on_get_range(fed, txn, fed->peers[i].pk, buf, len);
            fed->ranges.served_again++;
        }
    }
    seen_store_abort(txn);
}

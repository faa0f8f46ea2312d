/*
 * recover.c: a node restored from a backup takes its own feed back from
 * its peers (docs/protocol.md, "Restored from a backup").
 *
 * Entries this node published after the backup was taken are lost from
 * its store, but every member holds every feed, this node's included.
 * Were it to publish again at once, it would sign a second history of its
 * feed at sizes its peers hold already, and they would keep the two as
 * evidence and take nothing more from it.  So `seen restore` leaves the
 * mark "recover" in the store's meta table (the own feed's size when
 * restored), and until it goes the node:
 *   - takes HEADS and ENTRIES of its own feed, as of any other origin's
 *     (checked the same way: its own signed checkpoint, a prefix of it);
 *   - publishes nothing (imports are refused, seen_fed_recovering());
 *   - waits for a whole HEADS (sent on every connection) from each of its
 *     peers, noting the largest checkpoint of its own feed they hold.
 * Once every peer has sent one and the feed holds that largest
 * checkpoint's leaves, the mark goes (logged): the node publishes again
 * after the last entry anyone holds of it.  An admin may end the wait
 * (seen_fed_recover_end, with `seen node resolve`) when a peer is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/replication/fed_impl.h"
#include "proto/feed_entry.h"
#include "storage/feed.h"
#include "storage/store.h"

#define META_RECOVER "recover" /* the own feed's size when restored, 8 */

/* The number of the feed of ${own} (this node) into *${oidx}, and its
 * size into *${size}. */
static int
own_feed(struct seen_txn *txn, const uint8_t own[32], uint32_t *oidx,
    uint64_t *size)
{
    int rc;

    if ((rc = seen_store_origin(txn, own, 1, oidx)) != 0)
        return rc;
    return seen_feed_size(txn, *oidx, size);
}

/**
 * seen_fed_recover_mark(txn, own):
 * Mark the store of a node just restored from a backup, inside the write
 * transaction ${txn}: its own feed, of key ${own}, is to be taken back
 * from its peers before it publishes again.
 * Returns 0 or an error of the store.
 */
int
seen_fed_recover_mark(struct seen_txn *txn, const uint8_t own[32])
{
    uint8_t v[8];
    uint64_t size = 0;
    uint32_t oidx;
    int rc;

    if ((rc = own_feed(txn, own, &oidx, &size)) != 0)
        return rc;
    seen_be64(v, size);
    return seen_store_put(
        txn, SEEN_DB_META, META_RECOVER, strlen(META_RECOVER), v, sizeof v);
}

/**
 * fed_recover_load(fed, txn):
 * Read whether the store holds the mark (at start).  Returns 0 or
 * SEEN_ECORRUPT.
 */
int
fed_recover_load(struct seen_fed *fed, struct seen_txn *txn)
{
    const void *v;
    size_t vlen;
    int rc;

    rc = seen_store_get(
        txn, SEEN_DB_META, META_RECOVER, strlen(META_RECOVER), &v, &vlen);
    if (rc == SEEN_ENOTFOUND) {
        fed->recover.active = 0;
        return SEEN_OK;
    }
    if (rc != 0)
        return rc;
    if (vlen != 8)
        return SEEN_ECORRUPT;
    fed->recover.active = 1;
    fed->recover.from = seen_rd64(v);
    fed->recover.want = fed->recover.from;
    seen_warn("this node was restored from a backup: it takes its own feed "
              "back from its peers (from %llu entries) and publishes nothing "
              "until each of them has shown what it holds",
        (unsigned long long)fed->recover.from);
    return SEEN_OK;
}

/**
 * fed_recover_own(fed, origin):
 * Returns 1 when ${origin} is this node and it is taking its own feed
 * back (its HEADS and ENTRIES are taken as another origin's), else 0.
 */
int
fed_recover_own(const struct seen_fed *fed, const uint8_t origin[32])
{

    return fed->recover.active &&
        memcmp(origin, fed->keys->sign_pk, 32) == 0;
}

/**
 * fed_recover_heard(fed, from, hs):
 * Note the whole HEADS ${hs} from ${from}: it has shown what it holds of
 * this node's feed (nothing, when it names none).  No-op unless
 * recovering or when ${hs} is partial.
 */
void
fed_recover_heard(
    struct seen_fed *fed, const uint8_t from[32], const Seen__Heads *hs)
{
    struct fed_peer *p;
    size_t i;

    if (!fed->recover.active || hs->partial ||
        (p = fed_find_peer(fed, from)) == NULL)
        return;
    p->recover_heard = 1;
    for (i = 0; i < hs->n_heads; i++)
        if (hs->heads[i]->checkpoint != NULL &&
            hs->heads[i]->origin.len == 32 &&
            memcmp(hs->heads[i]->origin.data, fed->keys->sign_pk, 32) == 0 &&
            hs->heads[i]->checkpoint->size > fed->recover.want)
            fed->recover.want = hs->heads[i]->checkpoint->size;
}

/* One entry taken back, for fill_orphans. */
struct taken {
    uint8_t handle[16];
    uint8_t key[16];
    int live;
};

/* Note the own entry ${e} at ${seq} as an orphan (and in ${t}). */
static int
orphan_entry(struct seen_txn *txn, const Seen__IndexEntry *e, uint64_t seq,
    struct taken *t)
{
    int rc;

    if ((rc = seen_index_entry_content_key(e, t->key)) != 0)
        return rc;
    memcpy(t->handle, e->handle.data, 16);
    t->live = 1;
    return seen_orphan_put(txn, t->key, e->handle.data, e->group.data, seq);
}

/* A retraction of ${handle}: the orphan it names goes. */
static int
orphan_retracted(struct seen_txn *txn, struct taken *t, size_t n,
    const uint8_t handle[16])
{
    size_t i;
    int rc;

    for (i = 0; i < n; i++)
        if (t[i].live && memcmp(t[i].handle, handle, 16) == 0) {
            t[i].live = 0;
            rc = seen_orphan_del(txn, t[i].key);
            return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
        }
    return SEEN_OK;
}

/*
 * Record as orphans the own entries taken back, [${from}, ${size}) of
 * the own feed ${oidx}, less those retracted there: the store holds no
 * record for them (imported after the backup), so that importing the
 * record again adopts them (node/matching/indexer.c).  Sets *${n} to
 * how many.
 */
static int
fill_orphans(struct seen_txn *txn, uint32_t oidx, uint64_t from,
    uint64_t size, size_t *n)
{
    Seen__FeedEntry *fe;
    struct taken *t;
    const uint8_t *leaf;
    size_t len, k = 0, i;
    uint64_t seq;
    int rc = SEEN_OK;

    *n = 0;
    if (size <= from)
        return SEEN_OK;
    if ((t = calloc((size_t)(size - from), sizeof *t)) == NULL)
        return SEEN_ENOMEM;
    for (seq = from; seq < size && rc == 0; seq++) {
        if ((rc = seen_feed_leaf(txn, oidx, seq, &leaf, &len)) != 0)
            break;
        if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL ||
            seen_feed_entry_check(fe) != 0) {
            rc = SEEN_ECORRUPT;
        } else if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY) {
            rc = orphan_entry(txn, fe->entry, seq, &t[k++]);
        } else {
            rc = orphan_retracted(txn, t, k, fe->retraction->handle.data);
        }
        seen__feed_entry__free_unpacked(fe, NULL);
    }
    for (i = 0; i < k; i++)
        *n += t[i].live;
    free(t);
    return rc;
}

/* Drop the mark in ${txn}, record the orphans, and say what was taken
 * back (${how}). */
static int
recover_done(struct seen_fed *fed, struct seen_txn *txn, const char *how)
{
    uint32_t oidx;
    uint64_t size;
    size_t orphans = 0;
    int rc;

    if ((rc = own_feed(txn, fed->keys->sign_pk, &oidx, &size)) != 0 ||
        (rc = fill_orphans(txn, oidx, fed->recover.from, size, &orphans)) !=
            0)
        return rc;
    rc = seen_store_del(
        txn, SEEN_DB_META, META_RECOVER, strlen(META_RECOVER), NULL, 0);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    fed->recover.active = 0;
    seen_warn("own feed %s: %llu entries taken back from peers (%llu to "
              "%llu), %zu of them for records this store lacks; this node "
              "publishes again.  Import again the records imported after "
              "the backup was taken: their entries are taken as they are",
        how, (unsigned long long)(size - fed->recover.from),
        (unsigned long long)fed->recover.from, (unsigned long long)size,
        orphans);
    return SEEN_OK;
}

/**
 * fed_recover_check(fed, txn):
 * At the end of a round, inside its write transaction ${txn}: when every
 * peer has sent a whole HEADS and the own feed holds the largest
 * checkpoint of it they showed, drop the mark.  Returns 0 or an error of
 * the store.
 */
int
fed_recover_check(struct seen_fed *fed, struct seen_txn *txn)
{
    uint64_t size;
    uint32_t oidx;
    size_t i;
    int rc;

    if (!fed->recover.active || fed->npeers == 0)
        return SEEN_OK;
    for (i = 0; i < fed->npeers; i++)
        if (!fed->peers[i].recover_heard)
            return SEEN_OK;
    if ((rc = own_feed(txn, fed->keys->sign_pk, &oidx, &size)) != 0)
        return rc;
    if (size < fed->recover.want)
        return SEEN_OK;
    return recover_done(fed, txn, "recovered");
}

/**
 * fed_recover_alone(fed):
 * A restored node with no peer (no federation, or none linked to it) has
 * nobody to take its feed back from: drop the mark at once (in a write
 * transaction of its own).  No-op otherwise.
 */
void
fed_recover_alone(struct seen_fed *fed)
{
    struct seen_txn *txn;

    if (!fed->recover.active || fed->npeers > 0 ||
        seen_store_begin(fed->store, 1, &txn) != 0)
        return;
    if (recover_done(fed, txn, "kept: no peer to take it back from") != 0) {
        seen_store_abort(txn);
        fed->recover.active = 1;
        seen_error("a restored node: cannot end its recovery");
        return;
    }
    if (seen_store_commit(txn) != 0) {
        fed->recover.active = 1; /* the mark is still there */
        seen_error("a restored node: cannot end its recovery");
    }
}

/**
 * seen_fed_recover_end(fed, txn):
 * An admin ends the wait for peers (one is gone for good), inside the
 * write transaction ${txn}.  Returns 1 when the node was recovering (the
 * mark dropped, logged), 0 when it was not, or an error of the store.
 */
int
seen_fed_recover_end(struct seen_fed *fed, struct seen_txn *txn)
{
    int rc;

    if (!fed->recover.active)
        return 0;
    if ((rc = recover_done(fed, txn, "recovery ended by an admin")) != 0)
        return rc;
    return 1;
}

/**
 * seen_fed_recovering(fed, heard, peers):
 * Returns 1 while the node takes its own feed back after a restore, else
 * 0; [out] *${heard} of *${peers} peers have shown what they hold.
 */
int
seen_fed_recovering(const struct seen_fed *fed, size_t *heard, size_t *peers)
{
    size_t i, n = 0;

    for (i = 0; i < fed->npeers; i++)
        n += fed->peers[i].recover_heard != 0;
    *heard = n;
    *peers = fed->npeers;
    return fed->recover.active;
}

/**
 * fed_recover_status(fed, txn):
 * The "restore" object of the status: {"recovering", "from", "want",
 * "held", "peers_heard", "peers"}, or NULL when not recovering.
 */
json_t *
fed_recover_status(struct seen_fed *fed, struct seen_txn *txn)
{
    size_t heard, peers;
    uint64_t size = 0;
    uint32_t oidx;

    if (!seen_fed_recovering(fed, &heard, &peers))
        return NULL;
    (void)own_feed(txn, fed->keys->sign_pk, &oidx, &size);
    return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "recovering", 1,
        "from", (json_int_t)fed->recover.from, "want",
        (json_int_t)fed->recover.want, "held", (json_int_t)size,
        "peers_heard", (json_int_t)heard, "peers", (json_int_t)peers);
}

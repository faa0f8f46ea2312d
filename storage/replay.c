#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "storage/replay.h"
#include "storage/space.h"
#include "storage/store.h"

/* Records deleted per pass of seen_replay_prune. */
#define PRUNE_BATCH 1024

struct seen_replay {
    struct seen_store *store;   /* borrowed */
    uint64_t window;
    uint64_t max;               /* records held at most */
};

/* What one pass of the pruning scan collects. */
struct prune {
    uint64_t cutoff;            /* records with time < cutoff go */
    uint8_t (*keys)[SEEN_REPLAY_KEY_BYTES];  /* to delete */
    size_t n;
    uint8_t last[SEEN_REPLAY_KEY_BYTES];     /* the last key visited */
    int visited;
    int full;                   /* stopped with keys[] full */
};

/**
 * seen_replay_new(store, window):
 * Return a replay cache over ${store} (borrowed: it must outlive the
 * cache) for messages accepted within ${window} seconds of the receiver's
 * clock.  ${window} must be no smaller than the clock skew the caller
 * accepts (SEEN_ENVELOPE_SKEW for envelopes), or a pruned record could be
 * replayed.  Returns NULL if ${window} is 0 or above
 * SEEN_REPLAY_WINDOW_MAX seconds, or memory runs out (logged).  Release
 * with seen_replay_destroy().
 */
struct seen_replay *
seen_replay_new(struct seen_store *store, uint64_t window)
{
    struct seen_replay *rc;

    if (store == NULL || window == 0 || window > SEEN_REPLAY_WINDOW_MAX) {
        seen_error("replay cache: bad window of %llu seconds",
            (unsigned long long)window);
        goto err0;
    }
    if ((rc = calloc(1, sizeof(*rc))) == NULL) {
        seen_errorp("replay cache");
        goto err0;
    }
    rc->store = store;
    rc->window = window;
    rc->max = SEEN_REPLAY_MAX;

    /* Success! */
    return rc;

err0:
    return NULL;
}

/**
 * seen_replay_bound(rc, max):
 * Hold at most ${max} records (at least 1) instead of SEEN_REPLAY_MAX.
 */
void
seen_replay_bound(struct seen_replay *rc, uint64_t max)
{

    rc->max = max > 0 ? max : 1;
}

/**
 * seen_replay_destroy(&rc):
 * Free ${rc}; the records stay in the store.  Sets the caller's pointer to
 * NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_replay_destroy(struct seen_replay **pp)
{
    struct seen_replay *rc;

    if (pp == NULL || (rc = *pp) == NULL)
        return;
    *pp = NULL;

    free(rc);
}

/**
 * seen_replay_check(rc, txn, sender, id, time):
 * Look up the message ${id} of ${sender} inside the write transaction
 * ${txn}; if it is new, record it there with the message's ${time} (Unix
 * seconds).  The record becomes durable when ${txn} commits and is
 * forgotten if it aborts.
 * Returns 0 if the message is new (and now recorded); SEEN_EREPLAY if it
 * was recorded before (nothing written; not logged); SEEN_EAGAIN if it is
 * new but the cache holds its bound (SEEN_REPLAY_MAX unless
 * seen_replay_bound said otherwise) of records (nothing written;
 * counted, not logged); SEEN_EFULL; SEEN_ERR (logged by the store).
 * After an error other than SEEN_EREPLAY and SEEN_EAGAIN the transaction
 * must be aborted.
 */
int
seen_replay_check(struct seen_replay *rc, struct seen_txn *txn,
    const uint8_t sender[static 32], const uint8_t id[static 16],
    uint64_t time)
{
    uint8_t k[SEEN_REPLAY_KEY_BYTES], v[8];
    const void *old;
    size_t olen;
    uint64_t n;
    int r;

    memcpy(k, sender, 32);
    memcpy(k + 32, id, 16);
    r = seen_store_get(txn, SEEN_DB_REPLAY, k, sizeof k, &old, &olen);
    if (r == 0)
        return SEEN_EREPLAY;
    if (r != SEEN_ENOTFOUND)
        return r;
    if ((r = seen_store_count(txn, SEEN_DB_REPLAY, &n)) != 0)
        return r;
    if (n >= rc->max) {
        seen_space_drop(txn, SEEN_SPACE_DROP_REPLAY);
        return SEEN_EAGAIN;
    }
    seen_be64(v, time);
    return seen_store_put(txn, SEEN_DB_REPLAY, k, sizeof k, v, sizeof v);
}

/* Collect the expired keys of one pass (a seen_store_iter_fn). */
static int
prune_visit(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct prune *p = ctx;

    if (klen != SEEN_REPLAY_KEY_BYTES || vlen != 8) {
        seen_error("replay cache: damaged record (%zu-byte key, "
            "%zu-byte value)", klen, vlen);
        return SEEN_ECORRUPT;
    }
    memcpy(p->last, key, SEEN_REPLAY_KEY_BYTES);
    p->visited = 1;
    if (seen_rd64(val) < p->cutoff) {
        memcpy(p->keys[p->n++], key, SEEN_REPLAY_KEY_BYTES);
        if (p->n == PRUNE_BATCH) {
            p->full = 1;
            return 1;
        }
    }
    return 0;
}

/**
 * seen_replay_open(rc, txn, buf, len, me, sender_ok, ctx, now, view):
 * seen_envelope_open() the envelope ${buf} (${len} bytes) and, if it
 * passes, make the sixth check: (sender, msg_id) is new to the replay
 * cache ${rc} (else SEEN_EREPLAY), and is then recorded in it inside the
 * write transaction ${txn}, in which the caller applies the envelope's
 * effects: the message counts as seen exactly when they commit.
 * Returns 0 and fills *${view} as seen_envelope_open() does (release it
 * with seen_envelope_release()); on error *${view} is empty and nothing
 * was written to ${txn}.  Codes: those of seen_envelope_open();
 * SEEN_EREPLAY; SEEN_EAGAIN when the cache is full (seen_replay_check);
 * SEEN_EFULL or SEEN_ERR from the store (after which ${txn} must be
 * aborted).
 */
int
seen_replay_open(struct seen_replay *rc, struct seen_txn *txn,
    const uint8_t *buf, size_t len, const uint8_t me[static 32],
    seen_envelope_sender_fn *sender_ok, void *ctx, uint64_t now,
    struct seen_envelope_view *view)
{
    int r;

    if ((r = seen_envelope_open(buf, len, me, sender_ok, ctx, now, view)) != 0)
        return r;
    if ((r = seen_replay_check(rc, txn, view->sender, view->msg_id,
             view->time)) != 0)
        seen_envelope_release(view);
    return r;
}

/**
 * seen_replay_prune(rc, txn, now):
 * Delete, inside the write transaction ${txn}, every record whose time is
 * older than ${now} - 2 * window (nothing when ${now} is smaller than
 * that).  Scans the whole database: call it every window or so, not per
 * message.
 * Returns 0; SEEN_ECORRUPT for a record that is not 8 bytes (logged);
 * SEEN_ENOMEM; SEEN_ERR.  After an error the transaction must be aborted.
 */
int
seen_replay_prune(struct seen_replay *rc, struct seen_txn *txn, uint64_t now)
{
    struct prune p;
    size_t i;
    int r;

    if (now <= 2 * rc->window)
        return SEEN_OK;
    memset(&p, 0, sizeof p);
    p.cutoff = now - 2 * rc->window;
    if ((p.keys = malloc(PRUNE_BATCH * sizeof(*p.keys))) == NULL) {
        seen_errorp("replay cache: prune");
        return SEEN_ENOMEM;
    }

    /*
     * Collect a batch of expired keys, delete them once the scan's cursor
     * is closed, and go on after the last key visited.
     */
    do {
        p.n = 0;
        p.full = 0;
        r = seen_store_iter_after(txn, SEEN_DB_REPLAY, p.last,
            p.visited ? sizeof p.last : 0, prune_visit, &p);
        if (r != 0)
            goto done;
        for (i = 0; i < p.n; i++) {
            r = seen_store_del(txn, SEEN_DB_REPLAY, p.keys[i],
                SEEN_REPLAY_KEY_BYTES, NULL, 0);
            if (r != 0 && r != SEEN_ENOTFOUND)
                goto done;
        }
    } while (p.full);
    r = SEEN_OK;

done:
    free(p.keys);
    return r;
}

/*
 * expire.c: the matcher's pass over the held entries whose expiry has
 * passed (matcher.h, seen_matcher_expire; docs/protocol.md, "Retention").
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "node/matching/matcher.h"
#include "node/matching/matcher_internal.h"
#include "storage/index.h"
#include "storage/retain.h"
#include "storage/store.h"

#define EXPIRE_BATCH 1024 /* held entries due, at most, a transaction */

/*
 * Drop the held entries of ${v} (${n} keys due) in the step ${s}: first
 * every one still live at its key's leaf leaves the index, so that none
 * of them is read as live while the others are dropped; then each loses
 * its links and person (match_drop).  Every key goes; the node's own
 * entries stay live (its indexer retracts them).  Adds the entries
 * dropped to *${dropped}.
 */
static int
expire_batch(struct step *s, const struct seen_retain_item *v, size_t n,
    uint64_t *dropped)
{
    struct idset ids = {0};
    uint8_t id[20];
    uint64_t seq;
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        if ((rc = seen_retain_del(s->txn, &v[i])) != 0)
            break;
        /* A key whose leaf is no longer the live one (retracted, or its
         * handle reused) or of the node's own feed is only deleted. */
        if (v[i].oidx == s->own ||
            seen_index_seq(s->txn, v[i].oidx, v[i].handle, &seq) != 0 ||
            seq != v[i].seq)
            continue;
        seen_be32(id, v[i].oidx);
        memcpy(id + 4, v[i].handle, 16);
        if ((rc = seen_index_remove(s->txn, v[i].oidx, v[i].handle)) == 0)
            rc = idset_add(&ids, id);
    }
    for (i = 0; i < ids.n && rc == 0; i++)
        rc = match_drop(s, ids.v[i]);
    if (rc == 0)
        *dropped += ids.n;
    free(ids.v);
    return rc;
}

/**
 * seen_matcher_expire(m, today, limit, dropped):
 * Drop every entry held of another origin whose expiry has passed by day
 * ${today} (days since 1970-01-01; docs/protocol.md, "Retention"), as
 * its retraction would: out of the index and its postings, its links
 * and person gone, its neighbours clustered again and the alerts of the
 * persons touched decided again.  The node's own entries are left to
 * its indexer (seen_indexer_expire retracts them).  Reads the held
 * entries by day (storage/retain.h), so a pass with nothing due reads
 * one key and writes nothing; works in write transactions of up to 1024
 * entries each, and at most ${limit} (0: no limit) in one call.  Adds
 * the entries dropped to *${dropped} and to ${m}->expired.  Returns 0
 * when nothing due is left, 1 when it stopped at ${limit}, or an error
 * (what the transactions before committed stays).
 */
int
seen_matcher_expire(
    struct seen_matcher *m, int32_t today, size_t limit, uint64_t *dropped)
{
    struct seen_retain_item *v = NULL;
    struct idset pend = {0};
    struct seen_txn *txn;
    struct step s;
    uint64_t before;
    size_t n, batch, done = 0;
    int rc, more = 0;

    do {
        batch = limit == 0 || limit - done > EXPIRE_BATCH ? EXPIRE_BATCH
                                                          : limit - done;
        if ((rc = seen_store_begin(m->store, 1, &txn)) != 0)
            return rc;
        if ((rc = seen_retain_due(txn, today, batch, &v, &n)) != 0 ||
            n == 0) {
            seen_store_abort(txn); /* nothing due: nothing written */
            break;
        }
        step_init(&s, m, txn);
        s.today = today;
        s.pend = &pend;
        before = *dropped;
        rc = expire_batch(&s, v, n, dropped);
        step_release(&s);
        free(v);
        v = NULL;
        if (rc != 0) {
            *dropped = before;
            seen_store_abort(txn);
            break;
        }
        if ((rc = seen_store_commit(txn)) != 0) {
            *dropped = before;
            break;
        }
        m->expired += *dropped - before;
        done += n;
        more = limit != 0 && done >= limit;
    } while (n == batch && !more);
    free(v);
    free(pend.v);
    step_pool_empty();
    if (rc != 0)
        seen_error(
            "dropping entries past their expiry failed: %s", seen_strerror(rc));
    return rc != 0 ? rc : more;
}

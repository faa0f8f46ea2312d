/*
 * fold.c: on the main thread, a custodian's journal folded into its
 * exchange log (XLOG_OPRF leaves) with the alerts its limit refusals
 * raise, and at start the day's counts recovered (service.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "node/custodian/alert.h"
#include "node/custodian/custodian_impl.h"
#include "node/custodian/journal.h"

#include "seen.pb-c.h"

/* A fold: its transaction, and the request ids it passes over. */
struct fold {
    struct seen_custodian *c;
    struct seen_txn *txn;
    const uint8_t (*skip)[16];
    size_t nskip;
    size_t leaves;
};

/* 1 if ${id} is one of ${f}'s to pass over. */
static int
skipped(const struct fold *f, const uint8_t *id)
{
    size_t i;

    for (i = 0; i < f->nskip; i++)
        if (memcmp(f->skip[i], id, 16) == 0)
            return 1;
    return 0;
}

/* One journal record: a leaf, and an alert for a limit refusal. */
static int
fold_one(void *ctx, const Seen__OprfRecord *r)
{
    struct fold *f = ctx;
    struct seen_custodian *c = f->c;
    const Seen__Member *mb;
    char name[64] = "?";
    int rc;

    if (r->request_id.len == 16 && skipped(f, r->request_id.data))
        return 0;
    if ((rc = seen_xlog_oprf(f->txn, c->keys, r, NULL)) != 0) {
        if (rc != SEEN_EINVAL)
            return rc;
        seen_warn("custodian: a journal record breaks the leaf rules: "
                  "passed over");
        return 0;
    }
    f->leaves++;
    if (r->status != SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT)
        return 0;
    pthread_mutex_lock(&c->mu);
    if (c->doc != NULL && r->member.len == 32 &&
        (mb = seen_membership_by_sign(c->doc, r->member.data)) != NULL)
        snprintf(name, sizeof name, "%s", mb->name);
    else if (r->member.len == 32) /* at start: no document yet */
        sodium_bin2hex(name, 17, r->member.data, 8);
    pthread_mutex_unlock(&c->mu);
    return seen_custodian_alert(f->txn, SEEN_CUSTODIAN_ALERT_LIMIT, name,
        r->operator_, r->purpose, r->time);
}

/* Fold ${c}'s journal, passing over the ${nskip} ids ${skip}. */
static int
fold(struct seen_custodian *c, struct seen_store *store,
    const uint8_t (*skip)[16], size_t nskip)
{
    struct fold f = {c, NULL, skip, nskip, 0};
    uint64_t end = 0;
    int rc;

    if (seen_cjournal_pending(c->journal) == 0)
        return 0;
    if ((rc = seen_store_begin(store, 1, &f.txn)) != 0)
        return rc;
    if ((rc = seen_cjournal_read(c->journal, fold_one, &f, &end)) != 0) {
        seen_store_abort(f.txn);
        seen_error("custodian: cannot fold the journal: %s",
            seen_strerror(rc));
        return rc;
    }
    if ((rc = seen_store_commit(f.txn)) != 0) {
        seen_error("custodian: cannot fold the journal: %s",
            seen_strerror(rc));
        return rc;
    }
    if (f.leaves > 0)
        seen_debug("custodian: %zu requests logged", f.leaves);
    return seen_cjournal_consume(c->journal, end);
}

/**
 * seen_custodian_fold(c, store):
 * On the main thread, when the store is free: append every record of the
 * journal as an XLOG_OPRF leaf, raise the custodian's alert for a limit
 * refusal, in one write transaction, then drop what was folded from the
 * journal.  Returns 0; an error from the store (the journal is kept).
 */
int
seen_custodian_fold(struct seen_custodian *c, struct seen_store *store)
{

    return fold(c, store, NULL, 0);
}

/* What recovery gathers: the journal's records (their ids, and whether
 * the log holds them already), then today's counts. */
struct recover {
    struct seen_custodian *c;
    uint8_t (*ids)[16];
    uint8_t *held;
    size_t n, cap;
    uint64_t oldest; /* the earliest time of a journal record */
    uint64_t now;
};

/* Count the served record ${r} into today's counts and remember its id
 * when recent (c->mu held). */
static void
count_record(struct seen_custodian *c, const Seen__OprfRecord *r,
    uint64_t now)
{
    const char *op = r->operator_ != NULL && r->operator_[0] != '\0'
                         ? r->operator_
                         : "-";

    if (r->request_id.len == 16 &&
        r->time + 2 * SEEN_ENVELOPE_SKEW >= now)
        (void)cust_recent_put(c, r->request_id.data, r->time);
    if (r->status != SEEN__OPRF_STATUS__OPRF_OK || r->member.len != 32 ||
        r->time / 86400 != now / 86400)
        return;
    cust_count_add(c, r->member.data,
        r->purpose != NULL && strcmp(r->purpose, "import") == 0 ? NULL : op,
        r->count, r->time);
}

/* A journal record met at recovery: keep its id. */
static int
gather(void *ctx, const Seen__OprfRecord *r)
{
    struct recover *rv = ctx;
    void *p;

    if (r->request_id.len != 16)
        return 0;
    if (rv->n == rv->cap) {
        rv->cap = rv->cap ? 2 * rv->cap : 64;
        if ((p = realloc(rv->ids, rv->cap * 16)) == NULL)
            return SEEN_ENOMEM;
        rv->ids = p;
        if ((p = realloc(rv->held, rv->cap)) == NULL)
            return SEEN_ENOMEM;
        rv->held = p;
    }
    memcpy(rv->ids[rv->n], r->request_id.data, 16);
    rv->held[rv->n++] = 0;
    if (r->time < rv->oldest)
        rv->oldest = r->time;
    return 0;
}

/* A journal record not in the log yet: count it. */
static int
count_unheld(void *ctx, const Seen__OprfRecord *r)
{
    struct recover *rv = ctx;
    size_t i;

    for (i = 0; r->request_id.len == 16 && i < rv->n; i++)
        if (memcmp(rv->ids[i], r->request_id.data, 16) == 0 && rv->held[i])
            return 0;
    count_record(rv->c, r, rv->now);
    return 0;
}

/* Walk the log back from its end while its leaves may be today's or a
 * journal record's: count today's OPRF leaves, mark the journal's ids the
 * log holds.  Returns 0 or an error from the store. */
static int
scan_log(struct recover *rv, struct seen_txn *txn)
{
    uint64_t size, i, from = rv->now / 86400 * 86400;
    struct seen_mlog_buf buf = {NULL, 0}; /* a packed leaf, unpacked */
    const uint8_t *b;
    Seen__XLogLeaf *l;
    Seen__OprfRecord *r;
    size_t len, k;
    int rc;

    if (rv->oldest < from)
        from = rv->oldest;
    from = from > 2 * SEEN_ENVELOPE_SKEW ? from - 2 * SEEN_ENVELOPE_SKEW : 0;
    if ((rc = seen_xlog_size(txn, &size)) != 0)
        return rc;
    rc = SEEN_OK;
    for (i = size; i-- > 0;) {
        if ((rc = seen_xlog_leaf_buf(txn, i, &buf, &b, &len)) != 0)
            break;
        if ((l = seen__xlog_leaf__unpack(NULL, len, b)) == NULL)
            continue;
        if (l->time < from) {
            seen__xlog_leaf__free_unpacked(l, NULL);
            break;
        }
        if (l->kind == SEEN__XLOG_KIND__XLOG_OPRF &&
            (r = seen__oprf_record__unpack(NULL, l->record.len,
                 l->record.data)) != NULL) {
            count_record(rv->c, r, rv->now);
            for (k = 0; r->request_id.len == 16 && k < rv->n; k++)
                if (memcmp(rv->ids[k], r->request_id.data, 16) == 0)
                    rv->held[k] = 1;
            seen__oprf_record__free_unpacked(r, NULL);
        }
        seen__xlog_leaf__free_unpacked(l, NULL);
    }
    seen_mlog_buf_free(&buf);
    return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
}

/**
 * seen_custodian_recover(c, store):
 * At start, before the first adopt: today's counts from the XLOG_OPRF
 * leaves and the records of the journal a crash left (each request
 * counted once), and the recent request ids remembered; then the journal
 * folded.  Returns 0 or an error from the store.
 */
int
seen_custodian_recover(struct seen_custodian *c, struct seen_store *store)
{
    struct recover rv = {c, NULL, NULL, 0, 0, UINT64_MAX,
        (uint64_t)time(NULL)};
    uint8_t (*skip)[16] = NULL;
    struct seen_txn *txn;
    size_t i, nskip = 0;
    int rc;

    if ((rc = seen_cjournal_read(c->journal, gather, &rv, NULL)) != 0 ||
        (rc = seen_store_begin(store, 0, &txn)) != 0)
        goto done;
    pthread_mutex_lock(&c->mu);
    rc = scan_log(&rv, txn);
    pthread_mutex_unlock(&c->mu);
    seen_store_abort(txn);
    if (rc != 0)
        goto done;
    pthread_mutex_lock(&c->mu);
    rc = seen_cjournal_read(c->journal, count_unheld, &rv, NULL);
    pthread_mutex_unlock(&c->mu);
    if (rc != 0)
        goto done;
    /* The journal's records the log holds already are not logged again. */
    if (rv.n > 0 && (skip = malloc(rv.n * 16)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 0; i < rv.n; i++)
        if (rv.held[i])
            memcpy(skip[nskip++], rv.ids[i], 16);
    rc = fold(c, store, (const uint8_t (*)[16])skip, nskip);
done:
    free(skip);
    free(rv.ids);
    free(rv.held);
    return rc;
}

#include <string.h>

#include "common/bytes.h"
#include "storage/alerts.h"
#include "storage/space.h"
#include "storage/store.h"

#define ALERT_PREFIX "A"
#define EVIDENCE_PREFIX "EQV:"
#define EVIDENCE_KEY_BYTES (4 + 32 + 8)
#define OPEN_KEY "N:open"
#define OPEN_KEY_BYTES 6

/**
 * seen_alert_is_open(v, vlen):
 * Returns 1 when the alert ${v} (${vlen} bytes of JSON) is open (no
 * "acknowledged" member), else 0.
 */
int
seen_alert_is_open(const void *v, size_t vlen)
{

    return memmem(v, vlen, "\"acknowledged\":", 15) == NULL;
}

static int
count_open(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{

    (void)key;
    (void)klen;
    *(uint64_t *)ctx += (uint64_t)seen_alert_is_open(val, vlen);
    return 0;
}

/**
 * seen_alerts_open(txn, n):
 * Write to *${n} the number of open alerts: one read where the table
 * keeps the count, a walk of every alert where it does not yet (a store
 * of an earlier version none of whose alerts was written since).
 * Returns 0; SEEN_ECORRUPT (a count not of 8 bytes); SEEN_ERR.
 */
int
seen_alerts_open(struct seen_txn *txn, uint64_t *n)
{
    const void *v;
    size_t vlen;
    int rc;

    *n = 0;
    rc = seen_store_get(txn, SEEN_DB_ALERTS, OPEN_KEY, OPEN_KEY_BYTES, &v,
        &vlen);
    if (rc == 0 && vlen != 8)
        return SEEN_ECORRUPT;
    if (rc == 0) {
        *n = seen_rd64(v);
        return 0;
    }
    if (rc != SEEN_ENOTFOUND)
        return rc;
    return seen_store_iter(txn, SEEN_DB_ALERTS, ALERT_PREFIX, 1, count_open,
        n);
}

/* Add ${delta} (-1 or 1) to the count kept in the write transaction
 * ${txn}, counting every alert first where none is kept yet (the alert
 * being written is then counted as it stands before the write). */
static int
open_add(struct seen_txn *txn, int delta)
{
    uint8_t b[8];
    uint64_t n = 0;
    int rc;

    if ((rc = seen_alerts_open(txn, &n)) != 0)
        return rc;
    if (delta < 0 && n == 0)
        return SEEN_ECORRUPT;
    seen_be64(b, delta < 0 ? n - 1 : n + 1);
    return seen_store_put(txn, SEEN_DB_ALERTS, OPEN_KEY, OPEN_KEY_BYTES, b,
        sizeof b);
}

/* Whether alert key ${k} is held, and open, into *${state}: 0 not held,
 * 1 open, 2 acknowledged.  Returns 0 or the store's error. */
static int
held(struct seen_txn *txn, const uint8_t *k, size_t klen, int *state)
{
    const void *v;
    size_t vlen;
    int rc = seen_store_get(txn, SEEN_DB_ALERTS, k, klen, &v, &vlen);

    *state = 0;
    if (rc == SEEN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    *state = seen_alert_is_open(v, vlen) ? 1 : 2;
    return 0;
}

static void
alert_key(uint8_t k[1 + SEEN_ALERT_ID_BYTES],
    const uint8_t id[SEEN_ALERT_ID_BYTES])
{

    k[0] = ALERT_PREFIX[0];
    memcpy(k + 1, id, SEEN_ALERT_ID_BYTES);
}

/**
 * seen_alerts_get(txn, id, v, vlen):
 * Look up alert ${id}: *${v} (*${vlen} bytes) is borrowed until the end
 * of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR.
 */
int
seen_alerts_get(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES], const void **v,
    size_t *vlen)
{
    uint8_t k[1 + SEEN_ALERT_ID_BYTES];

    alert_key(k, id);
    return seen_store_get(txn, SEEN_DB_ALERTS, k, sizeof k, v, vlen);
}

/**
 * seen_alerts_put(txn, id, v, vlen):
 * Store alert ${id} as the ${vlen} bytes ${v} inside the write transaction
 * ${txn}, replacing any before.  Returns 0; SEEN_EFULL; SEEN_ERR.
 */
int
seen_alerts_put(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES], const void *v, size_t vlen)
{
    uint8_t k[1 + SEEN_ALERT_ID_BYTES];
    int rc, was, now = seen_alert_is_open(v, vlen);

    alert_key(k, id);
    if ((rc = held(txn, k, sizeof k, &was)) != 0)
        return rc;
    if ((was == 1) != now && (rc = open_add(txn, now ? 1 : -1)) != 0)
        return rc;
    return seen_store_put(txn, SEEN_DB_ALERTS, k, sizeof k, v, vlen);
}

/**
 * seen_alerts_del(txn, id):
 * Delete alert ${id} inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR.
 */
int
seen_alerts_del(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES])
{
    uint8_t k[1 + SEEN_ALERT_ID_BYTES];
    int rc, was;

    alert_key(k, id);
    if ((rc = held(txn, k, sizeof k, &was)) != 0)
        return rc;
    if (was == 0)
        return SEEN_ENOTFOUND;
    if (was == 1 && (rc = open_add(txn, -1)) != 0)
        return rc;
    return seen_store_del(txn, SEEN_DB_ALERTS, k, sizeof k, NULL, 0);
}

struct each {
    seen_alerts_fn *fn;
    seen_alerts_evidence_fn *efn;
    void *ctx;
};

static int
on_alert(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct each *e = ctx;

    (void)key;
    (void)klen;
    return e->fn(e->ctx, val, vlen);
}

/**
 * seen_alerts_each(txn, fn, ctx):
 * Call ${fn} for every alert, in the order of their ids.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT; SEEN_ERR.
 */
int
seen_alerts_each(struct seen_txn *txn, seen_alerts_fn *fn, void *ctx)
{
    struct each e = {fn, NULL, ctx};

    return seen_store_iter(txn, SEEN_DB_ALERTS, ALERT_PREFIX, 1, on_alert, &e);
}

/**
 * seen_alerts_put_evidence(txn, origin, size, cp, len):
 * Keep the encoded checkpoint ${cp} (${len} bytes) of size ${size} of
 * ${origin}'s feed as evidence of equivocation, inside the write
 * transaction ${txn} (one per origin and size: a later one replaces it).
 * At most SEEN_ALERTS_EVIDENCE_MAX sizes are kept per origin: more
 * pieces from one member prove nothing the first did not, and only that
 * member's signatures make them, so beyond the bound a new one is
 * dropped and counted (seen_space_drop).
 * Returns 0 (kept, or dropped); SEEN_EFULL; SEEN_ERR.
 */
int
seen_alerts_put_evidence(struct seen_txn *txn,
    const uint8_t origin[static 32], uint64_t size, const uint8_t *cp,
    size_t len)
{
    uint8_t k[EVIDENCE_KEY_BYTES];
    const void *v;
    size_t vlen;
    uint64_t n = 0;
    int rc;

    memcpy(k, EVIDENCE_PREFIX, 4);
    memcpy(k + 4, origin, 32);
    seen_be64(k + 36, size);
    rc = seen_store_get(txn, SEEN_DB_ALERTS, k, sizeof k, &v, &vlen);
    if (rc == SEEN_ENOTFOUND) {
        /* A new size: within the bound for its origin? */
        if ((rc = seen_store_count_prefix(txn, SEEN_DB_ALERTS, k, 36,
                 SEEN_ALERTS_EVIDENCE_MAX, &n)) != 0)
            return rc;
        if (n >= SEEN_ALERTS_EVIDENCE_MAX) {
            seen_space_drop(txn, SEEN_SPACE_DROP_EVIDENCE);
            return SEEN_OK;
        }
    } else if (rc != 0)
        return rc;
    return seen_store_put(txn, SEEN_DB_ALERTS, k, sizeof k, cp, len);
}

static int
on_evidence(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct each *e = ctx;
    const uint8_t *k = key;

    if (klen != EVIDENCE_KEY_BYTES)
        return 0;
    return e->efn(e->ctx, k + 4, seen_rd64(k + 36), val, vlen);
}

/**
 * seen_alerts_each_evidence(txn, fn, ctx):
 * Call ${fn} for every piece of feed evidence, by origin and size; a key
 * of another length is passed over.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT; SEEN_ERR.
 */
int
seen_alerts_each_evidence(struct seen_txn *txn, seen_alerts_evidence_fn *fn,
    void *ctx)
{
    struct each e = {NULL, fn, ctx};

    return seen_store_iter(txn, SEEN_DB_ALERTS, EVIDENCE_PREFIX, 4,
        on_evidence, &e);
}

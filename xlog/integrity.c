#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "proto/control.h"
#include "storage/alerts.h"
#include "storage/space.h"
#include "storage/store.h"
#include "xlog/integrity.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

/* The rows made so far, and how to name members in them. */
struct acc {
    seen_integrity_name_fn *name;
    void *ctx;
    struct seen_ctl_rows rows;
};

/* Add to ${a} the alert row of the evidence ${val} (${vlen} bytes) under
 * ${rule}, about ${origin} (NULL: unknown), raised at ${raised}: the
 * member's name then ${summary}.  Returns 0; SEEN_ENOMEM. */
static int
add_row(struct acc *a, const char *rule, const uint8_t *val, size_t vlen,
    const uint8_t *origin, uint64_t raised, const char *summary)
{
    uint8_t digest[crypto_hash_sha256_BYTES];
    char id[17], nb[64];
    const char *who = "an unknown node";
    json_t *row;
    int rc;

    crypto_hash_sha256(digest, val, vlen);
    sodium_bin2hex(id, sizeof id, digest, 8);
    if (origin != NULL && a->name != NULL)
        who = a->name(a->ctx, origin, nb, sizeof nb);
    row = json_pack("{s:s, s:s, s:I, s:s, s:[], s:s, s:s+}", "alert", id,
        "rule", rule, "raised", (json_int_t)raised, "person", "", "members",
        "node", who, "summary", who, summary);
    rc = seen_ctl_rows_add(&a->rows, row);
    json_decref(row);
    return rc;
}

/* Feed evidence: the refused Checkpoint of ${origin}'s feed. */
static int
on_feed(void *ctx, const uint8_t origin[32], uint64_t size,
    const uint8_t *val, size_t vlen)
{
    struct acc *a = ctx;
    Seen__Checkpoint *cp;
    uint64_t t = 0;
    int rc;

    (void)size;
    if ((cp = seen__checkpoint__unpack(NULL, vlen, val)) != NULL)
        t = cp->time;
    rc = add_row(a, "feed_equivocation", val, vlen, origin, t,
        " signed a checkpoint of its feed that is inconsistent with one "
        "this node holds: both are kept as evidence; entries beyond the "
        "older one are refused (docs/operations.md, \"When something is "
        "wrong\")");
    if (cp != NULL)
        seen__checkpoint__free_unpacked(cp, NULL);
    return rc;
}

/* A seen_xlog_iter_fn: the row of one piece of exchange-log evidence. */
static int
on_xlog(void *ctx, const uint8_t *val, size_t len)
{
    struct acc *a = ctx;
    Seen__XLogEvidence *e = seen__xlog_evidence__unpack(NULL, len, val);
    const uint8_t *origin = NULL;
    uint64_t t = 0;
    int rc;

    if (e == NULL)
        return SEEN_ECORRUPT;
    if (e->first != NULL && e->first->origin.len == 32) {
        origin = e->first->origin.data;
        t = e->first->time;
    }
    if (e->second != NULL && e->second->time > t)
        t = e->second->time;
    rc = add_row(a, "exchange_log_equivocation", val, len, origin, t,
        e->second != NULL
            ? " signed two checkpoints of its exchange log that cannot both "
              "be true: both are kept as evidence, exported for auditors by "
              "`seen audit export`"
            : " was shown a checkpoint of its own exchange log that its log "
              "does not contain (restored from a backup, or rewritten): it "
              "signs no further checkpoint until an admin resolves it");
    seen__xlog_evidence__free_unpacked(e, NULL);
    return rc;
}

/* The row of the node's own store when it is nearly full or full
 * (storage/space.h): its id hashes the rule, the limit and when it was
 * first seen, so that it stays one alert while it lasts. */
static int
store_row(struct acc *a, struct seen_txn *txn)
{
    struct seen_space sp;
    uint8_t pk[32], seed[32];
    char why[512], summary[600];
    const char *rule;
    int rc;

    if ((rc = seen_space_get(txn, &sp)) != 0)
        return rc;
    if (sp.state == SEEN_SPACE_OK)
        return SEEN_OK;
    if ((rc = seen_store_node_id(txn, pk)) != 0)
        return rc;
    rule = sp.state == SEEN_SPACE_FULL ? "store_full" : "store_nearly_full";
    snprintf(summary, sizeof summary, "'s store is %s: %s",
        sp.state == SEEN_SPACE_FULL ? "full" : "nearly full",
        seen_space_describe(&sp, why, sizeof why));
    memset(seed, 0, sizeof seed);
    memcpy(seed, rule, strlen(rule) < 16 ? strlen(rule) : 16);
    seen_be64(seed + 16, sp.limit);
    seen_be64(seed + 24, (uint64_t)sp.low_since);
    return add_row(a, rule, seed, sizeof seed, pk, (uint64_t)sp.low_since,
        summary);
}

/**
 * seen_integrity_alerts(txn, name, ctx, out, len):
 * Append to the malloc'd NDJSON text *${out} (*${len} bytes, NUL
 * terminated; *${out} may be NULL to start) one line per piece of
 * equivocation evidence held, in the alerts contract of spec/cli.md:
 * {"alert": 16 hex digits (of the evidence's SHA-256), "rule",
 * "raised" (Unix seconds of the later checkpoint), "person": "",
 * "members": [], "node": NAME, "summary"}; then, when this node's store
 * is nearly full or full (storage/space.h), one line with the rule
 * "store_nearly_full" or "store_full", raised when the node first found
 * it so.  ${name}(${ctx}, pk, ...) names members.  Returns 0;
 * SEEN_ENOMEM (*${out} is then freed and NULL); SEEN_ECORRUPT.
 */
int
seen_integrity_alerts(struct seen_txn *txn, seen_integrity_name_fn *name,
    void *ctx, char **out, size_t *len)
{
    struct acc a = {name, ctx, {*out, *out ? *len : 0, *out ? *len : 0}};
    int rc;

    rc = seen_alerts_each_evidence(txn, on_feed, &a);
    if (rc == 0)
        rc = seen_xlog_iter(txn, SEEN_XLOG_EVIDENCE, on_xlog, &a);
    if (rc == 0)
        rc = store_row(&a, txn);
    if (rc != 0 && rc != SEEN_ECORRUPT) {
        free(a.rows.p);
        a.rows = (struct seen_ctl_rows){NULL, 0, 0};
    }
    *out = a.rows.p;
    *len = a.rows.len;
    return rc;
}

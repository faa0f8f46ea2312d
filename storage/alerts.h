/*
 * alerts.h: the alerts table (SEEN_DB_ALERTS), whose key layout this file
 * alone knows:
 *
 *     'A' id(8)                 -> the alert, as compact JSON (the matcher's
 *                                  alerts: docs/spec/cli.md)
 *     "EQV:" origin(32) size(8) -> an encoded Checkpoint of origin's feed
 *                                  that was inconsistent with one held:
 *                                  evidence of equivocation
 *     "N:open"                  -> the number of open alerts (8 bytes,
 *                                  big-endian), kept by every put and
 *                                  delete once written (a store of an
 *                                  earlier version has none until its
 *                                  first alert is written)
 *
 * An alert is OPEN while its JSON has no "acknowledged" member (a lead
 * acknowledges it: docs/spec/cli.md); otherwise values are stored as
 * given and what they mean is the caller's.
 */
#ifndef SEEN_ALERTS_H
#define SEEN_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_ALERT_ID_BYTES 8

struct seen_txn;

/**
 * seen_alerts_get(txn, id, v, vlen):
 * Look up alert ${id}: *${v} (*${vlen} bytes) is borrowed until the end
 * of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_get(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES], const void **v,
    size_t *vlen);

/**
 * seen_alerts_put(txn, id, v, vlen):
 * Store alert ${id} as the ${vlen} bytes ${v} inside the write transaction
 * ${txn}, replacing any before.  Returns 0; SEEN_EFULL; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_put(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES], const void *v, size_t vlen);

/**
 * seen_alerts_del(txn, id):
 * Delete alert ${id} inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_del(struct seen_txn *txn,
    const uint8_t id[static SEEN_ALERT_ID_BYTES]);

/**
 * seen_alert_is_open(v, vlen):
 * Returns 1 when the alert ${v} (${vlen} bytes of JSON) is open (no
 * "acknowledged" member), else 0.
 */
int seen_alert_is_open(const void *v, size_t vlen);

/**
 * seen_alerts_open(txn, n):
 * Write to *${n} the number of open alerts: one read where the table
 * keeps the count, a walk of every alert where it does not yet (a store
 * of an earlier version none of whose alerts was written since).
 * Returns 0; SEEN_ECORRUPT (a count not of 8 bytes); SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_open(struct seen_txn *txn, uint64_t *n);

/*
 * seen_alerts_fn(ctx, v, vlen): one stored alert; return 0 to go on, 1 to
 * stop, or a negative SEEN_E* code to stop with it.
 */
typedef int seen_alerts_fn(void *ctx, const void *v, size_t vlen);

/**
 * seen_alerts_each(txn, fn, ctx):
 * Call ${fn} for every alert, in the order of their ids.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_each(struct seen_txn *txn, seen_alerts_fn *fn,
    void *ctx);

/* Pieces of feed evidence kept per origin (seen_alerts_put_evidence). */
#define SEEN_ALERTS_EVIDENCE_MAX 16

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
SEEN_MUST_CHECK int seen_alerts_put_evidence(struct seen_txn *txn,
    const uint8_t origin[static 32], uint64_t size, const uint8_t *cp,
    size_t len);

/*
 * seen_alerts_evidence_fn(ctx, origin, size, cp, len): one piece of feed
 * evidence; return as seen_alerts_fn does.
 */
typedef int seen_alerts_evidence_fn(void *ctx, const uint8_t origin[32],
    uint64_t size, const uint8_t *cp, size_t len);

/**
 * seen_alerts_each_evidence(txn, fn, ctx):
 * Call ${fn} for every piece of feed evidence, by origin and size; a key
 * of another length is passed over.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_alerts_each_evidence(struct seen_txn *txn,
    seen_alerts_evidence_fn *fn, void *ctx);

#endif /* !SEEN_ALERTS_H */

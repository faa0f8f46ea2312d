/*
 * integrity.h: alerts about the federation's own integrity, beside the
 * safeguarding alerts of the matcher: a member that signed two
 * checkpoints of one log that cannot both be true (equivocation), of its
 * feed or of its exchange log, kept as evidence (node/replication/feeds.c,
 * xlog/xlog.h).  They are listed by `seen alerts` with the rules
 * "feed_equivocation" and "exchange_log_equivocation" and stay listed
 * while the evidence is kept (they cannot be acknowledged away: the
 * evidence is what an auditor must see; docs/operations.md says what to
 * do).  So is this node's own store when it is nearly full or full
 * ("store_nearly_full", "store_full"), while it is: a node that cannot
 * keep what it is sent is the federation's concern too.  Nothing here is
 * stored: each listing reads the store's state afresh.
 */
#ifndef SEEN_INTEGRITY_H
#define SEEN_INTEGRITY_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_txn;

/* Names a member for a message: see seen_fed_origin_name(). */
typedef const char *seen_integrity_name_fn(void *ctx, const uint8_t pk[32],
    char *buf, size_t len);

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
SEEN_MUST_CHECK int seen_integrity_alerts(struct seen_txn *txn,
    seen_integrity_name_fn *name, void *ctx, char **out, size_t *len);

#endif /* !SEEN_INTEGRITY_H */

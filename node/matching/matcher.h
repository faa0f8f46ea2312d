/*
 * matcher.h: turning the index every node holds into persons, links and
 * alerts (DESIGN.md "Matching").
 *
 * The matcher follows every feed behind a durable cursor: each new entry
 * is compared with the entries that share a blocking token with it, the
 * scored pairs in the match and possible bands are kept as links, and the
 * connected component around it is clustered again (match/cluster.h), so
 * persons change incrementally and never depend on the order in which
 * entries arrived.  A retraction removes the entry's links and reclusters
 * its neighbours.  After each change the alert rules run on the persons
 * touched; an alert is kept, deduplicated by rule and person, until a lead
 * acknowledges it.
 *
 * Storage: SEEN_DB_LINKS holds both directions of each link, key A(20)
 * (a local entry id: origin number and handle) -> B(20) || weight (8
 * bytes, IEEE 754 big-endian), a duplicate under A for each link;
 * SEEN_DB_PERSONS holds "E" || entry -> label(20) || group(16), and "M"
 * || label || entry -> "" (the members of each person, the label being
 * the member with the smallest global id); SEEN_DB_GROUPS holds group(16)
 * -> entry(20), a duplicate for each entry of the record (both
 * duplicates of fixed size from store format 7); SEEN_DB_CURSORS holds
 * "match" || origin(4) -> next leaf; SEEN_DB_ALERTS holds "A" || id(8) ->
 * the alert as JSON text; SEEN_DB_RETAIN the entries matched that carry
 * an expiry, by day (storage/retain.h), dropped by seen_matcher_expire
 * once it passes.  matcher_internal.h lists the files of the matcher and
 * what each holds.
 */
#ifndef SEEN_MATCHER_H
#define SEEN_MATCHER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_store;
struct seen_txn;

/* The agency type ("social_care", "police"...) of an origin, or NULL. */
typedef const char *seen_matcher_type_fn(void *ctx,
    const uint8_t pk[static 32]);
/* The node name of an origin (for output); writes to buf if needed. */
typedef const char *seen_matcher_name_fn(void *ctx, const uint8_t pk[static 32],
    char *buf, size_t len);
/* 1 when something waits that a step should stop for (a daemon's
 * request, a peer's message), else 0. */
typedef int seen_matcher_yield_fn(void *ctx);

struct seen_matcher {
    struct seen_store *store;
    seen_matcher_type_fn *type_of;
    seen_matcher_name_fn *name_of;
    void *ctx;
    uint64_t matched;   /* entries matched since start */
    uint64_t alerts;    /* alerts raised since start */
    int rules_checked;  /* the store's matching rules checked (rules.c) */
    uint64_t expired;   /* entries dropped past their expiry since start */
    /* Asked by seen_matcher_step_until every SEEN_MATCHER_YIELD_EVERY
     * leaves once the step has taken yield_after seconds (with the
     * clustering it owes); NULL: never.  With it set, a step clusters
     * what it has linked whenever that would take yield_after, not only
     * at its end. */
    seen_matcher_yield_fn *yield;
    void *yctx;
    double yield_after;
};

#define SEEN_MATCHER_YIELD_EVERY 32

/**
 * seen_matcher_step(m, budget):
 * Match up to ${budget} new leaves of the feeds held, in one transaction.
 * Returns the number of leaves processed (0 when all is matched), or a
 * negative error.  A step decodes each entry it reads once and keeps it
 * for the rest of the step (about 32 MiB at most, then it starts again);
 * while there is a backlog, up to 32 MiB of that memory is kept for the
 * next step, and none after a step that finds nothing to match or fails.
 */
int seen_matcher_step(struct seen_matcher *m, size_t budget);

/**
 * seen_matcher_step_until(m, budget, until):
 * As seen_matcher_step(), and stop early, after at least one leaf, once
 * the monotonic clock (common/clock.h) passes ${until} (0: no limit): what
 * keeps a daemon's loop answering while it matches a large backlog.  A
 * step links its new entries first and clusters them after the last, so
 * the linking stops early enough to leave them the time their clustering
 * took in the last step.  With ${m}->yield set, it also stops, after at
 * least one leaf, once it has taken ${m}->yield_after seconds (its
 * clustering counted as for ${until}) and the yield function says that
 * something waits: a long step when nothing else is to do, a short one
 * when something is.
 */
int seen_matcher_step_until(
    struct seen_matcher *m, size_t budget, double until);

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
 * entries each, and stops after ${limit} entries (0: none), so that a
 * large backlog does not hold the event loop: the caller comes back for
 * the rest.  Adds the entries dropped to *${dropped} and to
 * ${m}->expired.  Returns 0 when nothing due is left, 1 when it stopped
 * at ${limit} (more may be due), or an error (what the transactions
 * before committed stays).
 */
SEEN_MUST_CHECK int seen_matcher_expire(struct seen_matcher *m,
    int32_t today, size_t limit, uint64_t *dropped);

/**
 * seen_matcher_person(m, txn, oidx, handle, out):
 * Write the person id ("P" and 16 hex digits, the same on every node) of
 * entry ${handle} of origin ${oidx} to ${out} (18 bytes).
 */
void seen_matcher_person(struct seen_matcher *m, struct seen_txn *txn,
    uint32_t oidx, const uint8_t handle[static 16], char out[static 18]);

/**
 * seen_matcher_picture(m, txn, oidx, handles, n, out):
 * Build the federated picture of the persons of the ${n} given entries of
 * origins ${oidx}[i]: every member (node, handle, role, kind, date, local
 * authority, risk) and the people linked to them through shared records
 * (household, children, perpetrator).  Returns a new JSON array of
 * person objects, or NULL.
 */
json_t *seen_matcher_picture(struct seen_matcher *m, struct seen_txn *txn,
    const uint32_t *oidx, const uint8_t (*handles)[16], size_t n);

/**
 * seen_matcher_persons(m, txn, out):
 * Write every person, one JSON line each (spec/cli.md's persons
 * contract), to the malloc'd text *${out}.  Returns 0 or an error.
 */
SEEN_MUST_CHECK int seen_matcher_persons(struct seen_matcher *m,
    struct seen_txn *txn, char **out, size_t *len);

/**
 * seen_matcher_links(m, txn, out, len):
 * As seen_matcher_persons for the links contract.
 */
SEEN_MUST_CHECK int seen_matcher_links(struct seen_matcher *m,
    struct seen_txn *txn, char **out, size_t *len);

/**
 * seen_matcher_alerts(m, txn, out, len):
 * As seen_matcher_persons for the alerts contract (acknowledged ones
 * included, with "acknowledged").
 */
SEEN_MUST_CHECK int seen_matcher_alerts(struct seen_matcher *m,
    struct seen_txn *txn, char **out, size_t *len);

/**
 * seen_matcher_behind(txn, n):
 * Write to *${n} the leaves of the feeds held that the matcher has not
 * reached yet (each feed's size less its cursor), reading through
 * ${txn}.  Returns 0 or an error of the store.
 */
SEEN_MUST_CHECK int seen_matcher_behind(struct seen_txn *txn, uint64_t *n);

/**
 * seen_matcher_weights(m, txn, sample, out):
 * Learn the weights of this node's comparisons from about ${sample} of
 * its live entries and the entries each is compared with, reading
 * through ${txn}, and write the report (a new JSON object: "entries",
 * "sampled", "pairs", "lambda", "iterations", "converged", "comparisons"
 * [{"comparison", "levels": [{"level", "pairs", "m", "u", "learnt",
 * "in_use"}]}], "by_agency" [{"agencies", "pairs", "comparisons":
 * {NAME: {"not_compared", "m": {LEVEL: M}}}}]) to *${out}.  Returns 0;
 * SEEN_ENOTFOUND when there is no pair to learn from; an error.
 */
SEEN_MUST_CHECK int seen_matcher_weights(struct seen_matcher *m,
    struct seen_txn *txn, size_t sample, json_t **out);

/**
 * seen_matcher_ack(m, id, operator, now):
 * Acknowledge alert ${id} (16 hex digits) as ${operator}.  Returns 0,
 * SEEN_ENOTFOUND, or an error.
 */
SEEN_MUST_CHECK int seen_matcher_ack(struct seen_matcher *m, const char *id,
    const char *op, uint64_t now);

/**
 * seen_matcher_linked(txn, a, ha, b, hb, find):
 * Whether this node's matcher links entry ${ha} of origin ${a} to entry
 * ${hb} of origin ${b} (either band, match or possible), reading through
 * ${txn}.  With ${find} set, *${hb} is an output instead: the first live
 * entry of origin ${b} linked to ${ha}.  Returns 0 when linked (both
 * entries live); SEEN_ENOTFOUND when an entry is not live or they are
 * not linked; SEEN_EAGAIN when both are live but the matcher has not yet
 * reached one of them (not linked yet: ask again after a step);
 * SEEN_ECORRUPT, SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_matcher_linked(struct seen_txn *txn, uint32_t a,
    const uint8_t ha[static 16], uint32_t b, uint8_t hb[static 16], int find);

/**
 * seen_matcher_find_person(m, txn, pid, oidx, handle):
 * Find the person ${pid} ("P" and 16 hex digits, as `seen persons` and
 * `seen query` print it) among the live entries, reading through ${txn}:
 * one of its entries, origin *${oidx} and handle ${handle}.  Returns 0;
 * SEEN_EINVAL when ${pid} is not a person id; SEEN_ENOTFOUND when no
 * person has it; SEEN_ECORRUPT, SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_matcher_find_person(struct seen_matcher *m,
    struct seen_txn *txn, const char *pid, uint32_t *oidx,
    uint8_t handle[static 16]);

/**
 * seen_matcher_world(m, txn, oidx, handle):
 * The world of the person of entry ${handle} of origin ${oidx}, reading
 * through ${txn}: {"subject": P, "people": [...], "events": [...]} as
 * the chronology contract (spec/cli.md) has them, with what the index
 * holds: the subject first, then the people who share a record with it
 * and the people in the records of those, each with "person",
 * "relation", "roles", "birth_band", "name" (null here), "shielded",
 * "known_to"; one event per record of the subject or of the people
 * sharing a record with it, sorted by date then node, each with "date",
 * "node", "local_authority", "kind", "risk", "record", "people" [{"person",
 * "role", "handle"}], "child_present", "child_voice", "dvds".  At most
 * 512 people and 2048 records.  Returns a new object, or NULL (an error
 * of the store, or memory ran out).
 */
json_t *seen_matcher_world(struct seen_matcher *m, struct seen_txn *txn,
    uint32_t oidx, const uint8_t handle[static 16]);

/**
 * seen_matcher_relation(hop, roles_with, roles_all, band, child):
 * The relation to the subject, a child when ${child} is set, of a person
 * ${hop} records away from it (0 the subject, 1 in one of its records, 2
 * in a record of such a person), whose entries in the subject's records
 * have the roles of the mask ${roles_with} (bit 1 << Seen__Role) and in
 * all its entries ${roles_all}, of birth band ${band} (0 unknown, 1
 * unborn, 2 child, 3 adult): "subject"; in a child's records
 * "perpetrator", "parent_or_carer" or "sibling" by the role there; in an
 * adult's, "perpetrator", "child" or "adult" by the role there; further
 * away "perpetrator" (of any record), "child" or "adult" (by age, else by
 * role).  Returns a static string.
 */
const char *seen_matcher_relation(int hop, unsigned roles_with,
    unsigned roles_all, unsigned band, int child);

/**
 * seen_matcher_voice(flags, child):
 * Whether a record of entry flags ${flags} (Seen__EntryFlag bits, of any
 * of its entries) holds the child's voice: "recorded" when it does;
 * "not_recorded" when a child was present or, ${child} set, a child is
 * one of its people; else "not_applicable".  Returns a static string.
 */
const char *seen_matcher_voice(uint32_t flags, int child);

/**
 * seen_matcher_asks(alert, out, len):
 * Write to ${out} (${len} bytes, truncated) what the alert ${alert} (a
 * row of the alerts contract) asks of a lead, naming the local
 * authorities of its members: for a perpetrator with children in several
 * households, "a strategy discussion across Reading and Hertfordshire".
 * Returns ${out}.
 */
const char *seen_matcher_asks(json_t *alert, char *out, size_t len);

#endif /* !SEEN_MATCHER_H */

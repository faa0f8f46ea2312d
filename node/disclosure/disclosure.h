/*
 * disclosure.h: a lead's request for the details behind an index entry,
 * the holding node's decision, and the sealed answer (DESIGN.md
 * "Disclosure"; docs/protocol.md §10; spec/cli.md `seen request`,
 * `seen inbox`, `seen decide`, `seen disclosures`).
 *
 * The requesting side stores the request, sends a DISCLOSURE_REQUEST to
 * the node that published the entry, and sends it again, unchanged, until
 * a final answer arrives (seen_disclosure_tick).  The holding side finds
 * the record and person behind its own handle, asks the partnership
 * agreement (proto/policy.h), and either shares at once or queues the
 * request for its lead (`seen decide`).  Every decision, automatic or a
 * lead's, is a DecisionRecord leaf of the holder's exchange log, in the
 * transaction that records it; the request and every answer travel in
 * envelopes, which both exchange logs hold.  A request id is answered
 * once: a repeated request gets the same answer again.
 *
 * An answer (DisclosureResponse) carries its outcome in clear and
 * everything else -- the details, the reason for withholding, who
 * decided -- sealed with crypto_box_seal to the requesting member's
 * Curve25519 key from the membership document, bound to the request id
 * and handle.  Only the requesting node can open it: not a relay, not an
 * exchange log, not an audit export.
 *
 * What is shared is one record's own fields (reference, kind, date, local
 * authority, risk, whether a child was present, the child's voice or why
 * it was not captured, the Clare's Law route, the summary) and that one
 * person's fields as imported; of the record's other people only their
 * roles.  Never another record.
 *
 * A request carries its reason on record: the requester's own entry
 * that its matcher links to the one asked for, and/or the exchange-log
 * leaf of the query that showed it.  The holder checks the link with its
 * own matcher; only a checked link lets the agreement share at once, and
 * then at most SEEN_DISCLOSURE_AUTO_PER_HOUR times an hour per requester.
 *
 * The store: SEEN_DB_DISCLOSURES (node/disclosure/state.h).
 *
 * Nothing here is thread-safe; the daemon calls it from its one thread.
 */
#ifndef SEEN_DISCLOSURE_H
#define SEEN_DISCLOSURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_fed;
struct seen_keys;
struct seen_policy;
struct seen_store;
struct seen_txn;

/* Seconds between sendings of a request that has no answer yet, and of
 * one the holder has queued for its lead. */
#define SEEN_DISCLOSURE_RETRY 20
#define SEEN_DISCLOSURE_RETRY_QUEUED 120

#define SEEN_DISCLOSURE_REASON_MAX 2000 /* characters of a reason */

/*
 * The holder's limits on what one requesting node may ask (docs/
 * protocol.md §10, "Limits"): new requests taken per hour, automatic
 * shares per hour (beyond: the request waits for the lead), requests
 * waiting for the lead from one requester and from all.  A request over
 * a limit is refused without an answer: nothing is stored or logged, and
 * the requester sends it again SEEN_DISCLOSURE_RETRY seconds later.
 */
#define SEEN_DISCLOSURE_PER_HOUR 60
#define SEEN_DISCLOSURE_AUTO_PER_HOUR 10
#define SEEN_DISCLOSURE_QUEUED_MAX 20
#define SEEN_DISCLOSURE_INBOX_MAX 200
#define SEEN_DISCLOSURE_RATES 256    /* requesters whose hour is kept */

/* The leaves of its own exchange log, from the newest, in which the
 * requesting node looks for the query that showed an entry. */
#define SEEN_DISCLOSURE_QUERY_SCAN 65536

/* One requester's hour: since when, and what it was given in it. */
struct seen_disclosure_rate {
    uint8_t pk[32];
    uint64_t since;      /* Unix seconds; 0: a free slot */
    uint32_t taken;      /* new requests taken */
    uint32_t automatic;  /* shared by the agreement */
    int full;            /* its queue was found full since the last
                          * decision: refused without reading it again */
};

/* What the disclosure code refused or held back since the node started
 * (`seen status --json`, "disclosure"). */
struct seen_disclosure_counts {
    uint64_t taken;           /* new requests stored and answered */
    uint64_t no_reason;       /* REFUSED: no match and no query named */
    uint64_t unmatched;       /* REFUSED: the match named is no link here */
    uint64_t not_matched_yet; /* dropped: this node has not matched yet */
    uint64_t rate_limited;    /* dropped: over SEEN_DISCLOSURE_PER_HOUR */
    uint64_t queue_full;      /* dropped: the lead's queue is full */
    uint64_t automatic_held;  /* queued: over SEEN_DISCLOSURE_AUTO_PER_HOUR */
    uint64_t unsolicited;     /* answers to no request sent to that node */
    uint64_t bad_answers;     /* answers that do not open or decode */
    uint64_t notices_sent;     /* look-up notices sent to holders */
    uint64_t notices_received; /* look-up notices kept, as a holder */
    uint64_t notices_refused;  /* notices naming no entry of this node, or
                                  malformed */
};

/* What the disclosure code needs of its node; all borrowed. */
struct seen_disclosure {
    struct seen_store *store;
    const struct seen_keys *keys;
    struct seen_fed *fed;             /* NULL: not in a federation */
    const struct seen_policy *policy; /* NULL: every request is queued */
    const char *node;                 /* this node's name */
    const char *type;                 /* this node's agency type (cli.md) */
    /* Unix seconds when seen_disclosure_tick() next has a request to send
     * again (0: look at once; UINT64_MAX: none waits), which it and
     * seen_disclosure_request() keep. */
    uint64_t next_due;
    /* The holder's limits and counters: zero at start. */
    struct seen_disclosure_rate rate[SEEN_DISCLOSURE_RATES];
    struct seen_disclosure_counts counts;
};

/**
 * seen_disclosure_on_message(d, txn, from, type, body, blen):
 * Apply a DISCLOSURE_REQUEST or DISCLOSURE_RESPONSE ${type} envelope body
 * (${blen} bytes) from the active member ${from}, already accepted and
 * logged, inside ${txn}.  A request is answered at once (queued, shared
 * or refused) through seen_fed_send(); a response updates the request it
 * answers.  Returns 0; SEEN_EINVAL for a malformed body; SEEN_EPERM for a
 * response from a node that was not asked, or whose sealed part does not
 * open for this node or does not belong to the request, and for a new
 * request not taken now (over the requester's limits, its queue full, or
 * naming an entry this node has not matched yet: protocol.md §10), each
 * counted in d->counts, said per burst, and counted by the caller as
 * refused (the caller undoes the message: nothing is stored); SEEN_EFULL, SEEN_ERR, SEEN_ENOMEM, SEEN_ECORRUPT
 * (abort ${txn}).  A signature of seen_fed_msg_fn (node/replication/federation.h),
 * with ${d} as its context.
 */
SEEN_MUST_CHECK int seen_disclosure_on_message(void *d, struct seen_txn *txn,
    const uint8_t from[static 32], int type, const uint8_t *body,
    size_t blen);

/*
 * The control commands (node/control/ serves them): each needs
 * "operator", a registered operator whose role allows it, authorised by
 * the caller in the transaction it passes.  Rows and fields are
 * documented in docs/protocol.md §10.  Any failure is {"ok": false,
 * "error": TEXT}, TEXT fit for the user.
 */

/**
 * seen_disclosure_request(d, txnp, req):
 * The "request" control command: store a request for the details behind
 * entry "handle" of node "node", asked by "operator" (already authorised
 * in the write transaction *${txnp}) for "purpose" under "basis", and
 * send it.  Returns {"ok": true, "request": HEX32} or {"ok": false,
 * "error": TEXT} (a new reference; NULL when memory runs out).  Commits
 * *${txnp} and sets it to NULL once the request is stored; otherwise the
 * caller aborts it.  Sends go out before it returns (seen_fed_flush).
 */
json_t *seen_disclosure_request(struct seen_disclosure *d,
    struct seen_txn **txnp, json_t *req);

/**
 * seen_disclosure_decide(d, txnp, req):
 * The "decide" control command: record the decision of "operator"
 * (already authorised in the write transaction *${txnp}) on the received
 * request "request" (its id, or a unique prefix of 8 or more hex digits):
 * "share" true, or false with a "reason" and maybe a "review" date; log
 * it and tell the requester.  Returns {"ok": true, "request": HEX32,
 * "outcome": "shared"|"withheld"} or {"ok": false, "error": TEXT} (a new
 * reference; NULL when memory runs out).  Commits *${txnp} and sets it
 * to NULL once the decision is stored; otherwise the caller aborts it.
 * Sends go out before it returns (seen_fed_flush).
 */
json_t *seen_disclosure_decide(struct seen_disclosure *d,
    struct seen_txn **txnp, json_t *req);

/**
 * seen_disclosure_list(d, txn, received, all, data, dlen):
 * The "inbox" (${received}: the requests received, those waiting for a
 * decision or, with ${all}, every one) and "disclosures" (the requests
 * sent, with their answers) control commands, read through ${txn}: on
 * success *${data} is the NDJSON rows of docs/protocol.md §10 (malloc'd,
 * *${dlen} bytes; the caller frees) and the reply {"ok": true}; else
 * {"ok": false, "error": TEXT}.  Returns a new reference, or NULL when
 * memory runs out.
 */
json_t *seen_disclosure_list(struct seen_disclosure *d, struct seen_txn *txn,
    int received, int all, char **data, size_t *dlen);

/**
 * seen_disclosure_known(d, txn, out):
 * Read through ${txn} every request this node sent and received: *${out}
 * is {"sent": [ROW...], "received": [ROW...]}, the rows of `seen
 * disclosures --json` and `seen inbox --all --json` (a new reference).
 * Returns 0; SEEN_ECORRUPT when the table cannot be read; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_disclosure_known(struct seen_disclosure *d,
    struct seen_txn *txn, json_t **out);

/**
 * seen_disclosure_tick(d, now):
 * Send again every request sent without a final answer whose last sending
 * is SEEN_DISCLOSURE_RETRY (or, queued, SEEN_DISCLOSURE_RETRY_QUEUED)
 * seconds before ${now}; set d->next_due.  Never call it in a write txn.
 * Returns the number sent again, or a negative SEEN_E* code (logged).
 */
int seen_disclosure_tick(struct seen_disclosure *d, uint64_t now);

/**
 * seen_disclosure_status(d, out):
 * Add "disclosure" to the status object ${out}: what was taken, refused
 * and held back since the node started, and the limits (spec/cli.md).
 */
void seen_disclosure_status(const struct seen_disclosure *d, json_t *out);

/**
 * seen_disclosure_waiting(txn, n, oldest):
 * Count the requests received that wait for a lead's decision (queued)
 * to *${n}, and write when the oldest of them was asked (Unix seconds; 0
 * when none waits) to *${oldest}, reading through ${txn}.  Returns 0 or
 * an error of the store.
 */
int seen_disclosure_waiting(struct seen_txn *txn, uint64_t *n,
    uint64_t *oldest);

/**
 * seen_disclosure_details(record_json, len, ref, holder, out):
 * Build what is shared about person ${ref} of the stored record body
 * ${record_json} (${len} bytes, the record as imported): a JSON object
 * {"holder": ${holder} (borrowed object, may be NULL), "record": {...},
 * "person": {...}, "others_in_record": [ROLE, ...]}.  For unit tests and
 * the holder.  Returns 0 and a new reference in *${out}; SEEN_ENOTFOUND
 * when the record has no person ${ref}; SEEN_ECORRUPT when the body is not
 * a record; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_disclosure_details(const char *record_json,
    size_t len, const char *ref, json_t *holder, json_t **out);

/**
 * seen_disclosure_seal(content, clen, curve_pk, out, olen):
 * seen_disclosure_open(sealed, slen, curve_pk, curve_sk, out, olen):
 * crypto_box_seal of ${clen} bytes to ${curve_pk}, and its opening with
 * the key pair.  *${out} is malloc'd (*${olen} bytes; the caller frees).
 * Return 0; SEEN_EAUTH when the box does not open with that key pair
 * (also when too short); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_disclosure_seal(const uint8_t *content, size_t clen,
    const uint8_t curve_pk[static 32], uint8_t **out, size_t *olen);
SEEN_MUST_CHECK int seen_disclosure_open(const uint8_t *sealed, size_t slen,
    const uint8_t curve_pk[static 32], const uint8_t curve_sk[static 32],
    uint8_t **out, size_t *olen);

/*
 * Look-up notices (notice.c; docs/protocol.md section 10, "Look-up
 * notices"): a lead's query or chronology that showed entries of another
 * node tells that node who looked, why, when and at which of its entries;
 * the holder keeps what it is told (SEEN_DB_DISCLOSURES, key 'L') and
 * shows it in `seen inbox --all`.
 */

/**
 * seen_notice_send(d, op, purpose, what, query_seq, members, persons):
 * After the look-up ${what} ("query" or "chronology") of the operator
 * ${op} for ${purpose}, logged at ${query_seq} of this node's exchange
 * log and committed, send each other member whose entries it showed (the
 * "node" and "handle" of each object of ${members} and of the "members"
 * of each of ${persons}; either may be NULL) one LOOKUP_NOTICE naming
 * them, kept as pending until the holder acknowledges it (sent again by
 * seen_notice_tick), and flush.  Call it outside any transaction.
 * Returns the number of notices sent (counted in d->counts.notices_sent).
 */
size_t seen_notice_send(struct seen_disclosure *d, const char *op,
    const char *purpose, const char *what, uint64_t query_seq,
    json_t *members, json_t *persons);

/**
 * seen_notice_on_message(d, txn, from, body, blen):
 * Keep the LOOKUP_NOTICE ${body} (${blen} bytes) from ${from}, already
 * accepted and logged, inside ${txn}: only the handles that are this
 * node's own entries, once per notice id; and acknowledge it (LOOKUP_ACK,
 * also when it names no entry of this node: counted as refused, nothing
 * kept).  Returns 0; SEEN_EINVAL when malformed (counted); an error of
 * the store.
 */
SEEN_MUST_CHECK int seen_notice_on_message(struct seen_disclosure *d,
    struct seen_txn *txn, const uint8_t from[static 32], const uint8_t *body,
    size_t blen);

/**
 * seen_notice_on_ack(d, txn, from, body, blen):
 * The LOOKUP_ACK ${body} from ${from}: the notice it names, sent to
 * ${from}, is sent no more.  Returns 0 (also when it was acknowledged
 * before); SEEN_EINVAL when malformed; SEEN_EPERM when that notice went
 * to another node; an error of the store.
 */
SEEN_MUST_CHECK int seen_notice_on_ack(struct seen_disclosure *d,
    struct seen_txn *txn, const uint8_t from[static 32], const uint8_t *body,
    size_t blen);

/**
 * seen_notice_tick(d, txn, now, next):
 * Inside the write transaction ${txn}, send again each notice not yet
 * acknowledged whose wait is over at ${now} (SEEN_DISCLOSURE_RETRY
 * seconds, doubled each time, at most an hour; a notice not acknowledged
 * in seven days is dropped, logged), and lower *${next} to when the next
 * is due.  Returns the number sent again, or an error of the store.
 */
int seen_notice_tick(struct seen_disclosure *d, struct seen_txn *txn,
    uint64_t now, uint64_t *next);

/**
 * seen_notice_pending(txn, n):
 * Count the notices sent and not yet acknowledged to *${n}.  Returns 0
 * or an error of the store.
 */
SEEN_MUST_CHECK int seen_notice_pending(struct seen_txn *txn, uint64_t *n);

/**
 * seen_notice_rows(d, txn, rows):
 * Add to ${rows} a row for each notice kept, oldest first: {"notice":
 * "lookup", "from", "operator", "purpose", "what", "time", "received",
 * "query_seq", "handles": [HEX, ...]}.  Returns 0 or an error of the
 * store (SEEN_ENOMEM).
 */
struct seen_ctl_rows;
SEEN_MUST_CHECK int seen_notice_rows(struct seen_disclosure *d,
    struct seen_txn *txn, struct seen_ctl_rows *rows);

#endif /* !SEEN_DISCLOSURE_H */

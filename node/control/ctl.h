/*
 * ctl.h: inside the control room (node/control/): the state behind a
 * struct seen_control and the handlers of its table, one file per area:
 *
 *   ctl_node.c        ping, status, stop, handles, membership, xlog_resolve,
 *                     backup
 *   ctl_import.c      import_begin, import_lines, import_commit, import_abort
 *   ctl_query.c       query
 *   ctl_chronology.c  chronology
 *   ctl_matching.c    persons, links, alerts, alert_ack
 *   ctl_operators.c   operator_add, operator_list, operator_suspend,
 *                     operator_resume, operator_remove, operator_role
 *   ctl_disclosure.c  request, decide, inbox, disclosures
 *
 * Nothing outside node/control/ includes this file.
 */
#ifndef SEEN_NODE_CONTROL_CTL_H
#define SEEN_NODE_CONTROL_CTL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "node/control/control.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/control.h"

/* The one import session (docs/protocol.md §4). */
struct seen_query_result;

struct ctl_import {
    int open;
    uint64_t id;          /* the session number the client echoes */
    struct seen_txn *txn; /* the store's write transaction, owned */
    int skip_invalid;
    uint64_t rejected, warnings, lines, not_found;
    time_t last; /* when it was last used */
    struct seen_index_stats st;
    uint64_t grown; /* times the store's map had grown when it began */
};

struct seen_control {
    struct seen_control_node n;
    int stopping; /* a "stop" was served */
    int peer;     /* peer mode as last found: 1, 0, or -1 not yet known */
    struct ctl_import imp;
};

/* One request being served, as the dispatcher hands it to a handler. */
struct ctl_call {
    json_t *req;      /* the request object, borrowed */
    const char *data; /* its binary frame, or NULL */
    size_t dlen;
    /*
     * With SEEN_CONTROL_READ or _WRITE, the transaction the dispatcher
     * opened (and authorised in, with SEEN_CONTROL_OPERATOR); a handler
     * that commits or aborts it sets this to NULL, and the dispatcher
     * aborts what is left.  NULL otherwise.
     */
    struct seen_txn *txn;
    char **out; /* the reply's binary frame: malloc'd */
    size_t *outlen;
};

/* A command: returns a new reply, or NULL when memory runs out. */
typedef json_t *ctl_fn(struct seen_control *c, struct ctl_call *call);

/* ctl_node.c */
ctl_fn ctl_node_ping, ctl_node_status, ctl_node_stop, ctl_node_handles,
    ctl_node_membership, ctl_node_xlog_resolve, ctl_node_backup;

/* ctl_import.c */
ctl_fn ctl_import_begin, ctl_import_lines, ctl_import_commit, ctl_import_abort;

/**
 * ctl_import_close(c):
 * Abandon ${c}'s import session, if open: abort its transaction, nothing
 * of it stored.
 */
void ctl_import_close(struct seen_control *c);

/* ctl_query.c */
ctl_fn ctl_query;

/* ctl_audit.c */
ctl_fn ctl_audit_export;

/* The person, or the normalised criteria, of a look-up, and the buffers
 * they point into. */
struct ctl_query_in {
    const char *person; /* "P..." of the request, or NULL */
    const char *what;   /* "query", "chronology": the custodians are told */
    const char *op;     /* the operator of the request, or NULL */
    struct seen_token_input q;
    char nhs[11], pc[9], dist[5];
};

/**
 * ctl_query_input(req, in, what):
 * Read the person ("person") or the criteria, and the purpose, of the
 * look-up ${req} (a ${what}: "query", "chronology") into ${in}.  Returns
 * NULL, or the refusal.
 */
json_t *ctl_query_input(json_t *req, struct ctl_query_in *in, const char *what);

/**
 * ctl_query_run(c, txn, in, res):
 * Run the search of ${in} (its criteria) in ${txn}: its hits in *${res},
 * which the caller releases (also on a refusal).  In an OPRF epoch the
 * custodians evaluate the tokens of the criteria first, told the
 * operator and what the look-up is.  Returns NULL, or the refusal.
 */
json_t *ctl_query_run(struct seen_control *c, struct seen_txn *txn,
    const struct ctl_query_in *in, struct seen_query_result *res);

/**
 * ctl_query_person(c, txn, pid, oidx, handle, digest, logged):
 * Find the person ${pid} of a look-up in ${txn}: one of its entries,
 * *${oidx} and ${handle}, and the digest of the look-up's criteria (of
 * "person:P") in ${digest}.  Returns NULL, or the refusal, with
 * *${logged} 0 when ${pid} is no person id (nothing to log) and 1 when
 * the look-up is to be logged all the same (no such person).
 */
json_t *ctl_query_person(struct seen_control *c, struct seen_txn *txn,
    const char *pid, uint32_t *oidx, uint8_t handle[static 16],
    char digest[static 65], int *logged);

/**
 * ctl_query_criteria(c, q, out):
 * Write to ${out} the digest of the criteria ${q} for the QUERY record:
 * a keyed BLAKE2b-256 of the normalised criteria, 64 hex digits and a NUL.
 */
void ctl_query_criteria(struct seen_control *c,
    const struct seen_token_input *q, char out[static 65]);

/**
 * ctl_query_digest(c, f, n, out):
 * Write to ${out} the keyed digest of the ${n} fields ${f} (NULL: empty)
 * of a look-up's criteria: 64 hex digits and a NUL.
 */
void ctl_query_digest(struct seen_control *c, const char *const *f, size_t n,
    char out[static 65]);

/**
 * ctl_query_log(c, txn, op, purpose, digest, members, persons):
 * Log the look-up of ${op} for ${purpose}, of criteria ${digest}, that
 * showed the "handle" of each object of ${members} and of each of the
 * "members" of each of ${persons}, as a QUERY record of the exchange log
 * inside ${txn}, at the leaf *${seq}.  Returns 0 or an error of the log.
 */
int ctl_query_log(struct seen_control *c, struct seen_txn *txn, const char *op,
    const char *purpose, const char *digest, json_t *members, json_t *persons,
    uint64_t *seq);

/* ctl_chronology.c */
ctl_fn ctl_chronology;

/* ctl_matching.c */
ctl_fn ctl_matching_persons, ctl_matching_links, ctl_matching_alerts,
    ctl_matching_weights, ctl_matching_ack;

/* ctl_operators.c */
ctl_fn ctl_operators_add, ctl_operators_list, ctl_operators_suspend,
    ctl_operators_resume, ctl_operators_remove, ctl_operators_role;

/* ctl_custodian.c */
ctl_fn ctl_custodians_check;

void ctl_custodian_status(struct seen_control *c, json_t *r);

/* ctl_disclosure.c */
ctl_fn ctl_disclosure_request, ctl_disclosure_decide, ctl_disclosure_inbox,
    ctl_disclosure_list;

#endif /* !SEEN_NODE_CONTROL_CTL_H */

/*
 * control.h: the commands the daemon serves on its control socket
 * (docs/protocol.md §4; the client is proto/control.h).
 *
 * One table holds a row per command: its name, its handler and the
 * conditions it needs, as flags.  One dispatcher looks the command up and
 * checks those conditions, in this order, before the handler runs:
 *
 *   SEEN_CONTROL_IDLE_STORE  refused while an import runs ("an import is
 *                            in progress: try again when it ends"): the
 *                            import session holds the store's one write
 *                            transaction, and every query, decision and
 *                            change is written (queries are logged)
 *   SEEN_CONTROL_READ        runs inside a read transaction the dispatcher
 *   SEEN_CONTROL_WRITE       (or write transaction) opens and ends
 *   SEEN_CONTROL_OPERATOR    needs "operator": a registered operator whose
 *                            role allows the row's action
 *                            (storage/operators.h), checked inside that
 *                            transaction before anything of the request
 *                            is read: a refused operator learns nothing
 *   SEEN_CONTROL_ALL_LOOKUPS the action is SEEN_ACT_VIEW_LOOKUPS when the
 *                            request says "all": true (seen inbox --all)
 *   SEEN_CONTROL_PEER        in peer mode only, needs an operator whose
 *                            role allows the row's action, as OPERATOR
 *                            does (in a read transaction of its own when
 *                            the row asks for none); in claimed mode
 *                            served to whoever reaches the socket, as
 *                            before operators were bound to Unix users
 *
 * Who the operator is: in claimed mode (no operator bound to a Unix
 * user) the request's "operator"; in peer mode the operator bound to the
 * caller's Unix uid that the rule of storage/operators.h
 * (seen_operator_resolve) finds, written into the request's "operator"
 * before the handler runs, so that every act is logged under the
 * operator's registered name (docs/operations.md, "Operators who are
 * people").
 *
 * Nothing here is thread-safe; the daemon calls it from its one thread.
 */
#ifndef SEEN_NODE_CONTROL_H
#define SEEN_NODE_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "common/seen.h"

#define SEEN_CONTROL_IDLE_STORE 0x01u
#define SEEN_CONTROL_READ 0x02u
#define SEEN_CONTROL_WRITE 0x04u
#define SEEN_CONTROL_OPERATOR 0x08u
#define SEEN_CONTROL_ALL_LOOKUPS 0x10u
#define SEEN_CONTROL_PEER 0x20u

/* An import session idle this long is abandoned, nothing of it stored. */
#define SEEN_CONTROL_IMPORT_IDLE 300 /* seconds */

struct seen_config;
struct seen_custodian;
struct seen_disclosure;
struct seen_oprf_client;
struct seen_fed;
struct seen_indexer;
struct seen_keys;
struct seen_matcher;
struct seen_store;

/*
 * What the commands need of their node, all borrowed and outliving the
 * seen_control.  A test may leave NULL what the commands it sends do not
 * use (the operator commands need only ${store} and ${keys}: they log).
 */
struct seen_control_node {
    const struct seen_config *cfg; /* name, type, local authority */
    const struct seen_keys *keys;
    struct seen_store *store;
    struct seen_indexer *ix; /* ix->tk: the tokenizer in use */
    struct seen_fed *fed;
    struct seen_matcher *mt;
    struct seen_disclosure *dis;
    time_t started; /* for "uptime" */
    const char *home; /* the node home, for backups; NULL: none */
    struct seen_custodian *cust;   /* its custodian service; NULL: none */
    struct seen_oprf_client *oprf; /* asks the custodians; NULL: none */
};

struct seen_control;

/**
 * seen_control_new(node):
 * Return the control commands of ${node} (copied; what it points to is
 * borrowed), with no import session open, or NULL when memory runs out.
 */
struct seen_control *seen_control_new(const struct seen_control_node *node);

/**
 * seen_control_destroy(&c):
 * Abandon an open import session (nothing of it stored) and free ${c}.
 * Sets the caller's pointer to NULL; NULL or a pointer to NULL is a no-op,
 * so it is safe twice.
 */
void seen_control_destroy(struct seen_control **pp);

/**
 * seen_control_serve(c, uid, req, data, dlen, out, outlen):
 * Serve the request ${req} ({"cmd": NAME, ...}; borrowed, may be any JSON
 * value or NULL; its "operator" may be set to the operator it acts as),
 * sent by the Unix uid ${uid} (SEEN_UID_UNKNOWN when not known), with
 * ${dlen} bytes of ${data} when the request had a binary frame (else
 * ${data} is NULL): check the conditions of NAME's row, then run it.
 * Returns a new reply (the caller decrefs): {"ok": true, ...} or {"ok":
 * false, "error": TEXT} -- "malformed request" when ${req} is not an
 * object with a string "cmd", "unknown command 'NAME'" when there is no
 * such command -- never NULL ("out of memory" when memory runs out).
 * *${out} is set to a reply's binary frame (malloc'd, the caller frees;
 * *${outlen} bytes), or NULL when it has none.
 */
json_t *seen_control_serve(struct seen_control *c, long uid, json_t *req,
    const char *data, size_t dlen, char **out, size_t *outlen);

/**
 * seen_control_peer(c):
 * Return 1 when the last request served found the node in peer mode
 * (an operator bound to a Unix user), 0 in claimed mode, -1 before any
 * request that needed to know.
 */
int seen_control_peer(const struct seen_control *c);

/**
 * seen_control_dispatch(c, req, data, dlen, out, outlen):
 * seen_control_serve() of a request from a caller whose Unix uid is not
 * known (SEEN_UID_UNKNOWN): served in claimed mode, refused in peer mode
 * where the command needs an operator.
 */
json_t *seen_control_dispatch(struct seen_control *c, json_t *req,
    const char *data, size_t dlen, char **out, size_t *outlen);

/**
 * seen_control_flags(name):
 * Return the flags of command ${name} (SEEN_CONTROL_*), or -1 when there
 * is no such command.
 */
int seen_control_flags(const char *name);

/**
 * seen_control_importing(c):
 * Return 1 while an import session holds the store's write transaction,
 * else 0.
 */
int seen_control_importing(const struct seen_control *c);

/**
 * seen_control_import_idle(c, now):
 * Abandon the import session, nothing of it stored, when it has been idle
 * for more than SEEN_CONTROL_IMPORT_IDLE seconds at ${now} (logged).
 */
void seen_control_import_idle(struct seen_control *c, time_t now);

/**
 * seen_control_stopping(c):
 * Return 1 once a "stop" command has been served, else 0.
 */
int seen_control_stopping(const struct seen_control *c);

#endif /* !SEEN_NODE_CONTROL_H */

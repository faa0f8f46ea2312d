#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/control/control.h"
#include "node/control/ctl.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"

#define reply_error seen_ctl_reply_error

#define IDLE SEEN_CONTROL_IDLE_STORE
#define READ SEEN_CONTROL_READ
#define WRITE SEEN_CONTROL_WRITE
#define OPERATOR SEEN_CONTROL_OPERATOR
#define ALL_LOOKUPS SEEN_CONTROL_ALL_LOOKUPS
#define PEER SEEN_CONTROL_PEER

/*
 * The commands (docs/protocol.md §4).  ${act} is what the operator must
 * be allowed to do, with OPERATOR, and with PEER in peer mode only.
 * import_begin refuses a second session itself: it may abandon an idle
 * one.  ping is served to whoever reaches the socket: it says the node's
 * name, version and pid, and that it is up.
 */
static const struct ctl_cmd {
    const char *name;
    ctl_fn *fn;
    unsigned flags;
    enum seen_action act;
} ctl_cmds[] = {
    {"ping", ctl_node_ping, 0, 0},
    {"status", ctl_node_status, PEER, SEEN_ACT_VIEW_STATUS},
    {"stop", ctl_node_stop, PEER, SEEN_ACT_NODE_ADMIN},
    {"handles", ctl_node_handles, READ | PEER, SEEN_ACT_NODE_ADMIN},
    {"membership", ctl_node_membership, IDLE | PEER, SEEN_ACT_NODE_ADMIN},
    {"xlog_resolve", ctl_node_xlog_resolve, IDLE | WRITE | OPERATOR,
        SEEN_ACT_NODE_ADMIN},
    {"backup", ctl_node_backup, READ | OPERATOR, SEEN_ACT_NODE_ADMIN},
    {"import_begin", ctl_import_begin, PEER, SEEN_ACT_IMPORT},
    {"import_lines", ctl_import_lines, PEER, SEEN_ACT_IMPORT},
    {"import_commit", ctl_import_commit, PEER, SEEN_ACT_IMPORT},
    {"import_abort", ctl_import_abort, PEER, SEEN_ACT_IMPORT},
    {"query", ctl_query, IDLE | WRITE | OPERATOR, SEEN_ACT_QUERY},
    {"chronology", ctl_chronology, IDLE | WRITE | OPERATOR, SEEN_ACT_QUERY},
    {"persons", ctl_matching_persons, READ | OPERATOR, SEEN_ACT_VIEW_PERSONS},
    {"links", ctl_matching_links, READ | OPERATOR, SEEN_ACT_VIEW_PERSONS},
    {"alerts", ctl_matching_alerts, READ | OPERATOR, SEEN_ACT_VIEW_ALERTS},
    {"weights", ctl_matching_weights, READ | OPERATOR, SEEN_ACT_VIEW_ALERTS},
    {"audit_export", ctl_audit_export, READ | OPERATOR, SEEN_ACT_AUDIT_EXPORT},
    {"alert_ack", ctl_matching_ack, IDLE | READ | OPERATOR, SEEN_ACT_ACK_ALERT},
    {"operator_add", ctl_operators_add, IDLE | WRITE | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"operator_list", ctl_operators_list, IDLE | READ | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"operator_suspend", ctl_operators_suspend, IDLE | WRITE | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"operator_resume", ctl_operators_resume, IDLE | WRITE | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"operator_remove", ctl_operators_remove, IDLE | WRITE | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"operator_role", ctl_operators_role, IDLE | WRITE | OPERATOR,
        SEEN_ACT_MANAGE_OPERATORS},
    {"request", ctl_disclosure_request, IDLE | WRITE | OPERATOR,
        SEEN_ACT_REQUEST},
    {"decide", ctl_disclosure_decide, IDLE | WRITE | OPERATOR, SEEN_ACT_DECIDE},
    {"inbox", ctl_disclosure_inbox, IDLE | READ | OPERATOR | ALL_LOOKUPS,
        SEEN_ACT_VIEW_INBOX},
    {"custodians_check", ctl_custodians_check, IDLE | WRITE | OPERATOR,
        SEEN_ACT_NODE_ADMIN},
    {"disclosures", ctl_disclosure_list, IDLE | READ | OPERATOR,
        SEEN_ACT_VIEW_DISCLOSURES},
};

/* The row of command ${name}, or NULL. */
static const struct ctl_cmd *
find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof ctl_cmds / sizeof ctl_cmds[0]; i++)
        if (strcmp(ctl_cmds[i].name, name) == 0)
            return &ctl_cmds[i];
    return NULL;
}

/*
 * Authorise the request in ${call} for ${cmd} in ${txn} (the peer rule,
 * storage/operators.h, for the caller ${uid}), and record the mode in
 * ${c}.  In peer mode the request's "operator" becomes the operator it
 * acts as, so that every handler logs the registered identity.
 * Returns NULL to go on, or the refusal.
 */
static json_t *
authorise(struct seen_control *c, const struct ctl_cmd *cmd,
    struct ctl_call *call, struct seen_txn *txn, long uid)
{
    struct seen_operator_census cen;
    enum seen_action act = cmd->act;
    json_t *op = json_object_get(call->req, "operator");
    char why[256], name[SEEN_OPERATOR_NAME_MAX + 1];
    int rc;

    if ((rc = seen_operator_census(txn, &cen)) != 0)
        return reply_error("cannot read operators: %s", seen_strerror(rc));
    c->peer = cen.bound > 0;
    if (!(cmd->flags & OPERATOR) && !c->peer)
        return NULL; /* claimed mode: served as before operators */
    if (op != NULL && !json_is_string(op))
        return reply_error("operator: not a string");
    /* All requests received, decided too: who looked up our records. */
    if ((cmd->flags & ALL_LOOKUPS) &&
        json_is_true(json_object_get(call->req, "all")))
        act = SEEN_ACT_VIEW_LOOKUPS;
    if (seen_operator_resolve(txn, c->peer ? uid : SEEN_UID_UNKNOWN,
            json_string_value(op), act, name, why, sizeof why) != 0)
        return reply_error("%s", why);
    if (c->peer &&
        json_object_set_new(call->req, "operator", json_string(name)) != 0)
        return reply_error("out of memory");
    return NULL;
}

/*
 * Open the transaction ${cmd}'s flags ask for in ${call}, and authorise
 * the request's operator in it (in a read transaction of its own for a
 * command that needs none).  Returns NULL to go on, or the refusal.
 */
static json_t *
prepare(struct seen_control *c, const struct ctl_cmd *cmd,
    struct ctl_call *call, long uid)
{
    struct seen_txn *own = NULL;
    json_t *rep;
    int rc, write = (cmd->flags & WRITE) != 0;

    if (!(cmd->flags & (READ | WRITE))) {
        if ((rc = seen_store_begin(c->n.store, 0, &own)) != 0)
            return reply_error("cannot read the store: %s",
                seen_strerror(rc));
        rep = authorise(c, cmd, call, own, uid);
        seen_store_abort(own);
        return rep;
    }
    if ((rc = seen_store_begin(c->n.store, write, &call->txn)) != 0)
        return reply_error("cannot %s the store: %s",
            write ? "write to" : "read", seen_strerror(rc));
    if (!(cmd->flags & (OPERATOR | PEER)))
        return NULL;
    return authorise(c, cmd, call, call->txn, uid);
}

/**
 * seen_control_dispatch(c, req, data, dlen, out, outlen):
 * seen_control_serve() of a request from a caller whose Unix uid is not
 * known (SEEN_UID_UNKNOWN): served in claimed mode, refused in peer mode
 * where the command needs an operator.
 */
json_t *
seen_control_dispatch(struct seen_control *c, json_t *req, const char *data,
    size_t dlen, char **out, size_t *outlen)
{

    return seen_control_serve(c, SEEN_UID_UNKNOWN, req, data, dlen, out,
        outlen);
}

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
json_t *
seen_control_serve(struct seen_control *c, long uid, json_t *req,
    const char *data, size_t dlen, char **out, size_t *outlen)
{
    struct ctl_call call = {req, data, dlen, NULL, out, outlen};
    const struct ctl_cmd *cmd;
    const char *name = json_string_value(json_object_get(req, "cmd"));
    json_t *rep = NULL;

    *out = NULL;
    *outlen = 0;
    if (!json_is_object(req) || name == NULL)
        rep = reply_error("malformed request");
    else if ((cmd = find(name)) == NULL)
        rep = reply_error("unknown command '%s'", name);
    else if ((cmd->flags & IDLE) && c->imp.open)
        rep = reply_error("an import is in progress: try again when it "
                          "ends");
    else if (!(cmd->flags & (READ | WRITE | OPERATOR | PEER)) ||
             (rep = prepare(c, cmd, &call, uid)) == NULL)
        rep = cmd->fn(c, &call);
    seen_store_abort(call.txn);
    return rep != NULL ? rep : reply_error("out of memory");
}

/**
 * seen_control_peer(c):
 * Return 1 when the last request served found the node in peer mode
 * (an operator bound to a Unix user), 0 in claimed mode, -1 before any
 * request that needed to know.
 */
int
seen_control_peer(const struct seen_control *c)
{

    return c->peer;
}

/**
 * seen_control_flags(name):
 * Return the flags of command ${name} (SEEN_CONTROL_*), or -1 when there
 * is no such command.
 */
int
seen_control_flags(const char *name)
{
    const struct ctl_cmd *cmd = name != NULL ? find(name) : NULL;

    return cmd != NULL ? (int)cmd->flags : -1;
}

/**
 * seen_control_new(node):
 * Return the control commands of ${node} (copied; what it points to is
 * borrowed), with no import session open, or NULL when memory runs out.
 */
struct seen_control *
seen_control_new(const struct seen_control_node *node)
{
    struct seen_control *c;

    if ((c = calloc(1, sizeof *c)) == NULL) {
        seen_errorp("control commands");
        return NULL;
    }
    c->n = *node;
    c->peer = -1;
    return c;
}

/**
 * seen_control_destroy(&c):
 * Abandon an open import session (nothing of it stored) and free ${c}.
 * Sets the caller's pointer to NULL; NULL or a pointer to NULL is a no-op,
 * so it is safe twice.
 */
void
seen_control_destroy(struct seen_control **pp)
{
    struct seen_control *c;

    if (pp == NULL || (c = *pp) == NULL)
        return;
    *pp = NULL;
    ctl_import_close(c);
    free(c);
}

/**
 * seen_control_importing(c):
 * Return 1 while an import session holds the store's write transaction,
 * else 0.
 */
int
seen_control_importing(const struct seen_control *c)
{

    return c->imp.open;
}

/**
 * seen_control_import_idle(c, now):
 * Abandon the import session, nothing of it stored, when it has been idle
 * for more than SEEN_CONTROL_IMPORT_IDLE seconds at ${now} (logged).
 */
void
seen_control_import_idle(struct seen_control *c, time_t now)
{

    if (!c->imp.open || now - c->imp.last <= SEEN_CONTROL_IMPORT_IDLE)
        return;
    seen_warn("import session idle for %d s: abandoned, nothing stored",
        SEEN_CONTROL_IMPORT_IDLE);
    ctl_import_close(c);
}

/**
 * seen_control_stopping(c):
 * Return 1 once a "stop" command has been served, else 0.
 */
int
seen_control_stopping(const struct seen_control *c)
{

    return c->stopping;
}

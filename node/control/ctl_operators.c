/*
 * ctl_operators.c: registering, suspending, resuming, removing and
 * listing named operators (storage/operators.h), for `seen operator`:
 *
 *   "operator_add"     {"name": NAME, "role": "admin"|"lead"|"auditor",
 *                       "user": UNIXUSER (optional), "operator": OP}
 *       -> {"ok": true, "name": NAME, "role": ROLE, "added": UNIX_SECONDS,
 *           "user": UNIXUSER, "uid": UID (when bound)}
 *   "operator_suspend" {"name": NAME, "operator": OP} -> {"ok": true}
 *   "operator_resume"  {"name": NAME, "operator": OP} -> {"ok": true}
 *   "operator_remove"  {"name": NAME, "operator": OP} -> {"ok": true}
 *   "operator_role"    {"name": NAME, "role": ROLE, "operator": OP}
 *       -> {"ok": true}: the operator's role from its next request
 *   "operator_list"    {"operator": OP}
 *       -> {"ok": true, "operators": [{"name": NAME, "role": ROLE,
 *           "added": UNIX_SECONDS, "state": "active"|"suspended",
 *           "user": UNIXUSER, "uid": UID (both only when bound)}, ...]}
 *           (in byte order of the names), "mode": "claimed"|"peer"}
 *
 * The dispatcher has authorised OP, an admin, in the transaction (write
 * for all but operator_list), before any field is read; in peer mode OP
 * is the admin bound to the caller's Unix user.  Every change is logged
 * in the exchange log as an XLOG_OPERATOR leaf (an OperatorRecord), in
 * the same transaction: both commit, or neither.  The rules that keep a
 * node manageable (docs/operations.md, "Operators who are people"): the
 * first operator bound to a Unix user is an admin; in peer mode every
 * operator added is bound; the last active admin bound to a Unix user is
 * neither suspended, removed, nor given another role.  Any failure is {"ok": false, "error":
 * TEXT}, TEXT fit for the user.
 */
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "common/log.h"
#include "node/control/ctl.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "xlog/xlog.h"

#define reply_error seen_ctl_reply_error

/*
 * Log the change ${change} of operator ${name}, whose record is (or, for a
 * removal, was) ${op}, made by the request's operator, in ${call}'s
 * transaction, and commit it.  Returns NULL, or the refusal (the
 * transaction is ended either way).
 */
static json_t *
log_and_commit(struct seen_control *c, struct ctl_call *call,
    const char *name, const struct seen_operator *op,
    Seen__OperatorChange change, uint64_t now)
{
    Seen__OperatorRecord r = SEEN__OPERATOR_RECORD__INIT;
    const char *by = seen_ctl_str(call->req, "operator");
    static const char *says[] = {"", "added", "suspended", "resumed",
        "removed", "given a new role"};
    int rc;

    r.operator_ = (char *)(by != NULL ? by : "");
    r.name = (char *)name;
    r.change = change;
    r.role = (char *)seen_role_op_name(op->role);
    r.bound = op->bound;
    r.uid = op->bound ? op->uid : 0;
    r.user = (char *)(op->bound ? op->user : "");
    r.time = now;
    if ((rc = seen_xlog_operator(call->txn, c->n.keys, &r, NULL)) == 0)
        rc = seen_store_commit(call->txn); /* frees it either way */
    else
        seen_store_abort(call->txn);
    call->txn = NULL;
    if (rc != 0)
        return reply_error("cannot change the operator: %s",
            seen_strerror(rc));
    if (op->bound)
        c->peer = 1; /* a bound operator's change: peer mode, for good */
    seen_info("operator '%s' (%s %s%s%s) %s by '%s'", name,
        seen_role_op_article(op->role), r.role, op->bound ? ", Unix user " :
        "", op->bound ? op->user : "", says[change], r.operator_);
    return NULL;
}

/* Find the Unix user ${user}: its uid in *${uid}.  Returns NULL, or the
 * refusal. */
static json_t *
find_user(const char *user, uint32_t *uid)
{
    struct passwd pw, *res = NULL;
    char buf[2048];

    if (!seen_unix_user_valid(user))
        return reply_error("user: not a valid Unix user name");
    if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || res == NULL)
        return reply_error("no Unix user '%s' on this machine", user);
    *uid = (uint32_t)res->pw_uid;
    return NULL;
}

json_t *
ctl_operators_add(struct seen_control *c, struct ctl_call *call)
{
    struct seen_operator_census cen;
    struct seen_operator op;
    enum seen_role_op role = SEEN_OP_LEAD;
    const char *name, *rname, *user;
    uint64_t now = (uint64_t)time(NULL);
    uint32_t uid = 0;
    json_t *rep;
    int rc;

    name = json_string_value(json_object_get(call->req, "name"));
    rname = json_string_value(json_object_get(call->req, "role"));
    user = json_string_value(json_object_get(call->req, "user"));
    if (name == NULL)
        return reply_error("name: missing or not a string");
    if (!seen_operator_name_valid(name))
        return reply_error(
            "name: 1-%d of a-z, 0-9, '.', '_' and '-'", SEEN_OPERATOR_NAME_MAX);
    if (rname == NULL)
        return reply_error("role: missing or not a string");
    if (seen_role_op_parse(rname, &role) != 0)
        return reply_error("role: one of lead, auditor, admin");
    if (json_object_get(call->req, "user") != NULL && user == NULL)
        return reply_error("user: not a string");
    if (user != NULL && (rep = find_user(user, &uid)) != NULL)
        return rep;
    if ((rc = seen_operator_census(call->txn, &cen)) != 0)
        return reply_error("cannot read operators: %s", seen_strerror(rc));
    if (cen.bound > 0 && user == NULL)
        return reply_error("this node checks operators by their Unix user: "
                           "give --user UNIXUSER");
    if (cen.bound == 0 && user != NULL && role != SEEN_OP_ADMIN)
        return reply_error("the first operator bound to a Unix user must be "
                           "an admin: it turns on peer mode, in which only "
                           "bound operators are served");
    if ((rc = seen_operator_add_bound(call->txn, name, role, now, uid,
             user)) != 0) {
        if (rc == SEEN_EEXIST)
            return reply_error("operator '%s' already exists", name);
        return reply_error("cannot add the operator: %s", seen_strerror(rc));
    }
    if ((rc = seen_operator_read(call->txn, name, &op)) != 0)
        return reply_error("cannot add the operator: %s", seen_strerror(rc));
    if ((rep = log_and_commit(c, call, name, &op,
             SEEN__OPERATOR_CHANGE__OPERATOR_ADDED, now)) != NULL)
        return rep;
    rep = json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "name", name, "role",
        seen_role_op_name(role), "added", (json_int_t)now);
    if (rep != NULL && user != NULL) {
        json_object_set_new(rep, "user", json_string(user));
        json_object_set_new(rep, "uid", json_integer((json_int_t)uid));
    }
    return rep;
}

/* Read the "role" of ${call}'s request into *${role}: NULL, or the
 * refusal. */
static json_t *
req_role(struct ctl_call *call, enum seen_role_op *role)
{
    const char *rname = json_string_value(json_object_get(call->req, "role"));

    if (rname == NULL)
        return reply_error("role: missing or not a string");
    if (seen_role_op_parse(rname, role) != 0)
        return reply_error("role: one of lead, auditor, admin");
    return NULL;
}

/*
 * Suspend, resume, remove or give a new role to (${what}) the operator
 * the request names, unless it is the last active admin bound to a Unix
 * user and would stop being one.  Logs the change and commits.
 */
static json_t *
change(struct seen_control *c, struct ctl_call *call,
    Seen__OperatorChange what)
{
    static const char *verb[] = {"", "", "suspend", "resume", "remove",
        "change the role of"};
    struct seen_operator_census cen;
    struct seen_operator op;
    enum seen_role_op role = SEEN_OP_ADMIN;
    enum seen_op_state state = SEEN_OP_ACTIVE;
    const char *name = json_string_value(json_object_get(call->req, "name"));
    uint64_t now = (uint64_t)time(NULL);
    json_t *rep;
    int rc, stops;

    if (name == NULL)
        return reply_error("name: missing or not a string");
    if (what == SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED &&
        (rep = req_role(call, &role)) != NULL)
        return rep;
    if ((rc = seen_operator_read(call->txn, name, &op)) == SEEN_ENOTFOUND)
        return reply_error("no operator '%s'", seen_operator_name_valid(name)
                                                   ? name
                                                   : "?");
    if (rc != 0 || (rc = seen_operator_census(call->txn, &cen)) != 0)
        return reply_error("cannot read operators: %s", seen_strerror(rc));
    /* Does the change leave the operator no longer an active admin? */
    stops = what == SEEN__OPERATOR_CHANGE__OPERATOR_SUSPENDED ||
            what == SEEN__OPERATOR_CHANGE__OPERATOR_REMOVED ||
            (what == SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED &&
                role != SEEN_OP_ADMIN);
    if (stops && op.bound && op.role == SEEN_OP_ADMIN &&
        op.state == SEEN_OP_ACTIVE && cen.bound_admins <= 1)
        return reply_error("'%s' is the last active admin bound to a Unix "
                           "user: add another before you %s it",
            name, verb[what]);
    if (what == SEEN__OPERATOR_CHANGE__OPERATOR_REMOVED) {
        rc = seen_operator_remove(call->txn, name);
    } else if (what == SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED) {
        rc = seen_operator_set_role(call->txn, name, role);
        op.role = role;
    } else {
        if (what == SEEN__OPERATOR_CHANGE__OPERATOR_SUSPENDED)
            state = SEEN_OP_SUSPENDED;
        rc = seen_operator_set_state(call->txn, name, state);
        op.state = state;
    }
    if (rc == SEEN_EEXIST &&
        what == SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED)
        return reply_error("operator '%s' is %s %s already", name,
            seen_role_op_article(role), seen_role_op_name(role));
    if (rc == SEEN_EEXIST)
        return reply_error("operator '%s' is %s already", name,
            state == SEEN_OP_SUSPENDED ? "suspended" : "active");
    if (rc != 0)
        return reply_error("cannot change the operator: %s",
            seen_strerror(rc));
    return log_and_commit(c, call, name, &op, what, now);
}

json_t *
ctl_operators_suspend(struct seen_control *c, struct ctl_call *call)
{
    json_t *rep = change(c, call, SEEN__OPERATOR_CHANGE__OPERATOR_SUSPENDED);

    return rep != NULL ? rep : seen_ctl_reply_ok();
}

json_t *
ctl_operators_resume(struct seen_control *c, struct ctl_call *call)
{
    json_t *rep = change(c, call, SEEN__OPERATOR_CHANGE__OPERATOR_RESUMED);

    return rep != NULL ? rep : seen_ctl_reply_ok();
}

json_t *
ctl_operators_remove(struct seen_control *c, struct ctl_call *call)
{
    json_t *rep = change(c, call, SEEN__OPERATOR_CHANGE__OPERATOR_REMOVED);

    return rep != NULL ? rep : seen_ctl_reply_ok();
}

json_t *
ctl_operators_role(struct seen_control *c, struct ctl_call *call)
{
    json_t *rep =
        change(c, call, SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED);

    return rep != NULL ? rep : seen_ctl_reply_ok();
}

struct list_ctx {
    json_t *rows;
    int peer;
};

static int
list_row(void *ctx, const char *name, const struct seen_operator *op)
{
    struct list_ctx *l = ctx;
    json_t *row;

    row = json_pack("{s:s, s:s, s:I, s:s}", "name", name, "role",
        seen_role_op_name(op->role), "added", (json_int_t)op->added, "state",
        op->state == SEEN_OP_SUSPENDED ? "suspended" : "active");
    if (row != NULL && op->bound) {
        l->peer = 1;
        json_object_set_new(row, "user", json_string(op->user));
        json_object_set_new(row, "uid", json_integer((json_int_t)op->uid));
    }
    if (json_array_append_new(l->rows, row) != 0)
        return SEEN_ENOMEM;
    return 0;
}

json_t *
ctl_operators_list(struct seen_control *c, struct ctl_call *call)
{
    struct list_ctx l = {NULL, 0};
    int rc;

    (void)c;
    if ((l.rows = json_array()) == NULL)
        return NULL;
    if ((rc = seen_operator_each(call->txn, list_row, &l)) != 0) {
        json_decref(l.rows);
        return reply_error("cannot list operators: %s", seen_strerror(rc));
    }
    return json_pack("{s:b, s:o, s:s}", "ok", 1, "operators", l.rows, "mode",
        l.peer ? "peer" : "claimed");
}

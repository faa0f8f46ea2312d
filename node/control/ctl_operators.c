/*
 * ctl_operators.c: registering and listing named operators
 * (storage/operators.h), for `seen operator`:
 *
 *   "operator_add"  {"name": NAME, "role": "admin"|"lead"|"auditor",
 *                    "operator": OP}
 *       -> {"ok": true, "name": NAME, "role": ROLE, "added": UNIX_SECONDS}
 *   "operator_list" {"operator": OP}
 *       -> {"ok": true, "operators": [{"name": NAME, "role": ROLE,
 *                                       "added": UNIX_SECONDS}, ...]}
 *                                       (in byte order of the names)
 *
 * The dispatcher has authorised OP, an admin, in the transaction (write
 * for operator_add), before any field is read.  Any failure is {"ok":
 * false, "error": TEXT}, TEXT fit for the user: a missing or malformed
 * field, a name that is already registered, a store error.
 */
#include <jansson.h>
#include <time.h>

#include "common/log.h"
#include "node/control/ctl.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"

#define reply_error seen_ctl_reply_error

json_t *
ctl_operators_add(struct seen_control *c, struct ctl_call *call)
{
    enum seen_role_op role = SEEN_OP_LEAD;
    const char *name, *rname, *by;
    uint64_t now = (uint64_t)time(NULL);
    int rc;

    (void)c;
    name = json_string_value(json_object_get(call->req, "name"));
    rname = json_string_value(json_object_get(call->req, "role"));
    if (name == NULL)
        return reply_error("name: missing or not a string");
    if (!seen_operator_name_valid(name))
        return reply_error(
            "name: 1-%d of a-z, 0-9, '.', '_' and '-'", SEEN_OPERATOR_NAME_MAX);
    if (rname == NULL)
        return reply_error("role: missing or not a string");
    if (seen_role_op_parse(rname, &role) != 0)
        return reply_error("role: one of lead, auditor, admin");
    if ((rc = seen_operator_add(call->txn, name, role, now)) != 0) {
        if (rc == SEEN_EEXIST)
            return reply_error("operator '%s' already exists", name);
        return reply_error("cannot add the operator: %s", seen_strerror(rc));
    }
    rc = seen_store_commit(call->txn); /* frees it either way */
    call->txn = NULL;
    if (rc != 0)
        return reply_error("cannot add the operator: %s", seen_strerror(rc));
    by = json_string_value(json_object_get(call->req, "operator"));
    rname = seen_role_op_name(role);
    seen_info("operator '%s' added as %s %s by '%s'", name,
        seen_role_op_article(role), rname, by ? by : "?");
    return json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "name", name, "role",
        rname, "added", (json_int_t)now);
}

static int
list_row(void *ctx, const char *name, enum seen_role_op role, uint64_t added)
{
    json_t *rows = ctx;

    if (json_array_append_new(rows,
            json_pack("{s:s, s:s, s:I}", "name", name, "role",
                seen_role_op_name(role), "added", (json_int_t)added)) != 0)
        return SEEN_ENOMEM;
    return 0;
}

json_t *
ctl_operators_list(struct seen_control *c, struct ctl_call *call)
{
    json_t *rows;
    int rc;

    (void)c;
    if ((rows = json_array()) == NULL)
        return NULL;
    if ((rc = seen_operator_list(call->txn, list_row, rows)) != 0) {
        json_decref(rows);
        return reply_error("cannot list operators: %s", seen_strerror(rc));
    }
    return json_pack("{s:b, s:o}", "ok", 1, "operators", rows);
}

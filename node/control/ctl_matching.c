/*
 * ctl_matching.c: what matching found: persons, links and alerts (NDJSON
 * rows in the reply's binary frame) and acknowledging an alert.  The
 * dispatcher has authorised the operator in a read transaction.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/control/ctl.h"
#include "node/matching/matcher.h"
#include "proto/control.h"
#include "storage/store.h"
#include "xlog/integrity.h"

#define reply_error seen_ctl_reply_error
#define reply_ok seen_ctl_reply_ok
#define jstr seen_ctl_str

/* Reply to listing ${what} with the rows in *call->out, or say why not. */
static json_t *
rows_reply(struct ctl_call *call, const char *what, int rc)
{

    if (rc != 0)
        return reply_error("cannot list %s: %s", what, seen_strerror(rc));
    if (*call->out == NULL) {
        *call->out = strdup("");
        *call->outlen = 0;
    }
    return reply_ok();
}

json_t *
ctl_matching_persons(struct seen_control *c, struct ctl_call *call)
{

    return rows_reply(call, "persons",
        seen_matcher_persons(c->n.mt, call->txn, call->out, call->outlen));
}

json_t *
ctl_matching_links(struct seen_control *c, struct ctl_call *call)
{

    return rows_reply(call, "links",
        seen_matcher_links(c->n.mt, call->txn, call->out, call->outlen));
}

/* The weights report (node/matching/weights.c): "sample", entries to
 * learn from (default 2,000, at most 100,000). */
json_t *
ctl_matching_weights(struct seen_control *c, struct ctl_call *call)
{
    json_t *s = json_object_get(call->req, "sample"), *out;
    json_int_t n = 2000;
    int rc;

    if (s != NULL && (!json_is_integer(s) || (n = json_integer_value(s)) < 1 ||
                         n > 100000))
        return reply_error("--sample: a number of entries, 1 to 100000");
    rc = seen_matcher_weights(c->n.mt, call->txn, (size_t)n, &out);
    if (rc == SEEN_ENOTFOUND)
        return reply_error("no candidate pairs to learn from yet: this node "
                           "holds too few index entries");
    if (rc != 0)
        return reply_error("cannot learn the weights: %s", seen_strerror(rc));
    json_object_set_new(out, "ok", json_true());
    return out;
}

/* The matcher's alerts, then the integrity alerts (xlog/integrity.h). */
json_t *
ctl_matching_alerts(struct seen_control *c, struct ctl_call *call)
{
    int rc;

    if ((rc = seen_matcher_alerts(
             c->n.mt, call->txn, call->out, call->outlen)) == 0)
        rc = seen_integrity_alerts(
            call->txn, c->n.mt->name_of, c->n.mt->ctx, call->out, call->outlen);
    return rows_reply(call, "alerts", rc);
}

json_t *
ctl_matching_ack(struct seen_control *c, struct ctl_call *call)
{
    const char *id = jstr(call->req, "alert");
    int rc;

    if (id == NULL)
        return reply_error("which alert?");
    /* Authorised: the matcher writes in a transaction of its own. */
    seen_store_abort(call->txn);
    call->txn = NULL;
    rc = seen_matcher_ack(
        c->n.mt, id, jstr(call->req, "operator"), (uint64_t)time(NULL));
    if (rc == SEEN_ENOTFOUND)
        return reply_error("no alert '%s'", id);
    if (rc != 0)
        return reply_error("cannot acknowledge: %s", seen_strerror(rc));
    return reply_ok();
}

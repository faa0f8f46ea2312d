/*
 * ctl_custodian.c: the custodians through the control socket (issue 16):
 * `seen custodians check` (custodians_check), and the "custodian" object
 * of `seen status --json`.
 */
#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "crypto/oprf.h"
#include "node/control/ctl.h"
#include "node/custodian/alert.h"
#include "node/custodian/client.h"
#include "node/custodian/service.h"
#include "proto/control.h"
#include "storage/store.h"

#include "seen.pb-c.h"

#define reply_error seen_ctl_reply_error
#define jstr seen_ctl_str

/* What the last call asked of each custodian, as JSON. */
static json_t *
report_json(struct seen_oprf_client *cl)
{
    const struct seen_oprf_client_custodian *r;
    json_t *arr = json_array();
    size_t i, n;

    r = seen_oprf_client_report(cl, &n);
    for (i = 0; arr != NULL && i < n; i++)
        json_array_append_new(arr,
            json_pack("{s:s, s:I, s:s, s:b, s:b, s:s, s:I}", "name",
                r[i].name, "index", (json_int_t)r[i].index, "endpoint",
                r[i].endpoint, "asked", r[i].asked, "answered",
                r[i].answered, "status",
                r[i].status == 0
                    ? "none"
                    : r[i].status == SEEN__OPRF_STATUS__OPRF_OK
                          ? "ok"
                          : r[i].status ==
                                    SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT
                                ? "refused_limit"
                                : r[i].status ==
                                          SEEN__OPRF_STATUS__OPRF_NOT_CUSTODIAN
                                      ? "not_custodian"
                                      : r[i].status ==
                                                SEEN__OPRF_STATUS__OPRF_WRONG_EPOCH
                                            ? "wrong_epoch"
                                            : "bad_request",
                "remaining", (json_int_t)r[i].remaining));
    return arr;
}

/* Raise this node's custodian_refused alert for each custodian that
 * refused it over its limits in the last call, in ${txn}. */
static int
alert_refusals(struct seen_oprf_client *cl, struct seen_txn *txn,
    const char *op)
{
    const struct seen_oprf_client_custodian *r;
    size_t i, n;
    int rc;

    r = seen_oprf_client_report(cl, &n);
    for (i = 0; i < n; i++)
        if (r[i].status == SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT &&
            (rc = seen_custodian_alert(txn, SEEN_CUSTODIAN_ALERT_REFUSED,
                 r[i].name, op, "check", (uint64_t)time(NULL))) != 0)
            return rc;
    return 0;
}

/*
 * custodians_check {"operator"}: evaluate one probe through the
 * custodians (purpose "check"): {"ok": true, "epoch", "threshold",
 * "output": the probe's OPRF output (hex, its first 16 bytes: the same
 * through any subset), "custodians": [{"name", "index", "endpoint",
 * "asked", "answered", "status", "remaining"}]}; or {"ok": false,
 * "error", "custodians"} when fewer than t answered, a limit refused it,
 * or this is not an OPRF epoch.  A limit refusal raises this node's
 * custodian_refused alert.
 */
json_t *
ctl_custodians_check(struct seen_control *c, struct ctl_call *call)
{
    struct seen_oprf_client *cl = c->n.oprf;
    const char *op = jstr(call->req, "operator");
    uint8_t out[SEEN_OPRF_OUTPUT];
    char hex[33];
    unsigned int t;
    uint32_t epoch;
    json_t *r;
    int rc;

    if (cl == NULL || (epoch = seen_oprf_client_epoch(cl, &t, NULL)) == 0)
        return reply_error("the membership document held is not an OPRF "
                           "epoch: there are no custodians to ask");
    rc = seen_oprf_client_check(cl, op, out);
    if (alert_refusals(cl, call->txn, op) == 0 &&
        seen_store_commit(call->txn) != 0)
        seen_error("custodians: cannot store the alert");
    call->txn = NULL;
    if (rc != 0) {
        r = reply_error("%s",
            rc == SEEN_EPERM
                ? "custodians refused this node over their limits for today"
            : rc == SEEN_ETIMEDOUT
                ? "fewer than the threshold of custodians answered"
                : seen_strerror(rc));
        json_object_set_new(r, "custodians", report_json(cl));
        return r;
    }
    sodium_bin2hex(hex, sizeof hex, out, 16);
    return json_pack("{s:b, s:I, s:I, s:s, s:o}", "ok", 1, "epoch",
        (json_int_t)epoch, "threshold", (json_int_t)t, "output", hex,
        "custodians", report_json(cl));
}

/*
 * ctl_custodian_status(c, r):
 * Add to the status ${r} "custodian": {"serving", "index", "epoch",
 * "endpoint", "served", "refused", "evaluations", "today",
 * "members_today", "journal_pending"} when the node has a service, and
 * "endpoint_wanted", "endpoint_error" while it cannot move to the
 * endpoint the document gives it ("endpoint": where it still serves).
 */
void
ctl_custodian_status(struct seen_control *c, json_t *r)
{
    struct seen_custodian_stats st;

    if (c->n.cust == NULL)
        return;
    seen_custodian_stats(c->n.cust, &st);
    json_object_set_new(r, "custodian",
        json_pack("{s:b, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
            "serving", st.serving, "index", (json_int_t)st.index, "epoch",
            (json_int_t)st.epoch, "endpoint", st.endpoint, "served",
            (json_int_t)st.served, "refused", (json_int_t)st.refused,
            "evaluations", (json_int_t)st.evaluations, "today",
            (json_int_t)st.today, "members_today", (json_int_t)st.members,
            "journal_pending", (json_int_t)st.pending));
    if (st.want[0] != '\0') {
        json_object_set_new(json_object_get(r, "custodian"),
            "endpoint_wanted", json_string(st.want));
        json_object_set_new(json_object_get(r, "custodian"),
            "endpoint_error", json_string(st.want_error));
    }
}

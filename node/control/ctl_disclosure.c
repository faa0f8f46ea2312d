/*
 * ctl_disclosure.c: the disclosure commands (node/disclosure/
 * disclosure.h; docs/protocol.md §10): request and decide in a write
 * transaction, inbox and disclosures in a read one, each with its
 * operator authorised by the dispatcher.
 */
#include <jansson.h>

#include "node/control/ctl.h"
#include "node/disclosure/disclosure.h"

json_t *
ctl_disclosure_request(struct seen_control *c, struct ctl_call *call)
{

    return seen_disclosure_request(c->n.dis, &call->txn, call->req);
}

json_t *
ctl_disclosure_decide(struct seen_control *c, struct ctl_call *call)
{

    return seen_disclosure_decide(c->n.dis, &call->txn, call->req);
}

/* The requests received: waiting ones, or with "all" every one. */
json_t *
ctl_disclosure_inbox(struct seen_control *c, struct ctl_call *call)
{

    return seen_disclosure_list(c->n.dis, call->txn, 1,
        json_is_true(json_object_get(call->req, "all")), call->out,
        call->outlen);
}

/* The requests sent, with their answers. */
json_t *
ctl_disclosure_list(struct seen_control *c, struct ctl_call *call)
{

    return seen_disclosure_list(
        c->n.dis, call->txn, 0, 0, call->out, call->outlen);
}

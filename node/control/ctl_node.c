/*
 * ctl_node.c: the commands about the node itself: ping, status, stop,
 * handles (its own index entries), membership (install a document),
 * xlog_resolve (clear its refusal to sign exchange-log checkpoints) and
 * backup (a consistent copy of the home while the node runs).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/log.h"
#include "common/home.h"
#include "common/version.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/control/ctl.h"
#include "node/matching/matcher.h"
#include "node/disclosure/disclosure.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "storage/space.h"
#include "storage/alerts.h"
#include "storage/backup.h"
#include "storage/operators.h"
#include "node/matching/indexer.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define HANDLES_PAGE 10000

#define reply_error seen_ctl_reply_error
#define reply_ok seen_ctl_reply_ok
#define jstr seen_ctl_str

json_t *
ctl_node_ping(struct seen_control *c, struct ctl_call *call)
{

    (void)call;
    return json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "node", c->n.cfg->name,
        "version", seen_version(), "pid", (json_int_t)getpid());
}

/* A size for JSON: -1 when unknown (UINT64_MAX). */
static json_int_t
jsize(uint64_t n)
{

    return n > (uint64_t)INT64_MAX ? -1 : (json_int_t)n;
}

/*
 * The room of the store (storage/space.h), for "store" in the status:
 * bytes used, of the file, of the map, the limit and its reserve, free on
 * the disk, left for content and for the exchange log; the state with a
 * summary for people; and what was refused or dropped since the node
 * started.  NULL when it cannot be read.
 */
static json_t *
status_store(struct seen_txn *txn)
{
    static const char *states[] = {"ok", "nearly_full", "full"};
    struct seen_space sp;
    char why[512];
    json_t *r;

    if (seen_space_get(txn, &sp) != 0)
        return NULL;
    r = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I,"
                  " s:I, s:{s:I, s:I}}",
        "used_bytes", jsize(sp.used), "file_bytes", jsize(sp.file),
        "map_bytes", jsize(sp.map), "limit_bytes", jsize(sp.limit),
        "reserve_bytes", jsize(sp.reserve), "disk_free_bytes",
        jsize(sp.disk_free), "left_bytes", jsize(sp.left), "log_left_bytes",
        jsize(sp.log_left), "state", states[sp.state], "summary",
        seen_space_describe(&sp, why, sizeof why), "map_grown",
        (json_int_t)sp.grown, "writes_refused", (json_int_t)sp.refused,
        "dropped", "replay", (json_int_t)sp.dropped[SEEN_SPACE_DROP_REPLAY],
        "evidence", (json_int_t)sp.dropped[SEEN_SPACE_DROP_EVIDENCE]);
    if (r != NULL && sp.low_since != 0)
        json_object_set_new(
            r, "nearly_full_since", json_integer((json_int_t)sp.low_since));
    return r;
}

/* Add what waits for a person to the status ${r}: the alerts no lead has
 * acknowledged ("alerts_open"), and, under "disclosure", the requests
 * waiting for a lead's decision and how long the oldest has waited. */
static void
status_waiting(struct seen_txn *txn, json_t *r)
{
    uint64_t open = 0, n = 0, oldest = 0, now = (uint64_t)time(NULL);
    json_t *d = json_object_get(r, "disclosure");

    if (seen_alerts_open(txn, &open) == 0)
        json_object_set_new(r, "alerts_open", json_integer((json_int_t)open));
    if (d != NULL && seen_disclosure_waiting(txn, &n, &oldest) == 0) {
        json_object_set_new(d, "waiting", json_integer((json_int_t)n));
        json_object_set_new(d, "oldest_waiting_s",
            json_integer(n && oldest < now ? (json_int_t)(now - oldest) : 0));
    }
}

json_t *
ctl_node_status(struct seen_control *c, struct ctl_call *call)
{
    const struct seen_config *cfg = c->n.cfg;
    struct seen_txn *txn;
    struct seen_operator_census cen;
    uint64_t records = 0, entries = 0, behind = 0;
    json_t *r;

    (void)call;
    if (seen_store_begin(c->n.store, 0, &txn) != 0)
        return reply_error("cannot read the store");
    if (seen_store_count(txn, SEEN_DB_RECORDS, &records) != 0 ||
        seen_store_count(txn, SEEN_DB_ENTRIES, &entries) != 0) {
        seen_store_abort(txn);
        return reply_error("cannot read the store");
    }
    r = json_pack("{s:b, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:I}", "ok", 1,
        "node", cfg->name, "type", cfg->type, "local_authority",
        cfg->local_authority, "version", seen_version(), "records",
        (json_int_t)records, "entries", (json_int_t)entries, "uptime",
        (json_int_t)(time(NULL) - c->n.started), "import_in_progress",
        c->imp.open, "epoch", (json_int_t)seen_tokenizer_epoch(c->n.ix->tk));
    {
        uint32_t held = 0;

        /* The epoch the node's own entries are published under (behind
         * "epoch" until they are published again), and how its tokens are
         * made. */
        if (seen_store_epoch(txn, &held) != 0)
            held = 0;
        json_object_set_new(r, "tokens",
            json_pack("{s:s, s:I, s:s}", "made",
                seen_indexer_oprf(c->n.ix) ? "custodians" : "match_key",
                "published_epoch", (json_int_t)held, "encoding",
                seen_tokenizer_mode(c->n.ix->tk) == SEEN_TOKENS_ANCHORED
                    ? "anchored"
                    : "whole"));
    }
    seen_fed_status(c->n.fed, txn, r);
    if (c->n.dis != NULL) {
        uint64_t pending = 0;
        json_t *nt;

        seen_disclosure_status(c->n.dis, r);
        nt = json_object_get(json_object_get(r, "disclosure"), "notices");
        if (nt != NULL && seen_notice_pending(txn, &pending) == 0)
            json_object_set_new(nt, "pending", json_integer((json_int_t)pending));
    }
    status_waiting(txn, r);
    ctl_custodian_status(c, r);
    if (seen_matcher_behind(txn, &behind) == 0)
        json_object_set_new(r, "matching",
            json_pack("{s:I, s:I, s:I}", "behind", (json_int_t)behind,
                "matched", (json_int_t)c->n.mt->matched, "expired",
                (json_int_t)c->n.mt->expired));
    json_object_set_new(r, "store", status_store(txn));
    /* Peer mode: an operator bound to a Unix user (operators.h). */
    if (seen_operator_census(txn, &cen) == 0)
        json_object_set_new(r, "operators",
            json_string(cen.bound > 0 ? "peer" : "claimed"));
    seen_store_abort(txn);
    return r;
}

json_t *
ctl_node_stop(struct seen_control *c, struct ctl_call *call)
{

    (void)call;
    c->stopping = 1;
    return reply_ok();
}

struct handles_ctx {
    struct seen_ctl_rows rows;
    size_t count;
    uint8_t last[16];
};

/* Add one handle to the page (a seen_indexer_handle_fn). */
static int
handles_one(void *vctx, const uint8_t key[16],
    const Seen__LocalHandle *lh)
{
    struct handles_ctx *hc = vctx;
    char hh[33], eb[64];
    json_t *row;
    int rc;

    if (hc->count >= HANDLES_PAGE)
        return 1;
    seen_hex_encode(hh, key, 16);
    row = json_pack("{s:s, s:s, s:s, s:s}", "handle", hh, "record", lh->record,
        "ref", lh->ref, "role",
        seen_enum_name(&seen__role__descriptor, lh->role, eb));
    rc = seen_ctl_rows_add(&hc->rows, row);
    json_decref(row);
    if (rc != 0)
        return rc;
    memcpy(hc->last, key, 16);
    hc->count++;
    return 0;
}

/* Reply with a page of our handles; the binary frame holds the rows. */
json_t *
ctl_node_handles(struct seen_control *c, struct ctl_call *call)
{
    struct handles_ctx hc;
    uint8_t after[16];
    const char *a = jstr(call->req, "after");
    char lasthex[33];
    int rc;

    (void)c;
    memset(&hc, 0, sizeof hc);
    if (a != NULL &&
        sodium_hex2bin(after, 16, a, strlen(a), NULL, NULL, NULL) != 0)
        return reply_error("bad cursor");
    rc = seen_indexer_each_handle(call->txn, a != NULL ? after : NULL,
        handles_one, &hc);
    if (rc != 0) {
        free(hc.rows.p);
        return reply_error("cannot read handles: %s", seen_strerror(rc));
    }
    seen_hex_encode(lasthex, hc.last, 16);
    /* The caller owns the rows from here. */
    *call->out = hc.rows.p;
    *call->outlen = hc.rows.len;
    return json_pack("{s:b, s:I, s:s?}", "ok", 1, "count", (json_int_t)hc.count,
        "next", hc.count >= HANDLES_PAGE ? lasthex : NULL);
}

json_t *
ctl_node_membership(struct seen_control *c, struct ctl_call *call)
{
    const char *a = jstr(call->req, "authority");
    uint8_t auth[32];
    int rc;

    if (a != NULL && (strlen(a) != 64 || sodium_hex2bin(auth, 32, a, 64, NULL,
                                             NULL, NULL) != 0))
        return reply_error("--authority: not a 64-digit hex key");
    if (call->data == NULL || call->dlen == 0)
        return reply_error("no membership document");
    rc = seen_fed_install(c->n.fed, (const uint8_t *)call->data, call->dlen,
        a != NULL ? auth : NULL);
    if (rc == SEEN_EEXIST)
        return reply_error("this node already holds that version or a "
                           "newer one");
    if (rc == SEEN_EAUTH)
        return reply_error("the document is not signed by the federation "
                           "authority%s",
            a == NULL ? " (give --authority on first install)" : "");
    if (rc != 0)
        return reply_error(
            "membership document refused: %s", seen_strerror(rc));
    return reply_ok();
}

/*
 * xlog_resolve: an admin clears the node's refusal to sign checkpoints of
 * its exchange log (xlog/xlog.h, seen_xlog_resolve), saying why.
 */
json_t *
ctl_node_xlog_resolve(struct seen_control *c, struct ctl_call *call)
{
    const char *op = jstr(call->req, "operator");
    const char *reason = jstr(call->req, "reason");
    struct seen_txn *txn = call->txn;
    uint64_t floor = 0, size = 0;
    int rc, ended = 0;

    if (reason == NULL)
        return reply_error("a resolution needs a reason");
    /* The transaction ends here, whatever happens. */
    call->txn = NULL;
    rc = seen_xlog_resolve(
        txn, c->n.keys, op, reason, (uint64_t)time(NULL), &floor);
    /* A restored node waiting for a peer that is gone stops waiting. */
    if ((rc == 0 || rc == SEEN_ENOTFOUND) && c->n.fed != NULL &&
        (ended = seen_fed_recover_end(c->n.fed, txn)) < 0)
        rc = ended;
    if (rc == SEEN_ENOTFOUND && ended == 1)
        rc = 0;
    if (rc == 0 && (rc = seen_xlog_size(txn, &size)) == 0)
        rc = seen_store_commit(txn);
    else
        seen_store_abort(txn);
    if (rc == SEEN_ENOTFOUND)
        return reply_error("this node is not halted: nothing to resolve");
    if (rc == SEEN_EINVAL)
        return reply_error(
            "a reason of at most %d bytes is needed", SEEN_XLOG_REASON_MAX);
    if (rc != 0)
        return reply_error("cannot resolve: %s", seen_strerror(rc));
    return json_pack("{s:b, s:I, s:I}", "ok", 1, "signs_above",
        (json_int_t)floor, "leaves", (json_int_t)size);
}

/*
 * backup: an admin has the running node copy its home to "dest", a new
 * folder the node's user may create (storage/backup.h).  The copy is read
 * in one read transaction while the node waits: it exchanges nothing
 * meanwhile (about a second per GiB of store on local disks).
 */
json_t *
ctl_node_backup(struct seen_control *c, struct ctl_call *call)
{
    const char *dest = jstr(call->req, "dest");
    const char *op = jstr(call->req, "operator");
    struct seen_backup_info b;
    char why[SEEN_PATH_LEN + 128];
    int rc;

    if (dest == NULL || dest[0] != '/')
        return reply_error("a backup needs an absolute path: 'dest'");
    if (c->n.home == NULL)
        return reply_error("this node does not know its home");
    rc = seen_backup_make(c->n.home, c->n.cfg->name, c->n.store, dest, &b, why,
        sizeof why);
    if (rc != 0) {
        seen_error("backup to '%s' by operator '%s' failed: %s", dest,
            op != NULL ? op : "?", why);
        return reply_error("%s", why);
    }
    seen_info("backup of this node to '%s' by operator '%s'", dest,
        op != NULL ? op : "?");
    return json_pack("{s:b, s:s, s:I, s:i}", "ok", 1, "dest", dest, "taken",
        (json_int_t)b.taken, "store_format", (int)b.store_format);
}

/*
 * ctl_import.c: the import session (docs/protocol.md §4): import_begin
 * opens the store's write transaction, import_lines applies lines in it,
 * import_commit stores them all or nothing, import_abort drops them.  One
 * session at a time; while it is open the daemon replicates nothing and
 * the dispatcher refuses the commands flagged SEEN_CONTROL_IDLE_STORE.
 */
#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "match/prfbatch.h"
#include "node/control/ctl.h"
#include "node/matching/indexer.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/record.h"
#include "storage/space.h"
#include "storage/store.h"

#define reply_error seen_ctl_reply_error
#define reply_ok seen_ctl_reply_ok

#define DIAGS_MAX 1000 /* diagnostics in one reply */
#define KEYED_CHUNK_LINES 20000 /* lines an import_lines should carry */
#define OPRF_CHUNK_LINES 1000   /* ...in an OPRF epoch */
/* Distinct OPRF inputs an import keeps the outputs of, from one request
 * to the next (about 100 to 250 bytes each in memory, never on disk). */
#define IMPORT_BATCH_MAX 500000

/**
 * ctl_import_close(c):
 * Abandon ${c}'s import session, if open: abort its transaction, nothing
 * of it stored.
 */
void
ctl_import_close(struct seen_control *c)
{

    seen_indexer_batch_clear(c->n.ix);
    seen_store_abort(c->imp.txn);
    memset(&c->imp, 0, sizeof c->imp);
}

/* How many times the store's map has grown (storage/space.h). */
static uint64_t
map_grown(struct seen_store *store)
{
    struct seen_space sp;
    struct seen_txn *txn;
    int rc;

    if (seen_store_begin(store, 0, &txn) != 0)
        return 0;
    rc = seen_space_get(txn, &sp);
    seen_store_abort(txn);
    return rc == 0 ? sp.grown : 0;
}

/*
 * The reply to an import that failed with ${rc}, its session closed.  A
 * full store says so and why; one whose map grew as the failed
 * transaction ended (storage/space.h) asks for the file again, with
 * "retry": true (docs/protocol.md §4).
 */
static json_t *
import_failed(struct seen_control *c, uint64_t grown, int rc)
{
    struct seen_space sp;
    struct seen_txn *txn;
    char why[512];
    json_t *r;

    if (rc == SEEN_EPERM)
        return reply_error("the key custodians refused this import's tokens "
                           "(a limit of theirs is reached; see 'seen "
                           "alerts'): nothing stored");
    if (rc == SEEN_ETIMEDOUT)
        return reply_error("too few key custodians answered to make this "
                           "import's tokens ('seen custodians check' says "
                           "which): nothing stored; import it again later");
    if (rc != SEEN_EFULL || seen_store_begin(c->n.store, 0, &txn) != 0)
        return reply_error(
            "import failed, nothing stored: %s", seen_strerror(rc));
    rc = seen_space_get(txn, &sp);
    seen_store_abort(txn);
    if (rc != 0)
        return reply_error("the store is full: nothing stored");
    if (sp.grown > grown && sp.state != SEEN_SPACE_FULL) {
        r = reply_error("the store's map grew to %llu MiB while importing; "
                        "nothing stored yet: import the file again",
            (unsigned long long)(sp.map >> 20));
        json_object_set_new(r, "retry", json_true());
        return r;
    }
    if (sp.state == SEEN_SPACE_FULL)
        return reply_error("the store is full: nothing stored; %s",
            seen_space_describe(&sp, why, sizeof why));
    return reply_error("the store is full for this file (an import is one "
                       "transaction, which may need several times the "
                       "file's size): nothing stored; %s; import it in "
                       "smaller files, or raise map_limit_mb in seen.conf "
                       "and restart the node",
        seen_space_describe(&sp, why, sizeof why));
}

json_t *
ctl_import_begin(struct seen_control *c, struct ctl_call *call)
{
    uint64_t grown;
    size_t heard, peers;
    int rc;

    if (c->n.fed != NULL && seen_fed_recovering(c->n.fed, &heard, &peers))
        return reply_error("this node was restored from a backup and takes "
                           "its own feed back from its peers first (%zu of "
                           "%zu have shown theirs): import once 'seen "
                           "status' shows no \"restore\"",
            heard, peers);
    if (c->imp.open) {
        if (time(NULL) - c->imp.last < SEEN_CONTROL_IMPORT_IDLE)
            return reply_error("another import is in progress");
        seen_warn("abandoning an idle import session");
        ctl_import_close(c);
    }
    memset(&c->imp, 0, sizeof c->imp);
    seen_indexer_batch_clear(c->n.ix);
    grown = map_grown(c->n.store);
    if ((rc = seen_store_begin(c->n.store, 1, &c->imp.txn)) != 0)
        return reply_error("cannot write to the store: %s", seen_strerror(rc));
    c->imp.open = 1;
    c->imp.grown = grown;
    randombytes_buf(&c->imp.id, sizeof c->imp.id);
    c->imp.id &= 0x1fffffffffffffULL; /* exact in JSON */
    c->imp.skip_invalid =
        json_is_true(json_object_get(call->req, "skip_invalid"));
    c->imp.last = time(NULL);
    /* How many lines a request should carry: in an OPRF epoch each waits
     * for the custodians (about 30 to 45 evaluations a record), so fewer,
     * that each answers well within the client's wait. */
    return json_pack("{s:b, s:I, s:I}", "ok", 1, "session",
        (json_int_t)c->imp.id, "chunk_lines",
        (json_int_t)(seen_indexer_oprf(c->n.ix) ? OPRF_CHUNK_LINES
                                                : KEYED_CHUNK_LINES));
}

/* The diagnostics of one import_lines, for its reply. */
struct diag_ctx {
    json_t *diags;
    uint64_t line;
    int errors, warnings;
};

static void
on_diag(void *vctx, const char *field, const char *reason, int warning)
{
    struct diag_ctx *d = vctx;

    if (warning)
        d->warnings++;
    else
        d->errors++;
    if (json_array_size(d->diags) < DIAGS_MAX)
        json_array_append_new(d->diags,
            json_pack("{s:I, s:s, s:s, s:b}", "line", (json_int_t)d->line,
                "field", field, "reason", reason, "warning", warning));
}

/* Is ${req} about the open session? */
static int
session_ok(const struct seen_control *c, json_t *req)
{
    json_t *s = json_object_get(req, "session");

    return c->imp.open && json_is_integer(s) &&
           (uint64_t)json_integer_value(s) == c->imp.id;
}

/* The records of one import_lines, parsed, before they are applied. */
struct parsed {
    struct seen_record **rec;
    uint64_t *line;
    size_t n, cap;
};

static void
parsed_free(struct parsed *ps)
{
    size_t i;

    for (i = 0; i < ps->n; i++)
        seen_record_destroy(&ps->rec[i]);
    free(ps->rec);
    free(ps->line);
    memset(ps, 0, sizeof *ps);
}

/*
 * Check the line ${p} (${len} bytes, line d->line) and keep its record in
 * ${ps} unless a line was rejected without skip_invalid.  Returns 1 when
 * it is accepted, 0 when rejected, or SEEN_ENOMEM.
 */
static int
parse_line(struct seen_control *c, const char *p, size_t len,
    struct diag_ctx *d, struct parsed *ps)
{
    struct seen_record *rec;
    void *v;
    int rc;

    d->errors = d->warnings = 0;
    rc = seen_record_parse(p, len, &rec, on_diag, d);
    c->imp.warnings += (uint64_t)d->warnings;
    if (rc != 0) {
        c->imp.rejected++;
        return 0;
    }
    /* With a rejected line and no --skip-invalid nothing is kept: go on
     * checking, but store nothing more. */
    if (c->imp.rejected != 0 && !c->imp.skip_invalid) {
        seen_record_destroy(&rec);
        return 1;
    }
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 256;
        if ((v = realloc(ps->rec, ps->cap * sizeof *ps->rec)) != NULL)
            ps->rec = v;
        if (v == NULL ||
            (v = realloc(ps->line, ps->cap * sizeof *ps->line)) == NULL) {
            seen_record_destroy(&rec);
            return SEEN_ENOMEM;
        }
        ps->line = v;
    }
    ps->rec[ps->n] = rec;
    ps->line[ps->n++] = d->line;
    return 1;
}

/*
 * Apply the records of ${ps} to the session: in an OPRF epoch, the
 * custodians first evaluate all their tokens' inputs in one batch.
 * Returns 0, or an error (the session must be closed).
 */
static int
apply_parsed(struct seen_control *c, struct parsed *ps, struct diag_ctx *d,
    const char *op, uint64_t now)
{
    struct seen_indexer *ix = c->n.ix;
    uint8_t *same = NULL; /* in an OPRF epoch: left alone as it stands */
    size_t i;
    int rc = 0;

    /* A rejected line without skip_invalid: nothing will be stored, so in
     * an OPRF epoch nothing is asked of the custodians either (in a keyed
     * one the lines before it are applied, for their diagnostics). */
    if (c->imp.rejected != 0 && !c->imp.skip_invalid &&
        seen_indexer_oprf(ix))
        return 0;
    /* The batch is the session's: what an earlier request of this import
     * had evaluated is not asked again (bounded: IMPORT_BATCH_MAX). */
    if (ix != NULL && ix->batch != NULL &&
        seen_prfbatch_count(ix->batch) > IMPORT_BATCH_MAX)
        seen_indexer_batch_clear(ix);
    /* A record imported as it stands is left alone (indexer.h): in an
     * OPRF epoch its tokens are not asked for. */
    if (seen_indexer_oprf(ix) && ps->n > 0 &&
        (same = calloc(ps->n, 1)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < ps->n && rc == 0; i++)
        if (same == NULL ||
            (rc = seen_indexer_unchanged(ix, c->imp.txn, ps->rec[i])) == 0)
            rc = seen_indexer_batch_record(ix, ps->rec[i]);
        else if (rc == 1)
            same[i] = 1, rc = 0;
    if (rc == 0 && ps->n > 0)
        rc = seen_indexer_batch_fill(ix, "import", op);
    for (i = 0; i < ps->n && rc == 0; i++) {
        /* One found as it stands is asked again only when the same id
         * came earlier in this request and changed it: then its tokens
         * are made now (seen_indexer_apply checks the rest itself). */
        if (same != NULL && same[i]) {
            if ((rc = seen_indexer_unchanged(ix, c->imp.txn, ps->rec[i])) ==
                1) {
                c->imp.st.unchanged++;
                rc = 0;
                continue;
            }
            if (rc == 0 && (rc = seen_indexer_batch_record(ix, ps->rec[i])) ==
                               0)
                rc = seen_indexer_batch_fill(ix, "import", op);
            if (rc != 0)
                break;
        }
        rc = seen_indexer_apply(ix, c->imp.txn, ps->rec[i], now, &c->imp.st);
        if (rc == SEEN_ENOTFOUND) {
            d->line = ps->line[i];
            c->imp.not_found++;
            on_diag(d, "deleted", "no record with this id to delete", 1);
            c->imp.warnings++;
            rc = 0;
        }
    }
    free(same);
    if (rc != 0)
        seen_indexer_batch_clear(ix);
    return rc;
}

json_t *
ctl_import_lines(struct seen_control *c, struct ctl_call *call)
{
    struct diag_ctx d;
    struct parsed ps = {NULL, NULL, 0, 0};
    const char *p, *end, *nl;
    const char *data = call->data != NULL ? call->data : "";
    uint64_t accepted = 0, now = (uint64_t)time(NULL), grown;
    json_t *first;
    int rc = 0;

    if (!session_ok(c, call->req))
        return reply_error("no such import session");
    c->imp.last = time(NULL);
    first = json_object_get(call->req, "first_line");
    d.diags = json_array();
    d.line = json_is_integer(first) ? (uint64_t)json_integer_value(first) : 1;
    for (p = data, end = data + call->dlen; p < end && rc >= 0;
         p = nl + 1, d.line++) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        c->imp.lines++;
        if (seen_record_line_blank(p, (size_t)(nl - p)))
            continue;
        if ((rc = parse_line(c, p, (size_t)(nl - p), &d, &ps)) > 0)
            accepted += (uint64_t)rc;
    }
    if (rc >= 0)
        rc = apply_parsed(c, &ps, &d,
            json_string_value(json_object_get(call->req, "operator")), now);
    parsed_free(&ps);
    if (rc < 0) {
        grown = c->imp.grown;
        json_decref(d.diags);
        ctl_import_close(c);
        return import_failed(c, grown, rc);
    }
    return json_pack("{s:b, s:I, s:I, s:o}", "ok", 1, "accepted",
        (json_int_t)accepted, "rejected", (json_int_t)c->imp.rejected, "diags",
        d.diags);
}

json_t *
ctl_import_commit(struct seen_control *c, struct ctl_call *call)
{
    struct seen_index_stats st;
    uint64_t rejected, grown;
    int rc;

    if (!session_ok(c, call->req))
        return reply_error("no such import session");
    rejected = c->imp.rejected;
    if (rejected > 0 && !c->imp.skip_invalid) {
        ctl_import_close(c);
        return reply_error("nothing stored: %llu line%s rejected",
            (unsigned long long)rejected, rejected == 1 ? "" : "s");
    }
    st = c->imp.st;
    grown = c->imp.grown;
    seen_indexer_batch_clear(c->n.ix);
    rc = seen_store_commit(c->imp.txn); /* frees it either way */
    memset(&c->imp, 0, sizeof c->imp);
    if (rc == SEEN_EFULL)
        return import_failed(c, grown, rc);
    if (rc != 0)
        return reply_error("nothing stored: %s", seen_strerror(rc));
    if ((rc = seen_fed_checkpoint_own(c->n.fed)) != 0)
        seen_error(
            "cannot sign a checkpoint of the feed: %s", seen_strerror(rc));
    seen_info("imported %llu records (%llu replaced, %llu deleted, %llu "
              "unchanged), %llu entries published, %llu retracted",
        (unsigned long long)st.records, (unsigned long long)st.replaced,
        (unsigned long long)st.deleted, (unsigned long long)st.unchanged,
        (unsigned long long)st.entries, (unsigned long long)st.retracted);
    if (st.adopted > 0)
        seen_info("%llu entries taken back after a restore are their "
                  "records' again",
            (unsigned long long)st.adopted);
    return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ok",
        1, "records", (json_int_t)st.records, "replaced",
        (json_int_t)st.replaced, "deleted", (json_int_t)st.deleted, "entries",
        (json_int_t)st.entries, "retracted", (json_int_t)st.retracted,
        "rejected", (json_int_t)rejected, "adopted", (json_int_t)st.adopted,
        "unchanged", (json_int_t)st.unchanged);
}

json_t *
ctl_import_abort(struct seen_control *c, struct ctl_call *call)
{

    if (!session_ok(c, call->req))
        return reply_error("no such import session");
    ctl_import_close(c);
    return reply_ok();
}

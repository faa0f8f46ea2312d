#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/hex.h"
#include "common/home.h"
#include "common/log.h"
#include "common/version.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "match/ident.h"
#include "match/normalise.h"
#include "match/tokens.h"
#include "node/daemon.h"
#include "node/disclosure/disclosure.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/matching/query.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "proto/policy.h"
#include "proto/record.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "storage/unlock.h"
#include "xlog/integrity.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define IMPORT_IDLE_SECS 300
#define HANDLES_PAGE 10000

struct import_session {
    int open;
    uint64_t id;
    struct seen_txn *txn;
    int skip_invalid;
    uint64_t rejected, warnings, lines, not_found;
    time_t last;
    struct seen_index_stats st;
};

struct node {
    const char *home;
    struct seen_config cfg;
    struct seen_keys *keys;
    struct seen_store *store;
    struct seen_tokenizer *tk;
    struct seen_indexer ix;
    struct seen_fed *fed;
    struct seen_matcher mt;
    void *zctx;
    void *ctl;
    int pidfd;
    int stopping;
    time_t started, last_expiry, last_disclosure;
    struct import_session imp;
    struct seen_policy *policy;
    struct seen_disclosure dis;
};

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{

    got_signal = sig;
}

/* A damaged or truncated map can fault on read: say so, don't dump core. */
static void
on_fault(int sig)
{
    static const char msg[] =
        "seen-node: the store could not be read (memory fault): its file is "
        "damaged or truncated; stop the node and restore the store from a "
        "backup\n";
    ssize_t r;

    r = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)r;
    _exit(128 + sig);
}

/* ---- replies ---- */

#define reply_error seen_ctl_reply_error
#define reply_ok seen_ctl_reply_ok

static const char *
origin_name(struct node *n, struct seen_txn *txn, uint32_t oidx, char *buf,
    size_t len)
{
    uint8_t pk[32];

    if (oidx == n->ix.own)
        return n->cfg.name;
    if (seen_store_origin_pk(txn, oidx, pk) != 0)
        return "unknown";
    return seen_fed_origin_name(n->fed, pk, buf, len);
}

/* ---- commands ---- */

static json_t *
cmd_ping(struct node *n, json_t *req)
{

    (void)req;
    return json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "node", n->cfg.name,
        "version", seen_version(), "pid", (json_int_t)getpid());
}

static json_t *
cmd_status(struct node *n, json_t *req)
{
    struct seen_txn *txn;
    uint64_t records = 0, entries = 0, size = 0;
    json_t *r;

    (void)req;
    if (seen_store_begin(n->store, 0, &txn) != 0)
        return reply_error("cannot read the store");
    if (seen_store_count(txn, SEEN_DB_RECORDS, &records) != 0 ||
        seen_store_count(txn, SEEN_DB_ENTRIES, &entries) != 0 ||
        seen_feed_size(txn, n->ix.own, &size) != 0) {
        seen_store_abort(txn);
        return reply_error("cannot read the store");
    }
    r = json_pack("{s:b, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:I}",
        "ok", 1, "node", n->cfg.name, "type", n->cfg.type, "local_authority",
        n->cfg.local_authority, "version", seen_version(), "records",
        (json_int_t)records, "entries", (json_int_t)entries, "uptime",
        (json_int_t)(time(NULL) - n->started), "import_in_progress",
        n->imp.open, "epoch", (json_int_t)seen_tokenizer_epoch(n->tk));
    seen_fed_status(n->fed, txn, r);
    seen_store_abort(txn);
    (void)size;
    return r;
}

static void
import_close(struct node *n)
{

    seen_store_abort(n->imp.txn);
    memset(&n->imp, 0, sizeof n->imp);
}

static json_t *
cmd_import_begin(struct node *n, json_t *req)
{
    int rc;

    if (n->imp.open) {
        if (time(NULL) - n->imp.last < IMPORT_IDLE_SECS)
            return reply_error("another import is in progress");
        seen_notice("abandoning an idle import session");
        import_close(n);
    }
    memset(&n->imp, 0, sizeof n->imp);
    if ((rc = seen_store_begin(n->store, 1, &n->imp.txn)) != 0)
        return reply_error("cannot write to the store: %s",
            seen_strerror(rc));
    n->imp.open = 1;
    randombytes_buf(&n->imp.id, sizeof n->imp.id);
    n->imp.id &= 0x1fffffffffffffULL; /* exact in JSON */
    n->imp.skip_invalid = json_is_true(json_object_get(req, "skip_invalid"));
    n->imp.last = time(NULL);
    return json_pack("{s:b, s:I}", "ok", 1, "session", (json_int_t)n->imp.id);
}

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
    if (json_array_size(d->diags) < 1000)
        json_array_append_new(d->diags,
            json_pack("{s:I, s:s, s:s, s:b}", "line", (json_int_t)d->line,
                "field", field, "reason", reason, "warning", warning));
}

static int
session_ok(struct node *n, json_t *req)
{
    json_t *s = json_object_get(req, "session");

    return n->imp.open && json_is_integer(s) &&
        (uint64_t)json_integer_value(s) == n->imp.id;
}

static json_t *
cmd_import_lines(struct node *n, json_t *req, const char *data, size_t len)
{
    struct diag_ctx d;
    struct seen_record *rec;
    const char *p, *end, *nl;
    uint64_t accepted = 0, now = (uint64_t)time(NULL);
    json_t *first;
    int rc;

    if (!session_ok(n, req))
        return reply_error("no such import session");
    n->imp.last = time(NULL);
    first = json_object_get(req, "first_line");
    d.diags = json_array();
    d.line = json_is_integer(first) ? (uint64_t)json_integer_value(first)
                                    : 1;
    for (p = data, end = data + len; p < end; p = nl + 1, d.line++) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        n->imp.lines++;
        if (seen_record_line_blank(p, (size_t)(nl - p)))
            continue;
        d.errors = d.warnings = 0;
        rc = seen_record_parse(p, (size_t)(nl - p), &rec, on_diag, &d);
        n->imp.warnings += (uint64_t)d.warnings;
        if (rc != 0) {
            n->imp.rejected++;
            continue;
        }
        /* With a rejected line and no --skip-invalid nothing is kept:
         * go on checking, but store nothing more. */
        if (n->imp.rejected == 0 || n->imp.skip_invalid) {
            rc = seen_indexer_apply(&n->ix, n->imp.txn, rec, now, &n->imp.st);
            if (rc == SEEN_ENOTFOUND) {
                n->imp.not_found++;
                on_diag(&d, "deleted", "no record with this id to delete",
                    1);
                n->imp.warnings++;
            } else if (rc != 0) {
                seen_record_destroy(&rec);
                json_decref(d.diags);
                import_close(n);
                return reply_error("import failed, nothing stored: %s",
                    seen_strerror(rc));
            }
        }
        accepted++;
        seen_record_destroy(&rec);
    }
    return json_pack("{s:b, s:I, s:I, s:o}", "ok", 1, "accepted",
        (json_int_t)accepted, "rejected", (json_int_t)n->imp.rejected,
        "diags", d.diags);
}

static json_t *
cmd_import_commit(struct node *n, json_t *req)
{
    struct seen_index_stats st;
    uint64_t rejected;
    int rc;

    if (!session_ok(n, req))
        return reply_error("no such import session");
    if (n->imp.rejected > 0 && !n->imp.skip_invalid) {
        rejected = n->imp.rejected;
        import_close(n);
        return reply_error("nothing stored: %llu line%s rejected",
            (unsigned long long)rejected, rejected == 1 ? "" : "s");
    }
    st = n->imp.st;
    rejected = n->imp.rejected;
    rc = seen_store_commit(n->imp.txn);
    n->imp.txn = NULL;
    memset(&n->imp, 0, sizeof n->imp);
    if (rc != 0)
        return reply_error("nothing stored: %s", seen_strerror(rc));
    if ((rc = seen_fed_checkpoint_own(n->fed)) != 0)
        seen_warn("cannot sign a checkpoint of the feed: %s",
            seen_strerror(rc));
    seen_info("imported %llu records (%llu replaced, %llu deleted), "
              "%llu entries published, %llu retracted",
        (unsigned long long)st.records, (unsigned long long)st.replaced,
        (unsigned long long)st.deleted, (unsigned long long)st.entries,
        (unsigned long long)st.retracted);
    return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "ok", 1,
        "records", (json_int_t)st.records, "replaced",
        (json_int_t)st.replaced, "deleted", (json_int_t)st.deleted,
        "entries", (json_int_t)st.entries, "retracted",
        (json_int_t)st.retracted, "rejected", (json_int_t)rejected);
}

static json_t *
cmd_import_abort(struct node *n, json_t *req)
{

    if (!session_ok(n, req))
        return reply_error("no such import session");
    import_close(n);
    return reply_ok();
}

#define jstr seen_ctl_str

/* The local details of one of our own entries, for the human picture. */
static json_t *
own_details(struct node *n, struct seen_txn *txn, const uint8_t handle[16])
{
    Seen__LocalHandle *lh;
    char *body;
    size_t blen, i;
    json_t *rec, *people, *p, *out = NULL;

    /* A handle whose record is missing still says which record it was. */
    if (seen_indexer_own(n->store, txn, handle, &lh, &body, &blen) != 0 &&
        lh == NULL)
        return NULL;
    out = json_pack("{s:s, s:s}", "record", lh->record, "ref", lh->ref);
    if (body != NULL) {
        rec = json_loadb((const char *)body, blen, 0, NULL);
        sodium_memzero(body, blen);
        free(body);
        people = json_object_get(rec, "people");
        for (i = 0; i < json_array_size(people); i++) {
            p = json_array_get(people, i);
            if (!json_is_string(json_object_get(p, "ref")) ||
                strcmp(json_string_value(json_object_get(p, "ref")),
                    lh->ref) != 0)
                continue;
            json_object_set(out, "person", p);
            break;
        }
        json_object_set(out, "record_summary", json_object_get(rec, "summary"));
        json_decref(rec);
    }
    seen__local_handle__free_unpacked(lh, NULL);
    return out;
}

/*
 * The persons behind the hits of a query: those of the hits in the match
 * band (or of the best hit, when none is), with every member, the people
 * linked through shared records, and for our own records the local
 * details; a member that was a hit carries its band and reasons.
 */
static json_t *
picture(struct node *n, struct seen_txn *txn, struct seen_query_result *res,
    json_t *hits)
{
    uint32_t *oidx;
    uint8_t (*hs)[16], hb[16];
    size_t i, j, k, nh = 0;
    json_t *persons, *p, *mm, *hit, *local;
    const char *hh;

    if (res->n == 0)
        return json_array();
    oidx = calloc(res->n, sizeof *oidx);
    hs = calloc(res->n, sizeof *hs);
    if (oidx == NULL || hs == NULL) {
        free(oidx);
        free(hs);
        return json_array();
    }
    for (i = 0; i < res->n; i++) {
        if (res->hits[i].score.band != SEEN_BAND_MATCH && (i > 0 || nh > 0))
            continue;
        oidx[nh] = res->hits[i].oidx;
        memcpy(hs[nh++], res->hits[i].handle, 16);
    }
    persons = seen_matcher_picture(&n->mt, txn, oidx, (const uint8_t(*)[16])hs,
        nh);
    free(oidx);
    free(hs);
    if (persons == NULL)
        return json_array();
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, mm)
        {
            hh = json_string_value(json_object_get(mm, "handle"));
            json_array_foreach(hits, k, hit)
            {
                if (hh == NULL ||
                    !json_equal(json_object_get(hit, "handle"),
                        json_object_get(mm, "handle")))
                    continue;
                json_object_set(mm, "band", json_object_get(hit, "band"));
                json_object_set(mm, "weight", json_object_get(hit, "weight"));
                json_object_set(mm, "why", json_object_get(hit, "why"));
            }
            if (hh != NULL &&
                strcmp(json_string_value(json_object_get(mm, "node")),
                    n->cfg.name) == 0 &&
                sodium_hex2bin(hb, 16, hh, strlen(hh), NULL, NULL, NULL) ==
                    0 &&
                (local = own_details(n, txn, hb)) != NULL)
                json_object_set_new(mm, "local", local);
        }
    }
    return persons;
}

/*
 * The criteria of a query for its log record: a keyed BLAKE2b-256 (a
 * subkey of the node's data key) of the normalised criteria, in hex, so
 * that an auditor holding the node can tell two queries apart or
 * confirm a claimed one, while the log holds no name or identifier.
 */
static void
criteria_digest(struct node *n, const struct seen_token_input *q,
    char out[static 65])
{
    crypto_generichash_state st;
    uint8_t key[32], h[32];
    char dob[16];
    const char *f[7];
    size_t i;

    crypto_kdf_derive_from_key(key, sizeof key, 1, "seenqry_",
        n->keys->data_key);
    snprintf(dob, sizeof dob, "%ld", q->has_dob ? (long)q->dob : -1L);
    f[0] = q->given;
    f[1] = q->family;
    f[2] = dob;
    f[3] = q->nhs;
    f[4] = q->upn;
    f[5] = q->pnc;
    f[6] = q->postcode;
    crypto_generichash_init(&st, key, sizeof key, sizeof h);
    for (i = 0; i < 7; i++) {
        const char *v = f[i] ? f[i] : "";

        crypto_generichash_update(&st, (const uint8_t *)v, strlen(v) + 1);
    }
    crypto_generichash_final(&st, h, sizeof h);
    seen_hex_encode(out, h, sizeof h);
    sodium_memzero(key, sizeof key);
}

/* Add the handle in hex ${hh} to ${hs} (*${nh} of ${cap}) unless there. */
static void
seen_handle(ProtobufCBinaryData *hs, uint8_t (*buf)[16], size_t *nh,
    size_t cap, const char *hh)
{
    uint8_t b[16];
    size_t i;

    if (hh == NULL || strlen(hh) != 32 ||
        sodium_hex2bin(b, 16, hh, 32, NULL, NULL, NULL) != 0)
        return;
    for (i = 0; i < *nh; i++)
        if (memcmp(buf[i], b, 16) == 0)
            return;
    if (*nh >= cap)
        return;
    memcpy(buf[*nh], b, 16);
    hs[*nh] = (ProtobufCBinaryData){16, buf[*nh]};
    (*nh)++;
}

/*
 * Log the query of ${op} for ${purpose} that showed the handles in
 * ${members} and ${persons} in the exchange log, inside ${txn}.
 */
static int
log_query(struct node *n, struct seen_txn *txn, const char *op,
    const char *purpose, const char *digest, json_t *members, json_t *persons)
{
    Seen__QueryRecord qr = SEEN__QUERY_RECORD__INIT;
    ProtobufCBinaryData *hs;
    uint8_t (*buf)[16];
    size_t cap = json_array_size(members), i, j, nh = 0;
    json_t *p, *mm;
    int rc;

    json_array_foreach(persons, i, p)
        cap += json_array_size(json_object_get(p, "members"));
    hs = calloc(cap ? cap : 1, sizeof *hs);
    buf = calloc(cap ? cap : 1, sizeof *buf);
    if (hs == NULL || buf == NULL) {
        free(hs);
        free(buf);
        return SEEN_ENOMEM;
    }
    json_array_foreach(members, i, mm)
        seen_handle(hs, buf, &nh, cap,
            json_string_value(json_object_get(mm, "handle")));
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, mm)
            seen_handle(hs, buf, &nh, cap,
                json_string_value(json_object_get(mm, "handle")));
    }
    qr.operator_ = (char *)op;
    qr.purpose = (char *)purpose;
    qr.time = (uint64_t)time(NULL);
    qr.n_handles_seen = nh;
    qr.handles_seen = hs;
    qr.criteria_digest = (char *)digest;
    rc = seen_xlog_query(txn, n->keys, &qr, NULL);
    free(hs);
    free(buf);
    return rc;
}

static json_t *
cmd_query(struct node *n, json_t *req)
{
    struct seen_token_input q;
    struct seen_query_result res;
    struct seen_txn *txn;
    char nhs[11], pc[9], dist[5], date[11], hh[33], on[64], p[24];
    char eb[3][64];
    json_t *persons;
    const char *s;
    json_t *members, *m, *why, *local;
    const char *op = jstr(req, "operator"), *purpose = jstr(req, "purpose");
    char whynot[256], digest[65];
    int32_t dob;
    size_t i, j;
    int rc, t;

    memset(&q, 0, sizeof q);
    q.given = jstr(req, "given");
    q.family = jstr(req, "family");
    if ((s = jstr(req, "dob")) != NULL) {
        if (seen_date_parse(s, &dob) != 0)
            return reply_error("--dob: not a date (YYYY-MM-DD): '%s'", s);
        q.has_dob = 1;
        q.dob = dob;
    }
    if ((s = jstr(req, "nhs")) != NULL) {
        if (seen_nhs_check(s, nhs, &t) != 0)
            return reply_error("--nhs: not a valid NHS number");
        q.nhs = nhs;
    }
    q.upn = jstr(req, "upn");
    q.pnc = jstr(req, "pnc");
    if ((s = jstr(req, "postcode")) != NULL) {
        if (seen_postcode_norm(s, pc, dist) != 0)
            return reply_error("--postcode: not a UK postcode: '%s'", s);
        q.postcode = pc;
        q.district = dist;
    }
    /* Every query is logged (the exchange log, written in the one write
     * transaction an open import holds). */
    if (n->imp.open)
        return reply_error("an import is in progress: try again when it "
                           "ends");
    if ((rc = seen_store_begin(n->store, 1, &txn)) != 0)
        return reply_error("cannot read the store: %s", seen_strerror(rc));
    /* cli.md: a query runs as a named operator whose role may query, and
     * states its purpose, which is logged with it. */
    if (seen_operator_authorise(txn, op, SEEN_ACT_QUERY, NULL, whynot,
            sizeof whynot) != 0) {
        seen_store_abort(txn);
        return reply_error("%s", whynot);
    }
    if (purpose == NULL || purpose[0] == '\0') {
        seen_store_abort(txn);
        return reply_error("a query needs --purpose TEXT: why you search "
                           "(it is logged for the auditors)");
    }
    if (!seen_purpose_valid(purpose)) {
        seen_store_abort(txn);
        return reply_error("--purpose: 3 to 500 characters of text on one "
                           "line, not only spaces");
    }
    rc = seen_query_run(txn, n->tk, &q, &res);
    if (rc == SEEN_EINVAL) {
        seen_store_abort(txn);
        return reply_error("too little to search on: give an identifier, "
                           "or a family name with a date of birth, or a "
                           "given and a family name");
    }
    if (rc != 0) {
        seen_store_abort(txn);
        return reply_error("query failed: %s", seen_strerror(rc));
    }
    members = json_array();
    for (i = 0; i < res.n; i++) {
        struct seen_query_hit *h = &res.hits[i];

        seen_hex_encode(hh, h->handle, 16);
        seen_date_format((int32_t)h->date, date);
        why = json_array();
        for (j = 0; j < h->score.nwhy; j++)
            json_array_append_new(why, json_string(h->score.why[j]));
        m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o}",
            "node", origin_name(n, txn, h->oidx, on, sizeof on), "handle", hh,
            "role", seen_enum_name(&seen__role__descriptor, h->role, eb[0]),
            "kind", seen_enum_name(&seen__kind__descriptor, h->kind, eb[1]),
            "date", date, "local_authority", h->local_authority, "risk",
            h->risk ? seen_enum_name(&seen__risk__descriptor, h->risk, eb[2]) : "",
            "band", seen_band_name(h->score.band), "weight", h->score.weight,
            "why", why);
        if (h->risk == 0)
            json_object_del(m, "risk");
        if (h->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT)
            json_object_set_new(m, "child_present", json_true());
        if (h->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE)
            json_object_set_new(m, "child_voice_recorded", json_true());
        if (h->oidx == n->ix.own &&
            (local = own_details(n, txn, h->handle)) != NULL)
            json_object_set_new(m, "local", local);
        json_array_append_new(members, m);
    }
    persons = picture(n, txn, &res, members);
    criteria_digest(n, &q, digest);
    /* Nothing is shown that is not logged. */
    if ((rc = log_query(n, txn, op, purpose, digest, members, persons)) !=
        0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn);
    if (rc != 0) {
        json_decref(members);
        json_decref(persons);
        seen_query_release(&res);
        seen_warn("cannot log a query: %s", seen_strerror(rc));
        return reply_error("the query could not be logged, so it is not "
                           "shown: %s",
            seen_strerror(rc));
    }
    snprintf(p, sizeof p, "%s",
        json_string_value(json_object_get(json_array_get(persons, 0),
            "person"))
            ? json_string_value(
                  json_object_get(json_array_get(persons, 0), "person"))
            : "");
    m = json_pack("{s:b, s:s, s:o, s:o, s:I}", "ok", 1, "person", p,
        "members", members, "persons", persons, "candidates",
        (json_int_t)res.candidates);
    seen_query_release(&res);
    return m;
}

struct handles_ctx {
    struct node *n;
    struct seen_txn *txn;
    struct seen_ctl_rows rows;
    size_t count;
    uint8_t last[16];
    int err;
};

static int
handles_one(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct handles_ctx *c = vctx;
    Seen__LocalHandle *lh;
    uint8_t *buf;
    size_t len;
    char hh[33], eb[64];
    json_t *row;

    (void)val;
    (void)vlen;
    if (klen != 16)
        return SEEN_ECORRUPT;
    if (c->count >= HANDLES_PAGE)
        return 1;
    if ((c->err = seen_store_sealed_get(c->txn, SEEN_DB_HANDLES, key, 16,
             key, 16, &buf, &len)) != 0)
        return c->err;
    lh = seen__local_handle__unpack(NULL, len, buf);
    free(buf);
    if (lh == NULL)
        return c->err = SEEN_ECORRUPT;
    seen_hex_encode(hh, key, 16);
    row = json_pack("{s:s, s:s, s:s, s:s}", "handle", hh, "record",
        lh->record, "ref", lh->ref, "role",
        seen_enum_name(&seen__role__descriptor, lh->role, eb));
    seen__local_handle__free_unpacked(lh, NULL);
    c->err = seen_ctl_rows_add(&c->rows, row);
    json_decref(row);
    if (c->err != 0)
        return c->err;
    memcpy(c->last, key, 16);
    c->count++;
    return 0;
}

/* Reply with a page of our handles; the binary frame holds the rows. */
static json_t *
cmd_handles(struct node *n, json_t *req, char **data, size_t *dlen)
{
    struct handles_ctx c;
    uint8_t after[16];
    const char *a = jstr(req, "after");
    char lasthex[33];
    json_t *r;
    int rc;

    memset(&c, 0, sizeof c);
    c.n = n;
    if ((rc = seen_store_begin(n->store, 0, &c.txn)) != 0)
        return reply_error("cannot read the store: %s", seen_strerror(rc));
    if (a != NULL && sodium_hex2bin(after, 16, a, strlen(a), NULL, NULL,
                         NULL) != 0) {
        seen_store_abort(c.txn);
        return reply_error("bad cursor");
    }
    rc = seen_store_iter_after(c.txn, SEEN_DB_HANDLES, after, a ? 16 : 0,
        handles_one, &c);
    seen_store_abort(c.txn);
    if (rc != 0 || c.err != 0) {
        free(c.rows.p);
        return reply_error("cannot read handles: %s",
            seen_strerror(rc ? rc : c.err));
    }
    seen_hex_encode(lasthex, c.last, 16);
    r = json_pack("{s:b, s:I, s:s?}", "ok", 1, "count", (json_int_t)c.count,
        "next", c.count >= HANDLES_PAGE ? lasthex : NULL);
    *data = c.rows.p;
    *dlen = c.rows.len;
    return r;
}

static json_t *
cmd_membership(struct node *n, json_t *req, const char *data, size_t len)
{
    const char *a = jstr(req, "authority");
    uint8_t auth[32];
    int rc;

    if (a != NULL && (strlen(a) != 64 ||
                         sodium_hex2bin(auth, 32, a, 64, NULL, NULL, NULL) != 0))
        return reply_error("--authority: not a 64-digit hex key");
    if (data == NULL || len == 0)
        return reply_error("no membership document");
    if (n->imp.open) /* it holds the write transaction */
        return reply_error("an import is in progress: try again when it "
                           "ends");
    rc = seen_fed_install(n->fed, (const uint8_t *)data, len,
        a != NULL ? auth : NULL);
    if (rc == SEEN_EEXIST)
        return reply_error("this node already holds that version or a "
                           "newer one");
    if (rc == SEEN_EAUTH)
        return reply_error("the document is not signed by the federation "
                           "authority%s",
            a == NULL ? " (give --authority on first install)" : "");
    if (rc != 0)
        return reply_error("membership document refused: %s",
            seen_strerror(rc));
    return reply_ok();
}

static const char *mt_name(void *ctx, const uint8_t pk[static 32], char *buf,
    size_t len);

/* persons, links, alerts: NDJSON rows in the data frame. */
static json_t *
cmd_rows(struct node *n, const char *cmd, json_t *req, char **data,
    size_t *dlen)
{
    struct seen_txn *txn;
    char why[256];
    int rc;

    if ((rc = seen_store_begin(n->store, 0, &txn)) != 0)
        return reply_error("cannot read the store: %s", seen_strerror(rc));
    /* cli.md: commands that read about people run as a named operator. */
    if (seen_operator_authorise(txn, jstr(req, "operator"),
            strcmp(cmd, "alerts") == 0 ? SEEN_ACT_VIEW_ALERTS
                                       : SEEN_ACT_VIEW_PERSONS,
            NULL, why, sizeof why) != 0) {
        seen_store_abort(txn);
        return reply_error("%s", why);
    }
    if (strcmp(cmd, "persons") == 0)
        rc = seen_matcher_persons(&n->mt, txn, data, dlen);
    else if (strcmp(cmd, "links") == 0)
        rc = seen_matcher_links(&n->mt, txn, data, dlen);
    else if ((rc = seen_matcher_alerts(&n->mt, txn, data, dlen)) == 0)
        rc = seen_integrity_alerts(txn, mt_name, n, data, dlen);
    seen_store_abort(txn);
    if (rc != 0)
        return reply_error("cannot list %s: %s", cmd, seen_strerror(rc));
    if (*data == NULL) {
        *data = strdup("");
        *dlen = 0;
    }
    return reply_ok();
}

static json_t *
cmd_alert_ack(struct node *n, json_t *req)
{
    const char *id = jstr(req, "alert");
    struct seen_txn *txn;
    char why[256];
    int rc;

    if (id == NULL)
        return reply_error("which alert?");
    if (n->imp.open)
        return reply_error("an import is in progress: try again when it "
                           "ends");
    if ((rc = seen_store_begin(n->store, 0, &txn)) != 0)
        return reply_error("cannot read the store: %s", seen_strerror(rc));
    rc = seen_operator_authorise(txn, jstr(req, "operator"),
        SEEN_ACT_ACK_ALERT, NULL, why, sizeof why);
    seen_store_abort(txn);
    if (rc != 0)
        return reply_error("%s", why);
    rc = seen_matcher_ack(&n->mt, id, jstr(req, "operator"),
        (uint64_t)time(NULL));
    if (rc == SEEN_ENOTFOUND)
        return reply_error("no alert '%s'", id);
    if (rc != 0)
        return reply_error("cannot acknowledge: %s", seen_strerror(rc));
    return reply_ok();
}

/*
 * xlog_resolve: an admin clears the node's refusal to sign checkpoints of
 * its exchange log (xlog/xlog.h, seen_xlog_resolve), saying why.
 */
static json_t *
cmd_xlog_resolve(struct node *n, json_t *req)
{
    const char *op = jstr(req, "operator"), *reason = jstr(req, "reason");
    struct seen_txn *txn;
    uint64_t floor = 0, size = 0;
    char why[256];
    int rc;

    if (reason == NULL || reason[0] == '\0')
        return reply_error("a resolution needs a reason");
    if (n->imp.open)
        return reply_error("an import is in progress: try again when it "
                           "ends");
    if ((rc = seen_store_begin(n->store, 1, &txn)) != 0)
        return reply_error("cannot write to the store: %s", seen_strerror(rc));
    if (seen_operator_authorise(
            txn, op, SEEN_ACT_NODE_ADMIN, NULL, why, sizeof why) != 0) {
        seen_store_abort(txn);
        return reply_error("%s", why);
    }
    rc = seen_xlog_resolve(
        txn, n->keys, op, reason, (uint64_t)time(NULL), &floor);
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

static json_t *
cmd_stop(struct node *n, json_t *req)
{

    (void)req;
    n->stopping = 1;
    return reply_ok();
}

/* ---- the loop ---- */

static void
serve_one(struct node *n)
{
    zmq_msg_t id, m, d;
    json_t *req = NULL, *rep = NULL;
    const char *cmd;
    char *text, *out = NULL;
    size_t outlen = 0;
    int has_data = 0;

    zmq_msg_init(&id);
    zmq_msg_init(&m);
    zmq_msg_init(&d);
    /* ROUTER: identity, empty delimiter (REQ), request, [data]. */
    if (zmq_msg_recv(&id, n->ctl, ZMQ_DONTWAIT) < 0)
        goto done;
    if (!zmq_msg_more(&id) || zmq_msg_recv(&m, n->ctl, 0) < 0)
        goto drain;
    if (zmq_msg_size(&m) == 0 && zmq_msg_more(&m)) {
        zmq_msg_close(&m);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, n->ctl, 0) < 0)
            goto drain;
    }
    if (zmq_msg_more(&m)) {
        if (zmq_msg_recv(&d, n->ctl, 0) < 0)
            goto drain;
        has_data = 1;
    }
drain:
    while (zmq_msg_more(&d) || (!has_data && zmq_msg_more(&m))) {
        zmq_msg_t x;

        zmq_msg_init(&x);
        zmq_msg_recv(&x, n->ctl, 0);
        if (!zmq_msg_more(&x)) {
            zmq_msg_close(&x);
            break;
        }
        zmq_msg_close(&x);
    }
    req = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, NULL);
    cmd = json_string_value(json_object_get(req, "cmd"));
    if (!json_is_object(req) || cmd == NULL)
        rep = reply_error("malformed request");
    else if (strcmp(cmd, "ping") == 0)
        rep = cmd_ping(n, req);
    else if (strcmp(cmd, "status") == 0)
        rep = cmd_status(n, req);
    else if (strcmp(cmd, "import_begin") == 0)
        rep = cmd_import_begin(n, req);
    else if (strcmp(cmd, "import_lines") == 0)
        rep = cmd_import_lines(n, req, has_data ? zmq_msg_data(&d) : "",
            has_data ? zmq_msg_size(&d) : 0);
    else if (strcmp(cmd, "import_commit") == 0)
        rep = cmd_import_commit(n, req);
    else if (strcmp(cmd, "import_abort") == 0)
        rep = cmd_import_abort(n, req);
    else if (strcmp(cmd, "query") == 0)
        rep = cmd_query(n, req);
    else if (strcmp(cmd, "handles") == 0)
        rep = cmd_handles(n, req, &out, &outlen);
    else if (strcmp(cmd, "membership") == 0)
        rep = cmd_membership(n, req, has_data ? zmq_msg_data(&d) : NULL,
            has_data ? zmq_msg_size(&d) : 0);
    else if (strcmp(cmd, "persons") == 0 || strcmp(cmd, "links") == 0 ||
        strcmp(cmd, "alerts") == 0)
        rep = cmd_rows(n, cmd, req, &out, &outlen);
    else if (strcmp(cmd, "alert_ack") == 0)
        rep = cmd_alert_ack(n, req);
    else if (strcmp(cmd, "xlog_resolve") == 0)
        rep = cmd_xlog_resolve(n, req);
    else if (strcmp(cmd, "request") == 0 || strcmp(cmd, "decide") == 0 ||
        strcmp(cmd, "inbox") == 0 || strcmp(cmd, "disclosures") == 0)
        rep = n->imp.open ? reply_error("an import is in progress: try "
                                        "again when it ends")
                          : seen_disclosure_control(&n->dis, cmd, req, &out,
                                &outlen);
    else if (strcmp(cmd, "operator_add") == 0 ||
        strcmp(cmd, "operator_list") == 0)
        rep = n->imp.open ? reply_error("an import is in progress: try "
                                        "again when it ends")
                          : seen_operators_control(n->store, cmd, req);
    else if (strcmp(cmd, "stop") == 0)
        rep = cmd_stop(n, req);
    else
        rep = reply_error("unknown command '%s'", cmd);
    if (rep == NULL)
        rep = reply_error("out of memory");
    text = json_dumps(rep, JSON_COMPACT);
    zmq_msg_send(&id, n->ctl, ZMQ_SNDMORE);
    zmq_send(n->ctl, "", 0, ZMQ_SNDMORE);
    if (text != NULL)
        zmq_send(n->ctl, text, strlen(text), out ? ZMQ_SNDMORE : 0);
    else
        zmq_send(n->ctl, "{\"ok\":false}", 12, out ? ZMQ_SNDMORE : 0);
    if (out != NULL)
        zmq_send(n->ctl, out, outlen, 0);
    free(text);
    free(out);
done:
    json_decref(req);
    json_decref(rep);
    zmq_msg_close(&id);
    zmq_msg_close(&m);
    zmq_msg_close(&d);
}

static void
housekeeping(struct node *n)
{
    struct seen_index_stats st;
    struct seen_txn *txn;
    time_t now = time(NULL);
    int rc;

    if (n->imp.open && now - n->imp.last > IMPORT_IDLE_SECS) {
        seen_notice("import session idle for %d s: abandoned, nothing "
                    "stored",
            IMPORT_IDLE_SECS);
        import_close(n);
    }
    if (!n->imp.open && n->fed != NULL && now - n->last_disclosure >= 5) {
        n->last_disclosure = now;
        (void)seen_disclosure_tick(&n->dis, (uint64_t)now);
    }
    if (n->imp.open || now - n->last_expiry < 3600)
        return;
    n->last_expiry = now;
    memset(&st, 0, sizeof st);
    if (seen_store_begin(n->store, 1, &txn) != 0)
        return;
    rc = seen_indexer_expire(&n->ix, txn, (int32_t)(now / 86400),
        (uint64_t)now, &st);
    if (rc != 0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn); /* frees txn either way */
    if (rc != 0) {
        seen_warn("expiry failed: %s", seen_strerror(rc));
        return;
    }
    if (st.deleted) {
        seen_info("expired %llu records past their retain_until date",
            (unsigned long long)st.deleted);
        if (seen_fed_checkpoint_own(n->fed) != 0)
            seen_warn("cannot sign a checkpoint of the feed");
    }
}

static int
take_pidfile(struct node *n)
{
    char path[SEEN_PATH_LEN], buf[32];
    long pid;
    int len;

    if (seen_home_path(n->home, "seen-node.pid", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((n->pidfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        seen_warnp("cannot open '%s'", path);
        return SEEN_EIO;
    }
    if (flock(n->pidfd, LOCK_EX | LOCK_NB) != 0) {
        pid = 0;
        len = (int)read(n->pidfd, buf, sizeof buf - 1);
        buf[len > 0 ? len : 0] = '\0';
        pid = strtol(buf, NULL, 10);
        seen_warn("a node is already running on '%s' (pid %ld)", n->home,
            pid);
        close(n->pidfd);
        n->pidfd = -1;
        return SEEN_EEXIST;
    }
    len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(n->pidfd, 0) != 0 || write(n->pidfd, buf, (size_t)len) != len)
        seen_warnp("cannot write '%s'", path);
    return SEEN_OK;
}

static int
bind_control(struct node *n)
{
    char ep[SEEN_PATH_LEN], path[SEEN_PATH_LEN];
    int zero = 0, hwm = 1000;
    int64_t maxmsg = SEEN_CTL_MAX_MSG;

    if (seen_ctl_endpoint(n->home, ep, sizeof ep) == NULL ||
        seen_home_path(n->home, "control.sock", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((n->ctl = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL)
        return SEEN_ERR;
    zmq_setsockopt(n->ctl, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(n->ctl, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(n->ctl, ZMQ_SNDHWM, &hwm, sizeof hwm);
    unlink(path); /* a stale socket left by a killed daemon */
    if (zmq_bind(n->ctl, ep) != 0) {
        seen_warn("cannot bind the control socket '%s': %s", path,
            zmq_strerror(zmq_errno()));
        return SEEN_EIO;
    }
    if (chmod(path, 0600) != 0) {
        seen_warnp("cannot restrict '%s'", path);
        return SEEN_EIO;
    }
    return SEEN_OK;
}

static const char *
mt_type(void *ctx, const uint8_t pk[static 32])
{
    struct node *n = ctx;

    if (sodium_memcmp(pk, n->keys->sign_pk, 32) == 0)
        return n->cfg.type;
    return seen_fed_origin_type(n->fed, pk);
}

static const char *
mt_name(void *ctx, const uint8_t pk[static 32], char *buf, size_t len)
{
    struct node *n = ctx;

    if (sodium_memcmp(pk, n->keys->sign_pk, 32) == 0)
        return n->cfg.name;
    return seen_fed_origin_name(n->fed, pk, buf, len);
}

/* A newer membership document grants a match key: tokens change epoch. */
static void
on_adopt(void *ctx, const uint8_t *key, uint32_t epoch)
{
    struct node *n = ctx;
    struct seen_tokenizer *tk;

    if (key == NULL) {
        seen_notice("the membership document grants this node no match "
                    "key: keeping epoch %u",
            seen_tokenizer_epoch(n->tk));
        return;
    }
    if (n->tk != NULL && seen_tokenizer_epoch(n->tk) == epoch)
        return;
    if ((tk = seen_tokenizer_new(key, epoch)) == NULL)
        return;
    seen_tokenizer_destroy(&n->tk);
    n->tk = tk;
    n->ix.tk = tk;
    seen_info("match key of epoch %u in use", epoch);
    /* Entries made under another epoch's key match nothing now: publish
     * our records again under this one (once; a no-op when they are). */
    if (n->ix.store != NULL && !n->imp.open) {
        struct seen_index_stats st;
        struct seen_txn *txn;
        int rc;

        memset(&st, 0, sizeof st);
        if (seen_store_begin(n->store, 1, &txn) != 0)
            return;
        if ((rc = seen_indexer_retokenize(&n->ix, txn, (uint64_t)time(NULL),
                 &st)) != 0)
            seen_store_abort(txn);
        else
            rc = seen_store_commit(txn); /* frees txn either way */
        if (rc != 0) {
            seen_warn("cannot publish records under epoch %u: %s", epoch,
                seen_strerror(rc));
            return;
        }
        if (st.records > 0) {
            seen_info("published %llu records again under epoch %u",
                (unsigned long long)st.records, epoch);
            if (n->fed != NULL && seen_fed_checkpoint_own(n->fed) != 0)
                seen_warn("cannot sign a checkpoint of the feed");
        }
    }
}

/*
 * Between reading the configuration and the keystore: log at the level
 * it sets, refuse a home others can read, and take the pid file, so that
 * a second daemon stops before it asks the keystore anything.
 */
static int
on_config(void *ctx, const struct seen_config *cfg)
{
    struct node *n = ctx;
    struct stat sb;

    seen_log_init("seen-node", cfg->log_level);
    if (stat(n->home, &sb) == 0 && (sb.st_mode & 077) != 0) {
        seen_warn("'%s' is readable by other users: chmod 700 it", n->home);
        return SEEN_EPERM;
    }
    return take_pidfile(n);
}

static int
open_node(struct node *n, const char *pass, size_t passlen)
{
    const struct seen_unlock_opts uo = {pass, passlen, 1, on_config, n};
    struct seen_unlock u;
    char path[SEEN_PATH_LEN], why[SEEN_PATH_LEN + 64];
    int rc;

    /* The libraries log each failure where they find it; a wrong
     * passphrase is said again in the words docs/operations.md lists. */
    if ((rc = seen_unlock_home(n->home, &uo, &u, why, sizeof why)) != 0) {
        if (rc == SEEN_EAUTH)
            seen_warn("%s", why);
        return rc;
    }
    /* The node owns the configuration, keys and store from here. */
    n->cfg = u.cfg;
    n->keys = u.keys;
    n->store = u.store;
    u.keys = NULL;
    u.store = NULL;
    if (n->cfg.check_on_start && (rc = seen_store_check(n->store)) != 0)
        return rc;
    if ((n->tk = seen_tokenizer_new(n->keys->match_key,
             n->keys->match_epoch)) == NULL)
        return SEEN_ENOMEM;
    if ((rc = seen_indexer_init(&n->ix, n->store, n->keys, n->tk)) != 0)
        return rc;
    if ((n->zctx = zmq_ctx_new()) == NULL)
        return SEEN_ERR;
    if ((rc = seen_fed_new(n->store, n->keys, n->zctx, n->cfg.listen,
             n->cfg.peers, on_adopt, n, &n->fed)) != 0)
        return rc;
    {
        uint8_t key[32];
        uint32_t epoch;

        if (seen_fed_match_key(n->fed, key, &epoch) == 0)
            on_adopt(n, key, epoch);
        sodium_memzero(key, sizeof key);
    }
    if ((rc = seen_fed_checkpoint_own(n->fed)) != 0)
        return rc;
    /* The partnership agreement (docs/operations.md): none means every
     * request is queued for the lead; a damaged one stops the node, so
     * that nobody runs for weeks believing the agreement is applied. */
    if (seen_home_path(n->home, "agreement.json", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    rc = seen_policy_load(path, &n->policy);
    if (rc == SEEN_ENOTFOUND)
        seen_notice("no partnership agreement (%s): every disclosure "
                    "request is queued for a lead", path);
    else if (rc != 0)
        return rc;
    else
        seen_info("partnership agreement '%s' version %llu: %zu rules",
            seen_policy_agreement(n->policy),
            (unsigned long long)seen_policy_version(n->policy),
            seen_policy_rules(n->policy));
    n->dis = (struct seen_disclosure){n->store, n->keys, n->fed, n->policy,
        n->cfg.name, n->cfg.type};
    seen_fed_set_handler(n->fed, seen_disclosure_on_message, &n->dis);
    n->mt = (struct seen_matcher){n->store, mt_type, mt_name, n, 0, 0};
    return bind_control(n);
}

/*
 * Sign a checkpoint of the whole exchange log before stopping, so that an
 * export of a stopped node is covered to its last leaf (a decision made
 * just before the stop, say).  Published with the next envelope after a
 * restart.  A node that refuses to sign (xlog.h) stays silent here.
 */
static void
checkpoint_on_exit(struct node *n)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    struct seen_txn *txn;
    int rc;

    if (seen_store_begin(n->store, 1, &txn) != 0)
        return;
    rc = seen_xlog_checkpoint(txn, n->keys, (uint64_t)time(NULL), &cp, buf);
    if (rc != 0)
        seen_store_abort(txn);
    else if ((rc = seen_store_commit(txn)) != 0)
        seen_warn("exchange log: cannot store the last checkpoint: %s",
            seen_strerror(rc));
}

static void
close_node(struct node *n)
{
    char path[SEEN_PATH_LEN];

    if (n->imp.open)
        import_close(n);
    if (n->store != NULL && n->keys != NULL)
        checkpoint_on_exit(n);
    if (n->ctl != NULL) {
        zmq_close(n->ctl);
        if (seen_home_path(n->home, "control.sock", path, sizeof path))
            unlink(path);
    }
    seen_fed_destroy(&n->fed);
    seen_policy_destroy(&n->policy);
    if (n->zctx != NULL)
        zmq_ctx_term(n->zctx);
    seen_store_destroy(&n->store);
    seen_tokenizer_destroy(&n->tk);
    seen_keys_destroy(&n->keys);
    if (n->pidfd >= 0)
        close(n->pidfd); /* releases the lock */
}

/**
 * seen_daemon_run(home, pass, passlen):
 * Run the node whose home is ${home} until SIGTERM, SIGINT or a "stop"
 * command: unlock its keystore with ${pass}, open its store, bind its
 * control socket, and serve.  ${pass} is not retained.  Returns 0 after a
 * clean stop; SEEN_EAUTH for a wrong passphrase; SEEN_EEXIST when a
 * daemon already runs on ${home}; another code when the node cannot
 * start (each logged).
 */
int
seen_daemon_run(const char *home, const char *pass, size_t passlen)
{
    struct sigaction sa;
    struct node n;
    double last_tick = 0;
    int rc, busy = 0;

    memset(&n, 0, sizeof n);
    n.home = home;
    n.pidfd = -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_fault;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if ((rc = open_node(&n, pass, passlen)) != 0) {
        close_node(&n);
        return rc;
    }
    n.started = n.last_expiry = time(NULL) - 3600;
    n.started += 3600;
    seen_info("node '%s' (%s, %s) running, pid %ld", n.cfg.name, n.cfg.type,
        n.cfg.local_authority, (long)getpid());
    while (!n.stopping && !got_signal) {
        zmq_pollitem_t pi[3];
        double t;

        pi[0] = (zmq_pollitem_t){n.ctl, 0, ZMQ_POLLIN, 0};
        seen_fed_pollitems(n.fed, pi + 1);
        /* An open import session holds the store's one write transaction
         * (per thread: LMDB would wait on itself), so replication waits
         * for it to end; peers' messages stay queued meanwhile. */
        rc = zmq_poll(pi, n.imp.open ? 1 : 3, busy ? 0 : 250);
        if (rc < 0 && zmq_errno() != EINTR) {
            seen_warn("poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (rc > 0 && (pi[0].revents & ZMQ_POLLIN)) {
            /* Serve everything queued before other work. */
            int more;
            size_t ml = sizeof more;

            do {
                serve_one(&n);
                more = 0;
                if (zmq_getsockopt(n.ctl, ZMQ_EVENTS, &more, &ml) != 0)
                    break;
            } while ((more & ZMQ_POLLIN) && !n.stopping);
        }
        if (!n.imp.open) {
            seen_fed_service(n.fed, pi + 1);
            /* Match what arrived, a bounded step at a time. */
            busy = seen_matcher_step(&n.mt, 500) > 0;
        }
        t = seen_clock_mono();
        if (t - last_tick >= 1.0) {
            last_tick = t;
            if (!n.imp.open)
                seen_fed_tick(n.fed);
            housekeeping(&n);
        }
    }
    seen_info("node '%s' stopping%s", n.cfg.name,
        n.imp.open ? ": an unfinished import is abandoned, nothing of it "
                     "stored"
                   : "");
    close_node(&n);
    return SEEN_OK;
}

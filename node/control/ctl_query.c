/*
 * ctl_query.c: the query command: the entries that match a person, the
 * persons they belong to (the picture), our own records' local details,
 * and the QUERY record of the exchange log that every query leaves, in
 * the same transaction: nothing is shown that is not logged.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "match/ident.h"
#include "match/normalise.h"
#include "match/prfbatch.h"
#include "match/tokens.h"
#include "node/control/ctl.h"
#include "node/disclosure/disclosure.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/matching/query.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define reply_error seen_ctl_reply_error
#define jstr seen_ctl_str

/* The node name of origin ${oidx}, for a member of the reply. */
static const char *
origin_name(struct seen_control *c, struct seen_txn *txn, uint32_t oidx,
    char *buf, size_t len)
{
    uint8_t pk[32];

    if (oidx == c->n.ix->own)
        return c->n.cfg->name;
    if (seen_store_origin_pk(txn, oidx, pk) != 0)
        return "unknown";
    return seen_fed_origin_name(c->n.fed, pk, buf, len);
}

/* The local details of one of our own entries, for the human picture. */
static json_t *
own_details(
    struct seen_control *c, struct seen_txn *txn, const uint8_t handle[16])
{
    Seen__LocalHandle *lh;
    char *body;
    size_t blen, i;
    json_t *rec, *people, *p, *out = NULL;

    /* A handle whose record is missing still says which record it was. */
    if (seen_indexer_own(c->n.store, txn, handle, &lh, &body, &blen) != 0 &&
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
                strcmp(json_string_value(json_object_get(p, "ref")), lh->ref) !=
                    0)
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
 * Give the member ${mm} of a person in the picture the band, weight and
 * reasons of the hit in ${hits} that it is, and, when it is one of our
 * own entries, its local details.
 */
static void
picture_member(
    struct seen_control *c, struct seen_txn *txn, json_t *mm, json_t *hits)
{
    const char *hh = json_string_value(json_object_get(mm, "handle"));
    uint8_t hb[16];
    json_t *hit, *local;
    size_t k;

    if (hh == NULL)
        return;
    json_array_foreach(hits, k, hit)
    {
        if (!json_equal(
                json_object_get(hit, "handle"), json_object_get(mm, "handle")))
            continue;
        json_object_set(mm, "band", json_object_get(hit, "band"));
        json_object_set(mm, "weight", json_object_get(hit, "weight"));
        json_object_set(mm, "why", json_object_get(hit, "why"));
    }
    if (strcmp(json_string_value(json_object_get(mm, "node")),
            c->n.cfg->name) == 0 &&
        sodium_hex2bin(hb, 16, hh, strlen(hh), NULL, NULL, NULL) == 0 &&
        (local = own_details(c, txn, hb)) != NULL)
        json_object_set_new(mm, "local", local);
}

/*
 * The persons behind the hits of a query: those of the hits in the match
 * band (or of the best hit, when none is), with every member, the people
 * linked through shared records, and for our own records the local
 * details; a member that was a hit carries its band and reasons.
 */
static json_t *
picture_of(struct seen_control *c, struct seen_txn *txn, const uint32_t *oidx,
    const uint8_t (*hs)[16], size_t nh, json_t *hits)
{
    json_t *persons, *p, *mm;
    size_t i, j;

    persons = seen_matcher_picture(c->n.mt, txn, oidx, hs, nh);
    if (persons == NULL)
        return json_array();
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, mm)
            picture_member(c, txn, mm, hits);
    }
    return persons;
}

/* The picture of the hits ${res} of a query (picture_of). */
static json_t *
picture(struct seen_control *c, struct seen_txn *txn,
    struct seen_query_result *res, json_t *hits)
{
    uint32_t *oidx;
    uint8_t(*hs)[16];
    size_t i, nh = 0;
    json_t *persons;

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
    persons = picture_of(c, txn, oidx, (const uint8_t(*)[16])hs, nh, hits);
    free(oidx);
    free(hs);
    return persons;
}

/*
 * The criteria of a query for its log record: a keyed BLAKE2b-256 (a
 * subkey of the node's data key) of the normalised criteria, in hex, so
 * that an auditor holding the node can tell two queries apart or
 * confirm a claimed one, while the log holds no name or identifier.
 */
void
ctl_query_criteria(struct seen_control *c, const struct seen_token_input *q,
    char out[static 65])
{
    char dob[16];
    const char *f[7];

    snprintf(dob, sizeof dob, "%ld", q->has_dob ? (long)q->dob : -1L);
    f[0] = q->given;
    f[1] = q->family;
    f[2] = dob;
    f[3] = q->nhs;
    f[4] = q->upn;
    f[5] = q->pnc;
    f[6] = q->postcode;
    ctl_query_digest(c, f, 7, out);
}

/**
 * ctl_query_digest(c, f, n, out):
 * Write to ${out} the keyed digest of the ${n} fields ${f} (NULL: empty)
 * of a look-up's criteria: 64 hex digits and a NUL.
 */
void
ctl_query_digest(
    struct seen_control *c, const char *const *f, size_t n, char out[static 65])
{
    crypto_generichash_state st;
    uint8_t key[32], h[32];
    size_t i;

    crypto_kdf_derive_from_key(
        key, sizeof key, 1, "seenqry_", c->n.keys->data_key);
    crypto_generichash_init(&st, key, sizeof key, sizeof h);
    for (i = 0; i < n; i++) {
        const char *v = f[i] ? f[i] : "";

        crypto_generichash_update(&st, (const uint8_t *)v, strlen(v) + 1);
    }
    crypto_generichash_final(&st, h, sizeof h);
    seen_hex_encode(out, h, sizeof h);
    sodium_memzero(key, sizeof key);
}

/* Add the handle in hex ${hh} to ${hs} (*${nh} of ${cap}) unless there. */
static void
add_handle(ProtobufCBinaryData *hs, uint8_t (*buf)[16], size_t *nh, size_t cap,
    const char *hh)
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

/**
 * ctl_query_log(c, txn, op, purpose, digest, members, persons):
 * Log the look-up of ${op} for ${purpose}, of criteria ${digest}, that
 * showed the "handle" of each object of ${members} and of each of the
 * "members" of each of ${persons}, as a QUERY record of the exchange log
 * inside ${txn}.  Returns 0 or an error of the log.
 */
int
ctl_query_log(struct seen_control *c, struct seen_txn *txn, const char *op,
    const char *purpose, const char *digest, json_t *members, json_t *persons,
    uint64_t *seq)
{
    Seen__QueryRecord qr = SEEN__QUERY_RECORD__INIT;
    ProtobufCBinaryData *hs;
    uint8_t(*buf)[16];
    size_t cap = json_array_size(members), i, j, nh = 0;
    json_t *p, *mm;
    int rc;

    json_array_foreach(persons, i, p) cap +=
        json_array_size(json_object_get(p, "members"));
    hs = calloc(cap ? cap : 1, sizeof *hs);
    buf = calloc(cap ? cap : 1, sizeof *buf);
    if (hs == NULL || buf == NULL) {
        free(hs);
        free(buf);
        return SEEN_ENOMEM;
    }
    json_array_foreach(members, i, mm) add_handle(
        hs, buf, &nh, cap, json_string_value(json_object_get(mm, "handle")));
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, mm) add_handle(hs,
            buf, &nh, cap, json_string_value(json_object_get(mm, "handle")));
    }
    qr.operator_ = (char *)op;
    qr.purpose = (char *)purpose;
    qr.time = (uint64_t)time(NULL);
    qr.n_handles_seen = nh;
    qr.handles_seen = hs;
    qr.criteria_digest = (char *)digest;
    rc = seen_xlog_query(txn, c->n.keys, &qr, seq);
    free(hs);
    free(buf);
    return rc;
}

/* The search criteria of a look-up, besides "person". */
static const char *const criteria[] = {
    "given", "family", "dob", "nhs", "upn", "pnc", "postcode"};

/* Check the purpose ${purpose} of a ${what}: NULL, or the refusal. */
static json_t *
purpose_check(const char *purpose, const char *what)
{

    /* cli.md: a look-up states its purpose, which is logged with it. */
    if (purpose == NULL)
        return reply_error("a %s needs --purpose TEXT: why you search "
                           "(it is logged for the auditors)",
            what);
    if (!seen_purpose_valid(purpose))
        return reply_error("--purpose: 3 to 500 characters of text on one "
                           "line, not only spaces");
    return NULL;
}

/**
 * ctl_query_input(req, in, what):
 * Read the person ("person") or the criteria, and the purpose, of the
 * look-up ${req} (a ${what}: "query", "chronology") into ${in}.  Returns
 * NULL, or the refusal.
 */
json_t *
ctl_query_input(json_t *req, struct ctl_query_in *in, const char *what)
{
    const char *s, *purpose = jstr(req, "purpose");
    int32_t dob;
    size_t i;
    int t;

    memset(in, 0, sizeof *in);
    in->what = what;
    in->op = jstr(req, "operator");
    if ((in->person = jstr(req, "person")) != NULL) {
        for (i = 0; i < sizeof criteria / sizeof criteria[0]; i++)
            if (json_object_get(req, criteria[i]) != NULL)
                return reply_error("give --person or search criteria, not "
                                   "both");
        return purpose_check(purpose, what);
    }
    in->q.given = jstr(req, "given");
    in->q.family = jstr(req, "family");
    if ((s = jstr(req, "dob")) != NULL) {
        if (seen_date_parse(s, &dob) != 0)
            return reply_error("--dob: not a date (YYYY-MM-DD): '%s'", s);
        in->q.has_dob = 1;
        in->q.dob = dob;
    }
    if ((s = jstr(req, "nhs")) != NULL) {
        if (seen_nhs_check(s, in->nhs, &t) != 0)
            return reply_error("--nhs: not a valid NHS number");
        in->q.nhs = in->nhs;
    }
    in->q.upn = jstr(req, "upn");
    in->q.pnc = jstr(req, "pnc");
    if ((s = jstr(req, "postcode")) != NULL) {
        if (seen_postcode_norm(s, in->pc, in->dist) != 0)
            return reply_error("--postcode: not a UK postcode: '%s'", s);
        in->q.postcode = in->pc;
        in->q.district = in->dist;
    }
    return purpose_check(purpose, what);
}

/**
 * ctl_query_person(c, txn, pid, oidx, handle, digest, logged):
 * Find the person ${pid} of a look-up in ${txn}: one of its entries,
 * *${oidx} and ${handle}, and the digest of the look-up's criteria (of
 * "person:P") in ${digest}.  Returns NULL, or the refusal, with
 * *${logged} 0 when ${pid} is no person id (nothing to log) and 1 when
 * the look-up is to be logged all the same (no such person).
 */
json_t *
ctl_query_person(struct seen_control *c, struct seen_txn *txn, const char *pid,
    uint32_t *oidx, uint8_t handle[static 16], char digest[static 65],
    int *logged)
{
    char crit[32];
    const char *f[1] = {crit};
    int rc;

    *logged = 1;
    snprintf(crit, sizeof crit, "person:%.20s", pid);
    ctl_query_digest(c, f, 1, digest);
    rc = seen_matcher_find_person(c->n.mt, txn, pid, oidx, handle);
    if (rc == SEEN_EINVAL) {
        *logged = 0;
        return reply_error("--person: not a person id (P and 16 hex "
                           "digits, as `seen persons` prints): '%s'",
            pid);
    }
    if (rc == SEEN_ENOTFOUND)
        return reply_error("no person %s at this node (see `seen persons` "
                           "or `seen query`)",
            pid);
    if (rc != 0)
        return reply_error("cannot read the store: %s", seen_strerror(rc));
    return NULL;
}

/* One hit of a query as a member of the reply. */
static json_t *
hit_member(struct seen_control *c, struct seen_txn *txn,
    const struct seen_query_hit *h)
{
    char date[11], hh[33], on[64], eb[3][64];
    json_t *m, *why, *local;
    size_t j;

    seen_hex_encode(hh, h->handle, 16);
    seen_date_format((int32_t)h->date, date);
    why = json_array();
    for (j = 0; j < h->score.nwhy; j++)
        json_array_append_new(why, json_string(h->score.why[j]));
    m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o}", "node",
        origin_name(c, txn, h->oidx, on, sizeof on), "handle", hh, "role",
        seen_enum_name(&seen__role__descriptor, h->role, eb[0]), "kind",
        seen_enum_name(&seen__kind__descriptor, h->kind, eb[1]), "date", date,
        "local_authority", h->local_authority, "risk",
        h->risk ? seen_enum_name(&seen__risk__descriptor, h->risk, eb[2]) : "",
        "band", seen_band_name(h->score.band), "weight", h->score.weight, "why",
        why);
    if (h->risk == 0)
        json_object_del(m, "risk");
    if (h->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT)
        json_object_set_new(m, "child_present", json_true());
    if (h->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE)
        json_object_set_new(m, "child_voice_recorded", json_true());
    if (h->oidx == c->n.ix->own &&
        (local = own_details(c, txn, h->handle)) != NULL)
        json_object_set_new(m, "local", local);
    return m;
}

/* The reply to a query whose members and persons were logged. */
static json_t *
query_reply(json_t *members, json_t *persons, size_t candidates)
{
    const char *s = json_string_value(
        json_object_get(json_array_get(persons, 0), "person"));
    char p[24];

    snprintf(p, sizeof p, "%s", s != NULL ? s : "");
    return json_pack("{s:b, s:s, s:o, s:o, s:I}", "ok", 1, "person", p,
        "members", members, "persons", persons, "candidates",
        (json_int_t)candidates);
}

/* The tokens of the criteria ${in} in ${c}'s epoch into ${qt}: in an OPRF
 * epoch through the custodians.  Returns NULL, or the refusal. */
static json_t *
query_tokens(struct seen_control *c, const struct ctl_query_in *in,
    struct seen_query_tokens *qt)
{
    struct seen_indexer *ix = c->n.ix;
    struct seen_prfbatch *import_batch = NULL, *own = NULL;
    unsigned int nbits = 0;
    int rc;

    /* A batch of the look-up's own, so that an import session open
     * meanwhile keeps what its custodians evaluated (ctl_import.c). */
    if (ix != NULL && ix->batch != NULL) {
        if ((own = seen_prfbatch_new()) == NULL)
            return reply_error("cannot make the %s's tokens: %s", in->what,
                seen_strerror(SEEN_ENOMEM));
        import_batch = ix->batch;
        ix->batch = own;
    }
    if ((rc = seen_indexer_batch_person(ix, &in->q)) == 0 &&
        (rc = seen_indexer_batch_fill(ix, in->what, in->op)) == 0)
        rc = seen_indexer_person_tokens(ix, &in->q, qt->tokens, &qt->ntokens,
            qt->bloom, &nbits);
    if (own != NULL) {
        ix->batch = import_batch;
        seen_prfbatch_destroy(&own); /* wipes what it held */
    }
    qt->has_bloom = nbits > 0;
    if (rc == SEEN_EPERM)
        return reply_error("the key custodians refused the %s's tokens: "
                           "its limits are reached (see 'seen alerts')",
            in->what);
    if (rc == SEEN_ETIMEDOUT)
        return reply_error("too few key custodians answered to make the "
                           "%s's tokens: try again, or ask the node's "
                           "administrator ('seen custodians check')",
            in->what);
    if (rc != 0)
        return reply_error("cannot make the %s's tokens: %s", in->what,
            seen_strerror(rc));
    return NULL;
}

/**
 * ctl_query_run(c, txn, in, res):
 * Run the search of ${in} (its criteria) in ${txn}: its hits in *${res},
 * which the caller releases (also on a refusal).  In an OPRF epoch the
 * custodians evaluate the tokens of the criteria first, told the
 * operator and what the look-up is.  Returns NULL, or the refusal.
 */
json_t *
ctl_query_run(struct seen_control *c, struct seen_txn *txn,
    const struct ctl_query_in *in, struct seen_query_result *res)
{
    struct seen_query_tokens qt;
    json_t *r;
    int rc;

    memset(res, 0, sizeof *res);
    if ((r = query_tokens(c, in, &qt)) != NULL)
        return r;
    rc = seen_query_run_tokens(txn, &qt, res);
    sodium_memzero(&qt, sizeof qt);
    if (rc == SEEN_EINVAL)
        return reply_error("too little to search on: give an identifier, "
                           "or a family name with a date of birth, or a "
                           "given and a family name");
    if (rc != 0)
        return reply_error("query failed: %s", seen_strerror(rc));
    return NULL;
}

/*
 * Search for the look-up ${in} in ${txn}: the hits in *${res} (released
 * by the caller, also on a refusal), as members in *${members}, and
 * their persons in *${persons}.  Returns NULL, or the refusal.
 */
static json_t *
search(struct seen_control *c, struct seen_txn *txn, struct ctl_query_in *in,
    struct seen_query_result *res, json_t **members, json_t **persons)
{
    json_t *r;
    size_t i;

    if ((r = ctl_query_run(c, txn, in, res)) != NULL)
        return r;
    *members = json_array();
    for (i = 0; i < res->n; i++)
        json_array_append_new(*members, hit_member(c, txn, &res->hits[i]));
    *persons = picture(c, txn, res, *members);
    return NULL;
}

/*
 * query: the dispatcher has opened the write transaction (every query is
 * logged; an open import holds the one there is) and authorised the
 * operator to query.
 */
json_t *
ctl_query(struct seen_control *c, struct ctl_call *call)
{
    struct ctl_query_in in;
    struct seen_query_result res = {0};
    struct seen_txn *txn = call->txn;
    const char *op = jstr(call->req, "operator");
    char digest[65];
    json_t *members = NULL, *persons = NULL, *r, *refusal = NULL;
    uint32_t oidx;
    uint8_t handle[16];
    uint64_t seq = 0;
    int rc, logged = 1;

    if ((r = ctl_query_input(call->req, &in, "query")) != NULL)
        return r;
    if (in.person != NULL) {
        refusal =
            ctl_query_person(c, txn, in.person, &oidx, handle, digest, &logged);
        members = json_array();
        persons = refusal != NULL
                      ? json_array()
                      : picture_of(c, txn, &oidx, (const uint8_t(*)[16])handle,
                            1, members);
    } else if ((refusal = search(c, txn, &in, &res, &members, &persons)) ==
               NULL)
        ctl_query_criteria(c, &in.q, digest);
    else
        logged = 0;
    /* Nothing is shown that is not logged.  The transaction ends here. */
    if (logged) {
        call->txn = NULL;
        if ((rc = ctl_query_log(c, txn, op, jstr(call->req, "purpose"), digest,
                 members, persons, &seq)) != 0)
            seen_store_abort(txn);
        else if ((rc = seen_store_commit(txn)) == 0)
            /* The holders are told once the log holds the look-up. */
            (void)seen_notice_send(c->n.dis, op, jstr(call->req, "purpose"),
                "query", seq, members, persons);
        if (rc != 0) {
            seen_error("cannot log a query: %s", seen_strerror(rc));
            if (refusal == NULL)
                refusal = reply_error("the query could not be logged, so "
                                      "it is not shown: %s",
                    seen_strerror(rc));
        }
    }
    if (refusal != NULL) {
        json_decref(members);
        json_decref(persons);
        seen_query_release(&res);
        return refusal;
    }
    r = query_reply(members, persons, res.candidates);
    seen_query_release(&res);
    return r;
}

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "match/normalise.h"
#include "node/disclosure/disclosure.h"
#include "node/disclosure/guard.h"
#include "node/disclosure/state.h"
#include "node/matching/indexer.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "proto/membership.h"
#include "proto/policy.h"
#include "storage/operators.h"
#include "storage/index.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"


/* ---- small helpers ---- */

#define fail seen_ctl_reply_error
#define jstr seen_ctl_str

#define NOT_FEDERATED                                                        \
    "this node is not in a federation yet: install a membership document "  \
    "first"

static Seen__Basis
basis_from_name(const char *s)
{
    char up[64];
    const ProtobufCEnumValue *ev;
    size_t i;

    if (s == NULL || !seen_policy_basis_valid(s) || strlen(s) >= sizeof up)
        return SEEN__BASIS__BASIS_UNSPECIFIED;
    for (i = 0; s[i] != '\0'; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[i] = '\0';
    ev = protobuf_c_enum_descriptor_get_value_by_name(
        &seen__basis__descriptor, up);
    return ev != NULL ? (Seen__Basis)ev->value
                      : SEEN__BASIS__BASIS_UNSPECIFIED;
}

static const char *
basis_name(Seen__Basis b, char buf[static 64])
{

    return b != SEEN__BASIS__BASIS_UNSPECIFIED
        ? seen_enum_name(&seen__basis__descriptor, (int)b, buf)
        : "unknown";
}

/* What `seen disclosures` and `seen inbox` call an outcome. */
static const char *
outcome_name(Seen__Outcome o)
{

    switch (o) {
    case SEEN__OUTCOME__SHARED:
        return "shared";
    case SEEN__OUTCOME__WITHHELD:
        return "withheld";
    case SEEN__OUTCOME__QUEUED:
        return "queued";
    case SEEN__OUTCOME__REFUSED:
        return "refused";
    default:
        return "pending";
    }
}

static int
final(Seen__Outcome o)
{

    return o == SEEN__OUTCOME__SHARED || o == SEEN__OUTCOME__WITHHELD ||
        o == SEEN__OUTCOME__REFUSED;
}

/* The member ${pk}, or NULL (also without a federation). */
static const Seen__Member *
member(struct seen_disclosure *d, const uint8_t *pk)
{

    return d->fed != NULL ? seen_fed_member(d->fed, pk) : NULL;
}

/* A name for the node ${pk}, for messages. */
static const char *
who(struct seen_disclosure *d, const uint8_t *pk, char *buf, size_t len)
{

    if (d->fed != NULL)
        return seen_fed_origin_name(d->fed, pk, buf, len);
    sodium_bin2hex(buf, len, pk, len / 2 > 32 ? 32 : (len - 1) / 2);
    return buf;
}

/* ---- sealing ---- */

/**
 * seen_disclosure_seal(content, clen, curve_pk, out, olen):
 * seen_disclosure_open(sealed, slen, curve_pk, curve_sk, out, olen):
 * crypto_box_seal of ${clen} bytes to ${curve_pk}, and its opening with
 * the key pair.  *${out} is malloc'd (*${olen} bytes; the caller frees).
 * Return 0; SEEN_EAUTH when the box does not open with that key pair
 * (also when too short); SEEN_ENOMEM.
 */
int
seen_disclosure_seal(const uint8_t *content, size_t clen,
    const uint8_t curve_pk[static 32], uint8_t **out, size_t *olen)
{

    *out = NULL;
    *olen = 0;
    if ((*out = malloc(clen + crypto_box_SEALBYTES)) == NULL)
        return SEEN_ENOMEM;
    if (crypto_box_seal(*out, content, clen, curve_pk) != 0) {
        free(*out);
        *out = NULL;
        return SEEN_EINVAL; /* a key that is not a valid point */
    }
    *olen = clen + crypto_box_SEALBYTES;
    return SEEN_OK;
}

/* seen_disclosure_open(): documented with seen_disclosure_seal() above. */
int
seen_disclosure_open(const uint8_t *sealed, size_t slen,
    const uint8_t curve_pk[static 32], const uint8_t curve_sk[static 32],
    uint8_t **out, size_t *olen)
{

    *out = NULL;
    *olen = 0;
    if (slen < crypto_box_SEALBYTES)
        return SEEN_EAUTH;
    if ((*out = malloc(slen - crypto_box_SEALBYTES + 1)) == NULL)
        return SEEN_ENOMEM;
    if (crypto_box_seal_open(*out, sealed, slen, curve_pk, curve_sk) != 0) {
        free(*out);
        *out = NULL;
        return SEEN_EAUTH;
    }
    *olen = slen - crypto_box_SEALBYTES;
    return SEEN_OK;
}

/* ---- what is shared ---- */

/* Copy the members of ${from} named in ${keys} that are present. */
static void
copy_fields(json_t *to, json_t *from, const char *const *keys)
{
    json_t *v;
    size_t i;

    for (i = 0; keys[i] != NULL; i++)
        if ((v = json_object_get(from, keys[i])) != NULL && !json_is_null(v))
            json_object_set(to, keys[i], v);
}

/**
 * seen_disclosure_details(record_json, len, ref, holder, out):
 * Build what is shared about person ${ref} of the stored record body
 * ${record_json} (${len} bytes, the record as imported): a JSON object
 * {"holder": ${holder} (borrowed object, may be NULL), "record": {...},
 * "person": {...}, "others_in_record": [ROLE, ...]}.  For unit tests and
 * the holder.  Returns 0 and a new reference in *${out}; SEEN_ENOTFOUND
 * when the record has no person ${ref}; SEEN_ECORRUPT when the body is not
 * a record; SEEN_ENOMEM.
 */
int
seen_disclosure_details(const char *record_json, size_t len, const char *ref,
    json_t *holder, json_t **out)
{
    static const char *const rec_fields[] = {"kind", "date",
        "local_authority", "risk", "child_present", "child_voice",
        "child_voice_not_captured", "dvds", "summary", NULL};
    static const char *const person_fields[] = {"role", "given_name",
        "family_name", "other_names", "date_of_birth", "expected_due_date",
        "sex", "nhs_number", "upn", "pnc_id", "postcode", "address", NULL};
    json_t *rec, *people, *p, *r, *pe, *others, *found = NULL;
    size_t i;
    int rc = SEEN_ENOTFOUND;

    *out = NULL;
    rec = json_loadb(record_json, len, 0, NULL);
    people = json_object_get(rec, "people");
    if (!json_is_object(rec) || !json_is_array(people) ||
        !json_is_string(json_object_get(rec, "id"))) {
        json_decref(rec);
        return SEEN_ECORRUPT;
    }
    r = json_object();
    pe = json_object();
    others = json_array();
    *out = json_object();
    if (r == NULL || pe == NULL || others == NULL || *out == NULL) {
        rc = SEEN_ENOMEM;
        goto out;
    }
    json_array_foreach(people, i, p)
    {
        const char *pr = json_string_value(json_object_get(p, "ref"));

        if (found == NULL && pr != NULL && strcmp(pr, ref) == 0)
            found = p;
        else if (json_is_string(json_object_get(p, "role")))
            json_array_append(others, json_object_get(p, "role"));
    }
    if (found == NULL)
        goto out;
    json_object_set(r, "reference", json_object_get(rec, "id"));
    copy_fields(r, rec, rec_fields);
    copy_fields(pe, found, person_fields);
    if (holder != NULL)
        json_object_set(*out, "holder", holder);
    json_object_set(*out, "record", r);
    json_object_set(*out, "person", pe);
    json_object_set(*out, "others_in_record", others);
    rc = SEEN_OK;
out:
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(r);
    json_decref(pe);
    json_decref(others);
    json_decref(rec);
    return rc;
}

/* ---- the holder ---- */

static json_t *
holder_json(struct seen_disclosure *d)
{
    const Seen__Member *m =
        member(d, d->keys->sign_pk);

    return json_pack("{s:s, s:s, s:s, s:s}", "node", d->node, "agency",
        m && m->agency ? m->agency : "", "type", d->type, "local_authority",
        m && m->local_authority ? m->local_authority : "");
}

/* The details of ${handle} to share, as JSON text in *${out} (malloc'd). */
static int
details_text(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t handle[16], char **out)
{
    Seen__LocalHandle *lh;
    json_t *j, *holder;
    char *body;
    size_t blen;
    int rc;

    *out = NULL;
    if ((rc = seen_indexer_own(d->store, txn, handle, &lh, &body, &blen)) !=
        0) {
        if (lh != NULL)
            seen__local_handle__free_unpacked(lh, NULL);
        return rc;
    }
    holder = holder_json(d);
    rc = seen_disclosure_details(body, blen, lh->ref, holder, &j);
    json_decref(holder);
    sodium_memzero(body, blen);
    free(body);
    seen__local_handle__free_unpacked(lh, NULL);
    if (rc != 0)
        return rc;
    *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return *out != NULL ? SEEN_OK : SEEN_ENOMEM;
}

/* Queue the answer that ${st} (a received request) holds. */
static int
send_answer(struct seen_disclosure *d, const Seen__DisclosureState *st)
{
    Seen__DisclosureContent c = SEEN__DISCLOSURE_CONTENT__INIT;
    Seen__DisclosureResponse r = SEEN__DISCLOSURE_RESPONSE__INIT;
    const Seen__Member *m;
    uint8_t *plain, *sealed = NULL, *buf;
    size_t plen, slen = 0, len;
    int rc;

    if (d->fed == NULL ||
        (m = member(d, st->peer.data)) == NULL ||
        m->curve_pk.len != 32)
        return SEEN_ENOTFOUND;
    c.request_id = st->request_id;
    c.handle = st->handle;
    c.decided_by = st->decided_by;
    c.reason = st->reason;
    c.review = st->review;
    if (st->outcome == SEEN__OUTCOME__SHARED)
        c.details = st->details;
    plen = seen__disclosure_content__get_packed_size(&c);
    if ((plain = malloc(plen ? plen : 1)) == NULL)
        return SEEN_ENOMEM;
    seen__disclosure_content__pack(&c, plain);
    rc = seen_disclosure_seal(plain, plen, m->curve_pk.data, &sealed, &slen);
    sodium_memzero(plain, plen);
    free(plain);
    if (rc != 0)
        return rc;
    r.request_id = st->request_id;
    r.outcome = st->outcome;
    r.decided = st->decided;
    r.sealed.data = sealed;
    r.sealed.len = slen;
    len = seen__disclosure_response__get_packed_size(&r);
    if ((buf = malloc(len)) == NULL) {
        free(sealed);
        return SEEN_ENOMEM;
    }
    seen__disclosure_response__pack(&r, buf);
    rc = seen_fed_send(d->fed, st->peer.data,
        SEEN__MSG_TYPE__DISCLOSURE_RESPONSE, buf, len);
    free(buf);
    free(sealed);
    return rc;
}

/* Log the decision ${st} holds (a received request) as an XLOG_DECISION. */
static int
log_decision(struct seen_disclosure *d, struct seen_txn *txn,
    const Seen__DisclosureState *st)
{
    Seen__DecisionRecord dr = SEEN__DECISION_RECORD__INIT;

    dr.operator_ = st->decided_by;
    dr.request_id = st->request_id;
    dr.shared = st->outcome == SEEN__OUTCOME__SHARED;
    dr.reason = st->reason;
    dr.review = st->review;
    dr.time = st->decided;
    return seen_xlog_decision(txn, d->keys, &dr, st->peer.data, NULL);
}

/* Refuse the new request ${st} at ${now} for the reason ${why}, logged. */
static int
refuse(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, uint64_t now, const char *why)
{
    int rc;

    st->outcome = SEEN__OUTCOME__REFUSED;
    st->decided = now;
    if ((rc = dis_set_str(&st->decided_by, "node")) != 0 ||
        (rc = dis_set_str(&st->reason, why)) != 0)
        return rc;
    return log_decision(d, txn, st);
}

/* Queue the new request ${st} for the lead, saying why (${share}: the
 * agreement would have shared it but for the hourly limit).  Returns 0,
 * SEEN_EAGAIN when the lead's queue is full, or an error. */
static int
queue(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, int share)
{
    char why[256];
    int rc;

    if ((rc = dis_guard_queue(d, txn, st->peer.data)) != 0)
        return rc;
    if (!st->matched)
        snprintf(why, sizeof why, "found by a query of the requesting node "
            "(leaf %llu of its exchange log), not by a match this node "
            "can check: waiting for the holding agency's safeguarding lead",
            (unsigned long long)st->query_seq);
    else if (share)
        snprintf(why, sizeof why, "the agreement shares at most %d "
            "requests of one node an hour: waiting for the holding "
            "agency's safeguarding lead", SEEN_DISCLOSURE_AUTO_PER_HOUR);
    else
        snprintf(why, sizeof why,
            "waiting for the holding agency's safeguarding lead");
    st->outcome = SEEN__OUTCOME__QUEUED;
    return dis_set_str(&st->reason, why);
}

/* Share the new request ${st} at ${now} by rule ${rule}, logged. */
static int
share_now(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, uint64_t now, int rule)
{
    char reason[SEEN_POLICY_NAME_MAX + 64];
    int rc;

    st->outcome = SEEN__OUTCOME__SHARED;
    st->decided = now;
    snprintf(reason, sizeof reason, "partnership agreement '%s' version "
        "%llu, rule %d", seen_policy_agreement(d->policy),
        (unsigned long long)seen_policy_version(d->policy), rule);
    if ((rc = dis_set_str(&st->decided_by, "policy")) != 0 ||
        (rc = dis_set_str(&st->reason, reason)) != 0)
        return rc;
    free(st->details != protobuf_c_empty_string ? st->details : NULL);
    st->details = NULL;
    if ((rc = details_text(d, txn, st->handle.data, &st->details)) != 0)
        return rc;
    return log_decision(d, txn, st);
}

/*
 * Decide a new request ${st} (its request fields set) on its arrival:
 * refused without a reason on record or for no entry here; shared at once
 * only when this node's matcher links it to the requester's entry, the
 * agreement says so and the requester has not had its automatic shares
 * of the hour; otherwise queued for the lead.  Returns 0; SEEN_EAGAIN
 * when it is not to be taken now (nothing stored or answered); an error.
 */
static int
decide_arrival(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, uint64_t now)
{
    const Seen__Member *m = member(d, st->peer.data);
    Seen__LocalHandle *lh;
    json_t *rec = NULL, *p;
    char *body, bb[64];
    const char *kind = NULL, *role = NULL, *rtype, *why;
    size_t blen, i;
    int32_t date;
    int rc, rule = -1, share;

    if ((rc = dis_guard_check(d, txn, st, st->peer.data, &why)) != 0)
        return rc == SEEN_EPERM ? refuse(d, txn, st, now, why) : rc;
    rc = seen_indexer_own(d->store, txn, st->handle.data, &lh, &body, &blen);
    if (rc != 0 && lh != NULL) {
        seen__local_handle__free_unpacked(lh, NULL);
        lh = NULL;
    }
    if (rc == SEEN_ENOTFOUND)
        return refuse(d, txn, st, now, "no such entry here: it was "
                      "retracted, or this node never published it");
    if (rc != 0)
        return rc;
    rec = json_loadb(body, blen, 0, NULL);
    sodium_memzero(body, blen);
    free(body);
    kind = json_string_value(json_object_get(rec, "kind"));
    json_array_foreach(json_object_get(rec, "people"), i, p)
    {
        if (json_is_string(json_object_get(p, "ref")) &&
            strcmp(json_string_value(json_object_get(p, "ref")), lh->ref) ==
                0)
            role = json_string_value(json_object_get(p, "role"));
    }
    if ((rc = dis_set_str(&st->kind, kind)) != 0 ||
        (rc = dis_set_str(&st->role, role)) != 0)
        goto out;
    if (seen_date_parse(json_string_value(json_object_get(rec, "date")),
            &date) == 0)
        st->date = (uint32_t)date;
    rtype = m != NULL ? seen_membership_type_name(m->type) : NULL;
    share = seen_policy_decide(d->policy, d->type, rtype, kind, role,
                basis_name(st->basis, bb), &rule) == SEEN_POLICY_SHARE;
    /* A burst is never answered by the agreement alone. */
    if (share && st->matched && dis_guard_automatic(d, st->peer.data, now))
        rc = share_now(d, txn, st, now, rule);
    else
        rc = queue(d, txn, st, share);
    st->rule = rule;
out:
    json_decref(rec);
    seen__local_handle__free_unpacked(lh, NULL);
    return rc;
}

static int
on_request(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__DisclosureRequest *rq;
    Seen__DisclosureState *st = NULL;
    Seen__DisclosureState fresh = SEEN__DISCLOSURE_STATE__INIT;
    uint8_t key[KEY_MAX], peer[32];
    size_t klen;
    uint64_t now = (uint64_t)time(NULL);
    int rc;

    rq = seen__disclosure_request__unpack(NULL, blen, body);
    if (rq == NULL || rq->request_id.len != 16 || rq->handle.len != 16 ||
        rq->operator_ == NULL || rq->operator_[0] == '\0' ||
        strlen(rq->operator_) > SEEN_OPERATOR_NAME_MAX ||
        !seen_purpose_valid(rq->purpose) ||
        rq->basis < SEEN__BASIS__DUTY_TO_SHARE ||
        rq->basis > SEEN__BASIS__CONSENT ||
        (rq->match.len != 0 && rq->match.len != 16) ||
        (rq->query_leaf.len != 0 && rq->query_leaf.len != 32)) {
        if (rq != NULL)
            seen__disclosure_request__free_unpacked(rq, NULL);
        return SEEN_EINVAL;
    }
    dis_recv_key(key, from, rq->request_id.data, &klen);
    rc = dis_state_get(txn, key, klen, &st);
    if (rc == 0) {
        /* Asked again: the same answer again. */
        rc = send_answer(d, st);
        seen__disclosure_state__free_unpacked(st, NULL);
        seen__disclosure_request__free_unpacked(rq, NULL);
        return rc == SEEN_ENOTFOUND ? SEEN_EPERM : rc;
    }
    /* A new request: over the requester's hourly limit, it is refused
     * without an answer (the requester sends it again later). */
    if (rc == SEEN_ENOTFOUND && dis_guard_rate(d, from, now) != 0)
        rc = SEEN_EPERM;
    if (rc != SEEN_ENOTFOUND) {
        seen__disclosure_request__free_unpacked(rq, NULL);
        return rc;
    }
    memcpy(peer, from, 32);
    fresh.request_id = rq->request_id;
    fresh.peer.data = peer;
    fresh.peer.len = 32;
    fresh.handle = rq->handle;
    fresh.requested = rq->time;
    fresh.basis = rq->basis;
    fresh.last_sent = now;
    fresh.match = rq->match;
    fresh.query_leaf = rq->query_leaf;
    fresh.query_seq = rq->query_seq;
    /* A decoded copy, so that dis_set_str() may replace its strings. */
    {
        size_t len = seen__disclosure_state__get_packed_size(&fresh);
        uint8_t *b = malloc(len ? len : 1);

        if (b == NULL) {
            seen__disclosure_request__free_unpacked(rq, NULL);
            return SEEN_ENOMEM;
        }
        seen__disclosure_state__pack(&fresh, b);
        st = seen__disclosure_state__unpack(NULL, len, b);
        free(b);
    }
    if (st == NULL || dis_set_str(&st->operator_, rq->operator_) != 0 ||
        dis_set_str(&st->purpose, rq->purpose) != 0) {
        seen__disclosure_state__free_unpacked(st, NULL);
        seen__disclosure_request__free_unpacked(rq, NULL);
        return SEEN_ENOMEM;
    }
    seen__disclosure_request__free_unpacked(rq, NULL);
    if ((rc = decide_arrival(d, txn, st, now)) == 0 &&
        (rc = dis_state_put(txn, key, klen, st)) == 0) {
        char idh[33], fb[16];

        dis_guard_take(d, from, now, st->outcome == SEEN__OUTCOME__SHARED);

        seen_hex_encode(idh, st->request_id.data, 16);
        seen_warn("disclosure request %s from %s: %s", idh,
            who(d, from, fb, sizeof fb),
            outcome_name(st->outcome));
        rc = send_answer(d, st);
        if (rc == SEEN_ENOTFOUND)
            rc = SEEN_EPERM;
    }
    if (rc == SEEN_EAGAIN) /* not taken now: counted where found */
        rc = SEEN_EPERM;
    seen__disclosure_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- the requester ---- */

static int
on_response(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__DisclosureResponse *r;
    Seen__DisclosureContent *c = NULL;
    Seen__DisclosureState *st = NULL;
    uint8_t key[KEY_MAX], *plain = NULL;
    size_t klen, plen = 0;
    char idh[33], fb[16];
    json_t *j;
    int rc;

    r = seen__disclosure_response__unpack(NULL, blen, body);
    if (r == NULL || r->request_id.len != 16 ||
        r->outcome < SEEN__OUTCOME__SHARED ||
        r->outcome > SEEN__OUTCOME__REFUSED) {
        if (r != NULL)
            seen__disclosure_response__free_unpacked(r, NULL);
        return SEEN_EINVAL;
    }
    seen_hex_encode(idh, r->request_id.data, 16);
    dis_sent_key(key, r->request_id.data, &klen);
    if ((rc = dis_state_get(txn, key, klen, &st)) != 0) {
        if (rc == SEEN_ENOTFOUND) {
            dis_guard_unsolicited(d, idh, who(d, from, fb, sizeof fb));
            rc = SEEN_EPERM;
        }
        goto out;
    }
    if (st->peer.len != 32 || memcmp(st->peer.data, from, 32) != 0) {
        dis_guard_unsolicited(d, idh, who(d, from, fb, sizeof fb));
        rc = SEEN_EPERM;
        goto out;
    }
    if (final(st->outcome)) /* answered already: a repeat */
        goto out;
    if (seen_disclosure_open(r->sealed.data, r->sealed.len, d->keys->curve_pk,
            d->keys->curve_sk, &plain, &plen) != 0 ||
        (c = seen__disclosure_content__unpack(NULL, plen, plain)) == NULL ||
        c->request_id.len != 16 ||
        memcmp(c->request_id.data, r->request_id.data, 16) != 0 ||
        c->handle.len != 16 || st->handle.len != 16 ||
        memcmp(c->handle.data, st->handle.data, 16) != 0) {
        if (dis_guard_said(++d->counts.bad_answers))
            seen_error("disclosures: the sealed answer to request %s does "
                      "not open for this node or is not its answer: "
                      "refused (%llu so far)", idh,
                (unsigned long long)d->counts.bad_answers);
        rc = SEEN_EPERM;
        goto out;
    }
    if (r->outcome == SEEN__OUTCOME__SHARED) {
        j = json_loads(c->details, 0, NULL);
        if (!json_is_object(j)) {
            json_decref(j);
            rc = SEEN_EPERM;
            if (dis_guard_said(++d->counts.bad_answers))
                seen_error("disclosures: the details shared for request %s "
                          "are not a JSON object: refused (%llu so far)",
                    idh, (unsigned long long)d->counts.bad_answers);
            goto out;
        }
        json_decref(j);
    }
    st->outcome = r->outcome;
    st->decided = r->decided;
    if ((rc = dis_set_str(&st->decided_by, c->decided_by)) != 0 ||
        (rc = dis_set_str(&st->reason, c->reason)) != 0 ||
        (rc = dis_set_str(&st->review, c->review)) != 0 ||
        (rc = dis_set_str(&st->details,
             r->outcome == SEEN__OUTCOME__SHARED ? c->details : "")) != 0 ||
        (rc = dis_state_put(txn, key, klen, st)) != 0)
        goto out;
    seen_warn("disclosure request %s: %s by %s", idh,
        outcome_name(st->outcome),
        who(d, from, fb, sizeof fb));
out:
    if (plain != NULL) {
        sodium_memzero(plain, plen);
        free(plain);
    }
    if (c != NULL)
        seen__disclosure_content__free_unpacked(c, NULL);
    if (st != NULL)
        seen__disclosure_state__free_unpacked(st, NULL);
    seen__disclosure_response__free_unpacked(r, NULL);
    return rc;
}

/**
 * seen_disclosure_on_message(d, txn, from, type, body, blen):
 * Apply a DISCLOSURE_REQUEST, DISCLOSURE_RESPONSE or LOOKUP_NOTICE
 * (seen_notice_on_message) ${type} envelope body
 * (${blen} bytes) from the active member ${from}, already accepted and
 * logged, inside ${txn}.  A request is answered at once (queued, shared
 * or refused) through seen_fed_send(); a response updates the request it
 * answers.  Returns 0; SEEN_EINVAL for a malformed body; SEEN_EPERM for a
 * response from a node that was not asked, or whose sealed part does not
 * open for this node or does not belong to the request, and for a new
 * request not taken now (over the requester's limits, its queue full, or
 * naming an entry this node has not matched yet: protocol.md §10), each
 * counted in d->counts, said per burst, and counted by the caller as
 * refused (the caller undoes the message: nothing is stored); SEEN_EFULL, SEEN_ERR, SEEN_ENOMEM, SEEN_ECORRUPT
 * (abort ${txn}).  A signature of seen_fed_msg_fn (node/replication/federation.h),
 * with ${d} as its context.
 */
int
seen_disclosure_on_message(void *ctx, struct seen_txn *txn,
    const uint8_t from[static 32], int type, const uint8_t *body,
    size_t blen)
{
    struct seen_disclosure *d = ctx;

    if (type == SEEN__MSG_TYPE__DISCLOSURE_REQUEST)
        return on_request(d, txn, from, body, blen);
    if (type == SEEN__MSG_TYPE__DISCLOSURE_RESPONSE)
        return on_response(d, txn, from, body, blen);
    if (type == SEEN__MSG_TYPE__LOOKUP_NOTICE)
        return seen_notice_on_message(d, txn, from, body, blen);
    if (type == SEEN__MSG_TYPE__LOOKUP_ACK)
        return seen_notice_on_ack(d, txn, from, body, blen);
    return SEEN_EINVAL;
}

/* Queue the request ${st} (one this node sent) to its holder. */
static int
send_request(struct seen_disclosure *d, const Seen__DisclosureState *st)
{
    Seen__DisclosureRequest rq = SEEN__DISCLOSURE_REQUEST__INIT;
    uint8_t buf[2048];
    size_t len;

    rq.request_id = st->request_id;
    rq.handle = st->handle;
    rq.operator_ = st->operator_;
    rq.purpose = st->purpose;
    rq.basis = st->basis;
    rq.time = st->requested;
    rq.match = st->match;
    rq.query_leaf = st->query_leaf;
    rq.query_seq = st->query_seq;
    if ((len = seen__disclosure_request__get_packed_size(&rq)) > sizeof buf)
        return SEEN_EINVAL;
    seen__disclosure_request__pack(&rq, buf);
    return seen_fed_send(d->fed, st->peer.data,
        SEEN__MSG_TYPE__DISCLOSURE_REQUEST, buf, len);
}

/* ---- control commands ---- */

/* Commit ${*txnp}, which is gone afterwards whatever happens. */
static int
commit(struct seen_txn **txnp)
{
    struct seen_txn *txn = *txnp;

    *txnp = NULL;
    return seen_store_commit(txn);
}

/**
 * seen_disclosure_request(d, txnp, req):
 * The "request" control command: store a request for the details behind
 * entry "handle" of node "node", asked by "operator" (already authorised
 * in the write transaction *${txnp}) for "purpose" under "basis", and
 * send it.  Returns {"ok": true, "request": HEX32} or {"ok": false,
 * "error": TEXT} (a new reference; NULL when memory runs out).  Commits
 * *${txnp} and sets it to NULL once the request is stored; otherwise the
 * caller aborts it.  Sends go out before it returns (seen_fed_flush).
 */
json_t *
seen_disclosure_request(struct seen_disclosure *d, struct seen_txn **txnp,
    json_t *req)
{
    struct seen_txn *txn = *txnp;
    Seen__DisclosureState st = SEEN__DISCLOSURE_STATE__INIT;
    const char *hh = jstr(req, "handle"), *node = jstr(req, "node");
    const char *purpose = jstr(req, "purpose"), *basis = jstr(req, "basis");
    const char *op = jstr(req, "operator");
    const Seen__Member *m;
    uint8_t handle[16], id[16], key[KEY_MAX], peer[32], rbuf[48];
    size_t klen;
    uint64_t seq;
    uint32_t idx;
    char idh[33];
    int rc;

    if (d->fed == NULL)
        return fail(NOT_FEDERATED);
    if (seen_hex_decode(handle, 16, hh) != 0)
        return fail("--handle: 32 hex digits, as `seen query` or "
                    "`seen persons` show");
    if (node == NULL)
        return fail("--node: which node holds the entry?");
    if (purpose == NULL)
        return fail("a request needs --purpose TEXT: why you ask (it is "
                    "logged by both nodes)");
    if (!seen_purpose_valid(purpose))
        return fail("--purpose: 3 to 500 characters of text on one line, "
                    "not only spaces");
    if (basis == NULL || basis_from_name(basis) == 0)
        return fail("--basis: one of duty_to_share, public_task, "
                    "safeguarding_children, legal_obligation, consent");
    if ((m = seen_fed_member_named(d->fed, node)) == NULL)
        return fail("no member '%s' in the federation", node);
    if (!seen_membership_active(m))
        return fail("'%s' is not an active member of the federation", node);
    if (m->sign_pk.len != 32 || memcmp(m->sign_pk.data, d->keys->sign_pk,
                                    32) == 0)
        return fail("'%s' is this node: see `seen handles` for its own "
                    "records", node);
    memcpy(peer, m->sign_pk.data, 32);
    /* The entry must be one of that node's that we hold. */
    rc = seen_store_origin(txn, peer, 0, &idx);
    if (rc == 0)
        rc = seen_index_seq(txn, idx, handle, &seq);
    if (rc == SEEN_ENOTFOUND)
        return fail("this node holds no entry %s from '%s' (retracted, or "
                    "another node's: see `seen query`)", hh, node);
    if (rc == 0)
        rc = dis_guard_reason(d, txn, peer, handle, &st, rbuf);
    if (rc == SEEN_ENOTFOUND)
        return fail("no reason on record for entry %s: no entry of this "
                    "node is linked to it and no query here showed it "
                    "(`seen query --purpose TEXT` for the person first)", hh);
    if (rc != 0)
        return fail("cannot read the store: %s", seen_strerror(rc));
    seen_random_buf(id, sizeof id);
    st.request_id.data = id;
    st.request_id.len = 16;
    st.peer.data = peer;
    st.peer.len = 32;
    st.handle.data = handle;
    st.handle.len = 16;
    st.operator_ = (char *)op;
    st.purpose = (char *)purpose;
    st.basis = basis_from_name(basis);
    st.requested = (uint64_t)time(NULL);
    st.last_sent = st.requested;
    dis_sent_key(key, id, &klen);
    if ((rc = dis_state_put(txn, key, klen, &st)) != 0)
        return fail("cannot store the request: %s", seen_strerror(rc));
    if ((rc = commit(txnp)) != 0)
        return fail("cannot store the request: %s", seen_strerror(rc));
    if ((rc = send_request(d, &st)) != 0)
        seen_error("disclosures: request not queued now (%s); sent again "
                  "later", seen_strerror(rc));
    d->next_due = 0; /* seen_disclosure_tick() works out when */
    seen_fed_flush(d->fed);
    seen_hex_encode(idh, id, 16);
    seen_warn("disclosure request %s to %s by %s", idh, node, op);
    return json_pack("{s:b, s:s}", "ok", 1, "request", idh);
}

/* Add the reason on record of ${st} to its ${row}: the requester's entry
 * that matched ("match", and whether this node, holding it, found the
 * link: "matched") and the query that showed the entry ("query_seq",
 * "query_leaf"). */
static void
reason_fields(json_t *row, const Seen__DisclosureState *st, int received)
{
    char h[65];

    if (st->match.len == 16) {
        seen_hex_encode(h, st->match.data, 16);
        json_object_set_new(row, "match", json_string(h));
    }
    if (received)
        json_object_set_new(row, "matched", json_boolean(st->matched));
    if (st->query_leaf.len == 32) {
        seen_hex_encode(h, st->query_leaf.data, 32);
        json_object_set_new(row, "query_seq",
            json_integer((json_int_t)st->query_seq));
        json_object_set_new(row, "query_leaf", json_string(h));
    }
}

/* One state as a row of `seen inbox` (received) or `seen disclosures`. */
static json_t *
state_row(struct seen_disclosure *d, const Seen__DisclosureState *st,
    int received)
{
    char idh[33], hh[33], date[SEEN_DATE_BYTES], bb[64], fb[16];
    const Seen__Member *m =
        st->peer.len == 32 ? member(d, st->peer.data) : NULL;
    json_t *row, *det;

    seen_hex_encode(idh, st->request_id.data, st->request_id.len == 16 ? 16 : 0);
    seen_hex_encode(hh, st->handle.data, st->handle.len == 16 ? 16 : 0);
    row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "request", idh,
        received ? "from" : "node",
        m ? m->name
          : who(d, st->peer.data, fb, sizeof fb),
        "handle", hh, "operator", st->operator_, "purpose", st->purpose,
        "requested", (json_int_t)st->requested, "basis",
        basis_name(st->basis, bb));
    if (row == NULL)
        return NULL;
    json_object_set_new(row, "status", json_string(outcome_name(st->outcome)));
    if (m != NULL) {
        json_object_set_new(row, "agency", json_string(m->agency));
        json_object_set_new(row, "type",
            json_string(seen_membership_type_name(m->type)));
    }
    if (received) {
        json_object_set_new(row, "kind", json_string(st->kind));
        json_object_set_new(row, "role", json_string(st->role));
        if (st->date != 0) {
            seen_date_format((int32_t)st->date, date);
            json_object_set_new(row, "date", json_string(date));
        }
        if (st->rule >= 0 && st->outcome == SEEN__OUTCOME__SHARED)
            json_object_set_new(row, "rule", json_integer(st->rule));
    }
    reason_fields(row, st, received);
    if (final(st->outcome)) {
        json_object_set_new(row, "decided", json_integer((json_int_t)
                                                st->decided));
        json_object_set_new(row, "decided_by", json_string(st->decided_by));
    }
    if (st->reason != NULL && st->reason[0] != '\0')
        json_object_set_new(row, "reason", json_string(st->reason));
    if (st->review != NULL && st->review[0] != '\0')
        json_object_set_new(row, "review", json_string(st->review));
    if (st->outcome == SEEN__OUTCOME__SHARED && st->details != NULL &&
        (det = json_loads(st->details, 0, NULL)) != NULL)
        json_object_set_new(row, "details", det);
    return row;
}

/**
 * seen_disclosure_list(d, txn, received, all, data, dlen):
 * The "inbox" (${received}: the requests received, those waiting for a
 * decision or, with ${all}, every one) and "disclosures" (the requests
 * sent, with their answers) control commands, read through ${txn}: on
 * success *${data} is the NDJSON rows of docs/protocol.md §10 (malloc'd,
 * *${dlen} bytes; the caller frees) and the reply {"ok": true}; else
 * {"ok": false, "error": TEXT}.  Returns a new reference, or NULL when
 * memory runs out.
 */
json_t *
seen_disclosure_list(struct seen_disclosure *d, struct seen_txn *txn,
    int received, int all, char **data, size_t *dlen)
{
    struct seen_ctl_rows r = {0};
    struct dis_keys ks;
    Seen__DisclosureState *st;
    json_t *row;
    size_t i;
    int rc;

    if ((rc = dis_keys_of(txn, received ? KEY_RECV : KEY_SENT, &ks)) != 0) {
        dis_keys_free(&ks);
        return fail("cannot read the store: %s", seen_strerror(rc));
    }
    for (i = 0; i < ks.n; i++) {
        if ((rc = dis_state_get(txn, ks.k[i], ks.kl[i], &st)) != 0)
            break;
        if (!received || all || st->outcome == SEEN__OUTCOME__QUEUED) {
            rc = seen_ctl_rows_add(&r, row = state_row(d, st, received));
            json_decref(row);
        }
        seen__disclosure_state__free_unpacked(st, NULL);
        if (rc != 0)
            break;
    }
    dis_keys_free(&ks);
    /* With --all, the look-up notices kept too (notice.c). */
    if (rc == 0 && received && all)
        rc = seen_notice_rows(d, txn, &r);
    if (rc != 0) {
        free(r.p);
        return fail("cannot list requests: %s", seen_strerror(rc));
    }
    *data = r.p != NULL ? r.p : strdup("");
    *dlen = r.len;
    return json_pack("{s:b}", "ok", 1);
}

/* Find the received request whose id is ${id} or starts with it. */
static int
find_received(struct seen_txn *txn, const char *id, uint8_t key[KEY_MAX],
    size_t *klen)
{
    struct dis_keys ks;
    char h[33];
    size_t i, n = strlen(id), found = 0;
    int rc;

    if (n < 8 || n > 32)
        return SEEN_EINVAL;
    for (i = 0; i < n; i++)
        if (!isxdigit((unsigned char)id[i]))
            return SEEN_EINVAL;
    if ((rc = dis_keys_of(txn, KEY_RECV, &ks)) != 0) {
        dis_keys_free(&ks);
        return rc;
    }
    for (i = 0; i < ks.n; i++) {
        if (ks.kl[i] != 49)
            continue;
        seen_hex_encode(h, ks.k[i] + 33, 16);
        if (strncasecmp(h, id, n) == 0) {
            if (found++ == 0) {
                memcpy(key, ks.k[i], 49);
                *klen = 49;
            }
        }
    }
    dis_keys_free(&ks);
    return found == 1 ? SEEN_OK : found == 0 ? SEEN_ENOTFOUND : SEEN_EEXIST;
}

/* Check the fields of a "decide" request: NULL, or the refusal. */
static json_t *
decide_args(json_t *req)
{
    const char *id = jstr(req, "request"), *reason = jstr(req, "reason");
    const char *review = jstr(req, "review");
    int share = json_is_true(json_object_get(req, "share"));
    int32_t rv;

    if (id == NULL)
        return fail("which request? (its id, as `seen inbox` shows)");
    if (!json_is_boolean(json_object_get(req, "share")))
        return fail("--share or --withhold?");
    if (!share && reason == NULL)
        return fail("--withhold needs --reason TEXT: why sharing would do "
                    "more harm than good (it is logged, and the requester "
                    "is told)");
    if (reason != NULL && !seen_purpose_valid(reason))
        return fail("--reason: 3 to 500 characters of text on one line, not "
                    "only spaces");
    if (review != NULL) {
        if (share)
            return fail("--review is for a withholding");
        if (seen_date_parse(review, &rv) != 0)
            return fail("--review: not a date (YYYY-MM-DD): '%s'", review);
        if ((int64_t)rv * 86400 < (int64_t)time(NULL) - 86400)
            return fail("--review: %s is in the past", review);
    }
    return NULL;
}

/**
 * seen_disclosure_decide(d, txnp, req):
 * The "decide" control command: record the decision of "operator"
 * (already authorised in the write transaction *${txnp}) on the received
 * request "request" (its id, or a unique prefix of 8 or more hex digits):
 * "share" true, or false with a "reason" and maybe a "review" date; log
 * it and tell the requester.  Returns {"ok": true, "request": HEX32,
 * "outcome": "shared"|"withheld"} or {"ok": false, "error": TEXT} (a new
 * reference; NULL when memory runs out).  Commits *${txnp} and sets it
 * to NULL once the decision is stored; otherwise the caller aborts it.
 * Sends go out before it returns (seen_fed_flush).
 */
json_t *
seen_disclosure_decide(struct seen_disclosure *d, struct seen_txn **txnp,
    json_t *req)
{
    struct seen_txn *txn = *txnp;
    const char *id = jstr(req, "request"), *reason = jstr(req, "reason");
    const char *review = jstr(req, "review"), *op = jstr(req, "operator");
    int share = json_is_true(json_object_get(req, "share"));
    Seen__DisclosureState *st;
    const Seen__Member *m;
    uint8_t key[KEY_MAX];
    char idh[33], fb[16];
    json_t *e;
    size_t klen;
    int rc;

    if (d->fed == NULL)
        return fail(NOT_FEDERATED);
    if ((e = decide_args(req)) != NULL)
        return e;
    rc = find_received(txn, id, key, &klen);
    if (rc == SEEN_EINVAL)
        return fail("'%s' is not a request id (8 to 32 hex digits)", id);
    if (rc == SEEN_ENOTFOUND)
        return fail("no request '%s' received (see `seen inbox`)", id);
    if (rc == SEEN_EEXIST)
        return fail("'%s' names more than one request: give more digits", id);
    if (rc != 0 || (rc = dis_state_get(txn, key, klen, &st)) != 0)
        return fail("cannot read the store: %s", seen_strerror(rc));
    seen_hex_encode(idh, st->request_id.data, 16);
    if (st->outcome != SEEN__OUTCOME__QUEUED) {
        e = fail("request %s was decided already: %s by %s", idh,
            outcome_name(st->outcome), st->decided_by);
        seen__disclosure_state__free_unpacked(st, NULL);
        return e;
    }
    m = member(d, st->peer.data);
    if (share && (m == NULL || !seen_membership_active(m))) {
        seen__disclosure_state__free_unpacked(st, NULL);
        return fail("the requesting node %s is no longer an active member "
                    "of the federation: nothing can be shared with it",
            who(d, key + 1, fb, sizeof fb));
    }
    st->outcome = share ? SEEN__OUTCOME__SHARED : SEEN__OUTCOME__WITHHELD;
    st->decided = (uint64_t)time(NULL);
    if ((rc = dis_set_str(&st->decided_by, op)) != 0 ||
        (rc = dis_set_str(&st->reason, reason)) != 0 ||
        (rc = dis_set_str(&st->review, review)) != 0)
        goto err;
    if (share) {
        free(st->details != protobuf_c_empty_string ? st->details : NULL);
        st->details = NULL;
        rc = details_text(d, txn, st->handle.data, &st->details);
        if (rc == SEEN_ENOTFOUND) {
            seen__disclosure_state__free_unpacked(st, NULL);
            return fail("the entry of request %s has been retracted since: "
                        "there is nothing to share; withhold it with a "
                        "reason", idh);
        }
        if (rc != 0)
            goto err;
    }
    if ((rc = log_decision(d, txn, st)) != 0 ||
        (rc = dis_state_put(txn, key, klen, st)) != 0)
        goto err;
    if ((rc = commit(txnp)) != 0) {
        seen__disclosure_state__free_unpacked(st, NULL);
        return fail("the decision could not be recorded: %s",
            seen_strerror(rc));
    }
    dis_guard_room(d);
    /* Committed: the requester is told now, or when it asks again. */
    if (m != NULL && (rc = send_answer(d, st)) != 0)
        seen_error("disclosures: answer to %s not sent now (%s); sent when "
                  "the requester asks again", idh, seen_strerror(rc));
    seen_fed_flush(d->fed);
    seen_warn("disclosure request %s %s by %s", idh,
        outcome_name(st->outcome), op);
    e = json_pack("{s:b, s:s, s:s}", "ok", 1, "request", idh, "outcome",
        outcome_name(st->outcome));
    seen__disclosure_state__free_unpacked(st, NULL);
    return e;
err:
    seen__disclosure_state__free_unpacked(st, NULL);
    return fail("the decision could not be recorded: %s", seen_strerror(rc));
}

/**
 * seen_disclosure_tick(d, now):
 * Send again every request sent without a final answer whose last sending
 * is SEEN_DISCLOSURE_RETRY (or, queued, SEEN_DISCLOSURE_RETRY_QUEUED)
 * seconds before ${now}, and every look-up notice due (seen_notice_tick);
 * set d->next_due.  Never call it in a write txn.
 * Returns the number sent again, or a negative SEEN_E* code (logged).
 */
int
seen_disclosure_tick(struct seen_disclosure *d, uint64_t now)
{
    Seen__DisclosureState *st;
    struct seen_txn *txn;
    struct dis_keys ks;
    size_t i;
    uint64_t wait, next = UINT64_MAX;
    int rc, n = 0;

    d->next_due = now + SEEN_DISCLOSURE_RETRY; /* after an error */
    if (d->fed == NULL)
        return 0;
    if ((rc = seen_store_begin(d->store, 1, &txn)) != 0)
        return rc;
    if ((rc = dis_keys_of(txn, KEY_SENT, &ks)) != 0)
        goto out;
    for (i = 0; i < ks.n; i++) {
        if ((rc = dis_state_get(txn, ks.k[i], ks.kl[i], &st)) != 0)
            break;
        wait = st->outcome == SEEN__OUTCOME__QUEUED
            ? SEEN_DISCLOSURE_RETRY_QUEUED
            : SEEN_DISCLOSURE_RETRY;
        if (!final(st->outcome) && st->last_sent + wait <= now) {
            st->last_sent = now;
            if ((rc = dis_state_put(txn, ks.k[i], ks.kl[i], st)) == 0 &&
                send_request(d, st) == 0)
                n++;
        }
        if (!final(st->outcome) && st->last_sent + wait < next)
            next = st->last_sent + wait;
        seen__disclosure_state__free_unpacked(st, NULL);
        if (rc != 0)
            break;
    }
out:
    dis_keys_free(&ks);
    /* The look-up notices not acknowledged yet (notice.c). */
    if (rc == 0 && (rc = seen_notice_tick(d, txn, now, &next)) >= 0) {
        n += rc;
        rc = 0;
    }
    if (rc == 0)
        rc = seen_store_commit(txn);
    else
        seen_store_abort(txn);
    if (rc != 0) {
        seen_error("disclosures: cannot send requests again: %s",
            seen_strerror(rc));
        return rc;
    }
    d->next_due = next;
    if (n > 0)
        seen_fed_flush(d->fed);
    return n;
}

/*
 * notice.c: look-up notices (disclosure.h; docs/protocol.md section 10,
 * "Look-up notices").  The holder of an entry that a lead's look-up at
 * another node showed is told so, as CP-IS tells the owning authority
 * when its child-protection flag is viewed: both exchange logs hold the
 * envelope (it carries content), and the holder keeps the notice for its
 * leads and auditors (`seen inbox --all`).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/log.h"
#include "node/disclosure/disclosure.h"
#include "node/disclosure/state.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/membership.h"
#include "storage/store.h"
#include "seen.pb-c.h"

#define NOTICE_HANDLES_MAX 256 /* handles in one notice */
#define NOTICE_TEXT_MAX 1024   /* bytes of operator or purpose */
#define NOTICE_KEY 17          /* 'L' received(8) random(8) */
#define SEEN_NOTICE_KEEP (7 * 86400) /* s a notice is sent again, at most */

/* The handles shown of one holder, while a notice is built. */
struct holder {
    const char *name;
    uint8_t h[NOTICE_HANDLES_MAX][16];
    size_t n;
};

/* The holders of the entries shown, while notices are built. */
struct holders {
    struct holder *h;
    size_t n, cap;
};

/* Note the shown entry ${m} ({"node", "handle"}) under its holder in
 * ${hs}, unless it is this node's. */
static void
note(struct seen_disclosure *d, json_t *m, struct holders *hs)
{
    const char *node = json_string_value(json_object_get(m, "node"));
    const char *hex = json_string_value(json_object_get(m, "handle"));
    struct holder *p;
    uint8_t h[16];
    size_t i, k;

    if (node == NULL || hex == NULL || strcmp(node, d->node) == 0 ||
        strlen(hex) != 32 || seen_hex_decode(h, 16, hex) != 0)
        return;
    for (i = 0; i < hs->n && strcmp(hs->h[i].name, node) != 0; i++)
        ;
    if (i == hs->n) {
        if (hs->n == hs->cap) {
            size_t cap = hs->cap ? hs->cap * 2 : 4;

            if ((p = realloc(hs->h, cap * sizeof *p)) == NULL)
                return;
            hs->h = p;
            hs->cap = cap;
        }
        hs->h[i].name = node;
        hs->h[i].n = 0;
        hs->n++;
    }
    p = &hs->h[i];
    for (k = 0; k < p->n; k++)
        if (memcmp(p->h[k], h, 16) == 0)
            return;
    if (p->n < NOTICE_HANDLES_MAX)
        memcpy(p->h[p->n++], h, 16);
}

/* The key of the pending notice ${id}: 'N' id(16). */
static void
pending_key(uint8_t k[17], const uint8_t id[16])
{

    k[0] = KEY_NOTICE_PENDING;
    memcpy(k + 1, id, 16);
}

/* Store the pending notice ${pn} under ${id}, in ${txn}. */
static int
pending_put(struct seen_txn *txn, const uint8_t id[16],
    const Seen__PendingNotice *pn)
{
    uint8_t k[17], *buf;
    size_t len = seen__pending_notice__get_packed_size(pn);
    int rc;

    if ((buf = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    seen__pending_notice__pack(pn, buf);
    pending_key(k, id);
    rc = seen_store_sealed_put(
        txn, SEEN_DB_DISCLOSURES, k, sizeof k, k, sizeof k, buf, len);
    free(buf);
    return rc;
}

/* Keep the notice of ${hd} as pending and queue it to its holder, in
 * ${txn}.  Returns 1 when queued, 0 when not (said), or an error. */
static int
send_one(struct seen_disclosure *d, struct seen_txn *txn,
    const struct holder *hd, const char *op, const char *purpose,
    const char *what, uint64_t query_seq, uint64_t now)
{
    Seen__LookupNotice ln = SEEN__LOOKUP_NOTICE__INIT;
    Seen__PendingNotice pn = SEEN__PENDING_NOTICE__INIT;
    ProtobufCBinaryData hv[NOTICE_HANDLES_MAX];
    const Seen__Member *m = seen_fed_member_named(d->fed, hd->name);
    uint8_t id[16], *buf;
    size_t i, len;
    int rc;

    if (m == NULL || !seen_membership_active(m) || m->sign_pk.len != 32)
        return 0;
    for (i = 0; i < hd->n; i++)
        hv[i] = (ProtobufCBinaryData){16, (uint8_t *)hd->h[i]};
    randombytes_buf(id, sizeof id);
    ln.n_handles = hd->n;
    ln.handles = hv;
    ln.operator_ = (char *)op;
    ln.purpose = (char *)purpose;
    ln.time = now;
    ln.what = (char *)what;
    ln.query_seq = query_seq;
    ln.notice_id = (ProtobufCBinaryData){16, id};
    len = seen__lookup_notice__get_packed_size(&ln);
    if ((buf = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    seen__lookup_notice__pack(&ln, buf);
    pn.to = m->sign_pk;
    pn.body = (ProtobufCBinaryData){len, buf};
    pn.first_sent = now;
    pn.last_sent = now;
    rc = pending_put(txn, id, &pn);
    if (rc == 0 && seen_fed_send(d->fed, m->sign_pk.data,
                       SEEN__MSG_TYPE__LOOKUP_NOTICE, buf, len) != 0)
        seen_warn("a look-up notice to '%s' waits: it is sent again",
            hd->name);
    free(buf);
    return rc == 0 ? 1 : rc;
}

/**
 * seen_notice_send(d, op, purpose, what, query_seq, members, persons):
 * Tell each other member whose entries a committed look-up showed; see
 * disclosure.h.
 */
size_t
seen_notice_send(struct seen_disclosure *d, const char *op,
    const char *purpose, const char *what, uint64_t query_seq,
    json_t *members, json_t *persons)
{
    struct holders hs = {NULL, 0, 0};
    uint64_t now = (uint64_t)time(NULL);
    struct seen_txn *txn;
    size_t i, j, sent = 0;
    json_t *m, *p;
    int rc;

    if (d == NULL || d->fed == NULL || op == NULL || purpose == NULL)
        return 0;
    json_array_foreach(members, i, m) note(d, m, &hs);
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, m)
            note(d, m, &hs);
    }
    if (hs.n > 0 && seen_store_begin(d->store, 1, &txn) == 0) {
        for (i = 0, rc = 0; i < hs.n && rc >= 0; i++)
            if ((rc = send_one(d, txn, &hs.h[i], op, purpose, what,
                     query_seq, now)) > 0)
                sent++;
        if (rc < 0)
            seen_store_abort(txn);
        else
            rc = seen_store_commit(txn);
        if (rc < 0) {
            sent = 0;
            seen_error("look-up notices could not be kept to send: %s",
                seen_strerror(rc));
        }
    }
    free(hs.h);
    if (sent > 0) {
        d->counts.notices_sent += sent;
        if (d->next_due > now + SEEN_DISCLOSURE_RETRY)
            d->next_due = now + SEEN_DISCLOSURE_RETRY;
        seen_fed_flush(d->fed);
    }
    return sent;
}

/* 1 when the notice ${ln}'s fields are within the protocol's bounds. */
static int
well_formed(const Seen__LookupNotice *ln)
{
    size_t i;

    if (ln->n_handles == 0 || ln->n_handles > NOTICE_HANDLES_MAX ||
        ln->operator_ == NULL || ln->operator_[0] == '\0' ||
        strlen(ln->operator_) > NOTICE_TEXT_MAX || ln->purpose == NULL ||
        ln->purpose[0] == '\0' || strlen(ln->purpose) > NOTICE_TEXT_MAX ||
        ln->what == NULL ||
        (strcmp(ln->what, "query") != 0 && strcmp(ln->what, "chronology")) ||
        ln->notice_id.len != 16)
        return 0;
    for (i = 0; i < ln->n_handles; i++)
        if (ln->handles[i].len != 16)
            return 0;
    return 1;
}

/* Move to the front of ${ln}'s handles those that are this node's own
 * entries, and count only them (the rest stay behind, to be freed). */
static int
keep_own(struct seen_txn *txn, Seen__LookupNotice *ln)
{
    ProtobufCBinaryData tmp;
    const void *v;
    size_t i, k = 0, vlen;
    int rc;

    for (i = 0; i < ln->n_handles; i++) {
        rc = seen_store_get(txn, SEEN_DB_HANDLES, ln->handles[i].data, 16, &v,
            &vlen);
        if (rc == SEEN_ENOTFOUND)
            continue;
        if (rc != 0)
            return rc;
        /* Swapped, not copied: free_unpacked frees each once. */
        tmp = ln->handles[k];
        ln->handles[k++] = ln->handles[i];
        ln->handles[i] = tmp;
    }
    ln->n_handles = k;
    return SEEN_OK;
}

/* Acknowledge the notice ${id} to ${from} (queued; sent after the round). */
static void
ack(struct seen_disclosure *d, const uint8_t from[32],
    const ProtobufCBinaryData *id)
{
    Seen__LookupAck a = SEEN__LOOKUP_ACK__INIT;
    uint8_t buf[32];

    if (d->fed == NULL || id->len != 16)
        return;
    a.notice_id = *id;
    /* One not queued is asked for again: the notice comes again. */
    if (seen_fed_send(d->fed, from, SEEN__MSG_TYPE__LOOKUP_ACK, buf,
            seen__lookup_ack__pack(&a, buf)) != 0)
        seen_warn("a look-up notice's acknowledgement was not queued");
}

/* The key marking the notice ${id} of ${from} as kept: 'l' from(32)
 * id(16), so that one sent again is kept once. */
static void
seen_key(uint8_t k[49], const uint8_t from[32], const uint8_t id[16])
{

    k[0] = KEY_NOTICE_SEEN;
    memcpy(k + 1, from, 32);
    memcpy(k + 33, id, 16);
}

/* Keep the notice ${ln} (its own handles only) from ${from}. */
static int
keep(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[32], Seen__LookupNotice *ln)
{
    Seen__NoticeState ns = SEEN__NOTICE_STATE__INIT;
    uint8_t key[NOTICE_KEY], *buf;
    size_t len;
    int rc;

    ns.from = (ProtobufCBinaryData){32, (uint8_t *)from};
    ns.notice = ln;
    ns.received = (uint64_t)time(NULL);
    len = seen__notice_state__get_packed_size(&ns);
    if ((buf = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    seen__notice_state__pack(&ns, buf);
    key[0] = KEY_NOTICE_KEPT;
    seen_be64(key + 1, ns.received);
    randombytes_buf(key + 9, 8);
    rc = seen_store_sealed_put(txn, SEEN_DB_DISCLOSURES, key, sizeof key, key,
        sizeof key, buf, len);
    free(buf);
    if (rc == 0)
        d->counts.notices_received++;
    return rc;
}

/**
 * seen_notice_on_message(d, txn, from, body, blen):
 * Keep a LOOKUP_NOTICE received, once, and acknowledge it; see
 * disclosure.h.
 */
int
seen_notice_on_message(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[static 32], const uint8_t *body, size_t blen)
{
    Seen__LookupNotice *ln;
    uint8_t sk[49];
    const void *v;
    size_t n_all, vlen;
    int rc;

    if ((ln = seen__lookup_notice__unpack(NULL, blen, body)) == NULL ||
        !well_formed(ln)) {
        seen__lookup_notice__free_unpacked(ln, NULL);
        d->counts.notices_refused++;
        return SEEN_EINVAL;
    }
    n_all = ln->n_handles;
    seen_key(sk, from, ln->notice_id.data);
    rc = seen_store_get(txn, SEEN_DB_DISCLOSURES, sk, sizeof sk, &v, &vlen);
    if (rc == 0)
        goto acked; /* kept when it first came */
    if (rc != SEEN_ENOTFOUND || (rc = keep_own(txn, ln)) != 0)
        goto done;
    if (ln->n_handles == 0) {
        d->counts.notices_refused++; /* none of ours: nothing kept */
        goto acked;
    }
    if ((rc = keep(d, txn, from, ln)) != 0 ||
        (rc = seen_store_put(txn, SEEN_DB_DISCLOSURES, sk, sizeof sk, "", 0)) !=
            0)
        goto done;
    seen_info("a look-up notice: %zu of this node's entries shown by a %s "
              "at another node%s",
        ln->n_handles, ln->what,
        ln->n_handles < n_all ? " (others named are not this node's)" : "");
acked:
    rc = SEEN_OK;
    ack(d, from, &ln->notice_id);
done:
    /* The handles kept point into the unpacked message: free it whole. */
    ln->n_handles = n_all;
    seen__lookup_notice__free_unpacked(ln, NULL);
    return rc;
}

/**
 * seen_notice_on_ack(d, txn, from, body, blen):
 * The holder ${from} has the notice a LOOKUP_ACK names: it is sent no
 * more; see disclosure.h.
 */
int
seen_notice_on_ack(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[static 32], const uint8_t *body, size_t blen)
{
    Seen__LookupAck *a;
    Seen__PendingNotice *pn = NULL;
    uint8_t k[17], *v = NULL;
    size_t vlen;
    int rc;

    (void)d;
    if ((a = seen__lookup_ack__unpack(NULL, blen, body)) == NULL ||
        a->notice_id.len != 16) {
        seen__lookup_ack__free_unpacked(a, NULL);
        return SEEN_EINVAL;
    }
    pending_key(k, a->notice_id.data);
    seen__lookup_ack__free_unpacked(a, NULL);
    rc = seen_store_sealed_get(
        txn, SEEN_DB_DISCLOSURES, k, sizeof k, k, sizeof k, &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK; /* acknowledged already */
    if (rc != 0)
        return rc;
    pn = seen__pending_notice__unpack(NULL, vlen, v);
    free(v);
    /* Only the holder it was sent to acknowledges it. */
    if (pn == NULL || pn->to.len != 32 || memcmp(pn->to.data, from, 32) != 0)
        rc = SEEN_EPERM;
    else
        rc = seen_store_del(txn, SEEN_DB_DISCLOSURES, k, sizeof k, NULL, 0);
    seen__pending_notice__free_unpacked(pn, NULL);
    return rc;
}

/* The seconds to wait before sending a notice sent ${tries} times again:
 * SEEN_DISCLOSURE_RETRY, doubled each time, at most an hour. */
static uint64_t
backoff(uint32_t tries)
{

    uint64_t w = tries >= 8 ? 3600 : (uint64_t)SEEN_DISCLOSURE_RETRY << tries;

    return w > 3600 ? 3600 : w;
}

/* Send the pending notice at ${k} again when due at ${now} (or drop it
 * after SEEN_NOTICE_KEEP seconds); lower *${next} to when it is next due.
 * Returns 1 when sent, 0 when not, or an error. */
static int
tick_one(struct seen_disclosure *d, struct seen_txn *txn, const uint8_t k[17],
    uint64_t now, uint64_t *next)
{
    Seen__PendingNotice *pn;
    uint8_t *v;
    size_t vlen;
    int rc, sent = 0;

    if ((rc = seen_store_sealed_get(
             txn, SEEN_DB_DISCLOSURES, k, 17, k, 17, &v, &vlen)) != 0)
        return rc;
    pn = seen__pending_notice__unpack(NULL, vlen, v);
    free(v);
    if (pn == NULL || pn->to.len != 32) {
        seen__pending_notice__free_unpacked(pn, NULL);
        return SEEN_ECORRUPT;
    }
    if (now >= pn->first_sent + SEEN_NOTICE_KEEP) {
        seen_warn("a look-up notice was not acknowledged in %d days: no "
                  "longer sent (the exchange log holds the look-up)",
            SEEN_NOTICE_KEEP / 86400);
        rc = seen_store_del(txn, SEEN_DB_DISCLOSURES, k, 17, NULL, 0);
        seen__pending_notice__free_unpacked(pn, NULL);
        return rc;
    }
    if (pn->last_sent + backoff(pn->tries) <= now) {
        pn->last_sent = now;
        pn->tries++;
        if ((rc = pending_put(txn, k + 1, pn)) == 0 &&
            seen_fed_send(d->fed, pn->to.data, SEEN__MSG_TYPE__LOOKUP_NOTICE,
                pn->body.data, pn->body.len) == 0)
            sent = 1;
    }
    if (pn->last_sent + backoff(pn->tries) < *next)
        *next = pn->last_sent + backoff(pn->tries);
    seen__pending_notice__free_unpacked(pn, NULL);
    return rc != 0 ? rc : sent;
}

/**
 * seen_notice_tick(d, txn, now, next):
 * Send again the notices not acknowledged that are due; see
 * disclosure.h.
 */
int
seen_notice_tick(struct seen_disclosure *d, struct seen_txn *txn,
    uint64_t now, uint64_t *next)
{
    struct dis_keys ks;
    size_t i;
    int rc, n = 0;

    rc = dis_keys_of(txn, KEY_NOTICE_PENDING, &ks);
    for (i = 0; rc == 0 && i < ks.n; i++) {
        if (ks.kl[i] != 17)
            continue;
        if ((rc = tick_one(d, txn, ks.k[i], now, next)) > 0) {
            n++;
            rc = 0;
        }
    }
    dis_keys_free(&ks);
    return rc != 0 ? rc : n;
}

/* The row of the notice ${ns}. */
static json_t *
row_of(struct seen_disclosure *d, const Seen__NoticeState *ns)
{
    const Seen__LookupNotice *ln = ns->notice;
    json_t *hs = json_array();
    char buf[128], hex[33];
    const char *name = "?";
    size_t i;

    for (i = 0; i < ln->n_handles; i++)
        json_array_append_new(hs,
            json_string(seen_hex_encode(hex, ln->handles[i].data, 16)));
    if (d->fed != NULL && ns->from.len == 32)
        name = seen_fed_origin_name(d->fed, ns->from.data, buf, sizeof buf);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o}",
        "notice", "lookup", "from", name, "operator", ln->operator_,
        "purpose", ln->purpose, "what", ln->what, "time",
        (json_int_t)ln->time, "received", (json_int_t)ns->received,
        "query_seq", (json_int_t)ln->query_seq, "handles", hs);
}

/**
 * seen_notice_rows(d, txn, rows):
 * Add a row for each notice kept, oldest first, to ${rows}; see
 * disclosure.h.
 */
int
seen_notice_rows(
    struct seen_disclosure *d, struct seen_txn *txn, struct seen_ctl_rows *rows)
{
    struct dis_keys ks;
    Seen__NoticeState *ns;
    uint8_t *v;
    size_t i, vlen;
    json_t *row;
    int rc;

    rc = dis_keys_of(txn, KEY_NOTICE_KEPT, &ks);
    for (i = 0; rc == 0 && i < ks.n; i++) {
        if (ks.kl[i] != NOTICE_KEY)
            continue;
        if ((rc = seen_store_sealed_get(txn, SEEN_DB_DISCLOSURES, ks.k[i],
                 NOTICE_KEY, ks.k[i], NOTICE_KEY, &v, &vlen)) != 0)
            break;
        ns = seen__notice_state__unpack(NULL, vlen, v);
        free(v);
        if (ns == NULL || ns->notice == NULL) {
            seen__notice_state__free_unpacked(ns, NULL);
            rc = SEEN_ECORRUPT;
            break;
        }
        if ((row = row_of(d, ns)) == NULL)
            rc = SEEN_ENOMEM;
        else
            rc = seen_ctl_rows_add(rows, row);
        json_decref(row);
        seen__notice_state__free_unpacked(ns, NULL);
    }
    dis_keys_free(&ks);
    return rc;
}

/**
 * seen_notice_pending(txn, n):
 * Count the notices sent and not yet acknowledged to *${n}.  Returns 0
 * or an error of the store.
 */
int
seen_notice_pending(struct seen_txn *txn, uint64_t *n)
{
    struct dis_keys ks;
    size_t i;
    int rc;

    rc = dis_keys_of(txn, KEY_NOTICE_PENDING, &ks);
    for (i = 0, *n = 0; i < ks.n; i++)
        *n += ks.kl[i] == 17;
    dis_keys_free(&ks);
    return rc;
}

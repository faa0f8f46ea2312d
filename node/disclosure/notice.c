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
#include "node/replication/federation.h"
#include "proto/membership.h"
#include "storage/store.h"
#include "seen.pb-c.h"

#define NOTICE_HANDLES_MAX 256 /* handles in one notice */
#define NOTICE_TEXT_MAX 1024   /* bytes of operator or purpose */
#define NOTICE_KEY 17          /* 'L' received(8) random(8) */

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

/* Queue the notice of ${hd} to its holder.  Returns 1 when queued. */
static int
send_one(struct seen_disclosure *d, const struct holder *hd, const char *op,
    const char *purpose, const char *what, uint64_t query_seq)
{
    Seen__LookupNotice ln = SEEN__LOOKUP_NOTICE__INIT;
    ProtobufCBinaryData hv[NOTICE_HANDLES_MAX];
    const Seen__Member *m = seen_fed_member_named(d->fed, hd->name);
    uint8_t *buf;
    size_t i, len;
    int rc;

    if (m == NULL || !seen_membership_active(m) || m->sign_pk.len != 32)
        return 0;
    for (i = 0; i < hd->n; i++)
        hv[i] = (ProtobufCBinaryData){16, (uint8_t *)hd->h[i]};
    ln.n_handles = hd->n;
    ln.handles = hv;
    ln.operator_ = (char *)op;
    ln.purpose = (char *)purpose;
    ln.time = (uint64_t)time(NULL);
    ln.what = (char *)what;
    ln.query_seq = query_seq;
    len = seen__lookup_notice__get_packed_size(&ln);
    if ((buf = malloc(len)) == NULL)
        return 0;
    seen__lookup_notice__pack(&ln, buf);
    rc = seen_fed_send(d->fed, m->sign_pk.data, SEEN__MSG_TYPE__LOOKUP_NOTICE,
        buf, len);
    free(buf);
    if (rc != 0) {
        seen_warn("a look-up notice to '%s' was not queued: %s", hd->name,
            seen_strerror(rc));
        return 0;
    }
    return 1;
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
    size_t i, j, sent = 0;
    json_t *m, *p;

    if (d == NULL || d->fed == NULL || op == NULL || purpose == NULL)
        return 0;
    json_array_foreach(members, i, m) note(d, m, &hs);
    json_array_foreach(persons, i, p)
    {
        json_array_foreach(json_object_get(p, "members"), j, m)
            note(d, m, &hs);
    }
    for (i = 0; i < hs.n; i++)
        sent += (size_t)send_one(d, &hs.h[i], op, purpose, what, query_seq);
    free(hs.h);
    if (sent > 0) {
        d->counts.notices_sent += sent;
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
        (strcmp(ln->what, "query") != 0 && strcmp(ln->what, "chronology")))
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

/**
 * seen_notice_on_message(d, txn, from, body, blen):
 * Keep a LOOKUP_NOTICE received; see disclosure.h.
 */
int
seen_notice_on_message(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[static 32], const uint8_t *body, size_t blen)
{
    Seen__NoticeState ns = SEEN__NOTICE_STATE__INIT;
    Seen__LookupNotice *ln;
    size_t n_all, len;
    uint8_t key[NOTICE_KEY], *buf = NULL;
    int rc;

    if ((ln = seen__lookup_notice__unpack(NULL, blen, body)) == NULL ||
        !well_formed(ln)) {
        seen__lookup_notice__free_unpacked(ln, NULL);
        d->counts.notices_refused++;
        return SEEN_EINVAL;
    }
    n_all = ln->n_handles;
    if ((rc = keep_own(txn, ln)) != 0)
        goto done;
    if (ln->n_handles == 0) {
        d->counts.notices_refused++;
        rc = SEEN_EPERM;
        goto done;
    }
    ns.from = (ProtobufCBinaryData){32, (uint8_t *)from};
    ns.notice = ln;
    ns.received = (uint64_t)time(NULL);
    len = seen__notice_state__get_packed_size(&ns);
    if ((buf = malloc(len)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    seen__notice_state__pack(&ns, buf);
    key[0] = 'L';
    seen_be64(key + 1, ns.received);
    randombytes_buf(key + 9, 8);
    rc = seen_store_sealed_put(txn, SEEN_DB_DISCLOSURES, key, sizeof key, key,
        sizeof key, buf, len);
    if (rc == 0) {
        d->counts.notices_received++;
        seen_info("a look-up notice: %zu of this node's entries shown by a "
                  "%s at another node%s",
            ln->n_handles, ln->what,
            ln->n_handles < n_all ? " (others named are not this node's)"
                                  : "");
    }
done:
    free(buf);
    /* The handles kept point into the unpacked message: free it whole. */
    ln->n_handles = n_all;
    seen__lookup_notice__free_unpacked(ln, NULL);
    return rc;
}

/* Collect the keys of the notices kept (iteration context). */
struct keys {
    uint8_t (*k)[NOTICE_KEY];
    size_t n, cap;
};

static int
collect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct keys *ks = ctx;
    void *p;

    (void)val;
    (void)vlen;
    if (klen != NOTICE_KEY)
        return 0;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 16;
        if ((p = realloc(ks->k, ks->cap * sizeof *ks->k)) == NULL)
            return SEEN_ENOMEM;
        ks->k = p;
    }
    memcpy(ks->k[ks->n++], key, NOTICE_KEY);
    return 0;
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
 * seen_notice_rows(d, txn, out):
 * A row for each notice kept, oldest first; see disclosure.h.
 */
int
seen_notice_rows(struct seen_disclosure *d, struct seen_txn *txn, json_t *out)
{
    struct keys ks = {NULL, 0, 0};
    Seen__NoticeState *ns;
    uint8_t *v;
    size_t i, vlen;
    json_t *row;
    int rc;

    rc = seen_store_iter(txn, SEEN_DB_DISCLOSURES, "L", 1, collect, &ks);
    for (i = 0; rc == 0 && i < ks.n; i++) {
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
        if ((row = row_of(d, ns)) != NULL)
            json_array_append_new(out, row);
        seen__notice_state__free_unpacked(ns, NULL);
    }
    free(ks.k);
    return rc;
}

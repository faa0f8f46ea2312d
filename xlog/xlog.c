#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "storage/store.h"
#include "xlog/xlog.h"

/* xstate keys (see xlog.h). */
#define K_SIZE "size"
#define K_SIGNED "signed"
#define K_HALT "halt"
#define K_FLOOR "floor"
#define P_OWN 'C'
#define P_COSIG 'W'
#define P_HELD 'H'
#define P_PENDING 'P'
#define P_EVIDENCE 'E'
#define P_RESOLVED 'R'

/* The longest checkpoint a cosignature may carry (a well-formed one is
 * about 150 bytes; unknown fields may make it longer). */
#define COSIGN_CP_MAX 1024

/* xhash key: level(1) index(8). */
static void
hkey(uint8_t k[9], unsigned int level, uint64_t index)
{

    k[0] = (uint8_t)level;
    seen_be64(k + 1, index);
}

static int
get_hash(
    struct seen_txn *txn, unsigned int level, uint64_t index, uint8_t out[32])
{
    uint8_t k[9];
    const void *v;
    size_t vlen;
    int rc;

    hkey(k, level, index);
    if ((rc = seen_store_get(txn, SEEN_DB_XHASH, k, sizeof k, &v, &vlen)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    if (vlen != 32)
        return SEEN_ECORRUPT;
    memcpy(out, v, 32);
    return SEEN_OK;
}

/* Decode the checkpoint stored under ${key}; SEEN_ENOTFOUND when none. */
static int
load_cp(
    struct seen_txn *txn, const void *key, size_t klen, Seen__Checkpoint **out)
{
    const void *v;
    size_t vlen;
    int rc;

    *out = NULL;
    if ((rc = seen_store_get(txn, SEEN_DB_XSTATE, key, klen, &v, &vlen)) != 0)
        return rc;
    if (seen_checkpoint_decode(v, vlen, out) != 0) {
        seen_warn("exchange log: a stored checkpoint is damaged");
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

/* Encode ${c} and store it under ${key}. */
static int
put_cp(struct seen_txn *txn, const void *key, size_t klen,
    const Seen__Checkpoint *c)
{
    uint8_t *enc;
    size_t elen;
    int rc;

    if ((rc = seen_checkpoint_encode(c, &enc, &elen)) != 0)
        return rc;
    rc = seen_store_put(txn, SEEN_DB_XSTATE, key, klen, enc, elen);
    free(enc);
    return rc;
}

/* Key of a peer's held or pending checkpoint: prefix origin(32). */
static void
peer_key(uint8_t k[33], int prefix, const uint8_t origin[32])
{

    k[0] = (uint8_t)prefix;
    memcpy(k + 1, origin, 32);
}

/* Key of an own checkpoint or a cosignature: prefix size(8) time(8) [pk]. */
static void
own_key(
    uint8_t k[49], int prefix, uint64_t size, uint64_t time, const uint8_t *pk)
{

    k[0] = (uint8_t)prefix;
    seen_be64(k + 1, size);
    seen_be64(k + 9, time);
    if (pk != NULL)
        memcpy(k + 17, pk, 32);
}

/**
 * seen_xlog_size(txn, size):
 * Write the number of leaves of the log to *${size} (0 for none).
 * Returns 0 or SEEN_ECORRUPT.
 */
int
seen_xlog_size(struct seen_txn *txn, uint64_t *size)
{
    const void *v;
    size_t vlen;
    int rc;

    rc = seen_store_get(txn, SEEN_DB_XSTATE, K_SIZE, strlen(K_SIZE), &v, &vlen);
    if (rc == SEEN_ENOTFOUND) {
        *size = 0;
        return SEEN_OK;
    }
    if (rc != 0)
        return rc;
    if (vlen != 8)
        return SEEN_ECORRUPT;
    *size = seen_rd64(v);
    return SEEN_OK;
}

/* The size of the largest checkpoint known signed (0 for none). */
static int
signed_size(struct seen_txn *txn, uint64_t *size)
{
    Seen__Checkpoint *c;
    int rc;

    *size = 0;
    rc = load_cp(txn, K_SIGNED, strlen(K_SIGNED), &c);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc != 0)
        return rc;
    *size = c->size;
    seen_checkpoint_destroy(&c);
    return SEEN_OK;
}

/* The size at or below which an operator's resolution forbids signing
 * (0 for none: see seen_xlog_resolve()). */
static int
get_floor(struct seen_txn *txn, uint64_t *floor)
{
    const void *v;
    size_t vlen;
    int rc;

    *floor = 0;
    rc = seen_store_get(
        txn, SEEN_DB_XSTATE, K_FLOOR, strlen(K_FLOOR), &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc != 0)
        return rc;
    if (vlen != 8)
        return SEEN_ECORRUPT;
    *floor = seen_rd64(v);
    return SEEN_OK;
}

/* 1 if ${s} is 64 lower-case hex digits. */
static int
is_digest(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == 64;
}

/* 1 if ${s} is a date YYYY-MM-DD (month 01-12, day 01-31). */
static int
is_date(const char *s)
{
    int i, m, d;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (s[10] != '\0')
        return 0;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* What a check returns when it ran out of memory. */
static const char nomem[] = "out of memory";

/*
 * 1 if ${buf} (${len} bytes) is the canonical encoding of ${m}, which was
 * decoded from it: what protobuf-c writes (fields in order, each once,
 * defaults left out, shortest varints) and no unknown field.  A message
 * the node writes itself has then one meaning for every decoder.
 */
static int
canonical(const ProtobufCMessage *m, const uint8_t *buf, size_t len)
{
    uint8_t *again;
    int ok;

    if (m->n_unknown_fields != 0 ||
        protobuf_c_message_get_packed_size(m) != len)
        return 0;
    if (len == 0)
        return 1;
    if ((again = malloc(len)) == NULL)
        return -1;
    ok = protobuf_c_message_pack(m, again) == len &&
         memcmp(again, buf, len) == 0;
    free(again);
    return ok;
}

/* Check the envelope of an XLOG_SENT or XLOG_RECEIVED leaf. */
static const char *
check_envelope(struct seen_xlog_leafview *v, const uint8_t owner[32])
{
    const Seen__XLogLeaf *l = v->leaf;
    const Seen__Header *h;
    const Seen__Checkpoint *c;

    if (l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->record.len != 0)
        return "an envelope leaf holds a record";
    if (l->envelope.len == 0)
        return "no envelope";
    if ((v->env = seen__envelope__unpack(
             NULL, l->envelope.len, l->envelope.data)) == NULL)
        return "envelope does not decode";
    if (v->env->signature.len != 64)
        return "envelope signature is not 64 bytes";
    if ((v->part = seen__signed_part__unpack(
             NULL, v->env->signed_.len, v->env->signed_.data)) == NULL)
        return "envelope's signed part does not decode";
    if ((h = v->part->header) == NULL)
        return "envelope has no header";
    if (h->sender.len != 32 || h->recipient.len != 32)
        return "envelope sender or recipient is not 32 bytes";
    if (h->msg_id.len != 16)
        return "envelope msg_id is not 16 bytes";
    if ((int)h->type <= 0)
        return "envelope type is not positive";
    if ((c = h->checkpoint) != NULL &&
        (c->origin.len != 32 || c->root.len != 32 || c->signature.len != 64 ||
            memcmp(c->origin.data, h->sender.data, 32) != 0))
        return "envelope header checkpoint is malformed or not the sender's";
    if (l->kind == SEEN__XLOG_KIND__XLOG_SENT) {
        if (memcmp(h->sender.data, owner, 32) != 0)
            return "sent envelope's sender is not the log's owner";
        if (memcmp(h->recipient.data, l->peer.data, 32) != 0)
            return "sent envelope's recipient is not the leaf's peer";
    } else {
        if (memcmp(h->sender.data, l->peer.data, 32) != 0)
            return "received envelope's sender is not the leaf's peer";
        if (memcmp(h->recipient.data, owner, 32) != 0)
            return "received envelope's recipient is not the log's owner";
    }
    return NULL;
}

/* Check the record of an XLOG_QUERY leaf. */
static const char *
check_query(struct seen_xlog_leafview *v)
{
    const Seen__XLogLeaf *l = v->leaf;
    const Seen__QueryRecord *q;
    size_t i;

    if (l->peer.len != 0)
        return "a query leaf names a peer";
    if (l->envelope.len != 0)
        return "a query leaf holds an envelope";
    if ((v->query = seen__query_record__unpack(
             NULL, l->record.len, l->record.data)) == NULL)
        return "query record does not decode";
    switch (canonical(&v->query->base, l->record.data, l->record.len)) {
    case 1:
        break;
    case 0:
        return "query record is not in canonical form";
    default:
        return nomem;
    }
    q = v->query;
    if (q->operator_ == NULL || q->operator_[0] == '\0')
        return "query record names no operator";
    if (q->purpose == NULL || q->purpose[0] == '\0')
        return "query record has no purpose";
    for (i = 0; i < q->n_handles_seen; i++)
        if (q->handles_seen[i].len != 16)
            return "query record handle is not 16 bytes";
    if (q->criteria_digest != NULL && q->criteria_digest[0] != '\0' &&
        !is_digest(q->criteria_digest))
        return "query criteria_digest is not 64 lower-case hex digits";
    return NULL;
}

/* Check the record of an XLOG_DECISION leaf. */
static const char *
check_decision(struct seen_xlog_leafview *v)
{
    const Seen__XLogLeaf *l = v->leaf;
    const Seen__DecisionRecord *d;

    if (l->peer.len != 0 && l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->envelope.len != 0)
        return "a decision leaf holds an envelope";
    if ((v->decision = seen__decision_record__unpack(
             NULL, l->record.len, l->record.data)) == NULL)
        return "decision record does not decode";
    switch (canonical(&v->decision->base, l->record.data, l->record.len)) {
    case 1:
        break;
    case 0:
        return "decision record is not in canonical form";
    default:
        return nomem;
    }
    d = v->decision;
    if (d->operator_ == NULL || d->operator_[0] == '\0')
        return "decision record names no operator";
    if (d->request_id.len == 0 || d->request_id.len > SEEN_XLOG_REQUEST_ID_MAX)
        return "decision request_id is empty or too long";
    if (!d->shared && (d->reason == NULL || d->reason[0] == '\0'))
        return "a withholding decision has no reason";
    if (d->review != NULL && d->review[0] != '\0' && !is_date(d->review))
        return "decision review is not a date YYYY-MM-DD";
    return NULL;
}

/**
 * seen_xlog_leaf_parse(buf, len, owner, index, v, why):
 * Decode the leaf ${buf} (${len} bytes) found at position ${index} of the
 * log of ${owner} and check it against the leaf rules above (signatures
 * are not checked).
 * [out] ${v}: the decoded parts, released with seen_xlog_leaf_release()
 * (empty on error); ${why}: on error, a static phrase saying which rule
 * failed ("envelope sender is not the owner"); may be NULL.
 * Returns 0; SEEN_EINVAL for a leaf that breaks a rule; SEEN_ENOMEM.
 * Does not log; never crashes on any bytes.
 */
int
seen_xlog_leaf_parse(const uint8_t *buf, size_t len,
    const uint8_t owner[static 32], uint64_t index,
    struct seen_xlog_leafview *v, const char **why)
{
    const char *bad = NULL;
    int c;

    memset(v, 0, sizeof *v);
    if (len > SEEN_XLOG_LEAF_MAX)
        bad = "leaf is too large";
    else if (buf == NULL && len != 0)
        bad = "leaf is missing";
    else if ((v->leaf = seen__xlog_leaf__unpack(NULL, len, buf)) == NULL)
        bad = "leaf does not decode as an XLogLeaf";
    else if ((c = canonical(&v->leaf->base, buf, len)) != 1)
        bad = c == 0 ? "leaf is not in canonical form" : nomem;
    else if (v->leaf->seq != index)
        bad = "leaf seq is not its position in the log";
    else if (v->leaf->signed_size > index)
        bad = "leaf signed_size is beyond its position";
    else {
        switch (v->leaf->kind) {
        case SEEN__XLOG_KIND__XLOG_SENT:
        case SEEN__XLOG_KIND__XLOG_RECEIVED:
            bad = check_envelope(v, owner);
            break;
        case SEEN__XLOG_KIND__XLOG_QUERY:
            bad = check_query(v);
            break;
        case SEEN__XLOG_KIND__XLOG_DECISION:
            bad = check_decision(v);
            break;
        default:
            bad = "leaf kind is unknown";
            break;
        }
    }
    if (bad != NULL) {
        seen_xlog_leaf_release(v);
        if (why != NULL)
            *why = bad;
        return bad == nomem ? SEEN_ENOMEM : SEEN_EINVAL;
    }
    return SEEN_OK;
}

/**
 * seen_xlog_leaf_release(v):
 * Free what seen_xlog_leaf_parse() decoded into ${v} and empty it.  Safe
 * on an empty view and twice.
 */
void
seen_xlog_leaf_release(struct seen_xlog_leafview *v)
{

    if (v->decision != NULL)
        seen__decision_record__free_unpacked(v->decision, NULL);
    if (v->query != NULL)
        seen__query_record__free_unpacked(v->query, NULL);
    if (v->part != NULL)
        seen__signed_part__free_unpacked(v->part, NULL);
    if (v->env != NULL)
        seen__envelope__free_unpacked(v->env, NULL);
    if (v->leaf != NULL)
        seen__xlog_leaf__free_unpacked(v->leaf, NULL);
    memset(v, 0, sizeof *v);
}

/* The peer of an envelope leaf: the header's recipient (SENT) or sender. */
static int
envelope_peer(
    Seen__XLogKind kind, const uint8_t *env, size_t len, uint8_t peer[32])
{
    Seen__Envelope *e;
    Seen__SignedPart *p = NULL;
    const ProtobufCBinaryData *pk;
    int rc = SEEN_EINVAL;

    if (env == NULL || len == 0 || len > SEEN_XLOG_LEAF_MAX)
        return SEEN_EINVAL;
    if ((e = seen__envelope__unpack(NULL, len, env)) == NULL)
        return SEEN_EINVAL;
    if ((p = seen__signed_part__unpack(
             NULL, e->signed_.len, e->signed_.data)) == NULL ||
        p->header == NULL)
        goto done;
    pk = kind == SEEN__XLOG_KIND__XLOG_SENT ? &p->header->recipient
                                            : &p->header->sender;
    if (pk->len != 32)
        goto done;
    memcpy(peer, pk->data, 32);
    rc = SEEN_OK;
done:
    if (p != NULL)
        seen__signed_part__free_unpacked(p, NULL);
    seen__envelope__free_unpacked(e, NULL);
    return rc;
}

/* Store leaf hash ${h} of leaf ${n} and the subtrees it completes. */
static int
put_hashes(struct seen_txn *txn, uint64_t n, uint8_t h[32])
{
    uint8_t k[9], left[32];
    uint64_t idx;
    unsigned int level;
    int rc;

    hkey(k, 0, n);
    if ((rc = seen_store_put(txn, SEEN_DB_XHASH, k, sizeof k, h, 32)) != 0)
        return rc;
    /* Each completed pair of subtrees makes a parent one level up. */
    for (level = 0, idx = n; idx & 1; level++, idx >>= 1) {
        if ((rc = get_hash(txn, level, idx - 1, left)) != 0)
            return rc;
        seen_merkle_node_hash(h, left, h);
        hkey(k, level + 1, idx >> 1);
        if ((rc = seen_store_put(txn, SEEN_DB_XHASH, k, sizeof k, h, 32)) != 0)
            return rc;
    }
    return SEEN_OK;
}

/**
 * seen_xlog_append(txn, k, kind, peer, data, len, time, index):
 * Append a leaf of ${kind} to the exchange log of the node ${k} inside
 * the write transaction ${txn}: for XLOG_SENT and XLOG_RECEIVED ${data}
 * is the envelope's exact bytes, for XLOG_QUERY and XLOG_DECISION the
 * encoded QueryRecord or DecisionRecord (${len} bytes).  ${peer} is the
 * other node's 32-byte Ed25519 key (NULL: for an envelope, taken from its
 * header; none for a query or a decision).  The leaf records ${time} and
 * the largest size this node knows it signed.  Stores the leaf, its hash
 * and those of the subtrees it completes, and the new size.
 * [out] ${index}: when not NULL, the leaf's 0-based position.
 * Returns 0; SEEN_EINVAL when the leaf would break a rule of this header
 * (logged, saying which: nothing is written); SEEN_ECORRUPT for a damaged
 * log; SEEN_EFULL, SEEN_ENOMEM, SEEN_ERR from the store (abort ${txn}).
 * Nothing is retained.
 */
int
seen_xlog_append(struct seen_txn *txn, const struct seen_keys *k,
    Seen__XLogKind kind, const uint8_t *peer, const uint8_t *data, size_t len,
    uint64_t time, uint64_t *index)
{
    Seen__XLogLeaf l = SEEN__XLOG_LEAF__INIT;
    struct seen_xlog_leafview v;
    uint8_t pk[32], key[8], h[32], meta[8], *buf;
    const char *why = "";
    uint64_t n, ss;
    size_t blen;
    int rc;

    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = signed_size(txn, &ss)) != 0)
        return rc;
    if (data == NULL && len != 0)
        return SEEN_EINVAL;
    l.kind = kind;
    l.time = time;
    l.signed_size = ss;
    l.seq = n;
    if (kind == SEEN__XLOG_KIND__XLOG_SENT ||
        kind == SEEN__XLOG_KIND__XLOG_RECEIVED) {
        if (peer == NULL) {
            if (envelope_peer(kind, data, len, pk) != 0) {
                seen_warn("exchange log: refusing leaf %llu: the envelope does "
                          "not decode",
                    (unsigned long long)n);
                return SEEN_EINVAL;
            }
            peer = pk;
        }
        l.envelope.data = (uint8_t *)(uintptr_t)data;
        l.envelope.len = len;
    } else {
        l.record.data = (uint8_t *)(uintptr_t)data;
        l.record.len = len;
    }
    if (peer != NULL) {
        l.peer.data = (uint8_t *)(uintptr_t)peer;
        l.peer.len = 32;
    }
    blen = seen__xlog_leaf__get_packed_size(&l);
    if (blen > SEEN_XLOG_LEAF_MAX) {
        seen_warn("exchange log: refusing leaf %llu: too large",
            (unsigned long long)n);
        return SEEN_EINVAL;
    }
    if ((buf = malloc(blen)) == NULL) {
        seen_warnp("exchange log: cannot encode a leaf");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_leaf__pack(&l, buf) != blen) {
        rc = SEEN_ERR;
        goto done;
    }
    if ((rc = seen_xlog_leaf_parse(buf, blen, k->sign_pk, n, &v, &why)) != 0) {
        if (rc == SEEN_EINVAL)
            seen_warn("exchange log: refusing leaf %llu: %s",
                (unsigned long long)n, why);
        goto done;
    }
    seen_xlog_leaf_release(&v);
    seen_be64(key, n);
    if ((rc = seen_store_put(txn, SEEN_DB_XLOG, key, sizeof key, buf, blen)) !=
        0)
        goto done;
    seen_merkle_leaf_hash(h, buf, blen);
    if ((rc = put_hashes(txn, n, h)) != 0)
        goto done;
    seen_be64(meta, n + 1);
    if ((rc = seen_store_put(txn, SEEN_DB_XSTATE, K_SIZE, strlen(K_SIZE), meta,
             sizeof meta)) != 0)
        goto done;
    if (index != NULL)
        *index = n;
    rc = SEEN_OK;
done:
    free(buf);
    return rc;
}

/**
 * seen_xlog_sent(txn, k, env, len, time, index):
 * seen_xlog_append() of the envelope ${env} (${len} bytes) that the node
 * ${k} sealed and sends: the peer is its recipient.  Same returns.
 */
int
seen_xlog_sent(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t *env, size_t len, uint64_t time, uint64_t *index)
{

    return seen_xlog_append(
        txn, k, SEEN__XLOG_KIND__XLOG_SENT, NULL, env, len, time, index);
}

/**
 * seen_xlog_received(txn, k, env, len, time, index):
 * seen_xlog_append() of the envelope ${env} (${len} bytes, exactly as
 * received) that the node ${k} accepted (seen_envelope_open() returned
 * 0): the peer is its sender.  Same returns.
 */
int
seen_xlog_received(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t *env, size_t len, uint64_t time, uint64_t *index)
{

    return seen_xlog_append(
        txn, k, SEEN__XLOG_KIND__XLOG_RECEIVED, NULL, env, len, time, index);
}

/* Encode ${m} and append it as a leaf of ${kind}. */
static int
append_record(struct seen_txn *txn, const struct seen_keys *k,
    Seen__XLogKind kind, const ProtobufCMessage *m, const uint8_t *peer,
    uint64_t time, uint64_t *index)
{
    uint8_t *buf;
    size_t n;
    int rc;

    n = protobuf_c_message_get_packed_size(m);
    if (n > SEEN_XLOG_LEAF_MAX)
        return SEEN_EINVAL;
    if ((buf = malloc(n ? n : 1)) == NULL) {
        seen_warnp("exchange log: cannot encode a record");
        return SEEN_ENOMEM;
    }
    if (protobuf_c_message_pack(m, buf) != n)
        rc = SEEN_ERR;
    else
        rc = seen_xlog_append(txn, k, kind, peer, buf, n, time, index);
    free(buf);
    return rc;
}

/**
 * seen_xlog_query(txn, k, q, index):
 * seen_xlog_append() of the query ${q}, encoded, at q->time.  Same
 * returns (SEEN_EINVAL when ${q} breaks a rule, e.g. no purpose).
 */
int
seen_xlog_query(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__QueryRecord *q, uint64_t *index)
{

    return append_record(txn, k, SEEN__XLOG_KIND__XLOG_QUERY,
        (const ProtobufCMessage *)q, NULL, q->time, index);
}

/**
 * seen_xlog_decision(txn, k, d, peer, index):
 * seen_xlog_append() of the disclosure decision ${d}, encoded, at
 * d->time, about a request from the node ${peer} (32 bytes, or NULL).
 * Same returns (SEEN_EINVAL when ${d} breaks a rule, e.g. a withholding
 * without a reason).
 */
int
seen_xlog_decision(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__DecisionRecord *d, const uint8_t *peer, uint64_t *index)
{

    return append_record(txn, k, SEEN__XLOG_KIND__XLOG_DECISION,
        (const ProtobufCMessage *)d, peer, d->time, index);
}

/**
 * seen_xlog_leaf(txn, i, leaf, len):
 * Look up leaf ${i}: *${leaf} (*${len} bytes, the encoded XLogLeaf) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND beyond the log; SEEN_ECORRUPT.
 */
int
seen_xlog_leaf(
    struct seen_txn *txn, uint64_t i, const uint8_t **leaf, size_t *len)
{
    uint8_t k[8];
    const void *v;
    int rc;

    seen_be64(k, i);
    if ((rc = seen_store_get(txn, SEEN_DB_XLOG, k, sizeof k, &v, len)) != 0)
        return rc;
    *leaf = v;
    return SEEN_OK;
}

/**
 * seen_xlog_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the stored log; ${ctx} is the struct
 * seen_txn.  Returns 0; SEEN_EINVAL for a subtree that is not aligned;
 * SEEN_ECORRUPT when it is not stored (beyond the log, or damaged).
 */
int
seen_xlog_subtree(
    void *ctx, uint64_t start, uint64_t size, uint8_t out[static 32])
{
    unsigned int level = 0;

    if (size == 0 || (size & (size - 1)) != 0 || start % size != 0)
        return SEEN_EINVAL;
    while ((1ULL << level) < size)
        level++;
    return get_hash(ctx, level, start >> level, out);
}

/**
 * seen_xlog_root(txn, size, root):
 * Write the RFC 9162 root of the first ${size} leaves to ${root}, from
 * at most 64 stored subtree hashes.
 * Returns 0; SEEN_EINVAL when ${size} exceeds the log; SEEN_ECORRUPT when
 * a stored hash is missing or damaged.
 */
int
seen_xlog_root(struct seen_txn *txn, uint64_t size, uint8_t root[static 32])
{
    uint64_t n;
    int rc;

    if ((rc = seen_xlog_size(txn, &n)) != 0)
        return rc;
    if (size > n)
        return SEEN_EINVAL;
    return seen_merkle_root_of(seen_xlog_subtree, txn, size, root);
}

/**
 * seen_xlog_inclusion(txn, index, size, proof, plen):
 * Write the RFC 9162 inclusion proof of leaf ${index} in the first
 * ${size} leaves to ${proof} (*${plen} hashes, lowest level first).
 * Returns 0; SEEN_EINVAL unless ${index} < ${size} <= the log's size;
 * SEEN_ECORRUPT.
 */
int
seen_xlog_inclusion(struct seen_txn *txn, uint64_t index, uint64_t size,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    uint64_t n;
    int rc;

    if ((rc = seen_xlog_size(txn, &n)) != 0)
        return rc;
    if (size > n || index >= size)
        return SEEN_EINVAL;
    return seen_merkle_inclusion_proof(
        seen_xlog_subtree, txn, index, size, proof, plen);
}

/**
 * seen_xlog_consistency(txn, size1, size2, proof, plen):
 * Write the RFC 9162 consistency proof from the first ${size1} leaves to
 * the first ${size2} to ${proof} (*${plen} hashes; none when equal).
 * Returns 0; SEEN_EINVAL unless 0 < ${size1} <= ${size2} <= the log's
 * size; SEEN_ECORRUPT.
 */
int
seen_xlog_consistency(struct seen_txn *txn, uint64_t size1, uint64_t size2,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    uint64_t n;
    int rc;

    if ((rc = seen_xlog_size(txn, &n)) != 0)
        return rc;
    if (size1 == 0 || size1 > size2 || size2 > n)
        return SEEN_EINVAL;
    return seen_merkle_consistency_proof(
        seen_xlog_subtree, txn, size1, size2, proof, plen);
}

struct raw_ctx {
    const uint8_t *val;
    size_t len;
};

/* Keep the first value met (borrowed) and stop. */
static int
first_raw(
    void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct raw_ctx *c = vctx;

    (void)key;
    (void)klen;
    c->val = val;
    c->len = vlen;
    return 1;
}

/**
 * seen_xlog_prove(txn, from, to, cp, cplen, proof, plen):
 * Answer a peer that holds the checkpoint of size ${from} of this node's
 * log and waits to witness one of size ${to}: look up a checkpoint of
 * size ${to} that the node signed (or knows it signed) of its own log,
 * and write the RFC 9162 consistency proof from ${from} leaves to ${to}.
 * [out] ${cp}, ${cplen}: the encoded Checkpoint, borrowed until the end
 * of ${txn} or its next write; ${proof}: *${plen} hashes.
 * Returns 0; SEEN_EINVAL unless 0 < ${from} < ${to} <= the log's size;
 * SEEN_ENOTFOUND when the node knows no checkpoint of its own of size
 * ${to}; SEEN_ECORRUPT when the stored one is damaged or its root is not
 * the log's at that size (logged: the node never proves a checkpoint its
 * log contradicts).
 */
int
seen_xlog_prove(struct seen_txn *txn, uint64_t from, uint64_t to,
    const uint8_t **cp, size_t *cplen,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    struct raw_ctx rc0 = {NULL, 0};
    Seen__Checkpoint *c;
    uint8_t pre[9], root[32];
    uint64_t n;
    int rc;

    *cp = NULL;
    *cplen = 0;
    *plen = 0;
    if ((rc = seen_xlog_size(txn, &n)) != 0)
        return rc;
    if (from == 0 || from >= to || to > n)
        return SEEN_EINVAL;
    pre[0] = P_OWN;
    seen_be64(pre + 1, to);
    if ((rc = seen_store_iter(
             txn, SEEN_DB_XSTATE, pre, sizeof pre, first_raw, &rc0)) != 0)
        return rc;
    if (rc0.val == NULL)
        return SEEN_ENOTFOUND;
    if (seen_checkpoint_decode(rc0.val, rc0.len, &c) != 0) {
        seen_warn("exchange log: a stored checkpoint is damaged");
        return SEEN_ECORRUPT;
    }
    if ((rc = seen_xlog_root(txn, to, root)) == 0 &&
        (c->size != to || memcmp(root, c->root.data, 32) != 0)) {
        seen_warn("exchange log: the checkpoint of size %llu this node "
                  "signed is not its log's",
            (unsigned long long)to);
        rc = SEEN_ECORRUPT;
    }
    seen_checkpoint_destroy(&c);
    if (rc != 0)
        return rc;
    if ((rc = seen_merkle_consistency_proof(
             seen_xlog_subtree, txn, from, to, proof, plen)) != 0)
        return rc;
    *cp = rc0.val;
    *cplen = rc0.len;
    return SEEN_OK;
}

/**
 * seen_xlog_halted(txn):
 * Returns 1 when the node refuses to sign checkpoints because it holds
 * evidence that a checkpoint of its own contradicts its log, 0 when it
 * signs, or SEEN_ECORRUPT.  Only an operator can clear that state
 * (seen_xlog_resolve()), after finding out what happened: the node cannot
 * tell which of its histories its peers rely on.
 */
int
seen_xlog_halted(struct seen_txn *txn)
{
    const void *v;
    size_t vlen;
    int rc;

    rc = seen_store_get(txn, SEEN_DB_XSTATE, K_HALT, strlen(K_HALT), &v, &vlen);
    if (rc == SEEN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    return 1;
}

/**
 * seen_xlog_latest(txn, cp, len):
 * Look up the largest checkpoint of this log the node knows it signed:
 * *${cp} (*${len} bytes, an encoded Checkpoint) is borrowed until the end
 * of ${txn} or its next write.  For envelope headers, decode it with
 * seen_checkpoint_decode().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_latest(struct seen_txn *txn, const uint8_t **cp, size_t *len)
{
    const void *v;
    int rc;

    if ((rc = seen_store_get(
             txn, SEEN_DB_XSTATE, K_SIGNED, strlen(K_SIGNED), &v, len)) != 0)
        return rc;
    *cp = v;
    return SEEN_OK;
}

/* Copy the checkpoint ${c} into ${out}, pointing into ${buf}. */
static void
copy_cp(Seen__Checkpoint *out, uint8_t buf[SEEN_CHECKPOINT_BUF],
    const Seen__Checkpoint *c)
{

    seen__checkpoint__init(out);
    memcpy(buf, c->origin.data, 32);
    memcpy(buf + 32, c->root.data, 32);
    memcpy(buf + 64, c->signature.data, 64);
    out->origin.data = buf;
    out->origin.len = 32;
    out->size = c->size;
    out->root.data = buf + 32;
    out->root.len = 32;
    out->time = c->time;
    out->signature.data = buf + 64;
    out->signature.len = 64;
}

/* Record the own checkpoint ${c} as known signed ('C', and "signed" when
 * it is the largest). */
static int
record_own(struct seen_txn *txn, const Seen__Checkpoint *c)
{
    Seen__Checkpoint *last = NULL;
    uint8_t k[49];
    int rc;

    own_key(k, P_OWN, c->size, c->time, NULL);
    if ((rc = put_cp(txn, k, 17, c)) != 0)
        return rc;
    rc = load_cp(txn, K_SIGNED, strlen(K_SIGNED), &last);
    if (rc == SEEN_ENOTFOUND || (rc == 0 && c->size > last->size))
        rc = put_cp(txn, K_SIGNED, strlen(K_SIGNED), c);
    seen_checkpoint_destroy(&last);
    return rc;
}

/**
 * seen_xlog_checkpoint(txn, k, now, out, buf):
 * Sign, as the node ${k}, a checkpoint of the whole log at time ${now}
 * and record it, inside the write transaction ${txn}, as known signed.
 * When the largest checkpoint known signed has the log's size and root
 * already, that one is returned instead and nothing is written.  Publish
 * the checkpoint only after ${txn} commits.
 * [out] ${out}: the checkpoint; its origin, root and signature point into
 * ${buf} (SEEN_CHECKPOINT_BUF bytes of caller storage that must outlive
 * it).
 * Returns 0; SEEN_EPERM when the node must not sign: it holds evidence
 * that a checkpoint of its own contradicts its log (see
 * seen_xlog_halted()), or it knows it signed a larger size, or another
 * root at this size (logged), or an operator's resolution forbids this
 * size (the log is not above seen_xlog_floor() yet; not logged);
 * SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_checkpoint(struct seen_txn *txn, const struct seen_keys *k,
    uint64_t now, Seen__Checkpoint *out,
    uint8_t buf[static SEEN_CHECKPOINT_BUF])
{
    Seen__Checkpoint *last = NULL;
    uint8_t root[32];
    uint64_t n, floor;
    int rc;

    seen__checkpoint__init(out);
    if ((rc = seen_xlog_halted(txn)) != 0) {
        if (rc == 1) {
            seen_warn("exchange log: refusing to sign a checkpoint: a "
                      "checkpoint of this node's own contradicts its log "
                      "(restored from a backup?); see the evidence");
            return SEEN_EPERM;
        }
        return rc;
    }
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = get_floor(txn, &floor)) != 0)
        return rc;
    /* Resolved by an operator: not again at or below any size of its own
     * it has seen (seen_xlog_resolve()).  Not logged: the caller says,
     * once, that the node does not sign yet. */
    if (floor != 0 && n <= floor)
        return SEEN_EPERM;
    if ((rc = seen_xlog_root(txn, n, root)) != 0)
        return rc;
    rc = load_cp(txn, K_SIGNED, strlen(K_SIGNED), &last);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    if (last != NULL) {
        if (memcmp(last->origin.data, k->sign_pk, 32) != 0) {
            seen_warn("exchange log: the latest checkpoint is of another node");
            rc = SEEN_ECORRUPT;
            goto done;
        }
        if (n < last->size ||
            (n == last->size && memcmp(root, last->root.data, 32) != 0)) {
            seen_warn("exchange log: refusing to sign size %llu: this node "
                      "signed size %llu with another history",
                (unsigned long long)n, (unsigned long long)last->size);
            rc = SEEN_EPERM;
            goto done;
        }
        if (n == last->size) {
            copy_cp(out, buf, last);
            rc = SEEN_OK;
            goto done;
        }
    }
    if ((rc = seen_checkpoint_sign(
             out, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, k, n, root, now)) != 0)
        goto done;
    if ((rc = record_own(txn, out)) != 0)
        seen__checkpoint__init(out);
done:
    seen_checkpoint_destroy(&last);
    return rc;
}

/* Store ${ev} as evidence against ${origin}'s log ('E' key). */
static int
put_evidence(struct seen_txn *txn, const uint8_t origin[32],
    const Seen__XLogEvidence *ev, int halt)
{
    uint8_t k[65], *enc;
    size_t n;
    int rc;

    n = seen__xlog_evidence__get_packed_size(ev);
    if ((enc = malloc(n ? n : 1)) == NULL) {
        seen_warnp("exchange log: cannot encode evidence");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_evidence__pack(ev, enc) != n) {
        rc = SEEN_ERR;
        goto done;
    }
    k[0] = P_EVIDENCE;
    memcpy(k + 1, origin, 32);
    crypto_hash_sha256(k + 33, enc, n);
    if ((rc = seen_store_put(txn, SEEN_DB_XSTATE, k, sizeof k, enc, n)) != 0)
        goto done;
    if (halt && (rc = seen_xlog_halted(txn)) == 0)
        rc =
            seen_store_put(txn, SEEN_DB_XSTATE, K_HALT, strlen(K_HALT), enc, n);
    else if (rc == 1)
        rc = SEEN_OK;
done:
    free(enc);
    return rc;
}

struct first_ctx {
    Seen__Checkpoint *cp;
};

static int
first_cp(void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct first_ctx *c = vctx;

    (void)key;
    (void)klen;
    if (seen_checkpoint_decode(val, vlen, &c->cp) != 0)
        c->cp = NULL;
    return 1;
}

/**
 * seen_xlog_note_own_checkpoint(txn, k, cp):
 * A peer showed the node ${k} the checkpoint ${cp} of its own log (from
 * an exchange, or inside a cosignature).  If it is signed by ${k} and the
 * log has its size and root, it is recorded as known signed (so that the
 * node never signs a smaller size).  If the log is smaller than it, or
 * has another root at its size, the node's log is not the history it
 * signed (restored from a backup, or rewritten): the checkpoint is kept
 * as evidence (with a checkpoint of the node's own at the same size, if
 * it holds one) and the node stops signing, durably -- unless an
 * operator's resolution already covers its size (it is at most
 * seen_xlog_floor()): then only the evidence is kept.
 * Returns 0 when ${cp} agrees with the log; SEEN_EAUTH when it does not:
 * the evidence (and the refusal, if any: seen_xlog_halted() says) were
 * written to ${txn}, which the caller must commit (logged); SEEN_EINVAL
 * when ${cp} is malformed, not of ${k}'s log, or not validly signed
 * (nothing written); SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_note_own_checkpoint(
    struct seen_txn *txn, const struct seen_keys *k, const Seen__Checkpoint *cp)
{
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    struct first_ctx fc = {NULL};
    uint8_t root[32], pre[9];
    uint64_t n, floor;
    int rc;

    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
        memcmp(cp->origin.data, k->sign_pk, 32) != 0)
        return SEEN_EINVAL;
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = get_floor(txn, &floor)) != 0)
        return rc;
    if (cp->size <= n) {
        if ((rc = seen_xlog_root(txn, cp->size, root)) != 0)
            return rc;
        if (memcmp(root, cp->root.data, 32) == 0)
            return record_own(txn, cp);
    }
    /* The log is not the history this node signed. */
    pre[0] = P_OWN;
    seen_be64(pre + 1, cp->size);
    if ((rc = seen_store_iter(
             txn, SEEN_DB_XSTATE, pre, sizeof pre, first_cp, &fc)) != 0)
        return rc;
    ev.first = (Seen__Checkpoint *)(uintptr_t)cp;
    if (fc.cp != NULL && memcmp(fc.cp->root.data, cp->root.data, 32) != 0)
        ev.second = fc.cp;
    /* At or below an operator's resolution, it is more of the history
     * already resolved: kept, but the node signs on above the floor. */
    rc = put_evidence(txn, k->sign_pk, &ev, cp->size > floor);
    seen_checkpoint_destroy(&fc.cp);
    if (rc != 0)
        return rc;
    if (cp->size > floor)
        seen_warn("exchange log: a peer holds a checkpoint of this node's log "
                  "(size %llu) that the log (size %llu) contradicts: restored "
                  "from a backup, or rewritten?  Kept as evidence; this node "
                  "will sign no further checkpoint",
            (unsigned long long)cp->size, (unsigned long long)n);
    else
        seen_notice("exchange log: a peer holds a checkpoint of this node's "
                    "log (size %llu) from the history an operator resolved "
                    "(signing resumes above size %llu): kept as evidence",
            (unsigned long long)cp->size, (unsigned long long)floor);
    return SEEN_EAUTH;
}

/* The largest checkpoint size found in evidence against the own log. */
static int
evidence_max(
    void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    Seen__XLogEvidence *ev;
    uint64_t *max = vctx;

    (void)key;
    (void)klen;
    if ((ev = seen__xlog_evidence__unpack(NULL, vlen, val)) == NULL)
        return SEEN_ECORRUPT;
    if (ev->first != NULL && ev->first->size > *max)
        *max = ev->first->size;
    if (ev->second != NULL && ev->second->size > *max)
        *max = ev->second->size;
    seen__xlog_evidence__free_unpacked(ev, NULL);
    return 0;
}

/**
 * seen_xlog_resolve(txn, k, op, reason, now, floor):
 * As the operator ${op}, who found out why, clear the refusal to sign of
 * the halted node ${k} (seen_xlog_halted()) at time ${now}, inside the
 * write transaction ${txn}.  The evidence is kept; the resolution (${op},
 * ${reason}, ${now}, the floor and the evidence that halted the node) is
 * recorded; and the node signs again only at sizes above the floor: the
 * largest size of any checkpoint of its own log it has seen (signed, or
 * shown it in evidence), or of an earlier resolution.  Why this and no
 * more: "Resolving a halt" above.
 * [out] ${floor}: when not NULL, that size.
 * Whether ${op} may do this is the caller's to check (an admin).
 * Returns 0; SEEN_ENOTFOUND when the node is not halted (nothing
 * written); SEEN_EINVAL when ${op} or ${reason} is empty, or ${reason} is
 * longer than SEEN_XLOG_REASON_MAX bytes; SEEN_ECORRUPT; SEEN_ENOMEM;
 * SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_resolve(struct seen_txn *txn, const struct seen_keys *k,
    const char *op, const char *reason, uint64_t now, uint64_t *floor)
{
    Seen__XLogResolution r = SEEN__XLOG_RESOLUTION__INIT;
    uint8_t pre[33], key[17], fb[8], *enc = NULL;
    const void *halt;
    uint64_t max, ss;
    size_t hlen, n;
    int rc;

    if ((rc = seen_xlog_halted(txn)) != 1)
        return rc == 0 ? SEEN_ENOTFOUND : rc;
    if (op == NULL || op[0] == '\0' || reason == NULL || reason[0] == '\0' ||
        strlen(reason) > SEEN_XLOG_REASON_MAX)
        return SEEN_EINVAL;
    if ((rc = seen_store_get(
             txn, SEEN_DB_XSTATE, K_HALT, strlen(K_HALT), &halt, &hlen)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    /* The floor: every size of its own this node has seen. */
    if ((rc = get_floor(txn, &max)) != 0 || (rc = signed_size(txn, &ss)) != 0)
        return rc;
    if (ss > max)
        max = ss;
    pre[0] = P_EVIDENCE;
    memcpy(pre + 1, k->sign_pk, 32);
    if ((rc = seen_store_iter(
             txn, SEEN_DB_XSTATE, pre, sizeof pre, evidence_max, &max)) != 0)
        return rc;
    if ((rc = evidence_max(&max, NULL, 0, halt, hlen)) != 0)
        return rc;

    r.operator_ = (char *)(uintptr_t)op;
    r.reason = (char *)(uintptr_t)reason;
    r.time = now;
    r.floor = max;
    r.evidence.data = (uint8_t *)(uintptr_t)halt;
    r.evidence.len = hlen;
    n = seen__xlog_resolution__get_packed_size(&r);
    if ((enc = malloc(n)) == NULL) {
        seen_warnp("exchange log: cannot record a resolution");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_resolution__pack(&r, enc) != n) {
        rc = SEEN_ERR;
        goto done;
    }
    key[0] = P_RESOLVED;
    seen_be64(key + 1, now);
    seen_be64(key + 9, max);
    seen_be64(fb, max);
    /* enc does not point into the store: the writes below may move it. */
    if ((rc = seen_store_put(txn, SEEN_DB_XSTATE, key, sizeof key, enc, n)) !=
            0 ||
        (rc = seen_store_put(txn, SEEN_DB_XSTATE, K_FLOOR, strlen(K_FLOOR), fb,
             sizeof fb)) != 0 ||
        (rc = seen_store_del(
             txn, SEEN_DB_XSTATE, K_HALT, strlen(K_HALT), NULL, 0)) != 0)
        goto done;
    if (floor != NULL)
        *floor = max;
    seen_notice("exchange log: an operator resolved this node's refusal to "
                "sign; the evidence is kept, and it signs again above size "
                "%llu",
        (unsigned long long)max);
    rc = SEEN_OK;
done:
    free(enc);
    return rc;
}

/**
 * seen_xlog_floor(txn, floor):
 * Write to *${floor} the size at or below which an operator's resolution
 * (seen_xlog_resolve()) forbids the node to sign: 0 when none.
 * Returns 0 or SEEN_ECORRUPT.
 */
int
seen_xlog_floor(struct seen_txn *txn, uint64_t *floor)
{

    return get_floor(txn, floor);
}

/**
 * seen_xlog_held(txn, origin, cp, len):
 * Look up the latest checkpoint held of the log of ${origin}: *${cp}
 * (*${len} bytes, encoded) is borrowed until the end of ${txn} or its next
 * write.  The size to ask a consistency proof from.
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_held(struct seen_txn *txn, const uint8_t origin[static 32],
    const uint8_t **cp, size_t *len)
{
    uint8_t k[33];
    const void *v;
    int rc;

    peer_key(k, P_HELD, origin);
    if ((rc = seen_store_get(txn, SEEN_DB_XSTATE, k, sizeof k, &v, len)) != 0)
        return rc;
    *cp = v;
    return SEEN_OK;
}

/**
 * seen_xlog_pending(txn, origin, cp, len):
 * Look up the checkpoint of ${origin} that seen_xlog_witness() kept
 * waiting for a consistency proof, borrowed as in seen_xlog_held().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_pending(struct seen_txn *txn, const uint8_t origin[static 32],
    const uint8_t **cp, size_t *len)
{
    uint8_t k[33];
    const void *v;
    int rc;

    peer_key(k, P_PENDING, origin);
    if ((rc = seen_store_get(txn, SEEN_DB_XSTATE, k, sizeof k, &v, len)) != 0)
        return rc;
    *cp = v;
    return SEEN_OK;
}

/**
 * seen_xlog_cosign(k, cp, cplen, time, out, len):
 * Countersign, as the witness ${k} at ${time}, the encoded checkpoint
 * ${cp} (${cplen} bytes, signed exactly as given).  Does not check ${cp}:
 * see seen_xlog_witness().
 * [out] ${out}, ${len}: the encoded Cosignature (malloc'd; the caller
 * frees it).
 * Returns 0; SEEN_EINVAL when ${cplen} is 0 or over 1 KiB; SEEN_ENOMEM.
 */
int
seen_xlog_cosign(const struct seen_keys *k, const uint8_t *cp, size_t cplen,
    uint64_t time, uint8_t **out, size_t *len)
{
    Seen__Cosignature cs = SEEN__COSIGNATURE__INIT;
    uint8_t msg[8 + COSIGN_CP_MAX], sig[64], *buf;
    size_t n;
    int rc;

    *out = NULL;
    *len = 0;
    if (cp == NULL || cplen == 0 || cplen > COSIGN_CP_MAX)
        return SEEN_EINVAL;
    seen_be64(msg, time);
    memcpy(msg + 8, cp, cplen);
    if ((rc = seen_sign(sig, SEEN_DOMAIN_COSIGN, msg, 8 + cplen, k->sign_sk)) !=
        0)
        return rc;
    cs.checkpoint.data = (uint8_t *)(uintptr_t)cp;
    cs.checkpoint.len = cplen;
    cs.witness.data = (uint8_t *)(uintptr_t)k->sign_pk;
    cs.witness.len = 32;
    cs.signature.data = sig;
    cs.signature.len = 64;
    cs.time = time;
    n = seen__cosignature__get_packed_size(&cs);
    if ((buf = malloc(n)) == NULL) {
        seen_warnp("exchange log: cannot encode a cosignature");
        return SEEN_ENOMEM;
    }
    if (seen__cosignature__pack(&cs, buf) != n) {
        free(buf);
        return SEEN_ERR;
    }
    *out = buf;
    *len = n;
    return SEEN_OK;
}

/**
 * seen_xlog_cosignature_open(buf, len, cs, cp):
 * Decode the Cosignature ${buf} (${len} bytes) and check it: a 32-byte
 * witness, a 64-byte signature valid under the witness over the message
 * above, and a checkpoint that decodes well formed, signed by its origin
 * under SEEN_DOMAIN_XLOG_CHECKPOINT, whose origin is not the witness.
 * [out] ${cs}, ${cp}: the cosignature and its checkpoint, which the
 * caller releases with seen__cosignature__free_unpacked(*cs, NULL) and
 * seen_checkpoint_destroy(cp); NULL on error.
 * Returns 0; SEEN_EINVAL when malformed; SEEN_EAUTH when a signature is
 * not valid.  Does not log.
 */
int
seen_xlog_cosignature_open(const uint8_t *buf, size_t len,
    Seen__Cosignature **cs, Seen__Checkpoint **cp)
{
    Seen__Cosignature *s;
    Seen__Checkpoint *c = NULL;
    uint8_t msg[8 + COSIGN_CP_MAX];
    int rc;

    *cs = NULL;
    *cp = NULL;
    if ((buf == NULL && len != 0) || len > 4096)
        return SEEN_EINVAL;
    if ((s = seen__cosignature__unpack(NULL, len, buf)) == NULL)
        return SEEN_EINVAL;
    rc = SEEN_EINVAL;
    if (s->witness.len != 32 || s->signature.len != 64 ||
        s->checkpoint.len == 0 || s->checkpoint.len > COSIGN_CP_MAX)
        goto fail;
    if (seen_checkpoint_decode(s->checkpoint.data, s->checkpoint.len, &c) != 0)
        goto fail;
    if (memcmp(c->origin.data, s->witness.data, 32) == 0)
        goto fail;
    rc = SEEN_EAUTH;
    if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0)
        goto fail;
    seen_be64(msg, s->time);
    memcpy(msg + 8, s->checkpoint.data, s->checkpoint.len);
    if (seen_verify(s->signature.data, SEEN_DOMAIN_COSIGN, msg,
            8 + s->checkpoint.len, s->witness.data) != 0)
        goto fail;
    *cs = s;
    *cp = c;
    return SEEN_OK;
fail:
    seen_checkpoint_destroy(&c);
    seen__cosignature__free_unpacked(s, NULL);
    return rc;
}

/**
 * seen_xlog_add_cosignature(txn, k, cosig, len):
 * Keep the cosignature ${cosig} (${len} bytes) that a witness returned
 * for a checkpoint of the log of the node ${k}, inside the write
 * transaction ${txn}.  It must pass seen_xlog_cosignature_open() and be
 * of ${k}'s log; its checkpoint is then noted as by
 * seen_xlog_note_own_checkpoint(), and kept only if it agrees with the
 * log.  Whether the witness is a member is the caller's to check.
 * Returns 0; SEEN_EINVAL for a malformed or badly signed cosignature, or
 * one of another log (nothing written); SEEN_EAUTH when its checkpoint
 * contradicts the log (evidence and refusal written: commit ${txn});
 * SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_add_cosignature(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t *cosig, size_t len)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *cp;
    uint8_t key[49];
    int rc;

    if (seen_xlog_cosignature_open(cosig, len, &cs, &cp) != 0)
        return SEEN_EINVAL;
    if (memcmp(cp->origin.data, k->sign_pk, 32) != 0) {
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((rc = seen_xlog_note_own_checkpoint(txn, k, cp)) != 0)
        goto done;
    own_key(key, P_COSIG, cp->size, cp->time, cs->witness.data);
    rc = seen_store_put(txn, SEEN_DB_XSTATE, key, sizeof key, cosig, len);
done:
    seen_checkpoint_destroy(&cp);
    seen__cosignature__free_unpacked(cs, NULL);
    return rc;
}

/**
 * seen_xlog_witness(txn, k, theirs, proof, plen, now, cosig, cosiglen):
 * Witness the peer's exchange-log checkpoint ${theirs} as the node ${k}
 * at time ${now}, inside the write transaction ${txn}.  It is checked
 * against the latest checkpoint held of that peer: with none held, or
 * one of size 0, it is accepted; at the same size the roots must be
 * equal; otherwise ${proof} (${plen} hashes, NULL if ${plen} is 0) must
 * be the RFC 9162 consistency proof from the smaller of the two sizes to
 * the larger.  With no proof (${plen} 0) for different sizes, nothing
 * is decided: a ${theirs} larger than the one held is kept as pending
 * (seen_xlog_pending(); it replaces an earlier pending one) until the
 * caller has a proof.  A proof whose length is not that of an RFC 9162
 * proof between the two sizes (seen_merkle_consistency_len()) is not a
 * proof: refused, and no evidence of anything.
 * Accepted, a larger checkpoint becomes the one held of that peer, and
 * the node countersigns it.  A pending checkpoint no larger is then
 * settled and dropped: of its size and root, it was this one; smaller,
 * it adds nothing to what is held (as when it comes without a proof);
 * of its size and another root, the peer signed two roots for one size:
 * both are kept as evidence, not countersigned, and the call returns
 * SEEN_EAUTH (the one accepted stays held).  The membership of the peer
 * is the caller's to check first.
 * [out] ${cosig}, ${cosiglen}: on success the encoded Cosignature, to
 * send back to the peer (malloc'd; the caller frees it); NULL and 0
 * otherwise.
 * Returns 0; SEEN_EAGAIN when kept pending (no proof); SEEN_EAUTH when
 * ${theirs} is not consistent with the checkpoint held, or with the one
 * pending of its size: both are kept as evidence, with the proof, in
 * ${txn}, which the caller must commit, and then raise an alert
 * (logged); SEEN_EINVAL when ${theirs} is malformed, not validly signed,
 * or of ${k}'s own log, or the proof has the wrong length (nothing
 * written); SEEN_ENOMEM; SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_witness(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__Checkpoint *theirs, const uint8_t proof[][32], size_t plen,
    uint64_t now, uint8_t **cosig, size_t *cosiglen)
{
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    ProtobufCBinaryData pv[SEEN_MERKLE_PROOF_MAX];
    Seen__Checkpoint *held = NULL, *pend = NULL;
    const Seen__Checkpoint *small, *large;
    uint8_t hk[33], empty[32], *enc = NULL;
    size_t elen, i;
    int rc, replace = 0;

    *cosig = NULL;
    *cosiglen = 0;
    if (seen_checkpoint_verify(theirs, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
        memcmp(theirs->origin.data, k->sign_pk, 32) == 0 ||
        plen > SEEN_MERKLE_PROOF_MAX || (proof == NULL && plen != 0))
        return SEEN_EINVAL;
    seen_merkle_empty_root(empty);
    if (theirs->size == 0 && memcmp(theirs->root.data, empty, 32) != 0)
        return SEEN_EINVAL;
    peer_key(hk, P_HELD, theirs->origin.data);
    rc = load_cp(txn, hk, sizeof hk, &held);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    if (held == NULL || held->size == 0) {
        replace = 1;
    } else if (held->size == theirs->size) {
        if (memcmp(held->root.data, theirs->root.data, 32) != 0)
            goto inconsistent;
        replace = theirs->time > held->time;
    } else if (theirs->size == 0) {
        replace = 0;
    } else {
        if (plen == 0) {
            /* Keep a larger one until a proof comes; an older one adds
             * nothing to what is held. */
            rc = SEEN_EAGAIN;
            if (theirs->size > held->size) {
                peer_key(hk, P_PENDING, theirs->origin.data);
                if ((rc = put_cp(txn, hk, sizeof hk, theirs)) == 0)
                    rc = SEEN_EAGAIN;
            }
            goto done;
        }
        small = held->size < theirs->size ? held : theirs;
        large = held->size < theirs->size ? theirs : held;
        /* Not the length of a proof between these sizes: not a proof at
         * all, so no evidence of anything. */
        if (plen != seen_merkle_consistency_len(small->size, large->size)) {
            rc = SEEN_EINVAL;
            goto done;
        }
        if (seen_merkle_verify_consistency(small->size, large->size,
                small->root.data, large->root.data, proof, plen) != 0)
            goto inconsistent;
        replace = theirs->size > held->size;
    }

    /* Consistent: hold it if it is newer, and countersign it. */
    if (replace) {
        if ((rc = put_cp(txn, hk, sizeof hk, theirs)) != 0)
            goto done;
        peer_key(hk, P_PENDING, theirs->origin.data);
        rc = load_cp(txn, hk, sizeof hk, &pend);
        if (rc != 0 && rc != SEEN_ENOTFOUND)
            goto done;
        /* A pending one no larger is settled: the same one, or an older
         * one that adds nothing to what is held now (as when it comes
         * without a proof); one of the same size with another root is
         * the peer's second history. */
        if (pend != NULL && pend->size <= theirs->size) {
            if ((rc = seen_store_del(
                     txn, SEEN_DB_XSTATE, hk, sizeof hk, NULL, 0)) != 0)
                goto done;
            if (pend->size == theirs->size &&
                memcmp(pend->root.data, theirs->root.data, 32) != 0) {
                ev.first = (Seen__Checkpoint *)(uintptr_t)theirs;
                ev.second = pend;
                if ((rc = put_evidence(txn, theirs->origin.data, &ev, 0)) != 0)
                    goto done;
                seen_warn("exchange log: a peer signed two roots for size "
                          "%llu of its log: both kept as evidence of "
                          "equivocation",
                    (unsigned long long)theirs->size);
                rc = SEEN_EAUTH;
                goto done;
            }
        }
    }
    if ((rc = seen_checkpoint_encode(theirs, &enc, &elen)) != 0)
        goto done;
    rc = seen_xlog_cosign(k, enc, elen, now, cosig, cosiglen);
    goto done;

inconsistent:
    ev.first = held;
    ev.second = (Seen__Checkpoint *)(uintptr_t)theirs;
    for (i = 0; i < plen; i++) {
        pv[i].data = (uint8_t *)(uintptr_t)proof[i];
        pv[i].len = 32;
    }
    ev.n_proof = plen;
    ev.proof = plen ? pv : NULL;
    if ((rc = put_evidence(txn, theirs->origin.data, &ev, 0)) != 0)
        goto done;
    seen_warn("exchange log: a checkpoint of a peer's log (size %llu) is not "
              "consistent with the one held (size %llu): both kept as evidence "
              "of equivocation",
        (unsigned long long)theirs->size, (unsigned long long)held->size);
    rc = SEEN_EAUTH;
done:
    free(enc);
    seen_checkpoint_destroy(&pend);
    seen_checkpoint_destroy(&held);
    return rc;
}

struct iter_ctx {
    seen_xlog_iter_fn *fn;
    void *ctx;
};

static int
iter_one(void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct iter_ctx *c = vctx;

    (void)key;
    (void)klen;
    return c->fn(c->ctx, val, vlen);
}

/**
 * seen_xlog_iter(txn, set, fn, ctx):
 * Call ${fn}(${ctx}, ...) for each value of ${set}.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_EINVAL for
 * an unknown ${set}; SEEN_ECORRUPT.
 */
int
seen_xlog_iter(struct seen_txn *txn, enum seen_xlog_set set,
    seen_xlog_iter_fn *fn, void *ctx)
{
    struct iter_ctx c = {fn, ctx};
    uint8_t p;

    switch (set) {
    case SEEN_XLOG_OWN_CHECKPOINTS:
        p = P_OWN;
        break;
    case SEEN_XLOG_COSIGNATURES:
        p = P_COSIG;
        break;
    case SEEN_XLOG_HELD:
        p = P_HELD;
        break;
    case SEEN_XLOG_PENDING:
        p = P_PENDING;
        break;
    case SEEN_XLOG_EVIDENCE:
        p = P_EVIDENCE;
        break;
    case SEEN_XLOG_RESOLUTIONS:
        p = P_RESOLVED;
        break;
    default:
        return SEEN_EINVAL;
    }
    return seen_store_iter(txn, SEEN_DB_XSTATE, &p, 1, iter_one, &c);
}

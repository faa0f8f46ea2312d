#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "proto/envelope.h"
#include "storage/feed.h"
#include "storage/mlog.h"
#include "storage/store.h"
#include "xlog/leaf.h"
#include "xlog/state.h"
#include "xlog/xlog.h"

/**
 * seen_xlog_mlog(l, txn):
 * Fill ${l} with the log as a Merkle log in ${txn}: xlog, xhash and the
 * "size" of xstate, with no key prefix, its leaves packed by reference
 * to the feeds' (xlog.h).
 */
void
seen_xlog_mlog(struct seen_mlog *l, struct seen_txn *txn)
{

    memset(l, 0, sizeof *l);
    l->txn = txn;
    l->leaves = SEEN_DB_XLOG;
    l->hashes = SEEN_DB_XHASH;
    l->sizedb = SEEN_DB_XSTATE;
    l->sizeklen = strlen(SEEN_XSTATE_SIZE);
    memcpy(l->sizekey, SEEN_XSTATE_SIZE, l->sizeklen);
    l->ref = seen_feed_leaf; /* what a packed leaf refers to */
}

/* Log that the next leaf is refused, and why; returns SEEN_EINVAL. */
static int
refuse(struct seen_txn *txn, const char *why)
{
    uint64_t n;

    if (seen_xlog_size(txn, &n) != 0)
        n = 0;
    seen_error("exchange log: refusing leaf %llu: %s", (unsigned long long)n,
        why);
    return SEEN_EINVAL;
}

/*
 * Append the leaf ${l}, whose kind, time, peer and envelope or record are
 * set and keep the leaf rules (xlog/leaf.h), at the end of the log: its
 * seq is the log's size, its signed_size the largest size known signed.
 */
static int
append_leaf(struct seen_txn *txn, Seen__XLogLeaf *l, uint64_t *index)
{
    struct seen_mlog ml;
    uint8_t *buf;
    uint64_t n, ss;
    size_t blen;
    int rc;

    seen_xlog_mlog(&ml, txn);
    if ((rc = seen_mlog_size(&ml, &n)) != 0 ||
        (rc = seen_xlog_state_signed_size(txn, &ss)) != 0)
        return rc;
    if (ss > n)
        return refuse(txn, "leaf signed_size is beyond its position");
    l->seq = n;
    l->signed_size = ss;
    if ((blen = seen__xlog_leaf__get_packed_size(l)) > SEEN_XLOG_LEAF_MAX)
        return refuse(txn, "too large");
    if ((buf = malloc(blen)) == NULL) {
        seen_errorp("exchange log: cannot encode a leaf");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_leaf__pack(l, buf) != blen)
        rc = SEEN_ERR;
    else
        rc = seen_mlog_append(&ml, buf, blen, index);
    free(buf);
    return rc;
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
 * The envelope or record is decoded once, to be checked against the leaf
 * rules (xlog/leaf.h).
 * Returns 0; SEEN_EINVAL when the leaf would break a rule of xlog/leaf.h
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
    const char *why = "";
    int rc;

    if (data == NULL && len != 0)
        return SEEN_EINVAL;
    if (len > SEEN_XLOG_LEAF_MAX)
        return refuse(txn, "too large");
    l.kind = kind;
    l.time = time;
    if (kind == SEEN__XLOG_KIND__XLOG_SENT ||
        kind == SEEN__XLOG_KIND__XLOG_RECEIVED) {
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
    /* The peer of an envelope may point into v from here on. */
    if ((rc = seen_xlog_leaf_check(&l, k->sign_pk, &v, &why)) != 0)
        return rc == SEEN_EINVAL ? refuse(txn, why) : rc;
    rc = append_leaf(txn, &l, index);
    seen_xlog_leaf_release(&v);
    return rc;
}

/**
 * seen_xlog_sent(txn, k, env, len, time, index):
 * seen_xlog_append() of the envelope ${env} (${len} bytes) that the node
 * ${k} sealed and sends: the peer is its recipient, found as the
 * envelope is decoded for the leaf rules.  Same returns.
 */
int
seen_xlog_sent(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t *env, size_t len, uint64_t time, uint64_t *index)
{

    return seen_xlog_append(
        txn, k, SEEN__XLOG_KIND__XLOG_SENT, NULL, env, len, time, index);
}

/**
 * seen_xlog_received(txn, k, v, time, index):
 * seen_xlog_append() of the envelope that the node ${k} accepted, as
 * seen_envelope_open() (or seen_replay_open()) verified it into ${v}: its
 * bytes exactly as received (v->raw), and its sender as the peer.  The
 * envelope is not decoded again, nor its fields checked again (rule 1 of
 * seen_envelope_open() is the leaf rules'); what is checked is that the
 * node ${k} is its recipient.  Same returns; ${v} is not retained.
 */
int
seen_xlog_received(struct seen_txn *txn, const struct seen_keys *k,
    const struct seen_envelope_view *v, uint64_t time, uint64_t *index)
{
    Seen__XLogLeaf l = SEEN__XLOG_LEAF__INIT;
    const char *why;

    if (v->raw == NULL || v->rawlen == 0 || v->part == NULL ||
        v->part->header == NULL || v->sender == NULL)
        return refuse(txn, "no envelope");
    if ((why = seen_xlog_leaf_ends(SEEN__XLOG_KIND__XLOG_RECEIVED,
             k->sign_pk, v->sender, v->part->header)) != NULL)
        return refuse(txn, why);
    l.kind = SEEN__XLOG_KIND__XLOG_RECEIVED;
    l.time = time;
    l.peer.data = (uint8_t *)(uintptr_t)v->sender;
    l.peer.len = 32;
    l.envelope.data = (uint8_t *)(uintptr_t)v->raw;
    l.envelope.len = v->rawlen;
    return append_leaf(txn, &l, index);
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
        seen_errorp("exchange log: cannot encode a record");
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
 * seen_xlog_operator(txn, k, o, index):
 * seen_xlog_append() of the change to the node's operators ${o}, encoded,
 * at o->time.  Same returns (SEEN_EINVAL when ${o} breaks a rule).
 */
int
seen_xlog_operator(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__OperatorRecord *o, uint64_t *index)
{

    return append_record(txn, k, SEEN__XLOG_KIND__XLOG_OPERATOR,
        (const ProtobufCMessage *)o, NULL, o->time, index);
}

/**
 * seen_xlog_oprf(txn, k, o, index):
 * seen_xlog_append() of the OPRF request ${o} this node served or refused
 * as a custodian, encoded, at o->time, its peer o->member.  Same returns
 * (SEEN_EINVAL when ${o} breaks a rule).
 */
int
seen_xlog_oprf(struct seen_txn *txn, const struct seen_keys *k,
    const Seen__OprfRecord *o, uint64_t *index)
{

    if (o->member.len != 32)
        return SEEN_EINVAL;
    return append_record(txn, k, SEEN__XLOG_KIND__XLOG_OPRF,
        (const ProtobufCMessage *)o, o->member.data, o->time, index);
}

/**
 * seen_xlog_size(txn, size):
 * Write the number of leaves of the log to *${size} (0 for none).
 * Returns 0 or SEEN_ECORRUPT.
 */
int
seen_xlog_size(struct seen_txn *txn, uint64_t *size)
{
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_size(&l, size);
}

/**
 * seen_xlog_leaf(txn, i, leaf, len):
 * Look up leaf ${i}, unpacked into memory ${txn} owns when it is stored
 * packed; see xlog.h.
 */
int
seen_xlog_leaf(
    struct seen_txn *txn, uint64_t i, const uint8_t **leaf, size_t *len)
{

    return seen_xlog_leaf_buf(txn, i, NULL, leaf, len);
}

/**
 * seen_xlog_leaf_buf(txn, i, b, leaf, len):
 * As seen_xlog_leaf, a packed leaf unpacked into ${b}; see xlog.h.
 */
int
seen_xlog_leaf_buf(struct seen_txn *txn, uint64_t i, struct seen_mlog_buf *b,
    const uint8_t **leaf, size_t *len)
{
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_leaf_buf(&l, i, b, leaf, len);
}

/**
 * seen_xlog_leaf_raw(txn, i, val, len):
 * The value stored for leaf ${i}, packed or whole; see xlog.h.
 */
int
seen_xlog_leaf_raw(
    struct seen_txn *txn, uint64_t i, const uint8_t **val, size_t *len)
{
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_leaf_raw(&l, i, val, len);
}

struct each_leaf {
    seen_xlog_leaf_fn *fn;
    void *ctx;
    struct seen_mlog l;
    struct seen_mlog_buf b; /* a packed leaf, unpacked */
};

static int
on_leaf(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct each_leaf *c = ctx;
    const uint8_t *leaf;
    size_t len;
    int rc;

    if (klen != 8)
        return SEEN_ECORRUPT;
    if ((rc = seen_mlog_unpack(&c->l, val, vlen, &c->b, &leaf, &len)) != 0)
        return rc;
    return c->fn(c->ctx, seen_rd64(key), leaf, len);
}

/**
 * seen_xlog_each_leaf(txn, fn, ctx):
 * Call ${fn} for every stored leaf in the order of their indexes (which
 * the caller may check for gaps).
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged key.
 */
int
seen_xlog_each_leaf(struct seen_txn *txn, seen_xlog_leaf_fn *fn, void *ctx)
{
    struct each_leaf c = {fn, ctx, {0}, {NULL, 0}};
    int rc;

    seen_xlog_mlog(&c.l, txn);
    rc = seen_store_iter(txn, SEEN_DB_XLOG, NULL, 0, on_leaf, &c);
    seen_mlog_buf_free(&c.b);
    return rc;
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
    struct seen_mlog l;

    seen_xlog_mlog(&l, ctx);
    return seen_mlog_subtree(&l, start, size, out);
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
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_root(&l, size, root);
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
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_inclusion(&l, index, size, proof, plen);
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
    struct seen_mlog l;

    seen_xlog_mlog(&l, txn);
    return seen_mlog_consistency(&l, size1, size2, proof, plen);
}

/* seen_xlog_iter()'s caller's function and context. */
struct iter_ctx {
    seen_xlog_iter_fn *fn;
    void *ctx;
};

/* A seen_store_iter_fn: pass the value on, without its key. */
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
        p = SEEN_XSTATE_OWN;
        break;
    case SEEN_XLOG_COSIGNATURES:
        p = SEEN_XSTATE_COSIG;
        break;
    case SEEN_XLOG_HELD:
        p = SEEN_XSTATE_HELD;
        break;
    case SEEN_XLOG_PENDING:
        p = SEEN_XSTATE_PENDING;
        break;
    case SEEN_XLOG_EVIDENCE:
        p = SEEN_XSTATE_EVIDENCE;
        break;
    case SEEN_XLOG_RESOLUTIONS:
        p = SEEN_XSTATE_RESOLVED;
        break;
    default:
        return SEEN_EINVAL;
    }
    return seen_xlog_state_each(txn, &p, 1, iter_one, &c);
}

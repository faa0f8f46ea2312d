#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/merkle.h"
#include "storage/operators.h"
#include "proto/checkpoint.h"
#include "xlog/leaf.h"
#include "seen.pb-c.h"

/* What a check returns when it ran out of memory. */
static const char nomem[] = "out of memory";

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

/*
 * 1 if ${buf} (${len} bytes) is the canonical encoding of ${m}, which was
 * decoded from it: what protobuf-c writes (fields in order, each once,
 * defaults left out, shortest varints) and no unknown field; 0 if not;
 * -1 out of memory.  A message the node writes itself has then one
 * meaning for every decoder.
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

/* What canonical()'s answer ${c} means: NULL when canonical, else
 * ${noncanonical} or nomem. */
static const char *
canonical_why(int c, const char *noncanonical)
{

    return c == 1 ? NULL : c == 0 ? noncanonical : nomem;
}

/* Decode the envelope ${e} of a leaf into v->env and v->part and check
 * its fields (rule 1 of seen_envelope_open()). */
static const char *
open_envelope(struct seen_xlog_leafview *v, const ProtobufCBinaryData *e)
{
    const Seen__Header *h;
    const Seen__Checkpoint *c;

    if (e->len == 0)
        return "no envelope";
    if ((v->env = seen__envelope__unpack(NULL, e->len, e->data)) == NULL)
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
        (!seen_checkpoint_well_formed(c) ||
            memcmp(c->origin.data, h->sender.data, 32) != 0))
        return "envelope header checkpoint is malformed or not the sender's";
    return NULL;
}

/**
 * seen_xlog_leaf_ends(kind, owner, peer, h):
 * Check the ends of an envelope of a leaf of ${kind} (XLOG_SENT or
 * XLOG_RECEIVED) in the log of ${owner} with the 32-byte ${peer}: the
 * header ${h}, whose sender and recipient are 32 bytes, must name the
 * owner as sender and the peer as recipient (sent), or the peer as
 * sender and the owner as recipient (received).
 * Returns NULL when they do, else a static phrase saying which rule
 * failed.
 */
const char *
seen_xlog_leaf_ends(Seen__XLogKind kind, const uint8_t owner[static 32],
    const uint8_t peer[static 32], const Seen__Header *h)
{

    if (kind == SEEN__XLOG_KIND__XLOG_SENT) {
        if (memcmp(h->sender.data, owner, 32) != 0)
            return "sent envelope's sender is not the log's owner";
        if (memcmp(h->recipient.data, peer, 32) != 0)
            return "sent envelope's recipient is not the leaf's peer";
    } else {
        if (memcmp(h->sender.data, peer, 32) != 0)
            return "received envelope's sender is not the leaf's peer";
        if (memcmp(h->recipient.data, owner, 32) != 0)
            return "received envelope's recipient is not the log's owner";
    }
    return NULL;
}

/*
 * Check an XLOG_SENT or XLOG_RECEIVED leaf ${l}.  With ${fill}, a leaf
 * with no peer takes it from the envelope's header.
 */
static const char *
check_envelope(struct seen_xlog_leafview *v, Seen__XLogLeaf *l,
    const uint8_t owner[32], int fill)
{
    const Seen__Header *h;
    const char *bad;

    fill = fill && l->peer.len == 0;
    if (!fill && l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->record.len != 0)
        return "an envelope leaf holds a record";
    if ((bad = open_envelope(v, &l->envelope)) != NULL)
        return bad;
    h = v->part->header;
    if (fill)
        l->peer = l->kind == SEEN__XLOG_KIND__XLOG_SENT ? h->recipient
                                                        : h->sender;
    return seen_xlog_leaf_ends(l->kind, owner, l->peer.data, h);
}

/*
 * Decode the record of the leaf ${l} as a message of ${d} into *${out}
 * (NULL if it does not decode), and check that it is in canonical form.
 * Returns NULL, ${undecodable}, ${noncanonical} or nomem.
 */
static const char *
open_record(const Seen__XLogLeaf *l, const ProtobufCMessageDescriptor *d,
    ProtobufCMessage **out, const char *undecodable, const char *noncanonical)
{

    *out = protobuf_c_message_unpack(d, NULL, l->record.len, l->record.data);
    if (*out == NULL)
        return undecodable;
    return canonical_why(
        canonical(*out, l->record.data, l->record.len), noncanonical);
}

/* Check the record of an XLOG_QUERY leaf ${l}. */
static const char *
check_query(struct seen_xlog_leafview *v, const Seen__XLogLeaf *l)
{
    const Seen__QueryRecord *q;
    ProtobufCMessage *m;
    const char *bad;
    size_t i;

    if (l->peer.len != 0)
        return "a query leaf names a peer";
    if (l->envelope.len != 0)
        return "a query leaf holds an envelope";
    bad = open_record(l, &seen__query_record__descriptor, &m,
        "query record does not decode",
        "query record is not in canonical form");
    if ((v->query = (Seen__QueryRecord *)m) == NULL || bad != NULL)
        return bad;
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

/* Check the record of an XLOG_DECISION leaf ${l}. */
static const char *
check_decision(struct seen_xlog_leafview *v, const Seen__XLogLeaf *l)
{
    const Seen__DecisionRecord *d;
    ProtobufCMessage *m;
    const char *bad;

    if (l->peer.len != 0 && l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->envelope.len != 0)
        return "a decision leaf holds an envelope";
    bad = open_record(l, &seen__decision_record__descriptor, &m,
        "decision record does not decode",
        "decision record is not in canonical form");
    if ((v->decision = (Seen__DecisionRecord *)m) == NULL || bad != NULL)
        return bad;
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

/* 1 if ${c} is present with the 32-byte origin ${origin}. */
static int
of_origin(const Seen__Checkpoint *c, const uint8_t *origin)
{

    return c != NULL && c->origin.len == 32 &&
           memcmp(c->origin.data, origin, 32) == 0;
}

/* Check the record of an XLOG_EVIDENCE leaf ${l}. */
static const char *
check_evidence(struct seen_xlog_leafview *v, const Seen__XLogLeaf *l)
{
    const Seen__XLogEvidence *e;
    size_t i;

    if (l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->envelope.len != 0)
        return "an evidence leaf holds an envelope";
    v->evidence =
        seen__xlog_evidence__unpack(NULL, l->record.len, l->record.data);
    if ((e = v->evidence) == NULL)
        return "evidence record does not decode";
    if (!of_origin(e->first, l->peer.data) ||
        (e->second != NULL && !of_origin(e->second, l->peer.data)))
        return "evidence is not about the log of the leaf's peer";
    if (e->n_proof > SEEN_MERKLE_PROOF_MAX)
        return "evidence proof is too long";
    for (i = 0; i < e->n_proof; i++)
        if (e->proof[i].len != 32)
            return "evidence proof hash is not 32 bytes";
    return NULL;
}

/* Check the record of an XLOG_OPERATOR leaf ${l}. */
static const char *
check_operator(struct seen_xlog_leafview *v, const Seen__XLogLeaf *l)
{
    const Seen__OperatorRecord *o;
    ProtobufCMessage *m;
    enum seen_role_op r;
    const char *bad;

    if (l->peer.len != 0)
        return "an operator leaf names a peer";
    if (l->envelope.len != 0)
        return "an operator leaf holds an envelope";
    bad = open_record(l, &seen__operator_record__descriptor, &m,
        "operator record does not decode",
        "operator record is not in canonical form");
    if ((v->op = (Seen__OperatorRecord *)m) == NULL || bad != NULL)
        return bad;
    o = v->op;
    if (!seen_operator_name_valid(o->name))
        return "operator record names no valid operator";
    if (o->operator_ != NULL && o->operator_[0] != '\0' &&
        !seen_operator_name_valid(o->operator_))
        return "operator record's admin is not a valid operator name";
    if (o->change < SEEN__OPERATOR_CHANGE__OPERATOR_ADDED ||
        o->change > SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED)
        return "operator record's change is unknown";
    if (seen_role_op_parse(o->role, &r) != 0)
        return "operator record's role is not admin, lead or auditor";
    if (o->bound ? !seen_unix_user_valid(o->user)
                 : (o->uid != 0 || (o->user != NULL && o->user[0] != '\0')))
        return "operator record's Unix user does not match its binding";
    return NULL;
}

/**
 * seen_xlog_oprf_purpose_ok(p):
 * Return 1 if ${p} is one of the purposes an OPRF request may give
 * (docs/protocol.md, "Custodians"): import, query, chronology, report,
 * check; else 0 (also for NULL).
 */
int
seen_xlog_oprf_purpose_ok(const char *p)
{
    static const char *const ok[] = {
        "import", "query", "chronology", "report", "check"};
    size_t i;

    for (i = 0; p != NULL && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(p, ok[i]) == 0)
            return 1;
    return 0;
}

/* Check the record of an XLOG_OPRF leaf ${l}. */
static const char *
check_oprf(struct seen_xlog_leafview *v, const Seen__XLogLeaf *l)
{
    const Seen__OprfRecord *o;
    ProtobufCMessage *m;
    const char *bad;

    if (l->peer.len != 32)
        return "peer is not 32 bytes";
    if (l->envelope.len != 0)
        return "an OPRF leaf holds an envelope";
    bad = open_record(l, &seen__oprf_record__descriptor, &m,
        "OPRF record does not decode", "OPRF record is not in canonical form");
    if ((v->oprf = (Seen__OprfRecord *)m) == NULL || bad != NULL)
        return bad;
    o = v->oprf;
    if (o->member.len != 32 || memcmp(o->member.data, l->peer.data, 32) != 0)
        return "OPRF record's member is not the leaf's peer";
    if (!seen_xlog_oprf_purpose_ok(o->purpose))
        return "OPRF record's purpose is unknown";
    if (o->operator_ != NULL && o->operator_[0] != '\0' &&
        !seen_operator_name_valid(o->operator_))
        return "OPRF record's operator is not a valid operator name";
    if (o->count < 1)
        return "OPRF record's count is 0";
    if (o->request_id.len != 16)
        return "OPRF record's request_id is not 16 bytes";
    if (o->status < SEEN__OPRF_STATUS__OPRF_OK ||
        o->status > SEEN__OPRF_STATUS__OPRF_BAD_REQUEST)
        return "OPRF record's status is unknown";
    return NULL;
}

/* Check the kind, peer and body of the leaf ${l}, decoding into ${v}. */
static const char *
check_body(struct seen_xlog_leafview *v, Seen__XLogLeaf *l,
    const uint8_t owner[32], int fill)
{

    switch (l->kind) {
    case SEEN__XLOG_KIND__XLOG_SENT:
    case SEEN__XLOG_KIND__XLOG_RECEIVED:
        return check_envelope(v, l, owner, fill);
    case SEEN__XLOG_KIND__XLOG_QUERY:
        return check_query(v, l);
    case SEEN__XLOG_KIND__XLOG_DECISION:
        return check_decision(v, l);
    case SEEN__XLOG_KIND__XLOG_EVIDENCE:
        return check_evidence(v, l);
    case SEEN__XLOG_KIND__XLOG_OPERATOR:
        return check_operator(v, l);
    case SEEN__XLOG_KIND__XLOG_OPRF:
        return check_oprf(v, l);
    default:
        return "leaf kind is unknown";
    }
}

/* The end of a check: 0, or release ${v}, say why, and return the code. */
static int
verdict(struct seen_xlog_leafview *v, const char *bad, const char **why)
{

    if (bad == NULL)
        return SEEN_OK;
    seen_xlog_leaf_release(v);
    if (why != NULL)
        *why = bad;
    return bad == nomem ? SEEN_ENOMEM : SEEN_EINVAL;
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
    const char *bad;
    int c;

    memset(v, 0, sizeof *v);
    if (len > SEEN_XLOG_LEAF_MAX)
        bad = "leaf is too large";
    else if (buf == NULL && len != 0)
        bad = "leaf is missing";
    else if ((v->leaf = seen__xlog_leaf__unpack(NULL, len, buf)) == NULL)
        bad = "leaf does not decode as an XLogLeaf";
    else if ((c = canonical(&v->leaf->base, buf, len)) != 1)
        bad = canonical_why(c, "leaf is not in canonical form");
    else if (v->leaf->seq != index)
        bad = "leaf seq is not its position in the log";
    else if (v->leaf->signed_size > index)
        bad = "leaf signed_size is beyond its position";
    else
        bad = check_body(v, v->leaf, owner, 0);
    return verdict(v, bad, why);
}

/**
 * seen_xlog_leaf_check(l, owner, v, why):
 * Check the leaf ${l} that the log of ${owner} is about to append, before
 * it is encoded, against the rules above on its kind, peer, envelope and
 * record: those that seen_xlog_leaf_parse() checks of the decoded leaf
 * (the writer makes seq, signed_size and the leaf's canonical form).  Its
 * envelope or record is decoded once, into ${v}.  An envelope leaf with
 * no peer (l->peer.len 0) takes it from the header: the recipient of a
 * sent envelope, the sender of a received one; l->peer then points into
 * ${v}.
 * [out] ${v}: what was decoded, released with seen_xlog_leaf_release()
 * after ${l} is encoded (empty on error); ${why}: as in
 * seen_xlog_leaf_parse().
 * Returns 0; SEEN_EINVAL for a leaf that breaks a rule; SEEN_ENOMEM.
 * Does not log.
 */
int
seen_xlog_leaf_check(Seen__XLogLeaf *l, const uint8_t owner[static 32],
    struct seen_xlog_leafview *v, const char **why)
{

    memset(v, 0, sizeof *v);
    return verdict(v, check_body(v, l, owner, 1), why);
}

/**
 * seen_xlog_is_content(type):
 * Return 1 when an envelope of MsgType ${type} carries content, and so is
 * a leaf of the exchange log whenever it is sent or accepted; 0 when it
 * is protocol chatter (see "What the log holds" in leaf.h).
 */
int
seen_xlog_is_content(int type)
{

    switch (type) {
    case SEEN__MSG_TYPE__HELLO:
    case SEEN__MSG_TYPE__HEADS:
    case SEEN__MSG_TYPE__GET_RANGE:
    case SEEN__MSG_TYPE__COSIGN:
    case SEEN__MSG_TYPE__GET_XPROOF:
    case SEEN__MSG_TYPE__XPROOF:
        return 0;
    default:
        return 1;
    }
}

/**
 * seen_xlog_leaf_release(v):
 * Free what seen_xlog_leaf_parse() or seen_xlog_leaf_check() decoded
 * into ${v} and empty it.  Safe on an empty view and twice.
 */
void
seen_xlog_leaf_release(struct seen_xlog_leafview *v)
{

    if (v->oprf != NULL)
        seen__oprf_record__free_unpacked(v->oprf, NULL);
    if (v->op != NULL)
        seen__operator_record__free_unpacked(v->op, NULL);
    if (v->evidence != NULL)
        seen__xlog_evidence__free_unpacked(v->evidence, NULL);
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

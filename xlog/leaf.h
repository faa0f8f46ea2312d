/*
 * leaf.h: the leaves of the exchange log (xlog/xlog.h) and the rules each
 * must keep, checked when a node appends one and when an auditor reads
 * one back (xlog/audit.h; docs/audit-format.md states them for auditors).
 *
 * A leaf is the exact encoding of one XLogLeaf (proto/seen.proto).  The
 * rules: the leaf, and a query or decision record in it, are in
 * canonical form (as protobuf-c writes them: fields in order, each once,
 * defaults left out, shortest varints, no unknown field), so that they
 * mean the same to every decoder; kind 1-6; seq the leaf's index;
 * signed_size at most seq;
 * XLOG_SENT and XLOG_RECEIVED hold a 32-byte peer, an envelope and no
 * record: the envelope decodes as an Envelope whose signed part decodes
 * with a header, a 64-byte signature, 32-byte sender and recipient, and
 * a well-formed header checkpoint (if any) whose origin is the sender
 * (the same as rule 1 of seen_envelope_open(), proto/envelope.h); for
 * SENT the sender is the log's owner and the recipient the peer, for
 * RECEIVED the sender is the peer and the recipient the owner.  Only
 * envelopes that passed docs/protocol.md's acceptance rules 1-4 may be
 * logged as RECEIVED: an auditor checks their signatures.  XLOG_QUERY
 * holds a QueryRecord (operator and purpose not empty, each handle 16
 * bytes, criteria_digest empty or 64 lower-case hex digits), no
 * envelope, no peer.  XLOG_DECISION holds a DecisionRecord (operator and
 * request_id not empty, request_id at most 64 bytes, a reason when not
 * shared, review empty or YYYY-MM-DD), no envelope, and a 32-byte peer
 * or none.  XLOG_EVIDENCE holds an XLogEvidence as its record (decoded as
 * protobuf-c decodes, not necessarily in canonical form: it is kept
 * exactly as stored), no envelope, and a 32-byte peer, the origin of the
 * log it is about: its first checkpoint is present, and that checkpoint
 * and the second, if any, have that 32-byte origin; at most
 * SEEN_MERKLE_PROOF_MAX proof hashes of 32 bytes.  XLOG_OPERATOR (issue
 * 15) holds an OperatorRecord (in canonical form; name a valid operator
 * name; operator empty -- made by `seen init` -- or a valid operator
 * name; change 1-5; role "admin", "lead" or "auditor"; user a valid Unix
 * user name when bound, and uid 0 and user empty when not), no envelope,
 * no peer.  XLOG_OPRF (issue 16) holds an OprfRecord (in canonical form;
 * member the leaf's 32-byte peer; purpose import, query, chronology,
 * report or check; operator empty or a valid operator name; count at
 * least 1 (over SEEN_XLOG_OPRF_MAX only when refused); a 16-byte
 * request_id; a known status), no
 * envelope: one OPRF request this node served or refused as a custodian.
 *
 * What the log holds (seen_xlog_is_content(); docs/audit-format.md
 * section 1.1): every envelope that carries content --
 * ENTRIES, MEMBERSHIP, DISCLOSURE_REQUEST and DISCLOSURE_RESPONSE, and
 * any type this version does not know -- sent or accepted; every query,
 * every disclosure decision and every operator added, suspended, resumed
 * or removed; every piece of evidence, when first
 * kept (XLOG_EVIDENCE).  Protocol chatter -- HELLO, HEADS, GET_RANGE,
 * COSIGN, GET_XPROOF, XPROOF -- is counted, not logged, unless handling
 * it found evidence of equivocation: then the envelope that carried the
 * evidence is logged as received.  Logs written before this rule hold
 * chatter leaves too: they keep every rule above.
 */
#ifndef SEEN_XLOG_LEAF_H
#define SEEN_XLOG_LEAF_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

/* The largest leaf: an envelope of SEEN_ENVELOPE_MAX and its framing. */
#define SEEN_XLOG_LEAF_MAX ((16u << 20) + 4096)

/* The most blinded elements one OPRF request asks for (OprfRecord.count). */
#define SEEN_XLOG_OPRF_MAX 4096

/* The longest DecisionRecord.request_id, in bytes. */
#define SEEN_XLOG_REQUEST_ID_MAX 64

/* A leaf, decoded and checked by seen_xlog_leaf_parse(). */
struct seen_xlog_leafview {
    Seen__XLogLeaf *leaf;           /* owns nothing below */
    Seen__Envelope *env;            /* XLOG_SENT, XLOG_RECEIVED */
    Seen__SignedPart *part;         /* decoded from env->signed_ */
    Seen__QueryRecord *query;       /* XLOG_QUERY */
    Seen__DecisionRecord *decision; /* XLOG_DECISION */
    Seen__XLogEvidence *evidence;   /* XLOG_EVIDENCE */
    Seen__OperatorRecord *op;       /* XLOG_OPERATOR */
    Seen__OprfRecord *oprf;         /* XLOG_OPRF */
};

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
SEEN_MUST_CHECK int seen_xlog_leaf_parse(const uint8_t *buf, size_t len,
    const uint8_t owner[static 32], uint64_t index,
    struct seen_xlog_leafview *v, const char **why);

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
SEEN_MUST_CHECK int seen_xlog_leaf_check(Seen__XLogLeaf *l,
    const uint8_t owner[static 32], struct seen_xlog_leafview *v,
    const char **why);

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
const char *seen_xlog_leaf_ends(Seen__XLogKind kind,
    const uint8_t owner[static 32], const uint8_t peer[static 32],
    const Seen__Header *h);

/**
 * seen_xlog_is_content(type):
 * Return 1 when an envelope of MsgType ${type} carries content, and so is
 * a leaf of the exchange log whenever it is sent or accepted; 0 when it
 * is protocol chatter (see "What the log holds" above).
 */
int seen_xlog_is_content(int type);

/**
 * seen_xlog_oprf_purpose_ok(p):
 * Return 1 if ${p} is one of the purposes an OPRF request may give
 * (docs/protocol.md, "Custodians"): import, query, chronology, report,
 * check; else 0 (also for NULL).
 */
int seen_xlog_oprf_purpose_ok(const char *p);

/**
 * seen_xlog_leaf_release(v):
 * Free what seen_xlog_leaf_parse() or seen_xlog_leaf_check() decoded
 * into ${v} and empty it.  Safe on an empty view and twice.
 */
void seen_xlog_leaf_release(struct seen_xlog_leafview *v);

#endif /* !SEEN_XLOG_LEAF_H */

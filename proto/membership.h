/*
 * membership.h: the federation's membership document.
 *
 * The federation authority signs a Membership (proto/seen.proto): the
 * exact bytes of an encoded MembershipBody and an Ed25519 signature over
 *
 *     "seen-membership-v1" || 0x00 || body
 *
 * (crypto/sign.h).  A node pins the authority's public key and accepts a
 * document only when that signature verifies over the body bytes as
 * received (never re-encoded), the body names the same authority, and
 * every member and grant keeps the rules of docs/protocol.md
 * ("Membership").  The body carries the current match-key epoch and, for
 * each ACTIVE member, a grant: the epoch's 32-byte match key sealed with
 * crypto_box_seal to the member's curve_pk.
 *
 * A struct seen_membership is a verified, decoded document.  It owns
 * every buffer decoded from the input (the input itself is not retained),
 * and every pointer it returns (strings, Seen__Member) stays valid until
 * seen_membership_destroy().  It is read-only, so one may be shared between
 * threads.  Needs sodium_init() to have been called.
 */
#ifndef SEEN_MEMBERSHIP_H
#define SEEN_MEMBERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "seen.pb-c.h"

/* The signature domain (crypto/sign.h) of a membership document. */
#define SEEN_MEMBERSHIP_DOMAIN "seen-membership-v1"

/* Sizes: a sealed match key (32 + crypto_box_SEALBYTES), a signature. */
#define SEEN_MEMBERSHIP_GRANT_BYTES 80
#define SEEN_MEMBERSHIP_SIG_BYTES 64

/* Limits: a larger document, or one with more members, is malformed. */
#define SEEN_MEMBERSHIP_MAX_BYTES (16u << 20)
#define SEEN_MEMBERSHIP_MEMBERS_MAX 10000
#define SEEN_MEMBERSHIP_LINKS_MAX 32 /* long-range links each way */

/* Limits on the text fields, in bytes (valid UTF-8, no control chars). */
#define SEEN_MEMBERSHIP_FEDERATION_MAX 255
#define SEEN_MEMBERSHIP_AGENCY_MAX 255
#define SEEN_MEMBERSHIP_LA_MAX 127
#define SEEN_MEMBERSHIP_ENDPOINT_MAX 255

struct seen_membership;

/**
 * seen_membership_open(doc, len, authority_pk, out):
 * Verify and decode the encoded Membership ${doc} (${len} bytes, not
 * retained).  [in] ${authority_pk}: the pinned authority's Ed25519 public
 * key, which must have signed the body (domain SEEN_MEMBERSHIP_DOMAIN,
 * over the body bytes exactly as received) and must equal the body's
 * authority_pk.  The body must then be well formed: version and epoch at
 * least 1; a federation name; at most SEEN_MEMBERSHIP_MEMBERS_MAX members,
 * each with a 32-byte sign_pk and curve_pk, a valid name
 * (seen_node_name_valid), a known agency type, a local authority, a
 * tcp:// endpoint with a port (seen_membership_endpoint_valid) and status
 * ACTIVE or REVOKED, with no two members sharing a name, a sign_pk or a
 * curve_pk; grants of the body's epoch, each SEEN_MEMBERSHIP_GRANT_BYTES,
 * at most one per member and only for ACTIVE members.
 * [out] ${out}: on success the document, owned by the caller, released
 * with seen_membership_destroy(); NULL on error.
 * Returns 0; SEEN_EAUTH for a signature that does not verify under
 * ${authority_pk} or a body naming another authority; SEEN_EINVAL for a
 * malformed document (logged, saying what); SEEN_ENOMEM.  Never crashes
 * on bad bytes.
 */
SEEN_MUST_CHECK int seen_membership_open(const uint8_t *doc, size_t len,
    const uint8_t authority_pk[static 32], struct seen_membership **out);

/**
 * seen_membership_destroy(&m):
 * Free the document ${m} and everything decoded from it.  Sets the caller's
 * pointer to NULL; NULL or a pointer to NULL is a no-op, so it is safe
 * twice.
 */
void seen_membership_destroy(struct seen_membership **pp);

/**
 * seen_membership_version(m):
 * Return the version of ${m} (at least 1; a node adopts only a higher one
 * than it holds).
 */
uint64_t seen_membership_version(const struct seen_membership *m);

/**
 * seen_membership_issued(m):
 * Return the time ${m} was issued, in Unix seconds.
 */
uint64_t seen_membership_issued(const struct seen_membership *m);

/**
 * seen_membership_federation(m):
 * Return the federation's name (valid UTF-8, NUL-terminated), owned by
 * ${m}.
 */
const char *seen_membership_federation(const struct seen_membership *m);

/**
 * seen_membership_epoch(m):
 * Return the match-key epoch of ${m}'s grants (at least 1).
 */
uint32_t seen_membership_epoch(const struct seen_membership *m);

/**
 * seen_membership_token_bytes(m):
 * Return the bytes of each token in the entries members of ${m} publish
 * (docs/protocol.md, "Short tokens"): 8 for short tokens, 16 for whole
 * ones (also when the document does not say).
 */
uint32_t seen_membership_token_bytes(const struct seen_membership *m);

/**
 * seen_membership_links(m):
 * Return the long-range links each way of every member of ${m}
 * (docs/protocol.md, "Links"): 0 when every member links to every other.
 */
uint32_t seen_membership_links(const struct seen_membership *m);

/**
 * seen_membership_count(m):
 * Return the number of members (of any status) in ${m}.
 */
size_t seen_membership_count(const struct seen_membership *m);

/**
 * seen_membership_member(m, i):
 * Return member ${i} of ${m}, in document order, or NULL if ${i} is not
 * less than seen_membership_count(${m}).  Owned by ${m}.
 */
const Seen__Member *seen_membership_member(
    const struct seen_membership *m, size_t i);

/**
 * seen_membership_by_sign(m, pk):
 * Return the member of ${m}, of any status, whose Ed25519 key is ${pk};
 * NULL if there is none.  Owned by ${m}.
 */
const Seen__Member *seen_membership_by_sign(
    const struct seen_membership *m, const uint8_t pk[static 32]);

/**
 * seen_membership_by_curve(m, pk):
 * Return the member of ${m}, of any status, whose Curve25519 key is ${pk}
 * (as a CURVE client presents it); NULL if there is none.  Owned by ${m}.
 */
const Seen__Member *seen_membership_by_curve(
    const struct seen_membership *m, const uint8_t pk[static 32]);

/**
 * seen_membership_by_name(m, name):
 * Return the member of ${m}, of any status, named ${name}; NULL if there
 * is none or ${name} is NULL.  Owned by ${m}.
 */
const Seen__Member *seen_membership_by_name(
    const struct seen_membership *m, const char *name);

/**
 * seen_membership_active(mb):
 * Return 1 if the member ${mb} is ACTIVE, else 0 (also for NULL).
 */
int seen_membership_active(const Seen__Member *mb);

/**
 * seen_membership_granted(m, pk):
 * Return 1 if ${m} holds a match-key grant for the member whose Ed25519
 * key is ${pk}, else 0.
 */
int seen_membership_granted(
    const struct seen_membership *m, const uint8_t pk[static 32]);

/**
 * seen_membership_match_key(m, k, key, epoch):
 * Unseal this node's match key for ${m}'s epoch: find the grant for
 * ${k}->sign_pk and open it with crypto_box_seal_open under ${k}->curve_pk
 * and ${k}->curve_sk.  [out] ${key}: the 32-byte key (the caller wipes
 * it); [out] ${epoch}: its epoch, if ${epoch} is not NULL.  Both are left
 * unchanged on error.
 * Returns 0; SEEN_ENOTFOUND when ${m} holds no grant for ${k}->sign_pk
 * (not a member, or revoked); SEEN_EAUTH when the grant does not open
 * with ${k}'s Curve25519 keys.  Neither is logged: the caller decides.
 */
SEEN_MUST_CHECK int seen_membership_match_key(const struct seen_membership *m,
    const struct seen_keys *k, uint8_t key[static 32], uint32_t *epoch);

/**
 * seen_membership_build(federation, version, issued, members, n, epoch,
 *     match_key, authority, out, len):
 * Build and sign a document: the NUL-terminated ${federation} name,
 * ${version}, ${issued} (Unix seconds), the ${n} members ${members}
 * copied as given (in that order), ${epoch}, and a grant of ${match_key}
 * sealed with crypto_box_seal to each ACTIVE member's curve_pk; the body
 * names ${authority}->sign_pk as the authority and is signed with
 * ${authority}->sign_sk.  The document is checked against every rule of
 * seen_membership_open() before it is signed, so a node never receives a
 * document the authority could not open.
 * [out] ${out}, ${len}: the encoded Membership, malloc'd, owned by the
 * caller (free()); NULL and 0 on error.  Nothing is retained.
 * Returns 0; SEEN_EINVAL when the document would break a rule (logged,
 * saying which); SEEN_ENOMEM; SEEN_ERR if sealing or signing fails.
 */
SEEN_MUST_CHECK int seen_membership_build(const char *federation,
    uint64_t version, uint64_t issued, const Seen__Member *const *members,
    size_t n, uint32_t epoch, const uint8_t match_key[static 32],
    const struct seen_keys *authority, uint8_t **out, size_t *len);

/**
 * seen_membership_build_links(federation, version, issued, members, n,
 *     epoch, links, token_bytes, match_key, authority, out, len):
 * As seen_membership_build(), with ${links} long-range links each way of
 * every member (0: every member links to every other; at most
 * SEEN_MEMBERSHIP_LINKS_MAX) and ${token_bytes} bytes of each token in
 * the entries members publish (8: short tokens; 0 or 16: whole ones).  A
 * node older than the fields reads the document as linking everyone, and
 * publishes whole tokens.
 */
SEEN_MUST_CHECK int seen_membership_build_links(const char *federation,
    uint64_t version, uint64_t issued, const Seen__Member *const *members,
    size_t n, uint32_t epoch, uint32_t links, uint32_t token_bytes,
    const uint8_t match_key[static 32], const struct seen_keys *authority,
    uint8_t **out, size_t *len);

/**
 * seen_membership_build_oprf(federation, version, issued, members, n,
 *     epoch, links, token_bytes, match_key, oprf, authority, out, len):
 * As seen_membership_build_links(); with ${oprf} not NULL, an OPRF epoch
 * (docs/protocol.md, "OPRF epochs"): the body holds ${oprf} (borrowed;
 * its epoch must be ${epoch}, and it must keep every rule of
 * seen_membership_open()) and no grant, and ${match_key} is not read (it
 * may then be NULL).  Returns as seen_membership_build().
 */
SEEN_MUST_CHECK int seen_membership_build_oprf(const char *federation,
    uint64_t version, uint64_t issued, const Seen__Member *const *members,
    size_t n, uint32_t epoch, uint32_t links, uint32_t token_bytes,
    const uint8_t *match_key, const Seen__OprfKey *oprf,
    const struct seen_keys *authority, uint8_t **out, size_t *len);

/*
 * OPRF epochs (issue 16; docs/protocol.md, "OPRF epochs").  A document
 * whose body holds an OprfKey makes its epoch's tokens with an OPRF whose
 * key k is split t of n among custodians, active members each holding a
 * share sealed to its curve_pk; it holds no match-key grant.
 */
#define SEEN_MEMBERSHIP_SHARE_BYTES 80 /* a sealed share: 32 + 48 */

/* One custodian of the held OPRF epoch.  Every pointer is owned by the
 * document and lives as long as it. */
struct seen_membership_custodian {
    unsigned int index;       /* its share number, 1..n */
    const char *name;         /* the member's name */
    const uint8_t *sign_pk;   /* 32 */
    const uint8_t *curve_pk;  /* 32: the CURVE server key of its service */
    const uint8_t *share_pk;  /* 32: share·G */
    const char *endpoint;     /* where it serves, tcp://HOST:PORT */
};

/**
 * seen_membership_oprf(m, threshold, public_key):
 * Return the number n of custodians of ${m}'s OPRF epoch, or 0 when ${m}
 * is not an OPRF epoch (it grants a match key instead).  When not 0,
 * [out] ${threshold} (if not NULL): t; [out] ${public_key} (if not
 * NULL): k·G, 32 bytes owned by ${m}.
 */
size_t seen_membership_oprf(const struct seen_membership *m,
    unsigned int *threshold, const uint8_t **public_key);

/* The token encodings of an OPRF epoch (OprfKey.encoding). */
#define SEEN_MEMBERSHIP_ENCODING_WHOLE 0    /* every token an evaluation */
#define SEEN_MEMBERSHIP_ENCODING_ANCHORED 1 /* match/anchored.h */

/**
 * seen_membership_oprf_encoding(m):
 * Return the token encoding of ${m}'s OPRF epoch
 * (SEEN_MEMBERSHIP_ENCODING_*; WHOLE when ${m} is not an OPRF epoch).
 */
unsigned int seen_membership_oprf_encoding(const struct seen_membership *m);

/**
 * seen_membership_custodian(m, i, out):
 * Fill ${out} with custodian ${i} (0-based, in document order) of ${m}'s
 * OPRF epoch.  Returns 0, or SEEN_ENOTFOUND when ${i} is not less than
 * seen_membership_oprf(${m}).
 */
SEEN_MUST_CHECK int seen_membership_custodian(const struct seen_membership *m,
    size_t i, struct seen_membership_custodian *out);

/**
 * seen_membership_custodian_of(m, sign_pk, out):
 * Fill ${out} with the custodian of ${m}'s OPRF epoch whose Ed25519 key
 * is ${sign_pk}.  Returns 0, or SEEN_ENOTFOUND when it is none.
 */
SEEN_MUST_CHECK int seen_membership_custodian_of(
    const struct seen_membership *m, const uint8_t sign_pk[static 32],
    struct seen_membership_custodian *out);

/**
 * seen_membership_open_share(m, k, share, index):
 * Open this node's share of ${m}'s OPRF key: find the custodian whose
 * sign_pk is ${k}->sign_pk, open its sealed share with ${k}'s Curve25519
 * keys and check that share·G is its share_pk.  [out] ${share}: the
 * 32-byte scalar (the caller wipes it); [out] ${index}: its number.  Both
 * are left unchanged on error.
 * Returns 0; SEEN_ENOTFOUND when ${k} is not a custodian (or ${m} not an
 * OPRF epoch); SEEN_EAUTH when the share does not open with ${k}'s keys or
 * is not the share_pk's.  Not logged: the caller decides.
 */
SEEN_MUST_CHECK int seen_membership_open_share(
    const struct seen_membership *m, const struct seen_keys *k,
    uint8_t share[static 32], unsigned int *index);

/**
 * seen_membership_deal(epoch, t, custodians, endpoints, n, out, len):
 * Deal a new OPRF key for ${epoch}, split ${t} of ${n}, whose tokens are
 * made by the anchored encoding: a random key k,
 * its shares (seen_oprf_split), share i+1 sealed with crypto_box_seal to
 * ${custodians}[i]'s curve_pk and served at ${endpoints}[i].  k and the
 * shares are wiped before it returns; only k·G and each share·G remain.
 * [out] ${out}, ${len}: the encoded OprfKey, malloc'd, owned by the caller
 * (free()); NULL and 0 on error.
 * Returns 0; SEEN_EINVAL unless 1 <= t <= n <= SEEN_OPRF_SHARES_MAX, or for
 * an endpoint that is not tcp://HOST:PORT (logged); SEEN_ENOMEM; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_membership_deal(uint32_t epoch, unsigned int t,
    const Seen__Member *const *custodians, const char *const *endpoints,
    size_t n, uint8_t **out, size_t *len);

/**
 * seen_membership_dup(m, out):
 * A copy of ${m}, opened again from its bytes (so that another thread may
 * keep it after ${m} is destroyed).  Returns 0 and the copy in *${out},
 * released with seen_membership_destroy(); SEEN_ENOMEM; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_membership_dup(const struct seen_membership *m,
    struct seen_membership **out);

/**
 * seen_membership_endpoint_valid(ep):
 * Return 1 if ${ep} is "tcp://HOST:PORT" with HOST a name of letters,
 * digits, '-' and '.', or an IPv6 address in brackets, and PORT a decimal
 * number from 1 to 65535; at most SEEN_MEMBERSHIP_ENDPOINT_MAX bytes.
 * Else 0 (wildcards such as '*' and port 0 are not endpoints a peer can
 * reach).
 */
int seen_membership_endpoint_valid(const char *ep);

/**
 * seen_membership_type_from_name(name):
 * Return the AgencyType for one of spec/cli.md's agency type names
 * ("social_care", "police", "health", "school", "probation",
 * "youth_justice", "other"), or SEEN__AGENCY_TYPE__AGENCY_UNSPECIFIED (0)
 * for any other string or NULL.
 */
Seen__AgencyType seen_membership_type_from_name(const char *name);

/**
 * seen_membership_type_name(type):
 * Return spec/cli.md's name of the agency type ${type}, or NULL if it is
 * not a known type.  The string is static.
 */
const char *seen_membership_type_name(Seen__AgencyType type);

#endif /* !SEEN_MEMBERSHIP_H */

/*
 * membership_oprf.c: the OPRF key of a membership document (issue 16;
 * docs/protocol.md, "OPRF epochs"): its rules, its custodians, a
 * custodian's share, and dealing a new key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/oprf.h"
#include "proto/membership.h"
#include "proto/membership_impl.h"

#include "seen.pb-c.h"

_Static_assert(SEEN_MEMBERSHIP_SHARE_BYTES == 32 + crypto_box_SEALBYTES,
    "a sealed share is a sealed 32-byte scalar");

/* 1 if ${b} is a 32-byte valid ristretto255 element. */
static int
element_ok(const ProtobufCBinaryData *b)
{

    return b->len == 32 && b->data != NULL &&
           crypto_core_ristretto255_is_valid_point(b->data);
}

/*
 * Check share ${i} of ${k}, the OPRF key of ${m}, alone and against the
 * members: lengths, an index 1..n, an active member, an endpoint.
 * Returns 0 or SEEN_EINVAL (logged).
 */
static int
check_share(const struct seen_membership *m, const Seen__OprfKey *k,
    size_t i)
{
    const Seen__CustodianShare *s = k->shares[i];
    const Seen__Member *mb;
    const char *what;

    if (s == NULL || s->sign_pk.len != 32 || s->sign_pk.data == NULL)
        what = "sign_pk is not 32 bytes";
    else if (s->index < 1 || s->index > k->n_shares)
        what = "index is not 1 to the number of shares";
    else if (!element_ok(&s->share_pk))
        what = "share_pk is not a ristretto255 element";
    else if (s->sealed_share.len != SEEN_MEMBERSHIP_SHARE_BYTES ||
             s->sealed_share.data == NULL)
        what = "sealed_share is not 80 bytes";
    else if (!seen_membership_endpoint_valid(s->endpoint))
        what = "endpoint is not tcp://HOST:PORT";
    else if ((mb = seen_membership_by_sign(m, s->sign_pk.data)) == NULL)
        what = "its sign_pk is not a member";
    else if (!seen_membership_active(mb))
        what = "its member is not active";
    else
        return 0;
    seen_error("membership: oprf: custodian %zu: %s", i, what);
    return SEEN_EINVAL;
}

/*
 * membership_check_oprf(m):
 * Check the OPRF key of ${m}'s body, if it has one, against the rules of
 * docs/protocol.md ("OPRF epochs"), with ${m}'s lookup arrays built.
 * Returns 0 or SEEN_EINVAL (logged, saying what).
 */
int
membership_check_oprf(const struct seen_membership *m)
{
    const Seen__MembershipBody *b = m->body;
    const Seen__OprfKey *k = b->oprf;
    size_t i, j;

    if (k == NULL)
        return 0;
    if (k->epoch != b->epoch) {
        seen_error("membership: oprf key of epoch %u, not the document's %u",
            k->epoch, b->epoch);
        return SEEN_EINVAL;
    }
    if (k->encoding > SEEN_MEMBERSHIP_ENCODING_ANCHORED) {
        seen_error("membership: oprf: unknown token encoding %u",
            k->encoding);
        return SEEN_EINVAL;
    }
    if (b->n_grants != 0) {
        seen_error("membership: an OPRF epoch with match-key grants");
        return SEEN_EINVAL;
    }
    if (k->n_shares > b->n_members) {
        seen_error("membership: oprf: %zu custodians of %zu members",
            k->n_shares, b->n_members);
        return SEEN_EINVAL;
    }
    if (k->threshold < 1 || k->threshold > k->n_shares ||
        k->n_shares > SEEN_OPRF_SHARES_MAX) {
        seen_error("membership: oprf: threshold %u of %zu custodians (1 <= "
                   "t <= n <= %d)",
            k->threshold, k->n_shares, SEEN_OPRF_SHARES_MAX);
        return SEEN_EINVAL;
    }
    if (!element_ok(&k->public_key)) {
        seen_error("membership: oprf: public_key is not a ristretto255 "
                   "element");
        return SEEN_EINVAL;
    }
    for (i = 0; i < k->n_shares; i++) {
        if (check_share(m, k, i) != 0)
            return SEEN_EINVAL;
        for (j = 0; j < i; j++) {
            if (k->shares[j]->index == k->shares[i]->index) {
                seen_error("membership: oprf: two custodians hold share %u",
                    k->shares[i]->index);
                return SEEN_EINVAL;
            }
            if (memcmp(k->shares[j]->sign_pk.data,
                    k->shares[i]->sign_pk.data, 32) == 0) {
                seen_error("membership: oprf: a member holds two shares");
                return SEEN_EINVAL;
            }
        }
    }
    return 0;
}

/**
 * seen_membership_oprf(m, threshold, public_key):
 * Return the number n of custodians of ${m}'s OPRF epoch, or 0 when ${m}
 * is not an OPRF epoch (it grants a match key instead).  When not 0,
 * [out] ${threshold} (if not NULL): t; [out] ${public_key} (if not
 * NULL): k·G, 32 bytes owned by ${m}.
 */
size_t
seen_membership_oprf(const struct seen_membership *m,
    unsigned int *threshold, const uint8_t **public_key)
{
    const Seen__OprfKey *k = m->body->oprf;

    if (k == NULL)
        return 0;
    if (threshold != NULL)
        *threshold = k->threshold;
    if (public_key != NULL)
        *public_key = k->public_key.data;
    return k->n_shares;
}

/**
 * seen_membership_oprf_encoding(m):
 * Return the token encoding of ${m}'s OPRF epoch
 * (SEEN_MEMBERSHIP_ENCODING_*; WHOLE when ${m} is not an OPRF epoch).
 */
unsigned int
seen_membership_oprf_encoding(const struct seen_membership *m)
{

    return m->body->oprf != NULL ? m->body->oprf->encoding
                                 : SEEN_MEMBERSHIP_ENCODING_WHOLE;
}

/* Fill ${out} from the share ${s} of ${m}. */
static void
custodian_fill(const struct seen_membership *m, const Seen__CustodianShare *s,
    struct seen_membership_custodian *out)
{
    const Seen__Member *mb = seen_membership_by_sign(m, s->sign_pk.data);

    out->index = s->index;
    out->name = mb->name; /* a member: checked when opened */
    out->sign_pk = s->sign_pk.data;
    out->curve_pk = mb->curve_pk.data;
    out->share_pk = s->share_pk.data;
    out->endpoint = s->endpoint;
}

/**
 * seen_membership_custodian(m, i, out):
 * Fill ${out} with custodian ${i} (0-based, in document order) of ${m}'s
 * OPRF epoch.  Returns 0, or SEEN_ENOTFOUND when ${i} is not less than
 * seen_membership_oprf(${m}).
 */
int
seen_membership_custodian(const struct seen_membership *m, size_t i,
    struct seen_membership_custodian *out)
{

    if (i >= seen_membership_oprf(m, NULL, NULL))
        return SEEN_ENOTFOUND;
    custodian_fill(m, m->body->oprf->shares[i], out);
    return 0;
}

/**
 * seen_membership_custodian_of(m, sign_pk, out):
 * Fill ${out} with the custodian of ${m}'s OPRF epoch whose Ed25519 key
 * is ${sign_pk}.  Returns 0, or SEEN_ENOTFOUND when it is none.
 */
int
seen_membership_custodian_of(const struct seen_membership *m,
    const uint8_t sign_pk[static 32], struct seen_membership_custodian *out)
{
    size_t i, n = seen_membership_oprf(m, NULL, NULL);

    for (i = 0; i < n; i++) {
        if (memcmp(m->body->oprf->shares[i]->sign_pk.data, sign_pk, 32) ==
            0) {
            custodian_fill(m, m->body->oprf->shares[i], out);
            return 0;
        }
    }
    return SEEN_ENOTFOUND;
}

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
int
seen_membership_open_share(const struct seen_membership *m,
    const struct seen_keys *k, uint8_t share[static 32],
    unsigned int *index)
{
    const Seen__CustodianShare *s = NULL;
    uint8_t pt[32], pk[32];
    size_t i, n = seen_membership_oprf(m, NULL, NULL);
    int rc = SEEN_EAUTH;

    for (i = 0; i < n && s == NULL; i++)
        if (memcmp(m->body->oprf->shares[i]->sign_pk.data, k->sign_pk, 32) ==
            0)
            s = m->body->oprf->shares[i];
    if (s == NULL)
        return SEEN_ENOTFOUND;
    if (crypto_box_seal_open(pt, s->sealed_share.data, s->sealed_share.len,
            k->curve_pk, k->curve_sk) != 0 ||
        crypto_scalarmult_ristretto255_base(pk, pt) != 0 ||
        sodium_memcmp(pk, s->share_pk.data, 32) != 0)
        goto done;
    memcpy(share, pt, 32);
    *index = s->index;
    rc = 0;
done:
    sodium_memzero(pt, sizeof pt);
    return rc;
}

/* What seen_membership_deal() builds before encoding it. */
struct deal {
    Seen__OprfKey key;
    Seen__CustodianShare *s;
    Seen__CustodianShare **sp;
    uint8_t (*share_pk)[32];
    uint8_t (*sealed)[SEEN_MEMBERSHIP_SHARE_BYTES];
    uint8_t pk[32];
};

/*
 * Fill ${d} for ${epoch}, ${t} of the ${n} ${custodians}: k·G and each
 * share·G and sealed share.  Returns 0, SEEN_ENOMEM or SEEN_ERR (logged);
 * the caller frees ${d}'s arrays whatever is returned.
 */
static int
deal_fill(struct deal *d, uint32_t epoch, unsigned int t,
    const Seen__Member *const *custodians, const char *const *endpoints,
    size_t n)
{
    uint8_t k[32], (*shares)[32];
    size_t i;
    int rc = SEEN_ERR;

    d->s = calloc(n, sizeof(*d->s));
    d->sp = calloc(n, sizeof(*d->sp));
    d->share_pk = calloc(n, sizeof(*d->share_pk));
    d->sealed = calloc(n, sizeof(*d->sealed));
    if ((shares = sodium_malloc(n * 32)) == NULL || d->s == NULL ||
        d->sp == NULL || d->share_pk == NULL || d->sealed == NULL) {
        seen_errorp("membership: cannot allocate the deal");
        if (shares != NULL)
            sodium_free(shares);
        return SEEN_ENOMEM;
    }
    crypto_core_ristretto255_scalar_random(k);
    if (crypto_scalarmult_ristretto255_base(d->pk, k) != 0 ||
        seen_oprf_split(k, t, (unsigned int)n, shares) != 0)
        goto done;
    seen__oprf_key__init(&d->key);
    d->key.epoch = epoch;
    d->key.threshold = t;
    /* A new deal makes anchored tokens (docs/protocol.md). */
    d->key.encoding = SEEN_MEMBERSHIP_ENCODING_ANCHORED;
    d->key.public_key.data = d->pk;
    d->key.public_key.len = 32;
    for (i = 0; i < n; i++) {
        seen__custodian_share__init(&d->s[i]);
        if (crypto_scalarmult_ristretto255_base(d->share_pk[i], shares[i]) !=
                0 ||
            crypto_box_seal(d->sealed[i], shares[i], 32,
                custodians[i]->curve_pk.data) != 0) {
            seen_error("membership: cannot seal share %zu to '%s'", i + 1,
                custodians[i]->name);
            goto done;
        }
        d->s[i].sign_pk = custodians[i]->sign_pk;
        d->s[i].index = (uint32_t)(i + 1);
        d->s[i].share_pk.data = d->share_pk[i];
        d->s[i].share_pk.len = 32;
        d->s[i].sealed_share.data = d->sealed[i];
        d->s[i].sealed_share.len = SEEN_MEMBERSHIP_SHARE_BYTES;
        d->s[i].endpoint = (char *)(uintptr_t)endpoints[i];
        d->sp[i] = &d->s[i];
    }
    d->key.n_shares = n;
    d->key.shares = d->sp;
    rc = 0;
done:
    sodium_memzero(k, sizeof k);
    sodium_free(shares); /* wiped by sodium_free */
    return rc;
}

/**
 * seen_membership_deal(epoch, t, custodians, endpoints, n, out, len):
 * Deal a new OPRF key for ${epoch}, split ${t} of ${n}: a random key k,
 * its shares (seen_oprf_split), share i+1 sealed with crypto_box_seal to
 * ${custodians}[i]'s curve_pk and served at ${endpoints}[i].  k and the
 * shares are wiped before it returns; only k·G and each share·G remain.
 * [out] ${out}, ${len}: the encoded OprfKey, malloc'd, owned by the caller
 * (free()); NULL and 0 on error.
 * Returns 0; SEEN_EINVAL unless 1 <= t <= n <= SEEN_OPRF_SHARES_MAX, or for
 * an endpoint that is not tcp://HOST:PORT (logged); SEEN_ENOMEM; SEEN_ERR.
 */
int
seen_membership_deal(uint32_t epoch, unsigned int t,
    const Seen__Member *const *custodians, const char *const *endpoints,
    size_t n, uint8_t **out, size_t *len)
{
    struct deal d;
    size_t i;
    int rc;

    *out = NULL;
    *len = 0;
    memset(&d, 0, sizeof d);
    if (t < 1 || t > n || n > SEEN_OPRF_SHARES_MAX) {
        seen_error("membership: a threshold of %u of %zu custodians (1 <= t "
                   "<= n <= %d)",
            t, n, SEEN_OPRF_SHARES_MAX);
        return SEEN_EINVAL;
    }
    for (i = 0; i < n; i++) {
        if (!seen_membership_endpoint_valid(endpoints[i]) ||
            custodians[i]->curve_pk.len != 32 ||
            custodians[i]->sign_pk.len != 32) {
            seen_error("membership: custodian %zu: endpoint is not "
                       "tcp://HOST:PORT, or its keys are not 32 bytes",
                i + 1);
            return SEEN_EINVAL;
        }
    }
    if ((rc = deal_fill(&d, epoch, t, custodians, endpoints, n)) != 0)
        goto done;
    *len = seen__oprf_key__get_packed_size(&d.key);
    if ((*out = malloc(*len)) == NULL) {
        seen_errorp("membership: cannot allocate the deal");
        *len = 0;
        rc = SEEN_ENOMEM;
        goto done;
    }
    (void)seen__oprf_key__pack(&d.key, *out);
done:
    free(d.s);
    free(d.sp);
    free(d.share_pk);
    free(d.sealed);
    return rc;
}

/**
 * seen_membership_dup(m, out):
 * A copy of ${m}, opened again from its bytes (so that another thread may
 * keep it after ${m} is destroyed).  Returns 0 and the copy in *${out};
 * SEEN_ENOMEM; SEEN_ERR.
 */
int
seen_membership_dup(const struct seen_membership *m,
    struct seen_membership **out)
{
    uint8_t *buf;
    size_t len = seen__membership__get_packed_size(m->doc);
    int rc;

    *out = NULL;
    if ((buf = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    seen__membership__pack(m->doc, buf);
    rc = seen_membership_open(buf, len, m->body->authority_pk.data, out);
    free(buf);
    return rc == SEEN_ENOMEM ? rc : rc != 0 ? SEEN_ERR : 0;
}

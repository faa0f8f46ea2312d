/*
 * oprf.c: RFC 9497's OPRF, VOPRF and POPRF over ristretto255 with
 * SHA-512, and the key shared among custodians (oprf.h).
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "crypto/oprf.h"

#define DST_MAX 64 /* the longest domain separation tag made here */

static const char SUITE[] = "-ristretto255-SHA512";

/* contextString: "OPRFV1-" || I2OSP(mode, 1) || "-ristretto255-SHA512". */
static size_t
context(enum seen_oprf_mode mode, uint8_t out[40])
{
    size_t n = 0;

    memcpy(out, "OPRFV1-", 7);
    n = 7;
    out[n++] = (uint8_t)mode;
    memcpy(out + n, SUITE, sizeof SUITE - 1);
    return n + sizeof SUITE - 1;
}

/* ${prefix} || contextString, the domain separation tag of a hash. */
static size_t
dst(enum seen_oprf_mode mode, const char *prefix, uint8_t out[DST_MAX])
{
    size_t n = strlen(prefix);

    memcpy(out, prefix, n);
    return n + context(mode, out + n);
}

/* I2OSP(${v}, 2). */
static void
i2osp2(uint8_t out[2], size_t v)
{

    out[0] = (uint8_t)(v >> 8);
    out[1] = (uint8_t)v;
}

/*
 * expand_message_xmd with SHA-512 (RFC 9380 §5.3.1) of the ${n} parts
 * ${msg}[i] (${len}[i] bytes each, concatenated) under ${d} (${dlen}
 * bytes), to 64 bytes: one block, b_0 then b_1.
 */
static void
xmd64(const uint8_t *const *msg, const size_t *len, size_t n, const uint8_t *d,
    size_t dlen, uint8_t out[64])
{
    static const uint8_t zpad[128];
    crypto_hash_sha512_state st;
    uint8_t b0[64], lib[2] = {0, 64}, one = 1, dl = (uint8_t)dlen, zero = 0;
    size_t i;

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, zpad, sizeof zpad);
    for (i = 0; i < n; i++)
        crypto_hash_sha512_update(&st, msg[i], len[i]);
    crypto_hash_sha512_update(&st, lib, 2);
    crypto_hash_sha512_update(&st, &zero, 1);
    crypto_hash_sha512_update(&st, d, dlen);
    crypto_hash_sha512_update(&st, &dl, 1);
    crypto_hash_sha512_final(&st, b0);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, b0, sizeof b0);
    crypto_hash_sha512_update(&st, &one, 1);
    crypto_hash_sha512_update(&st, d, dlen);
    crypto_hash_sha512_update(&st, &dl, 1);
    crypto_hash_sha512_final(&st, out);
    sodium_memzero(b0, sizeof b0);
}

/* HashToScalar of the parts ${msg} under "${prefix}" || contextString. */
static void
hash_to_scalar(enum seen_oprf_mode mode, const char *prefix,
    const uint8_t *const *msg, const size_t *len, size_t n,
    uint8_t out[SEEN_OPRF_SCALAR])
{
    uint8_t d[DST_MAX], u[64];

    xmd64(msg, len, n, d, dst(mode, prefix, d), u);
    crypto_core_ristretto255_scalar_reduce(out, u);
}

/* HashToGroup(${input}) (§4.1): ristretto255's one-way map of 64 bytes
 * of expand_message_xmd.  Returns 0, or -1 for the identity. */
static int
hash_to_group(enum seen_oprf_mode mode, const uint8_t *input, size_t len,
    uint8_t out[SEEN_OPRF_ELEMENT])
{
    static const uint8_t idn[SEEN_OPRF_ELEMENT];
    const uint8_t *msg[1] = {input};
    uint8_t d[DST_MAX], u[64];

    xmd64(msg, &len, 1, d, dst(mode, "HashToGroup-", d), u);
    crypto_core_ristretto255_from_hash(out, u);
    return sodium_memcmp(out, idn, sizeof idn) == 0 ? -1 : 0;
}

/* 1 when ${e} is a valid element other than the identity. */
static int
element_ok(const uint8_t e[SEEN_OPRF_ELEMENT])
{
    static const uint8_t idn[SEEN_OPRF_ELEMENT];

    return crypto_core_ristretto255_is_valid_point(e) &&
           sodium_memcmp(e, idn, sizeof idn) != 0;
}

/* 1 when the scalar ${s} is zero. */
static int
scalar_zero(const uint8_t s[SEEN_OPRF_SCALAR])
{

    return sodium_is_zero(s, SEEN_OPRF_SCALAR);
}

/**
 * seen_oprf_derive_key(mode, seed, info, ilen, sk, pk):
 * DeriveKeyPair (RFC 9497 §3.2.1): the private key ${sk} from the 32-byte
 * ${seed} and the ${ilen} bytes of ${info}, and its public key ${pk}
 * (sk·G; NULL when not wanted).  Returns 0; SEEN_EINVAL when ${ilen} is
 * over 65535 or no key results (RFC: DeriveKeyPairError).
 */
int
seen_oprf_derive_key(enum seen_oprf_mode mode, const uint8_t seed[32],
    const uint8_t *info, size_t ilen, uint8_t sk[SEEN_OPRF_SCALAR],
    uint8_t pk[SEEN_OPRF_ELEMENT])
{
    uint8_t l[2], counter;
    const uint8_t *msg[4] = {seed, l, info, &counter};
    size_t len[4] = {32, 2, ilen, 1};
    unsigned int c;

    if (ilen > 65535)
        return SEEN_EINVAL;
    i2osp2(l, ilen);
    for (c = 0; c < 256; c++) {
        counter = (uint8_t)c;
        hash_to_scalar(mode, "DeriveKeyPair", msg, len, 4, sk);
        if (!scalar_zero(sk)) {
            if (pk != NULL)
                crypto_scalarmult_ristretto255_base(pk, sk);
            return 0;
        }
    }
    return SEEN_EINVAL;
}

/**
 * seen_oprf_blind(mode, input, len, blind, blinded):
 * Blind (RFC 9497 §3.3.1): ${blinded} = blind·HashToGroup(input).  With
 * ${blind} all zero, a random blind is drawn and written to ${blind};
 * otherwise the given one is used (the test vectors).  Returns 0;
 * SEEN_EINVAL when ${len} is over 65535 or the input hashes to the
 * identity.
 */
int
seen_oprf_blind(enum seen_oprf_mode mode, const uint8_t *input, size_t len,
    uint8_t blind[SEEN_OPRF_SCALAR], uint8_t blinded[SEEN_OPRF_ELEMENT])
{
    uint8_t p[SEEN_OPRF_ELEMENT];

    if (len > 65535 || hash_to_group(mode, input, len, p) != 0)
        return SEEN_EINVAL;
    while (scalar_zero(blind))
        crypto_core_ristretto255_scalar_random(blind);
    if (crypto_scalarmult_ristretto255(blinded, blind, p) != 0)
        return SEEN_EINVAL;
    return 0;
}

/**
 * seen_oprf_evaluate(sk, blinded, evaluated):
 * BlindEvaluate of the OPRF and VOPRF modes (§3.3.1, §3.3.2 without the
 * proof): ${evaluated} = sk·blinded.  Also a custodian's evaluation with
 * its share.  Returns 0; SEEN_EINVAL when ${blinded} is not a valid
 * element other than the identity.
 */
int
seen_oprf_evaluate(const uint8_t sk[SEEN_OPRF_SCALAR],
    const uint8_t blinded[SEEN_OPRF_ELEMENT],
    uint8_t evaluated[SEEN_OPRF_ELEMENT])
{

    /* libsodium's multiplication decodes and checks the element, and
     * refuses an identity result: an identity element, with a key that is
     * never 0 (no second check: this is the custodian's hot path). */
    if (crypto_scalarmult_ristretto255(evaluated, sk, blinded) != 0)
        return SEEN_EINVAL;
    return 0;
}

/* m = HashToScalar("Info" || I2OSP(len(info), 2) || info) (§3.3.3). */
static int
info_scalar(const uint8_t *info, size_t ilen, uint8_t m[SEEN_OPRF_SCALAR])
{
    uint8_t l[2];
    const uint8_t *msg[3] = {(const uint8_t *)"Info", l, info};
    size_t len[3] = {4, 2, ilen};

    if (ilen > 65535)
        return SEEN_EINVAL;
    i2osp2(l, ilen);
    hash_to_scalar(SEEN_OPRF_MODE_POPRF, "HashToScalar-", msg, len, 3, m);
    return 0;
}

/**
 * seen_oprf_poprf_evaluate(sk, info, ilen, blinded, evaluated, t):
 * BlindEvaluate of the POPRF mode (§3.3.3 without the proof):
 * t = sk + HashToScalar("Info" || I2OSP(ilen, 2) || info), ${evaluated}
 * = t^-1·blinded; ${t} (unless NULL) receives t for the proof.  Returns
 * 0; SEEN_EINVAL (bad element, ${ilen} over 65535, or t = 0).
 */
int
seen_oprf_poprf_evaluate(const uint8_t sk[SEEN_OPRF_SCALAR],
    const uint8_t *info, size_t ilen, const uint8_t blinded[SEEN_OPRF_ELEMENT],
    uint8_t evaluated[SEEN_OPRF_ELEMENT], uint8_t t[SEEN_OPRF_SCALAR])
{
    uint8_t m[SEEN_OPRF_SCALAR], tt[SEEN_OPRF_SCALAR], inv[SEEN_OPRF_SCALAR];
    int rc = SEEN_EINVAL;

    if (!element_ok(blinded) || info_scalar(info, ilen, m) != 0)
        return SEEN_EINVAL;
    crypto_core_ristretto255_scalar_add(tt, sk, m);
    if (!scalar_zero(tt) &&
        crypto_core_ristretto255_scalar_invert(inv, tt) == 0 &&
        crypto_scalarmult_ristretto255(evaluated, inv, blinded) == 0) {
        if (t != NULL)
            memcpy(t, tt, SEEN_OPRF_SCALAR);
        rc = 0;
    }
    sodium_memzero(tt, sizeof tt);
    sodium_memzero(inv, sizeof inv);
    return rc;
}

/**
 * seen_oprf_finalize(mode, input, len, info, ilen, blind, evaluated,
 *     out):
 * Finalize (§3.3.1-3.3.3); see oprf.h.
 */
int
seen_oprf_finalize(enum seen_oprf_mode mode, const uint8_t *input,
    size_t len, const uint8_t *info, size_t ilen,
    const uint8_t blind[SEEN_OPRF_SCALAR],
    const uint8_t evaluated[SEEN_OPRF_ELEMENT], uint8_t out[SEEN_OPRF_OUTPUT])
{
    uint8_t inv[SEEN_OPRF_SCALAR];
    int rc;

    if (crypto_core_ristretto255_scalar_invert(inv, blind) != 0)
        return SEEN_EINVAL;
    rc = seen_oprf_finalize_inv(mode, input, len, info, ilen, inv,
        evaluated, out);
    sodium_memzero(inv, sizeof inv);
    return rc;
}

/**
 * seen_oprf_finalize_inv(mode, input, len, info, ilen, inv, evaluated,
 *     out):
 * Finalize given the blind's inverse; see oprf.h.
 */
int
seen_oprf_finalize_inv(enum seen_oprf_mode mode, const uint8_t *input,
    size_t len, const uint8_t *info, size_t ilen,
    const uint8_t inv[SEEN_OPRF_SCALAR],
    const uint8_t evaluated[SEEN_OPRF_ELEMENT], uint8_t out[SEEN_OPRF_OUTPUT])
{
    crypto_hash_sha512_state st;
    uint8_t n[SEEN_OPRF_ELEMENT], l[2];

    /* The multiplication decodes and checks ${evaluated}, and refuses an
     * identity result (so an identity element): no check of its own
     * before it, on the client's hot path. */
    if (len > 65535 || ilen > 65535 || sodium_is_zero(inv, SEEN_OPRF_SCALAR) ||
        crypto_scalarmult_ristretto255(n, inv, evaluated) != 0)
        return SEEN_EINVAL;
    crypto_hash_sha512_init(&st);
    i2osp2(l, len);
    crypto_hash_sha512_update(&st, l, 2);
    crypto_hash_sha512_update(&st, input, len);
    if (mode == SEEN_OPRF_MODE_POPRF) {
        i2osp2(l, ilen);
        crypto_hash_sha512_update(&st, l, 2);
        crypto_hash_sha512_update(&st, info, ilen);
    }
    i2osp2(l, sizeof n);
    crypto_hash_sha512_update(&st, l, 2);
    crypto_hash_sha512_update(&st, n, sizeof n);
    crypto_hash_sha512_update(&st, (const uint8_t *)"Finalize", 8);
    crypto_hash_sha512_final(&st, out);
    return 0;
}

/**
 * seen_oprf_invert_batch(s, n):
 * Replace each of the ${n} scalars ${s} by its inverse, with one
 * inversion; see oprf.h.
 */
int
seen_oprf_invert_batch(uint8_t (*s)[SEEN_OPRF_SCALAR], size_t n)
{
    uint8_t (*acc)[SEEN_OPRF_SCALAR], inv[SEEN_OPRF_SCALAR],
        t[SEEN_OPRF_SCALAR];
    size_t i;
    int rc = SEEN_EINVAL;

    if (n == 0)
        return 0;
    if (n > SIZE_MAX / SEEN_OPRF_SCALAR ||
        (acc = sodium_malloc(n * SEEN_OPRF_SCALAR)) == NULL)
        return SEEN_ENOMEM;
    /* Montgomery's trick: acc[i] = s[0]...s[i]; one inversion of the
     * product, then each inverse peeled off it from the last. */
    memcpy(acc[0], s[0], SEEN_OPRF_SCALAR);
    for (i = 1; i < n; i++)
        crypto_core_ristretto255_scalar_mul(acc[i], acc[i - 1], s[i]);
    if (crypto_core_ristretto255_scalar_invert(inv, acc[n - 1]) != 0)
        goto done; /* one of them is zero: none is changed */
    for (i = n - 1; i > 0; i--) {
        crypto_core_ristretto255_scalar_mul(t, inv, acc[i - 1]);
        crypto_core_ristretto255_scalar_mul(inv, inv, s[i]);
        memcpy(s[i], t, SEEN_OPRF_SCALAR);
    }
    memcpy(s[0], inv, SEEN_OPRF_SCALAR);
    rc = 0;
done:
    sodium_memzero(inv, sizeof inv);
    sodium_memzero(t, sizeof t);
    sodium_free(acc);
    return rc;
}

/*
 * ComputeComposites (§2.2.1): the weighted sums M of ${c} and Z of ${d}
 * (${m} pairs) under seeds drawn from ${b}; with ${k} not NULL,
 * ComputeCompositesFast: Z = k·M.  Returns 0 or SEEN_EINVAL.
 */
static int
composites(enum seen_oprf_mode mode, const uint8_t b[SEEN_OPRF_ELEMENT],
    const uint8_t (*c)[SEEN_OPRF_ELEMENT],
    const uint8_t (*d)[SEEN_OPRF_ELEMENT], size_t m, const uint8_t *k,
    uint8_t mm[SEEN_OPRF_ELEMENT], uint8_t zz[SEEN_OPRF_ELEMENT])
{
    uint8_t seed[64], sd[DST_MAX], l1[2], l2[2], li[2], l3[2], di[32];
    uint8_t t[SEEN_OPRF_ELEMENT];
    crypto_hash_sha512_state st;
    size_t sdlen = dst(mode, "Seed-", sd), i;

    i2osp2(l1, SEEN_OPRF_ELEMENT);
    i2osp2(l2, sdlen);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, l1, 2);
    crypto_hash_sha512_update(&st, b, SEEN_OPRF_ELEMENT);
    crypto_hash_sha512_update(&st, l2, 2);
    crypto_hash_sha512_update(&st, sd, sdlen);
    crypto_hash_sha512_final(&st, seed);
    i2osp2(l2, sizeof seed);
    i2osp2(l3, SEEN_OPRF_ELEMENT);
    for (i = 0; i < m; i++) {
        const uint8_t *msg[9] = {l2, seed, li, l3, c[i], l3, d[i],
            (const uint8_t *)"Composite"};
        size_t len[9] = {2, 64, 2, 2, 32, 2, 32, 9};

        if (!element_ok(c[i]) || !element_ok(d[i]))
            return SEEN_EINVAL;
        i2osp2(li, i);
        hash_to_scalar(mode, "HashToScalar-", msg, len, 8, di);
        if (crypto_scalarmult_ristretto255(t, di, c[i]) != 0)
            return SEEN_EINVAL;
        if (i == 0)
            memcpy(mm, t, sizeof t);
        else
            crypto_core_ristretto255_add(mm, mm, t);
        if (k != NULL)
            continue;
        if (crypto_scalarmult_ristretto255(t, di, d[i]) != 0)
            return SEEN_EINVAL;
        if (i == 0)
            memcpy(zz, t, sizeof t);
        else
            crypto_core_ristretto255_add(zz, zz, t);
    }
    if (k != NULL && crypto_scalarmult_ristretto255(zz, k, mm) != 0)
        return SEEN_EINVAL;
    return 0;
}

/* The challenge c of a proof (§2.2.1) from B, M, Z, t2 and t3. */
static void
challenge(enum seen_oprf_mode mode, const uint8_t *b, const uint8_t *mm,
    const uint8_t *zz, const uint8_t *t2, const uint8_t *t3,
    uint8_t c[SEEN_OPRF_SCALAR])
{
    uint8_t l[2];
    const uint8_t *msg[11] = {l, b, l, mm, l, zz, l, t2, l, t3,
        (const uint8_t *)"Challenge"};
    size_t len[11] = {2, 32, 2, 32, 2, 32, 2, 32, 2, 32, 9};

    i2osp2(l, SEEN_OPRF_ELEMENT);
    hash_to_scalar(mode, "HashToScalar-", msg, len, 11, c);
}

/**
 * seen_oprf_prove(mode, k, b, c, d, m, r, proof):
 * GenerateProof (§2.2.1): a DLEQ proof that the ${m} pairs (c[i], d[i])
 * share one discrete log ${k} with (G, ${b}), B = k·G.  VOPRF: k the
 * private key, c the blinded and d the evaluated elements; POPRF: k the
 * t of seen_oprf_poprf_evaluate, B = t·G, c the evaluated and d the
 * blinded elements.  ${r} is the proof's random scalar (all zero: drawn).
 * Returns 0; SEEN_EINVAL (no pairs, a bad element).
 */
int
seen_oprf_prove(enum seen_oprf_mode mode, const uint8_t k[SEEN_OPRF_SCALAR],
    const uint8_t b[SEEN_OPRF_ELEMENT], const uint8_t (*c)[SEEN_OPRF_ELEMENT],
    const uint8_t (*d)[SEEN_OPRF_ELEMENT], size_t m,
    const uint8_t r[SEEN_OPRF_SCALAR], uint8_t proof[SEEN_OPRF_PROOF])
{
    uint8_t mm[32], zz[32], t2[32], t3[32], rr[32], ck[32];
    int rc;

    if (m == 0 || !element_ok(b))
        return SEEN_EINVAL;
    if ((rc = composites(mode, b, c, d, m, k, mm, zz)) != 0)
        return rc;
    memcpy(rr, r, sizeof rr);
    while (scalar_zero(rr))
        crypto_core_ristretto255_scalar_random(rr);
    crypto_scalarmult_ristretto255_base(t2, rr);
    if (crypto_scalarmult_ristretto255(t3, rr, mm) != 0)
        return SEEN_EINVAL;
    challenge(mode, b, mm, zz, t2, t3, proof);
    /* s = r - c·k */
    crypto_core_ristretto255_scalar_mul(ck, proof, k);
    crypto_core_ristretto255_scalar_sub(proof + 32, rr, ck);
    sodium_memzero(rr, sizeof rr);
    sodium_memzero(ck, sizeof ck);
    return 0;
}

/**
 * seen_oprf_verify(mode, b, c, d, m, proof):
 * VerifyProof (§2.2.2) of seen_oprf_prove's proof.  Returns 0 when it
 * holds; SEEN_EAUTH when it does not; SEEN_EINVAL (a bad element).
 */
int
seen_oprf_verify(enum seen_oprf_mode mode, const uint8_t b[SEEN_OPRF_ELEMENT],
    const uint8_t (*c)[SEEN_OPRF_ELEMENT],
    const uint8_t (*d)[SEEN_OPRF_ELEMENT], size_t m,
    const uint8_t proof[SEEN_OPRF_PROOF])
{
    uint8_t mm[32], zz[32], t2[32], t3[32], x[32], y[32], want[32];
    int rc;

    if (m == 0 || !element_ok(b))
        return SEEN_EINVAL;
    if ((rc = composites(mode, b, c, d, m, NULL, mm, zz)) != 0)
        return rc;
    /* t2 = s·G + c·B; t3 = s·M + c·Z (a zero s or c makes the identity,
     * which libsodium's scalar multiplication refuses: not a proof). */
    crypto_scalarmult_ristretto255_base(x, proof + 32);
    if (crypto_scalarmult_ristretto255(y, proof, b) != 0 ||
        crypto_core_ristretto255_add(t2, x, y) != 0 ||
        crypto_scalarmult_ristretto255(x, proof + 32, mm) != 0 ||
        crypto_scalarmult_ristretto255(y, proof, zz) != 0 ||
        crypto_core_ristretto255_add(t3, x, y) != 0)
        return SEEN_EAUTH;
    challenge(mode, b, mm, zz, t2, t3, want);
    return sodium_memcmp(want, proof, 32) == 0 ? 0 : SEEN_EAUTH;
}

/**
 * seen_oprf_tweaked_key(pk, info, ilen, out):
 * The POPRF client's tweaked key (§3.3.3): G·HashToScalar("Info" ||
 * I2OSP(ilen, 2) || info) + pk, what its proof is verified against.
 * Returns 0; SEEN_EINVAL.
 */
int
seen_oprf_tweaked_key(const uint8_t pk[SEEN_OPRF_ELEMENT],
    const uint8_t *info, size_t ilen, uint8_t out[SEEN_OPRF_ELEMENT])
{
    uint8_t m[SEEN_OPRF_SCALAR], t[SEEN_OPRF_ELEMENT];

    if (!element_ok(pk) || info_scalar(info, ilen, m) != 0 ||
        crypto_scalarmult_ristretto255_base(t, m) != 0 ||
        crypto_core_ristretto255_add(out, t, pk) != 0 || !element_ok(out))
        return SEEN_EINVAL;
    return 0;
}

/* The scalar ${v} (a small integer). */
static void
scalar_of(uint8_t out[SEEN_OPRF_SCALAR], unsigned int v)
{

    memset(out, 0, SEEN_OPRF_SCALAR);
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
}

/**
 * seen_oprf_split(sk, t, n, shares):
 * Split ${sk} into ${n} shares, any ${t} of which recover it (a random
 * polynomial of degree t-1 with constant term sk; share i, 1-based, is
 * its value at i, written to ${shares}[i-1]).  Returns 0; SEEN_EINVAL
 * unless 1 <= t <= n <= SEEN_OPRF_SHARES_MAX.
 */
int
seen_oprf_split(const uint8_t sk[SEEN_OPRF_SCALAR], unsigned int t,
    unsigned int n, uint8_t (*shares)[SEEN_OPRF_SCALAR])
{
    uint8_t a[SEEN_OPRF_SHARES_MAX][SEEN_OPRF_SCALAR], x[32], y[32];
    unsigned int i, j;

    if (t < 1 || t > n || n > SEEN_OPRF_SHARES_MAX)
        return SEEN_EINVAL;
    memcpy(a[0], sk, SEEN_OPRF_SCALAR);
    for (j = 1; j < t; j++)
        crypto_core_ristretto255_scalar_random(a[j]);
    for (i = 1; i <= n; i++) {
        /* Horner: y = (...(a[t-1]·x + a[t-2])·x + ...)·x + a[0]. */
        scalar_of(x, i);
        memcpy(y, a[t - 1], sizeof y);
        for (j = t - 1; j-- > 0;) {
            crypto_core_ristretto255_scalar_mul(y, y, x);
            crypto_core_ristretto255_scalar_add(y, y, a[j]);
        }
        memcpy(shares[i - 1], y, SEEN_OPRF_SCALAR);
    }
    sodium_memzero(a, sizeof a);
    sodium_memzero(y, sizeof y);
    return 0;
}

/**
 * seen_oprf_lagrange(ids, k, i, lambda):
 * ${lambda} = the Lagrange coefficient at 0 of the share numbered
 * ${ids}[${i}] among the ${k} share numbers ${ids} (1-based, distinct):
 * prod_{j != i} x_j / (x_j - x_i).  Returns 0; SEEN_EINVAL (${i} not
 * below ${k}, an id 0, over SEEN_OPRF_SHARES_MAX or repeated).
 */
int
seen_oprf_lagrange(const unsigned int *ids, size_t k, size_t i,
    uint8_t lambda[SEEN_OPRF_SCALAR])
{
    uint8_t num[32], den[32], xi[32], xj[32], d[32], inv[32];
    size_t j;
    int rc = SEEN_EINVAL;

    if (i >= k || ids[i] == 0 || ids[i] > SEEN_OPRF_SHARES_MAX)
        return SEEN_EINVAL;
    /* lambda_i = prod_{j != i} x_j / (x_j - x_i) */
    scalar_of(num, 1);
    scalar_of(den, 1);
    scalar_of(xi, ids[i]);
    for (j = 0; j < k; j++) {
        if (j == i)
            continue;
        if (ids[j] == ids[i] || ids[j] == 0 || ids[j] > SEEN_OPRF_SHARES_MAX)
            goto done;
        scalar_of(xj, ids[j]);
        crypto_core_ristretto255_scalar_mul(num, num, xj);
        crypto_core_ristretto255_scalar_sub(d, xj, xi);
        crypto_core_ristretto255_scalar_mul(den, den, d);
    }
    if (crypto_core_ristretto255_scalar_invert(inv, den) != 0)
        goto done;
    crypto_core_ristretto255_scalar_mul(lambda, num, inv);
    rc = 0;
done:
    return rc;
}

/**
 * seen_oprf_weighted_share(share, ids, k, i, weighted):
 * A custodian's scalar for one request: ${weighted} = lambda_i·${share},
 * lambda_i the Lagrange coefficient at 0 of ${ids}[${i}] among the ${k}
 * ${ids} (seen_oprf_lagrange), so that the evaluations of the ${k}
 * custodians, each seen_oprf_evaluate(weighted, blinded), add up
 * (seen_oprf_add) to the whole key's.  Returns 0; SEEN_EINVAL as
 * seen_oprf_lagrange.  The caller wipes ${weighted}.
 */
int
seen_oprf_weighted_share(const uint8_t share[SEEN_OPRF_SCALAR],
    const unsigned int *ids, size_t k, size_t i,
    uint8_t weighted[SEEN_OPRF_SCALAR])
{
    uint8_t lam[32];
    int rc;

    if ((rc = seen_oprf_lagrange(ids, k, i, lam)) != 0)
        return rc;
    crypto_core_ristretto255_scalar_mul(weighted, lam, share);
    sodium_memzero(lam, sizeof lam);
    return 0;
}

/**
 * seen_oprf_add(a, b, out):
 * ${out} = ${a} + ${b}, ristretto255 elements (${out} may be ${a} or
 * ${b}): the sum of weighted evaluations, which seen_oprf_finalize then
 * unblinds.  Returns 0; SEEN_EINVAL when either is not a valid element.
 */
int
seen_oprf_add(const uint8_t a[SEEN_OPRF_ELEMENT],
    const uint8_t b[SEEN_OPRF_ELEMENT], uint8_t out[SEEN_OPRF_ELEMENT])
{

    if (crypto_core_ristretto255_add(out, a, b) != 0)
        return SEEN_EINVAL;
    return 0;
}

/**
 * seen_oprf_combine(ids, evaluated, k, out):
 * Combine the evaluations ${evaluated}[j] made by the custodians whose
 * share numbers are ${ids}[j] (1-based, distinct; ${k} of them, at least
 * the threshold) into the evaluation the whole key makes: the sum of
 * lambda_j·evaluated[j], lambda_j the Lagrange coefficient at 0.
 * Returns 0; SEEN_EINVAL (no evaluation, an id 0 or repeated, a bad
 * element).  With fewer than the threshold the result is wrong, not an
 * error: nothing here knows the threshold.
 */
int
seen_oprf_combine(const unsigned int *ids,
    const uint8_t (*evaluated)[SEEN_OPRF_ELEMENT], size_t k,
    uint8_t out[SEEN_OPRF_ELEMENT])
{
    uint8_t lam[32], t[SEEN_OPRF_ELEMENT];
    size_t i;

    if (k == 0)
        return SEEN_EINVAL;
    for (i = 0; i < k; i++) {
        if (!element_ok(evaluated[i]) ||
            seen_oprf_lagrange(ids, k, i, lam) != 0)
            return SEEN_EINVAL;
        if (crypto_scalarmult_ristretto255(t, lam, evaluated[i]) != 0)
            return SEEN_EINVAL;
        if (i == 0)
            memcpy(out, t, sizeof t);
        else if (crypto_core_ristretto255_add(out, out, t) != 0)
            return SEEN_EINVAL;
    }
    return 0;
}

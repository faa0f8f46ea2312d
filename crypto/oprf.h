/*
 * oprf.h: oblivious pseudorandom functions over ristretto255 with
 * SHA-512 (RFC 9497, suite ristretto255-SHA512: OPRF, VOPRF and POPRF
 * modes), and the key split among custodians, t of n (Shamir's sharing
 * of the scalar, the evaluations combined by Lagrange interpolation in
 * the exponent).
 *
 * The client blinds its input (seen_oprf_blind), a server (or t
 * custodians, each with its share) evaluates the blinded element
 * without learning the input, and the client unblinds and hashes the
 * result (seen_oprf_finalize).  Every group operation is libsodium's
 * crypto_core_ristretto255_* and crypto_scalarmult_ristretto255; the
 * hashing is RFC 9380's expand_message_xmd with SHA-512.  Elements are
 * 32-byte ristretto255 encodings, scalars 32-byte little-endian, reduced.
 * tests/check_crypto_oprf.c reproduces every vector of RFC 9497,
 * Appendix A.1 (tests/data/oprf).
 */
#ifndef SEEN_OPRF_H
#define SEEN_OPRF_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_OPRF_ELEMENT 32
#define SEEN_OPRF_SCALAR 32
#define SEEN_OPRF_OUTPUT 64 /* SHA-512 */
#define SEEN_OPRF_PROOF 64  /* c || s */
#define SEEN_OPRF_SHARES_MAX 255

enum seen_oprf_mode {
    SEEN_OPRF_MODE_OPRF = 0,
    SEEN_OPRF_MODE_VOPRF = 1,
    SEEN_OPRF_MODE_POPRF = 2,
};

/**
 * seen_oprf_derive_key(mode, seed, info, ilen, sk, pk):
 * DeriveKeyPair (RFC 9497 §3.2.1): the private key ${sk} from the 32-byte
 * ${seed} and the ${ilen} bytes of ${info}, and its public key ${pk}
 * (sk·G; NULL when not wanted).  Returns 0; SEEN_EINVAL when ${ilen} is
 * over 65535 or no key results (RFC: DeriveKeyPairError).
 */
SEEN_MUST_CHECK int seen_oprf_derive_key(enum seen_oprf_mode mode,
    const uint8_t seed[32], const uint8_t *info, size_t ilen,
    uint8_t sk[SEEN_OPRF_SCALAR], uint8_t pk[SEEN_OPRF_ELEMENT]);

/**
 * seen_oprf_blind(mode, input, len, blind, blinded):
 * Blind (RFC 9497 §3.3.1): ${blinded} = blind·HashToGroup(input).  With
 * ${blind} all zero, a random blind is drawn and written to ${blind};
 * otherwise the given one is used (the test vectors).  Returns 0;
 * SEEN_EINVAL when ${len} is over 65535 or the input hashes to the
 * identity.
 */
SEEN_MUST_CHECK int seen_oprf_blind(enum seen_oprf_mode mode,
    const uint8_t *input, size_t len, uint8_t blind[SEEN_OPRF_SCALAR],
    uint8_t blinded[SEEN_OPRF_ELEMENT]);

/**
 * seen_oprf_evaluate(sk, blinded, evaluated):
 * BlindEvaluate of the OPRF and VOPRF modes (§3.3.1, §3.3.2 without the
 * proof): ${evaluated} = sk·blinded.  Also a custodian's evaluation with
 * its share.  Returns 0; SEEN_EINVAL when ${blinded} is not a valid
 * element other than the identity.
 */
SEEN_MUST_CHECK int seen_oprf_evaluate(const uint8_t sk[SEEN_OPRF_SCALAR],
    const uint8_t blinded[SEEN_OPRF_ELEMENT],
    uint8_t evaluated[SEEN_OPRF_ELEMENT]);

/**
 * seen_oprf_poprf_evaluate(sk, info, ilen, blinded, evaluated, t):
 * BlindEvaluate of the POPRF mode (§3.3.3 without the proof):
 * t = sk + HashToScalar("Info" || I2OSP(ilen, 2) || info), ${evaluated}
 * = t^-1·blinded; ${t} (unless NULL) receives t for the proof.  Returns
 * 0; SEEN_EINVAL (bad element, ${ilen} over 65535, or t = 0).
 */
SEEN_MUST_CHECK int seen_oprf_poprf_evaluate(const uint8_t sk[SEEN_OPRF_SCALAR],
    const uint8_t *info, size_t ilen, const uint8_t blinded[SEEN_OPRF_ELEMENT],
    uint8_t evaluated[SEEN_OPRF_ELEMENT], uint8_t t[SEEN_OPRF_SCALAR]);

/**
 * seen_oprf_finalize(mode, input, len, info, ilen, blind, evaluated,
 *     out):
 * Finalize (§3.3.1-3.3.3): unblind ${evaluated} with ${blind} and hash
 * it with ${input} (and, in POPRF mode, ${info}) into ${out}.  Returns 0;
 * SEEN_EINVAL (a length over 65535, a bad element, a zero blind).
 */
SEEN_MUST_CHECK int seen_oprf_finalize(enum seen_oprf_mode mode,
    const uint8_t *input, size_t len, const uint8_t *info, size_t ilen,
    const uint8_t blind[SEEN_OPRF_SCALAR],
    const uint8_t evaluated[SEEN_OPRF_ELEMENT],
    uint8_t out[SEEN_OPRF_OUTPUT]);

/**
 * seen_oprf_finalize_inv(mode, input, len, info, ilen, inv, evaluated,
 *     out):
 * As seen_oprf_finalize, given ${inv}, the blind's inverse (from
 * seen_oprf_invert_batch, which inverts a batch of blinds for about the
 * price of one).  Same returns (SEEN_EINVAL for a zero ${inv}).
 */
SEEN_MUST_CHECK int seen_oprf_finalize_inv(enum seen_oprf_mode mode,
    const uint8_t *input, size_t len, const uint8_t *info, size_t ilen,
    const uint8_t inv[SEEN_OPRF_SCALAR],
    const uint8_t evaluated[SEEN_OPRF_ELEMENT],
    uint8_t out[SEEN_OPRF_OUTPUT]);

/**
 * seen_oprf_invert_batch(s, n):
 * Replace each of the ${n} scalars ${s} (secret: blinds) by its inverse
 * modulo the group order, with one inversion and three multiplications
 * a scalar (Montgomery's trick) instead of ${n} inversions.  Returns 0;
 * SEEN_EINVAL when one of them is zero (then none is changed);
 * SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_oprf_invert_batch(
    uint8_t (*s)[SEEN_OPRF_SCALAR], size_t n);

/**
 * seen_oprf_prove(mode, k, b, c, d, m, r, proof):
 * GenerateProof (§2.2.1): a DLEQ proof that the ${m} pairs (c[i], d[i])
 * share one discrete log ${k} with (G, ${b}), B = k·G.  VOPRF: k the
 * private key, c the blinded and d the evaluated elements; POPRF: k the
 * t of seen_oprf_poprf_evaluate, B = t·G, c the evaluated and d the
 * blinded elements.  ${r} is the proof's random scalar (all zero: drawn).
 * Returns 0; SEEN_EINVAL (no pairs, a bad element).
 */
SEEN_MUST_CHECK int seen_oprf_prove(enum seen_oprf_mode mode,
    const uint8_t k[SEEN_OPRF_SCALAR], const uint8_t b[SEEN_OPRF_ELEMENT],
    const uint8_t (*c)[SEEN_OPRF_ELEMENT],
    const uint8_t (*d)[SEEN_OPRF_ELEMENT], size_t m,
    const uint8_t r[SEEN_OPRF_SCALAR], uint8_t proof[SEEN_OPRF_PROOF]);

/**
 * seen_oprf_verify(mode, b, c, d, m, proof):
 * VerifyProof (§2.2.2) of seen_oprf_prove's proof.  Returns 0 when it
 * holds; SEEN_EAUTH when it does not; SEEN_EINVAL (a bad element).
 */
SEEN_MUST_CHECK int seen_oprf_verify(enum seen_oprf_mode mode,
    const uint8_t b[SEEN_OPRF_ELEMENT], const uint8_t (*c)[SEEN_OPRF_ELEMENT],
    const uint8_t (*d)[SEEN_OPRF_ELEMENT], size_t m,
    const uint8_t proof[SEEN_OPRF_PROOF]);

/**
 * seen_oprf_tweaked_key(pk, info, ilen, out):
 * The POPRF client's tweaked key (§3.3.3): G·HashToScalar("Info" ||
 * I2OSP(ilen, 2) || info) + pk, what its proof is verified against.
 * Returns 0; SEEN_EINVAL.
 */
SEEN_MUST_CHECK int seen_oprf_tweaked_key(const uint8_t pk[SEEN_OPRF_ELEMENT],
    const uint8_t *info, size_t ilen, uint8_t out[SEEN_OPRF_ELEMENT]);

/**
 * seen_oprf_split(sk, t, n, shares):
 * Split ${sk} into ${n} shares, any ${t} of which recover it (a random
 * polynomial of degree t-1 with constant term sk; share i, 1-based, is
 * its value at i, written to ${shares}[i-1]).  Returns 0; SEEN_EINVAL
 * unless 1 <= t <= n <= SEEN_OPRF_SHARES_MAX.
 */
SEEN_MUST_CHECK int seen_oprf_split(const uint8_t sk[SEEN_OPRF_SCALAR],
    unsigned int t, unsigned int n, uint8_t (*shares)[SEEN_OPRF_SCALAR]);

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
SEEN_MUST_CHECK int seen_oprf_combine(const unsigned int *ids,
    const uint8_t (*evaluated)[SEEN_OPRF_ELEMENT], size_t k,
    uint8_t out[SEEN_OPRF_ELEMENT]);

/**
 * seen_oprf_lagrange(ids, k, i, lambda):
 * ${lambda} = the Lagrange coefficient at 0 of the share numbered
 * ${ids}[${i}] among the ${k} share numbers ${ids} (1-based, distinct):
 * prod_{j != i} x_j / (x_j - x_i).  Returns 0; SEEN_EINVAL (${i} not
 * below ${k}, an id 0, over SEEN_OPRF_SHARES_MAX or repeated).
 */
SEEN_MUST_CHECK int seen_oprf_lagrange(const unsigned int *ids, size_t k,
    size_t i, uint8_t lambda[SEEN_OPRF_SCALAR]);

/**
 * seen_oprf_weighted_share(share, ids, k, i, weighted):
 * A custodian's scalar for one request: ${weighted} = lambda_i·${share},
 * lambda_i the Lagrange coefficient at 0 of ${ids}[${i}] among the ${k}
 * ${ids} (seen_oprf_lagrange), so that the evaluations of the ${k}
 * custodians, each seen_oprf_evaluate(weighted, blinded), add up
 * (seen_oprf_add) to the whole key's.  Returns 0; SEEN_EINVAL as
 * seen_oprf_lagrange.  The caller wipes ${weighted}.
 */
SEEN_MUST_CHECK int seen_oprf_weighted_share(
    const uint8_t share[SEEN_OPRF_SCALAR], const unsigned int *ids, size_t k,
    size_t i, uint8_t weighted[SEEN_OPRF_SCALAR]);

/**
 * seen_oprf_add(a, b, out):
 * ${out} = ${a} + ${b}, ristretto255 elements (${out} may be ${a} or
 * ${b}): the sum of weighted evaluations, which seen_oprf_finalize then
 * unblinds.  Returns 0; SEEN_EINVAL when either is not a valid element.
 */
SEEN_MUST_CHECK int seen_oprf_add(const uint8_t a[SEEN_OPRF_ELEMENT],
    const uint8_t b[SEEN_OPRF_ELEMENT], uint8_t out[SEEN_OPRF_ELEMENT]);

#endif /* !SEEN_OPRF_H */

/*
 * merkle.h: Merkle tree hashing, proofs and verification exactly as in
 * RFC 9162 section 2.1 (the RFC 6962 tree), with SHA-256.
 *
 *   leaf hash       SHA-256(0x00 || leaf bytes)
 *   interior node   SHA-256(0x01 || left || right)
 *   empty tree      SHA-256("")  (the Merkle Tree Hash of no leaves)
 *
 * MTH(D[n]) for n > 1 splits at k, the largest power of two < n:
 * node(MTH(D[0:k]), MTH(D[k:n])).  Every hash a proof needs is therefore
 * made of perfect, aligned subtrees [start, start + 2^j) with start a
 * multiple of 2^j; proof generation asks for those through a callback
 * (seen_merkle_subtree_fn) so that storage can answer from its cache of
 * node hashes.  Inclusion and consistency proofs are the RFC's PATH and
 * PROOF lists, lowest level first, each element 32 bytes.
 *
 * All functions are pure computation: they allocate nothing and log
 * nothing.  Verification failures are reported only by return value.
 *
 * Proofs are arrays of 32-byte hashes, uint8_t [n][32].  Passing a
 * non-const one where const uint8_t [][32] is expected is accepted by GCC
 * and Clang; strict ISO C before C23 (-Wpedantic) wants a cast.
 */
#ifndef SEEN_MERKLE_H
#define SEEN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_HASH_BYTES 32

/*
 * The longest proof for a tree of up to 2^64 - 1 leaves.  An inclusion
 * proof has at most 64 hashes, but a consistency proof can have 65 (one
 * per level of a 64-level tree, plus the subtree it starts from, e.g. from
 * size 3 to size 2^64 - 1), so proof buffers hold 65.
 */
#define SEEN_MERKLE_PROOF_MAX 65

/**
 * seen_merkle_leaf_hash(out, leaf, len):
 * Write SHA-256(0x00 || ${leaf}) of the ${len} bytes at ${leaf} (which may
 * be NULL if ${len} is 0) to ${out}.
 */
void seen_merkle_leaf_hash(uint8_t out[static 32], const uint8_t *leaf,
    size_t len);

/**
 * seen_merkle_node_hash(out, l, r):
 * Write SHA-256(0x01 || ${l} || ${r}) to ${out}, which may be ${l} or ${r}.
 */
void seen_merkle_node_hash(uint8_t out[static 32], const uint8_t l[static 32],
    const uint8_t r[static 32]);

/**
 * seen_merkle_empty_root(out):
 * Write the root of the empty tree, SHA-256 of no bytes, to ${out}.
 */
void seen_merkle_empty_root(uint8_t out[static 32]);

/*
 * A compact range, or frontier: the roots of the perfect subtrees that
 * cover leaves [0, size), enough to append and to compute the root in
 * O(log size) hashes.  hash[j] is the root of the subtree of 2^j leaves
 * present in the frontier when bit j of size is set, and is meaningless
 * otherwise.  Plain data: it may be copied, stored and restored.
 */
struct seen_merkle_frontier {
    uint64_t size;
    uint8_t hash[64][32];
};

/**
 * seen_merkle_frontier_init(f):
 * Make ${f} the frontier of the empty tree.
 */
void seen_merkle_frontier_init(struct seen_merkle_frontier *f);

/**
 * seen_merkle_frontier_append(f, leafhash):
 * Append the leaf whose leaf hash is ${leafhash} to the frontier ${f}.
 * At most 64 node hashes are computed (one per trailing 1 bit of the
 * size).  ${f}->size must be below UINT64_MAX; at UINT64_MAX nothing is
 * appended (a log cannot reach that size).
 */
void seen_merkle_frontier_append(struct seen_merkle_frontier *f,
    const uint8_t leafhash[static 32]);

/**
 * seen_merkle_frontier_root(f, out):
 * Write the Merkle Tree Hash of the ${f}->size leaves of the frontier
 * ${f} to ${out} (the empty root for size 0).
 */
void seen_merkle_frontier_root(const struct seen_merkle_frontier *f,
    uint8_t out[static 32]);

/*
 * A source of subtree hashes: write to ${out} the root of the perfect
 * subtree of the ${size} leaves [${start}, ${start} + ${size}), where
 * ${size} is a power of two and ${start} a multiple of ${size} (for
 * ${size} == 1, the leaf hash of leaf ${start}).  Returns 0 or a negative
 * SEEN_E* code, which the proof functions pass back unchanged.
 */
typedef int seen_merkle_subtree_fn(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32]);

/**
 * seen_merkle_root_of(f, ctx, size, out):
 * Write MTH(D[0:${size}]), the root of the tree of the first ${size}
 * leaves, to ${out}, asking ${f}(${ctx}, ...) for at most 64 perfect
 * subtrees (the empty root for ${size} 0).
 * Returns 0 or the first error ${f} returned.
 */
SEEN_MUST_CHECK int seen_merkle_root_of(seen_merkle_subtree_fn *f, void *ctx,
    uint64_t size, uint8_t out[static 32]);

/**
 * seen_merkle_inclusion_proof(f, ctx, index, size, proof, plen):
 * Write to ${proof} the RFC 9162 inclusion proof PATH(${index},
 * D[0:${size}]) of leaf ${index} in the tree of the first ${size} leaves
 * (lowest level first), and its length in hashes (at most 64) to ${plen}.
 * Subtree hashes come from ${f}(${ctx}, ...).
 * Returns 0; SEEN_EINVAL if ${index} >= ${size}; or the first error ${f}
 * returned.
 */
SEEN_MUST_CHECK int seen_merkle_inclusion_proof(seen_merkle_subtree_fn *f,
    void *ctx, uint64_t index, uint64_t size,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen);

/**
 * seen_merkle_consistency_proof(f, ctx, size1, size2, proof, plen):
 * Write to ${proof} the RFC 9162 consistency proof PROOF(${size1},
 * D[0:${size2}]) that the tree of the first ${size1} leaves is a prefix of
 * the tree of the first ${size2}, and its length in hashes (at most
 * SEEN_MERKLE_PROOF_MAX) to ${plen}.  For ${size1} == ${size2} the proof is
 * empty.  Subtree hashes come from ${f}(${ctx}, ...).
 * Returns 0; SEEN_EINVAL unless 0 < ${size1} <= ${size2} (a proof from the
 * empty tree is meaningless: every tree extends it); or the first error
 * ${f} returned.
 */
SEEN_MUST_CHECK int seen_merkle_consistency_proof(seen_merkle_subtree_fn *f,
    void *ctx, uint64_t size1, uint64_t size2,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen);

/**
 * seen_merkle_verify_inclusion(leafhash, index, size, proof, plen, root):
 * Check, by the algorithm of RFC 9162 section 2.1.3.2, that the ${plen}
 * hashes ${proof} prove that the leaf with hash ${leafhash} is leaf
 * ${index} of the tree of ${size} leaves whose root is ${root}.
 * Returns 0 if they do; SEEN_EAUTH otherwise, including when ${index} >=
 * ${size} and when the proof is too short or too long.
 */
SEEN_MUST_CHECK int seen_merkle_verify_inclusion(
    const uint8_t leafhash[static 32], uint64_t index, uint64_t size,
    const uint8_t proof[][32], size_t plen, const uint8_t root[static 32]);

/**
 * seen_merkle_verify_consistency(size1, size2, root1, root2, proof, plen):
 * Check that the ${plen} hashes ${proof} prove that the tree of ${size1}
 * leaves with root ${root1} is a prefix of the tree of ${size2} leaves with
 * root ${root2}.  For 0 < ${size1} < ${size2} this is the algorithm of
 * RFC 9162 section 2.1.4.2.  The cases that algorithm leaves out are
 * decided as the RFC 9162 test vectors (transparency-dev/merkle) do:
 *   - ${size1} > ${size2}: fails;
 *   - ${size1} == 0: fails, whatever ${size2} and the proof (a proof from
 *     the empty tree is meaningless: a caller holding no earlier tree has
 *     nothing to check and must not call this);
 *   - ${size1} == ${size2} > 0: succeeds exactly when the proof is empty
 *     and ${root1} equals ${root2}.
 * Returns 0 if the proof holds; SEEN_EAUTH otherwise, including when the
 * proof is too short or too long.
 */
SEEN_MUST_CHECK int seen_merkle_verify_consistency(uint64_t size1,
    uint64_t size2, const uint8_t root1[static 32],
    const uint8_t root2[static 32], const uint8_t proof[][32], size_t plen);

/**
 * seen_merkle_consistency_len(size1, size2):
 * Return the number of hashes in the RFC 9162 consistency proof from the
 * tree of ${size1} leaves to the tree of ${size2} leaves: the length that
 * seen_merkle_consistency_proof() writes and the only one that
 * seen_merkle_verify_consistency() can accept (0 when ${size1} ==
 * ${size2}).  For a proof received from outside, a length that differs
 * means the bytes are not a proof at all, before any hash is compared.
 * Returns SIZE_MAX unless 0 < ${size1} <= ${size2}.
 */
size_t seen_merkle_consistency_len(uint64_t size1, uint64_t size2);

/* The leaf hashes of a whole tree in memory, for the callback below. */
struct seen_merkle_leaves {
    const uint8_t (*hash)[32]; /* hash[i]: leaf hash of leaf i */
    uint64_t n;                /* number of leaves */
};

/**
 * seen_merkle_subtree_from_leaves(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the leaf hashes in memory described by the
 * struct seen_merkle_leaves ${ctx}: computes the root of the perfect
 * subtree [${start}, ${start} + ${size}) from its ${size} leaf hashes.
 * Returns 0; SEEN_EINVAL if ${size} is not a power of two, ${start} is not
 * a multiple of it, or the subtree reaches past the last leaf.
 */
seen_merkle_subtree_fn seen_merkle_subtree_from_leaves;

#endif /* !SEEN_MERKLE_H */

#include <stdint.h>
#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "crypto/merkle.h"

/*
 * SHA-256 is Nettle's: on a processor with the SHA extensions it uses
 * them (Debian builds Nettle to choose at run time), about three times
 * libsodium's portable SHA-256 on a 600-byte leaf (bench_xlog's
 * "leaf hashes").  Every leaf a node appends or receives is hashed.
 */
_Static_assert(SHA256_DIGEST_SIZE == SEEN_HASH_BYTES, "hash size");

/* Is ${x} a power of two (and not 0)? */
static int
is_pow2(uint64_t x)
{

    return x != 0 && (x & (x - 1)) == 0;
}

/* The largest power of two strictly less than ${n}, for ${n} >= 2. */
static uint64_t
split_point(uint64_t n)
{

    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/**
 * seen_merkle_leaf_hash(out, leaf, len):
 * Write SHA-256(0x00 || ${leaf}) of the ${len} bytes at ${leaf} (which may
 * be NULL if ${len} is 0) to ${out}.
 */
void
seen_merkle_leaf_hash(uint8_t out[static 32], const uint8_t *leaf,
    size_t len)
{
    static const uint8_t prefix = 0x00;
    struct sha256_ctx st;

    sha256_init(&st);
    sha256_update(&st, 1, &prefix);
    if (len > 0)
        sha256_update(&st, len, leaf);
    sha256_digest(&st, SHA256_DIGEST_SIZE, out);
}

/**
 * seen_merkle_node_hash(out, l, r):
 * Write SHA-256(0x01 || ${l} || ${r}) to ${out}, which may be ${l} or ${r}.
 */
void
seen_merkle_node_hash(uint8_t out[static 32], const uint8_t l[static 32],
    const uint8_t r[static 32])
{
    uint8_t buf[1 + 32 + 32];
    struct sha256_ctx st;

    buf[0] = 0x01;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    sha256_init(&st);
    sha256_update(&st, sizeof buf, buf);
    sha256_digest(&st, SHA256_DIGEST_SIZE, out);
}

/**
 * seen_merkle_empty_root(out):
 * Write the root of the empty tree, SHA-256 of no bytes, to ${out}.
 */
void
seen_merkle_empty_root(uint8_t out[static 32])
{
    struct sha256_ctx st;

    sha256_init(&st);
    sha256_digest(&st, SHA256_DIGEST_SIZE, out);
}

/**
 * seen_merkle_frontier_init(f):
 * Make ${f} the frontier of the empty tree.
 */
void
seen_merkle_frontier_init(struct seen_merkle_frontier *f)
{

    memset(f, 0, sizeof(*f));
}

/**
 * seen_merkle_frontier_append(f, leafhash):
 * Append the leaf whose leaf hash is ${leafhash} to the frontier ${f}.
 * At most 64 node hashes are computed (one per trailing 1 bit of the
 * size).  ${f}->size must be below UINT64_MAX; at UINT64_MAX nothing is
 * appended (a log cannot reach that size).
 */
void
seen_merkle_frontier_append(struct seen_merkle_frontier *f,
    const uint8_t leafhash[static 32])
{
    uint8_t h[32];
    unsigned int j;

    if (f->size == UINT64_MAX)
        return;

    /*
     * Binary increment: each perfect subtree of 2^j leaves at the right
     * edge (bit j set) merges with the new one of the same size.
     */
    memcpy(h, leafhash, 32);
    for (j = 0; (f->size >> j) & 1; j++)
        seen_merkle_node_hash(h, f->hash[j], h);
    memcpy(f->hash[j], h, 32);
    f->size++;
}

/**
 * seen_merkle_frontier_root(f, out):
 * Write the Merkle Tree Hash of the ${f}->size leaves of the frontier
 * ${f} to ${out} (the empty root for size 0).
 */
void
seen_merkle_frontier_root(const struct seen_merkle_frontier *f,
    uint8_t out[static 32])
{
    uint8_t h[32];
    unsigned int j;

    if (f->size == 0) {
        seen_merkle_empty_root(out);
        return;
    }

    /*
     * MTH splits at the largest power of two, so the root folds the
     * subtrees from the smallest (rightmost) up: node(big, node(..., small)).
     */
    j = (unsigned int)__builtin_ctzll(f->size);
    memcpy(h, f->hash[j], 32);
    for (j++; j < 64; j++) {
        if ((f->size >> j) & 1)
            seen_merkle_node_hash(h, f->hash[j], h);
    }
    memcpy(out, h, 32);
}

/*
 * Write MTH(D[off : off + n]) to ${out}, for n >= 1 and a range that
 * occurs in the RFC 9162 recursion from the root, i.e. ${off} a multiple
 * of the smallest power of two >= ${n}: then the range is the perfect
 * aligned subtrees given by the bits of ${n}, largest first, and its hash
 * folds them from the right.
 */
static int
range_hash(seen_merkle_subtree_fn *f, void *ctx, uint64_t off, uint64_t n,
    uint8_t out[static 32])
{
    uint8_t h[32], sub[32];
    uint64_t end = off + n, bit;
    int rc;

    bit = n & -n;
    end -= bit;
    if ((rc = f(ctx, end, bit, h)) != 0)
        return rc;
    for (n -= bit; n != 0; n -= bit) {
        bit = n & -n;
        end -= bit;
        if ((rc = f(ctx, end, bit, sub)) != 0)
            return rc;
        seen_merkle_node_hash(h, sub, h);
    }
    memcpy(out, h, 32);
    return 0;
}

/**
 * seen_merkle_root_of(f, ctx, size, out):
 * Write MTH(D[0:${size}]), the root of the tree of the first ${size}
 * leaves, to ${out}, asking ${f}(${ctx}, ...) for at most 64 perfect
 * subtrees (the empty root for ${size} 0).
 * Returns 0 or the first error ${f} returned.
 */
int
seen_merkle_root_of(seen_merkle_subtree_fn *f, void *ctx, uint64_t size,
    uint8_t out[static 32])
{

    if (size == 0) {
        seen_merkle_empty_root(out);
        return 0;
    }
    return range_hash(f, ctx, 0, size, out);
}

/* Reverse the ${n} hashes of ${p} in place. */
static void
reverse(uint8_t p[][32], size_t n)
{
    uint8_t t[32];
    size_t i;

    for (i = 0; i < n / 2; i++) {
        memcpy(t, p[i], 32);
        memcpy(p[i], p[n - 1 - i], 32);
        memcpy(p[n - 1 - i], t, 32);
    }
}

/**
 * seen_merkle_inclusion_proof(f, ctx, index, size, proof, plen):
 * Write to ${proof} the RFC 9162 inclusion proof PATH(${index},
 * D[0:${size}]) of leaf ${index} in the tree of the first ${size} leaves
 * (lowest level first), and its length in hashes (at most 64) to ${plen}.
 * Subtree hashes come from ${f}(${ctx}, ...).
 * Returns 0; SEEN_EINVAL if ${index} >= ${size}; or the first error ${f}
 * returned.
 */
int
seen_merkle_inclusion_proof(seen_merkle_subtree_fn *f, void *ctx,
    uint64_t index, uint64_t size,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    uint64_t off = 0, m = index, n = size, k;
    size_t len = 0;
    int rc;

    *plen = 0;
    if (index >= size)
        return SEEN_EINVAL;

    /*
     * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])       if m < k
     *               = PATH(m - k, D[k:n]) : MTH(D[0:k])   otherwise.
     * Walk down from the root collecting the siblings, then reverse them
     * so that the lowest level comes first.  Each step halves the tree at
     * least, so there are at most 64.
     */
    while (n > 1) {
        k = split_point(n);
        if (m < k) {
            rc = range_hash(f, ctx, off + k, n - k, proof[len]);
            n = k;
        } else {
            rc = range_hash(f, ctx, off, k, proof[len]);
            off += k;
            m -= k;
            n -= k;
        }
        if (rc != 0)
            return rc;
        len++;
    }
    reverse(proof, len);
    *plen = len;
    return 0;
}

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
int
seen_merkle_consistency_proof(seen_merkle_subtree_fn *f, void *ctx,
    uint64_t size1, uint64_t size2,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    uint64_t off = 0, m = size1, n = size2, k;
    size_t len = 0;
    int whole = 1, rc;

    *plen = 0;
    if (size1 == 0 || size1 > size2)
        return SEEN_EINVAL;

    /*
     * SUBPROOF(m, D[n], b) = [] if m == n and b; [MTH(D[n])] if m == n
     * and not b; otherwise, with k the split point,
     *   SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
     *   SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  otherwise.
     * As for PATH, collect top-down, then reverse.
     */
    while (m != n) {
        k = split_point(n);
        if (m <= k) {
            rc = range_hash(f, ctx, off + k, n - k, proof[len]);
            n = k;
        } else {
            rc = range_hash(f, ctx, off, k, proof[len]);
            off += k;
            m -= k;
            n -= k;
            whole = 0;
        }
        if (rc != 0)
            return rc;
        len++;
    }
    if (!whole) {
        if ((rc = range_hash(f, ctx, off, n, proof[len])) != 0)
            return rc;
        len++;
    }
    reverse(proof, len);
    *plen = len;
    return 0;
}

/* RFC 9162 2.1.3.2 and 2.1.4.2: "right-shift fn and sn equally until
 * either LSB(fn) is set or fn is equal to 0" ... */
static void
shift_until_odd(uint64_t *fn, uint64_t *sn)
{

    while (!(*fn & 1) && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

/* ... and (2.1.4.2 step 4) "right-shift fn and sn equally while LSB(fn)
 * is set". */
static void
shift_while_odd(uint64_t *fn, uint64_t *sn)
{

    while (*fn & 1) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

/*
 * One hash ${p} of a proof: RFC 9162 2.1.3.2 step 4 (${fr} NULL, ${sr}
 * the running r) and 2.1.4.2 step 6 (fr and sr), each of its a., b. and
 * c.  Returns 0, or SEEN_EAUTH when sn is already 0 (a proof too long).
 */
static int
proof_step(uint64_t *fn, uint64_t *sn, const uint8_t p[32], uint8_t *fr,
    uint8_t sr[32])
{

    /* a. */
    if (*sn == 0)
        return SEEN_EAUTH;
    /* b. */
    if ((*fn & 1) || *fn == *sn) {
        if (fr != NULL)
            seen_merkle_node_hash(fr, p, fr);
        seen_merkle_node_hash(sr, p, sr);
        shift_until_odd(fn, sn);
    } else {
        seen_merkle_node_hash(sr, sr, p);
    }
    /* c. */
    *fn >>= 1;
    *sn >>= 1;
    return 0;
}

/**
 * seen_merkle_verify_inclusion(leafhash, index, size, proof, plen, root):
 * Check, by the algorithm of RFC 9162 section 2.1.3.2, that the ${plen}
 * hashes ${proof} prove that the leaf with hash ${leafhash} is leaf
 * ${index} of the tree of ${size} leaves whose root is ${root}.
 * Returns 0 if they do; SEEN_EAUTH otherwise, including when ${index} >=
 * ${size} and when the proof is too short or too long.
 */
int
seen_merkle_verify_inclusion(const uint8_t leafhash[static 32],
    uint64_t index, uint64_t size, const uint8_t proof[][32], size_t plen,
    const uint8_t root[static 32])
{
    uint8_t r[32];
    uint64_t fn, sn;
    size_t i;

    /* 1. */
    if (index >= size)
        return SEEN_EAUTH;
    /* 2., 3. */
    fn = index;
    sn = size - 1;
    memcpy(r, leafhash, 32);
    /* 4. */
    for (i = 0; i < plen; i++)
        if (proof_step(&fn, &sn, proof[i], NULL, r) != 0)
            return SEEN_EAUTH;
    /* 5. */
    if (sn != 0 || sodium_memcmp(r, root, 32) != 0)
        return SEEN_EAUTH;
    return 0;
}

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
int
seen_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t root1[static 32], const uint8_t root2[static 32],
    const uint8_t proof[][32], size_t plen)
{
    uint8_t fr[32], sr[32];
    uint64_t fn, sn;
    size_t i;

    if (size1 > size2 || size1 == 0)
        return SEEN_EAUTH;
    if (size1 == size2) {
        if (plen != 0 || sodium_memcmp(root1, root2, 32) != 0)
            return SEEN_EAUTH;
        return 0;
    }

    /* 1. */
    if (plen == 0)
        return SEEN_EAUTH;
    /*
     * 2. and 5.: the path is root1 followed by the proof if size1 is a
     * power of two, else the proof alone; fr and sr start at its first
     * value, and i indexes the next one within ${proof}.
     */
    if (is_pow2(size1)) {
        memcpy(fr, root1, 32);
        i = 0;
    } else {
        memcpy(fr, proof[0], 32);
        i = 1;
    }
    memcpy(sr, fr, 32);
    /* 3. */
    fn = size1 - 1;
    sn = size2 - 1;
    /* 4. */
    shift_while_odd(&fn, &sn);
    /* 6. */
    for (; i < plen; i++)
        if (proof_step(&fn, &sn, proof[i], fr, sr) != 0)
            return SEEN_EAUTH;
    /* 7. */
    if (sn != 0 || sodium_memcmp(fr, root1, 32) != 0 ||
        sodium_memcmp(sr, root2, 32) != 0)
        return SEEN_EAUTH;
    return 0;
}

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
size_t
seen_merkle_consistency_len(uint64_t size1, uint64_t size2)
{
    uint64_t fn, sn;
    size_t n;

    if (size1 == 0 || size1 > size2)
        return SIZE_MAX;
    if (size1 == size2)
        return 0;
    /* The steps of seen_merkle_verify_consistency(), counting the hashes
     * it consumes instead of hashing them. */
    n = is_pow2(size1) ? 0 : 1;
    fn = size1 - 1;
    sn = size2 - 1;
    shift_while_odd(&fn, &sn);
    while (sn != 0) {
        n++;
        if ((fn & 1) || fn == sn) {
            shift_until_odd(&fn, &sn);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return n;
}

/**
 * seen_merkle_subtree_from_leaves(ctx, start, size, out):
 * A seen_merkle_subtree_fn over the leaf hashes in memory described by the
 * struct seen_merkle_leaves ${ctx}: computes the root of the perfect
 * subtree [${start}, ${start} + ${size}) from its ${size} leaf hashes.
 * Returns 0; SEEN_EINVAL if ${size} is not a power of two, ${start} is not
 * a multiple of it, or the subtree reaches past the last leaf.
 */
int
seen_merkle_subtree_from_leaves(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32])
{
    const struct seen_merkle_leaves *lv = ctx;
    struct seen_merkle_frontier fr;
    uint64_t i;

    if (!is_pow2(size) || (start & (size - 1)) != 0 || start > lv->n ||
        size > lv->n - start)
        return SEEN_EINVAL;

    /* A perfect tree's frontier holds exactly its root. */
    seen_merkle_frontier_init(&fr);
    for (i = 0; i < size; i++)
        seen_merkle_frontier_append(&fr, lv->hash[start + i]);
    seen_merkle_frontier_root(&fr, out);
    return 0;
}

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"

_Static_assert(crypto_generichash_KEYBYTES == 32, "token key size");
_Static_assert(SEEN_TOKEN_BYTES >= crypto_generichash_BYTES_MIN,
    "token size");
_Static_assert(SEEN_TOKEN_BLOCK == 128, "BLAKE2b's block");

/**
 * seen_token(out, key, fields, n):
 * Write to ${out} the 16-byte token of the ${n} NUL-terminated strings
 * ${fields}[0 .. ${n} - 1] under the 32-byte ${key}, as described at the
 * top of this header.  Allocates nothing; safe to call from many threads.
 * Returns 0; SEEN_EINVAL if a field is NULL or longer than
 * SEEN_TOKEN_FIELD_MAX bytes (${out} is then zero-filled).  Does not log.
 */
int
seen_token(uint8_t out[static 16], const uint8_t key[static 32],
    const char *const *fields, size_t n)
{
    crypto_generichash_state st;
    uint8_t len[2];
    size_t i, flen;
    int rc = SEEN_EINVAL;

    if (crypto_generichash_init(&st, key, 32, SEEN_TOKEN_BYTES) != 0)
        goto done;
    for (i = 0; i < n; i++) {
        if (fields[i] == NULL ||
            (flen = strnlen(fields[i], SEEN_TOKEN_FIELD_MAX + 1)) >
                SEEN_TOKEN_FIELD_MAX)
            goto done;
        len[0] = (uint8_t)(flen >> 8);
        len[1] = (uint8_t)flen;
        if (crypto_generichash_update(&st, len, sizeof len) != 0 ||
            crypto_generichash_update(&st, (const uint8_t *)fields[i],
                flen) != 0)
            goto done;
    }
    if (crypto_generichash_final(&st, out, SEEN_TOKEN_BYTES) != 0)
        goto done;
    rc = 0;

done:
    if (rc != 0)
        sodium_memzero(out, SEEN_TOKEN_BYTES);
    /* The state holds a function of the key. */
    sodium_memzero(&st, sizeof st);
    return rc;
}

/* ---- one-block tokens from a prepared key (RFC 7693) ---- */

#define B2B_BLOCK 128

static const uint64_t b2b_iv[8] = {0x6a09e667f3bcc908ULL,
    0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL,
    0x5be0cd19137e2179ULL};

static const uint8_t b2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static inline uint64_t
rotr64(uint64_t x, unsigned int n)
{

    return (x >> n) | (x << (64 - n));
}

/* A little-endian 64-bit word. */
static inline uint64_t
load64_le(const uint8_t *p)
{

    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
           (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

#define B2B_G(a, b, c, d, x, y)                                               \
    do {                                                                      \
        v[a] = v[a] + v[b] + (x);                                             \
        v[d] = rotr64(v[d] ^ v[a], 32);                                       \
        v[c] = v[c] + v[d];                                                   \
        v[b] = rotr64(v[b] ^ v[c], 24);                                       \
        v[a] = v[a] + v[b] + (y);                                             \
        v[d] = rotr64(v[d] ^ v[a], 16);                                       \
        v[c] = v[c] + v[d];                                                   \
        v[b] = rotr64(v[b] ^ v[c], 63);                                       \
    } while (0)

/*
 * BLAKE2b's compression F (RFC 7693 §3.2) of the block ${blk} into ${h},
 * with ${t} bytes hashed so far (less than 2^64 here) and the final-block
 * flag ${last}.  The working words are wiped.
 */
static void
b2b_compress(uint64_t h[8], const uint8_t blk[B2B_BLOCK], uint64_t t,
    int last)
{
    uint64_t v[16], m[16];
    size_t i;

    for (i = 0; i < 16; i++)
        m[i] = load64_le(blk + 8 * i);
    for (i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = b2b_iv[i];
    }
    v[12] ^= t;
    if (last)
        v[14] = ~v[14];
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
    for (i = 0; i < 12; i++) {
        const uint8_t *s = b2b_sigma[i];

        B2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
    sodium_memzero(v, sizeof v);
    sodium_memzero(m, sizeof m);
}

/**
 * seen_token_key_init(k, key):
 * Make ${k} ready to make tokens under the 32-byte ${key} (copied).
 */
void
seen_token_key_init(struct seen_token_key *k, const uint8_t key[static 32])
{
    uint8_t blk[B2B_BLOCK];
    size_t i;

    memcpy(k->key, key, 32);
    /* Parameter block: digest length, key length, fanout 1, depth 1. */
    for (i = 0; i < 8; i++)
        k->h[i] = b2b_iv[i];
    k->h[0] ^= 0x01010000ULL ^ (32ULL << 8) ^ SEEN_TOKEN_BYTES;
    memset(blk, 0, sizeof blk);
    memcpy(blk, key, 32);
    b2b_compress(k->h, blk, B2B_BLOCK, 0);
    sodium_memzero(blk, sizeof blk);
}

/**
 * seen_token_encode(buf, cap, fields, n):
 * Write to ${buf} (${cap} bytes) the encoding of the ${n} NUL-terminated
 * ${fields} described at the top of this header: the exact bytes a token
 * hashes.  Returns the number of bytes written; 0 with ${buf} untouched
 * past what fits when a field is NULL, longer than SEEN_TOKEN_FIELD_MAX
 * bytes, or the encoding is longer than ${cap} (zero fields encode as
 * nothing, also 0).  Does not log.
 */
size_t
seen_token_encode(uint8_t *buf, size_t cap, const char *const *fields,
    size_t n)
{
    size_t i, flen, len = 0;

    for (i = 0; i < n; i++) {
        if (fields[i] == NULL ||
            (flen = strnlen(fields[i], SEEN_TOKEN_FIELD_MAX + 1)) >
                SEEN_TOKEN_FIELD_MAX ||
            flen + 2 > cap - len)
            return 0;
        buf[len] = (uint8_t)(flen >> 8);
        buf[len + 1] = (uint8_t)flen;
        memcpy(buf + len + 2, fields[i], flen);
        len += flen + 2;
    }
    return len;
}

/**
 * seen_token_keyed_bytes(out, k, bytes, len):
 * Write to ${out} the 16-byte keyed BLAKE2b, under the key of ${k}, of
 * the ${len} bytes ${bytes} (an encoding made by seen_token_encode), so
 * that seen_token_keyed(${out}, ${k}, fields, n) equals this over
 * seen_token_encode's bytes of the same fields.  One compression when
 * 0 < ${len} <= 128.  Returns 0; SEEN_EINVAL (libsodium failed; ${out}
 * zero-filled).
 */
int
seen_token_keyed_bytes(uint8_t out[static 16],
    const struct seen_token_key *k, const uint8_t *bytes, size_t len)
{
    uint8_t blk[B2B_BLOCK];
    uint64_t h[8];
    size_t i;

    if (len == 0 || len > B2B_BLOCK) {
        /* The key's block is the last, or more than one block. */
        if (crypto_generichash(out, SEEN_TOKEN_BYTES, bytes, len, k->key,
                32) != 0) {
            sodium_memzero(out, SEEN_TOKEN_BYTES);
            return SEEN_EINVAL;
        }
        return 0;
    }
    memcpy(blk, bytes, len);
    memset(blk + len, 0, B2B_BLOCK - len);
    memcpy(h, k->h, sizeof h);
    b2b_compress(h, blk, B2B_BLOCK + len, 1);
    for (i = 0; i < SEEN_TOKEN_BYTES; i++)
        out[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
    sodium_memzero(blk, sizeof blk);
    sodium_memzero(h, sizeof h);
    return 0;
}

/**
 * seen_token_keyed_block(out, k, block, len):
 * As seen_token_keyed_bytes(${out}, ${k}, ${block}, ${len}) for 0 <
 * ${len} <= SEEN_TOKEN_BLOCK, where ${block} holds SEEN_TOKEN_BLOCK
 * bytes, those past ${len} zero: compressed where it is, not copied.
 * Returns 0; SEEN_EINVAL when ${len} is out of range (${out}
 * zero-filled).
 */
int
seen_token_keyed_block(uint8_t out[static 16],
    const struct seen_token_key *k, const uint8_t block[SEEN_TOKEN_BLOCK],
    size_t len)
{
    uint64_t h[8];
    size_t i;

    if (len == 0 || len > B2B_BLOCK) {
        sodium_memzero(out, SEEN_TOKEN_BYTES);
        return SEEN_EINVAL;
    }
    memcpy(h, k->h, sizeof h);
    b2b_compress(h, block, B2B_BLOCK + len, 1);
    for (i = 0; i < SEEN_TOKEN_BYTES; i++)
        out[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
    sodium_memzero(h, sizeof h);
    return 0;
}

/**
 * seen_token_keyed(out, k, fields, n):
 * As seen_token(${out}, the key of ${k}, ${fields}, ${n}): the same 16
 * bytes and the same returns, faster when the encoding fits one block.
 */
int
seen_token_keyed(uint8_t out[static 16], const struct seen_token_key *k,
    const char *const *fields, size_t n)
{
    uint8_t blk[B2B_BLOCK];
    size_t len;
    int rc;

    /* Longer than a block, none (the key's block is then the last), or a
     * NULL field: as seen_token does it. */
    if ((len = seen_token_encode(blk, sizeof blk, fields, n)) == 0) {
        sodium_memzero(blk, sizeof blk);
        return seen_token(out, k->key, fields, n);
    }
    rc = seen_token_keyed_bytes(out, k, blk, len);
    sodium_memzero(blk, sizeof blk);
    return rc;
}

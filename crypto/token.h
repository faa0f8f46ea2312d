/*
 * token.h: keyed match tokens.
 *
 * A token is the 16-byte keyed BLAKE2b (RFC 7693; libsodium's
 * crypto_generichash with a 32-byte key and a 16-byte output, no salt or
 * personalisation) of the encoding of a list of fields.  The encoding of
 * fields f[0], ..., f[n-1], each a string of bytes without its NUL, is
 *
 *     len(f[0]) || f[0] || len(f[1]) || f[1] || ... || len(f[n-1]) || f[n-1]
 *
 * where len(f) is the field's length in bytes as a 2-byte big-endian
 * unsigned integer (so a field holds at most 65535 bytes).  Nothing else
 * is hashed: no field count, no terminator.  The encoding is prefix-free,
 * so ("AB", "C"), ("A", "BC") and ("ABC") give three different tokens, and
 * an empty field still counts ("" gives 00 00).  Zero fields encode as the
 * empty string.
 *
 * Example: fields ("AB", "C") are hashed as the 7 bytes
 * 00 02 41 42 00 01 43.
 *
 * The token's meaning comes from the key: callers use a per-rule subkey of
 * the match key (match/tokens.h), so equal fields under two rules never
 * collide.  Needs sodium_init() to have been called.
 */
#ifndef SEEN_TOKEN_H
#define SEEN_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_TOKEN_BYTES 16
#define SEEN_TOKEN_FIELD_MAX 65535

/**
 * seen_token(out, key, fields, n):
 * Write to ${out} the 16-byte token of the ${n} NUL-terminated strings
 * ${fields}[0 .. ${n} - 1] under the 32-byte ${key}, as described at the
 * top of this header.  Allocates nothing; safe to call from many threads.
 * Returns 0; SEEN_EINVAL if a field is NULL or longer than
 * SEEN_TOKEN_FIELD_MAX bytes (${out} is then zero-filled).  Does not log.
 */
SEEN_MUST_CHECK int seen_token(uint8_t out[static 16],
    const uint8_t key[static 32], const char *const *fields, size_t n);

/*
 * A token key made ready for many tokens: the key, and BLAKE2b's chaining
 * value once the key's block is compressed.  A keyed BLAKE2b compresses
 * the key as a block of its own, so a token whose encoding fits one block
 * (128 bytes: every token of match/tokens.h but a very long name) costs
 * one compression instead of two.  It holds a function of the key: keep
 * it where the key would be kept (sodium_malloc), wipe it after.
 */
struct seen_token_key {
    uint8_t key[32];
    uint64_t h[8];
};

/**
 * seen_token_key_init(k, key):
 * Make ${k} ready to make tokens under the 32-byte ${key} (copied).
 */
void seen_token_key_init(struct seen_token_key *k,
    const uint8_t key[static 32]);

/**
 * seen_token_keyed(out, k, fields, n):
 * As seen_token(${out}, the key of ${k}, ${fields}, ${n}): the same 16
 * bytes and the same returns, faster when the encoding fits one block.
 */
SEEN_MUST_CHECK int seen_token_keyed(uint8_t out[static 16],
    const struct seen_token_key *k, const char *const *fields, size_t n);

/**
 * seen_token_encode(buf, cap, fields, n):
 * Write to ${buf} (${cap} bytes) the encoding of the ${n} NUL-terminated
 * ${fields} described at the top of this header: the exact bytes a token
 * hashes.  Returns the number of bytes written; 0 with ${buf} untouched
 * past what fits when a field is NULL, longer than SEEN_TOKEN_FIELD_MAX
 * bytes, or the encoding is longer than ${cap} (zero fields encode as
 * nothing, also 0).  Does not log.
 */
size_t seen_token_encode(uint8_t *buf, size_t cap, const char *const *fields,
    size_t n);

/**
 * seen_token_keyed_bytes(out, k, bytes, len):
 * Write to ${out} the 16-byte keyed BLAKE2b, under the key of ${k}, of
 * the ${len} bytes ${bytes} (an encoding made by seen_token_encode), so
 * that seen_token_keyed(${out}, ${k}, fields, n) equals this over
 * seen_token_encode's bytes of the same fields.  One compression when
 * 0 < ${len} <= 128.  Returns 0; SEEN_EINVAL (libsodium failed; ${out}
 * zero-filled).
 */
SEEN_MUST_CHECK int seen_token_keyed_bytes(uint8_t out[static 16],
    const struct seen_token_key *k, const uint8_t *bytes, size_t len);

#define SEEN_TOKEN_BLOCK 128 /* BLAKE2b's block */

/**
 * seen_token_keyed_block(out, k, block, len):
 * As seen_token_keyed_bytes(${out}, ${k}, ${block}, ${len}) for 0 <
 * ${len} <= SEEN_TOKEN_BLOCK, where ${block} holds SEEN_TOKEN_BLOCK
 * bytes, those past ${len} zero: compressed where it is, not copied.
 * Returns 0; SEEN_EINVAL when ${len} is out of range (${out}
 * zero-filled).
 */
SEEN_MUST_CHECK int seen_token_keyed_block(uint8_t out[static 16],
    const struct seen_token_key *k, const uint8_t block[SEEN_TOKEN_BLOCK],
    size_t len);

#endif /* !SEEN_TOKEN_H */

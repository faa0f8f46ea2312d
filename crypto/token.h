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

#endif /* !SEEN_TOKEN_H */

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

#endif /* !SEEN_TOKEN_H */

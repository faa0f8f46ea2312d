#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"

_Static_assert(crypto_generichash_KEYBYTES == 32, "token key size");
_Static_assert(SEEN_TOKEN_BYTES >= crypto_generichash_BYTES_MIN,
    "token size");

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

/*
 * seal.h: authenticated encryption of data at rest.
 *
 * A sealed value is
 *
 *     nonce (24 random bytes) || XChaCha20-Poly1305-IETF ciphertext || tag (16)
 *
 * so it is SEEN_SEAL_OVERHEAD bytes longer than the plaintext.  The
 * associated data (for a record: its id) is authenticated but not stored:
 * a sealed value moved under another id no longer opens.  Random 192-bit
 * nonces make it safe to seal any number of values under one key.
 *
 * Both functions need libsodium initialised (sodium_init(), which
 * seen_keys_generate() and seen_keystore_read() call).  Neither logs: a
 * value that does not open is the caller's to report, with its context.
 */
#ifndef SEEN_SEAL_H
#define SEEN_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_SEAL_NONCE_BYTES 24
#define SEEN_SEAL_TAG_BYTES 16
#define SEEN_SEAL_OVERHEAD (24 + 16)

/**
 * seen_seal(out, msg, len, ad, adlen, key):
 * Seal the ${len} bytes at ${msg} with the associated data ${ad} (${adlen}
 * bytes; ${ad} may be NULL if ${adlen} is 0) under the 32-byte ${key},
 * writing ${len} + SEEN_SEAL_OVERHEAD bytes to ${out}: a fresh random
 * nonce, then the ciphertext and tag.
 * In place is supported: ${out} may overlap ${msg} in any way (including
 * ${out} == ${msg}, with room for ${len} + SEEN_SEAL_OVERHEAD bytes); the
 * plaintext is then moved, at the cost of one memmove.  ${ad} must not
 * overlap ${out}.
 * Returns 0; SEEN_EINVAL if ${len} is too large for one value
 * (more than crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX, or the
 * sealed size would overflow a size_t).
 */
SEEN_MUST_CHECK int seen_seal(uint8_t *out, const uint8_t *msg, size_t len,
    const uint8_t *ad, size_t adlen, const uint8_t key[static 32]);

/**
 * seen_unseal(out, in, inlen, ad, adlen, key):
 * Open the sealed value ${in} (${inlen} bytes, as written by seen_seal())
 * with the associated data ${ad} (${adlen} bytes) under the 32-byte
 * ${key}, writing ${inlen} - SEEN_SEAL_OVERHEAD bytes of plaintext to
 * ${out}.
 * In place is supported: ${out} may overlap ${in} in any way (including
 * ${out} == ${in}), but then ${in} is overwritten even if the value does
 * not open.  If the value does not open, ${out} is zero-filled.  ${ad}
 * must not overlap ${out}.
 * Returns 0; SEEN_ECORRUPT if ${inlen} < SEEN_SEAL_OVERHEAD; SEEN_EAUTH if
 * the value was forged or altered, or ${ad} or ${key} is not the one it
 * was sealed with.
 */
SEEN_MUST_CHECK int seen_unseal(uint8_t *out, const uint8_t *in,
    size_t inlen, const uint8_t *ad, size_t adlen,
    const uint8_t key[static 32]);

#endif /* !SEEN_SEAL_H */

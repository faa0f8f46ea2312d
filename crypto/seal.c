#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/random.h"
#include "crypto/seal.h"

#define NPUB crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

_Static_assert(NPUB == SEEN_SEAL_NONCE_BYTES, "nonce size");
_Static_assert(ABYTES == SEEN_SEAL_TAG_BYTES, "tag size");
_Static_assert(SEEN_SEAL_OVERHEAD == NPUB + ABYTES, "seal overhead");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32, "key size");

/* Do the byte ranges [a, a + alen) and [b, b + blen) share any byte? */
static int
overlaps(const void *a, size_t alen, const void *b, size_t blen)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

    if (alen == 0 || blen == 0)
        return 0;
    return x < y + blen && y < x + alen;
}

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
int
seen_seal(uint8_t *out, const uint8_t *msg, size_t len, const uint8_t *ad,
    size_t adlen, const uint8_t key[static 32])
{
    const uint8_t *m = msg;

    if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
        len > SIZE_MAX - SEEN_SEAL_OVERHEAD)
        return SEEN_EINVAL;

    /*
     * Overlapping buffers: move the plaintext to where the ciphertext
     * goes first (the nonce could otherwise overwrite it), then encrypt
     * in place, which libsodium supports when c == m exactly.
     */
    if (overlaps(out, len + SEEN_SEAL_OVERHEAD, msg, len)) {
        memmove(out + NPUB, msg, len);
        m = out + NPUB;
    }
    seen_random_buf(out, NPUB);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + NPUB, NULL, m, len,
            ad, adlen, NULL, out, key) != 0)
        return SEEN_EINVAL;
    return 0;
}

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
int
seen_unseal(uint8_t *out, const uint8_t *in, size_t inlen, const uint8_t *ad,
    size_t adlen, const uint8_t key[static 32])
{
    uint8_t nonce[NPUB];
    uint8_t tag[ABYTES];
    const uint8_t *c;
    size_t clen;

    if (inlen < SEEN_SEAL_OVERHEAD)
        return SEEN_ECORRUPT;
    clen = inlen - SEEN_SEAL_OVERHEAD;

    /*
     * Copy the nonce and tag aside and decrypt the detached ciphertext,
     * so that the ciphertext can be moved onto ${out} when the buffers
     * overlap (libsodium decrypts in place only when m == c exactly).
     */
    memcpy(nonce, in, NPUB);
    memcpy(tag, in + NPUB + clen, ABYTES);
    c = in + NPUB;
    if (overlaps(out, clen, in, inlen)) {
        memmove(out, c, clen);
        c = out;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, NULL, c,
            clen, tag, ad, adlen, nonce, key) != 0) {
        /* Never leave ciphertext or a half-decrypted value behind. */
        sodium_memzero(out, clen);
        return SEEN_EAUTH;
    }
    return 0;
}

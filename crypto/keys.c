#include <stdint.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/keys.h"

/* sodium_malloc returns memory aligned only to the size's own alignment. */
_Static_assert(sizeof(struct seen_keys) % _Alignof(struct seen_keys) == 0,
    "struct seen_keys size must be a multiple of its alignment");
_Static_assert(crypto_kdf_KEYBYTES == SEEN_KEY_BYTES, "kdf key size");
_Static_assert(crypto_kdf_CONTEXTBYTES == 8, "kdf context size");

/**
 * seen_keys_generate(void):
 * Return a fresh, random node identity in sodium_malloc memory: new
 * Ed25519 and Curve25519 key pairs, data, handle and match keys, the
 * derived record key, and match_epoch 0.  Returns NULL on error (logged).
 * The caller owns the result and releases it with seen_keys_destroy().
 */
struct seen_keys *
seen_keys_generate(void)
{
    struct seen_keys *k;

    if (sodium_init() < 0) {
        seen_error("cannot initialise libsodium");
        goto err0;
    }
    if ((k = sodium_malloc(sizeof(*k))) == NULL) {
        seen_errorp("cannot allocate secure memory for keys");
        goto err0;
    }
    sodium_memzero(k, sizeof(*k));

    if (crypto_sign_keypair(k->sign_pk, k->sign_sk) != 0 ||
        crypto_box_keypair(k->curve_pk, k->curve_sk) != 0) {
        seen_error("cannot generate key pairs");
        goto err1;
    }
    randombytes_buf(k->data_key, sizeof k->data_key);
    randombytes_buf(k->handle_key, sizeof k->handle_key);
    randombytes_buf(k->match_key, sizeof k->match_key);
    k->match_epoch = 0;
    if (seen_subkey(k->record_key, k->data_key, SEEN_KDF_RECORD_ID,
            SEEN_KDF_RECORD_CTX) != 0) {
        seen_error("cannot derive record key");
        goto err1;
    }

    /* Success! */
    return k;

err1:
    sodium_free(k);
err0:
    return NULL;
}

/**
 * seen_keys_destroy(&k):
 * Wipe and free ${k}, which came from seen_keys_generate() or
 * seen_keystore_read().  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_keys_destroy(struct seen_keys **pp)
{
    struct seen_keys *k;

    if (pp == NULL || (k = *pp) == NULL)
        return;
    *pp = NULL;
    sodium_free(k); /* wipes before unmapping */
}

/**
 * seen_subkey(out, master, id, ctx):
 * Derive the 32-byte subkey number ${id} in context ${ctx} (exactly 8
 * bytes, not necessarily NUL-terminated) from the 32-byte key ${master},
 * with crypto_kdf_derive_from_key (BLAKE2b), and write it to ${out}.  The
 * same inputs always give the same subkey.  Returns 0, or SEEN_EINVAL if
 * libsodium refuses (it cannot for these sizes).
 */
int
seen_subkey(uint8_t out[static 32], const uint8_t master[static 32],
    uint64_t id, const char ctx[static 8])
{

    /* libsodium reads exactly 8 context bytes; no NUL is needed. */
    if (crypto_kdf_derive_from_key(out, 32, id, ctx, master) != 0)
        return SEEN_EINVAL;
    return 0;
}

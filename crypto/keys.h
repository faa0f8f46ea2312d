/*
 * keys.h: a node's key material in memory.
 *
 * A struct seen_keys is always allocated with sodium_malloc (guard pages,
 * locked, wiped by sodium_free) by seen_keys_generate() or
 * seen_keystore_read(), and released with seen_keys_destroy().  Its fields
 * are public on purpose: the sealing, signing and token paths read them
 * on every record and must not pay for an accessor.  Never copy a field
 * into ordinary memory without wiping the copy, and never log one.
 */
#ifndef SEEN_KEYS_H
#define SEEN_KEYS_H

#include <stdint.h>

#include "common/seen.h"

#define SEEN_KEY_BYTES 32

/* crypto_kdf subkey id and context of the record key (see record_key). */
#define SEEN_KDF_RECORD_ID 1
#define SEEN_KDF_RECORD_CTX "seenrec_"

struct seen_keys {
    /* Ed25519 public key: the node's identity in the membership document. */
    uint8_t sign_pk[32];
    /* Ed25519 secret key (libsodium layout: seed || sign_pk). */
    uint8_t sign_sk[64];
    /* Curve25519 public key for CurveZMQ (a crypto_box key pair). */
    uint8_t curve_pk[32];
    /* Curve25519 secret key for CurveZMQ. */
    uint8_t curve_sk[32];
    /* Master key for data at rest; only ever used to derive subkeys. */
    uint8_t data_key[32];
    /*
     * Key that seals record bodies: crypto_kdf_derive_from_key(data_key,
     * id SEEN_KDF_RECORD_ID, context SEEN_KDF_RECORD_CTX).  Derived when
     * the keys are generated or loaded; never stored in the keystore.
     */
    uint8_t record_key[32];
    /* Key for deriving opaque, unlinkable handles. */
    uint8_t handle_key[32];
    /* The current match key, behind every match token. */
    uint8_t match_key[32];
    /*
     * Epoch of match_key; 0 means a key generated locally by a lone node,
     * not one received from the federation authority.
     */
    uint32_t match_epoch;
};

/**
 * seen_keys_generate(void):
 * Return a fresh, random node identity in sodium_malloc memory: new
 * Ed25519 and Curve25519 key pairs, data, handle and match keys, the
 * derived record key, and match_epoch 0.  Returns NULL on error (logged).
 * The caller owns the result and releases it with seen_keys_destroy().
 */
struct seen_keys *seen_keys_generate(void);

/**
 * seen_keys_destroy(&k):
 * Wipe and free ${k}, which came from seen_keys_generate() or
 * seen_keystore_read().  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void seen_keys_destroy(struct seen_keys **pp);

/**
 * seen_subkey(out, master, id, ctx):
 * Derive the 32-byte subkey number ${id} in context ${ctx} (exactly 8
 * bytes, not necessarily NUL-terminated) from the 32-byte key ${master},
 * with crypto_kdf_derive_from_key (BLAKE2b), and write it to ${out}.  The
 * same inputs always give the same subkey.  Returns 0, or SEEN_EINVAL if
 * libsodium refuses (it cannot for these sizes).
 */
SEEN_MUST_CHECK int seen_subkey(uint8_t out[static 32],
    const uint8_t master[static 32], uint64_t id, const char ctx[static 8]);

#endif /* !SEEN_KEYS_H */

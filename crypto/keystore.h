/*
 * keystore.h: the node's keys in a file sealed with a passphrase.
 *
 * File layout (integers big-endian; the 76-byte header is the associated
 * data of the AEAD, so no header byte can change unnoticed):
 *
 *   offset size
 *        0    8  magic "SEENKEY1"
 *        8    4  format version, 1
 *       12    4  password hash algorithm, crypto_pwhash_ALG_ARGON2ID13 (2)
 *       16    8  Argon2id opslimit (crypto_pwhash opslimit)
 *       24    8  Argon2id memlimit in bytes (crypto_pwhash memlimit)
 *       32   16  salt
 *       48   24  XChaCha20-Poly1305-IETF nonce
 *       72    4  ciphertext length in bytes (plaintext + 16-byte tag)
 *       76       ciphertext: the sealed key material, then the tag
 *
 * The AEAD key is crypto_pwhash(32 bytes, passphrase, salt, opslimit,
 * memlimit, Argon2id v1.3).  The key material (the plaintext) is
 *
 *        0    4  layout version, 1
 *        4    4  length of the fields that follow, 260 for layout 1
 *        8   32  sign_pk        40   64  sign_sk       104   32  curve_pk
 *      136   32  curve_sk      168   32  data_key      200   32  handle_key
 *      232   32  match_key     264    4  match_epoch
 *
 * record_key is not stored: it is derived from data_key on load.  A later
 * layout adds fields under a new layout version; readers reject versions
 * they do not know with SEEN_EVERSION.  The whole file is read into
 * memory and must be exactly header + ciphertext length bytes long.
 *
 * The file is written atomically with mode 0600 and never readable by
 * anyone else; on read, a file that group or others may access in any
 * way is refused, as ssh refuses such private keys.
 */
#ifndef SEEN_KEYSTORE_H
#define SEEN_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/keys.h"

#define SEEN_KEYSTORE_MAGIC "SEENKEY1"
#define SEEN_KEYSTORE_VERSION 1
#define SEEN_KEYSTORE_HEADER_BYTES 76

/* Where each header field starts (the layout above). */
#define SEEN_KEYSTORE_H_MAGIC 0
#define SEEN_KEYSTORE_H_VERSION 8
#define SEEN_KEYSTORE_H_ALG 12
#define SEEN_KEYSTORE_H_OPSLIMIT 16
#define SEEN_KEYSTORE_H_MEMLIMIT 24
#define SEEN_KEYSTORE_H_SALT 32
#define SEEN_KEYSTORE_H_NONCE 48
#define SEEN_KEYSTORE_H_CTLEN 72

/*
 * Bounds on the Argon2id parameters a keystore may ask for.  Anything
 * outside is treated as a corrupt (or hostile) file, before any memory is
 * allocated: a file cannot make us spend more than 1 GiB or 16 passes.
 */
#define SEEN_KEYSTORE_OPSLIMIT_MAX 16
#define SEEN_KEYSTORE_MEMLIMIT_MAX ((uint64_t)1 << 30)

/* How hard the passphrase is to guess by brute force, and to check. */
enum seen_pwstrength {
    SEEN_PW_INTERACTIVE, /* crypto_pwhash *_INTERACTIVE: 64 MiB, 2 passes */
    SEEN_PW_MODERATE,    /* crypto_pwhash *_MODERATE: 256 MiB, 3 passes */
};

/**
 * seen_keystore_write(path, k, pass, passlen, s):
 * Seal the keys ${k} (all but record_key) under the passphrase ${pass}
 * (${passlen} bytes, any bytes, may be empty) with Argon2id at strength
 * ${s} and a fresh salt and nonce, and write them to ${path} atomically:
 * to "${path}.tmp" created with mode 0600 (O_EXCL), fsync, rename over
 * ${path}, fsync the directory.  An existing ${path} is replaced.
 * Returns 0; SEEN_EINVAL if ${s} is not a strength; SEEN_EEXIST if
 * "${path}.tmp" exists (another writer, or one that crashed: remove it by
 * hand); SEEN_ENOMEM; SEEN_EIO if a system call fails (if only the final
 * fsync of the directory fails, the new file is already in place).
 * Errors are logged with ${path}.  Every copy of key material made here is
 * wiped before return.
 */
SEEN_MUST_CHECK int seen_keystore_write(const char *path,
    const struct seen_keys *k, const char *pass, size_t passlen,
    enum seen_pwstrength s);

/**
 * seen_keystore_read(path, pass, passlen, out):
 * Open the keystore ${path} with the passphrase ${pass} (${passlen}
 * bytes) and on success set ${*out} to the keys, in sodium_malloc memory
 * with record_key derived; the caller owns them and releases them with
 * seen_keys_destroy().  On error ${*out} is set to NULL.
 * Returns 0; SEEN_ENOTFOUND if ${path} does not exist; SEEN_EPERM if group
 * or others have any permission on it; SEEN_ECORRUPT if it is not a
 * keystore, is truncated or too long, has bad lengths, absurd Argon2
 * parameters (see SEEN_KEYSTORE_*_MAX), an unknown algorithm, or key pairs
 * that do not match; SEEN_EVERSION if its format or layout version is
 * unknown; SEEN_EAUTH if the passphrase is wrong (or the file was altered:
 * the two cannot be told apart); SEEN_ENOMEM; SEEN_EINVAL if ${path} is
 * not a regular file; SEEN_EIO if a system call fails.  Errors are logged
 * with ${path}, never with key material.
 */
SEEN_MUST_CHECK int seen_keystore_read(const char *path, const char *pass,
    size_t passlen, struct seen_keys **out);

/**
 * seen_keystore_set_match_key(path, pass, passlen, key, epoch):
 * Open the keystore ${path} with ${pass} (${passlen} bytes), replace its
 * match key and epoch with ${key} and ${epoch}, and rewrite it atomically
 * as seen_keystore_write() does, with the same passphrase and the same
 * Argon2id parameters (a fresh salt and nonce).  Whether ${epoch} may go
 * backwards is the caller's policy.
 * Returns 0 or any error of seen_keystore_read() or seen_keystore_write().
 * On error the file is unchanged, unless only the final fsync of its
 * directory failed (SEEN_EIO): then the new file may already be in place.
 */
SEEN_MUST_CHECK int seen_keystore_set_match_key(const char *path,
    const char *pass, size_t passlen, const uint8_t key[static 32],
    uint32_t epoch);

#endif /* !SEEN_KEYSTORE_H */

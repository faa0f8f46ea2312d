#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/file.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"

/* Header fields (keystore.h). */
#define H_MAGIC SEEN_KEYSTORE_H_MAGIC
#define H_VERSION SEEN_KEYSTORE_H_VERSION
#define H_ALG SEEN_KEYSTORE_H_ALG
#define H_OPSLIMIT SEEN_KEYSTORE_H_OPSLIMIT
#define H_MEMLIMIT SEEN_KEYSTORE_H_MEMLIMIT
#define H_SALT SEEN_KEYSTORE_H_SALT
#define H_NONCE SEEN_KEYSTORE_H_NONCE
#define H_CTLEN SEEN_KEYSTORE_H_CTLEN
#define HEADER_BYTES SEEN_KEYSTORE_HEADER_BYTES

/* Key material (plaintext), layout 1. */
#define LAYOUT_VERSION 1
#define P_LAYOUT 0
#define P_LEN 4
#define P_SIGN_PK 8
#define P_SIGN_SK 40
#define P_CURVE_PK 104
#define P_CURVE_SK 136
#define P_DATA_KEY 168
#define P_HANDLE_KEY 200
#define P_MATCH_KEY 232
#define P_MATCH_EPOCH 264
#define PT_BYTES 268
#define PT_FIELDS_BYTES (PT_BYTES - 8)

/* No layout may exceed this; bounds the file we are willing to read. */
#define PT_MAX 4096
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define FILE_MAX (HEADER_BYTES + PT_MAX + TAG_BYTES)

_Static_assert(sizeof(SEEN_KEYSTORE_MAGIC) - 1 == 8, "magic size");
_Static_assert(crypto_pwhash_SALTBYTES == H_NONCE - H_SALT, "salt size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ==
    H_CTLEN - H_NONCE, "nonce size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32, "key");
_Static_assert(P_MATCH_EPOCH + 4 == PT_BYTES, "layout 1 size");

static void
put32(uint8_t *p, uint32_t x)
{

    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

static void
put64(uint8_t *p, uint64_t x)
{

    put32(p, (uint32_t)(x >> 32));
    put32(p + 4, (uint32_t)x);
}

static uint32_t
get32(const uint8_t *p)
{

    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
        (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
get64(const uint8_t *p)
{

    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Set ${*ops} and ${*mem} for strength ${s}.  Returns 0 or SEEN_EINVAL. */
static int
strength_params(enum seen_pwstrength s, uint64_t *ops, uint64_t *mem)
{

    switch (s) {
    case SEEN_PW_INTERACTIVE:
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        return 0;
    case SEEN_PW_MODERATE:
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
        return 0;
    }
    return SEEN_EINVAL;
}

/* Are these Argon2id parameters ones we agree to run? */
static int
params_ok(uint64_t ops, uint64_t mem)
{

    return ops >= crypto_pwhash_OPSLIMIT_MIN &&
        ops <= SEEN_KEYSTORE_OPSLIMIT_MAX &&
        mem >= crypto_pwhash_MEMLIMIT_MIN &&
        mem <= SEEN_KEYSTORE_MEMLIMIT_MAX && mem <= SIZE_MAX;
}

/*
 * Derive the 32-byte AEAD key for ${path} into ${key} (sodium_malloc).
 * Returns 0 or SEEN_ENOMEM (logged): Argon2 fails only when it cannot
 * allocate its memory.
 */
static int
derive(uint8_t *key, const char *path, const char *pass, size_t passlen,
    const uint8_t *salt, uint64_t ops, uint64_t mem)
{

    if (crypto_pwhash(key, 32, pass, passlen, salt, ops, (size_t)mem,
            crypto_pwhash_ALG_ARGON2ID13) != 0) {
        seen_error("cannot derive the key of keystore '%s' "
            "(out of memory for Argon2id?)", path);
        return SEEN_ENOMEM;
    }
    return 0;
}

/*
 * Write ${len} bytes of ${buf} to ${path} atomically, with mode 0600,
 * through "${path}.tmp", which must not exist.  Returns 0, SEEN_EEXIST,
 * SEEN_ENOMEM or SEEN_EIO (logged).
 */
static int
write_atomic(const char *path, const uint8_t *buf, size_t len)
{
    int rc;

    rc = seen_file_write_atomic(path, buf, len, 0600, SEEN_FILE_EXCL);
    if (rc == SEEN_EEXIST)
        seen_error("cannot write keystore: '%s.tmp' exists (another writer, "
            "or left by a crash: remove it)", path);
    else if (rc != 0)
        seen_errorp("cannot write keystore '%s'", path);
    return rc;
}

/* Serialise ${k} into the PT_BYTES of ${pt} (layout 1). */
static void
serialise(uint8_t *pt, const struct seen_keys *k)
{

    put32(pt + P_LAYOUT, LAYOUT_VERSION);
    put32(pt + P_LEN, PT_FIELDS_BYTES);
    memcpy(pt + P_SIGN_PK, k->sign_pk, 32);
    memcpy(pt + P_SIGN_SK, k->sign_sk, 64);
    memcpy(pt + P_CURVE_PK, k->curve_pk, 32);
    memcpy(pt + P_CURVE_SK, k->curve_sk, 32);
    memcpy(pt + P_DATA_KEY, k->data_key, 32);
    memcpy(pt + P_HANDLE_KEY, k->handle_key, 32);
    memcpy(pt + P_MATCH_KEY, k->match_key, 32);
    put32(pt + P_MATCH_EPOCH, k->match_epoch);
}

/*
 * Parse the ${ptlen} bytes of key material ${pt} of keystore ${path} into
 * ${k} and derive its record key.  Returns 0, SEEN_EVERSION or
 * SEEN_ECORRUPT (logged).
 */
static int
parse(struct seen_keys *k, const uint8_t *pt, size_t ptlen, const char *path)
{
    uint8_t pk[32];
    uint8_t *sk;
    int rc = SEEN_ECORRUPT;

    if (ptlen < 8) {
        seen_error("keystore '%s' is corrupt: no key material", path);
        return SEEN_ECORRUPT;
    }
    if (get32(pt + P_LAYOUT) != LAYOUT_VERSION) {
        seen_error("keystore '%s' has key layout %" PRIu32 ", which this "
            "version of seen cannot read", path, get32(pt + P_LAYOUT));
        return SEEN_EVERSION;
    }
    if (get32(pt + P_LEN) != PT_FIELDS_BYTES || ptlen != PT_BYTES) {
        seen_error("keystore '%s' is corrupt: bad key material length",
            path);
        return SEEN_ECORRUPT;
    }
    memcpy(k->sign_pk, pt + P_SIGN_PK, 32);
    memcpy(k->sign_sk, pt + P_SIGN_SK, 64);
    memcpy(k->curve_pk, pt + P_CURVE_PK, 32);
    memcpy(k->curve_sk, pt + P_CURVE_SK, 32);
    memcpy(k->data_key, pt + P_DATA_KEY, 32);
    memcpy(k->handle_key, pt + P_HANDLE_KEY, 32);
    memcpy(k->match_key, pt + P_MATCH_KEY, 32);
    k->match_epoch = get32(pt + P_MATCH_EPOCH);

    /* The key pairs must be pairs: a mismatch would fail much later. */
    if ((sk = sodium_malloc(64)) == NULL) {
        seen_errorp("cannot read keystore '%s'", path);
        return SEEN_ENOMEM;
    }
    if (crypto_sign_seed_keypair(pk, sk, k->sign_sk) != 0 ||
        sodium_memcmp(pk, k->sign_pk, 32) != 0 ||
        sodium_memcmp(sk, k->sign_sk, 64) != 0) {
        seen_error("keystore '%s' is corrupt: signing keys do not match",
            path);
        goto done;
    }
    if (crypto_scalarmult_base(pk, k->curve_sk) != 0 ||
        sodium_memcmp(pk, k->curve_pk, 32) != 0) {
        seen_error("keystore '%s' is corrupt: CURVE keys do not match", path);
        goto done;
    }
    if (seen_subkey(k->record_key, k->data_key, SEEN_KDF_RECORD_ID,
            SEEN_KDF_RECORD_CTX) != 0) {
        seen_error("cannot derive the record key of keystore '%s'", path);
        goto done;
    }
    rc = 0;

done:
    sodium_free(sk);
    return rc;
}

/*
 * Read the whole of ${path} into ${buf} (FILE_MAX bytes) and set ${*len}.
 * Returns 0, SEEN_ENOTFOUND, SEEN_EPERM, SEEN_EINVAL, SEEN_ECORRUPT (too
 * long) or SEEN_EIO (logged).
 */
static int
read_file(const char *path, uint8_t *buf, size_t *len)
{
    struct stat sb;
    ssize_t n;
    size_t got = 0;
    int fd;
    int rc = SEEN_EIO;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        if (errno == ENOENT) {
            seen_error("keystore '%s' not found", path);
            return SEEN_ENOTFOUND;
        }
        seen_errorp("cannot open keystore '%s'", path);
        return SEEN_EIO;
    }
    if (fstat(fd, &sb) != 0) {
        seen_errorp("cannot stat keystore '%s'", path);
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        seen_error("keystore '%s' is not a regular file", path);
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        seen_error("keystore '%s' is accessible by group or others "
            "(mode %04o): refusing to use it; run chmod 600 on it",
            path, (unsigned int)(sb.st_mode & 07777));
        rc = SEEN_EPERM;
        goto done;
    }

    /* Read one byte more than we accept, to see a file that is too long. */
    while (got < FILE_MAX + 1) {
        n = read(fd, buf + got, FILE_MAX + 1 - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            seen_errorp("cannot read keystore '%s'", path);
            goto done;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got > FILE_MAX) {
        seen_error("keystore '%s' is corrupt: too long", path);
        rc = SEEN_ECORRUPT;
        goto done;
    }
    *len = got;
    rc = 0;

done:
    close(fd);
    return rc;
}

/*
 * Check the header of the ${len}-byte keystore ${file} read from ${path}.
 * Returns 0, SEEN_ECORRUPT or SEEN_EVERSION (logged).
 */
static int
check_header(const uint8_t *file, size_t len, const char *path)
{
    uint64_t ops, mem;
    uint32_t ctlen;

    if (len < 8 || memcmp(file + H_MAGIC, SEEN_KEYSTORE_MAGIC, 8) != 0) {
        seen_error("'%s' is not a seen keystore", path);
        return SEEN_ECORRUPT;
    }
    if (len < H_VERSION + 4) {
        seen_error("keystore '%s' is truncated", path);
        return SEEN_ECORRUPT;
    }
    if (get32(file + H_VERSION) != SEEN_KEYSTORE_VERSION) {
        seen_error("keystore '%s' has format version %" PRIu32 ", which "
            "this version of seen cannot read", path,
            get32(file + H_VERSION));
        return SEEN_EVERSION;
    }
    if (len < HEADER_BYTES) {
        seen_error("keystore '%s' is truncated", path);
        return SEEN_ECORRUPT;
    }
    if (get32(file + H_ALG) != crypto_pwhash_ALG_ARGON2ID13) {
        seen_error("keystore '%s' is corrupt: unknown password hash %" PRIu32,
            path, get32(file + H_ALG));
        return SEEN_ECORRUPT;
    }
    ops = get64(file + H_OPSLIMIT);
    mem = get64(file + H_MEMLIMIT);
    if (!params_ok(ops, mem)) {
        seen_error("keystore '%s' is corrupt: Argon2id parameters out of "
            "bounds (opslimit %" PRIu64 ", memlimit %" PRIu64 ")", path,
            ops, mem);
        return SEEN_ECORRUPT;
    }
    ctlen = get32(file + H_CTLEN);
    if (ctlen < TAG_BYTES + 8 || ctlen > PT_MAX + TAG_BYTES ||
        len != HEADER_BYTES + (size_t)ctlen) {
        seen_error("keystore '%s' is corrupt: truncated or bad length", path);
        return SEEN_ECORRUPT;
    }
    return 0;
}

/*
 * As seen_keystore_read(), and also return the file's Argon2id
 * parameters through ${ops} and ${mem}.
 */
static int
keystore_load(const char *path, const char *pass, size_t passlen,
    struct seen_keys **out, uint64_t *ops, uint64_t *mem)
{
    uint8_t file[FILE_MAX + 1];
    uint8_t *key = NULL, *pt = NULL;
    struct seen_keys *k = NULL;
    size_t len, ctlen, ptlen;
    int rc;

    *out = NULL;
    if (sodium_init() < 0) {
        seen_error("cannot initialise libsodium");
        return SEEN_ERR;
    }
    if ((rc = read_file(path, file, &len)) != 0)
        return rc;
    if ((rc = check_header(file, len, path)) != 0)
        return rc;
    *ops = get64(file + H_OPSLIMIT);
    *mem = get64(file + H_MEMLIMIT);
    ctlen = get32(file + H_CTLEN);
    ptlen = ctlen - TAG_BYTES;

    rc = SEEN_ENOMEM;
    if ((key = sodium_malloc(32)) == NULL ||
        (pt = sodium_malloc(ptlen)) == NULL ||
        (k = sodium_malloc(sizeof(*k))) == NULL) {
        seen_errorp("cannot read keystore '%s'", path);
        goto done;
    }
    sodium_memzero(k, sizeof(*k));
    if ((rc = derive(key, path, pass, passlen, file + H_SALT, *ops,
            *mem)) != 0)
        goto done;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
            file + HEADER_BYTES, ctlen, file, HEADER_BYTES, file + H_NONCE,
            key) != 0) {
        seen_error("cannot open keystore '%s': wrong passphrase "
            "(or the file was altered)", path);
        rc = SEEN_EAUTH;
        goto done;
    }
    if ((rc = parse(k, pt, ptlen, path)) != 0)
        goto done;

    /* Success!  Hand the keys over. */
    *out = k;
    k = NULL;

done:
    /* sodium_free wipes; all three are NULL-safe. */
    sodium_free(k);
    sodium_free(pt);
    sodium_free(key);
    return rc;
}

/*
 * Seal ${k} under ${pass} with Argon2id parameters ${ops} and ${mem} and
 * write it atomically to ${path}.
 */
static int
keystore_store(const char *path, const struct seen_keys *k, const char *pass,
    size_t passlen, uint64_t ops, uint64_t mem)
{
    uint8_t file[HEADER_BYTES + PT_BYTES + TAG_BYTES];
    uint8_t *key = NULL, *pt = NULL;
    int rc;

    if (sodium_init() < 0) {
        seen_error("cannot initialise libsodium");
        return SEEN_ERR;
    }
    rc = SEEN_ENOMEM;
    if ((key = sodium_malloc(32)) == NULL ||
        (pt = sodium_malloc(PT_BYTES)) == NULL) {
        seen_errorp("cannot write keystore '%s'", path);
        goto done;
    }
    serialise(pt, k);

    memcpy(file + H_MAGIC, SEEN_KEYSTORE_MAGIC, 8);
    put32(file + H_VERSION, SEEN_KEYSTORE_VERSION);
    put32(file + H_ALG, crypto_pwhash_ALG_ARGON2ID13);
    put64(file + H_OPSLIMIT, ops);
    put64(file + H_MEMLIMIT, mem);
    randombytes_buf(file + H_SALT, crypto_pwhash_SALTBYTES);
    randombytes_buf(file + H_NONCE,
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    put32(file + H_CTLEN, PT_BYTES + TAG_BYTES);

    if ((rc = derive(key, path, pass, passlen, file + H_SALT, ops, mem)) != 0)
        goto done;
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(file + HEADER_BYTES, NULL,
            pt, PT_BYTES, file, HEADER_BYTES, NULL, file + H_NONCE,
            key) != 0) {
        seen_error("cannot seal keystore '%s'", path);
        rc = SEEN_ERR;
        goto done;
    }
    rc = write_atomic(path, file, sizeof file);

done:
    sodium_free(pt);
    sodium_free(key);
    return rc;
}

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
int
seen_keystore_write(const char *path, const struct seen_keys *k,
    const char *pass, size_t passlen, enum seen_pwstrength s)
{
    uint64_t ops, mem;

    if (strength_params(s, &ops, &mem) != 0) {
        seen_error("cannot write keystore '%s': unknown strength %d", path,
            (int)s);
        return SEEN_EINVAL;
    }
    return keystore_store(path, k, pass, passlen, ops, mem);
}

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
int
seen_keystore_read(const char *path, const char *pass, size_t passlen,
    struct seen_keys **out)
{
    uint64_t ops, mem;

    return keystore_load(path, pass, passlen, out, &ops, &mem);
}

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
int
seen_keystore_set_match_key(const char *path, const char *pass,
    size_t passlen, const uint8_t key[static 32], uint32_t epoch)
{
    struct seen_keys *k;
    uint64_t ops, mem;
    int rc;

    if ((rc = keystore_load(path, pass, passlen, &k, &ops, &mem)) != 0)
        return rc;
    memcpy(k->match_key, key, 32);
    k->match_epoch = epoch;
    rc = keystore_store(path, k, pass, passlen, ops, mem);
    seen_keys_destroy(&k);
    return rc;
}

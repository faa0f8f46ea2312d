/*
 * check_crypto_keystore.c: the passphrase-sealed keystore file.
 *
 * Every read that gets as far as Argon2id costs about 0.1 s (1.5 s under
 * valgrind) at SEEN_PW_INTERACTIVE, so the tests that alter bytes which
 * are only caught by the AEAD sample their positions; alterations caught
 * by the header checks are tried at every position.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define PASS "correct horse battery staple"
#define PASSLEN (sizeof PASS - 1)

/* The layout of keystore.h, spelt out so that the test also checks it:
 * a change to the file format must change this test too. */
#define H_VERSION 8
#define H_ALG 12
#define H_OPSLIMIT 16
#define H_MEMLIMIT 24
#define H_SALT 32
#define H_NONCE 48
#define H_CTLEN 72
#define HDR 76
_Static_assert(H_VERSION == SEEN_KEYSTORE_H_VERSION &&
        H_ALG == SEEN_KEYSTORE_H_ALG && H_OPSLIMIT == SEEN_KEYSTORE_H_OPSLIMIT &&
        H_MEMLIMIT == SEEN_KEYSTORE_H_MEMLIMIT &&
        H_SALT == SEEN_KEYSTORE_H_SALT && H_NONCE == SEEN_KEYSTORE_H_NONCE &&
        H_CTLEN == SEEN_KEYSTORE_H_CTLEN && HDR == SEEN_KEYSTORE_HEADER_BYTES,
    "the keystore's header layout changed: it is a file format");
#define PT_BYTES 268
#define FILE_BYTES (HDR + PT_BYTES + 16)

static char dir[PATH_MAX];
static char path[PATH_MAX + 16];
static struct seen_keys *keys;

static void
setup(void)
{

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/keystore", dir);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
}

static void
teardown(void)
{

    seen_keys_destroy(&keys);
    keys = NULL;
    tu_rmrf(dir);
}

/* Write the keystore under PASS at interactive strength. */
static void
write_default(void)
{

    ck_assert_int_eq(seen_keystore_write(path, keys, PASS, PASSLEN,
                         SEEN_PW_INTERACTIVE),
        0);
}

/* Read ${p} into ${buf} (at most ${max} bytes); return its length. */
static size_t
slurp(const char *p, uint8_t *buf, size_t max)
{
    FILE *f;
    size_t n;

    ck_assert_ptr_nonnull(f = fopen(p, "rb"));
    n = fread(buf, 1, max, f);
    ck_assert_int_eq(ferror(f), 0);
    fclose(f);
    return n;
}

/* Replace ${p} by ${len} bytes of ${buf}, with mode 0600. */
static void
put(const char *p, const uint8_t *buf, size_t len)
{
    int fd;

    unlink(p);
    ck_assert_int_ne(fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600), -1);
    ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
}

/* Read ${path} and return the code; check that *out is set iff 0. */
static int
try_read(const char *pass, size_t passlen)
{
    struct seen_keys *k = (struct seen_keys *)&k; /* not NULL */
    int rc;

    rc = seen_keystore_read(path, pass, passlen, &k);
    if (rc == 0) {
        ck_assert_ptr_nonnull(k);
        seen_keys_destroy(&k);
    } else {
        ck_assert_ptr_null(k);
    }
    return rc;
}

static void
assert_same_keys(const struct seen_keys *a, const struct seen_keys *b)
{

    ck_assert_mem_eq(a->sign_pk, b->sign_pk, 32);
    ck_assert_mem_eq(a->sign_sk, b->sign_sk, 64);
    ck_assert_mem_eq(a->curve_pk, b->curve_pk, 32);
    ck_assert_mem_eq(a->curve_sk, b->curve_sk, 32);
    ck_assert_mem_eq(a->data_key, b->data_key, 32);
    ck_assert_mem_eq(a->record_key, b->record_key, 32);
    ck_assert_mem_eq(a->handle_key, b->handle_key, 32);
}

static uint64_t
get64(const uint8_t *p)
{
    uint64_t x = 0;
    int i;

    for (i = 0; i < 8; i++)
        x = x << 8 | p[i];
    return x;
}

static void
put64(uint8_t *p, uint64_t x)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)x;
        x >>= 8;
    }
}

START_TEST(test_write_then_read_gives_the_same_keys)
{
    struct seen_keys *k;

    keys->match_epoch = 42;
    write_default();
    ck_assert_int_eq(seen_keystore_read(path, PASS, PASSLEN, &k), 0);
    assert_same_keys(keys, k);
    ck_assert_mem_eq(k->match_key, keys->match_key, 32);
    ck_assert_uint_eq(k->match_epoch, 42);
    seen_keys_destroy(&k);
}
END_TEST

START_TEST(test_created_file_has_mode_0600_and_no_temporary_is_left)
{
    char tmp[PATH_MAX + 32];
    struct stat sb;
    mode_t old;

    /* Even with an empty umask, the file is created 0600. */
    old = umask(0);
    write_default();
    umask(old);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 07777, 0600);
    ck_assert(S_ISREG(sb.st_mode));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    ck_assert_uint_eq((uintmax_t)sb.st_size, FILE_BYTES);
}
END_TEST

START_TEST(test_write_replaces_an_existing_keystore)
{
    struct seen_keys *other, *k;

    write_default();
    ck_assert_ptr_nonnull(other = seen_keys_generate());
    ck_assert_int_eq(seen_keystore_write(path, other, "new", 3,
                         SEEN_PW_INTERACTIVE),
        0);
    ck_assert_int_eq(seen_keystore_read(path, "new", 3, &k), 0);
    assert_same_keys(other, k);
    seen_keys_destroy(&k);
    seen_keys_destroy(&other);
}
END_TEST

START_TEST(test_write_refuses_when_temporary_exists)
{
    static const uint8_t junk[] = "junk";
    uint8_t before[FILE_BYTES + 1], after[FILE_BYTES + 1];
    char tmp[PATH_MAX + 32];
    size_t n;

    write_default();
    n = slurp(path, before, sizeof before);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    put(tmp, junk, sizeof junk);
    ck_assert_int_eq(seen_keystore_write(path, keys, PASS, PASSLEN,
                         SEEN_PW_INTERACTIVE),
        SEEN_EEXIST);
    ck_assert_uint_eq(slurp(path, after, sizeof after), n);
    ck_assert_mem_eq(before, after, n);
}
END_TEST

START_TEST(test_write_refuses_unknown_strength)
{

    ck_assert_int_eq(seen_keystore_write(path, keys, PASS, PASSLEN,
                         (enum seen_pwstrength)7),
        SEEN_EINVAL);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_wrong_passphrase_fails_with_eauth)
{

    write_default();
    ck_assert_int_eq(try_read("correct horse battery stapler", PASSLEN + 1),
        SEEN_EAUTH);
    ck_assert_int_eq(try_read(PASS, PASSLEN - 1), SEEN_EAUTH);
    ck_assert_int_eq(try_read("", 0), SEEN_EAUTH);
    ck_assert_int_eq(try_read(PASS, PASSLEN), 0);
}
END_TEST

START_TEST(test_empty_passphrase_works)
{

    ck_assert_int_eq(seen_keystore_write(path, keys, "", 0,
                         SEEN_PW_INTERACTIVE),
        0);
    ck_assert_int_eq(try_read("", 0), 0);
}
END_TEST

START_TEST(test_missing_file_fails_with_enotfound)
{

    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ENOTFOUND);
}
END_TEST

START_TEST(test_directory_fails_with_einval)
{

    snprintf(path, sizeof path, "%s", dir);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_EINVAL);
}
END_TEST

START_TEST(test_file_accessible_by_group_or_others_fails_with_eperm)
{
    static const mode_t modes[] = {0644, 0640, 0604, 0620, 0602, 0610,
        0601, 0660, 0666};
    size_t i;

    write_default();
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        ck_assert_int_eq(chmod(path, modes[i]), 0);
        ck_assert_msg(try_read(PASS, PASSLEN) == SEEN_EPERM,
            "mode %04o accepted", (unsigned int)modes[i]);
    }
    /* Owner-only modes are fine. */
    ck_assert_int_eq(chmod(path, 0400), 0);
    ck_assert_int_eq(try_read(PASS, PASSLEN), 0);
}
END_TEST

START_TEST(test_every_truncation_fails_with_ecorrupt)
{
    uint8_t full[FILE_BYTES + 1];
    size_t n, len;
    int rc;

    /*
     * The header records the ciphertext length, so every truncation is
     * caught before Argon2 runs: all lengths can be tried.
     */
    write_default();
    n = slurp(path, full, sizeof full);
    ck_assert_uint_eq(n, FILE_BYTES);
    for (len = 0; len < n; len++) {
        put(path, full, len);
        rc = try_read(PASS, PASSLEN);
        ck_assert_msg(rc == SEEN_ECORRUPT, "truncation to %zu: %d", len, rc);
    }
    put(path, full, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), 0);
}
END_TEST

START_TEST(test_trailing_bytes_fail_with_ecorrupt)
{
    uint8_t full[FILE_BYTES + 2];
    size_t n;

    write_default();
    n = slurp(path, full, sizeof full);
    full[n] = 0;
    put(path, full, n + 1);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_any_flipped_byte_fails)
{
    uint8_t full[FILE_BYTES + 1];
    size_t n, pos, i, nsample = 0;
    size_t sample[64];
    int rc;

    write_default();
    n = slurp(path, full, sizeof full);

    /*
     * Every header byte outside salt and nonce is checked before Argon2
     * or changes its parameters; salt, nonce and ciphertext are only
     * caught by the AEAD (0.1 s each), so sample them: first, middle and
     * last of salt and nonce, and 8 ciphertext positions including the
     * first and the last tag byte.
     */
    for (pos = 0; pos < H_SALT; pos++)
        sample[nsample++] = pos;
    sample[nsample++] = H_SALT;
    sample[nsample++] = H_SALT + 8;
    sample[nsample++] = H_NONCE - 1;
    sample[nsample++] = H_NONCE;
    sample[nsample++] = H_NONCE + 12;
    sample[nsample++] = H_CTLEN - 1;
    for (pos = H_CTLEN; pos < HDR; pos++)
        sample[nsample++] = pos;
    for (i = 0; i < 8; i++)
        sample[nsample++] = HDR + i * (n - 1 - HDR) / 7;
    ck_assert_uint_eq(sample[nsample - 1], n - 1);

    for (i = 0; i < nsample; i++) {
        pos = sample[i];
        full[pos] ^= 0xff;
        put(path, full, n);
        rc = try_read(PASS, PASSLEN);
        full[pos] ^= 0xff;
        ck_assert_msg(rc == SEEN_ECORRUPT || rc == SEEN_EVERSION ||
                rc == SEEN_EAUTH,
            "flip at %zu: %d", pos, rc);
        if (pos >= H_SALT && pos < H_CTLEN)
            ck_assert_msg(rc == SEEN_EAUTH, "flip at %zu: %d", pos, rc);
        if (pos >= HDR)
            ck_assert_msg(rc == SEEN_EAUTH, "flip at %zu: %d", pos, rc);
        if (pos >= H_VERSION && pos < H_ALG)
            ck_assert_msg(rc == SEEN_EVERSION, "flip at %zu: %d", pos, rc);
    }
    put(path, full, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), 0);
}
END_TEST

START_TEST(test_absurd_argon2_parameters_fail_before_hashing)
{
    uint8_t full[FILE_BYTES + 1], f2[FILE_BYTES + 1];
    size_t n;

    write_default();
    n = slurp(path, full, sizeof full);

    /* 100 GB, 2^64 - 1, and below the minimum: ECORRUPT, not ENOMEM. */
    memcpy(f2, full, n);
    put64(f2 + H_MEMLIMIT, 100ULL * 1000 * 1000 * 1000);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    put64(f2 + H_MEMLIMIT, UINT64_MAX);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    put64(f2 + H_MEMLIMIT, SEEN_KEYSTORE_MEMLIMIT_MAX + 1);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    put64(f2 + H_MEMLIMIT, 1024);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);

    memcpy(f2, full, n);
    put64(f2 + H_OPSLIMIT, 0);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    put64(f2 + H_OPSLIMIT, 1ULL << 40);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);

    /* Argon2i (1) instead of Argon2id. */
    memcpy(f2, full, n);
    f2[H_ALG + 3] = 1;
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_bad_magic_is_ecorrupt_and_new_version_is_eversion)
{
    uint8_t full[FILE_BYTES + 1], f2[FILE_BYTES + 1];
    size_t n;

    write_default();
    n = slurp(path, full, sizeof full);
    memcpy(f2, full, n);
    memcpy(f2, "SEENKEY2", 8);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    memcpy(f2, full, n);
    f2[H_VERSION + 3] = 2;
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_EVERSION);
    /* A bad ciphertext length, even one that fits the file. */
    memcpy(f2, full, n);
    f2[H_CTLEN + 3] ^= 0x10;
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    put(path, f2, HDR + (f2[H_CTLEN + 2] << 8 | f2[H_CTLEN + 3]));
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_EAUTH);
}
END_TEST

/*
 * Open the keystore at ${path} with libsodium directly, following only
 * the layout documented in keystore.h; return the plaintext in ${pt} and
 * the AEAD key in ${key}.
 */
static void
open_by_hand(const uint8_t *file, size_t n, uint8_t key[32],
    uint8_t pt[PT_BYTES])
{
    unsigned long long ptlen;

    ck_assert_uint_eq(n, FILE_BYTES);
    ck_assert_mem_eq(file, "SEENKEY1\0\0\0\1\0\0\0\2", 16);
    ck_assert_int_eq(crypto_pwhash(key, 32, PASS, PASSLEN, file + H_SALT,
                         get64(file + H_OPSLIMIT),
                         (size_t)get64(file + H_MEMLIMIT),
                         crypto_pwhash_ALG_ARGON2ID13),
        0);
    ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen,
                         NULL, file + HDR, n - HDR, file, HDR,
                         file + H_NONCE, key),
        0);
    ck_assert_uint_eq(ptlen, PT_BYTES);
}

/* Reseal ${pt} into ${file} with ${key}, keeping the header. */
static void
reseal(uint8_t *file, const uint8_t key[32], const uint8_t pt[PT_BYTES])
{

    ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_encrypt(file + HDR,
                         NULL, pt, PT_BYTES, file, HDR, NULL,
                         file + H_NONCE, key),
        0);
}

START_TEST(test_file_layout_is_as_documented)
{
    uint8_t file[FILE_BYTES + 1], f2[FILE_BYTES + 1], key[32];
    uint8_t pt[PT_BYTES], p2[PT_BYTES];
    size_t n;

    keys->match_epoch = 0x01020304;
    write_default();
    n = slurp(path, file, sizeof file);
    ck_assert_uint_eq(get64(file + H_OPSLIMIT),
        crypto_pwhash_OPSLIMIT_INTERACTIVE);
    ck_assert_uint_eq(get64(file + H_MEMLIMIT),
        crypto_pwhash_MEMLIMIT_INTERACTIVE);
    ck_assert_mem_eq(file + H_CTLEN, "\0\0\x01\x1c", 4); /* 268 + 16 */
    open_by_hand(file, n, key, pt);

    ck_assert_mem_eq(pt, "\0\0\0\1\0\0\x01\x04", 8); /* layout 1, 260 */
    ck_assert_mem_eq(pt + 8, keys->sign_pk, 32);
    ck_assert_mem_eq(pt + 40, keys->sign_sk, 64);
    ck_assert_mem_eq(pt + 104, keys->curve_pk, 32);
    ck_assert_mem_eq(pt + 136, keys->curve_sk, 32);
    ck_assert_mem_eq(pt + 168, keys->data_key, 32);
    ck_assert_mem_eq(pt + 200, keys->handle_key, 32);
    ck_assert_mem_eq(pt + 232, keys->match_key, 32);
    ck_assert_mem_eq(pt + 264, "\x01\x02\x03\x04", 4);
    /* The record key is not stored. */
    ck_assert_ptr_null(memmem(pt, sizeof pt, keys->record_key, 32));

    /* An unknown layout version is SEEN_EVERSION. */
    memcpy(f2, file, n);
    memcpy(p2, pt, sizeof pt);
    p2[3] = 2;
    reseal(f2, key, p2);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_EVERSION);

    /* A wrong inner length is SEEN_ECORRUPT. */
    memcpy(f2, file, n);
    memcpy(p2, pt, sizeof pt);
    p2[7] = 0x03;
    reseal(f2, key, p2);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);

    /* Key pairs that do not belong together are SEEN_ECORRUPT. */
    memcpy(f2, file, n);
    memcpy(p2, pt, sizeof pt);
    p2[8] ^= 1; /* sign_pk */
    reseal(f2, key, p2);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);
    memcpy(f2, file, n);
    memcpy(p2, pt, sizeof pt);
    p2[104] ^= 1; /* curve_pk */
    reseal(f2, key, p2);
    put(path, f2, n);
    ck_assert_int_eq(try_read(PASS, PASSLEN), SEEN_ECORRUPT);

    sodium_memzero(pt, sizeof pt);
    sodium_memzero(p2, sizeof p2);
    sodium_memzero(key, sizeof key);
}
END_TEST

START_TEST(test_set_match_key_replaces_key_and_epoch_only)
{
    uint8_t before[FILE_BYTES + 1], after[FILE_BYTES + 1], mk[32];
    struct seen_keys *k;
    struct stat sb;

    write_default();
    slurp(path, before, sizeof before);
    randombytes_buf(mk, sizeof mk);
    ck_assert_int_eq(seen_keystore_set_match_key(path, PASS, PASSLEN, mk, 9),
        0);
    ck_assert_int_eq(seen_keystore_read(path, PASS, PASSLEN, &k), 0);
    assert_same_keys(keys, k);
    ck_assert_mem_eq(k->match_key, mk, 32);
    ck_assert_uint_eq(k->match_epoch, 9);
    seen_keys_destroy(&k);

    /* Same Argon2id parameters, fresh salt and nonce, still 0600. */
    slurp(path, after, sizeof after);
    ck_assert_mem_eq(after, before, H_SALT);
    ck_assert_mem_ne(after + H_SALT, before + H_SALT, 16);
    ck_assert_mem_ne(after + H_NONCE, before + H_NONCE, 24);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 07777, 0600);
}
END_TEST

START_TEST(test_set_match_key_with_wrong_passphrase_leaves_file_alone)
{
    uint8_t before[FILE_BYTES + 1], after[FILE_BYTES + 1], mk[32];
    size_t n;

    write_default();
    n = slurp(path, before, sizeof before);
    randombytes_buf(mk, sizeof mk);
    ck_assert_int_eq(seen_keystore_set_match_key(path, "nope", 4, mk, 9),
        SEEN_EAUTH);
    ck_assert_uint_eq(slurp(path, after, sizeof after), n);
    ck_assert_mem_eq(after, before, n);
    ck_assert_int_eq(seen_keystore_set_match_key(path, PASS, PASSLEN, mk, 9),
        0);
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(seen_keystore_set_match_key(path, PASS, PASSLEN, mk, 9),
        SEEN_ENOTFOUND);
}
END_TEST

Suite *
keystore_suite(void)
{
    Suite *s = suite_create("crypto_keystore");
    TCase *tc = tcase_create("keystore");

    /* Argon2id under valgrind is slow. */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_then_read_gives_the_same_keys);
    tcase_add_test(tc,
        test_created_file_has_mode_0600_and_no_temporary_is_left);
    tcase_add_test(tc, test_write_replaces_an_existing_keystore);
    tcase_add_test(tc, test_write_refuses_when_temporary_exists);
    tcase_add_test(tc, test_write_refuses_unknown_strength);
    tcase_add_test(tc, test_wrong_passphrase_fails_with_eauth);
    tcase_add_test(tc, test_empty_passphrase_works);
    tcase_add_test(tc, test_missing_file_fails_with_enotfound);
    tcase_add_test(tc, test_directory_fails_with_einval);
    tcase_add_test(tc,
        test_file_accessible_by_group_or_others_fails_with_eperm);
    tcase_add_test(tc, test_every_truncation_fails_with_ecorrupt);
    tcase_add_test(tc, test_trailing_bytes_fail_with_ecorrupt);
    tcase_add_test(tc, test_any_flipped_byte_fails);
    tcase_add_test(tc, test_absurd_argon2_parameters_fail_before_hashing);
    tcase_add_test(tc,
        test_bad_magic_is_ecorrupt_and_new_version_is_eversion);
    tcase_add_test(tc, test_file_layout_is_as_documented);
    tcase_add_test(tc, test_set_match_key_replaces_key_and_epoch_only);
    tcase_add_test(tc,
        test_set_match_key_with_wrong_passphrase_leaves_file_alone);
    suite_add_tcase(s, tc);
    return s;
}

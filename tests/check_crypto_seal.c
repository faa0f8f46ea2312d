/*
 * check_crypto_seal.c: sealing records at rest.
 */
#include <check.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/random.h"
#include "crypto/seal.h"

#include "tests/suites.h"

static uint8_t key[32];
static const uint8_t ad[] = "record-0001";
static const uint8_t msg[] = "SMITH|JOHN|2011-03-04|note: seen at school";

#define MLEN (sizeof msg)
#define ADLEN (sizeof ad - 1)

static void
setup(void)
{

    randombytes_buf(key, sizeof key);
}

START_TEST(test_seal_then_unseal_gives_the_message_back)
{
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN];

    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    /* The plaintext is not in the sealed value. */
    ck_assert_ptr_null(memmem(sealed, sizeof sealed, "SMITH", 5));
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, ad, ADLEN, key),
        0);
    ck_assert_mem_eq(out, msg, MLEN);
}
END_TEST

START_TEST(test_empty_message_and_empty_ad_round_trip)
{
    uint8_t sealed[SEEN_SEAL_OVERHEAD], out[1];

    ck_assert_int_eq(seen_seal(sealed, NULL, 0, NULL, 0, key), 0);
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, NULL, 0, key),
        0);
    sealed[SEEN_SEAL_OVERHEAD - 1] ^= 1;
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, NULL, 0, key),
        SEEN_EAUTH);
}
END_TEST

START_TEST(test_same_message_seals_differently_each_time)
{
    uint8_t a[MLEN + SEEN_SEAL_OVERHEAD], b[MLEN + SEEN_SEAL_OVERHEAD];

    ck_assert_int_eq(seen_seal(a, msg, MLEN, ad, ADLEN, key), 0);
    ck_assert_int_eq(seen_seal(b, msg, MLEN, ad, ADLEN, key), 0);
    ck_assert_mem_ne(a, b, SEEN_SEAL_NONCE_BYTES);
    ck_assert_mem_ne(a + SEEN_SEAL_NONCE_BYTES, b + SEEN_SEAL_NONCE_BYTES,
        MLEN);
}
END_TEST

START_TEST(test_wrong_ad_fails_with_eauth)
{
    static const uint8_t other[] = "record-0002";
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN];

    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    memset(out, 0xee, sizeof out);
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, other,
                         sizeof other - 1, key),
        SEEN_EAUTH);
    /* No plaintext is released: out is zero-filled. */
    ck_assert(sodium_is_zero(out, sizeof out));
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, ad, ADLEN - 1,
                         key),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, NULL, 0, key),
        SEEN_EAUTH);
}
END_TEST

START_TEST(test_wrong_key_fails_with_eauth)
{
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN], k2[32];

    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    memcpy(k2, key, 32);
    k2[0] ^= 1;
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, ad, ADLEN, k2),
        SEEN_EAUTH);
}
END_TEST

START_TEST(test_any_flipped_bit_fails_with_eauth)
{
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN];
    size_t i;
    int bit;

    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    for (i = 0; i < sizeof sealed; i++) {
        for (bit = 0; bit < 8; bit++) {
            sealed[i] ^= (uint8_t)(1 << bit);
            ck_assert_msg(seen_unseal(out, sealed, sizeof sealed, ad, ADLEN,
                              key) == SEEN_EAUTH,
                "flip of byte %zu bit %d went unnoticed", i, bit);
            sealed[i] ^= (uint8_t)(1 << bit);
        }
    }
    ck_assert_int_eq(seen_unseal(out, sealed, sizeof sealed, ad, ADLEN, key),
        0);
}
END_TEST

START_TEST(test_input_shorter_than_overhead_fails_with_ecorrupt)
{
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN];
    size_t len;

    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    for (len = 0; len < SEEN_SEAL_OVERHEAD; len++)
        ck_assert_int_eq(seen_unseal(out, sealed, len, ad, ADLEN, key),
            SEEN_ECORRUPT);
    /* Truncated but still long enough: the tag no longer matches. */
    for (len = SEEN_SEAL_OVERHEAD; len < sizeof sealed; len++)
        ck_assert_int_eq(seen_unseal(out, sealed, len, ad, ADLEN, key),
            SEEN_EAUTH);
}
END_TEST

START_TEST(test_seal_and_unseal_work_in_place)
{
    uint8_t buf[MLEN + SEEN_SEAL_OVERHEAD];

    /* out == msg */
    memcpy(buf, msg, MLEN);
    ck_assert_int_eq(seen_seal(buf, buf, MLEN, ad, ADLEN, key), 0);
    ck_assert_ptr_null(memmem(buf, sizeof buf, "SMITH", 5));
    /* out == in */
    ck_assert_int_eq(seen_unseal(buf, buf, sizeof buf, ad, ADLEN, key), 0);
    ck_assert_mem_eq(buf, msg, MLEN);

    /* Plaintext where the ciphertext goes (out + nonce == msg). */
    memcpy(buf + SEEN_SEAL_NONCE_BYTES, msg, MLEN);
    ck_assert_int_eq(seen_seal(buf, buf + SEEN_SEAL_NONCE_BYTES, MLEN, ad,
                         ADLEN, key),
        0);
    ck_assert_int_eq(seen_unseal(buf + SEEN_SEAL_NONCE_BYTES, buf,
                         sizeof buf, ad, ADLEN, key),
        0);
    ck_assert_mem_eq(buf + SEEN_SEAL_NONCE_BYTES, msg, MLEN);

    /* A failed in-place open leaves zeros, not ciphertext or plaintext. */
    memcpy(buf, msg, MLEN);
    ck_assert_int_eq(seen_seal(buf, buf, MLEN, ad, ADLEN, key), 0);
    buf[sizeof buf - 1] ^= 1;
    ck_assert_int_eq(seen_unseal(buf, buf, sizeof buf, ad, ADLEN, key),
        SEEN_EAUTH);
    ck_assert(sodium_is_zero(buf, MLEN));
}
END_TEST

START_TEST(test_large_value_round_trips)
{
    size_t len = 1 << 20;
    uint8_t *m, *s, *o;

    ck_assert_ptr_nonnull(m = malloc(len));
    ck_assert_ptr_nonnull(s = malloc(len + SEEN_SEAL_OVERHEAD));
    ck_assert_ptr_nonnull(o = malloc(len));
    randombytes_buf(m, len);
    ck_assert_int_eq(seen_seal(s, m, len, ad, ADLEN, key), 0);
    ck_assert_int_eq(seen_unseal(o, s, len + SEEN_SEAL_OVERHEAD, ad, ADLEN,
                         key),
        0);
    ck_assert_mem_eq(o, m, len);
    free(m);
    free(s);
    free(o);
}
END_TEST

START_TEST(test_sealed_value_opens_with_libsodium_directly)
{
    uint8_t sealed[MLEN + SEEN_SEAL_OVERHEAD], out[MLEN];
    unsigned long long olen;

    /* The documented layout: nonce || XChaCha20-Poly1305-IETF(msg, ad). */
    ck_assert_int_eq(seen_seal(sealed, msg, MLEN, ad, ADLEN, key), 0);
    ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(out, &olen,
                         NULL, sealed + 24, sizeof sealed - 24, ad, ADLEN,
                         sealed, key),
        0);
    ck_assert_uint_eq(olen, MLEN);
    ck_assert_mem_eq(out, msg, MLEN);
}
END_TEST

/* The nonces' source (crypto/random.h): no two draws alike, small or
 * large, and a child after fork() draws bytes other than its parent's. */
START_TEST(test_random_bytes_are_never_handed_out_twice)
{
    static uint8_t seen[2000][16];
    uint8_t big[1000], big2[1000], mine[16], theirs[16];
    size_t i, j;
    int fd[2], st;
    pid_t pid;

    for (i = 0; i < 2000; i++) { /* several pools' worth */
        seen_random_buf(seen[i], 1 + i % 16);
        for (j = 0; j < i; j++)
            ck_assert(i % 16 < 7 || j % 16 < 7 ||
                      memcmp(seen[i], seen[j], 8) != 0);
    }
    seen_random_buf(big, sizeof big);
    seen_random_buf(big2, sizeof big2);
    ck_assert_mem_ne(big, big2, sizeof big);
    ck_assert_int_eq(pipe(fd), 0);
    ck_assert_int_ge(pid = fork(), 0);
    if (pid == 0) {
        seen_random_buf(theirs, sizeof theirs);
        _exit(write(fd[1], theirs, sizeof theirs) == sizeof theirs ? 0 : 1);
    }
    seen_random_buf(mine, sizeof mine);
    ck_assert_int_eq(read(fd[0], theirs, sizeof theirs), sizeof theirs);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_mem_ne(mine, theirs, sizeof mine);
    close(fd[0]);
    close(fd[1]);
}
END_TEST

Suite *
seal_suite(void)
{
    Suite *s = suite_create("crypto_seal");
    TCase *tc = tcase_create("seal");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_seal_then_unseal_gives_the_message_back);
    tcase_add_test(tc, test_empty_message_and_empty_ad_round_trip);
    tcase_add_test(tc, test_same_message_seals_differently_each_time);
    tcase_add_test(tc, test_wrong_ad_fails_with_eauth);
    tcase_add_test(tc, test_wrong_key_fails_with_eauth);
    tcase_add_test(tc, test_any_flipped_bit_fails_with_eauth);
    tcase_add_test(tc, test_input_shorter_than_overhead_fails_with_ecorrupt);
    tcase_add_test(tc, test_seal_and_unseal_work_in_place);
    tcase_add_test(tc, test_large_value_round_trips);
    tcase_add_test(tc, test_sealed_value_opens_with_libsodium_directly);
    tcase_add_test(tc, test_random_bytes_are_never_handed_out_twice);
    suite_add_tcase(s, tc);
    return s;
}

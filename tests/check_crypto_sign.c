/*
 * check_crypto_sign.c: domain-separated Ed25519 signatures.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/sign.h"

#include "tests/suites.h"

static uint8_t pk[32], sk[64];
static const uint8_t msg[] = "origin seen-node-a\nsize 1024\nroot ...";
#define MLEN (sizeof msg - 1)
#define ENV "seen-envelope-v1"
#define CKP "seen-checkpoint-v1"

static void
setup(void)
{

    ck_assert_int_eq(crypto_sign_keypair(pk, sk), 0);
}

START_TEST(test_signature_verifies)
{
    uint8_t sig[64];

    ck_assert_int_eq(seen_sign(sig, CKP, msg, MLEN, sk), 0);
    ck_assert_int_eq(seen_verify(sig, CKP, msg, MLEN, pk), 0);
}
END_TEST

START_TEST(test_signature_covers_domain_nul_message)
{
    uint8_t sig[64], buf[256];
    size_t dlen = strlen(CKP);

    /* The documented layout: pure Ed25519 over domain || 0x00 || msg. */
    ck_assert_int_eq(seen_sign(sig, CKP, msg, MLEN, sk), 0);
    memcpy(buf, CKP, dlen);
    buf[dlen] = 0x00;
    memcpy(buf + dlen + 1, msg, MLEN);
    ck_assert_int_eq(crypto_sign_verify_detached(sig, buf, dlen + 1 + MLEN,
                         pk), 0);
    /* And not over the bare message. */
    ck_assert_int_ne(crypto_sign_verify_detached(sig, msg, MLEN, pk), 0);
}
END_TEST

START_TEST(test_forged_signature_fails)
{
    uint8_t sig[64], forged[64];
    int i;

    /* Random bytes, and every single-bit change of a real signature. */
    randombytes_buf(forged, sizeof forged);
    ck_assert_int_eq(seen_verify(forged, CKP, msg, MLEN, pk), SEEN_EAUTH);
    memset(forged, 0, sizeof forged);
    ck_assert_int_eq(seen_verify(forged, CKP, msg, MLEN, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_sign(sig, CKP, msg, MLEN, sk), 0);
    for (i = 0; i < 64 * 8; i++) {
        memcpy(forged, sig, 64);
        forged[i / 8] ^= (uint8_t)(1 << (i % 8));
        ck_assert_msg(seen_verify(forged, CKP, msg, MLEN, pk) == SEEN_EAUTH,
            "signature with bit %d flipped verified", i);
    }
}
END_TEST

START_TEST(test_signature_by_another_key_fails)
{
    uint8_t pk2[32], sk2[64], sig[64];

    ck_assert_int_eq(crypto_sign_keypair(pk2, sk2), 0);
    ck_assert_int_eq(seen_sign(sig, CKP, msg, MLEN, sk2), 0);
    ck_assert_int_eq(seen_verify(sig, CKP, msg, MLEN, pk), SEEN_EAUTH);
}
END_TEST

START_TEST(test_signature_for_another_domain_fails)
{
    uint8_t sig[64];

    ck_assert_int_eq(seen_sign(sig, ENV, msg, MLEN, sk), 0);
    ck_assert_int_eq(seen_verify(sig, CKP, msg, MLEN, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, "seen-envelope-v2", msg, MLEN, pk),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, ENV, msg, MLEN, pk), 0);
}
END_TEST

START_TEST(test_domain_and_message_cannot_trade_bytes)
{
    static const uint8_t c[] = "c", bc[] = "bc";
    uint8_t sig[64];

    /* ("a", "bc") signs "a\0bc"; ("ab", "c") would be "ab\0c". */
    ck_assert_int_eq(seen_sign(sig, "a", bc, 2, sk), 0);
    ck_assert_int_eq(seen_verify(sig, "ab", c, 1, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, "a", bc, 2, pk), 0);
}
END_TEST

START_TEST(test_one_bit_change_to_message_fails)
{
    uint8_t sig[64], m[MLEN];
    size_t i;
    int bit;

    ck_assert_int_eq(seen_sign(sig, ENV, msg, MLEN, sk), 0);
    memcpy(m, msg, MLEN);
    for (i = 0; i < MLEN; i++) {
        for (bit = 0; bit < 8; bit++) {
            m[i] ^= (uint8_t)(1 << bit);
            ck_assert_int_eq(seen_verify(sig, ENV, m, MLEN, pk), SEEN_EAUTH);
            m[i] ^= (uint8_t)(1 << bit);
        }
    }
    /* Truncated or extended messages fail too. */
    ck_assert_int_eq(seen_verify(sig, ENV, m, MLEN - 1, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, ENV, msg, MLEN + 1, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, ENV, m, MLEN, pk), 0);
}
END_TEST

START_TEST(test_long_message_on_the_heap_signs_and_verifies)
{
    size_t len = 100000;
    uint8_t sig[64], *m;

    ck_assert_ptr_nonnull(m = malloc(len));
    randombytes_buf(m, len);
    ck_assert_int_eq(seen_sign(sig, ENV, m, len, sk), 0);
    ck_assert_int_eq(seen_verify(sig, ENV, m, len, pk), 0);
    m[len - 1] ^= 1;
    ck_assert_int_eq(seen_verify(sig, ENV, m, len, pk), SEEN_EAUTH);
    free(m);
}
END_TEST

START_TEST(test_messages_at_the_stack_limit_both_ways)
{
    uint8_t sig[64], *m;
    size_t len, dlen = strlen(ENV);

    /* Around the 2048-byte stack buffer: stack, exactly full, heap. */
    ck_assert_ptr_nonnull(m = malloc(4096));
    randombytes_buf(m, 4096);
    for (len = 2048 - dlen - 3; len <= 2048 - dlen + 1; len++) {
        ck_assert_int_eq(seen_sign(sig, ENV, m, len, sk), 0);
        ck_assert_int_eq(seen_verify(sig, ENV, m, len, pk), 0);
    }
    free(m);
}
END_TEST

START_TEST(test_empty_message_signs)
{
    uint8_t sig[64];

    ck_assert_int_eq(seen_sign(sig, CKP, NULL, 0, sk), 0);
    ck_assert_int_eq(seen_verify(sig, CKP, NULL, 0, pk), 0);
    ck_assert_int_eq(seen_verify(sig, ENV, NULL, 0, pk), SEEN_EAUTH);
}
END_TEST

START_TEST(test_empty_or_overlong_domain_is_refused)
{
    char longdom[SEEN_SIGN_DOMAIN_MAX + 2];
    uint8_t sig[64];

    memset(sig, 0xee, sizeof sig);
    ck_assert_int_eq(seen_sign(sig, "", msg, MLEN, sk), SEEN_EINVAL);
    ck_assert(sodium_is_zero(sig, 64));
    memset(longdom, 'd', sizeof longdom - 1);
    longdom[sizeof longdom - 1] = '\0';
    ck_assert_int_eq(seen_sign(sig, longdom, msg, MLEN, sk), SEEN_EINVAL);
    ck_assert_int_eq(seen_verify(sig, "", msg, MLEN, pk), SEEN_EAUTH);
    ck_assert_int_eq(seen_verify(sig, longdom, msg, MLEN, pk), SEEN_EAUTH);
    /* SEEN_SIGN_DOMAIN_MAX bytes is allowed. */
    longdom[SEEN_SIGN_DOMAIN_MAX] = '\0';
    ck_assert_int_eq(seen_sign(sig, longdom, msg, MLEN, sk), 0);
    ck_assert_int_eq(seen_verify(sig, longdom, msg, MLEN, pk), 0);
}
END_TEST

Suite *
sign_suite(void)
{
    Suite *s = suite_create("crypto_sign");
    TCase *tc = tcase_create("sign");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_signature_verifies);
    tcase_add_test(tc, test_signature_covers_domain_nul_message);
    tcase_add_test(tc, test_forged_signature_fails);
    tcase_add_test(tc, test_signature_by_another_key_fails);
    tcase_add_test(tc, test_signature_for_another_domain_fails);
    tcase_add_test(tc, test_domain_and_message_cannot_trade_bytes);
    tcase_add_test(tc, test_one_bit_change_to_message_fails);
    tcase_add_test(tc, test_long_message_on_the_heap_signs_and_verifies);
    tcase_add_test(tc, test_messages_at_the_stack_limit_both_ways);
    tcase_add_test(tc, test_empty_message_signs);
    tcase_add_test(tc, test_empty_or_overlong_domain_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

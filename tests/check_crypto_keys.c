/*
 * check_crypto_keys.c: node key generation and subkey derivation.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/keys.h"

#include "tests/suites.h"

static int
all_zero(const uint8_t *p, size_t len)
{

    return sodium_is_zero(p, len);
}

START_TEST(test_generate_makes_working_key_pairs_and_epoch_zero)
{
    static const uint8_t msg[] = "checkpoint";
    uint8_t sig[crypto_sign_BYTES], pk[32];
    struct seen_keys *k;

    ck_assert_ptr_nonnull(k = seen_keys_generate());
    ck_assert_uint_eq(k->match_epoch, 0);

    /* The Ed25519 pair signs and verifies. */
    ck_assert_int_eq(crypto_sign_detached(sig, NULL, msg, sizeof msg,
                         k->sign_sk), 0);
    ck_assert_int_eq(crypto_sign_verify_detached(sig, msg, sizeof msg,
                         k->sign_pk), 0);
    /* The Curve25519 public key belongs to the secret key. */
    ck_assert_int_eq(crypto_scalarmult_base(pk, k->curve_sk), 0);
    ck_assert_mem_eq(pk, k->curve_pk, 32);

    ck_assert(!all_zero(k->data_key, 32));
    ck_assert(!all_zero(k->handle_key, 32));
    ck_assert(!all_zero(k->match_key, 32));
    seen_keys_destroy(&k);
}
END_TEST

START_TEST(test_generate_gives_different_keys_each_time)
{
    struct seen_keys *a, *b;

    ck_assert_ptr_nonnull(a = seen_keys_generate());
    ck_assert_ptr_nonnull(b = seen_keys_generate());
    ck_assert_mem_ne(a->sign_pk, b->sign_pk, 32);
    ck_assert_mem_ne(a->curve_pk, b->curve_pk, 32);
    ck_assert_mem_ne(a->data_key, b->data_key, 32);
    ck_assert_mem_ne(a->record_key, b->record_key, 32);
    ck_assert_mem_ne(a->handle_key, b->handle_key, 32);
    ck_assert_mem_ne(a->match_key, b->match_key, 32);
    /* The independent keys of one node differ from one another. */
    ck_assert_mem_ne(a->data_key, a->handle_key, 32);
    ck_assert_mem_ne(a->data_key, a->match_key, 32);
    ck_assert_mem_ne(a->data_key, a->record_key, 32);
    seen_keys_destroy(&a);
    seen_keys_destroy(&b);
}
END_TEST

START_TEST(test_record_key_is_kdf_id_1_seenrec_of_data_key)
{
    uint8_t want[32];
    struct seen_keys *k;

    ck_assert_ptr_nonnull(k = seen_keys_generate());
    ck_assert_int_eq(crypto_kdf_derive_from_key(want, 32, 1, "seenrec_",
                         k->data_key), 0);
    ck_assert_mem_eq(k->record_key, want, 32);
    seen_keys_destroy(&k);
}
END_TEST

START_TEST(test_free_accepts_null)
{

    {
        struct seen_keys *none = NULL;

        seen_keys_destroy(NULL);
        seen_keys_destroy(&none);
        seen_keys_destroy(&none);
    }
}
END_TEST

START_TEST(test_subkey_is_deterministic)
{
    uint8_t master[32], a[32], b[32];

    randombytes_buf(master, sizeof master);
    ck_assert_int_eq(seen_subkey(a, master, 7, "seentokn"), 0);
    ck_assert_int_eq(seen_subkey(b, master, 7, "seentokn"), 0);
    ck_assert_mem_eq(a, b, 32);
}
END_TEST

START_TEST(test_subkey_depends_on_id_context_and_master)
{
    uint8_t master[32], other[32], a[32], b[32];

    randombytes_buf(master, sizeof master);
    memcpy(other, master, 32);
    other[31] ^= 1;
    ck_assert_int_eq(seen_subkey(a, master, 1, "seenrec_"), 0);
    ck_assert_int_eq(seen_subkey(b, master, 2, "seenrec_"), 0);
    ck_assert_mem_ne(a, b, 32);
    ck_assert_int_eq(seen_subkey(b, master, 1, "seentokn"), 0);
    ck_assert_mem_ne(a, b, 32);
    ck_assert_int_eq(seen_subkey(b, other, 1, "seenrec_"), 0);
    ck_assert_mem_ne(a, b, 32);
}
END_TEST

START_TEST(test_subkey_matches_a_known_answer)
{
    /*
     * master = 00 01 .. 1f, id 1, context "seenrec_", computed with an
     * independent implementation (Python hashlib: BLAKE2b-256 of nothing,
     * key = master, salt = id as 8 little-endian bytes then 8 zeros,
     * personal = context then 8 zeros), so that a change of KDF (which
     * would make every sealed record unreadable) is noticed.
     */
    static const char *want_hex =
        "c9b1f1c95a69b8e4ac36c372920193dc5c529b3562443fc5138c3ecf0a77056d";
    uint8_t master[32], out[32], want[32];
    int i;

    for (i = 0; i < 32; i++)
        master[i] = (uint8_t)i;
    ck_assert_int_eq(seen_subkey(out, master, 1, "seenrec_"), 0);
    ck_assert_int_eq(sodium_hex2bin(want, 32, want_hex, strlen(want_hex),
                         NULL, NULL, NULL), 0);
    ck_assert_mem_eq(out, want, 32);
}
END_TEST

Suite *
keys_suite(void)
{
    Suite *s = suite_create("crypto_keys");
    TCase *tc = tcase_create("keys");

    tcase_add_test(tc, test_generate_makes_working_key_pairs_and_epoch_zero);
    tcase_add_test(tc, test_generate_gives_different_keys_each_time);
    tcase_add_test(tc, test_record_key_is_kdf_id_1_seenrec_of_data_key);
    tcase_add_test(tc, test_free_accepts_null);
    tcase_add_test(tc, test_subkey_is_deterministic);
    tcase_add_test(tc, test_subkey_depends_on_id_context_and_master);
    tcase_add_test(tc, test_subkey_matches_a_known_answer);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * check_crypto_token.c: keyed match tokens.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"

#include "tests/suites.h"

static uint8_t key[32];

static void
setup(void)
{
    int i;

    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
}

static void
tok(uint8_t out[16], const uint8_t k[32], const char *const *f, size_t n)
{

    ck_assert_int_eq(seen_token(out, k, f, n), 0);
}

START_TEST(test_token_is_deterministic)
{
    static const char *const f[] = {"SMITH", "JOHN", "2011-03-04"};
    uint8_t a[16], b[16];

    tok(a, key, f, 3);
    tok(b, key, f, 3);
    ck_assert_mem_eq(a, b, 16);
}
END_TEST

START_TEST(test_token_depends_on_the_key)
{
    static const char *const f[] = {"SMITH", "JOHN", "2011-03-04"};
    uint8_t k2[32], a[16], b[16];

    memcpy(k2, key, 32);
    k2[31] ^= 0x80;
    tok(a, key, f, 3);
    tok(b, k2, f, 3);
    ck_assert_mem_ne(a, b, 16);
}
END_TEST

START_TEST(test_field_boundaries_are_unambiguous)
{
    static const char *const ab_c[] = {"AB", "C"};
    static const char *const a_bc[] = {"A", "BC"};
    static const char *const abc[] = {"ABC"};
    static const char *const abc_empty[] = {"ABC", ""};
    static const char *const empty[] = {""};
    uint8_t t[6][16];
    int i, j;

    tok(t[0], key, ab_c, 2);
    tok(t[1], key, a_bc, 2);
    tok(t[2], key, abc, 1);
    tok(t[3], key, abc_empty, 2);
    tok(t[4], key, empty, 1);
    tok(t[5], key, NULL, 0);
    for (i = 0; i < 6; i++)
        for (j = i + 1; j < 6; j++)
            ck_assert_msg(memcmp(t[i], t[j], 16) != 0, "tokens %d and %d "
                "collide", i, j);
}
END_TEST

START_TEST(test_field_order_matters)
{
    static const char *const xy[] = {"SMITH", "JOHN"};
    static const char *const yx[] = {"JOHN", "SMITH"};
    uint8_t a[16], b[16];

    tok(a, key, xy, 2);
    tok(b, key, yx, 2);
    ck_assert_mem_ne(a, b, 16);
}
END_TEST

START_TEST(test_token_matches_known_answer)
{
    /*
     * key = 00 01 .. 1f; fields "SMITH", "JOHN", "2011-03-04", encoded as
     * 0005 534d495448 0004 4a4f484e 000a 323031312d30332d3034; computed
     * with an independent implementation (Python hashlib.blake2b,
     * digest_size=16, key=key) from the layout documented in token.h.
     */
    static const char *const f[] = {"SMITH", "JOHN", "2011-03-04"};
    static const uint8_t want[16] = {0x1b, 0x87, 0xfc, 0x3b, 0x75, 0xcd,
        0x49, 0xf5, 0x20, 0x8d, 0xca, 0xbb, 0xd5, 0x10, 0x51, 0x08};
    /* No fields: keyed BLAKE2b-128 of the empty string. */
    static const uint8_t want0[16] = {0x3d, 0xaf, 0x97, 0xbc, 0xe7, 0x88,
        0x8f, 0xd5, 0x97, 0x73, 0xc6, 0x6b, 0xf6, 0x47, 0x45, 0x9c};
    uint8_t out[16];

    tok(out, key, f, 3);
    ck_assert_mem_eq(out, want, 16);
    tok(out, key, NULL, 0);
    ck_assert_mem_eq(out, want0, 16);
}
END_TEST

START_TEST(test_token_equals_one_shot_hash_of_the_encoding)
{
    static const char *const f[] = {"", "O'NEILL", "MARY ANNE", "SW1A 1AA"};
    uint8_t enc[64], want[16], out[16];
    size_t i, n = 0, len;

    for (i = 0; i < 4; i++) {
        len = strlen(f[i]);
        enc[n++] = (uint8_t)(len >> 8);
        enc[n++] = (uint8_t)len;
        memcpy(enc + n, f[i], len);
        n += len;
    }
    ck_assert_int_eq(crypto_generichash(want, 16, enc, n, key, 32), 0);
    tok(out, key, f, 4);
    ck_assert_mem_eq(out, want, 16);
}
END_TEST

START_TEST(test_field_longer_than_65535_bytes_is_refused)
{
    const char *f[1];
    uint8_t out[16];
    char *big;

    ck_assert_ptr_nonnull(big = malloc(65537));
    memset(big, 'A', 65536);
    big[65536] = '\0';
    f[0] = big;
    memset(out, 0xee, sizeof out);
    ck_assert_int_eq(seen_token(out, key, f, 1), SEEN_EINVAL);
    ck_assert(sodium_is_zero(out, 16));
    /* 65535 bytes is the largest field. */
    big[65535] = '\0';
    ck_assert_int_eq(seen_token(out, key, f, 1), 0);
    free(big);
}
END_TEST

START_TEST(test_null_field_is_refused)
{
    const char *f[2] = {"SMITH", NULL};
    uint8_t out[16];

    ck_assert_int_eq(seen_token(out, key, f, 2), SEEN_EINVAL);
}
END_TEST

/* Tokens made from a prepared key are those of seen_token, for every
 * length of encoding around the one block it takes (empty, 1 to 128
 * bytes, one byte over, several blocks), many fields, and many keys. */
START_TEST(test_prepared_key_gives_the_same_tokens)
{
    static struct seen_token_key k; /* static: no key left on the stack */
    char buf[4][300];
    const char *f[4];
    uint8_t kk[32], want[16], out[16], enc[300 + 8];
    size_t len, nf, i, elen;
    int round;

    for (round = 0; round < 40; round++) {
        randombytes_buf(kk, sizeof kk);
        seen_token_key_init(&k, kk);
        for (len = 0; len <= 260; len++) {
            nf = 1 + (len + (size_t)round) % 4;
            for (i = 0; i < nf; i++) {
                size_t fl = (len + i) / nf, j;

                for (j = 0; j < fl; j++) /* no NUL inside */
                    buf[i][j] = (char)(1 + randombytes_uniform(255));
                buf[i][fl] = '\0';
                f[i] = buf[i];
            }
            ck_assert_int_eq(seen_token(want, kk, f, nf), 0);
            memset(out, 0xee, sizeof out);
            ck_assert_int_eq(seen_token_keyed(out, &k, f, nf), 0);
            ck_assert_mem_eq(out, want, 16);
            /* The same over the encoding's bytes, copied or in place. */
            memset(enc, 0, sizeof enc);
            elen = seen_token_encode(enc, sizeof enc, f, nf);
            ck_assert_uint_eq(elen, len + 2 * nf);
            ck_assert_int_eq(seen_token_keyed_bytes(out, &k, enc, elen), 0);
            ck_assert_mem_eq(out, want, 16);
            memset(out, 0xee, sizeof out);
            if (elen <= SEEN_TOKEN_BLOCK) {
                ck_assert_int_eq(
                    seen_token_keyed_block(out, &k, enc, elen), 0);
                ck_assert_mem_eq(out, want, 16);
            } else {
                ck_assert_int_eq(seen_token_keyed_block(out, &k, enc, elen),
                    SEEN_EINVAL);
                ck_assert(sodium_is_zero(out, 16));
            }
            /* No room: nothing. */
            ck_assert_uint_eq(seen_token_encode(enc, elen - 1, f, nf), 0);
        }
        ck_assert_int_eq(seen_token(want, kk, NULL, 0), 0);
        ck_assert_int_eq(seen_token_keyed(out, &k, NULL, 0), 0);
        ck_assert_mem_eq(out, want, 16);
    }
    /* The known answer, and a NULL field refused as seen_token does. */
    seen_token_key_init(&k, key);
    f[0] = "SMITH";
    f[1] = "JOHN";
    f[2] = "2011-03-04";
    ck_assert_int_eq(seen_token_keyed(out, &k, f, 3), 0);
    tok(want, key, f, 3);
    ck_assert_mem_eq(out, want, 16);
    f[1] = NULL;
    memset(out, 0xee, sizeof out);
    ck_assert_int_eq(seen_token_keyed(out, &k, f, 3), SEEN_EINVAL);
    ck_assert(sodium_is_zero(out, 16));
    sodium_memzero(&k, sizeof k);
}
END_TEST

Suite *
token_suite(void)
{
    Suite *s = suite_create("crypto_token");
    TCase *tc = tcase_create("token");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_token_is_deterministic);
    tcase_add_test(tc, test_token_depends_on_the_key);
    tcase_add_test(tc, test_field_boundaries_are_unambiguous);
    tcase_add_test(tc, test_field_order_matters);
    tcase_add_test(tc, test_token_matches_known_answer);
    tcase_add_test(tc, test_token_equals_one_shot_hash_of_the_encoding);
    tcase_add_test(tc, test_field_longer_than_65535_bytes_is_refused);
    tcase_add_test(tc, test_null_field_is_refused);
    tcase_add_test(tc, test_prepared_key_gives_the_same_tokens);
    suite_add_tcase(s, tc);
    return s;
}

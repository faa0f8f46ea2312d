/*
 * check_crypto_note.c: signed notes and cosignatures (crypto/note.[ch])
 * against the C2SP and golang.org/x/mod vectors in
 * tests/data/signed-note/vectors.json (every case must give its stated
 * result), and round trips of what this code signs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>

#include "common/seen.h"
#include "crypto/note.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/* The harness, under its own name so that every suite links into one
 * runner; its seeds replay through it below. */
#define LLVMFuzzerTestOneInput fuzz_note_one
#include "tests/fuzz/fuzz_note.c"
#undef LLVMFuzzerTestOneInput

static const char *
str(json_t *c, const char *k)
{
    json_t *v = json_object_get(c, k);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Check one vector ${c}; return 1 if the note verified. */
static int
run_vector(json_t *c)
{
    const char *name = str(c, "name"), *vk = str(c, "verifierKey");
    const char *note = str(c, "note");
    struct seen_note_key key;
    char round[SEEN_NOTE_VKEY_MAX], hex[65];
    size_t tlen = 0;
    int valid, rc;

    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(vk);
    ck_assert_ptr_nonnull(note);
    valid = seen_note_vkey_parse(vk, &key) == 0;
    ck_assert_msg(valid == json_is_true(json_object_get(c, "verifierKeyValid")),
        "%s: vkey %s", name, valid ? "accepted" : "refused");
    if (!valid)
        return 0;
    ck_assert_str_eq(key.name, str(c, "keyName"));
    snprintf(hex, sizeof hex, "%08x", (unsigned)key.id);
    ck_assert_str_eq(hex, str(c, "keyId"));
    ck_assert_int_eq(key.type,
        json_integer_value(json_object_get(c, "signatureType")));
    sodium_bin2hex(hex, sizeof hex, key.pk, 32);
    ck_assert_str_eq(hex, str(c, "publicKey"));
    ck_assert_str_eq(seen_note_vkey(&key, round), vk);
    rc = seen_note_open((const uint8_t *)note, strlen(note), &key, 1, NULL,
        &tlen);
    ck_assert_msg(rc == 0 || rc == SEEN_EINVAL || rc == SEEN_EAUTH,
        "%s: %d", name, rc);
    if (rc == 0)
        ck_assert_uint_lt(tlen, strlen(note));
    return rc == 0;
}

START_TEST(test_every_signed_note_vector_gives_its_result)
{
    char path[4096];
    json_error_t err;
    json_t *all, *c;
    size_t i, yes = 0;

    all = json_load_file(tu_data("signed-note/vectors.json", path,
                             sizeof path), 0, &err);
    ck_assert_msg(all != NULL, "%s: %s", path, err.text);
    ck_assert_uint_eq(json_array_size(all), 25);
    json_array_foreach(all, i, c) {
        ck_assert_msg(run_vector(c) ==
                          json_is_true(json_object_get(c, "verify")),
            "%s: wrong result", str(c, "name"));
        yes += json_is_true(json_object_get(c, "verify"));
    }
    ck_assert_uint_eq(yes, 8);
    json_decref(all);
}
END_TEST

/* A key pair and its note keys as a signer and a cosigner. */
struct signer {
    uint8_t pk[32], sk[64];
    struct seen_note_key sig, cosig;
};

static void
signer_init(struct signer *s, const char *name)
{

    crypto_sign_keypair(s->pk, s->sk);
    ck_assert_int_eq(
        seen_note_key_init(&s->sig, name, SEEN_NOTE_ED25519, s->pk), 0);
    ck_assert_int_eq(
        seen_note_key_init(&s->cosig, name, SEEN_NOTE_COSIGNATURE, s->pk), 0);
}

/* ${text}, a blank line and the ${n} ${lines}, as one note in ${buf}. */
static size_t
note_of(char *buf, size_t cap, const char *text, const char **lines,
    size_t n)
{
    size_t off, i;

    off = (size_t)snprintf(buf, cap, "%s\n", text);
    for (i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%s", lines[i]);
    return off;
}

START_TEST(test_a_note_signed_here_opens_and_a_changed_one_does_not)
{
    static const char text[] = "example.org/log\n5\nAAAA\n";
    char l1[SEEN_NOTE_LINE_MAX], note[2048];
    const char *lines[1] = {l1};
    struct signer a, b;
    size_t n, tlen;

    signer_init(&a, "example.org/log");
    signer_init(&b, "example.org/other");
    ck_assert_int_eq(seen_note_sign((const uint8_t *)text, strlen(text),
                         &a.sig, a.sk, 0, l1), 0);
    n = note_of(note, sizeof note, text, lines, 1);
    ck_assert_int_eq(
        seen_note_open((uint8_t *)note, n, &a.sig, 1, NULL, &tlen), 0);
    ck_assert_uint_eq(tlen, strlen(text));
    /* Only b trusted: a's line is ignored, nothing verifies. */
    ck_assert_int_eq(seen_note_open((uint8_t *)note, n, &b.sig, 1, NULL,
                         &tlen), SEEN_EAUTH);
    note[1] ^= 1;
    ck_assert_int_eq(seen_note_open((uint8_t *)note, n, &a.sig, 1, NULL,
                         &tlen), SEEN_EAUTH);
    /* Not a note text: no final newline, a control character. */
    ck_assert_int_eq(seen_note_sign((const uint8_t *)"x", 1, &a.sig, a.sk, 0,
                         l1), SEEN_EINVAL);
    ck_assert_int_eq(seen_note_sign((const uint8_t *)"a\tb\n", 4, &a.sig,
                         a.sk, 0, l1), SEEN_EINVAL);
}
END_TEST

START_TEST(test_cosignatures_carry_their_time_and_are_not_signatures)
{
    static const char text[] = "example.org/log\n7\nBBBB\n";
    char l1[SEEN_NOTE_LINE_MAX], l2[SEEN_NOTE_LINE_MAX], l3[SEEN_NOTE_LINE_MAX];
    char note[4096];
    const char *lines[3] = {l1, l2, l3};
    struct seen_note_key trusted[3];
    struct seen_note_found found[3];
    struct signer log, w1, w2;
    size_t n, tlen;

    signer_init(&log, "example.org/log");
    signer_init(&w1, "witness.example/one");
    signer_init(&w2, "witness.example/two");
    ck_assert_int_eq(seen_note_sign((const uint8_t *)text, strlen(text),
                         &log.sig, log.sk, 0, l1), 0);
    ck_assert_int_eq(seen_note_sign((const uint8_t *)text, strlen(text),
                         &w1.cosig, w1.sk, 1765000000, l2), 0);
    ck_assert_int_eq(seen_note_sign((const uint8_t *)text, strlen(text),
                         &w2.cosig, w2.sk, 1765000123, l3), 0);
    n = note_of(note, sizeof note, text, lines, 3);
    trusted[0] = log.sig;
    trusted[1] = w1.cosig;
    trusted[2] = w2.cosig;
    ck_assert_int_eq(
        seen_note_open((uint8_t *)note, n, trusted, 3, found, &tlen), 0);
    ck_assert_int_eq(found[0].verified, 1);
    ck_assert_uint_eq(found[0].time, 0);
    ck_assert_int_eq(found[1].verified, 1);
    ck_assert_uint_eq(found[1].time, 1765000000);
    ck_assert_int_eq(found[2].verified, 1);
    ck_assert_uint_eq(found[2].time, 1765000123);
    /* A cosigner's key of the signature type is another key ID: its
     * cosignature is not taken for a signature. */
    ck_assert_uint_ne(w1.sig.id, w1.cosig.id);
    ck_assert_int_eq(seen_note_open((uint8_t *)note, n, &w1.sig, 1, NULL,
                         &tlen), SEEN_EAUTH);
}
END_TEST

START_TEST(test_a_cosignature_with_a_changed_time_fails)
{
    static const char text[] = "example.org/log\n9\nCCCC\n";
    char l1[SEEN_NOTE_LINE_MAX], note[2048], *b;
    const char *lines[1] = {l1};
    uint8_t raw[4 + 8 + 64];
    struct signer w;
    size_t n, tlen, rlen;

    signer_init(&w, "witness.example/one");
    ck_assert_int_eq(seen_note_sign((const uint8_t *)text, strlen(text),
                         &w.cosig, w.sk, 1000, l1), 0);
    /* Decode the line's signature, add a second, encode it again. */
    b = strchr(l1 + 4, ' ') + 1;
    ck_assert_int_eq(sodium_base642bin(raw, sizeof raw, b, strlen(b) - 1,
                         NULL, &rlen, NULL, sodium_base64_VARIANT_ORIGINAL),
        0);
    ck_assert_uint_eq(rlen, sizeof raw);
    raw[11]++;
    sodium_bin2base64(b, SEEN_NOTE_LINE_MAX - (size_t)(b - l1), raw,
        sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    strcat(b, "\n");
    n = note_of(note, sizeof note, text, lines, 1);
    ck_assert_int_eq(seen_note_open((uint8_t *)note, n, &w.cosig, 1, NULL,
                         &tlen), SEEN_EAUTH);
}
END_TEST

START_TEST(test_key_names_and_vkeys_are_checked)
{
    struct seen_note_key k;
    char buf[SEEN_NOTE_VKEY_MAX], name[SEEN_NOTE_NAME_MAX + 2];
    uint8_t pk[32] = {1};

    ck_assert_int_eq(seen_note_name_valid("seen.example/reading-police"), 1);
    ck_assert_int_eq(seen_note_name_valid(""), 0);
    ck_assert_int_eq(seen_note_name_valid("a b"), 0);
    ck_assert_int_eq(seen_note_name_valid("a+b"), 0);
    ck_assert_int_eq(seen_note_name_valid("a\xc2\xa0" "b"), 0); /* NBSP */
    ck_assert_int_eq(seen_note_name_valid("a\xff"), 0);
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    ck_assert_int_eq(seen_note_name_valid(name), 0);
    name[SEEN_NOTE_NAME_MAX] = '\0';
    ck_assert_int_eq(seen_note_name_valid(name), 1);
    ck_assert_int_eq(seen_note_key_init(&k, "x", 0x02, pk), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_note_key_init(&k, "seen.example/w", SEEN_NOTE_COSIGNATURE, pk),
        0);
    seen_note_vkey(&k, buf);
    ck_assert_int_eq(seen_note_vkey_parse(buf, &k), 0);
    ck_assert_int_eq(k.type, SEEN_NOTE_COSIGNATURE);
    buf[strlen("seen.example/w+")] ^= 1; /* the key ID */
    ck_assert_int_eq(seen_note_vkey_parse(buf, &k), SEEN_EINVAL);
    ck_assert_int_eq(seen_note_vkey_parse("no-plus", &k), SEEN_EINVAL);
    ck_assert_int_eq(seen_note_vkey_parse(NULL, &k), SEEN_EINVAL);
}
END_TEST

START_TEST(test_malformed_notes_are_refused)
{
    static const char *const bad[] = {
        "",
        "text\n",
        "text\n\n",
        "text\n\n\xe2\x80\x94 name AAAAAAA=",       /* no final newline */
        "text\n\n- name AAAAAAA=\n",                 /* not an em dash */
        "text\n\n\xe2\x80\x94 name\n",               /* no signature */
        "text\n\n\xe2\x80\x94 name AAAA\n",          /* under 5 bytes */
        "text\n\n\xe2\x80\x94 name !!!!!!!!\n",      /* not base64 */
        "te\x01xt\n\n\xe2\x80\x94 name AAAAAAA=\n",  /* control character */
    };
    struct signer s;
    size_t i, tlen;

    signer_init(&s, "name");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(seen_note_open((const uint8_t *)bad[i], strlen(bad[i]),
                          &s.sig, 1, NULL, &tlen) == SEEN_EINVAL,
            "case %zu accepted", i);
}
END_TEST

static void
replay_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{
    struct seen_note_found found[2];
    size_t tlen, *opened = ctx;

    (void)path;
    ck_assert_int_eq(fuzz_note_one(buf, len), 0);
    if (strcmp(name, "checkpoint-cosigned") == 0) {
        /* The harness's keys: the log's signature and a cosignature. */
        ck_assert_int_eq(seen_note_open(buf + 1, len - 1, keys, 2, found,
                             &tlen), 0);
        ck_assert_int_eq(found[0].verified && found[1].verified, 1);
        ck_assert_uint_eq(found[1].time, 1765000000);
        (*opened)++;
    }
}

START_TEST(test_fuzz_seeds_replay)
{
    size_t opened = 0;

    ck_assert_uint_eq(tu_each_file(SEEN_SOURCE_DIR "/tests/fuzz/corpus/note",
                          replay_one, &opened), 3);
    ck_assert_uint_eq(opened, 1);
    (void)tu_each_file(SEEN_SOURCE_DIR "/tests/fuzz/regress/note",
        replay_one, &opened);
}
END_TEST

Suite *
note_suite(void)
{
    Suite *s = suite_create("crypto_note");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_every_signed_note_vector_gives_its_result);
    tcase_add_test(tc, test_a_note_signed_here_opens_and_a_changed_one_does_not);
    tcase_add_test(tc, test_cosignatures_carry_their_time_and_are_not_signatures);
    tcase_add_test(tc, test_a_cosignature_with_a_changed_time_fails);
    tcase_add_test(tc, test_key_names_and_vkeys_are_checked);
    tcase_add_test(tc, test_malformed_notes_are_refused);
    tcase_add_test(tc, test_fuzz_seeds_replay);
    suite_add_tcase(s, tc);
    return s;
}

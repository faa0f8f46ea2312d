/*
 * check_checkpoint.c: checkpoints (proto/checkpoint.[ch]), signed,
 * verified, encoded and kept per origin in the store (storage/feed.[ch]);
 * the receiver's checks of a feed leaf (proto/feed_entry.[ch]); and a
 * replay of the checkpoint and feed-entry fuzzers' seeds and of the inputs
 * that once broke them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/note.h"
#include "crypto/sign.h"
#include "match/tokens.h"
#include "proto/checkpoint.h"
#include "proto/feed_entry.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/witness.h"
#include "seen.pb-c.h"

/* The checkpoint harness, under its own name so that every suite links
 * into one runner; its seeds replay through it below. */
#define LLVMFuzzerTestOneInput fuzz_checkpoint_one
#include "tests/fuzz/fuzz_checkpoint.c"
#undef LLVMFuzzerTestOneInput

#define MAP_MB 16
#define NOW 1750000000ull

/* ---- fixture: origins A and C ---- */

static struct seen_keys *A, *C;

static void
setup(void)
{

    ck_assert_ptr_nonnull(A = seen_keys_generate());
    ck_assert_ptr_nonnull(C = seen_keys_generate());
}

static void
teardown(void)
{

    seen_keys_destroy(&A);
    seen_keys_destroy(&C);
}

/*
 * Open the store in ${dir} of the node ${node} under the record key
 * ${rkey}, making it if ${create}.  The caller destroys it.
 */
static struct seen_store *
store_at(const char *dir, const uint8_t node[32], const uint8_t rkey[32],
    int create)
{
    struct seen_store *st = NULL;

    ck_assert_int_eq(
        seen_store_open(dir, node, rkey, MAP_MB, create, &st), SEEN_OK);
    return st;
}

/* ---- checkpoints ---- */

/*
 * Make ${c} a checkpoint of the earlier form (no note: a signature over
 * the documented message), as the previous version signed them, of the
 * log of ${k} under ${domain}; its bytes point into ${buf} (128 bytes).
 */
static void
legacy_sign(Seen__Checkpoint *c, uint8_t buf[128], const char *domain,
    const struct seen_keys *k, uint64_t size, const uint8_t root[32],
    uint64_t time)
{
    uint8_t m[SEEN_CHECKPOINT_MSG_BYTES];

    seen__checkpoint__init(c);
    memcpy(buf, k->sign_pk, 32);
    memcpy(buf + 32, root, 32);
    memcpy(m, k->sign_pk, 32);
    seen_be64(m + 32, size);
    memcpy(m + 40, root, 32);
    seen_be64(m + 72, time);
    ck_assert_int_eq(seen_sign(buf + 64, domain, m, sizeof m, k->sign_sk), 0);
    c->origin = (ProtobufCBinaryData){32, buf};
    c->root = (ProtobufCBinaryData){32, buf + 32};
    c->signature = (ProtobufCBinaryData){64, buf + 64};
    c->size = size;
    c->time = time;
}

/* The text a checkpoint of the log of ${k} of ${size} leaves and root
 * ${root} must have: "seen/feed/HEX\nSIZE\nBASE64\n". */
static void
want_text(char *t, size_t cap, const char *kind, const struct seen_keys *k,
    uint64_t size, const uint8_t root[32])
{
    char hex[65], b64[64];

    sodium_bin2hex(hex, sizeof hex, k->sign_pk, 32);
    sodium_bin2base64(b64, sizeof b64, root, 32,
        sodium_base64_VARIANT_ORIGINAL);
    snprintf(t, cap, "seen/%s/%s\n%llu\n%s\n", kind, hex,
        (unsigned long long)size, b64);
}

START_TEST(test_checkpoint_signs_and_verifies)
{
    Seen__Checkpoint c, *d;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];
    char text[256], vkey[SEEN_NOTE_VKEY_MAX];
    struct seen_note_key key;
    uint8_t *enc;
    size_t len, tlen;

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 1234, root, NOW), SEEN_OK);
    ck_assert_mem_eq(c.origin.data, A->sign_pk, 32);
    ck_assert_mem_eq(c.root.data, root, 32);
    ck_assert_uint_eq(c.size, 1234);
    ck_assert_uint_eq(c.time, 0);         /* a note carries no time */
    ck_assert_uint_eq(c.signature.len, 0); /* the note is the signature */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);

    /* The note: the documented text, a blank line, one signature line by
     * the key named after the origin, which crypto/note.h opens. */
    want_text(text, sizeof text, "feed", A, 1234, root);
    ck_assert_int_eq(seen_checkpoint_note_text(&c, &tlen), 0);
    ck_assert_uint_eq(tlen, strlen(text));
    ck_assert_mem_eq(c.note.data, text, tlen);
    ck_assert_int_eq(c.note.data[tlen], '\n');
    ck_assert_int_eq(seen_checkpoint_vkey(
                         vkey, SEEN_DOMAIN_FEED_CHECKPOINT, A->sign_pk), 0);
    ck_assert_int_eq(seen_note_vkey_parse(vkey, &key), 0);
    ck_assert_int_eq(
        seen_note_open(c.note.data, c.note.len, &key, 1, NULL, &len), 0);
    ck_assert_uint_eq(len, tlen);

    /* Encoded and decoded, it still verifies. */
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(enc, len, &d), SEEN_OK);
    ck_assert_uint_eq(d->size, 1234);
    ck_assert_int_eq(seen_checkpoint_verify(d, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    seen_checkpoint_destroy(&d);
    {
        Seen__Checkpoint *none = NULL;

        seen_checkpoint_destroy(NULL);
        seen_checkpoint_destroy(&none);
        seen_checkpoint_destroy(&none);
    }
    free(enc);
}
END_TEST

/* The vectors of docs/protocol.md ("Checkpoints"): the note of a feed's
 * checkpoint, byte for byte, and a checkpoint of the earlier form, which
 * still verifies. */
START_TEST(test_checkpoint_signature_matches_the_documented_vector)
{
    static const char want[] =
        "e459b0fed466a2f139429715529d3a5b8603eaa81fab0b22659eb82dabd826df"
        "fbe96926ecfa7d3c2d0b5b06fda65f73a9b1306de67da8bfad641eb7afcc570b";
    static const char want_pk[] =
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    static const char want_note[] =
        "seen/feed/"
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8\n"
        "5\n"
        "ERERERERERERERERERERERERERERERERERERERERERE=\n"
        "\n"
        "\xe2\x80\x94 seen/feed/"
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8 "
        "EV8sdix50WwWVz5OOTu7Z1DUc6+Dil8u8iVuEWNKBO+qhkoGVAtIgOm+yJyscN6D7IYi"
        "rB9wiONACJ53fkxv/VJjBgc=\n";
    static const char want_vkey[] =
        "seen/feed/"
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
        "+115f2c76+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
    Seen__Checkpoint c;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], seed[32];
    char hex[129], vkey[SEEN_NOTE_VKEY_MAX];
    int i;

    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    ck_assert_int_eq(crypto_sign_seed_keypair(A->sign_pk, A->sign_sk, seed),
        0);
    memset(root, 0x11, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 5, root, 1750000000), SEEN_OK);
    sodium_bin2hex(hex, sizeof hex, c.origin.data, 32);
    ck_assert_str_eq(hex, want_pk);
    ck_assert_uint_eq(c.note.len, strlen(want_note));
    ck_assert_mem_eq(c.note.data, want_note, c.note.len);
    ck_assert_int_eq(seen_checkpoint_vkey(
                         vkey, SEEN_DOMAIN_FEED_CHECKPOINT, A->sign_pk), 0);
    ck_assert_str_eq(vkey, want_vkey);
    /* The earlier form: the documented signature, still verified. */
    legacy_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT, A, 5, root, 1750000000);
    sodium_bin2hex(hex, sizeof hex, c.signature.data, 64);
    ck_assert_str_eq(hex, want);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
}
END_TEST

/* Each change to a note checkpoint, or to its fields, fails; the domain
 * (the origin name) is part of what is signed. */
START_TEST(test_note_checkpoint_under_wrong_domain_or_altered_fails)
{
    Seen__Checkpoint c, x;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], more[SEEN_CHECKPOINT_BUF];
    size_t n;

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 9, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_XLOG_CHECKPOINT),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_checkpoint_verify(&c, ""), SEEN_EAUTH);
    /* The fields must say what the note says. */
    x = c;
    x.size = 10;
    ck_assert_int_eq(seen_checkpoint_verify(&x, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    buf[32] ^= 0x01; /* the root field */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    buf[32] ^= 0x01;
    memcpy(buf, C->sign_pk, 32); /* claims another origin */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    memcpy(buf, A->sign_pk, 32);
    /* Unsigned fields of the earlier form must be empty. */
    x = c;
    x.time = NOW;
    ck_assert_int_eq(seen_checkpoint_verify(&x, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    x = c;
    x.signature = (ProtobufCBinaryData){64, buf};
    ck_assert_int_eq(seen_checkpoint_verify(&x, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    /* Every byte of the note counts. */
    for (n = 0; n < c.note.len; n++) {
        c.note.data[n] ^= 0x01;
        ck_assert_int_ne(
            seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT), 0);
        c.note.data[n] ^= 0x01;
    }
    /* A second signature line (any key's) is not allowed. */
    x = c;
    memcpy(more, c.note.data, c.note.len);
    n = c.note.len;
    memcpy(more + n, c.note.data + n - 60, 60);
    x.note = (ProtobufCBinaryData){n + 60, more};
    ck_assert_int_eq(seen_checkpoint_verify(&x, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    c.note.len = SEEN_CHECKPOINT_NOTE_MAX + 1;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
}
END_TEST

/* A checkpoint signed as a note counts as signed, and is the same as its
 * own decoded copy and no other: the test a node makes before it sends or
 * stores a checkpoint again (a note has no 64-byte signature to look at). */
START_TEST(test_note_checkpoint_is_signed_and_same_only_as_itself)
{
    Seen__Checkpoint c, o, none = SEEN__CHECKPOINT__INIT, *d;
    uint8_t buf[SEEN_CHECKPOINT_BUF], obuf[SEEN_CHECKPOINT_BUF], root[32];
    uint8_t *enc;
    size_t len;

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_XLOG_CHECKPOINT,
                         A, 7, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_signed(&c), 1);
    ck_assert_int_eq(seen_checkpoint_signed(&none), 0);
    ck_assert_int_eq(seen_checkpoint_same(&c, &none), 0);
    ck_assert_int_eq(seen_checkpoint_same(&none, &none), 0);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(enc, len, &d), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_same(&c, d), 1);
    ck_assert_int_eq(seen_checkpoint_same(d, &c), 1);
    /* Another size, another root, another signer: not the same. */
    ck_assert_int_eq(seen_checkpoint_sign(&o, obuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, A, 8, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_same(&c, &o), 0);
    root[0] ^= 1;
    ck_assert_int_eq(seen_checkpoint_sign(&o, obuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, A, 7, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_same(&c, &o), 0);
    root[0] ^= 1;
    ck_assert_int_eq(seen_checkpoint_sign(&o, obuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, C, 7, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_same(&c, &o), 0);
    /* One byte of the note changed: not the same. */
    d->note.data[d->note.len - 2] ^= 0x01;
    ck_assert_int_eq(seen_checkpoint_same(&c, d), 0);
    seen_checkpoint_destroy(&d);
    free(enc);
}
END_TEST

/* The earlier form (no note), as the previous version signed it: still
 * verified, and every change fails. */
START_TEST(test_checkpoint_under_wrong_domain_or_altered_fails)
{
    Seen__Checkpoint c;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];

    randombytes_buf(root, sizeof root);
    legacy_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT, A, 9, root, NOW);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_XLOG_CHECKPOINT),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_checkpoint_verify(&c, ""), SEEN_EAUTH);
    buf[32] ^= 0x01;  /* the root */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    buf[32] ^= 0x01;
    c.size = 10;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    c.size = 9;
    c.time = NOW + 1;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    c.time = NOW;
    memcpy(buf, C->sign_pk, 32);  /* claims another origin */
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EAUTH);
    memcpy(buf, A->sign_pk, 32);
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    c.root.len = 31;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    c.root.len = 32;
    c.signature.len = 63;
    ck_assert_int_eq(seen_checkpoint_verify(&c, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_verify(NULL, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_EINVAL);
}
END_TEST

START_TEST(test_checkpoint_decode_refuses_malformed_bytes)
{
    Seen__Checkpoint c, *d = NULL;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32] = {0}, *enc;
    size_t len, i;

    ck_assert_int_eq(seen_checkpoint_decode(NULL, 0, &d), SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_decode((const uint8_t *)"\xff", 1, &d),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 1, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    /* The note is the last field: no prefix is well formed. */
    for (i = 0; i < len; i++)
        ck_assert_int_eq(seen_checkpoint_decode(enc, i, &d), SEEN_EINVAL);
    ck_assert_int_eq(seen_checkpoint_decode(enc, len, &d), SEEN_OK);
    seen_checkpoint_destroy(&d);
    free(enc);
    c.origin.len = 0;
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_EINVAL);
}
END_TEST

/* Encode the Cosignature ${cs} into a malloc'd buffer (*${len} bytes). */
static uint8_t *
cosig_pack(const Seen__Cosignature *cs, size_t *len)
{
    uint8_t *b;

    *len = seen__cosignature__get_packed_size(cs);
    ck_assert_ptr_nonnull(b = malloc(*len));
    ck_assert_uint_eq(seen__cosignature__pack(cs, b), *len);
    return b;
}

/*
 * A witness's cosignature of a note checkpoint is a C2SP tlog-cosignature
 * line (xlog/witness.h) that crypto/note.h opens under the witness's
 * cosignature key, at the cosignature's time; one of an earlier-form
 * checkpoint keeps the earlier signature; the two forms never mix, and
 * the time is signed.
 */
START_TEST(test_cosignature_is_a_tlog_cosignature_line)
{
    Seen__Checkpoint c, *got, *got2;
    Seen__Cosignature *cs, *o, *cs2;
    ProtobufCBinaryData keep_sig, keep_line;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *enc, *cosig, *bad, sig[64];
    uint8_t note[1024];
    char vkey[SEEN_NOTE_VKEY_MAX];
    struct seen_note_key key;
    struct seen_note_found found;
    size_t len, clen, blen, tlen, got_len;
    int form;

    randombytes_buf(root, sizeof root);
    for (form = 0; form < 2; form++) {
        if (form == 0)
            ck_assert_int_eq(seen_checkpoint_sign(&c, buf,
                                 SEEN_DOMAIN_XLOG_CHECKPOINT, A, 7, root, NOW),
                0);
        else
            legacy_sign(&c, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, A, 7, root, NOW);
        ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), 0);
        ck_assert_int_eq(seen_xlog_cosign(C, enc, len, NOW + 3, &cosig, &clen),
            0);
        ck_assert_int_eq(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
        ck_assert_uint_eq(cs->time, NOW + 3);
        ck_assert_uint_eq(cs->line.len != 0, form == 0);
        ck_assert_uint_eq(cs->signature.len, form == 0 ? 0 : 64);
        if (form == 0) {
            /* The note's text, a blank line and the line: a cosigned note
             * for any C2SP verifier with the witness's vkey. */
            ck_assert_int_eq(seen_checkpoint_note_text(got, &tlen), 0);
            memcpy(note, got->note.data, tlen);
            note[tlen] = '\n';
            memcpy(note + tlen + 1, cs->line.data, cs->line.len);
            seen_xlog_witness_key(&key, C->sign_pk);
            seen_note_vkey(&key, vkey);
            ck_assert_ptr_nonnull(strstr(vkey, "seen/witness/"));
            ck_assert_int_eq(seen_note_vkey_parse(vkey, &key), 0);
            ck_assert_uint_eq(key.type, SEEN_NOTE_COSIGNATURE);
            ck_assert_int_eq(seen_note_open(note, tlen + 1 + cs->line.len, &key,
                                 1, &found, &got_len),
                0);
            ck_assert_uint_eq(found.time, NOW + 3);
        }
        /* The time is signed. */
        o = cs;
        o->time++;
        bad = cosig_pack(o, &blen);
        ck_assert_int_eq(
            seen_xlog_cosignature_open(bad, blen, &cs2, &got2), SEEN_EAUTH);
        free(bad);
        o->time--;
        /* The other form's field beside this form's: malformed. */
        keep_sig = o->signature;
        keep_line = o->line;
        if (form == 0) {
            memset(sig, 0x5a, sizeof sig);
            o->signature = (ProtobufCBinaryData){64, sig};
        } else {
            o->line = (ProtobufCBinaryData){3, (uint8_t *)"x y"};
        }
        bad = cosig_pack(o, &blen);
        ck_assert_int_eq(
            seen_xlog_cosignature_open(bad, blen, &cs2, &got2), SEEN_EINVAL);
        free(bad);
        o->signature = keep_sig;
        o->line = keep_line;
        seen__cosignature__free_unpacked(o, NULL);
        seen_checkpoint_destroy(&got);
        free(cosig);
        free(enc);
    }
}
END_TEST

START_TEST(test_feed_checkpoint_is_kept_per_origin_in_the_store)
{
    Seen__Checkpoint c, *d;
    struct seen_txn *txn;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *enc, *enc2;
    const uint8_t *got;
    size_t len, len2, glen;
    uint32_t ia, ic;
    char base[1024], sdir[2048];
    uint8_t node[32], rkey[32];
    struct seen_store *store;

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    randombytes_buf(node, sizeof node);
    randombytes_buf(rkey, sizeof rkey);
    store = store_at(sdir, node, rkey, 1);
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_store_origin(txn, A->sign_pk, 1, &ia), SEEN_OK);
    ck_assert_int_eq(seen_store_origin(txn, C->sign_pk, 1, &ic), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 5, root, NOW), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc, &len), SEEN_OK);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia, enc, len), SEEN_OK);
    /* A's checkpoint is not C's, and garbage is not a checkpoint. */
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ic, enc, len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia,
                         (const uint8_t *)"junk", 4), SEEN_EINVAL);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, 999, enc, len),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);

    /* Durable, and a later one replaces it. */
    seen_store_destroy(&store);
    store = store_at(sdir, node, rkey, 0);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen), SEEN_OK);
    ck_assert_uint_eq(glen, len);
    ck_assert_mem_eq(got, enc, len);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ic, &got, &glen),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_checkpoint_sign(&c, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 6, root, NOW + 1), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&c, &enc2, &len2), SEEN_OK);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, ia, enc2, len2), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, ia, &got, &glen), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(got, glen, &d), SEEN_OK);
    ck_assert_uint_eq(d->size, 6);
    ck_assert_int_eq(seen_checkpoint_verify(d, SEEN_DOMAIN_FEED_CHECKPOINT),
        SEEN_OK);
    seen_checkpoint_destroy(&d);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    free(enc);
    free(enc2);
    seen_store_destroy(&store);
    tu_rmrf(base);
}
END_TEST

/* ---- feed leaves ---- */

static uint8_t fe_origin[32], fe_handle[16], fe_group[16];
static uint8_t fe_bloom[SEEN_BLOOM_BYTES];
static uint8_t fe_tokens[(SEEN_TOKENS_MAX + 1) * SEEN_TOKEN_ITEM];

/* A valid leaf holding an entry with ${n} sorted tokens. */
static void
leaf_entry(Seen__FeedEntry *fe, Seen__IndexEntry *e, size_t n)
{
    size_t i;

    seen__feed_entry__init(fe);
    seen__index_entry__init(e);
    memset(fe_origin, 0xa1, sizeof fe_origin);
    memset(fe_handle, 0xb2, sizeof fe_handle);
    memset(fe_group, 0xc3, sizeof fe_group);
    memset(fe_tokens, 0, sizeof fe_tokens);
    for (i = 0; i <= SEEN_TOKENS_MAX; i++) {
        fe_tokens[i * SEEN_TOKEN_ITEM] = (uint8_t)(1 + i / 8);
        fe_tokens[i * SEEN_TOKEN_ITEM + 1] = (uint8_t)(i % 8);
    }
    fe->origin = (ProtobufCBinaryData){32, fe_origin};
    fe->body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe->entry = e;
    e->handle = (ProtobufCBinaryData){16, fe_handle};
    e->group = (ProtobufCBinaryData){16, fe_group};
    e->tokens = (ProtobufCBinaryData){n * SEEN_TOKEN_ITEM, fe_tokens};
    e->name_bloom = (ProtobufCBinaryData){SEEN_BLOOM_BYTES, fe_bloom};
}

/* Fill fe_tokens with ${n} short token items, sorted. */
static void
short_items(size_t n)
{
    size_t i;

    memset(fe_tokens, 0, n * SEEN_SHORT_ITEM);
    for (i = 0; i < n; i++) {
        fe_tokens[i * SEEN_SHORT_ITEM] = (uint8_t)(1 + i / 8);
        fe_tokens[i * SEEN_SHORT_ITEM + 1] = (uint8_t)(i % 8);
    }
}

START_TEST(test_feed_entry_check_accepts_well_formed_leaves)
{
    Seen__FeedEntry fe;
    Seen__IndexEntry e;
    Seen__Retraction r = SEEN__RETRACTION__INIT;
    Seen__FeedEntry *d;
    uint8_t *enc;
    size_t len;

    leaf_entry(&fe, &e, 5);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    leaf_entry(&fe, &e, 0);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    leaf_entry(&fe, &e, SEEN_TOKENS_MAX);
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    /* Short tokens instead (9-byte items, sorted). */
    leaf_entry(&fe, &e, 0);
    short_items(3);
    e.short_tokens = (ProtobufCBinaryData){3 * SEEN_SHORT_ITEM, fe_tokens};
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    leaf_entry(&fe, &e, SEEN_TOKENS_MAX);

    /* ...also as a receiver has it, decoded from the wire. */
    len = seen__feed_entry__get_packed_size(&fe);
    ck_assert_ptr_nonnull(enc = malloc(len));
    ck_assert_uint_eq(seen__feed_entry__pack(&fe, enc), len);
    ck_assert_ptr_nonnull(d = seen__feed_entry__unpack(NULL, len, enc));
    ck_assert_int_eq(seen_feed_entry_check(d), 0);
    seen__feed_entry__free_unpacked(d, NULL);
    free(enc);

    fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
    fe.retraction = &r;
    r.handle = (ProtobufCBinaryData){16, fe_handle};
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
}
END_TEST

START_TEST(test_feed_entry_check_refuses_wrong_sizes_and_orders)
{
    Seen__FeedEntry fe;
    Seen__IndexEntry e;
    Seen__Retraction r = SEEN__RETRACTION__INIT;

    ck_assert_int_eq(seen_feed_entry_check(NULL), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.origin.len = 31;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.body_case = SEEN__FEED_ENTRY__BODY__NOT_SET;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.handle.len = 15;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.group.len = 0;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    e.name_bloom.len = 127;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    /* No filter at all (an OPRF epoch's entry) is well formed. */
    leaf_entry(&fe, &e, 3);
    e.name_bloom = (ProtobufCBinaryData){0, NULL};
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_OK);
    leaf_entry(&fe, &e, 3);
    e.tokens.len -= 1;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, SEEN_TOKENS_MAX + 1);
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    /* Out of order, and a duplicate. */
    leaf_entry(&fe, &e, 3);
    fe_tokens[16] = 0xff;                  /* item 0: 01 00 .. ff */
    fe_tokens[SEEN_TOKEN_ITEM + 1] = 0x00; /* item 1: 01 00 .. 00 < item 0 */
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    memcpy(fe_tokens + 2 * SEEN_TOKEN_ITEM, fe_tokens + SEEN_TOKEN_ITEM,
        SEEN_TOKEN_ITEM);
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    leaf_entry(&fe, &e, 3);
    fe.entry = NULL;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    /* Short tokens: not whole 9-byte items, out of order, beside whole
     * tokens, or too many. */
    leaf_entry(&fe, &e, 0);
    short_items(SEEN_TOKENS_MAX + 1);
    e.short_tokens = (ProtobufCBinaryData){2 * SEEN_SHORT_ITEM, fe_tokens};
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0); /* as it should be */
    e.short_tokens.len -= 1;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    e.short_tokens.len += 1;
    fe_tokens[0] = 9;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    fe_tokens[0] = 1;
    e.tokens = (ProtobufCBinaryData){SEEN_TOKEN_ITEM, fe_tokens + 64};
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    e.tokens.len = 0;
    e.short_tokens.len = SEEN_TOKENS_MAX * SEEN_SHORT_ITEM;
    ck_assert_int_eq(seen_feed_entry_check(&fe), 0);
    e.short_tokens.len += SEEN_SHORT_ITEM;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);

    leaf_entry(&fe, &e, 3);
    fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
    fe.retraction = &r;
    r.handle = (ProtobufCBinaryData){17, fe_tokens};
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
    fe.retraction = NULL;
    ck_assert_int_eq(seen_feed_entry_check(&fe), SEEN_EINVAL);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Run one input through what the feed-entry fuzzer runs; return 1 if
 * accepted. */
static int
run_feed_entry(const uint8_t *buf, size_t len)
{
    Seen__FeedEntry *fe;
    int rc;

    if ((fe = seen__feed_entry__unpack(NULL, len, buf)) == NULL)
        return 0;
    rc = seen_feed_entry_check(fe);
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc == 0;
}

START_TEST(test_feed_entry_seeds_pass_and_regressions_do_not_crash)
{
    size_t n, ok;

    ok = tu_replay_fuzz("feed_entry", run_feed_entry, &n);
    ck_assert_uint_ge(n, 2);
    ck_assert_uint_ge(ok, 2);
}
END_TEST

/* Run one seed through the harness; 1 if it is a checkpoint that
 * verifies under either domain. */
static int
run_checkpoint(const uint8_t *buf, size_t len)
{
    Seen__Checkpoint *c;
    int ok;

    ck_assert_int_eq(fuzz_checkpoint_one(buf, len), 0);
    if (seen_checkpoint_decode(buf, len, &c) != 0)
        return 0;
    ok = seen_checkpoint_verify(c, SEEN_DOMAIN_FEED_CHECKPOINT) == 0 ||
         seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) == 0;
    seen_checkpoint_destroy(&c);
    return ok;
}

START_TEST(test_checkpoint_seeds_verify_only_when_signed)
{
    size_t n, ok;

    /* Two signed seeds (one per domain) and one with a flipped signature
     * byte: exactly two verify. */
    ok = tu_replay_fuzz("checkpoint", run_checkpoint, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(ok, 2);
}
END_TEST

Suite *
checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc;

    tc = tcase_create("checkpoint");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_checkpoint_signs_and_verifies);
    tcase_add_test(tc,
        test_checkpoint_signature_matches_the_documented_vector);
    tcase_add_test(tc, test_checkpoint_under_wrong_domain_or_altered_fails);
    tcase_add_test(
        tc, test_note_checkpoint_under_wrong_domain_or_altered_fails);
    tcase_add_test(tc, test_checkpoint_decode_refuses_malformed_bytes);
    tcase_add_test(tc, test_note_checkpoint_is_signed_and_same_only_as_itself);
    tcase_add_test(tc, test_cosignature_is_a_tlog_cosignature_line);
    tcase_add_test(tc, test_feed_checkpoint_is_kept_per_origin_in_the_store);
    suite_add_tcase(s, tc);

    tc = tcase_create("feedcheck");
    tcase_add_test(tc, test_feed_entry_check_accepts_well_formed_leaves);
    tcase_add_test(tc, test_feed_entry_check_refuses_wrong_sizes_and_orders);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_test(tc,
        test_feed_entry_seeds_pass_and_regressions_do_not_crash);
    tcase_add_test(tc, test_checkpoint_seeds_verify_only_when_signed);
    suite_add_tcase(s, tc);

    return s;
}

/*
 * check_envelope.c: signed envelopes (proto/envelope.[ch]) and the durable
 * replay cache (storage/replay.[ch]); and a replay of the envelope
 * fuzzer's seeds and of the inputs that once broke it.  Checkpoints and
 * feed leaves are tests/check_checkpoint.c's.
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
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "storage/replay.h"
#include "storage/space.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define MAP_MB 16
#define NOW 1750000000ull

/* The fuzz harness's recipient and clock (tests/fuzz/fuzz_envelope.c). */
#define FUZZ_ME_BYTE 0x4d
#define FUZZ_NOW 1750000000ull

/* ---- fixture: sender A, receiver B with a store and replay cache ---- */

static char base[1024];
static char sdir[2048];
static uint8_t rkey[32];
static struct seen_keys *A, *B, *C;
static struct seen_store *store;
static struct seen_replay *replay;

static void
open_store(int create)
{

    ck_assert_int_eq(seen_store_open(sdir, B->sign_pk, rkey, MAP_MB, create,
                         &store), SEEN_OK);
    ck_assert_ptr_nonnull(replay = seen_replay_new(store, SEEN_ENVELOPE_SKEW));
}

static void
close_store(void)
{

    seen_replay_destroy(&replay);
    replay = NULL;
    seen_store_destroy(&store);
    store = NULL;
}

static void
setup(void)
{

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    randombytes_buf(rkey, sizeof rkey);
    ck_assert_ptr_nonnull(A = seen_keys_generate());
    ck_assert_ptr_nonnull(B = seen_keys_generate());
    ck_assert_ptr_nonnull(C = seen_keys_generate());
    open_store(1);
}

static void
teardown(void)
{

    close_store();
    seen_keys_destroy(&A);
    seen_keys_destroy(&B);
    seen_keys_destroy(&C);
    tu_rmrf(base);
}

/* Senders: A only; anyone; nobody; a failing membership lookup. */
static int
only_a(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    return memcmp(pk, A->sign_pk, 32) == 0;
}

static int
anyone(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return 1;
}

static int
nobody(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return 0;
}

static int
broken(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return SEEN_ECORRUPT;
}

/*
 * Open ${buf} at B in a fresh write transaction with ${ok} as membership,
 * committing it when the envelope is accepted and ${commit}, aborting it
 * otherwise.  Returns seen_replay_open's code.
 */
static int
try_open_with(const uint8_t *buf, size_t len, uint64_t now,
    seen_envelope_sender_fn *ok, int commit)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    int rc;

    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    rc = seen_replay_open(replay, txn, buf, len, B->sign_pk, ok, NULL, now, &v);
    if (rc != 0) {
        ck_assert_ptr_null(v.env);
        ck_assert_ptr_null(v.part);
    }
    seen_envelope_release(&v);
    if (rc == 0 && commit)
        ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    else
        seen_store_abort(txn);
    return rc;
}

static int
try_open(const uint8_t *buf, size_t len, uint64_t now, int commit)
{

    return try_open_with(buf, len, now, only_a, commit);
}

/* Seal a short message from A to B at NOW. */
static uint8_t *
seal_ab(const char *body, size_t *len)
{
    uint8_t *out = NULL;

    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__HELLO,
                         (const uint8_t *)body, strlen(body), NULL, NOW, &out,
                         len), SEEN_OK);
    ck_assert_ptr_nonnull(out);
    return out;
}

/*
 * Sign ${signed_} (${slen} bytes, taken as they are) as ${k} and wrap it
 * in an Envelope; the result is malloc'd.
 */
static uint8_t *
wrap(const struct seen_keys *k, const uint8_t *signed_, size_t slen,
    size_t *len)
{
    Seen__Envelope env = SEEN__ENVELOPE__INIT;
    uint8_t sig[64], *out;

    ck_assert_int_eq(seen_sign(sig, SEEN_DOMAIN_ENVELOPE, signed_, slen,
                         k->sign_sk), 0);
    env.signed_ = (ProtobufCBinaryData){slen, (uint8_t *)signed_};
    env.signature = (ProtobufCBinaryData){64, sig};
    *len = seen__envelope__get_packed_size(&env);
    ck_assert_ptr_nonnull(out = malloc(*len));
    ck_assert_uint_eq(seen__envelope__pack(&env, out), *len);
    return out;
}

/* Encode ${sp} and wrap it, signed by ${k}. */
static uint8_t *
wrap_part(const struct seen_keys *k, const Seen__SignedPart *sp, size_t *len)
{
    uint8_t *spb, *out;
    size_t splen;

    splen = seen__signed_part__get_packed_size(sp);
    ck_assert_ptr_nonnull(spb = malloc(splen));
    ck_assert_uint_eq(seen__signed_part__pack(sp, spb), splen);
    out = wrap(k, spb, splen, len);
    free(spb);
    return out;
}

/* A header from A to B at NOW, pointing into ${id}. */
static void
header_ab(Seen__Header *h, uint8_t id[16])
{

    seen__header__init(h);
    randombytes_buf(id, 16);
    h->sender = (ProtobufCBinaryData){32, A->sign_pk};
    h->recipient = (ProtobufCBinaryData){32, B->sign_pk};
    h->type = SEEN__MSG_TYPE__HEADS;
    h->msg_id = (ProtobufCBinaryData){16, id};
    h->time = NOW;
}

/* ---- envelopes ---- */

START_TEST(test_sealed_envelope_opens_with_its_type_body_sender_and_time)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t *buf;
    size_t len;

    buf = seal_ab("hello, node b", &len);
    ck_assert_uint_le(len, SEEN_ENVELOPE_MAX);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW + 10, &v), SEEN_OK);
    ck_assert_int_eq(v.type, SEEN__MSG_TYPE__HELLO);
    ck_assert_uint_eq(v.blen, strlen("hello, node b"));
    ck_assert_mem_eq(v.body, "hello, node b", v.blen);
    ck_assert_mem_eq(v.sender, A->sign_pk, 32);
    ck_assert_uint_eq(v.time, NOW);
    ck_assert_ptr_nonnull(v.msg_id);
    ck_assert_ptr_null(v.checkpoint);
    ck_assert_ptr_nonnull(v.env);
    ck_assert_ptr_nonnull(v.part);
    seen_envelope_release(&v);
    ck_assert_ptr_null(v.env);
    seen_envelope_release(&v);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    free(buf);
}
END_TEST

START_TEST(test_two_seals_of_one_message_have_different_msg_ids)
{
    struct seen_envelope_view v1, v2;
    struct seen_txn *txn;
    uint8_t *b1, *b2;
    size_t l1, l2;

    b1 = seal_ab("same", &l1);
    b2 = seal_ab("same", &l2);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, b1, l1, B->sign_pk, only_a,
        NULL, NOW, &v1), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, b2, l2, B->sign_pk, only_a,
        NULL, NOW, &v2), SEEN_OK);
    ck_assert_mem_ne(v1.msg_id, v2.msg_id, 16);
    seen_envelope_release(&v1);
    seen_envelope_release(&v2);
    seen_store_abort(txn);
    free(b1);
    free(b2);
}
END_TEST

START_TEST(test_empty_body_opens_with_no_body)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t *buf;
    size_t len;

    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__HEADS,
                         NULL, 0, NULL, NOW, &buf, &len), SEEN_OK);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_OK);
    ck_assert_int_eq(v.type, SEEN__MSG_TYPE__HEADS);
    ck_assert_uint_eq(v.blen, 0);
    ck_assert_ptr_null(v.body);
    seen_envelope_release(&v);
    seen_store_abort(txn);
    free(buf);
}
END_TEST

START_TEST(test_seal_refuses_bad_type_and_oversized_body)
{
    uint8_t *buf = NULL, *big;
    size_t len;

    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, 0, NULL, 0, NULL, NOW,
                         &buf, &len), SEEN_EINVAL);
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, -3, NULL, 0, NULL, NOW,
                         &buf, &len), SEEN_EINVAL);
    ck_assert_ptr_null(buf);
    /* A body of exactly the limit leaves no room for the header. */
    ck_assert_ptr_nonnull(big = calloc(1, SEEN_ENVELOPE_MAX));
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__ENTRIES,
                         big, SEEN_ENVELOPE_MAX, NULL, NOW, &buf, &len),
        SEEN_EINVAL);
    ck_assert_ptr_null(buf);
    free(big);
}
END_TEST

START_TEST(test_large_envelope_under_the_limit_opens)
{
    uint8_t *buf, *body;
    size_t len, blen = SEEN_ENVELOPE_MAX - 1024;

    ck_assert_ptr_nonnull(body = malloc(blen));
    randombytes_buf(body, blen);
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__ENTRIES,
                         body, blen, NULL, NOW, &buf, &len), SEEN_OK);
    ck_assert_uint_le(len, SEEN_ENVELOPE_MAX);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);
    free(buf);
    free(body);
}
END_TEST

START_TEST(test_envelope_over_the_limit_is_refused_unread)
{
    uint8_t *buf;

    /* Bytes that are not even an envelope: refused for their size alone. */
    ck_assert_ptr_nonnull(buf = calloc(1, SEEN_ENVELOPE_MAX + 1));
    ck_assert_int_eq(try_open(buf, SEEN_ENVELOPE_MAX + 1, NOW, 0),
        SEEN_EINVAL);
    free(buf);
}
END_TEST

START_TEST(test_forged_signature_is_refused)
{
    Seen__Envelope *env;
    uint8_t *buf;
    size_t len, i;

    buf = seal_ab("payload", &len);
    ck_assert_ptr_nonnull(env = seen__envelope__unpack(NULL, len, buf));
    /* The signature is the last 64 bytes of the encoding. */
    ck_assert_mem_eq(buf + len - 64, env->signature.data, 64);
    seen__envelope__free_unpacked(env, NULL);
    for (i = len - 64; i < len; i++) {
        buf[i] ^= 0x01;
        ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EAUTH);
        buf[i] ^= 0x01;
    }
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);
    free(buf);
}
END_TEST

START_TEST(test_envelope_signed_by_another_key_is_refused)
{
    Seen__SignedPart sp = SEEN__SIGNED_PART__INIT;
    Seen__Header h;
    uint8_t id[16], *buf;
    size_t len;

    /* Says it is from A, signed by C. */
    header_ab(&h, id);
    sp.header = &h;
    buf = wrap_part(C, &sp, &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EAUTH);
    free(buf);
}
END_TEST

START_TEST(test_flipped_byte_of_the_signed_part_is_refused)
{
    Seen__Envelope *env;
    uint8_t *buf, *body_at;
    size_t len, i;
    int rc;

    buf = seal_ab("a body to tamper with", &len);
    ck_assert_ptr_nonnull(body_at = memmem(buf, len, "tamper", 6));
    body_at[0] ^= 0x20;
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EAUTH);
    body_at[0] ^= 0x20;

    /* Every byte of the signed part, whatever field it falls in. */
    ck_assert_ptr_nonnull(env = seen__envelope__unpack(NULL, len, buf));
    for (i = 0; i < env->signed_.len; i++) {
        env->signed_.data[i] ^= 0x04;
        ck_assert_uint_eq(seen__envelope__pack(env, buf), len);
        rc = try_open(buf, len, NOW, 0);
        ck_assert_msg(rc == SEEN_EAUTH || rc == SEEN_EINVAL ||
                rc == SEEN_EPERM,
            "flip at %zu of the signed part: %d", i, rc);
        env->signed_.data[i] ^= 0x04;
    }
    ck_assert_uint_eq(seen__envelope__pack(env, buf), len);
    seen__envelope__free_unpacked(env, NULL);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);
    free(buf);
}
END_TEST

START_TEST(test_envelope_for_another_recipient_is_refused)
{
    uint8_t *buf;
    size_t len;

    ck_assert_int_eq(seen_envelope_seal(A, C->sign_pk, SEEN__MSG_TYPE__HELLO,
                         (const uint8_t *)"x", 1, NULL, NOW, &buf, &len),
        SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EPERM);
    free(buf);
}
END_TEST

START_TEST(test_unknown_sender_is_refused)
{
    uint8_t *buf;
    size_t len;

    buf = seal_ab("from a", &len);
    ck_assert_int_eq(try_open_with(buf, len, NOW, nobody, 0), SEEN_EPERM);
    ck_assert_int_eq(try_open_with(buf, len, NOW, broken, 0), SEEN_ECORRUPT);
    ck_assert_int_eq(try_open_with(buf, len, NOW, anyone, 0), SEEN_OK);
    free(buf);

    /* C, validly signed by C, is not a member. */
    ck_assert_int_eq(seen_envelope_seal(C, B->sign_pk, SEEN__MSG_TYPE__HELLO,
                         NULL, 0, NULL, NOW, &buf, &len), SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EPERM);
    free(buf);
}
END_TEST

START_TEST(test_replayed_envelope_is_refused_after_commit_and_restart)
{
    uint8_t *buf;
    size_t len;

    buf = seal_ab("once only", &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 1), SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW + 1, 1), SEEN_EREPLAY);

    /* Durable: the store remembers across a restart. */
    close_store();
    open_store(0);
    ck_assert_int_eq(try_open(buf, len, NOW + 2, 1), SEEN_EREPLAY);
    free(buf);
}
END_TEST

START_TEST(test_envelope_in_an_aborted_transaction_is_not_recorded)
{
    uint8_t *buf;
    size_t len;

    buf = seal_ab("effects rolled back", &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);  /* aborted */
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW, 1), SEEN_OK);  /* committed */
    ck_assert_int_eq(try_open(buf, len, NOW, 1), SEEN_EREPLAY);
    free(buf);
}
END_TEST

START_TEST(test_replay_within_one_transaction_is_refused)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t *buf;
    size_t len;

    buf = seal_ab("twice in a batch", &len);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_OK);
    seen_envelope_release(&v);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_EREPLAY);
    seen_store_abort(txn);
    free(buf);
}
END_TEST

START_TEST(test_stale_or_future_time_is_refused)
{
    uint8_t *buf;
    size_t len;

    buf = seal_ab("timely", &len);
    ck_assert_int_eq(try_open(buf, len, NOW + SEEN_ENVELOPE_SKEW + 1, 1),
        SEEN_EREPLAY);
    ck_assert_int_eq(try_open(buf, len, NOW - SEEN_ENVELOPE_SKEW - 1, 1),
        SEEN_EREPLAY);
    ck_assert_int_eq(try_open(buf, len, 0, 1), SEEN_EREPLAY);
    ck_assert_int_eq(try_open(buf, len, UINT64_MAX, 1), SEEN_EREPLAY);
    /* The edges of the window are inside it. */
    ck_assert_int_eq(try_open(buf, len, NOW + SEEN_ENVELOPE_SKEW, 0), SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW - SEEN_ENVELOPE_SKEW, 0), SEEN_OK);
    free(buf);
}
END_TEST

START_TEST(test_every_truncation_and_byte_flip_is_an_error)
{
    static const uint8_t masks[] = {0x01, 0x02, 0x10, 0x80, 0xff};
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t *buf, *cp;
    size_t len, i, m;
    int rc;

    buf = seal_ab("tiny", &len);
    ck_assert_ptr_nonnull(cp = malloc(len));
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    for (i = 0; i < len; i++) {
        /* A copy of exactly i bytes, so that reading past it is caught. */
        memcpy(cp, buf, i);
        rc = seen_replay_open(replay, txn, i ? cp : NULL, i, B->sign_pk,
            only_a, NULL, NOW, &v);
        ck_assert_msg(rc < 0, "truncation to %zu bytes: %d", i, rc);
        ck_assert_ptr_null(v.env);
    }
    for (i = 0; i < len; i++) {
        for (m = 0; m < sizeof masks; m++) {
            memcpy(cp, buf, len);
            cp[i] ^= masks[m];
            rc = seen_replay_open(replay, txn, cp, len, B->sign_pk, only_a,
                NULL, NOW, &v);
            ck_assert_msg(rc < 0, "flip %02x at %zu: %d", masks[m], i, rc);
            ck_assert_ptr_null(v.env);
        }
    }
    /* Nothing above was recorded: the envelope itself is still new. */
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_OK);
    seen_envelope_release(&v);
    seen_store_abort(txn);
    free(cp);
    free(buf);
}
END_TEST

START_TEST(test_signed_bytes_are_verified_as_received_not_re_encoded)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    Seen__Header h;
    uint8_t id[16], hb[256], sb[512], *buf, *re;
    size_t hlen, slen = 0, len, relen;
    static const char body[] = "reordered";

    /*
     * A SignedPart with its body (2) before its header (1) and an unknown
     * field 15 between them: valid protobuf that protobuf-c would encode
     * differently.
     */
    header_ab(&h, id);
    hlen = seen__header__get_packed_size(&h);
    ck_assert_uint_lt(hlen, 128);
    ck_assert_uint_eq(seen__header__pack(&h, hb), hlen);
    sb[slen++] = 0x12;
    sb[slen++] = sizeof(body) - 1;
    memcpy(sb + slen, body, sizeof(body) - 1);
    slen += sizeof(body) - 1;
    sb[slen++] = 0x78;  /* field 15, varint */
    sb[slen++] = 0x2a;
    sb[slen++] = 0x0a;
    sb[slen++] = (uint8_t)hlen;
    memcpy(sb + slen, hb, hlen);
    slen += hlen;
    buf = wrap(A, sb, slen, &len);

    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_OK);
    ck_assert_uint_eq(v.blen, sizeof(body) - 1);
    ck_assert_mem_eq(v.body, body, v.blen);
    ck_assert_int_eq(v.type, SEEN__MSG_TYPE__HEADS);
    ck_assert_mem_eq(v.msg_id, id, 16);

    /* Re-encoding really does give other bytes (so the test can fail). */
    relen = seen__signed_part__get_packed_size(v.part);
    ck_assert_ptr_nonnull(re = malloc(relen));
    ck_assert_uint_eq(seen__signed_part__pack(v.part, re), relen);
    ck_assert(relen != slen || memcmp(re, sb, slen) != 0);
    ck_assert_int_ne(seen_verify(v.env->signature.data, SEEN_DOMAIN_ENVELOPE,
                         re, relen, A->sign_pk), 0);
    free(re);
    seen_envelope_release(&v);
    seen_store_abort(txn);
    free(buf);
}
END_TEST

START_TEST(test_signed_but_malformed_headers_are_refused)
{
    Seen__SignedPart sp = SEEN__SIGNED_PART__INIT;
    Seen__Header h;
    uint8_t id[16], *buf;
    size_t len;
    int i;

    /* No header at all. */
    buf = wrap_part(A, &sp, &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EINVAL);
    free(buf);

    for (i = 0; i < 6; i++) {
        header_ab(&h, id);
        switch (i) {
        case 0:
            h.msg_id.len = 15;
            break;
        case 1:
            h.sender.len = 31;
            break;
        case 2:
            h.recipient.len = 0;
            break;
        case 3:
            h.type = SEEN__MSG_TYPE__MSG_UNSPECIFIED;
            break;
        case 4:
            h.type = (Seen__MsgType)-1;
            break;
        case 5:
            h.msg_id.len = 0;
            break;
        }
        sp.header = &h;
        buf = wrap_part(A, &sp, &len);
        ck_assert_msg(try_open(buf, len, NOW, 0) == SEEN_EINVAL, "case %d",
            i);
        free(buf);
    }

    /* An unknown but positive type is the caller's to refuse. */
    header_ab(&h, id);
    h.type = (Seen__MsgType)99;
    sp.header = &h;
    buf = wrap_part(A, &sp, &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_OK);
    free(buf);
}
END_TEST

START_TEST(test_envelope_carries_the_senders_xlog_checkpoint)
{
    Seen__Checkpoint cp;
    Seen__SignedPart sp = SEEN__SIGNED_PART__INIT;
    Seen__Header h;
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t cbuf[SEEN_CHECKPOINT_BUF], root[32], id[16], *buf;
    size_t len;

    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, cbuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, A, 77, root, NOW - 5),
        SEEN_OK);
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__HEADS,
                         NULL, 0, &cp, NOW, &buf, &len), SEEN_OK);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_open(replay, txn, buf, len, B->sign_pk,
        only_a, NULL, NOW, &v), SEEN_OK);
    ck_assert_ptr_nonnull(v.checkpoint);
    ck_assert_uint_eq(v.checkpoint->size, 77);
    ck_assert_mem_eq(v.checkpoint->root.data, root, 32);
    ck_assert_int_eq(seen_checkpoint_verify(v.checkpoint,
                         SEEN_DOMAIN_XLOG_CHECKPOINT), SEEN_OK);
    seen_envelope_release(&v);
    seen_store_abort(txn);
    free(buf);

    /* A feed checkpoint is not an exchange-log checkpoint. */
    ck_assert_int_eq(seen_checkpoint_sign(&cp, cbuf,
                         SEEN_DOMAIN_FEED_CHECKPOINT, A, 77, root, NOW - 5),
        SEEN_OK);
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__HEADS,
                         NULL, 0, &cp, NOW, &buf, &len), SEEN_OK);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EAUTH);
    free(buf);

    /* Someone else's checkpoint: seal refuses, and so does open. */
    ck_assert_int_eq(seen_checkpoint_sign(&cp, cbuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, C, 3, root, NOW),
        SEEN_OK);
    ck_assert_int_eq(seen_envelope_seal(A, B->sign_pk, SEEN__MSG_TYPE__HEADS,
                         NULL, 0, &cp, NOW, &buf, &len), SEEN_EINVAL);
    header_ab(&h, id);
    h.checkpoint = &cp;
    sp.header = &h;
    buf = wrap_part(A, &sp, &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EINVAL);
    free(buf);

    /* A tampered checkpoint inside a validly signed envelope. */
    ck_assert_int_eq(seen_checkpoint_sign(&cp, cbuf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, A, 3, root, NOW),
        SEEN_OK);
    cp.size = 4;
    header_ab(&h, id);
    h.checkpoint = &cp;
    sp.header = &h;
    buf = wrap_part(A, &sp, &len);
    ck_assert_int_eq(try_open(buf, len, NOW, 0), SEEN_EAUTH);
    free(buf);
}
END_TEST

/* ---- the replay cache ---- */

START_TEST(test_replay_cache_refuses_a_second_check)
{
    struct seen_txn *txn;
    uint8_t id[16], id2[16];

    randombytes_buf(id, sizeof id);
    memcpy(id2, id, sizeof id2);
    id2[15] ^= 1;
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, NOW), 0);
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, NOW),
        SEEN_EREPLAY);
    /* Another id, or the same id from another sender, is new. */
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id2, NOW), 0);
    ck_assert_int_eq(seen_replay_check(replay, txn, C->sign_pk, id, NOW), 0);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
}
END_TEST

START_TEST(test_replay_cache_refuses_a_zero_window)
{
    struct seen_replay *day;

    ck_assert_ptr_null(seen_replay_new(store, 0));
    ck_assert_ptr_null(seen_replay_new(store, UINT64_MAX));
    /* The window is bounded: a day at most. */
    ck_assert_ptr_null(seen_replay_new(store, SEEN_REPLAY_WINDOW_MAX + 1));
    ck_assert_ptr_nonnull(day = seen_replay_new(store, SEEN_REPLAY_WINDOW_MAX));
    seen_replay_destroy(&day);
    {
        struct seen_replay *none = NULL;

        seen_replay_destroy(NULL);
        seen_replay_destroy(&none);
        seen_replay_destroy(&none);
    }
}
END_TEST

START_TEST(test_prune_drops_only_records_older_than_two_windows)
{
    struct seen_txn *txn;
    uint64_t n, now = NOW, w = SEEN_ENVELOPE_SKEW;
    uint8_t id[16];
    uint32_t i;

    /* 2500 records (more than one pruning pass), every other one old. */
    memset(id, 0, sizeof id);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    for (i = 0; i < 2500; i++) {
        seen_be32(id, i);
        ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id,
                             i % 2 ? now - 2 * w - 1 : now - 2 * w), 0);
    }
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);

    /* Too early for anything to go. */
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_replay_prune(replay, txn, 2 * w), SEEN_OK);
    ck_assert_int_eq(seen_store_count(txn, SEEN_DB_REPLAY, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2500);
    ck_assert_int_eq(seen_replay_prune(replay, txn, now), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);

    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_store_count(txn, SEEN_DB_REPLAY, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1250);
    seen_be32(id, 1);   /* old: forgotten */
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, now), 0);
    seen_be32(id, 2);   /* exactly two windows old: kept */
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, now),
        SEEN_EREPLAY);
    seen_store_abort(txn);
}
END_TEST

/* A full cache refuses new messages (counted) rather than forget one that
 * could then be replayed; a replay is still a replay; pruning makes room. */
START_TEST(test_full_replay_cache_refuses_new_messages_until_pruned)
{
    struct seen_space sp;
    struct seen_txn *txn;
    uint64_t now = NOW, w = SEEN_ENVELOPE_SKEW;
    uint8_t id[16];
    uint32_t i;

    seen_replay_bound(replay, 100);
    memset(id, 0, sizeof id);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    for (i = 0; i < 100; i++) {
        seen_be32(id, i);
        ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id,
                             now - 2 * w - 1), 0);
    }
    seen_be32(id, 100);
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, now),
        SEEN_EAGAIN);
    ck_assert_int_eq(seen_replay_check(replay, txn, C->sign_pk, id, now),
        SEEN_EAGAIN);
    seen_be32(id, 7);
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, now),
        SEEN_EREPLAY);
    ck_assert_int_eq(seen_space_get(txn, &sp), SEEN_OK);
    ck_assert_uint_eq(sp.dropped[SEEN_SPACE_DROP_REPLAY], 2);
    ck_assert_int_eq(seen_replay_prune(replay, txn, now), SEEN_OK);
    seen_be32(id, 100);
    ck_assert_int_eq(seen_replay_check(replay, txn, A->sign_pk, id, now), 0);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
}
END_TEST

START_TEST(test_prune_reports_a_damaged_record)
{
    struct seen_txn *txn;
    uint8_t k[48] = {0};

    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_store_put(txn, SEEN_DB_REPLAY, k, sizeof k, "abc",
                         3), SEEN_OK);
    ck_assert_int_eq(seen_replay_prune(replay, txn, NOW), SEEN_ECORRUPT);
    seen_store_abort(txn);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Run one input through what the envelope fuzzer runs; return 1 if
 * accepted. */
static int
run_envelope(const uint8_t *buf, size_t len)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t me[32];
    int rc;

    memset(me, FUZZ_ME_BYTE, sizeof me);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), SEEN_OK);
    rc = seen_replay_open(replay, txn, buf, len, me, anyone, NULL,
        FUZZ_NOW, &v);
    ck_assert_int_le(rc, 0);
    if (rc == 0) {
        ck_assert_ptr_nonnull(v.sender);
        ck_assert_int_gt(v.type, 0);
    }
    seen_envelope_release(&v);
    seen_store_abort(txn);
    return rc == 0;
}

START_TEST(test_envelope_seeds_open_and_regressions_do_not_crash)
{
    size_t n, ok;

    ok = tu_replay_fuzz("envelope", run_envelope, &n);
    ck_assert_uint_ge(n, 3);
    ck_assert_uint_ge(ok, 3);  /* the seeds reach the end of the checks */
}
END_TEST

Suite *
envelope_suite(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc;

    tc = tcase_create("envelope");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc,
        test_sealed_envelope_opens_with_its_type_body_sender_and_time);
    tcase_add_test(tc, test_two_seals_of_one_message_have_different_msg_ids);
    tcase_add_test(tc, test_empty_body_opens_with_no_body);
    tcase_add_test(tc, test_seal_refuses_bad_type_and_oversized_body);
    tcase_add_test(tc, test_large_envelope_under_the_limit_opens);
    tcase_add_test(tc, test_envelope_over_the_limit_is_refused_unread);
    tcase_add_test(tc, test_forged_signature_is_refused);
    tcase_add_test(tc, test_envelope_signed_by_another_key_is_refused);
    tcase_add_test(tc, test_flipped_byte_of_the_signed_part_is_refused);
    tcase_add_test(tc, test_envelope_for_another_recipient_is_refused);
    tcase_add_test(tc, test_unknown_sender_is_refused);
    tcase_add_test(tc,
        test_replayed_envelope_is_refused_after_commit_and_restart);
    tcase_add_test(tc,
        test_envelope_in_an_aborted_transaction_is_not_recorded);
    tcase_add_test(tc, test_replay_within_one_transaction_is_refused);
    tcase_add_test(tc, test_stale_or_future_time_is_refused);
    tcase_add_test(tc, test_every_truncation_and_byte_flip_is_an_error);
    tcase_add_test(tc,
        test_signed_bytes_are_verified_as_received_not_re_encoded);
    tcase_add_test(tc, test_signed_but_malformed_headers_are_refused);
    tcase_add_test(tc, test_envelope_carries_the_senders_xlog_checkpoint);
    suite_add_tcase(s, tc);

    tc = tcase_create("replay");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_replay_cache_refuses_a_second_check);
    tcase_add_test(tc, test_replay_cache_refuses_a_zero_window);
    tcase_add_test(tc, test_prune_drops_only_records_older_than_two_windows);
    tcase_add_test(tc, test_full_replay_cache_refuses_new_messages_until_pruned);
    tcase_add_test(tc, test_prune_reports_a_damaged_record);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_envelope_seeds_open_and_regressions_do_not_crash);
    suite_add_tcase(s, tc);

    return s;
}

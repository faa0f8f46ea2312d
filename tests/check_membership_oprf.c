/*
 * check_membership_oprf.c: the OPRF key of a membership document
 * (proto/membership_oprf.c; docs/protocol.md, "OPRF epochs"): dealing a
 * key t of n, the document that carries it, each custodian's share, the
 * refusal of every broken rule with a clear error, and a document without
 * one read exactly as before.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "crypto/sign.h"
#include "proto/membership.h"
#include "tests/suites.h"

#include "seen.pb-c.h"

#define NMEMBERS 4
#define NCUST 3
#define THRESHOLD 2
#define EPOCH 9
#define FEDERATION "custodian test federation"

static struct seen_keys *auth, *keys[NMEMBERS];
static Seen__Member mb[NMEMBERS];
static const Seen__Member *mbs[NMEMBERS];
static char names[NMEMBERS][16], eps[NMEMBERS][40], ceps[NMEMBERS][40];
static const char *cep[NMEMBERS];

static void
setup(void)
{
    size_t i;

    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    for (i = 0; i < NMEMBERS; i++) {
        ck_assert_ptr_nonnull(keys[i] = seen_keys_generate());
        seen__member__init(&mb[i]);
        snprintf(names[i], sizeof names[i], "node-%zu", i);
        snprintf(eps[i], sizeof eps[i], "tcp://127.0.0.1:%zu", 7400 + i);
        snprintf(ceps[i], sizeof ceps[i], "tcp://127.0.0.1:%zu", 8400 + i);
        cep[i] = ceps[i];
        mb[i].name = names[i];
        mb[i].agency = (char *)(uintptr_t) "Agency";
        mb[i].type = SEEN__AGENCY_TYPE__SOCIAL_CARE;
        mb[i].local_authority = (char *)(uintptr_t) "Reading";
        mb[i].sign_pk.data = keys[i]->sign_pk;
        mb[i].sign_pk.len = 32;
        mb[i].curve_pk.data = keys[i]->curve_pk;
        mb[i].curve_pk.len = 32;
        mb[i].endpoint = eps[i];
        mb[i].status = SEEN__MEMBER_STATUS__ACTIVE;
        mbs[i] = &mb[i];
    }
}

static void
teardown(void)
{
    size_t i;

    for (i = 0; i < NMEMBERS; i++)
        seen_keys_destroy(&keys[i]);
    seen_keys_destroy(&auth);
}

/* A dealt key for the first NCUST members, decoded; free with
 * seen__oprf_key__free_unpacked. */
static Seen__OprfKey *
deal(void)
{
    Seen__OprfKey *k;
    uint8_t *buf;
    size_t len;

    ck_assert_int_eq(
        seen_membership_deal(EPOCH, THRESHOLD, mbs, cep, NCUST, &buf, &len),
        0);
    ck_assert_ptr_nonnull(k = seen__oprf_key__unpack(NULL, len, buf));
    free(buf);
    return k;
}

/* Sign ${body} as is with the authority; the document, malloc'd. */
static uint8_t *
sign_body(const Seen__MembershipBody *body, size_t *len)
{
    Seen__Membership doc = SEEN__MEMBERSHIP__INIT;
    uint8_t sig[64], *bb, *out;
    size_t blen;

    blen = seen__membership_body__get_packed_size(body);
    ck_assert_ptr_nonnull(bb = malloc(blen));
    seen__membership_body__pack(body, bb);
    ck_assert_int_eq(
        seen_sign(sig, SEEN_MEMBERSHIP_DOMAIN, bb, blen, auth->sign_sk), 0);
    doc.body.data = bb;
    doc.body.len = blen;
    doc.signature.data = sig;
    doc.signature.len = 64;
    *len = seen__membership__get_packed_size(&doc);
    ck_assert_ptr_nonnull(out = malloc(*len));
    seen__membership__pack(&doc, out);
    free(bb);
    return out;
}

/* A body of the four members, epoch EPOCH, holding ${k}. */
static void
body_init(Seen__MembershipBody *b, Seen__OprfKey *k)
{

    seen__membership_body__init(b);
    b->federation = (char *)(uintptr_t)FEDERATION;
    b->version = 3;
    b->issued = 1767225600;
    b->authority_pk.data = auth->sign_pk;
    b->authority_pk.len = 32;
    b->n_members = NMEMBERS;
    b->members = (Seen__Member **)(uintptr_t)mbs;
    b->epoch = EPOCH;
    b->oprf = k;
}

/* The authority deals a key 2 of 3; the signed document names the three
 * custodians with their endpoints and no grant; each custodian opens its
 * own share (and no other can), share·G is its share_pk, and any two
 * shares weighted by their coefficients make the public key. */
START_TEST(test_dealt_key_opens_for_each_custodian_and_makes_the_public_key)
{
    struct seen_membership *m;
    struct seen_membership_custodian c;
    const uint8_t *pk;
    uint8_t *doc, share[NCUST][32], w[32], e[32], sum[32];
    unsigned int t, idx, ids[2] = {3, 1};
    Seen__OprfKey *k = deal();
    size_t len, i;

    ck_assert_int_eq(seen_membership_build_oprf(FEDERATION, 3, 1767225600,
                         mbs, NMEMBERS, EPOCH, 0, 8, NULL, k, auth, &doc,
                         &len),
        0);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &m), 0);
    ck_assert_uint_eq(seen_membership_oprf(m, &t, &pk), NCUST);
    ck_assert_uint_eq(t, THRESHOLD);
    /* A new deal makes anchored tokens. */
    ck_assert_uint_eq(seen_membership_oprf_encoding(m),
        SEEN_MEMBERSHIP_ENCODING_ANCHORED);
    for (i = 0; i < NMEMBERS; i++)
        ck_assert(!seen_membership_granted(m, keys[i]->sign_pk));
    for (i = 0; i < NCUST; i++) {
        ck_assert_int_eq(seen_membership_custodian(m, i, &c), 0);
        ck_assert_uint_eq(c.index, i + 1);
        ck_assert_str_eq(c.name, names[i]);
        ck_assert_str_eq(c.endpoint, ceps[i]);
        ck_assert_mem_eq(c.curve_pk, keys[i]->curve_pk, 32);
        ck_assert_int_eq(seen_membership_open_share(m, keys[i], share[i],
                             &idx),
            0);
        ck_assert_uint_eq(idx, i + 1);
        ck_assert_int_eq(crypto_scalarmult_ristretto255_base(e, share[i]), 0);
        ck_assert_mem_eq(e, c.share_pk, 32);
    }
    ck_assert_int_eq(seen_membership_custodian(m, NCUST, &c), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_membership_custodian_of(m, keys[1]->sign_pk, &c), 0);
    ck_assert_uint_eq(c.index, 2);
    ck_assert_int_eq(seen_membership_custodian_of(m, keys[3]->sign_pk, &c),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_membership_open_share(m, keys[3], share[0], &idx),
        SEEN_ENOTFOUND);
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(seen_oprf_weighted_share(share[ids[i] - 1], ids, 2,
                             i, w),
            0);
        ck_assert_int_eq(crypto_scalarmult_ristretto255_base(e, w), 0);
        if (i == 0)
            memcpy(sum, e, 32);
        else
            ck_assert_int_eq(seen_oprf_add(sum, e, sum), 0);
    }
    ck_assert_mem_eq(sum, pk, 32);
    sodium_memzero(share, sizeof share);
    seen_membership_destroy(&m);
    free(doc);
    seen__oprf_key__free_unpacked(k, NULL);
}
END_TEST

/* A share sealed to another member's key, or a share_pk that is not
 * share·G, does not open: SEEN_EAUTH, never a wrong share. */
START_TEST(test_a_share_that_is_not_its_share_pk_is_refused)
{
    struct seen_membership *m;
    Seen__MembershipBody b;
    Seen__OprfKey *k = deal();
    uint8_t *doc, share[32], other[32];
    unsigned int idx;
    size_t len;

    crypto_core_ristretto255_random(other);
    memcpy(k->shares[0]->share_pk.data, other, 32);
    body_init(&b, k);
    doc = sign_body(&b, &len);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &m), 0);
    ck_assert_int_eq(seen_membership_open_share(m, keys[0], share, &idx),
        SEEN_EAUTH);
    ck_assert_int_eq(seen_membership_open_share(m, keys[1], share, &idx), 0);
    seen_membership_destroy(&m);
    free(doc);
    seen__oprf_key__free_unpacked(k, NULL);
}
END_TEST

/* A document without an OPRF key reads exactly as before: a match-key
 * epoch, a grant for every active member, no custodian. */
START_TEST(test_a_document_without_oprf_reads_as_before)
{
    struct seen_membership *m;
    struct seen_membership_custodian c;
    uint8_t *doc, mk[32], got[32], share[32];
    unsigned int idx;
    uint32_t ep;
    size_t len;

    randombytes_buf(mk, sizeof mk);
    ck_assert_int_eq(seen_membership_build_links(FEDERATION, 2, 1767225600,
                         mbs, NMEMBERS, EPOCH, 0, 8, mk, auth, &doc, &len),
        0);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &m), 0);
    ck_assert_uint_eq(seen_membership_oprf(m, NULL, NULL), 0);
    ck_assert_int_eq(seen_membership_custodian(m, 0, &c), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_membership_open_share(m, keys[0], share, &idx),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_membership_match_key(m, keys[2], got, &ep), 0);
    ck_assert_mem_eq(got, mk, 32);
    ck_assert_uint_eq(ep, EPOCH);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

/* An OPRF key dealt before OprfKey.encoding (field 5 absent) makes its
 * tokens from whole values, as it did. */
START_TEST(test_a_key_without_encoding_makes_whole_values)
{
    struct seen_membership *m;
    Seen__OprfKey *k = deal();
    uint8_t *doc;
    size_t len;

    k->encoding = 0; /* proto3: a zero is not written */
    ck_assert_int_eq(seen_membership_build_oprf(FEDERATION, 3, 1767225600,
                         mbs, NMEMBERS, EPOCH, 0, 8, NULL, k, auth, &doc,
                         &len),
        0);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &m), 0);
    ck_assert_uint_eq(seen_membership_oprf_encoding(m),
        SEEN_MEMBERSHIP_ENCODING_WHOLE);
    seen_membership_destroy(&m);
    free(doc);
    seen__oprf_key__free_unpacked(k, NULL);
}
END_TEST

/* Each broken rule of an OPRF key, signed by the authority all the same,
 * is refused with SEEN_EINVAL; building one is refused too. */
#define NBROKEN 15
START_TEST(test_each_broken_oprf_rule_is_refused)
{
    struct seen_membership *m = NULL;
    Seen__MembershipBody b;
    Seen__MatchKeyGrant g = SEEN__MATCH_KEY_GRANT__INIT, *gp = &g;
    Seen__OprfKey *k = deal();
    uint8_t *doc, bad[32], sealed[80] = {0}, *out;
    size_t len;

    memset(bad, 0xff, sizeof bad);
    body_init(&b, k);
    switch (_i) {
    case 0: k->epoch = EPOCH + 1; break;
    case 1: k->threshold = 0; break;
    case 2: k->threshold = NCUST + 1; break;
    case 3: k->shares[1]->index = 1; break;
    case 4: k->shares[1]->index = 0; break;
    case 5: k->shares[1]->index = NCUST + 1; break;
    case 6:
        memcpy(k->shares[2]->sign_pk.data, k->shares[0]->sign_pk.data, 32);
        break;
    case 7: mb[1].status = SEEN__MEMBER_STATUS__REVOKED; break;
    case 8: memcpy(k->shares[1]->share_pk.data, bad, 32); break;
    case 9: k->shares[1]->sealed_share.len = 79; break;
    case 10: k->shares[1]->endpoint[6] = '*'; break;
    case 11: memcpy(k->public_key.data, bad, 32); break;
    case 12:
        g.sign_pk = mb[0].sign_pk;
        g.epoch = EPOCH;
        g.sealed_key.data = sealed;
        g.sealed_key.len = 80;
        b.n_grants = 1;
        b.grants = &gp;
        break;
    case 13: b.n_members = 2; break; /* 3 custodians of 2 members */
    case 14: k->encoding = SEEN_MEMBERSHIP_ENCODING_ANCHORED + 1; break;
    }
    doc = sign_body(&b, &len);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &m),
        SEEN_EINVAL);
    ck_assert_ptr_null(m);
    if (_i != 12 && _i != 13)
        ck_assert_int_eq(seen_membership_build_oprf(FEDERATION, 3, 1, mbs,
                             NMEMBERS, EPOCH, 0, 8, NULL, k, auth, &out,
                             &len),
            SEEN_EINVAL);
    mb[1].status = SEEN__MEMBER_STATUS__ACTIVE;
    free(doc);
    seen__oprf_key__free_unpacked(k, NULL);
}
END_TEST

/* Dealing refuses thresholds out of range and bad endpoints. */
START_TEST(test_deal_refuses_bad_thresholds_and_endpoints)
{
    const char *badep[NCUST] = {ceps[0], "tcp://host", ceps[2]};
    uint8_t *out;
    size_t len;

    ck_assert_int_eq(seen_membership_deal(1, 0, mbs, cep, NCUST, &out, &len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_membership_deal(1, 4, mbs, cep, NCUST, &out, &len),
        SEEN_EINVAL);
    ck_assert_int_eq(
        seen_membership_deal(1, 2, mbs, badep, NCUST, &out, &len),
        SEEN_EINVAL);
    ck_assert_ptr_null(out);
}
END_TEST

Suite *
membership_oprf_suite(void)
{
    Suite *s = suite_create("membership_oprf");
    TCase *tc = tcase_create("oprf");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc,
        test_dealt_key_opens_for_each_custodian_and_makes_the_public_key);
    tcase_add_test(tc, test_a_share_that_is_not_its_share_pk_is_refused);
    tcase_add_test(tc, test_a_document_without_oprf_reads_as_before);
    tcase_add_test(tc, test_a_key_without_encoding_makes_whole_values);
    tcase_add_loop_test(tc, test_each_broken_oprf_rule_is_refused, 0, NBROKEN);
    tcase_add_test(tc, test_deal_refuses_bad_thresholds_and_endpoints);
    suite_add_tcase(s, tc);
    return s;
}

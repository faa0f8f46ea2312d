/*
 * check_membership.c: the membership document (proto/membership.[ch]):
 * building and signing, verifying and decoding, lookups, match-key
 * grants, and the rejection of every malformed, forged, truncated or
 * altered document.  Also replays the fuzz seeds and the inputs that once
 * broke tests/fuzz/fuzz_membership.c, through that harness itself.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "proto/membership.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#include "seen.pb-c.h"

/* The harness, under its own name so that every suite links into one
 * runner; its regression inputs replay through it. */
#define LLVMFuzzerTestOneInput fuzz_membership_one
#include "tests/fuzz/fuzz_membership.c"

#define NMEMBERS 3
#define EPOCH 5
#define VERSION 7
#define ISSUED 1767225600
#define FEDERATION "Thames Valley and Hertfordshire pilot"

struct tmember {
    Seen__Member mb;
    struct seen_keys *k;
    char name[64];
    char endpoint[64];
};

static struct seen_keys *auth, *other_auth;
static struct tmember tm[NMEMBERS];
static const Seen__Member *mbs[NMEMBERS];
static uint8_t match_key[32];

static void
member_init(struct tmember *t, const char *name, Seen__AgencyType type,
    const char *la, int port, const struct seen_keys *k)
{

    seen__member__init(&t->mb);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->endpoint, sizeof t->endpoint, "tcp://127.0.0.1:%d", port);
    t->mb.name = t->name;
    t->mb.agency = (char *)(uintptr_t) "Test agency";
    t->mb.type = type;
    t->mb.local_authority = (char *)(uintptr_t)la;
    t->mb.sign_pk.data = (uint8_t *)(uintptr_t)k->sign_pk;
    t->mb.sign_pk.len = 32;
    t->mb.curve_pk.data = (uint8_t *)(uintptr_t)k->curve_pk;
    t->mb.curve_pk.len = 32;
    t->mb.endpoint = t->endpoint;
    t->mb.status = SEEN__MEMBER_STATUS__ACTIVE;
}

static void
setup(void)
{
    static const char *names[NMEMBERS] = {
        "reading-social-care", "thames-valley-police", "royal-berkshire-nhs"};
    static const Seen__AgencyType types[NMEMBERS] = {
        SEEN__AGENCY_TYPE__SOCIAL_CARE, SEEN__AGENCY_TYPE__POLICE,
        SEEN__AGENCY_TYPE__HEALTH};
    size_t i;

    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    ck_assert_ptr_nonnull(other_auth = seen_keys_generate());
    for (i = 0; i < NMEMBERS; i++) {
        ck_assert_ptr_nonnull(tm[i].k = seen_keys_generate());
        member_init(
            &tm[i], names[i], types[i], "Reading", 7401 + (int)i, tm[i].k);
        mbs[i] = &tm[i].mb;
    }
    randombytes_buf(match_key, sizeof match_key);
}

static void
teardown(void)
{
    size_t i;

    for (i = 0; i < NMEMBERS; i++)
        seen_keys_destroy(&tm[i].k);
    seen_keys_destroy(&auth);
    seen_keys_destroy(&other_auth);
    sodium_memzero(match_key, sizeof match_key);
}

/* Build the three-member document signed by ${a}. */
static uint8_t *
build_by(const struct seen_keys *a, size_t *len)
{
    uint8_t *doc;

    ck_assert_int_eq(seen_membership_build(FEDERATION, VERSION, ISSUED, mbs,
                         NMEMBERS, EPOCH, match_key, a, &doc, len),
        0);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

static uint8_t *
build3(size_t *len)
{

    return build_by(auth, len);
}

/* Wrap ${body} (${blen} bytes, as is) in a Membership signed by ${a}. */
static uint8_t *
wrap(const uint8_t *body, size_t blen, const uint8_t sig[64], size_t *len)
{
    Seen__Membership doc = SEEN__MEMBERSHIP__INIT;
    uint8_t *buf;

    doc.body.data = (uint8_t *)(uintptr_t)body;
    doc.body.len = blen;
    doc.signature.data = (uint8_t *)(uintptr_t)sig;
    doc.signature.len = 64;
    *len = seen__membership__get_packed_size(&doc);
    ck_assert_ptr_nonnull(buf = malloc(*len));
    ck_assert_uint_eq(seen__membership__pack(&doc, buf), *len);
    return buf;
}

static uint8_t *
sign_bytes(
    const uint8_t *body, size_t blen, const struct seen_keys *a, size_t *len)
{
    uint8_t sig[64];

    ck_assert_int_eq(
        seen_sign(sig, SEEN_MEMBERSHIP_DOMAIN, body, blen, a->sign_sk), 0);
    return wrap(body, blen, sig, len);
}

static uint8_t *
sign_body(const Seen__MembershipBody *b, const struct seen_keys *a, size_t *len)
{
    uint8_t *bb, *doc;
    size_t blen;

    blen = seen__membership_body__get_packed_size(b);
    ck_assert_ptr_nonnull(bb = malloc(blen ? blen : 1));
    ck_assert_uint_eq(seen__membership_body__pack(b, bb), blen);
    doc = sign_bytes(bb, blen, a, len);
    free(bb);
    return doc;
}

static int
open_doc(const uint8_t *doc, size_t len, const uint8_t pk[32],
    struct seen_membership **m)
{

    return seen_membership_open(doc, len, pk, m);
}

START_TEST(test_built_document_opens_with_its_authority)
{
    struct seen_membership *m;
    uint8_t *doc;
    size_t len, i;

    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(seen_membership_version(m), VERSION);
    ck_assert_uint_eq(seen_membership_issued(m), ISSUED);
    ck_assert_uint_eq(seen_membership_epoch(m), EPOCH);
    ck_assert_str_eq(seen_membership_federation(m), FEDERATION);
    ck_assert_uint_eq(seen_membership_count(m), NMEMBERS);
    for (i = 0; i < NMEMBERS; i++) {
        /* In the order given, with every field as given. */
        const Seen__Member *mb = seen_membership_member(m, i);

        ck_assert_ptr_nonnull(mb);
        ck_assert_str_eq(mb->name, tm[i].name);
        ck_assert_str_eq(mb->endpoint, tm[i].endpoint);
        ck_assert_str_eq(mb->local_authority, "Reading");
        ck_assert_str_eq(mb->agency, "Test agency");
        ck_assert_int_eq(mb->type, tm[i].mb.type);
        ck_assert_int_eq(seen_membership_active(mb), 1);
        ck_assert_int_eq(memcmp(mb->sign_pk.data, tm[i].k->sign_pk, 32), 0);
        ck_assert_int_eq(memcmp(mb->curve_pk.data, tm[i].k->curve_pk, 32), 0);
        ck_assert_int_eq(seen_membership_granted(m, tm[i].k->sign_pk), 1);
    }
    ck_assert_ptr_null(seen_membership_member(m, NMEMBERS));
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_members_are_found_by_sign_key_curve_key_and_name)
{
    struct seen_membership *m;
    uint8_t *doc, rnd[32];
    size_t len, i;

    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    for (i = 0; i < NMEMBERS; i++) {
        const Seen__Member *mb = seen_membership_member(m, i);

        ck_assert_ptr_eq(seen_membership_by_sign(m, tm[i].k->sign_pk), mb);
        ck_assert_ptr_eq(seen_membership_by_curve(m, tm[i].k->curve_pk), mb);
        ck_assert_ptr_eq(seen_membership_by_name(m, tm[i].name), mb);
        /* One key is never found as the other. */
        ck_assert_ptr_null(seen_membership_by_sign(m, tm[i].k->curve_pk));
        ck_assert_ptr_null(seen_membership_by_curve(m, tm[i].k->sign_pk));
    }
    randombytes_buf(rnd, sizeof rnd);
    ck_assert_ptr_null(seen_membership_by_sign(m, rnd));
    ck_assert_ptr_null(seen_membership_by_curve(m, rnd));
    ck_assert_ptr_null(seen_membership_by_sign(m, auth->sign_pk));
    ck_assert_ptr_null(seen_membership_by_name(m, "nobody"));
    ck_assert_ptr_null(seen_membership_by_name(m, "reading-social-car"));
    ck_assert_ptr_null(seen_membership_by_name(m, ""));
    ck_assert_ptr_null(seen_membership_by_name(m, NULL));
    ck_assert_int_eq(seen_membership_active(NULL), 0);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_every_member_unseals_the_same_match_key)
{
    struct seen_membership *m;
    uint8_t *doc, key[32];
    uint32_t epoch;
    size_t len, i;

    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    for (i = 0; i < NMEMBERS; i++) {
        memset(key, 0, sizeof key);
        epoch = 0;
        ck_assert_int_eq(seen_membership_match_key(m, tm[i].k, key, &epoch), 0);
        ck_assert_int_eq(memcmp(key, match_key, 32), 0);
        ck_assert_uint_eq(epoch, EPOCH);
    }
    /* The epoch is optional. */
    ck_assert_int_eq(seen_membership_match_key(m, tm[0].k, key, NULL), 0);
    /* The key is not in clear anywhere in the document. */
    for (i = 0; i + 32 <= len; i++)
        ck_assert_int_ne(memcmp(doc + i, match_key, 32), 0);
    sodium_memzero(key, sizeof key);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_revoked_member_has_no_grant)
{
    struct seen_membership *m;
    const Seen__Member *mb;
    uint8_t *doc, key[32];
    uint32_t epoch = 99;
    size_t len;

    tm[2].mb.status = SEEN__MEMBER_STATUS__REVOKED;
    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    /* Still listed, so that its old entries can be recognised... */
    ck_assert_ptr_nonnull(mb = seen_membership_by_sign(m, tm[2].k->sign_pk));
    ck_assert_int_eq(mb->status, SEEN__MEMBER_STATUS__REVOKED);
    ck_assert_int_eq(seen_membership_active(mb), 0);
    /* ...but it gets no key for the epoch. */
    ck_assert_int_eq(seen_membership_granted(m, tm[2].k->sign_pk), 0);
    memset(key, 0xee, sizeof key);
    ck_assert_int_eq(
        seen_membership_match_key(m, tm[2].k, key, &epoch), SEEN_ENOTFOUND);
    ck_assert_uint_eq(epoch, 99);
    ck_assert_uint_eq(key[0], 0xee);
    /* The others do. */
    ck_assert_int_eq(seen_membership_match_key(m, tm[0].k, key, &epoch), 0);
    ck_assert_int_eq(memcmp(key, match_key, 32), 0);
    sodium_memzero(key, sizeof key);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_non_member_has_no_grant_and_wrong_curve_key_fails)
{
    struct seen_membership *m;
    struct seen_keys *stranger, *wrong;
    uint8_t *doc, key[32];
    size_t len;

    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    ck_assert_ptr_nonnull(stranger = seen_keys_generate());
    ck_assert_int_eq(
        seen_membership_match_key(m, stranger, key, NULL), SEEN_ENOTFOUND);
    /* A member's sign key with someone else's Curve25519 keys. */
    ck_assert_ptr_nonnull(wrong = seen_keys_generate());
    memcpy(wrong->sign_pk, tm[1].k->sign_pk, 32);
    ck_assert_int_eq(
        seen_membership_match_key(m, wrong, key, NULL), SEEN_EAUTH);
    seen_keys_destroy(&wrong);
    seen_keys_destroy(&stranger);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_wrong_authority_key_is_refused)
{
    struct seen_membership *m = (struct seen_membership *)1;
    uint8_t *doc, rnd[32];
    size_t len;

    doc = build3(&len);
    ck_assert_int_eq(open_doc(doc, len, other_auth->sign_pk, &m), SEEN_EAUTH);
    ck_assert_ptr_null(m);
    randombytes_buf(rnd, sizeof rnd);
    ck_assert_int_eq(open_doc(doc, len, rnd, &m), SEEN_EAUTH);
    ck_assert_ptr_null(m);
    free(doc);

    /* A document another authority signed, presented to this one. */
    doc = build_by(other_auth, &len);
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), SEEN_EAUTH);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(open_doc(doc, len, other_auth->sign_pk, &m), 0);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_every_flipped_byte_is_an_error)
{
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    struct seen_membership *m;
    uint8_t *doc;
    size_t len, i, j;
    int rc;

    doc = build3(&len);
    tu_quiet(NULL);
    for (j = 0; j < sizeof masks; j++) {
        for (i = 0; i < len; i++) {
            doc[i] ^= masks[j];
            m = (struct seen_membership *)1;
            rc = open_doc(doc, len, auth->sign_pk, &m);
            doc[i] ^= masks[j];
            if (rc == 0 || m != NULL) {
                tu_loud();
                ck_abort_msg(
                    "byte %zu ^ 0x%02x: accepted (%d)", i, masks[j], rc);
            }
            if (rc != SEEN_EAUTH && rc != SEEN_EINVAL) {
                tu_loud();
                ck_abort_msg("byte %zu ^ 0x%02x: %d", i, masks[j], rc);
            }
        }
    }
    tu_loud();
    /* And the document itself is still good. */
    ck_assert_int_eq(open_doc(doc, len, auth->sign_pk, &m), 0);
    seen_membership_destroy(&m);
    free(doc);
}
END_TEST

START_TEST(test_every_truncation_is_an_error)
{
    struct seen_membership *m;
    uint8_t *doc, *cut;
    size_t len, l;
    int rc;

    doc = build3(&len);
    tu_quiet(NULL);
    for (l = 0; l < len; l++) {
        /* A copy of exactly l bytes, so that a read past it is caught. */
        cut = malloc(l ? l : 1);
        memcpy(cut, doc, l);
        m = (struct seen_membership *)1;
        rc = open_doc(cut, l, auth->sign_pk, &m);
        free(cut);
        if (rc == 0 || m != NULL) {
            tu_loud();
            ck_abort_msg("truncated to %zu of %zu bytes: accepted", l, len);
        }
    }
    ck_assert_int_eq(open_doc(NULL, 0, auth->sign_pk, &m), SEEN_EINVAL);
    tu_loud();
    free(doc);
}
END_TEST

START_TEST(test_oversized_document_is_refused_unread)
{
    struct seen_membership *m;
    uint8_t *big;
    size_t len = (size_t)SEEN_MEMBERSHIP_MAX_BYTES + 1;

    ck_assert_ptr_nonnull(big = calloc(1, len));
    ck_assert_int_eq(open_doc(big, len, auth->sign_pk, &m), SEEN_EINVAL);
    ck_assert_ptr_null(m);
    free(big);
}
END_TEST

/*
 * A valid body, decoded so that one rule at a time can be broken: shallow
 * copies of the members and grants of a built document, in arrays the
 * test may rearrange.
 */
struct crafted {
    Seen__Membership *outer;
    Seen__MembershipBody *orig;
    Seen__MembershipBody body;
    Seen__Member mb[NMEMBERS];
    Seen__Member *mbp[NMEMBERS];
    Seen__MatchKeyGrant g[NMEMBERS];
    Seen__MatchKeyGrant *gp[NMEMBERS];
    uint8_t buf[96];
};

static void
crafted_init(struct crafted *c)
{
    uint8_t *doc;
    size_t len, i;

    memset(c, 0, sizeof *c);
    doc = build3(&len);
    ck_assert_ptr_nonnull(c->outer = seen__membership__unpack(NULL, len, doc));
    free(doc);
    ck_assert_ptr_nonnull(c->orig = seen__membership_body__unpack(
                              NULL, c->outer->body.len, c->outer->body.data));
    ck_assert_uint_eq(c->orig->n_members, NMEMBERS);
    ck_assert_uint_eq(c->orig->n_grants, NMEMBERS);
    c->body = *c->orig;
    for (i = 0; i < NMEMBERS; i++) {
        c->mb[i] = *c->orig->members[i];
        c->mbp[i] = &c->mb[i];
        c->g[i] = *c->orig->grants[i];
        c->gp[i] = &c->g[i];
    }
    c->body.members = c->mbp;
    c->body.grants = c->gp;
}

static void
crafted_free(struct crafted *c)
{

    seen__membership_body__free_unpacked(c->orig, NULL);
    seen__membership__free_unpacked(c->outer, NULL);
}

enum { WANT_OK, WANT_EINVAL, WANT_EAUTH };

/*
 * Break a rule about the fields of one member of ${c} (case ${i}, 1 to
 * 20); return what open must say.
 */
static int
crafted_break_member(struct crafted *c, int i)
{

    switch (i) {
    case 1: /* two members with one name */
        c->mb[1].name = c->mb[0].name;
        return WANT_EINVAL;
    case 2: /* two members with one sign_pk (and no grants to confuse) */
        c->mb[1].sign_pk = c->mb[0].sign_pk;
        c->body.n_grants = 0;
        return WANT_EINVAL;
    case 3: /* two members with one curve_pk */
        c->mb[2].curve_pk = c->mb[0].curve_pk;
        return WANT_EINVAL;
    case 4:
        c->mb[0].sign_pk.len = 31;
        c->body.n_grants = 0;
        return WANT_EINVAL;
    case 5:
        memcpy(c->buf, c->mb[1].curve_pk.data, 32);
        c->mb[1].curve_pk.data = c->buf;
        c->mb[1].curve_pk.len = 33;
        return WANT_EINVAL;
    case 6:
        c->mb[0].sign_pk.len = 0;
        c->body.n_grants = 0;
        return WANT_EINVAL;
    case 7:
        c->mb[0].name = (char *)(uintptr_t) "Reading_Social_Care";
        return WANT_EINVAL;
    case 8:
        c->mb[0].name = (char *)(uintptr_t) "";
        return WANT_EINVAL;
    case 9:
        c->mb[0].name = (char *)(uintptr_t) "-leading-dash";
        return WANT_EINVAL;
    case 10:
        c->mb[0].type = SEEN__AGENCY_TYPE__AGENCY_UNSPECIFIED;
        return WANT_EINVAL;
    case 11:
        c->mb[0].type = (Seen__AgencyType)99;
        return WANT_EINVAL;
    case 12:
        c->mb[0].status = SEEN__MEMBER_STATUS__MEMBER_UNSPECIFIED;
        return WANT_EINVAL;
    case 13:
        c->mb[0].status = (Seen__MemberStatus)7;
        return WANT_EINVAL;
    case 14:
        c->mb[0].endpoint = (char *)(uintptr_t) "tcp://127.0.0.1:0";
        return WANT_EINVAL;
    case 15:
        c->mb[0].endpoint = (char *)(uintptr_t) "";
        return WANT_EINVAL;
    case 16:
        c->mb[0].endpoint = (char *)(uintptr_t) "tcp://*:7401";
        return WANT_EINVAL;
    case 17:
        c->mb[0].local_authority = (char *)(uintptr_t) "";
        return WANT_EINVAL;
    case 18:
        c->mb[0].agency = (char *)(uintptr_t) "two\nlines";
        return WANT_EINVAL;
    case 19:
        c->mb[0].agency = (char *)(uintptr_t) "bad \xff utf-8";
        return WANT_EINVAL;
    case 20:
        c->mb[0].local_authority = (char *)(uintptr_t) "over\xc0\xaflong";
        return WANT_EINVAL;
    case 35: /* a C1 control character, U+0085 */
        c->mb[0].agency = (char *)(uintptr_t) "next\xc2\x85line";
        return WANT_EINVAL;
    case 36: /* U+00A0, the first code point after the C1 controls */
        c->mb[0].agency = (char *)(uintptr_t) "no\xc2\xa0" "break";
        return WANT_OK;
    case 37: /* DEL */
        c->body.federation = (char *)(uintptr_t) "del\x7f";
        return WANT_EINVAL;
    case 38:
        c->mb[1].endpoint = (char *)(uintptr_t) "tcp://0.0.0.0:7402";
        return WANT_EINVAL;
    case 39:
        c->mb[1].endpoint = (char *)(uintptr_t) "tcp://[::]:7402";
        return WANT_EINVAL;
    case 40:
        c->mb[1].endpoint = (char *)(uintptr_t) "tcp://[:::::]:7402";
        return WANT_EINVAL;
    }
    return -1;
}

/*
 * Break a rule about the body of ${c} or its grants, or keep one that
 * looks broken (case ${i}, 21 to 34); return what open must say.
 */
static int
crafted_break_body(struct crafted *c, int i)
{

    switch (i) {
    case 21:
        c->body.federation = (char *)(uintptr_t) "";
        return WANT_EINVAL;
    case 22:
        c->body.version = 0;
        return WANT_EINVAL;
    case 23:
        c->body.epoch = 0;
        return WANT_EINVAL;
    case 24: /* a grant of the wrong size */
        c->g[0].sealed_key.len = SEEN_MEMBERSHIP_GRANT_BYTES - 1;
        return WANT_EINVAL;
    case 25: /* a grant of another epoch */
        c->g[1].epoch = c->body.epoch + 1;
        return WANT_EINVAL;
    case 26: /* two grants for one member */
        c->gp[1] = &c->g[0];
        return WANT_EINVAL;
    case 27: /* a grant for a key that is not a member */
        randombytes_buf(c->buf, 32);
        c->g[0].sign_pk.data = c->buf;
        return WANT_EINVAL;
    case 28: /* a grant for a revoked member */
        c->mb[2].status = SEEN__MEMBER_STATUS__REVOKED;
        return WANT_EINVAL;
    case 29: /* the body names another authority */
        c->body.authority_pk.data = other_auth->sign_pk;
        return WANT_EAUTH;
    case 30:
        c->body.authority_pk.len = 31;
        return WANT_EAUTH;
    case 31: /* no members at all is a valid, if useless, document */
        c->body.n_members = 0;
        c->body.n_grants = 0;
        return WANT_OK;
    case 32: /* a revoked member without a grant is fine */
        c->mb[2].status = SEEN__MEMBER_STATUS__REVOKED;
        c->body.n_grants = 2; /* built in member order: drops mb[2]'s */
        return WANT_OK;
    case 33: /* an active member without a grant is fine too */
        c->body.n_grants = 1;
        return WANT_OK;
    case 34: /* a grant without its key bytes */
        c->g[2].sealed_key.len = 0;
        return WANT_EINVAL;
    }
    return -1;
}

/* Break one rule of ${c} (case ${i}); return what open must say. */
static int
crafted_break(struct crafted *c, int i)
{

    if (i == 0) /* the control: unbroken */
        return WANT_OK;
    return i <= 20 || i >= 35 ? crafted_break_member(c, i)
                              : crafted_break_body(c, i);
}

#define NCRAFTED 41

START_TEST(test_each_broken_rule_is_refused)
{
    struct crafted c;
    struct seen_membership *m = (struct seen_membership *)1;
    uint8_t *doc;
    size_t len;
    int want, rc;

    crafted_init(&c);
    ck_assert_int_ge(want = crafted_break(&c, _i), 0);
    doc = sign_body(&c.body, auth, &len);
    rc = open_doc(doc, len, auth->sign_pk, &m);
    switch (want) {
    case WANT_OK:
        ck_assert_msg(rc == 0, "case %d: %d", _i, rc);
        seen_membership_destroy(&m);
        break;
    case WANT_EINVAL:
        ck_assert_msg(rc == SEEN_EINVAL, "case %d: %d", _i, rc);
        ck_assert_ptr_null(m);
        break;
    case WANT_EAUTH:
        ck_assert_msg(rc == SEEN_EAUTH, "case %d: %d", _i, rc);
        ck_assert_ptr_null(m);
        break;
    }
    free(doc);
    crafted_free(&c);
}
END_TEST

/*
 * A NUL byte inside a string: protobuf-c ends the C string there, so
 * "witness\0X" would read as "witness" and pass the name rule.  Each
 * case packs a body with a marker byte '~' in one string, turns the
 * marker into NUL in the packed bytes (same length), signs and opens it:
 * refused; with the marker turned into another allowed character
 * instead, it opens (the control).
 */
START_TEST(test_nul_byte_in_any_string_is_refused)
{
    static const struct {
        const char *value; /* with one '~' */
        char ok;           /* what '~' becomes for the control */
    } cases[] = {
        {"witness~x", 'x'},             /* a member's name */
        {"tcp://127.0.0.1:7403~zz", 0}, /* an endpoint ending ":7403\0zz" */
        {"Agency~X", 'X'},              /* an agency */
        {"Read~ing", 'i'},              /* a local authority */
        {"Fed~eration", 'e'},           /* the federation's name */
    };
    struct crafted c;
    struct seen_membership *m;
    uint8_t *bb, *doc, *at;
    size_t blen, len, k;
    int pass;

    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (pass = 0; pass < 2; pass++) {
            if (pass == 1 && cases[k].ok == 0)
                continue;
            crafted_init(&c);
            if (k == 0)
                c.mb[2].name = (char *)(uintptr_t)cases[k].value;
            else if (k == 1)
                c.mb[2].endpoint = (char *)(uintptr_t)cases[k].value;
            else if (k == 2)
                c.mb[1].agency = (char *)(uintptr_t)cases[k].value;
            else if (k == 3)
                c.mb[0].local_authority = (char *)(uintptr_t)cases[k].value;
            else
                c.body.federation = (char *)(uintptr_t)cases[k].value;
            blen = seen__membership_body__get_packed_size(&c.body);
            ck_assert_ptr_nonnull(bb = malloc(blen));
            ck_assert_uint_eq(seen__membership_body__pack(&c.body, bb), blen);
            /* The marker inside the string (a key may hold a '~'). */
            at = memmem(bb, blen, cases[k].value, strlen(cases[k].value));
            ck_assert_ptr_nonnull(at);
            at += strchr(cases[k].value, '~') - cases[k].value;
            *at = pass == 0 ? '\0' : (uint8_t)cases[k].ok;
            doc = sign_bytes(bb, blen, auth, &len);
            m = NULL;
            if (pass == 0)
                ck_assert_msg(open_doc(doc, len, auth->sign_pk, &m) ==
                                  SEEN_EINVAL,
                    "case %zu: a NUL byte went unnoticed", k);
            else
                ck_assert_msg(open_doc(doc, len, auth->sign_pk, &m) == 0,
                    "case %zu: the control does not open", k);
            seen_membership_destroy(&m);
            free(doc);
            free(bb);
            crafted_free(&c);
        }
    }
}
END_TEST

START_TEST(test_build_refuses_duplicates_and_bad_members)
{
    const Seen__Member *dup[4] = {mbs[0], mbs[1], mbs[2], mbs[0]};
    const Seen__Member **many;
    struct seen_membership *links;
    Seen__Member twin;
    uint8_t *doc = (uint8_t *)1;
    size_t len = 1, i;

    /* The same member twice. */
    ck_assert_int_eq(seen_membership_build(FEDERATION, 1, ISSUED, dup, 4, 1,
                         match_key, auth, &doc, &len),
        SEEN_EINVAL);
    ck_assert_ptr_null(doc);
    ck_assert_uint_eq(len, 0);
    /* Another name, the same keys. */
    twin = tm[0].mb;
    twin.name = (char *)(uintptr_t) "twin";
    dup[3] = &twin;
    ck_assert_int_eq(seen_membership_build(FEDERATION, 1, ISSUED, dup, 4, 1,
                         match_key, auth, &doc, &len),
        SEEN_EINVAL);
    /* A bad endpoint, a version or epoch of 0, no federation name. */
    twin = tm[0].mb;
    twin.endpoint = (char *)(uintptr_t) "127.0.0.1:7401";
    dup[0] = &twin;
    ck_assert_int_eq(seen_membership_build(FEDERATION, 1, ISSUED, dup, 3, 1,
                         match_key, auth, &doc, &len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_membership_build(FEDERATION, 0, ISSUED, mbs, 3, 1,
                         match_key, auth, &doc, &len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_membership_build(FEDERATION, 1, ISSUED, mbs, 3, 0,
                         match_key, auth, &doc, &len),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_membership_build(
                         "", 1, ISSUED, mbs, 3, 1, match_key, auth, &doc, &len),
        SEEN_EINVAL);
    /* More long-range links than a document may set (and the most it
     * may, read back as signed). */
    ck_assert_int_eq(seen_membership_build_links(FEDERATION, 1, ISSUED, mbs, 3,
                         1, SEEN_MEMBERSHIP_LINKS_MAX + 1, 0, match_key, auth,
                         &doc, &len),
        SEEN_EINVAL);
    ck_assert_ptr_null(doc);
    /* Tokens of 8 or 16 bytes, nothing else. */
    ck_assert_int_eq(seen_membership_build_links(FEDERATION, 1, ISSUED, mbs, 3,
                         1, 0, 12, match_key, auth, &doc, &len),
        SEEN_EINVAL);
    ck_assert_ptr_null(doc);
    ck_assert_int_eq(seen_membership_build_links(FEDERATION, 1, ISSUED, mbs, 3,
                         1, SEEN_MEMBERSHIP_LINKS_MAX, 8, match_key, auth,
                         &doc, &len),
        SEEN_OK);
    ck_assert_int_eq(seen_membership_open(doc, len, auth->sign_pk, &links), 0);
    ck_assert_uint_eq(seen_membership_links(links), SEEN_MEMBERSHIP_LINKS_MAX);
    ck_assert_uint_eq(seen_membership_token_bytes(links), 8);
    seen_membership_destroy(&links);
    free(doc);
    doc = (uint8_t *)1;
    /* Too many members. */
    ck_assert_ptr_nonnull(
        many = calloc(SEEN_MEMBERSHIP_MEMBERS_MAX + 1, sizeof(*many)));
    for (i = 0; i <= SEEN_MEMBERSHIP_MEMBERS_MAX; i++)
        many[i] = mbs[0];
    ck_assert_int_eq(
        seen_membership_build(FEDERATION, 1, ISSUED, many,
            SEEN_MEMBERSHIP_MEMBERS_MAX + 1, 1, match_key, auth, &doc, &len),
        SEEN_EINVAL);
    free(many);
    ck_assert_ptr_null(doc);
}
END_TEST

/*
 * The signature covers the body bytes as received.  A body re-encoded
 * differently (here: its version field repeated at the end, which decodes
 * to the same message) verifies only against a signature over its own
 * bytes, never against the signature of the canonical encoding, and the
 * other way round; re-encoding a decoded body does not give back the
 * signed bytes, which is why a node must never re-encode to verify.
 */
START_TEST(test_reencoded_body_verifies_only_against_its_own_bytes)
{
    Seen__Membership *o0, *o1;
    Seen__MembershipBody *b1;
    struct seen_membership *m;
    uint8_t *doc0, *doc1, *d, *b1bytes, *re;
    size_t len0, len1, dlen, blen, relen;

    doc0 = build3(&len0);
    ck_assert_ptr_nonnull(o0 = seen__membership__unpack(NULL, len0, doc0));

    /* B1 = B0 || field 2 (version, varint) once more, same value. */
    blen = o0->body.len + 2;
    ck_assert_ptr_nonnull(b1bytes = malloc(blen));
    memcpy(b1bytes, o0->body.data, o0->body.len);
    b1bytes[o0->body.len] = 0x10;
    b1bytes[o0->body.len + 1] = VERSION;
    doc1 = sign_bytes(b1bytes, blen, auth, &len1);
    ck_assert_ptr_nonnull(o1 = seen__membership__unpack(NULL, len1, doc1));

    /* Each verifies with its own signature, to the same content. */
    ck_assert_int_eq(open_doc(doc1, len1, auth->sign_pk, &m), 0);
    ck_assert_uint_eq(seen_membership_version(m), VERSION);
    ck_assert_uint_eq(seen_membership_count(m), NMEMBERS);
    seen_membership_destroy(&m);
    ck_assert_int_eq(open_doc(doc0, len0, auth->sign_pk, &m), 0);
    seen_membership_destroy(&m);

    /* Crossed: B1 with B0's signature, B0 with B1's. */
    d = wrap(b1bytes, blen, o0->signature.data, &dlen);
    ck_assert_int_eq(open_doc(d, dlen, auth->sign_pk, &m), SEEN_EAUTH);
    free(d);
    d = wrap(o0->body.data, o0->body.len, o1->signature.data, &dlen);
    ck_assert_int_eq(open_doc(d, dlen, auth->sign_pk, &m), SEEN_EAUTH);
    free(d);

    /* Re-encoding B1's decoded body gives other bytes; they do not verify. */
    ck_assert_ptr_nonnull(
        b1 = seen__membership_body__unpack(NULL, blen, b1bytes));
    relen = seen__membership_body__get_packed_size(b1);
    ck_assert_ptr_nonnull(re = malloc(relen));
    ck_assert_uint_eq(seen__membership_body__pack(b1, re), relen);
    ck_assert(relen != blen || memcmp(re, b1bytes, blen) != 0);
    d = wrap(re, relen, o1->signature.data, &dlen);
    ck_assert_int_eq(open_doc(d, dlen, auth->sign_pk, &m), SEEN_EAUTH);
    free(d);

    free(re);
    seen__membership_body__free_unpacked(b1, NULL);
    seen__membership__free_unpacked(o1, NULL);
    seen__membership__free_unpacked(o0, NULL);
    free(b1bytes);
    free(doc1);
    free(doc0);
}
END_TEST

START_TEST(test_signature_is_over_domain_and_exact_body_bytes)
{
    Seen__Membership *o;
    uint8_t *doc, *msg;
    size_t len, dlen = strlen(SEEN_MEMBERSHIP_DOMAIN);
    struct seen_membership *m;

    doc = build3(&len);
    ck_assert_ptr_nonnull(o = seen__membership__unpack(NULL, len, doc));
    ck_assert_uint_eq(o->signature.len, 64);
    /* Ed25519 over "seen-membership-v1" || 0x00 || body, as documented. */
    ck_assert_ptr_nonnull(msg = malloc(dlen + 1 + o->body.len));
    memcpy(msg, SEEN_MEMBERSHIP_DOMAIN, dlen);
    msg[dlen] = 0x00;
    memcpy(msg + dlen + 1, o->body.data, o->body.len);
    ck_assert_int_eq(crypto_sign_verify_detached(o->signature.data, msg,
                         dlen + 1 + o->body.len, auth->sign_pk),
        0);
    free(msg);
    /* The same body signed under another domain is refused. */
    {
        uint8_t sig[64], *d;
        size_t l;

        ck_assert_int_eq(seen_sign(sig, "seen-envelope-v1", o->body.data,
                             o->body.len, auth->sign_sk),
            0);
        d = wrap(o->body.data, o->body.len, sig, &l);
        ck_assert_int_eq(open_doc(d, l, auth->sign_pk, &m), SEEN_EAUTH);
        free(d);
    }
    seen__membership__free_unpacked(o, NULL);
    free(doc);
}
END_TEST

START_TEST(test_endpoints_and_agency_types)
{
    static const char *good[] = {"tcp://127.0.0.1:7401", "tcp://node.example:1",
        "tcp://a:65535", "tcp://[::1]:7401", "tcp://[fe80::1]:80",
        "tcp://seen-node-3.nhs.uk:443", "tcp://10.0.0.1:7401",
        "tcp://[::ffff:127.0.0.1]:7401", "tcp://0a.example:1"};
    static const char *bad[] = {"", "tcp://", "tcp://host",
        "tcp://host:", "tcp://host:0", "tcp://host:65536", "tcp://host:07401",
        "tcp://:7401", "tcp://*:7401", "ipc:///tmp/x", "udp://h:1",
        "tcp://h:12a", "tcp://h o:1", "tcp://[::1:7401", "tcp://[]:1",
        "tcp://h:999999", "TCP://h:1", "tcp://[::1]x:1",
        /* wildcards, in every form a resolver reads as one */
        "tcp://0.0.0.0:7401", "tcp://[::]:7401", "tcp://[:::::]:7401",
        "tcp://[0:0:0:0:0:0:0:0]:7401", "tcp://[::ffff:0.0.0.0]:7401",
        "tcp://0:7401", "tcp://0x0:7401", "tcp://0.0:7401",
        /* IPv4 in the short forms inet_aton() reads: not a dotted quad */
        "tcp://127.1:7401", "tcp://0x7f000001:7401", "tcp://2130706433:1",
        "tcp://127.000.000.001:7401", "tcp://[1.2.3.4]:1",
        "tcp://[::1::2]:1"};
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(seen_membership_endpoint_valid(good[i]), "%s", good[i]);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!seen_membership_endpoint_valid(bad[i]), "%s", bad[i]);
    ck_assert(!seen_membership_endpoint_valid(NULL));

    ck_assert_int_eq(seen_membership_type_from_name("youth_justice"),
        SEEN__AGENCY_TYPE__YOUTH_JUSTICE_SERVICE);
    ck_assert_int_eq(seen_membership_type_from_name("other"),
        SEEN__AGENCY_TYPE__AGENCY_OTHER);
    ck_assert_int_eq(seen_membership_type_from_name("Police"), 0);
    ck_assert_int_eq(seen_membership_type_from_name(NULL), 0);
    for (i = 1; i <= 7; i++)
        ck_assert_int_eq(seen_membership_type_from_name(
                             seen_membership_type_name((Seen__AgencyType)i)),
            (int)i);
    ck_assert_ptr_null(seen_membership_type_name(0));
    ck_assert_ptr_null(seen_membership_type_name(8));
    {
        struct seen_membership *none = NULL;

        seen_membership_destroy(NULL);
        seen_membership_destroy(&none);
        seen_membership_destroy(&none);
    }
}
END_TEST

static void
spit(const char *dir, const char *name, uint8_t mode, const uint8_t *buf,
    size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg((f = fopen(path, "wb")) != NULL, "%s", path);
    ck_assert_uint_eq(fwrite(&mode, 1, 1, f), 1);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/*
 * Write the seed corpus of the harness to ${dir}: documents under the
 * harness's fixed authority key that list its fixed node, each as a whole
 * document (mode 0) and as a bare body (mode 1).
 */
/* An OPRF epoch (issue 16): three custodians of the four, 2 of 3. */
static void
write_oprf_seeds(const char *dir, const Seen__Member *const *all)
{
    static const char *const eps[3] = {"tcp://127.0.0.1:8401",
        "tcp://127.0.0.1:8402", "tcp://127.0.0.1:8403"};
    Seen__OprfKey *k;
    Seen__Membership *o;
    uint8_t *buf, *doc;
    size_t len, dlen;

    ck_assert_int_eq(seen_membership_deal(9, 2, all + 1, eps, 3, &buf, &len),
        0);
    ck_assert_ptr_nonnull(k = seen__oprf_key__unpack(NULL, len, buf));
    ck_assert_int_eq(seen_membership_build_oprf(FEDERATION, 9, ISSUED, all,
                         NMEMBERS + 1, 9, 0, 8, NULL, k, &fuzz_authority,
                         &doc, &dlen),
        0);
    spit(dir, "document-oprf-2-of-3", FUZZ_MODE_DOCUMENT, doc, dlen);
    ck_assert_ptr_nonnull(o = seen__membership__unpack(NULL, dlen, doc));
    spit(dir, "body-oprf-2-of-3", FUZZ_MODE_BODY, o->body.data, o->body.len);
    seen__membership__free_unpacked(o, NULL);
    seen__oprf_key__free_unpacked(k, NULL);
    free(doc);
    free(buf);
}

static void
write_seeds(const char *dir)
{
    struct tmember fz;
    const Seen__Member *all[NMEMBERS + 1];
    Seen__Membership *o;
    uint8_t *doc;
    size_t len, i, n;
    char name[64];
    int v;

    fuzz_keys_init();
    member_init(&fz, "fuzz-node", SEEN__AGENCY_TYPE__SCHOOL, "Slough", 7499,
        &fuzz_node);
    all[0] = &fz.mb;
    for (i = 0; i < NMEMBERS; i++)
        all[i + 1] = mbs[i];
    for (v = 0; v < 3; v++) {
        n = v == 2 ? 0 : NMEMBERS + 1;
        if (v == 1)
            tm[1].mb.status = SEEN__MEMBER_STATUS__REVOKED;
        ck_assert_int_eq(
            seen_membership_build(FEDERATION, (uint64_t)v + 1, ISSUED, all, n,
                (uint32_t)v + 1, match_key, &fuzz_authority, &doc, &len),
            0);
        snprintf(name, sizeof name, "document-%s",
            v == 0   ? "4-active"
            : v == 1 ? "1-revoked"
                     : "no-members");
        spit(dir, name, FUZZ_MODE_DOCUMENT, doc, len);
        ck_assert_ptr_nonnull(o = seen__membership__unpack(NULL, len, doc));
        snprintf(name, sizeof name, "body-%s",
            v == 0   ? "4-active"
            : v == 1 ? "1-revoked"
                     : "no-members");
        spit(dir, name, FUZZ_MODE_BODY, o->body.data, o->body.len);
        seen__membership__free_unpacked(o, NULL);
        free(doc);
    }
    tm[1].mb.status = SEEN__MEMBER_STATUS__ACTIVE;
    write_oprf_seeds(dir, all);
}

static void
replay_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{
    struct seen_membership *m;
    uint8_t *doc;
    size_t dlen;
    int rc;

    (void)name;
    tu_quiet(NULL);
    (void)LLVMFuzzerTestOneInput(buf, len);
    tu_loud();
    if (*(const int *)ctx) {
        ck_assert_msg(len > 0, "%s is empty", path);
        if ((buf[0] & 1) == FUZZ_MODE_BODY)
            doc = fuzz_sign_body(buf + 1, len - 1, &dlen);
        else
            doc = NULL;
        rc = seen_membership_open(doc ? doc : buf + 1, doc ? dlen : len - 1,
            fuzz_authority.sign_pk, &m);
        ck_assert_msg(rc == 0, "%s does not open: %d", path, rc);
        seen_membership_destroy(&m);
        free(doc);
    }
}

/* Replay every file of ${dir}; with ${must_open}, each must open.
 * Returns the number of files. */
static size_t
replay_dir(const char *dir, int must_open)
{

    fuzz_keys_init();
    return tu_each_file(dir, replay_one, &must_open);
}

START_TEST(test_fuzz_seed_corpus_documents_all_open)
{
    const char *w = getenv("SEEN_MEMBERSHIP_WRITE_SEEDS");

    if (w != NULL && w[0] != '\0')
        write_seeds(w);
    ck_assert_uint_ge(
        replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/corpus/membership", 1), 2);
}
END_TEST

START_TEST(test_fuzz_regressions_are_handled_without_crashing)
{

    ck_assert_uint_ge(
        replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/regress/membership", 0), 1);
}
END_TEST

Suite *
membership_suite(void)
{
    Suite *s = suite_create("membership");
    TCase *tc;

    tc = tcase_create("valid");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_built_document_opens_with_its_authority);
    tcase_add_test(tc, test_members_are_found_by_sign_key_curve_key_and_name);
    tcase_add_test(tc, test_every_member_unseals_the_same_match_key);
    tcase_add_test(tc, test_revoked_member_has_no_grant);
    tcase_add_test(tc, test_non_member_has_no_grant_and_wrong_curve_key_fails);
    tcase_add_test(tc, test_signature_is_over_domain_and_exact_body_bytes);
    tcase_add_test(tc, test_endpoints_and_agency_types);
    suite_add_tcase(s, tc);

    tc = tcase_create("refused");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_wrong_authority_key_is_refused);
    tcase_add_test(tc, test_every_flipped_byte_is_an_error);
    tcase_add_test(tc, test_every_truncation_is_an_error);
    tcase_add_test(tc, test_oversized_document_is_refused_unread);
    tcase_add_loop_test(tc, test_each_broken_rule_is_refused, 0, NCRAFTED);
    tcase_add_test(tc, test_nul_byte_in_any_string_is_refused);
    tcase_add_test(tc, test_build_refuses_duplicates_and_bad_members);
    tcase_add_test(tc, test_reencoded_body_verifies_only_against_its_own_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fuzz_seed_corpus_documents_all_open);
    tcase_add_test(tc, test_fuzz_regressions_are_handled_without_crashing);
    suite_add_tcase(s, tc);

    return s;
}

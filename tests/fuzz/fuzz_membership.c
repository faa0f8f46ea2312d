/*
 * fuzz_membership.c: libFuzzer harness for membership documents
 * (proto/membership.[ch]).
 *
 * The first byte of an input picks a mode:
 *   even: the rest is an encoded Membership, opened under a fixed
 *         authority key (so only the authority's own documents, or
 *         forgeries, reach the checks behind the signature);
 *   odd:  the rest is an encoded MembershipBody, which the harness signs
 *         with that fixed key before opening it, so that the fuzzer
 *         explores every rule applied to a signed body.
 * The whole input is also decoded as a bare Membership and
 * MembershipBody with protobuf-c and freed.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what
 * callers rely on: a rejection returns a documented code and no document;
 * an accepted document keeps its rules (version and epoch >= 1, every
 * member found again by its sign_pk, curve_pk and name, grants only for
 * active members); unsealing this harness's node key returns a documented
 * code; and a document accepted in the odd mode can be rebuilt with
 * seen_membership_build() and opens again to the same members, so that
 * the authority's rules and a node's rules are the same.
 *
 * Seeds: tests/fuzz/corpus/membership (valid documents under the fixed
 * key; check_membership.c rewrites them when SEEN_MEMBERSHIP_WRITE_SEEDS
 * names a folder); inputs that once broke it: tests/fuzz/regress/membership.
 * Both folders are replayed by tests/check_membership.c, which includes
 * this file.  Run with -close_fd_mask=2: every rejection is logged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "proto/membership.h"

#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 32-byte seeds of the fixed keys (the NUL is the 32nd byte). */
#define FUZZ_AUTHORITY_SEED "seen fuzz: membership authority"
#define FUZZ_NODE_SIGN_SEED "seen fuzz: membership node sign"
#define FUZZ_NODE_CURVE_SEED "seen fuzz: membership node curv"

/* Modes: the first byte of an input. */
#define FUZZ_MODE_DOCUMENT 0
#define FUZZ_MODE_BODY 1

/* Fixed keys: test keys in ordinary memory, never used for anything else. */
static struct seen_keys fuzz_authority, fuzz_node;

/* Derive the fixed keys once. */
static void
fuzz_keys_init(void)
{
    static int done;

    if (done)
        return;
    if (sodium_init() < 0)
        abort();
    memset(&fuzz_authority, 0, sizeof fuzz_authority);
    memset(&fuzz_node, 0, sizeof fuzz_node);
    if (crypto_sign_seed_keypair(fuzz_authority.sign_pk, fuzz_authority.sign_sk,
            (const uint8_t *)FUZZ_AUTHORITY_SEED) != 0 ||
        crypto_sign_seed_keypair(fuzz_node.sign_pk, fuzz_node.sign_sk,
            (const uint8_t *)FUZZ_NODE_SIGN_SEED) != 0 ||
        crypto_box_seed_keypair(fuzz_node.curve_pk, fuzz_node.curve_sk,
            (const uint8_t *)FUZZ_NODE_CURVE_SEED) != 0)
        abort();
    done = 1;
}

/* Wrap ${body} in a Membership signed by the fixed authority (malloc'd). */
static uint8_t *
fuzz_sign_body(const uint8_t *body, size_t blen, size_t *dlen)
{
    Seen__Membership doc = SEEN__MEMBERSHIP__INIT;
    uint8_t sig[64], *buf;

    if (seen_sign(sig, SEEN_MEMBERSHIP_DOMAIN, body, blen,
            fuzz_authority.sign_sk) != 0)
        abort();
    doc.body.data = (uint8_t *)(uintptr_t)body;
    doc.body.len = blen;
    doc.signature.data = sig;
    doc.signature.len = sizeof sig;
    *dlen = seen__membership__get_packed_size(&doc);
    if ((buf = malloc(*dlen ? *dlen : 1)) == NULL)
        abort();
    if (seen__membership__pack(&doc, buf) != *dlen)
        abort();
    return buf;
}

/* Abort unless an OPRF epoch of ${m} keeps its rules (issue 16): every
 * custodian an active member with an index 1..n, found by its key. */
static void
fuzz_check_oprf(const struct seen_membership *m)
{
    struct seen_membership_custodian c, d;
    const uint8_t *pk;
    uint8_t share[32];
    unsigned int t = 0, idx;
    size_t i, n = seen_membership_oprf(m, &t, &pk);
    int rc;

    if (n > 0 && (t < 1 || t > n || n > seen_membership_count(m)))
        abort();
    if (n > 0 && seen_membership_granted(m, fuzz_node.sign_pk))
        abort();
    for (i = 0; i < n; i++) {
        if (seen_membership_custodian(m, i, &c) != 0 || c.index < 1 ||
            c.index > n ||
            !seen_membership_active(seen_membership_by_sign(m, c.sign_pk)) ||
            seen_membership_custodian_of(m, c.sign_pk, &d) != 0 ||
            d.index != c.index || !seen_membership_endpoint_valid(c.endpoint))
            abort();
    }
    if (seen_membership_custodian(m, n, &c) != SEEN_ENOTFOUND)
        abort();
    rc = seen_membership_open_share(m, &fuzz_node, share, &idx);
    if (rc != 0 && rc != SEEN_ENOTFOUND && rc != SEEN_EAUTH)
        abort();
}

/* Abort unless the open document ${m} keeps the rules callers rely on. */
static void
fuzz_check_document(const struct seen_membership *m)
{
    const Seen__Member *mb;
    uint8_t key[32];
    uint32_t epoch = 0;
    size_t i, n = seen_membership_count(m);
    int rc;

    if (seen_membership_version(m) < 1 || seen_membership_epoch(m) < 1 ||
        seen_membership_federation(m) == NULL ||
        seen_membership_federation(m)[0] == '\0' ||
        n > SEEN_MEMBERSHIP_MEMBERS_MAX ||
        seen_membership_member(m, n) != NULL ||
        seen_membership_by_name(m, NULL) != NULL)
        abort();
    for (i = 0; i < n; i++) {
        if ((mb = seen_membership_member(m, i)) == NULL ||
            mb->sign_pk.len != 32 || mb->curve_pk.len != 32 ||
            seen_membership_by_sign(m, mb->sign_pk.data) != mb ||
            seen_membership_by_curve(m, mb->curve_pk.data) != mb ||
            seen_membership_by_name(m, mb->name) != mb ||
            seen_membership_type_name(mb->type) == NULL ||
            !seen_membership_endpoint_valid(mb->endpoint))
            abort();
        if (seen_membership_granted(m, mb->sign_pk.data) &&
            !seen_membership_active(mb))
            abort();
    }
    rc = seen_membership_match_key(m, &fuzz_node, key, &epoch);
    if (rc == 0) {
        if (epoch != seen_membership_epoch(m) ||
            !seen_membership_active(
                seen_membership_by_sign(m, fuzz_node.sign_pk)))
            abort();
    } else if (rc != SEEN_ENOTFOUND && rc != SEEN_EAUTH) {
        abort();
    }
    fuzz_check_oprf(m);
}

/* Rebuild ${m} with seen_membership_build(); abort unless it opens again. */
static void
fuzz_rebuild(const struct seen_membership *m)
{
    const Seen__Member **mbs;
    struct seen_membership *m2;
    uint8_t key[32], *doc;
    size_t i, n = seen_membership_count(m), len;
    int rc;

    if ((mbs = calloc(n ? n : 1, sizeof(*mbs))) == NULL)
        abort();
    for (i = 0; i < n; i++)
        mbs[i] = seen_membership_member(m, i);
    memset(key, 0x4b, sizeof key);
    rc = seen_membership_build(seen_membership_federation(m),
        seen_membership_version(m), seen_membership_issued(m), mbs, n,
        seen_membership_epoch(m), key, &fuzz_authority, &doc, &len);
    free(mbs);
    if (rc == SEEN_ERR || rc == SEEN_ENOMEM) {
        /* crypto_box_seal refuses a low-order curve_pk; nothing else may. */
        return;
    }
    if (rc != 0)
        abort();
    if (seen_membership_open(doc, len, fuzz_authority.sign_pk, &m2) != 0)
        abort();
    if (seen_membership_count(m2) != n ||
        seen_membership_version(m2) != seen_membership_version(m) ||
        seen_membership_epoch(m2) != seen_membership_epoch(m) ||
        strcmp(seen_membership_federation(m2), seen_membership_federation(m)) !=
            0)
        abort();
    for (i = 0; i < n; i++) {
        if (strcmp(seen_membership_member(m2, i)->name,
                seen_membership_member(m, i)->name) != 0 ||
            seen_membership_granted(
                m2, seen_membership_member(m, i)->sign_pk.data) !=
                seen_membership_active(seen_membership_member(m, i)))
            abort();
    }
    seen_membership_destroy(&m2);
    free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Seen__Membership *raw;
    Seen__MembershipBody *rawb;
    struct seen_membership *m = NULL;
    uint8_t *doc = NULL;
    size_t len;
    int mode, rc;

    fuzz_keys_init();

    /* protobuf-c alone, on the whole input. */
    if ((raw = seen__membership__unpack(NULL, size, data)) != NULL)
        seen__membership__free_unpacked(raw, NULL);
    if ((rawb = seen__membership_body__unpack(NULL, size, data)) != NULL)
        seen__membership_body__free_unpacked(rawb, NULL);

    if (size < 1)
        return 0;
    mode = data[0] & 1;
    if (mode == FUZZ_MODE_BODY) {
        doc = fuzz_sign_body(data + 1, size - 1, &len);
        rc = seen_membership_open(doc, len, fuzz_authority.sign_pk, &m);
    } else {
        rc = seen_membership_open(
            data + 1, size - 1, fuzz_authority.sign_pk, &m);
    }
    switch (rc) {
    case 0:
        if (m == NULL)
            abort();
        break;
    case SEEN_EINVAL:
    case SEEN_EAUTH:
    case SEEN_ENOMEM:
        if (m != NULL)
            abort();
        goto done;
    default:
        abort();
    }
    fuzz_check_document(m);
    if (mode == FUZZ_MODE_BODY)
        fuzz_rebuild(m);
    seen_membership_destroy(&m);
done:
    free(doc);
    return 0;
}

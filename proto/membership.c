/*
 * membership.c: the signed membership document (membership.h): open and
 * check it, look members up, build and sign it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/home.h"
#include "common/log.h"
#include "crypto/sign.h"
#include "proto/membership.h"
#include "proto/membership_impl.h"

#include "seen.pb-c.h"

_Static_assert(SEEN_MEMBERSHIP_GRANT_BYTES == 32 + crypto_box_SEALBYTES,
    "a grant is a sealed 32-byte key");
_Static_assert(
    SEEN_MEMBERSHIP_SIG_BYTES == SEEN_SIGN_BYTES, "an Ed25519 signature");

static const struct {
    const char *name;
    Seen__AgencyType type;
} agency_types[] = {
    {"social_care", SEEN__AGENCY_TYPE__SOCIAL_CARE},
    {"police", SEEN__AGENCY_TYPE__POLICE},
    {"health", SEEN__AGENCY_TYPE__HEALTH},
    {"school", SEEN__AGENCY_TYPE__SCHOOL},
    {"probation", SEEN__AGENCY_TYPE__PROBATION},
    {"youth_justice", SEEN__AGENCY_TYPE__YOUTH_JUSTICE_SERVICE},
    {"other", SEEN__AGENCY_TYPE__AGENCY_OTHER},
};

/*
 * Return 1 if ${s} is valid UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF) of ${min} to ${max} bytes without a control
 * character (Unicode's Cc: U+0000-U+001F and U+007F-U+009F), else 0.
 */
static int
text_ok(const char *s, size_t min, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len, i, n, k;
    uint32_t cp;

    if (s == NULL)
        return 0;
    len = strlen(s);
    if (len < min || len > max)
        return 0;
    for (i = 0; i < len; i += n) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return 0;
        if (p[i] < 0x80) {
            n = 1;
            continue;
        }
        if (p[i] >= 0xc2 && p[i] <= 0xdf) {
            n = 2;
            cp = p[i] & 0x1f;
        } else if (p[i] >= 0xe0 && p[i] <= 0xef) {
            n = 3;
            cp = p[i] & 0x0f;
        } else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
            n = 4;
            cp = p[i] & 0x07;
        } else {
            return 0;
        }
        if (len - i < n)
            return 0;
        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp <= 0x9f) || (n == 3 && cp < 0x800) ||
            (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
    }
    return 1;
}

/**
 * seen_membership_type_from_name(name):
 * Return the AgencyType for one of spec/cli.md's agency type names
 * ("social_care", "police", "health", "school", "probation",
 * "youth_justice", "other"), or SEEN__AGENCY_TYPE__AGENCY_UNSPECIFIED (0)
 * for any other string or NULL.
 */
Seen__AgencyType
seen_membership_type_from_name(const char *name)
{
    size_t i;

    if (name == NULL)
        return SEEN__AGENCY_TYPE__AGENCY_UNSPECIFIED;
    for (i = 0; i < sizeof agency_types / sizeof agency_types[0]; i++) {
        if (strcmp(name, agency_types[i].name) == 0)
            return agency_types[i].type;
    }
    return SEEN__AGENCY_TYPE__AGENCY_UNSPECIFIED;
}

/**
 * seen_membership_type_name(type):
 * Return spec/cli.md's name of the agency type ${type}, or NULL if it is
 * not a known type.  The string is static.
 */
const char *
seen_membership_type_name(Seen__AgencyType type)
{
    size_t i;

    for (i = 0; i < sizeof agency_types / sizeof agency_types[0]; i++) {
        if (agency_types[i].type == type)
            return agency_types[i].name;
    }
    return NULL;
}

/* Orderings of the lookup arrays (keys are checked to be 32 bytes first). */
static int
cmp_sign(const void *a, const void *b)
{
    const Seen__Member *x = *(Seen__Member *const *)a;
    const Seen__Member *y = *(Seen__Member *const *)b;

    return memcmp(x->sign_pk.data, y->sign_pk.data, 32);
}

static int
cmp_curve(const void *a, const void *b)
{
    const Seen__Member *x = *(Seen__Member *const *)a;
    const Seen__Member *y = *(Seen__Member *const *)b;

    return memcmp(x->curve_pk.data, y->curve_pk.data, 32);
}

static int
cmp_name(const void *a, const void *b)
{
    const Seen__Member *x = *(Seen__Member *const *)a;
    const Seen__Member *y = *(Seen__Member *const *)b;

    return strcmp(x->name, y->name);
}

static int
cmp_grant(const void *a, const void *b)
{
    const Seen__MatchKeyGrant *x = *(Seen__MatchKeyGrant *const *)a;
    const Seen__MatchKeyGrant *y = *(Seen__MatchKeyGrant *const *)b;

    return memcmp(x->sign_pk.data, y->sign_pk.data, 32);
}

/* Key-to-element comparisons for bsearch. */
static int
key_sign(const void *key, const void *elem)
{
    const Seen__Member *x = *(Seen__Member *const *)elem;

    return memcmp(key, x->sign_pk.data, 32);
}

static int
key_curve(const void *key, const void *elem)
{
    const Seen__Member *x = *(Seen__Member *const *)elem;

    return memcmp(key, x->curve_pk.data, 32);
}

static int
key_name(const void *key, const void *elem)
{
    const Seen__Member *x = *(Seen__Member *const *)elem;

    return strcmp(key, x->name);
}

static int
key_grant(const void *key, const void *elem)
{
    const Seen__MatchKeyGrant *x = *(Seen__MatchKeyGrant *const *)elem;

    return memcmp(key, x->sign_pk.data, 32);
}

/* Free the lookup arrays of ${m}. */
static void
index_free(struct seen_membership *m)
{

    free(m->by_sign);
    free(m->by_curve);
    free(m->by_name);
    free(m->grants);
    m->by_sign = m->by_curve = m->by_name = NULL;
    m->grants = NULL;
}

/*
 * Read a varint of at most ${max} bytes at *${off} of the ${len} bytes
 * ${b}, as protobuf-c reads keys (5 bytes), lengths (5) and values (10),
 * and move *${off} past it.  Returns 0, or -1 when it is cut short or
 * longer.
 */
static int
rd_varint(const uint8_t *b, size_t len, size_t *off, size_t max, uint64_t *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < max && *off + i < len; i++) {
        if (7 * i < 64)
            *v |= (uint64_t)(b[*off + i] & 0x7f) << (7 * i);
        if ((b[*off + i] & 0x80) == 0) {
            *off += i + 1;
            return 0;
        }
    }
    return -1;
}

/* Called with each length-delimited field of a message: its number, its
 * bytes.  Returns 0, or -1 to stop with an error. */
typedef int wire_fn(void *ctx, uint64_t field, const uint8_t *p, size_t n);

/* Call ${fn} on each length-delimited field of the message ${b} (${len}
 * bytes), skipping the others.  Returns 0, or -1 for bytes that do not
 * decode or ${fn}'s -1. */
static int
each_wire_field(const uint8_t *b, size_t len, wire_fn *fn, void *ctx)
{
    size_t off = 0;
    uint64_t key, n;

    while (off < len) {
        if (rd_varint(b, len, &off, 5, &key) != 0)
            return -1;
        switch (key & 7) {
        case 0:
            if (rd_varint(b, len, &off, 10, &n) != 0)
                return -1;
            break;
        case 1:
        case 5:
            n = (key & 7) == 1 ? 8 : 4;
            if (len - off < n)
                return -1;
            off += (size_t)n;
            break;
        case 2:
            if (rd_varint(b, len, &off, 5, &n) != 0 || n > len - off ||
                fn(ctx, key >> 3, b + off, (size_t)n) != 0)
                return -1;
            off += (size_t)n;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* The byte length of the last occurrence of each string field of a
 * message, by field number (SIZE_MAX: none), as each_wire_field() finds
 * them. */
struct wire_lens {
    size_t len[8];
};

/* A field of a Member or of a MembershipBody: note its length. */
static int
note_len(void *ctx, uint64_t field, const uint8_t *p, size_t n)
{
    struct wire_lens *w = ctx;

    (void)p;
    if (field < 8)
        w->len[field] = n;
    return 0;
}

/* 1 if the decoded string ${s} has the ${n} bytes its last occurrence
 * had on the wire (or the field was absent, ${n} SIZE_MAX, and ${s} is
 * empty): protobuf-c ends a C string at a NUL byte, so "witness\0X"
 * decodes as "witness". */
static int
whole(const char *s, size_t n)
{

    return n == SIZE_MAX ? s == NULL || s[0] == '\0'
                         : s != NULL && strlen(s) == n;
}

/* The members of a body, met one by one on the wire. */
struct wire_members {
    const Seen__MembershipBody *b;
    size_t next;
};

/* A field of a MembershipBody: a member, whose strings (name, agency,
 * local_authority, endpoint) must have been decoded whole. */
static int
member_whole(void *ctx, uint64_t field, const uint8_t *p, size_t n)
{
    struct wire_members *wm = ctx;
    const Seen__Member *mb;
    struct wire_lens w;

    if (field != 5)
        return 0;
    if (wm->next >= wm->b->n_members)
        return -1;
    mb = wm->b->members[wm->next++];
    memset(&w, 0xff, sizeof w);
    if (each_wire_field(p, n, note_len, &w) != 0)
        return -1;
    return whole(mb->name, w.len[1]) && whole(mb->agency, w.len[2]) &&
                   whole(mb->local_authority, w.len[4]) &&
                   whole(mb->endpoint, w.len[7])
               ? 0
               : -1;
}

/*
 * Check that every string of the body ${b}, decoded from the ${len} bytes
 * ${raw}, was decoded whole (whole()): none holds a NUL byte.  Returns 0
 * or SEEN_EINVAL (logged).
 */
static int
strings_whole(const Seen__MembershipBody *b, const uint8_t *raw, size_t len)
{
    struct wire_members wm = {b, 0};
    struct wire_lens w;

    memset(&w, 0xff, sizeof w);
    if (each_wire_field(raw, len, note_len, &w) != 0 ||
        !whole(b->federation, w.len[1])) {
        seen_error("membership: the federation's name holds a NUL byte");
        return SEEN_EINVAL;
    }
    if (each_wire_field(raw, len, member_whole, &wm) != 0) {
        seen_error("membership: member %zu: its name, agency, local "
                   "authority or endpoint holds a NUL byte",
            wm.next > 0 ? wm.next - 1 : 0);
        return SEEN_EINVAL;
    }
    return 0;
}

/* Check one member (number ${i}) of a body.  Returns 0 or SEEN_EINVAL. */
static int
check_member(const Seen__Member *mb, size_t i)
{
    const char *what;

    if (mb->sign_pk.len != 32 || mb->sign_pk.data == NULL)
        what = "sign_pk is not 32 bytes";
    else if (mb->curve_pk.len != 32 || mb->curve_pk.data == NULL)
        what = "curve_pk is not 32 bytes";
    else if (mb->name == NULL || !seen_node_name_valid(mb->name))
        what = "name is not 1-63 of a-z, 0-9 and '-'";
    else if (seen_membership_type_name(mb->type) == NULL)
        what = "unknown agency type";
    else if (!text_ok(mb->agency, 0, SEEN_MEMBERSHIP_AGENCY_MAX))
        what = "agency is not printable UTF-8 of at most 255 bytes";
    else if (!text_ok(mb->local_authority, 1, SEEN_MEMBERSHIP_LA_MAX))
        what = "local_authority is not printable UTF-8 of 1-127 bytes";
    else if (!seen_membership_endpoint_valid(mb->endpoint))
        what = "endpoint is not tcp://HOST:PORT";
    else if (mb->status != SEEN__MEMBER_STATUS__ACTIVE &&
             mb->status != SEEN__MEMBER_STATUS__REVOKED)
        what = "status is neither ACTIVE nor REVOKED";
    else
        return 0;
    seen_error("membership: member %zu: %s", i, what);
    return SEEN_EINVAL;
}

/*
 * Check the fields of the body ${b} that stand alone: version and epoch
 * at least 1, the federation name, the number of members and grants.
 * Returns 0 or SEEN_EINVAL (logged).
 */
static int
check_header(const Seen__MembershipBody *b)
{

    if (b->version < 1) {
        seen_error("membership: version 0");
        return SEEN_EINVAL;
    }
    if (b->epoch < 1) {
        seen_error("membership: epoch 0");
        return SEEN_EINVAL;
    }
    if (b->token_bytes != 0 && b->token_bytes != 8 && b->token_bytes != 16) {
        seen_error("membership: token_bytes %u (0, 8 or 16)",
            (unsigned)b->token_bytes);
        return SEEN_EINVAL;
    }
    if (b->links > SEEN_MEMBERSHIP_LINKS_MAX) {
        seen_error("membership: %u long-range links, more than %d",
            (unsigned)b->links, SEEN_MEMBERSHIP_LINKS_MAX);
        return SEEN_EINVAL;
    }
    if (!text_ok(b->federation, 1, SEEN_MEMBERSHIP_FEDERATION_MAX)) {
        seen_error("membership: federation name is not printable UTF-8 of "
                  "1-255 bytes");
        return SEEN_EINVAL;
    }
    if (b->n_members > SEEN_MEMBERSHIP_MEMBERS_MAX) {
        seen_error("membership: %zu members, more than %d", b->n_members,
            SEEN_MEMBERSHIP_MEMBERS_MAX);
        return SEEN_EINVAL;
    }
    if (b->n_grants > b->n_members) {
        seen_error("membership: more grants (%zu) than members (%zu)",
            b->n_grants, b->n_members);
        return SEEN_EINVAL;
    }
    return 0;
}

/*
 * Check grant number ${i} of the body ${b} alone: a 32-byte sign_pk, a
 * sealed key of SEEN_MEMBERSHIP_GRANT_BYTES and the body's epoch.
 * Returns 0 or SEEN_EINVAL (logged).
 */
static int
check_grant(const Seen__MembershipBody *b, size_t i)
{
    const Seen__MatchKeyGrant *g = b->grants[i];

    if (g == NULL || g->sign_pk.len != 32 || g->sign_pk.data == NULL ||
        g->sealed_key.len != SEEN_MEMBERSHIP_GRANT_BYTES ||
        g->sealed_key.data == NULL) {
        seen_error("membership: grant %zu: sign_pk is not 32 bytes or "
                  "sealed_key not %d",
            i, SEEN_MEMBERSHIP_GRANT_BYTES);
        return SEEN_EINVAL;
    }
    if (g->epoch != b->epoch) {
        seen_error("membership: grant %zu is for epoch %u, not the "
                  "document's %u",
            i, g->epoch, b->epoch);
        return SEEN_EINVAL;
    }
    return 0;
}

/*
 * Fill the lookup arrays of ${m} with sorted copies of its body's member
 * and grant pointers (the pointers, not the members, are copied).
 * Returns 0 or SEEN_ENOMEM (logged); on error the caller frees whatever
 * was allocated with index_free().
 */
static int
index_sort(struct seen_membership *m)
{
    const Seen__MembershipBody *b = m->body;
    size_t n = b->n_members;

    m->by_sign = malloc((n ? n : 1) * sizeof(*m->by_sign));
    m->by_curve = malloc((n ? n : 1) * sizeof(*m->by_curve));
    m->by_name = malloc((n ? n : 1) * sizeof(*m->by_name));
    m->grants = malloc((b->n_grants ? b->n_grants : 1) * sizeof(*m->grants));
    if (m->by_sign == NULL || m->by_curve == NULL || m->by_name == NULL ||
        m->grants == NULL) {
        seen_errorp("membership: cannot index %zu members", n);
        return SEEN_ENOMEM;
    }
    if (n > 0) {
        memcpy(m->by_sign, b->members, n * sizeof(*b->members));
        memcpy(m->by_curve, b->members, n * sizeof(*b->members));
        memcpy(m->by_name, b->members, n * sizeof(*b->members));
        qsort(m->by_sign, n, sizeof(*m->by_sign), cmp_sign);
        qsort(m->by_curve, n, sizeof(*m->by_curve), cmp_curve);
        qsort(m->by_name, n, sizeof(*m->by_name), cmp_name);
    }
    if (b->n_grants > 0) {
        memcpy(m->grants, b->grants, b->n_grants * sizeof(*b->grants));
        qsort(m->grants, b->n_grants, sizeof(*m->grants), cmp_grant);
    }
    return 0;
}

/*
 * Check, on the sorted arrays of ${m}, that no two members share a name,
 * a sign_pk or a curve_pk.  Returns 0 or SEEN_EINVAL (logged).
 */
static int
check_unique(const struct seen_membership *m)
{
    size_t i;

    for (i = 1; i < m->body->n_members; i++) {
        if (cmp_name(&m->by_name[i - 1], &m->by_name[i]) == 0) {
            seen_error(
                "membership: two members are named '%s'", m->by_name[i]->name);
            return SEEN_EINVAL;
        }
        if (cmp_sign(&m->by_sign[i - 1], &m->by_sign[i]) == 0) {
            seen_error("membership: '%s' and '%s' share a sign_pk",
                m->by_sign[i - 1]->name, m->by_sign[i]->name);
            return SEEN_EINVAL;
        }
        if (cmp_curve(&m->by_curve[i - 1], &m->by_curve[i]) == 0) {
            seen_error("membership: '%s' and '%s' share a curve_pk",
                m->by_curve[i - 1]->name, m->by_curve[i]->name);
            return SEEN_EINVAL;
        }
    }
    return 0;
}

/*
 * Check, on the sorted arrays of ${m}, that every grant is for a member,
 * an ACTIVE one, and that no member has two.  Returns 0 or SEEN_EINVAL
 * (logged).
 */
static int
check_grantees(const struct seen_membership *m)
{
    Seen__Member **found;
    size_t i;

    for (i = 0; i < m->body->n_grants; i++) {
        if (i > 0 && cmp_grant(&m->grants[i - 1], &m->grants[i]) == 0) {
            seen_error("membership: two grants for one member");
            return SEEN_EINVAL;
        }
        found = bsearch(m->grants[i]->sign_pk.data, m->by_sign,
            m->body->n_members, sizeof(*m->by_sign), key_sign);
        if (found == NULL) {
            seen_error("membership: a grant for a key that is not a member");
            return SEEN_EINVAL;
        }
        if ((*found)->status != SEEN__MEMBER_STATUS__ACTIVE) {
            seen_error("membership: a grant for '%s', which is not active",
                (*found)->name);
            return SEEN_EINVAL;
        }
    }
    return 0;
}

/*
 * Check every rule of the body ${m}->body but its authority and signature,
 * and build the lookup arrays of ${m}.  Returns 0, SEEN_EINVAL (logged)
 * or SEEN_ENOMEM (logged); on error no array is left allocated.
 */
static int
index_body(struct seen_membership *m)
{
    const Seen__MembershipBody *b = m->body;
    size_t i;
    int rc;

    if ((rc = check_header(b)) != 0)
        goto err0;
    for (i = 0; i < b->n_members; i++) {
        if (b->members[i] == NULL || check_member(b->members[i], i) != 0) {
            rc = SEEN_EINVAL;
            goto err0;
        }
    }
    for (i = 0; i < b->n_grants; i++) {
        if ((rc = check_grant(b, i)) != 0)
            goto err0;
    }

    /* Sorted copies of the member and grant arrays, then the cross rules. */
    if ((rc = index_sort(m)) != 0 || (rc = check_unique(m)) != 0 ||
        (rc = check_grantees(m)) != 0 || (rc = membership_check_oprf(m)) != 0)
        goto err1;

    /* Success! */
    return 0;

err1:
    index_free(m);
err0:
    return rc;
}

/**
 * seen_membership_open(doc, len, authority_pk, out):
 * Verify and decode the encoded Membership ${doc} (${len} bytes, not
 * retained).  [in] ${authority_pk}: the pinned authority's Ed25519 public
 * key, which must have signed the body (domain SEEN_MEMBERSHIP_DOMAIN,
 * over the body bytes exactly as received) and must equal the body's
 * authority_pk.  The body must then be well formed: version and epoch at
 * least 1; a federation name; at most SEEN_MEMBERSHIP_MEMBERS_MAX members,
 * each with a 32-byte sign_pk and curve_pk, a valid name
 * (seen_node_name_valid), a known agency type, a local authority, a
 * tcp:// endpoint with a port (seen_membership_endpoint_valid) and status
 * ACTIVE or REVOKED, with no two members sharing a name, a sign_pk or a
 * curve_pk; grants of the body's epoch, each SEEN_MEMBERSHIP_GRANT_BYTES,
 * at most one per member and only for ACTIVE members.
 * [out] ${out}: on success the document, owned by the caller, released
 * with seen_membership_destroy(); NULL on error.
 * Returns 0; SEEN_EAUTH for a signature that does not verify under
 * ${authority_pk} or a body naming another authority; SEEN_EINVAL for a
 * malformed document (logged, saying what); SEEN_ENOMEM.  Never crashes
 * on bad bytes.
 */
int
seen_membership_open(const uint8_t *doc, size_t len,
    const uint8_t authority_pk[static 32], struct seen_membership **out)
{
    struct seen_membership *m;
    int rc;

    *out = NULL;
    if (doc == NULL || len == 0 || len > SEEN_MEMBERSHIP_MAX_BYTES) {
        seen_error("membership: document of %zu bytes (1 to %u allowed)", len,
            SEEN_MEMBERSHIP_MAX_BYTES);
        rc = SEEN_EINVAL;
        goto err0;
    }
    if ((m = calloc(1, sizeof(*m))) == NULL) {
        seen_errorp("membership: cannot allocate");
        rc = SEEN_ENOMEM;
        goto err0;
    }

    /* The envelope: body bytes and a signature. */
    if ((m->doc = seen__membership__unpack(NULL, len, doc)) == NULL) {
        seen_error("membership: not an encoded Membership");
        rc = SEEN_EINVAL;
        goto err1;
    }
    if (m->doc->signature.len != SEEN_MEMBERSHIP_SIG_BYTES ||
        m->doc->signature.data == NULL) {
        seen_error("membership: signature is %zu bytes, not %d",
            m->doc->signature.len, SEEN_MEMBERSHIP_SIG_BYTES);
        rc = SEEN_EINVAL;
        goto err1;
    }

    /* Verify the bytes as received, before decoding any of them. */
    if ((rc = seen_verify(m->doc->signature.data, SEEN_MEMBERSHIP_DOMAIN,
             m->doc->body.data, m->doc->body.len, authority_pk)) != 0) {
        if (rc == SEEN_EAUTH)
            seen_error("membership: not signed by the pinned authority");
        goto err1;
    }
    if ((m->body = seen__membership_body__unpack(
             NULL, m->doc->body.len, m->doc->body.data)) == NULL) {
        seen_error("membership: signed body is not an encoded "
                  "MembershipBody");
        rc = SEEN_EINVAL;
        goto err1;
    }
    if (m->body->authority_pk.len != 32 || m->body->authority_pk.data == NULL ||
        sodium_memcmp(m->body->authority_pk.data, authority_pk, 32) != 0) {
        seen_error("membership: body names another authority");
        rc = SEEN_EAUTH;
        goto err1;
    }
    /* Its strings as decoded are the strings on the wire (a built body
     * is made of C strings, so only an opened one is checked). */
    if ((rc = strings_whole(m->body, m->doc->body.data, m->doc->body.len)) !=
            0 ||
        (rc = index_body(m)) != 0)
        goto err1;

    /* Success! */
    *out = m;
    return 0;

err1:
    seen_membership_destroy(&m);
err0:
    return rc;
}

/**
 * seen_membership_destroy(&m):
 * Free the document ${m} and everything decoded from it.  Sets the caller's
 * pointer to NULL; NULL or a pointer to NULL is a no-op, so it is safe
 * twice.
 */
void
seen_membership_destroy(struct seen_membership **pp)
{
    struct seen_membership *m;

    if (pp == NULL || (m = *pp) == NULL)
        return;
    *pp = NULL;
    index_free(m);
    if (m->body != NULL)
        seen__membership_body__free_unpacked(m->body, NULL);
    if (m->doc != NULL)
        seen__membership__free_unpacked(m->doc, NULL);
    free(m);
}

/**
 * seen_membership_version(m):
 * Return the version of ${m} (at least 1; a node adopts only a higher one
 * than it holds).
 */
uint64_t
seen_membership_version(const struct seen_membership *m)
{

    return m->body->version;
}

/**
 * seen_membership_issued(m):
 * Return the time ${m} was issued, in Unix seconds.
 */
uint64_t
seen_membership_issued(const struct seen_membership *m)
{

    return m->body->issued;
}

/**
 * seen_membership_federation(m):
 * Return the federation's name (valid UTF-8, NUL-terminated), owned by
 * ${m}.
 */
const char *
seen_membership_federation(const struct seen_membership *m)
{

    return m->body->federation;
}

/**
 * seen_membership_epoch(m):
 * Return the match-key epoch of ${m}'s grants (at least 1).
 */
uint32_t
seen_membership_epoch(const struct seen_membership *m)
{

    return m->body->epoch;
}

/**
 * seen_membership_token_bytes(m):
 * Return the bytes of each token in the entries members of ${m} publish
 * (docs/protocol.md, "Short tokens"): 8 for short tokens, 16 for whole
 * ones (also when the document does not say).
 */
uint32_t
seen_membership_token_bytes(const struct seen_membership *m)
{

    return m->body->token_bytes == 8 ? 8 : 16;
}

/**
 * seen_membership_links(m):
 * Return the long-range links each way of every member of ${m}: 0 when
 * every member links to every other.
 */
uint32_t
seen_membership_links(const struct seen_membership *m)
{

    return m->body->links;
}

/**
 * seen_membership_count(m):
 * Return the number of members (of any status) in ${m}.
 */
size_t
seen_membership_count(const struct seen_membership *m)
{

    return m->body->n_members;
}

/**
 * seen_membership_member(m, i):
 * Return member ${i} of ${m}, in document order, or NULL if ${i} is not
 * less than seen_membership_count(${m}).  Owned by ${m}.
 */
const Seen__Member *
seen_membership_member(const struct seen_membership *m, size_t i)
{

    if (i >= m->body->n_members)
        return NULL;
    return m->body->members[i];
}

/*
 * The member of ${m} found by ${cmp} for ${key} in ${sorted}, one of its
 * lookup arrays; NULL if there is none.  Owned by ${m}.
 */
static const Seen__Member *
find_member(const struct seen_membership *m, Seen__Member **sorted,
    const void *key, int (*cmp)(const void *, const void *))
{
    Seen__Member **p;

    p = bsearch(key, sorted, m->body->n_members, sizeof(*sorted), cmp);
    return p != NULL ? *p : NULL;
}

/**
 * seen_membership_by_sign(m, pk):
 * Return the member of ${m}, of any status, whose Ed25519 key is ${pk};
 * NULL if there is none.  Owned by ${m}.
 */
const Seen__Member *
seen_membership_by_sign(
    const struct seen_membership *m, const uint8_t pk[static 32])
{

    return find_member(m, m->by_sign, pk, key_sign);
}

/**
 * seen_membership_by_curve(m, pk):
 * Return the member of ${m}, of any status, whose Curve25519 key is ${pk}
 * (as a CURVE client presents it); NULL if there is none.  Owned by ${m}.
 */
const Seen__Member *
seen_membership_by_curve(
    const struct seen_membership *m, const uint8_t pk[static 32])
{

    return find_member(m, m->by_curve, pk, key_curve);
}

/**
 * seen_membership_by_name(m, name):
 * Return the member of ${m}, of any status, named ${name}; NULL if there
 * is none or ${name} is NULL.  Owned by ${m}.
 */
const Seen__Member *
seen_membership_by_name(const struct seen_membership *m, const char *name)
{

    if (name == NULL)
        return NULL;
    return find_member(m, m->by_name, name, key_name);
}

/**
 * seen_membership_active(mb):
 * Return 1 if the member ${mb} is ACTIVE, else 0 (also for NULL).
 */
int
seen_membership_active(const Seen__Member *mb)
{

    return mb != NULL && mb->status == SEEN__MEMBER_STATUS__ACTIVE;
}

/* The grant of ${m} for ${pk}, or NULL. */
static const Seen__MatchKeyGrant *
grant_for(const struct seen_membership *m, const uint8_t pk[static 32])
{
    Seen__MatchKeyGrant **p;

    p = bsearch(
        pk, m->grants, m->body->n_grants, sizeof(*m->grants), key_grant);
    return p != NULL ? *p : NULL;
}

/**
 * seen_membership_granted(m, pk):
 * Return 1 if ${m} holds a match-key grant for the member whose Ed25519
 * key is ${pk}, else 0.
 */
int
seen_membership_granted(
    const struct seen_membership *m, const uint8_t pk[static 32])
{

    return grant_for(m, pk) != NULL;
}

/**
 * seen_membership_match_key(m, k, key, epoch):
 * Unseal this node's match key for ${m}'s epoch: find the grant for
 * ${k}->sign_pk and open it with crypto_box_seal_open under ${k}->curve_pk
 * and ${k}->curve_sk.  [out] ${key}: the 32-byte key (the caller wipes
 * it); [out] ${epoch}: its epoch, if ${epoch} is not NULL.  Both are left
 * unchanged on error.
 * Returns 0; SEEN_ENOTFOUND when ${m} holds no grant for ${k}->sign_pk
 * (not a member, or revoked); SEEN_EAUTH when the grant does not open
 * with ${k}'s Curve25519 keys.  Neither is logged: the caller decides.
 */
int
seen_membership_match_key(const struct seen_membership *m,
    const struct seen_keys *k, uint8_t key[static 32], uint32_t *epoch)
{
    const Seen__MatchKeyGrant *g;
    uint8_t pt[32];
    int rc = SEEN_EAUTH;

    if ((g = grant_for(m, k->sign_pk)) == NULL)
        return SEEN_ENOTFOUND;
    if (crypto_box_seal_open(pt, g->sealed_key.data, g->sealed_key.len,
            k->curve_pk, k->curve_sk) != 0)
        goto done;
    memcpy(key, pt, 32);
    if (epoch != NULL)
        *epoch = g->epoch;
    rc = 0;
done:
    sodium_memzero(pt, sizeof pt);
    return rc;
}

/* The grants of a document being built, and the sealed keys they hold. */
struct grants {
    Seen__MatchKeyGrant *g;   /* the grants */
    Seen__MatchKeyGrant **gp; /* pointers to them, as the body holds them */
    size_t n;                 /* how many are filled in */

    /* The sealed key of each grant g[i]. */
    uint8_t (*sealed)[SEEN_MEMBERSHIP_GRANT_BYTES];
};

/* Free the arrays of ${gr} (not ${gr} itself). */
static void
grants_free(struct grants *gr)
{

    free(gr->sealed);
    free(gr->gp);
    free(gr->g);
}

/*
 * Seal ${match_key} with crypto_box_seal to the curve_pk of each ACTIVE
 * member among the ${n} ${members}, as grants of ${epoch} in ${gr} (in
 * member order).  The grants borrow the members' sign_pk bytes.
 * Returns 0, SEEN_ENOMEM or SEEN_ERR (logged); the caller releases ${gr}
 * with grants_free() whatever is returned.
 */
static int
grants_seal(struct grants *gr, const Seen__Member *const *members, size_t n,
    uint32_t epoch, const uint8_t *match_key)
{
    size_t i;

    memset(gr, 0, sizeof(*gr));
    gr->g = calloc(n ? n : 1, sizeof(*gr->g));
    gr->gp = calloc(n ? n : 1, sizeof(*gr->gp));
    gr->sealed = calloc(n ? n : 1, sizeof(*gr->sealed));
    if (gr->g == NULL || gr->gp == NULL || gr->sealed == NULL) {
        seen_errorp("membership: cannot allocate grants");
        return SEEN_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (members[i]->status != SEEN__MEMBER_STATUS__ACTIVE)
            continue;
        seen__match_key_grant__init(&gr->g[gr->n]);
        if (crypto_box_seal(gr->sealed[gr->n], match_key, 32,
                members[i]->curve_pk.data) != 0) {
            seen_error("membership: cannot seal the match key to '%s'",
                members[i]->name);
            return SEEN_ERR;
        }
        gr->g[gr->n].sign_pk = members[i]->sign_pk;
        gr->g[gr->n].epoch = epoch;
        gr->g[gr->n].sealed_key.data = gr->sealed[gr->n];
        gr->g[gr->n].sealed_key.len = SEEN_MEMBERSHIP_GRANT_BYTES;
        gr->gp[gr->n] = &gr->g[gr->n];
        gr->n++;
    }
    return 0;
}

/*
 * Encode ${body}, sign the encoding with ${authority}->sign_sk (domain
 * SEEN_MEMBERSHIP_DOMAIN) and encode the signed Membership.
 * [out] ${out}, ${len}: the document, malloc'd, owned by the caller;
 * left unchanged on error.
 * Returns 0; SEEN_EINVAL when the document would be over
 * SEEN_MEMBERSHIP_MAX_BYTES; SEEN_ENOMEM; SEEN_ERR or seen_sign()'s code
 * if encoding or signing fails (all logged).
 */
static int
sign_body(const Seen__MembershipBody *body, const struct seen_keys *authority,
    uint8_t **out, size_t *len)
{
    Seen__Membership doc = SEEN__MEMBERSHIP__INIT;
    uint8_t sig[SEEN_MEMBERSHIP_SIG_BYTES];
    uint8_t *bbuf, *dbuf;
    size_t blen, dlen;
    int rc;

    blen = seen__membership_body__get_packed_size(body);
    if ((bbuf = malloc(blen ? blen : 1)) == NULL) {
        seen_errorp("membership: cannot allocate the body");
        rc = SEEN_ENOMEM;
        goto err0;
    }
    if (seen__membership_body__pack(body, bbuf) != blen) {
        seen_error("membership: cannot encode the body");
        rc = SEEN_ERR;
        goto err1;
    }
    if ((rc = seen_sign(sig, SEEN_MEMBERSHIP_DOMAIN, bbuf, blen,
             authority->sign_sk)) != 0) {
        seen_error("membership: cannot sign");
        goto err1;
    }
    doc.body.data = bbuf;
    doc.body.len = blen;
    doc.signature.data = sig;
    doc.signature.len = sizeof sig;
    dlen = seen__membership__get_packed_size(&doc);
    if (dlen > SEEN_MEMBERSHIP_MAX_BYTES) {
        seen_error("membership: document of %zu bytes, more than %u", dlen,
            SEEN_MEMBERSHIP_MAX_BYTES);
        rc = SEEN_EINVAL;
        goto err1;
    }
    if ((dbuf = malloc(dlen)) == NULL) {
        seen_errorp("membership: cannot allocate the document");
        rc = SEEN_ENOMEM;
        goto err1;
    }
    if (seen__membership__pack(&doc, dbuf) != dlen) {
        seen_error("membership: cannot encode the document");
        rc = SEEN_ERR;
        goto err2;
    }

    /* Success!  The caller owns the document. */
    free(bbuf);
    *out = dbuf;
    *len = dlen;
    return 0;

err2:
    free(dbuf);
err1:
    free(bbuf);
err0:
    return rc;
}

/**
 * seen_membership_build(federation, version, issued, members, n, epoch,
 *     match_key, authority, out, len):
 * Build and sign a document: the NUL-terminated ${federation} name,
 * ${version}, ${issued} (Unix seconds), the ${n} members ${members}
 * copied as given (in that order), ${epoch}, and a grant of ${match_key}
 * sealed with crypto_box_seal to each ACTIVE member's curve_pk; the body
 * names ${authority}->sign_pk as the authority and is signed with
 * ${authority}->sign_sk.  The document is checked against every rule of
 * seen_membership_open() before it is signed, so a node never receives a
 * document the authority could not open.
 * [out] ${out}, ${len}: the encoded Membership, malloc'd, owned by the
 * caller (free()); NULL and 0 on error.  Nothing is retained.
 * Returns 0; SEEN_EINVAL when the document would break a rule (logged,
 * saying which); SEEN_ENOMEM; SEEN_ERR if sealing or signing fails.
 */
int
seen_membership_build(const char *federation, uint64_t version, uint64_t issued,
    const Seen__Member *const *members, size_t n, uint32_t epoch,
    const uint8_t match_key[static 32], const struct seen_keys *authority,
    uint8_t **out, size_t *len)
{

    return seen_membership_build_links(federation, version, issued, members,
        n, epoch, 0, 0, match_key, authority, out, len);
}

/**
 * seen_membership_build_links(federation, version, issued, members, n,
 *     epoch, links, token_bytes, match_key, authority, out, len):
 * As seen_membership_build(), with ${links} long-range links each way of
 * every member (0: every member links to every other; at most
 * SEEN_MEMBERSHIP_LINKS_MAX) and ${token_bytes} bytes of each token in
 * the entries members publish (8: short tokens; 0 or 16: whole ones).
 */
int
seen_membership_build_links(const char *federation, uint64_t version,
    uint64_t issued, const Seen__Member *const *members, size_t n,
    uint32_t epoch, uint32_t links, uint32_t token_bytes,
    const uint8_t match_key[static 32],
    const struct seen_keys *authority, uint8_t **out, size_t *len)
{

    return seen_membership_build_oprf(federation, version, issued, members,
        n, epoch, links, token_bytes, match_key, NULL, authority, out, len);
}

/**
 * seen_membership_build_oprf(federation, version, issued, members, n,
 *     epoch, links, token_bytes, match_key, oprf, authority, out, len):
 * As seen_membership_build_links(); with ${oprf} not NULL, an OPRF epoch:
 * the body holds ${oprf} (its epoch must be ${epoch}) and no grant, and
 * ${match_key} is not read (it may be NULL).
 */
int
seen_membership_build_oprf(const char *federation, uint64_t version,
    uint64_t issued, const Seen__Member *const *members, size_t n,
    uint32_t epoch, uint32_t links, uint32_t token_bytes,
    const uint8_t *match_key, const Seen__OprfKey *oprf,
    const struct seen_keys *authority, uint8_t **out, size_t *len)
{
    Seen__MembershipBody body = SEEN__MEMBERSHIP_BODY__INIT;
    struct seen_membership chk;
    struct grants gr;
    size_t i;
    int rc = SEEN_EINVAL;

    *out = NULL;
    *len = 0;
    if (federation == NULL || (members == NULL && n > 0) ||
        (match_key == NULL && oprf == NULL)) {
        seen_error("membership: nothing to build");
        goto err0;
    }
    if (n > SEEN_MEMBERSHIP_MEMBERS_MAX) {
        seen_error("membership: %zu members, more than %d", n,
            SEEN_MEMBERSHIP_MEMBERS_MAX);
        goto err0;
    }
    for (i = 0; i < n; i++) {
        if (members[i] == NULL || check_member(members[i], i) != 0)
            goto err0;
    }

    /* A grant for every ACTIVE member, sealed to its curve_pk; none in an
     * OPRF epoch. */
    if ((rc = grants_seal(&gr, members, oprf != NULL ? 0 : n, epoch,
             match_key)) != 0)
        goto err1;

    /* The body; packing reads the members, never writes them. */
    body.federation = (char *)(uintptr_t)federation;
    body.version = version;
    body.issued = issued;
    body.authority_pk.data = (uint8_t *)(uintptr_t)authority->sign_pk;
    body.authority_pk.len = 32;
    body.n_members = n;
    body.members = (Seen__Member **)(uintptr_t)members;
    body.epoch = epoch;
    body.links = links;
    body.token_bytes = token_bytes;
    body.n_grants = gr.n;
    body.grants = gr.gp;
    body.oprf = (Seen__OprfKey *)(uintptr_t)oprf;

    /* The rules seen_membership_open() will apply. */
    memset(&chk, 0, sizeof chk);
    chk.body = &body;
    if ((rc = index_body(&chk)) != 0)
        goto err1;
    index_free(&chk);

    /* Success, if it signs and encodes: the caller owns the document. */
    rc = sign_body(&body, authority, out, len);

err1:
    grants_free(&gr);
err0:
    return rc;
}

/*
 * check_replication_ring.c: the witness ring (node/replication/ring.h),
 * from real membership documents signed by a real authority key: every
 * active member is witnessed by min(k, active - 1) distinct active others
 * and witnesses exactly as many, a revoked member neither; the ring does
 * not depend on the order of the members in the document, and changes
 * with its version.  How the ring is used: check_replication.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "common/clock.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "node/replication/ring.h"
#include "proto/membership.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define ENDPOINT "tcp://127.0.0.1:9"

static struct seen_keys *auth; /* the federation authority */

/* Whether ${pk} is among the ${n} keys of ${set}. */
static int
among(const uint8_t pk[32], uint8_t (*set)[32], size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (memcmp(set[i], pk, 32) == 0)
            return 1;
    return 0;
}

/* A document of ${n} members (keys ${k}, the member i revoked when
 * ${revoked}[i]), in document order reversed when ${reverse}, at
 * ${version}; opened. */
static struct seen_membership *
ring_doc(struct seen_keys **k, size_t n, const int *revoked, int reverse,
    uint64_t version)
{
    Seen__Member m[40];
    const Seen__Member *mp[40];
    char names[40][24];
    struct seen_membership *out;
    uint8_t mk[32], *d;
    size_t i, len;

    ck_assert_uint_le(n, 40);
    randombytes_buf(mk, sizeof mk);
    for (i = 0; i < n; i++) {
        size_t at = reverse ? n - 1 - i : i;

        snprintf(names[at], sizeof names[at], "m%zu", at);
        tu_member(&m[i], names[at], k[at], ENDPOINT);
        if (revoked[at])
            m[i].status = SEEN__MEMBER_STATUS__REVOKED;
        mp[i] = &m[i];
    }
    ck_assert_int_eq(seen_membership_build("Ring test", version,
                         seen_clock_wall(), mp, n, 1, mk, auth, &d, &len),
        SEEN_OK);
    ck_assert_int_eq(seen_membership_open(d, len, auth->sign_pk, &out), 0);
    free(d);
    return out;
}

/* Check the ring of ${doc} (${n} members ${k}, ${revoked} as above) with
 * ${kw} witnesses per log: every active member is witnessed by min(kw,
 * SEEN_RING_MAX, active - 1) distinct active others and witnesses as
 * many, the two
 * relations being each other's inverse; a revoked member neither. */
static void
check_ring(struct seen_membership *m, struct seen_keys **k, size_t n,
    const int *revoked, size_t kw)
{
    uint8_t w[SEEN_RING_MAX][32], v[SEEN_RING_MAX][32];
    struct seen_ring *r;
    size_t i, j, a, nw, nv, active = 0, want, load[40] = {0};

    for (i = 0; i < n; i++)
        active += !revoked[i];
    want = kw < SEEN_RING_MAX ? kw : SEEN_RING_MAX;
    if (want > active - 1)
        want = active - 1;
    ck_assert_int_eq(seen_ring_new(m, &r), SEEN_OK);
    ck_assert_uint_eq(seen_ring_size(r), active);
    for (i = 0; i < n; i++) {
        nw = seen_ring_witnesses(r, k[i]->sign_pk, kw, w);
        nv = seen_ring_witnessed(r, k[i]->sign_pk, kw, v);
        if (revoked[i]) {
            ck_assert_uint_eq(nw, 0);
            ck_assert_uint_eq(nv, 0);
            continue;
        }
        ck_assert_uint_eq(nw, want);
        ck_assert_uint_eq(nv, want);
        for (a = 0; a < nw; a++) {
            ck_assert(!among(k[i]->sign_pk, &w[a], 1)); /* not itself */
            ck_assert(!among(w[a], w, a));              /* distinct */
            for (j = 0; j < n && memcmp(k[j]->sign_pk, w[a], 32) != 0; j++)
                ;
            ck_assert_uint_lt(j, n);
            ck_assert(!revoked[j]);
            load[j]++;
            /* ...and i is among those that witness j witnesses. */
            nv = seen_ring_witnessed(r, w[a], kw, v);
            ck_assert(among(k[i]->sign_pk, v, nv));
        }
    }
    /* The load: each active member witnesses exactly want logs. */
    for (i = 0; i < n; i++)
        ck_assert_uint_eq(load[i], revoked[i] ? 0 : want);
    seen_ring_destroy(&r);
    seen_ring_destroy(&r); /* safe twice */
}

START_TEST(test_witness_ring_covers_every_member_and_bounds_the_load)
{
    static const size_t sizes[] = {2, 3, 4, 7, 30};
    static const size_t ks[] = {1, 2, 3, 5, SEEN_RING_MAX + 4};
    struct seen_keys *k[40] = {NULL};
    struct seen_membership *m, *m2;
    struct seen_ring *r1, *r2;
    uint8_t w1[SEEN_RING_MAX][32], w2[SEEN_RING_MAX][32];
    int revoked[40] = {0};
    size_t i, a, b, differ = 0;

    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    for (i = 0; i < 30; i++)
        ck_assert_ptr_nonnull(k[i] = seen_keys_generate());
    for (a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        memset(revoked, 0, sizeof revoked);
        if (sizes[a] > 3)
            revoked[1] = revoked[sizes[a] - 1] = 1;
        m = ring_doc(k, sizes[a], revoked, 0, 1);
        for (b = 0; b < sizeof ks / sizeof ks[0]; b++)
            check_ring(m, k, sizes[a], revoked, ks[b]);
        seen_membership_destroy(&m);
    }
    /* The same members in another order: the same ring; another version
     * of the document: another order. */
    m = ring_doc(k, 30, revoked, 0, 1);
    m2 = ring_doc(k, 30, revoked, 1, 1);
    ck_assert_int_eq(seen_ring_new(m, &r1), SEEN_OK);
    ck_assert_int_eq(seen_ring_new(m2, &r2), SEEN_OK);
    for (i = 0; i < 30; i++) {
        ck_assert_uint_eq(seen_ring_witnesses(r1, k[i]->sign_pk, 3, w1),
            seen_ring_witnesses(r2, k[i]->sign_pk, 3, w2));
        ck_assert_mem_eq(w1, w2, sizeof w1[0] * 3 * !revoked[i]);
    }
    seen_ring_destroy(&r2);
    seen_membership_destroy(&m2);
    m2 = ring_doc(k, 30, revoked, 0, 2);
    ck_assert_int_eq(seen_ring_new(m2, &r2), SEEN_OK);
    for (i = 0; i < 30; i++)
        if (!revoked[i] &&
            (seen_ring_witnesses(r1, k[i]->sign_pk, 1, w1),
                seen_ring_witnesses(r2, k[i]->sign_pk, 1, w2),
                memcmp(w1[0], w2[0], 32) != 0))
            differ++;
    ck_assert_uint_gt(differ, 0);
    seen_ring_destroy(&r1);
    seen_ring_destroy(&r2);
    seen_membership_destroy(&m);
    seen_membership_destroy(&m2);
    for (i = 0; i < 30; i++)
        seen_keys_destroy(&k[i]);
    seen_keys_destroy(&auth);
}
END_TEST

/* The index among ${k} (${n} keys) of ${pk}. */
static size_t
index_of(struct seen_keys **k, size_t n, const uint8_t pk[32])
{
    size_t j;

    for (j = 0; j < n && memcmp(k[j]->sign_pk, pk, 32) != 0; j++)
        ;
    ck_assert_uint_lt(j, n);
    return j;
}

/* Sparse links: each member links to at most 2 (near + far) others,
 * never itself, each once; to its witnesses and those it witnesses; the
 * relation is symmetric, and every member reaches every other through
 * links.  With as many members as links, everyone links to everyone. */
START_TEST(test_links_are_bounded_symmetric_and_connect_everyone)
{
    static const size_t sizes[] = {4, 17, 40};
    static const size_t nears[] = {1, 3}, fars[] = {0, 1, 2, 4};
    struct seen_keys *k[40] = {NULL};
    uint8_t l[40][40][32], w[SEEN_RING_MAX][32];
    size_t nl[40], i, j, a, b, c, n, nw, seen_n, queue[40], qh, qt;
    int revoked[40] = {0}, reached[40];
    struct seen_membership *m;
    struct seen_ring *r;

    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    for (i = 0; i < 40; i++)
        ck_assert_ptr_nonnull(k[i] = seen_keys_generate());
    for (a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        n = sizes[a];
        m = ring_doc(k, n, revoked, 0, 1);
        ck_assert_int_eq(seen_ring_new(m, &r), SEEN_OK);
        for (b = 0; b < 2; b++)
            for (c = 0; c < 4; c++) {
                for (i = 0; i < n; i++) {
                    nl[i] = seen_ring_links(
                        r, k[i]->sign_pk, nears[b], fars[c], l[i], 40);
                    ck_assert_uint_le(nl[i], 2 * (nears[b] + fars[c]));
                    ck_assert_uint_ge(nl[i], 1);
                    if (n <= 1 + 2 * nears[b])
                        ck_assert_uint_eq(nl[i], n - 1);
                    for (j = 0; j < nl[i]; j++) {
                        ck_assert(!among(k[i]->sign_pk, &l[i][j], 1));
                        ck_assert(!among(l[i][j], l[i], j));
                    }
                    nw = seen_ring_witnesses(r, k[i]->sign_pk, nears[b], w);
                    for (j = 0; j < nw; j++)
                        ck_assert(among(w[j], l[i], nl[i]));
                    nw = seen_ring_witnessed(r, k[i]->sign_pk, nears[b], w);
                    for (j = 0; j < nw; j++)
                        ck_assert(among(w[j], l[i], nl[i]));
                }
                for (i = 0; i < n; i++)
                    for (j = 0; j < nl[i]; j++)
                        ck_assert(among(k[i]->sign_pk,
                            l[index_of(k, n, l[i][j])],
                            nl[index_of(k, n, l[i][j])]));
                /* Connected: a walk from member 0 reaches all. */
                memset(reached, 0, sizeof reached);
                reached[0] = 1;
                queue[0] = 0;
                for (qh = 0, qt = 1, seen_n = 1; qh < qt; qh++)
                    for (j = 0; j < nl[queue[qh]]; j++) {
                        i = index_of(k, n, l[queue[qh]][j]);
                        if (!reached[i]) {
                            reached[i] = 1;
                            queue[qt++] = i;
                            seen_n++;
                        }
                    }
                ck_assert_uint_eq(seen_n, n);
            }
        /* Not on the ring: no links. */
        ck_assert_uint_eq(
            seen_ring_links(r, auth->sign_pk, 3, 2, l[0], 40), 0);
        seen_ring_destroy(&r);
        seen_membership_destroy(&m);
    }
    for (i = 0; i < 40; i++)
        seen_keys_destroy(&k[i]);
    seen_keys_destroy(&auth);
}
END_TEST

START_TEST(test_witness_ring_of_no_document_is_empty)
{
    uint8_t pk[32] = {1}, w[SEEN_RING_MAX][32];
    struct seen_ring *r;

    ck_assert_int_eq(seen_ring_new(NULL, &r), SEEN_OK);
    ck_assert_uint_eq(seen_ring_size(r), 0);
    ck_assert_uint_eq(seen_ring_witnesses(r, pk, 3, w), 0);
    ck_assert_uint_eq(seen_ring_witnessed(r, pk, 3, w), 0);
    seen_ring_destroy(&r);
    ck_assert_ptr_null(r);
}
END_TEST


Suite *
replication_ring_suite(void)
{
    Suite *s = suite_create("replication_ring");
    TCase *tc = tcase_create("ring");

    tcase_add_test(
        tc, test_witness_ring_covers_every_member_and_bounds_the_load);
    tcase_add_test(tc, test_witness_ring_of_no_document_is_empty);
    tcase_add_test(tc, test_links_are_bounded_symmetric_and_connect_everyone);
    suite_add_tcase(s, tc);
    return s;
}

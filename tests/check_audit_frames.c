/*
 * check_audit_frames.c: what the audit format says of the frames of an
 * export and of several exports together (docs/audit-format.md, sections
 * 2, 4, 7-11): frames moved or repeated fail, frames the log commits to
 * cannot be left out, what may be left out is exactly what the document
 * says, the uncovered tail is bound only by the manifest, and the
 * cross-check tells a newer checkpoint from a contradicting one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "tests/suites.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#include "tests/audit_fixture.c"

/* ---- frames moved, repeated or left out ---- */

/*
 * Rebuild the framed file ${f} of ${ex} from its frames ${pick}[0 ..
 * ${n} - 1] (indexes of its frames, in that order), as a forger could,
 * and forge the manifest to match.
 */
static void
reframe(struct seen_audit_buf ex[SEEN_AUDIT_NFILES], int f, const int *pick,
    size_t n)
{
    const uint8_t *fr[64];
    size_t fl[64], off = 0, nf = 0, len = 0, i;
    uint8_t *nb, *p;

    while (nf < 64 && tframe(&ex[f], &off, &fr[nf], &fl[nf]))
        nf++;
    for (i = 0; i < n; i++) {
        ck_assert_uint_lt((size_t)pick[i], nf);
        len += 4 + fl[pick[i]];
    }
    ck_assert_ptr_nonnull(nb = p = malloc(len ? len : 1));
    for (i = 0; i < n; i++) {
        seen_be32(p, (uint32_t)fl[pick[i]]);
        memcpy(p + 4, fr[pick[i]], fl[pick[i]]);
        p += 4 + fl[pick[i]];
    }
    free(ex[f].data);
    ex[f].data = len ? nb : NULL;
    ex[f].len = len;
    if (!len)
        free(nb);
    reforge_manifest(ex);
}

/* The number of frames of the file ${f} of ${ex}. */
static size_t
nframes(const struct seen_audit_buf ex[SEEN_AUDIT_NFILES], int f)
{
    const uint8_t *fr;
    size_t off = 0, fl, n = 0;

    while (tframe(&ex[f], &off, &fr, &fl))
        n++;
    return n;
}

/* Check ${ex} with its file ${f} rebuilt from ${pick} (${n} frames);
 * return the failures.  ${ex} is left as it was. */
static uint64_t
verify_reframed(const struct seen_audit_buf ex[SEEN_AUDIT_NFILES], int f,
    const int *pick, size_t n)
{
    struct seen_audit_buf c[SEEN_AUDIT_NFILES];
    uint64_t fails;
    int g;

    for (g = 0; g < SEEN_AUDIT_NFILES; g++) {
        c[g] = ex[g];
        c[g].mapped = 0;
        c[g].data = NULL;
        if (ex[g].len) {
            ck_assert_ptr_nonnull(c[g].data = malloc(ex[g].len));
            memcpy(c[g].data, ex[g].data, ex[g].len);
        }
    }
    reframe(c, f, pick, n);
    fails = verify_quiet(c);
    seen_audit_bufs_release(c);
    return fails;
}

/*
 * Alpha's export after exchanging with bravo and the witness both ways
 * and keeping evidence against each of them, signed after it all: every
 * file has at least two frames.
 */
static void
busy_export(struct node *a, struct node *b, struct node *w,
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES])
{
    struct seen_txn *t;

    small_history(a, b, w);
    send_msg(w, a, 1);
    t = wtxn(a);
    equivocate(t, A, B, 0x77);
    equivocate(t, A, W, 0x78);
    commit(t);
    free(sign_now(a, &(size_t){0}));
    export_mem(a, ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
}

/* Count the XLOG_EVIDENCE leaves of ${n}'s log. */
static uint64_t
evidence_leaves(struct node *n)
{
    struct seen_txn *t = rtxn(n);
    const uint8_t *leaf;
    Seen__XLogLeaf *l;
    uint64_t size, i, count = 0;
    size_t len;

    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    for (i = 0; i < size; i++) {
        ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), 0);
        ck_assert_ptr_nonnull(l = seen__xlog_leaf__unpack(NULL, len, leaf));
        count += l->kind == SEEN__XLOG_KIND__XLOG_EVIDENCE;
        seen__xlog_leaf__free_unpacked(l, NULL);
    }
    seen_store_abort(t);
    return count;
}

/*
 * Section 10: evidence is recorded in the log once, when first kept: the
 * same equivocation shown again adds no leaf, another one does.
 */
START_TEST(test_evidence_is_recorded_in_the_log_once)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a, b, w;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&w, "witness", W, 1);
    small_history(&a, &b, &w);
    ck_assert_uint_eq(evidence_leaves(&a), 0);
    t = wtxn(&a);
    equivocate(t, A, B, 0x77);
    commit(t);
    ck_assert_uint_eq(evidence_leaves(&a), 1);
    t = wtxn(&a);
    equivocate(t, A, B, 0x77); /* the same pair again */
    commit(t);
    ck_assert_uint_eq(evidence_leaves(&a), 1);
    t = wtxn(&a);
    equivocate(t, A, B, 0x79); /* another root */
    commit(t);
    ck_assert_uint_eq(evidence_leaves(&a), 2);
    export_mem(&a, ex);
    ck_assert_uint_eq(nframes(ex, SEEN_AUDIT_EVIDENCE), 2);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
    node_close(&w);
}
END_TEST

/*
 * docs/audit-format.md, sections 2 and 4: the framed files are in a
 * stated order, so a frame moved or repeated fails, even with the
 * manifest forged to match; a frame that the log commits to (a
 * checkpoint that a leaf names, evidence that a leaf records) cannot be
 * left out; and what the document says may be left out unnoticed (the
 * latest checkpoints, a cosignature, a peer's checkpoint) is exactly that.
 */
START_TEST(test_moved_repeated_or_dropped_frames)
{
    static const int swap[] = {1, 0, 2, 3, 4, 5, 6, 7};
    static const int twice[] = {0, 0, 1, 2, 3, 4, 5, 6, 7};
    static const int files[] = {SEEN_AUDIT_CHECKPOINTS,
        SEEN_AUDIT_COSIGNATURES, SEEN_AUDIT_PEERS, SEEN_AUDIT_EVIDENCE};
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct node a, b, w;
    int keep[16], f;
    size_t n, i, k;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&w, "witness", W, 1);
    busy_export(&a, &b, &w, ex);
    for (k = 0; k < sizeof files / sizeof files[0]; k++) {
        f = files[k];
        n = nframes(ex, f);
        ck_assert_msg(n >= 2 && n <= 8, "%s has %zu frames",
            seen_audit_file_name(f), n);
        /* The control: the file rebuilt as it was verifies. */
        for (i = 0; i < n; i++)
            keep[i] = (int)i;
        ck_assert_uint_eq(verify_reframed(ex, f, keep, n), 0);
        ck_assert_msg(verify_reframed(ex, f, swap, n) > 0,
            "two frames of %s swapped", seen_audit_file_name(f));
        ck_assert_msg(verify_reframed(ex, f, twice, n + 1) > 0,
            "a frame of %s repeated", seen_audit_file_name(f));
        /* Left out: the first frame. */
        ck_assert_uint_eq(verify_reframed(ex, f, keep + 1, n - 1) > 0,
            f == SEEN_AUDIT_CHECKPOINTS || f == SEEN_AUDIT_EVIDENCE);
    }
    /* Each piece of evidence is recorded by a leaf: none can go. */
    keep[0] = 0;
    ck_assert_uint_gt(verify_reframed(ex, SEEN_AUDIT_EVIDENCE, keep, 1), 0);
    keep[0] = 1;
    ck_assert_uint_gt(verify_reframed(ex, SEEN_AUDIT_EVIDENCE, keep, 1), 0);
    ck_assert_uint_gt(verify_reframed(ex, SEEN_AUDIT_EVIDENCE, keep, 0), 0);
    /* The last checkpoint, signed after the last leaf and never sent,
     * may go: the covered size drops (section 7). */
    n = nframes(ex, SEEN_AUDIT_CHECKPOINTS);
    for (i = 0; i < n; i++)
        keep[i] = (int)i;
    ck_assert_uint_eq(
        verify_reframed(ex, SEEN_AUDIT_CHECKPOINTS, keep, n - 1), 0);
    /* Every checkpoint before it is named by a leaf, a sent envelope or a
     * cosignature. */
    for (i = 0; i + 1 < n; i++) {
        int drop[16];
        size_t j, m = 0;

        for (j = 0; j < n; j++)
            if (j != i)
                drop[m++] = (int)j;
        ck_assert_msg(verify_reframed(ex, SEEN_AUDIT_CHECKPOINTS, drop, m) > 0,
            "checkpoint %zu of %zu left out unnoticed", i, n);
    }
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
    node_close(&w);
}
END_TEST

/*
 * Section 4: leaves after the largest checkpoint are bound only by the
 * manifest, which anyone can recompute: a change to one that keeps the
 * leaf rules goes unnoticed once the manifest is forged (documented);
 * the same change to a covered leaf fails.
 */
START_TEST(test_uncovered_tail_is_bound_only_by_the_manifest)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a;
    const uint8_t *fr;
    size_t off = 0, fl, i, n;
    uint8_t *p;

    node_open(&a, "alpha", A, 1);
    t = wtxn(&a);
    add_query_p(t, A, 0, "covered enquiry");
    commit(t);
    free(sign_now(&a, &(size_t){0}));
    t = wtxn(&a);
    add_query_p(t, A, 1, "tail enquiry");
    commit(t);
    export_mem(&a, ex);
    {
        struct seen_audit_opts o = {NULL, A->sign_pk};
        struct seen_audit *x;

        ck_assert_int_eq(seen_audit_open(ex, "a", &o, NULL, NULL, &x), 0);
        ck_assert_uint_eq(seen_audit_failures(x), 0);
        seen_audit_destroy(&x);
        for (n = 0; tframe(&ex[SEEN_AUDIT_LEAVES], &off, &fr, &fl); n++) {
            p = memmem(fr, fl, n == 0 ? "covered" : "tail", 4);
            ck_assert_ptr_nonnull(p);
            for (i = 0; i < 2; i++) {
                p[0] ^= 0x20; /* "covered" -> "Covered" */
                reforge_manifest(ex);
                ck_assert_int_eq(
                    seen_audit_open(ex, "a", &o, NULL, NULL, &x), 0);
                if (i == 0)
                    ck_assert_uint_eq(seen_audit_failures(x) > 0, n == 0);
                seen_audit_destroy(&x);
            }
        }
        ck_assert_uint_eq(n, 2);
    }
    seen_audit_bufs_release(ex);
    node_close(&a);
}
END_TEST

/*
 * Section 11: a checkpoint of X that Y holds, larger than X's log in X's
 * (older) export, is newer than that export, not a contradiction: the
 * cross-check passes and says so; one that contradicts X's log fails
 * (test_rewritten_log_is_caught_through_its_peers); and an export with no
 * authority beside one with an authority fails.
 */
START_TEST(test_cross_check_tells_newer_from_contradicting)
{
    struct seen_audit_buf ea[SEEN_AUDIT_NFILES], eb[SEEN_AUDIT_NFILES],
        el[SEEN_AUDIT_NFILES];
    struct seen_audit_opts lo = {NULL, NULL};
    struct seen_audit *v[2];
    struct seen_txn *t;
    struct tally ty;
    struct node a, b, lone;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    export_mem(&a, ea); /* alpha's export, then more exchange */
    t = wtxn(&a);
    add_query(t, A, 9);
    commit(t);
    send_msg(&a, &b, 1);
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(ea, "alpha", &ty, &v[0]), 0);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_msg(ty.fails == 0, "%s", ty.first_fail);
    ck_assert_uint_eq(seen_audit_failures(v[0]), 0);
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    /* A lone node's export (no authority) beside bravo's. */
    node_open(&lone, "lone", W, 1);
    t = wtxn(&lone);
    add_query(t, W, 0);
    commit(t);
    free(sign_now(&lone, &(size_t){0}));
    export_mem(&lone, el);
    lo.owner = W->sign_pk;
    ck_assert_int_eq(seen_audit_open(el, "lone", &lo, NULL, NULL, &v[0]), 0);
    ck_assert_uint_eq(seen_audit_failures(v[0]), 0);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_uint_eq(ty.fails, 2); /* each against the other */
    ck_assert_ptr_nonnull(strstr(ty.first_fail, "authority"));
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    seen_audit_bufs_release(ea);
    seen_audit_bufs_release(eb);
    seen_audit_bufs_release(el);
    node_close(&a);
    node_close(&b);
    node_close(&lone);
}
END_TEST

Suite *
audit_frames_suite(void)
{
    Suite *s = suite_create("audit_frames");
    TCase *tc;

    tc = tcase_create("frames");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_moved_repeated_or_dropped_frames);
    tcase_add_test(tc, test_evidence_is_recorded_in_the_log_once);
    tcase_add_test(tc, test_uncovered_tail_is_bound_only_by_the_manifest);
    tcase_add_test(tc, test_cross_check_tells_newer_from_contradicting);
    suite_add_tcase(s, tc);
    return s;
}

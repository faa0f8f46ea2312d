/*
 * check_xlog.c: the exchange log (xlog/xlog.h, leaf.h, signing.h,
 * witness.h, over storage/mlog.h): appends, roots and proofs against
 * crypto/merkle.h's in-memory functions; the refusal to sign after a
 * restore from backup; witnessing, cosignatures and evidence of
 * equivocation; consistency proofs served only for checkpoints the node
 * signed, and pending checkpoints settled by them; resolving a halt,
 * after which the node signs only above every size of its own it has
 * seen.  Its audit export and checks are check_audit.c's.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

/* The nodes, stores and helpers both exchange-log suites use. */
#include "tests/xlog_fixture.c"

/* ---- appends, roots and proofs ---- */

START_TEST(test_roots_and_proofs_match_merkle_from_leaves)
{
    uint8_t(*lh)[32], root[32], want[32];
    uint8_t p1[SEEN_MERKLE_PROOF_MAX][32], p2[SEEN_MERKLE_PROOF_MAX][32];
    struct seen_merkle_leaves lv;
    struct seen_txn *t;
    struct node a, b;
    const uint8_t *leaf;
    size_t len, n1, n2;
    uint64_t i, j, n = 70, size;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    install_membership(&a);
    install_membership(&b);
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    ck_assert_uint_eq(size, 0);
    ck_assert_int_eq(seen_xlog_root(t, 0, root), 0);
    seen_merkle_empty_root(want);
    ck_assert_mem_eq(root, want, 32);
    ck_assert_int_eq(seen_xlog_root(t, 1, root), SEEN_EINVAL);
    commit(t);
    for (i = 0; i < n; i++) {
        if (i % 10 == 3) {
            send_msg(&a, &b, i % 20 == 3);
        } else if (i % 10 == 7) {
            t = wtxn(&a);
            ck_assert_uint_eq(
                add_decision(t, A, i & 1, (i & 1) ? NULL : B->sign_pk), i);
            commit(t);
        } else {
            t = wtxn(&a);
            ck_assert_uint_eq(add_query(t, A, (int)i), i);
            commit(t);
        }
    }
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    ck_assert_uint_eq(size, n);
    ck_assert_ptr_nonnull(lh = malloc(n * 32));
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), 0);
        seen_merkle_leaf_hash(lh[i], leaf, len);
    }
    ck_assert_int_eq(seen_xlog_leaf(t, n, &leaf, &len), SEEN_ENOTFOUND);
    lv.hash = (const uint8_t(*)[32])lh;
    for (size = 0; size <= n; size++) {
        lv.n = size;
        ck_assert_int_eq(seen_merkle_root_of(
                             seen_merkle_subtree_from_leaves, &lv, size, want),
            0);
        ck_assert_int_eq(seen_xlog_root(t, size, root), 0);
        ck_assert_mem_eq(root, want, 32);
        for (i = 0; i < size; i += 1 + size / 7) {
            ck_assert_int_eq(seen_xlog_inclusion(t, i, size, p1, &n1), 0);
            ck_assert_int_eq(
                seen_merkle_inclusion_proof(
                    seen_merkle_subtree_from_leaves, &lv, i, size, p2, &n2),
                0);
            ck_assert_uint_eq(n1, n2);
            ck_assert_mem_eq(p1, p2, n1 * 32);
            ck_assert_int_eq(seen_merkle_verify_inclusion(lh[i], i, size,
                                 (const uint8_t(*)[32])p1, n1, root),
                0);
        }
        for (j = 1; j <= size; j += 1 + size / 5) {
            uint8_t r1[32];

            ck_assert_int_eq(seen_xlog_consistency(t, j, size, p1, &n1), 0);
            ck_assert_int_eq(
                seen_merkle_consistency_proof(
                    seen_merkle_subtree_from_leaves, &lv, j, size, p2, &n2),
                0);
            ck_assert_uint_eq(n1, n2);
            ck_assert_mem_eq(p1, p2, n1 * 32);
            ck_assert_int_eq(seen_xlog_root(t, j, r1), 0);
            ck_assert_int_eq(seen_merkle_verify_consistency(j, size, r1, root,
                                 (const uint8_t(*)[32])p1, n1),
                0);
        }
    }
    ck_assert_int_eq(seen_xlog_inclusion(t, 3, 3, p1, &n1), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_inclusion(t, 0, n + 1, p1, &n1), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_consistency(t, 0, 3, p1, &n1), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_consistency(t, 4, 3, p1, &n1), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_consistency(t, 1, n + 1, p1, &n1), SEEN_EINVAL);
    seen_store_abort(t);
    free(lh);
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_leaves_record_kind_peer_seq_and_signed_size)
{
    struct seen_xlog_leafview v;
    struct seen_txn *t;
    struct node a, b;
    const uint8_t *leaf;
    const char *why;
    size_t len;
    uint64_t i;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    t = wtxn(&a);
    for (i = 0; i < 3; i++)
        add_query(t, A, (int)i);
    commit(t);
    free(sign_now(&a, &len)); /* signed at size 3 */
    send_msg(&a, &b, 0);      /* leaf 3 */
    t = wtxn(&a);
    add_decision(t, A, 1, B->sign_pk); /* leaf 4 */
    commit(t);
    t = rtxn(&a);
    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), 0);
        ck_assert_int_eq(
            seen_xlog_leaf_parse(leaf, len, A->sign_pk, i, &v, &why), 0);
        ck_assert_uint_eq(v.leaf->seq, i);
        ck_assert_uint_eq(v.leaf->signed_size, i < 3 ? 0 : 3);
        if (i == 3) {
            ck_assert_int_eq(v.leaf->kind, SEEN__XLOG_KIND__XLOG_SENT);
            ck_assert_mem_eq(v.leaf->peer.data, B->sign_pk, 32);
            ck_assert_ptr_nonnull(v.env);
        } else if (i == 4) {
            ck_assert_int_eq(v.leaf->kind, SEEN__XLOG_KIND__XLOG_DECISION);
            ck_assert(v.decision->shared);
            ck_assert_mem_eq(v.leaf->peer.data, B->sign_pk, 32);
        } else {
            ck_assert_int_eq(v.leaf->kind, SEEN__XLOG_KIND__XLOG_QUERY);
            ck_assert_uint_eq(v.leaf->peer.len, 0);
            ck_assert_str_eq(v.query->purpose, "section 47 enquiry");
        }
        /* The same bytes at another position, or of another owner, fail. */
        seen_xlog_leaf_release(&v);
        ck_assert_int_eq(
            seen_xlog_leaf_parse(leaf, len, A->sign_pk, i + 1, &v, &why),
            SEEN_EINVAL);
        ck_assert_ptr_null(v.leaf);
        if (i == 3)
            ck_assert_int_eq(
                seen_xlog_leaf_parse(leaf, len, B->sign_pk, i, &v, &why),
                SEEN_EINVAL);
    }
    seen_store_abort(t);
    /* At B the same envelope is a RECEIVED leaf with A as peer. */
    t = rtxn(&b);
    ck_assert_int_eq(seen_xlog_leaf(t, 0, &leaf, &len), 0);
    ck_assert_int_eq(
        seen_xlog_leaf_parse(leaf, len, B->sign_pk, 0, &v, &why), 0);
    ck_assert_int_eq(v.leaf->kind, SEEN__XLOG_KIND__XLOG_RECEIVED);
    ck_assert_mem_eq(v.leaf->peer.data, A->sign_pk, 32);
    seen_xlog_leaf_release(&v);
    seen_xlog_leaf_release(&v);
    seen_store_abort(t);
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_append_refuses_leaves_that_break_the_rules)
{
    Seen__QueryRecord q = SEEN__QUERY_RECORD__INIT;
    Seen__DecisionRecord d = SEEN__DECISION_RECORD__INIT;
    uint8_t rid[16] = {1}, junk[8] = {0xff, 0xff, 0xff}, *env;
    struct seen_txn *t;
    struct node a;
    size_t len;
    uint64_t size;

    node_open(&a, "alpha", A, 1);
    t = wtxn(&a);
    q.operator_ = (char *)"lead";
    q.purpose = (char *)"";
    q.time = NOW;
    ck_assert_int_eq(seen_xlog_query(t, A, &q, NULL), SEEN_EINVAL);
    q.purpose = (char *)"strategy meeting";
    q.criteria_digest = (char *)"Jane Doe 2016-04-01";
    ck_assert_int_eq(seen_xlog_query(t, A, &q, NULL), SEEN_EINVAL);
    q.criteria_digest = (char *)"";
    q.operator_ = (char *)"";
    ck_assert_int_eq(seen_xlog_query(t, A, &q, NULL), SEEN_EINVAL);
    q.operator_ = (char *)"lead";
    ck_assert_int_eq(seen_xlog_query(t, A, &q, NULL), SEEN_OK);
    d.operator_ = (char *)"lead";
    d.request_id = (ProtobufCBinaryData){16, rid};
    d.shared = 0;
    d.reason = (char *)"";
    ck_assert_int_eq(seen_xlog_decision(t, A, &d, NULL, NULL), SEEN_EINVAL);
    d.reason = (char *)"more detrimental to the child";
    d.review = (char *)"2026-13-01";
    ck_assert_int_eq(seen_xlog_decision(t, A, &d, NULL, NULL), SEEN_EINVAL);
    d.review = (char *)"2026-12-01";
    ck_assert_int_eq(seen_xlog_decision(t, A, &d, NULL, NULL), SEEN_OK);
    /* An envelope between other nodes is neither sent nor received by A. */
    env = seal(B, W, NULL, &len);
    ck_assert_int_eq(seen_xlog_sent(t, A, env, len, NOW, NULL), SEEN_EINVAL);
    ck_assert_int_eq(log_received(t, A, W, env, len), SEEN_EINVAL);
    /* A's own envelope is not one A received; a peer must match. */
    free(env);
    env = seal(A, B, NULL, &len);
    ck_assert_int_eq(log_received(t, A, B, env, len), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_append(t, A, SEEN__XLOG_KIND__XLOG_SENT,
                         W->sign_pk, env, len, NOW, NULL),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_append(t, A, SEEN__XLOG_KIND__XLOG_SENT,
                         B->sign_pk, env, len, NOW, NULL),
        SEEN_OK);
    ck_assert_int_eq(
        seen_xlog_sent(t, A, junk, sizeof junk, NOW, NULL), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_append(t, A, SEEN__XLOG_KIND__XLOG_UNSPECIFIED,
                         NULL, junk, sizeof junk, NOW, NULL),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_append(t, A, (Seen__XLogKind)9, NULL, junk,
                         sizeof junk, NOW, NULL),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_append(t, A, SEEN__XLOG_KIND__XLOG_QUERY,
                         B->sign_pk, NULL, 0, NOW, NULL),
        SEEN_EINVAL);
    free(env);
    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    ck_assert_uint_eq(size, 3);
    commit(t);
    node_close(&a);
}
END_TEST

/* ---- checkpoints and the refusal to sign a second history ---- */

START_TEST(test_checkpoint_signs_the_log_once_per_size)
{
    uint8_t b1[SEEN_CHECKPOINT_BUF], b2[SEEN_CHECKPOINT_BUF], root[32];
    Seen__Checkpoint c1, c2;
    struct seen_txn *t;
    struct node a;
    const uint8_t *lb;
    size_t ll;

    node_open(&a, "alpha", A, 1);
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_latest(t, &lb, &ll), SEEN_ENOTFOUND);
    add_query(t, A, 0);
    add_query(t, A, 1);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW, &c1, b1), 0);
    ck_assert_uint_eq(c1.size, 2);
    ck_assert_int_eq(seen_xlog_root(t, 2, root), 0);
    ck_assert_mem_eq(c1.root.data, root, 32);
    ck_assert_int_eq(
        seen_checkpoint_verify(&c1, SEEN_DOMAIN_XLOG_CHECKPOINT), 0);
    ck_assert_int_ne(
        seen_checkpoint_verify(&c1, SEEN_DOMAIN_FEED_CHECKPOINT), 0);
    commit(t);
    /* Nothing new: the same checkpoint, not a second signature. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW + 60, &c2, b2), 0);
    ck_assert_uint_eq(c2.note.len, c1.note.len);
    ck_assert_mem_eq(c2.note.data, c1.note.data, c1.note.len);
    add_query(t, A, 2);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW + 60, &c2, b2), 0);
    ck_assert_uint_eq(c2.size, 3);
    ck_assert_int_eq(seen_xlog_latest(t, &lb, &ll), 0);
    commit(t);
    ck_assert_int_eq(seen_xlog_halted(t = rtxn(&a)), 0);
    seen_store_abort(t);
    node_close(&a);
}
END_TEST

static void
copy_file(const char *from, const char *to)
{
    char buf[65536];
    size_t n;
    FILE *in, *out;

    ck_assert_ptr_nonnull(in = fopen(from, "rb"));
    ck_assert_ptr_nonnull(out = fopen(to, "wb"));
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

START_TEST(test_restored_node_shown_its_later_checkpoint_refuses_to_sign)
{
    char data[4096], aside[4096];
    uint8_t buf[SEEN_CHECKPOINT_BUF], *c5b, *c10b, *cosig;
    Seen__Checkpoint *c5, *c10, cp;
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct tally ty;
    struct node a, a2;
    size_t c5l, c10l, clen;
    int i;

    node_open(&a, "alpha", A, 1);
    install_membership(&a);
    t = wtxn(&a);
    for (i = 0; i < 5; i++)
        add_query(t, A, i);
    commit(t);
    c5b = sign_now(&a, &c5l);
    /* The backup. */
    node_close(&a);
    snprintf(data, sizeof data, "%s/data.mdb", a.dir);
    snprintf(aside, sizeof aside, "%s/backup.mdb", base);
    copy_file(data, aside);
    node_open(&a, "alpha", A, 0);
    t = wtxn(&a);
    for (i = 5; i < 10; i++)
        add_query(t, A, i);
    commit(t);
    c10b = sign_now(&a, &c10l); /* a peer holds this one */
    node_close(&a);
    /* The restore, and a new history from size 5. */
    copy_file(aside, data);
    node_open(&a, "alpha", A, 0);
    t = wtxn(&a);
    for (i = 0; i < 3; i++)
        add_query_p(t, A, 100 + i, "a different history");
    commit(t);
    ck_assert_int_eq(seen_checkpoint_decode(c5b, c5l, &c5), 0);
    ck_assert_int_eq(seen_checkpoint_decode(c10b, c10l, &c10), 0);
    /* Its earlier checkpoint agrees; the later one is beyond its log. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c5), 0);
    ck_assert_int_eq(seen_xlog_halted(t), 0);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c10), SEEN_EAUTH);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
    commit(t);
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW, &cp, buf), SEEN_EPERM);
    seen_store_abort(t);
    /* Durably: after a restart too. */
    node_close(&a);
    node_open(&a, "alpha", A, 0);
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW, &cp, buf), SEEN_EPERM);
    /* Appending goes on: the log must still record what happens. */
    add_query(t, A, 50);
    commit(t);
    /* Its export proves the rollback to an auditor. */
    export_mem(&a, ex);
    ck_assert_uint_gt(verify(ex, "alpha", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "evidence"));
    seen_audit_bufs_release(ex);
    node_close(&a);

    /* The same through a cosignature: a second restore of the backup. */
    snprintf(data, sizeof data, "%s/alpha2", base);
    ck_assert_int_eq(mkdir(data, 0700), 0);
    snprintf(data, sizeof data, "%s/alpha2/data.mdb", base);
    copy_file(aside, data);
    node_open(&a2, "alpha2", A, 0);
    t = wtxn(&a2);
    add_query_p(t, A, 200, "yet another history");
    commit(t);
    ck_assert_int_eq(seen_xlog_cosign(B, c10b, c10l, NOW, &cosig, &clen), 0);
    t = wtxn(&a2);
    ck_assert_int_eq(seen_xlog_add_cosignature(t, A, cosig, clen), SEEN_EAUTH);
    commit(t);
    t = wtxn(&a2);
    ck_assert_int_eq(seen_xlog_checkpoint(t, A, NOW, &cp, buf), SEEN_EPERM);
    seen_store_abort(t);
    node_close(&a2);
    free(cosig);
    seen_checkpoint_destroy(&c5);
    seen_checkpoint_destroy(&c10);
    free(c5b);
    free(c10b);
}
END_TEST

START_TEST(test_note_own_checkpoint_rejects_forgeries_and_others_logs)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];
    Seen__Checkpoint cp;
    struct seen_txn *t;
    struct node a;

    node_open(&a, "alpha", A, 1);
    t = wtxn(&a);
    add_query(t, A, 0);
    ck_assert_int_eq(seen_xlog_root(t, 1, root), 0);
    /* B's checkpoint, and one of A's log signed by B: not A's. */
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_XLOG_CHECKPOINT,
                         B, 1, root, NOW),
        0);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, &cp), SEEN_EINVAL);
    memcpy(buf, A->sign_pk, 32);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, &cp), SEEN_EINVAL);
    /* A feed checkpoint is not an exchange-log one. */
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         A, 5, root, NOW),
        0);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, &cp), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_halted(t), 0);
    commit(t);
    node_close(&a);
}
END_TEST

/* ---- witnessing ---- */

static int
count_fn(void *ctx, const uint8_t *val, size_t len)
{
    size_t *n = ctx;

    (void)val;
    (void)len;
    (*n)++;
    return 0;
}

/* Log queries for ${purpose} in ${n}'s log until it has ${size}
 * leaves (the query of leaf i made at NOW + i). */
static void
grow_to(struct node *n, uint64_t size, const char *purpose)
{
    struct seen_txn *t = wtxn(n);
    uint64_t s;

    ck_assert_int_eq(seen_xlog_size(t, &s), 0);
    for (; s < size; s++)
        add_query_p(t, n->k, (int)s, purpose);
    commit(t);
}

/* Decode ${b} and return it (the test frees it). */
static Seen__Checkpoint *
cp_of(const uint8_t *b, size_t l)
{
    Seen__Checkpoint *c;

    ck_assert_int_eq(seen_checkpoint_decode(b, l, &c), 0);
    return c;
}

/* The size of the checkpoint of A's log held, read in ${t} (0: none). */
static uint64_t
held_size_of(struct seen_txn *t)
{
    Seen__Checkpoint *c;
    const uint8_t *hb;
    size_t hl;
    uint64_t n;

    if (seen_xlog_held(t, A->sign_pk, &hb, &hl) != 0)
        return 0;
    c = cp_of(hb, hl);
    n = c->size;
    seen_checkpoint_destroy(&c);
    return n;
}

/* Open the cosignature ${cosig} (${clen} bytes), which must verify, and
 * be by ${by} unless that is NULL; return the size of the checkpoint it
 * countersigns. */
static uint64_t
cosigned_size(const uint8_t *cosig, size_t clen, const struct seen_keys *by)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *got;
    uint64_t size;

    ck_assert_int_eq(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
    if (by != NULL)
        ck_assert_mem_eq(cs->witness.data, by->sign_pk, 32);
    size = got->size;
    seen__cosignature__free_unpacked(cs, NULL);
    seen_checkpoint_destroy(&got);
    return size;
}

/* Write the consistency proof of ${n}'s log from ${from} leaves to ${to}
 * to ${proof} (*${plen} hashes), as its node serves it. */
static void
proof_of(struct node *n, uint64_t from, uint64_t to,
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    struct seen_txn *t = rtxn(n);

    ck_assert_int_eq(seen_xlog_consistency(t, from, to, proof, plen), 0);
    seen_store_abort(t);
}

START_TEST(test_witness_checks_consistency_and_cosigns)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *cosig, *enc[4], *x;
    Seen__Checkpoint *cp[4], *got;
    Seen__Cosignature *cs;
    struct seen_txn *t;
    struct node a, b;
    const uint8_t *hb;
    size_t len[4], hl, clen, plen, n = 0;
    int i;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    /* A signs at sizes 3, 5, 7 and 7 again (no change: the same one). */
    for (i = 0; i < 4; i++) {
        t = wtxn(&a);
        if (i < 3) {
            add_query(t, A, 2 * i);
            add_query(t, A, 2 * i + 1);
        }
        if (i == 0)
            add_query(t, A, 99);
        commit(t);
        enc[i] = sign_now(&a, &len[i]);
        ck_assert_int_eq(seen_checkpoint_decode(enc[i], len[i], &cp[i]), 0);
    }
    ck_assert_uint_eq(cp[0]->size, 3);
    ck_assert_uint_eq(cp[2]->size, 7);
    ck_assert_mem_eq(enc[3], enc[2], len[2]);
    t = wtxn(&b);
    /* The first one held is taken as it is. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, cp[0], NULL, 0, NOW, &cosig, &clen), 0);
    ck_assert_uint_eq(cosigned_size(cosig, clen, B), 3);
    /* A countersignature is by B, over the time and the note. */
    x = cosig;
    x[clen - 1] ^= 1; /* the line's last byte, its newline */
    ck_assert_int_ne(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
    ck_assert_ptr_null(cs);
    free(cosig);
    /* Larger, no proof: kept pending. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, cp[2], NULL, 0, NOW, &cosig, &clen),
        SEEN_EAGAIN);
    ck_assert_ptr_null(cosig);
    ck_assert_int_eq(seen_xlog_pending(t, A->sign_pk, &hb, &hl), 0);
    ck_assert_uint_eq(held_size_of(t), 3);
    commit(t);
    /* With the proof from A: held, pending cleared, cosigned. */
    proof_of(&a, 3, 7, proof, &plen);
    t = wtxn(&b);
    ck_assert_int_eq(seen_xlog_witness(t, B, cp[2], (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        0);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &hb, &hl), SEEN_ENOTFOUND);
    ck_assert_uint_eq(held_size_of(t), 7);
    commit(t);
    /* A keeps the cosignature. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_add_cosignature(t, A, cosig, clen), 0);
    /* Not B's: B's own log. */
    ck_assert_int_eq(seen_xlog_add_cosignature(t, B, cosig, clen), SEEN_EINVAL);
    commit(t);
    free(cosig);
    /* Older, with the proof from it to the one held: cosigned, not held. */
    proof_of(&a, 5, 7, proof, &plen);
    t = wtxn(&b);
    ck_assert_int_eq(seen_xlog_witness(t, B, cp[1], (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        0);
    free(cosig);
    ck_assert_int_eq(
        seen_xlog_witness(t, B, cp[1], NULL, 0, NOW, &cosig, &clen),
        SEEN_EAGAIN);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &hb, &hl), SEEN_ENOTFOUND);
    /* Equal: no proof needed. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, cp[2], NULL, 0, NOW, &cosig, &clen), 0);
    free(cosig);
    ck_assert_uint_eq(held_size_of(t), 7);
    /* Its own checkpoint, or a forged one, is refused. */
    ck_assert_int_eq(seen_checkpoint_decode(enc[0], len[0], &got), 0);
    got->note.data[got->note.len - 5] ^= 1; /* the note's signature */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, got, NULL, 0, NOW, &cosig, &clen), SEEN_EINVAL);
    seen_checkpoint_destroy(&got);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 0);
    commit(t);
    for (i = 0; i < 4; i++) {
        seen_checkpoint_destroy(&cp[i]);
        free(enc[i]);
    }
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_witness_keeps_both_checkpoints_of_an_equivocation)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *cosig, *e7, *f7, *f9;
    Seen__Checkpoint *c7, *d7, *d9;
    Seen__XLogEvidence *ev;
    struct seen_txn *t;
    struct node a, fork, b;
    size_t l7, lf7, lf9, clen, plen, n = 0;
    int i;

    node_open(&a, "alpha", A, 1);
    node_open(&fork, "alpha-fork", A, 1);
    node_open(&b, "bravo", B, 1);
    t = wtxn(&a);
    for (i = 0; i < 7; i++)
        add_query(t, A, i);
    commit(t);
    t = wtxn(&fork);
    for (i = 0; i < 9; i++)
        add_query_p(t, A, i, i == 4 ? "changed" : "section 47 enquiry");
    commit(t);
    e7 = sign_now(&a, &l7);
    ck_assert_int_eq(seen_checkpoint_decode(e7, l7, &c7), 0);
    /* The fork signs size 7 too, and 9. */
    {
        struct seen_txn *ft = wtxn(&fork);
        uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];
        Seen__Checkpoint c;

        ck_assert_int_eq(seen_xlog_root(ft, 7, root), 0);
        ck_assert_int_eq(seen_checkpoint_sign(&c, buf,
                             SEEN_DOMAIN_XLOG_CHECKPOINT, A, 7, root, NOW),
            0);
        ck_assert_int_eq(seen_checkpoint_encode(&c, &f7, &lf7), 0);
        seen_store_abort(ft);
    }
    f9 = sign_now(&fork, &lf9);
    ck_assert_int_eq(seen_checkpoint_decode(f7, lf7, &d7), 0);
    ck_assert_int_eq(seen_checkpoint_decode(f9, lf9, &d9), 0);
    t = wtxn(&b);
    ck_assert_int_eq(
        seen_xlog_witness(t, B, c7, NULL, 0, NOW, &cosig, &clen), 0);
    free(cosig);
    /* Same size, another root. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, d7, NULL, 0, NOW, &cosig, &clen), SEEN_EAUTH);
    ck_assert_ptr_null(cosig);
    commit(t);
    /* Larger, with the fork's own (valid for it) proof from size 7. */
    t = rtxn(&fork);
    ck_assert_int_eq(seen_xlog_consistency(t, 7, 9, proof, &plen), 0);
    seen_store_abort(t);
    t = wtxn(&b);
    ck_assert_int_eq(seen_xlog_witness(t, B, d9, (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        SEEN_EAUTH);
    commit(t);
    t = rtxn(&b);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 2);
    /* The held one is still the first. */
    {
        const uint8_t *hb;
        size_t hl;

        ck_assert_int_eq(seen_xlog_held(t, A->sign_pk, &hb, &hl), 0);
        ck_assert_uint_eq(hl, l7);
        ck_assert_mem_eq(hb, e7, l7);
    }
    seen_store_abort(t);
    /* The evidence verifies in B's export as findings, not failures. */
    install_membership(&b);
    {
        struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
        struct tally ty;
        size_t off = 0;
        const uint8_t *fr;
        size_t fl;

        export_mem(&b, ex);
        ck_assert_uint_eq(verify(ex, "bravo", &ty, NULL), 0);
        ck_assert_uint_eq(ty.findings, 2);
        /* Both checkpoints and the proof are there. */
        ck_assert_int_eq(tframe(&ex[SEEN_AUDIT_EVIDENCE], &off, &fr, &fl), 1);
        ck_assert_ptr_nonnull(ev = seen__xlog_evidence__unpack(NULL, fl, fr));
        ck_assert_ptr_nonnull(ev->first);
        ck_assert_ptr_nonnull(ev->second);
        seen__xlog_evidence__free_unpacked(ev, NULL);
        seen_audit_bufs_release(ex);
    }
    seen_checkpoint_destroy(&c7);
    seen_checkpoint_destroy(&d7);
    seen_checkpoint_destroy(&d9);
    free(e7);
    free(f7);
    free(f9);
    node_close(&a);
    node_close(&fork);
    node_close(&b);
}
END_TEST

START_TEST(test_prove_answers_only_for_checkpoints_it_signed)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], bad[SEEN_MERKLE_PROOF_MAX][32];
    uint8_t *e3, *e7, *cosig, r3[32], r7[32];
    Seen__Checkpoint *c3, *c7;
    struct seen_txn *t;
    struct node a, b;
    const uint8_t *cb;
    size_t l3, l7, cl, plen, clen, n = 0;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    grow_to(&a, 3, "section 47 enquiry");
    e3 = sign_now(&a, &l3);
    grow_to(&a, 7, "section 47 enquiry");
    e7 = sign_now(&a, &l7);
    c3 = cp_of(e3, l3);
    c7 = cp_of(e7, l7);
    grow_to(&a, 8, "section 47 enquiry"); /* size 8, never signed */

    t = rtxn(&a);
    /* Sizes out of order, of the empty tree, or beyond the log. */
    ck_assert_int_eq(
        seen_xlog_prove(t, 0, 7, &cb, &cl, proof, &plen), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_prove(t, 7, 7, &cb, &cl, proof, &plen), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_prove(t, 7, 3, &cb, &cl, proof, &plen), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_prove(t, 3, 9, &cb, &cl, proof, &plen), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_prove(t, 3, UINT64_MAX, &cb, &cl, proof, &plen), SEEN_EINVAL);
    /* Within the log, but no checkpoint of that size was signed. */
    ck_assert_int_eq(
        seen_xlog_prove(t, 3, 5, &cb, &cl, proof, &plen), SEEN_ENOTFOUND);
    ck_assert_int_eq(
        seen_xlog_prove(t, 3, 8, &cb, &cl, proof, &plen), SEEN_ENOTFOUND);
    ck_assert_ptr_null(cb);
    /* From any size to one it signed: that checkpoint and the proof. */
    ck_assert_int_eq(seen_xlog_prove(t, 1, 7, &cb, &cl, proof, &plen), 0);
    ck_assert_uint_eq(plen, seen_merkle_consistency_len(1, 7));
    ck_assert_int_eq(seen_xlog_prove(t, 3, 7, &cb, &cl, proof, &plen), 0);
    ck_assert_uint_eq(cl, l7);
    ck_assert_mem_eq(cb, e7, l7);
    ck_assert_uint_eq(plen, seen_merkle_consistency_len(3, 7));
    ck_assert_int_eq(seen_xlog_root(t, 3, r3), 0);
    ck_assert_int_eq(seen_xlog_root(t, 7, r7), 0);
    ck_assert_int_eq(seen_merkle_verify_consistency(
                         3, 7, r3, r7, (const uint8_t(*)[32])proof, plen),
        0);
    seen_store_abort(t);

    /* B holds 3, and takes 7 with that proof; a wrong length is no proof
     * (no evidence), a wrong hash is evidence. */
    t = wtxn(&b);
    ck_assert_int_eq(
        seen_xlog_witness(t, B, c3, NULL, 0, NOW, &cosig, &clen), 0);
    free(cosig);
    ck_assert_int_eq(
        seen_xlog_witness(t, B, c7, NULL, 0, NOW, &cosig, &clen), SEEN_EAGAIN);
    ck_assert_int_eq(seen_xlog_witness(t, B, c7, (const uint8_t(*)[32])proof,
                         plen - 1, NOW, &cosig, &clen),
        SEEN_EINVAL);
    memcpy(bad, proof, sizeof proof);
    ck_assert_int_eq(seen_xlog_witness(t, B, c7, (const uint8_t(*)[32])bad,
                         plen + 1, NOW, &cosig, &clen),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 0);
    bad[plen - 1][5] ^= 0x20;
    ck_assert_int_eq(seen_xlog_witness(t, B, c7, (const uint8_t(*)[32])bad,
                         plen, NOW, &cosig, &clen),
        SEEN_EAUTH);
    ck_assert_ptr_null(cosig);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(held_size_of(t), 3);
    commit(t);
    t = wtxn(&b);
    ck_assert_int_eq(seen_xlog_witness(t, B, c7, (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        0);
    ck_assert_uint_eq(cosigned_size(cosig, clen, NULL), 7);
    ck_assert_uint_eq(held_size_of(t), 7);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &cb, &cl), SEEN_ENOTFOUND);
    commit(t);
    free(cosig);
    seen_checkpoint_destroy(&c3);
    seen_checkpoint_destroy(&c7);
    free(e3);
    free(e7);
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_witness_settles_what_is_pending)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *e[4], *cosig, *f7;
    Seen__Checkpoint *c[4], *d7;
    struct seen_txn *t;
    struct node a, fork, b;
    const uint8_t *cb;
    size_t l[4], lf7, cl, plen, clen, n = 0;
    int i, j;

    node_open(&a, "alpha", A, 1);
    node_open(&fork, "alpha-fork", A, 1);
    node_open(&b, "bravo", B, 1);
    /* A signs 2, 4, 6 and 7; the fork signs 7 over another history. */
    for (i = 0; i < 4; i++) {
        t = wtxn(&a);
        for (j = 0; j < (i < 3 ? 2 : 1); j++)
            add_query(t, A, 2 * i + j);
        commit(t);
        e[i] = sign_now(&a, &l[i]);
        c[i] = cp_of(e[i], l[i]);
    }
    ck_assert_uint_eq(c[3]->size, 7);
    t = wtxn(&fork);
    for (i = 0; i < 7; i++)
        add_query_p(t, A, i, i == 5 ? "changed" : "section 47 enquiry");
    commit(t);
    f7 = sign_now(&fork, &lf7);
    d7 = cp_of(f7, lf7);

    t = wtxn(&b);
    ck_assert_int_eq(
        seen_xlog_witness(t, B, c[0], NULL, 0, NOW, &cosig, &clen), 0);
    free(cosig);
    /* An older pending one is settled by a larger one proven. */
    ck_assert_int_eq(seen_xlog_witness(t, B, c[1], NULL, 0, NOW, &cosig, &clen),
        SEEN_EAGAIN);
    ck_assert_int_eq(seen_xlog_pending(t, A->sign_pk, &cb, &cl), 0);
    {
        struct seen_txn *at = rtxn(&a);

        ck_assert_int_eq(seen_xlog_prove(at, 2, 6, &cb, &cl, proof, &plen), 0);
        seen_store_abort(at);
    }
    ck_assert_int_eq(seen_xlog_witness(t, B, c[2], (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        0);
    free(cosig);
    ck_assert_uint_eq(held_size_of(t), 6);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &cb, &cl), SEEN_ENOTFOUND);
    /* The fork's 7 is pending; A's own 7 comes proven: the two roots of
     * size 7 are kept as evidence, and not countersigned. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, d7, NULL, 0, NOW, &cosig, &clen), SEEN_EAGAIN);
    {
        struct seen_txn *at = rtxn(&a);

        ck_assert_int_eq(seen_xlog_prove(at, 6, 7, &cb, &cl, proof, &plen), 0);
        seen_store_abort(at);
    }
    ck_assert_int_eq(seen_xlog_witness(t, B, c[3], (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        SEEN_EAUTH);
    ck_assert_ptr_null(cosig);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &cb, &cl), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 1);
    commit(t);
    for (i = 0; i < 4; i++) {
        seen_checkpoint_destroy(&c[i]);
        free(e[i]);
    }
    seen_checkpoint_destroy(&d7);
    free(f7);
    node_close(&a);
    node_close(&fork);
    node_close(&b);
}
END_TEST

/* ---- resolving a halt ---- */

/* The number of leaves of ${n}'s log. */
static uint64_t
log_size(struct node *n)
{
    struct seen_txn *t = rtxn(n);
    uint64_t size;

    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    seen_store_abort(t);
    return size;
}

/* seen_xlog_checkpoint() inside a transaction of its own: its code. */
static int
try_sign(struct node *n, uint64_t *size)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    Seen__Checkpoint cp;
    struct seen_txn *t = wtxn(n);
    int rc;

    rc = seen_xlog_checkpoint(t, n->k, NOW, &cp, buf);
    if (rc == 0) {
        if (size != NULL)
            *size = cp.size;
        commit(t);
    } else {
        seen_store_abort(t);
    }
    return rc;
}

static int
first_resolution(void *ctx, const uint8_t *val, size_t len)
{
    Seen__XLogResolution **r = ctx;

    if (*r == NULL)
        ck_assert_ptr_nonnull(*r = seen__xlog_resolution__unpack(
                                  NULL, len, val));
    return 0;
}

/*
 * A history of a restore, for ${a} at 5 leaves, signed: backed up at 5,
 * its log goes on to 10 and 12, both signed ([out] ${c10}, ${c12},
 * which the caller destroys); restored from the backup, it grows another
 * history to 8, is shown its checkpoint of size 10 and stops signing.
 */
static void
restore_behind(struct node *a, Seen__Checkpoint **c10, Seen__Checkpoint **c12)
{
    char data[4096], aside[4096];
    uint8_t *c10b, *c12b;
    struct seen_txn *t;
    size_t l10, l12;

    node_close(a);
    snprintf(data, sizeof data, "%s/data.mdb", a->dir);
    snprintf(aside, sizeof aside, "%s/backup.mdb", base);
    copy_file(data, aside);
    node_open(a, "alpha", A, 0);
    grow_to(a, 10, "section 47 enquiry");
    c10b = sign_now(a, &l10);
    grow_to(a, 12, "section 47 enquiry");
    c12b = sign_now(a, &l12);
    *c10 = cp_of(c10b, l10);
    *c12 = cp_of(c12b, l12);
    free(c10b);
    free(c12b);
    node_close(a);
    /* Restored; a new history from 5 to 8; a peer shows it 10. */
    copy_file(aside, data);
    node_open(a, "alpha", A, 0);
    grow_to(a, 8, "a different history");
    t = wtxn(a);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, *c10), SEEN_EAUTH);
    commit(t);
    ck_assert_int_eq(try_sign(a, NULL), SEEN_EPERM);
}

/* A halted node's resolution is refused without a reason or an operator,
 * or with too long a reason: nothing is written (in ${t}). */
static void
resolve_refuses_bad_requests(struct seen_txn *t)
{
    char longr[SEEN_XLOG_REASON_MAX + 2];
    uint64_t floor = 0;

    memset(longr, 'x', sizeof longr - 1);
    longr[sizeof longr - 1] = '\0';
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", "", NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", NULL, NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "", "restored", NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", longr, NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
}

START_TEST(test_resolve_signs_again_only_above_the_evidence)
{
    uint8_t *fresh;
    Seen__Checkpoint *c10, *c12;
    Seen__XLogResolution *r = NULL;
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct tally ty;
    struct node a;
    size_t lf, n = 0;
    uint64_t floor = 0, size = 0;

    node_open(&a, "alpha", A, 1);
    install_membership(&a);
    /* Nothing to resolve on a node that signs. */
    grow_to(&a, 5, "section 47 enquiry");
    free(sign_now(&a, &lf));
    t = wtxn(&a);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", "why", NOW, &floor), SEEN_ENOTFOUND);
    seen_store_abort(t);
    /* The backup at 5; the history goes on to 10 and 12, signed;
     * restored, it is shown 10 and halts. */
    restore_behind(&a, &c10, &c12);

    t = wtxn(&a);
    resolve_refuses_bad_requests(t);
    /* Resolved: the evidence stays, the node signs above 10 only. */
    ck_assert_int_eq(seen_xlog_resolve(t, A, "admin",
                         "restored from the backup of Monday", NOW + 5, &floor),
        0);
    ck_assert_uint_eq(floor, 10);
    ck_assert_int_eq(seen_xlog_halted(t), 0);
    ck_assert_int_eq(seen_xlog_iter(t, SEEN_XLOG_EVIDENCE, count_fn, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(
        seen_xlog_iter(t, SEEN_XLOG_RESOLUTIONS, first_resolution, &r), 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->operator_, "admin");
    ck_assert_str_eq(r->reason, "restored from the backup of Monday");
    ck_assert_uint_eq(r->time, NOW + 5);
    ck_assert_uint_eq(r->floor, 10);
    ck_assert_uint_gt(r->evidence.len, 0);
    seen__xlog_resolution__free_unpacked(r, NULL);
    r = NULL;
    commit(t);
    /* Not at 8, not at 10: the sizes it signed before. */
    ck_assert_int_eq(try_sign(&a, NULL), SEEN_EPERM);
    grow_to(&a, 10, "a different history");
    ck_assert_int_eq(try_sign(&a, NULL), SEEN_EPERM);
    /* Durably. */
    node_close(&a);
    node_open(&a, "alpha", A, 0);
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_floor(t, &floor), 0);
    ck_assert_uint_eq(floor, 10);
    ck_assert_int_eq(seen_xlog_halted(t), 0);
    seen_store_abort(t);
    grow_to(&a, 11, "a different history");
    ck_assert_int_eq(try_sign(&a, &size), 0);
    ck_assert_uint_eq(size, 11);
    /* Shown the old 10 again: evidence, but it is resolved: signs on. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c10), SEEN_EAUTH);
    ck_assert_int_eq(seen_xlog_halted(t), 0);
    commit(t);
    grow_to(&a, 12, "a different history");
    ck_assert_int_eq(try_sign(&a, &size), 0);
    ck_assert_uint_eq(size, 12);
    /* Shown 12 of the old history, above the floor: it signed 12 twice
     * without knowing; it halts again, and a second resolution signs
     * only above 12. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c12), SEEN_EAUTH);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
    commit(t);
    grow_to(&a, 13, "a different history");
    ck_assert_int_eq(try_sign(&a, NULL), SEEN_EPERM);
    t = wtxn(&a);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", "the same restore", NOW + 9, &floor),
        0);
    ck_assert_uint_eq(floor, 12);
    commit(t);
    ck_assert_uint_eq(log_size(&a), 13);
    ck_assert_int_eq(try_sign(&a, &size), 0);
    ck_assert_uint_eq(size, 13);
    fresh = sign_now(&a, &lf);
    free(fresh);
    /* Nothing is hidden from an auditor: the export still fails on the
     * evidence against the node's own log. */
    export_mem(&a, ex);
    ck_assert_uint_gt(verify(ex, "alpha", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "evidence"));
    seen_audit_bufs_release(ex);
    seen_checkpoint_destroy(&c10);
    seen_checkpoint_destroy(&c12);
    node_close(&a);
}
END_TEST


Suite *
xlog_suite(void)
{
    Suite *s = suite_create("xlog");
    TCase *tc;

    tc = tcase_create("log");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_roots_and_proofs_match_merkle_from_leaves);
    tcase_add_test(tc, test_leaves_record_kind_peer_seq_and_signed_size);
    tcase_add_test(tc, test_append_refuses_leaves_that_break_the_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("checkpoints");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_checkpoint_signs_the_log_once_per_size);
    tcase_add_test(
        tc, test_restored_node_shown_its_later_checkpoint_refuses_to_sign);
    tcase_add_test(
        tc, test_note_own_checkpoint_rejects_forgeries_and_others_logs);
    tcase_add_test(tc, test_witness_checks_consistency_and_cosigns);
    tcase_add_test(tc, test_witness_keeps_both_checkpoints_of_an_equivocation);
    tcase_add_test(tc, test_prove_answers_only_for_checkpoints_it_signed);
    tcase_add_test(tc, test_witness_settles_what_is_pending);
    tcase_add_test(tc, test_resolve_signs_again_only_above_the_evidence);
    suite_add_tcase(s, tc);
    return s;
}

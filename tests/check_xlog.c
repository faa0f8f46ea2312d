/*
 * check_xlog.c: the exchange log (xlog/xlog.h, leaf.h, signing.h,
 * witness.h, over storage/mlog.h) and its audit export and checks
 * (xlog/audit.h, `seen audit`): appends, roots and proofs
 * against crypto/merkle.h's in-memory functions; the refusal to sign
 * after a restore from backup; witnessing, cosignatures and evidence of
 * equivocation; consistency proofs served only for checkpoints the node
 * signed, and pending checkpoints settled by them; resolving a halt, after
 * which the node signs only above every size of its own it has seen;
 * exports that verify, and that fail to verify when any
 * byte changes or when the log was rewritten; the worked example of
 * docs/audit-format.md; and a replay of the fuzzer's seeds.
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

/* The harness, so that its seeds and regressions replay through it. */
/* The harness's entry point, renamed so that every suite links into one
 * runner. */
#define LLVMFuzzerTestOneInput fuzz_audit_one
#include "tests/fuzz/fuzz_audit.c"

#define MAP_MB 64
#define NOW 1750000000ull

/* ---- fixture: nodes alpha (A), bravo (B) and witness (W) ---- */

static char base[1024];
static struct seen_keys *A, *B, *W, *AUTH;
static uint8_t *mdoc;
static size_t mdoclen;

struct node {
    struct seen_store *s;
    struct seen_keys *k;
    char dir[2048];
};

/* Keys from a fixed seed byte, so that seeds and examples are stable. */
static struct seen_keys *
det_keys(uint8_t b)
{
    struct seen_keys *k;
    uint8_t seed[32];

    ck_assert_ptr_nonnull(k = seen_keys_generate());
    memset(seed, b, sizeof seed);
    ck_assert_int_eq(crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed), 0);
    seed[0] ^= 0x55;
    ck_assert_int_eq(
        crypto_box_seed_keypair(k->curve_pk, k->curve_sk, seed), 0);
    return k;
}

static void
member(Seen__Member *m, const char *name, const char *agency,
    struct seen_keys *k, const char *ep)
{

    seen__member__init(m);
    m->name = (char *)name;
    m->agency = (char *)agency;
    m->type = SEEN__AGENCY_TYPE__POLICE;
    m->local_authority = (char *)"Reading";
    m->sign_pk = (ProtobufCBinaryData){32, k->sign_pk};
    m->curve_pk = (ProtobufCBinaryData){32, k->curve_pk};
    m->endpoint = (char *)ep;
    m->status = SEEN__MEMBER_STATUS__ACTIVE;
}

static void
setup(void)
{
    Seen__Member m[3];
    const Seen__Member *mp[3] = {&m[0], &m[1], &m[2]};
    uint8_t mk[32];

    tu_tmpdir(base, sizeof base);
    A = det_keys(FUZZ_AUDIT_OWNER_SEED);
    B = det_keys(0x0b);
    W = det_keys(0x0c);
    AUTH = det_keys(0xa0);
    member(&m[0], "alpha", "Alpha Police", A, "tcp://127.0.0.1:7401");
    member(&m[1], "bravo", "Bravo Social Care", B, "tcp://127.0.0.1:7402");
    member(&m[2], "witness", "Witness Health", W, "tcp://127.0.0.1:7403");
    memset(mk, 0x4b, sizeof mk);
    ck_assert_int_eq(seen_membership_build("Test federation", 1, NOW, mp, 3, 1,
                         mk, AUTH, &mdoc, &mdoclen),
        SEEN_OK);
}

static void
teardown(void)
{

    free(mdoc);
    mdoc = NULL;
    seen_keys_destroy(&A);
    seen_keys_destroy(&B);
    seen_keys_destroy(&W);
    seen_keys_destroy(&AUTH);
    tu_rmrf(base);
}

static void
node_open(struct node *n, const char *name, struct seen_keys *k, int create)
{

    n->k = k;
    snprintf(n->dir, sizeof n->dir, "%s/%s", base, name);
    ck_assert_int_eq(seen_store_open(n->dir, k->sign_pk, k->record_key, MAP_MB,
                         create, &n->s),
        SEEN_OK);
}

static void
node_close(struct node *n)
{

    seen_store_destroy(&n->s);
    n->s = NULL;
}

static struct seen_txn *
wtxn(struct node *n)
{
    struct seen_txn *t;

    ck_assert_int_eq(seen_store_begin(n->s, 1, &t), SEEN_OK);
    return t;
}

static struct seen_txn *
rtxn(struct node *n)
{
    struct seen_txn *t;

    ck_assert_int_eq(seen_store_begin(n->s, 0, &t), SEEN_OK);
    return t;
}

static void
commit(struct seen_txn *t)
{

    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

static void
install_membership(struct node *n)
{
    struct seen_txn *t = wtxn(n);

    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_MEMBERSHIP, "current", 7, mdoc, mdoclen),
        SEEN_OK);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_MEMBERSHIP, "authority", 9,
                         AUTH->sign_pk, 32),
        SEEN_OK);
    commit(t);
}

static const char digest[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/* Log a query made by a lead (purpose ${purpose}). */
static uint64_t
add_query_p(
    struct seen_txn *t, const struct seen_keys *k, int i, const char *purpose)
{
    Seen__QueryRecord q = SEEN__QUERY_RECORD__INIT;
    ProtobufCBinaryData h;
    uint8_t handle[16];
    uint64_t idx = UINT64_MAX;

    memset(handle, 0x30 + (i & 15), sizeof handle);
    h = (ProtobufCBinaryData){16, handle};
    q.operator_ = (char *)"lead";
    q.purpose = (char *)purpose;
    q.time = NOW + (uint64_t)i;
    q.n_handles_seen = 1;
    q.handles_seen = &h;
    q.criteria_digest = (char *)digest;
    ck_assert_int_eq(seen_xlog_query(t, k, &q, &idx), SEEN_OK);
    return idx;
}

static uint64_t
add_query(struct seen_txn *t, const struct seen_keys *k, int i)
{

    return add_query_p(t, k, i, "section 47 enquiry");
}

static uint64_t
add_decision(struct seen_txn *t, const struct seen_keys *k, int shared,
    const uint8_t *peer)
{
    Seen__DecisionRecord d = SEEN__DECISION_RECORD__INIT;
    uint8_t rid[16];
    uint64_t idx = UINT64_MAX;

    memset(rid, 0x72, sizeof rid);
    d.operator_ = (char *)"lead";
    d.request_id = (ProtobufCBinaryData){16, rid};
    d.shared = shared;
    d.reason = (char *)(shared ? "" : "sharing would put the child at risk");
    d.review = (char *)(shared ? "" : "2026-03-01");
    d.time = NOW;
    ck_assert_int_eq(seen_xlog_decision(t, k, &d, peer, &idx), SEEN_OK);
    return idx;
}

/* Seal a HELLO from ${from} to ${to}, with ${cp} in its header. */
static uint8_t *
seal(const struct seen_keys *from, const struct seen_keys *to,
    const Seen__Checkpoint *cp, size_t *len)
{
    Seen__Hello h = SEEN__HELLO__INIT;
    uint8_t body[64], *out = NULL;
    size_t blen;

    h.membership_version = 1;
    h.node = (char *)(from == A ? "alpha" : from == B ? "bravo" : "witness");
    blen = seen__hello__pack(&h, body);
    ck_assert_int_eq(seen_envelope_seal(from, to->sign_pk,
                         SEEN__MSG_TYPE__HELLO, body, blen, cp, NOW, &out, len),
        SEEN_OK);
    return out;
}

/* Every sender is an active member, for opening envelopes here. */
static int
any_member(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return 1;
}

/*
 * Log ${env} (${len} bytes) as received in ${k}'s log inside ${t}, as the
 * federation does: opened and verified by its recipient ${to} (${k}, but
 * for a test of a misaddressed envelope), then logged from the view.
 * Returns seen_xlog_received()'s code.
 */
static int
log_received(struct seen_txn *t, const struct seen_keys *k,
    const struct seen_keys *to, const uint8_t *env, size_t len)
{
    struct seen_envelope_view v;
    int rc;

    ck_assert_int_eq(
        seen_envelope_open(env, len, to->sign_pk, any_member, NULL, NOW, &v),
        SEEN_OK);
    rc = seen_xlog_received(t, k, &v, NOW, NULL);
    seen_envelope_release(&v);
    return rc;
}

/*
 * Witness ${cp} of ${from}'s log at ${to} inside ${t}, asking ${from}'s
 * store for the consistency proof when one is needed, as the daemon
 * would.  Returns the witness's code; *${cosig} as seen_xlog_witness.
 */
static int
witness(struct node *to, struct seen_txn *t, struct node *from,
    const Seen__Checkpoint *cp, uint8_t **cosig, size_t *clen)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    Seen__Checkpoint *held;
    struct seen_txn *ft;
    const uint8_t *hb;
    size_t hlen, plen;
    uint64_t lo, hi;
    int rc;

    rc = seen_xlog_witness(t, to->k, cp, NULL, 0, NOW, cosig, clen);
    if (rc != SEEN_EAGAIN)
        return rc;
    ck_assert_ptr_null(*cosig);
    ck_assert_int_eq(seen_xlog_held(t, from->k->sign_pk, &hb, &hlen), 0);
    ck_assert_int_eq(seen_checkpoint_decode(hb, hlen, &held), 0);
    lo = held->size < cp->size ? held->size : cp->size;
    hi = held->size < cp->size ? cp->size : held->size;
    seen_checkpoint_destroy(&held);
    ft = rtxn(from);
    ck_assert_int_eq(seen_xlog_consistency(ft, lo, hi, proof, &plen), 0);
    seen_store_abort(ft);
    return seen_xlog_witness(
        t, to->k, cp, (const uint8_t(*)[32])proof, plen, NOW, cosig, clen);
}

/*
 * One message from ${from} to ${to} as the federation sends it: ${from}
 * signs a checkpoint (when ${with_cp}) and logs the envelope it sends;
 * ${to} logs it as received, witnesses the checkpoint and returns a
 * cosignature, which ${from} keeps.
 */
static void
send_msg(struct node *from, struct node *to, int with_cp)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF], *env, *cosig = NULL;
    Seen__Checkpoint cp;
    struct seen_txn *t;
    size_t len, clen;

    t = wtxn(from);
    if (with_cp)
        ck_assert_int_eq(seen_xlog_checkpoint(t, from->k, NOW, &cp, buf), 0);
    env = seal(from->k, to->k, with_cp ? &cp : NULL, &len);
    ck_assert_int_eq(seen_xlog_sent(t, from->k, env, len, NOW, NULL), 0);
    commit(t);
    t = wtxn(to);
    ck_assert_int_eq(log_received(t, to->k, to->k, env, len), 0);
    if (with_cp)
        ck_assert_int_eq(witness(to, t, from, &cp, &cosig, &clen), 0);
    commit(t);
    if (cosig != NULL) {
        t = wtxn(from);
        ck_assert_int_eq(seen_xlog_add_cosignature(t, from->k, cosig, clen), 0);
        commit(t);
    }
    free(cosig);
    free(env);
}

/* Sign a checkpoint of ${n}'s whole log and commit; return it encoded. */
static uint8_t *
sign_now(struct node *n, size_t *len)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF], *enc;
    Seen__Checkpoint cp;
    struct seen_txn *t = wtxn(n);

    ck_assert_int_eq(seen_xlog_checkpoint(t, n->k, NOW, &cp, buf), 0);
    ck_assert_int_eq(seen_checkpoint_encode(&cp, &enc, len), 0);
    commit(t);
    return enc;
}

/* ---- checking exports ---- */

/* The next frame (4-byte length, bytes) of ${b} at *${off}: 1, or 0. */
static int
tframe(
    const struct seen_audit_buf *b, size_t *off, const uint8_t **fr, size_t *fl)
{
    uint32_t n;

    if (b->len - *off < 4)
        return 0;
    n = seen_rd32(b->data + *off);
    ck_assert_uint_le(n, b->len - *off - 4);
    *fr = b->data + *off + 4;
    *fl = n;
    *off += 4 + n;
    return 1;
}

struct tally {
    uint64_t fails, oks, findings;
    char first_fail[800];
    char checks[1024];
};

static void
tally_fn(void *ctx, const struct seen_audit_check *c)
{
    struct tally *t = ctx;
    size_t l;

    if (getenv("SEEN_XLOG_VERBOSE") != NULL)
        fprintf(stderr, "%s %s %s: %s\n",
            !c->ok       ? "FAIL"
            : c->finding ? "FINDING"
                         : "ok",
            c->check, c->export, c->detail);
    if (!c->ok) {
        if (t->fails++ == 0)
            snprintf(t->first_fail, sizeof t->first_fail, "%s: %s", c->check,
                c->detail);
        l = strlen(t->checks);
        snprintf(t->checks + l, sizeof t->checks - l, "%s ", c->check);
    } else {
        t->oks++;
    }
    if (c->finding)
        t->findings++;
}

static void
export_mem(struct node *n, struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    struct seen_txn *t = rtxn(n);

    ck_assert_int_eq(seen_audit_export_mem(t, b, NULL), SEEN_OK);
    seen_store_abort(t);
}

/* Check ${b}; return the number of failed checks.  *${keep} (if not
 * NULL) receives the parsed export. */
static uint64_t
verify(const struct seen_audit_buf b[SEEN_AUDIT_NFILES], const char *label,
    struct tally *t, struct seen_audit **keep)
{
    struct seen_audit *a = NULL;
    uint64_t f;

    memset(t, 0, sizeof *t);
    ck_assert_int_eq(seen_audit_open(b, label, NULL, tally_fn, t, &a), 0);
    ck_assert_ptr_nonnull(a);
    f = seen_audit_failures(a);
    ck_assert_uint_eq(f == 0, t->fails == 0);
    if (keep != NULL)
        *keep = a;
    else
        seen_audit_destroy(&a);
    return f;
}

static uint64_t
verify_quiet(const struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    struct seen_audit *a = NULL;
    uint64_t f;

    ck_assert_int_eq(seen_audit_open(b, "x", NULL, NULL, NULL, &a), 0);
    f = seen_audit_failures(a);
    seen_audit_destroy(&a);
    return f;
}

/* Rewrite the manifest of ${b} to match its files, as a forger would. */
static void
reforge_manifest(struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char hx[65], *t, *p;
    uint8_t sha[32];
    size_t off, n;
    int f;

    /* Recompute the size, root and file lines from the files. */
    {
        struct seen_merkle_frontier fr;
        const uint8_t *d = b[SEEN_AUDIT_LEAVES].data;
        uint8_t lh[32], root[32], owner[32];
        uint64_t count = 0, frames;

        memcpy(hx, (char *)b[SEEN_AUDIT_MANIFEST].data + 26, 64);
        hx[64] = '\0';
        ck_assert_int_eq(
            sodium_hex2bin(owner, 32, hx, 64, NULL, NULL, NULL), 0);
        seen_merkle_frontier_init(&fr);
        for (off = 0; off + 4 <= b[SEEN_AUDIT_LEAVES].len; count++) {
            n = seen_rd32(d + off);
            seen_merkle_leaf_hash(lh, d + off + 4, n);
            seen_merkle_frontier_append(&fr, lh);
            off += 4 + n;
        }
        seen_merkle_frontier_root(&fr, root);
        ck_assert_ptr_nonnull(t = malloc(4096));
        sodium_bin2hex(hx, sizeof hx, owner, 32);
        off = (size_t)snprintf(t, 4096,
            "seen-audit-export 1\nowner %s\nsize %llu\n", hx,
            (unsigned long long)count);
        sodium_bin2hex(hx, sizeof hx, root, 32);
        off += (size_t)snprintf(t + off, 4096 - off, "root %s\n", hx);
        for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
            frames = 0;
            if (f == SEEN_AUDIT_MEMBERSHIP || f == SEEN_AUDIT_AUTHORITY)
                frames = b[f].len > 0;
            else
                for (n = 0; n + 4 <= b[f].len; frames++)
                    n += 4 + seen_rd32(b[f].data + n);
            crypto_hash_sha256(
                sha, b[f].data ? b[f].data : (const uint8_t *)"", b[f].len);
            sodium_bin2hex(hx, sizeof hx, sha, 32);
            off += (size_t)snprintf(t + off, 4096 - off,
                "file %s %llu %zu %s\n", seen_audit_file_name(f),
                (unsigned long long)frames, b[f].len, hx);
        }
    }
    p = (char *)b[SEEN_AUDIT_MANIFEST].data;
    free(p);
    b[SEEN_AUDIT_MANIFEST].data = (uint8_t *)t;
    b[SEEN_AUDIT_MANIFEST].len = strlen(t);
}

/* A small federation's history: alpha and bravo exchange, query and
 * decide; the witness node cosigns too. */
static void
small_history(struct node *a, struct node *b, struct node *w)
{
    struct seen_txn *t;

    install_membership(a);
    install_membership(b);
    if (w != NULL)
        install_membership(w);
    t = wtxn(a);
    add_query(t, a->k, 0);
    commit(t);
    send_msg(a, b, 1);
    send_msg(b, a, 1);
    t = wtxn(a);
    add_decision(t, a->k, 0, b->k->sign_pk);
    commit(t);
    send_msg(a, b, 1);
    if (w != NULL)
        send_msg(a, w, 1);
    free(sign_now(a, &(size_t){0}));
}

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
    ck_assert_uint_eq(c2.time, NOW);
    ck_assert_mem_eq(c2.signature.data, c1.signature.data, 64);
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

START_TEST(test_witness_checks_consistency_and_cosigns)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *cosig, *enc[4], *x;
    Seen__Checkpoint *cp[4], *held, *got;
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
    ck_assert_int_eq(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
    ck_assert_mem_eq(cs->witness.data, B->sign_pk, 32);
    ck_assert_uint_eq(got->size, 3);
    seen__cosignature__free_unpacked(cs, NULL);
    seen_checkpoint_destroy(&got);
    /* A countersignature is by B, over the time and the bytes. */
    x = cosig;
    x[clen - 1] ^= 1; /* the time's last varint byte */
    ck_assert_int_ne(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
    ck_assert_ptr_null(cs);
    free(cosig);
    /* Larger, no proof: kept pending. */
    ck_assert_int_eq(
        seen_xlog_witness(t, B, cp[2], NULL, 0, NOW, &cosig, &clen),
        SEEN_EAGAIN);
    ck_assert_ptr_null(cosig);
    ck_assert_int_eq(seen_xlog_pending(t, A->sign_pk, &hb, &hl), 0);
    ck_assert_int_eq(seen_xlog_held(t, A->sign_pk, &hb, &hl), 0);
    ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
    ck_assert_uint_eq(held->size, 3);
    seen_checkpoint_destroy(&held);
    commit(t);
    /* With the proof from A: held, pending cleared, cosigned. */
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_consistency(t, 3, 7, proof, &plen), 0);
    seen_store_abort(t);
    t = wtxn(&b);
    ck_assert_int_eq(seen_xlog_witness(t, B, cp[2], (const uint8_t(*)[32])proof,
                         plen, NOW, &cosig, &clen),
        0);
    ck_assert_int_eq(
        seen_xlog_pending(t, A->sign_pk, &hb, &hl), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_xlog_held(t, A->sign_pk, &hb, &hl), 0);
    ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
    ck_assert_uint_eq(held->size, 7);
    seen_checkpoint_destroy(&held);
    commit(t);
    /* A keeps the cosignature. */
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_add_cosignature(t, A, cosig, clen), 0);
    /* Not B's: B's own log. */
    ck_assert_int_eq(seen_xlog_add_cosignature(t, B, cosig, clen), SEEN_EINVAL);
    commit(t);
    free(cosig);
    /* Older, with the proof from it to the one held: cosigned, not held. */
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_consistency(t, 5, 7, proof, &plen), 0);
    seen_store_abort(t);
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
    ck_assert_int_eq(seen_xlog_held(t, A->sign_pk, &hb, &hl), 0);
    ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
    ck_assert_uint_eq(held->size, 7);
    seen_checkpoint_destroy(&held);
    /* Its own checkpoint, or a forged one, is refused. */
    ck_assert_int_eq(seen_checkpoint_decode(enc[0], len[0], &got), 0);
    got->signature.data[0] ^= 1;
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

START_TEST(test_prove_answers_only_for_checkpoints_it_signed)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], bad[SEEN_MERKLE_PROOF_MAX][32];
    uint8_t *e3, *e7, *cosig, r3[32], r7[32];
    Seen__Checkpoint *c3, *c7, *got;
    Seen__Cosignature *cs;
    struct seen_txn *t;
    struct node a, b;
    const uint8_t *cb;
    size_t l3, l7, cl, plen, clen, n = 0;
    int i;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    t = wtxn(&a);
    for (i = 0; i < 3; i++)
        add_query(t, A, i);
    commit(t);
    e3 = sign_now(&a, &l3);
    t = wtxn(&a);
    for (i = 3; i < 7; i++)
        add_query(t, A, i);
    commit(t);
    e7 = sign_now(&a, &l7);
    c3 = cp_of(e3, l3);
    c7 = cp_of(e7, l7);
    t = wtxn(&a);
    add_query(t, A, 7); /* size 8, never signed */
    commit(t);

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
    ck_assert_int_eq(seen_xlog_cosignature_open(cosig, clen, &cs, &got), 0);
    ck_assert_uint_eq(got->size, 7);
    seen__cosignature__free_unpacked(cs, NULL);
    seen_checkpoint_destroy(&got);
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

static uint64_t
log_size(struct node *n)
{
    struct seen_txn *t = rtxn(n);
    uint64_t size;

    ck_assert_int_eq(seen_xlog_size(t, &size), 0);
    seen_store_abort(t);
    return size;
}

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

START_TEST(test_resolve_signs_again_only_above_the_evidence)
{
    char data[4096], aside[4096], longr[SEEN_XLOG_REASON_MAX + 2];
    uint8_t *c10b, *c12b, *fresh;
    Seen__Checkpoint *c10, *c12;
    Seen__XLogResolution *r = NULL;
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct tally ty;
    struct node a;
    size_t l10, l12, lf, n = 0;
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
    /* The backup at 5; the history goes on to 10 and 12, signed. */
    node_close(&a);
    snprintf(data, sizeof data, "%s/data.mdb", a.dir);
    snprintf(aside, sizeof aside, "%s/backup.mdb", base);
    copy_file(data, aside);
    node_open(&a, "alpha", A, 0);
    grow_to(&a, 10, "section 47 enquiry");
    c10b = sign_now(&a, &l10);
    grow_to(&a, 12, "section 47 enquiry");
    c12b = sign_now(&a, &l12);
    c10 = cp_of(c10b, l10);
    c12 = cp_of(c12b, l12);
    node_close(&a);
    /* Restored; a new history from 5 to 8; a peer shows it 10. */
    copy_file(aside, data);
    node_open(&a, "alpha", A, 0);
    grow_to(&a, 8, "a different history");
    t = wtxn(&a);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c10), SEEN_EAUTH);
    commit(t);
    ck_assert_int_eq(try_sign(&a, NULL), SEEN_EPERM);

    /* Refused without a reason or an operator, or with too long a one:
     * nothing written. */
    memset(longr, 'x', sizeof longr - 1);
    longr[sizeof longr - 1] = '\0';
    t = wtxn(&a);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", "", NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", NULL, NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "", "restored", NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_xlog_resolve(t, A, "admin", longr, NOW, &floor), SEEN_EINVAL);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
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
    free(c10b);
    free(c12b);
    node_close(&a);
}
END_TEST

/* ---- export and verify ---- */

START_TEST(test_export_verifies_alone_and_together)
{
    struct seen_audit_buf ea[SEEN_AUDIT_NFILES], eb[SEEN_AUDIT_NFILES],
        ed[SEEN_AUDIT_NFILES];
    struct seen_audit *v[2];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit_summary sum;
    struct seen_audit *x;
    struct seen_txn *t;
    struct tally ty;
    struct node a, b, w;
    char out[2048];
    int f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&w, "witness", W, 1);
    small_history(&a, &b, &w);
    export_mem(&a, ea);
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(ea, "alpha", &ty, &v[0]), 0);
    ck_assert_uint_eq(ty.findings, 0);
    ck_assert_uint_ge(ty.oks, 9);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_uint_eq(ty.fails, 0);
    ck_assert_uint_eq(ty.oks, 2);
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    /* The authority required is checked. */
    o.authority = AUTH->sign_pk;
    ck_assert_int_eq(seen_audit_open(ea, "a", &o, NULL, NULL, &x), 0);
    ck_assert_uint_eq(seen_audit_failures(x), 0);
    seen_audit_destroy(&x);
    o.authority = B->sign_pk;
    ck_assert_int_eq(seen_audit_open(ea, "a", &o, NULL, NULL, &x), 0);
    ck_assert_uint_gt(seen_audit_failures(x), 0);
    seen_audit_destroy(&x);
    /* To a folder and back: the same bytes. */
    snprintf(out, sizeof out, "%s/export-alpha", base);
    t = rtxn(&a);
    ck_assert_int_eq(seen_audit_export(t, out, &sum), 0);
    ck_assert_int_eq(seen_audit_export(t, out, NULL), SEEN_EEXIST);
    seen_store_abort(t);
    /* query, sent, received, decision, sent, sent to the witness */
    ck_assert_uint_eq(sum.leaves, 6);
    ck_assert_uint_eq(sum.signed_size, 6);
    /* bravo's of sizes 1 and 4, the witness's of size 5 */
    ck_assert_uint_eq(sum.cosignatures, 3);
    ck_assert_uint_eq(sum.peers, 1);
    ck_assert_uint_eq(sum.evidence, 0);
    ck_assert(sum.membership);
    ck_assert_int_eq(seen_audit_load(out, ed), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        ck_assert(ed[f].present);
        ck_assert_uint_eq(ed[f].len, ea[f].len);
        if (ea[f].len)
            ck_assert_mem_eq(ed[f].data, ea[f].data, ea[f].len);
    }
    ck_assert_uint_eq(verify(ed, out, &ty, NULL), 0);
    seen_audit_bufs_release(ed);
    seen_audit_bufs_release(ed);
    seen_audit_bufs_release(ea);
    seen_audit_bufs_release(eb);
    node_close(&a);
    node_close(&b);
    node_close(&w);
}
END_TEST

/* Under valgrind (SEEN_VALGRIND set) the long loops take a sample. */
static size_t
stride(void)
{

    return getenv("SEEN_VALGRIND") != NULL ? 29 : 1;
}

/* Flip every byte of every file of ${ex} (xor ${mask}), one at a time;
 * each must make the export fail.  Returns the number of positions. */
static size_t
flip_all(struct seen_audit_buf ex[SEEN_AUDIT_NFILES], uint8_t mask)
{
    size_t i, n = 0;
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        for (i = 0; i < ex[f].len; i += stride(), n++) {
            ex[f].data[i] ^= mask;
            if (verify_quiet(ex) == 0)
                ck_abort_msg(
                    "flipping byte %zu of %s (mask %02x) went unnoticed", i,
                    seen_audit_file_name(f), mask);
            ex[f].data[i] ^= mask;
        }
    }
    return n;
}

START_TEST(test_every_flipped_byte_of_a_small_export_fails)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_audit_buf saved;
    struct node a, b;
    size_t n;
    int f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    /* And evidence, so that every file holds bytes. */
    {
        struct seen_txn *t = wtxn(&a);
        uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *cosig;
        Seen__Checkpoint c, *held;
        const uint8_t *hb;
        size_t hl, cl;

        ck_assert_int_eq(seen_xlog_held(t, B->sign_pk, &hb, &hl), 0);
        ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
        memset(root, 0x77, sizeof root);
        ck_assert_int_eq(
            seen_checkpoint_sign(
                &c, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, B, held->size, root, NOW),
            0);
        ck_assert_int_eq(
            seen_xlog_witness(t, A, &c, NULL, 0, NOW, &cosig, &cl), SEEN_EAUTH);
        seen_checkpoint_destroy(&held);
        commit(t);
    }
    export_mem(&a, ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        ck_assert_uint_gt(ex[f].len, 0);
    n = flip_all(ex, 0x01);
    n += flip_all(ex, 0x80);
    ck_assert_uint_gt(n, 2000 / stride());
    ck_assert_uint_eq(verify_quiet(ex), 0);
    /* A file cut short by one byte, or missing, fails too. */
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        ex[f].len--;
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f].len++;
        saved = ex[f];
        ex[f].present = 0;
        ex[f].data = NULL;
        ex[f].len = 0;
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f] = saved;
    }
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_sampled_flips_of_a_large_export_fail)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a, b;
    uint32_t r;
    size_t total = 0, pos, k;
    int i, f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    install_membership(&a);
    install_membership(&b);
    for (i = 0; i < 1500 / (int)stride() + 100; i++) {
        if (i % 50 == 0) {
            send_msg(&a, &b, 1);
            send_msg(&b, &a, 1);
            continue;
        }
        t = wtxn(&a);
        add_query(t, A, i);
        commit(t);
    }
    free(sign_now(&a, &k));
    export_mem(&a, ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        total += ex[f].len;
    ck_assert_uint_gt(ex[SEEN_AUDIT_LEAVES].len, 100000 / stride());
    for (k = 0; k < 400 / stride(); k++) {
        r = randombytes_uniform((uint32_t)total);
        for (f = 0, pos = r; pos >= ex[f].len; f++)
            pos -= ex[f].len;
        ex[f].data[pos] ^= (uint8_t)(1u << (k & 7));
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f].data[pos] ^= (uint8_t)(1u << (k & 7));
    }
    /* With the manifest forged to match, a changed signed leaf fails. */
    for (k = 0; k < 40 / stride() + 2; k++) {
        size_t off = 0, fl;
        const uint8_t *fr;
        uint32_t at = randombytes_uniform((uint32_t)(1500 / stride())), j;

        for (j = 0; j <= at; j++)
            ck_assert_int_eq(tframe(&ex[SEEN_AUDIT_LEAVES], &off, &fr, &fl), 1);
        pos = (size_t)(fr - ex[SEEN_AUDIT_LEAVES].data) +
              randombytes_uniform((uint32_t)fl);
        ex[SEEN_AUDIT_LEAVES].data[pos] ^= 0x10;
        reforge_manifest(ex);
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[SEEN_AUDIT_LEAVES].data[pos] ^= 0x10;
    }
    reforge_manifest(ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

struct collect {
    uint8_t *v[64];
    size_t l[64];
    size_t n;
};

static int
collect_fn(void *ctx, const uint8_t *val, size_t len)
{
    struct collect *c = ctx;

    ck_assert_uint_lt(c->n, 64);
    ck_assert_ptr_nonnull(c->v[c->n] = malloc(len));
    memcpy(c->v[c->n], val, len);
    c->l[c->n++] = len;
    return 0;
}

static void
collect_free(struct collect *c)
{

    while (c->n > 0)
        free(c->v[--c->n]);
}

/*
 * Rewrite ${a}'s log into ${rw} (same key, a new store) with leaf ${at}
 * changed, signing checkpoints where ${a} did, as a node operator with
 * the key and a copy of the store could.
 */
static void
rewrite_log(struct node *a, struct node *rw, uint64_t at)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    struct collect own = {{0}, {0}, 0};
    Seen__XLogLeaf *l;
    Seen__QueryRecord *q;
    Seen__Checkpoint cp, *c;
    char *orig;
    struct seen_txn *t, *rt;
    const uint8_t *leaf;
    size_t len, k = 0;
    uint64_t i, n;

    install_membership(rw);
    t = rtxn(a);
    ck_assert_int_eq(seen_xlog_size(t, &n), 0);
    ck_assert_int_eq(
        seen_xlog_iter(t, SEEN_XLOG_OWN_CHECKPOINTS, collect_fn, &own), 0);
    for (i = 0; i < n; i++) {
        rt = wtxn(rw);
        while (k < own.n) {
            ck_assert_int_eq(seen_checkpoint_decode(own.v[k], own.l[k], &c), 0);
            if (c->size != i) {
                seen_checkpoint_destroy(&c);
                break;
            }
            ck_assert_int_eq(seen_xlog_checkpoint(rt, A, c->time, &cp, buf), 0);
            seen_checkpoint_destroy(&c);
            k++;
        }
        ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), 0);
        ck_assert_ptr_nonnull(l = seen__xlog_leaf__unpack(NULL, len, leaf));
        if (i == at) {
            ck_assert_int_eq(l->kind, SEEN__XLOG_KIND__XLOG_QUERY);
            q = seen__query_record__unpack(NULL, l->record.len, l->record.data);
            ck_assert_ptr_nonnull(q);
            orig = q->purpose;
            q->purpose = (char *)"nothing to see here";
            ck_assert_int_eq(seen_xlog_query(rt, A, q, NULL), 0);
            q->purpose = orig;
            seen__query_record__free_unpacked(q, NULL);
        } else if (l->kind == SEEN__XLOG_KIND__XLOG_SENT) {
            /* Sealed again, with the rewritten log's checkpoint. */
            Seen__Envelope *e;
            Seen__SignedPart *sp;
            uint8_t *env;
            size_t elen;

            e = seen__envelope__unpack(NULL, l->envelope.len, l->envelope.data);
            ck_assert_ptr_nonnull(e);
            sp = seen__signed_part__unpack(
                NULL, e->signed_.len, e->signed_.data);
            ck_assert_ptr_nonnull(sp);
            if (sp->header->checkpoint != NULL)
                ck_assert_int_eq(seen_xlog_checkpoint(rt, A, NOW, &cp, buf), 0);
            ck_assert_int_eq(
                seen_envelope_seal(A, sp->header->recipient.data,
                    (int)sp->header->type, sp->body.data, sp->body.len,
                    sp->header->checkpoint ? &cp : NULL, sp->header->time, &env,
                    &elen),
                0);
            ck_assert_int_eq(
                seen_xlog_sent(rt, A, env, elen, l->time, NULL), 0);
            free(env);
            seen__signed_part__free_unpacked(sp, NULL);
            seen__envelope__free_unpacked(e, NULL);
        } else {
            ck_assert_int_eq(
                seen_xlog_append(rt, A, l->kind,
                    l->peer.len ? l->peer.data : NULL,
                    l->envelope.len ? l->envelope.data : l->record.data,
                    l->envelope.len ? l->envelope.len : l->record.len, l->time,
                    NULL),
                0);
        }
        seen__xlog_leaf__free_unpacked(l, NULL);
        commit(rt);
    }
    seen_store_abort(t);
    rt = wtxn(rw);
    ck_assert_int_eq(seen_xlog_checkpoint(rt, A, NOW, &cp, buf), 0);
    commit(rt);
    collect_free(&own);
}

START_TEST(test_rewritten_log_is_caught_through_its_peers)
{
    struct seen_audit_buf er[SEEN_AUDIT_NFILES], eb[SEEN_AUDIT_NFILES];
    struct collect cos = {{0}, {0}, 0};
    struct seen_audit *v[2];
    struct seen_txn *t;
    struct tally ty;
    struct node a, b, rw;
    uint8_t *latest, *cosig, key[49];
    const uint8_t *old;
    Seen__Checkpoint *lc, *c;
    Seen__Cosignature *cs;
    size_t ll, clen, ol, i;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&rw, "alpha-rewritten", A, 1);
    small_history(&a, &b, NULL);
    /* bravo holds alpha's latest checkpoint (size 6 or 7). */
    send_msg(&a, &b, 1);

    /* 1. The rewritten store alone, with the cosignatures purged: nothing
     * in it contradicts it.  One node's export cannot prove that. */
    rewrite_log(&a, &rw, 0);
    export_mem(&rw, er);
    ck_assert_uint_eq(verify(er, "rewritten", &ty, &v[0]), 0);

    /* 2. With bravo's export: bravo's checkpoints of alpha disagree. */
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_uint_gt(ty.fails, 0);
    ck_assert_uint_gt(seen_audit_failures(v[0]), 0);
    ck_assert_uint_eq(seen_audit_failures(v[1]), 0);
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    seen_audit_bufs_release(er);
    seen_audit_bufs_release(eb);

    /* 3. The cosignatures left in the rewritten store betray it. */
    t = rtxn(&a);
    ck_assert_int_eq(
        seen_xlog_iter(t, SEEN_XLOG_COSIGNATURES, collect_fn, &cos), 0);
    seen_store_abort(t);
    ck_assert_uint_gt(cos.n, 0);
    t = wtxn(&rw);
    for (i = 0; i < cos.n; i++) {
        ck_assert_int_eq(
            seen_xlog_cosignature_open(cos.v[i], cos.l[i], &cs, &c), 0);
        key[0] = 'W';
        seen_be64(key + 1, c->size);
        seen_be64(key + 9, c->time);
        memcpy(key + 17, cs->witness.data, 32);
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_XSTATE, key, sizeof key,
                             cos.v[i], cos.l[i]),
            0);
        seen__cosignature__free_unpacked(cs, NULL);
        seen_checkpoint_destroy(&c);
    }
    commit(t);
    export_mem(&rw, er);
    ck_assert_uint_gt(verify(er, "rewritten", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "cosignatures"));
    seen_audit_bufs_release(er);

    /* 4. bravo, shown the rewritten history, keeps the evidence. */
    latest = sign_now(&rw, &ll);
    ck_assert_int_eq(seen_checkpoint_decode(latest, ll, &lc), 0);
    t = wtxn(&b);
    ck_assert_int_eq(witness(&b, t, &rw, lc, &cosig, &clen), SEEN_EAUTH);
    commit(t);
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, NULL), 0);
    ck_assert_uint_ge(ty.findings, 1);
    seen_audit_bufs_release(eb);

    /* 5. The rewritten node, shown its old checkpoint, stops signing,
     * and its export says why. */
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_latest(t, &old, &ol), 0);
    ck_assert_int_eq(seen_checkpoint_decode(old, ol, &c), 0);
    seen_store_abort(t);
    t = wtxn(&rw);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c), SEEN_EAUTH);
    commit(t);
    seen_checkpoint_destroy(&c);
    export_mem(&rw, er);
    ck_assert_uint_gt(verify(er, "rewritten", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "evidence"));
    seen_audit_bufs_release(er);

    seen_checkpoint_destroy(&lc);
    free(latest);
    collect_free(&cos);
    node_close(&a);
    node_close(&b);
    node_close(&rw);
}
END_TEST

/* ---- the command line ---- */

static int
run(const char *cmd)
{
    int st = system(cmd);

    ck_assert_int_ne(st, -1);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

START_TEST(test_cli_exports_a_lone_node_and_verifies)
{
    char cmd[16384], home[2048], out[2048], pf[2048], pk[65];
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct node a, b;
    FILE *f;

    if (getenv("SEEN_VALGRIND") != NULL)
        return; /* the binaries are not the suite's to check */
    snprintf(home, sizeof home, "%s/home", base);
    snprintf(out, sizeof out, "%s/out", base);
    snprintf(pf, sizeof pf, "%s/pass", base);
    ck_assert_ptr_nonnull(f = fopen(pf, "w"));
    fputs("correct horse\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s init --name alpha "
        "--type police --local-authority Reading --kdf interactive "
        "--map-size-mb 64 >/dev/null",
        pf, SEEN_BUILD_DIR, home);
    ck_assert_int_eq(run(cmd), 0);
    /* Only an auditor exports: register one on the running node. */
    snprintf(cmd, sizeof cmd,
        "export SEEN_PASSPHRASE_FILE=%s; S=%s/bin/seen; "
        "$S --home %s node start >/dev/null && "
        "$S --home %s --as admin operator add auditor --role auditor "
        ">/dev/null; r=$?; $S --home %s node stop >/dev/null; exit $r",
        pf, SEEN_BUILD_DIR, home, home, home);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s audit export %s "
        ">/dev/null 2>&1",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 1); /* no operator named */
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s --as admin audit "
        "export %s >/dev/null 2>&1",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 1); /* an admin does not export */
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s --as auditor audit "
        "export %s >/dev/null",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 0);
    ck_assert_int_ne(run(cmd), 0); /* not over an export */
    snprintf(cmd, sizeof cmd, "%s/bin/seen audit verify %s >/dev/null",
        SEEN_BUILD_DIR, out);
    ck_assert_int_eq(run(cmd), 1); /* no membership: who is the owner? */
    ck_assert_int_eq(seen_audit_load(out, ex), 0);
    memcpy(pk, ex[SEEN_AUDIT_MANIFEST].data + 26, 64);
    pk[64] = '\0';
    seen_audit_bufs_release(ex);
    snprintf(cmd, sizeof cmd,
        "%s/bin/seen audit verify --owner %s --json %s > %s/v.json",
        SEEN_BUILD_DIR, pk, out, base);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd,
        "%s/bin/seen audit verify %s/nothing-here 2>/dev/null", SEEN_BUILD_DIR,
        base);
    ck_assert_int_eq(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s/bin/seen audit verify 2>/dev/null",
        SEEN_BUILD_DIR);
    ck_assert_int_eq(run(cmd), 2);

    /* A federation's exports, verified together. */
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    {
        struct seen_txn *t;
        char oa[2048], ob[2048], hx[65];

        snprintf(oa, sizeof oa, "%s/ea", base);
        snprintf(ob, sizeof ob, "%s/eb", base);
        t = rtxn(&a);
        ck_assert_int_eq(seen_audit_export(t, oa, NULL), 0);
        seen_store_abort(t);
        t = rtxn(&b);
        ck_assert_int_eq(seen_audit_export(t, ob, NULL), 0);
        seen_store_abort(t);
        sodium_bin2hex(hx, sizeof hx, AUTH->sign_pk, 32);
        snprintf(cmd, sizeof cmd,
            "%s/bin/seen audit verify --authority %s %s %s >/dev/null",
            SEEN_BUILD_DIR, hx, oa, ob);
        ck_assert_int_eq(run(cmd), 0);
        sodium_bin2hex(hx, sizeof hx, A->sign_pk, 32);
        snprintf(cmd, sizeof cmd,
            "%s/bin/seen audit verify --authority %s %s >/dev/null",
            SEEN_BUILD_DIR, hx, oa);
        ck_assert_int_eq(run(cmd), 1);
    }
    node_close(&a);
    node_close(&b);
}
END_TEST

/* ---- the worked example of docs/audit-format.md ---- */

/*
 * Read the blocks "```hex NAME" and "```text NAME" of the document into
 * ${b}.  Returns the number of blocks.
 */
static int
read_doc_example(const char *path, struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char line[4096], name[128];
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    int f = -1, text = 0, blocks = 0, g;
    FILE *fp;

    memset(b, 0, SEEN_AUDIT_NFILES * sizeof *b);
    ck_assert_ptr_nonnull(fp = fopen(path, "r"));
    while (fgets(line, sizeof line, fp) != NULL) {
        if (f < 0) {
            if (sscanf(line, "```hex %127s", name) == 1)
                text = 0;
            else if (sscanf(line, "```text %127s", name) == 1)
                text = 1;
            else
                continue;
            for (g = 0; g < SEEN_AUDIT_NFILES; g++)
                if (strcmp(name, seen_audit_file_name(g)) == 0)
                    f = g;
            if (f < 0)
                continue;
            len = 0;
            continue;
        }
        if (strncmp(line, "```", 3) == 0) {
            b[f].data = len ? buf : NULL;
            b[f].len = len;
            b[f].present = 1;
            if (!len)
                free(buf);
            buf = NULL;
            cap = len = 0;
            f = -1;
            blocks++;
            continue;
        }
        n = strlen(line);
        if (cap - len < n + 1) {
            cap = (cap + n + 1) * 2;
            ck_assert_ptr_nonnull(buf = realloc(buf, cap));
        }
        if (text) {
            memcpy(buf + len, line, n);
            len += n;
        } else {
            size_t got = 0;

            ck_assert_int_eq(sodium_hex2bin(buf + len, cap - len, line, n,
                                 " \n", &got, NULL),
                0);
            len += got;
        }
    }
    fclose(fp);
    free(buf);
    return blocks;
}

START_TEST(test_worked_example_of_the_format_document_verifies)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *a;
    struct tally ty;
    uint8_t auth[32];
    int f;

    ck_assert_int_eq(
        read_doc_example(SEEN_SOURCE_DIR "/docs/audit-format.md", b),
        SEEN_AUDIT_NFILES);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        ck_assert(b[f].present);
    ck_assert_uint_eq(b[SEEN_AUDIT_AUTHORITY].len, 32);
    memcpy(auth, b[SEEN_AUDIT_AUTHORITY].data, 32);
    o.authority = auth;
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_open(b, "example", &o, tally_fn, &ty, &a), 0);
    if (seen_audit_failures(a) != 0)
        ck_abort_msg("the document's example fails: %s", ty.first_fail);
    seen_audit_destroy(&a);
    /* Its bytes are covered like any export's. */
    b[SEEN_AUDIT_LEAVES].data[10] ^= 1;
    ck_assert_uint_gt(verify_quiet(b), 0);
    seen_audit_bufs_release(b);
}
END_TEST

/*
 * SEEN_AUDIT_WRITE_EXAMPLE=DIR: write the document's example export (the
 * small history of two nodes) to DIR, to be pasted into the document.
 */
START_TEST(test_write_example_when_asked)
{
    const char *dir = getenv("SEEN_AUDIT_WRITE_EXAMPLE");
    struct seen_txn *t;
    struct node a, b;

    if (dir == NULL)
        return;
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    install_membership(&a);
    install_membership(&b);
    t = wtxn(&a);
    add_query(t, A, 0);
    commit(t);
    send_msg(&a, &b, 1);
    send_msg(&b, &a, 1);
    t = wtxn(&a);
    add_decision(t, A, 0, B->sign_pk);
    commit(t);
    free(sign_now(&a, &(size_t){0}));
    t = rtxn(&a);
    ck_assert_int_eq(seen_audit_export(t, dir, NULL), 0);
    seen_store_abort(t);
    node_close(&a);
    node_close(&b);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Join the files of an export into one input of the harness (malloc'd). */
static uint8_t *
fuzz_join(const struct seen_audit_buf b[SEEN_AUDIT_NFILES], size_t *len)
{
    uint8_t *out, *p;
    size_t n = 0;
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        n += 5 + b[f].len;
    ck_assert_ptr_nonnull(out = p = malloc(n));
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        *p++ = (uint8_t)f;
        seen_be32(p, (uint32_t)b[f].len);
        p += 4;
        if (b[f].len)
            memcpy(p, b[f].data, b[f].len);
        p += b[f].len;
    }
    *len = n;
    return out;
}

static void
write_seed(const char *dir, const char *name,
    const struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char path[4096];
    uint8_t *s;
    size_t n;
    FILE *f;

    s = fuzz_join(b, &n);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_ptr_nonnull(f = fopen(path, "wb"));
    ck_assert_uint_eq(fwrite(s, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    free(s);
}

/* SEEN_AUDIT_WRITE_SEEDS=DIR: write the harness's seed corpus to DIR. */
START_TEST(test_write_seeds_when_asked)
{
    const char *dir = getenv("SEEN_AUDIT_WRITE_SEEDS");
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a, b, lone;
    int i;

    if (dir == NULL)
        return;
    /* A lone node: no membership; its owner is the harness's. */
    node_open(&lone, "lone", A, 1);
    t = wtxn(&lone);
    for (i = 0; i < 5; i++)
        add_query(t, A, i);
    add_decision(t, A, 1, NULL);
    commit(t);
    free(sign_now(&lone, &(size_t){0}));
    export_mem(&lone, ex);
    write_seed(dir, "lone-node", ex);
    seen_audit_bufs_release(ex);
    node_close(&lone);
    /* Two members that exchanged, witnessed and cosigned. */
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    export_mem(&a, ex);
    write_seed(dir, "federation-alpha", ex);
    seen_audit_bufs_release(ex);
    /* bravo with evidence of an equivocation by alpha. */
    {
        uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *cosig;
        Seen__Checkpoint c, *held;
        const uint8_t *hb;
        size_t hl, cl;

        t = wtxn(&b);
        ck_assert_int_eq(seen_xlog_held(t, A->sign_pk, &hb, &hl), 0);
        ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
        memset(root, 0x66, sizeof root);
        ck_assert_int_eq(
            seen_checkpoint_sign(
                &c, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, A, held->size, root, NOW),
            0);
        ck_assert_int_eq(
            seen_xlog_witness(t, B, &c, NULL, 0, NOW, &cosig, &cl), SEEN_EAUTH);
        seen_checkpoint_destroy(&held);
        commit(t);
    }
    export_mem(&b, ex);
    write_seed(dir, "federation-bravo-evidence", ex);
    seen_audit_bufs_release(ex);
    /* alpha shown a checkpoint of its own it does not hold. */
    {
        uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];
        Seen__Checkpoint c;

        memset(root, 0x55, sizeof root);
        ck_assert_int_eq(seen_checkpoint_sign(&c, buf,
                             SEEN_DOMAIN_XLOG_CHECKPOINT, A, 100, root, NOW),
            0);
        t = wtxn(&a);
        ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, &c), SEEN_EAUTH);
        commit(t);
    }
    export_mem(&a, ex);
    write_seed(dir, "federation-alpha-halted", ex);
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

/* Run one harness input; return 1 when it verifies with no failure. */
static int
run_audit(const uint8_t *buf, size_t len)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *a;
    int ok;

    ck_assert_int_eq(LLVMFuzzerTestOneInput(buf, len), 0);
    o.owner = fuzz_audit_owner();
    (void)fuzz_audit_split(buf, len, b);
    ck_assert_int_eq(seen_audit_open(b, "seed", &o, NULL, NULL, &a), 0);
    ok = seen_audit_failures(a) == 0;
    seen_audit_destroy(&a);
    return ok;
}

static size_t
replay_dir(const char *dir, size_t *n)
{
    char path[4096];
    struct dirent *de;
    uint8_t *buf;
    size_t len, ok = 0;
    long sz;
    FILE *f;
    DIR *d;

    *n = 0;
    if ((d = opendir(dir)) == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ck_assert_ptr_nonnull(f = fopen(path, "rb"));
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        ck_assert_int_ge(sz = ftell(f), 0);
        rewind(f);
        len = (size_t)sz;
        ck_assert_ptr_nonnull(buf = malloc(len ? len : 1));
        ck_assert_uint_eq(fread(buf, 1, len, f), len);
        fclose(f);
        ok += (size_t)run_audit(len ? buf : NULL, len);
        free(buf);
        (*n)++;
    }
    closedir(d);
    return ok;
}

START_TEST(test_fuzz_seeds_verify_and_regressions_do_not_crash)
{
    size_t n, ok;

    ok = replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/corpus/audit", &n);
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_ge(ok, 3); /* all but the halted node's */
    (void)replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/regress/audit", &n);
    ck_assert_int_eq(LLVMFuzzerTestOneInput(NULL, 0), 0);
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

    tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_export_verifies_alone_and_together);
    tcase_add_test(tc, test_every_flipped_byte_of_a_small_export_fails);
    tcase_add_test(tc, test_sampled_flips_of_a_large_export_fail);
    tcase_add_test(tc, test_rewritten_log_is_caught_through_its_peers);
    tcase_add_test(tc, test_cli_exports_a_lone_node_and_verifies);
    tcase_add_test(tc, test_worked_example_of_the_format_document_verifies);
    tcase_add_test(tc, test_write_example_when_asked);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_seeds_when_asked);
    tcase_add_test(tc, test_fuzz_seeds_verify_and_regressions_do_not_crash);
    suite_add_tcase(s, tc);
    return s;
}

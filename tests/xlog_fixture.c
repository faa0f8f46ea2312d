/*
 * xlog_fixture.c: the fixture of the exchange log's suites (check_xlog.c
 * and check_audit.c), which both include it, as they include a fuzz
 * harness: a temporary folder with nodes alpha (A), bravo (B) and witness
 * (W) in one federation (its membership document signed by AUTH), their
 * stores and transactions, the queries, decisions and messages they log,
 * and exporting and verifying their logs.  Not a suite of its own (no
 * check_ prefix): each suite gets its own static copy.  Every function
 * here is used by both suites; one that only one suite uses belongs in
 * that suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "tests/testutil.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define MAP_MB 64
/* The seed of alpha's keys: FUZZ_AUDIT_OWNER_SEED, so that the fuzzer
 * accepts alpha's exports as a lone node's (check_audit.c checks). */
#define ALPHA_SEED 0x0a
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
    Seen__AgencyType type, struct seen_keys *k, const char *ep)
{

    seen__member__init(m);
    m->name = (char *)name;
    m->agency = (char *)agency;
    m->type = type;
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
    A = det_keys(ALPHA_SEED);
    B = det_keys(0x0b);
    W = det_keys(0x0c);
    AUTH = det_keys(0xa0);
    member(&m[0], "alpha", "Alpha Police", SEEN__AGENCY_TYPE__POLICE, A,
        "tcp://127.0.0.1:7401");
    member(&m[1], "bravo", "Bravo Social Care", SEEN__AGENCY_TYPE__SOCIAL_CARE,
        B, "tcp://127.0.0.1:7402");
    member(&m[2], "witness", "Witness Health", SEEN__AGENCY_TYPE__HEALTH, W,
        "tcp://127.0.0.1:7403");
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

/*
 * check_custodian.c: the custodians (node/custodian/): the journal (a
 * torn last record ignored, each request folded and counted once), and
 * three real custodian services on loopback with a real client: the
 * outputs are the whole key's through any two, every bad request is
 * refused with its status (sizes, too many elements, a wrong epoch, a
 * subset without the custodian, a replayed id), the limits refuse with
 * what remains, the fold makes XLOG_OPRF leaves and one alert a day, and
 * a service started again recovers today's counts.  And the replay of
 * the custodian fuzzer's seeds and regressions (tests/fuzz/).
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "common/home.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "node/custodian/client.h"
#include "node/custodian/journal.h"
#include "node/custodian/service.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/xlog.h"

#include "seen.pb-c.h"

#define LLVMFuzzerTestOneInput fuzz_custodian_one
#include "tests/fuzz/fuzz_custodian.c"

#define NCUST 3
#define EPOCH 4

static struct seen_keys *auth, *ck[NCUST], *asker;
static Seen__Member mb[NCUST + 1];
static char eps[NCUST + 1][64], ceps[NCUST][64];
static char homes[NCUST][2048];
static struct seen_membership *doc;
static struct seen_custodian *svc[NCUST];
static void *zctx;

/* A record for the journal tests. */
static void
rec_init(Seen__OprfRecord *r, uint8_t member[32], uint8_t id[16],
    uint32_t count, Seen__OprfStatus st)
{

    seen__oprf_record__init(r);
    r->member.data = member;
    r->member.len = 32;
    r->purpose = (char *)(uintptr_t) "query";
    r->operator_ = (char *)(uintptr_t) "lead1";
    r->count = count;
    r->request_id.data = id;
    r->request_id.len = 16;
    r->status = st;
    r->epoch = EPOCH;
    r->time = (uint64_t)time(NULL);
}

static int
count_fn(void *ctx, const Seen__OprfRecord *r)
{
    size_t *n = ctx;

    *n += r->count;
    return 0;
}

/* A record cut short by a crash is ignored, and what is consumed is not
 * read again while what came after stays. */
START_TEST(test_journal_ignores_a_torn_last_record)
{
    struct seen_cjournal *j;
    Seen__OprfRecord r;
    uint8_t member[32] = {1}, id[16] = {2};
    char dir[2048], path[2100];
    struct stat sb;
    uint64_t end;
    size_t n = 0;

    ck_assert_ptr_nonnull(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/j", dir);
    ck_assert_int_eq(seen_cjournal_open(path, &j), 0);
    rec_init(&r, member, id, 5, SEEN__OPRF_STATUS__OPRF_OK);
    ck_assert_int_eq(seen_cjournal_append(j, &r), 0);
    r.count = 7;
    ck_assert_int_eq(seen_cjournal_append(j, &r), 0);
    r.count = 100;
    ck_assert_int_eq(seen_cjournal_append(j, &r), 0);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(truncate(path, sb.st_size - 3), 0); /* torn */
    tu_quiet(NULL);
    ck_assert_int_eq(seen_cjournal_read(j, count_fn, &n, &end), 0);
    tu_loud();
    ck_assert_uint_eq(n, 12);
    /* One more after the torn one is not read either: the tear ends it. */
    r.count = 1000;
    ck_assert_int_eq(seen_cjournal_append(j, &r), 0);
    n = 0;
    tu_quiet(NULL);
    ck_assert_int_eq(seen_cjournal_read(j, count_fn, &n, NULL), 0);
    tu_loud();
    ck_assert_uint_eq(n, 12);
    /* Consumed: what was read goes, the rest stays. */
    ck_assert_int_eq(seen_cjournal_consume(j, end), 0);
    ck_assert_uint_gt(seen_cjournal_pending(j), 0);
    ck_assert_int_eq(seen_cjournal_consume(j, seen_cjournal_pending(j)), 0);
    ck_assert_uint_eq(seen_cjournal_pending(j), 0);
    r.count = 9;
    ck_assert_int_eq(seen_cjournal_append(j, &r), 0);
    n = 0;
    ck_assert_int_eq(seen_cjournal_read(j, count_fn, &n, NULL), 0);
    ck_assert_uint_eq(n, 9);
    seen_cjournal_close(&j);
    seen_cjournal_close(&j);
    tu_rmrf(dir);
}
END_TEST

/* The document of ${epoch}: the members mb[], a key dealt 2 of 3 among
 * the first NCUST at the endpoints ${cep}. */
static struct seen_membership *
deal_doc(uint32_t epoch, const char *const *cep)
{
    const Seen__Member *mbs[NCUST + 1], *cust[NCUST];
    struct seen_membership *m;
    Seen__OprfKey *k;
    uint8_t *buf, *d;
    size_t len, dlen, i;

    for (i = 0; i <= NCUST; i++) {
        mbs[i] = &mb[i];
        if (i < NCUST)
            cust[i] = &mb[i];
    }
    ck_assert_int_eq(
        seen_membership_deal(epoch, 2, cust, cep, NCUST, &buf, &len), 0);
    ck_assert_ptr_nonnull(k = seen__oprf_key__unpack(NULL, len, buf));
    ck_assert_int_eq(seen_membership_build_oprf("f", epoch, 1, mbs,
                         NCUST + 1, epoch, 0, 8, NULL, k, auth, &d, &dlen),
        0);
    ck_assert_int_eq(seen_membership_open(d, dlen, auth->sign_pk, &m), 0);
    free(d);
    free(buf);
    seen__oprf_key__free_unpacked(k, NULL);
    return m;
}

/* Three custodians of a key dealt 2 of 3, and an asker, on loopback. */
static void
setup(void)
{
    const char *cep[NCUST];
    const struct seen_custodian_limits lim = {50, 20};
    size_t i;

    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    ck_assert_ptr_nonnull(asker = seen_keys_generate());
    for (i = 0; i <= NCUST; i++) {
        char name[16];

        if (i < NCUST)
            ck_assert_ptr_nonnull(ck[i] = seen_keys_generate());
        snprintf(name, sizeof name, "node-%zu", i);
        snprintf(eps[i], sizeof eps[i], "tcp://127.0.0.1:%d", tu_port());
        tu_member(&mb[i], i < NCUST ? strdup(name) : strdup("asker"),
            i < NCUST ? ck[i] : asker, eps[i]);
        if (i < NCUST) {
            snprintf(ceps[i], sizeof ceps[i], "tcp://127.0.0.1:%d",
                tu_port());
            cep[i] = ceps[i];
        }
    }
    doc = deal_doc(EPOCH, cep);
    for (i = 0; i < NCUST; i++) {
        ck_assert_ptr_nonnull(tu_tmpdir(homes[i], sizeof homes[i]));
        ck_assert_int_eq(seen_custodian_new(ck[i], homes[i], &lim, -1,
                             &svc[i]),
            0);
        ck_assert_int_eq(seen_custodian_adopt(svc[i], doc), 0);
    }
    ck_assert_ptr_nonnull(zctx = zmq_ctx_new());
}

static void
teardown(void)
{
    size_t i;

    for (i = 0; i < NCUST; i++) {
        seen_custodian_destroy(&svc[i]);
        tu_rmrf(homes[i]);
        seen_keys_destroy(&ck[i]);
    }
    for (i = 0; i <= NCUST; i++)
        free(mb[i].name);
    seen_membership_destroy(&doc);
    seen_keys_destroy(&asker);
    seen_keys_destroy(&auth);
    zmq_ctx_term(zctx);
}

/* The output of ${in} under the whole key, made here from the shares of
 * custodians 1 and 2 (the test may open them: it holds their keys). */
static void
expected(const char *in, uint8_t out[SEEN_OPRF_OUTPUT])
{
    const unsigned int ids[2] = {1, 2};
    uint8_t s[2][32], w[32], k[32], blind[32] = {0}, be[32], ev[32];
    unsigned int idx;
    size_t i;

    for (i = 0; i < 2; i++)
        ck_assert_int_eq(seen_membership_open_share(doc, ck[i], s[i], &idx),
            0);
    memset(k, 0, sizeof k);
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(seen_oprf_weighted_share(s[i], ids, 2, i, w), 0);
        crypto_core_ristretto255_scalar_add(k, k, w);
    }
    ck_assert_int_eq(seen_oprf_blind(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)in, strlen(in), blind, be),
        0);
    ck_assert_int_eq(seen_oprf_evaluate(k, be, ev), 0);
    ck_assert_int_eq(seen_oprf_finalize(SEEN_OPRF_MODE_OPRF,
                         (const uint8_t *)in, strlen(in), NULL, 0, blind, ev,
                         out),
        0);
}

/* Through any two custodians the client gets the whole key's outputs;
 * with one stopped, the others; with two stopped, SEEN_ETIMEDOUT. */
START_TEST(test_client_outputs_are_the_whole_keys_through_any_two)
{
    static const char *in[3] = {"Jane Doe 2015-03-02", "John Roe", "x"};
    const uint8_t *ins[3];
    size_t lens[3], i, n;
    uint8_t out[3][SEEN_OPRF_OUTPUT], want[SEEN_OPRF_OUTPUT];
    const struct seen_oprf_client_custodian *rep;
    struct seen_oprf_client *cl;
    unsigned int t;

    for (i = 0; i < 3; i++) {
        ins[i] = (const uint8_t *)in[i];
        lens[i] = strlen(in[i]);
    }
    ck_assert_int_eq(seen_oprf_client_new(zctx, asker, 1, &cl), 0);
    ck_assert_int_eq(seen_oprf_client_eval(cl, "query", "lead1", ins, lens,
                         3, out),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_oprf_client_adopt(cl, doc), 0);
    ck_assert_uint_eq(seen_oprf_client_epoch(cl, &t, &n), EPOCH);
    ck_assert_uint_eq(t, 2);
    ck_assert_uint_eq(n, NCUST);
    ck_assert_int_eq(
        seen_oprf_client_eval(cl, "query", "lead1", ins, lens, 3, out), 0);
    for (i = 0; i < 3; i++) {
        expected(in[i], want);
        ck_assert_mem_eq(out[i], want, SEEN_OPRF_OUTPUT);
    }
    rep = seen_oprf_client_report(cl, &n);
    ck_assert(rep[0].asked && rep[1].asked && !rep[2].asked);
    seen_custodian_destroy(&svc[0]);
    memset(out, 0, sizeof out);
    tu_quiet(NULL);
    ck_assert_int_eq(
        seen_oprf_client_eval(cl, "query", "lead1", ins, lens, 3, out), 0);
    tu_loud();
    expected(in[0], want);
    ck_assert_mem_eq(out[0], want, SEEN_OPRF_OUTPUT);
    rep = seen_oprf_client_report(cl, &n);
    ck_assert(!rep[0].answered && rep[1].answered && rep[2].answered);
    seen_custodian_destroy(&svc[1]);
    tu_quiet(NULL);
    ck_assert_int_eq(
        seen_oprf_client_eval(cl, "query", "lead1", ins, lens, 3, out),
        SEEN_ETIMEDOUT);
    tu_loud();
    seen_oprf_client_destroy(&cl);
    seen_oprf_client_destroy(&cl);
}
END_TEST

/* A ZeroMQ socket of the test bound to a port of loopback the system
 * chose, its endpoint in ${ep}. */
static void *
bound_socket(char ep[64])
{
    void *s;
    size_t len = 64;
    int zero = 0;

    ck_assert_ptr_nonnull(s = zmq_socket(zctx, ZMQ_ROUTER));
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    ck_assert_int_eq(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    ck_assert_int_eq(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len), 0);
    return s;
}

/* A document that gives custodian 1 another endpoint moves it there
 * without a restart, and the client asks it there; one that gives it a
 * port already taken leaves it where it was, saying so. */
START_TEST(test_custodian_moves_to_its_new_endpoint_without_a_restart)
{
    static const char *in = "Jane Doe 2015-03-02";
    const uint8_t *ins[1] = {(const uint8_t *)in};
    size_t lens[1] = {strlen(in)}, i, n;
    uint8_t out[1][SEEN_OPRF_OUTPUT], want[SEEN_OPRF_OUTPUT];
    const char *cep[NCUST] = {ceps[0], ceps[1], ceps[2]};
    const struct seen_oprf_client_custodian *rep;
    struct seen_custodian_stats st;
    struct seen_oprf_client *cl;
    char taken[64], moved[64], log[2200], *text, *p;
    void *hold, *probe;

    /* A port taken by someone else: custodian 1 stays where it is. */
    hold = bound_socket(taken);
    cep[0] = taken;
    seen_membership_destroy(&doc);
    doc = deal_doc(EPOCH + 1, cep);
    snprintf(log, sizeof log, "%s/log", homes[0]);
    tu_quiet(log);
    for (i = 0; i < NCUST; i++)
        ck_assert_int_eq(seen_custodian_adopt(svc[i], doc), 0);
    ck_assert_int_eq(seen_custodian_adopt(svc[0], doc), 0); /* again */
    tu_loud();
    text = tu_slurp(log, &n);
    ck_assert_ptr_nonnull(p = strstr(text, "cannot move to"));
    ck_assert_ptr_null(strstr(p + 1, "cannot move to")); /* once */
    free(text);
    seen_custodian_stats(svc[0], &st);
    ck_assert(st.serving);
    ck_assert_str_eq(st.endpoint, ceps[0]);
    ck_assert_str_eq(st.want, taken);
    ck_assert_str_ne(st.want_error, "");
    ck_assert_uint_eq(st.epoch, EPOCH + 1);
    /* A free port: it moves there, and the old one is let go. */
    snprintf(moved, sizeof moved, "tcp://127.0.0.1:%d", tu_port());
    cep[0] = moved;
    seen_membership_destroy(&doc);
    doc = deal_doc(EPOCH + 2, cep);
    for (i = 0; i < NCUST; i++)
        ck_assert_int_eq(seen_custodian_adopt(svc[i], doc), 0);
    seen_custodian_stats(svc[0], &st);
    ck_assert_str_eq(st.endpoint, moved);
    ck_assert_str_eq(st.want, "");
    ck_assert_str_eq(st.want_error, "");
    /* (ZeroMQ closes an unbound listener in its I/O thread, soon.) */
    ck_assert_ptr_nonnull(probe = zmq_socket(zctx, ZMQ_ROUTER));
    for (i = 0; i < 1000 && zmq_bind(probe, ceps[0]) != 0; i++)
        usleep(10000);
    ck_assert_uint_lt(i, 1000);
    zmq_close(probe);
    /* With custodian 2 stopped, 1 (moved) and 3 answer the client. */
    seen_custodian_destroy(&svc[1]);
    ck_assert_int_eq(seen_oprf_client_new(zctx, asker, 2, &cl), 0);
    ck_assert_int_eq(seen_oprf_client_adopt(cl, doc), 0);
    tu_quiet(NULL);
    ck_assert_int_eq(
        seen_oprf_client_eval(cl, "query", "lead1", ins, lens, 1, out), 0);
    tu_loud();
    rep = seen_oprf_client_report(cl, &n);
    ck_assert_str_eq(rep[0].endpoint, moved);
    ck_assert(rep[0].answered && !rep[1].answered && rep[2].answered);
    expected(in, want);
    ck_assert_mem_eq(out[0], want, SEEN_OPRF_OUTPUT);
    seen_oprf_client_destroy(&cl);
    zmq_close(hold);
}
END_TEST

/* Any sender: the test checks the custodian's key itself. */
static int
any_sender(void *ctx, const uint8_t pk[static 32])
{

    return memcmp(ctx, pk, 32) == 0;
}

/* Send one OPRF_EVAL to custodian ${i} and return its answer's status
 * (-1: no answer within 2 s), its evaluations' count in *${nev} and
 * what remains in *${remaining}. */
static int
raw(size_t i, const Seen__OprfEval *ev, size_t *nev, uint64_t *remaining)
{
    struct seen_envelope_view v;
    Seen__OprfResult *res;
    uint8_t *body, *env;
    size_t blen, elen;
    zmq_pollitem_t it;
    zmq_msg_t m;
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0, st = -1;

    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, ck[i]->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, asker->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, asker->curve_sk, 32);
    ck_assert_int_eq(zmq_connect(s, ceps[i]), 0);
    blen = seen__oprf_eval__get_packed_size(ev);
    ck_assert_ptr_nonnull(body = malloc(blen));
    seen__oprf_eval__pack(ev, body);
    ck_assert_int_eq(seen_envelope_seal(asker, ck[i]->sign_pk,
                         SEEN__MSG_TYPE__OPRF_EVAL, body, blen, NULL,
                         (uint64_t)time(NULL), &env, &elen),
        0);
    ck_assert_int_eq(zmq_send(s, env, elen, 0), (int)elen);
    it = (zmq_pollitem_t){s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 2000) == 1) {
        zmq_msg_init(&m);
        ck_assert_int_ge(zmq_msg_recv(&m, s, 0), 0);
        ck_assert_int_eq(seen_envelope_open(zmq_msg_data(&m),
                             zmq_msg_size(&m), asker->sign_pk, any_sender,
                             ck[i]->sign_pk, (uint64_t)time(NULL), &v),
            0);
        ck_assert_int_eq(v.type, SEEN__MSG_TYPE__OPRF_RESULT);
        ck_assert_ptr_nonnull(
            res = seen__oprf_result__unpack(NULL, v.blen, v.body));
        ck_assert_mem_eq(res->request_id.data, ev->request_id.data, 16);
        st = res->status;
        *nev = res->n_evaluated;
        *remaining = res->remaining;
        seen__oprf_result__free_unpacked(res, NULL);
        seen_envelope_release(&v);
        zmq_msg_close(&m);
    }
    free(env);
    free(body);
    zmq_close(s);
    return st;
}

/* An OPRF_EVAL of ${n} elements (each a valid one, ${bad} of them cut to
 * 31 bytes) with a fresh id, asking custodians 1 and 2. */
static Seen__OprfEval *
eval_new(size_t n, size_t bad)
{
    static uint32_t idx[2] = {1, 2};
    Seen__OprfEval *ev = calloc(1, sizeof *ev);
    size_t i;

    seen__oprf_eval__init(ev);
    ev->request_id.data = malloc(16);
    ev->request_id.len = 16;
    randombytes_buf(ev->request_id.data, 16);
    ev->epoch = EPOCH;
    ev->n_indexes = 2;
    ev->indexes = idx;
    ev->purpose = (char *)(uintptr_t) "query";
    ev->operator_ = (char *)(uintptr_t) "lead1";
    ev->n_blinded = n;
    ev->blinded = calloc(n, sizeof *ev->blinded);
    for (i = 0; i < n; i++) {
        ev->blinded[i].data = malloc(32);
        ev->blinded[i].len = i < bad ? 31 : 32;
        crypto_core_ristretto255_random(ev->blinded[i].data);
    }
    return ev;
}

static void
eval_free(Seen__OprfEval *ev)
{
    size_t i;

    for (i = 0; i < ev->n_blinded; i++)
        free(ev->blinded[i].data);
    free(ev->blinded);
    free(ev->request_id.data);
    free(ev);
}

/* Each bad request has its status and nothing evaluated; a good one its
 * elements; a replay is refused; over the limits what remains is said. */
START_TEST(test_bad_requests_and_limits_are_refused_with_their_status)
{
    Seen__OprfEval *ev;
    uint32_t other[2] = {1, 3};
    uint64_t rem = 0;
    size_t nev = 0;

    ev = eval_new(3, 0);
    ck_assert_int_eq(raw(1, ev, &nev, &rem), SEEN__OPRF_STATUS__OPRF_OK);
    ck_assert_uint_eq(nev, 3);
    ck_assert_uint_eq(rem, 17); /* the operator's 20, less 3 */
    /* The same request again: a replay. */
    nev = 9;
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_BAD_REQUEST);
    ck_assert_uint_eq(nev, 0);
    eval_free(ev);
    ev = eval_new(2, 1); /* an element of 31 bytes */
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_BAD_REQUEST);
    eval_free(ev);
    ev = eval_new(3, 0); /* 32 bytes that are no element, last */
    memset(ev->blinded[2].data, 0xff, 32);
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_BAD_REQUEST);
    ck_assert_uint_eq(nev, 0);
    eval_free(ev);
    ev = eval_new(SEEN_CUSTODIAN_BATCH_MAX + 1, 0); /* too many */
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_BAD_REQUEST);
    eval_free(ev);
    ev = eval_new(1, 0);
    ev->epoch = EPOCH + 1;
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_WRONG_EPOCH);
    eval_free(ev);
    ev = eval_new(1, 0);
    ev->indexes = other; /* custodian 2 is not asked */
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_NOT_CUSTODIAN);
    eval_free(ev);
    ev = eval_new(1, 0);
    ev->n_indexes = 1; /* fewer than t */
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_BAD_REQUEST);
    eval_free(ev);
    ev = eval_new(1, 0);
    ev->purpose = (char *)(uintptr_t) "fishing"; /* not a purpose */
    ck_assert_int_eq(raw(1, ev, &nev, &rem), -1); /* dropped unanswered */
    eval_free(ev);
    /* The operator's limit: 17 left. */
    ev = eval_new(18, 0);
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT);
    ck_assert_uint_eq(rem, 17);
    eval_free(ev);
    ev = eval_new(17, 0);
    ck_assert_int_eq(raw(1, ev, &nev, &rem), SEEN__OPRF_STATUS__OPRF_OK);
    ck_assert_uint_eq(rem, 0);
    eval_free(ev);
    /* An import counts only against the member's 50: 30 left. */
    ev = eval_new(30, 0);
    ev->purpose = (char *)(uintptr_t) "import";
    ck_assert_int_eq(raw(1, ev, &nev, &rem), SEEN__OPRF_STATUS__OPRF_OK);
    ck_assert_uint_eq(rem, 0);
    eval_free(ev);
    ev = eval_new(1, 0);
    ev->purpose = (char *)(uintptr_t) "import";
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT);
    eval_free(ev);
}
END_TEST

/* A custodian that answers wrongly: ${mode} 0, one element short; 1,
 * another request's id.  It answers one request and stops. */
struct fake {
    int mode;
    int bound; /* set once it listens */
    pthread_mutex_t mu;
};

static void *
fake_custodian(void *arg)
{
    struct fake *f = arg;
    Seen__OprfResult res = SEEN__OPRF_RESULT__INIT;
    struct seen_envelope_view v;
    Seen__OprfEval *ev;
    uint8_t other[16], *body, *env;
    size_t blen, elen;
    zmq_msg_t id, m;
    zmq_pollitem_t it;
    void *r = zmq_socket(zctx, ZMQ_ROUTER);
    int one = 1, zero = 0;

    zmq_setsockopt(r, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, ck[0]->curve_sk, 32);
    if (zmq_bind(r, ceps[0]) != 0)
        goto done;
    pthread_mutex_lock(&f->mu);
    f->bound = 1;
    pthread_mutex_unlock(&f->mu);
    it = (zmq_pollitem_t){r, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 5000) != 1)
        goto done;
    zmq_msg_init(&id);
    zmq_msg_init(&m);
    if (zmq_msg_recv(&id, r, 0) < 0 || zmq_msg_recv(&m, r, 0) < 0 ||
        seen_envelope_open(zmq_msg_data(&m), zmq_msg_size(&m), ck[0]->sign_pk,
            any_sender, asker->sign_pk, (uint64_t)time(NULL), &v) != 0)
        goto done;
    if ((ev = seen__oprf_eval__unpack(NULL, v.blen, v.body)) != NULL) {
        randombytes_buf(other, sizeof other);
        res.request_id = ev->request_id;
        if (f->mode == 1)
            res.request_id.data = other;
        res.epoch = ev->epoch;
        res.status = SEEN__OPRF_STATUS__OPRF_OK;
        res.n_evaluated = f->mode == 0 ? ev->n_blinded - 1 : ev->n_blinded;
        res.evaluated = ev->blinded; /* elements all the same */
        blen = seen__oprf_result__get_packed_size(&res);
        body = malloc(blen);
        seen__oprf_result__pack(&res, body);
        if (seen_envelope_seal(ck[0], asker->sign_pk,
                SEEN__MSG_TYPE__OPRF_RESULT, body, blen, NULL,
                (uint64_t)time(NULL), &env, &elen) == 0) {
            zmq_send(r, zmq_msg_data(&id), zmq_msg_size(&id), ZMQ_SNDMORE);
            zmq_send(r, env, elen, 0);
            free(env);
        }
        free(body);
        seen__oprf_eval__free_unpacked(ev, NULL);
    }
    seen_envelope_release(&v);
    zmq_msg_close(&id);
    zmq_msg_close(&m);
done:
    zmq_close(r);
    return NULL;
}

/* A custodian that answers one element short, or with another request's
 * id, is left out and two others are asked: the outputs are still the
 * whole key's. */
START_TEST(test_client_leaves_out_a_custodian_that_answers_wrongly)
{
    const uint8_t *in = (const uint8_t *)"Jane Doe 2015-03-02";
    size_t len = strlen((const char *)in), n;
    uint8_t out[2][SEEN_OPRF_OUTPUT], want[SEEN_OPRF_OUTPUT];
    const uint8_t *ins[2] = {in, in};
    size_t lens[2] = {len, len};
    const struct seen_oprf_client_custodian *rep;
    struct seen_oprf_client *cl;
    struct fake f;
    pthread_t t;
    int mode, bound;

    expected((const char *)in, want);
    seen_custodian_destroy(&svc[0]);
    ck_assert_int_eq(seen_oprf_client_new(zctx, asker, 2, &cl), 0);
    ck_assert_int_eq(seen_oprf_client_adopt(cl, doc), 0);
    for (mode = 0; mode < 2; mode++) {
        memset(&f, 0, sizeof f);
        f.mode = mode;
        pthread_mutex_init(&f.mu, NULL);
        ck_assert_int_eq(pthread_create(&t, NULL, fake_custodian, &f), 0);
        do {
            pthread_mutex_lock(&f.mu);
            bound = f.bound;
            pthread_mutex_unlock(&f.mu);
        } while (!bound);
        tu_quiet(NULL);
        ck_assert_int_eq(
            seen_oprf_client_eval(cl, "query", "lead1", ins, lens, 2, out),
            0);
        tu_loud();
        pthread_join(t, NULL);
        pthread_mutex_destroy(&f.mu);
        ck_assert_mem_eq(out[0], want, SEEN_OPRF_OUTPUT);
        ck_assert_mem_eq(out[1], want, SEEN_OPRF_OUTPUT);
        rep = seen_oprf_client_report(cl, &n);
        ck_assert(rep[0].asked && rep[1].answered && rep[2].answered);
    }
    seen_oprf_client_destroy(&cl);
}
END_TEST

/* One alert of the limit rule, counted in the alerts table. */
static int
alert_fn(void *ctx, const void *v, size_t vlen)
{
    size_t *n = ctx;

    if (memmem(v, vlen, "custodian_limit_exceeded", 24) != NULL)
        (*n)++;
    return 0;
}

/* Limits seen.conf leaves unset are the defaults of the served epoch's
 * encoding: an anchored key (every deal of this version) lets a member
 * and operator ask 400 evaluations a day, not 2,000. */
START_TEST(test_unset_limits_are_the_encodings_defaults)
{
    const struct seen_custodian_limits lim = {0, 0};
    Seen__OprfEval *ev;
    uint64_t rem;
    size_t nev;

    ck_assert_uint_eq(seen_membership_oprf_encoding(doc),
        SEEN_MEMBERSHIP_ENCODING_ANCHORED);
    seen_custodian_destroy(&svc[1]);
    ck_assert_int_eq(seen_custodian_new(ck[1], homes[1], &lim, -1, &svc[1]),
        0);
    ck_assert_int_eq(seen_custodian_adopt(svc[1], doc), 0);
    ev = eval_new(SEEN_CONFIG_CUSTODIAN_OPERATOR_LIMIT_ANCHORED, 0);
    ck_assert_int_eq(raw(1, ev, &nev, &rem), SEEN__OPRF_STATUS__OPRF_OK);
    ck_assert_uint_eq(rem, 0);
    eval_free(ev);
    ev = eval_new(1, 0);
    ck_assert_int_eq(raw(1, ev, &nev, &rem),
        SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT);
    eval_free(ev);
}
END_TEST

/* The fold makes one XLOG_OPRF leaf a request and one alert a day for
 * two limit refusals; a journal folded but not emptied (a crash) is not
 * logged twice; a service made again counts today as before. */
START_TEST(test_fold_logs_each_request_once_and_recovery_keeps_counts)
{
    const struct seen_custodian_limits lim = {50, 5};
    struct seen_custodian_stats st;
    struct seen_store *store;
    struct seen_txn *txn;
    struct tu_store ts;
    Seen__OprfEval *ev;
    char path[2200];
    uint64_t rem, size0, size1, size2, today;
    size_t nev, alerts = 0;
    uint8_t *j;
    size_t jlen;
    FILE *f;
    int i;

    /* Custodian 2 with an operator limit of 5. */
    seen_custodian_destroy(&svc[1]);
    ck_assert_int_eq(seen_custodian_new(ck[1], homes[1], &lim, -1, &svc[1]),
        0);
    ck_assert_int_eq(seen_custodian_adopt(svc[1], doc), 0);
    for (i = 0; i < 4; i++) {
        ev = eval_new(2, 0); /* 2, 4, then 6 and 6 over 5: refused */
        ck_assert_int_eq(raw(1, ev, &nev, &rem),
            i < 2 ? SEEN__OPRF_STATUS__OPRF_OK
                  : SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT);
        eval_free(ev);
    }
    seen_custodian_stats(svc[1], &st);
    ck_assert_uint_gt(st.pending, 0);
    ck_assert_uint_eq(st.today, 4);
    today = st.today;
    /* Keep the journal as a crash would leave it after the fold. */
    snprintf(path, sizeof path, "%s/%s", homes[1], SEEN_CJOURNAL_NAME);
    ck_assert_ptr_nonnull(j = (uint8_t *)tu_slurp(path, &jlen));
    tu_store_setup(&ts);
    memcpy(ts.node_id, ck[1]->sign_pk, 32);
    memcpy(ts.record_key, ck[1]->record_key, 32);
    store = tu_store_open(&ts, 64, 1);
    txn = tu_begin(store, 0);
    ck_assert_int_eq(seen_xlog_size(txn, &size0), 0);
    seen_store_abort(txn);
    ck_assert_int_eq(seen_custodian_fold(svc[1], store), 0);
    txn = tu_begin(store, 0);
    ck_assert_int_eq(seen_xlog_size(txn, &size1), 0);
    ck_assert_int_eq(seen_alerts_each(txn, alert_fn, &alerts), 0);
    seen_store_abort(txn);
    ck_assert_uint_eq(size1 - size0, 4);
    ck_assert_uint_eq(alerts, 1);
    seen_custodian_stats(svc[1], &st);
    ck_assert_uint_eq(st.pending, 0);
    /* Stopped, the folded journal back as a crash left it: recovery
     * logs nothing twice and counts today as before. */
    seen_custodian_destroy(&svc[1]);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    ck_assert_uint_eq(fwrite(j, 1, jlen, f), jlen);
    fclose(f);
    ck_assert_int_eq(seen_custodian_new(ck[1], homes[1], &lim, -1, &svc[1]),
        0);
    ck_assert_int_eq(seen_custodian_recover(svc[1], store), 0);
    txn = tu_begin(store, 0);
    ck_assert_int_eq(seen_xlog_size(txn, &size2), 0);
    seen_store_abort(txn);
    ck_assert_uint_eq(size2, size1);
    seen_custodian_stats(svc[1], &st);
    ck_assert_uint_eq(st.today, today);
    ck_assert_uint_eq(st.pending, 0);
    free(j);
    seen_store_destroy(&store);
    tu_store_teardown(&ts);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Run one input through the harness, which aborts on a broken promise. */
static int
run_fuzz(const uint8_t *buf, size_t len)
{

    ck_assert_int_eq(fuzz_custodian_one(buf, len), 0);
    return 1;
}

/* The seeds (written again first when SEEN_CUSTODIAN_WRITE_SEEDS names a
 * folder) reach every outcome of both sides, the regressions run. */
START_TEST(test_fuzz_seeds_reach_every_outcome)
{
    const char *w = getenv("SEEN_CUSTODIAN_WRITE_SEEDS");
    size_t n;

    if (w != NULL && w[0] != '\0')
        fuzz_custodian_seeds(w);
    tu_quiet(NULL);
    ck_assert_uint_eq(tu_replay_fuzz("custodian", run_fuzz, &n), n);
    tu_loud();
    ck_assert_uint_ge(n, 12);
    ck_assert_uint_ge(fz_seen.dropped, 3);
    ck_assert_uint_ge(fz_seen.served, 6);
    ck_assert_uint_ge(fz_seen.limit, 2);
    ck_assert_uint_ge(fz_seen.refused, 5);
    ck_assert_uint_ge(fz_seen.accepted, 1);
    ck_assert_uint_ge(fz_seen.passed, 1);
    ck_assert_uint_ge(fz_seen.answered, 3);
    ck_assert_uint_ge(fz_seen.unread, 1);
    fuzz_custodian_stop();
}
END_TEST

Suite *
custodian_suite(void)
{
    Suite *s = suite_create("custodian");
    TCase *tc = tcase_create("journal");

    tcase_add_test(tc, test_journal_ignores_a_torn_last_record);
    suite_add_tcase(s, tc);
    tc = tcase_create("service");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_client_outputs_are_the_whole_keys_through_any_two);
    tcase_add_test(tc,
        test_bad_requests_and_limits_are_refused_with_their_status);
    tcase_add_test(tc,
        test_fold_logs_each_request_once_and_recovery_keeps_counts);
    tcase_add_test(tc, test_unset_limits_are_the_encodings_defaults);
    tcase_add_test(tc,
        test_client_leaves_out_a_custodian_that_answers_wrongly);
    tcase_add_test(tc,
        test_custodian_moves_to_its_new_endpoint_without_a_restart);
    suite_add_tcase(s, tc);
    tc = tcase_create("fuzz seeds");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fuzz_seeds_reach_every_outcome);
    suite_add_tcase(s, tc);
    return s;
}

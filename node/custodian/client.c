/*
 * client.c: evaluating inputs through the custodians (client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "node/custodian/client.h"
#include "node/custodian/service.h"

#include "seen.pb-c.h"

#define CHECK_PROBE "seen custodians check"

/* A custodian as the client keeps it. */
struct cust {
    struct seen_oprf_client_custodian r; /* what the report shows */
    uint8_t sign_pk[32];
    uint8_t curve_pk[32];
    void *sock; /* DEALER, connected; NULL until first asked */
    int bad;    /* left out for the rest of this call */
    int limit;  /* refused over its limits in this call */
    uint8_t (*got)[32]; /* its answer to the subset being asked */
};

struct seen_oprf_client {
    void *zctx;
    const struct seen_keys *keys;
    unsigned int timeout;
    uint32_t epoch;
    unsigned int t;
    struct cust *c;
    struct seen_oprf_client_custodian *rep; /* report()'s copy */
    size_t n;
};

/**
 * seen_oprf_client_new(zctx, keys, timeout, out):
 * A client of the node ${keys}, its sockets in ${zctx}, waiting at most
 * ${timeout} seconds for a subset's answers.  Returns 0 and the client in
 * *${out}; SEEN_ENOMEM.
 */
int
seen_oprf_client_new(void *zctx, const struct seen_keys *keys,
    unsigned int timeout, struct seen_oprf_client **out)
{
    struct seen_oprf_client *cl;

    *out = NULL;
    if ((cl = calloc(1, sizeof *cl)) == NULL)
        return SEEN_ENOMEM;
    cl->zctx = zctx;
    cl->keys = keys;
    cl->timeout = timeout > 0 ? timeout : 10;
    *out = cl;
    return 0;
}

/* Close the socket of ${c}, dropping whatever it still queues. */
static void
cust_close(struct cust *c)
{

    if (c->sock != NULL)
        zmq_close(c->sock);
    c->sock = NULL;
}

/* Free the custodians of ${cl}. */
static void
custs_free(struct seen_oprf_client *cl)
{
    size_t i;

    for (i = 0; i < cl->n; i++) {
        cust_close(&cl->c[i]);
        free(cl->c[i].got);
    }
    free(cl->c);
    free(cl->rep);
    cl->c = NULL;
    cl->rep = NULL;
    cl->n = 0;
}

/**
 * seen_oprf_client_adopt(cl, doc):
 * Take the epoch, threshold and custodians of ${doc}.  Returns 0;
 * SEEN_ENOMEM.
 */
int
seen_oprf_client_adopt(struct seen_oprf_client *cl,
    const struct seen_membership *doc)
{
    struct seen_membership_custodian mc;
    struct seen_oprf_client_custodian *rep;
    struct cust *c;
    unsigned int t;
    size_t i, n = seen_membership_oprf(doc, &t, NULL);

    c = calloc(n ? n : 1, sizeof *c);
    rep = calloc(n ? n : 1, sizeof *rep);
    if (c == NULL || rep == NULL) {
        free(c);
        free(rep);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (seen_membership_custodian(doc, i, &mc) != 0)
            continue;
        c[i].r.index = mc.index;
        snprintf(c[i].r.name, sizeof c[i].r.name, "%s", mc.name);
        snprintf(c[i].r.endpoint, sizeof c[i].r.endpoint, "%s", mc.endpoint);
        memcpy(c[i].sign_pk, mc.sign_pk, 32);
        memcpy(c[i].curve_pk, mc.curve_pk, 32);
    }
    custs_free(cl); /* the sockets are made again as they are needed */
    cl->c = c;
    cl->rep = rep;
    cl->n = n;
    cl->t = n > 0 ? t : 0;
    cl->epoch = n > 0 ? seen_membership_epoch(doc) : 0;
    return 0;
}

/**
 * seen_oprf_client_epoch(cl, threshold, n):
 * Return the OPRF epoch the client asks for (0: none), and its threshold
 * t and number of custodians n (either may be NULL).
 */
uint32_t
seen_oprf_client_epoch(const struct seen_oprf_client *cl,
    unsigned int *threshold, size_t *n)
{

    if (threshold != NULL)
        *threshold = cl->t;
    if (n != NULL)
        *n = cl->n;
    return cl->epoch;
}

/* The socket of ${c}, made and connected when it has none.  NULL on
 * error (logged). */
static void *
cust_sock(struct seen_oprf_client *cl, struct cust *c)
{
    int zero = 0;

    if (c->sock != NULL)
        return c->sock;
    if ((c->sock = zmq_socket(cl->zctx, ZMQ_DEALER)) == NULL)
        return NULL;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, c->curve_pk, 32);
    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, cl->keys->curve_pk, 32);
    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, cl->keys->curve_sk, 32);
    if (zmq_connect(c->sock, c->r.endpoint) != 0) {
        seen_error("custodian '%s': cannot connect to '%s': %s", c->r.name,
            c->r.endpoint, zmq_strerror(zmq_errno()));
        cust_close(c);
        return NULL;
    }
    return c->sock;
}

/* One subset's request: what is asked, and of whom. */
struct ask {
    const char *purpose, *op;
    const uint8_t (*blinded)[32];
    size_t n;
    size_t who[SEEN_OPRF_SHARES_MAX]; /* positions in cl->c */
    unsigned int idx[SEEN_OPRF_SHARES_MAX];
    size_t k;
    uint8_t request_id[16];
};

/* Send ${a} to custodian ${i}.  Returns 0, or -1 (it is then bad). */
static int
send_one(struct seen_oprf_client *cl, const struct ask *a, size_t i)
{
    Seen__OprfEval ev = SEEN__OPRF_EVAL__INIT;
    ProtobufCBinaryData *bd;
    struct cust *c = &cl->c[a->who[i]];
    uint8_t *body = NULL, *env = NULL;
    size_t blen, elen, j;
    void *s;
    int rc = -1;

    if ((bd = calloc(a->n, sizeof *bd)) == NULL)
        return -1;
    for (j = 0; j < a->n; j++) {
        bd[j].data = (uint8_t *)(uintptr_t)a->blinded[j];
        bd[j].len = 32;
    }
    ev.request_id.data = (uint8_t *)(uintptr_t)a->request_id;
    ev.request_id.len = 16;
    ev.epoch = cl->epoch;
    ev.n_indexes = a->k;
    ev.indexes = (uint32_t *)(uintptr_t)a->idx;
    ev.purpose = (char *)(uintptr_t)a->purpose;
    ev.operator_ = (char *)(uintptr_t)(a->op != NULL ? a->op : "");
    ev.n_blinded = a->n;
    ev.blinded = bd;
    blen = seen__oprf_eval__get_packed_size(&ev);
    if ((body = malloc(blen)) == NULL)
        goto done;
    seen__oprf_eval__pack(&ev, body);
    if (seen_envelope_seal(cl->keys, c->sign_pk, SEEN__MSG_TYPE__OPRF_EVAL,
            body, blen, NULL, (uint64_t)time(NULL), &env, &elen) != 0 ||
        (s = cust_sock(cl, c)) == NULL ||
        zmq_send(s, env, elen, ZMQ_DONTWAIT) != (int)elen)
        goto done;
    c->r.asked = 1;
    rc = 0;
done:
    free(env);
    free(body);
    free(bd);
    return rc;
}

/* Only custodian ${ctx}'s key signs its answer. */
static int
is_custodian(void *ctx, const uint8_t pk[static 32])
{

    return memcmp(ctx, pk, 32) == 0;
}

/**
 * seen_oprf_answer_read(keys, cust_pk, env, len, request_id, n, got, ans):
 * Read the message ${env} (${len} bytes) that the node ${keys} received
 * from the custodian whose signing key is ${cust_pk}, as its answer to
 * the request ${request_id} (16 bytes) of ${n} elements.  Returns 1 when
 * it is that request's answer, OK, with ${n} valid elements other than
 * the identity, copied into ${got}; 0 when it is that custodian's answer
 * to another request (passed over); -1 for anything else: not an
 * OPRF_RESULT signed by ${cust_pk} to ${keys} within the envelope's time
 * window, a refusal, or a wrong count or element (${got} may then be
 * partly written).  ${ans} says whether it answered this request, with
 * which status and what it said remains.
 */
int
seen_oprf_answer_read(const struct seen_keys *keys,
    const uint8_t cust_pk[static 32], const uint8_t *env, size_t len,
    const uint8_t request_id[static 16], size_t n, uint8_t (*got)[32],
    struct seen_oprf_answer *ans)
{
    struct seen_envelope_view v;
    Seen__OprfResult *res = NULL;
    size_t j;
    int rc = -1;

    memset(ans, 0, sizeof *ans);
    if (seen_envelope_open(env, len, keys->sign_pk, is_custodian,
            (void *)(uintptr_t)cust_pk, (uint64_t)time(NULL), &v) != 0 ||
        v.type != SEEN__MSG_TYPE__OPRF_RESULT ||
        (res = seen__oprf_result__unpack(NULL, v.blen, v.body)) == NULL ||
        res->request_id.len != 16)
        goto done;
    if (memcmp(res->request_id.data, request_id, 16) != 0) {
        rc = 0; /* an answer to an earlier request */
        goto done;
    }
    ans->answered = 1;
    ans->status = res->status;
    ans->remaining = res->remaining;
    if (res->status != SEEN__OPRF_STATUS__OPRF_OK || res->n_evaluated != n)
        goto done;
    for (j = 0; j < n; j++) {
        /* RFC 9497's DeserializeElement: canonical, and not the
         * identity (which libsodium's check lets through). */
        if (res->evaluated[j].len != 32 ||
            !crypto_core_ristretto255_is_valid_point(
                res->evaluated[j].data) ||
            sodium_is_zero(res->evaluated[j].data, 32))
            goto done;
        memcpy(got[j], res->evaluated[j].data, 32);
    }
    rc = 1;
done:
    if (res != NULL)
        seen__oprf_result__free_unpacked(res, NULL);
    seen_envelope_release(&v);
    return rc;
}

/* Read one answer from custodian ${c} to ${a}: as
 * seen_oprf_answer_read(), 0 also when nothing waits. */
static int
read_one(struct seen_oprf_client *cl, struct cust *c, const struct ask *a)
{
    struct seen_oprf_answer ans;
    zmq_msg_t m;
    int rc;

    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return 0;
    }
    rc = seen_oprf_answer_read(cl->keys, c->sign_pk, zmq_msg_data(&m),
        zmq_msg_size(&m), a->request_id, a->n, c->got, &ans);
    if (ans.answered) {
        c->r.answered = 1;
        c->r.status = ans.status;
        c->r.remaining = ans.remaining;
        c->limit = ans.status == SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT;
    }
    zmq_msg_close(&m);
    return rc;
}

/* Send the request ${a} to each custodian of its subset.  Returns 1, or
 * 0 when one could not be sent to (marked bad, its socket closed). */
static int
ask_send(struct seen_oprf_client *cl, struct ask *a)
{
    struct cust *c;
    size_t i;

    randombytes_buf(a->request_id, sizeof a->request_id);
    for (i = 0; i < a->k; i++) {
        c = &cl->c[a->who[i]];
        if ((c->got == NULL &&
                (c->got = malloc(SEEN_CUSTODIAN_BATCH_MAX * 32)) == NULL) ||
            send_one(cl, a, i) != 0) {
            c->bad = 1;
            cust_close(c);
            return 0;
        }
    }
    return 1;
}

/*
 * Wait for the answers of the subset ${a} to the request ask_send sent:
 * each custodian that refuses, answers wrongly or not in time is marked
 * bad (its socket closed).  Returns 1 when every one of them answered
 * OK, else 0.
 */
static int
ask_recv(struct seen_oprf_client *cl, struct ask *a)
{
    zmq_pollitem_t items[SEEN_OPRF_SHARES_MAX];
    int done[SEEN_OPRF_SHARES_MAX] = {0};
    double deadline = seen_clock_mono() + cl->timeout;
    size_t i, left = a->k;
    struct cust *c;
    int r;

    while (left > 0) {
        double now = seen_clock_mono();
        long ms = now < deadline ? (long)((deadline - now) * 1000) + 1 : 0;

        for (i = 0; i < a->k; i++)
            items[i] = (zmq_pollitem_t){cl->c[a->who[i]].sock, 0,
                done[i] ? 0 : ZMQ_POLLIN, 0};
        if (ms == 0 || zmq_poll(items, (int)a->k, ms) <= 0) {
            if (ms > 0 && zmq_errno() == EINTR)
                continue;
            break;
        }
        for (i = 0; i < a->k; i++) {
            if (done[i] || !(items[i].revents & ZMQ_POLLIN))
                continue;
            c = &cl->c[a->who[i]];
            while ((r = read_one(cl, c, a)) == 0 && zmq_poll(&items[i], 1, 0) > 0
                   && (items[i].revents & ZMQ_POLLIN))
                ;
            if (r == 0)
                continue;
            done[i] = r == 1 ? 1 : -1;
            left--;
        }
    }
    r = 1;
    for (i = 0; i < a->k; i++) {
        if (done[i] == 1)
            continue;
        c = &cl->c[a->who[i]];
        if (done[i] == 0)
            seen_warn("custodian '%s' did not answer in %u s", c->r.name,
                cl->timeout);
        else if (c->r.status != SEEN__OPRF_STATUS__OPRF_OK)
            seen_warn("custodian '%s' refused (status %d)", c->r.name,
                c->r.status);
        else
            seen_warn("custodian '%s' answered wrongly", c->r.name);
        c->bad = 1;
        cust_close(c);
        r = 0;
    }
    return r;
}

/* Ask the subset ${a} and wait for its answers.  Returns as ask_recv. */
static int
ask_subset(struct seen_oprf_client *cl, struct ask *a)
{

    return ask_send(cl, a) && ask_recv(cl, a);
}

/* Choose t custodians not bad into ${a}.  Returns 0, or the error when
 * fewer than t are left (logged). */
static int
choose(struct seen_oprf_client *cl, struct ask *a)
{
    size_t i, limit = 0;

    a->k = 0;
    for (i = 0; i < cl->n && a->k < cl->t; i++) {
        limit += cl->c[i].limit;
        if (cl->c[i].bad)
            continue;
        a->who[a->k] = i;
        a->idx[a->k++] = cl->c[i].r.index;
    }
    for (; i < cl->n; i++)
        limit += cl->c[i].limit;
    if (a->k == cl->t)
        return 0;
    if (limit > 0) {
        seen_error("custodians: %zu refused this node over their limits "
                   "for today; fewer than %u would answer",
            limit, cl->t);
        return SEEN_EPERM;
    }
    seen_error("custodians: fewer than %u of %zu answered (stopped, "
               "unreachable, or answering wrongly)",
        cl->t, cl->n);
    return SEEN_ETIMEDOUT;
}

/* The sum of the answers of ${a}'s subset into ${sum}. */
static int
add_answers(struct seen_oprf_client *cl, const struct ask *a,
    uint8_t (*sum)[32])
{
    size_t i, j;

    for (j = 0; j < a->n; j++) {
        memcpy(sum[j], cl->c[a->who[0]].got[j], 32);
        for (i = 1; i < a->k; i++)
            if (seen_oprf_add(sum[j], cl->c[a->who[i]].got[j], sum[j]) != 0)
                return SEEN_ETIMEDOUT; /* checked valid: not reached */
    }
    return 0;
}

/* Evaluate the ${a}->n blinded elements of ${a} into ${sum}, subset
 * after subset until t answer.  Returns 0 or choose()'s error. */
static int
eval_batch(struct seen_oprf_client *cl, struct ask *a, uint8_t (*sum)[32])
{
    int rc;

    for (;;) {
        if ((rc = choose(cl, a)) != 0)
            return rc;
        if (ask_subset(cl, a))
            break;
    }
    return add_answers(cl, a, sum);
}

/*
 * The answers to ${a}, sent already to a subset chosen (${sent}: 1 when
 * it was), into ${sum}: what that subset answered, or, when one of them
 * failed, what another answers (eval_batch).  Returns as eval_batch.
 */
static int
eval_sent(struct seen_oprf_client *cl, struct ask *a, int sent,
    uint8_t (*sum)[32])
{

    if (sent && ask_recv(cl, a))
        return add_answers(cl, a, sum);
    return eval_batch(cl, a, sum);
}

/* Clear what the last call noted of each custodian. */
static void
report_clear(struct seen_oprf_client *cl)
{
    size_t i;

    for (i = 0; i < cl->n; i++) {
        cl->c[i].r.asked = cl->c[i].r.answered = 0;
        cl->c[i].r.status = 0;
        cl->c[i].bad = cl->c[i].limit = 0;
    }
}

/*
 * Elements a request of the client's pipeline: the custodians evaluate
 * one batch while this blinds the next and unblinds the one before, so
 * smaller batches keep both cores busy for more of a call (bench_oprf,
 * client tokens through 2 of 3 services: 4,948 a second in batches of
 * 4,096, 6,302 of 512, 6,405 of 128); each request is one journal sync
 * and one log leaf at each custodian, so not smaller.
 */
#define CLIENT_BATCH 512

/* The length of the batch of ${n} inputs that begins at ${from}. */
static size_t
batch_len(size_t n, size_t from)
{

    return n - from < CLIENT_BATCH ? n - from : CLIENT_BATCH;
}

/* Blind the batch of the ${n} ${inputs} that begins at ${from}: each
 * blinded element into ${bl}, and the inverse of each blind, which is
 * what unblinding takes, into ${inv} (inverted together: one inversion
 * cost as much as a fifth of a token). */
static int
blind_batch(const uint8_t *const *inputs, const size_t *lens, size_t n,
    size_t from, uint8_t (*inv)[32], uint8_t (*bl)[32])
{
    size_t i, m = batch_len(n, from);
    int rc;

    for (i = from; i < from + m; i++) {
        memset(inv[i], 0, 32);
        if ((rc = seen_oprf_blind(SEEN_OPRF_MODE_OPRF, inputs[i], lens[i],
                 inv[i], bl[i])) != 0)
            return rc;
    }
    return seen_oprf_invert_batch(inv + from, m);
}

/* Send the batch of the ${n} blinded elements ${bl} that begins at
 * ${from} as ${a} to a subset chosen.  Returns 1 when it went to every
 * one of them, else 0 (eval_sent asks again). */
static int
send_batch(struct seen_oprf_client *cl, struct ask *a,
    const uint8_t (*bl)[32], size_t n, size_t from)
{

    a->blinded = bl + from;
    a->n = batch_len(n, from);
    return choose(cl, a) == 0 && ask_send(cl, a);
}

/* seen_oprf_client_eval() without clearing the report first. */
static int
eval(struct seen_oprf_client *cl, const char *purpose, const char *op,
    const uint8_t *const *inputs, const size_t *lens, size_t n,
    uint8_t (*out)[SEEN_OPRF_OUTPUT])
{
    uint8_t (*inv)[32] = NULL, (*bl)[32] = NULL, (*sum)[32] = NULL;
    struct ask a;
    size_t i, from, m;
    int rc = SEEN_ENOMEM, sent;

    if (cl->epoch == 0) {
        seen_error("custodians: the membership document held is not an "
                   "OPRF epoch");
        return SEEN_ENOTFOUND;
    }
    if ((inv = sodium_malloc(n * 32 + 1)) == NULL ||
        (bl = malloc(n * 32 + 1)) == NULL ||
        (sum = malloc(SEEN_CUSTODIAN_BATCH_MAX * 32)) == NULL)
        goto done;
    memset(&a, 0, sizeof a);
    a.purpose = purpose;
    a.op = op;
    /* A pipeline of batches: the custodians evaluate one while this
     * blinds the next, and the next while this unblinds the one before. */
    if ((rc = blind_batch(inputs, lens, n, 0, inv, bl)) != 0)
        goto done;
    sent = send_batch(cl, &a, bl, n, 0);
    for (from = 0; from < n; from += m) {
        m = batch_len(n, from);
        if (from + m < n &&
            (rc = blind_batch(inputs, lens, n, from + m, inv, bl)) != 0)
            goto done;
        a.blinded = (const uint8_t (*)[32])bl + from;
        a.n = m;
        if ((rc = eval_sent(cl, &a, sent, sum)) != 0)
            goto done;
        if (from + m < n)
            sent = send_batch(cl, &a, bl, n, from + m);
        for (i = 0; i < m; i++)
            if ((rc = seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF,
                     inputs[from + i], lens[from + i], NULL, 0,
                     inv[from + i], sum[i], out[from + i])) != 0)
                goto done;
    }
    rc = 0;
done:
    if (inv != NULL)
        sodium_free(inv);
    free(bl);
    free(sum);
    return rc;
}

/**
 * seen_oprf_client_eval(cl, purpose, operator, inputs, lens, n, out):
 * Evaluate the ${n} inputs through t custodians into ${out}.  Returns 0;
 * SEEN_ENOTFOUND (not an OPRF epoch); SEEN_EPERM (refused over limits);
 * SEEN_ETIMEDOUT (fewer than t answered); SEEN_EINVAL; SEEN_ENOMEM.
 */
int
seen_oprf_client_eval(struct seen_oprf_client *cl, const char *purpose,
    const char *op, const uint8_t *const *inputs, const size_t *lens,
    size_t n, uint8_t (*out)[SEEN_OPRF_OUTPUT])
{

    report_clear(cl);
    if (purpose == NULL || (n > 0 && (inputs == NULL || lens == NULL)))
        return SEEN_EINVAL;
    if (n == 0)
        return 0;
    return eval(cl, purpose, op, inputs, lens, n, out);
}

/**
 * seen_oprf_client_check(cl, op, out):
 * Ask every custodian at once to evaluate one fixed probe (purpose
 * "check"), then evaluate it through t of those that answered.  Returns
 * as seen_oprf_client_eval().
 */
int
seen_oprf_client_check(struct seen_oprf_client *cl, const char *op,
    uint8_t out[SEEN_OPRF_OUTPUT])
{
    const uint8_t *in = (const uint8_t *)CHECK_PROBE;
    size_t len = strlen(CHECK_PROBE), i;
    uint8_t blind[32] = {0}, bl[32];
    struct ask a;

    report_clear(cl);
    if (cl->epoch == 0)
        return eval(cl, "check", op, &in, &len, 1,
            (uint8_t (*)[SEEN_OPRF_OUTPUT])out);
    if (seen_oprf_blind(SEEN_OPRF_MODE_OPRF, in, len, blind, bl) != 0)
        return SEEN_EINVAL;
    /* Every custodian at once: who answers (their sum is not used). */
    memset(&a, 0, sizeof a);
    a.purpose = "check";
    a.op = op;
    a.blinded = (const uint8_t (*)[32])bl;
    a.n = 1;
    for (i = 0; i < cl->n; i++) {
        a.who[i] = i;
        a.idx[i] = cl->c[i].r.index;
    }
    a.k = cl->n;
    (void)ask_subset(cl, &a);
    sodium_memzero(blind, sizeof blind);
    /* Then through t of those that answered. */
    return eval(cl, "check", op, &in, &len, 1,
        (uint8_t (*)[SEEN_OPRF_OUTPUT])out);
}

/**
 * seen_oprf_client_report(cl, n):
 * The custodians of the epoch, with what the last call asked of each and
 * what each answered.  Owned by ${cl}, valid until its next call.
 */
const struct seen_oprf_client_custodian *
seen_oprf_client_report(struct seen_oprf_client *cl, size_t *n)
{
    size_t i;

    *n = cl->n;
    for (i = 0; i < cl->n; i++)
        cl->rep[i] = cl->c[i].r;
    return cl->rep;
}

/**
 * seen_oprf_client_destroy(&cl):
 * Close every socket and free ${cl}.  Safe on NULL and twice.
 */
void
seen_oprf_client_destroy(struct seen_oprf_client **pp)
{
    struct seen_oprf_client *cl;

    if (pp == NULL || (cl = *pp) == NULL)
        return;
    *pp = NULL;
    custs_free(cl);
    free(cl);
}

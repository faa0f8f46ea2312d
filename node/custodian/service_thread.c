/*
 * service_thread.c: the custodian service's thread (service.h): its ZAP
 * handler, and each OPRF_EVAL checked, counted, journalled, evaluated
 * and answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "xlog/leaf.h"
#include "node/custodian/custodian_impl.h"
#include "node/custodian/journal.h"

#include "seen.pb-c.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "seen-custodian"
#define CTL_ENDPOINT "inproc://seen-custodian-ctl"
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

/* A request being answered. */
struct req {
    struct seen_custodian *c;
    struct seen_envelope_view v;
    Seen__OprfEval *ev;
    Seen__OprfRecord rec;      /* what the journal keeps */
    uint8_t weighted[32];      /* lambda_i·share_i for this subset */
    uint64_t remaining;
    uint64_t now;
};

/* Send a ZAP reply (RFC 27). */
static void
zap_reply(void *zap, const void *id, size_t idlen, const char *status,
    const char *user)
{

    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, id, idlen, ZMQ_SNDMORE);
    zmq_send(zap, status, strlen(status), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, ZMQ_SNDMORE);
    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, 0);
}

/* Answer one ZAP request: admit only active members' curve keys, with
 * the member's sign_pk in hex as the User-Id. */
static void
zap_one(struct seen_custodian *c, void *zap)
{
    zmq_msg_t f[7];
    const Seen__Member *mb;
    char user[65] = "";
    int i, n = 0, more = 1, ok = 0;

    for (i = 0; i < 7 && more; i++) {
        zmq_msg_init(&f[i]);
        if (zmq_msg_recv(&f[i], zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&f[i]);
            break;
        }
        n++;
        more = zmq_msg_more(&f[i]);
    }
    while (more) {
        zmq_msg_t x;

        zmq_msg_init(&x);
        if (zmq_msg_recv(&x, zap, 0) < 0)
            break;
        more = zmq_msg_more(&x);
        zmq_msg_close(&x);
    }
    if (n == 7 && zmq_msg_size(&f[5]) == 5 &&
        memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
        zmq_msg_size(&f[6]) == 32) {
        pthread_mutex_lock(&c->mu);
        mb = c->doc != NULL
                 ? seen_membership_by_curve(c->doc, zmq_msg_data(&f[6]))
                 : NULL;
        if ((ok = seen_membership_active(mb)) != 0)
            sodium_bin2hex(user, sizeof user, mb->sign_pk.data, 32);
        pthread_mutex_unlock(&c->mu);
    }
    if (n >= 2)
        zap_reply(zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
            ok ? "200" : "400", user);
    else if (n > 0)
        zap_reply(zap, "", 0, "500", "");
    for (i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

/* An active member of the held document (seen_envelope_open's check). */
static int
sender_ok(void *ctx, const uint8_t pk[static 32])
{
    struct seen_custodian *c = ctx;

    return c->doc != NULL &&
           seen_membership_active(seen_membership_by_sign(c->doc, pk));
}

/* Check the body of ${r} against the epoch and this node's share (c->mu
 * held).  Returns the status to answer with (OPRF_OK to go on). */
static Seen__OprfStatus
check_eval(struct req *r)
{
    struct seen_custodian *c = r->c;
    const Seen__OprfEval *ev = r->ev;
    unsigned int t;
    size_t n, i, j, me = SIZE_MAX;

    if (ev->request_id.len != 16 || ev->n_blinded < 1 ||
        ev->n_blinded > SEEN_CUSTODIAN_BATCH_MAX ||
        !seen_xlog_oprf_purpose_ok(ev->purpose) ||
        (ev->operator_ != NULL && ev->operator_[0] != '\0' &&
            !seen_operator_name_valid(ev->operator_)))
        return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
    if (c->share == NULL || ev->epoch != c->epoch ||
        (n = seen_membership_oprf(c->doc, &t, NULL)) == 0)
        return c->share == NULL ? SEEN__OPRF_STATUS__OPRF_NOT_CUSTODIAN
                                : SEEN__OPRF_STATUS__OPRF_WRONG_EPOCH;
    if (ev->n_indexes < t || ev->n_indexes > n)
        return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
    for (i = 0; i < ev->n_indexes; i++) {
        if (ev->indexes[i] < 1 || ev->indexes[i] > n)
            return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
        for (j = 0; j < i; j++)
            if (ev->indexes[j] == ev->indexes[i])
                return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
        if (ev->indexes[i] == c->index)
            me = i;
    }
    if (me == SIZE_MAX)
        return SEEN__OPRF_STATUS__OPRF_NOT_CUSTODIAN;
    for (i = 0; i < ev->n_blinded; i++) /* elements: as evaluated */
        if (ev->blinded[i].len != 32)
            return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
    if (seen_oprf_weighted_share(c->share, ev->indexes, ev->n_indexes, me,
            r->weighted) != 0)
        return SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
    return SEEN__OPRF_STATUS__OPRF_OK;
}

/* The day's limits of ${c}: seen.conf's, or where it sets none the
 * default (an operator's: of the served epoch's token encoding;
 * common/home.h). */
static void
day_limits(const struct seen_custodian *c, uint64_t *member,
    uint64_t *operator)
{
    int anchored = c->doc != NULL && seen_membership_oprf_encoding(c->doc) ==
                                         SEEN_MEMBERSHIP_ENCODING_ANCHORED;

    *member = c->lim.member != 0 ? c->lim.member
                                 : SEEN_CONFIG_CUSTODIAN_MEMBER_LIMIT;
    *operator = c->lim.operator != 0 ? c->lim.operator
                : anchored ? SEEN_CONFIG_CUSTODIAN_OPERATOR_LIMIT_ANCHORED
                           : SEEN_CONFIG_CUSTODIAN_OPERATOR_LIMIT;
}

/* Check the day's limits for ${r} and count it when it fits (c->mu
 * held).  Returns OPRF_OK or OPRF_REFUSED_LIMIT; r->remaining is what
 * the asker may still ask today. */
static Seen__OprfStatus
check_limits(struct req *r)
{
    struct seen_custodian *c = r->c;
    const char *op = r->ev->operator_ != NULL ? r->ev->operator_ : "";
    int import = strcmp(r->ev->purpose, "import") == 0;
    uint64_t n = r->ev->n_blinded, m, o, left, lm, lo;

    day_limits(c, &lm, &lo);
    m = cust_count_get(c, r->v.sender, "");
    left = m < lm ? lm - m : 0;
    if (!import) {
        o = cust_count_get(c, r->v.sender, op[0] != '\0' ? op : "-");
        if ((o < lo ? lo - o : 0) < left)
            left = o < lo ? lo - o : 0;
    }
    if (n > left) {
        r->remaining = left;
        return SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT;
    }
    cust_count_add(c, r->v.sender, import ? NULL : op[0] != '\0' ? op : "-",
        n, r->now);
    r->remaining = left - n;
    return SEEN__OPRF_STATUS__OPRF_OK;
}

/* Evaluate every element of ${r} with r->weighted into ${res}. */
static int
evaluate(struct req *r, Seen__OprfResult *res, uint8_t (*out)[32],
    ProtobufCBinaryData *bd)
{
    size_t i;

    for (i = 0; i < r->ev->n_blinded; i++) {
        if (seen_oprf_evaluate(r->weighted, r->ev->blinded[i].data, out[i]) !=
            0)
            return -1;
        bd[i].data = out[i];
        bd[i].len = 32;
    }
    res->n_evaluated = r->ev->n_blinded;
    res->evaluated = bd;
    return 0;
}

/* Seal ${res} to the asker into *${out} (malloc'd), *${outlen} bytes.
 * Returns 0; SEEN_ENOMEM; an error of seen_envelope_seal. */
static int
seal(struct req *r, const Seen__OprfResult *res, uint8_t **out,
    size_t *outlen)
{
    uint8_t *body;
    size_t blen = seen__oprf_result__get_packed_size(res);
    int rc;

    if ((body = malloc(blen ? blen : 1)) == NULL)
        return SEEN_ENOMEM;
    seen__oprf_result__pack(res, body);
    rc = seen_envelope_seal(r->c->keys, r->v.sender,
        SEEN__MSG_TYPE__OPRF_RESULT, body, blen, NULL, r->now, out, outlen);
    free(body);
    return rc;
}

/* Journal ${r} with ${status}, and wake the main thread.  Returns 0 or
 * SEEN_EIO (then nothing may be answered). */
static int
journal(struct req *r, Seen__OprfStatus status)
{
    Seen__OprfRecord *o = &r->rec;
    char b = 1;

    seen__oprf_record__init(o);
    o->member.data = (uint8_t *)(uintptr_t)r->v.sender;
    o->member.len = 32;
    o->operator_ = r->ev->operator_;
    o->purpose = r->ev->purpose;
    o->count = (uint32_t)r->ev->n_blinded;
    o->request_id = r->ev->request_id;
    o->status = status;
    o->epoch = r->ev->epoch;
    o->time = r->now;
    if (seen_cjournal_append(r->c->journal, o) != 0)
        return SEEN_EIO;
    if (r->c->wake_fd != -1 && write(r->c->wake_fd, &b, 1) < 0 &&
        errno != EAGAIN)
        seen_warn("custodian: cannot wake the node: %s", strerror(errno));
    return 0;
}

/* A request counted by decide() turned out bad: take it back. */
static void
release(struct req *r)
{
    struct seen_custodian *c = r->c;
    const char *op = r->ev->operator_ != NULL && r->ev->operator_[0] != '\0'
                         ? r->ev->operator_
                         : "-";

    pthread_mutex_lock(&c->mu);
    cust_count_sub(c, r->v.sender,
        strcmp(r->ev->purpose, "import") == 0 ? NULL : op, r->ev->n_blinded,
        r->now);
    c->served--;
    c->refused++;
    c->evaluations -= r->ev->n_blinded;
    pthread_mutex_unlock(&c->mu);
}

/* Decide ${r}, checked as an envelope: the status to answer with. */
static Seen__OprfStatus
decide(struct req *r)
{
    struct seen_custodian *c = r->c;
    Seen__OprfStatus st;
    int rc;

    pthread_mutex_lock(&c->mu);
    if ((st = check_eval(r)) == SEEN__OPRF_STATUS__OPRF_OK) {
        rc = cust_recent_put(c, r->ev->request_id.data, r->now);
        if (rc != 0)
            st = SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
        else
            st = check_limits(r);
    }
    if (st == SEEN__OPRF_STATUS__OPRF_OK) {
        c->served++;
        c->evaluations += r->ev->n_blinded;
    } else
        c->refused++;
    pthread_mutex_unlock(&c->mu);
    return st;
}

/*
 * cust_answer(c, buf, len, user, out, outlen):
 * What the thread does with the request ${buf} (${len} bytes) received on
 * a connection ZAP admitted for the member ${user} (its sign_pk in hex;
 * NULL: none): open, decide, evaluate and journal it, in that order.
 * Returns 0 and the sealed OPRF_RESULT to send back in *${out} (malloc'd;
 * the caller frees it), *${outlen} bytes; SEEN_EINVAL when it is dropped
 * unanswered and unlogged (not a member's well-formed signed OPRF_EVAL on
 * its own connection: nobody can be told, nor counted); SEEN_EIO when it
 * could not be journalled (then nothing may be answered); SEEN_ENOMEM.
 */
int
cust_answer(struct seen_custodian *c, const uint8_t *buf, size_t len,
    const char *user, uint8_t **out, size_t *outlen)
{
    Seen__OprfResult res = SEEN__OPRF_RESULT__INIT;
    struct req r;
    uint8_t (*ev)[32] = NULL, upk[32];
    ProtobufCBinaryData *bd = NULL;
    size_t n;
    int rc;

    *out = NULL;
    *outlen = 0;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.now = (uint64_t)time(NULL);
    pthread_mutex_lock(&c->mu);
    rc = seen_envelope_open(buf, len, c->keys->sign_pk, sender_ok, c, r.now,
        &r.v);
    pthread_mutex_unlock(&c->mu);
    if (rc != 0 || user == NULL || strlen(user) != 64 ||
        sodium_hex2bin(upk, 32, user, 64, NULL, &n, NULL) != 0 ||
        sodium_memcmp(upk, r.v.sender, 32) != 0 ||
        r.v.type != SEEN__MSG_TYPE__OPRF_EVAL ||
        (r.ev = seen__oprf_eval__unpack(NULL, r.v.blen, r.v.body)) == NULL ||
        r.ev->request_id.len != 16 || r.ev->n_blinded < 1 ||
        !seen_xlog_oprf_purpose_ok(r.ev->purpose)) {
        seen_debug("custodian: dropped a request that is not a member's "
                   "well-formed OPRF_EVAL");
        rc = SEEN_EINVAL;
        goto done;
    }
    res.status = decide(&r);
    res.request_id = r.ev->request_id;
    res.epoch = r.ev->epoch;
    res.remaining = r.remaining;
    rc = SEEN_ENOMEM;
    if (res.status == SEEN__OPRF_STATUS__OPRF_OK) {
        ev = malloc(r.ev->n_blinded * sizeof *ev);
        bd = malloc(r.ev->n_blinded * sizeof *bd);
        if (ev == NULL || bd == NULL)
            goto done;
        if (evaluate(&r, &res, ev, bd) != 0) {
            /* A bad element: refused, and not counted after all. */
            release(&r);
            res.status = SEEN__OPRF_STATUS__OPRF_BAD_REQUEST;
            res.n_evaluated = 0;
            res.remaining = 0;
        }
    }
    if ((rc = journal(&r, res.status)) != 0)
        goto done; /* not durable: not answered */
    rc = seal(&r, &res, out, outlen);
done:
    sodium_memzero(r.weighted, sizeof r.weighted);
    free(ev);
    free(bd);
    if (r.ev != NULL)
        seen__oprf_eval__free_unpacked(r.ev, NULL);
    seen_envelope_release(&r.v);
    return rc;
}

/* Answer the request ${buf} (${len} bytes) from the connection ${id},
 * admitted for the member ${user} (hex), on ${router}. */
static void
handle(struct seen_custodian *c, void *router, zmq_msg_t *id,
    const uint8_t *buf, size_t len, const char *user)
{
    uint8_t *env;
    size_t elen;

    if (cust_answer(c, buf, len, user, &env, &elen) != 0)
        return;
    zmq_send(router, zmq_msg_data(id), zmq_msg_size(id), ZMQ_SNDMORE);
    zmq_send(router, env, elen, ZMQ_DONTWAIT);
    free(env);
}

/* Read and answer what waits on ${router}, at most 64 messages. */
static void
serve(struct seen_custodian *c, void *router)
{
    zmq_msg_t id, body;
    int i;

    for (i = 0; i < 64; i++) {
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            return;
        }
        if (zmq_msg_more(&id) && zmq_msg_recv(&body, router, 0) >= 0) {
            if (!zmq_msg_more(&body))
                handle(c, router, &id, zmq_msg_data(&body),
                    zmq_msg_size(&body), zmq_msg_gets(&body, "User-Id"));
            while (zmq_msg_more(&body)) /* drain extra frames */
                if (zmq_msg_recv(&body, router, 0) < 0)
                    break;
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
}

/* Open the ROUTER (CURVE server, ZAP enforced) on c->endpoint, and the
 * ZAP handler first.  Returns 0 or -1. */
static int
open_sockets(struct seen_custodian *c, void **zap, void **router)
{
    int one = 1, zero = 0, hwm = 1000;

    if ((*zap = zmq_socket(c->zctx, ZMQ_REP)) == NULL ||
        zmq_bind(*zap, ZAP_ENDPOINT) != 0 ||
        (*router = zmq_socket(c->zctx, ZMQ_ROUTER)) == NULL)
        return -1;
    zmq_setsockopt(*zap, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(*router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(*router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(*router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(*router, ZMQ_CURVE_SECRETKEY, c->keys->curve_sk, 32);
    zmq_setsockopt(*router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN));
    if (zmq_setsockopt(*router, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) !=
            0 ||
        zmq_bind(*router, c->endpoint) != 0)
        return -1;
    return 0;
}

/*
 * Move ${router} from c->endpoint (bound as ${last}, ZMQ_LAST_ENDPOINT) to
 * ${addr}: bind the new address, then unbind the old.  When the new one
 * cannot be bound (taken; or the same port as the old, which is let go
 * only after a while: that move needs a restart) it stays at the old.
 * Notes the outcome in c->endpoint, c->want and c->want_error, logging a
 * failure once for each address.  Returns 1 when it serves at ${addr},
 * else 0.
 */
static int
move(struct seen_custodian *c, void *router, char *last, size_t lastlen,
    const char *addr)
{
    int moved = zmq_bind(router, addr) == 0, err = zmq_errno();

    if (moved) {
        (void)zmq_unbind(router, last);
        (void)zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, last, &lastlen);
    }
    pthread_mutex_lock(&c->mu);
    if (!moved && strcmp(c->want, addr) != 0)
        seen_error("custodian: cannot move to '%s' (%s): still serving at "
                   "'%s'",
            addr, zmq_strerror(err), c->endpoint);
    snprintf(c->want, sizeof c->want, "%s", moved ? "" : addr);
    snprintf(c->want_error, sizeof c->want_error, "%s",
        moved ? "" : zmq_strerror(err));
    if (moved)
        snprintf(c->endpoint, sizeof c->endpoint, "%s", addr);
    pthread_mutex_unlock(&c->mu);
    if (moved)
        seen_info("custodian: serving OPRF evaluations at %s", addr);
    return moved;
}

/* A message on the control pair: empty, stop (returns 1); else the
 * address to move to, answered with a byte, 1 when moved (returns 0). */
static int
control(struct seen_custodian *c, void *ctl, void *router, char *last,
    size_t lastlen)
{
    char addr[SEEN_CUSTODIAN_ENDPOINT_MAX], ok;
    int n = zmq_recv(ctl, addr, sizeof addr - 1, 0);

    if (n <= 0 || (size_t)n >= sizeof addr)
        return 1;
    addr[n] = '\0';
    ok = (char)move(c, router, last, lastlen, addr);
    zmq_send(ctl, &ok, 1, 0);
    return 0;
}

/* The thread's body: bind, say so on the control pair, then serve until
 * the control pair says to stop, moving when it says where. */
void *
cust_thread(void *arg)
{
    struct seen_custodian *c = arg;
    void *zap = NULL, *router = NULL, *ctl;
    char last[SEEN_CUSTODIAN_ENDPOINT_MAX] = "";
    size_t lastlen = sizeof last;
    zmq_pollitem_t items[3];
    char ok;

    if ((ctl = zmq_socket(c->zctx, ZMQ_PAIR)) == NULL ||
        zmq_connect(ctl, CTL_ENDPOINT) != 0)
        return NULL; /* the main thread's recv then fails */
    ok = open_sockets(c, &zap, &router) == 0;
    if (!ok)
        seen_error("custodian: cannot listen on '%s': %s", c->endpoint,
            zmq_strerror(zmq_errno()));
    else
        (void)zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, last, &lastlen);
    zmq_send(ctl, &ok, 1, 0);
    while (ok) {
        items[0] = (zmq_pollitem_t){ctl, 0, ZMQ_POLLIN, 0};
        items[1] = (zmq_pollitem_t){zap, 0, ZMQ_POLLIN, 0};
        items[2] = (zmq_pollitem_t){router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(items, 3, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            break;
        }
        if ((items[0].revents & ZMQ_POLLIN) &&
            control(c, ctl, router, last, sizeof last))
            break; /* stop */
        if (items[1].revents & ZMQ_POLLIN)
            zap_one(c, zap);
        if (items[2].revents & ZMQ_POLLIN)
            serve(c, router);
    }
    if (router != NULL)
        zmq_close(router);
    if (zap != NULL)
        zmq_close(zap);
    zmq_close(ctl);
    return NULL;
}

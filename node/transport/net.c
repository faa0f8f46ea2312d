#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/transport/net.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* In libzmq 4.3 this option sits among the draft ones in zmq.h, though
 * the library accepts it; without it a CURVE server with no ZAP handler
 * would admit anyone. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif
#define ZAP_DOMAIN "seen"

struct peer {
    uint8_t sign_pk[32];
    uint8_t curve_pk[32];
    char endpoint[256];
    char name[64];
    void *dealer;
    double blocked_since; /* first refused send since the last success */
    unsigned int resets;  /* socket renewals since the last success */
};

struct seen_net {
    void *zctx;
    void *router;
    void *zap;
    const struct seen_keys *keys;
    seen_net_admit_fn *admit;
    void *actx;
    struct peer *peers;
    size_t npeers, cap;
    char endpoint[256];
    struct seen_net_stats st;
};

/* Set the options every socket of the transport shares on ${s}: no
 * linger, the message size limit, the high-water marks and heartbeats. */
static void
set_common(void *s)
{
    int zero = 0, ivl = SEEN_NET_HEARTBEAT_IVL, ttl = SEEN_NET_HEARTBEAT_TTL,
        tmo = SEEN_NET_HEARTBEAT_TIMEOUT, hwm = SEEN_NET_HWM;
    int64_t maxmsg = SEEN_NET_MAX_MSG;

    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo);
}

/**
 * seen_net_open(zctx, k, listen, admit, ctx, out):
 * Start the ZAP handler and bind the ROUTER on ${listen} (tcp://HOST:PORT)
 * with ${k}'s CURVE keys.  Returns 0 and a new transport in *${out};
 * SEEN_EIO when the endpoint cannot be bound (logged); SEEN_ERR.
 */
int
seen_net_open(void *zctx, const struct seen_keys *k, const char *listen,
    seen_net_admit_fn *admit, void *ctx, struct seen_net **out)
{
    struct seen_net *n;
    size_t elen;
    int one = 1, hwm = 1000 * SEEN_NET_HWM;

    *out = NULL;
    if ((n = calloc(1, sizeof *n)) == NULL)
        return SEEN_ENOMEM;
    n->zctx = zctx;
    n->keys = k;
    n->admit = admit;
    n->actx = ctx;
    /* The ZAP handler first: CURVE handshakes need it. */
    if ((n->zap = zmq_socket(zctx, ZMQ_REP)) == NULL ||
        zmq_bind(n->zap, ZAP_ENDPOINT) != 0) {
        seen_error("cannot start the ZAP handler: %s",
            zmq_strerror(zmq_errno()));
        goto fail;
    }
    if ((n->router = zmq_socket(zctx, ZMQ_ROUTER)) == NULL)
        goto fail;
    set_common(n->router);
    /* Many peers share the ROUTER's receive queue. */
    zmq_setsockopt(n->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(n->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(n->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(n->router, ZMQ_CURVE_SECRETKEY, k->curve_sk, 32);
    zmq_setsockopt(n->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
        strlen(ZAP_DOMAIN));
    if (zmq_setsockopt(n->router, ZMQ_ZAP_ENFORCE_DOMAIN, &one,
            sizeof one) != 0) {
        seen_error("this libzmq cannot enforce ZAP: refusing to listen");
        goto fail;
    }
    if (zmq_bind(n->router, listen) != 0) {
        seen_error("cannot listen on '%s': %s", listen,
            zmq_strerror(zmq_errno()));
        seen_net_destroy(&n);
        return SEEN_EIO;
    }
    elen = sizeof n->endpoint;
    if (zmq_getsockopt(n->router, ZMQ_LAST_ENDPOINT, n->endpoint, &elen) != 0)
        snprintf(n->endpoint, sizeof n->endpoint, "%s", listen);
    *out = n;
    return SEEN_OK;
fail:
    seen_net_destroy(&n);
    return SEEN_ERR;
}

/**
 * seen_net_destroy(&net):
 * Close every socket.  Sets the caller's pointer to NULL; NULL or a pointer
 * to NULL is a no-op, so it is safe twice.
 */
void
seen_net_destroy(struct seen_net **pp)
{
    struct seen_net *net;
    size_t i;

    if (pp == NULL || (net = *pp) == NULL)
        return;
    *pp = NULL;
    for (i = 0; i < net->npeers; i++)
        zmq_close(net->peers[i].dealer);
    if (net->router != NULL)
        zmq_close(net->router);
    if (net->zap != NULL)
        zmq_close(net->zap);
    free(net->peers);
    free(net);
}

/* The peer with Ed25519 key ${sign_pk}, or NULL. */
static struct peer *
find(struct seen_net *net, const uint8_t sign_pk[32])
{
    size_t i;

    for (i = 0; i < net->npeers; i++)
        if (memcmp(net->peers[i].sign_pk, sign_pk, 32) == 0)
            return &net->peers[i];
    return NULL;
}

/**
 * seen_net_drop_peer(net, sign_pk):
 * Disconnect and forget peer ${sign_pk} (revoked or gone).  Unknown peers
 * are ignored.
 */
void
seen_net_drop_peer(struct seen_net *net, const uint8_t sign_pk[static 32])
{
    struct peer *p = find(net, sign_pk);

    if (p == NULL)
        return;
    zmq_close(p->dealer);
    *p = net->peers[--net->npeers];
}

/* A DEALER connected to a peer as a CURVE client; NULL on error. */
static void *
dealer_new(struct seen_net *net, const uint8_t curve_pk[32],
    const char *endpoint, const char *name)
{
    int ivl = 100, ivlmax = 5000, one = 1;
    void *d;

    if ((d = zmq_socket(net->zctx, ZMQ_DEALER)) == NULL)
        return NULL;
    set_common(d);
    zmq_setsockopt(d, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(d, ZMQ_RECONNECT_IVL_MAX, &ivlmax, sizeof ivlmax);
    /* Queue only to peers that are connected: no backlog to the absent. */
    zmq_setsockopt(d, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, net->keys->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, net->keys->curve_sk, 32);
    if (zmq_connect(d, endpoint) != 0) {
        seen_error("peer '%s': cannot connect to '%s': %s", name, endpoint,
            zmq_strerror(zmq_errno()));
        zmq_close(d);
        return NULL;
    }
    return d;
}

/* When the socket of ${p}, blocked, is to be renewed. */
static double
renew_at(const struct peer *p)
{

    return p->blocked_since + 5.0 * (1u << (p->resets < 4 ? p->resets : 4));
}

/**
 * seen_net_next(net, later):
 * Return the monotonic time at which seen_net_maintain() next has a
 * socket to renew, or ${later} when none waits.
 */
double
seen_net_next(const struct seen_net *net, double later)
{
    size_t i;

    for (i = 0; i < net->npeers; i++)
        if (net->peers[i].blocked_since != 0 &&
            renew_at(&net->peers[i]) < later)
            later = renew_at(&net->peers[i]);
    return later;
}

/**
 * seen_net_maintain(net):
 * Renew the socket of every peer to which nothing could be sent for a
 * while (5 s, doubling to 80 s): a peer that refused our handshake, for
 * instance before it knew we were a member, is tried afresh.
 */
void
seen_net_maintain(struct seen_net *net)
{
    double t = seen_clock_mono();
    struct peer *p;
    void *d;
    size_t i;

    for (i = 0; i < net->npeers; i++) {
        p = &net->peers[i];
        if (p->blocked_since == 0 || t < renew_at(p))
            continue;
        if ((d = dealer_new(net, p->curve_pk, p->endpoint, p->name)) == NULL)
            continue;
        zmq_close(p->dealer);
        p->dealer = d;
        p->blocked_since = t;
        p->resets++;
        net->st.renewed++;
    }
}

/**
 * seen_net_peer(net, sign_pk, curve_pk, endpoint, name):
 * Connect (or keep) a DEALER to the peer ${sign_pk}; a peer whose key or
 * endpoint changed is reconnected.  Returns 0, SEEN_EINVAL for a bad
 * endpoint, SEEN_ENOMEM.
 */
int
seen_net_peer(struct seen_net *net, const uint8_t sign_pk[static 32],
    const uint8_t curve_pk[static 32], const char *endpoint,
    const char *name)
{
    struct peer *p = find(net, sign_pk);
    void *d;

    if (p != NULL && memcmp(p->curve_pk, curve_pk, 32) == 0 &&
        strcmp(p->endpoint, endpoint) == 0)
        return SEEN_OK;
    if (p != NULL)
        seen_net_drop_peer(net, sign_pk);
    if (strlen(endpoint) >= sizeof p->endpoint ||
        strncmp(endpoint, "tcp://", 6) != 0)
        return SEEN_EINVAL;
    if (net->npeers == net->cap) {
        size_t cap = net->cap ? net->cap * 2 : 16;

        if ((p = realloc(net->peers, cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        net->peers = p;
        net->cap = cap;
    }
    if ((d = dealer_new(net, curve_pk, endpoint, name)) == NULL)
        return SEEN_EINVAL;
    p = &net->peers[net->npeers++];
    memset(p, 0, sizeof *p);
    memcpy(p->sign_pk, sign_pk, 32);
    memcpy(p->curve_pk, curve_pk, 32);
    snprintf(p->endpoint, sizeof p->endpoint, "%s", endpoint);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->dealer = d;
    return SEEN_OK;
}

/**
 * seen_net_send(net, sign_pk, buf, len):
 * Queue ${len} bytes for peer ${sign_pk} without blocking.  Returns 0;
 * SEEN_EAGAIN when its queue is full (nothing queued: retry later);
 * SEEN_ENOTFOUND for a peer not connected by seen_net_peer; SEEN_ERR.
 */
int
seen_net_send(struct seen_net *net, const uint8_t sign_pk[static 32],
    const void *buf, size_t len)
{
    struct peer *p = find(net, sign_pk);

    if (p == NULL)
        return SEEN_ENOTFOUND;
    if (zmq_send(p->dealer, buf, len, ZMQ_DONTWAIT) < 0) {
        if (zmq_errno() == EAGAIN) {
            net->st.send_blocked++;
            if (p->blocked_since == 0)
                p->blocked_since = seen_clock_mono();
            return SEEN_EAGAIN;
        }
        return SEEN_ERR;
    }
    p->blocked_since = 0;
    p->resets = 0;
    net->st.sent++;
    return SEEN_OK;
}

/**
 * seen_net_pollitems(net, items):
 * Write the two poll items the daemon must watch (the ROUTER and the ZAP
 * handler) to ${items}.  Returns 2.
 */
int
seen_net_pollitems(struct seen_net *net, zmq_pollitem_t items[static 2])
{

    items[0] = (zmq_pollitem_t){net->router, 0, ZMQ_POLLIN, 0};
    items[1] = (zmq_pollitem_t){net->zap, 0, ZMQ_POLLIN, 0};
    return 2;
}

/* Send a ZAP reply (RFC 27): the version, the request id ${id} (${idlen}
 * bytes), status code ${status} and text ${text}, user id ${user}, and
 * empty metadata. */
static void
zap_reply(struct seen_net *net, const void *id, size_t idlen,
    const char *status, const char *text, const char *user)
{

    zmq_send(net->zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(net->zap, id, idlen, ZMQ_SNDMORE);
    zmq_send(net->zap, status, strlen(status), ZMQ_SNDMORE);
    zmq_send(net->zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(net->zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(net->zap, "", 0, 0);
}

/* Answer one ZAP request (RFC 27): admit only active members' keys. */
static void
zap_one(struct seen_net *net)
{
    zmq_msg_t f[7];
    uint8_t sign_pk[32];
    char user[65];
    int i, n = 0, more = 1, ok = 0;

    for (i = 0; i < 7 && more; i++) {
        zmq_msg_init(&f[i]);
        if (zmq_msg_recv(&f[i], net->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&f[i]);
            break;
        }
        n++;
        more = zmq_msg_more(&f[i]);
    }
    while (more) { /* a malformed request: drain it */
        zmq_msg_t x;

        zmq_msg_init(&x);
        if (zmq_msg_recv(&x, net->zap, 0) < 0)
            break;
        more = zmq_msg_more(&x);
        zmq_msg_close(&x);
    }
    if (n < 6)
        goto done;
    if (zmq_msg_size(&f[2]) == strlen(ZAP_DOMAIN) &&
        memcmp(zmq_msg_data(&f[2]), ZAP_DOMAIN, strlen(ZAP_DOMAIN)) == 0 &&
        zmq_msg_size(&f[5]) == 5 &&
        memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 && n == 7 &&
        zmq_msg_size(&f[6]) == 32)
        ok = net->admit(net->actx, zmq_msg_data(&f[6]), sign_pk);
    if (ok) {
        net->st.zap_admitted++;
        sodium_bin2hex(user, sizeof user, sign_pk, 32);
    } else {
        net->st.zap_refused++;
        user[0] = '\0';
        /* Said the 1st, 2nd, 4th, 8th... time: a revoked node still
         * running knocks every few seconds (zap_refused counts all). */
        if ((net->st.zap_refused & (net->st.zap_refused - 1)) == 0)
            seen_warn("refused a connection from a key that is not an "
                      "active member (%llu so far)",
                (unsigned long long)net->st.zap_refused);
    }
    zap_reply(net, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
        ok ? "200" : "400", ok ? "OK" : "not a member", user);
done:
    for (i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
    if (n > 0 && n < 6) /* REP must answer before it can read again */
        zap_reply(net, "", 0, "500", "malformed", "");
}

/* Receive one message from the ROUTER: [routing id][envelope]. */
static int
router_one(struct seen_net *net, seen_net_recv_fn *recv, void *ctx)
{
    zmq_msg_t id, m;
    uint8_t sign_pk[32];
    const char *user;
    int delivered = 0;

    zmq_msg_init(&id);
    zmq_msg_init(&m);
    if (zmq_msg_recv(&id, net->router, ZMQ_DONTWAIT) < 0)
        goto done;
    if (!zmq_msg_more(&id) || zmq_msg_recv(&m, net->router, 0) < 0)
        goto done;
    if (zmq_msg_more(&m)) { /* one frame per message: drop extras */
        zmq_msg_t x;
        int more = 1;

        while (more) {
            zmq_msg_init(&x);
            if (zmq_msg_recv(&x, net->router, 0) < 0)
                more = 0;
            else
                more = zmq_msg_more(&x);
            zmq_msg_close(&x);
        }
        net->st.oversize++;
        goto done;
    }
    net->st.received++;
    delivered = 1;
    user = zmq_msg_gets(&m, "User-Id");
    if (user == NULL || strlen(user) != 64 ||
        sodium_hex2bin(sign_pk, 32, user, 64, NULL, NULL, NULL) != 0)
        goto done;
    recv(ctx, sign_pk, zmq_msg_data(&m), zmq_msg_size(&m));
done:
    zmq_msg_close(&id);
    zmq_msg_close(&m);
    return delivered;
}

/**
 * seen_net_service(net, items, recv, ctx, max):
 * Answer pending ZAP requests and deliver up to ${max} received messages
 * to ${recv}, given the poll results in ${items}.  Returns the number of
 * messages delivered.
 */
size_t
seen_net_service(struct seen_net *net, zmq_pollitem_t items[static 2],
    seen_net_recv_fn *recv, void *ctx, size_t max)
{
    size_t n = 0;
    int ev;
    size_t evlen;

    for (;;) {
        ev = 0;
        evlen = sizeof ev;
        if (zmq_getsockopt(net->zap, ZMQ_EVENTS, &ev, &evlen) != 0 ||
            !(ev & ZMQ_POLLIN))
            break;
        zap_one(net);
    }
    (void)items;
    while (n < max) {
        ev = 0;
        evlen = sizeof ev;
        if (zmq_getsockopt(net->router, ZMQ_EVENTS, &ev, &evlen) != 0 ||
            !(ev & ZMQ_POLLIN))
            break;
        if (!router_one(net, recv, ctx))
            break;
        n++;
    }
    return n;
}

/**
 * seen_net_stats(net, st):
 * Copy the transport's counters to ${st}.
 */
void
seen_net_stats(const struct seen_net *net, struct seen_net_stats *st)
{

    *st = net->st;
}

/**
 * seen_net_endpoint(net):
 * Return the endpoint actually bound (with the port chosen when the
 * configuration asked for port 0).  Borrowed.
 */
const char *
seen_net_endpoint(const struct seen_net *net)
{

    return net->endpoint;
}

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/transport/net.h"
#include "node/transport/share.h"

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
    int direct;           /* a direct link (seen_net_direct), not a peer */
    double used;          /* a direct link: when last sent on (monotonic) */
    double kicked;        /* when seen_net_heard last renewed it */
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
    void *mon;           /* PAIR: the ROUTER's connection events */
    char monep[64];      /* where the ROUTER publishes them */
    struct seen_share *share; /* each member's share of what is received */
    double paused_until; /* the listener is closed until then; 0: open */
};

/* The events of the ROUTER's monitor the transport counts. */
#define MONITOR_EVENTS                                                      \
    (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED | \
        ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |                              \
        ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)

/* Whether ${n} is 1, 2, 4, 8...: when a burst's count is said. */
static int
said(uint64_t n)
{

    return n != 0 && (n & (n - 1)) == 0;
}

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

/*
 * Set what bounds a connection to the ROUTER on ${s}: a stranger has
 * SEEN_NET_HANDSHAKE_IVL ms to complete its handshake, each peer's queue
 * holds SEEN_NET_RCVHWM messages (beyond, ZeroMQ stops reading that
 * connection: TCP slows the sender), and TCP keepalives find dead peers.
 * The ROUTER itself sends no ZMTP heartbeats: in libzmq 4.3.4 a PING timer
 * that fires on a connection whose input was stopped by a full queue and
 * then closed by the peer fails `!_io_error` (stream_engine_base.cpp:331,
 * zeromq/libzmq#4364) and aborts the process.  Our DEALERs still send
 * PINGs with a TTL, so a peer's dead link is still dropped by this end.
 */
static void
router_guard(void *s)
{
    int zero = 0, one = 1, hwm = SEEN_NET_RCVHWM,
        hs = SEEN_NET_HANDSHAKE_IVL, idle = 60, intvl = 10, cnt = 6;

    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_HANDSHAKE_IVL, &hs, sizeof hs);
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof idle);
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_INTVL, &intvl, sizeof intvl);
    zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_CNT, &cnt, sizeof cnt);
}

/* Start the ROUTER's monitor and connect n->mon to it.  Returns 0, or -1
 * (logged). */
static int
monitor_open(struct seen_net *n)
{
    int zero = 0;

    snprintf(n->monep, sizeof n->monep, "inproc://seen-net-monitor-%p",
        (void *)n);
    if (zmq_socket_monitor(n->router, n->monep, MONITOR_EVENTS) != 0 ||
        (n->mon = zmq_socket(n->zctx, ZMQ_PAIR)) == NULL ||
        zmq_connect(n->mon, n->monep) != 0) {
        seen_error("cannot watch the federation port's connections: %s",
            zmq_strerror(zmq_errno()));
        return -1;
    }
    zmq_setsockopt(n->mon, ZMQ_LINGER, &zero, sizeof zero);
    return 0;
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
    int one = 1;

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
    if ((n->share = seen_share_new(&(struct seen_share_budget){
             SEEN_SHARE_MSGS, SEEN_SHARE_BYTES, SEEN_SHARE_CPU,
             SEEN_SHARE_WINDOW})) == NULL ||
        (n->router = zmq_socket(zctx, ZMQ_ROUTER)) == NULL)
        goto fail;
    set_common(n->router);
    router_guard(n->router);
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
    if (monitor_open(n) != 0)
        goto fail;
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
    if (net->router != NULL && net->mon != NULL)
        zmq_socket_monitor(net->router, NULL, 0);
    if (net->mon != NULL)
        zmq_close(net->mon);
    if (net->router != NULL)
        zmq_close(net->router);
    seen_share_destroy(&net->share);
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

/* A DEALER connected to a peer as a CURVE client; NULL on error.  A
 * ${direct} link queues what is sent while it connects (up to the
 * high-water mark); a peer's queues only once connected. */
static void *
dealer_new(struct seen_net *net, const uint8_t curve_pk[32],
    const char *endpoint, const char *name, int direct)
{
    int ivl = 100, ivlmax = 5000, immediate = !direct;
    void *d;

    if ((d = zmq_socket(net->zctx, ZMQ_DEALER)) == NULL)
        return NULL;
    set_common(d);
    zmq_setsockopt(d, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(d, ZMQ_RECONNECT_IVL_MAX, &ivlmax, sizeof ivlmax);
    /* Queue only to peers that are connected: no backlog to the absent. */
    zmq_setsockopt(d, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
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

/* Replace the DEALER of ${p} by a new one, connecting afresh now rather
 * than after ZeroMQ's reconnection backoff (counted renewed).  Returns 0,
 * or -1 when no socket could be made (the old one is kept). */
static int
renew(struct seen_net *net, struct peer *p)
{
    void *d;

    if ((d = dealer_new(net, p->curve_pk, p->endpoint, p->name, p->direct)) ==
        NULL)
        return -1;
    zmq_close(p->dealer);
    p->dealer = d;
    net->st.renewed++;
    return 0;
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
    if (net->paused_until != 0 && net->paused_until < later)
        later = net->paused_until;
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
    size_t i;

    if (net->paused_until != 0 && t >= net->paused_until) {
        if (zmq_bind(net->router, net->endpoint) == 0) {
            net->paused_until = 0;
            if (said(net->st.listener_paused))
                seen_info("the federation port '%s' is open again",
                    net->endpoint);
        } else /* tried again later: said when it closed */
            net->paused_until = t + SEEN_NET_PAUSE;
    }
    for (i = 0; i < net->npeers; i++) {
        p = &net->peers[i];
        if (p->blocked_since == 0 || t < renew_at(p) || renew(net, p) != 0)
            continue;
        p->blocked_since = t;
        p->resets++;
    }
}

/* Connect a DEALER to ${sign_pk} as seen_net_peer (${direct} 0) or
 * seen_net_direct (1) do; an existing link of the other kind, or to
 * another key or endpoint, is replaced.  Returns 0, SEEN_EINVAL,
 * SEEN_ENOMEM. */
static int
link_add(struct seen_net *net, const uint8_t sign_pk[32],
    const uint8_t curve_pk[32], const char *endpoint, const char *name,
    int direct)
{
    struct peer *p = find(net, sign_pk);
    void *d;

    if (p != NULL && memcmp(p->curve_pk, curve_pk, 32) == 0 &&
        strcmp(p->endpoint, endpoint) == 0 && p->direct == direct)
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
    if ((d = dealer_new(net, curve_pk, endpoint, name, direct)) == NULL)
        return SEEN_EINVAL;
    p = &net->peers[net->npeers++];
    memset(p, 0, sizeof *p);
    memcpy(p->sign_pk, sign_pk, 32);
    memcpy(p->curve_pk, curve_pk, 32);
    snprintf(p->endpoint, sizeof p->endpoint, "%s", endpoint);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->dealer = d;
    p->direct = direct;
    p->used = seen_clock_mono();
    return SEEN_OK;
}

/**
 * seen_net_heard(net, sign_pk):
 * Peer ${sign_pk} was just heard from (a message of its arrived on the
 * ROUTER): it is up.  When sending to it has failed since the last
 * success, its DEALER may be waiting out ZeroMQ's reconnection backoff
 * (up to 5 s): it is renewed now, at most once a second, so that what is
 * owed to it goes as soon as it connects.
 */
void
seen_net_heard(struct seen_net *net, const uint8_t sign_pk[static 32])
{
    struct peer *p = find(net, sign_pk);
    double t = seen_clock_mono();

    if (p == NULL || p->blocked_since == 0 || t - p->kicked < 1.0 ||
        renew(net, p) != 0)
        return;
    p->kicked = t;
}

/**
 * seen_net_peer(net, sign_pk, curve_pk, endpoint, name):
 * Connect (or keep) a DEALER to the peer ${sign_pk}; a peer whose key or
 * endpoint changed, or a direct link to it, is reconnected.  Returns 0,
 * SEEN_EINVAL for a bad endpoint, SEEN_ENOMEM.
 */
int
seen_net_peer(struct seen_net *net, const uint8_t sign_pk[static 32],
    const uint8_t curve_pk[static 32], const char *endpoint,
    const char *name)
{

    return link_add(net, sign_pk, curve_pk, endpoint, name, 0);
}

/**
 * seen_net_direct(net, sign_pk, curve_pk, endpoint, name):
 * Connect a direct link to the member ${sign_pk} that is not a peer, for
 * what is sent to it alone (a disclosure, a cosignature): what is sent
 * on it waits while it connects.  A peer's link is kept as it is.  At
 * most SEEN_NET_DIRECT_MAX direct links are kept: the least recently
 * used makes room.  Returns 0, SEEN_EINVAL for a bad endpoint,
 * SEEN_ENOMEM.
 */
int
seen_net_direct(struct seen_net *net, const uint8_t sign_pk[static 32],
    const uint8_t curve_pk[static 32], const char *endpoint,
    const char *name)
{
    struct peer *p = find(net, sign_pk), *lru = NULL;
    size_t i, n = 0;

    if (p != NULL && !p->direct)
        return SEEN_OK;
    for (i = 0; i < net->npeers; i++) {
        if (!net->peers[i].direct)
            continue;
        n++;
        if (lru == NULL || net->peers[i].used < lru->used)
            lru = &net->peers[i];
    }
    if (p == NULL && n >= SEEN_NET_DIRECT_MAX && lru != NULL)
        seen_net_drop_peer(net, lru->sign_pk);
    return link_add(net, sign_pk, curve_pk, endpoint, name, 1);
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
    p->used = seen_clock_mono();
    net->st.sent++;
    net->st.sent_bytes += len;
    return SEEN_OK;
}

/**
 * seen_net_pollitems(net, items):
 * Write the SEEN_NET_POLLITEMS poll items the daemon must watch (the
 * ROUTER's monitor first, then the ROUTER and the ZAP handler) to
 * ${items}.  Returns SEEN_NET_POLLITEMS.
 */
int
seen_net_pollitems(
    struct seen_net *net, zmq_pollitem_t items[static SEEN_NET_POLLITEMS])
{

    items[0] = (zmq_pollitem_t){net->mon, 0, ZMQ_POLLIN, 0};
    items[1] = (zmq_pollitem_t){net->router, 0, ZMQ_POLLIN, 0};
    items[2] = (zmq_pollitem_t){net->zap, 0, ZMQ_POLLIN, 0};
    return SEEN_NET_POLLITEMS;
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

/* The descriptors kept free of the federation port's connections, for
 * the control socket, the store, the log and our own peers, out of
 * ${limit}: an eighth, at least 64 and at most 1,024. */
static rlim_t
fd_reserve(rlim_t limit)
{
    rlim_t r = limit / 8;

    return r < 64 ? 64 : r > 1024 ? 1024 : r;
}

/*
 * Close the listener for SEEN_NET_PAUSE seconds: descriptors run short
 * (${fd} was just given to a connection, or accept failed with ${err}).
 * Closing it drops every connection it accepted, strangers' first; members
 * reconnect, and nothing else can take the descriptors the node needs to
 * answer its control socket or open its files.
 */
static void
pause_listener(struct seen_net *net, long fd, int err)
{
    struct rlimit rl;

    if (net->paused_until != 0)
        return;
    if (zmq_unbind(net->router, net->endpoint) != 0) {
        seen_error("cannot close the federation port '%s': %s",
            net->endpoint, zmq_strerror(zmq_errno()));
        return;
    }
    net->paused_until = seen_clock_mono() + SEEN_NET_PAUSE;
    net->st.listener_paused++;
    net->st.connections_shed += net->st.connections;
    net->st.connections = 0;
    if (!said(net->st.listener_paused))
        return;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        rl.rlim_cur = 0;
    seen_warn("open files running short (%s, descriptor %ld of %llu): "
              "the federation port closed for %d s, its connections "
              "dropped (%llu times so far)",
        err ? strerror(err) : "accepted", fd,
        (unsigned long long)rl.rlim_cur, (int)SEEN_NET_PAUSE,
        (unsigned long long)net->st.listener_paused);
}

/* Count one event of the ROUTER's monitor ${ev} with value ${val}. */
static void
monitor_event(struct seen_net *net, uint16_t ev, uint32_t val)
{
    struct rlimit rl;

    switch (ev) {
    case ZMQ_EVENT_ACCEPTED:
        net->st.accepted++;
        net->st.connections++;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
            rl.rlim_cur != RLIM_INFINITY &&
            (rlim_t)val + fd_reserve(rl.rlim_cur) >= rl.rlim_cur)
            pause_listener(net, (long)val, 0);
        break;
    case ZMQ_EVENT_ACCEPT_FAILED:
        if (said(++net->st.accept_failed))
            seen_warn("cannot accept a connection on the federation port: "
                      "%s (%llu so far)",
                strerror((int)val), (unsigned long long)net->st.accept_failed);
        if (val == EMFILE || val == ENFILE)
            pause_listener(net, -1, (int)val);
        break;
    case ZMQ_EVENT_DISCONNECTED:
        if (net->st.connections > 0)
            net->st.connections--;
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        /* Timed out (SEEN_NET_HANDSHAKE_IVL), closed or garbled before the
         * handshake completed: plain TCP, a scan, a flood. */
        if (said(++net->st.handshakes_failed))
            seen_warn("connections closed before completing a handshake "
                      "(timed out, closed or not ZMTP): %llu so far",
                (unsigned long long)net->st.handshakes_failed);
        break;
    default:
        break;
    }
}

/* Read and count the events the ROUTER's monitor has queued. */
static void
monitor_drain(struct seen_net *net)
{
    zmq_msg_t a, b;
    uint16_t ev;
    uint32_t val;
    int n;

    for (n = 0; n < SEEN_NET_DRAIN; n++) {
        zmq_msg_init(&a);
        zmq_msg_init(&b);
        if (zmq_msg_recv(&a, net->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&a);
            zmq_msg_close(&b);
            break;
        }
        if (zmq_msg_more(&a))
            (void)zmq_msg_recv(&b, net->mon, 0); /* the endpoint */
        if (zmq_msg_size(&a) == 6) {
            memcpy(&ev, zmq_msg_data(&a), 2);
            memcpy(&val, (uint8_t *)zmq_msg_data(&a) + 2, 4);
            monitor_event(net, ev, val);
        }
        zmq_msg_close(&a);
        zmq_msg_close(&b);
    }
}

/* The name of the peer ${pk} for a log line, in ${buf} (${len} bytes). */
static const char *
peer_name(struct seen_net *net, const uint8_t pk[32], char *buf, size_t len)
{
    struct peer *p = find(net, pk);
    char hex[65];

    if (p != NULL)
        snprintf(buf, len, "%s", p->name);
    else {
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        snprintf(buf, len, "%.16s", hex);
    }
    return buf;
}

/* Drop the rest of a multi-frame message on the ROUTER. */
static void
drain_frames(struct seen_net *net)
{
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
}

/* What router_one did with a message. */
enum { RX_NONE, RX_DELIVERED, RX_REFUSED };

/* Receive one message from the ROUTER: [routing id][envelope], and deliver
 * it unless it is refused (multi-frame, oversized) or its sender is over
 * its share.  Returns RX_NONE when nothing was read. */
static int
router_one(struct seen_net *net, seen_net_recv_fn *recv, void *ctx)
{
    zmq_msg_t id, m;
    uint8_t sign_pk[32];
    const char *user;
    char name[64];
    uint64_t d;
    int ret = RX_NONE;

    zmq_msg_init(&id);
    zmq_msg_init(&m);
    if (zmq_msg_recv(&id, net->router, ZMQ_DONTWAIT) < 0)
        goto done;
    ret = RX_REFUSED;
    if (!zmq_msg_more(&id) || zmq_msg_recv(&m, net->router, 0) < 0)
        goto done;
    if (zmq_msg_more(&m)) { /* one frame per message: drop extras */
        drain_frames(net);
        if (said(++net->st.multi_frame))
            seen_warn("refused a message of several frames (%llu so far)",
                (unsigned long long)net->st.multi_frame);
        goto done;
    }
    if (zmq_msg_size(&m) > SEEN_NET_MAX_ENVELOPE) {
        if (said(++net->st.oversized))
            seen_warn("refused a frame over %u bytes (%llu so far)",
                SEEN_NET_MAX_ENVELOPE, (unsigned long long)net->st.oversized);
        goto done;
    }
    user = zmq_msg_gets(&m, "User-Id");
    if (user == NULL || strlen(user) != 64 ||
        sodium_hex2bin(sign_pk, 32, user, 64, NULL, NULL, NULL) != 0)
        goto done;
    if (!seen_share_admit(net->share, sign_pk, zmq_msg_size(&m),
            seen_clock_mono())) {
        net->st.dropped++;
        if (said(d = seen_share_dropped(net->share, sign_pk)))
            seen_warn("peer '%s' is over its share of what this node "
                      "receives: %llu messages dropped so far",
                peer_name(net, sign_pk, name, sizeof name),
                (unsigned long long)d);
        goto done;
    }
    net->st.received++;
    net->st.received_bytes += zmq_msg_size(&m);
    ret = RX_DELIVERED;
    recv(ctx, sign_pk, zmq_msg_data(&m), zmq_msg_size(&m));
done:
    zmq_msg_close(&id);
    zmq_msg_close(&m);
    return ret;
}

/* Whether ${s} has a message to read. */
static int
readable(void *s)
{
    int ev = 0;
    size_t evlen = sizeof ev;

    return zmq_getsockopt(s, ZMQ_EVENTS, &ev, &evlen) == 0 &&
        (ev & ZMQ_POLLIN);
}

/**
 * seen_net_service(net, items, recv, ctx, max):
 * Count the connections' events, answer pending ZAP requests, and deliver
 * up to ${max} received messages to ${recv}, given the poll results in
 * ${items}.  Messages refused or over their sender's share are read and
 * dropped, up to SEEN_NET_DRAIN of them a call: a flooded queue is drained
 * at a bounded cost.  Returns the number of messages delivered.
 */
size_t
seen_net_service(struct seen_net *net,
    zmq_pollitem_t items[static SEEN_NET_POLLITEMS], seen_net_recv_fn *recv,
    void *ctx, size_t max)
{
    size_t n = 0, refused = 0;
    int rc;

    (void)items;
    monitor_drain(net);
    while (readable(net->zap))
        zap_one(net);
    while (n < max && refused < SEEN_NET_DRAIN && readable(net->router)) {
        if ((rc = router_one(net, recv, ctx)) == RX_NONE)
            break;
        if (rc == RX_DELIVERED)
            n++;
        else
            refused++;
    }
    return n;
}

/**
 * seen_net_waiting(net):
 * Whether a message waits to be received; see net.h.
 */
int
seen_net_waiting(struct seen_net *net)
{
    int ev = 0;
    size_t len = sizeof ev;

    return zmq_getsockopt(net->router, ZMQ_EVENTS, &ev, &len) == 0 &&
           (ev & ZMQ_POLLIN) != 0;
}

/**
 * seen_net_watch(net):
 * Count the connections' events only (the first poll item): what keeps
 * descriptors in reserve while the daemon cannot service the rest.
 */
void
seen_net_watch(struct seen_net *net)
{

    monitor_drain(net);
}

/**
 * seen_net_charge(net, sign_pk, seconds):
 * Count ${seconds} spent handling a message of peer ${sign_pk} against
 * its share.
 */
void
seen_net_charge(
    struct seen_net *net, const uint8_t sign_pk[static 32], double seconds)
{

    seen_share_charge(net->share, sign_pk, seconds);
}

/**
 * seen_net_dropped(net, sign_pk):
 * Return the number of messages of peer ${sign_pk} dropped because it
 * was over its share.
 */
uint64_t
seen_net_dropped(const struct seen_net *net, const uint8_t sign_pk[static 32])
{

    return seen_share_dropped(net->share, sign_pk);
}

/**
 * seen_net_set_share(net, msgs, bytes, cpu, window):
 * Give each peer a share of ${msgs} messages, ${bytes} bytes and ${cpu}
 * seconds of handling every ${window} seconds, in place of the defaults
 * (SEEN_SHARE_*).
 */
void
seen_net_set_share(struct seen_net *net, uint32_t msgs, uint64_t bytes,
    double cpu, double window)
{

    seen_share_set(
        net->share, &(struct seen_share_budget){msgs, bytes, cpu, window});
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

/*
 * probe_transport.c: seen-probe's attacks on the transport
 * (probe_transport.h): a flood of plain connections, a flood of forged
 * envelopes from a member, and the frames the transport refuses.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "crypto/keys.h"
#include "node/transport/net.h"
#include "proto/envelope.h"
#include "seen.pb-c.h"
#include "tests/probe/probe_transport.h"

#define EXIT_UNDELIVERED 3

/* Split tcp://HOST:PORT ${to} into ${host} and ${port}.  Returns 0 or -1. */
static int
split_endpoint(const char *to, char host[256], char port[16])
{
    const char *h, *c;

    if (strncmp(to, "tcp://", 6) != 0)
        return -1;
    h = to + 6;
    if ((c = strrchr(h, ':')) == NULL || (size_t)(c - h) >= 256 ||
        strlen(c + 1) >= 16)
        return -1;
    memcpy(host, h, (size_t)(c - h));
    host[c - h] = '\0';
    snprintf(port, 16, "%s", c + 1);
    return 0;
}

/* A plain TCP connection to ${ai}, or -1. */
static int
plain_connect(const struct addrinfo *ai)
{
    int fd;

    if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Keep the connections of ${pfd} (${n}) open to ${ai}: each one the
 * target closes (its handshake timed out, its port closed) is opened
 * again, until killed.
 */
static void
hold(struct pollfd *pfd, size_t n, const struct addrinfo *ai)
{
    struct timespec ts = {0, 100000000L};
    char buf[256];
    size_t i;

    for (;;) {
        if (poll(pfd, n, 1000) < 0 && errno != EINTR)
            return;
        for (i = 0; i < n; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents == 0)
                continue;
            if (pfd[i].fd >= 0 && read(pfd[i].fd, buf, sizeof buf) > 0)
                continue; /* a greeting: ignored, never answered */
            if (pfd[i].fd >= 0)
                close(pfd[i].fd);
            pfd[i].fd = plain_connect(ai);
            pfd[i].revents = 0;
        }
        nanosleep(&ts, NULL); /* at most ten rounds a second */
    }
}

/* Open t->count plain TCP connections to t->to and hold them until
 * killed, after one JSON line saying how many are open. */
static int
connect_flood(const struct probe_target *t, unsigned long long *sent)
{
    struct addrinfo hints, *ai = NULL;
    struct pollfd *pfd;
    struct rlimit rl;
    char host[256], port[16];
    unsigned long long i, failed = 0;

    if (split_endpoint(t->to, host, port) != 0) {
        fprintf(stderr, "seen-probe: '%s' is not tcp://HOST:PORT\n", t->to);
        return 1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
        fprintf(stderr, "seen-probe: cannot resolve '%s'\n", t->to);
        return 1;
    }
    if ((pfd = calloc(t->count ? t->count : 1, sizeof *pfd)) == NULL) {
        freeaddrinfo(ai);
        return 1;
    }
    /* Our own descriptors must not be what runs out. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    *sent = 0;
    for (i = 0; i < t->count; i++) {
        pfd[i].events = POLLIN;
        if ((pfd[i].fd = plain_connect(ai)) < 0)
            failed++;
        else
            (*sent)++;
    }
    printf("{\"action\":\"connect-flood\",\"sent\":%llu,\"failed\":%llu}\n",
        *sent, failed);
    fflush(stdout);
    hold(pfd, (size_t)t->count, ai);
    free(pfd);
    freeaddrinfo(ai);
    return 1;
}

/* A DEALER of ${zctx} connected to ${t} as a CURVE client, or NULL. */
static void *
member_socket(void *zctx, const struct probe_target *t)
{
    int zero = 0, hwm = 0, one = 1;
    void *s;

    if ((s = zmq_socket(zctx, ZMQ_DEALER)) == NULL)
        return NULL;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm); /* queue all of it */
    zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, t->server_curve, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, t->ck->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, t->ck->curve_sk, 32);
    if (zmq_connect(s, t->to) != 0) {
        fprintf(stderr, "seen-probe: cannot connect to '%s': %s\n", t->to,
            zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

/* A HELLO from t->sk to t->target, sealed now, in *${env} (malloc'd). */
static int
hello(const struct probe_target *t, uint8_t **env, size_t *len)
{
    Seen__Hello h = SEEN__HELLO__INIT;
    uint8_t body[256];
    size_t blen;

    h.membership_version = 1;
    h.node = (char *)"seen-probe";
    blen = seen__hello__pack(&h, body);
    if (seen_envelope_seal(t->sk, t->target, SEEN__MSG_TYPE__HELLO, body,
            blen, NULL, (uint64_t)time(NULL), env, len) != 0) {
        fprintf(stderr, "seen-probe: cannot seal a HELLO\n");
        return -1;
    }
    return 0;
}

/* Send the first frame ${buf} (${len} bytes, ${flags}) on ${s}, waiting up
 * to t->timeout ms for the connection to complete.  Returns 0 or -1. */
static int
first_send(void *s, const struct probe_target *t, const void *buf, size_t len,
    int flags)
{
    double deadline = seen_clock_mono() * 1000.0 + (double)t->timeout;
    struct timespec ts = {0, 20000000L};

    for (;;) {
        if (zmq_send(s, buf, len, flags | ZMQ_DONTWAIT) >= 0)
            return 0;
        if (zmq_errno() != EAGAIN || seen_clock_mono() * 1000.0 >= deadline)
            return -1;
        nanosleep(&ts, NULL);
    }
}

/*
 * End the process with every TCP connection to ${t} reset, not closed: a
 * peer that vanishes mid-flood (SO_LINGER 0: the kernel sends RST, and the
 * target's poller reports an error at once, even on a connection whose
 * input it stopped because its queue was full).  Does not return.
 */
static void
reset_and_exit(const struct probe_target *t, unsigned long long sent)
{
    struct sockaddr_storage sa;
    struct linger lg = {1, 0};
    socklen_t salen;
    char host[256], port[16], serv[16];
    int fd, type;

    if (split_endpoint(t->to, host, port) == 0)
        for (fd = 3; fd < 4096; fd++) {
            salen = sizeof type;
            if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &salen) != 0 ||
                type != SOCK_STREAM)
                continue;
            salen = sizeof sa;
            if (getpeername(fd, (struct sockaddr *)&sa, &salen) != 0 ||
                getnameinfo((struct sockaddr *)&sa, salen, NULL, 0, serv,
                    sizeof serv, NI_NUMERICSERV) != 0 ||
                strcmp(serv, port) != 0)
                continue;
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
    printf("{\"action\":\"flood-forged\",\"sent\":%llu,\"reset\":true}\n",
        sent);
    fflush(stdout);
    _exit(0);
}

/* Close ${s} once what it queued has gone (at most 60 s), then ${zctx}. */
static void
flush_close(void *zctx, void *s)
{
    int linger = 60000;

    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    zmq_ctx_term(zctx);
}

/* Send ${n} frames of ${frames} (lengths ${lens}) as one message, or, for
 * flood-forged, t->count forged HELLOs one a message. */
static int
send_member(const struct probe_target *t, const char *action,
    unsigned long long *sent)
{
    void *zctx, *s = NULL;
    uint8_t *env = NULL, *big = NULL;
    size_t len = 0;
    unsigned long long i;
    int ret = 1;

    *sent = 0;
    if ((zctx = zmq_ctx_new()) == NULL ||
        (s = member_socket(zctx, t)) == NULL)
        goto done;
    if (strcmp(action, "oversized") == 0) {
        len = SEEN_NET_MAX_ENVELOPE + 1;
        if ((big = malloc(len)) == NULL)
            goto done;
        randombytes_buf(big, len);
        if (first_send(s, t, big, len, 0) != 0)
            goto undelivered;
        *sent = 1;
    } else if (hello(t, &env, &len) != 0)
        goto done;
    if (strcmp(action, "multi-frame") == 0) {
        if (first_send(s, t, env, len, ZMQ_SNDMORE) != 0)
            goto undelivered;
        zmq_send(s, "extra", 5, 0);
        *sent = 1;
    } else if (strcmp(action, "flood-forged") == 0) {
        env[len - 40] ^= 0x01; /* the signature is the last 64 bytes */
        if (t->count > 0 && first_send(s, t, env, len, 0) != 0)
            goto undelivered;
        /* Each its own msg_id would cost the probe a signature each; the
         * target checks the signature first, so the same bytes will do. */
        for (i = t->count > 0 ? 1 : 0; i < t->count; i++)
            if (zmq_send(s, env, len, 0) < 0)
                break;
        *sent = i;
        if (t->reset) {
            /* Let the target's queue of us fill, then vanish. */
            struct timespec ts = {t->reset, 0};

            nanosleep(&ts, NULL);
            reset_and_exit(t, i);
        }
    }
    flush_close(zctx, s);
    zctx = s = NULL;
    ret = 0;
    goto done;
undelivered:
    fprintf(stderr, "seen-probe: could not deliver to '%s' within %ld ms\n",
        t->to, t->timeout);
    ret = EXIT_UNDELIVERED;
done:
    if (s != NULL)
        zmq_close(s);
    if (zctx != NULL)
        zmq_ctx_term(zctx);
    free(env);
    free(big);
    return ret;
}

/**
 * probe_transport_is(action):
 * Return 1 when ${action} is one of this file's, else 0.
 */
int
probe_transport_is(const char *action)
{

    return strcmp(action, "connect-flood") == 0 ||
        strcmp(action, "flood-forged") == 0 ||
        strcmp(action, "multi-frame") == 0 ||
        strcmp(action, "oversized") == 0;
}

/**
 * probe_transport_run(action, t, sent):
 * Carry out ${action} against ${t}, with the number of connections opened
 * or messages sent in *${sent}.  Returns seen-probe's exit status: 0; 1
 * on an error (said on stderr); 3 when nothing could be delivered within
 * t->timeout ms.  connect-flood returns only on an error: it holds its
 * connections until killed.
 */
int
probe_transport_run(
    const char *action, const struct probe_target *t, unsigned long long *sent)
{

    if (strcmp(action, "connect-flood") == 0)
        return connect_flood(t, sent);
    return send_member(t, action, sent);
}

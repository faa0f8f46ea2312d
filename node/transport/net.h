/*
 * net.h: the node's transport over ZeroMQ with CURVE.
 *
 * The node binds one ROUTER socket as a CURVE server, guarded by a ZAP
 * handler (in this thread, on inproc://zeromq.zap.01) that admits only
 * the CURVE keys the admit callback accepts; ZMQ_ZAP_ENFORCE_DOMAIN makes
 * a missing handler fail closed.  It connects one DEALER, as a CURVE
 * client, to each peer, and sends only through those: every message is
 * one frame, a signed envelope, and a reply travels back over the
 * replier's own DEALER.  Sends never block and never drop silently: a full
 * queue (the high-water mark) is reported as SEEN_EAGAIN for the caller
 * to retry.  ZeroMQ reconnects with backoff (100 ms doubling to 5 s) and
 * sends ZMTP heartbeats (a PING every SEEN_NET_HEARTBEAT_IVL ms on each
 * connection, which is dropped when nothing comes back for
 * SEEN_NET_HEARTBEAT_TIMEOUT ms): all that crosses an idle link besides
 * what replication sends at its slow cadence.
 *
 * What a connection may cost is bounded.  Before authentication: a
 * handshake not completed within SEEN_NET_HANDSHAKE_IVL ms is closed, and
 * when the descriptors given to connections come within a reserve of the
 * open-file limit the listener closes for SEEN_NET_PAUSE s (dropping the
 * connections it accepted) so that the control socket and the store
 * always have descriptors; each is counted and said once a burst.  After
 * it: one frame a message, at most SEEN_NET_MAX_ENVELOPE bytes (larger
 * ones refused and counted; beyond SEEN_NET_MAX_MSG ZeroMQ closes the
 * connection), at most SEEN_NET_RCVHWM messages queued per peer, and each
 * member a fair share a second (share.h): beyond it its messages are read
 * and dropped unverified, and counted against it.
 */
#ifndef SEEN_NET_H
#define SEEN_NET_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "common/seen.h"

#define SEEN_NET_MAX_ENVELOPE (16u << 20) /* larger frames are refused */
#define SEEN_NET_MAX_MSG (SEEN_NET_MAX_ENVELOPE + 4096) /* larger: closed */
#define SEEN_NET_HWM 64          /* messages queued per peer */
#define SEEN_NET_DIRECT_MAX 64   /* direct links to members not peers */
#define SEEN_NET_RCVHWM 1024     /* messages received queued per peer */
#define SEEN_NET_HANDSHAKE_IVL 5000 /* ms a connection has to authenticate */
#define SEEN_NET_DRAIN 4096      /* messages read and dropped per service */
#define SEEN_NET_PAUSE 1.0       /* s the port stays closed when fds run low */
#define SEEN_NET_POLLITEMS 3     /* items of seen_net_pollitems() */
#define SEEN_NET_HEARTBEAT_IVL 10000     /* ms between ZMTP PINGs */
#define SEEN_NET_HEARTBEAT_TIMEOUT 30000 /* ms without traffic: dropped */
#define SEEN_NET_HEARTBEAT_TTL 60000     /* ms the other end waits */

struct seen_keys;
struct seen_net;

/*
 * The admit callback: given a client's CURVE public key, return 1 and its
 * Ed25519 key in ${sign_pk} when it belongs to an active member, else 0.
 */
typedef int seen_net_admit_fn(void *ctx, const uint8_t curve_pk[static 32],
    uint8_t sign_pk[static 32]);

/*
 * The message callback: one envelope of ${len} bytes (borrowed) from the
 * authenticated member ${sign_pk}.
 */
typedef void seen_net_recv_fn(void *ctx, const uint8_t sign_pk[static 32],
    const uint8_t *buf, size_t len);

/**
 * seen_net_open(zctx, k, listen, admit, ctx, out):
 * Start the ZAP handler and bind the ROUTER on ${listen} (tcp://HOST:PORT)
 * with ${k}'s CURVE keys.  Returns 0 and a new transport in *${out};
 * SEEN_EIO when the endpoint cannot be bound (logged); SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_net_open(void *zctx, const struct seen_keys *k,
    const char *listen, seen_net_admit_fn *admit, void *ctx,
    struct seen_net **out);

/**
 * seen_net_destroy(&net):
 * Close every socket.  Sets the caller's pointer to NULL; NULL or a pointer
 * to NULL is a no-op, so it is safe twice.
 */
void seen_net_destroy(struct seen_net **pp);

/**
 * seen_net_peer(net, sign_pk, curve_pk, endpoint, name):
 * Connect (or keep) a DEALER to the peer ${sign_pk}; a peer whose key or
 * endpoint changed, or a direct link to it, is reconnected.  Returns 0,
 * SEEN_EINVAL for a bad endpoint, SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_net_peer(struct seen_net *net,
    const uint8_t sign_pk[static 32], const uint8_t curve_pk[static 32],
    const char *endpoint, const char *name);

/**
 * seen_net_direct(net, sign_pk, curve_pk, endpoint, name):
 * Connect a direct link to the member ${sign_pk} that is not a peer, for
 * what is sent to it alone (a disclosure, a cosignature): what is sent
 * on it waits while it connects.  A peer's link is kept as it is.  At
 * most SEEN_NET_DIRECT_MAX direct links are kept: the least recently
 * used makes room.  Returns 0, SEEN_EINVAL for a bad endpoint,
 * SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_net_direct(struct seen_net *net,
    const uint8_t sign_pk[static 32], const uint8_t curve_pk[static 32],
    const char *endpoint, const char *name);

/**
 * seen_net_heard(net, sign_pk):
 * Peer ${sign_pk} was just heard from: when sending to it has failed
 * since the last success, renew its DEALER now (at most once a second)
 * rather than after ZeroMQ's reconnection backoff.
 */
void seen_net_heard(struct seen_net *net, const uint8_t sign_pk[static 32]);

/**
 * seen_net_drop_peer(net, sign_pk):
 * Disconnect and forget peer ${sign_pk} (revoked or gone).  Unknown peers
 * are ignored.
 */
void seen_net_drop_peer(struct seen_net *net, const uint8_t sign_pk[static 32]);

/**
 * seen_net_send(net, sign_pk, buf, len):
 * Queue ${len} bytes for peer ${sign_pk} without blocking.  Returns 0;
 * SEEN_EAGAIN when its queue is full (nothing queued: retry later);
 * SEEN_ENOTFOUND for a peer not connected by seen_net_peer; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_net_send(struct seen_net *net,
    const uint8_t sign_pk[static 32], const void *buf, size_t len);

/**
 * seen_net_pollitems(net, items):
 * Write the SEEN_NET_POLLITEMS poll items the daemon must watch (the
 * ROUTER's monitor first, then the ROUTER and the ZAP handler) to
 * ${items}.  Returns SEEN_NET_POLLITEMS.
 */
int seen_net_pollitems(
    struct seen_net *net, zmq_pollitem_t items[static SEEN_NET_POLLITEMS]);

/**
 * seen_net_service(net, items, recv, ctx, max):
 * Count the connections' events, answer pending ZAP requests, and deliver
 * up to ${max} received messages to ${recv}, given the poll results in
 * ${items}.  Messages refused or over their sender's share are read and
 * dropped, up to SEEN_NET_DRAIN of them a call: a flooded queue is drained
 * at a bounded cost.  Returns the number of messages delivered.
 */
size_t seen_net_service(struct seen_net *net,
    zmq_pollitem_t items[static SEEN_NET_POLLITEMS], seen_net_recv_fn *recv,
    void *ctx, size_t max);

/**
 * seen_net_waiting(net):
 * Return 1 when a message waits to be received, else 0: what a long
 * piece of work asks before going on.
 */
int seen_net_waiting(struct seen_net *net);

/**
 * seen_net_watch(net):
 * Count the connections' events only (the first poll item): what keeps
 * descriptors in reserve while the daemon cannot service the rest.
 */
void seen_net_watch(struct seen_net *net);

/**
 * seen_net_charge(net, sign_pk, seconds):
 * Count ${seconds} spent handling a message of peer ${sign_pk} against
 * its share.
 */
void seen_net_charge(
    struct seen_net *net, const uint8_t sign_pk[static 32], double seconds);

/**
 * seen_net_dropped(net, sign_pk):
 * Return the number of messages of peer ${sign_pk} dropped because it
 * was over its share.
 */
uint64_t seen_net_dropped(
    const struct seen_net *net, const uint8_t sign_pk[static 32]);

/**
 * seen_net_set_share(net, msgs, bytes, cpu, window):
 * Give each peer a share of ${msgs} messages, ${bytes} bytes and ${cpu}
 * seconds of handling every ${window} seconds, in place of the defaults
 * (SEEN_SHARE_*).
 */
void seen_net_set_share(struct seen_net *net, uint32_t msgs, uint64_t bytes,
    double cpu, double window);

/* Counters for status and tests. */
struct seen_net_stats {
    uint64_t zap_admitted, zap_refused;
    uint64_t received, sent, send_blocked, renewed;
    uint64_t received_bytes, sent_bytes; /* of the envelopes counted */
    /* Refused after the handshake, each under its own name: several
     * frames, a frame over SEEN_NET_MAX_ENVELOPE, over the sender's share. */
    uint64_t multi_frame, oversized, dropped;
    /* Connections: accepted, open now, accept failed (e.g. EMFILE),
     * closed before the handshake completed, times the listener closed
     * for want of descriptors and the connections that dropped. */
    uint64_t accepted, connections, accept_failed, handshakes_failed;
    uint64_t listener_paused, connections_shed;
};

/**
 * seen_net_maintain(net):
 * Renew the socket of every peer to which nothing could be sent for a
 * while (5 s, doubling to 80 s): a peer that refused our handshake, for
 * instance before it knew we were a member, is tried afresh.
 */
void seen_net_maintain(struct seen_net *net);

/**
 * seen_net_next(net, later):
 * Return the monotonic time at which seen_net_maintain() next has a
 * socket to renew, or ${later} when none waits.
 */
double seen_net_next(const struct seen_net *net, double later);

/**
 * seen_net_stats(net, st):
 * Copy the transport's counters to ${st}.
 */
void seen_net_stats(const struct seen_net *net, struct seen_net_stats *st);

/**
 * seen_net_endpoint(net):
 * Return the endpoint actually bound (with the port chosen when the
 * configuration asked for port 0).  Borrowed.
 */
const char *seen_net_endpoint(const struct seen_net *net);

#endif /* !SEEN_NET_H */

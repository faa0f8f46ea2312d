/*
 * probe_transport.h: seen-probe's attacks on the transport (issue 11,
 * cases 1 and 2, and the frames it refuses):
 *
 *   connect-flood  --count N plain TCP connections to the target that send
 *                  nothing, held open until the probe is killed (no key
 *                  needed): each one the target closes is opened again;
 *                  one JSON line once they are first open
 *   flood-forged   --count N HELLOs, each with one signature byte flipped,
 *                  sent as fast as the connection takes them as a member
 *                  (valid CURVE), then the connection closed; with
 *                  --reset S, reset (TCP RST) S seconds after the last is
 *                  queued, wherever the sending stands: a peer that
 *                  vanishes while the target's queue of it is full
 *   multi-frame    a valid HELLO followed by a second frame in the same
 *                  message
 *   oversized      one frame of SEEN_NET_MAX_ENVELOPE + 1 random bytes
 */
#ifndef SEEN_PROBE_TRANSPORT_H
#define SEEN_PROBE_TRANSPORT_H

#include <stdint.h>

struct seen_keys;

/* Who the probe speaks to and as whom: borrowed from seen-probe's own. */
struct probe_target {
    const char *to;              /* tcp://HOST:PORT */
    const uint8_t *server_curve; /* the target's CURVE key (32 bytes) */
    const uint8_t *target;       /* the target's Ed25519 key (32 bytes) */
    const struct seen_keys *ck;  /* our CURVE keys */
    const struct seen_keys *sk;  /* the envelopes' signer */
    long timeout;                /* ms to wait for the connection */
    unsigned long long count;    /* --count */
    long reset; /* flood-forged: s after sending to reset, not close (0) */
};

/**
 * probe_transport_is(action):
 * Return 1 when ${action} is one of this file's, else 0.
 */
int probe_transport_is(const char *action);

/**
 * probe_transport_run(action, t, sent):
 * Carry out ${action} against ${t}, with the number of connections opened
 * or messages sent in *${sent}.  Returns seen-probe's exit status: 0; 1
 * on an error (said on stderr); 3 when nothing could be delivered within
 * t->timeout ms.  connect-flood returns only on an error: it holds its
 * connections until killed.
 */
int probe_transport_run(
    const char *action, const struct probe_target *t, unsigned long long *sent);

#endif /* !SEEN_PROBE_TRANSPORT_H */

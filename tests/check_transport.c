/*
 * check_transport.c: the transport (node/transport/net.[ch]) alone, over
 * real ZeroMQ CURVE on 127.0.0.1 at a port the kernel chooses: it refuses
 * a CURVE key its admit callback does not know, delivers a member's
 * messages with the member's Ed25519 key, and sends only to peers it is
 * connected to.  The federation above it: check_replication.c.
 *
 * No test measures time: a wait services the transport until what it
 * waits for holds, for at most PUMP_ROUNDS rounds (a bound, not a
 * target).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <zmq.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "node/transport/net.h"
#include "tests/suites.h"

#define POLL_MS 10        /* the longest one round waits for input */
#define PUMP_ROUNDS 20000 /* rounds before a wait gives up: a bound */
#define PROBE_ENDPOINT "tcp://127.0.0.1:9" /* nobody listens there */

/* The node that listens, a member that connects, and a stranger. */
static struct seen_keys *node, *probe, *stranger;
static void *rawctx; /* the context of the hand-made sockets */

static void
setup(void)
{

    ck_assert_ptr_nonnull(node = seen_keys_generate());
    ck_assert_ptr_nonnull(probe = seen_keys_generate());
    ck_assert_ptr_nonnull(stranger = seen_keys_generate());
    ck_assert_ptr_nonnull(rawctx = zmq_ctx_new());
}

static void
teardown(void)
{

    zmq_ctx_term(rawctx);
    seen_keys_destroy(&node);
    seen_keys_destroy(&probe);
    seen_keys_destroy(&stranger);
}

/* A DEALER that speaks CURVE as ${as} to the listener of ${to} at ${ep}. */
static void *
raw_dealer(const struct seen_keys *as, const struct seen_keys *to,
    const char *ep)
{
    void *d;
    int zero = 0;

    ck_assert_ptr_nonnull(d = zmq_socket(rawctx, ZMQ_DEALER));
    zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, to->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, as->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, as->curve_sk, 32);
    ck_assert_int_eq(zmq_connect(d, ep), 0);
    return d;
}

/* Send ${len} bytes of ${buf} as one frame on ${d}. */
static void
raw_send(void *d, const void *buf, size_t len)
{

    ck_assert_int_eq(zmq_send(d, buf, len, 0), (int)len);
}

/* What the transport test's callbacks see. */
struct seen_by_net {
    const struct seen_keys *member; /* the one key admitted */
    size_t n;                       /* messages delivered */
    uint8_t from[32];
    char text[16];
};

/* A seen_net_admit_fn that admits only ${ctx}'s member. */
static int
admit_member(
    void *ctx, const uint8_t curve_pk[static 32], uint8_t sign_pk[static 32])
{
    struct seen_by_net *s = ctx;

    if (memcmp(curve_pk, s->member->curve_pk, 32) != 0)
        return 0;
    memcpy(sign_pk, s->member->sign_pk, 32);
    return 1;
}

/* A seen_net_recv_fn that keeps the last message. */
static void
delivered(
    void *ctx, const uint8_t sign_pk[static 32], const uint8_t *buf, size_t len)
{
    struct seen_by_net *s = ctx;

    s->n++;
    memcpy(s->from, sign_pk, 32);
    snprintf(s->text, sizeof s->text, "%.*s", (int)len, (const char *)buf);
}

START_TEST(test_transport_refuses_unknown_curve_key_and_admits_a_member)
{
    struct seen_by_net s = {probe, 0, {0}, ""};
    struct seen_net_stats st;
    struct seen_net *net;
    zmq_pollitem_t items[SEEN_NET_POLLITEMS];
    void *zctx, *bad, *good;
    int i;

    ck_assert_ptr_nonnull(zctx = zmq_ctx_new());
    ck_assert_int_eq(seen_net_open(zctx, node, "tcp://127.0.0.1:0",
                         admit_member, &s, &net),
        SEEN_OK);
    bad = raw_dealer(stranger, node, seen_net_endpoint(net));
    raw_send(bad, "stranger", 8);
    good = raw_dealer(probe, node, seen_net_endpoint(net));
    raw_send(good, "member", 6);
    seen_net_stats(net, &st);
    for (i = 0; i < PUMP_ROUNDS && (s.n < 1 || st.zap_refused < 1); i++) {
        seen_net_pollitems(net, items);
        ck_assert_int_ge(zmq_poll(items, SEEN_NET_POLLITEMS, POLL_MS), 0);
        seen_net_service(net, items, delivered, &s, 8);
        seen_net_stats(net, &st);
    }
    /* The member's message, from its Ed25519 key; the stranger's never. */
    ck_assert_uint_eq(s.n, 1);
    ck_assert_str_eq(s.text, "member");
    ck_assert_mem_eq(s.from, probe->sign_pk, 32);
    ck_assert_uint_ge(st.zap_refused, 1);
    ck_assert_uint_eq(st.zap_admitted, 1);
    ck_assert_uint_eq(st.received, 1);
    zmq_close(bad);
    zmq_close(good);
    seen_net_destroy(&net);
    seen_net_destroy(&net); /* safe twice */
    ck_assert_ptr_null(net);
    zmq_ctx_term(zctx);
}
END_TEST

START_TEST(test_transport_sends_only_to_connected_peers)
{
    struct seen_by_net s = {probe, 0, {0}, ""};
    struct seen_net *net;
    void *zctx;

    ck_assert_ptr_nonnull(zctx = zmq_ctx_new());
    ck_assert_int_eq(seen_net_open(zctx, node, "tcp://127.0.0.1:0",
                         admit_member, &s, &net),
        SEEN_OK);
    ck_assert_int_eq(
        seen_net_send(net, probe->sign_pk, "x", 1), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_net_peer(net, probe->sign_pk, probe->curve_pk,
                         "ipc:///tmp/not-tcp", "probe"),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_net_peer(net, probe->sign_pk, probe->curve_pk,
                         PROBE_ENDPOINT, "probe"),
        SEEN_OK);
    /* Nobody listens: nothing is queued to an absent peer. */
    ck_assert_int_eq(seen_net_send(net, probe->sign_pk, "x", 1), SEEN_EAGAIN);
    seen_net_drop_peer(net, probe->sign_pk);
    ck_assert_int_eq(
        seen_net_send(net, probe->sign_pk, "x", 1), SEEN_ENOTFOUND);
    seen_net_destroy(&net);
    zmq_ctx_term(zctx);
}
END_TEST

Suite *
transport_suite(void)
{
    Suite *s = suite_create("transport");
    TCase *tc = tcase_create("transport");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(
        tc, test_transport_refuses_unknown_curve_key_and_admits_a_member);
    tcase_add_test(tc, test_transport_sends_only_to_connected_peers);
    suite_add_tcase(s, tc);
    return s;
}

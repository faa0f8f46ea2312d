/*
 * check_transport.c: the transport (node/transport/net.[ch]) alone, over
 * real ZeroMQ CURVE on 127.0.0.1 at a port the kernel chooses: it refuses
 * a CURVE key its admit callback does not know, delivers a member's
 * messages with the member's Ed25519 key, sends only to peers it is
 * connected to, drops what a member sends beyond its share (share.c, also
 * alone) and refuses multi-frame and oversized frames, each counted.  The
 * federation above it: check_replication.c.
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
#include "node/transport/share.h"
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

/* Service ${net} until ${st} (refreshed) shows ${n} messages received,
 * dropped, multi-frame or oversized together: at most PUMP_ROUNDS. */
static void
pump_until(struct seen_net *net, struct seen_by_net *s,
    struct seen_net_stats *st, uint64_t n)
{
    zmq_pollitem_t items[SEEN_NET_POLLITEMS];
    int i;

    seen_net_stats(net, st);
    for (i = 0; i < PUMP_ROUNDS &&
         st->received + st->dropped + st->multi_frame + st->oversized < n;
         i++) {
        seen_net_pollitems(net, items);
        ck_assert_int_ge(zmq_poll(items, SEEN_NET_POLLITEMS, POLL_MS), 0);
        seen_net_service(net, items, delivered, s, 8);
        seen_net_stats(net, st);
    }
}

START_TEST(test_transport_drops_what_a_member_sends_beyond_its_share)
{
    struct seen_by_net s = {probe, 0, {0}, ""};
    struct seen_net_stats st;
    struct seen_net *net;
    void *zctx, *good;
    int i;

    ck_assert_ptr_nonnull(zctx = zmq_ctx_new());
    ck_assert_int_eq(seen_net_open(zctx, node, "tcp://127.0.0.1:0",
                         admit_member, &s, &net),
        SEEN_OK);
    /* Five messages an hour: the window cannot end during the test. */
    seen_net_set_share(net, 5, 1u << 20, 3600.0, 3600.0);
    good = raw_dealer(probe, node, seen_net_endpoint(net));
    for (i = 0; i < 20; i++)
        raw_send(good, "flood", 5);
    pump_until(net, &s, &st, 20);
    ck_assert_uint_eq(s.n, 5);
    ck_assert_uint_eq(st.received, 5);
    ck_assert_uint_eq(st.dropped, 15);
    ck_assert_uint_eq(seen_net_dropped(net, probe->sign_pk), 15);
    ck_assert_uint_eq(seen_net_dropped(net, stranger->sign_pk), 0);
    zmq_close(good);
    seen_net_destroy(&net);
    zmq_ctx_term(zctx);
}
END_TEST

START_TEST(test_transport_refuses_multi_frame_and_oversized_frames)
{
    struct seen_by_net s = {probe, 0, {0}, ""};
    struct seen_net_stats st;
    struct seen_net *net;
    uint8_t *big;
    void *zctx, *good;

    ck_assert_ptr_nonnull(zctx = zmq_ctx_new());
    ck_assert_int_eq(seen_net_open(zctx, node, "tcp://127.0.0.1:0",
                         admit_member, &s, &net),
        SEEN_OK);
    good = raw_dealer(probe, node, seen_net_endpoint(net));
    ck_assert_int_eq(zmq_send(good, "two", 3, ZMQ_SNDMORE), 3);
    raw_send(good, "frames", 6);
    ck_assert_ptr_nonnull(big = calloc(1, SEEN_NET_MAX_ENVELOPE + 1));
    raw_send(good, big, SEEN_NET_MAX_ENVELOPE + 1);
    free(big);
    raw_send(good, "after", 5);
    pump_until(net, &s, &st, 3);
    ck_assert_uint_eq(st.multi_frame, 1);
    ck_assert_uint_eq(st.oversized, 1);
    /* Neither delivered; the connection still carries what follows. */
    ck_assert_uint_eq(s.n, 1);
    ck_assert_str_eq(s.text, "after");
    zmq_close(good);
    seen_net_destroy(&net);
    zmq_ctx_term(zctx);
}
END_TEST

static const uint8_t pk_a[32] = {1}, pk_b[32] = {2};

START_TEST(test_share_counts_messages_bytes_and_time_per_peer_a_window)
{
    struct seen_share *sh;

    ck_assert_ptr_nonnull(
        sh = seen_share_new(&(struct seen_share_budget){3, 100, 0.5, 1.0}));
    /* Messages: three a window; the fourth dropped, counted against a. */
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 10, 0.0), 1);
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 10, 0.1), 1);
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 10, 0.2), 1);
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 10, 0.3), 0);
    /* Another peer has its own share. */
    ck_assert_int_eq(seen_share_admit(sh, pk_b, 10, 0.3), 1);
    ck_assert_uint_eq(seen_share_dropped(sh, pk_a), 1);
    ck_assert_uint_eq(seen_share_dropped(sh, pk_b), 0);
    /* A new window: a fresh share.  Bytes: the first message always
     * passes, however large; then no more than 100 bytes. */
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 1000, 1.0), 1);
    ck_assert_int_eq(seen_share_admit(sh, pk_a, 1, 1.1), 0);
    /* Time: a message that cost the budget stops the rest. */
    ck_assert_int_eq(seen_share_admit(sh, pk_b, 1, 2.0), 1);
    seen_share_charge(sh, pk_b, 0.6);
    ck_assert_int_eq(seen_share_admit(sh, pk_b, 1, 2.1), 0);
    ck_assert_int_eq(seen_share_admit(sh, pk_b, 1, 3.1), 1);
    ck_assert_uint_eq(seen_share_total(sh), 3);
    seen_share_destroy(&sh);
    seen_share_destroy(&sh); /* safe twice */
    ck_assert_ptr_null(sh);
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
    tcase_add_test(
        tc, test_transport_drops_what_a_member_sends_beyond_its_share);
    tcase_add_test(
        tc, test_transport_refuses_multi_frame_and_oversized_frames);
    tcase_add_test(
        tc, test_share_counts_messages_bytes_and_time_per_peer_a_window);
    suite_add_tcase(s, tc);
    return s;
}

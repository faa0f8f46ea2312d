/*
 * check_replication.c: the replication room (node/replication/), with
 * real LMDB stores in temporary directories and real seen_fed objects
 * talking ZeroMQ CURVE over 127.0.0.1 on ports the kernel chooses.
 *
 * Members converge on each other's feeds after appends; a feed travels
 * through a relay between members that do not talk; a member restarted
 * over its store catches up from where it stopped; an envelope from a
 * non-member, one signed by another member than the connection's, a
 * replayed one (also after a restart) and leaves that their checkpoint
 * does not hold (the sender's fault: no evidence) are refused and counted;
 * a member stopped in the middle of a catch-up resumes it when started,
 * and one whose rounds stop between messages goes on in order;
 * an entry past its expiry when it arrives is kept in its feed, never
 * made live.  (The transport alone:
 * check_transport.c; the witness ring alone: check_replication_ring.c.)
 *
 * At rest a federation is quiet: once it has converged and witnessed,
 * servicing it for many rounds sends no envelope and logs no leaf; an
 * append is announced at once, without waiting for a timer.  Each log is
 * witnessed by the members the witness ring chooses, and by no one else.
 *
 * No test measures time: each services every node until what it waits
 * for holds, for at most PUMP_ROUNDS rounds (a bound against a hang,
 * never a target), and then asserts it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/replication/federation.h"
#include "node/replication/ring.h"
#include "node/transport/share.h"
#include "node/transport/net.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/space.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#include "tests/replication_fixture.h"

/* ---- members converge ---- */

START_TEST(test_members_converge_on_each_others_feeds)
{
    static const size_t count[NNODES] = {3, 5, 2};
    uint8_t handles[NNODES][MAX_LEAVES][16], more[4][16];
    struct expect want[NNODES * NNODES + 1];
    size_t i, j, n = 0, k;

    federate(NNODES);
    settle();
    for (i = 0; i < NNODES; i++)
        publish(&nodes[i], count[i], handles[i]);
    for (i = 0; i < NNODES; i++)
        for (j = 0; j < NNODES; j++)
            if (i != j)
                want[n++] = (struct expect){&nodes[i], nodes[j].k, count[j]};
    want[n] = (struct expect){NULL, NULL, 0};
    ck_assert_msg(pump_until(all_held, want), "the feeds did not converge");
    for (i = 0; i < NNODES; i++) {
        for (j = 0; j < NNODES; j++) {
            if (i == j)
                continue;
            /* Exactly what the origin published, indexed where it sits. */
            ck_assert_uint_eq(feed_size(&nodes[i], nodes[j].k), count[j]);
            for (k = 0; k < count[j]; k++)
                ck_assert(holds_entry(&nodes[i], nodes[j].k, handles[j][k], k));
        }
    }
    ck_assert_int_eq(
        counter(&nodes[ALPHA], "entries_replicated", NULL), 0 + 5 + 2);

    /* Later appends follow. */
    publish(&nodes[ALPHA], 4, more);
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 3 + 4);
    wait_held(&nodes[CHARLIE], nodes[ALPHA].k, 3 + 4);
    for (k = 0; k < 4; k++) {
        ck_assert(holds_entry(&nodes[BRAVO], nodes[ALPHA].k, more[k], 3 + k));
        ck_assert(holds_entry(&nodes[CHARLIE], nodes[ALPHA].k, more[k], 3 + k));
    }
    ck_assert_uint_eq(feed_size(&nodes[BRAVO], nodes[ALPHA].k), 7);
    ck_assert_int_eq(counter(&nodes[BRAVO], "refused", "inconsistent"), 0);
}
END_TEST

/* An entry whose expiry has passed by the receiver's clock when it
 * arrives is appended to its feed (its leaf is the origin's tree's) but
 * never made live (docs/protocol.md, "Retention"); one not yet passed
 * is. */
START_TEST(test_an_entry_arriving_past_its_expiry_is_kept_in_the_feed_only)
{
    uint8_t gone[1][16], kept[1][16];

    federate(NNODES);
    settle();
    leaf_expiry = (uint32_t)seen_clock_day(); /* retain_until yesterday */
    publish(&nodes[ALPHA], 1, gone);
    leaf_expiry = (uint32_t)seen_clock_day() + 2; /* ...tomorrow */
    publish(&nodes[ALPHA], 1, kept);
    leaf_expiry = 0;
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 2);
    ck_assert_uint_eq(feed_size(&nodes[BRAVO], nodes[ALPHA].k), 2);
    ck_assert(!holds_entry(&nodes[BRAVO], nodes[ALPHA].k, gone[0], 0));
    ck_assert(holds_entry(&nodes[BRAVO], nodes[ALPHA].k, kept[0], 1));
}
END_TEST

/* ---- a relay ---- */

/* Whether ${n}'s only peer is the member ${name}. */
static int
only_peer_is(struct tnode *n, const char *name)
{
    json_t *st = status_of(n), *peers = json_object_get(st, "peers");
    int ok;

    ok = json_array_size(peers) == 1 &&
         strcmp(json_string_value(
                    json_object_get(json_array_get(peers, 0), "node")),
             name) == 0;
    json_decref(st);
    return ok;
}

START_TEST(test_relay_carries_a_feed_between_members_that_do_not_talk)
{
    uint8_t handles[4][16];
    size_t k;

    talks_to(&nodes[ALPHA], "bravo");
    talks_to(&nodes[CHARLIE], "bravo");
    federate(NNODES);
    ck_assert(only_peer_is(&nodes[ALPHA], "bravo"));
    ck_assert(only_peer_is(&nodes[CHARLIE], "bravo"));
    settle();
    publish(&nodes[ALPHA], 4, handles);
    wait_held(&nodes[CHARLIE], nodes[ALPHA].k, 4);
    ck_assert_uint_eq(feed_size(&nodes[CHARLIE], nodes[ALPHA].k), 4);
    ck_assert_uint_eq(feed_size(&nodes[BRAVO], nodes[ALPHA].k), 4);
    for (k = 0; k < 4; k++)
        ck_assert(holds_entry(&nodes[CHARLIE], nodes[ALPHA].k, handles[k], k));
    /* Still strangers: it came through bravo. */
    ck_assert(only_peer_is(&nodes[ALPHA], "bravo"));
    ck_assert(only_peer_is(&nodes[CHARLIE], "bravo"));
}
END_TEST

/* ---- a restart ---- */

START_TEST(test_restarted_member_catches_up_from_its_store)
{
    uint8_t handles[4][16];
    size_t k;

    talks_to(&nodes[ALPHA], "bravo");
    talks_to(&nodes[BRAVO], "alpha");
    federate(2);
    settle();
    publish(&nodes[ALPHA], 3, NULL);
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 3);

    /* Bravo stops; alpha goes on publishing; bravo starts again over the
     * same store, listening where the document says. */
    node_stop(&nodes[BRAVO]);
    publish(&nodes[ALPHA], 4, handles);
    node_start(&nodes[BRAVO]);
    ck_assert_uint_eq(feed_size(&nodes[BRAVO], nodes[ALPHA].k), 3);
    ck_assert_int_eq(
        counter(&nodes[BRAVO], "membership_version", NULL), DOC_VERSION);
    settle();
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 3 + 4);
    ck_assert_uint_eq(feed_size(&nodes[BRAVO], nodes[ALPHA].k), 3 + 4);
    for (k = 0; k < 4; k++)
        ck_assert(
            holds_entry(&nodes[BRAVO], nodes[ALPHA].k, handles[k], 3 + k));
    /* Only what it lacked travelled: it resumed from the size it held. */
    ck_assert_int_eq(counter(&nodes[BRAVO], "entries_replicated", NULL), 4);
}
END_TEST


/* Alpha and bravo, talking to each other; bravo stopped while alpha
 * publishes ${leaves}, and started again (not yet serviced). */
static void
bravo_behind(size_t leaves)
{

    talks_to(&nodes[ALPHA], "bravo");
    talks_to(&nodes[BRAVO], "alpha");
    federate(2);
    settle();
    node_stop(&nodes[BRAVO]);
    publish(&nodes[ALPHA], leaves, NULL);
    node_start(&nodes[BRAVO]);
}

/* Whether bravo holds some of alpha's feed, not all of it (${ctx}: the
 * size of all of it). */
static int
bravo_part_way(void *ctx)
{
    uint64_t n = feed_size(&nodes[BRAVO], nodes[ALPHA].k);

    return n > 0 && n < *(const uint64_t *)ctx;
}

/* A member stopped in the middle of a catch-up holds the origin's
 * checkpoint (kept with the first batch) and part of its leaves.  Started
 * again, it asks for the rest of its own accord: its HEADS, the same as
 * before the stop (a feed caught up in part is not named), was answered
 * once already, and alpha, which has nothing new, would otherwise tell it
 * nothing until heads_every (300 s) had passed. */
#define RESUME_LEAVES 10000 /* more than one range (SEEN_FED_RANGE) */
START_TEST(test_a_member_stopped_in_the_middle_of_a_catch_up_resumes_it)
{
    uint64_t all = RESUME_LEAVES, part;

    bravo_behind(RESUME_LEAVES);
    settle();
    /* A range is asked once half the one before has come: some round
     * ends with the first batch applied and the last not come. */
    ck_assert(pump_until(bravo_part_way, &all));
    part = feed_size(&nodes[BRAVO], nodes[ALPHA].k);
    node_stop(&nodes[BRAVO]);
    node_start(&nodes[BRAVO]);
    settle();
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, RESUME_LEAVES);
    /* It asked on what it held, from what it held. */
    ck_assert_int_ge(counter(&nodes[BRAVO], "ranges", "resumed"), 1);
    ck_assert_int_eq(counter(&nodes[BRAVO], "entries_replicated", NULL),
        (json_int_t)(RESUME_LEAVES - part));
}
END_TEST

/* What bravo counts of its peer alpha under ${key}. */
static json_int_t
of_alpha(const char *key)
{
    json_t *p = peer_status(&nodes[BRAVO], "alpha");
    json_int_t x = json_integer_value(json_object_get(p, key));

    json_decref(p);
    return x;
}

/* A catch-up larger than one ENTRIES: each GET_RANGE is answered by
 * several, in order, and the next range is asked before the last one
 * ends.  The leaves that extend a feed are the work replication is for:
 * they cost nothing of the sender's share of the node's time, so a share
 * far smaller than the time they take does not cut the catch-up short. */
#define CATCH_UP_LEAVES 6000
START_TEST(test_catch_up_is_answered_in_many_entries_and_not_cut_to_a_share)
{
    json_int_t asked, got;

    bravo_behind(CATCH_UP_LEAVES);
    /* 5 ms of handling a second: far less than the catch-up takes, far
     * more than HELLO, HEADS and COSIGN do (50 times more under valgrind,
     * which runs everything about that much slower). */
    seen_fed_set_share_time(nodes[BRAVO].fed, SEEN_SHARE_MSGS,
        getenv("SEEN_VALGRIND") != NULL ? 0.25 : 0.005);
    settle();
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, CATCH_UP_LEAVES);
    /* Asked, less what was asked again because the transport did not
     * take it (bravo's link to alpha still connecting). */
    asked = counter(&nodes[BRAVO], "ranges", "asked") -
        counter(&nodes[BRAVO], "ranges", "resent");
    got = messages(&nodes[BRAVO], "entries", "received");
    /* At most 512 bytes a leaf: more than 256 KiB, so several ENTRIES;
     * all of them asked for in one range. */
    ck_assert_int_ge(got, 2);
    ck_assert_int_le(asked, 1);
    ck_assert_int_eq(of_alpha("dropped"), 0);
    ck_assert_int_eq(
        counter(&nodes[BRAVO], "entries_replicated", NULL), CATCH_UP_LEAVES);
}
END_TEST

/* Service ${n} alone, with its periodic work, for ${rounds} rounds. */
static void
service_only(struct tnode *n, int rounds)
{
    zmq_pollitem_t items[SEEN_FED_POLLITEMS];
    int i;

    for (i = 0; i < rounds; i++) {
        seen_fed_pollitems(n->fed, items);
        ck_assert_int_ge(zmq_poll(items, SEEN_FED_POLLITEMS, POLL_MS), 0);
        seen_fed_service(n->fed, items);
        seen_fed_tick(n->fed);
    }
}

/* A seen_fed_yield_fn that always asks the round to stop, counting in
 * the int ${ctx} how often it did. */
static int
always_yield(void *ctx)
{

    (*(int *)ctx)++;
    return 1;
}

/* Whether alpha has received a GET_RANGE. */
static int
alpha_asked(void *ctx)
{

    (void)ctx;
    return messages(&nodes[ALPHA], "get_range", "received") > 0;
}

/* A round of received messages stops between two of them when the node
 * has other work waiting (the daemon: a lead's request): what is left is
 * applied by the next service, first and in order.  Bravo stops after
 * every message here, and still holds the whole feed, each leaf once. */
START_TEST(test_a_round_stopped_between_messages_goes_on_in_order)
{
    int yields = 0;

    bravo_behind(CATCH_UP_LEAVES);
    seen_fed_set_yield(nodes[BRAVO].fed, always_yield, &yields, 0);
    settle();
    ck_assert(pump_until(alpha_asked, NULL));
    /* The answer's ENTRIES wait at bravo: its next round holds several. */
    service_only(&nodes[ALPHA], 50);
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, CATCH_UP_LEAVES);
    ck_assert_int_gt(yields, 0);
    ck_assert_int_eq(seen_fed_pending(nodes[BRAVO].fed), 0);
    ck_assert_int_eq(
        counter(&nodes[BRAVO], "entries_replicated", NULL), CATCH_UP_LEAVES);
    ck_assert_int_eq(counter(&nodes[BRAVO], "ranges", "gaps"), 0);
}
END_TEST

/* Once a peer has been told every feed, it is told only what changed:
 * an append at alpha is announced in HEADS that list alpha's feed alone,
 * whatever the number of feeds held. */
START_TEST(test_a_peer_told_every_feed_is_then_told_only_what_changed)
{
    json_int_t whole, partial, listed;

    federate(NNODES);
    settle();
    publish(&nodes[BRAVO], 2, NULL);
    publish(&nodes[CHARLIE], 2, NULL);
    wait_held(&nodes[ALPHA], nodes[BRAVO].k, 2);
    wait_held(&nodes[ALPHA], nodes[CHARLIE].k, 2);
    wait_held(&nodes[BRAVO], nodes[CHARLIE].k, 2);
    wait_held(&nodes[CHARLIE], nodes[BRAVO].k, 2);
    whole = counter(&nodes[ALPHA], "heads", "whole");
    partial = counter(&nodes[ALPHA], "heads", "partial");
    listed = counter(&nodes[ALPHA], "heads", "listed");
    ck_assert_int_gt(whole, 0);
    publish(&nodes[ALPHA], 1, NULL);
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 1);
    wait_held(&nodes[CHARLIE], nodes[ALPHA].k, 1);
    /* To each of its two peers: one partial HEADS naming one feed (of
     * the three alpha holds). */
    ck_assert_int_eq(counter(&nodes[ALPHA], "heads", "whole"), whole);
    ck_assert_int_ge(counter(&nodes[ALPHA], "heads", "partial"), partial + 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "heads", "listed") - listed,
        counter(&nodes[ALPHA], "heads", "partial") - partial);
}
END_TEST

START_TEST(test_envelope_from_non_member_is_refused_and_counted)
{
    struct at_least zap = {&nodes[ALPHA], "refused", "zap_refused", 1};
    void *d;

    alpha_with_probe();

    /* A connection under a CURVE key no member has: refused by ZAP. */
    d = raw_dealer(stranger, &nodes[ALPHA]);
    raw_send(d, "x", 1);
    ck_assert_msg(pump_until(counted, &zap), "ZAP refused nothing");
    ck_assert_int_eq(counter(&nodes[ALPHA], "transport", "received"), 0);
    zmq_close(d);

    /* Over a member's connection, an envelope signed by a non-member. */
    d = raw_dealer(probe, &nodes[ALPHA]);
    hello_to_alpha(d, stranger, 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "unknown_sender"), 1);
    ck_assert_int_eq(peer_refused(&nodes[ALPHA], "probe"), 1);
    ck_assert(!peer_heard(&nodes[ALPHA], "probe"));

    /* ...and one signed by a member, but not the connection's. */
    hello_to_alpha(d, nodes[BRAVO].k, 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "sender_mismatch"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "unknown_sender"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_signature"), 0);
    zmq_close(d);
}
END_TEST

START_TEST(test_replayed_envelope_is_refused_also_after_a_restart)
{
    uint8_t *env;
    size_t len;
    void *d;

    alpha_with_probe();
    d = raw_dealer(probe, &nodes[ALPHA]);
    seal_hello(probe, &nodes[ALPHA], &env, &len);
    raw_send(d, env, len);
    raw_send(d, env, len);
    pump_received(&nodes[ALPHA], 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "replayed"), 1);
    ck_assert_int_eq(peer_refused(&nodes[ALPHA], "probe"), 1);
    ck_assert(peer_heard(&nodes[ALPHA], "probe")); /* the first: taken */
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "unknown_sender"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "malformed"), 0);
    zmq_close(d);

    /* The replay cache is in the store: a restart does not forget it. */
    node_stop(&nodes[ALPHA]);
    node_start(&nodes[ALPHA]);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "replayed"), 0);
    d = raw_dealer(probe, &nodes[ALPHA]);
    raw_send(d, env, len);
    pump_received(&nodes[ALPHA], 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "replayed"), 1);
    zmq_close(d);
    free(env);
}
END_TEST

/* A seen_alerts_evidence_fn that counts in the int ${ctx}. */
static int
any_evidence(void *ctx, const uint8_t origin[32], uint64_t size,
    const uint8_t *cp, size_t len)
{

    (void)origin;
    (void)size;
    (void)cp;
    (void)len;
    (*(int *)ctx)++;
    return 0;
}

START_TEST(test_leaves_their_checkpoint_does_not_hold_are_the_sender_s_fault)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData lv[2];
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], root[32], leaf[2][512], handle[16];
    uint8_t *env;
    struct seen_txn *txn;
    size_t len, i;
    void *d;
    int found = 0;

    alpha_with_probe();
    /* Two well-formed leaves of the probe's feed, and a checkpoint the
     * probe signed of size 2 over a root they do not have. */
    for (i = 0; i < 2; i++)
        lv[i] = (ProtobufCBinaryData){
            leaf_encode(probe, i, handle, leaf[i], sizeof leaf[i]), leaf[i]};
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(
        seen_checkpoint_sign(&cp, cpbuf, SEEN_DOMAIN_FEED_CHECKPOINT, probe, 2,
            root, seen_clock_wall()),
        SEEN_OK);
    e.origin = (ProtobufCBinaryData){32, probe->sign_pk};
    e.from = 0;
    e.n_leaves = 2;
    e.leaves = lv;
    e.checkpoint = &cp;
    seal(probe, &nodes[ALPHA], SEEN__MSG_TYPE__ENTRIES,
        (const ProtobufCMessage *)&e, &env, &len);
    d = raw_dealer(probe, &nodes[ALPHA]);
    raw_send(d, env, len);
    free(env);
    pump_received(&nodes[ALPHA], 1);
    zmq_close(d);

    /* Refused, its leaves undone, counted against the sender: one
     * checkpoint is no evidence of two. */
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_leaves"), 1);
    ck_assert_int_eq(peer_refused(&nodes[ALPHA], "probe"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "inconsistent"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "entries_replicated", NULL), 0);
    ck_assert_uint_eq(feed_size(&nodes[ALPHA], probe), 0);
    ck_assert_int_eq(seen_store_begin(nodes[ALPHA].store, 0, &txn), SEEN_OK);
    ck_assert_int_eq(
        seen_alerts_each_evidence(txn, any_evidence, &found), SEEN_OK);
    seen_store_abort(txn);
    ck_assert_int_eq(found, 0);
}
END_TEST

/* ---- at rest ---- */

/* Witness at once: a checkpoint as soon as a log grew (looked at once a
 * second) and proofs asked as soon as needed, ${k} witnesses per log;
 * liveness HEADS at the default cadence, far beyond any test. */
static void
witness_fast(size_t n, unsigned int k)
{
    const struct seen_fed_opts o = {SEEN_FED_HEADS_EVERY, 0, k};
    size_t i;

    for (i = 0; i < n; i++)
        seen_fed_set_opts(nodes[i].fed, &o);
}

/* The integer ${key} of the object ${o}; the test fails without one. */
static json_int_t
jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_integer(v), "no integer '%s'", key);
    return json_integer_value(v);
}

/* The status of ${name} among the peers in the status ${st}, borrowed;
 * the test fails when there is none. */
static json_t *
peer_in(json_t *st, const char *name)
{
    json_t *peers = json_object_get(st, "peers"), *p;
    size_t i;

    for (i = 0; i < json_array_size(peers); i++) {
        p = json_array_get(peers, i);
        if (strcmp(json_string_value(json_object_get(p, "node")), name) == 0)
            return p;
    }
    ck_abort_msg("no peer %s", name);
    return NULL;
}

/*
 * Whether witnessing has settled among the running nodes: each one's log
 * is covered by the latest checkpoint it signed, none waits for a proof,
 * and each holds the latest checkpoint of every running node whose log it
 * witnesses.
 */
static int
witnessed_all(void *ctx)
{
    json_t *st[NNODES] = {NULL}, *x;
    size_t i, j;
    int ok = 1;

    (void)ctx;
    for (i = 0; i < NNODES; i++)
        if (nodes[i].fed != NULL)
            st[i] = status_of(&nodes[i]);
    for (i = 0; i < NNODES && ok; i++) {
        if (st[i] == NULL)
            continue;
        x = json_object_get(st[i], "exchange_log");
        if (jint(x, "leaves") != jint(x, "checkpoint") ||
            jint(x, "checkpoints_pending") != 0)
            ok = 0;
        for (j = 0; j < NNODES && ok; j++) {
            json_t *p;

            if (j == i || st[j] == NULL)
                continue;
            p = peer_in(st[i], nodes[j].name);
            if (json_is_true(json_object_get(p, "witnessed")) &&
                jint(p, "checkpoint_held") !=
                    jint(json_object_get(st[j], "exchange_log"), "checkpoint"))
                ok = 0;
        }
    }
    for (i = 0; i < NNODES; i++)
        json_decref(st[i]);
    return ok;
}

/* The envelopes the running nodes handed to the transport, and the
 * leaves of their exchange logs, in all. */
static void
totals(json_int_t *sent, json_int_t *leaves)
{
    size_t i;

    *sent = *leaves = 0;
    for (i = 0; i < NNODES; i++) {
        if (nodes[i].fed == NULL)
            continue;
        *sent += counter(&nodes[i], "transport", "sent");
        *leaves += counter(&nodes[i], "exchange_log", "leaves");
    }
}

/* Publish ${count}[i] entries at each running node i, and service them
 * until every one holds every one's feed whole and witnessing settled. */
static void
publish_and_settle(const size_t count[NNODES])
{
    struct expect want[NNODES * NNODES + 1];
    size_t i, j, n = 0;

    for (i = 0; i < NNODES; i++)
        publish(&nodes[i], count[i], NULL);
    for (i = 0; i < NNODES; i++)
        for (j = 0; j < NNODES; j++)
            if (i != j)
                want[n++] = (struct expect){&nodes[i], nodes[j].k,
                    feed_size(&nodes[j], nodes[j].k)};
    want[n] = (struct expect){NULL, NULL, 0};
    ck_assert_msg(pump_until(all_held, want), "the feeds did not converge");
    if (!pump_until(witnessed_all, NULL)) {
        for (i = 0; i < NNODES; i++) {
            json_t *st;
            char *js;

            if (nodes[i].fed == NULL)
                continue;
            st = status_of(&nodes[i]);
            js = json_dumps(st, JSON_COMPACT);
            fprintf(stderr, "%s: %s\n", nodes[i].name, js);
            free(js);
            json_decref(st);
        }
        ck_abort_msg("witnessing never settled");
    }
}

/* Start the three nodes with ${k} witnesses per log, publish at each,
 * and service them until they have converged and witnessed. */
static void
federate_and_settle(unsigned int k)
{
    static const size_t count[NNODES] = {3, 2, 4};

    federate(NNODES);
    witness_fast(NNODES, k);
    settle();
    publish_and_settle(count);
}

START_TEST(test_idle_federation_sends_nothing_and_logs_nothing)
{
    json_int_t sent0, leaves0, sent1, leaves1;
    int i;

    federate_and_settle(3);
    totals(&sent0, &leaves0);
    for (i = 0; i < QUIET_ROUNDS; i++)
        pump_once(1);
    totals(&sent1, &leaves1);
    /* The probe is a member nobody reaches: tried with a backoff, never
     * sent to; and nothing else is due for minutes. */
    ck_assert_int_eq(sent1, sent0);
    ck_assert_int_eq(leaves1, leaves0);
    ck_assert_int_gt(leaves0, 0); /* the ENTRIES that converged are there */
    for (i = 0; i < NNODES; i++) {
        ck_assert_int_eq(counter(&nodes[i], "refused", "inconsistent"), 0);
        ck_assert_int_eq(counter(&nodes[i], "refused", "malformed"), 0);
    }
}
END_TEST

/* Whether bravo and charlie hold alpha's feed at the size ${ctx} says. */
static int
both_hold_alpha(void *ctx)
{
    const uint64_t *size = ctx;

    return feed_size(&nodes[BRAVO], nodes[ALPHA].k) >= *size &&
        feed_size(&nodes[CHARLIE], nodes[ALPHA].k) >= *size;
}

START_TEST(test_append_is_announced_at_once_and_reaches_the_others)
{
    uint64_t size;
    json_int_t heads0, leaves0, bleaves0;
    uint8_t handles[2][16];

    federate_and_settle(3);
    heads0 = messages(&nodes[ALPHA], "heads", "sent");
    leaves0 = counter(&nodes[ALPHA], "exchange_log", "leaves");
    bleaves0 = counter(&nodes[BRAVO], "exchange_log", "leaves");
    size = feed_size(&nodes[ALPHA], nodes[ALPHA].k) + 2;
    publish(&nodes[ALPHA], 2, handles);
    /* No periodic work at all: the announcement is the append's. */
    ck_assert_msg(pump_until_ticking(both_hold_alpha, &size, 0),
        "the append was not announced");
    ck_assert(holds_entry(&nodes[BRAVO], nodes[ALPHA].k, handles[1], size - 1));
    ck_assert(
        holds_entry(&nodes[CHARLIE], nodes[ALPHA].k, handles[1], size - 1));
    /* Announced by HEADS (chatter: counted, not logged); the entries went
     * as ENTRIES, logged at both ends. */
    ck_assert_int_gt(messages(&nodes[ALPHA], "heads", "sent"), heads0);
    ck_assert_int_gt(counter(&nodes[ALPHA], "exchange_log", "leaves"), leaves0);
    ck_assert_int_gt(
        counter(&nodes[BRAVO], "exchange_log", "leaves"), bleaves0);
}
END_TEST

/* The witness ring of the document federate() installed (the caller
 * destroys it). */
static struct seen_ring *
installed_ring(void)
{
    struct seen_membership *m;
    struct seen_ring *r;

    ck_assert_int_eq(
        seen_membership_open(doc, doclen, auth->sign_pk, &m), SEEN_OK);
    ck_assert_int_eq(seen_ring_new(m, &r), SEEN_OK);
    seen_membership_destroy(&m);
    return r;
}

START_TEST(test_witnesses_are_the_ring_s_and_no_one_else_asks_for_proofs)
{
    static const size_t more[NNODES] = {2, 1, 3};
    uint8_t w[SEEN_RING_MAX][32];
    struct seen_ring *r;
    json_t *st, *p;
    size_t i, j, nw, witnessed = 0;

    /* One witness per log: four members on the ring (the probe too). */
    federate_and_settle(1);
    /* Logs grow again: the witnesses, holding a checkpoint, now need a
     * consistency proof (GET_XPROOF) of the next. */
    publish_and_settle(more);

    r = installed_ring();
    ck_assert_uint_eq(seen_ring_size(r), NNODES + 1);
    for (i = 0; i < NNODES; i++) {
        nw = seen_ring_witnesses(r, nodes[i].k->sign_pk, 1, w);
        ck_assert_uint_eq(nw, 1);
        st = status_of(&nodes[i]);
        for (j = 0; j < NNODES; j++) {
            int chosen = memcmp(w[0], nodes[j].k->sign_pk, 32) == 0;

            if (j == i)
                continue;
            p = peer_in(st, nodes[j].name);
            ck_assert_int_eq(json_is_true(json_object_get(p, "witness")),
                chosen);
            if (!chosen) {
                /* Nobody else asks for proofs or cosigns. */
                ck_assert_int_eq(jint(p, "proofs_asked"), 0);
                ck_assert_int_eq(jint(p, "cosignatures"), 0);
                continue;
            }
            ck_assert_int_ge(jint(p, "proofs_asked"), 1);
            ck_assert_int_ge(jint(p, "cosignatures"), 1);
            witnessed++;
        }
        json_decref(st);
    }
    /* Of the four on the ring, one node's witness is the probe. */
    ck_assert_uint_eq(witnessed, NNODES - 1);
    seen_ring_destroy(&r);
}
END_TEST

/* ---- a full disk: a tmpfs in a namespace of the child's own ---- */

/* Whether BRAVO has received more HEADS than *${ctx}. */
static int
bravo_heard(void *ctx)
{

    return messages(&nodes[BRAVO], "heads", "received") > *(json_int_t *)ctx;
}

/*
 * In a child, on a 16 MiB tmpfs of its own (tu_on_tmpfs): BRAVO's store
 * there, filled until a write at BRAVO finds no room; ALPHA publishes and
 * its HEADS reach BRAVO, which cannot keep the entries; then the disk has
 * room again, and ALPHA has nothing new to say.  Exits 0 once BRAVO holds
 * ALPHA's feed, another code when a step fails.
 */
static void
full_disk_child(const char *dir)
{
    static uint8_t v[1 << 16];
    char ballast[1200], key[32];
    struct seen_txn *t;
    json_int_t heads;
    int i, rc = 0;

    if (snprintf(nodes[BRAVO].dir, sizeof nodes[BRAVO].dir, "%.1100s/bravo",
            dir) < 0)
        _exit(1);
    snprintf(ballast, sizeof ballast, "%.1100s/ballast", dir);
    federate(2);
    settle();
    tu_fill_disk(ballast);
    memset(v, 0x5a, sizeof v);
    for (i = 0; i < 256 && rc == 0; i++) {
        t = tu_begin(nodes[BRAVO].store, 1);
        snprintf(key, sizeof key, "filler%d", i);
        if ((rc = seen_store_put(t, SEEN_DB_RECORDS, key, strlen(key), v,
                 sizeof v)) != 0)
            seen_store_abort(t);
        else
            rc = seen_store_commit(t);
    }
    if (rc != SEEN_EFULL || !seen_space_full(nodes[BRAVO].store))
        _exit(2); /* the disk never filled */
    heads = messages(&nodes[BRAVO], "heads", "received");
    publish(&nodes[ALPHA], 3, NULL);
    if (!pump_until(bravo_heard, &heads))
        _exit(3);
    pump_once(1);
    if (feed_size(&nodes[BRAVO], nodes[ALPHA].k) != 0)
        _exit(4); /* it kept what it had no room for? */
    if (unlink(ballast) != 0)
        _exit(5);
    /* No HEADS comes again before heads_every (300 s): what it could not
     * ask then, it asks now that there is room. */
    wait_held(&nodes[BRAVO], nodes[ALPHA].k, 3);
    _exit(0);
}

/* A member whose disk was full when a peer announced new entries asks
 * for them once the disk has room again, not at the next HEADS (which a
 * chaos run waited 240 s for in vain). */
START_TEST(test_a_full_disk_asks_again_once_there_is_room)
{
    char dir[1200];
    int rc;

    snprintf(dir, sizeof dir, "%.1100s/disk", base);
    rc = tu_on_tmpfs(dir, 16, full_disk_child,
        "check_replication's full-disk test");
    if (rc != TU_SKIPPED)
        ck_assert_int_eq(rc, 0);
}
END_TEST

Suite *
replication_suite(void)
{
    Suite *s = suite_create("replication");
    TCase *tc = tcase_create("replication");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_members_converge_on_each_others_feeds);
    tcase_add_test(
        tc, test_relay_carries_a_feed_between_members_that_do_not_talk);
    tcase_add_test(tc, test_restarted_member_catches_up_from_its_store);
    tcase_add_test(
        tc, test_a_member_stopped_in_the_middle_of_a_catch_up_resumes_it);
    tcase_add_test(
        tc, test_an_entry_arriving_past_its_expiry_is_kept_in_the_feed_only);
    tcase_add_test(
        tc, test_catch_up_is_answered_in_many_entries_and_not_cut_to_a_share);
    tcase_add_test(
        tc, test_a_round_stopped_between_messages_goes_on_in_order);
    tcase_add_test(
        tc, test_a_peer_told_every_feed_is_then_told_only_what_changed);
    tcase_add_test(tc, test_envelope_from_non_member_is_refused_and_counted);
    tcase_add_test(tc, test_replayed_envelope_is_refused_also_after_a_restart);
    tcase_add_test(
        tc, test_leaves_their_checkpoint_does_not_hold_are_the_sender_s_fault);
    tcase_add_test(tc, test_idle_federation_sends_nothing_and_logs_nothing);
    tcase_add_test(
        tc, test_append_is_announced_at_once_and_reaches_the_others);
    tcase_add_test(
        tc, test_witnesses_are_the_ring_s_and_no_one_else_asks_for_proofs);
    tcase_add_test(tc, test_a_full_disk_asks_again_once_there_is_room);
    suite_add_tcase(s, tc);
    return s;
}

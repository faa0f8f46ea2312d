/*
 * check_replication_attack.c: replication against a hostile member (issue
 * 11, cases 3 and 4), with the fixture of check_replication.c
 * (replication_fixture.h): real seen_fed objects over real LMDB stores and
 * ZeroMQ CURVE on loopback, the probe writing its envelopes by hand.
 *
 * Leaves that do not hash to a checkpoint their origin signed are the
 * sender's fault: a member that sends forged leaves with an innocent
 * origin's genuine checkpoint makes no alert, is counted, and the origin's
 * real entries arrive from it.  Two checkpoints that the origin signed
 * and that cannot both hold are evidence.  HEADS of more heads than
 * members, or an origin twice, are refused whole; a flood of GET_RANGE is
 * answered only within the requester's budget of replies, each bounded
 * in bytes; and what one peer adds to the replay cache is bounded.  An
 * ENTRIES whose checkpoint is of another origin, and a forged membership
 * document, are counted under their own names.  The same HEADS is
 * answered once a connection; an answer the transport did not take is
 * served again, a bounded number of times.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/replication/fed_impl.h"
#include "node/replication/federation.h"
#include "proto/checkpoint.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "tests/replication_fixture.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/witness.h"
#include "seen.pb-c.h"

#define FRAME_LEAVES 4
#define FLOOD_LEAVES 2000 /* about 440 KB of alpha's feed */
#define FLOOD_REQUESTS 300
#define ENTRIES_MAX_BYTES (256u << 10) /* fed_impl.h FED_ENTRIES_BYTES */
#define REPLAY_PEER_MAX 16384 /* fed_impl.h FED_REPLAY_PEER_MAX */
#define HELLO_BATCH 500       /* sent before alpha is serviced */

/* Append ${count} leaves to ${n}'s own feed and store a checkpoint of it
 * signed with ${n}'s key, behind its seen_fed's back (nothing announced):
 * the genuine checkpoint a member could capture from its HEADS. */
static void
append_signed(struct tnode *n, size_t count)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t root[32], buf[SEEN_CHECKPOINT_BUF], *enc;
    struct seen_txn *txn;
    uint32_t oidx;
    uint64_t size;
    size_t elen;

    ck_assert_int_eq(seen_store_begin(n->store, 1, &txn), SEEN_OK);
    size = append_leaves(txn, n, count, NULL, &oidx);
    ck_assert_int_eq(seen_feed_root(txn, oidx, size, root), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         n->k, size, root, seen_clock_wall()),
        SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_encode(&cp, &enc, &elen), SEEN_OK);
    ck_assert_int_eq(seen_feed_set_checkpoint(txn, oidx, enc, elen), SEEN_OK);
    free(enc);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
}

/* The checkpoint ${n} holds of ${origin}'s feed (the caller destroys it). */
static Seen__Checkpoint *
held_checkpoint(struct tnode *n, const struct seen_keys *origin)
{
    Seen__Checkpoint *cp;
    struct seen_txn *txn;
    const uint8_t *b;
    uint32_t oidx;
    size_t l;

    ck_assert_int_eq(seen_store_begin(n->store, 0, &txn), SEEN_OK);
    ck_assert_int_eq(
        seen_store_origin(txn, origin->sign_pk, 0, &oidx), SEEN_OK);
    ck_assert_int_eq(seen_feed_checkpoint(txn, oidx, &b, &l), SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_decode(b, l, &cp), SEEN_OK);
    seen_store_abort(txn);
    return cp;
}

/* The probe's one DEALER to alpha, kept open for the whole test: a
 * socket closed (with no linger) as soon as alpha's count of a type rose
 * could drop the probe's own message unsent when the rise was another
 * node's (a HEADS from bravo), and the test then waited in vain. */
static void *probe_d;

/* Whether alpha has opened the envelopes of the probe that the
 * json_int_t ${ctx} says. */
static int
probe_received(void *ctx)
{
    json_t *p = peer_status(&nodes[ALPHA], "probe");
    json_int_t n = json_integer_value(json_object_get(p, "received"));

    json_decref(p);
    return n >= *(const json_int_t *)ctx;
}

/* Send alpha, as the probe, the message ${msg} of ${type} (named ${name}
 * in the status), and service it until it has opened it: the probe's
 * count, not the type's (another node's of that type may come first).
 * Without the nodes' periodic work meanwhile: a liveness HEADS of bravo
 * could otherwise bring alpha, while the probe's connection is still
 * being made, the genuine leaves that the probe's message is about. */
static void
probe_sends(int type, const char *name, const ProtobufCMessage *msg)
{
    json_t *p = peer_status(&nodes[ALPHA], "probe");
    json_int_t min = json_integer_value(json_object_get(p, "received")) + 1;
    uint8_t *env;
    size_t len;

    json_decref(p);
    seal(probe, &nodes[ALPHA], type, msg, &env, &len);
    if (probe_d == NULL)
        probe_d = raw_dealer(probe, &nodes[ALPHA]);
    raw_send(probe_d, env, len);
    free(env);
    ck_assert_msg(pump_until_ticking(probe_received, &min, 0),
        "alpha never opened the probe's %s", name);
}

/* The fixture's teardown, the probe's socket closed first. */
static void
attack_teardown(void)
{

    if (probe_d != NULL)
        zmq_close(probe_d);
    probe_d = NULL;
    teardown();
}

/* A seen_alerts_evidence_fn that counts in the int ${ctx} the evidence
 * against bravo. */
static int
bravo_evidence(void *ctx, const uint8_t origin[32], uint64_t size,
    const uint8_t *cp, size_t len)
{
    int *found = ctx;

    (void)size;
    (void)cp;
    (void)len;
    if (memcmp(origin, nodes[BRAVO].k->sign_pk, 32) == 0)
        (*found)++;
    return 0;
}

/* How many pieces of evidence against bravo ${n} keeps. */
static int
evidence_against_bravo(struct tnode *n)
{
    struct seen_txn *txn;
    int found = 0;

    ck_assert_int_eq(seen_store_begin(n->store, 0, &txn), SEEN_OK);
    ck_assert_int_eq(
        seen_alerts_each_evidence(txn, bravo_evidence, &found), SEEN_OK);
    seen_store_abort(txn);
    return found;
}

/* Alpha (talking to bravo and the probe) and bravo, started and settled. */
static void
alpha_bravo_probe(void)
{

    talks_to(&nodes[ALPHA], "bravo,probe");
    talks_to(&nodes[BRAVO], "alpha");
    federate(2);
    settle();
}

START_TEST(test_forged_leaves_under_an_innocent_origin_s_checkpoint)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint *cp;
    ProtobufCBinaryData lv[FRAME_LEAVES];
    uint8_t leaf[FRAME_LEAVES][512], handle[16];
    json_t *p;
    size_t i;

    alpha_bravo_probe();
    /* Bravo's genuine new checkpoint, before bravo announces it. */
    append_signed(&nodes[BRAVO], FRAME_LEAVES);
    cp = held_checkpoint(&nodes[BRAVO], nodes[BRAVO].k);
    /* Leaves of bravo's feed that bravo never signed, with it. */
    for (i = 0; i < FRAME_LEAVES; i++)
        lv[i] = (ProtobufCBinaryData){
            leaf_encode(nodes[BRAVO].k, i, handle, leaf[i], sizeof leaf[i]),
            leaf[i]};
    e.origin = (ProtobufCBinaryData){32, nodes[BRAVO].k->sign_pk};
    e.from = 0;
    e.n_leaves = FRAME_LEAVES;
    e.leaves = lv;
    e.checkpoint = cp;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    seen_checkpoint_destroy(&cp);

    /* Refused and counted against the probe: nothing against bravo. */
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_leaves"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "inconsistent"), 0);
    ck_assert_int_eq(evidence_against_bravo(&nodes[ALPHA]), 0);
    p = peer_status(&nodes[ALPHA], "probe");
    ck_assert_int_eq(json_integer_value(json_object_get(p, "bad_leaves")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(p, "refused")), 1);
    json_decref(p);
    /* ...and bravo's real entries arrive from bravo, asked at once. */
    wait_held(&nodes[ALPHA], nodes[BRAVO].k, FRAME_LEAVES);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_leaves"), 1);
    ck_assert_int_eq(evidence_against_bravo(&nodes[ALPHA]), 0);
}
END_TEST

/* Whether alpha holds bravo's checkpoint of FRAME_LEAVES leaves. */
static int
alpha_holds_bravo_cp(void *ctx)
{
    Seen__Checkpoint *cp = held_checkpoint(&nodes[ALPHA], nodes[BRAVO].k);
    int ok = cp->size == FRAME_LEAVES;

    (void)ctx;
    seen_checkpoint_destroy(&cp);
    return ok;
}

/* The ranges alpha asked, less those asked again because the transport
 * did not take them (the probe's endpoint listens nowhere: each is). */
static json_int_t
asked_first(void)
{

    return counter(&nodes[ALPHA], "ranges", "asked") -
        counter(&nodes[ALPHA], "ranges", "resent");
}

/* The probe signs ${cp} (in ${cpbuf}), a checkpoint of FRAME_LEAVES
 * leaves of its feed over ${root}, and shows it to alpha in a HEADS:
 * alpha asks the probe for the range (no one else holds it). */
static void
probe_shows_its_feed(Seen__Checkpoint *cp,
    uint8_t cpbuf[static SEEN_CHECKPOINT_BUF], const uint8_t root[32])
{
    Seen__Heads hs = SEEN__HEADS__INIT;
    Seen__FeedHead h = SEEN__FEED_HEAD__INIT, *hp = &h;
    json_int_t asked = asked_first();

    ck_assert_int_eq(seen_checkpoint_sign(cp, cpbuf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         probe, FRAME_LEAVES, root, seen_clock_wall()),
        SEEN_OK);
    h.origin = (ProtobufCBinaryData){32, probe->sign_pk};
    h.size = FRAME_LEAVES;
    h.checkpoint = cp;
    hs.n_heads = 1;
    hs.heads = &hp;
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    ck_assert_int_eq(asked_first(), asked + 1);
}

/* A batch out of order, from the peer a range was asked of, means one
 * before it was lost (not sent beyond the peer's budget, or dropped
 * beyond its share): the range from what is held is asked again at once,
 * not after a timeout, and once for that gap. */
START_TEST(test_a_batch_out_of_order_has_the_range_asked_again_at_once)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData lv;
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], root[32], leaf[512], handle[16];
    json_int_t asked;

    /* The probe shows alpha a checkpoint of its feed: alpha asks the
     * probe for the range (no one else holds it). */
    alpha_with_probe();
    randombytes_buf(root, sizeof root);
    probe_shows_its_feed(&cp, cpbuf, root);
    asked = asked_first() - 1;
    /* The second batch, without the first. */
    lv = (ProtobufCBinaryData){
        leaf_encode(probe, 1, handle, leaf, sizeof leaf), leaf};
    e.origin = (ProtobufCBinaryData){32, probe->sign_pk};
    e.from = 1;
    e.n_leaves = 1;
    e.leaves = &lv;
    e.checkpoint = &cp;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    ck_assert_int_eq(asked_first(), asked + 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "gaps"), 1);
    /* Another batch beyond the same gap asks nothing more. */
    e.from = 2;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    ck_assert_int_eq(asked_first(), asked + 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "gaps"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "timed_out"), 0);
    ck_assert_uint_eq(feed_size(&nodes[ALPHA], probe), 0);
    /* The probe listens nowhere: no request to it was delivered, and each
     * is asked again a second later (the wait doubling), before any
     * timeout; not counted as a try. */
    pump_counted(&nodes[ALPHA], "ranges", "resent", 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "timed_out"), 0);
}
END_TEST

/* An older node answers a range with one ENTRIES, without `more`: the
 * rest is asked for at once, not after a timeout; a batch that ends the
 * range asks nothing more. */
START_TEST(test_an_answer_that_ends_before_the_range_is_asked_on_at_once)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData lv[FRAME_LEAVES], pr[SEEN_MERKLE_PROOF_MAX];
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], root[32], leaf[FRAME_LEAVES][512];
    uint8_t handle[16], hash[FRAME_LEAVES][32];
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    struct seen_merkle_leaves ml = {(const uint8_t(*)[32])hash, FRAME_LEAVES};
    json_int_t asked;
    size_t i, plen;

    /* The probe's feed of FRAME_LEAVES leaves, and its checkpoint. */
    alpha_with_probe();
    for (i = 0; i < FRAME_LEAVES; i++) {
        lv[i] = (ProtobufCBinaryData){
            leaf_encode(probe, i, handle, leaf[i], sizeof leaf[i]), leaf[i]};
        seen_merkle_leaf_hash(hash[i], lv[i].data, lv[i].len);
    }
    ck_assert_int_eq(seen_merkle_root_of(seen_merkle_subtree_from_leaves, &ml,
                         FRAME_LEAVES, root),
        SEEN_OK);
    probe_shows_its_feed(&cp, cpbuf, root);
    asked = asked_first() - 1;
    /* One leaf, with the proof from 1 to the checkpoint, and no more. */
    ck_assert_int_eq(seen_merkle_consistency_proof(
                         seen_merkle_subtree_from_leaves, &ml, 1, FRAME_LEAVES,
                         proof, &plen),
        SEEN_OK);
    for (i = 0; i < plen; i++)
        pr[i] = (ProtobufCBinaryData){32, proof[i]};
    e.origin = (ProtobufCBinaryData){32, probe->sign_pk};
    e.from = 0;
    e.n_leaves = 1;
    e.leaves = lv;
    e.checkpoint = &cp;
    e.n_consistency = plen;
    e.consistency = pr;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    ck_assert_uint_eq(feed_size(&nodes[ALPHA], probe), 1);
    ck_assert_int_eq(asked_first(), asked + 2);
    /* The rest ends the feed: nothing more to ask. */
    e.from = 1;
    e.n_leaves = FRAME_LEAVES - 1;
    e.leaves = lv + 1;
    e.n_consistency = 0;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    ck_assert_uint_eq(feed_size(&nodes[ALPHA], probe), FRAME_LEAVES);
    ck_assert_int_eq(asked_first(), asked + 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "gaps"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "ranges", "timed_out"), 0);
}
END_TEST

START_TEST(test_two_checkpoints_the_origin_signed_that_disagree_are_evidence)
{
    Seen__Heads hs = SEEN__HEADS__INIT;
    Seen__FeedHead h = SEEN__FEED_HEAD__INIT, *hp = &h;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];

    alpha_bravo_probe();
    publish(&nodes[BRAVO], FRAME_LEAVES, NULL);
    wait_held(&nodes[ALPHA], nodes[BRAVO].k, FRAME_LEAVES);
    /* Evidence needs two checkpoints of one size (protocol.md): the one
     * alpha keeps may come after the leaves. */
    ck_assert_msg(pump_until(alpha_holds_bravo_cp, NULL),
        "alpha never held bravo's checkpoint of its leaves");
    /* Bravo signed a second checkpoint of the size alpha holds, over
     * another root: whoever shows it, bravo signed both. */
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         nodes[BRAVO].k, FRAME_LEAVES, root, seen_clock_wall()),
        SEEN_OK);
    h.origin = (ProtobufCBinaryData){32, nodes[BRAVO].k->sign_pk};
    h.size = FRAME_LEAVES;
    h.checkpoint = &cp;
    hs.n_heads = 1;
    hs.heads = &hp;
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    pump_counted(&nodes[ALPHA], "refused", "inconsistent", 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "inconsistent"), 1);
    ck_assert_int_eq(evidence_against_bravo(&nodes[ALPHA]), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_leaves"), 0);
}
END_TEST

START_TEST(test_heads_beyond_the_members_or_an_origin_twice_are_refused)
{
    Seen__Heads hs = SEEN__HEADS__INIT;
    Seen__FeedHead h[NNODES + 3], *hp[NNODES + 3];
    uint8_t origins[NNODES + 3][32];
    size_t i;

    talks_to(&nodes[ALPHA], "probe");
    federate(1);
    /* Four members (three nodes and the probe): five heads. */
    for (i = 0; i < NNODES + 2; i++) {
        seen__feed_head__init(&h[i]);
        randombytes_buf(origins[i], 32);
        h[i].origin = (ProtobufCBinaryData){32, origins[i]};
        h[i].size = 1;
        hp[i] = &h[i];
    }
    hs.n_heads = NNODES + 2;
    hs.heads = hp;
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    pump_counted(&nodes[ALPHA], "refused", "bad_heads", 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_heads"), 1);
    /* Two heads, of one origin. */
    hs.n_heads = 2;
    h[1].origin = h[0].origin;
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    pump_counted(&nodes[ALPHA], "refused", "bad_heads", 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_heads"), 2);
    ck_assert_int_eq(peer_refused(&nodes[ALPHA], "probe"), 2);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "malformed"), 0);
}
END_TEST

START_TEST(test_range_flood_is_answered_within_the_reply_budget)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    uint8_t *env;
    size_t len, i;
    json_t *p;
    void *d;

    talks_to(&nodes[ALPHA], "probe");
    federate(1);
    /* The replies' budget is tested, not the transport's share before it. */
    seen_fed_set_share_time(nodes[ALPHA].fed, 1000000, 1000.0);
    publish(&nodes[ALPHA], FLOOD_LEAVES, NULL);
    /* Each asks for every leaf from a point: ENTRIES of at most
     * ENTRIES_MAX_BYTES each, far more than a peer may be owed. */
    d = raw_dealer(probe, &nodes[ALPHA]);
    g.origin = (ProtobufCBinaryData){32, nodes[ALPHA].k->sign_pk};
    g.to = FLOOD_LEAVES;
    for (i = 0; i < FLOOD_REQUESTS; i++) {
        g.from = i;
        seal(probe, &nodes[ALPHA], SEEN__MSG_TYPE__GET_RANGE,
            (const ProtobufCMessage *)&g, &env, &len);
        raw_send(d, env, len);
        free(env);
    }
    pump_received(&nodes[ALPHA], FLOOD_REQUESTS);
    zmq_close(d);
    /* Dropped beyond the budget, counted, against the probe. */
    ck_assert_int_gt(counter(&nodes[ALPHA], "refused", "over_budget"), 0);
    p = peer_status(&nodes[ALPHA], "probe");
    ck_assert_int_gt(json_integer_value(json_object_get(p, "over_budget")), 0);
    json_decref(p);
    /* Every ENTRIES served was logged as sent: far fewer than asked. */
    ck_assert_int_lt(
        counter(&nodes[ALPHA], "exchange_log", "envelopes_logged_sent"),
        FLOOD_REQUESTS / 2);
}
END_TEST

START_TEST(test_entries_with_a_checkpoint_of_another_origin_are_counted)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData lv[1];
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], leaf[512], handle[16];

    alpha_bravo_probe();
    /* A leaf of bravo's feed, with a checkpoint the probe signed of its
     * own feed. */
    lv[0] = (ProtobufCBinaryData){
        leaf_encode(nodes[BRAVO].k, 0, handle, leaf, sizeof leaf), leaf};
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         probe, 1, root, seen_clock_wall()),
        SEEN_OK);
    e.origin = (ProtobufCBinaryData){32, nodes[BRAVO].k->sign_pk};
    e.n_leaves = 1;
    e.leaves = lv;
    e.checkpoint = &cp;
    probe_sends(SEEN__MSG_TYPE__ENTRIES, "entries",
        (const ProtobufCMessage *)&e);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "wrong_origin"), 1);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "malformed"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "inconsistent"), 0);
    ck_assert_uint_eq(feed_size(&nodes[ALPHA], nodes[BRAVO].k), 0);
}
END_TEST

/* Fill ${st} (its limit: the map it opened with) with filler records,
 * large then small, until even a small write is refused as SEEN_EFULL. */
static void
fill_store(struct seen_store *st)
{
    static const size_t sizes[] = {4000, 400, 40};
    uint8_t v[4000];
    struct seen_txn *t;
    char key[32];
    int next = 0, rc, tries;
    size_t k;

    memset(v, 0x5a, sizeof v);
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (tries = 0, rc = 0; tries < 100000 && rc == 0; tries++) {
            t = tu_begin(st, 1);
            snprintf(key, sizeof key, "filler%08d", next++);
            rc = seen_store_put(
                t, SEEN_DB_RECORDS, key, strlen(key), v, sizes[k]);
            if (rc != 0)
                seen_store_abort(t); /* the put refused */
            else
                rc = seen_store_commit(t); /* ends t either way */
        }
        ck_assert_int_eq(rc, SEEN_EFULL);
    }
}

/* A store full of content refuses what a peer sends that it would have
 * to keep -- here a member's own new feed entry, with its checkpoint --
 * and counts it as store_full: nothing malformed, no evidence. */
START_TEST(test_a_full_store_counts_what_it_cannot_keep)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData lv[1];
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], leaf[512], handle[16];
    uint8_t *env;
    size_t len;
    void *d;

    alpha_with_probe();
    fill_store(nodes[ALPHA].store);
    lv[0] = (ProtobufCBinaryData){
        leaf_encode(probe, 0, handle, leaf, sizeof leaf), leaf};
    seen_merkle_leaf_hash(root, lv[0].data, lv[0].len);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
                         probe, 1, root, seen_clock_wall()),
        SEEN_OK);
    e.origin = (ProtobufCBinaryData){32, probe->sign_pk};
    e.n_leaves = 1;
    e.leaves = lv;
    e.checkpoint = &cp;
    seal(probe, &nodes[ALPHA], SEEN__MSG_TYPE__ENTRIES,
        (const ProtobufCMessage *)&e, &env, &len);
    d = raw_dealer(probe, &nodes[ALPHA]);
    raw_send(d, env, len);
    free(env);
    pump_counted(&nodes[ALPHA], "refused", "store_full", 1);
    zmq_close(d);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "malformed"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "inconsistent"), 0);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_leaves"), 0);
}
END_TEST

START_TEST(test_a_forged_membership_document_is_counted)
{
    Seen__Member m[2];
    const Seen__Member *mp[2] = {&m[0], &m[1]};
    Seen__Membership *dm;
    uint8_t mk[32], *forged;
    size_t flen;

    alpha_with_probe();
    /* A newer document naming the probe alone, signed by a stranger
     * instead of the authority. */
    tu_member(&m[0], "probe", probe, PROBE_ENDPOINT);
    tu_member(&m[1], "alpha", nodes[ALPHA].k, nodes[ALPHA].listen);
    randombytes_buf(mk, sizeof mk);
    ck_assert_int_eq(seen_membership_build("Replication test", DOC_VERSION + 1,
                         seen_clock_wall(), mp, 2, 1, mk, stranger, &forged,
                         &flen),
        SEEN_OK);
    ck_assert_ptr_nonnull(dm = seen__membership__unpack(NULL, flen, forged));
    probe_sends(SEEN__MSG_TYPE__MEMBERSHIP, "membership",
        (const ProtobufCMessage *)dm);
    seen__membership__free_unpacked(dm, NULL);
    free(forged);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "bad_membership"), 1);
    ck_assert_int_eq(
        counter(&nodes[ALPHA], "membership_version", NULL), DOC_VERSION);
}
END_TEST

START_TEST(test_a_peer_adds_a_bounded_share_to_the_replay_cache)
{
    uint8_t *env;
    size_t len, i, n = REPLAY_PEER_MAX + 20;
    void *d;

    alpha_with_probe();
    /* Far above the transport's fair share: what is tested here is the
     * replay cache's own bound, behind it. */
    seen_fed_set_share_time(nodes[ALPHA].fed, 1000000, 1000.0);
    d = raw_dealer(probe, &nodes[ALPHA]);
    /* The first prune, due at start, done: the share counts from there,
     * for FED_PRUNE_EVERY (far beyond this test). */
    pump_once(1);
    for (i = 0; i < n; i++) {
        seal_hello(probe, &nodes[ALPHA], &env, &len);
        raw_send(d, env, len);
        free(env);
        if ((i + 1) % HELLO_BATCH == 0 || i + 1 == n)
            pump_received(&nodes[ALPHA], (json_int_t)(i + 1));
    }
    zmq_close(d);
    /* The share taken, the rest refused and counted against the probe. */
    ck_assert_int_eq(
        counter(&nodes[ALPHA], "refused", "replay_cache_full"), 20);
    ck_assert_int_eq(peer_refused(&nodes[ALPHA], "probe"), 20);
    ck_assert_int_eq(counter(&nodes[ALPHA], "refused", "replayed"), 0);
}
END_TEST

#define CATCHUP_HELD 5 /* leaves of bravo's feed alpha holds mid-catch-up */
#define CATCHUP_CP 8   /* ...and the size of bravo's checkpoint it holds */

/* Store in alpha, behind its back, bravo's leaves [${from}, ${to}) of the
 * ${leaf} (${len}), and with ${cp} bravo's checkpoint of CATCHUP_CP. */
static void
alpha_holds_bravo(uint8_t (*leaf)[512], const size_t *len, uint64_t from,
    uint64_t to, const Seen__Checkpoint *cp)
{
    struct seen_txn *txn;
    uint8_t *enc;
    size_t elen;
    uint32_t oidx;
    uint64_t i;

    ck_assert_int_eq(seen_store_begin(nodes[ALPHA].store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(
        seen_store_origin(txn, nodes[BRAVO].k->sign_pk, 1, &oidx), SEEN_OK);
    for (i = from; i < to; i++)
        ck_assert_int_eq(
            seen_feed_append(txn, oidx, leaf[i], len[i], NULL), SEEN_OK);
    if (cp != NULL) {
        ck_assert_int_eq(seen_checkpoint_encode(cp, &enc, &elen), SEEN_OK);
        ck_assert_int_eq(
            seen_feed_set_checkpoint(txn, oidx, enc, elen), SEEN_OK);
        free(enc);
    }
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
}

/* Hand alpha the probe's GET_RANGE of all of bravo's feed; return how
 * many ENTRIES it queued (found by tests/fuzz/fuzz_replication.c). */
static size_t
alpha_serves_bravo(void)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    struct seen_fed *fed = nodes[ALPHA].fed;
    struct seen_txn *txn;
    uint8_t body[128];
    size_t blen, i, n = 0;

    g.origin = (ProtobufCBinaryData){32, nodes[BRAVO].k->sign_pk};
    g.to = CATCHUP_CP;
    blen = seen__get_range__pack(&g, body);
    fed_outq_clear(fed);
    ck_assert_int_eq(seen_store_begin(nodes[ALPHA].store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(
        fed_on_get_range(fed, txn, probe->sign_pk, body, blen), SEEN_OK);
    seen_store_abort(txn);
    for (i = 0; i < fed->nout; i++)
        n += fed->outq[i].type == SEEN__MSG_TYPE__ENTRIES;
    fed_outq_clear(fed);
    return n;
}

/* How many heads of bravo's feed alpha's HEADS to its peers name. */
static size_t
alpha_announces_bravo(void)
{
    struct seen_fed *fed = nodes[ALPHA].fed;
    Seen__Heads *hs;
    size_t i, j, n = 0, heads = 0;

    fed_outq_clear(fed);
    fed_send_heads(fed, 1);
    for (i = 0; i < fed->nout; i++) {
        if (fed->outq[i].type != SEEN__MSG_TYPE__HEADS)
            continue;
        heads++;
        ck_assert_ptr_nonnull(hs = seen__heads__unpack(
                                  NULL, fed->outq[i].blen, fed->outq[i].body));
        for (j = 0; j < hs->n_heads; j++)
            n += hs->heads[j]->origin.len == 32 &&
                 memcmp(hs->heads[j]->origin.data, nodes[BRAVO].k->sign_pk,
                     32) == 0;
        seen__heads__free_unpacked(hs, NULL);
    }
    ck_assert_uint_gt(heads, 0);
    fed_outq_clear(fed);
    return n;
}

/* A node that keeps an origin's checkpoint with the first batch of a
 * catch-up holds leaves it cannot prove to it (the hashes of the proof
 * are of leaves it does not hold yet): asked for them, it answered with
 * an error of the store (SEEN_ECORRUPT), so the request was refused as
 * if the peer had done wrong.  It answers nothing until it holds what the
 * checkpoint covers, and then serves it; it announces the feed in its
 * HEADS only then. */
START_TEST(test_a_feed_caught_up_in_part_is_served_once_whole)
{
    Seen__Checkpoint cp;
    uint8_t leaf[CATCHUP_CP][512], handle[16], hash[CATCHUP_CP][32];
    uint8_t root[32], buf[SEEN_CHECKPOINT_BUF];
    struct seen_merkle_leaves ml = {(const uint8_t(*)[32])hash, CATCHUP_CP};
    size_t len[CATCHUP_CP], i;

    talks_to(&nodes[ALPHA], "probe");
    federate(1);
    for (i = 0; i < CATCHUP_CP; i++) {
        len[i] = leaf_encode(nodes[BRAVO].k, i, handle, leaf[i], 512);
        seen_merkle_leaf_hash(hash[i], leaf[i], len[i]);
    }
    ck_assert_int_eq(seen_merkle_root_of(seen_merkle_subtree_from_leaves,
                         &ml, CATCHUP_CP, root),
        SEEN_OK);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf,
                         SEEN_DOMAIN_FEED_CHECKPOINT, nodes[BRAVO].k,
                         CATCHUP_CP, root, 0),
        SEEN_OK);
    alpha_holds_bravo(leaf, len, 0, CATCHUP_HELD, &cp);
    ck_assert_uint_eq(alpha_serves_bravo(), 0);
    /* ...nor tells its peers it holds that feed, lest they ask in vain. */
    ck_assert_uint_eq(alpha_announces_bravo(), 0);
    alpha_holds_bravo(leaf, len, CATCHUP_HELD, CATCHUP_CP, NULL);
    ck_assert_uint_eq(alpha_serves_bravo(), 1);
    ck_assert_uint_eq(alpha_announces_bravo(), 1);
}
END_TEST

/* Alpha's answers to a peer's HEADS that shows it lacks alpha's feed:
 * the same HEADS on the same connection is answered once (an answer it
 * cannot use is not sent again and again); on a connection made afresh
 * (the member restarted, and what was sent it may be lost with the old
 * one), again. */
/* Whether alpha has admitted *${ctx} connections in all. */
static int
alpha_admitted(void *ctx)
{

    return counter(&nodes[ALPHA], "transport", "zap_admitted") >=
           *(const json_int_t *)ctx;
}

/* Whether alpha has nothing due for half a second. */
static int
alpha_at_rest(void *ctx)
{

    (void)ctx;
    return seen_fed_next(nodes[ALPHA].fed) > seen_clock_mono() + 0.5;
}

START_TEST(test_the_same_heads_is_answered_again_on_a_new_connection)
{
    Seen__Heads hs = SEEN__HEADS__INIT; /* whole, naming nothing */
    json_int_t admitted;
    double before;

    alpha_with_probe();
    publish(&nodes[ALPHA], 3, NULL);
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    ck_assert_int_eq(counter(&nodes[ALPHA], "heads", "answered"), 1);
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    ck_assert_int_eq(counter(&nodes[ALPHA], "heads", "answered"), 1);
    zmq_close(probe_d);
    /* A new connection: once admitted, alpha looks at what it lacks at
     * once (fed_resume), which seen_fed_next says is due by a time the
     * daemon's clock, read before the call, has reached (a time read in
     * the call would never be, and its loop spun); first, alpha's ticks
     * until nothing else is due for a while. */
    ck_assert(pump_until(alpha_at_rest, NULL));
    admitted = counter(&nodes[ALPHA], "transport", "zap_admitted") + 1;
    probe_d = raw_dealer(probe, &nodes[ALPHA]);
    ck_assert(pump_until_ticking(alpha_admitted, &admitted, 0));
    before = seen_clock_mono();
    ck_assert(seen_fed_next(nodes[ALPHA].fed) <= before);
    probe_sends(SEEN__MSG_TYPE__HEADS, "heads",
        (const ProtobufCMessage *)&hs);
    ck_assert_int_eq(counter(&nodes[ALPHA], "heads", "answered"), 2);
}
END_TEST

/* Whether no range waits to be served again at ${ctx}'s node. */
static int
none_unserved(void *ctx)
{
    struct tnode *n = ctx;

    return fed_unserved_next(n->fed, 1e300) == 1e300;
}

/* An answer to GET_RANGE that the transport does not take (here: alpha
 * cannot connect to the probe at all) is served again, a second later
 * and then at doubling waits, FED_UNSERVED_TRIES times (fed_impl.h), and
 * then left to the asker's own timeout: bounded, and within the asker's
 * budget as any answer. */
#define UNSERVED_TRIES 4
START_TEST(test_an_answer_the_transport_did_not_take_is_served_again_a_few_times)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    json_int_t logged;

    alpha_with_probe();
    publish(&nodes[ALPHA], 10, NULL);
    g.origin = (ProtobufCBinaryData){32, nodes[ALPHA].k->sign_pk};
    g.from = 2;
    g.to = 10;
    probe_sends(SEEN__MSG_TYPE__GET_RANGE, "range",
        (const ProtobufCMessage *)&g);
    ck_assert_int_ge(counter(&nodes[ALPHA], "ranges", "unserved"), 1);
    pump_counted(&nodes[ALPHA], "ranges", "served_again", UNSERVED_TRIES);
    ck_assert_msg(pump_until(none_unserved, &nodes[ALPHA]),
        "alpha kept serving the probe's range again");
    ck_assert_int_eq(
        counter(&nodes[ALPHA], "ranges", "served_again"), UNSERVED_TRIES);
    /* Kept each time but the last, which is left to the asker. */
    ck_assert_int_eq(
        counter(&nodes[ALPHA], "ranges", "unserved"), UNSERVED_TRIES);
    /* Each answer, served again or not, was logged as sent. */
    logged = counter(&nodes[ALPHA], "exchange_log", "envelopes_logged_sent");
    ck_assert_int_ge(logged, UNSERVED_TRIES + 1);
}
END_TEST

/* The GET_XPROOFs queued at alpha for the probe, each's `from` added to
 * *${froms} (sum), emptied after. */
static size_t
xproofs_queued(uint64_t *froms)
{
    struct seen_fed *fed = nodes[ALPHA].fed;
    Seen__GetXProof *g;
    size_t i, n = 0;

    *froms = 0;
    for (i = 0; i < fed->nout; i++) {
        if (fed->outq[i].type != SEEN__MSG_TYPE__GET_XPROOF ||
            memcmp(fed->outq[i].to, probe->sign_pk, 32) != 0)
            continue;
        ck_assert_ptr_nonnull(g = seen__get_xproof__unpack(
                                  NULL, fed->outq[i].blen, fed->outq[i].body));
        *froms += g->from;
        seen__get_xproof__free_unpacked(g, NULL);
        n++;
    }
    fed_outq_clear(fed);
    return n;
}

/* A witness shows a peer that signs nothing (restored from a backup) the
 * checkpoint it holds of its log, at most once every checkpoint_every:
 * shown a smaller one sooner than that, it puts the request off, and
 * makes it when the time comes (it once forgot what it was shown, looked
 * only for a pending checkpoint, and asked nothing: test_xlog_witness
 * waited up to 300 s for the peer's next message). */
START_TEST(test_a_proof_put_off_is_asked_when_its_time_comes)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *cosig = NULL;
    struct seen_fed *fed;
    struct seen_txn *txn;
    struct fed_peer *p;
    size_t cosiglen = 0;
    uint64_t froms;

    alpha_with_probe();
    fed = nodes[ALPHA].fed;
    ck_assert_ptr_nonnull(p = fed_find_peer(fed, probe->sign_pk));
    ck_assert(p->witnessed);
    /* Alpha holds a checkpoint of the probe's log, of 10 leaves. */
    randombytes_buf(root, sizeof root);
    ck_assert_int_eq(seen_checkpoint_sign(&cp, buf,
                         SEEN_DOMAIN_XLOG_CHECKPOINT, probe, 10, root,
                         seen_clock_wall()),
        SEEN_OK);
    ck_assert_int_eq(seen_store_begin(nodes[ALPHA].store, 1, &txn), SEEN_OK);
    ck_assert_int_eq(seen_xlog_witness(txn, nodes[ALPHA].k, &cp, NULL, 0,
                         seen_clock_wall(), &cosig, &cosiglen),
        SEEN_OK);
    free(cosig);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    fed_outq_clear(fed);
    ck_assert_int_eq(seen_store_begin(nodes[ALPHA].store, 0, &txn), SEEN_OK);
    /* An envelope without a checkpoint: shown the one held, from 1. */
    fed_xproof_ask(fed, txn, p, 1);
    ck_assert_uint_eq(xproofs_queued(&froms), 1);
    ck_assert_uint_eq(froms, 1);
    /* Another at once, showing one of 3: put off. */
    fed_xproof_ask(fed, txn, p, 3);
    ck_assert_uint_eq(xproofs_queued(&froms), 0);
    ck_assert(p->xp_due > seen_clock_mono());
    seen_store_abort(txn);
    /* Its time comes (as if checkpoint_every had passed): asked, from 3. */
    p->xp_at -= fed->opts.checkpoint_every + 1;
    p->xp_due = seen_clock_mono();
    fed_xproof_ask_all(fed);
    ck_assert_uint_eq(xproofs_queued(&froms), 1);
    ck_assert_uint_eq(froms, 3);
}
END_TEST

Suite *
replication_attack_suite(void)
{
    Suite *s = suite_create("replication_attack");
    TCase *tc = tcase_create("replication_attack");

    tcase_add_checked_fixture(tc, setup, attack_teardown);
    tcase_add_test(tc, test_forged_leaves_under_an_innocent_origin_s_checkpoint);
    tcase_add_test(
        tc, test_a_batch_out_of_order_has_the_range_asked_again_at_once);
    tcase_add_test(
        tc, test_an_answer_that_ends_before_the_range_is_asked_on_at_once);
    tcase_add_test(
        tc, test_two_checkpoints_the_origin_signed_that_disagree_are_evidence);
    tcase_add_test(
        tc, test_heads_beyond_the_members_or_an_origin_twice_are_refused);
    tcase_add_test(tc, test_range_flood_is_answered_within_the_reply_budget);
    tcase_add_test(
        tc, test_entries_with_a_checkpoint_of_another_origin_are_counted);
    tcase_add_test(tc, test_a_forged_membership_document_is_counted);
    tcase_add_test(tc, test_a_peer_adds_a_bounded_share_to_the_replay_cache);
    tcase_add_test(tc, test_a_full_store_counts_what_it_cannot_keep);
    tcase_add_test(tc, test_a_feed_caught_up_in_part_is_served_once_whole);
    tcase_add_test(
        tc, test_the_same_heads_is_answered_again_on_a_new_connection);
    tcase_add_test(tc,
        test_an_answer_the_transport_did_not_take_is_served_again_a_few_times);
    tcase_add_test(tc, test_a_proof_put_off_is_asked_when_its_time_comes);
    suite_add_tcase(s, tc);
    return s;
}

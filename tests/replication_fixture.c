/*
 * replication_fixture.c: the fixture of the replication suites (see
 * replication_fixture.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/replication/federation.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "tests/replication_fixture.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

/* ---- fixture: members alpha, bravo, charlie, and a raw "probe" ---- */



char base[1024];
struct seen_keys *auth;
struct tnode nodes[NNODES];
/* A member whose messages the tests write by hand (tests/probe's role),
 * and a key pair that belongs to no member. */
struct seen_keys *probe, *stranger;
void *rawctx; /* the context of the hand-made sockets */
uint8_t *doc; /* the membership document federate() installed */
size_t doclen;
uint32_t leaf_expiry; /* the expiry leaf_encode gives (0: none) */

/* Keys for the three nodes, the probe, a stranger and the authority;
 * nothing started yet. */
void
setup(void)
{
    static const char *names[NNODES] = {"alpha", "bravo", "charlie"};
    size_t i;

    tu_tmpdir(base, sizeof base);
    leaf_expiry = 0;
    ck_assert_ptr_nonnull(auth = seen_keys_generate());
    ck_assert_ptr_nonnull(probe = seen_keys_generate());
    ck_assert_ptr_nonnull(stranger = seen_keys_generate());
    ck_assert_ptr_nonnull(rawctx = zmq_ctx_new());
    for (i = 0; i < NNODES; i++) {
        memset(&nodes[i], 0, sizeof nodes[i]);
        nodes[i].name = names[i];
        ck_assert_ptr_nonnull(nodes[i].k = seen_keys_generate());
        snprintf(nodes[i].dir, sizeof nodes[i].dir, "%s/%s", base, names[i]);
        snprintf(nodes[i].listen, sizeof nodes[i].listen, "tcp://127.0.0.1:0");
        snprintf(
            nodes[i].filter, sizeof nodes[i].filter, "alpha,bravo,charlie");
    }
}

/* Stop ${n}'s seen_fed and close its context and store (idempotent). */
void
node_stop(struct tnode *n)
{

    seen_fed_destroy(&n->fed);
    if (n->zctx != NULL)
        zmq_ctx_term(n->zctx);
    n->zctx = NULL;
    seen_store_destroy(&n->store);
}

/* Stop whatever runs and remove every store. */
void
teardown(void)
{
    size_t i;

    for (i = 0; i < NNODES; i++) {
        node_stop(&nodes[i]);
        seen_keys_destroy(&nodes[i].k);
    }
    zmq_ctx_term(rawctx);
    free(doc);
    doc = NULL;
    seen_keys_destroy(&auth);
    seen_keys_destroy(&probe);
    seen_keys_destroy(&stranger);
    tu_rmrf(base);
}

/* ${n}'s status object (the caller decrefs it). */
json_t *
status_of(struct tnode *n)
{
    struct seen_txn *txn;
    json_t *st = json_object();

    ck_assert_int_eq(seen_store_begin(n->store, 0, &txn), SEEN_OK);
    seen_fed_status(n->fed, txn, st);
    seen_store_abort(txn);
    return st;
}

/* The integer ${key} of status group ${group} ("refused"...) of ${n}, or
 * with ${key} NULL the integer ${group}. */
json_int_t
counter(struct tnode *n, const char *group, const char *key)
{
    json_t *st = status_of(n), *v;
    json_int_t x;

    v = json_object_get(st, group);
    if (key != NULL)
        v = json_object_get(v, key);
    ck_assert_msg(
        json_is_integer(v), "no status %s.%s", group, key != NULL ? key : "");
    x = json_integer_value(v);
    json_decref(st);
    return x;
}

/*
 * Start ${n}: open its store (made on first start), a ZeroMQ context and
 * a seen_fed listening on n->listen, which then holds the endpoint bound
 * (so that a restart listens where the membership document says).
 */
void
node_start(struct tnode *n)
{
    json_t *st;
    const char *ep;

    ck_assert_int_eq(seen_store_open(n->dir, n->k->sign_pk, n->k->record_key,
                         MAP_MB, !n->made, &n->store),
        SEEN_OK);
    n->made = 1;
    ck_assert_ptr_nonnull(n->zctx = zmq_ctx_new());
    ck_assert_int_eq(seen_fed_new(n->store, n->k, n->zctx, n->listen, n->filter,
                         NULL, NULL, &n->fed),
        SEEN_OK);
    st = status_of(n);
    ck_assert_ptr_nonnull(ep = json_string_value(json_object_get(
                              json_object_get(st, "transport"), "endpoint")));
    ck_assert_int_eq(strncmp(ep, "tcp://127.0.0.1:", 16), 0);
    snprintf(n->listen, sizeof n->listen, "%s", ep);
    json_decref(st);
}

/*
 * Start the first ${n} nodes, and install in each a document signed by
 * the authority that lists all three nodes (at the endpoints they bound;
 * those not started at a port nobody uses) and the probe.
 */
void
federate(size_t n)
{
    Seen__Member m[NNODES + 1];
    const Seen__Member *mp[NNODES + 1];
    uint8_t mk[32];
    size_t i;

    for (i = 0; i < n; i++)
        node_start(&nodes[i]);
    for (i = 0; i < NNODES; i++) {
        tu_member(&m[i], nodes[i].name, nodes[i].k,
            i < n ? nodes[i].listen : PROBE_ENDPOINT);
        mp[i] = &m[i];
    }
    tu_member(&m[NNODES], "probe", probe, PROBE_ENDPOINT);
    mp[NNODES] = &m[NNODES];
    randombytes_buf(mk, sizeof mk);
    ck_assert_int_eq(
        seen_membership_build("Replication test", DOC_VERSION,
            seen_clock_wall(), mp, NNODES + 1, 1, mk, auth, &doc, &doclen),
        SEEN_OK);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(
            seen_fed_install(nodes[i].fed, doc, doclen, auth->sign_pk),
            SEEN_OK);
}

/* ---- servicing ---- */

/* One round: wait up to POLL_MS for input to any running node, then let
 * each receive and apply what it has, and (with ${tick}) do its periodic
 * work. */
void
pump_once(int tick)
{
    zmq_pollitem_t items[SEEN_FED_POLLITEMS * NNODES];
    size_t i, n = 0;

    for (i = 0; i < NNODES; i++)
        if (nodes[i].fed != NULL)
            n += (size_t)seen_fed_pollitems(nodes[i].fed, items + n);
    ck_assert_int_ge(zmq_poll(items, (int)n, POLL_MS), 0);
    for (i = 0, n = 0; i < NNODES; i++) {
        if (nodes[i].fed == NULL)
            continue;
        seen_fed_service(nodes[i].fed, items + n);
        if (tick)
            seen_fed_tick(nodes[i].fed);
        n += SEEN_FED_POLLITEMS;
    }
}

/* Let the running nodes finish their CURVE handshakes before they first
 * announce anything (only to be quick: what is lost is sent again). */
void
settle(void)
{
    int i;

    for (i = 0; i < SETTLE_ROUNDS; i++)
        pump_once(0);
}

/* Service every running node (with ${tick}, their periodic work too)
 * until ${cond}(${ctx}) holds, for at most PUMP_ROUNDS rounds.  Returns 1
 * when it holds, else 0. */
int
pump_until_ticking(int (*cond)(void *), void *ctx, int tick)
{
    double until = seen_clock_mono() + PUMP_SECONDS;
    int i;

    /* Both bounds must pass: on a loaded machine (sanitizers, other
     * suites) rounds can spin quickly while the transport's own thread
     * waits for a core, and a wait bounded by rounds alone gave up. */
    for (i = 0; i < PUMP_ROUNDS || seen_clock_mono() < until; i++) {
        if (cond(ctx))
            return 1;
        pump_once(tick);
    }
    return cond(ctx);
}

/* pump_until_ticking() with the periodic work. */
int
pump_until(int (*cond)(void *), void *ctx)
{

    return pump_until_ticking(cond, ctx, 1);
}

/* ---- feeds ---- */

/* The number of leaves of ${origin}'s feed that ${at} holds. */
uint64_t
feed_size(struct tnode *at, const struct seen_keys *origin)
{
    struct seen_txn *txn;
    uint32_t oidx;
    uint64_t size = 0;

    ck_assert_int_eq(seen_store_begin(at->store, 0, &txn), SEEN_OK);
    if (seen_store_origin(txn, origin->sign_pk, 0, &oidx) == SEEN_OK)
        ck_assert_int_eq(seen_feed_size(txn, oidx, &size), SEEN_OK);
    seen_store_abort(txn);
    return size;
}

/* Whether ${at} holds the live entry ${handle} of ${origin} at ${seq}. */
int
holds_entry(struct tnode *at, const struct seen_keys *origin,
    const uint8_t handle[16], uint64_t seq)
{
    struct seen_txn *txn;
    uint32_t oidx;
    uint64_t got;
    int ok;

    ck_assert_int_eq(seen_store_begin(at->store, 0, &txn), SEEN_OK);
    ok = seen_store_origin(txn, origin->sign_pk, 0, &oidx) == SEEN_OK &&
         seen_index_seq(txn, oidx, handle, &got) == SEEN_OK && got == seq;
    seen_store_abort(txn);
    return ok;
}

/* Encode a FeedEntry of ${origin} at ${seq} holding an index entry with
 * handle ${handle} (random) and expiry leaf_expiry into ${buf}; return
 * its length. */
size_t
leaf_encode(const struct seen_keys *origin, uint64_t seq, uint8_t handle[16],
    uint8_t *buf, size_t cap)
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    uint8_t group[16], bloom[SEEN_BLOOM_BYTES];
    size_t len;

    randombytes_buf(handle, 16);
    randombytes_buf(group, sizeof group);
    randombytes_buf(bloom, sizeof bloom);
    e.handle = (ProtobufCBinaryData){16, handle};
    e.group = (ProtobufCBinaryData){sizeof group, group};
    e.name_bloom = (ProtobufCBinaryData){sizeof bloom, bloom};
    e.expiry = leaf_expiry;
    fe.origin =
        (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)origin->sign_pk};
    fe.seq = seq;
    fe.time = seen_clock_wall();
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &e;
    ck_assert_uint_le(len = seen__feed_entry__get_packed_size(&fe), cap);
    seen__feed_entry__pack(&fe, buf);
    return len;
}

/*
 * Append ${count} index entries to ${n}'s own feed inside the write
 * transaction ${txn} (their handles to ${handles}, when not NULL); its
 * origin number to *${oidx}.  Returns the feed's new size.
 */
uint64_t
append_leaves(struct seen_txn *txn, struct tnode *n, size_t count,
    uint8_t (*handles)[16], uint32_t *oidx)
{
    uint8_t leaf[512], handle[16];
    uint64_t size;
    size_t i, len;

    ck_assert_int_eq(seen_store_origin(txn, n->k->sign_pk, 1, oidx), SEEN_OK);
    ck_assert_int_eq(seen_feed_size(txn, *oidx, &size), SEEN_OK);
    for (i = 0; i < count; i++) {
        len = leaf_encode(n->k, size + i, handle, leaf, sizeof leaf);
        ck_assert_int_eq(
            seen_feed_append(txn, *oidx, leaf, len, NULL), SEEN_OK);
        if (handles != NULL)
            memcpy(handles[i], handle, 16);
    }
    return size + count;
}

/*
 * Append ${count} index entries to ${n}'s own feed (their handles to
 * ${handles}, when not NULL) and checkpoint it, as an import does.
 */
void
publish(struct tnode *n, size_t count, uint8_t (*handles)[16])
{
    struct seen_txn *txn;
    uint32_t oidx;

    ck_assert_int_eq(seen_store_begin(n->store, 1, &txn), SEEN_OK);
    (void)append_leaves(txn, n, count, handles, &oidx);
    ck_assert_int_eq(seen_store_commit(txn), SEEN_OK);
    ck_assert_int_eq(seen_fed_checkpoint_own(n->fed), SEEN_OK);
}

/* The expectations to wait for: a NULL-terminated list (.at == NULL). */
int
all_held(void *ctx)
{
    const struct expect *e;

    for (e = ctx; e->at != NULL; e++)
        if (feed_size(e->at, e->of) < e->size)
            return 0;
    return 1;
}

/* Service every running node until ${at} holds ${size} leaves of ${of}'s
 * feed; the test fails when it never does. */
void
wait_held(struct tnode *at, const struct seen_keys *of, uint64_t size)
{
    struct expect want[2] = {{at, of, size}, {NULL, NULL, 0}};

    ck_assert_msg(pump_until(all_held, want), "%s never held %llu leaves",
        at->name, (unsigned long long)size);
}

/* Make ${n} talk only to the members named in ${filter}. */
void
talks_to(struct tnode *n, const char *filter)
{

    snprintf(n->filter, sizeof n->filter, "%s", filter);
}

/* ---- refusals ---- */

/* A DEALER that speaks CURVE as ${as} to ${to}'s listener, like a peer. */
void *
raw_dealer(const struct seen_keys *as, const struct tnode *to)
{
    void *d;
    int zero = 0;

    ck_assert_ptr_nonnull(d = zmq_socket(rawctx, ZMQ_DEALER));
    zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, to->k->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, as->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, as->curve_sk, 32);
    ck_assert_int_eq(zmq_connect(d, to->listen), 0);
    return d;
}

/* Send ${len} bytes of ${buf} as one frame on ${d} (queued until the
 * connection is up). */
void
raw_send(void *d, const void *buf, size_t len)
{

    ck_assert_int_eq(zmq_send(d, buf, len, 0), (int)len);
}

/* An envelope of ${type} with ${body} from ${from} to ${to}, now, with
 * no checkpoint; the caller frees *${out}. */
void
seal(const struct seen_keys *from, const struct tnode *to, int type,
    const ProtobufCMessage *body, uint8_t **out, size_t *len)
{
    uint8_t b[4096];
    size_t blen;

    ck_assert_uint_le(
        blen = protobuf_c_message_get_packed_size(body), sizeof b);
    protobuf_c_message_pack(body, b);
    ck_assert_int_eq(seen_envelope_seal(from, to->k->sign_pk, type, b, blen,
                         NULL, seen_clock_wall(), out, len),
        SEEN_OK);
}

/* A HELLO from ${from} to ${to} (that holds the current document). */
void
seal_hello(const struct seen_keys *from, const struct tnode *to, uint8_t **out,
    size_t *len)
{
    Seen__Hello h = SEEN__HELLO__INIT;

    h.node = (char *)(uintptr_t) "probe";
    h.membership_version = DOC_VERSION;
    seal(from, to, SEEN__MSG_TYPE__HELLO, (const ProtobufCMessage *)&h, out,
        len);
}


/* Whether what the struct at_least ${ctx} expects holds. */
int
counted(void *ctx)
{
    const struct at_least *c = ctx;

    return counter(c->n, c->group, c->key) >= c->min;
}

/* Service until ${n}'s status counter ${group}.${key} reaches ${min}. */
void
pump_counted(struct tnode *n, const char *group, const char *key,
    json_int_t min)
{
    struct at_least c = {n, group, key, min};

    ck_assert_msg(pump_until(counted, &c), "%s never counted %s.%s %lld",
        n->name, group, key, (long long)min);
}

/* Service until ${n} has received ${min} messages in all. */
void
pump_received(struct tnode *n, json_int_t min)
{

    pump_counted(n, "transport", "received", min);
}

/* How many envelopes of ${type} ("heads") ${n} ${dir} ("sent",
 * "received") since it started. */
json_int_t
messages(struct tnode *n, const char *type, const char *dir)
{
    json_t *st = status_of(n), *v;
    json_int_t x;

    v = json_object_get(json_object_get(json_object_get(st, "messages"),
                            type), dir);
    ck_assert_msg(json_is_integer(v), "no messages.%s.%s", type, dir);
    x = json_integer_value(v);
    json_decref(st);
    return x;
}

/* ${n}'s status of its peer ${name} (the caller decrefs it); the test
 * fails when there is none. */
json_t *
peer_status(struct tnode *n, const char *name)
{
    json_t *st = status_of(n), *peers = json_object_get(st, "peers");
    json_t *p, *found = NULL;
    size_t i;

    for (i = 0; i < json_array_size(peers); i++) {
        p = json_array_get(peers, i);
        if (strcmp(json_string_value(json_object_get(p, "node")), name) == 0)
            found = json_incref(p);
    }
    json_decref(st);
    ck_assert_msg(found != NULL, "%s has no peer %s", n->name, name);
    return found;
}

/* How many envelopes ${n} refused from its peer ${name}. */
json_int_t
peer_refused(struct tnode *n, const char *name)
{
    json_t *p = peer_status(n, name);
    json_int_t x = json_integer_value(json_object_get(p, "refused"));

    json_decref(p);
    return x;
}

/* Whether ${n} ever took an envelope from its peer ${name} (its status
 * says when it last did). */
int
peer_heard(struct tnode *n, const char *name)
{
    json_t *p = peer_status(n, name);
    int x = json_object_get(p, "last_seen_s") != NULL;

    json_decref(p);
    return x;
}

/* Start alpha alone, with the probe as its one peer. */
void
alpha_with_probe(void)
{

    talks_to(&nodes[ALPHA], "probe");
    federate(1);
}

/* Send alpha, on ${d}, a HELLO signed by ${signer}, and service it until
 * it has received ${total} messages in all. */
void
hello_to_alpha(void *d, const struct seen_keys *signer, json_int_t total)
{
    uint8_t *env;
    size_t len;

    seal_hello(signer, &nodes[ALPHA], &env, &len);
    raw_send(d, env, len);
    free(env);
    pump_received(&nodes[ALPHA], total);
}

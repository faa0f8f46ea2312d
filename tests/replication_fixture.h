/*
 * replication_fixture.h: the fixture of the replication suites
 * (check_replication.c, check_replication_attack.c): three members run
 * by real seen_fed objects over real LMDB stores and ZeroMQ CURVE on
 * loopback, a raw "probe" member and a stranger, and the helpers that
 * service them, read their status and send them hand-made envelopes.
 */
#ifndef SEEN_TESTS_REPLICATION_FIXTURE_H
#define SEEN_TESTS_REPLICATION_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "crypto/keys.h"
#include "seen.pb-c.h"

struct seen_txn;

/* Each function is documented at its definition, replication_fixture.c. */

#define MAP_MB 64
#define POLL_MS 10        /* the longest one round waits for input */
#define PUMP_ROUNDS 20000 /* rounds before a wait gives up: a bound */
#define PUMP_SECONDS 120  /* ...and seconds, both: a hang's bound, not a
                             figure of speed */
#define SETTLE_ROUNDS 30  /* rounds of handshakes before the first tick */
#define DOC_VERSION 1
#define MAX_LEAVES 16
#define PROBE_ENDPOINT "tcp://127.0.0.1:9" /* nobody listens there */
#define QUIET_ROUNDS 1000 /* rounds an idle federation is watched */
enum { ALPHA, BRAVO, CHARLIE, NNODES };

/* A member run by a real seen_fed over its own store and ZeroMQ context. */
struct tnode {
    const char *name;
    struct seen_keys *k;
    char dir[2048];
    char listen[256]; /* port 0 until started: then the endpoint bound */
    char filter[256]; /* the peers it talks to */
    struct seen_store *store;
    void *zctx;
    struct seen_fed *fed;
    int made; /* its store exists */
};
extern char base[1024];
extern struct seen_keys *auth;
extern struct tnode nodes[NNODES];
extern struct seen_keys *probe, *stranger;
extern void *rawctx;   /* the context of the hand-made sockets */
extern uint8_t *doc;   /* the membership document federate() installed */
extern size_t doclen;
extern uint32_t leaf_expiry; /* the expiry leaf_encode gives (0: none) */

/* What a wait expects: ${at} holds ${size} leaves of ${of}'s feed. */
struct expect {
    struct tnode *at;
    const struct seen_keys *of;
    uint64_t size;
};

/* What a wait for a counter expects: ${n}'s ${group}.${key} >= ${min}. */
struct at_least {
    struct tnode *n;
    const char *group, *key;
    json_int_t min;
};

void setup(void);

void node_stop(struct tnode *n);

void teardown(void);

json_t *status_of(struct tnode *n);

json_int_t counter(struct tnode *n, const char *group, const char *key);

void node_start(struct tnode *n);

void federate(size_t n);

void pump_once(int tick);

void settle(void);

int pump_until_ticking(int (*cond)(void *), void *ctx, int tick);

int pump_until(int (*cond)(void *), void *ctx);

uint64_t feed_size(struct tnode *at, const struct seen_keys *origin);

int holds_entry(struct tnode *at, const struct seen_keys *origin,
    const uint8_t handle[16], uint64_t seq);

size_t leaf_encode(const struct seen_keys *origin, uint64_t seq, uint8_t handle[16],
    uint8_t *buf, size_t cap);

uint64_t append_leaves(struct seen_txn *txn, struct tnode *n, size_t count,
    uint8_t (*handles)[16], uint32_t *oidx);

void publish(struct tnode *n, size_t count, uint8_t (*handles)[16]);

int all_held(void *ctx);

void wait_held(struct tnode *at, const struct seen_keys *of, uint64_t size);

void talks_to(struct tnode *n, const char *filter);

void *raw_dealer(const struct seen_keys *as, const struct tnode *to);

void raw_send(void *d, const void *buf, size_t len);

void seal(const struct seen_keys *from, const struct tnode *to, int type,
    const ProtobufCMessage *body, uint8_t **out, size_t *len);

void seal_hello(const struct seen_keys *from, const struct tnode *to, uint8_t **out,
    size_t *len);

int counted(void *ctx);

void pump_counted(struct tnode *n, const char *group, const char *key,
    json_int_t min);

void pump_received(struct tnode *n, json_int_t min);

json_int_t messages(struct tnode *n, const char *type, const char *dir);

json_t *peer_status(struct tnode *n, const char *name);

json_int_t peer_refused(struct tnode *n, const char *name);

int peer_heard(struct tnode *n, const char *name);

void alpha_with_probe(void);

void hello_to_alpha(void *d, const struct seen_keys *signer, json_int_t total);

#endif /* !SEEN_TESTS_REPLICATION_FIXTURE_H */

/*
 * bench_oprf: RFC 9497's OPRF over ristretto255-SHA512 (crypto/oprf.h)
 * per core, against libsodium's raw ristretto255 scalar multiplication
 * measured in the same run.
 *
 *   bench_oprf
 *
 * - A custodian's evaluation (seen_oprf_evaluate: decode and check the
 *   blinded element, multiply, encode) of a stream of distinct blinded
 *   elements; the raw limit, crypto_scalarmult_ristretto255 of the same
 *   elements by the same scalar.  Issue 16's target: at least 20,000
 *   evaluations a second per core.
 * - A client's token with three custodians of five: blind, three share
 *   evaluations, combine (Lagrange in the exponent) and finalize.
 * - Issue 16: evaluations a second through a real custodian service
 *   (node/custodian/service.h: its thread, CURVE on loopback, the
 *   envelope's signature checked, the request journalled and synced,
 *   the answer signed), batches of 4,096 from one member; and tokens a
 *   second through the client (node/custodian/client.h) with three
 *   services on loopback, 2 of 3 (blind, two services at once, add,
 *   finalize).
 * Interleaved rounds, the best of each kept (a busy machine only ever
 * slows a run).  Prints figures and ratios; never passes or fails.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "node/custodian/client.h"
#include "node/custodian/service.h"
#include "proto/envelope.h"
#include "proto/membership.h"

#include "seen.pb-c.h"

#define N 4096   /* blinded elements in a pass */
#define ROUNDS 5 /* best of */
#define TOKENS 1024

static volatile uint8_t sink;

/* Evaluations a second through seen_oprf_evaluate. */
static double
evaluate_rate(const uint8_t sk[32], const uint8_t (*be)[32])
{
    uint8_t out[32];
    double t0 = seen_clock_mono();
    size_t i;

    for (i = 0; i < N; i++) {
        if (seen_oprf_evaluate(sk, be[i], out) != 0)
            abort();
        sink ^= out[0];
    }
    return N / (seen_clock_mono() - t0);
}

/* Raw scalar multiplications a second of the same elements. */
static double
raw_rate(const uint8_t sk[32], const uint8_t (*be)[32])
{
    uint8_t out[32];
    double t0 = seen_clock_mono();
    size_t i;

    for (i = 0; i < N; i++) {
        if (crypto_scalarmult_ristretto255(out, sk, be[i]) != 0)
            abort();
        sink ^= out[0];
    }
    return N / (seen_clock_mono() - t0);
}

/* Tokens a second made by a client with 3 of 5 custodians (all in this
 * process: the computation, not the network), as the client makes them:
 * the blinds of a batch inverted together (seen_oprf_invert_batch). */
static double
token_rate(const uint8_t (*shares)[32])
{
    static const unsigned int ids[3] = {1, 3, 5};
    static uint8_t inv[TOKENS][32], be[TOKENS][32], in[TOKENS][16];
    uint8_t part[3][32], ev[32], out[64];
    double t0 = seen_clock_mono();
    size_t i, j;

    for (i = 0; i < TOKENS; i++) {
        memset(inv[i], 0, 32);
        memcpy(in[i], &i, sizeof i);
        memset(in[i] + sizeof i, 'x', sizeof in[i] - sizeof i);
        if (seen_oprf_blind(SEEN_OPRF_MODE_OPRF, in[i], sizeof in[i], inv[i],
                be[i]) != 0)
            abort();
    }
    if (seen_oprf_invert_batch(inv, TOKENS) != 0)
        abort();
    for (i = 0; i < TOKENS; i++) {
        for (j = 0; j < 3; j++)
            if (seen_oprf_evaluate(shares[ids[j] - 1], be[i], part[j]) != 0)
                abort();
        if (seen_oprf_combine(ids, (const uint8_t (*)[32])part, 3, ev) != 0 ||
            seen_oprf_finalize_inv(SEEN_OPRF_MODE_OPRF, in[i], sizeof in[i],
                NULL, 0, inv[i], ev, out) != 0)
            abort();
        sink ^= out[0];
    }
    return TOKENS / (seen_clock_mono() - t0);
}

#define NSVC 3
#define SVC_BATCHES 8 /* batches of N a round through the service */

/* Three custodian services of a key dealt 2 of 3, and the member that
 * asks, on loopback (ports from ${base}). */
struct svcs {
    struct seen_keys *auth, *k[NSVC], *asker;
    Seen__Member mb[NSVC + 1];
    char eps[NSVC + 1][64], ceps[NSVC][64], homes[NSVC][64];
    struct seen_membership *doc;
    struct seen_custodian *svc[NSVC];
};

static int
svcs_open(struct svcs *s, int base)
{
    static const char *names[NSVC + 1] = {"c-1", "c-2", "c-3", "asker"};
    const struct seen_custodian_limits lim = {4000000000u, 4000000000u};
    const Seen__Member *mbs[NSVC + 1], *cust[NSVC];
    const char *cep[NSVC];
    Seen__OprfKey *ok;
    uint8_t *buf, *d;
    size_t len, dlen, i;

    memset(s, 0, sizeof *s);
    if ((s->auth = seen_keys_generate()) == NULL ||
        (s->asker = seen_keys_generate()) == NULL)
        return -1;
    for (i = 0; i <= NSVC; i++) {
        struct seen_keys *k = i < NSVC ? (s->k[i] = seen_keys_generate())
                                       : s->asker;

        if (k == NULL)
            return -1;
        snprintf(s->eps[i], sizeof s->eps[i], "tcp://127.0.0.1:%d",
            base + (int)i);
        seen__member__init(&s->mb[i]);
        s->mb[i].name = (char *)(uintptr_t)names[i];
        s->mb[i].agency = (char *)(uintptr_t) "bench";
        s->mb[i].type = SEEN__AGENCY_TYPE__POLICE;
        s->mb[i].local_authority = (char *)(uintptr_t) "Reading";
        s->mb[i].sign_pk.data = k->sign_pk;
        s->mb[i].sign_pk.len = 32;
        s->mb[i].curve_pk.data = k->curve_pk;
        s->mb[i].curve_pk.len = 32;
        s->mb[i].endpoint = s->eps[i];
        s->mb[i].status = SEEN__MEMBER_STATUS__ACTIVE;
        mbs[i] = &s->mb[i];
        if (i < NSVC) {
            snprintf(s->ceps[i], sizeof s->ceps[i], "tcp://127.0.0.1:%d",
                base + NSVC + 1 + (int)i);
            cust[i] = &s->mb[i];
            cep[i] = s->ceps[i];
        }
    }
    if (seen_membership_deal(2, 2, cust, cep, NSVC, &buf, &len) != 0 ||
        (ok = seen__oprf_key__unpack(NULL, len, buf)) == NULL)
        return -1;
    free(buf);
    if (seen_membership_build_oprf("bench", 1, 1, mbs, NSVC + 1, 2, 0, 8,
            NULL, ok, s->auth, &d, &dlen) != 0 ||
        seen_membership_open(d, dlen, s->auth->sign_pk, &s->doc) != 0)
        return -1;
    free(d);
    seen__oprf_key__free_unpacked(ok, NULL);
    for (i = 0; i < NSVC; i++) {
        snprintf(s->homes[i], sizeof s->homes[i], "/tmp/bench-oprf-XXXXXX");
        if (mkdtemp(s->homes[i]) == NULL ||
            seen_custodian_new(s->k[i], s->homes[i], &lim, -1,
                &s->svc[i]) != 0 ||
            seen_custodian_adopt(s->svc[i], s->doc) != 0)
            return -1;
    }
    return 0;
}

static void
svcs_close(struct svcs *s)
{
    char path[128];
    size_t i;

    for (i = 0; i < NSVC; i++) {
        seen_custodian_destroy(&s->svc[i]);
        snprintf(path, sizeof path, "%s/custodian.journal", s->homes[i]);
        unlink(path);
        rmdir(s->homes[i]);
        seen_keys_destroy(&s->k[i]);
    }
    seen_membership_destroy(&s->doc);
    seen_keys_destroy(&s->asker);
    seen_keys_destroy(&s->auth);
}

/* Evaluations a second at custodian 1, asked for SVC_BATCHES batches of
 * N (the subset {1, 2}) over one CURVE connection, one at a time. */
static double
service_rate(struct svcs *s, void *zctx, const uint8_t (*be)[32])
{
    static uint32_t idx[2] = {1, 2};
    Seen__OprfEval ev = SEEN__OPRF_EVAL__INIT;
    ProtobufCBinaryData *bd = malloc(N * sizeof *bd);
    uint8_t id[16], *body, *env;
    size_t blen, elen, i, b;
    zmq_msg_t m;
    void *d = zmq_socket(zctx, ZMQ_DEALER);
    double t0;
    int zero = 0;

    zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, s->k[0]->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, s->asker->curve_pk, 32);
    zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, s->asker->curve_sk, 32);
    if (bd == NULL || zmq_connect(d, s->ceps[0]) != 0)
        abort();
    for (i = 0; i < N; i++) {
        bd[i].data = (uint8_t *)(uintptr_t)be[i];
        bd[i].len = 32;
    }
    ev.request_id.data = id;
    ev.request_id.len = 16;
    ev.epoch = 2;
    ev.n_indexes = 2;
    ev.indexes = idx;
    ev.purpose = (char *)(uintptr_t) "import";
    ev.operator_ = (char *)(uintptr_t) "";
    ev.n_blinded = N;
    ev.blinded = bd;
    blen = seen__oprf_eval__get_packed_size(&ev);
    if ((body = malloc(blen)) == NULL)
        abort();
    t0 = seen_clock_mono();
    for (b = 0; b < SVC_BATCHES; b++) {
        randombytes_buf(id, sizeof id);
        seen__oprf_eval__pack(&ev, body);
        if (seen_envelope_seal(s->asker, s->k[0]->sign_pk,
                SEEN__MSG_TYPE__OPRF_EVAL, body, blen, NULL,
                (uint64_t)time(NULL), &env, &elen) != 0 ||
            zmq_send(d, env, elen, 0) != (int)elen)
            abort();
        free(env);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, d, 0) < 0 || zmq_msg_size(&m) < (size_t)N * 32)
            abort(); /* not answered, or refused */
        zmq_msg_close(&m);
    }
    t0 = seen_clock_mono() - t0;
    free(body);
    free(bd);
    zmq_close(d);
    return (double)SVC_BATCHES * N / t0;
}

/* Tokens a second through the client, 2 of the 3 services. */
static double
client_rate(struct seen_oprf_client *cl)
{
    static uint8_t in[N][16], out[N][SEEN_OPRF_OUTPUT];
    const uint8_t *ins[N];
    size_t lens[N], i;
    double t0;

    for (i = 0; i < N; i++) {
        randombytes_buf(in[i], sizeof in[i]);
        ins[i] = in[i];
        lens[i] = sizeof in[i];
    }
    t0 = seen_clock_mono();
    if (seen_oprf_client_eval(cl, "import", NULL, ins, lens, N, out) != 0)
        abort();
    return N / (seen_clock_mono() - t0);
}

int
main(void)
{
    uint8_t (*be)[32], sk[32], shares[5][32], p[64];
    double ev = 0, raw = 0, tok = 0, svc = 0, cli = 0, x;
    struct seen_oprf_client *cl;
    struct svcs sv;
    void *zctx;
    size_t i;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_oprf", SEEN_LOG_WARN);
    if ((be = malloc(N * sizeof *be)) == NULL)
        return 1;
    for (i = 0; i < N; i++) {
        randombytes_buf(p, sizeof p);
        crypto_core_ristretto255_from_hash(be[i], p);
    }
    crypto_core_ristretto255_scalar_random(sk);
    if (seen_oprf_split(sk, 3, 5, shares) != 0)
        return 1;
    (void)evaluate_rate(sk, (const uint8_t (*)[32])be);
    (void)raw_rate(sk, (const uint8_t (*)[32])be);
    if ((zctx = zmq_ctx_new()) == NULL ||
        svcs_open(&sv, 20000 + (int)(getpid() % 4000) * 7) != 0 ||
        seen_oprf_client_new(zctx, sv.asker, 10, &cl) != 0 ||
        seen_oprf_client_adopt(cl, sv.doc) != 0) {
        fprintf(stderr, "bench_oprf: cannot start the custodians\n");
        return 1;
    }
    for (i = 0; i < ROUNDS; i++) {
        if ((x = service_rate(&sv, zctx, (const uint8_t (*)[32])be)) > svc)
            svc = x;
        if ((x = client_rate(cl)) > cli)
            cli = x;
        if ((x = evaluate_rate(sk, (const uint8_t (*)[32])be)) > ev)
            ev = x;
        if ((x = raw_rate(sk, (const uint8_t (*)[32])be)) > raw)
            raw = x;
        if ((x = token_rate((const uint8_t (*)[32])shares)) > tok)
            tok = x;
    }
    printf("OPRF over ristretto255-SHA512 (RFC 9497), one core, best of %d:\n",
        ROUNDS);
    printf("  custodian evaluations %10.0f /s   target >= 20000   "
           "ratio %.3f\n",
        ev, ev / 20000);
    printf("  raw limit: libsodium crypto_scalarmult_ristretto255 %10.0f /s\n",
        raw);
    printf("  evaluations : raw scalar multiplications = %.3f\n", ev / raw);
    printf("  client tokens, 3 of 5 custodians (blind, 3 evaluations, "
           "combine, finalize) %8.0f /s\n",
        tok);
    printf("  tokens : raw scalar multiplications = %.3f (a token costs "
           "about 8 of them)\n",
        tok / raw);
    printf("through a real custodian service on loopback (CURVE, signed "
           "envelopes, journal synced), batches of %d:\n", N);
    printf("  service evaluations %10.0f /s   target >= 20000   ratio %.3f"
           "   : raw %.3f\n",
        svc, svc / 20000, svc / raw);
    printf("  client tokens, 2 of 3 services %10.0f /s   : raw %.3f\n", cli,
        cli / raw);
    seen_oprf_client_destroy(&cl);
    svcs_close(&sv);
    zmq_ctx_term(zctx);
    free(be);
    return 0;
}

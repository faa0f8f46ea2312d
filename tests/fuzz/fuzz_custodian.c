/*
 * fuzz_custodian.c: libFuzzer harness for what a hostile peer controls in
 * the custodian room (node/custodian/): the body of an OPRF_EVAL as a
 * custodian's service thread checks, counts, evaluates, journals and
 * answers it (cust_answer, the thread's own function), and the body of
 * an OPRF_RESULT as a client reads it (seen_oprf_answer_read, what the
 * client's read_one calls).
 *
 * Set-up, once: a federation of three custodians (a key dealt 2 of 3)
 * and an asking member; a real custodian service for the first custodian
 * (seen_custodian_new, seen_custodian_adopt; its journal in a fresh home
 * under /dev/shm or TMPDIR) with small limits (FUZZ_LIM_MEMBER,
 * FUZZ_LIM_OPERATOR) so that a few requests reach them.  Each input
 * starts the day afresh: the service's counts and remembered request ids
 * are cleared, so that an input means the same whenever it runs.
 *
 * The first byte of an input picks a mode:
 *   bit 0 clear: the service.  Bits 1-2: who sends (0 the asking member
 *     on its own connection; 1 a node not in the document; 2 the asking
 *     member's request on another member's connection; 3 the rest is a
 *     whole envelope, on the asking member's connection).  Otherwise the
 *     rest is up to FUZZ_REQS requests, each a 2-byte big-endian length
 *     and that many bytes of an OprfEval body, which the harness seals as
 *     an OPRF_EVAL to the custodian, at the present time.
 *   bit 0 set: the client.  Bits 1-2: who answers (0 the custodian asked;
 *     1 another custodian; 2 the asking member itself; 3 the rest is a
 *     whole envelope).  Bits 3-5: the number of elements asked, less 1.
 *     The rest is an OprfResult body, sealed to the asking member, read
 *     as the answer to the request FUZZ_REQUEST_ID.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what the
 * code promises.  The service: a request not from an active member on
 * its own connection is dropped (SEEN_EINVAL) with nothing journalled or
 * counted; every other request is answered exactly once, with one
 * journal record of its status and count, with its own request id; a
 * refusal evaluates nothing and counts nothing; an OK has passed every
 * rule (epoch, t to n distinct indexes naming this custodian, 1 to
 * SEEN_CUSTODIAN_BATCH_MAX elements) and each element is the
 * custodian's weighted share times the element asked, recomputed here;
 * the day's counts never exceed the limits.  The client: an answer it
 * accepts is signed by the custodian asked, to this node, with the
 * request id, the count and only valid non-identity elements (RFC 9497's
 * DeserializeElement), copied as they came; one it passes over as
 * another request's is that custodian's, with another id.
 *
 * Seeds: tests/fuzz/corpus/custodian, made by fuzz_custodian_seeds()
 * below (valid requests of each purpose, a replay and an over-the-limit
 * sequence, valid results; the unit test writes them again when
 * SEEN_CUSTODIAN_WRITE_SEEDS names a folder); inputs that once broke it:
 * tests/fuzz/regress/custodian.  Both are replayed by
 * tests/check_custodian.c, which includes this file.  Run with
 * -close_fd_mask=2: the service logs what it refuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/file.h"
#include "common/log.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/oprf.h"
#include "node/custodian/client.h"
#include "node/custodian/custodian_impl.h"
#include "node/custodian/journal.h"
#include "node/custodian/service.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "xlog/leaf.h"

#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NCUST 3
#define FUZZ_T 2
#define FUZZ_EPOCH 7
#define FUZZ_REQS 8
#define FUZZ_LIM_MEMBER 40
#define FUZZ_LIM_OPERATOR 12
#define FUZZ_REQUEST_ID "seen fuzz: req 1" /* 16 bytes */

/* Keys: FUZZ_NCUST custodians, the asker, and a node of no federation. */
static struct seen_keys *fz_auth, *fz_ck[FUZZ_NCUST], *fz_asker, *fz_out;
static struct seen_membership *fz_doc;
static struct seen_custodian *fz_svc;
static uint8_t fz_share[32];
static unsigned int fz_index;
static char fz_base[256], fz_ep[FUZZ_NCUST + 1][64];
static char fz_hex_asker[65], fz_hex_other[65];
static int fz_up;

/* What the inputs run so far came to (the unit test checks that the
 * seeds reach every outcome). */
static struct {
    size_t dropped, served, limit, refused;        /* the service */
    size_t accepted, passed, answered, unread;     /* the client */
} fz_seen;

/* Fill ${m} as an active member ${name} with the keys ${k} at ${ep}. */
static void
fz_member(Seen__Member *m, const char *name, const struct seen_keys *k,
    const char *ep)
{

    seen__member__init(m);
    m->name = (char *)(uintptr_t)name;
    m->agency = (char *)(uintptr_t) "Fuzz agency";
    m->type = SEEN__AGENCY_TYPE__SOCIAL_CARE;
    m->local_authority = (char *)(uintptr_t) "Reading";
    m->sign_pk = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->sign_pk};
    m->curve_pk = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->curve_pk};
    m->endpoint = (char *)(uintptr_t)ep;
    m->status = SEEN__MEMBER_STATUS__ACTIVE;
}

/* The federation's document, dealt 2 of 3; aborts when it cannot. */
static void
fz_make_doc(void)
{
    static const char *names[FUZZ_NCUST + 1] = {"cust-1", "cust-2",
        "cust-3", "asker"};
    Seen__Member mb[FUZZ_NCUST + 1];
    const Seen__Member *mbs[FUZZ_NCUST + 1], *cust[FUZZ_NCUST];
    const char *cep[FUZZ_NCUST];
    Seen__OprfKey *k;
    uint8_t *buf, *d;
    size_t len, dlen, i;
    int base = 30000 + (int)(getpid() % 6000) * 5;

    for (i = 0; i <= FUZZ_NCUST; i++) {
        snprintf(fz_ep[i], sizeof fz_ep[i], "tcp://127.0.0.1:%d",
            base + (int)i);
        fz_member(&mb[i], names[i], i < FUZZ_NCUST ? fz_ck[i] : fz_asker,
            fz_ep[i]);
        mbs[i] = &mb[i];
        if (i < FUZZ_NCUST) {
            cust[i] = &mb[i];
            cep[i] = fz_ep[i]; /* never connected to */
        }
    }
    if (seen_membership_deal(FUZZ_EPOCH, FUZZ_T, cust, cep, FUZZ_NCUST, &buf,
            &len) != 0 ||
        (k = seen__oprf_key__unpack(NULL, len, buf)) == NULL ||
        seen_membership_build_oprf("fuzz", 1, 1, mbs, FUZZ_NCUST + 1,
            FUZZ_EPOCH, 0, 8, NULL, k, fz_auth, &d, &dlen) != 0 ||
        seen_membership_open(d, dlen, fz_auth->sign_pk, &fz_doc) != 0)
        abort();
    free(d);
    free(buf);
    seen__oprf_key__free_unpacked(k, NULL);
}

static void fuzz_custodian_stop(void);

/* At exit: the home removed, unless a replay did it already. */
static void
fz_atexit(void)
{

    fuzz_custodian_stop();
}

/* Set everything up, once. */
static void
fz_start(void)
{
    const struct seen_custodian_limits lim = {FUZZ_LIM_MEMBER,
        FUZZ_LIM_OPERATOR};
    const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                                  : getenv("TMPDIR");
    int i, rc;

    if (fz_up)
        return;
    if (sodium_init() < 0)
        abort();
    seen_log_init("fuzz_custodian", SEEN_LOG_ERROR);
    for (i = 0; i < FUZZ_NCUST; i++)
        if ((fz_ck[i] = seen_keys_generate()) == NULL)
            abort();
    if ((fz_auth = seen_keys_generate()) == NULL ||
        (fz_asker = seen_keys_generate()) == NULL ||
        (fz_out = seen_keys_generate()) == NULL)
        abort();
    fz_make_doc();
    if (seen_membership_open_share(fz_doc, fz_ck[0], fz_share, &fz_index) !=
        0)
        abort();
    snprintf(fz_base, sizeof fz_base, "%s/seen-fuzz-custodian-XXXXXX",
        t != NULL ? t : "/tmp");
    if (mkdtemp(fz_base) == NULL ||
        seen_custodian_new(fz_ck[0], fz_base, &lim, -1, &fz_svc) != 0)
        abort();
    /* Its thread may fail to bind (a port taken): it is never asked
     * through it; cust_answer is called here as the thread calls it. */
    rc = seen_custodian_adopt(fz_svc, fz_doc);
    if (rc != 0 && rc != SEEN_EIO)
        abort();
    sodium_bin2hex(fz_hex_asker, sizeof fz_hex_asker, fz_asker->sign_pk, 32);
    sodium_bin2hex(fz_hex_other, sizeof fz_hex_other, fz_ck[1]->sign_pk, 32);
    fz_up = 1;
    atexit(fz_atexit); /* libFuzzer's runs end with exit() */
}

/**
 * fuzz_custodian_stop():
 * Stop the service a replay started, and remove its home.
 */
static void
fuzz_custodian_stop(void)
{
    int i;

    if (!fz_up)
        return;
    seen_custodian_destroy(&fz_svc);
    if (seen_file_remove_tree(fz_base) != 0)
        abort();
    seen_membership_destroy(&fz_doc);
    for (i = 0; i < FUZZ_NCUST; i++)
        seen_keys_destroy(&fz_ck[i]);
    seen_keys_destroy(&fz_auth);
    seen_keys_destroy(&fz_asker);
    seen_keys_destroy(&fz_out);
    sodium_memzero(fz_share, sizeof fz_share);
    fz_up = 0;
}

/* ---- the service ---- */

/* The journal's records since the last look: how many, and the last. */
struct fz_journal {
    size_t n;
    int status;
    uint32_t count;
    uint8_t member[32];
    uint8_t id[16];
};

static int
fz_journal_one(void *ctx, const Seen__OprfRecord *r)
{
    struct fz_journal *j = ctx;

    j->n++;
    j->status = r->status;
    j->count = r->count;
    if (r->member.len != 32 || r->request_id.len != 16)
        abort();
    memcpy(j->member, r->member.data, 32);
    memcpy(j->id, r->request_id.data, 16);
    return 0;
}

/* Read and drop what the service journalled since the last call. */
static void
fz_journal_take(struct fz_journal *j)
{
    struct seen_cjournal *cj = fz_svc->journal;
    uint64_t end = 0;

    memset(j, 0, sizeof *j);
    if (seen_cjournal_read(cj, fz_journal_one, j, &end) != 0 ||
        seen_cjournal_consume(cj, end) != 0)
        abort();
}

/* The asker's counts of the day: the whole day's, and ${op}'s. */
static void
fz_counts(const char *op, uint64_t *m, uint64_t *o)
{

    pthread_mutex_lock(&fz_svc->mu);
    *m = cust_count_get(fz_svc, fz_asker->sign_pk, "");
    *o = cust_count_get(fz_svc, fz_asker->sign_pk, op);
    pthread_mutex_unlock(&fz_svc->mu);
}

/* 1 if ${ev} keeps every rule a request served must keep. */
static int
fz_eval_ok(const Seen__OprfEval *ev, size_t *me)
{
    size_t i, j;

    *me = SIZE_MAX;
    if (ev->request_id.len != 16 || ev->epoch != FUZZ_EPOCH ||
        ev->n_blinded < 1 || ev->n_blinded > SEEN_CUSTODIAN_BATCH_MAX ||
        ev->n_indexes < FUZZ_T || ev->n_indexes > FUZZ_NCUST)
        return 0;
    for (i = 0; i < ev->n_indexes; i++) {
        if (ev->indexes[i] < 1 || ev->indexes[i] > FUZZ_NCUST)
            return 0;
        for (j = 0; j < i; j++)
            if (ev->indexes[j] == ev->indexes[i])
                return 0;
        if (ev->indexes[i] == fz_index)
            *me = i;
    }
    for (i = 0; i < ev->n_blinded; i++)
        if (ev->blinded[i].len != 32)
            return 0;
    return *me != SIZE_MAX;
}

/* Check the OK answer ${res} to ${ev}: every element recomputed. */
static void
fz_check_served(const Seen__OprfEval *ev, const Seen__OprfResult *res)
{
    uint8_t w[32], e[32];
    size_t me, i;

    if (!fz_eval_ok(ev, &me) || res->n_evaluated != ev->n_blinded ||
        seen_oprf_weighted_share(fz_share, ev->indexes, ev->n_indexes, me,
            w) != 0)
        abort();
    for (i = 0; i < ev->n_blinded; i++)
        if (res->evaluated[i].len != 32 ||
            seen_oprf_evaluate(w, ev->blinded[i].data, e) != 0 ||
            memcmp(e, res->evaluated[i].data, 32) != 0)
            abort();
    sodium_memzero(w, sizeof w);
}

/* Only the custodian signs its answers. */
static int
fz_is_cust(void *ctx, const uint8_t pk[static 32])
{

    return memcmp(ctx, pk, 32) == 0;
}

/* Send the envelope ${env} on the connection of ${user}, with ${ev} the
 * request it holds (NULL: none that decodes from an active member);
 * check what comes back. */
static void
fz_serve_one(const uint8_t *env, size_t elen, const char *user,
    const Seen__OprfEval *ev)
{
    const char *op = ev != NULL && ev->operator_ != NULL &&
                             ev->operator_[0] != '\0'
                         ? ev->operator_
                         : "-";
    int import = ev != NULL && ev->purpose != NULL &&
                 strcmp(ev->purpose, "import") == 0;
    struct seen_envelope_view v;
    struct fz_journal j;
    Seen__OprfResult *res;
    uint64_t m0, o0, m1, o1, e0;
    uint8_t *out;
    size_t olen;
    int rc;

    fz_counts(op, &m0, &o0);
    e0 = fz_svc->evaluations;
    rc = cust_answer(fz_svc, env, elen, user, &out, &olen);
    fz_journal_take(&j);
    fz_counts(op, &m1, &o1);
    if (m1 > FUZZ_LIM_MEMBER || (!import && o1 > FUZZ_LIM_OPERATOR))
        abort(); /* over the limits */
    if (rc == SEEN_EINVAL) { /* dropped: nothing journalled or counted */
        fz_seen.dropped++;
        if (j.n != 0 || m1 != m0 || o1 != o0 || out != NULL ||
            (ev != NULL && ev->request_id.len == 16 && ev->n_blinded >= 1 &&
                seen_xlog_oprf_purpose_ok(ev->purpose)))
            abort(); /* or a member's well-formed request dropped */
        return;
    }
    if (rc != 0 || ev == NULL || j.n != 1 ||
        memcmp(j.member, fz_asker->sign_pk, 32) != 0 ||
        j.count != ev->n_blinded ||
        seen_envelope_open(out, olen, fz_asker->sign_pk, fz_is_cust,
            fz_ck[0]->sign_pk, (uint64_t)time(NULL), &v) != 0)
        abort();
    if (v.type != SEEN__MSG_TYPE__OPRF_RESULT ||
        (res = seen__oprf_result__unpack(NULL, v.blen, v.body)) == NULL ||
        res->request_id.len != 16 ||
        memcmp(res->request_id.data, ev->request_id.data, 16) != 0 ||
        memcmp(j.id, ev->request_id.data, 16) != 0 ||
        j.status != (int)res->status)
        abort();
    if (res->status == SEEN__OPRF_STATUS__OPRF_OK) {
        fz_seen.served++;
        fz_check_served(ev, res);
        if (m1 != m0 + ev->n_blinded ||
            fz_svc->evaluations != e0 + ev->n_blinded)
            abort();
    } else {
        if (res->status == SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT)
            fz_seen.limit++;
        else
            fz_seen.refused++;
        if (res->n_evaluated != 0 || m1 != m0 || o1 != o0 ||
            fz_svc->evaluations != e0)
            abort(); /* a refusal evaluated or counted something */
    }
    seen__oprf_result__free_unpacked(res, NULL);
    seen_envelope_release(&v);
    free(out);
}

/* Start the day afresh: no counts, no request ids remembered. */
static void
fz_new_day(void)
{

    pthread_mutex_lock(&fz_svc->mu);
    fz_svc->ncounts = 0;
    fz_svc->nrecent = 0;
    pthread_mutex_unlock(&fz_svc->mu);
}

/* The service's mode: ${who} sends the requests of ${p} (${n} bytes). */
static void
fz_service(int who, const uint8_t *p, size_t n)
{
    const struct seen_keys *from = who == 1 ? fz_out : fz_asker;
    const char *user = who == 2 ? fz_hex_other : fz_hex_asker;
    Seen__OprfEval *ev;
    uint8_t *env;
    size_t elen, len, k;

    fz_new_day();
    if (who == 3) {
        fz_serve_one(p, n, user, NULL);
        return;
    }
    for (k = 0; k < FUZZ_REQS && n >= 2; k++) {
        len = (size_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
        if (len > n)
            len = n;
        if (seen_envelope_seal(from, fz_ck[0]->sign_pk,
                SEEN__MSG_TYPE__OPRF_EVAL, p, len, NULL,
                (uint64_t)time(NULL), &env, &elen) != 0) {
            p += len;
            n -= len;
            continue;
        }
        /* The oracle's view: what an active member on its own
         * connection asked, if it decodes. */
        ev = who == 0 ? seen__oprf_eval__unpack(NULL, len, p) : NULL;
        fz_serve_one(env, elen, user, ev);
        if (ev != NULL)
            seen__oprf_eval__free_unpacked(ev, NULL);
        free(env);
        p += len;
        n -= len;
    }
}

/* ---- the client ---- */

/* The client's mode: ${who} answers ${n} elements asked with the body
 * (or, ${who} 3, the envelope) ${p} (${len} bytes). */
static void
fz_client(int who, size_t n, const uint8_t *p, size_t len)
{
    static const uint8_t idn[32];
    const struct seen_keys *from = who == 1   ? fz_ck[1]
                                   : who == 2 ? fz_asker
                                              : fz_ck[0];
    const uint8_t *rid = (const uint8_t *)FUZZ_REQUEST_ID;
    struct seen_oprf_answer ans;
    struct seen_envelope_view v;
    Seen__OprfResult *res = NULL;
    uint8_t got[8][32], *env = NULL;
    size_t elen = len, j;
    int rc, opened;

    if (who != 3) {
        if (seen_envelope_seal(from, fz_asker->sign_pk,
                SEEN__MSG_TYPE__OPRF_RESULT, p, len, NULL,
                (uint64_t)time(NULL), &env, &elen) != 0)
            return;
        p = env;
    }
    memset(got, 0, sizeof got);
    rc = seen_oprf_answer_read(fz_asker, fz_ck[0]->sign_pk, p, elen, rid, n,
        got, &ans);
    /* The oracle: the custodian's own signed result to the asker. */
    opened = seen_envelope_open(p, elen, fz_asker->sign_pk, fz_is_cust,
                 fz_ck[0]->sign_pk, (uint64_t)time(NULL), &v) == 0 &&
             v.type == SEEN__MSG_TYPE__OPRF_RESULT &&
             (res = seen__oprf_result__unpack(NULL, v.blen, v.body)) != NULL &&
             res->request_id.len == 16;
    if ((rc != -1 || ans.answered) && !opened)
        abort(); /* read something not the custodian's */
    if (rc == 0 && memcmp(res->request_id.data, rid, 16) == 0)
        abort(); /* passed over its own request's answer */
    if (ans.answered && (memcmp(res->request_id.data, rid, 16) != 0 ||
                            ans.status != (int)res->status))
        abort();
    fz_seen.accepted += rc == 1;
    fz_seen.passed += rc == 0;
    fz_seen.answered += rc == -1 && ans.answered;
    fz_seen.unread += rc == -1 && !ans.answered;
    if (rc == 1) {
        if (!ans.answered || res->status != SEEN__OPRF_STATUS__OPRF_OK ||
            res->n_evaluated != n)
            abort();
        for (j = 0; j < n; j++)
            if (res->evaluated[j].len != 32 ||
                !crypto_core_ristretto255_is_valid_point(
                    res->evaluated[j].data) ||
                memcmp(res->evaluated[j].data, idn, 32) == 0 ||
                memcmp(got[j], res->evaluated[j].data, 32) != 0)
                abort(); /* accepted a bad element */
    }
    if (res != NULL)
        seen__oprf_result__free_unpacked(res, NULL);
    seen_envelope_release(&v);
    free(env);
}

/* ---- seeds ---- */

/* A growing input. */
struct fz_buf {
    uint8_t b[8192];
    size_t n;
};

/* Append ${len} bytes of ${p} to ${fb}, with a 2-byte length first when
 * ${framed}. */
static void
fz_put(struct fz_buf *fb, const uint8_t *p, size_t len, int framed)
{

    if (fb->n + len + 2 > sizeof fb->b)
        abort();
    if (framed) {
        fb->b[fb->n++] = (uint8_t)(len >> 8);
        fb->b[fb->n++] = (uint8_t)len;
    }
    memcpy(fb->b + fb->n, p, len);
    fb->n += len;
}

/* The element number ${i}: blind·HashToGroup("seed i"), the blind made
 * from ${i} too (the same bytes each time). */
static void
fz_element(unsigned int i, uint8_t e[32])
{
    uint8_t h[64], blind[32];
    char in[16];

    snprintf(in, sizeof in, "seed %u", i);
    crypto_generichash(h, sizeof h, (const uint8_t *)in, strlen(in), NULL,
        0);
    crypto_core_ristretto255_scalar_reduce(blind, h);
    if (seen_oprf_blind(SEEN_OPRF_MODE_OPRF, (const uint8_t *)in,
            strlen(in), blind, e) != 0)
        abort();
}

/* Append an OprfEval of ${n} elements (the 32 bytes "bad" when ${bad})
 * asking ${idx} (${k} indexes) for ${purpose} by ${op}, with the request
 * id "seed request NNN" of ${id}, to ${fb}, framed. */
static void
fz_put_eval(struct fz_buf *fb, unsigned int id, uint32_t epoch,
    const uint32_t *idx, size_t k, const char *purpose, const char *op,
    size_t n, int bad)
{
    Seen__OprfEval ev = SEEN__OPRF_EVAL__INIT;
    ProtobufCBinaryData bd[32];
    uint8_t el[32][32], rid[17], body[2048];
    size_t i;

    if (n > 32)
        abort();
    snprintf((char *)rid, sizeof rid, "seed request %03u", id);
    for (i = 0; i < n; i++) {
        fz_element((unsigned int)i, el[i]);
        if (bad)
            memset(el[i], 0xff, 32); /* not an element */
        bd[i] = (ProtobufCBinaryData){32, el[i]};
    }
    ev.request_id = (ProtobufCBinaryData){16, rid};
    ev.epoch = epoch;
    ev.n_indexes = k;
    ev.indexes = (uint32_t *)(uintptr_t)idx;
    ev.purpose = (char *)(uintptr_t)purpose;
    ev.operator_ = (char *)(uintptr_t)op;
    ev.n_blinded = n;
    ev.blinded = bd;
    if (seen__oprf_eval__get_packed_size(&ev) > sizeof body)
        abort();
    fz_put(fb, body, seen__oprf_eval__pack(&ev, body), 1);
}

/* Append an OprfResult with ${status}, ${n} elements (the identity at
 * ${zero} unless it is SIZE_MAX) and the request id ${rid}, to ${fb}. */
static void
fz_put_result(struct fz_buf *fb, const char *rid, int status, size_t n,
    size_t zero)
{
    Seen__OprfResult res = SEEN__OPRF_RESULT__INIT;
    ProtobufCBinaryData bd[8];
    uint8_t el[8][32], body[1024];
    size_t i;

    for (i = 0; i < n; i++) {
        fz_element((unsigned int)(100 + i), el[i]);
        if (i == zero)
            memset(el[i], 0, 32);
        bd[i] = (ProtobufCBinaryData){32, el[i]};
    }
    res.request_id = (ProtobufCBinaryData){16, (uint8_t *)(uintptr_t)rid};
    res.status = status;
    res.epoch = FUZZ_EPOCH;
    res.remaining = 9;
    res.n_evaluated = status == SEEN__OPRF_STATUS__OPRF_OK ? n : 0;
    res.evaluated = bd;
    fz_put(fb, body, seen__oprf_result__pack(&res, body), 0);
}

/* Write ${fb} as ${dir}/${name}. */
static void
fz_write(const char *dir, const char *name, const struct fz_buf *fb)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "wb")) == NULL ||
        fwrite(fb->b, 1, fb->n, f) != fb->n || fclose(f) != 0)
        abort();
}

/* The first byte of a service input sent by ${who}. */
#define FZ_SERVICE(who) ((uint8_t)((who) << 1))
/* The first byte of a client input answered by ${who}, ${n} asked. */
#define FZ_CLIENT(who, n) ((uint8_t)(1 | (who) << 1 | ((n) - 1) << 3))

/* The service's seeds. */
static void
fz_seeds_service(const char *dir)
{
    static const uint32_t i12[] = {1, 2}, i13[] = {1, 3}, i312[] = {3, 1, 2},
                          i23[] = {2, 3}, i11[] = {1, 1};
    struct fz_buf fb;
    uint8_t m;
    int w;

    for (w = 0; w < 3; w++) { /* a query, as each sender */
        static const char *names[] = {"eval-query", "eval-not-member",
            "eval-other-connection"};

        m = FZ_SERVICE(w);
        fb.n = 0;
        fz_put(&fb, &m, 1, 0);
        fz_put_eval(&fb, 1, FUZZ_EPOCH, i12, 2, "query", "lead1", 3, 0);
        fz_write(dir, names[w], &fb);
    }
    m = FZ_SERVICE(0);
    fb.n = 0;
    fz_put(&fb, &m, 1, 0);
    fz_put_eval(&fb, 2, FUZZ_EPOCH, i13, 2, "import", "", 5, 0);
    fz_put_eval(&fb, 3, FUZZ_EPOCH, i312, 3, "report", "lead2", 1, 0);
    fz_put_eval(&fb, 4, FUZZ_EPOCH, i12, 2, "chronology", "lead1", 2, 0);
    fz_put_eval(&fb, 5, FUZZ_EPOCH, i12, 2, "check", "admin", 1, 0);
    fz_write(dir, "eval-each-purpose", &fb);
    fb.n = 1;
    fz_put_eval(&fb, 6, FUZZ_EPOCH, i12, 2, "query", "lead1", 2, 0);
    fz_put_eval(&fb, 6, FUZZ_EPOCH, i12, 2, "query", "lead1", 2, 0);
    fz_write(dir, "eval-replayed", &fb);
    fb.n = 1; /* the operator's limit, then the member's */
    fz_put_eval(&fb, 7, FUZZ_EPOCH, i12, 2, "query", "lead1", 10, 0);
    fz_put_eval(&fb, 8, FUZZ_EPOCH, i12, 2, "query", "lead1", 3, 0);
    fz_put_eval(&fb, 9, FUZZ_EPOCH, i13, 2, "import", "", 30, 0);
    fz_put_eval(&fb, 10, FUZZ_EPOCH, i13, 2, "query", "lead2", 1, 0);
    fz_write(dir, "eval-over-limits", &fb);
    fb.n = 1;
    fz_put_eval(&fb, 11, FUZZ_EPOCH + 1, i12, 2, "query", "lead1", 1, 0);
    fz_put_eval(&fb, 12, FUZZ_EPOCH, i23, 2, "query", "lead1", 1, 0);
    fz_put_eval(&fb, 13, FUZZ_EPOCH, i11, 2, "query", "lead1", 1, 0);
    fz_put_eval(&fb, 14, FUZZ_EPOCH, i12, 2, "query", "lead1", 2, 1);
    fz_put_eval(&fb, 15, FUZZ_EPOCH, i12, 2, "guess", "lead1", 1, 0);
    fz_put_eval(&fb, 16, FUZZ_EPOCH, i12, 1, "query", "lead1", 1, 0);
    fz_write(dir, "eval-refused", &fb);
}

/* The client's seeds. */
static void
fz_seeds_client(const char *dir)
{
    static const struct {
        const char *name;
        uint8_t mode;
        const char *rid;
        int status;
        size_t n, zero;
    } s[] = {
        {"result-ok", FZ_CLIENT(0, 3), FUZZ_REQUEST_ID,
            SEEN__OPRF_STATUS__OPRF_OK, 3, SIZE_MAX},
        {"result-refused", FZ_CLIENT(0, 3), FUZZ_REQUEST_ID,
            SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT, 0, SIZE_MAX},
        {"result-earlier", FZ_CLIENT(0, 1), "an earlier req 1",
            SEEN__OPRF_STATUS__OPRF_OK, 1, SIZE_MAX},
        {"result-count", FZ_CLIENT(0, 2), FUZZ_REQUEST_ID,
            SEEN__OPRF_STATUS__OPRF_OK, 3, SIZE_MAX},
        {"result-identity", FZ_CLIENT(0, 2), FUZZ_REQUEST_ID,
            SEEN__OPRF_STATUS__OPRF_OK, 2, 1},
        {"result-other-custodian", FZ_CLIENT(1, 1), FUZZ_REQUEST_ID,
            SEEN__OPRF_STATUS__OPRF_OK, 1, SIZE_MAX},
    };
    struct fz_buf fb;
    size_t i;

    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        fb.n = 0;
        fz_put(&fb, &s[i].mode, 1, 0);
        fz_put_result(&fb, s[i].rid, s[i].status, s[i].n, s[i].zero);
        fz_write(dir, s[i].name, &fb);
    }
}

/**
 * fuzz_custodian_seeds(dir):
 * Write the seeds into the folder ${dir} (tests/fuzz/corpus/custodian):
 * requests of each purpose, from each sender, a replay, a sequence over
 * the limits and requests each rule refuses; results accepted, refused,
 * of an earlier request, of a wrong count, with the identity, and signed
 * by another custodian.  Aborts when it cannot.
 */
static void fuzz_custodian_seeds(const char *dir) __attribute__((unused));
static void
fuzz_custodian_seeds(const char *dir)
{

    if (sodium_init() < 0)
        abort();
    fz_seeds_service(dir);
    fz_seeds_client(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

    if (size == 0)
        return 0;
    fz_start();
    if ((data[0] & 1) == 0)
        fz_service((data[0] >> 1) & 3, data + 1, size - 1);
    else
        fz_client((data[0] >> 1) & 3, 1 + ((data[0] >> 3) & 7), data + 1,
            size - 1);
    return 0;
}

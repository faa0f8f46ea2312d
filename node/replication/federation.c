#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/replication/federation.h"
#include "node/transport/net.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/feed_entry.h"
#include "proto/membership.h"
#include "storage/alerts.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/members.h"
#include "storage/replay.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define HEADS_EVERY 5.0   /* seconds between unprompted HEADS to a peer */
#define WANT_TIMEOUT 10.0 /* seconds before a range request is retried */
#define ROUND_MAX 64      /* messages applied in one transaction */
#define CONNECTED_WITHIN 10
#define OUTQ_MAX 4096    /* envelopes waiting for the next flush */
#define XPROOF_EVERY 5.0 /* seconds between GET_XPROOFs to a peer */
#define XPROOF_TIMEOUT 10.0 /* seconds before an unanswered one is retried */

struct peer {
    uint8_t pk[32];
    char name[64];
    uint64_t last_rx;
    double last_heads;
    uint64_t gen_sent;
    uint64_t refused;
    /* Consistency proofs of its exchange log asked of it (GET_XPROOF):
     * when last asked, whether that one is unanswered, and whether one
     * it gave did not hold (then it is asked no more). */
    double xp_at;
    int xp_out;
    int xp_bad;
    uint64_t cosigs; /* its cosignatures of our checkpoints, kept */
    uint64_t shown;  /* times it showed us its checkpoint of our log */
};

struct want {
    uint8_t origin[32];
    uint8_t peer[32];
    uint64_t to;
    double at;
};

struct msg {
    uint8_t sender[32];
    uint8_t *buf;
    size_t len;
};

/* A body waiting to be sealed, logged and sent (fed_flush). */
struct outmsg {
    uint8_t to[32];
    int type;
    uint8_t *body;
    size_t blen;
};

struct seen_fed {
    struct seen_store *store;
    const struct seen_keys *keys;
    struct seen_net *net;
    uint8_t authority[32];
    int pinned;
    struct seen_membership *doc;
    char filter[1024];
    struct peer *peers;
    size_t npeers;
    struct want *wants;
    size_t nwants;
    struct seen_replay *replay;
    uint64_t gen;
    seen_fed_adopt_fn *adopt;
    void *actx;
    struct msg round[ROUND_MAX];
    size_t nround;
    struct {
        uint64_t unknown, signature, replay, malformed, inconsistent,
            mismatch, other;
    } refused;
    uint64_t applied;
    double last_prune;
    struct outmsg *outq;
    size_t nout, capout;
    struct {
        uint64_t sent, dropped, cosigned, cosignatures, asked, served;
        int halted;
    } xlog;
    struct {
        uint8_t origin[32];
        uint64_t size;
        uint8_t *cp;
        size_t len;
    } evidence[8];
    size_t nevidence;
    seen_fed_msg_fn *handler;
    void *hctx;
};

#define EVIDENCE_MAX 8

/* Write the evidence found while handling a message into ${txn}. */
static void
evidence_flush(struct seen_fed *fed, struct seen_txn *txn)
{
    size_t i;

    for (i = 0; i < fed->nevidence; i++) {
        if (seen_alerts_put_evidence(txn, fed->evidence[i].origin,
                fed->evidence[i].size, fed->evidence[i].cp,
                fed->evidence[i].len) != 0)
            seen_warn("cannot keep evidence of an inconsistent checkpoint");
        free(fed->evidence[i].cp);
    }
    fed->nevidence = 0;
}

static void
short_hex(char *buf, size_t len, const uint8_t pk[32])
{
    char hex[17];

    sodium_bin2hex(hex, sizeof hex, pk, 8);
    snprintf(buf, len, "node-%s", hex);
}

/**
 * seen_fed_origin_name(fed, pk, buf, len):
 * Return the member name of origin ${pk}, or a short hex form of it
 * written to ${buf}.
 */
const char *
seen_fed_origin_name(struct seen_fed *fed, const uint8_t pk[static 32],
    char *buf, size_t len)
{
    const Seen__Member *m;

    if (fed->doc != NULL && (m = seen_membership_by_sign(fed->doc, pk)) != NULL)
        return m->name;
    short_hex(buf, len, pk);
    return buf;
}

/**
 * seen_fed_origin_type(fed, pk):
 * Return the agency type ("social_care", "police"...) of member ${pk}, or
 * NULL when it is not in the document held.
 */
const char *
seen_fed_origin_type(struct seen_fed *fed, const uint8_t pk[static 32])
{
    const Seen__Member *m;

    if (fed->doc == NULL || (m = seen_membership_by_sign(fed->doc, pk)) == NULL)
        return NULL;
    return seen_membership_type_name(m->type);
}

/* ---- membership ---- */

static int
admit(void *ctx, const uint8_t curve_pk[static 32], uint8_t sign_pk[static 32])
{
    struct seen_fed *fed = ctx;
    const Seen__Member *m;

    if (fed->doc == NULL ||
        (m = seen_membership_by_curve(fed->doc, curve_pk)) == NULL ||
        !seen_membership_active(m) || m->sign_pk.len != 32)
        return 0;
    memcpy(sign_pk, m->sign_pk.data, 32);
    return 1;
}

static int
sender_ok(void *ctx, const uint8_t pk[static 32])
{
    struct seen_fed *fed = ctx;
    const Seen__Member *m;

    return fed->doc != NULL &&
        (m = seen_membership_by_sign(fed->doc, pk)) != NULL &&
        seen_membership_active(m);
}

static int
origin_active(struct seen_fed *fed, const uint8_t pk[32])
{

    return sender_ok(fed, pk);
}

static int
in_filter(const char *filter, const char *name)
{
    const char *p = filter;
    size_t n = strlen(name);

    if (filter[0] == '\0')
        return 1;
    while ((p = strstr(p, name)) != NULL) {
        if ((p == filter || p[-1] == ',' || p[-1] == ' ') &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

static struct peer *
find_peer(struct seen_fed *fed, const uint8_t pk[32])
{
    size_t i;

    for (i = 0; i < fed->npeers; i++)
        if (memcmp(fed->peers[i].pk, pk, 32) == 0)
            return &fed->peers[i];
    return NULL;
}

/* Connect to the active members of the held document; drop the rest. */
static void
connect_peers(struct seen_fed *fed)
{
    struct peer *np, *old;
    const Seen__Member *m;
    size_t i, n = 0, count;

    count = fed->doc ? seen_membership_count(fed->doc) : 0;
    if ((np = calloc(count ? count : 1, sizeof *np)) == NULL)
        return;
    for (i = 0; i < count; i++) {
        m = seen_membership_member(fed->doc, i);
        if (memcmp(m->sign_pk.data, fed->keys->sign_pk, 32) == 0 ||
            !seen_membership_active(m) || !in_filter(fed->filter, m->name))
            continue;
        if (seen_net_peer(fed->net, m->sign_pk.data, m->curve_pk.data,
                m->endpoint, m->name) != 0)
            continue;
        memcpy(np[n].pk, m->sign_pk.data, 32);
        snprintf(np[n].name, sizeof np[n].name, "%s", m->name);
        if ((old = find_peer(fed, np[n].pk)) != NULL) {
            np[n].last_rx = old->last_rx;
            np[n].refused = old->refused;
            np[n].xp_at = old->xp_at;
            np[n].xp_out = old->xp_out;
            np[n].xp_bad = old->xp_bad;
            np[n].cosigs = old->cosigs;
            np[n].shown = old->shown;
        }
        n++;
    }
    /* Disconnect members no longer active. */
    for (i = 0; i < fed->npeers; i++) {
        size_t j;
        int keep = 0;

        for (j = 0; j < n; j++)
            if (memcmp(np[j].pk, fed->peers[i].pk, 32) == 0)
                keep = 1;
        if (!keep)
            seen_net_drop_peer(fed->net, fed->peers[i].pk);
    }
    free(fed->peers);
    fed->peers = np;
    fed->npeers = n;
}

static void
adopted(struct seen_fed *fed)
{
    uint8_t key[32];
    uint32_t epoch;

    connect_peers(fed);
    fed->gen++;
    if (fed->adopt == NULL)
        return;
    if (seen_membership_match_key(fed->doc, fed->keys, key, &epoch) == 0)
        fed->adopt(fed->actx, key, epoch);
    else
        fed->adopt(fed->actx, NULL, 0);
    sodium_memzero(key, sizeof key);
}

/* Verify ${doc} and, when newer, make it the held one inside ${txn}. */
static int
install_txn(struct seen_fed *fed, struct seen_txn *txn, const uint8_t *doc,
    size_t len, const uint8_t *authority)
{
    struct seen_membership *m;
    const Seen__Member *me;
    const uint8_t *auth = fed->pinned ? fed->authority : authority;
    int rc;

    if (auth == NULL) {
        seen_warn("membership: no federation authority is pinned");
        return SEEN_EAUTH;
    }
    if ((rc = seen_membership_open(doc, len, auth, &m)) != 0)
        return rc;
    if (fed->doc != NULL &&
        seen_membership_version(m) <= seen_membership_version(fed->doc)) {
        seen_membership_destroy(&m);
        return SEEN_EEXIST;
    }
    if ((me = seen_membership_by_sign(m, fed->keys->sign_pk)) == NULL ||
        !seen_membership_active(me))
        seen_notice("membership version %llu does not list this node as "
                    "an active member",
            (unsigned long long)seen_membership_version(m));
    if ((rc = seen_members_set_current(txn, doc, len)) != 0 ||
        (!fed->pinned &&
            (rc = seen_members_pin_authority(txn, auth)) != 0)) {
        seen_membership_destroy(&m);
        return rc;
    }
    if (!fed->pinned) {
        memcpy(fed->authority, auth, 32);
        fed->pinned = 1;
    }
    seen_membership_destroy(&fed->doc);
    fed->doc = m;
    seen_info("adopted membership version %llu of '%s' (%zu members, "
              "epoch %u)",
        (unsigned long long)seen_membership_version(m),
        seen_membership_federation(m), seen_membership_count(m),
        seen_membership_epoch(m));
    return SEEN_OK;
}

/**
 * seen_fed_install(fed, doc, len, authority):
 * Adopt the membership document ${doc} when it is valid, signed by the
 * pinned authority (or, when none is pinned yet, by ${authority}, which
 * is then pinned) and newer than the one held.  Returns 0 (adopted);
 * SEEN_EEXIST when it is not newer (nothing changed); SEEN_EAUTH for a
 * document not signed by the pinned authority; SEEN_EPERM when this node
 * is not an active member of it; SEEN_EINVAL when malformed.
 */
int
seen_fed_install(struct seen_fed *fed, const uint8_t *doc, size_t len,
    const uint8_t *authority)
{
    struct seen_txn *txn;
    int rc;

    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0)
        return rc;
    if ((rc = install_txn(fed, txn, doc, len, authority)) != 0) {
        seen_store_abort(txn);
        return rc;
    }
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    adopted(fed);
    return SEEN_OK;
}

/**
 * seen_fed_match_key(fed, key, epoch):
 * Write the match key the held document grants this node, and its epoch.
 * Returns 0 or SEEN_ENOTFOUND (no document, or no grant).
 */
int
seen_fed_match_key(struct seen_fed *fed, uint8_t key[static 32],
    uint32_t *epoch)
{

    if (fed->doc == NULL)
        return SEEN_ENOTFOUND;
    return seen_membership_match_key(fed->doc, fed->keys, key, epoch) == 0
        ? SEEN_OK
        : SEEN_ENOTFOUND;
}

/* ---- sending ---- */

/*
 * Every envelope carries this node's latest exchange-log checkpoint and is
 * logged as sent before it leaves (DESIGN.md "Exchange log and audit").
 * Signing a checkpoint and logging need the store's write transaction,
 * which LMDB gives one per thread: send_body() may run inside a round's
 * transaction or outside any, so it only queues the body, and
 * fed_flush() seals, logs and sends the queue in a transaction of its
 * own, after the round's has ended.
 */

/* Queue ${blen} bytes of ${body} (copied) as a message of ${type}. */
static int
queue_raw(struct seen_fed *fed, const uint8_t to[32], int type,
    const uint8_t *body, size_t blen)
{
    struct outmsg *q;
    void *p;

    if (fed->nout >= OUTQ_MAX) {
        fed->xlog.dropped++;
        return SEEN_EAGAIN;
    }
    if (fed->nout == fed->capout) {
        size_t cap = fed->capout ? 2 * fed->capout : 64;

        if ((p = realloc(fed->outq, cap * sizeof *q)) == NULL)
            return SEEN_ENOMEM;
        fed->outq = p;
        fed->capout = cap;
    }
    q = &fed->outq[fed->nout];
    if ((q->body = malloc(blen ? blen : 1)) == NULL)
        return SEEN_ENOMEM;
    if (blen > 0)
        memcpy(q->body, body, blen);
    memcpy(q->to, to, 32);
    q->type = type;
    q->blen = blen;
    fed->nout++;
    return SEEN_OK;
}

static int
send_body(struct seen_fed *fed, const uint8_t to[32], int type,
    const ProtobufCMessage *body)
{
    uint8_t stackbuf[4096], *b = stackbuf;
    size_t blen;
    int rc;

    blen = protobuf_c_message_get_packed_size(body);
    if (blen > sizeof stackbuf && (b = malloc(blen)) == NULL)
        return SEEN_ENOMEM;
    protobuf_c_message_pack(body, b);
    rc = queue_raw(fed, to, type, b, blen);
    if (b != stackbuf)
        free(b);
    return rc;
}

static void
outq_clear(struct seen_fed *fed)
{
    size_t i;

    for (i = 0; i < fed->nout; i++)
        free(fed->outq[i].body);
    fed->nout = 0;
}

/*
 * The body of an XPROOF, written at the last moment: queued, it is the
 * GetXProof it answers (on_get_xproof checked it), and it proves up to
 * ${hc}, the checkpoint its envelope will carry (the newest this node
 * has signed), so that the asker settles everything it waits for at once.
 * Without ${hc} (the node does not sign), up to the size asked.  The
 * caller frees *${out}.
 */
static int
xproof_body(struct seen_txn *txn, const Seen__Checkpoint *hc,
    const uint8_t *req, size_t rlen, uint8_t **out, size_t *olen)
{
    Seen__GetXProof *g;
    Seen__XProof x = SEEN__XPROOF__INIT;
    Seen__Checkpoint *c = NULL;
    ProtobufCBinaryData pv[SEEN_MERKLE_PROOF_MAX];
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    const uint8_t *cp;
    size_t cplen, plen, i;
    int rc;

    *out = NULL;
    if ((g = seen__get_xproof__unpack(NULL, rlen, req)) == NULL)
        return SEEN_EINVAL;
    rc = SEEN_ENOTFOUND;
    if (hc != NULL && hc->size > g->to)
        rc = seen_xlog_prove(txn, g->from, hc->size, &cp, &cplen, proof, &plen);
    if (rc == SEEN_ENOTFOUND)
        rc = seen_xlog_prove(txn, g->from, g->to, &cp, &cplen, proof, &plen);
    if (rc != 0 || (rc = seen_checkpoint_decode(cp, cplen, &c)) != 0)
        goto done;
    for (i = 0; i < plen; i++)
        pv[i] = (ProtobufCBinaryData){32, proof[i]};
    x.from = g->from;
    x.to = c->size;
    x.n_proof = plen;
    x.proof = pv;
    x.checkpoint = c;
    *olen = seen__xproof__get_packed_size(&x);
    if ((*out = malloc(*olen)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    seen__xproof__pack(&x, *out);
    rc = SEEN_OK;
done:
    seen_checkpoint_destroy(&c);
    seen__get_xproof__free_unpacked(g, NULL);
    return rc;
}

/*
 * Seal every queued body with this node's latest exchange-log checkpoint
 * (signed now if the log grew), log each envelope as sent, commit, and
 * only then hand them to the transport: nothing leaves that is not
 * logged.  Never call it inside a write transaction.
 */
static void
fed_flush(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    const Seen__Checkpoint *hc = &cp;
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], **env;
    struct seen_txn *txn;
    size_t *elen, i, n = fed->nout;
    uint64_t now = seen_clock_wall();
    int rc;

    if (n == 0)
        return;
    env = calloc(n, sizeof *env);
    elen = calloc(n, sizeof *elen);
    if (env == NULL || elen == NULL) {
        seen_warn("replication: out of memory: %zu messages not sent", n);
        goto out;
    }
    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0) {
        seen_warn("replication: cannot log messages to send: %s",
            seen_strerror(rc));
        goto out;
    }
    rc = seen_xlog_checkpoint(txn, fed->keys, now, &cp, cpbuf);
    if (rc == SEEN_EPERM) {
        /* The node holds evidence against its own log (xlog.h), or an
         * operator resolved it and the log is not above the floor yet:
         * it goes on exchanging, logged, but signs nothing. */
        if (!fed->xlog.halted) {
            if (seen_xlog_halted(txn) == 1)
                seen_warn("exchange log: this node refuses to sign "
                          "checkpoints of its log; envelopes go without one "
                          "until an operator resolves it");
            else
                seen_notice("exchange log: this node does not sign "
                            "checkpoints of its log until it is longer "
                            "than any it has signed");
        }
        fed->xlog.halted = 1;
        hc = NULL;
    } else if (rc != 0) {
        seen_store_abort(txn);
        seen_warn("exchange log: cannot sign a checkpoint: %s",
            seen_strerror(rc));
        goto out;
    } else {
        if (fed->xlog.halted)
            seen_notice("exchange log: this node signs checkpoints of its "
                        "log again (size %llu)",
                (unsigned long long)cp.size);
        fed->xlog.halted = 0;
    }
    for (i = 0; i < n; i++) {
        struct outmsg *q = &fed->outq[i];
        const uint8_t *body = q->body;
        size_t blen = q->blen;
        uint8_t *xb = NULL;

        if (q->type == SEEN__MSG_TYPE__XPROOF) {
            if (xproof_body(txn, hc, q->body, q->blen, &xb, &blen) != 0) {
                env[i] = NULL;
                continue;
            }
            body = xb;
        }
        rc = seen_envelope_seal(
            fed->keys, q->to, q->type, body, blen, hc, now, &env[i], &elen[i]);
        free(xb);
        if (rc != 0) {
            env[i] = NULL;
            continue;
        }
        rc = seen_xlog_sent(txn, fed->keys, env[i], elen[i], now, NULL);
        if (rc == SEEN_EINVAL) { /* nothing written: not sent either */
            free(env[i]);
            env[i] = NULL;
            continue;
        }
        if (rc != 0) {
            seen_store_abort(txn);
            seen_warn("exchange log: cannot log messages to send: %s",
                seen_strerror(rc));
            goto out;
        }
    }
    if ((rc = seen_store_commit(txn)) != 0) {
        seen_warn("exchange log: commit failed, %zu messages not sent: %s", n,
            seen_strerror(rc));
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (env[i] == NULL)
            continue;
        /* Non-blocking: a full queue drops the message (counted by the
         * transport); replication asks again later. */
        if (seen_net_send(fed->net, fed->outq[i].to, env[i], elen[i]) == 0) {
            fed->xlog.sent++;
            if (fed->outq[i].type == SEEN__MSG_TYPE__XPROOF)
                fed->xlog.served++;
        }
    }
out:
    for (i = 0; env != NULL && i < n; i++)
        free(env[i]);
    free(env);
    free(elen);
    outq_clear(fed);
}

static struct want *
find_want(struct seen_fed *fed, const uint8_t origin[32])
{
    size_t i;

    for (i = 0; i < fed->nwants; i++)
        if (memcmp(fed->wants[i].origin, origin, 32) == 0)
            return &fed->wants[i];
    return NULL;
}

/* Ask ${peer} for leaves [from, to) of ${origin}, unless already asked. */
static void
request(struct seen_fed *fed, const uint8_t peer[32], const uint8_t origin[32],
    uint64_t from, uint64_t to, int force)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;
    struct want *w = find_want(fed, origin);
    double t = seen_clock_mono();
    void *p;

    if (w != NULL && !force && w->to > from && t - w->at < WANT_TIMEOUT)
        return;
    if (to > from + SEEN_FED_BATCH)
        to = from + SEEN_FED_BATCH;
    g.origin = (ProtobufCBinaryData){32, (uint8_t *)origin};
    g.from = from;
    g.to = to;
    if (send_body(fed, peer, SEEN__MSG_TYPE__GET_RANGE,
            (const ProtobufCMessage *)&g) != 0)
        return; /* retried on a later HEADS */
    if (w == NULL) {
        if ((p = realloc(fed->wants, (fed->nwants + 1) * sizeof *w)) == NULL)
            return;
        fed->wants = p;
        w = &fed->wants[fed->nwants++];
        memcpy(w->origin, origin, 32);
    }
    memcpy(w->peer, peer, 32);
    w->to = to;
    w->at = t;
}

/* ---- heads ---- */

struct heads {
    Seen__Heads msg;
    Seen__FeedHead *h;
    Seen__FeedHead **hp;
    Seen__Checkpoint **cps;
    size_t n;
};

static void
heads_free(struct heads *hd)
{
    size_t i;

    for (i = 0; i < hd->n; i++)
        seen_checkpoint_destroy(&hd->cps[i]);
    free(hd->h);
    free(hd->hp);
    free(hd->cps);
    memset(hd, 0, sizeof *hd);
}

static int
heads_build(struct seen_fed *fed, struct heads *hd)
{
    struct seen_txn *txn;
    uint8_t pk[32];
    const uint8_t *cp;
    size_t cplen, cap = 0;
    uint64_t size, count;
    uint32_t i;
    int rc;

    memset(hd, 0, sizeof *hd);
    seen__heads__init(&hd->msg);
    if ((rc = seen_store_begin(fed->store, 0, &txn)) != 0)
        return rc;
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        goto done;
    cap = (size_t)(count / 2) + 1;
    hd->h = calloc(cap, sizeof *hd->h);
    hd->hp = calloc(cap, sizeof *hd->hp);
    hd->cps = calloc(cap, sizeof *hd->cps);
    if (hd->h == NULL || hd->hp == NULL || hd->cps == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 1; i <= count / 2 && hd->n < cap; i++) {
        if (seen_store_origin_pk(txn, i, pk) != 0 ||
            seen_feed_size(txn, i, &size) != 0 || size == 0 ||
            seen_feed_checkpoint(txn, i, &cp, &cplen) != 0)
            continue;
        if (seen_checkpoint_decode(cp, cplen, &hd->cps[hd->n]) != 0)
            continue;
        seen__feed_head__init(&hd->h[hd->n]);
        hd->h[hd->n].origin.data = hd->cps[hd->n]->origin.data;
        hd->h[hd->n].origin.len = 32;
        /* Serve only what a checkpoint covers. */
        hd->h[hd->n].size = hd->cps[hd->n]->size;
        hd->h[hd->n].checkpoint = hd->cps[hd->n];
        hd->hp[hd->n] = &hd->h[hd->n];
        hd->n++;
    }
    hd->msg.n_heads = hd->n;
    hd->msg.heads = hd->hp;
    rc = SEEN_OK;
done:
    seen_store_abort(txn);
    if (rc != 0)
        heads_free(hd);
    return rc;
}

static void
send_heads(struct seen_fed *fed, int all)
{
    Seen__Hello hello = SEEN__HELLO__INIT;
    struct heads hd;
    double t = seen_clock_mono();
    size_t i;
    int built = 0;

    for (i = 0; i < fed->npeers; i++) {
        struct peer *p = &fed->peers[i];

        if (!all && p->gen_sent == fed->gen && t - p->last_heads < HEADS_EVERY)
            continue;
        if (!built) {
            if (heads_build(fed, &hd) != 0)
                return;
            built = 1;
        }
        hello.membership_version = seen_membership_version(fed->doc);
        hello.node = (char *)p->name;
        if (send_body(fed, p->pk, SEEN__MSG_TYPE__HELLO,
                (const ProtobufCMessage *)&hello) != 0)
            continue;
        if (send_body(fed, p->pk, SEEN__MSG_TYPE__HEADS,
                (const ProtobufCMessage *)&hd.msg) != 0)
            continue;
        p->last_heads = t;
        p->gen_sent = fed->gen;
    }
    if (built)
        heads_free(&hd);
}

/* Keep evidence of two checkpoints of one origin that cannot both be. */
static void
evidence(struct seen_fed *fed, struct seen_txn *txn, const uint8_t origin[32],
    const Seen__Checkpoint *theirs, const uint8_t *ours, size_t ourlen)
{
    uint8_t *enc;
    size_t elen;
    char name[64];
    int rc;

    fed->refused.inconsistent++;
    seen_warn("feed of '%s': a checkpoint of size %llu is inconsistent with "
              "what this node holds; kept as evidence, refused",
        seen_fed_origin_name(fed, origin, name, sizeof name),
        (unsigned long long)theirs->size);
    if (seen_checkpoint_encode(theirs, &enc, &elen) != 0)
        return;
    (void)ours;
    (void)ourlen;
    (void)txn;
    /* Kept after the message's own transaction ends, which is rolled
     * back when the message is refused (seen_fed_service). */
    if (fed->nevidence < EVIDENCE_MAX) {
        memcpy(fed->evidence[fed->nevidence].origin, origin, 32);
        fed->evidence[fed->nevidence].size = theirs->size;
        fed->evidence[fed->nevidence].cp = enc;
        fed->evidence[fed->nevidence].len = elen;
        fed->nevidence++;
    } else {
        free(enc);
    }
    rc = 0;
    (void)rc;
}

/* Is ${cp} consistent with what we hold of its origin (oidx)? */
static int
consistent_with_held(struct seen_fed *fed, struct seen_txn *txn,
    uint32_t oidx, const Seen__Checkpoint *cp)
{
    uint8_t root[32];
    uint64_t size;
    const uint8_t *held;
    size_t hlen;
    Seen__Checkpoint *h;
    int rc, same = 1;

    if (seen_feed_size(txn, oidx, &size) != 0)
        return 0;
    if (cp->size <= size) {
        if (seen_feed_root(txn, oidx, cp->size, root) != 0)
            return 0;
        if (sodium_memcmp(root, cp->root.data, 32) != 0) {
            rc = seen_feed_checkpoint(txn, oidx, &held, &hlen);
            evidence(fed, txn, cp->origin.data, cp, rc == 0 ? held : NULL,
                rc == 0 ? hlen : 0);
            return 0;
        }
        return 1;
    }
    /* Bigger than what we hold: a stored checkpoint of the same size
     * would have to agree (checked once its leaves arrive). */
    if (seen_feed_checkpoint(txn, oidx, &held, &hlen) == 0 &&
        seen_checkpoint_decode(held, hlen, &h) == 0) {
        if (h->size == cp->size &&
            sodium_memcmp(h->root.data, cp->root.data, 32) != 0)
            same = 0;
        seen_checkpoint_destroy(&h);
        if (!same) {
            evidence(fed, txn, cp->origin.data, cp, held, hlen);
            return 0;
        }
    }
    return 1;
}

static int
on_heads(struct seen_fed *fed, struct seen_txn *txn, const uint8_t from[32],
    const uint8_t *body, size_t blen)
{
    Seen__Heads *hs;
    Seen__FeedHead *h;
    uint32_t oidx;
    uint64_t size;
    size_t i;
    int rc;

    if ((hs = seen__heads__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    for (i = 0; i < hs->n_heads; i++) {
        h = hs->heads[i];
        if (h->origin.len != 32 || h->checkpoint == NULL ||
            h->checkpoint->origin.len != 32 ||
            memcmp(h->checkpoint->origin.data, h->origin.data, 32) != 0)
            continue;
        if (memcmp(h->origin.data, fed->keys->sign_pk, 32) == 0 ||
            !origin_active(fed, h->origin.data))
            continue;
        if (seen_checkpoint_verify(h->checkpoint,
                SEEN_DOMAIN_FEED_CHECKPOINT) != 0) {
            fed->refused.signature++;
            continue;
        }
        rc = seen_store_origin(txn, h->origin.data, 1, &oidx);
        if (rc != 0)
            break;
        if (!consistent_with_held(fed, txn, oidx, h->checkpoint))
            continue;
        if (seen_feed_size(txn, oidx, &size) != 0)
            continue;
        if (h->checkpoint->size > size)
            request(fed, from, h->origin.data, size, h->checkpoint->size, 0);
    }
    seen__heads__free_unpacked(hs, NULL);
    return SEEN_OK;
}

static int
on_get_range(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__GetRange *g;
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint *cp = NULL;
    struct seen_feed_ref ref;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    ProtobufCBinaryData *leaves = NULL, pr[SEEN_MERKLE_PROOF_MAX];
    const uint8_t *cpb, *leaf;
    size_t cplen, plen = 0, n, i, llen;
    uint32_t oidx;
    uint64_t to;
    int rc = SEEN_OK;

    if ((g = seen__get_range__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if (g->origin.len != 32 || g->to <= g->from)
        goto done;
    if (seen_store_origin(txn, g->origin.data, 0, &oidx) != 0 ||
        seen_feed_checkpoint(txn, oidx, &cpb, &cplen) != 0 ||
        seen_checkpoint_decode(cpb, cplen, &cp) != 0)
        goto done; /* nothing to serve */
    if (g->from >= cp->size)
        goto done;
    to = g->to < cp->size ? g->to : cp->size;
    if (to - g->from > SEEN_FED_BATCH)
        to = g->from + SEEN_FED_BATCH;
    n = (size_t)(to - g->from);
    if ((leaves = calloc(n, sizeof *leaves)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        if ((rc = seen_feed_leaf(txn, oidx, g->from + i, &leaf, &llen)) != 0)
            goto done;
        leaves[i] = (ProtobufCBinaryData){llen, (uint8_t *)leaf};
    }
    if (to < cp->size) {
        ref = (struct seen_feed_ref){txn, oidx};
        if ((rc = seen_merkle_consistency_proof(seen_feed_subtree, &ref, to,
                 cp->size, proof, &plen)) != 0)
            goto done;
        for (i = 0; i < plen; i++)
            pr[i] = (ProtobufCBinaryData){32, proof[i]};
    }
    e.origin = g->origin;
    e.from = g->from;
    e.n_leaves = n;
    e.leaves = leaves;
    e.checkpoint = cp;
    e.n_consistency = plen;
    e.consistency = pr;
    send_body(fed, from, SEEN__MSG_TYPE__ENTRIES, (const ProtobufCMessage *)&e);
done:
    free(leaves);
    seen_checkpoint_destroy(&cp);
    seen__get_range__free_unpacked(g, NULL);
    return rc;
}

/* Apply one leaf of another origin's feed. */
static int
apply_leaf(struct seen_txn *txn, uint32_t oidx, const uint8_t origin[32],
    uint64_t seq, const uint8_t *leaf, size_t len)
{
    Seen__FeedEntry *fe;
    uint64_t got;
    int rc;

    if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL)
        return SEEN_EINVAL;
    if (seen_feed_entry_check(fe) != 0 || fe->origin.len != 32 ||
        memcmp(fe->origin.data, origin, 32) != 0 || fe->seq != seq) {
        rc = SEEN_EINVAL;
        goto done;
    }
    if ((rc = seen_feed_append(txn, oidx, leaf, len, &got)) != 0)
        goto done;
    if (got != seq) {
        rc = SEEN_ECORRUPT;
        goto done;
    }
    if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY)
        rc = seen_index_add_fresh(txn, oidx, seq, fe->entry);
    else {
        rc = seen_index_remove(txn, oidx, fe->retraction->handle.data);
        if (rc == SEEN_ENOTFOUND)
            rc = SEEN_OK;
    }
done:
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc;
}

static int
on_entries(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__Entries *e;
    Seen__Checkpoint *cp;
    struct want *w;
    uint8_t root[32], proof[SEEN_MERKLE_PROOF_MAX][32], *enc;
    const uint8_t *held;
    size_t i, elen, hlen;
    uint32_t oidx;
    uint64_t size, t;
    Seen__Checkpoint *h;
    int rc, newer = 1;

    if ((e = seen__entries__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    cp = e->checkpoint;
    rc = SEEN_EINVAL;
    if (e->origin.len != 32 || cp == NULL || cp->origin.len != 32 ||
        memcmp(cp->origin.data, e->origin.data, 32) != 0 ||
        e->n_leaves == 0 || e->n_consistency > SEEN_MERKLE_PROOF_MAX)
        goto done;
    if (memcmp(e->origin.data, fed->keys->sign_pk, 32) == 0 ||
        !origin_active(fed, e->origin.data)) {
        rc = SEEN_EPERM;
        goto done;
    }
    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_FEED_CHECKPOINT) != 0) {
        rc = SEEN_EAUTH;
        goto done;
    }
    if ((rc = seen_store_origin(txn, e->origin.data, 1, &oidx)) != 0 ||
        (rc = seen_feed_size(txn, oidx, &size)) != 0)
        goto done;
    if (e->from != size) {
        rc = SEEN_OK; /* a duplicate or stale batch: nothing to do */
        goto done;
    }
    t = e->from + e->n_leaves;
    if (t > cp->size) {
        rc = SEEN_EINVAL;
        goto done;
    }
    for (i = 0; i < e->n_leaves; i++) {
        if ((rc = apply_leaf(txn, oidx, e->origin.data, e->from + i,
                 e->leaves[i].data, e->leaves[i].len)) != 0)
            goto done;
    }
    /* The leaves we now hold must be a prefix of the signed tree. */
    if ((rc = seen_feed_root(txn, oidx, t, root)) != 0)
        goto done;
    for (i = 0; i < e->n_consistency; i++) {
        if (e->consistency[i].len != 32) {
            rc = SEEN_EINVAL;
            goto done;
        }
        memcpy(proof[i], e->consistency[i].data, 32);
    }
    if (t == cp->size ? sodium_memcmp(root, cp->root.data, 32) != 0
                      : seen_merkle_verify_consistency(t, cp->size, root,
                            cp->root.data, (const uint8_t(*)[32])proof,
                            e->n_consistency) != 0) {
        evidence(fed, txn, e->origin.data, cp, NULL, 0);
        rc = SEEN_EAUTH;
        goto done;
    }
    if (seen_feed_checkpoint(txn, oidx, &held, &hlen) == 0 &&
        seen_checkpoint_decode(held, hlen, &h) == 0) {
        newer = cp->size > h->size;
        seen_checkpoint_destroy(&h);
    }
    if (newer) {
        if ((rc = seen_checkpoint_encode(cp, &enc, &elen)) != 0)
            goto done;
        rc = seen_feed_set_checkpoint(txn, oidx, enc, elen);
        free(enc);
        if (rc != 0)
            goto done;
    }
    fed->applied += e->n_leaves;
    fed->gen++;
    if (t < cp->size) {
        request(fed, from, e->origin.data, t, cp->size, 1);
    } else if ((w = find_want(fed, e->origin.data)) != NULL) {
        *w = fed->wants[--fed->nwants]; /* answered in full */
    }
    rc = SEEN_OK;
done:
    seen__entries__free_unpacked(e, NULL);
    return rc;
}

static int
on_hello(struct seen_fed *fed, const uint8_t from[32], const uint8_t *body,
    size_t blen)
{
    Seen__Hello *h;
    Seen__Membership m = SEEN__MEMBERSHIP__INIT;
    const uint8_t *doc;
    size_t dlen;
    struct seen_txn *txn;
    Seen__Membership *dm;

    if ((h = seen__hello__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if (fed->doc != NULL &&
        h->membership_version < seen_membership_version(fed->doc) &&
        seen_store_begin(fed->store, 0, &txn) == 0) {
        /* Pass our newer document on. */
        if (seen_members_current(txn, &doc, &dlen) == 0 &&
            (dm = seen__membership__unpack(NULL, dlen, doc)) != NULL) {
            m.body = dm->body;
            m.signature = dm->signature;
            send_body(fed, from, SEEN__MSG_TYPE__MEMBERSHIP,
                (const ProtobufCMessage *)&m);
            seen__membership__free_unpacked(dm, NULL);
        }
        seen_store_abort(txn);
    }
    seen__hello__free_unpacked(h, NULL);
    return SEEN_OK;
}

/* A seen_xlog_iter_fn that counts. */
static int
count_one(void *ctx, const uint8_t *val, size_t len)
{
    uint64_t *n = ctx;

    (void)val;
    (void)len;
    (*n)++;
    return 0;
}

/*
 * Ask the peer ${p} (GET_XPROOF) for a consistency proof of its exchange
 * log from the checkpoint held of it to the one pending (${smaller} 0),
 * or, when it showed one of size ${smaller} below the one held, from that
 * size to the one held: in either case the request shows it the
 * checkpoint held, so that a peer restored from a backup learns at once
 * of the history it lost (and stops signing) instead of signing those
 * sizes again.  At the pace allowed: one request at a time, at most one
 * every XPROOF_EVERY seconds (every envelope carries a newer checkpoint,
 * so asking for each would never end), an unanswered one again after
 * XPROOF_TIMEOUT, and never again of a peer whose proof did not hold.
 */
static void
xproof_ask(struct seen_fed *fed, struct seen_txn *txn, struct peer *p,
    uint64_t smaller)
{
    Seen__GetXProof g = SEEN__GET_XPROOF__INIT;
    Seen__Checkpoint *held = NULL, *pend = NULL;
    const uint8_t *b;
    size_t l;
    double t = seen_clock_mono();

    if (p->xp_bad || t - p->xp_at < (p->xp_out ? XPROOF_TIMEOUT : XPROOF_EVERY))
        return;
    if (seen_xlog_held(txn, p->pk, &b, &l) != 0 ||
        seen_checkpoint_decode(b, l, &held) != 0)
        return;
    if (held->size == 0)
        goto done;
    if (smaller != 0) {
        if (smaller >= held->size)
            goto done;
        g.from = smaller;
        g.to = held->size;
    } else {
        if (seen_xlog_pending(txn, p->pk, &b, &l) != 0 ||
            seen_checkpoint_decode(b, l, &pend) != 0 ||
            pend->size <= held->size)
            goto done;
        g.from = held->size;
        g.to = pend->size;
    }
    g.held = held;
    if (send_body(fed, p->pk, SEEN__MSG_TYPE__GET_XPROOF,
            (const ProtobufCMessage *)&g) == 0) {
        p->xp_at = t;
        p->xp_out = 1;
        fed->xlog.asked++;
    }
done:
    seen_checkpoint_destroy(&held);
    seen_checkpoint_destroy(&pend);
}

/* The size of the checkpoint held of ${pk}'s exchange log (0: none). */
static uint64_t
held_size(struct seen_txn *txn, const uint8_t pk[32])
{
    Seen__Checkpoint *h;
    const uint8_t *b;
    size_t l;
    uint64_t n;

    if (seen_xlog_held(txn, pk, &b, &l) != 0 ||
        seen_checkpoint_decode(b, l, &h) != 0)
        return 0;
    n = h->size;
    seen_checkpoint_destroy(&h);
    return n;
}

/* Ask every peer that has a checkpoint pending and may be asked. */
static void
xproof_ask_all(struct seen_fed *fed)
{
    struct seen_txn *txn;
    double t = seen_clock_mono();
    size_t i;
    int any = 0;

    for (i = 0; i < fed->npeers; i++) {
        struct peer *p = &fed->peers[i];

        if (!p->xp_bad &&
            t - p->xp_at >= (p->xp_out ? XPROOF_TIMEOUT : XPROOF_EVERY))
            any = 1;
    }
    if (!any || seen_store_begin(fed->store, 0, &txn) != 0)
        return;
    for (i = 0; i < fed->npeers; i++)
        xproof_ask(fed, txn, &fed->peers[i], 0);
    seen_store_abort(txn);
}

/* Say that a peer's exchange log is not consistent with what we hold. */
static void
xlog_alert(struct seen_fed *fed, const uint8_t pk[32], uint64_t size)
{
    char name[64];

    fed->refused.inconsistent++;
    seen_warn("ALERT: the exchange log of '%s' shows a checkpoint (size "
              "%llu) inconsistent with the one this node holds of it: "
              "kept as evidence for the auditors",
        seen_fed_origin_name(fed, pk, name, sizeof name),
        (unsigned long long)size);
}

/*
 * Witness the exchange-log checkpoint the peer ${v} carried in its header
 * and, when it is accepted, send the cosignature back (COSIGN); when it
 * needs a consistency proof, ask the peer for one.  A checkpoint
 * inconsistent with the one held of that peer is evidence kept in ${txn}
 * (which must commit: the message itself is still applied).
 */
static int
witness(struct seen_fed *fed, struct seen_txn *txn,
    const struct seen_envelope_view *v)
{
    const Seen__Checkpoint *cp = v->checkpoint;
    Seen__Checkpoint *h;
    struct peer *p = find_peer(fed, v->sender);
    const uint8_t *held;
    uint8_t *cosig = NULL;
    size_t hlen, clen = 0;
    char name[64];
    int rc, skip;

    if (seen_xlog_held(txn, v->sender, &held, &hlen) == 0 &&
        seen_checkpoint_decode(held, hlen, &h) == 0) {
        /* Nothing new: the one held (the same size and root).  Nor, within
         * XPROOF_EVERY of the last GET_XPROOF to that peer, a larger one:
         * every envelope carries a newer checkpoint, and each would need
         * a proof of its own.  The next envelope after that brings a
         * newer one still, and the envelope is logged with its header
         * either way (auditors compare it with the peer's log). */
        skip =
            (h->size == cp->size && h->root.len == 32 && cp->root.len == 32 &&
                memcmp(h->root.data, cp->root.data, 32) == 0) ||
            (p != NULL && h->size != 0 && cp->size > h->size &&
                seen_clock_mono() - p->xp_at < XPROOF_EVERY);
        seen_checkpoint_destroy(&h);
        if (skip)
            return SEEN_OK;
    }
    rc = seen_xlog_witness(txn, fed->keys, cp, NULL, 0, seen_clock_wall(), &cosig, &clen);
    switch (rc) {
    case SEEN_OK:
        if (cosig != NULL &&
            queue_raw(fed, v->sender, SEEN__MSG_TYPE__COSIGN, cosig, clen) ==
                0)
            fed->xlog.cosigned++;
        free(cosig);
        return SEEN_OK;
    case SEEN_EAGAIN:
        /* Larger: kept pending until a consistency proof (xlog.h): ask
         * for one.  Smaller: nothing to witness, but the peer is shown
         * the one held (xproof_ask). */
        if (p != NULL)
            xproof_ask(fed, txn, p,
                held_size(txn, v->sender) > cp->size ? cp->size : 0);
        return SEEN_OK;
    case SEEN_EAUTH:
        xlog_alert(fed, v->sender, cp->size);
        return SEEN_OK;
    case SEEN_EINVAL:
        seen_notice("exchange log of '%s': a checkpoint not witnessed",
            seen_fed_origin_name(fed, v->sender, name, sizeof name));
        return SEEN_OK;
    default:
        return rc;
    }
}

/* A witness returned its cosignature of one of our checkpoints. */
static int
on_cosign(struct seen_fed *fed, struct seen_txn *txn, const uint8_t from[32],
    const uint8_t *body, size_t blen)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *cp;
    struct peer *p;
    char name[64];
    int rc, mine;

    if ((rc = seen_xlog_cosignature_open(body, blen, &cs, &cp)) != 0) {
        if (rc == SEEN_EAUTH)
            fed->refused.signature++;
        return rc == SEEN_EAUTH ? SEEN_EAUTH : SEEN_EINVAL;
    }
    /* The witness must be the member that sent it. */
    mine = cs->witness.len == 32 && memcmp(cs->witness.data, from, 32) == 0;
    seen__cosignature__free_unpacked(cs, NULL);
    seen_checkpoint_destroy(&cp);
    if (!mine) {
        fed->refused.mismatch++;
        return SEEN_EPERM;
    }
    rc = seen_xlog_add_cosignature(txn, fed->keys, body, blen);
    if (rc == SEEN_EAUTH) {
        /* Evidence that our own log is not the history we signed: keep
         * it (commit), and say so loudly. */
        fed->refused.inconsistent++;
        seen_warn("ALERT: '%s' returned a cosignature of a checkpoint of "
                  "this node's exchange log that the log contradicts: kept "
                  "as evidence%s",
            seen_fed_origin_name(fed, from, name, sizeof name),
            seen_xlog_halted(txn) == 1
                ? "; this node signs no more checkpoints"
                : " (of the history an operator resolved)");
        return SEEN_OK;
    }
    if (rc == 0) {
        fed->xlog.cosignatures++;
        if ((p = find_peer(fed, from)) != NULL)
            p->cosigs++;
    }
    return rc;
}

/*
 * A peer asks for a consistency proof of this node's exchange log
 * (GET_XPROOF): between two sizes within the log, to one this node
 * signed.  The checkpoint it holds, shown with the request, is noted as a
 * cosignature's is: if this log contradicts it (restored from a backup),
 * that is evidence, and a node it halts answers nothing.  The answer is
 * queued, and written when it is sealed (xproof_body); a second request
 * before then replaces the first.
 */
static int
on_get_xproof(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__GetXProof *g;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *b;
    const uint8_t *cp;
    size_t cplen, plen, i, n;
    struct peer *p;
    uint64_t ev0 = 0, ev1 = 0;
    char name[64];
    int rc;

    if ((g = seen__get_xproof__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if (g->held != NULL) {
        rc = SEEN_EINVAL;
        if ((g->held->size != g->from && g->held->size != g->to) ||
            (rc = seen_xlog_iter(txn, SEEN_XLOG_EVIDENCE, count_one, &ev0)) !=
                0 ||
            (rc = seen_xlog_note_own_checkpoint(txn, fed->keys, g->held)) ==
                SEEN_EINVAL)
            goto done; /* not a checkpoint of this log it signed */
        if ((rc == 0 || rc == SEEN_EAUTH) && (p = find_peer(fed, from)) != NULL)
            p->shown++;
        if (rc == SEEN_EAUTH) {
            /* Said when new: a halted node is shown it again and again. */
            if (seen_xlog_iter(txn, SEEN_XLOG_EVIDENCE, count_one, &ev1) != 0 ||
                ev1 > ev0) {
                fed->refused.inconsistent++;
                seen_warn("ALERT: '%s' holds a checkpoint of this node's "
                          "exchange log that the log contradicts: kept as "
                          "evidence%s",
                    seen_fed_origin_name(fed, from, name, sizeof name),
                    seen_xlog_halted(txn) == 1
                        ? "; this node signs no more checkpoints"
                        : " (of the history an operator resolved)");
            }
            if (seen_xlog_halted(txn) == 1) {
                rc = SEEN_OK; /* commit the evidence; no answer */
                goto done;
            }
        } else if (rc != 0) {
            goto done;
        }
    }
    rc = seen_xlog_prove(txn, g->from, g->to, &cp, &cplen, proof, &plen);
    if (rc == SEEN_EINVAL || rc == SEEN_ENOTFOUND) {
        /* Sizes this node never signed, or beyond its log. */
        rc = SEEN_EINVAL;
        goto done;
    }
    if (rc != 0)
        goto done;
    for (i = 0; i < fed->nout; i++) {
        struct outmsg *q = &fed->outq[i];

        if (q->type != SEEN__MSG_TYPE__XPROOF || memcmp(q->to, from, 32) != 0)
            continue;
        n = seen__get_xproof__get_packed_size(g);
        if ((b = malloc(n ? n : 1)) == NULL) {
            rc = SEEN_ENOMEM;
            goto done;
        }
        seen__get_xproof__pack(g, b);
        free(q->body);
        q->body = b;
        q->blen = n;
        goto done;
    }
    rc = send_body(
        fed, from, SEEN__MSG_TYPE__XPROOF, (const ProtobufCMessage *)g);
done:
    seen__get_xproof__free_unpacked(g, NULL);
    return rc;
}

/*
 * A peer's answer to GET_XPROOF: witness its checkpoint with the proof,
 * from the one held of it, and countersign it as witness() does.  A
 * proof that does not hold is evidence, kept in ${txn} (commit), and the
 * peer is asked no more.  An answer from another size than the one held
 * (a late one) is ignored.
 */
static int
on_xproof(struct seen_fed *fed, struct seen_txn *txn, const uint8_t from[32],
    const uint8_t *body, size_t blen)
{
    Seen__XProof *x;
    Seen__Checkpoint *cp, *held = NULL;
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *cosig = NULL;
    const uint8_t *hb;
    struct peer *p;
    size_t hlen, clen = 0, i;
    int rc;

    if ((x = seen__xproof__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    cp = x->checkpoint;
    rc = SEEN_EINVAL;
    if (cp == NULL || cp->origin.len != 32 ||
        memcmp(cp->origin.data, from, 32) != 0 || x->from == 0 ||
        x->from >= x->to || cp->size != x->to ||
        x->n_proof != seen_merkle_consistency_len(x->from, x->to))
        goto done;
    for (i = 0; i < x->n_proof; i++) {
        if (x->proof[i].len != 32)
            goto done;
        memcpy(proof[i], x->proof[i].data, 32);
    }
    if (seen_checkpoint_verify(cp, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0) {
        fed->refused.signature++;
        rc = SEEN_EAUTH;
        goto done;
    }
    if ((p = find_peer(fed, from)) != NULL)
        p->xp_out = 0;
    rc = SEEN_OK;
    if (seen_xlog_held(txn, from, &hb, &hlen) != 0 ||
        seen_checkpoint_decode(hb, hlen, &held) != 0 || held->size != x->from)
        goto done;
    rc = seen_xlog_witness(txn, fed->keys, cp, (const uint8_t(*)[32])proof,
        x->n_proof, seen_clock_wall(), &cosig, &clen);
    switch (rc) {
    case SEEN_OK:
        if (cosig != NULL &&
            queue_raw(fed, from, SEEN__MSG_TYPE__COSIGN, cosig, clen) == 0)
            fed->xlog.cosigned++;
        break;
    case SEEN_EAUTH:
        xlog_alert(fed, from, cp->size);
        if (p != NULL)
            p->xp_bad = 1;
        rc = SEEN_OK;
        break;
    case SEEN_EAGAIN:
        rc = SEEN_OK;
        break;
    default:
        break;
    }
done:
    free(cosig);
    seen_checkpoint_destroy(&held);
    seen__xproof__free_unpacked(x, NULL);
    return rc;
}

/* Apply one received envelope inside ${txn}. */
static int
on_message(struct seen_fed *fed, struct seen_txn *txn, const struct msg *m,
    int *adopt)
{
    struct seen_envelope_view v;
    struct peer *p;
    int rc;

    rc = seen_replay_open(fed->replay, txn, m->buf, m->len,
        fed->keys->sign_pk, sender_ok, fed, seen_clock_wall(), &v);
    if (rc != 0) {
        if (rc == SEEN_EPERM)
            fed->refused.unknown++;
        else if (rc == SEEN_EAUTH)
            fed->refused.signature++;
        else if (rc == SEEN_EREPLAY)
            fed->refused.replay++;
        else
            fed->refused.malformed++;
        if ((p = find_peer(fed, m->sender)) != NULL)
            p->refused++;
        return rc;
    }
    /* The CURVE-authenticated peer must be the envelope's signer. */
    if (memcmp(v.sender, m->sender, 32) != 0) {
        fed->refused.mismatch++;
        seen_envelope_release(&v);
        return SEEN_EPERM;
    }
    /* Logged with its effect: both commit, or neither. */
    if ((rc = seen_xlog_received(txn, fed->keys, &v, seen_clock_wall(),
             NULL)) != 0 ||
        (v.checkpoint != NULL && (rc = witness(fed, txn, &v)) != 0)) {
        if (rc == SEEN_EINVAL)
            fed->refused.malformed++;
        else {
            fed->refused.other++;
            seen_warn("exchange log: cannot log a received envelope: %s",
                seen_strerror(rc));
        }
        seen_envelope_release(&v);
        return rc;
    }
    if ((p = find_peer(fed, v.sender)) != NULL) {
        p->last_rx = seen_clock_wall();
        /* Signing nothing, it may have stopped on evidence against its
         * own log: show it what we hold of it (xproof_ask), so that it
         * knows every size it signed before an operator resolves it. */
        if (v.checkpoint == NULL)
            xproof_ask(fed, txn, p, 1);
    }
    switch (v.type) {
    case SEEN__MSG_TYPE__HELLO:
        rc = on_hello(fed, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__HEADS:
        rc = on_heads(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__GET_RANGE:
        rc = on_get_range(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__ENTRIES:
        rc = on_entries(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__COSIGN:
        rc = on_cosign(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__GET_XPROOF:
        rc = on_get_xproof(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__XPROOF:
        rc = on_xproof(fed, txn, v.sender, v.body, v.blen);
        break;
    case SEEN__MSG_TYPE__MEMBERSHIP:
        rc = install_txn(fed, txn, v.body, v.blen, NULL);
        if (rc == 0)
            *adopt = 1;
        else if (rc == SEEN_EEXIST)
            rc = SEEN_OK;
        break;
    default:
        rc = fed->handler != NULL
            ? fed->handler(fed->hctx, txn, v.sender, v.type, v.body, v.blen)
            : SEEN_EINVAL;
        if (rc == SEEN_EPERM)
            fed->refused.other++;
    }
    if (rc == SEEN_EAUTH)
        fed->refused.inconsistent += 0; /* counted where found */
    else if (rc == SEEN_EINVAL)
        fed->refused.malformed++;
    else if (rc != 0 && rc != SEEN_EPERM)
        fed->refused.other++;
    seen_envelope_release(&v);
    return rc;
}

static void
collect(void *ctx, const uint8_t sign_pk[static 32], const uint8_t *buf,
    size_t len)
{
    struct seen_fed *fed = ctx;
    struct msg *m;

    if (fed->nround >= ROUND_MAX)
        return;
    m = &fed->round[fed->nround];
    if ((m->buf = malloc(len ? len : 1)) == NULL)
        return;
    memcpy(m->buf, buf, len);
    m->len = len;
    memcpy(m->sender, sign_pk, 32);
    fed->nround++;
}

/**
 * seen_fed_service(fed, items):
 * Receive and apply what the transport has, in one transaction per round
 * (each message nested, so one bad message undoes only itself).
 */
void
seen_fed_service(struct seen_fed *fed, zmq_pollitem_t items[static 2])
{
    struct seen_txn *txn, *child;
    uint64_t round_start;
    size_t i;
    int rc, adopt = 0;

    fed->nround = 0;
    seen_net_service(fed->net, items, collect, fed, ROUND_MAX);
    if (fed->nround == 0)
        return;
    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0) {
        seen_warn("replication: cannot write to the store: %s",
            seen_strerror(rc));
        goto done;
    }
    round_start = fed->applied;
    for (i = 0; i < fed->nround; i++) {
        if (seen_store_begin_nested(txn, &child) != 0)
            break;
        if (on_message(fed, child, &fed->round[i], &adopt) != 0)
            seen_store_abort(child);
        else if (seen_store_commit(child) != 0)
            break;
        evidence_flush(fed, txn);
        /* Keep transactions small: a big one holds its dirty pages in
         * memory and frees nothing until it commits. */
        if (fed->applied - round_start >= SEEN_FED_BATCH &&
            i + 1 < fed->nround) {
            if ((rc = seen_store_commit(txn)) != 0 ||
                (rc = seen_store_begin(fed->store, 1, &txn)) != 0) {
                seen_warn("replication: commit failed: %s",
                    seen_strerror(rc));
                fed->gen++;
                goto done;
            }
            round_start = fed->applied;
        }
    }
    if ((rc = seen_store_commit(txn)) != 0) {
        seen_warn("replication: commit failed: %s", seen_strerror(rc));
        fed->gen++;
    }
    if (adopt)
        adopted(fed);
done:
    for (i = 0; i < fed->nround; i++)
        free(fed->round[i].buf);
    fed->nround = 0;
    send_heads(fed, 0);
    fed_flush(fed);
}

void
seen_fed_set_handler(struct seen_fed *fed, seen_fed_msg_fn *fn, void *ctx)
{

    fed->handler = fn;
    fed->hctx = ctx;
}

int
seen_fed_send(struct seen_fed *fed, const uint8_t to[static 32], int type,
    const uint8_t *body, size_t blen)
{

    return queue_raw(fed, to, type, body, blen);
}

void
seen_fed_flush(struct seen_fed *fed)
{

    fed_flush(fed);
}

const Seen__Member *
seen_fed_member(struct seen_fed *fed, const uint8_t pk[static 32])
{

    return fed->doc != NULL ? seen_membership_by_sign(fed->doc, pk) : NULL;
}

const Seen__Member *
seen_fed_member_named(struct seen_fed *fed, const char *name)
{

    return fed->doc != NULL ? seen_membership_by_name(fed->doc, name) : NULL;
}

/**
 * seen_fed_tick(fed):
 * Periodic work, at least once a second: announce heads, retry requests
 * that timed out.
 */
void
seen_fed_tick(struct seen_fed *fed)
{
    struct seen_txn *txn;
    double t = seen_clock_mono();
    size_t i;

    for (i = 0; i < fed->nwants;) {
        if (t - fed->wants[i].at >= WANT_TIMEOUT)
            fed->wants[i] = fed->wants[--fed->nwants];
        else
            i++;
    }
    xproof_ask_all(fed);
    send_heads(fed, 0);
    fed_flush(fed);
    seen_net_maintain(fed->net);
    if (t - fed->last_prune < 60 || seen_store_begin(fed->store, 1, &txn) != 0)
        return;
    fed->last_prune = t;
    if (seen_replay_prune(fed->replay, txn, seen_clock_wall()) != 0)
        seen_store_abort(txn);
    else if (seen_store_commit(txn) != 0)
        seen_warn("replication: cannot prune the replay cache");
}

/**
 * seen_fed_checkpoint_own(fed):
 * Sign and store a checkpoint of this node's own feed at its current size
 * (after an import), and announce it to the peers.  Returns 0 or an
 * error from the store.
 */
int
seen_fed_checkpoint_own(struct seen_fed *fed)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *enc;
    struct seen_txn *txn;
    const uint8_t *held;
    Seen__Checkpoint *h;
    size_t hlen, elen;
    uint64_t size;
    uint32_t oidx;
    int rc;

    if ((rc = seen_store_begin(fed->store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_store_origin(txn, fed->keys->sign_pk, 1, &oidx)) != 0 ||
        (rc = seen_feed_size(txn, oidx, &size)) != 0)
        goto fail;
    if (size == 0) {
        seen_store_abort(txn);
        return SEEN_OK;
    }
    if (seen_feed_checkpoint(txn, oidx, &held, &hlen) == 0 &&
        seen_checkpoint_decode(held, hlen, &h) == 0) {
        int same = h->size == size;

        seen_checkpoint_destroy(&h);
        if (same) {
            seen_store_abort(txn);
            return SEEN_OK;
        }
    }
    if ((rc = seen_feed_root(txn, oidx, size, root)) != 0 ||
        (rc = seen_checkpoint_sign(&cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT,
             fed->keys, size, root, seen_clock_wall())) != 0 ||
        (rc = seen_checkpoint_encode(&cp, &enc, &elen)) != 0)
        goto fail;
    rc = seen_feed_set_checkpoint(txn, oidx, enc, elen);
    free(enc);
    if (rc != 0)
        goto fail;
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    fed->gen++;
    send_heads(fed, 0);
    fed_flush(fed);
    return SEEN_OK;
fail:
    seen_store_abort(txn);
    return rc;
}

/**
 * seen_fed_pollitems(fed, items):
 * Write the poll items of the transport to ${items}.  Returns their
 * number (2).
 */
int
seen_fed_pollitems(struct seen_fed *fed, zmq_pollitem_t items[static 2])
{

    return seen_net_pollitems(fed->net, items);
}

/**
 * seen_fed_new(store, keys, zctx, listen, peers, adopt, ctx, out):
 * Load the membership document held in ${store} (if any), open the
 * transport on ${listen}, and connect to the active members (only to
 * those named in the comma-separated ${peers}, when not NULL or empty).
 * Nothing is copied; all must outlive the result.  Returns 0; SEEN_EIO
 * when ${listen} cannot be bound; SEEN_ECORRUPT for a damaged document in
 * the store; SEEN_ERR.
 */
int
seen_fed_new(struct seen_store *store, const struct seen_keys *keys,
    void *zctx, const char *listen, const char *peers,
    seen_fed_adopt_fn *adopt, void *ctx, struct seen_fed **out)
{
    struct seen_fed *fed;
    struct seen_txn *txn;
    const uint8_t *v;
    size_t vlen;
    int rc;

    *out = NULL;
    if ((fed = calloc(1, sizeof *fed)) == NULL)
        return SEEN_ENOMEM;
    fed->store = store;
    fed->keys = keys;
    fed->adopt = adopt;
    fed->actx = ctx;
    snprintf(fed->filter, sizeof fed->filter, "%s", peers ? peers : "");
    if ((fed->replay = seen_replay_new(store, SEEN_ENVELOPE_SKEW)) == NULL) {
        rc = SEEN_ENOMEM;
        goto fail;
    }
    if ((rc = seen_store_begin(store, 0, &txn)) != 0)
        goto fail;
    if (seen_members_authority(txn, fed->authority) == 0)
        fed->pinned = 1;
    if (fed->pinned && seen_members_current(txn, &v, &vlen) == 0 &&
        seen_membership_open(v, vlen, fed->authority, &fed->doc) != 0) {
        seen_store_abort(txn);
        seen_warn("the membership document in the store does not verify");
        rc = SEEN_ECORRUPT;
        goto fail;
    }
    seen_store_abort(txn);
    if ((rc = seen_net_open(zctx, keys, listen, admit, fed, &fed->net)) != 0)
        goto fail;
    connect_peers(fed);
    *out = fed;
    return SEEN_OK;
fail:
    seen_fed_destroy(&fed);
    return rc;
}

/**
 * seen_fed_destroy(&fed):
 * Close the transport and free ${fed}.  Sets the caller's pointer to NULL;
 * NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_fed_destroy(struct seen_fed **pp)
{
    struct seen_fed *fed;

    if (pp == NULL || (fed = *pp) == NULL)
        return;
    *pp = NULL;
    seen_net_destroy(&fed->net);
    seen_membership_destroy(&fed->doc);
    seen_replay_destroy(&fed->replay);
    free(fed->peers);
    free(fed->wants);
    outq_clear(fed);
    free(fed->outq);
    free(fed);
}

/**
 * seen_fed_status(fed, txn, out):
 * Add "peers", "feeds", "membership_version", "epoch" and "refused" to
 * the JSON object ${out} (spec/cli.md's status contract), reading feed
 * sizes through ${txn}.
 */
void
seen_fed_status(struct seen_fed *fed, struct seen_txn *txn, json_t *out)
{
    json_t *peers = json_array(), *feeds = json_object(), *p;
    struct seen_net_stats ns;
    uint8_t pk[32];
    uint64_t count, size, pending = 0, floor, now = seen_clock_wall();
    char name[64];
    size_t i;
    uint32_t o;

    for (i = 0; i < fed->npeers; i++) {
        struct peer *q = &fed->peers[i];

        p = json_pack("{s:s, s:b, s:I, s:I, s:I}", "node", q->name, "connected",
            q->last_rx != 0 && now - q->last_rx < CONNECTED_WITHIN, "refused",
            (json_int_t)q->refused, "cosignatures", (json_int_t)q->cosigs,
            "checkpoints_shown", (json_int_t)q->shown);
        if (q->last_rx != 0)
            json_object_set_new(p, "last_seen_s",
                json_integer((json_int_t)(now - q->last_rx)));
        json_array_append_new(peers, p);
    }
    if (seen_store_count(txn, SEEN_DB_ORIGINS, &count) == 0) {
        for (o = 1; o <= count / 2; o++) {
            if (seen_store_origin_pk(txn, o, pk) != 0 ||
                seen_feed_size(txn, o, &size) != 0)
                continue;
            json_object_set_new(feeds,
                seen_fed_origin_name(fed, pk, name, sizeof name),
                json_integer((json_int_t)size));
        }
    }
    json_object_set_new(out, "peers", peers);
    json_object_set_new(out, "feeds", feeds);
    json_object_set_new(out, "membership_version",
        json_integer(fed->doc ? (json_int_t)seen_membership_version(fed->doc)
                              : 0));
    json_object_set_new(out, "federation",
        json_string(fed->doc ? seen_membership_federation(fed->doc) : ""));
    json_object_set_new(out, "entries_replicated",
        json_integer((json_int_t)fed->applied));
    seen_net_stats(fed->net, &ns);
    json_object_set_new(out, "refused",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "unknown_sender",
            (json_int_t)fed->refused.unknown, "bad_signature",
            (json_int_t)fed->refused.signature, "replayed",
            (json_int_t)fed->refused.replay, "malformed",
            (json_int_t)fed->refused.malformed, "inconsistent",
            (json_int_t)fed->refused.inconsistent, "sender_mismatch",
            (json_int_t)fed->refused.mismatch, "zap_refused",
            (json_int_t)ns.zap_refused));
    if (seen_xlog_size(txn, &size) != 0)
        size = 0;
    if (seen_xlog_iter(txn, SEEN_XLOG_PENDING, count_one, &pending) != 0)
        pending = 0;
    if (seen_xlog_floor(txn, &floor) != 0)
        floor = 0;
    json_object_set_new(out, "exchange_log",
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I}",
            "leaves", (json_int_t)size, "envelopes_sent",
            (json_int_t)fed->xlog.sent, "cosignatures_sent",
            (json_int_t)fed->xlog.cosigned, "cosignatures_received",
            (json_int_t)fed->xlog.cosignatures, "checkpoints_pending",
            (json_int_t)pending, "proofs_asked", (json_int_t)fed->xlog.asked,
            "proofs_served", (json_int_t)fed->xlog.served, "send_queue_dropped",
            (json_int_t)fed->xlog.dropped, "halted", fed->xlog.halted,
            "signs_above", (json_int_t)floor));
    json_object_set_new(out, "transport",
        json_pack("{s:s, s:I, s:I, s:I}", "endpoint",
            seen_net_endpoint(fed->net), "sent", (json_int_t)ns.sent,
            "received", (json_int_t)ns.received, "send_blocked",
            (json_int_t)ns.send_blocked));
}

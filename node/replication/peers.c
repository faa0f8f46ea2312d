/*
 * peers.c: the membership document a node holds, and the peers it gives:
 * installing and adopting a newer document (from the operator or from a
 * peer), admitting connections and senders, connecting to the active
 * members, who witnesses whom among them (ring.h), and the names of
 * origins.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/replication/fed_impl.h"
#include "node/replication/ring.h"
#include "node/transport/net.h"
#include "proto/membership.h"
#include "storage/members.h"
#include "storage/store.h"

/* Write "node-" and the first 8 bytes of ${pk} in hex to ${buf}. */
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

/**
 * seen_fed_member(fed, pk):
 * seen_fed_member_named(fed, name):
 * Return the member of the held membership document with Ed25519 key
 * ${pk}, or named ${name} (borrowed until the next document is adopted:
 * use it at once), or NULL when there is none.  Check its status with
 * seen_membership_active().
 */
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
 * fed_admit(ctx, curve_pk, sign_pk):
 * A seen_net_admit_fn over the held document (${ctx} is the seen_fed):
 * return 1 and the Ed25519 key of the active member whose CURVE key is
 * ${curve_pk} in ${sign_pk}, else 0.  A peer admitted (a connection
 * afresh) has its HEADS answered again and makes fed_resume due.
 */
int
fed_admit(void *ctx, const uint8_t curve_pk[static 32],
    uint8_t sign_pk[static 32])
{
    struct seen_fed *fed = ctx;
    const Seen__Member *m;
    struct fed_peer *p;

    if (fed->doc == NULL ||
        (m = seen_membership_by_curve(fed->doc, curve_pk)) == NULL ||
        !seen_membership_active(m) || m->sign_pk.len != 32)
        return 0;
    memcpy(sign_pk, m->sign_pk.data, 32);
    /* A connection afresh: the member restarted, or its link was cut.
     * What was sent it on the old one may be lost with it, an answer to
     * its HEADS too: the same HEADS is answered again.  And this node
     * looks again at what it lacks (fed_resume), the member up now. */
    if ((p = fed_find_peer(fed, sign_pk)) != NULL) {
        memset(p->replied, 0, sizeof p->replied);
        memcpy(fed->resume_from, sign_pk, 32);
        fed->resume_from_set = 1;
        fed->resume = 1;
    }
    return 1;
}

/**
 * fed_member_active(ctx, pk):
 * A seen_envelope_sender_fn (${ctx} is the seen_fed): return 1 when ${pk}
 * is an active member of the held document, else 0.
 */
int
fed_member_active(void *ctx, const uint8_t pk[static 32])
{
    struct seen_fed *fed = ctx;
    const Seen__Member *m;

    return fed->doc != NULL &&
        (m = seen_membership_by_sign(fed->doc, pk)) != NULL &&
        seen_membership_active(m);
}

/* 1 when ${filter} (names separated by commas or spaces) is empty or
 * names ${name}, else 0. */
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

/**
 * fed_find_peer(fed, pk):
 * Return the peer with Ed25519 key ${pk} (borrowed until the peers are
 * next connected), or NULL.
 */
struct fed_peer *
fed_find_peer(struct seen_fed *fed, const uint8_t pk[32])
{
    size_t i;

    for (i = 0; i < fed->npeers; i++)
        if (memcmp(fed->peers[i].pk, pk, 32) == 0)
            return &fed->peers[i];
    return NULL;
}

/* Disconnect the peers of ${fed} that are not among the ${n} of ${np},
 * and free what is kept for them. */
static void
drop_others(struct seen_fed *fed, const struct fed_peer *np, size_t n)
{
    size_t i, j;
    int keep;

    for (i = 0; i < fed->npeers; i++) {
        keep = 0;
        for (j = 0; j < n; j++)
            if (memcmp(np[j].pk, fed->peers[i].pk, 32) == 0)
                keep = 1;
        if (!keep) {
            seen_net_drop_peer(fed->net, fed->peers[i].pk);
            free(fed->peers[i].cosig);
        }
    }
}

/* Make ${p} a peer ${pk} named ${name} that nothing was told yet. */
static void
peer_init(struct fed_peer *p, const uint8_t pk[32], const char *name)
{

    memset(p, 0, sizeof *p);
    memcpy(p->pk, pk, 32);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->gen_sent = FED_GEN_NONE;
    p->hello_due = 1;
    p->backoff = FED_RETRY_MIN;
    p->xp_due = seen_clock_mono(); /* a proof may be pending in the store */
}

static void ring_mark(struct seen_fed *fed);

/* 1 when ${pk} is one of the ${n} keys ${links}, else 0. */
static int
in_links(const uint8_t (*links)[32], size_t n, const uint8_t pk[32])
{
    size_t i;

    for (i = 0; i < n; i++)
        if (memcmp(links[i], pk, 32) == 0)
            return 1;
    return 0;
}

/**
 * fed_connect_peers(fed):
 * Connect to the active members of the held document that the filter
 * names and, when the document sets long-range links, that this node
 * links to (ring.h seen_ring_links, with this node's witnesses as the
 * near distances), keeping what is known of each; disconnect the rest.
 * The witness ring is built once, here, and each peer marked on it.  On
 * memory exhaustion nothing changes.
 */
void
fed_connect_peers(struct seen_fed *fed)
{
    struct fed_peer *np, *old;
    const Seen__Member *m;
    uint8_t(*links)[32] = NULL;
    size_t i, n = 0, count, nlinks = 0, near = fed->opts.witnesses;
    uint32_t far = fed->doc ? seen_membership_links(fed->doc) : 0;

    count = fed->doc ? seen_membership_count(fed->doc) : 0;
    if ((np = calloc(count ? count : 1, sizeof *np)) == NULL)
        return;
    /* The ring of this document; with sparse links, the members at its
     * distances are the peers. */
    fed_ring_update(fed);
    if (far > 0) {
        if (fed->ring == NULL ||
            (links = calloc(2 * (near + far), 32)) == NULL) {
            free(np);
            return;
        }
        nlinks = seen_ring_links(fed->ring, fed->keys->sign_pk, near, far,
            links, 2 * (near + far));
    }
    for (i = 0; i < count; i++) {
        m = seen_membership_member(fed->doc, i);
        if (!seen_membership_active(m))
            seen_net_drop_peer(fed->net, m->sign_pk.data); /* direct too */
        if (memcmp(m->sign_pk.data, fed->keys->sign_pk, 32) == 0 ||
            !seen_membership_active(m) || !in_filter(fed->filter, m->name) ||
            (far > 0 && !in_links(links, nlinks, m->sign_pk.data)))
            continue;
        if (seen_net_peer(fed->net, m->sign_pk.data, m->curve_pk.data,
                m->endpoint, m->name) != 0)
            continue;
        if ((old = fed_find_peer(fed, m->sign_pk.data)) != NULL)
            np[n] = *old; /* what is known of it, and what it was told */
        else
            peer_init(&np[n], m->sign_pk.data, m->name);
        snprintf(np[n].name, sizeof np[n].name, "%s", m->name);
        n++;
    }
    free(links);
    /* Disconnect members no longer active, or no longer linked. */
    drop_others(fed, np, n);
    free(fed->peers);
    fed->peers = np;
    fed->npeers = n;
    ring_mark(fed);
}

/**
 * fed_witnesses_of(fed, pk):
 * Return 1 when this node witnesses the exchange log of ${pk} under the
 * held document (ring.h), else 0.
 */
int
fed_witnesses_of(struct seen_fed *fed, const uint8_t pk[32])
{
    uint8_t w[SEEN_RING_MAX][32];
    size_t i, n;

    if (fed->ring == NULL)
        return 0;
    n = seen_ring_witnesses(fed->ring, pk, fed->opts.witnesses, w);
    for (i = 0; i < n; i++)
        if (memcmp(w[i], fed->keys->sign_pk, 32) == 0)
            return 1;
    return 0;
}

/**
 * fed_ring_update(fed):
 * Build the witness ring of the held document and mark each peer as a
 * witness of this node's log or a log this node witnesses, with
 * fed->opts.witnesses witnesses per log.  On memory exhaustion the ring
 * held before stays.
 */
void
fed_ring_update(struct seen_fed *fed)
{
    struct seen_ring *r;

    if (seen_ring_new(fed->doc, &r) != 0)
        return;
    seen_ring_destroy(&fed->ring);
    fed->ring = r; /* fed->ring owns r */
    ring_mark(fed);
}

/* Mark each peer as a witness of this node's log, or one whose log this
 * node witnesses, on the ring held. */
static void
ring_mark(struct seen_fed *fed)
{
    uint8_t w[SEEN_RING_MAX][32];
    size_t i, j, n;

    if (fed->ring == NULL)
        return; /* none could be built: the marks stay */
    n = seen_ring_witnesses(
        fed->ring, fed->keys->sign_pk, fed->opts.witnesses, w);
    for (i = 0; i < fed->npeers; i++) {
        struct fed_peer *p = &fed->peers[i];

        p->witness = 0;
        for (j = 0; j < n; j++)
            if (memcmp(w[j], p->pk, 32) == 0)
                p->witness = 1;
        p->witnessed = fed_witnesses_of(fed, p->pk);
    }
}

/**
 * fed_adopted(fed):
 * After a document was installed and committed: reconnect the peers,
 * tell every one afresh (HELLO and HEADS), and tell the adopt callback
 * the match key the document grants this node.
 */
void
fed_adopted(struct seen_fed *fed)
{
    uint8_t key[32];
    uint32_t epoch;
    size_t i;

    fed_connect_peers(fed);
    fed->gen++;
    fed->resume = 1;
    for (i = 0; i < fed->npeers; i++) {
        fed->peers[i].hello_due = 1;
        fed->peers[i].retry_at = 0;
    }
    if (fed->adopt == NULL)
        return;
    if (seen_membership_match_key(fed->doc, fed->keys, key, &epoch) == 0)
        fed->adopt(fed->actx, key, epoch);
    else
        fed->adopt(fed->actx, NULL, 0);
    sodium_memzero(key, sizeof key);
}

/**
 * fed_install_txn(fed, txn, doc, len, authority):
 * Verify the membership document ${doc} and, when newer, store it in
 * ${txn} (pinning ${authority} when none is pinned) and make it the held
 * one.  Returns as seen_fed_install; the caller calls fed_adopted() once
 * ${txn} commits.
 */
int
fed_install_txn(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t *doc, size_t len, const uint8_t *authority)
{
    struct seen_membership *m;
    const Seen__Member *me;
    const uint8_t *auth = fed->pinned ? fed->authority : authority;
    int rc;

    if (auth == NULL) {
        seen_error("membership: no federation authority is pinned");
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
        seen_warn("membership version %llu does not list this node as "
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
    /* The document is now held: fed->doc owns m. */
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
    if ((rc = fed_install_txn(fed, txn, doc, len, authority)) != 0) {
        seen_store_abort(txn);
        return rc;
    }
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    fed_adopted(fed);
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

/**
 * seen_fed_doc(fed):
 * The membership document held (NULL: none), borrowed until the next one
 * is adopted.
 */
const struct seen_membership *
seen_fed_doc(const struct seen_fed *fed)
{

    return fed->doc;
}

/**
 * seen_fed_token_bytes(fed):
 * The bytes of each token in the entries members publish, as the held
 * document says (seen_membership_token_bytes): 16 with no document.
 */
uint32_t
seen_fed_token_bytes(const struct seen_fed *fed)
{

    return fed->doc != NULL ? seen_membership_token_bytes(fed->doc) : 16;
}

/**
 * fed_on_hello(fed, txn, from, body, blen):
 * HELLO: send ${from} the held document when its version is newer than
 * the one it says it holds; when it holds a newer one, tell it (HELLO)
 * the version held here, so that it sends it.
 * Returns 0 or SEEN_EINVAL.
 */
int
fed_on_hello(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    Seen__Hello *h;
    Seen__Membership m = SEEN__MEMBERSHIP__INIT;
    struct fed_peer *p;
    const uint8_t *doc;
    size_t dlen;
    struct seen_txn *rtxn;
    Seen__Membership *dm;

    (void)txn; /* the document is read as committed */
    if ((h = seen__hello__unpack(NULL, blen, body)) == NULL)
        return SEEN_EINVAL;
    if ((p = fed_find_peer(fed, from)) != NULL && fed->doc != NULL &&
        h->membership_version > seen_membership_version(fed->doc)) {
        p->hello_due = 1; /* it sends its document when it hears ours */
        p->retry_at = 0;
    }
    if (fed->doc != NULL &&
        h->membership_version < seen_membership_version(fed->doc) &&
        seen_store_begin(fed->store, 0, &rtxn) == 0) {
        /* Pass our newer document on. */
        if (seen_members_current(rtxn, &doc, &dlen) == 0 &&
            (dm = seen__membership__unpack(NULL, dlen, doc)) != NULL) {
            m.body = dm->body;
            m.signature = dm->signature;
            /* A reply: once while owed, within the peer's budget. */
            fed_reply(fed, from, SEEN__MSG_TYPE__MEMBERSHIP,
                (const ProtobufCMessage *)&m, 0);
            seen__membership__free_unpacked(dm, NULL);
        }
        seen_store_abort(rtxn);
    }
    seen__hello__free_unpacked(h, NULL);
    return SEEN_OK;
}

/**
 * fed_on_membership(fed, txn, from, body, blen):
 * MEMBERSHIP: install the document ${body} in ${txn}, and note that it is
 * to be adopted when the round commits.  Returns 0 (adopted, or not
 * newer), or an error of fed_install_txn.
 */
int
fed_on_membership(struct seen_fed *fed, struct seen_txn *txn,
    const uint8_t from[32], const uint8_t *body, size_t blen)
{
    int rc;

    (void)from;
    rc = fed_install_txn(fed, txn, body, blen, NULL);
    if (rc == 0)
        fed->adopt_pending = 1;
    else if (rc == SEEN_EEXIST)
        rc = SEEN_OK;
    return rc;
}

/**
 * fed_direct(fed, pk):
 * Open a direct link (transport/net.h seen_net_direct) to ${pk}, an
 * active member of the held document that is not a peer.  Returns 0;
 * SEEN_ENOTFOUND for no such member (or a peer: its link is there);
 * SEEN_EINVAL; SEEN_ENOMEM.
 */
int
fed_direct(struct seen_fed *fed, const uint8_t pk[32])
{
    const Seen__Member *m;

    if (fed->doc == NULL || fed_find_peer(fed, pk) != NULL ||
        (m = seen_membership_by_sign(fed->doc, pk)) == NULL ||
        !seen_membership_active(m) || m->curve_pk.len != 32 ||
        memcmp(pk, fed->keys->sign_pk, 32) == 0)
        return SEEN_ENOTFOUND;
    return seen_net_direct(
        fed->net, pk, m->curve_pk.data, m->endpoint, m->name);
}

/*
 * service.c: a custodian's OPRF service (service.h): its state, the
 * document and share it serves, the day's counts, the request ids it
 * remembers; the thread itself is service_thread.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "node/custodian/custodian_impl.h"
#include "node/custodian/journal.h"

#define CTL_ENDPOINT "inproc://seen-custodian-ctl"
#define MOVE_WAIT_MS 30000 /* a thread that has stopped: never a bind */

/**
 * seen_custodian_new(keys, home, lim, wake_fd, out):
 * Make the service of the node ${keys} whose home is ${home} (its journal
 * HOME/custodian.journal is opened), with the limits ${lim} (copied); it
 * writes a byte to ${wake_fd} (non-blocking; -1: none) after each record
 * it journals.  It serves nothing until seen_custodian_adopt() names this
 * node a custodian.  ${keys} must outlive it.  Returns 0 and the service
 * in *${out}; SEEN_EIO; SEEN_ENOMEM.
 */
int
seen_custodian_new(const struct seen_keys *keys, const char *home,
    const struct seen_custodian_limits *lim, int wake_fd,
    struct seen_custodian **out)
{
    struct seen_custodian *c;
    char path[SEEN_PATH_LEN];
    int rc;

    *out = NULL;
    if (seen_home_path(home, SEEN_CJOURNAL_NAME, path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((c = calloc(1, sizeof *c)) == NULL ||
        (c->recent = calloc(SEEN_CUSTODIAN_RECENT, sizeof *c->recent)) ==
            NULL) {
        free(c);
        return SEEN_ENOMEM;
    }
    c->keys = keys;
    c->lim = *lim;
    c->wake_fd = wake_fd;
    pthread_mutex_init(&c->mu, NULL);
    if ((rc = seen_cjournal_open(path, &c->journal)) != 0) {
        seen_custodian_destroy(&c);
        return rc;
    }
    *out = c;
    return 0;
}

/* With c->mu held: wipe and drop the share held, if any. */
static void
share_drop(struct seen_custodian *c)
{

    if (c->share != NULL)
        sodium_free(c->share); /* wipes it */
    c->share = NULL;
    c->index = 0;
    c->epoch = 0;
}

/*
 * The address to bind for the custodian endpoint ${ep} (tcp://HOST:PORT):
 * itself when HOST is a literal IPv4 address, else every interface at
 * PORT.
 */
static void
bind_address(const char *ep, char *out, size_t len)
{
    const char *host = ep + strlen("tcp://"), *colon = strrchr(ep, ':');
    size_t i;

    for (i = 0; host + i < colon; i++)
        if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.'))
            break;
    if (host + i == colon && i > 0)
        snprintf(out, len, "%s", ep);
    else
        snprintf(out, len, "tcp://*%s", colon);
}

/* Start the thread on ${ep}: its context, control pair, and the thread,
 * which binds its ROUTER before it says it is ready.  Returns 0,
 * SEEN_EIO (the endpoint cannot be bound) or SEEN_ERR. */
static int
start(struct seen_custodian *c, const char *ep)
{
    char addr[SEEN_CUSTODIAN_ENDPOINT_MAX], ok = 0;
    int zero = 0;

    bind_address(ep, addr, sizeof addr);
    memcpy(c->endpoint, addr, sizeof addr);
    if ((c->zctx = zmq_ctx_new()) == NULL ||
        (c->ctl = zmq_socket(c->zctx, ZMQ_PAIR)) == NULL ||
        zmq_bind(c->ctl, CTL_ENDPOINT) != 0)
        return SEEN_ERR;
    zmq_setsockopt(c->ctl, ZMQ_LINGER, &zero, sizeof zero);
    if (pthread_create(&c->thread, NULL, cust_thread, c) != 0)
        return SEEN_ERR;
    c->started = 1;
    /* The thread answers 1 once bound, 0 when it could not bind. */
    if (zmq_recv(c->ctl, &ok, 1, 0) != 1 || ok != 1) {
        pthread_join(c->thread, NULL);
        c->started = 0;
        zmq_close(c->ctl);
        zmq_ctx_term(c->zctx);
        c->ctl = c->zctx = NULL;
        seen_error("custodian: cannot serve at '%s'", addr);
        return SEEN_EIO;
    }
    seen_info("custodian: serving OPRF evaluations at %s", addr);
    return 0;
}

/* Move the running thread to ${ep}'s address when it serves elsewhere
 * (the authority dealt this custodian another endpoint): the thread
 * binds it, then unbinds the old.  Returns 0, also when the new address
 * cannot be bound: the thread then serves at the old one, has logged why
 * once, and seen_custodian_stats() shows both; SEEN_ERR when the thread
 * does not answer (it has stopped; logged). */
static int
move_to(struct seen_custodian *c, const char *ep)
{
    char addr[SEEN_CUSTODIAN_ENDPOINT_MAX], ok = 0;
    zmq_pollitem_t item;
    int same;

    bind_address(ep, addr, sizeof addr);
    pthread_mutex_lock(&c->mu);
    if ((same = strcmp(addr, c->endpoint) == 0) != 0)
        c->want[0] = c->want_error[0] = '\0';
    pthread_mutex_unlock(&c->mu);
    if (same)
        return 0;
    item = (zmq_pollitem_t){c->ctl, 0, ZMQ_POLLIN, 0};
    if (zmq_send(c->ctl, addr, strlen(addr), 0) != (int)strlen(addr) ||
        zmq_poll(&item, 1, MOVE_WAIT_MS) != 1 ||
        zmq_recv(c->ctl, &ok, 1, 0) != 1) {
        seen_error("custodian: the service thread does not answer");
        return SEEN_ERR;
    }
    return 0;
}

/**
 * seen_custodian_adopt(c, doc):
 * The membership document ${doc} was adopted (not retained: a copy is
 * kept).  When it is an OPRF epoch naming this node a custodian, its
 * share is opened and checked against share_pk, and the thread is started
 * or given the new epoch, and moved to a new endpoint the document gives
 * it; otherwise any share held is wiped.  Returns 0 (a move that failed
 * included: the old endpoint kept, shown in the stats); SEEN_ENOTFOUND
 * (no custodian); SEEN_EAUTH (its share does not open or is not its
 * share_pk: logged loudly); SEEN_EIO (cannot bind at start); SEEN_ENOMEM;
 * SEEN_ERR.
 */
int
seen_custodian_adopt(struct seen_custodian *c,
    const struct seen_membership *doc)
{
    struct seen_membership *copy;
    struct seen_membership_custodian cu;
    char ep[SEEN_CUSTODIAN_ENDPOINT_MAX];
    uint8_t *share;
    unsigned int index;
    int rc;

    if ((rc = seen_membership_dup(doc, &copy)) != 0)
        return rc;
    if ((share = sodium_malloc(32)) == NULL) {
        seen_membership_destroy(&copy);
        return SEEN_ENOMEM;
    }
    rc = seen_membership_open_share(copy, c->keys, share, &index);
    if (rc == SEEN_EAUTH)
        seen_error("custodian: the OPRF share of epoch %u sealed to this "
                   "node does not open with its keys, or is not the "
                   "share_pk the document names: this node serves no "
                   "evaluations (ask the authority to deal again)",
            seen_membership_epoch(copy));
    ep[0] = '\0';
    if (rc == 0 &&
        seen_membership_custodian_of(copy, c->keys->sign_pk, &cu) == 0)
        snprintf(ep, sizeof ep, "%s", cu.endpoint);
    pthread_mutex_lock(&c->mu);
    seen_membership_destroy(&c->doc);
    c->doc = copy; /* c->doc owns copy */
    share_drop(c);
    if (rc != 0) /* no endpoint of its own to move to */
        c->want[0] = c->want_error[0] = '\0';
    if (rc == 0) {
        c->share = share; /* c->share owns share */
        c->index = index;
        c->epoch = seen_membership_epoch(copy);
        share = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (share != NULL)
        sodium_free(share);
    if (rc != 0)
        return rc;
    seen_info("custodian: share %u of the OPRF key of epoch %u opened",
        index, seen_membership_epoch(copy));
    if (!c->started)
        return start(c, ep);
    return move_to(c, ep);
}

/**
 * seen_custodian_stats(c, st):
 * Fill ${st} with what the service has done (thread-safe).
 */
void
seen_custodian_stats(struct seen_custodian *c,
    struct seen_custodian_stats *st)
{
    uint32_t today = (uint32_t)(time(NULL) / 86400);
    size_t i;

    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&c->mu);
    st->serving = c->started && c->share != NULL;
    st->index = c->index;
    st->epoch = c->epoch;
    snprintf(st->endpoint, sizeof st->endpoint, "%s", c->endpoint);
    snprintf(st->want, sizeof st->want, "%s", c->want);
    snprintf(st->want_error, sizeof st->want_error, "%s", c->want_error);
    st->served = c->served;
    st->refused = c->refused;
    st->evaluations = c->evaluations;
    for (i = 0; c->day == today && i < c->ncounts; i++) {
        if (c->counts[i].op[0] != '\0')
            continue;
        st->today += c->counts[i].n;
        st->members++;
    }
    pthread_mutex_unlock(&c->mu);
    st->pending = seen_cjournal_pending(c->journal);
}

/**
 * seen_custodian_destroy(&c):
 * Stop the thread, wipe the share, close the journal and free ${c}.  Safe
 * on NULL and twice; sets the caller's pointer to NULL.
 */
void
seen_custodian_destroy(struct seen_custodian **pp)
{
    struct seen_custodian *c;

    if (pp == NULL || (c = *pp) == NULL)
        return;
    *pp = NULL;
    if (c->started) {
        zmq_send(c->ctl, "", 0, 0); /* stop */
        pthread_join(c->thread, NULL);
    }
    if (c->ctl != NULL)
        zmq_close(c->ctl);
    if (c->zctx != NULL)
        zmq_ctx_term(c->zctx);
    share_drop(c);
    seen_membership_destroy(&c->doc);
    seen_cjournal_close(&c->journal);
    pthread_mutex_destroy(&c->mu);
    free(c->counts);
    free(c->recent);
    free(c);
}

/* The count of (${member}, ${op}), made when ${make}; NULL if none (or
 * out of memory). */
static struct cust_count *
count_of(struct seen_custodian *c, const uint8_t member[32], const char *op,
    int make)
{
    struct cust_count *n;
    size_t i;

    for (i = 0; i < c->ncounts; i++)
        if (memcmp(c->counts[i].member, member, 32) == 0 &&
            strcmp(c->counts[i].op, op) == 0)
            return &c->counts[i];
    if (!make)
        return NULL;
    if (c->ncounts == c->capcounts) {
        size_t cap = c->capcounts ? 2 * c->capcounts : 64;

        if ((n = realloc(c->counts, cap * sizeof *n)) == NULL)
            return NULL;
        c->counts = n;
        c->capcounts = cap;
    }
    n = &c->counts[c->ncounts++];
    memset(n, 0, sizeof *n);
    memcpy(n->member, member, 32);
    snprintf(n->op, sizeof n->op, "%s", op);
    return n;
}

/*
 * cust_count_add(c, member, op, n, now):
 * With c->mu held: add ${n} to the day's count of ${member} (op "") and,
 * when ${op} is not NULL, of (${member}, ${op}), starting a new day when
 * ${now} is in another one.
 */
void
cust_count_add(struct seen_custodian *c, const uint8_t member[32],
    const char *op, uint64_t n, uint64_t now)
{
    struct cust_count *k;

    if ((uint32_t)(now / 86400) != c->day) {
        if ((uint32_t)(now / 86400) < c->day)
            return; /* of an earlier day: not today's */
        c->day = (uint32_t)(now / 86400);
        c->ncounts = 0;
    }
    if ((k = count_of(c, member, "", 1)) != NULL)
        k->n += n;
    if (op != NULL && (k = count_of(c, member, op, 1)) != NULL)
        k->n += n;
}

/*
 * cust_count_sub(c, member, op, n, now):
 * With c->mu held: take back what cust_count_add() added.
 */
void
cust_count_sub(struct seen_custodian *c, const uint8_t member[32],
    const char *op, uint64_t n, uint64_t now)
{
    struct cust_count *k;

    if ((uint32_t)(now / 86400) != c->day)
        return;
    if ((k = count_of(c, member, "", 0)) != NULL)
        k->n -= n < k->n ? n : k->n;
    if (op != NULL && (k = count_of(c, member, op, 0)) != NULL)
        k->n -= n < k->n ? n : k->n;
}

/*
 * cust_count_get(c, member, op):
 * With c->mu held: the day's count of (${member}, ${op}) ("" for the
 * member's whole day).
 */
uint64_t
cust_count_get(struct seen_custodian *c, const uint8_t member[32],
    const char *op)
{
    struct cust_count *k;

    if ((uint32_t)(time(NULL) / 86400) != c->day)
        return 0;
    k = count_of(c, member, op, 0);
    return k != NULL ? k->n : 0;
}

/*
 * cust_recent_put(c, id, now):
 * With c->mu held: remember the request id ${id}.  Returns 0; SEEN_EREPLAY
 * when it was seen before; SEEN_EAGAIN when the ring is full of ids still
 * within 2 x SEEN_ENVELOPE_SKEW seconds (the request must be refused).
 */
int
cust_recent_put(struct seen_custodian *c, const uint8_t id[16], uint64_t now)
{
    size_t i, n = c->nrecent < SEEN_CUSTODIAN_RECENT ? c->nrecent
                                                     : SEEN_CUSTODIAN_RECENT;
    struct cust_recent *slot;

    for (i = 0; i < n; i++)
        if (sodium_memcmp(c->recent[i].id, id, 16) == 0)
            return SEEN_EREPLAY;
    slot = &c->recent[c->nrecent % SEEN_CUSTODIAN_RECENT];
    if (c->nrecent >= SEEN_CUSTODIAN_RECENT &&
        slot->time + 2 * SEEN_ENVELOPE_SKEW >= now)
        return SEEN_EAGAIN;
    memcpy(slot->id, id, 16);
    slot->time = now;
    c->nrecent++;
    return 0;
}

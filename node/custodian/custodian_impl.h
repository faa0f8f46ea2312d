/*
 * custodian_impl.h: private to node/custodian/service*.c and fold.c: the
 * service's state and the day's counts.
 */
#ifndef SEEN_CUSTODIAN_IMPL_H
#define SEEN_CUSTODIAN_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "node/custodian/service.h"
#include "storage/operators.h"

/* One (member, operator) count of the day; operator "" counts a member's
 * whole day (every purpose). */
struct cust_count {
    uint8_t member[32];
    char op[SEEN_OPERATOR_NAME_MAX + 1];
    uint64_t n;
};

/* A request id remembered, with when it came. */
struct cust_recent {
    uint8_t id[16];
    uint64_t time;
};

struct seen_custodian {
    const struct seen_keys *keys;
    struct seen_custodian_limits lim;
    struct seen_cjournal *journal;
    int wake_fd;

    pthread_t thread;
    int started;
    void *zctx;  /* the service's own context */
    void *ctl;   /* PAIR: the main thread's end, to stop the thread */

    /* Under mu, shared by both threads. */
    pthread_mutex_t mu;
    struct seen_membership *doc; /* a copy of the held document */
    uint8_t *share;              /* sodium_malloc'd, 32; NULL: none */
    unsigned int index;          /* its number, 0 with no share */
    uint32_t epoch;              /* the OPRF epoch served, 0: none */
    char endpoint[SEEN_CUSTODIAN_ENDPOINT_MAX]; /* where it serves */
    char want[SEEN_CUSTODIAN_ENDPOINT_MAX];     /* where the document
                                                 * says, when it could not
                                                 * move there ("": none) */
    char want_error[128];                       /* and why not */
    uint32_t day;                /* the UTC day the counts are of */
    struct cust_count *counts;
    size_t ncounts, capcounts;
    struct cust_recent *recent;  /* a ring of SEEN_CUSTODIAN_RECENT */
    size_t nrecent;              /* ids put in the ring since start */
    uint64_t served, refused, evaluations;
};

/*
 * cust_count_add(c, member, op, n, now):
 * With c->mu held: add ${n} to the day's count of ${member} (op "") and,
 * when ${op} is not NULL, of (${member}, ${op}), starting a new day when
 * ${now} is in another one.
 */
void cust_count_add(struct seen_custodian *c, const uint8_t member[32],
    const char *op, uint64_t n, uint64_t now);

/*
 * cust_count_sub(c, member, op, n, now):
 * With c->mu held: take back what cust_count_add(${c}, ${member}, ${op},
 * ${n}, ${now}) added (a request found bad after it was counted).
 */
void cust_count_sub(struct seen_custodian *c, const uint8_t member[32],
    const char *op, uint64_t n, uint64_t now);

/*
 * cust_count_get(c, member, op):
 * With c->mu held: the day's count of (${member}, ${op}) ("" for the
 * member's whole day).
 */
uint64_t cust_count_get(struct seen_custodian *c, const uint8_t member[32],
    const char *op);

/*
 * cust_recent_put(c, id, now):
 * With c->mu held: remember the request id ${id}.  Returns 0; SEEN_EREPLAY
 * when it was seen before; SEEN_EAGAIN when the ring is full of ids still
 * within 2 x SEEN_ENVELOPE_SKEW seconds (the request must be refused).
 */
int cust_recent_put(struct seen_custodian *c, const uint8_t id[16],
    uint64_t now);

/*
 * cust_answer(c, buf, len, user, out, outlen):
 * What the thread does with the request ${buf} (${len} bytes) received on
 * a connection ZAP admitted for the member ${user} (its sign_pk in hex;
 * NULL: none): open, decide, evaluate and journal it, in that order.
 * Returns 0 and the sealed OPRF_RESULT to send back in *${out} (malloc'd;
 * the caller frees it), *${outlen} bytes; SEEN_EINVAL when it is dropped
 * unanswered and unlogged (not a member's well-formed signed OPRF_EVAL on
 * its own connection: nobody can be told, nor counted); SEEN_EIO when it
 * could not be journalled (then nothing may be answered); SEEN_ENOMEM.
 * tests/fuzz/fuzz_custodian.c calls it as the thread does.
 */
int cust_answer(struct seen_custodian *c, const uint8_t *buf, size_t len,
    const char *user, uint8_t **out, size_t *outlen);

/* The thread's body (service_thread.c). */
void *cust_thread(void *arg);

#endif /* !SEEN_CUSTODIAN_IMPL_H */

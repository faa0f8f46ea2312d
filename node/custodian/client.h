/*
 * client.h: evaluating inputs through the custodians of the held OPRF
 * epoch (issue 16; docs/protocol.md, "Custodians"), synchronously, on the
 * main thread.
 *
 * Every input is blinded (RFC 9497, ristretto255-SHA512, OPRF mode);
 * each batch of at most SEEN_CUSTODIAN_BATCH_MAX goes to t custodians at
 * once, as signed OPRF_EVAL envelopes on DEALER sockets (CURVE, made
 * from the held membership and kept open), each custodian answering with
 * its share weighted for that subset; the client adds the t answers,
 * unblinds and hashes once.  When a custodian refuses, does not answer in
 * time, or answers something that is not t's answer (another request id,
 * a bad signature, a wrong count, a bad element), its socket is closed
 * and another subset of those left is asked, with a new request id.  A
 * node that is itself a custodian asks its own service the same way (one
 * code path, one log).  The custodians learn nothing of the inputs.
 */
#ifndef SEEN_OPRF_CLIENT_H
#define SEEN_OPRF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "crypto/oprf.h"
#include "seen.pb-c.h"

struct seen_keys;
struct seen_membership;
struct seen_oprf_client;

/* What the last call asked of each custodian (seen_oprf_client_report). */
struct seen_oprf_client_custodian {
    unsigned int index;  /* its share number */
    char name[64];       /* the member */
    char endpoint[256];
    int asked;           /* asked in the last call */
    int answered;        /* answered it (any status) */
    int status;          /* its last OprfStatus (0: none) */
    uint64_t remaining;  /* what it said this node may still ask today */
};

/**
 * seen_oprf_client_new(zctx, keys, timeout, out):
 * A client of the node ${keys} (borrowed; must outlive it), whose sockets
 * are made in the ZeroMQ context ${zctx}, waiting at most ${timeout}
 * seconds for a subset's answers.  It asks nothing until
 * seen_oprf_client_adopt() gives it an OPRF epoch.  Returns 0 and the
 * client in *${out}; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_oprf_client_new(void *zctx,
    const struct seen_keys *keys, unsigned int timeout,
    struct seen_oprf_client **out);

/**
 * seen_oprf_client_adopt(cl, doc):
 * Take the epoch, threshold and custodians of the membership document
 * ${doc} (copied; not retained): the sockets of custodians no longer
 * named, or named at another endpoint, are closed.  A document that is
 * not an OPRF epoch leaves the client with none.  Returns 0; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_oprf_client_adopt(struct seen_oprf_client *cl,
    const struct seen_membership *doc);

/**
 * seen_oprf_client_epoch(cl, threshold, n):
 * Return the OPRF epoch the client asks for (0: none), and its threshold
 * t and number of custodians n (either may be NULL).
 */
uint32_t seen_oprf_client_epoch(const struct seen_oprf_client *cl,
    unsigned int *threshold, size_t *n);

/**
 * seen_oprf_client_eval(cl, purpose, operator, inputs, lens, n, out):
 * Evaluate the ${n} inputs ${inputs}[i] (${lens}[i] bytes each, at most
 * 65,535) through t custodians: ${out}[i] = the OPRF output of input i
 * under the epoch's whole key, as RFC 9497's Finalize makes it.
 * ${purpose}: import, query, chronology, report or check; ${operator}:
 * who asked (NULL or "" when no person did).
 * Returns 0; SEEN_ENOTFOUND when the held document is not an OPRF epoch;
 * SEEN_EPERM when custodians refused over their limits and fewer than t
 * others would answer; SEEN_ETIMEDOUT when fewer than t custodians
 * answered (unreachable, stopped, or answering wrongly); SEEN_EINVAL for
 * a bad argument; SEEN_ENOMEM.  Each error is logged once, saying which.
 */
SEEN_MUST_CHECK int seen_oprf_client_eval(struct seen_oprf_client *cl,
    const char *purpose, const char *op, const uint8_t *const *inputs,
    const size_t *lens, size_t n, uint8_t (*out)[SEEN_OPRF_OUTPUT]);

/**
 * seen_oprf_client_check(cl, op, out):
 * `seen custodians check`: ask every custodian at once to evaluate one
 * fixed probe (purpose "check"), then evaluate it through t of those that
 * answered.  [out] ${out}: the probe's OPRF output (the same through any
 * subset).  What each custodian did: seen_oprf_client_report().  Returns
 * as seen_oprf_client_eval().
 */
SEEN_MUST_CHECK int seen_oprf_client_check(struct seen_oprf_client *cl,
    const char *op, uint8_t out[SEEN_OPRF_OUTPUT]);

/**
 * seen_oprf_client_report(cl, n):
 * The custodians of the epoch, with what the last call asked of each and
 * what each answered; [out] ${n}: how many.  Owned by ${cl}, valid until
 * its next call.
 */
const struct seen_oprf_client_custodian *seen_oprf_client_report(
    struct seen_oprf_client *cl, size_t *n);

/* What a custodian's answer said (seen_oprf_answer_read). */
struct seen_oprf_answer {
    int answered;       /* 1: it answers the request asked */
    int status;         /* then its OprfStatus */
    uint64_t remaining; /* and what it said this node may still ask */
};

/**
 * seen_oprf_answer_read(keys, cust_pk, env, len, request_id, n, got, ans):
 * Read the message ${env} (${len} bytes) that the node ${keys} received
 * from the custodian whose signing key is ${cust_pk}, as its answer to
 * the request ${request_id} (16 bytes) of ${n} elements.  Returns 1 when
 * it is that request's answer, OK, with ${n} valid elements other than
 * the identity, copied into ${got}; 0 when it is that custodian's answer
 * to another request (passed over); -1 for anything else: not an
 * OPRF_RESULT signed by ${cust_pk} to ${keys} within the envelope's time
 * window, a refusal, or a wrong count or element (${got} may then be
 * partly written).  ${ans} says whether it answered this request, with
 * which status and what it said remains.  What the client does with each
 * message (tests/fuzz/fuzz_custodian.c).
 */
SEEN_MUST_CHECK int seen_oprf_answer_read(const struct seen_keys *keys,
    const uint8_t cust_pk[static 32], const uint8_t *env, size_t len,
    const uint8_t request_id[static 16], size_t n, uint8_t (*got)[32],
    struct seen_oprf_answer *ans);

/**
 * seen_oprf_client_destroy(&cl):
 * Close every socket and free ${cl}.  Safe on NULL and twice; sets the
 * caller's pointer to NULL.
 */
void seen_oprf_client_destroy(struct seen_oprf_client **pp);

#endif /* !SEEN_OPRF_CLIENT_H */

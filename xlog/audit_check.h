/*
 * audit_check.h: an export being checked (xlog/audit.h), shared by the
 * checks of its files (audit_verify.c) and those of the checkpoints
 * found in them against its leaves and other exports (audit_claims.c).
 * Internal to xlog/.
 */
#ifndef SEEN_AUDIT_CHECK_H
#define SEEN_AUDIT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "xlog/audit.h"
#include "seen.pb-c.h"

struct seen_membership;

/* Where a checkpoint was found. */
enum claim_src {
    SRC_OWN,      /* checkpoints.bin */
    SRC_SENT,     /* the header of a sent envelope */
    SRC_RECEIVED, /* the header of a received envelope */
    SRC_COSIG,    /* cosignatures.bin */
    SRC_PEER,     /* peer-checkpoints.bin */
    SRC_EVIDENCE, /* evidence.bin */
};

/* A signed checkpoint of some log, found in an export. */
struct claim {
    uint8_t origin[32];
    uint8_t root[32];
    uint64_t size;
    uint64_t at; /* leaf index or frame number in its file */
    int src;
    int state; /* against the export's own log: see claim_states */
};

/* Claim states against a log. */
#define ST_AGREES 0
#define ST_DIFFERS 1
#define ST_BEYOND 2
#define ST_FOREIGN 3

/* The checks, by name (docs/audit-format.md). */
enum check_id {
    C_MANIFEST,
    C_AUTHORITY,
    C_MEMBERSHIP,
    C_LEAVES,
    C_ENVELOPES,
    C_TREE,
    C_CHECKPOINTS,
    C_COSIGNATURES,
    C_PEERS,
    C_EVIDENCE,
    C_CROSS,
    C_N
};

/* An evidence record about the owner's own log: its claims. */
struct own_ev {
    uint64_t at;
    size_t first, second; /* claim indices; second SIZE_MAX for none */
};

/* An XLOG_EVIDENCE leaf: the SHA-256 of its record, and its index. */
struct ev_leaf {
    uint8_t sha[32];
    uint64_t at;
};

/* An export being checked: what seen_audit_open() returns. */
struct seen_audit {
    char *label;
    seen_audit_report_fn *fn;
    void *ctx;
    int broken; /* no owner: nothing else checked */
    uint8_t owner[32];
    uint8_t authority[32];
    int has_authority;
    struct seen_membership *m;
    uint64_t n;        /* leaves parsed */
    uint8_t (*lh)[32]; /* their hashes */
    size_t lhcap;
    struct claim *cl;
    size_t ncl, capcl;
    struct own_ev *oev;
    size_t noev, capoev;
    uint64_t *ss; /* pairs: signed_size, first leaf with it */
    size_t nss, capss;
    struct ev_leaf *evl; /* the evidence leaves, in order */
    size_t nevl, capevl;
    uint8_t (*evf)[32]; /* SHA-256 of each frame of evidence.bin */
    size_t nevf, capevf;
    uint64_t failures, findings;
    uint64_t fails[C_N];
    int nomem;
};

/**
 * seen_audit_report(a, check, ok, finding, fmt, ...):
 * Report one result of ${check} (enum check_id) of ${a} to its callback:
 * passed (${ok} 1, a finding when ${finding}) or failed, with the detail
 * formatted from ${fmt}.  A failure counts; only the first few of a check
 * are reported (seen_audit_report_more() says how many more).
 */
void seen_audit_report(struct seen_audit *a, int check, int ok, int finding,
    const char *fmt, ...) SEEN_PRINTF(5, 6);

/**
 * seen_audit_report_more(a, check):
 * Report how many failures of ${check} of ${a} were counted but not
 * reported, if any.
 */
void seen_audit_report_more(struct seen_audit *a, int check);

/**
 * seen_audit_name_of(a, pk, buf):
 * Return a name for the key ${pk} in messages about ${a}: its member's
 * name in quotes, or "key" and its first 16 hex digits; written to ${buf}
 * (80 bytes), which is returned.
 */
const char *seen_audit_name_of(
    const struct seen_audit *a, const uint8_t pk[static 32], char buf[80]);

/**
 * seen_audit_grow(a, v, cap, n, size, first):
 * Make room for one more element of ${size} bytes in the array ${v} of
 * ${a}, which holds ${n} of the *${cap} it has room for: when it is
 * full, double it (to ${first} from none).
 * Returns the array, perhaps moved (store it over ${v}); NULL out of
 * memory (a->nomem is then set, and ${v} is as it was).
 */
void *seen_audit_grow(struct seen_audit *a, void *v, size_t *cap, size_t n,
    size_t size, size_t first);

/**
 * seen_audit_add_claim(a, c, src, at):
 * Note the checkpoint ${c}, found in ${src} (enum claim_src) at leaf or
 * frame ${at}, as a claim of ${a} (its state ST_FOREIGN until checked).
 * Returns 0; SEEN_ENOMEM (a->nomem is then set).
 */
int seen_audit_add_claim(
    struct seen_audit *a, const Seen__Checkpoint *c, int src, uint64_t at);

/**
 * seen_audit_check_forks(a):
 * Report, as findings of C_EVIDENCE, each peer that signed two roots for
 * one size of its log among the checkpoints of ${a} found in received
 * envelopes and peer-checkpoints.bin.
 */
void seen_audit_check_forks(struct seen_audit *a);

/**
 * seen_audit_check_tree(a):
 * Check every claim of ${a} about its owner's log against its leaves, the
 * leaves' signed_size against the owner's checkpoints, and the evidence
 * about the owner's log; report the results and the summaries of
 * C_CHECKPOINTS, C_COSIGNATURES and C_ENVELOPES.
 */
void seen_audit_check_tree(struct seen_audit *a);

#endif /* !SEEN_AUDIT_CHECK_H */

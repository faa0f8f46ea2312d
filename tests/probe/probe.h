/*
 * probe.h: what seen-probe's actions (probe.c and probe_<part>.c) build
 * their frames from.
 */
#ifndef SEEN_TESTS_PROBE_H
#define SEEN_TESTS_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct seen_keys;

/*
 * A probe's arguments, its keys and the time it seals with: what every
 * action builds from.
 */
struct probe {
    const char *home, *to, *keysfrom, *held, *cpfrom, *action;
    const char *handles, *match; /* disclosure actions */
    uint8_t server_curve[32], target[32];
    unsigned long long from, size, above, plen;
    unsigned long long count; /* --count (0: not given: the action's own) */
    unsigned long long sent;  /* what an ACTION_DONE action sent itself */
    long reset;               /* --reset S (flood-forged) */
    unsigned long long seq;   /* which of them is being built, from 0 */
    long timeout;
    uint64_t now;

    /* CURVE keys (--home); signing keys (--keys-from, else ck); the
     * xproof checkpoint's signer (--cp-from, else NULL: sk). */
    struct seen_keys *ck, *sk, *cpk;
};

/**
 * probe_leaf(origin, seq, t, buf, cap):
 * Write to ${buf} (${cap} bytes) a well-formed leaf of ${origin}'s feed
 * at ${seq}, published at ${t}, that its origin never signed (a random
 * handle, group and filter).  Returns its length, or 0 when ${cap} is too
 * small.
 */
size_t probe_leaf(const uint8_t origin[32], uint64_t seq, uint64_t t,
    uint8_t *buf, size_t cap);

#endif /* !SEEN_TESTS_PROBE_H */

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

#endif /* !SEEN_TESTS_PROBE_H */

/*
 * probe_disclosure.h: seen-probe's disclosure actions (issue 11, case 5):
 * requests for the target's entries with no reason on record, naming an
 * entry that does not match, naming a made-up query, or naming a real
 * matching entry (a burst), and answers to requests never sent.
 */
#ifndef SEEN_PROBE_DISCLOSURE_H
#define SEEN_PROBE_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

struct seen_keys;

/* What a disclosure action builds from (borrowed). */
struct probe_disclosure {
    const struct seen_keys *k;  /* signs */
    const uint8_t *to;          /* the target's Ed25519 key (32) */
    uint64_t now;
    const char *handles;        /* --handles FILE: hex handles, one a line */
    const char *match;          /* --match HEX: the signer's own entry */
    unsigned long long i;       /* 0-based number of this frame */
};

/**
 * probe_disclosure_build(action, pd, buf, len):
 * Build frame number pd->i of the disclosure ${action}, a sealed
 * envelope, into *${buf} (malloc'd; the caller frees) and *${len}:
 *   disclosure-bare       a DisclosureRequest with no reason on record
 *   disclosure-unmatched  one naming a random entry of the signer
 *   disclosure-query      one naming a made-up query leaf
 *   disclosure-matched    one naming --match, the signer's own entry
 *   disclosure-answer     a DisclosureResponse (SHARED) to a random
 *                         request id: an answer nobody asked for
 * Each request has a new random id and asks for the next handle of
 * --handles (in turn).  Returns 0, or -1 having said why not.
 */
int probe_disclosure_build(const char *action,
    const struct probe_disclosure *pd, uint8_t **buf, size_t *len);

#endif /* !SEEN_PROBE_DISCLOSURE_H */

/*
 * ring.h: who witnesses whose exchange log (docs/protocol.md, "Who
 * witnesses whom").
 *
 * The witness ring of a membership document is its ACTIVE members in the
 * order of the SHA-256 of
 *
 *     "seen-witness-ring-v1" || 0x00 || version(8, BE) || sign_pk(32)
 *
 * (version: the document's), smallest first, ties by sign_pk.  With n
 * members on the ring and k witnesses asked for, the log of the member at
 * position i is witnessed by the members at positions i + 1 ... i + k'
 * (mod n), k' = min(k, n - 1): so every active member is witnessed by k'
 * others and witnesses exactly k' others, and no one witnesses itself.
 * The order changes with every document, so that no pair is bound for
 * ever; every node computes the same ring from the same document.
 */
#ifndef SEEN_RING_H
#define SEEN_RING_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_membership;
struct seen_ring;

#define SEEN_RING_DOMAIN "seen-witness-ring-v1"
#define SEEN_RING_MAX 16 /* witnesses of a log, at most */

/**
 * seen_ring_new(doc, out):
 * Build the witness ring of the membership document ${doc} (NULL: an
 * empty ring).  ${doc} is not retained.
 * Returns 0 and the ring in *${out} (release it with
 * seen_ring_destroy()); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_ring_new(const struct seen_membership *doc,
    struct seen_ring **out);

/**
 * seen_ring_destroy(&r):
 * Free ${r}.  Sets the caller's pointer to NULL; NULL or a pointer to
 * NULL is a no-op, so it is safe twice.
 */
void seen_ring_destroy(struct seen_ring **pp);

/**
 * seen_ring_size(r):
 * Return the number of members on the ring (the active members).
 */
size_t seen_ring_size(const struct seen_ring *r);

/**
 * seen_ring_witnesses(r, pk, k, out):
 * Write to ${out} the Ed25519 keys of the witnesses of ${pk}'s log when
 * each log has ${k} witnesses (at most SEEN_RING_MAX are used): the
 * min(k, n - 1) members after it on the ring, nearest first.
 * Returns their number: 0 when ${pk} is not on the ring.
 */
size_t seen_ring_witnesses(const struct seen_ring *r,
    const uint8_t pk[static 32], size_t k, uint8_t out[][32]);

/**
 * seen_ring_witnessed(r, pk, k, out):
 * Write to ${out} the Ed25519 keys of the members whose logs ${pk}
 * witnesses when each log has ${k} witnesses: the min(k, n - 1) members
 * before it on the ring, nearest first.
 * Returns their number: 0 when ${pk} is not on the ring.
 */
size_t seen_ring_witnessed(const struct seen_ring *r,
    const uint8_t pk[static 32], size_t k, uint8_t out[][32]);

/**
 * seen_ring_links(r, pk, near, far, out, max):
 * Write to ${out} (room for ${max}) the Ed25519 keys of the members ${pk}
 * links to when each member links to those at ring distance 1 ... ${near}
 * and at the ${far} long-range distances floor(n ^ (j / (${far} + 1))),
 * j = 1 ... ${far}, both ways (docs/protocol.md, "Links"), each once and
 * never ${pk}.  The relation is symmetric: A links to B exactly when B
 * links to A.  Returns their number (at most ${max}; at most
 * 2 (${near} + ${far})): 0 when ${pk} is not on the ring.
 */
size_t seen_ring_links(const struct seen_ring *r, const uint8_t pk[static 32],
    size_t near, size_t far, uint8_t out[][32], size_t max);

#endif /* !SEEN_RING_H */

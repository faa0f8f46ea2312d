/*
 * checkpoint.h: signed tree heads of Merkle logs.
 *
 * A Checkpoint says that the log of ${origin} had ${size} leaves with
 * RFC 9162 root ${root} at ${time}.  Its signature is Ed25519 by the
 * origin over (crypto/sign.h)
 *
 *     DOMAIN || 0x00 || origin(32) || size(8, BE) || root(32) || time(8, BE)
 *
 * with DOMAIN SEEN_DOMAIN_FEED_CHECKPOINT for a feed and
 * SEEN_DOMAIN_XLOG_CHECKPOINT for an exchange log: the signed message is
 * built from the fields, never from the protobuf bytes, so a checkpoint
 * verifies however it was encoded.
 *
 * The latest checkpoint held of each feed is kept in the store's
 * SEEN_DB_CHECKPOINTS database: key the feed's origin number (4 bytes
 * big-endian), value the encoded Checkpoint.
 */
#ifndef SEEN_CHECKPOINT_H
#define SEEN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

#define SEEN_DOMAIN_FEED_CHECKPOINT "seen-feed-checkpoint-v1"
#define SEEN_DOMAIN_XLOG_CHECKPOINT "seen-xlog-checkpoint-v1"

/* Caller storage behind a signed checkpoint: origin, root, signature. */
#define SEEN_CHECKPOINT_BUF (32 + 32 + 64)

/* Bytes of the signed message after the domain and its 0x00. */
#define SEEN_CHECKPOINT_MSG_BYTES (32 + 8 + 32 + 8)

struct seen_keys;

/**
 * seen_checkpoint_sign(c, buf, domain, k, size, root, time):
 * Initialise ${c} as a checkpoint of origin k->sign_pk with ${size}
 * leaves, root ${root} and time ${time}, signed by ${k} under ${domain}.
 * The origin, root and signature of ${c} point into ${buf}, caller
 * storage of SEEN_CHECKPOINT_BUF bytes that must outlive ${c}; nothing is
 * allocated.
 * Returns 0; SEEN_EINVAL for a bad ${domain} (${c} is then zero-filled).
 */
SEEN_MUST_CHECK int seen_checkpoint_sign(Seen__Checkpoint *c,
    uint8_t buf[static SEEN_CHECKPOINT_BUF], const char *domain,
    const struct seen_keys *k, uint64_t size, const uint8_t root[static 32],
    uint64_t time);

/**
 * seen_checkpoint_verify(c, domain):
 * Check that ${c} is well formed (32-byte origin and root, 64-byte
 * signature) and signed by its origin under ${domain}.
 * Returns 0; SEEN_EINVAL when it is malformed or NULL; SEEN_EAUTH when
 * the signature is not valid (or ${domain} is not a valid domain).
 * Does not log.
 */
SEEN_MUST_CHECK int seen_checkpoint_verify(const Seen__Checkpoint *c,
    const char *domain);

/**
 * seen_checkpoint_encode(c, out, len):
 * Encode ${c} as protobuf bytes in a malloc'd buffer *${out} of *${len}
 * bytes, which the caller frees.  Returns 0; SEEN_EINVAL when ${c} is not
 * well formed; SEEN_ENOMEM (logged).
 */
SEEN_MUST_CHECK int seen_checkpoint_encode(const Seen__Checkpoint *c,
    uint8_t **out, size_t *len);

/**
 * seen_checkpoint_decode(buf, len, out):
 * Decode the ${len} bytes at ${buf} into a new checkpoint *${out}, which
 * the caller releases with seen_checkpoint_destroy().  The checkpoint is
 * well formed (32-byte origin and root, 64-byte signature) but its
 * signature is not checked: see seen_checkpoint_verify().
 * Returns 0; SEEN_EINVAL for bytes that are not a well-formed checkpoint
 * (not logged).
 */
SEEN_MUST_CHECK int seen_checkpoint_decode(const uint8_t *buf, size_t len,
    Seen__Checkpoint **out);

/**
 * seen_checkpoint_destroy(&c):
 * Free a checkpoint from seen_checkpoint_decode().  Sets the caller's
 * pointer to NULL; NULL or a pointer to NULL is a no-op, so it is safe
 * twice.
 */
void seen_checkpoint_destroy(Seen__Checkpoint **pp);

#endif /* !SEEN_CHECKPOINT_H */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"

/* 1 if ${c} has a 32-byte origin and root and a 64-byte signature. */
static int
well_formed(const Seen__Checkpoint *c)
{

    return c != NULL && c->origin.len == 32 && c->origin.data != NULL &&
        c->root.len == 32 && c->root.data != NULL &&
        c->signature.len == SEEN_SIGN_BYTES && c->signature.data != NULL;
}

/* The signed message after the domain: origin || size || root || time. */
static void
signed_msg(uint8_t m[SEEN_CHECKPOINT_MSG_BYTES], const uint8_t origin[32],
    uint64_t size, const uint8_t root[32], uint64_t time)
{

    memcpy(m, origin, 32);
    seen_be64(m + 32, size);
    memcpy(m + 40, root, 32);
    seen_be64(m + 72, time);
}

/**
 * seen_checkpoint_sign(c, buf, domain, k, size, root, time):
 * Initialise ${c} as a checkpoint of origin k->sign_pk with ${size}
 * leaves, root ${root} and time ${time}, signed by ${k} under ${domain}.
 * The origin, root and signature of ${c} point into ${buf}, caller
 * storage of SEEN_CHECKPOINT_BUF bytes that must outlive ${c}; nothing is
 * allocated.
 * Returns 0; SEEN_EINVAL for a bad ${domain} (${c} is then zero-filled).
 */
int
seen_checkpoint_sign(Seen__Checkpoint *c,
    uint8_t buf[static SEEN_CHECKPOINT_BUF], const char *domain,
    const struct seen_keys *k, uint64_t size, const uint8_t root[static 32],
    uint64_t time)
{
    uint8_t m[SEEN_CHECKPOINT_MSG_BYTES];
    int rc;

    seen__checkpoint__init(c);
    memmove(buf + 32, root, 32);
    memcpy(buf, k->sign_pk, 32);
    signed_msg(m, buf, size, buf + 32, time);
    if ((rc = seen_sign(buf + 64, domain, m, sizeof m, k->sign_sk)) != 0)
        goto err0;
    c->origin.data = buf;
    c->origin.len = 32;
    c->size = size;
    c->root.data = buf + 32;
    c->root.len = 32;
    c->time = time;
    c->signature.data = buf + 64;
    c->signature.len = SEEN_SIGN_BYTES;

    /* Success! */
    return 0;

err0:
    seen__checkpoint__init(c);
    return rc;
}

/**
 * seen_checkpoint_verify(c, domain):
 * Check that ${c} is well formed (32-byte origin and root, 64-byte
 * signature) and signed by its origin under ${domain}.
 * Returns 0; SEEN_EINVAL when it is malformed or NULL; SEEN_EAUTH when
 * the signature is not valid (or ${domain} is not a valid domain).
 * Does not log.
 */
int
seen_checkpoint_verify(const Seen__Checkpoint *c, const char *domain)
{
    uint8_t m[SEEN_CHECKPOINT_MSG_BYTES];

    if (!well_formed(c))
        return SEEN_EINVAL;
    signed_msg(m, c->origin.data, c->size, c->root.data, c->time);
    return seen_verify(c->signature.data, domain, m, sizeof m,
               c->origin.data) == 0 ? 0 : SEEN_EAUTH;
}

/**
 * seen_checkpoint_encode(c, out, len):
 * Encode ${c} as protobuf bytes in a malloc'd buffer *${out} of *${len}
 * bytes, which the caller frees.  Returns 0; SEEN_EINVAL when ${c} is not
 * well formed; SEEN_ENOMEM (logged).
 */
int
seen_checkpoint_encode(const Seen__Checkpoint *c, uint8_t **out, size_t *len)
{
    uint8_t *buf;
    size_t n;

    if (!well_formed(c))
        return SEEN_EINVAL;
    n = seen__checkpoint__get_packed_size(c);
    if ((buf = malloc(n)) == NULL) {
        seen_errorp("cannot encode a checkpoint");
        return SEEN_ENOMEM;
    }
    if (seen__checkpoint__pack(c, buf) != n) {
        free(buf);
        return SEEN_EINVAL;
    }
    *out = buf;
    *len = n;
    return 0;
}

/**
 * seen_checkpoint_decode(buf, len, out):
 * Decode the ${len} bytes at ${buf} into a new checkpoint *${out}, which
 * the caller releases with seen_checkpoint_destroy().  The checkpoint is
 * well formed (32-byte origin and root, 64-byte signature) but its
 * signature is not checked: see seen_checkpoint_verify().
 * Returns 0; SEEN_EINVAL for bytes that are not a well-formed checkpoint
 * (not logged).
 */
int
seen_checkpoint_decode(const uint8_t *buf, size_t len, Seen__Checkpoint **out)
{
    Seen__Checkpoint *c;

    if (buf == NULL && len != 0)
        return SEEN_EINVAL;
    if ((c = seen__checkpoint__unpack(NULL, len, buf)) == NULL)
        return SEEN_EINVAL;
    if (!well_formed(c)) {
        seen__checkpoint__free_unpacked(c, NULL);
        return SEEN_EINVAL;
    }
    *out = c;
    return 0;
}

/**
 * seen_checkpoint_destroy(&c):
 * Free a checkpoint from seen_checkpoint_decode().  Sets the caller's
 * pointer to NULL; NULL or a pointer to NULL is a no-op, so it is safe
 * twice.
 */
void
seen_checkpoint_destroy(Seen__Checkpoint **pp)
{
    Seen__Checkpoint *c;

    if (pp == NULL || (c = *pp) == NULL)
        return;
    *pp = NULL;
    seen__checkpoint__free_unpacked(c, NULL);
}

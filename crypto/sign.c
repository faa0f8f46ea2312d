#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/sign.h"

_Static_assert(crypto_sign_BYTES == SEEN_SIGN_BYTES, "signature size");
_Static_assert(crypto_sign_PUBLICKEYBYTES == SEEN_SIGN_PK_BYTES, "pk size");
_Static_assert(crypto_sign_SECRETKEYBYTES == SEEN_SIGN_SK_BYTES, "sk size");

/* Signed messages up to this size are assembled on the stack. */
#define STACK_BYTES 2048

/*
 * A signed message being assembled: in the caller's stack buffer when it
 * fits, otherwise on the heap.
 */
struct signed_msg {
    uint8_t *buf;
    size_t len;
    int heap;
};

/*
 * Assemble ${domain} || 0x00 || ${msg} into ${sm}, using ${stack} (of
 * STACK_BYTES) if it fits.  Returns 0, SEEN_EINVAL or SEEN_ENOMEM.
 */
static int
assemble(struct signed_msg *sm, uint8_t *stack, const char *domain,
    const uint8_t *msg, size_t len)
{
    size_t dlen;

    if (domain == NULL)
        return SEEN_EINVAL;
    dlen = strnlen(domain, SEEN_SIGN_DOMAIN_MAX + 1);
    if (dlen == 0 || dlen > SEEN_SIGN_DOMAIN_MAX)
        return SEEN_EINVAL;
    if (len > SIZE_MAX - dlen - 1)
        return SEEN_EINVAL;
    sm->len = dlen + 1 + len;
    if (sm->len <= STACK_BYTES) {
        sm->buf = stack;
        sm->heap = 0;
    } else {
        if ((sm->buf = malloc(sm->len)) == NULL) {
            seen_errorp("cannot allocate %zu bytes for a signed message",
                sm->len);
            return SEEN_ENOMEM;
        }
        sm->heap = 1;
    }
    memcpy(sm->buf, domain, dlen);
    sm->buf[dlen] = 0x00;
    if (len > 0)
        memcpy(sm->buf + dlen + 1, msg, len);
    return 0;
}

/* Wipe the assembled message (it may hold personal data) and free it. */
static void
release(struct signed_msg *sm)
{

    sodium_memzero(sm->buf, sm->len);
    if (sm->heap)
        free(sm->buf);
}

/**
 * seen_sign(sig, domain, msg, len, sk):
 * Sign domain || 0x00 || ${msg} (${len} bytes; ${msg} may be NULL if
 * ${len} is 0) for the NUL-terminated ${domain} with the Ed25519 secret key
 * ${sk} (libsodium's 64-byte layout) and write the 64-byte signature to
 * ${sig}.  Short messages are assembled on the stack; longer ones in a
 * heap buffer that is wiped before it is freed.
 * Returns 0; SEEN_EINVAL if ${domain} is empty or longer than
 * SEEN_SIGN_DOMAIN_MAX bytes, or the message is too large; SEEN_ENOMEM if
 * the heap buffer cannot be allocated (logged).  On error ${sig} is
 * zero-filled.
 */
int
seen_sign(uint8_t sig[static 64], const char *domain, const uint8_t *msg,
    size_t len, const uint8_t sk[static 64])
{
    uint8_t stack[STACK_BYTES];
    struct signed_msg sm;
    int rc;

    if ((rc = assemble(&sm, stack, domain, msg, len)) != 0)
        goto err0;
    if (crypto_sign_detached(sig, NULL, sm.buf, sm.len, sk) != 0) {
        rc = SEEN_EINVAL;
        goto err1;
    }
    release(&sm);

    /* Success! */
    return 0;

err1:
    release(&sm);
err0:
    sodium_memzero(sig, 64);
    return rc;
}

/**
 * seen_verify(sig, domain, msg, len, pk):
 * Check that ${sig} is a valid Ed25519 signature of
 * domain || 0x00 || ${msg} (${len} bytes) for the NUL-terminated ${domain}
 * under the public key ${pk}.
 * Returns 0 if it is; SEEN_EAUTH if it is not, or if ${domain} is empty or
 * longer than SEEN_SIGN_DOMAIN_MAX bytes; SEEN_ENOMEM if a long message
 * cannot be assembled (logged).
 */
int
seen_verify(const uint8_t sig[static 64], const char *domain,
    const uint8_t *msg, size_t len, const uint8_t pk[static 32])
{
    uint8_t stack[STACK_BYTES];
    struct signed_msg sm;
    int rc;

    if ((rc = assemble(&sm, stack, domain, msg, len)) != 0)
        return rc == SEEN_ENOMEM ? SEEN_ENOMEM : SEEN_EAUTH;
    rc = crypto_sign_verify_detached(sig, sm.buf, sm.len, pk) == 0 ?
        0 : SEEN_EAUTH;
    release(&sm);
    return rc;
}

/*
 * sign.h: domain-separated Ed25519 signatures.
 *
 * Every signature covers a domain string as well as the message, so that
 * a signature made for one purpose (an envelope) can never be replayed as
 * another (a checkpoint).  The signed bytes are
 *
 *     domain || 0x00 || msg
 *
 * where domain is the domain string's bytes without its NUL (non-empty, at
 * most SEEN_SIGN_DOMAIN_MAX bytes, so it contains no 0x00 and the split
 * is unambiguous), and msg is the message's bytes.  The signature is pure
 * Ed25519 (RFC 8032, not Ed25519ph) over those bytes: libsodium's
 * crypto_sign_detached, 64 bytes.  Domains in use are listed in
 * docs/protocol.md, e.g. "seen-envelope-v1" and "seen-checkpoint-v1".
 *
 * Needs sodium_init() to have been called.  Neither function logs a
 * verification failure: that is the caller's to report.
 */
#ifndef SEEN_SIGN_H
#define SEEN_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_SIGN_BYTES 64
#define SEEN_SIGN_PK_BYTES 32
#define SEEN_SIGN_SK_BYTES 64
#define SEEN_SIGN_DOMAIN_MAX 64

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
SEEN_MUST_CHECK int seen_sign(uint8_t sig[static 64], const char *domain,
    const uint8_t *msg, size_t len, const uint8_t sk[static 64]);

/**
 * seen_verify(sig, domain, msg, len, pk):
 * Check that ${sig} is a valid Ed25519 signature of
 * domain || 0x00 || ${msg} (${len} bytes) for the NUL-terminated ${domain}
 * under the public key ${pk}.
 * Returns 0 if it is; SEEN_EAUTH if it is not, or if ${domain} is empty or
 * longer than SEEN_SIGN_DOMAIN_MAX bytes; SEEN_ENOMEM if a long message
 * cannot be assembled (logged).
 */
SEEN_MUST_CHECK int seen_verify(const uint8_t sig[static 64],
    const char *domain, const uint8_t *msg, size_t len,
    const uint8_t pk[static 32]);

#endif /* !SEEN_SIGN_H */

/*
 * envelope.h: signed envelopes, the unit of every message between nodes.
 *
 * An Envelope holds the exact bytes of a SignedPart (a Header and a body)
 * and an Ed25519 signature by the header's sender over
 *
 *     "seen-envelope-v1" || 0x00 || signed
 *
 * where signed is the SignedPart's bytes as they travel.  A receiver
 * checks the signature over those bytes as received and never re-encodes
 * them, so an envelope verifies whatever encoder made it (field order,
 * unknown fields).  docs/protocol.md ("Envelopes and checkpoints") gives
 * the fields and the acceptance rules in their order.
 */
#ifndef SEEN_ENVELOPE_H
#define SEEN_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

#define SEEN_ENVELOPE_MAX (16u << 20) /* largest envelope accepted */
#define SEEN_ENVELOPE_SKEW 300        /* seconds of clock difference accepted */
#define SEEN_ENVELOPE_ID_BYTES 16     /* msg_id */
#define SEEN_DOMAIN_ENVELOPE "seen-envelope-v1"

struct seen_keys;

/**
 * seen_envelope_seal(k, recipient, type, body, blen, checkpoint, now, out,
 *     len):
 * Build and sign an envelope from ${k} to ${recipient}: a fresh random
 * 16-byte msg_id, time ${now} (Unix seconds), MsgType ${type} (positive),
 * and ${checkpoint} (NULL for none: otherwise a well-formed checkpoint
 * whose origin is k->sign_pk, normally the sender's latest exchange-log
 * checkpoint) in the header, and the ${blen} body bytes ${body} (NULL if
 * ${blen} is 0).  Writes the encoded Envelope to *${out} (malloc'd; the
 * caller frees it) and its length to *${len}.
 * Returns 0; SEEN_EINVAL for a ${type} that is not positive, a malformed
 * ${checkpoint} or one of another origin, or an envelope that would
 * exceed SEEN_ENVELOPE_MAX bytes; SEEN_ENOMEM (logged).  The intermediate
 * copy of the body is wiped before it is freed.
 */
SEEN_MUST_CHECK int seen_envelope_seal(const struct seen_keys *k,
    const uint8_t recipient[static 32], int type, const uint8_t *body,
    size_t blen, const Seen__Checkpoint *checkpoint, uint64_t now,
    uint8_t **out, size_t *len);

/* A verified envelope, filled by seen_envelope_open(). */
struct seen_envelope_view {
    Seen__Envelope *env;        /* owns the bytes below */
    Seen__SignedPart *part;     /* decoded from env->signed_, as signed */
    const uint8_t *sender;      /* 32 */
    int type;                   /* a positive MsgType, perhaps unknown to us */
    const uint8_t *body;        /* NULL when blen is 0 */
    size_t blen;
    const Seen__Checkpoint *checkpoint;  /* may be NULL; verified */
    uint64_t time;
    const uint8_t *msg_id;      /* 16 */
    const uint8_t *raw;         /* the envelope as received (borrowed) */
    size_t rawlen;
};

/*
 * seen_envelope_sender_fn(ctx, pk): return 1 if ${pk} is the key of an
 * active member, 0 if not, or a negative SEEN_E* code if that cannot be
 * told (seen_envelope_open then returns that code).
 */
typedef int seen_envelope_sender_fn(void *ctx, const uint8_t pk[static 32]);

/**
 * seen_envelope_open(buf, len, me, sender_ok, ctx, now, view):
 * Decode and check the envelope ${buf} (${len} bytes) received by the node
 * whose Ed25519 public key is ${me} at time ${now}, in this order:
 *  1. ${len} is at most SEEN_ENVELOPE_MAX; the Envelope and its SignedPart
 *     decode; the signature is 64 bytes; the header is present with a
 *     32-byte sender and recipient, a 16-byte msg_id and a positive type;
 *     a checkpoint in it is well formed and its origin is the sender
 *     (else SEEN_EINVAL);
 *  2. the recipient is ${me} (else SEEN_EPERM);
 *  3. ${sender_ok}(${ctx}, sender) says the sender is an active member
 *     (else SEEN_EPERM, or its negative code);
 *  4. the signature is valid under the sender's key over
 *     SEEN_DOMAIN_ENVELOPE || 0x00 || the signed bytes as received (else
 *     SEEN_EAUTH), and a checkpoint in the header is signed by the sender
 *     under SEEN_DOMAIN_XLOG_CHECKPOINT (else SEEN_EAUTH);
 *  5. |time - ${now}| is at most SEEN_ENVELOPE_SKEW (else SEEN_EREPLAY:
 *     stale, or from a clock too far ahead).
 * The sixth check, that the message is new, needs the store: a node opens
 * what it receives with seen_replay_open() (storage/replay.h), which makes
 * all six.
 * Returns 0 and fills *${view}, which the caller releases with
 * seen_envelope_release(); ${view}->raw borrows ${buf}.  On error *${view}
 * is empty (releasing it is harmless).  Other codes: SEEN_ENOMEM.  Does
 * not log refusals (callers count them) and never crashes on any input
 * bytes.
 */
SEEN_MUST_CHECK int seen_envelope_open(const uint8_t *buf, size_t len,
    const uint8_t me[static 32], seen_envelope_sender_fn *sender_ok,
    void *ctx, uint64_t now, struct seen_envelope_view *view);

/**
 * seen_envelope_release(view):
 * Free what seen_envelope_open() decoded into ${view} and empty it.  Safe
 * on an empty view and twice.
 */
void seen_envelope_release(struct seen_envelope_view *view);

#endif /* !SEEN_ENVELOPE_H */

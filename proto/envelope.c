#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"

_Static_assert(SEEN_ENVELOPE_MAX < SIZE_MAX / 2, "envelope size");

/* 1 if ${b} holds exactly ${len} bytes. */
static int
sized(const ProtobufCBinaryData *b, size_t len)
{

    return b->len == len && b->data != NULL;
}

/* 1 if ${c} is a well-formed checkpoint whose origin is ${origin}. */
static int
checkpoint_of(const Seen__Checkpoint *c, const uint8_t origin[32])
{

    return seen_checkpoint_well_formed(c) &&
        sodium_memcmp(c->origin.data, origin, 32) == 0;
}

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
int
seen_envelope_seal(const struct seen_keys *k,
    const uint8_t recipient[static 32], int type, const uint8_t *body,
    size_t blen, const Seen__Checkpoint *checkpoint, uint64_t now,
    uint8_t **out, size_t *len)
{
    Seen__Header h = SEEN__HEADER__INIT;
    Seen__SignedPart sp = SEEN__SIGNED_PART__INIT;
    Seen__Envelope env = SEEN__ENVELOPE__INIT;
    uint8_t id[SEEN_ENVELOPE_ID_BYTES], sig[SEEN_SIGN_BYTES];
    uint8_t *spbuf, *buf;
    size_t splen, n;
    int rc;

    if (type <= 0 || (body == NULL && blen != 0) ||
        blen > SEEN_ENVELOPE_MAX ||
        (checkpoint != NULL && !checkpoint_of(checkpoint, k->sign_pk))) {
        rc = SEEN_EINVAL;
        goto err0;
    }

    /* The signed part: header and body. */
    seen_random_buf(id, sizeof id);
    h.sender = (ProtobufCBinaryData){32, (uint8_t *)k->sign_pk};
    h.recipient = (ProtobufCBinaryData){32, (uint8_t *)recipient};
    h.type = (Seen__MsgType)type;
    h.msg_id = (ProtobufCBinaryData){sizeof id, id};
    h.time = now;
    h.checkpoint = (Seen__Checkpoint *)checkpoint;
    sp.header = &h;
    sp.body = (ProtobufCBinaryData){blen, (uint8_t *)body};
    splen = seen__signed_part__get_packed_size(&sp);
    if (splen > SEEN_ENVELOPE_MAX) {
        rc = SEEN_EINVAL;
        goto err0;
    }
    if ((spbuf = malloc(splen)) == NULL) {
        seen_errorp("cannot allocate an envelope of %zu bytes", splen);
        rc = SEEN_ENOMEM;
        goto err0;
    }
    if (seen__signed_part__pack(&sp, spbuf) != splen) {
        rc = SEEN_EINVAL;
        goto err1;
    }
    if ((rc = seen_sign(sig, SEEN_DOMAIN_ENVELOPE, spbuf, splen,
             k->sign_sk)) != 0)
        goto err1;

    /* The envelope around it. */
    env.signed_ = (ProtobufCBinaryData){splen, spbuf};
    env.signature = (ProtobufCBinaryData){sizeof sig, sig};
    n = seen__envelope__get_packed_size(&env);
    if (n > SEEN_ENVELOPE_MAX) {
        rc = SEEN_EINVAL;
        goto err1;
    }
    if ((buf = malloc(n)) == NULL) {
        seen_errorp("cannot allocate an envelope of %zu bytes", n);
        rc = SEEN_ENOMEM;
        goto err1;
    }
    if (seen__envelope__pack(&env, buf) != n) {
        free(buf);
        rc = SEEN_EINVAL;
        goto err1;
    }
    sodium_memzero(spbuf, splen);
    free(spbuf);
    *out = buf;
    *len = n;

    /* Success! */
    return 0;

err1:
    sodium_memzero(spbuf, splen);
    free(spbuf);
err0:
    return rc;
}

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
int
seen_envelope_open(const uint8_t *buf, size_t len,
    const uint8_t me[static 32], seen_envelope_sender_fn *sender_ok,
    void *ctx, uint64_t now, struct seen_envelope_view *view)
{
    Seen__Envelope *env;
    Seen__SignedPart *part;
    const Seen__Header *h;
    uint64_t skew;
    int r;

    memset(view, 0, sizeof(*view));

    /* 1. Well formed. */
    if ((buf == NULL && len != 0) || len > SEEN_ENVELOPE_MAX) {
        r = SEEN_EINVAL;
        goto err0;
    }
    if ((env = seen__envelope__unpack(NULL, len, buf)) == NULL) {
        r = SEEN_EINVAL;
        goto err0;
    }
    if (!sized(&env->signature, SEEN_SIGN_BYTES)) {
        r = SEEN_EINVAL;
        goto err1;
    }
    if ((part = seen__signed_part__unpack(NULL, env->signed_.len,
             env->signed_.data)) == NULL) {
        r = SEEN_EINVAL;
        goto err1;
    }
    h = part->header;
    if (h == NULL || !sized(&h->sender, 32) || !sized(&h->recipient, 32) ||
        !sized(&h->msg_id, SEEN_ENVELOPE_ID_BYTES) || (int)h->type <= 0 ||
        (h->checkpoint != NULL &&
            !checkpoint_of(h->checkpoint, h->sender.data))) {
        r = SEEN_EINVAL;
        goto err2;
    }

    /* 2. For us; 3. from a member. */
    if (sodium_memcmp(h->recipient.data, me, 32) != 0) {
        r = SEEN_EPERM;
        goto err2;
    }
    if ((r = sender_ok(ctx, h->sender.data)) <= 0) {
        if (r == 0)
            r = SEEN_EPERM;
        goto err2;
    }

    /* 4. Signed by the sender, over the bytes as received. */
    r = seen_verify(env->signature.data, SEEN_DOMAIN_ENVELOPE,
        env->signed_.data, env->signed_.len, h->sender.data);
    if (r != 0)
        goto err2;
    if (h->checkpoint != NULL &&
        seen_checkpoint_verify(h->checkpoint,
            SEEN_DOMAIN_XLOG_CHECKPOINT) != 0) {
        r = SEEN_EAUTH;
        goto err2;
    }

    /* 5. Fresh. */
    skew = h->time > now ? h->time - now : now - h->time;
    if (skew > SEEN_ENVELOPE_SKEW) {
        r = SEEN_EREPLAY;
        goto err2;
    }

    view->env = env;
    view->part = part;
    view->sender = h->sender.data;
    view->type = (int)h->type;
    view->body = part->body.len > 0 ? part->body.data : NULL;
    view->blen = part->body.len;
    view->checkpoint = h->checkpoint;
    view->time = h->time;
    view->msg_id = h->msg_id.data;
    view->raw = buf;
    view->rawlen = len;

    /* Success! */
    return 0;

err2:
    seen__signed_part__free_unpacked(part, NULL);
err1:
    seen__envelope__free_unpacked(env, NULL);
err0:
    return r;
}

/**
 * seen_envelope_release(view):
 * Free what seen_envelope_open() decoded into ${view} and empty it.  Safe
 * on an empty view and twice.
 */
void
seen_envelope_release(struct seen_envelope_view *view)
{

    if (view == NULL)
        return;
    if (view->part != NULL)
        seen__signed_part__free_unpacked(view->part, NULL);
    if (view->env != NULL)
        seen__envelope__free_unpacked(view->env, NULL);
    memset(view, 0, sizeof(*view));
}

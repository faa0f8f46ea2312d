/*
 * checkpoint.h: signed tree heads of Merkle logs.
 *
 * A Checkpoint says that the log of ${origin} had ${size} leaves with
 * RFC 9162 root ${root}.  It is signed in one of two forms
 * (docs/protocol.md, "Checkpoints"):
 *
 * - a C2SP tlog-checkpoint signed note (c2sp.org/tlog-checkpoint,
 *   crypto/note.h), in ${note}: the text
 *
 *       ORIGIN "\n" SIZE "\n" BASE64(root) "\n"
 *
 *   (ORIGIN the log's name, "seen/feed/" or "seen/xlog/" and the owner's
 *   Ed25519 key in lower-case hex: seen_checkpoint_origin(); SIZE in
 *   decimal), a blank line, and exactly one signature line, an Ed25519
 *   note signature (type 0x01) by the key named ORIGIN.  origin, size
 *   and root repeat what the note says, time is 0 and signature empty.
 *   The note is the signed bytes: kept and sent exactly as signed.  This
 *   is what seen_checkpoint_sign() makes;
 * - the earlier form, still verified (stores and exports written by the
 *   previous version): no note, and a 64-byte Ed25519 signature by the
 *   origin over (crypto/sign.h)
 *
 *       DOMAIN || 0x00 || origin(32) || size(8, BE) || root(32) || time(8, BE)
 *
 *   built from the fields, never from the protobuf bytes.
 *
 * A feed's checkpoint (SEEN_DOMAIN_FEED_CHECKPOINT, origin "seen/feed/...")
 * never verifies as an exchange log's (SEEN_DOMAIN_XLOG_CHECKPOINT,
 * "seen/xlog/..."), in either form.
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
#include "crypto/note.h"
#include "seen.pb-c.h"

#define SEEN_DOMAIN_FEED_CHECKPOINT "seen-feed-checkpoint-v1"
#define SEEN_DOMAIN_XLOG_CHECKPOINT "seen-xlog-checkpoint-v1"

/* The longest note a checkpoint may carry, in bytes (one this code signs
 * is about 320). */
#define SEEN_CHECKPOINT_NOTE_MAX 512

/* Caller storage behind a signed checkpoint: origin, root, signature,
 * note. */
#define SEEN_CHECKPOINT_BUF (32 + 32 + 64 + SEEN_CHECKPOINT_NOTE_MAX)

/* Bytes of a log's origin name with its NUL: "seen/xlog/" and 64 hex. */
#define SEEN_CHECKPOINT_ORIGIN_MAX (10 + 64 + 1)

/* Bytes of the signed message after the domain and its 0x00. */
#define SEEN_CHECKPOINT_MSG_BYTES (32 + 8 + 32 + 8)

struct seen_keys;

/**
 * seen_checkpoint_origin(out, domain, pk):
 * Write the origin name of the log of the Ed25519 key ${pk} that
 * checkpoints under ${domain} are of: "seen/feed/" (feeds) or
 * "seen/xlog/" (exchange logs) and the key in lower-case hex, to ${out}
 * (NUL-terminated).  It names the log in its notes and the key that
 * signs them.
 * Returns 0; SEEN_EINVAL for another ${domain}.
 */
SEEN_MUST_CHECK int seen_checkpoint_origin(
    char out[static SEEN_CHECKPOINT_ORIGIN_MAX], const char *domain,
    const uint8_t pk[static 32]);

/**
 * seen_checkpoint_vkey(out, domain, pk):
 * Write the C2SP note verifier key ("NAME+KEYID+BASE64", crypto/note.h)
 * of the checkpoints under ${domain} of the log of ${pk} to ${out}
 * (SEEN_NOTE_VKEY_MAX bytes, NUL-terminated): what any C2SP-aware tool
 * (Go's golang.org/x/mod/sumdb/note) needs to verify them.
 * Returns 0; SEEN_EINVAL for another ${domain}.
 */
SEEN_MUST_CHECK int seen_checkpoint_vkey(char out[static SEEN_NOTE_VKEY_MAX],
    const char *domain,
    const uint8_t pk[static 32]);

/**
 * seen_checkpoint_sign(c, buf, domain, k, size, root, time):
 * Initialise ${c} as a checkpoint of origin k->sign_pk with ${size}
 * leaves and root ${root}, a note signed by ${k} under the origin name
 * of ${domain}.  ${time} is not part of a note (time is 0 in ${c}); it is
 * kept for the callers.  The origin, root and note of ${c} point into
 * ${buf}, caller storage of SEEN_CHECKPOINT_BUF bytes that must outlive
 * ${c}; nothing is allocated.
 * Returns 0; SEEN_EINVAL for a bad ${domain} (${c} is then zero-filled).
 */
SEEN_MUST_CHECK int seen_checkpoint_sign(Seen__Checkpoint *c,
    uint8_t buf[static SEEN_CHECKPOINT_BUF], const char *domain,
    const struct seen_keys *k, uint64_t size, const uint8_t root[static 32],
    uint64_t time);

/**
 * seen_checkpoint_well_formed(c):
 * Return 1 if ${c} is not NULL and has a 32-byte origin and root and
 * either a note (1 to SEEN_CHECKPOINT_NOTE_MAX bytes, with time 0 and no
 * signature) or a 64-byte signature and no note; else 0.  Nothing is
 * verified.
 */
int seen_checkpoint_well_formed(const Seen__Checkpoint *c);

/**
 * seen_checkpoint_signed(c):
 * Return 1 if ${c} carries a signature, in either form (a note, or the
 * earlier form's 64 bytes), else 0 (as seen_xlog_checkpoint() leaves a
 * checkpoint when the node signs nothing).  Nothing is verified.
 */
int seen_checkpoint_signed(const Seen__Checkpoint *c);

/**
 * seen_checkpoint_same(a, b):
 * Return 1 if ${a} and ${b} are the same signed checkpoint: the same
 * origin, size, root and time, and the same note or signature, byte for
 * byte; else 0.  Nothing is verified.
 */
int seen_checkpoint_same(const Seen__Checkpoint *a, const Seen__Checkpoint *b);

/**
 * seen_checkpoint_note_text(c, len):
 * Write to *${len} the length of the text of the note of ${c} (up to and
 * including its last "\n" before the blank line): the bytes a witness
 * cosigns.  Returns 0; SEEN_EINVAL when ${c} has no note or it has no
 * blank line.
 */
SEEN_MUST_CHECK int seen_checkpoint_note_text(const Seen__Checkpoint *c,
    size_t *len);

/**
 * seen_checkpoint_verify(c, domain):
 * Check that ${c} is well formed (seen_checkpoint_well_formed()) and
 * signed by its origin under ${domain}: with a note, the note holds
 * exactly one signature line, of the key named after the origin
 * (seen_checkpoint_origin()), which verifies, and its text is exactly
 * the origin name, size and root of ${c}; without, the earlier form's
 * signature verifies.
 * Returns 0; SEEN_EINVAL when it is malformed or NULL, or its note says
 * another origin, size or root, or holds another signature line;
 * SEEN_EAUTH when the signature is not valid (or ${domain} is not a
 * valid domain).  Does not log.
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
 * well formed (seen_checkpoint_well_formed()) but its signature is not
 * checked: see seen_checkpoint_verify().
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

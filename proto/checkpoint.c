#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/note.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"

/* The longest text of a checkpoint note: the origin name, a size of at
 * most 20 digits, the 44 characters of a base64 root, three newlines. */
#define NOTE_TEXT_MAX (SEEN_CHECKPOINT_ORIGIN_MAX - 1 + 20 + 44 + 3)

_Static_assert(NOTE_TEXT_MAX + 1 + SEEN_NOTE_LINE_MAX <=
                   SEEN_CHECKPOINT_NOTE_MAX,
    "a checkpoint note this code signs fits its buffer");

/* 1 if ${b} holds ${len} bytes. */
static int
sized(const ProtobufCBinaryData *b, size_t len)
{

    return b->len == len && b->data != NULL;
}

/**
 * seen_checkpoint_well_formed(c):
 * Return 1 if ${c} is not NULL and has a 32-byte origin and root and
 * either a note (1 to SEEN_CHECKPOINT_NOTE_MAX bytes, with time 0 and no
 * signature) or a 64-byte signature and no note; else 0.  Nothing is
 * verified.
 */
int
seen_checkpoint_well_formed(const Seen__Checkpoint *c)
{

    if (c == NULL || !sized(&c->origin, 32) || !sized(&c->root, 32))
        return 0;
    if (c->note.len == 0)
        return sized(&c->signature, SEEN_SIGN_BYTES);
    return c->note.data != NULL && c->note.len <= SEEN_CHECKPOINT_NOTE_MAX &&
           c->signature.len == 0 && c->time == 0;
}

/**
 * seen_checkpoint_signed(c):
 * Return 1 if ${c} carries a signature, in either form (a note, or the
 * earlier form's 64 bytes), else 0.  Nothing is verified.
 */
int
seen_checkpoint_signed(const Seen__Checkpoint *c)
{

    return c->note.len != 0 || c->signature.len != 0;
}

/* 1 when ${a} and ${b} hold the same bytes. */
static int
same_bytes(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{

    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/**
 * seen_checkpoint_same(a, b):
 * Return 1 if ${a} and ${b} are the same signed checkpoint: the same
 * origin, size, root and time, and the same note or signature, byte for
 * byte; else 0.  Nothing is verified.
 */
int
seen_checkpoint_same(const Seen__Checkpoint *a, const Seen__Checkpoint *b)
{

    return a->size == b->size && a->time == b->time &&
           same_bytes(&a->origin, &b->origin) &&
           same_bytes(&a->root, &b->root) &&
           same_bytes(&a->signature, &b->signature) &&
           same_bytes(&a->note, &b->note) && seen_checkpoint_signed(a);
}

/**
 * seen_checkpoint_origin(out, domain, pk):
 * Write the origin name of the log of the Ed25519 key ${pk} that
 * checkpoints under ${domain} are of: "seen/feed/" (feeds) or
 * "seen/xlog/" (exchange logs) and the key in lower-case hex, to ${out}
 * (NUL-terminated).  It names the log in its notes and the key that
 * signs them.
 * Returns 0; SEEN_EINVAL for another ${domain}.
 */
int
seen_checkpoint_origin(char out[static SEEN_CHECKPOINT_ORIGIN_MAX],
    const char *domain, const uint8_t pk[static 32])
{
    const char *kind;

    if (domain != NULL && strcmp(domain, SEEN_DOMAIN_FEED_CHECKPOINT) == 0)
        kind = "feed";
    else if (domain != NULL &&
             strcmp(domain, SEEN_DOMAIN_XLOG_CHECKPOINT) == 0)
        kind = "xlog";
    else
        return SEEN_EINVAL;
    memcpy(out, "seen/", 5);
    memcpy(out + 5, kind, 4);
    out[9] = '/';
    seen_hex_encode(out + 10, pk, 32);
    return 0;
}

/**
 * seen_checkpoint_vkey(out, domain, pk):
 * Write the C2SP note verifier key ("NAME+KEYID+BASE64", crypto/note.h)
 * of the checkpoints under ${domain} of the log of ${pk} to ${out}
 * (SEEN_NOTE_VKEY_MAX bytes, NUL-terminated): what any C2SP-aware tool
 * (Go's golang.org/x/mod/sumdb/note) needs to verify them.
 * Returns 0; SEEN_EINVAL for another ${domain}.
 */
int
seen_checkpoint_vkey(char out[static SEEN_NOTE_VKEY_MAX], const char *domain,
    const uint8_t pk[static 32])
{
    char name[SEEN_CHECKPOINT_ORIGIN_MAX];
    struct seen_note_key key;
    int rc;

    if ((rc = seen_checkpoint_origin(name, domain, pk)) != 0 ||
        (rc = seen_note_key_init(&key, name, SEEN_NOTE_ED25519, pk)) != 0)
        return rc;
    seen_note_vkey(&key, out);
    return 0;
}

/*
 * Write the text of the note of a checkpoint of the log ${name} with
 * ${size} leaves and root ${root} to ${t} (NOTE_TEXT_MAX + 1 bytes).
 * Returns its length.
 */
static size_t
note_text(char t[NOTE_TEXT_MAX + 1], const char *name, uint64_t size,
    const uint8_t root[32])
{
    size_t n;

    n = (size_t)snprintf(
        t, NOTE_TEXT_MAX + 1, "%s\n%llu\n", name, (unsigned long long)size);
    sodium_bin2base64(
        t + n, NOTE_TEXT_MAX + 1 - n, root, 32, sodium_base64_VARIANT_ORIGINAL);
    n += strlen(t + n);
    t[n++] = '\n';
    t[n] = '\0';
    return n;
}

/* The signed message of the earlier form after the domain: origin ||
 * size || root || time. */
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
 * leaves and root ${root}, a note signed by ${k} under the origin name
 * of ${domain}.  ${time} is not part of a note (time is 0 in ${c}); it is
 * kept for the callers.  The origin, root and note of ${c} point into
 * ${buf}, caller storage of SEEN_CHECKPOINT_BUF bytes that must outlive
 * ${c}; nothing is allocated.
 * Returns 0; SEEN_EINVAL for a bad ${domain} (${c} is then zero-filled).
 */
int
seen_checkpoint_sign(Seen__Checkpoint *c,
    uint8_t buf[static SEEN_CHECKPOINT_BUF], const char *domain,
    const struct seen_keys *k, uint64_t size, const uint8_t root[static 32],
    uint64_t time)
{
    char name[SEEN_CHECKPOINT_ORIGIN_MAX], line[SEEN_NOTE_LINE_MAX];
    char *note = (char *)buf + 128;
    struct seen_note_key key;
    size_t n, ll;
    int rc;

    (void)time;
    seen__checkpoint__init(c);
    memmove(buf + 32, root, 32);
    memcpy(buf, k->sign_pk, 32);
    if ((rc = seen_checkpoint_origin(name, domain, k->sign_pk)) != 0 ||
        (rc = seen_note_key_init(&key, name, SEEN_NOTE_ED25519,
             k->sign_pk)) != 0)
        goto err0;
    n = note_text(note, name, size, buf + 32);
    if ((rc = seen_note_sign((const uint8_t *)note, n, &key, k->sign_sk, 0,
             line)) != 0)
        goto err0;
    ll = strlen(line);
    note[n] = '\n';
    memcpy(note + n + 1, line, ll);
    c->origin.data = buf;
    c->origin.len = 32;
    c->size = size;
    c->root.data = buf + 32;
    c->root.len = 32;
    c->note.data = (uint8_t *)note;
    c->note.len = n + 1 + ll;

    /* Success! */
    return 0;

err0:
    seen__checkpoint__init(c);
    return rc;
}

/**
 * seen_checkpoint_note_text(c, len):
 * Write to *${len} the length of the text of the note of ${c} (up to and
 * including its last "\n" before the blank line): the bytes a witness
 * cosigns.  Returns 0; SEEN_EINVAL when ${c} has no note or it has no
 * blank line.
 */
int
seen_checkpoint_note_text(const Seen__Checkpoint *c, size_t *len)
{
    const uint8_t *p;

    if (c == NULL || c->note.len == 0 || c->note.data == NULL ||
        (p = memmem(c->note.data, c->note.len, "\n\n", 2)) == NULL)
        return SEEN_EINVAL;
    *len = (size_t)(p - c->note.data) + 1;
    return 0;
}

/* Verify the note of ${c} under ${domain}: seen_checkpoint_verify(). */
static int
verify_note(const Seen__Checkpoint *c, const char *domain)
{
    char name[SEEN_CHECKPOINT_ORIGIN_MAX], t[NOTE_TEXT_MAX + 1];
    struct seen_note_key key;
    const uint8_t *rest;
    size_t tlen, n, rlen;
    int rc;

    if (seen_checkpoint_origin(name, domain, c->origin.data) != 0 ||
        seen_note_key_init(&key, name, SEEN_NOTE_ED25519, c->origin.data) != 0)
        return SEEN_EAUTH;
    rc = seen_note_open(c->note.data, c->note.len, &key, 1, NULL, &tlen);
    if (rc == SEEN_ENOMEM || rc == SEEN_EINVAL)
        return rc;
    if (rc != 0)
        return SEEN_EAUTH;
    /* Exactly one signature line (the one that verified) after the blank
     * line, and the text says what the fields do. */
    rest = c->note.data + tlen + 1;
    rlen = c->note.len - tlen - 1;
    n = note_text(t, name, c->size, c->root.data);
    if (rlen == 0 || memchr(rest, '\n', rlen) != rest + rlen - 1 ||
        tlen != n || memcmp(t, c->note.data, n) != 0)
        return SEEN_EINVAL;
    return 0;
}

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
int
seen_checkpoint_verify(const Seen__Checkpoint *c, const char *domain)
{
    uint8_t m[SEEN_CHECKPOINT_MSG_BYTES];

    if (!seen_checkpoint_well_formed(c))
        return SEEN_EINVAL;
    if (c->note.len != 0)
        return verify_note(c, domain);
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

    if (!seen_checkpoint_well_formed(c))
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
 * well formed (seen_checkpoint_well_formed()) but its signature is not
 * checked: see seen_checkpoint_verify().
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
    if (!seen_checkpoint_well_formed(c)) {
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

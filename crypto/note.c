#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "crypto/note.h"

#define SIG_PREFIX "\xe2\x80\x94 " /* "— " */
#define SIG_PREFIX_LEN 4
#define COSIG_PREFIX "cosignature/v1\ntime "

/*
 * Decode the UTF-8 sequence at ${s} (${n} bytes left): write the code
 * point to *${cp} and return its length, or 0 when the bytes are not
 * UTF-8 (truncated, overlong, a surrogate, above U+10FFFF), as Go's
 * utf8.DecodeRune reports RuneError of size 1.
 */
static size_t
utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2, c = s[0] & 0x1f, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3, c = s[0] & 0x0f, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* 1 if ${c} is white space as Go's unicode.IsSpace says. */
static int
is_space(uint32_t c)
{

    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
           c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}

/* 1 if the ${n} bytes ${s} may name a key (see seen_note_name_valid). */
static int
name_ok(const uint8_t *s, size_t n)
{
    size_t i, k;
    uint32_t c;

    if (n == 0 || n > SEEN_NOTE_NAME_MAX)
        return 0;
    for (i = 0; i < n; i += k) {
        if ((k = utf8_next(s + i, n - i, &c)) == 0 || c < 0x20 ||
            c == 0x7f || c == '+' || is_space(c))
            return 0;
    }
    return 1;
}

/**
 * seen_note_name_valid(name):
 * Return 1 if ${name} may name a key: 1 to SEEN_NOTE_NAME_MAX bytes of
 * UTF-8 with no white space, no control character and no '+'; else 0.
 */
int
seen_note_name_valid(const char *name)
{

    return name != NULL && name_ok((const uint8_t *)name, strlen(name));
}

/* The key ID of ${name} (${nlen} bytes), ${type} and ${pk}. */
static uint32_t
key_id(const uint8_t *name, size_t nlen, uint8_t type, const uint8_t pk[32])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, name, nlen);
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, &type, 1);
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    return seen_rd32(h);
}

/**
 * seen_note_key_init(key, name, type, pk):
 * Fill ${key} with ${name}, ${type} and the Ed25519 public key ${pk}, and
 * compute its key ID.  Returns 0; SEEN_EINVAL for a name that
 * seen_note_name_valid() refuses or a type other than the two above.
 */
int
seen_note_key_init(struct seen_note_key *key, const char *name, uint8_t type,
    const uint8_t pk[static 32])
{

    if (!seen_note_name_valid(name) ||
        (type != SEEN_NOTE_ED25519 && type != SEEN_NOTE_COSIGNATURE))
        return SEEN_EINVAL;
    memset(key, 0, sizeof *key);
    memcpy(key->name, name, strlen(name));
    key->type = type;
    memcpy(key->pk, pk, 32);
    key->id = key_id((const uint8_t *)name, strlen(name), type, pk);
    return 0;
}

/* Standard base64 (with padding) of ${n} bytes ${in}; *${out} NUL-ended. */
static size_t
b64(char *out, size_t cap, const uint8_t *in, size_t n)
{

    sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_ORIGINAL);
    return strlen(out);
}

/* Decode standard base64 ${s} (${n} chars) into at most ${cap} bytes. */
static int
unb64(uint8_t *out, size_t cap, const char *s, size_t n, size_t *len)
{
    const char *end;

    if (n == 0 || sodium_base642bin(out, cap, s, n, NULL, len, &end,
                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + n)
        return SEEN_EINVAL;
    return 0;
}

/**
 * seen_note_vkey_parse(vkey, key):
 * Parse the verifier key ${vkey} ("NAME+KEYID+BASE64", NUL-terminated)
 * into ${key}.  Returns 0; SEEN_EINVAL when it is malformed, of an unknown
 * type, its key is not 32 bytes, or its key ID does not match.
 */
int
seen_note_vkey_parse(const char *vkey, struct seen_note_key *key)
{
    const char *p1, *p2;
    uint8_t raw[64];
    size_t nlen, rlen, i;
    uint32_t id = 0;
    int d;

    if (vkey == NULL || (p1 = strchr(vkey, '+')) == NULL ||
        (p2 = strchr(p1 + 1, '+')) == NULL || p2 - p1 != 9)
        return SEEN_EINVAL;
    nlen = (size_t)(p1 - vkey);
    if (!name_ok((const uint8_t *)vkey, nlen))
        return SEEN_EINVAL;
    for (i = 1; i <= 8; i++) {
        d = p1[i] >= '0' && p1[i] <= '9'   ? p1[i] - '0'
            : p1[i] >= 'a' && p1[i] <= 'f' ? p1[i] - 'a' + 10
            : p1[i] >= 'A' && p1[i] <= 'F' ? p1[i] - 'A' + 10
                                           : -1;
        if (d < 0)
            return SEEN_EINVAL;
        id = (id << 4) | (uint32_t)d;
    }
    if (unb64(raw, sizeof raw, p2 + 1, strlen(p2 + 1), &rlen) != 0 ||
        rlen != 33 ||
        (raw[0] != SEEN_NOTE_ED25519 && raw[0] != SEEN_NOTE_COSIGNATURE))
        return SEEN_EINVAL;
    if (key_id((const uint8_t *)vkey, nlen, raw[0], raw + 1) != id)
        return SEEN_EINVAL;
    memset(key, 0, sizeof *key);
    memcpy(key->name, vkey, nlen);
    key->type = raw[0];
    memcpy(key->pk, raw + 1, 32);
    key->id = id;
    return 0;
}

/**
 * seen_note_vkey(key, buf):
 * Write ${key} as a verifier key string to ${buf}.  Returns ${buf}.
 */
char *
seen_note_vkey(const struct seen_note_key *key,
    char buf[static SEEN_NOTE_VKEY_MAX])
{
    uint8_t raw[33];
    size_t off;

    raw[0] = key->type;
    memcpy(raw + 1, key->pk, 32);
    off = (size_t)snprintf(buf, SEEN_NOTE_VKEY_MAX, "%s+%08x+", key->name,
        (unsigned)key->id);
    b64(buf + off, SEEN_NOTE_VKEY_MAX - off, raw, sizeof raw);
    return buf;
}

/**
 * seen_note_text_valid(text, len):
 * Return 1 if the ${len} bytes ${text} may be the text of a note: at
 * least one byte, valid UTF-8, ending in a newline, and no ASCII control
 * character but newline; else 0.
 */
int
seen_note_text_valid(const uint8_t *text, size_t len)
{
    size_t i, k;
    uint32_t c;

    if (text == NULL || len == 0 || text[len - 1] != '\n')
        return 0;
    for (i = 0; i < len; i += k) {
        if ((k = utf8_next(text + i, len - i, &c)) == 0 ||
            (c < 0x20 && c != '\n'))
            return 0;
    }
    return 1;
}

/* The message a cosignature at ${time} signs: prefix, time, text. */
static uint8_t *
cosigned_msg(const uint8_t *text, size_t len, uint64_t time, size_t *mlen)
{
    char head[sizeof COSIG_PREFIX + 24];
    size_t hlen;
    uint8_t *m;

    hlen = (size_t)snprintf(head, sizeof head, "%s%llu\n", COSIG_PREFIX,
        (unsigned long long)time);
    if ((m = malloc(hlen + len)) == NULL)
        return NULL;
    memcpy(m, head, hlen);
    memcpy(m + hlen, text, len);
    *mlen = hlen + len;
    return m;
}

/**
 * seen_note_sign(text, len, key, sk, time, line):
 * Sign the note text ${text} (${len} bytes, which must be a valid note
 * text: see seen_note_text_valid()) with the Ed25519 secret key ${sk}
 * (libsodium's 64-byte layout) of ${key}, as a signature (${key}->type
 * SEEN_NOTE_ED25519; ${time} is ignored) or a cosignature at ${time}
 * (SEEN_NOTE_COSIGNATURE), and write the signature line, NUL-terminated,
 * to ${line}.  Append it after the text and a blank line to make the note.
 * Returns 0; SEEN_EINVAL for text that is not a valid note text.
 */
int
seen_note_sign(const uint8_t *text, size_t len,
    const struct seen_note_key *key, const uint8_t sk[static 64],
    uint64_t time, char line[static SEEN_NOTE_LINE_MAX])
{
    uint8_t sig[4 + 8 + crypto_sign_BYTES], *m;
    size_t off, slen, mlen;

    if (!seen_note_text_valid(text, len))
        return SEEN_EINVAL;
    seen_be32(sig, key->id);
    if (key->type == SEEN_NOTE_COSIGNATURE) {
        if ((m = cosigned_msg(text, len, time, &mlen)) == NULL)
            return SEEN_ENOMEM;
        seen_be64(sig + 4, time);
        crypto_sign_detached(sig + 12, NULL, m, mlen, sk);
        free(m);
        slen = sizeof sig;
    } else {
        crypto_sign_detached(sig + 4, NULL, text, len, sk);
        slen = 4 + crypto_sign_BYTES;
    }
    off = (size_t)snprintf(line, SEEN_NOTE_LINE_MAX, "%s%s ", SIG_PREFIX,
        key->name);
    off += b64(line + off, SEEN_NOTE_LINE_MAX - off, sig, slen);
    memcpy(line + off, "\n", 2);
    return 0;
}

/* Check the signature ${sig} (${slen} bytes) of ${key} over ${text}. */
static int
verify(const struct seen_note_key *key, const uint8_t *text, size_t len,
    const uint8_t *sig, size_t slen, uint64_t *time)
{
    uint8_t *m;
    size_t mlen;
    int rc;

    *time = 0;
    if (key->type == SEEN_NOTE_ED25519)
        return slen == crypto_sign_BYTES &&
                       crypto_sign_verify_detached(sig, text, len,
                           key->pk) == 0
                   ? 0
                   : SEEN_EAUTH;
    if (slen != 8 + crypto_sign_BYTES)
        return SEEN_EAUTH;
    *time = seen_rd64(sig);
    if ((m = cosigned_msg(text, len, *time, &mlen)) == NULL)
        return SEEN_ENOMEM;
    rc = crypto_sign_verify_detached(sig + 8, m, mlen, key->pk) == 0
        ? 0
        : SEEN_EAUTH;
    free(m);
    return rc;
}

/*
 * Check one signature line ${line} (${n} bytes, without its newline) of
 * the note text ${text}, decoding into ${sig} (at least ${n} bytes):
 * SEEN_EINVAL when malformed, SEEN_EAUTH when it is a trusted key's and
 * does not verify, else 0 (noting in ${found} which key it verified for,
 * if any, and counting it in *${good}).
 */
static int
check_line(const uint8_t *line, size_t n, uint8_t *sig, const uint8_t *text,
    size_t tlen, const struct seen_note_key *keys, size_t nkeys,
    struct seen_note_found *found, size_t *good)
{
    const uint8_t *sp;
    size_t nlen, slen, i;
    uint64_t t;
    int rc;

    if (n < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return SEEN_EINVAL;
    line += SIG_PREFIX_LEN;
    n -= SIG_PREFIX_LEN;
    if ((sp = memchr(line, ' ', n)) == NULL)
        return SEEN_EINVAL;
    nlen = (size_t)(sp - line);
    if (!name_ok(line, nlen) ||
        unb64(sig, n, (const char *)sp + 1, n - nlen - 1, &slen) != 0 ||
        slen < 5)
        return SEEN_EINVAL;
    for (i = 0; i < nkeys; i++) {
        if (keys[i].id != seen_rd32(sig) || strlen(keys[i].name) != nlen ||
            memcmp(keys[i].name, line, nlen) != 0)
            continue;
        if ((rc = verify(&keys[i], text, tlen, sig + 4, slen - 4, &t)) != 0)
            return rc;
        if (found != NULL) {
            found[i].verified = 1;
            found[i].time = t;
        }
        (*good)++;
    }
    return 0;
}

/**
 * seen_note_open(note, len, keys, nkeys, found, textlen):
 * Check the signed note ${note} (${len} bytes) against the ${nkeys}
 * trusted ${keys}.  [out] ${found}, when not NULL, an array of ${nkeys}:
 * which keys signed it (and when, for a cosignature); [out] *${textlen}
 * the length of the note's text (which includes its final newline).
 * Returns 0 when at least one trusted key's signature verifies and none
 * fails; SEEN_EINVAL when the note is malformed (or longer than
 * SEEN_NOTE_MAX); SEEN_EAUTH when a signature line of a trusted key does
 * not verify, or no line is of a trusted key; SEEN_ENOMEM.  Does not log.
 */
int
seen_note_open(const uint8_t *note, size_t len,
    const struct seen_note_key *keys, size_t nkeys,
    struct seen_note_found *found, size_t *textlen)
{
    const uint8_t *sigs, *nl;
    size_t tlen, i, nsig = 0, good = 0;
    uint8_t *sig;
    int rc = 0;

    if (found != NULL)
        memset(found, 0, nkeys * sizeof *found);
    if (note == NULL || len < 2 || len > SEEN_NOTE_MAX ||
        !seen_note_text_valid(note, len))
        return SEEN_EINVAL;
    /* The text ends at the last blank line; signatures follow it. */
    for (i = len - 1; i > 0; i--)
        if (note[i] == '\n' && note[i - 1] == '\n')
            break;
    if (i == 0 || i + 1 >= len)
        return SEEN_EINVAL;
    tlen = i;
    if ((sig = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    for (sigs = note + i + 1; rc == 0 && sigs < note + len; sigs = nl + 1) {
        nl = memchr(sigs, '\n', (size_t)(note + len - sigs));
        if (++nsig > SEEN_NOTE_SIGS_MAX)
            rc = SEEN_EINVAL;
        else
            rc = check_line(sigs, (size_t)(nl - sigs), sig, note, tlen, keys,
                nkeys, found, &good);
    }
    free(sig);
    if (rc == 0 && good == 0)
        rc = SEEN_EAUTH;
    if (rc == 0)
        *textlen = tlen;
    return rc;
}
